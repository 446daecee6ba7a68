#!/usr/bin/env python3
"""Pipeline components Gemma's own file does not use, against HF ids.

Small BPE tokenizer.json files exercise the Prepend / NFC normalizers, every
Split behaviour (plain and inverted), a pre-tokenizer Sequence, the Strip
decoder and the added-token flags (lstrip, rstrip, single_word, normalized).

  components.py write DIR             write the tokenizer files (stdlib)
  components.py expect DIR OUT.json   HF `tokenizers` ids + decoded text for
                                      each (file, text); needs that package,
                                      tests never run this mode
  components.py check DIR EXPECTED    compare gemma-tokenize with EXPECTED
"""
import copy
import json
import os
import sys

TEXTS = ["the and a", "  the  and   a  ", "a", "", "the cat and the dog",
         "hotdog dog dog_ dogs", "x <l> y<l>z   <r>  w <s>  v", "the cat",
         "thethe and", "café ☃ €"]


def tokenizers():
    chars = list("abcdefghijklmnopqrstuvwxyz \u2581_.,!")
    vocab = {c: i for i, c in enumerate(chars)}
    merges = []
    for a, b in [("t", "h"), ("th", "e"), ("\u2581", "the"), ("a", "n"),
                 ("an", "d"), ("\u2581", "and"), ("the", " "),
                 ("\u2581", "a")]:
        vocab.setdefault(a + b, len(vocab))
        merges.append([a, b])
    for b in range(256):
        vocab.setdefault("<0x%02X>" % b, len(vocab))
    base = {"model": {"type": "BPE", "unk_token": None, "byte_fallback": True,
                      "vocab": vocab, "merges": merges}}
    n = len(vocab)

    def added(i, content, special=True, lstrip=False, rstrip=False,
              single_word=False, normalized=False):
        return {"id": n + i, "content": content, "special": special,
                "lstrip": lstrip, "rstrip": rstrip,
                "single_word": single_word, "normalized": normalized}

    def split(pattern, behavior, invert=False):
        return {"type": "Split", "pattern": {"String": pattern},
                "behavior": behavior, "invert": invert}

    files = {}

    def make(name, **fields):
        doc = copy.deepcopy(base)
        doc.update(fields)
        files[name] = doc

    make("prepend.json",
         normalizer={"type": "Sequence", "normalizers": [
             {"type": "Prepend", "prepend": "\u2581"},
             {"type": "Replace", "pattern": {"String": " "},
              "content": "\u2581"}]},
         decoder={"type": "Sequence", "decoders": [
             {"type": "Replace", "pattern": {"String": "\u2581"},
              "content": " "},
             {"type": "ByteFallback"}, {"type": "Fuse"},
             {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
         added_tokens=[added(0, "<x>")])
    for behavior in ["Removed", "Isolated", "MergedWithPrevious",
                     "MergedWithNext", "Contiguous"]:
        for invert in (False, True):
            make("split-%s%s.json" % (behavior, "-inv" if invert else ""),
                 pre_tokenizer=split(" ", behavior, invert))
    make("seq-split.json", pre_tokenizer={
        "type": "Sequence", "pretokenizers": [
            split(" ", "Isolated"), split("a", "MergedWithNext")]})
    make("flags.json",
         added_tokens=[added(0, "<l>", lstrip=True),
                       added(1, "<r>", rstrip=True),
                       added(2, "dog", special=False, single_word=True),
                       added(3, "the cat", special=False, normalized=True),
                       added(4, "<s>", lstrip=True, rstrip=True)],
         normalizer={"type": "Replace", "pattern": {"String": " "},
                     "content": "_"})
    make("nfc.json", normalizer={"type": "NFC"})
    return files


def write(directory):
    os.makedirs(directory, exist_ok=True)
    for name, doc in tokenizers().items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)


def expect(directory, out):
    import tokenizers as hf
    rows = []
    for name in sorted(tokenizers()):
        tok = hf.Tokenizer.from_file(os.path.join(directory, name))
        for text in TEXTS:
            ids = tok.encode(text, add_special_tokens=True).ids
            rows.append({"file": name, "text": text, "ids": ids,
                         "decoded": tok.decode(ids, skip_special_tokens=False)})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generator": "HF tokenizers " + hf.__version__,
                   "cases": rows}, f, ensure_ascii=False, indent=0)
        f.write("\n")


def check(directory, expected_path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tok import jsonl
    with open(expected_path, encoding="utf-8") as f:
        rows = json.load(f)["cases"]
    bad = 0
    for name in sorted({r["file"] for r in rows}):
        mine = [r for r in rows if r["file"] == name]
        path = os.path.join(directory, name)
        ids = jsonl(path, [r["text"] for r in mine], "--add-special")
        text = jsonl(path, [r["ids"] for r in mine])
        for r, i, t in zip(mine, ids, text):
            if i != r["ids"] or t != r["decoded"]:
                bad += 1
                print("MISMATCH %s %r: ids %r (want %r), text %r (want %r)"
                      % (name, r["text"], i, r["ids"], t, r["decoded"]))
    print("%d cases, %d mismatches" % (len(rows), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "write":
        write(sys.argv[2])
    elif mode == "expect":
        expect(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))

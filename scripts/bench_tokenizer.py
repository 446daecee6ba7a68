#!/usr/bin/env python3
"""Helper of scripts/bench-tokenizer.sh (a benchmark, not a test).

  bench_tokenizer.py corpus OUT.txt OUT-oneline.txt
      >= 1 MiB of text: the repository's docs and runtime sources, repeated;
      the second file has every newline turned into a space, which makes it
      one BPE word for Gemma's tokenizer (the worst case for the merge loop).
  bench_tokenizer.py ours GEMMA_TOKENIZE TOKENIZER TEXT REPEATS
      runs gemma-tokenize --stats REPEATS times; prints JSON with the median
      load / encode times and the token count.
  bench_tokenizer.py hf TOKENIZER TEXT REPEATS GEMMA_TOKENIZE
      the same with HF `tokenizers` (must be importable), and whether its ids
      equal gemma-tokenize's.
  bench_tokenizer.py compare TOKENIZER GEMMA_TOKENIZE N SEED
      differential check against HF `tokenizers` on N random texts (words,
      whitespace runs, added-token texts, any Unicode) and N random id lists:
      encode with and without special tokens, decode with and without
      skipping them. Use it on a new tokenizer.json (e.g. a Gemma 4 file).
"""
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(out, out_oneline):
    files = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")) +
                   glob.glob(os.path.join(ROOT, "runtime", "*.cpp")))
    chunk = "".join(open(f, encoding="utf-8").read() for f in files)
    text = chunk
    while len(text.encode()) < (1 << 20):
        text += chunk
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    with open(out_oneline, "w", encoding="utf-8") as f:
        f.write(text.replace("\n", " "))


def ours(tool, tokenizer, text, repeats):
    loads, encodes, tokens = [], [], 0
    for _ in range(repeats):
        r = subprocess.run([tool, "--tokenizer", tokenizer, "--file", text,
                            "--count", "--stats"], capture_output=True,
                           check=True, text=True)
        m = re.search(r"loaded .* in ([\d.]+) ms; encoded (\d+) bytes into "
                      r"(\d+) tokens in ([\d.]+) ms", r.stderr)
        loads.append(float(m.group(1)))
        encodes.append(float(m.group(4)))
        tokens = int(m.group(3))
    return {"load_ms": statistics.median(loads),
            "encode_ms": statistics.median(encodes), "tokens": tokens,
            "bytes": os.path.getsize(text)}


def hf(tokenizer, text, repeats, tool):
    import tokenizers
    t0 = time.perf_counter()
    tok = tokenizers.Tokenizer.from_file(tokenizer)
    load_ms = (time.perf_counter() - t0) * 1000
    data = open(text, encoding="utf-8").read()
    encodes, ids = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        ids = tok.encode(data, add_special_tokens=False).ids
        encodes.append((time.perf_counter() - t0) * 1000)
    r = subprocess.run([tool, "--tokenizer", tokenizer, "--file", text],
                       capture_output=True, check=True, text=True)
    mine = [int(x) for x in r.stdout.split(",")] if r.stdout.strip() else []
    return {"load_ms": load_ms, "encode_ms": statistics.median(encodes),
            "tokens": len(ids), "bytes": len(data.encode()),
            "same_ids": mine == ids, "version": tokenizers.__version__}


def compare(tokenizer, tool, n, seed):
    import random
    import tokenizers
    rnd = random.Random(seed)
    tok = tokenizers.Tokenizer.from_file(tokenizer)
    added = [t.content for t in tok.get_added_tokens_decoder().values()]
    pieces = ["the", "The", " ", "  ", "\n", "\n\n", "\t", "\r\n", "hello",
              "tion", ".", ",", "!", "(", "{", '"', "é", "ß", "日本", "語",
              "한국어", "🤖", "👩\u200d💻", "🇫🇷", "\u0301", "\x01", "\x7f",
              "\u00a0", "\u3000", "\U0010FFFF", "\uFFFD", "1234", "3.14", "<",
              "</", "▁", "<0x41>", "aaaaaaa", "def f(x):\n    return x\n"]

    def text():
        out = []
        for _ in range(rnd.choice([1, 3, 10, 30, 100])):
            r = rnd.random()
            if r < 0.6:
                out.append(rnd.choice(pieces))
            elif r < 0.7 and added:
                out.append(rnd.choice(added))
            elif r < 0.85:
                out.append(chr(rnd.randint(32, 126)))
            else:
                c = rnd.randint(0x80, 0x10FFFF)
                out.append("?" if 0xD800 <= c <= 0xDFFF else chr(c))
        return "".join(out)

    def run(items, *flags):
        data = "".join(json.dumps(x) + "\n" for x in items).encode()
        r = subprocess.run([tool, "--tokenizer", tokenizer, "--jsonl", *flags,
                            "-"], input=data, capture_output=True, check=True)
        return [json.loads(l) for l in r.stdout.decode().split("\n")[:-1]]

    texts = [text() for _ in range(n)]
    bad = 0
    for flags, special in (([], False), (["--add-special"], True)):
        for t, got in zip(texts, run(texts, *flags)):
            want = tok.encode(t, add_special_tokens=special).ids
            if got != want:
                bad += 1
                print("encode mismatch (special=%s) %r:\n  ours %r\n  hf   %r"
                      % (special, t[:100], got, want))
    size = tok.get_vocab_size(with_added_tokens=True)
    lists = [[rnd.randrange(size) for _ in range(rnd.randint(0, 30))]
             for _ in range(n)]
    for flags, skip in (([], False), (["--skip-special"], True)):
        for ids, got in zip(lists, run(lists, *flags)):
            want = tok.decode(ids, skip_special_tokens=skip)
            if got != want:
                bad += 1
                print("decode mismatch (skip=%s) %r: ours %r, hf %r"
                      % (skip, ids, got, want))
    print("%d texts and %d id lists: %d mismatches" % (n, n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "corpus":
        corpus(*args)
    elif mode == "ours":
        print(json.dumps(ours(args[0], args[1], args[2], int(args[3]))))
    elif mode == "hf":
        print(json.dumps(hf(args[0], args[1], int(args[2]), args[3])))
    elif mode == "compare":
        sys.exit(compare(args[0], args[1], int(args[2]), int(args[3])))
    else:
        sys.exit("unknown mode " + mode)

#!/usr/bin/env python3
"""Writes test/data/tokenizer/gemma4-fixture.json (stdlib only).

A tokenizer.json in Gemma's exact format (BPE with byte fallback, normalizer
Replace " " -> "▁", Split pre-tokenizer, Replace/ByteFallback/Fuse decoder,
TemplateProcessing adding <bos>) whose 512 ids all exist, so it can drive the
tiny golden models (vocab_size 512): whatever id such a model samples decodes.
It carries Gemma 4's control tokens at their real ids as special added tokens.
The merges come from a small BPE training run on CORPUS, so chat words
("user", "model", "Hello") encode to few tokens.

Usage: make_fixture.py OUT.json   (test/tokenizer/fixture.test checks that
the committed file is this script's output).
"""
import json
import sys
from collections import Counter

VOCAB_SIZE = 512

# Gemma 4's ids for its control tokens (106 and 50 are in gemma4-spec.md
# section 1; the rest as public Gemma 4 tooling uses them); everything else
# in 0..107 is <unusedN>.
CONTROL = {
    0: ("<pad>", True), 1: ("<eos>", True), 2: ("<bos>", True),
    3: ("<unk>", True), 4: ("<mask>", False),
    46: ("<|tool>", True), 47: ("<tool|>", True),
    48: ("<|tool_call>", True), 49: ("<tool_call|>", True),
    50: ("<|tool_response>", True), 51: ("<tool_response|>", True),
    52: ('<|"|>', True),
    98: ("<|think|>", True),
    100: ("<|channel>", True), 101: ("<channel|>", True),
    105: ("<|turn>", True), 106: ("<turn|>", True),
    107: ("\n", False),
}
FIRST_BYTE = 108  # <0x00> .. <0xFF> -> 108 .. 363

CORPUS = """
Hello! How are you today? I am a helpful assistant. The user asks and the
model answers. What is the weather in Paris? It is sunny and warm.
Let me think about this step by step. The answer is four. Thank you for the
question. Here is the thought, then the final answer. Call the tool with the
city name. The system prompt says: be brief and helpful. Hello world.
user model system thought Hello hello the the the and and to of in is it
"""

CHARS = (["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] +
         [chr(c) for c in range(ord("A"), ord("Z") + 1)] +
         [str(d) for d in range(10)] + list(".,!?:;'\"-()/"))


def train(vocab):
    """Greedy BPE on CORPUS words ("▁word"); ties break on the pair text."""
    words = Counter("\u2581" + w for w in CORPUS.split())
    seqs = {w: list(w) for w in words}
    merges = []
    while len(vocab) < VOCAB_SIZE:
        pairs = Counter()
        for w, n in words.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += n
        if not pairs:
            raise SystemExit("corpus too small for the vocabulary")
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merges.append([a, b])
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
        for w in words:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def main():
    vocab, added = {}, []
    unused = 0
    for i in range(FIRST_BYTE):
        content, special = CONTROL.get(i, (None, False))
        if content is None:
            content = "<unused%d>" % unused
            unused += 1
        vocab[content] = i
        added.append({"id": i, "content": content, "single_word": False,
                      "lstrip": False, "rstrip": False, "normalized": False,
                      "special": special})
    for b in range(256):
        vocab["<0x%02X>" % b] = FIRST_BYTE + b
    for c in CHARS:
        vocab[c] = len(vocab)
    merges = train(vocab)
    assert len(vocab) == VOCAB_SIZE and sorted(vocab.values()) == list(
        range(VOCAB_SIZE))

    bos = {"SpecialToken": {"id": "<bos>", "type_id": 0}}
    doc = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Replace", "pattern": {"String": " "},
                       "content": "\u2581"},
        "pre_tokenizer": {"type": "Split", "pattern": {"String": " "},
                          "behavior": "MergedWithPrevious", "invert": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<bos>", "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<bos>": {"id": "<bos>", "ids": [2],
                                         "tokens": ["<bos>"]}},
        },
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"},
             "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                  "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True,
                  "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

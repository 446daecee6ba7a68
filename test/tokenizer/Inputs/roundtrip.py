#!/usr/bin/env python3
"""Property tests through gemma-tokenize.

  roundtrip.py text TOKENIZER N SEED
      decode(encode(x)) == x for N random valid UTF-8 strings (control
      characters, astral planes, added-token texts, long runs), and every
      string's ids are in range. U+2581 "▁" is left out: Gemma's decoder
      turns it into a space by design, so it cannot round-trip.
  roundtrip.py ids TOKENIZER N SEED
      decoding N random id lists always gives valid UTF-8 (byte fallback
      never leaks a partial character).
  roundtrip.py bytes TOKENIZER N SEED
      random byte strings: valid UTF-8 encodes; invalid UTF-8 is the one-line
      error naming the offset Python's strict decoder reports; never a crash.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

from tok import jsonl

mode, tokenizer, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])
rnd = random.Random(seed)
with open(tokenizer, encoding="utf-8") as f:
    doc = json.load(f)
added = [a["content"] for a in doc.get("added_tokens", [])
         if "\u2581" not in a["content"]][:300]
vocab_size = 1 + max(list(doc["model"]["vocab"].values()) +
                     [a["id"] for a in doc.get("added_tokens", [])])


def random_char():
    r = rnd.random()
    if r < 0.5:
        return chr(rnd.randint(0x20, 0x7E))
    if r < 0.6:
        return rnd.choice(" \t\n\r\x00\x01\x7f\u00a0\u2028\u3000")
    if r < 0.8:
        return chr(rnd.randint(0x80, 0x2FFF))
    c = rnd.randint(0x3000, 0x10FFFF)
    return "?" if 0xD800 <= c <= 0xDFFF else chr(c)


def random_text():
    return "".join(random_parts()).replace("\u2581", "_")


def random_parts():
    parts = []
    for _ in range(rnd.choice([0, 1, 5, 20, 200])):
        r = rnd.random()
        if r < 0.1 and added:
            parts.append(rnd.choice(added))
        elif r < 0.15:
            parts.append(random_char() * rnd.randint(2, 40))
        else:
            parts.append(random_char())
    return parts


def report(msg):
    # Short: FileCheck echoes its whole input when a check fails.
    if failures <= 3:
        print(msg[:400])


failures = 0
if mode == "text":
    texts = [random_text() for _ in range(n)]
    ids = jsonl(tokenizer, texts)
    back = jsonl(tokenizer, ids)
    for t, i, b in zip(texts, ids, back):
        if not isinstance(i, list) or any(not 0 <= x < vocab_size for x in i) \
                or b != t:
            failures += 1
            report("ROUND TRIP FAILED for %r: ids %r -> %r" % (t, i, b))
elif mode == "ids":
    lists = [[rnd.randrange(vocab_size) for _ in range(rnd.randint(0, 40))]
             for _ in range(n)]
    for skip in ([], ["--skip-special"]):
        for ids, text in zip(lists, jsonl(tokenizer, lists, *skip)):
            if not isinstance(text, str):
                failures += 1
                report("DECODE FAILED for %r: %r" % (ids, text))
            else:
                text.encode("utf-8")  # raises on lone surrogates
elif mode == "bytes":
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input.bin")
        for _ in range(n):
            data = bytes(rnd.choice([rnd.randrange(256), rnd.randrange(0x80),
                                     rnd.randrange(0x80, 0x100)])
                         for _ in range(rnd.randint(1, 12)))
            with open(path, "wb") as f:
                f.write(data)
            r = subprocess.run(["gemma-tokenize", "--tokenizer", tokenizer,
                                "--file", path], capture_output=True)
            err = r.stderr.decode()
            try:
                data.decode("utf-8")
                want_rc, want_err = 0, ""
            except UnicodeDecodeError as e:
                want_rc = 1
                want_err = ("gemma-tokenize: error: input is not valid UTF-8: "
                            "byte 0x%02X at offset %d\n" % (data[e.start],
                                                            e.start))
            if r.returncode != want_rc or err != want_err:
                failures += 1
                report("BYTES %r: rc %d (want %d), stderr %r (want %r)"
                      % (data, r.returncode, want_rc, err, want_err))
print("%s: %d cases, %d failures" % (mode, n, failures))
sys.exit(1 if failures else 0)

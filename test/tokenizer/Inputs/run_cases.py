#!/usr/bin/env python3
"""Checks every case of a golden cases.json (ids from HF `tokenizers`):
encode without and with special tokens, and decode of the ids.

Usage: run_cases.py TOKENIZER.json CASES.json
"""
import json
import sys

from tok import jsonl

tokenizer, cases_path = sys.argv[1], sys.argv[2]
with open(cases_path, encoding="utf-8") as f:
    cases = json.load(f)["cases"]
texts = [c["text"] for c in cases]
plain = jsonl(tokenizer, texts)
special = jsonl(tokenizer, texts, "--add-special")
decoded = jsonl(tokenizer, [c["ids"] for c in cases])
bad = 0
for c, ids, ids_s, text in zip(cases, plain, special, decoded):
    for what, got, want in (("ids", ids, c["ids"]),
                            ("ids_with_special", ids_s, c["ids_with_special"]),
                            ("decoded", text, c["decoded"])):
        if got != want:
            bad += 1
            print("MISMATCH %s for %r:\n  got  %r\n  want %r"
                  % (what, c["text"][:80], got, want))
print("%d cases, %d mismatches" % (len(cases), bad))
sys.exit(1 if bad else 0)

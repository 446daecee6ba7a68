#!/usr/bin/env python3
"""Reference for gemma-run-stub: the logits rows and generated ids that
gemma-run must produce for a prompt, written as a safetensors file with
tensors "logits" (F32 [R, 64]) and "ids" (I64 [N]).

  stub_ref.py OUT.safetensors --ids 3,1,4 -n 5
"""
import argparse
import json
import struct

VOCAB = 64

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--ids", required=True)
p.add_argument("-n", type=int, default=16)
a = p.parse_args()

seq = [int(x) for x in a.ids.split(",")]
prompt_len = len(seq)


def row(pos):
    peak = (sum(seq[: pos + 1]) + pos) % VOCAB
    return [8.0 - 0.125 * ((v - peak) % VOCAB) for v in range(VOCAB)]


rows = [row(p) for p in range(prompt_len)]
generated = []
for i in range(a.n):
    last = rows[-1]
    nxt = last.index(max(last))
    generated.append(nxt)
    if i + 1 < a.n:
        seq.append(nxt)
        rows.append(row(len(seq) - 1))

logits = b"".join(struct.pack("<%df" % VOCAB, *r) for r in rows)
ids = struct.pack("<%dq" % len(generated), *generated)
header = {
    "logits": {"dtype": "F32", "shape": [len(rows), VOCAB],
               "data_offsets": [0, len(logits)]},
    "ids": {"dtype": "I64", "shape": [len(generated)],
            "data_offsets": [len(logits), len(logits) + len(ids)]},
}
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open(a.out, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + logits + ids)

#!/usr/bin/env python3
"""Writes one-tensor safetensors files for gemma-compare tests.

  st_write.py OUT NAME DTYPE SHAPE VALUES [OUT NAME DTYPE SHAPE VALUES]...
  e.g.        t.st x BF16 2x3 1,2,3,4,5,6
DTYPE: F32, F16, BF16, I32, I64. Headers are deliberately left unpadded
(readers must not require padding).
"""
import json
import struct
import sys

args = sys.argv[1:]
assert args and len(args) % 5 == 0, __doc__
for i in range(0, len(args), 5):
    out, name, dtype, shape, values = args[i:i + 5]
    dims = [int(d) for d in shape.split("x")]
    vals = [float(v) for v in values.split(",")] if values else []
    if dtype == "F32":
        raw = struct.pack("<%df" % len(vals), *vals)
    elif dtype == "F16":
        raw = struct.pack("<%de" % len(vals), *vals)
    elif dtype == "BF16":
        raw = b"".join(struct.pack("<f", v)[2:] for v in vals)
    elif dtype == "I32":
        raw = struct.pack("<%di" % len(vals), *[int(v) for v in vals])
    elif dtype == "I64":
        raw = struct.pack("<%dq" % len(vals), *[int(v) for v in vals])
    else:
        sys.exit("unknown dtype " + dtype)
    h = json.dumps({name: {"dtype": dtype, "shape": dims,
                           "data_offsets": [0, len(raw)]}}).encode()
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + raw)

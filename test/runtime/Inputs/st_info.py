#!/usr/bin/env python3
"""Prints a safetensors file's tensors for FileCheck, after checking the
layout (u64 header length, header padded to 8 bytes, data size matches).

  st_info.py FILE [--value NAME R C]...   one line per tensor: NAME DTYPE
                                          [dims], then each NAME[R, C] asked
                                          for (F32 2-D)
"""
import json
import struct
import sys

path = sys.argv[1]
with open(path, "rb") as f:
    blob = f.read()
(hlen,) = struct.unpack("<Q", blob[:8])
assert hlen % 8 == 0, "header length %d is not a multiple of 8" % hlen
header = json.loads(blob[8:8 + hlen])
data = blob[8 + hlen:]
end = 0
for name, t in header.items():
    if name == "__metadata__":
        continue
    b, e = t["data_offsets"]
    end = max(end, e)
    print("%s %s %s" % (name, t["dtype"], json.dumps(t["shape"])))
assert end == len(data), "data is %d bytes, header says %d" % (len(data), end)
args = sys.argv[2:]
while args:
    assert args[0] == "--value", "expected --value NAME R C"
    name, r, c = args[1], int(args[2]), int(args[3])
    args = args[4:]
    t = header[name]
    off = t["data_offsets"][0] + 4 * (r * t["shape"][1] + c)
    print("%s[%d, %d] = %g" % (name, r, c, struct.unpack("<f", data[off:off + 4])[0]))

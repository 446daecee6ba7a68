"""Prints an integer tensor of a safetensors file as comma-separated ids.

Usage: ids.py FILE TENSOR [first:last]   (stdlib only)
"""
import array
import json
import struct
import sys

path, name = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
entry = header[name]
begin, end = entry["data_offsets"]
values = array.array({"I64": "q", "I32": "i"}[entry["dtype"]])
values.frombytes(data[begin:end])
values = list(values)
if len(sys.argv) > 3:
    first, last = (int(x) for x in sys.argv[3].split(":"))
    values = values[first:last]
print(",".join(str(v) for v in values))

#!/usr/bin/env python3
"""Writes weights.gpack files for gemma-run-stub (layout: frontend/WeightsPack.h).

  stub_pack.py OUT                        a valid pack for the stub model
  stub_pack.py OUT --hash 0x1234          foreign model hash
  stub_pack.py OUT --magic NOTAPACK       bad magic
  stub_pack.py OUT --version 1            unsupported pack version
  stub_pack.py OUT --data-size 32         wrong data size (file stays consistent)
  stub_pack.py OUT --truncate N           keep only the first N bytes
  stub_pack.py OUT --entries 3            claim more header entries than written
  stub_pack.py --variants DIR             all of the packs weights.test uses
                                          (one python start instead of ten)
"""
import argparse
import os
import struct

STUB_HASH = 0x5EED0FA11C0FFEE5
DATA_SIZE = 64


def build(hash=STUB_HASH, magic="GEMMAPK1", version=2, data_size=DATA_SIZE,
          truncate=None, entries=None):
    name = b"stub.weight"
    ents = [struct.pack("<I", len(name)) + name +
            struct.pack("<II", 0, 2) +  # dtype F32, rank 2
            struct.pack("<qq", 4, 4) + struct.pack("<QQ", 0, 64)]
    count = entries if entries is not None else len(ents)
    header_len = 40 + sum(len(e) for e in ents)  # 95
    data_offset = (header_len + 63) // 64 * 64  # 128
    data = bytes(i % 256 for i in range(data_size))
    blob = (magic.encode()[:8].ljust(8, b"\0") +
            struct.pack("<IIQQQ", version, count, hash, data_offset, len(data)) +
            b"".join(ents))
    blob = blob.ljust(data_offset, b"\0") + data
    return blob if truncate is None else blob[:truncate]


VARIANTS = {
    "ok": {},
    "short": {"truncate": 20},
    "empty": {"truncate": 0},
    "magic": {"magic": "NOTAPACK"},
    "version": {"version": 1},
    # entry 0 ends at byte 95; entry 1 would start in the padding
    "entries": {"entries": 2, "truncate": 100},
    # entries 1.. are read from padding and data: a nonsense rank
    "rank": {"entries": 1000},
    # cut inside entry 0
    "cut": {"truncate": 60},
    "foreign": {"hash": 0x1234},
    "trunc": {"truncate": 150},
    "size": {"data_size": 128},
}

p = argparse.ArgumentParser()
p.add_argument("out", nargs="?")
p.add_argument("--variants")
p.add_argument("--hash", type=lambda s: int(s, 0), default=STUB_HASH)
p.add_argument("--magic", default="GEMMAPK1")
p.add_argument("--version", type=int, default=2)
p.add_argument("--data-size", type=int, default=DATA_SIZE)
p.add_argument("--truncate", type=int)
p.add_argument("--entries", type=int)
a = p.parse_args()

if a.variants:
    for name, kw in VARIANTS.items():
        with open(os.path.join(a.variants, name + ".gpack"), "wb") as f:
            f.write(build(**kw))
else:
    with open(a.out, "wb") as f:
        f.write(build(a.hash, a.magic, a.version, a.data_size, a.truncate,
                      a.entries))

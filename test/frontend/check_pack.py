#!/usr/bin/env python3
"""Checks a weights.gpack file against the checkpoint it was made from.

usage: check_pack.py PACK CKPT_DIR DTYPE

The pack must follow WeightsPack.h (magic, version 2, 64-byte aligned data
section and entries, dataSize = end of the last entry = file size - dataOffset)
and hold gemma-inspect --write-pack's entries: every entry is the checkpoint
tensor of the same name, converted to DTYPE (f32, bf16 or f16), except
'*.mlp.gate_up_proj' = gate_proj then up_proj along dim 0. Conversions are
recomputed here independently (round to nearest even; NaN stays NaN; f16
overflow -> Inf). Standard library only.
"""
import json
import math
import os
import struct
import sys

SIZES = {"F32": 4, "BF16": 2, "F16": 2, "I32": 4}
PACK_DTYPES = {0: "f32", 1: "bf16", 2: "f16", 3: "i32"}


def load_ckpt(d):
    tensors = {}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".safetensors"):
            continue
        with open(os.path.join(d, name), "rb") as f:
            blob = f.read()
        (n,) = struct.unpack("<Q", blob[:8])
        hdr = json.loads(blob[8:8 + n])
        for k, t in hdr.items():
            if k == "__metadata__":
                continue
            b, e = t["data_offsets"]
            tensors[k] = (t["dtype"], blob[8 + n + b:8 + n + e])
    return tensors


def to_f32_bits(dtype, raw):
    n = len(raw) // SIZES[dtype]
    if dtype == "F32":
        return list(struct.unpack("<%dI" % n, raw))
    if dtype == "BF16":
        return [v << 16 for v in struct.unpack("<%dH" % n, raw)]
    if dtype == "F16":
        return [struct.unpack("<I", struct.pack("<f", v))[0]
                for v in struct.unpack("<%de" % n, raw)]
    sys.exit("unexpected source dtype " + dtype)


def is_nan32(b):
    return (b & 0x7FFFFFFF) > 0x7F800000


def expect_bf16(b):
    if is_nan32(b):
        return None
    low, hi = b & 0xFFFF, b >> 16
    if low > 0x8000 or (low == 0x8000 and hi & 1):
        hi += 1
    return hi


def expect_f16(b):
    if is_nan32(b):
        return None
    v = struct.unpack("<f", struct.pack("<I", b))[0]
    try:
        return struct.unpack("<H", struct.pack("<e", v))[0]
    except OverflowError:
        return 0xFC00 if v < 0 else 0x7C00


def main(pack, ckdir, want_dtype):
    with open(pack, "rb") as f:
        blob = f.read()
    assert blob[:8] == b"GEMMAPK1", "bad magic"
    version, count, _hash, data_off, data_size = struct.unpack_from(
        "<IIQQQ", blob, 8)
    assert version == 2, version
    assert data_off % 64 == 0, data_off
    assert data_off + data_size == len(blob), (data_off, data_size, len(blob))
    assert not any(blob[_hdr_end(blob, count):data_off]), "header padding"
    tensors = load_ckpt(ckdir)
    pos, end_max, checked = 40, 0, 0
    for _ in range(count):
        (nl,) = struct.unpack_from("<I", blob, pos)
        name = blob[pos + 4:pos + 4 + nl].decode()
        pos += 4 + nl
        dt, rank = struct.unpack_from("<II", blob, pos)
        pos += 8
        dims = struct.unpack_from("<%dq" % rank, blob, pos)
        pos += 8 * rank
        off, nbytes = struct.unpack_from("<QQ", blob, pos)
        pos += 16
        assert PACK_DTYPES[dt] == want_dtype, (name, dt)
        assert off % 64 == 0, (name, off)
        assert off >= end_max, (name, "overlap")
        assert not any(blob[data_off + end_max:data_off + off]), "padding"
        end_max = off + nbytes
        esize = 4 if want_dtype == "f32" else 2
        assert nbytes == math.prod(dims) * esize, (name, dims, nbytes)
        if name.endswith(".mlp.gate_up_proj"):
            base = name[:-len("gate_up_proj")]
            srcs = [base + "gate_proj.weight", base + "up_proj.weight"]
        else:
            srcs = [name]
        bits = []
        for s in srcs:
            bits += to_f32_bits(*tensors[s])
        got_raw = blob[data_off + off:data_off + off + nbytes]
        if want_dtype == "f32":
            got = struct.unpack("<%dI" % len(bits), got_raw)
            exp = [None if is_nan32(b) else b for b in bits]
            nan = is_nan32
        elif want_dtype == "bf16":
            got = struct.unpack("<%dH" % len(bits), got_raw)
            exp = [expect_bf16(b) for b in bits]
            nan = lambda h: (h & 0x7FFF) > 0x7F80
        else:
            got = struct.unpack("<%dH" % len(bits), got_raw)
            exp = [expect_f16(b) for b in bits]
            nan = lambda h: (h & 0x7FFF) > 0x7C00
        for i, (g, e) in enumerate(zip(got, exp)):
            if e is None:
                if not nan(g) or (g >> (31 if want_dtype == "f32" else 15)) != \
                        (bits[i] >> 31):
                    sys.exit("%s[%d]: expected NaN from 0x%08x, got 0x%x"
                             % (name, i, bits[i], g))
            elif g != e:
                sys.exit("%s[%d]: from 0x%08x expected 0x%x, got 0x%x"
                         % (name, i, bits[i], e, g))
        checked += len(bits)
    assert end_max == data_size, (end_max, data_size)
    print("pack ok: %d entries, %d values, %s" % (count, checked, want_dtype))


def _hdr_end(blob, count):
    pos = 40
    for _ in range(count):
        (nl,) = struct.unpack_from("<I", blob, pos)
        pos += 4 + nl
        _dt, rank = struct.unpack_from("<II", blob, pos)
        pos += 8 + 8 * rank + 16
    return pos


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

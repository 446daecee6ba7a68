"""Writes a copy of a Hugging Face golden folder whose quantisable matrices
hold the values gemmac --weights int8|int4 stores, dequantised (q * scale,
exact in f32), so that a plain gemmac compile of the copy must give the same
logits as the quantised deployable of the original (docs/weights.md).

Usage: dequantize.py SRC_DIR DST_DIR int8|int4   (stdlib only; bf16 inputs)
"""
import array
import json
import math
import os
import re
import shutil
import struct
import sys

src, dst, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(dst, exist_ok=True)
for f in os.listdir(src):
    if f != 'model.safetensors' and not f.endswith('.onnx') and f!='reference.safetensors':
        shutil.copy(os.path.join(src, f), dst)
f = open(os.path.join(src, 'model.safetensors'), 'rb'); n = struct.unpack('<Q', f.read(8))[0]
h = json.loads(f.read(n)); data = f.read()
# The matrices gemmac quantises (frontend/import/ImportModel.cpp): not the
# router or the per-layer-input tensors.
pat = re.compile(r'(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj|gate_up_proj|embed_tokens\.weight|lm_head)')
out = {}; blobs = []; off = 0
def f32(x): return struct.unpack('<f', struct.pack('<f', x))[0]
def cround(x):  # C's round(): half away from zero
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)
for name, e in h.items():
    if name == '__metadata__': continue
    b, en = e['data_offsets']; raw = data[b:en]
    assert e['dtype'] == 'BF16'
    u = array.array('H'); u.frombytes(raw)
    vals = [struct.unpack('<f', struct.pack('<I', x << 16))[0] for x in u]
    if pat.search(name) and 'per_layer' not in name and e['shape'][-1] % 32 == 0:
        for i in range(0, len(vals), 32):
            blk = vals[i:i+32]
            am = max(abs(v) for v in blk)
            ext = next(v for v in blk if abs(v) == am)
            d = f32(am / 127) if fmt == 'int8' else f32(ext / -8)
            d = struct.unpack('<e', struct.pack('<e', d))[0]
            lo, hi = (-127, 127) if fmt == 'int8' else (-8, 7)
            for j in range(32):
                q = 0 if d == 0 else max(lo, min(hi, cround(f32(blk[j] / d))))
                blk[j] = struct.unpack('<f', struct.pack('<f', q * d))[0]
            vals[i:i+32] = blk
    a = array.array('f', vals); bb = a.tobytes()
    out[name] = {'dtype': 'F32', 'shape': e['shape'], 'data_offsets': [off, off + len(bb)]}
    blobs.append(bb); off += len(bb)
hj = json.dumps(out).encode(); hj += b' ' * ((8 - len(hj) % 8) % 8)
with open(os.path.join(dst, 'model.safetensors'), 'wb') as o:
    o.write(struct.pack('<Q', len(hj))); o.write(hj)
    for bb in blobs: o.write(bb)

"""Checks gemma_model_info[GEMMA_INFO_DECODE_BYTES] (slot 13) in gemmac's
--emit=mlir output against the bytes one decoded token reads, computed here
independently from the checkpoint's safetensors headers (decode_bytes.test):
matrices keep their dtype (bf16), vectors and scalars are stored as f32;
every weight once, except the routed experts (top_k / num_experts of each
[E, ...] expert tensor) and the embedding lookups (one row); the tied
embedding also counts whole as the LM head. Standard library only."""
import glob
import json
import os
import re
import struct
import sys

SIZES = {"BF16": 2, "F16": 2, "F32": 4}

ckpt, mlir = sys.argv[1], sys.argv[2]
cfg = json.load(open(os.path.join(ckpt, "config.json")))
text = cfg.get("text_config", cfg)
experts = text.get("num_experts") or 0
top_k = text.get("top_k_experts") or 0
tied = text.get("tie_word_embeddings", cfg.get("tie_word_embeddings", True))

tensors = {}
for path in glob.glob(os.path.join(ckpt, "*.safetensors")):
    if os.path.basename(path) == "reference.safetensors":
        continue
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    header.pop("__metadata__", None)
    tensors.update(header)

total = 0
for name, t in tensors.items():
    if "vision" in name or "audio" in name:
        continue
    numel = 1
    for d in t["shape"]:
        numel *= d
    stored = numel * (SIZES[t["dtype"]] if len(t["shape"]) >= 2 else 4)
    row = stored // t["shape"][0] if t["shape"] else stored
    if name.endswith("embed_tokens_per_layer.weight"):
        total += row
    elif name.endswith("embed_tokens.weight"):
        total += row + (stored if tied else 0)
    elif ".experts." in name and experts:
        total += stored // experts * top_k
    elif name.endswith("lm_head.weight") and tied:
        continue
    else:
        total += stored

m = re.search(r"gemma_model_info.*?dense<\[([^\]]*)\]", open(mlir).read())
info = [int(x) for x in m.group(1).split(",")]
print("gemmac", info[13], "reference", total, "match" if info[13] == total else "MISMATCH")

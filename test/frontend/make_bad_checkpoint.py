#!/usr/bin/env python3
"""Builds (possibly broken) checkpoint folders from a golden for the frontend
lit tests. Standard library only.

usage: make_bad_checkpoint.py ACTION SRC_DIR DST_DIR [ARGS...]

Copies config.json, generation_config.json and model.safetensors from SRC_DIR
into DST_DIR (created, must not exist), then applies ACTION:

  copy                          nothing else
  hub                           rewrite per_layer_config into the hub format
                                (global_head_dim / num_global_key_value_heads)
  config KEY=JSON...            set config fields; KEY may be dotted
                                (text_config.hidden_size); JSON 'DELETE' removes
  badjson                       write a truncated config.json
  noconfig                      remove config.json
  noweights                     remove model.safetensors
  shard                         split into 2 shards + model.safetensors.index.json
  shard-missing                 like shard, then delete the second shard
  dtype TENSOR DTYPE            set TENSOR's header dtype (data unchanged)
  drop TENSOR                   remove TENSOR from the header
  reshape TENSOR D0,D1,...      set TENSOR's header shape (same element count)
  truncate NBYTES               cut the file to NBYTES less than its size
  hdrlen N                      set the 8-byte header length to N
  f32noise                      convert every BF16 tensor to F32 with noise in
                                the low 16 bits; the first tensor starts with
                                special values (NaN, Inf, ties, f16 overflow
                                and subnormals) to exercise pack conversions
  f16                           convert every BF16 tensor to F16
"""
import json
import os
import shutil
import struct
import sys

# f32 bit patterns that stress the bf16 / f16 conversions of the pack writer.
SPECIAL_F32 = [
    0x7FC00001, 0xFFA00000, 0x7F800000, 0xFF800000,  # qNaN, -sNaN, +Inf, -Inf
    0x7F7FFFFF, 0x3F808000, 0x3F818000, 0x3F808001,  # max (bf16 -> Inf), ties
    0x477FF000, 0x477FEFFF, 0xC77FF000, 0x477FE000,  # 65520 (f16 Inf), 65519.99
    0x33000000, 0x33000001, 0x33800000, 0x33C00000,  # 2^-25 tie, > tie, 2^-24
    0x387FE000, 0x387FF000, 0x38800000, 0x80000000,  # f16 subnormal/normal edge
    0x0DA24260, 0x00000001, 0x3F7FFFFF, 0x477FFFFF,  # tiny, f32 denormal, ~1
]

FILES = ("config.json", "generation_config.json", "model.safetensors")


def read_st(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    return header, blob[8 + n:]


def write_st(path, header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        f.write(data)


def load_cfg(dst):
    with open(os.path.join(dst, "config.json")) as f:
        return json.load(f)


def save_cfg(dst, cfg):
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def text_cfg(cfg):
    return cfg["text_config"] if "text_config" in cfg else cfg


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    action, src, dst = argv[0], argv[1], argv[2]
    args = argv[3:]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    os.makedirs(dst)
    for name in FILES:
        if os.path.exists(os.path.join(src, name)):
            shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
    st = os.path.join(dst, "model.safetensors")

    if action == "copy":
        pass
    elif action == "hub":
        cfg = load_cfg(dst)
        tc = text_cfg(cfg)
        plc = tc.pop("per_layer_config")
        for ov in plc.values():
            if "head_dim" in ov:
                tc["global_head_dim"] = ov["head_dim"]
            if "num_key_value_heads" in ov:
                tc["num_global_key_value_heads"] = ov["num_key_value_heads"]
        tc.setdefault("num_global_key_value_heads", None)
        save_cfg(dst, cfg)
    elif action == "config":
        cfg = load_cfg(dst)
        for kv in args:
            key, val = kv.split("=", 1)
            parts = key.split(".")
            obj = cfg
            for p in parts[:-1]:
                obj = obj[p]
            if val == "DELETE":
                obj.pop(parts[-1], None)
            else:
                obj[parts[-1]] = json.loads(val)
        save_cfg(dst, cfg)
    elif action == "badjson":
        with open(os.path.join(dst, "config.json"), "w") as f:
            f.write('{\n  "hidden_size": 128,\n  "vocab_size": \n')
    elif action == "noconfig":
        os.remove(os.path.join(dst, "config.json"))
    elif action == "noweights":
        os.remove(st)
    elif action in ("shard", "shard-missing"):
        header, data = read_st(st)
        meta = header.pop("__metadata__", None)
        names = sorted(header)
        half = len(names) // 2
        weight_map = {}
        for i, part in enumerate((names[:half], names[half:])):
            shard = "model-%05d-of-00002.safetensors" % (i + 1)
            h, chunks, off = {}, [], 0
            for n in part:
                b, e = header[n]["data_offsets"]
                chunks.append(data[b:e])
                h[n] = dict(header[n], data_offsets=[off, off + e - b])
                off += e - b
                weight_map[n] = shard
            if meta is not None:
                h["__metadata__"] = meta
            write_st(os.path.join(dst, shard), h, b"".join(chunks))
        os.remove(st)
        with open(os.path.join(dst, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": len(data)},
                       "weight_map": weight_map}, f, indent=2)
        if action == "shard-missing":
            os.remove(os.path.join(dst, "model-00002-of-00002.safetensors"))
    elif action in ("dtype", "drop", "reshape"):
        header, data = read_st(st)
        name = args[0]
        if name not in header:
            sys.exit("no tensor %r" % name)
        if action == "dtype":
            header[name]["dtype"] = args[1]
        elif action == "drop":
            del header[name]
        else:
            header[name]["shape"] = [int(d) for d in args[1].split(",")]
        write_st(st, header, data)
    elif action == "truncate":
        size = os.path.getsize(st)
        with open(st, "r+b") as f:
            f.truncate(size - int(args[0]))
    elif action == "hdrlen":
        with open(st, "r+b") as f:
            f.write(struct.pack("<Q", int(args[0])))
    elif action in ("f32noise", "f16"):
        header, data = read_st(st)
        meta = header.pop("__metadata__", None)
        out, chunks, off = {}, [], 0
        for k, n in enumerate(sorted(header)):
            t = header[n]
            b, e = t["data_offsets"]
            if t["dtype"] != "BF16":
                sys.exit("expected BF16 sources")
            vals = struct.unpack("<%dH" % ((e - b) // 2), data[b:e])
            if action == "f32noise":
                bits = [(v << 16) | ((i * 40503 + k * 977) & 0xFFFF)
                        for i, v in enumerate(vals)]
                if k == 0:
                    bits[:len(SPECIAL_F32)] = SPECIAL_F32
                blob = struct.pack("<%dI" % len(bits), *bits)
                dt = "F32"
            else:
                fl = [struct.unpack("<f", struct.pack("<I", v << 16))[0]
                      for v in vals]
                blob = struct.pack("<%de" % len(fl), *fl)
                dt = "F16"
            out[n] = {"dtype": dt, "shape": t["shape"],
                      "data_offsets": [off, off + len(blob)]}
            chunks.append(blob)
            off += len(blob)
        if meta is not None:
            out["__metadata__"] = meta
        write_st(st, out, b"".join(chunks))
    else:
        sys.exit("unknown action %r\n%s" % (action, __doc__))


if __name__ == "__main__":
    main(sys.argv[1:])

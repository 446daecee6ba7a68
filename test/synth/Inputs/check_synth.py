#!/usr/bin/env python3
"""Checks gemma-synth output against gemma4-spec.md (1.1-1.4, 3.1-3.3).

stdlib only. Expected geometry is derived here independently of the tool.
  check_synth.py plan   VARIANT [gemma-synth flags...]    # via --dry-run, no data
  check_synth.py folder DIR VARIANT [gemma-synth flags...] # a written checkpoint
  check_synth.py same   DIR1 DIR2 | differ DIR1 DIR2       # tensor bytes equal / not
  check_synth.py errors TMPDIR                             # error handling
"""
import hashlib, json, math, os, struct, subprocess, sys

S, F = "sliding_attention", "full_attention"
SPEC = {  # spec 1.1
    "26b-a4b": dict(H=2816, L=30, nq=16, kv=8, gkv=2, keqv=True, W=1024, maxpos=262144, I=2112,
                    dbl=False, moe=True, E=128, K=8, MI=704, P=0, shared=0, period=6, bidir="vision"),
    "31b": dict(H=5376, L=60, nq=32, kv=16, gkv=4, keqv=True, W=1024, maxpos=262144, I=21504,
                dbl=False, moe=False, P=0, shared=0, period=6, bidir="vision"),
    "e4b": dict(H=2560, L=42, nq=8, kv=2, gkv=None, keqv=False, W=512, maxpos=131072, I=10240,
                dbl=False, moe=False, P=256, shared=18, period=6, bidir=None),
    "e2b": dict(H=1536, L=35, nq=8, kv=1, gkv=None, keqv=False, W=512, maxpos=131072, I=6144,
                dbl=True, moe=False, P=256, shared=20, period=5, bidir=None),
}
DTYPES = {"bf16": ("BF16", 2, "bfloat16"), "f16": ("F16", 2, "float16"), "f32": ("F32", 4, "float32")}


def fail(msg):
    sys.exit("check_synth: FAIL: " + msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def parse_flags(argv):
    o = dict(layers=None, vocab=262144, layout="multimodal", fmt="hub", dtype="bf16", shards=None)
    it = iter(argv)
    for a in it:
        k, _, v = a.partition("=")
        if not v and k in ("--layers", "--vocab", "--layout", "--config-format", "--dtype", "--shards",
                           "--seed", "--shard-size"):
            v = next(it)
        if k == "--layers": o["layers"] = int(v)
        elif k == "--vocab": o["vocab"] = int(v)
        elif k == "--layout": o["layout"] = v
        elif k == "--config-format": o["fmt"] = v
        elif k == "--dtype": o["dtype"] = v
        elif k == "--shards": o["shards"] = int(v)
    return o


def layer_types(s, n):
    """Released pattern truncated, last full; KV-shared prefix keeps a full source (--help rule)."""
    t = [F if l % s["period"] == s["period"] - 1 else S for l in range(n)]
    t[-1] = F
    shared = min(round(n * s["shared"] / s["L"]), max(n - 2, 0)) if s["shared"] else 0
    if shared and F not in t[: n - shared]:
        t[n - shared - 1] = F
    return t, shared


def expected(variant, o):
    """name -> (shape, (lo, hi)) per spec 3.2/3.3, plus (layer_types, shared)."""
    s = SPEC[variant]
    H, P, n = s["H"], s["P"], o["layers"] or s["L"]
    types, shared = layer_types(s, n)
    pre = "model.language_model." if o["layout"] == "multimodal" else "model."
    ex = {}
    norm = (0.9, 1.1)
    lin = lambda shape: (shape, (-0.5 / math.sqrt(shape[-1]), 0.5 / math.sqrt(shape[-1])))
    b = math.sqrt(3 / H)
    ex["embed_tokens.weight"] = ([o["vocab"], H], (-b, b))
    ex["norm.weight"] = ([H], norm)
    if P:
        ex["embed_tokens_per_layer.weight"] = ([o["vocab"], n * P], (-math.sqrt(3 / P), math.sqrt(3 / P)))
        ex["per_layer_model_projection.weight"] = lin([n * P, H])
        ex["per_layer_projection_norm.weight"] = ([P], norm)
    for l in range(n):
        p = "layers.%d." % l
        full, is_shared = types[l] == F, l >= n - shared
        d = 512 if full else 256
        nkv = s["gkv"] if (full and s["keqv"]) else s["kv"]
        I = s["I"] * (2 if s["dbl"] and is_shared else 1)
        qk = (0.9 * d ** -0.25, 1.1 * d ** -0.25)
        for nm in ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                   "post_feedforward_layernorm"):
            ex[p + nm + ".weight"] = ([H], norm)
        ex[p + "layer_scalar"] = ([1], (0.5, 1.0))
        ex[p + "self_attn.q_proj.weight"] = lin([s["nq"] * d, H])
        ex[p + "self_attn.o_proj.weight"] = lin([H, s["nq"] * d])
        ex[p + "self_attn.q_norm.weight"] = ([d], qk)
        if not is_shared:
            ex[p + "self_attn.k_proj.weight"] = lin([nkv * d, H])
            ex[p + "self_attn.k_norm.weight"] = ([d], qk)
            if not (full and s["keqv"]):
                ex[p + "self_attn.v_proj.weight"] = lin([nkv * d, H])
        ex[p + "mlp.gate_proj.weight"] = lin([I, H])
        ex[p + "mlp.up_proj.weight"] = lin([I, H])
        ex[p + "mlp.down_proj.weight"] = lin([H, I])
        if s["moe"]:
            for nm in ("pre_feedforward_layernorm_2", "post_feedforward_layernorm_1", "post_feedforward_layernorm_2"):
                ex[p + nm + ".weight"] = ([H], norm)
            ex[p + "router.proj.weight"] = ([s["E"], H], (-math.sqrt(3), math.sqrt(3)))
            ex[p + "router.scale"] = ([H], norm)
            ex[p + "router.per_expert_scale"] = ([s["E"]], (0.5, 1.5))
            ex[p + "experts.gate_up_proj"] = lin([s["E"], 2 * s["MI"], H])
            ex[p + "experts.down_proj"] = lin([s["E"], H, s["MI"]])
        if P:
            ex[p + "per_layer_input_gate.weight"] = lin([P, H])
            ex[p + "per_layer_projection.weight"] = lin([H, P])
            ex[p + "post_per_layer_input_norm.weight"] = ([H], norm)
    return {pre + k: v for k, v in ex.items()}, types, shared


TEXT_KEYS = {  # golden `dense` config.json (transformers 5.17), minus per-format keys
    "architectures", "attention_bias", "attention_dropout", "attention_k_eq_v", "bos_token_id", "dtype",
    "enable_moe_block", "eos_token_id", "final_logit_softcapping", "head_dim", "hidden_activation",
    "hidden_size", "hidden_size_per_layer_input", "initializer_range", "intermediate_size", "layer_types",
    "max_position_embeddings", "model_type", "moe_intermediate_size", "num_attention_heads", "num_experts",
    "num_hidden_layers", "num_key_value_heads", "num_kv_shared_layers", "pad_token_id", "rms_norm_eps",
    "rope_parameters", "sliding_window", "tie_word_embeddings", "top_k_experts", "transformers_version",
    "use_bidirectional_attention", "use_cache", "use_double_wide_mlp", "vocab_size", "vocab_size_per_layer_input"}


def check_config(cfg, variant, o, types, shared):
    s = SPEC[variant]
    if o["layout"] == "multimodal":
        check(cfg["architectures"] == ["Gemma4ForConditionalGeneration"] and cfg["model_type"] == "gemma4",
              "multimodal wrapper")
        check(cfg["image_token_id"] == 258880 and cfg["boi_token_id"] == 255999 and cfg["tie_word_embeddings"],
              "wrapper ids")
        check(cfg["dtype"] == DTYPES[o["dtype"]][2], "dtype")
        t = cfg["text_config"]
        check("architectures" not in t, "text_config has no architectures")
    else:
        t = cfg
        check(t["architectures"] == ["Gemma4ForCausalLM"] and t["dtype"] == DTYPES[o["dtype"]][2], "text arch")
        keys = TEXT_KEYS | ({"global_head_dim", "num_global_key_value_heads"} if o["fmt"] == "hub"
                            else {"per_layer_config"})
        check(set(t) == keys, "text config keys differ: %s" % (set(t) ^ keys))
    n = o["layers"] or s["L"]
    want = dict(model_type="gemma4_text", vocab_size=o["vocab"], vocab_size_per_layer_input=o["vocab"],
                hidden_size=s["H"], num_hidden_layers=n, num_attention_heads=s["nq"],
                num_key_value_heads=s["kv"], head_dim=256, attention_k_eq_v=s["keqv"], sliding_window=s["W"],
                layer_types=types, max_position_embeddings=s["maxpos"], intermediate_size=s["I"],
                use_double_wide_mlp=s["dbl"], enable_moe_block=s["moe"],
                num_experts=s.get("E"), top_k_experts=s.get("K"), moe_intermediate_size=s.get("MI"),
                hidden_size_per_layer_input=s["P"], num_kv_shared_layers=shared,
                final_logit_softcapping=30.0, rms_norm_eps=1e-6, hidden_activation="gelu_pytorch_tanh",
                attention_bias=False, tie_word_embeddings=True, use_bidirectional_attention=s["bidir"],
                bos_token_id=2, eos_token_id=1, pad_token_id=0,
                rope_parameters={"full_attention": {"partial_rotary_factor": 0.25, "rope_theta": 1e6,
                                                    "rope_type": "proportional"},
                                 "sliding_attention": {"rope_theta": 1e4, "rope_type": "default"}})
    for k, v in want.items():
        check(t.get(k, "<missing>") == v and type(t.get(k)) == type(v),
              "config %s = %r, want %r" % (k, t.get(k, "<missing>"), v))
    if o["fmt"] == "hub":
        check(t["global_head_dim"] == 512 and t["num_global_key_value_heads"] == s["gkv"], "hub fields")
        check("per_layer_config" not in t, "hub: no per_layer_config")
    else:
        check("global_head_dim" not in t and "num_global_key_value_heads" not in t, "per-layer: no hub fields")
        plc = {str(l): ({"head_dim": 512, "num_key_value_heads": s["gkv"]} if s["keqv"] else {"head_dim": 512})
               for l in range(n) if types[l] == F}
        check(t["per_layer_config"] == plc, "per_layer_config %r != %r" % (t["per_layer_config"], plc))
    check(types[-1] == F, "last layer full")


def check_generation_config(g):
    want = {"bos_token_id": 2, "eos_token_id": [1, 106, 50], "pad_token_id": 0, "top_k": 64, "top_p": 0.95,
            "temperature": 1.0, "do_sample": True}
    for k, v in want.items():
        check(g.get(k) == v, "generation_config %s = %r" % (k, g.get(k)))


def check_shapes(got, ex):
    missing, extra = set(ex) - set(got), set(got) - set(ex)
    check(not missing and not extra, "tensor names: missing %s extra %s" % (sorted(missing)[:5], sorted(extra)[:5]))
    for k, (shape, _) in ex.items():
        check(got[k] == shape, "%s shape %s, want %s" % (k, got[k], shape))


def spot_checks(variant, o, shapes):
    """Literal values from the spec text (3.2/3.3), full geometry only."""
    pre = "model.language_model." if o["layout"] == "multimodal" else "model."
    lit = {
        "26b-a4b": {"layers.5.self_attn.q_proj.weight": [8192, 2816], "layers.5.self_attn.k_proj.weight": [1024, 2816],
                    "layers.4.self_attn.v_proj.weight": [2048, 2816], "layers.29.self_attn.o_proj.weight": [2816, 8192],
                    "layers.0.experts.gate_up_proj": [128, 1408, 2816], "layers.0.experts.down_proj": [128, 2816, 704],
                    "layers.0.mlp.down_proj.weight": [2816, 2112], "layers.0.router.proj.weight": [128, 2816]},
        "31b": {"layers.5.self_attn.q_proj.weight": [16384, 5376], "layers.59.self_attn.k_proj.weight": [2048, 5376],
                "layers.0.self_attn.k_proj.weight": [4096, 5376], "layers.0.mlp.gate_proj.weight": [21504, 5376]},
        "e4b": {"embed_tokens_per_layer.weight": [262144, 10752], "per_layer_model_projection.weight": [10752, 2560],
                "layers.5.self_attn.v_proj.weight": [1024, 2560], "layers.23.self_attn.k_proj.weight": [1024, 2560],
                "layers.0.self_attn.q_proj.weight": [2048, 2560], "layers.41.mlp.up_proj.weight": [10240, 2560]},
        "e2b": {"embed_tokens_per_layer.weight": [262144, 8960], "layers.14.mlp.up_proj.weight": [6144, 1536],
                "layers.15.mlp.up_proj.weight": [12288, 1536], "layers.34.mlp.down_proj.weight": [1536, 12288],
                "layers.14.self_attn.k_proj.weight": [512, 1536], "layers.0.self_attn.k_proj.weight": [256, 1536]},
    }[variant]
    for k, v in lit.items():
        check(shapes.get(pre + k) == v, "spec literal %s: %s != %s" % (k, shapes.get(pre + k), v))
    absent = {"26b-a4b": ["layers.%d.self_attn.v_proj.weight" % l for l in (5, 11, 17, 23, 29)],
              "31b": ["layers.59.self_attn.v_proj.weight"],
              "e4b": ["layers.%d.self_attn.%s.weight" % (l, w) for l in range(24, 42) for w in ("k_proj", "v_proj", "k_norm")],
              "e2b": ["layers.%d.self_attn.%s.weight" % (l, w) for l in range(15, 35) for w in ("k_proj", "v_proj", "k_norm")]}[variant]
    for k in absent + ["lm_head.weight"]:
        check(pre + k not in shapes and k not in shapes, "must not exist: " + k)
    params = sum(math.prod(s) for s in shapes.values())
    if variant == "26b-a4b":
        check(abs(params / 1e9 - 25.23) < 0.01, "26B-A4B text params %.3fB, spec says 25.23B" % (params / 1e9))


def split_expect(flags):
    """Strips --expect-types=SFSF (literal layer_types to assert) from the tool flags."""
    want = [f.split("=", 1)[1] for f in flags if f.startswith("--expect-types=")]
    return [f for f in flags if not f.startswith("--expect-types=")], (want[0] if want else None)


def check_types(types, want):
    got = "".join(t[0].upper() for t in types)
    check(want is None or got == want, "layer_types %s, want %s" % (got, want))


def cmd_plan(variant, flags):
    flags, want_types = split_expect(flags)
    o = parse_flags(flags)
    out = subprocess.run(["gemma-synth", "--variant", variant, "--dry-run"] + flags, capture_output=True, text=True)
    check(out.returncode == 0, "gemma-synth failed: " + out.stderr)
    plan = json.loads(out.stdout)
    ex, types, shared = expected(variant, o)
    check_types(types, want_types)
    check_config(plan["config"], variant, o, types, shared)
    check_generation_config(plan["generation_config"])
    shapes = {t["name"]: t["shape"] for t in plan["tensors"]}
    check_shapes(shapes, ex)
    if o["layers"] is None and o["vocab"] == 262144:
        spot_checks(variant, o, shapes)
    size = DTYPES[o["dtype"]][1]
    total = sum(math.prod(s) for s in shapes.values())
    check(plan["index"]["metadata"] == {"total_parameters": total, "total_size": total * size}, "index metadata")
    print("ok plan %s %s: %d tensors, %.3fB params, layer_types %s, shared %d" %
          (variant, " ".join(flags), len(shapes), total / 1e9, "".join(x[0].upper() for x in types), shared))


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        raw = f.read(n)
    check(n % 8 == 0, path + ": header length not a multiple of 8")
    check(raw.startswith(b'{"__metadata__":{"format":"pt"},'), path + ": header must start with __metadata__")
    h = json.loads(raw)  # trailing spaces are allowed padding
    check(raw.rstrip(b" ").endswith(b"}") and b"\n" not in raw, path + ": compact JSON + space padding")
    return n, h


def bf16(b):
    return struct.unpack("<f", b"\0\0" + b)[0]


def decode(raw, dt):
    if dt == "F32":
        return list(struct.unpack("<%df" % (len(raw) // 4), raw))
    if dt == "F16":
        return list(struct.unpack("<%de" % (len(raw) // 2), raw))
    return [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]


def tensors_of(d):
    """name -> (file, shape, dtype, abs offset, nbytes); plus the file list."""
    files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors"))
    out = {}
    for fn in files:
        path = os.path.join(d, fn)
        n, h = read_header(path)
        names = [k for k in h if k != "__metadata__"]
        check(names == sorted(names), fn + ": tensor names not sorted")
        off = 0
        for k in names:
            e = h[k]
            a, b = e["data_offsets"]
            check(a == off, "%s: %s data not contiguous" % (fn, k))
            off = b
            check(k not in out, "duplicate tensor " + k)
            out[k] = (fn, e["shape"], e["dtype"], 8 + n + a, b - a)
        check(os.path.getsize(path) == 8 + n + off, fn + ": file size != header + data")
    return out, files


def cmd_folder(d, variant, flags):
    flags, want_types = split_expect(flags)
    o = parse_flags(flags)
    ex, types, shared = expected(variant, o)
    check_types(types, want_types)
    cfg = json.load(open(os.path.join(d, "config.json")))
    check_config(cfg, variant, o, types, shared)
    check_generation_config(json.load(open(os.path.join(d, "generation_config.json"))))
    check(not os.path.exists(d + ".tmp"), "DIR.tmp left behind")
    ts, files = tensors_of(d)
    check_shapes({k: v[1] for k, v in ts.items()}, ex)
    dt, size, _ = DTYPES[o["dtype"]]
    total = 0
    for k, (fn, shape, dtype, off, nbytes) in ts.items():
        check(dtype == dt, k + " dtype " + dtype)
        check(nbytes == math.prod(shape) * size, k + " byte size")
        total += nbytes
    index_path = os.path.join(d, "model.safetensors.index.json")
    if len(files) == 1:
        check(files == ["model.safetensors"] and not os.path.exists(index_path), "single file layout")
        check(o["shards"] in (None, 1), "expected %s shards" % o["shards"])
    else:
        k = len(files)
        check(o["shards"] in (None, k), "expected %s shards, got %d" % (o["shards"], k))
        check(files == ["model-%05d-of-%05d.safetensors" % (i + 1, k) for i in range(k)], "shard names %s" % files)
        raw = open(index_path).read()
        idx = json.loads(raw)
        check(raw == json.dumps(idx, indent=2, sort_keys=True) + "\n", "index not in transformers' JSON style")
        check(idx["metadata"]["total_size"] == total, "index total_size %d != %d" % (idx["metadata"]["total_size"], total))
        check(idx["metadata"]["total_parameters"] == total // size, "index total_parameters")
        check(idx["weight_map"] == {k: v[0] for k, v in ts.items()}, "index weight_map != shard contents")
    for name in ("config.json", "generation_config.json"):
        raw = open(os.path.join(d, name)).read()
        check(raw == json.dumps(json.loads(raw), indent=2, sort_keys=True) + "\n", name + " not in transformers' style")
    # Values: finite, inside the documented range, not constant (sample head and tail of every tensor).
    with open_files(d, files) as fh:
        for k, (fn, shape, dtype, off, nbytes) in ts.items():
            lo, hi = ex[k][1]
            tol = (abs(lo) + abs(hi)) * (2 ** -8 if dt == "BF16" else 2 ** -11 if dt == "F16" else 1e-6)
            f = fh[fn]
            chunk = 8192 * size
            f.seek(off)
            raw = f.read(nbytes if nbytes <= 2 * chunk else chunk)
            if nbytes > 2 * chunk:
                f.seek(off + nbytes - chunk)
                raw += f.read(chunk)
            vals = decode(raw, dt)
            check(all(math.isfinite(x) and lo - tol <= x <= hi + tol for x in vals),
                  "%s values outside [%g, %g]: %g..%g" % (k, lo, hi, min(vals), max(vals)))
            if len(vals) >= 64:
                mean = sum(vals) / len(vals)
                var = sum((x - mean) ** 2 for x in vals) / len(vals)
                want = (hi - lo) ** 2 / 12
                check(0.8 * want < var < 1.2 * want, "%s variance %g, uniform wants %g" % (k, var, want))
            if dt == "F32" and len(vals) >= 64:  # same values as bf16 would give before rounding: spread
                check(len(set(vals)) > len(vals) // 2, k + " f32 values look quantised")
    print("ok folder %s %s: %d tensors in %d file(s), %d bytes" % (variant, " ".join(flags), len(ts), len(files), total))


class open_files:
    def __init__(self, d, files): self.fh = {f: open(os.path.join(d, f), "rb") for f in files}
    def __enter__(self): return self.fh
    def __exit__(self, *a):
        for f in self.fh.values(): f.close()


def digests(d):
    ts, files = tensors_of(d)
    out = {}
    for k, (fn, shape, dtype, off, nbytes) in ts.items():
        with open(os.path.join(d, fn), "rb") as f:
            f.seek(off)
            out[k] = hashlib.sha256(f.read(nbytes)).hexdigest()
    return out


def cmd_same(a, b, want_same):
    da, db = digests(a), digests(b)
    check(set(da) == set(db), "different tensor sets")
    same = [k for k in da if da[k] == db[k]]
    if want_same:
        check(len(same) == len(da), "tensor data differs: %s" % [k for k in da if da[k] != db[k]][:3])
    else:
        check(not same, "tensor data equal for different seeds: %s" % same[:3])
    print("ok %s %s %s" % ("same" if want_same else "differ", a, b))


def cmd_errors(tmp):
    def run(args, what, preexec=None):
        r = subprocess.run(["gemma-synth"] + args, capture_output=True, text=True, preexec_fn=preexec)
        lines = r.stderr.splitlines()
        check(r.returncode == 1, "%s: exit %d, want 1" % (what, r.returncode))
        check(len(lines) == 1 and lines[0].startswith("gemma-synth: error: "), "%s: stderr %r" % (what, r.stderr))
        print("ok error %s: %s" % (what, lines[0]))
    out = os.path.join(tmp, "out")
    run(["--variant", "7b", "-o", out], "unknown variant")
    run(["--variant", "e2b", "--layers", "0", "-o", out], "layers 0")
    run(["--variant", "e2b", "--layers", "36", "-o", out], "layers > L")
    run(["--variant", "26b-a4b", "--layers", "31", "-o", out], "layers > L (26b)")
    run(["--variant", "e2b", "--dtype", "f8", "-o", out], "bad dtype")
    run(["--variant", "e2b", "--layout", "vision", "-o", out], "bad layout")
    run(["--variant", "e2b", "--config-format", "x", "-o", out], "bad config format")
    run(["--variant", "e2b", "--shards", "2", "--shard-size", "1GB", "-o", out], "shards + shard-size")
    run(["--variant", "e2b", "--shard-size", "lots", "-o", out], "bad shard size")
    run(["--variant", "e2b", "--no-such-flag", "-o", out], "unknown flag")
    run(["--variant", "e2b"], "missing -o")
    run(["-o", out], "missing variant")
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    run(["--variant", "e2b", "--layers", "1", "--vocab", "8", "-o", os.path.join(blocker, "sub")], "unwritable dir")
    run(["--variant", "e2b", "--layers", "1", "--vocab", "8", "-o", blocker], "output is a file")
    full = os.path.join(tmp, "full")
    os.makedirs(full, exist_ok=True)
    open(os.path.join(full, "keep"), "w").close()
    run(["--variant", "e2b", "--layers", "1", "--vocab", "8", "-o", full], "non-empty dir")
    check(os.listdir(full) == ["keep"], "non-empty dir was modified")
    def small_fsize():  # a write error like a full disk: files over 8 MiB fail with EFBIG
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, 8 << 20))
    run(["--variant", "e2b", "--layers", "1", "--vocab", "64", "-o", out], "write error", small_fsize)
    check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "failed runs left output behind")


if __name__ == "__main__":
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "plan": cmd_plan(a[1], a[2:])
    elif a[0] == "folder": cmd_folder(a[1], a[2], a[3:])
    elif a[0] in ("same", "differ"): cmd_same(a[1], a[2], a[0] == "same")
    elif a[0] == "errors": cmd_errors(a[1])
    else: sys.exit(__doc__)

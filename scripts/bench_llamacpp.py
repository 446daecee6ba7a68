#!/usr/bin/env python3
"""Helpers of scripts/bench-llamacpp.sh (gemmac vs llama.cpp, issue 7).

  tokenizer CKPT TOKENIZER_JSON_XZ
      Puts the Gemma tokenizer into a gemma-synth checkpoint for llama.cpp's
      convert_hf_to_gguf.py (gemma-synth writes none): tokenizer.json with
      the added tokens whose id is >= the config's vocab_size dropped (the
      bundled 262k file has one, <image_soft_token> = 262144, which would make
      llama.cpp's vocabulary one longer than the embedding), and a minimal
      tokenizer_config.json so transformers' AutoTokenizer loads it without
      knowing the gemma4 model type. Standard library only.

  gguf-bytes GGUF [--json]
      Weight bytes one decoded token reads from a GGUF, by the rule gemmac
      uses for GEMMA_INFO_DECODE_BYTES: every tensor once, except the routed
      experts (*_exps: top_k of n_expert slices), the embedding lookups (one
      row) and a tied token_embd, which is also the LM head (read whole, plus
      the looked-up row). Also the LM head's bytes and type and a count of
      tensor types. Needs the gguf package (llama.cpp's gguf-py).

  table --gemma-json F --llama-jsonl F --gguf-bytes F... [--gemma-bf16act F] [--gemma-int8 F]
        [--gemma-int4 F] [-p N] [-n N]
      The comparison table (markdown) from both sides' results.
"""
import argparse
import json
import lzma
import os
import sys


def cmd_tokenizer(args):
    cfg = json.load(open(os.path.join(args.ckpt, "config.json")))
    text = cfg.get("text_config", cfg)
    vocab = int(text["vocab_size"])
    tok = json.loads(lzma.open(args.tokenizer_xz, "rt", encoding="utf-8").read())
    base = len(tok["model"]["vocab"])
    if base > vocab:
        sys.exit(f"bench_llamacpp.py: the tokenizer's base vocabulary ({base}) is larger "
                 f"than vocab_size ({vocab})")
    dropped = [a["content"] for a in tok["added_tokens"] if a["id"] >= vocab]
    tok["added_tokens"] = [a for a in tok["added_tokens"] if a["id"] < vocab]
    with open(os.path.join(args.ckpt, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    config = {
        "tokenizer_class": "GemmaTokenizerFast",
        "bos_token": "<bos>",
        "eos_token": "<eos>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "add_bos_token": True,
        "add_eos_token": False,
        "model_max_length": 1000000000000000019884624838656,
    }
    with open(os.path.join(args.ckpt, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    ids = {a["id"] for a in tok["added_tokens"]} | set(tok["model"]["vocab"].values())
    print(f"tokenizer: {len(ids)} ids (vocab_size {vocab}); dropped {dropped or 'none'}")


def gguf_bytes(path):
    from gguf import GGUFReader  # llama.cpp's gguf-py (in the convert venv)

    r = GGUFReader(path)
    arch = bytes(r.fields["general.architecture"].parts[-1]).decode()

    def field(key, default=None):
        f = r.fields.get(f"{arch}.{key}")
        return default if f is None else int(f.parts[-1][0])

    n_expert, top_k = field("expert_count", 0), field("expert_used_count", 0)
    names = {t.name for t in r.tensors}
    tied = "output.weight" not in names
    total, head_bytes, head_type, types = 0, 0, None, {}
    for t in r.tensors:
        n = int(t.n_bytes)
        rows = int(t.shape[-1]) if len(t.shape) > 1 else 1  # ggml: ne[1] = rows
        row = n // max(rows, 1)
        ty = t.tensor_type.name
        types[ty] = types.get(ty, 0) + 1
        if t.name == "per_layer_token_embd.weight":
            total += row
        elif t.name == "token_embd.weight":
            total += row + (n if tied else 0)
            if tied:
                head_bytes, head_type = n, ty
        elif t.name == "output.weight":
            total += n
            head_bytes, head_type = n, ty
        elif "_exps" in t.name and n_expert and len(t.shape) == 3:
            total += n // n_expert * top_k
        else:
            total += n
    return {
        "file": os.path.basename(path),
        "file_bytes": os.path.getsize(path),
        "decode_bytes": total,
        "lm_head_bytes": head_bytes,
        "lm_head_type": head_type,
        "tied": tied,
        "n_expert": n_expert,
        "top_k": top_k,
        "tensor_types": types,
    }


def cmd_gguf_bytes(args):
    info = gguf_bytes(args.gguf)
    if args.json:
        print(json.dumps(info))
    else:
        print(f"{info['file']}: {info['decode_bytes'] / 1e9:.4f} GB read per decoded token "
              f"(LM head {info['lm_head_type']} {info['lm_head_bytes'] / 1e9:.4f} GB); "
              f"types {info['tensor_types']}")


def fmt_rate(avg, std):
    return f"{avg:.2f} ± {std:.2f}"


def cmd_table(args):
    # The machine's bandwidth: the best of every gemma-run measurement of
    # this run (each gemma-run --bench measures before and after its tests).
    bws = []
    for path in (args.gemma_json, args.gemma_bf16act, args.gemma_int8, args.gemma_int4):
        if path and os.path.exists(path):
            b = json.load(open(path)).get("memory_bandwidth")
            if b:
                bws.append(b)
    read = max((b["read_bytes_per_s"] for b in bws), default=None)
    triad = max((b["triad_bytes_per_s"] for b in bws), default=None)
    pp_name, tg_name = f"pp{args.p}", f"tg{args.n}"
    llama = [json.loads(line) for line in open(args.llama_jsonl) if line.startswith("{")]
    sizes = {}
    for path in args.gguf_bytes:
        info = json.load(open(path))
        sizes[info["file"]] = info

    rows = []

    def add_row(engine, fmt, file_bytes, decode_bytes, pp, tg, peer=None):
        tg_bw = decode_bytes * tg[0] if (decode_bytes and tg) else None
        rows.append({
            "engine": engine, "format": fmt,
            "size": f"{file_bytes / 2**30:.2f} GiB" if file_bytes else "-",
            "bytes": f"{decode_bytes / 1e9:.3f}" if decode_bytes else "-",
            "pp": fmt_rate(*pp) if pp else "-",
            "tg": fmt_rate(*tg) if tg else "-",
            "tg_bw": f"{tg_bw / 1e9:.2f}" if tg_bw else "-",
            "read": f"{100 * tg_bw / read:.1f} %" if (tg_bw and read) else "-",
            "triad": f"{100 * tg_bw / triad:.1f} %" if (tg_bw and triad) else "-",
            "_pp": pp[0] if pp else None, "_tg": tg[0] if tg else None, "_peer": peer,
        })

    label = {"BF16": "BF16 (LM head BF16)", "Q8_0": "Q8_0 (LM head BF16)",
             "Q4_0": "Q4_0 (LM head BF16)"}
    by_file = {}
    for rec in llama:
        by_file.setdefault(os.path.basename(rec["model_filename"]), []).append(rec)
    llama_rows = {}
    for fname, recs in by_file.items():
        pp = next(((r["avg_ts"], r["stddev_ts"]) for r in recs
                   if r["n_prompt"] == args.p and r["n_gen"] == 0), None)
        tg = next(((r["avg_ts"], r["stddev_ts"]) for r in recs
                   if r["n_gen"] == args.n and r["n_prompt"] == 0), None)
        info = sizes.get(fname, {})
        qtype = fname.rsplit("-", 1)[-1].removesuffix(".gguf").upper()
        head = info.get("lm_head_type")
        fmt = f"{qtype} (LM head {head})" if head else label.get(qtype, qtype)
        llama_rows[qtype] = (pp, tg)
        add_row("llama.cpp", fmt, info.get("file_bytes"), info.get("decode_bytes"), pp, tg)

    def gemma_row(path, fmt, peer, optional=False):
        if optional and (not path or not os.path.exists(path)):
            return
        if not path or not os.path.exists(path):
            rows.append({"engine": "gemmac", "format": fmt, "size": "-", "bytes": "-",
                         "pp": "not yet", "tg": "not yet", "tg_bw": "-", "read": "-",
                         "triad": "-", "_pp": None, "_tg": None})
            return
        d = json.load(open(path))
        t = {x["test"]: x for x in d["tests"]}
        pp = (t[pp_name]["avg_ts"], t[pp_name]["stddev_ts"]) if pp_name in t else None
        tg = (t[tg_name]["avg_ts"], t[tg_name]["stddev_ts"]) if tg_name in t else None
        add_row("gemmac", fmt, d.get("size_bytes"), d.get("decode_bytes_per_token"), pp, tg,
                peer)

    gemma_row(args.gemma_json, "bf16 (LM head bf16)", "BF16")
    gemma_row(args.gemma_bf16act, "bf16, bf16 activations (LM head bf16)", "BF16",
              optional=True)
    gemma_row(args.gemma_int8, "int8 (LM head int8)", "Q8_0")
    gemma_row(args.gemma_int4, "int4 (LM head int4)", "Q4_0")

    print(f"| engine | weights | file | GB read / token | {pp_name} t/s | {tg_name} t/s "
          f"| {tg_name} GB/s | of read BW | of triad BW |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['engine']} | {r['format']} | {r['size']} | {r['bytes']} | {r['pp']} "
              f"| {r['tg']} | {r['tg_bw']} | {r['read']} | {r['triad']} |")
    if bws:
        b = bws[0]
        print()
        print(f"Memory bandwidth in the same run (STREAM-style in gemma-run --bench, "
              f"{b['threads']} threads, 3 x {b['array_bytes'] >> 20} MiB, best of "
              f"{sum(x['passes'] for x in bws)} passes over its {len(bws)} runs): read "
              f"{read / 1e9:.2f} GB/s, triad {triad / 1e9:.2f} GB/s; per run: "
              + ", ".join(f"{x['read_bytes_per_s'] / 1e9:.2f}/{x['triad_bytes_per_s'] / 1e9:.2f}"
                          for x in bws) + " (read/triad).")
    # Each gemmac row against llama.cpp at the same weight precision.
    print()
    for r in rows:
        if r["engine"] != "gemmac" or r["_peer"] not in llama_rows:
            continue
        pp, tg = llama_rows[r["_peer"]]
        parts = []
        if pp and r["_pp"]:
            parts.append(f"{pp_name} {r['_pp'] / pp[0]:.2f}x")
        if tg and r["_tg"]:
            parts.append(f"{tg_name} {r['_tg'] / tg[0]:.2f}x")
        if parts:
            print(f"gemmac {r['format']} / llama.cpp {r['_peer']}: {', '.join(parts)}")
    print("(issue 7 targets: tg >= 1.1x, pp >= 2x, decode >= 85 % of triad.)")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tokenizer")
    t.add_argument("ckpt")
    t.add_argument("tokenizer_xz")
    b = sub.add_parser("gguf-bytes")
    b.add_argument("gguf")
    b.add_argument("--json", action="store_true")
    c = sub.add_parser("table")
    c.add_argument("--gemma-json", required=True)
    c.add_argument("--gemma-bf16act")
    c.add_argument("--gemma-int8")
    c.add_argument("--gemma-int4")
    c.add_argument("--llama-jsonl", required=True)
    c.add_argument("--gguf-bytes", nargs="*", default=[])
    c.add_argument("-p", type=int, default=512)
    c.add_argument("-n", type=int, default=128)
    args = ap.parse_args()
    {"tokenizer": cmd_tokenizer, "gguf-bytes": cmd_gguf_bytes, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()

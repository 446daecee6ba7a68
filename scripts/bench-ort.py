#!/usr/bin/env python3
"""gemmac vs ONNX Runtime on the same model.onnx (issue 5).

Stages (all by default, or --stages a,b,...):

  synth    gemma-synth: the 26B-A4B geometry cut to --layers layers, bf16,
           Gemma4ForCausalLM layout (what transformers 5 saves).
  export   torch.onnx.export(dynamo=True, opset 20, dynamic "seq" axis,
           external data) of transformers' Gemma4ForCausalLM, float32, SDPA
           attention, "batched_mm" experts, wrapped as the goldens were
           (module attribute "m", input_ids -> logits, use_cache=False).
  compile  gemmac model.onnx -o OUT --ctx ... --max-chunk ...
  gemmac   OUT/gemma-run --bench (llama-bench table) at the requested sizes.
  ort      ONNX Runtime (CPU EP, same threads) on the same file: prefill =
           one run over P tokens; decode = re-running the graph on the grown
           sequence (the export has no KV cache), ms per new token.

Memory. A float32 torch model of this geometry (5.6 B parameters) is 22.5 GB,
more than this machine's RAM. The export therefore never holds the weights in
anonymous memory: the checkpoint's bf16 tensors are first widened to float32
into model.onnx.data itself (each tensor 64 KiB aligned), the model's
parameters are float32 views of that file mapped with torch.from_file
(file-backed pages the kernel can drop), and after torch.onnx has built and
optimised the graph each initializer is written as an external-data
reference: to its place in the file when it is a parameter used as is, or
appended to the file when the exporter computed it (the folded transposes of
the nn.Linear weights). The graph is the one torch.onnx produces for the
in-memory model; only the serialisation is done here (checked on the moe
golden: gemmac --emit=mlir of this export and of the golden are identical).

ORT's batched_mm graph gathers each selected expert's matrices per
(token, expert) pair (GatherND), so one run over T tokens materialises
T * top_k * (gate_up + down) floats per layer (94 GiB at 512 tokens). The
ORT runs are made in a child process whose address space is capped
(RLIMIT_AS: the mapped data file + --ort-mem-gib) so that an allocation fails
instead of the OOM killer hitting another process; a size whose estimate
exceeds the cap is reported as not run, one that fails is reported with
ORT's error.

Other sessions share the machine: before each test the script waits until
the CPUs were --min-idle idle, measures the CPU time other processes took
during it, and repeats an ORT run (up to --attempts) when that exceeded
--max-others of the cores. Results: WORK/results.json and a markdown table.
An existing export / deployable in WORK is reused unless --force.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALIGN = 65536


def log(*a):
    print("bench-ort:", *a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$", " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


# --------------------------------------------------------------------------
# synth
# --------------------------------------------------------------------------

def stage_synth(a):
    if os.path.exists(os.path.join(a.ckpt, "config.json")):
        log("checkpoint exists:", a.ckpt)
        return
    run([os.path.join(a.bin, "gemma-synth"), "--variant", a.variant, "--layers", str(a.layers),
         "--layout", "text", "--config-format", "per-layer", "-o", a.ckpt])


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------

def read_safetensors_index(ckpt):
    """name -> (file, dtype, shape, begin, end) from the safetensors headers."""
    files = sorted(f for f in os.listdir(ckpt) if f.startswith("model") and f.endswith(".safetensors"))
    out = {}
    for f in files:
        p = os.path.join(ckpt, f)
        with open(p, "rb") as fh:
            n = struct.unpack("<Q", fh.read(8))[0]
            hdr = json.loads(fh.read(n))
        for name, e in hdr.items():
            if name == "__metadata__":
                continue
            b, en = e["data_offsets"]
            out[name] = (p, e["dtype"], e["shape"], 8 + n + b, 8 + n + en)
    return out


def widen_to_data_file(ckpt, data_path):
    """Writes every checkpoint tensor as float32 into data_path (64 KiB
    aligned); returns {name: (offset, shape)}."""
    import numpy as np
    idx = read_safetensors_index(ckpt)
    layout = {}
    chunk = 1 << 24  # elements
    with open(data_path, "wb") as out:
        for name in sorted(idx, key=lambda k: (idx[k][0], idx[k][3])):
            path, dt, shape, b, e = idx[name]
            pos = out.tell()
            pad = (-pos) % ALIGN
            out.write(b"\0" * pad)
            pos += pad
            layout[name] = (pos, shape)
            if dt == "F32":
                src = np.memmap(path, dtype=np.float32, mode="r", offset=b, shape=((e - b) // 4,))
                for i in range(0, src.size, chunk):
                    out.write(np.ascontiguousarray(src[i:i + chunk]).tobytes())
            elif dt == "BF16":
                src = np.memmap(path, dtype=np.uint16, mode="r", offset=b, shape=((e - b) // 2,))
                for i in range(0, src.size, chunk):
                    out.write((src[i:i + chunk].astype(np.uint32) << 16).tobytes())
            else:
                raise SystemExit(f"bench-ort: {name}: dtype {dt} not handled")
            del src
    return layout


def stage_export(a):
    import numpy as np
    import torch
    import onnx_ir as ir
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.set_num_threads(a.threads)
    os.makedirs(a.onnx_dir, exist_ok=True)
    onnx_path = os.path.join(a.onnx_dir, "model.onnx")
    data_name = "model.onnx.data"
    data_path = os.path.join(a.onnx_dir, data_name)
    need = sum(4 * (e - b) // (4 if dt == "F32" else 2) + ALIGN
               for _, dt, _, b, e in read_safetensors_index(a.ckpt).values())
    if os.path.exists(data_path):
        os.remove(data_path)
    free = shutil.disk_usage(a.onnx_dir).free
    if need + (3 << 30) > free:
        raise SystemExit(f"bench-ort: the float32 data file needs {need / 2**30:.2f} GiB, "
                         f"{free / 2**30:.2f} GiB free (3 GiB margin kept)")
    t0 = time.time()
    layout = widen_to_data_file(a.ckpt, data_path)
    log(f"widened {len(layout)} tensors to float32 in {data_path} "
        f"({os.path.getsize(data_path) / 2**30:.2f} GiB, {time.time() - t0:.0f} s)")
    for f in ("config.json", "generation_config.json"):
        if os.path.exists(os.path.join(a.ckpt, f)):
            shutil.copy(os.path.join(a.ckpt, f), a.onnx_dir)

    kw = dict(dtype=torch.float32, attn_implementation="sdpa", experts_implementation="batched_mm")
    cfg = AutoConfig.from_pretrained(a.ckpt)
    # Non-persistent buffers (RoPE inv_freq tables, embed_scale) from a model
    # with the same config but tiny vocab/expert/MLP widths (they do not
    # depend on those), built on the CPU.
    small = cfg.to_dict()
    small.update(vocab_size=16, intermediate_size=8, moe_intermediate_size=8)
    small_cfg = type(cfg).from_dict(small)
    ref = AutoModelForCausalLM.from_config(small_cfg, **kw)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg, **kw)

    size = os.path.getsize(data_path)
    storage = torch.from_file(data_path, shared=True, size=size, dtype=torch.uint8)
    base = storage.data_ptr()
    sd = {}
    for name, (off, shape) in layout.items():
        n = 1
        for d in shape:
            n *= d
        sd[name] = storage[off:off + 4 * n].view(torch.float32).view(shape)
    missing, unexpected = model.load_state_dict(sd, strict=False, assign=True)
    if unexpected:
        raise SystemExit(f"bench-ort: checkpoint tensors the model does not have: {unexpected[:5]}")
    ref_bufs = dict(ref.named_buffers())
    for name, buf in list(model.named_buffers()):
        if buf.is_meta:
            mod, _, leaf = name.rpartition(".")
            model.get_submodule(mod)._buffers[leaf] = ref_bufs[name].clone()
    model.tie_weights()
    still = [n for n, p in list(model.named_parameters()) + list(model.named_buffers()) if p.is_meta]
    if still:
        raise SystemExit(f"bench-ort: tensors left on meta: {still[:5]}")
    del ref
    model.eval()

    class W(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids):
            return self.m(input_ids=input_ids, use_cache=False).logits

    ids = torch.randint(3, 1000, (1, 16), dtype=torch.long)
    seq = torch.export.Dim("seq", min=2, max=4096)
    t0 = time.time()
    with torch.no_grad():
        prog = torch.onnx.export(W(model), (ids,), dynamo=True, opset_version=20,
                                 input_names=["input_ids"], output_names=["logits"],
                                 dynamic_shapes={"input_ids": {1: seq}}, external_data=True)
    log(f"torch.onnx.export: {time.time() - t0:.0f} s")

    # Serialise: initializers that are views of the mapped file point at
    # their place in it; everything else > 1 KiB is appended.
    g = prog.model.graph

    def in_place(t):
        """Offset of t's data in the mapped file, or None. The optimiser folds
        the identity Transposes torch.onnx puts on the expert matrices with
        numpy, which returns views: those are still the file's bytes."""
        raw = getattr(t, "raw", None)
        if isinstance(raw, torch.Tensor):
            ok = raw.is_contiguous() and raw.dtype == torch.float32
            ptr = raw.data_ptr()
        elif isinstance(raw, np.ndarray):
            ok = raw.flags["C_CONTIGUOUS"] and raw.dtype == np.float32
            ptr = raw.__array_interface__["data"][0]
        else:
            return None
        return ptr - base if ok and base <= ptr < base + size else None

    plan = []
    for name, v in list(g.initializers.items()):
        t = v.const_value
        off = in_place(t)
        plan.append((name, v, t, off))
    extra = sum(t.nbytes + ALIGN for _, _, t, off in plan if off is None and t.nbytes > 1024)
    free = shutil.disk_usage(a.onnx_dir).free
    if extra + (2 << 30) > free:
        raise SystemExit(f"bench-ort: appending {extra / 2**30:.2f} GiB of computed initializers "
                         f"needs more than the {free / 2**30:.2f} GiB free (with a 2 GiB margin)")
    log(f"appending {extra / 2**30:.2f} GiB of computed initializers")
    kept = appended = inline = 0
    with open(data_path, "r+b") as out:
        out.seek(0, os.SEEK_END)
        for name, v, t, off in plan:
            if off is not None:
                length = t.nbytes
                kept += 1
            elif t.nbytes > 1024:
                pos = out.tell()
                pad = (-pos) % ALIGN
                out.write(b"\0" * pad)
                off = pos + pad
                buf = t.tobytes()
                out.write(buf)
                length = len(buf)
                appended += 1
            else:
                inline += 1
                continue
            v.const_value = ir.ExternalTensor(data_name, off, length, t.dtype, shape=t.shape,
                                              name=name, base_dir=a.onnx_dir)
    ir.save(prog.model, onnx_path)
    log(f"wrote {onnx_path}: {kept} initializers in place, {appended} appended, {inline} inline; "
        f"data {os.path.getsize(data_path) / 2**30:.2f} GiB")
    import onnx
    m = onnx.load(onnx_path, load_external_data=False)
    dsize = os.path.getsize(data_path)
    for init in m.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            kv = {e.key: e.value for e in init.external_data}
            assert kv["location"] == data_name and int(kv["offset"]) + int(kv["length"]) <= dsize, init.name
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    info = dict(opset=[(o.domain, o.version) for o in m.opset_import], nodes=len(m.graph.node),
                initializers=len(m.graph.initializer), ops=ops, producer=m.producer_version,
                data_bytes=dsize)
    with open(os.path.join(a.onnx_dir, "export-info.json"), "w") as f:
        json.dump(info, f, indent=1)
    log("ops:", ops)


# --------------------------------------------------------------------------
# compile + gemmac bench
# --------------------------------------------------------------------------

def stage_compile(a):
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    t0 = time.time()
    run([os.path.join(a.bin, "gemmac"), os.path.join(a.onnx_dir, "model.onnx"), "-o", a.out,
         "--ctx", str(a.ctx), "--max-chunk", str(a.max_chunk), "--report"])
    log(f"gemmac: {time.time() - t0:.0f} s")


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def cpu_idle(seconds):
    """Fraction of all CPUs' time that was idle over the next `seconds`."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = snap()
    time.sleep(seconds)
    i1, t1 = snap()
    return (i1 - i0) / max(1, t1 - t0)


def wait_quiet(a, res, what):
    """Waits (up to --wait-quiet-s) until the CPUs were >= --min-idle idle in
    two consecutive 10 s windows (other sessions share this machine)."""
    t0 = time.time()
    ok = 0
    while a.min_idle and ok < 2 and time.time() - t0 < a.wait_quiet_s:
        ok = ok + 1 if cpu_idle(10) >= a.min_idle else 0
    res.setdefault("load_at_start", {})[what] = dict(loadavg=loadavg(), waited_s=round(time.time() - t0))
    log(f"{what}: load average {loadavg()}, waited {time.time() - t0:.0f} s")


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)


def measured(fn, own_cpu_s):
    """Runs fn(); returns (result, own CPU s, wall s, others): others is the
    CPU time the rest of the machine used meanwhile, as a fraction of all
    cores over the wall time (other sessions share this machine; a test with
    others > --max-others is repeated)."""
    hz = os.sysconf("SC_CLK_TCK")
    b0, _ = busy_jiffies()
    c0 = own_cpu_s()
    t0 = time.time()
    out = fn()
    wall = time.time() - t0
    cpu = own_cpu_s() - c0
    b1, _ = busy_jiffies()
    others = max(0.0, (b1 - b0) / hz - cpu) / (wall * os.cpu_count())
    return out, cpu, wall, others


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def stage_gemmac(a, res):
    # Page the weights in first (the ORT data file may have evicted them).
    with open(os.path.join(a.out, "weights.gpack"), "rb") as f:
        while f.read(1 << 24):
            pass
    runs = []
    specs = [(["-p", str(a.prompt), "-n", str(a.gen)], f"pp{a.prompt}/tg{a.gen}")]
    for p in a.ort_prompts:
        specs.append((["-p", str(p), "-n", str(a.decode_steps), "-d", str(p)], f"pp{p}/tg@d{p}"))
    for args, label in specs:
        for attempt in range(1, a.attempts + 1):
            wait_quiet(a, res, "gemmac " + label)
            jf = os.path.join(a.work, "gemmac-bench.json")
            cmd = [os.path.join(a.out, "gemma-run"), "--bench", *args, "-r", str(a.reps),
                   "-t", str(a.threads), "--bench-json", jf]
            p, cpu, wall, others = measured(lambda: run(cmd, stdout=subprocess.PIPE, text=True),
                                            children_cpu_s)
            print(p.stdout, flush=True)
            log(f"cpu {cpu:.0f} s, wall {wall:.0f} s, other processes {others:.2f} of the cores")
            if others <= a.max_others:
                break
            log(f"other processes were busy: repeating ({attempt}/{a.attempts})")
        with open(jf) as f:
            runs.append(dict(label=label, cmd=" ".join(cmd), table=p.stdout, json=json.load(f),
                             cpu_s=cpu, wall_s=wall, others=others, attempts=attempt,
                             loadavg_end=loadavg()))
    res["gemmac"] = runs


# --------------------------------------------------------------------------
# ORT
# --------------------------------------------------------------------------

def ort_estimate_bytes(cfg, t):
    """Anonymous memory one ORT run over t tokens needs at least: the
    GatherND'd expert matrices of one layer (gate_up and down, one copy per
    token and selected expert) and the LM head's transposed copy (the graph
    transposes the tied embedding at run time; ORT's constant folding skips
    it, > 1 GiB). Dense models (no experts) need only the last two."""
    h, v = cfg["hidden_size"], cfg["vocab_size"]
    experts = 0
    if cfg.get("enable_moe_block") and cfg.get("num_experts"):
        mi, k = cfg["moe_intermediate_size"], cfg["top_k_experts"]
        experts = t * k * (2 * mi * h + h * mi) * 4
    return experts + v * h * 4 + t * v * 4


def mem_status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "VmSize"):
                out[k] = int(v.split()[0]) * 1024
    return out


def ort_timed(sess, a, ids, out, what):
    """One sess.run, repeated (up to --attempts) while other processes used
    more than --max-others of the cores; returns (logits, s, others, tries)."""
    out["where"] = what
    for attempt in range(1, a.attempts + 1):
        t0 = time.perf_counter()
        logits, _, _, others = measured(lambda: sess.run(["logits"], {"input_ids": ids})[0],
                                        time.process_time)
        dt = time.perf_counter() - t0
        if others <= a.max_others:
            break
        print(json.dumps(dict(event="repeat", what=what, s=dt, others=others)), flush=True)
        wait_quiet(a, {}, what)
    return logits, dt, others, attempt


def ort_run_size(sess, a, p, rng, out):
    import numpy as np
    ids = rng.integers(3, a.vocab, size=(1, p), dtype=np.int64)
    ids[0, 0] = 2
    entry = dict(p=p, s=[], others=[])
    for r in range(a.ort_warmup + a.reps):  # the first runs are the warm-up
        logits, dt, others, tries = ort_timed(sess, a, ids, out, f"prefill run over {p} tokens")
        if r >= a.ort_warmup:
            entry["s"].append(dt)
            entry["others"].append(others)
        print(json.dumps(dict(event="prefill", p=p, rep=r, s=dt, others=others, tries=tries,
                              load=loadavg(), mem=mem_status())), flush=True)
    out["prefill"].append(entry)
    # decode: re-run the whole graph on the grown sequence (greedy next id)
    seq = ids
    nxt = int(np.argmax(logits[0, -1]))
    dec = dict(p=p, s=[], others=[])
    out["decode"].append(dec)  # partial if a step fails
    for _ in range(a.decode_steps):
        seq = np.concatenate([seq, np.array([[nxt]], dtype=np.int64)], axis=1)
        logits, dt, others, tries = ort_timed(sess, a, seq, out,
                                              f"decode re-run over {seq.shape[1]} tokens")
        dec["s"].append(dt)
        dec["others"].append(others)
        nxt = int(np.argmax(logits[0, -1]))
        print(json.dumps(dict(event="decode", p=p, len=seq.shape[1], s=dt, others=others,
                              tries=tries, load=loadavg())), flush=True)
    out["mem"][str(p)] = mem_status()


def ort_child(a):
    """Runs in the capped child; prints one JSON object per line."""
    import numpy as np
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    t0 = time.time()
    sess = ort.InferenceSession(os.path.join(a.onnx_dir, "model.onnx"), so,
                                providers=["CPUExecutionProvider"])
    load_s = time.time() - t0
    with open(os.path.join(a.onnx_dir, "config.json")) as f:
        a.vocab = json.load(f)["vocab_size"]
    rng = np.random.default_rng(7)
    out = dict(load_s=load_s, ort=ort.__version__, prefill=[], decode=[], mem={}, errors=[])
    print(json.dumps(dict(event="loaded", load_s=load_s, mem=mem_status())), flush=True)
    for p in a.ort_prompts:
        try:
            ort_run_size(sess, a, p, rng, out)
        except Exception as e:  # noqa: BLE001 (an allocation failing under the cap)
            msg = str(e).splitlines()[0][:300]
            out["errors"].append(dict(p=p, where=out["where"], error=msg))
            print(json.dumps(dict(event="error", p=p, error=msg)), flush=True)
            break
    print(json.dumps(dict(event="done", **out)), flush=True)


def stage_ort(a, res):
    with open(os.path.join(a.onnx_dir, "config.json")) as f:
        cfg = json.load(f)
    cap = int(a.ort_mem_gib * 2**30)
    sizes = list(dict.fromkeys(a.ort_prompts + [a.prompt]))
    todo, skipped = [], []
    for p in sizes:
        need = ort_estimate_bytes(cfg, p + a.decode_steps)
        if need <= cap:
            todo.append(p)
        else:
            skipped.append(dict(p=p, need_gib=round(need / 2**30, 1), cap_gib=a.ort_mem_gib))
            log(f"ORT: {p} tokens not run: one run needs >= {need / 2**30:.1f} GiB of anonymous "
                f"memory (cap {a.ort_mem_gib} GiB)")
    res["ort_skipped"] = skipped
    if not todo:
        res["ort"] = None
        return
    cmd = [sys.executable, os.path.abspath(__file__), "--stages", "ort-child",
           "--onnx-dir", a.onnx_dir, "--threads", str(a.threads), "--reps", str(a.reps),
           "--decode-steps", str(a.decode_steps), "--ort-warmup", str(a.ort_warmup),
           "--min-idle", str(a.min_idle), "--max-others", str(a.max_others),
           "--attempts", str(a.attempts), "--wait-quiet-s", str(a.wait_quiet_s),
           "--ort-prompts", ",".join(map(str, todo))]

    # ORT maps the external data MAP_PRIVATE|PROT_WRITE (file-backed, clean
    # pages the kernel can drop), so the cap is on the address space: the
    # data file + --ort-mem-gib for everything else.
    as_cap = cap + os.path.getsize(os.path.join(a.onnx_dir, "model.onnx.data"))

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (as_cap, as_cap))

    wait_quiet(a, res, "ort")
    log("$", " ".join(cmd), f"(RLIMIT_AS = data file + {a.ort_mem_gib} GiB)")
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=limit)
    done = None
    events = []
    for line in p.stdout:
        sys.stderr.write("  ort: " + line)
        ev = json.loads(line)
        events.append(ev)
        if ev["event"] == "done":
            done = ev
    rc = p.wait()
    res["ort"] = done
    res["ort_events"] = events
    res["ort_rc"] = rc
    res["ort_wall_s"] = time.time() - t0
    if rc:
        log(f"ORT child exited with {rc}")


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

def ms_stats(xs):
    m = statistics.mean(xs)
    s = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return m, s


def report(a, res):
    """Markdown: one row per test, both engines in the same units."""
    rows = ["| engine | test | tokens per forward | ms per token | t/s | others' CPU |",
            "| --- | --- | ---: | ---: | ---: | ---: |"]
    for g in res.get("gemmac") or []:
        for t in g["json"]["tests"]:
            ts, sd = t["avg_ts"], t["stddev_ts"]
            per = "1" if t["n_gen"] else str(t["n_prompt"])
            rows.append(f"| gemmac | {t['test']} | {per} | {1e3 / ts:.1f} | {ts:.2f} ± {sd:.2f} | "
                        f"{g.get('others', 0):.2f} |")
    ort = res.get("ort")
    if ort:
        for pf in ort["prefill"]:
            tps = [pf["p"] / x for x in pf["s"]]
            m, sd = ms_stats(tps)
            rows.append(f"| ORT | pp{pf['p']} (one run) | {pf['p']} | {1e3 / m:.1f} | {m:.2f} ± {sd:.2f} | "
                        f"{max(pf['others']):.2f} |")
        for d in ort["decode"]:
            if not d["s"]:
                continue
            tps = [1 / x for x in d["s"]]
            m, sd = ms_stats(tps)
            n = len(d["s"])
            rows.append(f"| ORT | tg{n} after {d['p']} (re-run, no KV cache) | {d['p'] + 1}..{d['p'] + n} | "
                        f"{1e3 / m:.1f} | {m:.3f} ± {sd:.3f} | {max(d['others']):.2f} |")
        for e in ort.get("errors", []):
            rows.append(f"| ORT | {e['where']} | | failed: {e['error'][:160]} | | |")
    for sk in res.get("ort_skipped") or []:
        rows.append(f"| ORT | pp{sk['p']} | {sk['p']} | not run: needs >= {sk['need_gib']} GiB "
                    f"(cap {sk['cap_gib']} GiB) | | |")
    print("\n".join(rows))


def versions():
    v = dict(python=platform.python_version())
    for mod in ("torch", "transformers", "onnx", "onnxruntime", "onnxscript", "onnx_ir", "numpy"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            v[mod] = f"n/a ({e.__class__.__name__})"
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stages", default="synth,export,compile,gemmac,ort")
    ap.add_argument("--work", default=os.path.join(REPO, "build-ort"))
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--variant", default="26b-a4b")
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--max-chunk", type=int, default=512)
    ap.add_argument("--prompt", type=int, default=512, help="gemmac pp size (and ORT's, memory permitting)")
    ap.add_argument("--gen", type=int, default=32, help="gemmac tg size")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--ort-prompts", default="8,16,32",
                    help="prompt sizes for ORT's prefill and re-run decode (and gemmac's -d runs)")
    ap.add_argument("--decode-steps", type=int, default=4)
    ap.add_argument("--ort-warmup", type=int, default=2, help="ORT runs before the timed prefill runs")
    ap.add_argument("--ort-mem-gib", type=float, default=12.0,
                    help="address space the ORT process may use beyond the mapped data file")
    ap.add_argument("--delete-ckpt", action="store_true",
                    help="remove the bf16 checkpoint after the export (disk)")
    ap.add_argument("--min-idle", type=float, default=0.9,
                    help="before each test wait until the CPUs were this idle in two 10 s "
                         "windows (0: do not wait)")
    ap.add_argument("--wait-quiet-s", type=float, default=900)
    ap.add_argument("--max-others", type=float, default=0.05,
                    help="repeat a test when other processes used more than this fraction of "
                         "the cores during it")
    ap.add_argument("--attempts", type=int, default=5)
    ap.add_argument("--force", action="store_true", help="redo the export and the compile")
    ap.add_argument("--onnx-dir")
    ap.add_argument("--json", help="results JSON (default WORK/results.json)")
    a = ap.parse_args()
    a.ort_prompts = [int(x) for x in str(a.ort_prompts).split(",") if x]
    a.ckpt = os.path.join(a.work, "ckpt")
    a.onnx_dir = a.onnx_dir or os.path.join(a.work, "onnx")
    a.out = os.path.join(a.work, "out")
    stages = a.stages.split(",")
    if stages == ["ort-child"]:
        return ort_child(a)
    os.makedirs(a.work, exist_ok=True)
    jpath = a.json or os.path.join(a.work, "results.json")
    res = {}
    if os.path.exists(jpath):
        with open(jpath) as f:
            res = json.load(f)
    res.update(versions=versions(), date=time.strftime("%Y-%m-%d %H:%M"), machine=platform.node(),
               nproc=os.cpu_count())
    with open("/proc/loadavg") as f:
        res.setdefault("loadavg", {})["start:" + a.stages] = f.read().split()[:3]
    have_onnx = os.path.exists(os.path.join(a.onnx_dir, "export-info.json"))
    if have_onnx and not a.force and ("synth" in stages or "export" in stages):
        log(f"reusing the export in {a.onnx_dir} (--force to redo it)")
    else:
        if "synth" in stages:
            stage_synth(a)
        if "export" in stages:
            stage_export(a)
            if a.delete_ckpt:
                shutil.rmtree(a.ckpt)
    if "compile" in stages:
        if os.path.exists(os.path.join(a.out, "gemma-run")) and not a.force and have_onnx:
            log(f"reusing the deployable in {a.out} (--force to recompile)")
        else:
            stage_compile(a)
    if "gemmac" in stages:
        stage_gemmac(a, res)
    if "ort" in stages:
        stage_ort(a, res)
    with open("/proc/loadavg") as f:
        res["loadavg"]["end:" + a.stages] = f.read().split()[:3]
    with open(jpath, "w") as f:
        json.dump(res, f, indent=1)
    report(a, res)


if __name__ == "__main__":
    main()

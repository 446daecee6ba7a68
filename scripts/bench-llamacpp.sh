#!/usr/bin/env bash
# Benchmark (not a test, not in CI): gemmac vs llama.cpp on the same
# synthetic Gemma 4 checkpoint, same machine, same threads, one run (issue 7).
#
#   scripts/bench-llamacpp.sh [options]
#
# 1. gemma-synth writes the checkpoint (default: 26B-A4B geometry cut to 6
#    layers, 5 sliding + 1 full, vocab 262144, 128 experts top-8, bf16) and
#    the Gemma tokenizer is added for llama.cpp's converter
#    (scripts/bench_llamacpp.py tokenizer; gemma-synth writes none).
# 2. gemma-bench compiles it with gemmac and runs gemma-run --bench
#    (pp/tg + the machine's read/triad bandwidth in the same run).
#    When gemmac has --weights (int8/int4), those are compiled and run too.
# 3. llama.cpp's own convert_hf_to_gguf.py writes a BF16 GGUF; llama-quantize
#    makes Q8_0 and Q4_0 with --token-embedding-type/--output-tensor-type set
#    to gemmac's LM-head format for the same weights (--lm-head-type auto:
#    bf16 for BF16; for Q8_0/Q4_0 q8_0/q4_0 when gemmac has --weights, whose
#    int8/int4 quantise the tied LM head to the same block formats, else
#    bf16), so every tensor has the same precision on both sides and the
#    bytes per token are comparable.
# 4. llama-bench runs each GGUF with the same -t/-p/-n/-r.
# 5. scripts/bench_llamacpp.py table writes the comparison (markdown).
#
# llama.cpp is built without its AMX kernels by default (GGML_NATIVE=ON plus
# -mno-amx-tile/-mno-amx-int8/-mno-amx-bf16): on AMX machines its
# ggml_backend_amx_mul_mat segfaults (ggml-org/llama.cpp#20824, seen here on
# Q8_0). Those kernels cover quantised types only (not BF16), and gemmac's
# int8/int4 kernels do not use AMX, so the Q8_0/Q4_0 rows compare like with
# like; gemmac's bf16 rows do use AMX-BF16 tiles for prefill where the CPU
# has them (docs/weights.md), which llama.cpp's BF16 matmul has no kernel
# for either way. --llama-amx keeps llama.cpp's.
#
# --avx2 compares AVX2 code on both sides, as on the issue's AMD Zen 3
# machines (AVX2+FMA, no AVX-512): gemmac compiles with --cpu=x86-64-v3 and
# llama.cpp is built with GGML_NATIVE=OFF and AVX/AVX2/FMA/F16C/BMI2 only (in
# its own build folder); the bf16-activation row (AVX512_BF16) is left out.
#
# llama.cpp lives OUTSIDE this repository (default /tmp/llama.cpp): never
# commit its sources, binaries or GGUFs. Get a checkout with
#   git clone https://github.com/ggml-org/llama.cpp /tmp/llama.cpp
# or, where GitHub is unreachable but PyPI is, with --get-source, which takes
# the llama.cpp copy vendored in the llama-cpp-python sdist (its CHANGELOG
# names the llama.cpp commit). The script builds llama-bench and
# llama-quantize (CPU only, Release, GGML_NATIVE=ON) and makes a venv for
# the converter's requirements (pip, PyPI) outside the repository too.
#
# Disk: the checkpoint, the gemmac pack and the BF16 GGUF are ~10.5 GB each
# (Q8_0 ~5.7, Q4_0 ~4.3). To stay within ~21 GB the steps run in the order
# above and each file is deleted once no later step needs it (--keep keeps
# everything, ~50 GB). --ckpt-from DIR links the safetensors of an existing
# gemma-synth checkpoint of the same geometry (its config.json must equal
# what gemma-synth would write) instead of writing 10.5 GB again.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  cat <<'USAGE'
options:
  --llama-src DIR   llama.cpp checkout (default /tmp/llama.cpp)
  --get-source      fill --llama-src from the llama-cpp-python sdist on PyPI
                    (version: --llama-cpp-python V, default 0.3.36)
  --venv DIR        Python venv for convert_hf_to_gguf.py (default
                    /tmp/llamacpp-venv; created and filled with pip if absent)
  --work DIR        checkpoint, GGUFs, deployable, results (default
                    /tmp/bench-llamacpp); must be outside the repository
  --build DIR       gemmac build folder (default build)
  -t N -p N -n N -r N   threads (default 2), prompt (512), generated (128),
                    repetitions (3); the same for both sides
  --types "T ..."   llama-quantize types besides BF16 (default "Q8_0 Q4_0")
  --lm-head-type T  --token-embedding-type / --output-tensor-type for the
                    quantised GGUFs (default auto, see above)
  --llama-amx       build llama.cpp with its AMX kernels (see above)
  --avx2            AVX2+FMA code on both sides (see above)
  --ckpt-from DIR   link an existing gemma-synth checkpoint's safetensors
  --variant V --layers N   gemma-synth geometry (default 26b-a4b, 6)
  --out FILE        the comparison in markdown (default WORK/comparison.md)
  --keep            keep every intermediate file
  -h, --help        this help
USAGE
}

llama=/tmp/llama.cpp venv=/tmp/llamacpp-venv work=/tmp/bench-llamacpp build=build
threads=2 p=512 n=128 r=3 types="Q8_0 Q4_0" head=auto variant=26b-a4b layers=6
out="" keep=0 get=0 lcp_version=0.3.36 amx=0 avx2=0 ckpt_from=""
while (($#)); do
  case "$1" in
    --llama-src) llama=$2; shift ;;
    --get-source) get=1 ;;
    --llama-cpp-python) lcp_version=$2; shift ;;
    --venv) venv=$2; shift ;;
    --work) work=$2; shift ;;
    --build) build=$2; shift ;;
    -t) threads=$2; shift ;;
    -p) p=$2; shift ;;
    -n) n=$2; shift ;;
    -r) r=$2; shift ;;
    --types) types=$2; shift ;;
    --lm-head-type) head=$2; shift ;;
    --llama-amx) amx=1 ;;
    --avx2) avx2=1 ;;
    --ckpt-from) ckpt_from=$2; shift ;;
    --variant) variant=$2; shift ;;
    --layers) layers=$2; shift ;;
    --out) out=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-llamacpp: error: unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
  shift
done

say() { echo "bench-llamacpp [$(date +%H:%M:%S)] $*" >&2; }
die() { echo "bench-llamacpp: error: $*" >&2; exit 1; }
abspath() { mkdir -p "$1" && (cd "$1" && pwd -P); }
outside() { # refuse paths inside the repository
  local d; d=$(abspath "$1")
  [[ "$d/" != "$(cd "$repo" && pwd -P)/"* ]] || die "$1 is inside the repository; use a folder outside it"
  echo "$d"
}
llama=$(outside "$llama")
venv=$(outside "$venv")
work=$(outside "$work")
[[ "$build" = /* ]] || build=$repo/$build
[[ -n "$out" ]] || out=$work/comparison.md
bin=$build/bin
for tool in gemma-synth gemmac gemma-bench; do
  [[ -x $bin/$tool ]] || die "$bin/$tool not built (ninja -C $build gemma-synth gemmac gemma-bench gemma_runtime)"
done

# --- llama.cpp source and build ---------------------------------------------
if [[ ! -f $llama/convert_hf_to_gguf.py ]]; then
  [[ $get == 1 ]] || die "no llama.cpp checkout at $llama (git clone https://github.com/ggml-org/llama.cpp $llama, or --get-source)"
  say "getting llama.cpp from the llama-cpp-python $lcp_version sdist (PyPI)"
  dl=$work/llama-cpp-python-sdist
  mkdir -p "$dl"
  python3 -m pip download --no-deps --no-binary :all: "llama-cpp-python==$lcp_version" -d "$dl" >&2
  tar -xzf "$dl/llama_cpp_python-$lcp_version.tar.gz" -C "$dl"
  rmdir "$llama" 2>/dev/null || true
  mv "$dl/llama_cpp_python-$lcp_version/vendor/llama.cpp" "$llama"
  c=$(grep -m1 -o 'ggml-org/llama.cpp@[0-9a-f]*' "$dl/llama_cpp_python-$lcp_version/CHANGELOG.md" || echo "llama.cpp, commit unknown")
  echo "$c (vendored in the llama-cpp-python $lcp_version sdist)" > "$llama/.vendored-commit"
  rm -rf "$dl"
fi
llama_version=$(git -C "$llama" describe --always --tags 2>/dev/null ||
  cat "$llama/.vendored-commit" 2>/dev/null || echo unknown)
cpuflags=(-DGGML_NATIVE=ON) gemma_cpu=()
if [[ $avx2 == 1 ]]; then
  lbuild=$llama/build-avx2 amxflags=""
  cpuflags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
  gemma_cpu=(--cpu x86-64-v3)
elif [[ $amx == 1 ]]; then
  lbuild=$llama/build-amx amxflags=""
else
  lbuild=$llama/build-noamx amxflags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
fi
llama_flags="${cpuflags[*]#-D}${amxflags:+ $amxflags}"
lb=$lbuild/bin
if [[ ! -x $lb/llama-bench || ! -x $lb/llama-quantize ]]; then
  say "building llama.cpp (CPU, Release, $llama_flags): llama-bench llama-quantize"
  cmake -S "$llama" -B "$lbuild" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cpuflags[@]}" \
    -DCMAKE_C_FLAGS="$amxflags" -DCMAKE_CXX_FLAGS="$amxflags" \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF >&2
  ninja -C "$lbuild" llama-bench llama-quantize >&2
fi

# --- converter venv -----------------------------------------------------------
py=$venv/bin/python
if ! "$py" -c 'import torch, transformers, gguf, numpy, sentencepiece' 2>/dev/null; then
  say "installing convert_hf_to_gguf.py's requirements into $venv"
  [[ -x $py ]] || python3 -m venv "$venv"
  req=$work/convert-requirements.txt
  # The requirement files name download.pytorch.org as an extra index; where
  # it is unreachable PyPI's torch (same version) is used.
  grep -hv -e '^-r' -e '^--extra-index-url' \
    "$llama/requirements/requirements-convert_legacy_llama.txt" \
    "$llama/requirements/requirements-convert_hf_to_gguf.txt" | grep -v '^gguf' > "$req"
  "$venv/bin/pip" install --no-cache-dir -r "$req" "$llama/gguf-py" >&2
fi

# --- checkpoint -----------------------------------------------------------------
mkdir -p "$work"
ckpt=$work/ckpt
if [[ ! -f $ckpt/config.json ]]; then
  rm -rf "$ckpt"
  if [[ -n $ckpt_from ]]; then
    say "linking the safetensors of $ckpt_from"
    "$bin/gemma-synth" --variant "$variant" --layers "$layers" -o "$ckpt" --dry-run > "$work/synth-plan.json"
    python3 - "$work/synth-plan.json" "$ckpt_from" <<'PY' || die "$ckpt_from is not what gemma-synth --variant $variant --layers $layers writes"
import json, os, sys
plan = json.load(open(sys.argv[1]))
src = sys.argv[2]
ok = json.load(open(os.path.join(src, "config.json"))) == plan["config"]
index = os.path.join(src, "model.safetensors.index.json")
if os.path.exists(index):
    ok = ok and json.load(open(index)) == plan["index"]
sys.exit(0 if ok else 1)
PY
    mkdir -p "$ckpt"
    cp "$ckpt_from"/*.json "$ckpt/"
    for f in "$ckpt_from"/*.safetensors; do ln -s "$(cd "$(dirname "$f")" && pwd -P)/$(basename "$f")" "$ckpt/"; done
  else
    say "gemma-synth --variant $variant --layers $layers"
    "$bin/gemma-synth" --variant "$variant" --layers "$layers" -o "$ckpt"
  fi
fi
python3 "$repo/scripts/bench_llamacpp.py" tokenizer "$ckpt" "$repo/test/data/tokenizer/tokenizer.json.xz" >&2

# --- the run ----------------------------------------------------------------------
res=$work/results
rm -rf "$res"
mkdir -p "$res"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $cpu, $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "gemmac: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "llama.cpp: $llama_version, built with $llama_flags"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$res/run.txt"

# gemmac: compile (then the checkpoint is only needed for the conversion)
# and run; gemma-run measures the bandwidth in the same process.
say "gemma-bench -t $threads -p $p -n $n -r $r"
"$bin/gemma-bench" --ckpt "$ckpt" --work "$work/gemmac" --keep "${gemma_cpu[@]}" -t "$threads" -p "$p" -n "$n" \
  -r "$r" --json "$res/gemmac-bf16.json" | tee "$res/gemmac-bf16.md"
[[ $keep == 1 ]] || rm -rf "$work/gemmac"
gemma_extra=() has_weights=0
# Where the CPU has AVX512_BF16, also bf16 weights with bf16 activations
# (vdpbf16ps), which is what llama.cpp's BF16 matmul computes.
if [[ $avx2 == 0 ]] && grep -qw avx512_bf16 /proc/cpuinfo && "$bin/gemmac" --help 2>/dev/null | grep -q vdpbf16ps; then
  say "gemma-bench --activations bf16"
  "$bin/gemma-bench" --ckpt "$ckpt" --work "$work/gemmac-bf16act" --keep \
    --gemmac-flag --activations=bf16 -t "$threads" -p "$p" -n "$n" -r "$r" \
    --json "$res/gemmac-bf16act.json" | tee "$res/gemmac-bf16act.md"
  [[ $keep == 1 ]] || rm -rf "$work/gemmac-bf16act"
  gemma_extra+=(--gemma-bf16act "$res/gemmac-bf16act.json")
fi
if "$bin/gemmac" --help 2>/dev/null | grep -q -- '--weights'; then
  has_weights=1
  for w in int8 int4; do
    say "gemma-bench --weights $w"
    "$bin/gemma-bench" --ckpt "$ckpt" --work "$work/gemmac-$w" --keep --weights "$w" "${gemma_cpu[@]}" \
      -t "$threads" -p "$p" -n "$n" -r "$r" --json "$res/gemmac-$w.json" | tee "$res/gemmac-$w.md"
    [[ $keep == 1 ]] || rm -rf "$work/gemmac-$w"
    gemma_extra+=(--gemma-$w "$res/gemmac-$w.json")
  done
else
  say "gemmac has no --weights yet: int8/int4 rows are 'not yet'"
fi

# llama.cpp: convert with its own script, then per type quantize, bench and
# (without --keep) delete, so at most BF16 + one quantised GGUF are on disk.
gg=$work/gguf
mkdir -p "$gg"
stem=$gg/gemma4-$variant-${layers}l
if [[ ! -f $stem-bf16.gguf ]]; then
  say "convert_hf_to_gguf.py --outtype bf16"
  "$py" "$llama/convert_hf_to_gguf.py" "$ckpt" --outtype bf16 --outfile "$stem-bf16.gguf.tmp" \
    > "$res/convert.log" 2>&1 || { tail -30 "$res/convert.log" >&2; die "conversion failed (log: $res/convert.log)"; }
  mv "$stem-bf16.gguf.tmp" "$stem-bf16.gguf"
fi
[[ $keep == 1 ]] || rm -rf "$ckpt"
bytes_json=() bench_cmds=() quant_cmds=()
: > "$res/llama-bench.md"
: > "$res/llama-bench.jsonl"
llama_bench() { # GGUF: bytes per token, then llama-bench
  local m=$1 b
  b=$res/$(basename "$m" .gguf).bytes.json
  "$py" "$repo/scripts/bench_llamacpp.py" gguf-bytes "$m" --json > "$b"
  "$py" "$repo/scripts/bench_llamacpp.py" gguf-bytes "$m" >&2
  bytes_json+=("$b")
  say "llama-bench -m $(basename "$m") -t $threads -p $p -n $n -r $r"
  bench_cmds+=("llama-bench -m $(basename "$m") -t $threads -p $p -n $n -r $r")
  "$lb/llama-bench" -m "$m" -t "$threads" -p "$p" -n "$n" -r "$r" -o md -oe jsonl \
    > "$res/bench.md.tmp" 2> "$res/bench.stderr" ||
    { tail -20 "$res/bench.stderr" >&2; die "llama-bench failed on $m (log: $res/bench.stderr)"; }
  grep '^{' "$res/bench.stderr" >> "$res/llama-bench.jsonl" || die "llama-bench wrote no results"
  if [[ -s $res/llama-bench.md ]]; then grep -v -e '^| model' -e '^| ---' -e '^$' -e '^build:' "$res/bench.md.tmp" >> "$res/llama-bench.md"
  else grep -v -e '^$' -e '^build:' "$res/bench.md.tmp" >> "$res/llama-bench.md"; fi
  grep '^build:' "$res/bench.md.tmp" > "$res/llama-build.txt" || true
  cat "$res/bench.md.tmp"
}
llama_bench "$stem-bf16.gguf"
for t in $types; do
  lt=$(tr 'A-Z' 'a-z' <<<"$t")
  h=$head
  if [[ $h == auto ]]; then
    h=bf16
    [[ $has_weights == 1 && ( $lt == q8_0 || $lt == q4_0 ) ]] && h=$lt
  fi
  if [[ ! -f $stem-$lt.gguf ]]; then
    say "llama-quantize $t (--token-embedding-type $h --output-tensor-type $h)"
    "$lb/llama-quantize" --token-embedding-type "$h" --output-tensor-type "$h" \
      "$stem-bf16.gguf" "$stem-$lt.gguf.tmp" "$t" > "$res/quantize-$lt.log" 2>&1 ||
      { tail -30 "$res/quantize-$lt.log" >&2; die "llama-quantize $t failed"; }
    mv "$stem-$lt.gguf.tmp" "$stem-$lt.gguf"
  fi
  quant_cmds+=("llama-quantize --token-embedding-type $h --output-tensor-type $h M-bf16.gguf M-$lt.gguf $t")
  llama_bench "$stem-$lt.gguf"
  [[ $keep == 1 ]] || rm -f "$stem-$lt.gguf"
done
[[ $keep == 1 ]] || rm -rf "$gg"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$res/run.txt"

# --- the comparison -------------------------------------------------------------------
{
  cat "$res/run.txt"
  echo
  echo "commands (same threads, one run):"
  echo
  echo '```sh'
  echo "scripts/bench-llamacpp.sh${gemma_cpu:+ --avx2} -t $threads -p $p -n $n -r $r   # runs all of:"
  echo "build/bin/gemma-synth --variant $variant --layers $layers -o CKPT"
  echo "build/bin/gemma-bench --ckpt CKPT ${gemma_cpu[*]}${gemma_cpu:+ }-t $threads -p $p -n $n -r $r"
  [[ -f $res/gemmac-bf16act.json ]] && echo "build/bin/gemma-bench --ckpt CKPT --gemmac-flag --activations=bf16 -t $threads -p $p -n $n -r $r"
  [[ $has_weights == 1 ]] && echo "build/bin/gemma-bench --ckpt CKPT --weights int8|int4 ${gemma_cpu[*]}${gemma_cpu:+ }-t $threads -p $p -n $n -r $r"
  echo "python convert_hf_to_gguf.py CKPT --outtype bf16 --outfile M-bf16.gguf"
  printf '%s\n' "${quant_cmds[@]}"
  printf '%s\n' "${bench_cmds[@]}"
  echo '```'
  echo
  "$py" "$repo/scripts/bench_llamacpp.py" table --gemma-json "$res/gemmac-bf16.json" \
    "${gemma_extra[@]}" --llama-jsonl "$res/llama-bench.jsonl" --gguf-bytes "${bytes_json[@]}" \
    -p "$p" -n "$n"
  echo
  for f in "$res"/gemmac-{bf16,bf16act,int8,int4}.md; do
    [[ -f $f ]] || continue
    echo "gemma-run --bench ($(basename "$f" .md)):"
    echo
    cat "$f"
    echo
  done
  echo
  echo "llama-bench:"
  echo
  cat "$res/llama-bench.md"
} > "$out"
say "wrote $out (raw results in $res)"
cat "$out"

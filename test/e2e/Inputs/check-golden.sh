#!/usr/bin/env bash
# check-golden.sh DATA_DIR CASE WORK [INPUT|- [GEMMAC_FLAGS...]]: compiles
# the golden CASE (AVX2 code) from INPUT (default or "-": its Hugging Face
# folder; the ONNX tests pass DATA_DIR/golden/CASE/model.onnx) with any extra
# gemmac flags (e.g. --disable-pass=NAME), then checks, against its fp32
# reference: prefill logits, 24 greedy ids (with logits out, and argmax-only:
# the soft-cap skipped), every decode-step row, and that chunked (7 tokens
# per call, past the sliding window of 8) and token-by-token prefill give the same logits,
# and that the weights mapped from the file (--mmap) give the same logits as the
# weights read into memory (the default).
set -euxo pipefail
data=$1/golden/$2 work=$3 here=$(dirname "$0")
input=${4:--}
[[ $input == - ]] && input=$data
shift $(( $# < 4 ? $# : 4 ))
ref=$data/reference.safetensors
ids() { python3 "$here/ids.py" "$ref" "$1"; }
rm -rf "$work" && mkdir -p "$work"
gemmac "$input" -o "$work/out" --cpu=x86-64-v3 -q "$@"
run=$work/out/gemma-run
"$run" --ids "$(ids input_ids)" -n 24 --logits-out "$work/logits" --ids-out "$work/ids" --quiet
gemma-compare "$work/logits:logits" "$ref:logits" --rows-a 0:40 --atol 1e-3
gemma-compare --ids "$work/ids" "$ref:greedy_ids"
"$run" --ids "$(ids input_ids)" -n 24 --mmap --logits-out "$work/mapped" --quiet
gemma-compare "$work/mapped:logits" "$work/logits:logits" --atol 0
"$run" --ids "$(ids input_ids)" -n 24 --ids-out "$work/ids-argmax" --quiet
gemma-compare --ids "$work/ids-argmax" "$ref:greedy_ids"
gemma-compare "$work/logits:logits" "$ref:full_logits" --rows-a 40:63 --rows-b 40:63 --atol 1e-3
"$run" --ids "$(ids full_ids)" -n 1 -ub 7 --logits-out "$work/chunked" --quiet
gemma-compare "$work/chunked:logits" "$ref:full_logits" --atol 1e-3
"$run" --ids "$(ids input_ids)" -n 0 -ub 1 --logits-out "$work/single" --quiet
gemma-compare "$work/single:logits" "$ref:logits" --atol 1e-3

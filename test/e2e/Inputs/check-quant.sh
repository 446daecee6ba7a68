#!/usr/bin/env bash
# check-quant.sh DATA_DIR CASE WORK FORMAT MIN_TOP1 MAX_KL MIN_TOP1_F32 MAX_KL_F32:
# compiles the golden CASE with gemmac --weights FORMAT (int8|int4, AVX2
# code) and checks
#  1. exactness: with --activations f32 the logits equal (1e-4) those of a
#     plain compile of the checkpoint with its quantisable matrices replaced
#     by their dequantised values (Inputs/dequantize.py), so the pack and the
#     kernels do exactly what docs/weights.md says;
#  2. accuracy: over the 64 positions of full_ids, top-1 agreement with the
#     fp32 reference's full_logits and mean KL(ref || quant): >= MIN_TOP1 and
#     <= MAX_KL for the default (int8 activations), >= MIN_TOP1_F32 and
#     <= MAX_KL_F32 for --activations f32 (measured values:
#     docs/benchmarks.md);
#  3. greedy decoding runs, and (int8) the bf16 pack of the same model is
#     refused.
set -euxo pipefail
data=$1/golden/$2 work=$3 format=$4 top1=$5 kl=$6 top1_f32=$7 kl_f32=$8 here=$(dirname "$0")
ref=$data/reference.safetensors
ids() { python3 "$here/ids.py" "$ref" "$1"; }
rm -rf "$work" && mkdir -p "$work"
gemmac "$data" -o "$work/q" --cpu=x86-64-v3 -q --weights="$format"
"$work/q/gemma-run" --ids "$(ids full_ids)" -n 0 --logits-out "$work/q.logits" --quiet
gemmac "$data" -o "$work/qf" --cpu=x86-64-v3 -q --weights="$format" --activations=f32
"$work/qf/gemma-run" --ids "$(ids full_ids)" -n 0 --logits-out "$work/qf.logits" --quiet
python3 "$here/dequantize.py" "$data" "$work/deq" "$format"
gemmac "$work/deq" -o "$work/deq-out" --cpu=x86-64-v3 -q
"$work/deq-out/gemma-run" --ids "$(ids full_ids)" -n 0 --logits-out "$work/deq.logits" --quiet
gemma-compare "$work/qf.logits:logits" "$work/deq.logits:logits" --atol 1e-4
gemma-compare "$work/qf.logits:logits" "$ref:full_logits" --min-top1 "$top1_f32" --max-kl "$kl_f32"
gemma-compare "$work/q.logits:logits" "$ref:full_logits" --min-top1 "$top1" --max-kl "$kl"
"$work/q/gemma-run" --ids "$(ids input_ids)" -n 8 --ids-out "$work/ids" --quiet
test "$(tr ',' '\n' < "$work/ids" | wc -l)" -eq 8
# A pack of the same model in another weight format is refused (the model
# hash covers the format): the int8 runs try the bf16 (default) pack.
if [[ $format == int8 ]]; then
  gemmac "$data" -o "$work/bf16" --cpu=x86-64-v3 -q
  if "$work/q/gemma-run" -m "$work/bf16/weights.gpack" --ids 2 -n 1 --quiet 2> "$work/err"; then
    exit 1
  fi
  grep -q "does not belong to this deployable" "$work/err"
fi

#!/usr/bin/env bash
# prefill-equals-decode.sh VARIANT LAYERS WORK: writes a random-weight
# checkpoint with the released geometry of VARIANT (gemma-synth, 2 shards,
# multimodal layout), compiles it, and checks that prefilling a prompt in one
# step gives the same logits and ids as feeding it token by token through the
# KV cache. Removes WORK at the end (the checkpoints are several GB).
set -euxo pipefail
variant=$1 layers=$2 work=$3
prompt=2,1000,5000,70000,262000,17,99,4242,31337
rm -rf "$work" && mkdir -p "$work"
gemma-synth --variant "$variant" --layers "$layers" --shards 2 -o "$work/ckpt" --quiet
gemmac "$work/ckpt" -o "$work/out" --cpu=x86-64-v3 --ctx 64 --max-chunk 16 -q
"$work/out/gemma-run" --ids $prompt -n 4 --logits-out "$work/prefill.st" --ids-out "$work/prefill.ids" --quiet
"$work/out/gemma-run" --ids $prompt -n 4 -ub 1 --logits-out "$work/decode.st" --ids-out "$work/decode.ids" --quiet
gemma-compare "$work/prefill.st:logits" "$work/decode.st:logits" --atol 1e-3
cmp "$work/prefill.ids" "$work/decode.ids"
rm -rf "$work"

#!/usr/bin/env bash
# gemmac vs ONNX Runtime on the same model.onnx (issue 5; docs/benchmarks.md).
#
#   scripts/bench-ort.sh [bench-ort.py options]      e.g. --stages gemmac,ort
#
# Makes (once) a Python venv under build-ort/venv (git-ignored) with the
# versions the goldens were exported with (torch 2.11.0, transformers 5.17.0)
# plus onnx, onnxscript and onnxruntime from PyPI, then runs
# scripts/bench-ort.py: gemma-synth checkpoint -> torch.onnx export ->
# gemmac compile -> gemma-run --bench and ONNX Runtime on the same file.
# Needs ~35 GB of disk under build-ort/ (bf16 checkpoint 10.5 GB, float32
# model.onnx.data 22.5 GB, the deployable 10.5 GB; --delete-ckpt drops the
# checkpoint after the export).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${BENCH_ORT_VENV:-$root/build-ort/venv}
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --no-cache-dir -q \
    torch==2.11.0 transformers==5.17.0 onnx onnxscript onnxruntime numpy safetensors
fi
exec "$venv/bin/python" "$root/scripts/bench-ort.py" "$@"

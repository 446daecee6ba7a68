#!/usr/bin/env bash
# Benchmark (not a test): the runtime's C++ tokenizer (gemma-tokenize) vs
# Hugging Face `tokenizers` on the same >= 1 MiB text with Gemma's 262k
# tokenizer.json, single-threaded, median of REPEATS runs. Also checks that
# both produce the same ids. Prints a markdown table.
#
#   scripts/bench-tokenizer.sh [BUILD_DIR]        (default: build)
#
# Environment: TOKENIZER=path/to/tokenizer.json (default: the golden Gemma
# file from test/data), REPEATS (default 5), BENCH_PYTHON=a python with
# `tokenizers` (default: a venv created in BUILD_DIR/bench-venv with pip).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
repeats=${REPEATS:-5}
tool=$build/bin/gemma-tokenize
[[ -x $tool ]] || ninja -C "$build" gemma-tokenize

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tokenizer=${TOKENIZER:-}
if [[ -z $tokenizer ]]; then
  tokenizer=$work/tokenizer.json
  xz -dc test/data/tokenizer/tokenizer.json.xz > "$tokenizer"
fi

py=${BENCH_PYTHON:-}
if [[ -z $py ]]; then
  venv=$build/bench-venv
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import tokenizers' 2>/dev/null ||
    "$venv/bin/pip" install -q tokenizers
  py=$venv/bin/python
fi

helper=scripts/bench_tokenizer.py
python3 $helper corpus "$work/text.txt" "$work/oneline.txt"

echo "| implementation | input | bytes | tokens | load (ms) | encode (ms) | tokens/s | same ids |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
for input in text oneline; do
  file=$work/$input.txt
  label=$([[ $input == text ]] && echo "docs+sources" || echo "same, one line")
  ours=$(python3 $helper ours "$tool" "$tokenizer" "$file" "$repeats")
  hf=$("$py" $helper hf "$tokenizer" "$file" "$repeats" "$tool")
  python3 - "$label" "$ours" "$hf" <<'PY'
import json, sys
label, ours, hf = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
for name, r in (("gemma-tokenize (C++)", ours),
                ("HF tokenizers %s" % hf["version"], hf)):
    print("| %s | %s | %d | %d | %.0f | %.1f | %.0f | %s |" % (
        name, label, r["bytes"], r["tokens"], r["load_ms"], r["encode_ms"],
        r["tokens"] / (r["encode_ms"] / 1000), "yes" if hf["same_ids"] else "NO"))
PY
done

#!/usr/bin/env bash
# From a fresh Debian 12 machine (as root): install the dependencies, build
# gemmac, compile the bundled default model (test/data/golden/moe, a tiny
# random-weight Gemma 4 26B-A4B-shaped model) into a deployable and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
rm -rf build/default-model
build/bin/gemmac test/data/golden/moe -o build/default-model
echo "Generated token ids:"
build/default-model/gemma-run --ids 2,213,287,262,424,213,75,50 -n 16

#!/usr/bin/env bash
# Installs gemmac's build dependencies from Debian 12's packages (as root).
# Skips apt entirely when everything is already there. See docs/dependencies.md.
set -euo pipefail
packages=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 libomp-22-dev
          libfmt-dev ninja-build ccache cmake python3 xz-utils
          nlohmann-json3-dev libonnx-dev libprotobuf-dev protobuf-compiler)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

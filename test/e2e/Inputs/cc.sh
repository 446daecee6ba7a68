#!/bin/sh
# The C compiler the docs' command line names (cc), or clang-22 on machines
# where no cc is installed (install-deps.sh installs only clang-22).
if command -v cc >/dev/null 2>&1; then
  exec cc "$@"
fi
exec clang-22 "$@"

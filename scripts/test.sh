#!/usr/bin/env bash
# Runs every test: installs missing dependencies, builds, then lit (dialect,
# pass, frontend, runtime and end-to-end golden tests). Ends with the line
# "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
rc=0
lit-22 -sv build/test 2>&1 | tee build/lit.log || rc=$?
count() { grep -oP "^\s+$1\s*:\s*\K\d+" build/lit.log | head -1 || true; }
passed=$(count Passed); failed=$(count Failed); unsupported=$(count Unsupported)
timedout=$(count "Timed Out")
failed=$(( ${failed:-0} + ${timedout:-0} ))
echo "${passed:-0} passed, ${failed} failed, ${unsupported:-0} skipped"
exit $rc

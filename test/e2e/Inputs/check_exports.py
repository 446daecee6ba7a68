#!/usr/bin/env python3
"""check_exports.py HEADER LIBRARY: the dynamic symbols LIBRARY defines are
exactly the functions HEADER declares (nm -D --defined-only)."""
import re
import shutil
import subprocess
import sys

header = open(sys.argv[1], encoding="utf-8").read()
declared = set(re.findall(r"\b(gemma_\w+)\s*\(", header))
nm = shutil.which("nm") or shutil.which("llvm-nm-22") or "llvm-nm"
out = subprocess.run([nm, "-D", "--defined-only", sys.argv[2]], check=True,
                     capture_output=True, text=True).stdout
exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
exported = {s.split("@")[0] for s in exported}
if declared != exported:
    print("declared, not exported:", sorted(declared - exported))
    print("exported, not declared:", sorted(exported - declared))
    sys.exit(1)
print("exports OK: %d functions" % len(declared))

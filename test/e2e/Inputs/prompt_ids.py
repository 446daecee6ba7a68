#!/usr/bin/env python3
"""prompt_ids.py STDERR_FILE [N]: the ids of the N-th (default first)
"prefill at position P, K tokens: IDS" line gemma-run --verbose-prompt
wrote, comma separated (for feeding them back through --ids)."""
import re
import sys

lines = [m.group(1) for m in
         (re.search(r"prefill at position \d+, \d+ tokens: ([0-9,]+)", l)
          for l in open(sys.argv[1], encoding="utf-8")) if m]
print(lines[int(sys.argv[2]) if len(sys.argv) > 2 else 0])

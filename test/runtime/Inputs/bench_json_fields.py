"""Prints the roofline fields of a gemma-run --bench-json file in a fixed,
value-independent form (bench_roofline.test)."""
import json
import math
import sys

EXTRA = {"bytes_per_token", "achieved_bytes_per_s", "read_fraction", "triad_fraction"}

d = json.load(open(sys.argv[1]))
print("decode_bytes_per_token", d["decode_bytes_per_token"])
bw = d["memory_bandwidth"]
if bw is None:
    print("memory_bandwidth null")
else:
    print("memory_bandwidth arrays=%d array_bytes=%d passes=%d threads=%d read>0 triad>0 "
          "huge_pages=%s" % (bw["arrays"], bw["array_bytes"], bw["passes"], bw["threads"],
                             bw["huge_pages"])
          if bw["read_bytes_per_s"] > 0 and bw["triad_bytes_per_s"] > 0 else "bad bandwidth")
wm = d["weights_memory"]
print("weights_memory load=%s" % wm["load"]
      + ("" if wm["huge_page_bytes"] is None or wm["huge_page_bytes"] >= 0 else " bad bytes"))
for t in d["tests"]:
    keys = sorted(EXTRA & set(t))
    print(t["test"], "keys:", " ".join(keys) if keys else "-")
    if not keys:
        continue
    b = t["bytes_per_token"]
    ok = math.isclose(t["achieved_bytes_per_s"], b * t["avg_ts"], rel_tol=1e-5, abs_tol=1e-3)
    fr = [t["read_fraction"], t["triad_fraction"]]
    if all(f is None for f in fr):
        frs = "fractions=null"
    elif all(f is not None and f > 0 for f in fr):
        frs = "fractions>0"
    else:
        frs = "fractions bad %r" % fr
    print("%s bytes_per_token=%d achieved%s%d*avg_ts %s"
          % (t["test"], b, "==" if ok else "!=", b, frs))

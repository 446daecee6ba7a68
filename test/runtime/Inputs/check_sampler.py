#!/usr/bin/env python3
"""check_sampler.py DRIVER [--logits ...] [sampler flags] --draws N

Runs gemma-sampler-test with the flags and checks its output against an
independent reading of the sampling rules (Hugging Face warper order:
repetition penalty, temperature, top-k, top-p, min-p):
  * the support (ids that can be drawn) and its order are exactly the
    expected ones, with probabilities within 1e-9;
  * every drawn id lies in the support and the counts add up to N;
  * each id's frequency is within 5 standard deviations of its probability,
    and a chi-square test over all ids passes.
Prints "OK support=K draws=N" on success, else the first mismatch (exit 1).
"""
import math
import struct
import subprocess
import sys


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def parse_flags(argv):
    flags = {}
    for i in range(0, len(argv), 2):
        flags[argv[i]] = argv[i + 1]
    return flags


def expected(flags):
    logits = [f32(float(x)) for x in flags["--logits"].split(",")]
    temp = f32(float(flags.get("--temp", "1")))
    top_k = int(flags.get("--top-k", "0"))
    top_p = f32(float(flags.get("--top-p", "1")))
    min_p = f32(float(flags.get("--min-p", "0")))
    penalty = f32(float(flags.get("--repeat-penalty", "1")))
    last_n = int(flags.get("--repeat-last-n", "64"))
    history = [int(x) for x in flags["--history"].split(",")] if "--history" in flags else []

    if penalty != 1.0 and last_n != 0:
        window = history if last_n < 0 else history[-last_n:]
        for i in set(window):
            if 0 <= i < len(logits):
                v = logits[i]
                logits[i] = f32(v / penalty) if v > 0 else f32(v * penalty)

    if temp <= 0 or top_k == 1:
        best = max(range(len(logits)), key=lambda i: (logits[i], -i))
        return [(best, 1.0)]

    inv_t = 1.0 / temp
    scaled = {i: v * inv_t for i, v in enumerate(logits) if v != -math.inf}
    order = sorted(scaled, key=lambda i: (-scaled[i], i))
    if 0 < top_k < len(order):
        order = order[:top_k]
    top = scaled[order[0]]
    weight = {i: math.exp(scaled[i] - top) for i in order}
    total = sum(weight[i] for i in order)
    if top_p < 1.0:
        kept, before = [], 0.0
        for i in order:
            if kept and not before < top_p * total:
                break
            kept.append(i)
            before += weight[i]
        order = kept
    if min_p > 0.0:
        order = [order[0]] + [i for i in order[1:] if weight[i] >= min_p]
    total = sum(weight[i] for i in order)
    return [(i, weight[i] / total) for i in order]


def main():
    driver, argv = sys.argv[1], sys.argv[2:]
    flags = parse_flags(argv)
    draws = int(flags.get("--draws", "0"))
    out = subprocess.run([driver] + argv, check=True, capture_output=True, text=True).stdout
    dist, counts = [], {}
    for line in out.splitlines():
        kind, a, b = line.split()
        if kind == "p":
            dist.append((int(a), float(b)))
        elif kind == "n":
            counts[int(a)] = int(b)

    want = expected(flags)
    if [i for i, _ in dist] != [i for i, _ in want]:
        print("FAIL support: got %s, want %s" % ([i for i, _ in dist], [i for i, _ in want]))
        return 1
    for (i, p), (_, q) in zip(dist, want):
        if abs(p - q) > 1e-9:
            print("FAIL probability of %d: got %.12f, want %.12f" % (i, p, q))
            return 1

    prob = dict(want)
    if sum(counts.values()) != draws:
        print("FAIL %d draws counted, want %d" % (sum(counts.values()), draws))
        return 1
    for i in counts:
        if i not in prob:
            print("FAIL drew id %d outside the support" % i)
            return 1
    chi2, bins = 0.0, 0
    for i, p in prob.items():
        n = counts.get(i, 0)
        sigma = math.sqrt(p * (1 - p) / draws) if draws else 0
        if draws and abs(n / draws - p) > 5 * sigma + 0.5 / draws:
            print("FAIL frequency of %d: %.6f vs probability %.6f (%.1f sigma)"
                  % (i, n / draws, p, abs(n / draws - p) / sigma))
            return 1
        if draws and p * draws >= 5:
            chi2 += (n - p * draws) ** 2 / (p * draws)
            bins += 1
    df = max(bins - 1, 1)
    if draws and bins > 1 and chi2 > df + 6 * math.sqrt(2 * df):
        print("FAIL chi-square %.1f over %d bins" % (chi2, bins))
        return 1
    print("OK support=%d draws=%d" % (len(want), draws))
    return 0


if __name__ == "__main__":
    sys.exit(main())

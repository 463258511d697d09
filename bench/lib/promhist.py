#!/usr/bin/env python3
"""Quantiles from Prometheus histograms scraped out of a /metrics page (text format).

A histogram's buckets are cumulative counts; the difference of two scrapes of the same process is
the histogram of what happened in between, so a bench scrapes before and after the window it
measures. Quantiles interpolate linearly inside the bucket that holds the q-th observation (an
estimate: its error is at most the bucket's width).

As a command:
  promhist.py BEFORE AFTER NAME...        p50 / p99 / p99.9 (ms) of each histogram NAME between two scrapes
  promhist.py --per-second NAME FILE...   the p99 (ms) of each interval between consecutive scrapes
"""

import sys

INF = float("inf")


def histogram(path, name):
    """{upper bound in seconds: cumulative count} of histogram `name` in the scrape at `path`."""
    buckets = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(name + "_bucket"):
                le = line.split('le="')[1].split('"')[0]
                buckets[INF if le == "+Inf" else float(le)] = float(line.split()[-1])
    return buckets


def delta(after, before):
    return {le: after[le] - before.get(le, 0) for le in after}


def count(b):
    return b.get(INF, 0)


def quantile(b, q):
    """The q-quantile in ms (linear inside its bucket); nan for an empty histogram."""
    bounds = sorted(b)
    if not bounds or count(b) <= 0:
        return float("nan")
    target, prev_bound, prev_count = q * count(b), 0.0, 0.0
    for le in bounds:
        if b[le] >= target:
            if le == INF:
                return prev_bound * 1000
            share = (target - prev_count) / max(b[le] - prev_count, 1)
            return (prev_bound + (le - prev_bound) * share) * 1000
        prev_bound, prev_count = le, b[le]
    return float("nan")


def main(argv):
    if len(argv) >= 3 and argv[0] == "--per-second":
        name, files = argv[1], argv[2:]
        p99s = []
        for prev, cur in zip(files, files[1:]):
            d = delta(histogram(cur, name), histogram(prev, name))
            if count(d) > 0:
                p99s.append(f"{quantile(d, 0.99):.0f}")
        print(" ".join(p99s))
        return 0
    if len(argv) >= 3:
        before, after = argv[0], argv[1]
        for name in argv[2:]:
            d = delta(histogram(after, name), histogram(before, name))
            print(f"{name}: n={count(d):.0f} p50 {quantile(d, 0.5):.1f} ms, p99 {quantile(d, 0.99):.1f} ms, "
                  f"p99.9 {quantile(d, 0.999):.1f} ms")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

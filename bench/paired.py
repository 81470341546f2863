#!/usr/bin/env python3
"""Run two commands alternately, run by run, and compare their wall times.

Usage: paired.py RUNS -- CMD_A ... -- CMD_B ...
Prints: median A (ms), median B (ms), median of the per-pair ratios B/A.
Both commands must exit 0; output is discarded.
"""
import statistics, subprocess, sys, time

def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000

def main():
    runs = int(sys.argv[1])
    seps = [i for i, a in enumerate(sys.argv) if a == "--"]
    a, b = sys.argv[seps[0] + 1:seps[1]], sys.argv[seps[1] + 1:]
    for _ in range(3):  # warm the page cache and the server
        wall(a); wall(b)
    ta, tb, ratios = [], [], []
    for i in range(runs):
        # alternate which goes first, so neither always gets a warm connection
        if i % 2 == 0:
            x = wall(a); y = wall(b)
        else:
            y = wall(b); x = wall(a)
        ta.append(x); tb.append(y); ratios.append(y / x)
    print(f"{statistics.median(ta):.2f} {statistics.median(tb):.2f} {statistics.median(ratios):.2f}")

if __name__ == "__main__":
    main()

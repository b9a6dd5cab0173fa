#!/usr/bin/env python3
"""`score`'s speed beside the machine's state, sampled over time.

This VM's speed moves with what other tenants of its host do: the same
binary scored the same dump at ~65k and at ~35k comments/s within an hour.
Every EVERY seconds, COUNT times, this prints one line: the time, the
machine probe (examples/machine_probe.rs: dependent-chain step, memory
latency at 1, 8 and 128 MB) and comments/s of one `score` run on each dump
(default explanations, output to DIR), so speed can be read against the
machine's state. Run nothing else meanwhile.

  python3 research/speed_watch.py --bin /tmp/tl --count 12 --every 300 \
      /tmp/threadlens-bench-2e8.realtext.grouped.jsonl /tmp/threadlens-bench-2e8.grouped.jsonl

Copy the binary first (`cp target/release/threadlens /tmp/tl`) so that a
rebuild does not change it part way; the dumps come from
scripts/bench_speed.py (`--real-text` for the real-text one).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from bench_speed import PROBE, probe_line, timed  # noqa: E402


def comments(path):
    """Comments in a dump (one JSON line each), counted once."""
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--probe", default=PROBE)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--every", type=float, default=300)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("dumps", nargs="+")
    a = ap.parse_args()
    sizes = {d: comments(d) for d in a.dumps}
    out = os.path.join(a.dir, "threadlens-watch-out.jsonl")
    names = " | ".join(os.path.basename(d) for d in a.dumps)
    print(f"| time UTC | machine | {names} (comments/s) |", flush=True)
    for i in range(a.count):
        start = time.time()
        probe = probe_line(a.probe)
        rates = []
        for d in a.dumps:
            (wall,), _ = timed(["score", d, "-o", out], 1, a.bin)
            rates.append(f"{sizes[d] / wall:,.0f}")
        stamp = time.strftime("%H:%M:%S", time.gmtime(start))
        probe = probe.replace(" | ", "; ")
        print(f"| {stamp} | {probe} | {' | '.join(rates)} |", flush=True)
        if i + 1 < a.count:
            time.sleep(max(0.0, a.every - (time.time() - start)))


if __name__ == "__main__":
    main()

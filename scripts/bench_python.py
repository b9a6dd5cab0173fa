"""Time `threadlens.score(texts)` against `threadlens score` on the same
texts (the first N texts of the bench tasks' train splits, each on its own),
alternating runs. Usage:
  target/pyvenv/bin/python scripts/bench_python.py --shared ../shared -n 100000 --runs 3
"""
import argparse
import csv
import glob
import os
import subprocess
import sys
import tempfile
import time

import threadlens

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default="../shared")
ap.add_argument("-n", type=int, default=100000)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--bin", default="target/release/threadlens")
a = ap.parse_args()

csv.field_size_limit(sys.maxsize)
texts = []
for f in sorted(glob.glob(os.path.join(a.shared, "bench/tasks/*/train.csv"))):
    with open(f, newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["text"])
            if len(texts) == a.n:
                break
    if len(texts) == a.n:
        break
tmp = tempfile.mkdtemp()
path = os.path.join(tmp, "texts.csv")
with open(path, "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["id", "text"])
    for i, t in enumerate(texts):
        w.writerow([f"t{i}", t])
print(f"{len(texts)} texts, {os.path.getsize(path) / 1e6:.1f} MB", flush=True)
threadlens.score(texts[:10])  # load the models once, as a session would
for r in range(a.runs):
    t0 = time.perf_counter()
    subprocess.run([a.bin, "-q", "score", path, "-o", os.path.join(tmp, "out.jsonl")], check=True)
    cli = time.perf_counter() - t0
    t0 = time.perf_counter()
    df = threadlens.score(texts)
    py = time.perf_counter() - t0
    assert len(df) == len(texts)
    print(f"run {r + 1}: cli {cli:.2f} s, python {py:.2f} s, ratio {py / cli:.2f}", flush=True)

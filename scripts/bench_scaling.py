"""Scaling of each hot spot: time at n and 10n, and the ratio (linear is
~10; the bar is <= ~12). Hot spots: a page of numbered items (the section
search), a deep hostile reply chain between two authors (the report's
flame-dyad walk), a wide thread (one root, n replies), many authors, a WXR
export of n items, and JSON lines. Usage:
  python3 scripts/bench_scaling.py [--bin target/release/threadlens] [--n 20000] [--runs 3]
Each time is the median of --runs runs of the whole command.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="target/release/threadlens")
ap.add_argument("--n", type=int, default=20000)
ap.add_argument("--runs", type=int, default=3)
a = ap.parse_args()


def page(n):
    return "Title\n\nBody.\n" + "".join("\n  1. x\n" for _ in range(n))


def chain(n):
    rows = [{"id": "s", "name": "t3_s", "title": "post", "selftext": "", "author": "op"}]
    prev = "t3_s"
    for i in range(n):
        rows.append({"id": f"c{i}", "link_id": "t3_s", "parent_id": prev,
                     "author": "alice" if i % 2 else "bob", "body": "You are an idiot and a liar."})
        prev = f"t1_c{i}"
    return "".join(json.dumps(r) + "\n" for r in rows)


def wide(n):
    rows = [{"id": f"c{i}", "link_id": "t3_s", "parent_id": "t3_s", "author": f"u{i}",
             "body": "I disagree with this, it is wrong."} for i in range(n)]
    return "".join(json.dumps(r) + "\n" for r in rows)


def wxr(n):
    s = ['<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n']
    for i in range(n):
        s.append(f"<item><title>P{i}</title><wp:post_id>{i}</wp:post_id><wp:comment><wp:comment_id>{i}</wp:comment_id>"
                 f"<wp:comment_content>comment {i}</wp:comment_content><wp:comment_parent>0</wp:comment_parent></wp:comment></item>\n")
    s.append("</channel>\n</rss>\n")
    return "".join(s)


CASES = [
    ("page: numbered items (parse)", "p.txt", page, ["parse"]),
    ("deep hostile chain (report)", "c.jsonl", chain, ["report", "--output-format", "json"]),
    ("wide thread (report)", "w.jsonl", wide, ["report", "--output-format", "json"]),
    ("WXR items (parse)", "e.xml", wxr, ["parse"]),
]

tmp = tempfile.mkdtemp()


def timed(cmd):
    ts = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t0)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{cmd}: exit {r.returncode}")
    return statistics.median(ts)


print("| hot spot | n | time(n) | time(10n) | ratio |")
print("|---|---|---|---|---|")
for name, fname, gen, args in CASES:
    times = []
    for n in (a.n, 10 * a.n):
        path = os.path.join(tmp, f"{n}-{fname}")
        with open(path, "w") as f:
            f.write(gen(n))
        cmd = [a.bin, "-q", args[0], path, "-o", "-"] + args[1:]
        times.append(timed(cmd))
    print(f"| {name} | {a.n:,} | {times[0]:.2f} s | {times[1]:.2f} s | {times[1] / times[0]:.1f} |", flush=True)

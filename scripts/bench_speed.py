#!/usr/bin/env python3
"""End-to-end speed and memory of `score` and `report` on synthetic dumps
(issue #5's targets: comments/s, 1 M comments in a minute, memory bounded by
the batch when threads are contiguous).

Makes the dumps with `cargo run --release --example gen_dump` (Pushshift-
style lines, threads interleaved as in the monthly dumps), writes a copy
with the same lines grouped by thread (each thread at its first appearance,
so `score`/`report` stream it), then times each command RUNS times with
`/usr/bin/time` and prints one row per command: wall seconds (min–max),
comments/s, peak RSS. Nothing else should run meanwhile: this VM's timings
vary by up to ±30% between identical runs, and more between hours. Before
and after the table it prints the machine's state at the time
(`examples/machine_probe.rs`: memory latency at 1, 8 and 128 MB and a
dependent arithmetic chain): `score` follows the 8 MB latency, which other
tenants of the VM's host move between ~20 and ~150 ns.

  python3 scripts/bench_speed.py [--bytes 2e8] [--million] [--real-text] [--hn] [--runs 3] [--dir /tmp]

--million adds `report` on 1 M comments (a 1.32 GB dump, ~1 min per run):
grouped by thread (streamed), and the interleaved original read whole and
split into partitions by thread (peak memory of each).
--real-text adds rows on a copy of the grouped dump whose comment bodies are
real comments (Reddit, Globe and Mail and Fox News comments from the bench
tasks in ../shared/bench/tasks, drawn in a fixed random order): real
lengths and real vocabulary instead of gen_dump's random words. The reply
structure stays gen_dump's, so a reply's parent is an unrelated comment.
--hn adds `report` on a Hacker News items copy of the interleaved dump (the
1 M one with --million): stories and comments as the HN API writes them,
no thread ids, so each record's thread comes from its parent chain: whole
(--partition-mb 0), default, and --partition-mb 64 (peak memory of each).
"""
import argparse
import csv
import json
import random
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "threadlens")


def make_dump(nbytes, path):
    """Generate (once) an interleaved dump and its thread-grouped copy."""
    grouped = path.replace(".jsonl", ".grouped.jsonl")
    meta = path + ".comments"
    if not (os.path.exists(path) and os.path.exists(grouped) and os.path.exists(meta)):
        r = subprocess.run(
            ["cargo", "run", "--release", "-q", "--example", "gen_dump", "--", nbytes, path],
            cwd=ROOT, capture_output=True, text=True, check=True)
        m = re.search(r"comments=(\d+)", r.stderr)
        if not m:
            sys.exit(f"gen_dump said: {r.stderr}")
        threads = {}
        order = []
        with open(path, "rb") as f:
            for line in f:
                t = json.loads(line)["link_id"]
                if t not in threads:
                    threads[t] = []
                    order.append(t)
                threads[t].append(line)
        with open(grouped, "wb") as g:
            for t in order:
                g.writelines(threads[t])
        with open(meta, "w") as f:
            f.write(m.group(1))
    return grouped, int(open(meta).read())


REAL_SOURCES = [
    ("reddit_incivility", ["text"]),
    ("debagreement", ["text", "parent_text"]),
    ("c3_toxic", ["text"]),
    ("fox_news_hate", ["text"]),
]


def make_real_text(grouped, tasks_dir):
    """Copy of `grouped` with every body replaced by a real comment."""
    out = grouped.replace(".grouped.jsonl", ".realtext.grouped.jsonl")
    if os.path.exists(out):
        return out
    csv.field_size_limit(1 << 30)
    texts = []
    for task, cols in REAL_SOURCES:
        for split in ("train", "test"):
            with open(os.path.join(tasks_dir, task, f"{split}.csv"), encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    texts.extend(row[c] for c in cols if row.get(c, "").strip())
    texts = sorted(set(texts))
    random.Random(20261128).shuffle(texts)
    with open(grouped, "rb") as f, open(out + ".tmp", "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            rec = json.loads(line)
            rec["body"] = texts[i % len(texts)]
            g.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(out + ".tmp", out)
    return out


def make_hn(path):
    """Hacker News items copy of an interleaved gen_dump dump: one story
    item per thread at its first appearance, then comments whose `parent` is
    the story or the comment they answer; no thread ids."""
    out = path.replace(".jsonl", ".hn.jsonl")
    if os.path.exists(out):
        return out
    seen = set()
    with open(path, "rb") as f, open(out + ".tmp", "w") as g:
        for line in f:
            r = json.loads(line)
            story = r["link_id"][3:]
            if story not in seen:
                seen.add(story)
                g.write(json.dumps({"id": story, "type": "story", "by": "op",
                                    "time": r["created_utc"], "title": "Story " + story}) + "\n")
            g.write(json.dumps({"id": r["id"], "type": "comment", "by": r["author"],
                                "time": r["created_utc"], "parent": r["parent_id"][3:],
                                "text": r["body"]}) + "\n")
    os.rename(out + ".tmp", out)
    return out


def timed(args, runs, binary=BIN):
    """Wall seconds of each of RUNS runs of `binary -q ARGS`, and the peak RSS in MB."""
    walls, rss = [], []
    for _ in range(runs):
        r = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", binary, "-q", *args],
                           cwd=ROOT, capture_output=True, text=True)
        m = re.search(r"TIME ([\d.]+) (\d+)", r.stderr)
        if r.returncode != 0 or not m:
            sys.exit(f"{' '.join(args)} failed: {r.stderr[-2000:]}")
        walls.append(float(m.group(1)))
        rss.append(int(m.group(2)) / 1024)
    return walls, max(rss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bytes", default="2e8")
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--real-text", action="store_true")
    ap.add_argument("--hn", action="store_true")
    ap.add_argument("--tasks-dir", default=os.path.join(ROOT, "..", "shared", "bench", "tasks"))
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "--example", "machine_probe"],
                   cwd=ROOT, check=True)
    print(f"machine before: {probe()}\n", flush=True)
    out = os.path.join(a.dir, "threadlens-bench-out")
    dumps = [(a.bytes, os.path.join(a.dir, f"threadlens-bench-{a.bytes}.jsonl"))]
    if a.million:
        dumps.append(("1.32e9", os.path.join(a.dir, "threadlens-bench-1.32e9.jsonl")))
    print("| command | comments | wall s (min–max) | comments/s | peak RSS MB |")
    print("|---|---|---|---|---|")
    for nbytes, path in dumps:
        grouped, n = make_dump(nbytes, path)
        cases = [
            (f"score {os.path.basename(grouped)} (streamed)", ["score", grouped, "-o", out + ".jsonl"]),
            ("  the same, --explain none", ["score", grouped, "--explain", "none", "-o", out + ".jsonl"]),
            (f"score {os.path.basename(path)} (interleaved: whole)", ["score", path, "-o", out + ".jsonl"]),
            (f"report {os.path.basename(grouped)} (streamed)", ["report", grouped, "-o", out + ".html"]),
        ]
        if nbytes != a.bytes:  # the 1 M dump: report only, and memory on the interleaved original
            cases = cases[3:] + [
                (f"report {os.path.basename(path)} (interleaved: whole, --partition-mb 0)",
                 ["report", path, "--partition-mb", "0", "-o", out + ".html"]),
                (f"report {os.path.basename(path)} (interleaved: --partition-mb 256)",
                 ["report", path, "--partition-mb", "256", "-o", out + ".html"]),
            ]
        elif a.real_text:
            real = make_real_text(grouped, a.tasks_dir)
            name = os.path.basename(real)
            cases += [
                (f"score {name} (streamed)", ["score", real, "-o", out + ".jsonl"]),
                ("  the same, --explain none", ["score", real, "--explain", "none", "-o", out + ".jsonl"]),
                (f"report {name} (streamed)", ["report", real, "-o", out + ".html"]),
            ]
        if a.hn and (nbytes != a.bytes or not a.million):
            hn = make_hn(path)
            name = os.path.basename(hn)
            cases += [
                (f"report {name} (HN items: whole, --partition-mb 0)",
                 ["report", hn, "--partition-mb", "0", "-o", out + ".html"]),
                (f"report {name} (HN items: default --partition-mb)",
                 ["report", hn, "-o", out + ".html"]),
                (f"report {name} (HN items: --partition-mb 64)",
                 ["report", hn, "--partition-mb", "64", "-o", out + ".html"]),
            ]
        for name, args in cases:
            walls, rss = timed(args, a.runs)
            lo, hi = min(walls), max(walls)
            print(f"| {name} | {n:,} | {lo:.2f}–{hi:.2f} | {n / hi:,.0f}–{n / lo:,.0f} | {rss:.0f} |",
                  flush=True)
    print(f"\nmachine after: {probe()}")


PROBE = os.path.join(ROOT, "target", "release", "examples", "machine_probe")


def probe_line(path=PROBE):
    """examples/machine_probe's line: the machine's state now."""
    return subprocess.run([path], capture_output=True, text=True, check=True).stdout.strip()


def probe():
    """The machine's state now, with the time."""
    return time.strftime("%H:%M:%S UTC ", time.gmtime()) + probe_line()


if __name__ == "__main__":
    main()

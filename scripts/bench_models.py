#!/usr/bin/env python3
"""threadlens models vs the scikit-learn peer, side by side on the bench tasks.

`--kind incivility` (default) or `--kind stance`. For every task of that kind
in ../shared/bench/tasks (or --tasks-dir):
  1. peer: `peer_sklearn.py --task T --no-write` (fit time, ROC AUC or
     macro-F1) and, with --throughput N, `--predict-only-throughput N`
     (comments/s, one thread);
  2. threadlens: `train --task KIND --data train.csv --test test.csv` under
     /usr/bin/time (wall seconds, peak RSS) with the shipped tokenizer;
  3. the shipped default model (models/KIND.json) on the test split;
  4. with --throughput N: `threadlens eval` on N copies of the test texts, from
     CSV, both cores (wall time of the whole command and scoring rate).

`--loso` (incivility): leave-one-source-out instead. For each of the six
sources, train the default model's way (rows pooled as they come, shipped
tokenizer, plus any --train-arg: the shipped model adds
`--train-arg=--embeddings=models/embeddings.json --train-arg=--lexicon`;
the recipe before 2026-12-03 added `--train-arg=--balance-files` too) on the other five train splits and report ROC AUC on the
held-out source's test split, beside the in-domain AUC of the same recipe on
all six; the mean over sources is the generalisation number in the model card.

Prints a Markdown table and writes JSON lines to --json. Needs the release
binary (cargo build --release) and, for the peer, a Python with scikit-learn
(--python, default /tmp/venv/bin/python3).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("THREADLENS_BIN") or os.path.join(ROOT, "target", "release", "threadlens")
TASKS = {
    "incivility": ["olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate"],
    "stance": ["rumoureval2017", "rumoureval2019", "pheme_parent", "debagreement"],
}
STANCE = ["agree", "disagree", "query", "comment"]


def timed(cmd):
    """Run under /usr/bin/time -v; return (stdout, wall_s, peak_rss_mb)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
        rss = 0.0
        for line in tf.read().splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[1]) / 1024
    return out.stdout, wall, rss


def last_json(s):
    return json.loads([l for l in s.splitlines() if l.startswith("{")][-1])


def write_json(path, rows):
    """The rows as JSON lines, if a path was given."""
    if path:
        with open(path, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


def copies_csv(src, n, dst):
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        for _ in range(n):
            w.writerows(rows[1:])
    return (len(rows) - 1) * n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=sorted(TASKS), default="incivility")
    ap.add_argument("--tasks-dir", default=os.path.join(ROOT, "..", "shared", "bench", "tasks"))
    ap.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "peer_sklearn.py"))
    ap.add_argument("--python", default="/tmp/venv/bin/python3")
    ap.add_argument("--no-peer", action="store_true", help="skip the peer (use peer_results.json numbers)")
    ap.add_argument("--throughput", type=int, default=0, metavar="N", help="also time scoring N copies of each test set")
    ap.add_argument("--task", action="append", help="only these tasks")
    ap.add_argument("--json", default=None, help="write JSON lines here")
    ap.add_argument("--train-arg", action="append", default=[], metavar="ARG",
                    help="pass ARG to `threadlens train` (repeat for several, e.g. --train-arg=--char-words --train-arg=unknown)")
    ap.add_argument("--loso", action="store_true", help="leave-one-source-out table (incivility)")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    if args.loso:
        return loso(args)
    tok = os.path.join(ROOT, "models", "tokenizer.json")
    default = os.path.join(ROOT, "models", args.kind + ".json")
    stance = args.kind == "stance"
    key = "macro_f1" if stance else "roc_auc"
    stored = {}
    pr = os.path.join(os.path.dirname(args.peer), "peer_results.json")
    if os.path.exists(pr):
        stored = json.load(open(pr))
    rows = []
    tmp = tempfile.mkdtemp(prefix="tl-bench-")
    for t in args.task or TASKS[args.kind]:
        tr = os.path.join(args.tasks_dir, t, "train.csv")
        te = os.path.join(args.tasks_dir, t, "test.csv")
        r = {"task": t}
        if args.no_peer:
            p = stored["tasks"][t]
            r.update(peer_auc=p["metrics"][key], peer_fit_s=p["fit_s"], peer_rss_mb=p["peak_rss_mb"], peer_source="peer_results.json")
        else:
            out = subprocess.run([args.python, args.peer, "--task", t, "--no-write", "--repeat", "1"], capture_output=True, text=True, check=True)
            p = last_json(out.stdout)
            r.update(peer_auc=p["metrics"][key], peer_fit_s=p["fit_s"], peer_rss_mb=p["peak_rss_mb"], peer_source="same run")
        model = os.path.join(tmp, t + ".json")
        out, wall, rss = timed([BIN, "-q", "train", "--task", args.kind, "--tokenizer", tok, "--data", tr, "--test", te, "-o", model] + args.train_arg)
        m = last_json(out)["heldout"]["metrics"]
        r.update(auc=round(m[key], 4), train_s=round(wall, 2), train_rss_mb=round(rss, 1))
        if stance:
            r.update(accuracy=round(m["accuracy"], 4), recall={l: round(v, 3) for l, v in zip(m["labels"], m["recall"])},
                     gmean_recall=round(m["gmean_recall"], 4))
            if not args.no_peer:
                r["peer_recall"] = p["metrics"]["recall"]
        else:
            r.update(f1=round(m["f1"], 4), ece=round(m["ece"], 4))
        if os.path.exists(default) and not (stance and t == "rumoureval2017"):
            # (The default stance model is trained on rumoureval2019/train,
            # which contains rumoureval2017/test: no score there.)
            out, _, _ = timed([BIN, "-q", "eval", "-m", default, "--data", te])
            r["default_auc"] = round(last_json(out)[key], 4)
        if args.throughput:
            big = os.path.join(tmp, t + f".x{args.throughput}.csv")
            n = copies_csv(te, args.throughput, big)
            out, wall, _ = timed([BIN, "-q", "eval", "-m", model, "--data", big])
            e = last_json(out)
            r.update(n_scored=n, ours_cps_wall=round(n / wall), ours_cps_scoring=round(e["comments_per_s"]))
            if args.no_peer:
                r["peer_cps"] = stored.get("throughput", {}).get(t, {}).get("comments_per_s")
            else:
                out = subprocess.run([args.python, args.peer, "--task", t, "--no-write", "--predict-only-throughput", str(args.throughput)],
                                     capture_output=True, text=True, check=True)
                r["peer_cps"] = last_json(out.stdout)["comments_per_s"]
            os.remove(big)
        rows.append(r)
        print(json.dumps(r), file=sys.stderr, flush=True)
    write_json(args.json, rows)
    metric = "macro-F1" if stance else "AUC"
    hdr = f"| task | peer {metric} | ours {metric} | Δ | default model {metric} | peer fit s | ours train s | ratio | ours peak RSS MB |"
    if stance:
        hdr += " recall agree / disagree / query / comment (peer → ours) |"
    if args.throughput:
        hdr += " peer comments/s | ours comments/s (wall) | × |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        line = (f"| {r['task']} | {r['peer_auc']:.4f} | {r['auc']:.4f} | {r['auc'] - r['peer_auc']:+.4f} | "
                f"{r.get('default_auc', float('nan')):.4f} | {r['peer_fit_s']:.2f} | {r['train_s']:.2f} | "
                f"{r['train_s'] / r['peer_fit_s']:.2f} | {r['train_rss_mb']:.0f} |")
        if stance:
            pr_ = r.get("peer_recall") or {}
            line += " " + " / ".join(f"{pr_.get(l, float('nan')):.2f}→{r['recall'][l]:.2f}" for l in STANCE) + " |"
        if args.throughput:
            pc = r.get("peer_cps") or float("nan")
            line += f" {pc:.0f} | {r['ours_cps_wall']} | {r['ours_cps_wall'] / pc:.1f} |"
        print(line)


def loso(args):
    """Leave-one-source-out ROC AUC of the default recipe (see the docstring)."""
    tok = os.path.join(ROOT, "models", "tokenizer.json")
    tasks = TASKS["incivility"]
    tmp = tempfile.mkdtemp(prefix="tl-loso-")
    split = lambda t, s: os.path.join(args.tasks_dir, t, s + ".csv")
    base = [BIN, "-q", "train", "--tokenizer", tok] + args.train_arg
    pooled = os.path.join(tmp, "all.json")
    timed(base + ["--data"] + [split(t, "train") for t in tasks] + ["-o", pooled])
    rows = []
    for held in args.task or tasks:
        model = os.path.join(tmp, held + ".json")
        _, wall, _ = timed(base + ["--data"] + [split(t, "train") for t in tasks if t != held] + ["-o", model])
        out, _, _ = timed([BIN, "-q", "eval", "-m", model, "--data", split(held, "test")])
        ins, _, _ = timed([BIN, "-q", "eval", "-m", pooled, "--data", split(held, "test")])
        r = {"held_out": held, "loso_auc": round(last_json(out)["roc_auc"], 4),
             "in_domain_auc": round(last_json(ins)["roc_auc"], 4), "train_s": round(wall, 1),
             "train_args": args.train_arg}
        rows.append(r)
        print(json.dumps(r), file=sys.stderr, flush=True)
    write_json(args.json, rows)
    print("| held-out source | LOSO ROC AUC | in-domain ROC AUC (all six) |")
    print("|---|---|---|")
    for r in rows:
        print(f"| {r['held_out']} | {r['loso_auc']:.4f} | {r['in_domain_auc']:.4f} |")
    mean = lambda k: sum(r[k] for r in rows) / len(rows)
    print(f"| **mean** | **{mean('loso_auc'):.4f}** | {mean('in_domain_auc'):.4f} |")


if __name__ == "__main__":
    main()

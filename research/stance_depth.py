#!/usr/bin/env python3
"""Does the conversation branch close the rumoureval2019 gap (issue #4)?

RumourEval labels every reply's stance toward the thread's *source*. The
bench CSV flattens each thread (every row's parent is the source), but the
raw reply trees in ../shared/data give each reply's real depth. A reply
deeper than the first level is nearly always `comment` toward the source
(97% of the test rows, 83% of the train rows), which a text-only model
cannot see. This script measures how much knowing the depth is worth:

  1. trains per-task stance models on the rumoureval2019 train split (all
     rows, and only the direct replies), with token n-grams (the default)
     and with character n-grams too;
  2. scores the test split (`eval --predictions`) and applies the model's
     own decision (its stored per-class offsets);
  3. prints test macro-F1 and per-class F1 for the model alone, with every
     deeper reply set to `comment`, and on the direct replies alone.

The depth rule is applied on the test set for measurement only: nothing
here is tuned on it, and `score` predicts stance toward the parent, where
the rule does not apply.

  python3 research/stance_depth.py [--shared ../shared] [--bin target/release/threadlens]
      [--work /tmp/stance_depth]
"""
import argparse
import json
import math
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ["agree", "disagree", "query", "comment"]


def f1s(pairs):
    out = []
    for c in LABELS:
        tp = sum(1 for y, p in pairs if y == c and p == c)
        fp = sum(1 for y, p in pairs if y != c and p == c)
        fn = sum(1 for y, p in pairs if y == c and p != c)
        out.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(out) / len(out), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "threadlens"))
    ap.add_argument("--work", default="/tmp/stance_depth")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    task = os.path.join(a.shared, "bench", "tasks", "rumoureval2019")
    parent = {}
    flat = os.path.join(a.shared, "data", "stance", "rumoureval2019", "rumoureval2019_flat.jsonl")
    for line in open(flat, encoding="utf-8"):
        r = json.loads(line)
        parent[r["id"]] = (r["parent_id"], r["thread_id"])
    deep = lambda i: parent[i][0] != parent[i][1]
    direct = os.path.join(a.work, "direct_train.csv")
    subprocess.run(["python3", os.path.join(ROOT, "scripts", "stance_parent_data.py"),
                    a.shared, direct], check=True, stderr=subprocess.DEVNULL)
    tok = os.path.join(ROOT, "models", "tokenizer.json")
    print("| training rows | features | alone | deeper replies → comment (F1 agree / disagree / query / comment) | direct replies only |")
    print("|---|---|---|---|---|")
    for rows, data in [("all", os.path.join(task, "train.csv")), ("direct replies", direct)]:
        for feats, extra in [("tokens", []), ("tokens + chars", ["--char-ngrams", "yes"])]:
            name = f"{rows}-{feats}".replace(" ", "_").replace("+", "")
            model = os.path.join(a.work, name + ".json")
            pred = os.path.join(a.work, name + ".pred.jsonl")
            subprocess.run([a.bin, "train", "-q", "--task", "stance", "--tokenizer", tok,
                            "--data", data, "-o", model, *extra], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([a.bin, "eval", "-q", "--model", model, "--data",
                            os.path.join(task, "test.csv"), "--predictions", pred],
                           check=True, stdout=subprocess.DEVNULL)
            off = json.load(open(model, encoding="utf-8"))["offsets"]
            preds = [json.loads(l) for l in open(pred, encoding="utf-8")]

            def decide(r):
                return max(LABELS, key=lambda c: math.log(r["probabilities"][c] + 1e-12)
                           + off[LABELS.index(c)])

            alone = f1s([(r["label"], decide(r)) for r in preds])[0]
            ruled, per = f1s([(r["label"], "comment" if deep(r["id"]) else decide(r))
                              for r in preds])
            direct_only = f1s([(r["label"], decide(r)) for r in preds if not deep(r["id"])])[0]
            print(f"| {rows} | {feats} | {alone:.3f} | **{ruled:.3f}** "
                  f"({' / '.join(f'{x:.2f}' for x in per)}) | {direct_only:.3f} |", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How far can decision rules on top of our stance model go on a stance task?

Issue #4 asks for macro-F1 >= 0.50 on rumoureval2019. This script asks
whether any rule on top of the model's probabilities could get there:

  1. trains `threadlens` stance models on 3 thread-grouped folds of the
     train split (out-of-fold probabilities for every train row) and on the
     whole train split (probabilities for the test rows), with and without
     character n-grams;
  2. prints test macro-F1 for
       shipped     the model's own decision (eval's macro_f1)
       argmax      argmax of the probabilities
       oracle      the best per-class offsets *chosen on the test set*
                   (coordinate ascent): an upper bound for every threshold
                   rule, not a result
       stack       a class-balanced logistic regression on the log
                   probabilities, fitted out of fold, offsets tuned out of
                   fold (no test data)
       stack+thread  the same plus thread context: the mean probabilities
                   of the row's siblings in its thread and the thread size
     and per-class F1 of the stacked rule.

Needs numpy, pandas and scikit-learn (the peer's venv):
  /tmp/venv/bin/python3 research/stance_ceiling.py [--task rumoureval2019]
      [--shared ../shared] [--bin target/release/threadlens] [--work /tmp/stance_ceiling]
"""
import argparse
import csv
import json
import os
import subprocess

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ["agree", "disagree", "query", "comment"]


def run(args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def predictions(path, frame):
    """Rows of an eval --predictions file → (y, log P) in `frame`'s order."""
    by_id = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        by_id[r["id"]] = [r["probabilities"][c] for c in LABELS]
    P = np.array([by_id[i] for i in frame.id])
    y = np.array([LABELS.index(v) for v in frame.label])
    return y, np.log(P + 1e-9)


def tune(y, L, grid=np.linspace(-3, 3, 61)):
    """Per-class offsets (comment fixed at 0) maximising macro-F1 on (y, L)."""
    b = np.zeros(4)
    best = f1_score(y, L.argmax(1), average="macro")
    for _ in range(3):
        for c in range(3):
            for g in grid:
                bb = b.copy()
                bb[c] = g
                f = f1_score(y, (L + bb).argmax(1), average="macro")
                if f > best:
                    best, b = f, bb
    return b, best


def thread_context(frame, L):
    P = np.exp(L)
    df = pd.DataFrame(P)
    df["t"] = frame.thread_id.values
    total = df.groupby("t").transform("sum").values
    n = df.groupby("t")[0].transform("size").values[:, None]
    others = (total - P) / np.maximum(n - 1, 1)
    return np.hstack([L, others, np.log(n)])


def stack(Xtr, ytr, groups, Xte, yte):
    clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    oof = np.zeros((len(ytr), 4))
    for a, b in GroupKFold(3).split(Xtr, ytr, groups):
        oof[b] = clf.fit(Xtr[a], ytr[a]).predict_log_proba(Xtr[b])
    off, _ = tune(ytr, oof)
    pred = (clf.fit(Xtr, ytr).predict_log_proba(Xte) + off).argmax(1)
    return f1_score(yte, pred, average="macro"), f1_score(yte, pred, average=None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", default="rumoureval2019")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "threadlens"))
    ap.add_argument("--work", default="/tmp/stance_ceiling")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    tdir = os.path.join(a.shared, "bench", "tasks", a.task)
    train, test = read(os.path.join(tdir, "train.csv")), read(os.path.join(tdir, "test.csv"))
    tok = os.path.join(ROOT, "models", "tokenizer.json")
    # Thread-grouped folds (rows of one thread share their source text).
    threads = sorted(train.thread_id.unique())
    np.random.RandomState(0).shuffle(threads)
    fold_of = {t: i % 3 for i, t in enumerate(threads)}
    fold = train.thread_id.map(fold_of).values
    paths = []
    for k in range(3):
        # Quote every field: texts hold bare carriage returns.
        tr, te = (os.path.join(a.work, f"{s}{k}.csv") for s in ("tr", "te"))
        train[fold != k].to_csv(tr, index=False, quoting=csv.QUOTE_ALL)
        train[fold == k].to_csv(te, index=False, quoting=csv.QUOTE_ALL)
        paths.append((tr, te))
    logp = {}
    print(f"| {a.task} | shipped | argmax | oracle (test-tuned) | stack | stack+thread |")
    print("|---|---|---|---|---|---|")
    for chars in ("no", "yes"):
        oof_parts = []
        for k, (tr, te) in enumerate(paths):
            m = os.path.join(a.work, f"m{k}_{chars}.json")
            p = os.path.join(a.work, f"p{k}_{chars}.jsonl")
            run([a.bin, "train", "-q", "--task", "stance", "--char-ngrams", chars,
                 "--tokenizer", tok, "--data", tr, "-o", m])
            run([a.bin, "eval", "-q", "--model", m, "--data", te, "--predictions", p])
            oof_parts.append(p)
        rows = {}
        for p in oof_parts:
            for line in open(p, encoding="utf-8"):
                r = json.loads(line)
                rows[r["id"]] = r
        oof_path = os.path.join(a.work, f"oof_{chars}.jsonl")
        with open(oof_path, "w", encoding="utf-8") as f:
            for r in rows.values():
                f.write(json.dumps(r) + "\n")
        m = os.path.join(a.work, f"full_{chars}.json")
        p = os.path.join(a.work, f"test_{chars}.jsonl")
        run([a.bin, "train", "-q", "--task", "stance", "--char-ngrams", chars,
             "--tokenizer", tok, "--data", os.path.join(tdir, "train.csv"), "-o", m])
        out = subprocess.run([a.bin, "eval", "-q", "--model", m, "--data",
                              os.path.join(tdir, "test.csv"), "--predictions", p],
                             check=True, capture_output=True, text=True).stdout
        shipped = json.loads(out)["macro_f1"]
        ytr, Ltr = predictions(oof_path, train)
        yte, Lte = predictions(p, test)
        logp[chars] = (Ltr, Lte)
        argmax = f1_score(yte, Lte.argmax(1), average="macro")
        _, oracle = tune(yte, Lte)
        st, per = stack(Ltr, ytr, train.thread_id.values, Lte, yte)
        stt, _ = stack(thread_context(train, Ltr), ytr, train.thread_id.values,
                       thread_context(test, Lte), yte)
        print(f"| char n-grams {chars} | {shipped:.3f} | {argmax:.3f} | {oracle:.3f} | "
              f"{st:.3f} (F1 {' / '.join(f'{x:.2f}' for x in per)}) | {stt:.3f} |")
    Ltr = np.hstack([logp["no"][0], logp["yes"][0]])
    Lte = np.hstack([logp["no"][1], logp["yes"][1]])
    st, per = stack(Ltr, ytr, train.thread_id.values, Lte, yte)
    print(f"| both stacked | | | | {st:.3f} (F1 {' / '.join(f'{x:.2f}' for x in per)}) | |")
    print("per-class F1 order: " + " / ".join(LABELS))


if __name__ == "__main__":
    main()

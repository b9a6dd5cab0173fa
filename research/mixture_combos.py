#!/usr/bin/env python3
"""How should a mixture's experts be combined? Reads the per-row dump of
`cargo run --release --example mixture_parts -- MODEL CSV...` (router
posteriors and every expert's P(uncivil)) plus the same CSVs (for
`thread_id`), and prints per-source ROC AUC for each combination rule:

  own      the row's own source's expert (an oracle router)
  mix      sum_d P(d|text) P_d(uncivil|text)           (what --mixture ships)
  llr      sum_d P(d|text) (logit P_d - logit prior_d)  (base rates removed)
  thread   P(d|thread) from the mean log posterior of the thread's rows,
           rows without a thread id routed alone; then mix / llr

Pure Python, no dependencies. Usage:
  mixture_combos.py PARTS.jsonl CSV...   (CSV order as given to mixture_parts)
"""
import csv
import json
import math
import sys
from collections import defaultdict


def auc(y, s):
    pairs = sorted(zip(s, y))
    n, i, rank_pos = len(pairs), 0, 0.0
    while i < n:
        j = i
        while j + 1 < n and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        r = (i + j) / 2 + 1
        rank_pos += r * sum(1 for k in range(i, j + 1) if pairs[k][1])
        i = j + 1
    p = sum(y)
    q = n - p
    return (rank_pos - p * (p + 1) / 2) / (p * q)


def logit(p):
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    files = sys.argv[2:]
    threads = []
    for f in files:
        for r in csv.DictReader(open(f, newline="")):
            t = r.get("thread_id", "")
            threads.append(f"{f}\t{t}" if t else None)
    assert len(threads) == len(rows), "CSV rows and dump rows differ"
    k = len(rows[0]["route"])
    src = [files.index(r["file"]) for r in rows]
    prior = []
    for d in range(len(files)):
        ys = [int(r["label"]) for r, s in zip(rows, src) if s == d]
        prior.append(sum(ys) / len(ys))
    group = defaultdict(list)
    for i, t in enumerate(threads):
        group[t if t is not None else i].append(i)
    troute = [None] * len(rows)
    for ix in group.values():
        z = [sum(math.log(rows[i]["route"][d] + 1e-12) for i in ix) / len(ix) for d in range(k)]
        m = max(z)
        e = [math.exp(v - m) for v in z]
        tot = sum(e)
        for i in ix:
            troute[i] = [v / tot for v in e]

    def mix(route, p):
        return sum(a * b for a, b in zip(route, p))

    def llr(route, p):
        return sum(a * (logit(b) - logit(prior[d])) for d, (a, b) in enumerate(zip(route, p)))

    rules = {
        "own": lambda i: rows[i]["p"][src[i]] if src[i] < k else 0.0,
        "mix": lambda i: mix(rows[i]["route"], rows[i]["p"]),
        "llr": lambda i: llr(rows[i]["route"], rows[i]["p"]),
        "thread mix": lambda i: mix(troute[i], rows[i]["p"]),
        "thread llr": lambda i: llr(troute[i], rows[i]["p"]),
    }
    names = [f.split("/")[-2] if f.endswith(("/test.csv", "/train.csv")) else f.split("/")[-1] for f in files]
    print("| rule | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for name, f in rules.items():
        out = []
        for d in range(len(files)):
            ix = [i for i in range(len(rows)) if src[i] == d]
            out.append(auc([int(rows[i]["label"]) for i in ix], [f(i) for i in ix]))
        print(f"| {name} | " + " | ".join(f"{a:.4f}" for a in out) + " |")
    acc = []
    for d in range(len(files)):
        ix = [i for i in range(len(rows)) if src[i] == d]
        row_acc = sum(max(range(k), key=lambda j: rows[i]["route"][j]) == d for i in ix) / len(ix)
        thr_acc = sum(max(range(k), key=lambda j: troute[i][j]) == d for i in ix) / len(ix)
        acc.append(f"{row_acc:.2f} / {thr_acc:.2f}")
    print("| router accuracy, row / thread | " + " | ".join(acc) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Thread context as stance features (issue #26): worth building?

Thread-grouped 4-fold cross-validation on training data only (no test
split is read), with a scikit-learn stand-in for the stance recipe
(TF-IDF word uni+bigrams of the reply and, on separate columns, of the
post it answers; multinomial LR, C = 4, balanced classes,
argmax). Prints macro-F1 and per-class F1 (RumourEval labels: support /
deny / query / comment; PHEME-parent: agree / comment / disagree / query):

  * RumourEval 2019 train + dev replies (the bench train split), from the
    raw reply trees in rumoureval2019_flat.jsonl: text only; + context
    (depth 1 / 2 / 3+, siblings, children, thread size, same author as the
    parent, same author as the source, minutes since the source, platform);
    + a copy of the context features per platform (Reddit);
  * PHEME-parent train split, context from the joined release (parent is
    the source, thread size, children, siblings).

  python3 research/stance_context.py [../shared]    (numpy, scipy, scikit-learn)
"""
import collections
import csv
import json
import math
import os
import sys
from datetime import datetime

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")


def cv(texts, parents, y, groups, ctx=None):
    pred = np.zeros(len(y), int)
    for tr, te in GroupKFold(4).split(texts, y, groups):
        tv = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        pv = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        a = [tv.fit_transform([texts[i] for i in tr]), pv.fit_transform([parents[i] for i in tr])]
        b = [tv.transform([texts[i] for i in te]), pv.transform([parents[i] for i in te])]
        if ctx is not None:
            mu, sd = ctx[tr].mean(0), ctx[tr].std(0) + 1e-9
            a.append(sparse.csr_matrix((ctx[tr] - mu) / sd))
            b.append(sparse.csr_matrix((ctx[te] - mu) / sd))
        m = LogisticRegression(C=4, max_iter=2000, class_weight="balanced")
        m.fit(sparse.hstack(a).tocsr(), y[tr])
        pred[te] = m.predict(sparse.hstack(b).tocsr())
    f = f1_score(y, pred, average=None)
    return round(float(f.mean()), 4), np.round(f, 3).tolist()


def ts(v):
    if v is None:
        return None
    if isinstance(v, str):
        return datetime.strptime(v, "%a %b %d %H:%M:%S %z %Y").timestamp()
    return float(v)


def rumoureval():
    path = os.path.join(SHARED, "data", "stance", "rumoureval2019", "rumoureval2019_flat.jsonl")
    all_rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    by = {r["id"]: r for r in all_rows}
    labels = ["support", "deny", "query", "comment"]
    rows = [r for r in all_rows if r["split"] in ("train", "dev") and r["parent_id"] and r["label"]]
    kids = collections.Counter(r["structure_parent_id"] for r in all_rows)
    size = collections.Counter(r["thread_id"] for r in all_rows)
    sib = collections.Counter((r["thread_id"], r["structure_parent_id"]) for r in all_rows)

    def ctx(r):
        p, root, d = by.get(r["structure_parent_id"]), by.get(r["thread_id"]), r["depth"]
        since = 0.0
        if root and r.get("created") and root.get("created"):
            since = math.log1p(max(0.0, ts(r["created"]) - ts(root["created"])) / 60)
        return [d == 1, d == 2, d >= 3,
                math.log1p(sib[(r["thread_id"], r["structure_parent_id"])] - 1),
                math.log1p(kids[r["id"]]), math.log1p(size[r["thread_id"]]),
                float(bool(p and p.get("author") and p["author"] == r.get("author"))),
                float(bool(root and root.get("author") == r.get("author"))), since]

    y = np.array([labels.index(r["label"]) for r in rows])
    g = np.array([r["thread_id"] for r in rows])
    reddit = np.array([r["platform"] == "reddit" for r in rows], float)
    texts = [r["text"] or "" for r in rows]
    sources = [(by[r["thread_id"]]["text"] or "") if r["thread_id"] in by else "" for r in rows]
    c = np.array([ctx(r) for r in rows], float)
    c_plat = np.column_stack([c, reddit])
    print(f"RumourEval 2019 train+dev replies: {len(rows)} in {len(set(g))} threads")
    print("  text only              ", cv(texts, sources, y, g))
    print("  + context              ", cv(texts, sources, y, g, c_plat))
    print("  + context per platform ", cv(texts, sources, y, g, np.column_stack([c_plat, c * reddit[:, None]])))


def pheme():
    path = os.path.join(SHARED, "data", "stance", "pheme_parent", "pheme_en_reply_stance_joined.jsonl")
    j = [json.loads(l) for l in open(path, encoding="utf-8")]
    by = {r["tweet_id"]: r for r in j}
    size = collections.Counter(r["thread_id"] for r in j)
    kids = collections.Counter(r["parent_id"] for r in j)
    rows = list(csv.DictReader(open(os.path.join(SHARED, "bench", "tasks", "pheme_parent", "train.csv"), encoding="utf-8")))
    labels = sorted({r["label"] for r in rows})

    def ctx(r):
        x = by[r["id"]]
        return [float(x["parent_is_source"]), math.log1p(size[x["thread_id"]]),
                math.log1p(kids[r["id"]]), math.log1p(kids[x["parent_id"]] - 1)]

    y = np.array([labels.index(r["label"]) for r in rows])
    g = np.array([r["thread_id"] for r in rows])
    texts = [r["text"] for r in rows]
    parents = [r["parent_text"] for r in rows]
    print(f"PHEME-parent train: {len(rows)} in {len(set(g))} threads ({', '.join(labels)})")
    print("  text only              ", cv(texts, parents, y, g))
    print("  + context              ", cv(texts, parents, y, g, np.array([ctx(r) for r in rows], float)))


if __name__ == "__main__":
    rumoureval()
    pheme()

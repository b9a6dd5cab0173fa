#!/usr/bin/env python3
"""How do the shipped models rank comments from a site none of the training sources covers?
(2026-12-04; answer in models/MODEL_CARD.md, "A site no source covers: Wikipedia talk samples".)

    python3 research/jigsaw_samples_eval.py [--models-at COMMIT...]

Reads the small real samples of the Jigsaw 2018 toxic-comment data in
../shared/data/incivility/jigsaw_samples (Wikipedia talk page comments, CC0 / CC-BY-SA text;
duplicates across the three files dropped: 368 comments) and prints each attribute's ROC AUC
against the matching Jigsaw label (toxic -> TOXICITY, with and without the GitHub domain;
insult -> INSULT; obscene -> PROFANITY; identity_hate -> IDENTITY_ATTACK), with a paired bootstrap
interval for what the GitHub domain changes. Evaluation only: nothing here is trained or tuned on
these rows (the project's rule for Jigsaw and Wikipedia-talk data). --models-at also scores the
incivility model as committed at each COMMIT (`git show COMMIT:models/incivility.json`).
Needs numpy and scikit-learn (the research venv).
"""
import argparse, csv, json, os, subprocess, tempfile

import numpy as np
from sklearn.metrics import roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "target", "release", "threadlens")
SAMPLES = os.path.join(ROOT, "..", "shared", "data", "incivility", "jigsaw_samples")
FILES = ["ibm_max_test_examples.csv", "keitakurita_train.csv", "keitakurita_valid.csv"]
PAIRS = [("toxic", "TOXICITY"), ("insult", "INSULT"), ("obscene", "PROFANITY"), ("identity_hate", "IDENTITY_ATTACK")]
TMP = tempfile.mkdtemp()


def rows():
    out, seen = [], set()
    for f in FILES:
        with open(os.path.join(SAMPLES, f), newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["comment_text"] not in seen:
                    seen.add(r["comment_text"])
                    out.append(r)
    return out


def probs(data, args):
    pf = os.path.join(TMP, "p.jsonl")
    subprocess.run([EXE, "-q", "eval", "--data", data, "--predictions", pf, *args], check=True, capture_output=True)
    with open(pf) as f:
        return np.array([json.loads(l)["probabilities"]["uncivil"] for l in f])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-at", nargs="*", default=[])
    a = ap.parse_args()
    rs = rows()
    print(f"{len(rs)} comments")
    for label, attr in PAIRS:
        data = os.path.join(TMP, f"{label}.csv")
        with open(data, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "thread_id", "parent_id", "text", "parent_text", "label"])
            w.writerows([i, "", "", r["comment_text"], "", r[label]] for i, r in enumerate(rs))
        y = np.array([int(r[label]) for r in rs])
        p = probs(data, ["--attribute", attr])
        print(f"{label} ({y.sum()} of {len(y)}) {attr}: ROC AUC {roc_auc_score(y, p):.4f}")
        if attr != "TOXICITY":
            continue
        q = probs(data, ["--attribute", attr, "--no-domains"])
        rng = np.random.default_rng(0)
        diffs = []
        for _ in range(2000):
            i = rng.integers(0, len(y), len(y))
            if 0 < y[i].sum() < len(i):
                diffs.append(roc_auc_score(y[i], p[i]) - roc_auc_score(y[i], q[i]))
        routed = np.abs(p - q) > 1e-12
        lo, mid, hi = np.percentile(diffs, [2.5, 50, 97.5])
        print(f"  --no-domains: {roc_auc_score(y, q):.4f}; the domain changes it by {mid:+.4f} "
              f"(95% paired bootstrap {lo:+.4f} to {hi:+.4f}); routed {routed.sum()}, {y[routed].sum()} of them {label}")
        for c in a.models_at:
            m = os.path.join(TMP, f"inc_{c}.json")
            with open(m, "wb") as f:
                f.write(subprocess.run(["git", "-C", ROOT, "show", f"{c}:models/incivility.json"], check=True,
                                       capture_output=True).stdout)
            print(f"  incivility.json at {c}: {roc_auc_score(y, probs(data, ['-m', m])):.4f}")


if __name__ == "__main__":
    main()

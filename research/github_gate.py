#!/usr/bin/env python3
"""Can a GitHub gate close TOXICITY's gap on gh_incivility (#20 bar 2: no task more than 0.05 under
its per-task model)? A gate (is this text from the GitHub train split?) and a GitHub expert, both
trained on the incivility model's columns (`train --vocab-of`, so `score` could read them from the
same table as the attribute heads), and a rule that scores a text the gate calls GitHub with the
expert instead of the pooled model. (2026-12-04; answer in models/MODEL_CARD.md, "Can a better
router close the gap?": measured, not built.)

    /tmp/rv/bin/python research/github_gate.py val     # 75/25 split of each train file by thread: chooses
    /tmp/rv/bin/python research/github_gate.py test    # the shipped model, gate and expert on the full train splits

Needs numpy and scikit-learn (python3 -m venv /tmp/rv && /tmp/rv/bin/pip install numpy scikit-learn).
Rules: the pooled model alone; P mixed by the gate's P (or logits mixed); hard: the expert's P where
the gate's P >= tau; `aligned`: the expert's P moved so that its F1-best threshold falls on the pooled
model's. Per-task references: models trained on each task's own train split (val: its 75%).
"""
import csv, json, os, subprocess, sys, tempfile, zlib

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from identity_negatives_choice import write  # noqa: E402  (same header)

csv.field_size_limit(1 << 30)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
EXE = os.path.join(ROOT, "target", "release", "threadlens")
T = "olid_a reddit_incivility davidson gh_incivility c3_toxic fox_news_hate".split()
PER_TASK = dict(zip(T, [0.8432, 0.9331, 0.9881, 0.8096, 0.6677, 0.6802]))  # model card, test splits
HDR = ["id", "thread_id", "parent_id", "text", "parent_text", "label"]
D = tempfile.mkdtemp()


def run(*a):
    subprocess.run([EXE, "-q", *a], check=True, capture_output=True)


def preds(model, data):
    pf = os.path.join(D, "p.jsonl")
    run("eval", "-m", model, "--data", data, "--predictions", pf)
    out = [json.loads(line) for line in open(pf)]
    return np.array([o["probabilities"]["uncivil"] for o in out]), np.array([o["label"] == "uncivil" for o in out])


def main():
    mode = sys.argv[1]
    files, gate, evals = [], [], {}
    for t in T:
        rows = [[r.get(c, "") for c in HDR] for r in csv.DictReader(open(os.path.join(B, t, "train.csv"), newline=""))]
        held = [mode == "val" and zlib.crc32((t + (r[1] or r[0])).encode()) % 4 == 0 for r in rows]
        tr = [r for r, h in zip(rows, held) if not h]
        files.append(write(os.path.join(D, f"{t}_tr.csv"), tr))
        gate += [[f"{t}_{r[0]}", r[1], r[2], r[3], r[4], "1" if t == "gh_incivility" else "0"] for r in tr]
        evals[t] = (write(os.path.join(D, f"{t}_va.csv"), [r for r, h in zip(rows, held) if h]) if mode == "val"
                    else os.path.join(B, t, "test.csv"))
    if mode == "val":
        pooled = os.path.join(D, "pooled.json")
        run("train", "--tokenizer", "models/tokenizer.json", "--embeddings", "models/embeddings.json", "--lexicon",
            "--sentiment", "--data", *files, "-o", pooled)
        ref = {}
        for t, f in zip(T, files):
            run("train", "--tokenizer", "models/tokenizer.json", "--data", f, "-o", os.path.join(D, "own.json"))
            p, y = preds(os.path.join(D, "own.json"), evals[t])
            ref[t] = roc_auc_score(y, p)
    else:
        pooled, ref = os.path.join(ROOT, "models", "incivility.json"), PER_TASK
    gh, gm = os.path.join(D, "gh.json"), os.path.join(D, "gate.json")
    run("train", "--vocab-of", pooled, "--data", files[T.index("gh_incivility")], "-o", gh)
    run("train", "--vocab-of", pooled, "--data", write(os.path.join(D, "gate.csv"), gate), "-o", gm)
    P = {t: (preds(pooled, evals[t]), preds(gh, evals[t])[0], preds(gm, evals[t])[0]) for t in T}
    tp, tg = json.load(open(pooled))["threshold"], json.load(open(gh))["threshold"]

    def lg(p):
        p = np.clip(p, 1e-9, 1 - 1e-9)
        return np.log(p / (1 - p))

    def align(p1):
        return 1 / (1 + np.exp(-(lg(p1) - lg(tg) + lg(tp))))

    rules = {"pooled": lambda p0, p1, g: p0, "mix P": lambda p0, p1, g: (1 - g) * p0 + g * p1,
             "mix logits": lambda p0, p1, g: (1 - g) * lg(p0) + g * lg(p1)}
    for tau in (0.5, 0.7, 0.9):
        rules[f"hard {tau}"] = lambda p0, p1, g, tau=tau: np.where(g >= tau, p1, p0)
        rules[f"hard {tau} aligned"] = lambda p0, p1, g, tau=tau: np.where(g >= tau, align(p1), p0)
    print(f"| rule ({mode}) | " + " | ".join(T) + " | mean gap | worst gap |")
    print("|---|" + "---|" * (len(T) + 2))
    print("| per-task model | " + " | ".join(f"{ref[t]:.4f}" for t in T) + " | | |")
    for name, f in rules.items():
        row = [roc_auc_score(P[t][0][1], f(P[t][0][0], P[t][1], P[t][2])) for t in T]
        gaps = [ref[t] - a for t, a in zip(T, row)]
        print(f"| {name} | " + " | ".join(f"{a:.4f}" for a in row) + f" | {np.mean(gaps):.4f} | {max(gaps):.4f} |")
    print("| routed (gate >= 0.7) | " + " | ".join(f"{np.mean(P[t][2] >= 0.7):.3f}" for t in T) + " | | |")
    print(f"thresholds: pooled {tp:.3f}, GitHub expert {tg:.3f}")


if __name__ == "__main__":
    main()

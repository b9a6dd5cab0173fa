#!/usr/bin/env python3
"""Should the head also read the sentiment list's positive side? (2026-12-05)

    python3 research/sentiment_positive.py

The IDENTITY_ATTACK head flags most comments that speak *well* of a group ("[group] are wonderful
neighbours"): its data names a group almost only to attack it, and the n-grams of praise are too
rare to learn one by one. The sentiment inputs carry only the negative side of VADER's list. The
variant `pos` (`train --sentiment-positive`) adds two inputs: the strongest positive rating among
the words (per window with the cue window) and the share of words rated +2 or more; with
`--sentiment-negation` a negated positive word is not positive. One input pools every positive
word, so a head can learn "praise lowers the odds" from the rows that have some.

Measured on validation only (each train split cut 75/25 by a CRC-32 of task and thread or id), both
variants with the shipped recipe (`--sentiment-negation` included):
  1. TOXICITY: `scripts/bench_models.py --loso` (LOSO and in-domain means);
  2. IDENTITY_ATTACK: `research/positive_mentions_augment.py 0` (the shipped head's recipe, on the
     columns of an incivility model trained here with or without the flag): the files' validation
     ROC AUC mean, the same with held-out civil group mentions (+civ); `flip auc`: the validation
     hate rows against the same rows with their hostile words swapped for positive words never
     trained on (label 0); `pos civ flagged`: held-out civil group mentions with a word rated +2 or
     more that the head flags.

The rule, written before the runs: keep `pos` if LOSO is at least base - 0.001, in-domain at least
base - 0.002, IDENTITY_ATTACK's mean and mean+civ each at least base - 0.005, and `flip auc` up by
0.01 or more or `pos civ flagged` down by a tenth or more. The functional cases are read after the
choice.
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
from untargeted_profanity import loso, tasks_dirs  # noqa: E402

EXE = os.path.join(ROOT, "target", "release", "threadlens")
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
TASKS = ["olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate"]
RECIPE = ["--embeddings=models/embeddings.json", "--lexicon", "--sentiment", "--fold-spelling", "--cue-window=50",
          "--sentiment-negation"]


def main():
    only = set(sys.argv[1:])  # "ia" or "loso" to run one half
    with tempfile.TemporaryDirectory(prefix="tl-pos-") as tmp:
        base_dir = tasks_dirs(tmp, False, set())["base"]
        for variant, extra in (("base", []), ("pos", ["--sentiment-positive"])):
            if not only or "loso" in only:
                rows = loso(base_dir, os.path.join(tmp, variant + ".jsonl"), ["--sentiment-negation", *extra])
                lm = sum(r["loso_auc"] for r in rows) / len(rows)
                im = sum(r["in_domain_auc"] for r in rows) / len(rows)
                per = " ".join(f"{r['held_out']} {r['loso_auc']:.4f}/{r['in_domain_auc']:.4f}" for r in rows)
                print(f"{variant}: LOSO {lm:.4f} in-domain {im:.4f} | {per}", flush=True)
            if not only or "ia" in only:
                # The incivility model the heads take their columns from, as the shipped one is trained.
                vocab = os.path.join(tmp, variant + "_incivility.json")
                subprocess.run([EXE, "-q", "train", "--tokenizer", "models/tokenizer.json", *RECIPE, *extra,
                                "--data", *[os.path.join(B, t, "train.csv") for t in TASKS], "-o", vocab],
                               check=True, cwd=ROOT, capture_output=True)
                out = subprocess.run([sys.executable, os.path.join(ROOT, "research", "positive_mentions_augment.py"),
                                      "0"], env={**os.environ, "VOCAB_OF": vocab}, capture_output=True, text=True,
                                     check=True, cwd=ROOT).stdout
                print(f"{variant}: IDENTITY_ATTACK {out.strip()}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Should the sentiment inputs skip a negated negative word, as VADER does? (2026-12-05)

    python3 research/sentiment_negation.py

The head's sentiment inputs (`cue:sent_negative`, the strongest negative rating; `cue:sent_negative_share`)
read "I don't hate them" as they read "I hate them". VADER (Hutto & Gilbert 2014) flips a word's
rating by -0.74 when a negation is among the three words before it, so a negated negative word no
longer counts as negative. The variant `neg` does that: a word rated below 0 with a negation
(`not`, `no`, `never`, ... or `n't`) among the three words with a letter or digit before it is left out
of both inputs. It was first run as an environment switch of the build; it shipped as
`train --sentiment-negation`, which this script now passes (the same arithmetic); `base` trains
without it. The identity-attack heads are trained on the columns of an incivility model trained
here with or without it (VOCAB_OF of research/identity_negatives_choice.py).

Measured on validation only (each train split cut 75/25 by a CRC-32 of task and thread or id):
  1. TOXICITY: `scripts/bench_models.py --loso` with the shipped recipe (LOSO and in-domain means);
  2. IDENTITY_ATTACK: `research/counter_speech_augment.py 1:both` (the shipped head's recipe): the
     files' validation ROC AUC mean, the same with held-out civil group mentions (+civ), and
     `neg auc` / `neg flagged`: the validation hate rows against the same rows with their verb
     negated (label 0), which is the case this change is for.

The rule, written before the runs: keep `neg` if LOSO is at least base - 0.001, in-domain at least
base - 0.002, IDENTITY_ATTACK's mean and mean+civ each at least base - 0.005, and `neg auc` up by
0.01 or more or `neg flagged` down by a tenth or more. The functional cases are read after the choice.
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


def main():
    with tempfile.TemporaryDirectory(prefix="tl-neg-") as tmp:
        base_dir = tasks_dirs(tmp, False, set())["base"]
        for variant, extra in (("base", []), ("neg", ["--sentiment-negation"])):
            rows = loso(base_dir, os.path.join(tmp, variant + ".jsonl"), extra)
            lm = sum(r["loso_auc"] for r in rows) / len(rows)
            im = sum(r["in_domain_auc"] for r in rows) / len(rows)
            per = " ".join(f"{r['held_out']} {r['loso_auc']:.4f}/{r['in_domain_auc']:.4f}" for r in rows)
            print(f"{variant}: LOSO {lm:.4f} in-domain {im:.4f} | {per}", flush=True)
            # The incivility model the heads take their columns from, as the shipped one is trained.
            vocab = os.path.join(tmp, variant + "_incivility.json")
            subprocess.run([EXE, "-q", "train", "--tokenizer", "models/tokenizer.json",
                            "--embeddings=models/embeddings.json", "--lexicon", "--sentiment", "--fold-spelling",
                            "--cue-window=50", *extra, "--data", *[os.path.join(B, t, "train.csv") for t in TASKS],
                            "-o", vocab], check=True, cwd=ROOT, capture_output=True)
            out = subprocess.run([sys.executable, os.path.join(ROOT, "research", "counter_speech_augment.py"), "1:both"],
                                 env={**os.environ, "VOCAB_OF": vocab}, capture_output=True, text=True, check=True,
                                 cwd=ROOT).stdout
            print(f"{variant}: IDENTITY_ATTACK {out.strip()}", flush=True)


if __name__ == "__main__":
    main()

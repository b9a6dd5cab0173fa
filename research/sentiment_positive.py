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
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
from untargeted_profanity import compare_variants  # noqa: E402

RECIPE = ["--embeddings=models/embeddings.json", "--lexicon", "--sentiment", "--fold-spelling", "--cue-window=50",
          "--sentiment-negation"]


def main():
    compare_variants("tl-pos-", (("base", []), ("pos", ["--sentiment-positive"])), ["--sentiment-negation"], RECIPE,
                     [sys.executable, os.path.join(ROOT, "research", "positive_mentions_augment.py"), "0"],
                     set(sys.argv[1:]))  # "ia" or "loso" to run one half


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Should every group name be read as one shared word too? (2026-12-05)

    python3 research/group_fold.py [loso] [ia]

The IDENTITY_ATTACK head scores a group's name by its data's base rate: Fox News's 17 train rows
that name Muslims are all hate, so `Muslims` alone scores 0.90, while hate against a group the data
rarely names is not flagged. Two variants, both with the spelling folds (whose group list they use),
in every model of the featurizer:
  - `replace` (`train --fold-groups` at commit ccbca8d): every listed name becomes one word, `folk`,
    so the head can learn only what is said of *a* group;
  - `add` (`train --group-word`, this script): every listed name is followed by `folk`, so the head
    learns what is said of any group through the shared word and its n-grams, beside what its data
    said of each group (a rare group's name borrows what was learned of the others).
`replace` was run first; it failed the rule below on the civil-mentions guard (the shipped head
tells Fox's hate from the civil mentions by *which* group is named), and `add` was then written to
keep the names while sharing what is said of them, and run under the same rule.

Measured on validation only (each train split cut 75/25 by a CRC-32 of task and thread or id), each
variant with the shipped recipe:
  1. TOXICITY: `scripts/bench_models.py --loso` (LOSO and in-domain means);
  2. IDENTITY_ATTACK, the shipped head's recipe (counter-speech rows, civil group mentions appended
     to OLID's file, files balanced, C = 2) on the columns of an incivility model trained here
     with or without the flag: each file's validation ROC AUC, their mean, the mean with the
     held-out civil group mentions added (+civ); and
     - `mention auc`: the validation hate rows that name a group against the held-out civil group
       mentions (every one names a group): does the head tell what is said of a group, among
       texts that name one;
     - `swap auc`: the same rows with each group name replaced by one of SWAP (chosen by a hash of
       the row id), so the hate is aimed at a group other than the one the data named.

The rule, written before the runs: keep a variant if LOSO is at least base - 0.002, in-domain at
least base - 0.003, each IDENTITY_ATTACK file within 0.02 of base, mean+civ at least base - 0.005,
and `mention auc` up by 0.01 or more or `swap auc` up by 0.02 or more. The functional cases are
read after the choice.
"""
import json
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import NAMES  # noqa: E402
from untargeted_profanity import compare_variants  # noqa: E402

B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
RECIPE = ["--embeddings=models/embeddings.json", "--lexicon", "--sentiment", "--fold-spelling", "--cue-window=50",
          "--sentiment-negation", "--sentiment-positive"]
SWAP = ["women", "Jews", "Hindus", "disabled people", "Asians", "immigrants", "lesbians", "Catholics"]


def swapped(r):
    """Row R with each group name replaced by one of SWAP (chosen by a hash of the row id)."""
    g = SWAP[zlib.crc32(r[0].encode()) % len(SWAP)]
    return [r[0], r[1], r[2], NAMES.sub(g, r[3]), "", r[5]]


def ia():
    """The IDENTITY_ATTACK half, on the columns of $VOCAB_OF (read by the imported helpers)."""
    from identity_negatives_choice import TMP, auc, ia_validation, recipe_files, report, train_head, write
    civ_va, civ_tr, _, tr, va_files, hate = ia_validation()
    m = train_head(recipe_files(tr, civ_tr), os.path.join(TMP, "m.json"))
    out = report(m, va_files, civ_va)
    out["mention auc"] = auc(m, write(os.path.join(TMP, "mention.csv"), hate + civ_va))
    out["swap auc"] = auc(m, write(os.path.join(TMP, "swap.csv"), [swapped(r) for r in hate + civ_va]))
    out["mention rows"] = f"{len(hate)} hate / {len(civ_va)} civil"
    print(json.dumps(out))


def main():
    if sys.argv[1:] == ["ia-only"]:
        return ia()
    compare_variants("tl-groups-", (("base", []), ("add", ["--group-word"])),
                     ["--sentiment-negation", "--sentiment-positive"], RECIPE,
                     [sys.executable, os.path.abspath(__file__), "ia-only"], set(sys.argv[1:]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Should the IDENTITY_ATTACK head also learn from the single sentences of civil comments that name a
group? (2026-12-05)

    python3 research/civil_sentences.py

The civil group mentions the head learns from are whole comments (median 85 words), where a group's
name is one n-gram among many. A short comment that names a group ("Muslims", "I love Muslims", "I
don't hate Muslims") is read almost by the name alone: its L2-normalised n-grams put most of their
weight on it, and the head flags such texts (`Muslims` alone 0.90 at a threshold of 0.164). A
sentence of a comment its annotators judged civil is itself civil, so each sentence of the civil
train comments that names a group could be a short civil example.

Variants (each on the shipped head's recipe, as research/group_fold.py's IDENTITY_ATTACK half:
counter-speech rows, the hostile-word civil comments appended to OLID's file, files balanced, C = 2,
on the shipped incivility model's columns; every train file cut 75/25 by a CRC-32 of task and
thread or id, validation only):
  - `base`: the recipe;
  - `sent-hostile`: + the group-naming sentences (3 words or more) of the hostile-word civil train
    comments the recipe already uses, appended to OLID's file;
  - `sent-all`: + the group-naming sentences of every civil train comment that names a group (the
    script's train quarter-split: not the held-out quarter).
Measures: each file's ROC AUC, their mean, the mean with the held-out civil comments (+civ), and
`sentence auc`: validation hate rows that name a group against the group-naming sentences of the
held-out civil comments; and how many of those sentences the head flags.

The rule, written before the runs: keep a variant if each file is within 0.02 of `base`, mean+civ
at least base - 0.005, and `sentence auc` up by 0.01 or more; of those that pass, the higher
`sentence auc`. The functional cases are read after the choice.

Result: `sent-all` shipped (model card, "Single sentences of civil comments"). Read after: it flags
fewer short templated hate sentences (functional), so the civil sentences may teach "short and
naming a group" as civil. Then `sent-all+hate`, by a rule written before its run: also each
group-naming sentence of the hate rows of two sentences or more as a label-1 row (306 rows; their
counter-speech rows follow); keep it if, against `sent-all`, each file is within 0.01, mean+civ at
least -0.005, `sentence auc` at least -0.01, and the short hate rows (15 words or fewer) that name a
group flagged 3 more of 40 or all hate rows 10 more of 610. Not kept: `sentence auc` 0.8802 ->
0.8458, all hate flagged 283 -> 225 of 610, short hate naming a group 28 -> 30 of 40 (olid 0.7750,
davidson 0.8804, fox 0.6435; mean+civ 0.7720). A sentence of a hate row is not always hateful.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_choice import (IA, TMP, auc, flagged, ia_validation, recipe_files, report,  # noqa: E402
                                       rows_of, train_head, write)
from identity_negatives_data import NAMES, group_sentences  # noqa: E402



def main():
    civ_va, civ_tr, civ_rest, tr, va_files, hate = ia_validation()
    va = {t: rows_of(p) for t, p in va_files.items()}
    held_sent = group_sentences(civ_va)
    sent_eval = write(os.path.join(TMP, "sent_eval.csv"), hate + held_sent)
    sent_only = write(os.path.join(TMP, "sent_only.csv"), held_sent)
    hate_only = write(os.path.join(TMP, "hate_only.csv"), hate)
    all_hate = write(os.path.join(TMP, "all_hate.csv"), [r for t in IA for r in va[t] if r[5] == "1"])
    print(f"validation: {len(hate)} hate rows naming a group, {len(held_sent)} held-out civil sentences", flush=True)
    short = write(os.path.join(TMP, "short.csv"),
                  [r for t in IA for r in va[t] if r[5] == "1" and len(r[3].split()) <= 15 and NAMES.search(r[3])])
    with_hate = {t: tr[t] + group_sentences([r for r in tr[t] if r[5] == "1"], "1", 2) for t in IA}
    variants = {
        "base": (tr, []),
        "sent-hostile": (tr, group_sentences(civ_tr)),
        "sent-all": (tr, group_sentences(civ_tr + civ_rest)),
        "sent-all+hate": (with_hate, group_sentences(civ_tr + civ_rest)),
    }
    for name, (rows, extra) in variants.items():
        m = train_head(recipe_files(rows, civ_tr, extra), os.path.join(TMP, "m.json"))
        out = report(m, va_files, civ_va)
        out["sentence auc"] = auc(m, sent_eval)
        out["sentences flagged"] = flagged(m, sent_only)
        out["hate flagged"] = flagged(m, hate_only)
        out["all hate flagged"] = flagged(m, all_hate)
        out["short hate naming a group flagged"] = flagged(m, short)
        print(f"{name} (+{len(extra)} rows): {json.dumps(out)}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Should TOXICITY also learn from single sentences of civil comments? (2026-12-05)

    python3 research/civil_sentences_toxicity.py

The IDENTITY_ATTACK head gained from the single sentences that name a group of civil comments
(research/civil_sentences.py): a short text is read almost by its few words, and whole civil
comments do not teach a model that a short sentence with a hostile word or a group's name can be
civil. The same for the incivility model: variant `sent1` appends to each train split, for each
civil (label 0) row of two sentences or more, its first sentence (3 words or more) that has a word
the sentiment lexicon rates -2 or lower or names a group, as a label-0 row of the same thread.

Leave-one-source-out with the shipped recipe (`scripts/bench_models.py --loso`) on validation:
each of the six train splits cut 75/25 by a CRC-32 of task and thread (or id), the quarter held
out as "test" (no sentence rows: those are appended to the train part only, within its threads).

The rule, written before the runs: keep `sent1` if its LOSO mean is at least base + 0.002, its
in-domain mean at least base - 0.003, and no held-out source's LOSO ROC AUC falls by more than
0.01. The functional cases are read after the choice.

Result (2026-12-05): not kept. +1,175 / 453 / 232 / 377 / 3,032 / 68 sentence rows (olid, reddit,
davidson, gh, c3, fox).

| validation | LOSO mean | in-domain mean | olid | reddit | davidson | gh | c3 | fox (LOSO) |
|---|---|---|---|---|---|---|---|---|
| base | 0.7652 | 0.8062 | 0.7480 | 0.9299 | 0.9248 | 0.7020 | 0.6584 | 0.6281 |
| sent1 | 0.7503 | 0.7992 | 0.7190 | 0.9272 | 0.9159 | 0.6827 | 0.6434 | 0.6134 |

Every held-out source falls (OLID −0.029): for incivility a hostile word in a short text is
evidence, and a sentence lifted from a civil comment teaches the model to discount it. The
identity-attack head differs: there the sentences counter a group's *name*, which is not evidence.
"""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import NAMES, SENTENCE_END, hostile  # noqa: E402
from untargeted_profanity import TASKS, loso_line, rows_of, tasks_dirs, write  # noqa: E402

EXTRA = ["--sentiment-negation", "--sentiment-positive", "--group-word"]


def first_sentence(rows):
    """For each label-0 row of two sentences or more, its first sentence (3 words or more) with a
    hostile word or a group's name, as a label-0 row of the same thread."""
    out = []
    for r in rows:
        if r[-1] != "0":
            continue
        parts = SENTENCE_END.split(r[3])
        if len(parts) < 2:
            continue
        for k, s in enumerate(parts):
            if len(s.split()) >= 3 and (hostile(s) or NAMES.search(s)):
                out.append([f"{r[0]}_s{k}", r[1], "", s.strip(), "", "0"])
                break
    return out


def main():
    with tempfile.TemporaryDirectory(prefix="tl-sent-") as tmp:
        base = tasks_dirs(tmp, False, set())["base"]
        sent = os.path.join(tmp, "sent1")
        for t in TASKS:
            header, train = rows_of(os.path.join(base, t, "train.csv"))
            _, held = rows_of(os.path.join(base, t, "test.csv"))
            extra = first_sentence(train)
            print(f"{t}: +{len(extra)} sentence rows", flush=True)
            write(os.path.join(sent, t, "train.csv"), header, train + extra)
            write(os.path.join(sent, t, "test.csv"), header, held)
        for name, d in (("base", base), ("sent1", sent)):
            loso_line(name, d, os.path.join(tmp, name + ".jsonl"), EXTRA)


if __name__ == "__main__":
    main()

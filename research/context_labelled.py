#!/usr/bin/env python3
"""Should the IDENTITY_ATTACK head learn from hate rows whose label is their thread's? (2026-12-05)

    python3 research/context_labelled.py

Fox News labels each reply by its thread: "Agreed", "wellsaid", "GLOCK", "or work boots" under
hateful parents are hate rows. Under `--balance-files` each Fox row weighs 17 Davidson rows, so
`Agreed` alone scored 0.56 and was flagged as an identity attack (r/Cornell and IAC each have one;
RumourEval's "hahahahahahahaha" too). `context_labelled` below marks a hate row that is a reply of 3 words or fewer with no word of the abusive-word list, none
the sentiment lexicon rates -2 or lower and no group's name; 9 of Fox's train rows, none of OLID's
or Davidson's.

Variants on the shipped head's recipe (counter-speech rows; hostile-word civil comments and the
single civil sentences appended to OLID's file; files balanced; C = 2), validation only (each train
file cut 75/25 by a CRC-32 of task and thread or id; the validation rows are kept as they are):
`shipped`, and `drop` (the context-labelled rows of the train part left out: 6 of Fox's). Printed:
each file's ROC AUC, the mean with the held-out civil group mentions, and the head's score of a few
bare replies.

The rule, written before the run: keep `drop` if each file is within 0.01 of `shipped` and the mean
with civil mentions at least shipped - 0.005 (the rows are left out for what they are, not for a
gain: the rule only guards).

Result: passes the rule, but not shipped. Validation: fox 0.6395 -> 0.6346, olid 0.7822 -> 0.7833,
davidson 0.8772 -> 0.8759; mean+civ 0.7447 -> 0.7398 (-0.0049); `Agreed` 0.56 -> 0.01, `Agreed.`
0.30 -> 0.02, `GLOCK` 0.90 -> 0.04. Retrained on the whole train files (9 Fox rows left out), on
test: olid 0.8418 -> 0.8386 (under the peer's 0.8402), davidson 0.8731 -> 0.8733, fox 0.6838 ->
0.6856; but the F1-best threshold fell 0.192 -> 0.169, so civil group mentions flagged rose 25 -> 33
of 381 and the flags on RumourEval 5.2% -> 6.5%, IAC 7.5% -> 9.8%: three bare replies fixed
(`Agreed` on r/Cornell and IAC, "hahahahahahahaha" on RumourEval) for a hundred more flags.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_choice import EXE, IA, TMP, ia_validation, recipe_files, report, train_head, write  # noqa: E402
from identity_negatives_data import NAMES, group_sentences, hostile, load_lexicon  # noqa: E402

LEXICON = load_lexicon()


def context_labelled(row):
    """A hate row (label 1) whose label its thread gives, not its text: a reply of 3 words or fewer
    with no word of the abusive-word list, none the sentiment lexicon rates -2 or lower and no
    group's name (Fox News's "Agreed", "wellsaid", "GLOCK" under hateful parents)."""
    text = row[3]
    words = re.findall(r"[a-z']+", text.lower())
    return (row[5] == "1" and row[4].strip() != "" and len(text.split()) <= 3 and not hostile(text)
            and not NAMES.search(text) and not any(w in LEXICON for w in words))


BARE = ["Agreed", "Agreed.", "wellsaid", "Well said!", "hahahahahaha", "Or behind...", "lol", "GLOCK"]


def main():
    civ_va, civ_tr, civ_rest, tr, va_files, _ = ia_validation()
    sentences = group_sentences(civ_tr + civ_rest)
    probe = write(os.path.join(TMP, "bare.csv"), [[str(i), "", "", t, "", "0"] for i, t in enumerate(BARE)])
    for name, rows in (("shipped", tr), ("drop", {t: [r for r in tr[t] if not context_labelled(r)] for t in IA})):
        m = train_head(recipe_files(rows, civ_tr, sentences), os.path.join(TMP, "m.json"))
        out = report(m, va_files, civ_va)
        pf = os.path.join(TMP, "bare.jsonl")
        subprocess.run([EXE, "-q", "eval", "-m", m, "--data", probe, "--predictions", pf], check=True,
                       capture_output=True)
        scores = [round(json.loads(line)["probabilities"]["uncivil"], 2) for line in open(pf)]
        out["bare replies"] = dict(zip(BARE, scores))
        left = {t: len(tr[t]) - len(rows[t]) for t in IA}
        print(f"{name} (left out {left}): {json.dumps(out)}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Does the IDENTITY_ATTACK head stop reading abuse of political groups as identity attacks if OLID's
rows that attack only a political group are labelled 0? (2026-12-05; answer in models/MODEL_CARD.md,
"Functional cases", "The three added categories".)

    python3 scripts/identity_negatives_data.py ../shared target/identity_attack
    python3 research/olid_political_groups.py

OLID's level C marks any group as the target (`GRP`), so its identity-attack positives
(attr_identity_attack_olid) include "liberals are idiots". A row counts as political-only when it
names a political group (POLITICAL below) and no identity group (GROUPS of
scripts/identity_negatives_data.py). Those rows of OLID's training file are set to 0, the
counter-speech rows made from them are left out, and the head is trained as shipped (`train
--vocab-of models/incivility.json -C 2 --balance-files`). Both heads are then measured on the test
splits: OLID's with its own labels and with the political-only rows set to 0 (the identity
definition), Davidson's and Fox's, and the functional cases (scripts/functional.py).
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import NAMES  # noqa: E402

EXE = os.path.join(ROOT, "target", "release", "threadlens")
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
FILES = os.path.join(ROOT, "target", "identity_attack")
POLITICAL = re.compile(
    r"\b(?:liberals?|libs?|libtards?|conservatives?|cons|democrats?|dems?|democratic party|republicans?|repubs?"
    r"|gop|rinos?|leftists?|lefties|(?:the |far |radical |loony |lunatic )left|(?:the |far |alt[- ])right"
    r"|right[- ]wingers?|left[- ]wingers?|antifa|maga|trump supporters|trumpers|socialists?|communists?|commies?"
    r"|marxists?|snowflakes?|politicians?|congress(?:men)?|senators?|nra|progressives?|globalists?|deep state|msm"
    r"|media)\b", re.I)


def political_only(text):
    return bool(POLITICAL.search(text)) and not NAMES.search(text)


def auc(model, data):
    out = subprocess.run([EXE, "-q", "eval", "-m", model, "--data", data], capture_output=True, text=True, check=True)
    return round(json.loads(out.stdout)["roc_auc"], 4)


def main():
    csv.field_size_limit(1 << 30)
    with tempfile.TemporaryDirectory(prefix="tl-pol-") as tmp:
        files = []
        for t in ("olid", "davidson", "fox"):
            with open(os.path.join(FILES, f"identity_attack_{t}.csv"), newline="", encoding="utf-8") as f:
                head, *rows = list(csv.reader(f))
            if t == "olid":
                relabelled = {r[0] for r in rows if r[5] == "1" and political_only(r[3])}
                rows = [r[:5] + ["0"] if r[0] in relabelled else r for r in rows
                        if not (r[0].startswith("cs_") and r[0][3:] in relabelled)]
                print(f"olid: {len(relabelled)} positives relabelled 0", flush=True)
            path = os.path.join(tmp, f"identity_attack_{t}.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(head)
                w.writerows(rows)
            files.append(path)
        model = os.path.join(tmp, "identity_attack.json")
        subprocess.run([EXE, "-q", "train", "--vocab-of", os.path.join(ROOT, "models", "incivility.json"), "-C", "2",
                        "--balance-files", "--data", *files, "-o", model], check=True, capture_output=True)
        # OLID's test split by the identity definition.
        olid_test = os.path.join(B, "attr_identity_attack_olid", "test.csv")
        with open(olid_test, newline="", encoding="utf-8") as f:
            test = list(csv.DictReader(f))
        ident = os.path.join(tmp, "olid_identity.csv")
        with open(ident, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(test[0]), lineterminator="\n")
            w.writeheader()
            for r in test:
                w.writerow({**r, "label": "0" if r["label"] == "1" and political_only(r["text"]) else r["label"]})
        print(f"olid test: {sum(1 for r in test if r['label'] == '1' and political_only(r['text']))} of "
              f"{sum(1 for r in test if r['label'] == '1')} positives political-only", flush=True)
        for name, m in (("shipped", os.path.join(ROOT, "models", "identity_attack.json")), ("relabelled", model)):
            row = {"olid": auc(m, olid_test), "olid (identity groups only)": auc(m, ident),
                   "davidson": auc(m, os.path.join(B, "attr_identity_attack_davidson", "test.csv")),
                   "fox": auc(m, os.path.join(B, "attr_identity_attack_fox", "test.csv"))}
            print(name, json.dumps(row), flush=True)
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "functional.py"), "--label", "identity_attack",
                            "--model", m], check=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Write the OLID identity-attack training file with civil comments that name a group added, and
the held-out civil comments that check the head's false flags (model card, "Attribute heads").

    python3 scripts/identity_negatives_data.py ../shared target/identity_attack_olid_civil.csv \
        [--held-out target/civil_group_mentions_heldout.csv] [--check-model models/identity_attack.json]

The identity-attack data (OLID level C = GRP, Davidson's hate class, Fox News hate) names a group
almost only to attack it, so a head trained on it alone flags "Muslims celebrate Eid today" as
readily as hate. The label-0 (civil) rows of the c3_toxic, reddit_incivility and gh_incivility
train splits that name a group (GROUPS below) are split by a hash of task and id: a quarter is held
out (written with --held-out, never trained on); of the rest, those with a word that the sentiment
lexicon (models/sentiment.txt) rates -2 or lower (civil comments that discuss hate, crime or insults
while naming a group: the hard cases) are appended to OLID's identity-attack train rows, so they
share OLID's weight under `train --balance-files`. Train splits only: no test row of any task is
read. Deterministic: the same inputs write the same bytes; --check-model fails (exit 1) unless the
written file is, byte for byte, the one the model records among its training files (by name and
SHA-256).
"""
import argparse
import csv
import hashlib
import json
import os
import re
import sys
import zlib

GROUPS = (r"muslims?|islam\w*|jews?|jewish|christians?|catholics?|hindus?|blacks?|black (?:people|men|women|folks)"
          r"|whites?|white (?:people|men|women)|asians?|chinese|mexicans?|latinos?|latinas?|hispanics?|arabs?"
          r"|africans?|immigrants?|refugees?|migrants?|gays?|lesbians?|bisexual|transgender|trans (?:people|women|men)"
          r"|queer|lgbt\w*|homosexuals?|women|woman|feminists?|disabled|native americans?|indigenous|aboriginals?"
          r"|first nations")
SOURCES = ("c3_toxic", "reddit_incivility", "gh_incivility")
HEADER = ["id", "thread_id", "parent_id", "text", "parent_text", "label"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_valence(path=os.path.join(ROOT, "models", "sentiment.txt")):
    """word -> rating (-4..+4) of the sentiment lexicon the models read (VADER's, tab-separated)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\r\n").split("\t")
            try:
                out[p[0].lower()] = float(p[1])
            except (IndexError, ValueError):
                pass
    return out


VALENCE = load_valence()


def hostile(text):
    """Whether a word of the text is rated -2 or lower in the sentiment lexicon."""
    return any(VALENCE.get(w, 0.0) <= -2 for w in re.findall(r"[a-z']+", text.lower()))


def split(task, row_id, text):
    """'held' for a quarter of the rows (by hash), 'train' for the rest that have a hostile word,
    else None."""
    if zlib.crc32(f"{task}{row_id}".encode()) % 4 == 0:
        return "held"
    return "train" if hostile(text) else None


def civil_group_mentions(tasks_dir):
    """(split, row) for every civil train row of SOURCES that names a group, in file order."""
    names = re.compile(r"\b(?:" + GROUPS + r")\b", re.I)
    for task in SOURCES:
        path = os.path.join(tasks_dir, task, "train.csv")
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["label"] == "0" and names.search(row["text"]):
                    row_out = [f"{task}_{row['id']}", row["thread_id"], row["parent_id"], row["text"], "", "0"]
                    yield split(task, row["id"], row["text"]), row_out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shared", help="the shared folder (holds bench/tasks)")
    ap.add_argument("output", help="OLID identity-attack train rows plus the civil rows")
    ap.add_argument("--held-out", help="also write the held-out civil rows here")
    ap.add_argument("--check-model", help="a model file that should have been trained on OUTPUT")
    a = ap.parse_args(argv)
    tasks = os.path.join(a.shared, "bench", "tasks")
    olid = os.path.join(tasks, "attr_identity_attack_olid", "train.csv")
    csv.field_size_limit(1 << 30)
    added = 0
    with open(a.output, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(HEADER)
        with open(olid, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                w.writerow([row.get(c, "") for c in HEADER])
        held_rows = []
        for part, row in civil_group_mentions(tasks):
            if part == "train":
                w.writerow(row)
                added += 1
            elif part == "held":
                held_rows.append(row)
    if a.held_out:
        with open(a.held_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(held_rows)
    print(f"{a.output}: OLID identity-attack rows + {added} civil group mentions; {len(held_rows)} held out",
          file=sys.stderr)
    if a.check_model:
        with open(a.output, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        with open(a.check_model, encoding="utf-8") as f:
            recorded = json.load(f)["training"]["data"]
        name = os.path.basename(a.output)
        same = [d for d in recorded if os.path.basename(d["file"]) == name]
        if not same or same[0]["sha256"] != digest:
            print(f"{a.check_model} was not trained on this {name} (sha256 {digest}; "
                  f"recorded {same[0]['sha256'] if same else 'no such file'})", file=sys.stderr)
            sys.exit(1)
        print(f"{a.check_model} was trained on this {name} (sha256 {digest[:12]}…)", file=sys.stderr)


if __name__ == "__main__":
    main()

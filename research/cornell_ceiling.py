#!/usr/bin/env python3
"""How many uncivil comments does r/Cornell hold at all? (2026-12-05)

    python3 research/cornell_ceiling.py [--bin target/release/threadlens] [--list]

#19's fourth bar asks that a reader agree with at least 16 of a dump's 20 highest-scoring comments.
r/Cornell (ConvoKit, 1,519 comments) is a friendly college forum; if it holds fewer than 16 comments a
reader would call uncivil, no ranking can meet the bar there.

Candidates: every comment with a word of the abusive-word list (models/lexicon.csv, any rating 1 or
more) or a word the sentiment list (models/sentiment.txt) rates -2 or lower: 306 of the 1,519
(`--list` prints them). Each was read once, by one reader, with the rule of the model card's
top-20 tables: an attack, abuse or slur aimed at someone (the other poster, a third person, a group)
is agreed; condescension, mild jabs and abuse whose target is unclear are borderline. The judged ids
are below (PLAIN, BORDERLINE); every other candidate was judged civil (profanity in friendly advice,
"holy shit", complaints about the weather, discussions of assault or racism).

Printed: where the judged comments rank among the 1,519 by the built-in models' TOXICITY and INSULT
scores (`score --no-stance`), and how many sit in each top 20. Comments with no listed word were not
read; a sarcastic jab without one would be missed, so the counts are a floor.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import load_lexicon, load_valence  # noqa: E402
DUMP = os.path.join(ROOT, "..", "shared", "data", "dumps", "convokit_subreddit_cornell")
PLAIN = ["c3fw363", "c3fyako", "c3g8b5i", "cq4avsb", "d7247x6", "d725suy", "d725v1t", "deft231", "defum7z",
         "defwae3", "dfuoo9r", "e05y0kg", "e067r9p"]
BORDERLINE = ["czqwes1", "defxosu", "df3gf4k", "df419vm", "e08pse3", "cpzkn81", "d725y0g"]


def candidates():
    lex = load_lexicon()
    val = load_valence()
    out = []
    with open(os.path.join(DUMP, "utterances.jsonl"), encoding="utf-8") as f:
        for line in f:
            u = json.loads(line)
            words = re.findall(r"[a-z']+", (u.get("text") or "").lower())
            hits = sorted({w for w in words if w in lex or val.get(w, 0) <= -2})
            if hits:
                out.append((u["id"], hits, " ".join((u.get("text") or "").split())))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "threadlens"))
    ap.add_argument("--list", action="store_true", help="print the candidates (id, words, text) and stop")
    a = ap.parse_args()
    cands = candidates()
    if a.list:
        for i, h, t in cands:
            print(f"{i}|{','.join(h)}|{t[:300]}")
        return
    ids = {i for i, _, _ in cands}
    assert set(PLAIN + BORDERLINE) <= ids, "a judged id is no longer a candidate"
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "s.jsonl")
        subprocess.run([a.bin, "-q", "score", "--no-stance", "--explain", "none", DUMP, "-o", out], check=True)
        rows = [json.loads(line) for line in open(out)]
    print(f"{len(rows)} comments, {len(cands)} candidates read, {len(PLAIN)} plainly uncivil, "
          f"{len(BORDERLINE)} borderline")
    for name, key in (("TOXICITY", lambda r: r["incivility"]), ("INSULT", lambda r: r["attributes"]["insult"])):
        rank = {r["id"]: n + 1 for n, r in enumerate(sorted(rows, key=lambda r: -key(r)))}
        p = sorted(rank[i] for i in PLAIN)
        b = sorted(rank[i] for i in BORDERLINE)
        print(f"{name}: plain ranks {p}; borderline {b}; in the top 20: {sum(x <= 20 for x in p)} plain, "
              f"{sum(x <= 20 for x in b)} borderline")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Do the six incivility train splits hold enough threats of violence for a threat cue (a dense input
that fires on "I will hurt you", "they should be hanged") to learn a useful weight? (2026-12-05;
answer in models/MODEL_CARD.md, "Known limits": no.)

    python3 research/threat_rows.py [TASKS_DIR]

Counts, per source, the train rows that hold a threat construction: a speaker or wish (`I`, `we`,
`someone`, `I hope`, ...), a future or modal verb (`will`, `'ll`, `gonna`, `should`, `deserve to`, ...)
and within three words a violent verb (VIOLENT, written from what a threat of violence is, before
any functional case was read) followed by a target (`you`, `him`, `them`, a group name); or a
target with `should / must / deserve to (all) be / get` and a violent verb. Prints the matches, the
share labelled uncivil beside the source's base rate, and a few examples. A cue learns a weight
from the rows it fires on; if those are few, and their labels follow the source rather than the
threat, the weight is the sources' mix, not what a threat is.
"""
import csv, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import GROUPS  # noqa: E402

SIX = ("olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate")
VIOLENT = (r"kill|murder|shoot|shot|stab|hang|hanged|hung|lynch|burn|beat|hurt|punch|slap|strangle|choke|rape"
           r"|exterminate|slaughter|execute|behead|torture|drown|smash|bomb|gas|break|kick|cut|gut|stomp|skin"
           r"|massacre|deport|wipe out|get rid of|destroy|eliminate")
TARGET = r"(?:you|your|ya|u|ur|yourself|him|her|them|em|those|these|all|every|each|the|that|this|" + GROUPS + r")"
SPEAKER = r"(?:i|i'm|im|i'll|ill|we|we'll|someone|somebody|ima|imma|i'ma|gonna|hope|wish)"
MODAL = r"(?:will|'ll|gonna|going to|finna|about to|should|must|need to|deserve to|deserves to|want to|wanna|ima|imma)"
ACTIVE = re.compile(rf"\b{SPEAKER}\b.{{0,20}}?\b{MODAL}\s+(?:\w+\s+){{0,2}}?(?:{VIOLENT})\w*\s+{TARGET}\b", re.I)
PASSIVE = re.compile(rf"\b{TARGET}\s+(?:\w+\s+)?(?:should|must|need to|deserve to|deserves to|ought to)\s+(?:all\s+)?(?:be|get)\s+(?:{VIOLENT})\w*", re.I)


def main():
    tasks = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "bench", "tasks")
    csv.field_size_limit(1 << 30)
    print("| source | train rows | uncivil share | threat rows | of them uncivil |")
    print("|---|---|---|---|---|")
    examples = []
    total = [0, 0]
    for t in SIX:
        rows = list(csv.DictReader(open(os.path.join(tasks, t, "train.csv"), newline="", encoding="utf-8")))
        hits = [r for r in rows if ACTIVE.search(r["text"]) or PASSIVE.search(r["text"])]
        pos = sum(r["label"] == "1" for r in hits)
        total[0] += len(hits)
        total[1] += pos
        base = sum(r["label"] == "1" for r in rows) / len(rows)
        print(f"| {t} | {len(rows):,} | {base:.2f} | {len(hits)} | {pos / max(len(hits), 1):.2f} |")
        examples += [(t, r["label"], " ".join(r["text"].split())[:100]) for r in hits[:3]]
    print(f"| all | | | {total[0]} | {total[1] / max(total[0], 1):.2f} |")
    for e in examples:
        print(*e, sep="\t")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Training rows for the default stance model whose label is stance toward
the reply's *parent*, which is what `score` and `report` predict.

RumourEval labels every reply's stance toward the thread's source post.
For a direct reply the source is its parent, so the label is also stance
toward the parent; for a deeper reply it is not (a reply arguing with
another reply is usually labelled `comment` toward the source). This keeps
the rumoureval2019 train rows whose real parent (from the raw reply trees
in ../shared/data) is the source. Use it with pheme_parent's train split,
whose labels are stance toward the immediate parent.

  python3 scripts/stance_parent_data.py [SHARED] OUT.csv
"""
import csv
import json
import sys


def main():
    shared = sys.argv[1] if len(sys.argv) > 2 else "../shared"
    out = sys.argv[-1]
    parent = {}
    with open(f"{shared}/data/stance/rumoureval2019/rumoureval2019_flat.jsonl") as f:
        for line in f:
            r = json.loads(line)
            parent[r["id"]] = (r["parent_id"], r["thread_id"])
    src = f"{shared}/bench/tasks/rumoureval2019/train.csv"
    kept = total = 0
    with open(src, newline="") as f, open(out, "w", newline="") as g:
        rows = csv.DictReader(f)
        w = csv.DictWriter(g, fieldnames=rows.fieldnames)
        w.writeheader()
        for r in rows:
            total += 1
            p, t = parent[r["id"]]
            if p == t:
                w.writerow(r)
                kept += 1
    print(f"{out}: {kept} of {total} rumoureval2019 train rows reply to the source", file=sys.stderr)


if __name__ == "__main__":
    main()

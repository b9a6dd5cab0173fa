#!/usr/bin/env python3
"""Write the training file of the GitHub domain's gate (model card, "The GitHub domain").

    python3 scripts/github_gate_data.py ../shared target/github_gate.csv [--check-model models/github_gate.json]

The gate says whether a comment reads like a GitHub issue comment: its rows are the train splits of
the six incivility tasks, labelled 1 for gh_incivility's rows and 0 for the others' (the label
column means "from GitHub", not incivility). `threadlens train --vocab-of models/incivility.json`
fits it on the incivility model's columns, so `score` reads it from the same table. Train splits
only. Deterministic: the same inputs write the same bytes; --check-model fails (exit 1) unless the
written file is, byte for byte, the one the model records among its training files (by name and
SHA-256).
"""
import argparse
import csv
import hashlib
import json
import os
import sys

TASKS = ("olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate")
DOMAIN = "gh_incivility"
HEADER = ["id", "thread_id", "parent_id", "text", "parent_text", "label"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shared", help="the shared folder (holds bench/tasks)")
    ap.add_argument("output", help="the gate's training CSV")
    ap.add_argument("--check-model", help="a model file that should have been trained on OUTPUT")
    a = ap.parse_args(argv)
    csv.field_size_limit(1 << 30)
    counts = {}
    with open(a.output, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(HEADER)
        for t in TASKS:
            with open(os.path.join(a.shared, "bench", "tasks", t, "train.csv"), newline="", encoding="utf-8") as f:
                n = 0
                for r in csv.DictReader(f):
                    w.writerow([f"{t}_{r['id']}", r.get("thread_id", ""), r.get("parent_id", ""), r["text"],
                                r.get("parent_text", ""), "1" if t == DOMAIN else "0"])
                    n += 1
            counts[t] = n
    print(f"{a.output}: {counts[DOMAIN]} GitHub rows (label 1), {sum(counts.values()) - counts[DOMAIN]} others",
          file=sys.stderr)
    if a.check_model:
        with open(a.output, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        with open(a.check_model, encoding="utf-8") as f:
            recorded = {os.path.basename(d["file"]): d["sha256"] for d in json.load(f)["training"]["data"]}
        name = os.path.basename(a.output)
        if recorded.get(name) != digest:
            print(f"{a.check_model} was not trained on this {name} (sha256 {digest}; "
                  f"recorded {recorded.get(name, 'no such file')})", file=sys.stderr)
            sys.exit(1)
        print(f"{a.check_model} was trained on this {name}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Contagion from gold labels, by hand and by `threadlens report --gold`.

For the bench tasks whose rows form threads (gh_incivility, fox_news_hate),
train and test splits are joined into one dump (complete threads), then:
  1. by hand, here: among replies whose parent is a comment (a row that is
     not its thread's root record: a row with no parent and id == thread id
     is the issue/article), count uncivil replies after uncivil and after
     civil parents, from the gold labels;
  2. `threadlens report ALL.csv --format csv --gold ALL.csv -o r.json`:
     the report's gold contagion (must equal 1 exactly) and the lift from
     predicted scores beside it.
Prints a Markdown table; exits 1 on any mismatch. Needs ../shared and the
release binary (cargo build --release).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "threadlens")
TASKS = ["gh_incivility", "fox_news_hate"]


def by_hand(rows):
    byid = {r["id"]: r for r in rows}
    is_root = {r["id"]: (r["parent_id"] == "" and r["id"] == r["thread_id"]) for r in rows}
    unc = {r["id"]: r["label"].strip() in ("1", "true", "True") for r in rows}
    c = {"after_uncivil": 0, "uncivil_after_uncivil": 0, "after_civil": 0, "uncivil_after_civil": 0}
    for r in rows:
        p = r["parent_id"]
        if is_root[r["id"]] or p not in byid or is_root[p]:
            continue
        if unc[p]:
            c["after_uncivil"] += 1
            c["uncivil_after_uncivil"] += unc[r["id"]]
        else:
            c["after_civil"] += 1
            c["uncivil_after_civil"] += unc[r["id"]]
    pu = c["uncivil_after_uncivil"] / c["after_uncivil"]
    pc = c["uncivil_after_civil"] / c["after_civil"]
    return c, pu, pc, pu / pc


def main():
    tasks_dir = os.path.join(ROOT, "..", "shared", "bench", "tasks")
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="tl-contagion-")
    ok = True
    print("| task | comments | pairs | P(u\\|u) gold | P(u\\|c) gold | lift gold (by hand) | lift gold (report) | 95% CI | lift predicted | 95% CI |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for t in TASKS:
        rows = []
        for split in ("train", "test"):
            with open(os.path.join(tasks_dir, t, split + ".csv"), newline="", encoding="utf-8") as f:
                rows += list(csv.DictReader(f))
        path = os.path.join(tmp, t + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
        c, pu, pc, lift = by_hand(rows)
        out = os.path.join(tmp, t + ".json")
        subprocess.run([BIN, "-q", "report", path, "--format", "csv", "--gold", path, "-o", out], check=True)
        r = json.load(open(out))
        g = r["gold"]["corpus"]
        if g["contagion"] != c:
            ok = False
            print(f"MISMATCH {t}: by hand {c}, report {g['contagion']}", file=sys.stderr)
        gl, pl = g["lift"], r["corpus"]["lift"]
        pairs = c["after_uncivil"] + c["after_civil"]
        print(f"| {t} | {r['corpus']['comments']} | {pairs} | {pu:.4f} | {pc:.4f} | {lift:.4f} | {gl['value']:.4f} | {gl['low']:.2f}–{gl['high']:.2f} | "
              f"{pl['value']:.4f} | {pl['low']:.2f}–{pl['high']:.2f} |")
        if abs(gl["value"] - lift) > 1e-9:
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Does length alone raise the incivility score? (2026-12-05; answer in models/MODEL_CARD.md,
"Cues read per window": it did, through the dense cues; `train --cue-window 50` stops it.)

    python3 research/joined_civil.py [MODEL...]          # default: models/incivility.json

Joins random civil (label 0) test comments of c3_toxic and reddit_incivility (seeded), 150 texts
each of 1, 2, 4, 8 and 16 comments, and prints, per model and size, the mean P(uncivil) and the
share at or over the model's threshold (`threadlens eval -m MODEL --predictions`). Civil text
should stay civil however much of it there is; a model whose score climbs with the number of
joined comments reads length as incivility.

    python3 research/joined_civil.py --by-length DUMP    # flag rate by post length, built-in models

With --by-length: `threadlens score --no-domains` of a dump (e.g. IAC's discussions folder), the
share flagged per band of words (under 20, 20-50, 50-100, 100-200, 200-400, over 400).
"""
import csv, json, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "target", "release", "threadlens")
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
SIZES = (1, 2, 4, 8, 16)
BANDS = ((0, 20), (20, 50), (50, 100), (100, 200), (200, 400), (400, 10**9))


def joined(tmp):
    csv.field_size_limit(1 << 30)
    rows = [r["text"] for t in ("c3_toxic", "reddit_incivility")
            for r in csv.DictReader(open(os.path.join(B, t, "test.csv"), newline="", encoding="utf-8")) if r["label"] == "0"]
    random.Random(0).shuffle(rows)
    path = os.path.join(tmp, "joined.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "thread_id", "parent_id", "text", "parent_text", "label"])
        for k in SIZES:
            for i in range(150):
                at = (i * k) % len(rows)
                w.writerow([f"{k}_{i}", "", "", " ".join(rows[at:at + k]), "", "0"])
    return path


def by_size(models):
    with tempfile.TemporaryDirectory() as tmp:
        data = joined(tmp)
        for m in models:
            pf = os.path.join(tmp, "p.jsonl")
            subprocess.run([EXE, "-q", "eval", "-m", m, "--data", data, "--predictions", pf], check=True, capture_output=True)
            th = json.load(open(m))["threshold"]
            p = {}
            for line in open(pf):
                r = json.loads(line)
                p.setdefault(int(r["id"].split("_")[0]), []).append(r["probabilities"]["uncivil"])
            print(m, " | ".join(f"{k}: P {sum(v) / len(v):.3f}, flagged {sum(x >= th for x in v) / len(v):.3f}"
                                for k, v in sorted(p.items())))


def by_length(dump):
    with tempfile.TemporaryDirectory() as tmp:
        sc, pa = os.path.join(tmp, "s.jsonl"), os.path.join(tmp, "p.jsonl")
        subprocess.run([EXE, "-q", "score", "--no-stance", "--no-attributes", "--no-domains", dump, "-o", sc], check=True)
        subprocess.run([EXE, "-q", "parse", dump, "-o", pa], check=True)
        words = {json.loads(l)["id"]: len((json.loads(l).get("text") or "").split()) for l in open(pa)}
        rows = [r for r in map(json.loads, open(sc)) if r.get("incivility") is not None]
    for lo, hi in BANDS:
        band = [r for r in rows if lo <= words[r["id"]] < hi]
        if band:
            print(f"{lo}-{hi if hi < 10**9 else ''} words: {len(band)} comments, flagged {sum(bool(r['uncivil']) for r in band) / len(band):.3f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--by-length"]:
        by_length(sys.argv[2])
    else:
        by_size(sys.argv[1:] or [os.path.join(ROOT, "models", "incivility.json")])

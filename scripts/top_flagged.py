#!/usr/bin/env python3
"""The N highest-scoring comments of a `threadlens score --explain all` output,
with their text (joined from `threadlens parse`) and top reasons, as Markdown
for a reader to judge (the model card's "highest-scoring comments" lists).

    python3 scripts/top_flagged.py DUMP [--format F] [-n 20] [--by insult] [--bin target/release/threadlens]

--by ranks by an attribute head (insult, identity_attack, profanity) instead
of the incivility (TOXICITY) score; reasons are the incivility model's.
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--format", default=None)
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--by", default="incivility", help="incivility (default) or an attribute: insult, identity_attack, profanity")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "threadlens"))
    a = ap.parse_args()
    fmt = ["--format", a.format] if a.format else []
    with tempfile.TemporaryDirectory() as tmp:
        sc, pa = os.path.join(tmp, "s.jsonl"), os.path.join(tmp, "p.jsonl")
        subprocess.run([a.bin, "-q", "score", a.dump, "--explain", "all", "--no-stance", "-o", sc] + fmt)
        subprocess.run([a.bin, "-q", "parse", a.dump, "-o", pa] + fmt)
        text = {}
        for l in open(pa):
            r = json.loads(l)
            text[(r["thread"], r["id"])] = r["text"]
        rows = [json.loads(l) for l in open(sc)]
    def key(r):
        return r.get("incivility") if a.by == "incivility" else (r.get("attributes") or {}).get(a.by)

    rows = [r for r in rows if key(r) is not None and r["kind"] == "comment"]
    rows.sort(key=lambda r: -key(r))
    print("| # | P | text | top reasons |")
    print("|---|---|---|---|")
    for i, r in enumerate(rows[: a.n], 1):
        t = " ".join(text[(r["thread"], r["id"])].split())
        t = (t[:160] + "…") if len(t) > 160 else t
        reasons = ", ".join(f"`{c['feature']}`" for c in r.get("reasons", [])[:3])
        print(f"| {i} | {key(r):.2f} | {t.replace('|', '/')} | {reasons} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Word n-grams whose link to the label is explained by which dataset they come
from, and what a model makes of each alone.

    python3 scripts/source_markers.py [--tasks ../shared/bench/tasks] [--model models/incivility.json]
        [--min-df 20] [-n 25] [--bin target/release/threadlens] [--json out.json] [--check]

For every word uni- and bigram (lowercased words and punctuation) found in at
least --min-df texts of the six incivility train splits, two odds ratios of
"the text contains it" against the label:
  - pooled: all rows in one 2x2 table (what a model trained on the rows
    pooled sees);
  - within sources: the Mantel-Haenszel ratio over the six per-source tables
    (the association left once each source's base rate is held fixed).
An n-gram is a *source marker* when the pooled ratio says "uncivil" (>= 2) and
the within-source ratio does not (<= 1.25): it is common in a source where
most texts are uncivil, not in the uncivil texts of any source (`@user` of
OLID, `rt` of Davidson's tweets). For contrast, *label words* are those whose
within-source ratio is >= 2 as well. Each n-gram is then scored alone, as a
comment, with the model (`threadlens score --explain all`), and the share of
each group that the model flags at its own threshold is printed: a model that
learned the label and not the datasets flags label words and not markers.
Words of the built-in abusive-word list (models/lexicon.csv) are counted apart:
a slur in a source that labels nearly every text offensive (Davidson) looks
like a marker to this test. A fixed list of placeholders and one-word replies
(`@USER`, `RT`, `URL`, `Agreed`, ...) is scored too.

--check exits 1 when the model flags alone any of the dataset placeholders
named in the generalisation issue (`@USER`, `RT`, `URL`, `&amp;`, `Agreed`) or
more than 10% of the unlisted markers (CI runs it when ../shared is present).
Nothing here is used in training.
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate"]
WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
MUST_PASS = ["@USER", "@USER @USER", "RT", "URL", "&amp;", "Agreed", "Agreed."]
MAX_MARKERS_FLAGGED = 0.10
FIXED = ["@USER", "@USER @USER", "@user hi", "RT", "URL", "http://t.co/abc", "Agreed", "Agreed.", "Thanks",
         "LGTM", "+1", "#MAGA", "&amp;", "lol", "Yes", "No", "Why?"]


def grams(text):
    w = WORD.findall(text.lower())
    return set(w) | {a + " " + b for a, b in zip(w, w[1:])}


def odds(tables):
    """Pooled and Mantel-Haenszel odds ratios from per-source [a, b, c, d]:
    a = has & uncivil, b = has & civil, c = lacks & uncivil, d = lacks & civil.
    Both with 0.5 added to each cell."""
    A = sum(t[0] for t in tables) + 0.5
    Bc = sum(t[1] for t in tables) + 0.5
    C = sum(t[2] for t in tables) + 0.5
    D = sum(t[3] for t in tables) + 0.5
    pooled = (A * D) / (Bc * C)
    num = den = 0.0
    for a, b, c, d in tables:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        n = a + b + c + d
        num += a * d / n
        den += b * c / n
    return pooled, num / den


def load(path):
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["text"], r["label"] == "1") for r in csv.DictReader(f)]


def listed_words(path):
    """Entries of the abusive-word list (any category rated), with a plural s."""
    out = set()
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if any(r[k] not in ("", "0") for k in ("profane", "offensive", "sexual", "mean")):
                w = r["word"].lower()
                out |= {w, w + "s"}
    return out


def score_alone(binary, model, texts):
    """P(uncivil) and the reasons of each text scored alone as a comment."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.csv"), os.path.join(tmp, "out.jsonl")
        with open(src, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "text"])
            for i, t in enumerate(texts):
                w.writerow([f"t{i}", t])
        subprocess.run([binary, "-q", "score", src, "--id-col", "id", "--text-col", "text",
                        "--incivility-model", model, "--no-stance", "--explain", "all", "-o", out], check=True)
        got = {}
        for line in open(out, encoding="utf-8"):
            r = json.loads(line)
            if r.get("incivility") is not None:
                got[r["id"]] = (r["incivility"], r.get("reasons") or [])
    return [got.get(f"t{i}", (None, [])) for i in range(len(texts))]


def reasons_str(reasons, k=3):
    out = []
    for r in reasons[:k]:
        if isinstance(r, dict):
            out.append(f"`{r.get('feature')}` {r.get('weight', 0):+.2f}")
        else:
            out.append(f"`{r}`")
    return ", ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default=os.path.join(ROOT, "..", "shared", "bench", "tasks"))
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "incivility.json"))
    ap.add_argument("--bin", default=os.environ.get("THREADLENS_BIN") or os.path.join(ROOT, "target", "release", "threadlens"))
    ap.add_argument("--min-df", type=int, default=20)
    ap.add_argument("-n", type=int, default=25, help="markers listed (all are scored)")
    ap.add_argument("--json", help="write every scored n-gram here")
    ap.add_argument("--lexicon", default=os.path.join(ROOT, "models", "lexicon.csv"))
    ap.add_argument("--check", action="store_true", help="exit 1 if placeholders or over 10%% of markers are flagged")
    a = ap.parse_args()
    if not os.path.isdir(a.tasks):
        sys.exit(f"no bench tasks at {a.tasks}")
    counts = defaultdict(lambda: [[0, 0] for _ in SOURCES])  # per n-gram, per source: [uncivil, civil] texts with it
    totals = []
    for si, s in enumerate(SOURCES):
        rows = load(os.path.join(a.tasks, s, "train.csv"))
        pos = sum(y for _, y in rows)
        totals.append((pos, len(rows) - pos))
        for text, y in rows:
            for g in grams(text):
                counts[g][si][0 if y else 1] += 1
    stats = []
    for g, per in counts.items():
        df = sum(u + c for u, c in per)
        if df < a.min_df:
            continue
        tables = [[u, c, totals[i][0] - u, totals[i][1] - c] for i, (u, c) in enumerate(per)]
        pooled, mh = odds(tables)
        stats.append({"ngram": g, "df": df, "pooled_or": pooled, "within_or": mh,
                      "sources": [SOURCES[i] for i, (u, c) in enumerate(per) if u + c > 0]})
    listed = listed_words(a.lexicon)
    confounded = [s for s in stats if s["pooled_or"] >= 2 and s["within_or"] <= 1.25]
    slurs = [s for s in confounded if s["ngram"] in listed]
    markers = [s for s in confounded if s["ngram"] not in listed]
    labels = [s for s in stats if s["pooled_or"] >= 2 and s["within_or"] >= 2]
    markers.sort(key=lambda s: -math.log(s["pooled_or"] / s["within_or"]))
    threshold = json.load(open(a.model))["threshold"]
    scored_groups = markers + labels + slurs
    texts = [s["ngram"] for s in scored_groups] + FIXED
    scored = score_alone(a.bin, a.model, texts)
    for s, (p, r) in zip(scored_groups, scored):
        s["p_alone"], s["reasons"] = p, r
    fixed = list(zip(FIXED, scored[len(scored_groups):]))

    def flagged(group):
        ps = [s["p_alone"] for s in group if s["p_alone"] is not None]
        return sum(p >= threshold for p in ps), len(ps), (sum(ps) / len(ps) if ps else float("nan"))

    fm, nm, mm = flagged(markers)
    fl, nl, ml = flagged(labels)
    fs, ns, ms = flagged(slurs)
    shown = os.path.relpath(a.model, ROOT) if os.path.abspath(a.model).startswith(ROOT + os.sep) else a.model
    print(f"model {shown} (threshold {threshold:.3f}); {len(stats)} n-grams in >= {a.min_df} texts\n")
    print("| n-grams | count | flagged alone | mean P alone |")
    print("|---|---|---|---|")
    print(f"| source markers (pooled OR >= 2, within-source OR <= 1.25) | {nm} | {fm} ({fm / max(nm, 1):.0%}) | {mm:.3f} |")
    print(f"| listed abusive words among them (apart) | {ns} | {fs} ({fs / max(ns, 1):.0%}) | {ms:.3f} |")
    print(f"| label words (pooled and within-source OR >= 2) | {nl} | {fl} ({fl / max(nl, 1):.0%}) | {ml:.3f} |")
    print(f"\nStrongest {min(a.n, len(markers))} source markers (pooled / within-source odds ratio):\n")
    print("| n-gram | texts | sources | pooled OR | within OR | P alone | top reasons |")
    print("|---|---|---|---|---|---|---|")
    for s in markers[: a.n]:
        g = s["ngram"].replace("|", "\\|").replace("`", "'")
        p = "–" if s["p_alone"] is None else f"{s['p_alone']:.2f}"
        print(f"| `{g}` | {s['df']} | {len(s['sources'])} | {s['pooled_or']:.1f} | {s['within_or']:.2f} | {p} | {reasons_str(s['reasons'])} |")
    print("\nPlaceholders and one-word replies alone:\n")
    print("| text | P | top reasons |")
    print("|---|---|---|")
    for t, (p, r) in fixed:
        print(f"| `{t}` | {'–' if p is None else f'{p:.2f}'} | {reasons_str(r)} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"threshold": threshold, "markers": markers, "listed": slurs, "labels": labels,
                       "fixed": [{"text": t, "p": p} for t, (p, _) in fixed]}, f, indent=1)
    if a.check:
        bad = [t for t, (p, _) in fixed if t in MUST_PASS and (p is None or p >= threshold)]
        if bad or nm == 0 or fm / nm > MAX_MARKERS_FLAGGED:
            sys.exit(f"source-marker check failed: placeholders flagged {bad}; markers flagged {fm} of {nm}"
                     f" (at most {MAX_MARKERS_FLAGGED:.0%})")
        print(f"\nsource-marker check passed: no placeholder flagged, markers flagged {fm} of {nm}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What does the stance model miss of `agree` among replies? (2026-12-03;
answer in models/MODEL_CARD.md, "Stance": mostly replies that give an
opinion in line with the claim, with no agreement words; RumourEval's
`support` is support for the rumour, so quoting the source and agreement
words are weak signs of it.)

    python3 research/agree_misses.py ../shared [target/release/threadlens]

RumourEval 2019's train split is cut by thread (a quarter of the threads,
by CRC32 of the thread id, held out); a stance model is trained on the rest
with the per-task recipe and its held-out `agree` false negatives are
sorted into kinds. Then, over the whole train split, the label mix of
replies that quote their parent and of replies with agreement words. The
test split is not read.
"""
import collections, csv, json, os, re, subprocess, sys, tempfile, zlib

AGREE = re.compile(r"\b(i agree|agreed|exactly|you'?re right|so true|well said|absolutely|amen|indeed|correct|yes)\b", re.I)


def norm(t):
    return re.sub(r"\s+", " ", re.sub(r"https?://\S+", "", t)).strip().lower()


def quotes(r):
    p = norm(r["parent_text"])
    return len(p) >= 20 and p[:30] in norm(r["text"])


def bare(r):
    return not re.sub(r"@\w+|https?://\S+|#\w+|\W", "", r["text"])


def main():
    shared = sys.argv[1]
    exe = sys.argv[2] if len(sys.argv) > 2 else "target/release/threadlens"
    rows = list(csv.DictReader(open(os.path.join(shared, "bench", "tasks", "rumoureval2019", "train.csv"), newline="")))
    tmp = tempfile.mkdtemp()
    tr, va, m, pf = (os.path.join(tmp, f) for f in ("tr.csv", "va.csv", "m.json", "p.jsonl"))
    with open(tr, "w", newline="") as a, open(va, "w", newline="") as b:
        wa, wb = csv.DictWriter(a, rows[0].keys()), csv.DictWriter(b, rows[0].keys())
        wa.writeheader(), wb.writeheader()
        for r in rows:
            (wb if zlib.crc32(r["thread_id"].encode()) % 4 == 0 else wa).writerow(r)
    subprocess.run([exe, "-q", "train", "--task", "stance", "--data", tr, "-o", m], check=True, capture_output=True)
    e = json.loads(subprocess.run([exe, "-q", "eval", "-m", m, "--data", va, "--predictions", pf],
                                  check=True, capture_output=True, text=True).stdout)
    print("held-out quarter: macro-F1 %.4f, F1 %s" % (e["macro_f1"], dict(zip(e["labels"], (round(x, 3) for x in e["f1"])))))
    held = {r["id"]: r for r in csv.DictReader(open(va, newline=""))}
    kinds, n_agree = collections.Counter(), 0
    for line in open(pf):
        p = json.loads(line)
        r = held[p["id"]]
        if r["label"] != "agree":
            continue
        n_agree += 1
        if max(p["probabilities"], key=p["probabilities"].get) == "agree":
            continue
        kinds["quotes the parent" if quotes(r) else "agreement words" if AGREE.search(r["text"])
              else "only mentions, links, hashtags" if bare(r) else "other: an opinion in line with the claim"] += 1
    print(f"agree replies held out: {n_agree}; missed: {sum(kinds.values())}", dict(kinds))
    for name, f in (("quote their parent", quotes), ("have agreement words", lambda r: AGREE.search(r["text"]))):
        c = collections.Counter(r["label"] for r in rows if f(r))
        print(f"train replies that {name}: {sum(c.values())},", dict(c))


if __name__ == "__main__":
    main()

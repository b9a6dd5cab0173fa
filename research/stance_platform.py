#!/usr/bin/env python3
"""Does a stance model per platform beat one model for both? (2026-12-03;
answer in models/MODEL_CARD.md, "Stance": no, on thread-held-out rows of
RumourEval 2019's train split.)

    python3 research/stance_platform.py ../shared [target/release/threadlens]

rumoureval2019_official's train split (Twitter and Reddit replies; tweet
ids are numeric) is cut by thread (CRC32 of the thread id; a quarter held
out). One stance model is trained on all training rows, and one per
platform on that platform's rows; each is evaluated on the held-out rows
(per platform, and the two platform models' confusions summed for the
whole quarter). The test split is not read.
"""
import csv, json, os, subprocess, sys, tempfile, zlib


def f1s(conf):
    out = []
    for i in range(len(conf)):
        tp = conf[i][i]
        fp = sum(row[i] for row in conf) - tp
        fn = sum(conf[i]) - tp
        out.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return out


def main():
    shared = sys.argv[1]
    exe = sys.argv[2] if len(sys.argv) > 2 else "target/release/threadlens"
    rows = list(csv.DictReader(open(os.path.join(shared, "bench", "tasks", "rumoureval2019_official", "train.csv"), newline="")))
    tmp = tempfile.mkdtemp()
    parts = {}
    for r in rows:
        part = "va" if zlib.crc32(r["thread_id"].encode()) % 4 == 0 else "tr"
        plat = "twitter" if r["id"].isdigit() else "reddit"
        for name in (part, f"{part}_{plat}"):
            parts.setdefault(name, []).append(r)
    for name, rs in parts.items():
        with open(os.path.join(tmp, name + ".csv"), "w", newline="") as f:
            w = csv.DictWriter(f, rows[0].keys())
            w.writeheader()
            w.writerows(rs)
    p = lambda n: os.path.join(tmp, n)
    for m in ("tr", "tr_twitter", "tr_reddit"):
        subprocess.run([exe, "-q", "train", "--task", "stance", "--data", p(m + ".csv"), "-o", p(m + ".json")],
                       check=True, capture_output=True)

    def ev(m, d):
        out = subprocess.run([exe, "-q", "eval", "-m", p(m + ".json"), "--data", p(d + ".csv")],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    one = ev("tr", "va")
    print("held-out rows:", {k: len(v) for k, v in parts.items() if k.startswith("va")})
    print("one model: macro-F1 %.4f, F1 %s" % (one["macro_f1"], [round(x, 3) for x in one["f1"]]))
    per = {plat: ev("tr_" + plat, "va_" + plat) for plat in ("twitter", "reddit")}
    conf = [[sum(per[q]["confusion"][i][j] for q in per) for j in range(4)] for i in range(4)]
    f = f1s(conf)
    print("a model per platform: macro-F1 %.4f, F1 %s" % (sum(f) / len(f), [round(x, 3) for x in f]))
    for plat in per:
        print(f"  {plat}: one model %.4f, its own %.4f" % (ev("tr", "va_" + plat)["macro_f1"], per[plat]["macro_f1"]))


if __name__ == "__main__":
    main()

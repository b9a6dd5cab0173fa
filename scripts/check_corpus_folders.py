#!/usr/bin/env python3
"""Read the standard corpus folders in ../shared as a user would point
threadlens at them, and check that their layout is recognised:

  * ConvoKit corpus folder (utterances.jsonl beside speakers.json,
    conversations.json, corpus.json, index.json): one thread per
    conversation, every record from utterances.jsonl;
  * IAC release (discussions/ beside quotes/, annotations/ and readmes):
    one thread per discussion file, every record from discussions/;
  * RumourEval 2017 and 2019 releases (thread folders with source-tweet/,
    replies/, structure.json, context/, urls.dat, raw.json; answer keys
    beside them): one thread per thread folder, every record a tweet or
    Reddit reply file.

Each must exit 0 (no rejections), make no thread from metadata or readmes,
and `report` must succeed on it.

Usage: scripts/check_corpus_folders.py [--shared ../shared] [--bin target/release/threadlens]
Exits 1 if any check fails.
"""
import argparse, glob, json, os, subprocess, sys, tarfile, tempfile


def run(binary, folder, out_dir):
    p = subprocess.run([binary, "-q", "parse", folder], capture_output=True, text=True)
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    r = subprocess.run(
        [binary, "-q", "report", folder, "-o", os.path.join(out_dir, "r.html")],
        capture_output=True, text=True,
    )
    return p.returncode, p.stderr, rows, r.returncode, r.stderr


def check(name, binary, folder, want_threads, source_ok, out_dir):
    rc, err, rows, rrc, rerr = run(binary, folder, out_dir)
    threads = {r["thread"] for r in rows}
    bad_sources = [r["source"] for r in rows if not source_ok(r["source"].rsplit(":", 1)[0])]
    problems = []
    if rc != 0:
        problems.append(f"parse exit {rc}: {err.strip()[:400]}")
    if rrc != 0:
        problems.append(f"report exit {rrc}: {rerr.strip()[:400]}")
    if len(threads) != want_threads:
        problems.append(f"{len(threads)} threads, expected {want_threads}")
    if bad_sources:
        problems.append(f"{len(bad_sources)} records from files that hold no comments, e.g. {bad_sources[0]}")
    print(json.dumps({"corpus": name, "records": len(rows), "threads": len(threads),
                      "expected_threads": want_threads, "ok": not problems, "problems": problems}))
    return not problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--bin", default="target/release/threadlens")
    a = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        convokit = os.path.join(a.shared, "data/dumps/convokit_subreddit_cornell")
        if os.path.isdir(convokit):
            with open(os.path.join(convokit, "conversations.json"), encoding="utf-8") as f:
                n = len(json.load(f))
            ok &= check("convokit_subreddit_cornell", a.bin, convokit, n,
                        lambda s: s.endswith("/utterances.jsonl"), tmp)
        iac = os.path.join(a.shared, "data/dumps/iac_v1_sample.tar.gz")
        if os.path.isfile(iac):
            d = os.path.join(tmp, "iac")
            with tarfile.open(iac) as t:
                t.extractall(d, filter="data")
            n = len(glob.glob(os.path.join(d, "discussions", "*.json")))
            ok &= check("iac_v1_sample", a.bin, d, n,
                        lambda s: "/discussions/" in s, tmp)
        for year in ("2017", "2019"):
            tar = os.path.join(a.shared, f"data/stance/rumoureval{year}/threads.tar.gz")
            if not os.path.isfile(tar):
                continue
            d = os.path.join(tmp, f"re{year}")
            with tarfile.open(tar) as t:
                t.extractall(d, filter="data")
            n = len(glob.glob(os.path.join(d, "**", "structure.json"), recursive=True))
            ok &= check(f"rumoureval{year}", a.bin, d, n,
                        lambda s: "/source-tweet/" in s or "/replies/" in s, tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

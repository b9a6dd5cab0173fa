#!/usr/bin/env python3
"""Check `threadlens parse` on the RumourEval 2017 and 2019 thread folders.

For every tweet/Reddit reply file the parse output must give:
  * tree parent == the record's own reply-to id (`in_reply_to_status_id_str`,
    or Reddit `parent_id` without its t1_/t3_ prefix) whenever that record is
    in the thread; otherwise the reply is an orphan under the root with
    `missing_parent` equal to that id (deleted tweets);
  * agreement with `structure.json` wherever structure.json and the reply-to
    id agree (structure.json has known errors; disagreements are counted).

Usage: scripts/check_rumoureval.py [--shared ../shared] [--bin target/release/threadlens]
Exits 1 if any check fails.
"""
import argparse, json, os, subprocess, sys, tarfile, tempfile


def strip(fullname):
    if fullname and len(fullname) > 3 and fullname[0] == "t" and fullname[2] == "_":
        return fullname[3:]
    return fullname


def own_parent(path):
    with open(path, encoding="utf-8") as f:
        o = json.load(f)
    if "kind" in o and "data" in o:
        d = o["data"]
        if o["kind"] == "Listing":
            return None
        return strip(d.get("parent_id"))
    p = o.get("in_reply_to_status_id_str")
    return p


def structure_parents(path):
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    parents = {}
    stack = [(None, s)]
    while stack:
        parent, node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if parent is not None:
                    parents[k] = parent
                stack.append((k, v))
    return parents


def check(name, tarpath, binary, work):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    with tarfile.open(tarpath) as t:
        t.extractall(d, filter="data")
    out = os.path.join(work, name + ".jsonl")
    diag = os.path.join(work, name + ".diag.jsonl")
    r = subprocess.run([binary, "parse", d, "-o", out, "--diagnostics", diag, "-q"], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        print(f"{name}: threadlens failed: {r.stderr}")
        return False
    rows = [json.loads(l) for l in open(out, encoding="utf-8")]
    by_thread = {}
    for row in rows:
        by_thread.setdefault(row["thread"], set()).add(row["id"])
    n = ok_parent = orphans = ok_orphan = 0
    st_cmp = st_agree = st_disagree_src = 0
    bad = []
    st_cache = {}
    for row in rows:
        src = row["source"].rsplit(":", 1)[0]
        if "/replies/" not in src:
            continue
        n += 1
        want = own_parent(src)
        if want is None:
            # A tweet in replies/ that replies to nothing: top-level under the source.
            want = row["thread"]
        if want in by_thread[row["thread"]]:
            if row["parent"] == want:
                ok_parent += 1
            else:
                bad.append((src, want, row["parent"]))
        else:
            orphans += 1
            if "orphan" in row["flags"] and row.get("missing_parent") == want and row["parent"] == row["thread"]:
                ok_orphan += 1
            else:
                bad.append((src, want, row["parent"]))
        folder = os.path.dirname(os.path.dirname(src))
        if folder not in st_cache:
            sp = os.path.join(folder, "structure.json")
            st_cache[folder] = structure_parents(sp) if os.path.exists(sp) else {}
        sparent = st_cache[folder].get(row["id"])
        if sparent is not None:
            if sparent == want:
                st_cmp += 1
                st_agree += row["parent"] == sparent or (
                    "orphan" in row["flags"] and row.get("missing_parent") == sparent)
            else:
                st_disagree_src += 1
    rejected = sum(1 for _ in open(diag, encoding="utf-8") if '"orphan"' not in _ and '"cycle_broken"' not in _)
    ok = not bad and ok_parent + ok_orphan == n and st_agree == st_cmp
    print(json.dumps(dict(dataset=name, threads=len(by_thread), replies=n, parent_matches_reply_to=ok_parent,
                          orphans_deleted_parent=orphans, orphans_flagged_correctly=ok_orphan,
                          structure_json_compared=st_cmp, structure_json_agree=st_agree,
                          structure_json_disagrees_with_reply_to=st_disagree_src,
                          diagnostics_not_repairs=rejected, ok=ok)))
    for b in bad[:10]:
        print("  mismatch:", b)
    return ok


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--shared", default=os.path.join(here, "..", "shared"))
    ap.add_argument("--bin", default=os.path.join(here, "target", "release", "threadlens"))
    a = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for name in ("rumoureval2017", "rumoureval2019"):
            tp = os.path.join(a.shared, "data", "stance", name, "threads.tar.gz")
            if not os.path.exists(tp):
                print(f"{name}: {tp} not found, skipped")
                continue
            ok &= check(name, tp, a.bin, work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

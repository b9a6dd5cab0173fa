#!/usr/bin/env python3
"""Run spark/threadlens_spark.py in Spark local mode and compare with one
machine: the score rows (every field, `source` included, as sets: Spark
writes threads in partition order) and the report (byte for byte).

    spark/check_spark.py [--comments N] [--threads T] [--partitions P]
                         [--spark-submit target/sparkvenv/bin/spark-submit]
                         [--bin target/release/threadlens] [--shared ../shared]

The dump is synthetic (interleaved threads, nested replies), checked as
JSON lines and again as Parquet in and out (`--rows-format parquet`: the
Parquet rows read back must equal the JSON rows, `source` naming the
Parquet file's row); with --shared, the RumourEval 2019 flat file and the
ConvoKit utterances are checked too.
Prints one JSON line per dump with the wall times; exits 1 on a difference.
"""
import argparse, json, os, random, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ["you idiot", "thanks, good point", "what a moron", "I disagree, the numbers say otherwise",
         "why would they do that?", "shut up", "great post", "this is nonsense", "agreed"]


def make_dump(path, comments, threads, seed=20261202):
    r = random.Random(seed)
    lines = []
    kids = [[] for _ in range(threads)]
    for t in range(threads):
        lines.append(json.dumps({"id": f"s{t}", "title": f"Thread {t}", "selftext": "", "subreddit": "x",
                                 "author": f"op{t % 97}", "created_utc": 1_700_000_000 + t}))
    for i in range(comments):
        t = r.randrange(threads)
        parent = f"t1_c{r.choice(kids[t])}" if kids[t] and r.random() < 0.5 else f"t3_s{t}"
        kids[t].append(i)
        lines.append(json.dumps({"id": f"c{i}", "parent_id": parent, "link_id": f"t3_s{t}",
                                 "body": f"{r.choice(WORDS)} {i}", "author": f"u{r.randrange(5000)}",
                                 "created_utc": 1_700_000_100 + i}))
    # Interleave: submissions first, comments in arrival order across threads.
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def without_nulls(v):
    """`v` without null fields (Parquet has a column for every field; JSON
    rows leave some out)."""
    if isinstance(v, dict):
        return {k: without_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [without_nulls(x) for x in v]
    return v


def rows_of(text):
    return sorted((without_nulls(json.loads(l)) for l in text.splitlines() if l.strip()),
                  key=lambda r: (r["thread"], r["id"]))


_spark = None


def spark_session(a):
    """A local Spark session in this process (for the Parquet round trips)."""
    global _spark
    if _spark is None:
        from pyspark.sql import SparkSession
        _spark = (SparkSession.builder.master(f"local[{a.cores}]").appName("threadlens-check")
                  .config("spark.ui.enabled", "false").getOrCreate())
    return _spark


def to_parquet(dump, folder, a):
    """The dump as one Parquet file, row k = line k; its path."""
    shutil.rmtree(folder, ignore_errors=True)
    spark_session(a).read.json(dump).coalesce(1).write.parquet(folder)
    return [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet")][0]


def check(name, dump, a, tmp, parquet=False):
    out = os.path.join(tmp, name)
    # Spark does not write over an output folder of an earlier run.
    shutil.rmtree(out, ignore_errors=True)
    report = os.path.join(tmp, f"{name}.spark.html")
    spark_input = to_parquet(dump, os.path.join(tmp, f"{name}.parquet"), a) if parquet else dump
    t0 = time.time()
    cmd = [a.spark_submit, "--master", f"local[{a.cores}]", "--files", a.bin,
           os.path.join(ROOT, "spark", "threadlens_spark.py"), "--input", spark_input, "--out", out,
           "--partitions", str(a.partitions), "--report", report, "--local-binary", a.bin]
    if parquet:
        cmd += ["--rows-format", "parquet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    spark_s = time.time() - t0
    # Largest peak RSS of a process under spark-submit so far (the JVM,
    # Python workers, threadlens runs): kB on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # Per task: the executors log their threadlens runs' peak RSS.
    task_kb = [int(l.rsplit("RSS ", 1)[1].split()[0]) for l in p.stderr.splitlines()
               if l.startswith("threadlens_spark: partition ")]
    if p.returncode != 0:
        print(p.stderr[-4000:], file=sys.stderr)
        return {"dump": name, "ok": False, "problem": f"spark-submit exit {p.returncode}"}
    spark_rows = []
    rows_dir = os.path.join(out, "rows")
    if parquet:
        # Back to JSON lines by Spark (collecting a million rows into the
        # driver would need more than its default heap).
        back = os.path.join(tmp, f"{name}.rows-json")
        spark_session(a).read.parquet(rows_dir).write.mode("overwrite").json(back)
        rows_dir = back
    for f in sorted(os.listdir(rows_dir)):
        if f.startswith("part-"):
            with open(os.path.join(rows_dir, f), encoding="utf-8") as fh:
                spark_rows.append(fh.read())
    spark_rows = rows_of("\n".join(spark_rows))
    if parquet:
        # Row k of the Parquet file is line k of the dump: one machine reads
        # the dump with that origin on each record (as the job sets it).
        one_dump = os.path.join(tmp, f"{name}.origin.jsonl")
        with open(dump, encoding="utf-8") as f, open(one_dump, "w", encoding="utf-8") as o:
            for k, line in enumerate(f, 1):
                rec = json.loads(line)
                rec["threadlens_source"] = f"{spark_input}:{k}"
                o.write(json.dumps(rec) + "\n")
        dump = one_dump
    t0 = time.time()
    one = subprocess.run([a.bin, "-q", "score", dump], capture_output=True, text=True)
    one_report = os.path.join(tmp, f"{name}.one.html")
    subprocess.run([a.bin, "-q", "report", dump, "-o", one_report])
    one_s = time.time() - t0
    one_rows = rows_of(one.stdout)
    same_rows = spark_rows == one_rows
    with open(report, "rb") as f1, open(one_report, "rb") as f2:
        same_report = f1.read() == f2.read()
    diff = None
    if not same_rows:
        a_ids = {(r["thread"], r["id"]): r for r in spark_rows}
        for r in one_rows:
            s = a_ids.get((r["thread"], r["id"]))
            if s != r:
                diff = {"single": r, "spark": s}
                break
    res = {"dump": name, "rows": len(one_rows), "spark_rows": len(spark_rows), "same_rows": same_rows,
           "same_report": same_report, "spark_s": round(spark_s, 1), "single_machine_s": round(one_s, 1),
           "ratio": round(spark_s / max(one_s, 1e-9), 2), "peak_rss_mb": round(peak_mb),
           "task_threadlens_peak_rss_mb": round(max(task_kb, default=0) / 1024),
           "ok": same_rows and same_report}
    if diff:
        res["first_difference"] = diff
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=800)
    ap.add_argument("--partitions", type=int, default=7)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--spark-submit", default=os.path.join(ROOT, "target", "sparkvenv", "bin", "spark-submit"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "threadlens"))
    ap.add_argument("--shared", default=None)
    ap.add_argument("--keep", help="work in this folder and keep it")
    ap.add_argument("--only", nargs="+", help="check only these dumps (synthetic, synthetic_parquet, ...)")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    tmp = a.keep or tempfile.mkdtemp(prefix="threadlens-spark-check-")
    os.makedirs(tmp, exist_ok=True)
    dumps = []
    synth = os.path.join(tmp, "synthetic.jsonl")
    if not os.path.exists(synth):
        make_dump(synth, a.comments, a.threads)
    dumps.append(("synthetic", synth))
    dumps.append(("synthetic_parquet", synth))
    if a.shared:
        for name, rel in (("rumoureval2019_flat", "data/stance/rumoureval2019/rumoureval2019_flat.jsonl"),
                          ("convokit_cornell", "data/dumps/convokit_subreddit_cornell/utterances.jsonl")):
            p = os.path.join(a.shared, rel)
            if os.path.exists(p):
                dumps.append((name, os.path.abspath(p)))
    if a.only:
        dumps = [d for d in dumps if d[0] in a.only]
    ok = True
    for name, dump in dumps:
        r = check(name, dump, a, tmp, parquet=name.endswith("_parquet"))
        print(json.dumps(r), flush=True)
        ok &= r["ok"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

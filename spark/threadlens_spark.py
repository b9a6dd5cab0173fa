#!/usr/bin/env python3
"""Score and report a comment dump larger than one machine on Apache Spark,
with the single-machine results.

    spark-submit --files target/release/threadlens spark/threadlens_spark.py \
        --input dumps/RC_2026-01.jsonl --out out/ --partitions 64 --report report.html

What it does:

1. Reads JSON lines (one record a line, as Pushshift, Reddit, Hacker News
   and ConvoKit dumps are; decompress .zst first, see spark/README.md) or
   Parquet (`*.parquet` files or folders of them; each row becomes the JSON
   record of its columns) and numbers each line or row of each file, so
   every record keeps its true origin (`FILE:LINE`, or `FILE:ROW` for
   Parquet, added to the record as `threadlens_source`; rows and the
   report's queue then name the original file and line).
2. Keys each record by its thread (`link_id`, `thread_id`, `conversation_id`
   or `thread`, else its own `id`: a submission is its own thread),
   repartitions by that key and sorts each partition by (key, file, line):
   every thread whole in one partition, its records in input order. The key
   is not optional: a thread split over partitions gets wrong depths and
   stances.
3. Runs the unchanged `threadlens` binary on each partition (shipped with
   `--files`; the models are built into it): `score` for the rows and
   `report --partial` for the report's mergeable state. Exit 1 of a
   partition (some records rejected, the rest scored) is not a failure;
   exit 2 is, and Spark retries the task (its output is committed once, so
   a retry does not duplicate rows).
4. Writes the score rows (JSON lines, `OUT/rows/part-*`, or Parquet with
   `--rows-format parquet`, columns as the JSON fields) and the partial
   reports (`OUT/partials/part-*`, one per line), then fetches the partials
   to the driver and runs `threadlens merge` into `--report` (HTML,
   Markdown or JSON by extension): byte for byte the report one
   `threadlens report` over the whole input would write.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

THREAD_KEYS = ("link_id", "thread_id", "conversation_id", "thread")


def binary(path):
    """The threadlens binary on an executor: shipped with --files, or a path."""
    if path and os.path.exists(path):
        return path
    from pyspark import SparkFiles

    p = SparkFiles.get("threadlens")
    if not os.access(p, os.X_OK):
        os.chmod(p, 0o755)
    return p


def keyed(item):
    """(thread key, file, line, record with its origin) of one input line,
    or None for a blank line."""
    (name, line), text = item
    s = text.strip()
    if not s:
        return None
    key = None
    try:
        rec = json.loads(s)
    except ValueError:
        rec = None
    if isinstance(rec, dict):
        for k in THREAD_KEYS:
            v = rec.get(k)
            if v not in (None, ""):
                key = str(v)
                break
        if key is None and rec.get("id") not in (None, ""):
            # A submission or story is its own thread (Reddit's link_id of its
            # comments is t3_ + its id).
            key = "t3_" + str(rec["id"])
        origin = json.dumps(f"{name}:{line}")
        body = s[1:].lstrip()
        s = '{"threadlens_source":' + origin + ("," + body if body != "}" else "}")
    # A line that is not a JSON object goes through as it is: threadlens
    # reports it (with this partition's line number) and scores the rest.
    return (key or f"\x00{name}:{line}", name, line, s)


def run_partition(bin_path, fmt, extra, report_extra=()):
    def run(index, rows):
        exe = binary(bin_path)
        tmp = tempfile.mkdtemp(prefix="threadlens-spark-")
        try:
            dump = os.path.join(tmp, "part.jsonl")
            n = 0
            with open(dump, "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(r[3])
                    f.write("\n")
                    n += 1
            if n == 0:
                return
            part = os.path.join(tmp, "partial.json")
            common = ["--format", fmt] + extra
            score = subprocess.run([exe, "-q", "score", dump, *common, "-o", os.path.join(tmp, "rows.jsonl")],
                                   capture_output=True, text=True)
            report = subprocess.run([exe, "-q", "report", dump, *common, *report_extra, "--partial", part],
                                    capture_output=True, text=True)
            for what, p in (("score", score), ("report", report)):
                if p.returncode not in (0, 1):
                    raise RuntimeError(f"threadlens {what} on partition {index} exited {p.returncode}: {p.stderr[-2000:]}")
            # Peak RSS of the largest threadlens run of this worker so far
            # (kB on Linux), for the task-memory figure in the logs.
            import resource
            kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            sys.stderr.write(f"threadlens_spark: partition {index}: {n} records, threadlens peak RSS {kb} kB\n")
            with open(os.path.join(tmp, "rows.jsonl"), encoding="utf-8") as f:
                for line in f:
                    yield ("row", line.rstrip("\n"))
            with open(part, encoding="utf-8") as f:
                yield ("partial", f.read().rstrip("\n"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    return run


def input_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if not f.startswith(".") and f.endswith((".jsonl", ".ndjson", ".json", ".parquet")):
                        out.append(os.path.join(root, f))
        else:
            out.append(p)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", nargs="+", required=True, help="JSON lines or Parquet files, or folders of them")
    ap.add_argument("--out", required=True, help="output folder (rows/, partials/)")
    ap.add_argument("--partitions", type=int, default=0, help="partitions (default: Spark's default parallelism x 4)")
    ap.add_argument("--format", default="auto", help="threadlens --format (reddit, hn, convokit, jsonl, auto)")
    ap.add_argument("--report", help="the merged report (.html, .md or .json)")
    ap.add_argument("--rows-format", choices=("jsonl", "parquet"), default="jsonl",
                    help="score rows as JSON lines (default) or Parquet")
    ap.add_argument("--binary", help="threadlens binary on every node (default: shipped with --files)")
    ap.add_argument("--local-binary", default=None, help="threadlens binary on the driver for merge (default: --binary or the shipped one)")
    ap.add_argument("--threadlens-arg", action="append", default=[], help="extra argument for score and report (repeat)")
    ap.add_argument("--report-arg", action="append", default=[],
                    help="extra argument for report only, e.g. --report-arg=--json-threads=1000 (repeat)")
    a = ap.parse_args(argv)

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("threadlens").getOrCreate()
    sc = spark.sparkContext
    files = input_files(a.input)
    if not files:
        sys.exit("threadlens_spark: no input files")
    lines = None
    for name in files:
        if name.endswith(".parquet"):
            # One file at a time, in its row order: row k is FILE:k.
            text = spark.read.parquet(name).toJSON()
            if not hasattr(text, "zipWithIndex"):  # a DataFrame in later Sparks
                text = text.rdd.map(lambda r: r[0])
        else:
            text = sc.textFile(name)
        rdd = text.zipWithIndex().map(lambda x, name=name: ((name, x[1] + 1), x[0]))
        lines = rdd if lines is None else lines.union(rdd)
    n = a.partitions or sc.defaultParallelism * 4
    recs = lines.map(keyed).filter(lambda r: r is not None)
    # Every thread in one partition, its records in input order.
    df = spark.createDataFrame(recs, "key string, file string, line long, text string")
    df = df.repartition(n, "key").sortWithinPartitions("key", "file", "line")
    out = df.rdd.mapPartitionsWithIndex(run_partition(a.binary, a.format, a.threadlens_arg, a.report_arg)).cache()
    rows = out.filter(lambda t: t[0] == "row").map(lambda t: t[1])
    if a.rows_format == "parquet":
        # Columns as the JSON rows' fields (nested: attributes, reasons).
        spark.read.json(rows).write.parquet(os.path.join(a.out, "rows"))
    else:
        rows.saveAsTextFile(os.path.join(a.out, "rows"))
    out.filter(lambda t: t[0] == "partial").map(lambda t: t[1]).saveAsTextFile(os.path.join(a.out, "partials"))
    if a.report:
        tmp = tempfile.mkdtemp(prefix="threadlens-merge-")
        try:
            paths = []
            for i, line in enumerate(sc.textFile(os.path.join(a.out, "partials")).toLocalIterator()):
                p = os.path.join(tmp, f"{i}.json")
                with open(p, "w", encoding="utf-8") as f:
                    f.write(line)
                paths.append(p)
            exe = a.local_binary or a.binary or binary(None)
            r = subprocess.run([exe, "-q", "merge", *paths, "-o", a.report])
            if r.returncode not in (0, 1):
                sys.exit(f"threadlens merge exited {r.returncode}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    spark.stop()


if __name__ == "__main__":
    main()

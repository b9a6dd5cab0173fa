"""The Python package against the command line on the same input: the same
rows, the same report, the same messages. The CLI binary is
``$THREADLENS_BIN`` (``.ci/run`` sets it), else the repository's release or
debug build."""

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import threadlens

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
MIXED = REPO / "tests" / "fixtures" / "mixed"


def _binary() -> str:
    env = os.environ.get("THREADLENS_BIN")
    if env:
        return env
    for b in ("release", "debug"):
        p = REPO / "target" / b / "threadlens"
        if p.exists():
            return str(p)
    pytest.fail("no threadlens binary: set THREADLENS_BIN or cargo build --release")


def _value(v):
    """A cell, missing ones as None (pandas 3 stores them as NaN)."""
    return None if pd.isna(v) else v


def cli(*args, check=True):
    r = subprocess.run([_binary(), "-q", *map(str, args)], capture_output=True, text=True)
    if check and r.returncode not in (0, 1):
        raise AssertionError(r.stderr)
    return r


def cli_rows(path, *extra):
    out = cli("score", path, "-o", "-", *extra).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_score_texts_columns_index_and_stance_only_with_a_parent():
    texts = pd.Series(["you are an idiot", "thanks, that is a good point", None], index=[10, 11, 12])
    df = threadlens.score(texts, parents=[None, "Cycle lanes cut traffic.", "x"])
    assert list(df.index) == [10, 11, 12]
    for col in ["incivility", "uncivil", "insult", "identity_attack", "profanity",
                "stance", "p_agree", "p_disagree", "p_query", "p_comment", "reasons"]:
        assert col in df.columns
    assert df.loc[10, "uncivil"] and df.loc[10, "insult"] > 0.5
    assert not df.loc[11, "uncivil"]
    # Flagged comments are explained: the insult's own word is among its reasons.
    assert any("idiot" in f for f, _ in df.loc[10, "reasons"])
    assert pd.isna(df.loc[10, "stance"]) and pd.isna(df.loc[10, "p_agree"])
    assert df.loc[11, "stance"] in ("agree", "disagree", "query", "comment")
    total = sum(df.loc[11, f"p_{s}"] for s in ("agree", "disagree", "query", "comment"))
    assert abs(total - 1) < 1e-9


def test_github_like_comments_are_scored_by_the_github_model_as_on_the_command_line(tmp_path):
    texts = ["This PR has been open for three months and nobody reviewed it. "
             "Why do I even bother sending patches to this repo?",
             "Thanks for the article, a good read."]
    csv = tmp_path / "t.csv"
    pd.DataFrame({"id": ["g0", "g1"], "text": texts}).to_csv(csv, index=False)
    for domains, extra in ((True, ()), (False, ("--no-domains",))):
        want = {r["id"]: r for r in cli_rows(csv, *extra)}
        got = threadlens.score(texts, domains=domains)
        for i, row in got.iterrows():
            w = want[f"g{i}"]
            assert row["incivility"] == pytest.approx(w["incivility"], abs=1e-12)
            assert (row["domain"] if isinstance(row["domain"], str) else None) == w.get("domain")
    with_domain = threadlens.score(texts)
    assert list(with_domain["domain"].fillna("-")) == ["github", "-"]
    pooled = threadlens.score(texts, domains=False)
    assert with_domain.loc[0, "incivility"] != pooled.loc[0, "incivility"]
    assert with_domain.loc[1, "incivility"] == pooled.loc[1, "incivility"]
    info = threadlens.load_models().info()
    assert set(info["domains"]) == {"github_gate", "github_toxicity"}


def test_score_texts_equal_the_cli_scores_of_the_same_texts(tmp_path):
    texts = ["You people are pathetic liars.", "I agree with the council here.",
             "Why would anyone vote for this?", "Go to hell", "lovely photo"]
    csv = tmp_path / "t.csv"
    pd.DataFrame({"id": [f"t{i}" for i in range(len(texts))], "text": texts}).to_csv(csv, index=False)
    want = {r["id"]: r for r in cli_rows(csv)}
    got = threadlens.score(texts)
    for i, row in got.iterrows():
        w = want[f"t{i}"]
        assert row["incivility"] == pytest.approx(w["incivility"], abs=1e-12)
        assert row["uncivil"] == w["uncivil"]
        for k, v in w["attributes"].items():
            assert row[k] == pytest.approx(v, abs=1e-12)


def test_read_gives_the_parse_rows_and_keeps_the_diagnostics(tmp_path):
    df = threadlens.read(SAMPLE)
    parsed = [json.loads(x) for x in cli("parse", SAMPLE, "-o", "-").stdout.splitlines()]
    parsed = [r for r in parsed if r["kind"] != "placeholder"]
    assert len(df) == len(parsed)
    assert list(df["id"]) == [r["id"] for r in parsed]
    assert list(df["depth"]) == [r["depth"] for r in parsed]
    assert list(df["thread"]) == [r["thread"] for r in parsed]
    assert df.attrs["rejected"] == 0 and df.attrs["records"] == len(parsed)

    bad = tmp_path / "bad.csv"
    bad.write_text("id,parent_id,text\na,,root text\n,a,no id here\nb,a,a reply\n")
    df = threadlens.read(bad)
    assert list(df["id"]) == ["a", "b"]
    assert df.attrs["rejected"] == 1
    (d,) = [d for d in df.attrs["diagnostics"] if d["rejected"]]
    assert d["source"].endswith("bad.csv:3") and "id" in d["message"]


def test_score_threads_of_read_equals_the_cli_score_rows():
    for path in (SAMPLE, MIXED):
        got = threadlens.score_threads(threadlens.read(path))
        want = [r for r in cli_rows(path) if r["kind"] != "placeholder"]
        assert len(got) == len(want), path
        for (_, g), w in zip(got.iterrows(), want):
            assert (g["thread"], g["id"], g["depth"], g["kind"]) == (w["thread"], w["id"], w["depth"], w["kind"])
            assert _value(g["parent"]) == w.get("parent")
            if w["incivility"] is None:
                assert pd.isna(g["incivility"])
                continue
            assert g["incivility"] == pytest.approx(w["incivility"], abs=1e-12)
            for k, v in w.get("attributes", {}).items():
                assert g[k] == pytest.approx(v, abs=1e-12)
            assert _value(g["stance"]) == w.get("stance_label")
            if "stance" in w:
                for k, v in w["stance"].items():
                    assert g[f"p_{k}"] == pytest.approx(v, abs=1e-12)


def test_score_threads_reads_any_column_names_and_gappy_integer_ids():
    df = pd.DataFrame({
        "comment_id": [1, 2, 3, 4],
        "reply_to": [None, 1, 2, float("nan")],
        "body": ["Bike lanes are a good idea.", "No, they are a waste of money.",
                 "You are an idiot.", "Unrelated top-level remark"],
        "post": ["p", "p", "p", "p"],
    })
    assert df["reply_to"].dtype == float  # pandas made the ids 1.0, 2.0
    rows = threadlens.score_threads(df, id="comment_id", parent="reply_to", text="body", thread="post")
    by_id = rows.set_index("id")
    assert by_id.loc["2", "parent"] == "1" and by_id.loc["3", "parent"] == "2"
    assert by_id.loc["3", "depth"] == by_id.loc["2", "depth"] + 1
    assert by_id.loc["3", "uncivil"]
    with pytest.raises(KeyError, match="comment_id"):
        threadlens.score_threads(df.rename(columns={"comment_id": "x"}), id="comment_id", text="body")
    missing = df.copy()
    missing.loc[1, "comment_id"] = None
    rows = threadlens.score_threads(missing, id="comment_id", parent="reply_to", text="body", thread="post")
    assert rows.attrs["rejected"] == 1
    assert rows.attrs["diagnostics"][0]["source"] == "frame:2"


def test_report_equals_the_cli_report(tmp_path):
    df = threadlens.read(SAMPLE)
    got = threadlens.report(df, tmp_path / "r.json")
    cli("report", SAMPLE, "-o", tmp_path / "cli.json")
    want = json.loads((tmp_path / "cli.json").read_text())
    for key in ("corpus", "by_depth", "histogram", "queue_total", "threshold", "models",
                "attributes", "threads"):
        assert got[key] == want[key], key
    # The queue too, but for where each comment came from (the frame's row
    # here, the file's line there).
    strip = lambda q: [{k: v for k, v in x.items() if k != "source"} for x in q]
    assert strip(got["queue"]) == strip(want["queue"])
    assert got["queue"][0]["source"].startswith("frame:")
    cli("report", SAMPLE, "-o", tmp_path / "cli_insult.json", "--queue-sort", "insult")
    by_insult = threadlens.report(df, tmp_path / "r2.json", queue_sort="insult")
    want = json.loads((tmp_path / "cli_insult.json").read_text())
    assert by_insult["queue_sort"] == "insult"
    assert [q["id"] for q in by_insult["queue"]] == [q["id"] for q in want["queue"]]
    assert json.loads((tmp_path / "r.json").read_text())["corpus"] == want["corpus"]
    threadlens.report(df, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") or "<html" in html[:200]
    threadlens.report(df, tmp_path / "r.md")
    assert (tmp_path / "r.md").read_text().startswith("#")
    with pytest.raises(ValueError, match="html, md or json"):
        threadlens.report(df, tmp_path / "r.pdf")


def test_errors_carry_the_command_line_messages(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.jsonl"):
        threadlens.read(tmp_path / "nowhere.jsonl")
    empty = tmp_path / "models"
    empty.mkdir()
    with pytest.raises(threadlens.ThreadlensError) as e:
        threadlens.score(["x"], models=str(empty))
    r = cli("score", SAMPLE, "--models", empty, "-o", "-", check=False)
    assert r.returncode == 2
    assert str(e.value) in r.stderr, (str(e.value), r.stderr)
    with pytest.raises(ValueError, match="2 texts but 1 parents"):
        threadlens.score(["a", "b"], parents=["p"])
    with pytest.raises(ValueError, match="explain"):
        threadlens.score(["a"], explain="some")


def test_scoring_releases_the_gil():
    texts = ["This is a long enough comment about the council and its plans."] * 20000
    threadlens.score(texts[:10])  # models loaded
    ticks = 0
    stop = False

    def count():
        nonlocal ticks
        while not stop:
            ticks += 1

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.05)
    before = ticks
    t0 = time.perf_counter()
    threadlens.score(texts)
    took = time.perf_counter() - t0
    during = ticks - before
    stop = True
    t.join()
    # Holding the GIL, the counter would stand still for the whole call
    # (but for the switch before and after it).
    assert took > 0.05
    assert during > 1000 * took, (during, took)

//! End-to-end tests of the `threadlens` binary on shipped fixtures and on
//! hostile input generated at test time. Golden files live beside the
//! fixtures; regenerate one with `THREADLENS_BLESS=1 cargo test`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_threadlens"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run threadlens")
}

/// Run `args` and check it succeeded (its standard error as the message).
fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run with `args`, then `extra`.
fn run_plus(args: &[&str], extra: &[&str]) -> Output {
    bin()
        .args(args)
        .args(extra)
        .output()
        .expect("run threadlens")
}

/// Run with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run threadlens");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Wait up to 20 s for `ready`.
fn wait_until(ready: impl Fn() -> bool) {
    let t0 = std::time::Instant::now();
    while !ready() && t0.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Send a running child Ctrl-C (SIGINT) and collect its output.
#[cfg(unix)]
fn interrupt(child: std::process::Child) -> Output {
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait_with_output().unwrap()
}

fn fixtures() -> PathBuf {
    Path::new("tests").join("fixtures")
}

fn lines(s: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(s)
        .lines()
        .map(|l| serde_json::from_str(l).expect("output line is JSON"))
        .collect()
}

/// `threadlens -q report INPUT -o OUT`, checked to succeed.
fn report_to(input: &std::path::Path, out: &std::path::Path) {
    let o = run(&[
        "-q",
        "report",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn golden(name: &str, actual: &str) {
    let path = fixtures().join(name);
    if std::env::var_os("THREADLENS_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden {}", path.display()));
    assert_eq!(actual, want, "output differs from {}", path.display());
}

#[test]
fn mixed_directory_auto_matches_golden() {
    let out = run(&["parse", "tests/fixtures/mixed"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    golden(
        "mixed.golden.jsonl",
        &String::from_utf8(out.stdout).unwrap(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("6 threads, 21 comments (2 pingbacks)"),
        "{err}"
    );
    assert!(
        err.contains("1 files or folders hold no comments and were not read"),
        "the README is not a rejection nor a thread: {err}"
    );
}

#[test]
fn page_tree_is_what_a_reader_sees() {
    let out = run(&["parse", "tests/fixtures/mixed/article.txt", "-q"]);
    let rows = lines(&out.stdout);
    let shape: Vec<(String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().unwrap_or("-").to_string(),
                r["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("article", "-", 0),
        ("c1", "article", 1),
        ("c2", "c1", 2),
        ("c3", "c2", 3),
        ("c4", "c3", 5),
        ("c5", "article", 1),
        ("c6", "c5", 2),
        ("c7", "article", 1),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect();
    assert_eq!(shape, want);
    assert_eq!(rows[4]["flags"][0], "missing_ancestors");
    assert_eq!(rows[7]["kind"], "pingback");
    // Lists in the article body and inside a comment are text, not comments.
    assert!(rows[0]["text"]
        .as_str()
        .unwrap()
        .contains("• cut traffic injuries"));
    assert!(rows[5]["text"]
        .as_str()
        .unwrap()
        .contains("1. what about snow clearing?"));
}

#[test]
fn stdin_and_compressed_inputs() {
    let data = std::fs::read("tests/fixtures/mixed/reddit.jsonl").unwrap();
    let out = run_with_stdin(&["parse", "-", "-q"], &data);
    assert_eq!(out.status.code(), Some(0));
    let from_stdin = lines(&out.stdout);
    assert_eq!(from_stdin.len(), 5);
    assert_eq!(from_stdin[1]["source"], "-:5");

    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("dump.jsonl.zst");
    std::fs::write(&z, zstd::encode_all(&data[..], 19).unwrap()).unwrap();
    let out = run(&["parse", z.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out.stdout).len(), 5);
}

/// Writes the hostile fixtures; returns the number of input records they hold.
fn hostile_dir(dir: &Path) -> u64 {
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    // 3 records: one truncated.
    w("truncated.jsonl", b"{\"id\":\"t1\",\"thread_id\":\"T\",\"text\":\"ok\"}\n{\"id\":\"t2\",\"thread_id\":\"T\",\"te\n{\"id\":\"t3\",\"thread_id\":\"T\",\"parent_id\":\"t1\",\"text\":\"fine\"}\n");
    // 2 records: one with invalid UTF-8.
    w("utf8.jsonl", b"{\"id\":\"u1\",\"thread_id\":\"U\",\"text\":\"bad \xff\xfe\"}\n{\"id\":\"u2\",\"thread_id\":\"U\",\"text\":\"good\"}\n");
    // 2 records: a 50 MB line, then a normal one.
    let mut big = b"{\"id\":\"h1\",\"thread_id\":\"H\",\"text\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 50 << 20));
    big.extend(b"\"}\n{\"id\":\"h2\",\"thread_id\":\"H\",\"text\":\"small\"}\n");
    w("huge.jsonl", &big);
    // 3 records in a cycle x -> y -> z -> x.
    w("cycle.jsonl", b"{\"id\":\"x\",\"thread_id\":\"C\",\"parent_id\":\"z\",\"text\":\"x\"}\n{\"id\":\"y\",\"thread_id\":\"C\",\"parent_id\":\"x\",\"text\":\"y\"}\n{\"id\":\"z\",\"thread_id\":\"C\",\"parent_id\":\"y\",\"text\":\"z\"}\n");
    // 3 records, one duplicate id.
    w("dups.jsonl", b"{\"id\":\"d1\",\"thread_id\":\"D\",\"text\":\"first\"}\n{\"id\":\"d1\",\"thread_id\":\"D\",\"text\":\"again\"}\n{\"id\":\"d2\",\"thread_id\":\"D\",\"parent_id\":\"d1\",\"text\":\"reply\"}\n");
    w("empty.jsonl", b"");
    // 2 records, no text column.
    w(
        "nocol.csv",
        b"id,thread_id,parent_id,author\n1,A,,x\n2,A,1,y\n",
    );
    // 3 records, one row missing a field.
    w(
        "short.csv",
        b"id,thread_id,parent_id,text\nr1,R,,hello\nr2,R,r1\nr3,R,r1,\"multi\nline\"\n",
    );
    // 2 records (post + comment), then a broken item that holds no comment:
    // a diagnostic, and no comment lost.
    w("broken.xml", b"<?xml version=\"1.0\"?>\n<rss><channel><item><title>T</title><wp:post_id>1</wp:post_id>\n<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>hi</wp:comment_content><wp:comment_parent>0</wp:comment_parent></wp:comment>\n</item>\n<item><title>broken</wp:comment>\n");
    3 + 2 + 2 + 3 + 3 + 2 + 3 + 2
}

#[test]
fn hostile_input_is_reported_and_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let total = hostile_dir(dir.path());
    let diag = dir.path().join("diag.out");
    let out = run(&[
        "parse",
        dir.path().to_str().unwrap(),
        "--diagnostics",
        diag.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let p = |f: &str| dir.path().join(f).display().to_string();
    for want in [
        format!("{}:2: invalid JSON", p("truncated.jsonl")),
        format!("{}:1: invalid UTF-8", p("utf8.jsonl")),
        format!(
            "{}:1: record of 52428837 bytes exceeds --max-record-bytes",
            p("huge.jsonl")
        ),
        format!("{}:1: no text column", p("nocol.csv")),
        "file skipped (2 records)".to_string(),
        format!("{}:3: row has 3 fields, header has 4", p("short.csv")),
        format!("{}:2: duplicate id \"d1\"", p("dups.jsonl")),
        format!("{}:5: invalid XML", p("broken.xml")),
        format!("{}:1: parent cycle", p("cycle.jsonl")),
    ] {
        assert!(err.contains(&want), "missing {want:?} in\n{err}");
    }
    let rows = lines(&out.stdout);
    let real = rows.iter().filter(|r| r["kind"] != "placeholder").count() as u64;
    let diags = lines(&std::fs::read(&diag).unwrap());
    let rejected: u64 = diags
        .iter()
        .filter(|d| {
            !["orphan", "cycle_broken", "missing_ancestors"].contains(&d["kind"].as_str().unwrap())
        })
        .map(|d| d["records"].as_u64().unwrap())
        .sum();
    assert_eq!(real + rejected, total, "rows {real}, rejected {rejected}");
    assert!(err.contains("rejected 7 records"), "{err}");
    // The multi-line CSV field keeps its newline and the record its start line.
    let r3 = rows.iter().find(|r| r["id"] == "r3").unwrap();
    assert_eq!(r3["text"], "multi\nline");
    assert!(r3["source"].as_str().unwrap().ends_with("short.csv:4"));
    // The cycle was cut once and every member is still there.
    assert_eq!(
        rows.iter()
            .filter(|r| r["thread"] == "C" && r["kind"] == "comment")
            .count(),
        3
    );
}

#[test]
fn strict_mode_fails_on_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    hostile_dir(dir.path());
    let out_file = dir.path().join("out.jsonl");
    let out = run(&[
        "parse",
        dir.path().to_str().unwrap(),
        "--strict",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(strict mode)"), "{err}");
    assert!(!out_file.exists(), "no partial output in strict failure");
}

#[test]
fn hundred_thousand_deep_chain() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("chain.jsonl");
    let mut s = String::from("{\"id\":\"0\",\"thread_id\":\"0\",\"text\":\"root\"}\n");
    for i in 1..100_000 {
        s.push_str(&format!(
            "{{\"id\":\"{i}\",\"thread_id\":\"0\",\"parent_id\":\"{}\",\"text\":\"r\"}}\n",
            i - 1
        ));
    }
    std::fs::write(&f, s).unwrap();
    let out = run(&["parse", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max depth 99999"), "{err}");
}

#[test]
fn bad_arguments_exit_2() {
    let out = run(&["parse", "--format", "yaml", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --format \"yaml\""));
    // A path that is not there: an error naming it, before any work.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.html");
    for cmd in ["parse", "score", "report"] {
        let mut args = vec![cmd, "data/sample", "/nonexistent/file.jsonl"];
        if cmd == "report" {
            args.extend(["-o", report.to_str().unwrap()]);
        }
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("/nonexistent/file.jsonl: no such file or directory"),
            "{cmd}: {err}"
        );
        assert!(out.stdout.is_empty(), "{cmd}: nothing written");
    }
    assert!(!report.exists(), "no report for a missing input");
    // An output format score does not write is refused, not written as JSON lines.
    let parquet = dir.path().join("x.parquet");
    let out = run(&["score", "data/sample", "-o", parquet.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".parquet is not a format it writes"));
    assert!(!parquet.exists());
}

#[test]
fn an_empty_input_warns_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    for cmd in ["parse", "score"] {
        let out = run(&["-q", cmd, empty.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no records read"),
            "{cmd}"
        );
    }
}

#[test]
fn report_to_standard_output_in_each_format() {
    for (fmt, starts) in [
        ("md", "# threadlens report"),
        ("json", "{"),
        ("html", "<!doctype html>"),
    ] {
        let out = run(&[
            "-q",
            "report",
            "data/sample",
            "-o",
            "-",
            "--output-format",
            fmt,
        ]);
        assert!(
            out.status.success(),
            "{fmt}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.to_lowercase().starts_with(&starts.to_lowercase()),
            "{fmt}: {}",
            &text[..80.min(text.len())]
        );
    }
    // The same bytes as the file report.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.json");
    assert!(
        run(&["-q", "report", "data/sample", "-o", f.to_str().unwrap()])
            .status
            .success()
    );
    let out = run(&[
        "-q",
        "report",
        "data/sample",
        "-o",
        "-",
        "--output-format",
        "json",
    ]);
    assert_eq!(std::fs::read(&f).unwrap(), out.stdout);
    let out = run(&[
        "-q",
        "report",
        "data/sample",
        "-o",
        "-",
        "--output-format",
        "pdf",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// `train` on the labeled fixture with the shipped tokenizer and small
/// hash widths (no `-o`); index 7 is the tokenizer's path.
/// `train` arguments for a head on `base`'s columns (`--vocab-of`),
/// learned from the labeled fixture and written to `out`.
fn head_on<'a>(base: &'a str, out: &'a str) -> [&'a str; 8] {
    [
        "-q",
        "train",
        "--data",
        "tests/fixtures/labeled/train.csv",
        "--vocab-of",
        base,
        "-o",
        out,
    ]
}

/// The shipped tokenizer with small hashed spaces: what every fixture
/// training run here takes.
const SMALL_SPACES: [&str; 6] = [
    "--tokenizer",
    "models/tokenizer.json",
    "--word-bits",
    "16",
    "--char-bits",
    "16",
];

/// `train` on the labeled fixture, held out on its test split.
fn fixture_train() -> Vec<&'static str> {
    [
        &[
            "-q",
            "train",
            "--data",
            "tests/fixtures/labeled/train.csv",
            "--test",
            "tests/fixtures/labeled/test.csv",
        ][..],
        &SMALL_SPACES,
    ]
    .concat()
}

fn train_fixture_model(dir: &Path) -> PathBuf {
    let model = dir.join("m.json");
    let out = run_plus(&fixture_train(), &["-o", model.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = &lines(&out.stdout)[0];
    let auc = summary["heldout"]["metrics"]["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.95, "held-out AUC {auc} on an easy fixture");
    model
}

/// A folder `models` in `dir` holding each model file under its name
/// (`incivility`, `insult` ...), for `--models`.
fn models_folder(dir: &Path, files: &[(&PathBuf, &str)]) -> PathBuf {
    let models = dir.join("models");
    std::fs::create_dir(&models).unwrap();
    for (file, name) in files {
        std::fs::copy(file, models.join(format!("{name}.json"))).unwrap();
    }
    models
}

/// The rows `threadlens models --json --models DIR` lists (the built-in
/// models, then the folder's).
/// `field` of the model `name` in a `models --json` listing `v`: the
/// built-in one or the folder's.
fn listed_field(
    v: &[serde_json::Value],
    builtin: bool,
    name: &str,
    field: &str,
) -> serde_json::Value {
    v.iter()
        .find(|r| (r["origin"] == "built-in") == builtin && r["name"] == name)
        .map(|r| r[field].clone())
        .unwrap()
}

fn models_listed(dir: &Path) -> Vec<serde_json::Value> {
    let out = run_ok(&["models", "--json", "--models", dir.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["models"].as_array().unwrap().clone()
}

#[test]
fn a_head_trained_on_the_incivility_columns_scores_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let base = train_fixture_model(dir.path());
    let base_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    let head = dir.path().join("insult.json");
    let train = [
        &head_on(base.to_str().unwrap(), head.to_str().unwrap())[..],
        &["--test", "tests/fixtures/labeled/test.csv"],
    ]
    .concat();
    let args = |extra: &[&str]| run_plus(&train, extra);
    // Featurizer options come from the base model: refused beside it.
    for extra in [
        &["--tokenizer", "models/tokenizer.json"][..],
        &["--min-df", "1"],
    ] {
        assert_eq!(args(extra).status.code(), Some(2), "{extra:?}");
    }
    let out = run_ok(&[&train[..], &["-C", "2"]].concat());
    let summary = &lines(&out.stdout)[0];
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&head).unwrap()).unwrap();
    // The base model's columns, idf and featurizer, and where they came from.
    for key in ["vocab_index", "vocab_idf", "featurizer", "tokenizer"] {
        assert_eq!(h[key], base_json[key], "{key}");
    }
    assert!(summary["features"].as_u64().unwrap() > 100);
    let from = &h["training"]["params"]["vocab_of"];
    assert_eq!(from["content_sha256"], base_json["content_sha256"]);
    assert!(summary["heldout"]["metrics"]["roc_auc"].as_f64().unwrap() > 0.9);
    // A models folder with both scores the head beside incivility.
    let models = models_folder(dir.path(), &[(&base, "incivility"), (&head, "insult")]);
    let m = models.to_str().unwrap();
    let out = run_ok(&["-q", "score", "data/sample", "--no-stance", "--models", m]);
    let rows = lines(&out.stdout);
    let scored: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r.get("incivility").is_some())
        .collect();
    assert!(scored.len() > 10);
    for r in &scored {
        let p = r["attributes"]["insult"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{r}");
        assert!(r["attributes"].get("profanity").is_none(), "{r}");
    }
}

#[test]
fn verbose_training_logs_its_stages_and_quiet_training_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.json");
    let args = |v: &'static str| {
        vec![
            v,
            "train",
            "--data",
            "tests/fixtures/labeled/train.csv",
            "--tokenizer",
            "models/tokenizer.json",
            "-o",
            m.to_str().unwrap(),
        ]
    };
    let out = run(&args("-v"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("full fit at") && err.contains("L-BFGS"),
        "{err}"
    );
    let out = run(&args("-q"));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn training_twice_writes_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let (da, db) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir(&da).unwrap();
    std::fs::create_dir(&db).unwrap();
    let (a, b) = (train_fixture_model(&da), train_fixture_model(&db));
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn char_words_unknown_trains_a_version_2_model_that_scores() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("fast.json");
    let out = run(&[
        "-q",
        "train",
        "--data",
        "tests/fixtures/labeled/train.csv",
        "--tokenizer",
        "models/tokenizer.json",
        "--char-words",
        "unknown",
        "--char-tf",
        "sublinear",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(file["version"], 2);
    assert_eq!(file["featurizer"]["char_words"], "unknown");
    let out = run(&[
        "eval",
        "-m",
        model.to_str().unwrap(),
        "--data",
        "tests/fixtures/labeled/test.csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let auc = lines(&out.stdout)[0]["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.9, "held-out AUC {auc}");
    let bad = run(&[
        "train",
        "--data",
        "x.csv",
        "--char-words",
        "some",
        "-o",
        "y.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("all, unknown"));
}

#[test]
fn default_training_weights_char_ngrams_linearly_and_score_explains_them() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture_model(dir.path());
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(file["version"], 3);
    assert_eq!(file["featurizer"]["char_tf"], "linear");
    // Scored from token counts plus per-word character sums; explained by
    // words (each word's n-grams taken together) or, asked for, by
    // n-grams from per-word lists of known character n-grams.
    let scored = |extra: &[&str]| {
        let args = [
            "score",
            "-q",
            "--incivility-model",
            model.to_str().unwrap(),
            "--no-stance",
            "--explain",
            "all",
            "data/sample",
        ];
        let out = run_plus(&args, extra);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<_> = lines(&out.stdout)
            .into_iter()
            .filter(|r| r["kind"] == "comment")
            .collect();
        assert!(rows.len() > 20, "{} rows", rows.len());
        for r in &rows {
            let p = r["incivility"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p), "{r}");
        }
        rows
    };
    let names = |rows: &[serde_json::Value], prefix: &str| {
        rows.iter()
            .flat_map(|r| r["reasons"].as_array().cloned().unwrap_or_default())
            .filter(|c| c["feature"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    let (words, ngrams) = (scored(&[]), scored(&["--char-reasons", "ngrams"]));
    assert!(names(&words, "word:") > 0 && names(&words, "chr:") == 0);
    assert!(names(&ngrams, "chr:") > 0 && names(&ngrams, "word:") == 0);
    // Only the reasons differ.
    for (a, b) in words.iter().zip(&ngrams) {
        assert_eq!(a["incivility"], b["incivility"]);
        assert_eq!(a["id"], b["id"]);
    }
    let bad = run(&["score", "-q", "--char-reasons", "letters", "data/sample"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("words or ngrams"));
}

#[test]
fn train_then_eval_on_labeled_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture_model(dir.path());
    let preds = dir.path().join("p.jsonl");
    let out = run(&[
        "eval",
        "-m",
        model.to_str().unwrap(),
        "--data",
        "tests/fixtures/labeled/test.csv",
        "--predictions",
        preds.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = &lines(&out.stdout)[0];
    for key in [
        "n",
        "roc_auc",
        "pr_auc",
        "f1",
        "macro_f1",
        "accuracy",
        "ece",
        "threshold",
    ] {
        assert!(m.get(key).is_some(), "eval output lacks {key}: {m}");
    }
    assert_eq!(m["n"], 80);
    assert_eq!(m["model_sha256"].as_str().unwrap().len(), 64);
    let p = lines(&std::fs::read(&preds).unwrap());
    assert_eq!(p.len(), 80);
    assert_eq!(p[0]["line"], 2);
    let pu = p[0]["probabilities"]["uncivil"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&pu));
}

/// `train` on a stance fixture with small hashed spaces; the data file follows.
fn stance_train() -> Vec<&'static str> {
    [
        &["-q", "train", "--task", "stance"][..],
        &SMALL_SPACES,
        &["--data"],
    ]
    .concat()
}

#[test]
fn stance_train_then_eval_on_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("stance.json");
    let out = run(&[
        &stance_train()[..],
        &[
            "tests/fixtures/labeled/stance_train.csv",
            "-o",
            model.to_str().unwrap(),
        ],
    ]
    .concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let preds = dir.path().join("p.jsonl");
    let out = run(&[
        "eval",
        "-m",
        model.to_str().unwrap(),
        "--data",
        "tests/fixtures/labeled/stance_test.csv",
        "--predictions",
        preds.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = &lines(&out.stdout)[0];
    assert_eq!(m["n"], 80);
    assert_eq!(
        m["labels"],
        serde_json::json!(["agree", "disagree", "query", "comment"])
    );
    for key in ["accuracy", "macro_f1", "gmean_recall"] {
        let v = m[key].as_f64().unwrap_or(f64::NAN);
        assert!(v > 0.8, "{key} = {v} on an easy fixture: {m}");
    }
    let cm = m["confusion"].as_array().unwrap();
    assert_eq!(cm.len(), 4);
    let total: u64 = cm
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 80);
    for key in ["precision", "recall", "f1"] {
        assert_eq!(m[key].as_array().unwrap().len(), 4, "{key}");
    }
    let p = lines(&std::fs::read(&preds).unwrap());
    assert_eq!(p.len(), 80);
    let sum: f64 = ["agree", "disagree", "query", "comment"]
        .iter()
        .map(|l| p[0]["probabilities"][l].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
}

#[test]
fn holdout_keeps_threads_whole_when_rows_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    // The stance fixture is 240 rows in 20 threads of 12. Two copies: one
    // whose first five threads are one thread of 60 (16 threads), and one
    // without the thread column.
    let text = std::fs::read_to_string("tests/fixtures/labeled/stance_train.csv").unwrap();
    let merged = dir.path().join("merged.csv");
    let flat = dir.path().join("flat.csv");
    let mut wm = csv::Writer::from_path(&merged).unwrap();
    let mut wf = csv::Writer::from_path(&flat).unwrap();
    wm.write_record([
        "id",
        "thread_id",
        "parent_id",
        "text",
        "parent_text",
        "label",
    ])
    .unwrap();
    wf.write_record(["id", "text", "parent_text", "label"])
        .unwrap();
    for rec in csv::Reader::from_reader(text.as_bytes()).records() {
        let rec = rec.unwrap();
        let n: usize = rec[1].trim_start_matches('t').parse().unwrap();
        let thread = if n < 5 { "big" } else { &rec[1] };
        wm.write_record([&rec[0], thread, &rec[2], &rec[3], &rec[4], &rec[5]])
            .unwrap();
        wf.write_record([&rec[0], &rec[3], &rec[4], &rec[5]])
            .unwrap();
    }
    wm.flush().unwrap();
    wf.flush().unwrap();
    let held_out = |data: &str| -> (String, u64) {
        run_ok(
            &[
                &stance_train()[..],
                &[data, "--holdout", "0.25", "-o", model.to_str().unwrap()],
            ]
            .concat(),
        );
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        let held = &m["training"]["metrics"];
        (
            held["data"].as_str().unwrap().to_string(),
            held["metrics"]["n"].as_u64().unwrap(),
        )
    };
    // By row: a quarter of the rows.
    assert_eq!(
        held_out(flat.to_str().unwrap()),
        ("holdout 0.25".into(), 60)
    );
    // By thread: 4 of the 16 threads, so 48 rows, or 96 with the big one;
    // never the 60 a row split gives.
    let (data, n) = held_out(merged.to_str().unwrap());
    assert_eq!(data, "holdout 0.25 by thread");
    assert!(n == 48 || n == 96, "{n} rows held out");
}

#[test]
fn bad_labeled_csvs_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, &str, &str)] = &[
        ("nocol.csv", "id,body,label\r\na,x,1\r\n", "nocol.csv:1: no text column \"text\""),
        ("badlabel.csv", "id,text,label\r\na,x,1\r\nb,y,maybe\r\n", "badlabel.csv:3: unknown label \"maybe\""),
        ("quote.csv", "id,text,label\r\na,x,1\r\nb,\"unclosed,0\r\nc,z,1\r\n", "quote.csv:3: expected 3 fields"),
        ("oneclass.csv", "id,text,label\r\na,you idiot,1\r\nb,you moron,1\r\nc,idiot again,1\r\nd,moron idiot,1\r\ne,idiot,1\r\nf,moron,1\r\n", "only one class (uncivil)"),
        ("empty.csv", "id,text,label\r\na,x,1\r\nb,,0\r\n", "empty.csv:3: empty text"),
    ];
    for (name, body, want) in cases {
        let p = d.join(name);
        std::fs::write(&p, body).unwrap();
        let out = run(&[
            "train",
            "--strict",
            "--data",
            p.to_str().unwrap(),
            "--tokenizer",
            "models/tokenizer.json",
            "-o",
            d.join("out.json").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(!d.join("out.json").exists(), "{name}: no model written");
    }
}

#[test]
fn corrupt_truncated_and_foreign_models_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_fixture_model(dir.path());
    let bytes = std::fs::read(&model).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "trunc.json",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated model file",
        ),
        (
            "garbage.json",
            b"PK\x03\x04 not json".to_vec(),
            "not a threadlens model file",
        ),
        (
            "other.json",
            br#"{"format":"something-else","version":1}"#.to_vec(),
            "not a threadlens model file (format \"something-else\")",
        ),
        (
            "v99.json",
            text.replacen("\"version\":3", "\"version\":99", 1)
                .into_bytes(),
            "model format version 99",
        ),
        (
            "tampered.json",
            text.replacen("\"labels\":[\"civil\"", "\"labels\":[\"polite\"", 1)
                .into_bytes(),
            "content hash mismatch",
        ),
    ];
    for (name, body, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let out = run(&[
            "eval",
            "-m",
            p.to_str().unwrap(),
            "--data",
            "tests/fixtures/labeled/test.csv",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
    }
    // A missing model: its path and the OS's reason, each said once.
    let missing = dir.path().join("nowhere");
    let out = run(&[
        "score",
        "data/sample",
        "--models",
        missing.to_str().unwrap(),
        "-o",
        dir.path().join("s.jsonl").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("threadlens: incivility model: "), "{err}");
    assert_eq!(err.matches("incivility.json").count(), 1, "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
}

#[test]
fn score_writes_every_record_as_jsonl_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["-q", "score", "data/sample"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = lines(&out.stdout);
    let parsed = lines(&run(&["-q", "parse", "data/sample"]).stdout);
    assert_eq!(rows.len(), parsed.len(), "one score row per parsed record");
    for (r, p) in rows.iter().zip(&parsed) {
        assert_eq!((&r["thread"], &r["id"]), (&p["thread"], &p["id"]));
        assert!(
            r.get("models").is_none(),
            "hashes once per file, not per row"
        );
        if p["kind"] == "comment" {
            let u = r["incivility"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&u));
            let s = &r["stance"];
            let sum: f64 = ["agree", "disagree", "query", "comment"]
                .iter()
                .map(|k| s[k].as_f64().unwrap())
                .sum();
            assert!((sum - 1.0).abs() < 1e-9);
            assert!(r["stance_label"].is_string());
            if r["uncivil"] == true {
                assert!(
                    !r["reasons"].as_array().unwrap().is_empty(),
                    "flagged rows are explained: {r}"
                );
            }
            // A reply decided agree/disagree/query says why; `comment` is
            // not explained by default.
            let explained = r.get("stance_reasons").is_some();
            if let Some(label) = r["stance_label"].as_str() {
                assert_eq!(explained, label != "comment", "{r}");
            }
        }
    }
    let why: Vec<&str> = rows
        .iter()
        .flat_map(|r| r["stance_reasons"].as_array().into_iter().flatten())
        .map(|c| c["feature"].as_str().unwrap())
        .collect();
    assert!(why.contains(&"cue:pair_question"), "{why:?}");
    assert!(why.iter().any(|f| f.starts_with("parent:tok:")), "{why:?}");
    assert!(
        rows.iter().any(|r| r["uncivil"] == true),
        "the sample has uncivil replies"
    );
    let csv = dir.path().join("s.csv");
    let out = run(&["-q", "score", "data/sample", "-o", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("thread,id,parent,depth,kind,author,incivility"));
    assert!(!text.lines().next().unwrap().contains("_model"));
    // The models' hashes, once, in a sidecar beside the rows (CSV and JSONL).
    let jsonl = dir.path().join("s.jsonl");
    let out = run(&["-q", "score", "data/sample", "-o", jsonl.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        lines(&std::fs::read(&jsonl).unwrap()),
        rows,
        "same rows as stdout"
    );
    for f in [&csv, &jsonl] {
        let side = format!("{}.models.json", f.display());
        let h: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&side).unwrap()).unwrap();
        for m in [
            "incivility",
            "stance",
            "insult",
            "identity_attack",
            "profanity",
        ] {
            assert_eq!(h["models"][m].as_str().unwrap().len(), 64, "{m} in {side}");
        }
        assert!(h["threshold"].as_f64().unwrap() > 0.0);
        assert!(h["created_by"].as_str().unwrap().starts_with("threadlens "));
    }
    assert!(text
        .lines()
        .next()
        .unwrap()
        .ends_with(",reasons,stance_reasons,attribute_reasons,source"));
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (sr, ins) = (col("stance_reasons"), col("insult"));
    assert_eq!(
        (col("uncivil") + 2, col("identity_attack"), col("profanity")),
        (ins, ins + 1, ins + 2)
    );
    let records: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let n = records
        .iter()
        .filter(|x| x[sr].contains("pair_question"))
        .count();
    // Every scored row has the attribute heads' scores, in both formats.
    for (rec, row) in records.iter().zip(&rows) {
        match row["incivility"].as_f64() {
            Some(_) => {
                let p: f64 = rec[ins].parse().unwrap();
                let j = row["attributes"]["insult"].as_f64().unwrap();
                assert!((p - j).abs() < 1e-6, "{rec:?} {row}");
            }
            None => assert!(rec[ins].is_empty() && row.get("attributes").is_none()),
        }
    }
    assert!(n > 0, "stance reasons in the CSV");
    assert_eq!(text.lines().count(), rows.len() + 1);
}

#[test]
fn report_in_three_formats_carries_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut got = Vec::new();
    for ext in ["json", "md", "html"] {
        let p = dir.path().join(format!("r.{ext}"));
        let out = run(&["-q", "report", "data/sample", "-o", p.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        got.push(std::fs::read_to_string(&p).unwrap());
    }
    let j: serde_json::Value = serde_json::from_str(&got[0]).unwrap();
    let c = &j["corpus"];
    assert_eq!(c["threads"], 2);
    let comments = c["comments"].as_u64().unwrap();
    assert!(comments > 10);
    let mean = format!("{:.4}", c["incivility_mean"]["value"].as_f64().unwrap());
    assert!(
        got[1].contains(&mean) && got[2].contains(&mean),
        "mean {mean} in all formats"
    );
    let top = j["threads"][0]["id"].as_str().unwrap();
    assert!(got[1].contains(top) && got[2].contains(top));
    assert!(got[2].contains("<ul class=\"tree\">"));
    assert!(
        !got[2].contains("http://") && !got[2].contains("https://"),
        "no network references"
    );
    let bad = dir.path().join("r.txt");
    let out = run(&["report", "data/sample", "-o", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// The shipped models on the shipped sample: the council page's argument
/// (`You ride it every day? …` → `That is simply false …` → `Typical. …`
/// → `Nobody twisted anything …` → `Read it yourself, genius …`) shows up
/// as a disagreement chain inside that branch, and `What a pathetic
/// council. Morons …` is in the moderation queue. Retraining a default
/// model must keep this.
#[test]
fn shipped_models_find_the_sample_argument() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.json");
    let out = run(&["-q", "report", "data/sample", "-o", p.to_str().unwrap()]);
    assert!(out.status.success());
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let t = j["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "council-bike-lanes")
        .expect("council thread");
    assert!(
        t["longest_disagreement_chain"].as_u64().unwrap() >= 2,
        "{t}"
    );
    let argument = ["c4", "c5", "c6", "c7", "c8"];
    for id in t["disagreement_chain_ids"].as_array().unwrap() {
        assert!(argument.contains(&id.as_str().unwrap()), "{id} in {t}");
    }
    let queue: Vec<&str> = j["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert!(queue.contains(&"c13"), "{queue:?}");
    // The page capture names no authors: its participants show as unknown
    // in the tables, not as 0; the Reddit thread's as its count.
    assert_eq!(t["participants"], 0, "{t}");
    let md = dir.path().join("r.md");
    let out = run(&["-q", "report", "data/sample", "-o", md.to_str().unwrap()]);
    assert!(out.status.success());
    let md = std::fs::read_to_string(&md).unwrap();
    let participants = |id: &str| {
        let row = md
            .lines()
            .find(|l| l.contains(&format!("({id}) |")))
            .unwrap_or_else(|| panic!("{id} row in {md}"));
        // `| # | thread | attention | comments | participants | …`
        row.split(" | ").nth(4).unwrap().to_string()
    };
    assert_eq!(participants("council-bike-lanes"), "–");
    assert_eq!(participants("k1a2b3"), "6");
    assert!(md.contains("– when the input names none"), "{md}");
}

#[test]
fn hostile_comment_text_is_inert_in_html_markdown_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("hostile.jsonl");
    let evil = [
        "<script>alert(1)</script> you idiot",
        "&lt;b&gt; entity &amp; idiot",
        "\u{202E}desrever idiot\u{200B}\u{2066}",
        "=HYPERLINK(\"http://evil.example\",\"click\") idiot",
        "@SUM(A1:A9) moron",
    ];
    let mut body = String::from("{\"id\":\"root1\",\"title\":\"<img src=x onerror=alert(2)>\",\"selftext\":\"\",\"subreddit\":\"x\",\"author\":\"op\",\"created_utc\":1}\n");
    for (i, t) in evil.iter().enumerate() {
        body.push_str(&serde_json::json!({"id": format!("c{i}"), "parent_id": "t3_root1", "link_id": "t3_root1", "body": t, "author": format!("<u{i}>")}).to_string());
        body.push('\n');
    }
    std::fs::write(&dump, body).unwrap();
    let html = dir.path().join("r.html");
    let md = dir.path().join("r.md");
    let q = dir.path().join("q.csv");
    for (out_file, queue) in [(&html, true), (&md, false)] {
        let mut args = vec![
            "-q",
            "report",
            dump.to_str().unwrap(),
            "--threshold",
            "0",
            "-o",
            out_file.to_str().unwrap(),
        ];
        if queue {
            args.extend(["--queue-csv", q.to_str().unwrap()]);
        }
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(!h.contains("<script>alert"), "script tag escaped");
    assert!(!h.contains("<img"), "img tag escaped");
    assert!(!h.contains("<u0>"), "author escaped");
    // The words that drove a score are marked (`<mark>`, the report's own
    // tag) inside the escaped text.
    assert!(h.contains("<mark>"), "reasons highlighted");
    let h = h.replace("<mark>", "").replace("</mark>", "");
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        h.contains("&amp;lt;b&amp;gt;"),
        "entities shown as typed, not decoded"
    );
    for c in ['\u{202E}', '\u{200B}', '\u{2066}'] {
        assert!(!h.contains(c), "control {c:?} neutralised in HTML");
    }
    assert!(h.contains("⟨U+202E⟩"));
    // Only our own script block.
    assert_eq!(h.matches("<script>").count(), 1);
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(!m.contains("<script>") && !m.contains("<img") && !m.contains('\u{202E}'));
    let mut r = csv::Reader::from_path(&q).unwrap();
    let hdr = r.headers().unwrap().clone();
    let text_col = hdr.iter().position(|h| h == "text").unwrap();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        for cell in rec.iter() {
            assert!(
                !matches!(cell.chars().next(), Some('=' | '+' | '-' | '@')),
                "formula-looking cell {cell:?}"
            );
            assert!(!cell.contains('\u{202E}'));
        }
        n += 1;
        let _ = &rec[text_col];
    }
    assert_eq!(n, evil.len(), "every comment in the queue at threshold 0");
}

#[test]
fn gold_label_contagion_matches_hand_count() {
    // Reply pairs between comments in the sample Reddit thread:
    // c01→c02, c01→c03, c03→c04, c04→c05, c05→c06, c07→c08.
    // Gold uncivil: c03, c05, c06, c08. After an uncivil parent (c03, c05):
    // c04 civil, c06 uncivil → 1/2. After a civil parent: c02 civil,
    // c03, c05, c08 uncivil → 3/4. Lift (1/2) / (3/4) = 2/3.
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.csv");
    std::fs::write(
        &gold,
        "id,label\nc01,0\nc02,0\nc03,1\nc04,0\nc05,1\nc06,1\nc07,0\nc08,1\n",
    )
    .unwrap();
    let out_json = dir.path().join("r.json");
    let out = run(&[
        "-q",
        "report",
        "data/sample/reddit-remote-work.jsonl",
        "--gold",
        gold.to_str().unwrap(),
        "-o",
        out_json.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();
    let g = &r["gold"];
    assert_eq!(g["labeled"], 8);
    assert_eq!(
        g["corpus"]["contagion"],
        serde_json::json!({"after_uncivil": 2, "uncivil_after_uncivil": 1, "after_civil": 4, "uncivil_after_civil": 3})
    );
    let lift = g["corpus"]["lift"]["value"].as_f64().unwrap();
    assert!((lift - 2.0 / 3.0).abs() < 1e-12, "{lift}");
    assert!(
        r["corpus"]["contagion"]["after_civil"].as_u64().is_some(),
        "predicted numbers beside"
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,label\nc01,0\nc02,maybe\n").unwrap();
    let out = run(&[
        "report",
        "data/sample",
        "--gold",
        bad.to_str().unwrap(),
        "-o",
        out_json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.csv:3: unknown label"));
}

/// Reddit comment lines of three threads, interleaved or grouped by thread.
fn three_threads(interleaved: bool) -> String {
    let texts = [
        "I think the council got this right, the lanes are safer",
        "you are an idiot and everyone here knows it",
        "Source? I have not seen any numbers on that",
        "No, that is wrong. The study says the opposite.",
        "Agreed, thanks for posting this",
        "shut up, moron",
    ];
    let mut per_thread: Vec<Vec<String>> = Vec::new();
    for t in 0..3 {
        let mut v = Vec::new();
        for i in 0..6 {
            let parent = if i == 0 {
                format!("t3_th{t}")
            } else {
                format!("t1_c{t}x{}", i - 1)
            };
            v.push(format!(
                r#"{{"id":"c{t}x{i}","link_id":"t3_th{t}","parent_id":"{parent}","author":"u{}","body":"{}","created_utc":{}}}"#,
                (i + t) % 3,
                texts[(i + t) % texts.len()],
                1000 + i
            ));
        }
        per_thread.push(v);
    }
    let mut lines = Vec::new();
    if interleaved {
        for i in 0..6 {
            for t in &per_thread {
                lines.push(t[i].clone());
            }
        }
    } else {
        lines = per_thread.concat();
    }
    lines.join("\n") + "\n"
}

#[test]
fn contiguous_dumps_stream_and_interleaved_ones_fall_back_with_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for interleaved in [false, true] {
        let input = dir.path().join(format!("d{interleaved}.jsonl"));
        std::fs::write(&input, three_threads(interleaved)).unwrap();
        let scores = dir.path().join(format!("s{interleaved}.jsonl"));
        let report = dir.path().join(format!("r{interleaved}.json"));
        let out = run(&[
            "score",
            input.to_str().unwrap(),
            "-o",
            scores.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{err}");
        if interleaved {
            assert!(err.contains("threads interleave"), "{err}");
            assert!(
                err.contains(":4: thread \"th0\""),
                "names the record: {err}"
            );
            assert!(err.contains("whole input in memory"), "{err}");
            // The first pass's rows (written on the writer thread to a
            // temporary file) were dropped with it: no temporary file left.
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
            assert!(names.iter().any(|n| n == "strue.jsonl"), "{names:?}");
        } else {
            assert!(!err.contains("interleave"), "{err}");
            assert!(err.contains("streamed thread by thread"), "{err}");
        }
        report_to(&input, &report);
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(r["corpus"]["comments"], 18);
        outs.push((std::fs::read_to_string(&scores).unwrap(), r));
    }
    // Same rows and report, apart from where each record sits in its file.
    let strip = |text: &str| -> Vec<serde_json::Value> {
        lines(text.as_bytes())
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("source");
                r
            })
            .collect()
    };
    let (a, b) = (strip(&outs[0].0), strip(&outs[1].0));
    assert_eq!(a.len(), 21, "18 comments + 3 placeholder roots");
    assert!(a == b, "same rows streamed or whole");
    let unsourced = |mut r: serde_json::Value| {
        for q in r["queue"].as_array_mut().unwrap() {
            q.as_object_mut().unwrap().remove("source");
        }
        r
    };
    assert!(
        unsourced(outs[0].1.clone()) == unsourced(outs[1].1.clone()),
        "same report streamed or whole"
    );
    // Split by thread into partitions (a budget far below the input's
    // size): the same rows, thread by thread, and the same report.
    let input = dir.path().join("dtrue.jsonl");
    let scores = dir.path().join("parts.jsonl");
    let report = dir.path().join("parts.json");
    let out = run(&[
        "score",
        input.to_str().unwrap(),
        "--partition-mb",
        "0.0005",
        "-o",
        scores.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    assert!(err.contains("partitions by thread"), "{err}");
    let mut parts = strip(&std::fs::read_to_string(&scores).unwrap());
    let threads: Vec<&str> = parts
        .iter()
        .map(|r| r["thread"].as_str().unwrap())
        .collect();
    let mut runs = threads.clone();
    runs.dedup();
    let mut distinct = runs.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        runs.len(),
        distinct.len(),
        "each thread's rows together: {threads:?}"
    );
    let key = |r: &serde_json::Value| r["id"].as_str().unwrap().to_string();
    let mut whole = b.clone();
    whole.sort_by_key(key);
    parts.sort_by_key(key);
    assert!(parts == whole, "same rows as whole mode");
    let out = run(&[
        "-q",
        "report",
        input.to_str().unwrap(),
        "--partition-mb",
        "0.0005",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let (p, w) = (unsourced(r), unsourced(outs[1].1.clone()));
    assert_eq!(
        p["corpus"], w["corpus"],
        "same corpus numbers and intervals"
    );
    assert_eq!(p["threads"], w["threads"], "same thread ranking");
    assert_eq!(p["queue"], w["queue"]);
    assert_eq!(p, w, "the same report to the last digit");
    // To standard output (which cannot be restarted): partitioned at once.
    let out = run(&["score", input.to_str().unwrap(), "--partition-mb", "0.0005"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success() && err.contains("partitions by thread"),
        "{err}"
    );
    let mut piped = strip(&String::from_utf8_lossy(&out.stdout));
    piped.sort_by_key(key);
    assert!(piped == whole, "same rows on stdout");
    let bad = run(&["score", input.to_str().unwrap(), "--partition-mb", "-1"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scores.jsonl");
    // Reading standard input, so the run waits with its output's temporary
    // file open until it is interrupted.
    let mut child = bin()
        .args([
            "score",
            "-",
            "--format",
            "jsonl",
            "-o",
            out.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(
            b"{\"id\":\"a\",\"link_id\":\"t3_x\",\"parent_id\":\"t3_x\",\"body\":\"you idiot\"}\n",
        )
        .unwrap();
    let entries = || std::fs::read_dir(dir.path()).unwrap().count();
    wait_until(|| entries() > 0);
    assert_eq!(
        entries(),
        1,
        "the output's temporary file exists while running"
    );
    let done = interrupt(child);
    drop(stdin);
    assert_eq!(
        done.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stderr).contains("interrupted"));
    assert_eq!(entries(), 0, "no output and no temporary file left");

    // Over the budget, standard input's records go to a temporary copy
    // (in $TMPDIR, here `tmp`): interrupted while it grows, it goes too.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["score", "-", "--partition-mb", "0.0001", "-o"])
        .arg(&out)
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(three_threads(true).as_bytes()).unwrap();
    let parts = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter(|e| {
                e.as_ref().is_ok_and(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("threadlens-parts-")
                })
            })
            .count()
    };
    wait_until(|| parts() > 0);
    assert_eq!(
        parts(),
        1,
        "the copy of standard input exists while reading"
    );
    let done = interrupt(child);
    drop(stdin);
    assert_eq!(done.status.code(), Some(130));
    assert_eq!(parts(), 0, "the copy is removed");
    assert_eq!(entries(), 0, "no output");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once_and_nothing_is_lost() {
    // A FIFO (as `<(zstdcat dump.zst)` gives) cannot be read a second
    // time: interleaved threads used to send the run back to an empty pipe.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("dump.jsonl");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for budget in ["1024", "0.0005"] {
        let child = bin()
            .args([
                "score",
                "-q",
                fifo.to_str().unwrap(),
                "--partition-mb",
                budget,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&fifo)
            .unwrap()
            .write_all(three_threads(true).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            lines(&out.stdout).len(),
            21,
            "18 comments + 3 placeholder roots"
        );
    }
}

#[test]
fn a_closed_output_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("d.jsonl");
    let body: String = (0..2000)
        .map(|i| {
            format!(
                "{{\"id\":\"c{i}\",\"link_id\":\"t3_{}\",\"parent_id\":\"t3_{}\",\"body\":\"comment number {i}, you are wrong\"}}\n",
                i / 50,
                i / 50
            )
        })
        .collect();
    std::fs::write(&input, body).unwrap();
    for cmd in ["parse", "score"] {
        let mut child = bin()
            .args([cmd, input.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut out, &mut first).unwrap();
        assert!(first.starts_with('{'), "{cmd}: {first}");
        drop(out); // like `| head -1`
        let done = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&done.stderr);
        assert!(done.status.success(), "{cmd}: {:?} {err}", done.status);
        assert!(!err.contains("Broken pipe"), "{cmd}: {err}");
    }
    // Commands that write a few lines meet the closed pipe on their first
    // write: the reading end is closed before they load their models.
    for args in [&["models"][..], &["models", "--json"]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let done = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&done.stderr);
        assert!(done.status.success(), "{args:?}: {:?} {err}", done.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn parse_streams_and_partitions_with_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let grouped = dir.path().join("g.jsonl");
    let interleaved = dir.path().join("i.jsonl");
    std::fs::write(&grouped, three_threads(false)).unwrap();
    std::fs::write(&interleaved, three_threads(true)).unwrap();
    let file = dir.path().join("out.jsonl");
    let out = run(&[
        "parse",
        grouped.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    let streamed = std::fs::read(&file).unwrap();
    let whole = run(&["parse", grouped.to_str().unwrap()]);
    assert_eq!(streamed, whole.stdout, "streamed = whole, byte for byte");
    let parts = run(&[
        "parse",
        interleaved.to_str().unwrap(),
        "--partition-mb",
        "0.0005",
    ]);
    let err = String::from_utf8_lossy(&parts.stderr).to_string();
    assert!(parts.status.success(), "{err}");
    let rows = |b: &[u8]| {
        let mut v: Vec<serde_json::Value> = lines(b)
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("source");
                r
            })
            .collect();
        v.sort_by_key(|r| r["id"].as_str().unwrap().to_string());
        v
    };
    assert_eq!(rows(&parts.stdout), rows(&streamed));
    assert_eq!(rows(&streamed).len(), 21);
}

/// Hacker News items of three stories, replies of the stories interleaved
/// in time order, one reply before its parent, one whose parent is gone.
fn hn_items() -> String {
    let texts = [
        "you are an idiot and everyone here knows it",
        "Source? I have not seen any numbers on that",
        "No, that is wrong. The study says the opposite.",
        "Agreed, thanks for posting this",
    ];
    let mut lines = Vec::new();
    for s in 0..3 {
        lines.push(format!(
            r#"{{"id":{},"type":"story","by":"op{s}","time":1700000000,"title":"Story {s}","text":"what do you think?"}}"#,
            100 * (s + 1)
        ));
    }
    // Reply 10x+i of story s answers the previous reply of that story.
    for i in 1..6 {
        for s in 0..3 {
            let id = 100 * (s + 1) + i;
            let parent = if i == 1 { 100 * (s + 1) } else { id - 1 };
            lines.push(format!(
                r#"{{"id":{id},"type":"comment","by":"u{}","time":{},"parent":{parent},"text":"{}"}}"#,
                (i + s) % 3,
                1700000000 + i,
                texts[(i + s) as usize % texts.len()]
            ));
        }
    }
    lines.push(
        r#"{"id":901,"type":"comment","by":"z","time":1700000100,"parent":902,"text":"before my parent"}"#
            .into(),
    );
    lines.push(
        r#"{"id":902,"type":"comment","by":"z","time":1700000090,"parent":205,"text":"my reply came first"}"#
            .into(),
    );
    lines.push(
        r#"{"id":903,"type":"comment","by":"z","time":1700000100,"parent":999,"text":"parent deleted"}"#
            .into(),
    );
    lines.join("\n") + "\n"
}

#[test]
fn hacker_news_items_split_into_partitions_give_the_whole_inputs_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("items.jsonl");
    std::fs::write(&input, hn_items()).unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut outs = Vec::new();
    for (mb, mode) in [
        ("0", "whole input in memory"),
        ("0.0005", "partitions by thread"),
    ] {
        let scores = path(&format!("s{mb}.jsonl"));
        let report = path(&format!("r{mb}.json"));
        let input = input.to_str().unwrap();
        let out = run(&["score", input, "--partition-mb", mb, "-o", &scores]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{err}");
        assert!(err.contains(mode), "{err}");
        assert!(err.contains("names no thread"), "{err}");
        if mb != "0" {
            assert!(err.contains("finds every record's thread"), "{err}");
            // Partitions follow the records' estimated memory (text + 650
            // bytes each, ~14 KB here), not the ~3.5 KB file: 0.0005 MiB each.
            let n: usize = err
                .split(" partitions by thread")
                .next()
                .and_then(|h| h.split_whitespace().last())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("partition count in {err}"));
            let file = std::fs::metadata(input).unwrap().len() as usize;
            assert!(n > 2 * file.div_ceil(524), "{n} partitions: {err}");
        }
        assert!(err.contains("3 roots + 1 placeholder roots"), "{err}");
        let out = run(&["-q", "report", input, "--partition-mb", mb, "-o", &report]);
        assert!(out.status.success());
        let mut rows = lines(&std::fs::read(&scores).unwrap());
        rows.sort_by_key(|r| r["id"].as_str().unwrap().to_string());
        outs.push((rows, std::fs::read_to_string(&report).unwrap()));
        // parse too: `report` and `score` share the pipeline with it.
        let out = run(&["parse", input, "--partition-mb", mb]);
        assert!(out.status.success());
        assert_eq!(
            lines(&out.stdout).len(),
            22,
            "3 stories, 18 replies, 1 placeholder"
        );
    }
    assert_eq!(outs[0].0.len(), 22);
    assert!(outs[0].0 == outs[1].0, "same rows, sources included");
    let late = outs[1].0.iter().find(|r| r["id"] == "901").unwrap();
    assert_eq!(
        late["thread"], "200",
        "found through a parent read after it"
    );
    assert_eq!(outs[0].1, outs[1].1, "the same report, byte for byte");
}

#[test]
fn standard_input_over_the_budget_is_copied_once_and_run_like_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("grouped", three_threads(false), "streamed thread by thread"),
        ("interleaved", three_threads(true), "partitions by thread"),
        ("hn", hn_items(), "partitions by thread"),
    ];
    // Source locations name the file or `-`: compare their line numbers.
    let unsourced = |text: &str| text.replace("\"-:", "\"F:");
    for (name, text, mode) in cases {
        let file = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&file, &text).unwrap();
        let path = file.to_str().unwrap();
        for cmd in ["score", "report"] {
            let out_file = dir.path().join(format!("{name}.{cmd}.json"));
            let out_stdin = dir.path().join(format!("{name}.{cmd}.stdin.json"));
            let done = run_with_stdin(
                &[
                    cmd,
                    "-",
                    "--partition-mb",
                    "0.0005",
                    "-o",
                    out_stdin.to_str().unwrap(),
                ],
                text.as_bytes(),
            );
            let err = String::from_utf8_lossy(&done.stderr).to_string();
            assert!(done.status.success(), "{name} {cmd}: {err}");
            assert!(
                err.contains("copied to a temporary file"),
                "{name} {cmd}: {err}"
            );
            assert!(err.contains(mode), "{name} {cmd}: {err}");
            // The same input from its file, read whole.
            let out = run(&[
                cmd,
                "-q",
                path,
                "--partition-mb",
                "0",
                "-o",
                out_file.to_str().unwrap(),
            ]);
            assert!(out.status.success());
            let from_file = std::fs::read_to_string(&out_file)
                .unwrap()
                .replace(&format!("\"{path}:"), "\"F:");
            let from_stdin = unsourced(&std::fs::read_to_string(&out_stdin).unwrap());
            if cmd == "report" {
                assert_eq!(from_stdin, from_file, "{name}: the same report");
            } else {
                let sorted = |s: &str| {
                    let mut v: Vec<String> = s.lines().map(String::from).collect();
                    v.sort();
                    v
                };
                assert_eq!(
                    sorted(&from_stdin),
                    sorted(&from_file),
                    "{name}: the same rows"
                );
            }
        }
    }
    // Within the budget: read once into memory, as before.
    let out = run_with_stdin(&["score", "-", "--format", "jsonl"], hn_items().as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("temporary file"), "{err}");
    assert!(err.contains("whole input in memory"), "{err}");
    assert_eq!(lines(&out.stdout).len(), 22);
}

#[test]
fn small_partitions_are_read_back_together_up_to_the_budget() {
    // Lines padded like Pushshift's (many fields besides the text): the
    // file is far larger than the records' memory, so partitions cut by
    // file size are small and are built several at a time.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("padded.jsonl");
    let pad = "x".repeat(3000);
    let padded: String = three_threads(true)
        .lines()
        .map(|l| format!("{},\"pad\":\"{pad}\"}}\n", &l[..l.len() - 1]))
        .collect();
    std::fs::write(&input, padded).unwrap();
    let path = input.to_str().unwrap();
    let report = |mb: &str| {
        let out_path = dir.path().join(format!("r{mb}.json"));
        let out = run(&[
            "report",
            path,
            "--partition-mb",
            mb,
            "-o",
            out_path.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{err}");
        (std::fs::read_to_string(&out_path).unwrap(), err)
    };
    let (whole, _) = report("0");
    // ~56 KB of file, ~13 KB of records (~4 KB a thread), a 0.02 MiB
    // budget: 12 partitions by size, 3 of them holding a thread, read back
    // in batches of up to half the budget: 2 batches.
    let (parts, err) = report("0.02");
    assert!(err.contains("(2 partitions by thread)"), "{err}");
    assert_eq!(parts, whole, "the same report");
}

/// Over one batch (a first of 1,024 comments, then 16,384), streamed with
/// the next batch read while the last is scored and each scored batch
/// freed on the pool: every comment comes out once, in input order.
/// A write error stops the run with the error, not a hang or a partial
/// success.
#[cfg(target_os = "linux")]
#[test]
fn streams_several_batches_in_order_and_stops_on_a_write_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let mut text = String::new();
    for t in 0..4000 {
        for c in 0..6 {
            let parent = match c {
                0 => format!("t3_{t}"),
                _ => format!("t1_c{t}_{}", c - 1),
            };
            text.push_str(&format!(
                "{{\"id\":\"c{t}_{c}\",\"parent_id\":\"{parent}\",\"link_id\":\"t3_{t}\",\"author\":\"u{c}\",\"body\":\"reply {c} in {t}\"}}\n"
            ));
        }
    }
    std::fs::write(&input, text).unwrap();
    let out_path = dir.path().join("rows.jsonl");
    let args = ["score", "-q", "--explain", "none", input.to_str().unwrap()];
    let out = run(&[&args[..], &["-o", out_path.to_str().unwrap()]].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = lines(&std::fs::read(&out_path).unwrap());
    let ids: Vec<&str> = rows
        .iter()
        .filter(|r| r["kind"] == "comment")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..4000)
        .flat_map(|t| (0..6).map(move |c| format!("c{t}_{c}")))
        .collect();
    assert_eq!(ids, want);
    let full = run(&[&args[..], &["-o", "/dev/full"]].concat());
    assert_eq!(full.status.code(), Some(2));
    let err = String::from_utf8_lossy(&full.stderr);
    assert!(err.contains("No space left"), "{err}");
}

#[test]
fn the_binary_alone_scores_from_an_empty_folder_with_its_built_in_models() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::canonicalize("data/sample").unwrap();
    let in_empty = |args: &[&str]| {
        bin()
            .args(args)
            .current_dir(dir.path())
            .env_remove("THREADLENS_MODELS")
            .output()
            .unwrap()
    };
    let out = in_empty(&["-q", "score", sample.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = lines(&out.stdout);
    assert!(rows.len() > 20);
    // The same scores as the model files in models/.
    let files = run(&[
        "-q",
        "score",
        "--models",
        "models",
        sample.to_str().unwrap(),
    ]);
    assert!(
        out.stdout == files.stdout,
        "built-in and file models score differently"
    );
    // THREADLENS_MODELS and --models point elsewhere; a folder without the
    // files is an error that names the path.
    let out = bin()
        .args(["-q", "score", sample.to_str().unwrap()])
        .current_dir(dir.path())
        .env("THREADLENS_MODELS", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("incivility.json"), "{err}");
    // `models` lists the built-in ones with their hashes; --version names them.
    let out = in_empty(&["models", "--json"]);
    assert!(out.status.success());
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "incivility",
            "stance",
            "insult",
            "identity_attack",
            "profanity",
            "github_gate",
            "github_toxicity"
        ]
    );
    // Which of them read the embedding table, and its width.
    let dims: Vec<&serde_json::Value> = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["embeddings"]["dim"])
        .collect();
    assert_eq!(
        dims,
        [
            &64.into(),
            &serde_json::Value::Null,
            &64.into(),
            &64.into(),
            &64.into(),
            &64.into(),
            &64.into()
        ]
    );
    // Each shipped head can be evaluated by its attribute name.
    let dir2 = tempfile::tempdir().unwrap();
    let data = dir2.path().join("t.csv");
    std::fs::write(&data, "text,label\nyou are an idiot,1\nthanks for the link,0\nwhat a moron,1\nsee you at the meeting,0\n").unwrap();
    for a in ["TOXICITY", "INSULT", "IDENTITY_ATTACK", "PROFANITY"] {
        let out = in_empty(&[
            "-q",
            "eval",
            "--attribute",
            a,
            "--data",
            data.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{a}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(j["roc_auc"].as_f64().is_some(), "{j}");
    }
    let out = in_empty(&[
        "-q",
        "eval",
        "--attribute",
        "THREAT",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let hash = j["models"][0]["sha256"].as_str().unwrap().to_string();
    let v = in_empty(&["--version"]);
    assert!(String::from_utf8_lossy(&v.stdout).contains(&hash[..16]));
}

/// A comment that reads like a GitHub issue comment gets its incivility
/// from the GitHub model (its P, its reasons, `"domain":"github"`), others
/// from the pooled model; `--no-domains` and `eval --no-domains` use the
/// pooled one for all; `eval --attribute TOXICITY` scores as `score` does.
#[test]
fn comments_that_read_like_github_are_scored_by_the_github_model() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "This PR has been open for three months and nobody reviewed it. Why do I even bother sending patches to this repo?",
        "Please stop bumping this issue, it is a duplicate of #1234 and the maintainers already said it will not be fixed.",
        "lol this guy is such a clown, unfollow",
        "Thanks for the article, a good read.",
        // Reads as GitHub to the gate, but two words say too little.
        "lol ok",
    ];
    // The texts as JSON lines `c0`, `c1` ..., each with the fields `extra`.
    let jsonl = |extra: &str| -> String {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let t = serde_json::to_string(t).unwrap();
                format!("{{\"id\":\"c{i}\"{extra},\"text\":{t}}}\n")
            })
            .collect()
    };
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, jsonl("")).unwrap();
    let csv: String = std::iter::once("id,text,label\n".to_string())
        .chain(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| format!("c{i},\"{t}\",{}\n", i % 2)),
        )
        .collect();
    let data = dir.path().join("t.csv");
    std::fs::write(&data, csv).unwrap();
    let rows = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["-q", "score", "--explain", "all", input.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run_ok(&args);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // `eval` on the texts with `which` (a model): its JSON and each text's P.
    let eval = |which: &[&str]| -> (serde_json::Value, Vec<f64>) {
        let preds = dir.path().join("p.jsonl");
        let mut args = vec!["-q", "eval", "--data", data.to_str().unwrap()];
        args.extend_from_slice(which);
        args.extend_from_slice(&["--predictions", preds.to_str().unwrap()]);
        let out = run_ok(&args);
        let p = std::fs::read_to_string(&preds)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["probabilities"]["uncivil"]
                    .as_f64()
                    .unwrap()
            })
            .collect();
        (serde_json::from_slice(&out.stdout).unwrap(), p)
    };
    let by = |model: &str| eval(&["-m", model]).1;
    let (pooled, gate, expert) = (
        by("models/incivility.json"),
        by("models/github_gate.json"),
        by("models/github_toxicity.json"),
    );
    let with = rows(&[]);
    let words = |t: &str| {
        t.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count()
    };
    let routed: Vec<bool> = gate
        .iter()
        .zip(texts)
        .map(|(&g, t)| g >= 0.7 && words(t) >= 3)
        .collect();
    assert_eq!(routed, [true, true, false, false, false], "gate {gate:?}");
    assert!(gate[4] >= 0.7, "the short reply's gate {gate:?}");
    for (i, r) in with.iter().enumerate() {
        let want = if routed[i] { expert[i] } else { pooled[i] };
        let p = r["incivility"].as_f64().unwrap();
        assert!((p - want).abs() < 1e-6, "{i}: {p} against {want}");
        assert_eq!(r["domain"].as_str(), routed[i].then_some("github"), "{r}");
    }
    // The GitHub model reads the first comment's frustration as incivility.
    assert!(expert[0] > pooled[0], "{expert:?} {pooled:?}");
    let without = rows(&["--no-domains"]);
    for (i, r) in without.iter().enumerate() {
        assert!((r["incivility"].as_f64().unwrap() - pooled[i]).abs() < 1e-6);
        assert!(r.get("domain").is_none(), "{r}");
    }
    // The run's models name the gate and the expert.
    let out_file = dir.path().join("o.jsonl");
    run_ok(&[
        "-q",
        "score",
        input.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    let side: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("o.jsonl.models.json")).unwrap(),
    )
    .unwrap();
    for m in ["github_gate", "github_toxicity"] {
        assert_eq!(side["models"][m].as_str().map(str::len), Some(64), "{side}");
    }
    // CSV rows name the domain too, in the column after `uncivil`.
    let csv_out = dir.path().join("o.csv");
    run_ok(&[
        "-q",
        "score",
        input.to_str().unwrap(),
        "-o",
        csv_out.to_str().unwrap(),
    ]);
    let mut r = csv::Reader::from_path(&csv_out).unwrap();
    let h = r.headers().unwrap().clone();
    let at = h.iter().position(|c| c == "domain").unwrap();
    assert_eq!(&h[at - 1], "uncivil", "{h:?}");
    let domains: Vec<String> = r.records().map(|x| x.unwrap()[at].to_string()).collect();
    let want: Vec<&str> = routed
        .iter()
        .map(|&r| if r { "github" } else { "" })
        .collect();
    assert_eq!(domains, want);
    // The report's queue says which comments the GitHub model scored
    // (the texts as replies to a post: roots are not queued).
    let replies = "{\"id\":\"p\",\"thread_id\":\"p\",\"text\":\"Release 2.0 is out\"}\n"
        .to_string()
        + &jsonl(",\"thread_id\":\"p\",\"parent_id\":\"p\"");
    let thread = dir.path().join("thread.jsonl");
    std::fs::write(&thread, replies).unwrap();
    let report = |out: &Path| {
        let o = out.to_str().unwrap();
        run_ok(&["-q", "report", thread.to_str().unwrap(), "-o", o]);
        std::fs::read_to_string(out).unwrap()
    };
    let r: serde_json::Value = serde_json::from_str(&report(&dir.path().join("r.json"))).unwrap();
    let queue = r["queue"].as_array().unwrap();
    assert!(queue.iter().any(|q| q["id"] == "c0"), "{r}");
    for q in queue {
        let i: usize = q["id"].as_str().unwrap()[1..].parse().unwrap();
        assert_eq!(q["domain"].as_str(), routed[i].then_some("github"), "{q}");
    }
    // In the queue's meta line, and beside P(uncivil) in the thread's tree.
    let html = report(&dir.path().join("r.html"));
    assert!(html.contains(">github model</span>"));
    assert!(html.contains(">(github model)</span>"));
    // eval --attribute TOXICITY: the same probabilities as score.
    let (j, p) = eval(&["--attribute", "TOXICITY"]);
    assert_eq!(j["domain"]["rows"], 2, "{j}");
    for (a, r) in p.iter().zip(&with) {
        assert!((a - r["incivility"].as_f64().unwrap()).abs() < 1e-6);
    }
    let (j, p) = eval(&["--attribute", "TOXICITY", "--no-domains"]);
    assert!(j.get("domain").is_none(), "{j}");
    assert_eq!(p, pooled);
}

/// Accuracy per category of a built-in model's decisions (at its own
/// threshold) on `tests/functional/cases.csv` against the column `label`:
/// `toxicity` by the incivility model, `identity_attack` by that head.
fn functional_accuracy(label: &str) -> std::collections::BTreeMap<String, (usize, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let cases = Path::new("tests").join("functional").join("cases.csv");
    let preds = dir.path().join("p.jsonl");
    let name = if label == "toxicity" {
        "incivility"
    } else {
        label
    };
    let models = run(&["models", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&models.stdout).unwrap();
    let m = j["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap();
    let threshold = m["threshold"].as_f64().unwrap();
    // As `score` gives it (TOXICITY with the GitHub model).
    let out = run(&[
        "-q",
        "eval",
        "--attribute",
        label,
        "--models",
        "models",
        "--data",
        cases.to_str().unwrap(),
        "--label-col",
        label,
        "--predictions",
        preds.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rd = csv::Reader::from_path(&cases).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (cat, want) = (col("category"), col(label));
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let p = lines(&std::fs::read(&preds).unwrap());
    assert_eq!(p.len(), rows.len(), "every case scored");
    let mut by = std::collections::BTreeMap::new();
    for (r, p) in rows.iter().zip(&p) {
        let flagged = p["probabilities"]["uncivil"].as_f64().unwrap() >= threshold;
        let e: &mut (usize, usize) = by.entry(r[cat].to_string()).or_default();
        e.0 += 1;
        e.1 += usize::from(flagged == (&r[want] == "1"));
    }
    by
}

/// The built-in model's functional accuracy per category may not fall below
/// what `tests/functional/shipped_<label>.json` records (a model that does
/// better raises the floor with THREADLENS_BLESS=1). `scripts/functional.py`
/// prints the same table for any model.
#[test]
fn built_in_model_holds_its_functional_accuracy_per_category() {
    for label in ["toxicity", "identity_attack"] {
        let by = functional_accuracy(label);
        let now: serde_json::Map<String, serde_json::Value> = by
            .iter()
            .map(|(k, &(n, right))| {
                (
                    k.clone(),
                    serde_json::json!((right as f64 / n as f64 * 1000.0).round() / 1000.0),
                )
            })
            .collect();
        let path = Path::new("tests")
            .join("functional")
            .join(format!("shipped_{label}.json"));
        if std::env::var_os("THREADLENS_BLESS").is_some() {
            std::fs::write(&path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
        }
        let floor: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            floor.keys().collect::<Vec<_>>(),
            now.keys().collect::<Vec<_>>(),
            "categories of {}",
            path.display()
        );
        for (k, v) in &now {
            let (v, f) = (v.as_f64().unwrap(), floor[k].as_f64().unwrap());
            assert!(
                v >= f - 1e-9,
                "{label} / {k}: accuracy {v} below the recorded {f}"
            );
        }
    }
}

/// A `threadlens serve` child on an ephemeral loopback port.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = bin()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line: {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// One request on its own connection; `(status, body)`.
    fn request(&self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> (u16, String) {
        use std::io::Read;
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        // A large body may be cut off by the server's answer (413).
        for chunk in body.chunks(1 << 16) {
            if s.write_all(chunk).is_err() {
                break;
            }
        }
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).to_string();
        let status: u16 = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {text:?}"));
        let body = text.split_once("\r\n\r\n").map_or("", |b| b.1).to_string();
        (status, body)
    }

    fn analyze(&self, body: &str) -> (u16, serde_json::Value) {
        let (code, b) = self.request(
            "POST",
            "/v1alpha1/comments:analyze",
            &["Content-Type: application/json"],
            body.as_bytes(),
        );
        (
            code,
            serde_json::from_str(&b).unwrap_or_else(|_| panic!("JSON: {b:?}")),
        )
    }

    /// SIGTERM; the exit status.
    #[cfg(unix)]
    fn stop(mut self) -> std::process::ExitStatus {
        let kill = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        self.child.wait().unwrap()
    }
}

fn assert_error(code: u16, v: &serde_json::Value, want: u16, status: &str) {
    assert_eq!(code, want, "{v}");
    assert_eq!(v["error"]["code"], want, "{v}");
    assert_eq!(v["error"]["status"], status, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

#[cfg(unix)]
#[test]
fn serve_answers_the_perspective_protocol_field_by_field() {
    let srv = Server::start(&[]);
    let text = "What kind of idiot name is foo? Sorry, I like your name.";
    // The request as Perspective's clients send it.
    let (code, v) = srv.analyze(
        &serde_json::json!({
            "comment": { "text": text, "type": "PLAIN_TEXT" },
            "requestedAttributes": { "TOXICITY": { "scoreType": "PROBABILITY" } },
            "spanAnnotations": true,
            "languages": ["en"],
            "doNotStore": true,
            "clientToken": "tok-1",
            "sessionId": "s",
            "communityId": "c"
        })
        .to_string(),
    );
    assert_eq!(code, 200, "{v}");
    let t = &v["attributeScores"]["TOXICITY"];
    let summary = t["summaryScore"]["value"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&summary));
    assert_eq!(t["summaryScore"]["type"], "PROBABILITY");
    let spans = t["spanScores"].as_array().unwrap();
    assert_eq!(spans.len(), 2);
    assert_eq!(
        (spans[0]["begin"].as_u64(), spans[0]["end"].as_u64()),
        (Some(0), Some(31))
    );
    assert_eq!(
        (spans[1]["begin"].as_u64(), spans[1]["end"].as_u64()),
        (Some(32), Some(56))
    );
    assert_eq!(spans[0]["score"]["type"], "PROBABILITY");
    assert_eq!(v["languages"], serde_json::json!(["en"]));
    assert_eq!(v["detectedLanguages"], serde_json::json!(["en"]));
    assert_eq!(v["clientToken"], "tok-1");
    assert_eq!(v["attributeScores"].as_object().unwrap().len(), 1);
    // The same number as `threadlens score`, to the last digit.
    let out = run_with_stdin(
        &["-q", "score", "-", "--format", "csv"],
        format!("id,text\n1,\"{text}\"\n").as_bytes(),
    );
    assert!(out.status.success());
    let row = &lines(&out.stdout)[0];
    assert_eq!(row["incivility"].as_f64().unwrap(), summary);
    // scoreThreshold above the score leaves the attribute out.
    let (code, v) = srv.analyze(
        &serde_json::json!({
            "comment": { "text": "Have a nice day." },
            "requestedAttributes": { "TOXICITY": { "scoreThreshold": 0.99 } }
        })
        .to_string(),
    );
    assert_eq!(code, 200);
    assert_eq!(v["attributeScores"], serde_json::json!({}));
    // The attribute heads, each with its own score.
    let (code, v) = srv.analyze(r#"{"comment":{"text":"you are a stupid idiot"},"requestedAttributes":{"TOXICITY":{},"INSULT":{},"IDENTITY_ATTACK":{},"PROFANITY":{}}}"#);
    assert_eq!(code, 200, "{v}");
    for a in ["TOXICITY", "INSULT", "IDENTITY_ATTACK", "PROFANITY"] {
        let p = v["attributeScores"][a]["summaryScore"]["value"]
            .as_f64()
            .unwrap();
        assert!((0.0..=1.0).contains(&p), "{a} {v}");
    }
    let insult = v["attributeScores"]["INSULT"]["summaryScore"]["value"]
        .as_f64()
        .unwrap();
    let identity = v["attributeScores"]["IDENTITY_ATTACK"]["summaryScore"]["value"]
        .as_f64()
        .unwrap();
    assert!(insult > identity, "an insult to a person, not a group: {v}");
    // HTML is read as its text.
    let (code, v) = srv.analyze(r#"{"comment":{"text":"<p>you <b>idiot</b></p>","type":"HTML"},"requestedAttributes":{"TOXICITY":{}}}"#);
    assert_eq!(code, 200, "{v}");
    // Thread-aware: the stance toward the last context entry, and reasons on request.
    let (code, v) = srv.analyze(
        &serde_json::json!({
            "comment": { "text": "No, that is wrong, the bridge opens on Tuesday." },
            "context": { "entries": [{ "text": "The bridge opens on Monday." }] },
            "requestedAttributes": { "TOXICITY": {} },
            "threadlens": { "reasons": true }
        })
        .to_string(),
    );
    assert_eq!(code, 200, "{v}");
    let ext = &v["threadlens"];
    let p: f64 = ["agree", "disagree", "query", "comment"]
        .iter()
        .map(|l| ext["stance"][l].as_f64().unwrap())
        .sum();
    assert!((p - 1.0).abs() < 1e-9, "{ext}");
    assert!(ext["stanceLabel"].is_string());
    assert!(!ext["reasons"]["TOXICITY"].as_array().unwrap().is_empty());
    assert!(ext["models"]["incivility"].as_str().unwrap().len() == 64);
    // suggestscore: accepted, token echoed, nothing stored.
    let (code, b) = srv.request(
        "POST",
        "/v1alpha1/comments:suggestscore",
        &[],
        br#"{"comment":{"text":"fine"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":0}}},"clientToken":"c9"}"#,
    );
    assert_eq!((code, b.as_str()), (200, r#"{"clientToken":"c9"}"#));
    // Errors in Perspective's shape.
    let bad: [(&[u8], u16, &str); 9] = [
        (b"{not json", 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":5},"requestedAttributes":{"TOXICITY":{}}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"requestedAttributes":{"TOXICITY":{}}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":"  "},"requestedAttributes":{"TOXICITY":{}}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":"hi"}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":"hi"},"requestedAttributes":{"NOPE":{}}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":"hi"},"requestedAttributes":{"THREAT":{}}}"#, 400, "INVALID_ARGUMENT"),
        (br#"{"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}},"languages":["de"]}"#, 400, "INVALID_ARGUMENT"),
        (b"{\"comment\":{\"text\":\"\xff\xfe\"},\"requestedAttributes\":{\"TOXICITY\":{}}}", 400, "INVALID_ARGUMENT"),
    ];
    for (body, want, status) in bad {
        let (code, b) = srv.request("POST", "/v1alpha1/comments:analyze", &[], body);
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_error(code, &v, want, status);
    }
    let long = "a ".repeat(15_000);
    let (code, v) = srv.analyze(&format!(
        r#"{{"comment":{{"text":"{long}"}},"requestedAttributes":{{"TOXICITY":{{}}}}}}"#
    ));
    assert_error(code, &v, 400, "INVALID_ARGUMENT");
    assert!(v["error"]["message"].as_str().unwrap().contains("too long"));
    let (code, b) = srv.request(
        "POST",
        "/v1alpha1/comments:analyze",
        &[],
        &vec![b' '; 50 << 20],
    );
    assert_error(
        code,
        &serde_json::from_str(&b).unwrap(),
        413,
        "INVALID_ARGUMENT",
    );
    let (code, b) = srv.request("GET", "/v1alpha1/comments:analyze", &[], b"");
    assert_error(
        code,
        &serde_json::from_str(&b).unwrap(),
        405,
        "METHOD_NOT_ALLOWED",
    );
    let (code, b) = srv.request("GET", "/v1/nothing", &[], b"");
    assert_error(code, &serde_json::from_str(&b).unwrap(), 404, "NOT_FOUND");
    // The batch endpoint: a dump in, the rows `score` writes out (but for
    // `source`, which names the request).
    for f in ["reddit-remote-work.jsonl", "council-bike-lanes.txt"] {
        let path = Path::new("data").join("sample").join(f);
        let dump = std::fs::read(&path).unwrap();
        // (A page names its thread by its file: the request says the name.)
        let (code, b) = srv.request("POST", &format!("/v1/threads:score?name={f}"), &[], &dump);
        assert_eq!(code, 200, "{b}");
        let got = lines(b.as_bytes());
        let want = lines(&run(&["-q", "score", path.to_str().unwrap()]).stdout);
        assert_eq!(got.len(), want.len(), "{f}");
        for (mut g, mut w) in got.into_iter().zip(want) {
            let (gs, ws) = (g["source"].take(), w["source"].take());
            assert_eq!(g, w, "{f}");
            let line =
                |v: &serde_json::Value| v.as_str().unwrap().rsplit(':').next().unwrap().to_string();
            assert!(gs.as_str().unwrap().starts_with(&format!("{f}:")), "{gs}");
            assert_eq!(line(&gs), line(&ws));
        }
    }
    let (code, b) = srv.request("POST", "/v1/threads:score", &[], b"id,text\n1,hello\n");
    assert_eq!(code, 200, "{b}");
    assert!(lines(b.as_bytes())[0]["source"] == "request:2", "{b}");
    let (code, b) = srv.request("POST", "/v1/threads:score?format=nope", &[], b"{}");
    assert_error(
        code,
        &serde_json::from_str(&b).unwrap(),
        400,
        "INVALID_ARGUMENT",
    );
    // Health and metrics.
    let (code, b) = srv.request("GET", "/healthz", &[], b"");
    assert_eq!(code, 200, "{b}");
    let (code, m) = srv.request("GET", "/metrics", &[], b"");
    assert_eq!(code, 200);
    assert!(
        m.contains(r#"threadlens_requests_total{endpoint="analyze",code="200"}"#),
        "{m}"
    );
    assert!(
        m.contains(r#"threadlens_requests_total{endpoint="analyze",code="413"}"#),
        "{m}"
    );
    assert!(
        m.contains("threadlens_request_duration_seconds_bucket{le=\"+Inf\"}"),
        "{m}"
    );
    assert!(m.contains("threadlens_requests_in_flight"), "{m}");
    // SIGTERM: stops and exits 0.
    assert!(srv.stop().success());
}

#[cfg(unix)]
#[test]
fn serve_keeps_answering_under_hostile_traffic_and_checks_api_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, "# keys\nsecret-1\nsecret-2\n").unwrap();
    let srv = Server::start(&["--api-keys", keys.to_str().unwrap()]);
    let body = br#"{"comment":{"text":"you are a fool"},"requestedAttributes":{"TOXICITY":{}}}"#;
    let path = "/v1alpha1/comments:analyze";
    let (code, b) = srv.request("POST", path, &[], body);
    assert_error(
        code,
        &serde_json::from_str(&b).unwrap(),
        403,
        "PERMISSION_DENIED",
    );
    let (code, b) = srv.request("POST", &format!("{path}?key=wrong"), &[], body);
    assert_error(
        code,
        &serde_json::from_str(&b).unwrap(),
        403,
        "PERMISSION_DENIED",
    );
    assert_eq!(
        srv.request("POST", &format!("{path}?key=secret-2"), &[], body)
            .0,
        200
    );
    assert_eq!(
        srv.request("POST", path, &["X-Goog-Api-Key: secret-1"], body)
            .0,
        200
    );
    assert_eq!(
        srv.request("GET", "/healthz", &[], b"").0,
        200,
        "health needs no key"
    );
    // Idle connections, clients that trickle their headers and clients
    // that go away mid-request, all at once, while valid requests go on.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut idle = Vec::new();
    for _ in 0..2000 {
        idle.push(std::net::TcpStream::connect(&srv.addr).unwrap());
    }
    let hostile: Vec<_> = (0..4)
        .map(|k| {
            let (addr, stop) = (srv.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok(mut s) = std::net::TcpStream::connect(&addr) else { continue };
                    match k {
                        0 => {
                            // trickle a header, a byte at a time
                            for b in b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost" {
                                if s.write_all(&[*b]).is_err() {
                                    break;
                                }
                                std::thread::sleep(std::time::Duration::from_millis(20));
                            }
                        }
                        1 => {
                            // promise a body, send half, hang up
                            let _ = s.write_all(b"POST /v1alpha1/comments:analyze?key=secret-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"comment\":");
                        }
                        2 => {
                            let _ = s.write_all(b"\x00\xff garbage \r\n\r\n");
                        }
                        _ => {
                            let _ = s.write_all(b"POST /v1alpha1/comments:analyze?key=secret-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n{{{{");
                        }
                    }
                }
            })
        })
        .collect();
    for _ in 0..50 {
        let (code, b) = srv.request("POST", &format!("{path}?key=secret-1"), &[], body);
        assert_eq!(code, 200, "{b}");
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert!(v["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
            .as_f64()
            .is_some());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for h in hostile {
        h.join().unwrap();
    }
    drop(idle);
    assert!(srv.stop().success());
}

#[test]
fn score_include_text_in_both_formats_and_one_stance_label_name() {
    let out = run(&["-q", "score", "--include-text", "data/sample"]);
    assert!(out.status.success());
    let rows = lines(&out.stdout);
    let parsed = lines(&run(&["-q", "parse", "data/sample"]).stdout);
    assert_eq!(rows.len(), parsed.len());
    for (r, p) in rows.iter().zip(&parsed) {
        assert_eq!(r["text"], p["text"], "{r}");
    }
    // Without the flag, no text.
    let plain = lines(&run(&["-q", "score", "data/sample"]).stdout);
    assert!(plain.iter().all(|r| r.get("text").is_none()));
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("s.csv");
    let out = run(&[
        "-q",
        "score",
        "--include-text",
        "data/sample",
        "-o",
        csv_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let mut rd = csv::Reader::from_path(&csv_path).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n);
    assert_eq!(col("text"), Some(col("author").unwrap() + 1));
    // The decided stance has one name in JSON lines and CSV.
    let label = col("stance_label").expect("stance_label column");
    assert!(col("stance").is_none());
    for (rec, r) in rd.records().map(|x| x.unwrap()).zip(&rows) {
        // (A cell a spreadsheet would run as a formula gets a leading ')
        let (c, t) = (&rec[col("text").unwrap()], r["text"].as_str().unwrap());
        assert!(c == t || c == format!("'{t}"), "{c:?} vs {t:?}");
        assert_eq!(&rec[label], r["stance_label"].as_str().unwrap_or(""), "{r}");
    }
}

/// A submission and a `depth`-deep chain of hostile replies between two
/// authors (Reddit JSON lines).
fn hostile_chain(depth: usize) -> String {
    let mut s = String::from(
        r#"{"id":"s","title":"t","selftext":"x","author":"op","created_utc":1600000000}"#,
    );
    s.push('\n');
    for i in 0..depth {
        let parent = if i == 0 {
            "t3_s".to_string()
        } else {
            format!("t1_c{}", i - 1)
        };
        let who = if i % 2 == 0 { "bob" } else { "alice" };
        s.push_str(&format!(
            r#"{{"id":"c{i}","parent_id":"{parent}","link_id":"t3_s","body":"No, you are wrong, you idiot. Stupid take.","author":"{who}","created_utc":{}}}"#,
            1600000001 + i
        ));
        s.push('\n');
    }
    s
}

/// The flame-dyad walk once rebuilt the id list at every reply of a run
/// (a 20,000-deep chain took 48 s in `report`): the whole chain is one
/// dyad whose ids are listed once.
#[test]
fn a_deep_hostile_chain_is_one_flame_dyad() {
    let depth = 4000;
    let out = run_with_stdin(
        &[
            "-q",
            "report",
            "-",
            "--format",
            "reddit",
            "-o",
            "-",
            "--output-format",
            "json",
        ],
        hostile_chain(depth).as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &j["threads"][0]["flame_dyads"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d[0]["length"].as_u64(), Some(depth as u64));
    let ids = d[0]["ids"].as_array().unwrap();
    assert_eq!(
        (ids.len(), ids[0].as_str(), ids[depth - 1].as_str()),
        (depth, Some("c0"), Some(format!("c{}", depth - 1).as_str()))
    );
}

#[test]
fn train_names_why_the_model_cannot_be_written() {
    let out = run(&[
        "-q",
        "train",
        "--data",
        "tests/fixtures/labeled/train.csv",
        "--tokenizer",
        "models/tokenizer.json",
        "-o",
        "/nonexistent_dir/m.json",
    ]);
    assert_fails_with(
        &out,
        "/nonexistent_dir/m.json: cannot write the model: No such file or directory",
    );
}

/// `out` exited 2 (an error) and its message contains `want`.
fn assert_fails_with(out: &Output, want: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(want), "{err}");
}

/// One out-of-range number in a JSON document rejects its item alone; the
/// document is not re-read as lines (whose `[` and `]` were counted as
/// rejected records).
#[test]
fn a_json_document_with_an_out_of_range_number_loses_only_that_item() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("input.json");
    std::fs::write(
        &p,
        "[\n {\"id\": 100, \"type\": \"story\", \"by\": \"pg\", \"time\": 1, \"title\": \"t\"},\n {\"id\": -1e999, \"type\": \"comment\", \"parent\": 100, \"text\": \"x\"},\n {\"id\": 102, \"type\": \"comment\", \"by\": \"pg\", \"time\": 2, \"parent\": 100, \"text\": \"Yes.\"}\n]\n",
    )
    .unwrap();
    let diag = dir.path().join("d.jsonl");
    let out = run(&[
        "parse",
        p.to_str().unwrap(),
        "--format",
        "hn",
        "--diagnostics",
        diag.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out.stdout).len(), 2);
    let d = lines(&std::fs::read(&diag).unwrap());
    let rejected: Vec<_> = d.iter().filter(|x| x["kind"] == "malformed").collect();
    assert_eq!(rejected.len(), 1, "{d:?}");
    assert_eq!(
        rejected[0]["loc"],
        "input.json:3 (item 2)".replace("input.json", p.to_str().unwrap())
    );
}

/// A WordPress export of `items` posts with two comments each.
fn wxr(items: usize) -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<title>Site</title>\n");
    for i in 0..items {
        s.push_str(&format!(
            "<item>\n<title>Post {i}</title>\n<wp:post_id>{i}</wp:post_id>\n"
        ));
        for c in 0..2 {
            let id = i * 10 + c + 1;
            let parent = if c == 0 { 0 } else { id - 1 };
            s.push_str(&format!(
                "<wp:comment>\n<wp:comment_id>{id}</wp:comment_id>\n<wp:comment_author>a{c}</wp:comment_author>\n<wp:comment_content>comment {id}</wp:comment_content>\n<wp:comment_parent>{parent}</wp:comment_parent>\n</wp:comment>\n"
            ));
        }
        s.push_str("</item>\n");
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

/// Comments output and records rejected by `parse` of a WXR text.
fn wxr_accounting(text: &str) -> (usize, u64, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("site.xml");
    std::fs::write(&p, text).unwrap();
    let d = dir.path().join("d.jsonl");
    let out = run(&[
        "-q",
        "parse",
        p.to_str().unwrap(),
        "--diagnostics",
        d.to_str().unwrap(),
    ]);
    let comments = lines(&out.stdout)
        .iter()
        .filter(|r| r["kind"] == "comment")
        .count();
    let diags = lines(&std::fs::read(&d).unwrap());
    let rejected = diags
        .iter()
        .filter(|d| d["kind"] == "malformed")
        .map(|d| d["records"].as_u64().unwrap())
        .sum();
    (comments, rejected, diags)
}

#[test]
fn a_damaged_wordpress_export_loses_only_the_damaged_item() {
    let good = wxr(3);
    assert_eq!(wxr_accounting(&good).0, 6);
    // One flipped bit in a tag name of the second item: that item (two
    // comments) is rejected, the third is still read.
    let bad = good
        .replacen("</wp:comment_author>", "</wp:commgnt_author>", 3)
        .replacen("</wp:commgnt_author>", "</wp:comment_author>", 2);
    let (out, rejected, diags) = wxr_accounting(&bad);
    assert_eq!((out, rejected), (4, 2), "{diags:?}");
    // Cut short inside the last item, in its second comment: the first
    // comment of that item is read, the one cut off is counted.
    let cut = &good[..good.rfind("<wp:comment_content>comment 22").unwrap()];
    let (out, rejected, diags) = wxr_accounting(cut);
    assert_eq!((out, rejected), (5, 1), "{diags:?}");
    // A comment outside any item is rejected with its line.
    let outside = good.replacen(
        "<item>",
        "<wp:comment><wp:comment_id>99</wp:comment_id></wp:comment>\n<item>",
        1,
    );
    let (out, rejected, diags) = wxr_accounting(&outside);
    assert_eq!((out, rejected), (6, 1), "{diags:?}");
    assert!(diags.iter().any(|d| d["message"]
        .as_str()
        .unwrap()
        .contains("outside any <item>")));
    // A comment still open when the next one starts, nested in well-formed
    // XML (found by the read_wxr fuzz target: it was overwritten, lost
    // without a word): rejected with its line, the rest read.
    let nested = good
        .replacen("</wp:comment>\n<wp:comment>", "\n<wp:comment>", 1)
        .replacen("</item>", "</wp:comment>\n</item>", 1);
    let (out, rejected, diags) = wxr_accounting(&nested);
    assert_eq!((out, rejected), (5, 1), "{diags:?}");
    // Unclosed in XML that breaks at the item's end: the item is skipped
    // with both its comments counted, once.
    let unclosed = good.replacen("</wp:comment>", "", 1);
    let (out, rejected, _) = wxr_accounting(&unclosed);
    assert_eq!((out, rejected), (4, 2));
    // An item that starts inside another (found by the read_wxr fuzz target:
    // the open item and its comments were dropped): the open one is read as
    // far as it goes, its comment still open rejected, the inner one read.
    let inner = good.replacen(
        "<wp:comment_author>a0</wp:comment_author>",
        "<item><title>inner</title><wp:post_id>77</wp:post_id>",
        1,
    );
    let (out, rejected, diags) = wxr_accounting(&inner);
    assert!(out as u64 + rejected >= 6, "{diags:?}");
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("not closed before the next one")),
        "{diags:?}"
    );
    assert!(diags.iter().any(|d| d["message"]
        .as_str()
        .unwrap()
        .contains("not closed before the next one")));
}

/// Ctrl-C while partitions are written or read back: the handler removes
/// them under the reader's feet, and the reader's error must not win the
/// race for the exit code (it did about one time in five: exit 2).
#[cfg(unix)]
#[test]
fn an_interrupted_partitioned_parse_exits_130_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    // ~12 MB of interleaved threads.
    let mut s = String::new();
    for i in 0..60_000 {
        let t = i % 500;
        s.push_str(&format!(
            "{{\"id\":\"c{i}\",\"link_id\":\"t3_{t}\",\"parent_id\":\"t3_{t}\",\"body\":\"{}\"}}\n",
            "words ".repeat(30)
        ));
    }
    std::fs::write(&input, s).unwrap();
    for delay_ms in [40, 80, 120, 160, 200, 240, 280, 320] {
        let tmp = dir.path().join(format!("tmp{delay_ms}"));
        std::fs::create_dir(&tmp).unwrap();
        let out = dir.path().join(format!("out{delay_ms}.jsonl"));
        let child = bin()
            .args([
                "parse",
                input.to_str().unwrap(),
                "-q",
                "--partition-mb",
                "1",
                "-o",
                out.to_str().unwrap(),
            ])
            .env("TMPDIR", &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // (The run may have finished already: then kill fails, and that is fine.)
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let done = child.wait_with_output().unwrap();
        let code = done.status.code();
        // 0 if it finished before the signal, else 130; an output under
        // its name is always whole (the signal may land after the rename).
        assert!(
            matches!(code, Some(0 | 130)),
            "{delay_ms} ms: {code:?} {}",
            String::from_utf8_lossy(&done.stderr)
        );
        if code == Some(0) || out.exists() {
            let rows = std::fs::read_to_string(&out).unwrap().lines().count();
            assert_eq!(rows, 60_000 + 500, "{delay_ms} ms: a whole output");
        }
        // (Temporary files: see an_interrupted_run_leaves_no_temporary_files.
        // Here a partition folder made in the instant the handler exits can
        // still be left behind; not asserted.)
    }
}

/// The report's queue and thread tables carry a column per attribute head,
/// and `--queue-sort` orders the queue by one of them.
#[test]
fn report_has_attribute_columns_and_sorts_the_queue_by_any() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let csv = dir.path().join("q.csv");
    let md = dir.path().join("r.md");
    let html = dir.path().join("r.html");
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
    let report = |out: &std::path::Path, extra: &[&str]| {
        run_plus(
            &["-q", "report", sample, "-o", out.to_str().unwrap()],
            extra,
        )
    };
    for (out, sort) in [(&json, "insult"), (&md, "insult"), (&html, "profanity")] {
        let o = report(
            out,
            &["--queue-sort", sort, "--queue-csv", csv.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        r["attributes"],
        serde_json::json!(["insult", "identity_attack", "profanity"])
    );
    assert_eq!(r["queue_sort"], "insult");
    let queue = r["queue"].as_array().unwrap();
    assert!(queue.len() >= 2, "the sample has flagged comments");
    let insult: Vec<f64> = queue
        .iter()
        .map(|q| q["attributes"]["insult"].as_f64().unwrap())
        .collect();
    assert!(insult.windows(2).all(|w| w[0] >= w[1]), "{insult:?}");
    let threads = r["threads"].as_array().unwrap();
    assert!(threads.iter().all(|t| t["attributes"]["insult"].is_u64()));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("by insult"));
    assert!(
        md.contains("| # | P(uncivil) | P(insult) | P(identity_attack) | P(profanity) | thread |")
    );
    assert!(md.contains("insult ≥ .5"));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("<th class=\"p\">P(profanity)</th>") && html.contains("by profanity"));
    assert!(
        html.contains("Outlined here: P(profanity) at or over"),
        "the trees say what is outlined"
    );
    // The queue CSV (written last, by profanity): a column per head.
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.starts_with("rank,incivility,insult,identity_attack,profanity,thread,id,"));
    let cols = csv.lines().next().unwrap().split(',').count();
    let mut rows = ::csv::Reader::from_reader(csv.as_bytes());
    assert!(rows.records().all(|r| r.unwrap().len() == cols));
    // The queue by identity_attack holds what that head flags at its own
    // threshold (not the incivility flag): every comment `score` rates at or
    // over it, and no other.
    let o = report(&json, &["--queue-sort", "identity_attack"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let head: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/identity_attack.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let t = r["queue_threshold"].as_f64().unwrap();
    assert_eq!(t, head["threshold"].as_f64().unwrap());
    assert_ne!(t, r["threshold"].as_f64().unwrap());
    let scored = run(&["-q", "score", sample, "--explain", "none"]);
    let over = String::from_utf8_lossy(&scored.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "comment")
        .filter(|v| v["attributes"]["identity_attack"].as_f64().unwrap() >= t)
        .count();
    assert!(over > 0, "the sample has comments the head flags");
    assert_eq!(r["queue_total"].as_u64().unwrap() as usize, over);
    assert!(r["queue"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["attributes"]["identity_attack"].as_f64().unwrap() >= t));
    // An unknown head is an error naming the choices; without heads no columns.
    let o = report(&json, &["--queue-sort", "threat"]);
    assert_fails_with(&o, "incivility, insult, identity_attack, profanity");
    let o = report(&json, &["--no-attributes"]);
    assert!(o.status.success());
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(r.get("attributes").is_none() && r["queue"][0].get("attributes").is_none());
}

#[test]
fn html_report_opens_on_the_summary_and_links_queue_rows_to_their_comments() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = run(&["-q", "report", "data/sample", "-o", html.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h = std::fs::read_to_string(&html).unwrap();
    // Summary in words first, then the queue, the threads, the trees, the
    // charts and the corpus statistics.
    let at = |s: &str| h.find(s).unwrap_or_else(|| panic!("{s} missing"));
    let order = [
        "id=\"summary\"",
        "id=\"queue\"",
        "id=\"threads\"",
        "id=\"trees\"",
        "id=\"charts\"",
        "id=\"corpus\"",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(h.contains("2 comments need review"), "the lead sentence");
    assert!(h.contains("Open these threads first"));
    // Each queue row leads to its comment in a tree, and the comment back.
    let rows: Vec<&str> = h.split("<tr id=\"q").skip(1).collect();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let rank = &row[..row.find('"').unwrap()];
        let go = row
            .split("data-go=\"")
            .nth(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .unwrap_or_else(|| panic!("queue row {rank} has no link"));
        let node = h
            .find(&format!("id=\"{go}\""))
            .unwrap_or_else(|| panic!("no comment {go}"));
        let tail = &h[h[..node].rfind("<div").unwrap()..];
        let end = tail.find("</div><").unwrap() + 6;
        let node_html = &tail[..tail[end..].find("</div>").unwrap() + end];
        assert!(
            node_html.contains(&format!("href=\"#q{rank}\"")),
            "{node_html}"
        );
        assert!(
            node_html.contains("flag"),
            "flagged comment outlined: {node_html}"
        );
    }
    // Trees are collapsed; the branches toward a flagged comment open.
    assert!(!h.contains("<details class=\"thread\" id=\"t0\" open"));
    assert!(h.contains("<details open><summary>"));
    // The words behind a score are marked and reasons read as words.
    assert!(h.contains("<mark>idiot"), "highlight");
    assert!(h.contains("“idiot”"));
    // Charts have axes titles and the threshold marked.
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read("models/incivility.json").unwrap()).unwrap();
    let thr = format!("threshold {:.2}", model["threshold"].as_f64().unwrap());
    assert!(h.contains("class=\"thr\"") && h.contains(&thr), "{thr}");
    assert!(h.contains(">reply depth (1 = reply to the post)<"));
    // Filters and one self-contained file.
    assert!(h.contains("<form id=\"filters\""));
    assert!(
        !h.contains("http://") && !h.contains("https://"),
        "no network"
    );
}

#[test]
fn progress_counts_records_scored_of_a_known_total_with_an_eta() {
    // On a terminal (util-linux `script` gives the command one): interleaved
    // threads are read whole, then the bar counts records scored of the
    // total read, with an ETA, instead of sitting at 100% of the bytes.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("inter.jsonl");
    let mut body = String::new();
    for i in 0..20_000 {
        let t = (i * 7919) % 400;
        body.push_str(&format!(
            "{{\"id\":\"c{i}\",\"parent_id\":\"t3_s{t}\",\"link_id\":\"t3_s{t}\",\"body\":\"a comment of some length about the council budget, number {i}\"}}\n"
        ));
    }
    std::fs::write(&dump, body).unwrap();
    let typescript = dir.path().join("typescript");
    let cmd = format!(
        "{} score {} -o {}",
        env!("CARGO_BIN_EXE_threadlens"),
        dump.display(),
        dir.path().join("out.jsonl").display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, typescript.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .expect("util-linux script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let screen = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).to_string();
    assert!(screen.contains("/20,000 records (ETA"), "{screen}");
    assert!(screen.contains("scoring ("), "{screen}");
}

#[test]
fn merged_partial_reports_equal_the_whole_report_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An interleaved dump of 60 threads; each record also carries its true
    // origin, as the Spark job sets it, so the parts' queue sources match.
    let whole = d.join("whole.jsonl");
    let whole_name = whole.to_str().unwrap().to_string();
    let words = [
        "you idiot",
        "thanks, good point",
        "what a moron",
        "I disagree, see the report",
        "why?",
        "shut up",
    ];
    let mut all = String::new();
    let mut seed = 7u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for t in 0..60 {
        all.push_str(&format!("{{\"id\":\"s{t}\",\"title\":\"Thread {t}\",\"selftext\":\"\",\"subreddit\":\"x\",\"author\":\"op{t}\",\"created_utc\":{t}}}\n"));
    }
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); 60];
    for i in 0..700 {
        let t = next() % 60;
        // Replies nest: half of them answer an earlier comment of the thread.
        let parent = match kids[t].len() {
            0 => format!("t3_s{t}"),
            n if next() % 2 == 0 => format!("t1_c{}", kids[t][next() % n]),
            _ => format!("t3_s{t}"),
        };
        kids[t].push(i);
        all.push_str(&format!(
            "{{\"id\":\"c{i}\",\"parent_id\":\"{parent}\",\"link_id\":\"t3_s{t}\",\"body\":\"{} {i}\",\"author\":\"u{}\",\"created_utc\":{}}}\n",
            words[next() % words.len()],
            next() % 40,
            100 + i
        ));
    }
    std::fs::write(&whole, &all).unwrap();
    let threads_of: Vec<usize> = all
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let t = v.get("link_id").map_or_else(
                || v["id"].as_str().unwrap().to_string(),
                |l| l.as_str().unwrap()[3..].to_string(),
            );
            t[1..].parse().unwrap()
        })
        .collect();
    // As reported, and with the thread list and queue cut (bounded): the
    // corpus numbers still cover every thread.
    let cut: &[&str] = &["--json-threads", "5", "--threads", "3", "--queue", "7"];
    for (v, extra) in [&[][..], cut].into_iter().enumerate() {
        let mut want = Vec::new();
        for ext in ["json", "html", "md"] {
            let out = d.join(format!("whole{v}.{ext}"));
            let mut args = vec!["-q", "report", &whole_name, "-o", out.to_str().unwrap()];
            args.extend(extra);
            let o = run(&args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            want.push((ext, std::fs::read(&out).unwrap()));
        }
        for k in [1usize, 2, 7] {
            // A random split by thread: thread t goes to part perm(t) mod k.
            let salt = next();
            let part_of = |t: usize| (t.wrapping_mul(2654435761) ^ salt) % k;
            let mut parts = vec![String::new(); k];
            for (i, (l, &t)) in all.lines().zip(&threads_of).enumerate() {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["threadlens_source"] = format!("{whole_name}:{}", i + 1).into();
                parts[part_of(t)].push_str(&v.to_string());
                parts[part_of(t)].push('\n');
            }
            let mut partials = Vec::new();
            for (j, p) in parts.iter().enumerate() {
                let f = d.join(format!("k{k}-{j}.jsonl"));
                std::fs::write(&f, p).unwrap();
                let pf = d.join(format!("k{k}-{j}-{v}.partial.json"));
                if p.is_empty() {
                    continue;
                }
                let args = ["-q", "report", f.to_str().unwrap(), "--partial"];
                let o = run_plus(&args, &[&[pf.to_str().unwrap()], extra].concat());
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                partials.push(pf.to_str().unwrap().to_string());
            }
            // Any order of the parts.
            partials.reverse();
            for (ext, bytes) in &want {
                let out = d.join(format!("merged-{k}-{v}.{ext}"));
                let mut args = vec!["-q", "merge"];
                args.extend(partials.iter().map(String::as_str));
                args.extend(["-o", out.to_str().unwrap()]);
                let o = run(&args);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                assert!(
                    std::fs::read(&out).unwrap() == *bytes,
                    "{k} parts, {ext}, {extra:?}: differs from the whole report"
                );
            }
        }
    }
    let full: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("whole0.json")).unwrap()).unwrap();
    let cut: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("whole1.json")).unwrap()).unwrap();
    assert_eq!(full["threads"].as_array().unwrap().len(), 60);
    assert_eq!(cut["threads"].as_array().unwrap().len(), 5);
    assert_eq!(
        cut["threads"].as_array().unwrap()[..],
        full["threads"].as_array().unwrap()[..5]
    );
    assert_eq!(cut["queue"].as_array().unwrap().len(), 7);
    assert_eq!(cut["corpus"], full["corpus"]);
    assert_eq!(cut["corpus"]["threads"], 60);
    // The Poisson bootstrap's interval brackets the estimate.
    let m = &full["corpus"]["incivility_mean"];
    let (lo, val, hi) = (m["low"].as_f64(), m["value"].as_f64(), m["high"].as_f64());
    assert!(lo < val && val < hi, "{m}");
    // Rows keep their true origin: scoring the one-part copy (every record
    // carrying `threadlens_source`) gives the whole dump's rows, `source` too.
    let one = d.join("k1-0.jsonl");
    let got = lines(&run(&["-q", "score", one.to_str().unwrap()]).stdout);
    let want_rows = lines(&run(&["-q", "score", &whole_name]).stdout);
    assert_eq!(got, want_rows);
    assert!(got[0]["source"].as_str().unwrap().starts_with(&whole_name));
    // Parts made with other options do not merge.
    let a = d.join("a.partial.json");
    let b = d.join("b.partial.json");
    assert!(run(&[
        "-q",
        "report",
        &whole_name,
        "--partial",
        a.to_str().unwrap()
    ])
    .status
    .success());
    assert!(run(&[
        "-q",
        "report",
        &whole_name,
        "--threshold",
        "0.9",
        "--partial",
        b.to_str().unwrap()
    ])
    .status
    .success());
    let o = run(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        d.join("x.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("different options"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Not a partial: a clear error naming the file.
    let o = run(&[
        "merge",
        whole_name.as_str(),
        "-o",
        d.join("x.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a partial report"));
}

#[test]
fn score_rows_explain_each_attribute_head_as_incivility() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "id,text\n1,\"You are an idiot, shut up you moron\"\n2,\"Fair point, thanks\"\n",
    )
    .unwrap();
    let rows = |explain: &str| {
        lines(&run(&["-q", "score", csv.to_str().unwrap(), "--explain", explain]).stdout)
    };
    let flagged = rows("flagged");
    let insult = &flagged[0]["attribute_reasons"]["insult"];
    assert!(flagged[0]["attributes"]["insult"].as_f64().unwrap() >= 0.5);
    let reasons = insult.as_array().expect("insult explained");
    assert!(reasons[0]["weight"].as_f64().unwrap() > 0.0, "{insult}");
    // The insult words among the strongest (beside the text's embedding).
    assert!(
        reasons.iter().take(3).any(|r| {
            let f = r["feature"].as_str().unwrap();
            f.contains("idiot") || f.contains("moron")
        }),
        "{insult}"
    );
    // Heads under 0.5 are not explained by default; a civil comment has none.
    for (name, p) in flagged[0]["attributes"].as_object().unwrap() {
        let explained = flagged[0]["attribute_reasons"].get(name).is_some();
        assert_eq!(explained, p.as_f64().unwrap() >= 0.5, "{name}");
    }
    assert!(flagged[1].get("attribute_reasons").is_none());
    // --explain all: every head of every comment; none: no reasons at all.
    let all = rows("all");
    assert_eq!(all[1]["attribute_reasons"].as_object().unwrap().len(), 3);
    assert!(rows("none")
        .iter()
        .all(|r| r.get("attribute_reasons").is_none()));
}

/// Stance eval on data with source posts (rows without a parent, as the
/// official RumourEval test set has): sources are decided by the source
/// rule (`query` when they ask, else `agree`), and the metrics of the
/// replies alone are reported beside those of all rows.
#[test]
fn stance_eval_decides_source_posts_by_the_rule_and_reports_replies_alone() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("official.csv");
    std::fs::write(
        &csv,
        "id,text,parent_text,label\n\
         s1,Breaking: the bridge on Main Street has collapsed,,agree\n\
         s2,Did the bridge on Main Street really collapse?,,query\n\
         s3,Police say the stadium was evacuated,,agree\n\
         r1,Is there a source for this?,Breaking: the bridge on Main Street has collapsed,query\n\
         r2,\"No, that is false, it was a drill\",Police say the stadium was evacuated,disagree\n",
    )
    .unwrap();
    let eval = |data: &std::path::Path| -> serde_json::Value {
        let o = run(&[
            "-q",
            "eval",
            "-m",
            "models/stance.json",
            "--data",
            data.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = eval(&csv);
    assert_eq!(v["n"], 5);
    assert_eq!(v["source_posts"], 3);
    assert_eq!(v["replies_only"]["n"], 2);
    // The sources' confusion is all rows' less the replies': the three
    // sources (two asserting, one asking) are all decided right.
    let diag = |cm: &serde_json::Value| -> u64 { (0..4).map(|c| cm[c][c].as_u64().unwrap()).sum() };
    assert_eq!(
        diag(&v["confusion"]) - diag(&v["replies_only"]["confusion"]),
        3
    );
    // Without sources, no replies_only block.
    let replies = dir.path().join("replies.csv");
    std::fs::write(
        &replies,
        "id,text,parent_text,label\nr1,Is there a source for this?,The bridge collapsed,query\n",
    )
    .unwrap();
    let v = eval(&replies);
    assert!(v.get("replies_only").is_none() && v.get("source_posts").is_none());
}

/// A root that opens a conversation gets its stance toward what it asserts
/// (`query` when its first line asks, else `agree`; no probabilities); a
/// lone text does not, and the report keeps roots without a stance.
#[test]
fn source_posts_get_a_stance_toward_what_they_assert() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("d.jsonl");
    std::fs::write(
        &dump,
        concat!(
            "{\"id\":\"a\",\"title\":\"Is the bridge on Main Street closed?\",\"selftext\":\"Saw police there.\",\"subreddit\":\"x\",\"author\":\"op\",\"created_utc\":1}\n",
            "{\"id\":\"c1\",\"parent_id\":\"t3_a\",\"link_id\":\"t3_a\",\"body\":\"Yes, since Monday\",\"author\":\"u1\",\"created_utc\":2}\n",
            "{\"id\":\"b\",\"title\":\"The bridge on Main Street is closed\",\"selftext\":\"Is it for long?\",\"subreddit\":\"x\",\"author\":\"op\",\"created_utc\":3}\n",
            "{\"id\":\"c2\",\"parent_id\":\"t3_b\",\"link_id\":\"t3_b\",\"body\":\"No, it reopened today\",\"author\":\"u2\",\"created_utc\":4}\n",
            "{\"id\":\"c\",\"title\":\"Nobody answers this one\",\"selftext\":\"\",\"subreddit\":\"x\",\"author\":\"op\",\"created_utc\":5}\n",
        ),
    )
    .unwrap();
    let rows = lines(&run(&["-q", "score", dump.to_str().unwrap()]).stdout);
    let root = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(root("a")["stance_label"], "query");
    // The first line asserts (the question below it does not count).
    assert_eq!(root("b")["stance_label"], "agree");
    for id in ["a", "b"] {
        assert!(root(id).get("stance").is_none(), "a rule: no probabilities");
    }
    assert!(
        root("c").get("stance_label").is_none(),
        "no replies: no stance"
    );
    assert!(root("c1").get("stance").is_some());
    let out = dir.path().join("r.json");
    report_to(&dump, &out);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mix: u64 = r["corpus"]["stance_mix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(mix, 2, "the stance mix counts the two replies only");
    // In the HTML trees, replies carry their stance and roots none.
    let html = dir.path().join("r.html");
    report_to(&dump, &html);
    let html = std::fs::read_to_string(&html).unwrap();
    let after = |suffix: &str| -> Vec<String> {
        html.match_indices(suffix)
            .map(|(i, _)| html[i + suffix.len()..].chars().take(20).collect())
            .collect()
    };
    let roots = after("-0\">");
    assert!(roots.len() >= 2, "{roots:?}");
    assert!(
        roots.iter().all(|s| !s.starts_with("<span class=\"edge")),
        "{roots:?}"
    );
    assert!(after("-1\">")
        .iter()
        .any(|s| s.starts_with("<span class=\"edge")));
}

#[test]
fn a_model_trained_with_embeddings_carries_them_to_its_heads_and_refuses_a_foreign_table() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("emb.json");
    let m = model.to_str().unwrap();
    let train = fixture_train();
    let out = run_ok(
        &[
            &train[..],
            &["--embeddings", "models/embeddings.json", "-o", m],
        ]
        .concat(),
    );
    let summary = &lines(&out.stdout)[0];
    assert!(summary["heldout"]["metrics"]["roc_auc"].as_f64().unwrap() > 0.95);
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    let table: serde_json::Value =
        serde_json::from_slice(&std::fs::read("models/embeddings.json").unwrap()).unwrap();
    assert_eq!(j["version"], 4);
    assert_eq!(j["embedding"]["dim"], table["dim"]);
    assert_eq!(j["embedding"]["data"], table["data"]);
    assert_eq!(
        j["training"]["params"]["embeddings"]["dim"], table["dim"],
        "{}",
        j["training"]["params"]
    );
    let head = j["experts"][0]["head"]["features"].as_array().unwrap();
    assert_eq!(
        head.last().unwrap(),
        &format!("emb{}", table["dim"].as_u64().unwrap() - 1)
    );
    // A head on its columns takes its table; --embeddings beside
    // --vocab-of is refused (the base's featurizer is the head's).
    let insult = dir.path().join("insult.json");
    let on_base = head_on(m, insult.to_str().unwrap());
    assert_eq!(
        run_plus(&on_base, &["--embeddings", "models/embeddings.json"])
            .status
            .code(),
        Some(2)
    );
    run_ok(&on_base);
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&insult).unwrap()).unwrap();
    assert_eq!(h["embedding"], j["embedding"]);
    // Or leaves it out (--no-embeddings, only beside --vocab-of).
    let plain = dir.path().join("plain.json");
    run_ok(
        &[
            &head_on(m, plain.to_str().unwrap())[..],
            &["--no-embeddings"],
        ]
        .concat(),
    );
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert!(p.get("embedding").is_none());
    assert_eq!(p["vocab_index"], j["vocab_index"]);
    assert!(!p["experts"][0]["head"]["features"]
        .to_string()
        .contains("emb0"));
    assert_eq!(
        run_plus(&train, &["--no-embeddings", "-o", plain.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    // Both score from a models folder, with the embedding among the reasons.
    let models = models_folder(
        dir.path(),
        &[
            (&model, "incivility"),
            (&insult, "insult"),
            (&plain, "profanity"),
        ],
    );
    let out = run_ok(&[
        "-q",
        "score",
        "data/sample",
        "--no-stance",
        "--explain",
        "all",
        "--models",
        models.to_str().unwrap(),
    ]);
    let rows = lines(&out.stdout);
    let scored: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r.get("incivility").is_some())
        .collect();
    assert!(scored.len() > 10);
    assert!(
        scored
            .iter()
            .all(|r| r["attributes"]["insult"].is_number()
                && r["attributes"]["profanity"].is_number())
    );
    let text = serde_json::to_string(&scored).unwrap();
    assert!(
        text.contains("cue:embedding"),
        "no embedding among the reasons"
    );
    assert!(!text.contains("cue:emb0"));
    // A table made for another tokenizer is refused, naming the table.
    let tok = dir.path().join("tok.json");
    run_ok(&[
        "-q",
        "tokenizer",
        "--vocab-size",
        "300",
        "--data",
        "tests/fixtures/labeled/train.csv",
        "-o",
        tok.to_str().unwrap(),
    ]);
    let other = dir.path().join("other.json");
    let mut foreign = train.clone();
    let at = foreign
        .iter()
        .position(|a| *a == "models/tokenizer.json")
        .unwrap();
    foreign[at] = tok.to_str().unwrap();
    let out = run_plus(
        &foreign,
        &[
            "--embeddings",
            "models/embeddings.json",
            "-o",
            other.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("models/embeddings.json") && err.contains("tokenizer"),
        "{err}"
    );
    assert!(!other.exists());
    // So is a damaged table file.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        &std::fs::read("models/embeddings.json").unwrap()[..500],
    )
    .unwrap();
    let out = run_plus(
        &train,
        &[
            "--embeddings",
            broken.to_str().unwrap(),
            "-o",
            other.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.json"));
}

#[test]
fn a_model_trained_with_the_lexicon_records_it_and_its_heads_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("lex.json");
    let m = model.to_str().unwrap();
    run_ok(&[&fixture_train()[..], &["--lexicon", "-o", m]].concat());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], 5);
    assert!(j["lexicon"]["source"]
        .as_str()
        .unwrap()
        .contains("rustrict"));
    assert!(j["lexicon"]["sha256"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    let head = j["experts"][0]["head"]["features"].to_string();
    assert!(head.contains("lex_mean") && head.contains("lex_offensive_share"));
    // A head on its columns keeps the lexicon; --no-lexicon leaves it out.
    let on_base = |out: &Path, extra: &[&str]| {
        run_ok(&[&head_on(m, out.to_str().unwrap())[..], extra].concat());
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
        v
    };
    let insult = on_base(&dir.path().join("insult.json"), &[]);
    assert_eq!(insult["lexicon"], j["lexicon"]);
    let plain = on_base(&dir.path().join("plain.json"), &["--no-lexicon"]);
    assert!(plain.get("lexicon").is_none());
    assert!(!plain["experts"][0]["head"]["features"]
        .to_string()
        .contains("lex_"));
    let out = run_plus(&fixture_train(), &["--lexicon", "--no-lexicon", "-o", m]);
    assert_eq!(out.status.code(), Some(2));
    // It scores, with the list's inputs among the reasons, and `models`
    // says which models read it.
    let models = models_folder(
        dir.path(),
        &[
            (&model, "incivility"),
            (&dir.path().join("insult.json"), "insult"),
        ],
    );
    let input = dir.path().join("c.csv");
    std::fs::write(
        &input,
        "id,thread_id,parent_id,text\n1,A,,What a stupid article\n2,A,1,you are a moron and a dipshit\n3,A,1,Thanks for the link\n",
    )
    .unwrap();
    let out = run_ok(&[
        "-q",
        "score",
        input.to_str().unwrap(),
        "--no-stance",
        "--explain",
        "all",
        "--models",
        models.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cue:lex_"), "{text}");
    let v = models_listed(&models);
    let lex: Vec<bool> = v
        .iter()
        .filter(|r| r["origin"] != "built-in")
        .map(|r| r["lexicon"].is_object())
        .collect();
    assert_eq!(lex, [true, true], "{v:?}");
}

#[test]
fn a_model_trained_with_spelling_folds_reads_spaced_and_misspelled_words_as_written_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("fold.json");
    let m = model.to_str().unwrap();
    run_ok(&[&fixture_train()[..], &["--fold-spelling", "-o", m]].concat());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], 7);
    assert!(
        j["featurizer"]["normalize"]["fold_spelling"].is_u64(),
        "{}",
        j["featurizer"]
    );
    // A head on its columns keeps the folds; they cannot be set beside
    // --vocab-of (the featurizer is the base model's).
    let head = dir.path().join("head.json");
    run_ok(&head_on(m, head.to_str().unwrap()));
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&head).unwrap()).unwrap();
    assert_eq!(h["featurizer"], j["featurizer"]);
    let out = run_plus(&head_on(m, head.to_str().unwrap()), &["--fold-spelling"]);
    assert_eq!(out.status.code(), Some(2));
    // Spaced-out letters and a misspelled group name score as the plain
    // words; without the folds (the fixture model) they do not.
    let plain = dir.path().join("plain.json");
    run_ok(&[&fixture_train()[..], &["-o", plain.to_str().unwrap()]].concat());
    let input = dir.path().join("c.csv");
    std::fs::write(
        &input,
        "id,text\n1,you are an idiot and i hate muslims\n2,you are an i d i o t and i hate muslms\n3,you are an i.d.i.o.t and i hate mslims\n",
    )
    .unwrap();
    let scores = |model: &str| -> Vec<f64> {
        let out = run_ok(&[
            "-q",
            "score",
            input.to_str().unwrap(),
            "--no-stance",
            "--incivility-model",
            model,
        ]);
        lines(&out.stdout)
            .iter()
            .map(|r| r["incivility"].as_f64().unwrap())
            .collect()
    };
    // Rows 2 and 3 are the same length: with the folds, the same text to
    // the n-grams and lexicons; row 1 differs only in its length cue.
    let folded = scores(m);
    assert_eq!(folded[1], folded[2]);
    assert!((folded[0] - folded[1]).abs() < 0.02, "{folded:?}");
    let unfolded = scores(plain.to_str().unwrap());
    assert_ne!(unfolded[1], unfolded[2]);
    // `models` says which models fold, with the lists' fingerprint; the
    // built-in incivility model does.
    let models = models_folder(dir.path(), &[(&plain, "incivility"), (&model, "insult")]);
    let v = models_listed(&models);
    let folds =
        |origin_builtin: bool, name: &str| listed_field(&v, origin_builtin, name, "fold_spelling");
    let fp = format!(
        "{:08x}",
        j["featurizer"]["normalize"]["fold_spelling"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(folds(false, "insult"), fp.as_str());
    assert!(folds(false, "incivility").is_null());
    assert_eq!(folds(true, "incivility"), fp.as_str());
    let text = String::from_utf8(run_ok(&["models", "--models", models.to_str().unwrap()]).stdout)
        .unwrap();
    assert!(text.contains(&format!("(word lists {fp})")), "{text}");
}

#[test]
fn a_model_trained_with_the_group_word_records_it_and_explains_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("groups.json");
    let m = model.to_str().unwrap();
    // The word's list is the spelling folds': it is refused without them.
    let out = run_plus(&fixture_train(), &["--group-word", "-o", m]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!model.exists());
    run_ok(
        &[
            &fixture_train()[..],
            &["--fold-spelling", "--group-word", "-o", m],
        ]
        .concat(),
    );
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], 11);
    assert_eq!(j["featurizer"]["normalize"]["group_word"], true);
    let head = dir.path().join("head.json");
    run_ok(&head_on(m, head.to_str().unwrap()));
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&head).unwrap()).unwrap();
    assert_eq!(h["featurizer"], j["featurizer"]);
    assert_eq!(
        run_plus(&head_on(m, head.to_str().unwrap()), &["--group-word"])
            .status
            .code(),
        Some(2)
    );
    // The shared word's features are explained as `[group]`, never as the
    // word the text is read with; a model without it has none.
    let plain = dir.path().join("plain.json");
    run_ok(
        &[
            &fixture_train()[..],
            &["--fold-spelling", "-o", plain.to_str().unwrap()],
        ]
        .concat(),
    );
    let texts = ["i hate muslims and they are idiots", "you are an idiot"];
    let reasons = |model: &str| all_reasons(dir.path(), model, &texts);
    let with = reasons(m);
    let group: Vec<&String> = with[0].iter().filter(|f| f.contains("[group]")).collect();
    assert!(group.iter().any(|f| *f == "word:[group]"), "{with:?}");
    assert!(
        !with.concat().iter().any(|f| f.contains("folk")),
        "{with:?}"
    );
    assert!(!with[1].iter().any(|f| f.contains("[group]")), "{with:?}");
    let without = reasons(plain.to_str().unwrap());
    assert!(!without
        .concat()
        .iter()
        .any(|f| f.contains("[group]") || f.contains("folk")));
    // `models` says which model has it.
    let models = models_folder(dir.path(), &[(&plain, "incivility"), (&model, "insult")]);
    let v = models_listed(&models);
    let of = |builtin: bool, name: &str| listed_field(&v, builtin, name, "group_word");
    assert_eq!(of(false, "insult"), true);
    assert_eq!(of(false, "incivility"), false);
    // The built-in models have it (model card, "The shared group word").
    assert_eq!(of(true, "incivility"), true);
    let text = String::from_utf8(run_ok(&["models", "--models", models.to_str().unwrap()]).stdout)
        .unwrap();
    assert!(text.contains("groups: every group name (muslims, women, gay ...) also read as one shared word, [group] in explanations"), "{text}");
}

#[test]
fn a_model_trained_with_a_cue_window_records_it_and_its_heads_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("cw.json");
    let m = model.to_str().unwrap();
    let args = ["--lexicon", "--sentiment", "--cue-window", "12", "-o", m];
    run_ok(&[&fixture_train()[..], &args].concat());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], 8);
    assert_eq!(j["featurizer"]["cue_window"], 12);
    // A head on its columns keeps the window; it cannot be set beside
    // --vocab-of, and 0 is refused.
    let head = dir.path().join("insult.json");
    run_ok(&head_on(m, head.to_str().unwrap()));
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&head).unwrap()).unwrap();
    assert_eq!(h["featurizer"], j["featurizer"]);
    let out = run_plus(&head_on(m, head.to_str().unwrap()), &["--cue-window", "20"]);
    assert_eq!(out.status.code(), Some(2));
    let zero = dir.path().join("zero.json");
    let out = run_plus(
        &fixture_train(),
        &["--cue-window", "0", "-o", zero.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let plain = dir.path().join("plain.json");
    let pargs = ["--lexicon", "--sentiment", "-o", plain.to_str().unwrap()];
    run_ok(&[&fixture_train()[..], &pargs].concat());
    // `models` lists the window.
    let models = models_folder(dir.path(), &[(&plain, "incivility"), (&head, "insult")]);
    let v = models_listed(&models);
    let window = |name: &str| {
        v.iter()
            .find(|r| r["origin"] != "built-in" && r["name"] == name)
            .map(|r| r["cue_window"].clone())
            .unwrap()
    };
    assert_eq!(window("insult"), 12);
    assert!(window("incivility").is_null());
    let text = String::from_utf8(run_ok(&["models", "--models", models.to_str().unwrap()]).stdout)
        .unwrap();
    assert!(text.contains("read per window of 12"), "{text}");
}

/// Train a model with `--sentiment` and `flag` (a featurizer setting that
/// the file records as `field`, from format `version`) in `dir`, and check
/// what such a setting must do: recorded, kept by a head on the model's
/// columns and refused beside `--vocab-of`, and listed by `models` in JSON
/// and in words (`listed`). Returns the model's path.
fn sentiment_setting_recorded_and_kept(
    dir: &Path,
    flag: &str,
    field: &str,
    version: u64,
    listed: &str,
) -> PathBuf {
    let model = dir.join(format!("{field}.json"));
    let m = model.to_str().unwrap();
    let args = ["--sentiment", flag, "-o", m];
    run_ok(&[&fixture_train()[..], &args].concat());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], version);
    assert_eq!(j["featurizer"][field], true);
    // A head on its columns keeps it and cannot set it beside --vocab-of.
    let head = dir.join("insult.json");
    run_ok(&head_on(m, head.to_str().unwrap()));
    let h: serde_json::Value = serde_json::from_slice(&std::fs::read(&head).unwrap()).unwrap();
    assert_eq!(h["featurizer"], j["featurizer"]);
    let out = run_plus(&head_on(m, head.to_str().unwrap()), &[flag]);
    assert_eq!(out.status.code(), Some(2));
    // `models` lists it, in JSON and in words.
    let models = models_folder(dir, &[(&model, "incivility")]);
    let v = models_listed(&models);
    let mine = v
        .iter()
        .find(|r| r["origin"] != "built-in" && r["name"] == "incivility")
        .unwrap();
    assert_eq!(mine[field], true);
    let text = String::from_utf8(run_ok(&["models", "--models", models.to_str().unwrap()]).stdout)
        .unwrap();
    assert!(text.contains(listed), "{text}");
    model
}

/// `score --explain all --top-features 40` of `texts` (one CSV row each)
/// with the incivility model `m` alone: each row's reason features.
fn all_reasons(dir: &Path, m: &str, texts: &[&str]) -> Vec<Vec<String>> {
    let csv = dir.join("texts.csv");
    let body: String = texts
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{},{t}\n", i + 1))
        .collect();
    std::fs::write(&csv, format!("id,text\n{body}")).unwrap();
    let out = run_ok(&[
        "score",
        csv.to_str().unwrap(),
        "--incivility-model",
        m,
        "--no-stance",
        "--explain",
        "all",
        "--top-features",
        "40",
        "-o",
        "-",
    ]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["feature"].as_str().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn a_model_trained_with_sentiment_positive_records_it_and_its_heads_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = sentiment_setting_recorded_and_kept(
        dir.path(),
        "--sentiment-positive",
        "sentiment_positive",
        10,
        "the positive side too",
    );
    // Scored, the positive inputs name the most positive word.
    let reasons = all_reasons(
        dir.path(),
        model.to_str().unwrap(),
        &["i love you", "i see you"],
    );
    assert!(
        reasons[0]
            .iter()
            .any(|f| f.starts_with("cue:sent_positive") && f.ends_with(":love")),
        "{:?}",
        reasons[0]
    );
    assert!(
        reasons[1].iter().all(|f| !f.contains(":love")),
        "{:?}",
        reasons[1]
    );
}

#[test]
fn a_model_trained_with_sentiment_negation_records_it_and_its_heads_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = sentiment_setting_recorded_and_kept(
        dir.path(),
        "--sentiment-negation",
        "sentiment_negation",
        9,
        "after a negation",
    );
    let m = model.to_str().unwrap();
    // Scored, a negated hostile word is no longer a negative word: the
    // reasons name none for it, and name the word when it stands alone.
    let reasons = all_reasons(dir.path(), m, &["i do not hate you", "i hate you"]);
    let sent = |r: &[String]| -> Vec<String> {
        r.iter()
            .filter(|f| f.starts_with("cue:sent_negative"))
            .cloned()
            .collect()
    };
    assert!(
        sent(&reasons[0]).iter().all(|f| !f.ends_with(":hate")),
        "{:?}",
        sent(&reasons[0])
    );
    assert!(
        sent(&reasons[1])
            .iter()
            .any(|f| f == "cue:sent_negative:hate"),
        "{:?}",
        sent(&reasons[1])
    );
}

#[test]
fn a_model_trained_with_the_sentiment_lexicon_records_it_and_its_heads_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("sent.json");
    let m = model.to_str().unwrap();
    run_ok(&[&fixture_train()[..], &["--lexicon", "--sentiment", "-o", m]].concat());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(j["version"], 6);
    assert!(j["sentiment"]["source"]
        .as_str()
        .unwrap()
        .contains("vaderSentiment"));
    let head = j["experts"][0]["head"]["features"].to_string();
    assert!(head.contains("lex_mean") && head.contains("sent_negative_share"));
    // A head on its columns keeps it; --no-sentiment leaves it out.
    let insult = dir.path().join("insult.json");
    run_ok(&head_on(m, insult.to_str().unwrap()));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&insult).unwrap()).unwrap();
    assert_eq!(v["sentiment"], j["sentiment"]);
    let plain = dir.path().join("plain.json");
    run_ok(
        &[
            &head_on(m, plain.to_str().unwrap())[..],
            &["--no-sentiment"],
        ]
        .concat(),
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert!(v.get("sentiment").is_none() && v["lexicon"].is_object());
    assert!(!v["experts"][0]["head"]["features"]
        .to_string()
        .contains("sent_"));
    let out = run_plus(
        &fixture_train(),
        &["--sentiment", "--no-sentiment", "-o", m],
    );
    assert_eq!(out.status.code(), Some(2));
    // `models` says which models read it.
    let models = models_folder(dir.path(), &[(&model, "incivility")]);
    let v = models_listed(&models);
    let found = v
        .iter()
        .any(|r| r["sentiment"]["source"] == j["sentiment"]["source"]);
    assert!(found, "{v:?}");
}

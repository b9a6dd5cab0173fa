//! Parse throughput: JSONL read + dialect mapping + tree build, one core.
//!
//! Input is a synthetic Pushshift-style dump (see `examples/gen_dump.rs` for
//! the shape) written once to a temp file. Criterion reports bytes/s.
//! Target (issue #2): >= 100 MB/s.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::process::Command;

use threadlens::diag::Diagnostics;
use threadlens::forest;
use threadlens::ingest::{read_inputs, Input, ReadOptions};

fn bench_parse(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.jsonl");
    let status = Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "--example", "gen_dump", "--"])
        .arg("100e6")
        .arg(&path)
        .status()
        .expect("run gen_dump");
    assert!(status.success());
    let bytes = std::fs::metadata(&path).unwrap().len();
    let inputs = vec![Input::Path(path.clone())];
    let opts = ReadOptions::default();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("reddit_jsonl_100MB_read_and_build", |b| {
        b.iter(|| {
            let mut diags = Diagnostics::new(false);
            let mut recs = Vec::new();
            read_inputs(&inputs, &opts, &mut diags, &mut |r| recs.push(r)).unwrap();
            let f = forest::build(recs, &mut diags).unwrap();
            assert_eq!(diags.rejected(), 0);
            f.stats.comments
        })
    });
    g.bench_function("reddit_jsonl_100MB_read_only", |b| {
        b.iter(|| {
            let mut diags = Diagnostics::new(false);
            let mut n = 0u64;
            read_inputs(&inputs, &opts, &mut diags, &mut |_| n += 1).unwrap();
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);

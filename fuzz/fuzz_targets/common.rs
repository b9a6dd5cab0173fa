//! What every fuzz target checks besides "no panic": the accounting rule
//! that every comment of the input is in the output or counted in a
//! diagnostic, at the reader (per line, per element, per row) and at the
//! tree builder (every record a node or a counted duplicate).

#![allow(dead_code)]

use std::collections::HashSet;

use threadlens::diag::Diagnostics;
use threadlens::forest::{self, Forest, Kind, RawComment};
use threadlens::ingest::{self, Format, Input, ReadOptions};

/// Small caps, so the fuzzer reaches the too-large paths too.
pub const MAX_RECORD: usize = 1 << 12;
pub const MAX_DOCUMENT: usize = 1 << 20;

/// What a reader made of one input.
pub struct Read {
    pub records: Vec<RawComment>,
    pub diags: Diagnostics,
}

/// Read `bytes` as a file named `name` (its extension picks the reader
/// under `Auto`).
pub fn read(name: &str, bytes: &[u8], format: Format) -> Read {
    let input = Input::Memory {
        name: name.into(),
        bytes: bytes.into(),
    };
    let opts = ReadOptions {
        format,
        max_record_bytes: MAX_RECORD,
        max_document_bytes: MAX_DOCUMENT,
        ..Default::default()
    };
    let mut diags = Diagnostics::new(false);
    let mut records = Vec::new();
    let stats = ingest::read_inputs(&[input], &opts, &mut diags, &mut |r| records.push(r))
        .expect("reading from memory in lenient mode does not fail");
    assert_eq!(
        stats.records,
        records.len() as u64,
        "the read count is the records emitted"
    );
    Read { records, diags }
}

/// Lines that a record starts on or a diagnostic names.
pub fn covered_lines(r: &Read) -> HashSet<u64> {
    r.records
        .iter()
        .map(|c| c.source.line)
        .chain(r.diags.items().iter().map(|d| d.loc.line))
        .collect()
}

/// Every line that is not blank is a record or a diagnostic.
pub fn every_line_accounted(bytes: &[u8], r: &Read) {
    let covered = covered_lines(r);
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let no = i as u64 + 1;
        assert!(
            covered.contains(&no),
            "line {no} is neither a record nor a diagnostic: {:?}\ndiagnostics: {:?}",
            String::from_utf8_lossy(line),
            r.diags.items()
        );
    }
}

/// Records plus rejected records.
pub fn accounted(r: &Read) -> u64 {
    r.records.len() as u64 + r.diags.rejected()
}

/// Build the trees; every record is a node (not a made-up placeholder) or
/// a counted duplicate, and the counts agree with the trees.
pub fn build_accounted(r: Read) -> (Forest, Diagnostics) {
    let n = r.records.len() as u64;
    let mut diags = r.diags;
    let f = forest::build(r.records, &mut diags).expect("lenient building does not fail");
    let nodes = f.threads.iter().flat_map(|t| &t.nodes);
    let (mut real, mut made_up) = (0u64, 0u64);
    for node in nodes {
        if node.rec.kind == Kind::Placeholder {
            made_up += 1;
        } else {
            real += 1;
        }
    }
    assert_eq!(real + f.stats.duplicates, n, "every record is a node or a duplicate");
    assert_eq!(made_up, f.stats.placeholders, "placeholders counted");
    assert_eq!(f.threads.len() as u64, f.stats.threads, "threads counted");
    for t in &f.threads {
        // Pre-order: every node's parent comes before it, depths follow.
        for (i, node) in t.nodes.iter().enumerate() {
            match node.parent {
                None => assert_eq!(i, 0, "only the first node is a root"),
                Some(p) => {
                    assert!((p as usize) < i, "parent before child");
                    assert!(node.depth > t.nodes[p as usize].depth, "deeper than its parent");
                }
            }
            assert!(node.end as usize <= t.nodes.len() && node.end as usize > i);
        }
    }
    (f, diags)
}

//! Partitions for inputs whose threads interleave (time-ordered dumps such
//! as Pushshift's monthly files): every record is written to one of `n`
//! temporary files chosen by a hash of its thread id, so each file holds
//! complete threads, and the files are then built and scored one at a time.
//! Memory is bounded by the largest partition instead of the whole dump, at
//! the cost of writing and reading the records once more.
//!
//! [`Partitioner::push`] places records that name their thread (the same
//! rule as [`super::stream`]) and refuses the first that does not. Inputs
//! whose records find their thread through their parent chain (Hacker News
//! items, tweets, records with only a parent id) take a first pass instead:
//! [`ThreadResolver`] keeps each record's id, parent and thread (not its
//! text), resolves every record's thread by the tree builder's own rule, and
//! says which partition each record goes to; a second pass places them with
//! [`Partitioner::push_to`]. A record keeps its
//! source location (`file:line`), so diagnostics and output rows still point
//! into the user's files. Within a partition threads keep their order of
//! first appearance; partitions follow one another, so rows come out thread
//! by thread but not in the dump's thread order.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use compact_str::CompactString;

use super::build::{thread_names, Links};
use super::comment::{Flags, Kind, RawComment};
use super::stream::{thread_key, NotContiguous};
use crate::diag::SourceLoc;

/// What can go wrong while partitioning.
#[derive(Debug, thiserror::Error)]
pub enum SpillError {
    /// A record that names no thread: the input cannot be partitioned.
    #[error(transparent)]
    NoThread(#[from] NotContiguous),
    /// Writing or reading a partition file.
    #[error("partition file {path}: {source}")]
    Io {
        /// The temporary file.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The records changed between the pass that resolved their threads
    /// and the pass that placed them ([`split_resolved`]).
    #[error("the input changed between the pass that found each record's thread and the pass that split them ({then} records then)")]
    Changed {
        /// Records seen by the first pass.
        then: usize,
    },
    /// A partition file that does not read back (changed on disk meanwhile).
    #[error("partition file {path}:{line}: damaged ({msg})")]
    Damaged {
        /// The temporary file.
        path: String,
        /// Line in it.
        line: usize,
        /// Parser message.
        msg: String,
    },
}

/// One record as stored in a partition file (one JSON line).
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    t: Option<Cow<'a, str>>,
    #[serde(borrow)]
    i: Cow<'a, str>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    p: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    a: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<i64>,
    #[serde(borrow)]
    x: Cow<'a, str>,
    k: u8,
    f: u16,
    m: u16,
    /// Index of the source file in [`Partitions::files`].
    s: u32,
    l: u64,
    n: u32,
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Root => 0,
        Kind::Comment => 1,
        Kind::Pingback => 2,
        Kind::Placeholder => 3,
    }
}

fn code_kind(c: u8) -> Option<Kind> {
    Some(match c {
        0 => Kind::Root,
        1 => Kind::Comment,
        2 => Kind::Pingback,
        3 => Kind::Placeholder,
        _ => return None,
    })
}

/// Writes records into partition files.
pub struct Partitioner {
    _cleanup: crate::cleanup::Registered,
    dir: tempfile::TempDir,
    parts: Vec<BufWriter<File>>,
    counts: Vec<u64>,
    text_bytes: Vec<u64>,
    files: Vec<Arc<str>>,
    file_index: HashMap<Arc<str>, u32>,
    line: Vec<u8>,
}

/// The written partitions, ready to be read back one at a time. The
/// temporary directory is removed when this is dropped.
pub struct Partitions {
    _cleanup: crate::cleanup::Registered,
    dir: tempfile::TempDir,
    counts: Vec<u64>,
    text_bytes: Vec<u64>,
    files: Vec<Arc<str>>,
}

/// The partition of a thread, of `n`.
fn part_of(thread: &str, n: usize) -> usize {
    (xxh3_64(thread.as_bytes()) % n.max(1) as u64) as usize
}

/// Hash seed of [`Partitions::split`].
const RESPLIT_SEED: u64 = 0x7468_7265_6164;

/// What the first pass keeps of a record: what thread resolution reads.
struct Skeleton {
    thread: Option<CompactString>,
    hinted: bool,
    id: CompactString,
    parent: Option<CompactString>,
}

impl Skeleton {
    fn links(&self) -> Links<'_> {
        let t = self.thread.as_deref();
        Links {
            thread: if self.hinted { None } else { t },
            hint: if self.hinted { t } else { None },
            id: &self.id,
            parent: self.parent.as_deref(),
        }
    }
}

/// First pass for inputs whose records find their thread through their
/// parent chain: collects every record's links (about 100 bytes a record,
/// against roughly a kilobyte to hold a record with its text and its tree),
/// then resolves each record's thread exactly as [`super::build`] does over
/// the whole input, so each partition receives complete threads and builds
/// the same trees.
#[derive(Default)]
pub struct ThreadResolver {
    recs: Vec<Skeleton>,
    text_bytes: u64,
}

impl ThreadResolver {
    /// An empty resolver.
    pub fn new() -> ThreadResolver {
        ThreadResolver::default()
    }

    /// Keep a record's links (records in input order).
    pub fn push(&mut self, r: &RawComment) {
        self.text_bytes += r.text.len() as u64;
        let l = r.links();
        self.recs.push(Skeleton {
            thread: l.thread.or(l.hint).map(Into::into),
            hinted: l.hint.is_some(),
            id: l.id.into(),
            parent: l.parent.map(Into::into),
        });
    }

    /// Records pushed.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Bytes of the pushed records' texts.
    pub fn text_bytes(&self) -> u64 {
        self.text_bytes
    }

    /// Whether none were pushed.
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// The partition (of `n`) of every record pushed, in push order. A
    /// record that names its thread gets the partition
    /// [`Partitioner::push`] would choose; every record of a resolved thread
    /// gets its thread's.
    pub fn partitions(self, n: usize) -> Vec<u32> {
        self.partitions_seeded(n, 0)
    }

    /// [`ThreadResolver::partitions`] by a hash of the thread with `seed`
    /// (0: the hash [`Partitioner::push`] uses).
    pub fn partitions_seeded(self, n: usize, seed: u64) -> Vec<u32> {
        let (tid, names) = thread_names(&self.recs, Skeleton::links);
        drop(self.recs);
        let part: Vec<u32> = names
            .iter()
            .map(|t| (xxh3_64_with_seed(t.as_bytes(), seed) % n.max(1) as u64) as u32)
            .collect();
        tid.into_iter().map(|t| part[t as usize]).collect()
    }
}

/// Continue a record pass while `r` is fine; keep its error in `failed`
/// and stop at the first one (for passes whose callback cannot return it).
pub fn keep_going<E>(r: Result<(), E>, failed: &mut Option<E>) -> ControlFlow<()> {
    match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            *failed = Some(e);
            ControlFlow::Break(())
        }
    }
}

/// Where a record pass hands each record; it stops the pass by breaking.
pub type RecordSink<'a> = dyn FnMut(RawComment) -> ControlFlow<()> + 'a;

/// Partitions of records by their resolved threads, in two passes over the
/// same records: `read(placing, out)` hands every record to `out`, in the
/// same order both times (`placing` is false on the first pass, true on the
/// second). The first pass resolves each record's thread
/// ([`ThreadResolver`]); `count` then says how many partitions from what it
/// saw; the second writes each record to its thread's partition (a hash of
/// the thread with `seed`; seed 0 places like [`Partitioner::push`]).
pub fn split_resolved<E: From<SpillError>>(
    read: &mut dyn FnMut(bool, &mut RecordSink<'_>) -> Result<(), E>,
    count: impl FnOnce(&ThreadResolver) -> usize,
    seed: u64,
) -> Result<Partitions, E> {
    let mut res = ThreadResolver::new();
    read(false, &mut |r| {
        res.push(&r);
        ControlFlow::Continue(())
    })?;
    let n = count(&res);
    let place = res.partitions_seeded(n, seed);
    let mut out = Partitioner::new(n, None)?;
    let mut i = 0;
    let mut failed = None;
    read(true, &mut |r| {
        let Some(&k) = place.get(i) else {
            i += 1;
            return ControlFlow::Break(());
        };
        i += 1;
        keep_going(out.push_to(&r, k as usize), &mut failed)
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    if i != place.len() {
        return Err(SpillError::Changed { then: place.len() }.into());
    }
    Ok(out.finish()?)
}

fn part_path(dir: &tempfile::TempDir, k: usize) -> PathBuf {
    dir.path().join(format!("part-{k:05}.jsonl"))
}

impl Partitioner {
    /// `n` partition files in a new temporary directory under `parent`
    /// (the system's temporary directory if `None`).
    pub fn new(n: usize, parent: Option<&std::path::Path>) -> Result<Partitioner, SpillError> {
        let io = |e, path: String| SpillError::Io { path, source: e };
        let dir = match parent {
            Some(p) => tempfile::Builder::new()
                .prefix("threadlens-parts-")
                .tempdir_in(p),
            None => tempfile::Builder::new()
                .prefix("threadlens-parts-")
                .tempdir(),
        }
        .map_err(|e| io(e, "(temporary directory)".into()))?;
        // Registered before anything is written in it, so an interrupt
        // at any point removes the whole folder.
        let cleanup = crate::cleanup::register(dir.path());
        let n = n.max(1);
        let mut parts = Vec::with_capacity(n);
        for k in 0..n {
            let p = part_path(&dir, k);
            let f = File::create(&p).map_err(|e| io(e, p.display().to_string()))?;
            parts.push(BufWriter::with_capacity(1 << 16, f));
        }
        Ok(Partitioner {
            _cleanup: cleanup,
            dir,
            parts,
            counts: vec![0; n],
            text_bytes: vec![0; n],
            files: Vec::new(),
            file_index: HashMap::new(),
            line: Vec::new(),
        })
    }

    /// Write one record that names its thread to that thread's partition.
    pub fn push(&mut self, r: &RawComment) -> Result<(), SpillError> {
        let k = part_of(thread_key(r)?, self.parts.len());
        self.push_to(r, k)
    }

    /// Number of partitions being written.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there are none (never: at least one is made).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Write one record to partition `k` (as given by
    /// [`ThreadResolver::partitions`] for the same number of partitions;
    /// taken modulo their number).
    pub fn push_to(&mut self, r: &RawComment, k: usize) -> Result<(), SpillError> {
        let k = k % self.parts.len();
        let s = match self.file_index.get(&r.source.file) {
            Some(&s) => s,
            None => {
                let s = self.files.len() as u32;
                self.files.push(r.source.file.clone());
                self.file_index.insert(r.source.file.clone(), s);
                s
            }
        };
        let rec = Stored {
            t: r.thread.as_deref().map(Cow::Borrowed),
            i: Cow::Borrowed(&r.id),
            p: r.parent.as_deref().map(Cow::Borrowed),
            a: r.author.as_deref().map(Cow::Borrowed),
            c: r.created,
            x: Cow::Borrowed(&r.text),
            k: kind_code(r.kind),
            f: r.flags.0,
            m: r.missing_ancestors,
            s,
            l: r.source.line,
            n: r.source.item,
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &rec).expect("serialisable");
        self.line.push(b'\n');
        self.parts[k]
            .write_all(&self.line)
            .map_err(|e| SpillError::Io {
                path: part_path(&self.dir, k).display().to_string(),
                source: e,
            })?;
        self.counts[k] += 1;
        self.text_bytes[k] += r.text.len() as u64;
        Ok(())
    }

    /// Flush the files.
    pub fn finish(self) -> Result<Partitions, SpillError> {
        for (k, mut w) in self.parts.into_iter().enumerate() {
            w.flush().map_err(|e| SpillError::Io {
                path: part_path(&self.dir, k).display().to_string(),
                source: e,
            })?;
        }
        Ok(Partitions {
            _cleanup: self._cleanup,
            dir: self.dir,
            counts: self.counts,
            text_bytes: self.text_bytes,
            files: self.files,
        })
    }
}

impl Partitions {
    /// Number of partitions.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether there are none (never: at least one is made).
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Records in partition `k`.
    pub fn count(&self, k: usize) -> u64 {
        self.counts[k]
    }

    /// Bytes of the texts of the records in partition `k`.
    pub fn text_bytes(&self, k: usize) -> u64 {
        self.text_bytes[k]
    }

    /// Split partition `k` again, into `m` partitions by thread (a hash of
    /// the thread with another seed, so its threads, which all share one
    /// hash modulo this set's count, spread out): for a partition whose
    /// records turned out larger in memory than the budget allowed for.
    /// Its records' threads are resolved within it, which gives the same
    /// threads as over the whole input (a partition holds whole threads).
    pub fn split(&self, k: usize, m: usize) -> Result<Partitions, SpillError> {
        split_resolved(
            &mut |_, out| self.each(k, out).map(drop),
            |_| m,
            RESPLIT_SEED,
        )
    }

    /// The records of partition `k`, in the order they were written.
    pub fn read(&self, k: usize) -> Result<Vec<RawComment>, SpillError> {
        let mut out = Vec::with_capacity(self.counts[k] as usize);
        self.each(k, &mut |r| {
            out.push(r);
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    /// Hand the records of partition `k` to `f` one at a time, in the order
    /// they were written, until it breaks; returns how many it was given.
    pub fn each(&self, k: usize, f: &mut RecordSink<'_>) -> Result<u64, SpillError> {
        let path = part_path(&self.dir, k);
        let name = path.display().to_string();
        let file = File::open(&path).map_err(|e| SpillError::Io {
            path: name.clone(),
            source: e,
        })?;
        let mut given = 0u64;
        for (no, line) in BufReader::with_capacity(1 << 16, file).lines().enumerate() {
            let line = line.map_err(|e| SpillError::Io {
                path: name.clone(),
                source: e,
            })?;
            let damaged = |msg: String| SpillError::Damaged {
                path: name.clone(),
                line: no + 1,
                msg,
            };
            let s: Stored<'_> = serde_json::from_str(&line).map_err(|e| damaged(e.to_string()))?;
            let file = self
                .files
                .get(s.s as usize)
                .cloned()
                .ok_or_else(|| damaged("unknown source file".into()))?;
            let kind = code_kind(s.k).ok_or_else(|| damaged("unknown kind".into()))?;
            given += 1;
            let r = RawComment {
                thread: s.t.map(|t| t.as_ref().into()),
                id: s.i.as_ref().into(),
                parent: s.p.map(|p| p.as_ref().into()),
                author: s.a.map(|a| a.as_ref().into()),
                created: s.c,
                text: s.x.into_owned().into_boxed_str(),
                kind,
                flags: Flags(s.f),
                missing_ancestors: s.m,
                source: SourceLoc {
                    file,
                    line: s.l,
                    item: s.n,
                },
            };
            if f(r).is_break() {
                return Ok(given);
            }
        }
        if given != self.counts[k] {
            return Err(SpillError::Damaged {
                path: name,
                line: given as usize,
                msg: format!("{} records written, {given} read", self.counts[k]),
            });
        }
        Ok(given)
    }

    /// Bytes of the partition files on disk.
    pub fn bytes(&self) -> u64 {
        (0..self.len())
            .filter_map(|k| std::fs::metadata(part_path(&self.dir, k)).ok())
            .map(|m| m.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(thread: Option<&str>, id: &str, text: &str, file: &Arc<str>, line: u64) -> RawComment {
        let mut r = RawComment::new(id, text, SourceLoc::new(file.clone(), line));
        r.thread = thread.map(Into::into);
        r.parent = Some("p\"1".into());
        r.author = Some("ä".into());
        r.created = Some(-5);
        r.flags = Flags::DELETED;
        r.missing_ancestors = 2;
        r.source.item = 3;
        r
    }

    #[test]
    fn records_round_trip_and_threads_stay_together() {
        let (a, b): (Arc<str>, Arc<str>) = ("a.jsonl".into(), "dir/b.jsonl".into());
        let mut p = Partitioner::new(3, None).unwrap();
        let mut all = Vec::new();
        for i in 0..60u64 {
            let file = if i % 2 == 0 { &a } else { &b };
            let text = format!("text {i} \"quoted\" \n <script> \u{202e} 😠");
            let r = rec(
                Some(&format!("t{}", i % 7)),
                &format!("c{i}"),
                &text,
                file,
                i + 1,
            );
            p.push(&r).unwrap();
            all.push(r);
        }
        let parts = p.finish().unwrap();
        assert_eq!(parts.len(), 3);
        let mut back = Vec::new();
        let mut seen_in: HashMap<String, usize> = HashMap::new();
        for k in 0..parts.len() {
            let recs = parts.read(k).unwrap();
            assert_eq!(recs.len() as u64, parts.count(k));
            for r in recs {
                let t = r.thread.as_deref().unwrap().to_string();
                assert_eq!(
                    *seen_in.entry(t).or_insert(k),
                    k,
                    "a thread in two partitions"
                );
                back.push(r);
            }
        }
        assert_eq!(back.len(), all.len());
        back.sort_by_key(|r| r.source.line);
        for (x, y) in all.iter().zip(&back) {
            assert_eq!(x.thread, y.thread);
            assert_eq!(x.id, y.id);
            assert_eq!(x.parent, y.parent);
            assert_eq!(x.author, y.author);
            assert_eq!(x.created, y.created);
            assert_eq!(x.text, y.text);
            assert_eq!(x.kind, y.kind);
            assert_eq!(x.flags, y.flags);
            assert_eq!(x.missing_ancestors, y.missing_ancestors);
            assert_eq!(x.source, y.source);
        }
    }

    #[test]
    fn a_record_without_its_thread_is_refused() {
        let f: Arc<str> = "x.jsonl".into();
        let mut p = Partitioner::new(2, None).unwrap();
        p.push(&rec(Some("t"), "1", "ok", &f, 1)).unwrap();
        let err = p.push(&rec(None, "2", "no thread", &f, 2)).unwrap_err();
        assert!(err.to_string().contains("x.jsonl:2"), "{err}");
        let mut hinted = rec(Some("t"), "3", "hint only", &f, 3);
        hinted.flags.insert(Flags::THREAD_HINT);
        assert!(matches!(p.push(&hinted), Err(SpillError::NoThread(_))));
    }

    /// Records that find their thread every way the tree builder allows:
    /// explicit threads, parent chains (parents before and after their
    /// replies), a missing parent, a layout hint, a cycle, a duplicate id.
    fn tangled() -> Vec<RawComment> {
        let f: Arc<str> = "items.jsonl".into();
        let spec: &[(&str, Option<&str>, Option<&str>, bool)] = &[
            ("s1", None, None, false),
            ("a", Some("s1"), None, false),
            ("b", Some("later"), None, false),
            ("s2", None, None, false),
            ("later", Some("s2"), None, false),
            ("c", Some("a"), None, false),
            ("x", Some("gone"), None, false),
            ("y", Some("x"), None, false),
            ("h", Some("gone2"), Some("page"), true),
            ("k1", Some("k2"), None, false),
            ("k2", Some("k1"), None, false),
            ("k3", Some("k1"), None, false),
            ("e1", Some("s1"), Some("named"), false),
            ("e2", Some("e1"), None, false),
            ("a", Some("s2"), None, false),
            ("d", Some("a"), None, false),
        ];
        spec.iter()
            .enumerate()
            .map(|(i, &(id, parent, thread, hint))| {
                let mut r = RawComment::new(id, "text", SourceLoc::new(f.clone(), i as u64 + 1));
                r.parent = parent.map(Into::into);
                r.thread = thread.map(Into::into);
                if hint {
                    r.flags.insert(Flags::THREAD_HINT);
                }
                r
            })
            .collect()
    }

    #[test]
    fn resolved_partitions_hold_whole_threads_as_the_builder_makes_them() {
        let recs = tangled();
        for n in [1, 2, 3, 7] {
            let mut res = ThreadResolver::new();
            for r in &recs {
                res.push(r);
            }
            assert_eq!(res.len(), recs.len());
            let place = res.partitions(n);
            assert_eq!(place.len(), recs.len());
            let mut diags = crate::diag::Diagnostics::new(false);
            let forest = super::super::build(recs.clone(), &mut diags).unwrap();
            let mut seen = 0;
            for t in &forest.threads {
                let lines: Vec<usize> = t
                    .nodes
                    .iter()
                    .filter(|n| n.rec.kind != Kind::Placeholder)
                    .map(|n| n.rec.source.line as usize - 1)
                    .collect();
                seen += lines.len();
                let k = place[lines[0]];
                assert!(k < n as u32);
                assert!(
                    lines.iter().all(|&i| place[i] == k),
                    "thread {} split across partitions (n = {n})",
                    t.id
                );
                // The partition of the thread's own name, as `push` places
                // records that name it.
                assert_eq!(k as usize, part_of(&t.id, n), "thread {}", t.id);
            }
            assert_eq!(seen, recs.len(), "every record in one thread");
        }
    }

    /// A node's id, parent index and depth.
    type NodeShape = (String, Option<u32>, u32);

    /// Every thread of a forest as its id and node shapes, sorted.
    fn shape(f: &crate::forest::Forest) -> Vec<(String, Vec<NodeShape>)> {
        let mut v: Vec<(String, Vec<NodeShape>)> = f
            .threads
            .iter()
            .map(|t| {
                let nodes = t
                    .nodes
                    .iter()
                    .map(|n| (n.rec.id.to_string(), n.parent, n.depth))
                    .collect();
                (t.id.to_string(), nodes)
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn placed_records_build_the_same_threads_as_the_whole_input() {
        let recs = tangled();
        let mut res = ThreadResolver::new();
        recs.iter().for_each(|r| res.push(r));
        let place = res.partitions(3);
        let mut p = Partitioner::new(3, None).unwrap();
        assert_eq!(p.len(), 3);
        for (r, &k) in recs.iter().zip(&place) {
            p.push_to(r, k as usize).unwrap();
        }
        let parts = p.finish().unwrap();
        let mut d = crate::diag::Diagnostics::new(false);
        let whole = shape(&super::super::build(recs.clone(), &mut d).unwrap());
        let mut split = Vec::new();
        for k in 0..parts.len() {
            let f = super::super::build(parts.read(k).unwrap(), &mut d).unwrap();
            split.extend(shape(&f));
        }
        split.sort();
        assert_eq!(split, whole);
        assert!(whole.len() >= 6, "{whole:?}");
    }

    #[test]
    fn a_partition_split_again_keeps_threads_whole_and_every_record() {
        let recs = tangled();
        let mut p = Partitioner::new(1, None).unwrap();
        recs.iter().for_each(|r| p.push_to(r, 0).unwrap());
        let parts = p.finish().unwrap();
        assert_eq!(parts.text_bytes(0), 4 * recs.len() as u64);
        let sub = parts.split(0, 3).unwrap();
        assert_eq!(sub.len(), 3);
        let total: u64 = (0..3).map(|k| sub.count(k)).sum();
        assert_eq!(total, recs.len() as u64);
        assert!(
            (0..3).filter(|&k| sub.count(k) > 0).count() >= 2,
            "spread out"
        );
        let mut d = crate::diag::Diagnostics::new(false);
        let whole = shape(&super::super::build(recs.clone(), &mut d).unwrap());
        let mut split = Vec::new();
        for k in 0..sub.len() {
            split.extend(shape(
                &super::super::build(sub.read(k).unwrap(), &mut d).unwrap(),
            ));
        }
        split.sort();
        assert_eq!(split, whole);
    }

    #[test]
    fn the_temporary_files_go_away() {
        let p = Partitioner::new(2, None).unwrap();
        let dir = p.dir.path().to_path_buf();
        let parts = p.finish().unwrap();
        assert!(dir.exists());
        drop(parts);
        assert!(!dir.exists());
    }
}

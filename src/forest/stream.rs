//! Threads out of a record stream, one at a time, when the input keeps
//! each thread's records together (a ConvoKit corpus, a scrape written
//! page by page, a CSV sorted by thread): memory then holds one thread,
//! not the dump.
//!
//! A thread is complete when a record of another thread arrives. Streaming
//! is only sound if no completed thread shows up again and every record
//! names its thread (records that find their thread through their parent
//! chain need the whole input, or a first pass over it: [`super::spill`]).
//! [`Grouper::push`] reports the first record
//! that breaks either rule, so the caller can fall back to reading the
//! input whole; completed threads are remembered as 64-bit hashes of their
//! ids (8 bytes a thread; a collision only causes a needless fall-back).

use std::collections::HashSet;

use compact_str::CompactString;
use xxhash_rust::xxh3::xxh3_64;

use super::comment::{Flags, RawComment};

/// Why an input cannot be streamed thread by thread.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotContiguous {
    /// A record without an explicit thread id.
    #[error("{at}: record {id:?} names no thread (its thread comes from its parent chain)")]
    NoThread {
        /// Where.
        at: String,
        /// Record id.
        id: String,
    },
    /// A record of a thread whose records ended earlier.
    #[error("{at}: thread {thread:?} continues after other threads began (threads interleave)")]
    Reopened {
        /// Where.
        at: String,
        /// Thread id.
        thread: String,
    },
}

/// The thread a record names itself, or why it names none (its thread
/// comes from its parent chain, or is only a hint from the file layout):
/// records are grouped (and partitioned, [`super::spill`]) by this.
pub fn thread_key(r: &RawComment) -> Result<&CompactString, NotContiguous> {
    match &r.thread {
        Some(t) if !r.flags.contains(Flags::THREAD_HINT) => Ok(t),
        _ => Err(NotContiguous::NoThread {
            at: r.source.to_string(),
            id: r.id.to_string(),
        }),
    }
}

/// Groups a record stream into complete threads.
#[derive(Default)]
pub struct Grouper {
    key: Option<CompactString>,
    cur: Vec<RawComment>,
    closed: HashSet<u64>,
}

impl Grouper {
    /// A new grouper.
    pub fn new() -> Grouper {
        Grouper::default()
    }

    /// Add a record; returns the previous thread's records when this
    /// record starts a new thread.
    pub fn push(&mut self, r: RawComment) -> Result<Option<Vec<RawComment>>, NotContiguous> {
        let key = thread_key(&r)?;
        if self.key.as_ref() == Some(key) {
            self.cur.push(r);
            return Ok(None);
        }
        if self.closed.contains(&xxh3_64(key.as_bytes())) {
            return Err(NotContiguous::Reopened {
                at: r.source.to_string(),
                thread: key.to_string(),
            });
        }
        let done = self.close();
        self.key = Some(key.clone());
        self.cur.push(r);
        Ok(done)
    }

    /// The last thread's records, at the end of the input.
    pub fn finish(mut self) -> Option<Vec<RawComment>> {
        self.close()
    }

    fn close(&mut self) -> Option<Vec<RawComment>> {
        let k = self.key.take()?;
        self.closed.insert(xxh3_64(k.as_bytes()));
        Some(std::mem::take(&mut self.cur))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceLoc;

    fn rec(id: &str, thread: Option<&str>, line: u64) -> RawComment {
        let mut r = RawComment::new(id, "text", SourceLoc::new("d.jsonl".into(), line));
        r.thread = thread.map(Into::into);
        r
    }

    fn ids(v: &[RawComment]) -> Vec<&str> {
        v.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn contiguous_threads_come_out_whole_and_in_order() {
        let mut g = Grouper::new();
        let mut out = Vec::new();
        for (i, (id, t)) in [
            ("a", "T1"),
            ("b", "T1"),
            ("c", "T2"),
            ("d", "T3"),
            ("e", "T3"),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(done) = g.push(rec(id, Some(t), i as u64 + 1)).unwrap() {
                out.push(done);
            }
        }
        out.extend(g.finish());
        let got: Vec<Vec<&str>> = out.iter().map(|v| ids(v)).collect();
        assert_eq!(got, [vec!["a", "b"], vec!["c"], vec!["d", "e"]]);
    }

    #[test]
    fn a_thread_seen_again_is_reported_with_its_line() {
        let mut g = Grouper::new();
        g.push(rec("a", Some("T1"), 1)).unwrap();
        g.push(rec("b", Some("T2"), 2)).unwrap();
        let e = g.push(rec("c", Some("T1"), 3)).unwrap_err();
        assert_eq!(
            e,
            NotContiguous::Reopened {
                at: "d.jsonl:3".into(),
                thread: "T1".into()
            }
        );
        assert!(e.to_string().contains("d.jsonl:3"));
    }

    #[test]
    fn records_without_a_thread_id_cannot_stream() {
        let mut g = Grouper::new();
        assert!(matches!(
            g.push(rec("a", None, 1)),
            Err(NotContiguous::NoThread { .. })
        ));
        let mut hinted = rec("b", Some("folder"), 2);
        hinted.flags.insert(Flags::THREAD_HINT);
        assert!(matches!(
            g.push(hinted),
            Err(NotContiguous::NoThread { .. })
        ));
    }
}

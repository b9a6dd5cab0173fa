//! CSV/TSV dumps with a header row and column mapping.
//!
//! Columns are found by the `--*-col` names or by common defaults. A row with
//! the wrong number of fields, invalid UTF-8 or an empty id is reported with
//! its line and skipped. Record size is bounded while reading: a runaway
//! quote cannot pull the whole file into one record.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use super::{FileCtx, ReadOptions, Sink};
use crate::diag::{DiagKind, SourceLoc, StrictError};
use crate::forest::{Kind, RawComment};

const ID: &[&str] = &["id", "comment_id", "msg_id", "utterance_id", "post_id"];
const PARENT: &[&str] = &["parent_id", "parent", "reply_to", "reply-to", "in_reply_to"];
const THREAD: &[&str] = &[
    "thread_id",
    "thread",
    "conversation_id",
    "link_id",
    "article_id",
    "issue_id",
    "submission_id",
];
const TEXT: &[&str] = &[
    "text",
    "body",
    "comment",
    "comment_text",
    "content",
    "message",
];
const AUTHOR: &[&str] = &["author", "user", "speaker", "by", "username", "user_name"];
const CREATED: &[&str] = &[
    "created",
    "created_utc",
    "timestamp",
    "time",
    "date",
    "created_at",
];

/// Turns `\r\n` into `\n` before the CSV parser sees it. The `csv` crate
/// reports a record's start line one short when the previous record ended
/// in `\r\n` (it counts the `\n` only when the next record is read), and
/// most CSV exports (including the bench tasks) use CRLF. Inside quoted
/// fields the text gets `\n` line ends, as everywhere else in threadlens.
struct CrlfToLf<R> {
    inner: R,
    /// A `\r` at the end of the last chunk, not yet known to precede `\n`.
    held_cr: bool,
}

impl<R> CrlfToLf<R> {
    fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            held_cr: false,
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.len() < 2 {
            return self.inner.read(buf);
        }
        loop {
            let start = usize::from(self.held_cr);
            let n = self.inner.read(&mut buf[start..])?;
            if n == 0 {
                if self.held_cr {
                    self.held_cr = false;
                    buf[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            if self.held_cr {
                buf[0] = b'\r';
            }
            let end = start + n;
            let mut w = 0;
            let mut r = 0;
            while r < end {
                let b = buf[r];
                if b == b'\r' {
                    if r + 1 < end {
                        if buf[r + 1] == b'\n' {
                            r += 1; // drop the \r, keep the \n
                            continue;
                        }
                    } else {
                        // Last byte: hold it until we see what follows.
                        self.held_cr = true;
                        break;
                    }
                }
                buf[w] = b;
                w += 1;
                r += 1;
            }
            if r == end {
                self.held_cr = false;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

/// Counts bytes handed to the CSV parser so a record can be bounded.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    limit: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.get() > self.limit.get() {
            return Err(io::Error::other("record too large"));
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// A CSV reader over one input, shared by `parse` and labeled-data
/// loading: tab-separated for `tsv`, ragged rows allowed (the caller
/// checks the field count and names the line), CRLF read as LF, and every
/// record bounded: [`BoundedCsv::next`] fails with an I/O error once the
/// parser has been handed `cap` bytes (plus one buffer of read-ahead)
/// since the record began, so an unbalanced quote cannot swallow the file.
pub(crate) struct BoundedCsv {
    rdr: csv::Reader<Counting<CrlfToLf<Box<dyn BufRead + Send>>>>,
    read: Rc<Cell<u64>>,
    limit: Rc<Cell<u64>>,
    cap: u64,
}

impl BoundedCsv {
    /// The parser reads ahead by up to one buffer of this size.
    const SLACK: u64 = 1 << 16;

    pub(crate) fn new(inner: Box<dyn BufRead + Send>, tsv: bool, cap: usize) -> BoundedCsv {
        let read = Rc::new(Cell::new(0u64));
        let limit = Rc::new(Cell::new(u64::MAX));
        let counting = Counting {
            inner: CrlfToLf::new(inner),
            read: read.clone(),
            limit: limit.clone(),
        };
        let rdr = csv::ReaderBuilder::new()
            .delimiter(if tsv { b'\t' } else { b',' })
            .flexible(true)
            .has_headers(false)
            .buffer_capacity(Self::SLACK as usize)
            .from_reader(counting);
        BoundedCsv {
            rdr,
            read,
            limit,
            cap: cap as u64,
        }
    }

    /// The next record into `rec` (`false` at the end of the input).
    pub(crate) fn next(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        self.limit.set(
            self.read
                .get()
                .saturating_add(self.cap.saturating_add(Self::SLACK)),
        );
        self.rdr.read_byte_record(rec)
    }

    /// The line the next record starts on (1-based).
    pub(crate) fn line(&self) -> u64 {
        self.rdr.position().line() + 1
    }
}

fn find(
    header: &[String],
    chosen: &Option<String>,
    defaults: &[&str],
) -> Result<Option<usize>, String> {
    match chosen {
        Some(name) => header
            .iter()
            .position(|h| h == name)
            .map(Some)
            .ok_or_else(|| format!("no column {name:?} in header ({})", header.join(","))),
        None => Ok(defaults
            .iter()
            .find_map(|d| header.iter().position(|h| h.eq_ignore_ascii_case(d)))),
    }
}

pub(super) fn read(
    reader: Box<dyn BufRead + Send>,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let tsv = ctx.ext.as_deref() == Some("tsv");
    let mut rdr = BoundedCsv::new(reader, tsv, opts.max_record_bytes);
    let mut rec = csv::ByteRecord::new();
    let cap = opts.max_record_bytes as u64;
    let header: Vec<String> = match rdr.next(&mut rec) {
        Ok(false) => return Ok(()), // empty file: no records
        Ok(true) => match rec
            .iter()
            .map(|f| super::utf8(f).map(|s| s.trim().to_string()))
            .collect()
        {
            Ok(h) => h,
            Err(m) => {
                return sink.report(ctx.loc(1), DiagKind::InvalidUtf8, format!("header: {m}"))
            }
        },
        Err(e) => {
            return sink.report(
                ctx.loc(1),
                DiagKind::Malformed,
                format!("cannot read CSV header: {e}"),
            )
        }
    };
    let f = &opts.fields;
    let cols = (|| -> Result<_, String> {
        Ok((
            find(&header, &f.id, ID)?,
            find(&header, &f.parent, PARENT)?,
            find(&header, &f.thread, THREAD)?,
            find(&header, &f.text, TEXT)?,
            find(&header, &f.author, AUTHOR)?,
            find(&header, &f.created, CREATED)?,
        ))
    })();
    let (id_c, parent_c, thread_c, text_c, author_c, created_c) = match cols {
        Ok((i, p, t, Some(x), a, c)) => (i, p, t, x, a, c),
        other => {
            let why = match other {
                Err(m) => m,
                _ => format!(
                    "no text column in header ({}); expected one of {} or --text-col",
                    header.join(","),
                    TEXT.join(", ")
                ),
            };
            // Count the rows so the totals still add up.
            let mut rows = 0u64;
            while let Ok(true) = rdr.next(&mut rec) {
                rows += 1;
            }
            return sink.diags.report_many(
                ctx.loc(1),
                DiagKind::MissingField,
                format!("{why}; file skipped ({rows} records)"),
                rows.max(1),
            );
        }
    };
    while !sink.stopped() {
        let line = rdr.line();
        let ok = match rdr.next(&mut rec) {
            Ok(ok) => ok,
            Err(e) => {
                let loc = ctx.loc(line);
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return sink.report(
                        loc,
                        DiagKind::TooLarge,
                        format!("CSV record exceeds --max-record-bytes {cap} (unbalanced quote?); rest of file skipped"),
                    );
                }
                sink.report(loc, DiagKind::Malformed, format!("bad CSV record: {e}"))?;
                continue;
            }
        };
        if !ok {
            return Ok(());
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(line);
        let loc = ctx.loc(line);
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        if rec.as_slice().len() as u64 > cap {
            sink.report(
                loc,
                DiagKind::TooLarge,
                format!("CSV record exceeds --max-record-bytes {cap}"),
            )?;
            continue;
        }
        if rec.len() != header.len() {
            sink.report(
                loc,
                DiagKind::Malformed,
                format!("row has {} fields, header has {}", rec.len(), header.len()),
            )?;
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        let mut bad = None;
        for (i, raw) in rec.iter().enumerate() {
            match super::utf8(raw) {
                Ok(s) => fields.push(s),
                Err(m) => {
                    bad = Some(format!("column {:?}: {m}", header[i]));
                    break;
                }
            }
        }
        if let Some(m) = bad {
            sink.report(loc, DiagKind::InvalidUtf8, m)?;
            continue;
        }
        let get = |c: Option<usize>| c.map(|c| fields[c].trim()).filter(|s| !s.is_empty());
        let id = match id_c {
            Some(c) => match get(Some(c)) {
                Some(id) => id.to_string(),
                None => {
                    sink.report(
                        loc,
                        DiagKind::MissingField,
                        format!("empty {:?}", header[c]),
                    )?;
                    continue;
                }
            },
            None => format!("row{line}"),
        };
        let cells = Cells {
            parent: get(parent_c),
            thread: get(thread_c),
            author: get(author_c),
            created: get(created_c),
        };
        sink.emit(row_record(id, fields[text_c], cells, loc));
    }
    Ok(())
}

/// The optional cells of a table row, trimmed, empty ones absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cells<'a> {
    /// Parent id.
    pub parent: Option<&'a str>,
    /// Thread id.
    pub thread: Option<&'a str>,
    /// Author.
    pub author: Option<&'a str>,
    /// Creation time (the formats [`super::time::parse`] reads).
    pub created: Option<&'a str>,
}

/// The record of one table row: the rule CSV input and tables handed over
/// in memory (the Python package's data frames) share. A row with no
/// parent whose thread is its own id is the thread's root.
pub fn row_record(id: String, text: &str, c: Cells<'_>, loc: SourceLoc) -> RawComment {
    let mut r = RawComment::new(id, text, loc);
    r.parent = c.parent.map(Into::into);
    r.thread = c.thread.map(Into::into);
    r.author = c.author.map(Into::into);
    r.created = c.created.and_then(super::time::parse);
    if r.parent.is_none() && r.thread.as_ref().is_some_and(|t| *t == r.id) {
        r.kind = Kind::Root;
    }
    r
}

#[cfg(test)]
mod crlf_tests {
    use super::*;

    #[test]
    fn crlf_becomes_lf_across_chunk_edges() {
        // A reader that hands out one byte at a time exercises the held \r.
        struct OneByte(std::io::Cursor<Vec<u8>>);
        impl Read for OneByte {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(1);
                self.0.read(&mut buf[..n])
            }
        }
        let src = b"a\r\nb\rc\r\n\r\nd\r".to_vec();
        for chunked in [false, true] {
            let mut out = Vec::new();
            if chunked {
                CrlfToLf::new(OneByte(std::io::Cursor::new(src.clone())))
                    .read_to_end(&mut out)
                    .unwrap();
            } else {
                CrlfToLf::new(std::io::Cursor::new(src.clone()))
                    .read_to_end(&mut out)
                    .unwrap();
            }
            assert_eq!(out, b"a\nb\rc\n\nd\r");
        }
    }
}

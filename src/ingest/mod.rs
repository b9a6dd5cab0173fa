//! Ingest: every dump format into one [`RawComment`] stream.
//!
//! Two layers: framing (lines, CSV records, XML elements, page files, each
//! with a size cap) and one mapper per dialect. A bad record becomes a
//! [`crate::diag::Diagnostic`] with its `file:line` and reading goes on; only
//! I/O failures of the output side or `--strict` stop a run.

pub mod csv;
pub mod framing;
pub mod input;
mod json;
mod pages;
pub mod time;
mod wxr;

use std::io::BufRead;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

pub use input::Input;
pub use json::html_to_text;

use crate::diag::{DiagKind, Diagnostics, SourceLoc, StrictError};
use crate::forest::RawComment;

/// Input format. `Auto` picks per file from the extension and first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Detect per file.
    #[default]
    Auto,
    /// Plain-text article page captures with their comment section.
    Pages,
    /// JSON lines (or a JSON document); dialect detected per record.
    Jsonl,
    /// Reddit: Pushshift dumps and Reddit API objects.
    Reddit,
    /// Hacker News items.
    Hn,
    /// ConvoKit `utterances.jsonl`.
    Convokit,
    /// Twitter API tweets (RumourEval/PHEME thread folders).
    Twitter,
    /// Internet Argument Corpus discussion files.
    Iac,
    /// CSV/TSV with a header.
    Csv,
    /// WordPress export (WXR).
    Wxr,
}

impl Format {
    /// Parse a `--format` value.
    pub fn from_name(s: &str) -> Option<Format> {
        Some(match s {
            "auto" => Format::Auto,
            "pages" | "page" => Format::Pages,
            "jsonl" | "json" | "ndjson" => Format::Jsonl,
            "reddit" | "pushshift" => Format::Reddit,
            "hn" | "hackernews" => Format::Hn,
            "convokit" => Format::Convokit,
            "twitter" | "tweets" => Format::Twitter,
            "iac" => Format::Iac,
            "csv" | "tsv" => Format::Csv,
            "wxr" | "wordpress" => Format::Wxr,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Pages => "pages",
            Format::Jsonl => "jsonl",
            Format::Reddit => "reddit",
            Format::Hn => "hn",
            Format::Convokit => "convokit",
            Format::Twitter => "twitter",
            Format::Iac => "iac",
            Format::Csv => "csv",
            Format::Wxr => "wxr",
        }
    }

    fn is_json(self) -> bool {
        matches!(
            self,
            Format::Jsonl
                | Format::Reddit
                | Format::Hn
                | Format::Convokit
                | Format::Twitter
                | Format::Iac
        )
    }
}

/// Field (JSON) or column (CSV) names chosen by the user; `None` = defaults.
#[derive(Clone, Debug, Default)]
pub struct FieldMap {
    /// Record id.
    pub id: Option<String>,
    /// Parent id.
    pub parent: Option<String>,
    /// Thread id.
    pub thread: Option<String>,
    /// Text.
    pub text: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Creation time.
    pub created: Option<String>,
}

impl FieldMap {
    /// True when any name was given.
    pub fn is_set(&self) -> bool {
        self.id.is_some()
            || self.parent.is_some()
            || self.thread.is_some()
            || self.text.is_some()
            || self.author.is_some()
            || self.created.is_some()
    }
}

/// How to read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Format, or auto.
    pub format: Format,
    /// Field/column names.
    pub fields: FieldMap,
    /// Largest record (line, CSV row, comment) accepted, in bytes.
    pub max_record_bytes: usize,
    /// Largest whole-file document (page, JSON document, WXR file), in bytes.
    pub max_document_bytes: usize,
    /// Bytes read so far from input files (for progress), if wanted.
    pub bytes_read: Option<Arc<std::sync::atomic::AtomicU64>>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Auto,
            fields: FieldMap::default(),
            max_record_bytes: 8 << 20,
            max_document_bytes: 1 << 30,
            bytes_read: None,
        }
    }
}

/// Errors that stop reading.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A directory could not be listed.
    #[error("{path}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Strict mode and a record was rejected.
    #[error(transparent)]
    Strict(#[from] StrictError),
}

/// What reading saw.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ReadStats {
    /// Files read.
    pub files: u64,
    /// Files skipped in directories for an unknown extension.
    pub skipped_files: Vec<PathBuf>,
    /// Files and folders of a recognised corpus layout that hold no
    /// comments (metadata, annotations, answer keys, readmes), not read.
    pub not_comments: Vec<PathBuf>,
    /// Records produced.
    pub records: u64,
}

/// Where a reader sends records and findings.
pub struct Sink<'a> {
    /// Findings.
    pub diags: &'a mut Diagnostics,
    out: &'a mut dyn FnMut(RawComment) -> ControlFlow<()>,
    records: u64,
    stopped: bool,
}

impl Sink<'_> {
    /// Emit a record.
    pub fn emit(&mut self, r: RawComment) {
        if self.stopped {
            return;
        }
        self.records += 1;
        if (self.out)(r).is_break() {
            self.stopped = true;
        }
    }

    /// The consumer asked to stop: readers of record streams (JSON lines,
    /// CSV) return at the next record.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Report a comment over `--max-record-bytes`; true if it was (and must be skipped).
    pub(crate) fn too_large(
        &mut self,
        loc: &SourceLoc,
        len: usize,
        opts: &ReadOptions,
    ) -> Result<bool, StrictError> {
        if len <= opts.max_record_bytes {
            return Ok(false);
        }
        let msg = format!(
            "comment exceeds --max-record-bytes {}",
            opts.max_record_bytes
        );
        self.report(loc.clone(), DiagKind::TooLarge, msg)?;
        Ok(true)
    }

    /// Report a finding.
    pub fn report(
        &mut self,
        loc: SourceLoc,
        kind: DiagKind,
        msg: impl Into<String>,
    ) -> Result<(), StrictError> {
        self.diags.report(loc, kind, msg)
    }
}

/// Read every input, sending records to `out` in input order.
pub fn read_inputs(
    inputs: &[Input],
    opts: &ReadOptions,
    diags: &mut Diagnostics,
    out: &mut dyn FnMut(RawComment),
) -> Result<ReadStats, IngestError> {
    read_inputs_until(inputs, opts, diags, &mut |r| {
        out(r);
        ControlFlow::Continue(())
    })
}

/// [`read_inputs`] that stops early when `out` returns `Break` (the
/// record stream readers stop at the next record; no later file is read).
pub fn read_inputs_until(
    inputs: &[Input],
    opts: &ReadOptions,
    diags: &mut Diagnostics,
    out: &mut dyn FnMut(RawComment) -> ControlFlow<()>,
) -> Result<ReadStats, IngestError> {
    let mut stats = ReadStats::default();
    let mut sink = Sink {
        diags,
        out,
        records: 0,
        stopped: false,
    };
    for inp in inputs {
        let expanded = inp.expand().map_err(|e| IngestError::Io {
            path: inp.name().to_string(),
            source: e,
        })?;
        stats.skipped_files.extend(expanded.skipped);
        stats.not_comments.extend(expanded.not_comments);
        for f in expanded.files {
            if sink.stopped {
                break;
            }
            stats.files += 1;
            read_one(&f, opts, &mut sink)?;
        }
    }
    stats.records = sink.records;
    Ok(stats)
}

/// Read one file (or stdin) into the sink.
pub fn read_one(inp: &Input, opts: &ReadOptions, sink: &mut Sink<'_>) -> Result<(), StrictError> {
    let name = inp.name();
    sink.diags.saw_file(name.clone());
    let file_loc = SourceLoc::new(name.clone(), 1);
    let mut reader = match inp.open_counted(opts.bytes_read.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            return sink.report(file_loc, DiagKind::Unreadable, format!("cannot open: {e}"));
        }
    };
    let format = match opts.format {
        Format::Auto => match detect(inp, &mut reader) {
            Ok(f) => f,
            Err(e) => {
                return sink.report(file_loc, DiagKind::Unreadable, format!("cannot read: {e}"));
            }
        },
        f => f,
    };
    let ctx = FileCtx {
        name,
        stem: inp.stem().into(),
        thread_hint: thread_hint(inp),
        ext: inp.inner_extension(),
    };
    match format {
        Format::Pages => pages::read(reader, &ctx, opts, sink),
        Format::Csv => csv::read(reader, &ctx, opts, sink),
        Format::Wxr => wxr::read(reader, &ctx, opts, sink),
        f if f.is_json() => json::read(reader, &ctx, f, opts, sink),
        _ => unreachable!("auto resolved above"),
    }
}

/// Read a whole-file document (`what`: "page", "XML file", ...) under
/// `--max-document-bytes`; `Ok(None)` once the reason it was not read is reported.
pub(crate) fn read_document(
    reader: &mut dyn BufRead,
    what: &str,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<Option<Vec<u8>>, StrictError> {
    match framing::read_capped(reader, opts.max_document_bytes) {
        Ok(Some(b)) => Ok(Some(b)),
        Ok(None) => {
            let msg = format!("{what} larger than {} bytes", opts.max_document_bytes);
            sink.report(ctx.loc(1), DiagKind::TooLarge, msg)?;
            Ok(None)
        }
        Err(e) => {
            sink.report(ctx.loc(1), DiagKind::Unreadable, format!("read error: {e}"))?;
            Ok(None)
        }
    }
}

/// Per-file facts readers need.
pub(crate) struct FileCtx {
    /// Name for messages.
    pub name: Arc<str>,
    /// File stem, used as thread id where the format has none (pages, IAC).
    pub stem: Arc<str>,
    /// Thread named by the directory layout (RumourEval/PHEME folders).
    pub thread_hint: Option<String>,
    /// Extension without compression suffix.
    pub ext: Option<String>,
}

impl FileCtx {
    pub(crate) fn loc(&self, line: u64) -> SourceLoc {
        SourceLoc::new(self.name.clone(), line)
    }
}

/// RumourEval/PHEME thread folders keep tweets in `<thread>/replies/` and
/// `<thread>/source-tweet/`; the folder name is the thread, which matters
/// when a reply's parent tweet was deleted.
fn thread_hint(inp: &Input) -> Option<String> {
    let Input::Path(p) = inp else { return None };
    let dir = p.parent()?;
    let dname = dir.file_name()?.to_str()?;
    if dname == "replies" || dname == "source-tweet" {
        return Some(dir.parent()?.file_name()?.to_str()?.to_string());
    }
    None
}

/// Pick a format from the extension, else from the first bytes.
fn detect(inp: &Input, r: &mut Box<dyn BufRead + Send>) -> std::io::Result<Format> {
    match inp.inner_extension().as_deref() {
        Some("jsonl" | "ndjson" | "jsonlines" | "json") => return Ok(Format::Jsonl),
        Some("csv" | "tsv") => return Ok(Format::Csv),
        Some("xml" | "wxr") => return Ok(Format::Wxr),
        Some("txt" | "text") => return Ok(Format::Pages),
        _ => {}
    }
    let head = r.fill_buf()?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    Ok(match first {
        Some(b'{' | b'[') => Format::Jsonl,
        Some(b'<') => Format::Wxr,
        _ => {
            let line = head.split(|&b| b == b'\n').next().unwrap_or(b"");
            let line = String::from_utf8_lossy(line).to_ascii_lowercase();
            let cols: Vec<&str> = line
                .split([',', '\t'])
                .map(|c| c.trim().trim_matches('"'))
                .collect();
            if cols.len() > 1
                && cols
                    .iter()
                    .any(|c| ["text", "body", "comment", "content"].contains(c))
            {
                Format::Csv
            } else {
                Format::Pages
            }
        }
    })
}

/// Decode bytes as UTF-8 (dropping a BOM), or describe where it fails.
pub(crate) fn utf8(b: &[u8]) -> Result<&str, String> {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    std::str::from_utf8(b).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))
}

/// Join a title and a body into one root text.
pub(crate) fn title_body(title: &str, body: &str) -> String {
    let (t, b) = (title.trim(), body.trim());
    match (t.is_empty(), b.is_empty()) {
        (false, false) => format!("{t}\n\n{b}"),
        (false, true) => t.to_string(),
        _ => b.to_string(),
    }
}

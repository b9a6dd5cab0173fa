//! Diagnostics: where a record came from (`file:line`) and what went wrong with it.
//!
//! Every input record ends up either in the output or here. Readers and the
//! forest builder push [`Diagnostic`]s into a [`Diagnostics`] sink; the sink
//! counts them by kind, keeps them for the user, and in `--strict` mode turns
//! the first rejection into a hard error.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A record's origin. `line` is 1-based; `item` numbers records inside one
/// multi-record document (an IAC discussion, a Reddit listing) from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLoc {
    /// Path as the user gave it (or `-` for stdin).
    pub file: Arc<str>,
    /// 1-based line where the record starts.
    pub line: u64,
    /// 1-based index of the record inside a multi-record document, 0 if none.
    pub item: u32,
}

impl SourceLoc {
    /// A location without an item index.
    pub fn new(file: Arc<str>, line: u64) -> Self {
        SourceLoc {
            file,
            line,
            item: 0,
        }
    }

    /// A record's true origin as an engine that moved it says
    /// (`threadlens_source`): `FILE:LINE`, `FILE:LINE (item K)` as
    /// [`SourceLoc`] displays them, or any other text (an id), kept whole
    /// with line 0 (displayed as is).
    pub fn origin(s: &str) -> Self {
        let (head, item) = match s
            .strip_suffix(')')
            .and_then(|x| x.rsplit_once(" (item "))
            .and_then(|(h, k)| Some((h, k.parse::<u32>().ok()?)))
        {
            Some((h, k)) if k > 0 => (h, k),
            _ => (s, 0),
        };
        match head
            .rsplit_once(':')
            .and_then(|(f, l)| Some((f, l.parse::<u64>().ok()?)))
        {
            Some((file, line)) if line > 0 => SourceLoc {
                file: file.into(),
                line,
                item,
            },
            _ => SourceLoc::new(s.into(), 0),
        }
    }
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.item > 0 {
            write!(f, "{}:{} (item {})", self.file, self.line, self.item)
        } else if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

impl Serialize for SourceLoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What happened to a record. `Rejected` kinds mean the record is not in the
/// output; the others describe a repair made to a record that is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagKind {
    /// The record could not be parsed (bad JSON, bad XML, bad CSV row).
    Malformed,
    /// The record is not valid UTF-8.
    InvalidUtf8,
    /// The record is larger than `--max-record-bytes`.
    TooLarge,
    /// The record lacks a required field (id, text).
    MissingField,
    /// A JSON record of a shape no dialect recognises.
    Unrecognised,
    /// A second record with an id already seen in the same thread.
    DuplicateId,
    /// A file that could not be read at all.
    Unreadable,
    /// Repair: the parent id names no record, so the comment was attached to the thread root.
    Orphan,
    /// Repair: a parent cycle was cut and the comment attached to the thread root.
    CycleBroken,
    /// Note: the page lost this reply's ancestors; it keeps the depth the page shows.
    MissingAncestors,
}

impl DiagKind {
    /// True when the record is dropped from the output.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            DiagKind::Malformed
                | DiagKind::InvalidUtf8
                | DiagKind::TooLarge
                | DiagKind::MissingField
                | DiagKind::Unrecognised
                | DiagKind::DuplicateId
                | DiagKind::Unreadable
        )
    }

    /// Short snake_case name used in summaries.
    pub fn name(self) -> &'static str {
        match self {
            DiagKind::Malformed => "malformed",
            DiagKind::InvalidUtf8 => "invalid_utf8",
            DiagKind::TooLarge => "too_large",
            DiagKind::MissingField => "missing_field",
            DiagKind::Unrecognised => "unrecognised",
            DiagKind::DuplicateId => "duplicate_id",
            DiagKind::Unreadable => "unreadable",
            DiagKind::Orphan => "orphan",
            DiagKind::CycleBroken => "cycle_broken",
            DiagKind::MissingAncestors => "missing_ancestors",
        }
    }
}

/// One finding about one record.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    /// Where the record is.
    pub loc: SourceLoc,
    /// What kind of finding.
    pub kind: DiagKind,
    /// Human-readable detail, lowercase, no trailing period.
    pub message: String,
    /// How many input records this finding covers (a skipped file covers all its rows).
    pub records: u64,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// Raised in strict mode on the first rejected record.
#[derive(Debug, thiserror::Error)]
#[error("{0} (strict mode)")]
pub struct StrictError(pub Diagnostic);

/// Collects diagnostics and counts them by kind.
#[derive(Debug, Default)]
pub struct Diagnostics {
    strict: bool,
    items: Vec<Diagnostic>,
    counts: BTreeMap<DiagKind, u64>,
    /// Keep at most this many diagnostics in memory (counts are always exact).
    keep: usize,
    /// Input files in the order they were opened ([`Diagnostics::saw_file`]).
    files: Vec<Arc<str>>,
}

impl Diagnostics {
    /// A sink; `strict` makes any rejection an error.
    pub fn new(strict: bool) -> Self {
        Diagnostics {
            strict,
            items: Vec::new(),
            counts: BTreeMap::new(),
            keep: 1_000_000,
            files: Vec::new(),
        }
    }

    /// Note that the reader opened `file` (its place in
    /// [`Diagnostics::in_input_order`]).
    pub fn saw_file(&mut self, file: Arc<str>) {
        if self.files.last() != Some(&file) {
            self.files.push(file);
        }
    }

    /// The kept diagnostics in input order: by file (in the order the files
    /// were opened), then line, then item; findings about one record in the
    /// order they were found. Streamed and whole runs find the same things
    /// in different orders (the tree builder reports per batch of threads);
    /// this order is the same for both.
    pub fn in_input_order(&self) -> Vec<&Diagnostic> {
        let rank: std::collections::HashMap<&str, usize> = self
            .files
            .iter()
            .enumerate()
            .rev()
            .map(|(i, f)| (&**f, i))
            .collect();
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            let key = |d: &Diagnostic| rank.get(&*d.loc.file).copied().unwrap_or(usize::MAX);
            key(a)
                .cmp(&key(b))
                .then_with(|| a.loc.file.cmp(&b.loc.file))
                .then(a.loc.line.cmp(&b.loc.line))
                .then(a.loc.item.cmp(&b.loc.item))
        });
        v
    }

    /// Record a finding. In strict mode a rejection is returned as an error.
    pub fn push(&mut self, d: Diagnostic) -> Result<(), StrictError> {
        *self.counts.entry(d.kind).or_insert(0) += d.records;
        if self.strict && d.kind.is_rejection() {
            return Err(StrictError(d));
        }
        if self.items.len() < self.keep {
            self.items.push(d);
        }
        Ok(())
    }

    /// Report a finding about one record.
    pub fn report(
        &mut self,
        loc: SourceLoc,
        kind: DiagKind,
        message: impl Into<String>,
    ) -> Result<(), StrictError> {
        self.report_many(loc, kind, message, 1)
    }

    /// Report a finding that covers `records` input records.
    pub fn report_many(
        &mut self,
        loc: SourceLoc,
        kind: DiagKind,
        message: impl Into<String>,
        records: u64,
    ) -> Result<(), StrictError> {
        self.push(Diagnostic {
            loc,
            kind,
            message: message.into(),
            records,
        })
    }

    /// All kept diagnostics, in the order they were found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Records covered, per kind.
    pub fn counts(&self) -> &BTreeMap<DiagKind, u64> {
        &self.counts
    }

    /// Records covered by one kind.
    pub fn count(&self, kind: DiagKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// Number of records dropped from the output.
    pub fn rejected(&self) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| k.is_rejection())
            .map(|(_, n)| n)
            .sum()
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Add the findings of `other` after this one's (already checked
    /// against strict mode where they were made).
    pub fn append(&mut self, other: Diagnostics) {
        for (k, n) in other.counts {
            *self.counts.entry(k).or_insert(0) += n;
        }
        self.items.extend(other.items);
        for f in other.files {
            self.saw_file(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_fails_on_rejection_only() {
        let loc = SourceLoc::new("f.jsonl".into(), 3);
        let mut d = Diagnostics::new(true);
        assert!(d.report(loc.clone(), DiagKind::Orphan, "x").is_ok());
        let err = d.report(loc, DiagKind::Malformed, "bad json").unwrap_err();
        assert_eq!(err.to_string(), "f.jsonl:3: bad json (strict mode)");
        assert_eq!(d.rejected(), 1);
    }

    #[test]
    fn input_order_is_file_then_line_then_item() {
        let mut d = Diagnostics::new(false);
        let (b, a): (Arc<str>, Arc<str>) = ("b.jsonl".into(), "a.jsonl".into());
        d.saw_file(b.clone());
        d.saw_file(a.clone());
        let at = |f: &Arc<str>, line, item| SourceLoc {
            file: f.clone(),
            line,
            item,
        };
        let found = [
            (at(&a, 2, 0), "a2"),
            (at(&b, 9, 0), "b9"),
            (at(&b, 3, 2), "b3.2 first"),
            (at(&b, 3, 1), "b3.1"),
            (at(&b, 3, 2), "b3.2 second"),
            (at(&a, 1, 0), "a1"),
        ];
        for (loc, msg) in found.clone() {
            d.report(loc, DiagKind::Orphan, msg).unwrap();
        }
        let order: Vec<&str> = d.in_input_order().iter().map(|x| &*x.message).collect();
        assert_eq!(
            order,
            ["b3.1", "b3.2 first", "b3.2 second", "b9", "a1", "a2"]
        );
        // Found in another order (another batching): the same list.
        let mut e = Diagnostics::new(false);
        e.saw_file(b.clone());
        e.saw_file(a.clone());
        for (loc, msg) in found.into_iter().rev() {
            e.report(loc, DiagKind::Orphan, msg).unwrap();
        }
        let again: Vec<&str> = e.in_input_order().iter().map(|x| &*x.message).collect();
        assert_eq!(again[0], "b3.1");
        assert_eq!(again[3..], order[3..]);
    }

    #[test]
    fn location_display() {
        let mut loc = SourceLoc::new("a.json".into(), 1);
        assert_eq!(loc.to_string(), "a.json:1");
        loc.item = 4;
        assert_eq!(loc.to_string(), "a.json:1 (item 4)");
    }
}

#[cfg(test)]
mod origin_tests {
    use super::SourceLoc;

    #[test]
    fn an_origin_reads_back_as_it_was_displayed() {
        for s in [
            "dump.jsonl:17",
            "a:b/c.json:3 (item 2)",
            "s3://bucket/x.jsonl:9",
            "t1_abc",
            "x:y",
        ] {
            assert_eq!(SourceLoc::origin(s).to_string(), s);
        }
        let l = SourceLoc::origin("d/f.jsonl:12 (item 3)");
        assert_eq!((&*l.file, l.line, l.item), ("d/f.jsonl", 12, 3));
    }
}

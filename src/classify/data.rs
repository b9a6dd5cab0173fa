//! Labeled CSV for training and evaluation (`id,thread_id,parent_id,text,
//! parent_text,label` in the bench tasks; any header with a text and a
//! label column works, names mappable).
//!
//! Training data must be right, so a bad row stops the read with
//! `file:line: what`: wrong field count (usually an unbalanced quote),
//! invalid UTF-8, a record over the size bound, an unknown label. Empty
//! texts are legitimate in real dumps (deleted comments keep their labels)
//! and are returned to the caller, which reports them.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::ingest::csv::BoundedCsv;
use crate::ingest::Input;

/// Where a labeled row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLoc {
    /// 1-based line where the record starts.
    pub line: u64,
}

/// One labeled row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledRow {
    /// Line where the record starts.
    pub line: u64,
    /// Id column if present, else empty.
    pub id: String,
    /// Thread column if present, else empty: rows of one thread are kept
    /// on one side of a held-out split.
    pub thread: String,
    /// The comment.
    pub text: String,
    /// The parent's text (stance), empty if absent.
    pub parent: String,
    /// Raw label.
    pub label: String,
}

/// Column names to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Text column.
    pub text: String,
    /// Label column.
    pub label: String,
    /// Parent-text column (required for stance, optional otherwise).
    pub parent: Option<String>,
    /// Whether a missing parent column is an error.
    pub parent_required: bool,
    /// Id column, used in messages if present.
    pub id: String,
    /// Thread column, used to hold out whole threads if present.
    pub thread: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            text: "text".into(),
            label: "label".into(),
            parent: Some("parent_text".into()),
            parent_required: false,
            id: "id".into(),
            thread: "thread_id".into(),
        }
    }
}

/// Errors reading labeled data; each names the file and, where there is
/// one, the line.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file cannot be opened or read.
    #[error("{}", file.display())]
    Io {
        /// File.
        file: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A problem at a line.
    #[error("{file}:{line}: {msg}")]
    At {
        /// File.
        file: PathBuf,
        /// Line.
        line: u64,
        /// What is wrong.
        msg: String,
    },
    /// A problem with the whole file.
    #[error("{file}: {msg}")]
    File {
        /// File.
        file: PathBuf,
        /// What is wrong.
        msg: String,
    },
}

fn utf8(b: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(b).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))
}

/// Read all rows of a labeled CSV (or TSV by extension; `-` for stdin;
/// gzip/zstd by magic bytes).
pub fn read(
    path: &Path,
    cols: &Columns,
    max_record_bytes: usize,
) -> Result<Vec<LabeledRow>, DataError> {
    let input = if path.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::Path(path.to_path_buf())
    };
    let file = path.to_path_buf();
    let reader = input.open().map_err(|source| DataError::Io {
        file: file.clone(),
        source,
    })?;
    let tsv = input.inner_extension().as_deref() == Some("tsv");
    read_from(reader, &file, tsv, cols, max_record_bytes)
}

/// [`read`] from an open reader; `file` is used in messages.
pub fn read_from(
    reader: Box<dyn BufRead + Send>,
    file: &Path,
    tsv: bool,
    cols: &Columns,
    max_record_bytes: usize,
) -> Result<Vec<LabeledRow>, DataError> {
    let at = |line: u64, msg: String| DataError::At {
        file: file.to_path_buf(),
        line,
        msg,
    };
    let mut rdr = BoundedCsv::new(reader, tsv, max_record_bytes);
    let cap = max_record_bytes as u64;
    let mut rec = csv::ByteRecord::new();
    let header: Vec<String> = match rdr.next(&mut rec) {
        Ok(false) => {
            return Err(DataError::File {
                file: file.to_path_buf(),
                msg: "empty file (no header)".into(),
            })
        }
        Ok(true) => rec
            .iter()
            .map(|f| utf8(f).map(|s| s.trim().trim_start_matches('\u{feff}').to_string()))
            .collect::<Result<_, _>>()
            .map_err(|m| at(1, format!("header: {m}")))?,
        Err(e) => return Err(at(1, format!("cannot read CSV header: {e}"))),
    };
    let find = |name: &str| header.iter().position(|h| h == name);
    let missing = |name: &str, what: &str| {
        at(
            1,
            format!(
                "no {what} column {name:?} in header ({}); choose one with --{what}-col",
                header.join(",")
            ),
        )
    };
    let text_c = find(&cols.text).ok_or_else(|| missing(&cols.text, "text"))?;
    let label_c = find(&cols.label).ok_or_else(|| missing(&cols.label, "label"))?;
    let parent_c = match &cols.parent {
        Some(p) => match find(p) {
            Some(c) => Some(c),
            None if cols.parent_required => return Err(missing(p, "parent")),
            None => None,
        },
        None => None,
    };
    let id_c = find(&cols.id);
    let thread_c = find(&cols.thread);
    let mut rows = Vec::new();
    loop {
        let line_guess = rdr.line();
        match rdr.next(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let csv::ErrorKind::Io(_) = e.kind() {
                    return Err(at(
                        line_guess,
                        format!("record exceeds --max-record-bytes {cap} (unbalanced quote?)"),
                    ));
                }
                return Err(at(line_guess, format!("bad CSV record: {e}")));
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(line_guess);
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue;
        }
        if rec.as_slice().len() as u64 > cap {
            return Err(at(line, format!("record exceeds --max-record-bytes {cap}")));
        }
        if rec.len() != header.len() {
            return Err(at(
                line,
                format!(
                    "expected {} fields as in the header, found {} (unbalanced quote or stray delimiter?)",
                    header.len(),
                    rec.len()
                ),
            ));
        }
        let field = |c: usize, name: &str| -> Result<String, DataError> {
            utf8(rec.get(c).unwrap_or_default())
                .map(str::to_string)
                .map_err(|m| at(line, format!("column {name}: {m}")))
        };
        rows.push(LabeledRow {
            line,
            id: match id_c {
                Some(c) => field(c, &cols.id)?,
                None => String::new(),
            },
            thread: match thread_c {
                Some(c) => field(c, &cols.thread)?,
                None => String::new(),
            },
            text: field(text_c, &cols.text)?,
            parent: match parent_c {
                Some(c) => field(c, "parent")?,
                None => String::new(),
            },
            label: field(label_c, &cols.label)?.trim().to_string(),
        });
    }
    if rows.is_empty() {
        return Err(DataError::File {
            file: file.to_path_buf(),
            msg: "no rows after the header".into(),
        });
    }
    Ok(rows)
}

/// Map a raw binary label to `true` (uncivil) / `false`; `positive` names
/// the positive label explicitly, otherwise common spellings are accepted.
pub fn binary_label(raw: &str, positive: Option<&str>) -> Option<bool> {
    let l = raw.trim().to_ascii_lowercase();
    if let Some(p) = positive {
        return Some(l == p.to_ascii_lowercase());
    }
    const POS: &[&str] = &[
        "1",
        "true",
        "yes",
        "y",
        "t",
        "pos",
        "positive",
        "uncivil",
        "incivil",
        "toxic",
        "offensive",
        "off",
        "hate",
        "hateful",
        "abusive",
        "insult",
    ];
    const NEG: &[&str] = &[
        "0",
        "false",
        "no",
        "n",
        "f",
        "neg",
        "negative",
        "civil",
        "not",
        "non-toxic",
        "nontoxic",
        "none",
        "neither",
        "normal",
        "ok",
        "clean",
    ];
    if POS.contains(&l.as_str()) {
        Some(true)
    } else if NEG.contains(&l.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Map a raw stance label to one of `agree, disagree, query, comment`.
pub fn stance_label(raw: &str) -> Option<usize> {
    Some(match raw.trim().to_ascii_lowercase().as_str() {
        "agree" | "support" | "supports" | "agreed" | "s" => 0,
        "disagree" | "deny" | "denies" | "disagreed" | "d" => 1,
        "query" | "question" | "appeal-for-more-information" | "q" => 2,
        "comment" | "neutral" | "commenting" | "c" | "none" => 3,
        _ => return None,
    })
}

/// Stance class names in index order.
pub const STANCE_LABELS: [&str; 4] = ["agree", "disagree", "query", "comment"];

#[cfg(test)]
mod tests {
    use super::*;

    fn rd(s: &str) -> Result<Vec<LabeledRow>, DataError> {
        read_from(
            Box::new(std::io::Cursor::new(s.as_bytes().to_vec())),
            Path::new("t.csv"),
            false,
            &Columns::default(),
            1 << 20,
        )
    }

    #[test]
    fn reads_multiline_quoted_rows_with_start_lines() {
        let rows = rd(
            "id,text,parent_text,label\r\na,\"hello\r\nworld\",,1\r\nb,\"say \"\"hi\"\"\",p,0\r\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "hello\nworld");
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].text, "say \"hi\"");
        assert_eq!(rows[1].parent, "p");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = rd("id,body,label\na,x,1\n").unwrap_err().to_string();
        assert!(e.starts_with("t.csv:1: no text column \"text\""), "{e}");
        let e = rd("id,text\na,x\n").unwrap_err().to_string();
        assert!(e.contains("no label column"), "{e}");
        let e = rd("id,text,label\na,x,1\nb,\"unclosed,0\nc,z,1\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv:3: expected 3 fields"), "{e}");
        let e = rd("id,text,label\n").unwrap_err().to_string();
        assert!(e.contains("no rows"), "{e}");
        let e = read_from(
            Box::new(std::io::Cursor::new(b"id,text,label\na,\xff,1\n".to_vec())),
            Path::new("t.csv"),
            false,
            &Columns::default(),
            1 << 20,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.csv:2: column text: invalid UTF-8"), "{e}");
    }

    #[test]
    fn oversized_record_refused() {
        let big = format!("id,text,label\na,\"{}\n", "x".repeat(300_000));
        let e = read_from(
            Box::new(std::io::Cursor::new(big.into_bytes())),
            Path::new("t.csv"),
            false,
            &Columns::default(),
            1000,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("max-record-bytes"), "{e}");
    }

    #[test]
    fn labels() {
        assert_eq!(binary_label("1", None), Some(true));
        assert_eq!(binary_label(" False ", None), Some(false));
        assert_eq!(binary_label("OFF", None), Some(true));
        assert_eq!(binary_label("NOT", None), Some(false));
        assert_eq!(binary_label("maybe", None), None);
        assert_eq!(binary_label("HATE", Some("hate")), Some(true));
        assert_eq!(binary_label("other", Some("hate")), Some(false));
        assert_eq!(stance_label("support"), Some(0));
        assert_eq!(stance_label("deny"), Some(1));
        assert_eq!(stance_label("neutral"), Some(3));
        assert_eq!(stance_label("x"), None);
    }
}

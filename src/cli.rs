//! Command-line options (raw, as clap parses them) and their resolution into
//! checked per-command configs. Nothing here opens files.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use threadlens::ingest::{FieldMap, Format, Input, ReadOptions};

/// Rebuild comment threads from dumps, score incivility and stance, and report how debate spreads.
#[derive(Parser, Debug)]
#[command(name = "threadlens", version, about, long_about = None)]
pub struct Cli {
    /// No progress bars or summaries on stderr (errors still print).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Rebuild reply trees and write one canonical JSON line per comment, in tree order.
    Parse(ParseArgs),
}

/// Options shared by every command that reads dumps.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, directories (read recursively) or `-` for stdin. `.zst`/`.gz` are decompressed.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Input format: auto, pages, jsonl, reddit, hn, convokit, twitter, iac, csv, wxr.
    #[arg(long, short = 'f', default_value = "auto")]
    pub format: String,
    /// Fail on the first rejected record instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Largest record (JSON line, CSV row, comment) accepted, in bytes.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// Largest whole-file document (page, JSON or XML file), in bytes.
    #[arg(long, default_value_t = 1 << 30, value_name = "BYTES")]
    pub max_document_bytes: usize,
    /// Column/field holding the record id.
    #[arg(long, alias = "id-field", value_name = "NAME")]
    pub id_col: Option<String>,
    /// Column/field holding the parent id.
    #[arg(long, alias = "parent-field", value_name = "NAME")]
    pub parent_col: Option<String>,
    /// Column/field holding the thread id.
    #[arg(long, alias = "thread-field", value_name = "NAME")]
    pub thread_col: Option<String>,
    /// Column/field holding the text.
    #[arg(long, alias = "text-field", value_name = "NAME")]
    pub text_col: Option<String>,
    /// Column/field holding the author.
    #[arg(long, alias = "author-field", value_name = "NAME")]
    pub author_col: Option<String>,
    /// Column/field holding the creation time.
    #[arg(long, alias = "time-field", value_name = "NAME")]
    pub time_col: Option<String>,
    /// Write every diagnostic (rejections and repairs) as JSON lines to this file.
    #[arg(long, value_name = "FILE")]
    pub diagnostics: Option<PathBuf>,
}

/// `threadlens parse`.
#[derive(Args, Debug)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output file (JSON lines); stdout if absent or `-`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Resolved input settings.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub inputs: Vec<Input>,
    pub read: ReadOptions,
    pub strict: bool,
    pub diagnostics: Option<PathBuf>,
}

impl InputArgs {
    /// Check and resolve.
    pub fn resolve(&self) -> Result<InputConfig> {
        let Some(format) = Format::from_name(&self.format) else {
            bail!(
                "unknown --format {:?}; expected auto, pages, jsonl, reddit, hn, convokit, twitter, iac, csv or wxr",
                self.format
            );
        };
        if self.max_record_bytes == 0 || self.max_document_bytes == 0 {
            bail!("--max-record-bytes and --max-document-bytes must be positive");
        }
        if self.inputs.iter().filter(|i| *i == "-").count() > 1 {
            bail!("stdin (-) can be given only once");
        }
        Ok(InputConfig {
            inputs: self.inputs.iter().map(|s| Input::from_arg(s)).collect(),
            read: ReadOptions {
                format,
                fields: FieldMap {
                    id: self.id_col.clone(),
                    parent: self.parent_col.clone(),
                    thread: self.thread_col.clone(),
                    text: self.text_col.clone(),
                    author: self.author_col.clone(),
                    created: self.time_col.clone(),
                },
                max_record_bytes: self.max_record_bytes,
                max_document_bytes: self.max_document_bytes,
            },
            strict: self.strict,
            diagnostics: self.diagnostics.clone(),
        })
    }
}

//! `threadlens parse`: rebuild trees and write the canonical comment records.
//!
//! One JSON object per line, threads in order of first appearance, nodes in
//! pre-order (root first, then each subtree). Fields: `thread`, `id`,
//! `parent` (tree parent; `null` for the root), `depth`, `kind`, `author`,
//! `created`, `text`, `source` (`file:line`), `flags`, and `missing_parent`
//! for orphans (the parent id the record named).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::cli::InputConfig;
use threadlens::forest::{Flags, Forest};
use threadlens::output::Output;

/// `parse` settings.
pub struct ParseConfig {
    pub input: InputConfig,
    pub output: Option<std::path::PathBuf>,
    pub quiet: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    node: super::NodeRow<'a>,
    created: Option<i64>,
    text: &'a str,
    source: &'a threadlens::diag::SourceLoc,
    flags: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_parent: Option<&'a str>,
}

/// Write the forest as canonical JSON lines.
pub fn write_forest(forest: &Forest, out: &mut dyn Write) -> std::io::Result<()> {
    for t in &forest.threads {
        for (i, n) in t.nodes.iter().enumerate() {
            let r = &n.rec;
            let row = Row {
                node: super::NodeRow::of(t, i),
                created: r.created,
                text: &r.text,
                source: &r.source,
                flags: r.flags.names(),
                missing_parent: if r.flags.contains(Flags::ORPHAN) {
                    r.parent.as_deref()
                } else {
                    None
                },
            };
            serde_json::to_writer(&mut *out, &row)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// Run `parse`: streamed, partitioned or whole like `score`
/// ([`super::pipeline::run`]), so memory is bounded by a batch or a
/// partition when the input allows it.
pub fn run(cfg: &ParseConfig) -> Result<ExitCode> {
    let path = cfg.output.as_deref();
    let fresh = || Ok(Output::create(path)?);
    let run = super::pipeline::run(
        &cfg.input,
        None,
        cfg.quiet,
        Output::is_atomic(path),
        fresh,
        |out, forest, _| Ok(write_forest(forest, out)?),
    )?;
    run.state.finish()?;
    super::report_diagnostics(&cfg.input, &run.build, &run.read, &run.diags, cfg.quiet)?;
    Ok(super::exit_code(&run.diags, &run.read))
}

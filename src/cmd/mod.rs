//! One module per subcommand, each with `run(config) -> Result<ExitCode>`,
//! plus the shared step every command starts with: read inputs into a forest.

pub mod eval;
pub mod models;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod serve;
pub mod train;

use std::io::Write;

use anyhow::Result;

use crate::cli::InputConfig;
use threadlens::diag::Diagnostics;
use threadlens::forest;
use threadlens::ingest::ReadStats;
use threadlens::output::Output;

pub use threadlens::analyze::rows::NodeRow;

/// Exit status: 0 all records used, 1 some rejected or none read (a
/// warning says so: an empty input is more often a wrong path or format
/// than a dump with nothing in it), 2 error (set in main).
pub fn exit_code(diags: &Diagnostics, read: &ReadStats) -> std::process::ExitCode {
    if read.records == 0 {
        eprintln!(
            "threadlens: warning: no records read from the input (check the path and --format)"
        );
        return std::process::ExitCode::from(1);
    }
    if diags.rejected() > 0 {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// Print the summary and the first diagnostics to stderr; write all
/// diagnostics to `--diagnostics` if asked.
pub fn report_diagnostics(
    cfg: &InputConfig,
    build: &forest::BuildStats,
    stats: &ReadStats,
    diags: &Diagnostics,
    quiet: bool,
) -> Result<()> {
    if let Some(path) = &cfg.diagnostics {
        let mut out = Output::create(Some(path))?;
        for d in diags.in_input_order() {
            serde_json::to_writer(&mut out, d)?;
            out.write_all(b"\n")?;
        }
        out.finish()?;
    }
    let rejected = diags.rejected();
    if quiet {
        if rejected > 0 {
            eprintln!("threadlens: {rejected} records rejected");
        }
        return Ok(());
    }
    const SHOW: usize = 20;
    let in_order = diags.in_input_order();
    for d in in_order.iter().filter(|d| d.kind.is_rejection()).take(SHOW) {
        eprintln!("threadlens: rejected: {d}");
    }
    let repairs: Vec<_> = in_order.iter().filter(|d| !d.kind.is_rejection()).collect();
    for d in repairs.iter().take(SHOW) {
        eprintln!("threadlens: note: {d}");
    }
    let s = build;
    let mut e = std::io::stderr().lock();
    writeln!(
        e,
        "threadlens: {} files, {} records read; {} threads, {} comments ({} pingbacks), {} roots + {} placeholder roots, max depth {}",
        stats.files, stats.records, s.threads, s.comments, s.pingbacks, s.roots, s.placeholders, s.max_depth
    )?;
    writeln!(
        e,
        "threadlens: orphans {}, duplicates {}, cycles broken {}, replies with lost ancestors {}",
        s.orphans, s.duplicates, s.cycles_broken, s.missing_ancestors
    )?;
    let by_kind: Vec<String> = diags
        .counts()
        .iter()
        .filter(|(k, _)| k.is_rejection())
        .map(|(k, n)| format!("{} {n}", k.name()))
        .collect();
    if rejected > 0 {
        writeln!(
            e,
            "threadlens: rejected {rejected} records ({})",
            by_kind.join(", ")
        )?;
    } else {
        writeln!(e, "threadlens: rejected 0 records")?;
    }
    if !stats.skipped_files.is_empty() {
        writeln!(
            e,
            "threadlens: skipped {} files with unknown extensions (e.g. {})",
            stats.skipped_files.len(),
            stats.skipped_files[0].display()
        )?;
    }
    if !stats.not_comments.is_empty() {
        writeln!(
            e,
            "threadlens: {} files or folders hold no comments and were not read: a corpus layout's metadata, annotations, answer keys or readmes (e.g. {})",
            stats.not_comments.len(),
            stats.not_comments[0].display()
        )?;
    }
    Ok(())
}

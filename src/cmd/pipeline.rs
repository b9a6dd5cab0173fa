//! Read → build threads → score → consume, shared by `score` and `report`.
//!
//! Streamed when it can be: records are grouped into threads as they are
//! read ([`Grouper`]); every ~16k comments (the first batch ~1k, so that
//! scoring starts early) the complete threads are built, scored on all
//! cores and handed to the consumer in input order, while a reader thread
//! reads the next batch; a consumed batch is freed on the pool beside the
//! next. Memory then holds up to three batches (being read, waiting, being
//! scored) and one being freed, bounded by the largest thread and not by
//! the dump.
//!
//! When the inputs do not keep each thread's records together (threads
//! interleave, as in time-ordered Pushshift dumps, or records find their
//! thread through their parent chain, as in Hacker News items), reading
//! stops at the first such record and the caller runs again in whole mode:
//! everything is read, the forest is built, then scored. Output is the same
//! either way (tested); only memory differs.
//!
//! Inputs larger than the partition budget (`--partition-mb`) that cannot
//! stream are instead split by thread into temporary partition files
//! ([`threadlens::forest::spill`]) that are built and scored one at a time:
//! memory is bounded by a partition, and rows come out thread by thread,
//! partition after partition (the same rows and the same report as whole
//! mode, threads in another order). Records that find their thread through
//! their parent chain are placed after a first pass that resolves every
//! record's thread ([`split_resolved`]); a partition that turns out larger
//! in memory than the budget is split again before it is built.
//!
//! Inputs that can be read only once (standard input, pipes) are held in
//! memory within the budget ([`hold`]) and otherwise copied once to a
//! temporary file, which then takes the file's path through all of the above
//! ([`Source::Stash`]).

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Result;
use indicatif::ProgressBar;

use crate::cli::InputConfig;
use threadlens::analyze::score::{Scored, Scorer};
use threadlens::diag::Diagnostics;
use threadlens::forest::spill::{keep_going, split_resolved, Partitioner, Partitions, SpillError};
use threadlens::forest::stream::{Grouper, NotContiguous};
use threadlens::forest::{self, BuildStats, Forest, RawComment};
use threadlens::ingest::{self, Input, ReadStats};

/// Comments per batch of complete threads scored together.
const BATCH: usize = 16384;

/// Comments in the first batch of a stream.
const FIRST_BATCH: usize = 1024;

/// Most partition files written at once (open file handles).
const MAX_PARTITIONS: u64 = 256;

/// Partition files per budget's worth of input bytes: formats more compact
/// than Pushshift's take more memory than their size, and small partitions
/// are read together again up to the budget ([`score_partitions`]).
const OVERSPLIT: usize = 4;

/// Receives scored threads: in input order, except in partitioned mode
/// (partition by partition).
pub type Consume<'a> = dyn FnMut(&Forest, &[Vec<Option<Scored>>]) -> Result<()> + 'a;

/// How a run went.
pub enum Outcome {
    /// Every input was read.
    Done {
        /// Read counts.
        read: ReadStats,
        /// Tree counts.
        build: BuildStats,
    },
    /// Streaming stopped at a record that needs the whole input; nothing
    /// the consumer received may be kept.
    NotContiguous(NotContiguous),
}

/// Whether the inputs can be read more than once (streaming may fall back
/// to another pass): regular files only. Standard input, named pipes and
/// process substitutions (`<(zstdcat dump.zst)`, a `/dev/fd/N` pipe) hand
/// out their bytes once.
pub fn rereadable(input: &InputConfig) -> bool {
    // Inputs that do not expand are reported when read.
    input_files(input).all(|f| match f {
        Input::Path(p) => std::fs::metadata(p).is_ok_and(|m| m.is_file()),
        Input::Stdin | Input::Memory { .. } => false,
    })
}

/// Where a run's records come from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// The user's input files (read again for each pass).
    Inputs(&'a InputConfig),
    /// Records read once from inputs that cannot be read twice, kept in
    /// a temporary file ([`hold`]); that read's counts and findings are the
    /// run's, kept by the caller.
    Stash(&'a Partitions),
}

impl Source<'_> {
    /// Hand every record to `out` until it breaks.
    fn read_until(
        &self,
        diags: &mut Diagnostics,
        out: &mut dyn FnMut(RawComment) -> ControlFlow<()>,
    ) -> Result<ReadStats> {
        Ok(match self {
            Source::Inputs(i) => ingest::read_inputs_until(&i.inputs, &i.read, diags, out)?,
            Source::Stash(p) => ReadStats {
                files: 1,
                records: p.each(0, out)?,
                ..ReadStats::default()
            },
        })
    }

    /// Whether the records can be read more than once.
    fn rereadable(&self) -> bool {
        match self {
            Source::Inputs(i) => rereadable(i),
            Source::Stash(_) => true,
        }
    }

    /// Estimated bytes of the records' content, for the partition count:
    /// the input files' (decompressed) size, or for a stash the records'
    /// estimated memory (its file holds little more than their text).
    fn content_bytes(&self) -> u64 {
        match self {
            Source::Inputs(i) => content_bytes(i),
            Source::Stash(p) => memory_estimate(p.bytes(), p.count(0)),
        }
    }

    /// Start the bytes-read progress over for another pass.
    fn restart_progress(&self) {
        if let Source::Inputs(i) = self {
            if let Some(c) = &i.read.bytes_read {
                c.store(0, Ordering::Relaxed);
            }
        }
    }
}

/// A record's memory beyond its text in whole mode (record, tree node,
/// scores): 1 M comments of 240 bytes peaked at 886 MB.
const RECORD_OVERHEAD: u64 = 650;

/// Estimated memory of `records` records holding `text_bytes` of text, as
/// counted against `--partition-mb`.
fn memory_estimate(text_bytes: u64, records: u64) -> u64 {
    text_bytes + records * RECORD_OVERHEAD
}

/// Partitions for `bytes` of content within `budget` each: at most
/// [`MAX_PARTITIONS`] open files; past that, larger ones.
fn partition_count(bytes: u64, budget: u64) -> usize {
    bytes.div_ceil(budget.max(1)).clamp(1, MAX_PARTITIONS) as usize
}

/// What [`hold`] kept of inputs that cannot be read twice.
pub enum Held {
    /// Everything, in memory: the input was within the partition budget.
    Memory(Vec<RawComment>),
    /// Everything, in a temporary file: the input outgrew the budget.
    Stash(Partitions),
}

/// Read inputs that include standard input or a pipe (which cannot be
/// read twice) once: records are kept in memory while their estimated memory in whole
/// mode (text + 650 bytes each) stays within `budget` bytes, and beyond it
/// all of them go to a temporary file, from which the run then streams or
/// partitions like a file input.
pub fn hold(
    input: &InputConfig,
    budget: u64,
    diags: &mut Diagnostics,
    progress: &dyn Fn(u64),
) -> Result<(Held, ReadStats)> {
    let mut mem: Vec<RawComment> = Vec::new();
    let mut n = 0u64;
    let mut bytes = 0u64;
    let mut stash: Option<Partitioner> = None;
    let mut failed: Option<SpillError> = None;
    let read = ingest::read_inputs_until(&input.inputs, &input.read, diags, &mut |r| {
        n += 1;
        if n % 4096 == 0 {
            progress(n);
        }
        let pushed = match &mut stash {
            Some(p) => p.push_to(&r, 0),
            None => {
                bytes += memory_estimate(r.text.len() as u64, 1);
                mem.push(r);
                if bytes <= budget {
                    return ControlFlow::Continue(());
                }
                Partitioner::new(1, None).and_then(|mut p| {
                    for r in mem.drain(..) {
                        p.push_to(&r, 0)?;
                    }
                    mem.shrink_to_fit();
                    stash = Some(p);
                    Ok(())
                })
            }
        };
        keep_going(pushed, &mut failed)
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(match stash {
        Some(p) => (Held::Stash(p.finish()?), read),
        None => (Held::Memory(mem), read),
    })
}

/// Build complete threads, score them on all cores (unless there is no
/// scorer: `parse`), hand them on.
fn score_batch(
    recs: Vec<RawComment>,
    scorer: Option<&Scorer>,
    build: &mut BuildStats,
    build_diags: &mut Diagnostics,
    tick: &dyn Fn(u64),
    consume: &mut Consume<'_>,
) -> Result<()> {
    let n = recs.len() as u64;
    let f = forest::build(recs, build_diags)?;
    build.add(&f.stats);
    let scores = scorer.map_or_else(Vec::new, |s| s.score_forest(&f, &|_| {}));
    consume(&f, &scores)?;
    tick(n);
    // Freeing a batch's records and scores takes ~10 ms a batch: on the
    // pool, beside the next batch, not on this thread while both cores
    // wait for it.
    rayon::spawn(move || drop((f, scores)));
    Ok(())
}

/// Stream the inputs thread by thread; see the module docs.
pub fn stream(
    src: Source<'_>,
    scorer: Option<&Scorer>,
    diags: &mut Diagnostics,
    tick: &dyn Fn(u64),
    consume: &mut Consume<'_>,
) -> Result<Outcome> {
    let strict = diags.is_strict();
    let mut build = BuildStats::default();
    let mut build_diags = Diagnostics::new(strict);
    // A reader thread reads and groups the next batch while this one
    // builds, scores and consumes the last. Reading and parsing are ~9% of
    // the CPU of `score`; when they alternated with scoring, both cores'
    // scorers waited for them (~15% of the wall time). One batch waits
    // between the two (memory: three batches at most).
    let cancel = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawComment>>(1);
    let outcome = std::thread::scope(|sc| {
        let reader = sc.spawn(|| {
            let mut g = Grouper::new();
            let mut batch: Vec<RawComment> = Vec::new();
            let mut stop: Option<NotContiguous> = None;
            let mut sent = false;
            let read = src.read_until(diags, &mut |r| {
                if cancel.load(Ordering::Relaxed) {
                    return ControlFlow::Break(());
                }
                match g.push(r) {
                    Ok(None) => {}
                    Ok(Some(done)) => {
                        batch.extend(done);
                        // The first batch small, so that scoring starts
                        // while the rest is read.
                        let full = if sent { BATCH } else { FIRST_BATCH };
                        if batch.len() >= full {
                            sent = true;
                            if tx.send(std::mem::take(&mut batch)).is_err() {
                                return ControlFlow::Break(());
                            }
                        }
                    }
                    Err(e) => {
                        stop = Some(e);
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            });
            // The last threads, unless streaming stopped or failed.
            if stop.is_none() && read.is_ok() && !cancel.load(Ordering::Relaxed) {
                batch.extend(g.finish().unwrap_or_default());
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
            }
            drop(tx);
            (read, stop)
        });
        let mut failed: Option<anyhow::Error> = None;
        // Until the reader is done; after a failure, drained so it ends.
        // The receiver is owned here: if scoring panicked, unwinding drops
        // it, the reader's next send fails and the scope can end.
        for recs in rx {
            if failed.is_none() {
                if let Err(e) =
                    score_batch(recs, scorer, &mut build, &mut build_diags, tick, consume)
                {
                    failed = Some(e);
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        }
        let (read, stop) = match reader.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if let Some(e) = failed {
            return Err(e);
        }
        let read = read?;
        Ok(match stop {
            Some(e) => Outcome::NotContiguous(e),
            None => Outcome::Done { read, build },
        })
    });
    diags.append(build_diags);
    outcome
}

/// Whole mode: read everything (then `known(records)`), build the forest,
/// score it, consume it.
pub fn whole(
    src: Source<'_>,
    scorer: Option<&Scorer>,
    diags: &mut Diagnostics,
    known: &dyn Fn(u64),
    tick: &(dyn Fn(u64) + Sync),
    consume: &mut Consume<'_>,
) -> Result<(ReadStats, BuildStats)> {
    let mut records = Vec::new();
    let read = src.read_until(diags, &mut |r| {
        records.push(r);
        ControlFlow::Continue(())
    })?;
    known(records.len() as u64);
    let build = whole_records(records, scorer, diags, tick, consume)?;
    Ok((read, build))
}

/// Whole mode on records already read.
fn whole_records(
    mut records: Vec<RawComment>,
    scorer: Option<&Scorer>,
    diags: &mut Diagnostics,
    tick: &(dyn Fn(u64) + Sync),
    consume: &mut Consume<'_>,
) -> Result<BuildStats> {
    records.shrink_to_fit();
    let forest = forest::build(records, diags)?;
    let scores = match scorer {
        Some(s) => s.score_forest(&forest, tick),
        None => {
            tick(forest.stats.comments);
            Vec::new()
        }
    };
    consume(&forest, &scores)?;
    Ok(forest.stats)
}

/// Partitioned mode, first pass: split the inputs by thread into `n`
/// temporary files. When a record names no thread (its thread comes from
/// its parent chain), the split starts over behind a pass that resolves
/// every record's thread first ([`split_resolved`]); the inputs are then
/// read three times in all (the first attempt usually stops at the first
/// record), or twice when `by_parent` says so already. After that pass the
/// records' memory is known, and the partition count becomes the larger of
/// `n` and what keeps each partition's estimated memory within `budget`
/// (compact formats such as Hacker News items take ~2.5 times their file
/// size in memory). `note` hears of the extra pass. Returns the partitions
/// (their count is `parts.len()`); nothing has been scored or consumed yet.
pub fn partition(
    src: Source<'_>,
    n: usize,
    budget: u64,
    by_parent: bool,
    diags: &mut Diagnostics,
    note: &dyn Fn(&str),
) -> Result<(Partitions, ReadStats)> {
    let restart = |diags: &mut Diagnostics| {
        *diags = Diagnostics::new(diags.is_strict());
        src.restart_progress();
    };
    if !by_parent {
        match spill(src, n, diags)? {
            Ok(done) => return Ok(done),
            Err(e) => note(&format!(
                "{e}; a first pass finds every record's thread through its parent chain"
            )),
        }
        restart(diags);
    }
    let mut read = None;
    let parts = split_resolved::<anyhow::Error>(
        &mut |placing, out| {
            if placing {
                restart(diags);
                read = Some(src.read_until(diags, out)?);
            } else {
                src.read_until(&mut Diagnostics::new(diags.is_strict()), out)?;
            }
            Ok(())
        },
        |res| partition_count(memory_estimate(res.text_bytes(), res.len() as u64), budget).max(n),
        0,
    )?;
    Ok((parts, read.unwrap_or_default()))
}

/// One pass writing the inputs' records into `n` partitions by the thread
/// each names; stops at the first record that names none.
fn spill(
    src: Source<'_>,
    n: usize,
    diags: &mut Diagnostics,
) -> Result<std::result::Result<(Partitions, ReadStats), SpillError>> {
    let mut parts = Partitioner::new(n, None)?;
    let mut failed: Option<SpillError> = None;
    let read = src.read_until(diags, &mut |r| keep_going(parts.push(&r), &mut failed))?;
    match failed {
        Some(e @ SpillError::NoThread(_)) => Ok(Err(e)),
        Some(e) => Err(e.into()),
        None => Ok(Ok((parts.finish()?, read))),
    }
}

/// Partitioned mode, second pass: build, score and consume the partitions.
/// Consecutive partitions are read together while their records' estimated
/// memory (text + 650 bytes each) stays within half the `budget` (they
/// were cut finer than the budget by file size, [`OVERSPLIT`], since a
/// compact format takes more memory than its bytes; half leaves room for
/// what building and scoring a batch adds, and smaller batches cost
/// nothing once the partitions are written); each batch holds whole
/// threads. A single partition over the budget by more than a quarter is
/// split again by thread first ([`Partitions::split`]); a thread is never
/// split, so memory is bounded by the larger of the budget and the largest
/// thread. Returns the build counts and the number of batches built.
pub fn score_partitions(
    parts: &Partitions,
    scorer: Option<&Scorer>,
    budget: u64,
    diags: &mut Diagnostics,
    tick: &dyn Fn(u64),
    consume: &mut Consume<'_>,
) -> Result<(BuildStats, usize)> {
    let mut build = BuildStats::default();
    let mut build_diags = Diagnostics::new(diags.is_strict());
    let mut batches = 0;
    let memory = |k: usize| memory_estimate(parts.text_bytes(k), parts.count(k));
    let mut k = 0;
    while k < parts.len() {
        if budget > 0 && memory(k) > budget + budget / 4 && parts.count(k) > 1 {
            let m = partition_count(memory(k), budget);
            log::info!(
                "partition {k}: ~{} bytes in memory; split again into {m}",
                memory(k)
            );
            let sub = parts.split(k, m)?;
            for j in 0..sub.len() {
                score_batch(
                    sub.read(j)?,
                    scorer,
                    &mut build,
                    &mut build_diags,
                    tick,
                    consume,
                )?;
            }
            batches += sub.len();
            k += 1;
            continue;
        }
        // This partition and the next ones that fit beside it.
        let mut recs = parts.read(k)?;
        let mut held = memory(k);
        k += 1;
        while k < parts.len() && held + memory(k) <= budget / 2 {
            held += memory(k);
            recs.extend(parts.read(k)?);
            k += 1;
        }
        score_batch(recs, scorer, &mut build, &mut build_diags, tick, consume)?;
        batches += 1;
    }
    diags.append(build_diags);
    Ok((build, batches))
}

/// How a run read its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Thread by thread as read.
    Streamed,
    /// Split by thread into this many partitions.
    Partitioned(usize),
    /// Everything in memory.
    Whole,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Streamed => write!(f, "streamed thread by thread"),
            Mode::Partitioned(n) => write!(f, "{n} partitions by thread"),
            Mode::Whole => write!(f, "whole input in memory"),
        }
    }
}

/// What [`run`] produced.
pub struct Run<S> {
    /// The consumer's state after the last batch.
    pub state: S,
    /// Read counts.
    pub read: ReadStats,
    /// Tree counts.
    pub build: BuildStats,
    /// Findings of the run that counted.
    pub diags: Diagnostics,
    /// How the input was read.
    pub mode: Mode,
}

/// The input files, directories expanded (unreadable ones left out).
fn input_files(input: &InputConfig) -> impl Iterator<Item = Input> + '_ {
    input
        .inputs
        .iter()
        .filter_map(|i| i.expand().ok())
        .flat_map(|e| e.files)
}

/// Estimated bytes of the input files' content after decompression, for
/// the partition count (a compressed dump holds several times its size).
fn content_bytes(input: &InputConfig) -> u64 {
    input_files(input)
        .filter_map(|f| f.estimated_content_bytes())
        .sum()
}

/// Total bytes of the input files (stdin counts 0).
fn input_bytes(input: &InputConfig) -> u64 {
    input_files(input)
        .filter_map(|f| match f {
            Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin | Input::Memory { .. } => None,
        })
        .sum()
}

/// Score the inputs into fresh consumer state: streamed when `stream_ok`
/// and the inputs are files, else (or when the inputs turn out not to be
/// contiguous) in whole mode with new state, or partitioned by thread when
/// the inputs are files holding more than `--partition-mb` (0: never) and
/// either their threads interleave or the output cannot be restarted
/// (`stream_ok` false). Inputs that cannot be read twice (stdin, pipes) are read once
/// ([`hold`]): within the budget they run whole, beyond it from a
/// temporary copy of their records like a file. A progress line with
/// comments/s on a terminal unless `quiet`.
pub fn run<S>(
    input: &InputConfig,
    scorer: Option<&Scorer>,
    quiet: bool,
    stream_ok: bool,
    mut fresh: impl FnMut() -> Result<S>,
    consume: impl Fn(&mut S, &Forest, &[Vec<Option<Scored>>]) -> Result<()>,
) -> Result<Run<S>> {
    use std::io::IsTerminal;
    let show = !quiet && std::io::stderr().is_terminal();
    // On a terminal: bytes of the input files read (of their total) and
    // comments scored, each with its rate.
    let counter = Arc::new(AtomicU64::new(0));
    let mut input = input.clone();
    let bar = if show {
        input.read.bytes_read = Some(counter.clone());
        // Standard input and pipes have no size: bytes read and their rate
        // without a bar.
        let total = input_bytes(&input);
        let (pb, template) = if total > 0 && rereadable(&input) {
            (
                ProgressBar::new(total),
                "{msg} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, ETA {eta})",
            )
        } else {
            (
                ProgressBar::no_length(),
                "{spinner} {msg} [{elapsed_precise}] {binary_bytes} read ({binary_bytes_per_sec})",
            )
        };
        pb.set_style(indicatif::ProgressStyle::with_template(template).expect("valid template"));
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        pb
    } else {
        ProgressBar::hidden()
    };
    let t0 = std::time::Instant::now();
    let comments = AtomicU64::new(0);
    // Once the records to score are known (read whole, or partitioned), the
    // bar counts records scored of that total, with an ETA, instead of
    // bytes read (which would sit at 100% while scoring).
    let by_records = std::sync::atomic::AtomicBool::new(false);
    let known = |total: u64| {
        if !show {
            return;
        }
        comments.store(0, Ordering::Relaxed);
        by_records.store(true, Ordering::Relaxed);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} records (ETA {eta})",
            )
            .expect("valid template"),
        );
        bar.set_length(total);
        bar.reset_eta();
        bar.set_position(0);
    };
    let tick = |what: &str, n: u64| {
        let c = comments.fetch_add(n, Ordering::Relaxed) + n;
        let rate = c as f64 / t0.elapsed().as_secs_f64().max(1e-3);
        if by_records.load(Ordering::Relaxed) {
            bar.set_position(c);
            bar.set_message(format!("{what} ({rate:.0}/s)"));
            return;
        }
        bar.set_position(counter.load(Ordering::Relaxed));
        bar.set_message(format!("{what}: {c} records ({rate:.0}/s)"));
    };
    // Comments start over for another pass; bytes read start over with
    // the inputs' own reading ([`Source::restart_progress`]).
    let restart = || comments.store(0, Ordering::Relaxed);
    let note = |m: &str| {
        if !quiet {
            bar.suspend(|| eprintln!("threadlens: note: {m}"));
        }
    };
    let input = &input;
    let drive = Drive {
        scorer,
        quiet,
        stream_ok,
        strict: input.strict,
        budget: input.partition_bytes,
        bar: &bar,
        known: &known,
        tick: &tick,
        restart: &restart,
        note: &note,
    };
    if rereadable(input) || input.partition_bytes == 0 {
        let out = drive.run(Source::Inputs(input), &mut fresh, &consume);
        bar.finish_and_clear();
        return out;
    }
    // Standard input or a pipe: read once, in memory within the budget,
    // else into a temporary copy that later passes read.
    bar.set_message("reading");
    let mut diags = Diagnostics::new(input.strict);
    // The consumer's state is made before reading, as in whole mode (an
    // output's temporary file exists while a pipe is read), and dropped if
    // the records go to a temporary copy instead.
    let early = fresh()?;
    let (held, read) = hold(input, input.partition_bytes, &mut diags, &|n| {
        bar.set_position(counter.load(Ordering::Relaxed));
        bar.set_message(format!("reading: {n} records"));
    })?;
    let out = match held {
        Held::Memory(records) => {
            known(records.len() as u64);
            let mut state = early;
            let build = whole_records(
                records,
                scorer,
                &mut diags,
                &|n| tick("scoring", n),
                &mut |f, s| consume(&mut state, f, s),
            )?;
            Run {
                state,
                read,
                build,
                diags,
                mode: Mode::Whole,
            }
        }
        Held::Stash(parts) => {
            drop(early);
            note(&format!(
                "the input cannot be read twice (standard input or a pipe) and holds more than --partition-mb; its records were copied to a temporary file ({:.1} MB) to be read again",
                parts.bytes() as f64 / 1e6
            ));
            restart();
            let mut run = drive.run(Source::Stash(&parts), &mut fresh, &consume)?;
            // The findings of reading were made while holding; the run adds
            // the tree builder's.
            diags.append(run.diags);
            run.diags = diags;
            run.read = read;
            run
        }
    };
    bar.finish_and_clear();
    Ok(out)
}

/// The parts of a run shared by its passes.
struct Drive<'a> {
    scorer: Option<&'a Scorer>,
    quiet: bool,
    stream_ok: bool,
    strict: bool,
    budget: u64,
    bar: &'a ProgressBar,
    /// The number of records to score is known: progress counts them.
    known: &'a dyn Fn(u64),
    tick: &'a (dyn Fn(&str, u64) + Sync),
    restart: &'a dyn Fn(),
    note: &'a dyn Fn(&str),
}

impl Drive<'_> {
    /// Stream, partition or read whole (see [`run`]) from `src`.
    fn run<S>(
        &self,
        src: Source<'_>,
        fresh: &mut impl FnMut() -> Result<S>,
        consume: &impl Fn(&mut S, &Forest, &[Vec<Option<Scored>>]) -> Result<()>,
    ) -> Result<Run<S>> {
        let (scorer, bar, tick) = (self.scorer, self.bar, self.tick);
        let budget = self.budget;
        let rereadable = src.rereadable();
        // Whether to try partitions: after streaming finds interleaved threads,
        // or straight away when the output cannot be restarted (stdout) and the
        // input is large.
        let mut split = false;
        // Whether records find their thread through their parent chain (known
        // when streaming stopped at one).
        let mut by_parent = false;
        // The inputs' estimated content size, computed at most once (it
        // decompresses a sample of each compressed file).
        let mut content = None::<u64>;
        let mut content_of = || *content.get_or_insert_with(|| src.content_bytes());
        if self.stream_ok && rereadable {
            let mut diags = Diagnostics::new(self.strict);
            let mut state = fresh()?;
            let outcome = stream(
                src,
                scorer,
                &mut diags,
                &|n| tick("streaming", n),
                &mut |f, s| consume(&mut state, f, s),
            )?;
            match outcome {
                Outcome::Done { read, build } => {
                    return Ok(Run {
                        state,
                        read,
                        build,
                        diags,
                        mode: Mode::Streamed,
                    });
                }
                Outcome::NotContiguous(e) => {
                    drop(state);
                    (self.restart)();
                    src.restart_progress();
                    split = budget > 0 && content_of() > budget;
                    by_parent = matches!(e, NotContiguous::NoThread { .. });
                    let then = match (split, by_parent) {
                        (true, false) => {
                            "splitting the input by thread into partitions (--partition-mb)"
                        }
                        (true, true) => "splitting the input by thread into partitions (--partition-mb), after a pass that finds every record's thread",
                        _ => {
                            "reading the whole input first (memory grows with the dump; group records by thread to stream)"
                        }
                    };
                    if !self.quiet {
                        (self.note)(&format!("{e}; {then}"));
                    }
                }
            }
        } else if rereadable && budget > 0 && content_of() > budget {
            split = true;
        }
        if split {
            let n =
                (partition_count(content_of(), budget) * OVERSPLIT).min(MAX_PARTITIONS as usize);
            let mut diags = Diagnostics::new(self.strict);
            bar.set_message("partitioning by thread");
            let (parts, read) = partition(src, n, budget, by_parent, &mut diags, self.note)?;
            (self.known)(read.records);
            let mut state = fresh()?;
            let (build, n) = score_partitions(
                &parts,
                scorer,
                budget,
                &mut diags,
                &|c| tick("scoring partitions", c),
                &mut |f, s| consume(&mut state, f, s),
            )?;
            return Ok(Run {
                state,
                read,
                build,
                diags,
                mode: Mode::Partitioned(n),
            });
        }
        let mut diags = Diagnostics::new(self.strict);
        let mut state = fresh()?;
        bar.set_message("reading the whole input");
        let (read, build) = whole(
            src,
            scorer,
            &mut diags,
            self.known,
            &|n| tick("scoring", n),
            &mut |f, s| consume(&mut state, f, s),
        )?;
        Ok(Run {
            state,
            read,
            build,
            diags,
            mode: Mode::Whole,
        })
    }
}

//! `threadlens score`: every comment of a dump with P(uncivil), its stance
//! toward the parent and the features behind the score, as JSON lines or
//! CSV, in tree order. Model loading and the thread scoring shared with
//! `report` live here too.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::cli::{ModelArgs, ScoreArgs};
use threadlens::analyze::models::{load_scorer, ModelChoice};
use threadlens::analyze::render::{csv_safe, stance_label};
use threadlens::analyze::rows;
use threadlens::analyze::score::{Explain, Scored, Scorer};
use threadlens::classify::CharReasons;
use threadlens::forest::Forest;
use threadlens::output::write_atomic;
use threadlens::output::Output;

/// Load the models named by the options.
pub fn scorer(a: &ModelArgs) -> Result<Scorer> {
    let Some(explain) = Explain::from_name(&a.explain) else {
        bail!("--explain {:?}: expected flagged, all or none", a.explain);
    };
    let char_reasons = match a.char_reasons.as_str() {
        "words" => CharReasons::Words,
        "ngrams" => CharReasons::Ngrams,
        o => bail!("--char-reasons {o:?}: expected words or ngrams"),
    };
    Ok(load_scorer(&ModelChoice {
        models: a.models.clone(),
        incivility: a.incivility_model.clone(),
        stance: a.stance_model.clone(),
        no_stance: a.no_stance,
        no_attributes: a.no_attributes,
        no_domains: a.no_domains,
        threshold: a.threshold,
        explain,
        top: a.top_features,
        char_reasons,
    })?)
}

/// Threads' rows serialised together on one core (~16k comments).
const ROWS_PER_CHUNK: usize = 1024;

/// Write the rows of a scored batch: serialised on all cores in chunks of
/// whole threads, written in order.
fn write_jsonl(
    forest: &Forest,
    scores: &[Vec<Option<Scored>>],
    ctx: &rows::RowContext<'_>,
    out: &mut Background,
) -> Result<()> {
    use rayon::prelude::*;
    // Consecutive threads of about ROWS_PER_CHUNK rows each.
    let mut chunks = Vec::new();
    let (mut start, mut rows) = (0, 0);
    for (i, t) in forest.threads.iter().enumerate() {
        rows += t.nodes.len();
        if rows >= ROWS_PER_CHUNK {
            chunks.push(start..i + 1);
            (start, rows) = (i + 1, 0);
        }
    }
    chunks.push(start..forest.threads.len());
    // A batch's worth of rows at a time (whole mode hands over the whole
    // forest: its rows are not all held as text at once).
    for group in chunks.chunks(CHUNKS_AT_ONCE) {
        let bufs: Result<Vec<Vec<u8>>> = group
            .par_iter()
            .map(|r| {
                // Rows are ~400-700 bytes.
                let mut buf = Vec::with_capacity(ROWS_PER_CHUNK * 640);
                rows::jsonl_rows(
                    &forest.threads[r.clone()],
                    &scores[r.clone()],
                    ctx,
                    &mut buf,
                )?;
                Ok(buf)
            })
            .collect();
        out.write(bufs?)?;
    }
    Ok(())
}

/// Chunks of rows serialised before they are written (~16k rows).
const CHUNKS_AT_ONCE: usize = 16;

const CSV_HEADER: [&str; 18] = [
    "thread",
    "id",
    "parent",
    "depth",
    "kind",
    "author",
    "incivility",
    "uncivil",
    "domain",
    "p_agree",
    "p_disagree",
    "p_query",
    "p_comment",
    "stance_label",
    "reasons",
    "stance_reasons",
    "attribute_reasons",
    "source",
];

/// Where `--include-text` puts the text column: after `author`.
const TEXT_AT: usize = 6;

fn csv_header(names: &[String], include_text: bool) -> Vec<&str> {
    let at = CSV_HEADER
        .iter()
        .position(|&c| c == "domain")
        .expect("listed")
        + 1;
    let mut h: Vec<&str> = CSV_HEADER[..at].to_vec();
    if include_text {
        h.insert(TEXT_AT, "text");
    }
    h.extend(names.iter().map(String::as_str));
    h.extend_from_slice(&CSV_HEADER[at..]);
    h
}

fn write_csv<W: Write>(
    forest: &Forest,
    scores: &[Vec<Option<Scored>>],
    names: &[String],
    include_text: bool,
    w: &mut csv::Writer<W>,
) -> Result<()> {
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    let list = |c: &[threadlens::classify::Contribution]| {
        csv_safe(
            &c.iter()
                .map(|c| format!("{} {:+.3}", c.feature, c.weight))
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    for (t, sc) in forest.threads.iter().zip(scores) {
        for (i, (n, s)) in t.nodes.iter().zip(sc).enumerate() {
            let p = s.as_ref().and_then(|s| s.stance);
            let kind = serde_json::to_value(n.rec.kind)?;
            let attributes =
                (0..names.len()).map(|j| f(s.as_ref().and_then(|s| s.attributes.get(j).copied())));
            let record = [
                csv_safe(&t.id),
                csv_safe(&n.rec.id),
                csv_safe(t.parent_id(i).unwrap_or("")),
                n.depth.to_string(),
                kind.as_str().unwrap_or("").to_string(),
                csv_safe(n.rec.author.as_deref().unwrap_or("")),
                f(s.as_ref().map(|s| s.incivility)),
                s.as_ref()
                    .map_or(String::new(), |s| u8::from(s.uncivil).to_string()),
                s.as_ref().and_then(|s| s.domain).unwrap_or("").to_string(),
                f(p.map(|p| p[0])),
                f(p.map(|p| p[1])),
                f(p.map(|p| p[2])),
                f(p.map(|p| p[3])),
                stance_label(s.as_ref().and_then(|s| s.stance_label)).to_string(),
                s.as_ref().map_or(String::new(), |s| list(&s.reasons)),
                s.as_ref()
                    .map_or(String::new(), |s| list(&s.stance_reasons)),
                // `insult: word:idiot +2.100; ... | profanity: ...`
                s.as_ref().map_or(String::new(), |s| {
                    csv_safe(
                        &names
                            .iter()
                            .zip(&s.attribute_reasons)
                            .filter(|(_, r)| !r.is_empty())
                            .map(|(n, r)| format!("{n}: {}", list(r)))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    )
                }),
                csv_safe(&n.rec.source.to_string()),
            ];
            // The text after `author`, the attribute columns after `domain`.
            let text = include_text.then(|| csv_safe(&n.rec.text));
            let (head, tail) = record.split_at(9);
            let (ids, scores) = head.split_at(TEXT_AT);
            w.write_record(
                ids.iter()
                    .cloned()
                    .chain(text)
                    .chain(scores.iter().cloned())
                    .chain(attributes)
                    .chain(tail.iter().cloned()),
            )?;
        }
    }
    Ok(())
}

fn is_csv(p: Option<&Path>) -> bool {
    p.and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Where score rows go.
enum Rows {
    Jsonl(Background),
    Csv(Box<csv::Writer<Output>>),
}

/// An output written on a thread of its own: serialised rows are handed
/// over a batch at a time and written while the next batch is scored
/// (writing ~170 MB of rows took ~0.27 s of a 3 s run on one core while
/// the others waited). One batch is handed over at a time (a rendezvous
/// channel): memory holds at most the batch being written and the one
/// being handed over.
struct Background {
    tx: Option<std::sync::mpsc::SyncSender<Vec<Vec<u8>>>>,
    done: Option<std::thread::JoinHandle<std::io::Result<Output>>>,
}

impl Background {
    fn new(mut out: Output) -> Result<Background> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(0);
        let done = std::thread::Builder::new()
            .name("threadlens-writer".into())
            .spawn(move || {
                for bufs in rx {
                    for b in bufs {
                        out.write_all(&b)?;
                    }
                    // To the disk while the next batch is scored: the sync
                    // at the end of a 170 MB output took ~40 ms otherwise.
                    out.sync_so_far()?;
                }
                Ok(out)
            })?;
        Ok(Background {
            tx: Some(tx),
            done: Some(done),
        })
    }

    /// Hand rows over; a write that failed is reported here (the thread
    /// stopped) or by [`Background::finish`].
    fn write(&mut self, bufs: Vec<Vec<u8>>) -> Result<()> {
        let sent = self.tx.as_ref().map(|tx| tx.send(bufs));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => Err(self
                .join()
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the writer stopped"))),
        }
    }

    /// Wait for every row to be written; the output back.
    fn finish(mut self) -> Result<Output> {
        self.join()
    }

    fn join(&mut self) -> Result<Output> {
        self.tx = None;
        match self.done.take().map(|h| h.join()) {
            Some(Ok(r)) => Ok(r?),
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Err(anyhow::anyhow!("the writer stopped")),
        }
    }
}

impl Drop for Background {
    /// A run that starts again (streaming fell back to whole mode) or
    /// fails: the thread ends and drops its output (an atomic file's
    /// temporary is removed).
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.done.take() {
            let _ = h.join();
        }
    }
}

/// Rows written and flagged, with the writer.
struct Written {
    rows: Rows,
    scored: usize,
    flagged: usize,
}

/// Where `score -o FILE` writes the models' hashes: `FILE.models.json`.
pub fn sidecar_path(output: &Path) -> std::path::PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".models.json");
    s.into()
}

pub fn run(a: &ScoreArgs, quiet: bool) -> Result<ExitCode> {
    let input = a.input.resolve()?;
    // Rows are JSON lines or CSV: any other extension is a mistake to say
    // now, not a file of JSON lines under a name that promises otherwise.
    if let Some(ext) = a.output.as_deref().and_then(|p| p.extension()) {
        let e = ext.to_string_lossy().to_ascii_lowercase();
        if !matches!(e.as_str(), "jsonl" | "ndjson" | "json" | "csv" | "txt") {
            bail!(
                "{}: score writes JSON lines (.jsonl) or CSV (.csv); .{e} is not a format it writes",
                a.output.as_deref().unwrap_or(Path::new("")).display()
            );
        }
    }
    let scorer = scorer(&a.models)?;
    let t0 = std::time::Instant::now();
    let names = rows::attribute_names(&scorer);
    let ctx = rows::RowContext {
        names: &names,
        include_text: a.include_text,
    };
    let csv_out = is_csv(a.output.as_deref());
    let fresh = || -> Result<Written> {
        let out = Output::create(a.output.as_deref())?;
        let rows = if csv_out {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(csv_header(&names, a.include_text))?;
            Rows::Csv(Box::new(w))
        } else {
            Rows::Jsonl(Background::new(out)?)
        };
        Ok(Written {
            rows,
            scored: 0,
            flagged: 0,
        })
    };
    // Streaming may fall back to whole mode and write again from the
    // start: only an atomic file output can be taken back.
    let atomic = Output::is_atomic(a.output.as_deref());
    let run = super::pipeline::run(&input, Some(&scorer), quiet, atomic, fresh, |w, f, sc| {
        for s in sc {
            w.scored += s.iter().filter(|x| x.is_some()).count();
            w.flagged += s.iter().flatten().filter(|x| x.uncivil).count();
        }
        match &mut w.rows {
            Rows::Jsonl(out) => write_jsonl(f, sc, &ctx, out),
            Rows::Csv(cw) => write_csv(f, sc, &names, a.include_text, cw),
        }
    })?;
    let Written {
        rows,
        scored,
        flagged,
    } = run.state;
    let out = match rows {
        Rows::Jsonl(o) => o.finish()?,
        Rows::Csv(w) => w
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing CSV: {}", e.error()))?,
    };
    out.finish()?;
    // The models' hashes, once per file: a sidecar beside the rows.
    let sidecar = a.output.as_deref().filter(|_| atomic).map(sidecar_path);
    if let Some(p) = &sidecar {
        let mut j = serde_json::to_vec_pretty(&rows::RunHeader::of(&scorer, &names))?;
        j.push(b'\n');
        write_atomic(p, &j)?;
    }
    super::report_diagnostics(&input, &run.build, &run.read, &run.diags, quiet)?;
    if !quiet {
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "threadlens: scored {scored} records in {secs:.2} s ({:.0}/s, {}); {flagged} at or over the threshold {:.3}",
            scored as f64 / secs.max(1e-9),
            run.mode,
            scorer.threshold()
        );
        let (hi, hs) = scorer.hashes();
        match &sidecar {
            Some(p) => eprintln!("threadlens: models' hashes in {}", p.display()),
            None => eprintln!(
                "threadlens: models: incivility {hi}, stance {}",
                hs.unwrap_or("none")
            ),
        }
    }
    Ok(super::exit_code(&run.diags, &run.read))
}

//! `threadlens report`: score a dump and write the moderation and
//! debate-dynamics report as HTML, Markdown or JSON (by the output's
//! extension), optionally the whole moderation queue as CSV, and with
//! `--gold` the same corpus numbers computed from gold labels beside the
//! predicted ones. `--partial` writes the report's mergeable state instead,
//! and `threadlens merge` builds the report from such parts (a dump split
//! by thread, e.g. by Spark): byte for byte the report of the whole.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use std::path::Path;

use crate::cli::{MergeArgs, ReportArgs};
use threadlens::analyze::render;
use threadlens::analyze::report::{Corpus, Models, Report, ReportBuilder, ReportOptions};
use threadlens::analyze::score::Scored;
use threadlens::classify::data::binary_label;
use threadlens::forest::Forest;
use threadlens::ingest::Input;
use threadlens::output::write_atomic;

#[derive(Serialize)]
struct WithGold<'a> {
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    gold: Option<&'a Gold>,
}

/// Corpus numbers from gold labels.
#[derive(Serialize)]
struct Gold {
    file: String,
    /// Comments with a gold label (the others count as civil).
    labeled: u64,
    /// Gold labels whose id is not in the dump.
    unmatched: u64,
    corpus: Corpus,
}

/// `id,label` rows of a gold-label CSV (other columns ignored).
fn read_gold(path: &std::path::Path) -> Result<HashMap<String, bool>> {
    let name = path.display();
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("{name}: cannot open gold labels"))?;
    let hdr = r
        .headers()
        .with_context(|| format!("{name}:1: cannot read the header"))?
        .clone();
    let col = |want: &str| hdr.iter().position(|h| h.trim() == want);
    let (Some(id), Some(label)) = (col("id"), col("label")) else {
        bail!(
            "{name}:1: gold labels need `id` and `label` columns (header: {})",
            hdr.iter().collect::<Vec<_>>().join(",")
        );
    };
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.with_context(|| format!("{name}: malformed CSV"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let v = &rec[label];
        let Some(b) = binary_label(v, None) else {
            bail!("{name}:{line}: unknown label {v:?} (expected 0/1, true/false, ...)");
        };
        out.insert(rec[id].to_string(), b);
    }
    Ok(out)
}

/// Gold labels and the report built from them, batch by batch.
struct GoldRun {
    file: String,
    labels: HashMap<String, bool>,
    labeled: u64,
    builder: ReportBuilder,
}

impl GoldRun {
    /// Score a batch with the gold labels (unlabeled comments count as
    /// civil; stance stays the model's) and add it.
    fn add(&mut self, forest: &Forest, scores: &[Vec<Option<Scored>>]) {
        let gold_scores: Vec<Vec<Option<Scored>>> = forest
            .threads
            .iter()
            .zip(scores)
            .map(|(t, sc)| {
                t.nodes
                    .iter()
                    .zip(sc)
                    .map(|(n, s)| {
                        s.as_ref().map(|s| {
                            let g = self.labels.get(n.rec.id.as_str()).copied();
                            self.labeled += u64::from(g.is_some());
                            let p = if g == Some(true) { 1.0 } else { 0.0 };
                            Scored {
                                incivility: p,
                                attributes: s.attributes.clone(),
                                domain: None,
                                uncivil: p >= 0.5,
                                stance: s.stance,
                                stance_label: s.stance_label,
                                reasons: Vec::new(),
                                attribute_reasons: Vec::new(),
                                stance_reasons: Vec::new(),
                            }
                        })
                    })
                    .collect()
            })
            .collect();
        self.builder.add_forest(forest, &gold_scores);
    }

    fn finish(self) -> Gold {
        let n = self.labels.len() as u64;
        Gold {
            file: self.file,
            labeled: self.labeled,
            unmatched: n - self.labeled.min(n),
            corpus: self.builder.finish().corpus,
        }
    }
}

/// What the report run accumulates.
struct State {
    report: ReportBuilder,
    gold: Option<GoldRun>,
}

/// The report format named by `--output-format` or the output's extension.
fn report_format(output: &Path, format: Option<&str>) -> Result<String> {
    let to_stdout = output.as_os_str() == "-";
    let ext = match format {
        Some(f) => f.to_ascii_lowercase(),
        None if to_stdout => "html".into(),
        None => output
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default(),
    };
    if !matches!(ext.as_str(), "html" | "htm" | "md" | "markdown" | "json") {
        bail!(
            "{}: the report is written as html, md or json (by extension, or --output-format)",
            output.display()
        );
    }
    Ok(ext)
}

/// Render `report` as `ext` to `output` (`-`: standard output), and the
/// queue CSV if asked.
fn write_report(
    report: &Report,
    gold: Option<&Gold>,
    ext: &str,
    output: &Path,
    queue_csv: Option<&Path>,
    queue_rows: usize,
    thread_rows: usize,
) -> Result<()> {
    let bytes = match ext {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&WithGold { report, gold })?;
            v.push(b'\n');
            v
        }
        "md" | "markdown" => {
            let mut s = render::markdown(report, queue_rows, thread_rows);
            if let Some(g) = gold {
                s.push_str(&gold_markdown(g, report));
            }
            s.into_bytes()
        }
        _ => render::html(report, queue_rows, thread_rows).into_bytes(),
    };
    if output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        write_atomic(output, &bytes)?;
    }
    if let Some(q) = queue_csv {
        write_atomic(q, &render::queue_csv(report)?)?;
    }
    Ok(())
}

/// What `report --partial` writes: the report builder's state and what
/// `merge` needs besides (the table sizes to render, the records read).
#[derive(Serialize, serde::Deserialize)]
struct Partial {
    /// Format version of partial files.
    threadlens_partial: u32,
    /// `threadlens <version>` (merge refuses partials of other versions).
    created_by: String,
    /// Queue and thread rows shown (`--queue`, `--threads`).
    queue_rows: usize,
    thread_rows: usize,
    /// Records read and rejected in this part.
    records: u64,
    rejected: u64,
    builder: ReportBuilder,
}

/// `threadlens merge`: the report of the union of the partials' threads.
pub fn merge(a: &MergeArgs, quiet: bool) -> Result<ExitCode> {
    let ext = report_format(&a.output, a.output_format.as_deref())?;
    let version = format!("threadlens {}", env!("CARGO_PKG_VERSION"));
    let mut total: Option<Partial> = None;
    for p in &a.partials {
        let name = p.display();
        let r = Input::Path(p.clone())
            .open()
            .with_context(|| format!("{name}: cannot open"))?;
        let part: Partial = serde_json::from_reader(r).with_context(|| {
            format!("{name}: not a partial report (threadlens report --partial)")
        })?;
        if part.threadlens_partial != 1 || part.created_by != version {
            bail!(
                "{name}: a partial report of {} (format {}); this is {version}",
                part.created_by,
                part.threadlens_partial
            );
        }
        match &mut total {
            None => total = Some(part),
            Some(t) => {
                if (t.queue_rows, t.thread_rows) != (part.queue_rows, part.thread_rows) {
                    bail!(
                        "{name}: made with other --queue/--threads than {}",
                        a.partials[0].display()
                    );
                }
                t.records += part.records;
                t.rejected += part.rejected;
                t.builder
                    .merge(part.builder)
                    .with_context(|| format!("{name} and {}", a.partials[0].display()))?;
            }
        }
    }
    let total = total.expect("clap requires one partial");
    let report = total.builder.finish();
    write_report(
        &report,
        None,
        &ext,
        &a.output,
        a.queue_csv.as_deref(),
        total.queue_rows,
        total.thread_rows,
    )?;
    if !quiet {
        let c = &report.corpus;
        eprintln!(
            "threadlens: merged {} partial reports: {} records read, {} rejected; {} threads, {} comments ({} uncivil at {:.3}) → {}",
            a.partials.len(),
            total.records,
            total.rejected,
            c.threads,
            c.comments,
            c.uncivil,
            report.threshold,
            a.output.display()
        );
    }
    Ok(if total.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn run(a: &ReportArgs, quiet: bool) -> Result<ExitCode> {
    let input = a.input.resolve()?;
    let ext = match &a.output {
        Some(o) => Some(report_format(o, a.output_format.as_deref())?),
        None => None,
    };
    let scorer = super::score::scorer(&a.models)?.without_stance_reasons();
    let t0 = std::time::Instant::now();
    let (hi, hs) = scorer.hashes();
    let models = Models {
        incivility: hi.to_string(),
        stance: hs.map(str::to_string),
    };
    let attributes = threadlens::analyze::rows::attribute_names(&scorer);
    let queue_sort = match &a.queue_sort {
        None => None,
        Some(s) => threadlens::analyze::report::queue_sort(&s.to_ascii_lowercase(), &attributes)
            .map_err(|e| anyhow::anyhow!("--queue-sort {e}"))?,
    };
    // The queue by a head holds the comments that head flags.
    let queue_sort_threshold = queue_sort
        .as_deref()
        .and_then(|k| scorer.attribute_threshold(k));
    let opt = ReportOptions {
        threshold: scorer.threshold(),
        attributes,
        queue_sort,
        queue_sort_threshold,
        trees: a.trees,
        threads: a.json_threads.0,
        queue_trees: a.queue,
        // The queue CSV lists every flagged comment; otherwise the report
        // keeps the top of the queue it shows.
        queue: if a.queue_csv.is_some() {
            None
        } else {
            Some(a.queue)
        },
        ..Default::default()
    };
    let labels = match &a.gold {
        Some(p) => Some((p.display().to_string(), read_gold(p)?)),
        None => None,
    };
    let fresh = || -> Result<State> {
        Ok(State {
            report: ReportBuilder::new(models.clone(), opt.clone()),
            gold: labels.as_ref().map(|(file, labels)| GoldRun {
                file: file.clone(),
                labels: labels.clone(),
                labeled: 0,
                builder: ReportBuilder::new(
                    models.clone(),
                    ReportOptions {
                        threshold: 0.5,
                        trees: 0,
                        queue_trees: 0,
                        queue: Some(0),
                        ..opt.clone()
                    },
                ),
            }),
        })
    };
    let run = super::pipeline::run(&input, Some(&scorer), quiet, true, fresh, |st, f, sc| {
        st.report.add_forest(f, sc);
        if let Some(g) = &mut st.gold {
            g.add(f, sc);
        }
        Ok(())
    })?;
    if let Some(p) = &a.partial {
        let part = Partial {
            threadlens_partial: 1,
            created_by: format!("threadlens {}", env!("CARGO_PKG_VERSION")),
            queue_rows: a.queue,
            thread_rows: a.threads,
            records: run.read.records,
            rejected: run.diags.rejected(),
            builder: run.state.report,
        };
        let mut v = serde_json::to_vec(&part)?;
        v.push(b'\n');
        write_atomic(p, &v)?;
        super::report_diagnostics(&input, &run.build, &run.read, &run.diags, quiet)?;
        if !quiet {
            eprintln!(
                "threadlens: partial report of {} records in {:.2} s ({}) → {}",
                run.read.records,
                t0.elapsed().as_secs_f64(),
                run.mode,
                p.display()
            );
        }
        return Ok(super::exit_code(&run.diags, &run.read));
    }
    let output = a.output.as_deref().expect("clap: --output or --partial");
    let report = run.state.report.finish();
    let gold = run.state.gold.map(GoldRun::finish);
    write_report(
        &report,
        gold.as_ref(),
        ext.as_deref().unwrap_or("html"),
        output,
        a.queue_csv.as_deref(),
        a.queue,
        a.threads,
    )?;
    super::report_diagnostics(&input, &run.build, &run.read, &run.diags, quiet)?;
    if !quiet {
        let c = &report.corpus;
        eprintln!(
            "threadlens: report of {} threads, {} comments ({} uncivil at {:.3}) in {:.2} s ({}) → {}",
            c.threads,
            c.comments,
            c.uncivil,
            report.threshold,
            t0.elapsed().as_secs_f64(),
            run.mode,
            output.display()
        );
        if let Some(g) = &gold {
            eprintln!(
                "threadlens: gold labels: {} matched, {} unmatched; lift gold {} vs predicted {}",
                g.labeled,
                g.unmatched,
                g.corpus
                    .lift
                    .map_or("–".into(), |l| format!("{:.3}", l.value)),
                c.lift.map_or("–".into(), |l| format!("{:.3}", l.value)),
            );
        }
    }
    Ok(super::exit_code(&run.diags, &run.read))
}

fn gold_markdown(g: &Gold, r: &Report) -> String {
    let f = |v: Option<threadlens::analyze::report::Interval>| {
        v.map_or("–".to_string(), |v| {
            format!("{:.4} ({:.4} – {:.4})", v.value, v.low, v.high)
        })
    };
    format!(
        "\n## Gold labels vs predicted\n\n{} comments labeled in {}.\n\n| measure | gold | predicted |\n|---|---|---|\n| share uncivil | {} | {} |\n| P(uncivil \\| parent uncivil) | {} | {} |\n| P(uncivil \\| parent civil) | {} | {} |\n| contagion lift | {} | {} |\n",
        g.labeled,
        render::md_escape(&g.file),
        f(Some(g.corpus.uncivil_share)),
        f(Some(r.corpus.uncivil_share)),
        f(g.corpus.p_after_uncivil),
        f(r.corpus.p_after_uncivil),
        f(g.corpus.p_after_civil),
        f(r.corpus.p_after_civil),
        f(g.corpus.lift),
        f(r.corpus.lift),
    )
}

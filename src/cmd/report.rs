//! `threadlens report`: score a dump and write the moderation and
//! debate-dynamics report as HTML, Markdown or JSON (by the output's
//! extension), optionally the whole moderation queue as CSV, and with
//! `--gold` the same corpus numbers computed from gold labels beside the
//! predicted ones.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cli::ReportArgs;
use threadlens::analyze::render;
use threadlens::analyze::report::{Corpus, Models, Report, ReportBuilder, ReportOptions};
use threadlens::analyze::score::Scored;
use threadlens::classify::data::binary_label;
use threadlens::forest::Forest;
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
                                uncivil: p >= 0.5,
                                stance: s.stance,
                                stance_label: s.stance_label,
                                reasons: Vec::new(),
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

pub fn run(a: &ReportArgs, quiet: bool) -> Result<ExitCode> {
    let input = a.input.resolve()?;
    let to_stdout = a.output.as_os_str() == "-";
    let ext = match &a.output_format {
        Some(f) => f.to_ascii_lowercase(),
        None if to_stdout => "html".into(),
        None => a
            .output
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default(),
    };
    if !matches!(ext.as_str(), "html" | "htm" | "md" | "markdown" | "json") {
        bail!(
            "{}: the report is written as html, md or json (by extension, or --output-format)",
            a.output.display()
        );
    }
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
    let opt = ReportOptions {
        threshold: scorer.threshold(),
        attributes,
        queue_sort,
        trees: a.trees,
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
    let report = run.state.report.finish();
    let gold = run.state.gold.map(GoldRun::finish);
    let bytes = match ext.as_str() {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&WithGold {
                report: &report,
                gold: gold.as_ref(),
            })?;
            v.push(b'\n');
            v
        }
        "md" | "markdown" => {
            let mut s = render::markdown(&report, a.queue, a.threads);
            if let Some(g) = &gold {
                s.push_str(&gold_markdown(g, &report));
            }
            s.into_bytes()
        }
        _ => render::html(&report, a.queue, a.threads).into_bytes(),
    };
    if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        write_atomic(&a.output, &bytes)?;
    }
    if let Some(q) = &a.queue_csv {
        write_atomic(q, &render::queue_csv(&report)?)?;
    }
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
            a.output.display()
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

//! `threadlens train` and `threadlens tokenizer`: labeled CSV → model file.

use std::io::IsTerminal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::{LabeledArgs, TokenizerArgs, TrainArgs};
use threadlens::classify::artifact::{file_sha256, DataSource};
use threadlens::classify::data::{self, Columns, LabeledRow, STANCE_LABELS};
use threadlens::classify::train::{self, Example, Progress, TrainParams};
use threadlens::classify::{metrics, Model, Task};
use threadlens::features::normalize::normalized;
use threadlens::features::{Embedding, FeatureConfig, Featurizer, Tokens};

/// The tokenizer `train` uses when `--tokenizer` is not given, if present.
pub const DEFAULT_TOKENIZER: &str = "models/tokenizer.json";

/// An indicatif bar on a terminal, nothing otherwise.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let pb = ProgressBar::new(0);
        pb.set_style(
            ProgressStyle::with_template(
                "{msg:>14} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
            )
            .expect("valid template"),
        );
        Bar(pb)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        self.0.set_message(name.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// Labeled rows of one file with their classes.
pub struct Loaded {
    pub file: PathBuf,
    pub rows: Vec<LabeledRow>,
    pub classes: Vec<u32>,
}

impl Loaded {
    /// Every row as an example of weight 1 (empty texts included).
    pub fn examples(&self) -> Vec<Example<'_>> {
        self.rows
            .iter()
            .zip(&self.classes)
            .map(|(r, &c)| Example {
                text: &r.text,
                parent: &r.parent,
                class: c,
                weight: 1.0,
                source: 0,
            })
            .collect()
    }
}

/// Class names of a task.
pub fn task_labels(task: Task) -> Vec<String> {
    match task {
        Task::Incivility => vec!["civil".into(), "uncivil".into()],
        Task::Stance => STANCE_LABELS.iter().map(|s| s.to_string()).collect(),
    }
}

/// Read a labeled file and map its labels; unknown labels are errors with
/// file and line.
pub fn load(path: &Path, task: Task, la: &LabeledArgs) -> Result<Loaded> {
    let cols = Columns {
        text: la.text_col.clone(),
        label: la.label_col.clone(),
        parent: Some(la.parent_col.clone()),
        parent_required: task == Task::Stance,
        id: "id".into(),
        ..Default::default()
    };
    let rows = data::read(path, &cols, la.max_record_bytes)?;
    let mut classes = Vec::with_capacity(rows.len());
    for r in &rows {
        let c = match task {
            Task::Incivility => {
                data::binary_label(&r.label, la.positive_label.as_deref()).map(u32::from)
            }
            Task::Stance => data::stance_label(&r.label).map(|c| c as u32),
        };
        let Some(c) = c else {
            let expected = match task {
                Task::Incivility => {
                    "0/1, true/false, yes/no, toxic/civil, ... or set --positive-label"
                }
                Task::Stance => "agree/disagree/query/comment or support/deny/query/comment",
            };
            bail!(
                "{}:{}: unknown label {:?}; expected {expected}",
                path.display(),
                r.line,
                r.label
            );
        };
        classes.push(c);
    }
    Ok(Loaded {
        file: path.to_path_buf(),
        rows,
        classes,
    })
}

/// Report empty-text rows (file:line); with `--strict` they are an error.
pub fn check_empty(l: &Loaded, strict: bool, quiet: bool, action: &str) -> Result<usize> {
    let empty: Vec<u64> = l
        .rows
        .iter()
        .filter(|r| r.text.trim().is_empty())
        .map(|r| r.line)
        .collect();
    if let Some(&first) = empty.first() {
        if strict {
            bail!(
                "{}:{first}: empty text ({} rows with empty text; drop --strict to {action} them)",
                l.file.display(),
                empty.len()
            );
        }
        if !quiet {
            let shown: Vec<String> = empty.iter().take(5).map(|n| n.to_string()).collect();
            eprintln!(
                "threadlens: {}: {} rows with empty text ({action}): lines {}{}",
                l.file.display(),
                empty.len(),
                shown.join(", "),
                if empty.len() > 5 { ", ..." } else { "" }
            );
        }
    }
    Ok(empty.len())
}

fn load_tokenizer(path: &Path) -> Result<Tokens> {
    let json = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Tokens::from_json(&json).with_context(|| format!("{}", path.display()))
}

/// Metrics of a model on examples, as JSON. For stance, rows without a
/// parent text are source posts: decided by [`Model::source_stance`], and
/// when there are any, `replies_only` has the metrics of the other rows
/// (and `source_posts` their count).
pub fn evaluate(model: &Model, ex: &[Example<'_>]) -> (serde_json::Value, Vec<Vec<f64>>) {
    let probs = train::predict(model, ex);
    let v = if model.labels.len() == 2 {
        let y: Vec<bool> = ex.iter().map(|e| e.class == 1).collect();
        let p: Vec<f64> = probs.iter().map(|p| p[1]).collect();
        serde_json::to_value(metrics::binary(&y, &p, model.threshold)).expect("serialisable")
    } else {
        let source = |e: &Example<'_>| model.task == Task::Stance && e.parent.trim().is_empty();
        let y: Vec<usize> = ex.iter().map(|e| e.class as usize).collect();
        let pred: Vec<usize> = probs
            .iter()
            .zip(ex)
            .map(|(p, e)| {
                source(e)
                    .then(|| model.source_stance(e.text))
                    .flatten()
                    .unwrap_or_else(|| model.decide(p))
            })
            .collect();
        let mut v = serde_json::to_value(metrics::multiclass(&model.labels, &y, &pred))
            .expect("serialisable");
        let sources = ex.iter().filter(|e| source(e)).count();
        if sources > 0 {
            let (y, pred): (Vec<usize>, Vec<usize>) = ex
                .iter()
                .zip(y.iter().zip(&pred))
                .filter(|(e, _)| !source(e))
                .map(|(_, (&y, &p))| (y, p))
                .unzip();
            v["source_posts"] = sources.into();
            v["replies_only"] = serde_json::to_value(metrics::multiclass(&model.labels, &y, &pred))
                .expect("serialisable");
        }
        v
    };
    (v, probs)
}

/// Name of a training source: the folder for `<task>/train.csv`, else the file stem.
fn source_name(p: &Path) -> String {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    match (stem.as_str(), p.parent().and_then(|d| d.file_name())) {
        ("train" | "test" | "dev", Some(d)) => d.to_string_lossy().to_string(),
        _ => stem,
    }
}

pub fn run(a: &TrainArgs, quiet: bool) -> Result<ExitCode> {
    let task: Task = a.task.parse().map_err(anyhow::Error::msg)?;
    if let Some(h) = a.holdout {
        if !(h > 0.0 && h < 1.0) {
            bail!("--holdout must be a fraction between 0 and 1");
        }
    }
    let params = TrainParams {
        c: a.c,
        folds: a.folds,
        min_df: a.min_df,
        max_iters: a.max_iters,
        nb: !a.no_nb,
        source_intercepts: a.source_intercepts,
        nb_within_sources: a.nb_within_files,
        ..Default::default()
    };
    params.check()?;
    let config = FeatureConfig {
        word_bits: a.word_bits,
        char_bits: a.char_bits,
        char_ngrams: a.char_ngrams.unwrap_or(task != Task::Stance),
        normalize: threadlens::features::NormalizeConfig {
            fold_spelling: a
                .fold_spelling
                .then(|| threadlens::features::spelling::Spelling::builtin().fingerprint()),
            group_word: a.group_word,
            ..Default::default()
        },
        cue_window: a.cue_window,
        sentiment_negation: a.sentiment_negation,
        sentiment_positive: a.sentiment_positive,
        ..Default::default()
    };
    // How character n-grams are taken and weighted only matters with them
    // (and is left at the defaults otherwise, so such models keep the
    // oldest file format that holds them).
    let config = match config.char_ngrams {
        true => FeatureConfig {
            char_words: a.char_words.into(),
            char_tf: a.char_tf.into(),
            ..config
        },
        false => config,
    };
    config.check()?;
    // (clap does not enforce `requires` when the required option
    // conflicts with one given, as --vocab-of does with --tokenizer.)
    if a.no_embeddings && a.vocab_of.is_none() {
        bail!("--no-embeddings leaves out the table of the --vocab-of model; without --vocab-of a model has no table unless --embeddings gives one");
    }
    let t0 = std::time::Instant::now();
    let mut files = Vec::new();
    for p in &a.data {
        let l = load(p, task, &a.labeled)?;
        check_empty(&l, a.labeled.strict, quiet, "skipped in training")?;
        files.push(l);
    }
    // Examples, with per-file weights if asked.
    let total: usize = files.iter().map(|f| f.rows.len()).sum();
    let mut all: Vec<(Example<'_>, usize)> = Vec::with_capacity(total);
    // Each example's thread (empty when its file has no thread column).
    let mut threads: Vec<&str> = Vec::with_capacity(total);
    let n_classes = task_labels(task).len();
    for (fi, f) in files.iter().enumerate() {
        let w = if a.balance_files || a.balance_file_classes {
            total as f64 / (files.len() as f64 * f.rows.len() as f64)
        } else {
            1.0
        };
        // With --balance-file-classes: the file's weight shared equally by
        // the classes it has.
        let mut per_class = vec![0usize; n_classes];
        for &c in &f.classes {
            per_class[c as usize] += 1;
        }
        let present = per_class.iter().filter(|&&n| n > 0).count() as f64;
        for (r, &c) in f.rows.iter().zip(&f.classes) {
            if r.text.trim().is_empty() {
                continue;
            }
            let w = match a.balance_file_classes {
                true => w * f.rows.len() as f64 / (present * per_class[c as usize] as f64),
                false => w,
            };
            all.push((
                Example {
                    text: &r.text,
                    parent: &r.parent,
                    class: c,
                    weight: w,
                    source: fi as u32,
                },
                fi,
            ));
            threads.push(&r.thread);
        }
    }
    // Held out by thread when every row names one (a thread's replies share
    // its wording and its source: rows of one thread on both sides would
    // flatter the held-out score), else by row, stratified by class.
    let by_thread = threads.iter().all(|t| !t.is_empty());
    let (train_ex, test_ex): (Vec<Example<'_>>, Vec<Example<'_>>) = match a.holdout {
        Some(h) => {
            let y: Vec<u32> = all.iter().map(|e| e.0.class).collect();
            let folds = (1.0 / h).round().max(2.0) as usize;
            let seed = params.seed ^ 0x686f6c64;
            let fold = if by_thread {
                let groups: Vec<(usize, &str)> = all
                    .iter()
                    .zip(&threads)
                    .map(|((_, fi), t)| (*fi, *t))
                    .collect();
                train::grouped_folds(&groups, folds, seed)
            } else {
                train::stratified_folds(&y, folds, seed)
            };
            let mut tr = Vec::new();
            let mut te = Vec::new();
            for (i, (e, _)) in all.iter().enumerate() {
                if fold[i] == 0 {
                    te.push(*e)
                } else {
                    tr.push(*e)
                }
            }
            (tr, te)
        }
        None => (all.iter().map(|e| e.0).collect(), Vec::new()),
    };
    let test_loaded = match &a.test {
        Some(p) => {
            let l = load(p, task, &a.labeled)?;
            check_empty(&l, a.labeled.strict, quiet, "scored as empty comments")?;
            Some(l)
        }
        None => None,
    };
    // With --vocab-of: that model's featurizer and columns (no tokenizer
    // is loaded or trained).
    let base = match &a.vocab_of {
        Some(p) => {
            let m = Model::load(p).with_context(|| format!("{}", p.display()))?;
            if m.task != task {
                bail!(
                    "{}: a {} model; --vocab-of needs a model of the task trained here ({task})",
                    p.display(),
                    m.task
                );
            }
            Some(m)
        }
        None => None,
    };
    let (mut featurizer, vocab) = match &base {
        Some(m) => {
            let mut f = m.featurizer.clone();
            if a.no_embeddings {
                f.embedding = None;
            }
            (f, Some(&m.vocab))
        }
        None => {
            let tokens = match &a.tokenizer {
                Some(p) => load_tokenizer(p)?,
                None if Path::new(DEFAULT_TOKENIZER).exists() => {
                    load_tokenizer(Path::new(DEFAULT_TOKENIZER))?
                }
                None => {
                    if !quiet {
                        eprintln!("threadlens: no --tokenizer and no {DEFAULT_TOKENIZER}: training a WordPiece vocabulary on the training texts");
                    }
                    let norm: Vec<String> = train_ex
                        .par_iter()
                        .flat_map_iter(|e| {
                            [
                                normalized(e.text, config.normalize),
                                normalized(e.parent, config.normalize),
                            ]
                        })
                        .collect();
                    Tokens::train(norm.iter(), a.vocab_size, 2)?
                }
            };
            let f = Featurizer::new(config, tokens)?;
            let f = match &a.embeddings {
                Some(p) => {
                    let e = Embedding::load(p)?;
                    f.with_embedding(e)
                        .with_context(|| format!("{}", p.display()))?
                }
                None => f,
            };
            (f, None)
        }
    };
    featurizer.lexicon = (featurizer.lexicon || a.lexicon) && !a.no_lexicon;
    featurizer.sentiment = (featurizer.sentiment || a.sentiment) && !a.no_sentiment;
    let bar = Bar::new(quiet);
    let mut model = if a.mixture {
        if a.holdout.is_some() {
            bail!("--mixture takes --test files per source via eval; --holdout is not supported with it");
        }
        let mut sources: Vec<(String, Vec<Example<'_>>)> = files
            .iter()
            .map(|f| (source_name(&f.file), Vec::new()))
            .collect();
        for (e, fi) in &all {
            sources[*fi].1.push(*e);
        }
        train::fit_mixture(task, task_labels(task), featurizer, &sources, &params, &bar)?
    } else {
        train::fit_with_vocab(
            task,
            task_labels(task),
            featurizer,
            vocab,
            &train_ex,
            &params,
            &bar,
        )?
    };
    bar.finish();
    let train_secs = t0.elapsed().as_secs_f64();
    // Held-out metrics.
    let heldout = match (&test_loaded, a.holdout) {
        (Some(l), _) => {
            let (m, _) = evaluate(&model, &l.examples());
            Some(serde_json::json!({ "data": l.file.display().to_string(), "metrics": m }))
        }
        (None, Some(h)) => {
            let (m, _) = evaluate(&model, &test_ex);
            let data = match by_thread {
                true => format!("holdout {h} by thread"),
                false => format!("holdout {h}"),
            };
            Some(serde_json::json!({ "data": data, "metrics": m }))
        }
        _ => None,
    };
    let mut sources = Vec::new();
    for f in &files {
        sources.push(DataSource {
            file: f.file.display().to_string(),
            rows: f.rows.len(),
            sha256: file_sha256(&f.file).unwrap_or_default(),
        });
    }
    model.training.data = sources;
    model.training.metrics = heldout.clone().unwrap_or(serde_json::Value::Null);
    let mut p = serde_json::to_value(params)?;
    p["balance_files"] = a.balance_files.into();
    p["balance_file_classes"] = a.balance_file_classes.into();
    if let Some(e) = &model.featurizer.embedding {
        p["embeddings"] = serde_json::json!({
            "file": a.embeddings.as_ref().map(|p| p.display().to_string()),
            "source": e.source,
            "dim": e.dim,
        });
    }
    if let (Some(path), Some(m)) = (&a.vocab_of, &base) {
        p["vocab_of"] = serde_json::json!({
            "file": path.display().to_string(),
            "content_sha256": m.hash,
        });
    }
    model.training.params = p;
    model.seal();
    model.save(&a.output)?;
    let summary = serde_json::json!({
        "task": task.to_string(),
        "model": a.output.display().to_string(),
        "model_sha256": model.hash,
        "train_rows": train_ex.len(),
        "features": model.vocab.len(),
        "train_seconds": (train_secs * 1000.0).round() / 1000.0,
        "heldout": heldout,
    });
    writeln!(std::io::stdout(), "{summary}")?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_tokenizer(a: &TokenizerArgs, quiet: bool) -> Result<ExitCode> {
    let mut texts = Vec::new();
    for p in &a.data {
        for col in &a.columns {
            let cols = Columns {
                text: col.clone(),
                label: col.clone(),
                parent: None,
                parent_required: false,
                id: "id".into(),
                thread: String::new(),
            };
            match data::read(p, &cols, 8 << 20) {
                Ok(rows) => texts.extend(rows.into_iter().map(|r| r.text)),
                Err(data::DataError::At { line: 1, msg, .. })
                    if msg.starts_with("no text column") =>
                {
                    continue
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    texts.retain(|t| !t.trim().is_empty());
    texts.sort_unstable();
    texts.dedup();
    if texts.is_empty() {
        bail!("no text found in the given files and columns");
    }
    let cfg = FeatureConfig::default().normalize;
    let norm: Vec<String> = texts.par_iter().map(|t| normalized(t, cfg)).collect();
    let tokens = Tokens::train(norm.iter(), a.vocab_size, a.min_frequency)?;
    threadlens::output::write_atomic(&a.output, tokens.to_json().as_bytes())?;
    if !quiet {
        eprintln!(
            "threadlens: {} pieces from {} distinct texts → {}",
            tokens.vocab_size(),
            norm.len(),
            a.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

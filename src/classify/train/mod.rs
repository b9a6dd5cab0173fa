//! Fitting a model on labeled examples.
//!
//! 1. Featurize every text in parallel; fit the [`Vocab`] (n-grams seen in
//!    at least `min_df` texts, idf).
//! 2. Out-of-fold n-gram scores: split the rows into `folds` stratified
//!    folds, fit the sparse model on the others and score each fold. These
//!    are what the head sees, so it learns how far to trust the n-gram
//!    score on text the n-gram model has not seen (as at scoring time).
//! 3. Fit the head (`linfa-logistic`) on those scores plus dense cues and,
//!    for binary models, pick the F1-best threshold on its out-of-fold
//!    probabilities.
//! 4. Fit the sparse model on all rows.
//!
//! Stages live in submodules: `featurize` (texts to sparse rows, folds),
//! `stage` (the sparse n-gram fits, NB scaling, per-class fits).
//!
//! Classes are balanced in the n-gram stage (weights `n / (classes · n_c)`,
//! as scikit-learn's `class_weight="balanced"`); the head is fitted
//! unweighted so its probabilities are calibrated to the training mix.

use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::artifact::TrainingInfo;
use super::head::Head;
use super::sparse::{self, SparseParams};
use super::{metrics, ClassifyError, Model, ScoreScratch, Task};
use crate::features::{cues, embed, pair, Featurizer, Vocab};

mod featurize;
mod stage;

use featurize::{featurize, Featurized};
pub use featurize::{grouped_folds, stratified_folds};
use stage::{fit_stage, SOURCE_INDICATOR};

/// Training settings (stored in the model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Inverse L2 strength of the n-gram stage.
    pub c: f64,
    /// Folds for the out-of-fold scores the head learns from (≥ 2).
    pub folds: usize,
    /// Keep n-grams seen in at least this many training texts.
    pub min_df: u32,
    /// Balance classes in the n-gram stage.
    pub balanced: bool,
    /// L-BFGS iterations at most per fit.
    pub max_iters: u64,
    /// Seed for the fold assignment.
    pub seed: u64,
    /// Scale n-gram columns by naive-Bayes log-count ratios (binary only).
    pub nb: bool,
    /// Fit the n-gram stage and the head with one indicator per training
    /// source (file), dropped from the stored model: they absorb each
    /// source's base rate and style, so n-grams that only mark *which
    /// dataset* a text came from need not carry it.
    #[serde(default)]
    pub source_intercepts: bool,
    /// Compute the naive-Bayes ratios within each training source (file)
    /// and average them, so a column's scale reflects its label within the
    /// sources and not which source it marks (binary tasks with `nb`).
    #[serde(default)]
    pub nb_within_sources: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            c: 4.0,
            folds: 3,
            min_df: 2,
            balanced: true,
            max_iters: 50,
            seed: 20261122,
            nb: true,
            source_intercepts: false,
            nb_within_sources: false,
        }
    }
}

impl TrainParams {
    /// Range checks.
    pub fn check(&self) -> Result<(), ClassifyError> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(ClassifyError::Params("C must be a positive number".into()));
        }
        if !(2..=20).contains(&self.folds) {
            return Err(ClassifyError::Params("folds must be 2..=20".into()));
        }
        if self.max_iters == 0 {
            return Err(ClassifyError::Params("max_iters must be positive".into()));
        }
        Ok(())
    }
}

/// One labeled example.
#[derive(Debug, Clone, Copy)]
pub struct Example<'a> {
    /// The comment.
    pub text: &'a str,
    /// The parent's text (stance); `""` if none.
    pub parent: &'a str,
    /// Class index into the label list.
    pub class: u32,
    /// Row weight (1 normally; used to balance source files).
    pub weight: f64,
    /// Index of the training source (file) the example comes from.
    pub source: u32,
}

/// Progress reporting hooks (the binary draws an indicatif bar).
pub trait Progress: Sync {
    /// A new stage with `total` steps.
    fn stage(&self, name: &str, total: u64);
    /// `n` steps done.
    fn advance(&self, n: u64);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

fn check_classes(labels: &[String], y: &[u32], folds: usize) -> Result<Vec<usize>, ClassifyError> {
    let classes = labels.len();
    if classes < 2 {
        return Err(ClassifyError::Data("need at least two classes".into()));
    }
    if y.iter().any(|&c| c as usize >= classes) {
        return Err(ClassifyError::Data(
            "class index outside the label list".into(),
        ));
    }
    let mut counts = vec![0usize; classes];
    for &c in y {
        counts[c as usize] += 1;
    }
    if counts.iter().filter(|&&c| c > 0).count() < 2 {
        let only = counts
            .iter()
            .position(|&c| c > 0)
            .map_or("none", |c| labels[c].as_str());
        return Err(ClassifyError::Data(format!(
            "the training data has only one class ({only}); a classifier needs examples of at least two"
        )));
    }
    if y.len() < 2 * folds {
        return Err(ClassifyError::Data(format!(
            "{} rows are too few to train ({folds} folds)",
            y.len()
        )));
    }
    Ok(counts)
}

/// Per-row weights: the example weight times the class balance factor.
fn row_weights(
    ex: &[Example<'_>],
    classes: usize,
    balanced: bool,
) -> Result<Vec<f64>, ClassifyError> {
    if ex.iter().any(|e| !(e.weight > 0.0 && e.weight.is_finite())) {
        return Err(ClassifyError::Data("row weights must be positive".into()));
    }
    let mut wcount = vec![0.0f64; classes];
    for e in ex {
        wcount[e.class as usize] += e.weight;
    }
    let present = wcount.iter().filter(|&&c| c > 0.0).count() as f64;
    let wtotal: f64 = wcount.iter().sum();
    Ok(ex
        .iter()
        .map(|e| {
            e.weight
                * if balanced {
                    wtotal / (present * wcount[e.class as usize])
                } else {
                    1.0
                }
        })
        .collect())
}

/// Head input names for a task.
fn head_names(task: Task, labels: &[String], word_lists: &[&str], emb_dim: usize) -> Vec<String> {
    let mut names: Vec<String> = if labels.len() == 2 {
        vec!["ngram_score".into()]
    } else {
        labels.iter().map(|l| format!("ngram_{l}")).collect()
    };
    names.extend(cues::NAMES.iter().map(|s| s.to_string()));
    if task == Task::Stance {
        names.extend(pair::NAMES.iter().map(|s| s.to_string()));
    }
    names.extend(word_lists.iter().map(|s| s.to_string()));
    names.extend(embed::names(emb_dim));
    names
}

/// Fit one expert (out-of-fold n-gram scores → head → full n-gram fit) on
/// the rows `idx` of the featurized data. Returns it with its out-of-fold
/// class probabilities for those rows.
#[allow(clippy::too_many_arguments)]
fn fit_expert(
    task: Task,
    labels: &[String],
    data: &Featurized,
    idx: &[usize],
    y: &[u32],
    s: &[f64],
    src: &[u32],
    params: &TrainParams,
    progress: &dyn Progress,
    lap: &dyn Fn(&str),
) -> Result<(super::Expert, Vec<Vec<f64>>), ClassifyError> {
    let classes = labels.len();
    let n = idx.len();
    let rows = data.rows.select(idx);
    // Per-source indicators: in the fits, never in the stored model. The
    // out-of-fold scores the head learns from are read without them, as
    // text from an unknown source will be scored.
    let n_src = match params.source_intercepts {
        true => src.iter().max().map_or(0, |&m| m as usize + 1),
        false => 0,
    };
    let n_src = if n_src > 1 { n_src } else { 0 };
    let fit_rows = match n_src {
        0 => rows.clone(),
        _ => rows.with_indicators(src, n_src, SOURCE_INDICATOR),
    };
    let strip = |mut m: sparse::SparseModel| {
        m.weights.truncate(rows.ncols * m.k);
        m
    };
    let sp = SparseParams {
        c: params.c,
        max_iters: params.max_iters,
        ..Default::default()
    };
    let fold = stratified_folds(y, params.folds, params.seed);
    let k = if classes == 2 { 1 } else { classes };
    let mut oof = vec![0.0; n * k];
    progress.stage("n-gram folds", params.folds as u64 + 1);
    for f in 0..params.folds {
        let tr: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
        let te: Vec<usize> = (0..n).filter(|&i| fold[i] == f).collect();
        let ytr: Vec<u32> = tr.iter().map(|&i| y[i]).collect();
        let str_: Vec<f64> = tr.iter().map(|&i| s[i]).collect();
        let srctr: Vec<u32> = tr.iter().map(|&i| src[i]).collect();
        let m = strip(fit_stage(
            &fit_rows.select(&tr),
            &ytr,
            &str_,
            classes,
            &sp,
            params.nb,
            params.nb_within_sources.then_some(&srctr[..]),
        )?);
        let z = m.margins_csr(&rows.select(&te));
        for (r, &i) in te.iter().enumerate() {
            oof[i * k..i * k + k].copy_from_slice(&z[r * k..r * k + k]);
        }
        progress.advance(1);
        lap("fold");
    }
    let mut names = head_names(task, labels, &data.word_lists, data.emb_dim);
    let width = names.len();
    names.extend((0..n_src).map(|d| format!("source_{d}")));
    let mut h = Array2::zeros((n, names.len()));
    for (r, &i) in idx.iter().enumerate() {
        for j in 0..k {
            h[[r, j]] = oof[r * k + j];
        }
        for (j, &v) in data.dense[i].iter().enumerate() {
            h[[r, k + j]] = v;
        }
        if n_src > 0 {
            h[[r, width + src[r] as usize]] = 1.0;
        }
    }
    let mut head = Head::fit(names, &h, y, classes)?;
    let mut logits = Vec::new();
    let probs: Vec<Vec<f64>> = (0..n)
        .map(|r| {
            head.logits(h.row(r).as_slice().expect("row-major"), &mut logits);
            Head::probabilities(&logits)
        })
        .collect();
    // Scoring reads no source: the indicators are dropped, which sets
    // each to its training mean (the inputs are standardised).
    head.keep_inputs(width);
    lap("head");
    let sparse = strip(fit_stage(
        &fit_rows,
        y,
        s,
        classes,
        &sp,
        params.nb,
        params.nb_within_sources.then_some(src),
    )?);
    lap("full fit");
    progress.advance(1);
    Ok((super::Expert { sparse, head }, probs))
}

fn info(counts: Vec<usize>, params: &TrainParams) -> TrainingInfo {
    TrainingInfo {
        class_counts: counts,
        params: serde_json::to_value(params).expect("serialisable"),
        created_by: format!("threadlens {}", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    }
}

fn best_threshold(classes: usize, y: &[u32], probs: &[Vec<f64>]) -> f64 {
    if classes != 2 {
        return 0.0;
    }
    let yb: Vec<bool> = y.iter().map(|&c| c == 1).collect();
    let p: Vec<f64> = probs.iter().map(|p| p[1]).collect();
    metrics::best_f1_threshold(&yb, &p)
}

/// Macro-F1 decision offsets for multi-class models (empty for binary).
fn best_offsets(classes: usize, y: &[u32], probs: &[Vec<f64>]) -> Vec<f64> {
    if classes == 2 {
        return Vec::new();
    }
    let y: Vec<usize> = y.iter().map(|&c| c as usize).collect();
    metrics::best_offsets(&y, probs)
}

/// Logs (at debug level, `--verbose`) when each training stage ends.
fn lap_fn(t0: Instant) -> impl Fn(&str) {
    move |what: &str| log::debug!("{what} at {:.2}s", t0.elapsed().as_secs_f64())
}

/// Fit a model. `labels` are the class names (binary: `[negative,
/// positive]`); every example's class indexes into them.
pub fn fit(
    task: Task,
    labels: Vec<String>,
    featurizer: Featurizer,
    ex: &[Example<'_>],
    params: &TrainParams,
    progress: &dyn Progress,
) -> Result<Model, ClassifyError> {
    fit_with_vocab(task, labels, featurizer, None, ex, params, progress)
}

/// [`fit`] on the columns of a given vocabulary (hashed n-grams and their
/// idf) instead of one fitted on `ex`: with another model's featurizer and
/// vocabulary, the fitted model's n-gram weights line up with that model's
/// columns, so a scorer can read both from one table (attribute heads
/// beside the incivility model, [`crate::classify::fused::Fused::stacked`]).
pub fn fit_with_vocab(
    task: Task,
    labels: Vec<String>,
    featurizer: Featurizer,
    vocab: Option<&Vocab>,
    ex: &[Example<'_>],
    params: &TrainParams,
    progress: &dyn Progress,
) -> Result<Model, ClassifyError> {
    params.check()?;
    let t0 = Instant::now();
    let lap = lap_fn(t0);
    let y: Vec<u32> = ex.iter().map(|e| e.class).collect();
    let counts = check_classes(&labels, &y, params.folds)?;
    let s = row_weights(ex, labels.len(), params.balanced)?;
    let sides = if task == Task::Stance { 2 } else { 1 };
    if let Some(v) = vocab {
        let space = featurizer.config.side_width() * sides;
        if v.index.last().is_some_and(|&i| i >= space) {
            return Err(ClassifyError::Data(
                "the given vocabulary does not fit this featurizer".into(),
            ));
        }
    }
    let data = featurize(&featurizer, task, sides, ex, params.min_df, vocab, progress);
    if data.vocab.is_empty() {
        return Err(ClassifyError::Data(
            "no n-gram occurs in two training texts: too little text to learn from".into(),
        ));
    }
    lap("featurized");
    let idx: Vec<usize> = (0..ex.len()).collect();
    let src: Vec<u32> = ex.iter().map(|e| e.source).collect();
    let (expert, probs) = fit_expert(
        task, &labels, &data, &idx, &y, &s, &src, params, progress, &lap,
    )?;
    let threshold = best_threshold(labels.len(), &y, &probs);
    let offsets = best_offsets(labels.len(), &y, &probs);
    let mut model = Model {
        task,
        labels,
        featurizer,
        sides,
        vocab: data.vocab,
        experts: vec![expert],
        router: None,
        threshold,
        offsets,
        training: info(counts, params),
        hash: String::new(),
        fused: Default::default(),
        char_reasons: Default::default(),
    };
    model.seal();
    Ok(model)
}

/// Fit a general model on several sources: one expert per source and a
/// router over them (see the module docs of [`super`]). `sources` are
/// `(name, examples)`.
pub fn fit_mixture(
    task: Task,
    labels: Vec<String>,
    featurizer: Featurizer,
    sources: &[(String, Vec<Example<'_>>)],
    params: &TrainParams,
    progress: &dyn Progress,
) -> Result<Model, ClassifyError> {
    params.check()?;
    if sources.len() < 2 {
        return Err(ClassifyError::Data(
            "a mixture needs at least two sources".into(),
        ));
    }
    let t0 = Instant::now();
    let lap = lap_fn(t0);
    let all: Vec<Example<'_>> = sources
        .iter()
        .flat_map(|(_, e)| e.iter().copied())
        .collect();
    let y: Vec<u32> = all.iter().map(|e| e.class).collect();
    let counts = check_classes(&labels, &y, params.folds)?;
    let sides = if task == Task::Stance { 2 } else { 1 };
    let data = featurize(
        &featurizer,
        task,
        sides,
        &all,
        params.min_df,
        None,
        progress,
    );
    if data.vocab.is_empty() {
        return Err(ClassifyError::Data(
            "no n-gram occurs in two training texts".into(),
        ));
    }
    lap("featurized");
    let mut experts = Vec::new();
    let mut start = 0;
    let mut ranges = Vec::new();
    for (name, ex) in sources {
        let idx: Vec<usize> = (start..start + ex.len()).collect();
        ranges.push(start..start + ex.len());
        start += ex.len();
        let yd: Vec<u32> = ex.iter().map(|e| e.class).collect();
        check_classes(&labels, &yd, params.folds)
            .map_err(|e| ClassifyError::Data(format!("source {name}: {e}")))?;
        let sd = row_weights(ex, labels.len(), params.balanced)?;
        let (expert, oof) = fit_expert(
            task,
            &labels,
            &data,
            &idx,
            &yd,
            &sd,
            &vec![0; idx.len()],
            params,
            progress,
            &lap,
        )?;
        experts.push((expert, oof));
    }
    // Router: which source a text comes from, sources balanced.
    let dom: Vec<u32> = ranges
        .iter()
        .enumerate()
        .flat_map(|(d, r)| std::iter::repeat_n(d as u32, r.len()))
        .collect();
    let dom_ex: Vec<Example<'_>> = all
        .iter()
        .zip(&dom)
        .map(|(e, &d)| Example {
            class: d,
            weight: 1.0,
            ..*e
        })
        .collect();
    let sd = row_weights(&dom_ex, sources.len(), true)?;
    let sp = SparseParams {
        c: params.c,
        max_iters: params.max_iters,
        ..Default::default()
    };
    let router = sparse::fit(&data.rows, &dom, &sd, sources.len(), &sp)?;
    lap("router");
    // Threshold on mixture probabilities: each row's own expert contributes
    // its out-of-fold probability, the others their full-fit one.
    let route = router.margins_csr(&data.rows);
    let rk = router.k;
    let mut mix = vec![vec![0.0; labels.len()]; all.len()];
    for (i, m) in mix.iter_mut().enumerate() {
        let pi = super::route_probs(&route[i * rk..i * rk + rk]);
        for (e, (expert, oof)) in experts.iter().enumerate() {
            let p = if ranges[e].contains(&i) {
                oof[i - ranges[e].start].clone()
            } else {
                expert_row_probs(expert, &data, i)
            };
            for (o, v) in m.iter_mut().zip(p) {
                *o += pi[e] * v;
            }
        }
    }
    let threshold = best_threshold(labels.len(), &y, &mix);
    let offsets = best_offsets(labels.len(), &y, &mix);
    let mut model = Model {
        task,
        labels,
        featurizer,
        sides,
        vocab: data.vocab,
        experts: experts.into_iter().map(|(e, _)| e).collect(),
        router: Some(super::Router {
            domains: sources.iter().map(|(n, _)| n.clone()).collect(),
            sparse: router,
        }),
        threshold,
        offsets,
        training: info(counts, params),
        hash: String::new(),
        fused: Default::default(),
        char_reasons: Default::default(),
    };
    model.seal();
    Ok(model)
}

/// An expert's probabilities for a featurized training row.
fn expert_row_probs(e: &super::Expert, data: &Featurized, i: usize) -> Vec<f64> {
    let (cols, vals) = data.rows.row(i);
    let row: Vec<(u32, f32)> = cols.iter().copied().zip(vals.iter().copied()).collect();
    let mut x = vec![0.0; e.sparse.k];
    e.sparse.margins(&row, &mut x);
    x.extend_from_slice(&data.dense[i]);
    let mut logits = Vec::new();
    e.head.logits(&x, &mut logits);
    Head::probabilities(&logits)
}

/// Class probabilities for every example, in parallel.
pub fn predict(model: &Model, ex: &[Example<'_>]) -> Vec<Vec<f64>> {
    ex.par_iter()
        .map_init(ScoreScratch::default, |s, e| {
            model.score(e.text, e.parent, s)
        })
        .collect()
}

#[cfg(test)]
mod tests;

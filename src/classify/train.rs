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
//! Classes are balanced in the n-gram stage (weights `n / (classes · n_c)`,
//! as scikit-learn's `class_weight="balanced"`); the head is fitted
//! unweighted so its probabilities are calibrated to the training mix.

use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::artifact::TrainingInfo;
use super::head::Head;
use super::sparse::{self, Csr, SparseParams};
use super::{metrics, ClassifyError, Model, ScoreScratch, Task};
use crate::features::{cues, pair, Featurizer, Scratch, Vocab};

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

/// Hashed counts and dense inputs of one text.
type CountsAndDense = (Vec<(u32, f32)>, Vec<f64>);

struct Featurized {
    rows: Csr,
    dense: Vec<Vec<f64>>,
    vocab: Vocab,
}

fn featurize(
    f: &Featurizer,
    task: Task,
    sides: u32,
    ex: &[Example<'_>],
    min_df: u32,
    progress: &dyn Progress,
) -> Featurized {
    progress.stage("featurize", ex.len() as u64);
    let per: Vec<CountsAndDense> = ex
        .par_iter()
        .map_init(Scratch::default, |s, e| {
            let mut counts = Vec::new();
            let c = f.featurize(e.text, 0, s, &mut counts);
            if sides == 2 {
                f.featurize(e.parent, 1, s, &mut counts);
            }
            let mut dense: Vec<f64> = c.values.iter().map(|&v| f64::from(v)).collect();
            if task == Task::Stance {
                pair::compute(f, e.text, e.parent, &mut dense);
            }
            progress.advance(1);
            (counts, dense)
        })
        .collect();
    let (counts, dense): (Vec<_>, Vec<_>) = per.into_iter().unzip();
    let vocab = Vocab::fit(&counts, min_df, f.config.side_width() * sides);
    let weighted: Vec<Vec<(u32, f32)>> = counts
        .par_iter()
        .map(|c| {
            let mut out = Vec::with_capacity(c.len());
            vocab.transform(&f.config, c, &mut out);
            out
        })
        .collect();
    drop(counts);
    let mut rows = Csr::new(vocab.len());
    for r in &weighted {
        rows.push_row(r);
    }
    Featurized { rows, dense, vocab }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stratified fold of each row: rows of each class are shuffled with the
/// seed and dealt round-robin.
pub fn stratified_folds(y: &[u32], folds: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut fold = vec![0; y.len()];
    let classes = y.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut offset = 0;
    for c in 0..classes {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] as usize == c).collect();
        for i in (1..idx.len()).rev() {
            let j = (splitmix(&mut state) % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        for (r, &i) in idx.iter().enumerate() {
            fold[i] = (r + offset) % folds;
        }
        offset += idx.len();
    }
    fold
}

/// Naive-Bayes log-count ratios per column (Wang & Manning 2012, NBSVM):
/// `ln((α + Σ_pos x / ‖·‖₁) / (α + Σ_neg x / ‖·‖₁))`, from weighted rows.
fn nb_ratios(x: &Csr, y: &[u32], s: &[f64]) -> Vec<f32> {
    const ALPHA: f64 = 1.0;
    let mut p = vec![ALPHA; x.ncols];
    let mut q = vec![ALPHA; x.ncols];
    for i in 0..x.nrows() {
        let (cols, vals) = x.row(i);
        let acc = if y[i] == 1 { &mut p } else { &mut q };
        for (&c, &v) in cols.iter().zip(vals) {
            acc[c as usize] += s[i] * f64::from(v);
        }
    }
    // Indicator columns added for the fit keep their scale (ratio 1) and
    // do not count in the normalisers.
    let plain = x.ncols - x.fixed_cols;
    let (sp, sq): (f64, f64) = (p[..plain].iter().sum(), q[..plain].iter().sum());
    p.iter()
        .zip(&q)
        .enumerate()
        .map(|(c, (a, b))| {
            if c < plain {
                ((a / sp) / (b / sq)).ln() as f32
            } else {
                1.0
            }
        })
        .collect()
}

/// Fit the n-gram stage; with `nb` (binary only) the columns are scaled by
/// their NB ratios during the fit and the ratios are folded back into the
/// weights, so the stored model is still `w·x + b` on the same columns.
fn fit_stage(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    classes: usize,
    sp: &SparseParams,
    nb: bool,
) -> Result<sparse::SparseModel, ClassifyError> {
    if classes > 2 {
        return fit_present(x, y, s, classes, sp, nb);
    }
    if !nb {
        return sparse::fit(x, y, s, classes, sp);
    }
    let r = nb_ratios(x, y, s);
    let mut xs = x.clone();
    for (v, &c) in xs.vals.iter_mut().zip(&xs.cols) {
        *v *= r[c as usize];
    }
    let mut m = sparse::fit(&xs, y, s, classes, sp)?;
    for (w, rc) in m.weights.iter_mut().zip(&r) {
        *w *= rc;
    }
    Ok(m)
}

/// Value of a source indicator column in the n-gram fits: large beside the
/// L2-normalised n-gram values, so the L2 penalty barely holds a source's
/// intercept back.
const SOURCE_INDICATOR: f32 = 4.0;

/// Margin of a class with no training rows: never the argmax, and a
/// bounded input for the head.
const ABSENT_MARGIN: f64 = -30.0;

/// Multi-class fit over the classes that have rows. A softmax class with no
/// rows drives its unpenalised intercept to −∞ and, because softmax only
/// sees differences, every other intercept up by as much: how far depends
/// on when L-BFGS stops, so out-of-fold and full-fit margins would sit on
/// different offsets and the head, which reads raw margins, would be fed
/// shifted inputs (measured on DEBAGREEMENT, which has no `query`: test
/// macro-F1 0.38 with the drift, 0.52 without). The absent classes get zero
/// weights and a fixed low margin instead. Two present classes are fitted
/// as a binary model (NB-scaled with `nb`) whose log-odds become the second
/// class's margin.
fn fit_present(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    classes: usize,
    sp: &SparseParams,
    nb: bool,
) -> Result<sparse::SparseModel, ClassifyError> {
    let mut present: Vec<u32> = y.to_vec();
    present.sort_unstable();
    present.dedup();
    if nb && present.len() > 2 {
        return fit_one_vs_rest(x, y, s, classes, &present, sp);
    }
    if present.len() == classes {
        return sparse::fit(x, y, s, classes, sp);
    }
    let pos = |c: u32| present.binary_search(&c).expect("present") as u32;
    let yp: Vec<u32> = y.iter().map(|&c| pos(c)).collect();
    let m = fit_stage(x, &yp, s, present.len(), sp, nb)?;
    let cols = x.ncols;
    let mut weights = vec![0.0f32; cols * classes];
    let mut intercept = vec![ABSENT_MARGIN; classes];
    if m.k == 1 {
        // Binary: margin of present[0] is 0, of present[1] the log-odds.
        intercept[present[0] as usize] = 0.0;
        intercept[present[1] as usize] = m.intercept[0];
        for f in 0..cols {
            weights[f * classes + present[1] as usize] = m.weights[f];
        }
    } else {
        for (j, &c) in present.iter().enumerate() {
            intercept[c as usize] = m.intercept[j];
            for f in 0..cols {
                weights[f * classes + c as usize] = m.weights[f * m.k + j];
            }
        }
    }
    Ok(sparse::SparseModel {
        k: classes,
        weights,
        intercept,
    })
}

/// One NB-scaled binary model per present class against the rest (NBSVM's
/// multi-class form): each column is that class's log-odds, and the head
/// turns them into one distribution. Row weights are rebalanced per
/// binary problem so each class weighs as much as its rest.
fn fit_one_vs_rest(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    classes: usize,
    present: &[u32],
    sp: &SparseParams,
) -> Result<sparse::SparseModel, ClassifyError> {
    let cols = x.ncols;
    // The binary fits are independent: run them side by side (each also
    // splits its rows across the cores; coarse tasks keep both cores busy
    // through the L-BFGS steps that a single fit leaves serial).
    let fits: Vec<sparse::SparseModel> = present
        .par_iter()
        .map(|&c| {
            let yb: Vec<u32> = y.iter().map(|&t| u32::from(t == c)).collect();
            let (mut wp, mut wn) = (0.0, 0.0);
            for (&t, &w) in yb.iter().zip(s) {
                if t == 1 {
                    wp += w;
                } else {
                    wn += w;
                }
            }
            let total = wp + wn;
            let sb: Vec<f64> = yb
                .iter()
                .zip(s)
                .map(|(&t, &w)| w * total / (2.0 * if t == 1 { wp } else { wn }))
                .collect();
            fit_stage(x, &yb, &sb, 2, sp, true)
        })
        .collect::<Result<_, _>>()?;
    let mut weights = vec![0.0f32; cols * classes];
    let mut intercept = vec![ABSENT_MARGIN; classes];
    for (m, &c) in fits.iter().zip(present) {
        intercept[c as usize] = m.intercept[0];
        for f in 0..cols {
            weights[f * classes + c as usize] = m.weights[f];
        }
    }
    Ok(sparse::SparseModel {
        k: classes,
        weights,
        intercept,
    })
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
fn head_names(task: Task, labels: &[String]) -> Vec<String> {
    let mut names: Vec<String> = if labels.len() == 2 {
        vec!["ngram_score".into()]
    } else {
        labels.iter().map(|l| format!("ngram_{l}")).collect()
    };
    names.extend(cues::NAMES.iter().map(|s| s.to_string()));
    if task == Task::Stance {
        names.extend(pair::NAMES.iter().map(|s| s.to_string()));
    }
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
        let m = strip(fit_stage(
            &fit_rows.select(&tr),
            &ytr,
            &str_,
            classes,
            &sp,
            params.nb,
        )?);
        let z = m.margins_csr(&rows.select(&te));
        for (r, &i) in te.iter().enumerate() {
            oof[i * k..i * k + k].copy_from_slice(&z[r * k..r * k + k]);
        }
        progress.advance(1);
        lap("fold");
    }
    let mut names = head_names(task, labels);
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
    let sparse = strip(fit_stage(&fit_rows, y, s, classes, &sp, params.nb)?);
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
    params.check()?;
    let t0 = Instant::now();
    let lap = lap_fn(t0);
    let y: Vec<u32> = ex.iter().map(|e| e.class).collect();
    let counts = check_classes(&labels, &y, params.folds)?;
    let s = row_weights(ex, labels.len(), params.balanced)?;
    let sides = if task == Task::Stance { 2 } else { 1 };
    let data = featurize(&featurizer, task, sides, ex, params.min_df, progress);
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
    let data = featurize(&featurizer, task, sides, &all, params.min_df, progress);
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
mod tests {
    use super::*;
    use crate::classify::{CharReasons, Contribution};
    use crate::features::{FeatureConfig, Tokens};

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let y: Vec<u32> = (0..30).map(|i| u32::from(i % 3 == 0)).collect();
        let f = stratified_folds(&y, 3, 7);
        assert_eq!(f, stratified_folds(&y, 3, 7));
        for fold in 0..3 {
            let pos = (0..30).filter(|&i| f[i] == fold && y[i] == 1).count();
            let all = (0..30).filter(|&i| f[i] == fold).count();
            assert!(
                (3..=4).contains(&pos) && all == 10,
                "fold {fold}: {pos} of {all}"
            );
        }
    }

    fn corpus() -> Vec<(String, u32)> {
        let bad = [
            "you idiot",
            "shut up moron",
            "what a stupid idiot",
            "you are a moron",
            "idiots everywhere",
        ];
        let good = [
            "thanks for sharing",
            "i agree with this",
            "good point well made",
            "interesting article",
            "see the source here",
        ];
        let mut v = Vec::new();
        for i in 0..60 {
            v.push((format!("{} {}", bad[i % 5], i % 7), 1));
            v.push((format!("{} {}", good[i % 5], i % 7), 0));
            v.push((format!("{} again {}", good[(i + 2) % 5], i % 4), 0));
        }
        v
    }

    /// A small featurizer with a tokenizer trained on the corpus.
    fn toy_featurizer(c: &[(String, u32)]) -> Featurizer {
        let tokens = Tokens::train(c.iter().map(|x| x.0.as_str()), 200, 1).unwrap();
        Featurizer::new(
            FeatureConfig {
                word_bits: 16,
                char_bits: 16,
                ..Default::default()
            },
            tokens,
        )
        .unwrap()
    }

    /// The corpus as examples without parents.
    fn toy_examples(c: &[(String, u32)]) -> Vec<Example<'_>> {
        c.iter()
            .map(|(t, y)| Example {
                text: t,
                parent: "",
                class: *y,
                weight: 1.0,
                source: 0,
            })
            .collect()
    }

    /// A binary incivility model on a corpus, default parameters.
    fn fit_toy(f: Featurizer, c: &[(String, u32)]) -> Model {
        let labels = vec!["0".into(), "1".into()];
        fit(
            Task::Incivility,
            labels,
            f,
            &toy_examples(c),
            &TrainParams::default(),
            &Silent,
        )
        .unwrap()
    }

    #[test]
    fn learns_and_explains_a_toy_task() {
        let c = corpus();
        let f = toy_featurizer(&c);
        let m = fit_toy(f, &c);
        let mut s = ScoreScratch::default();
        let bad = m.score("what an idiot", "", &mut s)[1];
        let good = m.score("thanks, good point", "", &mut s)[1];
        assert!(bad > 0.7 && good < 0.3, "{bad} {good}");
        let ex = m.explain("what an idiot", "", 1, 3);
        assert!(ex[0].weight > 0.0);
        assert!(
            ex.iter()
                .take(3)
                .any(|c| c.feature.contains("idiot") || c.feature.contains("idi")),
            "{ex:?}"
        );
        // Round trip through the artifact gives the same scores and hash.
        let bytes = m.to_json();
        let m2 = Model::from_json(&bytes, "m.json").unwrap();
        assert_eq!(m2.hash, m.hash);
        assert_eq!(m2.score("what an idiot", "", &mut s)[1], bad);
    }

    #[test]
    fn ngrams_that_print_alike_are_one_feature_of_an_explanation() {
        // `x_idiot` and ` idiot` both give an n-gram printed `_id` (`_` is
        // how a word boundary is shown): one feature, weights summed.
        let mut c = corpus();
        for i in 0..10 {
            c.push((format!("x_idiot you x_id {i}"), 1));
        }
        let f = toy_featurizer(&c);
        let m = fit_toy(f, &c);
        let text = "x_idiot idiot";
        let mut names = m.featurizer.names(text, 0);
        names.retain(|n| n.name == "chr:_id" && m.vocab.column(n.index).is_some());
        assert_eq!(names.len(), 2, "two known columns print alike: {names:?}");
        let ex = m.explain(text, "", 1, 500);
        let alike: Vec<_> = ex.iter().filter(|c| c.feature == "chr:_id").collect();
        assert_eq!(alike.len(), 1, "{ex:?}");
    }

    #[test]
    fn char_words_unknown_models_round_trip_as_format_version_2() {
        let c = corpus();
        let mut f = toy_featurizer(&c);
        let v1 = fit_toy(f.clone(), &c);
        f.config.char_words = crate::features::CharWords::Unknown;
        let m = fit_toy(f, &c);
        let version =
            |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap()["version"].clone();
        assert_eq!(version(&v1.to_json()), 1, "default settings stay version 1");
        let bytes = m.to_json();
        assert_eq!(version(&bytes), 2);
        let back = Model::from_json(&bytes, "m.json").unwrap();
        assert_eq!(back.featurizer.config, m.featurizer.config);
        assert_eq!(back.hash, m.hash);
        let mut s = ScoreScratch::default();
        let text = "what an idiot, zqxj";
        assert_eq!(back.score(text, "", &mut s), m.score(text, "", &mut s));
        assert_ne!(back.score(text, "", &mut s), v1.score(text, "", &mut s));
    }

    /// The toy incivility model with linearly weighted character n-grams.
    fn toy_linear_model() -> Model {
        let c = corpus();
        let mut f = toy_featurizer(&c);
        f.config.char_tf = crate::features::CharTf::Linear;
        fit_toy(f, &c)
    }

    /// A linear model scored from texts prepared without character
    /// n-grams (their block summed word by word, from the per-word cache
    /// on the second pass) against direct scoring; explanations of such
    /// texts against those of fully featurized ones.
    fn check_linear_paths(m: &Model, text: &str) -> Result<(), String> {
        let mut s = ScoreScratch::default();
        let direct = m.score(text, "", &mut s);
        let full = m.prepare(text, &mut s);
        let lite = m.prepare_tokens(text, &mut s);
        if lite
            .counts
            .iter()
            .any(|&(i, _)| m.featurizer.config.block_of(i) == 1)
        {
            return Err("prepare_tokens kept character n-grams".into());
        }
        let prepared = m.score_prepared(&lite, text, None, &mut s);
        if prepared != direct {
            return Err(format!("{prepared:?} vs {direct:?}"));
        }
        let mut sums = Vec::new();
        for p in [&full, &lite, &lite] {
            let sum = m.side_sum(p, 0).unwrap();
            let fused = m.score_sums((p, text, &sum), None, &mut s);
            for (x, y) in direct.iter().zip(&fused) {
                if (x - y).abs() > 1e-6 {
                    return Err(format!("{direct:?} vs fused {fused:?}"));
                }
            }
            sums.push(sum);
        }
        // The word path does not depend on the counts or the cache.
        if sums[0] != sums[1] || sums[1] != sums[2] {
            return Err(format!("{sums:?}"));
        }
        // Words found by their number in the tokenizer's cache (the texts
        // carry their numbered words) and by the word itself: the same
        // sums, bit for bit; also once the numbers are from an older
        // generation of the cache (another vocabulary used it since, and
        // this model again), which are then not used.
        if (lite.words.is_empty() && !lite.norm.trim().is_empty()) || lite.generation == 0 {
            return Err("no numbered words kept".into());
        }
        let f = m.fused().unwrap();
        let by_word = f.side_sum(&m.vocab, &m.featurizer, (&lite.counts, &lite.norm, None), 0);
        if by_word != sums[1] {
            return Err(format!("by number {:?} vs by word {by_word:?}", sums[1]));
        }
        let other = crate::features::Tokens::train(["x y z"].iter(), 20, 1).unwrap();
        other.encode("x y", &mut Vec::new());
        let newer = m.prepare_tokens("what an idiot", &mut s);
        let _ = m.side_sum(&newer, 0);
        if newer.generation <= lite.generation {
            return Err("the cache did not start a new generation".into());
        }
        if m.side_sum(&lite, 0).unwrap() != by_word {
            return Err("older numbers changed the sums".into());
        }
        for m in both_char_reasons(m) {
            let slow = m.explain(text, "", 1, 5);
            let from_lite = m.explain_scored(&lite, text, None, 1, 5, &mut s);
            if slow != from_lite {
                return Err(format!("{:?}: {slow:?} vs {from_lite:?}", m.char_reasons));
            }
            // Right after this text's sums (their words are read again),
            // after another text's, and after this text's on the other
            // side: the same explanation.
            let other = m.prepare_tokens("another text, idiot idiot", &mut s);
            for (q, side) in [(&lite, 0), (&other, 0), (&lite, 1)] {
                let _ = m.fused().unwrap().side_sum(
                    &m.vocab,
                    &m.featurizer,
                    (&q.counts, &q.norm, None),
                    side,
                );
                let again = m.explain_scored(&lite, text, None, 1, 5, &mut s);
                if again != slow {
                    return Err(format!(
                        "after side {side} of {:?}: {again:?} vs {slow:?}",
                        q.norm
                    ));
                }
            }
        }
        check_char_lists(m, (&full, &lite), 0)?;
        check_word_shares(m, text, "")
    }

    /// The model explaining its character block by words and by n-grams.
    fn both_char_reasons(m: &Model) -> [Model; 2] {
        [CharReasons::Words, CharReasons::Ngrams].map(|r| {
            let mut m = m.clone();
            m.char_reasons = r;
            m
        })
    }

    /// Every feature's share of `class` 1 (nothing left out): per side,
    /// the `word:` shares of a linear character block add up to its
    /// `chr:` shares (both are the block's part of the margin), each word
    /// is named once, and a one-word text's word share is the sum of its
    /// n-grams' shares; everything else is named and weighted alike.
    fn check_word_shares(m: &Model, text: &str, parent: &str) -> Result<(), String> {
        let [words, ngrams] = both_char_reasons(m).map(|m| m.explain(text, parent, 1, 100_000));
        let (mut rest_w, mut rest_n) = (Vec::new(), Vec::new());
        for prefix in ["", "parent:"] {
            let sum = |ex: &[Contribution], kind: &str| -> (f64, usize) {
                let of = |c: &&Contribution| {
                    c.feature
                        .strip_prefix(prefix)
                        .is_some_and(|f| f.starts_with(kind) && !f.starts_with("parent:"))
                };
                (
                    ex.iter().filter(of).map(|c| c.weight).sum(),
                    ex.iter().filter(of).count(),
                )
            };
            let ((w, nw), (n, nn)) = (sum(&words, "word:"), sum(&ngrams, "chr:"));
            // The n-grams' shares are taken in f32 (as the tf-idf row's
            // values), the words' in f64 (as the scores' sums).
            if (w - n).abs() > 1e-6 * (1.0 + n.abs()) {
                return Err(format!(
                    "{prefix}: words {w} vs n-grams {n}: {words:?} vs {ngrams:?}"
                ));
            }
            let side_text = if prefix.is_empty() { text } else { parent };
            let norm = m.featurizer.normalized(side_text);
            let distinct: std::collections::BTreeSet<&str> =
                m.featurizer.char_words(&norm).collect();
            if nw > distinct.len() || (nn > 0 && nw == 0) {
                return Err(format!(
                    "{prefix}: {nw} words named of {distinct:?}: {words:?}"
                ));
            }
        }
        for (ex, rest) in [(&words, &mut rest_w), (&ngrams, &mut rest_n)] {
            rest.extend(
                ex.iter()
                    .filter(|c| !c.feature.contains("word:") && !c.feature.contains("chr:")),
            );
            rest.sort_by(|a, b| a.feature.cmp(&b.feature));
        }
        if rest_w != rest_n {
            return Err(format!("other features differ: {rest_w:?} vs {rest_n:?}"));
        }
        Ok(())
    }

    /// A linear model's character block explained from per-word lists of
    /// known n-grams (twice: listing the words, then from the cache)
    /// against the same block of the full counts: the same values in the
    /// same order, bit for bit, and the same names as the trace gives.
    fn check_char_lists(
        m: &Model,
        (full, lite): (&crate::classify::Prepared, &crate::classify::Prepared),
        side: u32,
    ) -> Result<(), String> {
        let f = m.fused().unwrap();
        let fz = &m.featurizer;
        let cfg = &fz.config;
        let coefs: Vec<f64> = (0..m.experts[0].sparse.k)
            .map(|j| 0.75 - j as f64)
            .collect();
        let chars = &full.counts[cfg.token_counts(&full.counts).len()..];
        let (mut from_counts, mut xs) = (Vec::new(), Vec::new());
        f.contributions(
            &m.vocab,
            cfg,
            (chars, side),
            &coefs,
            &mut from_counts,
            &mut xs,
        );
        let want = |i: u32| from_counts.iter().any(|c| c.0 == i);
        let mut by_trace = fz.names_in(&full.norm, Some(full.trace()), side, want);
        by_trace.retain(|n| n.name.starts_with("chr:"));
        let mut hits = crate::classify::fused::CharHits::default();
        for _ in 0..2 {
            let mut from_words = Vec::new();
            hits.clear();
            let out = (&mut from_words, &mut xs, &mut hits);
            f.char_contributions(&m.vocab, fz, (&lite.norm, side), &coefs, out);
            if from_words != from_counts {
                return Err(format!("side {side}: {from_words:?} vs {from_counts:?}"));
            }
            let mut names = Vec::new();
            crate::classify::fused::Fused::char_names(
                fz,
                (&lite.norm, side),
                &hits,
                want,
                &mut names,
            );
            crate::features::sort_names(&mut names);
            if names != by_trace {
                return Err(format!("side {side}: {names:?} vs {by_trace:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn linear_char_models_score_alike_on_every_path_and_write_version_3() {
        let m = toy_linear_model();
        assert!(m.sums_char_words() && m.scores_without_chars());
        for text in [
            "what an idiot",
            "idiot idiot idiot, you moron",
            "haha hahaha ééé naïve idiot",
            "",
            "!!!",
        ] {
            check_linear_paths(&m, text).unwrap();
        }
        let ex = m.explain("what an idiot", "", 1, 3);
        assert!(
            ex.iter().take(3).any(|c| c.feature.contains("idi")),
            "{ex:?}"
        );
        let bytes = m.to_json();
        let v = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap();
        assert_eq!(v["version"], 3);
        assert_eq!(v["featurizer"]["char_tf"], "linear");
        let back = Model::from_json(&bytes, "m.json").unwrap();
        assert_eq!(back.featurizer.config, m.featurizer.config);
        let mut s = ScoreScratch::default();
        assert_eq!(
            back.score("you moron", "", &mut s),
            m.score("you moron", "", &mut s)
        );
        // Without character n-grams the weighting is moot: version 1.
        let mut none = m.featurizer.config;
        none.char_ngrams = false;
        assert_eq!(crate::classify::artifact::version_for(&none), 1);
    }

    proptest::proptest! {
        /// Any text: a linear model scores it alike from full counts, from
        /// token counts plus per-word sums, and directly, and explains it alike.
        #[test]
        fn any_text_scores_alike_with_per_word_char_sums(
            text in crate::features::tests::hostile_text(),
        ) {
            static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
            let m = MODEL.get_or_init(toy_linear_model);
            if let Err(e) = check_linear_paths(m, &text) {
                proptest::prop_assert!(false, "{}: {}", text, e);
            }
        }
    }

    #[test]
    fn one_class_refused() {
        let c = corpus();
        let tokens = Tokens::train(c.iter().map(|x| x.0.as_str()), 200, 1).unwrap();
        let f = Featurizer::new(FeatureConfig::default(), tokens).unwrap();
        let ex: Vec<Example> = c
            .iter()
            .map(|(t, _)| Example {
                text: t,
                parent: "",
                class: 0,
                weight: 1.0,
                source: 0,
            })
            .collect();
        let e = fit(
            Task::Incivility,
            vec!["0".into(), "1".into()],
            f,
            &ex,
            &TrainParams::default(),
            &Silent,
        )
        .unwrap_err();
        assert!(e.to_string().contains("only one class (0)"), "{e}");
    }

    #[test]
    fn a_class_without_rows_gets_a_fixed_margin_and_no_drift() {
        // Three classes, the middle one absent (as `query` in DEBAGREEMENT).
        let mut x = Csr::new(4);
        let mut y = Vec::new();
        for i in 0..40u32 {
            let c = if i % 2 == 0 { 0 } else { 2 };
            x.push_row(&[(c / 2, 1.0), (2 + i % 2, 0.5)]);
            y.push(c);
        }
        let s = vec![1.0; y.len()];
        let sp = SparseParams::default();
        for nb in [false, true] {
            let m = fit_stage(&x, &y, &s, 3, &sp, nb).unwrap();
            assert_eq!((m.k, m.intercept[1]), (3, ABSENT_MARGIN));
            assert!((0..4).all(|f| m.weights[f * 3 + 1] == 0.0));
            let mut z = [0.0; 3];
            m.margins(&[(0, 1.0), (2, 0.5)], &mut z);
            assert!(z[0] > z[2] + 1.0 && z[1] == ABSENT_MARGIN, "{z:?}");
            m.margins(&[(1, 1.0), (3, 0.5)], &mut z);
            assert!(z[2] > z[0] + 1.0, "{z:?}");
            // Present margins stay on the scale of the data, not drifting up.
            assert!(z.iter().all(|v| v.abs() < 31.0), "{z:?}");
        }
    }

    #[test]
    fn a_two_source_mixture_routes_with_a_binary_router() {
        // Two sources make the router a one-column (binary) model; training,
        // scoring and the artifact round trip must all read it that way.
        let c = corpus();
        let f = toy_featurizer(&c);
        let ex = toy_examples(&c);
        let (a, b) = ex.split_at(ex.len() / 2);
        let sources = vec![("a".to_string(), a.to_vec()), ("b".to_string(), b.to_vec())];
        let m = fit_mixture(
            Task::Incivility,
            vec!["0".into(), "1".into()],
            f,
            &sources,
            &TrainParams::default(),
            &Silent,
        )
        .unwrap();
        assert_eq!(m.router.as_ref().unwrap().sparse.k, 1);
        let d = m.domains("what an idiot", "");
        assert_eq!(d.len(), 2);
        assert!((d[0].1 + d[1].1 - 1.0).abs() < 1e-9, "{d:?}");
        let back = Model::from_json(&m.to_json(), "t").unwrap();
        let mut s = ScoreScratch::default();
        let p = back.score("what an idiot", "", &mut s)[1];
        assert!(p > 0.6, "{p}");
        assert_eq!(p, m.score("what an idiot", "", &mut s)[1]);
    }

    /// A four-class stance model on the toy corpus.
    fn toy_stance_model() -> Model {
        let c = corpus();
        toy_stance_fit(toy_featurizer(&c))
    }

    /// The toy stance model with linearly weighted character n-grams.
    fn toy_linear_stance_model() -> Model {
        let c = corpus();
        let mut f = toy_featurizer(&c);
        f.config.char_tf = crate::features::CharTf::Linear;
        toy_stance_fit(f)
    }

    fn toy_stance_fit(f: Featurizer) -> Model {
        let c = corpus();
        let parents = ["is this true?", "the council voted", ""];
        let ex: Vec<Example> = c
            .iter()
            .enumerate()
            .map(|(i, (t, y))| Example {
                text: t,
                parent: parents[i % 3],
                class: if *y == 1 {
                    (i % 2) as u32
                } else {
                    2 + (i % 2) as u32
                },
                weight: 1.0,
                source: 0,
            })
            .collect();
        let labels: Vec<String> = ["agree", "disagree", "query", "comment"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        fit(
            Task::Stance,
            labels,
            f,
            &ex,
            &TrainParams::default(),
            &Silent,
        )
        .unwrap()
    }

    proptest::proptest! {
        /// Any reply and parent: probabilities are a distribution, and the
        /// prepared, fused and explanation paths agree with direct scoring.
        #[test]
        fn any_pair_scores_the_same_on_every_path(
            text in crate::features::tests::hostile_text(),
            parent in crate::features::tests::hostile_text(),
        ) {
            static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
            let m = MODEL.get_or_init(toy_stance_model);
            let mut s = ScoreScratch::default();
            let direct = m.score(&text, &parent, &mut s);
            proptest::prop_assert!(direct.iter().all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
            proptest::prop_assert!((direct.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let (a, b) = (m.prepare(&text, &mut s), m.prepare(&parent, &mut s));
            let prepared = m.score_prepared(&a, &text, Some((&b, &parent)), &mut s);
            proptest::prop_assert_eq!(&direct, &prepared);
            // The pair sides made from the tokenizer's split equal those
            // made later by splitting again, and score alike.
            let (pa, pb) = (m.prepare_as(&text, true, true, &mut s), m.prepare_as(&parent, true, true, &mut s));
            proptest::prop_assert_eq!(pa.pair.get(), Some(a.pair_side(&text)));
            proptest::prop_assert_eq!(pb.pair.get(), Some(b.pair_side(&parent)));
            proptest::prop_assert_eq!(&direct, &m.score_prepared(&pa, &text, Some((&pb, &parent)), &mut s));
            // Prepared in another text's buffers: the same, with or
            // without its pair side.
            for pair in [true, false] {
                let fresh = m.prepare_as(&text, true, pair, &mut s);
                let mut reused = m.prepare_as(&format!("{parent} {parent} x"), true, true, &mut s);
                m.prepare_into(&text, (true, pair), &mut s, &mut reused);
                proptest::prop_assert_eq!(&reused, &fresh);
            }
            let (sa, sb) = (m.side_sum(&a, 0).unwrap(), m.side_sum(&b, 1).unwrap());
            let fused = m.score_sums((&a, &text, &sa), Some((&b, &parent, &sb)), &mut s);
            for (x, y) in direct.iter().zip(&fused) {
                proptest::prop_assert!((x - y).abs() < 1e-6, "{:?} vs {:?}", direct, fused);
            }
            for class in 0..4 {
                let slow = m.explain(&text, &parent, class, 6);
                proptest::prop_assert_eq!(&slow, &m.explain_scored(&a, &text, Some((&b, &parent)), class, 6, &mut s));
                proptest::prop_assert!(slow.iter().all(|c| c.weight.is_finite()));
                // Every listed n-gram is named (a side is searched for
                // names when one of its n-grams is wanted).
                proptest::prop_assert!(slow.iter().all(|c| !c.feature.starts_with('#')), "{:?}", slow);
            }
        }
    }

    /// A linear two-sided model: explanations from texts prepared without
    /// character n-grams equal those of fully featurized ones, and each
    /// side's character block from the word lists equals the counts'.
    fn check_linear_pair(m: &Model, text: &str, parent: &str) -> Result<(), String> {
        let mut s = ScoreScratch::default();
        let (a, b) = (m.prepare(text, &mut s), m.prepare(parent, &mut s));
        let (la, lb) = (
            m.prepare_tokens(text, &mut s),
            m.prepare_tokens(parent, &mut s),
        );
        for m in both_char_reasons(m) {
            for class in 0..4 {
                let full = m.explain_prepared(&a, text, Some((&b, parent)), class, 4, &mut s);
                let lite = m.explain_prepared(&la, text, Some((&lb, parent)), class, 4, &mut s);
                if full != lite {
                    return Err(format!("{:?}: {full:?} vs {lite:?}", m.char_reasons));
                }
            }
        }
        check_char_lists(m, (&a, &la), 0)?;
        check_char_lists(m, (&b, &lb), 1)?;
        check_word_shares(m, text, parent)
    }

    #[test]
    fn linear_pair_models_explain_both_sides_from_word_lists() {
        let m = toy_linear_stance_model();
        assert!(m.sums_char_words() && m.sides == 2);
        for (text, parent) in [
            ("you idiot idiot", "is this true? idiot"),
            ("thanks, good point", ""),
            ("", "naïve ééé idiot"),
        ] {
            check_linear_pair(&m, text, parent).unwrap();
        }
        // Parent words and n-grams are named as such.
        let [words, ngrams] = both_char_reasons(&m);
        let ex = ngrams.explain("no", "what an idiot idiot", 1, 40);
        assert!(
            ex.iter().any(|c| c.feature.starts_with("parent:chr:")),
            "{ex:?}"
        );
        let ex = words.explain("no", "what an idiot idiot", 1, 40);
        let idiot: Vec<_> = ex
            .iter()
            .filter(|c| c.feature == "parent:word:idiot")
            .collect();
        assert_eq!(idiot.len(), 1, "{ex:?}");
        assert!(!ex.iter().any(|c| c.feature.contains("chr:")), "{ex:?}");
    }

    #[test]
    fn words_are_explained_by_their_ngrams_taken_together() {
        let m = toy_linear_model();
        assert_eq!(m.char_reasons, CharReasons::Words, "the default");
        let [words, ngrams] = both_char_reasons(&m);
        let share = |m: &Model, text: &str, prefix: &str| -> f64 {
            let ex = m.explain(text, "", 1, 100_000);
            ex.iter()
                .filter(|c| c.feature.starts_with(prefix))
                .map(|c| c.weight)
                .sum()
        };
        // One word: its share is the sum of its n-grams' shares.
        let one = share(&words, "idiot", "word:idiot");
        assert!(one > 0.0);
        assert!((one - share(&ngrams, "idiot", "chr:")).abs() < 1e-6 * one);
        // Written twice: one feature; each occurrence counts (linear tf),
        // the block's norm grows by sqrt(2): the share by sqrt(2).
        let ex = words.explain("idiot idiot", "", 1, 100_000);
        let twice: Vec<_> = ex.iter().filter(|c| c.feature == "word:idiot").collect();
        assert_eq!(twice.len(), 1, "{ex:?}");
        assert!((twice[0].weight - one * 2f64.sqrt()).abs() < 1e-9, "{ex:?}");
        // Punctuation is stripped from a word's ends (as for its n-grams);
        // the token features are unchanged.
        let ex = words.explain("what an idiot!!", "", 1, 3);
        assert!(ex.iter().any(|c| c.feature == "word:idiot"), "{ex:?}");
        assert!(!ex.iter().any(|c| c.feature.starts_with("chr:")), "{ex:?}");
        for text in ["idiot idiot idiot, you moron", "naïve ééé idiot", "", "!!!"] {
            check_word_shares(&m, text, "").unwrap();
        }
    }

    proptest::proptest! {
        /// Any reply and parent: a linear two-sided model explains both
        /// sides' character blocks from word lists as from the counts.
        #[test]
        fn any_pair_explains_alike_from_word_lists(
            text in crate::features::tests::hostile_text(),
            parent in crate::features::tests::hostile_text(),
        ) {
            static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
            let m = MODEL.get_or_init(toy_linear_stance_model);
            if let Err(e) = check_linear_pair(m, &text, &parent) {
                proptest::prop_assert!(false, "{:?} / {:?}: {}", text, parent, e);
            }
        }
    }

    proptest::proptest! {
        /// The one-pass `keep`-th largest and smallest weights equal a
        /// selection's, ties and signed zeros included.
        #[test]
        fn kth_extremes_match_a_selection(
            ws in proptest::collection::vec(
                proptest::prop_oneof![-3i8..3i8, proptest::strategy::Just(0i8)], 1..60),
            keep in 1usize..24,
            neg_zero in proptest::bool::ANY,
        ) {
            let cols: Vec<(u32, f64)> = ws
                .iter()
                .enumerate()
                .map(|(i, &w)| (i as u32, if w == 0 && neg_zero && i % 2 == 0 { -0.0 } else { f64::from(w) / 4.0 }))
                .collect();
            let keep = keep.min(cols.len());
            let mut sorted: Vec<f64> = cols.iter().map(|c| c.1).collect();
            sorted.sort_by(f64::total_cmp);
            let (hi, lo) = crate::classify::kth_extremes(&cols, keep, &mut Vec::new());
            proptest::prop_assert_eq!(hi.to_bits(), sorted[sorted.len() - keep].to_bits());
            proptest::prop_assert_eq!(lo.to_bits(), sorted[keep - 1].to_bits());
        }
    }

    #[test]
    fn prepared_scoring_equals_direct_scoring() {
        // Stance (two sides): the prepared path shifts the parent's counts
        // onto the parent side; it must give exactly the direct scores.
        let m = toy_stance_model();
        assert!(m.shares_featurizer(&m));
        let mut s = ScoreScratch::default();
        for (text, parent) in [
            ("you idiot", "is this true?"),
            ("thanks, good point", ""),
            ("", "x"),
        ] {
            let a = m.prepare(text, &mut s);
            let b = m.prepare(parent, &mut s);
            let direct = m.score(text, parent, &mut s);
            let prepared = m.score_prepared(&a, text, Some((&b, parent)), &mut s);
            assert_eq!(direct, prepared, "{text:?} / {parent:?}");
            assert_eq!(
                m.explain(text, parent, 1, 4),
                m.explain_prepared(&a, text, Some((&b, parent)), 1, 4, &mut s),
                "{text:?} / {parent:?}"
            );
            // The fused path: the text's side-0 sums and the parent's
            // side-1 sums give the same probabilities up to rounding.
            let (sa, sb) = (m.side_sum(&a, 0).unwrap(), m.side_sum(&b, 1).unwrap());
            let fused = m.score_sums((&a, text, &sa), Some((&b, parent, &sb)), &mut s);
            for (x, y) in direct.iter().zip(&fused) {
                assert!((x - y).abs() < 1e-6, "{direct:?} vs {fused:?}");
            }
            // Right after scoring, the explanation reuses the cue inputs.
            assert_eq!(
                m.explain_scored(&a, text, Some((&b, parent)), 1, 4, &mut s),
                m.explain(text, parent, 1, 4),
                "{text:?} / {parent:?}"
            );
            // Explanations read the fused table; the values equal those of
            // the tf-idf row (same f32 arithmetic), bit for bit.
            let coefs = [0.5, -1.0, 2.0, 0.25];
            let (mut from_table, mut xs) = (Vec::new(), Vec::new());
            let f = m.fused().unwrap();
            let cfg = &m.featurizer.config;
            f.contributions(
                &m.vocab,
                cfg,
                (&a.counts, 0),
                &coefs,
                &mut from_table,
                &mut xs,
            );
            f.contributions(
                &m.vocab,
                cfg,
                (&b.counts, 1),
                &coefs,
                &mut from_table,
                &mut xs,
            );
            m.prepared_row(&a, Some((&b, parent)), &mut s);
            let k = m.experts[0].sparse.k;
            let from_row: Vec<(u32, f64)> = s
                .row
                .iter()
                .map(|&(col, v)| {
                    let w = (0..k)
                        .map(|j| {
                            let wj = m.experts[0].sparse.weights[col as usize * k + j];
                            coefs[j] * f64::from(wj) * f64::from(v)
                        })
                        .sum();
                    (m.vocab.index[col as usize], w)
                })
                .collect();
            assert!(!from_row.is_empty());
            assert_eq!(from_table, from_row, "{text:?} / {parent:?}");
            let alone = m.score(text, "", &mut s);
            let fused_alone = m.score_sums((&a, text, &sa), None, &mut s);
            for (x, y) in alone.iter().zip(&fused_alone) {
                assert!((x - y).abs() < 1e-6, "{alone:?} vs {fused_alone:?}");
            }
        }
    }

    #[test]
    fn a_model_without_char_ngrams_reads_texts_featurized_with_them() {
        // As in `score`: the incivility model (character n-grams on)
        // featurizes each text once; the stance model (off) scores from
        // those counts exactly as from its own.
        let c = corpus();
        let with = toy_featurizer(&c);
        let mut without = with.clone();
        without.config.char_ngrams = false;
        let ex: Vec<Example> = c
            .iter()
            .map(|(t, y)| Example {
                text: t,
                parent: "is this true?",
                class: *y,
                weight: 1.0,
                source: 0,
            })
            .collect();
        let p = TrainParams::default();
        let labels = || vec!["0".to_string(), "1".to_string()];
        let inc = fit(Task::Incivility, labels(), with, &ex, &p, &Silent).unwrap();
        let st = fit(Task::Stance, labels(), without, &ex, &p, &Silent).unwrap();
        assert!(st.shares_featurizer(&inc) && !inc.shares_featurizer(&st));
        // Which words give character n-grams matters only to a model that
        // reads them.
        let mut fast = inc.clone();
        fast.featurizer.config.char_words = crate::features::CharWords::Unknown;
        assert!(st.shares_featurizer(&fast));
        assert!(!inc.shares_featurizer(&fast) && !fast.shares_featurizer(&inc));
        assert!(st
            .vocab
            .index
            .iter()
            .all(|&i| st.featurizer.config.block_of(i) % 2 == 0));
        let mut s = ScoreScratch::default();
        for (text, parent) in [("you idiot", "is this true?"), ("thanks, good point", "")] {
            let (a, b) = (inc.prepare(text, &mut s), inc.prepare(parent, &mut s));
            let direct = st.score(text, parent, &mut s);
            let prepared = st.score_prepared(&a, text, Some((&b, parent)), &mut s);
            assert_eq!(direct, prepared);
            let (sa, sb) = (st.side_sum(&a, 0).unwrap(), st.side_sum(&b, 1).unwrap());
            let fused = st.score_sums((&a, text, &sa), Some((&b, parent, &sb)), &mut s);
            for (x, y) in direct.iter().zip(&fused) {
                assert!((x - y).abs() < 1e-6, "{direct:?} vs {fused:?}");
            }
            assert_eq!(
                st.explain_scored(&a, text, Some((&b, parent)), 1, 4, &mut s),
                st.explain(text, parent, 1, 4)
            );
        }
    }
}

//! The sparse n-gram stage: L2 logistic regression on the hashed n-gram
//! columns, NB-scaled for binary tasks (NBSVM), one-vs-rest for several
//! classes, with a fixed margin for classes without rows.

use rayon::prelude::*;

use crate::classify::sparse::{self, Csr, SparseParams};
use crate::classify::ClassifyError;

/// Smoothing added to every column's class sums in [`nb_ratios`].
const NB_ALPHA: f64 = 1.0;

/// Weighted sums of each column over the positive rows (`p`) and over the
/// negative rows (`q`) among `rows`, each starting at [`NB_ALPHA`].
fn class_sums(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    rows: impl Iterator<Item = usize>,
) -> (Vec<f64>, Vec<f64>) {
    let mut p = vec![NB_ALPHA; x.ncols];
    let mut q = vec![NB_ALPHA; x.ncols];
    for i in rows {
        let (cols, vals) = x.row(i);
        let acc = if y[i] == 1 { &mut p } else { &mut q };
        for (&c, &v) in cols.iter().zip(vals) {
            acc[c as usize] += s[i] * f64::from(v);
        }
    }
    (p, q)
}

/// The log-count ratio of each column from its class sums. Indicator
/// columns added for the fit keep their scale (ratio 1) and do not count
/// in the normalisers.
fn ratios_of(p: &[f64], q: &[f64], fixed_cols: usize) -> Vec<f32> {
    let plain = p.len() - fixed_cols;
    let (sp, sq): (f64, f64) = (p[..plain].iter().sum(), q[..plain].iter().sum());
    p.iter()
        .zip(q)
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

/// [`nb_ratios`] computed within each training source and averaged per
/// column, each source weighing by how much of the column's (weighted)
/// mass it holds. Pooled ratios mix the sources' base rates into every
/// word: a placeholder that only one source uses (`@USER` in OLID's
/// tweets) looks uncivil when that source has more uncivil rows than the
/// others, though within it the placeholder is as common in both classes.
/// Within a source the base rate cancels: such a column gets the ratio of
/// any column every row of that source has (slightly negative when the
/// source's positive rows are longer), not a positive one.
pub(super) fn nb_ratios_within(x: &Csr, y: &[u32], s: &[f64], src: &[u32]) -> Vec<f32> {
    let n_src = src.iter().max().map_or(1, |&m| m as usize + 1);
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); n_src];
    for (i, &k) in src.iter().enumerate() {
        rows_of[k as usize].push(i);
    }
    let plain = x.ncols - x.fixed_cols;
    let mut num = vec![0.0f64; x.ncols];
    let mut den = vec![0.0f64; x.ncols];
    for rows in &rows_of {
        // No rows, or one class only: no contrast to learn a ratio from.
        if rows.iter().all(|&i| y[i] == y[rows[0]]) {
            continue;
        }
        let (p, q) = class_sums(x, y, s, rows.iter().copied());
        let r = ratios_of(&p, &q, x.fixed_cols);
        for c in 0..plain {
            // The source's weighted mass of the column (values are
            // non-negative tf-idf weights): its sums without the smoothing.
            let mass = p[c] + q[c] - 2.0 * NB_ALPHA;
            num[c] += mass * f64::from(r[c]);
            den[c] += mass;
        }
    }
    (0..x.ncols)
        .map(|c| {
            if c >= plain {
                1.0
            } else if den[c] > 0.0 {
                (num[c] / den[c]) as f32
            } else {
                0.0
            }
        })
        .collect()
}

/// Naive-Bayes log-count ratios per column (Wang & Manning 2012, NBSVM):
/// `ln((α + Σ_pos x / ‖·‖₁) / (α + Σ_neg x / ‖·‖₁))`, from weighted rows.
pub(super) fn nb_ratios(x: &Csr, y: &[u32], s: &[f64]) -> Vec<f32> {
    let (p, q) = class_sums(x, y, s, 0..x.nrows());
    ratios_of(&p, &q, x.fixed_cols)
}

/// Fit the n-gram stage; with `nb` (binary only) the columns are scaled by
/// their NB ratios (pooled, or within the sources `nb_src` gives each row:
/// [`nb_ratios_within`]) during the fit and the ratios are folded back into the
/// weights, so the stored model is still `w·x + b` on the same columns.
pub(super) fn fit_stage(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    classes: usize,
    sp: &SparseParams,
    nb: bool,
    nb_src: Option<&[u32]>,
) -> Result<sparse::SparseModel, ClassifyError> {
    if classes > 2 {
        return fit_present(x, y, s, classes, sp, nb);
    }
    if !nb {
        return sparse::fit(x, y, s, classes, sp);
    }
    let r = match nb_src {
        Some(src) => nb_ratios_within(x, y, s, src),
        None => nb_ratios(x, y, s),
    };
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
pub(super) const SOURCE_INDICATOR: f32 = 4.0;

/// Margin of a class with no training rows: never the argmax, and a
/// bounded input for the head.
pub(super) const ABSENT_MARGIN: f64 = -30.0;

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
pub(super) fn fit_present(
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
    let m = fit_stage(x, &yp, s, present.len(), sp, nb, None)?;
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
pub(super) fn fit_one_vs_rest(
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
            fit_stage(x, &yb, &sb, 2, sp, true, None)
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

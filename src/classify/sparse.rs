//! L2-regularised logistic regression over sparse rows, fitted with argmin's
//! L-BFGS (the optimiser inside `linfa-logistic`).
//!
//! Why not `linfa-logistic` itself for the n-gram model: it fits a dense
//! `Array2`, and the n-gram models need hundreds of thousands of columns
//! (measured in the model card: a dense 2,048-column hashed model loses
//! ROC AUC against the peer on every task and trains slower). The
//! objective here is the same as scikit-learn's `LogisticRegression` with
//! per-sample weights: `C · Σ sᵢ · loss(xᵢ) + ½‖W‖²` (intercepts not
//! penalised); binary uses the sigmoid, more classes the softmax. Loss and
//! gradient are computed together in one parallel pass over the rows.

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::Array1;
use rayon::prelude::*;

use super::ClassifyError;

/// Compressed sparse rows.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Row `i` is `indptr[i]..indptr[i+1]` of `cols`/`vals`.
    pub indptr: Vec<usize>,
    /// Column per stored value.
    pub cols: Vec<u32>,
    /// Values.
    pub vals: Vec<f32>,
    /// Number of columns.
    pub ncols: usize,
    /// The last `fixed_cols` columns are indicators added for the fit only
    /// (per-source intercepts): naive-Bayes scaling leaves them as they are.
    pub fixed_cols: usize,
}

impl Csr {
    /// Empty matrix with `ncols` columns.
    pub fn new(ncols: usize) -> Self {
        Csr {
            indptr: vec![0],
            cols: Vec::new(),
            vals: Vec::new(),
            ncols,
            fixed_cols: 0,
        }
    }

    /// Append a row.
    pub fn push_row(&mut self, row: &[(u32, f32)]) {
        for &(c, v) in row {
            debug_assert!((c as usize) < self.ncols);
            self.cols.push(c);
            self.vals.push(v);
        }
        self.indptr.push(self.cols.len());
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Row `i` as column and value slices.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.cols[a..b], &self.vals[a..b])
    }

    /// The same rows with one more column per group, row `i` having
    /// `value` in column `ncols + group[i]` (one-hot group indicators).
    pub fn with_indicators(&self, group: &[u32], groups: usize, value: f32) -> Csr {
        let mut m = Csr::new(self.ncols + groups);
        m.fixed_cols = self.fixed_cols + groups;
        m.cols.reserve(self.cols.len() + self.nrows());
        m.vals.reserve(self.vals.len() + self.nrows());
        for (i, &g) in group.iter().enumerate().take(self.nrows()) {
            let (c, v) = self.row(i);
            m.cols.extend_from_slice(c);
            m.vals.extend_from_slice(v);
            m.cols.push((self.ncols + g as usize) as u32);
            m.vals.push(value);
            m.indptr.push(m.cols.len());
        }
        m
    }

    /// The rows at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Csr {
        let mut m = Csr::new(self.ncols);
        m.fixed_cols = self.fixed_cols;
        for &i in idx {
            let (c, v) = self.row(i);
            m.cols.extend_from_slice(c);
            m.vals.extend_from_slice(v);
            m.indptr.push(m.cols.len());
        }
        m
    }
}

/// Checked fit settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SparseParams {
    /// Inverse regularisation strength (scikit-learn's `C`).
    pub c: f64,
    /// L-BFGS iterations at most.
    pub max_iters: u64,
    /// Stop when the gradient's norm falls below this.
    pub tolerance: f64,
}

impl Default for SparseParams {
    fn default() -> Self {
        SparseParams {
            c: 4.0,
            max_iters: 300,
            tolerance: 1e-4,
        }
    }
}

/// A fitted sparse linear model: `K` score columns (1 for binary).
#[derive(Debug, Clone, PartialEq)]
pub struct SparseModel {
    /// Score columns: 1 (binary, score = log-odds of class 1) or the number of classes.
    pub k: usize,
    /// Feature-major weights: `w[col * k + j]`.
    pub weights: Vec<f32>,
    /// One intercept per score column.
    pub intercept: Vec<f64>,
}

impl SparseModel {
    /// Scores (margins) of one row.
    pub fn margins(&self, row: &[(u32, f32)], out: &mut [f64]) {
        out.copy_from_slice(&self.intercept);
        for &(c, v) in row {
            let w = &self.weights[c as usize * self.k..(c as usize + 1) * self.k];
            for (o, &wj) in out.iter_mut().zip(w) {
                *o += f64::from(wj) * f64::from(v);
            }
        }
    }

    /// Margins of every row of a matrix (`nrows × k`, row-major).
    pub fn margins_csr(&self, x: &Csr) -> Vec<f64> {
        let k = self.k;
        let mut out = vec![0.0; x.nrows() * k];
        out.par_chunks_mut(k).enumerate().for_each(|(i, o)| {
            o.copy_from_slice(&self.intercept);
            let (cols, vals) = x.row(i);
            for (&c, &v) in cols.iter().zip(vals) {
                let w = &self.weights[c as usize * k..(c as usize + 1) * k];
                for (oj, &wj) in o.iter_mut().zip(w) {
                    *oj += f64::from(wj) * f64::from(v);
                }
            }
        });
        out
    }
}

/// Parameters with their loss and gradient.
type Evaluated = (Array1<f64>, f64, Array1<f64>);

struct Problem<'a> {
    x: &'a Csr,
    y: &'a [u32],
    s: &'a [f64],
    k: usize,
    c: f64,
    cache: Mutex<Option<Evaluated>>,
}

impl Problem<'_> {
    fn dim(&self) -> usize {
        self.x.ncols * self.k + self.k
    }

    /// Loss and gradient in one pass, memoised for the last parameter.
    fn eval(&self, p: &Array1<f64>) -> (f64, Array1<f64>) {
        if let Some((q, l, g)) = &*self.cache.lock().expect("not poisoned") {
            if q == p {
                return (*l, g.clone());
            }
        }
        let (k, d) = (self.k, self.x.ncols);
        let w = p.as_slice().expect("contiguous");
        let n = self.x.nrows();
        let threads = rayon::current_num_threads().max(1);
        let chunk = n.div_ceil(threads).max(1);
        let parts: Vec<(f64, Vec<f64>)> = (0..n)
            .step_by(chunk)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut g = vec![0.0; d * k + k];
                let mut loss = 0.0;
                let mut z = vec![0.0; k];
                for i in start..(start + chunk).min(n) {
                    let (cols, vals) = self.x.row(i);
                    z.copy_from_slice(&w[d * k..]);
                    for (&c, &v) in cols.iter().zip(vals) {
                        let wc = &w[c as usize * k..c as usize * k + k];
                        for (zj, &wj) in z.iter_mut().zip(wc) {
                            *zj += wj * f64::from(v);
                        }
                    }
                    let si = self.s[i];
                    let yi = self.y[i] as usize;
                    if k == 1 {
                        // log(1 + e^z) - y z, stably.
                        let zi = z[0];
                        let l = if zi > 0.0 {
                            zi + (-zi).exp().ln_1p()
                        } else {
                            zi.exp().ln_1p()
                        };
                        loss += si * (l - if yi == 1 { zi } else { 0.0 });
                        z[0] = si * (sigmoid(zi) - yi as f64);
                    } else {
                        let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                        let sum: f64 = z.iter().map(|&zj| (zj - m).exp()).sum();
                        let lse = m + sum.ln();
                        loss += si * (lse - z[yi]);
                        for (j, zj) in z.iter_mut().enumerate() {
                            *zj = si * ((*zj - lse).exp() - if j == yi { 1.0 } else { 0.0 });
                        }
                    }
                    for (&c, &v) in cols.iter().zip(vals) {
                        let gc = &mut g[c as usize * k..c as usize * k + k];
                        for (gj, &rj) in gc.iter_mut().zip(&z) {
                            *gj += rj * f64::from(v);
                        }
                    }
                    for (gj, &rj) in g[d * k..].iter_mut().zip(&z) {
                        *gj += rj;
                    }
                }
                (loss, g)
            })
            .collect();
        let mut loss = 0.0;
        let mut grad = vec![0.0; d * k + k];
        for (l, g) in parts {
            loss += l;
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        // C · data term + ½‖W‖² (not the intercepts).
        loss *= self.c;
        for (j, gj) in grad.iter_mut().enumerate() {
            *gj *= self.c;
            if j < d * k {
                *gj += w[j];
                loss += 0.5 * w[j] * w[j];
            }
        }
        let grad = Array1::from(grad);
        *self.cache.lock().expect("not poisoned") = Some((p.clone(), loss, grad.clone()));
        (loss, grad)
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl CostFunction for Problem<'_> {
    type Param = Array1<f64>;
    type Output = f64;
    fn cost(&self, p: &Array1<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.eval(p).0)
    }
}

impl Gradient for Problem<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;
    fn gradient(&self, p: &Array1<f64>) -> Result<Array1<f64>, argmin::core::Error> {
        Ok(self.eval(p).1)
    }
}

/// Fit on rows `x` with class indices `y` (`0..classes`) and per-row
/// weights `s`. Binary (`classes == 2`) fits one column scoring class 1.
pub fn fit(
    x: &Csr,
    y: &[u32],
    s: &[f64],
    classes: usize,
    params: &SparseParams,
) -> Result<SparseModel, ClassifyError> {
    if x.nrows() != y.len() || y.len() != s.len() {
        return Err(ClassifyError::Shape(format!(
            "{} rows, {} labels, {} weights",
            x.nrows(),
            y.len(),
            s.len()
        )));
    }
    if classes < 2 || y.iter().any(|&c| c as usize >= classes) {
        return Err(ClassifyError::Shape(format!("labels outside 0..{classes}")));
    }
    if !(params.c > 0.0 && params.c.is_finite()) {
        return Err(ClassifyError::Params("C must be positive".into()));
    }
    let k = if classes == 2 { 1 } else { classes };
    let problem = Problem {
        x,
        y,
        s,
        k,
        c: params.c,
        cache: Mutex::new(None),
    };
    let init = Array1::zeros(problem.dim());
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(params.tolerance)
        .and_then(|s| s.with_tolerance_cost(1e-9))
        .map_err(|e| ClassifyError::Params(e.to_string()))?;
    let res = Executor::new(problem, solver)
        .configure(|st| st.param(init).max_iters(params.max_iters))
        .run()
        .map_err(|e| ClassifyError::Optimizer(e.to_string()))?;
    if log::log_enabled!(log::Level::Debug) {
        log::debug!(
            "L-BFGS {} iterations, cost {:.4}, termination {:?}",
            res.state.get_iter(),
            res.state.get_best_cost(),
            res.state.get_termination_status()
        );
    }
    let best = res
        .state
        .get_best_param()
        .cloned()
        .ok_or_else(|| ClassifyError::Optimizer("no parameters".into()))?;
    let d = x.ncols;
    let w = best.as_slice().expect("contiguous");
    if w.iter().any(|v| !v.is_finite()) {
        return Err(ClassifyError::Optimizer("weights are not finite".into()));
    }
    Ok(SparseModel {
        k,
        weights: w[..d * k].iter().map(|&v| v as f32).collect(),
        intercept: w[d * k..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Csr, Vec<u32>) {
        // Column 0 signals class 1, column 1 class 0, column 2 is noise.
        let mut x = Csr::new(3);
        let mut y = Vec::new();
        for i in 0..40 {
            if i % 2 == 0 {
                x.push_row(&[(0, 1.0), (2, (i % 3) as f32)]);
                y.push(1);
            } else {
                x.push_row(&[(1, 1.0), (2, (i % 3) as f32)]);
                y.push(0);
            }
        }
        (x, y)
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (x, _) = toy();
        let y: Vec<u32> = (0..40).map(|i| (i % 3) as u32).collect();
        let s: Vec<f64> = (0..40).map(|i| 0.5 + (i % 2) as f64).collect();
        for k in [1usize, 3] {
            let yy: Vec<u32> = if k == 1 {
                y.iter().map(|&c| c.min(1)).collect()
            } else {
                y.clone()
            };
            let p = Problem {
                x: &x,
                y: &yy,
                s: &s,
                k,
                c: 2.0,
                cache: Mutex::new(None),
            };
            let w = Array1::from_iter((0..p.dim()).map(|i| 0.1 * i as f64 - 0.3));
            let (_, g) = p.eval(&w);
            for j in 0..p.dim() {
                let mut a = w.clone();
                let mut b = w.clone();
                a[j] += 1e-6;
                b[j] -= 1e-6;
                let fd = (p.eval(&a).0 - p.eval(&b).0) / 2e-6;
                assert!(
                    (fd - g[j]).abs() < 1e-4 * (1.0 + fd.abs()),
                    "k={k} j={j}: {fd} vs {}",
                    g[j]
                );
            }
        }
    }

    #[test]
    fn separates_the_toy_problem() {
        let (x, y) = toy();
        let s = vec![1.0; y.len()];
        let m = fit(&x, &y, &s, 2, &SparseParams::default()).unwrap();
        assert_eq!(m.k, 1);
        assert!(m.weights[0] > 1.0 && m.weights[1] < -1.0);
        let z = m.margins_csr(&x);
        for (zi, yi) in z.iter().zip(&y) {
            assert_eq!(*zi > 0.0, *yi == 1);
        }
    }

    #[test]
    fn multiclass_and_shape_errors() {
        let (x, _) = toy();
        let y: Vec<u32> = (0..40).map(|i| if i % 2 == 0 { 2 } else { 0 }).collect();
        let s = vec![1.0; 40];
        let m = fit(&x, &y, &s, 3, &SparseParams::default()).unwrap();
        assert_eq!(m.k, 3);
        let mut z = [0.0; 3];
        m.margins(&[(0, 1.0)], &mut z);
        assert!(z[2] > z[0] && z[2] > z[1]);
        assert!(fit(&x, &y[..10], &s, 3, &SparseParams::default()).is_err());
        assert!(
            fit(&x, &y, &s, 2, &SparseParams::default()).is_err(),
            "label 2 with 2 classes"
        );
    }
}

//! The dense head: a small `linfa-logistic` model over the n-gram model's
//! out-of-fold scores and the dense cues (and, for stance, the pair
//! features). It does what one big sparse model cannot do well: it
//! calibrates the class-weighted n-gram scores back to real probabilities,
//! and it weighs signals that are not n-grams (shouting, quoting the
//! parent, a question form) against the text score.
//!
//! Inputs are standardised with the training mean and deviation, both
//! stored, so the head's coefficients are comparable in explanations.

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::ClassifyError;

/// A fitted head: `k` output columns (1 for binary: log-odds of class 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// Input names, in order.
    pub features: Vec<String>,
    /// Training mean per input.
    pub mean: Vec<f64>,
    /// Training standard deviation per input (1 where constant).
    pub scale: Vec<f64>,
    /// `weights[j][f]`: output `j`, input `f` (on the standardised input).
    pub weights: Vec<Vec<f64>>,
    /// One intercept per output.
    pub intercept: Vec<f64>,
}

/// `linfa-logistic` L2 strength for the head (its cost is
/// `Σ loss + ½ α ‖w‖²`; with thousands of rows and a dozen inputs this
/// only keeps collinear inputs finite).
const ALPHA: f64 = 1.0;

impl Head {
    /// Fit on `x` (rows × inputs) and class indices `y` in `0..classes`.
    pub fn fit(
        features: Vec<String>,
        x: &Array2<f64>,
        y: &[u32],
        classes: usize,
    ) -> Result<Head, ClassifyError> {
        let m = features.len();
        // Width checked here: linfa-logistic panics on a mismatch.
        if x.ncols() != m || x.nrows() != y.len() {
            return Err(ClassifyError::Shape(format!(
                "head input {}×{} for {} names and {} labels",
                x.nrows(),
                x.ncols(),
                m,
                y.len()
            )));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(ClassifyError::Shape("head input is not finite".into()));
        }
        let n = x.nrows().max(1) as f64;
        let mean: Vec<f64> = (0..m).map(|j| x.column(j).sum() / n).collect();
        let scale: Vec<f64> = (0..m)
            .map(|j| {
                let v = x
                    .column(j)
                    .iter()
                    .map(|&a| (a - mean[j]).powi(2))
                    .sum::<f64>()
                    / n;
                if v > 1e-12 {
                    v.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let mut z = x.clone();
        for j in 0..m {
            z.column_mut(j).mapv_inplace(|a| (a - mean[j]) / scale[j]);
        }
        let (weights, intercept) = if classes == 2 {
            let t: Array1<bool> = y.iter().map(|&c| c == 1).collect();
            let fit = LogisticRegression::default()
                .alpha(ALPHA)
                .max_iterations(200)
                .fit(&Dataset::new(z, t))
                .map_err(|e| ClassifyError::Optimizer(format!("head: {e}")))?;
            // linfa-logistic maps the *majority* class to its positive
            // side; orient the weights so the output is log-odds of `true`.
            let sign = if fit.labels().pos.class { 1.0 } else { -1.0 };
            (
                vec![fit.params().iter().map(|w| sign * w).collect()],
                vec![sign * fit.intercept()],
            )
        } else {
            let t: Array1<usize> = y.iter().map(|&c| c as usize).collect();
            let fit = MultiLogisticRegression::default()
                .alpha(ALPHA)
                .max_iterations(200)
                .fit(&Dataset::new(z, t))
                .map_err(|e| ClassifyError::Optimizer(format!("head: {e}")))?;
            // Classes come back sorted; map each of ours to its column.
            let cls = fit.classes();
            let p = fit.params();
            let mut w = vec![vec![0.0; m]; classes];
            let mut b = vec![-1e3; classes]; // a class absent in training is never predicted
            for (col, &c) in cls.iter().enumerate() {
                for f in 0..m {
                    w[c][f] = p[[f, col]];
                }
                b[c] = fit.intercept()[col];
            }
            (w, b)
        };
        let head = Head {
            features,
            mean,
            scale,
            weights,
            intercept,
        };
        head.check()?;
        Ok(head)
    }

    /// Keep only the first `m` inputs. The rest are dropped as if each
    /// were at its training mean (its standardised value is then 0): used
    /// for inputs seen in training only, such as source indicators.
    pub fn keep_inputs(&mut self, m: usize) {
        self.features.truncate(m);
        self.mean.truncate(m);
        self.scale.truncate(m);
        for w in &mut self.weights {
            w.truncate(m);
        }
    }

    /// Shape and value checks (a head read from a file is user input).
    pub fn check(&self) -> Result<(), ClassifyError> {
        let m = self.features.len();
        if self.mean.len() != m
            || self.scale.len() != m
            || self.weights.len() != self.intercept.len()
            || self.weights.iter().any(|w| w.len() != m)
        {
            return Err(ClassifyError::Shape("head dimensions disagree".into()));
        }
        let all = self.mean.iter().chain(&self.scale).chain(&self.intercept);
        if all
            .chain(self.weights.iter().flatten())
            .any(|v| !v.is_finite())
            || self.scale.iter().any(|&s| s <= 0.0)
        {
            return Err(ClassifyError::Shape("head has non-finite values".into()));
        }
        Ok(())
    }

    /// Output scores for one input row.
    pub fn logits(&self, x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        for (w, b) in self.weights.iter().zip(&self.intercept) {
            let mut s = *b;
            for f in 0..x.len() {
                s += w[f] * (x[f] - self.mean[f]) / self.scale[f];
            }
            out.push(s);
        }
    }

    /// Probabilities from [`Head::logits`]: sigmoid for one output (P of
    /// class 1), softmax otherwise.
    pub fn probabilities(logits: &[f64]) -> Vec<f64> {
        if logits.len() == 1 {
            let p = 1.0 / (1.0 + (-logits[0]).exp());
            vec![1.0 - p, p]
        } else {
            let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = logits.iter().map(|&z| (z - m).exp()).collect();
            let s: f64 = e.iter().sum();
            e.into_iter().map(|v| v / s).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_head_is_oriented_whatever_the_majority() {
        for minority_positive in [true, false] {
            let n = 200;
            let mut x = Array2::zeros((n, 2));
            let mut y = Vec::new();
            for i in 0..n {
                let pos = if minority_positive {
                    i % 4 == 0
                } else {
                    i % 4 != 0
                };
                x[[i, 0]] = if pos { 1.0 } else { -1.0 } + (i % 7) as f64 * 0.1;
                x[[i, 1]] = (i % 5) as f64;
                y.push(u32::from(pos));
            }
            let h = Head::fit(vec!["m".into(), "noise".into()], &x, &y, 2).unwrap();
            assert!(h.weights[0][0] > 0.0, "positive margin means class 1");
            let mut l = Vec::new();
            h.logits(&[1.0, 2.0], &mut l);
            assert!(Head::probabilities(&l)[1] > 0.9);
            h.logits(&[-1.0, 2.0], &mut l);
            assert!(Head::probabilities(&l)[1] < 0.1);
        }
    }

    #[test]
    fn multi_head_maps_classes() {
        let n = 300;
        let mut x = Array2::zeros((n, 3));
        let mut y = Vec::new();
        for i in 0..n {
            let c = i % 3;
            x[[i, c]] = 2.0;
            y.push(c as u32);
        }
        let h = Head::fit(vec!["a".into(), "b".into(), "c".into()], &x, &y, 4).unwrap();
        let mut l = Vec::new();
        h.logits(&[0.0, 2.0, 0.0], &mut l);
        let p = Head::probabilities(&l);
        assert_eq!(p.len(), 4);
        assert!(p[1] > 0.8 && p[3] < 1e-6, "{p:?}");
    }

    #[test]
    fn width_checked_before_linfa() {
        let x = Array2::zeros((10, 3));
        let y = vec![0u32; 10];
        assert!(Head::fit(vec!["a".into()], &x, &y, 2).is_err());
    }
}

//! Evaluation metrics, computed the way scikit-learn computes them so our
//! numbers sit beside the peer's: ROC AUC with tied scores counted half,
//! average precision as the step sum `Σ (Rₙ − Rₙ₋₁) Pₙ` over distinct
//! thresholds, F1 of the positive class and macro-F1, and the expected
//! calibration error over ten equal-width bins.

use serde::{Deserialize, Serialize};

/// Binary metrics (positive class = 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryMetrics {
    /// Rows evaluated.
    pub n: usize,
    /// Positive rows.
    pub positives: usize,
    /// Area under the ROC curve.
    pub roc_auc: f64,
    /// Average precision (area under the precision–recall curve).
    pub pr_auc: f64,
    /// F1 of the positive class at `threshold`.
    pub f1: f64,
    /// Precision of the positive class at `threshold`.
    pub precision: f64,
    /// Recall of the positive class at `threshold`.
    pub recall: f64,
    /// Mean F1 of both classes at `threshold`.
    pub macro_f1: f64,
    /// Accuracy at `threshold`.
    pub accuracy: f64,
    /// Expected calibration error (10 equal-width bins).
    pub ece: f64,
    /// Decision threshold on the probability.
    pub threshold: f64,
}

fn f1(tp: f64, fp: f64, fn_: f64) -> f64 {
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fn_)
    }
}

/// ROC AUC; `None` when one class is absent.
pub fn roc_auc(y: &[bool], p: &[f64]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let npos = y.iter().filter(|&&v| v).count() as f64;
    let nneg = y.len() as f64 - npos;
    if npos == 0.0 || nneg == 0.0 {
        return None;
    }
    // Sum of positive ranks, ties get the average rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && p[idx[j + 1]] == p[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg * idx[i..=j].iter().filter(|&&k| y[k]).count() as f64;
        i = j + 1;
    }
    Some((rank_sum - npos * (npos + 1.0) / 2.0) / (npos * nneg))
}

/// One distinct score, walking from the highest down: the counts of
/// positives and negatives scored at or above it, and the next lower score.
struct Step {
    score: f64,
    next: Option<f64>,
    tp: f64,
    fp: f64,
}

/// Cumulative counts at each distinct score, highest first (tied scores
/// form one step, as scikit-learn's threshold curves do).
fn descending_steps(y: &[bool], p: &[f64]) -> Vec<Step> {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut steps = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && p[idx[j]] == p[idx[i]] {
            if y[idx[j]] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            j += 1;
        }
        steps.push(Step {
            score: p[idx[i]],
            next: idx.get(j).map(|&k| p[k]),
            tp,
            fp,
        });
        i = j;
    }
    steps
}

/// Average precision; `None` without positives.
pub fn average_precision(y: &[bool], p: &[f64]) -> Option<f64> {
    let npos = y.iter().filter(|&&v| v).count() as f64;
    if npos == 0.0 {
        return None;
    }
    let (mut prev_recall, mut ap) = (0.0, 0.0);
    for st in descending_steps(y, p) {
        let recall = st.tp / npos;
        ap += (recall - prev_recall) * st.tp / (st.tp + st.fp);
        prev_recall = recall;
    }
    Some(ap)
}

/// Expected calibration error over `bins` equal-width probability bins.
pub fn ece(y: &[bool], p: &[f64], bins: usize) -> f64 {
    let mut cnt = vec![0usize; bins];
    let mut conf = vec![0.0; bins];
    let mut acc = vec![0.0; bins];
    for (&yi, &pi) in y.iter().zip(p) {
        let b = ((pi * bins as f64) as usize).min(bins - 1);
        cnt[b] += 1;
        conf[b] += pi;
        acc[b] += f64::from(u8::from(yi));
    }
    let n = y.len().max(1) as f64;
    (0..bins)
        .filter(|&b| cnt[b] > 0)
        .map(|b| (cnt[b] as f64 / n) * ((acc[b] - conf[b]) / cnt[b] as f64).abs())
        .sum()
}

/// All binary metrics at `threshold` (predict positive when `p >= threshold`).
pub fn binary(y: &[bool], p: &[f64], threshold: f64) -> BinaryMetrics {
    let (mut tp, mut fp, mut tn, mut fn_) = (0.0, 0.0, 0.0, 0.0);
    for (&yi, &pi) in y.iter().zip(p) {
        match (yi, pi >= threshold) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (false, false) => tn += 1.0,
            (true, false) => fn_ += 1.0,
        }
    }
    let n = y.len();
    BinaryMetrics {
        n,
        positives: (tp + fn_) as usize,
        roc_auc: roc_auc(y, p).unwrap_or(f64::NAN),
        pr_auc: average_precision(y, p).unwrap_or(f64::NAN),
        f1: f1(tp, fp, fn_),
        precision: if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 },
        recall: if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 },
        macro_f1: (f1(tp, fp, fn_) + f1(tn, fn_, fp)) / 2.0,
        accuracy: if n > 0 {
            (tp + tn) / n as f64
        } else {
            f64::NAN
        },
        ece: ece(y, p, 10),
        threshold,
    }
}

/// The threshold that maximises positive-class F1 (midpoint between
/// adjacent distinct scores); 0.5 when there are no positives.
pub fn best_f1_threshold(y: &[bool], p: &[f64]) -> f64 {
    let npos = y.iter().filter(|&&v| v).count() as f64;
    if npos == 0.0 {
        return 0.5;
    }
    let (mut best, mut best_t) = (-1.0, 0.5);
    for st in descending_steps(y, p) {
        let f = f1(st.tp, st.fp, npos - st.tp);
        if f > best {
            best = f;
            best_t = st.next.map_or(st.score, |n| (st.score + n) / 2.0);
        }
    }
    best_t
}

/// Multi-class metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiMetrics {
    /// Rows evaluated.
    pub n: usize,
    /// Class names, in the order of the per-class vectors.
    pub labels: Vec<String>,
    /// Accuracy.
    pub accuracy: f64,
    /// Mean F1 over classes.
    pub macro_f1: f64,
    /// Geometric mean of per-class recalls (0 if any class is never found).
    pub gmean_recall: f64,
    /// Precision per class.
    pub precision: Vec<f64>,
    /// Recall per class.
    pub recall: Vec<f64>,
    /// F1 per class.
    pub f1: Vec<f64>,
    /// Rows: true class, columns: predicted class.
    pub confusion: Vec<Vec<usize>>,
}

/// The class with the largest `ln p + offset` (offsets empty: plain argmax).
pub fn decide(p: &[f64], offsets: &[f64]) -> usize {
    let v = |c: usize| p[c].max(1e-300).ln() + offsets.get(c).copied().unwrap_or(0.0);
    (0..p.len())
        .max_by(|&a, &b| v(a).total_cmp(&v(b)))
        .unwrap_or(0)
}

/// Macro-F1 over the classes that occur in `y` or the predictions.
fn macro_f1_of(k: usize, y: &[usize], pred: &[usize]) -> f64 {
    let mut tp = vec![0usize; k];
    let mut row = vec![0usize; k];
    let mut col = vec![0usize; k];
    for (&t, &p) in y.iter().zip(pred) {
        row[t] += 1;
        col[p] += 1;
        if t == p {
            tp[t] += 1;
        }
    }
    let present: Vec<usize> = (0..k).filter(|&c| row[c] + col[c] > 0).collect();
    let sum: f64 = present
        .iter()
        .map(|&c| {
            f1(
                tp[c] as f64,
                (col[c] - tp[c]) as f64,
                (row[c] - tp[c]) as f64,
            )
        })
        .sum();
    sum / present.len().max(1) as f64
}

/// Per-class decision offsets (added to `ln p` before the argmax) that
/// maximise macro-F1 on held-out probabilities `probs` with true classes
/// `y`. Calibrated probabilities favour the majority class; macro-F1 asks
/// for each class to be found, so the decision rule moves, not the
/// probabilities. Coordinate ascent over a grid of offsets in `[-4, 4]`,
/// class 0 fixed at 0 (only differences matter); ties keep the offset
/// nearer 0, so the rule moves only as far as the data asks.
pub fn best_offsets(y: &[usize], probs: &[Vec<f64>]) -> Vec<f64> {
    let k = probs.first().map_or(0, |p| p.len());
    let mut off = vec![0.0; k];
    if k < 2 || y.is_empty() {
        return off;
    }
    let logp: Vec<Vec<f64>> = probs
        .iter()
        .map(|p| p.iter().map(|v| v.max(1e-300).ln()).collect())
        .collect();
    let predict = |off: &[f64], pred: &mut Vec<usize>| {
        pred.clear();
        pred.extend(logp.iter().map(|l| {
            (0..k)
                .max_by(|&a, &b| (l[a] + off[a]).total_cmp(&(l[b] + off[b])))
                .unwrap_or(0)
        }));
    };
    let mut pred = Vec::with_capacity(y.len());
    predict(&off, &mut pred);
    let mut best = macro_f1_of(k, y, &pred);
    let grid: Vec<f64> = (-40..=40).map(|i| i as f64 * 0.1).collect();
    for _round in 0..4 {
        let mut moved = false;
        for c in 1..k {
            let mut pick = off[c];
            for &g in &grid {
                let mut t = off.clone();
                t[c] = g;
                predict(&t, &mut pred);
                let f = macro_f1_of(k, y, &pred);
                if f > best + 1e-12 || (f > best - 1e-12 && g.abs() < pick.abs()) {
                    best = f.max(best);
                    pick = g;
                }
            }
            if pick != off[c] {
                off[c] = pick;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    off
}

/// Metrics from true and predicted class indices. Classes with no true and
/// no predicted rows are left out of the averages (as scikit-learn does
/// with an explicit label list restricted to seen labels).
pub fn multiclass(labels: &[String], y: &[usize], pred: &[usize]) -> MultiMetrics {
    let k = labels.len();
    let mut cm = vec![vec![0usize; k]; k];
    for (&t, &p) in y.iter().zip(pred) {
        cm[t][p] += 1;
    }
    let mut precision = vec![0.0; k];
    let mut recall = vec![0.0; k];
    let mut f1s = vec![0.0; k];
    let mut present = Vec::new();
    for c in 0..k {
        let tp = cm[c][c] as f64;
        let row: usize = cm[c].iter().sum();
        let col: usize = cm.iter().map(|r| r[c]).sum();
        if row > 0 || col > 0 {
            present.push(c);
        }
        precision[c] = if col > 0 { tp / col as f64 } else { 0.0 };
        recall[c] = if row > 0 { tp / row as f64 } else { 0.0 };
        f1s[c] = f1(tp, col as f64 - tp, row as f64 - tp);
    }
    let n = y.len();
    let correct: usize = (0..k).map(|c| cm[c][c]).sum();
    let m = present.len().max(1) as f64;
    let with_rows: Vec<usize> = (0..k)
        .filter(|&c| cm[c].iter().sum::<usize>() > 0)
        .collect();
    let gmean = if with_rows.is_empty() {
        0.0
    } else {
        let lp: f64 = with_rows.iter().map(|&c| recall[c].ln()).sum();
        (lp / with_rows.len() as f64).exp()
    };
    MultiMetrics {
        n,
        labels: labels.to_vec(),
        accuracy: if n > 0 {
            correct as f64 / n as f64
        } else {
            f64::NAN
        },
        macro_f1: present.iter().map(|&c| f1s[c]).sum::<f64>() / m,
        gmean_recall: gmean,
        precision,
        recall,
        f1: f1s,
        confusion: cm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn auc_hand_computed_with_ties() {
        // pos scores {0.8, 0.4}, neg {0.4, 0.1}: pairs (0.8>0.4)=1, (0.8>0.1)=1,
        // (0.4=0.4)=0.5, (0.4>0.1)=1 → 3.5/4.
        let y = [true, true, false, false];
        let p = [0.8, 0.4, 0.4, 0.1];
        close(roc_auc(&y, &p).unwrap(), 0.875);
        assert!(roc_auc(&[true, true], &[0.1, 0.2]).is_none());
    }

    #[test]
    fn average_precision_hand_computed() {
        // sorted: 0.9 T, 0.8 F, 0.7 T, 0.1 F → P@1 = 1, P@3 = 2/3; AP = 0.5·1 + 0.5·2/3.
        let y = [true, false, true, false];
        let p = [0.9, 0.8, 0.7, 0.1];
        close(average_precision(&y, &p).unwrap(), 0.5 + 1.0 / 3.0);
        // A tie of one pos and one neg at the top counts as one step: P = 1/2.
        close(average_precision(&[true, false], &[0.5, 0.5]).unwrap(), 0.5);
    }

    #[test]
    fn threshold_metrics_hand_computed() {
        let y = [true, false, true, false, true];
        let p = [0.9, 0.6, 0.4, 0.2, 0.7];
        let m = binary(&y, &p, 0.5);
        // pred: T T F F T → tp 2, fp 1, fn 1, tn 1.
        close(m.f1, 4.0 / 6.0);
        close(m.precision, 2.0 / 3.0);
        close(m.recall, 2.0 / 3.0);
        close(m.accuracy, 3.0 / 5.0);
        // negative class: tp' = 1, fp' = 1 (the missed positive), fn' = 1 → 0.5.
        close(m.macro_f1, (4.0 / 6.0 + 0.5) / 2.0);
        assert_eq!((m.n, m.positives), (5, 3));
    }

    #[test]
    fn ece_hand_computed() {
        // bin 9: p .9,.9 acc 1 → |1-.9| = .1, weight .5; bin 1: p .1,.1 acc .5 → .4, weight .5.
        let y = [true, true, true, false];
        let p = [0.9, 0.9, 0.1, 0.1];
        close(ece(&y, &p, 10), 0.5 * 0.1 + 0.5 * 0.4);
    }

    #[test]
    fn best_threshold_splits_perfectly_separable_scores() {
        let y = [false, false, true, true];
        let p = [0.1, 0.3, 0.6, 0.8];
        let t = best_f1_threshold(&y, &p);
        assert!(t > 0.3 && t <= 0.6, "{t}");
        close(binary(&y, &p, t).f1, 1.0);
    }

    #[test]
    fn multiclass_hand_computed() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let y = [0, 0, 1, 1, 2, 2];
        let pred = [0, 1, 1, 1, 0, 2];
        let m = multiclass(&labels, &y, &pred);
        assert_eq!(
            m.confusion,
            vec![vec![1, 1, 0], vec![0, 2, 0], vec![1, 0, 1]]
        );
        close(m.accuracy, 4.0 / 6.0);
        // a: p 1/2 r 1/2 f .5; b: p 2/3 r 1 f .8; c: p 1 r 1/2 f 2/3.
        close(m.macro_f1, (0.5 + 0.8 + 2.0 / 3.0) / 3.0);
        close(m.gmean_recall, (0.5f64 * 1.0 * 0.5).powf(1.0 / 3.0));
    }

    #[test]
    fn offsets_find_a_minority_class_that_argmax_misses() {
        // Class 1 is never the argmax, but its probability ranks its rows:
        // an offset of ln(0.4/0.3)+ moves exactly those rows over.
        let probs = vec![
            vec![0.6, 0.4],
            vec![0.6, 0.4],
            vec![0.7, 0.3],
            vec![0.7, 0.3],
            vec![0.9, 0.1],
        ];
        let y = [1, 1, 0, 0, 0];
        assert_eq!(decide(&probs[0], &[]), 0);
        let off = best_offsets(&y, &probs);
        assert_eq!(off[0], 0.0);
        let pred: Vec<usize> = probs.iter().map(|p| decide(p, &off)).collect();
        assert_eq!(pred, vec![1, 1, 0, 0, 0]);
        // The smallest offset on the grid that does it: ln(0.6/0.4) = 0.405 → 0.5,
        // and it must stay under ln(0.7/0.3) = 0.847.
        assert!(off[1] > 0.405 && off[1] < 0.847, "{off:?}");
        // Already-perfect argmax: offsets stay at 0.
        let y2 = [0, 0, 0, 0, 0];
        assert_eq!(best_offsets(&y2, &probs), vec![0.0, 0.0]);
    }
}

//! Training texts to the sparse rows the n-gram stage fits (featurized in
//! parallel, vocabulary and idf fitted on them or taken from another
//! model) and the stratified folds.

use rayon::prelude::*;

use super::{Example, Progress};
use crate::classify::sparse::Csr;
use crate::classify::Task;
use crate::features::{pair, Featurizer, Scratch, Vocab};

/// Hashed counts and dense inputs of one text.
type CountsAndDense = (Vec<(u32, f32)>, Vec<f64>);

pub(super) struct Featurized {
    pub(super) rows: Csr,
    pub(super) dense: Vec<Vec<f64>>,
    pub(super) vocab: Vocab,
    /// Embedding values at the end of each dense row.
    pub(super) emb_dim: usize,
    /// Names of the word lists' inputs the dense rows carry (before the
    /// embedding).
    pub(super) word_lists: Vec<&'static str>,
}

pub(super) fn featurize(
    f: &Featurizer,
    task: Task,
    sides: u32,
    ex: &[Example<'_>],
    min_df: u32,
    fixed: Option<&Vocab>,
    progress: &dyn Progress,
) -> Featurized {
    progress.stage("featurize", ex.len() as u64);
    let per: Vec<CountsAndDense> = ex
        .par_iter()
        .map_init(Scratch::default, |s, e| {
            let mut counts = Vec::new();
            let c = f.featurize(e.text, 0, s, &mut counts);
            // The text's embedding, from its token ids (before the parent
            // side overwrites them); the last dense inputs.
            let mut emb = Vec::new();
            if let Some(t) = &f.embedding {
                t.text_vector(s.token_ids(), &mut emb);
            }
            if sides == 2 {
                f.featurize(e.parent, 1, s, &mut counts);
            }
            let mut dense: Vec<f64> = c.values.iter().map(|&v| f64::from(v)).collect();
            if task == Task::Stance {
                pair::compute(f, e.text, e.parent, &mut dense);
            }
            f.push_word_list_inputs(&c, &mut dense);
            dense.extend_from_slice(&emb);
            progress.advance(1);
            (counts, dense)
        })
        .collect();
    let (counts, dense): (Vec<_>, Vec<_>) = per.into_iter().unzip();
    // A fixed vocabulary (another model's columns and idf) or one fitted
    // on these texts.
    let vocab = match fixed {
        Some(v) => v.clone(),
        None => Vocab::fit(&counts, min_df, f.config.side_width() * sides),
    };
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
    Featurized {
        rows,
        dense,
        vocab,
        emb_dim: f.embedding_dim(),
        word_lists: f.word_list_names(),
    }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fisher–Yates shuffle driven by [`splitmix`].
fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        let j = (splitmix(state) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Fold of each row with whole groups (a thread, keyed by anything
/// hashable: here `(file, thread id)`) on one fold: the distinct groups are
/// shuffled with the seed and dealt round-robin, so folds hold about equal
/// numbers of groups. Deterministic for the same rows and seed.
pub fn grouped_folds<K: std::hash::Hash + Eq + Clone>(
    groups: &[K],
    folds: usize,
    seed: u64,
) -> Vec<usize> {
    // Groups numbered in order of first appearance, so the result does not
    // depend on hashing.
    let mut number: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    let group_of: Vec<usize> = groups
        .iter()
        .map(|g| {
            let next = number.len();
            *number.entry(g.clone()).or_insert(next)
        })
        .collect();
    let mut order: Vec<usize> = (0..number.len()).collect();
    let mut state = seed;
    shuffle(&mut order, &mut state);
    let mut fold_of_group = vec![0; order.len()];
    for (r, &g) in order.iter().enumerate() {
        fold_of_group[g] = r % folds;
    }
    group_of.iter().map(|&g| fold_of_group[g]).collect()
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
        shuffle(&mut idx, &mut state);
        for (r, &i) in idx.iter().enumerate() {
            fold[i] = (r + offset) % folds;
        }
        offset += idx.len();
    }
    fold
}

//! The fitted part of the featurizer: which hashed n-grams the model knows
//! (seen in at least `min_df` training texts), their inverse document
//! frequency, and the weighting `(1 + ln tf) · idf`, L2-normalised per block
//! (token n-grams and character n-grams of each side separately), as
//! scikit-learn's `TfidfVectorizer(sublinear_tf=True)` does per vectorizer.

use serde::{Deserialize, Serialize};

use super::FeatureConfig;

/// Known features and their idf. Column `c` is hashed index `index[c]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vocab {
    /// Hashed indices, strictly increasing.
    pub index: Vec<u32>,
    /// Smoothed idf per column: `ln((1 + n) / (1 + df)) + 1`.
    pub idf: Vec<f32>,
    #[serde(skip)]
    lookup: Vec<RankWord>,
}

/// 64 hashed indices: which are known (`bits`), and how many known
/// indices come before this word (`before`), so a known index's column is
/// `before + popcount(bits below it)`. 16 bytes per 64 indices: 512 KB for
/// a 2^21 side instead of an 8 MB `u32` table, so lookups mostly hit the
/// cache (this lookup was the largest item in the scoring profile).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct RankWord {
    bits: u64,
    before: u64,
}

impl Vocab {
    /// Fit on the hashed counts of the training texts.
    pub fn fit(docs: &[Vec<(u32, f32)>], min_df: u32, space: u32) -> Vocab {
        let mut df = vec![0u32; space as usize];
        for d in docs {
            for &(i, _) in d {
                df[i as usize] += 1;
            }
        }
        let n = docs.len() as f64;
        let mut index = Vec::new();
        let mut idf = Vec::new();
        for (i, &c) in df.iter().enumerate() {
            if c >= min_df.max(1) {
                index.push(i as u32);
                idf.push((((1.0 + n) / (1.0 + c as f64)).ln() + 1.0) as f32);
            }
        }
        let mut v = Vocab {
            index,
            idf,
            lookup: Vec::new(),
        };
        v.build_lookup(space);
        v
    }

    /// From stored parts; call [`Vocab::build_lookup`] before use.
    pub fn from_parts(index: Vec<u32>, idf: Vec<f32>) -> Vocab {
        Vocab {
            index,
            idf,
            lookup: Vec::new(),
        }
    }

    /// Rebuild the dense index → column table after deserialising; checks
    /// that the indices are increasing and inside the hashed space.
    pub fn build_lookup(&mut self, space: u32) -> bool {
        if self.index.len() != self.idf.len()
            || self.index.windows(2).any(|w| w[0] >= w[1])
            || self.index.last().is_some_and(|&l| l >= space)
            || self.idf.iter().any(|x| !x.is_finite())
        {
            return false;
        }
        self.lookup = vec![RankWord::default(); (space as usize).div_ceil(64)];
        for &i in &self.index {
            self.lookup[i as usize / 64].bits |= 1 << (i % 64);
        }
        let mut before = 0u64;
        for w in &mut self.lookup {
            w.before = before;
            before += u64::from(w.bits.count_ones());
        }
        true
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no feature is known.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Column of a hashed index.
    pub fn column(&self, idx: u32) -> Option<u32> {
        let w = self.lookup.get(idx as usize / 64)?;
        let bit = 1u64 << (idx % 64);
        (w.bits & bit != 0)
            .then(|| (w.before + u64::from((w.bits & (bit - 1)).count_ones())) as u32)
    }

    /// Weighted, normalised columns of one text's hashed counts (sorted by
    /// index), appended to `out`.
    pub fn transform(&self, cfg: &FeatureConfig, counts: &[(u32, f32)], out: &mut Vec<(u32, f32)>) {
        let start = out.len();
        let mut block_start = start;
        let mut block = u32::MAX;
        // The current block's squared norm.
        let mut sq = 0.0f32;
        for &(i, tf) in counts {
            let Some(c) = self.column(i) else { continue };
            let b = cfg.block_of(i);
            if b != block {
                normalize(&mut out[block_start..], sq);
                block_start = out.len();
                block = b;
                sq = 0.0;
            }
            let (x, x_sq) = weigh(tf, self.idf[c as usize], cfg.linear(b % 2 == 1));
            sq += x_sq;
            out.push((c, x));
        }
        normalize(&mut out[block_start..], sq);
    }
}

/// An n-gram's value in its block before the block is normalised, and
/// its term of the block's squared norm: `(1 + ln tf)·idf` and its square,
/// or for a linearly weighted block ([`super::CharTf::Linear`]) `tf·idf` and
/// `tf·idf²`.
pub fn weigh(tf: f32, idf: f32, linear: bool) -> (f32, f32) {
    if linear {
        (tf * idf, tf * idf * idf)
    } else {
        let x = sublinear_tf(tf) * idf;
        (x, x * x)
    }
}

/// `1 + ln tf`; most n-grams occur once, so the ln is skipped for 1
/// (`1 + ln 1 = 1` exactly).
pub fn sublinear_tf(tf: f32) -> f32 {
    if tf == 1.0 {
        1.0
    } else {
        1.0 + tf.ln()
    }
}

/// Divide a block's values by the square root of its squared norm `sq`.
fn normalize(xs: &mut [(u32, f32)], sq: f32) {
    let n = sq.sqrt();
    if n > 0.0 {
        for x in xs {
            x.1 /= n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::CharTf;

    #[test]
    fn idf_min_df_and_norm_hand_computed() {
        let cfg = FeatureConfig {
            word_bits: 8,
            char_bits: 8,
            ..Default::default()
        };
        let space = cfg.side_width();
        // index 1, 2 are word features, 300 a char feature.
        let docs = vec![
            vec![(1, 1.0), (2, 1.0), (300, 1.0)],
            vec![(1, 3.0), (300, 1.0)],
            vec![(1, 1.0), (5, 1.0)],
        ];
        let v = Vocab::fit(&docs, 2, space);
        assert_eq!(v.index, [1, 300], "2 and 5 seen once");
        let idf1 = ((4.0f64 / 4.0).ln() + 1.0) as f32;
        let idf300 = ((4.0f64 / 3.0).ln() + 1.0) as f32;
        assert!((v.idf[0] - idf1).abs() < 1e-6 && (v.idf[1] - idf300).abs() < 1e-6);
        let mut out = Vec::new();
        v.transform(&cfg, &docs[1], &mut out);
        // Each block has one feature, so both normalise to 1.
        assert_eq!(out, [(0, 1.0), (1, 1.0)]);
        // Two features in one block: (1 + ln 3) and 1 before norm (idf 1 for index 1).
        let mut out = Vec::new();
        let mut v2 = v.clone();
        v2.index = vec![1, 2];
        v2.idf = vec![1.0, 1.0];
        assert!(v2.build_lookup(space));
        v2.transform(&cfg, &[(1, 3.0), (2, 1.0)], &mut out);
        let a = 1.0 + 3f32.ln();
        let n = (a * a + 1.0).sqrt();
        assert!((out[0].1 - a / n).abs() < 1e-6 && (out[1].1 - 1.0 / n).abs() < 1e-6);
    }

    #[test]
    fn linear_char_weighting_hand_computed() {
        // Character block (indices >= 256) weighted tf·idf over
        // sqrt(Σ tf·idf²); the token block keeps (1 + ln tf)·idf, L2.
        let cfg = FeatureConfig {
            word_bits: 8,
            char_bits: 8,
            char_tf: CharTf::Linear,
            ..Default::default()
        };
        let space = cfg.side_width();
        let mut v = Vocab::from_parts(vec![1, 2, 300, 301], vec![1.0, 2.0, 2.0, 3.0]);
        assert!(v.build_lookup(space));
        let mut out = Vec::new();
        v.transform(
            &cfg,
            &[(1, 3.0), (2, 1.0), (300, 3.0), (301, 1.0)],
            &mut out,
        );
        let a = 1.0 + 3f32.ln();
        let nw = (a * a + 4.0).sqrt();
        // Σ tf·idf² = 3·4 + 1·9 = 21; values 3·2 and 1·3.
        let nc = 21f32.sqrt();
        let want = [(0, a / nw), (1, 2.0 / nw), (2, 6.0 / nc), (3, 3.0 / nc)];
        for ((c, x), (wc, wx)) in out.iter().zip(want) {
            assert!(*c == wc && (x - wx).abs() < 1e-6, "{out:?}");
        }
        // Equal to L2 normalisation when no n-gram repeats.
        let (mut lin, mut l2) = (Vec::new(), Vec::new());
        v.transform(&cfg, &[(300, 1.0), (301, 1.0)], &mut lin);
        let sub = FeatureConfig {
            char_tf: CharTf::Sublinear,
            ..cfg
        };
        v.transform(&sub, &[(300, 1.0), (301, 1.0)], &mut l2);
        assert_eq!(lin, l2);
    }

    #[test]
    fn corrupt_vocab_refused() {
        let mut v = Vocab {
            index: vec![5, 3],
            idf: vec![1.0, 1.0],
            lookup: vec![],
        };
        assert!(!v.build_lookup(10));
        let mut v = Vocab {
            index: vec![3, 50],
            idf: vec![1.0, 1.0],
            lookup: vec![],
        };
        assert!(!v.build_lookup(10));
        let mut v = Vocab {
            index: vec![3],
            idf: vec![f32::NAN],
            lookup: vec![],
        };
        assert!(!v.build_lookup(10));
    }

    #[test]
    fn rank_lookup_matches_a_plain_table() {
        // Indices across word boundaries, at bit 0 and 63, and at the end.
        let space = 1000u32;
        let index: Vec<u32> = vec![0, 1, 63, 64, 65, 127, 128, 500, 511, 512, 998, 999];
        let mut v = Vocab::from_parts(index.clone(), vec![1.0; index.len()]);
        assert!(v.build_lookup(space));
        for i in 0..space + 70 {
            let want = index.iter().position(|&x| x == i).map(|c| c as u32);
            assert_eq!(v.column(i), want, "index {i}");
        }
    }
}

//! The report's corpus aggregates in a form that merges exactly and stays
//! bounded however many threads a dump holds: order-free sums
//! ([`ExactSum`], [`Sums`]), a Poisson bootstrap whose resamples are sums
//! too ([`Replicates`]), and the distinct participants, exact up to
//! [`EXACT_PARTICIPANTS`] and a HyperLogLog sketch beyond
//! ([`Participants`]).
//!
//! Each is a commutative monoid: adding threads one by one, or adding them
//! to several parts and merging the parts in any order, gives the same bits.
//! That is what lets `report --partial` + `merge` (and Spark) reproduce a
//! single-machine report byte for byte, in memory that does not grow with
//! the number of threads.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A sum of non-negative reals that does not depend on the order of its
/// terms, so report numbers are the same whether threads arrive streamed,
/// whole or partition by partition: each term is taken as a multiple of
/// 2^-64 (exact for terms of 2^-11 and more) and added as an integer, so
/// the total is the correctly rounded sum. Room for 2^40 terms up to 2^24.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum(pub u128);

// As a decimal string: JSON numbers do not carry 128 bits everywhere.
impl Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(ExactSum).map_err(serde::de::Error::custom)
    }
}

impl ExactSum {
    const SCALE: f64 = (1u128 << 64) as f64;

    /// Add `x` (negative values count as 0).
    pub fn add(&mut self, x: f64) {
        self.0 += (x.max(0.0) * Self::SCALE).round() as u128;
    }

    /// The sum.
    pub fn get(self) -> f64 {
        self.0 as f64 / Self::SCALE
    }
}

/// Sufficient statistics of a set of threads for the corpus estimates:
/// comments, Σ P(uncivil), uncivil comments, and the four contagion
/// counts (replies after an uncivil parent, uncivil ones among them, after
/// a civil parent, uncivil ones among them). All exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    /// Comments.
    pub n: u64,
    /// Σ P(uncivil).
    pub p: ExactSum,
    /// Comments at or over the threshold.
    pub u: u64,
    /// Contagion counts.
    pub c: [u64; 4],
}

impl Sums {
    /// Add `w` copies of `s`.
    fn add_times(&mut self, s: &Sums, w: u64) {
        self.n += w * s.n;
        self.p.0 += u128::from(w) * s.p.0;
        self.u += w * s.u;
        for (a, b) in self.c.iter_mut().zip(&s.c) {
            *a += w * b;
        }
    }

    /// Add `s`.
    pub fn add(&mut self, s: &Sums) {
        self.add_times(s, 1);
    }

    /// Mean P(uncivil), uncivil share, P(u | uncivil parent), P(u | civil
    /// parent) and their ratio (the lift), where defined.
    pub fn stats(&self) -> [Option<f64>; 5] {
        let div = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let pu = div(self.c[1] as f64, self.c[0] as f64);
        let pc = div(self.c[3] as f64, self.c[2] as f64);
        let lift = match (pu, pc) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        [
            div(self.p.get(), self.n as f64),
            div(self.u as f64, self.n as f64),
            pu,
            pc,
            lift,
        ]
    }
}

/// Small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Largest Poisson(1) count drawn (P(more) ≈ 1e-10).
const POISSON_MAX: usize = 12;

/// `u64` cut points of the Poisson(1) distribution: a uniform 64-bit draw
/// `x` has count `#{k : x >= CUTS[k]}`.
fn poisson_cuts() -> [u64; POISSON_MAX] {
    let mut cuts = [u64::MAX; POISSON_MAX];
    let (mut term, mut cdf) = ((-1.0f64).exp(), 0.0f64);
    for (k, c) in cuts.iter_mut().enumerate() {
        cdf += term;
        term /= (k + 1) as f64;
        *c = (cdf * 18_446_744_073_709_551_616.0).min(u64::MAX as f64) as u64;
    }
    cuts
}

/// A Poisson bootstrap over threads (Hanley & MacGibbon 2006; Chamandy et
/// al. 2012): in resample `r` every thread counts `w` times, `w` drawn
/// from Poisson(1) by a generator seeded with the thread's own key, so a
/// thread's weights do not depend on which other threads are in the same
/// part or in which order they came. Each resample is then a sum of
/// weighted [`Sums`], which merges exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replicates {
    seed: u64,
    reps: Vec<Sums>,
}

impl Replicates {
    /// `resamples` empty resamples.
    pub fn new(resamples: usize, seed: u64) -> Replicates {
        Replicates {
            seed,
            reps: vec![Sums::default(); resamples],
        }
    }

    /// Add a thread with key `key` (its id) and statistics `s`.
    pub fn add(&mut self, key: &str, s: &Sums) {
        if *s == Sums::default() {
            return;
        }
        // The key holds the statistics too: two threads with one id (from
        // two files) still draw their own weights.
        let mut h = xxhash_rust::xxh3::Xxh3::with_seed(self.seed);
        h.update(key.as_bytes());
        h.update(&s.n.to_le_bytes());
        h.update(&s.u.to_le_bytes());
        h.update(&s.p.0.to_le_bytes());
        let mut rng = Rng(h.digest());
        static CUTS: std::sync::OnceLock<[u64; POISSON_MAX]> = std::sync::OnceLock::new();
        let cuts = CUTS.get_or_init(poisson_cuts);
        for r in &mut self.reps {
            let x = rng.next();
            // P(0) = 0.37: most draws stop at the first cut.
            if x < cuts[0] {
                continue;
            }
            let w = cuts.iter().take_while(|&&c| x >= c).count() as u64;
            r.add_times(s, w);
        }
    }

    /// Fold in another part's resamples (same seed and count).
    pub fn merge(&mut self, other: &Replicates) {
        for (a, b) in self.reps.iter_mut().zip(&other.reps) {
            a.add(b);
        }
    }

    /// Per statistic of [`Sums::stats`], its value in every resample where
    /// it is defined.
    pub fn stats(&self) -> [Vec<f64>; 5] {
        let mut out: [Vec<f64>; 5] = Default::default();
        for r in &self.reps {
            for (o, v) in out.iter_mut().zip(r.stats()) {
                if let Some(v) = v {
                    o.push(v);
                }
            }
        }
        out
    }
}

/// Distinct participants counted exactly up to this many; beyond it, by a
/// HyperLogLog sketch.
pub const EXACT_PARTICIPANTS: usize = 1 << 20;
/// log2 of the sketch's registers (16,384 registers, 16 KB; standard
/// error 1.04/√16384 ≈ 0.8%).
const HLL_BITS: u32 = 14;

/// Distinct participants (64-bit hashes of author names): an exact set up
/// to [`EXACT_PARTICIPANTS`], then a HyperLogLog sketch (Flajolet et al.
/// 2007, with linear counting for small counts) of 16 KB. The switch
/// depends only on the union's contents, so merged parts give the same
/// count as one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Participants {
    /// The distinct hashes.
    Exact(HashSet<u64>),
    /// HyperLogLog registers.
    Sketch(Vec<u8>),
}

impl Default for Participants {
    fn default() -> Self {
        Participants::Exact(HashSet::new())
    }
}

fn sketch_insert(reg: &mut [u8], h: u64) {
    let i = (h >> (64 - HLL_BITS)) as usize;
    let rest = h << HLL_BITS;
    let rho = (rest.leading_zeros() + 1).min(64 - HLL_BITS + 1) as u8;
    if reg[i] < rho {
        reg[i] = rho;
    }
}

impl Participants {
    /// Count one participant by its hash.
    pub fn insert(&mut self, h: u64) {
        match self {
            Participants::Exact(s) => {
                s.insert(h);
                if s.len() > EXACT_PARTICIPANTS {
                    self.make_sketch();
                }
            }
            Participants::Sketch(reg) => sketch_insert(reg, h),
        }
    }

    fn make_sketch(&mut self) {
        if let Participants::Exact(s) = self {
            let mut reg = vec![0u8; 1 << HLL_BITS];
            for &h in s.iter() {
                sketch_insert(&mut reg, h);
            }
            *self = Participants::Sketch(reg);
        }
    }

    /// Fold in another part's participants.
    pub fn merge(&mut self, other: Participants) {
        match other {
            Participants::Exact(o) => {
                for h in o {
                    self.insert(h);
                }
            }
            Participants::Sketch(o) => {
                self.make_sketch();
                if let Participants::Sketch(reg) = self {
                    for (a, b) in reg.iter_mut().zip(o) {
                        *a = (*a).max(b);
                    }
                }
            }
        }
    }

    /// The count, and whether it is an estimate.
    pub fn count(&self) -> (u64, bool) {
        match self {
            Participants::Exact(s) => (s.len() as u64, false),
            Participants::Sketch(reg) => {
                let m = reg.len() as f64;
                let alpha = 0.7213 / (1.0 + 1.079 / m);
                let z: f64 = reg.iter().map(|&r| (-f64::from(r)).exp2()).sum();
                let raw = alpha * m * m / z;
                let zeros = reg.iter().filter(|&&r| r == 0).count();
                let e = if raw <= 2.5 * m && zeros > 0 {
                    m * (m / zeros as f64).ln()
                } else {
                    raw
                };
                (e.round() as u64, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(n: u64, p: f64, u: u64) -> Sums {
        let mut s = Sums {
            n,
            u,
            c: [n, u, n, 0],
            ..Default::default()
        };
        s.p.add(p);
        s
    }

    #[test]
    fn poisson_weights_have_mean_and_variance_one() {
        let mut r = Replicates::new(20_000, 7);
        r.add("t", &sums(1, 0.5, 0));
        let w: Vec<f64> = r.reps.iter().map(|s| s.n as f64).collect();
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / w.len() as f64;
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        let zeros = w.iter().filter(|&&x| x == 0.0).count() as f64 / w.len() as f64;
        assert!((zeros - (-1.0f64).exp()).abs() < 0.015, "P(0) {zeros}");
    }

    #[test]
    fn replicates_merge_to_the_same_bits_in_any_split() {
        let threads: Vec<(String, Sums)> = (0..300)
            .map(|i| {
                (
                    format!("t{i}"),
                    sums(i % 7 + 1, (i % 5) as f64 * 0.3, i % 3),
                )
            })
            .collect();
        let mut whole = Replicates::new(100, 3);
        for (k, s) in &threads {
            whole.add(k, s);
        }
        let mut a = Replicates::new(100, 3);
        let mut b = Replicates::new(100, 3);
        for (i, (k, s)) in threads.iter().enumerate().rev() {
            if i % 3 == 0 { &mut a } else { &mut b }.add(k, s);
        }
        b.merge(&a);
        assert_eq!(whole, b);
        // The resamples vary around the point estimate.
        let st = whole.stats();
        let lo = st[0].iter().cloned().fold(f64::MAX, f64::min);
        let hi = st[0].iter().cloned().fold(f64::MIN, f64::max);
        assert!(lo < hi);
    }

    #[test]
    fn participants_are_exact_then_estimated_within_two_percent() {
        let mut p = Participants::default();
        for i in 0..1000u64 {
            p.insert(xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()));
            p.insert(xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()));
        }
        assert_eq!(p.count(), (1000, false));
        let n = EXACT_PARTICIPANTS as u64 + 200_000;
        let (mut a, mut b, mut whole) = Default::default();
        for i in 0..n {
            let h = xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes());
            Participants::insert(if i % 2 == 0 { &mut a } else { &mut b }, h);
            Participants::insert(&mut whole, h);
        }
        // Each half is still exact; their union is not.
        assert!(!a.count().1 && !b.count().1);
        let mut merged: Participants = a;
        merged.merge(b);
        assert_eq!(merged, whole);
        let (c, est) = whole.count();
        assert!(est);
        let err = (c as f64 - n as f64).abs() / n as f64;
        assert!(err < 0.02, "estimate {c} for {n}");
    }

    #[test]
    fn a_sketch_merges_with_an_exact_set() {
        let mut big = Participants::default();
        for i in 0..(EXACT_PARTICIPANTS as u64 + 10) {
            big.insert(xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()));
        }
        let mut small = Participants::default();
        small.insert(1);
        let mut x = big.clone();
        x.merge(small.clone());
        let mut y = small;
        y.merge(big);
        assert_eq!(x, y);
    }
}

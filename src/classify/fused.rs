//! Fused scoring for single-expert models: tf-idf weighting, per-block L2
//! norm and the n-gram stage's `w·x` in one pass over a text's hashed
//! counts, with one table lookup per known n-gram.
//!
//! A block (the token or the character n-grams of one side) is normalised
//! on its own, so the n-gram margin splits exactly into per-block sums:
//! `m_j = b_j + Σ_blocks (Σ_c s_c·idf_c·w_cj) / sqrt(Σ_c (s_c·idf_c)²)` with
//! `s_c` the sublinear tf. [`SideSum`] holds those sums for one side of a
//! row, so a stance reply's margins combine its own text-side sums with
//! its parent's parent-side sums, which are computed once per parent and
//! not once per reply. Same numbers as [`super::Model::score`] up to
//! floating-point rounding (tested).
//!
//! The table interleaves each column's idf with its weights (`1 + k` f32
//! per column), so a lookup touches one cache line instead of three arrays.
//!
//! A character block weighted linearly
//! ([`crate::features::CharTf::Linear`]) is a sum over the text's words:
//! each word's `Σ idf²` and `Σ idf·w` are kept per thread, so a comment
//! costs one read per word instead of one lookup per character n-gram, and
//! its character n-grams need not be hashed at all. A text prepared by
//! [`super::Model::prepare_into`] carries its words' numbers in the
//! tokenizer's cache ([`crate::features::tokens::WordNumbers`]), and the
//! sums are found by number in a dense `Vec` (`Numbered`, 16 bytes a
//! word for the incivility model, the common words first); other words and
//! texts go through a hash table by the word (up to 131,072 words per
//! table and side). By default such a block is
//! explained word by word ([`Fused::word_contributions`]: each word's
//! share is its cached sums, usually those the scoring of the same text
//! just read). Explained n-gram by n-gram, it reads
//! per-word lists of the word's known n-grams (index and place in the
//! word, up to 32,768 words a thread, ~10 MB): the n-grams a word has
//! outside the vocabulary are never hashed, counted or looked up again,
//! and the strongest are named from the lists.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use compact_str::CompactString;

use crate::features::vocab::{sublinear_tf, weigh};
use crate::features::{sort_keys, FeatureConfig, FeatureName, Featurizer, Vocab};

use super::Expert;

/// Most score columns a fused table has (stance: 4; the incivility model
/// stacked with three attribute heads and a domain's gate and expert: 6).
pub const MAX_K: usize = 6;

/// Per column: idf, then the n-gram stage's `k` weights.
#[derive(Debug, Clone)]
pub struct Fused {
    k: usize,
    table: Vec<f32>,
    /// Identifies the table for the per-word caches.
    uid: u64,
}

/// One word's share of a linearly weighted character block
/// ([`crate::features::CharTf::Linear`]): `Σ idf²` and `Σ idf·w_j` over
/// its n-grams.
#[derive(Debug, Clone, Copy, Default)]
struct WordSum {
    sq: f64,
    dot: [f64; MAX_K],
}

/// Something kept per word for one table and side, between texts on a
/// thread: a dump's words repeat, so most words are worked out once
/// instead of hashing and looking up each of their n-grams in every
/// comment.
struct WordCache<V> {
    owner: (u64, u32),
    map: HashMap<CompactString, V, ahash::RandomState>,
}

/// The map of `caches` that belongs to `owner` (table uid and side
/// offset), made if there is none ([`owned`]), emptied when it holds `max`
/// words.
fn word_cache<V>(
    caches: &mut Vec<WordCache<V>>,
    owner: (u64, u32),
    max: usize,
) -> &mut HashMap<CompactString, V, ahash::RandomState> {
    let make = || WordCache {
        owner,
        map: HashMap::default(),
    };
    let map = &mut owned(caches, |c| c.owner == owner, make).map;
    if map.len() >= max {
        map.clear();
    }
    map
}

/// Most words a cache of [`WordSum`]s holds before it starts again (a
/// hash table of 262,144 slots of 64 bytes: ~17 MB).
const WORDS_MAX: usize = 1 << 17;

/// A thread's word sums and the scratch for summing a word: its padded
/// bytes, character offsets and n-gram indices.
type WordScratch = (Vec<WordCache<WordSum>>, Vec<u8>, Vec<usize>, Vec<u32>);

/// The scratch of [`WordScratch`], borrowed.
type SumScratch<'a> = (&'a mut Vec<u8>, &'a mut Vec<usize>, &'a mut Vec<u32>);

/// The entry of `list` that `mine` picks, made by `make` (dropping the
/// oldest of a few) if there is none: a thread keeps a few tables' and
/// sides' caches at a time (a run uses one or two).
fn owned<T>(list: &mut Vec<T>, mine: impl Fn(&T) -> bool, make: impl FnOnce() -> T) -> &mut T {
    let at = match list.iter().position(mine) {
        Some(at) => at,
        None => {
            if list.len() >= 4 {
                list.remove(0);
            }
            list.push(make());
            list.len() - 1
        }
    };
    &mut list[at]
}

/// The sums by number of `owner` (table uid and side offset) for numbers
/// of `generation`: made if there are none ([`owned`]),
/// emptied for a newer generation; `None` for an older one (its numbers
/// may now name other words).
fn numbered_sums(
    numbered: &mut Vec<Numbered>,
    owner: (u64, u32),
    generation: u64,
) -> Option<&mut Vec<f64>> {
    if generation == 0 {
        return None;
    }
    let make = || Numbered {
        owner,
        generation,
        sums: Vec::new(),
    };
    let n = owned(numbered, |c| c.owner == owner, make);
    if n.generation < generation {
        n.generation = generation;
        n.sums.clear();
    }
    (n.generation == generation).then_some(&mut n.sums)
}

/// A known character n-gram of a word (its index is in the vocabulary on
/// the cache's side): side-relative hashed index, and where it lies in the
/// padded word (` word `), for its name.
#[derive(Debug, Clone, Copy)]
struct Known {
    i: u32,
    at: u32,
    len: u32,
}

/// Where [`Fused::char_contributions`] puts each n-gram's share, its
/// scratch, and the known n-grams it keeps for naming.
pub type Shares<'a> = (
    &'a mut Vec<(u32, f64)>,
    &'a mut Vec<(u32, f32, u32)>,
    &'a mut CharHits,
);

/// The known character n-grams of an explained text's words, kept by
/// [`Fused::char_contributions`] so that [`Fused::char_names`] names the
/// strongest without looking each word up again.
#[derive(Debug, Clone, Default)]
pub struct CharHits {
    /// Per word with known n-grams: side, byte range in the normalised
    /// text, and where its n-grams end in `known`.
    words: Vec<(u32, u32, u32, u32)>,
    known: Vec<Known>,
    /// Explained by words ([`Fused::word_contributions`]): the distinct
    /// word of pseudo index `WORD_KEY | n` at `n` (side and byte range),
    /// and scratch for one side's words and shares.
    word_keys: Vec<(u32, u32, u32)>,
    shares: Vec<(u64, u32, u32, f64)>,
}

impl CharHits {
    /// Forget the last text's n-grams.
    pub fn clear(&mut self) {
        self.words.clear();
        self.known.clear();
        self.word_keys.clear();
    }
}

/// Pseudo index of an explained word's character n-grams taken together
/// ([`Fused::word_contributions`]): `WORD_KEY | n` for the `n`-th distinct
/// word of an explanation, above every hashed index (two sides of at most
/// 2^25 each).
pub const WORD_KEY: u32 = 1 << 31;

/// Most words a cache of [`Known`] lists holds before it starts again
/// (~230 B of list and ~80 B of table a word: ~10 MB).
const KNOWN_MAX: usize = 1 << 15;

/// A thread's known-n-gram lists and the scratch for listing a word
/// (padded bytes, character offsets).
#[derive(Default)]
struct KnownLists {
    caches: Vec<WordCache<Box<[Known]>>>,
    padded: Vec<u8>,
    bounds: Vec<usize>,
}

thread_local! {
    static WORDS: RefCell<WordScratch> =
        const { RefCell::new((Vec::new(), Vec::new(), Vec::new(), Vec::new())) };
    /// The lists, and scratch for a text's indices (and a sort's).
    static KNOWN: RefCell<(KnownLists, Vec<u32>, Vec<u32>)> = RefCell::default();
    /// The last text's words and sums ([`LastWords`]).
    static LAST: RefCell<LastWords> = RefCell::default();
    /// Word sums by word number ([`Numbered`]), a few tables and sides.
    static NUMBERED: RefCell<Vec<Numbered>> = const { RefCell::new(Vec::new()) };
}

/// A text's words as the tokenizer's pass numbered them
/// ([`crate::features::tokens::WordNumbers`]): byte range in the
/// normalised text and number of each word of the split, in text order,
/// and the numbers' generation.
pub type NumberedWords<'a> = (&'a [(u32, u32, u32)], u64);

/// The word sums of one table and side, indexed by word number in one
/// generation of this thread's tokenizer cache: `1 + k` values a number
/// (`sq`, then the `k` dot products; `sq` < 0: not summed yet). The words
/// a dump uses most have the smallest numbers, so their sums share a few
/// cache lines (16 bytes a word for the incivility model), where the hash
/// table ([`WordCache`]) spread them over megabytes and a lookup hashed
/// and compared the word; words the tokenizer splits differently from the
/// character n-grams (`don't`, `e.g`) still go through the hash table.
struct Numbered {
    owner: (u64, u32),
    generation: u64,
    sums: Vec<f64>,
}

/// The words of the last text whose character block [`Fused::word_sums`]
/// summed on this thread, with each word's sums: an explanation of that
/// text right after (the scorer explains a comment right after scoring it)
/// reads them instead of splitting the text and looking each word up
/// again. Recognised by table, side and the normalised text itself.
#[derive(Default)]
struct LastWords {
    owner: (u64, u32),
    norm: String,
    /// Byte range in `norm` and sums of each word, in text order.
    words: Vec<(u32, u32, WordSum)>,
}

/// One side's per-block sums: squared norm and weighted dot products.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SideSum {
    sq: [f64; 2],
    dot: [[f64; MAX_K]; 2],
}

impl Fused {
    /// Build for a single-expert model with at most [`MAX_K`] score columns.
    pub fn new(vocab: &Vocab, expert: &Expert) -> Option<Fused> {
        Fused::stacked(vocab, &[expert])
    }

    /// One table for several single-expert models on the same columns
    /// (the same vocabulary: attribute heads trained with `train
    /// --vocab-of` the incivility model): each column holds its idf, then
    /// every expert's weights in order, at most [`MAX_K`] in all. A text's
    /// sums then give every model's margins at the cost of one lookup per
    /// n-gram (and one per word for a linearly weighted character block)
    /// instead of one per model; column `j` of the sums is the same number,
    /// bit for bit, as the `j`-th column of that model's own table.
    pub fn stacked(vocab: &Vocab, experts: &[&Expert]) -> Option<Fused> {
        if !Fused::fits(vocab, experts) {
            return None;
        }
        let k: usize = experts.iter().map(|e| e.sparse.k).sum();
        let mut table = Vec::with_capacity(vocab.len() * (k + 1));
        for (c, &idf) in vocab.idf.iter().enumerate() {
            table.push(idf);
            for e in experts {
                let ke = e.sparse.k;
                table.extend_from_slice(&e.sparse.weights[c * ke..(c + 1) * ke]);
            }
        }
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Some(Fused {
            k,
            table,
            uid: NEXT.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Whether [`Fused::stacked`] makes a table of `experts` on `vocab`:
    /// at least one, each with score columns and a weight per column of
    /// `vocab`, at most [`MAX_K`] columns in all.
    pub fn fits(vocab: &Vocab, experts: &[&Expert]) -> bool {
        let k: usize = experts.iter().map(|e| e.sparse.k).sum();
        let fits =
            |e: &&Expert| e.sparse.k > 0 && e.sparse.weights.len() == vocab.len() * e.sparse.k;
        !experts.is_empty() && k <= MAX_K && experts.iter().all(fits)
    }

    /// Score columns of the table.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Sums of one side of a text featurized by `fz`: `counts` are its
    /// hashed counts on side 0 (sorted by index, as
    /// [`Featurizer::featurize`] gives them), `norm` its normalised form,
    /// scored as side `side`. A character block weighted linearly
    /// ([`crate::features::CharTf::Linear`]) is summed word by word from
    /// `norm`, whether or not `counts` hold it; with `words` (the text's
    /// numbered words), each word's sums are found by its number.
    pub fn side_sum(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (counts, norm, words): (&[(u32, f32)], &str, Option<NumberedWords<'_>>),
        side: u32,
    ) -> SideSum {
        let cfg = &fz.config;
        let off = side * cfg.side_width();
        let used = cfg.used(counts);
        // Sorted by index: the token block, then the character block.
        let split = used.partition_point(|&(i, _)| i < 1u32 << cfg.word_bits);
        let mut s = SideSum::default();
        for (b, block) in [&used[..split], &used[split..]].into_iter().enumerate() {
            if cfg.char_ngrams && cfg.linear(b == 1) {
                (s.sq[1], s.dot[1]) = self.word_sums(vocab, fz, (norm, words), off);
                continue;
            }
            // Accumulators in registers, one block at a time (the same sums
            // in the same order as one loop over both blocks).
            let (sq, dot) = match self.k {
                1 => self.block_sum::<1>(vocab, block, off),
                2 => self.block_sum::<2>(vocab, block, off),
                3 => self.block_sum::<3>(vocab, block, off),
                4 => self.block_sum::<4>(vocab, block, off),
                5 => self.block_sum::<5>(vocab, block, off),
                _ => self.block_sum::<MAX_K>(vocab, block, off),
            };
            s.sq[b] = sq;
            s.dot[b] = dot;
        }
        s
    }

    /// The character block of a linearly weighted side from the words of
    /// its normalised text, each word's share taken from this thread's
    /// caches (by number when the text's numbered words are given and the
    /// word is one of them, else by the word) or summed over its n-grams
    /// and kept.
    fn word_sums(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (norm, words): (&str, Option<NumberedWords<'_>>),
        off: u32,
    ) -> (f64, [f64; MAX_K]) {
        let base = norm.as_ptr() as usize;
        WORDS.with(|w| {
            LAST.with(|l| {
                NUMBERED.with(|nb| {
                    let (caches, padded, bounds, idx) = &mut *w.borrow_mut();
                    let last = &mut *l.borrow_mut();
                    let numbered = &mut *nb.borrow_mut();
                    last.owner = (self.uid, off);
                    last.norm.clear();
                    last.norm.push_str(norm);
                    last.words.clear();
                    let map = word_cache(caches, (self.uid, off), WORDS_MAX);
                    let mut by_number = words.and_then(|(list, generation)| {
                        let sums = numbered_sums(numbered, (self.uid, off), generation)?;
                        Some((list, sums))
                    });
                    let mut next = 0;
                    let mut sq = 0.0f64;
                    let mut dot = [0.0f64; MAX_K];
                    let mut scratch = (padded, bounds, idx);
                    for word in fz.char_words(norm) {
                        // Words are slices of `norm`; records are bounded
                        // far below 4 GB.
                        let (start, len) =
                            ((word.as_ptr() as usize - base) as u32, word.len() as u32);
                        // The word of the tokenizer's split at the same
                        // place and as long is the same word.
                        let number = by_number.as_ref().and_then(|(list, _)| {
                            while list.get(next).is_some_and(|w| w.0 < start) {
                                next += 1;
                            }
                            list.get(next)
                                .filter(|w| (w.0, w.1) == (start, len))
                                .map(|w| w.2)
                        });
                        let ws = match (number, by_number.as_mut()) {
                            (Some(n), Some((_, sums))) => {
                                self.numbered_sum(vocab, fz, (word, off), (sums, n), &mut scratch)
                            }
                            _ => self.word_sum(vocab, fz, (word, off), map, &mut scratch),
                        };
                        sq += ws.sq;
                        for (d, v) in dot.iter_mut().zip(&ws.dot) {
                            *d += v;
                        }
                        last.words.push((start, len, ws));
                    }
                    (sq, dot)
                })
            })
        })
    }

    /// One word's share of the character block on side offset `off`, from
    /// `map` (this thread's cache for the table and side) or summed over
    /// its n-grams (in the scratch given) and kept.
    fn word_sum(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (word, off): (&str, u32),
        map: &mut HashMap<CompactString, WordSum, ahash::RandomState>,
        scratch: &mut SumScratch<'_>,
    ) -> WordSum {
        if let Some(ws) = map.get(word) {
            return *ws;
        }
        let ws = self.summed(vocab, fz, (word, off), scratch);
        map.insert(word.into(), ws);
        ws
    }

    /// [`Fused::word_sum`] for the word numbered `n` in the tokenizer's
    /// cache: from `sums` ([`Numbered`]'s values for the table and side),
    /// or summed over its n-grams and kept there.
    fn numbered_sum(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (word, off): (&str, u32),
        (sums, n): (&mut Vec<f64>, u32),
        scratch: &mut SumScratch<'_>,
    ) -> WordSum {
        let stride = 1 + self.k;
        let at = n as usize * stride;
        if at >= sums.len() {
            sums.resize(at + stride, -1.0);
        }
        let slot = &mut sums[at..at + stride];
        if slot[0] < 0.0 {
            let ws = self.summed(vocab, fz, (word, off), scratch);
            slot[0] = ws.sq;
            slot[1..].copy_from_slice(&ws.dot[..self.k]);
        }
        let mut ws = WordSum {
            sq: slot[0],
            ..WordSum::default()
        };
        ws.dot[..self.k].copy_from_slice(&slot[1..]);
        ws
    }

    /// One word's share of the character block on side offset `off`,
    /// summed over its n-grams.
    fn summed(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (word, off): (&str, u32),
        (padded, bounds, idx): &mut SumScratch<'_>,
    ) -> WordSum {
        idx.clear();
        fz.word_char_indices(word, padded, bounds, idx);
        self.occurrence_sum(vocab, idx, off)
    }

    /// The share of each distinct word's character n-grams, taken
    /// together, in the linearly weighted character block of side `side`
    /// of normalised text `norm` (featurized by `fz`), of an output whose
    /// coefficient on score column `j` is `coefs[j]`: appended to `out` as
    /// `(WORD_KEY | n, Σ_j coefs_j·dot_j / sqrt(sq))` with the word's sums
    /// from the same per-thread cache as [`Fused::side_sum`], so the
    /// shares add up to the block's part of the margin. A word written
    /// twice is one feature with its shares added. `n` counts the words
    /// kept in `hits` for [`Fused::word_names`]; words with no known
    /// n-gram are left out.
    pub fn word_contributions(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (norm, side): (&str, u32),
        coefs: &[f64],
        (out, hits): (&mut Vec<(u32, f64)>, &mut CharHits),
    ) {
        let off = side * fz.config.side_width();
        let shares = &mut hits.shares;
        shares.clear();
        let mut sq = 0.0f64;
        // A word's key: a hash of its bytes (fixed seeds), equal words
        // told apart from colliding ones by comparing them.
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut share = |start: u32, len: u32, ws: &WordSum| {
            if ws.sq > 0.0 {
                sq += ws.sq;
                let d: f64 = coefs.iter().zip(&ws.dot).map(|(c, d)| c * d).sum();
                let key = hasher.hash_one(&norm.as_bytes()[start as usize..(start + len) as usize]);
                shares.push((key, start, len, d));
            }
        };
        // The words the scoring of this text just summed; otherwise they
        // are summed now (from the cache), which keeps them the same way.
        for attempt in 0..2 {
            let hit = LAST.with(|l| {
                let last = l.borrow();
                let hit = last.owner == (self.uid, off) && last.norm == norm;
                if hit {
                    last.words
                        .iter()
                        .for_each(|(start, len, ws)| share(*start, *len, ws));
                }
                hit
            });
            if hit || attempt == 1 {
                break;
            }
            self.word_sums(vocab, fz, (norm, None), off);
        }
        if sq <= 0.0 {
            return;
        }
        let n = sq.sqrt();
        let word = |&(_, start, len, _): &(u64, u32, u32, f64)| {
            &norm[start as usize..(start + len) as usize]
        };
        // Equal words together, the first occurrence first (a stable
        // sort), so the shares add in text order.
        shares.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| word(a).cmp(word(b))));
        for run in shares.chunk_by(|a, b| a.0 == b.0 && word(a) == word(b)) {
            let d: f64 = run.iter().map(|r| r.3).sum();
            out.push((WORD_KEY | hits.word_keys.len() as u32, d / n));
            hits.word_keys.push((side, run[0].1, run[0].2));
        }
    }

    /// The names (`word:` and the word) of the wanted words
    /// [`Fused::word_contributions`] kept in `hits` for side `side` of
    /// normalised text `norm`, appended to `names`.
    pub fn word_names(
        (norm, side): (&str, u32),
        hits: &CharHits,
        want: impl Fn(u32) -> bool,
        names: &mut Vec<FeatureName>,
    ) {
        for (n, &(s, start, len)) in hits.word_keys.iter().enumerate() {
            let index = WORD_KEY | n as u32;
            if s != side || !want(index) {
                continue;
            }
            if let Some(word) = norm.get(start as usize..(start + len) as usize) {
                names.push(FeatureName {
                    index,
                    name: format!("word:{word}"),
                });
            }
        }
    }

    /// `Σ idf²` and `Σ idf·w_j` over n-gram occurrences (hashed indices
    /// of side 0, scored at offset `off`).
    fn occurrence_sum(&self, vocab: &Vocab, idx: &[u32], off: u32) -> WordSum {
        let stride = self.k + 1;
        let mut ws = WordSum::default();
        for &i in idx {
            let Some(c) = vocab.column(i + off) else {
                continue;
            };
            let row = &self.table[c as usize * stride..(c as usize + 1) * stride];
            let idf = f64::from(row[0]);
            ws.sq += idf * idf;
            for (d, &w) in ws.dot.iter_mut().zip(&row[1..]) {
                *d += idf * f64::from(w);
            }
        }
        ws
    }

    /// Squared norm and weighted dot products of one block, for a table of
    /// `K` score columns (`K` = `self.k`, or [`MAX_K`] for any smaller
    /// count: the rows are read `self.k` wide), weighted `(1 + ln tf)·idf`.
    fn block_sum<const K: usize>(
        &self,
        vocab: &Vocab,
        block: &[(u32, f32)],
        off: u32,
    ) -> (f64, [f64; MAX_K]) {
        let stride = self.k + 1;
        let k = self.k.min(K);
        let mut sq = 0.0f64;
        let mut dot = [0.0f64; K];
        for &(i, tf) in block {
            let Some(c) = vocab.column(i + off) else {
                continue;
            };
            let row = &self.table[c as usize * stride..(c as usize + 1) * stride];
            let x = f64::from(sublinear_tf(tf) * row[0]);
            sq += x * x;
            for (d, &w) in dot[..k].iter_mut().zip(&row[1..]) {
                *d += x * f64::from(w);
            }
        }
        let mut out = [0.0f64; MAX_K];
        out[..K.min(MAX_K)].copy_from_slice(&dot[..K.min(MAX_K)]);
        (sq, out)
    }

    /// Each known n-gram of `counts` (scored as side `side`) and its share
    /// of an output whose coefficient on score column `j` is `coefs[j]`,
    /// appended to `out` as `(hashed index on that side, Σ_j coefs_j·w_cj·x_c)`
    /// with `x_c` the normalised tf-idf value; `xs` is scratch. The values are those of [`Vocab::transform`] (same f32
    /// arithmetic in the same order), so explanations do not depend on
    /// which path made them; this one reads one table row per n-gram.
    pub fn contributions(
        &self,
        vocab: &Vocab,
        cfg: &FeatureConfig,
        (counts, side): (&[(u32, f32)], u32),
        coefs: &[f64],
        out: &mut Vec<(u32, f64)>,
        xs: &mut Vec<(u32, f32, u32)>,
    ) {
        let off = side * cfg.side_width();
        let counts = cfg.used(counts);
        let char_start = 1u32 << cfg.word_bits;
        let stride = self.k + 1;
        let split = counts.partition_point(|&(i, _)| i < char_start);
        for (b, block) in [&counts[..split], &counts[split..]].into_iter().enumerate() {
            xs.clear();
            let linear = cfg.linear(b == 1);
            let mut sq = 0.0f32;
            for &(i, tf) in block {
                let Some(c) = vocab.column(i + off) else {
                    continue;
                };
                let (x, x_sq) = weigh(tf, self.table[c as usize * stride], linear);
                sq += x_sq;
                xs.push((i + off, x, c));
            }
            self.shares(xs, sq, coefs, out);
        }
    }

    /// Each n-gram's share of the output, from its `(index, tf-idf value,
    /// column)` in `xs` and the block's squared norm `sq`.
    fn shares(&self, xs: &[(u32, f32, u32)], sq: f32, coefs: &[f64], out: &mut Vec<(u32, f64)>) {
        let stride = self.k + 1;
        let n = sq.sqrt();
        for &(i, x, c) in xs {
            let v = if n > 0.0 { x / n } else { x };
            let row = &self.table[c as usize * stride + 1..(c as usize + 1) * stride];
            let mut w = 0.0;
            for (cj, &wj) in coefs.iter().zip(row) {
                w += cj * f64::from(wj) * f64::from(v);
            }
            out.push((i, w));
        }
    }

    /// [`Fused::contributions`] of the linearly weighted character block
    /// of side `side` of normalised text `norm` (featurized by `fz`), with
    /// the same values in the same order, from per-word lists of known
    /// n-grams kept between texts instead of hashing every n-gram of the
    /// text again. The text's known n-grams are kept in `hits` for
    /// [`Fused::char_names`]; `xs` is scratch.
    pub fn char_contributions(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        (norm, side): (&str, u32),
        coefs: &[f64],
        (out, xs, hits): Shares<'_>,
    ) {
        let off = side * fz.config.side_width();
        let stride = self.k + 1;
        KNOWN.with(|k| {
            let (lists, idx, tmp) = &mut *k.borrow_mut();
            idx.clear();
            let base = norm.as_ptr() as usize;
            self.known_words(vocab, fz, norm, off, lists, |word, known| {
                idx.extend(known.iter().map(|k| k.i));
                if !known.is_empty() {
                    hits.known.extend_from_slice(known);
                    // Words are slices of `norm`.
                    let start = (word.as_ptr() as usize - base) as u32;
                    hits.words
                        .push((side, start, word.len() as u32, hits.known.len() as u32));
                }
            });
            sort_keys(idx, tmp);
            xs.clear();
            let mut sq = 0.0f32;
            // Counted, weighted and normalised as the counts' block is.
            for run in idx.chunk_by(|a, b| a == b) {
                let Some(c) = vocab.column(run[0] + off) else {
                    continue;
                };
                let tf = run.len() as f32;
                let (x, x_sq) = weigh(tf, self.table[c as usize * stride], true);
                sq += x_sq;
                xs.push((run[0] + off, x, c));
            }
            self.shares(xs, sq, coefs, out);
        });
    }

    /// The names of the wanted n-grams of the character block of side
    /// `side` of normalised text `norm` (by index on that side), from the
    /// known n-grams [`Fused::char_contributions`] kept in `hits` for the
    /// same text and side, each occurrence in the order
    /// [`Featurizer::names_in`] finds them, appended to `names`.
    pub fn char_names(
        fz: &Featurizer,
        (norm, side): (&str, u32),
        hits: &CharHits,
        want: impl Fn(u32) -> bool,
        names: &mut Vec<FeatureName>,
    ) {
        let off = side * fz.config.side_width();
        let mut padded = Vec::new();
        let mut from = 0usize;
        for &(s, start, len, end) in &hits.words {
            let known = &hits.known[from..end as usize];
            from = end as usize;
            if s != side {
                continue;
            }
            let Some(word) = norm.get(start as usize..(start + len) as usize) else {
                continue;
            };
            for k in known.iter().filter(|k| want(k.i + off)) {
                padded.clear();
                padded.push(b' ');
                padded.extend_from_slice(word.as_bytes());
                padded.push(b' ');
                let at = k.at as usize;
                if let Some(g) = padded.get(at..at + k.len as usize) {
                    names.push(FeatureName {
                        index: k.i + off,
                        name: Featurizer::chr_name(g),
                    });
                }
            }
        }
    }

    /// Each character word of `norm` and its known n-grams on side offset
    /// `off`, from this thread's cache or listed and kept.
    fn known_words(
        &self,
        vocab: &Vocab,
        fz: &Featurizer,
        norm: &str,
        off: u32,
        lists: &mut KnownLists,
        mut f: impl FnMut(&str, &[Known]),
    ) {
        let KnownLists {
            caches,
            padded,
            bounds,
        } = lists;
        let map = word_cache(caches, (self.uid, off), KNOWN_MAX);
        let mut list = Vec::new();
        for word in fz.char_words(norm) {
            if let Some(known) = map.get(word) {
                f(word, known);
                continue;
            }
            list.clear();
            fz.word_char_grams(word, padded, bounds, |i, at| {
                if vocab.column(i + off).is_some() {
                    list.push(Known {
                        i,
                        // Records are bounded far below 4 GB.
                        at: at.start as u32,
                        len: at.len() as u32,
                    });
                }
            });
            f(word, &list);
            map.insert(word.into(), list.as_slice().into());
        }
    }

    /// N-gram margins from the sums of the row's sides, into `out` (length k).
    pub fn margins(&self, intercept: &[f64], sides: &[&SideSum], out: &mut [f64]) {
        out.copy_from_slice(&intercept[..self.k]);
        for s in sides {
            for b in 0..2 {
                if s.sq[b] > 0.0 {
                    let n = s.sq[b].sqrt();
                    for (o, d) in out.iter_mut().zip(&s.dot[b]) {
                        *o += d / n;
                    }
                }
            }
        }
    }
}

//! Text → features: one pipeline, serialised inside every model so that
//! training and scoring can never disagree.
//!
//! Stages: [`normalize`] (entities, NFKC, case, leetspeak and repeats) →
//! [`spelling`] (spaced-out letters, misspelled group names; models trained
//! with the fold) →
//! [`tokens`] (WordPiece ids) → hashed token uni/bi-grams and character
//! n-grams ([`Featurizer::featurize`]) → [`vocab::Vocab`] (which hashed
//! features the model knows, their idf, sublinear tf and per-block L2
//! norm). [`cues`] are a few dense signals (shouting, `!`, `?`, second
//! person, negation, obfuscation) that go to the model's dense head, and
//! [`pair`] compares a reply with its parent for stance.
//! [`words`] is what those two need of each word, kept in the tokenizer's
//! cache.
//!
//! Hashed feature space of one side (the text, or the parent for stance):
//! `[0, 2^word_bits)` are token n-grams, the next `2^char_bits` character
//! n-grams. Side `s` starts at `s * side_width()`.

pub mod cues;
pub mod embed;
pub mod groups;
pub mod lexicon;
pub mod normalize;
pub mod pair;
pub mod sentiment;
pub mod spelling;
pub mod tokens;
pub mod vocab;
pub mod words;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

pub use cues::Cues;
pub use embed::Embedding;
pub use normalize::{NormalizeConfig, NormalizeStats};
pub use tokens::Tokens;
pub use vocab::Vocab;

/// Errors building or loading a featurizer.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    /// The tokenizer could not be trained, loaded or used.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The featurizer config is out of range.
    #[error("featurizer config: {0}")]
    Config(String),
}

/// Featurizer settings; stored in the model artifact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Normalisation folds.
    pub normalize: NormalizeConfig,
    /// log2 of the hashed token n-gram space.
    pub word_bits: u8,
    /// Longest token n-gram (1 = unigrams only).
    pub word_ngrams: u8,
    /// log2 of the hashed character n-gram space.
    pub char_bits: u8,
    /// Shortest character n-gram (within a word padded with spaces).
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Character n-grams at all. The stance model goes without them
    /// (measured in the model card); its hashed space keeps the character
    /// block, unused, so its indices line up with a featurizer that has
    /// them and texts featurized once serve both models.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub char_ngrams: bool,
    /// Which words get character n-grams (models from before this field
    /// read as [`CharWords::All`]).
    #[serde(default, skip_serializing_if = "CharWords::is_all")]
    pub char_words: CharWords,
    /// How character n-gram counts are weighted (models from before this
    /// field read as [`CharTf::Sublinear`]).
    #[serde(default, skip_serializing_if = "CharTf::is_sublinear")]
    pub char_tf: CharTf,
    /// Dense cues of a text longer than this many words are read per
    /// window of this many words ([`cues::compute`]): counts (`!`, `?`,
    /// second person, negation) as a rate per window, the word lists'
    /// strongest ratings as their mean over the windows. Without it (models
    /// from before this field) a long text's counts and maxima grow with
    /// its length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue_window: Option<u16>,
    /// The sentiment inputs leave out a negative word that a negation
    /// (`not`, `never`, `n't` ...) up to three words before it reaches,
    /// as VADER does ([`sentiment::Sentiment::values`]): "I don't hate
    /// them" has no negative word. Without it (models from before this
    /// field) a negated word reads as the word.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sentiment_negation: bool,
    /// The head also reads the sentiment list's positive side
    /// ([`sentiment::POSITIVE_NAMES`]): the strongest positive rating and
    /// the share of strongly positive words, for comments that speak well
    /// of whom they name. Without it (models from before this field) only
    /// the negative side is read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sentiment_positive: bool,
}

/// Weighting of the character n-gram block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharTf {
    /// `(1 + ln tf) · idf`, L2-normalised (scikit-learn's
    /// `TfidfVectorizer(sublinear_tf=True)`).
    #[default]
    Sublinear,
    /// `tf · idf`, divided by `sqrt(Σ tf · idf²)`: both sums are linear in
    /// the counts, so a text's block is the sum of its words' blocks and a
    /// scorer can keep each word's share (equal to L2 normalisation when
    /// no n-gram repeats).
    Linear,
}

impl CharTf {
    fn is_sublinear(&self) -> bool {
        *self == CharTf::Sublinear
    }
}

/// Which words character n-grams are taken from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharWords {
    /// Every word (scikit-learn's `char_wb` over the whole text).
    #[default]
    All,
    /// Only words that are not one whole token of the tokenizer's
    /// vocabulary: misspelled, obfuscated, rare and compound words. A
    /// whole-token word is already a token unigram, so its character
    /// n-grams mostly repeat what that feature says.
    Unknown,
}

impl CharWords {
    fn is_all(&self) -> bool {
        *self == CharWords::All
    }
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            normalize: NormalizeConfig::default(),
            word_bits: 20,
            word_ngrams: 2,
            char_bits: 20,
            char_min: 2,
            char_max: 5,
            char_ngrams: true,
            char_words: CharWords::All,
            char_tf: CharTf::Sublinear,
            cue_window: None,
            sentiment_negation: false,
            sentiment_positive: false,
        }
    }
}

impl FeatureConfig {
    /// The sentiment list's input names a model with these settings reads
    /// (when it reads the list at all): the negative side, and the positive
    /// side with [`FeatureConfig::sentiment_positive`].
    pub fn sentiment_names(&self) -> &'static [&'static str] {
        if self.sentiment_positive {
            &sentiment::BOTH_NAMES
        } else {
            &sentiment::NAMES
        }
    }

    /// Check ranges (a model file is user input too).
    pub fn check(&self) -> Result<(), FeatureError> {
        if !(8..=24).contains(&self.word_bits) || !(8..=24).contains(&self.char_bits) {
            return Err(FeatureError::Config("hash bits must be in 8..=24".into()));
        }
        if !(1..=3).contains(&self.word_ngrams) {
            return Err(FeatureError::Config("word_ngrams must be 1..=3".into()));
        }
        if self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8 {
            return Err(FeatureError::Config(
                "need 1 <= char_min <= char_max <= 8".into(),
            ));
        }
        if self.cue_window == Some(0) {
            return Err(FeatureError::Config("cue_window must be at least 1".into()));
        }
        // The group word's list is the spelling folds', whose fingerprint
        // the model records with them.
        if self.normalize.group_word && self.normalize.fold_spelling.is_none() {
            return Err(FeatureError::Config(
                "the group word needs the spelling folds".into(),
            ));
        }
        // The lists are built only for a model that folds.
        match self.normalize.fold_spelling {
            Some(f) => {
                let built = spelling::Spelling::builtin().fingerprint();
                if f == built {
                    Ok(())
                } else {
                    Err(FeatureError::Config(format!(
                        "the model folds spelling with word lists {f:08x}, this build has \
                         {built:08x} (train it again with this build)"
                    )))
                }
            }
            None => Ok(()),
        }
    }

    /// The part of one side's sorted counts this config reads: all of
    /// them, or without character n-grams only the token block (it comes
    /// first), so texts featurized with character n-grams can be read too.
    pub fn used<'a>(&self, counts: &'a [(u32, f32)]) -> &'a [(u32, f32)] {
        if self.char_ngrams {
            counts
        } else {
            self.token_counts(counts)
        }
    }

    /// The token n-grams of side-0 counts (sorted by index): the block
    /// before [`FeatureConfig::char_start`].
    pub fn token_counts<'a>(&self, counts: &'a [(u32, f32)]) -> &'a [(u32, f32)] {
        &counts[..counts.partition_point(|&(i, _)| i < self.char_start())]
    }

    /// First side-relative index of the character block.
    pub fn char_start(&self) -> u32 {
        1 << self.word_bits
    }

    /// Whether a block is weighted linearly ([`CharTf::Linear`]): the
    /// character block (`char_block`) of a model that says so.
    pub fn linear(&self, char_block: bool) -> bool {
        char_block && self.char_tf == CharTf::Linear
    }

    /// Width of one side's hashed space.
    pub fn side_width(&self) -> u32 {
        (1u32 << self.word_bits) + (1u32 << self.char_bits)
    }

    /// Which block a hashed index falls in: `side * 2 + (0 word | 1 char)`.
    pub fn block_of(&self, idx: u32) -> u32 {
        let w = self.side_width();
        let side = idx / w;
        side * 2 + u32::from(idx % w >= (1u32 << self.word_bits))
    }
}

/// Reusable buffers for featurizing one text at a time.
#[derive(Default)]
pub struct Scratch {
    norm: String,
    tmp: String,
    ids: Vec<u32>,
    hashes: Vec<u32>,
    order: Vec<u32>,
    padded: Vec<u8>,
    bounds: Vec<usize>,
    order_tmp: Vec<u32>,
    /// The last text's words ([`words`]), from the tokenizer's pass.
    words: Vec<words::Word>,
    /// Their numbers in the tokenizer's cache.
    numbers: tokens::WordNumbers,
}

/// Sort hashed indices (~100–1,000 a text): an LSD radix sort in two passes of
/// 11 bits when every key is below 2^22 (one side's indices with the
/// default widths), with one read pass counting both digits.
pub(crate) fn sort_keys(v: &mut [u32], tmp: &mut Vec<u32>) {
    const B: u32 = 11;
    const M: u32 = (1 << B) - 1;
    let n = v.len();
    // Short lists (most comments' token n-grams): a comparison sort is
    // faster than a radix sort's passes below ~120 keys.
    if n < 128 {
        v.sort_unstable();
        return;
    }
    if n < 256 || v.iter().any(|&k| k >= 1 << (2 * B)) {
        radsort::sort(v);
        return;
    }
    let mut c0 = [0u32; 1 << B];
    let mut c1 = [0u32; 1 << B];
    for &k in v.iter() {
        c0[(k & M) as usize] += 1;
        c1[(k >> B) as usize] += 1;
    }
    let (mut a0, mut a1) = (0u32, 0u32);
    for (x, y) in c0.iter_mut().zip(c1.iter_mut()) {
        let (t0, t1) = (*x, *y);
        *x = a0;
        *y = a1;
        a0 += t0;
        a1 += t1;
    }
    tmp.clear();
    tmp.resize(n, 0);
    for &k in v.iter() {
        let d = &mut c0[(k & M) as usize];
        tmp[*d as usize] = k;
        *d += 1;
    }
    for &k in tmp.iter() {
        let d = &mut c1[(k >> B) as usize];
        v[*d as usize] = k;
        *d += 1;
    }
}

impl Scratch {
    /// The normalised form of the text last featurized with this scratch.
    pub fn normalized(&self) -> &str {
        &self.norm
    }

    /// The token ids of the text last featurized with this scratch.
    pub fn token_ids(&self) -> &[u32] {
        &self.ids
    }

    /// The words (with their info) of the text last featurized with this
    /// scratch.
    pub fn words(&self) -> &[words::Word] {
        &self.words
    }

    /// The numbers of those words in this thread's tokenizer cache.
    pub fn word_numbers(&self) -> &tokens::WordNumbers {
        &self.numbers
    }

    /// The trace of the text last featurized with this scratch.
    pub fn trace(&self) -> Trace<'_> {
        Trace {
            ids: &self.ids,
            order: &self.order,
        }
    }
}

/// What [`Featurizer::featurize`] computed for one text that naming its
/// n-grams later needs: the token ids, and every n-gram's index within its
/// side in the order the n-grams were made (token n-grams by length then
/// position, then the character n-grams word by word). With it an
/// explanation finds which n-grams hash to the columns it names by
/// comparing indices, without hashing the text again.
#[derive(Debug, Clone, Copy)]
pub struct Trace<'a> {
    /// Token ids ([`Scratch::token_ids`]).
    pub ids: &'a [u32],
    /// Side-relative hashed index of each n-gram, in emission order.
    pub order: &'a [u32],
}

/// A named feature, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureName {
    /// Hashed index.
    pub index: u32,
    /// `tok:you idiot` or `chr:idio` (with `_` for word boundaries).
    pub name: String,
}

/// The featurizer: config plus the trained tokenizer.
#[derive(Debug, Clone)]
pub struct Featurizer {
    /// Settings.
    pub config: FeatureConfig,
    /// WordPiece vocabulary.
    pub tokens: Tokens,
    /// Static token embeddings for the dense head ([`embed`]), if the
    /// model uses them.
    pub embedding: Option<std::sync::Arc<Embedding>>,
    /// Whether the dense head reads the abusive-word lexicon's inputs
    /// ([`lexicon`]; always the list compiled into this build).
    pub lexicon: bool,
    /// Whether the dense head reads the sentiment lexicon's inputs
    /// ([`sentiment`]; always the list compiled into this build).
    pub sentiment: bool,
}

const SEED_TOK: u64 = 0x7468_7265_6164_0001;
const SEED_CHR: u64 = 0x7468_7265_6164_0002;

impl Featurizer {
    /// Build from a config and a tokenizer.
    pub fn new(config: FeatureConfig, tokens: Tokens) -> Result<Self, FeatureError> {
        config.check()?;
        Ok(Featurizer {
            config,
            tokens,
            embedding: None,
            lexicon: false,
            sentiment: false,
        })
    }

    /// This featurizer with the embedding table `e`, whose rows must be
    /// this tokenizer's pieces (same count, same [`embed::vocab_fingerprint`]).
    pub fn with_embedding(mut self, e: Embedding) -> Result<Self, FeatureError> {
        if e.rows() != self.tokens.vocab_size() {
            return Err(FeatureError::Config(format!(
                "the embedding table has {} rows but the tokenizer {} pieces",
                e.rows(),
                self.tokens.vocab_size()
            )));
        }
        if e.vocab_sha256 != embed::vocab_fingerprint(&self.tokens) {
            return Err(FeatureError::Config(
                "the embedding table was made for another tokenizer (vocabulary fingerprint differs)".into(),
            ));
        }
        self.embedding = Some(std::sync::Arc::new(e));
        Ok(self)
    }

    /// Values the embedding adds to the dense head (0 without one).
    pub fn embedding_dim(&self) -> usize {
        self.embedding.as_ref().map_or(0, |e| e.dim)
    }

    /// Names of the compiled-in word lists' head inputs this featurizer
    /// gives ([`lexicon`]'s, then [`sentiment`]'s), in the order
    /// [`Featurizer::push_word_list_inputs`] appends their values.
    pub fn word_list_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.lexicon {
            names.extend(lexicon::NAMES);
        }
        if self.sentiment {
            names.extend(self.config.sentiment_names());
        }
        names
    }

    /// The word lists' head inputs of a text with cues `c`, appended to
    /// `out` (training rows and scoring both call this, so the order is
    /// one).
    pub fn push_word_list_inputs(&self, c: &Cues, out: &mut Vec<f64>) {
        if self.lexicon {
            out.extend(c.lexicon.iter().map(|&v| f64::from(v)));
        }
        if self.sentiment {
            let n = self.config.sentiment_names().len();
            out.extend(c.sentiment[..n].iter().map(|&v| f64::from(v)));
        }
    }

    /// Normalise `text` into `s.norm` and return the cue counts.
    fn prepare(&self, text: &str, s: &mut Scratch) -> NormalizeStats {
        let st = normalize::normalize(text, self.config.normalize, &mut s.norm, &mut s.tmp);
        if self.config.normalize.fold_spelling.is_some() {
            spelling::Spelling::builtin()
                .fold(&mut s.norm, &mut s.tmp, |w| self.tokens.is_whole_token(w));
        }
        if self.config.normalize.group_word {
            groups::mark(&mut s.norm, &mut s.tmp);
        }
        st
    }

    /// Hashed feature counts of `text` on `side`, sorted by index, appended
    /// to `out` as `(index, count)`; returns the dense cues.
    pub fn featurize(
        &self,
        text: &str,
        side: u32,
        s: &mut Scratch,
        out: &mut Vec<(u32, f32)>,
    ) -> Cues {
        self.featurize_with(text, side, self.config.char_ngrams, s, out)
    }

    /// [`Featurizer::featurize`], with the character n-grams only if
    /// `chars` (and the config takes them): without them for a scorer
    /// that sums them word by word ([`CharTf::Linear`]) and needs them
    /// only to explain a score.
    pub fn featurize_with(
        &self,
        text: &str,
        side: u32,
        chars: bool,
        s: &mut Scratch,
        out: &mut Vec<(u32, f32)>,
    ) -> Cues {
        let st = self.prepare(text, s);
        s.ids.clear();
        s.words.clear();
        s.numbers.numbers.clear();
        self.tokens
            .encode_words(&s.norm, &mut s.ids, &mut s.words, &mut s.numbers);
        s.hashes.clear();
        let base = side * self.config.side_width();
        let wmask = (1u32 << self.config.word_bits) - 1;
        let ids = &s.ids;
        for n in 1..=self.config.word_ngrams as usize {
            for g in ids.windows(n) {
                let h = hash_ids(g);
                s.hashes.push(base + (h as u32 & wmask));
            }
        }
        let char_text = if chars { s.norm.as_str() } else { "" };
        for word in self.char_words(char_text) {
            self.word_char_grams(word, &mut s.padded, &mut s.bounds, |i, _| {
                s.hashes.push(base + i);
            });
        }
        // Kept in emission order (side-relative) for naming n-grams later.
        s.order.clear();
        s.order.extend(s.hashes.iter().map(|&h| h - base));
        sort_keys(&mut s.hashes, &mut s.order_tmp);
        for run in s.hashes.chunk_by(|a, b| a == b) {
            out.push((run[0], run.len() as f32));
        }
        cues::compute(
            text,
            &s.words,
            &st,
            (self.config.cue_window, self.config.sentiment_negation),
        )
    }

    /// Names of the features of `text` on `side` (for explanations).
    pub fn names(&self, text: &str, side: u32) -> Vec<FeatureName> {
        self.names_where(text, side, |_| true)
    }

    /// Names of the features of `text` on `side` whose index passes
    /// `want` (explanations name only their top features: formatting a
    /// name for each of a text's ~1,000 n-grams costs more than scoring it).
    pub fn names_where(
        &self,
        text: &str,
        side: u32,
        want: impl Fn(u32) -> bool,
    ) -> Vec<FeatureName> {
        let mut s = Scratch::default();
        self.prepare(text, &mut s);
        self.names_in(&s.norm, None, side, want)
    }

    /// [`Featurizer::names_where`] of an already normalised text.
    /// `trace` is what [`Featurizer::featurize`] kept of this text
    /// ([`Scratch::trace`]): the n-grams are then found by their recorded
    /// indices, not hashed again. `None` encodes and hashes the text.
    pub fn names_in(
        &self,
        norm: &str,
        trace: Option<Trace<'_>>,
        side: u32,
        want: impl Fn(u32) -> bool,
    ) -> Vec<FeatureName> {
        let base = side * self.config.side_width();
        let mut names = match trace {
            Some(t) => self.names_traced(norm, t, base, want),
            None => self.names_hashed(norm, base, want),
        };
        sort_names(&mut names);
        names
    }

    /// `tok:` and the pieces, space-separated.
    fn tok_name(&self, g: &[u32]) -> String {
        let mut name = String::with_capacity(24);
        name.push_str("tok:");
        for (k, &i) in g.iter().enumerate() {
            if k > 0 {
                name.push(' ');
            }
            name.push_str(self.tokens.piece(i));
        }
        name
    }

    /// `chr:` and the n-gram, `_` for its word-boundary spaces.
    pub(crate) fn chr_name(g: &[u8]) -> String {
        let mut name = String::with_capacity(4 + g.len());
        name.push_str("chr:");
        for c in String::from_utf8_lossy(g).chars() {
            name.push(if c == ' ' { '_' } else { c });
        }
        name
    }

    /// Every wanted n-gram of the text, hashing each one.
    fn names_hashed(&self, norm: &str, base: u32, want: impl Fn(u32) -> bool) -> Vec<FeatureName> {
        let mut ids = Vec::new();
        self.tokens.encode(norm, &mut ids);
        let wmask = (1u32 << self.config.word_bits) - 1;
        let mut names = Vec::new();
        for n in 1..=self.config.word_ngrams as usize {
            for g in ids.windows(n) {
                let index = base + (hash_ids(g) as u32 & wmask);
                if want(index) {
                    names.push(FeatureName {
                        index,
                        name: self.tok_name(g),
                    });
                }
            }
        }
        let cbase = base + (1u32 << self.config.word_bits);
        let cmask = (1u32 << self.config.char_bits) - 1;
        let (lo, hi) = (self.config.char_min as usize, self.config.char_max as usize);
        let (mut padded, mut bounds) = (Vec::new(), Vec::new());
        for word in self.char_words(norm) {
            for_char_ngrams(word, lo, hi, &mut padded, &mut bounds, |g, _| {
                let index = cbase + (xxh3_64_with_seed(g, SEED_CHR) as u32 & cmask);
                if want(index) {
                    names.push(FeatureName {
                        index,
                        name: Self::chr_name(g),
                    });
                }
            });
        }
        names
    }

    /// The same names from a [`Trace`]: the wanted positions are found by
    /// index, then only the n-grams at those positions are spelled out.
    fn names_traced(
        &self,
        norm: &str,
        t: Trace<'_>,
        base: u32,
        want: impl Fn(u32) -> bool,
    ) -> Vec<FeatureName> {
        let hits: Vec<usize> = (0..t.order.len())
            .filter(|&p| want(base + t.order[p]))
            .collect();
        let mut names = Vec::with_capacity(hits.len());
        // `next`: the first hit not yet named; `pos`: the current n-gram.
        let (mut next, mut pos) = (0usize, 0usize);
        let mut name_at = |pos: usize, next: &mut usize, name: &dyn Fn() -> String| {
            while hits.get(*next) == Some(&pos) {
                *next += 1;
                names.push(FeatureName {
                    index: base + t.order[pos],
                    name: name(),
                });
            }
        };
        for n in 1..=self.config.word_ngrams as usize {
            for g in t.ids.windows(n) {
                name_at(pos, &mut next, &|| self.tok_name(g));
                pos += 1;
            }
        }
        let (lo, hi) = (self.config.char_min as usize, self.config.char_max as usize);
        let (mut padded, mut bounds) = (Vec::new(), Vec::new());
        for word in self.char_words(norm) {
            let Some(&first) = hits.get(next) else { break };
            // Words without a wanted n-gram are stepped over whole.
            let count = char_ngram_count(word, lo, hi);
            if first >= pos + count {
                pos += count;
                continue;
            }
            for_char_ngrams(word, lo, hi, &mut padded, &mut bounds, |g, _| {
                name_at(pos, &mut next, &|| Self::chr_name(g));
                pos += 1;
            });
        }
        names
    }

    /// Add the character n-grams of a normalised text to its side-0 counts
    /// and trace made without them ([`Featurizer::featurize_with`]): they
    /// sort after every token n-gram and come after them in emission
    /// order, so `counts` and `order` end as [`Featurizer::featurize`]
    /// makes them.
    pub fn add_char_counts(
        &self,
        norm: &str,
        counts: &mut Vec<(u32, f32)>,
        order: &mut Vec<u32>,
        s: &mut Scratch,
    ) {
        s.hashes.clear();
        for word in self.char_words(norm) {
            self.word_char_indices(word, &mut s.padded, &mut s.bounds, &mut s.hashes);
        }
        order.extend_from_slice(&s.hashes);
        sort_keys(&mut s.hashes, &mut s.order_tmp);
        for run in s.hashes.chunk_by(|a, b| a == b) {
            counts.push((run[0], run.len() as f32));
        }
    }

    /// Side-relative hashed indices of the character n-grams of one word
    /// (one of [`Featurizer::char_words`]), appended to `out` in the
    /// order [`Featurizer::featurize`] makes them; `padded` and `bounds`
    /// are scratch.
    pub fn word_char_indices(
        &self,
        word: &str,
        padded: &mut Vec<u8>,
        bounds: &mut Vec<usize>,
        out: &mut Vec<u32>,
    ) {
        self.word_char_grams(word, padded, bounds, |i, _| out.push(i));
    }

    /// [`Featurizer::word_char_indices`] with where each n-gram is: `f`
    /// gets its side-relative hashed index and its byte range in the
    /// padded word (`padded`, ` word `, as the call leaves it).
    pub fn word_char_grams(
        &self,
        word: &str,
        padded: &mut Vec<u8>,
        bounds: &mut Vec<usize>,
        mut f: impl FnMut(u32, std::ops::Range<usize>),
    ) {
        let cbase = 1u32 << self.config.word_bits;
        let cmask = (1u32 << self.config.char_bits) - 1;
        let (lo, hi) = (self.config.char_min as usize, self.config.char_max as usize);
        for_char_ngrams(word, lo, hi, padded, bounds, |g, at| {
            f(
                cbase + (xxh3_64_with_seed(g, SEED_CHR) as u32 & cmask),
                at..at + g.len(),
            );
        });
    }

    /// The words of a normalised text that character n-grams are taken
    /// from, per the config (none without character n-grams).
    pub fn char_words<'a>(&'a self, norm: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let unknown_only = self.config.char_words == CharWords::Unknown;
        // Without character n-grams there are no words to split.
        char_words(if self.config.char_ngrams { norm } else { "" })
            .filter(move |w| !unknown_only || !self.tokens.is_whole_token(w))
    }

    /// Normalised form of `text` (what the n-grams are computed on).
    pub fn normalized(&self, text: &str) -> String {
        let mut s = Scratch::default();
        self.prepare(text, &mut s);
        s.norm
    }
}

/// Names found in a text, in index order with one name an index: the
/// shortest, the first found among equally short ones (an n-gram that
/// hashes where a longer one does names that column).
pub fn sort_names(names: &mut Vec<FeatureName>) {
    names.sort_by(|a, b| a.index.cmp(&b.index).then(a.name.len().cmp(&b.name.len())));
    names.dedup_by_key(|n| n.index);
}

/// Words for character n-grams: split on white space, with punctuation
/// stripped from both ends (`idiot!!` and `idiot` share their n-grams;
/// the `!` is a token and a cue of its own).
fn char_words(norm: &str) -> impl Iterator<Item = &str> {
    norm.split(' ')
        .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation()))
        .filter(|w| !w.is_empty())
}

fn hash_ids(g: &[u32]) -> u64 {
    let mut buf = [0u8; 12];
    for (i, id) in g.iter().enumerate() {
        buf[i * 4..i * 4 + 4].copy_from_slice(&id.to_le_bytes());
    }
    xxh3_64_with_seed(&buf[..g.len() * 4], SEED_TOK + g.len() as u64)
}

/// How many n-grams [`for_char_ngrams`] makes of `word`.
fn char_ngram_count(word: &str, lo: usize, hi: usize) -> usize {
    let chars = if word.is_ascii() {
        word.len()
    } else {
        word.chars().count()
    } + 2;
    (lo..=hi.min(chars)).map(|n| chars - n + 1).sum()
}

/// Character n-grams of one word padded with a space on each side
/// (scikit-learn's `char_wb`), by characters not bytes.
fn for_char_ngrams(
    word: &str,
    lo: usize,
    hi: usize,
    padded: &mut Vec<u8>,
    bounds: &mut Vec<usize>,
    mut f: impl FnMut(&[u8], usize),
) {
    padded.clear();
    padded.push(b' ');
    padded.extend_from_slice(word.as_bytes());
    padded.push(b' ');
    if word.is_ascii() {
        // One byte per character: n-grams are byte windows.
        for n in lo..=hi.min(padded.len()) {
            for (at, g) in padded.windows(n).enumerate() {
                f(g, at);
            }
        }
        return;
    }
    bounds.clear();
    // Start offset of every character, plus the end.
    let p = std::str::from_utf8(padded).expect("built from str");
    bounds.extend(p.char_indices().map(|(i, _)| i));
    bounds.push(padded.len());
    let nchars = bounds.len() - 1;
    for n in lo..=hi.min(nchars) {
        for start in 0..=nchars - n {
            f(&padded[bounds[start]..bounds[start + n]], bounds[start]);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tiny() -> Featurizer {
        let corpus: Vec<&str> = [
            "you are an idiot",
            "you are right",
            "i agree with you",
            "what an idiot",
            "is that true?",
        ]
        .into_iter()
        .cycle()
        .take(50)
        .collect();
        let tokens = Tokens::train(corpus.into_iter(), 100, 1).unwrap();
        Featurizer::new(FeatureConfig::default(), tokens).unwrap()
    }

    #[test]
    fn char_ngrams_like_char_wb() {
        let (mut p, mut b) = (Vec::new(), Vec::new());
        let mut got = Vec::new();
        let mut at = Vec::new();
        for_char_ngrams("ab", 2, 5, &mut p, &mut b, |g, a| {
            got.push(String::from_utf8(g.to_vec()).unwrap());
            at.push(a);
        });
        assert_eq!(got, [" a", "ab", "b ", " ab", "ab ", " ab "]);
        // Where each n-gram starts in the padded word.
        assert_eq!(at, [0, 1, 2, 0, 1, 0]);
        got.clear();
        at.clear();
        for_char_ngrams("é", 2, 3, &mut p, &mut b, |g, a| {
            got.push(String::from_utf8(g.to_vec()).unwrap());
            at.push(a);
        });
        assert_eq!(got, [" é", "é ", " é "]);
        assert_eq!(at, [0, 1, 0]);
    }

    #[test]
    fn obfuscation_lands_on_the_same_features() {
        let f = tiny();
        let mut s = Scratch::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        f.featurize("you are an idiot", 0, &mut s, &mut a);
        f.featurize("YOU are an 1D10T!!!!!", 0, &mut s, &mut b);
        let ia: std::collections::HashSet<u32> = a.iter().map(|x| x.0).collect();
        let ib: std::collections::HashSet<u32> = b.iter().map(|x| x.0).collect();
        assert!(
            ia.is_subset(&ib),
            "all clean features present in the obfuscated text"
        );
    }

    #[test]
    fn counts_sorted_and_sides_disjoint() {
        let f = tiny();
        let mut s = Scratch::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        f.featurize("idiot idiot", 0, &mut s, &mut a);
        f.featurize("idiot idiot", 1, &mut s, &mut b);
        assert!(a.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(a.iter().any(|x| x.1 == 2.0), "repeated word counted twice");
        let w = f.config.side_width();
        assert!(a.iter().all(|x| x.0 < w) && b.iter().all(|x| x.0 >= w && x.0 < 2 * w));
        assert_eq!(f.config.block_of(a[0].0), 0);
        assert_eq!(f.config.block_of(a.last().unwrap().0), 1);
        assert_eq!(f.config.block_of(b[0].0), 2);
    }

    #[test]
    fn names_cover_the_features() {
        let f = tiny();
        let mut s = Scratch::default();
        let mut a = Vec::new();
        f.featurize("what an idiot", 0, &mut s, &mut a);
        let names = f.names("what an idiot", 0);
        for (idx, _) in &a {
            assert!(names.iter().any(|n| n.index == *idx));
        }
        assert!(names.iter().any(|n| n.name == "tok:idiot"));
        assert!(names.iter().any(|n| n.name == "chr:_idi"));
    }

    #[test]
    fn names_from_kept_token_ids_equal_names_from_the_text() {
        let f = tiny();
        let mut s = Scratch::default();
        let mut a = Vec::new();
        let text = "You are an 1D10T, what an idiot!! Ça, c’est « débile » 😠 ok";
        f.featurize(text, 1, &mut s, &mut a);
        let norm = s.normalized().to_string();
        let kept = f.names_in(&norm, Some(s.trace()), 1, |_| true);
        assert_eq!(kept, f.names_in(&norm, None, 1, |_| true));
        // A few wanted columns (the others' words are stepped over).
        let few: Vec<u32> = a.iter().map(|c| c.0).step_by(7).collect();
        let want = |i: u32| few.contains(&i);
        let traced = f.names_in(&norm, Some(s.trace()), 1, want);
        assert_eq!(traced, f.names_in(&norm, None, 1, want));
        assert_eq!(traced.len(), few.len());
        assert_eq!(kept, f.names(text, 1));
        assert!(kept.iter().any(|n| n.name == "tok:idiot"), "{kept:?}");
    }

    #[test]
    fn char_ngrams_of_unknown_words_only() {
        let mut f = tiny();
        f.config.char_words = CharWords::Unknown;
        assert!(f.tokens.is_whole_token("idiot") && !f.tokens.is_whole_token("zqx"));
        let names = f.names("you idiot zqx!", 0);
        let chars: Vec<&str> = names
            .iter()
            .filter_map(|n| n.name.strip_prefix("chr:"))
            .collect();
        assert!(
            chars.contains(&"_zqx_") && chars.contains(&"zq"),
            "{chars:?}"
        );
        assert!(
            !chars.iter().any(|g| g.contains("id") || g.contains("yo")),
            "whole-token words give no character n-grams: {chars:?}"
        );
        assert!(names.iter().any(|n| n.name == "tok:idiot"));
        // Featurized indices, traced names and hashed names agree.
        let mut s = Scratch::default();
        let mut a = Vec::new();
        let text = "You are an 1D10T, what an idiot!! Ça, c’est « débile » zqx ok";
        f.featurize(text, 0, &mut s, &mut a);
        let norm = s.normalized().to_string();
        let traced = f.names_in(&norm, Some(s.trace()), 0, |_| true);
        assert_eq!(traced, f.names_in(&norm, None, 0, |_| true));
        let got: Vec<u32> = a.iter().map(|c| c.0).collect();
        let named: Vec<u32> = traced.iter().map(|n| n.index).collect();
        assert_eq!(got, named);
        // Fewer n-grams than with every word.
        let mut all = Vec::new();
        tiny().featurize(text, 0, &mut s, &mut all);
        assert!(a.len() < all.len());
    }

    #[test]
    fn char_words_setting_reads_old_configs_and_round_trips() {
        let old = serde_json::to_value(FeatureConfig::default()).unwrap();
        assert!(old.get("char_words").is_none(), "default is not written");
        let back: FeatureConfig = serde_json::from_value(old).unwrap();
        assert_eq!(back.char_words, CharWords::All);
        let c = FeatureConfig {
            char_words: CharWords::Unknown,
            ..Default::default()
        };
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v["char_words"], "unknown");
        assert_eq!(serde_json::from_value::<FeatureConfig>(v).unwrap(), c);
    }

    /// Text made of pieces that stress normalisation and word splitting:
    /// leetspeak, repeated letters, accents and combining marks, emoji,
    /// zero-width and right-to-left characters, punctuation runs, markup.
    pub(crate) fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("idiot".to_string()),
            Just("1D10T".to_string()),
            Just("stuuuuupid".to_string()),
            Just("a$$".to_string()),
            Just("é\u{301}".to_string()),
            Just("😠👍🏽".to_string()),
            Just("\u{200b}\u{202e}\u{feff}".to_string()),
            Just("!!!???...".to_string()),
            Just("<script>&amp;".to_string()),
            Just("@user".to_string()),
            Just("https://x.y/z".to_string()),
            "[a-z]{1,12}",
            "\\PC{1,6}",
            "[ \t\n,.'\"-]{1,3}",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        /// The hashed-index sort agrees with the standard sort: short and
        /// long inputs, keys below 2^22 (two radix passes) and above.
        #[test]
        fn key_sort_sorts(mut v in proptest::collection::vec(0u32..1 << 22, 0..3000), wide in proptest::bool::ANY) {
            if wide && !v.is_empty() {
                v[0] = u32::MAX - 1;
            }
            let mut want = v.clone();
            want.sort_unstable();
            sort_keys(&mut v, &mut Vec::new());
            proptest::prop_assert_eq!(v, want);
        }
    }

    proptest::proptest! {
        /// Any text: counts sorted and in range, and the names found from
        /// the featurizer's trace equal the names found by hashing again,
        /// with every word's character n-grams and with unknown words' only.
        #[test]
        fn any_text_featurizes_and_names_consistently(text in hostile_text(), side in 0u32..2, unknown in proptest::bool::ANY) {
            let mut f = tiny();
            if unknown {
                f.config.char_words = CharWords::Unknown;
            }
            let mut s = Scratch::default();
            let mut out = Vec::new();
            let cues = f.featurize(&text, side, &mut s, &mut out);
            let w = f.config.side_width();
            proptest::prop_assert!(out.windows(2).all(|p| p[0].0 < p[1].0));
            proptest::prop_assert!(out.iter().all(|&(i, c)| i / w == side && c >= 1.0));
            proptest::prop_assert!(cues.values.iter().all(|v| v.is_finite()));
            let norm = s.normalized().to_string();
            let traced = f.names_in(&norm, Some(s.trace()), side, |_| true);
            proptest::prop_assert_eq!(&traced, &f.names_in(&norm, None, side, |_| true));
            let named: Vec<u32> = traced.iter().map(|n| n.index).collect();
            let got: Vec<u32> = out.iter().map(|c| c.0).collect();
            proptest::prop_assert_eq!(named, got);
        }
    }

    #[test]
    fn config_checked() {
        let c = FeatureConfig {
            char_min: 6,
            char_max: 3,
            ..Default::default()
        };
        assert!(c.check().is_err());
        let c = FeatureConfig {
            word_bits: 40,
            ..Default::default()
        };
        assert!(c.check().is_err());
    }
}

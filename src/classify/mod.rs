//! Classifiers: training on labeled CSV ([`train`]), the model artifact
//! ([`artifact`]), scoring with explanations ([`Model::score`],
//! [`Model::explain`]) and metrics ([`metrics`]).
//!
//! A model is two stages. The n-gram stage is a sparse linear model over
//! hundreds of thousands of hashed n-gram columns ([`sparse`], argmin's
//! L-BFGS). The head ([`head`], `linfa-logistic`) takes the n-gram score(s)
//! plus dense cues and returns calibrated probabilities. Scoring is
//! `w·x + b` over the sparse row, so each n-gram's contribution to the
//! log-odds is known exactly: that is the explanation.
//!
//! A general model trained on several sources is a mixture: one expert
//! (n-gram stage + head) per source and a router, a multinomial n-gram
//! model that says which source a text resembles. Its probability is
//! `Σ_d P(source d | text) · P_d(class | text)`. Incivility is defined
//! differently in a GitHub issue, a tweet and a news comment; pooling the
//! sources into one linear model blurs the definitions (measured in the
//! model card), while routing keeps each one and still needs no domain
//! label at scoring time.

pub mod artifact;
pub mod data;
pub mod embedded;
pub mod fused;
pub mod head;
pub mod metrics;
pub mod sparse;
pub mod train;
pub(crate) mod written;

use serde::{Deserialize, Serialize};

use crate::features::pair::{self, PairSide};
use crate::features::{cues, embed, FeatureConfig, Featurizer, Scratch, Trace, Vocab};
pub use artifact::ArtifactError;
pub use head::Head;
pub use sparse::SparseModel;

/// Errors fitting or using a model.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// Inputs of the wrong shape (checked before any library call).
    #[error("shape: {0}")]
    Shape(String),
    /// Invalid settings.
    #[error("parameters: {0}")]
    Params(String),
    /// The optimiser failed.
    #[error("optimizer: {0}")]
    Optimizer(String),
    /// Not enough data to fit.
    #[error("{0}")]
    Data(String),
    /// Featurizer failure.
    #[error(transparent)]
    Feature(#[from] crate::features::FeatureError),
}

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// P(uncivil) of a comment.
    Incivility,
    /// P(agree / disagree / query / comment) of a reply toward its parent.
    Stance,
}

impl std::str::FromStr for Task {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "incivility" | "toxicity" => Ok(Task::Incivility),
            "stance" => Ok(Task::Stance),
            _ => Err(format!("unknown task {s:?}: incivility or stance")),
        }
    }
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Incivility => "incivility",
            Task::Stance => "stance",
        })
    }
}

/// A loaded or freshly trained model.
#[derive(Debug, Clone)]
pub struct Model {
    /// What it predicts.
    pub task: Task,
    /// Class names; binary models have `[negative, positive]`.
    pub labels: Vec<String>,
    /// Text → hashed counts.
    pub featurizer: Featurizer,
    /// 1 (text) or 2 (text and parent).
    pub sides: u32,
    /// Known n-grams and idf.
    pub vocab: Vocab,
    /// One expert, or one per training source with a router.
    pub experts: Vec<Expert>,
    /// Mixture router (present iff there are several experts).
    pub router: Option<Router>,
    /// Decision threshold on P(positive) for binary models.
    pub threshold: f64,
    /// Multi-class decision offsets added to `ln p` before the argmax
    /// (fitted for macro-F1 on out-of-fold probabilities; empty: argmax).
    pub offsets: Vec<f64>,
    /// Provenance and held-out metrics.
    pub training: artifact::TrainingInfo,
    /// SHA-256 of the artifact's content, written into every score row.
    pub hash: String,
    /// The fused scoring table, built on first use ([`fused`]).
    pub fused: std::sync::OnceLock<Option<fused::Fused>>,
    /// How explanations name the character block (a setting of the run,
    /// not stored in the artifact).
    pub char_reasons: CharReasons,
}

/// How an explanation shows a linearly weighted character block
/// ([`crate::features::CharTf::Linear`], the default since model format
/// version 3). Models weighted otherwise always show n-grams (their block
/// does not split into words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CharReasons {
    /// Each word's character n-grams taken together (`word:idiots`): the
    /// block is a sum over the text's words, so a word's share is exact
    /// and the shares add up to the block's part of the margin. A word
    /// reads better than several of its overlapping n-grams and costs one
    /// lookup in the cache scoring filled.
    #[default]
    Words,
    /// Each character n-gram (`chr:_idi`), for looking inside a word.
    Ngrams,
}

/// An n-gram stage and its head.
#[derive(Debug, Clone, PartialEq)]
pub struct Expert {
    /// The n-gram stage.
    pub sparse: SparseModel,
    /// The dense head.
    pub head: Head,
}

/// Which training source a text resembles.
#[derive(Debug, Clone, PartialEq)]
pub struct Router {
    /// Source names, one per expert.
    pub domains: Vec<String>,
    /// Multinomial n-gram model, one column per source.
    pub sparse: SparseModel,
}

/// Reusable buffers for scoring.
#[derive(Default)]
pub struct ScoreScratch {
    feat: Scratch,
    counts: Vec<(u32, f32)>,
    row: Vec<(u32, f32)>,
    /// Fused explanations: (index, tf-idf value, column) of one block.
    xs: Vec<(u32, f32, u32)>,
    margins: Vec<f64>,
    /// Explanations: each column's contribution, and their weights.
    cols: Vec<(u32, f64)>,
    weights: Vec<f64>,
    /// Explanations of linearly weighted character blocks.
    hits: fused::CharHits,
    /// Prepared texts no longer needed, their buffers for the next
    /// ([`Model::prepare_into`]).
    pub(crate) pool: Vec<Prepared>,
    dense: Vec<f64>,
    logits: Vec<f64>,
    /// Token ids of the text last scored unprepared ([`Model::score`]),
    /// for its embedding.
    text_ids: Vec<u32>,
}

/// A text featurized once; see [`Model::prepare`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prepared {
    counts: Vec<(u32, f32)>,
    cues: cues::Cues,
    norm: String,
    /// Token ids and n-gram indices in emission order ([`Trace`]), kept
    /// so an explanation names n-grams without encoding or hashing the
    /// text a second time.
    ids: Vec<u32>,
    order: Vec<u32>,
    /// The text's side of the pair features, made on first use (stance:
    /// once per comment, as a reply and as the parent of its replies).
    pair: std::cell::OnceCell<PairSide>,
    /// Whether `counts` hold the character n-grams (see
    /// [`Model::prepare_tokens`]).
    chars: bool,
    /// Byte range in `norm` and number of each word of the tokenizer's
    /// split, and the numbers' generation
    /// ([`crate::features::tokens::WordNumbers`]), for a model that sums
    /// its character block word by word ([`Model::sums_char_words`]);
    /// empty otherwise.
    words: Vec<(u32, u32, u32)>,
    generation: u64,
    /// The text's embedding, made on first use, and the table it was made
    /// with (its address): models sharing one table (heads on the
    /// incivility model's columns, [`crate::analyze::Scorer`]) compute it
    /// once per comment.
    emb: std::cell::OnceCell<(usize, Vec<f64>)>,
}

impl Prepared {
    fn trace(&self) -> Trace<'_> {
        Trace {
            ids: &self.ids,
            order: &self.order,
        }
    }

    /// The pair-feature side of this text; `raw` is the text it was
    /// prepared from.
    fn pair_side(&self, raw: &str) -> &PairSide {
        self.pair.get_or_init(|| PairSide::new(&self.norm, raw))
    }
}

/// The pair-feature side of a missing parent (top-level comments).
fn no_parent_side() -> &'static PairSide {
    static EMPTY: std::sync::OnceLock<PairSide> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| PairSide::new("", ""))
}

/// The prepared reply and (when there is one) parent whose pair features a
/// stance row needs.
type PreparedPair<'a> = (&'a Prepared, Option<&'a Prepared>);

/// A candidate feature of an explanation: a named n-gram (index into the
/// named columns) or a dense head input, named only if among the strongest.
#[derive(Debug, Clone, Copy)]
enum Feature {
    Col(usize),
    Cue(usize),
    /// The embedding's inputs together.
    Embedding,
}

/// One feature's share of a score.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Contribution {
    /// `tok:you idiot`, `word:idiot`, `chr:_idi`, `parent:tok:...` or a cue name.
    pub feature: String,
    /// Added log-odds of the explained class.
    pub weight: f64,
}

/// The `keep`-th largest and the `keep`-th smallest weight of `cols`
/// (`keep` ≤ its length; `w` is scratch), in [`f64::total_cmp`] order with
/// equal weights counted apart: one pass keeping the `keep` largest and
/// smallest in two short sorted lists when `keep` is small (~1,000
/// columns, 5 kept), a selection otherwise.
fn kth_extremes(cols: &[(u32, f64)], keep: usize, w: &mut Vec<f64>) -> (f64, f64) {
    const SHORT: usize = 16;
    w.clear();
    w.extend(cols.iter().map(|c| c.1));
    if keep > SHORT {
        let n = w.len();
        let hi = *w.select_nth_unstable_by(n - keep, f64::total_cmp).1;
        let lo = *w.select_nth_unstable_by(keep - 1, f64::total_cmp).1;
        return (hi, lo);
    }
    // `hi`: the largest so far, descending; `lo`: the smallest, ascending.
    let (mut hi, mut lo) = ([0.0f64; SHORT], [0.0f64; SHORT]);
    let (hi, lo) = (&mut hi[..keep], &mut lo[..keep]);
    lo.copy_from_slice(&w[..keep]);
    lo.sort_by(f64::total_cmp);
    hi.copy_from_slice(lo);
    hi.reverse();
    // Into a full list whose last it beats: shift the weaker ones down.
    let insert = |list: &mut [f64], x: f64, beats: fn(&f64, &f64) -> bool| {
        let mut i = list.len() - 1;
        while i > 0 && beats(&x, &list[i - 1]) {
            list[i] = list[i - 1];
            i -= 1;
        }
        list[i] = x;
    };
    for &x in &w[keep..] {
        if x.total_cmp(&hi[keep - 1]).is_gt() {
            insert(hi, x, |a, b| a.total_cmp(b).is_gt());
        }
        if x.total_cmp(&lo[keep - 1]).is_lt() {
            insert(lo, x, |a, b| a.total_cmp(b).is_lt());
        }
    }
    (hi[keep - 1], lo[keep - 1])
}

/// Router margins → posteriors over the sources. Two sources are a binary
/// model (one column, the log-odds of the second source).
pub(crate) fn route_probs(z: &[f64]) -> Vec<f64> {
    if z.len() == 1 {
        Head::probabilities(&[0.0, z[0]])
    } else {
        Head::probabilities(z)
    }
}

impl Model {
    /// Dense head inputs of a row: the n-gram margins, then the text's cues,
    /// then pair features (stance), then the lexicon's and the sentiment
    /// lexicon's inputs (a model trained with them), then the text's embedding (a model
    /// with an embedding table; `text_ids`: the text's token ids when it
    /// is not prepared).
    #[allow(clippy::too_many_arguments)]
    fn dense_inputs(
        &self,
        margins: &[f64],
        text_cues: &cues::Cues,
        text: &str,
        parent: &str,
        prepared: Option<PreparedPair<'_>>,
        text_ids: &[u32],
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend_from_slice(margins);
        out.extend(text_cues.values.iter().map(|&v| f64::from(v)));
        if self.task == Task::Stance {
            match prepared {
                Some((t, p)) => {
                    let ps: &PairSide = match p {
                        Some(p) => p.pair_side(parent),
                        None => no_parent_side(),
                    };
                    pair::from_sides(t.pair_side(text), ps, out)
                }
                None => pair::compute(&self.featurizer, text, parent, out),
            }
        }
        self.featurizer.push_word_list_inputs(text_cues, out);
        if let Some(e) = &self.featurizer.embedding {
            let Some((t, _)) = prepared else {
                e.text_vector(text_ids, out);
                return;
            };
            let key = std::sync::Arc::as_ptr(e) as usize;
            match t.emb.get() {
                Some((k, v)) if *k == key => out.extend_from_slice(v),
                cached => {
                    let start = out.len();
                    e.text_vector(&t.ids, out);
                    if cached.is_none() {
                        let _ = t.emb.set((key, out[start..].to_vec()));
                    }
                }
            }
        }
    }

    /// Sparse row of a text (and parent): hashed counts → weighted columns.
    fn row(&self, text: &str, parent: &str, s: &mut ScoreScratch) -> cues::Cues {
        s.counts.clear();
        let c = self
            .featurizer
            .featurize(text, 0, &mut s.feat, &mut s.counts);
        if self.featurizer.embedding.is_some() {
            s.text_ids.clear();
            s.text_ids.extend_from_slice(s.feat.token_ids());
        }
        if self.sides == 2 {
            self.featurizer
                .featurize(parent, 1, &mut s.feat, &mut s.counts);
        }
        s.row.clear();
        self.vocab
            .transform(&self.featurizer.config, &s.counts, &mut s.row);
        c
    }

    /// Class probabilities of one expert for an already built row.
    fn expert_probs(
        &self,
        e: &Expert,
        cues: &cues::Cues,
        text: &str,
        parent: &str,
        prepared: Option<PreparedPair<'_>>,
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        s.margins.resize(e.sparse.k, 0.0);
        e.sparse.margins(&s.row, &mut s.margins);
        self.head_probs(e, cues, text, parent, prepared, s)
    }

    /// Class probabilities of one expert once `s.margins` holds its
    /// n-gram margins.
    fn head_probs(
        &self,
        e: &Expert,
        cues: &cues::Cues,
        text: &str,
        parent: &str,
        prepared: Option<PreparedPair<'_>>,
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        let margins = std::mem::take(&mut s.margins);
        let mut dense = std::mem::take(&mut s.dense);
        self.dense_inputs(
            &margins,
            cues,
            text,
            parent,
            prepared,
            &s.text_ids,
            &mut dense,
        );
        e.head.logits(&dense, &mut s.logits);
        s.margins = margins;
        s.dense = dense;
        Head::probabilities(&s.logits)
    }

    /// Router posteriors over the experts (`[1.0]` for a single expert).
    fn routes(&self, s: &mut ScoreScratch) -> Vec<f64> {
        match &self.router {
            None => vec![1.0],
            Some(r) => {
                let mut z = vec![0.0; r.sparse.k];
                r.sparse.margins(&s.row, &mut z);
                route_probs(&z)
            }
        }
    }

    /// The stance of a source post (a thread's opening post, which replies
    /// to nothing) toward what it asserts, as RumourEval labels it: `query`
    /// when its first line (a tweet, a title, a headline) asks (a `?`),
    /// else `agree` (it puts its claim forward). `None` for a model without
    /// those labels. A rule, not the model: the stance model learned from
    /// replies. On RumourEval 2019's labelled train and dev sources (365)
    /// it is right on 86.8% (always `agree`: 85.5%), chosen there; see the
    /// model card.
    pub fn source_stance(&self, text: &str) -> Option<usize> {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let label = if first.contains('?') {
            "query"
        } else {
            "agree"
        };
        self.labels.iter().position(|l| l == label)
    }

    /// The decided class for probabilities from [`Model::score`]: binary
    /// models compare P(positive) with the threshold, multi-class models
    /// take the argmax of `ln p` plus the decision offsets.
    pub fn decide(&self, probs: &[f64]) -> usize {
        if probs.len() == 2 && self.labels.len() == 2 {
            usize::from(probs[1] >= self.threshold)
        } else {
            metrics::decide(probs, &self.offsets)
        }
    }

    /// Class probabilities of one text (and its parent's text for stance;
    /// pass `""` when there is none).
    pub fn score(&self, text: &str, parent: &str, s: &mut ScoreScratch) -> Vec<f64> {
        let cues = self.row(text, parent, s);
        self.probs_of_row(&cues, text, parent, None, s)
    }

    /// Featurize a text once (hashed counts on the text side, and its
    /// cues) for [`Model::score_prepared`]: in a thread every comment is
    /// both a reply and a parent, and the incivility and stance models
    /// share the featurizer, so one pass serves all three uses.
    pub fn prepare(&self, text: &str, s: &mut ScoreScratch) -> Prepared {
        self.prepare_as(text, self.featurizer.config.char_ngrams, false, s)
    }

    /// [`Model::prepare`] without the character n-grams, for models that
    /// do not read them from the counts: models without them, and fused
    /// models that sum them word by word ([`Model::sums_char_words`]).
    /// Methods that need them (explanations, the unfused paths) add them
    /// to a copy.
    pub fn prepare_tokens(&self, text: &str, s: &mut ScoreScratch) -> Prepared {
        self.prepare_as(text, false, false, s)
    }

    /// [`Model::prepare`] (`chars`: with the character n-grams in the
    /// counts, when the featurizer has them) or [`Model::prepare_tokens`]
    /// (without); `pair`: its side of the stance pair features made now
    /// from the tokenizer's split of the text (otherwise on first use,
    /// splitting it again).
    pub fn prepare_as(
        &self,
        text: &str,
        chars: bool,
        pair: bool,
        s: &mut ScoreScratch,
    ) -> Prepared {
        let mut p = Prepared::default();
        self.prepare_into(text, (chars, pair), s, &mut p);
        p
    }

    /// [`Model::prepare_as`] into `p`, reusing its buffers (a text
    /// prepared before and no longer needed: the scorer keeps them
    /// between threads instead of allocating ~7 buffers a comment).
    pub fn prepare_into(
        &self,
        text: &str,
        (chars, pair): (bool, bool),
        s: &mut ScoreScratch,
        p: &mut Prepared,
    ) {
        p.counts.clear();
        p.cues = self
            .featurizer
            .featurize_with(text, 0, chars, &mut s.feat, &mut p.counts);
        let norm = s.feat.normalized();
        let old = p.pair.take();
        if pair {
            let side =
                PairSide::from_words_reusing(norm, text, s.feat.words(), old.unwrap_or_default());
            let _ = p.pair.set(side);
        }
        p.norm.clear();
        p.norm.push_str(norm);
        p.ids.clear();
        p.ids.extend_from_slice(s.feat.token_ids());
        p.order.clear();
        p.order.extend_from_slice(s.feat.trace().order);
        p.chars = chars && self.featurizer.config.char_ngrams;
        p.words.clear();
        p.generation = 0;
        p.emb.take();
        if self.sums_char_words() {
            let numbers = s.feat.word_numbers();
            let words = s.feat.words().iter().zip(&numbers.numbers);
            p.words.extend(words.map(|(w, &n)| (w.start, w.len, n)));
            p.generation = numbers.generation;
        }
    }

    /// `p` with its character n-grams when this model reads them from the
    /// counts and `p` was prepared without them.
    fn with_chars<'a>(
        &self,
        p: &'a Prepared,
        s: &mut ScoreScratch,
    ) -> std::borrow::Cow<'a, Prepared> {
        if p.chars || !self.featurizer.config.char_ngrams {
            return std::borrow::Cow::Borrowed(p);
        }
        // Normalised and tokenized already: only the character n-grams.
        let mut full = Prepared {
            counts: p.counts.clone(),
            cues: p.cues,
            norm: p.norm.clone(),
            ids: p.ids.clone(),
            order: p.order.clone(),
            pair: std::cell::OnceCell::new(),
            chars: true,
            words: p.words.clone(),
            generation: p.generation,
            emb: p.emb.clone(),
        };
        self.featurizer
            .add_char_counts(&full.norm, &mut full.counts, &mut full.order, &mut s.feat);
        std::borrow::Cow::Owned(full)
    }

    /// Whether scoring texts prepared by [`Model::prepare_tokens`] costs
    /// no second featurizing: the model has no character n-grams, or a
    /// fused table sums them word by word ([`crate::features::CharTf::Linear`]).
    pub fn scores_without_chars(&self) -> bool {
        !self.featurizer.config.char_ngrams || self.sums_char_words()
    }

    /// Whether [`Model::side_sum`] takes the character block word by word
    /// from the normalised text (with per-word sums kept between texts)
    /// instead of from the counts.
    pub fn sums_char_words(&self) -> bool {
        let cfg = &self.featurizer.config;
        cfg.char_ngrams && cfg.linear(true) && self.fused().is_some()
    }

    /// Whether texts prepared by `other` can be scored by this model (same
    /// featurizer settings and tokenizer).
    ///
    /// A model without character n-grams can read texts featurized with
    /// them: the hashed indices line up and the character block is not in
    /// its vocabulary, so those counts are skipped.
    pub fn shares_featurizer(&self, other: &Model) -> bool {
        let (mine, theirs) = (self.featurizer.config, other.featurizer.config);
        // Without character n-grams, which words would give them is moot.
        let same_indices = if mine.char_ngrams {
            mine == theirs
        } else {
            FeatureConfig {
                char_ngrams: theirs.char_ngrams,
                char_words: theirs.char_words,
                char_tf: theirs.char_tf,
                ..mine
            } == theirs
        };
        same_indices && self.featurizer.tokens.to_json() == other.featurizer.tokens.to_json()
    }

    /// Fill `s.row` from prepared texts: the text's counts, then (stance)
    /// the parent's moved onto the parent side. Returns the parent's raw
    /// text (`""` without one) and prepared form for the pair features.
    fn prepared_row<'a>(
        &self,
        text: &Prepared,
        parent: Option<(&'a Prepared, &'a str)>,
        s: &mut ScoreScratch,
    ) -> (&'a str, Option<&'a Prepared>) {
        // Texts prepared by a model with character n-grams carry that block
        // (see [`Model::shares_featurizer`]); a model without reads past it.
        let cfg = self.featurizer.config;
        let text = self.with_chars(text, s);
        s.counts.clear();
        s.counts.extend_from_slice(cfg.used(&text.counts));
        if let (2, Some((p, _))) = (self.sides, parent) {
            let off = cfg.side_width();
            let p = self.with_chars(p, s);
            s.counts
                .extend(cfg.used(&p.counts).iter().map(|&(i, v)| (i + off, v)));
        }
        s.row.clear();
        self.vocab
            .transform(&self.featurizer.config, &s.counts, &mut s.row);
        self.parent_strs(parent)
    }

    /// The parent's raw text and prepared form as this model reads them
    /// (none for one-sided models or without a parent).
    fn parent_strs<'a>(
        &self,
        parent: Option<(&'a Prepared, &'a str)>,
    ) -> (&'a str, Option<&'a Prepared>) {
        match parent {
            Some((p, ps)) if self.sides == 2 => (ps, Some(p)),
            _ => ("", None),
        }
    }

    /// [`Model::score`] from prepared texts (`parent`: the parent's
    /// prepared form and text, for stance).
    pub fn score_prepared(
        &self,
        text: &Prepared,
        text_str: &str,
        parent: Option<(&Prepared, &str)>,
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        let (parent_str, parent_prep) = self.prepared_row(text, parent, s);
        self.probs_of_row(
            &text.cues,
            text_str,
            parent_str,
            Some((text, parent_prep)),
            s,
        )
    }

    /// Whether [`Model::fused`] gives a table, without making it: a single
    /// expert that fits one ([`fused::Fused::fits`]).
    pub fn fusable(&self) -> bool {
        self.sole_expert()
            .is_some_and(|e| fused::Fused::fits(&self.vocab, &[e]))
    }

    /// The fused scoring table ([`fused`]), for single-expert models.
    pub fn fused(&self) -> Option<&fused::Fused> {
        self.fused
            .get_or_init(|| match (&self.router, &self.experts[..]) {
                (None, [e]) => fused::Fused::new(&self.vocab, e),
                _ => None,
            })
            .as_ref()
    }

    /// Per-block sums of a prepared text scored as side `side` (0: the
    /// text, 1: the parent); `None` when the model has no fused table.
    pub fn side_sum(&self, p: &Prepared, side: u32) -> Option<fused::SideSum> {
        let f = self.fused()?;
        (side < self.sides).then(|| self.side_sum_in(f, p, side))
    }

    /// [`Model::side_sum`] from the table `f` on this model's columns (a
    /// stacked table, [`fused::Fused::stacked`], holding this model's
    /// weights beside others').
    pub fn side_sum_in(&self, f: &fused::Fused, p: &Prepared, side: u32) -> fused::SideSum {
        let words = (!p.words.is_empty()).then_some((p.words.as_slice(), p.generation));
        f.side_sum(
            &self.vocab,
            &self.featurizer,
            (&p.counts, &p.norm, words),
            side,
        )
    }

    /// Whether `other` scores on this model's columns: one-sided, one
    /// expert each, the same featurizer and the same vocabulary (hashed
    /// n-grams and idf), so both can be read from one stacked table
    /// ([`fused::Fused::stacked`]).
    pub fn stacks_with(&self, other: &Model) -> bool {
        let single = |m: &Model| m.sides == 1 && m.sole_expert().is_some();
        single(self)
            && single(other)
            && self.featurizer.config == other.featurizer.config
            && self.shares_featurizer(other)
            && self.vocab.index == other.vocab.index
            && self.vocab.idf == other.vocab.idf
    }

    /// Content hash of the model whose columns this one was trained on
    /// (`train --vocab-of`, as recorded in its training settings).
    pub fn vocab_of_hash(&self) -> Option<&str> {
        self.training
            .params
            .get("vocab_of")?
            .get("content_sha256")?
            .as_str()
    }

    /// The expert of a single-expert model.
    pub fn sole_expert(&self) -> Option<&Expert> {
        match (&self.router, &self.experts[..]) {
            (None, [e]) => Some(e),
            _ => None,
        }
    }

    /// Probabilities of a one-sided single-expert model from its n-gram
    /// margins worked out elsewhere (a stacked table's columns for it,
    /// intercepts included) and the prepared text: the same numbers as
    /// [`Model::score_sums`] on the model's own table.
    pub fn probs_from_margins(
        &self,
        margins: &[f64],
        text: (&Prepared, &str),
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        let e = &self.experts[0];
        s.margins.clear();
        s.margins.extend_from_slice(margins);
        self.head_probs(e, &text.0.cues, text.1, "", Some((text.0, None)), s)
    }

    /// [`Model::score_prepared`] from side sums ([`Model::side_sum`]) of
    /// the text and (stance) its parent; falls back to
    /// [`Model::score_prepared`] when the model has no fused table.
    pub fn score_sums(
        &self,
        text: (&Prepared, &str, &fused::SideSum),
        parent: Option<(&Prepared, &str, &fused::SideSum)>,
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        let Some(f) = self.fused() else {
            return self.score_prepared(text.0, text.1, parent.map(|p| (p.0, p.1)), s);
        };
        let e = &self.experts[0];
        s.margins.resize(e.sparse.k, 0.0);
        let (parent_str, parent_prep) = match parent {
            Some((p, ps, sum)) if self.sides == 2 => {
                f.margins(&e.sparse.intercept, &[text.2, sum], &mut s.margins);
                (ps, Some(p))
            }
            _ => {
                f.margins(&e.sparse.intercept, &[text.2], &mut s.margins);
                ("", None)
            }
        };
        self.head_probs(
            e,
            &text.0.cues,
            text.1,
            parent_str,
            Some((text.0, parent_prep)),
            s,
        )
    }

    /// Probabilities once `s.row` holds the text's (and parent's) columns.
    fn probs_of_row(
        &self,
        cues: &cues::Cues,
        text: &str,
        parent: &str,
        prepared: Option<PreparedPair<'_>>,
        s: &mut ScoreScratch,
    ) -> Vec<f64> {
        if self.experts.len() == 1 {
            return self.expert_probs(&self.experts[0], cues, text, parent, prepared, s);
        }
        let pi = self.routes(s);
        let mut out = vec![0.0; self.labels.len()];
        for (e, &w) in self.experts.iter().zip(&pi) {
            for (o, p) in out
                .iter_mut()
                .zip(self.expert_probs(e, cues, text, parent, prepared, s))
            {
                *o += w * p;
            }
        }
        out
    }

    /// Router posteriors of a text: `(source, probability)`, empty for a
    /// single-source model.
    pub fn domains(&self, text: &str, parent: &str) -> Vec<(String, f64)> {
        let Some(r) = &self.router else {
            return Vec::new();
        };
        let mut s = ScoreScratch::default();
        self.row(text, parent, &mut s);
        r.domains.iter().cloned().zip(self.routes(&mut s)).collect()
    }

    /// The `top` features that pushed class `class` up most (positive
    /// weights) and, after them, the ones that pushed it down most.
    ///
    /// N-gram contributions are `w·x` in the n-gram stage times the head's
    /// coefficient on that stage's score; cue contributions are the head's
    /// coefficient times the standardised cue. For multi-class models
    /// weights are relative to the mean of the classes.
    pub fn explain(&self, text: &str, parent: &str, class: usize, top: usize) -> Vec<Contribution> {
        let mut s = ScoreScratch::default();
        let a = self.prepare(text, &mut s);
        let b = self.prepare(parent, &mut s);
        self.explain_prepared(&a, text, Some((&b, parent)), class, top, &mut s)
    }

    /// [`Model::explain`] from prepared texts (see [`Model::score_prepared`]).
    pub fn explain_prepared(
        &self,
        text: &Prepared,
        text_str: &str,
        parent: Option<(&Prepared, &str)>,
        class: usize,
        top: usize,
        s: &mut ScoreScratch,
    ) -> Vec<Contribution> {
        self.explain_scored(text, text_str, parent, class, top, s)
    }

    /// [`Model::explain_prepared`] right after this model scored the same
    /// text and parent with `s` ([`Model::score_sums`] or
    /// [`Model::score_prepared`]).
    pub fn explain_scored(
        &self,
        text: &Prepared,
        text_str: &str,
        parent: Option<(&Prepared, &str)>,
        class: usize,
        top: usize,
        s: &mut ScoreScratch,
    ) -> Vec<Contribution> {
        self.explain_scored_in(None, (text, text_str), parent, (class, top), s)
    }

    /// [`Model::explain_scored`] read from `table` (a stacked table,
    /// [`fused::Fused::stacked`], whose columns from `at` on are this
    /// model's) instead of the model's own: right after the scorer summed
    /// the text in that table, its words' sums are reused, and no second
    /// table or per-word cache is made for this model. The same
    /// contributions as from the model's own table.
    pub fn explain_scored_in(
        &self,
        table: Option<(&fused::Fused, usize)>,
        (text, text_str): (&Prepared, &str),
        parent: Option<(&Prepared, &str)>,
        (class, top): (usize, usize),
        s: &mut ScoreScratch,
    ) -> Vec<Contribution> {
        // A linearly weighted character block is explained from per-word
        // lists of its known n-grams ([`fused::Fused::char_contributions`]);
        // otherwise explanations name character n-grams from the counts,
        // and texts prepared without them get them added (only the
        // explained).
        let by_words = self.sums_char_words();
        // Named by word ([`CharReasons::Words`]) or by n-gram.
        let words = by_words && self.char_reasons == CharReasons::Words;
        let text_full = match by_words {
            true => std::borrow::Cow::Borrowed(text),
            false => self.with_chars(text, s),
        };
        let text: &Prepared = &text_full;
        let parent_full = match parent {
            Some((p, ps)) if self.sides == 2 && !by_words => Some((self.with_chars(p, s), ps)),
            _ => None,
        };
        let parent = parent_full.as_ref().map(|(p, ps)| (&**p, *ps)).or(parent);
        // Single-expert models with a fused table read each n-gram's
        // weights from one table row; the others build the tf-idf row.
        let fused = match table {
            Some((f, _)) => Some(f),
            None => self.fused(),
        };
        let (parent_str, parent_prep) = match fused {
            Some(_) => self.parent_strs(parent),
            None => self.prepared_row(text, parent, s),
        };
        // A mixture is explained through the expert the router trusts most.
        let pi = self.routes(s);
        let best = (0..pi.len())
            .max_by(|&a, &b| pi[a].total_cmp(&pi[b]))
            .unwrap_or(0);
        let ex = &self.experts[best];
        let k = ex.sparse.k;
        let kh = ex.head.weights.len();
        // Head coefficient from n-gram score column j to output `class`, on the raw scale.
        let coef = |j: usize| -> f64 {
            let per = |o: usize| ex.head.weights[o][j] / ex.head.scale[j];
            if kh == 1 {
                per(0)
            } else {
                per(class) - (0..kh).map(per).sum::<f64>() / kh as f64
            }
        };
        // Contribution of every column, then names for the strongest few
        // only. A name determines its column (it is the n-gram that hashes
        // there), so two columns never merge under one name and the `top`
        // largest and `top` smallest columns hold every n-gram the output
        // can show.
        let mut coefs: Vec<f64> = (0..k).map(coef).collect();
        // In a stacked table, zero for the other models' columns.
        if let Some((f, at)) = table {
            let mine = std::mem::take(&mut coefs);
            coefs.resize(f.k(), 0.0);
            coefs[at..at + k].copy_from_slice(&mine);
        }
        // Scratch reused between explanations (~1,000 columns a comment).
        let mut cols = std::mem::take(&mut s.cols);
        cols.clear();
        match fused {
            Some(f) => {
                let cfg = &self.featurizer.config;
                let mut xs = std::mem::take(&mut s.xs);
                s.hits.clear();
                let parent_side = match (self.sides, parent) {
                    (2, Some((p, _))) => Some(p),
                    _ => None,
                };
                for (side, p) in (0u32..).zip(std::iter::once(text).chain(parent_side)) {
                    let counts = match by_words {
                        true => cfg.token_counts(&p.counts),
                        false => &p.counts,
                    };
                    f.contributions(&self.vocab, cfg, (counts, side), &coefs, &mut cols, &mut xs);
                    let (fz, at) = (&self.featurizer, (p.norm.as_str(), side));
                    if words {
                        let out = (&mut cols, &mut s.hits);
                        f.word_contributions(&self.vocab, fz, at, &coefs, out);
                    } else if by_words {
                        let out = (&mut cols, &mut xs, &mut s.hits);
                        f.char_contributions(&self.vocab, fz, at, &coefs, out);
                    }
                }
                s.xs = xs;
            }
            None => cols.extend(s.row.iter().map(|&(col, v)| {
                let mut w = 0.0;
                for (j, c) in coefs.iter().enumerate() {
                    w += c * f64::from(ex.sparse.weights[col as usize * k + j]) * f64::from(v);
                }
                (self.vocab.index[col as usize], w)
            })),
        }
        // Columns tied with the last one kept stay too: n-grams that always
        // occur together get equal weights, and the output orders ties by
        // name, which is not known yet.
        let keep = top.max(1);
        if cols.len() > 2 * keep {
            let (hi, lo) = kth_extremes(&cols, keep, &mut s.weights);
            cols.retain(|c| c.1 >= hi || c.1 <= lo);
        }
        let mut wanted: Vec<u32> = cols.iter().map(|c| c.0).collect();
        wanted.sort_unstable();
        // A 4,096-bit filter in front of the binary search: names_in tests
        // every n-gram of the text and nearly all are not wanted (with ~20
        // wanted columns, 0.5% pass the filter by chance).
        let slot = |i: u32| (i.wrapping_mul(0x9E37_79B1) >> 20) as usize;
        let mut filter = [0u64; 64];
        for &i in &wanted {
            filter[slot(i) >> 6] |= 1 << (slot(i) & 63);
        }
        let want = |i: u32| {
            filter[slot(i) >> 6] & (1 << (slot(i) & 63)) != 0 && wanted.binary_search(&i).is_ok()
        };
        // Whether any wanted n-gram is on a side (often none of a stance
        // parent's are): its text is then not searched for names.
        let wanted_on = |side: u32| {
            let w = self.featurizer.config.side_width();
            wanted.iter().any(|&i| i < fused::WORD_KEY && i / w == side)
        };
        let side_names = |norm: &str, trace: Option<Trace<'_>>, side: u32| {
            let fz = &self.featurizer;
            let on_side = wanted_on(side);
            let mut names = match (by_words, fused) {
                (true, Some(_)) => {
                    // Token n-grams from the trace, words or character
                    // n-grams from what the contributions kept; then as one
                    // `names_in` list.
                    let token = |i: u32| fz.config.block_of(i) % 2 == 0;
                    let mut names = if on_side {
                        fz.names_in(norm, trace, side, |i| token(i) && want(i))
                    } else {
                        Vec::new()
                    };
                    match words {
                        true => fused::Fused::word_names((norm, side), &s.hits, want, &mut names),
                        false => {
                            fused::Fused::char_names(fz, (norm, side), &s.hits, want, &mut names)
                        }
                    }
                    crate::features::sort_names(&mut names);
                    names
                }
                _ if on_side => fz.names_in(norm, trace, side, want),
                _ => Vec::new(),
            };
            if fz.config.normalize.group_word {
                for n in &mut names {
                    crate::features::groups::show_in(&mut n.name);
                }
            }
            names
        };
        let mut names = side_names(&text.norm, Some(text.trace()), 0);
        if self.sides == 2 {
            let trace = parent.map(|p| p.0.trace());
            let parent_norm = parent_prep.map_or("", |p| p.norm.as_str());
            for mut n in side_names(parent_norm, trace, 1) {
                n.name = format!("parent:{}", n.name);
                names.push(n);
            }
        }
        // Named columns; two n-grams can print alike (a `_` in a word reads
        // as a word boundary): such columns are one feature, their weights
        // summed in column order.
        let mut named: Vec<Contribution> = Vec::with_capacity(cols.len());
        for &(idx, w) in &cols {
            // One name an index and one column an index: each name is
            // taken at most once.
            let name = names
                .iter_mut()
                .find(|n| n.index == idx)
                .map_or_else(|| format!("#{idx}"), |n| std::mem::take(&mut n.name));
            match named.iter_mut().find(|c| c.feature == name) {
                Some(c) => c.weight += w,
                None => named.push(Contribution {
                    feature: name,
                    weight: w,
                }),
            }
        }
        // The cue, pair and embedding inputs (after the k margins, which
        // are not needed here) as candidates too, from the prepared texts
        // (their cues and pair sides are kept there; what scoring left in
        // `s` may be another model's). Cues are named only if they are
        // among the strongest.
        let mut dense = std::mem::take(&mut s.dense);
        self.dense_inputs(
            &vec![0.0; k],
            &text.cues,
            text_str,
            parent_str,
            Some((text, parent_prep)),
            &[],
            &mut dense,
        );
        let mut cands: Vec<(f64, Feature)> = named
            .iter()
            .enumerate()
            .map(|(i, c)| (c.weight, Feature::Col(i)))
            .collect();
        // The embedding's values are one feature (`cue:embedding`): one
        // value of a 64-wide vector means nothing to a reader.
        let mut emb: Option<f64> = None;
        for (f, &x) in dense
            .iter()
            .enumerate()
            .take(ex.head.features.len())
            .skip(k)
        {
            let z = (x - ex.head.mean[f]) / ex.head.scale[f];
            let w = if kh == 1 {
                ex.head.weights[0][f] * z
            } else {
                (ex.head.weights[class][f]
                    - (0..kh).map(|o| ex.head.weights[o][f]).sum::<f64>() / kh as f64)
                    * z
            };
            if embed::is_name(&ex.head.features[f]) {
                *emb.get_or_insert(0.0) += w;
            } else if w.abs() > 1e-3 {
                cands.push((w, Feature::Cue(f)));
            }
        }
        if let Some(w) = emb.filter(|w| w.abs() > 1e-3) {
            cands.push((w, Feature::Embedding));
        }
        s.dense = dense;
        // The `top` strongest each way, and any tied with the last of them
        // (ties are ordered by name).
        let strongest = |up: bool| -> Vec<(f64, Feature)> {
            let mut v: Vec<(f64, Feature)> = cands
                .iter()
                .filter(|c| if up { c.0 > 0.0 } else { c.0 < 0.0 })
                .copied()
                .collect();
            // Strongest first: descending weights up, ascending down.
            let order = |a: &(f64, Feature), b: &(f64, Feature)| match up {
                true => b.0.total_cmp(&a.0),
                false => a.0.total_cmp(&b.0),
            };
            if v.len() > keep {
                let last = v.select_nth_unstable_by(keep - 1, order).1 .0;
                v.retain(|c| order(c, &(last, Feature::Cue(0))).is_le());
            }
            v
        };
        let (up, down) = (strongest(true), strongest(false));
        // A column is in one of the two lists at most (by its sign): its
        // name is taken, not copied.
        let mut names: Vec<String> = named.into_iter().map(|c| c.feature).collect();
        let mut name = |f: Feature| -> String {
            match f {
                Feature::Col(i) => std::mem::take(&mut names[i]),
                // A word-list cue with the word it points at
                // (`cue:lex_mean:moron`).
                Feature::Cue(f) => {
                    let cue = &ex.head.features[f];
                    match text.cues.word(cue, &text.norm) {
                        Some(word) => format!("cue:{cue}:{word}"),
                        None => format!("cue:{cue}"),
                    }
                }
                Feature::Embedding => "cue:embedding".to_string(),
            }
        };
        // Pushing up: strongest first, ties by name; pushing down: most
        // negative first, ties by name from the end (the order of one list
        // sorted by name, then stably by weight, read from both ends).
        let mut named = |v: Vec<(f64, Feature)>, up: bool| -> Vec<Contribution> {
            let mut v: Vec<Contribution> = v
                .into_iter()
                .map(|(weight, f)| Contribution {
                    feature: name(f),
                    weight,
                })
                .collect();
            v.sort_by(|a, b| match up {
                true => b
                    .weight
                    .total_cmp(&a.weight)
                    .then_with(|| a.feature.cmp(&b.feature)),
                false => a
                    .weight
                    .total_cmp(&b.weight)
                    .then_with(|| b.feature.cmp(&a.feature)),
            });
            v.truncate(top);
            v
        };
        let mut out = named(up, true);
        out.extend(named(down, false));
        s.cols = cols;
        out
    }
}

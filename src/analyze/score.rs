//! Scoring every comment of a forest with the incivility model and the
//! stance model (toward the parent; top-level comments toward the
//! article or submission), in parallel over threads.
//!
//! A [`Domain`] (the built-in one: GitHub issue comments) takes the
//! incivility score of the comments its gate recognises from a model of
//! that domain's own labels: the sources define incivility differently,
//! and a text alone cannot carry one source's definition into the pooled
//! model (model card, "The GitHub domain").

use rayon::prelude::*;
use serde::Serialize;

use super::AnalyzeError;
use crate::classify::data::STANCE_LABELS;
use crate::classify::fused::{Fused, SideSum, MAX_K};
use crate::classify::{Contribution, Model, Prepared, ScoreScratch, Task};
use crate::forest::{Forest, Kind, Thread};

/// Index of `comment` in [`STANCE_LABELS`] (the stance with nothing to explain
/// by default).
const COMMENT: usize = 3;

/// Which comments get explanations (top contributing features).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    /// None.
    None,
    /// Incivility of comments at or over the threshold, and stance of
    /// replies decided agree, disagree or query (the default: these are
    /// the ones a moderator reads and the edges of disagreement chains;
    /// explaining costs more than scoring).
    Flagged,
    /// Incivility and stance of every comment.
    All,
}

impl Explain {
    /// `flagged`, `all` or `none`, as the command line, the server and the
    /// Python package name them.
    pub fn from_name(s: &str) -> Option<Explain> {
        match s {
            "flagged" => Some(Explain::Flagged),
            "all" => Some(Explain::All),
            "none" => Some(Explain::None),
            _ => None,
        }
    }

    /// Whether a score is explained; `notable`: flagged uncivil, or a
    /// stance other than `comment`.
    fn wants(self, notable: bool) -> bool {
        match self {
            Explain::All => true,
            Explain::Flagged => notable,
            Explain::None => false,
        }
    }
}

/// Scores of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// P(uncivil).
    pub incivility: f64,
    /// At or over the threshold.
    pub uncivil: bool,
    /// P(agree, disagree, query, comment) toward the parent (`None` for roots).
    pub stance: Option<[f64; 4]>,
    /// The decided stance (model's decision rule), index into the labels;
    /// for a root with replies, its stance toward what it asserts
    /// ([`crate::classify::Model::source_stance`], with `stance` `None`).
    pub stance_label: Option<usize>,
    /// P of each attribute head ([`Scorer::attribute_names`] order).
    pub attributes: Vec<f64>,
    /// The [`Domain`] (`github`) whose expert gave the incivility (its
    /// gate recognised the comment); `None`: the incivility model did.
    pub domain: Option<&'static str>,
    /// Top features that pushed P(uncivil) up (and, after them, down).
    pub reasons: Vec<Contribution>,
    /// The same per attribute head ([`Scorer::attribute_names`] order):
    /// explained as incivility is ([`Explain`]; `flagged`: a head's score
    /// at or over 0.5), empty otherwise.
    pub attribute_reasons: Vec<Vec<Contribution>>,
    /// Top features that pushed the decided stance up (and, after them,
    /// down): the reply's and the parent's n-grams (`parent:` prefix), cues
    /// and pair features.
    pub stance_reasons: Vec<Contribution>,
}

/// A domain whose comments get their incivility from a model of the
/// domain's own labels: where the gate's P (that a text comes from the
/// domain) is at or over `at`, the expert's P replaces the incivility
/// model's, and the expert explains it. Both are binary models on the
/// incivility model's columns (`train --vocab-of`), so they are read from
/// the same stacked table.
#[derive(Clone)]
pub struct Domain {
    /// `github`: how rows name the model that scored them.
    pub name: &'static str,
    /// P(the text comes from the domain), as its `uncivil` class.
    pub gate: Model,
    /// P(uncivil) by the domain's labels.
    pub expert: Model,
    /// Gate probability from which the expert scores.
    pub at: f64,
    /// Words a text needs before the gate may hand it to the expert.
    pub min_words: usize,
}

impl Domain {
    /// The domain `name` with the gate and expert given, scoring from
    /// [`GATE_AT`], when both were trained on `incivility`'s columns
    /// (`train --vocab-of`, by its content hash); `None` otherwise: another
    /// incivility model keeps its own scores.
    pub fn of(
        name: &'static str,
        gate: Model,
        expert: Model,
        incivility: &Model,
    ) -> Option<Domain> {
        let ours = |m: &Model| m.vocab_of_hash() == Some(incivility.hash.as_str());
        (ours(&gate) && ours(&expert)).then_some(Domain {
            name,
            gate,
            expert,
            at: GATE_AT,
            min_words: GATE_MIN_WORDS,
        })
    }

    /// Whether `text` has enough words for the gate to judge
    /// ([`GATE_MIN_WORDS`]); the gate's P need not be computed otherwise.
    pub fn may_take(&self, text: &str) -> bool {
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .take(self.min_words)
            .count()
            >= self.min_words
    }

    /// Whether `text`, whose gate probability is `p()`, is the expert's.
    pub fn takes(&self, text: &str, p: impl FnOnce() -> f64) -> bool {
        self.may_take(text) && p() >= self.at
    }

    /// The gate's and the expert's content hashes, named as their files
    /// (`github_gate`, `github_toxicity`).
    pub fn hashes(&self) -> [(String, &str); 2] {
        [
            (format!("{}_gate", self.name), self.gate.hash.as_str()),
            (format!("{}_toxicity", self.name), self.expert.hash.as_str()),
        ]
    }
}

/// The gate probability from which the built-in GitHub expert scores a
/// comment (chosen on a held-out quarter of the training splits among
/// 0.5, 0.7 and 0.9: model card, "The GitHub domain").
pub const GATE_AT: f64 = 0.7;

/// The words (whitespace-separated, with a letter) a comment
/// needs before the gate may route it: one or two words say too little of
/// where a text comes from (`lol`, `ok`, `+1` read as GitHub to the gate),
/// and the pooled model scores them as well (model card, "The GitHub
/// domain").
pub const GATE_MIN_WORDS: usize = 3;

/// The attribute heads, then the domain's gate and expert: the models
/// scored on the incivility model's columns beside it, in the stacked
/// table's order.
fn heads<'a>(
    attributes: &'a [(String, Model)],
    domain: Option<&'a Domain>,
) -> impl Iterator<Item = &'a Model> {
    let domain = domain.into_iter().flat_map(|d| [&d.gate, &d.expert]);
    attributes.iter().map(|a| &a.1).chain(domain)
}

/// The two models and the decision threshold.
pub struct Scorer {
    incivility: Model,
    stance: Option<Model>,
    /// Attribute heads (`INSULT`, ...), each a binary model over the same
    /// featurization as the incivility model.
    attributes: Vec<(String, Model)>,
    /// A domain scored by its own expert ([`Domain`]).
    domain: Option<Domain>,
    threshold: f64,
    explain: Explain,
    /// Whether stance decisions are explained at all (under `explain`).
    explain_stance: bool,
    top: usize,
    /// Both models featurize alike: texts are featurized once.
    shared: bool,
    /// Both models score from per-block sums ([`Model::side_sum`]).
    fused: bool,
    /// Texts are featurized without their character n-grams: no model
    /// reads them from the counts when scoring ([`Model::prepare_tokens`]).
    tokens_only: bool,
    /// The incivility model and every attribute head in one table, with
    /// their intercepts in its column order, when the heads were trained
    /// on the incivility model's columns ([`Model::stacks_with`]): a text's
    /// sums give all their margins for one lookup per n-gram. Only made
    /// when `fused` (hence `shared`: texts are prepared once), and only
    /// once the models are all added: on first use ([`Scorer::stack`]).
    stack: std::sync::OnceLock<Option<(Fused, Vec<f64>)>>,
    /// Whether the models can be read from one table (see `stack`).
    stackable: bool,
}

impl Scorer {
    /// Check the models' tasks and labels. `threshold` defaults to the
    /// incivility model's own (F1-best on its training data).
    pub fn new(
        incivility: Model,
        stance: Option<Model>,
        threshold: Option<f64>,
        explain: Explain,
        top: usize,
    ) -> Result<Scorer, AnalyzeError> {
        if incivility.task != Task::Incivility || incivility.labels.len() != 2 {
            return Err(AnalyzeError::Model(format!(
                "the incivility model is a {} model with {} labels",
                incivility.task,
                incivility.labels.len()
            )));
        }
        if let Some(s) = &stance {
            if s.task != Task::Stance || s.labels != STANCE_LABELS {
                return Err(AnalyzeError::Model(format!(
                    "the stance model must be a stance model with labels {STANCE_LABELS:?}, found a {} model with {:?}",
                    s.task, s.labels
                )));
            }
        }
        let threshold = threshold.unwrap_or(incivility.threshold);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(AnalyzeError::Model(format!(
                "threshold {threshold} is outside 0..1"
            )));
        }
        let mut scorer = Scorer {
            shared: false,
            fused: false,
            tokens_only: false,
            stack: Default::default(),
            stackable: false,
            incivility,
            stance,
            attributes: Vec::new(),
            domain: None,
            threshold,
            explain,
            explain_stance: true,
            top,
        };
        scorer.plan();
        Ok(scorer)
    }

    /// How texts are prepared, from the models: once for all of them when
    /// they featurize alike, scored from per-block sums when all can.
    fn plan(&mut self) {
        // Heads with the incivility model's embedding table (a copy in
        // each file) share its one copy, so a prepared comment's embedding
        // is computed once for all of them.
        if let Some(e) = self.incivility.featurizer.embedding.clone() {
            let domain = self
                .domain
                .iter_mut()
                .flat_map(|d| [&mut d.gate, &mut d.expert]);
            for m in self.attributes.iter_mut().map(|a| &mut a.1).chain(domain) {
                // Built-in heads already hold that copy (loaded on the
                // incivility model): no need to compare the tables.
                let same = m
                    .featurizer
                    .embedding
                    .as_ref()
                    .is_some_and(|x| std::sync::Arc::ptr_eq(x, &e) || **x == *e);
                if same {
                    m.featurizer.embedding = Some(e.clone());
                }
            }
        }
        let inc = &self.incivility;
        let heads: Vec<&Model> = heads(&self.attributes, self.domain.as_ref()).collect();
        let others = || self.stance.iter().chain(heads.iter().copied());
        let shared = others().all(|m| m.shares_featurizer(inc));
        let models = || std::iter::once(inc).chain(others());
        let fused = shared && models().all(Model::fusable);
        let tokens_only = fused && models().all(Model::scores_without_chars);
        let stackable = fused && !heads.is_empty() && heads.iter().all(|m| inc.stacks_with(m));
        (self.shared, self.fused, self.tokens_only, self.stackable) =
            (shared, fused, tokens_only, stackable);
        self.stack = Default::default();
    }

    /// The domain gate's column in the stacked table (the incivility
    /// model, then the heads, then the gate and the expert).
    fn gate_column(&self) -> usize {
        1 + self.attributes.len()
    }

    /// The stacked table and its intercepts (see `stack`), made on first
    /// use.
    fn stack(&self) -> Option<&(Fused, Vec<f64>)> {
        self.stack
            .get_or_init(|| {
                if !self.stackable {
                    return None;
                }
                // Incivility, then the heads, then the domain's gate and
                // expert: the table's column order.
                let heads = heads(&self.attributes, self.domain.as_ref());
                let experts: Vec<_> = std::iter::once(&self.incivility)
                    .chain(heads)
                    .map(Model::sole_expert)
                    .collect::<Option<_>>()?;
                // One vocabulary for all of them.
                let table = Fused::stacked(&self.incivility.vocab, &experts)?;
                let intercepts = experts
                    .iter()
                    .flat_map(|e| e.sparse.intercept.clone())
                    .collect();
                Some((table, intercepts))
            })
            .as_ref()
    }

    /// Score the comments `domain`'s gate recognises with its expert.
    /// Both must be binary models on the incivility model's columns
    /// ([`Model::stacks_with`]).
    pub fn with_domain(mut self, domain: Domain) -> Result<Scorer, AnalyzeError> {
        for (role, m) in [("gate", &domain.gate), ("expert", &domain.expert)] {
            if m.task != Task::Incivility || m.labels.len() != 2 || !self.incivility.stacks_with(m)
            {
                return Err(AnalyzeError::Model(format!(
                    "domain {}: its {role} is not a binary model on the incivility model's columns",
                    domain.name
                )));
            }
        }
        if !(0.0..=1.0).contains(&domain.at) {
            return Err(AnalyzeError::Model(format!(
                "domain {}: gate probability {} is outside 0..1",
                domain.name, domain.at
            )));
        }
        self.domain = Some(domain);
        self.plan();
        Ok(self)
    }

    /// The domain scored by its own expert, if any.
    pub fn domain(&self) -> Option<&Domain> {
        self.domain.as_ref()
    }

    /// Add attribute heads (name, binary model), scored beside incivility.
    pub fn with_attributes(
        mut self,
        attributes: Vec<(String, Model)>,
    ) -> Result<Scorer, AnalyzeError> {
        for (name, m) in &attributes {
            if m.task != Task::Incivility || m.labels.len() != 2 {
                return Err(AnalyzeError::Model(format!(
                    "attribute {name}: a binary model is needed, found a {} model with {} labels",
                    m.task,
                    m.labels.len()
                )));
            }
        }
        self.attributes = attributes;
        self.plan();
        Ok(self)
    }

    /// Names of the attribute heads, in the order of [`Scored::attributes`].
    pub fn attribute_names(&self) -> Vec<&str> {
        self.attributes.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The flag threshold (the model's own) of the attribute head `name`,
    /// in any case (`identity_attack`, `IDENTITY_ATTACK`).
    pub fn attribute_threshold(&self, name: &str) -> Option<f64> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m)| m.threshold)
    }

    /// Index of the attribute head `name` (`INSULT`, ...) in
    /// [`Scored::attributes`].
    pub fn attribute_index(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|(n, _)| n == name)
    }

    /// Content hashes of the attribute heads, in their order.
    pub fn attribute_hashes(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .map(|(_, m)| m.hash.as_str())
            .collect()
    }

    /// The top features behind attribute `i`'s score of `text`.
    pub fn explain_attribute(&self, i: usize, text: &str) -> Vec<Contribution> {
        self.attributes
            .get(i)
            .map(|(_, m)| m.explain(text, "", 1, self.top))
            .unwrap_or_default()
    }

    /// Leave stance decisions unexplained (the report shows only the
    /// incivility reasons; explaining costs more than scoring).
    pub fn without_stance_reasons(mut self) -> Scorer {
        self.explain_stance = false;
        self
    }

    /// The incivility threshold in use.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The top features behind `text`'s incivility score, whatever
    /// [`Explain`] says (for a caller that asks for them).
    pub fn explain_incivility(&self, text: &str) -> Vec<Contribution> {
        self.incivility_model(text).explain(text, "", 1, self.top)
    }

    /// The model that gives `text` its incivility: the domain's expert
    /// when its gate recognises the text, else the incivility model.
    fn incivility_model(&self, text: &str) -> &Model {
        match &self.domain {
            Some(d)
                if d.takes(text, || {
                    d.gate.score(text, "", &mut ScoreScratch::default())[1]
                }) =>
            {
                &d.expert
            }
            _ => &self.incivility,
        }
    }

    /// The top features behind the stance `label` (index into the stance
    /// labels) of `text` toward `parent`; empty without a stance model.
    pub fn explain_stance(&self, text: &str, parent: &str, label: usize) -> Vec<Contribution> {
        self.stance
            .as_ref()
            .map(|m| m.explain(text, parent, label, self.top))
            .unwrap_or_default()
    }

    /// The incivility model.
    pub fn incivility(&self) -> &Model {
        &self.incivility
    }

    /// Content hashes of the domain's gate and expert, named as their
    /// files ([`Domain::hashes`]); empty without a domain.
    pub fn domain_hashes(&self) -> Vec<(String, &str)> {
        self.domain.iter().flat_map(Domain::hashes).collect()
    }

    /// Content hashes of the models: `(incivility, stance)`.
    pub fn hashes(&self) -> (&str, Option<&str>) {
        (
            &self.incivility.hash,
            self.stance.as_ref().map(|m| m.hash.as_str()),
        )
    }

    /// P(uncivil) and each attribute head's P of a prepared text from the
    /// stacked table: one pass over its n-grams for all of them.
    fn score_stacked(
        &self,
        (table, intercepts): &(Fused, Vec<f64>),
        text: (&Prepared, &str),
        s: &mut ScoreScratch,
    ) -> (f64, Vec<f64>, bool) {
        let sum = self.incivility.side_sum_in(table, text.0, 0);
        let mut margins = [0.0; MAX_K];
        let margins = &mut margins[..table.k()];
        table.margins(intercepts, &[&sum], margins);
        let attributes = self
            .attributes
            .iter()
            .enumerate()
            .map(|(h, (_, m))| m.probs_from_margins(&margins[1 + h..2 + h], text, s)[1])
            .collect();
        // The domain's gate and expert follow the heads.
        let g = self.gate_column();
        if let Some(d) = &self.domain {
            if d.takes(text.1, || {
                d.gate.probs_from_margins(&margins[g..g + 1], text, s)[1]
            }) {
                let p = d.expert.probs_from_margins(&margins[g + 1..g + 2], text, s)[1];
                return (p, attributes, true);
            }
        }
        let incivility = self.incivility.probs_from_margins(&margins[..1], text, s)[1];
        (incivility, attributes, false)
    }

    /// P(uncivil) and each attribute head's P, model by model: from each
    /// model's own table (`fused`: every model has one and `p` is the
    /// prepared text), from the prepared text, or from the text.
    fn score_apart(
        &self,
        (p, fused): (Option<&Prepared>, bool),
        text: &str,
        s: &mut ScoreScratch,
    ) -> (f64, Vec<f64>, bool) {
        let one = |m: &Model, s: &mut ScoreScratch| match p {
            Some(p) if fused => {
                let sum = m.side_sum(p, 0).unwrap_or_default();
                m.score_sums((p, text, &sum), None, s)[1]
            }
            Some(p) => m.score_prepared(p, text, None, s)[1],
            None => m.score(text, "", s)[1],
        };
        let attributes = self.attributes.iter().map(|(_, m)| one(m, s)).collect();
        if let Some(d) = &self.domain {
            if d.takes(text, || one(&d.gate, s)) {
                return (one(&d.expert, s), attributes, true);
            }
        }
        (one(&self.incivility, s), attributes, false)
    }

    /// Scores of every node of a thread (`None` for placeholders and
    /// pingbacks: no person's text to score).
    pub fn score_thread(&self, t: &Thread, s: &mut ScoreScratch) -> Vec<Option<Scored>> {
        self.score_thread_explaining(t, s, self.explain)
    }

    /// [`Scorer::score_thread`] with its own choice of explanations (a
    /// server answers requests that ask for different ones).
    pub fn score_thread_explaining(
        &self,
        t: &Thread,
        s: &mut ScoreScratch,
        explain: Explain,
    ) -> Vec<Option<Scored>> {
        // Node by node in pre-order (a parent before its replies): each
        // text is featurized once when the models share the featurizer (it
        // serves the incivility score, the reply side of its own stance and
        // the parent side of its replies' stance), and its sums, scores and
        // explanations follow at once, while its table rows are in cache.
        let fused = self.fused;
        // The stacked table (only made when every model is fused, so the
        // texts are prepared).
        let stacked = self.stack();
        let stack = stacked.map(|t| &t.0);
        let mut prepared: Vec<Prepared> = Vec::new();
        // Stance side sums of each text as a parent (side 1), made when its
        // first reply is scored.
        let mut as_parent: Vec<Option<SideSum>> = Vec::new();
        if fused && self.stance.is_some() {
            as_parent.resize(t.nodes.len(), None);
        }
        let mut out = Vec::with_capacity(t.nodes.len());
        // Texts prepared with their character n-grams unless no model reads
        // them from the counts, and with their side of the stance pair
        // features when there is a stance model (made from the tokenizer's
        // split).
        let chars = !self.tokens_only && self.incivility.featurizer.config.char_ngrams;
        let how = (chars, self.stance.is_some());
        for (i, n) in t.nodes.iter().enumerate() {
            if self.shared {
                let mut p = s.pool.pop().unwrap_or_default();
                self.incivility.prepare_into(&n.rec.text, how, s, &mut p);
                prepared.push(p);
            }
            if matches!(n.rec.kind, Kind::Placeholder | Kind::Pingback) {
                out.push(None);
                continue;
            }
            let text: &str = &n.rec.text;
            let (incivility, attributes, routed) = match (stacked, prepared.get(i)) {
                (Some(st), Some(p)) => self.score_stacked(st, (p, text), s),
                _ => self.score_apart((prepared.get(i), fused), text, s),
            };
            let uncivil = incivility >= self.threshold;
            let attribute_reasons = self
                .attributes
                .iter()
                .zip(&attributes)
                .enumerate()
                .map(
                    |(h, ((_, m), &pa))| match (explain.wants(pa >= 0.5), prepared.get(i)) {
                        (false, _) => Vec::new(),
                        (true, Some(p)) => {
                            let table = stack.map(|t| (t, 1 + h));
                            m.explain_scored_in(table, (p, text), None, (1, self.top), s)
                        }
                        (true, None) => m.explain(text, "", 1, self.top),
                    },
                )
                .collect();
            // Explained right after scoring, as `explain_scored_in` expects.
            // By the model that gave the score (the domain's expert is the
            // table's last column).
            let (inc, col) = match &self.domain {
                Some(d) if routed => (&d.expert, self.gate_column() + 1),
                _ => (&self.incivility, 0),
            };
            let reasons = match (explain.wants(uncivil), prepared.get(i)) {
                (false, _) => Vec::new(),
                (true, Some(p)) => {
                    let table = stack.map(|t| (t, col));
                    inc.explain_scored_in(table, (p, text), None, (1, self.top), s)
                }
                (true, None) => inc.explain(text, "", 1, self.top),
            };
            let (stance, stance_label, stance_reasons) = match (&self.stance, n.parent) {
                (Some(m), Some(p)) if n.rec.kind == Kind::Comment => {
                    let parent = &t.nodes[p as usize].rec.text;
                    let j = p as usize;
                    let pair = prepared.get(i).zip(prepared.get(j));
                    let p = match pair {
                        Some((a, b)) if fused => {
                            let sa = m.side_sum(a, 0).unwrap_or_default();
                            let sb = *as_parent[j]
                                .get_or_insert_with(|| m.side_sum(b, 1).unwrap_or_default());
                            m.score_sums((a, text, &sa), Some((b, parent, &sb)), s)
                        }
                        Some((a, b)) => m.score_prepared(a, text, Some((b, parent)), s),
                        None => m.score(text, parent, s),
                    };
                    let label = m.decide(&p);
                    let explain = self.explain_stance && explain.wants(label != COMMENT);
                    let reasons = match (explain, pair) {
                        (false, _) => Vec::new(),
                        (true, Some((a, b))) => {
                            m.explain_scored(a, text, Some((b, parent)), label, self.top, s)
                        }
                        (true, None) => m.explain(text, parent, label, self.top),
                    };
                    (Some([p[0], p[1], p[2], p[3]]), Some(label), reasons)
                }
                // A source post (a root that opens a conversation: it has
                // replies): its stance toward what it asserts, by rule (no
                // probabilities). A lone text (a flat list of comments, a
                // request without context) gets none.
                (Some(m), None)
                    if n.rec.kind == Kind::Root
                        && !text.trim().is_empty()
                        && t.nodes
                            .get(i + 1)
                            .is_some_and(|c| c.parent == Some(i as u32)) =>
                {
                    (None, m.source_stance(text), Vec::new())
                }
                _ => (None, None, Vec::new()),
            };
            out.push(Some(Scored {
                incivility,
                attributes,
                domain: self.domain.as_ref().filter(|_| routed).map(|d| d.name),
                attribute_reasons,
                uncivil,
                stance,
                stance_label,
                reasons,
                stance_reasons,
            }));
        }
        // The buffers for the next thread (a thread's worth at most).
        s.pool.append(&mut prepared);
        out
    }

    /// Score every thread on all cores; `tick(comments)` is called as
    /// threads finish (for a progress bar). Order follows the forest.
    pub fn score_forest(
        &self,
        f: &Forest,
        tick: &(dyn Fn(u64) + Sync),
    ) -> Vec<Vec<Option<Scored>>> {
        self.score_forest_explaining(f, self.explain, tick)
    }

    /// [`Scorer::score_forest`] with its own choice of explanations.
    pub fn score_forest_explaining(
        &self,
        f: &Forest,
        explain: Explain,
        tick: &(dyn Fn(u64) + Sync),
    ) -> Vec<Vec<Option<Scored>>> {
        f.threads
            .par_iter()
            .map_init(ScoreScratch::default, |s, t| {
                let r = self.score_thread_explaining(t, s, explain);
                // Records read (placeholder roots were made up here).
                let made_up = t.nodes.iter().filter(|n| n.rec.kind == Kind::Placeholder);
                tick((t.nodes.len() - made_up.count()) as u64);
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::train::{fit_with_vocab, Example, Silent, TrainParams};
    use crate::features::{CharTf, FeatureConfig, Featurizer, Tokens};

    const BAD: [&str; 8] = [
        "you idiot",
        "shut up moron",
        "what a stupid idiot",
        "you are a moron",
        "idiots everywhere",
        "damn this is crap",
        "what the hell is this crap",
        "stupid damn idea",
    ];
    const GOOD: [&str; 8] = [
        "thanks for sharing",
        "i agree with this",
        "good point well made",
        "interesting article",
        "thanks, a good read",
        "i agree, well made point",
        "an interesting point",
        "sharing this article",
    ];

    /// A model on the toy texts, labelled by `positive`; on `vocab` when
    /// given, else on n-grams seen in `min_df` texts.
    fn toy(
        f: &Featurizer,
        (vocab, min_df): (Option<&crate::features::Vocab>, u32),
        positive: fn(&str) -> bool,
    ) -> Model {
        let texts: Vec<&str> = BAD.iter().chain(&GOOD).copied().collect();
        let ex: Vec<Example<'_>> = texts
            .iter()
            .map(|t| Example {
                text: t,
                parent: "",
                class: u32::from(positive(t)),
                weight: 1.0,
                source: 0,
            })
            .collect();
        let labels = vec!["0".into(), "1".into()];
        let p = TrainParams {
            min_df,
            ..Default::default()
        };
        fit_with_vocab(Task::Incivility, labels, f.clone(), vocab, &ex, &p, &Silent).unwrap()
    }

    fn forest() -> Forest {
        let mut jsonl = String::new();
        for (i, t) in BAD
            .iter()
            .chain(&GOOD)
            .chain(["a damn idiot, thanks"].iter())
            .enumerate()
        {
            let parent = if i % 4 == 0 {
                String::new()
            } else {
                format!("{}", i - 1)
            };
            jsonl.push_str(&format!(
                "{{\"id\":\"{i}\",\"parent_id\":\"{parent}\",\"thread_id\":\"t{}\",\"text\":\"{t}\"}}\n",
                i / 4
            ));
        }
        let input = crate::ingest::Input::Memory {
            name: "toy.jsonl".into(),
            bytes: jsonl.into_bytes().into(),
        };
        let opts = crate::ingest::ReadOptions::default();
        let mut diags = crate::diag::Diagnostics::new(false);
        let mut records = Vec::new();
        crate::ingest::read_inputs(&[input], &opts, &mut diags, &mut |r| records.push(r)).unwrap();
        crate::forest::build(records, &mut diags).unwrap()
    }

    /// A featurizer for the toy texts (linearly weighted character block).
    fn toy_featurizer() -> Featurizer {
        let texts = BAD.iter().chain(&GOOD).copied();
        let tokens = Tokens::train(texts, 200, 1).unwrap();
        let config = FeatureConfig {
            word_bits: 16,
            char_bits: 16,
            char_tf: CharTf::Linear,
            ..Default::default()
        };
        Featurizer::new(config, tokens).unwrap()
    }

    #[test]
    fn heads_on_the_incivility_columns_score_from_one_table_as_from_their_own() {
        let plain = toy_featurizer();
        // With and without an embedding table (heads take the base's).
        let table = crate::features::embed::table_for(&plain.tokens, 3, |p| {
            let h = p
                .bytes()
                .fold(7u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
            vec![(i16::from(h % 200) - 100) as i8, p.len().min(100) as i8, 1]
        });
        let embedded = plain.clone().with_embedding(table).unwrap();
        for f in [plain, embedded] {
            heads_stack_alike(&f);
        }
    }

    fn heads_stack_alike(f: &Featurizer) {
        let inc = toy(f, (None, 2), |t| BAD.contains(&t));
        let on_inc = (Some(&inc.vocab), 2);
        let insult = toy(f, on_inc, |t| t.contains("idiot") || t.contains("moron"));
        let profanity = toy(f, on_inc, |t| t.contains("damn") || t.contains("crap"));
        let own = toy(f, (None, 1), |t| t.contains("damn") || t.contains("crap"));
        assert!(inc.stacks_with(&insult) && inc.stacks_with(&profanity));
        assert!(!inc.stacks_with(&own), "a vocabulary of its own");
        let heads = vec![
            ("INSULT".to_string(), insult),
            ("PROFANITY".to_string(), profanity),
        ];
        let scorer = |heads: Vec<(String, Model)>| {
            Scorer::new(inc.clone(), None, None, Explain::All, 5)
                .unwrap()
                .with_attributes(heads)
                .unwrap()
        };
        let stacked = scorer(heads.clone());
        assert_eq!(stacked.stack().map(|t| t.0.k()), Some(3));
        let mut apart = scorer(heads);
        (apart.stackable, apart.stack) = (false, Default::default());
        let f = forest();
        let (a, b) = (
            stacked.score_forest(&f, &|_| {}),
            apart.score_forest(&f, &|_| {}),
        );
        // Bit for bit: probabilities and every explanation.
        assert_eq!(a, b);
        let scored: Vec<&Scored> = a.iter().flatten().flatten().collect();
        assert_eq!(scored.len(), 17);
        // Each head learned its own label: "you idiot" (first) is an
        // insult, "damn this is crap" (sixth) profane.
        let (idiot, crap) = (scored[0], scored[5]);
        assert!(
            idiot.attributes[0] > crap.attributes[0],
            "{idiot:?} {crap:?}"
        );
        assert!(
            idiot.attributes[1] < crap.attributes[1],
            "{idiot:?} {crap:?}"
        );
        assert!(scored
            .iter()
            .all(|s| s.attribute_reasons.iter().all(|r| !r.is_empty())));
        // A head with a vocabulary of its own is scored from its own table.
        let mixed = scorer(vec![("PROFANITY".to_string(), own)]);
        assert!(mixed.stack().is_none());
        assert_eq!(mixed.score_forest(&f, &|_| {}).len(), a.len());
    }

    #[test]
    fn a_domain_scores_what_its_gate_recognises_with_its_expert() {
        let f = toy_featurizer();
        let inc = toy(&f, (None, 2), |t| BAD.contains(&t));
        let on_inc = (Some(&inc.vocab), 2);
        // The "domain": texts about damn crap; its own label: idiots.
        let gate = toy(&f, on_inc, |t| t.contains("damn") || t.contains("crap"));
        let expert = toy(&f, on_inc, |t| t.contains("idiot"));
        let insult = toy(&f, on_inc, |t| t.contains("idiot") || t.contains("moron"));
        let own = toy(&f, (None, 1), |t| t.contains("idiot"));
        let domain = |expert: Model| Domain {
            name: "toy",
            gate: gate.clone(),
            expert,
            at: 0.5,
            min_words: 3,
        };
        let scorer = || {
            Scorer::new(inc.clone(), None, None, Explain::All, 5)
                .unwrap()
                .with_attributes(vec![("INSULT".to_string(), insult.clone())])
                .unwrap()
                .with_domain(domain(expert.clone()))
                .unwrap()
        };
        // An expert on columns of its own is refused.
        assert!(Scorer::new(inc.clone(), None, None, Explain::All, 5)
            .unwrap()
            .with_domain(domain(own))
            .is_err());
        let stacked = scorer();
        assert_eq!(stacked.stack().map(|t| t.0.k()), Some(4));
        let mut apart = scorer();
        (apart.stackable, apart.stack) = (false, Default::default());
        let forest = forest();
        let a = stacked.score_forest(&forest, &|_| {});
        assert_eq!(
            a,
            apart.score_forest(&forest, &|_| {}),
            "stacked = apart, bit for bit"
        );
        let mut s = ScoreScratch::default();
        let (mut routed, mut kept) = (0, 0);
        for (t, sc) in forest.threads.iter().zip(&a) {
            for (n, sc) in t.nodes.iter().zip(sc) {
                let (Some(sc), text) = (sc, &n.rec.text) else {
                    continue;
                };
                let g = gate.score(text, "", &mut s)[1];
                let words = text.split_whitespace().count();
                assert_eq!(
                    sc.domain,
                    (g >= 0.5 && words >= 3).then_some("toy"),
                    "{text}"
                );
                let by = if sc.domain.is_some() { &expert } else { &inc };
                let want = by.score(text, "", &mut s)[1];
                assert!(
                    (sc.incivility - want).abs() < 1e-6,
                    "{text}: {} {want} {:?}",
                    sc.incivility,
                    sc.domain
                );
                assert_eq!(sc.reasons, by.explain(text, "", 1, 5), "{text}");
                assert_eq!(stacked.explain_incivility(text), sc.reasons, "{text}");
                assert!((sc.attributes[0] - insult.score(text, "", &mut s)[1]).abs() < 1e-6);
                routed += usize::from(sc.domain.is_some());
                kept += usize::from(sc.domain.is_none());
            }
        }
        assert!(routed > 0 && kept > 0, "{routed} routed, {kept} kept");
        // A text of fewer than three words stays with the pooled model,
        // however sure the gate is.
        let d = stacked.domain().unwrap();
        assert!(gate.score("damn crap", "", &mut s)[1] >= 0.5);
        assert!(d.may_take("damn this crap") && !d.may_take("damn crap"));
        assert_eq!(
            stacked.explain_incivility("damn crap"),
            inc.explain("damn crap", "", 1, 5)
        );
        // Words need a letter: `+1`, `:)` and `!!` are not words.
        assert!(!d.may_take("+1 :) !! lol ok"));
        assert!(d.may_take("+1 this works fine"));
    }
}

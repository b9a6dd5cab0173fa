//! The report: per-thread metrics ([`super::dynamics`]), corpus aggregates
//! with bootstrap confidence intervals, incivility by depth, the score
//! histogram, and the moderation queue. Serialises to the JSON report; the
//! Markdown, HTML and CSV renderings in [`super::render`] read the same
//! struct, so all formats carry the same numbers.

use serde::{Deserialize, Serialize};

use super::dynamics::{thread_stats, Contagion, NodeInput, ThreadInput, ThreadStats};
use super::mergeable::{ExactSum, Participants, Replicates, Sums};
use super::score::Scored;
use crate::classify::data::STANCE_LABELS;
use crate::classify::Contribution;
use crate::forest::{Forest, Kind, Thread};

/// Bootstrap resamples for the corpus intervals.
pub const RESAMPLES: usize = 400;
/// Histogram bins over [0, 1].
pub const BINS: usize = 20;
/// A decided stance, one of [`STANCE_LABELS`] (an alias, so that serde's
/// derive does not take the `'static` for a borrow of the input).
pub type StanceLabel = Option<&'static str>;

/// A stance label read back from a partial report: one of [`STANCE_LABELS`].
fn de_stance<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => STANCE_LABELS
            .iter()
            .find(|l| **l == s)
            .map(|l| Some(*l))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown stance {s:?}"))),
    }
}

/// Depths shown separately in the by-depth table; deeper ones are pooled.
pub const DEPTHS: u32 = 15;

/// A value with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Point estimate.
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    pub low: f64,
    /// 97.5th percentile.
    pub high: f64,
}

/// Incivility at one depth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepthRow {
    /// Depth (top-level comments 1); the last row pools `DEPTHS` and deeper.
    pub depth: u32,
    /// Whether this row pools all deeper levels.
    pub and_deeper: bool,
    /// Comments at this depth.
    pub comments: u64,
    /// Mean P(uncivil).
    pub incivility_mean: f64,
    /// Share at or over the threshold.
    pub uncivil_share: f64,
}

/// Corpus-level aggregates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corpus {
    /// Threads (all of them; [`Report::threads`] may list fewer, the top
    /// [`ReportOptions::threads`] by attention).
    pub threads: u64,
    /// Comments.
    pub comments: u64,
    /// Threads with at least one comment at or over the threshold.
    pub threads_flagged: u64,
    /// Distinct known authors.
    pub participants: u64,
    /// Whether `participants` is a HyperLogLog estimate (over
    /// [`super::mergeable::EXACT_PARTICIPANTS`] distinct authors; about 0.8%
    /// standard error) rather than an exact count.
    pub participants_estimated: bool,
    /// Mean P(uncivil) over comments.
    pub incivility_mean: Interval,
    /// Comments at or over the threshold.
    pub uncivil: u64,
    /// Their share.
    pub uncivil_share: Interval,
    /// Pooled parent → reply counts.
    pub contagion: Contagion,
    /// P(uncivil | parent uncivil).
    pub p_after_uncivil: Option<Interval>,
    /// P(uncivil | parent civil).
    pub p_after_civil: Option<Interval>,
    /// Their ratio.
    pub lift: Option<Interval>,
    /// Replies per stance, in label order.
    pub stance_mix: [u64; 4],
    /// Stance labels, in order.
    pub stance_labels: [&'static str; 4],
    /// Mean structural virality over threads with at least one comment.
    pub structural_virality_mean: f64,
    /// Deepest comment.
    pub max_depth: u32,
    /// Branches with ≥ 3 comments.
    pub escalation_branches: u64,
    /// Share of them with rising incivility.
    pub escalation_share_rising: Option<f64>,
    /// Longest disagreement chain anywhere.
    pub longest_disagreement_chain: u32,
    /// Threads with a disagreement chain of 3 or more.
    pub threads_with_chain_3: u64,
    /// Flame dyads over all threads.
    pub flame_dyads: u64,
    /// How the intervals were computed.
    pub interval_method: String,
}

impl Corpus {
    /// The participants as shown: `≈` before an estimate.
    pub fn participants_shown(&self) -> String {
        let about = if self.participants_estimated {
            "≈"
        } else {
            ""
        };
        format!("{about}{}", self.participants)
    }
}

/// One comment in the moderation queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    /// 1-based rank.
    pub rank: u64,
    /// Thread id.
    pub thread: String,
    /// Comment id.
    pub id: String,
    /// Author.
    pub author: Option<String>,
    /// Depth.
    pub depth: u32,
    /// P(uncivil).
    pub incivility: f64,
    /// Stance toward the parent.
    #[serde(deserialize_with = "de_stance")]
    pub stance: StanceLabel,
    /// Top features behind the score.
    pub reasons: Vec<Contribution>,
    /// The comment (truncated to [`SNIPPET`] characters).
    pub text: String,
    /// Its parent's text (truncated).
    pub parent_text: String,
    /// `file:line` of the record.
    pub source: String,
    /// The thread's attention score.
    pub thread_attention: f64,
    /// P of each attribute head (`insult`, ...), when scored with them.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, f64>,
    /// The domain whose model gave `incivility` (`github`), when not the
    /// incivility model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// Characters kept of a comment in the queue.
pub const SNIPPET: usize = 400;

/// One node for the HTML tree view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeNode {
    /// Id.
    pub id: String,
    /// Parent index in the thread's node list.
    pub parent: Option<usize>,
    /// Depth.
    pub depth: u32,
    /// Author.
    pub author: Option<String>,
    /// P(uncivil) (`None` for placeholders and pingbacks).
    pub incivility: Option<f64>,
    /// Stance toward the parent.
    #[serde(deserialize_with = "de_stance")]
    pub stance: StanceLabel,
    /// Text (up to [`TREE_TEXT`] characters).
    pub text: String,
    /// At or over the incivility threshold (a moderation queue item).
    pub flagged: bool,
    /// The domain whose model gave `incivility` (`github`), when not the
    /// pooled model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// Characters kept of a comment in a tree (the HTML shows the first lines
/// and the rest on demand).
pub const TREE_TEXT: usize = 2000;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `threadlens <version>`.
    pub created_by: String,
    /// Model content hashes.
    pub models: Models,
    /// Incivility threshold used.
    pub threshold: f64,
    /// Attribute heads scored (`insult`, ...), in the models' order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// What the queue is sorted by: `incivility` or an attribute.
    pub queue_sort: String,
    /// The threshold of the queue's flag: the incivility threshold, or
    /// with a `--queue-sort` head, that head's (the queue then holds the
    /// comments at or over it).
    pub queue_threshold: f64,
    /// Corpus aggregates.
    pub corpus: Corpus,
    /// Incivility by depth.
    pub by_depth: Vec<DepthRow>,
    /// Counts of P(uncivil) in [`BINS`] equal bins over [0, 1].
    pub histogram: Vec<u64>,
    /// Threads ranked by attention (ties: more comments first, then id).
    pub threads: Vec<ThreadStats>,
    /// Comments at or over the queue's threshold ([`Report::queue_threshold`]).
    pub queue_total: u64,
    /// The first of them ([`ReportOptions::queue`]), most uncivil first.
    pub queue: Vec<QueueItem>,
    /// Trees for the HTML view (not in the JSON), in thread rank order: the
    /// top [`ReportOptions::trees`] threads by attention and the threads of
    /// the first [`ReportOptions::queue_trees`] queue items.
    #[serde(skip)]
    pub trees: Vec<(String, Vec<TreeNode>)>,
}

/// Content hashes of the models used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Models {
    /// Incivility model SHA-256.
    pub incivility: String,
    /// Stance model SHA-256 (absent when scored without one).
    pub stance: Option<String>,
}

/// Report settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Incivility threshold.
    pub threshold: f64,
    /// Threads whose trees are kept for the HTML view.
    pub trees: usize,
    /// Nodes kept per tree, in reading order (the flagged comments and
    /// their ancestors are kept besides, up to as many again).
    pub tree_nodes: usize,
    /// The threads of the first N queue items keep their trees too, so each
    /// queue row shown links to its comment in context.
    pub queue_trees: usize,
    /// Nodes kept in reading order of a tree kept only for the queue
    /// (besides its flagged comments and their ancestors).
    pub queue_tree_nodes: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Queue items kept (`None`: all).
    pub queue: Option<usize>,
    /// Threads listed, the top N by attention (`None`: all). Every corpus
    /// number covers all threads either way.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Names of the attribute heads in the scores (`insult`, ...), in the
    /// order of [`Scored::attributes`].
    pub attributes: Vec<String>,
    /// Sort (and keep the top of) the queue by this attribute instead of
    /// P(uncivil); one of `attributes`.
    pub queue_sort: Option<String>,
    /// With [`Self::queue_sort`]: that head's flag threshold. The queue then
    /// holds the comments at or over it instead of those at or over the
    /// incivility threshold, so an identity attack that the incivility
    /// model passes is still queued when the queue is by `identity_attack`.
    /// `None`: the incivility flag, whatever the sort.
    #[serde(default)]
    pub queue_sort_threshold: Option<f64>,
}

impl ReportOptions {
    /// When the queue is by a head ([`Self::queue_sort`] with
    /// [`Self::queue_sort_threshold`]): the head's index in `attributes`
    /// (`None` if it is not among them: nothing is queued) and its threshold.
    fn queue_head(&self) -> Option<(Option<usize>, f64)> {
        let t = self.queue_sort_threshold?;
        let head = self.queue_sort.as_ref()?;
        Some((self.attributes.iter().position(|a| a == head), t))
    }

    /// Whether a scored comment belongs in the moderation queue (and is
    /// marked as flagged in the trees drawn): at or over the queue head's
    /// threshold when the queue is by a head, else flagged uncivil.
    pub fn queued(&self, s: &Scored) -> bool {
        match self.queue_head() {
            Some((i, t)) => i.and_then(|i| s.attributes.get(i)).is_some_and(|&p| p >= t),
            None => s.uncivil,
        }
    }

    /// The threshold of the queue's flag: the queue head's, or incivility's.
    pub fn queue_threshold(&self) -> f64 {
        self.queue_head().map_or(self.threshold, |(_, t)| t)
    }
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            threshold: 0.5,
            trees: 25,
            tree_nodes: 400,
            queue_trees: 200,
            queue_tree_nodes: 40,
            seed: 20261122,
            queue: None,
            threads: None,
            attributes: Vec::new(),
            queue_sort: None,
            queue_sort_threshold: None,
        }
    }
}

/// The queue's sort key named `name`: `None` for P(uncivil) (`incivility`
/// or `toxicity`), else one of `attributes`; otherwise the choices, as
/// `"name": expected incivility, insult, ...`.
pub fn queue_sort(name: &str, attributes: &[String]) -> Result<Option<String>, String> {
    match name {
        "incivility" | "toxicity" => Ok(None),
        n if attributes.iter().any(|a| a == n) => Ok(Some(n.to_string())),
        n => Err(format!(
            "{n:?}: expected incivility{}",
            attributes
                .iter()
                .map(|a| format!(", {a}"))
                .collect::<String>()
        )),
    }
}

/// Threshold at which an attribute counts toward a thread's tally.
pub const ATTRIBUTE_THRESHOLD: f64 = 0.5;

/// Truncate to `n` characters, marking the cut.
pub fn snippet(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// A comment's decided stance toward its parent. Roots keep none in the
/// report: theirs ([`Scored::stance_label`]) is toward what they assert.
fn reply_stance(n: &crate::forest::Node, s: &Option<Scored>) -> Option<usize> {
    s.as_ref()
        .filter(|_| n.rec.kind == Kind::Comment)
        .and_then(|s| s.stance_label)
}

/// The metrics' view of a scored thread.
pub fn thread_input(t: &Thread, scores: &[Option<Scored>]) -> ThreadInput {
    let title = t
        .nodes
        .first()
        .filter(|n| n.rec.kind == Kind::Root)
        .and_then(|n| n.rec.text.lines().map(str::trim).find(|l| !l.is_empty()))
        .map_or_else(String::new, |l| snippet(l, 120));
    ThreadInput {
        id: t.id.to_string(),
        title,
        nodes: t
            .nodes
            .iter()
            .zip(scores)
            .map(|(n, s)| NodeInput {
                id: n.rec.id.to_string(),
                parent: n.parent.map(|p| p as usize),
                depth: n.depth,
                author: n.rec.author.as_ref().map(|a| a.to_string()),
                created: n.rec.created,
                comment: n.rec.kind == Kind::Comment && s.is_some(),
                incivility: s.as_ref().map_or(0.0, |s| s.incivility),
                stance: reply_stance(n, s),
            })
            .collect(),
    }
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i]
}

/// The report of a scored forest (all at once; [`ReportBuilder`] takes
/// threads one batch at a time).
pub fn build_report(
    forest: &Forest,
    scores: &[Vec<Option<Scored>>],
    models: Models,
    opt: &ReportOptions,
) -> Report {
    let mut b = ReportBuilder::new(models, opt.clone());
    b.add_forest(forest, scores);
    b.finish()
}

/// Thread ranking: attention, then more comments, then id.
fn rank_cmp(x: &ThreadStats, y: &ThreadStats) -> std::cmp::Ordering {
    y.attention
        .total_cmp(&x.attention)
        .then(y.comments.cmp(&x.comments))
        .then(x.id.cmp(&y.id))
}

/// Queue order: highest `by` attribute first (when one is named), then
/// most uncivil, the thread's attention, thread, id.
fn queue_cmp(by: Option<&str>, a: &QueueItem, b: &QueueItem) -> std::cmp::Ordering {
    let attr = |q: &QueueItem| by.and_then(|k| q.attributes.get(k)).copied().unwrap_or(0.0);
    attr(b)
        .total_cmp(&attr(a))
        .then(b.incivility.total_cmp(&a.incivility))
        .then(b.thread_attention.total_cmp(&a.thread_attention))
        .then(a.thread.cmp(&b.thread))
        .then(a.id.cmp(&b.id))
}

/// Keep the `n` first of `v` in `cmp` order once it holds over `2n`
/// (amortised top-n; `None` keeps all).
fn prune<T>(v: &mut Vec<T>, n: Option<usize>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if let Some(n) = n {
        if v.len() > 2 * n.max(16) {
            v.sort_by(&cmp);
            v.truncate(n);
        }
    }
}

/// The nodes of `t` drawn in its tree: the first `first` in reading order,
/// and each flagged comment after them with its ancestors (up to `first`
/// more nodes), parents re-indexed into the kept list. Pre-order is kept,
/// and every kept node's parent is kept before it.
fn tree_nodes(
    t: &Thread,
    sc: &[Option<Scored>],
    first: usize,
    queued: impl Fn(&Scored) -> bool,
) -> Vec<TreeNode> {
    let n = t.nodes.len();
    let flagged = |i: usize| {
        t.nodes[i].rec.kind == Kind::Comment
            && sc.get(i).and_then(|s| s.as_ref()).is_some_and(&queued)
    };
    let mut keep = vec![false; n];
    for k in keep.iter_mut().take(first) {
        *k = true;
    }
    let mut extra = 0usize;
    for i in first.min(n)..n {
        if extra >= first {
            break;
        }
        if !flagged(i) {
            continue;
        }
        // Its path up to a kept node, if it fits in what is left (the walk
        // stops there, so a deep chain costs at most `first` steps here).
        let left = first - extra;
        let mut path = Vec::new();
        let mut j = Some(i);
        while let Some(k) = j.filter(|&k| !keep[k]) {
            if path.len() == left {
                path.clear();
                break;
            }
            path.push(k);
            j = t.nodes[k].parent.map(|p| p as usize);
        }
        extra += path.len();
        for k in path {
            keep[k] = true;
        }
    }
    let mut at = vec![usize::MAX; n];
    let mut out = Vec::new();
    for (i, (node, s)) in t.nodes.iter().zip(sc).enumerate() {
        if !keep[i] {
            continue;
        }
        at[i] = out.len();
        out.push(TreeNode {
            id: node.rec.id.to_string(),
            parent: node
                .parent
                .map(|p| at[p as usize])
                .filter(|&p| p != usize::MAX),
            depth: node.depth,
            author: node.rec.author.as_ref().map(|a| a.to_string()),
            incivility: s.as_ref().map(|s| s.incivility),
            stance: reply_stance(node, s).map(super::dynamics::stance_name),
            text: snippet(&node.rec.text, TREE_TEXT),
            flagged: flagged(i),
            domain: s.as_ref().and_then(|s| s.domain).map(str::to_string),
        });
    }
    out
}

/// Why two partial reports cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Made with different report options (threshold, queue size, ...).
    #[error("the partial reports were made with different options (threshold, --queue, --trees, --json-threads, --queue-sort, attribute heads)")]
    Options,
    /// Made with different models.
    #[error("the partial reports were made with different models")]
    Models,
}

/// Scalars over all threads (kept when the thread list is cut).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ThreadAgg {
    threads: u64,
    flagged: u64,
    max_depth: u32,
    longest_chain: u32,
    chain_3: u64,
    flame_dyads: u64,
}

impl ThreadAgg {
    fn add(&mut self, t: &ThreadStats) {
        self.merge(&ThreadAgg {
            threads: 1,
            flagged: u64::from(t.uncivil > 0),
            max_depth: t.max_depth,
            longest_chain: t.longest_disagreement_chain,
            chain_3: u64::from(t.longest_disagreement_chain >= 3),
            flame_dyads: t.flame_dyads.len() as u64,
        });
    }

    fn merge(&mut self, o: &ThreadAgg) {
        self.threads += o.threads;
        self.flagged += o.flagged;
        self.max_depth = self.max_depth.max(o.max_depth);
        self.longest_chain = self.longest_chain.max(o.longest_chain);
        self.chain_3 += o.chain_3;
        self.flame_dyads += o.flame_dyads;
    }
}

/// Builds a [`Report`] from scored threads added in input order. Memory
/// holds the metrics of the top [`ReportOptions::threads`] threads (or of
/// all), exact totals and the bootstrap's resamples
/// ([`super::mergeable`]: a few tens of KB whatever the number of
/// threads), the participants (a 64-bit hash each up to
/// [`super::mergeable::EXACT_PARTICIPANTS`], then a 16 KB sketch), the
/// queue (its top [`ReportOptions::queue`] items, or all of it) and the
/// trees of the current top threads: not the comments of the dump. With
/// the thread list and the queue cut, it is bounded.
///
/// It serialises (`report --partial`) and builders of disjoint sets of
/// threads [`merge`](ReportBuilder::merge) into the builder of their union:
/// the report is the same, byte for byte, however the threads were split.
#[derive(Serialize, Deserialize)]
pub struct ReportBuilder {
    opt: ReportOptions,
    models: Models,
    /// The top threads by attention ([`ReportOptions::threads`]).
    threads: Vec<ThreadStats>,
    /// Scalars over all threads.
    agg: ThreadAgg,
    /// Exact totals over all threads.
    total: Sums,
    /// The bootstrap's resamples.
    boot: Replicates,
    hist: Vec<u64>,
    /// Per depth: comments, Σ P(uncivil), uncivil.
    depth: Vec<(u64, ExactSum, u64)>,
    authors: Participants,
    contagion: Contagion,
    stance_mix: [u64; 4],
    /// Escalation: branches, rising branches.
    esc: (u64, u64),
    /// Σ structural virality, threads with comments.
    virality: (ExactSum, u64),
    queue: Vec<QueueItem>,
    queue_total: u64,
    /// Candidate trees: the thread's stats (for ranking) and nodes.
    trees: Vec<(ThreadStats, Vec<TreeNode>)>,
    /// Candidate trees for the queue: the thread's first queue item (for
    /// ranking), its stats and nodes.
    queue_trees: Vec<(QueueItem, ThreadStats, Vec<TreeNode>)>,
}

impl ReportBuilder {
    /// An empty report.
    pub fn new(models: Models, opt: ReportOptions) -> ReportBuilder {
        ReportBuilder {
            models,
            threads: Vec::new(),
            agg: ThreadAgg::default(),
            total: Sums::default(),
            boot: Replicates::new(RESAMPLES, opt.seed),
            hist: vec![0u64; BINS],
            depth: vec![(0u64, ExactSum::default(), 0u64); DEPTHS as usize + 1],
            authors: Default::default(),
            contagion: Contagion::default(),
            stance_mix: [0; 4],
            esc: (0, 0),
            virality: (ExactSum::default(), 0),
            queue: Vec::new(),
            queue_total: 0,
            trees: Vec::new(),
            queue_trees: Vec::new(),
            opt,
        }
    }

    /// Add every thread of a scored forest.
    pub fn add_forest(&mut self, forest: &Forest, scores: &[Vec<Option<Scored>>]) {
        for (t, sc) in forest.threads.iter().zip(scores) {
            self.add_thread(t, sc);
        }
    }

    /// Add one scored thread.
    pub fn add_thread(&mut self, t: &Thread, sc: &[Option<Scored>]) {
        let th = self.opt.threshold;
        let input = thread_input(t, sc);
        let mut st = thread_stats(&input, th);
        if !self.opt.attributes.is_empty() {
            // Comments at or over the threshold per head, in one pass.
            let mut over = vec![0u64; self.opt.attributes.len()];
            for (n, s) in t.nodes.iter().zip(sc) {
                let Some(s) = s.as_ref().filter(|_| n.rec.kind == Kind::Comment) else {
                    continue;
                };
                for (o, &p) in over.iter_mut().zip(&s.attributes) {
                    *o += u64::from(p >= ATTRIBUTE_THRESHOLD);
                }
            }
            st.attributes = self.opt.attributes.iter().cloned().zip(over).collect();
        }
        let mut s = Sums {
            n: st.comments,
            u: st.uncivil,
            c: [
                st.contagion.after_uncivil,
                st.contagion.uncivil_after_uncivil,
                st.contagion.after_civil,
                st.contagion.uncivil_after_civil,
            ],
            ..Default::default()
        };
        for n in input.nodes.iter().filter(|n| n.comment) {
            s.p.add(n.incivility);
            let b = ((n.incivility * BINS as f64) as usize).min(BINS - 1);
            self.hist[b] += 1;
            let d = &mut self.depth[n.depth.clamp(1, DEPTHS) as usize];
            d.0 += 1;
            d.1.add(n.incivility);
            d.2 += u64::from(n.incivility >= th);
        }
        for n in &t.nodes {
            if n.rec.kind == Kind::Comment {
                if let Some(a) = &n.rec.author {
                    self.authors
                        .insert(xxhash_rust::xxh3::xxh3_64(a.as_bytes()));
                }
            }
        }
        self.contagion.add(&st.contagion);
        for (m, v) in self.stance_mix.iter_mut().zip(st.stance_mix) {
            *m += v;
        }
        self.esc.0 += st.escalation.branches;
        // share × branches is a whole number of branches.
        self.esc.1 += (st.escalation.share_rising.unwrap_or(0.0) * st.escalation.branches as f64)
            .round() as u64;
        if st.comments > 0 {
            self.virality.0.add(st.structural_virality);
            self.virality.1 += 1;
        }
        let queued = self.queue.len();
        for (i, (n, s)) in t.nodes.iter().zip(sc).enumerate() {
            let Some(s) = s else { continue };
            if n.rec.kind != Kind::Comment || !self.opt.queued(s) {
                continue;
            }
            self.queue_total += 1;
            let parent = n.parent.map_or("", |p| &*t.nodes[p as usize].rec.text);
            self.queue.push(QueueItem {
                rank: 0,
                thread: t.id.to_string(),
                id: n.rec.id.to_string(),
                author: n.rec.author.as_ref().map(|a| a.to_string()),
                depth: n.depth,
                incivility: s.incivility,
                stance: s.stance_label.map(super::dynamics::stance_name),
                reasons: s
                    .reasons
                    .iter()
                    .filter(|c| c.weight > 0.0)
                    .cloned()
                    .collect(),
                text: snippet(&t.nodes[i].rec.text, SNIPPET),
                parent_text: snippet(parent, SNIPPET / 2),
                source: n.rec.source.to_string(),
                thread_attention: st.attention,
                attributes: self
                    .opt
                    .attributes
                    .iter()
                    .cloned()
                    .zip(s.attributes.iter().copied())
                    .collect(),
                domain: s.domain.map(str::to_string),
            });
        }
        let by = self.opt.queue_sort.as_deref();
        if self.opt.queue_trees > 0 {
            let first = self.queue[queued..]
                .iter()
                .min_by(|a, b| queue_cmp(by, a, b))
                .cloned();
            if let Some(first) = first {
                let nodes = tree_nodes(t, sc, self.opt.queue_tree_nodes, |s| self.opt.queued(s));
                self.queue_trees.push((first, st.clone(), nodes));
            }
        }
        if self.opt.trees > 0 {
            let nodes = tree_nodes(t, sc, self.opt.tree_nodes, |s| self.opt.queued(s));
            self.trees.push((st.clone(), nodes));
        }
        self.total.add(&s);
        self.boot.add(&st.id, &s);
        self.agg.add(&st);
        self.threads.push(st);
        self.prune_candidates();
    }

    /// Keep the queue, tree and queue-tree candidates bounded (amortised
    /// top-n by the order [`ReportBuilder::finish`] ranks them in).
    fn prune_candidates(&mut self) {
        let by = self.opt.queue_sort.as_deref();
        prune(&mut self.threads, self.opt.threads, rank_cmp);
        prune(&mut self.queue, self.opt.queue, |a, b| queue_cmp(by, a, b));
        prune(&mut self.trees, Some(self.opt.trees), |a, b| {
            rank_cmp(&a.0, &b.0)
        });
        prune(&mut self.queue_trees, Some(self.opt.queue_trees), |a, b| {
            queue_cmp(by, &a.0, &b.0)
        });
    }

    /// Fold in the builder of another, disjoint set of threads made with
    /// the same options and models. Associative and commutative: the
    /// report of merged builders does not depend on how the threads were
    /// split or in which order the parts are merged.
    pub fn merge(&mut self, other: ReportBuilder) -> Result<(), MergeError> {
        if self.opt != other.opt {
            return Err(MergeError::Options);
        }
        if self.models != other.models {
            return Err(MergeError::Models);
        }
        self.threads.extend(other.threads);
        self.agg.merge(&other.agg);
        self.total.add(&other.total);
        self.boot.merge(&other.boot);
        for (a, b) in self.hist.iter_mut().zip(other.hist) {
            *a += b;
        }
        for (a, b) in self.depth.iter_mut().zip(other.depth) {
            a.0 += b.0;
            a.1 .0 += b.1 .0;
            a.2 += b.2;
        }
        self.authors.merge(other.authors);
        self.contagion.add(&other.contagion);
        for (a, b) in self.stance_mix.iter_mut().zip(other.stance_mix) {
            *a += b;
        }
        self.esc.0 += other.esc.0;
        self.esc.1 += other.esc.1;
        self.virality.0 .0 += other.virality.0 .0;
        self.virality.1 += other.virality.1;
        self.queue_total += other.queue_total;
        self.queue.extend(other.queue);
        self.trees.extend(other.trees);
        self.queue_trees.extend(other.queue_trees);
        self.prune_candidates();
        Ok(())
    }

    /// The report.
    pub fn finish(self) -> Report {
        let ReportBuilder {
            opt,
            models,
            mut threads,
            agg,
            total,
            boot,
            hist,
            depth,
            authors,
            contagion,
            stance_mix,
            esc: (esc_branches, esc_rising),
            virality,
            mut queue,
            queue_total,
            mut trees,
            queue_trees,
        } = self;
        let point = total.stats();
        let (participants, participants_estimated) = authors.count();
        let mut boot = boot.stats();
        let iv = |k: usize, boot: &mut [Vec<f64>; 5]| -> Option<Interval> {
            let v = point[k]?;
            let b = &mut boot[k];
            if b.is_empty() {
                return Some(Interval {
                    value: v,
                    low: v,
                    high: v,
                });
            }
            Some(Interval {
                value: v,
                low: percentile(b, 0.025),
                high: percentile(b, 0.975),
            })
        };
        let zero = Interval {
            value: 0.0,
            low: 0.0,
            high: 0.0,
        };
        let corpus = Corpus {
            threads: agg.threads,
            threads_flagged: agg.flagged,
            comments: total.n,
            participants,
            participants_estimated,
            incivility_mean: iv(0, &mut boot).unwrap_or(zero),
            uncivil: total.u,
            uncivil_share: iv(1, &mut boot).unwrap_or(zero),
            contagion,
            p_after_uncivil: iv(2, &mut boot),
            p_after_civil: iv(3, &mut boot),
            lift: iv(4, &mut boot),
            stance_mix,
            stance_labels: STANCE_LABELS,
            structural_virality_mean: if virality.1 > 0 {
                virality.0.get() / virality.1 as f64
            } else {
                0.0
            },
            max_depth: agg.max_depth,
            escalation_branches: esc_branches,
            escalation_share_rising: (esc_branches > 0)
                .then(|| esc_rising as f64 / esc_branches as f64),
            longest_disagreement_chain: agg.longest_chain,
            threads_with_chain_3: agg.chain_3,
            flame_dyads: agg.flame_dyads,
            interval_method: format!(
                "95% percentile Poisson bootstrap over threads ({RESAMPLES} resamples, seed {})",
                opt.seed
            ),
        };
        let by_depth = depth
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, d)| d.0 > 0)
            .map(|(k, d)| DepthRow {
                depth: k as u32,
                and_deeper: k as u32 == DEPTHS,
                comments: d.0,
                incivility_mean: d.1.get() / d.0 as f64,
                uncivil_share: d.2 as f64 / d.0 as f64,
            })
            .collect();
        // Stable sorts: equal keys keep input order, as before.
        threads.sort_by(rank_cmp);
        if let Some(n) = opt.threads {
            threads.truncate(n);
        }
        queue.sort_by(|a, b| queue_cmp(opt.queue_sort.as_deref(), a, b));
        if let Some(n) = opt.queue {
            queue.truncate(n);
        }
        for (r, q) in queue.iter_mut().enumerate() {
            q.rank = r as u64 + 1;
        }
        trees.sort_by(|a, b| rank_cmp(&a.0, &b.0));
        trees.truncate(opt.trees);
        // The threads of the queue rows shown that are not among the top.
        let shown: std::collections::HashSet<&str> = queue
            .iter()
            .take(opt.queue_trees)
            .map(|q| q.thread.as_str())
            .collect();
        let mut have: std::collections::HashSet<String> =
            trees.iter().map(|t| t.0.id.clone()).collect();
        for (_, st, nodes) in queue_trees {
            if shown.contains(st.id.as_str()) && have.insert(st.id.clone()) {
                trees.push((st, nodes));
            }
        }
        trees.sort_by(|a, b| rank_cmp(&a.0, &b.0));
        let trees = trees
            .into_iter()
            .map(|(st, nodes)| (st.id, nodes))
            .collect();
        Report {
            created_by: format!("threadlens {}", env!("CARGO_PKG_VERSION")),
            models,
            threshold: opt.threshold,
            queue_sort: opt
                .queue_sort
                .clone()
                .unwrap_or_else(|| "incivility".into()),
            queue_threshold: opt.queue_threshold(),
            attributes: opt.attributes,
            corpus,
            by_depth,
            histogram: hist,
            threads,
            queue_total,
            queue,
            trees,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, SourceLoc};
    use crate::forest::{build, RawComment};

    /// A small thread with authors and hand-set scores:
    ///
    /// ```text
    /// art (root)
    /// ├── c1 ann 0.10 comment
    /// │   ├── c2 bob 0.80 disagree
    /// │   │   └── c3 ann 0.90 disagree
    /// │   │       └── c4 bob 0.70 disagree
    /// │   └── c5 cat 0.20 agree
    /// └── c6 dan 0.05 query
    /// ```
    fn fixture() -> (Forest, Vec<Vec<Option<Scored>>>) {
        let spec: &[(&str, Option<&str>, &str, f64, usize)] = &[
            ("art", None, "", 0.0, 0),
            ("c1", Some("art"), "ann", 0.10, 3),
            ("c2", Some("c1"), "bob", 0.80, 1),
            ("c3", Some("c2"), "ann", 0.90, 1),
            ("c4", Some("c3"), "bob", 0.70, 1),
            ("c5", Some("c1"), "cat", 0.20, 0),
            ("c6", Some("art"), "dan", 0.05, 2),
        ];
        let file: std::sync::Arc<str> = "fixture.jsonl".into();
        let recs: Vec<RawComment> = spec
            .iter()
            .enumerate()
            .map(|(i, &(id, parent, author, _, _))| {
                let mut r = RawComment::new(
                    id,
                    format!("text of {id}"),
                    SourceLoc::new(file.clone(), i as u64 + 1),
                );
                r.thread = Some("art".into());
                if parent.is_none() {
                    r.text = "Council closes the library\n\nBody.".into();
                }
                r.parent = parent.map(Into::into);
                r.author = (!author.is_empty()).then(|| author.into());
                r.created = Some(1000 + i as i64);
                if parent.is_none() {
                    r.kind = Kind::Root;
                }
                r
            })
            .collect();
        let forest = build(recs, &mut Diagnostics::new(false)).unwrap();
        let t = &forest.threads[0];
        let scores = vec![t
            .nodes
            .iter()
            .map(|n| {
                let &(_, parent, _, p, s) = spec.iter().find(|x| x.0 == n.rec.id.as_str()).unwrap();
                Some(Scored {
                    incivility: p,
                    attributes: Vec::new(),
                    domain: None,
                    uncivil: p >= 0.5,
                    stance: parent.map(|_| {
                        let mut v = [0.1; 4];
                        v[s] = 0.7;
                        v
                    }),
                    stance_label: parent.map(|_| s),
                    reasons: Vec::new(),
                    attribute_reasons: Vec::new(),
                    stance_reasons: Vec::new(),
                })
            })
            .collect()];
        (forest, scores)
    }

    #[test]
    fn exact_sums_do_not_depend_on_the_order_of_their_terms() {
        assert_ne!((0.1 + 0.2) + 0.3, (0.3 + 0.2) + 0.1, "floats do");
        let xs: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 10_007) as f64 / 10_007.0)
            .collect();
        let sum = |v: &mut dyn Iterator<Item = &f64>| {
            let mut s = ExactSum::default();
            v.for_each(|&x| s.add(x));
            s.get()
        };
        let fwd = sum(&mut xs.iter());
        assert_eq!(fwd.to_bits(), sum(&mut xs.iter().rev()).to_bits());
        let mut shuffled = xs.clone();
        shuffled.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(fwd.to_bits(), sum(&mut shuffled.iter()).to_bits());
        assert!((fwd - xs.iter().sum::<f64>()).abs() < 1e-9);
        let mut s = ExactSum::default();
        [0.1, 0.2, 0.3].iter().for_each(|&x| s.add(x));
        assert_eq!(s.get(), 0.6);
        let mut big = ExactSum::default();
        big.add(12_345.678);
        big.add(0.9);
        assert_eq!(big.get(), 12_345.678 + 0.9);
    }

    #[test]
    fn batches_with_a_bounded_queue_equal_the_whole_report() {
        // 40 copies of the fixture thread with scaled scores, added in
        // batches of 7 threads with the queue and trees bounded: the same
        // corpus numbers and ranking, and the head of the same queue.
        let (f, sc) = fixture();
        let mut forest = Forest::default();
        let mut scores = Vec::new();
        for k in 0..40 {
            let mut t = f.threads[0].clone();
            t.id = format!("art{k}").into();
            for n in &mut t.nodes {
                n.rec.id = format!("{}-{k}", n.rec.id).into();
            }
            forest.threads.push(t);
            let scale = 0.3 + (k % 9) as f64 * 0.08;
            scores.push(
                sc[0]
                    .iter()
                    .map(|s| {
                        s.clone().map(|mut s| {
                            s.incivility = (s.incivility * scale).min(1.0);
                            s.uncivil = s.incivility >= 0.3;
                            s
                        })
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let models = Models {
            incivility: "i".into(),
            stance: None,
        };
        let all = ReportOptions {
            threshold: 0.3,
            trees: 3,
            queue_trees: 5,
            ..Default::default()
        };
        let whole = build_report(&forest, &scores, models.clone(), &all);
        let mut b = ReportBuilder::new(
            models,
            ReportOptions {
                queue: Some(5),
                ..all.clone()
            },
        );
        for (ts, ss) in forest.threads.chunks(7).zip(scores.chunks(7)) {
            let part = Forest {
                threads: ts.to_vec(),
                stats: Default::default(),
            };
            b.add_forest(&part, ss);
        }
        let streamed = b.finish();
        assert_eq!(streamed.corpus, whole.corpus);
        assert_eq!(streamed.threads, whole.threads);
        assert_eq!(streamed.queue_total, whole.queue_total);
        assert!(whole.queue.len() > 32, "the bound was exercised");
        assert_eq!(streamed.queue[..], whole.queue[..5]);
        let ids = |r: &Report| r.trees.iter().map(|t| t.0.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&streamed), ids(&whole));
        assert_eq!(streamed.trees, whole.trees);
        // Trees: the top 3 by attention and the threads of the first 5
        // queue items, each holding its flagged comments.
        let top: Vec<&str> = whole
            .threads
            .iter()
            .take(3)
            .map(|t| t.id.as_str())
            .collect();
        for q in &whole.queue[..5] {
            let (_, nodes) = whole
                .trees
                .iter()
                .find(|t| t.0 == q.thread)
                .expect("queue thread has a tree");
            assert!(nodes.iter().any(|n| n.id == q.id && n.flagged), "{}", q.id);
        }
        assert!(whole.trees.iter().all(
            |t| top.contains(&t.0.as_str()) || whole.queue[..5].iter().any(|q| q.thread == t.0)
        ));
    }

    /// `--queue-sort identity_attack`: the queue (and the comments marked
    /// flagged in the trees) are what that head flags at its threshold,
    /// not what incivility flags; without the head's threshold, the
    /// incivility flag as before.
    #[test]
    fn a_queue_by_an_attribute_head_holds_what_that_head_flags() {
        let (forest, mut scores) = fixture();
        // c5 (P(uncivil) 0.20) is an identity attack; c2 (0.80) is not.
        for (n, s) in forest.threads[0].nodes.iter().zip(&mut scores[0]) {
            if let Some(s) = s {
                let ia = match n.rec.id.as_str() {
                    "c5" => 0.9,
                    "c3" => 0.6,
                    _ => 0.05,
                };
                s.attributes = vec![0.1, ia];
            }
        }
        let models = || Models {
            incivility: "i".repeat(64),
            stance: None,
        };
        let opt = ReportOptions {
            attributes: vec!["insult".into(), "identity_attack".into()],
            queue_sort: Some("identity_attack".into()),
            queue_sort_threshold: Some(0.3),
            ..ReportOptions::default()
        };
        let r = build_report(&forest, &scores, models(), &opt);
        let ids: Vec<&str> = r.queue.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["c5", "c3"], "by identity_attack, highest first");
        assert_eq!((r.queue_total, r.queue_threshold), (2, 0.3));
        // The incivility numbers do not move.
        assert_eq!((r.corpus.uncivil, r.threshold), (3, 0.5));
        let flagged: Vec<&str> = r.trees[0]
            .1
            .iter()
            .filter(|n| n.flagged)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(flagged, ["c3", "c5"], "the trees mark the queued comments");
        let s = super::super::summary::summary(&r);
        assert!(
            s.lead.contains("P(identity attack) at or over 0.30"),
            "{}",
            s.lead
        );
        // No head threshold: the incivility flag decides, the head sorts.
        let sorted_only = ReportOptions {
            queue_sort_threshold: None,
            ..opt
        };
        let r = build_report(&forest, &scores, models(), &sorted_only);
        let ids: Vec<&str> = r.queue.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["c3", "c2", "c4"]);
        assert_eq!((r.queue_total, r.queue_threshold), (3, 0.5));
    }

    #[test]
    fn report_json_matches_golden() {
        let (forest, scores) = fixture();
        let models = Models {
            incivility: "i".repeat(64),
            stance: Some("s".repeat(64)),
        };
        let r = build_report(&forest, &scores, models, &ReportOptions::default());
        let t = &r.threads[0];
        assert_eq!(t.title, "Council closes the library");
        // Hand-computed: 6 comments, 3 uncivil (c2, c3, c4).
        assert_eq!(
            (t.comments, t.uncivil, t.participants, t.max_depth),
            (6, 3, 4, 4)
        );
        // Toxic subtrees: c2 and everything under it → 3 of 6.
        assert!((t.toxic_subtree_share - 0.5).abs() < 1e-12);
        // Contagion among comment → comment replies: parent uncivil: c3, c4
        // (both uncivil); parent civil: c2 (uncivil), c5 (civil).
        assert_eq!(
            (
                t.contagion.after_uncivil,
                t.contagion.uncivil_after_uncivil,
                t.contagion.after_civil,
                t.contagion.uncivil_after_civil
            ),
            (2, 2, 2, 1)
        );
        assert!((t.contagion.lift().unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(t.longest_disagreement_chain, 3);
        assert_eq!(t.disagreement_chain_ids, vec!["c2", "c3", "c4"]);
        assert_eq!(t.flame_dyads.len(), 1);
        assert_eq!(t.flame_dyads[0].ids, vec!["c1", "c2", "c3", "c4"]);
        assert_eq!(r.queue.len(), 3);
        assert_eq!(r.queue[0].id, "c3");
        // Wiener index of the 7-node tree: subtree sizes below the root
        // c1 5, c2 3, c3 2, c4 1, c5 1, c6 1 → Σ s(7 − s) = 10+12+10+6+6+6 = 50;
        // over 21 pairs.
        assert!((t.structural_virality - 50.0 / 21.0).abs() < 1e-12);
        let json = serde_json::to_string_pretty(&r).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/report.golden.json");
        if std::env::var_os("THREADLENS_BLESS").is_some() {
            std::fs::write(&path, &json).unwrap();
        }
        let want = std::fs::read_to_string(&path).expect("golden report");
        assert_eq!(json, want, "report JSON differs from {}", path.display());
    }
}

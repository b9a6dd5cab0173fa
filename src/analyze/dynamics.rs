//! How debate spreads through one thread, computed from the tree and the
//! per-comment scores: shape (size, depth, width, branching, structural
//! virality), where incivility sits (first uncivil comment, toxic
//! subtrees, escalation along branches), whether it passes from parent to
//! reply (contagion), disagreement chains, flame dyads, and the attention
//! score that ranks threads for a moderator.
//!
//! Everything here is a pure function of a [`ThreadInput`], so each metric
//! is unit-tested against hand-computed values, and every pass is O(nodes)
//! (pre-order layout: a node's parent always comes before it).

use serde::{Deserialize, Serialize};

use crate::classify::data::STANCE_LABELS;

/// Index of `disagree` in [`STANCE_LABELS`].
pub const DISAGREE: usize = 1;

/// One node as the metrics see it. Index 0 is the root (the article or
/// submission); nodes are in pre-order, so `parent < index`.
#[derive(Debug, Clone, Default)]
pub struct NodeInput {
    /// Record id.
    pub id: String,
    /// Parent index (`None` for the root).
    pub parent: Option<usize>,
    /// Depth (root 0).
    pub depth: u32,
    /// Author, if known.
    pub author: Option<String>,
    /// Creation time, if known.
    pub created: Option<i64>,
    /// Whether this is a person's comment (not the root, a placeholder or a pingback).
    pub comment: bool,
    /// P(uncivil), for comments.
    pub incivility: f64,
    /// Decided stance toward the parent, index into [`STANCE_LABELS`].
    pub stance: Option<usize>,
}

/// A thread for the metrics.
#[derive(Debug, Clone, Default)]
pub struct ThreadInput {
    /// Thread id.
    pub id: String,
    /// Title (first line of the root's text), empty if none.
    pub title: String,
    /// Nodes in pre-order, root first.
    pub nodes: Vec<NodeInput>,
}

/// Parent → reply incivility counts (both ends comments).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Contagion {
    /// Replies whose parent is uncivil.
    pub after_uncivil: u64,
    /// ... of which uncivil.
    pub uncivil_after_uncivil: u64,
    /// Replies whose parent is civil.
    pub after_civil: u64,
    /// ... of which uncivil.
    pub uncivil_after_civil: u64,
}

impl Contagion {
    /// P(uncivil | parent uncivil).
    pub fn p_after_uncivil(&self) -> Option<f64> {
        ratio(self.uncivil_after_uncivil, self.after_uncivil)
    }
    /// P(uncivil | parent civil).
    pub fn p_after_civil(&self) -> Option<f64> {
        ratio(self.uncivil_after_civil, self.after_civil)
    }
    /// P(uncivil | parent uncivil) / P(uncivil | parent civil).
    pub fn lift(&self) -> Option<f64> {
        match (self.p_after_uncivil(), self.p_after_civil()) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        }
    }
    /// Add another thread's counts.
    pub fn add(&mut self, o: &Contagion) {
        self.after_uncivil += o.after_uncivil;
        self.uncivil_after_uncivil += o.uncivil_after_uncivil;
        self.after_civil += o.after_civil;
        self.uncivil_after_civil += o.uncivil_after_civil;
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Escalation along root-to-leaf branches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Escalation {
    /// Branches with at least 3 comments (a slope needs 3 points to mean anything).
    pub branches: u64,
    /// Mean least-squares slope of P(uncivil) per step down the branch.
    pub mean_slope: Option<f64>,
    /// Share of those branches with a positive slope.
    pub share_rising: Option<f64>,
}

/// Two authors replying to each other with disagreement or incivility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dyad {
    /// The two authors (sorted).
    pub authors: [String; 2],
    /// Comments in their longest alternating hostile exchange.
    pub length: u32,
    /// Ids of that exchange, top down.
    pub ids: Vec<String>,
}

/// The first uncivil comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstUncivil {
    /// Its id.
    pub id: String,
    /// Its depth (top-level = 1).
    pub depth: u32,
    /// Its 1-based position among the thread's comments, by time when every
    /// comment has one, else in tree (reading) order.
    pub position: u64,
}

/// Metrics of one thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadStats {
    /// Thread id.
    pub id: String,
    /// Title (first line of the article or submission).
    pub title: String,
    /// Comments (not counting the root, placeholders and pingbacks).
    pub comments: u64,
    /// Distinct known authors among the comments.
    pub participants: u64,
    /// Deepest node.
    pub max_depth: u32,
    /// Most nodes at one depth.
    pub max_width: u64,
    /// Mean number of replies of the nodes that have replies.
    pub branching: f64,
    /// Mean distance between two nodes of the tree, root included (Wiener
    /// index over pairs; Goel et al. 2016): 1-ish for a star of replies to
    /// the article, large for long back-and-forth chains.
    pub structural_virality: f64,
    /// Mean P(uncivil) over comments.
    pub incivility_mean: f64,
    /// Comments with P(uncivil) ≥ threshold.
    pub uncivil: u64,
    /// `uncivil / comments`.
    pub uncivil_share: f64,
    /// The first uncivil comment.
    pub first_uncivil: Option<FirstUncivil>,
    /// Share of comments that are uncivil or reply (at any depth) under an uncivil comment.
    pub toxic_subtree_share: f64,
    /// Escalation along branches.
    pub escalation: Escalation,
    /// Parent → reply incivility.
    pub contagion: Contagion,
    /// P(uncivil | parent uncivil) / P(uncivil | parent civil) in this thread.
    pub contagion_lift: Option<f64>,
    /// Replies per stance, in [`STANCE_LABELS`] order.
    pub stance_mix: [u64; 4],
    /// Longest chain of replies each disagreeing with its parent.
    pub longest_disagreement_chain: u32,
    /// Its ids, top down.
    pub disagreement_chain_ids: Vec<String>,
    /// Flame dyads (exchanges of ≥ 3 comments).
    pub flame_dyads: Vec<Dyad>,
    /// Attention score (see [`attention`]).
    pub attention: f64,
    /// Per attribute head (`insult`, ...): comments scored at or over 0.5
    /// (set by the report builder; empty without heads).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, u64>,
}

/// A comment is hostile toward its parent when it disagrees or is uncivil.
fn hostile(n: &NodeInput, threshold: f64) -> bool {
    n.incivility >= threshold || n.stance == Some(DISAGREE)
}

/// The attention score that ranks threads for a moderator:
///
/// `uncivil · (1 + toxic_subtree_share) + 0.5 · max(0, longest_disagreement_chain − 1) + 2 · flame_dyads`
///
/// Uncivil comments count first (each is something to read), weighted up
/// when replies pile up under them; a disagreement chain adds half a point
/// per step beyond the first reply (a long argument is worth a look even
/// when civil), and each pair of users trading hostile replies adds 2 (the
/// most likely place for a fight to continue).
pub fn attention(uncivil: u64, toxic_subtree_share: f64, chain: u32, dyads: usize) -> f64 {
    uncivil as f64 * (1.0 + toxic_subtree_share)
        + 0.5 * f64::from(chain.saturating_sub(1))
        + 2.0 * dyads as f64
}

/// All metrics of one thread at an incivility threshold.
pub fn thread_stats(t: &ThreadInput, threshold: f64) -> ThreadStats {
    let nodes = &t.nodes;
    let n = nodes.len();
    let is_c = |i: usize| nodes[i].comment;
    let unc = |i: usize| nodes[i].comment && nodes[i].incivility >= threshold;
    let comments: Vec<usize> = (0..n).filter(|&i| is_c(i)).collect();
    let nc = comments.len() as u64;

    // Shape.
    let mut children = vec![0u64; n];
    let mut width = std::collections::HashMap::<u32, u64>::new();
    let mut max_depth = 0;
    for (i, nd) in nodes.iter().enumerate() {
        if let Some(p) = nd.parent {
            children[p] += 1;
        }
        max_depth = max_depth.max(nd.depth);
        if i > 0 {
            *width.entry(nd.depth).or_default() += 1;
        }
    }
    let max_width = width.values().copied().max().unwrap_or(0);
    let parents = children.iter().filter(|&&c| c > 0).count();
    let branching = if parents > 0 {
        children.iter().sum::<u64>() as f64 / parents as f64
    } else {
        0.0
    };
    // Subtree sizes (pre-order: children after parents, so walk backwards).
    let mut size = vec![1u64; n];
    for i in (1..n).rev() {
        if let Some(p) = nodes[i].parent {
            size[p] += size[i];
        }
    }
    let wiener: f64 = (1..n)
        .filter(|&i| nodes[i].parent.is_some())
        .map(|i| (size[i] * (n as u64 - size[i])) as f64)
        .sum();
    let structural_virality = if n >= 2 {
        wiener / (n as f64 * (n as f64 - 1.0) / 2.0)
    } else {
        0.0
    };

    // Incivility.
    let uncivil = comments.iter().filter(|&&i| unc(i)).count() as u64;
    let incivility_mean = if nc > 0 {
        comments.iter().map(|&i| nodes[i].incivility).sum::<f64>() / nc as f64
    } else {
        0.0
    };
    let by_time = comments.iter().all(|&i| nodes[i].created.is_some());
    let mut order = comments.clone();
    if by_time {
        order.sort_by_key(|&i| (nodes[i].created, i));
    }
    let first_uncivil = order
        .iter()
        .enumerate()
        .find(|(_, &i)| unc(i))
        .map(|(pos, &i)| FirstUncivil {
            id: nodes[i].id.clone(),
            depth: nodes[i].depth,
            position: pos as u64 + 1,
        });
    let mut under = vec![false; n];
    for i in 0..n {
        under[i] = unc(i) || nodes[i].parent.is_some_and(|p| under[p]);
    }
    let toxic = comments.iter().filter(|&&i| under[i]).count();

    // Escalation: running sums along each root-to-leaf path of comments.
    // (k, Σx, Σy, Σxy, Σxx) with x = step along the branch, y = P(uncivil).
    let mut acc = vec![[0.0f64; 5]; n];
    let (mut branches, mut rising, mut slope_sum) = (0u64, 0u64, 0.0);
    for i in 0..n {
        if !is_c(i) {
            continue;
        }
        let base = nodes[i]
            .parent
            .filter(|&p| is_c(p))
            .map_or([0.0; 5], |p| acc[p]);
        let x = base[0];
        let y = nodes[i].incivility;
        acc[i] = [
            base[0] + 1.0,
            base[1] + x,
            base[2] + y,
            base[3] + x * y,
            base[4] + x * x,
        ];
        if children[i] == 0 && acc[i][0] >= 3.0 {
            let [k, sx, sy, sxy, sxx] = acc[i];
            let slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
            branches += 1;
            slope_sum += slope;
            rising += u64::from(slope > 1e-12);
        }
    }
    let escalation = Escalation {
        branches,
        mean_slope: (branches > 0).then(|| slope_sum / branches as f64),
        share_rising: (branches > 0).then(|| rising as f64 / branches as f64),
    };

    // Contagion.
    let mut contagion = Contagion::default();
    for &i in &comments {
        let Some(p) = nodes[i].parent.filter(|&p| is_c(p)) else {
            continue;
        };
        if unc(p) {
            contagion.after_uncivil += 1;
            contagion.uncivil_after_uncivil += u64::from(unc(i));
        } else {
            contagion.after_civil += 1;
            contagion.uncivil_after_civil += u64::from(unc(i));
        }
    }

    // Stance and disagreement chains.
    let mut stance_mix = [0u64; 4];
    let mut chain = vec![0u32; n];
    let mut best_chain = (0u32, 0usize);
    for &i in &comments {
        if let Some(s) = nodes[i].stance {
            stance_mix[s.min(3)] += 1;
        }
        if nodes[i].stance == Some(DISAGREE) {
            chain[i] = 1 + nodes[i].parent.filter(|&p| is_c(p)).map_or(0, |p| chain[p]);
            if chain[i] > best_chain.0 {
                best_chain = (chain[i], i);
            }
        }
    }
    let disagreement_chain_ids = walk_up(nodes, best_chain.1, best_chain.0);

    // Flame dyads: alternating two-author runs of hostile replies. The
    // longest run of each pair (its length and last node; the first to
    // reach that length) is kept, and its ids are listed once at the end:
    // linear in the thread, however deep the runs.
    let mut run = vec![0u32; n];
    let mut longest: std::collections::HashMap<[String; 2], (u32, usize)> =
        std::collections::HashMap::new();
    for &i in &comments {
        run[i] = 1;
        let Some(p) = nodes[i].parent.filter(|&p| is_c(p)) else {
            continue;
        };
        let (Some(a), Some(b)) = (&nodes[i].author, &nodes[p].author) else {
            continue;
        };
        if a == b || !hostile(&nodes[i], threshold) {
            continue;
        }
        let continues = run[p] >= 2
            && nodes[p]
                .parent
                .and_then(|g| nodes[g].author.as_ref())
                .is_some_and(|g| g == a);
        run[i] = if continues { run[p] + 1 } else { 2 };
        if run[i] >= 3 {
            let mut pair = [a.clone(), b.clone()];
            pair.sort();
            let best = longest.entry(pair).or_insert((0, i));
            if run[i] > best.0 {
                *best = (run[i], i);
            }
        }
    }
    let mut dyads: Vec<Dyad> = longest
        .into_iter()
        .map(|(authors, (length, end))| Dyad {
            authors,
            length,
            ids: walk_up(nodes, end, length),
        })
        .collect();
    dyads.sort_by(|a, b| b.length.cmp(&a.length).then(a.authors.cmp(&b.authors)));

    let participants = {
        let mut a: Vec<&str> = comments
            .iter()
            .filter_map(|&i| nodes[i].author.as_deref())
            .collect();
        a.sort_unstable();
        a.dedup();
        a.len() as u64
    };
    let share = |x: u64| if nc > 0 { x as f64 / nc as f64 } else { 0.0 };
    let toxic_subtree_share = share(toxic as u64);
    ThreadStats {
        id: t.id.clone(),
        title: t.title.clone(),
        comments: nc,
        participants,
        max_depth,
        max_width,
        branching,
        structural_virality,
        incivility_mean,
        uncivil,
        uncivil_share: share(uncivil),
        first_uncivil,
        toxic_subtree_share,
        escalation,
        contagion_lift: contagion.lift(),
        contagion,
        stance_mix,
        longest_disagreement_chain: best_chain.0,
        disagreement_chain_ids,
        attention: attention(uncivil, toxic_subtree_share, best_chain.0, dyads.len()),
        flame_dyads: dyads,
        attributes: Default::default(),
    }
}

/// Ids of the `len` nodes ending at `end`, top down.
fn walk_up(nodes: &[NodeInput], end: usize, len: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut at = Some(end);
    for _ in 0..len {
        let Some(i) = at else { break };
        ids.push(nodes[i].id.clone());
        at = nodes[i].parent;
    }
    ids.reverse();
    ids
}

/// Name of a stance index.
pub fn stance_name(s: usize) -> &'static str {
    STANCE_LABELS.get(s).copied().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a thread from `(id, parent index, author, P(uncivil), stance)`;
    /// index 0 is the root. Depths follow the parents.
    /// `(id, parent index, author, P(uncivil), stance)`.
    type Spec<'a> = (&'a str, Option<usize>, &'a str, f64, Option<usize>);

    pub(crate) fn thread(spec: &[Spec<'_>]) -> ThreadInput {
        let mut nodes: Vec<NodeInput> = Vec::new();
        for &(id, parent, author, p, s) in spec {
            let depth = parent.map_or(0, |q| nodes[q].depth + 1);
            nodes.push(NodeInput {
                id: id.into(),
                parent,
                depth,
                author: (!author.is_empty()).then(|| author.to_string()),
                created: None,
                comment: parent.is_some(),
                incivility: p,
                stance: s.or(parent.map(|_| 3)),
            });
        }
        ThreadInput {
            id: "t".into(),
            title: String::new(),
            nodes,
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    const D: Option<usize> = Some(DISAGREE);

    #[test]
    fn wiener_index_of_a_path_and_a_star() {
        // Path r-a-b-c: distances 1,2,3,1,2,1 → sum 10 over 6 pairs.
        let path = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "x", 0.0, None),
            ("b", Some(1), "y", 0.0, None),
            ("c", Some(2), "x", 0.0, None),
        ]);
        let s = thread_stats(&path, 0.5);
        close(s.structural_virality, 10.0 / 6.0);
        assert_eq!((s.max_depth, s.max_width, s.participants), (3, 1, 2));
        close(s.branching, 1.0);
        // Star r → a, b, c: 3 pairs at 1, 3 pairs at 2 → 9 / 6.
        let star = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "x", 0.0, None),
            ("b", Some(0), "y", 0.0, None),
            ("c", Some(0), "z", 0.0, None),
        ]);
        let s = thread_stats(&star, 0.5);
        close(s.structural_virality, 1.5);
        assert_eq!((s.max_width, s.participants), (3, 3));
        close(s.branching, 3.0);
    }

    #[test]
    fn contagion_lift_hand_computed() {
        // Parents (comments) u1 uncivil with replies: uncivil, civil;
        // c1 civil with replies: uncivil, civil, civil, civil.
        // P(u|u) = 1/2, P(u|c) = 1/4, lift 2. Top-level comments reply to
        // the root, which is not a comment: not counted.
        let t = thread(&[
            ("r", None, "", 0.0, None),
            ("u1", Some(0), "a", 0.9, None),
            ("x1", Some(1), "b", 0.8, None),
            ("x2", Some(1), "c", 0.1, None),
            ("c1", Some(0), "d", 0.1, None),
            ("y1", Some(4), "e", 0.7, None),
            ("y2", Some(4), "f", 0.2, None),
            ("y3", Some(4), "g", 0.2, None),
            ("y4", Some(4), "h", 0.2, None),
        ]);
        let s = thread_stats(&t, 0.5);
        let c = s.contagion;
        assert_eq!(
            (
                c.after_uncivil,
                c.uncivil_after_uncivil,
                c.after_civil,
                c.uncivil_after_civil
            ),
            (2, 1, 4, 1)
        );
        close(c.lift().unwrap(), 2.0);
        assert_eq!(s.uncivil, 3);
        // Uncivil-rooted subtrees: u1, x1, x2 (under u1), y1 → 4 of 8.
        close(s.toxic_subtree_share, 0.5);
        let f = s.first_uncivil.unwrap();
        assert_eq!((f.id.as_str(), f.depth, f.position), ("u1", 1, 1));
        // No civil parent → no lift.
        assert_eq!(Contagion::default().lift(), None);
    }

    #[test]
    fn escalation_slope_hand_computed() {
        // Branch a(0.1) → b(0.3) → c(0.5): slope 0.2 per step, rising.
        // Branch a → d(0.1) has 2 comments: not counted.
        // Branch e(0.9) → f(0.6) → g(0.3): slope −0.3.
        let t = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "p", 0.1, None),
            ("b", Some(1), "q", 0.3, None),
            ("c", Some(2), "p", 0.5, None),
            ("d", Some(1), "q", 0.1, None),
            ("e", Some(0), "p", 0.9, None),
            ("f", Some(5), "q", 0.6, None),
            ("g", Some(6), "p", 0.3, None),
        ]);
        let e = thread_stats(&t, 0.5).escalation;
        assert_eq!(e.branches, 2);
        close(e.mean_slope.unwrap(), (0.2 - 0.3) / 2.0);
        close(e.share_rising.unwrap(), 0.5);
    }

    #[test]
    fn disagreement_chain_and_flame_dyad() {
        // a → b(disagree) → c(disagree) → d(disagree, by a again? no: by b)
        // authors: a=ann, b=bob, c=ann, d=bob: an alternating hostile run of
        // 4 comments (a opens, b, c, d hostile) between ann and bob.
        let t = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "ann", 0.1, None),
            ("b", Some(1), "bob", 0.2, D),
            ("c", Some(2), "ann", 0.8, None),
            ("d", Some(3), "bob", 0.2, D),
            ("e", Some(1), "cat", 0.1, D),
        ]);
        let s = thread_stats(&t, 0.5);
        // Chain: b (1), c is not disagree (uncivil comment) → resets, d → 1.
        assert_eq!(s.longest_disagreement_chain, 1);
        assert_eq!(s.disagreement_chain_ids, vec!["b"]);
        assert_eq!(s.flame_dyads.len(), 1);
        let d = &s.flame_dyads[0];
        assert_eq!(d.authors, ["ann".to_string(), "bob".to_string()]);
        assert_eq!(d.length, 4);
        assert_eq!(d.ids, vec!["a", "b", "c", "d"]);
        // attention = 1 uncivil · (1 + 2/5) + 0 + 2 · 1 dyad.
        close(s.attention, 1.0 * (1.0 + 2.0 / 5.0) + 2.0);

        // A chain of three disagreeing replies by three people: no dyad.
        let t = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "ann", 0.1, D),
            ("b", Some(1), "bob", 0.1, D),
            ("c", Some(2), "cat", 0.1, D),
        ]);
        let s = thread_stats(&t, 0.5);
        assert_eq!(s.longest_disagreement_chain, 3);
        assert_eq!(s.disagreement_chain_ids, vec!["a", "b", "c"]);
        assert!(s.flame_dyads.is_empty());
        close(s.attention, 0.5 * 2.0);
    }

    #[test]
    fn empty_thread_and_time_order() {
        let t = thread(&[("r", None, "", 0.0, None)]);
        let s = thread_stats(&t, 0.5);
        assert_eq!((s.comments, s.uncivil, s.max_width), (0, 0, 0));
        assert_eq!(s.structural_virality, 0.0);
        assert!(s.first_uncivil.is_none() && s.escalation.mean_slope.is_none());
        // With times, the first uncivil comment is the earliest one.
        let mut t = thread(&[
            ("r", None, "", 0.0, None),
            ("a", Some(0), "x", 0.9, None),
            ("b", Some(0), "y", 0.9, None),
        ]);
        t.nodes[1].created = Some(200);
        t.nodes[2].created = Some(100);
        let f = thread_stats(&t, 0.5).first_uncivil.unwrap();
        assert_eq!((f.id.as_str(), f.position), ("b", 1));
    }
}

//! Per-record rows as `parse`, `score` and `serve` write them: where a node
//! sits in its thread, then (for `score`) its scores, reasons and source.
//! The models' hashes are the same for every row of a run, so they are
//! written once beside the rows ([`ModelHashes`]: `score`'s sidecar file,
//! `serve`'s response header), not per row. One writer, so every front end
//! writes the same bytes for the same input.

use serde::Serialize;

use super::score::{Scored, Scorer};
use crate::classify::data::STANCE_LABELS;
use crate::forest::{self, Kind};

/// Where a node sits in its thread: the leading fields of every per-record
/// row `parse` and `score` write.
#[derive(serde::Serialize)]
pub struct NodeRow<'a> {
    /// Thread id.
    pub thread: &'a str,
    /// Record id.
    pub id: &'a str,
    /// Parent id (`None` for roots).
    pub parent: Option<&'a str>,
    /// 0 for roots.
    pub depth: u32,
    /// Root, comment, pingback, placeholder.
    pub kind: Kind,
    /// Author, if the input names one.
    pub author: Option<&'a str>,
}

impl<'a> NodeRow<'a> {
    /// Node `i` of thread `t`.
    pub fn of(t: &'a forest::Thread, i: usize) -> NodeRow<'a> {
        let n = &t.nodes[i];
        NodeRow {
            thread: &t.id,
            id: &n.rec.id,
            parent: t.parent_id(i),
            depth: n.depth,
            kind: n.rec.kind,
            author: n.rec.author.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    node: NodeRow<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    incivility: Option<f64>,
    uncivil: Option<bool>,
    /// The domain whose model gave `incivility` (`github`), when not the
    /// incivility model.
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'static str>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    attributes: Attributes<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stance: Option<Stance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stance_label: Option<&'static str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    reasons: &'a [crate::classify::Contribution],
    #[serde(skip_serializing_if = "AttributeReasons::is_empty")]
    attribute_reasons: AttributeReasons<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    stance_reasons: &'a [crate::classify::Contribution],
    source: &'a crate::diag::SourceLoc,
}

/// Attribute head scores of a row, as `{"insult": p, ...}`.
struct Attributes<'a> {
    names: &'a [String],
    values: &'a [f64],
}

impl Attributes<'_> {
    fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl Serialize for Attributes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.values.len()))?;
        for (k, v) in self.names.iter().zip(self.values) {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Per attribute head, the features behind its score, as
/// `{"insult": [...], ...}` (heads without reasons left out).
struct AttributeReasons<'a> {
    names: &'a [String],
    reasons: &'a [Vec<crate::classify::Contribution>],
}

impl AttributeReasons<'_> {
    fn is_empty(&self) -> bool {
        self.reasons.iter().all(Vec::is_empty)
    }
}

impl Serialize for AttributeReasons<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.names.iter().zip(self.reasons) {
            if !v.is_empty() {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Stance {
    agree: f64,
    disagree: f64,
    query: f64,
    comment: f64,
}

/// The models' content hashes of a run's rows.
#[derive(Serialize)]
pub struct ModelHashes<'a> {
    /// The incivility model's.
    pub incivility: &'a str,
    /// The stance model's, if one scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<&'a str>,
    /// Each attribute head's, by its row name, and a domain's gate and
    /// expert (`github_gate`, `github_toxicity`).
    #[serde(flatten)]
    pub attributes: std::collections::BTreeMap<String, &'a str>,
}

impl<'a> ModelHashes<'a> {
    /// The hashes of `scorer`'s models; `names` from [`attribute_names`].
    pub fn of(scorer: &'a Scorer, names: &'a [String]) -> ModelHashes<'a> {
        let (incivility, stance) = scorer.hashes();
        let mut attributes: std::collections::BTreeMap<String, &str> = names
            .iter()
            .cloned()
            .zip(scorer.attribute_hashes())
            .collect();
        attributes.extend(scorer.domain_hashes());
        ModelHashes {
            incivility,
            stance,
            attributes,
        }
    }
}

/// What a run of `score` writes once beside its rows (the sidecar
/// `<output>.models.json`; `serve` sends the `models` part as a header).
#[derive(Serialize)]
pub struct RunHeader<'a> {
    /// `threadlens <version>`.
    pub created_by: String,
    /// The incivility threshold of the `uncivil` column.
    pub threshold: f64,
    /// The models' content hashes (SHA-256).
    pub models: ModelHashes<'a>,
}

impl<'a> RunHeader<'a> {
    /// The header of rows scored by `scorer`; `names` from [`attribute_names`].
    pub fn of(scorer: &'a Scorer, names: &'a [String]) -> RunHeader<'a> {
        RunHeader {
            created_by: format!("threadlens {}", env!("CARGO_PKG_VERSION")),
            threshold: scorer.threshold(),
            models: ModelHashes::of(scorer, names),
        }
    }
}

/// The row names of `scorer`'s attribute heads (`insult`, ...), in order.
pub fn attribute_names(scorer: &Scorer) -> Vec<String> {
    scorer
        .attribute_names()
        .iter()
        .map(|n| n.to_lowercase())
        .collect()
}

/// What every row of a run shares.
pub struct RowContext<'a> {
    /// The attribute heads' row names (`insult`, ...), from [`attribute_names`].
    pub names: &'a [String],
    /// Rows carry the comment's text (`score --include-text`).
    pub include_text: bool,
}

/// Append the JSON lines of scored threads to `out`: one row per node in
/// tree order.
pub fn jsonl_rows(
    threads: &[forest::Thread],
    scores: &[Vec<Option<Scored>>],
    ctx: &RowContext<'_>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    let names = ctx.names;
    for (t, sc) in threads.iter().zip(scores) {
        for (i, (n, s)) in t.nodes.iter().zip(sc).enumerate() {
            let row = Row {
                node: NodeRow::of(t, i),
                text: ctx.include_text.then_some(&*n.rec.text),
                incivility: s.as_ref().map(|s| s.incivility),
                uncivil: s.as_ref().map(|s| s.uncivil),
                domain: s.as_ref().and_then(|s| s.domain),
                attributes: Attributes {
                    names,
                    values: s.as_ref().map_or(&[], |s| &s.attributes[..]),
                },
                stance: s.as_ref().and_then(|s| s.stance).map(|p| Stance {
                    agree: p[0],
                    disagree: p[1],
                    query: p[2],
                    comment: p[3],
                }),
                stance_label: s
                    .as_ref()
                    .and_then(|s| s.stance_label)
                    .map(|l| STANCE_LABELS[l]),
                reasons: s.as_ref().map_or(&[], |s| &s.reasons[..]),
                attribute_reasons: AttributeReasons {
                    names,
                    reasons: s.as_ref().map_or(&[], |s| &s.attribute_reasons[..]),
                },
                stance_reasons: s.as_ref().map_or(&[], |s| &s.stance_reasons[..]),
                source: &n.rec.source,
            };
            serde_json::to_writer(&mut *out, &row)?;
            out.push(b'\n');
        }
    }
    Ok(())
}

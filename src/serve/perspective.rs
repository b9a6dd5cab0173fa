//! The Perspective API's `comments:analyze` and `comments:suggestscore`
//! protocol (v1alpha1), field for field, answered by the local models.
//!
//! `TOXICITY` is the incivility model; `INSULT`, `IDENTITY_ATTACK` and
//! `PROFANITY` are the attribute heads when they are loaded. Attributes the
//! Perspective API offers that these models do not (`SEVERE_TOXICITY`,
//! `THREAT`, ...) are
//! refused by name with `INVALID_ARGUMENT`, as Perspective refuses an
//! attribute it cannot score, rather than answered with a guess. Span
//! scores are per sentence, with `begin`/`end` in Unicode code points of
//! `comment.text` (end exclusive). Language: the models are English; a
//! request naming other languages is refused as Perspective refuses an
//! unsupported language, and `detectedLanguages` is `["en"]` (assumed, not
//! detected).
//!
//! The thread-aware extension lives under the `threadlens` key of request
//! and response, which Perspective clients ignore: when `context.entries`
//! holds the parent (its last entry: the comment replied to, or the
//! article), the response carries the stance of the comment toward it, and
//! with `"threadlens": {"reasons": true}` the features behind each score.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyze::score::{Scored, Scorer};
use crate::classify::data::STANCE_LABELS;
use crate::classify::{Contribution, ScoreScratch};
use crate::diag::SourceLoc;
use crate::forest::{Kind, Node, RawComment, Thread};

/// Perspective's limit on `comment.text`, in bytes (20 KB).
pub const MAX_TEXT_BYTES: usize = 20 * 1024;
/// Perspective's limit on one context entry (1 MB).
pub const MAX_CONTEXT_BYTES: usize = 1 << 20;

/// Attributes the Perspective API offers; those not served here are
/// refused by name.
pub const PERSPECTIVE_ATTRIBUTES: [&str; 16] = [
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "PROFANITY",
    "THREAT",
    "SEXUALLY_EXPLICIT",
    "FLIRTATION",
    "TOXICITY_EXPERIMENTAL",
    "SEVERE_TOXICITY_EXPERIMENTAL",
    "IDENTITY_ATTACK_EXPERIMENTAL",
    "INSULT_EXPERIMENTAL",
    "PROFANITY_EXPERIMENTAL",
    "THREAT_EXPERIMENTAL",
    "ATTACK_ON_AUTHOR",
    "INCOHERENT",
];

/// Attributes served: `TOXICITY` (the incivility model), then the
/// scorer's attribute heads.
pub fn served(scorer: &Scorer) -> Vec<&str> {
    let mut v = vec!["TOXICITY"];
    v.extend(scorer.attribute_names());
    v
}

/// The score of attribute `name` in `scored` (`None`: not served).
fn value_of(scorer: &Scorer, scored: &Scored, name: &str) -> Option<f64> {
    if name == "TOXICITY" {
        return Some(scored.incivility);
    }
    let j = scorer.attribute_index(name)?;
    scored.attributes.get(j).copied()
}

/// A text with its type (`comment`, `context.entries[]`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextEntry {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `context`.
#[derive(Debug, Default, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub entries: Vec<TextEntry>,
}

/// `requestedAttributes[NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeParams {
    #[serde(default)]
    pub score_type: Option<String>,
    #[serde(default)]
    pub score_threshold: Option<f64>,
}

/// The namespaced extension of a request.
#[derive(Debug, Default, Deserialize)]
pub struct Extension {
    /// Return the features behind each score.
    #[serde(default)]
    pub reasons: bool,
}

/// An `AnalyzeComment` request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    pub comment: Option<TextEntry>,
    #[serde(default)]
    pub context: Option<Context>,
    #[serde(default)]
    pub requested_attributes: Option<BTreeMap<String, AttributeParams>>,
    #[serde(default)]
    pub span_annotations: bool,
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    #[serde(default)]
    pub do_not_store: bool,
    #[serde(default)]
    pub client_token: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub community_id: Option<String>,
    #[serde(default)]
    pub threadlens: Option<Extension>,
}

/// A score.
#[derive(Debug, Serialize, PartialEq)]
pub struct Score {
    pub value: f64,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// One sentence's score.
#[derive(Debug, Serialize, PartialEq)]
pub struct SpanScore {
    pub begin: usize,
    pub end: usize,
    pub score: Score,
}

/// `attributeScores[NAME]`.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AttributeScore {
    pub summary_score: Score,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span_scores: Option<Vec<SpanScore>>,
}

/// The extension of a response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ThreadInfo {
    /// Content hashes of the models that scored.
    pub models: BTreeMap<&'static str, String>,
    /// P(agree, disagree, query, comment) toward the last context entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<BTreeMap<&'static str, f64>>,
    /// The decided stance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance_label: Option<&'static str>,
    /// Features behind each requested attribute's score (log-odds), on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<BTreeMap<String, Vec<Contribution>>>,
    /// Features behind the decided stance, on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance_reasons: Option<Vec<Contribution>>,
}

/// An `AnalyzeComment` response.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeResponse {
    pub attribute_scores: BTreeMap<String, AttributeScore>,
    pub languages: Vec<String>,
    pub detected_languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    pub threadlens: ThreadInfo,
}

/// A `SuggestCommentScore` request: only what is checked.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestRequest {
    pub comment: Option<TextEntry>,
    #[serde(default)]
    pub attribute_scores: Option<serde_json::Value>,
    #[serde(default)]
    pub client_token: Option<String>,
}

/// An `INVALID_ARGUMENT` message, as Perspective words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}

/// The comment's plain text, checked as Perspective checks it.
fn comment_text(c: Option<&TextEntry>, what: &str, max: usize) -> Result<String, Invalid> {
    let Some(c) = c else {
        return invalid(format!("{what} is required."));
    };
    let text = c.text.as_deref().unwrap_or("");
    let text = match c.kind.as_deref().unwrap_or("PLAIN_TEXT") {
        "PLAIN_TEXT" => text.to_string(),
        "HTML" => crate::ingest::html_to_text(text),
        other => return invalid(format!("Unknown text type: {other}")),
    };
    if text.len() > max {
        return invalid(format!(
            "{what} text too long: {} bytes, at most {max}.",
            text.len()
        ));
    }
    Ok(text)
}

/// Sentence spans of `text` as code-point ranges: a sentence ends after
/// `.`, `!` or `?` followed by white space, or at a line break; white space
/// between sentences belongs to none.
pub fn sentences(text: &str) -> Vec<(usize, usize, &str)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let byte = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if start.is_none() {
            if !c.is_whitespace() {
                start = Some(i);
            }
            i += 1;
            continue;
        }
        let end_here = c == '\n'
            || (matches!(c, '.' | '!' | '?')
                && chars.get(i + 1).is_none_or(|n| n.1.is_whitespace()));
        if end_here {
            let end = if c == '\n' { i } else { i + 1 };
            let a = start.take().expect("in a sentence");
            // trailing white space before a line break is not the sentence's
            let mut e = end;
            while e > a && chars[e - 1].1.is_whitespace() {
                e -= 1;
            }
            if e > a {
                out.push((a, e, &text[byte(a)..byte(e)]));
            }
        }
        i += 1;
    }
    if let Some(a) = start {
        let mut e = chars.len();
        while e > a && chars[e - 1].1.is_whitespace() {
            e -= 1;
        }
        out.push((a, e, &text[byte(a)..byte(e)]));
    }
    out
}

/// Score `text` (and its stance toward `parent`) exactly as `score` scores
/// a comment: through a thread of the parent and the comment.
pub fn score_one(
    scorer: &Scorer,
    text: &str,
    parent: Option<&str>,
    s: &mut ScoreScratch,
) -> Scored {
    let loc = SourceLoc::new("request".into(), 1);
    let node = |rec: RawComment, parent: Option<u32>, depth: u32, end: u32| Node {
        rec,
        parent,
        depth,
        end,
    };
    let thread = match parent {
        Some(p) => {
            let mut root = RawComment::new("parent", p, loc.clone());
            root.kind = Kind::Root;
            let c = RawComment::new("comment", text, loc);
            Thread {
                id: "parent".into(),
                nodes: vec![node(root, None, 0, 2), node(c, Some(0), 1, 2)],
            }
        }
        None => {
            let mut c = RawComment::new("comment", text, loc);
            c.kind = Kind::Root;
            Thread {
                id: "comment".into(),
                nodes: vec![node(c, None, 0, 1)],
            }
        }
    };
    let mut scored = scorer.score_thread(&thread, s);
    scored
        .pop()
        .flatten()
        .expect("a comment or root is always scored")
}

/// Answer an `AnalyzeComment` request.
pub fn analyze(
    scorer: &Scorer,
    req: AnalyzeRequest,
    s: &mut ScoreScratch,
) -> Result<AnalyzeResponse, Invalid> {
    let text = comment_text(req.comment.as_ref(), "Comment", MAX_TEXT_BYTES)?;
    if text.trim().is_empty() {
        return invalid("Comment must be non-empty.");
    }
    let attrs = match req.requested_attributes {
        Some(a) if !a.is_empty() => a,
        _ => return invalid("Missing requested_attributes"),
    };
    let serving = served(scorer);
    for (name, p) in &attrs {
        if !serving.contains(&name.as_str()) {
            return match PERSPECTIVE_ATTRIBUTES.contains(&name.as_str()) {
                true => invalid(format!(
                    "Attribute {name} is not provided by this model (threadlens serves: {}).",
                    serving.join(", ")
                )),
                false => invalid(format!("Unknown requested attribute: {name}")),
            };
        }
        if let Some(t) = p.score_type.as_deref() {
            if t != "PROBABILITY" {
                return invalid(format!(
                    "Requested score type {t} is not supported by attribute {name}"
                ));
            }
        }
        if let Some(t) = p.score_threshold {
            if !(0.0..=1.0).contains(&t) {
                return invalid(format!("scoreThreshold of {name} must be between 0 and 1"));
            }
        }
    }
    let languages = match req.languages {
        Some(l) if !l.is_empty() => {
            let other: Vec<&str> = l
                .iter()
                .map(String::as_str)
                .filter(|l| !l.eq_ignore_ascii_case("en"))
                .collect();
            if !other.is_empty() {
                let name = attrs.keys().next().expect("non-empty");
                return invalid(format!(
                    "Attribute {name} does not support request languages: {}",
                    other.join(", ")
                ));
            }
            l
        }
        _ => vec!["en".to_string()],
    };
    let parent = match req.context.as_ref().and_then(|c| c.entries.last()) {
        Some(e) => Some(comment_text(Some(e), "Context entry", MAX_CONTEXT_BYTES)?),
        None => None,
    };
    let want_reasons = req.threadlens.as_ref().is_some_and(|e| e.reasons);
    let scored = score_one(scorer, &text, parent.as_deref(), s);
    // Each sentence scored once for every attribute.
    let spans: Vec<(usize, usize, Scored)> = match req.span_annotations {
        true => sentences(&text)
            .into_iter()
            .map(|(a, b, sentence)| (a, b, score_one(scorer, sentence, None, s)))
            .collect(),
        false => Vec::new(),
    };
    let mut scores = BTreeMap::new();
    for (name, p) in &attrs {
        let value = value_of(scorer, &scored, name).expect("checked above");
        if p.score_threshold.is_some_and(|t| value < t) {
            continue;
        }
        let span_scores = req.span_annotations.then(|| {
            spans
                .iter()
                .map(|(begin, end, sc)| SpanScore {
                    begin: *begin,
                    end: *end,
                    score: Score {
                        value: value_of(scorer, sc, name).expect("checked above"),
                        kind: "PROBABILITY",
                    },
                })
                .collect()
        });
        scores.insert(
            name.clone(),
            AttributeScore {
                summary_score: Score {
                    value,
                    kind: "PROBABILITY",
                },
                span_scores,
            },
        );
    }
    let (inc_hash, stance_hash) = scorer.hashes();
    let mut models = BTreeMap::from([("incivility", inc_hash.to_string())]);
    if let Some(h) = stance_hash {
        models.insert("stance", h.to_string());
    }
    // Reasons on request: the scorer explains flagged scores only (and
    // attribute heads at or over 0.5), so explain here when asked and it
    // did not.
    let reasons = want_reasons.then(|| {
        attrs
            .keys()
            .map(|name| {
                let r = match name.as_str() {
                    "TOXICITY" if !scored.reasons.is_empty() => scored.reasons.clone(),
                    "TOXICITY" => scorer.explain_incivility(&text),
                    other => match scorer.attribute_index(other) {
                        // Explained while scoring (a head at or over 0.5).
                        Some(j)
                            if scored
                                .attribute_reasons
                                .get(j)
                                .is_some_and(|r| !r.is_empty()) =>
                        {
                            scored.attribute_reasons[j].clone()
                        }
                        Some(j) => scorer.explain_attribute(j, &text),
                        None => Vec::new(),
                    },
                };
                (name.clone(), r)
            })
            .collect()
    });
    let stance_reasons = (want_reasons && scored.stance.is_some()).then(|| {
        match (
            scored.stance_reasons.is_empty(),
            scored.stance_label,
            &parent,
        ) {
            (true, Some(label), Some(p)) => scorer.explain_stance(&text, p, label),
            _ => scored.stance_reasons.clone(),
        }
    });
    Ok(AnalyzeResponse {
        attribute_scores: scores,
        languages,
        detected_languages: vec!["en".into()],
        client_token: req.client_token,
        threadlens: ThreadInfo {
            models,
            stance: scored
                .stance
                .map(|p| STANCE_LABELS.iter().copied().zip(p).collect()),
            stance_label: scored.stance_label.map(|l| STANCE_LABELS[l]),
            reasons,
            stance_reasons,
        },
    })
}

/// Answer a `SuggestCommentScore` request: checked, and nothing stored.
pub fn suggest(req: SuggestRequest) -> Result<serde_json::Value, Invalid> {
    let text = comment_text(req.comment.as_ref(), "Comment", MAX_TEXT_BYTES)?;
    if text.trim().is_empty() {
        return invalid("Comment must be non-empty.");
    }
    if !req.attribute_scores.as_ref().is_some_and(|v| v.is_object()) {
        return invalid("attribute_scores is required.");
    }
    Ok(match req.client_token {
        Some(t) => serde_json::json!({ "clientToken": t }),
        None => serde_json::json!({}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_code_point_ranges() {
        let t = "What kind of idiot name is foo? Sorry, I like your name.";
        let s = sentences(t);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            [(0, 31), (32, 56)]
        );
        let t = "é! ok\n\nnext line  ";
        let s = sentences(t);
        assert_eq!(
            s.iter().map(|x| (x.0, x.1, x.2)).collect::<Vec<_>>(),
            [(0, 2, "é!"), (3, 5, "ok"), (7, 16, "next line")]
        );
        assert!(sentences("   ").is_empty());
        assert_eq!(sentences("3.5 is a number").len(), 1);
    }
}

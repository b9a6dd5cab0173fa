//! What a moderator reads first, in words, shared by the HTML and Markdown
//! reports: how many comments need review, which threads to open first and
//! why, and what drove the flags; plus the readable form of an
//! explanation's feature names and where their words are in a comment
//! (for highlighting). Everything here is plain text: each renderer
//! escapes it for its own syntax.

use std::collections::HashMap;

use super::dynamics::ThreadStats;
use super::report::Report;

/// Threads named in the summary.
pub const FIRST_THREADS: usize = 5;
/// Reasons named in the summary.
pub const DRIVERS: usize = 8;

/// The report's opening, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// One sentence: how many comments need review, of how many.
    pub lead: String,
    /// Threads to open first: index into [`Report::threads`] and why.
    pub first: Vec<(usize, String)>,
    /// What drove the flags of the queue: readable reason and how many
    /// queue items name it among their top reasons.
    pub drivers: Vec<(String, u64)>,
    /// The stance mix of the replies, in words (`None` without stance).
    pub stance: Option<String>,
}

impl Summary {
    /// What the flags rest on, as one sentence with each reason escaped by
    /// `esc` for the renderer's syntax (`None` when the queue is empty).
    pub fn drivers_sentence(&self, esc: &dyn Fn(&str) -> String) -> Option<String> {
        (!self.drivers.is_empty()).then(|| {
            format!(
                "What the flags rest on (queue items naming it among their top reasons): {}.",
                self.drivers
                    .iter()
                    .map(|(l, n)| format!("{} ({n})", esc(l)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why a thread needs a look, in a few words (empty when nothing stands out).
pub fn why(t: &ThreadStats) -> String {
    let mut parts = Vec::new();
    if t.uncivil > 0 {
        parts.push(format!(
            "{} of {} flagged",
            t.uncivil,
            plural(t.comments, "comment", "comments")
        ));
    }
    for (name, &n) in &t.attributes {
        if n > 0 {
            parts.push(format!("{} ≥ .5 on {n}", name.replace('_', " ")));
        }
    }
    if t.longest_disagreement_chain >= 3 {
        parts.push(format!(
            "a chain of {} replies each disagreeing with its parent",
            t.longest_disagreement_chain
        ));
    }
    if let Some(d) = t.flame_dyads.first() {
        let more = t.flame_dyads.len() - 1;
        parts.push(format!(
            "a flame exchange between {} and {} ({} comments){}",
            d.authors[0],
            d.authors[1],
            d.length,
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if let (Some(s), true) = (t.escalation.share_rising, t.escalation.branches >= 2) {
        if s >= 0.5 {
            parts.push(format!(
                "incivility rises down {:.0}% of its {} branches",
                s * 100.0,
                t.escalation.branches
            ));
        }
    }
    parts.join("; ")
}

/// The summary of `r`.
pub fn summary(r: &Report) -> Summary {
    let c = &r.corpus;
    let with_flags = c.threads_flagged;
    // The queue by an attribute head holds what that head flags.
    let by_head = (r.queue_sort != "incivility").then(|| r.queue_sort.replace('_', " "));
    let lead = if r.queue_total == 0 {
        format!(
            "No comment reaches the {} threshold ({:.2}): nothing needs review by this model among {} in {}.",
            by_head.as_deref().unwrap_or("incivility"),
            r.queue_threshold,
            plural(c.comments, "comment", "comments"),
            plural(c.threads, "thread", "threads")
        )
    } else {
        // Threads with flags are counted for the incivility flag only.
        let threads = match &by_head {
            Some(_) => String::new(),
            None => format!(
                ", in {} of {}",
                with_flags,
                plural(c.threads, "thread", "threads")
            ),
        };
        format!(
            "{} need review (P({}) at or over {:.2}): {:.1}% of {}{threads}.",
            plural(r.queue_total, "comment", "comments"),
            by_head.as_deref().unwrap_or("uncivil"),
            r.queue_threshold,
            100.0 * r.queue_total as f64 / c.comments.max(1) as f64,
            plural(c.comments, "comment", "comments"),
        )
    };
    let first = r
        .threads
        .iter()
        .enumerate()
        .filter(|(_, t)| t.attention > 0.0)
        .take(FIRST_THREADS)
        .map(|(i, t)| (i, why(t)))
        .collect();
    let mut count: HashMap<String, u64> = HashMap::new();
    for q in &r.queue {
        let mut seen = Vec::new();
        for rd in readable_reasons(&q.reasons, 3) {
            if !seen.contains(&rd.label) {
                *count.entry(rd.label.clone()).or_default() += 1;
                seen.push(rd.label);
            }
        }
    }
    let mut drivers: Vec<(String, u64)> = count.into_iter().collect();
    drivers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    drivers.truncate(DRIVERS);
    let m = c.stance_mix;
    let replies: u64 = m.iter().sum();
    let stance = (replies > 0).then(|| {
        let mut parts: Vec<(u64, &str)> = m
            .iter()
            .zip(c.stance_labels)
            .map(|(&n, l)| (n, l))
            .collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        format!(
            "Replies toward their parent: {}.",
            parts
                .iter()
                .map(|(n, l)| format!("{:.0}% {l}", 100.0 * *n as f64 / replies as f64))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    Summary {
        lead,
        first,
        drivers,
        stance,
    }
}

/// Reasons of one comment that point at the same thing, for people: the
/// label ([`reason_label`], or the words in quotes), the log-odds added
/// up, and the feature names it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Readable {
    pub label: String,
    pub weight: f64,
    pub features: Vec<String>,
}

/// The words a feature points at, lowercased and quoted (`word:Idiot`,
/// `tok:idi ##ot` and `cue:lex_mean:idiot` all read `“idiot”`), with
/// `in the parent: ` before a parent's; `None` for a cue without a word,
/// the embedding or a character n-gram.
fn pointed_words(feature: &str) -> Option<String> {
    let (kind, rest) = feature.split_once(':')?;
    let words = match kind {
        "parent" => return pointed_words(rest).map(|w| format!("in the parent: {w}")),
        "word" => rest.to_string(),
        "tok" => join_tokens(rest),
        "cue" => rest.split_once(':')?.1.to_string(),
        _ => return None,
    };
    let lower: String = words.chars().map(lower_char).collect();
    if lower == crate::features::groups::SHOWN {
        return Some(GROUP_LABEL.into());
    }
    (!lower.is_empty()).then(|| format!("“{lower}”"))
}

/// How a reason reads that is the word every group's name shares
/// (`word:[group]`, `tok:[group]`; models trained with `--group-word`).
const GROUP_LABEL: &str = "naming a group";

/// The first `n` reasons pushing up of an explanation (strongest first),
/// those that point at the same words taken together: `word:fuck`,
/// `tok:fuck` and `cue:lex_profane:fuck` read as one `“fuck”` with their
/// log-odds added, so a reader sees what the flag rests on once and not a
/// word repeated in three guises. Strongest first (ties: first seen).
pub fn readable_reasons(reasons: &[crate::classify::Contribution], n: usize) -> Vec<Readable> {
    let mut out: Vec<(Option<String>, Readable)> = Vec::new();
    for c in reasons.iter().filter(|c| c.weight > 0.0).take(n) {
        let key = pointed_words(&c.feature);
        match out.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, r)) => {
                r.weight += c.weight;
                r.features.push(c.feature.clone());
            }
            None => {
                let r = Readable {
                    label: key.clone().unwrap_or_else(|| reason_label(&c.feature)),
                    weight: c.weight,
                    features: vec![c.feature.clone()],
                };
                out.push((key, r));
            }
        }
    }
    let mut out: Vec<Readable> = out.into_iter().map(|(_, r)| r).collect();
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    out
}

/// A feature name of an explanation in words: `word:idiot` → `“idiot”`,
/// `tok:shut up` → `“shut up”`, `chr:_idi` → `“idi…”`, `cue:exclaim_log`
/// → `exclamation marks`; other names as they are.
pub fn reason_label(feature: &str) -> String {
    let Some((kind, rest)) = feature.split_once(':') else {
        return feature.to_string();
    };
    match kind {
        "parent" => format!("in the parent: {}", reason_label(rest)),
        // The word every group's name shares (`train --group-word`).
        "word" | "tok" if rest == crate::features::groups::SHOWN => GROUP_LABEL.into(),
        "word" => format!("“{rest}”"),
        "tok" => format!("“{}”", join_tokens(rest)),
        "chr" => {
            let start = rest.starts_with('_');
            let end = rest.ends_with('_') && rest.len() > 1;
            let core = rest.trim_matches('_');
            format!(
                "“{}{core}{}”",
                if start { "" } else { "…" },
                if end { "" } else { "…" }
            )
        }
        "cue" => match rest.split_once(':') {
            // A word-list cue with the word it points at (`lex_mean:moron`).
            Some((cue, word)) => format!("{}: “{word}”", cue_label(cue)),
            None => cue_label(rest),
        },
        _ => feature.to_string(),
    }
}

/// A dense input of the head (a `cue:` feature without its word) in words.
fn cue_label(cue: &str) -> String {
    match cue {
        "len_log" => "length".into(),
        "caps_ratio" => "capital letters".into(),
        "exclaim_log" => "exclamation marks".into(),
        "question_log" => "question marks".into(),
        "second_person_log" => "addressing “you”".into(),
        "negation_log" => "negations".into(),
        "elongation" => "stretched words or marks (sooo, !!!)".into(),
        "leet" => "disguised spelling (sh1t)".into(),
        "url" => "links".into(),
        "mention" => "@-mentions".into(),
        "invisible" => "invisible characters".into(),
        "empty" => "empty text".into(),
        "embedding" => "overall wording (embedding)".into(),
        "lex_profane" => "a profane word".into(),
        "lex_offensive" => "an offensive word".into(),
        "lex_sexual" => "a sexual word".into(),
        "lex_mean" => "an insulting word".into(),
        "lex_profane_share" => "share of profane words".into(),
        "lex_offensive_share" => "share of offensive words".into(),
        "lex_sexual_share" => "share of sexual words".into(),
        "lex_mean_share" => "share of insulting words".into(),
        "sent_negative" => "a negative word".into(),
        "sent_negative_share" => "share of strongly negative words".into(),
        "sent_positive" => "a positive word".into(),
        "sent_positive_share" => "share of strongly positive words".into(),
        other => other.replace('_', " "),
    }
}

/// Tokens of a `tok:` feature as text: WordPiece continuations (`##s`)
/// joined to the token before.
fn join_tokens(s: &str) -> String {
    let mut o = String::new();
    for t in s.split(' ').filter(|t| !t.is_empty()) {
        match t.strip_prefix("##") {
            Some(cont) => o.push_str(cont),
            None => {
                if !o.is_empty() {
                    o.push(' ');
                }
                o.push_str(t);
            }
        }
    }
    o
}

/// One thing to find in a text: its pieces (matched in order, white space
/// allowed between them) and whether it must start / end at a word edge.
struct Pattern {
    pieces: Vec<Vec<char>>,
    start_edge: bool,
    end_edge: bool,
}

/// A whole word, matched without regard to case.
fn word_pattern(word: &str) -> Pattern {
    Pattern {
        pieces: vec![word.chars().map(lower_char).collect()],
        start_edge: true,
        end_edge: true,
    }
}

fn pattern(feature: &str) -> Option<Pattern> {
    let (kind, rest) = feature.split_once(':')?;
    let lower = |s: &str| -> Vec<char> { s.chars().map(lower_char).collect() };
    let p = match kind {
        "word" => word_pattern(rest),
        "tok" => Pattern {
            pieces: join_tokens(rest).split(' ').map(lower).collect(),
            start_edge: true,
            end_edge: false,
        },
        "chr" => Pattern {
            pieces: vec![lower(rest.trim_matches('_'))],
            start_edge: rest.starts_with('_'),
            end_edge: rest.len() > 1 && rest.ends_with('_'),
        },
        // A word-list cue's word or phrase, whole words.
        "cue" => Pattern {
            pieces: rest.split_once(':')?.1.split(' ').map(lower).collect(),
            start_edge: true,
            end_edge: true,
        },
        _ => return None,
    };
    // Too short to point at anything in particular.
    let len: usize = p.pieces.iter().map(Vec::len).sum();
    (len >= 2 && p.pieces.iter().all(|x| !x.is_empty())).then_some(p)
}

fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Where the words of `features` are in `text`: sorted, merged character
/// ranges `[start, end)` (character indices). The shared group word
/// (`word:[group]`) points at every listed group name in the text. Bounded
/// work: the text and the features are short (a tree keeps at most a few
/// thousand characters), and the names are a fixed list.
pub fn highlights<'a>(
    text: &str,
    features: impl IntoIterator<Item = &'a str>,
) -> Vec<(usize, usize)> {
    let lower: Vec<char> = text.chars().map(lower_char).collect();
    let n = lower.len();
    let mut ranges = Vec::new();
    let mut patterns = Vec::new();
    for f in features {
        if pointed_words(f).as_deref() == Some(GROUP_LABEL) {
            // Every name is a word of three letters or more.
            let names = crate::features::spelling::GROUPS.iter();
            patterns.extend(names.map(|g| word_pattern(g)));
        } else {
            patterns.extend(pattern(f));
        }
    }
    for p in patterns {
        let first = p.pieces[0][0];
        for i in 0..n {
            if lower[i] != first {
                continue;
            }
            if p.start_edge && is_word(first) && i > 0 && is_word(lower[i - 1]) {
                continue;
            }
            let mut j = i;
            let mut ok = true;
            for (k, piece) in p.pieces.iter().enumerate() {
                if k > 0 {
                    while j < n && lower[j].is_whitespace() {
                        j += 1;
                    }
                }
                if j + piece.len() > n || lower[j..j + piece.len()] != piece[..] {
                    ok = false;
                    break;
                }
                j += piece.len();
            }
            let last = p
                .pieces
                .last()
                .and_then(|x| x.last())
                .copied()
                .unwrap_or(' ');
            if ok && p.end_edge && is_word(last) && j < n && is_word(lower[j]) {
                ok = false;
            }
            if ok {
                ranges.push((i, j));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(reason_label("word:idiot"), "“idiot”");
        assert_eq!(reason_label("word:[group]"), "naming a group");
        assert_eq!(reason_label("tok:[group]"), "naming a group");
        assert_eq!(reason_label("tok:hate [group]"), "“hate [group]”");
        assert_eq!(
            pointed_words("word:[group]").as_deref(),
            Some("naming a group")
        );
        assert_eq!(
            pointed_words("tok:[group]").as_deref(),
            Some("naming a group")
        );
        assert_eq!(reason_label("tok:shut up"), "“shut up”");
        assert_eq!(reason_label("tok:f ##uck off"), "“fuck off”");
        assert_eq!(reason_label("chr:_idi"), "“idi…”");
        assert_eq!(reason_label("chr:iot_"), "“…iot”");
        assert_eq!(reason_label("cue:exclaim_log"), "exclamation marks");
        assert_eq!(reason_label("cue:new_thing"), "new thing");
        assert_eq!(reason_label("odd"), "odd");
        assert_eq!(reason_label("parent:word:liar"), "in the parent: “liar”");
        assert_eq!(reason_label("cue:lex_mean"), "an insulting word");
        assert_eq!(
            reason_label("cue:lex_mean:moron"),
            "an insulting word: “moron”"
        );
        assert_eq!(
            reason_label("cue:sent_negative_share:kill"),
            "share of strongly negative words: “kill”"
        );
        assert_eq!(
            reason_label("cue:lex_sexual:blow me"),
            "a sexual word: “blow me”"
        );
        assert_eq!(
            reason_label("cue:sent_positive:love"),
            "a positive word: “love”"
        );
    }

    #[test]
    fn reasons_at_the_same_words_read_as_one() {
        let c = |f: &str, w: f64| crate::classify::Contribution {
            feature: f.into(),
            weight: w,
        };
        let r = readable_reasons(
            &[
                c("tok:fuck", 2.0),
                c("cue:embedding", 1.5),
                c("word:Fuck", 1.0),
                c("cue:lex_profane:fuck", 0.5),
                c("cue:exclaim_log", 0.4),
                c("parent:word:fuck", 0.3),
                c("tok:off", 0.2),
                c("cue:len_log", -1.0),
            ],
            6,
        );
        let got: Vec<(&str, f64, usize)> = r
            .iter()
            .map(|r| (r.label.as_str(), r.weight, r.features.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("“fuck”", 3.5, 3),
                ("overall wording (embedding)", 1.5, 1),
                ("exclamation marks", 0.4, 1),
                ("in the parent: “fuck”", 0.3, 1),
            ]
        );
        assert_eq!(
            r[0].features,
            ["tok:fuck", "word:Fuck", "cue:lex_profane:fuck"]
        );
        // Only the first n pushing up; cues without a word stay apart.
        let r = readable_reasons(&[c("cue:lex_mean", 1.0), c("cue:lex_sexual", 0.5)], 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].label, "an insulting word");
        assert!(readable_reasons(&[c("tok:x", -1.0)], 5).is_empty());
    }

    #[test]
    fn highlights_find_the_words_of_the_reasons() {
        let t = "You are an IDIOT. Shut  up, idiots! idiotic";
        let at = |r: &[(usize, usize)]| -> Vec<String> {
            let cs: Vec<char> = t.chars().collect();
            r.iter().map(|&(s, e)| cs[s..e].iter().collect()).collect()
        };
        // Whole words only for `word:`.
        assert_eq!(at(&highlights(t, ["word:idiot"])), ["IDIOT"]);
        // Tokens with white space between them; a token may start a longer word.
        assert_eq!(at(&highlights(t, ["tok:shut up"])), ["Shut  up"]);
        assert_eq!(
            at(&highlights(t, ["tok:idiot"])),
            ["IDIOT", "idiot", "idiot"]
        );
        // Character n-grams at a word start; overlapping ranges merge.
        assert_eq!(
            at(&highlights(t, ["chr:_idi", "tok:idiot"])),
            ["IDIOT", "idiot", "idiot"]
        );
        // Cues and one-letter pieces point at nothing.
        assert!(highlights(t, ["cue:exclaim_log", "tok:a", "word:"]).is_empty());
        // A word-list cue's word or phrase, whole words.
        assert_eq!(at(&highlights(t, ["cue:lex_mean:idiots"])), ["idiots"]);
        assert_eq!(at(&highlights(t, ["cue:lex_x:shut up"])), ["Shut  up"]);
        // Not inside other words.
        assert!(highlights("rapidiot", ["tok:idiot"]).is_empty());
        assert!(highlights("", ["word:x y"]).is_empty());
        // The shared group word points at the names it follows.
        let g = "Muslims and gay people, not Muslimsx";
        let at_g = |r: &[(usize, usize)]| -> Vec<String> {
            r.iter()
                .map(|&(a, b)| g.chars().skip(a).take(b - a).collect())
                .collect()
        };
        assert_eq!(at_g(&highlights(g, ["word:[group]"])), ["Muslims", "gay"]);
        assert_eq!(at_g(&highlights(g, ["tok:[group]"])), ["Muslims", "gay"]);
    }
}

//! Report renderings: Markdown, the moderation queue as CSV, and the
//! escaping and table pieces they share with the HTML page ([`super::html`]). Comment text is
//! hostile: HTML escapes every character that matters, shows bidi and
//! zero-width controls as visible `⟨U+XXXX⟩` marks inside `<bdi>` (so a
//! right-to-left override cannot flip the page around it); Markdown
//! escapes its own syntax and raw HTML; CSV cells that a spreadsheet would
//! run as a formula (`= + - @`, tab, CR) get a leading `'`.

use std::fmt::Write as _;

use super::dynamics::stance_name;
use super::dynamics::ThreadStats;
use super::report::Report;

/// Whether a character reorders or hides text (bidi controls, zero-width
/// and other invisible format characters, C0/C1 controls except newline
/// and tab).
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}' | '\u{061C}' | '\u{00AD}' | '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}')
        || (c.is_control() && c != '\n' && c != '\t')
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if is_hidden(c) => {
                let _ = write!(o, "⟨U+{:04X}⟩", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// User text as inert HTML: escaped and isolated.
pub(super) fn user(s: &str) -> String {
    format!("<bdi>{}</bdi>", html_escape(s))
}

/// Escape text for a Markdown table cell or paragraph.
pub fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\n' | '\r' | '\t' => o.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' => {
                o.push('\\');
                o.push(c);
            }
            c if is_hidden(c) => {
                let _ = write!(o, "⟨U+{:04X}⟩", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// A CSV cell a spreadsheet will not run as a formula.
pub fn csv_safe(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if is_hidden(c) && c != '\r' { ' ' } else { c })
        .collect();
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s,
    }
}

pub(super) fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

fn reasons(r: &[crate::classify::Contribution], n: usize) -> String {
    r.iter()
        .filter(|c| c.weight > 0.0)
        .take(n)
        .map(|c| format!("{} (+{:.2})", c.feature, c.weight))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`reasons`] in words (`“idiot” (+2.45)`), for people: those at the
/// same words as one ([`super::summary::readable_reasons`]).
fn readable_reasons(r: &[crate::classify::Contribution], n: usize) -> String {
    super::summary::readable_reasons(r, n)
        .iter()
        .map(|r| format!("{} (+{:.2})", r.label, r.weight))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The corpus table: `(measure, value, 95% interval)`, shared by the
/// Markdown and HTML renderings (each escapes for its own syntax).
pub(super) fn corpus_rows(c: &super::report::Corpus) -> Vec<(&'static str, String, String)> {
    let iv = |v: Option<super::report::Interval>| match v {
        Some(v) => (
            format!("{:.4}", v.value),
            format!("{:.4} – {:.4}", v.low, v.high),
        ),
        None => ("–".to_string(), "–".to_string()),
    };
    let mut rows = Vec::new();
    for (name, v) in [
        ("mean P(uncivil)", Some(c.incivility_mean)),
        ("share uncivil", Some(c.uncivil_share)),
        ("P(uncivil | parent uncivil)", c.p_after_uncivil),
        ("P(uncivil | parent civil)", c.p_after_civil),
        ("contagion lift", c.lift),
    ] {
        let (a, b) = iv(v);
        rows.push((name, a, b));
    }
    let m = c.stance_mix;
    for (name, value) in [
        ("uncivil comments", c.uncivil.to_string()),
        (
            "stance agree / disagree / query / comment",
            format!("{} / {} / {} / {}", m[0], m[1], m[2], m[3]),
        ),
        (
            "mean structural virality",
            format!("{:.3}", c.structural_virality_mean),
        ),
        ("max depth", c.max_depth.to_string()),
        (
            "share of branches (≥ 3 comments) with rising incivility",
            format!(
                "{} (of {} branches)",
                opt(c.escalation_share_rising, 3),
                c.escalation_branches
            ),
        ),
        (
            "longest disagreement chain",
            c.longest_disagreement_chain.to_string(),
        ),
        (
            "threads with a disagreement chain ≥ 3",
            c.threads_with_chain_3.to_string(),
        ),
        ("flame dyads", c.flame_dyads.to_string()),
    ] {
        rows.push((name, value, String::new()));
    }
    rows
}

/// Column names of the thread table after `#` and `thread`: the
/// metrics, then one per attribute head (comments at or over 0.5).
pub(super) fn thread_headers(attributes: &[String]) -> Vec<String> {
    let mut h: Vec<String> = [
        "attention",
        "comments",
        "participants",
        "max depth",
        "max width",
        "branching",
        "virality",
        "mean P",
        "uncivil",
        "first uncivil (depth, pos.)",
        "toxic subtree",
        "escalation slope",
        "rising",
        "lift",
        "agree/disagree/query/comment",
        "disagreement chain",
        "flame dyads",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    h.extend(attributes.iter().map(|a| format!("{a} ≥ .5")));
    h
}

/// Queue columns for the attribute heads: `P(insult)`, ...
fn attribute_headers(attributes: &[String]) -> Vec<String> {
    attributes.iter().map(|a| format!("P({a})")).collect()
}

/// A queue item's attribute values in `attributes` order.
fn attribute_values(q: &super::report::QueueItem, attributes: &[String]) -> Vec<String> {
    attributes
        .iter()
        .map(|a| opt(q.attributes.get(a).copied(), 3))
        .collect()
}

/// A thread's participants for the tables: `–` when none of its comments
/// names an author (page captures without names), where `0` would read as
/// a thread nobody wrote.
fn participants(t: &ThreadStats) -> String {
    if t.participants == 0 && t.comments > 0 {
        "–".into()
    } else {
        t.participants.to_string()
    }
}

/// What the thread tables' `participants` and `attention` columns mean.
pub(super) const THREAD_NOTE: &str = "Attention = uncivil · (1 + toxic subtree share) + 0.5 · (longest disagreement chain − 1) + 2 · flame dyads. Participants: distinct named authors (– when the input names none).";

/// A thread's cells for [`thread_headers`], `(numeric, text)`, with user
/// text escaped by `esc`; shared by the Markdown and HTML tables.
pub(super) fn thread_cells(
    t: &ThreadStats,
    attributes: &[String],
    esc: &dyn Fn(&str) -> String,
) -> Vec<(bool, String)> {
    let mut cells = vec![
        (true, format!("{:.2}", t.attention)),
        (true, t.comments.to_string()),
        (true, participants(t)),
        (true, t.max_depth.to_string()),
        (true, t.max_width.to_string()),
        (true, format!("{:.2}", t.branching)),
        (true, format!("{:.2}", t.structural_virality)),
        (true, format!("{:.3}", t.incivility_mean)),
        (true, t.uncivil.to_string()),
        (
            false,
            t.first_uncivil.as_ref().map_or("–".into(), |f| {
                format!("{} ({}, {})", esc(&f.id), f.depth, f.position)
            }),
        ),
        (true, format!("{:.2}", t.toxic_subtree_share)),
        (true, opt(t.escalation.mean_slope, 3)),
        (true, opt(t.escalation.share_rising, 2)),
        (true, opt(t.contagion.lift(), 2)),
        (false, t.stance_mix.map(|v| v.to_string()).join(" / ")),
        (true, t.longest_disagreement_chain.to_string()),
        (
            false,
            t.flame_dyads
                .iter()
                .map(|d| {
                    format!(
                        "{} ↔ {} ({})",
                        esc(&d.authors[0]),
                        esc(&d.authors[1]),
                        d.length
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ];
    cells.extend(attributes.iter().map(|a| {
        let n = t.attributes.get(a);
        (true, n.map_or("–".into(), |n| n.to_string()))
    }));
    cells
}

/// The Markdown report.
pub fn markdown(r: &Report, queue_rows: usize, thread_rows: usize) -> String {
    let c = &r.corpus;
    let mut o = String::new();
    let _ = writeln!(o, "# threadlens report\n");
    let _ = writeln!(
        o,
        "{} threads, {} comments, {} participants. Incivility threshold {:.3}. Models: incivility `{}`, stance `{}`. Intervals: {}.\n",
        c.threads,
        c.comments,
        c.participants_shown(),
        r.threshold,
        &r.models.incivility[..16.min(r.models.incivility.len())],
        r.models.stance.as_deref().map_or("none", |s| &s[..16.min(s.len())]),
        c.interval_method
    );
    let sm = super::summary::summary(r);
    let _ = writeln!(o, "## Summary\n\n**{}**\n", md_escape(&sm.lead));
    if !sm.first.is_empty() {
        let _ = writeln!(o, "Open these threads first:\n");
        for (k, (i, why)) in sm.first.iter().enumerate() {
            let t = &r.threads[*i];
            let name = if t.title.is_empty() {
                md_escape(&t.id)
            } else {
                format!("{} ({})", md_escape(&t.title), md_escape(&t.id))
            };
            let _ = writeln!(o, "{}. {name} — {}", k + 1, md_escape(why));
        }
        o.push('\n');
    }
    if let Some(d) = sm.drivers_sentence(&md_escape) {
        let _ = writeln!(o, "{d}\n");
    }
    if let Some(st) = &sm.stance {
        let _ = writeln!(o, "{}\n", md_escape(st));
    }
    let attr_h: String = attribute_headers(&r.attributes)
        .iter()
        .map(|h| format!(" {h} |"))
        .collect();
    let _ = writeln!(
        o,
        "## Moderation queue (top {} of {}, by {})\n\n| # | P(uncivil) |{attr_h} thread | comment | author | stance | reasons | text | parent | source |\n|---|---|{}---|---|---|---|---|---|---|---|",
        queue_rows.min(r.queue.len()),
        r.queue.len(),
        md_escape(&r.queue_sort),
        "---|".repeat(r.attributes.len())
    );
    for q in r.queue.iter().take(queue_rows) {
        let attr_v: String = attribute_values(q, &r.attributes)
            .iter()
            .map(|v| format!(" {v} |"))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {:.3} |{attr_v} {} | {} | {} | {} | {} | {} | {} | {} |",
            q.rank,
            q.incivility,
            md_escape(&q.thread),
            md_escape(&q.id),
            md_escape(q.author.as_deref().unwrap_or("")),
            q.stance.unwrap_or("–"),
            md_escape(&match &q.domain {
                Some(d) => format!("({d} model) {}", readable_reasons(&q.reasons, 5)),
                None => readable_reasons(&q.reasons, 5),
            }),
            md_escape(&q.text),
            md_escape(&q.parent_text),
            md_escape(&q.source)
        );
    }
    let cols = thread_headers(&r.attributes);
    let _ = writeln!(
        o,
        "\n## Threads by attention (top {})\n\n{THREAD_NOTE}\n\n| # | thread | {} |\n|---|---|{}",
        thread_rows.min(r.threads.len()),
        cols.join(" | "),
        "---|".repeat(cols.len())
    );
    for (k, t) in r.threads.iter().take(thread_rows).enumerate() {
        let name = if t.title.is_empty() {
            md_escape(&t.id)
        } else {
            format!("{} ({})", md_escape(&t.title), md_escape(&t.id))
        };
        let cells: Vec<String> = thread_cells(t, &r.attributes, &md_escape)
            .into_iter()
            .map(|c| c.1)
            .collect();
        let _ = writeln!(o, "| {} | {name} | {} |", k + 1, cells.join(" | "));
    }
    let _ = writeln!(
        o,
        "\n## Corpus statistics\n\n| measure | value | 95% interval |\n|---|---|---|"
    );
    for (name, value, interval) in corpus_rows(c) {
        let _ = writeln!(o, "| {} | {value} | {interval} |", md_escape(name));
    }
    o.push('\n');
    let _ = writeln!(o, "## Incivility by depth\n\n| depth | comments | mean P(uncivil) | share uncivil |\n|---|---|---|---|");
    for d in &r.by_depth {
        let _ = writeln!(
            o,
            "| {}{} | {} | {:.4} | {:.4} |",
            d.depth,
            if d.and_deeper { "+" } else { "" },
            d.comments,
            d.incivility_mean,
            d.uncivil_share
        );
    }
    let _ = writeln!(
        o,
        "\n## Score histogram\n\n| P(uncivil) | comments |\n|---|---|"
    );
    let bins = r.histogram.len().max(1) as f64;
    for (i, h) in r.histogram.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {:.2}–{:.2} | {h} |",
            i as f64 / bins,
            (i + 1) as f64 / bins
        );
    }
    o
}

/// The moderation queue as CSV (every flagged comment).
pub fn queue_csv(r: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["rank".into(), "incivility".into()];
    header.extend(r.attributes.iter().cloned());
    header.extend(
        [
            "thread",
            "id",
            "author",
            "depth",
            "stance",
            "reasons",
            "text",
            "parent_text",
            "source",
            "thread_attention",
        ]
        .iter()
        .map(|h| h.to_string()),
    );
    w.write_record(&header)?;
    for q in &r.queue {
        let mut row = vec![q.rank.to_string(), format!("{:.4}", q.incivility)];
        row.extend(r.attributes.iter().map(|a| {
            q.attributes
                .get(a)
                .map_or(String::new(), |v| format!("{v:.4}"))
        }));
        row.extend([
            csv_safe(&q.thread),
            csv_safe(&q.id),
            csv_safe(q.author.as_deref().unwrap_or("")),
            q.depth.to_string(),
            q.stance.unwrap_or("").to_string(),
            csv_safe(&reasons(&q.reasons, 5)),
            csv_safe(&q.text),
            csv_safe(&q.parent_text),
            csv_safe(&q.source),
            format!("{:.3}", q.thread_attention),
        ]);
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub use super::html::html;

/// Stance label of an index, for callers that render rows.
pub fn stance_label(s: Option<usize>) -> &'static str {
    s.map_or("", stance_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_makes_markup_and_controls_inert() {
        let s = html_escape("<script>alert('x')</script> &amp; \u{202E}evil\u{200B}");
        assert!(!s.contains('<') && !s.contains('>'));
        assert!(s.contains("&lt;script&gt;"));
        assert!(
            s.contains("&amp;amp;"),
            "entities are shown, not decoded: {s}"
        );
        assert!(s.contains("⟨U+202E⟩") && s.contains("⟨U+200B⟩"));
        assert!(!s.contains('\u{202E}'));
        assert_eq!(html_escape("a\"b'"), "a&quot;b&#39;");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for bad in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
        ] {
            assert!(csv_safe(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(csv_safe("plain"), "plain");
        assert_eq!(csv_safe("a\u{202E}b"), "a b");
    }

    #[test]
    fn markdown_escape_keeps_tables_and_html_inert() {
        let s = md_escape("a|b <img src=x> [l](u)\nnext");
        assert!(!s.contains('<') && !s.contains('\n'));
        assert!(s.contains("a\\|b") && s.contains("\\[l\\]"));
    }
}

//! Report renderings: one self-contained HTML file (no network: inline CSS,
//! inline SVG charts, a few lines of inline script to sort the thread
//! table), Markdown, and the moderation queue as CSV. Comment text is
//! hostile: HTML escapes every character that matters, shows bidi and
//! zero-width controls as visible `⟨U+XXXX⟩` marks inside `<bdi>` (so a
//! right-to-left override cannot flip the page around it); Markdown
//! escapes its own syntax and raw HTML; CSV cells that a spreadsheet would
//! run as a formula (`= + - @`, tab, CR) get a leading `'`.

use std::fmt::Write as _;

use super::dynamics::stance_name;
use super::dynamics::ThreadStats;
use super::report::{Report, TreeNode};

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
fn user(s: &str) -> String {
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

fn opt(v: Option<f64>, digits: usize) -> String {
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

/// The corpus table: `(measure, value, 95% interval)`, shared by the
/// Markdown and HTML renderings (each escapes for its own syntax).
fn corpus_rows(c: &super::report::Corpus) -> Vec<(&'static str, String, String)> {
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
fn thread_headers(attributes: &[String]) -> Vec<String> {
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
const THREAD_NOTE: &str = "Attention = uncivil · (1 + toxic subtree share) + 0.5 · (longest disagreement chain − 1) + 2 · flame dyads. Participants: distinct named authors (– when the input names none).";

/// A thread's cells for [`thread_headers`], `(numeric, text)`, with user
/// text escaped by `esc`; shared by the Markdown and HTML tables.
fn thread_cells(
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
        c.participants,
        r.threshold,
        &r.models.incivility[..16.min(r.models.incivility.len())],
        r.models.stance.as_deref().map_or("none", |s| &s[..16.min(s.len())]),
        c.interval_method
    );
    let _ = writeln!(
        o,
        "## Corpus\n\n| measure | value | 95% interval |\n|---|---|---|"
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
    let attr_h: String = attribute_headers(&r.attributes)
        .iter()
        .map(|h| format!(" {h} |"))
        .collect();
    let _ = writeln!(
        o,
        "\n## Moderation queue (top {} of {}, by {})\n\n| # | P(uncivil) |{attr_h} thread | comment | author | stance | reasons | text | parent | source |\n|---|---|{}---|---|---|---|---|---|---|---|",
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
            md_escape(&reasons(&q.reasons, 5)),
            md_escape(&q.text),
            md_escape(&q.parent_text),
            md_escape(&q.source)
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

/// Colour class of a score: 10 steps.
fn band(p: Option<f64>) -> String {
    match p {
        None => "nx".into(),
        Some(p) => format!("b{}", ((p * 10.0) as usize).min(9)),
    }
}

fn svg_bars(values: &[f64], labels: &[String], width: f64, height: f64, title: &str) -> String {
    let n = values.len().max(1) as f64;
    let max = values.iter().copied().fold(0.0f64, f64::max).max(1e-12);
    let bw = width / n;
    let mut s = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\">",
        html_escape(title),
        width,
        height + 20.0,
        width,
        height + 20.0
    );
    for (i, (&v, l)) in values.iter().zip(labels).enumerate() {
        let h = v / max * height;
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"bar\"><title>{}: {}</title></rect>",
            i as f64 * bw + 1.0,
            height - h,
            (bw - 2.0).max(1.0),
            h,
            html_escape(l),
            v
        );
        if values.len() <= 20 && (i % 2 == 0 || values.len() <= 10) {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\">{}</text>",
                i as f64 * bw + 2.0,
                height + 14.0,
                html_escape(l)
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn tree_html(o: &mut String, nodes: &[TreeNode]) {
    // Pre-order with parents: emit nested lists by depth changes.
    let mut stack: Vec<usize> = Vec::new();
    o.push_str("<ul class=\"tree\">");
    for (i, n) in nodes.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if Some(top) == n.parent {
                break;
            }
            stack.pop();
            o.push_str("</ul></li>");
        }
        let stance = n.stance.unwrap_or("");
        let _ = write!(
            o,
            "<li><div class=\"node {}\" data-id=\"{}\">{}<span class=\"meta\">{}{}</span> {}</div><ul>",
            band(n.incivility),
            html_escape(&n.id),
            if stance.is_empty() {
                String::new()
            } else {
                format!("<span class=\"edge s-{stance}\">{stance}</span> ")
            },
            n.author.as_deref().map_or(String::new(), |a| format!("{} · ", user(a))),
            n.incivility.map_or("root".into(), |p| format!("P(uncivil) {p:.2}")),
            user(&n.text)
        );
        stack.push(i);
    }
    for _ in &stack {
        o.push_str("</ul></li>");
    }
    o.push_str("</ul>");
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4;cursor:pointer;user-select:none}th.sorted-asc::after{content:' ▲'}th.sorted-desc::after{content:' ▼'}
td.num{text-align:right;font-variant-numeric:tabular-nums}.txt{max-width:420px;overflow-wrap:anywhere}
.bar{fill:#c0504d}.ax{font-size:9px;fill:#555}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.2em;border-left:1px dotted #bbb}
.node{margin:3px 0;padding:3px 6px;border-left:6px solid #ccc;background:#fafafa;overflow-wrap:anywhere}
.meta{color:#666;font-size:12px}.edge{font-size:11px;padding:0 4px;border-radius:3px;color:#fff;background:#888}
.s-agree{background:#2e7d32}.s-disagree{background:#c62828}.s-query{background:#1565c0}.s-comment{background:#757575}
.nx{border-left-color:#ccc}.b0{border-left-color:#e8f5e9}.b1{border-left-color:#c8e6c9}.b2{border-left-color:#dcedc8}.b3{border-left-color:#fff9c4}
.b4{border-left-color:#ffe082}.b5{border-left-color:#ffb74d}.b6{border-left-color:#ff8a65}.b7{border-left-color:#f4511e}.b8{border-left-color:#d32f2f}.b9{border-left-color:#8e0000}
.b5,.b6,.b7,.b8,.b9{background:#fff3f0}details{margin:.4em 0}summary{cursor:pointer;font-weight:600}.note{color:#555}.scroll{overflow-x:auto;max-width:100%}";

const JS: &str = "document.querySelectorAll('table.sortable').forEach(function(t){var hs=t.tHead.rows[0].cells;for(let i=0;i<hs.length;i++){hs[i].addEventListener('click',function(){var b=t.tBodies[0];var rows=Array.prototype.slice.call(b.rows);var asc=!hs[i].classList.contains('sorted-asc');for(var h of hs){h.classList.remove('sorted-asc','sorted-desc');}hs[i].classList.add(asc?'sorted-asc':'sorted-desc');rows.sort(function(x,y){var a=x.cells[i].getAttribute('data-v')||x.cells[i].textContent,c=y.cells[i].getAttribute('data-v')||y.cells[i].textContent;var na=parseFloat(a),nc=parseFloat(c);var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});});}});";

/// The self-contained HTML report.
pub fn html(r: &Report, queue_rows: usize, thread_rows: usize) -> String {
    let c = &r.corpus;
    let mut o = String::with_capacity(1 << 16);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"><title>threadlens report</title><style>{CSS}</style></head><body><h1>threadlens report</h1>"
    );
    let _ = write!(
        o,
        "<p>{} threads · {} comments · {} participants · incivility threshold {:.3} · models: incivility <code>{}</code>, stance <code>{}</code> · {}</p>",
        c.threads,
        c.comments,
        c.participants,
        r.threshold,
        html_escape(&r.models.incivility[..16.min(r.models.incivility.len())]),
        html_escape(r.models.stance.as_deref().map_or("none", |s| &s[..16.min(s.len())])),
        html_escape(&r.created_by)
    );
    o.push_str("<h2>Corpus</h2><table><thead><tr><th>measure</th><th>value</th><th>95% interval</th></tr></thead><tbody>");
    for (name, value, interval) in corpus_rows(c) {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"num\">{value}</td><td class=\"num\">{interval}</td></tr>",
            html_escape(name)
        );
    }
    let _ = write!(
        o,
        "</tbody></table><p class=\"note\">{}</p>",
        html_escape(&c.interval_method)
    );
    let bins = r.histogram.len().max(1) as f64;
    let hl: Vec<String> = (0..r.histogram.len())
        .map(|i| format!("{:.2}", i as f64 / bins))
        .collect();
    let hv: Vec<f64> = r.histogram.iter().map(|&v| v as f64).collect();
    o.push_str("<h2>Score histogram</h2>");
    o.push_str(&svg_bars(
        &hv,
        &hl,
        600.0,
        140.0,
        "comments per P(uncivil) bin",
    ));
    o.push_str("<h2>Incivility by depth</h2>");
    let dl: Vec<String> = r
        .by_depth
        .iter()
        .map(|d| format!("{}{}", d.depth, if d.and_deeper { "+" } else { "" }))
        .collect();
    let dv: Vec<f64> = r.by_depth.iter().map(|d| d.incivility_mean).collect();
    o.push_str(&svg_bars(
        &dv,
        &dl,
        600.0,
        120.0,
        "mean P(uncivil) per depth",
    ));
    o.push_str("<table><thead><tr><th>depth</th><th>comments</th><th>mean P(uncivil)</th><th>share uncivil</th></tr></thead><tbody>");
    for (d, l) in r.by_depth.iter().zip(&dl) {
        let _ = write!(
            o,
            "<tr><td>{l}</td><td class=\"num\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td></tr>",
            d.comments, d.incivility_mean, d.uncivil_share
        );
    }
    o.push_str("</tbody></table>");
    let _ = write!(
        o,
        "<h2>Threads by attention</h2><p class=\"note\">Top {} of {}; click a column to sort. {}</p><div class=\"scroll\"><table class=\"sortable\" id=\"threads\"><thead><tr><th>#</th><th>thread</th>",
        thread_rows.min(r.threads.len()),
        r.threads.len(),
        html_escape(THREAD_NOTE)
    );
    for h in thread_headers(&r.attributes) {
        let _ = write!(o, "<th>{}</th>", html_escape(&h));
    }
    o.push_str("</tr></thead><tbody>");
    for (k, t) in r.threads.iter().take(thread_rows).enumerate() {
        let name = if t.title.is_empty() {
            user(&t.id)
        } else {
            format!(
                "{} <span class=\"meta\">{}</span>",
                user(&t.title),
                user(&t.id)
            )
        };
        let _ = write!(o, "<tr><td class=\"num\">{}</td><td>{name}</td>", k + 1);
        for (numeric, cell) in thread_cells(t, &r.attributes, &user) {
            let _ = write!(
                o,
                "<td{}>{cell}</td>",
                if numeric { " class=\"num\"" } else { "" }
            );
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
    let _ = write!(
        o,
        "<h2>Moderation queue</h2><p class=\"note\">{} comments at or over the threshold, by {}; the first {} here, all of them in the JSON and CSV. Click a column to sort.</p><div class=\"scroll\"><table class=\"sortable\" id=\"queue\"><thead><tr><th>#</th><th>P(uncivil)</th>{}<th>thread</th><th>comment</th><th>author</th><th>stance</th><th>reasons</th><th>text</th><th>parent</th><th>source</th></tr></thead><tbody>",
        r.queue.len(),
        html_escape(&r.queue_sort),
        queue_rows.min(r.queue.len()),
        attribute_headers(&r.attributes)
            .iter()
            .map(|h| format!("<th>{}</th>", html_escape(h)))
            .collect::<String>()
    );
    for q in r.queue.iter().take(queue_rows) {
        let _ = write!(
            o,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"txt\">{}</td><td class=\"txt\">{}</td><td class=\"txt\">{}</td><td>{}</td></tr>",
            q.rank,
            q.incivility,
            attribute_values(q, &r.attributes)
                .iter()
                .map(|v| format!("<td class=\"num\">{v}</td>"))
                .collect::<String>(),
            user(&q.thread),
            user(&q.id),
            user(q.author.as_deref().unwrap_or("")),
            q.stance.unwrap_or("–"),
            user(&reasons(&q.reasons, 5)),
            user(&q.text),
            user(&q.parent_text),
            user(&q.source)
        );
    }
    o.push_str("</tbody></table></div>");
    let _ = write!(
        o,
        "<h2>Thread trees</h2><p class=\"note\">The top {} threads by attention (first {} nodes each, in reading order). Left bar: P(uncivil), green → dark red; label: stance toward the parent.</p>",
        r.trees.len(),
        r.trees.iter().map(|t| t.1.len()).max().unwrap_or(0)
    );
    for (k, (id, nodes)) in r.trees.iter().enumerate() {
        let stats = r.threads.iter().find(|t| &t.id == id);
        let _ = write!(
            o,
            "<details class=\"thread\"{}><summary>{}. {} — {} comments, {} uncivil, attention {:.2}</summary>",
            if k < 3 { " open" } else { "" },
            k + 1,
            stats.map_or_else(|| user(id), |s| if s.title.is_empty() { user(id) } else { user(&s.title) }),
            stats.map_or(0, |s| s.comments),
            stats.map_or(0, |s| s.uncivil),
            stats.map_or(0.0, |s| s.attention)
        );
        tree_html(&mut o, nodes);
        o.push_str("</details>");
    }
    let _ = writeln!(o, "<script>{JS}</script></body></html>");
    o
}

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

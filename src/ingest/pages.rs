//! Page captures: plain text of an article page with its comment section.
//!
//! Layout (as in the captures this project started from): a title line, the
//! article body, then maybe a comment section. Top-level comments are numbered
//! items (`  1. `) at the section's first indent, numbered in sequence and
//! preceded by a blank line; replies are bullets (`• `) two columns deeper per
//! level, also preceded by a blank line; other lines continue the current
//! comment. So a numbered or bulleted list glued to the comment text above it
//! is content, not comments. A bullet more than one level deeper than the
//! comment above it means the page lost the ancestors in between: the reply
//! keeps the depth the page shows, attaches to the nearest surviving ancestor
//! and is flagged. Text like `[…] … […]` is a pingback. The first unindented
//! line after the section (a footer such as "Leave a Comment") ends it.
//!
//! The comment section is the last run of sequentially numbered, indented
//! items that reaches the end of the page or an unindented line; lists in the
//! article body are indented at most like that but are followed by more
//! unindented article text, and an earlier candidate is only used if no later
//! one exists.

use std::io::BufRead;

use super::{FileCtx, ReadOptions, Sink};
use crate::diag::{DiagKind, StrictError};
use crate::forest::{Flags, Kind, RawComment};

const BULLETS: &[char] = &['•', '◦', '▪', '‣', '○'];

fn indent(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\u{a0}')
        .count()
}

/// `N. rest` → (N, rest).
fn numbered(s: &str) -> Option<(u32, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = s[digits..].strip_prefix('.')?;
    if !rest.starts_with(' ') {
        return None;
    }
    Some((s[..digits].parse().ok()?, rest.trim_start()))
}

fn bulleted(s: &str) -> Option<&str> {
    let c = s.chars().next()?;
    if !BULLETS.contains(&c) {
        return None;
    }
    let rest = &s[c.len_utf8()..];
    rest.starts_with(' ').then(|| rest.trim_start())
}

/// Page chrome that ends an article or a comment section.
fn is_footer(line: &str) -> bool {
    const FOOTERS: &[&str] = &[
        "leave a comment",
        "leave a reply",
        "cancel reply",
        "this site uses akismet",
        "you may also like",
        "related posts",
        "you must be logged in",
    ];
    let t = line.trim();
    // Lower case shrinks a text to no less than a third of its bytes (the
    // Kelvin sign's 3 bytes become `k`): a longer line is no footer, and is
    // not copied (a page may be one 900 MB line).
    if t.len() >= 300 {
        return false;
    }
    let l = t.to_lowercase();
    l.len() < 100 && FOOTERS.iter().any(|f| l.starts_with(f))
}

fn is_pingback(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("[…]") || t.starts_with("[...]")) && (t.ends_with("[…]") || t.ends_with("[...]"))
}

struct PageComment {
    line: u64,
    depth: u32,
    parent: Option<usize>,
    missing: u32,
    irregular: bool,
    text: Capped,
    pending_blank: bool,
}

impl PageComment {
    fn push_line(&mut self, s: &str) {
        if self.text.len > 0 {
            self.text
                .push(if self.pending_blank { "\n\n" } else { "\n" });
        }
        self.text.push(s.trim());
        self.pending_blank = false;
    }
}

/// Text built piece by piece that stops growing past `cap` bytes but
/// counts them all: a record over `--max-record-bytes` is rejected by its
/// length without a copy of it (a 900 MB page comment would otherwise be
/// copied twice on top of the page).
struct Capped {
    text: String,
    /// Bytes pushed, kept or not.
    len: usize,
    cap: usize,
}

impl Capped {
    fn new(cap: usize) -> Capped {
        Capped {
            text: String::new(),
            len: 0,
            cap,
        }
    }

    fn push(&mut self, s: &str) {
        self.len += s.len();
        if self.len <= self.cap {
            self.text.push_str(s);
        }
    }

    /// Whether every byte pushed is in `text`.
    fn whole(&self) -> bool {
        self.len <= self.cap
    }
}

/// Find the comment section: (first line index, top-level indent).
///
/// Candidates are `1. ` items at a small indent after a blank line. A
/// candidate is article text, not comments, when its second item follows the
/// first without a blank line (a tight list), or when prose (a line over 120
/// characters) follows the section's end. The last remaining candidate wins.
fn find_section(lines: &[&str]) -> Option<(usize, usize)> {
    // One backward pass (linear in the page): a candidate's section runs to
    // the next non-blank line at indent 0, and it is "tight" when a `2.`
    // item at its indent, right after a non-blank line, lies inside that
    // run; `seen[k]` holds whether one does at indent k after the current
    // line, reset at each indent-0 line. The last candidate that qualifies
    // wins, so going backward the first one found is the answer.
    let last_long = lines.iter().rposition(|l| l.chars().count() > 120);
    let mut end = lines.len();
    let mut seen = [false; 9];
    for (i, l) in lines.iter().enumerate().rev() {
        let k = indent(l);
        if k == 0 {
            if !l.trim().is_empty() {
                end = i;
                seen = [false; 9];
            }
            continue;
        }
        if k > 8 {
            continue;
        }
        let after_blank = i == 0 || lines[i - 1].trim().is_empty();
        let item = numbered(&l[byte_at(l, k)..]);
        if after_blank && matches!(item, Some((1, _))) {
            let prose_after = last_long.is_some_and(|at| at >= end);
            if !seen[k] && !prose_after {
                return Some((i, k));
            }
        }
        if !after_blank && matches!(item, Some((2, _))) {
            seen[k] = true;
        }
    }
    None
}

/// Byte offset of the `k`-th char (indent is counted in chars: NBSP is 2 bytes).
fn byte_at(s: &str, k: usize) -> usize {
    s.char_indices().nth(k).map(|(b, _)| b).unwrap_or(s.len())
}

/// Parse one page into its root and comments, each with the length of its
/// text. A text over `cap` bytes is not built whole (its record carries a
/// prefix, and its length says it is over).
pub(crate) fn parse_page(text: &str, ctx: &FileCtx, cap: usize) -> Vec<(RawComment, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let title_idx = lines.iter().position(|l| !l.trim().is_empty());
    let Some(title_idx) = title_idx else {
        return Vec::new();
    };
    // The title is no comment, even when it looks like the first of them.
    let section = find_section(&lines).filter(|&(start, _)| start > title_idx);
    let body_end = section.map(|(s, _)| s).unwrap_or(lines.len());
    let mut body_lines = &lines[title_idx + 1..body_end];
    while let Some((last, rest)) = body_lines.split_last() {
        if last.trim().is_empty() || is_footer(last) {
            body_lines = rest;
        } else {
            break;
        }
    }
    let mut body = Capped::new(cap);
    let mut blank = false;
    for l in body_lines {
        if l.trim().is_empty() {
            blank = body.len > 0;
            continue;
        }
        if body.len > 0 {
            body.push(if blank { "\n\n" } else { "\n" });
        }
        body.push(l.trim());
        blank = false;
    }
    let thread: compact_str::CompactString = ctx.stem.as_ref().into();
    let title = lines[title_idx];
    let (root_text, root_len) = if body.whole() {
        let t = super::title_body(title, &body.text);
        let n = t.len();
        (t, n)
    } else {
        // Over the cap whatever the title: not built.
        (String::new(), title.trim().len() + 2 + body.len)
    };
    let mut root = RawComment::new(thread.clone(), root_text, ctx.loc(title_idx as u64 + 1));
    root.kind = Kind::Root;
    root.thread = Some(thread.clone());
    let mut out = vec![(root, root_len)];
    let Some((start, k)) = section else {
        return out;
    };

    let mut comments: Vec<PageComment> = Vec::new();
    let mut stack: Vec<usize> = Vec::new(); // open comments by increasing depth
    let mut next_number = 1u32;
    let mut prev_blank = true;
    for (i, l) in lines.iter().enumerate().skip(start) {
        if l.trim().is_empty() {
            prev_blank = true;
            if let Some(c) = comments.last_mut() {
                c.pending_blank = true;
            }
            continue;
        }
        let ind = indent(l);
        if ind == 0 {
            break; // footer or page chrome
        }
        let rest = &l[byte_at(l, ind)..];
        let line_no = i as u64 + 1;
        if ind == k && prev_blank {
            if let Some((n, t)) = numbered(rest) {
                if n == next_number {
                    next_number += 1;
                    stack.clear();
                    stack.push(comments.len());
                    let mut c = PageComment {
                        line: line_no,
                        depth: 1,
                        parent: None,
                        missing: 0,
                        irregular: false,
                        text: Capped::new(cap),
                        pending_blank: false,
                    };
                    c.push_line(t);
                    comments.push(c);
                    prev_blank = false;
                    continue;
                }
            }
        }
        if ind > k && prev_blank && !comments.is_empty() {
            if let Some(t) = bulleted(rest) {
                let steps = ind - k;
                let depth = (steps / 2) as u32 + 1;
                while stack.last().is_some_and(|&j| comments[j].depth >= depth) {
                    stack.pop();
                }
                let parent = stack.last().copied();
                let parent_depth = parent.map(|p| comments[p].depth).unwrap_or(0);
                let mut c = PageComment {
                    line: line_no,
                    depth,
                    parent,
                    missing: depth - parent_depth - 1,
                    irregular: steps % 2 != 0,
                    text: Capped::new(cap),
                    pending_blank: false,
                };
                c.push_line(t);
                stack.push(comments.len());
                comments.push(c);
                prev_blank = false;
                continue;
            }
        }
        if let Some(c) = comments.last_mut() {
            c.push_line(rest);
        }
        prev_blank = false;
    }
    for (n, c) in comments.iter().enumerate() {
        let text = if c.text.whole() {
            c.text.text.as_str()
        } else {
            ""
        };
        let mut r = RawComment::new(format!("c{}", n + 1), text, ctx.loc(c.line));
        r.thread = Some(thread.clone());
        r.parent = Some(match c.parent {
            Some(p) => format!("c{}", p + 1).into(),
            None => thread.clone(),
        });
        if c.missing > 0 {
            r.missing_ancestors = c.missing.min(u16::MAX as u32) as u16;
            r.flags.insert(Flags::MISSING_ANCESTORS);
        }
        if c.irregular {
            r.flags.insert(Flags::IRREGULAR_INDENT);
        }
        if is_pingback(text) {
            r.kind = Kind::Pingback;
        }
        out.push((r, c.text.len));
    }
    out
}

pub(super) fn read(
    mut reader: Box<dyn BufRead + Send>,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let Some(bytes) = super::read_document(&mut reader, "page", ctx, opts, sink)? else {
        return Ok(());
    };
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1;
            return sink.report(
                ctx.loc(line),
                DiagKind::InvalidUtf8,
                "page is not valid UTF-8; page skipped",
            );
        }
    };
    for (r, len) in parse_page(text, ctx, opts.max_record_bytes) {
        if sink.too_large(&r.source, len, opts)? {
            continue;
        }
        sink.emit(r);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quadratic search `find_section` replaced: every candidate
    /// scanned its section and everything after it.
    fn find_section_by_scanning(lines: &[&str]) -> Option<(usize, usize)> {
        let mut best = None;
        for (i, l) in lines.iter().enumerate() {
            let k = indent(l);
            if k == 0 || k > 8 {
                continue;
            }
            if !matches!(numbered(&l[byte_at(l, k)..]), Some((1, _))) {
                continue;
            }
            if i > 0 && !lines[i - 1].trim().is_empty() {
                continue;
            }
            let end = lines[i..]
                .iter()
                .position(|l| !l.trim().is_empty() && indent(l) == 0)
                .map(|e| i + e)
                .unwrap_or(lines.len());
            let tight = lines[i + 1..end].iter().enumerate().any(|(j, l)| {
                indent(l) == k
                    && matches!(numbered(&l[byte_at(l, k)..]), Some((2, _)))
                    && !lines[i + j].trim().is_empty()
            });
            let prose_after = lines[end..].iter().any(|l| l.chars().count() > 120);
            if !tight && !prose_after {
                best = Some((i, k));
            }
        }
        best
    }

    proptest::proptest! {
        #[test]
        fn section_search_is_the_scanning_one(
            picks in proptest::collection::vec(0usize..12, 0..60)
        ) {
            let long = "x".repeat(130);
            let choices = [
                "", "Title", "  1. first", "  2. second", "    1. deep", "    2. deep two",
                "• reply", "    • reply", "Leave a Comment", "  3. third", " 1. one", long.as_str(),
            ];
            let lines: Vec<&str> = picks.iter().map(|&p| choices[p]).collect();
            proptest::prop_assert_eq!(find_section(&lines), find_section_by_scanning(&lines));
        }
    }

    #[test]
    fn a_page_of_forty_thousand_items_has_its_section() {
        let mut page = String::from("Title\n\nBody.\n");
        for _ in 0..40_000 {
            page.push_str("\n  1. x\n");
        }
        let lines: Vec<&str> = page.lines().collect();
        assert_eq!(find_section(&lines), Some((lines.len() - 1, 2)));
    }

    fn parse(page: &str) -> Vec<RawComment> {
        let out = parse_page(page, &ctx(), usize::MAX);
        for (r, len) in &out {
            assert_eq!(r.text.len(), *len);
        }
        out.into_iter().map(|(r, _)| r).collect()
    }

    #[test]
    fn a_title_that_looks_like_a_comment_item_is_the_title() {
        // Found by the read_pages fuzz target: a slice panic.
        let out = parse(" 1. x\n\x1a\x00\x02\x00\x00\x00\x02\x00\x00\x00\x00\x00nr: note:\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, Kind::Root);
        assert!(out[0].text.starts_with("1. x"));
        let out = parse("  1. Title\n\n  1. first comment\n\n  2. second\n");
        assert_eq!(out.len(), 3, "{out:?}");
    }

    #[test]
    fn footers_are_short_lines_in_any_case() {
        assert!(is_footer("  Leave a Comment "));
        assert!(is_footer("LEAVE A REPLY"));
        assert!(!is_footer(&format!("leave a comment {}", "x".repeat(90))));
        // 28 Kelvin signs (84 bytes) lower to 28 bytes: a short line still.
        let kelvin = format!("leave a comment{}", "\u{212A}".repeat(28));
        assert_eq!(kelvin.to_lowercase().len(), 15 + 28);
        assert!(is_footer(&kelvin));
        assert!(!is_footer(&"x".repeat(1 << 20)));
    }

    #[test]
    fn texts_over_the_cap_are_measured_not_built() {
        let body = "b".repeat(1000);
        let reply = "r".repeat(50);
        let page = format!("Title\n\n{body}\n\n  1. short\n\n  2. {reply}\n");
        let whole = parse(&page);
        let root_len = whole[0].text.len();
        assert_eq!(root_len, "Title\n\n".len() + 1000);
        // A cap under the root's length: the root is measured, not built;
        // the comments under the cap are whole.
        let out = parse_page(&page, &ctx(), 100);
        assert_eq!(out.len(), 3);
        assert_eq!((&*out[0].0.text, out[0].1), ("", root_len));
        assert_eq!((&*out[1].0.text, out[1].1), ("short", 5));
        assert_eq!((&*out[2].0.text, out[2].1), (reply.as_str(), 50));
        // At the cap exactly a text is whole; one byte under it, measured.
        let out = parse_page(&page, &ctx(), 50);
        assert_eq!((&*out[2].0.text, out[2].1), (reply.as_str(), 50));
        let out = parse_page(&page, &ctx(), 49);
        assert_eq!((&*out[2].0.text, out[2].1), ("", 50));
        assert_eq!(out[1].0.text.len(), 5);
    }

    fn ctx() -> FileCtx {
        FileCtx {
            name: "p.txt".into(),
            stem: "p".into(),
            thread_hint: None,
            ext: Some("txt".into()),
        }
    }

    #[test]
    fn nested_comments_lists_and_lost_ancestors() {
        let page = "Title\n\nBody text.\n\n1. a body list item\n\nMore body.\n\n  1. First comment\n    1. a list in it\n    2. second item\n    continued\n\n    • reply one\n      continued reply\n\n      • reply to reply\n\n          • deep, ancestors lost\n\n  2. [...] a pingback [...]\n\nLeave a Comment\n";
        let out = parse(page);
        let got: Vec<(&str, Option<&str>, &str, u16)> = out
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.parent.as_deref(),
                    &*r.text,
                    r.missing_ancestors,
                )
            })
            .collect();
        assert_eq!(got[0].0, "p");
        assert_eq!(out[0].kind, Kind::Root);
        assert_eq!(
            &*out[0].text,
            "Title\n\nBody text.\n\n1. a body list item\n\nMore body."
        );
        assert_eq!(
            got[1],
            (
                "c1",
                Some("p"),
                "First comment\n1. a list in it\n2. second item\ncontinued",
                0
            )
        );
        assert_eq!(got[2], ("c2", Some("c1"), "reply one\ncontinued reply", 0));
        assert_eq!(got[3], ("c3", Some("c2"), "reply to reply", 0));
        assert_eq!(got[4], ("c4", Some("c3"), "deep, ancestors lost", 1));
        assert_eq!(got[5].0, "c5");
        assert_eq!(out[5].kind, Kind::Pingback);
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn body_lists_are_not_comments() {
        let page = "T\n\nIntro:\n\n  • 30 tanks\n  • 6 BMP\n\n  Indented quote.\n\nEnd.\n\nLeave a comment\n";
        let out = parse(page);
        assert_eq!(out.len(), 1);
        assert_eq!(
            &*out[0].text,
            "T\n\nIntro:\n\n• 30 tanks\n• 6 BMP\n\nIndented quote.\n\nEnd."
        );
        let page = "T\n\n  1. body list\n  2. more\n\nArticle goes on.\n";
        assert_eq!(parse(page).len(), 1);
        let prose = "x".repeat(200);
        let page = format!("T\n\n  1. loose list\n\n  2. more\n\n{prose}\n");
        assert_eq!(parse(&page).len(), 1);
    }

    #[test]
    fn empty_page_has_nothing() {
        assert!(parse("\n\n").is_empty());
    }
}

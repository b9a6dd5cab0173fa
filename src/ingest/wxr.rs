//! WordPress export (WXR) files: each `<item>` with comments is a thread
//! (id `<file stem>:<post id>`, as one export is one snapshot of a site) whose
//! root is the post (title + content) and whose comments link by
//! `wp:comment_parent` (0 = top level). Items without comments are posts, not
//! comment records, and are not output.
//!
//! Damage is contained: an XML error rejects the item it is in (its
//! `<wp:comment>`s counted in the diagnostic) and reading goes on at the next
//! `<item>`; a file cut short emits the comments of its last item that were
//! complete and counts the one cut off; a `<wp:comment>` outside any item is
//! rejected with its line. Every comment of the file is in the output or in a
//! diagnostic.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{FileCtx, ReadOptions, Sink};
use crate::diag::{DiagKind, StrictError};
use crate::forest::{Flags, Kind, RawComment};

#[derive(Default)]
struct Item {
    line: u64,
    title: String,
    content: String,
    post_id: String,
    author: String,
    date: String,
    comments: Vec<Comment>,
    /// Lines of comments still open when the next one started (rejected
    /// when the item is emitted; a skipped item counts them with the rest).
    unclosed: Vec<u64>,
}

#[derive(Default)]
struct Comment {
    line: u64,
    id: String,
    author: String,
    date: String,
    content: String,
    parent: String,
    kind: String,
    approved: String,
}

/// Counts lines up to a byte offset incrementally.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..offset]).count() as u64;
            self.pos = offset;
        }
        self.line
    }
}

pub(super) fn read(
    mut reader: Box<dyn BufRead + Send>,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let Some(bytes) = super::read_document(&mut reader, "XML file", ctx, opts, sink)? else {
        return Ok(());
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(());
    }
    let mut lines = LineCounter {
        bytes: &bytes,
        pos: 0,
        line: 1,
    };
    // `base`: where the XML reader started (after an error, at the next item).
    let mut base = 0usize;
    let mut xml = reader_at(&bytes, 0);
    // Tags opened since the reader started, to check end names (a reader
    // resumed at an <item> sees </channel> and </rss> it did not open).
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut item: Option<Item> = None;
    let mut item_start = 0usize;
    let mut comment: Option<Comment> = None;
    let mut text = String::new();
    let mut saw_rss = false;
    loop {
        let pos = base + xml.buffer_position() as usize;
        let ev = match xml.read_event() {
            Ok(Event::Start(s)) => {
                open.push(s.name().as_ref().to_vec());
                Ok(Event::Start(s))
            }
            Ok(Event::End(e)) => match open.last() {
                Some(top) if top.as_slice() == e.name().as_ref() => {
                    open.pop();
                    Ok(Event::End(e))
                }
                Some(top) => Err((
                    pos,
                    format!(
                        "expected </{}>, found </{}>",
                        String::from_utf8_lossy(top),
                        String::from_utf8_lossy(e.name().as_ref())
                    ),
                )),
                None => continue,
            },
            Ok(ev) => Ok(ev),
            Err(e) => Err((base + xml.error_position() as usize, e.to_string())),
        };
        let ev = match ev {
            Ok(ev) => ev,
            Err((at, e)) => {
                // The broken item (or, outside one, the stretch up to the
                // next item) is rejected with the comments it holds; reading
                // resumes at the next <item>.
                let from = if item.is_some() { item_start } else { at };
                let next = find(&bytes, b"<item>", at.max(from + 1))
                    .or_else(|| find(&bytes, b"<item ", at.max(from + 1)));
                let to = next.unwrap_or(bytes.len());
                let lost = count_comments(&bytes[from..to]) as u64;
                let line = lines.at(at);
                let what = match next {
                    Some(_) => "item skipped, reading goes on at the next <item>",
                    None => "rest of file skipped",
                };
                sink.diags.report_many(
                    ctx.loc(line),
                    DiagKind::Malformed,
                    format!("invalid XML ({e}): {what}; {lost} comments in it"),
                    lost,
                )?;
                item = None;
                comment = None;
                text.clear();
                open.clear();
                match next {
                    Some(n) => {
                        base = n;
                        xml = reader_at(&bytes, n);
                        continue;
                    }
                    None => return Ok(()),
                }
            }
        };
        match ev {
            Event::Start(s) => {
                match s.name().as_ref() {
                    b"rss" | b"channel" => saw_rss = true,
                    b"item" => {
                        // An item still open (nested, or never closed) is
                        // read as far as it goes: its complete comments
                        // out, the one still open rejected.
                        if let Some(mut it) = item.take() {
                            if let Some(c) = comment.take() {
                                it.unclosed.push(c.line);
                            }
                            emit_item(it, ctx, opts, sink)?;
                        }
                        item_start = pos;
                        item = Some(Item {
                            line: lines.at(pos),
                            ..Default::default()
                        })
                    }
                    b"wp:comment" if item.is_some() => {
                        // One still open (a nested or unclosed element) is
                        // rejected, not overwritten.
                        if let (Some(c), Some(it)) = (comment.take(), item.as_mut()) {
                            it.unclosed.push(c.line);
                        }
                        comment = Some(Comment {
                            line: lines.at(pos),
                            ..Default::default()
                        })
                    }
                    b"wp:comment" => {
                        sink.report(
                            ctx.loc(lines.at(pos)),
                            DiagKind::Malformed,
                            "wp:comment outside any <item>: no post to attach it to",
                        )?;
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Text(t) => match t.unescape() {
                Ok(s) => text.push_str(&s),
                Err(_) => text.push_str(&String::from_utf8_lossy(&t)),
            },
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
            Event::Empty(_) => {}
            Event::End(e) => {
                let name = e.name();
                let name = name.as_ref();
                let value = std::mem::take(&mut text);
                if let Some(c) = comment.as_mut() {
                    match name {
                        b"wp:comment_id" => c.id = value.trim().to_string(),
                        b"wp:comment_author" => c.author = value.trim().to_string(),
                        b"wp:comment_date_gmt" => c.date = value.trim().to_string(),
                        b"wp:comment_date" if c.date.is_empty() => {
                            c.date = value.trim().to_string()
                        }
                        b"wp:comment_content" => c.content = value,
                        b"wp:comment_parent" => c.parent = value.trim().to_string(),
                        b"wp:comment_type" => c.kind = value.trim().to_string(),
                        b"wp:comment_approved" => c.approved = value.trim().to_string(),
                        b"wp:comment" => {
                            if let (Some(it), Some(c)) = (item.as_mut(), comment.take()) {
                                it.comments.push(c);
                            }
                        }
                        _ => {}
                    }
                } else if let Some(it) = item.as_mut() {
                    match name {
                        b"title" => it.title = value,
                        b"content:encoded" => it.content = value,
                        b"wp:post_id" => it.post_id = value.trim().to_string(),
                        b"dc:creator" => it.author = value.trim().to_string(),
                        b"wp:post_date_gmt" => it.date = value.trim().to_string(),
                        b"item" => {
                            if let Some(it) = item.take() {
                                emit_item(it, ctx, opts, sink)?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Event::Eof => {
                // Cut short inside an item: its complete comments are
                // emitted, the one cut off is counted.
                if let Some(it) = item.take() {
                    let line = comment.as_ref().map_or(it.line, |c| c.line);
                    let cut = u64::from(comment.is_some());
                    sink.diags.report_many(
                        ctx.loc(line),
                        DiagKind::Malformed,
                        format!(
                            "file ends inside an <item>: its {} complete comments are read, {cut} cut off",
                            it.comments.len()
                        ),
                        cut,
                    )?;
                    emit_item(it, ctx, opts, sink)?;
                }
                break;
            }
            _ => {}
        }
    }
    if !saw_rss {
        return sink.report(
            ctx.loc(1),
            DiagKind::Unrecognised,
            "XML file is not a WordPress export (no <rss>/<channel>)",
        );
    }
    Ok(())
}

/// An XML reader from byte `at`; end names are checked by the caller.
fn reader_at(bytes: &[u8], at: usize) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(&bytes[at..]);
    r.config_mut().check_end_names = false;
    r
}

/// First offset of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let from = from.min(hay.len());
    memchr::memmem::find(&hay[from..], needle).map(|i| from + i)
}

/// `<wp:comment>` start tags in `hay`, with or without attributes or
/// white space before the `>` (`<wp:comment\n>` is one), not the
/// `<wp:comment_id>` fields.
fn count_comments(hay: &[u8]) -> usize {
    const TAG: &[u8] = b"<wp:comment";
    memchr::memmem::find_iter(hay, TAG)
        .filter(|&i| {
            hay.get(i + TAG.len())
                .is_some_and(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
        })
        .count()
}

fn emit_item(
    it: Item,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    for &line in &it.unclosed {
        sink.report(
            ctx.loc(line),
            DiagKind::Malformed,
            "wp:comment not closed before the next one starts",
        )?;
    }
    if it.comments.is_empty() {
        return Ok(());
    }
    // An export is one snapshot of a site: the same post in two exports is two
    // threads, so thread ids are scoped by the file.
    let post = if it.post_id.is_empty() {
        format!("line{}", it.line)
    } else {
        it.post_id.clone()
    };
    let thread: compact_str::CompactString = format!("{}:{post}", ctx.stem).into();
    let mut root = RawComment::new(
        thread.clone(),
        super::title_body(&it.title, &it.content),
        ctx.loc(it.line),
    );
    root.kind = Kind::Root;
    root.thread = Some(thread.clone());
    root.author = (!it.author.is_empty()).then(|| it.author.as_str().into());
    root.created = super::time::parse(&it.date);
    sink.emit(root);
    for c in it.comments {
        let loc = ctx.loc(c.line);
        if c.id.is_empty() {
            sink.report(
                loc,
                DiagKind::MissingField,
                "wp:comment has no wp:comment_id",
            )?;
            continue;
        }
        if sink.too_large(&loc, c.content.len(), opts)? {
            continue;
        }
        let mut r = RawComment::new(c.id.as_str(), c.content.trim(), loc);
        r.thread = Some(thread.clone());
        r.parent = (!c.parent.is_empty() && c.parent != "0").then(|| c.parent.as_str().into());
        r.author = (!c.author.is_empty()).then(|| c.author.as_str().into());
        r.created = super::time::parse(&c.date);
        if matches!(c.kind.as_str(), "pingback" | "trackback") {
            r.kind = Kind::Pingback;
        }
        if matches!(c.approved.as_str(), "spam" | "trash") {
            r.flags.insert(Flags::DELETED);
        }
        sink.emit(r);
    }
    Ok(())
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn comment_tags_are_counted_with_attributes_and_white_space() {
        let x = b"<wp:comment><wp:comment_id>1</wp:comment_id></wp:comment>\n<wp:comment\n\t<title> <wp:comment a=\"1\"> <wp:comment/> <wp:comments>";
        assert_eq!(super::count_comments(x), 4);
    }
}

//! WordPress export (WXR) files: each `<item>` with comments is a thread
//! (id `<file stem>:<post id>`, as one export is one snapshot of a site) whose
//! root is the post (title + content) and whose comments link by
//! `wp:comment_parent` (0 = top level). Items without comments are posts, not
//! comment records, and are not output.

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
    let mut xml = Reader::from_reader(&bytes[..]);
    let mut lines = LineCounter {
        bytes: &bytes,
        pos: 0,
        line: 1,
    };
    let mut item: Option<Item> = None;
    let mut comment: Option<Comment> = None;
    let mut text = String::new();
    let mut saw_rss = false;
    loop {
        let pos = xml.buffer_position() as usize;
        let ev = match xml.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let line = lines.at(xml.error_position() as usize);
                return sink.report(
                    ctx.loc(line),
                    DiagKind::Malformed,
                    format!("invalid XML, rest of file skipped: {e}"),
                );
            }
        };
        match ev {
            Event::Start(s) => {
                match s.name().as_ref() {
                    b"rss" | b"channel" => saw_rss = true,
                    b"item" => {
                        item = Some(Item {
                            line: lines.at(pos),
                            ..Default::default()
                        })
                    }
                    b"wp:comment" if item.is_some() => {
                        comment = Some(Comment {
                            line: lines.at(pos),
                            ..Default::default()
                        })
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
            Event::Eof => break,
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

fn emit_item(
    it: Item,
    ctx: &FileCtx,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
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

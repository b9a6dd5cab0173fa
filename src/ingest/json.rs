//! JSON dumps: JSON lines, or one JSON document per file.
//!
//! Records are deserialised into one borrowed struct that knows the fields of
//! every dialect (unknown fields are skipped without allocating), then mapped
//! by dialect: Reddit (Pushshift and API `{"kind","data"}` wrappers and
//! listings), Hacker News, ConvoKit, Twitter, IAC discussions, or generic
//! `id`/`parent_id`/`thread_id`/`text`. With auto format the dialect is
//! picked per record from the fields present.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;

use compact_str::CompactString;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::framing::{Line, LineReader};
use super::{utf8, FileCtx, Format, ReadOptions, Sink};
use crate::diag::{DiagKind, SourceLoc, StrictError};
use crate::forest::{Flags, Kind, RawComment};

/// A JSON value of any type, keeping only what a field mapper can use.
#[derive(Debug, Default)]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    #[default]
    Null,
    /// An array, or an object without a name-like key.
    Other,
}

impl<'a> Scalar<'a> {
    /// As an id or name string (numbers are printed).
    fn text(&self) -> Option<CompactString> {
        match self {
            Scalar::Str(s) if !s.is_empty() => Some(CompactString::from(s.as_ref())),
            Scalar::Int(i) => Some(compact_str::format_compact!("{i}")),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 1e18 => {
                Some(compact_str::format_compact!("{}", *f as i64))
            }
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    fn time(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Float(f) if f.is_finite() => Some(*f as i64),
            Scalar::Str(s) => super::time::parse(s),
            _ => None,
        }
    }

    fn is_present(&self) -> bool {
        !matches!(self, Scalar::Null)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v)
                    .map(Scalar::Int)
                    .unwrap_or(Scalar::Float(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                // Objects such as a tweet's `user`: keep the handle.
                let mut out = Scalar::Other;
                while let Some(k) = a.next_key::<Cow<'de, str>>()? {
                    if matches!(k.as_ref(), "screen_name" | "username" | "name" | "login")
                        && matches!(out, Scalar::Other)
                    {
                        let v: Scalar<'a> = a.next_value()?;
                        if v.text().is_some() {
                            out = v;
                        }
                    } else {
                        a.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The union of the fields all dialects use.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct AnyRec<'a> {
    #[serde(borrow)]
    id: Scalar<'a>,
    #[serde(borrow)]
    id_str: Scalar<'a>,
    #[serde(borrow)]
    name: Scalar<'a>,
    #[serde(borrow)]
    parent_id: Scalar<'a>,
    #[serde(borrow)]
    parent: Scalar<'a>,
    #[serde(borrow, rename = "reply-to")]
    reply_to_dash: Scalar<'a>,
    #[serde(borrow)]
    reply_to: Scalar<'a>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Scalar<'a>,
    #[serde(borrow)]
    in_reply_to_status_id: Scalar<'a>,
    #[serde(borrow)]
    link_id: Scalar<'a>,
    #[serde(borrow)]
    conversation_id: Scalar<'a>,
    #[serde(borrow)]
    thread_id: Scalar<'a>,
    #[serde(borrow)]
    thread: Scalar<'a>,
    #[serde(borrow)]
    body: Scalar<'a>,
    #[serde(borrow)]
    text: Scalar<'a>,
    #[serde(borrow)]
    full_text: Scalar<'a>,
    #[serde(borrow)]
    title: Scalar<'a>,
    #[serde(borrow)]
    selftext: Scalar<'a>,
    #[serde(borrow)]
    author: Scalar<'a>,
    #[serde(borrow)]
    by: Scalar<'a>,
    #[serde(borrow)]
    speaker: Scalar<'a>,
    #[serde(borrow)]
    user: Scalar<'a>,
    #[serde(borrow)]
    created_utc: Scalar<'a>,
    #[serde(borrow)]
    created: Scalar<'a>,
    #[serde(borrow)]
    time: Scalar<'a>,
    #[serde(borrow)]
    timestamp: Scalar<'a>,
    #[serde(borrow)]
    created_at: Scalar<'a>,
    #[serde(borrow, rename = "type")]
    typ: Scalar<'a>,
    #[serde(borrow)]
    kind: Scalar<'a>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    subreddit: Scalar<'a>,
    #[serde(borrow)]
    kids: Scalar<'a>,
    #[serde(borrow)]
    deleted: Scalar<'a>,
    #[serde(borrow)]
    dead: Scalar<'a>,
    #[serde(borrow)]
    children: Option<Vec<&'a RawValue>>,
    /// The record's true origin, set by an engine that moved it (Spark):
    /// used as its `source` instead of its place in this input.
    #[serde(borrow)]
    threadlens_source: Scalar<'a>,
}

fn first<'x, 'a>(xs: &[&'x Scalar<'a>]) -> Option<&'x Scalar<'a>> {
    xs.iter().copied().find(|s| s.is_present())
}

fn strip_fullname(s: &str) -> &str {
    if s.len() > 3
        && s.as_bytes()[0] == b't'
        && s.as_bytes()[2] == b'_'
        && s.as_bytes()[1].is_ascii_digit()
    {
        &s[3..]
    } else {
        s
    }
}

/// Which dialect a record is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    RedditApi,
    Reddit,
    Hn,
    Convokit,
    Twitter,
    Generic,
}

fn sniff(r: &AnyRec<'_>) -> Option<Dialect> {
    let kind = r.kind.as_str().unwrap_or("");
    if r.data.is_some() && matches!(kind, "t1" | "t3" | "Listing" | "more") {
        return Some(Dialect::RedditApi);
    }
    let pid = r.parent_id.as_str().unwrap_or("");
    if r.link_id.is_present()
        || r.subreddit.is_present()
        || pid.starts_with("t1_")
        || pid.starts_with("t3_")
    {
        return Some(Dialect::Reddit);
    }
    if (r.reply_to_dash.is_present() || r.reply_to.is_present() || r.conversation_id.is_present())
        && (r.speaker.is_present() || r.reply_to_dash.is_present())
    {
        return Some(Dialect::Convokit);
    }
    if r.by.is_present()
        || r.kids.is_present()
        || matches!(
            r.typ.as_str(),
            Some("story" | "comment" | "job" | "poll" | "pollopt")
        )
    {
        return Some(Dialect::Hn);
    }
    if r.id_str.is_present()
        || r.in_reply_to_status_id_str.is_present()
        || r.created_at.is_present() && r.user.is_present()
    {
        return Some(Dialect::Twitter);
    }
    if r.id.is_present() && (r.text.is_present() || r.body.is_present()) {
        return Some(Dialect::Generic);
    }
    None
}

fn forced(format: Format) -> Option<Dialect> {
    match format {
        Format::Reddit => Some(Dialect::Reddit),
        Format::Hn => Some(Dialect::Hn),
        Format::Convokit => Some(Dialect::Convokit),
        Format::Twitter => Some(Dialect::Twitter),
        _ => None,
    }
}

/// Turn HTML fragments (HN items, HTML comments sent to `serve`) into plain
/// text: tags dropped, `<p>` as a paragraph break, entities decoded.
pub fn html_to_text(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.to_string();
    }
    let s = s.replace("<p>", "\n\n");
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    quick_xml::escape::unescape(&out)
        .map(|c| c.into_owned())
        .unwrap_or(out)
}

enum Mapped {
    One(RawComment),
    /// Reddit API wrapper or listing: parse these values again.
    Nested(Vec<String>),
}

struct MapErr(DiagKind, String);

fn map_record(
    r: AnyRec<'_>,
    dialect: Dialect,
    loc: &SourceLoc,
    ctx: &FileCtx,
) -> Result<Mapped, MapErr> {
    let missing = |what: &str| MapErr(DiagKind::MissingField, format!("record has no {what}"));
    let text_of =
        |s: Option<&Scalar<'_>>| -> String { s.and_then(|s| s.as_str()).unwrap_or("").to_string() };
    let mut rc;
    match dialect {
        Dialect::RedditApi => {
            let data = r.data.expect("sniffed with data");
            return match r.kind.as_str() {
                Some("Listing") => {
                    let l: AnyRec<'_> = serde_json::from_str(data.get())
                        .map_err(|e| MapErr(DiagKind::Malformed, format!("bad listing: {e}")))?;
                    Ok(Mapped::Nested(
                        l.children
                            .unwrap_or_default()
                            .into_iter()
                            .map(|c| c.get().to_string())
                            .collect(),
                    ))
                }
                _ => {
                    let is_more = r.kind.as_str() == Some("more");
                    let inner: AnyRec<'_> = serde_json::from_str(data.get()).map_err(|e| {
                        MapErr(DiagKind::Malformed, format!("bad reddit object: {e}"))
                    })?;
                    let is_sub = r.kind.as_str() == Some("t3");
                    let mut m = map_record(inner, Dialect::Reddit, loc, ctx)?;
                    if let Mapped::One(c) = &mut m {
                        if is_sub {
                            c.kind = Kind::Root;
                        }
                        if is_more {
                            // "load more": a real comment whose text the dump never loaded.
                            c.flags.insert(Flags::NOT_LOADED);
                        }
                    }
                    Ok(m)
                }
            };
        }
        Dialect::Reddit => {
            let id = first(&[&r.id, &r.name])
                .and_then(|s| s.text())
                .ok_or_else(|| missing("id"))?;
            let id = CompactString::from(strip_fullname(&id));
            let is_sub = r.title.is_present() && !r.parent_id.is_present()
                || r.name.as_str().is_some_and(|n| n.starts_with("t3_"));
            if is_sub {
                let text = super::title_body(&text_of(Some(&r.title)), &text_of(Some(&r.selftext)));
                rc = RawComment::new(id.clone(), text, loc.clone());
                rc.kind = Kind::Root;
                rc.thread = Some(id);
            } else {
                let body = text_of(first(&[&r.body, &r.text]));
                if matches!(body.as_str(), "[deleted]" | "[removed]") {
                    rc = RawComment::new(id, body, loc.clone());
                    rc.flags.insert(Flags::DELETED);
                } else {
                    rc = RawComment::new(id, body, loc.clone());
                }
                rc.parent = r.parent_id.text().map(|p| strip_fullname(&p).into());
                rc.thread = r
                    .link_id
                    .text()
                    .map(|t| strip_fullname(&t).into())
                    .or_else(|| {
                        r.parent_id
                            .as_str()
                            .filter(|p| p.starts_with("t3_"))
                            .map(|p| p[3..].into())
                    });
            }
            rc.author = r.author.text();
            rc.created = first(&[&r.created_utc, &r.created]).and_then(|s| s.time());
        }
        Dialect::Hn => {
            let id = r.id.text().ok_or_else(|| missing("id"))?;
            let is_root = !r.parent.is_present();
            let text = html_to_text(&text_of(Some(&r.text)));
            let text = if is_root {
                super::title_body(&text_of(Some(&r.title)), &text)
            } else {
                text
            };
            rc = RawComment::new(id, text, loc.clone());
            rc.parent = r.parent.text();
            if is_root {
                rc.kind = Kind::Root;
            }
            if matches!(r.deleted, Scalar::Bool(true)) || matches!(r.dead, Scalar::Bool(true)) {
                rc.flags.insert(Flags::DELETED);
            }
            rc.author = r.by.text();
            rc.created = r.time.time();
        }
        Dialect::Convokit => {
            let id = r.id.text().ok_or_else(|| missing("id"))?;
            let parent = first(&[&r.reply_to_dash, &r.reply_to]).and_then(|s| s.text());
            let thread = r.conversation_id.text();
            rc = RawComment::new(id, text_of(Some(&r.text)), loc.clone());
            if parent.is_none() && thread.as_ref().is_none_or(|t| *t == rc.id) {
                rc.kind = Kind::Root;
            }
            rc.parent = parent;
            rc.thread = thread;
            rc.author = first(&[&r.speaker, &r.author]).and_then(|s| s.text());
            rc.created = first(&[&r.timestamp, &r.created]).and_then(|s| s.time());
        }
        Dialect::Twitter => {
            let id = first(&[&r.id_str, &r.id])
                .and_then(|s| s.text())
                .ok_or_else(|| missing("id_str"))?;
            let parent = first(&[&r.in_reply_to_status_id_str, &r.in_reply_to_status_id])
                .and_then(|s| s.text());
            rc = RawComment::new(id, text_of(first(&[&r.full_text, &r.text])), loc.clone());
            if parent.is_none() {
                rc.kind = Kind::Root;
            }
            rc.parent = parent;
            if let Some(h) = &ctx.thread_hint {
                rc.thread = Some(h.as_str().into());
                rc.flags.insert(Flags::THREAD_HINT);
            }
            rc.author = r.user.text();
            rc.created = r.created_at.time();
        }
        Dialect::Generic => {
            let id = r.id.text().ok_or_else(|| missing("id"))?;
            let text = first(&[&r.text, &r.body]).ok_or_else(|| missing("text or body"))?;
            rc = RawComment::new(id, text_of(Some(text)), loc.clone());
            rc.parent = first(&[&r.parent_id, &r.parent, &r.reply_to]).and_then(|s| s.text());
            rc.thread =
                first(&[&r.thread_id, &r.thread, &r.conversation_id]).and_then(|s| s.text());
            if rc.parent.is_none() && rc.thread.as_ref().is_none_or(|t| *t == rc.id) {
                rc.kind = Kind::Root;
            }
            rc.author = first(&[&r.author, &r.user, &r.speaker]).and_then(|s| s.text());
            rc.created = first(&[
                &r.created_utc,
                &r.created,
                &r.timestamp,
                &r.time,
                &r.created_at,
            ])
            .and_then(|s| s.time());
        }
    }
    Ok(Mapped::One(rc))
}

/// Map one record with user-chosen field names.
fn map_with_fields(
    v: &serde_json::Value,
    opts: &ReadOptions,
    loc: &SourceLoc,
) -> Result<RawComment, MapErr> {
    let f = &opts.fields;
    let get = |name: &Option<String>, defaults: &[&str]| -> Option<String> {
        let names: Vec<&str> = match name {
            Some(n) => vec![n.as_str()],
            None => defaults.to_vec(),
        };
        names.iter().find_map(|n| match v.get(*n)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(x) => Some(x.to_string()),
            _ => None,
        })
    };
    let id = get(&f.id, &["id"])
        .ok_or_else(|| MapErr(DiagKind::MissingField, "record has no id".into()))?;
    let text = get(&f.text, &["text", "body"])
        .or_else(|| {
            (f.text.is_some() && v.get(f.text.as_deref().unwrap_or("")).is_some()).then(String::new)
        })
        .ok_or_else(|| MapErr(DiagKind::MissingField, "record has no text".into()))?;
    let mut rc = RawComment::new(id, text, loc.clone());
    rc.parent = get(&f.parent, &["parent_id", "parent"]).map(Into::into);
    rc.thread = get(&f.thread, &["thread_id", "thread"]).map(Into::into);
    rc.author = get(&f.author, &["author"]).map(Into::into);
    rc.created = get(&f.created, &["created", "timestamp"]).and_then(|s| super::time::parse(&s));
    if rc.parent.is_none() && rc.thread.as_ref().is_none_or(|t| *t == rc.id) {
        rc.kind = Kind::Root;
    }
    Ok(rc)
}

/// Parse and map one JSON record text, pushing results to the sink.
fn handle_record(
    text: &str,
    loc: SourceLoc,
    ctx: &FileCtx,
    format: Format,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
    depth: u8,
) -> Result<(), StrictError> {
    if opts.fields.is_set() {
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => match map_with_fields(&v, opts, &loc) {
                Ok(rc) => {
                    sink.emit(rc);
                    Ok(())
                }
                Err(MapErr(k, m)) => sink.report(loc, k, m),
            },
            Err(e) => sink.report(loc, DiagKind::Malformed, format!("invalid JSON: {e}")),
        };
    }
    let rec: AnyRec<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => return sink.report(loc, DiagKind::Malformed, format!("invalid JSON: {e}")),
    };
    let dialect = match sniff(&rec) {
        Some(Dialect::RedditApi) => Dialect::RedditApi,
        Some(d) => forced(format).unwrap_or(d),
        None => match forced(format) {
            Some(d) => d,
            None => {
                return sink.report(
                    loc,
                    DiagKind::Unrecognised,
                    "JSON record matches no dialect (no id with text/body; use --format or --id-col/--text-col)",
                )
            }
        },
    };
    let origin = rec.threadlens_source.text().map(|s| SourceLoc::origin(&s));
    match map_record(rec, dialect, &loc, ctx) {
        Ok(Mapped::One(mut rc)) => {
            if let Some(o) = origin {
                rc.source = o;
            }
            sink.emit(rc)
        }
        Ok(Mapped::Nested(items)) if depth < 4 => {
            for (i, it) in items.iter().enumerate() {
                let mut l = loc.clone();
                l.item = i as u32 + 1;
                handle_record(it, l, ctx, format, opts, sink, depth + 1)?;
            }
        }
        Ok(Mapped::Nested(_)) => sink.report(
            loc,
            DiagKind::Malformed,
            "reddit listings nested too deeply",
        )?,
        Err(MapErr(k, m)) => sink.report(loc, k, m)?,
    }
    Ok(())
}

/// IAC discussion: `[[post, ...], annotations, meta]`, each post
/// `[id, side, author, text, annotations, parent_id, category, timestamp]`.
fn read_iac(
    doc: &[serde_json::Value],
    ctx: &FileCtx,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let thread: CompactString = doc
        .get(2)
        .and_then(|m| m.get("id_number").or_else(|| m.get("identifier")))
        .and_then(|v| {
            v.as_u64()
                .map(|n| n.to_string())
                .or_else(|| v.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| ctx.stem.to_string())
        .into();
    let title = doc
        .first()
        .and_then(|p| p.get(0))
        .and_then(|p| p.get(4))
        .and_then(|a| a.get("post_info"))
        .and_then(|i| i.get("post_title"))
        .and_then(|t| t.as_str())
        .unwrap_or("");
    let posts = doc
        .first()
        .and_then(|p| p.as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let idtext = |v: Option<&serde_json::Value>| -> Option<CompactString> {
        match v? {
            serde_json::Value::Number(n) => Some(compact_str::format_compact!("{n}")),
            serde_json::Value::String(s) if !s.is_empty() => Some(s.as_str().into()),
            _ => None,
        }
    };
    for (i, p) in posts.iter().enumerate() {
        let mut loc = ctx.loc(1);
        loc.item = i as u32 + 1;
        let Some(arr) = p.as_array() else {
            sink.report(loc, DiagKind::Malformed, "IAC post is not an array")?;
            continue;
        };
        let Some(id) = idtext(arr.first()) else {
            sink.report(loc, DiagKind::MissingField, "IAC post has no id")?;
            continue;
        };
        let text = arr.get(3).and_then(|t| t.as_str()).unwrap_or("");
        let parent = idtext(arr.get(5));
        let mut rc = if parent.is_none() && i == 0 {
            let mut r = RawComment::new(id, super::title_body(title, text), loc);
            r.kind = Kind::Root;
            r
        } else {
            RawComment::new(id, text, loc)
        };
        rc.parent = parent;
        rc.thread = Some(thread.clone());
        rc.author = idtext(arr.get(2));
        rc.created = arr.get(7).and_then(|t| t.as_f64()).map(|t| t as i64);
        sink.emit(rc);
    }
    Ok(())
}

fn is_iac(doc: &serde_json::Value) -> bool {
    doc.as_array()
        .and_then(|a| a.first())
        .and_then(|p| p.as_array())
        .and_then(|p| p.first())
        .and_then(|p| p.as_array())
        .is_some_and(|p| p.len() >= 6 && p[0].is_number())
}

/// Read a JSON file: a whole-file document (`.json` that parses as one value),
/// else JSON lines.
pub(super) fn read(
    mut reader: Box<dyn BufRead + Send>,
    ctx: &FileCtx,
    format: Format,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let doc_mode = format == Format::Iac || ctx.ext.as_deref() == Some("json");
    if !doc_mode {
        return read_lines(reader, ctx, format, opts, sink);
    }
    let Some(bytes) = super::read_document(&mut reader, "JSON document", ctx, opts, sink)? else {
        return Ok(());
    };
    let text = match utf8(&bytes) {
        Ok(t) => t,
        Err(m) => {
            // Fall back to lines so valid lines still count.
            let _ = m;
            return read_lines(Box::new(&bytes[..]), ctx, format, opts, sink);
        }
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(());
    }
    let value: serde_json::Value = match serde_json::from_str(trimmed) {
        Ok(v) => v,
        // An array whose syntax is sound but whose items may not be (a
        // number out of range): each item is read, or rejected, alone.
        Err(_) => match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(trimmed) {
            Ok(raw) => {
                let base = text.as_ptr() as usize;
                let items = raw
                    .iter()
                    .map(|r| (r.get().as_ptr() as usize - base, r.get()))
                    .collect();
                return read_items(text, items, ctx, format, opts, sink);
            }
            Err(_) => return read_lines(Box::new(text.as_bytes()), ctx, format, opts, sink),
        },
    };
    if format == Format::Iac || (matches!(format, Format::Jsonl | Format::Auto) && is_iac(&value)) {
        let Some(doc) = value.as_array() else {
            return sink.report(
                ctx.loc(1),
                DiagKind::Malformed,
                "IAC discussion is not a JSON array",
            );
        };
        return read_iac(doc, ctx, sink);
    }
    drop(value);
    match split_array(text) {
        Some(items) => read_items(text, items, ctx, format, opts, sink),
        None => {
            let first = text.len() - text.trim_start().len();
            let line = text[..first].matches('\n').count() as u64 + 1;
            handle_record(trimmed, ctx.loc(line), ctx, format, opts, sink, 0)
        }
    }
}

/// The items of a top-level array of `text`, each with its byte offset.
fn read_items(
    text: &str,
    items: Vec<(usize, &str)>,
    ctx: &FileCtx,
    format: Format,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let mut lines = LineAt {
        text,
        pos: 0,
        line: 1,
    };
    for (i, (offset, item)) in items.into_iter().enumerate() {
        let mut loc = ctx.loc(lines.at(offset));
        loc.item = i as u32 + 1;
        handle_record(item, loc, ctx, format, opts, sink, 0)?;
    }
    Ok(())
}

/// Line numbers for increasing byte offsets.
struct LineAt<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
}

impl LineAt<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        self.line +=
            memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.pos..offset]).count() as u64;
        self.pos = offset;
        self.line
    }
}

/// The elements of a top-level JSON array with their byte offsets, or `None`
/// if `text` is not an array (the caller parsed it already, so it is valid).
fn split_array(text: &str) -> Option<Vec<(usize, &str)>> {
    let skip_ws = |mut p: usize| {
        while p < text.len() && text.as_bytes()[p].is_ascii_whitespace() {
            p += 1;
        }
        p
    };
    let mut pos = skip_ws(0);
    if text.as_bytes().get(pos) != Some(&b'[') {
        return None;
    }
    pos = skip_ws(pos + 1);
    let mut items = Vec::new();
    if text.as_bytes().get(pos) == Some(&b']') {
        return Some(items);
    }
    loop {
        let mut it = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<&RawValue>();
        let v = it.next()?.ok()?;
        let end = pos + it.byte_offset();
        items.push((pos, v.get()));
        pos = skip_ws(end);
        match text.as_bytes().get(pos) {
            Some(b',') => pos = skip_ws(pos + 1),
            Some(b']') => return Some(items),
            _ => return None,
        }
    }
}

fn read_lines(
    reader: Box<dyn BufRead + Send + '_>,
    ctx: &FileCtx,
    format: Format,
    opts: &ReadOptions,
    sink: &mut Sink<'_>,
) -> Result<(), StrictError> {
    let mut lines = LineReader::new(reader, opts.max_record_bytes);
    while !sink.stopped() {
        let (no, line) = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => return Ok(()),
            Err(e) => {
                let loc = ctx.loc(lines.line_no() + 1);
                return sink.report(
                    loc,
                    DiagKind::Unreadable,
                    format!("read error, rest of file skipped: {e}"),
                );
            }
        };
        let loc = ctx.loc(no);
        match line {
            Line::TooLong(n) => sink.report(
                loc,
                DiagKind::TooLarge,
                format!(
                    "record of {n} bytes exceeds --max-record-bytes {}",
                    opts.max_record_bytes
                ),
            )?,
            Line::Data(b) => {
                let b = if no == 1 {
                    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
                } else {
                    b
                };
                if b.iter().all(|c| c.is_ascii_whitespace()) {
                    continue;
                }
                match std::str::from_utf8(b) {
                    Ok(t) => handle_record(t, loc, ctx, format, opts, sink, 0)?,
                    Err(e) => sink.report(
                        loc,
                        DiagKind::InvalidUtf8,
                        format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                    )?,
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;

    /// One JSONL line of a hostile dump: a good record, a truncated one,
    /// arbitrary bytes, invalid UTF-8, or blank.
    fn hostile_line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let good = || {
            (0u16..50, 0u16..50, crate::features::tests::hostile_text()).prop_map(
                |(id, p, text)| {
                    serde_json::json!({"id": id.to_string(), "parent_id": format!("t1_{p}"),
                    "link_id": "t3_x", "author": "a", "body": text})
                    .to_string()
                    .into_bytes()
                },
            )
        };
        let cut = (good(), 0.0f64..1.0).prop_map(|(mut b, f)| {
            b.truncate((b.len() as f64 * f) as usize);
            b
        });
        prop_oneof![
            4 => good(),
            1 => cut,
            1 => proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..60),
            1 => Just(b"{\"id\":\"z\",\"body\":\"caf\xe9\"}".to_vec()),
            1 => Just(b"   ".to_vec()),
        ]
    }

    proptest::proptest! {
        /// Whatever the lines, reading does not panic, and every line that
        /// is not blank is a record or a rejection (nothing is lost).
        #[test]
        fn every_jsonl_line_is_a_record_or_a_rejection(lines in proptest::collection::vec(hostile_line(), 0..30)) {
            let mut input = Vec::new();
            for l in &lines {
                input.extend_from_slice(l);
                input.push(b'\n');
            }
            let (out, diags) = run_bytes(input, "jsonl", Format::Auto);
            let nonblank = lines.iter().filter(|l| l.iter().any(|b| !b.is_ascii_whitespace())).count() as u64;
            proptest::prop_assert_eq!(out.len() as u64 + diags.rejected(), nonblank, "{:?}", diags.items());
        }
    }

    fn run_bytes(input: Vec<u8>, ext: &str, format: Format) -> (Vec<RawComment>, Diagnostics) {
        let ctx = FileCtx {
            name: "t".into(),
            stem: "stem".into(),
            thread_hint: None,
            ext: Some(ext.into()),
        };
        let mut diags = Diagnostics::new(false);
        let mut out = Vec::new();
        let mut push = |r| {
            out.push(r);
            std::ops::ControlFlow::Continue(())
        };
        let mut sink = Sink {
            diags: &mut diags,
            out: &mut push,
            records: 0,
            stopped: false,
        };
        read(
            Box::new(std::io::Cursor::new(input)),
            &ctx,
            format,
            &ReadOptions::default(),
            &mut sink,
        )
        .unwrap();
        (out, diags)
    }

    fn run(input: &str, ext: &str, format: Format) -> (Vec<RawComment>, Diagnostics) {
        run_bytes(input.as_bytes().to_vec(), ext, format)
    }

    #[test]
    fn pushshift_comment_and_submission() {
        let input = r#"{"id":"abc","parent_id":"t1_xyz","link_id":"t3_s1","body":"hi \u00e9","author":"u","created_utc":"1500000000","score":3,"extra":{"a":[1,2]}}
{"id":"s1","title":"T","selftext":"body","subreddit":"x","author":"op","created_utc":1499999999}
{"id":"d","parent_id":"t3_s1","link_id":"t3_s1","body":"[deleted]","author":"[deleted]"}"#;
        let (out, d) = run(input, "jsonl", Format::Auto);
        assert_eq!(d.rejected(), 0);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].id, "abc");
        assert_eq!(out[0].parent.as_deref(), Some("xyz"));
        assert_eq!(out[0].thread.as_deref(), Some("s1"));
        assert_eq!(&*out[0].text, "hi é");
        assert_eq!(out[0].created, Some(1500000000));
        assert_eq!(out[1].kind, Kind::Root);
        assert_eq!(&*out[1].text, "T\n\nbody");
        assert!(out[2].flags.contains(Flags::DELETED));
        assert_eq!(out[0].source.line, 1);
        assert_eq!(out[2].source.line, 3);
    }

    #[test]
    fn reddit_api_wrappers_and_listing() {
        let input = r#"{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"s","title":"Q","selftext":"","name":"t3_s"}}]}}"#;
        let (out, d) = run(input, "json", Format::Auto);
        assert_eq!(d.rejected(), 0);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, Kind::Root);
        let (out, _) = run(
            "[\n {\"id\":\"a\",\"text\":\"x\"},\n\n {\"id\":\"b\",\"text\":\"y\"}\n]",
            "json",
            Format::Auto,
        );
        assert_eq!((out[1].source.line, out[1].source.item), (4, 2));
        let (out, _) = run(
            r#"{"kind":"t1","data":{"id":"c","parent_id":"t3_s","link_id":"t3_s","body":"b"}}"#,
            "json",
            Format::Auto,
        );
        assert_eq!(out[0].thread.as_deref(), Some("s"));
        let (out, d) = run(
            r#"{"kind": "more", "data": {"count": 2, "parent_id": "t1_p", "children": ["m"], "id": "m", "name": "t1_m"}}"#,
            "json",
            Format::Auto,
        );
        assert_eq!(d.rejected(), 0);
        assert_eq!(out[0].parent.as_deref(), Some("p"));
        assert!(out[0].flags.contains(Flags::NOT_LOADED));
    }

    #[test]
    fn hn_convokit_twitter_generic() {
        let input = r#"{"id":1,"type":"story","title":"Show","text":"a &amp; b<p>c","by":"pg","time":1}
{"id":2,"parent":1,"type":"comment","text":"x","by":"u","time":2,"deleted":true}
{"id":"u1","conversation_id":"u0","reply-to":"u0","speaker":"s","timestamp":5,"text":"t","meta":{}}
{"id_str":"9","in_reply_to_status_id_str":"8","text":"@a hi","user":{"id":1,"screen_name":"bob"},"created_at":"Tue Mar 24 10:45:36 +0000 2015"}
{"id":"g1","parent_id":null,"thread_id":"g1","text":"root"}
{"foo":1}"#;
        let (out, d) = run(input, "jsonl", Format::Auto);
        assert_eq!(out.len(), 5);
        assert_eq!(d.count(DiagKind::Unrecognised), 1);
        assert_eq!(&*out[0].text, "Show\n\na & b\n\nc");
        assert_eq!(out[0].kind, Kind::Root);
        assert!(out[1].flags.contains(Flags::DELETED));
        assert_eq!(out[2].parent.as_deref(), Some("u0"));
        assert_eq!(out[2].author.as_deref(), Some("s"));
        assert_eq!(out[3].author.as_deref(), Some("bob"));
        assert_eq!(out[3].parent.as_deref(), Some("8"));
        assert_eq!(out[4].kind, Kind::Root);
    }

    #[test]
    fn bad_lines_are_reported_with_line_numbers() {
        let mut input = b"{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"te".to_vec();
        input.extend(
            b"\n{\"id\":\"c\",\"text\":\"\xff\xfe\"}\n\n{\"id\":\"d\",\"text\":\"fine\"}\n",
        );
        let ctx = FileCtx {
            name: "f.jsonl".into(),
            stem: "f".into(),
            thread_hint: None,
            ext: Some("jsonl".into()),
        };
        let mut diags = Diagnostics::new(false);
        let mut out = Vec::new();
        let mut push = |r| {
            out.push(r);
            std::ops::ControlFlow::Continue(())
        };
        let mut sink = Sink {
            diags: &mut diags,
            out: &mut push,
            records: 0,
            stopped: false,
        };
        read(
            Box::new(std::io::Cursor::new(input)),
            &ctx,
            Format::Auto,
            &ReadOptions::default(),
            &mut sink,
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        let msgs: Vec<String> = diags.items().iter().map(|d| d.to_string()).collect();
        assert!(msgs[0].starts_with("f.jsonl:2: invalid JSON"), "{msgs:?}");
        assert!(msgs[1].starts_with("f.jsonl:3: invalid UTF-8"), "{msgs:?}");
        assert_eq!(out[1].source.line, 5);
    }

    #[test]
    fn iac_document() {
        let input = r#"[[[1,null,"a","opening",{"post_info":{"post_title":"Topic"}},null,null,10.0],[2,null,"b","reply",{},1,null,20.0]],{},{"id_number":77}]"#;
        let (out, d) = run(input, "json", Format::Auto);
        assert_eq!(d.rejected(), 0);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, Kind::Root);
        assert_eq!(&*out[0].text, "Topic\n\nopening");
        assert_eq!(out[1].parent.as_deref(), Some("1"));
        assert_eq!(out[1].thread.as_deref(), Some("77"));
    }
}

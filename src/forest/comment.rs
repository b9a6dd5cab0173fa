//! The one record type every reader produces, and the flags repairs leave on it.

use compact_str::CompactString;
use serde::Serialize;

use crate::diag::SourceLoc;

/// What a record is within its thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The thread's root: the article, submission, story or source post.
    Root,
    /// A reply (top-level comments reply to the root).
    Comment,
    /// A pingback/trackback: an automatic link notice, not a person's comment.
    Pingback,
    /// A stand-in root made up because the dump has no record for the thread's root.
    Placeholder,
}

impl Kind {
    /// The name rows carry (as serialised).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Root => "root",
            Kind::Comment => "comment",
            Kind::Pingback => "pingback",
            Kind::Placeholder => "placeholder",
        }
    }
}

#[cfg(test)]
#[test]
fn kind_names_are_the_serialised_ones() {
    for k in [Kind::Root, Kind::Comment, Kind::Pingback, Kind::Placeholder] {
        assert_eq!(serde_json::to_value(k).unwrap(), k.name());
    }
}

/// Bit flags describing how a record was read or repaired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags(pub u16);

impl Flags {
    /// The parent id names no record in the thread; attached to the root.
    pub const ORPHAN: Flags = Flags(1);
    /// The record was in a parent cycle that was cut here.
    pub const CYCLE_BROKEN: Flags = Flags(1 << 1);
    /// The page lost some of this reply's ancestors.
    pub const MISSING_ANCESTORS: Flags = Flags(1 << 2);
    /// The source marks the record deleted or removed.
    pub const DELETED: Flags = Flags(1 << 3);
    /// `thread` is only a hint from the file layout, used when the parent chain is broken.
    pub const THREAD_HINT: Flags = Flags(1 << 4);
    /// The record's indentation on the page was irregular (odd column).
    pub const IRREGULAR_INDENT: Flags = Flags(1 << 5);
    /// The source holds only a stub for this comment (Reddit "load more"): no text.
    pub const NOT_LOADED: Flags = Flags(1 << 6);

    /// Whether all bits of `other` are set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Set the bits of `other`.
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    /// Names of the set flags, for output.
    pub fn names(self) -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
            .collect()
    }

    /// The flag a name in [`Flags::names`] stands for.
    pub fn from_name(name: &str) -> Option<Flags> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    /// Flags with a name, as output rows list them.
    const ALL: [(Flags, &'static str); 6] = [
        (Flags::ORPHAN, "orphan"),
        (Flags::CYCLE_BROKEN, "cycle_broken"),
        (Flags::MISSING_ANCESTORS, "missing_ancestors"),
        (Flags::DELETED, "deleted"),
        (Flags::IRREGULAR_INDENT, "irregular_indent"),
        (Flags::NOT_LOADED, "not_loaded"),
    ];
}

/// One comment (or thread root) as a reader found it, before tree building.
///
/// Fields are compact on purpose: a 1 GB dump holds millions of these and the
/// budget is under 2× the comment text.
#[derive(Clone, Debug)]
pub struct RawComment {
    /// Thread (conversation, submission, article) id; `None` derives it from the parent chain.
    pub thread: Option<CompactString>,
    /// Record id, unique within its thread.
    pub id: CompactString,
    /// Parent id; `None` (or the thread id) means a top-level comment.
    pub parent: Option<CompactString>,
    /// Author name or handle.
    pub author: Option<CompactString>,
    /// Creation time, Unix seconds.
    pub created: Option<i64>,
    /// The text (for a root: title, blank line, body).
    pub text: Box<str>,
    /// Root, comment, pingback.
    pub kind: Kind,
    /// Read-time flags.
    pub flags: Flags,
    /// Ancestors the source shows were there but lost (pages); added to the depth.
    pub missing_ancestors: u16,
    /// Where it came from.
    pub source: SourceLoc,
}

impl RawComment {
    /// A comment with only the required fields set.
    pub fn new(id: impl Into<CompactString>, text: impl Into<Box<str>>, source: SourceLoc) -> Self {
        RawComment {
            thread: None,
            id: id.into(),
            parent: None,
            author: None,
            created: None,
            text: text.into(),
            kind: Kind::Comment,
            flags: Flags::default(),
            missing_ancestors: 0,
            source,
        }
    }
}

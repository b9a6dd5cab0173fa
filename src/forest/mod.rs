//! The thread model: comments, threads laid out in pre-order, and the builder.
//!
//! A [`Thread`] stores its nodes in pre-order with the root at index 0, so a
//! subtree is the contiguous range `i..nodes[i].end`: traversals, subtree
//! sizes and "descendants of X" need no pointers and no recursion.

mod build;
mod comment;
pub mod spill;
pub mod stream;

pub use build::build;
pub use comment::{Flags, Kind, RawComment};

use compact_str::CompactString;
use serde::Serialize;

/// One node of a thread.
#[derive(Clone, Debug)]
pub struct Node {
    /// The record.
    pub rec: RawComment,
    /// Index of the parent node in [`Thread::nodes`]; `None` for the root.
    pub parent: Option<u32>,
    /// 0 for the root; top-level comments are 1. Pages may skip levels they lost.
    pub depth: u32,
    /// One past the last node of this node's subtree.
    pub end: u32,
}

/// A thread: the root and its replies in pre-order.
#[derive(Clone, Debug)]
pub struct Thread {
    /// Thread id (the root's id).
    pub id: CompactString,
    /// Nodes in pre-order, root first.
    pub nodes: Vec<Node>,
}

impl Thread {
    /// Indexes of the direct children of node `i`, in order.
    pub fn children(&self, i: usize) -> Children<'_> {
        Children {
            nodes: &self.nodes,
            next: i as u32 + 1,
            end: self.nodes[i].end,
        }
    }

    /// Number of nodes in the subtree rooted at `i` (itself included).
    pub fn subtree_size(&self, i: usize) -> usize {
        self.nodes[i].end as usize - i
    }

    /// The node's parent id in the tree (the root's id for orphans), if any.
    pub fn parent_id(&self, i: usize) -> Option<&str> {
        self.nodes[i]
            .parent
            .map(|p| self.nodes[p as usize].rec.id.as_str())
    }
}

/// Iterator over a node's direct children.
pub struct Children<'a> {
    nodes: &'a [Node],
    next: u32,
    end: u32,
}

impl Iterator for Children<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let c = self.next;
        self.next = self.nodes[c as usize].end;
        Some(c as usize)
    }
}

/// Counts gathered while building.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct BuildStats {
    /// Threads built.
    pub threads: u64,
    /// Comments and pingbacks (not roots, not placeholders).
    pub comments: u64,
    /// Roots read from the input (articles, submissions, stories, source posts).
    pub roots: u64,
    /// Roots made up because the input had none.
    pub placeholders: u64,
    /// Pingbacks among the comments.
    pub pingbacks: u64,
    /// Deepest node.
    pub max_depth: u32,
    /// Comments whose parent was missing.
    pub orphans: u64,
    /// Cycles cut.
    pub cycles_broken: u64,
    /// Records dropped as duplicate ids.
    pub duplicates: u64,
    /// Replies whose ancestors the source lost.
    pub missing_ancestors: u64,
}

impl BuildStats {
    /// Add the counts of another batch of threads.
    pub fn add(&mut self, o: &BuildStats) {
        self.threads += o.threads;
        self.comments += o.comments;
        self.roots += o.roots;
        self.placeholders += o.placeholders;
        self.pingbacks += o.pingbacks;
        self.max_depth = self.max_depth.max(o.max_depth);
        self.orphans += o.orphans;
        self.cycles_broken += o.cycles_broken;
        self.duplicates += o.duplicates;
        self.missing_ancestors += o.missing_ancestors;
    }
}

/// All threads of a dump, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct Forest {
    /// Threads.
    pub threads: Vec<Thread>,
    /// Counts.
    pub stats: BuildStats,
}

#[cfg(test)]
mod tests;

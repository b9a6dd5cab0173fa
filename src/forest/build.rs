//! Tree building: records → threads, without recursion.
//!
//! Steps, each O(n) apart from sorting siblings:
//! 1. resolve every record's thread (explicit, or by walking the parent chain),
//! 2. group records by thread (counting sort, input order kept inside a thread),
//! 3. per thread: pick or make the root, drop duplicate ids, link parents,
//!    attach orphans to the root, cut cycles, lay nodes out in pre-order.
//!
//! Every step is iterative so a 100,000-deep reply chain costs no stack.

use std::collections::HashMap;

use compact_str::CompactString;

use super::comment::{Flags, Kind, RawComment};
use super::{BuildStats, Forest, Node, Thread};
use crate::diag::{DiagKind, Diagnostics, StrictError};

const UNSET: u32 = u32::MAX;
const VISITING: u32 = u32::MAX - 1;

/// Interns thread keys to dense indexes.
#[derive(Default)]
struct Interner {
    map: HashMap<CompactString, u32>,
    keys: Vec<CompactString>,
}

impl Interner {
    fn intern(&mut self, key: &str) -> u32 {
        if let Some(&i) = self.map.get(key) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(key.into());
        self.map.insert(key.into(), i);
        i
    }
}

/// Build the forest from records in input order.
///
/// Rejections (duplicate ids) and repairs (orphans, cycles) go to `diags`;
/// in strict mode the first rejection is returned as an error.
pub fn build(records: Vec<RawComment>, diags: &mut Diagnostics) -> Result<Forest, StrictError> {
    let n = records.len();
    let mut threads = Interner::default();
    let tid = resolve_threads(&records, RawComment::links, &mut threads);

    // Counting sort of record indexes by thread; stable, so input order is kept.
    let n_threads = threads.keys.len();
    let mut start = vec![0u32; n_threads + 1];
    for &t in &tid {
        start[t as usize + 1] += 1;
    }
    for i in 0..n_threads {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; n];
    for (i, &t) in tid.iter().enumerate() {
        order[fill[t as usize] as usize] = i as u32;
        fill[t as usize] += 1;
    }
    drop(fill);
    drop(tid);
    drop(threads.map);

    // Put records in thread order in place, then split threads off the tail,
    // giving memory back as we go: peak memory stays near one copy of the
    // records instead of records plus finished threads.
    let mut records = records;
    permute_in_place(&mut records, &mut order);
    drop(order);
    let mut out = Vec::with_capacity(n_threads);
    let mut stats = BuildStats::default();
    const SHRINK_SLACK: usize = 4 << 20;
    let rec_size = std::mem::size_of::<RawComment>().max(1);
    for (t, key) in threads.keys.into_iter().enumerate().rev() {
        let recs = records.split_off(start[t] as usize);
        if (records.capacity() - records.len()) * rec_size > SHRINK_SLACK {
            records.shrink_to_fit();
        }
        out.push(build_thread(key, recs, diags, &mut stats)?);
    }
    out.reverse();
    stats.threads = out.len() as u64;
    Ok(Forest {
        threads: out,
        stats,
    })
}

/// Reorder so that `v[k]` becomes the old `v[order[k]]`, following cycles with
/// swaps (no second copy of `v`). `order` is consumed as the visited marker.
fn permute_in_place<T>(v: &mut [T], order: &mut [u32]) {
    for i in 0..v.len() {
        if order[i] as usize == i {
            continue;
        }
        let mut j = i;
        loop {
            let k = order[j] as usize;
            order[j] = j as u32;
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

/// What thread resolution reads of a record: its own thread (explicit or a
/// layout hint), its id and its parent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Links<'a> {
    /// The thread the record names itself.
    pub thread: Option<&'a str>,
    /// The thread its file's layout suggests, used when the parent chain
    /// ends without one.
    pub hint: Option<&'a str>,
    /// Its id.
    pub id: &'a str,
    /// Its parent's id.
    pub parent: Option<&'a str>,
}

impl RawComment {
    /// What [`resolve_threads`] reads of this record.
    pub(crate) fn links(&self) -> Links<'_> {
        let hinted = self.flags.contains(Flags::THREAD_HINT);
        let t = self.thread.as_deref();
        Links {
            thread: if hinted { None } else { t },
            hint: if hinted { t } else { None },
            id: &self.id,
            parent: self.parent.as_deref(),
        }
    }
}

/// Thread names of records in input order: each record's index into the
/// returned names. The rule of [`build`], for callers that hold only the
/// records' [`Links`] (the partitioner's first pass over inputs whose
/// records find their thread through their parent chain).
pub(crate) fn thread_names<R>(
    records: &[R],
    links: impl Fn(&R) -> Links<'_>,
) -> (Vec<u32>, Vec<CompactString>) {
    let mut threads = Interner::default();
    let tid = resolve_threads(records, links, &mut threads);
    (tid, threads.keys)
}

/// Thread index per record. Explicit threads are taken as given; the rest
/// follow their parent chain to a record whose thread is known, to a root, to
/// a missing parent (the thread is then the layout hint or the missing id), or
/// into a cycle.
fn resolve_threads<R>(
    records: &[R],
    links: impl Fn(&R) -> Links<'_>,
    threads: &mut Interner,
) -> Vec<u32> {
    let mut tid = vec![UNSET; records.len()];
    let mut need_walk = false;
    for (i, r) in records.iter().enumerate() {
        match links(r).thread {
            Some(t) => tid[i] = threads.intern(t),
            None => need_walk = true,
        }
    }
    if !need_walk {
        return tid;
    }
    let mut by_id: HashMap<&str, u32> = HashMap::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        by_id.entry(links(r).id).or_insert(i as u32);
    }
    let mut path: Vec<u32> = Vec::new();
    for start in 0..records.len() {
        if tid[start] != UNSET {
            continue;
        }
        path.clear();
        let mut cur = start as u32;
        let result = loop {
            let c = cur as usize;
            if tid[c] < VISITING {
                break tid[c];
            }
            if tid[c] == VISITING {
                // A cycle: name the thread after its hint or its first record.
                let pos = path.iter().position(|&p| p == cur).unwrap_or(0);
                let first = path[pos..].iter().copied().min().unwrap_or(cur) as usize;
                let l = links(&records[first]);
                break threads.intern(l.hint.unwrap_or(l.id));
            }
            tid[c] = VISITING;
            path.push(cur);
            let l = links(&records[c]);
            match l.parent {
                None => break threads.intern(l.hint.unwrap_or(l.id)),
                Some(p) => match by_id.get(p) {
                    Some(&j) => cur = j,
                    None => break threads.intern(l.hint.unwrap_or(p)),
                },
            }
        };
        for &p in &path {
            tid[p as usize] = result;
        }
    }
    tid
}

const NONE: u32 = u32::MAX;

fn build_thread(
    id: CompactString,
    mut recs: Vec<RawComment>,
    diags: &mut Diagnostics,
    stats: &mut BuildStats,
) -> Result<Thread, StrictError> {
    // Root: a root-kind record named like the thread, else any record named like
    // the thread, else a root-kind record with no parent, else a placeholder.
    let root = recs
        .iter()
        .position(|r| r.kind == Kind::Root && r.id == id)
        .or_else(|| recs.iter().position(|r| r.id == id))
        .or_else(|| {
            recs.iter()
                .position(|r| r.kind == Kind::Root && r.parent.is_none())
        });
    let root = match root {
        Some(r) => r,
        None => {
            let source = recs[0].source.clone();
            let mut ph = RawComment::new(id.clone(), "", source);
            ph.kind = Kind::Placeholder;
            recs.push(ph);
            stats.placeholders += 1;
            recs.len() - 1
        }
    };
    let m = recs.len();
    for (i, r) in recs.iter_mut().enumerate() {
        if i == root {
            // Whatever it was in its source (a source tweet replying to a tweet
            // outside the dump), the chosen root is a root; a placeholder stays one.
            if r.kind != Kind::Placeholder {
                r.kind = Kind::Root;
            }
        } else if r.kind == Kind::Root {
            // A second root-like record (a source post in the replies folder, a
            // second opening post): it sits under the root like any reply.
            r.kind = Kind::Comment;
        }
    }
    let mut parent = vec![NONE; m];
    let mut keep = vec![true; m];
    {
        let mut by_id: HashMap<&str, u32> = HashMap::with_capacity(m);
        by_id.insert(recs[root].id.as_str(), root as u32);
        for (i, r) in recs.iter().enumerate() {
            if i == root {
                continue;
            }
            if let Some(&first) = by_id.get(r.id.as_str()) {
                keep[i] = false;
                stats.duplicates += 1;
                diags.report(
                    r.source.clone(),
                    DiagKind::DuplicateId,
                    format!(
                        "duplicate id {:?} in thread {:?} (first at {}); record skipped",
                        r.id.as_str(),
                        id.as_str(),
                        recs[first as usize].source
                    ),
                )?;
            } else {
                by_id.insert(r.id.as_str(), i as u32);
            }
        }
        for (i, r) in recs.iter().enumerate() {
            if i == root || !keep[i] {
                continue;
            }
            parent[i] = match &r.parent {
                None => root as u32,
                Some(p) if *p == id => root as u32,
                Some(p) => match by_id.get(p.as_str()) {
                    Some(&j) => j,
                    None => NONE, // orphan, handled below (needs &mut recs)
                },
            };
        }
    }
    for i in 0..m {
        if i != root && keep[i] && parent[i] == NONE {
            parent[i] = root as u32;
            recs[i].flags.insert(Flags::ORPHAN);
            stats.orphans += 1;
            let p = recs[i].parent.as_deref().unwrap_or("");
            diags.report(
                recs[i].source.clone(),
                DiagKind::Orphan,
                format!(
                    "parent {p:?} of {:?} not found; attached to the root of thread {:?}",
                    recs[i].id.as_str(),
                    id.as_str()
                ),
            )?;
        }
    }
    break_cycles(&mut recs, &mut parent, &keep, root, diags, stats)?;

    // Children in CSR form, ordered by creation time then input order.
    let mut child_start = vec![0u32; m + 1];
    for i in 0..m {
        if i != root && keep[i] {
            child_start[parent[i] as usize + 1] += 1;
        }
    }
    for i in 0..m {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    let mut children = vec![0u32; child_start[m] as usize];
    for i in 0..m {
        if i != root && keep[i] {
            let p = parent[i] as usize;
            children[fill[p] as usize] = i as u32;
            fill[p] += 1;
        }
    }
    for p in 0..m {
        let kids = &mut children[child_start[p] as usize..child_start[p + 1] as usize];
        if kids.len() > 1 {
            kids.sort_by_key(|&c| {
                let r = &recs[c as usize];
                (r.created.is_none(), r.created, c)
            });
        }
    }

    // Pre-order layout with an explicit stack.
    let mut pos_of = vec![NONE; m];
    let mut pre: Vec<u32> = Vec::with_capacity(m);
    let mut depth = vec![0u32; m];
    let mut stack = vec![root as u32];
    while let Some(v) = stack.pop() {
        pos_of[v as usize] = pre.len() as u32;
        pre.push(v);
        let kids =
            &children[child_start[v as usize] as usize..child_start[v as usize + 1] as usize];
        for &c in kids.iter().rev() {
            depth[c as usize] = depth[v as usize] + 1 + recs[c as usize].missing_ancestors as u32;
            stack.push(c);
        }
    }
    let mut size = vec![1u32; pre.len()];
    for k in (1..pre.len()).rev() {
        let p = pos_of[parent[pre[k] as usize] as usize] as usize;
        size[p] += size[k];
    }
    let mut slots: Vec<Option<RawComment>> = recs.into_iter().map(Some).collect();
    let mut nodes = Vec::with_capacity(pre.len());
    for (k, &v) in pre.iter().enumerate() {
        let rec = slots[v as usize].take().expect("each node laid out once");
        let d = depth[v as usize];
        stats.max_depth = stats.max_depth.max(d);
        match rec.kind {
            Kind::Comment => stats.comments += 1,
            Kind::Pingback => {
                stats.comments += 1;
                stats.pingbacks += 1
            }
            Kind::Root => stats.roots += 1,
            Kind::Placeholder => {}
        }
        if rec.flags.contains(Flags::MISSING_ANCESTORS) {
            stats.missing_ancestors += 1;
        }
        nodes.push(Node {
            parent: if k == 0 {
                None
            } else {
                Some(pos_of[parent[v as usize] as usize])
            },
            depth: d,
            end: (k as u32) + size[k],
            rec,
        });
    }
    Ok(Thread { id, nodes })
}

/// Cut every parent cycle that does not reach the root: the cycle member that
/// came first in the input is re-attached to the root and flagged.
fn break_cycles(
    recs: &mut [RawComment],
    parent: &mut [u32],
    keep: &[bool],
    root: usize,
    diags: &mut Diagnostics,
    stats: &mut BuildStats,
) -> Result<(), StrictError> {
    const UNKNOWN: u8 = 0;
    const ON_PATH: u8 = 1;
    const OK: u8 = 2;
    let m = recs.len();
    let mut state = vec![UNKNOWN; m];
    state[root] = OK;
    let mut path: Vec<u32> = Vec::new();
    for s in 0..m {
        if !keep[s] || state[s] != UNKNOWN {
            continue;
        }
        path.clear();
        let mut cur = s;
        loop {
            match state[cur] {
                OK => break,
                ON_PATH => {
                    let from = path.iter().position(|&p| p as usize == cur).unwrap_or(0);
                    let cut = path[from..].iter().copied().min().unwrap_or(cur as u32) as usize;
                    let old = parent[cut];
                    parent[cut] = root as u32;
                    recs[cut].flags.insert(Flags::CYCLE_BROKEN);
                    stats.cycles_broken += 1;
                    let msg = format!(
                        "parent cycle through {:?} (its parent {:?}) cut; attached to the thread root",
                        recs[cut].id.as_str(),
                        recs[old as usize].id.as_str()
                    );
                    diags.report(recs[cut].source.clone(), DiagKind::CycleBroken, msg)?;
                    break;
                }
                _ => {
                    state[cur] = ON_PATH;
                    path.push(cur as u32);
                    cur = parent[cur] as usize;
                }
            }
        }
        for &p in &path {
            state[p as usize] = OK;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn permutation_in_place() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        let mut order = vec![2, 0, 1, 4, 3];
        super::permute_in_place(&mut v, &mut order);
        assert_eq!(v, vec!['c', 'a', 'b', 'e', 'd']);
    }
}

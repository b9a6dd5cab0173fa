use super::*;
use crate::diag::{DiagKind, Diagnostics, SourceLoc};
use proptest::prelude::*;

fn rec(id: &str, parent: Option<&str>, thread: Option<&str>, line: u64) -> RawComment {
    let mut r = RawComment::new(
        id,
        format!("text {id}"),
        SourceLoc::new("t.jsonl".into(), line),
    );
    r.parent = parent.map(Into::into);
    r.thread = thread.map(Into::into);
    r
}

fn ids(t: &Thread) -> Vec<(&str, u32)> {
    t.nodes
        .iter()
        .map(|n| (n.rec.id.as_str(), n.depth))
        .collect()
}

#[test]
fn builds_preorder_with_placeholder_root() {
    let recs = vec![
        rec("a", Some("T"), Some("T"), 1),
        rec("b", Some("a"), Some("T"), 2),
        rec("c", None, Some("T"), 3),
        rec("d", Some("b"), Some("T"), 4),
    ];
    let mut d = Diagnostics::new(false);
    let f = build(recs, &mut d).unwrap();
    assert_eq!(f.threads.len(), 1);
    let t = &f.threads[0];
    assert_eq!(t.nodes[0].rec.kind, Kind::Placeholder);
    assert_eq!(
        ids(t),
        vec![("T", 0), ("a", 1), ("b", 2), ("d", 3), ("c", 1)]
    );
    assert_eq!(t.children(0).collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(t.subtree_size(1), 3);
    assert_eq!(t.parent_id(3), Some("b"));
    assert_eq!(f.stats.comments, 4);
    assert_eq!(d.rejected(), 0);
}

#[test]
fn orphans_cycles_and_duplicates_are_accounted_for() {
    let recs = vec![
        rec("a", Some("zz"), Some("T"), 1), // orphan
        rec("x", Some("y"), Some("T"), 2),  // cycle x <-> y
        rec("y", Some("x"), Some("T"), 3),
        rec("a", None, Some("T"), 4),      // duplicate
        rec("s", Some("s"), Some("T"), 5), // self-parent
    ];
    let mut d = Diagnostics::new(false);
    let f = build(recs, &mut d).unwrap();
    let t = &f.threads[0];
    assert_eq!(t.nodes.len(), 5); // placeholder + a, x, y, s
    assert_eq!(d.count(DiagKind::Orphan), 1);
    assert_eq!(d.count(DiagKind::CycleBroken), 2);
    assert_eq!(d.count(DiagKind::DuplicateId), 1);
    assert_eq!(d.rejected(), 1);
    let x = t.nodes.iter().find(|n| n.rec.id == "x").unwrap();
    assert!(x.rec.flags.contains(Flags::CYCLE_BROKEN));
    assert_eq!(x.depth, 1);
    let y = t.nodes.iter().find(|n| n.rec.id == "y").unwrap();
    assert_eq!(y.depth, 2);
}

#[test]
fn derives_threads_from_parent_chains() {
    // No thread ids: HN-style. Story 1 with replies, story 9 alone, and a reply
    // whose parent was deleted but whose file layout names its thread.
    let mut lost = rec("5", Some("4"), Some("1"), 5);
    lost.flags.insert(Flags::THREAD_HINT);
    let mut story = rec("1", None, None, 1);
    story.kind = Kind::Root;
    let recs = vec![
        rec("3", Some("2"), None, 3),
        story,
        rec("2", Some("1"), None, 2),
        rec("9", None, None, 9),
        lost,
        rec("7", Some("6"), None, 7), // parent missing, no hint: thread "6"
    ];
    let mut d = Diagnostics::new(false);
    let f = build(recs, &mut d).unwrap();
    let names: Vec<&str> = f.threads.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(names, vec!["1", "9", "6"]);
    assert_eq!(
        ids(&f.threads[0]),
        vec![("1", 0), ("2", 1), ("3", 2), ("5", 1)]
    );
    assert!(f.threads[0].nodes[3].rec.flags.contains(Flags::ORPHAN));
    assert_eq!(f.threads[2].nodes[0].rec.kind, Kind::Placeholder);
    assert_eq!(d.count(DiagKind::Orphan), 1);
}

#[test]
fn deep_chain_does_not_recurse() {
    let n = 100_000;
    let mut recs = Vec::with_capacity(n);
    for i in 0..n {
        let p = if i == 0 {
            None
        } else {
            Some((i - 1).to_string())
        };
        let mut r = rec(&i.to_string(), None, None, i as u64 + 1);
        r.parent = p.map(Into::into);
        if i == 0 {
            r.kind = Kind::Root;
        }
        recs.push(r);
    }
    recs.reverse(); // worst case for the chain walk
    let mut d = Diagnostics::new(false);
    let f = build(recs, &mut d).unwrap();
    assert_eq!(f.threads.len(), 1);
    assert_eq!(f.stats.max_depth, (n - 1) as u32);
    assert_eq!(f.threads[0].nodes[n - 1].depth, (n - 1) as u32);
    assert_eq!(f.threads[0].subtree_size(0), n);
}

#[test]
fn children_sorted_by_time_then_input() {
    let mut a = rec("a", None, Some("T"), 1);
    a.created = Some(50);
    let mut b = rec("b", None, Some("T"), 2);
    b.created = Some(10);
    let c = rec("c", None, Some("T"), 3);
    let mut d = Diagnostics::new(false);
    let f = build(vec![a, b, c], &mut d).unwrap();
    assert_eq!(
        ids(&f.threads[0]),
        vec![("T", 0), ("b", 1), ("a", 1), ("c", 1)]
    );
}

#[test]
fn missing_ancestors_keep_page_depth() {
    let mut root = rec("p", None, Some("p"), 1);
    root.kind = Kind::Root;
    let top = rec("c1", None, Some("p"), 2);
    let mut deep = rec("c2", Some("c1"), Some("p"), 3);
    deep.missing_ancestors = 2;
    let child = rec("c3", Some("c2"), Some("p"), 4);
    let mut d = Diagnostics::new(false);
    let f = build(vec![root, top, deep, child], &mut d).unwrap();
    assert_eq!(
        ids(&f.threads[0]),
        vec![("p", 0), ("c1", 1), ("c2", 4), ("c3", 5)]
    );
}

proptest! {
    /// Whatever the parent links, every record is in the output exactly once or
    /// reported as a duplicate; parents precede children; depths are consistent.
    #[test]
    fn every_record_accounted_for(links in proptest::collection::vec((0u8..40, proptest::option::of(0u8..45), 0u8..3), 0..120)) {
        let recs: Vec<RawComment> = links
            .iter()
            .enumerate()
            .map(|(i, (id, parent, thread))| {
                let t = format!("T{thread}");
                rec(&id.to_string(), parent.map(|p| p.to_string()).as_deref(), Some(&t), i as u64 + 1)
            })
            .collect();
        let n = recs.len() as u64;
        let mut d = Diagnostics::new(false);
        let f = build(recs, &mut d).unwrap();
        let out: u64 = f.threads.iter().map(|t| t.nodes.iter().filter(|x| x.rec.kind != Kind::Placeholder).count() as u64).sum();
        prop_assert_eq!(out + d.count(DiagKind::DuplicateId), n);
        for t in &f.threads {
            prop_assert_eq!(t.nodes[0].parent, None);
            prop_assert_eq!(t.nodes[0].end as usize, t.nodes.len());
            for (i, node) in t.nodes.iter().enumerate().skip(1) {
                let p = node.parent.unwrap() as usize;
                prop_assert!(p < i);
                prop_assert!(node.end <= t.nodes[p].end);
                prop_assert_eq!(node.depth, t.nodes[p].depth + 1);
            }
        }
    }
}

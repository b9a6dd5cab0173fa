//! The whole pipeline on one fuzzed input: read (format picked by the
//! first byte) → build → score with the built-in models → report in all
//! three renderings. Every record is a node or a counted duplicate, every
//! comment and root is scored, and the report counts them.
#![no_main]
#[path = "common.rs"]
mod common;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use threadlens::analyze::models::{load_scorer, ModelChoice};
use threadlens::analyze::render;
use threadlens::analyze::report::{Models, ReportBuilder, ReportOptions};
use threadlens::analyze::score::{Explain, Scorer};
use threadlens::forest::Kind;
use threadlens::ingest::Format;

fn scorer() -> &'static Scorer {
    static S: OnceLock<Scorer> = OnceLock::new();
    S.get_or_init(|| {
        load_scorer(&ModelChoice {
            explain: Explain::All,
            ..Default::default()
        })
        .expect("built-in models load")
    })
}

const NAMES: [&str; 6] = ["p.txt", "d.jsonl", "d.json", "t.csv", "e.xml", "unknown"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let r = common::read(NAMES[pick as usize % NAMES.len()], body, Format::Auto);
    let (forest, _diags) = common::build_accounted(r);
    let s = scorer();
    let scores = s.score_forest(&forest, &|_| {});
    let mut comments = 0u64;
    for (t, sc) in forest.threads.iter().zip(&scores) {
        assert_eq!(t.nodes.len(), sc.len());
        for (n, x) in t.nodes.iter().zip(sc) {
            // Pingbacks and made-up roots hold no person's text: unscored.
            if matches!(n.rec.kind, Kind::Comment | Kind::Root) {
                let x = x.as_ref().expect("every comment and root is scored");
                assert!((0.0..=1.0).contains(&x.incivility), "{}", x.incivility);
                comments += u64::from(n.rec.kind == Kind::Comment);
            }
        }
    }
    let (hi, hs) = s.hashes();
    let mut b = ReportBuilder::new(
        Models {
            incivility: hi.to_string(),
            stance: hs.map(str::to_string),
        },
        ReportOptions {
            threshold: s.threshold(),
            attributes: threadlens::analyze::rows::attribute_names(s),
            queue_sort: (pick & 0x80 != 0).then(|| "insult".to_string()),
            queue: Some(20),
            ..Default::default()
        },
    );
    b.add_forest(&forest, &scores);
    let report = b.finish();
    assert_eq!(report.corpus.threads, forest.threads.len() as u64);
    assert_eq!(report.corpus.comments, comments, "the report counts every comment");
    let html = render::html(&report, 50, 50);
    assert!(html.trim_end().ends_with("</html>"), "the page is whole");
    let _ = render::markdown(&report, 50, 50);
    let _ = serde_json::to_string(&report).expect("the report serialises");
    let _ = render::queue_csv(&report).expect("the queue writes");
});

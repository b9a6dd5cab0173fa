//! Single-thread time per comment of each scoring stage (normalise,
//! tokenize, featurize, the models' side sums, scoring and explaining) on
//! the bodies of a JSONL dump, to see where `score` spends its time.
//!
//! `cargo run --release --example stage_times -- DUMP.jsonl [MAX]`;
//! `STAGE="stance score + explain"` runs one stage only (for `perf`).

use std::time::Instant;
use threadlens::classify::{Model, ScoreScratch};
use threadlens::features::normalize::normalize;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let max: usize = args.get(1).map_or(Ok(50_000), |s| s.parse())?;
    let inc = Model::load(std::path::Path::new("models/incivility.json"))?;
    let st = Model::load(std::path::Path::new("models/stance.json"))?;
    let texts: Vec<String> = std::fs::read_to_string(&args[0])?
        .lines()
        .take(max)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(String::from))
        .collect();
    let n = texts.len().saturating_sub(1).max(1) as f64;
    let cfg = inc.featurizer.config;
    // STAGE=NAME: run only that stage, warmed up ten times (for a profiler).
    let only = std::env::var("STAGE").ok();
    // A stage runs on texts 1.. (an explanation's parent is the text
    // before), after a pass that warms the caches the way a long run has
    // them.
    let time = |name: &str, f: &mut dyn FnMut(usize)| {
        if only.as_deref().is_some_and(|o| o != name) {
            return;
        }
        for _ in 0..if only.is_some() { 10 } else { 1 } {
            (1..texts.len()).for_each(&mut *f);
        }
        let t0 = Instant::now();
        (1..texts.len()).for_each(&mut *f);
        println!(
            "{name:<42} {:7.2} µs/comment",
            t0.elapsed().as_secs_f64() * 1e6 / n
        );
    };
    let (mut norm, mut tmp) = (String::new(), String::new());
    time("normalize", &mut |i| {
        let t = texts[i].as_str();
        normalize(t, cfg.normalize, &mut norm, &mut tmp);
    });
    let mut ids = Vec::new();
    time("normalize+encode", &mut |i| {
        let t = texts[i].as_str();
        normalize(t, cfg.normalize, &mut norm, &mut tmp);
        ids.clear();
        inc.featurizer.tokens.encode(&norm, &mut ids);
    });
    let mut s = ScoreScratch::default();
    let mut fs = threadlens::features::Scratch::default();
    let mut counts = Vec::new();
    time("featurize", &mut |i| {
        let t = texts[i].as_str();
        counts.clear();
        std::hint::black_box(inc.featurizer.featurize(t, 0, &mut fs, &mut counts));
    });
    let mut nochar = inc.featurizer.clone();
    nochar.config.char_ngrams = false;
    time("featurize, no char n-grams", &mut |i| {
        let t = texts[i].as_str();
        counts.clear();
        std::hint::black_box(nochar.featurize(t, 0, &mut fs, &mut counts));
    });
    let mut n3 = inc.featurizer.clone();
    n3.config.char_min = 3;
    time("featurize, char 3-5", &mut |i| {
        let t = texts[i].as_str();
        counts.clear();
        std::hint::black_box(n3.featurize(t, 0, &mut fs, &mut counts));
    });
    // Texts prepared with and without their character n-grams, alone and
    // with the side sums scoring them takes (stance: as a reply and as a
    // parent).
    type Prepare = fn(&Model, &str, &mut ScoreScratch) -> threadlens::classify::Prepared;
    for (name, prepare) in [
        ("prepare_tokens", Model::prepare_tokens as Prepare),
        ("prepare (featurize)", Model::prepare as Prepare),
    ] {
        time(name, &mut |i| {
            std::hint::black_box(prepare(&inc, &texts[i], &mut s));
        });
        time(&format!("{name} + inc side"), &mut |i| {
            let p = prepare(&inc, &texts[i], &mut s);
            std::hint::black_box(inc.side_sum(&p, 0));
        });
        time(&format!("{name} + inc + stance sides"), &mut |i| {
            let p = prepare(&inc, &texts[i], &mut s);
            std::hint::black_box(inc.side_sum(&p, 0));
            std::hint::black_box(st.side_sum(&p, 0));
            std::hint::black_box(st.side_sum(&p, 1));
        });
    }
    // Explanations, right after scoring as `score` does (parent: the
    // text before).
    let prepared: Vec<_> = texts
        .iter()
        .map(|t| inc.prepare_tokens(t, &mut s))
        .collect();
    for explain in [false, true] {
        let then = if explain { " + explain" } else { "" };
        time(&format!("incivility score{then}"), &mut |i| {
            let p = &prepared[i];
            let sum = inc.side_sum(p, 0).unwrap();
            std::hint::black_box(inc.score_sums((p, &texts[i], &sum), None, &mut s));
            if explain {
                std::hint::black_box(inc.explain_scored(p, &texts[i], None, 1, 5, &mut s));
            }
        });
    }
    for explain in [false, true] {
        let then = if explain { " + explain" } else { "" };
        time(&format!("stance score{then}"), &mut |i| {
            let (a, b) = (&prepared[i], &prepared[i - 1]);
            let (sa, sb) = (st.side_sum(a, 0).unwrap(), st.side_sum(b, 1).unwrap());
            let parent = Some((b, texts[i - 1].as_str(), &sb));
            std::hint::black_box(st.score_sums((a, &texts[i], &sa), parent, &mut s));
            if explain {
                let parent = Some((b, texts[i - 1].as_str()));
                std::hint::black_box(st.explain_scored(a, &texts[i], parent, 1, 5, &mut s));
            }
        });
    }
    Ok(())
}

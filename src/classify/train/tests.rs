//! Tests of training: toy tasks, explanations on every scoring path, file
//! formats, mixtures.

use super::stage::ABSENT_MARGIN;
use super::*;
use crate::classify::sparse::Csr;
use crate::classify::{CharReasons, Contribution};
use crate::features::{FeatureConfig, Tokens};

#[test]
fn folds_are_stratified_and_deterministic() {
    let y: Vec<u32> = (0..30).map(|i| u32::from(i % 3 == 0)).collect();
    let f = stratified_folds(&y, 3, 7);
    assert_eq!(f, stratified_folds(&y, 3, 7));
    for fold in 0..3 {
        let pos = (0..30).filter(|&i| f[i] == fold && y[i] == 1).count();
        let all = (0..30).filter(|&i| f[i] == fold).count();
        assert!(
            (3..=4).contains(&pos) && all == 10,
            "fold {fold}: {pos} of {all}"
        );
    }
}

#[test]
fn grouped_folds_keep_each_group_on_one_fold() {
    // 40 rows in 10 threads of unequal size, in two files; "t1" is in both
    // files and is a different thread in each.
    let groups: Vec<(usize, String)> = (0..40)
        .map(|i| (i % 2, format!("t{}", (i * 7) % 5 + 5 * (i % 2))))
        .collect();
    let f = grouped_folds(&groups, 4, 11);
    assert_eq!(f, grouped_folds(&groups, 4, 11), "deterministic");
    let mut fold_of = std::collections::HashMap::new();
    for (g, &k) in groups.iter().zip(&f) {
        assert_eq!(*fold_of.entry(g.clone()).or_insert(k), k, "{g:?} split");
    }
    // 10 groups dealt to 4 folds: 2 or 3 groups each.
    for k in 0..4 {
        let n = fold_of.values().filter(|&&v| v == k).count();
        assert!((2..=3).contains(&n), "fold {k} has {n} groups");
    }
    assert_ne!(f, grouped_folds(&groups, 4, 12), "the seed shuffles");
}

#[test]
fn nb_ratios_within_sources_ignore_a_marker_of_one_source() {
    // Columns: 0 = a marker every row of source 0 has (and no row of
    // source 1), 1 = a word that means the label in both sources, 2 = filler.
    // Source 0 is mostly positive, source 1 mostly negative, so pooled
    // counts make the marker look positive.
    let mut indptr = vec![0usize];
    let mut cols = Vec::new();
    let mut vals = Vec::new();
    let (mut y, mut src) = (Vec::new(), Vec::new());
    for (source, pos, neg) in [(0u32, 30, 10), (1, 5, 35)] {
        for i in 0..pos + neg {
            let label = u32::from(i < pos);
            if source == 0 {
                cols.push(0);
                vals.push(1.0f32);
            }
            // The word is in 4 of 5 positives and 1 of 5 negatives.
            if (label == 1) == (i % 5 != 0) {
                cols.push(1);
                vals.push(1.0);
            }
            cols.push(2);
            vals.push(1.0);
            indptr.push(cols.len());
            y.push(label);
            src.push(source);
        }
    }
    let x = Csr {
        indptr,
        cols,
        vals,
        ncols: 3,
        fixed_cols: 0,
    };
    let s = vec![1.0; y.len()];
    let pooled = super::stage::nb_ratios(&x, &y, &s);
    let within = super::stage::nb_ratios_within(&x, &y, &s, &src);
    // Hand-computed (α = 1): pooled, the marker's ratio is +0.676, like the
    // word's +0.705; within source 0 the marker is in every row, so its ratio
    // is that of any such column there, −0.211, and source 1 (no marker)
    // does not count. The word: +0.873 in source 0, +0.852 in source 1.
    let close = |a: f32, b: f64| (f64::from(a) - b).abs() < 1e-4;
    assert!(
        close(pooled[0], 0.6764) && close(pooled[1], 0.7051),
        "{pooled:?}"
    );
    assert!(close(within[0], -0.2109), "within: {within:?}");
    assert!(close(within[1], 0.8668), "within: {within:?}");
    // One source alone gives the pooled ratios.
    let one = vec![0u32; y.len()];
    let alone = super::stage::nb_ratios_within(&x, &y, &s, &one);
    assert!(alone.iter().zip(&pooled).all(|(a, b)| (a - b).abs() < 1e-6));
}

fn corpus() -> Vec<(String, u32)> {
    let bad = [
        "you idiot",
        "shut up moron",
        "what a stupid idiot",
        "you are a moron",
        "idiots everywhere",
    ];
    let good = [
        "thanks for sharing",
        "i agree with this",
        "good point well made",
        "interesting article",
        "see the source here",
    ];
    let mut v = Vec::new();
    for i in 0..60 {
        v.push((format!("{} {}", bad[i % 5], i % 7), 1));
        v.push((format!("{} {}", good[i % 5], i % 7), 0));
        v.push((format!("{} again {}", good[(i + 2) % 5], i % 4), 0));
    }
    v
}

/// A small featurizer with a tokenizer trained on the corpus.
fn toy_featurizer(c: &[(String, u32)]) -> Featurizer {
    let tokens = Tokens::train(c.iter().map(|x| x.0.as_str()), 200, 1).unwrap();
    Featurizer::new(
        FeatureConfig {
            word_bits: 16,
            char_bits: 16,
            ..Default::default()
        },
        tokens,
    )
    .unwrap()
}

/// The corpus as examples without parents.
fn toy_examples(c: &[(String, u32)]) -> Vec<Example<'_>> {
    c.iter()
        .map(|(t, y)| Example {
            text: t,
            parent: "",
            class: *y,
            weight: 1.0,
            source: 0,
        })
        .collect()
}

/// A binary incivility model on a corpus, default parameters.
fn fit_toy(f: Featurizer, c: &[(String, u32)]) -> Model {
    let labels = vec!["0".into(), "1".into()];
    fit(
        Task::Incivility,
        labels,
        f,
        &toy_examples(c),
        &TrainParams::default(),
        &Silent,
    )
    .unwrap()
}

#[test]
fn learns_and_explains_a_toy_task() {
    let c = corpus();
    let f = toy_featurizer(&c);
    let m = fit_toy(f, &c);
    let mut s = ScoreScratch::default();
    let bad = m.score("what an idiot", "", &mut s)[1];
    let good = m.score("thanks, good point", "", &mut s)[1];
    assert!(bad > 0.7 && good < 0.3, "{bad} {good}");
    let ex = m.explain("what an idiot", "", 1, 3);
    assert!(ex[0].weight > 0.0);
    assert!(
        ex.iter()
            .take(3)
            .any(|c| c.feature.contains("idiot") || c.feature.contains("idi")),
        "{ex:?}"
    );
    // Round trip through the artifact gives the same scores and hash.
    let bytes = m.to_json();
    let m2 = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(m2.hash, m.hash);
    assert_eq!(m2.score("what an idiot", "", &mut s)[1], bad);
}

#[test]
fn ngrams_that_print_alike_are_one_feature_of_an_explanation() {
    // `x_idiot` and ` idiot` both give an n-gram printed `_id` (`_` is
    // how a word boundary is shown): one feature, weights summed.
    let mut c = corpus();
    for i in 0..10 {
        c.push((format!("x_idiot you x_id {i}"), 1));
    }
    let f = toy_featurizer(&c);
    let m = fit_toy(f, &c);
    let text = "x_idiot idiot";
    let mut names = m.featurizer.names(text, 0);
    names.retain(|n| n.name == "chr:_id" && m.vocab.column(n.index).is_some());
    assert_eq!(names.len(), 2, "two known columns print alike: {names:?}");
    let ex = m.explain(text, "", 1, 500);
    let alike: Vec<_> = ex.iter().filter(|c| c.feature == "chr:_id").collect();
    assert_eq!(alike.len(), 1, "{ex:?}");
}

#[test]
fn char_words_unknown_models_round_trip_as_format_version_2() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    let v1 = fit_toy(f.clone(), &c);
    f.config.char_words = crate::features::CharWords::Unknown;
    let m = fit_toy(f, &c);
    let version =
        |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap()["version"].clone();
    assert_eq!(version(&v1.to_json()), 1, "default settings stay version 1");
    let bytes = m.to_json();
    assert_eq!(version(&bytes), 2);
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(back.featurizer.config, m.featurizer.config);
    assert_eq!(back.hash, m.hash);
    let mut s = ScoreScratch::default();
    let text = "what an idiot, zqxj";
    assert_eq!(back.score(text, "", &mut s), m.score(text, "", &mut s));
    assert_ne!(back.score(text, "", &mut s), v1.score(text, "", &mut s));
}

/// The toy incivility model with linearly weighted character n-grams.
fn toy_linear_model() -> Model {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.config.char_tf = crate::features::CharTf::Linear;
    fit_toy(f, &c)
}

/// A linear model scored from texts prepared without character
/// n-grams (their block summed word by word, from the per-word cache
/// on the second pass) against direct scoring; explanations of such
/// texts against those of fully featurized ones.
fn check_linear_paths(m: &Model, text: &str) -> Result<(), String> {
    let mut s = ScoreScratch::default();
    let direct = m.score(text, "", &mut s);
    let full = m.prepare(text, &mut s);
    let lite = m.prepare_tokens(text, &mut s);
    if lite
        .counts
        .iter()
        .any(|&(i, _)| m.featurizer.config.block_of(i) == 1)
    {
        return Err("prepare_tokens kept character n-grams".into());
    }
    let prepared = m.score_prepared(&lite, text, None, &mut s);
    if prepared != direct {
        return Err(format!("{prepared:?} vs {direct:?}"));
    }
    let mut sums = Vec::new();
    for p in [&full, &lite, &lite] {
        let sum = m.side_sum(p, 0).unwrap();
        let fused = m.score_sums((p, text, &sum), None, &mut s);
        for (x, y) in direct.iter().zip(&fused) {
            if (x - y).abs() > 1e-6 {
                return Err(format!("{direct:?} vs fused {fused:?}"));
            }
        }
        sums.push(sum);
    }
    // The word path does not depend on the counts or the cache.
    if sums[0] != sums[1] || sums[1] != sums[2] {
        return Err(format!("{sums:?}"));
    }
    // Words found by their number in the tokenizer's cache (the texts
    // carry their numbered words) and by the word itself: the same
    // sums, bit for bit; also once the numbers are from an older
    // generation of the cache (another vocabulary used it since, and
    // this model again), which are then not used.
    if (lite.words.is_empty() && !lite.norm.trim().is_empty()) || lite.generation == 0 {
        return Err("no numbered words kept".into());
    }
    let f = m.fused().unwrap();
    let by_word = f.side_sum(&m.vocab, &m.featurizer, (&lite.counts, &lite.norm, None), 0);
    if by_word != sums[1] {
        return Err(format!("by number {:?} vs by word {by_word:?}", sums[1]));
    }
    let other = crate::features::Tokens::train(["x y z"].iter(), 20, 1).unwrap();
    other.encode("x y", &mut Vec::new());
    let newer = m.prepare_tokens("what an idiot", &mut s);
    let _ = m.side_sum(&newer, 0);
    if newer.generation <= lite.generation {
        return Err("the cache did not start a new generation".into());
    }
    if m.side_sum(&lite, 0).unwrap() != by_word {
        return Err("older numbers changed the sums".into());
    }
    for m in both_char_reasons(m) {
        let slow = m.explain(text, "", 1, 5);
        let from_lite = m.explain_scored(&lite, text, None, 1, 5, &mut s);
        if slow != from_lite {
            return Err(format!("{:?}: {slow:?} vs {from_lite:?}", m.char_reasons));
        }
        // Right after this text's sums (their words are read again),
        // after another text's, and after this text's on the other
        // side: the same explanation.
        let other = m.prepare_tokens("another text, idiot idiot", &mut s);
        for (q, side) in [(&lite, 0), (&other, 0), (&lite, 1)] {
            let _ = m.fused().unwrap().side_sum(
                &m.vocab,
                &m.featurizer,
                (&q.counts, &q.norm, None),
                side,
            );
            let again = m.explain_scored(&lite, text, None, 1, 5, &mut s);
            if again != slow {
                return Err(format!(
                    "after side {side} of {:?}: {again:?} vs {slow:?}",
                    q.norm
                ));
            }
        }
    }
    check_char_lists(m, (&full, &lite), 0)?;
    check_word_shares(m, text, "")
}

/// The model explaining its character block by words and by n-grams.
fn both_char_reasons(m: &Model) -> [Model; 2] {
    [CharReasons::Words, CharReasons::Ngrams].map(|r| {
        let mut m = m.clone();
        m.char_reasons = r;
        m
    })
}

/// Every feature's share of `class` 1 (nothing left out): per side,
/// the `word:` shares of a linear character block add up to its
/// `chr:` shares (both are the block's part of the margin), each word
/// is named once, and a one-word text's word share is the sum of its
/// n-grams' shares; everything else is named and weighted alike.
fn check_word_shares(m: &Model, text: &str, parent: &str) -> Result<(), String> {
    let [words, ngrams] = both_char_reasons(m).map(|m| m.explain(text, parent, 1, 100_000));
    let (mut rest_w, mut rest_n) = (Vec::new(), Vec::new());
    for prefix in ["", "parent:"] {
        let sum = |ex: &[Contribution], kind: &str| -> (f64, usize) {
            let of = |c: &&Contribution| {
                c.feature
                    .strip_prefix(prefix)
                    .is_some_and(|f| f.starts_with(kind) && !f.starts_with("parent:"))
            };
            (
                ex.iter().filter(of).map(|c| c.weight).sum(),
                ex.iter().filter(of).count(),
            )
        };
        let ((w, nw), (n, nn)) = (sum(&words, "word:"), sum(&ngrams, "chr:"));
        // The n-grams' shares are taken in f32 (as the tf-idf row's
        // values), the words' in f64 (as the scores' sums).
        if (w - n).abs() > 1e-6 * (1.0 + n.abs()) {
            return Err(format!(
                "{prefix}: words {w} vs n-grams {n}: {words:?} vs {ngrams:?}"
            ));
        }
        let side_text = if prefix.is_empty() { text } else { parent };
        let norm = m.featurizer.normalized(side_text);
        let distinct: std::collections::BTreeSet<&str> = m.featurizer.char_words(&norm).collect();
        if nw > distinct.len() || (nn > 0 && nw == 0) {
            return Err(format!(
                "{prefix}: {nw} words named of {distinct:?}: {words:?}"
            ));
        }
    }
    for (ex, rest) in [(&words, &mut rest_w), (&ngrams, &mut rest_n)] {
        rest.extend(
            ex.iter()
                .filter(|c| !c.feature.contains("word:") && !c.feature.contains("chr:")),
        );
        rest.sort_by(|a, b| a.feature.cmp(&b.feature));
    }
    if rest_w != rest_n {
        return Err(format!("other features differ: {rest_w:?} vs {rest_n:?}"));
    }
    Ok(())
}

/// A linear model's character block explained from per-word lists of
/// known n-grams (twice: listing the words, then from the cache)
/// against the same block of the full counts: the same values in the
/// same order, bit for bit, and the same names as the trace gives.
fn check_char_lists(
    m: &Model,
    (full, lite): (&crate::classify::Prepared, &crate::classify::Prepared),
    side: u32,
) -> Result<(), String> {
    let f = m.fused().unwrap();
    let fz = &m.featurizer;
    let cfg = &fz.config;
    let coefs: Vec<f64> = (0..m.experts[0].sparse.k)
        .map(|j| 0.75 - j as f64)
        .collect();
    let chars = &full.counts[cfg.token_counts(&full.counts).len()..];
    let (mut from_counts, mut xs) = (Vec::new(), Vec::new());
    f.contributions(
        &m.vocab,
        cfg,
        (chars, side),
        &coefs,
        &mut from_counts,
        &mut xs,
    );
    let want = |i: u32| from_counts.iter().any(|c| c.0 == i);
    let mut by_trace = fz.names_in(&full.norm, Some(full.trace()), side, want);
    by_trace.retain(|n| n.name.starts_with("chr:"));
    let mut hits = crate::classify::fused::CharHits::default();
    for _ in 0..2 {
        let mut from_words = Vec::new();
        hits.clear();
        let out = (&mut from_words, &mut xs, &mut hits);
        f.char_contributions(&m.vocab, fz, (&lite.norm, side), &coefs, out);
        if from_words != from_counts {
            return Err(format!("side {side}: {from_words:?} vs {from_counts:?}"));
        }
        let mut names = Vec::new();
        crate::classify::fused::Fused::char_names(fz, (&lite.norm, side), &hits, want, &mut names);
        crate::features::sort_names(&mut names);
        if names != by_trace {
            return Err(format!("side {side}: {names:?} vs {by_trace:?}"));
        }
    }
    Ok(())
}

#[test]
fn linear_char_models_score_alike_on_every_path_and_write_version_3() {
    let m = toy_linear_model();
    assert!(m.sums_char_words() && m.scores_without_chars());
    for text in [
        "what an idiot",
        "idiot idiot idiot, you moron",
        "haha hahaha ééé naïve idiot",
        "",
        "!!!",
    ] {
        check_linear_paths(&m, text).unwrap();
    }
    let ex = m.explain("what an idiot", "", 1, 3);
    assert!(
        ex.iter().take(3).any(|c| c.feature.contains("idi")),
        "{ex:?}"
    );
    let bytes = m.to_json();
    let v = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap();
    assert_eq!(v["version"], 3);
    assert_eq!(v["featurizer"]["char_tf"], "linear");
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(back.featurizer.config, m.featurizer.config);
    let mut s = ScoreScratch::default();
    assert_eq!(
        back.score("you moron", "", &mut s),
        m.score("you moron", "", &mut s)
    );
    // Without character n-grams the weighting is moot: version 1.
    let mut none = m.featurizer.config;
    none.char_ngrams = false;
    assert_eq!(
        crate::classify::artifact::version_for(&none, false, false, false),
        1
    );
}

proptest::proptest! {
    /// Any text: a linear model scores it alike from full counts, from
    /// token counts plus per-word sums, and directly, and explains it alike.
    #[test]
    fn any_text_scores_alike_with_per_word_char_sums(
        text in crate::features::tests::hostile_text(),
    ) {
        static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        let m = MODEL.get_or_init(toy_linear_model);
        if let Err(e) = check_linear_paths(m, &text) {
            proptest::prop_assert!(false, "{}: {}", text, e);
        }
    }
}

#[test]
fn one_class_refused() {
    let c = corpus();
    let tokens = Tokens::train(c.iter().map(|x| x.0.as_str()), 200, 1).unwrap();
    let f = Featurizer::new(FeatureConfig::default(), tokens).unwrap();
    let ex: Vec<Example> = c
        .iter()
        .map(|(t, _)| Example {
            text: t,
            parent: "",
            class: 0,
            weight: 1.0,
            source: 0,
        })
        .collect();
    let e = fit(
        Task::Incivility,
        vec!["0".into(), "1".into()],
        f,
        &ex,
        &TrainParams::default(),
        &Silent,
    )
    .unwrap_err();
    assert!(e.to_string().contains("only one class (0)"), "{e}");
}

#[test]
fn a_class_without_rows_gets_a_fixed_margin_and_no_drift() {
    // Three classes, the middle one absent (as `query` in DEBAGREEMENT).
    let mut x = Csr::new(4);
    let mut y = Vec::new();
    for i in 0..40u32 {
        let c = if i % 2 == 0 { 0 } else { 2 };
        x.push_row(&[(c / 2, 1.0), (2 + i % 2, 0.5)]);
        y.push(c);
    }
    let s = vec![1.0; y.len()];
    let sp = SparseParams::default();
    for nb in [false, true] {
        let m = fit_stage(&x, &y, &s, 3, &sp, nb, None).unwrap();
        assert_eq!((m.k, m.intercept[1]), (3, ABSENT_MARGIN));
        assert!((0..4).all(|f| m.weights[f * 3 + 1] == 0.0));
        let mut z = [0.0; 3];
        m.margins(&[(0, 1.0), (2, 0.5)], &mut z);
        assert!(z[0] > z[2] + 1.0 && z[1] == ABSENT_MARGIN, "{z:?}");
        m.margins(&[(1, 1.0), (3, 0.5)], &mut z);
        assert!(z[2] > z[0] + 1.0, "{z:?}");
        // Present margins stay on the scale of the data, not drifting up.
        assert!(z.iter().all(|v| v.abs() < 31.0), "{z:?}");
    }
}

#[test]
fn a_two_source_mixture_routes_with_a_binary_router() {
    // Two sources make the router a one-column (binary) model; training,
    // scoring and the artifact round trip must all read it that way.
    let c = corpus();
    let f = toy_featurizer(&c);
    let ex = toy_examples(&c);
    let (a, b) = ex.split_at(ex.len() / 2);
    let sources = vec![("a".to_string(), a.to_vec()), ("b".to_string(), b.to_vec())];
    let m = fit_mixture(
        Task::Incivility,
        vec!["0".into(), "1".into()],
        f,
        &sources,
        &TrainParams::default(),
        &Silent,
    )
    .unwrap();
    assert_eq!(m.router.as_ref().unwrap().sparse.k, 1);
    // A mixture has no fused table, and says so without making one.
    assert!(!m.fusable() && m.fused().is_none());
    let d = m.domains("what an idiot", "");
    assert_eq!(d.len(), 2);
    assert!((d[0].1 + d[1].1 - 1.0).abs() < 1e-9, "{d:?}");
    let back = Model::from_json(&m.to_json(), "t").unwrap();
    let mut s = ScoreScratch::default();
    let p = back.score("what an idiot", "", &mut s)[1];
    assert!(p > 0.6, "{p}");
    assert_eq!(p, m.score("what an idiot", "", &mut s)[1]);
}

/// A four-class stance model on the toy corpus.
fn toy_stance_model() -> Model {
    let c = corpus();
    toy_stance_fit(toy_featurizer(&c))
}

/// The toy stance model with linearly weighted character n-grams.
fn toy_linear_stance_model() -> Model {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.config.char_tf = crate::features::CharTf::Linear;
    toy_stance_fit(f)
}

fn toy_stance_fit(f: Featurizer) -> Model {
    let c = corpus();
    let parents = ["is this true?", "the council voted", ""];
    let ex: Vec<Example> = c
        .iter()
        .enumerate()
        .map(|(i, (t, y))| Example {
            text: t,
            parent: parents[i % 3],
            class: if *y == 1 {
                (i % 2) as u32
            } else {
                2 + (i % 2) as u32
            },
            weight: 1.0,
            source: 0,
        })
        .collect();
    let labels: Vec<String> = ["agree", "disagree", "query", "comment"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    fit(
        Task::Stance,
        labels,
        f,
        &ex,
        &TrainParams::default(),
        &Silent,
    )
    .unwrap()
}

proptest::proptest! {
    /// Any reply and parent: probabilities are a distribution, and the
    /// prepared, fused and explanation paths agree with direct scoring.
    #[test]
    fn any_pair_scores_the_same_on_every_path(
        text in crate::features::tests::hostile_text(),
        parent in crate::features::tests::hostile_text(),
    ) {
        static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        let m = MODEL.get_or_init(toy_stance_model);
        let mut s = ScoreScratch::default();
        let direct = m.score(&text, &parent, &mut s);
        proptest::prop_assert!(direct.iter().all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
        proptest::prop_assert!((direct.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let (a, b) = (m.prepare(&text, &mut s), m.prepare(&parent, &mut s));
        let prepared = m.score_prepared(&a, &text, Some((&b, &parent)), &mut s);
        proptest::prop_assert_eq!(&direct, &prepared);
        // The pair sides made from the tokenizer's split equal those
        // made later by splitting again, and score alike.
        let (pa, pb) = (m.prepare_as(&text, true, true, &mut s), m.prepare_as(&parent, true, true, &mut s));
        proptest::prop_assert_eq!(pa.pair.get(), Some(a.pair_side(&text)));
        proptest::prop_assert_eq!(pb.pair.get(), Some(b.pair_side(&parent)));
        proptest::prop_assert_eq!(&direct, &m.score_prepared(&pa, &text, Some((&pb, &parent)), &mut s));
        // Prepared in another text's buffers: the same, with or
        // without its pair side.
        for pair in [true, false] {
            let fresh = m.prepare_as(&text, true, pair, &mut s);
            let mut reused = m.prepare_as(&format!("{parent} {parent} x"), true, true, &mut s);
            m.prepare_into(&text, (true, pair), &mut s, &mut reused);
            proptest::prop_assert_eq!(&reused, &fresh);
        }
        let (sa, sb) = (m.side_sum(&a, 0).unwrap(), m.side_sum(&b, 1).unwrap());
        let fused = m.score_sums((&a, &text, &sa), Some((&b, &parent, &sb)), &mut s);
        for (x, y) in direct.iter().zip(&fused) {
            proptest::prop_assert!((x - y).abs() < 1e-6, "{:?} vs {:?}", direct, fused);
        }
        for class in 0..4 {
            let slow = m.explain(&text, &parent, class, 6);
            proptest::prop_assert_eq!(&slow, &m.explain_scored(&a, &text, Some((&b, &parent)), class, 6, &mut s));
            proptest::prop_assert!(slow.iter().all(|c| c.weight.is_finite()));
            // Every listed n-gram is named (a side is searched for
            // names when one of its n-grams is wanted).
            proptest::prop_assert!(slow.iter().all(|c| !c.feature.starts_with('#')), "{:?}", slow);
        }
    }
}

/// A linear two-sided model: explanations from texts prepared without
/// character n-grams equal those of fully featurized ones, and each
/// side's character block from the word lists equals the counts'.
fn check_linear_pair(m: &Model, text: &str, parent: &str) -> Result<(), String> {
    let mut s = ScoreScratch::default();
    let (a, b) = (m.prepare(text, &mut s), m.prepare(parent, &mut s));
    let (la, lb) = (
        m.prepare_tokens(text, &mut s),
        m.prepare_tokens(parent, &mut s),
    );
    for m in both_char_reasons(m) {
        for class in 0..4 {
            let full = m.explain_prepared(&a, text, Some((&b, parent)), class, 4, &mut s);
            let lite = m.explain_prepared(&la, text, Some((&lb, parent)), class, 4, &mut s);
            if full != lite {
                return Err(format!("{:?}: {full:?} vs {lite:?}", m.char_reasons));
            }
        }
    }
    check_char_lists(m, (&a, &la), 0)?;
    check_char_lists(m, (&b, &lb), 1)?;
    check_word_shares(m, text, parent)
}

#[test]
fn linear_pair_models_explain_both_sides_from_word_lists() {
    let m = toy_linear_stance_model();
    assert!(m.sums_char_words() && m.sides == 2);
    for (text, parent) in [
        ("you idiot idiot", "is this true? idiot"),
        ("thanks, good point", ""),
        ("", "naïve ééé idiot"),
    ] {
        check_linear_pair(&m, text, parent).unwrap();
    }
    // Parent words and n-grams are named as such.
    let [words, ngrams] = both_char_reasons(&m);
    let ex = ngrams.explain("no", "what an idiot idiot", 1, 40);
    assert!(
        ex.iter().any(|c| c.feature.starts_with("parent:chr:")),
        "{ex:?}"
    );
    let ex = words.explain("no", "what an idiot idiot", 1, 40);
    let idiot: Vec<_> = ex
        .iter()
        .filter(|c| c.feature == "parent:word:idiot")
        .collect();
    assert_eq!(idiot.len(), 1, "{ex:?}");
    assert!(!ex.iter().any(|c| c.feature.contains("chr:")), "{ex:?}");
}

#[test]
fn words_are_explained_by_their_ngrams_taken_together() {
    let m = toy_linear_model();
    assert_eq!(m.char_reasons, CharReasons::Words, "the default");
    let [words, ngrams] = both_char_reasons(&m);
    let share = |m: &Model, text: &str, prefix: &str| -> f64 {
        let ex = m.explain(text, "", 1, 100_000);
        ex.iter()
            .filter(|c| c.feature.starts_with(prefix))
            .map(|c| c.weight)
            .sum()
    };
    // One word: its share is the sum of its n-grams' shares.
    let one = share(&words, "idiot", "word:idiot");
    assert!(one > 0.0);
    assert!((one - share(&ngrams, "idiot", "chr:")).abs() < 1e-6 * one);
    // Written twice: one feature; each occurrence counts (linear tf),
    // the block's norm grows by sqrt(2): the share by sqrt(2).
    let ex = words.explain("idiot idiot", "", 1, 100_000);
    let twice: Vec<_> = ex.iter().filter(|c| c.feature == "word:idiot").collect();
    assert_eq!(twice.len(), 1, "{ex:?}");
    assert!((twice[0].weight - one * 2f64.sqrt()).abs() < 1e-9, "{ex:?}");
    // Punctuation is stripped from a word's ends (as for its n-grams);
    // the token features are unchanged.
    let ex = words.explain("what an idiot!!", "", 1, 3);
    assert!(ex.iter().any(|c| c.feature == "word:idiot"), "{ex:?}");
    assert!(!ex.iter().any(|c| c.feature.starts_with("chr:")), "{ex:?}");
    for text in ["idiot idiot idiot, you moron", "naïve ééé idiot", "", "!!!"] {
        check_word_shares(&m, text, "").unwrap();
    }
}

proptest::proptest! {
    /// Any reply and parent: a linear two-sided model explains both
    /// sides' character blocks from word lists as from the counts.
    #[test]
    fn any_pair_explains_alike_from_word_lists(
        text in crate::features::tests::hostile_text(),
        parent in crate::features::tests::hostile_text(),
    ) {
        static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        let m = MODEL.get_or_init(toy_linear_stance_model);
        if let Err(e) = check_linear_pair(m, &text, &parent) {
            proptest::prop_assert!(false, "{:?} / {:?}: {}", text, parent, e);
        }
    }
}

proptest::proptest! {
    /// The one-pass `keep`-th largest and smallest weights equal a
    /// selection's, ties and signed zeros included.
    #[test]
    fn kth_extremes_match_a_selection(
        ws in proptest::collection::vec(
            proptest::prop_oneof![-3i8..3i8, proptest::strategy::Just(0i8)], 1..60),
        keep in 1usize..24,
        neg_zero in proptest::bool::ANY,
    ) {
        let cols: Vec<(u32, f64)> = ws
            .iter()
            .enumerate()
            .map(|(i, &w)| (i as u32, if w == 0 && neg_zero && i % 2 == 0 { -0.0 } else { f64::from(w) / 4.0 }))
            .collect();
        let keep = keep.min(cols.len());
        let mut sorted: Vec<f64> = cols.iter().map(|c| c.1).collect();
        sorted.sort_by(f64::total_cmp);
        let (hi, lo) = crate::classify::kth_extremes(&cols, keep, &mut Vec::new());
        proptest::prop_assert_eq!(hi.to_bits(), sorted[sorted.len() - keep].to_bits());
        proptest::prop_assert_eq!(lo.to_bits(), sorted[keep - 1].to_bits());
    }
}

#[test]
fn prepared_scoring_equals_direct_scoring() {
    // Stance (two sides): the prepared path shifts the parent's counts
    // onto the parent side; it must give exactly the direct scores.
    let m = toy_stance_model();
    assert!(m.shares_featurizer(&m));
    let mut s = ScoreScratch::default();
    for (text, parent) in [
        ("you idiot", "is this true?"),
        ("thanks, good point", ""),
        ("", "x"),
    ] {
        let a = m.prepare(text, &mut s);
        let b = m.prepare(parent, &mut s);
        let direct = m.score(text, parent, &mut s);
        let prepared = m.score_prepared(&a, text, Some((&b, parent)), &mut s);
        assert_eq!(direct, prepared, "{text:?} / {parent:?}");
        assert_eq!(
            m.explain(text, parent, 1, 4),
            m.explain_prepared(&a, text, Some((&b, parent)), 1, 4, &mut s),
            "{text:?} / {parent:?}"
        );
        // The fused path: the text's side-0 sums and the parent's
        // side-1 sums give the same probabilities up to rounding.
        let (sa, sb) = (m.side_sum(&a, 0).unwrap(), m.side_sum(&b, 1).unwrap());
        let fused = m.score_sums((&a, text, &sa), Some((&b, parent, &sb)), &mut s);
        for (x, y) in direct.iter().zip(&fused) {
            assert!((x - y).abs() < 1e-6, "{direct:?} vs {fused:?}");
        }
        // Right after scoring, the explanation reuses the cue inputs.
        assert_eq!(
            m.explain_scored(&a, text, Some((&b, parent)), 1, 4, &mut s),
            m.explain(text, parent, 1, 4),
            "{text:?} / {parent:?}"
        );
        // Explanations read the fused table; the values equal those of
        // the tf-idf row (same f32 arithmetic), bit for bit.
        let coefs = [0.5, -1.0, 2.0, 0.25];
        let (mut from_table, mut xs) = (Vec::new(), Vec::new());
        let f = m.fused().unwrap();
        let cfg = &m.featurizer.config;
        f.contributions(
            &m.vocab,
            cfg,
            (&a.counts, 0),
            &coefs,
            &mut from_table,
            &mut xs,
        );
        f.contributions(
            &m.vocab,
            cfg,
            (&b.counts, 1),
            &coefs,
            &mut from_table,
            &mut xs,
        );
        m.prepared_row(&a, Some((&b, parent)), &mut s);
        let k = m.experts[0].sparse.k;
        let from_row: Vec<(u32, f64)> = s
            .row
            .iter()
            .map(|&(col, v)| {
                let w = (0..k)
                    .map(|j| {
                        let wj = m.experts[0].sparse.weights[col as usize * k + j];
                        coefs[j] * f64::from(wj) * f64::from(v)
                    })
                    .sum();
                (m.vocab.index[col as usize], w)
            })
            .collect();
        assert!(!from_row.is_empty());
        assert_eq!(from_table, from_row, "{text:?} / {parent:?}");
        let alone = m.score(text, "", &mut s);
        let fused_alone = m.score_sums((&a, text, &sa), None, &mut s);
        for (x, y) in alone.iter().zip(&fused_alone) {
            assert!((x - y).abs() < 1e-6, "{alone:?} vs {fused_alone:?}");
        }
    }
}

#[test]
fn a_model_without_char_ngrams_reads_texts_featurized_with_them() {
    // As in `score`: the incivility model (character n-grams on)
    // featurizes each text once; the stance model (off) scores from
    // those counts exactly as from its own.
    let c = corpus();
    let with = toy_featurizer(&c);
    let mut without = with.clone();
    without.config.char_ngrams = false;
    let ex: Vec<Example> = c
        .iter()
        .map(|(t, y)| Example {
            text: t,
            parent: "is this true?",
            class: *y,
            weight: 1.0,
            source: 0,
        })
        .collect();
    let p = TrainParams::default();
    let labels = || vec!["0".to_string(), "1".to_string()];
    let inc = fit(Task::Incivility, labels(), with, &ex, &p, &Silent).unwrap();
    let st = fit(Task::Stance, labels(), without, &ex, &p, &Silent).unwrap();
    assert!(st.shares_featurizer(&inc) && !inc.shares_featurizer(&st));
    // Which words give character n-grams matters only to a model that
    // reads them.
    let mut fast = inc.clone();
    fast.featurizer.config.char_words = crate::features::CharWords::Unknown;
    assert!(st.shares_featurizer(&fast));
    assert!(!inc.shares_featurizer(&fast) && !fast.shares_featurizer(&inc));
    assert!(st
        .vocab
        .index
        .iter()
        .all(|&i| st.featurizer.config.block_of(i) % 2 == 0));
    let mut s = ScoreScratch::default();
    for (text, parent) in [("you idiot", "is this true?"), ("thanks, good point", "")] {
        let (a, b) = (inc.prepare(text, &mut s), inc.prepare(parent, &mut s));
        let direct = st.score(text, parent, &mut s);
        let prepared = st.score_prepared(&a, text, Some((&b, parent)), &mut s);
        assert_eq!(direct, prepared);
        let (sa, sb) = (st.side_sum(&a, 0).unwrap(), st.side_sum(&b, 1).unwrap());
        let fused = st.score_sums((&a, text, &sa), Some((&b, parent, &sb)), &mut s);
        for (x, y) in direct.iter().zip(&fused) {
            assert!((x - y).abs() < 1e-6, "{direct:?} vs {fused:?}");
        }
        assert_eq!(
            st.explain_scored(&a, text, Some((&b, parent)), 1, 4, &mut s),
            st.explain(text, parent, 1, 4)
        );
    }
}

#[test]
fn an_embedding_table_feeds_the_head_on_every_path_and_travels_in_the_file() {
    let c = corpus();
    let f = toy_featurizer(&c);
    // One value says "a piece of an insult", the other is the piece's
    // length: the head can learn from the first.
    let insult = ["idiot", "moron", "stupid", "idiots"];
    let table = crate::features::embed::table_for(&f.tokens, 2, |p| {
        let w = p.trim_start_matches("##");
        let bad = insult.iter().any(|i| i.contains(w) && w.len() > 2);
        vec![if bad { 100 } else { -20 }, w.len().min(100) as i8]
    });
    // A table must belong to the tokenizer.
    let mut short = table.clone();
    short.scale.pop();
    short.data.truncate(short.data.len() - 2);
    assert!(f.clone().with_embedding(short).is_err());
    let mut other = table.clone();
    other.vocab_sha256 = "0".repeat(64);
    assert!(f.clone().with_embedding(other).is_err());
    let f = f.with_embedding(table).unwrap();
    let m = fit_toy(f.clone(), &c);
    // Deterministic with a table too.
    assert_eq!(fit_toy(f, &c).to_json(), m.to_json());
    let head = &m.experts[0].head;
    assert_eq!(head.features[head.features.len() - 2..], ["emb0", "emb1"]);
    let mut s = ScoreScratch::default();
    let text = "what an idiot";
    let p = m.score(text, "", &mut s);
    assert!(p[1] > 0.7, "{p:?}");
    // Prepared and fused paths read the same embedding.
    let prep = m.prepare(text, &mut s);
    assert_eq!(m.score_prepared(&prep, text, None, &mut s), p);
    let sum = m.side_sum(&prep, 0).unwrap();
    let fused = m.score_sums((&prep, text, &sum), None, &mut s);
    assert!((fused[1] - p[1]).abs() < 1e-6, "{fused:?} vs {p:?}");
    // Its values are one feature of an explanation.
    let ex = m.explain(text, "", 1, 40);
    let names: Vec<&str> = ex.iter().map(|c| c.feature.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "cue:embedding").count(),
        1,
        "{names:?}"
    );
    assert!(!names
        .iter()
        .any(|n| n.starts_with("cue:emb") && *n != "cue:embedding"));
    // The file carries the table (format version 4) and gives the same
    // scores back; a model without it is written as before.
    let bytes = m.to_json();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 4);
    assert_eq!(v["embedding"]["dim"], 2);
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(back.hash, m.hash);
    assert_eq!(back.score(text, "", &mut s), p);
    // Scoring reads the table: without its signal the score moves.
    let mut flat = back.clone();
    let mut t = (**flat.featurizer.embedding.as_ref().unwrap()).clone();
    t.data.iter_mut().for_each(|v| *v = 0);
    flat.featurizer.embedding = Some(std::sync::Arc::new(t));
    assert_ne!(flat.score(text, "", &mut s), p);
    // A damaged table is refused (hash), and so is a file that drops it.
    let mut damaged = v.clone();
    damaged["embedding"]["dim"] = 1.into();
    assert!(Model::from_json(&serde_json::to_vec(&damaged).unwrap(), "m.json").is_err());
    let plain = fit_toy(toy_featurizer(&c), &c);
    let v: serde_json::Value = serde_json::from_slice(&plain.to_json()).unwrap();
    assert!(v.get("embedding").is_none() && v["version"] != 4);
}

/// The direct, prepared and fused scores of each text agree.
fn assert_paths_agree(m: &Model, texts: &[&str]) {
    let mut s = ScoreScratch::default();
    for text in texts {
        let p = m.score(text, "", &mut s);
        let prep = m.prepare(text, &mut s);
        assert_eq!(m.score_prepared(&prep, text, None, &mut s), p);
        let sum = m.side_sum(&prep, 0).unwrap();
        let fused = m.score_sums((&prep, text, &sum), None, &mut s);
        assert!((fused[1] - p[1]).abs() < 1e-6, "{fused:?} vs {p:?}");
    }
}

/// Loading the model file `v` after `edit` (resealed) fails; its message.
fn load_error(v: &serde_json::Value, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v = v.clone();
    edit(&mut v);
    match Model::from_json(&crate::classify::artifact::resealed(&v), "m.json") {
        Ok(_) => panic!("the edited file loads"),
        Err(e) => e.to_string(),
    }
}

/// A `sha256:` of no list.
fn zero_hash() -> serde_json::Value {
    format!("sha256:{}", "0".repeat(64)).into()
}

#[test]
fn the_lexicon_feeds_the_head_and_its_hash_travels_in_the_file() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.lexicon = true;
    let m = fit_toy(f.clone(), &c);
    assert_eq!(fit_toy(f, &c).to_json(), m.to_json(), "deterministic");
    let head = &m.experts[0].head;
    let names = crate::features::lexicon::NAMES;
    let at = head.features.len() - names.len();
    assert_eq!(head.features[at..], names.map(String::from));
    // The toy corpus's insults are in the list (`moron` mean 2, `idiot`,
    // `stupid` mean 1): the mean rating is an input with a weight.
    assert!(head.weights[0][at + 3] > 0.0, "{:?}", head.weights[0]);
    let mut s = ScoreScratch::default();
    assert_paths_agree(&m, &["what a moron", "thanks, good point", "you d1pshit"]);
    // A word only the list knows moves the score.
    let (p, q) = (
        m.score("you dipshit", "", &mut s)[1],
        m.score("you zqxwv", "", &mut s)[1],
    );
    assert!(p > q, "{p} vs {q}");
    let ex = m.explain("what a moron", "", 1, 40);
    assert!(
        ex.iter().any(|c| c.feature.starts_with("cue:lex_")),
        "{ex:?}"
    );
    // The mean rating names the word it read; the other categories, with
    // no listed word in the text, name none.
    let named: Vec<&str> = ex.iter().map(|c| c.feature.as_str()).collect();
    assert!(named.contains(&"cue:lex_mean:moron"), "{named:?}");
    assert!(named.contains(&"cue:lex_mean_share:moron"), "{named:?}");
    for n in named.iter().filter(|n| n.starts_with("cue:lex_")) {
        assert!(
            n.starts_with("cue:lex_mean") || n.matches(':').count() == 1,
            "{n}"
        );
    }
    // The file records the list (format version 5) and reads back the same.
    let bytes = m.to_json();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 5);
    assert_eq!(
        v["lexicon"]["sha256"],
        crate::features::lexicon::Lexicon::builtin().sha256()
    );
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert!(back.featurizer.lexicon);
    assert_eq!(
        back.score("what a moron", "", &mut s),
        m.score("what a moron", "", &mut s)
    );
    // Another list (another hash) is refused by name, and a file that
    // drops the list no longer fits its head.
    let e = load_error(&v, |v| v["lexicon"]["sha256"] = zero_hash());
    assert!(e.contains("m.json") && e.contains("lexicon"), "{e}");
    let e = load_error(&v, |v| {
        v["experts"][0]["head"]["features"][at + 4] = "lex_profane_hits".into()
    });
    assert!(e.contains("lex_profane_hits"), "{e}");
    load_error(&v, |v| {
        v.as_object_mut().unwrap().remove("lexicon");
    });
    // Without it, a model is written as before.
    let plain = fit_toy(toy_featurizer(&c), &c);
    let v: serde_json::Value = serde_json::from_slice(&plain.to_json()).unwrap();
    assert!(v.get("lexicon").is_none() && v["version"] != 5);
    assert!(!plain.experts[0]
        .head
        .features
        .iter()
        .any(|n| n.starts_with("lex_")));
}

#[test]
fn the_sentiment_lexicon_follows_the_lexicon_and_its_hash_travels_in_the_file() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.lexicon = true;
    f.sentiment = true;
    let m = fit_toy(f, &c);
    let head = &m.experts[0].head;
    let (lex, sent) = (
        crate::features::lexicon::NAMES,
        crate::features::sentiment::NAMES,
    );
    // Input order: ..., the lexicon's, the sentiment lexicon's (no embedding here).
    let at = head.features.len() - sent.len();
    assert_eq!(head.features[at..], sent.map(String::from));
    assert_eq!(head.features[at - lex.len()..at], lex.map(String::from));
    let mut s = ScoreScratch::default();
    assert_paths_agree(
        &m,
        &[
            "what a moron",
            "thanks, good point",
            "I hate this, disgusting",
        ],
    );
    // The toy corpus's uncivil texts are the negative ones (`stupid` -2.4,
    // `idiot` -2.3): `vile` (-3.1), which the corpus and the abusive-word
    // list lack, raises
    // the score.
    let (p, q) = (
        m.score("you zqxwv, vile", "", &mut s)[1],
        m.score("you zqxwv, wonderful", "", &mut s)[1],
    );
    assert!(p > q, "{p} vs {q}");
    // Format version 6 with the list's hash; reads back the same.
    let bytes = m.to_json();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 6);
    assert_eq!(
        v["sentiment"]["sha256"],
        crate::features::sentiment::Sentiment::builtin().sha256()
    );
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert!(back.featurizer.sentiment && back.featurizer.lexicon);
    assert_eq!(
        back.score("I hate this", "", &mut s),
        m.score("I hate this", "", &mut s)
    );
    // Another list, renamed inputs, a dropped reference: refused.
    let e = load_error(&v, |v| v["sentiment"]["sha256"] = zero_hash());
    assert!(
        e.contains("m.json") && e.contains("sentiment lexicon"),
        "{e}"
    );
    let e = load_error(&v, |v| {
        v["experts"][0]["head"]["features"][at] = "sent_min".into()
    });
    assert!(e.contains("sent_min"), "{e}");
    load_error(&v, |v| {
        v.as_object_mut().unwrap().remove("sentiment");
    });
    // A model with the lexicon alone is still written as version 5.
    let mut f = toy_featurizer(&c);
    f.lexicon = true;
    let v: serde_json::Value = serde_json::from_slice(&fit_toy(f, &c).to_json()).unwrap();
    assert!(v.get("sentiment").is_none() && v["version"] == 5);
}

#[test]
fn a_cue_window_is_written_as_version_8_and_read_back_alike() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.lexicon = true;
    f.sentiment = true;
    f.config.cue_window = Some(3);
    let m = fit_toy(f, &c);
    let long = "you are wrong, stupid! and you know it! read it again, you idiot!";
    assert_paths_agree(&m, &["what a moron", long]);
    let bytes = m.to_json();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (
            v["version"].as_u64(),
            v["featurizer"]["cue_window"].as_u64()
        ),
        (Some(8), Some(3))
    );
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(back.featurizer.config.cue_window, Some(3));
    let mut s = ScoreScratch::default();
    assert_eq!(back.score(long, "", &mut s), m.score(long, "", &mut s));
    // An older version number, or a window of 0, is refused.
    let e = load_error(&v, |v| v["version"] = 7.into());
    assert!(e.contains("version 8"), "{e}");
    let e = load_error(&v, |v| v["featurizer"]["cue_window"] = 0.into());
    assert!(e.contains("cue_window"), "{e}");
}

/// `m`, trained with the featurizer setting `field` on, and `plain`, the
/// same without it: `m`'s file records the setting and is written as
/// format `version` (the version before is refused), `plain`'s leaves the
/// field out (older builds read it), and `m` read back scores `text` as
/// `m` does. Returns both files' JSON.
fn setting_written_as(
    m: &Model,
    plain: &Model,
    field: &str,
    version: u64,
    text: &str,
) -> (serde_json::Value, serde_json::Value) {
    let bytes = m.to_json();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], version);
    assert_eq!(v["featurizer"][field], true);
    let pv: serde_json::Value = serde_json::from_slice(&plain.to_json()).unwrap();
    assert!(pv["featurizer"].get(field).is_none());
    let back = Model::from_json(&bytes, "m.json").unwrap();
    assert_eq!(
        serde_json::to_value(back.featurizer.config).unwrap()[field],
        true
    );
    let mut s = ScoreScratch::default();
    assert_eq!(back.score(text, "", &mut s), m.score(text, "", &mut s));
    let e = load_error(&v, |v| v["version"] = (version - 1).into());
    assert!(e.contains(&format!("version {version}")), "{e}");
    (v, pv)
}

#[test]
fn sentiment_negation_is_written_as_version_9_and_changes_only_negated_words() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.sentiment = true;
    let plain = fit_toy(f.clone(), &c);
    f.config.sentiment_negation = true;
    let m = fit_toy(f, &c);
    let negated = "i do not hate you, you are not awful";
    assert_paths_agree(&m, &["what a moron", negated]);
    setting_written_as(&m, &plain, "sentiment_negation", 9, negated);
    // The inputs: a negated negative word is not negative, a plain one is.
    let cues = |text: &str| {
        let mut sc = crate::features::Scratch::default();
        m.featurizer.featurize(text, 0, &mut sc, &mut Vec::new())
    };
    assert_eq!(cues("i do not hate you").sentiment[0], 0.0);
    assert!(cues("i hate you").sentiment[0] > 2.0);
}

#[test]
fn sentiment_positive_is_written_as_version_10_with_two_more_inputs() {
    let c = corpus();
    let mut f = toy_featurizer(&c);
    f.sentiment = true;
    f.config.sentiment_negation = true;
    let plain = fit_toy(f.clone(), &c);
    f.config.sentiment_positive = true;
    let m = fit_toy(f, &c);
    let praise = "you are lovely and kind, not awful";
    assert_paths_agree(&m, &["what a moron", praise]);
    // Two inputs more than the model without it, named after the list's side.
    let names = m.featurizer.word_list_names();
    assert_eq!(names.len(), plain.featurizer.word_list_names().len() + 2);
    assert_eq!(
        &names[names.len() - 2..],
        &crate::features::sentiment::POSITIVE_NAMES
    );
    let (_, pv) = setting_written_as(&m, &plain, "sentiment_positive", 10, praise);
    assert_eq!(pv["version"], 9);
    // A file whose head has the weights of the model without the positive
    // side is refused.
    let e = load_error(&pv, |v| {
        v["featurizer"]["sentiment_positive"] = true.into();
        v["version"] = 10.into();
    });
    assert!(
        e.contains("dense") || e.contains("weights") || e.contains("inputs"),
        "{e}"
    );
}

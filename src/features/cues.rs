//! Dense cue features: a handful of signals that n-grams see poorly
//! (shouting, punctuation bursts, address, obfuscation, length). They feed
//! the model's small dense head next to the n-gram score. A model trained
//! with a cue window ([`super::FeatureConfig::cue_window`]) reads a long
//! text's counts as rates and its word lists' strongest ratings per
//! window, so a post does not score higher for being long.

use super::normalize::NormalizeStats;
use super::words::{self, Word};

/// Names of [`Cues::values`], in order (stored in the model).
pub const NAMES: [&str; 12] = [
    "len_log",
    "caps_ratio",
    "exclaim_log",
    "question_log",
    "second_person_log",
    "negation_log",
    "elongation",
    "leet",
    "url",
    "mention",
    "invisible",
    "empty",
];

/// Cue values of one text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cues {
    /// In the order of [`NAMES`].
    pub values: [f32; NAMES.len()],
    /// The abusive-word lexicon's inputs ([`super::lexicon::NAMES`]), read
    /// by the models trained with it.
    pub lexicon: [f32; super::lexicon::NAMES.len()],
    /// The sentiment lexicon's inputs ([`super::sentiment::BOTH_NAMES`]:
    /// the negative side, then the positive), read by the models trained
    /// with it (the positive side only by those trained with
    /// [`super::FeatureConfig::sentiment_positive`]).
    pub sentiment: [f32; super::sentiment::BOTH_NAMES.len()],
    /// Byte ranges in the normalised text of the words the word-list
    /// inputs point at: per category of [`super::lexicon::CATEGORIES`] the
    /// word or phrase rated strongest, then the most negative word, then
    /// the most positive (`(0, 0)`: none). Read by [`Cues::word`].
    pub words: [(u32, u32); super::lexicon::CATEGORIES.len() + 2],
}

impl Cues {
    /// The word or phrase of `norm` (the normalised text these cues are of)
    /// that word-list input `name` points at: the one rated strongest in a
    /// `lex_*` input's category, the most negative for `sent_negative*`,
    /// the most positive for `sent_positive*`.
    /// `None` for other inputs, or when the text has no such word (the
    /// input then says there is none). A listed word or phrase: bounded by
    /// the lists' entries, its words joined by one space.
    pub fn word(&self, name: &str, norm: &str) -> Option<String> {
        use super::{lexicon, sentiment};
        let c = match lexicon::NAMES.iter().position(|n| *n == name) {
            Some(at) => at % lexicon::CATEGORIES.len(),
            None if sentiment::NAMES.contains(&name) => lexicon::CATEGORIES.len(),
            None if sentiment::POSITIVE_NAMES.contains(&name) => lexicon::CATEGORIES.len() + 1,
            None => return None,
        };
        let (s, e) = self.words[c];
        let w = norm.get(s as usize..e as usize).filter(|w| !w.is_empty())?;
        Some(w.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

const SECOND_PERSON: &[&str] = &[
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "u",
    "ur",
    "ya",
    "youre",
    "thou",
];
const NEGATION: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "nope", "neither", "nor", "cannot", "t",
];

fn ln1p(x: u32) -> f32 {
    (x as f32).ln_1p()
}

/// Which cue lists word `w` (of a normalised text) is in
/// ([`super::words::SECOND_PERSON`], [`super::words::NEGATION`],
/// [`super::words::T`], [`super::words::APOSTROPHE`]).
pub(crate) fn word_flags(w: &str) -> u8 {
    let mut f = 0;
    if SECOND_PERSON.contains(&w) {
        f |= words::SECOND_PERSON;
    }
    match w {
        "t" => f |= words::T,
        "'" | "’" => f |= words::APOSTROPHE,
        _ if NEGATION.contains(&w) => f |= words::NEGATION,
        _ => {}
    }
    f
}

/// Compute cues from the raw text, the words of its normalised form
/// ([`super::words`]) and what normalising found. With a `window`
/// ([`super::FeatureConfig::cue_window`]), a text of more words (letters
/// or digits) than the window has its counts (`!`, `?`, second person,
/// negation) scaled to a rate per window before the log, and the word
/// lists' strongest ratings read per window ([`super::words::WindowMax`]).
/// With `negation` ([`super::FeatureConfig::sentiment_negation`]) the
/// sentiment inputs leave out negated negative words
/// ([`super::sentiment::Sentiment::values`]).
pub fn compute(
    raw: &str,
    words: &[Word],
    st: &NormalizeStats,
    (window, negation): (Option<u16>, bool),
) -> Cues {
    let (mut excl, mut quest) = (0u32, 0u32);
    for b in raw.bytes() {
        match b {
            b'!' => excl += 1,
            b'?' => quest += 1,
            _ => {}
        }
    }
    let (mut second, mut neg, mut n_words) = (0u32, 0u32, 0u32);
    for (i, w) in words.iter().enumerate() {
        second += u32::from(w.is(words::SECOND_PERSON));
        neg += u32::from(words::negates(words, i));
        n_words += u32::from(w.is(words::ALNUM));
    }
    // Counts of a text longer than the window, as a rate per window.
    let rate = match window {
        Some(w) if n_words > u32::from(w) => f32::from(w) / n_words as f32,
        _ => 1.0,
    };
    let per_window = |c: u32| (c as f32 * rate).ln_1p();
    let (lexicon, lex_at) = super::lexicon::Lexicon::builtin().values(words, window);
    let (sentiment, sent_at) = super::sentiment::Sentiment::values(words, window, negation);
    let chars = raw.chars().count() as u32;
    let caps = if st.letters >= 4 {
        st.upper as f32 / st.letters as f32
    } else {
        0.0
    };
    Cues {
        values: [
            ln1p(chars),
            caps,
            per_window(excl),
            per_window(quest),
            per_window(second),
            per_window(neg),
            f32::from(st.folded_repeats > 0),
            f32::from(st.folded_leet > 0),
            f32::from(st.urls > 0),
            f32::from(st.mentions > 0),
            f32::from(st.invisible > 0),
            f32::from(raw.trim().is_empty()),
        ],
        lexicon,
        sentiment,
        words: [
            lex_at[0], lex_at[1], lex_at[2], lex_at[3], sent_at[0], sent_at[1],
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::normalize::{normalize, NormalizeConfig};

    fn cues(s: &str) -> Cues {
        cues_in(s, None)
    }

    fn get(c: &Cues, name: &str) -> f32 {
        c.values[NAMES.iter().position(|n| *n == name).unwrap()]
    }

    proptest::proptest! {
        /// Any text: a window at least as long as the text changes nothing,
        /// and a shorter one never raises a count cue or a strongest rating.
        #[test]
        fn a_window_never_raises_a_cue(text in crate::features::tests::hostile_text(), w in 1u16..40) {
            let whole = cues_in(&text, None);
            proptest::prop_assert_eq!(cues_in(&text, Some(u16::MAX)), whole);
            let windowed = cues_in(&text, Some(w));
            for (a, b) in windowed.values.iter().zip(&whole.values) {
                proptest::prop_assert!(a <= b, "{} > {}", a, b);
            }
            for (a, b) in windowed.lexicon.iter().zip(&whole.lexicon).chain(windowed.sentiment.iter().zip(&whole.sentiment)) {
                proptest::prop_assert!(*a <= *b + 1e-6, "{} > {}", a, b);
            }
        }

        /// The word flags count what comparing every word with the lists counts.
        #[test]
        fn listed_words_counted_as_by_comparing_words(text in "(you|u|t|not|don|'|’|no|x|yes|cannot| )*") {
            let c = cues(&text);
            let (n, t) = (&mut String::new(), &mut String::new());
            normalize(&text, NormalizeConfig::default(), n, t);
            let (mut second, mut neg, mut prev_apos) = (0u32, 0u32, false);
            for w in crate::features::tokens::bert_split(n) {
                second += u32::from(SECOND_PERSON.contains(&w));
                neg += u32::from(NEGATION.contains(&w) && (w != "t" || prev_apos));
                prev_apos = w == "'" || w == "’";
            }
            proptest::prop_assert_eq!(get(&c, "second_person_log"), ln1p(second));
            proptest::prop_assert_eq!(get(&c, "negation_log"), ln1p(neg));
        }
    }

    fn cues_in(s: &str, window: Option<u16>) -> Cues {
        cues_and_norm(s, window).0
    }

    /// The cues of `s` with a `window`, and its normalised form.
    fn cues_and_norm(s: &str, window: Option<u16>) -> (Cues, String) {
        let (mut n, mut t) = (String::new(), String::new());
        let st = normalize(s, NormalizeConfig::default(), &mut n, &mut t);
        let mut w = Vec::new();
        crate::features::words::words_of(&n, &mut w);
        (compute(s, &w, &st, (window, false)), n)
    }

    #[test]
    fn word_list_inputs_name_their_word() {
        let (c, n) = cues_and_norm("You MORON, i will kill you... just blow   me", Some(3));
        let word = |name: &str| c.word(name, &n);
        assert_eq!(word("lex_mean").as_deref(), Some("moron"));
        assert_eq!(word("lex_mean_share").as_deref(), Some("moron"));
        assert_eq!(word("sent_negative").as_deref(), Some("kill"));
        assert_eq!(word("sent_negative_share").as_deref(), Some("kill"));
        // A phrase, its words joined by one space.
        assert_eq!(word("lex_sexual").as_deref(), Some("blow me"));
        // Other inputs, and a category no word of the text is rated in.
        assert_eq!(word("exclaim_log"), None);
        assert_eq!(word("embedding"), None);
        let civil = cues("what a lovely day");
        assert_eq!(civil.word("lex_mean", "what a lovely day"), None);
        assert_eq!(civil.word("sent_negative", "what a lovely day"), None);
        // The positive side names the most positive word.
        assert_eq!(
            civil.word("sent_positive", "what a lovely day").as_deref(),
            Some("lovely")
        );
        assert_eq!(word("sent_positive"), None);
    }

    #[test]
    fn a_window_reads_a_long_text_per_window_and_leaves_short_ones_alone() {
        let short = "You are a fucking idiot!!! Why? I hate this.";
        assert_eq!(cues_in(short, Some(50)), cues_in(short, None));
        // Six words (you say the plan is awful) and a `!`, twenty times.
        let unit = "you say the plan is awful! ";
        let long = unit.repeat(20);
        let (one, per_window, whole) = (
            cues_in(unit, Some(6)),
            cues_in(&long, Some(6)),
            cues_in(&long, None),
        );
        assert!(one.sentiment[0] > 0.0, "awful is rated");
        assert_eq!(per_window.sentiment, one.sentiment);
        assert_eq!(per_window.lexicon, one.lexicon);
        for cue in ["exclaim_log", "second_person_log"] {
            assert!(
                (get(&per_window, cue) - get(&one, cue)).abs() < 1e-5,
                "{cue}"
            );
            assert!(
                get(&whole, cue) > get(&one, cue) + 1.0,
                "{cue} grows without a window"
            );
        }
        // Length and the shares are the whole text's either way.
        assert_eq!(get(&per_window, "len_log"), get(&whole, "len_log"));
        assert_eq!(per_window.sentiment[1], whole.sentiment[1]);
    }

    #[test]
    fn one_hostile_word_in_a_long_text_weighs_by_its_window() {
        let civil = "the council met on tuesday to discuss the new budget for roads ";
        let text = format!(
            "{} this plan is disgusting. {}",
            civil.repeat(4),
            civil.repeat(4)
        );
        let (whole, windowed) = (cues_in(&text, None), cues_in(&text, Some(20)));
        assert!(whole.sentiment[0] >= 2.0, "disgusting is rated -2.4");
        assert!(windowed.sentiment[0] > 0.0 && windowed.sentiment[0] < whole.sentiment[0] / 3.0);
        // One more word moves the value a little, not by a window's worth.
        let longer = cues_in(&format!("{text} roads"), Some(20));
        let step = (longer.sentiment[0] - windowed.sentiment[0]).abs();
        assert!(step < windowed.sentiment[0] * 0.05, "{step}");
    }

    #[test]
    fn hand_computed() {
        let c = cues("YOU don't KNOW anything!!! Really?");
        assert!((get(&c, "len_log") - (34f32).ln_1p()).abs() < 1e-6);
        // letters: YOU(3) dont(4) KNOW(4) anything(8) Really(6) = 25, upper 3+4+1 = 8
        assert!((get(&c, "caps_ratio") - 8.0 / 25.0).abs() < 1e-6);
        assert!((get(&c, "exclaim_log") - 3f32.ln_1p()).abs() < 1e-6);
        assert!((get(&c, "question_log") - 1f32.ln_1p()).abs() < 1e-6);
        assert!((get(&c, "second_person_log") - 1f32.ln_1p()).abs() < 1e-6);
        assert!((get(&c, "negation_log") - 1f32.ln_1p()).abs() < 1e-6);
        assert_eq!(get(&c, "elongation"), 1.0, "!!! folded");
        assert_eq!(get(&c, "empty"), 0.0);
    }

    #[test]
    fn short_texts_have_no_caps_ratio_and_empty_is_flagged() {
        assert_eq!(get(&cues("OK"), "caps_ratio"), 0.0);
        assert_eq!(get(&cues("  "), "empty"), 1.0);
        assert_eq!(get(&cues("sh1t @bob http://x"), "leet"), 1.0);
        assert_eq!(get(&cues("sh1t @bob http://x"), "mention"), 1.0);
        assert_eq!(get(&cues("sh1t @bob http://x"), "url"), 1.0);
    }
}

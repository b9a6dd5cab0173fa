//! Dense cue features: a handful of signals that n-grams see poorly
//! (shouting, punctuation bursts, address, obfuscation, length). They feed
//! the model's small dense head next to the n-gram score.

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
    /// The sentiment lexicon's inputs ([`super::sentiment::NAMES`]), read
    /// by the models trained with it.
    pub sentiment: [f32; super::sentiment::NAMES.len()],
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
/// ([`super::words`]) and what normalising found.
pub fn compute(raw: &str, words: &[Word], st: &NormalizeStats) -> Cues {
    let (mut excl, mut quest) = (0u32, 0u32);
    for b in raw.bytes() {
        match b {
            b'!' => excl += 1,
            b'?' => quest += 1,
            _ => {}
        }
    }
    let (mut second, mut neg, mut prev_apos) = (0u32, 0u32, false);
    for w in words {
        second += u32::from(w.is(words::SECOND_PERSON));
        // "t" counts only as the tail of "n't" ("don ' t").
        neg += u32::from(w.is(words::NEGATION) || (w.is(words::T) && prev_apos));
        prev_apos = w.is(words::APOSTROPHE);
    }
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
            ln1p(excl),
            ln1p(quest),
            ln1p(second),
            ln1p(neg),
            f32::from(st.folded_repeats > 0),
            f32::from(st.folded_leet > 0),
            f32::from(st.urls > 0),
            f32::from(st.mentions > 0),
            f32::from(st.invisible > 0),
            f32::from(raw.trim().is_empty()),
        ],
        lexicon: super::lexicon::Lexicon::builtin().values(words),
        sentiment: super::sentiment::Sentiment::values(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::normalize::{normalize, NormalizeConfig};

    fn cues(s: &str) -> Cues {
        let (mut n, mut t) = (String::new(), String::new());
        let st = normalize(s, NormalizeConfig::default(), &mut n, &mut t);
        let mut w = Vec::new();
        crate::features::words::words_of(&n, &mut w);
        compute(s, &w, &st)
    }

    fn get(c: &Cues, name: &str) -> f32 {
        c.values[NAMES.iter().position(|n| *n == name).unwrap()]
    }

    proptest::proptest! {
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

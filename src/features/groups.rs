//! The shared group word, for models trained with `train --group-word`:
//! every name of [`super::spelling::GROUPS`] (`muslims`, `women`, `gay`,
//! `immigrants` ...) is followed by one word that all of them share,
//! [`PLACEHOLDER`], after normalising and the spelling folds. The model
//! learns both what is said of each group and, through the shared word
//! and the n-grams around it, what is said of *any* group.
//!
//! Without it the identity-attack data's base rates become the groups'
//! scores: a source whose every row naming Muslims is hate makes `Muslims`
//! alone score as an attack, and hate against a group the data rarely
//! names ("disabled people") is not flagged. With the shared word a rare
//! group's name borrows what was learned of the others.
//!
//! A word is a maximal run of letters and digits, so `muslim's` is marked
//! after its `muslim` and `muslims2` is left alone. The list is the
//! spelling folds', whose fingerprint a model with the spelling folds
//! records; this step is only taken with them. Explanations show the
//! shared word as [`SHOWN`].

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::spelling::GROUPS;

/// The word that follows every group name: a word of the tokenizer's
/// vocabulary (one piece, with the embedding of a word for people) that
/// the training data rarely uses for anything else.
pub const PLACEHOLDER: &str = "folk";

/// How explanations show [`PLACEHOLDER`] (a text's own `folk` is the same
/// feature, so it is shown alike).
pub const SHOWN: &str = "[group]";

/// The listed names, found in one Aho-Corasick scan of the text: every
/// comment is scanned, so this pass must cost little beside featurizing
/// (a scan of every character cost a tenth of scoring; docs/benchmarks.md).
static NAMES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(GROUPS)
        .expect("the group names build a searcher")
});

/// Follow every group name in normalised text `norm` with a space and
/// [`PLACEHOLDER`] (`tmp` is scratch). Returns whether anything was
/// added; the text is left as it was otherwise. One scan, linear in the
/// text; the text grows by five bytes a name.
///
/// A name counts only as a whole word: no letter or digit on either side.
/// Names are letters only, so a match never spans two words, and the
/// leftmost-longest match of a word that is a name is the whole word.
pub fn mark(norm: &mut String, tmp: &mut String) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut rebuilt = false;
    let mut last = 0; // end of the part of `norm` copied to `tmp`
    for m in NAMES.find_iter(norm.as_str()) {
        let (s, e) = (m.start(), m.end());
        if alnum(norm[..s].chars().next_back()) || alnum(norm[e..].chars().next()) {
            continue;
        }
        if !rebuilt {
            tmp.clear();
            rebuilt = true;
        }
        tmp.push_str(&norm[last..e]);
        tmp.push(' ');
        tmp.push_str(PLACEHOLDER);
        last = e;
    }
    if rebuilt {
        tmp.push_str(&norm[last..]);
        std::mem::swap(norm, tmp);
    }
    rebuilt
}

/// An explanation's name of a word or piece: [`SHOWN`] for the shared word.
pub fn shown(word: &str) -> &str {
    if word == PLACEHOLDER {
        SHOWN
    } else {
        word
    }
}

/// Rewrite an explanation's feature name (`word:folk`, `tok:hate folk`)
/// to show the shared word as [`SHOWN`]; other names are left as they are.
pub fn show_in(name: &mut String) {
    let Some((kind, rest)) = name.split_once(':') else {
        return;
    };
    if !matches!(kind, "word" | "tok") || !rest.split(' ').any(|w| w == PLACEHOLDER) {
        return;
    }
    let shown: Vec<&str> = rest.split(' ').map(shown).collect();
    *name = format!("{kind}:{}", shown.join(" "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether `w` (lower case) is a listed group name, as the scan finds it.
    fn is_group(w: &str) -> bool {
        NAMES
            .find(w)
            .is_some_and(|m| m.start() == 0 && m.end() == w.len())
    }

    fn marked(text: &str) -> String {
        let (mut s, mut t) = (text.to_string(), String::new());
        mark(&mut s, &mut t);
        s
    }

    #[test]
    fn names_are_followed_by_the_shared_word_and_nothing_else_moves() {
        assert_eq!(marked("i hate muslims."), "i hate muslims folk.");
        assert_eq!(
            marked("women and gay men, and muslim's rights"),
            "women folk and gay folk men, and muslim folk's rights"
        );
        assert_eq!(
            marked("muslims2 musl1ms muslimsx"),
            "muslims2 musl1ms muslimsx"
        );
        assert_eq!(marked("nothing to see"), "nothing to see");
        assert_eq!(marked("jews"), "jews folk");
        assert_eq!(marked(""), "");
        assert_eq!(marked("ünïcode women ü"), "ünïcode women folk ü");
        assert_eq!(shown("folk"), "[group]");
        assert_eq!(shown("folks"), "folks");
        for (name, want) in [
            ("word:folk", "word:[group]"),
            ("tok:hate folk", "tok:hate [group]"),
            ("tok:folks", "tok:folks"),
            ("cue:lex_mean:folk", "cue:lex_mean:folk"),
            ("chr:folk", "chr:folk"),
            ("len_log", "len_log"),
        ] {
            let mut n = name.to_string();
            show_in(&mut n);
            assert_eq!(n, want);
        }
    }

    #[test]
    fn every_listed_name_is_marked() {
        for g in GROUPS {
            assert!(is_group(g), "{g}");
            assert_eq!(marked(&format!("the {g}!")), format!("the {g} folk!"));
        }
        assert!(!is_group("folk") && !is_group("people"));
    }

    #[test]
    fn a_model_with_the_group_word_and_without_the_spelling_folds_is_refused() {
        use crate::features::{spelling::Spelling, FeatureConfig, NormalizeConfig};
        let with = |spelling| FeatureConfig {
            normalize: NormalizeConfig {
                fold_spelling: spelling,
                group_word: true,
                ..Default::default()
            },
            ..Default::default()
        };
        let e = with(None).check().unwrap_err().to_string();
        assert!(e.contains("group word"), "{e}");
        assert!(with(Some(Spelling::builtin().fingerprint()))
            .check()
            .is_ok());
    }

    /// `mark` spelled out: every maximal run of letters and digits that
    /// is a listed name, followed by the shared word.
    fn marked_by_words(text: &str) -> String {
        let mut out = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            out.push_str(word);
            if GROUPS.contains(&word.as_str()) {
                out.push(' ');
                out.push_str(PLACEHOLDER);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    proptest! {
        #[test]
        fn the_scan_marks_what_the_words_spell(
            text in "(women|womens|gay|gays|trans|transgender|jews|muslim|muslims|blacks|black|ü|é|x|1| |-|'|\\.){0,24}"
        ) {
            prop_assert_eq!(marked(&text), marked_by_words(&text));
        }

        #[test]
        fn marking_keeps_the_text_and_marks_each_name_once(
            text in "[a-zü' .!-]{0,60}|(women|jews|gay| |x|'){0,20}"
        ) {
            let once = marked(&text);
            // Taking the shared words out gives the text back.
            prop_assert_eq!(once.replace(" folk", ""), text.replace(" folk", ""));
            let words: Vec<&str> = once
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            for (k, w) in words.iter().enumerate() {
                if is_group(w) {
                    prop_assert_eq!(words.get(k + 1), Some(&PLACEHOLDER));
                }
            }
        }
    }
}

//! Group names read as one word, for models trained with
//! `train --fold-groups`: every name of [`super::spelling::GROUPS`]
//! (`muslims`, `women`, `gay`, `immigrants` ...) becomes [`PLACEHOLDER`]
//! after normalising and the spelling folds, so a model learns what is said
//! of *a* group, not which group its data happened to attack.
//!
//! Without it the identity-attack data's base rates become the groups'
//! scores: a source whose every row naming Muslims is hate makes `Muslims`
//! alone score as an attack, and a group its data rarely names is not
//! attacked however it is spoken of.
//!
//! A word is a maximal run of letters and digits, so `muslim's` folds
//! its `muslim` and `muslims2` is left alone. The list is the spelling
//! folds' [`super::spelling::GROUPS`], whose fingerprint a model with the
//! spelling folds records; this fold is only taken with them.

use super::spelling::GROUPS;

/// The word every group name becomes: a word of the tokenizer's vocabulary
/// (so its embedding is that of a word for people) that the training data
/// rarely uses for anything else.
pub const PLACEHOLDER: &str = "folk";

/// Longest listed name, in bytes (longer words are never looked up).
const LONGEST: usize = 12;

/// Whether `w` (lower case) is a listed group name.
pub fn is_group(w: &str) -> bool {
    static SORTED: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut v = GROUPS.to_vec();
        v.sort_unstable();
        v
    });
    w.len() <= LONGEST && SORTED.binary_search(&w).is_ok()
}

/// Replace every group name in normalised text `norm` with
/// [`PLACEHOLDER`] (`tmp` is scratch). Returns whether anything was
/// replaced; the text is left as it was otherwise. One pass, linear in the
/// text.
pub fn fold(norm: &mut String, tmp: &mut String) -> bool {
    let mut rebuilt = false;
    let mut last = 0; // end of the part of `norm` copied to `tmp`
    let mut start = None; // start of the current word
    let bytes_end = norm.len();
    let mut it = norm.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let in_word = c.is_alphanumeric();
        if in_word && start.is_none() {
            start = Some(i);
        }
        let ends = in_word && it.peek().is_none_or(|&(_, n)| !n.is_alphanumeric());
        if ends {
            let s = start.take().unwrap_or(i);
            let e = i + c.len_utf8();
            if is_group(&norm[s..e]) {
                if !rebuilt {
                    tmp.clear();
                    rebuilt = true;
                }
                tmp.push_str(&norm[last..s]);
                tmp.push_str(PLACEHOLDER);
                last = e;
            }
        }
    }
    if rebuilt {
        tmp.push_str(&norm[last..bytes_end]);
        std::mem::swap(norm, tmp);
    }
    rebuilt
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn folded(text: &str) -> String {
        let (mut s, mut t) = (text.to_string(), String::new());
        fold(&mut s, &mut t);
        s
    }

    #[test]
    fn names_become_the_placeholder_and_nothing_else_moves() {
        assert_eq!(folded("i hate muslims."), "i hate folk.");
        assert_eq!(
            folded("women and gay men, and muslim's rights"),
            "folk and folk men, and folk's rights"
        );
        assert_eq!(
            folded("muslims2 musl1ms muslimsx"),
            "muslims2 musl1ms muslimsx"
        );
        assert_eq!(folded("nothing to see"), "nothing to see");
        assert_eq!(folded("jews"), "folk");
        assert_eq!(folded(""), "");
        assert_eq!(folded("ünïcode women ü"), "ünïcode folk ü");
    }

    #[test]
    fn every_listed_name_folds() {
        for g in GROUPS {
            assert!(is_group(g), "{g}");
            assert_eq!(folded(&format!("the {g}!")), "the folk!", "{g}");
        }
        assert!(!is_group("folk") && !is_group("people"));
    }

    #[test]
    fn a_model_that_folds_groups_without_the_spelling_folds_is_refused() {
        use crate::features::{spelling::Spelling, FeatureConfig, NormalizeConfig};
        let with = |spelling| FeatureConfig {
            normalize: NormalizeConfig {
                fold_spelling: spelling,
                fold_groups: true,
                ..Default::default()
            },
            ..Default::default()
        };
        let e = with(None).check().unwrap_err().to_string();
        assert!(e.contains("group fold"), "{e}");
        assert!(with(Some(Spelling::builtin().fingerprint()))
            .check()
            .is_ok());
    }

    proptest! {
        #[test]
        fn folding_is_total_and_settles(text in "[a-zü' .!-]{0,60}|(women|jews|gay| |x|'){0,20}") {
            let once = folded(&text);
            prop_assert_eq!(folded(&once), once.clone());
            // No listed name is left as a whole word.
            for w in once.split(|c: char| !c.is_alphanumeric()) {
                prop_assert!(!is_group(w));
            }
        }
    }
}

//! Text normalisation before tokenizing: the stage that makes `Y0U 1D10T!!!!`,
//! `you idiot!!` and `you ＩＤＩＯＴ` land on the same features.
//!
//! Steps, in order: HTML entity decoding (dumps keep `&amp;`), Unicode NFKC
//! (full-width and styled letters), removal of invisible format characters
//! (zero-width, bidi controls, soft hyphen), lower-casing, URL and @mention
//! placeholders, leetspeak folding inside words that contain letters, and
//! capping runs of one repeated character at two.

use unicode_normalization::UnicodeNormalization;

/// Which optional folds to apply (stored in the model's featurizer config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NormalizeConfig {
    /// Map `0 1 3 4 5 7 @ $ !` to letters inside words that have letters.
    pub fold_leet: bool,
    /// Cap runs of one character at two (`soooo` → `soo`, `!!!!` → `!!`).
    pub fold_repeats: bool,
    /// Join spaced-out letters and read one-edit misspellings of group
    /// names as the names ([`super::spelling`], applied by the
    /// featurizer after this stage): the fingerprint of the lists the
    /// model was trained with (absent in models from before the fold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fold_spelling: Option<u32>,
    /// Follow every group name with the word all of them share
    /// ([`super::groups`], after the spelling folds, whose fingerprint
    /// covers the names).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub group_word: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            fold_leet: true,
            fold_repeats: true,
            fold_spelling: None,
            group_word: false,
        }
    }
}

/// Counts gathered while normalising, used as cue features.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NormalizeStats {
    /// Letters in the original text.
    pub letters: u32,
    /// Upper-case letters in the original text.
    pub upper: u32,
    /// Characters dropped by repeat folding (elongation: `soooo`).
    pub folded_repeats: u32,
    /// Characters changed by leet folding.
    pub folded_leet: u32,
    /// URLs replaced by the placeholder.
    pub urls: u32,
    /// @mentions replaced by the placeholder.
    pub mentions: u32,
    /// Invisible format characters removed.
    pub invisible: u32,
}

/// Invisible characters that are used to dodge filters and carry no meaning.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// Decode the HTML entities that scraped comments carry. Unknown entities
/// are left as they are.
pub fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[1..]
            .char_indices()
            .take(10)
            .find(|&(_, c)| c == ';' || c.is_whitespace() || c == '&')
            .filter(|&(_, c)| c == ';')
            .map(|(i, _)| i + 1);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The letter a leetspeak digit or symbol stands for.
pub(crate) fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => return None,
    })
}

/// Normalise `text` into `out` (cleared first). `scratch` is reused between
/// calls to avoid allocation.
pub fn normalize(
    text: &str,
    cfg: NormalizeConfig,
    out: &mut String,
    scratch: &mut String,
) -> NormalizeStats {
    let mut st = NormalizeStats::default();
    out.clear();
    scratch.clear();
    // 1. entities, NFKC, invisible characters, case.
    let src: &str = if text.contains('&') {
        decode_entities(text, scratch);
        scratch
    } else {
        text
    };
    let ascii = src.is_ascii();
    let mut lowered;
    if ascii {
        // No ASCII character is invisible or changes under NFKC; letters
        // and case are the ASCII ones (counted and lowered a pass each,
        // which the compiler vectorises).
        let b = src.as_bytes();
        st.letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count() as u32;
        st.upper = b.iter().filter(|c| c.is_ascii_uppercase()).count() as u32;
        lowered = src.to_ascii_lowercase();
    } else {
        lowered = String::with_capacity(src.len());
        for c in src.nfkc() {
            if is_invisible(c) {
                st.invisible += 1;
                continue;
            }
            if c.is_alphabetic() {
                st.letters += 1;
                if c.is_uppercase() {
                    st.upper += 1;
                }
            }
            if c.is_ascii() {
                lowered.push(c.to_ascii_lowercase());
            } else if c.is_whitespace() {
                lowered.push(' ');
            } else {
                lowered.extend(c.to_lowercase());
            }
        }
    }
    // 2. word by word: URLs, mentions, leet; then repeat folding.
    for (wi, word) in lowered.split(|c: char| c.is_whitespace()).enumerate() {
        if wi > 0 {
            out.push(' ');
        }
        if word.is_empty() {
            continue;
        }
        if word.starts_with("http://") || word.starts_with("https://") || word.starts_with("www.") {
            out.push_str("url");
            st.urls += 1;
            continue;
        }
        let bytes = word.as_bytes();
        if bytes[0] == b'@'
            && bytes.len() > 1
            && (bytes[1].is_ascii_alphanumeric() || bytes[1] == b'_')
        {
            // Keep trailing punctuation ("@bob:" → "@user :").
            let end = word[1..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(word.len(), |e| e + 1);
            out.push_str("@user");
            st.mentions += 1;
            push_folded(&word[end..], cfg, out, &mut st);
            continue;
        }
        // Only words with a letter and a leet symbol can change; the rest
        // (nearly all) are copied as they are.
        let may_leet = match ascii {
            true => {
                let b = word.as_bytes();
                b.iter().any(u8::is_ascii_alphabetic)
                    && b.iter().any(|&c| leet(char::from(c)).is_some())
            }
            false => {
                word.chars().any(|c| c.is_alphabetic()) && word.chars().any(|c| leet(c).is_some())
            }
        };
        if cfg.fold_leet && may_leet {
            let chars: Vec<char> = word.chars().collect();
            let mut w = String::with_capacity(word.len());
            for (i, &c) in chars.iter().enumerate() {
                let prev_letter = i > 0 && chars[i - 1].is_alphabetic();
                let next_letter = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
                // `!` and `$` only inside words (not "wow!" or "$5"); digits
                // when a letter is on either side ("sh1t", "1diot").
                let inside =
                    || letter_beyond(&chars[..i], true) && letter_beyond(&chars[i + 1..], false);
                let mapped = match c {
                    '!' | '$' | '@' if inside() => leet(c),
                    '0'..='9' if prev_letter || next_letter => leet(c),
                    _ => None,
                };
                match mapped {
                    Some(m) => {
                        st.folded_leet += 1;
                        w.push(m);
                    }
                    None => w.push(c),
                }
            }
            push_folded(&w, cfg, out, &mut st);
        } else {
            push_folded(word, cfg, out, &mut st);
        }
    }
    st
}

/// Is the nearest character that is not a leet symbol a letter? Looks left
/// (from the end of `side`) or right (from its start).
fn letter_beyond(side: &[char], left: bool) -> bool {
    let stop = |c: &&char| leet(**c).is_none() || c.is_alphabetic();
    let found = if left {
        side.iter().rev().find(stop)
    } else {
        side.iter().find(stop)
    };
    found.is_some_and(|c| c.is_alphabetic())
}

/// Normalise one text into a new string.
pub fn normalized(text: &str, cfg: NormalizeConfig) -> String {
    let (mut out, mut scratch) = (String::new(), String::new());
    normalize(text, cfg, &mut out, &mut scratch);
    out
}

fn push_folded(word: &str, cfg: NormalizeConfig, out: &mut String, st: &mut NormalizeStats) {
    // An ASCII word with no character three times in a row (nearly every
    // word) is copied whole.
    let b = word.as_bytes();
    if !cfg.fold_repeats || (word.is_ascii() && !b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]))
    {
        out.push_str(word);
        return;
    }
    let mut prev = ['\0', '\0'];
    for c in word.chars() {
        if c == prev[0] && c == prev[1] {
            st.folded_repeats += 1;
            continue;
        }
        prev = [prev[1], c];
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let (mut out, mut scratch) = (String::new(), String::new());
        normalize(s, NormalizeConfig::default(), &mut out, &mut scratch);
        out
    }

    proptest::proptest! {
        /// ASCII text takes a byte path; appending a separate non-ASCII
        /// word sends the same text through the general path: the ASCII
        /// part normalises the same and counts the same letters, capitals,
        /// leet symbols and repeats (on any printable text, and on text
        /// dense in leet symbols and repeated letters).
        #[test]
        fn the_ascii_path_agrees_with_the_general_one(
            text in proptest::prop_oneof!["[ -~\t\n]{0,80}", "[aAb1!@$0 .\t]{0,60}"],
        ) {
            let cfg = NormalizeConfig::default();
            let (mut a, mut b, mut scratch) = (String::new(), String::new(), String::new());
            let sa = normalize(&text, cfg, &mut a, &mut scratch);
            let sb = normalize(&format!("{text} é"), cfg, &mut b, &mut scratch);
            proptest::prop_assert_eq!(sb.letters, sa.letters + 1);
            proptest::prop_assert_eq!(sb.upper, sa.upper);
            proptest::prop_assert_eq!(sb.invisible, sa.invisible);
            proptest::prop_assert_eq!(sb.folded_leet, sa.folded_leet);
            proptest::prop_assert_eq!(sb.folded_repeats, sa.folded_repeats);
            proptest::prop_assert!(b.starts_with(a.trim_end()), "{:?} vs {:?}", a, b);
        }

        /// Copying a word whole when nothing repeats three times equals
        /// folding it character by character.
        #[test]
        fn repeat_folding_fast_path_equals_the_char_loop(word in "[ab1!é]{0,30}") {
            let cfg = NormalizeConfig::default();
            let (mut fast, mut st) = (String::new(), NormalizeStats::default());
            push_folded(&word, cfg, &mut fast, &mut st);
            let (mut slow, mut n) = (String::new(), 0u32);
            let mut prev = ['\0', '\0'];
            for c in word.chars() {
                if c == prev[0] && c == prev[1] {
                    n += 1;
                    continue;
                }
                prev = [prev[1], c];
                slow.push(c);
            }
            proptest::prop_assert_eq!(fast, slow);
            proptest::prop_assert_eq!(st.folded_repeats, n);
        }
    }

    #[test]
    fn entities() {
        let mut out = String::new();
        decode_entities("a &amp; b &lt;i&gt; &#39;x&#x27; &bogus; & done", &mut out);
        assert_eq!(out, "a & b <i> 'x' &bogus; & done");
    }

    #[test]
    fn case_nfkc_and_invisible() {
        assert_eq!(norm("ＩＤＩＯＴ"), "idiot");
        assert_eq!(norm("id\u{200B}iot"), "idiot");
        assert_eq!(norm("Ｙou"), "you");
    }

    #[test]
    fn leet_only_inside_words() {
        assert_eq!(norm("sh1t 1d10t b!tch"), "shit idiot bitch");
        assert_eq!(norm("wow! $5 in 2024 covid19"), "wow! $5 in 2024 covidi9");
        assert_eq!(norm("a$$hole"), "asshole");
    }

    #[test]
    fn repeats_capped_at_two() {
        assert_eq!(norm("soooo stuuupid!!!!"), "soo stuupid!!");
        assert_eq!(norm("good"), "good");
    }

    #[test]
    fn urls_and_mentions() {
        let (mut out, mut scratch) = (String::new(), String::new());
        let st = normalize(
            "@Bob: see https://x.y/z and www.a.b @USER",
            NormalizeConfig::default(),
            &mut out,
            &mut scratch,
        );
        assert_eq!(out, "@user: see url and url @user");
        assert_eq!((st.urls, st.mentions), (2, 2));
    }

    #[test]
    fn stats_count_caps() {
        let (mut out, mut scratch) = (String::new(), String::new());
        let st = normalize(
            "YOU are",
            NormalizeConfig::default(),
            &mut out,
            &mut scratch,
        );
        assert_eq!((st.letters, st.upper), (6, 3));
    }
}

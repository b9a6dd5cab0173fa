//! A public lexicon of abusive words as dense head inputs: what a word is
//! (profane, offensive, sexual, mean) and how strongly, rated by people,
//! for words the training sets use rarely or in only one source.
//!
//! The list is `profanity.csv` of the `rustrict` crate 0.7.39 (MIT OR
//! Apache-2.0, Finn Bear; `models/lexicon.csv`, its licence beside it): about 3,000
//! words and phrases, each rated 0–3 (a few slurs 5) in five columns; the
//! `evasive` column (spellings that dodge filters) is not read, since
//! normalising already folds leetspeak and repeats. It is compiled into
//! the binary; a model trained with it records the list's SHA-256, and
//! loading that model in a build with another list fails instead of
//! scoring with inputs the head never saw.
//!
//! Entries are normalised as texts are ([`super::normalize`], default
//! folds) and split into words the same way ([`super::tokens::bert_split`]),
//! so `sh1t`, `SHIT` and `shiiit` meet the entry `shit`. A word matches an
//! entry whole (`assassin` is not `ass`), or without a plural `s`; phrases
//! of up to [`MAX_PHRASE`] words match word for word. Per category the
//! inputs are the strongest rating found (capped at 3) and the hits per
//! word of the text (letters or digits), so that a long post is not
//! flagged for the many listed words it mentions in passing.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

use super::normalize::{normalized, NormalizeConfig};
use super::pair::word_hash;
use super::tokens::bert_split;
use super::words::{WindowMax, Word};
use crate::codec::hex;

/// The list, as shipped (`models/lexicon.csv`).
const RAW: &str = include_str!("../../models/lexicon.csv");

/// Where the list came from (stored in models that use it).
pub const SOURCE: &str = "rustrict 0.7.39 src/profanity.csv (MIT OR Apache-2.0)";

/// The rated categories, in input order.
pub const CATEGORIES: [&str; 4] = ["profane", "offensive", "sexual", "mean"];

/// Head input names: the strongest rating per category, then the share
/// of the text's words that hit it.
pub const NAMES: [&str; 8] = [
    "lex_profane",
    "lex_offensive",
    "lex_sexual",
    "lex_mean",
    "lex_profane_share",
    "lex_offensive_share",
    "lex_sexual_share",
    "lex_mean_share",
];

/// Longest phrase matched, in words (longer entries are left out).
pub const MAX_PHRASE: usize = 4;

/// Ratings highest value kept (a few slurs are rated 5).
const CAP: u8 = 3;

/// A word's ratings packed 3 bits per category, and [`PHRASE_START`].
pub type Packed = u16;

/// The word begins a phrase entry.
pub const PHRASE_START: Packed = 1 << 12;

fn pack(r: [u8; 4]) -> Packed {
    r.iter()
        .enumerate()
        .fold(0, |p, (i, &v)| p | (Packed::from(v.min(7)) << (3 * i)))
}

fn unpack(p: Packed) -> [u8; 4] {
    std::array::from_fn(|i| ((p >> (3 * i)) & 7) as u8)
}

/// The parsed list.
#[derive(Debug)]
pub struct Lexicon {
    /// One-word entries (normalised) → ratings.
    words: HashMap<String, [u8; 4]>,
    /// Several-word entries, by [`phrase_key`] of their normalised words.
    phrases: HashMap<u64, [u8; 4]>,
    /// First words of phrases.
    starts: std::collections::HashSet<String>,
    /// `sha256:` of [`RAW`].
    sha256: String,
}

/// A line of the list that does not parse (only from [`Lexicon::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lexicon line {line}: {why}")]
pub struct LexiconError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub why: String,
}

impl Lexicon {
    /// Parse a list in `rustrict`'s layout: a header
    /// `word,profane,offensive,sexual,mean[,…]`, then a word or phrase and
    /// its ratings (0–9) per line.
    pub fn parse(raw: &str) -> Result<Lexicon, LexiconError> {
        let mut lines = raw.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.starts_with("word,profane,offensive,sexual,mean") => {}
            _ => {
                return Err(LexiconError {
                    line: 1,
                    why: "header is not word,profane,offensive,sexual,mean,…".into(),
                })
            }
        }
        let mut lex = Lexicon {
            words: HashMap::new(),
            phrases: HashMap::new(),
            starts: Default::default(),
            sha256: format!("sha256:{}", hex(&Sha256::digest(raw.as_bytes()))),
        };
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |why: &str| LexiconError {
                line: i + 1,
                why: why.into(),
            };
            let mut cols = line.split(',');
            let entry = cols.next().unwrap_or("");
            let mut r = [0u8; 4];
            for v in r.iter_mut() {
                let c = cols.next().ok_or_else(|| bad("fewer than 5 columns"))?;
                *v = c
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|v| *v <= 9)
                    .ok_or_else(|| bad("a rating is not 0-9"))?
                    .min(CAP);
            }
            let norm = normalized(entry, NormalizeConfig::default());
            let ws: Vec<&str> = bert_split(&norm).collect();
            let have = match ws.len() {
                0 => continue,
                1 => lex.words.entry(ws[0].to_string()).or_insert([0; 4]),
                n if n <= MAX_PHRASE => {
                    lex.starts.insert(ws[0].to_string());
                    let key = ws[1..]
                        .iter()
                        .fold(word_hash(ws[0]), |k, w| phrase_key(k, word_hash(w)));
                    lex.phrases.entry(key).or_insert([0; 4])
                }
                _ => continue,
            };
            for (h, v) in have.iter_mut().zip(r) {
                *h = (*h).max(v);
            }
        }
        Ok(lex)
    }

    /// The shipped list.
    pub fn builtin() -> &'static Lexicon {
        static L: LazyLock<Lexicon> =
            LazyLock::new(|| Lexicon::parse(RAW).expect("models/lexicon.csv parses (unit test)"));
        &L
    }

    /// `sha256:` of the list's bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The one-word entries (normalised).
    pub fn one_words(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(String::as_str)
    }

    /// One-word and phrase entries.
    pub fn len(&self) -> (usize, usize) {
        (self.words.len(), self.phrases.len())
    }

    /// A normalised word's packed ratings (the word, or without a plural
    /// `s`), with [`PHRASE_START`] if a phrase begins with it.
    pub fn word(&self, w: &str) -> Packed {
        let r = self.words.get(w).or_else(|| {
            w.strip_suffix('s')
                .filter(|s| s.len() >= 3)
                .and_then(|s| self.words.get(s))
        });
        let mut p = r.map_or(0, |r| pack(*r));
        if self.starts.contains(w) {
            p |= PHRASE_START;
        }
        p
    }

    /// The inputs ([`NAMES`]) of a normalised text's `words` (each with
    /// [`Lexicon::word`] of itself and its hash in its info), and per
    /// category ([`CATEGORIES`]) the byte range of the word or phrase rated
    /// strongest in it, the first of equals (`(0, 0)`: none), for an
    /// explanation to name.
    ///
    /// With a `window` ([`crate::features::FeatureConfig::cue_window`]) the
    /// strongest ratings are read per window ([`WindowMax`]); the shares
    /// are of the whole text either way.
    pub fn values(&self, words: &[Word], window: Option<u16>) -> ([f32; 8], [(u32, u32); 4]) {
        let mut max = WindowMax::<4>::new(window);
        let mut hits = [0u32; 4];
        // The strongest rating per category and where it is.
        let mut top = [(0u8, (0u32, 0u32)); 4];
        let mut add = |max: &mut WindowMax<4>, r: [u8; 4], at: (u32, u32)| {
            max.add(r);
            for c in 0..4 {
                hits[c] += u32::from(r[c] > 0);
                if r[c] > top[c].0 {
                    top[c] = (r[c], at);
                }
            }
        };
        let mut n_words = 0u32;
        for (i, w) in words.iter().enumerate() {
            max.word(w);
            n_words += u32::from(w.is(super::words::ALNUM));
            let p = w.info.lex;
            if p & !PHRASE_START != 0 {
                add(&mut max, unpack(p), (w.start, w.start + w.len));
            }
            if p & PHRASE_START == 0 {
                continue;
            }
            let mut key = w.info.hash;
            for next in words.iter().skip(i + 1).take(MAX_PHRASE - 1) {
                key = phrase_key(key, next.info.hash);
                if let Some(r) = self.phrases.get(&key) {
                    add(&mut max, *r, (w.start, next.start + next.len));
                }
            }
        }
        let max = max.finish();
        let mut out = [0f32; 8];
        for c in 0..4 {
            out[c] = max[c];
            out[4 + c] = (hits[c] as f32 / n_words.max(1) as f32).min(1.0);
        }
        (out, top.map(|t| t.1))
    }
}

/// A phrase's key so far (`key`, from its first word's hash) extended by
/// the next word's hash: word hashes are [`word_hash`], which
/// [`super::words::WordInfo::hash`] holds, so a text's phrases are looked
/// up from its words without joining them into a string.
fn phrase_key(key: u64, next: u64) -> u64 {
    (key.rotate_left(23) ^ next).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// What a model records of a compiled-in word list it was trained with:
/// this lexicon, or [`super::sentiment`]'s list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LexiconRef {
    /// Where the list came from ([`SOURCE`] when trained).
    pub source: String,
    /// `sha256:` of the list's bytes ([`Lexicon::sha256`] when trained).
    pub sha256: String,
}

impl LexiconRef {
    /// The shipped abusive-word list's reference.
    pub fn builtin() -> LexiconRef {
        LexiconRef {
            source: SOURCE.into(),
            sha256: Lexicon::builtin().sha256().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::words::normalised_words;

    fn values(text: &str) -> [f32; 8] {
        Lexicon::builtin().values(&normalised_words(text).1, None).0
    }

    /// The word or phrase of `text` rated strongest in category `c`.
    fn strongest(text: &str, c: usize) -> Option<String> {
        let (norm, w) = normalised_words(text);
        let (s, e) = Lexicon::builtin().values(&w, Some(2)).1[c];
        (e > s).then(|| norm[s as usize..e as usize].to_string())
    }

    #[test]
    fn says_where_the_strongest_word_or_phrase_is() {
        let (profane, sexual, mean) = (0, 2, 3);
        // The first of the strongest, not the first hit; over windows too.
        assert_eq!(
            strongest("damn, what a SHIT day, shit", profane).as_deref(),
            Some("shit")
        );
        assert_eq!(strongest("you morons", mean).as_deref(), Some("morons"));
        assert_eq!(
            strongest("oh just blow me", sexual).as_deref(),
            Some("blow me")
        );
        assert_eq!(strongest("a lovely day", profane), None);
        assert_eq!(strongest("", mean), None);
    }

    fn get(v: &[f32; 8], name: &str) -> f32 {
        v[NAMES.iter().position(|n| *n == name).unwrap()]
    }

    #[test]
    fn the_shipped_list_parses_whole() {
        let l = Lexicon::builtin();
        let (words, phrases) = l.len();
        // 2,997 entries; some normalise to the same word (`fck`, `f c k`).
        assert!(
            words > 2_000 && phrases > 300,
            "{words} words, {phrases} phrases"
        );
        assert!(l.sha256().starts_with("sha256:") && l.sha256().len() == 71);
        assert_eq!(LexiconRef::builtin().sha256, l.sha256());
    }

    #[test]
    fn words_match_whole_after_normalising() {
        // The list rates `idiot` mean 1 and `moron` mean 2.
        let v = values("You IDIOT, you m0r0n!!");
        assert_eq!(get(&v, "lex_mean"), 2.0);
        // 2 hits in 4 words (punctuation is not a word).
        assert_eq!(get(&v, "lex_mean_share"), 0.5);
        assert_eq!(get(&v, "lex_offensive"), 0.0);
        // Plural, and no match inside a longer word.
        assert_eq!(get(&values("morons"), "lex_mean"), 2.0);
        assert_eq!(values("the assassin passed the class"), [0.0; 8]);
        assert_eq!(values(""), [0.0; 8]);
    }

    #[test]
    fn phrases_match_word_for_word() {
        // `blow me` is a phrase entry (sexual 2); neither word is rated alone.
        let l = Lexicon::builtin();
        assert_ne!(l.word("blow") & PHRASE_START, 0);
        assert_eq!(l.word("blow") & !PHRASE_START, 0);
        assert_eq!(get(&values("oh just blow me"), "lex_sexual"), 2.0);
        assert_eq!(get(&values("blow the candles, me"), "lex_sexual"), 0.0);
    }

    #[test]
    fn ratings_are_capped_and_packed_losslessly() {
        for r in [[0, 0, 0, 0], [3, 0, 2, 1], [3, 3, 3, 3], [1, 2, 3, 0]] {
            assert_eq!(unpack(pack(r)), r);
        }
        let l = Lexicon::parse("word,profane,offensive,sexual,mean,evasive\nzork,0,5,0,1,0\nzork,2,0,0,0,0\nx y z w v,1,1,1,1,0\n").unwrap();
        assert_eq!(
            unpack(l.word("zork")),
            [2, 3, 0, 1],
            "max of both lines, capped at 3"
        );
        assert_eq!(l.len(), (1, 0), "five-word phrases are left out");
    }

    #[test]
    fn a_damaged_list_names_its_line() {
        let e = Lexicon::parse("word,profane,offensive,sexual,mean\nok,0,0,0,0\nbad,1,x,0,0\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(Lexicon::parse("nope\n").is_err());
        let e = Lexicon::parse("word,profane,offensive,sexual,mean\nshort,1,1\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}

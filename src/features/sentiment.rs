//! A public sentiment lexicon as dense head inputs: how negative the
//! words of a text are, rated by people, for hostility in words that no
//! abusive-word list holds (`vile`, `disgusting`, `kill`, `pathetic`).
//!
//! The list is `vader_lexicon.txt` of the PyPI package `vaderSentiment`
//! 3.3.2 (MIT, C.J. Hutto; `models/sentiment.txt`, its licence beside it):
//! about 7,500 words, emoticons and slang, each with the mean of ten
//! people's ratings from −4 (most negative) to +4. It is compiled into the
//! binary; a model trained with it records the list's SHA-256, and loading
//! that model in a build with another list fails, as for
//! [`super::lexicon`].
//!
//! Entries are normalised and split as texts are, so only entries that
//! are one word after that are kept (emoticons are punctuation to the
//! tokenizer and are left out), and a word matches an entry whole. The
//! two inputs are the strongest negative rating among the text's words
//! (0 when none is negative) and the share of its words (letters or
//! digits) rated −2 or lower. VADER's rules for negation, boosters and
//! capitals are not applied: the n-gram stage sees those words.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

use super::lexicon::LexiconRef;
use super::normalize::{normalized, NormalizeConfig};
use super::tokens::bert_split;
use super::words::{WindowMax, Word};
use crate::codec::hex;

/// The list, as shipped (`models/sentiment.txt`).
const RAW: &str = include_str!("../../models/sentiment.txt");

/// Where the list came from (stored in models that use it).
pub const SOURCE: &str = "vaderSentiment 3.3.2 vader_lexicon.txt (MIT)";

/// Head input names: the strongest negative rating, and the share of the
/// text's words rated [`STRONG`] or lower.
pub const NAMES: [&str; 2] = ["sent_negative", "sent_negative_share"];

/// The positive side's inputs, read by models trained with
/// [`crate::features::FeatureConfig::sentiment_positive`]: the strongest
/// positive rating, and the share of the text's words rated
/// [`STRONG_POSITIVE`] or higher.
pub const POSITIVE_NAMES: [&str; 2] = ["sent_positive", "sent_positive_share"];

/// [`NAMES`] then [`POSITIVE_NAMES`]: the inputs of a model with both sides.
pub const BOTH_NAMES: [&str; 4] = [NAMES[0], NAMES[1], POSITIVE_NAMES[0], POSITIVE_NAMES[1]];

/// Ratings at or below this count as strongly negative (tenths: −2.0).
pub const STRONG: i8 = -20;

/// Ratings at or above this count as strongly positive (tenths: +2.0).
pub const STRONG_POSITIVE: i8 = 20;

/// Words after a negation that it reaches ([`Sentiment::values`]):
/// VADER's three.
pub const NEGATION_SCOPE: u32 = 3;

/// The parsed list.
#[derive(Debug)]
pub struct Sentiment {
    /// One-word entries (normalised) → mean rating in tenths (−40..=40).
    words: HashMap<String, i8>,
    /// `sha256:` of [`RAW`].
    sha256: String,
}

/// A line of the list that does not parse (only from [`Sentiment::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sentiment list line {line}: {why}")]
pub struct SentimentError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub why: String,
}

impl Sentiment {
    /// Parse a list in VADER's layout: per line an entry, a tab, its mean
    /// rating (−4..4), then columns that are not read.
    pub fn parse(raw: &str) -> Result<Sentiment, SentimentError> {
        let mut s = Sentiment {
            words: HashMap::new(),
            sha256: format!("sha256:{}", hex(&Sha256::digest(raw.as_bytes()))),
        };
        for (i, line) in raw.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let bad = |why: &str| SentimentError {
                line: i + 1,
                why: why.into(),
            };
            let mut cols = line.split('\t');
            let entry = cols.next().unwrap_or("");
            let mean: f32 = cols
                .next()
                .ok_or_else(|| bad("no tab and rating"))?
                .trim()
                .parse()
                .ok()
                .filter(|v: &f32| (-4.0..=4.0).contains(v))
                .ok_or_else(|| bad("the rating is not a number from -4 to 4"))?;
            let norm = normalized(entry, NormalizeConfig::default());
            let mut ws = bert_split(&norm);
            let (Some(w), None) = (ws.next(), ws.next()) else {
                continue; // emoticons, several words
            };
            if !w.chars().any(char::is_alphanumeric) {
                continue;
            }
            let tenths = (mean * 10.0).round() as i8;
            // Spellings that normalise alike keep the stronger rating.
            let have = s.words.entry(w.to_string()).or_insert(tenths);
            if tenths.abs() > have.abs() {
                *have = tenths;
            }
        }
        Ok(s)
    }

    /// The shipped list.
    pub fn builtin() -> &'static Sentiment {
        static S: LazyLock<Sentiment> = LazyLock::new(|| {
            Sentiment::parse(RAW).expect("models/sentiment.txt parses (unit test)")
        });
        &S
    }

    /// `sha256:` of the list's bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no entry was kept.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words rated `tenths` or lower.
    pub fn words_at_most(&self, tenths: i8) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .filter(move |(_, &r)| r <= tenths)
            .map(|(w, _)| w.as_str())
    }

    /// A normalised word's rating in tenths (0 when not listed).
    pub fn word(&self, w: &str) -> i8 {
        self.words.get(w).copied().unwrap_or(0)
    }

    /// The inputs of a normalised text's `words` (each with
    /// [`Sentiment::word`] in its info): [`NAMES`] then [`POSITIVE_NAMES`],
    /// and the byte ranges of its most negative and its most positive word,
    /// the first of equals (`(0, 0)`: none), for an explanation to name.
    ///
    /// With a `window` ([`crate::features::FeatureConfig::cue_window`]) the
    /// strongest ratings are read per window ([`WindowMax`]); the shares are
    /// of the whole text either way. With `negation`
    /// ([`crate::features::FeatureConfig::sentiment_negation`]) a rated word
    /// with a negation (`not`, `never`, `no`, ... or `n't`) among the
    /// [`NEGATION_SCOPE`] words with letters or digits before it counts on
    /// neither side (VADER's rule, which flips it), and the negations
    /// themselves are not read as negative words.
    pub fn values(
        words: &[Word],
        window: Option<u16>,
        negation: bool,
    ) -> ([f32; 4], [(u32, u32); 2]) {
        use super::words::{negates, ALNUM};
        let mut max = WindowMax::<2>::new(window);
        let (mut strong, mut strong_pos, mut n) = (0u32, 0u32, 0u32);
        // The most negative and most positive ratings and where they are.
        let mut low = (0i8, (0u32, 0u32));
        let mut high = (0i8, (0u32, 0u32));
        // Words with letters or digits since the last negation.
        let mut since = u32::MAX;
        for (i, w) in words.iter().enumerate() {
            max.word(w);
            n += u32::from(w.is(ALNUM));
            let mut negated = false;
            if negation {
                if negates(words, i) {
                    since = 0;
                    continue;
                }
                since = since.saturating_add(u32::from(w.is(ALNUM)));
                negated = since <= NEGATION_SCOPE;
            }
            // A negated word counts on neither side (VADER flips it).
            // Ratings run from -4.0 to +4.0: in tenths, -40 at the lowest.
            let v = if negated { 0 } else { w.info.valence };
            max.add([v.min(0).unsigned_abs(), v.max(0).unsigned_abs()]);
            strong += u32::from(v <= STRONG);
            strong_pos += u32::from(v >= STRONG_POSITIVE);
            if v < low.0 {
                low = (v, (w.start, w.start + w.len));
            }
            if v > high.0 {
                high = (v, (w.start, w.start + w.len));
            }
        }
        let m = max.finish();
        let share = |c: u32| (c as f32 / n.max(1) as f32).min(1.0);
        let values = [m[0] / 10.0, share(strong), m[1] / 10.0, share(strong_pos)];
        (values, [low.1, high.1])
    }
}

/// The shipped list's reference, as a model records it.
pub fn reference() -> LexiconRef {
    LexiconRef {
        source: SOURCE.into(),
        sha256: Sentiment::builtin().sha256().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::words::normalised_words;

    /// `text` normalised, [`Sentiment::values`] of its words, and the
    /// words [`Sentiment::values`] points at (most negative, most positive;
    /// empty: none).
    fn read(text: &str, window: Option<u16>, negation: bool) -> ([f32; 4], [String; 2]) {
        let (norm, w) = normalised_words(text);
        let (v, at) = Sentiment::values(&w, window, negation);
        (v, at.map(|(s, e)| norm[s as usize..e as usize].to_string()))
    }

    fn values(text: &str) -> [f32; 2] {
        let v = read(text, None, false).0;
        [v[0], v[1]]
    }

    #[test]
    fn says_where_the_most_negative_word_is() {
        let strongest = |text: &str| {
            let [low, _] = read(text, Some(2), false).1;
            (!low.is_empty()).then_some(low)
        };
        // kill (-3.7) over hate (-2.7); the first of equals; over windows.
        assert_eq!(
            strongest("I hate it, kill it, KILL").as_deref(),
            Some("kill")
        );
        assert_eq!(strongest("what a lovely table"), None);
        assert_eq!(strongest(""), None);
    }

    #[test]
    fn a_negated_negative_word_is_not_negative() {
        let read = |text: &str, negation: bool| {
            let (v, [low, _]) = read(text, None, negation);
            (v[0], low)
        };
        // Without the rule the negation changes nothing.
        assert_eq!(read("I do not hate them", false), (2.7, "hate".into()));
        for text in [
            "I do not hate them",
            "I don't hate them",
            "I DON’T really hate them",
            "never, ever hate",
            "nothing to hate",
        ] {
            assert_eq!(read(text, true), (0.0, String::new()), "{text}");
        }
        // Three words reach; the fourth does not, nor does a word before.
        assert_eq!(read("not really, truly hate", true), (0.0, String::new()));
        assert_eq!(
            read("not really truly deeply hate", true),
            (2.7, "hate".into())
        );
        assert_eq!(read("I hate it, not", true), (2.7, "hate".into()));
        // The strongest word outside a negation is the one named.
        assert_eq!(
            read("not awful. You know, I hate it", true),
            (2.7, "hate".into())
        );
        // A negation word is not itself a negative word with the rule.
        assert!(read("no", false).0 > 0.0);
        assert_eq!(read("no", true).0, 0.0);
    }

    #[test]
    fn the_positive_side_mirrors_the_negative() {
        let read = |text: &str, negation: bool| {
            let (v, [_, high]) = read(text, None, negation);
            ([v[2], v[3]], high)
        };
        // `love` +3.2 over `lovely` +2.8; 2 of 5 words rated +2 or more.
        assert_eq!(
            read("I love this lovely table", false),
            ([3.2, 0.4], "love".into())
        );
        // Negative and unlisted words give nothing; nor does an empty text.
        assert_eq!(
            read("I hate this table", false),
            ([0.0, 0.0], String::new())
        );
        assert_eq!(read("", false), ([0.0, 0.0], String::new()));
        // With the negation rule a negated positive word is not positive;
        // the negative side is as before.
        assert_eq!(read("I don't love them", false).0[0], 3.2);
        assert_eq!(read("I don't love them", true), ([0.0, 0.0], String::new()));
        assert_eq!(read("not that, I love them", true).0[0], 0.0);
        assert_eq!(read("no. I really, truly love them", true).0[0], 3.2);
        let both = |text: &str| super::tests::read(text, None, true).0;
        // One strong word on each side of six.
        let sixth = 1.0 / 6.0;
        assert_eq!(both("I hate it but love you"), [2.7, sixth, 3.2, sixth]);
    }

    #[test]
    fn the_shipped_list_parses_whole() {
        let s = Sentiment::builtin();
        // 7,517 entries; emoticons and several-word entries are left out.
        assert!(s.len() > 6_000 && s.len() < 7_517, "{} words", s.len());
        assert!(s.sha256().starts_with("sha256:") && s.sha256().len() == 71);
        assert_eq!(reference().sha256, s.sha256());
        // VADER rates `kill` -3.7, `hate` -2.7, `love` +3.2.
        assert_eq!(s.word("kill"), -37);
        assert_eq!(s.word("hate"), -27);
        assert_eq!(s.word("love"), 32);
        assert_eq!(s.word("table"), 0);
    }

    #[test]
    fn inputs_are_the_strongest_negative_and_the_share_of_strong_words() {
        // `hate` -2.7 and `stupid` -2.4: both strong, 2 of 4 words.
        let v = values("I HATE stupid people!!");
        assert_eq!(v, [2.7, 0.5]);
        // Positive and unlisted words give nothing; so does an empty text.
        assert_eq!(values("I love this lovely table"), [0.0, 0.0]);
        assert_eq!(values(""), [0.0, 0.0]);
        // Normalised as texts: leetspeak and repeats meet the entry.
        assert_eq!(values("k1lllll")[0], 3.7);
        // Mildly negative words count in the first input only.
        let v = values("a dull day"); // `dull` -1.7
        assert_eq!(v, [1.7, 0.0]);
    }

    #[test]
    fn a_damaged_list_names_its_line() {
        let e = Sentiment::parse("good\t1.9\t0.5\t[]\nbad\tx\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Sentiment::parse("ok\t1\nworse\t-9\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Sentiment::parse("notab\n").unwrap_err();
        assert_eq!(e.line, 1);
        let s = Sentiment::parse(":)\t2.0\nmy bad\t-1\nZorK\t-1.5\nzork\t-3\n").unwrap();
        assert_eq!(s.len(), 1, "emoticons and two-word entries are left out");
        assert_eq!(s.word("zork"), -30, "the stronger of two spellings");
    }
}

//! The words of a normalised text as the cue, lexicon, sentiment and pair features see them
//! (BERT's split: white space, and each punctuation character a word),
//! each with what those features ask of it: a 64-bit hash and which word
//! lists it is in.
//!
//! A word's [`WordInfo`] depends on the word alone, so the tokenizer's
//! per-thread cache keeps it beside the word's token ids
//! ([`super::Tokens::encode_words`]): the text is split once for its
//! tokens, its cues and its side of the pair features, and each distinct
//! word is hashed and looked up in the lists once per thread instead of
//! once per occurrence.

use super::tokens::bert_split;
use super::{cues, pair};

/// What the cue and pair features need of one word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordInfo {
    /// xxh3 of its bytes (pair features compare words by hash).
    pub hash: u64,
    /// Which lists it is in ([`CONTRADICTION`], [`SECOND_PERSON`], …).
    pub flags: u8,
    /// Its ratings in the abusive-word lexicon ([`super::lexicon`]).
    pub lex: super::lexicon::Packed,
    /// Its rating in the sentiment lexicon ([`super::sentiment`]), tenths.
    pub valence: i8,
}

/// In the pair features' contradiction list.
pub const CONTRADICTION: u8 = 1;
/// In the pair features' agreement list.
pub const AGREEMENT: u8 = 2;
/// In the pair features' hedge list.
pub const HEDGE: u8 = 4;
/// A second-person word (cue).
pub const SECOND_PERSON: u8 = 8;
/// A negation word other than `t` (cue).
pub const NEGATION: u8 = 16;
/// `t`: a negation only as the tail of `n't` (`don ' t`).
pub const T: u8 = 32;
/// An apostrophe (`'` or `’`).
pub const APOSTROPHE: u8 = 64;
/// Has a letter or a digit.
pub const ALNUM: u8 = 128;

/// Whether `words[i]` is a negation: a word of the negation list, or `t`
/// as the tail of `n't` (`don ' t`, the word before it an apostrophe).
pub(crate) fn negates(words: &[Word], i: usize) -> bool {
    let Some(w) = words.get(i) else {
        return false;
    };
    w.is(NEGATION) || (w.is(T) && i > 0 && words[i - 1].is(APOSTROPHE))
}

/// The strongest of `K` ratings over a text's words, read per window of
/// words ([`super::FeatureConfig::cue_window`]): a text of one window
/// (every text without a window) gives its strongest ratings; a longer
/// one the mean of each window's strongest, each window weighted by its
/// words (letters or digits), so a word in passing weighs by the share of
/// the text its window is and the value does not jump when a text grows by
/// one word.
#[derive(Debug, Clone)]
pub(crate) struct WindowMax<const K: usize> {
    size: u32,
    in_window: u32,
    max: [u8; K],
    sum: [u64; K],
    closed_words: u64,
}

impl<const K: usize> WindowMax<K> {
    /// Windows of `window` words, or one window for the whole text.
    pub(crate) fn new(window: Option<u16>) -> Self {
        WindowMax {
            size: window.map_or(u32::MAX, u32::from).max(1),
            in_window: 0,
            max: [0; K],
            sum: [0; K],
            closed_words: 0,
        }
    }

    /// The next word, before its ratings are [`WindowMax::add`]ed.
    pub(crate) fn word(&mut self, w: &Word) {
        if w.is(ALNUM) {
            if self.in_window == self.size {
                self.close();
            }
            self.in_window += 1;
        }
    }

    /// Ratings found at the current word.
    pub(crate) fn add(&mut self, r: [u8; K]) {
        for (m, v) in self.max.iter_mut().zip(r) {
            *m = (*m).max(v);
        }
    }

    fn close(&mut self) {
        for (s, m) in self.sum.iter_mut().zip(&mut self.max) {
            *s += u64::from(*m) * u64::from(self.in_window);
            *m = 0;
        }
        self.closed_words += u64::from(self.in_window);
        self.in_window = 0;
    }

    /// The values (see the type).
    pub(crate) fn finish(mut self) -> [f32; K] {
        if self.closed_words == 0 {
            return self.max.map(f32::from);
        }
        self.close();
        let n = self.closed_words as f64;
        self.sum.map(|s| (s as f64 / n) as f32)
    }
}

/// One word of a normalised text: its byte range and its info.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Word {
    /// Byte offset in the normalised text.
    pub start: u32,
    /// Length in bytes.
    pub len: u32,
    /// Its hash and lists.
    pub info: WordInfo,
}

impl Word {
    /// The word in `text` (the normalised text it was split from).
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start as usize..(self.start + self.len) as usize)
            .unwrap_or("")
    }

    /// Whether it is in any of the lists `flags`.
    pub fn is(&self, flags: u8) -> bool {
        self.info.flags & flags != 0
    }
}

/// The hash and lists of one word.
pub fn word_info(w: &str) -> WordInfo {
    let hash = pair::word_hash(w);
    let mut flags = pair::lexicon_flags(hash, w) | cues::word_flags(w);
    if w.chars().any(char::is_alphanumeric) {
        flags |= ALNUM;
    }
    WordInfo {
        hash,
        flags,
        lex: super::lexicon::Lexicon::builtin().word(w),
        valence: super::sentiment::Sentiment::builtin().word(w),
    }
}

/// A word at byte offset `start` of its text (records are bounded far
/// below 4 GB).
pub fn word_at(start: usize, w: &str, info: WordInfo) -> Word {
    Word {
        start: start as u32,
        len: w.len() as u32,
        info,
    }
}

/// `text` normalised with the default settings, and its words
/// ([`words_of`]): what the word lists' tests read.
#[cfg(test)]
pub(crate) fn normalised_words(text: &str) -> (String, Vec<Word>) {
    let norm = super::normalize::normalized(text, super::normalize::NormalizeConfig::default());
    let mut w = Vec::new();
    words_of(&norm, &mut w);
    (norm, w)
}

/// The words of normalised text `norm` with their info, appended to `out`
/// without the tokenizer's cache (the same words and info as
/// [`super::Tokens::encode_words`] gives).
pub fn words_of(norm: &str, out: &mut Vec<Word>) {
    let base = norm.as_ptr() as usize;
    out.extend(bert_split(norm).map(|w| word_at(w.as_ptr() as usize - base, w, word_info(w))));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-window maxima of one rating over words (all with letters).
    fn window_max(ratings: &[u8], window: Option<u16>) -> f32 {
        let w = Word {
            info: WordInfo {
                flags: ALNUM,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut m = WindowMax::<1>::new(window);
        for &r in ratings {
            m.word(&w);
            m.add([r]);
        }
        m.finish()[0]
    }

    #[test]
    fn window_maxima_weigh_each_window_by_its_words() {
        // One window (none set, or a text that fits): the strongest rating.
        assert_eq!(window_max(&[0, 3, 0, 1], None), 3.0);
        assert_eq!(window_max(&[0, 3, 0, 1], Some(4)), 3.0);
        assert_eq!(window_max(&[], Some(4)), 0.0);
        // [3, 0] [0, 0]: (3·2 + 0·2) / 4.
        assert_eq!(window_max(&[3, 0, 0, 0], Some(2)), 1.5);
        // [0, 0] [0, 0] [4]: a short last window weighs by its one word.
        assert_eq!(window_max(&[0, 0, 0, 0, 4], Some(2)), 0.8);
        // The same rating in every window stays what it is.
        assert_eq!(window_max(&[2, 1, 2, 0, 2], Some(2)), 2.0);
        // Words without letters or digits neither open nor fill a window.
        let mut m = WindowMax::<1>::new(Some(1));
        let (word, punct) = (
            Word {
                info: WordInfo {
                    flags: ALNUM,
                    ..Default::default()
                },
                ..Default::default()
            },
            Word::default(),
        );
        for (w, r) in [(&word, 0), (&punct, 4), (&word, 0)] {
            m.word(w);
            m.add([r]);
        }
        assert_eq!(
            m.finish()[0],
            2.0,
            "[0 !(4)] [0]: the mark is in the first window"
        );
    }

    #[test]
    fn flags_of_listed_words() {
        let info = |w: &str| word_info(w).flags;
        assert_eq!(info("you"), SECOND_PERSON | ALNUM);
        assert_eq!(info("not"), NEGATION | ALNUM);
        assert_eq!(info("t"), T | ALNUM);
        assert_eq!(info("'"), APOSTROPHE);
        assert_eq!(info("’"), APOSTROPHE);
        assert_eq!(info("wrong"), CONTRADICTION | ALNUM);
        assert_eq!(info("right"), AGREEMENT | ALNUM);
        assert_eq!(info("maybe"), HEDGE | ALNUM);
        assert_eq!(info("+1"), AGREEMENT | ALNUM);
        assert_eq!(info("!"), 0);
        assert_eq!(info("é"), ALNUM);
        assert_eq!(word_info("x").hash, pair::word_hash("x"));
    }

    #[test]
    fn words_keep_their_place() {
        let mut w = Vec::new();
        let text = "you don ' t , é";
        words_of(text, &mut w);
        let got: Vec<&str> = w.iter().map(|x| x.of(text)).collect();
        assert_eq!(got, ["you", "don", "'", "t", ",", "é"]);
    }
}

//! Sub-word tokens from a Hugging Face `tokenizers` WordPiece vocabulary
//! trained offline on our corpora (`models/tokenizer.json`).
//!
//! Frequent words are single tokens; rare and obfuscated words fall apart
//! into pieces (`##iot`), so an unseen spelling still shares features with
//! the words it is built from. The tokenizer runs on text that
//! [`super::normalize`] has already folded, so it has no normaliser of its
//! own; its pre-tokenizer splits on white space and punctuation (BERT's).
//!
//! Encoding goes word by word through the WordPiece model with a small
//! per-thread cache instead of `Tokenizer::encode`, which builds offsets and
//! masks we do not use; the ids are the same (tested).
//! The cache also keeps each word's info for the cue and pair features
//! ([`super::words`]), so the text is split once for all three.

use std::cell::RefCell;
use std::collections::HashMap;

use compact_str::CompactString;

use tokenizers::models::wordpiece::{WordPiece, WordPieceTrainer};
use tokenizers::models::{ModelWrapper, TrainerWrapper};
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::{AddedToken, Model, Tokenizer};

use super::words::{word_at, word_info, Word, WordInfo};
use super::FeatureError;

/// The unknown-token string of our vocabularies.
pub const UNK: &str = "[UNK]";

/// A trained WordPiece tokenizer.
#[derive(Clone)]
pub struct Tokens {
    tokenizer: Tokenizer,
    json: String,
    /// Identifies this vocabulary in the per-thread cache (an address could
    /// be reused by another vocabulary after this one is dropped).
    uid: usize,
    /// Each id's piece, for naming n-grams without a lookup and a copy.
    pieces: std::sync::Arc<[Box<str>]>,
}

static NEXT_UID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} pieces)", self.vocab_size())
    }
}

/// Owner (vocabulary uid) and word → ids (aHash: a cache key needs no
/// DoS-resistant hash, and SipHash was most of a cache hit's cost).
/// A word's token ids: inline for the usual one to three pieces, so a
/// cache hit reads no second allocation.
enum Ids {
    Inline(u8, [u32; 3]),
    Heap(Box<[u32]>),
}

impl Ids {
    fn new(ids: &[u32]) -> Ids {
        if ids.len() <= 3 {
            let mut a = [0u32; 3];
            a[..ids.len()].copy_from_slice(ids);
            Ids::Inline(ids.len() as u8, a)
        } else {
            Ids::Heap(ids.into())
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            Ids::Inline(n, a) => &a[..usize::from(*n)],
            Ids::Heap(b) => b,
        }
    }
}

/// Owner (vocabulary uid), generation ([`WordNumbers`]), and words
/// (inline up to 24 bytes) with their token ids, their info for the cue
/// and pair features ([`super::words`]) and their number (dense from 0 in
/// the order first seen).
type Cache = (
    usize,
    u64,
    HashMap<CompactString, (Ids, WordInfo, u32), ahash::RandomState>,
);

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new((0, 0, HashMap::default()));
}

/// Words a cache holds before it is emptied (between two texts, so that
/// one text's words are numbered in one generation).
const CACHE_MAX: usize = 1 << 16;

/// Words a cache holds before it is emptied within a text (a record of
/// megabytes of distinct words): the text's numbers then span two
/// generations and are given as none (generation 0). Small in unit tests,
/// so that they reach it.
const WITHIN_TEXT_MAX: usize = if cfg!(test) { 1 << 10 } else { 1 << 18 };

/// Generations handed out so far, over all threads: a generation names
/// one filling of one thread's cache.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A new generation (unique over threads).
fn new_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

/// The numbers of a text's words in this thread's tokenizer cache, one per
/// word of [`Tokens::encode_words`]: within a `generation` (0: the numbers
/// are not to be used), two words have the same number exactly when they
/// are the same word. Numbers are dense from 0 in the order the words were
/// first seen, so the words a dump uses most have the smallest: something
/// kept per word in a `Vec` indexed by number (the incivility model's word
/// sums, `classify::fused`) sits in a few cache lines for the common words
/// and needs no hash lookup. Generations are unique over threads and only
/// grow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordNumbers {
    /// The cache filling the numbers belong to (0: none).
    pub generation: u64,
    /// One number a word.
    pub numbers: Vec<u32>,
}

impl Tokens {
    /// Train a WordPiece vocabulary on already-normalised texts.
    pub fn train<I, S>(
        texts: I,
        vocab_size: usize,
        min_frequency: u64,
    ) -> Result<Self, FeatureError>
    where
        I: Iterator<Item = S> + Send,
        S: AsRef<str> + Send,
    {
        let model = WordPiece::builder()
            .unk_token(UNK.to_string())
            .build()
            .map_err(|e| FeatureError::Tokenizer(e.to_string()))?;
        let mut tok = Tokenizer::new(model);
        tok.with_pre_tokenizer(Some(BertPreTokenizer));
        let trainer = WordPieceTrainer::builder()
            .vocab_size(vocab_size)
            .min_frequency(min_frequency)
            .show_progress(false)
            .special_tokens(vec![AddedToken::from(UNK, true)])
            .build();
        let mut trainer = TrainerWrapper::WordPieceTrainer(trainer);
        tok.train(&mut trainer, texts)
            .map_err(|e| FeatureError::Tokenizer(e.to_string()))?;
        Self::from_tokenizer(tok)
    }

    fn from_tokenizer(tokenizer: Tokenizer) -> Result<Self, FeatureError> {
        if !matches!(tokenizer.get_model(), ModelWrapper::WordPiece(_)) {
            return Err(FeatureError::Tokenizer(
                "only WordPiece tokenizers are supported".into(),
            ));
        }
        let json = tokenizer
            .to_string(false)
            .map_err(|e| FeatureError::Tokenizer(e.to_string()))?;
        let uid = NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pieces = (0..tokenizer.get_vocab_size(true) as u32)
            .map(|id| {
                tokenizer
                    .id_to_token(id)
                    .unwrap_or_default()
                    .into_boxed_str()
            })
            .collect();
        Ok(Tokens {
            tokenizer,
            json,
            uid,
            pieces,
        })
    }

    /// Load from the JSON that [`Tokens::to_json`] or `tokenizers` wrote.
    pub fn from_json(json: &str) -> Result<Self, FeatureError> {
        let tokenizer: Tokenizer = json
            .parse()
            .map_err(|e: tokenizers::Error| FeatureError::Tokenizer(e.to_string()))?;
        Self::from_tokenizer(tokenizer)
    }

    /// The tokenizer as `tokenizer.json` text.
    pub fn to_json(&self) -> &str {
        &self.json
    }

    /// Number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// The piece for an id, `""` for an id outside the vocabulary (for
    /// explanations).
    pub fn piece(&self, id: u32) -> &str {
        self.pieces.get(id as usize).map_or("", |p| p)
    }

    /// The piece for an id (for explanations).
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.tokenizer.id_to_token(id)
    }

    /// Whether `word` is one whole token of the vocabulary (not a `##`
    /// continuation piece, not split).
    pub fn is_whole_token(&self, word: &str) -> bool {
        !word.starts_with("##") && self.wordpiece().token_to_id(word).is_some()
    }

    fn wordpiece(&self) -> &WordPiece {
        match self.tokenizer.get_model() {
            ModelWrapper::WordPiece(wp) => wp,
            _ => unreachable!("checked in from_tokenizer"),
        }
    }

    /// Token ids of normalised text, appended to `out`.
    pub fn encode(&self, text: &str, out: &mut Vec<u32>) {
        self.encode_each(text, out, |_, _, _| {});
    }

    /// [`Tokens::encode`], and each word of the split with its info for the
    /// cue and pair features appended to `words` (the same as
    /// [`super::words::words_of`]; kept with the ids in the cache), and its
    /// number in the cache to `numbers` (whose generation is set).
    pub fn encode_words(
        &self,
        text: &str,
        out: &mut Vec<u32>,
        words: &mut Vec<Word>,
        numbers: &mut WordNumbers,
    ) {
        let base = text.as_ptr() as usize;
        numbers.generation = self.encode_each(text, out, |w, info, n| {
            words.push(word_at(w.as_ptr() as usize - base, w, info));
            numbers.numbers.push(n);
        });
    }

    /// Token ids of each word of `text` from this thread's cache (or the
    /// WordPiece model, then kept), appended to `out`; `f` sees each word
    /// with its info and number. Returns the numbers' generation (0 if
    /// the cache was emptied within the text).
    fn encode_each(
        &self,
        text: &str,
        out: &mut Vec<u32>,
        mut f: impl FnMut(&str, WordInfo, u32),
    ) -> u64 {
        let wp = self.wordpiece();
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let (owner, generation, map) = &mut *c;
            // The cache belongs to one vocabulary: reset if another is
            // used; emptied when full before a text, not within one.
            let me = self.uid;
            if *owner != me || map.len() >= CACHE_MAX {
                map.clear();
                *owner = me;
                *generation = new_generation();
            }
            let mut whole = true;
            for word in bert_split(text) {
                if let Some((ids, info, n)) = map.get(word) {
                    out.extend_from_slice(ids.as_slice());
                    f(word, *info, *n);
                    continue;
                }
                if map.len() >= WITHIN_TEXT_MAX {
                    map.clear();
                    *generation = new_generation();
                    whole = false;
                }
                let start = out.len();
                if let Ok(toks) = wp.tokenize(word) {
                    out.extend(toks.into_iter().map(|t| t.id));
                }
                let info = word_info(word);
                // At most WITHIN_TEXT_MAX.
                let n = map.len() as u32;
                map.insert(word.into(), (Ids::new(&out[start..]), info, n));
                f(word, info, n);
            }
            if whole {
                *generation
            } else {
                0
            }
        })
    }

    /// Token ids through the full `tokenizers` pipeline (reference for tests).
    pub fn encode_reference(&self, text: &str) -> Vec<u32> {
        self.tokenizer
            .encode_fast(text, false)
            .map(|e| e.get_ids().to_vec())
            .unwrap_or_default()
    }
}

/// Split like BERT's pre-tokenizer: on white space, and every punctuation
/// character is a word of its own. ASCII runs are scanned as bytes; any
/// other character goes through the `char` tests.
pub fn bert_split(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() && is_ascii_space(b[i]) {
            i += 1;
        }
        rest = &rest[i..];
        if rest.as_bytes().first().is_some_and(|&c| c >= 0x80) {
            rest = rest.trim_start_matches(char::is_whitespace);
        }
        let b = rest.as_bytes();
        let &first = b.first()?;
        let len = if first < 0x80 {
            if first.is_ascii_punctuation() {
                1
            } else {
                let mut j = 1;
                while j < b.len()
                    && b[j] < 0x80
                    && !is_ascii_space(b[j])
                    && !b[j].is_ascii_punctuation()
                {
                    j += 1;
                }
                if j < b.len() && b[j] >= 0x80 {
                    j + rest[j..]
                        .find(|c: char| c.is_whitespace() || is_bert_punct(c))
                        .unwrap_or(rest.len() - j)
                } else {
                    j
                }
            }
        } else {
            let c = rest.chars().next()?;
            if is_bert_punct(c) {
                c.len_utf8()
            } else {
                rest.find(|c: char| c.is_whitespace() || is_bert_punct(c))
                    .unwrap_or(rest.len())
            }
        };
        let (w, r) = rest.split_at(len);
        rest = r;
        Some(w)
    })
}

/// ASCII characters that are `char::is_whitespace` (tab to carriage
/// return, and space; unlike `u8::is_ascii_whitespace`, with vertical tab).
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (0x09..=0x0d).contains(&b)
}

fn is_bert_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split before its ASCII fast path: the reference.
    fn bert_split_chars(text: &str) -> Vec<&str> {
        let mut rest = text;
        std::iter::from_fn(move || {
            rest = rest.trim_start_matches(char::is_whitespace);
            let c = rest.chars().next()?;
            let len = if is_bert_punct(c) {
                c.len_utf8()
            } else {
                rest.find(|c: char| c.is_whitespace() || is_bert_punct(c))
                    .unwrap_or(rest.len())
            };
            let (w, r) = rest.split_at(len);
            rest = r;
            Some(w)
        })
        .collect()
    }

    /// Text mixing ASCII words, white space of every kind, ASCII and
    /// other punctuation, and any other characters.
    fn split_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just(" ".to_string()),
            Just("\u{b}\t\r\n\u{c}".to_string()),
            Just("\u{a0}\u{2003}\u{85}".to_string()),
            Just("!?.,'\"".to_string()),
            Just("«»—…¿".to_string()),
            "[a-zA-Z0-9]{1,6}",
            "\\PC{1,4}",
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        /// The byte-scanning split equals the char-by-char one.
        #[test]
        fn bert_split_matches_the_char_by_char_split(text in split_text()) {
            let fast: Vec<&str> = bert_split(&text).collect();
            proptest::prop_assert_eq!(fast, bert_split_chars(&text));
        }
    }

    fn corpus() -> Vec<String> {
        let base = [
            "you are an idiot and a moron",
            "what an idiot, honestly",
            "i agree with you completely",
            "thanks for the source, i agree",
            "this is wrong and you know it",
            "is there a source for this?",
        ];
        base.iter()
            .cycle()
            .take(60)
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn trains_and_round_trips() {
        let t = Tokens::train(corpus().iter(), 200, 1).unwrap();
        assert!(t.vocab_size() > 20);
        let t2 = Tokens::from_json(t.to_json()).unwrap();
        let mut a = Vec::new();
        let mut b = Vec::new();
        t.encode("you idiot", &mut a);
        t2.encode("you idiot", &mut b);
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }

    #[test]
    fn fast_path_matches_the_library() {
        let t = Tokens::train(corpus().iter(), 200, 1).unwrap();
        for s in [
            "you are an idiot, honestly!",
            "idiots?? sources: none",
            "ça va — très bien",
            "",
        ] {
            let mut ids = Vec::new();
            t.encode(s, &mut ids);
            assert_eq!(ids, t.encode_reference(s), "{s}");
        }
    }

    proptest::proptest! {
        /// The words the tokenizer's pass hands on, cold and warm cache,
        /// are those of a split without it, with the same info; the ids are
        /// those of `encode`.
        #[test]
        fn encode_words_gives_the_words_of_a_plain_split(text in crate::features::tests::hostile_text()) {
            static T: std::sync::OnceLock<Tokens> = std::sync::OnceLock::new();
            let t = T.get_or_init(|| Tokens::train(corpus().iter(), 200, 1).unwrap());
            let (mut norm, mut tmp) = (String::new(), String::new());
            crate::features::normalize::normalize(&text, Default::default(), &mut norm, &mut tmp);
            let mut plain = Vec::new();
            crate::features::words::words_of(&norm, &mut plain);
            let mut ids = Vec::new();
            t.encode(&norm, &mut ids);
            for _ in 0..2 {
                let (mut got_ids, mut got) = (Vec::new(), Vec::new());
                let mut numbers = WordNumbers::default();
                t.encode_words(&norm, &mut got_ids, &mut got, &mut numbers);
                proptest::prop_assert_eq!(numbers.numbers.len(), got.len());
                for (a, na) in got.iter().zip(&numbers.numbers) {
                    for (b, nb) in got.iter().zip(&numbers.numbers) {
                        proptest::prop_assert_eq!(na == nb, a.of(&norm) == b.of(&norm));
                    }
                }
                proptest::prop_assert_eq!(&got, &plain);
                proptest::prop_assert_eq!(&got_ids, &ids);
            }
        }
    }

    /// A text's words have the same number in the cache exactly when they
    /// are the same word, numbers are handed out from 0 in the order
    /// words are first seen, and a cache another vocabulary used in
    /// between starts a new generation, numbering from 0 again.
    #[test]
    fn words_are_numbered_densely_per_generation() {
        let t = Tokens::train(corpus().iter(), 200, 1).unwrap();
        let other = Tokens::train(["x y z"].iter(), 20, 1).unwrap();
        other.encode("x", &mut Vec::new());
        let text = "you are an idiot , you idiot ! an";
        let (mut words, mut numbers) = (Vec::new(), WordNumbers::default());
        t.encode_words(text, &mut Vec::new(), &mut words, &mut numbers);
        assert_eq!(numbers.numbers, [0, 1, 2, 3, 4, 0, 3, 5, 2]);
        let first = numbers.generation;
        assert!(first > 0);
        // Warm: same numbers, same generation, new words numbered on.
        let mut again = WordNumbers::default();
        t.encode_words("idiot zzz", &mut Vec::new(), &mut Vec::new(), &mut again);
        assert_eq!(
            (again.generation, again.numbers.as_slice()),
            (first, &[3, 6][..])
        );
        other.encode("x", &mut Vec::new());
        let mut fresh = WordNumbers::default();
        t.encode_words("idiot zzz", &mut Vec::new(), &mut Vec::new(), &mut fresh);
        assert!(fresh.generation > first);
        assert_eq!(fresh.numbers, [0, 1]);
        // A text with more distinct words than a cache holds within a
        // text: emptied part way, numbers given as none; the ids are still
        // those of the tokenizer.
        let long: Vec<String> = (0..WITHIN_TEXT_MAX + 10).map(|i| format!("w{i}")).collect();
        let long = long.join(" ");
        let (mut ids, mut many) = (Vec::new(), WordNumbers::default());
        t.encode_words(&long, &mut ids, &mut Vec::new(), &mut many);
        assert_eq!(many.generation, 0);
        let mut plain = Vec::new();
        t.encode(&long, &mut plain);
        assert_eq!(ids, plain);
        assert_eq!(ids, t.encode_reference(&long));
    }

    #[test]
    fn unseen_words_fall_into_pieces() {
        let t = Tokens::train(corpus().iter(), 200, 1).unwrap();
        let mut ids = Vec::new();
        t.encode("idiotic", &mut ids);
        assert!(!ids.is_empty());
        let pieces: Vec<String> = ids.iter().filter_map(|&i| t.id_to_token(i)).collect();
        assert!(
            pieces.iter().any(|p| p.starts_with("##")) || pieces.len() == 1,
            "{pieces:?}"
        );
    }

    #[test]
    fn split_like_bert() {
        let w: Vec<&str> = bert_split("hi, you're  wrong!").collect();
        assert_eq!(w, ["hi", ",", "you", "'", "re", "wrong", "!"]);
    }

    #[test]
    fn refuses_garbage() {
        assert!(Tokens::from_json("{not json").is_err());
    }
}

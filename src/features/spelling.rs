//! Spelling folds after normalisation, for models trained with
//! `train --fold-spelling`: the two obfuscations that normalising alone
//! leaves and that cost a model its strongest words.
//!
//! - **Letters spaced or dotted out** (`m u s l i m s`, `k.i.l.l`,
//!   `f-u-c-k`): a run of three or more one-letter words (leetspeak
//!   digits count as letters), or a word of single letters joined by one
//!   separator (`.` `-` `_` `*`), is joined when the letters spell a
//!   *target*: a group's name ([`GROUPS`]), a one-word entry of the
//!   abusive-word lexicon ([`super::lexicon`]), or a word the sentiment
//!   lexicon rates −2 or lower ([`super::sentiment`]). Within a longer run
//!   the longest target from each letter is taken. Runs that spell nothing
//!   listed (`u r a`, `u.s.a`) are left alone.
//! - **A group's name misspelled by one edit** (`muslms`, `mulsims`,
//!   `blakcs`): a word of letters that is two adjacent letters swapped, one
//!   letter dropped or one letter added away from exactly one name of five
//!   letters or more, its first and last letter kept, is replaced by that
//!   name, unless the word is itself
//!   a known word: a whole token of the model's vocabulary (`backs`,
//!   `refuge`), a group's name, or a target.
//!
//! A model records the folds' fingerprint ([`Spelling::fingerprint`], over
//! the three lists), and a build whose lists differ refuses to load it.
//! Measured before it was built (model card, "Spelling variation"): a
//! group's name misspelled or spaced out lost about half the
//! identity-attack head's flags.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::xxh3_64;

use super::lexicon::Lexicon;
use super::normalize::leet;
use super::sentiment::{Sentiment, STRONG};

/// Names of groups people are attacked for (one word each, lower case,
/// singular and plural): the words the identity-attack data's hate
/// names, as `scripts/identity_negatives_data.py` lists them.
pub const GROUPS: &[&str] = &[
    "muslim",
    "muslims",
    "islam",
    "islamic",
    "islamist",
    "islamists",
    "jew",
    "jews",
    "jewish",
    "christian",
    "christians",
    "catholic",
    "catholics",
    "hindu",
    "hindus",
    "black",
    "blacks",
    "white",
    "whites",
    "asian",
    "asians",
    "chinese",
    "mexican",
    "mexicans",
    "latino",
    "latinos",
    "latina",
    "latinas",
    "hispanic",
    "hispanics",
    "arab",
    "arabs",
    "african",
    "africans",
    "immigrant",
    "immigrants",
    "refugee",
    "refugees",
    "migrant",
    "migrants",
    "gay",
    "gays",
    "lesbian",
    "lesbians",
    "bisexual",
    "transgender",
    "trans",
    "queer",
    "queers",
    "lgbt",
    "lgbtq",
    "homosexual",
    "homosexuals",
    "women",
    "woman",
    "feminist",
    "feminists",
    "disabled",
    "indigenous",
    "aboriginal",
    "aboriginals",
];

/// Shortest name a misspelling is matched against (shorter ones, `jews`,
/// `gays`, are one edit from too many words).
const MIN_NAME: usize = 5;

/// Longest target a spaced-out run is joined into, in letters.
const MAX_TARGET: usize = 16;

/// Pass-through hasher for keys that are already hashes.
#[derive(Default)]
struct Id(u64);

impl Hasher for Id {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type ByHash<V> = HashMap<u64, V, BuildHasherDefault<Id>>;

/// The folds' word lists.
#[derive(Debug)]
pub struct Spelling {
    /// Words a spaced-out run may join into.
    targets: HashSet<String>,
    /// One-edit misspellings of names (by `xxh3_64`) → (the misspelling,
    /// the name); misspellings of two names are left out.
    typos: ByHash<(String, &'static str)>,
    /// Per first and last letter of a misspelling (`26 * a + b`), a bit
    /// per length it comes in: most words are ruled out by this alone.
    typo_shapes: Vec<u32>,
    fingerprint: u32,
}

impl Spelling {
    /// Build from the group names and the two compiled-in lexicons.
    fn build(groups: &[&'static str], lexicon: &Lexicon, sentiment: &Sentiment) -> Spelling {
        let mut targets: HashSet<String> = groups.iter().map(|g| g.to_string()).collect();
        targets.extend(lexicon.one_words().map(str::to_string));
        targets.extend(sentiment.words_at_most(STRONG).map(str::to_string));
        targets.retain(|t| t.len() >= 3 && t.chars().all(|c| c.is_ascii_lowercase()));
        let mut found: HashMap<String, Option<&'static str>> = HashMap::new();
        let names: HashSet<&str> = groups.iter().copied().collect();
        for &g in groups.iter().filter(|g| g.len() >= MIN_NAME) {
            for v in one_edit(g) {
                if names.contains(v.as_str()) || targets.contains(&v) {
                    continue;
                }
                found
                    .entry(v)
                    .and_modify(|n| {
                        if *n != Some(g) {
                            *n = None
                        }
                    })
                    .or_insert(Some(g));
            }
        }
        let mut typos = ByHash::default();
        let mut typo_shapes = vec![0u32; 26 * 26];
        for (v, n) in found {
            if let (Some(n), Some(shape)) = (n, shape(v.as_bytes())) {
                typo_shapes[shape.0] |= shape.1;
                typos.insert(xxh3_64(v.as_bytes()), (v, n));
            }
        }
        let mut sorted: Vec<&str> = targets.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let mut h = Sha256::new();
        for list in [&sorted[..], groups] {
            for w in list {
                h.update(w.as_bytes());
                h.update(b"\n");
            }
            h.update(b"\n");
        }
        let d = h.finalize();
        Spelling {
            targets,
            typos,
            typo_shapes,
            fingerprint: u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
        }
    }

    /// The lists compiled into this build.
    pub fn builtin() -> &'static Spelling {
        static S: LazyLock<Spelling> =
            LazyLock::new(|| Spelling::build(GROUPS, Lexicon::builtin(), Sentiment::builtin()));
        &S
    }

    /// What a model trained with these folds records: the first four
    /// bytes of the SHA-256 of the targets and the names.
    pub fn fingerprint(&self) -> u32 {
        self.fingerprint
    }

    /// Whether a spaced-out run may join into `w`.
    pub fn is_target(&self, w: &str) -> bool {
        self.targets.contains(w)
    }

    /// The name `w` misspells, if it is a listed misspelling.
    fn typo(&self, w: &str) -> Option<&'static str> {
        let (at, bit) = shape(w.as_bytes())?;
        if self.typo_shapes[at] & bit == 0 || !w.bytes().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        self.typos
            .get(&xxh3_64(w.as_bytes()))
            .filter(|(v, _)| v == w)
            .map(|&(_, n)| n)
    }

    /// Fold normalised text `norm` in place (`tmp` is scratch); `known`
    /// says whether a word is one a misspelling must not be taken for.
    /// Returns whether the text was rebuilt: it is when it holds a fold
    /// or a run of three one-letter words, which may spell nothing listed
    /// (`u r a`) and be rebuilt as it was.
    pub fn fold(&self, norm: &mut String, tmp: &mut String, known: impl Fn(&str) -> bool) -> bool {
        if !self.needs_fold(norm, &known) {
            return false;
        }
        tmp.clear();
        let words: Vec<&str> = norm.split(' ').collect();
        let mut i = 0;
        while i < words.len() {
            if i > 0 {
                tmp.push(' ');
            }
            let run = spaced_run(&words[i..]);
            if run >= 3 {
                self.join_run(&words[i..i + run], tmp);
                i += run;
                continue;
            }
            self.fold_word(words[i], tmp, &known);
            i += 1;
        }
        std::mem::swap(norm, tmp);
        true
    }

    /// A cheap first pass: is there any run, dotted word or misspelling?
    fn needs_fold(&self, norm: &str, known: &impl Fn(&str) -> bool) -> bool {
        let mut singles = 0;
        for w in norm.split(' ') {
            if run_letter(w).is_some() {
                singles += 1;
                if singles >= 3 {
                    return true;
                }
                continue;
            }
            singles = 0;
            if self.word_fold(w, known).is_some() {
                return true;
            }
        }
        false
    }

    /// Append `word`, folded if it is dotted out or a misspelling.
    fn fold_word(&self, word: &str, out: &mut String, known: &impl Fn(&str) -> bool) {
        match self.word_fold(word, known) {
            Some((start, end, with)) => {
                out.push_str(&word[..start]);
                out.push_str(&with);
                out.push_str(&word[end..]);
            }
            None => out.push_str(word),
        }
    }

    /// The part of `word` to replace, and with what.
    fn word_fold(
        &self,
        word: &str,
        known: &impl Fn(&str) -> bool,
    ) -> Option<(usize, usize, String)> {
        let b = word.as_bytes();
        if b.len() < 4 {
            return None;
        }
        let start = b.iter().position(|c| !c.is_ascii_punctuation())?;
        let end = b.len() - b.iter().rev().position(|c| !c.is_ascii_punctuation())?;
        let core = &word[start..end];
        let cb = core.as_bytes();
        if cb.len() >= 5 && is_separator(cb[1]) {
            let joined = dotted(cb)?;
            return self.is_target(&joined).then_some((start, end, joined));
        }
        // `typo` checks the shape first: most words end there.
        let name = self.typo(core)?;
        (!known(core)).then(|| (start, end, name.to_string()))
    }

    /// Append a run of one-letter words, joining the longest target that
    /// starts at each letter.
    fn join_run(&self, run: &[&str], out: &mut String) {
        let letters: Vec<char> = run.iter().filter_map(|w| run_letter(w)).collect();
        let mut i = 0;
        let mut first = true;
        while i < run.len() {
            if !first {
                out.push(' ');
            }
            first = false;
            let longest = (i + 3..=run.len().min(i + MAX_TARGET))
                .rev()
                .find(|&j| self.is_target(&letters[i..j].iter().collect::<String>()));
            match longest {
                Some(j) => {
                    out.extend(&letters[i..j]);
                    // The last word's trailing punctuation stays.
                    out.push_str(
                        &run[j - 1][run[j - 1].chars().next().map_or(0, char::len_utf8)..],
                    );
                    i = j;
                }
                None => {
                    out.push_str(run[i]);
                    i += 1;
                }
            }
        }
    }
}

/// The letter a one-letter word stands for (a letter, or a leetspeak
/// digit or symbol), if the word is one letter and nothing but ASCII
/// punctuation after it.
fn run_letter(w: &str) -> Option<char> {
    let b = w.as_bytes();
    let c = char::from(*b.first()?);
    if !b[1..].iter().all(u8::is_ascii_punctuation) {
        return None;
    }
    if c.is_ascii_lowercase() {
        Some(c)
    } else {
        leet(c)
    }
}

/// How many words from the start of `words` make a run: one-letter words,
/// the run ending at the first that carries punctuation.
fn spaced_run(words: &[&str]) -> usize {
    let mut n = 0;
    for w in words {
        if run_letter(w).is_none() {
            break;
        }
        n += 1;
        if w.len() > 1 {
            break;
        }
    }
    n
}

/// A word's first and last letter (as an index into `typo_shapes`) and
/// its length (as a bit), if both are lower-case ASCII letters and it is
/// 4 to 31 bytes long (the letters between are checked after the shape).
fn shape(w: &[u8]) -> Option<(usize, u32)> {
    let (&a, &z) = (w.first()?, w.last()?);
    if !(4..32).contains(&w.len()) || !a.is_ascii_lowercase() || !z.is_ascii_lowercase() {
        return None;
    }
    Some((
        usize::from(a - b'a') * 26 + usize::from(z - b'a'),
        1 << w.len(),
    ))
}

fn is_separator(c: u8) -> bool {
    matches!(c, b'.' | b'-' | b'_' | b'*')
}

/// `k.i.l.l` → `kill`: single letters, each pair split by the same
/// separator, three letters or more.
fn dotted(b: &[u8]) -> Option<String> {
    let sep = b[1];
    if b.len() % 2 == 0 {
        return None;
    }
    let mut out = String::with_capacity(b.len() / 2 + 1);
    for (i, &c) in b.iter().enumerate() {
        if i % 2 == 1 {
            if c != sep {
                return None;
            }
        } else {
            let ch = char::from(c);
            out.push(if ch.is_ascii_lowercase() {
                ch
            } else {
                leet(ch)?
            });
        }
    }
    Some(out)
}

/// Every word one adjacent swap, one dropped letter or one added letter
/// (a–z) away from `w`, with its first and last letter kept (few typos
/// touch them, and edits there make other words: `omen`, `whiter`,
/// `christina`, `emigrants`).
fn one_edit(w: &str) -> Vec<String> {
    let b = w.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    for i in 1..n.saturating_sub(1) {
        let mut d = b.to_vec();
        d.remove(i);
        out.push(d);
        if i + 2 < n && b[i] != b[i + 1] {
            let mut s = b.to_vec();
            s.swap(i, i + 1);
            out.push(s);
        }
    }
    for i in 1..n {
        for c in b'a'..=b'z' {
            let mut a = b.to_vec();
            a.insert(i, c);
            out.push(a);
        }
    }
    out.into_iter()
        .map(|v| String::from_utf8(v).expect("ASCII"))
        .filter(|v| v != w)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(text: &str, known: &[&str]) -> String {
        let mut norm = text.to_string();
        let mut tmp = String::new();
        Spelling::builtin().fold(&mut norm, &mut tmp, |w| known.contains(&w));
        norm
    }

    #[test]
    fn spaced_and_dotted_letters_join_into_listed_words_only() {
        assert_eq!(fold("i hate m u s l i m s", &[]), "i hate muslims");
        assert_eq!(fold("you are a k.i.l.l.e.r", &[]), "you are a killer");
        assert_eq!(fold("what an i d i o t!", &[]), "what an idiot!");
        assert_eq!(fold("f-u-c-k off", &[]), "fuck off");
        // Leetspeak letters count.
        assert_eq!(fold("k 1 l l them", &[]), "kill them");
        // Runs and dotted words that spell nothing listed stay.
        assert_eq!(fold("u r a star", &[]), "u r a star");
        assert_eq!(
            fold("the u.s.a and e.g. this", &[]),
            "the u.s.a and e.g. this"
        );
        assert_eq!(fold("a b c d e", &[]), "a b c d e");
        // The longest target from each letter; the rest stays as it was.
        assert_eq!(fold("x y k i l l", &[]), "x y kill");
        // Nothing to fold: nothing changes, and the text is not rebuilt.
        let mut n = "plain  words here".to_string();
        assert!(!Spelling::builtin().fold(&mut n, &mut String::new(), |_| false));
        assert_eq!(n, "plain  words here");
    }

    #[test]
    fn a_name_misspelled_by_one_edit_is_read_as_the_name_unless_it_is_a_known_word() {
        assert_eq!(fold("i hate muslms", &[]), "i hate muslims");
        assert_eq!(fold("deport the mulsims!", &[]), "deport the muslims!");
        assert_eq!(fold("the immigrantss", &[]), "the immigrants");
        assert_eq!(fold("those blakcs", &[]), "those blacks");
        // A known word (a whole token of the vocabulary) stays.
        assert_eq!(fold("their backs hurt", &["backs"]), "their backs hurt");
        assert_eq!(fold("their backs hurt", &[]), "their blacks hurt");
        // Names are never changed into one another, short names are not
        // matched, and capitals or digits are not letters to match.
        assert_eq!(fold("women and woman", &[]), "women and woman");
        assert_eq!(fold("jwes", &[]), "jwes");
        assert_eq!(fold("musl1ms", &[]), "musl1ms");
        // The first and last letters are kept: words one edit away there
        // are other words.
        assert_eq!(
            fold("omen oman whiter christina emigrants", &[]),
            "omen oman whiter christina emigrants"
        );
        // One edit from two names: ambiguous, left alone (`womn`).
        assert_eq!(fold("womn", &[]), "womn");
    }

    #[test]
    fn the_fingerprint_follows_the_lists() {
        let s = Spelling::builtin();
        assert_eq!(s.fingerprint(), Spelling::builtin().fingerprint());
        let other = Spelling::build(&GROUPS[1..], Lexicon::builtin(), Sentiment::builtin());
        assert_ne!(other.fingerprint(), s.fingerprint());
        assert!(s.is_target("muslims") && s.is_target("idiot") && s.is_target("kill"));
        assert!(!s.is_target("star"));
    }

    #[test]
    fn a_model_folded_with_other_lists_is_refused() {
        use crate::features::{FeatureConfig, NormalizeConfig};
        let with = |f| FeatureConfig {
            normalize: NormalizeConfig {
                fold_spelling: f,
                ..Default::default()
            },
            ..Default::default()
        };
        let built = Spelling::builtin().fingerprint();
        assert!(with(None).check().is_ok());
        assert!(with(Some(built)).check().is_ok());
        let e = with(Some(built ^ 1)).check().unwrap_err().to_string();
        assert!(
            e.contains("spelling") && e.contains("train it again"),
            "{e}"
        );
    }

    proptest::proptest! {
        /// Folding never panics, on any text, and folding twice changes
        /// nothing more (the output has no runs or misspellings left).
        #[test]
        fn folding_is_total_and_settles(text in "[a-z5 .!*-]{0,60}") {
            let once = fold(&text, &[]);
            let twice = fold(&once, &[]);
            proptest::prop_assert_eq!(once, twice);
        }

        /// Any text, as the normaliser leaves it (any script, symbols,
        /// spaced letters among them): folding does not panic, and as it
        /// only joins words or replaces a misspelling by a name one letter
        /// longer at most, it lengthens the text by a byte a word at most.
        #[test]
        fn folding_any_normalised_text_is_safe(
            text in "(\\PC|[a-z] |[a-z]\\.){0,80}"
        ) {
            let norm = crate::features::normalize::normalized(&text, Default::default());
            let out = fold(&norm, &[]);
            let words = norm.split(' ').count();
            proptest::prop_assert!(out.len() <= norm.len() + words, "{norm:?} -> {out:?}");
        }
    }
}

//! Pair features for stance: how a reply relates to the post it answers.
//!
//! Signals: quoting the parent (a run of its words repeated in the reply),
//! word overlap, a leading rebuttal (`False.`, `no,`, `wrong`) and
//! contradiction words, agreement words, question forms, hedges, address
//! (`@name`, `gunny,` at the start), and the length ratio. All are computed
//! on normalised text, so `FALSE!!!` and `false` agree.

use super::words::{words_of, Word, ALNUM};
// A word's lexicon flags ([`lexicon_flags`]).
use super::words::{
    AGREEMENT as IN_AGREEMENT, CONTRADICTION as IN_CONTRADICTION, HEDGE as IN_HEDGE,
};
use super::Featurizer;

/// Names of the values [`compute`] appends, in order.
pub const NAMES: [&str; 14] = [
    "pair_overlap",
    "pair_containment",
    "pair_quote_run",
    "pair_leading_rebuttal",
    "pair_contradiction_log",
    "pair_agreement_log",
    "pair_leading_agreement",
    "pair_question",
    "pair_wh_start",
    "pair_hedge_log",
    "pair_address",
    "pair_length_ratio",
    "pair_parent_question",
    "pair_parent_empty",
];

const REBUTTAL_START: &[&str] = &[
    "no",
    "nope",
    "false",
    "wrong",
    "nonsense",
    "incorrect",
    "untrue",
    "fake",
    "lies",
    "bs",
    "not",
    "nah",
    "rubbish",
    "bullshit",
    "hoax",
    "lie",
];
const CONTRADICTION: &[&str] = &[
    "wrong",
    "false",
    "fake",
    "lie",
    "lies",
    "lying",
    "liar",
    "nonsense",
    "bs",
    "bullshit",
    "untrue",
    "debunked",
    "hoax",
    "incorrect",
    "misleading",
    "rubbish",
    "myth",
    "propaganda",
    "doubt",
    "disagree",
    "ridiculous",
    "absurd",
    "stupid",
];
const AGREEMENT: &[&str] = &[
    "agree",
    "agreed",
    "exactly",
    "yes",
    "yep",
    "yeah",
    "right",
    "indeed",
    "correct",
    "absolutely",
    "true",
    "thanks",
    "thank",
    "well",
    "totally",
    "definitely",
    "+1",
    "support",
    "confirmed",
    "same",
    "spot",
];
const AGREE_START: &[&str] = &[
    "yes",
    "yep",
    "yeah",
    "exactly",
    "agreed",
    "agree",
    "indeed",
    "true",
    "this",
    "absolutely",
    "right",
    "correct",
];
const WH: &[&str] = &[
    "what", "why", "how", "who", "where", "when", "which", "is", "are", "do", "does", "did", "can",
    "could", "would", "source", "really", "any", "wait",
];
const HEDGE: &[&str] = &[
    "maybe",
    "perhaps",
    "might",
    "possibly",
    "seems",
    "apparently",
    "allegedly",
    "reportedly",
    "unconfirmed",
    "rumor",
    "rumour",
    "rumours",
    "rumors",
    "unverified",
    "probably",
    "if",
];

/// The counted word lists as one table sorted by word hash: a reply's
/// words are looked up by the hashes already made for the overlap, instead
/// of being compared with every listed word.
fn lexicon() -> &'static [(u64, &'static str, u8)] {
    static LEX: std::sync::OnceLock<Vec<(u64, &'static str, u8)>> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let mut v: Vec<(u64, &'static str, u8)> = Vec::new();
        for (set, flag) in [
            (CONTRADICTION, IN_CONTRADICTION),
            (AGREEMENT, IN_AGREEMENT),
            (HEDGE, IN_HEDGE),
        ] {
            for &w in set {
                match v.iter_mut().find(|e| e.1 == w) {
                    Some(e) => e.2 |= flag,
                    None => v.push((word_hash(w), w, flag)),
                }
            }
        }
        v.sort_unstable();
        v
    })
}

/// Lexicon flags of word `w` whose hash is `h`.
pub(crate) fn lexicon_flags(h: u64, w: &str) -> u8 {
    let lex = lexicon();
    let mut i = lex.partition_point(|e| e.0 < h);
    let mut f = 0;
    while i < lex.len() && lex[i].0 == h {
        if lex[i].1 == w {
            f |= lex[i].2;
        }
        i += 1;
    }
    f
}

fn ln1p(x: usize) -> f64 {
    (x as f64).ln_1p()
}

/// A word as a 64-bit hash: the overlap and the quote run compare words
/// many times (the quote run pairwise), and integers compare faster than
/// strings (a collision needs two different words among ~10^3 to share 64
/// bits).
pub(crate) fn word_hash(w: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(w.as_bytes())
}

/// Words of a text looked at for a quote (both texts are capped, so the
/// DP stays bounded).
const QUOTE_CAP: usize = 400;

/// Key of a word trigram.
fn trigram(w: &[u64]) -> u64 {
    w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42)
}

/// Trigram keys of a text's first [`QUOTE_CAP`] word hashes with where
/// each starts, sorted, into `t`.
fn trigrams_into(h: &[u64], t: &mut Vec<(u64, u32)>) {
    t.clear();
    t.extend(
        h[..h.len().min(QUOTE_CAP)]
            .windows(QUOTE_MIN)
            .zip(0u32..)
            .map(|(w, at)| (trigram(w), at)),
    );
    t.sort_unstable();
}

/// [`trigrams_into`] a new list.
#[cfg(test)]
fn trigrams(h: &[u64]) -> Vec<(u64, u32)> {
    let mut t = Vec::new();
    trigrams_into(h, &mut t);
    t
}

/// Shortest shared run of words counted as a quote.
const QUOTE_MIN: usize = 3;

/// Longest run of words (hashes `a`) the reply shares with its parent
/// (`b`) among their first [`QUOTE_CAP`] words, when it is at least
/// [`QUOTE_MIN`] words long (shorter runs are not a quote: 0); `ta`, `tb`
/// are their [`trigrams_into`]. Such a run begins where the two texts share a
/// trigram and the words before differ (or a text starts there), so only
/// those places are followed, instead of a DP over every pair of words
/// (the same result, tested against [`longest_common_run`]).
fn quote(a: &[u64], ta: &[(u64, u32)], b: &[u64], tb: &[(u64, u32)]) -> usize {
    let (a, b) = (&a[..a.len().min(QUOTE_CAP)], &b[..b.len().min(QUOTE_CAP)]);
    let (mut i, mut j, mut best) = (0, 0, 0);
    while i < ta.len() && j < tb.len() {
        let key = ta[i].0;
        match key.cmp(&tb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let ie = i + ta[i..].partition_point(|t| t.0 == key);
                let je = j + tb[j..].partition_point(|t| t.0 == key);
                for &(_, x) in &ta[i..ie] {
                    for &(_, y) in &tb[j..je] {
                        let (x, y) = (x as usize, y as usize);
                        if x > 0 && y > 0 && a[x - 1] == b[y - 1] {
                            continue;
                        }
                        let run = a[x..]
                            .iter()
                            .zip(&b[y..])
                            .take_while(|(p, q)| p == q)
                            .count();
                        best = best.max(run);
                    }
                }
                (i, j) = (ie, je);
            }
        }
    }
    if best >= QUOTE_MIN {
        best
    } else {
        0
    }
}

/// Longest run of consecutive reply words that also occurs, in order, in
/// the parent: the plain quadratic DP ([`quote`]'s reference).
#[cfg(test)]
fn longest_common_run(a: &[u64], b: &[u64]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    let mut best = 0;
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y { prev[j] + 1 } else { 0 };
        }
        best = best.max(cur.iter().copied().max().unwrap_or(0));
        std::mem::swap(&mut prev, &mut cur);
    }
    best as usize
}

/// Append the pair features of `reply` toward `parent` to `out`.
pub fn compute(f: &Featurizer, reply: &str, parent: &str, out: &mut Vec<f64>) {
    compute_normalized(
        &f.normalized(reply),
        &f.normalized(parent),
        reply,
        parent,
        out,
    );
}

/// [`compute`] from the texts' normalised forms (already made when the
/// texts were featurized; `reply`/`parent` are the raw texts).
pub fn compute_normalized(
    r_norm: &str,
    p_norm: &str,
    reply: &str,
    parent: &str,
    out: &mut Vec<f64>,
) {
    from_sides(
        &PairSide::new(r_norm, reply),
        &PairSide::new(p_norm, parent),
        out,
    );
}

/// What the pair features need of one text, as a reply or as a parent:
/// made once per comment in a thread, however many replies it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairSide {
    /// Hashes of its words.
    hashes: Vec<u64>,
    /// Sorted distinct hashes of its words with a letter or digit.
    distinct: Vec<u64>,
    /// Trigram keys of its first words and where they start ([`trigrams_into`]).
    trigrams: Vec<(u64, u32)>,
    /// Its features as a reply: leading rebuttal, contradiction, agreement,
    /// leading agreement, question, wh-start, hedge, address.
    reply: [f64; 8],
    /// As a parent: it asks a question; it is empty.
    question: bool,
    empty: bool,
}

impl PairSide {
    /// The side of a text from its normalised form and its raw text.
    pub fn new(norm: &str, raw: &str) -> PairSide {
        let mut words = Vec::new();
        words_of(norm, &mut words);
        PairSide::from_words_reusing(norm, raw, &words, PairSide::default())
    }

    /// [`PairSide::new`] from the words of `norm` with their info, as the
    /// tokenizer's pass gave them ([`super::Tokens::encode_words`]), in the
    /// buffers of `old` (another text's side, no longer needed, or a
    /// default one).
    pub fn from_words_reusing(norm: &str, raw: &str, words: &[Word], old: PairSide) -> PairSide {
        let text = |w: &Word| w.of(norm);
        let PairSide {
            mut hashes,
            mut distinct,
            trigrams: mut tri,
            ..
        } = old;
        hashes.clear();
        hashes.extend(words.iter().map(|w| w.info.hash));
        distinct.clear();
        distinct.extend(words.iter().filter(|w| w.is(ALNUM)).map(|w| w.info.hash));
        distinct.sort_unstable();
        distinct.dedup();
        // Skip a leading @user / name-comma address when looking at the first word.
        let mut body: &[Word] = words;
        let mut address = false;
        while let Some(first) = body.first() {
            if matches!(text(first), "@" | "@user" | "user") {
                address = true;
                body = &body[1..];
            } else {
                break;
            }
        }
        if body.len() >= 2
            && text(&body[1]) == ","
            && text(&body[0]).chars().all(char::is_alphabetic)
            && !REBUTTAL_START.contains(&text(&body[0]))
            && !AGREE_START.contains(&text(&body[0]))
        {
            address = true;
            body = &body[2..];
        }
        // A reply that opens by quoting ("…" / “…”) answers after the quote:
        // `“X.” False. …` is a leading rebuttal.
        if let Some(open) = body.first() {
            if matches!(text(open), "\"" | "“" | "«" | "„") {
                if let Some(close) = body[1..]
                    .iter()
                    .position(|w| matches!(text(w), "\"" | "”" | "»" | "“"))
                {
                    body = &body[close + 2..];
                }
            }
        }
        let first = body.iter().find(|w| w.is(ALNUM)).map_or("", text);
        let (mut contradiction, mut agreement, mut hedge) = (0, 0, 0);
        for w in words {
            contradiction += usize::from(w.is(IN_CONTRADICTION));
            agreement += usize::from(w.is(IN_AGREEMENT));
            hedge += usize::from(w.is(IN_HEDGE));
        }
        let reply = [
            f64::from(REBUTTAL_START.contains(&first)),
            ln1p(contradiction),
            ln1p(agreement),
            f64::from(AGREE_START.contains(&first)),
            f64::from(raw.contains('?')),
            f64::from(WH.contains(&first)),
            ln1p(hedge),
            f64::from(address),
        ];
        trigrams_into(&hashes, &mut tri);
        PairSide {
            trigrams: tri,
            hashes,
            distinct,
            reply,
            question: raw.contains('?'),
            empty: raw.trim().is_empty(),
        }
    }
}

/// The pair features ([`NAMES`]) of a reply and its parent, appended to `out`.
pub fn from_sides(r: &PairSide, p: &PairSide, out: &mut Vec<f64>) {
    let (rs, ps) = (&r.distinct, &p.distinct);
    let inter = {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < rs.len() && j < ps.len() {
            match rs[i].cmp(&ps[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    };
    let union = rs.len() + ps.len() - inter;
    let quote = quote(&r.hashes, &r.trigrams, &p.hashes, &p.trigrams);
    let [rebuttal, contradiction, agreement, agree_start, question, wh, hedge, address] = r.reply;
    out.extend([
        if union > 0 {
            inter as f64 / union as f64
        } else {
            0.0
        },
        if rs.is_empty() {
            0.0
        } else {
            inter as f64 / rs.len() as f64
        },
        if quote >= QUOTE_MIN { ln1p(quote) } else { 0.0 },
        rebuttal,
        contradiction,
        agreement,
        agree_start,
        question,
        wh,
        hedge,
        address,
        ((1.0 + r.hashes.len() as f64) / (1.0 + p.hashes.len() as f64)).ln(),
        f64::from(p.question),
        f64::from(p.empty),
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(v: &[f64], name: &str) -> f64 {
        v[NAMES.iter().position(|n| *n == name).unwrap()]
    }

    fn pair(reply: &str, parent: &str) -> Vec<f64> {
        let f = crate::features::tests::tiny();
        let mut out = Vec::new();
        compute(&f, reply, parent, &mut out);
        assert_eq!(out.len(), NAMES.len());
        out
    }

    proptest::proptest! {
        /// The trigram prefilter never changes the quote feature: small
        /// alphabets make shared runs of every length common.
        #[test]
        fn quote_run_is_the_longest_shared_run_of_three_or_more(
            a in proptest::collection::vec(0u64..4, 0..60),
            b in proptest::collection::vec(0u64..4, 0..60),
        ) {
            let run = longest_common_run(&a, &b);
            let got = quote(&a, &trigrams(&a), &b, &trigrams(&b));
            proptest::prop_assert_eq!(got, if run >= QUOTE_MIN { run } else { 0 });
        }

        /// Past the cap only the first words count, as in the DP over the
        /// capped texts.
        #[test]
        fn quote_runs_stop_at_the_cap(
            a in proptest::collection::vec(0u64..3, 390..420),
            b in proptest::collection::vec(0u64..3, 390..420),
        ) {
            let cap = |v: &[u64]| v[..v.len().min(QUOTE_CAP)].to_vec();
            let run = longest_common_run(&cap(&a), &cap(&b));
            let got = quote(&a, &trigrams(&a), &b, &trigrams(&b));
            proptest::prop_assert_eq!(got, if run >= QUOTE_MIN { run } else { 0 });
        }
    }

    #[test]
    fn lexicon_counts_match_the_word_lists() {
        for (set, flag) in [
            (CONTRADICTION, IN_CONTRADICTION),
            (AGREEMENT, IN_AGREEMENT),
            (HEDGE, IN_HEDGE),
        ] {
            for &w in set {
                assert!(lexicon_flags(word_hash(w), w) & flag != 0, "{w}");
            }
        }
        assert_eq!(lexicon_flags(word_hash("wrong"), "wrong"), IN_CONTRADICTION);
        assert_eq!(lexicon_flags(word_hash("cat"), "cat"), 0);
        // A hash that matches but a different word: not counted.
        assert_eq!(lexicon_flags(word_hash("wrong"), "right"), 0);
    }

    #[test]
    fn quote_then_rebut() {
        let v = pair(
            "\"the bridge was closed by the police\" False. It was open all day.",
            "BREAKING: the bridge was closed by the police this morning",
        );
        assert!(
            (get(&v, "pair_quote_run") - 7f64.ln_1p()).abs() < 1e-9,
            "{v:?}"
        );
        assert_eq!(get(&v, "pair_contradiction_log"), 1f64.ln_1p());
        assert!(get(&v, "pair_overlap") > 0.3);
        // The rebuttal comes right after the quote.
        assert_eq!(get(&v, "pair_leading_rebuttal"), 1.0, "{v:?}");
        let v = pair(
            "“Sunni locals have proven they are not capable.”\n\nFalse. They have beaten ISIS before.",
            "Sunni locals have proven they are not capable or willing to fight ISIS.",
        );
        assert_eq!(get(&v, "pair_leading_rebuttal"), 1.0, "{v:?}");
        // An unclosed quote is not skipped.
        let v = pair("\"the bridge is open. false", "x");
        assert_eq!(get(&v, "pair_leading_rebuttal"), 0.0, "{v:?}");
    }

    #[test]
    fn leading_rebuttal_and_question() {
        let v = pair(
            "No, that's wrong. Where is your source?",
            "They closed the bridge.",
        );
        assert_eq!(get(&v, "pair_leading_rebuttal"), 1.0);
        assert_eq!(get(&v, "pair_question"), 1.0);
        assert_eq!(
            get(&v, "pair_address"),
            0.0,
            "\"no,\" is a rebuttal, not a name"
        );
        let v = pair("Is this confirmed?", "They closed the bridge.");
        assert_eq!(get(&v, "pair_wh_start"), 1.0);
        assert_eq!(get(&v, "pair_leading_rebuttal"), 0.0);
    }

    #[test]
    fn agreement() {
        let v = pair("Exactly, well said. I agree.", "Cycling lanes save lives.");
        assert_eq!(get(&v, "pair_leading_agreement"), 1.0);
        assert_eq!(
            get(&v, "pair_agreement_log"),
            3f64.ln_1p(),
            "exactly, well, agree"
        );
    }

    #[test]
    fn address_by_name_and_mention() {
        let v = pair(
            "gunny, you have no idea what you're talking about",
            "I served 20 years.",
        );
        assert_eq!(get(&v, "pair_address"), 1.0);
        let v = pair("@bob false", "x");
        assert_eq!(get(&v, "pair_address"), 1.0);
        assert_eq!(
            get(&v, "pair_leading_rebuttal"),
            1.0,
            "first word after the mention"
        );
    }

    #[test]
    fn empty_parent() {
        let v = pair("hello", "");
        assert_eq!(get(&v, "pair_parent_empty"), 1.0);
        assert_eq!(get(&v, "pair_overlap"), 0.0);
    }
}

//! Pair features for stance: how a reply relates to the post it answers.
//!
//! Signals: quoting the parent (a run of its words repeated in the reply),
//! word overlap, a leading rebuttal (`False.`, `no,`, `wrong`) and
//! contradiction words, agreement words, question forms, hedges, address
//! (`@name`, `gunny,` at the start), and the length ratio. All are computed
//! on normalised text, so `FALSE!!!` and `false` agree.

use super::tokens::bert_split;
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

fn words(norm: &str) -> Vec<&str> {
    bert_split(norm).collect()
}

fn ln1p(x: usize) -> f64 {
    (x as f64).ln_1p()
}

/// A word as a 64-bit hash: the overlap and the quote run compare words
/// many times (the quote run pairwise), and integers compare faster than
/// strings (a collision needs two different words among ~10^3 to share 64
/// bits).
fn word_hash(w: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(w.as_bytes())
}

/// Longest run of consecutive reply words that also occurs, in order, in
/// the parent (a quote). Quadratic in the shorter text; both are capped.
fn longest_common_run(a: &[u64], b: &[u64]) -> usize {
    const CAP: usize = 400;
    let (a, b) = (&a[..a.len().min(CAP)], &b[..b.len().min(CAP)]);
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
    let r = words(r_norm);
    let p = words(p_norm);
    let is_word = |w: &&&str| w.chars().any(char::is_alphanumeric);
    let rh: Vec<u64> = r.iter().map(|w| word_hash(w)).collect();
    let ph: Vec<u64> = p.iter().map(|w| word_hash(w)).collect();
    // Distinct words of each side as sorted lists; overlap by a merge walk.
    fn distinct(w: &[&str], h: &[u64]) -> Vec<u64> {
        let mut v: Vec<u64> = w
            .iter()
            .zip(h)
            .filter(|(x, _)| x.chars().any(char::is_alphanumeric))
            .map(|(_, &h)| h)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    let rs = distinct(&r, &rh);
    let ps = distinct(&p, &ph);
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
    // Skip a leading @user / name-comma address when looking at the first word.
    let mut body: &[&str] = &r;
    let mut address = false;
    while let Some(first) = body.first() {
        if *first == "@" || *first == "@user" || *first == "user" {
            address = true;
            body = &body[1..];
        } else {
            break;
        }
    }
    if body.len() >= 2
        && body[1] == ","
        && body[0].chars().all(char::is_alphabetic)
        && !REBUTTAL_START.contains(&body[0])
        && !AGREE_START.contains(&body[0])
    {
        address = true;
        body = &body[2..];
    }
    // A reply that opens by quoting ("…" / “…”) answers after the quote:
    // `“X.” False. …` is a leading rebuttal.
    if let Some(open) = body.first() {
        if matches!(*open, "\"" | "“" | "«" | "„") {
            if let Some(close) = body[1..]
                .iter()
                .position(|w| matches!(*w, "\"" | "”" | "»" | "“"))
            {
                body = &body[close + 2..];
            }
        }
    }
    let first = body.iter().find(|w| is_word(w)).copied().unwrap_or("");
    let count = |set: &[&str]| r.iter().filter(|w| set.contains(w)).count();
    let quote = longest_common_run(&rh, &ph);
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
        if quote >= 3 { ln1p(quote) } else { 0.0 },
        f64::from(REBUTTAL_START.contains(&first)),
        ln1p(count(CONTRADICTION)),
        ln1p(count(AGREEMENT)),
        f64::from(AGREE_START.contains(&first)),
        f64::from(reply.contains('?')),
        f64::from(WH.contains(&first)),
        ln1p(count(HEDGE)),
        f64::from(address),
        ((1.0 + r.len() as f64) / (1.0 + p.len() as f64)).ln(),
        f64::from(parent.contains('?')),
        f64::from(parent.trim().is_empty()),
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

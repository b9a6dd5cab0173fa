#!/usr/bin/env python3
"""Does the IDENTITY_ATTACK head stop flagging comments that speak *well* of a group if it also learns
from the training set's own hate rows with their hostile words swapped for positive ones, labelled 0?
(2026-12-05; answer in models/MODEL_CARD.md, "Attribute heads", "Positive mentions".)

    python3 research/positive_mentions_augment.py VARIANT...

The identity-attack data names a group almost only to attack it, so the head learned the group's
name and the sentence shapes around it ("X are ...") as the attack. A counterfactual row keeps the
group and the shape and changes only what is said of the group: each hostile word (sentiment
lexicon -1 or lower) becomes a positive word chosen by a hash of the row id. Rows are taken only
when the swap can make the text benign: 3-25 words, a group named, no slur or swear word (the
abusive-word lexicon's offensive or profane rating 2 or more: a slur stays an attack whatever else
is said), no call to act against the group (deport, exterminate, ...), and at least one word
swapped.

VARIANT is FRACTION[:WORDS]: the share of each identity-attack train file's swappable hate rows
(seeded sample) that are also written swapped, as label-0 rows appended to the same file (so they
share its weight under --balance-files); WORDS is `train` (default) or `held` (the validation
words: a ceiling). FRACTION 0 is the shipped recipe. Every variant starts from the shipped recipe:
the counter-speech rows (all 207 frames) and the civil group mentions of
scripts/identity_negatives_data.py.

Validation, as research/counter_speech_augment.py: each train file split 75/25 by a hash of its
thread (or id); each file's validation ROC AUC and the same with the held-out civil group mentions
added (+civ); and
- `flip auc`: the validation split's swappable hate rows (label 1) beside the same rows swapped with
  the HELD words (never trained on) as label 0;
- `pos civ flagged`: the held-out civil group mentions (c3, Reddit, GitHub) that contain a word the
  sentiment lexicon rates +2 or more: real comments that speak well of something while naming a
  group, how many the head flags at its threshold.

The rule, written before the first run: among the variants whose per-file validation AUC is within
0.02 of FRACTION 0's and whose mean+civ is at most 0.005 lower, the one with the fewest `pos civ
flagged`, kept only if that is at least 10% fewer than FRACTION 0's and its flip auc is lower.
The word lists were written from what praise of a group is, before looking at any case of
tests/functional/.
"""
import json, os, random, re, subprocess, sys, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_choice import B, IA, TMP, auc, flagged, split_train, train_head, positive, report, write  # noqa: E402
from identity_negatives_data import FRAMES, NAMES, VALENCE, civil_group_mentions, counter_speech, quotable  # noqa: E402
from counter_speech_augment import SLURS  # noqa: E402

TRAIN_WORDS = [
    "wonderful", "kind", "brilliant", "generous", "welcome", "great", "honest", "talented", "friendly",
    "hardworking", "admirable", "beautiful", "caring", "smart", "respected", "valued", "loved", "helpful",
    "inspiring", "gifted", "wise", "warm", "peaceful", "decent", "good", "lovely", "amazing", "remarkable",
    "courageous", "creative", "thoughtful", "trustworthy", "excellent", "fantastic", "proud", "strong",
    "gentle", "charming", "delightful", "appreciated",
]
HELD_WORDS = ["awesome", "marvelous", "compassionate", "splendid", "terrific", "heroic", "cherished", "superb"]
ACTS = re.compile(r"\b(deport\w*|exterminat\w*|extermination|genocide|gas(?:sed)?|hang(?:ed)?|lynch\w*|shoot|burn"
                  r"|wipe(?:d)? out|eliminat\w*|get rid|go back|send them|kick (?:them|all)|ban(?:ned)?|kill\w*"
                  r"|die|rope|oven)\b", re.I)
WORD = re.compile(r"[A-Za-z']+")


def swapped(row, words):
    """The row's text with each hostile word replaced by one of WORDS, or None (see the module)."""
    t = quotable(row[3])
    if t is None or len(t.split()) > 25 or not NAMES.search(t) or ACTS.search(t):
        return None
    low = [w.lower() for w in WORD.findall(t)]
    if any(w in SLURS for w in low):
        return None
    n = 0

    def sub(m):
        nonlocal n
        if VALENCE.get(m.group(0).lower(), 0.0) > -1:
            return m.group(0)
        n += 1
        return words[zlib.crc32(f"{row[0]}#{n}".encode()) % len(words)]

    out = WORD.sub(sub, t)
    return out if n else None


def swaps(rows, words, fraction, seed, tag):
    hate = [r for r in rows if r[5] == "1" and swapped(r, words)]
    pick = random.Random(seed).sample(hate, int(len(hate) * fraction)) if fraction < 1 else hate
    return [[f"{tag}_{r[0]}", f"{tag}_{r[1]}", "", swapped(r, words), "", "0"] for r in pick]


def main():
    parts = list(civil_group_mentions(B))
    civ_va = [r for s, r in parts if s == "held"]
    civ_tr = [r for s, r in parts if s == "train"]
    pos_civ = write(os.path.join(TMP, "pos_civ.csv"), [r for r in civ_va if positive(r[3])])
    tr, va = split_train()
    va_files = {t: write(os.path.join(TMP, f"{t}_va.csv"), va[t]) for t in IA}
    fl_pos = [r for t in IA for r in va[t] if r[5] == "1" and swapped(r, HELD_WORDS)]
    fl_neg = [x for t in IA for x in swaps(va[t], HELD_WORDS, 1.0, 0, "fl")]
    fl_file = write(os.path.join(TMP, "fl.csv"), fl_pos + fl_neg)
    fl_neg_file = write(os.path.join(TMP, "fl_neg.csv"), fl_neg)
    print(f"validation: {len(fl_neg)} swapped hate rows, {sum(1 for _ in open(pos_civ)) - 1} positive civil mentions",
          flush=True)
    for spec in sys.argv[1:]:
        frac, *rest = spec.split(":")
        words = {"train": TRAIN_WORDS, "held": HELD_WORDS}[(rest or ["train"])[0]]
        data, added = [], 0
        for i, t in enumerate(IA):
            extra = counter_speech(tr[t], FRAMES, "cs")
            if float(frac) > 0:
                sw = swaps(tr[t], words, float(frac), i + 1, "sw")
                added += len(sw)
                extra += sw
            rows = tr[t] + extra + (civ_tr if t == "olid" else [])
            data.append(write(os.path.join(TMP, f"{t}_tr.csv"), rows))
        m = train_head(data, os.path.join(TMP, "m.json"))
        out = report(m, va_files, civ_va)
        out["flip auc"] = auc(m, fl_file)
        out["flip flagged"] = flagged(m, fl_neg_file)
        out["pos civ flagged"] = flagged(m, pos_civ)
        out["threshold"] = round(json.load(open(m))["threshold"], 3)
        print(spec, added, json.dumps(out), flush=True)
        if os.environ.get("KEEP"):
            subprocess.run(["cp", m, os.environ["KEEP"] + f".{spec.replace(':', '_')}.json"], check=True)


if __name__ == "__main__":
    main()

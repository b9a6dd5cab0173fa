#!/usr/bin/env python3
"""Does the IDENTITY_ATTACK head stop flagging counter-speech (a comment that quotes hate to condemn
it) if it also learns from the training set's own hate rows, quoted inside condemning frames and
labelled 0? (2026-12-04; answer in models/MODEL_CARD.md, "Attribute heads", "Counter-speech": all
hate rows, all 207 frames; shipped.)

    python3 research/counter_speech_augment.py VARIANT...

VARIANT is FRACTION[:FRAMES[:neg]]: the share of each identity-attack train file's hate rows
(seeded sample) that are also written, quoted inside one of FRAMES (`train`: the first 12 frames of
scripts/identity_negatives_data.py, the default; `train6`: 6 of them; `combo`: the other 195;
`both`: all 207, as shipped; `held`: the held-out frames below, a ceiling),
as a label-0 row appended to the same file (so they share its weight under --balance-files;
`nobal` trains without --balance-files, every row weighing the same; `sqrt` cuts Davidson's file in
4 and OLID's in 3, so each source weighs about as the square root of its rows; `csown` writes the
added rows to a file of their own instead, weighed apart from their source, `csownN` to N files);
FRACTION 0 is the recipe without counter-speech; `neg` also appends every hate row with its first
`are/is/was/were` or `I/we hate` negated (one clause, no slur or swear word). Every variant also appends the civil group mentions that
scripts/identity_negatives_data.py appends to OLID's file, as the shipped head does.

Validation, as research/identity_negatives_choice.py: each train file split 75/25 by a hash of its
thread (or id); each file's validation ROC AUC and the same with the held-out civil group mentions
added (+civ). And counter-speech: the validation split's hate rows, each quoted inside one of the
HELD frames (never trained on: other words, other shapes) as label 0, beside the same rows as they
are (label 1): `cs auc` (does a hateful text rank above the same text quoted to condemn it?) and
`cs flagged` (how many of the quoted ones the head flags at its threshold). The frames were written
from what counter-speech is, before looking at any case of tests/functional/.
"""
import csv, json, os, random, re, subprocess, sys, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_choice import B, IA, TMP, auc, flagged, split_train, train_head, report, write  # noqa: E402
from identity_negatives_data import FRAMES, civil_group_mentions, counter_speech, quotable  # noqa: E402

TRAIN, COMBO = FRAMES[:12], FRAMES[12:]  # the 12 written first; 12 lead-ins x 15 condemnations, and 15 alone
HELD = [
    'When I read "{q}" I felt sick. We have to speak up against this.',
    'Saying "{q}" does not make you brave, it makes you a bigot.',
    'This account tweeted "{q}" and got suspended, as it should.',
    '"{q}"? Seriously? That is hateful and you know it.',
    'Kids repeat "{q}" at school and teachers have to explain why it is wrong.',
    'I am tired of seeing posts like "{q}". Stop spreading hate.',
]
def load_slurs(path=os.path.join(ROOT, "models", "lexicon.csv")):
    """Words the abusive-word lexicon rates 2 or more as offensive or profane (slurs, swearing)."""
    with open(path, encoding="utf-8") as f:
        return {r["word"].lower() for r in csv.DictReader(f) if max(int(r["offensive"] or 0), int(r["profane"] or 0)) >= 2}


SLURS = load_slurs()
COPULA = re.compile(r"\b(are|is|was|were)\b", re.I)
HATE_VERB = re.compile(r"\b(i|we)\s+(hate|despise|detest|loathe)\b", re.I)


def negated(text):
    """The text with its first `are/is/was/were` or `I/we hate` negated, or None (no such verb, more
    than one sentence or 15 words, a slur or swear word in it, or not quotable)."""
    t = quotable(text)
    if t is None or len(t.split()) > 15 or re.search(r"[.!?]\s+\S", t) or any(w in SLURS for w in re.findall(r"[a-z']+", t.lower())):
        return None
    m = HATE_VERB.search(t) or COPULA.search(t)
    if m is None or not one_clause(t[m.end():]):
        return None
    if m.re is HATE_VERB:
        return t[:m.start()] + f"{m.group(1)} don't {m.group(2)}" + t[m.end():]
    return t[:m.end()] + " not" + t[m.end():]


def one_clause(rest):
    """The words after the negated verb: at most 8, with no second clause that the negation would
    not reach."""
    rest = rest.strip().rstrip(".!? ")
    return len(rest.split()) <= 8 and not re.search(r"[.,;:!?]|\b(and|but|because|or|who|that|should|must|need)\b",
                                                      rest, re.I)


def negations(rows, fraction, seed, tag):
    hate = [r for r in rows if r[5] == "1" and negated(r[3])]
    pick = random.Random(seed).sample(hate, int(len(hate) * fraction)) if fraction < 1 else hate
    return [[f"{tag}_{r[0]}", f"{tag}_{r[1]}", "", negated(r[3]), "", "0"] for r in pick]


def framed(rows, frames, fraction, seed, tag):
    """Label-0 rows: a seeded FRACTION of the quotable hate rows, each quoted in a frame chosen by
    hash (scripts/identity_negatives_data.py's counter_speech)."""
    hate = [r for r in rows if r[5] == "1" and quotable(r[3])]
    pick = random.Random(seed).sample(hate, int(len(hate) * fraction)) if fraction < 1 else hate
    return counter_speech(pick, frames, tag)


def main():
    parts = list(civil_group_mentions(B))
    civ_va = [r for s, r in parts if s == "held"]
    civ_tr = [r for s, r in parts if s == "train"]
    tr, va = split_train()
    va_files = {t: write(os.path.join(TMP, f"{t}_va.csv"), va[t]) for t in IA}
    cs_pos = [r for t in IA for r in va[t] if r[5] == "1" and quotable(r[3])]
    cs_neg = [x for t in IA for x in framed(va[t], HELD, 1.0, 0, "cs")]
    cs_file = write(os.path.join(TMP, "cs.csv"), cs_pos + cs_neg)
    cs_neg_file = write(os.path.join(TMP, "cs_neg.csv"), cs_neg)
    ng_pos = [r for t in IA for r in va[t] if r[5] == "1" and negated(r[3])]
    ng_neg = [x for t in IA for x in negations(va[t], 1.0, 0, "ng")]
    ng_file = write(os.path.join(TMP, "ng.csv"), ng_pos + ng_neg)
    ng_neg_file = write(os.path.join(TMP, "ng_neg.csv"), ng_neg)
    for spec in sys.argv[1:]:
        frac, *rest = spec.split(":")
        frames = {"train": TRAIN, "held": HELD, "train6": TRAIN[:6], "combo": COMBO, "both": TRAIN + COMBO}[(rest or ["train"])[0]]
        data, added, own = [], 0, []
        for i, t in enumerate(IA):
            extra = framed(tr[t], frames, float(frac), i + 1, "cs") if float(frac) > 0 else []
            if "neg" in rest:
                extra += negations(tr[t], 1.0, 0, "ng")
            added += len(extra)
            # `csown`: the added rows in a file of their own, weighed apart from their source.
            if any(x.startswith("csown") for x in rest):
                own += extra
                extra = []
            rows = tr[t] + extra + (civ_tr if t == "olid" else [])
            # `sqrt`: each file cut into parts by a hash of the row id (Davidson 4, OLID 3, Fox 1),
            # so that under --balance-files each source weighs about as the square root of its rows.
            parts = {"davidson": 4, "olid": 3, "fox": 1}[t] if "sqrt" in rest else 1
            for k in range(parts):
                part = [r for r in rows if zlib.crc32(r[0].encode()) % parts == k]
                data.append(write(os.path.join(TMP, f"{t}_tr{k}.csv"), part))
        if own:
            # `csownN`: cut in N files, so that under --balance-files they weigh N parts.
            n_own = int(next(x for x in rest if x.startswith("csown"))[5:] or 1)
            for k in range(n_own):
                data.append(write(os.path.join(TMP, f"own_tr{k}.csv"), own[k::n_own]))
        m = train_head(data, os.path.join(TMP, "m.json"), balance="nobal" not in rest)
        out = report(m, va_files, civ_va)
        out["cs auc"] = auc(m, cs_file)
        out["cs flagged"] = flagged(m, cs_neg_file)
        out["neg auc"] = auc(m, ng_file)
        out["neg flagged"] = flagged(m, ng_neg_file)
        out["hate flagged"] = flagged(m, write(os.path.join(TMP, "cs_pos.csv"), cs_pos))
        print(spec, added, json.dumps(out), flush=True)
        if os.environ.get("KEEP"):
            subprocess.run(["cp", m, os.environ["KEEP"] + f".{spec.replace(':', '_')}.json"], check=True)


if __name__ == "__main__":
    main()

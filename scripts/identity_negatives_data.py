#!/usr/bin/env python3
"""Write the identity-attack head's three training files, with civil comments that name a group and
counter-speech added, and the held-out civil comments that check the head's false flags (model
card, "Attribute heads").

    python3 scripts/identity_negatives_data.py ../shared target/identity_attack \
        [--held-out target/civil_group_mentions_heldout.csv] [--check-model models/identity_attack.json]

writes identity_attack_olid.csv, identity_attack_davidson.csv and identity_attack_fox.csv into the
folder: each task's train rows (attr_identity_attack_*), with label-0 rows appended.

Civil group mentions (OLID's file only).
The identity-attack data (OLID level C = GRP, Davidson's hate class, Fox News hate) names a group
almost only to attack it, so a head trained on it alone flags "Muslims celebrate Eid today" as
readily as hate. The label-0 (civil) rows of the c3_toxic, reddit_incivility and gh_incivility
train splits that name a group (GROUPS below) are split by a hash of task and id: a quarter is held
out (written with --held-out, never trained on); of the rest, those with a word that the sentiment
lexicon (models/sentiment.txt) rates -2 or lower (civil comments that discuss hate, crime or insults
while naming a group: the hard cases) are appended to OLID's identity-attack train rows, so they
share OLID's weight under `train --balance-files`. So are the single sentences that name a group of
every civil comment not held out (3 words or more; `group_sentences`): a short text that names a
group is read almost by the name alone, and whole comments (median 85 words) do not teach the head
that a short civil sentence naming a group is civil (research/civil_sentences.py).

Counter-speech (every file). The data's hate is almost never quoted in order to condemn it, so the
head flags "Someone wrote '<hate>'. Reported." as hate. Each of the file's own hate rows (label 1)
of 3 to 40 words, with handles, links, RT and quote marks taken out, is also written quoted inside a
condemning frame (FRAMES, one chosen by a hash of the row id) as a label-0 row of the same file.
The frames were written from what counter-speech is, not from any test case.

Train splits only: no test row of any task is read. Deterministic: the same inputs write the same
bytes; --check-model fails (exit 1) unless each written file is, byte for byte, one the model
records among its training files (by name and SHA-256).
"""
import argparse
import csv
import hashlib
import json
import os
import re
import sys
import zlib

GROUPS = (r"muslims?|islam\w*|jews?|jewish|christians?|catholics?|hindus?|blacks?|black (?:people|men|women|folks)"
          r"|whites?|white (?:people|men|women)|asians?|chinese|mexicans?|latinos?|latinas?|hispanics?|arabs?"
          r"|africans?|immigrants?|refugees?|migrants?|gays?|lesbians?|bisexual|transgender|trans (?:people|women|men)"
          r"|queer|lgbt\w*|homosexuals?|women|woman|feminists?|disabled|native americans?|indigenous|aboriginals?"
          r"|first nations")
SOURCES = ("c3_toxic", "reddit_incivility", "gh_incivility")
HEADER = ["id", "thread_id", "parent_id", "text", "parent_text", "label"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A listed group's name as a whole word, in any case.
NAMES = re.compile(r"\b(?:" + GROUPS + r")\b", re.I)


def load_valence(path=os.path.join(ROOT, "models", "sentiment.txt")):
    """word -> rating (-4..+4) of the sentiment lexicon the models read (VADER's, tab-separated)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\r\n").split("\t")
            try:
                out[p[0].lower()] = float(p[1])
            except (IndexError, ValueError):
                pass
    return out


VALENCE = load_valence()


def load_lexicon(path=os.path.join(ROOT, "models", "lexicon.csv")):
    """The words of the abusive-word list (models/lexicon.csv) rated 1 or more in any category."""
    with open(path, encoding="utf-8") as f:
        return {r["word"].lower() for r in csv.DictReader(f)
                if max(int(r[k] or 0) for k in ("profane", "offensive", "sexual", "mean")) >= 1}


def hostile(text):
    """Whether a word of the text is rated -2 or lower in the sentiment lexicon."""
    return any(VALENCE.get(w, 0.0) <= -2 for w in re.findall(r"[a-z']+", text.lower()))


def split(task, row_id, text):
    """'held' for a quarter of the rows (by hash), 'train' for the rest that have a hostile word,
    else None."""
    if zlib.crc32(f"{task}{row_id}".encode()) % 4 == 0:
        return "held"
    return "train" if hostile(text) else None


# Frames that quote a hateful text ({q}) to condemn it. Written for this file; never tuned on any
# functional case.
FRAMES = [
    '"{q}" Wow. Comments like this are exactly why this site needs moderation.',
    'Someone actually posted "{q}". That is disgusting and it is hate, plain and simple.',
    'I can\'t believe people still write "{q}" in this day and age. Shameful.',
    'Reporting this. "{q}" is bigotry and has no place here.',
    'If you think "{q}" is an acceptable thing to say, take a hard look at yourself.',
    'My uncle said "{q}" at dinner and I told him that was racist and not ok.',
    'Please stop sharing stuff like "{q}". It hurts real people.',
    '"{q}" -- this is the kind of hateful garbage we should all call out.',
    'Nobody should ever have to read "{q}" on a public forum.',
    'The comment "{q}" was rightly removed. Hate speech is not welcome.',
    'Imagine thinking "{q}" is a reasonable opinion. It is not.',
    'Posting it so everyone sees what we are up against: "{q}". Unacceptable.',
]
LEADS = [
    'Someone wrote', 'Saw this today:', 'A guy at work said', 'This was posted under the article:',
    'My feed is full of stuff like', 'Overheard on the bus:', 'The top reply says', 'I just got a message saying',
    'From the comments section:', 'He literally tweeted', 'People keep posting', 'A candidate actually said',
]
CONDEMNS = [
    'That is disgusting.', 'This is hate speech and it should be removed.', 'Not ok, ever.', 'Reported.',
    'How is this allowed?', 'Shame on whoever wrote it.', 'This kind of bigotry hurts real people.',
    'We need to call this out every time.', 'Absolutely vile, and I am blocking them.', 'That is racist, full stop.',
    'No one deserves to be talked about like that.', 'I am done with people who think like this.',
    'This is why minorities do not feel safe here.', 'Words like these lead to violence.',
    'Please do not repeat this garbage.',
]
FRAMES += [f'{lead} "{{q}}" {c}' for lead in LEADS for c in CONDEMNS] + [f'{c} "{{q}}"' for c in CONDEMNS]
STRIP = re.compile(r"@\w+|\bURL\b|https?://\S+|\bRT\b|&amp;|&lt;|&gt;|&#\d+;|\"", re.I)
IA_TASKS = ("olid", "davidson", "fox")


def quotable(text):
    """The text with handles, links, RT and quote marks taken out, or None if under 3 or over 40
    words."""
    t = " ".join(STRIP.sub(" ", text).replace(":", " ").split()).strip()
    return t if 3 <= len(t.split()) <= 40 else None


def counter_speech(rows, frames=FRAMES, tag="cs"):
    """A label-0 row for each quotable hate row (label 1) of ROWS ([id, thread_id, parent_id, text,
    parent_text, label]): its text quoted in a frame chosen by a hash of its id."""
    out = []
    for r in rows:
        q = quotable(r[3]) if r[5] == "1" else None
        if q is not None:
            f = frames[zlib.crc32(r[0].encode()) % len(frames)]
            out.append([f"{tag}_{r[0]}", f"{tag}_{r[1]}", "", f.replace("{q}", q), "", "0"])
    return out


def civil_group_mentions(tasks_dir):
    """(split, row) for every civil train row of SOURCES that names a group, in file order."""
    for task in SOURCES:
        path = os.path.join(tasks_dir, task, "train.csv")
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["label"] == "0" and NAMES.search(row["text"]):
                    row_out = [f"{task}_{row['id']}", row["thread_id"], row["parent_id"], row["text"], "", "0"]
                    yield split(task, row["id"], row["text"]), row_out


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def group_sentences(rows, label="0", min_sentences=1):
    """Each sentence (3 words or more) that names a group of the ROWS of MIN_SENTENCES sentences or
    more, as a row of its own labelled LABEL (id `<row id>_s<k>`, the row's thread)."""
    out = []
    for r in rows:
        parts = SENTENCE_END.split(r[3])
        if len(parts) < min_sentences:
            continue
        out += [[f"{r[0]}_s{k}", r[1], "", s.strip(), "", label] for k, s in enumerate(parts)
                if NAMES.search(s) and len(s.split()) >= 3]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shared", help="the shared folder (holds bench/tasks)")
    ap.add_argument("output", help="folder for identity_attack_{olid,davidson,fox}.csv (made if missing)")
    ap.add_argument("--held-out", help="also write the held-out civil rows here")
    ap.add_argument("--check-model", help="a model file that should have been trained on these files")
    a = ap.parse_args(argv)
    tasks = os.path.join(a.shared, "bench", "tasks")
    csv.field_size_limit(1 << 30)
    os.makedirs(a.output, exist_ok=True)
    parts = list(civil_group_mentions(tasks))
    civil = [row for part, row in parts if part == "train"]
    sentences = group_sentences([row for part, row in parts if part != "held"])
    held_rows = [row for part, row in parts if part == "held"]
    written = []
    for t in IA_TASKS:
        with open(os.path.join(tasks, f"attr_identity_attack_{t}", "train.csv"), newline="", encoding="utf-8") as f:
            rows = [[row.get(c, "") for c in HEADER] for row in csv.DictReader(f)]
        extra = counter_speech(rows) + (civil + sentences if t == "olid" else [])
        path = os.path.join(a.output, f"identity_attack_{t}.csv")
        with open(path, "w", newline="", encoding="utf-8") as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(rows + extra)
        written.append(path)
        civ = f", {len(civil)} civil group mentions, {len(sentences)} single sentences" if t == "olid" else ""
        print(f"{path}: {len(rows)} rows + {len(extra)} label-0 "
              f"({len(extra) - (len(civil) + len(sentences) if t == 'olid' else 0)} counter-speech{civ})",
              file=sys.stderr)
    if a.held_out:
        with open(a.held_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(held_rows)
        print(f"{a.held_out}: {len(held_rows)} civil group mentions held out", file=sys.stderr)
    if a.check_model:
        with open(a.check_model, encoding="utf-8") as f:
            recorded = {os.path.basename(d["file"]): d["sha256"] for d in json.load(f)["training"]["data"]}
        bad = 0
        for path in written:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            name = os.path.basename(path)
            if recorded.get(name) != digest:
                print(f"{a.check_model} was not trained on this {name} (sha256 {digest}; "
                      f"recorded {recorded.get(name, 'no such file')})", file=sys.stderr)
                bad += 1
        if bad:
            sys.exit(1)
        print(f"{a.check_model} was trained on these {len(written)} files", file=sys.stderr)


if __name__ == "__main__":
    main()

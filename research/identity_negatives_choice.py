#!/usr/bin/env python3
"""How many civil group mentions should the IDENTITY_ATTACK head learn from, which ones, and with or
without the embedding? (2026-12-04; answer in models/MODEL_CARD.md, "Attribute heads": those with a
word the sentiment lexicon rates -2 or lower, appended to OLID's file, with the embedding, C = 2;
shipped.)

    python3 research/identity_negatives_choice.py VARIANT...        # validation, chooses
    python3 research/identity_negatives_choice.py --test MODEL...   # test splits, reports

VARIANT is SELECTION:INTO:emb|noemb[:C] (C of the n-gram stage, 2 by default). SELECTION of the
civil train rows: a fraction (a seeded sample), `hostile` (a word the sentiment lexicon rates -2 or
lower), `rated` (-2 or lower, or +2 or higher), `script` (the rows scripts/identity_negatives_data.py
appends); INTO = own (a fourth file under --balance-files) or olid/davidson/fox (appended to that
file, sharing its weight). Validation: each identity-attack train file split 75/25 by a hash of its
thread (or id); prints each file's validation ROC AUC, the same with the held-out civil group
mentions (scripts/identity_negatives_data.py's held-out quarter) added as negatives (+civ: does hate
rank above civil mentions from other sites?), and how many of those the head flags at its threshold.
--test: the same on the test splits, with the civil group mentions of c3/reddit/gh *test* splits as
the added negatives.
"""
import csv, json, os, random, re, subprocess, sys, tempfile, zlib
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_data import (FRAMES, HEADER, NAMES, SOURCES, VALENCE,  # noqa: E402
                                     civil_group_mentions, counter_speech, hostile)

csv.field_size_limit(1 << 30)
EXE = os.path.join(ROOT, "target", "release", "threadlens")
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
# The model whose columns and featurizer the heads are trained on (environment VOCAB_OF, else the
# shipped incivility model).
VOCAB_OF = os.environ.get("VOCAB_OF") or os.path.join(ROOT, "models", "incivility.json")
IA = ("olid", "davidson", "fox")
TMP = tempfile.mkdtemp()


def write(path, rows, hdr=HEADER):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(hdr)
        w.writerows(rows)
    return path


def auc(model, data):
    e = subprocess.run([EXE, "-q", "eval", "-m", model, "--data", data], check=True, capture_output=True, text=True)
    return round(json.loads(e.stdout)["roc_auc"], 4)


def flagged(model, data):
    pf = os.path.join(TMP, "p.jsonl")
    subprocess.run([EXE, "-q", "eval", "-m", model, "--data", data, "--predictions", pf], check=True, capture_output=True)
    th = json.load(open(model))["threshold"]
    p = [json.loads(l)["probabilities"]["uncivil"] for l in open(pf)]
    return f"{sum(x >= th for x in p)}/{len(p)}"


def train_head(data, out, balance=True, extra=()):
    """Train an identity-attack head on the DATA files as the shipped one is trained (on the
    incivility model's columns, C = 2, files balanced unless `balance` is false; EXTRA train
    arguments) into OUT; returns OUT."""
    subprocess.run([EXE, "-q", "train", "--vocab-of", VOCAB_OF, "-C", "2", *extra]
                   + (["--balance-files"] if balance else []) + ["--data", *data, "-o", out],
                   check=True, capture_output=True)
    return out


def split_train():
    """Each identity-attack train file split 75/25 by a hash of its thread (or id): ({task: train rows},
    {task: validation rows})."""
    tr, va = {}, {}
    for t in IA:
        rows = rows_of(os.path.join(B, f"attr_identity_attack_{t}", "train.csv"))
        held = [zlib.crc32((t + (r[1] or r[0])).encode()) % 4 == 0 for r in rows]
        tr[t] = [r for r, h in zip(rows, held) if not h]
        va[t] = [r for r, h in zip(rows, held) if h]
    return tr, va


def ia_validation():
    """The IDENTITY_ATTACK validation that research/group_fold.py, identity_penalty.py and
    civil_sentences.py share: (civil group mentions held out, those the recipe trains on (a hostile
    word), the rest, {task: train rows}, {task: validation file}, the validation hate rows that name
    a group)."""
    parts = list(civil_group_mentions(B))
    civ = {k: [r for s, r in parts if s == k] for k in ("held", "train", None)}
    tr, va = split_train()
    va_files = {t: write(os.path.join(TMP, f"{t}_va.csv"), va[t]) for t in IA}
    hate = [r for t in IA for r in va[t] if r[5] == "1" and NAMES.search(r[3])]
    return civ["held"], civ["train"], civ[None], tr, va_files, hate


def recipe_files(tr, civ, olid_extra=()):
    """The identity-attack train files as the recipe of 2026-12-05 afternoon builds them from the
    train rows TR: each task's rows with counter-speech rows, and the civil rows CIV (and
    OLID_EXTRA) appended to OLID's; their paths."""
    return [write(os.path.join(TMP, f"{t}_tr.csv"),
                  tr[t] + counter_speech(tr[t], FRAMES, "cs") + (civ + list(olid_extra) if t == "olid" else []))
            for t in IA]


def rows_of(path):
    return [[r.get(c, "") for c in HEADER] for r in csv.DictReader(open(path, newline=""))]


def report(model, evals, civ):
    out = {t: auc(model, p) for t, p in evals.items()}
    out["mean"] = round(sum(out[t] for t in IA) / 3, 4)
    for t, p in evals.items():
        out[t + "+civ"] = auc(model, write(os.path.join(TMP, f"{t}_civ.csv"), rows_of(p) + civ))
    out["mean+civ"] = round(sum(out[t + "+civ"] for t in IA) / 3, 4)
    out["civil flagged"] = flagged(model, write(os.path.join(TMP, "civ.csv"), civ))
    return out


def positive(text):
    """A word the sentiment lexicon rates +2 or higher."""
    return any(VALENCE.get(w, 0.0) >= 2 for w in re.findall(r"[a-z']+", text.lower()))


def main():
    if sys.argv[1:2] == ["--test"]:
        civ = [[f"{t}_{r['id']}", r["thread_id"], r["parent_id"], r["text"], "", "0"]
               for t in SOURCES for r in csv.DictReader(open(os.path.join(B, t, "test.csv"), newline=""))
               if r["label"] == "0" and NAMES.search(r["text"])]
        evals = {t: os.path.join(B, f"attr_identity_attack_{t}", "test.csv") for t in IA}
        for m in sys.argv[2:]:
            print(m, json.dumps(report(m, evals, civ)), flush=True)
        return
    parts = list(civil_group_mentions(B))
    civ_va = [r for s, r in parts if s == "held"]
    civ_tr = [r for s, r in parts if s != "held"]
    script = {r[0] for s, r in parts if s == "train"}
    tr_rows, va_rows = split_train()
    tr = {t: write(os.path.join(TMP, f"{t}_tr.csv"), tr_rows[t]) for t in IA}
    va = {t: write(os.path.join(TMP, f"{t}_va.csv"), va_rows[t]) for t in IA}
    for spec in sys.argv[1:]:
        frac, into, emb, *c = spec.split(":")
        files = dict(tr)
        if frac == "script":
            extra = [r for r in civ_tr if r[0] in script]
        elif frac == "hostile":
            extra = [r for r in civ_tr if hostile(r[3])]
        elif frac == "rated":
            extra = [r for r in civ_tr if hostile(r[3]) or positive(r[3])]
        else:
            extra = random.Random(1).sample(civ_tr, int(len(civ_tr) * float(frac)))
        data = list(files.values())
        if extra and into == "own":
            data.append(write(os.path.join(TMP, "own.csv"), extra))
        elif extra:
            files[into] = write(os.path.join(TMP, "into.csv"), rows_of(files[into]) + extra)
            data = list(files.values())
        m = os.path.join(TMP, "m.json")
        subprocess.run([EXE, "-q", "train", "--vocab-of", VOCAB_OF, "-C", (c or ["2"])[0],
                        "--balance-files"] + (["--no-embeddings"] if emb == "noemb" else []) + ["--data", *data, "-o", m],
                       check=True, capture_output=True)
        print(spec, len(extra), json.dumps(report(m, va, civ_va)), flush=True)


if __name__ == "__main__":
    main()

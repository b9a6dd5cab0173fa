#!/usr/bin/env python3
"""Is IDENTITY_ATTACK better scored as P(toxic) x P(aimed at a group | toxic) than by one head?
(2026-12-05; answer in models/MODEL_CARD.md, "Attribute heads", "Toxic, then aimed at a group".)

    python3 research/identity_given_toxic.py

The shipped head flags a bare group name ("Muslims" 0.88) and praise of a group: in its training
data a group is named almost only to attack it. The chain rule splits the question in two. Whether
a text is hostile at all is what the incivility model learns from all six sources (52k rows); what
the identity-attack data can teach on its own is which *hostile* texts aim at a group. So the
second factor is a head trained only on the rows the source task labels toxic (OLID level A OFF,
Davidson hate or offensive), with the counter-speech rows (hate quoted to condemn it, label 0) of
scripts/identity_negatives_data.py. Fox News's task labels hate only, so it has no toxic row that
is not an identity attack and gives the second factor nothing to learn; it is left out of that fit.

Validation, as research/identity_negatives_choice.py: each identity-attack train file split 75/25
by a hash of its thread (or id). The incivility model of the product is trained again, with the
shipped command, on the six train splits without those validation rows and without the held-out
civil group mentions, so that its scores on them are out of sample. Printed per variant: each
file's validation ROC AUC, the same with the held-out civil group mentions as extra negatives
(+civ), and counter-speech (validation hate rows beside the same rows quoted in held-out frames).

Variants: `head` (the shipped recipe on the 75%), `tox` (the held-out incivility model alone),
`head*tox^a` for a = 0.25, 0.5, 1, and `cond*tox` (the chain rule above); each also with its
F1-best threshold on the pooled validation rows and what it flags there (hate rows, held-out civil
mentions, hate quoted in held-out frames). TOX=FILE reuses an incivility model trained as above;
KEEP=PREFIX copies the three models to PREFIX.head.json, .tox.json, .cond.json. Needs scikit-learn
(the research venv).
"""
import csv, json, os, subprocess, sys

from sklearn.metrics import roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from identity_negatives_choice import B, EXE, IA, TMP, rows_of, split_train, train_head, write  # noqa: E402
from identity_negatives_data import civil_group_mentions, counter_speech, quotable  # noqa: E402
from counter_speech_augment import HELD, framed  # noqa: E402

BASE = {"olid": "olid_a", "davidson": "davidson", "fox": "fox_news_hate"}
SIX = ("olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate")


def predict(model, data):
    """P per row of DATA, in file order."""
    pf = os.path.join(TMP, "pred.jsonl")
    subprocess.run([EXE, "-q", "eval", "-m", model, "--data", data, "--predictions", pf], check=True, capture_output=True)
    return {json.loads(l)["id"]: json.loads(l)["probabilities"]["uncivil"] for l in open(pf)}


def best_f1(labels, scores):
    """(threshold, F1) of the F1-best threshold, as `train` picks a binary model's (midway between
    the score that reaches it and the next lower one)."""
    order = sorted(zip(scores, labels), reverse=True)
    pos, tp, best = sum(labels), 0, (0.5, 0.0)
    for i, (sc, l) in enumerate(order):
        tp += l
        if i + 1 < len(order) and order[i + 1][0] == sc:
            continue
        f1 = 2 * tp / (i + 1 + pos)
        if f1 > best[1]:
            nxt = order[i + 1][0] if i + 1 < len(order) else 0.0
            best = (round((sc + nxt) / 2, 4), round(f1, 4))
    return best


def holdout_incivility(va, civ_held):
    """The shipped incivility command on the six train splits less the validation rows and the
    held-out civil mentions."""
    drop = {BASE[t]: {r[0] for r in va[t]} for t in IA}
    for r in civ_held:
        task, _, rid = r[0].rpartition("_")
        drop.setdefault(task, set()).add(rid)
    files = []
    for task in SIX:
        rows = [r for r in rows_of(os.path.join(B, task, "train.csv")) if r[0] not in drop.get(task, ())]
        files.append(write(os.path.join(TMP, f"inc_{task}.csv"), rows))
    out = os.path.join(TMP, "incivility.json")
    m = os.path.join(ROOT, "models")
    subprocess.run([EXE, "-q", "train", "--tokenizer", f"{m}/tokenizer.json", "--fold-spelling", "--embeddings",
                    f"{m}/embeddings.json", "--lexicon", "--sentiment", "--data", *files, "-o", out], check=True)
    return out


def main():
    parts = list(civil_group_mentions(B))
    civ_va = [r for s, r in parts if s == "held"]
    civ_tr = [r for s, r in parts if s == "train"]
    tr, va = split_train()
    base = {t: {r["id"]: r["label"] for r in csv.DictReader(open(os.path.join(B, BASE[t], "train.csv")))} for t in IA}
    # Row ids repeat across tasks: each validation row is named by its task.
    named = {t: [[f"{t}_{r[0]}"] + r[1:] for r in va[t]] for t in IA}
    cs_pos = [r for t in IA for r in named[t] if r[5] == "1" and quotable(r[3])]
    cs_neg = [x for t in IA for x in framed(named[t], HELD, 1.0, 0, "cs")]
    evals = {t: named[t] for t in IA}
    evals.update({t + "+civ": named[t] + civ_va for t in IA})
    evals["cs"] = cs_pos + cs_neg
    every = {r[0]: r for rows in evals.values() for r in rows}
    allf = write(os.path.join(TMP, "all_eval.csv"), list(every.values()))

    tox = holdout_incivility(va, civ_va) if not os.environ.get("TOX") else os.environ["TOX"]
    head = train_head([write(os.path.join(TMP, f"h_{t}.csv"), tr[t] + counter_speech(tr[t]) + (civ_tr if t == "olid" else []))
                       for t in IA], os.path.join(TMP, "head.json"))
    cond = train_head([write(os.path.join(TMP, f"c_{t}.csv"), [r for r in tr[t] if base[t][r[0]] == "1"] + counter_speech(tr[t]))
                       for t in ("olid", "davidson")], os.path.join(TMP, "cond.json"))
    p = {name: predict(m, allf) for name, m in (("head", head), ("tox", tox), ("cond", cond))}
    for a in (0.25, 0.5, 1):
        p[f"head*tox^{a}"] = {k: p["head"][k] * p["tox"][k] ** a for k in every}
    p["cond*tox"] = {k: p["cond"][k] * p["tox"][k] for k in every}
    for name, s in p.items():
        out = {e: round(roc_auc_score([int(r[5]) for r in rows], [s[r[0]] for r in rows]), 4) for e, rows in evals.items()}
        out["mean"] = round(sum(out[t] for t in IA) / 3, 4)
        out["mean+civ"] = round(sum(out[t + "+civ"] for t in IA) / 3, 4)
        pooled = [r for t in IA for r in named[t]]
        th, out["f1"] = best_f1([int(r[5]) for r in pooled], [s[r[0]] for r in pooled])
        out["f1 threshold"] = th
        # Flags at that threshold: the validation hate rows, the held-out civil mentions, and the
        # validation hate rows quoted in held-out frames.
        for what, rows in (("hate", [r for r in pooled if r[5] == "1"]), ("civil", civ_va), ("cs", cs_neg)):
            out[what + " flagged"] = f"{sum(s[r[0]] >= th for r in rows)}/{len(rows)}"
        print(name, json.dumps(out), flush=True)
    if os.environ.get("KEEP"):
        for name, m in (("head", head), ("tox", tox), ("cond", cond)):
            subprocess.run(["cp", m, os.environ["KEEP"] + f".{name}.json"], check=True)


if __name__ == "__main__":
    main()

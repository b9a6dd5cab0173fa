#!/usr/bin/env python3
"""Should TOXICITY learn OLID's untargeted profanity as civil? (2026-12-05)

    python3 research/untargeted_profanity.py            # validation (a quarter of each train split)
    python3 research/untargeted_profanity.py --test     # the test splits, once, after the choice

OLID labels a tweet offensive (OFF) when it holds profanity, aimed at someone (level B: TIN)
or not (UNT: "non-targeted profanity and swearing"). The incivility model learns both as
uncivil, so r/Cornell's queue starts with "holy shit" and "enjoy the fuck out of it", while
PROFANITY (a head of its own, trained on exactly the UNT rows) is there to say "swearing".
The variant `unt` trains the incivility model with OLID's 524 UNT train rows labelled 0 (every
other row and file as shipped, the shipped recipe); `base` is the shipped recipe.

Both are trained and scored leave-one-source-out by `scripts/bench_models.py --loso` on
  - validation: each of the six train splits cut 75/25 by a CRC-32 of task and thread (or
    id); the quarter is the "test" split, with its original labels;
  - --test: the train and test splits.
Then, per variant, the model trained on all six (`unt`: with the relabelled rows) scores OLID's
held-out rows; printed: the share flagged (at the model's own threshold) of the UNT rows, of
the TIN rows and of the NOT rows. OLID's held-out labels are the original ones throughout, so
OLID's in-domain ROC AUC counts what the relabelling costs on OLID's own definition.

The rule, written before the runs: keep `unt` if, on validation, its LOSO mean is at least
`base`'s − 0.002, its in-domain mean at least `base`'s − 0.003, OLID's in-domain ROC AUC at
least `base`'s − 0.01, and it flags fewer UNT rows while flagging TIN rows within 5 points of
`base`. r/Cornell's top 20 (`scripts/top_flagged.py`) and the functional cases are read after
the choice, not chosen on.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "target", "release", "threadlens")
B = os.path.join(ROOT, "..", "shared", "bench", "tasks")
TASKS = ["olid_a", "reddit_incivility", "davidson", "gh_incivility", "c3_toxic", "fox_news_hate"]
RECIPE = ["--embeddings=models/embeddings.json", "--lexicon", "--sentiment", "--fold-spelling",
          "--cue-window=50"]


def rows_of(path):
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        return next(r), list(r)


def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def unt_ids():
    _, rows = rows_of(os.path.join(B, "attr_profanity_olid", "train.csv"))
    _, test = rows_of(os.path.join(B, "attr_profanity_olid", "test.csv"))
    return {r[0] for r in rows + test if r[-1] == "1"}


def tasks_dirs(tmp, test, unt):
    """{variant: tasks dir}: train and held-out splits, OLID's train relabelled for `unt`."""
    dirs = {}
    for variant in ("base", "unt"):
        d = os.path.join(tmp, variant)
        for t in TASKS:
            header, train = rows_of(os.path.join(B, t, "train.csv"))
            if test:
                _, held = rows_of(os.path.join(B, t, "test.csv"))
            else:
                cut = [zlib.crc32((t + (r[1] or r[0])).encode()) % 4 == 0 for r in train]
                held = [r for r, c in zip(train, cut) if c]
                train = [r for r, c in zip(train, cut) if not c]
            if variant == "unt" and t == "olid_a":
                train = [r[:-1] + ["0"] if r[0] in unt else r for r in train]
            write(os.path.join(d, t, "train.csv"), header, train)
            write(os.path.join(d, t, "test.csv"), header, held)
        dirs[variant] = d
    return dirs


def loso(tasks_dir, out, extra=()):
    """`scripts/bench_models.py --loso` on TASKS_DIR with the recipe (as it was on 2026-12-05, before
    `--sentiment-negation`) and EXTRA train arguments; its JSON rows."""
    args = [f"--train-arg={a}" for a in [*RECIPE, *extra]]
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench_models.py"), "--loso",
                    "--tasks-dir", tasks_dir, "--json", out] + args, check=True, cwd=ROOT,
                   capture_output=True)
    return [json.loads(l) for l in open(out)]


def loso_line(name, tasks_dir, out, extra=()):
    """`loso` printed as one line: the LOSO and in-domain means, then each held-out source's two."""
    rows = loso(tasks_dir, out, extra)
    lm = sum(r["loso_auc"] for r in rows) / len(rows)
    im = sum(r["in_domain_auc"] for r in rows) / len(rows)
    per = " ".join(f"{r['held_out']} {r['loso_auc']:.4f}/{r['in_domain_auc']:.4f}" for r in rows)
    print(f"{name}: LOSO {lm:.4f} in-domain {im:.4f} | {per}", flush=True)


def compare_variants(prefix, variants, loso_extra, recipe, ia_command, only=()):
    """Validation of featurizer variants, as research/sentiment_positive.py and group_fold.py run it:
    for each (name, extra train arguments) in VARIANTS, `loso` on validation splits (LOSO_EXTRA and
    EXTRA beside this module's RECIPE) printed as one line, then an incivility model trained on
    the six train splits with RECIPE and EXTRA, whose columns IA_COMMAND (run with VOCAB_OF set to
    it) takes for its identity-attack heads; its output printed. ONLY ("loso", "ia") runs one half."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        base_dir = tasks_dirs(tmp, False, set())["base"]
        for variant, extra in variants:
            if not only or "loso" in only:
                loso_line(variant, base_dir, os.path.join(tmp, variant + ".jsonl"), [*loso_extra, *extra])
            if not only or "ia" in only:
                # The incivility model the heads take their columns from, as the shipped one is trained.
                vocab = os.path.join(tmp, variant + "_incivility.json")
                subprocess.run([EXE, "-q", "train", "--tokenizer", "models/tokenizer.json", *recipe, *extra,
                                "--data", *[os.path.join(B, t, "train.csv") for t in TASKS], "-o", vocab],
                               check=True, cwd=ROOT, capture_output=True)
                out = subprocess.run(ia_command, env={**os.environ, "VOCAB_OF": vocab}, capture_output=True,
                                     text=True, check=True, cwd=ROOT).stdout
                print(f"{variant}: IDENTITY_ATTACK {out.strip()}", flush=True)


def olid_flags(tmp, tasks_dir, unt):
    """Share flagged of OLID's held-out UNT, TIN and NOT rows by a model trained on all six."""
    model = os.path.join(tmp, os.path.basename(tasks_dir) + "_all.json")
    subprocess.run([EXE, "-q", "train", "--tokenizer", "models/tokenizer.json"] + RECIPE
                   + ["--data"] + [os.path.join(tasks_dir, t, "train.csv") for t in TASKS]
                   + ["-o", model], check=True, cwd=ROOT, capture_output=True)
    pf = os.path.join(tmp, "p.jsonl")
    held = os.path.join(tasks_dir, "olid_a", "test.csv")
    subprocess.run([EXE, "-q", "eval", "-m", model, "--data", held, "--predictions", pf], check=True,
                   capture_output=True)
    th = json.load(open(model))["threshold"]
    _, rows = rows_of(held)
    kind = {r[0]: ("UNT" if r[0] in unt else "TIN") if r[-1] == "1" else "NOT" for r in rows}
    n, hit = {}, {}
    for line in open(pf):
        r = json.loads(line)
        k = kind[r["id"]]
        n[k] = n.get(k, 0) + 1
        hit[k] = hit.get(k, 0) + (r["probabilities"]["uncivil"] >= th)
    return {k: f"{hit[k]}/{n[k]} ({hit[k] / n[k]:.3f})" for k in sorted(n)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--test", action="store_true")
    a = ap.parse_args()
    unt = unt_ids()
    with tempfile.TemporaryDirectory(prefix="tl-unt-") as tmp:
        dirs = tasks_dirs(tmp, a.test, unt)
        for variant, d in dirs.items():
            loso_line(variant, d, os.path.join(tmp, variant + ".jsonl"))
            print(f"{variant}: OLID held-out flagged {olid_flags(tmp, d, unt)}", flush=True)


if __name__ == "__main__":
    main()

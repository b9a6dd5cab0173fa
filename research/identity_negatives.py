#!/usr/bin/env python3
"""Does the IDENTITY_ATTACK head stop flagging civil mentions of groups if
it also learns from civil comments that mention them? (2026-12-03; answer
in models/MODEL_CARD.md, "Attribute heads": it does, but it then misses
most plain hate and threats, and Fox News falls 0.064; not kept.)

    python3 research/identity_negatives.py ../shared [target/release/threadlens] [token]

With `token`, the heads of 2026-12-03 morning (token n-grams on columns of
their own, `--char-ngrams no`); by default the shipped recipe (the
incivility model's columns, `--vocab-of models/incivility.json`).

Civil (label 0) train rows of c3_toxic, reddit_incivility and gh_incivility
that name a group (the regex below) become a fourth training file; a
quarter of them (by id hash) are held out to count false flags. Trains the
shipped recipe with and without them, and prints test ROC AUC of the three
identity-attack tasks, held-out false flags and the functional cases.
"""
import csv, json, os, re, subprocess, sys, tempfile, zlib

GROUPS = (r"muslims?|islam\w*|jews?|jewish|christians?|catholics?|hindus?|blacks?|black (?:people|men|women|folks)"
          r"|whites?|white (?:people|men|women)|asians?|chinese|mexicans?|latinos?|latinas?|hispanics?|arabs?"
          r"|africans?|immigrants?|refugees?|migrants?|gays?|lesbians?|bisexual|transgender|trans (?:people|women|men)"
          r"|queer|lgbt\w*|homosexuals?|women|woman|feminists?|disabled|native americans?|indigenous|aboriginals?"
          r"|first nations")


def main():
    shared = sys.argv[1]
    exe = sys.argv[2] if len(sys.argv) > 2 else "target/release/threadlens"
    recipe = (["--char-ngrams", "no", "--tokenizer", "models/tokenizer.json"]
              if sys.argv[3:4] == ["token"] else ["--vocab-of", "models/incivility.json"])
    B = os.path.join(shared, "bench", "tasks")
    R = re.compile(r"\b(?:" + GROUPS + r")\b", re.I)
    tmp = tempfile.mkdtemp()
    h = ["id", "thread_id", "parent_id", "text", "parent_text", "label"]
    tr, va = os.path.join(tmp, "neg_train.csv"), os.path.join(tmp, "neg_val.csv")
    with open(tr, "w", newline="") as ft, open(va, "w", newline="") as fv:
        wt, wv = csv.writer(ft), csv.writer(fv)
        wt.writerow(h), wv.writerow(h)
        for t in ["c3_toxic", "reddit_incivility", "gh_incivility"]:
            for r in csv.DictReader(open(os.path.join(B, t, "train.csv"), newline="")):
                if r["label"] == "0" and R.search(r["text"]):
                    w = wv if zlib.crc32((t + r["id"]).encode()) % 4 == 0 else wt
                    w.writerow([t + "_" + r["id"], r["thread_id"], r["parent_id"], r["text"], "", "0"])
    ia = [os.path.join(B, f"attr_identity_attack_{t}", "train.csv") for t in ("olid", "davidson", "fox")]
    for name, extra in (("shipped recipe", []), ("+ civil group mentions", [tr])):
        m = os.path.join(tmp, "m.json")
        subprocess.run([exe, "-q", "train", *recipe, "-C", "2",
                        "--balance-files", "--data", *ia, *extra, "-o", m], check=True, capture_output=True)
        out = {}
        for t in ("olid", "davidson", "fox"):
            e = subprocess.run([exe, "-q", "eval", "-m", m, "--data",
                                os.path.join(B, f"attr_identity_attack_{t}", "test.csv")],
                               check=True, capture_output=True, text=True)
            out[t] = round(json.loads(e.stdout)["roc_auc"], 4)
        pf = os.path.join(tmp, "p.jsonl")
        subprocess.run([exe, "-q", "eval", "-m", m, "--data", va, "--predictions", pf], capture_output=True)
        th = json.load(open(m))["threshold"]
        p = [json.loads(l)["probabilities"]["uncivil"] for l in open(pf)]
        out["held-out civil group mentions flagged"] = f"{sum(x >= th for x in p)} of {len(p)}"
        f = subprocess.run([sys.executable, "scripts/functional.py", "--label", "identity_attack", "--model", m,
                            "--bin", exe, "--json"], check=True, capture_output=True, text=True)
        fj = json.loads(f.stdout)
        out["functional"] = round(fj["accuracy"], 3)
        out["functional by category"] = {k: round(v["accuracy"], 2) for k, v in fj["by"].items()}
        print(name, json.dumps(out))


if __name__ == "__main__":
    main()

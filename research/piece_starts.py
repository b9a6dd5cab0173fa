#!/usr/bin/env python3
"""Do flags lean on a token n-gram that, in the text, is only the first piece of a longer word?
(WordPiece gives `hoax` as `ho ##ax`, so `tok:a ho` fires on "Apparently a hoax".) 2026-12-05; answer:
4 of 2,354 flags across RumourEval, IAC and r/Cornell carry at least half their positive reasons on
such an n-gram: not worth a featurizer change (model card, "N-grams the datasets explain").

    threadlens score -q DUMP --no-stance --include-text -o OUT.jsonl    # for each dump
    /tmp/rv/bin/python research/piece_starts.py OUT.jsonl...

Needs the PyPI package `tokenizers` (the research venv) and models/tokenizer.json; the text is
lower-cased, not normalised as threadlens does, which is close enough to find the split words.
"""
import json, sys
from tokenizers import Tokenizer
tok = Tokenizer.from_file("models/tokenizer.json")
def pieces_by_word(text):
    enc = tok.encode(text.lower())
    words = {}
    for t, w in zip(enc.tokens, enc.word_ids):
        if w is not None:
            words.setdefault(w, []).append(t)
    return list(words.values())
for path in sys.argv[1:]:
    n = hit = 0
    ex = []
    for line in open(path):
        r = json.loads(line)
        if not r.get("uncivil"):
            continue
        n += 1
        reasons = [x for x in r.get("reasons", []) if x["weight"] > 0]
        if not reasons:
            continue
        text = r.get("text") or ""
        wl = pieces_by_word(text)
        starts = {w[0] for w in wl if len(w) > 1}
        wholes = {w[0] for w in wl if len(w) == 1}
        total = sum(x["weight"] for x in reasons)
        art = 0.0
        for x in reasons:
            f = x["feature"]
            if not f.startswith("tok:"):
                continue
            ps = f[4:].split(" ")
            # the n-gram's word-initial pieces that occur only as the start of a longer word
            if any(p in starts and p not in wholes for p in ps if not p.startswith("##")):
                art += x["weight"]
        if art >= 0.5 * total:
            hit += 1
            ex.append((round(r["incivility"], 2), text[:80].replace("\n", " "), [x["feature"] for x in reasons[:3]]))
    print(f"{path}: {hit} of {n} flagged lean on a split word's first piece (>= half the positive reasons)")
    for e in ex[:8]:
        print("   ", e)

#!/usr/bin/env python3
"""Is C = 4 still the n-gram stage's best for TOXICITY across sources? (2026-12-05)

    python3 research/ngram_c.py 8 2

Leave-one-source-out on validation (`scripts/bench_models.py --loso`, the shipped recipe; each of
the six train splits cut 75/25 by a CRC-32 of task and thread or id) with `train -C` for each C given.
The rule, written before the run: change C if the LOSO mean rises by 0.002 or more and in-domain
falls by no more than 0.003.

Result: C = 4 kept. LOSO / in-domain: C = 2 0.7633 / 0.8043, C = 4 (research/civil_sentences_toxicity.py's
base) 0.7652 / 0.8062, C = 8 0.7623 / 0.8063.
"""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "research"))
from untargeted_profanity import loso_line, tasks_dirs  # noqa: E402

EXTRA = ["--sentiment-negation", "--sentiment-positive", "--group-word"]


def main():
    with tempfile.TemporaryDirectory(prefix="tl-c-") as tmp:
        base = tasks_dirs(tmp, False, set())["base"]
        for c in sys.argv[1:]:
            loso_line(f"C={c}", base, os.path.join(tmp, f"c{c}.jsonl"), EXTRA + ["-C", c])


if __name__ == "__main__":
    main()

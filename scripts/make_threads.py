#!/usr/bin/env python3
"""Many small synthetic Reddit threads, split by thread into PARTS files
(for the bounded-merge measurement in docs/benchmarks.md).

    scripts/make_threads.py N PARTS PREFIX [AUTHORS]

Writes PREFIX-0.jsonl ... PREFIX-{PARTS-1}.jsonl: N threads, each a
submission and 4 comments (half of the later ones replying to the comment
before), comment authors drawn from AUTHORS names (default 300,000).
"""
import random
import sys

n = int(sys.argv[1])
parts = int(sys.argv[2])
out = sys.argv[3]
authors = int(sys.argv[4]) if len(sys.argv) > 4 else 300000
random.seed(1)
words = ["you idiot", "thanks, good point", "what a moron", "I disagree, see the report",
         "why?", "shut up", "nice", "this is wrong"]
fs = [open(f"{out}-{j}.jsonl", "w") for j in range(parts)]
for t in range(n):
    f = fs[t % parts]
    f.write('{"id":"s%d","title":"Thread %d","selftext":"","subreddit":"x","author":"op%d","created_utc":%d}\n'
            % (t, t, t % 50000, t))
    for i in range(4):
        par = "t3_s%d" % t if i == 0 or random.random() < .5 else "t1_c%d_%d" % (t, i - 1)
        f.write('{"id":"c%d_%d","parent_id":"%s","link_id":"t3_s%d","body":"%s %d","author":"u%d","created_utc":%d}\n'
                % (t, i, par, t, random.choice(words), i, random.randrange(authors), t + i))
for f in fs:
    f.close()

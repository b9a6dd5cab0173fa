#!/usr/bin/env python3
"""A synthetic Reddit-style dump for the large-report browser check:
THREADS threads of 1 submission and 3-20 comments each (replies nest a few
levels), texts drawn from civil and uncivil sentences so the queue fills.

usage: make_dump.py THREADS OUT.jsonl
"""
import json, random, sys

CIVIL = [
    "I think the council should publish the numbers before the vote.",
    "Thanks for the link, that explains the delay.",
    "Does anyone know when the next meeting is?",
    "I agree with the point about bus lanes, they helped on my street.",
    "That is not what the report says, see page four.",
    "Good question. The budget covers it until next spring.",
]
UNCIVIL = [
    "You are an idiot and everyone here knows it.",
    "Shut up, moron, nobody asked for your stupid opinion.",
    "What a pathetic clown, go away.",
    "This is the dumbest thing I have read all week, you fool.",
]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261202)
    t = 1_700_000_000
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            sid = f"s{i}"
            f.write(json.dumps({"id": sid, "title": f"Thread {i}: the council budget, part {i % 97}",
                                "selftext": rng.choice(CIVIL), "author": f"op{i % 500}",
                                "subreddit": "city", "created_utc": t}) + "\n")
            ids = []
            for j in range(rng.randint(3, 20)):
                cid = f"c{i}_{j}"
                parent = f"t1_{rng.choice(ids)}" if ids and rng.random() < 0.6 else f"t3_{sid}"
                body = rng.choice(UNCIVIL) if rng.random() < 0.12 else rng.choice(CIVIL)
                f.write(json.dumps({"id": cid, "parent_id": parent, "link_id": f"t3_{sid}",
                                    "body": body, "author": f"u{rng.randint(0, 3000)}",
                                    "created_utc": t + j * 60}) + "\n")
                ids.append(cid)
            t += 3600


if __name__ == "__main__":
    main()

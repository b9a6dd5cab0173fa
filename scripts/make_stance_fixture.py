#!/usr/bin/env python3
"""Write the synthetic stance fixture (tests/fixtures/labeled/stance_*.csv).

Hand-made templates, fixed seed: reply/parent pairs for agree, disagree,
query and comment, with the labels spelled as the bench does and as
RumourEval does (support/deny/query/comment), CRLF like the bench files.
Not real user content. Run from the repo root.
"""
import csv
import random

CLAIMS = [
    "The council will close the library on Sundays",
    "The new bridge cost twice the budget",
    "The mayor resigned this morning",
    "Bus fares go up by ten percent in May",
    "The river flooded the old market again",
    "The school is getting a new science wing",
    "The stadium deal was signed last night",
    "Water bills will be cut next year",
]
AGREE = ["Yes, exactly. {c}.", "Agreed, {l}.", "Totally right, {l}, I saw it too.", "This is true: {l}.",
         "Confirmed by the paper today, {l}.", "Good point, {l}."]
DISAGREE = ["No, that's false. {l} is not what happened.", "Wrong. Nobody said {l}.", "That's a lie, {l} never happened.",
            "Fake news, {l} was denied by the council.", "Not true at all. Read the report.", "Nonsense, {l} is made up."]
QUERY = ["Is there a source for this?", "Where did you read that {l}?", "Who said {l}?", "Any link to the report?",
         "Really? When was that announced?", "How do you know {l}?"]
COMMENT = ["I walked past there yesterday.", "My cousin lives near the {w}.", "The weather was nice for once.",
           "Reminds me of last summer.", "Parking there is always a mess.", "I used to work near the {w}."]
WORDS = ["station", "park", "market", "school", "harbour", "library"]


def rows(n, seed, prefix, synonyms):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        c = rnd.choice(CLAIMS)
        k = i % 4
        tmpl = [AGREE, DISAGREE, QUERY, COMMENT][k]
        label = (["support", "deny", "query", "comment"] if synonyms and i % 3 == 0 else ["agree", "disagree", "query", "comment"])[k]
        text = rnd.choice(tmpl).format(c=c, l=c[0].lower() + c[1:], w=rnd.choice(WORDS))
        out.append([f"{prefix}-{i}", f"t{i % 20}", f"t{i % 20}", text, c, label])
    return out


def write(path, body):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["id", "thread_id", "parent_id", "text", "parent_text", "label"])
        w.writerows(body)


if __name__ == "__main__":
    write("tests/fixtures/labeled/stance_train.csv", rows(240, 11, "train", True))
    write("tests/fixtures/labeled/stance_test.csv", rows(80, 12, "test", False))

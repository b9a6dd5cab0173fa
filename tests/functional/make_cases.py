#!/usr/bin/env python3
"""Writes cases.csv: threadlens's own functional test cases for the incivility
(TOXICITY) and IDENTITY_ATTACK decisions, in the style of published functional
suites for abusive language but written here (no case is copied from one).

Each case has the decision a moderator would expect:
  toxicity         1 = an attack, abuse, threat or hate a moderator should review
  identity_attack  1 = hate or threats aimed at people for who they are (a group)

Never train or tune on these: they check a model, they do not teach one.
Deterministic: `python3 tests/functional/make_cases.py` rewrites the same file.
"""
import csv
import os

GROUPS = ["women", "Muslims", "Jews", "gay people", "trans people", "black people",
          "immigrants", "disabled people", "Mexicans", "refugees"]

def cap(s):
    return s[0].upper() + s[1:]

T = []  # (category, text, toxicity, identity_attack)

def add(cat, texts, tox, ia):
    for t in texts:
        T.append((cat, t, tox, ia))

def per_group(cat, templates, tox, ia, groups=GROUPS):
    for i, g in enumerate(groups):
        # every group gets two templates, rotating, so each template is used
        for t in (templates[i % len(templates)], templates[(i + 3) % len(templates)]):
            T.append((cat, t.format(g=g, G=cap(g)), tox, ia))

per_group("hate_plain", [
    "I hate {g}.", "{G} are disgusting.", "{G} are a plague on this country.",
    "I can't stand {g}, they ruin everything they touch.", "{G} are the worst thing that ever happened to us.",
    "Honestly {g} make me sick.", "Nobody wants {g} here, go away.",
], 1, 1)
per_group("hate_dehumanising", [
    "{G} are vermin.", "{G} are animals and should be treated like animals.",
    "{G} are filthy parasites.", "{G} are subhuman trash.", "{G} are nothing but rats breeding in our cities.",
], 1, 1)
per_group("threat_group", [
    "We should kill all {g}.", "{G} deserve to be shot.", "Every one of those {g} should be hanged.",
    "I'd happily burn down every house full of {g}.", "Round up the {g} and get rid of them for good.",
], 1, 1)
per_group("hate_as_question_or_opinion", [
    "Why are {g} so stupid?", "{G} are all criminals, in my opinion.", "Isn't it obvious that {g} are inferior?",
    "I think {g} are too dumb to vote.", "Why do {g} always have to be so violent and dirty?",
], 1, 1)
add("hate_slur", [
    "Get out of here, you faggot.", "Those kikes run the banks.", "Send the wetbacks back over the border.",
    "Typical tranny nonsense.", "Shut up, you retard.", "Go back to the jungle, you monkey.",
    "Muzzies like you should be deported.", "No dykes allowed in my bar.",
], 1, 1)
add("threat_person", [
    "I will find you and kill you.", "I'm going to beat the hell out of you.",
    "You better watch your back, I know where you live.", "Keep talking and I'll break your face.",
    "Say that again and I will put you in the hospital.", "I hope someone shoots you.",
    "I'm coming to your house tonight and you won't like it.", "You deserve to die, and I'll make it happen.",
    "Somebody should slit your throat.", "One more word and I'll bash your skull in.",
], 1, 0)
add("insult_person", [
    "You are a pathetic idiot.", "Shut up, you moron.", "What a stupid, worthless comment, you clown.",
    "You're too dumb to understand any of this.", "Nobody cares what an ignorant loser like you thinks.",
    "You are a disgusting excuse for a human being.", "Go away, troll, you're an embarrassment.",
    "You are the most brainless person on this site.", "Only an imbecile would write this garbage.",
    "You sound like a complete jackass.", "Your mother should have aborted you.", "Are you really this stupid or just pretending?",
], 1, 0)
add("insult_obfuscated", [
    "you are an 1d10t", "sh1t for brains", "f.u.c.k you", "you're a m0r0n", "stfu loser",
    "what a stuuuupid piece of sh*t", "you absolute d!ckhead", "go f*ck yourself", "y0u are a w4nker",
    "STUPID STUPID IDIOT", "you r a b1tch", "a$$hole",
], 1, 0)
add("profanity_without_target", [
    "Holy shit, what a game last night!", "Fuck yeah, the bus finally came on time.", "Damn, this soup is good.",
    "Oh crap, I forgot my keys again.", "That concert was fucking amazing.", "Shit happens, we'll try again tomorrow.",
    "Hell yes, I'm in.", "Well damn, I did not expect that ending.", "Bloody hell, it's cold out today.",
    "This is the best damn pizza in town.",
], 0, 0)
add("abuse_of_objects", [
    "This printer is a useless piece of junk.", "The new update is garbage, it broke everything.",
    "What a terrible, stupid design for a door handle.", "My phone is a worthless brick now.",
    "The parking app is a total disaster.", "These instructions are idiotic.",
], 0, 0)
per_group("negated_hate", [
    "I don't hate {g}.", "{G} are not disgusting at all.", "No one should ever say {g} are vermin.",
    "It is not true that {g} are criminals.", "I would never wish harm on {g}.",
], 0, 0)
per_group("counter_speech", [
    "Calling {g} animals is disgusting and you should be ashamed.",
    "If you think {g} are a plague, you need to actually meet some.",
    "Saying \"{g} are vermin\" is hate speech, plain and simple.",
    "Please stop spreading lies that {g} are dangerous.",
    "People who call {g} subhuman are the real problem here.",
], 0, 0)
per_group("identity_positive", [
    "I love {g}.", "{G} make our town a better place.", "So proud of the {g} in my family.",
    "{G} deserve the same respect as everyone else.", "Great to see more {g} in leadership roles.",
], 0, 0)
per_group("identity_neutral", [
    "My neighbours are {g}.", "The article is about {g} in the workforce.", "Are there many {g} in your city?",
    "The survey asked {g} about housing costs.", "A new report looks at how {g} use public transport.",
], 0, 0)
add("agreement_words", [
    "Agreed.", "Exactly this.", "Well said!", "+1", "I agree with you completely.", "This, so much this.",
    "Yes, absolutely.", "Couldn't have put it better.", "100% agree", "Same here.",
], 0, 0)
add("mention_or_link_only", [
    "@USER", "@jane_doe @bob", "@USER @USER thanks", "RT @news: Breaking update", "@mike https://example.com/a",
    "URL", "@USER URL", "http://example.org/story", "@anna", "@USER @USER @USER",
], 0, 0)
add("short_replies", [
    "Thanks!", "Source?", "lol", "Interesting.", "Good point.", "Why?", "Hmm.", "Wow", "Nice", "ok",
], 0, 0)
add("homonyms_and_idioms", [
    "I ordered buffalo chicken wings.", "Apparently a hoax, the photo was edited.",
    "Kill the process and restart the server.", "This heat is killing me.", "That comedian absolutely killed it last night.",
    "She shot the photo at dusk.", "Dumb question: how do I reset the router?", "The bomb squad cleared the station.",
    "We need to attack this problem from a new angle.", "He beat the record by two seconds.",
    "The game has a lot of violent scenes.", "That referee made a crazy call.",
], 0, 0)
add("civil_disagreement", [
    "I disagree; the numbers in the report say otherwise.", "That's not what the study found.",
    "I see your point, but I think the policy will cost more than it saves.", "Respectfully, you're mistaken about the dates.",
    "I don't buy this argument at all.", "This is wrong: the bill passed in 2019, not 2020.",
    "Your source is outdated, here is a newer one.", "I strongly oppose this plan.",
], 0, 0)
add("reclaimed_or_self_reference", [
    "As a queer woman, I'm proud to be queer.", "We're here, we're queer, get used to it!",
    "Being a nerd is awesome.", "I'm a proud redneck from Kentucky.",
], 0, 0)

# Added 2026-12-05 (the ids of the cases above are unchanged).
per_group("hate_pronoun_reference", [
    "I met some {g} at work today. They are disgusting.", "You asked about {g}? I can't stand them.",
    "There are {g} moving in next door. I wish they would all disappear.",
    "Everyone keeps defending {g}. They are a disease.", "My cousin married one of those {g}. They are all the same, filthy.",
], 1, 1)
per_group("hate_with_profanity", [
    "Fuck all {g}.", "{G} are a bunch of worthless shits.", "I fucking hate {g}.",
    "Damn {g} ruin every damn thing.", "{G} can go to hell, every last one of them.",
], 1, 1)
add("abuse_of_nonprotected_groups", [
    "Politicians are all lying scum.", "I hate landlords, they are parasites.", "Lawyers are disgusting bloodsuckers.",
    "Bankers are vermin.", "Journalists are nothing but worthless liars.", "Fans of that team are brain-dead idiots.",
    "Telemarketers are the lowest form of life.", "Corporate executives make me sick.",
    "Spammers are pathetic losers.", "Every referee in this league is a corrupt moron.",
], 1, 0)

def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.csv")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "category", "text", "toxicity", "identity_attack"])
        for i, (cat, text, tox, ia) in enumerate(T):
            w.writerow([f"f{i:04d}", cat, text, tox, ia])
    print(f"{len(T)} cases → {out}")

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How much of the identity-attack flag survives spelling variation? (2026-12-04; answer in
models/MODEL_CARD.md, "Functional cases", "Spelling variation".)

    python3 research/spelling_robustness.py

Takes the hate rows of the three identity-attack test splits that the shipped IDENTITY_ATTACK head
flags, changes the longest word (4+ letters) of each one way (two adjacent letters swapped, one
letter dropped, letters spaced out, `aeios` as `43105`, or joined to the next word), scores them
again with the built-in models and counts how many are still flagged (and, beside it, how many
TOXICITY flags). `WHICH=group` changes the word naming a group instead (rows that have one).
Seeded; reads ../shared and the release binary.
"""
import csv, json, os, random, re, subprocess, tempfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, '..', 'shared', 'bench', 'tasks')
EXE = os.path.join(ROOT, 'target', 'release', 'threadlens')
TMP = tempfile.mkdtemp()
rows=[]
for t in ('olid','davidson','fox'):
    for r in csv.DictReader(open(f'{B}/attr_identity_attack_{t}/test.csv',newline='')):
        if r['label']=='1': rows.append(r['text'])
def score(texts, attr='identity_attack'):
    with open(os.path.join(TMP, 'in.jsonl'),'w') as f:
        for i,t in enumerate(texts): f.write(json.dumps({'id':str(i),'text':t})+'\n')
    subprocess.run([EXE,'-q','score',os.path.join(TMP, 'in.jsonl'),'--no-stance','--explain','none','-o',os.path.join(TMP, 'out.jsonl')],check=True)
    out={}
    for l in open(os.path.join(TMP, 'out.jsonl')):
        r=json.loads(l); out[int(r['id'])]=r
    return [out[i] for i in range(len(texts))]
th=json.load(open(os.path.join(ROOT, 'models', 'identity_attack.json')))['threshold']
thi=json.load(open(os.path.join(ROOT, 'models', 'incivility.json')))['threshold']
base=score(rows)
flag=[i for i,r in enumerate(base) if r['attributes']['identity_attack']>=th]
print('hate test rows',len(rows),'flagged',len(flag))
rng=random.Random(0)
import sys
sys.path.insert(0, os.path.join(ROOT, 'scripts'))
from identity_negatives_data import NAMES  # noqa: E402
WHICH = os.environ.get('WHICH', 'longest')
def target(t):
    if WHICH == 'group':
        m = NAMES.search(t)
        return m if m and len(m.group(0)) >= 4 and ' ' not in m.group(0) else None
    ws=[m for m in re.finditer(r"[A-Za-z]{4,}",t)]
    if not ws: return None
    return max(ws,key=lambda m:len(m.group(0)))
def swap(w): i=rng.randrange(1,len(w)-2); return w[:i]+w[i+1]+w[i]+w[i+2:]
def dele(w): i=rng.randrange(1,len(w)-1); return w[:i]+w[i+1:]
def spaces(w): return ' '.join(w)
def leet(w): return w.translate(str.maketrans('aeios','43105'))
P={'swap':swap,'delete':dele,'spaces':spaces,'leet':leet}
keep=[i for i in flag if target(rows[i]) is not None]
texts=[rows[i] for i in keep]
base_inc=sum(base[i]['uncivil'] for i in keep)
print(WHICH, 'word changed in', len(texts))
for name,f in P.items():
    pt=[]
    for t in texts:
        m=target(t)
        pt.append(t if m is None else t[:m.start()]+f(m.group(0))+t[m.end():])
    # also no word boundary: join the target with the next word
    s=score(pt)
    ia=sum(r['attributes']['identity_attack']>=th for r in s); inc=sum(r['uncivil'] for r in s)
    print(name, f'IA still flagged {ia}/{len(texts)}', f'TOXICITY flagged {inc}/{len(texts)} (before {base_inc})')
pt=[]
for t in texts:
    m=target(t)
    if m is None: pt.append(t); continue
    rest=t[m.end():]
    pt.append(t[:m.start()]+m.group(0)+rest.lstrip(' ') if rest.startswith(' ') else t)
s=score(pt); print('no boundary', f"IA still flagged {sum(r['attributes']['identity_attack']>=th for r in s)}/{len(texts)}", f"TOXICITY flagged {sum(r['uncivil'] for r in s)}/{len(texts)} (before {base_inc})")

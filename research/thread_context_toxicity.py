#!/usr/bin/env python3
"""Does a comment's thread help its TOXICITY score? (2026-12-04; answer: hardly; model card,
"Can a better router close the gap?".)

In gh_incivility and c3_toxic the *labels* cluster by thread: the mean label of a thread's other
comments alone ranks a comment at ROC AUC 0.70 (gh train) / 0.76 (gh test) / 0.74 / 0.76 (c3).
The question is whether the model's *scores* of the other comments carry that: score = own logit +
a * mean logit of the thread's other comments (built-in models), for a few a.

    python3 research/thread_context_toxicity.py gh_incivility c3_toxic fox_news_hate

Result (test ROC AUC, a = 0 / 0.25 / 0.5 / 1 / 2): gh 0.7290 / 0.7316 / 0.7311 / 0.7264 / 0.7123;
c3 0.7022 / 0.7048 / 0.7061 / 0.7039 / 0.6920; fox 0.6392 / 0.6370 / 0.6349 / 0.6288 / 0.6142.
At most +0.004: what makes a thread heated is not in its comments' scores. Not built.
"""
import csv, json, os, subprocess, collections, math, sys
csv.field_size_limit(1<<30)
from sklearn.metrics import roc_auc_score
B='/work/shared/bench/tasks'
def scores(path):
    subprocess.run([os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),'target','release','threadlens'),'-q','score',path,'--id-col','id','--text-col','text','--no-stance','--explain','none','-o','/tmp/tc.jsonl'],check=True)
    return {json.loads(l)['id']:json.loads(l)['incivility'] for l in open('/tmp/tc.jsonl')}
def lg(p): p=min(max(p,1e-6),1-1e-6); return math.log(p/(1-p))
for t in sys.argv[1:]:
    res={}
    for sp in ('train','test'):
        rows=list(csv.DictReader(open(f'{B}/{t}/{sp}.csv')))
        s=scores(f'{B}/{t}/{sp}.csv')
        th=collections.defaultdict(list)
        for r in rows: th[r['thread_id']].append(lg(s[r['id']]))
        y=[int(r['label']) for r in rows]; own=[lg(s[r['id']]) for r in rows]
        oth=[]
        for r,o in zip(rows,own):
            v=th[r['thread_id']]; oth.append((sum(v)-o)/(len(v)-1) if len(v)>1 else None)
        glob=sum(own)/len(own)
        oth=[x if x is not None else glob for x in oth]
        res[sp]={a:round(roc_auc_score(y,[o+a*m for o,m in zip(own,oth)]),4) for a in (0,0.25,0.5,1,2)}
    print(t,res)

"""Long texts scored in windows: a text over 1.5 W words is scored as overlapping
windows of W words (step W/2) with the built-in models and given its highest window.
Asked because the IAC top 20 is long posts. Result (2026-12-03), test ROC AUC
whole / W=40 / W=80: gh_incivility 0.7198 / 0.7243 / 0.7184, c3_toxic 0.6992 /
0.6755 / 0.6854, reddit_incivility 0.9461 / 0.9488 / 0.9488: c3 (long news
comments) loses up to 0.024, so not built.

    /tmp/rv/bin/python3 research/windowed_scoring.py gh_incivility c3_toxic reddit_incivility
"""
import csv, json, subprocess, sys, os
from sklearn.metrics import roc_auc_score
csv.field_size_limit(1<<30)
BIN=os.environ.get('THREADLENS_BIN', os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),'target','release','threadlens'))
import tempfile
TMP=tempfile.mkdtemp()
def windows(t,W,step):
    w=t.split()
    if len(w)<=W*1.5: return [t]
    return [' '.join(w[i:i+W]) for i in range(0,max(len(w)-W,0)+1,step)] + ([' '.join(w[-W:])] if (len(w)-W)%step else [])
def score(texts):
    with open(os.path.join(TMP,'in.csv'),'w',newline='') as f:
        wr=csv.writer(f); wr.writerow(['id','text'])
        for i,t in enumerate(texts): wr.writerow([i,t])
    subprocess.run([BIN,'-q','score',os.path.join(TMP,'in.csv'),'--id-col','id','--text-col','text','--no-stance','--explain','none','-o',os.path.join(TMP,'out.jsonl')],check=True)
    out={}
    for l in open(os.path.join(TMP,'out.jsonl')):
        r=json.loads(l)
        if r.get('incivility') is not None: out[int(r['id'])]=r['incivility']
    return [out[i] for i in range(len(texts))]
def run(texts,W,step,agg=max):
    parts=[];own=[]
    for k,t in enumerate(texts):
        ws=windows(t,W,step); parts+=ws; own+=[k]*len(ws)
    s=score(parts); best={}
    for k,v in zip(own,s): best.setdefault(k,[]).append(v)
    return [agg(best[k]) for k in range(len(texts))]
if __name__=='__main__':
    B='/work/shared/bench/tasks'
    for t in sys.argv[1:]:
        rows=list(csv.DictReader(open(f'{B}/{t}/test.csv',encoding='utf-8')))
        X=[r['text'] for r in rows]; y=[int(r['label']) for r in rows]
        res={'whole':roc_auc_score(y,score(X))}
        for W in (40,80):
            res[f'max{W}']=roc_auc_score(y,run(X,W,W//2))
        print(t,{k:round(v,4) for k,v in res.items()},flush=True)

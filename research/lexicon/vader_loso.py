"""Does VADER's sentiment lexicon (PyPI vaderSentiment 3.3.2, MIT; 7,500 words rated -4..+4 by people)
help the head beside rustrict's abusive-word list? Stand-in (research/lexicon/lexicon_loso.py), LOSO."""
import sys, os, re, glob, numpy as np
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table')[0])
VP=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','..','models','sentiment.txt')
VAL={}
for line in open(VP,encoding='utf-8'):
    p=line.rstrip('\n').split('\t')
    if len(p)>=2:
        try: VAL[p[0].lower()]=float(p[1])
        except ValueError: pass
def vfeats(texts):
    out=np.zeros((len(texts),5))
    for k,t in enumerate(texts):
        ws=W.findall(t.lower()); ws2=[w.translate(LEET).strip("'*") for w in ws]
        v=[VAL.get(a, VAL.get(b, 0.0)) for a,b in zip(ws,ws2)]
        n=max(len(ws),1); neg=[x for x in v if x<0]; pos=[x for x in v if x>0]
        out[k]=[-min(v,default=0) if neg else 0, sum(x<=-2 for x in v)/n, sum(v)/n, max(v,default=0) if pos else 0, sum(x>=2 for x in v)/n]
    return out
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte); V=vfeats(Xtr); Vt=vfeats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    base=[c['oof'],E,F]; baset=[c['s'],Et,Ft]
    sel={'lex':[],'neg':[0,1],'neg_mean':[0,1,2],'all':[0,1,2,3,4]}
    row={k:fit(np.column_stack(base+[V[:,ix]]),np.column_stack(baset+[Vt[:,ix]])) for k,ix in sel.items()}
    print(h,{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

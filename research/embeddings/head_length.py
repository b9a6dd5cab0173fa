"""Head with the text length and score x length, score x embedding, score squared (LOSO)."""
import sys, os, numpy as np
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False)
    L=np.log1p([len(x) for x in Xtr]); Lt=np.log1p([len(x) for x in Xte])
    o,ot=c['oof'],c['s']
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={}
    row['lin']=fit(np.column_stack([o,E]),np.column_stack([ot,Et]))
    row['oxL']=fit(np.column_stack([o,E,L,o*L]),np.column_stack([ot,Et,Lt,ot*Lt]))
    row['oxL+oxE']=fit(np.column_stack([o,E,L,o*L,o[:,None]*E]),np.column_stack([ot,Et,Lt,ot*Lt,ot[:,None]*Et]))
    row['oxL+oxE+o2']=fit(np.column_stack([o,E,L,o*L,o[:,None]*E,o*o]),np.column_stack([ot,Et,Lt,ot*Lt,ot[:,None]*Et,ot*ot]))
    row['oxL+LxE']=fit(np.column_stack([o,E,L,o*L,L[:,None]*E]),np.column_stack([ot,Et,Lt,ot*Lt,Lt[:,None]*Et]))
    print(h, 'test len med', int(np.median([len(x) for x in Xte])), 'train', int(np.median([len(x) for x in Xtr])), {k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

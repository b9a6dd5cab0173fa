"""Variants of lexicon_loso.py: which lexicon inputs matter (NOLEET=1: without undoing leet spellings)."""
import sys, os
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table(64)')[0])
if os.environ.get('NOLEET'): LEET=str.maketrans({})
tab=make_table(64)
VARIANTS={'all':list(range(10)),'max':[0,1,2,3],'count':[4,5,6,7],'max+count':list(range(8)),'no_sexual':[0,1,3,4,5,7,8,9],'max+you':[0,1,2,3,8,9]}
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={name:fit(np.column_stack([c['oof'],E,F[:,cols]]),np.column_stack([c['s'],Et,Ft[:,cols]])) for name,cols in VARIANTS.items()}
    print(h,'hit rate tr %.3f te %.3f'%((F[:,:4].max(1)>0).mean(),(Ft[:,:4].max(1)>0).mean()),{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

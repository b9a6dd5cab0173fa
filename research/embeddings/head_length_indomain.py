"""In-domain check of the best head variant of head_length.py (score x length, x embedding, squared) on the six test splits."""
import sys, os, numpy as np
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
tab=make_table(64)
Xtr=[];ytr=[];tests={}
for t in S:
    (x,y),(xt,yt)=data[t]; Xtr+=x; ytr.append(y); tests[t]=(xt,yt)
ytr=np.concatenate(ytr)
Xte=[x for t in S for x in tests[t][0]]; bounds=np.cumsum([0]+[len(tests[t][0]) for t in S])
c=dict(np.load('/tmp/exp/cache_pooled.npz')); o,ot=c['oof'],c['s']
E=emb(Xtr,tab,False); Et=emb(Xte,tab,False)
L=np.log1p([len(x) for x in Xtr]); Lt=np.log1p([len(x) for x in Xte])
V={'lin':(np.column_stack([o,E]),np.column_stack([ot,Et])),
   'oxL+oxE+o2':(np.column_stack([o,E,L,o*L,o[:,None]*E,o*o]),np.column_stack([ot,Et,Lt,ot*Lt,ot[:,None]*Et,ot*ot]))}
res={t:{} for t in S}
for k,(H,Ht) in V.items():
    d=LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht)
    for i,t in enumerate(S): res[t][k]=roc_auc_score(tests[t][1],d[bounds[i]:bounds[i+1]])
for t in S: print(t,{k:round(v,4) for k,v in res[t].items()})
print('mean',{k:round(float(np.mean([res[t][k] for t in S])),4) for k in V})

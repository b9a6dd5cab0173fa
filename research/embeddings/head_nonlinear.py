"""Does a nonlinear head (random Fourier features, a 32-unit MLP, gradient boosting) over [out-of-fold score, MiniLM 64] beat the LR head across sources? (LOSO)"""
import sys, numpy as np
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
from sklearn.neural_network import MLPClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.kernel_approximation import RBFSampler
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    Etr=emb(Xtr,tab,False); Ete=emb(Xte,tab,False)
    H=np.column_stack([c['oof'],Etr]); Ht=np.column_stack([c['s'],Ete])
    row={'tfidf':roc_auc_score(yte,c['s'])}
    row['lin']=roc_auc_score(yte,LogisticRegression(C=1,max_iter=2000).fit(H,ytr).decision_function(Ht))
    for g in (0.5,2.0):
        rf=RBFSampler(gamma=g,n_components=256,random_state=0).fit(Etr)
        H2=np.column_stack([H,rf.transform(Etr)]); H2t=np.column_stack([Ht,rf.transform(Ete)])
        row[f'rff{g}']=roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H2,ytr).decision_function(H2t))
    m=MLPClassifier((32,),alpha=1e-2,max_iter=300,early_stopping=True,random_state=0).fit(H,ytr)
    row['mlp32']=roc_auc_score(yte,m.predict_proba(Ht)[:,1])
    g=HistGradientBoostingClassifier(max_iter=200,learning_rate=0.1,random_state=0).fit(H,ytr)
    row['gbm']=roc_auc_score(yte,g.predict_proba(Ht)[:,1])
    res[h]=row; print(h,{k:round(v,4) for k,v in row.items()},flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

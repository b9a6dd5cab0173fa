"""Head with score x embedding interactions and an MLP head; MODE=loso (held-out sources) or MODE=pooled (in-domain test splits, caches /tmp/exp/cache_pooled.npz)."""
import sys, os, numpy as np
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
from sklearn.neural_network import MLPClassifier
tab=make_table(64)
def heads(H,Ht,ytr,E,Et,o,ot):
    r={}
    r['lin']=LogisticRegression(C=1,max_iter=2000).fit(H,ytr).decision_function(Ht)
    I=np.column_stack([H,E*o[:,None]]); It=np.column_stack([Ht,Et*ot[:,None]])
    r['inter']=LogisticRegression(C=1,max_iter=3000).fit(I,ytr).decision_function(It)
    r['mlp32']=MLPClassifier((32,),alpha=1e-2,max_iter=300,early_stopping=True,random_state=0).fit(H,ytr).predict_proba(Ht)[:,1]
    return r
mode=os.environ.get('MODE','loso')
res={}
if mode=='loso':
    for h in S:
        c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
        E=emb(Xtr,tab,False); Et=emb(Xte,tab,False)
        r=heads(np.column_stack([c['oof'],E]),np.column_stack([c['s'],Et]),ytr,E,Et,c['oof'],c['s'])
        res[h]={k:roc_auc_score(yte,v) for k,v in r.items()}; print(h,{k:round(v,4) for k,v in res[h].items()},flush=True)
else:
    f='/tmp/exp/cache_pooled.npz'
    Xtr=[];ytr=[];w=[];tests={}
    for t in S:
        (x,y),(xt,yt)=data[t]; Xtr+=x; ytr.append(y); w.append(np.full(len(x),1.0/len(x))); tests[t]=(xt,yt)
    ytr=np.concatenate(ytr); w=np.concatenate(w); w*=len(w)/w.sum()
    for cl in (0,1):
        m=ytr==cl; w[m]*=0.5*w.sum()/w[m].sum()
    Xte=[x for t in S for x in tests[t][0]]; bounds=np.cumsum([0]+[len(tests[t][0]) for t in S])
    if os.path.exists(f): c=dict(np.load(f))
    else:
        wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000)
        cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
        A=sparse.hstack([wv.fit_transform(Xtr),cv.fit_transform(Xtr)]).tocsr(); At=sparse.hstack([wv.transform(Xte),cv.transform(Xte)]).tocsr()
        oof=np.zeros(len(ytr))
        for a,b in StratifiedKFold(3,shuffle=True,random_state=0).split(A,ytr):
            oof[b]=LogisticRegression(C=4,max_iter=300).fit(A[a],ytr[a],sample_weight=w[a]).decision_function(A[b])
        s=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w).decision_function(At)
        np.savez(f,oof=oof,s=s); c=dict(oof=oof,s=s)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False)
    r=heads(np.column_stack([c['oof'],E]),np.column_stack([c['s'],Et]),ytr,E,Et,c['oof'],c['s'])
    r['tfidf']=c['s']
    for i,t in enumerate(S):
        sl=slice(bounds[i],bounds[i+1]); res[t]={k:roc_auc_score(tests[t][1],v[sl]) for k,v in r.items()}; print(t,{k:round(v,4) for k,v in res[t].items()},flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

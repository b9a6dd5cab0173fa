"""The embedding as columns of the n-gram fit itself (jointly fitted) instead of stacked in the head (LOSO; stopped after 3 sources)."""
import sys, os, numpy as np
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
tab=make_table(64)
res={}
for h in S:
    Xtr,ytr,w,Xte,yte=split(h)
    wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000)
    cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
    A=sparse.hstack([wv.fit_transform(Xtr),cv.fit_transform(Xtr)]).tocsr(); At=sparse.hstack([wv.transform(Xte),cv.transform(Xte)]).tocsr()
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False)
    row={}
    for k in (1.0,3.0):
        J=sparse.hstack([A,sparse.csr_matrix(E*k)]).tocsr(); Jt=sparse.hstack([At,sparse.csr_matrix(Et*k)]).tocsr()
        row[f'joint{k}']=roc_auc_score(yte,LogisticRegression(C=4,max_iter=300).fit(J,ytr,sample_weight=w).decision_function(Jt))
    res[h]=row; print(h,{k:round(v,4) for k,v in row.items()},flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

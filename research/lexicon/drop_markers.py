"""Drop source markers from the word n-grams before the fit: n-grams whose pooled odds ratio with the
label is >= 2 while the Mantel-Haenszel ratio within the training sources is <= 1.25 (words of the
abusive-word list kept). Stand-in (research/lexicon/lexicon_loso.py's recipe), LOSO over the six sources."""
import sys, os, re, numpy as np
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table')[0])
LISTED=set()
for w in LEX:
    if LEX[w].max()>0: LISTED|={w,w+'s'}
def srcs(h):
    out=[]
    for t in S:
        if t==h: continue
        out+= [t]*len(data[t][0][0])
    return np.array(out)
def markers(X,y,src,names,thr_pool=2.0,thr_within=1.25):
    Xb=(X>0).astype(np.float64).tocsc()
    a_all=Xb.T@y; n_all=np.asarray(Xb.sum(0)).ravel()
    P=y.sum(); N=len(y)-P
    a=a_all+.5; b=n_all-a_all+.5; c=P-a_all+.5; d=N-(n_all-a_all)+.5
    pooled=a*d/(b*c)
    num=np.zeros(X.shape[1]); den=np.zeros(X.shape[1])
    for s in np.unique(src):
        m=src==s; Xs=Xb[m]; ys=y[m]; Ps=ys.sum(); Ns=m.sum()-Ps
        as_=Xs.T@ys; ns=np.asarray(Xs.sum(0)).ravel()
        aa=as_+.5; bb=ns-as_+.5; cc=Ps-as_+.5; dd=Ns-(ns-as_)+.5; n=aa+bb+cc+dd
        num+=aa*dd/n; den+=bb*cc/n
    mh=num/den
    bad=(pooled>=thr_pool)&(mh<=thr_within)&(n_all>=20)
    keep=np.array([not (bad[i] and names[i] not in LISTED) for i in range(len(names))])
    return keep, [names[i] for i in np.where(~keep)[0]]
def dcache(h):
    f=f'/tmp/exp/dcache_{h}.npz'
    if os.path.exists(f): return dict(np.load(f))
    Xtr,ytr,w,Xte,yte=split(h)
    wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000)
    cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
    Wtr=wv.fit_transform(Xtr); Wte=wv.transform(Xte)
    keep,dropped=markers(Wtr,ytr.astype(float),srcs(h),wv.get_feature_names_out())
    print(h,'dropped',len(dropped),dropped[:30],flush=True)
    A=sparse.hstack([Wtr[:,keep],cv.fit_transform(Xtr)]).tocsr()
    At=sparse.hstack([Wte[:,keep],cv.transform(Xte)]).tocsr()
    oof=np.zeros(len(ytr))
    for a,b in StratifiedKFold(3,shuffle=True,random_state=0).split(A,ytr):
        oof[b]=LogisticRegression(C=4,max_iter=300).fit(A[a],ytr[a],sample_weight=w[a]).decision_function(A[b])
    s=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w).decision_function(At)
    np.savez(f,oof=oof,s=s); return dict(oof=oof,s=s)
tab=make_table(64)
res={}
for h in S:
    c=cache(h); n=dcache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={'lex':fit(np.column_stack([c['oof'],E,F]),np.column_stack([c['s'],Et,Ft])),
         'dropped':fit(np.column_stack([n['oof'],E,F]),np.column_stack([n['s'],Et,Ft])),
         'ngram_only_old':roc_auc_score(yte,c['s']),'ngram_only_dropped':roc_auc_score(yte,n['s'])}
    print(h,{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

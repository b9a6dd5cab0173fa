"""Negation scope in the word n-grams: words after a negator (not, no, never, n't, ...) up to the next
clause punctuation get a NEG_ prefix, so `don't hate` and `are not vermin` do not borrow the weights of
`hate` and `vermin`. Stand-in (research/lexicon/lexicon_loso.py's recipe), LOSO over the six sources.
Variants: lexicon hits in a negation scope counted or not."""
import sys, os, re, numpy as np
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table')[0])
NEGS={'not','no','never','nobody','nothing','neither','nor','none','nowhere','cannot','without','dont','doesnt','didnt','isnt','arent','wasnt','werent','wont','cant','couldnt','shouldnt','wouldnt','aint','hasnt','havent','hadnt'}
TOK=re.compile(r"[a-z0-9@#$*']+|[.,!?;:]+")
STOP=re.compile(r"^[.,!?;:]+$")
def negmark(t):
    out=[];neg=False
    for w in TOK.findall(t.lower()):
        if STOP.match(w) or w=='but': neg=False; out.append(w); continue
        out.append('neg_'+w if neg else w)
        if w in NEGS or w.endswith("n't"): neg=True
    return ' '.join(out)
def ncache(h):
    f=f'/tmp/exp/ncache_{h}.npz'
    if os.path.exists(f): return dict(np.load(f))
    Xtr,ytr,w,Xte,yte=split(h)
    wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000,preprocessor=negmark,token_pattern=r"[^ ]+")
    cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
    A=sparse.hstack([wv.fit_transform(Xtr),cv.fit_transform(Xtr)]).tocsr()
    At=sparse.hstack([wv.transform(Xte),cv.transform(Xte)]).tocsr()
    oof=np.zeros(len(ytr))
    for a,b in StratifiedKFold(3,shuffle=True,random_state=0).split(A,ytr):
        oof[b]=LogisticRegression(C=4,max_iter=300).fit(A[a],ytr[a],sample_weight=w[a]).decision_function(A[b])
    s=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w).decision_function(At)
    np.savez(f,oof=oof,s=s); return dict(oof=oof,s=s)
def feats_neg(texts):
    return feats([' '.join(x for x in negmark(t).split() if not x.startswith('neg_')) for t in texts])
tab=make_table(64)
res={}
for h in S:
    c=cache(h); n=ncache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte); FN=feats_neg(Xtr); FNt=feats_neg(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={'lex':fit(np.column_stack([c['oof'],E,F]),np.column_stack([c['s'],Et,Ft])),
         'neg_ngrams':fit(np.column_stack([n['oof'],E,F]),np.column_stack([n['s'],Et,Ft])),
         'neg_both':fit(np.column_stack([n['oof'],E,FN]),np.column_stack([n['s'],Et,FNt])),
         'ngram_only_old':roc_auc_score(yte,c['s']),'ngram_only_neg':roc_auc_score(yte,n['s'])}
    print(h,{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

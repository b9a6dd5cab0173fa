"""Does a public profanity lexicon (rustrict's profanity.csv, MIT/Apache-2.0) help the head?
Stand-in of the recipe (research/embeddings/minilm_loso.py caches), LOSO over the six sources.
Lexicon features: per category (profane, offensive, sexual, mean) the max rating and log(1+hits),
matched on lowercased words and word bigrams, also after undoing common leet spellings."""
import sys, os, re, csv as _csv, numpy as np, glob
sys.argv=[sys.argv[0]]
exec(open('/work/main/research/embeddings/minilm_loso.py').read().split('variants=')[0])
P=glob.glob(os.path.expanduser('~/.cargo/registry/src/*/rustrict-0.7.39/src/profanity.csv'))[0]
LEX={}
for r in _csv.DictReader(open(P,encoding='utf-8')):
    LEX[r['word'].lower()]=np.array([int(r['profane']),int(r['offensive']),int(r['sexual']),int(r['mean'])],float)
LEET=str.maketrans({'0':'o','1':'i','3':'e','4':'a','5':'s','$':'s','@':'a','!':'i','7':'t'})
W=re.compile(r"[a-z0-9@$!*']+")
YOU={'you','your','you\'re','youre','u','ur','yourself','ya'}
def feats(texts):
    out=np.zeros((len(texts),10))
    for k,t in enumerate(texts):
        t=t.lower()
        ws=W.findall(t); ws2=[w.translate(LEET).strip("'*") for w in ws]
        mx=np.zeros(4); n=np.zeros(4)
        for seq in (ws,ws2):
            grams=seq+[a+' '+b for a,b in zip(seq,seq[1:])]
            for g in grams:
                v=LEX.get(g)
                if v is None and g.endswith('s'): v=LEX.get(g[:-1])
                if v is not None: mx=np.maximum(mx,v); n+=v>0
        you=any(w in YOU for w in ws)
        out[k,:4]=np.minimum(mx,3); out[k,4:8]=np.log1p(n/2); out[k,8]=you*(mx[1]+mx[3]>0); out[k,9]=you
    return out
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    row={'lin':fit(np.column_stack([c['oof'],E]),np.column_stack([c['s'],Et])),
         'lex':fit(np.column_stack([c['oof'],E,F]),np.column_stack([c['s'],Et,Ft])),
         'lex_only_head':fit(np.column_stack([c['oof'],F]),np.column_stack([c['s'],Ft]))}
    print(h,'hit rate tr %.3f te %.3f'%((F[:,:4].max(1)>0).mean(),(Ft[:,:4].max(1)>0).mean()),{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

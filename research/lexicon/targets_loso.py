"""Do hand-written lists of violence words, identity-group words and dehumanising nouns help the head
beyond rustrict's lexicon? Stand-in (research/lexicon/lexicon_loso.py), LOSO over the six sources."""
import sys, os, re, numpy as np
exec(open('/work/main/research/lexicon/lexicon_loso.py').read().split('tab=make_table')[0])
def stems(s): return set(s.split())
VIOL=stems("""kill kills killed killing murder murders murdered murdering shoot shoots shot shooting stab stabs stabbed
stabbing hang hanged hanging lynch lynched lynching burn burned burning slaughter slaughtered exterminate exterminated
extermination execute executed execution behead beheaded massacre genocide gas gassed bomb bombed bombing strangle
strangled choke beat beating punch punched smash bullet bullets gun guns knife die dies dying dead death deaths
eliminate wipe torture tortured rape raped raping assault attack attacked destroy destroyed annihilate drown drowned""")
GROUP=stems("""muslim muslims islam islamic jew jews jewish black blacks african africans asian asians chinese mexican
mexicans hispanic hispanics latino latinos arab arabs immigrant immigrants migrant migrants refugee refugees foreigner
foreigners women woman female females girls gay gays lesbian lesbians homosexual homosexuals transgender trans queer
queers christian christians catholic catholics hindu hindus sikh sikhs atheist atheists white whites indian indians
native natives disabled retarded elderly feminist feminists liberal liberals conservative conservatives democrat
democrats republican republicans leftist leftists minority minorities race racial ethnic religion""")
DEHUM=stems("""vermin animals animal beasts beast rats rat cockroaches cockroach parasites parasite scum filth filthy
trash garbage savages savage subhuman subhumans apes ape monkeys monkey pigs pig dogs dog disease plague cancer
infestation vile worthless inferior primitive barbaric barbarians""")
YOU={'you','your',"you're",'youre','u','ur','yourself','ya','yours'}
def tfeats(texts):
    out=np.zeros((len(texts),8))
    for k,t in enumerate(texts):
        ws=W.findall(t.lower()); n=max(len(ws),1)
        v=[w in VIOL for w in ws]; g=[w in GROUP for w in ws]; d=[w in DEHUM for w in ws]; y=[w in YOU for w in ws]
        out[k]=[any(v),sum(v)/n,any(g),sum(g)/n,any(d),any(g) and any(d),any(g) and any(v),any(y) and any(v)]
    return out
tab=make_table(64)
res={}
for h in S:
    c=cache(h); Xtr,ytr,w,Xte,yte=split(h)
    E=emb(Xtr,tab,False); Et=emb(Xte,tab,False); F=feats(Xtr); Ft=feats(Xte); T=tfeats(Xtr); Tt=tfeats(Xte)
    def fit(H,Ht): return roc_auc_score(yte,LogisticRegression(C=1,max_iter=3000).fit(H,ytr).decision_function(Ht))
    base=[c['oof'],E,F]; baset=[c['s'],Et,Ft]
    sel={'lex':[],'viol':[0,1],'group':[2,3],'dehum':[4],'combos':[5,6,7],'all':list(range(8))}
    row={k:fit(np.column_stack(base+[T[:,ix]]),np.column_stack(baset+[Tt[:,ix]])) for k,ix in sel.items()}
    print(h,'tr hit v %.3f g %.3f d %.3f'%tuple(T[:,[0,2,4]].mean(0)),{k:round(v,4) for k,v in row.items()},flush=True)
    res[h]=row
ks=list(next(iter(res.values())).keys())
print('mean', {k:round(float(np.mean([res[h][k] for h in S])),4) for k in ks})

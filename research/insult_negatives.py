#!/usr/bin/env python3
"""Does the INSULT head stop flagging civil comments that address someone ("you") if it also learns
from them, as IDENTITY_ATTACK did from civil group mentions? (2026-12-04; answer in
models/MODEL_CARD.md, "Attribute heads": the flags fall, GitHub's insults are lost; not kept.)

    python3 research/insult_negatives.py 0:own 0.1:olid 0.25:olid 0.5:olid hostile:olid

Same validation as research/identity_negatives_choice.py (its helpers): the two insult train files
split 75/25 by thread, civil (label 0) c3_toxic and reddit_incivility train rows with a second-person
word, a quarter held out by hash; SELECTION:INTO = a seeded fraction or `hostile`, appended to OLID's
file or as their own.
"""
import csv, json, os, random, re, subprocess, sys, zlib
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0,os.path.join(ROOT,'scripts')); sys.path.insert(0,os.path.join(ROOT,'research'))
from identity_negatives_data import hostile
import identity_negatives_choice as C
csv.field_size_limit(1<<30)
B=C.B; EXE=C.EXE; TMP=C.TMP
Y=re.compile(r"\b(you|your|you're|youre|yourself|u|ur)\b",re.I)
civ_tr=[];civ_va=[]
for t in ("c3_toxic","reddit_incivility"):
    for r in csv.DictReader(open(os.path.join(B,t,"train.csv"),newline="")):
        if r["label"]=="0" and Y.search(r["text"]):
            row=[f"{t}_{r['id']}",r["thread_id"],r["parent_id"],r["text"],"","0"]
            (civ_va if zlib.crc32(f"{t}{r['id']}".encode())%4==0 else civ_tr).append(row)
print(len(civ_tr),len(civ_va),sum(hostile(r[3]) for r in civ_tr))
H=("olid","gh"); tr={};va={}
for t in H:
    rows=C.rows_of(os.path.join(B,f"attr_insult_{t}","train.csv"))
    held=[zlib.crc32((t+(r[1] or r[0])).encode())%4==0 for r in rows]
    tr[t]=C.write(os.path.join(TMP,f"i{t}_tr.csv"),[r for r,h in zip(rows,held) if not h])
    va[t]=C.write(os.path.join(TMP,f"i{t}_va.csv"),[r for r,h in zip(rows,held) if h])
C.IA=H
for spec in sys.argv[1:]:
    sel,into=spec.split(':')
    extra=[] if sel=='0' else [r for r in civ_tr if hostile(r[3])] if sel=='hostile' else random.Random(1).sample(civ_tr,int(len(civ_tr)*float(sel)))
    files=dict(tr)
    if extra and into=='own': data=list(files.values())+[C.write(os.path.join(TMP,'own.csv'),extra)]
    else:
        if extra: files[into]=C.write(os.path.join(TMP,'into.csv'),C.rows_of(files[into])+extra)
        data=list(files.values())
    m=os.path.join(TMP,'m.json')
    subprocess.run([EXE,"-q","train","--vocab-of",os.path.join(ROOT,"models","incivility.json"),"-C","2","--balance-files","--data",*data,"-o",m],check=True,capture_output=True)
    out={t:C.auc(m,p) for t,p in va.items()}
    out['mean']=round(sum(out[t] for t in H)/2,4)
    for t,p in va.items(): out[t+'+civ']=C.auc(m,C.write(os.path.join(TMP,f"{t}_c.csv"),C.rows_of(p)+civ_va))
    out['mean+civ']=round(sum(out[t+'+civ'] for t in H)/2,4)
    out['flagged']=C.flagged(m,C.write(os.path.join(TMP,'cv.csv'),civ_va))
    print(spec,len(extra),json.dumps(out),flush=True)

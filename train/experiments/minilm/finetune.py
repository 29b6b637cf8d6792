# Fine-tune all-MiniLM-L6-v2 on the explain training sentences (multi-label, masked BCE), then
# write per-sentence probabilities for the dev explanations' sentences (/tmp/ft/dev_sents.jsonl).
import json, glob, random, sys, time, torch, numpy as np
from transformers import AutoTokenizer, AutoModel
import pathlib
ROOT=pathlib.Path(__file__).resolve().parents[3]
torch.set_num_threads(1); torch.manual_seed(1); random.seed(1)
M=str(ROOT/'target/minilm/x/m')
T=json.load(open(ROOT/'train/raw/explain-classes.json'))
classes=[]; topic_classes={}
for t in T:
    cs=[i['class'] for i in t['ideas']]+[m['class'] for m in t['misconceptions']]
    topic_classes[t['topic']]=cs; classes+=cs
classes.append('analogy'); idx={c:i for i,c in enumerate(classes)}
rows=[]
for f in sorted(glob.glob(str(ROOT/'train/data/explain/*.jsonl'))):
    for l in open(f):
        r=json.loads(l); topic=r.get('topic')
        parts=r['sentences'] if 'sentences' in r else [r]
        for p in parts:
            allowed=set(topic_classes[topic]+['analogy'])
            m=r.get('mask') or p.get('mask')
            if m: allowed &= set(m)
            y=np.zeros(len(classes),np.float32); mk=np.zeros(len(classes),np.float32)
            for c in allowed: mk[idx[c]]=1
            for c in p.get('labels',[]):  # prepare.py has already mapped renamed classes
                if c in idx: y[idx[c]]=1; mk[idx[c]]=1
            rows.append((p['text'],y,mk))
print(len(rows),'sentences',len(classes),'classes',flush=True)
tok=AutoTokenizer.from_pretrained(M); enc=AutoModel.from_pretrained(M)
head=torch.nn.Linear(384,len(classes))
opt=torch.optim.AdamW([{"params":list(enc.parameters()),"lr":float(sys.argv[2])},{"params":list(head.parameters()),"lr":2e-3}])
EPOCHS=int(sys.argv[1]) if len(sys.argv)>1 else 1; B=32
steps=EPOCHS*((len(rows)+B-1)//B); sched=torch.optim.lr_scheduler.LambdaLR(opt,lambda s:min(1,(s+1)/100)*max(0.0,1-s/steps))
def embed(texts):
    b=tok(texts,padding=True,truncation=True,max_length=64,return_tensors='pt')
    h=enc(**b).last_hidden_state; a=b['attention_mask'].unsqueeze(-1).float()
    return (h*a).sum(1)/a.sum(1)
t0=time.time(); step=0
for ep in range(EPOCHS):
    random.shuffle(rows); enc.train()
    for i in range(0,len(rows),B):
        bt=rows[i:i+B]
        logits=head(torch.nn.functional.dropout(embed([x[0] for x in bt]),0.1,True))
        y=torch.tensor(np.stack([x[1] for x in bt])); mk=torch.tensor(np.stack([x[2] for x in bt]))
        loss=(torch.nn.functional.binary_cross_entropy_with_logits(logits,y,reduction='none')*mk).sum()/mk.sum()
        opt.zero_grad(); loss.backward(); opt.step(); sched.step(); step+=1
        if step%50==0: print(f'ep {ep} step {step}/{steps} loss {loss.item():.4f} {time.time()-t0:.0f}s',flush=True)
enc.eval()
torch.save({'enc':enc.state_dict(),'head':head.state_dict(),'classes':classes},'/tmp/ft/model.pt')
for name in ['dev_sents']:
    S=[json.loads(l) for l in open(f'/tmp/ft/{name}.jsonl')]
    with torch.no_grad(), open(f'/tmp/ft/{name}.probs.jsonl','w') as w:
        for i in range(0,len(S),64):
            bt=S[i:i+64]; p=torch.sigmoid(head(embed([x['text'] for x in bt]))).numpy()
            for x,pp in zip(bt,p):
                w.write(json.dumps({**x,'p':{c:float(pp[idx[c]]) for c in topic_classes[x['topic']]+['analogy']}})+'\n')
print('done',time.time()-t0,flush=True)

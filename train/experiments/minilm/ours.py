import json,subprocess,collections,sys,pathlib
ROOT=pathlib.Path(__file__).resolve().parents[3]
model=sys.argv[1] if len(sys.argv)>1 else str(ROOT/'packs/cloudflare-pm/model/explain.bin')
T={t['topic']:t for t in json.load(open(ROOT/'train/raw/explain-classes.json'))}
S=[json.loads(l) for l in open('/tmp/ft/dev_sents.jsonl')]
by=collections.defaultdict(list)
for i,s in enumerate(S): by[s['topic']].append(i)
for s in S: s['p']={}
for topic,ids in by.items():
    inp=''.join(S[i]['text'].replace('\n',' ')+'\n' for i in ids)
    cs=[x['class'] for x in T[topic]['ideas']]+[x['class'] for x in T[topic]['misconceptions']]+['analogy']
    for c in cs:
        out=subprocess.run([str(ROOT/'target/release/debrief-train'),'--kind','explain','--out',model,'--probe',c],input=inp,capture_output=True,text=True).stdout.splitlines()
        assert len(out)==len(ids),(c,len(out),len(ids))
        for i,l in zip(ids,out): S[i]['p'][c]=float(l.split('\t')[0])
with open(sys.argv[2] if len(sys.argv)>2 else '/tmp/ft/ours.probs.jsonl','w') as w:
    for s in S: w.write(json.dumps(s)+'\n')

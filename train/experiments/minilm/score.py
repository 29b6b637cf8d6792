import json,sys,collections,pathlib
ROOT=pathlib.Path(__file__).resolve().parents[3]
E={json.loads(l)['id']:json.loads(l) for l in open(ROOT/'eval/explain-dev.jsonl')}
S=[json.loads(l) for l in open(sys.argv[1])]
mx=collections.defaultdict(float)
for s in S:
    for c,p in s['p'].items(): mx[(s['id'],c)]=max(mx[(s['id'],c)],p)
def agree(t,kind=None):
    a=n=0
    for r in E.values():
        if kind and r['kind']!=kind: continue
        for i,lab in r['ideas'].items():
            pred=mx[(r['id'],f"{r['topic']}:{i}")]>=t
            a+= pred==(lab=='present'); n+=1
    return a/n
best=max((agree(t/100),t/100) for t in range(5,96,5))
print(sys.argv[1], 'best %.1f%% at %.2f'%(100*best[0],best[1]), ' at .25: %.1f%%  at .5: %.1f%%'%(100*agree(.25),100*agree(.5)),
      ' by kind at best:', {k:round(100*agree(best[1],k),1) for k in ['good','wrong','jargon','flawed']})

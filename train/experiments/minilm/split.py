import json,re,pathlib
ROOT=pathlib.Path(__file__).resolve().parents[3]
out=open('/tmp/ft/dev_sents.jsonl','w')
for l in open(ROOT/'eval/explain-dev.jsonl'):
    r=json.loads(l)
    for para in r['text'].split('\n'):
        for s in re.split(r'(?<=[.!?])\s+',para.strip()):
            if s.strip(): out.write(json.dumps({'id':r['id'],'topic':r['topic'],'text':s.strip()})+'\n')

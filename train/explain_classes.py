#!/usr/bin/env python3
"""Writes train/raw/explain-classes.json, the explain drill's classes that labellers of explain
sentences label with, from the default pack's topics: per topic its prompt, its ideas
(`<topic>:<concept>`) and its misconceptions (`<topic>:!<misconception>`, with the claim and
what is true instead). Run from the repository root after a topic changes:
python3 train/explain_classes.py [TOPICS_DIR]
"""
import json, pathlib, sys, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
topics = root / "packs" / "cloudflare-pm" / "topics"
if len(sys.argv) > 1:
    topics = pathlib.Path(sys.argv[1])
path = root / "train" / "raw" / "explain-classes.json"
# The order the topics were added in, as the file has them; a new topic goes last.
before = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
known = [t["topic"] for t in before]
# An idea keeps the wording labellers were given before (some are longer than the pack's name).
worded = {i["class"]: i["idea"] for t in before for i in t["ideas"]}
names = sorted(p.stem for p in topics.glob("*.toml"))
out = []
for tid in [t for t in known if t in names] + [t for t in names if t not in known]:
    t = tomllib.loads((topics / f"{tid}.toml").read_text(encoding="utf-8"))
    out.append({
        "topic": t["id"],
        "prompt": t["prompt"],
        "ideas": [{"class": f"{t['id']}:{c['id']}", "idea": worded.get(f"{t['id']}:{c['id']}", c["name"])}
                  for c in t.get("concept", [])],
        "misconceptions": [{"class": f"{t['id']}:!{m['id']}", "claim": m["claim"], "why": m["why"]}
                           for m in t.get("misconception", [])],
    })
path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{path.relative_to(root)}: {len(out)} topics, "
      f"{sum(len(t['misconceptions']) for t in out)} misconceptions")

#!/usr/bin/env python3
"""Builds eval/explain-dev2.jsonl, a second dev set for the explain drill: 384 explanations
written blind on 2026-12-07 and labelled sentence by sentence, kept out of training. When they
were first read, neither the explain model nor any of the drill's tuning had seen them (the
drill as shipped then quoted an error in 144 of their 256 wrong ones, against 97 of 113 on
eval/explain-dev.jsonl, which it had been tuned on); the claims reader's bar has been chosen on
them since (see packs/cloudflare-pm/model/PROVENANCE.md).

Sixteen writers (brief train/raw/blind/TASK-TRAIN-BLIND-EXPLAIN-4.md: RUBRIC.md and the article
only, never the pack, the class list or any data) wrote per topic 4 good and 8 fluent but wrong
explanations at 110 to 300 words (train/raw/blind/bw33.jsonl to bw48.jsonl, each writer two
topics, each topic two writers). Sixteen others split and labelled them sentence by sentence
with the class list (brief train/raw/blind/TASK-LABEL-BLIND-EXPLAIN.md; te60 is bw33's labelling,
..., te75 bw48's). train/prepare.py leaves them out of training (LEFT_OUT).

Each record takes the drill's eval shape (`debrief eval`, crates/debrief-cli/src/cmd/eval):
- `ideas`: an idea is present where a labeller put it on a sentence, otherwise absent (these
  labels do not tell an idea stated wrongly from one left out; the drill's figure does not either);
- `labelled.errors`: every sentence labelled with a listed misconception or marked `error` (false
  in a way no listed misconception covers);
- `labelled.verdict`: pass for a good explanation with no sentence labelled wrong, else fail. The
  labellers did not judge time, jargon or the share of ideas, so verdict agreement here is rough:
  read the ideas, the errors quoted and the wrong ones passed.
Run from the repository root: python3 eval/dev2.py
"""
import json, pathlib, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
raw = root / "train" / "raw"
topics = {}
for f in sorted((root / "packs" / "cloudflare-pm" / "topics").glob("*.toml")):
    t = tomllib.loads(f.read_text(encoding="utf-8"))
    topics[t["id"]] = t

FIRST, LAST = 60, 75  # te60 .. te75, labellings of bw33 .. bw48
rows = []
for n in range(FIRST, LAST + 1):
    writer = f"bw{n - 27}.jsonl"
    texts = {}
    for line in (raw / "blind" / writer).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            texts[r["id"]] = r
    for line in (raw / f"te{n}-explain.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        src = texts[r["id"]]
        topic = topics[r["topic"]]
        labels = {c for s in r["sentences"] for c in s["labels"]}
        ideas = {
            c["id"]: "present" if f"{r['topic']}:{c['id']}" in labels else "absent"
            for c in topic["concept"]
        }
        errors = []
        for s in r["sentences"]:
            claims = [c.split(":!", 1)[1] for c in s["labels"] if ":!" in c]
            if claims or "error" in s:
                errors.append({"quote": s["text"], "why": s.get("error") or "states " + ", ".join(claims)})
        rows.append({
            "id": r["id"],
            "topic": r["topic"],
            "kind": r["kind"],
            "text": src["text"],
            "words": len(src["text"].split()),
            "ideas": ideas,
            "labelled": {
                "errors": errors,
                "verdict": "pass" if r["kind"] == "good" and not errors else "fail",
                "analogy": "analogy" in labels,
            },
            "writer": f"blind helper, train/raw/blind/TASK-TRAIN-BLIND-EXPLAIN-4.md, {writer}",
            "labeller": f"a second helper, train/raw/blind/TASK-LABEL-BLIND-EXPLAIN.md, te{n}-explain.jsonl",
            "split": "dev2",
        })
out = root / "eval" / "explain-dev2.jsonl"
with open(out, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"{out.relative_to(root)}: {len(rows)}")

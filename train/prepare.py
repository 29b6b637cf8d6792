#!/usr/bin/env python3
"""Converts labelled data kept elsewhere in the project into train/data's record format.

- ../shared/data/disqualifier-clauses.jsonl (900 sentences written for training by a writer who
  saw only RUBRIC.md; `label` 1 is the disqualifying act) -> train/data/disqualifier-clauses.jsonl,
  each sentence known only for `security-bypassed`.
- crates/debrief-core/tests/corpus (the project's own 50 labelled answers) ->
  train/data/corpus-answers.jsonl, whole answers with their label and group.
Run from the repository root: python3 train/prepare.py [path/to/disqualifier-clauses.jsonl]
"""
import json, pathlib, sys, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "train" / "data"
out.mkdir(parents=True, exist_ok=True)

src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data" / "disqualifier-clauses.jsonl"
if src.exists():
    with open(src, encoding="utf-8") as f, open(out / "disqualifier-clauses.jsonl", "w", encoding="utf-8") as w:
        n = 0
        for i, line in enumerate(f):
            if not line.strip():
                continue
            r = json.loads(line)
            w.write(json.dumps({
                "id": f"dqc-{i + 1:04}", "text": r["text"],
                "labels": ["security-bypassed"] if r["label"] == 1 else [],
                "mask": ["security-bypassed"], "kind": r.get("kind"),
            }, ensure_ascii=False) + "\n")
            n += 1
    print(f"disqualifier-clauses.jsonl: {n}")

corpus = root / "crates" / "debrief-core" / "tests" / "corpus"
manifest = tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))
with open(out / "corpus-answers.jsonl", "w", encoding="utf-8") as w:
    for a in manifest["answer"]:
        text = (corpus / "answers" / a["file"]).read_text(encoding="utf-8")
        w.write(json.dumps({
            "id": "corpus-" + a["file"].removesuffix(".md"), "group": "corpus-" + a.get("group", a["file"]),
            "label": a["label"], "answer": text, "disqualified": a.get("disqualified", False),
        }, ensure_ascii=False) + "\n")
print(f"corpus-answers.jsonl: {len(manifest['answer'])}")

#!/usr/bin/env python3
"""Builds eval/*-dev.jsonl and eval/*-test.jsonl from the blind writers' files in eval/raw/.

Every record keeps its writer's fields, gains `writer` (which brief and file it came from) and
`split`. A group (a ladder, a minimal pair) or an explanation goes to dev or test as a whole, by
a hash of its group or id, so the split never changes when records are added elsewhere.
Run from the repository root: python3 eval/split.py
"""
import hashlib, json, pathlib, sys

root = pathlib.Path(__file__).resolve().parent
raw = root / "raw"

def split_of(key):
    return "dev" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "test"

def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def write(name, records):
    for split in ("dev", "test"):
        rows = [r for r in records if r["split"] == split]
        with open(root / f"{name}-{split}.jsonl", "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}-{split}.jsonl: {len(rows)}")

# Sets written after the test split had been read for the last time, kept for tuning only: their
# writers' summaries (which quote errors and hard cases) reached the developer before any change,
# and the test split stays the one every earlier figure was measured on.
DEV_ONLY = {"bd4-acts.jsonl", "bd5-acts.jsonl", "be4-explain-a.jsonl", "be4-explain-b.jsonl"} | {
    f"be5-explain-{x}.jsonl" for x in "abcd"}
# Sets written for the test split alone: their writers and labellers replied with counts only, so
# no text, error or label reached the developer before the drill was measured on them.
TEST_ONLY = {f"be6-explain-{x}.jsonl" for x in "abcd"}

def split_for(path, key):
    if path in DEV_ONLY:
        return "dev"
    if path in TEST_ONLY:
        return "test"
    return split_of(key)

answers = []
for path, brief in [("ba1-ladders.jsonl", "TASK-LADDERS"), ("ba2-ladders.jsonl", "TASK-LADDERS"),
                    ("ba3-ladders.jsonl", "TASK-LADDERS"), ("bd-acts.jsonl", "TASK-ACTS"),
                    ("bd2-acts.jsonl", "TASK-ACTS"), ("bd3-acts.jsonl", "TASK-ACTS"),
                    ("bd4-acts.jsonl", "TASK-ACTS"), ("bd5-acts.jsonl", "TASK-ACTS")]:
    for r in read(raw / path):
        r["writer"] = f"blind helper, briefs/{brief}.md, {path}"
        r["split"] = split_for(path, r["group"])
        r.setdefault("trap", "none")
        answers.append(r)
write("answers", answers)

clauses = []
for path in ["bc1-clauses.jsonl", "bc2-clauses.jsonl"]:
    for r in read(raw / path):
        r["writer"] = f"blind helper, briefs/TASK-CLAUSES.md, {path}"
        r["split"] = split_of(r["id"])
        clauses.append(r)
write("clauses", clauses)

labels = {}
for path in ["be-labels.jsonl", "be2-labels.jsonl", "be3-labels-a.jsonl", "be3-labels-b.jsonl",
             "be4-labels-a.jsonl", "be4-labels-b.jsonl"] + [f"be{n}-labels-{x}.jsonl" for n in (5, 6)
                                                             for x in "abcd"]:
    if (raw / path).exists():
        for r in read(raw / path):
            labels[r["id"]] = r
# A second labelling of every explanation, blind to the first (2026-12-06, brief
# TASK-RELABEL-EXPLAIN.md): the labeller saw the texts and the topics' ideas only. `debrief eval`
# reports how far the two labellers agree, and the drill against each.
second = {}
for path in sorted(raw.glob("relabel/rl-*-labels.jsonl")):
    for r in read(path):
        second[r["id"]] = r
explain = []
for path, task, label_task in [
    ("be-explain.jsonl", "TASK-EXPLAIN", "TASK-LABEL-EXPLAIN"),
    ("be2-explain.jsonl", "TASK-EXPLAIN-2", "TASK-LABEL-EXPLAIN-2"),
    # The four newest topics again, five fluent but wrong explanations of each in ten
    # (2026-12-05): the errors the first two sets had too few of to measure.
    ("be3-explain-a.jsonl", "TASK-EXPLAIN-3", "TASK-LABEL-EXPLAIN-3"),
    ("be3-explain-b.jsonl", "TASK-EXPLAIN-3", "TASK-LABEL-EXPLAIN-3"),
    # All sixteen topics, one good and two fluent but wrong explanations of each (2026-12-05).
    ("be4-explain-a.jsonl", "TASK-EXPLAIN-4", "TASK-LABEL-EXPLAIN-4"),
    ("be4-explain-b.jsonl", "TASK-EXPLAIN-4", "TASK-LABEL-EXPLAIN-4"),
    # All sixteen topics again, three good and three fluent but wrong explanations of each, the
    # good ones at 110 to 300 words and the wrong ones at 180 to 300 (2026-12-06): in the sets
    # before, good ones ran 240 to 300 words and wrong ones shorter, so that a word count alone
    # agreed with the verdicts more often than the drill on the test split. Dev only (the
    # writers' summaries, which name their errors, reached the developer).
] + [(f"be5-explain-{x}.jsonl", "TASK-EXPLAIN-5", "TASK-LABEL-EXPLAIN-5") for x in "abcd"] + [
    # The same design again (2026-12-06, late), for the test split alone: in the test split
    # before it, good ones ran 240 to 300 words and wrong ones shorter.
    (f"be6-explain-{x}.jsonl", "TASK-EXPLAIN-6", "TASK-LABEL-EXPLAIN-6") for x in "abcd"]:
    for r in read(raw / path):
        r["writer"] = f"blind helper, briefs/{task}.md, {path}"
        l = labels.get(r["id"])
        if l is None:
            sys.exit(f"{r['id']}: not labelled yet (eval/raw/{path.replace('explain', 'labels')})")
        r["ideas"] = l["ideas"]
        r["labelled"] = {k: l[k] for k in ("analogy", "errors", "unexplained_jargon", "verdict", "note") if k in l}
        r["labeller"] = f"a second helper, briefs/{label_task}.md, who saw the ideas but wrote no text"
        r["split"] = split_for(path, r["id"])
        l2 = second.get(r["id"])
        if l2 is not None:
            r["ideas_second"] = l2["ideas"]
            r["labelled_second"] = {k: l2[k] for k in ("analogy", "errors", "unexplained_jargon", "verdict", "note") if k in l2}
            r["second_labeller"] = "a third helper, briefs/TASK-RELABEL-EXPLAIN.md, who saw the texts and the ideas only"
        explain.append(r)
write("explain", explain)

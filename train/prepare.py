#!/usr/bin/env python3
"""Converts labelled data kept elsewhere in the project into train/data's record format.

- train/raw/shared-disqualifier-clauses.jsonl (900 sentences the team's shared data holds, written
  for training by a writer who saw only RUBRIC.md; `label` 1 is the disqualifying act) ->
  train/data/judge/disqualifier-clauses.jsonl, each sentence known only for `security-bypassed`.
- train/raw/*.jsonl (the training writers' files) -> train/data/judge/ (answers and their
  sentences) and train/data/explain/ (te*: explain-drill sentences), with a mask where a writer
  labelled only some classes.
- crates/debrief-core/tests/corpus (the project's own 50 labelled answers) ->
  train/data/corpus-answers.jsonl, whole answers with their label and group.
train/data/ is made by this script and not kept in git; train/rebuild.sh runs it.
Run from the repository root: python3 train/prepare.py
"""
import json, pathlib, sys, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "train" / "data" / "judge"
out.mkdir(parents=True, exist_ok=True)
explain_out = root / "train" / "data" / "explain"
explain_out.mkdir(parents=True, exist_ok=True)

src = root / "train" / "raw" / "shared-disqualifier-clauses.jsonl"
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

# The helpers' files (train/raw/), copied with what each one's labels cover. A writer asked to
# focus on the disqualifier labelled its neighbours (refusals, halted launches, averted findings)
# but not every class, so its sentences teach only those.
DISQUALIFIER_NEIGHBOURS = ["security-bypassed", "refused-to-skip", "halted-launch", "vulnerability-caught",
                           "said-no", "date-over-safety", "security-controls"]
FOCUS = {
    "ts1-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    # Controls switched off or relaxed, and reviews postponed or known holes shipped: the
    # disqualifier's plain-word acts and their hard negatives (session 7's writers).
    "ts6-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    "ts7-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    # Indirect acts, weaker modes and controls working as designed; minimal pairs on small words.
    "ts8-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    "ts9-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    # The act hidden in ordinary talk (buried clauses, fillers, euphemisms, outcomes) and minimal
    # pairs on decision verbs (session 9's writers).
    "ts10-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    "ts11-sentences.jsonl": DISQUALIFIER_NEIGHBOURS,
    # The act against the candidate's own decisions that are not one: "the default was my call",
    # log-only before enforcing, features retired for product reasons; and the act told tersely
    # or in a second sentence (session 10's writer). Its writer labelled every class it saw; the
    # decision classes it was asked about are trusted beside the disqualifier's neighbours.
    # Left out for now: see LEFT_OUT.
    "ts13-sentences.jsonl": DISQUALIFIER_NEIGHBOURS + ["owned-decision", "guarded-rollout", "scoped-down"],
}
# Sixteen misconceptions added on 2026-12-05 to the four newest topics (te12-new-misconceptions.json)
# and their sentences (te12, te13): the writers were asked about those claims, so their sentences
# teach those claims only (the ideas they also labelled are left to the writers who covered them).
NEW_CLAIMS = [m["class"] for m in json.loads((root / "train" / "raw" / "te12-new-misconceptions.json").read_text(encoding="utf-8"))]
FOCUS["te12-explain.jsonl"] = NEW_CLAIMS
FOCUS["te13-explain.jsonl"] = NEW_CLAIMS
# te14 to te17 (2,249 explain sentences, 2026-12-06, brief TASK-TRAIN-CLAIMS.md): every topic's
# misconceptions as fluent explainers put them (long sentences with a reason or a consequence,
# beside true statements, as advice or an absolute), 8 each, with 5 true hard negatives on the
# same words; written from the class list alone, so they teach the misconceptions only (the
# writers labelled no ideas). Trained on since 2026-12-06: see below.
ALL_CLAIMS = [m["class"] for t in json.loads((root / "train" / "raw" / "explain-classes.json").read_text(encoding="utf-8")) for m in t["misconceptions"]]
for n in range(14, 18):
    FOCUS[f"te{n}-explain.jsonl"] = ALL_CLAIMS
# te18 and te19 (2026-12-06, brief TASK-TRAIN-NOIDEA.md): sentences of an explanation that convey
# none of the topic's ideas (short framing and connective sentences, on-topic scene-setting,
# analogy set-ups not yet mapped, true facts that are no listed idea), labelled with no idea and
# no misconception; whether a sentence is an analogy is left to the writers who covered it.
# Written against the drill crediting ideas in sentences that only set the scene (a second,
# blind labelling of the eval explanations showed the gap to the labels is the drill's, in
# fluent but wrong explanations above all). Tried on the dev split, seeds 1 to 3: ideas agreed
# 82.5%, 80.5% and 81.2% against 82.5%, 81.9% and 82.2% without them; good ones passed 46, 46
# and 45 of 50 against 45, 44 and 44, but wrong ones passed 12, 11 and 13 of 65 against 9, 13
# and 14, and errors quoted fell (44, 45, 46 against 48, 45, 46). No gain that held: left out.
IDEAS = [i["class"] for t in json.loads((root / "train" / "raw" / "explain-classes.json").read_text(encoding="utf-8")) for i in t["ideas"]]
for n in (18, 19):
    FOCUS[f"te{n}-explain.jsonl"] = IDEAS + ALL_CLAIMS
# Written and tried, not trained on: ts12 (the act told as a consequence, a state or an accepted
# risk; who acted made explicit). On dev it moved the disqualifier's curve a little (75 acts of 94
# at 8 false against 73 at 8), but on test it doubled the false disqualifiers (7 to 14 of 281) for
# 7 more acts caught, and ranked worse (AUC 0.978 to 0.970, ladders 44 to 40 of 48). Kept for a
# later look at why.
# ts13 (1,200, 2026-12-03: ownership statements that are not the act, log-only before enforcing,
# terse acts and acts in a second sentence), with the static word-piece vectors: on dev it
# raised every disqualifier reading, so that the curve fell (62 acts of 94 at 4 false, 65 at 6,
# 71 at 8, against 69 at 3 without it). Kept for a later look; the false act it was written
# against ("The default was my call") is handled by a rule (engine.rs, `ownership_only`).
# te10 and te11 (2,038 explain sentences, 2026-12-04: more of every idea, misconception, hard
# negative and analogy for the four newest topics, in transcript, British, non-native and
# two-idea voices): on the dev split's 17 explanations of those topics, ideas agreed 77.8%,
# 77.8% and 79.5% (seeds 1 to 3) against 82.9%, 80.3% and 78.6% without them, and the wrong ones
# failed no more often (0 or 1 of 4 either way); the twelve older topics did not move (89.0%).
# No gain that held at the time, so the model was not retrained on them then. Kept: the misses
# on those topics are ideas credited where the labellers saw none (18 of 86), which more
# positive sentences do not cure. Trained on since 2026-12-06, with te14 to te17: see below.
# te12 and te13 (963 explain sentences, 2026-12-05: the sixteen claims added that day to the
# four newest topics, each stated about 32 times and denied or corrected about 21 times; taught
# as those claims only, see FOCUS): on the dev split (94 explanations, 36 of the four topics),
# seeds 1 to 3, ideas agreed 81.0%, 82.9% and 82.0% and the wrong ones failed 25, 26 and 25 of 33,
# against 84.6% and 28 of 33 for the model without them and those claims left to the phrases.
# Trained apart from the ideas (members of their own, tried the same day) they did no better:
# 83.3% on average and 26 of 33. No gain that held, so the claims are the phrases' alone.
# te14 to te17, tried on the dev split (142 explanations) at the claims' bar of 0.8: errors
# quoted in wrong explanations 48 to 50 of 65, but wrong ones passed 9 to 11, ideas agreed 82.5%
# to 80.7%, and two of the pack's denied examples were flagged; at a bar of 0.7 or 0.6 more wrong
# ones failed (55 and 57 of 65) for fewer good ones passed (43 and 41 of 50, from 45). No gain
# that held, so the model was not retrained on them then.
# Tried again on 2026-12-06 (later), once an explanation that states a wrong claim earns ideas only
# from readings of 0.5 or more (explain/mod.rs, DOUBTED_IDEA_BAR): te10, te11 and te14 to te17
# together helped on every dev figure over seeds 1 to 3. Three networks of 32 dimensions read ideas
# 85.1%, 83.9% and 84.3% (84.3%, 83.7%, 83.8% without them) but weigh 11.1 MB, past the 25 MB both
# models may take; smaller three-network models (24 to 28 dimensions) each missed or flagged one to
# four of the pack's own misconception examples (`debrief pack check`; 24 dimensions, seeds 1 to 3:
# 3, 1 and 4). Two networks of 32 dimensions (8.1 MB) are what the model is now: ideas 85.1%, 85.4%
# and 84.7% (the same two networks without these files: 83.5%, 83.8%, 84.0%; the three networks
# shipped before, with the same rule: 84.3%, 83.7%, 83.8%), errors quoted in wrong explanations 47,
# 49 and 48 of 65 (48, 47, 46; 48, 45, 46), errors quoted where none was labelled 2, 3 and 3 (3, 4,
# 6; 3, 5, 4), good ones passed 46, 45 and 43 of 50 (45, 44, 42; 45, 44, 44), wrong ones passed 9,
# 8 and 11 of 65 (11, 11, 11; 9, 13, 14); seed 1's model keeps every pack example, seeds 2 and 3
# miss two and three.
# te20 to te27 (320 whole explanations, 3,304 sentences, 2026-12-06, brief
# TASK-TRAIN-EXPLANATIONS.md): per topic 14 fluent but wrong explanations and 6 good ones, written
# whole and then labelled sentence by sentence, strictly (an idea only where a sentence conveys it
# rightly; 146 sentences false in ways no listed misconception covers carry an `error` note and
# no label). Written against the drill crediting ideas in wrong explanations. Tried on the dev
# split, seeds 1 to 3, against the same model without them: ideas agreed 83.8%, 84.8%, 84.8%
# (85.2%, 85.4%, 84.8%): fewer ideas credited wrongly (86, 84, 83 against 91, 88, 90) but more
# missed (57, 50, 51 against 40, 41, 44); errors quoted in wrong explanations 50, 49, 47 of 65
# (47, 49, 48); good ones passed 41, 45, 46 of 50 (46, 45, 43); the model grew from 8.1 to 9.1 MB.
# Taught as claims and analogies only (ideas masked): 83.4%, 84.8%, 83.6%. With the static
# vectors as well: 83.7%, 85.0%, 85.2%, errors quoted 52, 51, 51, but good ones passed 41, 42, 40.
# No gain that held: left out. (At that size the learning curve says as much: half the explain
# data read 83.5% and 83.6% on dev, seeds 1 and 2, so about 1.6 points per doubling; 12% more
# data is worth a few tenths, inside the seeds' spread.)
# te28 to te51 (512 whole explanations, 10,602 sentences, 2026-12-06): written BLIND, as the
# eval's explanations are, by 24 helpers who saw RUBRIC.md and the article only, never the class
# list (briefs raw/blind/TASK-TRAIN-BLIND-EXPLAIN.md for bw1-8, per topic 4 good and 6 fluent but
# wrong; TASK-TRAIN-BLIND-EXPLAIN-2.md for bw9-24, 5 good and 6 wrong; their texts
# raw/blind/bw*.jsonl, each writer two topics, each topic three writers), then split and labelled
# sentence by sentence by 24 other helpers who saw the class list (brief
# raw/blind/TASK-LABEL-BLIND-EXPLAIN.md; te28 is bw1's labelling, ..., te51 bw24's). Trained on
# since the evening of 2026-12-06, with the pack's misconception examples taught once each and
# features seen in four sentences or more (train/rebuild.sh). Dev split, seeds 1 to 3: ideas
# agreed 87.3%, 87.2%, 86.2% against 85.2%, 85.4%, 84.8% for the model shipped before; ideas
# credited wrongly 72, 77, 77 (91, 88, 90); errors quoted in wrong explanations 50, 51, 51 of 65
# (47, 49, 48); wrong ones passed 6, 8, 9 (9, 8, 11); good ones passed 43, 46, 43 of 50 (46, 45,
# 43); every model keeps every pack example; 7.6 MB (8.1). On the way:
# - te28 to te35 alone (the first 160) moved dev by 0 to 1.9 points depending on where the files
#   sat in the data (86.8%, 87.1%, 87.0% read first; 85.2%, 85.7%, 85.0% read last). The trainer's
#   only order-dependent step is the order its seeded shuffle starts from (records are held out by
#   their id's hash, the vocabulary is sorted), so this reads as seed-like noise on a small
#   addition rather than a property of the files; the order was not tried again with all 512;
# - te28 to te43 (336) without the pack's examples: 85.6%, 85.9%, with 0 and 2 pack examples
#   broken; with them once each (10% held out for thresholds): 87.2%, 87.3%, 86.2% but 3, 2 and 1
#   broken; three times each, none held out: 85.6%, 85.7%, none broken; once each, none held out:
#   85.9%, 87.1%, one broken each (the denial the "can often still" contrast rule now covers);
# - with features seen in three sentences the model weighs 9.7 MB (10.2 MB with all 512), past the
#   9.6 MB the 25 MB budget leaves it; four reads the same (87.0%, 85.9% on te28 to te43);
# - three networks of 24 dimensions (8.3 MB): 86.3% (seed 1), no better;
# - these files' `analogy` labels (one sentence in seven, against one in eleven before) masked:
#   86.3%, 86.9%, and a plain "It keeps a copy." still read as an analogy; the analogy bar is kept
#   at the previous model's 0.62 instead (train/rebuild.sh).
# te52 to te59 (176 whole explanations, 3,015 sentences, 2026-12-06, late): written blind as te28
# to te51 were, one more writer per topic (brief raw/blind/TASK-TRAIN-BLIND-EXPLAIN-3.md: good ones
# at 110 to 300 words, wrong ones at 180 to 300, so that length tells the model nothing), labelled
# by eight others (te52 is bw25's labelling, ..., te59 bw32's). Trained on since, with the
# misconceptions added that night (LATE below); figures in PROVENANCE.md.
# ta6 to ta13 (320 whole answers, 3,104 sentences, 2026-12-06): written BLIND by eight helpers who
# saw RUBRIC.md and the article only, never the class list, the pack or any data (brief
# raw/blind/TASK-TRAIN-BLIND-ANSWERS.md; texts raw/blind/bwa1-8.jsonl, each writer a lean of voices,
# companies and questions): per writer four strong/mediocre/weak ladders, 12 answers with the
# disqualifying act in their own words and 16 hard traps, six act/trap minimal pairs. Eight other
# helpers split and labelled them sentence by sentence with LABELS.md (brief
# raw/blind/TASK-LABEL-BLIND-ANSWERS.md; ta6 is bwa1's labelling, ..., ta13 bwa8's); no labeller
# disagreed with a writer on an act. Tried with the judge's recipe, seeds 1 to 3, against the same
# recipe without them (figures on this machine, whose CPU rebuilds judge.bin to other last digits):
# dev (551 answers) AUC 0.982, 0.979, 0.978 (0.972, 0.973, 0.969), length taken out 0.974, 0.973,
# 0.973 (0.969, 0.969, 0.965), ladders 39, 39, 40 of 42 (36, 35, 37), acts caught 146, 144, 138
# of 174 (142, 139, 140) at 7, 7, 5 false of 377 (8, 6, 6). Test (379), read once for the three:
# AUC 0.983, 0.984, 0.982 (0.983, 0.979, 0.979), ladders 44, 42, 42 of 48 (40, 42, 41), but acts
# caught 70, 70, 70 of 98 (75, 74, 72) at 8, 7, 7 false of 281 (9, 9, 7). Ranking gained on both
# splits; the disqualifier, the figure issue 13 still misses, lost about four acts on test. With
# the act masked in these files (they teach the other classes only) or with only the
# disqualifier's neighbours taught, dev read the same (acts 148, 146, 140 at 9, 9, 6 false; 145,
# 148, 140 at 8, 6, 6). Not trained on until the disqualifier holds; the model would also grow
# from 15.4 to 16.4 MB. Tried again on 2026-12-07 with the act masked in these files (the rules
# of that day): dev acts 148, 146, 140 of 174 at 7, 7, 5 false of 377 (144, 142, 143 at 8, 6, 6),
# AUC 0.982, 0.979, 0.979 (0.974, 0.974, 0.970), ladders 39, 39, 40 of 42 (36, 35, 37); test
# (seed 1, once): AUC 0.983 (0.983), length taken out 0.982 (0.980), ladders 44 of 48 (41), but
# acts 70 of 98 (75) at 8 false of 281 (9). The same trade as before: left out.
# te60 to te75 (384 whole explanations, 6,709 sentences, 2026-12-07): written blind as te52 to te59
# were (brief raw/blind/TASK-TRAIN-BLIND-EXPLAIN-4.md: per topic 4 good and 8 fluent but wrong, two
# writers a topic; texts raw/blind/bw33-48.jsonl; te60 is bw33's labelling, ..., te75 bw48's). Not
# trained on: they are eval/explain-dev2.jsonl (eval/dev2.py), a second dev set of text the explain
# model has never read. Trained on in part first, to see what they were worth as data: with te60 to
# te63 taught, the drill on te64 to te67 read ideas 83.5%, 83.2%, 84.2% and quoted an error in 34,
# 30, 32 of 64 wrong ones (seeds 1 to 3), against 85.1%, 82.8%, 83.0% and 32, 32, 32 without them;
# with te60 to te67 taught, eval/explain-dev.jsonl read 86.2%, 87.0%, 87.6% and 93, 97, 97 quoted
# (87.5%, 86.7%, 88.0% and 97, 95, 98). No gain: about 8% more sentences is worth a few tenths of a
# point by the learning curve above, inside the seeds' spread, while as a measure they showed the
# drill quoting an error in 144 of 256 wrong ones against 97 of 113 on the dev split it was tuned
# on.
LEFT_OUT = {
    "ta6-answers.jsonl", "ta7-answers.jsonl", "ta8-answers.jsonl", "ta9-answers.jsonl",
    "ta10-answers.jsonl", "ta11-answers.jsonl", "ta12-answers.jsonl", "ta13-answers.jsonl",
    "ts12-sentences.jsonl",
    "ts13-sentences.jsonl",
    "te12-explain.jsonl",
    "te13-explain.jsonl",
    "te18-explain.jsonl",
    "te19-explain.jsonl",
} | {f"te{n}-explain.jsonl" for n in range(20, 28)} | {f"te{n}-explain.jsonl" for n in range(60, 76)}
# Two misconceptions a later explain writer proposed turned out to be ones the pack already had;
# their sentences teach the existing classes.
SAME_AS = {
    "rate-limiting:!bandwidth-throttling": "rate-limiting:!caps-bandwidth",
    "tls-handshake:!handshake-every-click": "tls-handshake:!handshake-every-page",
}
# The misconceptions added on the night of 2026-12-06 (late-misconceptions.json; 44 over the
# sixteen topics), each a false belief that came back in three or more of the sentences the blind
# labellers marked false in a way no listed misconception covered. Of the explain files, only
# those labelled blind (te28 and later) were read for them: every sentence of theirs that a
# labeller marked false was looked at again against the new claims (brief
# raw/blind/TASK-LABEL-NEW-CLAIMS.md; the classes it was given, late-claims-labels.jsonl), and a
# sentence not marked false states none of them. The other files' writers never saw these
# claims, so their sentences do not teach them.
LATE = set(json.loads((root / "train" / "raw" / "late-misconceptions.json").read_text(encoding="utf-8")))
LATE_LABELS = {}
for line in (root / "train" / "raw" / "late-claims-labels.jsonl").read_text(encoding="utf-8").splitlines():
    if line.strip():
        r = json.loads(line)
        LATE_LABELS[r["key"]] = r
late_applied = set()
BLIND_FIRST = 28
for src in sorted((root / "train" / "raw").glob("te[0-9]*.jsonl")):
    if int(src.name[2:].split("-")[0]) < BLIND_FIRST:
        known = FOCUS.get(src.name, IDEAS + ALL_CLAIMS + ["analogy"])
        FOCUS[src.name] = [c for c in known if c not in LATE]
for src in sorted((root / "train" / "raw").glob("t[aes]*.jsonl")):
    if src.name in LEFT_OUT:
        (out / src.name).unlink(missing_ok=True)
        (explain_out / src.name).unlink(missing_ok=True)
        print(f"{src.name}: left out (see LEFT_OUT)")
        continue
    mask = FOCUS.get(src.name)
    n = 0
    dest = explain_out if src.name.startswith("te") else out
    with open(src, encoding="utf-8") as f, open(dest / src.name, "w", encoding="utf-8") as w:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if mask is not None:
                r["mask"] = mask
            for si, part in enumerate(r.get("sentences", [])):
                late = LATE_LABELS.get(f"{src.name.split('-')[0]}:{n}:{si}")
                if late is not None:
                    if late["text"] != part["text"]:
                        sys.exit(f"late-claims-labels.jsonl: {late['key']} is not the sentence it names")
                    part["labels"] = part["labels"] + [c for c in late["labels"] if c not in part["labels"]]
                    late_applied.add(late["key"])
            for part in [r] + r.get("sentences", []):
                if "labels" in part:
                    part["labels"] = [SAME_AS.get(label, label) for label in part["labels"]]
            w.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    print(f"{src.name}: {n}" + (" (labels known for its focus classes only)" if mask else ""))
# Every late label must have found its sentence: a file renamed or rewritten would otherwise drop
# them without a word.
unapplied = sorted(set(LATE_LABELS) - late_applied)
if unapplied:
    sys.exit(f"late-claims-labels.jsonl: {len(unapplied)} labels name no sentence, e.g. {unapplied[0]}")

#!/usr/bin/env bash
# Builds the explain drill's claims reader (crates/debrief-core/src/learned/reader.rs, class
# "claims"): a second opinion, read in word order, on whether a sentence states a wrong claim
# about its topic, which the drill blends into the explain model's reading of every
# misconception (crates/debrief-core/src/explain/mod.rs). OUT defaults to
# target/reader/explain-reader.bin; the default pack ships it as model/explain-reader.bin.
#
#   1. every explain training sentence (train/data/explain), a claim where its labeller marked a
#      listed misconception or an error outside the list;
#   2. train/teacher.py fine-tunes all-MiniLM-L6-v2 on them: two epochs, about 40 minutes on two
#      cores (held-out AUC 0.949, then 0.961);
#   3. the teacher reads every one of them (about 12 minutes);
#   4. train/reader.py trains the small reader (2 layers of 64) on the teacher's readings and
#      the labels, over the judge model's static vectors.
#
# Run from the repository root after train/rebuild.sh has written train/static.bin and
# train/data. The blend (READER_FROM, READER_WEIGHT, READER_ONLY_LOWERS) was chosen on
# eval/explain-dev.jsonl, the bar (0.2, since 2026-12-07) on that and eval/explain-dev2.jsonl;
# train/reader_meta.py rewrites it without retraining.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/reader/explain-reader.bin}
work=target/reader
mkdir -p "$work" "$(dirname "$out")"
source train/torch-env.sh
python3 - "$work/claims.jsonl" <<'PY'
import glob, json, sys
with open(sys.argv[1], "w") as out:
    for f in sorted(glob.glob("train/data/explain/*.jsonl")):
        for line in open(f):
            r = json.loads(line)
            for k, s in enumerate(r.get("sentences", [r])):
                claim = any(":!" in c for c in s.get("labels", [])) or "error" in s
                out.write(json.dumps({"id": f"{r['id']}/{k}", "topic": r["topic"], "text": s["text"],
                                      "labels": ["claims"] if claim else []}) + "\n")
PY
# The pack's own misconception examples, each taught twice and never held out ("pack:" ids):
# `debrief pack check` holds the drill to every one of them.
python3 - "$work/claims-pack.jsonl" <<'PY'
import glob, json, sys, tomllib
with open(sys.argv[1], "w") as out:
    for f in sorted(glob.glob("packs/cloudflare-pm/topics/*.toml")):
        t = tomllib.load(open(f, "rb"))
        for m in t.get("misconception", []):
            for kind, labels in (("states", ["claims"]), ("denies", [])):
                for k, text in enumerate(m.get("examples", {}).get(kind, [])):
                    for rep in (1, 2):
                        out.write(json.dumps({"id": f"pack:{t['id']}/{m['id']}/{kind}/{k}/{rep}",
                                              "topic": t["id"], "text": text, "labels": labels}) + "\n")
PY
"$venv/bin/python" train/teacher.py train target/minilm/x/m claims "$work/claims-teacher.pt" \
  "$work/claims.jsonl"
cargo build --release -p debrief-train --example pieces
./target/release/examples/pieces < "$work/claims.jsonl" > "$work/claims-ids.jsonl"
./target/release/examples/pieces < "$work/claims-pack.jsonl" > "$work/claims-pack-ids.jsonl"
"$venv/bin/python" train/teacher.py score target/minilm/x/m claims "$work/claims-teacher.pt" \
  "$work/claims-ids.jsonl" "$work/claims-ids-t.jsonl"
READER_WEIGHT=${READER_WEIGHT:-0.85} READER_ONLY_LOWERS=0 READER_ONLY_RAISES=${READER_ONLY_RAISES:-1} \
  "$venv/bin/python" train/reader.py train/static.bin "$out" claims "${READER_FROM:-0.2}" 1 \
  "$work/claims-ids-t.jsonl" "$work/claims-pack-ids.jsonl"
echo "wrote $out"

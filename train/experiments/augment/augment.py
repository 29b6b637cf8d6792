"""Writes one variant of each training sentence for a contextual reader to learn the teacher's
judgment from (train/reader.py). A variant's labels are unknown (`"mask": []`), so the reader
learns only the teacher's reading of it (train/teacher.py score adds `t`). It is the sentence
with some words swapped for near neighbours among the static word-piece vectors, with its
negation taken out or put in (the bag of n-grams hears nearly the same words; the teacher need
not), or with one of its clauses left out. Sentences held out by train/reader.py's hash get no
variant. See README.md beside this file for what it did.

Usage: python train/experiments/augment/augment.py STATIC.bin VOCAB.txt SEED IN.jsonl OUT.jsonl
Deterministic for a seed. Needs numpy and PyTorch (train/reader.py reads the vectors).
"""

import hashlib
import json
import pathlib
import re
import sys

import numpy as np

# The static vectors as train/reader.py reads them.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
from reader import load_static  # noqa: E402

AUX = ("is", "are", "was", "were", "can", "will", "does", "do", "did", "has", "have", "should",
       "must", "would", "could")
NEGATIONS = (" not ", " never ", "n't ")


def neighbours(static, vocab, k=5):
    """For every whole-word piece of three letters or more: its k nearest such pieces."""
    words = [(i, w) for i, w in enumerate(vocab) if w.isalpha() and len(w) >= 3 and i < len(static)]
    ids = np.array([i for i, _ in words])
    v = static[ids]
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-6)
    out = {}
    for start in range(0, len(ids), 2048):
        sim = v[start:start + 2048] @ v.T
        for r in range(sim.shape[0]):
            sim[r, start + r] = -1.0
        top = np.argpartition(-sim, k, axis=1)[:, :k]
        for r in range(sim.shape[0]):
            out[words[start + r][1]] = [words[j][1] for j in top[r]]
    return out


def swap_words(text, near, rng):
    toks = re.split(r"(\W+)", text)
    idx = [i for i, t in enumerate(toks) if t.lower() in near and len(t) >= 4]
    if not idx:
        return None
    n = max(1, round(0.2 * len(idx)))
    for i in rng.choice(idx, size=min(n, len(idx)), replace=False):
        w = near[toks[i].lower()][rng.integers(0, 5)]
        toks[i] = w.capitalize() if toks[i][0].isupper() else w
    return "".join(toks)


def flip_negation(text):
    padded = f" {text} "
    for n in NEGATIONS:
        if n in padded:
            fixed = padded.replace(n, " " if n != "n't " else " ", 1)
            return re.sub(r"\s+", " ", fixed).strip()
    words = text.split(" ")
    for i, w in enumerate(words):
        if w.lower() in AUX:
            return " ".join(words[: i + 1] + ["not"] + words[i + 1:])
    return None


def drop_clause(text, rng):
    parts = [p for p in re.split(r"(?<=[,;])\s+", text) if p]
    if len(parts) < 2:
        return None
    k = int(rng.integers(0, len(parts)))
    rest = parts[:k] + parts[k + 1:]
    out = " ".join(rest).strip().rstrip(",;")
    return out[0].upper() + out[1:] if out else None


def main(static_path, vocab_path, seed, src, dst):
    rng = np.random.default_rng(int(seed))
    vocab = [l.rstrip("\n") for l in open(vocab_path, encoding="utf-8")]
    near = neighbours(load_static(static_path).numpy(), vocab)
    written = 0
    with open(dst, "w", encoding="utf-8") as out:
        for line in open(src, encoding="utf-8"):
            v = json.loads(line)
            if hashlib.sha256(v["id"].encode()).digest()[0] < 26:
                continue
            # One variant a sentence, of a kind drawn at random among those it has.
            kinds = [(kind, text) for kind, text in
                     (("swap", swap_words(v["text"], near, rng)),
                      ("flip", flip_negation(v["text"])),
                      ("drop", drop_clause(v["text"], rng)))
                     if text and text != v["text"]]
            if kinds:
                kind, text = kinds[int(rng.integers(0, len(kinds)))]
                out.write(json.dumps({"id": f"aug:{v['id']}:{kind}", "topic": v.get("topic"),
                                      "text": text, "labels": [], "mask": []}) + "\n")
                written += 1
    print(f"{dst}: {written} variants", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])

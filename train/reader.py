"""Trains the contextual reader (crates/debrief-core/src/learned/reader.rs): a small transformer
encoder over the word pieces' static vectors that gives a second opinion on one judge class.

Input: JSON lines written by `cargo run --release -p debrief-train --example pieces`, each a
training sentence with its piece `ids`, its `labels` and, where train/teacher.py has read it,
the teacher's reading `t`. A sentence counts where the class's label is known (no `mask`, or the
class in it) or the teacher read it; its target is the label, the teacher's reading, or their
mean where both are there (train/reader.sh runs the whole chain).
One sentence in ten (by a hash of its id) is held out to choose the epoch; dev and test sets are
never read here.

Usage: python train/reader.py STATIC.bin OUT.bin CLASS FROM SEED IN.jsonl...
The blend written into the reader's meta: READER_WEIGHT (default 0.15), READER_ONLY_LOWERS
(default 1: a veto), READER_ONLY_RAISES (default 0); FROM is the judge reading from which the reader is asked. READER_EPOCHS
(16), READER_DIM (64) and READER_THREADS (1) set the rest.
Needs PyTorch (once, outside CI; see train/reader.sh). Deterministic for a seed on one thread.
"""

import bisect
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

MAX = 96  # the most pieces read (reader.rs MAX_PIECES)
D = int(os.environ.get("READER_DIM", 64))
LAYERS, HEADS, FF = 2, 4, 2 * D
EPOCHS = int(os.environ.get("READER_EPOCHS", 16))
BATCH, LR = 32, 1e-3


def load_static(path):
    b = open(path, "rb").read()
    assert b[:8] == b"DBSTATIC", path
    s, n = struct.unpack_from("<II", b, 8)
    out = np.zeros((n, s), dtype=np.float32)
    at = 16
    for i in range(n):
        scale = struct.unpack_from("<f", b, at)[0]
        out[i] = scale * np.frombuffer(b, dtype=np.int8, count=s, offset=at + 4).astype(np.float32)
        at += 4 + s
    return torch.from_numpy(out)


class Reader(nn.Module):
    def __init__(self, static):
        super().__init__()
        self.static = nn.Embedding.from_pretrained(static, freeze=True, padding_idx=0)
        self.input = nn.Linear(static.shape[1], D)
        self.pos = nn.Parameter(torch.zeros(MAX, D))
        nn.init.normal_(self.pos, std=0.02)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, activation="relu",
                                       batch_first=True, norm_first=True)
            for _ in range(LAYERS))
        self.ln = nn.LayerNorm(D)
        self.head = nn.Linear(D, 1)

    def forward(self, ids, mask):
        x = self.input(self.static(ids)) + self.pos[: ids.shape[1]]
        pad = ~mask
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=pad)
        x = self.ln(x)
        m = mask.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(pooled).squeeze(-1)


def batches(rows, order):
    for i in range(0, len(order), BATCH):
        chunk = [rows[j] for j in order[i : i + BATCH]]
        n = max(len(r[0]) for r in chunk)
        ids = torch.zeros((len(chunk), n), dtype=torch.long)
        mask = torch.zeros((len(chunk), n), dtype=torch.bool)
        for k, (x, _) in enumerate(chunk):
            ids[k, : len(x)] = torch.tensor(x)
            mask[k, : len(x)] = True
        y = torch.tensor([r[1] for r in chunk], dtype=torch.float32)
        yield ids, mask, y


def auc(scores, labels):
    pos = [s for s, l in zip(scores, labels) if l]
    neg = [s for s, l in zip(scores, labels) if not l]
    if not pos or not neg:
        return float("nan")
    neg.sort()
    total = 0.0
    for s in pos:
        total += bisect.bisect_left(neg, s) + 0.5 * (bisect.bisect_right(neg, s) - bisect.bisect_left(neg, s))
    return total / (len(pos) * len(neg))


def score(model, rows):
    model.eval()
    out = []
    with torch.no_grad():
        for ids, mask, _ in batches(rows, list(range(len(rows)))):
            out.extend(torch.sigmoid(model(ids, mask)).tolist())
    return out


def write(model, path, meta):
    sd = {k: v.detach().numpy().astype("<f4") for k, v in model.state_dict().items()}
    static_dim = sd["static.weight"].shape[1]
    meta_b = json.dumps(meta, sort_keys=True).encode()
    out = bytearray(b"DBRD" + struct.pack("<7I", 1, static_dim, D, LAYERS, HEADS, FF, MAX))
    out += struct.pack("<I", len(meta_b)) + meta_b
    out += b"\0" * ((4 - len(out) % 4) % 4)
    order = ["input.weight", "input.bias", "pos"]
    for i in range(LAYERS):
        p = f"layers.{i}."
        order += [p + "norm1.weight", p + "norm1.bias", p + "self_attn.in_proj_weight",
                  p + "self_attn.in_proj_bias", p + "self_attn.out_proj.weight",
                  p + "self_attn.out_proj.bias", p + "norm2.weight", p + "norm2.bias",
                  p + "linear1.weight", p + "linear1.bias", p + "linear2.weight", p + "linear2.bias"]
    order += ["ln.weight", "ln.bias", "head.weight", "head.bias"]
    for k in order:
        out += sd[k].tobytes()
    open(path, "wb").write(out)


def main(static_path, out_path, cls, bar, seed, *files):
    torch.manual_seed(int(seed))
    torch.set_num_threads(int(os.environ.get("READER_THREADS", 1)))
    torch.use_deterministic_algorithms(True)
    rows, held = [], []
    for f in files:
        for line in open(f):
            v = json.loads(line)
            known = "mask" not in v or cls in v["mask"]
            if not v["ids"] or not (known or "t" in v):
                continue
            y = 1.0 if cls in v["labels"] else 0.0
            # The teacher's reading where there is one (see train/teacher.py), beside the
            # label where it is known.
            target = (0.5 * (y + v["t"]) if known else v["t"]) if "t" in v else y
            h = hashlib.sha256(v["id"].encode()).digest()[0]
            # The pack's own examples (ids "pack:...") are all taught: `debrief pack check`
            # holds every one of them to its reading.
            if h < 26 and not v["id"].startswith("pack:"):
                if known:
                    held.append((v["ids"][:MAX], y))
            else:
                rows.append((v["ids"][:MAX], target))
    print(f"{len(rows)} sentences ({sum(r[1] for r in rows):.0f} positive), {len(held)} held out",
          file=sys.stderr)
    model = Reader(load_static(static_path))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR,
                            weight_decay=0.01)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng(int(seed))
    best, best_state = -1.0, None
    for epoch in range(EPOCHS):
        model.train()
        order = rng.permutation(len(rows)).tolist()
        total = 0.0
        for ids, mask, y in batches(rows, order):
            loss = nn.functional.binary_cross_entropy_with_logits(model(ids, mask), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(y)
        a = auc(score(model, held), [r[1] for r in held])
        print(f"epoch {epoch + 1}: loss {total / len(rows):.4f}, held-out AUC {a:.4f}",
              file=sys.stderr)
        if a > best:
            best, best_state = a, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    meta = {"class": cls, "from": float(bar),
            "weight": float(os.environ.get("READER_WEIGHT", 0.15)),
            "only_lowers": os.environ.get("READER_ONLY_LOWERS", "1") == "1",
            "only_raises": os.environ.get("READER_ONLY_RAISES", "0") == "1",
            "provenance": f"train/reader.py, seed {seed}, {len(rows)} sentences, held-out AUC {best:.4f}"}
    write(model, out_path, meta)


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Static word vectors distilled from all-MiniLM-L6-v2 (model2vec-style): every WordPiece token
of the model's vocabulary is run through the model alone ([CLS] token [SEP]), its outputs are
mean-pooled, and the vectors are centred, reduced by PCA to DIM components and whitened, then
written by vocabulary id as int8 with a scale per row (the special tokens stay zero). numpy only;
deterministic on one machine. Usage: static.py MODEL_DIR OUT DIM (train/rebuild.sh runs it).

The model is read from its safetensors file directly; the BERT forward pass is written out
below (6 layers, 12 heads, GELU, LayerNorm eps 1e-12) so that no deep-learning framework is
needed."""
import json, math, struct, sys
import numpy as np

def load_safetensors(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n]); base = 8 + n; out = {}
    for k, v in h.items():
        if k == '__metadata__':
            continue
        dt = {'F32': np.float32, 'I64': np.int64}[v['dtype']]
        s, e = v['data_offsets']
        out[k] = np.frombuffer(b[base + s:base + e], dtype=dt).reshape(v['shape'])
    return out

def ln(x, w, b, eps=1e-12):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b

def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def erf(x):
    """erf by the rational approximation in Numerical Recipes' erfc (error under 1.2e-7)."""
    a = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * a)
    y = 1 - t * np.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return (np.sign(x) * y).astype(np.float32)


def forward(W, ids):
    """ids: [B, T] int; returns [B, T, 384]"""
    B, T = ids.shape
    x = W['embeddings.word_embeddings.weight'][ids] + W['embeddings.position_embeddings.weight'][:T][None] \
        + W['embeddings.token_type_embeddings.weight'][0][None, None]
    x = ln(x, W['embeddings.LayerNorm.weight'], W['embeddings.LayerNorm.bias'])
    H, dh = 12, 32
    for l in range(6):
        p = f'encoder.layer.{l}.'
        def lin(z, n):
            return z @ W[p + n + '.weight'].T + W[p + n + '.bias']
        q = lin(x, 'attention.self.query').reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        k = lin(x, 'attention.self.key').reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        v = lin(x, 'attention.self.value').reshape(B, T, H, dh).transpose(0, 2, 1, 3)
        a = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh)
        a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, H * dh)
        x = ln(lin(c, 'attention.output.dense') + x, W[p + 'attention.output.LayerNorm.weight'], W[p + 'attention.output.LayerNorm.bias'])
        i = gelu(lin(x, 'intermediate.dense'))
        x = ln(lin(i, 'output.dense') + x, W[p + 'output.LayerNorm.weight'], W[p + 'output.LayerNorm.bias'])
    return x

def main(model_dir, out, dim):
    W = load_safetensors(model_dir + '/model.safetensors')
    tok = json.load(open(model_dir + '/tokenizer.json'))
    vocab = tok['model']['vocab']  # token -> id
    inv = sorted(vocab.items(), key=lambda kv: kv[1])
    keep = [(t, i) for t, i in inv if not (t.startswith('[') and t.endswith(']'))]
    cls, sep = vocab['[CLS]'], vocab['[SEP]']
    vecs = np.zeros((len(keep), 384), np.float32)
    bs = 512
    for s in range(0, len(keep), bs):
        ids = np.array([[cls, i, sep] for _, i in keep[s:s + bs]])
        vecs[s:s + bs] = forward(W, ids).mean(1)
        print(f'{min(s + bs, len(keep))}/{len(keep)}', file=sys.stderr, end='\r')
    mean = vecs.mean(0)
    c = vecs - mean
    cov = (c.T @ c) / len(c)
    w, v = np.linalg.eigh(cov.astype(np.float64))
    order = np.argsort(-w)[:dim]
    comp = v[:, order]
    # A fixed sign per component, so the result does not depend on the solver's choice.
    comp *= np.sign(comp[np.abs(comp).argmax(0), range(dim)])
    red = (c.astype(np.float64) @ comp) / np.sqrt(w[order])  # whitened
    red = red.astype(np.float32)
    # By vocabulary id (the order of the tokenizer's vocabulary); the special tokens stay zero.
    rows = {i: r for (_, i), r in zip(keep, red)}
    n = len(inv)
    with open(out, 'wb') as f:
        f.write(b'DBSTATIC'); f.write(struct.pack('<II', dim, n))
        for i in range(n):
            r = rows.get(i)
            if r is None:
                f.write(struct.pack('<f', 1.0)); f.write(bytes(dim)); continue
            scale = float(np.abs(r).max()) / 127.0 or 1.0
            q = np.clip(np.round(r / scale), -127, 127).astype(np.int8)
            f.write(struct.pack('<f', scale)); f.write(q.tobytes())
    print(f'\n{len(keep)} tokens x {dim} -> {out}', file=sys.stderr)

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

//! Training the sentence model (`debrief_core::learned::Model`): hashed features averaged into
//! an embedding, one ReLU layer, a sigmoid per class; binary cross-entropy over the classes whose
//! label each sentence knows; Adam, lazily for the embedding rows a batch touches. One thread and
//! a seeded generator: the same data and settings give the same bytes.

use std::collections::HashMap;

use debrief_core::learned::Weights;

/// Training settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Embedding dimensions.
    pub d: usize,
    /// Hidden units.
    pub h: usize,
    /// Passes over the data.
    pub epochs: usize,
    /// Adam's learning rate.
    pub lr: f32,
    /// Sentences per step.
    pub batch: usize,
    /// The share of a sentence's features dropped at each step.
    pub dropout: f32,
    /// The share of a sentence's word pieces dropped at each step.
    pub piece_dropout: f32,
    /// L2 penalty on the dense layers.
    pub l2: f32,
    /// The seed.
    pub seed: u64,
}

/// A sentence ready to train on: its features' rows, its static vector and its known targets.
pub struct Item {
    /// Rows of the features the vocabulary keeps (repeats kept).
    pub rows: Vec<u32>,
    /// Its word pieces' ids, whose static vectors (fixed, not trained) are averaged.
    pub pieces: Vec<u32>,
    /// Known classes and their targets.
    pub targets: Vec<(usize, f32)>,
}

/// The splitmix64 generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Roughly normal, mean 0, deviation 1 (sum of uniforms).
    pub fn normal(&mut self) -> f32 {
        (0..6).map(|_| self.unit()).sum::<f32>() - 3.0
    }
}

/// The vocabulary: every feature seen in at least `min_count` sentences, in order of hash.
pub fn vocabulary(features: &[Vec<u64>], min_count: usize) -> Vec<u64> {
    let mut df: HashMap<u64, u32> = HashMap::new();
    for f in features {
        let mut seen = f.clone();
        seen.sort_unstable();
        seen.dedup();
        for h in seen {
            *df.entry(h).or_default() += 1;
        }
    }
    let mut keys: Vec<u64> = df
        .into_iter()
        .filter(|&(_, n)| n as usize >= min_count)
        .map(|(h, _)| h)
        .collect();
    keys.sort_unstable();
    keys
}

struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn step(&mut self, at: usize, w: &mut [f32], g: &[f32], lr: f32, t: i32, l2: f32) {
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        let c1 = 1.0 - b1.powi(t);
        let c2 = 1.0 - b2.powi(t);
        for (j, (wj, gj)) in w.iter_mut().zip(g).enumerate() {
            let g = gj + l2 * *wj;
            let m = &mut self.m[at + j];
            let v = &mut self.v[at + j];
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *wj -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
        }
    }
}

/// The mean of the embedding rows `of`, `[D]`.
fn embed(rows: &[f32], d: usize, of: &[u32]) -> Vec<f32> {
    let inv = 1.0 / of.len().max(1) as f32;
    let mut x = vec![0f32; d];
    for &r in of {
        let row = &rows[r as usize * d..(r as usize + 1) * d];
        for (xi, ri) in x.iter_mut().zip(row) {
            *xi += ri * inv;
        }
    }
    x
}

/// `relu(W1 · x + b1)`, `[H]`; `x` is `[d]` (the embedding mean then the static vector).
fn hidden(w1: &[f32], b1: &[f32], d: usize, x: &[f32]) -> Vec<f32> {
    b1.iter()
        .enumerate()
        .map(|(j, b)| {
            let s: f32 = w1[j * d..(j + 1) * d]
                .iter()
                .zip(x)
                .map(|(a, b)| a * b)
                .sum();
            (s + b).max(0.0)
        })
        .collect()
}

/// Class `c`'s logit from the hidden layer.
fn logit(w2: &[f32], b2: &[f32], h: usize, c: usize, hid: &[f32]) -> f32 {
    w2[c * h..(c + 1) * h]
        .iter()
        .zip(hid)
        .map(|(a, b)| a * b)
        .sum::<f32>()
        + b2[c]
}

/// The mean of the static vectors `[N, s]` of `pieces`, appended to `x`.
fn add_static(statics: &[f32], s: usize, pieces: &[u32], x: &mut Vec<f32>) {
    let at = x.len();
    x.resize(at + s, 0.0);
    if pieces.is_empty() || s == 0 {
        return;
    }
    let inv = 1.0 / pieces.len() as f32;
    for &p in pieces {
        let row = &statics[p as usize * s..(p as usize + 1) * s];
        for (xi, r) in x[at..].iter_mut().zip(row) {
            *xi += r;
        }
    }
    x[at..].iter_mut().for_each(|v| *v *= inv);
}

/// Trains on `items` (rows into `keys`; word pieces into `statics`, `[N, s]`), `k` classes;
/// `positive_weight[c]` weighs class `c`'s positives. Prints the mean loss of each epoch to
/// stderr.
#[allow(clippy::too_many_arguments)]
pub fn train(
    keys: Vec<u64>,
    statics: &[f32],
    s: usize,
    items: &[Item],
    held: &[Item],
    k: usize,
    positive_weight: &[f32],
    cfg: &Config,
) -> Weights {
    let (d, h) = (cfg.d, cfg.h);
    let ds = d + s;
    let mut kept_pieces = Vec::new();
    let v = keys.len();
    let mut rng = Rng(cfg.seed);
    let mut rows: Vec<f32> = (0..v * d).map(|_| 0.1 * rng.normal()).collect();
    let s1 = (2.0 / ds as f32).sqrt();
    let mut w1: Vec<f32> = (0..h * ds).map(|_| s1 * rng.normal()).collect();
    let mut b1 = vec![0.0f32; h];
    let s2 = (1.0 / h as f32).sqrt();
    let mut w2: Vec<f32> = (0..k * h).map(|_| s2 * rng.normal()).collect();
    // Start each class at its prior, so early steps do not spend themselves on the bias.
    let mut b2 = vec![0.0f32; k];
    {
        let mut pos = vec![1.0f32; k];
        let mut all = vec![2.0f32; k];
        for it in items {
            for &(c, y) in &it.targets {
                pos[c] += y;
                all[c] += 1.0;
            }
        }
        for c in 0..k {
            let p = pos[c] / all[c];
            b2[c] = (p / (1.0 - p)).ln();
        }
    }
    let mut a_rows = Adam::new(v * d);
    let mut a_w1 = Adam::new(h * ds);
    let mut a_b1 = Adam::new(h);
    let mut a_w2 = Adam::new(k * h);
    let mut a_b2 = Adam::new(k);
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut t = 0i32;
    let mut kept = Vec::new();
    for epoch in 0..cfg.epochs {
        // Fisher-Yates with the seeded generator.
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut loss_sum = 0f64;
        let mut loss_n = 0usize;
        for batch in order.chunks(cfg.batch) {
            let mut g_rows: HashMap<u32, Vec<f32>> = HashMap::new();
            let mut g_w1 = vec![0f32; h * ds];
            let mut g_b1 = vec![0f32; h];
            let mut g_w2 = vec![0f32; k * h];
            let mut g_b2 = vec![0f32; k];
            for &n in batch {
                let it = &items[n];
                kept.clear();
                for &r in &it.rows {
                    if rng.unit() >= cfg.dropout {
                        kept.push(r);
                    }
                }
                if kept.is_empty() {
                    kept.extend_from_slice(&it.rows);
                }
                if kept.is_empty() {
                    continue;
                }
                kept_pieces.clear();
                for &p in &it.pieces {
                    if rng.unit() >= cfg.piece_dropout {
                        kept_pieces.push(p);
                    }
                }
                let inv = 1.0 / kept.len() as f32;
                let mut x = embed(&rows, d, &kept);
                add_static(statics, s, &kept_pieces, &mut x);
                let hid = hidden(&w1, &b1, ds, &x);
                let mut dz = vec![0f32; k];
                for &(c, y) in &it.targets {
                    let z = logit(&w2, &b2, h, c, &hid);
                    let p = 1.0 / (1.0 + (-z).exp());
                    let w = if y > 0.5 { positive_weight[c] } else { 1.0 };
                    dz[c] = w * (p - y);
                    let pc = p.clamp(1e-7, 1.0 - 1e-7);
                    loss_sum -= f64::from(w * (y * pc.ln() + (1.0 - y) * (1.0 - pc).ln()));
                    loss_n += 1;
                }
                let mut dh = vec![0f32; h];
                for c in 0..k {
                    if dz[c] == 0.0 {
                        continue;
                    }
                    g_b2[c] += dz[c];
                    for j in 0..h {
                        g_w2[c * h + j] += dz[c] * hid[j];
                        dh[j] += dz[c] * w2[c * h + j];
                    }
                }
                let mut dx = vec![0f32; d];
                for j in 0..h {
                    if hid[j] <= 0.0 {
                        continue;
                    }
                    g_b1[j] += dh[j];
                    for i in 0..ds {
                        g_w1[j * ds + i] += dh[j] * x[i];
                    }
                    for i in 0..d {
                        dx[i] += dh[j] * w1[j * ds + i];
                    }
                }
                for &r in &kept {
                    let g = g_rows.entry(r).or_insert_with(|| vec![0f32; d]);
                    for (gi, dxi) in g.iter_mut().zip(&dx) {
                        *gi += dxi * inv;
                    }
                }
            }
            t += 1;
            let scale = 1.0 / batch.len() as f32;
            let sc = |g: &mut Vec<f32>| g.iter_mut().for_each(|x| *x *= scale);
            sc(&mut g_w1);
            sc(&mut g_b1);
            sc(&mut g_w2);
            sc(&mut g_b2);
            a_w1.step(0, &mut w1, &g_w1, cfg.lr, t, cfg.l2);
            a_b1.step(0, &mut b1, &g_b1, cfg.lr, t, 0.0);
            a_w2.step(0, &mut w2, &g_w2, cfg.lr, t, cfg.l2);
            a_b2.step(0, &mut b2, &g_b2, cfg.lr, t, 0.0);
            // Rows in a fixed order, so the result does not depend on the map's iteration.
            let mut touched: Vec<(u32, Vec<f32>)> = g_rows.into_iter().collect();
            touched.sort_unstable_by_key(|(r, _)| *r);
            for (r, mut g) in touched {
                sc(&mut g);
                let at = r as usize * d;
                a_rows.step(at, &mut rows[at..at + d], &g, cfg.lr, t, 0.0);
            }
        }
        // The held-out loss, unweighted and without dropout: where it turns up, training has
        // begun to learn its sentences rather than their judgment.
        let mut held_loss = 0f64;
        let mut held_n = 0usize;
        for it in held {
            if it.rows.is_empty() {
                continue;
            }
            let mut x = embed(&rows, d, &it.rows);
            add_static(statics, s, &it.pieces, &mut x);
            let hid = hidden(&w1, &b1, ds, &x);
            for &(c, y) in &it.targets {
                let z = logit(&w2, &b2, h, c, &hid);
                let p = (1.0 / (1.0 + (-z).exp())).clamp(1e-7, 1.0 - 1e-7);
                held_loss -= f64::from(y * p.ln() + (1.0 - y) * (1.0 - p).ln());
                held_n += 1;
            }
        }
        eprintln!(
            "  epoch {}/{}: loss {:.4}, held-out {:.4}",
            epoch + 1,
            cfg.epochs,
            loss_sum / loss_n.max(1) as f64,
            held_loss / held_n.max(1) as f64
        );
    }
    Weights {
        d,
        h,
        e: 1,
        s,
        statics: Vec::new(),
        keys,
        rows,
        w1,
        b1,
        w2,
        b2,
    }
}

/// One model of several networks trained on the same vocabulary: each row holds every member's
/// embedding side by side, and the dense layers follow one another.
pub fn ensemble(members: Vec<Weights>) -> Weights {
    let first = &members[0];
    let (d, h, e, v) = (first.d, first.h, members.len(), first.keys.len());
    let mut rows = Vec::with_capacity(v * e * d);
    for r in 0..v {
        for m in &members {
            rows.extend_from_slice(&m.rows[r * d..(r + 1) * d]);
        }
    }
    let cat = |f: &dyn Fn(&Weights) -> &Vec<f32>| -> Vec<f32> {
        members.iter().flat_map(|m| f(m).iter().copied()).collect()
    };
    Weights {
        d,
        h,
        e,
        s: first.s,
        statics: first.statics.clone(),
        keys: first.keys.clone(),
        rows,
        w1: cat(&|m| &m.w1),
        b1: cat(&|m| &m.b1),
        w2: cat(&|m| &m.w2),
        b2: cat(&|m| &m.b2),
    }
}

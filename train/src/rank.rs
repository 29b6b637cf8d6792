//! Fitting the answer ranker: a linear score over `debrief_core::learned::answer::features`,
//! trained so that within a question's group a strong answer outranks a mediocre one and a
//! mediocre one a weak one (pairwise logistic loss), with a pointwise term that keeps the score's
//! level meaningful (strong near the top, weak near the bottom).

/// Fits the weights (bias first) on standardised features, returned in raw feature units.
pub fn fit(xs: &[Vec<f32>], labels: &[f32], groups: &[String], l2: f32, iters: usize) -> Vec<f32> {
    let n = xs.len();
    let f = xs[0].len();
    let mut mean = vec![0f64; f];
    let mut sd = vec![0f64; f];
    for x in xs {
        for j in 0..f {
            mean[j] += f64::from(x[j]) / n as f64;
        }
    }
    for x in xs {
        for j in 0..f {
            sd[j] += (f64::from(x[j]) - mean[j]).powi(2) / n as f64;
        }
    }
    let sd: Vec<f64> = sd.iter().map(|v| v.sqrt().max(1e-3)).collect();
    let z: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            (0..f)
                .map(|j| (f64::from(x[j]) - mean[j]) / sd[j])
                .collect()
        })
        .collect();
    let mut pairs = Vec::new();
    for a in 0..n {
        for b in 0..n {
            if groups[a] == groups[b] && labels[a] > labels[b] + 0.1 {
                pairs.push((a, b));
            }
        }
    }
    let mut w = vec![0f64; f];
    let mut bias = 0f64;
    let (mut m, mut v) = (vec![0f64; f + 1], vec![0f64; f + 1]);
    let lr = 0.02;
    let point_weight = 0.5;
    for t in 1..=iters {
        let s: Vec<f64> = z
            .iter()
            .map(|x| bias + x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        let mut g = vec![0f64; f + 1];
        for &(a, b) in &pairs {
            let d = s[a] - s[b];
            let p = 1.0 / (1.0 + d.exp()); // d loss / d d = -sigmoid(-d)
            for j in 0..f {
                g[j] -= p * (z[a][j] - z[b][j]) / pairs.len() as f64;
            }
        }
        for i in 0..n {
            let p = 1.0 / (1.0 + (-s[i]).exp());
            let e = point_weight * (p - f64::from(labels[i])) / n as f64;
            for j in 0..f {
                g[j] += e * z[i][j];
            }
            g[f] += e;
        }
        for j in 0..f {
            g[j] += 2.0 * f64::from(l2) * w[j];
        }
        for j in 0..=f {
            m[j] = 0.9 * m[j] + 0.1 * g[j];
            v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
            let step = lr * (m[j] / (1.0 - 0.9f64.powi(t as i32)))
                / ((v[j] / (1.0 - 0.999f64.powi(t as i32))).sqrt() + 1e-8);
            if j < f {
                w[j] -= step;
            } else {
                bias -= step;
            }
        }
    }
    let mut out = vec![0f32; f + 1];
    let mut b = bias;
    for j in 0..f {
        out[j + 1] = (w[j] / sd[j]) as f32;
        b -= w[j] * mean[j] / sd[j];
    }
    out[0] = b as f32;
    out
}

/// The share of within-group pairs (different labels) that `scores` order rightly; ties half.
pub fn pair_accuracy(scores: &[f32], labels: &[f32], groups: &[String]) -> (f64, usize) {
    let mut right = 0f64;
    let mut all = 0usize;
    for a in 0..scores.len() {
        for b in 0..scores.len() {
            if groups[a] == groups[b] && labels[a] > labels[b] + 0.1 {
                all += 1;
                if scores[a] > scores[b] {
                    right += 1.0;
                } else if scores[a] == scores[b] {
                    right += 0.5;
                }
            }
        }
    }
    (right / all.max(1) as f64, all)
}

/// The cut on `scores` that best tells `labels` at or above `at` from those below (accuracy).
pub fn best_cut(scores: &[f32], labels: &[f32], at: f32) -> f32 {
    let mut best = (0usize, 50f32);
    for c in 1..100 {
        let c = c as f32;
        let right = scores
            .iter()
            .zip(labels)
            .filter(|(s, l)| (**s >= c) == (**l >= at))
            .count();
        if right > best.0 {
            best = (right, c);
        }
    }
    best.1
}

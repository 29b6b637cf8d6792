//! The overall score of an answer from what the learned layer read in it: a linear ranker over
//! the answer's evidence, trained (by `train/`) to put strong answers above mediocre ones above
//! weak ones to the same question, whatever their length.

use crate::metrics::Metrics;

/// The features of an answer, in the order the ranker's weights take them: for each class, the
/// highest probability any sentence gets and `ln(1 + findings)` of the class; then the answer's
/// length and rates.
pub fn features(
    k: usize,
    probs: &[f32],
    findings_per_class: &[u32],
    metrics: &Metrics,
    whole_answer: bool,
) -> Vec<f32> {
    let mut x = Vec::with_capacity(2 * k + 6);
    let n = probs.len() / k.max(1);
    for c in 0..k {
        let mut m = 0f32;
        for s in 0..n {
            m = m.max(probs[s * k + c]);
        }
        x.push(m);
    }
    for &count in findings_per_class.iter().take(k) {
        x.push((1.0 + count as f32).ln());
    }
    let words = metrics.words.max(1) as f32;
    let per100 = |v: usize| 100.0 * v as f32 / words;
    // A follow-up is short by nature: its length says nothing.
    x.push(if whole_answer {
        (words / 250.0).ln()
    } else {
        0.0
    });
    x.push(per100(metrics.quantities).min(10.0) / 5.0);
    x.push(per100(metrics.hedges).min(10.0) / 5.0);
    x.push(per100(metrics.fillers).min(10.0) / 5.0);
    let singular = metrics.first_person_singular as f32;
    let plural = metrics.first_person_plural as f32;
    x.push(singular / (singular + plural + 1.0));
    x.push((words / metrics.sentences.max(1) as f32 / 20.0).min(3.0));
    x
}

/// How many features [`features`] gives for `k` classes.
pub fn feature_count(k: usize) -> usize {
    2 * k + 6
}

/// The ranker's raw score: `weights[0]` is the bias, the rest weigh `x`.
pub fn raw(weights: &[f32], x: &[f32]) -> f32 {
    weights[0] + weights[1..].iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
}

/// The overall score from 0 to 100 from a raw score.
pub fn score(raw: f32) -> u8 {
    (100.0 / (1.0 + (-raw).exp())).round().clamp(0.0, 100.0) as u8
}

//! The figures `debrief eval` reports: rank statistics, and scores with length taken out.

use std::cmp::Ordering;

/// The chance that a random score of `high` beats a random score of `low` (ties count half): the
/// AUC. `None` when either side is empty.
pub fn auc(high: &[f64], low: &[f64]) -> Option<f64> {
    if high.is_empty() || low.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for h in high {
        for l in low {
            total += match h.partial_cmp(l) {
                Some(Ordering::Greater) => 1.0,
                Some(Ordering::Equal) => 0.5,
                _ => 0.0,
            };
        }
    }
    Some(total / (high.len() * low.len()) as f64)
}

/// What is left of each score after a least-squares fit on the log of the word count: the part
/// of the score that length does not explain.
pub fn residuals(scores: &[f64], words: &[usize]) -> Vec<f64> {
    let x: Vec<f64> = words.iter().map(|&w| (w.max(1) as f64).ln()).collect();
    let n = scores.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = scores.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(scores).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    x.iter()
        .zip(scores)
        .map(|(a, b)| b - (my + slope * (a - mx)))
        .collect()
}

/// Precision, recall and F1 from counts; `None` where undefined.
pub fn prf(tp: usize, fp: usize, fn_: usize) -> (Option<f64>, Option<f64>, Option<f64>) {
    let p = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
    let r = (tp + fn_ > 0).then(|| tp as f64 / (tp + fn_) as f64);
    let f = match (p, r) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    (p, r, f)
}

/// The best rule "present when the text has at least `bar` words" for yes/no labels, each given
/// with its text's word count: the bar and how many labels it agrees with. Fitted on the very
/// labels it is scored on, so it is the most length alone can do on them. A bar of 0 says yes to
/// all; one past the longest says no to all. Ties go to the lowest bar.
pub fn best_bar(points: &[(usize, bool)]) -> (usize, usize) {
    let mut bars: Vec<usize> = points.iter().map(|p| p.0).collect();
    bars.push(0);
    bars.push(points.iter().map(|p| p.0 + 1).max().unwrap_or(1));
    bars.sort_unstable();
    bars.dedup();
    let mut best = (0, 0);
    for bar in bars {
        let agree = points.iter().filter(|&&(w, y)| (w >= bar) == y).count();
        if agree > best.1 {
            best = (bar, agree);
        }
    }
    best
}

/// The best rule "pass when the text has `lo` to `hi` words" for pass/fail labels, fitted on
/// them as `best_bar` is: the band (None when failing all does best) and how many it agrees
/// with. Ties go to the first band found, narrowest lows first.
pub fn best_band(points: &[(usize, bool)]) -> (Option<(usize, usize)>, usize) {
    let mut ends: Vec<usize> = points.iter().map(|p| p.0).collect();
    ends.sort_unstable();
    ends.dedup();
    let mut best = (None, points.iter().filter(|p| !p.1).count());
    for (i, &lo) in ends.iter().enumerate() {
        for &hi in &ends[i..] {
            let agree = points
                .iter()
                .filter(|&&(w, y)| (lo <= w && w <= hi) == y)
                .count();
            if agree > best.1 {
                best = (Some((lo, hi)), agree);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(auc(&[80.0, 60.0], &[60.0, 20.0]), Some(0.875));
        assert_eq!(auc(&[], &[1.0]), None);
    }

    #[test]
    fn residuals_remove_what_length_explains() {
        // Scores that are exactly a line in log words leave nothing.
        let words = [100, 200, 400, 800];
        let scores: Vec<f64> = words
            .iter()
            .map(|&w| 10.0 + 5.0 * (w as f64).ln())
            .collect();
        assert!(residuals(&scores, &words).iter().all(|r| r.abs() < 1e-9));
        // A score that beats its length keeps the difference.
        let r = residuals(&[1.0, 3.0, 1.0, 3.0], &[100, 100, 200, 200]);
        assert!(r[1] > r[0] && r[3] > r[2]);
    }

    #[test]
    fn precision_recall_and_f1_from_counts() {
        assert_eq!(prf(3, 1, 1), (Some(0.75), Some(0.75), Some(0.75)));
        assert_eq!(prf(0, 0, 2).0, None);
    }

    #[test]
    fn the_best_word_count_bar_and_band_are_fitted_on_the_labels() {
        // Long texts have the idea, short ones do not, but for the longest.
        let pts = [
            (50, false),
            (80, false),
            (120, true),
            (150, true),
            (90, true),
            (200, false),
        ];
        assert_eq!(best_bar(&pts), (90, 5));
        // Everything labelled yes: the bar that says yes to all.
        assert_eq!(best_bar(&[(10, true), (20, true)]), (0, 2));
        // Nothing labelled yes: the bar past the longest.
        assert_eq!(best_bar(&[(10, false), (20, false)]), (21, 2));
        // Passes in the middle of the lengths: the band around them.
        let pts = [
            (100, false),
            (200, true),
            (250, true),
            (300, false),
            (260, false),
        ];
        assert_eq!(best_band(&pts), (Some((200, 250)), 5));
        // No pass at all: failing every one does best, and no band is given.
        assert_eq!(best_band(&[(100, false), (200, false)]), (None, 2));
    }
}

//! Scores, the verdict and probes, as RUBRIC.md says: a competency scores 1 to 4 from the signals
//! that fired for it, or is not evidenced; a question's targets count most; any disqualifier makes
//! the verdict strong-no-hire.

use std::collections::HashMap;
use std::sync::Arc;

use crate::judgment::{CompetencyScore, Finding, Probe, Verdict};
use crate::pack::{Pack, Question, Severity};

/// The value (0 to 1) that a competency with no evidence weighs in the overall score where it was
/// expected: about a 1.5, between a strong no and a no.
const NOT_EVIDENCED_VALUE: f64 = 1.0 / 6.0;

/// How much more a question's target counts than another competency.
const TARGET_WEIGHT: f64 = 2.0;

/// Fewer words than this (about half a minute spoken) is too little story for the committee to
/// hire on, however good each sentence is: such an answer is at most a no-hire. Follow-up answers
/// are exempt, being short by nature.
pub const MIN_STORY_WORDS: usize = 80;

/// The most probes a judgment asks.
const MAX_PROBES: usize = 3;

/// The pack's strings that judgments carry, made once per analyzer: every judgment shares them
/// instead of copying them.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Each competency's id, in the pack's order.
    pub competencies: Vec<Arc<str>>,
    /// Each competency's first probe, in the pack's order.
    pub probes: Vec<Option<Arc<str>>>,
}

impl Shared {
    /// The strings of `pack`.
    pub fn new(pack: &Pack) -> Shared {
        Shared {
            competencies: pack
                .competencies
                .iter()
                .map(|c| c.id.as_str().into())
                .collect(),
            probes: pack
                .competencies
                .iter()
                .map(|c| c.probes.first().map(|p| p.as_str().into()))
                .collect(),
        }
    }
}

/// Scores every competency of the pack from the findings, each signal counted once.
pub fn competency_scores(
    pack: &Pack,
    shared: &Shared,
    weights: &HashMap<String, u8>,
    findings: &[Finding],
    question: Option<&Question>,
) -> Vec<CompetencyScore> {
    // Evidence for, against, and a disqualifier, by competency, in the pack's order: a pack has
    // about ten, so finding one by its id is a short scan.
    let mut evidence = vec![(0.0f64, 0.0f64, false); pack.competencies.len()];
    let mut counted: Vec<&str> = Vec::with_capacity(findings.len());
    for f in findings {
        if counted.contains(&&*f.rule) {
            continue;
        }
        counted.push(&f.rule);
        let Some(e) = pack
            .competencies
            .iter()
            .position(|c| *c.id == *f.competency)
            .map(|i| &mut evidence[i])
        else {
            continue;
        };
        let w = f64::from(*weights.get(&*f.rule).unwrap_or(&1));
        match f.severity {
            Severity::Strength => e.0 += w,
            Severity::Concern => e.1 += w,
            Severity::Disqualifier => {
                e.1 += w.max(3.0);
                e.2 = true;
            }
            Severity::Note => {}
        }
    }
    pack.competencies
        .iter()
        .zip(evidence)
        .enumerate()
        .map(|(i, (c, (s, r, disqualified)))| {
            let score = if disqualified {
                Some(1)
            } else if s == 0.0 && r == 0.0 {
                None
            } else {
                Some(score_from(s, r))
            };
            CompetencyScore {
                id: shared.competencies[i].clone(),
                score,
                target: question.is_some_and(|q| q.targets.contains(&c.id)),
            }
        })
        .collect()
}

/// Maps the evidence for and against a competency to 1 to 4.
fn score_from(strength: f64, red: f64) -> u8 {
    let net = strength - red;
    if net >= 3.0 {
        4
    } else if net >= 1.0 {
        3
    } else if net >= -1.0 {
        2
    } else {
        1
    }
}

/// The overall score from 0 to 100: a weighted mean of the competency scores, where targets count
/// double, a target with no evidence counts as weak, and an answer that evidences fewer than the
/// pack's expected number of competencies is pulled down for each one missing.
pub fn overall(scores: &[CompetencyScore], expected: usize, disqualified: bool) -> u8 {
    let mut sum = 0.0;
    let mut weight = 0.0;
    let mut counted = 0;
    for c in scores {
        let w = if c.target { TARGET_WEIGHT } else { 1.0 };
        match c.score {
            Some(s) => {
                sum += w * f64::from(s - 1) / 3.0;
                weight += w;
                counted += 1;
            }
            None if c.target => {
                sum += w * NOT_EVIDENCED_VALUE;
                weight += w;
                counted += 1;
            }
            None => {}
        }
    }
    let missing = expected.saturating_sub(counted) as f64;
    sum += missing * NOT_EVIDENCED_VALUE;
    weight += missing;
    let score = if weight == 0.0 {
        0.0
    } else {
        100.0 * sum / weight
    };
    let score = score.round().clamp(0.0, 100.0) as u8;
    if disqualified {
        score.min(10)
    } else {
        score
    }
}

/// The lowest phrase-scored overall score rated `hire`.
pub const HIRE_SCORE: u8 = 55;

/// The verdict from the overall score, capped by the worst competency: a target at 1 cannot be a
/// hire, any competency at 1 cannot be a strong hire, and a disqualifier is strong-no-hire. A
/// whole answer of fewer than [`MIN_STORY_WORDS`] words is at most a no-hire.
pub fn verdict(
    score: u8,
    scores: &[CompetencyScore],
    disqualified: bool,
    too_short: bool,
) -> Verdict {
    if disqualified {
        return Verdict::StrongNoHire;
    }
    let mut v = if score >= 75 {
        Verdict::StrongHire
    } else if score >= HIRE_SCORE {
        Verdict::Hire
    } else if score >= 30 {
        Verdict::NoHire
    } else {
        Verdict::StrongNoHire
    };
    if scores.iter().any(|c| c.score == Some(1)) {
        v = v.min(Verdict::Hire);
    }
    if too_short || scores.iter().any(|c| c.target && c.score == Some(1)) {
        v = v.min(Verdict::NoHire);
    }
    v
}

/// How many different red flags of judgment (concerns about what the candidate did or thinks;
/// not the length or the fillers of the answer) make a strong no-hire without a disqualifier.
/// Four, not three: on the blind dev answers a strong story of a refused waiver drew three wrong
/// concerns from the learned layer and, at three, was rated strong-no-hire.
pub const SEVERAL_RED_FLAGS: usize = 4;

/// The verdict from a learned score and its cut points (`cuts`: the lowest score of a no-hire, a
/// hire and a strong hire). A disqualifier is a strong no-hire; otherwise a strong no-hire needs
/// [`SEVERAL_RED_FLAGS`] different red flags as well as a score below a hire. A target at 1 or a
/// whole answer too short to judge is at most a no-hire; any competency at 1, at most a hire.
pub fn verdict_at(
    score: u8,
    cuts: &[f32],
    scores: &[CompetencyScore],
    red_flags: usize,
    disqualified: bool,
    too_short: bool,
) -> Verdict {
    if disqualified {
        return Verdict::StrongNoHire;
    }
    let s = f32::from(score);
    let mut v = if s >= cuts[2] {
        Verdict::StrongHire
    } else if s >= cuts[1] {
        Verdict::Hire
    } else {
        Verdict::NoHire
    };
    if v == Verdict::NoHire && s < cuts[0] && red_flags >= SEVERAL_RED_FLAGS {
        v = Verdict::StrongNoHire;
    }
    if scores.iter().any(|c| c.score == Some(1)) {
        v = v.min(Verdict::Hire);
    }
    if too_short || scores.iter().any(|c| c.target && c.score == Some(1)) {
        v = v.min(Verdict::NoHire);
    }
    v
}

/// The follow-ups to practise next: the weakest competencies first (a 1, then a 2), then targets
/// with no evidence, then, with no question given, competencies with no evidence in the pack's
/// order. One probe a competency, at most three.
pub fn probes(
    shared: &Shared,
    scores: &[CompetencyScore],
    question: Option<&Question>,
) -> Vec<Probe> {
    let mut order: Vec<(u8, usize)> = Vec::new();
    for (i, c) in scores.iter().enumerate() {
        let rank = match (c.score, c.target) {
            (Some(1), _) => 0,
            (Some(2), _) => 1,
            (None, true) => 2,
            (None, false) if question.is_none() => 3,
            _ => continue,
        };
        order.push((rank, i));
    }
    order.sort();
    order
        .into_iter()
        .take(MAX_PROBES)
        .filter_map(|(_, i)| {
            shared.probes[i].as_ref().map(|p| Probe {
                competency: scores[i].id.clone(),
                question: p.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(id: &str, score: Option<u8>, target: bool) -> CompetencyScore {
        CompetencyScore {
            id: id.into(),
            score,
            target,
        }
    }

    #[test]
    fn one_piece_of_evidence_is_a_yes_and_concerns_pull_down() {
        assert_eq!(score_from(1.0, 0.0), 3);
        assert_eq!(score_from(3.0, 0.0), 4);
        assert_eq!(score_from(1.0, 1.0), 2);
        assert_eq!(score_from(0.0, 1.0), 2);
        assert_eq!(score_from(0.0, 2.0), 1);
    }

    #[test]
    fn breadth_matters_when_fewer_than_expected_are_evidenced() {
        let narrow = overall(&[cs("a", Some(4), false)], 4, false);
        let broad = overall(
            &[
                cs("a", Some(3), false),
                cs("b", Some(3), false),
                cs("c", Some(3), false),
                cs("d", Some(3), false),
            ],
            4,
            false,
        );
        assert!(broad > narrow, "{broad} > {narrow}");
    }

    #[test]
    fn an_unevidenced_target_weighs_like_a_weak_score() {
        let hit = overall(&[cs("a", Some(3), true), cs("b", Some(3), false)], 2, false);
        let miss = overall(&[cs("a", None, true), cs("b", Some(3), false)], 2, false);
        assert!(hit > miss);
    }

    #[test]
    fn a_disqualifier_is_strong_no_hire_whatever_the_score() {
        let scores = [cs("a", Some(4), false)];
        assert_eq!(verdict(90, &scores, true, false), Verdict::StrongNoHire);
        assert_eq!(overall(&scores, 1, true), 10);
    }

    #[test]
    fn a_target_at_one_caps_the_verdict_at_no_hire() {
        let scores = [cs("a", Some(1), true), cs("b", Some(4), false)];
        assert_eq!(verdict(80, &scores, false, false), Verdict::NoHire);
    }

    #[test]
    fn a_story_too_short_to_judge_is_at_most_a_no_hire() {
        let scores = [cs("a", Some(4), false)];
        assert_eq!(verdict(90, &scores, false, true), Verdict::NoHire);
        assert_eq!(verdict(90, &scores, false, false), Verdict::StrongHire);
    }

    #[test]
    fn a_strong_no_hire_without_a_disqualifier_needs_a_low_score_and_several_red_flags() {
        let scores = [cs("a", Some(2), false)];
        let cuts = [20.0, 60.0, 85.0];
        let at = |score, flags| verdict_at(score, &cuts, &scores, flags, false, false);
        assert_eq!(at(10, SEVERAL_RED_FLAGS), Verdict::StrongNoHire);
        assert_eq!(at(10, SEVERAL_RED_FLAGS - 1), Verdict::NoHire);
        assert_eq!(at(25, SEVERAL_RED_FLAGS + 2), Verdict::NoHire);
        assert_eq!(at(70, 0), Verdict::Hire);
        assert_eq!(
            verdict_at(90, &cuts, &scores, 0, true, false),
            Verdict::StrongNoHire
        );
    }
}

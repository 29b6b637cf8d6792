//! The mock interview's choices: which question to ask next, from the candidate's history, and
//! which follow-up probes to ask after an answer, from the gaps its judgment found.

use std::collections::{HashMap, HashSet};

use crate::judgment::{Judgment, Probe};
use crate::pack::{Pack, Question};

/// The most follow-ups one mock interview asks.
pub const MAX_FOLLOW_UPS: usize = 2;

/// What the candidate's history says, for picking the next question.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Questions already answered in a mock interview.
    pub seen: HashSet<String>,
    /// Every competency score judged so far (stories and attempts), by competency id.
    pub scores: HashMap<String, Vec<u8>>,
}

impl History {
    /// The average judged score of a competency; one never judged counts as the weakest (0).
    pub fn strength(&self, competency: &str) -> f64 {
        match self.scores.get(competency) {
            Some(s) if !s.is_empty() => {
                s.iter().map(|&v| f64::from(v)).sum::<f64>() / s.len() as f64
            }
            _ => 0.0,
        }
    }
}

/// The next question: among those with `theme` (all when `None`), unseen before seen, then the
/// one whose weakest target competency is weakest, then pack order.
pub fn pick_question<'a>(
    pack: &'a Pack,
    history: &History,
    theme: Option<&str>,
) -> Option<&'a Question> {
    pack.questions
        .iter()
        .enumerate()
        .filter(|(_, q)| theme.is_none_or(|t| q.themes.iter().any(|x| x == t)))
        .min_by(|(i, a), (j, b)| {
            let weakest = |q: &Question| {
                q.targets
                    .iter()
                    .map(|c| history.strength(c))
                    .fold(f64::INFINITY, f64::min)
            };
            history
                .seen
                .contains(&a.id)
                .cmp(&history.seen.contains(&b.id))
                .then_with(|| weakest(a).total_cmp(&weakest(b)))
                .then_with(|| i.cmp(j))
        })
        .map(|(_, q)| q)
}

/// One or two follow-ups: the probes the judgment found gaps for, weakest first; when it found
/// none, the question's own first probe.
pub fn follow_ups(judgment: &Judgment, question: &Question) -> Vec<Probe> {
    let mut probes: Vec<Probe> = judgment
        .probes
        .iter()
        .take(MAX_FOLLOW_UPS)
        .cloned()
        .collect();
    if probes.is_empty() {
        if let Some(p) = question.probes.first() {
            probes.push(Probe {
                competency: question
                    .targets
                    .first()
                    .map_or_else(Default::default, |t| t.as_str().into()),
                question: p.as_str().into(),
            });
        }
    }
    probes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{builtin, Analyzer};

    #[test]
    fn unseen_questions_come_before_seen_ones() {
        let pack = builtin::pack().unwrap();
        let first = pick_question(&pack, &History::default(), None).unwrap();
        let mut history = History::default();
        history.seen.insert(first.id.clone());
        let next = pick_question(&pack, &history, None).unwrap();
        assert_ne!(next.id, first.id);
    }

    #[test]
    fn the_weakest_competency_is_asked_about_first() {
        let pack = builtin::pack().unwrap();
        let mut history = History::default();
        for c in &pack.competencies {
            history.scores.insert(c.id.clone(), vec![4]);
        }
        let weak = &pack.questions[pack.questions.len() - 1].targets[0];
        history.scores.insert(weak.clone(), vec![1, 2]);
        let q = pick_question(&pack, &history, None).unwrap();
        assert!(q.targets.contains(weak), "{} targets {:?}", q.id, q.targets);
    }

    #[test]
    fn a_theme_limits_the_choice() {
        let pack = builtin::pack().unwrap();
        let theme = pack.questions[0].themes[0].clone();
        let q = pick_question(&pack, &History::default(), Some(&theme)).unwrap();
        assert!(q.themes.contains(&theme));
        assert!(pick_question(&pack, &History::default(), Some("no-such-theme")).is_none());
    }

    #[test]
    fn a_weak_answer_gets_one_or_two_follow_ups_from_its_gaps() {
        let pack = builtin::pack().unwrap();
        let question = pack.questions[0].clone();
        let analyzer = Analyzer::new(pack).unwrap();
        let j = analyzer
            .check(
                "We kind of just shipped it because sales wanted it.",
                Some(&question.id),
            )
            .unwrap();
        let probes = follow_ups(&j, &question);
        assert!((1..=MAX_FOLLOW_UPS).contains(&probes.len()));
        assert_eq!(probes[0], j.probes[0]);
    }
}

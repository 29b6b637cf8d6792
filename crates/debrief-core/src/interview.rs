//! The mock interview's choices: which question to ask next, from the candidate's history, and
//! which follow-up probes to ask after an answer, from the gaps its judgment found.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::engine::{Analyzer, CheckError};
use crate::judgment::{Finding, Judgment, Probe, Verdict};
use crate::pack::{Pack, Question, Severity};
use crate::score::MIN_STORY_WORDS;

/// The most follow-ups one mock interview asks.
pub const MAX_FOLLOW_UPS: usize = 2;

/// How long an answer may take, in seconds, unless the candidate asks for another length: three
/// minutes, the most a spoken answer should run (RUBRIC.md's delivery).
pub const ANSWER_SECONDS: i64 = 180;

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
/// none, the question's own first probe. A follow-up never repeats the question itself.
pub fn follow_ups(judgment: &Judgment, question: &Question) -> Vec<Probe> {
    let same = |a: &str, b: &str| {
        let words = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect()
        };
        words(a) == words(b)
    };
    let mut probes: Vec<Probe> = judgment
        .probes
        .iter()
        .filter(|p| !same(&p.question, &question.text))
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

/// The candidate's side of a whole interview, the answer and then each follow-up answer, as one
/// text: the committee decides on everything said, not on the first answer alone.
pub fn transcript<'a>(answer: &str, follow_ups: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = answer.trim_end().to_string();
    for f in follow_ups {
        if !f.trim().is_empty() {
            out.push_str("\n\n");
            out.push_str(f.trim_end());
        }
    }
    out
}

/// One verdict for a whole mock interview: the transcript (the answer and its follow-up answers)
/// judged as one answer to the question. A disqualifier in any part disqualifies the interview;
/// evidence given only when probed still counts, as it does in the room.
pub fn judge_interview<'a>(
    analyzer: &Analyzer,
    question: &Question,
    answer: &str,
    follow_ups: impl IntoIterator<Item = &'a str>,
) -> Result<Judgment, CheckError> {
    analyzer.check_markdown(&transcript(answer, follow_ups), Some(&question.id))
}

/// At most three findings to fix first: a disqualifier, then concerns on the question's targets,
/// then on the competencies that scored lowest, earlier in the answer first; one a signal.
pub fn fix_first(j: &Judgment) -> Vec<&Finding> {
    let score = |id: &str| {
        j.competencies
            .iter()
            .find(|c| *c.id == *id)
            .map_or((false, 5), |c| (c.target, c.score.unwrap_or(0)))
    };
    let mut red: Vec<&Finding> = j.findings.iter().filter(|f| f.severity.is_red()).collect();
    red.sort_by_key(|f| {
        let (target, s) = score(&f.competency);
        (f.severity != Severity::Disqualifier, !target, s, f.start)
    });
    let mut seen = HashSet::new();
    red.retain(|f| seen.insert(&*f.rule));
    red.truncate(3);
    red
}

/// What would lift a judgment to the next verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lift {
    /// The verdict one step up; `None` at strong-hire.
    pub next: Option<Verdict>,
    /// At most three steps, most important first, each one sentence.
    pub steps: Vec<String>,
}

/// The steps that would lift `j` to the next verdict: the disqualifier out first, then enough
/// story to judge, then the red findings to fix (with what to say instead), then the question's
/// targets the answer leaves weak or unshown.
pub fn lift(j: &Judgment, pack: &Pack) -> Lift {
    let mut steps = Vec::new();
    let next = j.verdict.next();
    if next.is_none() {
        return Lift { next, steps };
    }
    let too_short = j.metrics.words < MIN_STORY_WORDS && !j.verdict.is_hire();
    let target = |id: &str| j.competencies.iter().any(|c| c.target && *c.id == *id);
    // In order: the disqualifier, the length, red findings on the question's targets, the
    // targets left weak or unshown, then the other red findings.
    let mut first = Vec::new();
    let mut on_targets = Vec::new();
    let mut others = Vec::new();
    for f in fix_first(j) {
        // The length is said once, with the number of words.
        if too_short && f.start == f.end && *f.competency == *"delivery" {
            continue;
        }
        let what = f.suggestion.as_deref().unwrap_or(&f.message);
        let step = if f.start == f.end {
            what.to_string()
        } else {
            format!("\"{}\": {what}", crate::text::clip(&f.text, 80))
        };
        if f.severity == Severity::Disqualifier {
            first.push(format!("Take out the disqualifier. {step}"));
        } else if target(&f.competency) {
            on_targets.push(step);
        } else {
            others.push(step);
        }
    }
    if too_short {
        first.push(format!(
            "Tell the whole story: {} words is under the {MIN_STORY_WORDS} a hire needs; aim \
             for 150 to 400 (one to three minutes spoken).",
            j.metrics.words
        ));
    }
    let mut weak: Vec<(u8, &str)> = j
        .competencies
        .iter()
        .filter(|c| c.target && c.score.is_none_or(|s| s < 3))
        .map(|c| (c.score.unwrap_or(0), &*c.id))
        .collect();
    weak.sort();
    let weak = weak.into_iter().filter_map(|(score, id)| {
        let c = pack.competency(id)?;
        let how = if score == 0 { "Show" } else { "Strengthen" };
        Some(format!(
            "{how} {}: {}",
            c.name.to_lowercase(),
            c.description
        ))
    });
    steps.extend(first);
    steps.extend(on_targets);
    steps.extend(weak);
    steps.extend(others);
    steps.truncate(3);
    Lift { next, steps }
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

    #[test]
    fn a_follow_up_never_repeats_the_question() {
        let pack = builtin::pack().unwrap();
        let question = pack.questions[0].clone();
        let analyzer = Analyzer::new(pack).unwrap();
        let mut j = analyzer
            .check("We kind of just shipped it.", Some(&question.id))
            .unwrap();
        j.probes.insert(
            0,
            Probe {
                competency: "scar-tissue".into(),
                question: question.text.to_uppercase().into(),
            },
        );
        let probes = follow_ups(&j, &question);
        assert!(!probes.is_empty());
        assert!(probes
            .iter()
            .all(|p| !p.question.eq_ignore_ascii_case(&question.text)));
    }

    const ANSWER: &str = "I owned the launch of our new bot rules for 3,000 customers. At 5% of \
        traffic the false-positive rate reached 0.9% against our 0.1% gate, so I halted the \
        rollout and told the VP we would slip two weeks. I worked with the security lead on a \
        staged rollout with an automatic rollback, and every rule change now ships behind that \
        gate. We lost two weeks and a renewal date, and no customer was blocked. The SRE at our \
        largest bank customer told us it was the first rule launch they did not have to watch.";

    #[test]
    fn the_whole_interview_is_one_verdict_and_a_disqualifier_anywhere_counts() {
        let pack = builtin::pack().unwrap();
        let question = pack.question("halted-launch").unwrap().clone();
        let analyzer = Analyzer::new(pack).unwrap();
        let alone = judge_interview(&analyzer, &question, ANSWER, []).unwrap();
        assert_eq!(
            alone,
            analyzer.check_markdown(ANSWER, Some(&question.id)).unwrap()
        );
        let bad = "Later that quarter I skipped the security review to hit the launch date.";
        let with_bad = judge_interview(&analyzer, &question, ANSWER, [bad]).unwrap();
        assert!(with_bad.disqualified, "{with_bad:?}");
        assert_eq!(with_bad.verdict, Verdict::StrongNoHire);
        let lift = lift(&with_bad, analyzer.pack());
        assert_eq!(lift.next, Some(Verdict::NoHire));
        assert!(
            lift.steps[0].starts_with("Take out the disqualifier"),
            "{lift:?}"
        );
        assert!(lift.steps.len() <= 3);
    }

    #[test]
    fn a_short_answer_is_told_to_tell_the_whole_story_once() {
        let pack = builtin::pack().unwrap();
        let question = pack.question("halted-launch").unwrap().clone();
        let analyzer = Analyzer::new(pack).unwrap();
        let j = judge_interview(
            &analyzer,
            &question,
            "I halted the launch because the pen test failed.",
            ["", "  "],
        )
        .unwrap();
        let l = lift(&j, analyzer.pack());
        let told = l.steps.iter().filter(|s| s.contains("150 to 400")).count();
        assert_eq!(told, 1, "{l:?}");
        assert!(l.steps[0].starts_with("Tell the whole story"), "{l:?}");
        assert!(transcript("a", ["", "b"]).ends_with("a\n\nb"));
    }

    #[test]
    fn every_worked_answer_is_judged_as_its_label_says() {
        let analyzer = Analyzer::with_model(builtin::pack().unwrap(), builtin::model()).unwrap();
        let (ran, failures) = analyzer.verify_worked();
        assert_eq!(
            ran,
            2 * analyzer.pack().questions.len(),
            "one pair a question"
        );
        assert!(failures.is_empty(), "{failures:#?}");
    }
}

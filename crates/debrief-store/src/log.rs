//! The practice log: every mock interview (its answer and the follow-ups after it) and every
//! explain-drill attempt, newest first, with what the candidate said. `debrief history` and the
//! web app's history page show it.

use serde::Serialize;

use crate::{Attempt, Result, SavedExplanation, Store, ATTEMPT_ANSWER};

/// A mock attempt counts toward the checklist only with an answer this long: under it there is
/// no story for the committee to judge (the judge's own too-short threshold).
pub const MOCK_MIN_WORDS: usize = 80;

/// One entry of the history.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Entry {
    /// A mock interview: the main answer and the follow-ups that came after it.
    Mock {
        /// The main answer's attempt id.
        id: i64,
        /// The question's id.
        question: Option<String>,
        /// When the answer was saved (Unix seconds).
        created: i64,
        /// Seconds the answer took.
        seconds: i64,
        /// The main answer's verdict and score.
        verdict: String,
        score: i64,
        /// The main answer's length in words.
        words: usize,
        /// Whether it counts toward the checklist's mock interviews (80 words or more).
        counts: bool,
        /// The answer's text.
        answer: String,
        /// The follow-ups, in order.
        follow_ups: Vec<FollowUp>,
        /// The verdict of the whole interview (the answer and its follow-ups judged as one),
        /// when it was kept (interviews since migration 0005).
        #[serde(skip_serializing_if = "Option::is_none")]
        overall: Option<Overall>,
    },
    /// An explain-drill attempt.
    Explain {
        /// The explanation's id.
        id: i64,
        /// The topic's id.
        topic: String,
        /// When it was saved (Unix seconds).
        created: i64,
        /// Seconds it took.
        seconds: i64,
        /// Its score and whether it passed.
        score: i64,
        passed: bool,
        /// Its length in words.
        words: usize,
        /// The explanation's text.
        text: String,
    },
}

/// The verdict of a whole mock interview.
#[derive(Debug, Serialize)]
pub struct Overall {
    /// The verdict and score of the answer and its follow-ups judged as one.
    pub verdict: String,
    pub score: i64,
    /// Whether a disqualifier fired anywhere in the interview.
    pub disqualified: bool,
}

impl Overall {
    fn of(judgment: &serde_json::Value) -> Option<Overall> {
        Some(Overall {
            verdict: judgment.get("verdict")?.as_str()?.to_string(),
            score: judgment.get("score")?.as_i64()?,
            disqualified: judgment
                .get("disqualified")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }
}

/// A follow-up answered in a mock interview.
#[derive(Debug, Serialize)]
pub struct FollowUp {
    /// The attempt's id.
    pub id: i64,
    /// The follow-up question, when it was kept (since migration 0005).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// Its verdict and score, judged as a follow-up.
    pub verdict: String,
    pub score: i64,
    /// Seconds it took.
    pub seconds: i64,
    /// Its text.
    pub answer: String,
}

impl Entry {
    fn created(&self) -> i64 {
        match self {
            Entry::Mock { created, .. } | Entry::Explain { created, .. } => *created,
        }
    }
}

/// The practice log, newest first: attempts grouped into interviews (a main answer and the
/// follow-ups saved after it to the same question), and explanations.
pub fn practice_log(
    attempts: &[Attempt],
    explanations: &[SavedExplanation],
    mocks: bool,
    explanations_too: bool,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    if mocks {
        let mut current: Option<Entry> = None;
        for a in attempts {
            if a.kind == ATTEMPT_ANSWER {
                out.extend(current.take());
                let words = a.answer.split_whitespace().count();
                current = Some(Entry::Mock {
                    id: a.id,
                    question: a.question.clone(),
                    created: a.created,
                    seconds: a.seconds,
                    verdict: a.verdict.clone(),
                    score: a.score,
                    words,
                    counts: words >= MOCK_MIN_WORDS,
                    answer: a.answer.clone(),
                    follow_ups: Vec::new(),
                    overall: a.overall.as_ref().and_then(Overall::of),
                });
            } else if let Some(Entry::Mock {
                question,
                follow_ups,
                ..
            }) = current.as_mut()
            {
                if *question == a.question {
                    follow_ups.push(FollowUp {
                        id: a.id,
                        probe: a.probe.clone(),
                        verdict: a.verdict.clone(),
                        score: a.score,
                        seconds: a.seconds,
                        answer: a.answer.clone(),
                    });
                }
            }
        }
        out.extend(current);
    }
    if explanations_too {
        out.extend(explanations.iter().map(|e| Entry::Explain {
            id: e.id,
            topic: e.topic.clone(),
            created: e.created,
            seconds: e.seconds,
            score: e.score,
            passed: e.passed,
            words: e.text.split_whitespace().count(),
            text: e.text.clone(),
        }));
    }
    // Newest first; the sort is stable, so entries saved in the same second keep their order.
    out.sort_by_key(|e| std::cmp::Reverse(e.created()));
    out
}

impl Store {
    /// The practice log of this store, newest first.
    pub async fn practice_log(&self) -> Result<Vec<Entry>> {
        Ok(practice_log(
            &self.attempts().await?,
            &self.explanations().await?,
            true,
            true,
        ))
    }
}

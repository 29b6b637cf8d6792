//! What the mock interview needs to pick its next question: the questions already answered and
//! every competency score judged so far, from attempts and the story bank.

use debrief_core::interview::History;

use crate::{Result, Store, ATTEMPT_ANSWER};

impl Store {
    /// The candidate's history for [`debrief_core::interview::pick_question`].
    pub async fn interview_history(&self) -> Result<History> {
        let mut history = History::default();
        for a in self.attempts().await? {
            if a.kind == ATTEMPT_ANSWER {
                if let Some(q) = &a.question {
                    history.seen.insert(q.clone());
                }
            }
            for c in a.judgment["competencies"].as_array().into_iter().flatten() {
                if let (Some(id), Some(score)) = (c["id"].as_str(), c["score"].as_u64()) {
                    history
                        .scores
                        .entry(id.to_string())
                        .or_default()
                        .push(score as u8);
                }
            }
        }
        for story in self.story_evidence().await? {
            for (id, score) in story.competency_scores {
                history.scores.entry(id).or_default().push(score);
            }
        }
        Ok(history)
    }
}

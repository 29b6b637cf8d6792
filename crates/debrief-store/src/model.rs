//! The records the store keeps, as callers see them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a story says about itself in its front matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryMeta {
    /// The story's title.
    pub title: String,
    /// Free tags, such as `launch` or `outage`.
    pub tags: Vec<String>,
    /// The ids of the questions the story answers.
    pub questions: Vec<String>,
}

/// One line of the story bank: a story and its latest judgment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummary {
    /// The id the candidate types.
    pub id: i64,
    /// Title, tags and questions of the latest version.
    #[serde(flatten)]
    pub meta: StoryMeta,
    /// How many versions are kept.
    pub versions: i64,
    /// The latest version's overall score, 0 to 100.
    pub score: i64,
    /// The latest version's verdict.
    pub verdict: String,
    /// When it was added (Unix seconds).
    pub created: i64,
    /// When its last version was saved (Unix seconds).
    pub updated: i64,
}

/// One saved version of a story, judged when it was saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryVersion {
    /// 1 for the first version, then one more for each rewrite.
    pub version: i64,
    /// The story as written, front matter included.
    pub markdown: String,
    /// The judgment, as `debrief check --format json` gives it.
    pub judgment: Value,
    /// The overall score, 0 to 100.
    pub score: i64,
    /// The verdict.
    pub verdict: String,
    /// When it was saved (Unix seconds).
    pub created: i64,
}

/// A whole story with every version, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// The id the candidate types.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// Title, tags and questions of the latest version.
    #[serde(flatten)]
    pub meta: StoryMeta,
    /// When it was added (Unix seconds).
    pub created: i64,
    /// When its last version was saved (Unix seconds).
    pub updated: i64,
    /// Every version, oldest first.
    pub versions: Vec<StoryVersion>,
}

impl Story {
    /// The latest version (a story always has one).
    pub fn latest(&self) -> Option<&StoryVersion> {
        self.versions.last()
    }
}

/// What the latest version of a story proves, for coverage and readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryEvidence {
    /// The story's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The questions it answers.
    pub questions: Vec<String>,
    /// The latest version's overall score.
    pub score: i64,
    /// Competency id to score (1 to 4), for the competencies the latest version evidences.
    pub competency_scores: BTreeMap<String, u8>,
    /// The latest version's verdict (`strong-hire`, `hire`, `no-hire`, `strong-no-hire`).
    pub verdict: String,
    /// Whether the latest version carries a disqualifier.
    pub disqualified: bool,
    /// The strength signals the latest version's findings show.
    pub strengths: BTreeSet<String>,
    /// An earlier story whose latest text is the same as this one's, if any: the two count once.
    pub same_as: Option<i64>,
}

impl StoryEvidence {
    /// Whether the story may count for the readiness checklist: rated hire or better, with no
    /// disqualifier, and not a repeat of an earlier story's text.
    pub fn counts(&self) -> bool {
        matches!(self.verdict.as_str(), "hire" | "strong-hire")
            && !self.disqualified
            && self.same_as.is_none()
    }
}

/// A story's text reduced to what makes two stories the same story: the body without its front
/// matter, lower-cased, its words joined by single spaces (punctuation and layout do not count).
pub fn text_key(markdown: &str) -> String {
    let body = &markdown[debrief_core::markdown::body_start(markdown)..];
    let words: Vec<String> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join(" ")
}

/// A new entry of the failure resume.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFailure {
    /// The mistake, in the candidate's words.
    pub mistake: String,
    /// What it cost: users, money, time, trust.
    pub impact: String,
    /// The systemic change made afterwards; empty when none was made yet.
    pub systemic_change: String,
}

/// An entry of the failure resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The id the candidate types.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// Mistake, impact and systemic change.
    #[serde(flatten)]
    pub entry: NewFailure,
    /// When it was added (Unix seconds).
    pub created: i64,
    /// When it was last changed (Unix seconds).
    pub updated: i64,
}

/// What kind of answer an attempt is.
pub const ATTEMPT_ANSWER: &str = "answer";
/// A follow-up probe answered after the interview's question.
pub const ATTEMPT_FOLLOW_UP: &str = "follow-up";

/// A new mock-interview attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt<'a> {
    /// [`ATTEMPT_ANSWER`] or [`ATTEMPT_FOLLOW_UP`].
    pub kind: &'a str,
    /// The question id, when the answer was to a question of the pack.
    pub question: Option<&'a str>,
    /// The follow-up question this answers; `None` for the question itself.
    pub probe: Option<&'a str>,
    /// The answer as given.
    pub answer: &'a str,
    /// Its judgment.
    pub judgment: &'a debrief_core::Judgment,
    /// How long the candidate took.
    pub seconds: i64,
}

/// A saved mock-interview attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The store's id.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// [`ATTEMPT_ANSWER`] or [`ATTEMPT_FOLLOW_UP`].
    pub kind: String,
    /// The question id, if any.
    pub question: Option<String>,
    /// The follow-up question a follow-up answered (kept since migration 0005).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// The answer as given.
    pub answer: String,
    /// The judgment, as `debrief check --format json` gives it.
    pub judgment: Value,
    /// On an interview's main answer: the judgment of the whole interview (the answer and its
    /// follow-ups as one), once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Value>,
    /// For a spoken answer, how it was delivered (debrief-voice's `Delivery`; migration 0006).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Value>,
    /// The overall score, 0 to 100.
    pub score: i64,
    /// The verdict.
    pub verdict: String,
    /// How long the candidate took.
    pub seconds: i64,
    /// When it was saved (Unix seconds).
    pub created: i64,
}

/// What was red in one judged version or attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedMarks {
    /// When it was judged (Unix seconds).
    pub created: i64,
    /// Competencies scored 1 or 2.
    pub competencies: Vec<String>,
    /// Signals that fired as a concern or a disqualifier.
    pub signals: Vec<String>,
}

/// Scores judged on one day, stories and attempts together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayScores {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// How many judgments.
    pub count: i64,
    /// The sum of their scores.
    pub total: i64,
}

/// The columns derived from a judgment so that reports never parse judgments.
pub(crate) struct Derived {
    pub score: i64,
    pub verdict: String,
    pub competency_scores: String,
    pub red_competencies: String,
    pub red_signals: String,
    /// Whether the judgment carries a disqualifier.
    pub disqualified: bool,
    /// The strength signals its findings show, as a JSON list.
    pub strengths: String,
}

impl Derived {
    /// Reads score, verdict, competency scores and red marks from a judgment's JSON. Missing
    /// parts read as empty, so an export from another version still imports.
    pub fn from_judgment(j: &Value) -> Derived {
        let mut scores = BTreeMap::new();
        let mut red_competencies = Vec::new();
        for c in j["competencies"].as_array().into_iter().flatten() {
            if let (Some(id), Some(score)) = (c["id"].as_str(), c["score"].as_u64()) {
                scores.insert(id.to_string(), score);
                if score <= 2 {
                    red_competencies.push(id.to_string());
                }
            }
        }
        let mut red_signals: Vec<String> = j["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| matches!(f["severity"].as_str(), Some("concern" | "disqualifier")))
            .filter_map(|f| f["rule"].as_str().map(str::to_string))
            .collect();
        red_signals.sort();
        red_signals.dedup();
        let strengths: BTreeSet<String> = j["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["severity"] == "strength")
            .filter_map(|f| f["rule"].as_str().map(str::to_string))
            .collect();
        Derived {
            score: j["score"].as_i64().unwrap_or(0),
            verdict: j["verdict"].as_str().unwrap_or("").to_string(),
            competency_scores: serde_json::to_string(&scores).expect("a map of numbers"),
            red_competencies: to_json_list(&red_competencies),
            red_signals: to_json_list(&red_signals),
            disqualified: j["disqualified"].as_bool().unwrap_or(false),
            strengths: serde_json::to_string(&strengths).expect("strings serialise"),
        }
    }
}

/// A list of strings as the JSON array kept in a text column.
pub(crate) fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("strings serialise")
}

/// A JSON array column back as strings; anything else reads as empty.
pub(crate) fn from_json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

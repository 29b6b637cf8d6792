//! The judgment of one answer: findings with spans, scores per competency, the verdict, probes and
//! metrics. Serialises to PRODUCT.md's check contract (the caller adds `path`).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::metrics::Metrics;
use crate::pack::Severity;

/// The committee's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The committee would not hire, firmly (any disqualifier lands here).
    StrongNoHire,
    /// The committee would not hire.
    NoHire,
    /// The committee would hire.
    Hire,
    /// The committee would hire, firmly.
    StrongHire,
}

impl Verdict {
    /// The id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::StrongNoHire => "strong-no-hire",
            Verdict::NoHire => "no-hire",
            Verdict::Hire => "hire",
            Verdict::StrongHire => "strong-hire",
        }
    }

    /// Whether the committee would hire: `hire` or `strong-hire`.
    pub fn is_hire(self) -> bool {
        self >= Verdict::Hire
    }

    /// The verdict one step better, if there is one.
    pub fn next(self) -> Option<Verdict> {
        match self {
            Verdict::StrongNoHire => Some(Verdict::NoHire),
            Verdict::NoHire => Some(Verdict::Hire),
            Verdict::Hire => Some(Verdict::StrongHire),
            Verdict::StrongHire => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "strong-no-hire" => Ok(Verdict::StrongNoHire),
            "no-hire" => Ok(Verdict::NoHire),
            "hire" => Ok(Verdict::Hire),
            "strong-hire" => Ok(Verdict::StrongHire),
            _ => Err(format!("unknown verdict {s:?}")),
        }
    }
}

/// The pack a judgment was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    /// The pack's id.
    pub id: Arc<str>,
    /// The pack's version.
    pub version: Arc<str>,
}

/// One competency's score in a judgment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyScore {
    /// The competency id.
    pub id: Arc<str>,
    /// 1 strong no, 2 no, 3 yes, 4 strong yes; `None` when the answer gives no evidence.
    pub score: Option<u8>,
    /// Whether the question targets it.
    pub target: bool,
}

/// One thing the analyzer noticed, pointing at the exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The signal's id. The pack's strings are shared with the analyzer (`Arc<str>`): judging
    /// an answer allocates only the text of each finding.
    pub rule: Arc<str>,
    /// The competency it is evidence for.
    pub competency: Arc<str>,
    /// How much it matters.
    pub severity: Severity,
    /// Byte offset of the first byte of the span in the input.
    pub start: usize,
    /// Byte offset one past the span's last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub column: usize,
    /// The text of the span.
    pub text: String,
    /// Why it matters, in one sentence.
    pub message: Arc<str>,
    /// What a strong answer says instead.
    pub suggestion: Option<Arc<str>>,
}

/// A follow-up the interviewer would ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// The competency it probes.
    pub competency: Arc<str>,
    /// The question.
    pub question: Arc<str>,
}

/// The judgment of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgment {
    /// The pack it was judged with.
    pub pack: PackRef,
    /// The question it answers, if known.
    pub question: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The overall score, 0 to 100, for ranking answers and plotting progress.
    pub score: u8,
    /// Whether a disqualifier fired.
    pub disqualified: bool,
    /// Every competency of the pack, in the pack's order.
    pub competencies: Vec<CompetencyScore>,
    /// The findings, in order of position.
    pub findings: Vec<Finding>,
    /// The follow-ups to practise next.
    pub probes: Vec<Probe>,
    /// What the answer measures.
    pub metrics: Metrics,
}

impl Judgment {
    /// The worst severity among red findings, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .map(|f| f.severity)
            .filter(|s| s.is_red())
            .max()
    }

    /// The score of one competency.
    pub fn competency_score(&self, id: &str) -> Option<u8> {
        self.competencies
            .iter()
            .find(|c| *c.id == *id)
            .and_then(|c| c.score)
    }
}

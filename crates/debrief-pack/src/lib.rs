//! The pack model: everything debrief judges with and teaches from, loaded from plain TOML files
//! and validated with file:line errors. The format is documented in `packs/FORMAT.md`.
//!
//! This crate does no I/O: the caller hands over the files' paths and contents. It is its own
//! crate so that `debrief-core`'s build script can load and validate the built-in pack at build
//! time.

pub mod phrases;
mod raw;
pub mod template;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use raw::{load, KNOWN_DECKS};

/// One file of a pack, as the caller read it.
#[derive(Debug, Clone)]
pub struct PackFile {
    /// The path inside the pack folder, with `/` separators, such as `signals/ownership.toml`.
    pub path: String,
    /// The file's text.
    pub contents: String,
}

/// An error in a pack, located at a file and (where known) a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// The path inside the pack folder.
    pub file: String,
    /// The 1-based line, where the error has one.
    pub line: Option<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// All the errors found in a pack; a pack with any error is not loaded.
#[derive(Debug, Clone)]
pub struct PackErrors(pub Vec<PackError>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackErrors {}

/// Where a thing was defined, for messages that point back into the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The path inside the pack folder.
    pub file: String,
    /// The 1-based line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A loaded, validated pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pack {
    /// Identity and scoring knobs.
    pub meta: PackMeta,
    /// The competencies, in the pack's order.
    pub competencies: Vec<Competency>,
    /// The signals the analyzer looks for.
    pub signals: Vec<Signal>,
    /// The question bank.
    pub questions: Vec<Question>,
    /// Flashcard decks.
    pub decks: Vec<Deck>,
    /// Explain-drill topics.
    pub topics: Vec<Topic>,
    /// The readiness checklist.
    pub checklist: Vec<ChecklistItem>,
}

impl Pack {
    /// The competency with this id.
    pub fn competency(&self, id: &str) -> Option<&Competency> {
        self.competencies.iter().find(|c| c.id == id)
    }

    /// The question with this id, or the one it was merged into (its `aliases`).
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id).or_else(|| {
            self.questions
                .iter()
                .find(|q| q.aliases.iter().any(|a| a == id))
        })
    }

    /// Every theme its questions use, sorted, each once.
    pub fn themes(&self) -> Vec<&str> {
        let mut themes: Vec<&str> = self
            .questions
            .iter()
            .flat_map(|q| q.themes.iter().map(String::as_str))
            .collect();
        themes.sort_unstable();
        themes.dedup();
        themes
    }

    /// The questions that target `competency` and carry `theme` (either filter left out when
    /// `None`), in the bank's order.
    pub fn questions_for(&self, competency: Option<&str>, theme: Option<&str>) -> Vec<&Question> {
        self.questions
            .iter()
            .filter(|q| competency.is_none_or(|c| q.targets.iter().any(|x| x == c)))
            .filter(|q| theme.is_none_or(|t| q.themes.iter().any(|x| x == t)))
            .collect()
    }

    /// The explain topic with this id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// The deck with this id.
    pub fn deck(&self, id: &str) -> Option<&Deck> {
        self.decks.iter().find(|d| d.id == id)
    }

    /// The learned classes its signals name, each once, in the order of the signals.
    pub fn learned_classes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.signals.iter().filter_map(|s| s.learned.as_ref()) {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }

    /// Every card of every deck, deck by deck.
    pub fn cards(&self) -> impl Iterator<Item = &Card> {
        self.decks.iter().flat_map(|d| d.cards.iter())
    }
}

/// A pack's identity and scoring knobs (`pack.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackMeta {
    /// The pack's id, such as `cloudflare-pm`.
    pub id: String,
    /// A human name.
    pub name: String,
    /// The pack's version; the same text, pack and version always give the same judgment.
    pub version: String,
    /// What the pack is for.
    pub description: String,
    /// How many competencies a complete story evidences; fewer drags the overall score.
    pub expected_competencies: usize,
}

/// A competency the committee judges (`competencies.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Competency {
    /// The stable id (RUBRIC.md's ids for the default pack).
    pub id: String,
    /// A human name.
    pub name: String,
    /// What strong evidence looks like.
    pub description: String,
    /// The interviewer's follow-ups, asked when the competency is weak or not evidenced.
    pub probes: Vec<String>,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information, such as a metric.
    Note,
    /// A sign in the candidate's favour.
    Strength,
    /// A red flag.
    Concern,
    /// The committee would end the interview.
    Disqualifier,
}

impl Severity {
    /// The id used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Strength => "strength",
            Severity::Concern => "concern",
            Severity::Disqualifier => "disqualifier",
        }
    }

    /// Whether this severity counts against the candidate.
    pub fn is_red(self) -> bool {
        matches!(self, Severity::Concern | Severity::Disqualifier)
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "strength" => Ok(Severity::Strength),
            "concern" => Ok(Severity::Concern),
            "disqualifier" => Ok(Severity::Disqualifier),
            _ => Err(format!(
                "unknown severity {s:?} (expected disqualifier, concern, strength or note)"
            )),
        }
    }
}

/// Where a signal looks for its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Inside one clause.
    Clause,
    /// Inside one sentence.
    Sentence,
    /// The whole answer (answer-level checks).
    Answer,
}

/// The context rules under which a signal stays quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContextRules {
    /// Quiet when negated or refused.
    pub negation: bool,
    /// Quiet when someone else's words or request.
    pub reported: bool,
    /// Quiet when hypothetical or averted.
    pub counterfactual: bool,
    /// Quiet inside a question.
    pub question: bool,
}

/// A metric an answer is measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Words.
    Words,
    /// Sentences.
    Sentences,
    /// Seconds to say it at 150 words a minute.
    SpeakingSeconds,
    /// Numbers with a unit.
    Quantities,
    /// I, me, my, mine, myself.
    FirstPersonSingular,
    /// We, us, our, ours, ourselves.
    FirstPersonPlural,
    /// Filler words (signals with `metric = "fillers"`).
    Fillers,
    /// Hedges (signals with `metric = "hedges"`).
    Hedges,
}

/// One condition on a metric of the whole answer; both bounds are strict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Condition {
    /// The metric.
    pub metric: MetricKind,
    /// Holds when the metric is above this.
    pub above: Option<f64>,
    /// Holds when the metric is below this.
    pub below: Option<f64>,
}

/// Where an answer-level finding points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerAt {
    /// The whole answer.
    All,
    /// The last sentence, where a result belongs.
    LastSentence,
    /// The words past the 400th.
    Overflow,
}

/// The rule of an answer-level signal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerCheck {
    /// Where the finding points.
    pub at: AnswerAt,
    /// Fires only when none of these phrase templates occur.
    pub absent: Vec<String>,
    /// Fires only when the answer holds no quantity.
    pub absent_quantity: bool,
    /// Fires only when all of these hold.
    pub when: Vec<Condition>,
}

/// A signal's examples, which `debrief pack check` runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Examples {
    /// Texts on which the signal must fire.
    pub fire: Vec<String>,
    /// Texts on which it must stay quiet.
    pub quiet: Vec<String>,
}

/// One thing the committee notices (`signals/*.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signal {
    /// Unique in the pack; the `rule` of a finding.
    pub id: String,
    /// The competency it is evidence for.
    pub competency: String,
    /// How much it matters.
    pub severity: Severity,
    /// How much it moves the competency score (1 to 3).
    pub weight: u8,
    /// Where it looks.
    pub scope: Scope,
    /// Why it matters, in one sentence.
    pub message: String,
    /// What a strong answer says instead.
    pub suggestion: Option<String>,
    /// Phrase templates; any one fires.
    pub phrases: Vec<String>,
    /// Phrase templates that must follow a `phrases` match.
    pub then: Vec<String>,
    /// Words allowed between a `phrases` match and its `then` match.
    pub gap: usize,
    /// Phrase templates that silence the signal in its scope.
    pub unless: Vec<String>,
    /// Silence the signal when its scope holds a quantity.
    pub unless_quantity: bool,
    /// Regexes, matched case-insensitively.
    pub patterns: Vec<String>,
    /// Context rules under which it stays quiet.
    pub context: ContextRules,
    /// The metric its firings count toward.
    pub metric: Option<MetricKind>,
    /// The rule of an answer-level signal.
    pub answer: Option<AnswerCheck>,
    /// The learned layer's class (`eval/LABELS.md`) whose sentences this signal reports, beside
    /// its phrases. Several signals may name one class: its learned findings go to the first.
    #[serde(default)]
    pub learned: Option<String>,
    /// The context rules for its learned findings (by default, `context`): the model reads
    /// negation itself, so a disqualifier's learned findings keep "launched without the review".
    #[serde(default)]
    pub learned_context: ContextRules,
    /// Templates one of which must be in the sentence of a learned finding, or one of the two
    /// before it, for the learned layer to report it (the thing the finding is about).
    #[serde(default)]
    pub learned_near: Vec<String>,
    /// Templates one of which must be in the sentence of a learned finding itself.
    #[serde(default)]
    pub learned_with: Vec<String>,
    /// Texts it must and must not fire on.
    pub examples: Examples,
    /// Where it is defined.
    pub origin: Origin,
}

impl Signal {
    /// The signal's phrase lists, always six and in this order: its phrases, what must follow
    /// them (`then`), what cancels them (`unless`), what an answer-level check looks for
    /// (`answer.absent`; empty without one), and what its learned findings need near and with
    /// them. The analyzer and the build script that compiles the default pack's phrases both add
    /// them in this order.
    pub fn phrase_lists(&self) -> [&[String]; 6] {
        let absent: &[String] = self.answer.as_ref().map_or(&[], |a| &a.absent);
        [
            &self.phrases,
            &self.then,
            &self.unless,
            absent,
            &self.learned_near,
            &self.learned_with,
        ]
    }
}

/// A behavioral question from the bank (`questions.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Question {
    /// Stable id, used by `--question`.
    pub id: String,
    /// The question as the interviewer asks it.
    pub text: String,
    /// Themes, for picking by theme.
    pub themes: Vec<String>,
    /// The competencies it targets.
    pub targets: Vec<String>,
    /// Follow-up probes specific to this question.
    pub probes: Vec<String>,
    /// What a strong answer shows.
    pub strong: String,
    /// A strong and a weak answer written for the question (`worked/ID.toml`), shown after a
    /// mock's debrief; `pack check` judges each as its label says.
    #[serde(default)]
    pub worked: Option<Worked>,
    /// Ids of questions merged into this one: old stories, attempts and `--question` still find
    /// it under them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Other ways an interviewer asks the same question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_asked: Vec<String>,
}

/// A question's worked answers: one the committee would hire on and one it would not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Worked {
    /// An answer judged `hire` or better.
    pub strong: String,
    /// An answer judged `no-hire` or worse.
    pub weak: String,
    /// What sinks the weak answer, in one or two sentences.
    pub weak_why: String,
    /// The file it was read from.
    pub origin: Origin,
}

/// A flashcard deck (`cards/DECK.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deck {
    /// The deck's id, such as `dns`.
    pub id: String,
    /// A human name.
    pub name: String,
    /// The cards, in file order.
    pub cards: Vec<Card>,
}

/// One flashcard: one fact.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Card {
    /// Unique in the pack.
    pub id: String,
    /// The deck it belongs to.
    pub deck: String,
    /// The prompt side.
    pub front: String,
    /// The answer side.
    pub back: String,
    /// Why it matters to a PM, in one line.
    pub why: String,
    /// For a cloze card (`kind = "cloze"`), its text with the gaps marked as Anki marks them
    /// (`{{c1::answer}}`, `{{c2::answer::hint}}`): `front` shows it with the gaps hidden, `back`
    /// with them filled, and an Anki export writes it as a cloze note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloze: Option<String>,
    /// For a fact that can go stale: when it was true and where it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dated: Option<Dated>,
}

/// When a card's fact was true, and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub as_of: String,
    /// An https link to the primary source.
    pub source: String,
}

/// Text with Anki's cloze gaps (`{{c1::answer::hint}}`) hidden as `[...]` (or `[hint]`), or
/// shown.
pub fn cloze(text: &str, show: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + end];
        let mut parts = inner.splitn(3, "::");
        let _number = parts.next();
        let answer = parts.next().unwrap_or("");
        let hint = parts.next();
        if show {
            out.push_str(answer);
        } else {
            out.push_str(&format!("[{}]", hint.unwrap_or("...")));
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// A concept an explanation must contain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Concept {
    /// Unique in the topic.
    pub id: String,
    /// A human name.
    pub name: String,
    /// Phrase templates; any one counts as the concept present.
    pub phrases: Vec<String>,
}

/// A jargon term that must be explained in plain words if used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Jargon {
    /// The term, as a phrase template.
    pub term: String,
    /// Phrase templates; one near the term counts as an explanation.
    pub explained_by: Vec<String>,
}

/// An explain-drill topic (`topics/ID.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// A human title.
    pub title: String,
    /// What the candidate is asked to explain, and to whom.
    pub prompt: String,
    /// A hint toward a good analogy.
    pub analogy_hint: String,
    /// The word budget (two minutes is about 300 words).
    pub max_words: usize,
    /// Concepts an accurate explanation contains.
    pub concepts: Vec<Concept>,
    /// Jargon to avoid or explain, beside the terms every topic's judge knows to be jargon.
    pub jargon: Vec<Jargon>,
    /// Words the listener in the prompt uses every day (not jargon for them).
    #[serde(default)]
    pub knows: Vec<String>,
    /// What a half-informed explainer gets wrong; stating one fails the explanation.
    #[serde(default)]
    pub misconceptions: Vec<Misconception>,
    /// A strong explanation, used as a test.
    pub strong_sample: String,
    /// A weak explanation, used as a test.
    pub weak_sample: String,
    /// A fluent, plain explanation that fails subtly (it states one of the misconceptions, in
    /// words that sound right), used as a test: it must fail with that misconception quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtle_sample: Option<SubtleSample>,
}

/// An explanation that sounds right and is wrong in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubtleSample {
    /// The explanation.
    pub text: String,
    /// The id of the misconception it states.
    pub states: String,
}

/// A wrong claim about a topic, and what is true instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misconception {
    /// Stable id, unique in its topic.
    pub id: String,
    /// The wrong claim, as a candidate would put it.
    pub claim: String,
    /// What is true instead, in one or two sentences.
    pub why: String,
    /// Phrase templates that state it.
    pub phrases: Vec<String>,
    /// What the claim is about: where the learned model hears the claim in a sentence with none
    /// of these, it is not believed (a model trained on a few dozen wordings of a claim also
    /// hears it in plain true sentences about the same topic).
    #[serde(default)]
    pub anchors: Vec<String>,
    /// The ideas it gets wrong: an explanation that states it does not earn them.
    #[serde(default)]
    pub contradicts: Vec<String>,
    /// Sentences that state it: the drill must catch each (`examples.states`).
    #[serde(default)]
    pub states: Vec<String>,
    /// Sentences that deny or correct it in the same words: the drill must not flag them
    /// (`examples.denies`).
    #[serde(default)]
    pub denies: Vec<String>,
}

/// The evidence rule of a checklist item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Evidence {
    /// Stories whose latest version is rated `hire` or better with no disqualifier, scores at
    /// least `min_score` on any of `competencies` and, when `signals` is not empty, shows one
    /// of those strengths. A story whose text repeats an earlier story's counts once.
    Stories {
        /// Competency ids.
        competencies: Vec<String>,
        /// The minimum competency score, 1 to 4.
        min_score: u8,
        /// How many stories.
        count: usize,
        /// Strength signal ids, one of which the story must show (none: any).
        #[serde(default)]
        signals: Vec<String>,
    },
    /// Decks learned: every card reviewed and retention at least `min_retention`.
    Cards {
        /// Deck ids.
        decks: Vec<String>,
        /// Retention from 0 to 1.
        min_retention: f64,
    },
    /// Mock interview attempts.
    Mocks {
        /// How many.
        count: usize,
    },
    /// Failure resume entries with a systemic change.
    Failures {
        /// How many.
        count: usize,
    },
    /// A passed explanation of one of these topics.
    Explain {
        /// Topic ids.
        topics: Vec<String>,
    },
}

/// One item of the readiness checklist (`checklist.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable id.
    pub id: String,
    /// The item as the candidate reads it.
    pub text: String,
    /// What the system looks at to call it met.
    pub evidence: Evidence,
}

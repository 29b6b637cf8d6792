//! Reading pack files: TOML into the raw shapes, then validation into the model with file:line
//! errors. Unknown keys are errors, so a typo in a pack never passes silently.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::template;
use super::{
    AnswerAt, AnswerCheck, Card, ChecklistItem, Competency, Concept, Condition, ContextRules,
    Dated, Deck, Evidence, Examples, Jargon, MetricKind, Misconception, Origin, Pack, PackError,
    PackErrors, PackFile, PackMeta, Question, Scope, Severity, Signal, SubtleSample, Topic, Worked,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Spanned<String>,
    name: String,
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scoring: RawScoring,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    expected_competencies: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetencies {
    #[serde(default)]
    competency: Vec<Spanned<RawCompetency>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetency {
    id: String,
    name: String,
    description: String,
    #[serde(default)]
    probes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignals {
    #[serde(default)]
    signal: Vec<Spanned<RawSignal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    id: String,
    competency: String,
    severity: Severity,
    #[serde(default)]
    weight: Option<u8>,
    #[serde(default)]
    scope: Option<Scope>,
    message: String,
    #[serde(default)]
    suggestion: Option<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    then: Vec<String>,
    #[serde(default)]
    gap: Option<usize>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    unless_quantity: bool,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    context: Option<Vec<String>>,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    at: Option<AnswerAt>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    absent_quantity: bool,
    #[serde(default)]
    when: Vec<RawCondition>,
    #[serde(default)]
    learned: Option<String>,
    #[serde(default)]
    learned_context: Option<Vec<String>>,
    #[serde(default)]
    learned_near: Vec<String>,
    #[serde(default)]
    learned_with: Vec<String>,
    #[serde(default)]
    examples: RawExamples,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    metric: MetricKind,
    above: Option<f64>,
    below: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(default)]
    fire: Vec<String>,
    #[serde(default)]
    quiet: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    text: String,
    #[serde(default)]
    themes: Vec<String>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    probes: Vec<String>,
    strong: String,
    /// Ids of questions merged into this one (old stories, attempts and `--question` still find it).
    #[serde(default)]
    aliases: Vec<String>,
    /// Other ways an interviewer asks the same question.
    #[serde(default)]
    also_asked: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorked {
    question: Spanned<String>,
    strong: String,
    weak: String,
    weak_why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeck {
    deck: Spanned<String>,
    name: String,
    #[serde(default)]
    card: Vec<Spanned<RawCard>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    id: String,
    /// `basic` (the default), `reversed` (also asked back to front) or `cloze`.
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    front: String,
    #[serde(default)]
    back: String,
    /// A cloze card's text, its gaps marked `{{c1::answer}}`.
    #[serde(default)]
    text: String,
    why: String,
    /// When a fact that can go stale was true: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    as_of: Option<String>,
    /// Where that fact comes from: an https link.
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: Spanned<String>,
    title: String,
    prompt: String,
    analogy_hint: String,
    #[serde(default)]
    max_words: Option<usize>,
    #[serde(default)]
    concept: Vec<Spanned<RawConcept>>,
    #[serde(default)]
    jargon: Vec<Spanned<RawJargon>>,
    #[serde(default)]
    knows: Vec<String>,
    #[serde(default)]
    misconception: Vec<Spanned<RawMisconception>>,
    samples: RawSamples,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMisconception {
    id: String,
    claim: String,
    why: String,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    anchors: Vec<String>,
    #[serde(default)]
    contradicts: Vec<String>,
    #[serde(default)]
    examples: RawMisconceptionExamples,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMisconceptionExamples {
    #[serde(default)]
    states: Vec<String>,
    #[serde(default)]
    denies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: String,
    name: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJargon {
    term: String,
    #[serde(default)]
    explained_by: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSamples {
    strong: String,
    weak: String,
    #[serde(default)]
    subtle: Option<String>,
    #[serde(default)]
    subtle_states: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    text: String,
    evidence: Evidence,
}

/// Decks a pack may use; cards outside them are an error so that a typo cannot hide a deck.
pub const KNOWN_DECKS: &[&str] = &[
    "dns",
    "cdn",
    "ddos",
    "zero-trust",
    "edge-computing",
    "tls",
    "bgp-anycast",
    "http",
    "waf-bots-rate-limiting",
    "reliability",
    "security-basics",
    "product-map",
    "incidents",
];

/// Validation state for one file: turns byte offsets into lines and collects errors.
struct FileCtx<'a> {
    file: &'a PackFile,
    errors: &'a mut Vec<PackError>,
}

impl FileCtx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.file.contents.len());
        self.file.contents.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&mut self, offset: Option<usize>, message: impl Into<String>) {
        let line = offset.map(|o| self.line_of(o));
        self.errors.push(PackError {
            file: self.file.path.clone(),
            line,
            message: message.into(),
        });
    }

    fn origin(&self, offset: usize) -> Origin {
        Origin {
            file: self.file.path.clone(),
            line: self.line_of(offset),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str::<T>(&self.file.contents) {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = e.message().trim().to_string();
                let offset = e.span().map(|s| s.start);
                self.err(offset, msg);
                None
            }
        }
    }

    /// Checks an id's form; ids are kebab-case so they are safe in URLs, file names and JSON.
    fn check_id(&mut self, offset: usize, what: &str, id: &str) {
        if !is_kebab(id) {
            self.err(
                Some(offset),
                format!(
                    "{what} id {id:?} must be lower-case kebab-case, like \"rolled-back-launch\""
                ),
            );
        }
    }

    fn check_text(&mut self, offset: usize, what: &str, text: &str) {
        if text.trim().is_empty() {
            self.err(Some(offset), format!("{what} is empty"));
        }
    }

    fn check_templates(&mut self, offset: usize, what: &str, templates: &[String]) {
        for t in templates {
            if let Err(e) = template::check(t) {
                self.err(Some(offset), format!("{what} template {t:?}: {e}"));
            }
        }
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Loads and validates a pack from its files. Every error is reported, not just the first.
pub fn load(files: &[PackFile]) -> Result<Pack, PackErrors> {
    let mut errors = Vec::new();
    let by_path: HashMap<&str, &PackFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();

    let meta = match by_path.get("pack.toml") {
        Some(f) => load_meta(f, &mut errors),
        None => {
            errors.push(PackError {
                file: "pack.toml".into(),
                line: None,
                message: "missing: every pack needs a pack.toml with its id, name and version"
                    .into(),
            });
            None
        }
    };

    let competencies = match by_path.get("competencies.toml") {
        Some(f) => load_competencies(f, &mut errors),
        None => {
            errors.push(PackError {
                file: "competencies.toml".into(),
                line: None,
                message: "missing: a pack needs its competencies".into(),
            });
            Vec::new()
        }
    };
    let known: HashSet<&str> = competencies.iter().map(|c| c.id.as_str()).collect();

    let mut sorted: Vec<&PackFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));

    let mut signals = Vec::new();
    let mut decks: Vec<Deck> = Vec::new();
    let mut topics = Vec::new();
    let mut worked: Vec<(String, Worked)> = Vec::new();
    for f in &sorted {
        if !f.path.ends_with(".toml") {
            continue;
        }
        if let Some(rest) = f.path.strip_prefix("signals/") {
            if !rest.contains('/') {
                load_signals(f, &known, &mut signals, &mut errors);
            }
        } else if let Some(rest) = f.path.strip_prefix("cards/") {
            if !rest.contains('/') {
                if let Some(d) = load_deck(f, &mut errors) {
                    decks.push(d);
                }
            }
        } else if let Some(rest) = f.path.strip_prefix("topics/") {
            if !rest.contains('/') {
                if let Some(t) = load_topic(f, &mut errors) {
                    topics.push(t);
                }
            }
        } else if let Some(rest) = f.path.strip_prefix("worked/") {
            if !rest.contains('/') {
                worked.extend(load_worked(f, &mut errors));
            }
        }
    }
    // Topics are shown in file order, except that edge computing, the checklist's example, leads.
    topics.sort_by_key(|t: &Topic| t.id != "edge-computing");

    let mut questions = by_path
        .get("questions.toml")
        .map(|f| load_questions(f, &known, &mut errors))
        .unwrap_or_default();
    for (id, w) in worked {
        match questions.iter_mut().find(|q| q.id == id) {
            Some(q) if q.worked.is_none() => q.worked = Some(w),
            Some(_) => errors.push(PackError {
                file: w.origin.file.clone(),
                line: Some(w.origin.line),
                message: format!("question {id:?} has worked answers in two files"),
            }),
            None => errors.push(PackError {
                file: w.origin.file.clone(),
                line: Some(w.origin.line),
                message: format!("worked answers for an unknown question {id:?}"),
            }),
        }
    }
    let checklist = by_path
        .get("checklist.toml")
        .map(|f| load_checklist(f, &known, &signals, &decks, &topics, &mut errors))
        .unwrap_or_default();

    check_unique_ids(&signals, |s| (&s.id, &s.origin), "signal", &mut errors);
    let mut seen = HashSet::new();
    for c in decks.iter().flat_map(|d| d.cards.iter()) {
        if !seen.insert(c.id.as_str()) {
            errors.push(PackError {
                file: format!("cards/{}.toml", c.deck),
                line: None,
                message: format!("card id {:?} is used twice in the pack", c.id),
            });
        }
    }
    let mut seen_decks = HashSet::new();
    for d in &decks {
        if !seen_decks.insert(d.id.as_str()) {
            errors.push(PackError {
                file: format!("cards/{}.toml", d.id),
                line: None,
                message: format!("deck {:?} is defined in two files", d.id),
            });
        }
    }
    let mut seen_topics = HashSet::new();
    for t in &topics {
        if !seen_topics.insert(t.id.as_str()) {
            errors.push(PackError {
                file: "topics/".to_string(),
                line: None,
                message: format!("topic {:?} is defined twice", t.id),
            });
        }
    }

    match meta {
        Some(meta) if errors.is_empty() => Ok(Pack {
            meta,
            competencies,
            signals,
            questions,
            decks,
            topics,
            checklist,
        }),
        _ => Err(PackErrors(errors)),
    }
}

fn check_unique_ids<T>(
    items: &[T],
    key: impl Fn(&T) -> (&String, &Origin),
    what: &str,
    errors: &mut Vec<PackError>,
) {
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    for item in items {
        let (id, origin) = key(item);
        if let Some(first) = seen.insert(id.as_str(), origin) {
            errors.push(PackError {
                file: origin.file.clone(),
                line: Some(origin.line),
                message: format!("{what} id {id:?} is already used at {first}"),
            });
        }
    }
}

fn load_meta(f: &PackFile, errors: &mut Vec<PackError>) -> Option<PackMeta> {
    let mut cx = FileCtx { file: f, errors };
    let raw: RawMeta = cx.parse()?;
    cx.check_id(raw.id.span().start, "pack", raw.id.get_ref());
    cx.check_text(raw.id.span().start, "name", &raw.name);
    cx.check_text(raw.id.span().start, "version", &raw.version);
    Some(PackMeta {
        id: raw.id.into_inner(),
        name: raw.name,
        version: raw.version,
        description: raw.description,
        expected_competencies: raw.scoring.expected_competencies.unwrap_or(4).max(1),
    })
}

fn load_competencies(f: &PackFile, errors: &mut Vec<PackError>) -> Vec<Competency> {
    let mut cx = FileCtx { file: f, errors };
    let Some(raw) = cx.parse::<RawCompetencies>() else {
        return Vec::new();
    };
    let mut out: Vec<Competency> = Vec::new();
    for c in raw.competency {
        let at = c.span().start;
        let c = c.into_inner();
        cx.check_id(at, "competency", &c.id);
        cx.check_text(at, "name", &c.name);
        cx.check_text(at, "description", &c.description);
        if c.probes.is_empty() {
            cx.err(
                Some(at),
                format!(
                    "competency {:?} has no probes: the interviewer needs a follow-up",
                    c.id
                ),
            );
        }
        for p in &c.probes {
            cx.check_text(at, "probe", p);
        }
        if out.iter().any(|o| o.id == c.id) {
            cx.err(Some(at), format!("competency id {:?} is used twice", c.id));
        }
        out.push(Competency {
            id: c.id,
            name: c.name,
            description: c.description,
            probes: c.probes,
        });
    }
    if out.is_empty() {
        cx.err(None, "no [[competency]] defined");
    }
    out
}

fn default_context(severity: Severity) -> ContextRules {
    ContextRules {
        negation: true,
        reported: severity.is_red(),
        counterfactual: true,
        question: true,
    }
}

fn load_signals(
    f: &PackFile,
    known: &HashSet<&str>,
    out: &mut Vec<Signal>,
    errors: &mut Vec<PackError>,
) {
    let mut cx = FileCtx { file: f, errors };
    let Some(raw) = cx.parse::<RawSignals>() else {
        return;
    };
    for s in raw.signal {
        let at = s.span().start;
        let s = s.into_inner();
        cx.check_id(at, "signal", &s.id);
        if !known.contains(s.competency.as_str()) {
            cx.err(
                Some(at),
                format!(
                    "signal {:?}: unknown competency {:?} (not in competencies.toml)",
                    s.id, s.competency
                ),
            );
        }
        cx.check_text(at, "message", &s.message);
        if let Some(sg) = &s.suggestion {
            cx.check_text(at, "suggestion", sg);
        }
        let weight = s.weight.unwrap_or(1);
        if !(1..=3).contains(&weight) {
            cx.err(
                Some(at),
                format!("signal {:?}: weight must be 1, 2 or 3", s.id),
            );
        }
        let scope = s.scope.unwrap_or(Scope::Clause);
        cx.check_templates(at, "phrases", &s.phrases);
        cx.check_templates(at, "then", &s.then);
        cx.check_templates(at, "unless", &s.unless);
        cx.check_templates(at, "absent", &s.absent);
        for p in &s.patterns {
            if let Err(e) = regex::RegexBuilder::new(p)
                .case_insensitive(true)
                .unicode(false)
                .build()
            {
                let first = e.to_string().lines().last().unwrap_or("").to_string();
                cx.err(
                    Some(at),
                    format!("signal {:?}: bad pattern {p:?}: {first}", s.id),
                );
            }
        }
        let answer = if scope == Scope::Answer {
            if !s.phrases.is_empty() || !s.patterns.is_empty() || !s.then.is_empty() {
                cx.err(
                    Some(at),
                    format!(
                        "signal {:?}: an answer-level signal uses `absent` and `when`, not phrases or patterns",
                        s.id
                    ),
                );
            }
            if s.absent.is_empty() && !s.absent_quantity && s.when.is_empty() {
                cx.err(
                    Some(at),
                    format!("signal {:?}: an answer-level signal needs `absent`, `absent_quantity` or `when`", s.id),
                );
            }
            for c in &s.when {
                if c.above.is_none() && c.below.is_none() {
                    cx.err(
                        Some(at),
                        format!(
                            "signal {:?}: a `when` condition needs `above` or `below`",
                            s.id
                        ),
                    );
                }
            }
            Some(AnswerCheck {
                at: s.at.unwrap_or(AnswerAt::All),
                absent: s.absent,
                absent_quantity: s.absent_quantity,
                when: s
                    .when
                    .into_iter()
                    .map(|c| Condition {
                        metric: c.metric,
                        above: c.above,
                        below: c.below,
                    })
                    .collect(),
            })
        } else {
            if s.phrases.is_empty() && s.patterns.is_empty() && s.learned.is_none() {
                cx.err(
                    Some(at),
                    format!(
                        "signal {:?} has no phrases, patterns or learned class",
                        s.id
                    ),
                );
            }
            if !s.then.is_empty() && s.phrases.is_empty() {
                cx.err(
                    Some(at),
                    format!("signal {:?}: `then` needs `phrases` to follow", s.id),
                );
            }
            if s.at.is_some() || !s.absent.is_empty() || s.absent_quantity || !s.when.is_empty() {
                cx.err(
                    Some(at),
                    format!(
                        "signal {:?}: `at`, `absent` and `when` need scope = \"answer\"",
                        s.id
                    ),
                );
            }
            None
        };
        let metric = match s.metric.as_deref() {
            None | Some("") => None,
            Some("fillers") => Some(MetricKind::Fillers),
            Some("hedges") => Some(MetricKind::Hedges),
            Some(other) => {
                cx.err(
                    Some(at),
                    format!(
                        "signal {:?}: metric {other:?} must be \"fillers\" or \"hedges\"",
                        s.id
                    ),
                );
                None
            }
        };
        let mut rules_of = |list: Option<Vec<String>>| match list {
            None => default_context(s.severity),
            Some(list) => {
                let mut rules = ContextRules::default();
                for r in list {
                    match r.as_str() {
                        "negation" => rules.negation = true,
                        "reported" => rules.reported = true,
                        "counterfactual" => rules.counterfactual = true,
                        "question" => rules.question = true,
                        other => cx.err(
                            Some(at),
                            format!(
                                "signal {:?}: unknown context rule {other:?} (negation, reported, counterfactual, question)",
                                s.id
                            ),
                        ),
                    }
                }
                rules
            }
        };
        let context = rules_of(s.context.clone());
        let learned_context = match s.learned_context.clone() {
            None => context,
            some => rules_of(some),
        };
        if s.examples.fire.len() < 3 || s.examples.quiet.len() < 3 {
            cx.err(
                Some(at),
                format!(
                    "signal {:?} needs at least three `fire` and three `quiet` examples (has {} and {})",
                    s.id,
                    s.examples.fire.len(),
                    s.examples.quiet.len()
                ),
            );
        }
        for e in s.examples.fire.iter().chain(&s.examples.quiet) {
            cx.check_text(at, "example", e);
        }
        cx.check_templates(at, "learned_near", &s.learned_near);
        cx.check_templates(at, "learned_with", &s.learned_with);
        if s.learned.is_none() && !(s.learned_near.is_empty() && s.learned_with.is_empty()) {
            cx.err(
                Some(at),
                format!(
                    "signal {:?}: `learned_near` and `learned_with` need `learned`",
                    s.id
                ),
            );
        }
        if let Some(class) = &s.learned {
            cx.check_id(at, "learned class", class);
            if answer.is_some() {
                cx.err(
                    Some(at),
                    format!(
                        "signal {:?}: a learned class reads sentences, not a whole answer",
                        s.id
                    ),
                );
            }
        }
        out.push(Signal {
            origin: cx.origin(at),
            id: s.id,
            competency: s.competency,
            severity: s.severity,
            weight,
            scope,
            message: s.message,
            suggestion: s.suggestion,
            phrases: s.phrases,
            then: s.then,
            gap: s.gap.unwrap_or(6),
            unless: s.unless,
            unless_quantity: s.unless_quantity,
            patterns: s.patterns,
            context,
            metric,
            answer,
            learned: s.learned,
            learned_context,
            learned_near: s.learned_near,
            learned_with: s.learned_with,
            examples: Examples {
                fire: s.examples.fire,
                quiet: s.examples.quiet,
            },
        });
    }
}

fn load_questions(
    f: &PackFile,
    known: &HashSet<&str>,
    errors: &mut Vec<PackError>,
) -> Vec<Question> {
    let mut cx = FileCtx { file: f, errors };
    let Some(raw) = cx.parse::<RawQuestions>() else {
        return Vec::new();
    };
    let mut out: Vec<Question> = Vec::new();
    for q in raw.question {
        let at = q.span().start;
        let q = q.into_inner();
        cx.check_id(at, "question", &q.id);
        cx.check_text(at, "text", &q.text);
        cx.check_text(at, "strong", &q.strong);
        if out.iter().any(|o| o.id == q.id) {
            cx.err(Some(at), format!("question id {:?} is used twice", q.id));
        }
        if q.targets.is_empty() || q.targets.len() > 4 {
            cx.err(
                Some(at),
                format!("question {:?} needs 1 to 4 targets", q.id),
            );
        }
        for t in &q.targets {
            if !known.contains(t.as_str()) {
                cx.err(
                    Some(at),
                    format!("question {:?}: unknown competency {t:?}", q.id),
                );
            }
        }
        for t in &q.themes {
            cx.check_id(at, "theme", t);
        }
        if q.probes.len() < 2 || q.probes.len() > 4 {
            cx.err(Some(at), format!("question {:?} needs 2 to 4 probes", q.id));
        }
        for p in &q.probes {
            cx.check_text(at, "probe", p);
        }
        for a in &q.also_asked {
            cx.check_text(at, "also_asked", a);
        }
        for a in &q.aliases {
            cx.check_id(at, "alias", a);
            if a == &q.id
                || out
                    .iter()
                    .any(|o| &o.id == a || o.aliases.iter().any(|x| x == a))
            {
                cx.err(
                    Some(at),
                    format!(
                        "question {:?}: alias {a:?} is already a question or an alias",
                        q.id
                    ),
                );
            }
        }
        if let Some(o) = out.iter().find(|o| o.aliases.contains(&q.id)) {
            cx.err(
                Some(at),
                format!("question id {:?} is already an alias of {:?}", q.id, o.id),
            );
        }
        out.push(Question {
            id: q.id,
            text: q.text,
            themes: q.themes,
            targets: q.targets,
            probes: q.probes,
            strong: q.strong,
            worked: None,
            aliases: q.aliases,
            also_asked: q.also_asked,
        });
    }
    out
}

/// A question's worked answers (`worked/ID.toml`); the file is named after the question.
fn load_worked(f: &PackFile, errors: &mut Vec<PackError>) -> Option<(String, Worked)> {
    let mut cx = FileCtx { file: f, errors };
    let raw: RawWorked = cx.parse()?;
    let at = raw.question.span().start;
    let id = raw.question.into_inner();
    let stem = f
        .path
        .strip_prefix("worked/")
        .and_then(|p| p.strip_suffix(".toml"))
        .unwrap_or("");
    if stem != id {
        cx.err(
            Some(at),
            format!("worked answers for {id:?} belong in worked/{id}.toml"),
        );
    }
    cx.check_text(at, "strong", &raw.strong);
    cx.check_text(at, "weak", &raw.weak);
    cx.check_text(at, "weak_why", &raw.weak_why);
    Some((
        id,
        Worked {
            strong: raw.strong.trim().to_string(),
            weak: raw.weak.trim().to_string(),
            weak_why: raw.weak_why,
            origin: cx.origin(at),
        },
    ))
}

/// A card's `as_of` and `source`, checked: a card that names a year (1990 to 2099) states a fact
/// that can go stale, so it must say when it was true and where it comes from; a card that gives
/// one of the two must give both.
fn card_dated(cx: &mut FileCtx<'_>, at: usize, c: &RawCard) -> Option<Dated> {
    let year = [&c.front, &c.back, &c.text, &c.why]
        .iter()
        .find_map(|t| first_year(t));
    match (&c.as_of, &c.source) {
        (None, None) => {
            if let Some(year) = year {
                cx.err(
                    Some(at),
                    format!(
                        "card {:?} names {year}, a dated fact: give it `as_of` (when it was true) and `source` (an https link)",
                        c.id
                    ),
                );
            }
            None
        }
        (Some(as_of), Some(source)) => {
            let mut ok = true;
            if !valid_as_of(as_of) {
                cx.err(
                    Some(at),
                    format!(
                        "card {:?}: as_of {as_of:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                        c.id
                    ),
                );
                ok = false;
            }
            let host = source.strip_prefix("https://").unwrap_or("");
            if host.is_empty() || host.starts_with('/') || source.chars().any(char::is_whitespace) {
                cx.err(
                    Some(at),
                    format!("card {:?}: source {source:?} is not an https link", c.id),
                );
                ok = false;
            }
            ok.then(|| Dated {
                as_of: as_of.clone(),
                source: source.clone(),
            })
        }
        (Some(_), None) => {
            cx.err(
                Some(at),
                format!("card {:?} has `as_of` but no `source`", c.id),
            );
            None
        }
        (None, Some(_)) => {
            cx.err(
                Some(at),
                format!("card {:?} has `source` but no `as_of`", c.id),
            );
            None
        }
    }
}

/// The first year from 1990 to 2099 written as a number of its own in `text`.
fn first_year(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let alone = (start == 0 || !b[start - 1].is_ascii_alphanumeric() && b[start - 1] != b'.')
            && (i == b.len() || !b[i].is_ascii_alphanumeric());
        if i - start == 4 && alone {
            let n: u16 = text[start..i].parse().ok()?;
            if (1990..=2099).contains(&n) {
                return Some(n);
            }
        }
    }
    None
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a real month and day.
fn valid_as_of(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
    if parts.is_empty() || parts.len() > 3 || !num(parts[0], 4) {
        return false;
    }
    if let Some(m) = parts.get(1) {
        if !num(m, 2) || !(1..=12).contains(&m.parse::<u8>().unwrap_or(0)) {
            return false;
        }
    }
    if let Some(d) = parts.get(2) {
        if !num(d, 2) || !(1..=31).contains(&d.parse::<u8>().unwrap_or(0)) {
            return false;
        }
    }
    true
}

fn load_deck(f: &PackFile, errors: &mut Vec<PackError>) -> Option<Deck> {
    let mut cx = FileCtx { file: f, errors };
    let raw: RawDeck = cx.parse()?;
    let deck_at = raw.deck.span().start;
    let deck = raw.deck.into_inner();
    if !KNOWN_DECKS.contains(&deck.as_str()) {
        cx.err(
            Some(deck_at),
            format!("unknown deck {deck:?} (known: {})", KNOWN_DECKS.join(", ")),
        );
    }
    let stem = f
        .path
        .strip_prefix("cards/")
        .and_then(|p| p.strip_suffix(".toml"))
        .unwrap_or("");
    if stem != deck {
        cx.err(
            Some(deck_at),
            format!("deck {deck:?} must live in cards/{deck}.toml"),
        );
    }
    cx.check_text(deck_at, "name", &raw.name);
    let mut cards = Vec::new();
    for c in raw.card {
        let at = c.span().start;
        let c = c.into_inner();
        cx.check_id(at, "card", &c.id);
        cx.check_text(at, "why", &c.why);
        let dated = card_dated(&mut cx, at, &c);
        match c.kind.as_deref().unwrap_or("basic") {
            kind @ ("basic" | "reversed") => {
                cx.check_text(at, "front", &c.front);
                cx.check_text(at, "back", &c.back);
                if !c.text.is_empty() {
                    cx.err(
                        Some(at),
                        format!("card {:?}: `text` is for cloze cards", c.id),
                    );
                }
                if kind == "reversed" {
                    cards.push(Card {
                        id: format!("{}-reversed", c.id),
                        deck: deck.clone(),
                        front: c.back.clone(),
                        back: c.front.clone(),
                        why: c.why.clone(),
                        cloze: None,
                        dated: dated.clone(),
                    });
                }
                cards.push(Card {
                    id: c.id,
                    deck: deck.clone(),
                    front: c.front,
                    back: c.back,
                    why: c.why,
                    cloze: None,
                    dated,
                });
                if kind == "reversed" {
                    // The card first, its reverse after it.
                    let n = cards.len();
                    cards.swap(n - 2, n - 1);
                }
            }
            "cloze" => {
                cx.check_text(at, "text", &c.text);
                if !c.front.is_empty() {
                    cx.err(
                        Some(at),
                        format!("card {:?}: a cloze card has `text`, not `front`", c.id),
                    );
                }
                let gaps = c.text.matches("{{c").count();
                if gaps == 0 || gaps != c.text.matches("}}").count() {
                    cx.err(
                        Some(at),
                        format!(
                            "card {:?}: a cloze card's text marks its gaps as {{{{c1::answer}}}}",
                            c.id
                        ),
                    );
                }
                let shown = crate::cloze(&c.text, true);
                let back = if c.back.trim().is_empty() {
                    shown
                } else {
                    format!("{shown}\n{}", c.back.trim())
                };
                cards.push(Card {
                    id: c.id,
                    deck: deck.clone(),
                    front: crate::cloze(&c.text, false),
                    back,
                    why: c.why,
                    cloze: Some(c.text),
                    dated,
                });
            }
            other => cx.err(
                Some(at),
                format!(
                    "card {:?}: unknown kind {other:?} (known: basic, reversed, cloze)",
                    c.id
                ),
            ),
        }
    }
    if cards.is_empty() {
        cx.err(Some(deck_at), format!("deck {deck:?} has no cards"));
    }
    Some(Deck {
        id: deck,
        name: raw.name,
        cards,
    })
}

fn load_topic(f: &PackFile, errors: &mut Vec<PackError>) -> Option<Topic> {
    let mut cx = FileCtx { file: f, errors };
    let raw: RawTopic = cx.parse()?;
    let at = raw.id.span().start;
    let id = raw.id.into_inner();
    cx.check_id(at, "topic", &id);
    cx.check_text(at, "title", &raw.title);
    cx.check_text(at, "prompt", &raw.prompt);
    cx.check_text(at, "analogy_hint", &raw.analogy_hint);
    cx.check_text(at, "samples.strong", &raw.samples.strong);
    cx.check_text(at, "samples.weak", &raw.samples.weak);
    let subtle_sample = match (raw.samples.subtle, raw.samples.subtle_states) {
        (None, None) => None,
        (Some(text), Some(states)) => {
            cx.check_text(at, "samples.subtle", &text);
            if !raw.misconception.iter().any(|m| m.get_ref().id == states) {
                cx.err(
                    Some(at),
                    format!(
                        "samples.subtle_states {states:?} is not one of topic {id:?}'s misconceptions"
                    ),
                );
            }
            Some(SubtleSample { text, states })
        }
        (Some(_), None) => {
            cx.err(
                Some(at),
                "samples.subtle needs samples.subtle_states: the id of the misconception it states",
            );
            None
        }
        (None, Some(_)) => {
            cx.err(
                Some(at),
                "samples.subtle_states is set but samples.subtle is missing",
            );
            None
        }
    };
    if raw.concept.is_empty() {
        cx.err(Some(at), format!("topic {id:?} has no [[concept]]"));
    }
    let mut concepts: Vec<Concept> = Vec::new();
    for c in raw.concept {
        let cat = c.span().start;
        let c = c.into_inner();
        cx.check_id(cat, "concept", &c.id);
        cx.check_text(cat, "name", &c.name);
        if c.phrases.is_empty() {
            cx.err(Some(cat), format!("concept {:?} has no phrases", c.id));
        }
        cx.check_templates(cat, "phrases", &c.phrases);
        if concepts.iter().any(|o| o.id == c.id) {
            cx.err(Some(cat), format!("concept id {:?} is used twice", c.id));
        }
        concepts.push(Concept {
            id: c.id,
            name: c.name,
            phrases: c.phrases,
        });
    }
    let mut jargon = Vec::new();
    for j in raw.jargon {
        let jat = j.span().start;
        let j = j.into_inner();
        cx.check_text(jat, "term", &j.term);
        cx.check_templates(jat, "term", std::slice::from_ref(&j.term));
        cx.check_templates(jat, "explained_by", &j.explained_by);
        if j.explained_by.is_empty() {
            cx.err(Some(jat), format!("jargon {:?} needs explained_by", j.term));
        }
        jargon.push(Jargon {
            term: j.term,
            explained_by: j.explained_by,
        });
    }
    let mut misconceptions: Vec<Misconception> = Vec::new();
    for m in raw.misconception {
        let mat = m.span().start;
        let m = m.into_inner();
        cx.check_id(mat, "misconception", &m.id);
        cx.check_text(mat, "claim", &m.claim);
        cx.check_text(mat, "why", &m.why);
        cx.check_templates(mat, "phrases", &m.phrases);
        cx.check_templates(mat, "anchors", &m.anchors);
        for e in m.examples.states.iter().chain(&m.examples.denies) {
            cx.check_text(mat, "example", e);
        }
        for c in &m.contradicts {
            if !concepts.iter().any(|x| x.id == *c) {
                cx.err(
                    Some(mat),
                    format!("misconception {:?} contradicts {c:?}, which is not a concept of this topic", m.id),
                );
            }
        }
        if misconceptions.iter().any(|o| o.id == m.id) || concepts.iter().any(|c| c.id == m.id) {
            cx.err(
                Some(mat),
                format!("misconception id {:?} is used twice", m.id),
            );
        }
        misconceptions.push(Misconception {
            id: m.id,
            claim: m.claim,
            why: m.why,
            phrases: m.phrases,
            anchors: m.anchors,
            contradicts: m.contradicts,
            states: m.examples.states,
            denies: m.examples.denies,
        });
    }
    for k in &raw.knows {
        cx.check_text(at, "knows", k);
    }
    Some(Topic {
        id,
        title: raw.title,
        prompt: raw.prompt,
        analogy_hint: raw.analogy_hint,
        max_words: raw.max_words.unwrap_or(300),
        concepts,
        jargon,
        knows: raw.knows,
        misconceptions,
        strong_sample: raw.samples.strong,
        weak_sample: raw.samples.weak,
        subtle_sample,
    })
}

fn load_checklist(
    f: &PackFile,
    known: &HashSet<&str>,
    signals: &[Signal],
    decks: &[Deck],
    topics: &[Topic],
    errors: &mut Vec<PackError>,
) -> Vec<ChecklistItem> {
    let mut cx = FileCtx { file: f, errors };
    let Some(raw) = cx.parse::<RawChecklist>() else {
        return Vec::new();
    };
    let mut out: Vec<ChecklistItem> = Vec::new();
    for i in raw.item {
        let at = i.span().start;
        let i = i.into_inner();
        cx.check_id(at, "checklist item", &i.id);
        cx.check_text(at, "text", &i.text);
        if out.iter().any(|o| o.id == i.id) {
            cx.err(
                Some(at),
                format!("checklist item id {:?} is used twice", i.id),
            );
        }
        match &i.evidence {
            Evidence::Stories {
                competencies,
                min_score,
                count,
                signals: wanted,
            } => {
                for w in wanted {
                    match signals.iter().find(|s| &s.id == w) {
                        None => cx.err(Some(at), format!("item {:?}: unknown signal {w:?}", i.id)),
                        Some(s) if s.severity != Severity::Strength => cx.err(
                            Some(at),
                            format!("item {:?}: signal {w:?} is not a strength", i.id),
                        ),
                        Some(_) => {}
                    }
                }
                for c in competencies {
                    if !known.contains(c.as_str()) {
                        cx.err(
                            Some(at),
                            format!("item {:?}: unknown competency {c:?}", i.id),
                        );
                    }
                }
                if competencies.is_empty() || !(1..=4).contains(min_score) || *count == 0 {
                    cx.err(
                        Some(at),
                        format!("item {:?}: stories evidence needs competencies, min_score 1-4 and count >= 1", i.id),
                    );
                }
            }
            Evidence::Cards {
                decks: wanted,
                min_retention,
            } => {
                for d in wanted {
                    if !decks.iter().any(|x| &x.id == d) {
                        cx.err(Some(at), format!("item {:?}: unknown deck {d:?}", i.id));
                    }
                }
                if wanted.is_empty() || !(0.0..=1.0).contains(min_retention) {
                    cx.err(
                        Some(at),
                        format!(
                            "item {:?}: cards evidence needs decks and min_retention from 0 to 1",
                            i.id
                        ),
                    );
                }
            }
            Evidence::Mocks { count } | Evidence::Failures { count } => {
                if *count == 0 {
                    cx.err(
                        Some(at),
                        format!("item {:?}: count must be at least 1", i.id),
                    );
                }
            }
            Evidence::Explain { topics: wanted } => {
                for t in wanted {
                    if !topics.iter().any(|x| &x.id == t) {
                        cx.err(Some(at), format!("item {:?}: unknown topic {t:?}", i.id));
                    }
                }
                if wanted.is_empty() {
                    cx.err(
                        Some(at),
                        format!("item {:?}: explain evidence needs topics", i.id),
                    );
                }
            }
        }
        out.push(ChecklistItem {
            id: i.id,
            text: i.text,
            evidence: i.evidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> PackFile {
        PackFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    fn minimal() -> Vec<PackFile> {
        vec![
            file("pack.toml", "id = \"t\"\nname = \"T\"\nversion = \"1\"\n"),
            file(
                "competencies.toml",
                "[[competency]]\nid = \"ownership\"\nname = \"Ownership\"\ndescription = \"d\"\nprobes = [\"p?\"]\n",
            ),
        ]
    }

    #[test]
    fn reversed_and_cloze_cards_load_as_cards_to_drill() {
        let mut files = minimal();
        files.push(file(
            "cards/dns.toml",
            "deck = \"dns\"\nname = \"DNS\"\n\n[[card]]\nid = \"sni\"\nkind = \"reversed\"\nfront = \"SNI\"\nback = \"The name in the hello\"\nwhy = \"w\"\n\n[[card]]\nid = \"port\"\nkind = \"cloze\"\ntext = \"DNS uses port {{c1::53}} over {{c2::UDP::transport}}.\"\nback = \"And TCP.\"\nwhy = \"w\"\n",
        ));
        let pack = load(&files).expect("loads");
        let cards = &pack.deck("dns").unwrap().cards;
        let ids: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["sni", "sni-reversed", "port"]);
        assert_eq!(
            (cards[1].front.as_str(), cards[1].back.as_str()),
            ("The name in the hello", "SNI")
        );
        assert_eq!(cards[2].front, "DNS uses port [...] over [transport].");
        assert_eq!(cards[2].back, "DNS uses port 53 over UDP.\nAnd TCP.");
        assert!(cards[2].cloze.is_some());

        let mut bad = minimal();
        bad.push(file(
            "cards/dns.toml",
            "deck = \"dns\"\nname = \"DNS\"\n\n[[card]]\nid = \"a\"\nkind = \"cloze\"\ntext = \"no gaps here\"\nwhy = \"w\"\n\n[[card]]\nid = \"b\"\nkind = \"flip\"\nfront = \"f\"\nback = \"b\"\nwhy = \"w\"\n",
        ));
        let text = load(&bad).unwrap_err().to_string();
        assert!(text.contains("marks its gaps"), "{text}");
        assert!(text.contains("unknown kind \"flip\""), "{text}");
    }

    #[test]
    fn a_card_that_names_a_year_must_say_when_and_where_from() {
        let deck = |cards: &str| format!("deck = \"dns\"\nname = \"DNS\"\n\n{cards}");
        let mut files = minimal();
        files.push(file(
            "cards/dns.toml",
            &deck("[[card]]\nid = \"leak\"\nfront = \"What happened in June 2019?\"\nback = \"A route leak.\"\nwhy = \"w\"\nas_of = \"2019-06-24\"\nsource = \"https://example.org/leak\"\n\n[[card]]\nid = \"ttl\"\nfront = \"TTL?\"\nback = \"How long to cache, e.g. 3600 s or port 8080.\"\nwhy = \"w\"\n"),
        ));
        let pack = load(&files).expect("loads");
        let cards = &pack.deck("dns").unwrap().cards;
        let dated = cards[0].dated.as_ref().expect("dated");
        assert_eq!(
            (dated.as_of.as_str(), dated.source.as_str()),
            ("2019-06-24", "https://example.org/leak")
        );
        assert!(cards[1].dated.is_none(), "3600 and 8080 are not years");

        for (card, want) in [
            (
                "front = \"The 2017 leak?\"\nback = \"b\"",
                "names 2017, a dated fact",
            ),
            (
                "front = \"f\"\nback = \"b\"\nas_of = \"2024\"",
                "has `as_of` but no `source`",
            ),
            (
                "front = \"f\"\nback = \"b\"\nsource = \"https://e.org\"",
                "has `source` but no `as_of`",
            ),
            (
                "front = \"f\"\nback = \"b\"\nas_of = \"2024-13\"\nsource = \"https://e.org\"",
                "is not a date",
            ),
            (
                "front = \"f\"\nback = \"b\"\nas_of = \"May 2024\"\nsource = \"https://e.org\"",
                "is not a date",
            ),
            (
                "front = \"f\"\nback = \"b\"\nas_of = \"2024-05\"\nsource = \"http://e.org\"",
                "is not an https link",
            ),
        ] {
            let mut bad = minimal();
            bad.push(file(
                "cards/dns.toml",
                &deck(&format!("[[card]]\nid = \"c\"\n{card}\nwhy = \"w\"\n")),
            ));
            let text = load(&bad).unwrap_err().to_string();
            assert!(text.contains(want), "{card}: {text}");
        }
    }

    #[test]
    fn a_merged_question_is_found_under_its_old_ids() {
        let q = |id: &str, extra: &str| {
            format!("[[question]]\nid = \"{id}\"\ntext = \"Tell me?\"\ntargets = [\"ownership\"]\nprobes = [\"a?\", \"b?\"]\nstrong = \"s\"\n{extra}\n")
        };
        let mut files = minimal();
        files.push(file(
            "questions.toml",
            &(q(
                "outage",
                "aliases = [\"first-hour\"]\nalso_asked = [\"The first hour?\"]",
            ) + &q("other", "")),
        ));
        let pack = load(&files).expect("loads");
        assert_eq!(pack.question("first-hour").unwrap().id, "outage");
        assert_eq!(
            pack.question("outage").unwrap().also_asked,
            ["The first hour?"]
        );
        assert!(pack.question("nothing").is_none());

        let mut bad = minimal();
        bad.push(file(
            "questions.toml",
            &(q("outage", "aliases = [\"other\"]")
                + &q("other", "")
                + &q("third", "aliases = [\"other\"]")),
        ));
        let text = load(&bad).unwrap_err().to_string();
        assert!(
            text.contains("question id \"other\" is already an alias of \"outage\""),
            "{text}"
        );
        assert!(
            text.contains("alias \"other\" is already a question or an alias"),
            "{text}"
        );
    }

    #[test]
    fn a_subtle_sample_names_a_misconception_of_its_topic() {
        let topic = |samples: &str| {
            format!("id = \"waf\"\ntitle = \"WAF\"\nprompt = \"Explain it.\"\nanalogy_hint = \"A guard.\"\n\n[[concept]]\nid = \"inspects\"\nname = \"Inspects\"\nphrases = [\"inspects\"]\n\n[[misconception]]\nid = \"encrypts\"\nclaim = \"It encrypts.\"\nwhy = \"TLS does.\"\nphrases = [\"encrypts\"]\n\n[samples]\nstrong = \"s\"\nweak = \"w\"\n{samples}")
        };
        let mut files = minimal();
        files.push(file(
            "topics/waf.toml",
            &topic("subtle = \"It encrypts.\"\nsubtle_states = \"encrypts\"\n"),
        ));
        let pack = load(&files).expect("loads");
        let subtle = pack.topics[0].subtle_sample.as_ref().expect("subtle");
        assert_eq!(
            (subtle.text.as_str(), subtle.states.as_str()),
            ("It encrypts.", "encrypts")
        );

        for (samples, want) in [
            (
                "subtle = \"x\"\nsubtle_states = \"absent\"\n",
                "is not one of topic \"waf\"'s misconceptions",
            ),
            ("subtle = \"x\"\n", "needs samples.subtle_states"),
            (
                "subtle_states = \"encrypts\"\n",
                "samples.subtle is missing",
            ),
        ] {
            let mut bad = minimal();
            bad.push(file("topics/waf.toml", &topic(samples)));
            let text = load(&bad).unwrap_err().to_string();
            assert!(text.contains(want), "{samples}: {text}");
        }
    }

    #[test]
    fn minimal_pack_loads() {
        let pack = load(&minimal()).expect("loads");
        assert_eq!(pack.meta.id, "t");
        assert_eq!(pack.competencies.len(), 1);
    }

    #[test]
    fn unknown_competency_is_reported_with_its_line() {
        let mut files = minimal();
        files.push(file(
            "signals/x.toml",
            "# comment\n\n[[signal]]\nid = \"a\"\ncompetency = \"ownrship\"\nseverity = \"strength\"\nmessage = \"m\"\nphrases = [\"i decided\"]\nexamples.fire = [\"a\",\"b\",\"c\"]\nexamples.quiet = [\"a\",\"b\",\"c\"]\n",
        ));
        let errs = load(&files).unwrap_err();
        let text = errs.to_string();
        assert!(text.contains("signals/x.toml:3:"), "{text}");
        assert!(text.contains("unknown competency \"ownrship\""), "{text}");
    }

    #[test]
    fn toml_syntax_error_names_file_and_line() {
        let mut files = minimal();
        files.push(file("signals/y.toml", "[[signal]]\nid = = 1\n"));
        let errs = load(&files).unwrap_err();
        assert_eq!(errs.0[0].file, "signals/y.toml");
        assert_eq!(errs.0[0].line, Some(2));
    }

    #[test]
    fn unknown_key_is_an_error() {
        let mut files = minimal();
        files[0] = file(
            "pack.toml",
            "id = \"t\"\nname = \"T\"\nversion = \"1\"\nversoin = 2\n",
        );
        let errs = load(&files).unwrap_err();
        assert!(errs.to_string().contains("versoin"), "{errs}");
    }

    #[test]
    fn missing_pack_toml_is_reported() {
        let files = vec![minimal().remove(1)];
        let errs = load(&files).unwrap_err();
        assert!(errs.to_string().starts_with("pack.toml: missing"), "{errs}");
    }

    #[test]
    fn kebab_ids_are_enforced() {
        assert!(is_kebab("safety-over-speed"));
        assert!(is_kebab("p99"));
        assert!(!is_kebab("Safety"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("-a"));
        assert!(!is_kebab(""));
    }
}

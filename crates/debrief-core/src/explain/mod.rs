//! The explain drill's judgment (RUBRIC.md, "The explain drill"): an explanation for a
//! non-technical listener is judged on its length (about two minutes), the topic's key concepts,
//! jargon avoided or explained in plain words, a concrete analogy, and short sentences.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::pack::Topic;
use crate::phrases::PhraseSet;
use crate::text::Document;

/// Speaking pace used to turn words into time.
pub const WORDS_PER_MINUTE: usize = 150;
/// A sentence longer than this, in words, is hard to follow when spoken.
pub const LONG_SENTENCE_WORDS: usize = 25;
/// An explaining phrase this many words or fewer from a jargon term explains it.
pub const EXPLAIN_WINDOW_WORDS: usize = 12;
/// The share of concepts, in percent, an explanation must hold to pass.
pub const MIN_CONCEPT_PERCENT: usize = 80;

/// Cues that an analogy or a concrete comparison is being drawn.
const ANALOGY_CUES: &[&str] = &[
    "{like|unlike} {a|an}",
    "{is|are|works|work|acts|act} like",
    "{a bit|a little|much|rather|just|kind of|sort of} like",
    "think of",
    "{imagine|picture}",
    "as if",
    "as though",
    "similar to",
    "the way {a|an|the}",
    "just as",
    "compare it to",
    "in the same way",
];

/// Why an explanation could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// The explanation is empty or only white space.
    Empty,
    /// One of the topic's templates does not parse (a pack error).
    Template(String),
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::Empty => {
                f.write_str("the explanation is empty: write it out, then check it")
            }
            ExplainError::Template(e) => write!(f, "the topic has a bad template: {e}"),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Where something was found, in the user's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The 1-based line of the start.
    pub line: usize,
    /// The 1-based column of the start, in characters.
    pub column: usize,
}

/// Whether one of the topic's concepts is present.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptResult {
    /// The concept's id.
    pub id: String,
    /// What the concept says.
    pub name: String,
    /// Whether one of its phrasings occurs.
    pub present: bool,
    /// The first match.
    pub span: Option<Span>,
}

/// Whether a jargon term was used, and explained where it was.
#[derive(Debug, Clone, Serialize)]
pub struct JargonResult {
    /// The term, as the pack writes it (a phrase template).
    pub term: String,
    /// The term for people: each `{a|b}` group shown as its first alternative.
    pub label: String,
    /// Whether it occurs.
    pub used: bool,
    /// Whether every use is explained nearby (true when unused).
    pub explained: bool,
    /// The first unexplained use, or else the first use.
    pub span: Option<Span>,
}

/// The judgment of one explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The topic's id.
    pub topic: String,
    /// Words spoken.
    pub words: usize,
    /// Speaking time at 150 words a minute, in seconds.
    pub speaking_seconds: usize,
    /// The topic's word limit.
    pub max_words: usize,
    /// Whether the explanation fits the limit.
    pub within_time: bool,
    /// The topic's concepts, in the pack's order.
    pub concepts: Vec<ConceptResult>,
    /// The topic's jargon, in the pack's order.
    pub jargon: Vec<JargonResult>,
    /// Whether an analogy or comparison is drawn.
    pub analogy: bool,
    /// The first analogy cue.
    pub analogy_span: Option<Span>,
    /// Sentences.
    pub sentences: usize,
    /// Average words per sentence.
    pub average_sentence_words: f64,
    /// Sentences longer than 25 words.
    pub long_sentences: usize,
    /// 0 to 100.
    pub score: u8,
    /// Whether the explanation would do for a non-technical listener.
    pub passed: bool,
    /// What to fix, most important first.
    pub advice: Vec<String>,
}

impl Explanation {
    /// How many concepts are present.
    pub fn concepts_present(&self) -> usize {
        self.concepts.iter().filter(|c| c.present).count()
    }

    /// How many jargon terms are used without an explanation.
    pub fn unexplained_jargon(&self) -> usize {
        self.jargon.iter().filter(|j| !j.explained).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Concept(usize),
    Term(usize),
    Explainer(usize),
    Analogy,
}

fn span(doc: &Document<'_>, range: Range<usize>) -> Span {
    let b = doc.original(range);
    let lc = doc.lines().line_col(doc.text(), b.start);
    Span {
        start: b.start,
        end: b.end,
        line: lc.line,
        column: lc.column,
    }
}

/// Judges an explanation of `topic`.
pub fn judge(topic: &Topic, text: &str) -> Result<Explanation, ExplainError> {
    if text.trim().is_empty() {
        return Err(ExplainError::Empty);
    }
    let mut b = PhraseSet::builder();
    for (i, c) in topic.concepts.iter().enumerate() {
        b.add(Key::Concept(i), &c.phrases);
    }
    for (i, j) in topic.jargon.iter().enumerate() {
        b.add(Key::Term(i), std::slice::from_ref(&j.term));
        b.add(Key::Explainer(i), &j.explained_by);
    }
    b.add(Key::Analogy, ANALOGY_CUES);
    let set = b
        .build()
        .map_err(|mut errors| ExplainError::Template(errors.remove(0).1))?;

    let doc = Document::new(text);
    let mut concept_hits: Vec<Option<Range<usize>>> = vec![None; topic.concepts.len()];
    let mut term_hits: Vec<Vec<Range<usize>>> = vec![Vec::new(); topic.jargon.len()];
    let mut explainer_hits: Vec<Vec<Range<usize>>> = vec![Vec::new(); topic.jargon.len()];
    let mut analogy: Option<Range<usize>> = None;
    set.find(&doc, |k, r| match k {
        Key::Concept(i) => {
            if concept_hits[i].is_none() {
                concept_hits[i] = Some(r);
            }
        }
        Key::Term(i) => term_hits[i].push(r),
        Key::Explainer(i) => explainer_hits[i].push(r),
        Key::Analogy => {
            if analogy.is_none() {
                analogy = Some(r);
            }
        }
    });

    let concepts: Vec<ConceptResult> = topic
        .concepts
        .iter()
        .zip(&concept_hits)
        .map(|(c, hit)| ConceptResult {
            id: c.id.clone(),
            name: c.name.clone(),
            present: hit.is_some(),
            span: hit.clone().map(|r| span(&doc, r)),
        })
        .collect();

    let jargon: Vec<JargonResult> = topic
        .jargon
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let uses = &term_hits[i];
            let unexplained = uses
                .iter()
                .find(|u| !is_explained(&doc, u, &explainer_hits[i], uses));
            JargonResult {
                term: j.term.clone(),
                label: label(&j.term),
                used: !uses.is_empty(),
                explained: unexplained.is_none(),
                span: unexplained.or(uses.first()).map(|r| span(&doc, r.clone())),
            }
        })
        .collect();

    let words = doc.word_count();
    let speaking_seconds = (words * 60 + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE;
    let within_time = words <= topic.max_words;
    let sentence_words: Vec<usize> = doc
        .sentences()
        .iter()
        .map(|s| doc.words_between(s.start..s.end))
        .filter(|&n| n > 0)
        .collect();
    let sentences = sentence_words.len();
    let average_sentence_words = if sentences == 0 {
        0.0
    } else {
        (words as f64 / sentences as f64 * 10.0).round() / 10.0
    };
    let long_sentences = sentence_words
        .iter()
        .filter(|&&n| n > LONG_SENTENCE_WORDS)
        .count();

    let mut e = Explanation {
        topic: topic.id.clone(),
        words,
        speaking_seconds,
        max_words: topic.max_words,
        within_time,
        concepts,
        jargon,
        analogy: analogy.is_some(),
        analogy_span: analogy.map(|r| span(&doc, r)),
        sentences,
        average_sentence_words,
        long_sentences,
        score: 0,
        passed: false,
        advice: Vec::new(),
    };
    e.score = score(&e);
    let present = e.concepts_present();
    let total = e.concepts.len();
    e.passed = e.within_time
        && present * 100 >= total * MIN_CONCEPT_PERCENT
        && e.unexplained_jargon() == 0
        && e.analogy;
    e.advice = advice(topic, &e);
    Ok(e)
}

/// An explaining phrase counts when it lies in the term's sentence or the next, or within
/// [`EXPLAIN_WINDOW_WORDS`] words of the term on either side. A phrase inside another use of
/// the term (the term explaining itself) does not count.
fn is_explained(
    doc: &Document<'_>,
    term: &Range<usize>,
    explainers: &[Range<usize>],
    uses: &[Range<usize>],
) -> bool {
    let sentence = doc.sentence_of(term.start);
    explainers.iter().any(|x| {
        if uses.iter().any(|u| u.start <= x.start && x.end <= u.end) {
            return false;
        }
        let s = doc.sentence_of(x.start);
        if s == sentence || s == sentence + 1 {
            return true;
        }
        let between = if x.start >= term.end {
            doc.words_between(term.end..x.start)
        } else {
            doc.words_between(x.end..term.start)
        };
        between <= EXPLAIN_WINDOW_WORDS
    })
}

/// A template shown as its first phrasing: `{pop|pops} list` gives `pop list`.
pub fn label(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let group = &rest[open + 1..open + close];
        out.push_str(group.split('|').next().unwrap_or(""));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn score(e: &Explanation) -> u8 {
    let concepts = if e.concepts.is_empty() {
        50.0
    } else {
        50.0 * e.concepts_present() as f64 / e.concepts.len() as f64
    };
    let jargon = 20.0 - 7.0 * e.unexplained_jargon() as f64;
    let analogy = if e.analogy { 10.0 } else { 0.0 };
    let time = if e.within_time {
        10.0
    } else {
        (10.0 - 10.0 * (e.words - e.max_words) as f64 / e.max_words as f64).max(0.0)
    };
    let sentences = if e.sentences == 0 {
        0.0
    } else {
        10.0 * (1.0 - e.long_sentences as f64 / e.sentences as f64)
    };
    (concepts + jargon.max(0.0) + analogy + time + sentences)
        .round()
        .clamp(0.0, 100.0) as u8
}

fn advice(topic: &Topic, e: &Explanation) -> Vec<String> {
    let mut out = Vec::new();
    if !e.within_time {
        out.push(format!(
            "Over time: {} words is about {}s spoken; cut to {} words (two minutes).",
            e.words, e.speaking_seconds, e.max_words
        ));
    }
    for c in e.concepts.iter().filter(|c| !c.present) {
        out.push(format!("Missing concept: {}.", c.name));
    }
    for j in e.jargon.iter().filter(|j| !j.explained) {
        out.push(format!(
            "Unexplained jargon: \"{}\"; say it in plain words or explain it right where you use it.",
            j.label
        ));
    }
    if !e.analogy {
        out.push(format!(
            "No analogy: give the listener a picture. Hint: {}",
            topic.analogy_hint
        ));
    }
    if e.long_sentences > 0 {
        out.push(format!(
            "{} sentence(s) over {} words: split them; spoken sentences should be short.",
            e.long_sentences, LONG_SENTENCE_WORDS
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{Concept, Jargon};

    fn topic() -> Topic {
        Topic {
            id: "caching".into(),
            title: "Caching".into(),
            prompt: "Explain caching.".into(),
            analogy_hint: "A fridge next to the kitchen.".into(),
            max_words: 40,
            concepts: vec![
                Concept {
                    id: "copy".into(),
                    name: "A copy is kept nearby".into(),
                    phrases: vec!["{keeps|keep} a copy".into()],
                },
                Concept {
                    id: "faster".into(),
                    name: "It is faster".into(),
                    phrases: vec!["{faster|quicker}".into()],
                },
            ],
            jargon: vec![Jargon {
                term: "{ttl|time to live}".into(),
                explained_by: vec!["how long".into()],
            }],
            strong_sample: String::new(),
            weak_sample: String::new(),
        }
    }

    #[test]
    fn a_templated_term_is_labelled_by_its_first_phrasing() {
        assert_eq!(label("{pop|pops|point of presence}"), "pop");
        assert_eq!(label("{v8 |}isolate"), "v8 isolate");
        assert_eq!(label("latency"), "latency");
    }

    #[test]
    fn an_empty_explanation_is_refused() {
        assert_eq!(judge(&topic(), "  \n").unwrap_err(), ExplainError::Empty);
    }

    #[test]
    fn concepts_jargon_and_analogy_are_found_with_spans() {
        let text = "It is like a fridge: it keeps a copy so it is faster.\nThe TTL says how long.";
        let e = judge(&topic(), text).unwrap();
        assert!(e.concepts.iter().all(|c| c.present));
        let s = e.concepts[0].span.unwrap();
        assert_eq!(&text[s.start..s.end], "keeps a copy");
        assert_eq!((s.line, s.column), (1, 25));
        assert!(e.jargon[0].used && e.jargon[0].explained);
        assert_eq!(e.jargon[0].span.unwrap().line, 2);
        assert!(e.analogy);
        assert!(e.passed, "{e:?}");
        assert!(e.advice.is_empty());
    }

    #[test]
    fn jargon_explained_two_sentences_later_and_far_away_is_unexplained() {
        let text =
            "Think of a fridge; it keeps a copy and is faster. The TTL matters a great deal. \
                    It really does matter for everyone involved in the work. \
                    We set how long.";
        let e = judge(&topic(), text).unwrap();
        assert!(e.jargon[0].used && !e.jargon[0].explained);
        assert!(!e.passed);
        assert!(e.advice.iter().any(|a| a.contains("Unexplained jargon")));
    }

    #[test]
    fn unused_jargon_counts_as_explained() {
        let e = judge(
            &topic(),
            "Imagine a fridge: it keeps a copy, so it is faster.",
        )
        .unwrap();
        assert!(!e.jargon[0].used && e.jargon[0].explained);
        assert!(e.passed);
    }

    #[test]
    fn missing_concepts_no_analogy_and_overtime_fail_with_advice() {
        let long = "word ".repeat(50);
        let e = judge(&topic(), &format!("It keeps a copy. {long}")).unwrap();
        assert!(!e.within_time);
        assert!(!e.analogy);
        assert!(!e.passed);
        assert_eq!(e.long_sentences, 1);
        assert!(e.advice.iter().any(|a| a.starts_with("Over time")));
        assert!(e
            .advice
            .iter()
            .any(|a| a.contains("Missing concept: It is faster")));
        assert!(e.advice.iter().any(|a| a.starts_with("No analogy")));
        assert!(e.score < 80);
    }

    #[test]
    fn every_builtin_topic_judges_its_strong_sample_passed_and_its_weak_sample_failed() {
        let pack = crate::builtin::pack().expect("the built-in pack loads");
        assert!(!pack.topics.is_empty());
        let mut wrong = Vec::new();
        for t in &pack.topics {
            let strong = judge(t, &t.strong_sample).unwrap();
            if !strong.passed {
                wrong.push(format!("{}: strong failed: {:?}", t.id, strong.advice));
            }
            let weak = judge(t, &t.weak_sample).unwrap();
            if weak.passed {
                wrong.push(format!("{}: weak passed (score {})", t.id, weak.score));
            }
            assert!(strong.score > weak.score, "{}", t.id);
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

//! The explain drill's judgment (RUBRIC.md, "The explain drill"): an explanation for a
//! non-technical listener is judged on its length (about two minutes), the topic's key ideas in
//! any words, accuracy (no misconception stated), jargon explained where first used, an analogy
//! or everyday example, and short sentences.
//!
//! Ideas, misconceptions and analogies are read two ways: the topic's phrase templates (exact,
//! with spans) and, where the pack ships one, the learned model (`crate::learned`) that reads each
//! sentence for them in the listener's own words. A sentence that states a misconception earns no
//! idea. Jargon is judged in general ([`jargon`]): acronyms by their shape and the trade's
//! vocabulary by a list, each allowed once it is explained where first used.

pub mod jargon;

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

use crate::context::{self, Cue, Cues};
use crate::learned::{layer, reader, Model};
use crate::pack::{Pack, Topic};
use crate::phrases::PhraseSet;
use crate::text::{Document, TokenKind};

/// Speaking pace used to turn words into time.
pub const WORDS_PER_MINUTE: usize = 150;
/// A sentence longer than this, in words, is hard to follow when spoken.
pub const LONG_SENTENCE_WORDS: usize = 25;
/// A sentence longer than this, in words, loses a listener: it fails the explanation.
pub const VERY_LONG_SENTENCE_WORDS: usize = 40;
/// An explaining phrase this many words or fewer from a topic's own jargon term explains it.
pub const EXPLAIN_WINDOW_WORDS: usize = 12;
/// Unexplained technical terms an explanation may hold and still pass: one slip in two minutes
/// is forgiven (it is still pointed out); an explanation written for engineers has many.
pub const MAX_UNEXPLAINED_TERMS: usize = 1;
/// The share of ideas, in percent, an explanation must hold to pass: 4 of 5, 5 of 6, 5 of 7.
/// The labellers passed good explanations holding 5 of a topic's 7 ideas; at 80% (6 of 7) the
/// drill failed them, and on eval/explain-dev.jsonl 70% passed 5 or 6 more of the 98 good
/// ones (seeds 1 to 3) for 0 to 3 more of the 140 others.
pub const MIN_CONCEPT_PERCENT: usize = 70;
/// The model's reading an idea needs in an explanation that states a wrong claim: more likely
/// than not (elsewhere the model's own thresholds apply, at most 0.25 for an idea).
pub const DOUBTED_IDEA_BAR: f32 = 0.5;
/// The model's reading from which an idea stated in one sentence counts although a quoted error
/// elsewhere contradicts it (an idea in the topic's own words always does): the listener heard
/// it rightly once, and the error still fails the explanation. The error's own sentence never
/// earns it. Chosen on the dev sets (idea agreement, before: 87.5% on eval/explain-dev.jsonl,
/// 86.1% on eval/explain-dev2.jsonl): at 0.9, 88.9% and 89.7%; at 0.8, 88.7%, 89.8%; at 0.97,
/// 89.1%, 89.4%; with any reading that credits an idea (0.5 once an error is quoted), 87.6%,
/// 89.3%; with the topic's phrases alone, 87.6%, 88.1%. Before this, such an idea was always
/// marked wrong, and on dev 49 of the 165 so marked had been labelled present.
pub const SURE_IDEA_BAR: f32 = 0.9;
/// The model's reading from which a wrong claim counts even where an idea it contradicts is
/// stated rightly elsewhere (below it, that contrast makes the sentence more likely the old way
/// being described). Chosen on eval/explain-dev.jsonl, seeds 1 to 3: errors quoted rose from 76,
/// 77, 76 to 80, 81, 79 of the 113 wrong explanations, wrong ones passed fell from 21, 20, 22 to
/// 18, 17, 19, good ones passed moved by 0, -1, -1 of 98, and errors quoted where none was
/// labelled went from 4, 4, 2 to 5, 6, 5 (with no such bar, 6, 9, 6, and 2 to 3 fewer good ones
/// passed). Letting such readings past the negation rule as well caught more on dev but flagged
/// plain denials ("Their phone or laptop doesn't choose anything.").
pub const SURE_CLAIM_BAR: f32 = 0.9;

/// The model's reading from which a misconception that the pack itself states with a negation
/// ("because it runs on UDP, it doesn't resend lost data", "a genuine shopper will never be
/// blocked") is heard past a negation in its clause, where no clause holding the claim's words
/// has a second negation ("nobody can promise it will never block a customer" denies it): for
/// such a claim one negation is often its wording, not its denial. Chosen on
/// eval/explain-dev.jsonl (seeds 1 to 3): errors quoted rose from 80, 81, 79 to 81, 82, 80 of
/// the 113 wrong explanations, with errors quoted where none was labelled unchanged (5, 6, 5) and
/// good ones passed unchanged. At 0.9 it caught 84, 84, 85 but flagged one of the pack's own
/// denials ("A DDoS isn't only dangerous when the traffic is massive", read 0.94); without the
/// second-negation test it caught 82, 83, 81 but flagged denials put with two negations.
pub const NEGATED_CLAIM_BAR: f32 = 0.96;

/// The claims reader's reading from which a claim the model hears is heard past a negation on
/// its words. The negation rule is there because the model reads a claim's subject better than
/// its polarity; the reader reads the words in order, so where it is this sure the sentence states
/// a wrong claim ("Because it runs on UDP, nothing checks that each piece arrived"), its negation
/// is part of the claim, not its denial. Chosen on eval/explain-dev.jsonl and
/// eval/explain-dev2.jsonl (2026-12-07): errors quoted rose from 98 to 102 of 113 and from 151 to
/// 155 of 256 wrong explanations, with errors quoted where none was labelled unchanged (7, 4) and
/// good ones passed unchanged (85 of 98, 112 of 128), and the pack's denials all still pass. At
/// 0.9 the dev sets read 103 and 158, but the reader reads a denial of our own, "Even with the CDN
/// in front, you can never switch your own server off.", at 0.945 (tests/explain_topics.rs); 0.95
/// read 102 and 158 with that denial just under the bar. The same override of the correction rule
/// added one quote on the second set; of the idea-stated-elsewhere rule, it failed two of the
/// pack's examples.
pub const READER_SURE_BAR: f32 = 0.98;

/// Cues that a comparison is being drawn.
const ANALOGY_CUES: &[&str] = &[
    "{like|unlike} {a|an|the|your|our|when|how}",
    "{is|are|works|work|acts|act|behaves|behave|looks|look|feels|feel} like",
    "{a bit|a little|much|rather|just|kind of|sort of|quite} like",
    "{think of|think about|picture|imagine|consider|remember}",
    "{as if|as though|similar to|the same way|in the same way|just as|just like|compare it to|compared to|the way a|the way an|the way you|the way your|same idea as|same as when}",
];

/// Everyday things a listener knows: a sentence that brings one in maps the familiar onto the
/// concept (an analogy or a concrete example).
const EVERYDAY: &[&str] = &[
    "{phone number|phone numbers|phone book|phonebook|address book|contacts list|switchboard|call centre|call center|call centres|call centers|operator}",
    "{post office|postman|postwoman|postal|letter|letters|envelope|envelopes|parcel|parcels|courier|mailbox|postcode|zip code|stamp}",
    "{library|librarian|bookshelf|shelf|shelves|book|books|dictionary|index card|card catalogue}",
    "{restaurant|kitchen|chef|waiter|menu|fridge|pantry|cupboard|coffee shop|coffee shops|cafe|café|bakery|pizza|takeaway|recipe}",
    "{supermarket|shop|shops|store|stores|corner shop|warehouse|warehouses|shelf stackers|checkout|cashier|till|queue|queues|ticket|tickets|receipt}",
    "{road|roads|motorway|highway|junction|roundabout|traffic lights|road sign|road signs|signpost|signposts|sat nav|satnav|map|maps|detour|toll|lane|lanes|car|cars|bus|train|taxi|driver}",
    "{bouncer|bouncers|doorman|door staff|guest list|nightclub|club|concert|stadium|turnstile|wristband|badge|badges|id card|keycard|key card|passport|airport|boarding pass|check-in|customs|border}",
    "{hotel|reception|receptionist|front desk|concierge|lobby|room key|security guard|guard|guards|gatekeeper|gate|lock|locks|padlock|safe|vault|bank|cashier|cheque|teller}",
    "{house|home|front door|neighbour|neighbor|street|streets|town|village|city|cities|branch|branches|franchise|chain}",
    "{doctor|hospital|nurse|triage|pharmacy|fire brigade|fire alarm|firefighter|firefighters|ambulance|emergency services|emergency number|999|911|112|plumber|electrician|insurance}",
    "{school|teacher|classroom|exam|homework|pupil|pupils}",
    "{water|pipe|pipes|tap|hose|dam|flood|bucket|tank|sieve|filter coffee}",
    "{newspaper|newsagent|magazine|photocopy|photocopies|copy shop|notebook|post-it|sticky note}",
    "{walkie-talkie|radio|television|tv channel|remote control|light switch|fuse|thermostat|alarm clock}",
    "{umbrella|raincoat|seatbelt|seat belt|airbag|helmet|smoke detector|spare tyre|spare tire|backup generator|fire drill}",
    "{plane|planes|aeroplane|airplane|airline|airlines|pilot|pilots|flight|flights|cockpit|black box|flight recorder|air traffic control|runway|aviation}",
    "{football|referee|goalkeeper|chess|orchestra|conductor|theme park|ride|rides|cinema|theatre|theater|festival}",
    "{police|police officer|detective|fire station|traffic jam|rush hour|toll booth|speed limit|speed camera}",
    "{vaccine|immune system|medicine|x-ray|dentist|gym}",
    "{sandwich|coffee|milk|use-by date|best-before|expiry date|groceries|shopping list|grocery|groceries}",
    "{letterbox|yellow pages|directory enquiries|lego|jigsaw|puzzle}",
    "{bank card|credit card|cash machine|wallet|house key|spare key|front desk|visitor badge|security desk|sign-in sheet}",
];

/// Words that set a claim up to be corrected or contrasted ("unlike the firewall in your office",
/// "a common myth is"): the model's reading of a misconception is not believed there.
const CONTRAST: &[&str] = &[
    "{differ|differs|differed|different from|unlike|rather than|instead of|as opposed to|contrary to|not the same as|isn't the same as|is not the same as|more than just|not just}",
    "{myth|myths|misconception|misconceptions|common mistake|people think|people assume|some people believe|people often think|you might think|you may have heard|it's tempting to think|the old way|the old model|used to}",
    "{still need|still needs|still needed|still have to|still has to|still must|still matters|even though|even if|unless}",
    "{can|could} {often |usually |sometimes |normally |typically |generally |}still",
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

/// Whether one of the topic's ideas is present.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptResult {
    /// The idea's id.
    pub id: String,
    /// What the idea says.
    pub name: String,
    /// Whether the explanation conveys it (in a sentence that states no misconception, and with
    /// no misconception stated that gets it wrong).
    pub present: bool,
    /// Whether a misconception stated in the explanation gets it wrong.
    pub wrong: bool,
    /// Where: the phrase, or the sentence the model read it in.
    pub span: Option<Span>,
}

/// A technical term the listener would not know, and whether it was explained at first use.
#[derive(Debug, Clone, Serialize)]
pub struct JargonResult {
    /// The term as first used.
    pub term: String,
    /// The term for people.
    pub label: String,
    /// Whether it occurs (always true for terms found in the text).
    pub used: bool,
    /// Whether its first use is explained in plain words (later uses are then allowed).
    pub explained: bool,
    /// The first use.
    pub span: Option<Span>,
}

/// A misconception stated in the explanation.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorFound {
    /// The misconception's id.
    pub id: String,
    /// The wrong claim, in general.
    pub claim: String,
    /// What is true instead.
    pub why: String,
    /// The sentence that states it, as the candidate wrote it.
    pub sentence: String,
    /// Where that sentence is.
    pub span: Span,
}

/// A sentence too long to follow when spoken.
#[derive(Debug, Clone, Serialize)]
pub struct LongSentence {
    /// Its words.
    pub words: usize,
    /// Its first words, to find it by.
    pub opening: String,
    /// Where it is.
    pub span: Span,
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
    /// The topic's ideas, in the pack's order.
    pub concepts: Vec<ConceptResult>,
    /// Technical terms used, in order of first use.
    pub jargon: Vec<JargonResult>,
    /// Whether an analogy or everyday example is drawn.
    pub analogy: bool,
    /// The first sentence that draws one.
    pub analogy_span: Option<Span>,
    /// The misconceptions stated.
    pub errors: Vec<ErrorFound>,
    /// Sentences.
    pub sentences: usize,
    /// Average words per sentence.
    pub average_sentence_words: f64,
    /// Sentences longer than 25 words.
    pub long_sentences: usize,
    /// Those sentences.
    pub long: Vec<LongSentence>,
    /// 0 to 100.
    pub score: u8,
    /// Whether the explanation would do for a non-technical listener.
    pub passed: bool,
    /// What it takes to pass, in one sentence.
    pub rule: String,
    /// What to fix, most important first.
    pub advice: Vec<String>,
}

impl Explanation {
    /// How many ideas are present.
    pub fn concepts_present(&self) -> usize {
        self.concepts.iter().filter(|c| c.present).count()
    }

    /// How many technical terms are used without an explanation.
    pub fn unexplained_jargon(&self) -> usize {
        self.jargon.iter().filter(|j| !j.explained).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Concept(usize),
    Term(usize),
    Explainer(usize),
    Misconception(usize),
    Anchor(usize),
    General(usize),
    Analogy,
    Everyday,
    After,
    Before,
    Next,
    Contrast,
    Cue(Cue),
}

/// The model's classes for one topic.
#[derive(Debug, Default)]
struct Classes {
    concept: Vec<Option<usize>>,
    misconception: Vec<Option<usize>>,
    analogy: Option<usize>,
    /// Every one of the above the model has, the only ones read for the topic.
    all: Vec<usize>,
}

/// A topic compiled for judging: its phrases with the general ones, and its classes in the model.
#[derive(Debug)]
pub struct TopicJudge {
    set: PhraseSet<Key>,
    classes: Classes,
    /// For each misconception, whether the pack's own statements of it carry a negation ("it
    /// doesn't resend lost data"): there a negation is the claim's wording, not its denial.
    negative_claim: Vec<bool>,
}

/// The class id of a topic's idea in an explain model.
pub fn concept_class(topic: &str, concept: &str) -> String {
    format!("{topic}:{concept}")
}

/// The class id of a topic's misconception in an explain model.
pub fn misconception_class(topic: &str, misconception: &str) -> String {
    format!("{topic}:!{misconception}")
}

/// The class id of an analogy or everyday example.
pub const ANALOGY_CLASS: &str = "analogy";

/// The class a contextual reader names when it gives the explain model a second opinion on
/// every misconception at once ([`Model::set_second_opinion`]): how likely the sentence states a
/// wrong claim about its topic, read in word order, so that "it does not pick the least busy
/// site" and "it picks the least busy site" stop sharing a reading.
pub const CLAIMS_READER_CLASS: &str = "claims";

/// Gives the explain model `model` the claims reader `reader`, which reads the static vectors of
/// `statics` (the judge model); refuses a reader of another class or another width.
pub fn attach_claims_reader(
    model: &mut Model,
    reader: crate::learned::Reader,
    statics: Model,
) -> Result<(), crate::learned::ModelError> {
    if reader.meta.class != CLAIMS_READER_CLASS {
        return Err(crate::learned::ModelError(format!(
            "the explain drill's reader must read class {CLAIMS_READER_CLASS:?}, this one reads {:?}",
            reader.meta.class
        )));
    }
    model.set_second_opinion(reader, statics)
}

impl TopicJudge {
    /// Compiles a topic for `model` (or for the phrases alone).
    pub fn new(topic: &Topic, model: Option<&Model>) -> Result<TopicJudge, ExplainError> {
        let mut b = PhraseSet::builder();
        for (i, c) in topic.concepts.iter().enumerate() {
            b.add(Key::Concept(i), &c.phrases);
        }
        for (i, j) in topic.jargon.iter().enumerate() {
            b.add(Key::Term(i), std::slice::from_ref(&j.term));
            b.add(Key::Explainer(i), &j.explained_by);
        }
        for (i, m) in topic.misconceptions.iter().enumerate() {
            b.add(Key::Misconception(i), &m.phrases);
            b.add(Key::Anchor(i), &m.anchors);
        }
        for (i, t) in jargon::TERMS.iter().enumerate() {
            b.add(Key::General(i), std::slice::from_ref(t));
        }
        b.add(Key::Analogy, ANALOGY_CUES);
        b.add(Key::Everyday, EVERYDAY);
        b.add(Key::After, jargon::EXPLAINED_AFTER);
        b.add(Key::Before, jargon::EXPLAINED_BEFORE);
        b.add(Key::Next, jargon::EXPLAINING_NEXT);
        b.add(Key::Contrast, CONTRAST);
        context::add_cues(&mut b, Key::Cue);
        let set = b
            .build()
            .map_err(|mut errors| ExplainError::Template(errors.remove(0).1))?;
        let classes = match model {
            None => Classes::default(),
            Some(m) => {
                let concept: Vec<Option<usize>> = topic
                    .concepts
                    .iter()
                    .map(|c| m.class(&concept_class(&topic.id, &c.id)))
                    .collect();
                let misconception: Vec<Option<usize>> = topic
                    .misconceptions
                    .iter()
                    .map(|x| m.class(&misconception_class(&topic.id, &x.id)))
                    .collect();
                let analogy = m.class(ANALOGY_CLASS);
                let all = concept
                    .iter()
                    .chain(&misconception)
                    .chain([&analogy])
                    .flatten()
                    .copied()
                    .collect();
                Classes {
                    concept,
                    misconception,
                    analogy,
                    all,
                }
            }
        };
        let negative_claim = topic
            .misconceptions
            .iter()
            .map(|m| {
                m.states.iter().any(|example| {
                    let doc = Document::new(example);
                    Cues::find(&doc).flags(&doc, 0..doc.norm().len()).negation
                })
            })
            .collect();
        Ok(TopicJudge {
            set,
            classes,
            negative_claim,
        })
    }
}

/// The explain drill for a pack: every topic compiled once, with the pack's explain model.
#[derive(Debug)]
pub struct Explainer<'m> {
    model: Option<&'m Model>,
    topics: Vec<(String, TopicJudge)>,
}

impl<'m> Explainer<'m> {
    /// Compiles every topic of `pack` (a topic whose templates do not parse is compiled, and
    /// reported, when it is judged).
    pub fn new(pack: &Pack, model: Option<&'m Model>) -> Explainer<'m> {
        Explainer {
            model,
            topics: pack
                .topics
                .iter()
                .filter_map(|t| TopicJudge::new(t, model).ok().map(|j| (t.id.clone(), j)))
                .collect(),
        }
    }

    /// Judges an explanation of `topic`.
    pub fn judge(&self, topic: &Topic, text: &str) -> Result<Explanation, ExplainError> {
        match self.topics.iter().find(|(id, _)| *id == topic.id) {
            Some((_, j)) => judge_with(j, self.model, topic, text),
            None => judge_with(
                &TopicJudge::new(topic, self.model)?,
                self.model,
                topic,
                text,
            ),
        }
    }
}

/// Runs every topic's own tests: its strong sample passes and its weak one does not; its subtle
/// sample, where it has one, fails with the misconception it states caught; each
/// misconception's `states` examples are caught and its `denies` examples are not. Returns how
/// many ran and a line for each that did not behave.
pub fn verify(pack: &Pack, model: Option<&Model>) -> (usize, Vec<String>) {
    let explainer = Explainer::new(pack, model);
    let mut ran = 0;
    let mut out = Vec::new();
    for t in &pack.topics {
        let file = format!("topics/{}.toml", t.id);
        for (label, text, want) in [
            ("strong", &t.strong_sample, true),
            ("weak", &t.weak_sample, false),
        ] {
            ran += 1;
            match explainer.judge(t, text) {
                Ok(e) if e.passed == want => {}
                Ok(e) => out.push(format!(
                    "{file}: topic {:?}: the {label} sample {} (score {}){}",
                    t.id,
                    if e.passed { "passed" } else { "did not pass" },
                    e.score,
                    if e.advice.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", e.advice.join(" "))
                    }
                )),
                Err(err) => out.push(format!(
                    "{file}: topic {:?}: the {label} sample cannot be judged: {err}",
                    t.id
                )),
            }
        }
        if let Some(subtle) = &t.subtle_sample {
            ran += 1;
            match explainer.judge(t, &subtle.text) {
                Ok(e) if !e.passed && e.errors.iter().any(|x| x.id == subtle.states) => {}
                Ok(e) => out.push(format!(
                    "{file}: topic {:?}: the subtle sample {} (score {}) and {}",
                    t.id,
                    if e.passed { "passed" } else { "did not pass" },
                    e.score,
                    if e.errors.iter().any(|x| x.id == subtle.states) {
                        format!("misconception {:?} was caught", subtle.states)
                    } else {
                        format!("misconception {:?} it states was not caught", subtle.states)
                    }
                )),
                Err(err) => out.push(format!(
                    "{file}: topic {:?}: the subtle sample cannot be judged: {err}",
                    t.id
                )),
            }
        }
        for m in &t.misconceptions {
            for (list, want) in [(&m.states, true), (&m.denies, false)] {
                for text in list {
                    ran += 1;
                    let caught = explainer
                        .judge(t, text)
                        .is_ok_and(|e| e.errors.iter().any(|x| x.id == m.id));
                    if caught != want {
                        out.push(format!(
                            "{file}: misconception {:?} {} {text:?}",
                            m.id,
                            if want { "missed" } else { "flagged" }
                        ));
                    }
                }
            }
        }
    }
    (ran, out)
}

/// The built-in explain model, read once.
fn builtin_model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(crate::builtin::explain_model).as_ref()
}

/// Judges an explanation of `topic` with the built-in explain model (its classes are named by
/// topic and idea, so a topic it does not know is judged by its phrases alone). For many
/// explanations, make an [`Explainer`] once.
pub fn judge(topic: &Topic, text: &str) -> Result<Explanation, ExplainError> {
    judge_with_model(topic, builtin_model(), text)
}

/// Judges an explanation of `topic` with `model` (a pack's own explain model, or none).
pub fn judge_with_model(
    topic: &Topic,
    model: Option<&Model>,
    text: &str,
) -> Result<Explanation, ExplainError> {
    judge_with(&TopicJudge::new(topic, model)?, model, topic, text)
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

/// The sentence `s` as the candidate wrote it.
fn sentence_text(doc: &Document<'_>, s: usize) -> String {
    let u = doc.sentences()[s];
    let b = doc.original(u.start..u.end);
    doc.text()[b.range()].trim().to_string()
}

/// Every hit of the topic's phrase set, by kind.
#[derive(Default)]
struct Found {
    concept: Vec<(usize, Range<usize>)>,
    term: Vec<(usize, Range<usize>)>,
    explainer: Vec<(usize, Range<usize>)>,
    misconception: Vec<(usize, Range<usize>)>,
    anchor: Vec<(usize, Range<usize>)>,
    general: Vec<(usize, Range<usize>)>,
    analogy: Vec<Range<usize>>,
    everyday: Vec<Range<usize>>,
    after: Vec<Range<usize>>,
    before: Vec<Range<usize>>,
    next: Vec<Range<usize>>,
    contrast: Vec<Range<usize>>,
    cues: Vec<(Cue, Range<usize>)>,
}

fn judge_with(
    tj: &TopicJudge,
    model: Option<&Model>,
    topic: &Topic,
    text: &str,
) -> Result<Explanation, ExplainError> {
    if text.trim().is_empty() {
        return Err(ExplainError::Empty);
    }
    let doc = Document::new(text);
    let mut f = Found::default();
    tj.set.find(&doc, |k, r| match k {
        Key::Concept(i) => f.concept.push((i, r)),
        Key::Term(i) => f.term.push((i, r)),
        Key::Explainer(i) => f.explainer.push((i, r)),
        Key::Misconception(i) => f.misconception.push((i, r)),
        Key::Anchor(i) => f.anchor.push((i, r)),
        Key::General(i) => f.general.push((i, r)),
        Key::Analogy => f.analogy.push(r),
        Key::Everyday => f.everyday.push(r),
        Key::After => f.after.push(r),
        Key::Before => f.before.push(r),
        Key::Next => f.next.push(r),
        Key::Contrast => f.contrast.push(r),
        Key::Cue(c) => f.cues.push((c, r)),
    });
    let cues = Cues::from_hits(std::mem::take(&mut f.cues));
    let n = doc.sentences().len();

    // What the model reads in each sentence, for this topic's classes.
    let reading = model.map(|m| layer::read_some(m, &doc, &cues, Some(&tj.classes.all)));
    // The contextual reader's opinion of each sentence the model reads a claim in at its bar or
    // more (it is slower than the model: only those sentences are read twice).
    let second = model.and_then(Model::second_opinion);
    let claim_opinion: Vec<Option<f32>> = match (second, &reading) {
        (Some((r, statics)), Some(rd)) => {
            let mut ids = Vec::new();
            (0..n)
                .map(|s| {
                    let top = tj
                        .classes
                        .misconception
                        .iter()
                        .flatten()
                        .map(|&c| rd.sentence(s)[c])
                        .fold(0f32, f32::max);
                    (top >= r.meta.from).then(|| {
                        let u = doc.sentences()[s];
                        reader::pieces(&doc, u.start..u.end, &mut ids);
                        r.forward(statics, &ids)
                    })?
                })
                .collect()
        }
        _ => vec![None; n],
    };
    let probability = |s: usize, class: Option<usize>| -> Option<(f32, f32)> {
        match (class, &reading, model) {
            (Some(c), Some(r), Some(m)) => {
                let p = r.sentence(s)[c];
                // Only a sentence the reader read has its opinion; only claims take it.
                let p = match (second, claim_opinion[s]) {
                    (Some((second, _)), Some(q)) if tj.classes.misconception.contains(&Some(c)) => {
                        second.blend(p, Some(q))
                    }
                    _ => p,
                };
                Some((p, m.meta.thresholds[c]))
            }
            _ => None,
        }
    };
    let learned =
        |s: usize, class: Option<usize>| probability(s, class).is_some_and(|(p, t)| p >= t);

    // Misconceptions: a phrase of one, not negated, reported or asked; or the model's reading.
    let mut stated: Vec<Option<usize>> = vec![None; topic.misconceptions.len()];
    // "A CDN isn't faster because its servers are more powerful": a negated clause followed by
    // the reason denies the reason too.
    let negated_before = |r: &Range<usize>| {
        let c = doc.clause_of(r.start);
        let clause = doc.clauses()[c];
        let opens_with_reason = doc.lower()[clause.start..clause.end]
            .trim_start()
            .starts_with("because");
        c > 0
            && opens_with_reason
            && doc.clauses()[c - 1].sentence == clause.sentence
            && cues
                .flags(&doc, doc.clauses()[c - 1].start..doc.clauses()[c - 1].end)
                .negation
    };
    for (i, r) in &f.misconception {
        let s = doc.sentence_of(r.start);
        if stated[*i].is_none()
            && !doc.is_question(s)
            && !cues.negated(&doc, r.clone())
            && !negated_before(r)
            && !cues.reported(&doc, r.clone())
        {
            stated[*i] = Some(s);
        }
    }
    // The model's reading of a claim counts only in a sentence about what the claim is about
    // (one of its anchors) and without a negation on the anchor's clause: it reads a claim's
    // topic better than its polarity, so "it does not pick the least busy site" is left to the
    // phrases, which know where the negation falls.
    for (i, st) in stated.iter_mut().enumerate() {
        if st.is_some() {
            continue;
        }
        let m = &topic.misconceptions[i];
        // Where the claim's anchor words are in sentence `s`.
        let anchors_at = |s: usize| {
            let doc = &doc;
            f.anchor
                .iter()
                .filter(move |(j, r)| *j == i && doc.sentence_of(r.start) == s)
                .map(|(_, r)| r)
        };
        let anchored = |s: usize| m.anchors.is_empty() || anchors_at(s).next().is_some();
        // A negation counts where the claim's own words are: in a clause that holds one of its
        // anchors ("it checks how busy each site is, so no site is ever overloaded" states the
        // claim; "it does not check how busy each site is" denies it). A claim without anchors
        // is read in the whole sentence.
        //
        // Tried on 2026-12-07 and not kept (dev errors quoted, seeds 1 to 3, against 83, 84, 82):
        // - denied only where every clause with its words is negated: 88, 90, 88, and on test
        //   54 of 83 against 50, no more errors quoted wrongly; but seven of the pack's own
        //   denials ("A DDoS isn't only dangerous when the traffic is massive; small attacks can
        //   do real damage") were then flagged: the correction after the denial holds the
        //   claim's words too;
        // - denied where the first clause with its words is negated (claims not worded
        //   negatively): 85, 86, 84, test unchanged, and a good sample's "Lost packets are still
        //   resent, so nothing arrives incomplete" flagged;
        // - the first rule only for readings of 0.95 or more: 84, 86, 83, test unchanged.
        // The model reads the pack's denials at 0.83 to 0.997 although it is taught them as
        // denials: the polarity is the rules', and they cannot read it further than this.
        let negated = |s: usize| {
            let u = doc.sentences()[s];
            // The claim's own words are not its denial: "blameless means no one is on the hook"
            // has its anchor in "no one".
            if m.anchors.is_empty() {
                cues.flags(&doc, u.start..u.end).negation
            } else {
                anchors_at(s).any(|r| cues.clause_negated_besides(&doc, r))
            }
        };
        // A clause with one negation may carry a negative claim in the claim's own words; a
        // second one in any clause that holds the claim's words ("nobody can promise it will
        // never block a customer") denies it.
        let single_negation = |s: usize| {
            // "Not even" stresses the negation before it ("nobody, not even your provider,
            // can see"); it is not a second one.
            let once = |r: Range<usize>| {
                cues.negations_starting(r)
                    .iter()
                    .filter(|n| doc.lower()[n.end..].split_whitespace().next() != Some("even"))
                    .count()
                    <= 1
            };
            if m.anchors.is_empty() {
                let u = doc.sentences()[s];
                once(u.start..u.end)
            } else {
                anchors_at(s).all(|r| {
                    let c = doc.clauses()[doc.clause_of(r.start)];
                    once(c.start..c.end)
                })
            }
        };
        // A correction ("can still tell which sites you visit") is the claim's denial too.
        let corrected = |s: usize| f.contrast.iter().any(|r| doc.sentence_of(r.start) == s);
        // An idea the claim contradicts, stated in the topic's own words elsewhere, outweighs
        // the model's reading: the sentence is more likely the old way being described.
        let stated_right = |s: usize| {
            f.concept.iter().any(|(j, r)| {
                m.contradicts.contains(&topic.concepts[*j].id)
                    && doc.sentence_of(r.start) != s
                    && !cues.negated(&doc, r.clone())
            })
        };
        // The same sentence read as the idea the claim contradicts, and more surely than as
        // the claim ("central data centres are still needed"), is the idea, not the claim.
        let claim_class = tj.classes.misconception.get(i).copied().flatten();
        let right_here = |s: usize| {
            let Some((claim, _)) = probability(s, claim_class) else {
                return false;
            };
            topic.concepts.iter().enumerate().any(|(j, c)| {
                m.contradicts.contains(&c.id)
                    && probability(s, tj.classes.concept.get(j).copied().flatten())
                        .is_some_and(|(p, t)| p >= t && p > claim)
            })
        };
        // A reading the model is near certain of outweighs the idea stated rightly elsewhere.
        let sure = |s: usize| probability(s, claim_class).is_some_and(|(p, _)| p >= SURE_CLAIM_BAR);
        // A claim the pack itself states with a negation ("it doesn't resend lost data", "the
        // data never leaves the country") is often put that way: there a reading the model is
        // all but certain of outweighs the negation rule (see NEGATED_CLAIM_BAR).
        let negative = tj.negative_claim.get(i).copied().unwrap_or(false);
        // The claims reader sure the sentence states a wrong claim (see READER_SURE_BAR).
        let reader_sure = |s: usize| claim_opinion[s].is_some_and(|q| q >= READER_SURE_BAR);
        // The model's reading first: it is a lookup, and rules out most sentences.
        *st = (0..n).find(|&s| {
            learned(s, claim_class)
                && !doc.is_question(s)
                && !right_here(s)
                && anchored(s)
                && !corrected(s)
                && (!negated(s)
                    || reader_sure(s)
                    || (negative
                        && single_negation(s)
                        && probability(s, claim_class)
                            .is_some_and(|(p, _)| p >= NEGATED_CLAIM_BAR)))
                && (sure(s) || !stated_right(s))
        });
    }
    let errors: Vec<ErrorFound> = stated
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .map(|(i, s)| {
            let m = &topic.misconceptions[i];
            let u = doc.sentences()[s];
            ErrorFound {
                id: m.id.clone(),
                claim: m.claim.clone(),
                why: m.why.clone(),
                sentence: sentence_text(&doc, s),
                span: span(&doc, u.start..u.end),
            }
        })
        .collect();

    let mut errors = errors;
    for (s, why) in availability_slips(&doc) {
        if stated.contains(&Some(s)) {
            continue;
        }
        stated.push(Some(s));
        let u = doc.sentences()[s];
        errors.push(ErrorFound {
            id: "availability-arithmetic".into(),
            claim: "A percentage of uptime turned into the wrong amount of downtime.".into(),
            why,
            sentence: sentence_text(&doc, s),
            span: span(&doc, u.start..u.end),
        });
    }
    let wrong_sentence = |s: usize| stated.contains(&Some(s));
    // An explanation that states a wrong claim has shown a shaky grasp of its topic: there an
    // idea the model reads (not one said in the topic's own words) counts only where the model
    // is surer of it than not. A fluent but wrong explanation touches most ideas' subjects while
    // getting several of them wrong, and the model hears the subject.
    let doubted = stated.iter().any(Option::is_some);

    // Ideas: a phrase (not negated) or the model's reading, in a sentence that states no
    // misconception.
    let concepts: Vec<ConceptResult> = topic
        .concepts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let contradicted = stated
                .iter()
                .zip(&topic.misconceptions)
                .any(|(st, m)| st.is_some() && m.contradicts.contains(&c.id));
            let by_phrase = f.concept.iter().find(|(j, r)| {
                *j == i
                    && !wrong_sentence(doc.sentence_of(r.start))
                    && !cues.negated(&doc, r.clone())
            });
            // An idea a quoted error contradicts is still heard where another sentence states
            // it rightly: in the topic's own words, or read surely (SURE_IDEA_BAR).
            let bar = if contradicted {
                SURE_IDEA_BAR
            } else if doubted {
                DOUBTED_IDEA_BAR
            } else {
                0.0
            };
            let at = match by_phrase {
                Some((_, r)) => Some(r.clone()),
                None => (0..n)
                    .find(|&s| {
                        !wrong_sentence(s)
                            && probability(s, tj.classes.concept.get(i).copied().flatten())
                                .is_some_and(|(p, t)| p >= t && p >= bar)
                    })
                    .map(|s| doc.sentences()[s].start..doc.sentences()[s].end),
            };
            let wrong = contradicted && at.is_none();
            ConceptResult {
                id: c.id.clone(),
                name: c.name.clone(),
                present: at.is_some(),
                wrong,
                span: at.map(|r| span(&doc, r)),
            }
        })
        .collect();

    let jargon = jargon_used(&doc, topic, &f);

    // An analogy: the model's reading, or a sentence that brings in an everyday thing.
    let analogy_sentence = (0..n).find(|&s| {
        learned(s, tj.classes.analogy) || f.everyday.iter().any(|r| doc.sentence_of(r.start) == s)
    });

    let words = doc.word_count();
    let speaking_seconds = (words * 60 + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE;
    let within_time = words <= topic.max_words;
    let mut sentence_words = Vec::new();
    let mut long = Vec::new();
    for (s, u) in doc.sentences().iter().enumerate() {
        let w = doc.words_between(u.start..u.end);
        if w == 0 {
            continue;
        }
        sentence_words.push(w);
        if w > LONG_SENTENCE_WORDS {
            let text = sentence_text(&doc, s);
            let opening: Vec<&str> = text.split_whitespace().take(8).collect();
            long.push(LongSentence {
                words: w,
                opening: format!("{}...", opening.join(" ")),
                span: span(&doc, u.start..u.end),
            });
        }
    }
    let sentences = sentence_words.len();
    let average_sentence_words = if sentences == 0 {
        0.0
    } else {
        (words as f64 / sentences as f64 * 10.0).round() / 10.0
    };
    let total = topic.concepts.len();
    let need = (total * MIN_CONCEPT_PERCENT).div_ceil(100);
    let mut e = Explanation {
        topic: topic.id.clone(),
        words,
        speaking_seconds,
        max_words: topic.max_words,
        within_time,
        concepts,
        jargon,
        analogy: analogy_sentence.is_some(),
        analogy_span: analogy_sentence.map(|s| span(&doc, doc.sentences()[s].start..doc.sentences()[s].end)),
        errors,
        sentences,
        average_sentence_words,
        long_sentences: long.len(),
        long,
        score: 0,
        passed: false,
        rule: format!(
            "Passes with: {} words or fewer (two minutes spoken), at least {need} of the {total} key ideas, no wrong claim, technical terms explained in plain words where first used (at most {MAX_UNEXPLAINED_TERMS} left unexplained), an analogy or everyday example, and no sentence over {VERY_LONG_SENTENCE_WORDS} words.",
            topic.max_words
        ),
        advice: Vec::new(),
    };
    e.score = score(&e);
    e.passed = e.within_time
        && e.concepts_present() >= need
        && e.errors.is_empty()
        && e.unexplained_jargon() <= MAX_UNEXPLAINED_TERMS
        && e.analogy
        && e.long.iter().all(|l| l.words <= VERY_LONG_SENTENCE_WORDS);
    e.advice = advice(topic, &e);
    Ok(e)
}

/// Sentences that turn an availability (99.9%) over a period into an amount of downtime that is
/// off by more than rounding allows (30%), with what the arithmetic gives: facts a listener will
/// repeat. "Less than an hour" or "under an hour" is a bound, wrong only where the allowance
/// exceeds it.
fn availability_slips(doc: &Document<'_>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let lower = doc.lower();
    for (s, u) in doc.sentences().iter().enumerate() {
        let text = &lower[u.start..u.end];
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        let number = |w: &str| w.trim_end_matches(['%', '.', ';', ':']).parse::<f64>().ok();
        let mut percent = None;
        let mut stated = None;
        let mut upper_bound = false;
        let mut period = None;
        for (i, w) in words.iter().enumerate() {
            let next = words.get(i + 1).copied().unwrap_or("");
            // An uptime figure is written in digits; an amount of time may be in words
            // ("around nine minutes").
            let digits = number(w);
            if let Some(v) = digits.or_else(|| spelled_number(w.trim_end_matches(['.', ';', ':'])))
            {
                if digits.is_some()
                    && (w.ends_with('%') || next.starts_with('%') || next.starts_with("percent"))
                    && (90.0..100.0).contains(&v)
                {
                    percent = Some(v);
                    continue;
                }
                let unit = next.trim_end_matches(['.', ';', ':', 's']);
                let minutes = match unit {
                    "second" | "sec" => Some(v / 60.0),
                    "minute" | "min" => Some(v),
                    "hour" | "hr" => Some(v * 60.0),
                    "day" => Some(v * 1440.0),
                    _ => None,
                };
                if minutes.is_some() && stated.is_none() {
                    stated = minutes;
                    upper_bound = i > 0 && matches!(words[i - 1], "than" | "under");
                }
            } else if matches!(*w, "an" | "one" | "a") {
                let unit = next.trim_end_matches(['.', ';', ':']);
                if stated.is_none()
                    && matches!(unit, "hour" | "minute")
                    && i > 0
                    && matches!(
                        words[i - 1],
                        "than" | "about" | "under" | "roughly" | "around" | "only" | "just"
                    )
                {
                    stated = Some(if unit == "hour" { 60.0 } else { 1.0 });
                    upper_bound = matches!(words[i - 1], "than" | "under");
                }
            }
            let w = w.trim_end_matches(['.', ';', ':']);
            let p = match w {
                "day" | "daily" => Some(1440.0),
                "week" | "weekly" => Some(10_080.0),
                "month" | "monthly" => Some(43_200.0),
                "quarter" | "quarterly" => Some(129_600.0),
                "year" | "yearly" | "annually" | "annual" => Some(525_600.0),
                _ => None,
            };
            // "a month", "per year", or "monthly" on its own.
            let counted = (i > 0
                && matches!(
                    words[i - 1],
                    "a" | "per" | "each" | "every" | "one" | "the" | "that" | "this"
                ))
                || matches!(
                    w,
                    "daily" | "weekly" | "monthly" | "quarterly" | "yearly" | "annually"
                );
            if p.is_some() && counted {
                period = p;
            }
        }
        if let (Some(p), Some(stated), Some(period)) = (percent, stated, period) {
            let allowed = (100.0 - p) / 100.0 * period;
            let wrong = if upper_bound {
                allowed > stated * 1.3
            } else {
                stated > allowed * 1.3 || stated < allowed / 1.3
            };
            if wrong {
                let human = if allowed >= 120.0 {
                    format!("about {:.1} hours", allowed / 60.0)
                } else {
                    format!("about {:.0} minutes", allowed)
                };
                let over = match period as u64 {
                    1440 => "a day",
                    10_080 => "a week",
                    43_200 => "a 30-day month",
                    129_600 => "a quarter",
                    _ => "a year",
                };
                out.push((s, format!("{p}% over {over} allows {human} of downtime.")));
            }
        }
    }
    out
}

/// A number from two to ninety-nine written in words ("nine", "forty-three"); "one" is left to
/// the callers, which read "an hour" and "one hour" alike.
fn spelled_number(w: &str) -> Option<f64> {
    const UNITS: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let unit = |w: &str| UNITS.iter().position(|u| !u.is_empty() && *u == w);
    let tens = |w: &str| TENS.iter().position(|t| !t.is_empty() && *t == w);
    let v = match w.split_once('-') {
        Some((t, u)) => tens(t)? * 10 + unit(u).filter(|&u| u < 10)?,
        None => unit(w).or_else(|| tens(w).map(|t| t * 10))?,
    };
    (v >= 2).then_some(v as f64)
}

/// Whether a term's first use at `r` is explained: a plain-words opening right after it
/// ("TTL, which is...", "resolver (the...") or an introduction right before it ("road signs
/// called BGP", "(BGP)").
fn explained_at(doc: &Document<'_>, r: &Range<usize>, f: &Found) -> bool {
    let s = doc.sentence_of(r.start);
    let lower = doc.lower();
    let after = f.after.iter().any(|a| {
        a.start >= r.end && doc.sentence_of(a.start) == s && doc.words_between(r.end..a.start) == 0
    });
    let before = f.before.iter().any(|b| {
        b.end <= r.start && doc.sentence_of(b.start) == s && doc.words_between(b.end..r.start) <= 2
    });
    // Set off in brackets or dashes after its plain-words version: "road signs (BGP)".
    let bracketed = lower[..r.start]
        .trim_end()
        .ends_with(['(', '\u{2014}', '\u{2013}'])
        && r.start > 0;
    // The next sentence explains it, when it ends this one: "... asks a resolver. That's a
    // service that...".
    let ends_sentence = doc.words_between(r.end..doc.sentences()[s].end) == 0;
    let next = ends_sentence
        && doc.sentences().get(s + 1).is_some_and(|u| {
            f.next
                .iter()
                .any(|x| x.start >= u.start && doc.words_between(u.start..x.start) == 0)
        });
    // Named in quotation marks: mentioned as a term, with its meaning given around it.
    let quoted = doc.is_quoted(r.start);
    after || before || bracketed || next || quoted
}

/// The technical terms used, each judged at its first use.
fn jargon_used(doc: &Document<'_>, topic: &Topic, f: &Found) -> Vec<JargonResult> {
    // The listener knows the words of their own question and what the topic says they use;
    // compared by stem, so "cached" is known where the prompt says "caching".
    let stems = |text: &str| -> Vec<String> {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .map(crate::learned::features::stem)
            .collect()
    };
    let prompt = stems(&topic.prompt);
    let knows: Vec<Vec<String>> = topic.knows.iter().map(|k| stems(k)).collect();
    let known = |term: &str| {
        let t = stems(term);
        !t.is_empty() && (knows.contains(&t) || prompt.windows(t.len()).any(|w| w == t.as_slice()))
    };
    // Candidates: the trade's vocabulary, the topic's own terms, acronyms by their shape.
    let mut found: Vec<(Range<usize>, Option<usize>)> = Vec::new();
    for (_, r) in &f.general {
        found.push((r.clone(), None));
    }
    for (i, r) in &f.term {
        found.push((r.clone(), Some(*i)));
    }
    let norm = doc.norm();
    for t in doc.tokens() {
        if t.kind != TokenKind::Word {
            continue;
        }
        let w = &norm[t.range()];
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        // All capitals (BGP, TTFB), or capitals after a small letter (eBPF, mTLS), or a short
        // mix (IdP, PoP); longer mixed words are names (YouTube) more often than jargon.
        let shaped = letters.len() >= 2
            && upper >= 2
            && (upper == letters.len() || letters[0].is_lowercase() || letters.len() <= 4);
        let plain = w.trim_end_matches("s").to_uppercase();
        if shaped
            && !jargon::EVERYDAY_ACRONYMS.contains(&w.to_uppercase().as_str())
            && !jargon::EVERYDAY_ACRONYMS.contains(&plain.as_str())
        {
            found.push((t.range(), None));
        }
    }
    // Longest first at each start; a match inside a kept one is the same term.
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut kept: Vec<(Range<usize>, Option<usize>)> = Vec::new();
    for (r, i) in found {
        if kept
            .iter()
            .any(|(k, _)| k.start <= r.start && r.end <= k.end)
        {
            continue;
        }
        kept.push((r, i));
    }
    let mut out: Vec<JargonResult> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (r, i) in kept {
        // "WAF's" and "WAFs" are the term "WAF".
        let term = norm[r.clone()].trim_end_matches("'s").to_string();
        let key = term.to_lowercase().trim_end_matches('s').to_string();
        if seen.contains(&key) || known(&term) || known(key.as_str()) {
            continue;
        }
        seen.push(key);
        let legacy = i.is_some_and(|i| {
            let uses: Vec<Range<usize>> = f
                .term
                .iter()
                .filter(|(j, _)| *j == i)
                .map(|(_, r)| r.clone())
                .collect();
            let explainers: Vec<Range<usize>> = f
                .explainer
                .iter()
                .filter(|(j, _)| *j == i)
                .map(|(_, r)| r.clone())
                .collect();
            is_explained(doc, &r, &explainers, &uses)
        });
        out.push(JargonResult {
            label: term.clone(),
            term,
            used: true,
            explained: legacy || explained_at(doc, &r, f),
            span: Some(span(doc, r)),
        });
    }
    out
}

/// A topic's own explaining phrase counts when it lies in the term's sentence or the next, or
/// within [`EXPLAIN_WINDOW_WORDS`] words of the term on either side. A phrase inside another use
/// of the term (the term explaining itself) does not count.
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
        45.0
    } else {
        45.0 * e.concepts_present() as f64 / e.concepts.len() as f64
    };
    let accuracy = if e.errors.is_empty() { 10.0 } else { 0.0 };
    let jargon = (15.0 - 5.0 * e.unexplained_jargon() as f64).max(0.0);
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
    let total = concepts + accuracy + jargon + analogy + time + sentences;
    // A wrong claim costs more than its share: an inaccurate explanation is not a good one.
    let total = if e.errors.is_empty() {
        total
    } else {
        total.min(49.0)
    };
    total.round().clamp(0.0, 100.0) as u8
}

fn advice(topic: &Topic, e: &Explanation) -> Vec<String> {
    let mut out = Vec::new();
    for x in &e.errors {
        out.push(format!("Not accurate: \"{}\" {}", x.sentence, x.why));
    }
    if !e.within_time {
        out.push(format!(
            "Over time: {} words is about {}s spoken; cut to {} words (two minutes).",
            e.words, e.speaking_seconds, e.max_words
        ));
    }
    for c in e.concepts.iter().filter(|c| !c.present) {
        out.push(format!("Missing idea: {}.", c.name));
    }
    for j in e.jargon.iter().filter(|j| !j.explained) {
        out.push(format!(
            "Unexplained jargon: \"{}\"; say it in plain words, or explain it where you first use it (\"..., which is ...\").",
            j.label
        ));
    }
    if !e.analogy {
        out.push(format!(
            "No analogy or everyday example: give the listener a picture. Hint: {}",
            topic.analogy_hint
        ));
    }
    for l in &e.long {
        let verdict = if l.words > VERY_LONG_SENTENCE_WORDS {
            "loses the listener"
        } else {
            "is hard to follow spoken"
        };
        out.push(format!(
            "Sentence of {} words {verdict}: \"{}\" (line {}); split it.",
            l.words, l.opening, l.span.line
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
            knows: vec![],
            misconceptions: vec![],
            strong_sample: String::new(),
            weak_sample: String::new(),
            subtle_sample: None,
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
        assert!(e.advice.iter().any(|a| a.contains("Unexplained jargon")));
        // One term left unexplained is pointed out but forgiven; two are not.
        assert!(e.passed, "{:?}", e.advice);
        let two = format!("{text} The CDN and its TTL are set by the SRE team.");
        let e = judge(&topic(), &two).unwrap();
        assert!(e.unexplained_jargon() >= 2, "{:?}", e.jargon);
        assert!(!e.passed);
    }

    #[test]
    fn a_term_explained_at_first_use_is_not_flagged_again() {
        for text in [
            "Think of a fridge: it keeps a copy, so it is faster. The TTL, which is how long a copy is kept, is set per page. Later the TTL runs out and the TTL starts again.",
            "Think of a fridge: it keeps a copy, so it is faster. Every copy has a time to live (TTL). When the TTL ends, the TTL resets.",
            "Think of a fridge: it keeps a copy, so it is faster. Each copy is kept for a set time, called the TTL. The TTL is the same everywhere.",
        ] {
            let e = judge(&topic(), text).unwrap();
            let ttl: Vec<_> = e.jargon.iter().filter(|j| j.label.eq_ignore_ascii_case("ttl")).collect();
            assert_eq!(ttl.len(), 1, "{text}: {:?}", e.jargon);
            assert!(ttl[0].explained, "{text}: {:?}", e.jargon);
            assert!(e.passed, "{text}: {:?}", e.advice);
        }
    }

    #[test]
    fn uptime_turned_into_the_wrong_downtime_is_an_error_and_the_right_one_is_not() {
        // A year at 99.9% is 8.8 hours, not under one; and each number goes with its own unit:
        // 26 is five nines' seconds a month, not three nines' minutes.
        for (wrong, truth) in [
            ("Think of a fridge: it keeps a copy, so it is faster. At 99.9% that is less than one hour of downtime a year.", "8.8 hours"),
            ("Think of a fridge: it keeps a copy, so it is faster. At 99.9% a month allows about 26 minutes of downtime.", "43 minutes"),
            // Numbers in words are numbers too.
            ("Think of a fridge: it keeps a copy, so it is faster. At 99.9% we can be down for around seven minutes in a month.", "43 minutes"),
        ] {
            let e = judge(&topic(), wrong).unwrap();
            assert!(
                e.errors.iter().any(|x| x.id == "availability-arithmetic"),
                "{wrong}: {:?}",
                e.errors
            );
            assert!(e.errors[0].why.contains(truth), "{}", e.errors[0].why);
            assert!(!e.passed);
        }
        for right in [
            "Think of a fridge: it keeps a copy, so it is faster. At 99.9% a month allows about 43 minutes of downtime.",
            "Think of a fridge: it keeps a copy, so it is faster. At 99.9% a month allows less than an hour of downtime.",
            "Think of a fridge: it keeps a copy, so it is faster. At 99.999% a month allows about 26 seconds of downtime.",
            "Think of a fridge: it keeps a copy, so it is faster. At 99.9% that is about 9 hours a year.",
            "Think of a fridge: it keeps a copy, so it is faster. At 99.9% a month allows about forty-three minutes of downtime.",
            // A share in words is no uptime figure.
            "Think of a fridge: it keeps a copy, so it is faster. Ninety percent of a month's outages last under five minutes.",
        ] {
            let e = judge(&topic(), right).unwrap();
            assert!(e.errors.is_empty(), "{right}: {:?}", e.errors);
        }
    }

    #[test]
    fn a_term_never_used_is_not_listed() {
        let e = judge(
            &topic(),
            "Imagine a fridge: it keeps a copy, so it is faster.",
        )
        .unwrap();
        assert!(e.jargon.is_empty(), "{:?}", e.jargon);
        assert!(e.passed, "{:?}", e.advice);
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
            .any(|a| a.contains("Missing idea: It is faster")));
        assert!(e.advice.iter().any(|a| a.starts_with("No analogy")));
        assert!(e.score < 80);
    }

    /// One of the built-in pack's topics.
    fn builtin_topic(id: &str) -> Topic {
        let pack = crate::builtin::pack().expect("the built-in pack loads");
        pack.topic(id).expect("the topic").clone()
    }

    #[test]
    fn an_explanation_stating_a_wrong_claim_earns_ideas_only_from_readings_surer_than_not() {
        let topic = &builtin_topic("anycast-routing");
        // A model that hears the failover idea in every sentence, however faintly: each
        // sentence's reading is above this class's threshold of zero.
        let mut model = crate::builtin::explain_model().expect("the built-in model loads");
        let class = model
            .class(&concept_class(&topic.id, "failover"))
            .expect("the model reads failover");
        model.meta.thresholds[class] = 0.0;
        let failover = |e: &Explanation| {
            e.concepts
                .iter()
                .find(|c| c.id == "failover")
                .is_some_and(|c| c.present)
        };
        let plain =
            "Anycast gives one address to many buildings. Your visitors reach a nearby one.";
        let e = judge_with_model(topic, Some(&model), plain).unwrap();
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert!(failover(&e), "a reading above the threshold earns the idea");
        // The same text with a wrong claim in it: the faint readings no longer count.
        let wrong =
            format!("{plain} It checks which data centre is least busy and sends you there.");
        let e = judge_with_model(topic, Some(&model), &wrong).unwrap();
        assert_eq!(
            e.errors.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
            ["least-busy"]
        );
        assert!(!failover(&e), "{:?}", e.concepts);
        // An idea the model is sure of (no phrase of the topic's says it) still counts beside
        // the wrong claim.
        let sure = format!(
            "{wrong} Should a city drop off the map, its visitors are carried to the next one automatically."
        );
        let e = judge_with_model(topic, Some(&model), &sure).unwrap();
        assert!(failover(&e), "{:?}", e.concepts);
    }

    #[test]
    fn an_idea_a_quoted_error_contradicts_is_heard_only_where_also_stated_rightly() {
        let topic = &builtin_topic("anycast-routing");
        let nearest = |e: &Explanation| {
            let c = e.concepts.iter().find(|c| c.id == "nearest").unwrap();
            (c.present, c.wrong)
        };
        // "Least busy" contradicts "nearest": said alone, the idea is marked wrong, and the
        // error's own sentence never earns it.
        let wrong = "Anycast gives one address to many buildings. It checks which data centre is least busy and sends you to that nearest one.";
        let e = judge(topic, wrong).unwrap();
        assert_eq!(
            e.errors.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
            ["least-busy"]
        );
        assert_eq!(nearest(&e), (false, true), "{:?}", e.concepts);
        // The idea stated rightly in another sentence, in the topic's own words, is heard; the
        // error is still quoted and still fails the explanation.
        let both = format!("{wrong} Most of the time your visitors reach the nearest city.");
        let e = judge(topic, &both).unwrap();
        assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
        assert!(!e.passed);
        assert_eq!(nearest(&e), (true, false), "{:?}", e.concepts);
        let c = e.concepts.iter().find(|c| c.id == "nearest").unwrap();
        let at = c.span.as_ref().expect("a heard idea has its span");
        assert!(
            both[at.start..at.end].contains("nearest city"),
            "{:?}",
            &both[at.start..at.end]
        );
    }

    #[test]
    fn a_negation_on_a_claims_words_yields_only_to_a_reader_sure_the_claim_is_stated() {
        let pack = crate::builtin::pack().expect("the built-in pack loads");
        let judge = crate::builtin::model().expect("the built-in judge model");
        // A reader sure of no claim that moves no reading (weight 0): only its certainty, or
        // the lack of it, can count.
        let mut unsure = crate::builtin::explain_model().expect("the built-in model loads");
        let meta = format!(
            r#"{{"class":"{CLAIMS_READER_CLASS}","from":0.0,"weight":0.0,"only_raises":true}}"#
        );
        let bytes = crate::learned::reader::test_file(judge.static_dim(), 8, 1, 0.0, -30.0, &meta);
        unsure
            .set_second_opinion(
                crate::learned::Reader::from_bytes(&bytes).unwrap(),
                crate::builtin::model().unwrap(),
            )
            .unwrap();
        let shipped = crate::builtin::explain_model().expect("the built-in model loads");
        // Wrong claims whose wording carries a negation, and their denials, in our own words.
        let cases = [
            (
                "waf",
                "absorbs-floods",
                "Since every request passes through it anyway, the WAF soaks up floods of any \
                 size, so you don't need a separate DDoS service.",
                "A WAF doesn't soak up floods of any size, so you still need a separate DDoS \
                 service.",
            ),
            (
                "rate-limiting",
                "stops-all-attacks",
                "Rate limiting stops DDoS attacks outright, so a customer who turns it on \
                 doesn't need any other attack protection.",
                "Rate limiting doesn't stop DDoS attacks outright, so a customer who turns it on \
                 still needs other attack protection.",
            ),
            (
                "cdn-caching",
                "updates-instantly",
                "The CDN keeps itself in sync with our site, so when you fix a typo every copy \
                 updates at once and no visitor ever sees an old page.",
                "The CDN doesn't update every copy the moment you fix a typo, so some visitors \
                 can see an old page until the copy expires.",
            ),
        ];
        let mut unsure_caught = 0;
        for (t, id, states, denies) in cases {
            let topic = pack.topic(t).expect("the topic");
            let caught = |m: &Model, text: &str| {
                judge_with_model(topic, Some(m), text)
                    .unwrap()
                    .errors
                    .iter()
                    .any(|e| e.id == id)
            };
            assert!(caught(&shipped, states), "{id} not heard in {states:?}");
            assert!(
                !caught(&shipped, denies),
                "{id} heard in its denial {denies:?}"
            );
            assert!(
                !caught(&unsure, denies),
                "{id} heard in its denial {denies:?}"
            );
            unsure_caught += usize::from(caught(&unsure, states));
        }
        // Without the reader's certainty the negation rule denies one of them at least (a
        // phrase or the rule for claims the pack words negatively may still hear the others).
        assert!(unsure_caught < cases.len(), "{unsure_caught}");
    }

    #[test]
    fn a_claims_reader_speaks_to_misconceptions_only() {
        let pack = crate::builtin::pack().expect("the built-in pack loads");
        let topic = pack.topic("anycast-routing").expect("the topic");
        let judge = crate::builtin::model().expect("the built-in judge model");
        let with = |bias: f32, only_lowers: bool| {
            let mut m = crate::builtin::explain_model().expect("the built-in model loads");
            let meta = format!(
                r#"{{"class":"{CLAIMS_READER_CLASS}","from":0.0,"weight":1.0,"only_lowers":{only_lowers}}}"#
            );
            let bytes =
                crate::learned::reader::test_file(judge.static_dim(), 8, 1, 0.0, bias, &meta);
            let r = crate::learned::Reader::from_bytes(&bytes).unwrap();
            m.set_second_opinion(r, crate::builtin::model().unwrap())
                .unwrap();
            m
        };
        let mut alone = crate::builtin::explain_model().unwrap();
        // The reader the built-in pack may ship is taken away: a reader that never speaks.
        let silent = format!(
            r#"{{"class":"{CLAIMS_READER_CLASS}","from":2.0,"weight":1.0,"only_lowers":true}}"#
        );
        let bytes = crate::learned::reader::test_file(judge.static_dim(), 8, 1, 0.0, 0.0, &silent);
        alone
            .set_second_opinion(
                crate::learned::Reader::from_bytes(&bytes).unwrap(),
                crate::builtin::model().unwrap(),
            )
            .unwrap();
        // A reader sure no sentence states a wrong claim, taken whole: what the model alone
        // heard is heard no more; what a phrase says still is; nothing new is heard.
        let veto = with(-30.0, true);
        let (mut heard, mut vetoed) = (0, 0);
        for m in &topic.misconceptions {
            for text in &m.states {
                let caught = |model: &Model| {
                    judge_with_model(topic, Some(model), text)
                        .unwrap()
                        .errors
                        .iter()
                        .any(|e| e.id == m.id)
                };
                let (a, v) = (caught(&alone), caught(&veto));
                assert!(a || !v, "the veto added {:?} in {text:?}", m.id);
                heard += usize::from(a);
                vetoed += usize::from(a && !v);
            }
        }
        assert!(heard > 0 && vetoed > 0, "{heard} heard, {vetoed} vetoed");
        // Ideas are the model's own: the strong sample's ideas are the same either way.
        let ideas = |model: &Model| {
            let e = judge_with_model(topic, Some(model), &topic.strong_sample).unwrap();
            assert!(e.errors.is_empty(), "{:?}", e.errors);
            e.concepts.iter().map(|c| c.present).collect::<Vec<_>>()
        };
        assert_eq!(ideas(&alone), ideas(&veto));
        // A reader sure every sentence states one, taken whole, makes the model hear claims
        // where alone it heard none: its opinion is read.
        let sure = with(30.0, false);
        let e = judge_with_model(topic, Some(&sure), &topic.strong_sample).unwrap();
        assert!(!e.errors.is_empty(), "{:?}", e.concepts);
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

//! The signal engine: a pack compiled once (all phrases in one phrase set, all regexes in one set)
//! and shared immutably; [`Analyzer::check`] turns an answer into a [`Judgment`].

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::Input;

use crate::context::{self, Cue, Cues};
use crate::judgment::{Finding, Judgment, PackRef};
use crate::learned::{Layer, Model, ModelError, Reading};
use crate::metrics::{self, Metrics};
use crate::pack::{AnswerAt, MetricKind, Pack, PackError, PackErrors, Scope, Severity};
use crate::phrases::PhraseSet;
use crate::score;
use crate::text::{Document, Unit};

/// The part a phrase plays in its signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Role {
    #[default]
    Phrase,
    Then,
    Unless,
    Absent,
    Near,
    With,
}

/// The roles in the order of [`Signal::phrase_lists`].
const ROLES: [Role; 6] = [
    Role::Phrase,
    Role::Then,
    Role::Unless,
    Role::Absent,
    Role::Near,
    Role::With,
];

/// What a phrase of the analyzer's one phrase set belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// A part of a signal.
    Signal(u32, Role),
    /// A context cue (negation, reported speech, counterfactual).
    Cue(Cue),
}

/// Why an answer could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The answer is empty or only white space.
    Empty,
    /// `--question` named a question the pack does not have.
    UnknownQuestion(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Empty => f.write_str("the answer is empty: write the story, then check it"),
            CheckError::UnknownQuestion(id) => write!(
                f,
                "unknown question {id:?}: `debrief questions` lists the ids"
            ),
        }
    }
}

impl std::error::Error for CheckError {}

/// A pack compiled for judging.
#[derive(Debug)]
pub struct Analyzer {
    pack: Pack,
    /// Every signal's templates and the context cues, in one phrase set.
    phrases: PhraseSet<Key>,
    /// All signal patterns in one regex.
    patterns: Option<Patterns>,
    weights: HashMap<String, u8>,
    /// Each signal's words for its findings, shared by every finding.
    texts: Vec<SignalText>,
    /// The signals that judge the whole answer (those with an `answer` check), in pack order.
    answer_signals: Vec<u32>,
    /// The pack's id and version, and its competencies' ids and probes, shared by every judgment.
    pack_ref: PackRef,
    shared: score::Shared,
    /// The learned layer, where the pack has a model.
    learned: Option<Layer>,
}

/// The signals' patterns, compiled into one regex.
#[derive(Debug)]
struct Patterns {
    regex: Regex,
    /// The signal of each pattern.
    owners: Vec<u32>,
    /// Whether every match of every pattern holds an ASCII digit (true of the default pack's):
    /// then sentences without one are not searched.
    need_digit: bool,
}

/// The strings of a signal that every finding of it carries.
#[derive(Debug)]
struct SignalText {
    rule: Arc<str>,
    competency: Arc<str>,
    message: Arc<str>,
    suggestion: Option<Arc<str>>,
}

/// Compiles patterns into one regex, each match tagged with its pattern's index. Matching is
/// case-insensitive with ASCII classes (`\b`, `\d`, `\w` are ASCII: answers are matched on
/// normalised text, and Unicode classes cost milliseconds to compile at every start), and without
/// a literal prefilter, whose construction costs more than it saves on an answer's few kilobytes.
/// Only where matches are is asked for, never groups, so the one-pass DFA and the backtracker
/// (engines for groups) are not built: a third off compiling the default pack's patterns, with
/// the lazy DFA and its fallback still there.
pub fn patterns<P: AsRef<str>>(sources: &[P]) -> Result<Regex, Box<meta::BuildError>> {
    Regex::builder()
        .configure(
            Regex::config()
                .auto_prefilter(false)
                .which_captures(WhichCaptures::Implicit)
                .onepass(false)
                .backtrack(false),
        )
        .syntax(syntax::Config::new().case_insensitive(true).unicode(false))
        .build_many(sources)
        .map_err(Box::new)
}

/// Whether every match of `pattern` (compiled as [`patterns`] does) holds an ASCII digit; false
/// where that cannot be shown, or the pattern does not parse.
fn needs_digit(pattern: &str) -> bool {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn needs(hir: &Hir) -> bool {
        match hir.kind() {
            HirKind::Literal(l) => l.0.iter().any(u8::is_ascii_digit),
            HirKind::Class(Class::Bytes(c)) => c
                .ranges()
                .iter()
                .all(|r| r.start().is_ascii_digit() && r.end().is_ascii_digit()),
            HirKind::Class(Class::Unicode(c)) => c
                .ranges()
                .iter()
                .all(|r| r.start().is_ascii_digit() && r.end().is_ascii_digit()),
            HirKind::Repetition(r) => r.min >= 1 && needs(&r.sub),
            HirKind::Capture(c) => needs(&c.sub),
            HirKind::Concat(parts) => parts.iter().any(needs),
            HirKind::Alternation(alts) => alts.iter().all(needs),
            HirKind::Empty | HirKind::Look(_) => false,
        }
    }
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .build()
        .parse(pattern)
        .is_ok_and(|hir| needs(&hir))
}

thread_local! {
    /// The hit and cue vectors of the last answer judged on this thread, kept for the next (see
    /// `text::Spare` for why).
    static SPARE_HITS: std::cell::Cell<Option<SpareHits>> = const { std::cell::Cell::new(None) };
}

type SpareHits = (Vec<Hit>, Vec<Hit>, Vec<(Cue, Range<usize>)>);

/// An answer's hits and cues.
struct Hits {
    /// The hits in the order found (kept only to reuse the vector).
    found: Vec<Hit>,
    /// The hits by signal, start, and longest first.
    hits: Vec<Hit>,
    /// Signal `i`'s hits are `hits[bounds[i]..bounds[i + 1]]`.
    bounds: Vec<u32>,
    cues: Cues,
}

/// A match of one signal's part, in the normalised text.
#[derive(Debug, Clone, Default)]
struct Hit {
    signal: u32,
    role: Role,
    range: Range<usize>,
}

impl Analyzer {
    /// Compiles a loaded pack. The default pack (by its id) gets the model built with the
    /// program; another pack gets none (see [`Analyzer::with_model`]).
    pub fn new(pack: Pack) -> Result<Analyzer, PackErrors> {
        let builtin = pack.meta.id == crate::builtin::ID;
        let model = if builtin {
            crate::builtin::model()
        } else {
            None
        };
        let mut a = Analyzer::with_model(pack, model)?;
        if let (true, Some(second)) = (builtin, crate::builtin::reader()) {
            a.set_reader(second).map_err(|e| {
                PackErrors(vec![PackError {
                    file: "model/reader.bin".into(),
                    line: None,
                    message: e.0,
                }])
            })?;
        }
        Ok(a)
    }

    /// Adds the contextual reader (see [`crate::learned::reader`]) to the learned layer; an
    /// analyzer without a model cannot take one.
    pub fn set_reader(&mut self, second: crate::learned::Reader) -> Result<(), ModelError> {
        match &mut self.learned {
            Some(layer) => layer.set_reader(second),
            None => Err(ModelError(
                "a contextual reader needs the judge model beside it".into(),
            )),
        }
    }

    /// Compiles a loaded pack with its learned model, if it has one.
    pub fn with_model(pack: Pack, model: Option<Model>) -> Result<Analyzer, PackErrors> {
        // The default pack's phrases were compiled when the program was built; any other pack's
        // are compiled now.
        let mut a = Analyzer::with_phrases(pack, crate::builtin::phrase_tables())?;
        if let Some(model) = model {
            a.learned = Some(Layer::new(model, &a.pack).map_err(PackErrors)?);
        }
        Ok(a)
    }

    /// The different red flags of judgment among `findings`: concerns of signals that are not
    /// about the answer's form (its length, fillers and hedges).
    fn red_flags(&self, findings: &[Finding]) -> usize {
        let mut red: Vec<&str> = findings
            .iter()
            .filter(|f| f.severity == Severity::Concern)
            .filter(|f| {
                self.pack
                    .signals
                    .iter()
                    .find(|s| *s.id == *f.rule)
                    .is_some_and(|s| s.answer.is_none() && s.metric.is_none())
            })
            .map(|f| &*f.rule)
            .collect();
        red.sort_unstable();
        red.dedup();
        red.len()
    }

    /// The learned layer, if the analyzer has one.
    pub fn learned(&self) -> Option<&Layer> {
        self.learned.as_ref()
    }

    /// Compiles a pack, taking `stored` phrase tables where they are the pack's.
    fn with_phrases(pack: Pack, stored: Option<&'static [u8]>) -> Result<Analyzer, PackErrors> {
        let mut builder = PhraseSet::builder();
        let mut regex_sources = Vec::new();
        let mut regex_owners = Vec::new();
        for (i, s) in pack.signals.iter().enumerate() {
            let i = i as u32;
            for (role, list) in ROLES.into_iter().zip(s.phrase_lists()) {
                builder.add(Key::Signal(i, role), list);
            }
            for p in &s.patterns {
                regex_sources.push(p.clone());
                regex_owners.push(i);
            }
        }
        context::add_cues(&mut builder, Key::Cue);
        let phrases = builder.build_or_load(stored).map_err(|errors| {
            PackErrors(
                errors
                    .into_iter()
                    .map(|(key, e)| {
                        let Key::Signal(i, _) = key else {
                            unreachable!("the built-in cue templates are valid: {e}")
                        };
                        let s = &pack.signals[i as usize];
                        PackError {
                            file: s.origin.file.clone(),
                            line: Some(s.origin.line),
                            message: format!("signal {:?}: {e}", s.id),
                        }
                    })
                    .collect(),
            )
        })?;
        let patterns = if regex_sources.is_empty() {
            None
        } else {
            match patterns(&regex_sources) {
                Ok(regex) => Some(Patterns {
                    need_digit: regex_sources.iter().all(|p| needs_digit(p)),
                    regex,
                    owners: regex_owners,
                }),
                Err(_) => {
                    // Compile them one by one only now, to name each bad pattern's signal.
                    let errors = regex_sources
                        .iter()
                        .zip(&regex_owners)
                        .filter_map(|(p, &i)| {
                            let s = &pack.signals[i as usize];
                            patterns(&[p]).err().map(|e| PackError {
                                file: s.origin.file.clone(),
                                line: Some(s.origin.line),
                                message: format!("signal {:?}: bad pattern {p:?}: {e}", s.id),
                            })
                        })
                        .collect();
                    return Err(PackErrors(errors));
                }
            }
        };
        let weights = pack
            .signals
            .iter()
            .map(|s| (s.id.clone(), s.weight))
            .collect();
        let texts = pack
            .signals
            .iter()
            .map(|s| SignalText {
                rule: s.id.as_str().into(),
                competency: s.competency.as_str().into(),
                message: s.message.as_str().into(),
                suggestion: s.suggestion.as_deref().map(Arc::from),
            })
            .collect();
        Ok(Analyzer {
            pack_ref: PackRef {
                id: pack.meta.id.as_str().into(),
                version: pack.meta.version.as_str().into(),
            },
            shared: score::Shared::new(&pack),
            answer_signals: (0..pack.signals.len() as u32)
                .filter(|&i| pack.signals[i as usize].answer.is_some())
                .collect(),
            phrases,
            patterns,
            weights,
            texts,
            pack,
            learned: None,
        })
    }

    /// The pack it judges with.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// The lowest overall score rated `hire`: the learned model's cut point where it has one,
    /// else the phrase scoring's (55). Charts draw it as the hire bar.
    pub fn hire_score(&self) -> u8 {
        self.learned
            .as_ref()
            .and_then(|l| l.ranker())
            .map_or(score::HIRE_SCORE, |(_, cuts)| {
                cuts[1].round().clamp(0.0, 100.0) as u8
            })
    }

    /// How many distinct phrase templates the pack has.
    pub fn template_count(&self) -> usize {
        self.phrases.len()
    }

    /// Whether the phrases came compiled with the program (the default pack) rather than being
    /// compiled when the analyzer was made.
    pub fn phrases_precompiled(&self) -> bool {
        self.phrases.is_stored()
    }

    /// How many phrasings the pack's templates stand for.
    pub fn phrasing_count(&self) -> usize {
        self.phrases.phrasings()
    }

    /// Judges an answer, against a question's targets when one is given.
    pub fn check(&self, text: &str, question: Option<&str>) -> Result<Judgment, CheckError> {
        self.judge(text, question, true)
    }

    /// Judges the answer to a follow-up probe: a short, pointed reply, so the whole-answer checks
    /// (length, a result, the arc of a story) do not apply; every phrase signal does.
    pub fn check_follow_up(
        &self,
        text: &str,
        question: Option<&str>,
    ) -> Result<Judgment, CheckError> {
        self.judge(text, question, false)
    }

    fn judge(
        &self,
        text: &str,
        question: Option<&str>,
        whole_answer: bool,
    ) -> Result<Judgment, CheckError> {
        self.evaluate(text, question, whole_answer).map(|(j, _)| j)
    }

    /// What the answer ranker reads of an answer (`None` without a learned layer): for the
    /// trainer, which fits the ranker on these.
    pub fn ranker_input(
        &self,
        text: &str,
        whole_answer: bool,
    ) -> Result<Option<Vec<f32>>, CheckError> {
        self.evaluate(text, None, whole_answer).map(|(_, x)| x)
    }

    /// The judgment and the answer ranker's input.
    fn evaluate(
        &self,
        text: &str,
        question: Option<&str>,
        whole_answer: bool,
    ) -> Result<(Judgment, Option<Vec<f32>>), CheckError> {
        let question = match question {
            Some(id) => Some(
                self.pack
                    .question(id)
                    .ok_or_else(|| CheckError::UnknownQuestion(id.to_string()))?,
            ),
            None => None,
        };
        if text.trim().is_empty() {
            return Err(CheckError::Empty);
        }
        let doc = Document::new(text);
        let (mut metrics, quantities) = metrics::measure(&doc);
        let Hits {
            found,
            hits,
            bounds,
            cues,
        } = self.hits(&doc);

        // Room for the findings of most answers, so the vector seldom grows.
        let mut findings = Vec::with_capacity(32);
        // The signal and the normalised start of each phrase finding, in step with `findings`.
        let mut located: Vec<(u32, usize)> = Vec::with_capacity(32);
        let of_signal = |i: usize| &hits[bounds[i] as usize..bounds[i + 1] as usize];
        for (i, s) in self.pack.signals.iter().enumerate() {
            // A signal matched against the answer's units finds nothing without a hit; most have
            // none, and asking first spares reading each signal's settings (a cache miss each).
            if bounds[i] == bounds[i + 1] || s.answer.is_some() {
                continue;
            }
            let before = findings.len();
            self.match_signal(
                &doc,
                &cues,
                &quantities,
                i,
                of_signal(i),
                &mut findings,
                &mut located,
            );
            let fired = findings.len() - before;
            match s.metric {
                Some(MetricKind::Fillers) => metrics.fillers += fired,
                Some(MetricKind::Hedges) => metrics.hedges += fired,
                _ => {}
            }
        }
        let reading = self.learned.as_ref().map(|layer| {
            let reading = layer.read(&doc, &cues);
            self.learned_findings(
                &doc,
                &cues,
                layer,
                &reading,
                &of_signal,
                &mut findings,
                &mut located,
            );
            reading
        });
        if whole_answer {
            for &i in &self.answer_signals {
                let i = i as usize;
                self.answer_signal(&doc, &quantities, &metrics, i, of_signal(i), &mut findings);
            }
        }
        // Kept for the next answer on this thread unless a long one grew them.
        if crate::text::reusable(&found) && crate::text::reusable(&hits) {
            let _ = SPARE_HITS.try_with(|s| s.set(Some((found, hits, cues.into_hits()))));
        }
        findings.sort_by(|a, b| {
            (a.start, std::cmp::Reverse(a.severity), &a.rule).cmp(&(
                b.start,
                std::cmp::Reverse(b.severity),
                &b.rule,
            ))
        });

        let competencies =
            score::competency_scores(&self.pack, &self.shared, &self.weights, &findings, question);
        let disqualified = findings
            .iter()
            .any(|f| f.severity == Severity::Disqualifier);
        let too_short = whole_answer && metrics.words < score::MIN_STORY_WORDS;
        let answer_features = match (&self.learned, &reading) {
            (Some(layer), Some(reading)) => {
                let mut per_class = vec![0u32; reading.k];
                for &(i, _) in &located {
                    if let Some(c) = layer.class_of[i as usize] {
                        per_class[c] += 1;
                    }
                }
                Some(crate::learned::answer::features(
                    reading.k,
                    &reading.probs,
                    &per_class,
                    &metrics,
                    whole_answer,
                ))
            }
            _ => None,
        };
        let ranked = match (&self.learned, &answer_features) {
            (Some(layer), Some(x)) => layer.ranker().map(|(weights, cuts)| {
                let s = crate::learned::answer::score(crate::learned::answer::raw(weights, x));
                let s = if disqualified { s.min(10) } else { s };
                (
                    s,
                    score::verdict_at(
                        s,
                        cuts,
                        &competencies,
                        self.red_flags(&findings),
                        disqualified,
                        too_short,
                    ),
                )
            }),
            _ => None,
        };
        let (score, verdict) = ranked.unwrap_or_else(|| {
            let score = score::overall(
                &competencies,
                self.pack.meta.expected_competencies,
                disqualified,
            );
            (
                score,
                score::verdict(score, &competencies, disqualified, too_short),
            )
        });
        let probes = score::probes(&self.shared, &competencies, question);
        Ok((
            Judgment {
                pack: self.pack_ref.clone(),
                question: question.map(|q| q.id.clone()),
                verdict,
                score,
                disqualified,
                competencies,
                findings,
                probes,
                metrics,
            },
            answer_features,
        ))
    }

    /// Judges a Markdown answer or story: front matter is skipped, and spans, lines and columns
    /// still point into the whole text.
    pub fn check_markdown(
        &self,
        text: &str,
        question: Option<&str>,
    ) -> Result<Judgment, CheckError> {
        let body = crate::markdown::body_start(text);
        if body == 0 {
            return self.check(text, question);
        }
        let mut j = self.check(&text[body..], question)?;
        let lines_before = text[..body].bytes().filter(|&b| b == b'\n').count();
        for f in &mut j.findings {
            f.start += body;
            f.end += body;
            f.line += lines_before;
        }
        Ok(j)
    }

    /// Every phrase and pattern hit, each tagged with its signal and role, and the context cues;
    /// phrases and cues come from one pass over the answer's units.
    fn hits(&self, doc: &Document<'_>) -> Hits {
        // The vectors of the answer judged before on this thread, with room for the hits of a
        // typical answer, so that they seldom grow.
        let (mut found, mut hits, mut cues) = SPARE_HITS
            .try_with(|s| s.take())
            .unwrap_or_default()
            .unwrap_or_default();
        found.clear();
        found.reserve(doc.tokens().len() / 4);
        cues.clear();
        cues.reserve(doc.tokens().len() / 8);
        self.phrases.find(doc, |key, range| match key {
            Key::Signal(signal, role) => found.push(Hit {
                signal,
                role,
                range,
            }),
            Key::Cue(cue) => cues.push((cue, range)),
        });
        if let Some(p) = &self.patterns {
            // A finding lies inside one sentence, so each sentence is searched on its own (a
            // match running across two could only hide one inside the second).
            let norm = doc.norm();
            for s in doc.sentences() {
                let sentence = &norm.as_bytes()[s.start..s.end];
                if p.need_digit && !sentence.iter().any(u8::is_ascii_digit) {
                    continue;
                }
                for m in p.regex.find_iter(Input::new(norm).span(s.start..s.end)) {
                    if m.start() < m.end() {
                        found.push(Hit {
                            signal: p.owners[m.pattern().as_usize()],
                            role: Role::Phrase,
                            range: m.range(),
                        });
                    }
                }
            }
        }
        // Sorted by signal, then start, then longest first. Phrases come in order of start,
        // longest first, and a signal's pattern matches in order of start after them: grouping
        // by signal by counting (a stable sort) leaves only the few signals with both kinds to
        // sort. Hits with equal keys differ at most in role, which each use of them filters on.
        let mut bounds = vec![0u32; self.pack.signals.len() + 1];
        for h in &found {
            bounds[h.signal as usize + 1] += 1;
        }
        for i in 1..bounds.len() {
            bounds[i] += bounds[i - 1];
        }
        let mut next = bounds.clone();
        hits.clear();
        hits.resize(found.len(), Hit::default());
        for h in &found {
            let at = &mut next[h.signal as usize];
            hits[*at as usize] = h.clone();
            *at += 1;
        }
        let key = |h: &Hit| (h.range.start as u64) << 32 | u64::from(u32::MAX - h.range.end as u32);
        for w in bounds.windows(2) {
            let slice = &mut hits[w[0] as usize..w[1] as usize];
            if !slice.is_sorted_by_key(key) {
                slice.sort_unstable_by_key(key);
            }
        }
        Hits {
            found,
            hits,
            bounds,
            cues: Cues::from_hits(cues),
        }
    }

    fn unit(&self, doc: &Document<'_>, scope: Scope, offset: usize) -> Unit {
        match scope {
            Scope::Sentence => doc.sentences()[doc.sentence_of(offset)],
            _ => doc.clauses()[doc.clause_of(offset)],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn match_signal(
        &self,
        doc: &Document<'_>,
        cues: &Cues,
        quantities: &[Range<usize>],
        i: usize,
        hits: &[Hit],
        findings: &mut Vec<Finding>,
        located: &mut Vec<(u32, usize)>,
    ) {
        let s = &self.pack.signals[i];
        let mut last_end = 0usize;
        for p in hits.iter().filter(|h| h.role == Role::Phrase) {
            let unit = self.unit(doc, s.scope, p.range.start);
            if p.range.end > unit.end {
                continue;
            }
            let span = if s.then.is_empty() {
                p.range.clone()
            } else {
                let follower = hits.iter().find(|t| {
                    t.role == Role::Then
                        && t.range.start >= p.range.end
                        && t.range.end <= unit.end
                        && doc.words_between(p.range.end..t.range.start) <= s.gap
                });
                match follower {
                    Some(t) => p.range.start..t.range.end,
                    None => continue,
                }
            };
            if span.start < last_end {
                continue; // one finding per stretch of text for a signal
            }
            let inside = |r: &Range<usize>| r.start >= unit.start && r.end <= unit.end;
            // A shortcut that is no security control ("the accessibility pass") silences the
            // finding where it is the thing skipped, not beside a security review skipped too.
            if hits.iter().any(|u| {
                u.role == Role::Unless
                    && inside(&u.range)
                    && (!names_a_check(doc, &u.range)
                        || (u.range.start < span.end && span.start < u.range.end))
            }) {
                continue;
            }
            if s.unless_quantity && quantities.iter().any(inside) {
                continue;
            }
            let rules = s.context;
            if rules.question && doc.is_question(doc.sentence_of(span.start)) {
                continue;
            }
            if rules.negation && cues.negated(doc, span.clone()) {
                continue;
            }
            // Someone else's request is the candidate's act too where they went along with it
            // ("Our VP wanted us to skip the pen test, which I agreed to").
            let along = went_along(doc, cues, &span);
            if rules.reported && cues.reported(doc, span.clone()) && !along {
                continue;
            }
            if rules.counterfactual && cues.counterfactual(doc, span.clone()) {
                continue;
            }
            if s.severity == Severity::Disqualifier
                && (plan_stopped(doc, cues, doc.sentence_of(span.start), span.clone())
                    || conditional(doc, cues, &span)
                    || (!along && someone_elses_act(doc, cues, span.clone())))
            {
                continue;
            }
            last_end = span.end;
            located.push((i as u32, span.start));
            findings.push(self.finding(doc, i, span));
        }
    }

    /// What the learned layer adds to the phrase findings, sentence by sentence: a phrase finding
    /// of a class whose model reading is below the class's veto is dropped; a class the model
    /// hears (at its threshold, or from its spelled-out bar where the sentence tells the act
    /// plainly: see [`Cues::own_undone`]) where no phrase of the class fired becomes a finding of the
    /// class's first signal, on the clause that carries it, unless that signal's context rules
    /// say it is someone else's words, a counterfactual or a question.
    #[allow(clippy::too_many_arguments)]
    fn learned_findings<'h>(
        &self,
        doc: &Document<'_>,
        cues: &Cues,
        layer: &Layer,
        reading: &Reading,
        of_signal: &dyn Fn(usize) -> &'h [Hit],
        findings: &mut Vec<Finding>,
        located: &mut Vec<(u32, usize)>,
    ) {
        // Vetoes first, so a dropped phrase finding does not hide a learned one.
        let mut keep = vec![true; findings.len()];
        for (n, &(i, at)) in located.iter().enumerate() {
            if let Some(c) = layer.class_of[i as usize] {
                let s = doc.sentence_of(at);
                if reading.sentence(s)[c] < layer.vetoes[c] {
                    keep[n] = false;
                }
            }
        }
        if keep.iter().any(|k| !k) {
            let mut n = 0;
            findings.retain(|_| {
                n += 1;
                keep[n - 1]
            });
            let mut n = 0;
            located.retain(|_| {
                n += 1;
                keep[n - 1]
            });
        }
        let phrase_found = |c: usize, s: usize| {
            located
                .iter()
                .any(|&(i, at)| layer.class_of[i as usize] == Some(c) && doc.sentence_of(at) == s)
        };
        let mut added = Vec::new();
        // Sentences where a disqualifier heard is also spelled out by the context rules.
        let mut spelled_acts: Vec<usize> = Vec::new();
        let mut clause_readings = vec![None; doc.sentences().len()];
        for s in 0..doc.sentences().len() {
            let probs = reading.sentence(s);
            for (c, &p) in probs.iter().enumerate() {
                // Below the threshold, a reading counts down to the class's spelled-out bar
                // where the sentence tells the act itself (checked below, with its anatomy).
                let spelled_only = p < layer.thresholds[c];
                if spelled_only && (layer.spelled[c] <= 0.0 || p < layer.spelled[c]) {
                    continue;
                }
                let Some((i, signal)) = layer.primary(&self.pack, c) else {
                    continue;
                };
                let rules = signal.learned_context;
                if rules.question && doc.is_question(s) {
                    continue;
                }
                if phrase_found(c, s) {
                    continue;
                }
                // The class's anatomy, where the pack spells it out: what it is about, in the
                // sentence or the one before, and what happened to it, in the sentence.
                let in_sentence = |role: Role, from: usize| {
                    of_signal(i).iter().any(|h| {
                        h.role == role && (from..=s).contains(&doc.sentence_of(h.range.start))
                    })
                };
                if (!signal.learned_near.is_empty()
                    && !in_sentence(Role::Near, s.saturating_sub(2)))
                    || (!signal.learned_with.is_empty() && !in_sentence(Role::With, s))
                {
                    continue;
                }
                // What silences the signal's phrases in a sentence silences what the model
                // hears there too ("the devs were late because I kept changing the spec").
                // A shortcut that is no security control ("the copy review") silences it
                // unless the sentence also tells a security control named beside it left
                // undone ("we skipped the security review and the accessibility pass").
                let unless: Vec<&Range<usize>> = of_signal(i)
                    .iter()
                    .filter(|u| u.role == Role::Unless && doc.sentence_of(u.range.start) == s)
                    .map(|u| &u.range)
                    .collect();
                let silenced = !unless.is_empty()
                    && (unless.iter().any(|u| !names_a_check(doc, u)) || {
                        let security: Vec<Range<usize>> = of_signal(i)
                            .iter()
                            .filter(|h| {
                                h.role == Role::Near
                                    && doc.sentence_of(h.range.start) == s
                                    && !cues.has(Cue::Undone, h.range.clone())
                                    && unless
                                        .iter()
                                        .all(|u| h.range.end <= u.start || h.range.start >= u.end)
                            })
                            .map(|h| h.range.clone())
                            .collect();
                        let sentence = doc.sentences()[s];
                        !cues.own_undone(doc, sentence.start..sentence.end, &security)
                    });
                if silenced {
                    continue;
                }
                // A reading under the threshold is an act only as the sentence spells it out:
                // the thing named in it and the candidate's own clause leaving it undone ("I
                // switched the lockout off", "we signed before the review was closed"), or a
                // launch told first and a check finished after it, which also outweighs the
                // check told completed (below). Read once: it also settles the act against a
                // refusal heard in the same sentence (below, where findings of the two colours
                // meet).
                let after_launch =
                    signal.severity == Severity::Disqualifier && check_done_after_launch(doc, s);
                let spelled_out = (spelled_only || signal.severity == Severity::Disqualifier) && {
                    let sentence = doc.sentences()[s];
                    let named: Vec<Range<usize>> = of_signal(i)
                        .iter()
                        .filter(|h| h.role == Role::Near && doc.sentence_of(h.range.start) == s)
                        .map(|h| h.range.clone())
                        .collect();
                    after_launch || cues.own_undone(doc, sentence.start..sentence.end, &named)
                };
                if spelled_only && !spelled_out {
                    continue;
                }
                let span = self.learned_span(
                    doc,
                    cues,
                    layer,
                    (s, c, p),
                    signal.severity == Severity::Disqualifier,
                    &mut clause_readings,
                );
                // A learned finding covers a clause: a negation, someone else's request or a
                // hypothetical governs it from its opening words ("If we had skipped...", "Our
                // VP asked me to..."), not from a consequence further on ("a flaw that would
                // have exposed user data"). Agreement may come at the end ("..., which I
                // agreed to").
                let flags = cues.flags_starting(doc, head(doc, span.clone(), LEARNED_CUE_REACH));
                let sentence = doc.sentences()[s];
                // Going along with a request, or letting someone else do it ("I let the
                // vendor's team skip our questionnaire"), makes it the candidate's act.
                let agreed = went_along(doc, cues, &span);
                let flags = context::Flags { agreed, ..flags };
                // The disqualifier's model reads negation itself ("we went live without the
                // pen test" is the act), but a negation opening the clause on the going-ahead
                // ("we have never gone live with an open finding", "at no point did I consider
                // shipping") denies it.
                if signal.severity == Severity::Disqualifier
                    && negated_going_ahead(doc, cues, head(doc, span.clone(), LEARNED_CUE_REACH))
                {
                    continue;
                }
                // A check told as completed, with nothing left undone in the sentence ("the
                // security review finished on Tuesday and we launched on Thursday"), is a
                // control kept.
                if signal.severity == Severity::Disqualifier {
                    let whole = cues.flags(doc, sentence.start..sentence.end);
                    if whole.done && !whole.undone && !after_launch {
                        continue;
                    }
                    // A launch that names no check of its own, told just after the check was
                    // told completed ("The auditor retested. Launch went ahead on the first day
                    // of term."), is the launch after the check.
                    let named_here = of_signal(i)
                        .iter()
                        .any(|h| h.role == Role::Near && doc.sentence_of(h.range.start) == s);
                    if !named_here
                        && !whole.undone
                        && (s.saturating_sub(2)..s).any(|t| {
                            let u = doc.sentences()[t];
                            let f = cues.flags(doc, u.start..u.end);
                            f.done && !f.undone
                        })
                    {
                        continue;
                    }
                }
                if signal.severity == Severity::Disqualifier
                    && !agreed
                    && someone_elses_act(doc, cues, span.clone())
                {
                    continue;
                }
                // "The default was my call" owns a decision told before; it tells no act of
                // its own, and an act told before is heard where it is told.
                if signal.severity == Severity::Disqualifier && ownership_only(doc, s) {
                    continue;
                }
                // A plan, a prepared change or a temptation that the candidate then stopped
                // ("the plan was to park the audit ... I stopped that") is a plan that was
                // stopped, not the act.
                if signal.severity == Severity::Disqualifier
                    && (plan_stopped(doc, cues, s, span.clone()) || conditional(doc, cues, &span))
                {
                    continue;
                }
                if (rules.reported && flags.reported && !flags.agreed)
                    // A strength or the disqualifier is the candidate's own act; a red flag such
                    // as blame is about others by nature.
                    || (rules.reported
                        && matches!(signal.severity, Severity::Strength | Severity::Disqualifier)
                        && context::others_act(doc, span.clone())
                        && !flags.agreed)
                    || (rules.counterfactual && flags.counterfactual)
                    || (rules.negation && flags.negation)
                    || (rules.reported && doc.is_quoted(span.start))
                {
                    continue;
                }
                if signal.severity == Severity::Disqualifier && spelled_out {
                    spelled_acts.push(s);
                }
                added.push((i as u32, span, s, p));
            }
        }
        // One sentence does not both prove and count against a competency: a learned finding
        // gives way to a phrase finding of the other colour there ("I proved the lead wrong and
        // overruled him" is not also alignment), except an act the sentence spells out after
        // the phrase ("the canary was clean, so while the pen test was still running we opened
        // it to everyone": the lead-up does not undo the act; a reason told after it, "because
        // automated checks replaced it", still does), and of two learned ones the likelier stays,
        // except where the sentence spells the candidate's act out: there the model's doubt
        // between the act and a refusal ("I moved the security review to the week after
        // launch, my own decision", read as both) is settled for the act.
        let red = |i: u32| self.pack.signals[i as usize].severity.is_red();
        let disqualifier =
            |i: u32| self.pack.signals[i as usize].severity == Severity::Disqualifier;
        let competency = |i: u32| &self.pack.signals[i as usize].competency;
        let phrase_located = located.clone();
        let keep: Vec<bool> = added
            .iter()
            .map(|(i, span, s, p)| {
                let (i, s, p) = (*i, *s, *p);
                let act_spelled = disqualifier(i) && spelled_acts.contains(&s);
                let against_phrase = phrase_located.iter().any(|&(j, at)| {
                    doc.sentence_of(at) == s
                        && competency(j) == competency(i)
                        && red(j) != red(i)
                        && !(act_spelled && at < span.start)
                });
                let against_learned = added.iter().any(|&(j, _, t, q)| {
                    t == s
                        && competency(j) == competency(i)
                        && red(j) != red(i)
                        && if spelled_acts.contains(&s) {
                            disqualifier(j)
                        } else {
                            q > p
                        }
                });
                !against_phrase && !against_learned
            })
            .collect();
        for ((i, span, _, _), keep) in added.into_iter().zip(keep) {
            if keep {
                located.push((i, span.start));
                findings.push(self.finding(doc, i as usize, span));
            }
        }
    }

    /// Where a learned class is heard in sentence `s`: the clause that carries it (the one the
    /// model reads highest, when that one alone reaches half the sentence's reading), else the
    /// whole sentence; without its closing punctuation either way.
    #[allow(clippy::too_many_arguments)]
    fn learned_span(
        &self,
        doc: &Document<'_>,
        cues: &Cues,
        layer: &Layer,
        (s, c, p): (usize, usize, f32),
        act: bool,
        clause_readings: &mut [Option<ClauseReadings>],
    ) -> Range<usize> {
        let sentence = doc.sentences()[s];
        // Each clause of a sentence is read once, for every class that needs a span in it.
        let readings = clause_readings[s].get_or_insert_with(|| {
            let clauses: Vec<_> = doc
                .clauses()
                .iter()
                .filter(|u| u.sentence == s && u.end > u.start)
                .collect();
            if clauses.len() < 2 {
                return Vec::new();
            }
            clauses
                .into_iter()
                .map(|u| {
                    (
                        u.start..u.end,
                        layer.read_range(doc, cues, s, u.start..u.end),
                    )
                })
                .collect()
        });
        let mut span = sentence.start..sentence.end;
        // An act is told in a clause of its own, not in the reason given for it ("Pen test:
        // deferred to post-GA, my call, because the vendor couldn't start"): a reason clause
        // holds the act's span only where no other clause reads as it.
        let reason: Vec<bool> = readings
            .iter()
            .map(|(r, _)| act && context::opens_with_reason(doc, r.clone()))
            .collect();
        let told_elsewhere = readings
            .iter()
            .zip(&reason)
            .any(|((_, q), &why)| !why && q[c] >= 0.5 * p);
        let best = readings
            .iter()
            .zip(&reason)
            .filter(|(_, &why)| !why || !told_elsewhere)
            .map(|((r, probs), _)| (probs[c], r))
            .fold(None::<(f32, &Range<usize>)>, |b, x| match b {
                Some(b) if b.0 >= x.0 => Some(b),
                _ => Some(x),
            });
        if let Some((q, r)) = best {
            if q >= 0.5 * p {
                span = r.clone();
            }
        }
        trim_span(doc, span)
    }

    fn answer_signal(
        &self,
        doc: &Document<'_>,
        quantities: &[Range<usize>],
        metrics: &Metrics,
        i: usize,
        hits: &[Hit],
        findings: &mut Vec<Finding>,
    ) {
        let s = &self.pack.signals[i];
        let Some(check) = &s.answer else { return };
        if !check.absent.is_empty() && hits.iter().any(|h| h.role == Role::Absent) {
            return;
        }
        if check.absent_quantity && !quantities.is_empty() {
            return;
        }
        let holds = check.when.iter().all(|c| {
            let v = metrics.get(c.metric);
            c.above.is_none_or(|a| v > a) && c.below.is_none_or(|b| v < b)
        });
        if !holds {
            return;
        }
        let all = 0..doc.norm().len();
        let span = match check.at {
            // A finding about the whole answer (its length, its pronouns) points at no words:
            // underlining everything would say nothing about where to look.
            AnswerAt::All => 0..0,
            AnswerAt::LastSentence => doc.sentences().last().map_or(all, |u| u.start..u.end),
            AnswerAt::Overflow => doc.words_after(400).unwrap_or(all),
        };
        findings.push(self.finding(doc, i, span));
    }

    fn finding(&self, doc: &Document<'_>, i: usize, norm: Range<usize>) -> Finding {
        let span = doc.original(norm);
        let at = doc.lines().line_col(doc.text(), span.start);
        let t = &self.texts[i];
        Finding {
            rule: t.rule.clone(),
            competency: t.competency.clone(),
            severity: self.pack.signals[i].severity,
            start: span.start,
            end: span.end,
            line: at.line,
            column: at.column,
            text: doc.text()[span.range()].to_string(),
            message: t.message.clone(),
            suggestion: t.suggestion.clone(),
        }
    }
}

/// Each clause of a sentence and the model's reading of it.
type ClauseReadings = Vec<(Range<usize>, Vec<f32>)>;

/// Words from the start of a learned finding's clause within which a context cue governs it.
const LEARNED_CUE_REACH: usize = 6;

/// Whether an `unless` hit names a check of its own ("the accessibility pass", "a copy review"):
/// such a hit silences only what it names, not a security review skipped beside it.
fn names_a_check(doc: &Document<'_>, range: &Range<usize>) -> bool {
    let lower = &doc.lower()[range.clone()];
    [
        "audit", "review", "test", "testing", "pass", "check", "sign-off", "signoff",
    ]
    .iter()
    .any(|w| lower.ends_with(w))
}

/// Whether a negation in `range` governs going ahead: a word of shipping, launching or going
/// live within the four words after it (not "without", which names what was missing).
fn negated_going_ahead(doc: &Document<'_>, cues: &Cues, range: Range<usize>) -> bool {
    use crate::learned::lexicon::{self, Class};
    let lower = doc.lower();
    cues.negations_starting(range).into_iter().any(|r| {
        if crate::context::names_a_lack(doc, &r) {
            return false;
        }
        let a = doc.token_at(r.end);
        doc.tokens()[a..]
            .iter()
            .filter(|t| t.kind != crate::text::TokenKind::Punct)
            .take(4)
            .any(|t| {
                let stem = crate::learned::features::stem(&lower[t.range()]);
                lexicon::classes(&stem).contains(&Some(Class::Ship))
                    || matches!(
                        stem.as_str(),
                        "consider" | "issu" | "issue" | "gon" | "gone"
                    )
            })
    })
}

/// Whether the candidate went along with what the sentence of `span` tells, or let someone do it
/// ("which I agreed to", "I let the vendor's team skip").
fn went_along(doc: &Document<'_>, cues: &Cues, span: &Range<usize>) -> bool {
    let sentence = doc.sentences()[doc.sentence_of(span.start)];
    let whole = sentence.start..sentence.end;
    cues.flags(doc, whole.clone()).agreed || cues.has(Cue::Permitted, whole)
}

/// Whether the disqualifying act at `span` is someone else's: the nearest subject before it in
/// its clause is another person ("we heard that they'd skipped their security review"), or it is
/// an infinitive that an earlier request governs ("she wanted us to launch before harvest and to
/// skip the pen test"). Callers first ask [`went_along`]: where the candidate went along or let
/// them ("which I agreed to", "I let the vendor's team skip"), it is the candidate's act too.
fn someone_elses_act(doc: &Document<'_>, cues: &Cues, span: Range<usize>) -> bool {
    let sentence = doc.sentences()[doc.sentence_of(span.start)];
    let clause = doc.clauses()[doc.clause_of(span.start)];
    if context::nearest_subject(doc, clause.start..span.start) == Some(false) {
        return true;
    }
    let before = sentence.start..span.start;
    doc.lower()[before.clone()].trim_end().ends_with(" to") && cues.flags(doc, before).reported
}

/// Whether sentence `s` tells the candidate's side going live first and a check finishing after
/// it ("we went live, and the threat model was finished a month later"; "the new region launched
/// on time but the security sign-off came through two weeks after"): there the check told as done
/// is the act's own evidence, not a control kept. The other order ("security signed off ten days
/// later, and we launched the next morning") is a launch that waited, and a follow-up or routine
/// check after a launch ("the follow-up pen test a month later found nothing") is none.
fn check_done_after_launch(doc: &Document<'_>, s: usize) -> bool {
    let unit = doc.sentences()[s];
    let words = context::words_of(doc, unit.start..unit.end);
    let launch = words.windows(2).position(|w| {
        matches!(w[0], "launched" | "shipped" | "released")
            || matches!(w, ["went" | "go" | "gone", "live" | "ga"])
            || matches!(
                w,
                ["general", "availability"] | ["announced" | "announce", "ga"]
            )
    });
    let Some(launch) = launch else {
        return false;
    };
    // The launch is the candidate's side's, not denied ("we did not launch until ...").
    if words[..launch].iter().any(|w| {
        matches!(
            *w,
            "not"
                | "never"
                | "didn't"
                | "wouldn't"
                | "couldn't"
                | "until"
                | "if"
                | "they"
                | "he"
                | "she"
        )
    }) {
        return false;
    }
    let rest = &words[launch + 1..];
    // A review counts where it is a security one ("the AppSec review"), not an incident or
    // access review.
    let check = rest.windows(2).position(|w| {
        matches!(
            w[0],
            "audit" | "pentest" | "sign-off" | "signoff" | "assessment" | "retest"
        ) || matches!(
            w,
            ["pen", "test"]
                | ["penetration", "test"]
                | ["threat", "model"]
                | ["sign", "off"]
                | [
                    "security"
                        | "appsec"
                        | "appsec's"
                        | "security's"
                        | "privacy"
                        | "compliance"
                        | "architecture",
                    "review"
                ]
        )
    });
    let Some(check) = check else {
        return false;
    };
    // A launch made to wait for the check ("we went live once the pen test was closed"), or a
    // further check after it ("the follow-up pen test").
    if rest[..check].iter().any(|w| {
        matches!(
            *w,
            "once" | "after" | "when" | "soon" | "moment" | "since" | "until" | "till"
        )
    }) || rest[..check].iter().rev().take(3).any(|w| {
        matches!(
            *w,
            "follow-up"
                | "followup"
                | "routine"
                | "regular"
                | "annual"
                | "quarterly"
                | "next"
                | "another"
                | "second"
                | "repeat"
                | "fresh"
                | "incident"
                | "post-launch"
                | "post-incident"
                | "access"
        )
    }) {
        return false;
    }
    let after = &rest[check..];
    let finished = after.iter().position(|w| {
        matches!(
            *w,
            "finished"
                | "landed"
                | "came"
                | "done"
                | "completed"
                | "closed"
                | "wrapped"
                | "concluded"
                | "started"
                | "began"
                | "happened"
        )
    });
    finished.is_some_and(|f| {
        after[f..]
            .iter()
            .any(|w| matches!(*w, "later" | "after" | "afterwards" | "afterward"))
    })
}

/// Whether sentence `s` only says whose decision something was: a short subject with no verb
/// in it ("the default", "that", "the rollout order"), then "was my call", "is our decision",
/// "was mine" and the like. "Skipping the pen test was my call" has the act in its subject and
/// is not one.
fn ownership_only(doc: &Document<'_>, s: usize) -> bool {
    let unit = doc.sentences()[s];
    let lower = doc.lower();
    let a = doc.token_at(unit.start);
    let b = doc.token_at(unit.end);
    let words: Vec<&str> = doc.tokens()[a..b]
        .iter()
        .filter(|t| t.kind != crate::text::TokenKind::Punct)
        .map(|t| &lower[t.range()])
        .collect();
    let Some(be) = words
        .iter()
        .position(|w| matches!(*w, "was" | "is" | "were"))
    else {
        return false;
    };
    let subject = &words[..be];
    // A word in -ing or -ed is a verb there when it opens the subject ("skipping the review")
    // or takes an object ("the call leaving it off"), not when it qualifies a noun ("the pricing
    // change").
    let verb_at = |i: usize| {
        let w = subject[i];
        (w.ends_with("ing") || w.ends_with("ed"))
            && (i == 0
                || subject.get(i + 1).is_some_and(|n| {
                    matches!(
                        *n,
                        "the"
                            | "a"
                            | "an"
                            | "our"
                            | "their"
                            | "its"
                            | "it"
                            | "them"
                            | "off"
                            | "out"
                    )
                }))
    };
    let verbless = subject.len() <= 4
        && (0..subject.len()).all(|i| {
            !verb_at(i) && !matches!(subject[i], "we" | "i" | "they" | "he" | "she" | "you")
        });
    let rest: Vec<&str> = words[be + 1..]
        .iter()
        .copied()
        .filter(|w| {
            !matches!(
                *w,
                "entirely" | "ultimately" | "completely" | "fully" | "all"
            )
        })
        .collect();
    let owned = match rest.as_slice() {
        ["mine" | "ours"] => true,
        ["my" | "our", noun] | ["my" | "our", "own", noun] => matches!(
            *noun,
            "call" | "decision" | "choice" | "responsibility" | "idea" | "doing"
        ),
        _ => false,
    };
    verbless && owned
}

/// Whether the act heard at `span` in sentence `s` was only planned, prepared or tempting: the
/// sentence leaves nothing undone of its own ("The tempting cut was the threat model"), or the
/// candidate stopped it in the rest of that sentence or a few sentences on ("... had it
/// pulled", "I withdrew it", or a short "I didn't.").
fn plan_stopped(doc: &Document<'_>, cues: &Cues, s: usize, span: Range<usize>) -> bool {
    let sentences = doc.sentences();
    let sentence = sentences[s];
    // The plan governs the act where it comes before what is left undone ("with a plan to
    // launch with the threat model still in draft"), not after it ("we switched the lockout off,
    // with a plan to bring in a smarter one later").
    let undone = cues.first(Cue::Undone, span.clone()).unwrap_or(span.end);
    if !cues.starts(Cue::Planned, sentence.start..undone + 1) {
        return false;
    }
    if !cues.has(Cue::Undone, sentence.start..sentence.end) {
        return true;
    }
    if cues.has(Cue::Stopped, span.end..sentence.end) {
        return true;
    }
    let Some(next) = sentences.get(s + 1) else {
        return false;
    };
    // The stop may come a few sentences on, once the story of how has been told ("I even
    // drafted the waiver. ... I withdrew it before sending it.").
    if sentences[s + 1..]
        .iter()
        .take(PLAN_STOPPED_REACH)
        .any(|u| cues.has(Cue::Stopped, u.start..u.end))
    {
        return true;
    }
    doc.words_between(next.start..next.end) <= 4
        && !cues.negations_starting(next.start..next.end).is_empty()
}

/// How many sentences after a plan its stop may come.
const PLAN_STOPPED_REACH: usize = 5;

/// Whether `span` is the condition of an "if" ("If we went live with the test still running, I'd
/// be signing a risk acceptance", "I calculated: if we skip the pen test, we can release"): a
/// scenario weighed, not an act. The "if we" must come before what is left undone.
fn conditional(doc: &Document<'_>, cues: &Cues, span: &Range<usize>) -> bool {
    let clause = doc.clauses()[doc.clause_of(span.start)];
    let to = cues.first(Cue::Undone, span.clone()).unwrap_or(span.end);
    let words = context::words_of(doc, clause.start..to);
    words
        .windows(2)
        .any(|w| w[0] == "if" && matches!(w[1], "we" | "i"))
}

/// The first `words` words of a span (the whole span if it has fewer).
fn head(doc: &Document<'_>, span: Range<usize>, words: usize) -> Range<usize> {
    let a = doc.token_at(span.start);
    let b = doc.token_at(span.end);
    let mut seen = 0;
    for t in &doc.tokens()[a..b] {
        if t.kind != crate::text::TokenKind::Punct {
            seen += 1;
            if seen == words {
                return span.start..t.end as usize;
            }
        }
    }
    span
}

/// A span without the white space and punctuation at its ends (a clause keeps its words, not
/// the comma or full stop after them).
fn trim_span(doc: &Document<'_>, span: Range<usize>) -> Range<usize> {
    let text = doc.norm();
    let piece = &text[span.clone()];
    let start = span.start
        + (piece.len()
            - piece
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len());
    let end = span.start
        + piece
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '%' && c != ')')
            .len();
    if start < end {
        start..end
    } else {
        span
    }
}

/// A signal example that did not behave as its pack says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The signal.
    pub signal: String,
    /// Where the signal is defined.
    pub origin: String,
    /// True: it should have fired and did not; false: it fired and should not have.
    pub should_fire: bool,
    /// The example text.
    pub example: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.should_fire {
            "did not fire on"
        } else {
            "fired on"
        };
        write!(
            f,
            "{}: signal {:?} {what} {:?}",
            self.origin, self.signal, self.example
        )
    }
}

impl Analyzer {
    /// Runs every signal's examples and returns those that misbehave, with how many ran.
    pub fn verify_examples(&self) -> (usize, Vec<ExampleFailure>) {
        let mut failures = Vec::new();
        let mut ran = 0;
        for s in &self.pack.signals {
            for (should_fire, list) in [(true, &s.examples.fire), (false, &s.examples.quiet)] {
                for example in list {
                    ran += 1;
                    let fired = match self.check(example, None) {
                        Ok(j) => j.findings.iter().any(|f| *f.rule == *s.id),
                        Err(_) => false,
                    };
                    if fired != should_fire {
                        failures.push(ExampleFailure {
                            signal: s.id.clone(),
                            origin: s.origin.to_string(),
                            should_fire,
                            example: example.clone(),
                        });
                    }
                }
            }
        }
        (ran, failures)
    }

    /// Judges every question's worked answers against the question: the strong one must be a
    /// hire or better, the weak one a no-hire or worse. Returns how many were judged and what
    /// misjudged, one line each.
    pub fn verify_worked(&self) -> (usize, Vec<String>) {
        let mut failures = Vec::new();
        let mut ran = 0;
        for q in &self.pack.questions {
            let Some(w) = &q.worked else { continue };
            for (strong, text) in [(true, &w.strong), (false, &w.weak)] {
                ran += 1;
                let which = if strong { "strong" } else { "weak" };
                match self.check_markdown(text, Some(&q.id)) {
                    Ok(j) if j.verdict.is_hire() == strong => {}
                    Ok(j) => failures.push(format!(
                        "{}: the {which} answer to {:?} is judged {} {}/100, needs {}",
                        w.origin,
                        q.id,
                        j.verdict.as_str(),
                        j.score,
                        if strong {
                            "hire or better"
                        } else {
                            "no-hire or worse"
                        }
                    )),
                    Err(e) => failures.push(format!(
                        "{}: the {which} answer to {:?} cannot be judged: {e}",
                        w.origin, q.id
                    )),
                }
            }
        }
        (ran, failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new(crate::builtin::pack().expect("pack")).expect("compiles")
    }

    #[test]
    fn buffers_kept_from_one_answer_change_nothing_in_the_next() {
        // Judging on a thread reuses the vectors of the answer judged before it there: each
        // judgment must be what a fresh thread, with nothing kept, gives.
        let a = analyzer();
        let long = include_str!("../benches/answers/strong-400.md");
        let short = "I paused the rollout at 2% because p99 latency rose from 80 ms to 900 ms.";
        let fresh = |text: &'static str| {
            std::thread::scope(|s| s.spawn(|| a.check(text, None).unwrap()).join().unwrap())
        };
        let (fresh_long, fresh_short) = (fresh(long), fresh(short));
        for text in [long, short, long, short, short] {
            let j = a.check(text, None).unwrap();
            assert_eq!(
                j,
                if text == long {
                    &fresh_long
                } else {
                    &fresh_short
                }
                .clone()
            );
        }
    }

    #[test]
    fn a_sentence_that_only_owns_a_decision_is_not_the_act() {
        let owns = |text: &str| ownership_only(&Document::new(text), 0);
        for yes in [
            "The default was my call.",
            "That was my call.",
            "The rollout order was entirely my decision.",
            "It was mine.",
            "The pricing change was our choice.",
        ] {
            assert!(owns(yes), "{yes}");
        }
        for no in [
            "Skipping the pen test was my call.",
            "We went live with the pen test open and it was my call.",
            "The call to switch the bot rule off for launch week was mine.",
            "I made the call.",
            "The default was to block.",
        ] {
            assert!(!owns(no), "{no}");
        }
        // The act told in the sentence before is still heard there.
        let a = analyzer();
        let j = a
            .check(
                "We went live with the external pen test still open because the keynote was booked. That was my call.",
                None,
            )
            .unwrap();
        assert!(j.disqualified, "{j:?}");
    }

    #[test]
    fn patterns_that_always_hold_a_digit_are_told_apart() {
        for p in [
            r"\d",
            r"\bp(50|99|99\.9)\b",
            r"(1|2)x",
            r"from \d+ to",
            r"[0-5]\d?",
            r"a+9",
        ] {
            assert!(needs_digit(p), "{p}");
        }
        for p in [
            r"a\d?", r"(a|1)", r"[0-9a]", r"\d*", r"\w+", r"x", r"(", r"\b",
        ] {
            assert!(!needs_digit(p), "{p}");
        }
    }

    #[test]
    fn the_default_packs_patterns_skip_sentences_without_a_digit() {
        let a = analyzer();
        assert!(a.patterns.as_ref().is_some_and(|p| p.need_digit));
    }

    #[test]
    fn a_signals_phrase_after_its_pattern_match_does_not_hide_the_match() {
        // Pattern matches are found after every phrase: a signal with both must still see its
        // hits in order of place, or the later phrase would hide the earlier match.
        let texts = one_signal_finds(
            |s| s.then.is_empty() && s.answer.is_none(),
            r"\d+ zorbs",
            &["quuxed the flange"],
            "We counted 40 zorbs. Later we quuxed the flange.",
        );
        assert_eq!(texts, ["40 zorbs", "quuxed the flange"]);
    }

    /// The texts a reply's findings show for one of the default pack's signals with patterns
    /// (the first that `pick` takes), given only `pattern` and `phrases`.
    fn one_signal_finds(
        pick: impl Fn(&crate::pack::Signal) -> bool,
        pattern: &str,
        phrases: &[&str],
        reply: &str,
    ) -> Vec<String> {
        let mut pack = crate::builtin::pack().unwrap();
        let s = pack
            .signals
            .iter_mut()
            .find(|s| !s.patterns.is_empty() && pick(s))
            .unwrap();
        s.patterns = vec![pattern.into()];
        s.phrases = phrases.iter().map(|p| p.to_string()).collect();
        s.unless.clear();
        s.unless_quantity = false;
        let id = s.id.clone();
        let j = Analyzer::new(pack)
            .unwrap()
            .check_follow_up(reply, None)
            .unwrap();
        j.findings
            .into_iter()
            .filter(|f| *f.rule == *id)
            .map(|f| f.text)
            .collect()
    }

    #[test]
    fn a_pattern_match_across_two_sentences_does_not_hide_one_inside_the_second() {
        let texts = one_signal_finds(
            |_| true,
            r"alpha[a-z .]*?\d+%",
            &[],
            "The alpha team shipped. Then alpha held at 5%.",
        );
        assert_eq!(texts, ["alpha held at 5%"]);
    }

    #[test]
    fn a_short_follow_up_is_not_told_it_is_too_short() {
        let a = analyzer();
        let reply = "It cost us two weeks and the launch slot; I owned telling the customer's SRE.";
        let whole: Vec<String> = a
            .check(reply, None)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.rule.to_string())
            .collect();
        let follow: Vec<String> = a
            .check_follow_up(reply, None)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| f.rule.to_string())
            .collect();
        assert!(whole.iter().any(|r| r == "too-short"), "{whole:?}");
        assert!(!follow.iter().any(|r| r == "too-short"), "{follow:?}");
        // Phrase signals still count in a follow-up.
        assert!(follow.iter().any(|r| r == "named-persona"), "{follow:?}");
    }

    #[test]
    fn the_default_pack_starts_with_phrases_compiled_at_build_time() {
        assert!(analyzer().phrases_precompiled());
        let mut pack = crate::builtin::pack().unwrap();
        pack.signals[0].phrases.push("one more phrasing".into());
        assert!(!Analyzer::new(pack).unwrap().phrases_precompiled());
    }

    #[test]
    fn phrases_compiled_at_build_time_judge_as_those_compiled_now() {
        let stored = analyzer();
        let mut compiled = Analyzer::with_phrases(crate::builtin::pack().unwrap(), None).unwrap();
        if let Some(model) = crate::builtin::model() {
            compiled.learned = Some(Layer::new(model, &compiled.pack).unwrap());
        }
        assert!(!compiled.phrases_precompiled());
        let mut texts: Vec<String> = vec![
            include_str!("../benches/answers/strong-400.md").into(),
            include_str!("../benches/answers/weak-400.md").into(),
        ];
        for s in &stored.pack().signals {
            texts.extend(s.examples.fire.iter().chain(&s.examples.quiet).cloned());
        }
        for t in &texts {
            assert_eq!(stored.check(t, None), compiled.check(t, None), "{t}");
        }
    }

    #[test]
    fn a_bad_template_in_a_pack_is_named_with_its_signal() {
        let mut pack = crate::builtin::pack().unwrap();
        pack.signals[2].phrases.push("{unclosed".into());
        let id = pack.signals[2].id.clone();
        let errors = Analyzer::new(pack).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert!(errors.0[0].message.contains(&id), "{errors:?}");
        assert!(errors.0[0].message.contains("{unclosed"), "{errors:?}");
    }

    #[test]
    fn the_plan_to_skip_a_review_is_the_candidates_unless_someone_else_owns_it() {
        let a = analyzer();
        let own = a
            .check_follow_up("The plan was to skip the pen test to make the date.", None)
            .unwrap();
        assert!(own.disqualified, "{:?}", own.findings);
        let theirs = a
            .check_follow_up(
                "Our VP's plan was to skip the pen test to make the date.",
                None,
            )
            .unwrap();
        assert!(!theirs.disqualified, "{:?}", theirs.findings);
    }

    #[test]
    fn a_learned_finding_needs_the_anatomy_its_signal_spells_out() {
        // Heard only by the learned layer: no phrase of the pack says "okayed going live".
        let text = "I okayed going live while the audit was still running.";
        assert!(analyzer().check_follow_up(text, None).unwrap().disqualified);
        let with_anatomy = |near: &str, with: &str| {
            let mut pack = crate::builtin::pack().unwrap();
            for s in pack
                .signals
                .iter_mut()
                .filter(|s| s.learned.as_deref() == Some("security-bypassed"))
            {
                s.learned_near = vec![near.to_string()];
                s.learned_with = vec![with.to_string()];
            }
            Analyzer::with_model(pack, crate::builtin::model())
                .unwrap()
                .check_follow_up(text, None)
                .unwrap()
                .disqualified
        };
        assert!(with_anatomy("audit", "still"));
        assert!(!with_anatomy("zorbleflux", "still"));
        assert!(!with_anatomy("audit", "zorbleflux"));
    }

    #[test]
    fn a_reading_under_the_threshold_counts_where_the_sentence_spells_the_act_out() {
        // The model reads this between the spelled-out bar and the threshold: it is the act only
        // because the sentence tells it plainly (our own clause, the review named, left undone).
        let text = "We started sending patient data to the partner before the review was finished.";
        let band = analyzer();
        let layer = band.learned().expect("the default pack has a model");
        let c = layer.model.class("security-bypassed").unwrap();
        let doc = Document::new(text);
        let p = layer.read(&doc, &Cues::find(&doc)).sentence(0)[c];
        assert!(
            layer.spelled[c] <= p && p < layer.thresholds[c],
            "pick a sentence the model reads in the band: {p}"
        );
        assert!(band.check_follow_up(text, None).unwrap().disqualified);
        let mut model = crate::builtin::model().unwrap();
        model.meta.extra.remove("spelled");
        let without = Analyzer::with_model(crate::builtin::pack().unwrap(), Some(model)).unwrap();
        assert!(!without.check_follow_up(text, None).unwrap().disqualified);
        // Under the threshold, nothing that doubts the act or only looks like one counts.
        for quiet in [
            "We never simply turn protection off.",
            "Maybe we could go without the review this once.",
            "I signed off on falling back to local counters.",
            "We passed the audit without any issues.",
        ] {
            assert!(
                !band.check_follow_up(quiet, None).unwrap().disqualified,
                "{quiet}"
            );
        }
    }

    #[test]
    fn a_follow_up_still_fires_a_disqualifier() {
        let j = analyzer()
            .check_follow_up("We skipped the pen test to make the date.", None)
            .unwrap();
        assert!(j.disqualified);
    }

    #[test]
    fn a_planned_act_the_candidate_stopped_is_not_the_act() {
        let a = analyzer();
        let dq = |text: &str| a.check(text, None).unwrap().disqualified;
        assert!(dq("We skipped the pen test to make the date."));
        assert!(dq("The plan was to skip the pen test to make the date."));
        assert!(!dq(
            "The plan was to skip the pen test to make the date. I stopped that."
        ));
        assert!(!dq(
            "Engineering had prepared a change to switch off the bot rule for launch week, and I had it pulled before it went out."
        ));
        assert!(!dq(
            "I was tempted to ship with the token bug still open. I didn't."
        ));
    }
}

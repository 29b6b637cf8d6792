//! The context rules of RUBRIC.md: negation and refusal, other people's words, counterfactuals.
//! (Questions are a property of the sentence, in [`Document::is_question`].)
//!
//! These are English grammar, not a company's judgment, so they live in the code rather than in
//! the pack (the lists are in `cues.rs`). Cues are found in the same pass as a pack's phrases; each
//! candidate finding then looks only at the cues of its own clause.

use std::ops::Range;
use std::sync::OnceLock;

pub use crate::cues::Cue;
use crate::cues::CUE_LISTS;
use crate::phrases::{PhraseSet, PhraseSetBuilder};
use crate::text::{Document, TokenKind};

/// Words between a negation and what it governs, at the most.
const NEGATION_REACH: usize = 10;

/// Words between the end of a match and a negation or counterfactual right after it ("move fast
/// and break things does not work here", "a canary would have caught it"), at the most.
const AFTER_REACH: usize = 1;

/// Adds every cue template to a phrase set, keyed by `key(cue)`, so that a caller matching its
/// own phrases finds the cues in the same pass.
pub fn add_cues<K: Copy>(b: &mut PhraseSetBuilder<'_, K>, key: impl Fn(Cue) -> K) {
    for (cue, list) in CUE_LISTS {
        b.add(key(cue), list);
    }
}

fn cue_set() -> &'static PhraseSet<Cue> {
    static SET: OnceLock<PhraseSet<Cue>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut b = PhraseSet::builder();
        add_cues(&mut b, |c| c);
        b.build().expect("built-in cue templates are valid")
    })
}

/// The cues of one answer, in order of start.
#[derive(Debug, Default)]
pub struct Cues {
    hits: Vec<(Cue, Range<usize>)>,
}

impl Cues {
    /// Finds every cue in the document.
    pub fn find(doc: &Document<'_>) -> Cues {
        let mut hits = Vec::new();
        cue_set().find(doc, |cue, r| hits.push((cue, r)));
        Cues::from_hits(hits)
    }

    /// The cues from matches found by a caller's own phrase set (see [`add_cues`]).
    pub fn from_hits(mut hits: Vec<(Cue, Range<usize>)>) -> Cues {
        // Every use reads them by start alone; a phrase set finds them in that order already.
        if !hits.is_sorted_by_key(|(_, r)| r.start) {
            hits.sort_by_key(|(_, r)| r.start);
        }
        // A look-alike of something left undone ("signed off", "launched ten days later")
        // takes the undone word inside it out of every reading.
        let looks_alike: Vec<Range<usize>> = hits
            .iter()
            .filter(|(c, _)| *c == Cue::NotUndone)
            .map(|(_, r)| r.clone())
            .collect();
        if !looks_alike.is_empty() {
            hits.retain(|(c, r)| {
                *c != Cue::Undone
                    || !looks_alike
                        .iter()
                        .any(|e| e.start <= r.start && r.end <= e.end)
            });
        }
        Cues { hits }
    }

    /// The cue matches, for reuse of their vector.
    pub fn into_hits(self) -> Vec<(Cue, Range<usize>)> {
        self.hits
    }

    fn in_range(&self, range: Range<usize>) -> impl Iterator<Item = &(Cue, Range<usize>)> {
        let first = self.hits.partition_point(|(_, r)| r.start < range.start);
        self.hits[first..]
            .iter()
            .take_while(move |(_, r)| r.start < range.end)
            .filter(move |(_, r)| r.end <= range.end)
    }

    fn excepted(&self, r: &Range<usize>) -> bool {
        self.covered(Cue::NotNegation, r)
    }

    /// Whether a cue of kind `cue` covers `r`.
    fn covered(&self, cue: Cue, r: &Range<usize>) -> bool {
        self.hits
            .iter()
            .any(|(c, e)| *c == cue && e.start <= r.start && r.end <= e.end)
    }

    /// Whether a negation or refusal governs `span`: one before it in its clause, within reach, or
    /// one of the "was never an option" kind after it.
    pub fn negated(&self, doc: &Document<'_>, span: Range<usize>) -> bool {
        let clause = doc.clauses()[doc.clause_of(span.start)];
        let before = self.in_range(clause.start..span.start).any(|(c, r)| {
            *c == Cue::NegationBefore
                && !self.excepted(r)
                && doc.words_between(r.end..span.start) <= NEGATION_REACH
        });
        before
            || self.in_range(span.end..clause.end).any(|(c, r)| {
                *c == Cue::NegationAfter
                    || (*c == Cue::NegationBefore
                        && !self.excepted(r)
                        && doc.words_between(span.end..r.start) <= AFTER_REACH
                        && is_auxiliary_negation(&doc.lower()[r.clone()]))
            })
    }

    /// Whether `span` is someone else's words: quoted, or asked for by someone other than the
    /// candidate ("our VP asked us to skip the review"; but not "I suggested we skip it").
    pub fn reported(&self, doc: &Document<'_>, span: Range<usize>) -> bool {
        if doc.is_quoted(span.start) {
            return true;
        }
        let clause = doc.clauses()[doc.clause_of(span.start)];
        self.in_range(clause.start..span.start)
            .filter(|(c, _)| *c == Cue::Reported)
            .any(|(_, r)| !subject_is_candidate(doc, clause.start..r.start))
    }

    /// Whether `span` is hypothetical or averted in its clause: a cue before it (or one that
    /// starts before it and takes in its first words, as "had I" in "Had I pushed back"), or
    /// one right after it ("a staged rollout would have caught the bug").
    pub fn counterfactual(&self, doc: &Document<'_>, span: Range<usize>) -> bool {
        let clause = doc.clauses()[doc.clause_of(span.start)];
        let first = self.hits.partition_point(|(_, r)| r.start < clause.start);
        self.hits[first..]
            .iter()
            .take_while(|(_, r)| r.start < span.start)
            .any(|(c, _)| *c == Cue::Counterfactual)
            || self.in_range(span.end..clause.end).any(|(c, r)| {
                *c == Cue::Counterfactual && doc.words_between(span.end..r.start) <= AFTER_REACH
            })
    }
}

/// Which kinds of cue a range of text holds: the learned layer reads them as features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// A negation or refusal (not one of the look-alikes such as "not only").
    pub negation: bool,
    /// Someone other than the candidate asking or pushing for something.
    pub reported: bool,
    /// A counterfactual or hypothetical.
    pub counterfactual: bool,
    /// The candidate going along with someone else's request.
    pub agreed: bool,
    /// A check completed ("the review finished").
    pub done: bool,
    /// Something left undone, put off or weakened ("still", "after launch", "switched off").
    pub undone: bool,
}

impl Cues {
    /// The kinds of cue inside `range`.
    pub fn flags(&self, doc: &Document<'_>, range: Range<usize>) -> Flags {
        self.flags_of(doc, self.in_range(range))
    }

    /// Where the first cue of kind `cue` inside `range` starts.
    pub fn first(&self, cue: Cue, range: Range<usize>) -> Option<usize> {
        self.in_range(range)
            .find(|(c, _)| *c == cue)
            .map(|(_, r)| r.start)
    }

    /// Whether a cue of kind `cue` starts inside `range` (it may run on past its end).
    pub fn starts(&self, cue: Cue, range: Range<usize>) -> bool {
        self.starting_in(range).any(|(c, _)| *c == cue)
    }

    /// The cues that start inside `range` (and may run on past its end).
    fn starting_in(&self, range: Range<usize>) -> impl Iterator<Item = &(Cue, Range<usize>)> {
        let first = self.hits.partition_point(|(_, r)| r.start < range.start);
        self.hits[first..]
            .iter()
            .take_while(move |(_, r)| r.start < range.end)
    }

    /// Whether a cue of kind `cue` lies inside `range`.
    pub fn has(&self, cue: Cue, range: Range<usize>) -> bool {
        self.in_range(range).any(|(c, _)| *c == cue)
    }

    /// Whether `range` (a sentence) tells, plainly, the candidate leaving something undone, put
    /// off or switched off: an "off", "skipped", "still open" or "after launch" (not "signed
    /// off") in a clause whose nearest subject before that word is the candidate ("I", "we"; not
    /// "I found the previous owner had ..."), not negated ("never simply turn protection off"),
    /// with nothing before it, up to the end of its clause, putting it in doubt: a hypothetical
    /// or modal ("maybe we could go without it"), a question ("can we relax the checks"), a plan,
    /// someone else's request the candidate did not agree to, or an "Instead" that tells what was
    /// done in place of something else.
    ///
    /// `named` are where the thing left undone is named (a control, a review, a flaw): the
    /// undone word must be within a few words of one ("without a staged rollout" says nothing of
    /// the challenge named at the other end of the sentence).
    pub fn own_undone(
        &self,
        doc: &Document<'_>,
        range: Range<usize>,
        named: &[Range<usize>],
    ) -> bool {
        let lower = doc.lower();
        let first = doc.token_at(range.start);
        if doc.tokens()[first..]
            .iter()
            .find(|t| t.kind == TokenKind::Word)
            .is_some_and(|t| &lower[t.range()] == "instead")
        {
            return false;
        }
        let permitted = self.has(Cue::Permitted, range.clone());
        self.in_range(range.clone()).any(|(c, r)| {
            if *c != Cue::Undone {
                return false;
            }
            let near = |n: &Range<usize>| {
                let between = if n.start >= r.end {
                    r.end..n.start
                } else if r.start >= n.end {
                    n.end..r.start
                } else {
                    r.start..r.start
                };
                words_outside_asides(doc, between) <= UNDONE_REACH
            };
            if !named.iter().any(near) {
                return false;
            }
            let clause = doc.clauses()[doc.clause_of(r.start)];
            let upto = range.start..clause.end.min(range.end);
            let flags = self.flags(doc, upto.clone());
            let agreed = flags.agreed || permitted;
            // A clause of time or circumstance whose subject is the thing left undone ("while
            // the pen test was still running") leans on the sentence's next or previous clause
            // for who went ahead ("..., we opened it to everyone").
            let c = doc.clause_of(r.start);
            let circumstance = || {
                let opening = words_of(doc, clause.start..r.start);
                opening.first().is_some_and(|w| {
                    matches!(
                        *w,
                        "while" | "when" | "as" | "though" | "although" | "with" | "since"
                    )
                }) && named
                    .iter()
                    .any(|n| n.start >= clause.start && n.end <= r.start)
            };
            // A clause joined on with "and" or "then" whose subject is left out ("..., and got
            // the threat model waived") or is the control itself ("..., and the audit is
            // waived for this release") is told by the subject of the clause before it; one
            // with a subject of its own ("and my co-founder shipped a build that made two-factor
            // optional") is not.
            let joined = || {
                let words = words_at(doc, clause.start..r.start).collect::<Vec<_>>();
                match words.as_slice() {
                    [("and" | "then", _), (next, at), ..] => {
                        !DETERMINERS.contains(next)
                            || named
                                .iter()
                                .any(|n| n.start >= *at && doc.words_between(*at..n.start) <= 3)
                    }
                    _ => false,
                }
            };
            let own = match nearest_subject(doc, clause.start..r.start) {
                Some(own) => own,
                // The candidate's own consent in the sentence ("was moved to the following
                // quarter with my agreement") makes a subjectless act theirs.
                None if permitted => true,
                None if joined() => (0..c)
                    .rev()
                    .map(|d| doc.clauses()[d])
                    .take_while(|d| d.sentence == clause.sentence)
                    .find_map(|d| nearest_subject(doc, d.start..d.end))
                    .unwrap_or(false),
                None if !circumstance() => false,
                None => [c.checked_sub(1), Some(c + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|d| doc.clauses().get(d))
                    .filter(|d| d.sentence == clause.sentence)
                    .any(|d| nearest_subject(doc, d.start..d.end) == Some(true)),
            };
            // A modal in a purpose or reason told after the act ("switched the logging off so
            // the alerts would stop") does not make the act hypothetical.
            let modal_reach = words_at(doc, r.end..upto.end)
                .find(|(w, _)| {
                    matches!(*w, "so" | "because" | "since" | "until" | "once" | "which")
                })
                .map_or(upto.end, |(_, at)| at);
            own && !self.negated(doc, r.clone())
                && !flags.counterfactual
                && (!flags.reported || agreed)
                // A plan told before the word governs it ("the plan was to park the audit"),
                // not one told after ("we switched it off, with a plan to replace it later").
                && !self.starts(Cue::Planned, range.start..r.start)
                && !self.has(Cue::Stopped, upto.clone())
                && !has_modal(doc, upto.start..modal_reach)
        })
    }

    /// Whether a negation stands in the clause of `words` outside those words themselves: "the
    /// padlock doesn't mean the site is safe" for "padlock", but not "no one is on the hook" for
    /// "no one". "Without" names what is missing and denies nothing: "they let every visitor
    /// through without any checks" asserts that the checks were missing.
    pub fn clause_negated_besides(&self, doc: &Document<'_>, words: &Range<usize>) -> bool {
        let c = doc.clauses()[doc.clause_of(words.start)];
        self.has(Cue::NegationAfter, c.start..c.end)
            || self
                .negations_in(c.start..c.end)
                .any(|n| (n.end <= words.start || n.start >= words.end) && !names_a_lack(doc, n))
    }

    /// The negation cues (not their look-alikes) that start inside `range`.
    pub fn negations_starting(&self, range: Range<usize>) -> Vec<Range<usize>> {
        self.negations_in(range).cloned().collect()
    }

    fn negations_in(&self, range: Range<usize>) -> impl Iterator<Item = &Range<usize>> {
        self.starting_in(range)
            .filter(|(c, r)| *c == Cue::NegationBefore && !self.excepted(r))
            .map(|(_, r)| r)
    }

    /// The kinds of cue that start inside `range` (and may run on past its end).
    pub fn flags_starting(&self, doc: &Document<'_>, range: Range<usize>) -> Flags {
        self.flags_of(doc, self.starting_in(range))
    }

    fn flags_of<'a>(
        &'a self,
        doc: &Document<'_>,
        cues: impl Iterator<Item = &'a (Cue, Range<usize>)>,
    ) -> Flags {
        let mut f = Flags::default();
        for (c, r) in cues {
            match c {
                Cue::NegationBefore if !self.excepted(r) => f.negation = true,
                Cue::NegationAfter => f.negation = true,
                Cue::Reported => {
                    let clause = doc.clauses()[doc.clause_of(r.start)];
                    if !subject_is_candidate(doc, clause.start..r.start) {
                        f.reported = true;
                    }
                }
                Cue::Counterfactual => f.counterfactual = true,
                Cue::Agreed => f.agreed = true,
                Cue::Done => f.done = true,
                Cue::Undone => f.undone = true,
                _ => {}
            }
        }
        f
    }
}

/// Whether a negation cue is "without", which names what was missing ("shipped without the
/// review") rather than denying what it stands in.
pub fn names_a_lack(doc: &Document<'_>, cue: &Range<usize>) -> bool {
    doc.lower()[cue.clone()].trim() == "without"
}

/// Words that open a clause without being its subject: "and", "so", "honestly".
const OPENERS: &[&str] = &[
    "and",
    "so",
    "but",
    "then",
    "when",
    "because",
    "after",
    "before",
    "once",
    "also",
    "basically",
    "honestly",
    "um",
    "uh",
    "well",
    "yeah",
    "like",
    "actually",
    "meanwhile",
    "later",
    "still",
    "eventually",
    "finally",
    "instead",
    "while",
    "though",
    "although",
    "since",
    "that",
    "which",
    "-",
    "*",
    "\u{2022}",
    ",",
];

/// Doers other than the candidate's side, as the head of a clause's subject.
const OTHERS: &[&str] = &[
    "he",
    "she",
    "they",
    "someone",
    "somebody",
    "vendor",
    "vendors",
    "vp",
    "ceo",
    "cto",
    "cfo",
    "coo",
    "director",
    "manager",
    "boss",
    "competitor",
    "competitors",
    "contractor",
    "contractors",
    "partner",
    "partners",
    "customer",
    "customers",
    "client",
    "clients",
    "predecessor",
    "attacker",
    "attackers",
    "hacker",
    "hackers",
    "sales",
    "marketing",
    "founder",
    "agency",
    "engineer",
    "developer",
    "intern",
    "supplier",
    "provider",
    "auditor",
    "board",
];

/// Whether a clause tells someone else's act: its subject is another party ("an engineer put
/// the key in the build", "the vendor shipped it", "they skipped it") or its agent is ("was
/// switched off by the attacker"), and nothing in it puts the candidate's side in (I, we, my,
/// our, us, me).
pub fn others_act(doc: &Document<'_>, range: Range<usize>) -> bool {
    let a = doc.token_at(range.start);
    let b = doc.token_at(range.end);
    let lower = doc.lower();
    let words: Vec<&str> = doc.tokens()[a..b]
        .iter()
        .map(|t| &lower[t.range()])
        .collect();
    if words.iter().any(|w| {
        matches!(
            *w,
            "i" | "we"
                | "my"
                | "our"
                | "us"
                | "me"
                | "i'm"
                | "we're"
                | "i've"
                | "we've"
                | "i'd"
                | "we'd"
        )
    }) {
        return false;
    }
    let by_other = words.windows(3).any(|w| {
        w[0] == "by"
            && (OTHERS.contains(&w[1])
                || OTHERS.contains(&w[2])
                || w[1] == "them"
                || w[1] == "him"
                || w[1] == "her")
    });
    let start = words
        .iter()
        .position(|w| !OPENERS.contains(w))
        .unwrap_or(words.len());
    let head = &words[start..words.len().min(start + 4)];
    let subject = match head.first() {
        Some(&("he" | "she" | "they" | "someone" | "somebody")) => true,
        Some(
            &("the" | "a" | "an" | "their" | "his" | "her" | "another" | "one" | "some" | "that"
            | "this"),
        ) => head[1..]
            .iter()
            .take(2)
            .any(|w| OTHERS.contains(&w.trim_end_matches("'s"))),
        Some(w) => OTHERS.contains(&w.trim_end_matches("'s")),
        None => false,
    };
    subject || by_other
}

/// Whether a negation is a verb's ("does not", "was never"), which negates the subject before it.
/// `cue` is lower case.
fn is_auxiliary_negation(cue: &str) -> bool {
    cue.ends_with("n't") || cue.ends_with(" not") || cue == "never"
}

/// Whether the words before a request name the candidate (I, we) as the one asking.
/// How many words may lie between something left undone and the name of what was left undone:
/// "switched the lockout off" (one), "before the security review was finished" (none).
const UNDONE_REACH: usize = 4;

/// Words that open a noun phrase: after "and" they bring in a subject of the clause's own.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "my", "our", "his", "her", "their", "its", "this", "that", "these", "those",
    "one", "some", "another", "your",
];

/// The words of `range`, lower-cased.
pub fn words_of<'d>(doc: &'d Document<'_>, range: Range<usize>) -> Vec<&'d str> {
    words_at(doc, range).map(|(w, _)| w).collect()
}

/// How many words `range` holds, leaving out a relative clause set off by commas ("The
/// assessment, which had been due before GA, was moved"): it does not part a control from what
/// happened to it.
fn words_outside_asides(doc: &Document<'_>, range: Range<usize>) -> usize {
    let lower = doc.lower();
    let a = doc.token_at(range.start);
    let b = doc.token_at(range.end);
    let tokens = &doc.tokens()[a..b];
    let mut words = 0;
    let mut aside = false;
    for (k, t) in tokens.iter().enumerate() {
        let text = &lower[t.range()];
        if t.kind == TokenKind::Punct && text == "," {
            aside = !aside
                && tokens
                    .get(k + 1)
                    .is_some_and(|n| matches!(&lower[n.range()], "which" | "who"));
        } else if t.kind == TokenKind::Word && !aside {
            words += 1;
        }
    }
    words
}

/// Whether `range` opens with a reason ("because", "since", "as"): a clause that tells why.
pub fn opens_with_reason(doc: &Document<'_>, range: Range<usize>) -> bool {
    words_at(doc, range)
        .next()
        .is_some_and(|(w, _)| matches!(w, "because" | "since" | "as"))
}

/// The words of `range`, lower case, with where each starts.
fn words_at<'d>(
    doc: &'d Document<'_>,
    range: Range<usize>,
) -> impl Iterator<Item = (&'d str, usize)> + 'd {
    let lower = doc.lower();
    let a = doc.token_at(range.start);
    let b = doc.token_at(range.end);
    doc.tokens()[a..b]
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .map(move |t| (&lower[t.range()], t.range().start))
}

/// Whether `range` holds a word of possibility ("could", "would", "might", "maybe") or asks
/// whether ("can we", "can I").
fn has_modal(doc: &Document<'_>, range: Range<usize>) -> bool {
    let words = words_of(doc, range);
    words.iter().any(|w| {
        matches!(
            *w,
            "could" | "would" | "might" | "maybe" | "perhaps" | "should"
        )
    }) || words
        .windows(2)
        .any(|w| w[0] == "can" && matches!(w[1], "we" | "i"))
}

/// Whose the last subject-like word in `range` is: `Some(true)` for the candidate's "I" or
/// "we", `Some(false)` for a personal pronoun or a word that brings in someone else ("they'd",
/// "previous", "predecessor", "someone"), `None` where there is none.
pub fn nearest_subject(doc: &Document<'_>, range: Range<usize>) -> Option<bool> {
    words_of(doc, range).iter().rev().find_map(|w| match *w {
        "i" | "we" | "i'd" | "we'd" | "i've" | "we've" | "i'm" | "we're" => Some(true),
        "he" | "she" | "they" | "he'd" | "she'd" | "they'd" | "he's" | "she's" | "they've"
        | "they're" | "someone" | "somebody" | "previous" | "predecessor" | "prior" | "who" => {
            Some(false)
        }
        _ => None,
    })
}

fn subject_is_candidate(doc: &Document<'_>, range: Range<usize>) -> bool {
    let a = doc.token_at(range.start);
    let b = doc.token_at(range.end);
    doc.tokens()[a..b]
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .any(|t| {
            let w = doc.norm_slice(t.range());
            w.eq_ignore_ascii_case("i") || w.eq_ignore_ascii_case("we")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, target: &str) -> (bool, bool, bool) {
        let doc = Document::new(text);
        let cues = Cues::find(&doc);
        let start = doc.norm().find(target).expect("target in text");
        let span = start..start + target.len();
        (
            cues.negated(&doc, span.clone()),
            cues.reported(&doc, span.clone()),
            cues.counterfactual(&doc, span),
        )
    }

    /// Whether `text` spells out its own act on the control words in it.
    fn own_undone(text: &str) -> bool {
        let doc = Document::new(text);
        let cues = Cues::find(&doc);
        let lower = doc.lower();
        let named: Vec<Range<usize>> = [
            "lockout",
            "review",
            "pen test",
            "questionnaire",
            "rule",
            "protection",
            "checks",
            "endpoint",
            "audit",
            "counters",
            "system",
        ]
        .iter()
        .filter_map(|w| lower.find(w).map(|at| at..at + w.len()))
        .collect();
        cues.own_undone(&doc, 0..doc.norm().len(), &named)
    }

    #[test]
    fn the_candidates_own_clause_leaving_a_control_undone_is_spelled_out() {
        for act in [
            "I switched the lockout off in the spring release.",
            "We started sending data before the review was finished.",
            "We moved the pen test to after launch.",
            "I let the agency skip our security questionnaire.",
            "So we set the rule to log-only, me and the head of engineering, for the on-sale.",
        ] {
            assert!(own_undone(act), "{act}");
        }
        for not in [
            // Negated, doubted, asked, someone else's, an alternative, a look-alike.
            "We never simply turn protection off.",
            "Maybe we could go without the review this once.",
            "Can we relax the login checks for the weekend?",
            "Our VP asked us to switch the rule off.",
            "I found the previous owner had taken the endpoint out of scope.",
            "Instead we served cached fares without calling the booking system.",
            "I signed off on falling back to local counters.",
            "We passed the audit without any issues.",
            "The plan was to switch the rule off for launch week.",
            "They switched the bot rule off.",
            // Something left undone, but not the thing named.
            "I approved the rule for every zone in one change, without a staged rollout.",
            "For the part we did ship, every check still ran.",
        ] {
            assert!(!own_undone(not), "{not}");
        }
    }

    #[test]
    fn refusal_negates_the_act() {
        assert!(check("I refused to skip the audit.", "skip the audit").0);
    }

    #[test]
    fn never_negates_the_act() {
        assert!(check("We never bypass review.", "bypass review").0);
    }

    #[test]
    fn was_never_an_option_negates_what_came_before() {
        let (neg, _, _) = check(
            "Skipping the pen test was never an option.",
            "Skipping the pen test",
        );
        assert!(neg);
    }

    #[test]
    fn plain_act_is_not_negated() {
        assert_eq!(
            check(
                "We skipped the security review to hit the date.",
                "skipped the security review"
            ),
            (false, false, false)
        );
    }

    #[test]
    fn negation_does_not_cross_a_clause() {
        let (neg, _, _) = check(
            "I didn't agree with it, but we skipped the review anyway.",
            "skipped the review",
        );
        assert!(!neg);
    }

    #[test]
    fn did_not_hesitate_is_not_a_negation() {
        let (neg, _, _) = check("I didn't hesitate to roll back the release.", "roll back");
        assert!(!neg);
    }

    #[test]
    fn a_negated_verb_right_after_the_match_negates_it() {
        let (neg, _, _) = check(
            "Move fast and break things does not work here.",
            "Move fast and break things",
        );
        assert!(neg);
    }

    #[test]
    fn would_have_right_after_the_match_is_counterfactual() {
        let (_, _, cf) = check(
            "A staged rollout would have caught the bug.",
            "staged rollout",
        );
        assert!(cf);
    }

    #[test]
    fn nothing_negates() {
        let (neg, _, _) = check(
            "Nothing goes straight to production here.",
            "goes straight to production",
        );
        assert!(neg);
    }

    #[test]
    fn someone_saying_it_is_their_words() {
        let (_, rep, _) = check(
            "My director said security was the security team's problem.",
            "security was the security team's problem",
        );
        assert!(rep);
    }

    #[test]
    fn a_vp_asking_is_someone_elses_words() {
        let (_, reported, _) = check("Our VP asked us to skip the review.", "skip the review");
        assert!(reported);
    }

    #[test]
    fn asking_whether_we_could_is_a_question_not_the_act() {
        let text = "Sales had promised the date, and my director asked whether we could ship \
                    behind a feature flag and fix it later.";
        assert!(check(text, "fix it later").2);
        assert!(check(text, "feature flag").2);
        // Whoever asks, the asking is not the doing.
        let text = "I asked whether we could launch before the pen test came back, and security \
                    said no.";
        assert!(check(text, "launch before the pen test came back").2);
    }

    #[test]
    fn someone_asking_security_for_an_exception_is_their_act() {
        let text = "The VP asked the CISO to grant an exception so we could ship.";
        assert!(check(text, "grant an exception").1);
        let (_, reported, _) = check(
            "I asked the CISO to grant an exception so we could ship.",
            "grant an exception",
        );
        assert!(!reported);
    }

    #[test]
    fn the_candidate_asking_is_their_own_act() {
        let (_, reported, _) = check("I pushed the team to skip the review.", "skip the review");
        assert!(!reported);
    }

    #[test]
    fn quotations_are_someone_elses_words() {
        let (_, reported, _) = check(
            "Sales kept saying \"just skip the pen test\".",
            "skip the pen test",
        );
        assert!(reported);
    }

    #[test]
    fn the_plan_is_the_candidates_unless_someone_else_owns_it() {
        let target = "skip the pen test";
        assert!(!check("The plan was to skip the pen test.", target).1);
        assert!(!check("Our plan was to skip the pen test.", target).1);
        assert!(check("Our VP's plan was to skip the pen test.", target).1);
        assert!(check("Their plan was to skip the pen test.", target).1);
    }

    #[test]
    fn a_counterfactual_cue_may_take_in_the_first_words() {
        let (_, _, cf) = check(
            "Had I pushed back on the date, we would have shipped safely.",
            "I pushed back",
        );
        assert!(cf);
        let (_, _, cf) = check("I pushed back on the date.", "I pushed back");
        assert!(!cf);
    }

    #[test]
    fn would_have_is_counterfactual() {
        let (_, _, cf) = check(
            "We found a bug that would have exposed customer data.",
            "exposed customer data",
        );
        assert!(cf);
    }
}

//! The context rules of RUBRIC.md: negation and refusal, other people's words, counterfactuals.
//! (Questions are a property of the sentence, in [`Document::is_question`].)
//!
//! These are English grammar, not a company's judgment, so they live in the code rather than in
//! the pack. Cues are found once per answer with one automaton; each candidate finding then looks
//! only at the cues of its own clause.

use std::ops::Range;
use std::sync::OnceLock;

use crate::phrases::{PhraseSet, PhraseSetBuilder};
use crate::text::{Document, TokenKind};

/// What a cue says about the words after (or before) it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Negates or refuses what follows: "never", "refused to", "didn't".
    NegationBefore,
    /// Negates what came before: "... was never an option".
    NegationAfter,
    /// Looks like a negation but is not: "not only", "didn't hesitate to".
    NotNegation,
    /// Someone asks or pushes for what follows: "asked us to", "wanted to".
    Reported,
    /// What follows is hypothetical or averted: "would have", "nearly".
    Counterfactual,
}

/// Words between a negation and what it governs, at the most.
const NEGATION_REACH: usize = 10;

/// Words between the end of a match and a negation or counterfactual right after it ("move fast
/// and break things does not work here", "a canary would have caught it"), at the most.
const AFTER_REACH: usize = 1;

const NEGATION_BEFORE: &[&str] = &[
    "not",
    "never",
    "no",
    "nobody",
    "no one",
    "nothing",
    "none of",
    "neither",
    "nor",
    "without",
    "cannot",
    "{didn't|don't|doesn't|wasn't|weren't|won't|wouldn't|couldn't|shouldn't|can't|isn't|aren't|hasn't|haven't|hadn't|mustn't|needn't}",
    "{did|do|does|was|were|would|could|should|will|is|are|has|have|had|must} not",
    "{refused|refuse|refuses|refusing} to",
    "{declined|decline|declining} to",
    "{rejected|reject|rejecting|rejects}",
    "{resisted|resist|resisting}",
    "{avoided|avoid|avoiding}",
    "{prevented|prevent|preventing}",
    "{stopped|stop} {us|them|the team|anyone|sales|leadership|him|her|my team|engineering} from",
    "{kept|keep} {us|them|the team|anyone|sales|leadership|him|her|my team|engineering} from",
    "against",
    "instead of",
    "rather than",
    "{pushed|push|pushing} back on",
    "said no to",
    "{talked|talk} {them|him|her|the team|sales|leadership|the vp} out of",
    "no longer",
];

const NEGATION_AFTER: &[&str] = &[
    "{was|is|were|would be|would have been|will be} {never|not|no longer} {an option|on the table|acceptable|allowed|something i would accept|something we do|how we work}",
    "{wasn't|isn't|weren't} {an option|on the table|acceptable|allowed}",
    "{was|is|were} {off the table|out of the question|a non-starter|unacceptable|never going to happen|rejected|not happening|not up for debate}",
    "{never|didn't|did not} happen",
];

const NOT_NEGATION: &[&str] = &[
    "not only",
    "not just",
    "no later than",
    "no matter",
    "no doubt",
    "{didn't|did not|don't|never} hesitate",
    "{couldn't|could not} wait",
    "{without|with no} {delay|hesitation|waiting}",
    "no less than",
    "not least",
    "{protect|protected|protecting|protects|guard|guarded|guarding|defend|defended|defending|harden|hardened|hardening|test|tested|testing|validated|checked|benchmarked|weighed|hedged|insured|safeguard|safeguarded} against",
];

const REPORTED: &[&str] = &[
    "{asked|told|pushed|pressured|urged|wanted|expected|needed|begged|instructed|ordered|encouraged|directed} {us|me|the team|my team|engineering|them|everyone|the engineers|him|her|} to",
    "{asking|telling|pushing|pressuring|urging} {us|me|the team|my team|engineering|them|everyone|} to",
    "{pressure|a push|the push|a request|the request|a mandate|the mandate|an ask|the ask} to",
    "{suggested|proposed|demanded|requested|recommended|insisted|argued|lobbied} {that|on|for|we|to|}",
    "{suggesting|proposing|demanding|requesting|insisting|arguing|lobbying} {that|on|for|we|to|}",
    "{wanted|wants} to",
    "{the plan|the idea|the proposal|the suggestion} was to",
    "said we should",
    "{said|says|claimed|claims|thought|believed|insisted|argued|felt} {that|}",
    "{pushing|pushed} for",
];

const COUNTERFACTUAL: &[&str] = &[
    "{would|could|might|should|must} have",
    "{would've|could've|might've|should've|must've}",
    "{would|could} otherwise",
    "nearly",
    "almost",
    "narrowly",
    "{if we had|if i had|if we'd|if i'd|if they had|if we hadn't|if i hadn't|had we|had i}",
    "had {we|i|they} not",
    "what if",
    "{at risk of|in danger of|risk of|risked|threatened to}",
    "{was|were} about to",
    "{could|would|might} {potentially|easily}",
];

/// Adds every cue template to a phrase set, keyed by `key(cue)`, so that a caller matching its
/// own phrases finds the cues in the same pass.
pub fn add_cues<K: Copy + PartialEq>(b: &mut PhraseSetBuilder<K>, key: impl Fn(Cue) -> K) {
    let lists = [
        (Cue::NegationBefore, NEGATION_BEFORE),
        (Cue::NegationAfter, NEGATION_AFTER),
        (Cue::NotNegation, NOT_NEGATION),
        (Cue::Reported, REPORTED),
        (Cue::Counterfactual, COUNTERFACTUAL),
    ];
    for (cue, list) in lists {
        let templates: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        b.add(key(cue), &templates)
            .expect("built-in cue templates are valid");
    }
}

fn cue_set() -> &'static PhraseSet<Cue> {
    static SET: OnceLock<PhraseSet<Cue>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut b = PhraseSet::builder();
        add_cues(&mut b, |c| c);
        b.build()
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
        hits.sort_by_key(|(_, r)| (r.start, r.end));
        Cues { hits }
    }

    fn in_range(&self, range: Range<usize>) -> impl Iterator<Item = &(Cue, Range<usize>)> {
        let first = self.hits.partition_point(|(_, r)| r.start < range.start);
        self.hits[first..]
            .iter()
            .take_while(move |(_, r)| r.start < range.end)
            .filter(move |(_, r)| r.end <= range.end)
    }

    fn excepted(&self, r: &Range<usize>) -> bool {
        self.hits
            .iter()
            .any(|(c, e)| *c == Cue::NotNegation && e.start <= r.start && r.end <= e.end)
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

    /// Whether `span` is hypothetical or averted in its clause: a cue before it, or one right
    /// after it ("a staged rollout would have caught the bug").
    pub fn counterfactual(&self, doc: &Document<'_>, span: Range<usize>) -> bool {
        let clause = doc.clauses()[doc.clause_of(span.start)];
        self.in_range(clause.start..span.start)
            .any(|(c, _)| *c == Cue::Counterfactual)
            || self.in_range(span.end..clause.end).any(|(c, r)| {
                *c == Cue::Counterfactual && doc.words_between(span.end..r.start) <= AFTER_REACH
            })
    }
}

/// Whether a negation is a verb's ("does not", "was never"), which negates the subject before it.
/// `cue` is lower case.
fn is_auxiliary_negation(cue: &str) -> bool {
    cue.ends_with("n't") || cue.ends_with(" not") || cue == "never"
}

/// Whether the words before a request name the candidate (I, we) as the one asking.
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
    fn would_have_is_counterfactual() {
        let (_, _, cf) = check(
            "We found a bug that would have exposed customer data.",
            "exposed customer data",
        );
        assert!(cf);
    }
}

//! The cue phrases of the context rules: English grammar, not a company's judgment, so they live
//! in the code rather than in a pack. This file has no dependencies: the build script reads it
//! too, to compile the default pack's phrases together with these at build time.

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
    /// The candidate goes along with what someone else asked: "which I agreed to", "so we did".
    Agreed,
    /// A check was completed: "the review finished", "the pen test came back clean".
    Done,
    /// Something was left undone or put off: "still", "after launch", "without", "skipped".
    Undone,
    /// What follows was only planned, prepared or tempting: "the plan was to", "had drafted a
    /// risk exception to", "was approved in the change calendar".
    Planned,
    /// The candidate stopping a plan: "I stopped that", "had it pulled", "I withdrew it".
    Stopped,
    /// Looks like something left undone and is not: "signed off", "without any issues".
    NotUndone,
    /// The candidate letting someone else do what follows: "I let the vendor's team".
    Permitted,
}

/// Negations and refusals of what follows.
pub const NEGATION_BEFORE: &[&str] = &[
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

/// Negations of what came before.
pub const NEGATION_AFTER: &[&str] = &[
    "{was|is|were|would be|would have been|will be} {never|not|no longer} {an option|on the table|acceptable|allowed|something i would accept|something we do|how we work}",
    "{wasn't|isn't|weren't} {an option|on the table|acceptable|allowed}",
    "{was|is|were} {off the table|out of the question|a non-starter|unacceptable|never going to happen|rejected|not happening|not up for debate}",
    "{never|didn't|did not} happen",
];

/// Phrases that look like negations and are not.
pub const NOT_NEGATION: &[&str] = &[
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

/// Someone (maybe not the candidate) asking or pushing for what follows.
pub const REPORTED: &[&str] = &[
    "{asked|told|pushed|pressured|urged|wanted|expected|needed|begged|instructed|ordered|encouraged|directed} {us|me|the team|my team|engineering|them|everyone|the engineers|him|her|} to",
    // Speech told colloquially: "my sales lead is like, can we just turn it on".
    "{is|was|were|goes|went} like",
    // "Our VP asked me in a meeting to move the pen test": the request with words in between.
    "{asked|told|pushed|pressured|urged|begged|instructed|ordered} {me|us|the team|my team|engineering|everyone|the engineers}",
    "{asking|telling|pushing|pressuring|urging} {us|me|the team|my team|engineering|them|everyone|} to",
    "{asked|told|pushed|pressured|urged|begged|lobbied|wanted|expected|needed|asking|pushing|pressuring|urging|lobbying} {the|our|my} {CISO|security lead|security team|CTO|CEO|VP|director|manager|legal team|auditor|auditors|compliance team} to",
    "{asked|pushed|pressured|urged|begged|lobbied} {security|legal|compliance|infosec|appsec} to",
    "{pressure|a push|the push|a request|the request|a mandate|the mandate|an ask|the ask} to",
    "{suggested|proposed|demanded|requested|recommended|insisted|argued|lobbied} {that|on|for|we|to|}",
    "{suggesting|proposing|demanding|requesting|insisting|arguing|lobbying} {that|on|for|we|to|}",
    "{wanted|wants} to",
    // Someone else's plan; "the plan was to" and "our plan was to" are the candidate's own.
    "{their|his|her|sales'|leadership's|legal's|marketing's|finance's} {plan|idea|proposal|suggestion} was to",
    "{the|our|my} {vp's|ceo's|cto's|cfo's|manager's|director's|boss's|customer's|client's|exec's|executive's} {plan|idea|proposal|suggestion} was to",
    "said we should",
    "{said|says|claimed|claims|thought|believed|insisted|argued|felt} {that|}",
    "{pushing|pushed} for",
    "{offered|offering|volunteered} to",
];

/// What follows is hypothetical or averted.
pub const COUNTERFACTUAL: &[&str] = &[
    "{would|could|might|should|must} have",
    // A scenario put to someone, a suggestion, a proposal: talked about, not done.
    "{suppose|supposing|let's say|lets say|imagine|imagine if|picture this|hypothetically|in theory|theoretically|in a scenario where|as a scenario}",
    "{can|could|should|shall} we {just|simply|not just|maybe}",
    "{why don't we|why not just|how about we|what about we}",
    "{the|a|one|their|his|her|an|that} {proposal|suggestion|idea|option|temptation|proposed plan|fallback plan|plan b} {in the team |from sales |from the business |on the table |}{was|were|would be|would have been|is} to",
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
    // "My director asked whether we could ship it and fix it later": asked about, not done, by
    // whoever asks.
    "{asked|asking|wondered|wondering} {whether|if}",
    "wanted to know {whether|if}",
];

/// The candidate going along with someone else's request: then it is the candidate's act too.
pub const AGREED: &[&str] = &[
    "{i|we} {agreed|went along|gave in|caved|relented|conceded|said yes|said fine|said ok|said okay|okayed|ok'd|approved|signed off|accepted|let it go|let it happen|let them}",
    "{which|and} {i|we} {agreed to|went along with|approved|accepted|signed off on|okayed|allowed}",
    "{so|and} {we|i} {did|did it|did just that|went ahead|shipped it|launched it}",
    "{i|we} {didn't|did not} {push back|object|argue|fight it|say no}",
];

/// A check completed.
pub const DONE: &[&str] = &[
    "{finished|completed|passed|cleared|closed out|wrapped up|came back clean|came back|concluded|was signed off|were signed off|got signed off|was done|were done|got done|was complete|were complete|was finished|were finished|was closed|were closed|was fixed|were fixed|got fixed}",
    // A check that reported something has run: "the review found that the flow skipped re-auth".
    "{review|audit|pen test|pentest|penetration test|threat model|assessment|testers|auditor|auditors} {found|turned up|caught|flagged|retested|re-tested|signed}",
    "{retested|re-tested}",
    // "With replay detection that had been tested"; "security signed ten days later".
    "{had been|has been|have been|was|were|got} {tested|pen-tested|pentested|reviewed|audited|threat-modelled|threat-modeled}",
    "{security|appsec|infosec|the security team} {signed|signed off|approved|cleared}",
];

/// Something left undone, put off or weakened.
pub const UNDONE: &[&str] = &[
    "{still|yet|pending|outstanding|in flight|in progress|underway|ongoing|unfinished|incomplete|half|partly|partially|draft|open}",
    "{without|skip|skipped|skipping|bypass|bypassed|waive|waived|defer|deferred|postpone|postponed|park|parked|lapse|lapsed|slide|slid|ignore|ignored|anyway|regardless|known}",
    "{after launch|after the launch|after go-live|after ga|after we launched|after we shipped|after we went live|post-launch|next sprint|next release|next cycle|later|afterwards|fast-follow|in parallel|alongside}",
    "{off|disabled|disable|removed|remove|relaxed|loosened|eased|optional|monitor-only|log-only|permissive|exempt|carved out|out of scope}",
    // "I had the gateway stop validating the client certificates".
    "{stop|stopped|stopping|stops} {validating|checking|verifying|enforcing|scanning|logging|requiring|inspecting|blocking}",
    // "I shipped with the bug in".
    "with the {bug|flaw|hole|vulnerability|vuln|defect|issue|finding|findings} {still |}{in|there|unfixed|unpatched}",
    "{pushed|moved|bumped|slipped} {to|back|out|past|until|into}",
    "before {the|that|this|our|their} {review|security review|audit|pen test|penetration test|testing|assessment|threat model|sign-off|questionnaire|fieldwork} {was|were|had been|had} {finished|done|complete|completed|closed|signed off}",
    "before {it|they|that|this} {was|were|had been|had} {finished|done|complete|completed|closed|signed off}",
    "before {the|that|this|our|their} {review|security review|audit|pen test|penetration test|testing|assessment|threat model|sign-off|questionnaire|fieldwork|report} {finished|completed|closed|ended|wrapped up|came back|came in|landed}",
];

/// A plan, a prepared change or a temptation: not yet done.
pub const PLANNED: &[&str] = &[
    // "The plan my team brought me was to park the audit": "was to" and a verb is a plan.
    "{was|were|had been} to {let|skip|ship|launch|go|turn|switch|disable|park|push|move|defer|waive|run|keep|remove|drop|accept|sign|open|release|flip|bypass|leave|allow|exempt|relax|postpone|delay|pull|cut|take|finish|complete|do|close}",
    "{had prepared|had drafted|had raised|had filed|had opened|had put in|had lined up|had queued|prepared|drafted|raised|filed|queued|filing|drafting|preparing|raising} {a|an|the} {change|change ticket|ticket|change request|request|risk exception|exception|waiver|pull request|config change|plan}",
    "{with|had|made|drew up|drawn up} a plan to",
    // The candidate asking an engineer for the change: a request until it ships.
    "{i|we} asked {one of the engineers|one of our engineers|an engineer|the engineers|our engineers|my engineers|engineering|the team|the devs|a developer|the on-call engineer} to",
    "{was|were|had been} {already |}{approved|scheduled|planned|booked|queued|lined up|pencilled in|penciled in|on the calendar|in the change calendar} {to|for|in}",
    "{was|were|i was|we were} {tempted|planning|intending|about|ready|set|going|gearing up} to",
    "{tempted|planning|intending} to",
    "{planned|intended} to",
    // "There was a proposal on the table to waive the sign-off": a proposal is a plan.
    "{a|the|one|that|this} {proposal|suggestion|idea|option} {on the table |floated |raised |}to",
    "{wanted|wants|wanting} to",
    // "Their suggestion was that we launch anyway"; "the tempting cut was the threat model".
    "{suggestion|proposal|idea|plan|ask|request|advice} was that",
    "{the|a|one|an} tempting {cut|option|move|shortcut|call|answer|thing to do|fix}",
];

/// The candidate stopping what was planned.
pub const STOPPED: &[&str] = &[
    "{i|we|and|then|so|but} {stopped|pulled|cancelled|canceled|withdrew|blocked|vetoed|killed|scrapped|reversed|rejected|overruled|refused|declined|halted|froze|called off|backed out of|turned down|put a stop to|struck|removed|refused to|declined to} {it|that|this|them|the|its|their|his|her|our|my|to}",
    "{had|got} {it|them|that|the change|the ticket|the exception} {pulled|cancelled|canceled|stopped|reverted|withdrawn|taken off|blocked|rolled back}",
    "{i|we} {changed|put|set|switched|turned} it back",
    "{i|we} said no",
    // "..., which the client's CISO rejected": someone with the say stopped it.
    "{which|that} {the|our|their|his|her|its|a|my} {ciso|client's ciso|customer's ciso|security team|security lead|board|committee|cab|change board|director|vp|head of security|client|customer|legal team|sponsor|cto} {rejected|vetoed|turned down|shot down|overruled|blocked|killed|scrapped}",
    "{which|that} {was|were|got} {rejected|vetoed|turned down|shot down|overruled|blocked|killed|scrapped}",
    "{that|which|this|it} {ended|killed|sank|stopped} the {plan|idea|proposal|waiver|request|change|ticket}",
    "{i|we} {didn't|did not|wouldn't|would not|refused to} go along with",
];

/// Look-alikes of something left undone: approving is not switching off, and a clean result is
/// not a skipped check.
pub const NOT_UNDONE: &[&str] = &[
    "{signed|sign|signs|signing} off",
    // A launch that waited: "we launched ten days later" is a delay, not a check put off.
    "{launched|shipped|released|went live|went ga|launch|ship|go live} {a|a few|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|several|some} {day|days|week|weeks|month|months} later",
    "without {any|a single|a hitch|a glitch|issues|incident|incidents|problems|findings}",
    // A check that finished later, then the launch: "security signed ten days later".
    "{signed|signed off|approved|cleared|passed|finished|completed|closed|wrapped up} {a|a few|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|several|some} {day|days|week|weeks|month|months} later",
    // A further check after the launch: "a follow-up pen test two months later found nothing".
    "{follow-up|followup|second|repeat|annual|routine|regular|quarterly|fresh} {pen test|pentest|penetration test|test|review|audit|scan|retest|assessment} {a|a few|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|some} {day|days|week|weeks|month|months|quarter|quarters|year|years} later",
    // A control that went on working: "every check still ran" (but "still running" is undone).
    "still {ran|applied|held|holds|applies|in place|enforced|required|worked|works|on|active|blocking}",
];

/// The candidate letting someone else act: then the act is the candidate's call too. Kept apart
/// from [`AGREED`], which the learned layer's features read, so that models stay as trained.
pub const PERMITTED: &[&str] = &[
    "{i|we} {let|allowed|permitted} {the|our|their|his|her|him|them|that|this|its}",
    "{with|on} my {agreement|approval|sign-off|say-so|blessing|okay|go-ahead}",
];

/// Every cue list, in the order the analyzer adds them.
pub const CUE_LISTS: [(Cue, &[&str]); 12] = [
    (Cue::NegationBefore, NEGATION_BEFORE),
    (Cue::NegationAfter, NEGATION_AFTER),
    (Cue::NotNegation, NOT_NEGATION),
    (Cue::Reported, REPORTED),
    (Cue::Counterfactual, COUNTERFACTUAL),
    (Cue::Agreed, AGREED),
    (Cue::Done, DONE),
    (Cue::Undone, UNDONE),
    (Cue::Planned, PLANNED),
    (Cue::Stopped, STOPPED),
    (Cue::NotUndone, NOT_UNDONE),
    (Cue::Permitted, PERMITTED),
];

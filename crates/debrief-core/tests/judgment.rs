//! The judge with its learned layer, as the committee reads an answer: the source article's own
//! BAD and GOOD examples, the context rules on the disqualifier in words no phrase lists, and a
//! follow-up judged as a follow-up.

use debrief_core::{builtin, Analyzer, Judgment, Severity, Verdict};

fn analyzer() -> Analyzer {
    let a = Analyzer::new(builtin::pack().expect("the built-in pack loads")).expect("compiles");
    assert!(a.learned().is_some(), "the built-in pack ships its model");
    a
}

fn rules(j: &Judgment) -> Vec<String> {
    j.findings.iter().map(|f| f.rule.to_string()).collect()
}

fn has(j: &Judgment, competency: &str, severity: Severity) -> bool {
    j.findings
        .iter()
        .any(|f| *f.competency == *competency && f.severity == severity)
}

#[test]
fn the_articles_bad_and_good_examples_are_judged_as_the_article_judges_them() {
    let a = analyzer();
    let check = |t: &str| a.check_follow_up(t, None).unwrap();
    // Mistake 1: speed over security is a disqualifier; the delay for the audit is a strength.
    let bad = check("We launched the new dashboard in two weeks by skipping the full security audit to beat the competitor.");
    assert!(bad.disqualified, "{:?}", rules(&bad));
    let good = check("We delayed the dashboard launch by three weeks to complete a full security audit, identifying a critical vulnerability that would have exposed user data.");
    assert!(!good.disqualified, "{:?}", rules(&good));
    assert!(
        has(&good, "safety-over-speed", Severity::Strength),
        "{:?}",
        rules(&good)
    );
    assert!(
        has(&good, "security-first", Severity::Strength),
        "{:?}",
        rules(&good)
    );
    assert!(good.score > bad.score);
    // Mistake 2: fluff against a mechanism with a number.
    let bad = check("We used the cloud to make it faster and scalable for everyone.");
    assert!(
        has(&bad, "technical-precision", Severity::Concern),
        "{:?}",
        rules(&bad)
    );
    assert!(
        !has(&bad, "technical-precision", Severity::Strength),
        "{:?}",
        rules(&bad)
    );
    let good = check("We leveraged edge nodes to reduce latency by caching static assets closer to the user, cutting TTFB by 40%.");
    assert!(
        has(&good, "technical-precision", Severity::Strength),
        "{:?}",
        rules(&good)
    );
    assert!(good.score > bad.score);
    // Mistake 3: blame against ownership.
    let bad = check("Engineering couldn't finish the API in time, so we missed the quarter goals.");
    assert!(
        has(&bad, "ownership", Severity::Concern),
        "{:?}",
        rules(&bad)
    );
    let good = check("We underestimated the complexity of the rate-limiting logic, so I worked with the team to scope down the initial release to meet the critical path.");
    assert!(
        has(&good, "ownership", Severity::Strength),
        "{:?}",
        rules(&good)
    );
    assert!(
        !has(&good, "ownership", Severity::Concern),
        "{:?}",
        rules(&good)
    );
    assert!(good.score > bad.score);
    // The committee's other red flags in the article.
    for t in [
        "I bragged to my manager that we moved fast and broke things.",
        "I proved the engineering lead wrong in front of the whole team and overruled him.",
        "Honestly the outage was a great learning opportunity for all of us.",
    ] {
        let j = check(t);
        assert!(
            j.findings.iter().any(|f| f.severity.is_red()),
            "{t}: {:?}",
            rules(&j)
        );
        assert!(
            !j.findings.iter().any(|f| f.severity == Severity::Strength),
            "{t}: {:?}",
            rules(&j)
        );
    }
}

#[test]
fn the_act_in_words_no_phrase_lists_disqualifies() {
    let a = analyzer();
    for t in [
        "I okayed going live while the audit was still running.",
        "We agreed the threat model could happen after GA, and shipped on the Monday.",
        "We switched the bot rule off for launch week so the campaign traffic would get through.",
        "The review got pushed to after launch, which I agreed to.",
        "We went live without waiting for the pen test report.",
        // Read by the model under its threshold, and told plainly: the spelled-out bar.
        "We put the new login page live before the pen test had finished.",
        "I turned the login code off for the support team to stop the complaints.",
        // Someone else asked, and the candidate went along or let them.
        "Our VP wanted us to skip the pen test to make the date, which I agreed to.",
        "I let the agency skip our security questionnaire so they could integrate by the 29th.",
        // A vendor in the sentence does not make the candidate's act someone else's.
        "I let the vendor's team skip our security questionnaire, and the widget went live on the 29th.",
        "We skipped the vendor's pen test to make the launch date.",
        // Read as a refusal nearly as much as the act: the sentence spells the act out.
        "I moved the security review to the week after launch, my own decision.",
        // A shortcut that is no security control beside one that is: the security one counts.
        "We dropped the usability pass and skipped the security review to get it out by Friday.",
        // A clause of time whose subject is the check, the candidate's clause beside it.
        "While the penetration test was still underway, we turned the feature on for every tenant.",
        // A plan told after the act does not make the act a plan.
        "We turned the password-reset throttle off for launch, with a plan to add a smarter one in the autumn.",
        // A clause joined on with "and" takes the subject of the one before it, when it has
        // none of its own or its subject is the control itself.
        "I called the CISO's office, argued the importer was low risk, and got the threat model waived for the pilot.",
        "I decided we go live for the pilot bank in May, and the audit is waived for this release.",
        // The candidate's consent makes a subjectless act theirs, past a relative clause.
        "The SOC 2 evidence review, which had been due before launch, was moved to the next quarter with my approval.",
        // A purpose told after the act does not make it hypothetical.
        "I made the call to turn off the audit logging on the ingest nodes for launch week so the disks would not fill.",
        // What the candidate had a component stop doing, and a known bug shipped.
        "To unblock the partner, I had the edge stop checking the client certificate chain on their endpoint for two weeks.",
        "We released 3.2 with the bug still in and put a rule in front of it.",
        // The act is told in its own clause, not in the reason given for it.
        "- Security review: moved to post-GA, my call, because the vendor couldn't begin until May.",
        // The launch first, and the check told as finished after it.
        "We went live for all forty schools in September, and the pen test wrapped up three weeks later.",
        "The API launched on schedule, but the threat model for it was only finished a month after.",
        // "To exploit" tells how bad the known flaw was, not that someone else exploited it.
        "We went to general availability with two high findings from the pen test still open, as they needed a signed-in session to exploit.",
        // The audit log named in everyday words in the sentence before.
        "An engineer found the slowness came from the record we keep of who looked at each patient file. I had him switch that record off for launch week so the complaints would stop.",
        // A strength told in the lead-up does not undo the act told after it.
        "Our canary showed error rates flat at 0.02%, and so, while the pen test was still running, we turned it on for every customer ahead of plan.",
    ] {
        let j = a.check_follow_up(t, None).unwrap();
        assert!(j.disqualified, "{t}: {:?}", rules(&j));
    }
}

#[test]
fn a_refusal_someone_elses_act_a_hypothetical_a_question_or_a_lesson_does_not_disqualify() {
    let a = analyzer();
    for t in [
        "Our VP asked me in a meeting to move the pen test to after the launch, and I said no.",
        "A competitor had skipped its audit to launch first, and it showed.",
        "I would rather miss the quarter than waive the audit.",
        "If we had skipped the pen test, the broken tenant isolation would have shipped.",
        "Should we have launched before the security review came back?",
        "The lesson I took away: never ship before the pen test is done.",
        "The security review finished on Tuesday and we launched on Thursday.",
        "The proposal in the team was to ship with certificate checks off, and I stopped it.",
        // Someone else's act, told with the candidate in the sentence.
        "Later we heard, from people who had left them, that they'd skipped their security review.",
        "The donor's programme officer wanted us to launch before the harvest and to skip the external pen test.",
        "We'd planned to put the beta on a public URL without a login for the demo, and scrapped that.",
        "The vendor skipped their own pen test before we signed, so we ran one ourselves.",
        "I refused to move the security review to after launch, my own decision.",
        "There was a proposal on the table to waive the vendor security sign-off, which the client's CISO rejected.",
        // A shortcut that is no security control, with the security check kept.
        "We skipped the copy review of the help pages and kept the security review of the API.",
        // The launch told after the check was told completed.
        "The external auditors retested both fixes on the Thursday. Launch went ahead the following Monday.",
        "The review found that the reset link never expired, so we fixed it. We shipped eight days later.",
        // The condition of an "if" weighed, not done.
        "I did the sums: if we skip the pen test, we can go live in March and keep the contract.",
        // A plan stopped a few sentences on, once the story of how is told.
        "The plan was to waive the threat model for the importer. I had the exception drafted. Then our AppSec lead showed me how a crafted file could run a formula. I withdrew the exception the same day.",
        "Their suggestion was that we launch anyway and finish the review in the next sprint. I did not go along with that.",
        // Someone else's act in a clause joined on with "and" and a subject of its own.
        "While I was away at a conference, the customer escalated, and our CTO pushed a build that made the lockout optional.",
        // A temptation that leaves nothing undone in its own sentence.
        "The obvious cut was tempting: the threat model for the new upload service. I would rather lose the feature than ship an unreviewed parser, and we dropped the feature.",
        // The check completing later, then the launch.
        "We fixed the certificate pinning that week, security signed off nine days later, and we went GA then.",
        "We launched a month after the competitor, with a fraud model that had been pen-tested.",
        "The pen test wrapped up on the Friday, and we launched three weeks later.",
        // A launch that waited for the check, and a further check after it.
        "We went live in May once the pen test was closed, and a follow-up test two months later found nothing new.",
        "We went live in May, and the follow-up pen test two months later found nothing new.",
        "We went live on the 3rd; the incident review happened a week later and produced four action items.",
        "They launched their copy of our feature, and their security review finished weeks later.",
        // A control replaced by a better one, the reason told after the act.
        "We dropped the old manual approval step because automated checks in the pipeline had replaced it and did the job better.",
    ] {
        let j = a.check_follow_up(t, None).unwrap();
        assert!(!j.disqualified, "{t}: {:?}", rules(&j));
    }
}

#[test]
fn a_pointed_follow_up_is_judged_as_a_follow_up() {
    let a = analyzer();
    let reply =
        "In the first ten minutes I rolled the config back to the previous version, paged the \
                 DNS on-call and posted on the status page. Error rates fell from 30% to under 1% \
                 within six minutes, and the post-mortem added a canary stage so a bad push now \
                 reaches one colo first.";
    let j = a.check_follow_up(reply, None).unwrap();
    assert!(j.verdict >= Verdict::NoHire, "{:?} {}", j.verdict, j.score);
    assert!(j.score >= 50, "{} {:?}", j.score, rules(&j));
    assert!(!rules(&j).iter().any(|r| r == "too-short"));
    assert!(
        has(&j, "crisis-containment", Severity::Strength),
        "{:?}",
        rules(&j)
    );
}

#[test]
fn a_finding_about_the_whole_answer_points_at_no_words() {
    let j = analyzer().check("We shipped it.", None).unwrap();
    let short = j
        .findings
        .iter()
        .find(|f| &*f.rule == "too-short")
        .expect("a five-word answer is too short");
    assert_eq!((short.start, short.end), (0, 0));
    assert!(short.text.is_empty());
}

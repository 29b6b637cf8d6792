//! The explain drill, topic by topic, with the built-in explain model: a good explanation in
//! other words than the pack's own sample passes, and every misconception's examples (stated
//! plainly, and denied in the same words) are caught or left alone as the pack says.
//!
//! `explain/paraphrases.json` holds one good explanation per topic, written for this test by a
//! helper from the topics' ideas and listener prompts, in its own words (not the pack's phrases).

use std::collections::BTreeMap;

use debrief_core::{builtin, explain};

#[test]
fn a_paraphrased_good_explanation_of_every_topic_passes() {
    let pack = builtin::pack().unwrap();
    let model = builtin::explain_model();
    assert!(model.is_some(), "the built-in pack ships its explain model");
    let explainer = explain::Explainer::new(&pack, model.as_ref());
    let texts: BTreeMap<String, String> =
        serde_json::from_str(include_str!("explain/paraphrases.json")).unwrap();
    assert_eq!(texts.len(), pack.topics.len());
    let mut failed = Vec::new();
    for t in &pack.topics {
        let text = texts
            .get(&t.id)
            .unwrap_or_else(|| panic!("no paraphrase of {}", t.id));
        let e = explainer.judge(t, text).unwrap();
        if !e.passed {
            failed.push(format!("{}: score {}: {:?}", t.id, e.score, e.advice));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn every_misconception_is_caught_when_stated_and_left_alone_when_denied() {
    let pack = builtin::pack().unwrap();
    let model = builtin::explain_model();
    let (ran, failures) = explain::verify(&pack, model.as_ref());
    let misconceptions: usize = pack.topics.iter().map(|t| t.misconceptions.len()).sum();
    assert!(misconceptions >= 5 * pack.topics.len());
    assert!(pack.topics.iter().all(|t| t.misconceptions.len() >= 5));
    assert!(ran >= misconceptions * 4, "{ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A negation counts where the claim's own words are. A claim whose consequence is put with a
/// "no" ("so no site is ever overloaded") is still stated, and a claim whose own words are a
/// negation ("no one is on the hook") is not denied by them; the same claims with the negation
/// put on their words are denied.
#[test]
fn a_negation_outside_the_claims_own_words_does_not_deny_it() {
    stated_and_denied(&[
        (
            "anycast-routing",
            "least-busy",
            "Anycast gives every site one shared address. Because it checks how busy each site is first, it spreads visitors evenly, so no site is ever overloaded.",
            "Anycast gives every site one shared address. It does not check how busy each site is, so no site is protected from overload by it.",
        ),
        (
            "incident-postmortem",
            "blameless-means-unaccountable",
            "After an outage we write a post-mortem. Blameless means no one is on the hook afterwards, so the action items are optional.",
            "After an outage we write a post-mortem. Blameless doesn't mean no one is on the hook: the action items have owners and dates.",
        ),
    ]);
}

/// "can still" corrects a claim, with a word between the two as well ("can often still", "could
/// usually still"): the model's reading of the claim is not believed there, while the claim put
/// plainly is caught.
#[test]
fn a_claim_corrected_with_can_still_is_left_alone() {
    let pack = builtin::pack().unwrap();
    let model = builtin::explain_model();
    let explainer = explain::Explainer::new(&pack, model.as_ref());
    let topic = pack.topics.iter().find(|t| t.id == "dnssec-doh").unwrap();
    let caught = |text: &str| {
        explainer
            .judge(topic, text)
            .unwrap()
            .errors
            .iter()
            .any(|e| e.id == "doh-hides-all-browsing")
    };
    let stated = "Once DNS over HTTPS is on, your internet provider has no way to tell which websites you visit.";
    assert!(caught(stated), "{stated}");
    for corrected in [
        "Once DNS over HTTPS is on, your internet provider can usually still tell which websites you visit.",
        "Once DNS over HTTPS is on, your internet provider could often still tell which websites you visit.",
        "Once DNS over HTTPS is on, your internet provider can still tell which websites you visit.",
    ] {
        assert!(!caught(corrected), "{corrected}");
    }
}

/// A claim the model is near certain of is caught even where the idea it contradicts is stated
/// rightly elsewhere (the contrast rule otherwise takes the sentence for the old way being
/// described), and "without" names what was missing without denying the claim around it. A
/// negation on the claim's own words still denies it.
#[test]
fn a_sure_claim_beside_the_right_idea_and_a_claim_put_with_without_are_caught() {
    stated_and_denied(&[
        (
            "cdn-caching",
            "replaces-origin",
            "Your own server keeps the original files, and the CDN keeps copies near visitors. Once the CDN is in front, you can switch your own server off for good.",
            "Your own server keeps the original files, and the CDN keeps copies near visitors. Even with the CDN in front, you can never switch your own server off.",
        ),
        (
            "control-data-plane",
            "security-rules-lapse",
            "When the dashboard failed, the edge servers waved each request through without any of their usual firewall checks.",
            "The edge servers never waved requests through without their usual firewall checks, even while the dashboard was down.",
        ),
    ]);
}

/// A claim the pack itself states with a negation is caught when a candidate puts it that way
/// and the model is all but certain of it ("a genuine shopper will never be blocked"), while
/// its denial ("it can't promise never to block") is still left alone.
#[test]
fn a_claim_whose_own_wording_is_negative_is_caught_through_its_negation() {
    stated_and_denied(&[
        (
            "waf",
            "never-blocks-customers",
            "The rules only ever match real attacks, so a genuine shopper will never be blocked by the WAF.",
            "The rules sometimes match real shoppers too, so nobody can promise the WAF will never block a genuine customer.",
        ),
        // "Not even" stresses the negation before it; it is not a second one.
        (
            "dns-resolution",
            "private-by-default",
            "Your lookups are scrambled on the way, so nobody, not even the cafe's Wi-Fi owner, can see which sites you look up.",
            "Plain lookups travel unscrambled, so the cafe's Wi-Fi owner can see which sites you look up.",
        ),
    ]);
}

/// A claim is heard where its subject is named in the listener's everyday words ("where each
/// visitor physically is", "every single time you click a link", "vetted and a real business"),
/// not only in the words of the claim itself.
#[test]
fn a_claim_about_its_subject_in_everyday_words_is_caught() {
    stated_and_denied(&[
        (
            "anycast-routing",
            "looks-up-location",
            "The network checks where each visitor physically is and sends them to the building nearest to them on a map.",
            "Routing picks the nearest site by network path, which usually matches the map but not always.",
        ),
        (
            "rate-limiting",
            "stops-all-attacks",
            "Turn on rate limiting and it stops DDoS attacks completely, so that is all the protection you need.",
            "Rate limiting slows down one noisy client, but a large DDoS needs protection of its own.",
        ),
        (
            "dns-resolution",
            "from-scratch-every-time",
            "Your browser goes back and asks the whole chain every single time you click a link.",
            "Your computer keeps the answer for a while, so most clicks need no new lookup at all.",
        ),
        (
            "tls-handshake",
            "padlock-means-honest",
            "A certificate shows the shop has been vetted and is a real business, so buyers can trust it.",
            "A certificate shows the connection is private and the name matches, which a scam site can have too.",
        ),
    ]);
}

/// Each (topic, claim, stated, denied): the claim is caught in `stated` and not in `denied`.
fn stated_and_denied(cases: &[(&str, &str, &str, &str)]) {
    let pack = builtin::pack().unwrap();
    let model = builtin::explain_model();
    let explainer = explain::Explainer::new(&pack, model.as_ref());
    let errors = |topic: &str, text: &str| -> Vec<String> {
        let topic = pack.topics.iter().find(|t| t.id == topic).unwrap();
        let e = explainer.judge(topic, text).unwrap();
        e.errors.into_iter().map(|e| e.id).collect()
    };
    for (topic, id, stated, denied) in cases {
        let found = errors(topic, stated);
        assert!(found.iter().any(|e| e == id), "{stated}: {found:?}");
        let found = errors(topic, denied);
        assert!(!found.iter().any(|e| e == id), "{denied}: {found:?}");
    }
}

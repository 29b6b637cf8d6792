//! Every example in the default pack runs as a test: each signal fires on its `fire` examples and
//! stays quiet on its `quiet` ones (refusals, negations, other people's words among them).

use debrief_core::{builtin, pack, Analyzer};

#[test]
fn the_default_pack_is_valid_from_its_files() {
    let pack = pack::load(&builtin::files()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = pack.competencies.iter().map(|c| c.id.as_str()).collect();
    // RUBRIC.md's ids are a contract.
    assert_eq!(
        ids,
        [
            "safety-over-speed",
            "security-first",
            "crisis-containment",
            "ownership",
            "technical-precision",
            "scale-and-failure",
            "customer-specificity",
            "scar-tissue",
            "engineering-partnership",
            "delivery"
        ]
    );
}

#[test]
fn every_competency_has_strength_and_red_flag_signals() {
    let pack = builtin::pack().unwrap();
    for c in &pack.competencies {
        let mine: Vec<_> = pack
            .signals
            .iter()
            .filter(|s| s.competency == c.id)
            .collect();
        assert!(
            mine.iter().any(|s| s.severity == pack::Severity::Strength),
            "{} has no strength",
            c.id
        );
        assert!(
            mine.iter().any(|s| s.severity.is_red()),
            "{} has no red flag",
            c.id
        );
    }
}

#[test]
fn every_signal_example_behaves() {
    let analyzer = Analyzer::new(builtin::pack().unwrap()).unwrap();
    let (ran, failures) = analyzer.verify_examples();
    assert!(ran >= 6 * analyzer.pack().signals.len());
    let lines: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(
        lines.is_empty(),
        "{} of {ran} examples misbehave:\n{}",
        lines.len(),
        lines.join("\n")
    );
}

#[test]
fn the_pack_is_rich_enough_for_real_answers() {
    let analyzer = Analyzer::new(builtin::pack().unwrap()).unwrap();
    // Hundreds of phrasings, not dozens: the vague, the blaming and the precise ones alike.
    assert!(
        analyzer.phrasing_count() >= 2000,
        "{}",
        analyzer.phrasing_count()
    );
}

//! The judge's quality on the blind dev sets in `eval/` (written by helpers who never saw the
//! pack or the training data), held above floors: a change that makes the judge rank, catch the
//! disqualifier or hear ideas worse than this fails here. The floors sit a little under what the
//! shipped models measure (see README), so a retrain's noise passes and a real step back does
//! not. The test sets are never run here: they are for reporting, once a change is done.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn eval(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../eval")
        .join(file);
    let o = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["eval", "--format", "json", path.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .expect("debrief runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON report")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn blind_dev_answers_are_ranked_well_beyond_length_and_the_disqualifier_is_caught() {
    let r = eval("answers-dev.jsonl");
    let (judge, phrases, length) = (&r["judge"], &r["phrases"], &r["length"]);
    assert!(f(&judge["auc"]) >= 0.9, "{judge}");
    // Beyond what the word count alone and the phrases alone do.
    assert!(
        f(&judge["auc"]) >= f(&length["auc"]) + 0.2,
        "{judge} vs {length}"
    );
    assert!(
        f(&judge["auc"]) >= f(&phrases["auc"]) + 0.1,
        "{judge} vs {phrases}"
    );
    assert!(f(&judge["auc_length_controlled"]) >= 0.92, "{judge}");
    assert!(f(&judge["pairs_ranked_right"]) >= 0.95, "{judge}");
    assert!(
        u(&judge["ladders_right"]) * 10 >= u(&judge["ladders"]) * 8,
        "{judge}"
    );
    assert!(u(&judge["distinct_scores"]) >= 60, "{judge}");
    assert!(u(&r["strong_hired"]) * 5 >= u(&r["strong"]) * 4, "{r}");
    assert_eq!(r["strong_rejected_without_disqualifier"], 0, "{r}");
    // The disqualifier on the blind acts and their traps (three writers, plain words and indirect
    // wordings among them): at least 80% caught, at most 2% of the rest falsely disqualified.
    let dq = &r["disqualifier"];
    assert!(u(&dq["caught"]) * 100 >= u(&dq["acts"]) * 80, "{dq}");
    assert!(
        u(&dq["false_disqualified"]) * 100 <= u(&dq["non_acts"]) * 2,
        "{dq}"
    );
}

#[test]
fn blind_dev_sentences_are_heard_class_by_class_and_traps_do_not_disqualify() {
    let r = eval("clauses-dev.jsonl");
    assert!(f(&r["macro_f1"]) >= 0.64, "{}", r["macro_f1"]);
    assert!(f(&r["macro_f1"]) >= f(&r["macro_f1_phrases"]) + 0.15);
    let dq = r["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "security-bypassed")
        .unwrap();
    assert!(f(&dq["judge"]["recall"]) >= 0.65, "{dq}");
    assert!(f(&dq["judge"]["precision"]) >= 0.8, "{dq}");
    // Each context rule on blind sentences of its kind: a refusal, someone else's act, a
    // counterfactual, a hypothetical, a question, a lesson, a control kept, a stopped plan, a
    // preference; at most one false disqualifier in ten of each.
    let traps = r["non_acts_by_trap"].as_object().unwrap();
    let false_by = r["false_disqualifiers_by_trap"].as_object().unwrap();
    for kind in [
        "refusal",
        "others-act",
        "counterfactual",
        "hypothetical",
        "question",
        "lesson",
        "control-kept",
        "stopped-plan",
        "preference",
        "negation",
    ] {
        let n = traps.get(kind).map_or(0, u);
        let wrong = false_by.get(kind).map_or(0, u);
        assert!(n >= 10, "{kind}: only {n} sentences");
        assert!(
            wrong * 10 <= n,
            "{kind}: {wrong} false disqualifiers of {n}"
        );
    }
}

#[test]
fn blind_dev_explanations_are_judged_idea_by_idea_and_wrong_claims_are_quoted() {
    let r = eval("explain-dev.jsonl");
    assert!(f(&r["idea_agreement"]) >= 0.85, "{}", r["idea_agreement"]);
    assert!(f(&r["idea_agreement"]) >= f(&r["idea_agreement_phrases"]) + 0.2);
    let kinds = &r["kinds"];
    assert!(
        u(&kinds["good"]["passed"]) * 10 >= u(&kinds["good"]["total"]) * 8,
        "{kinds}"
    );
    assert_eq!(kinds["jargon"]["passed"], 0, "{kinds}");
    assert!(
        u(&kinds["wrong"]["passed"]) * 4 <= u(&kinds["wrong"]["total"]),
        "{kinds}"
    );
    assert!(u(&r["errors_quoted"]) * 2 >= u(&r["with_errors"]), "{r}");
    assert!(u(&r["false_errors"]) <= 2, "{r}");
}

//! The judge's quality on the blind dev sets in `eval/` (written by helpers who never saw the
//! pack or the training data), held above floors: a change that makes the judge rank, catch the
//! disqualifier or hear ideas worse than this fails here. The floors sit a little under what the
//! shipped models measure (see README), so a retrain's noise passes and a real step back does
//! not. The test sets are never run here: they are for reporting, once a change is done.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The sets written on 2026-12-05 after the floors below were set, kept in dev for tuning only
/// (eval/split.py `DEV_ONLY`): held to floors of their own, so that the older floors keep
/// guarding what they were set on.
const FRESH: &[&str] = &[
    "bd4-acts.jsonl",
    "bd5-acts.jsonl",
    "be4-explain-a.jsonl",
    "be4-explain-b.jsonl",
];

/// Whether the record came from one of `files` (its `writer` names the file last).
fn written_in(record: &Value, files: &[&str]) -> bool {
    let writer = record["writer"].as_str().unwrap_or_default();
    files.iter().any(|f| writer.ends_with(f))
}

fn fresh(record: &Value) -> bool {
    written_in(record, FRESH)
}

/// The explanations written on 2026-12-06 with good and wrong ones at the same lengths (dev only,
/// eval/split.py): a word count alone cannot pass the good ones and fail the wrong ones there.
/// Held to floors of their own, so that the older floors keep guarding what they were set on.
const EVEN_LENGTHS: &[&str] = &[
    "be5-explain-a.jsonl",
    "be5-explain-b.jsonl",
    "be5-explain-c.jsonl",
    "be5-explain-d.jsonl",
];

fn even_lengths(record: &Value) -> bool {
    written_in(record, EVEN_LENGTHS)
}

/// `debrief eval` on the records of `file` that `keep` selects, written to a file of their own
/// named by `part` (tests run side by side in one process).
fn eval_where(file: &str, part: &str, keep: impl Fn(&Value) -> bool) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../eval")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the dev file reads");
    let kept: String = text
        .lines()
        .filter(|l| keep(&serde_json::from_str::<Value>(l).expect("a JSON line")))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = std::env::temp_dir().join(format!(
        "debrief-quality-{}-{part}-{file}",
        std::process::id()
    ));
    std::fs::write(&path, kept).unwrap();
    let r = eval_path(&path);
    std::fs::remove_file(&path).ok();
    r
}

fn eval(file: &str) -> Value {
    eval_where(file, "older", |r| !fresh(r) && !even_lengths(r))
}

fn eval_path(path: &Path) -> Value {
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

/// At least `good.0` in `good.1` of the good explanations passed, and at most `wrong.0` in
/// `wrong.1` of the wrong ones.
fn passed_within(kinds: &Value, good: (u64, u64), wrong: (u64, u64)) {
    assert!(
        u(&kinds["good"]["passed"]) * good.1 >= u(&kinds["good"]["total"]) * good.0,
        "{kinds}"
    );
    assert!(
        u(&kinds["wrong"]["passed"]) * wrong.1 <= u(&kinds["wrong"]["total"]) * wrong.0,
        "{kinds}"
    );
}

/// At least `caught` percent of the acts caught and at most `false_at_most` percent of the other
/// answers falsely disqualified.
fn disqualifier_within(dq: &Value, caught: u64, false_at_most: u64) {
    assert!(u(&dq["caught"]) * 100 >= u(&dq["acts"]) * caught, "{dq}");
    assert!(
        u(&dq["false_disqualified"]) * 100 <= u(&dq["non_acts"]) * false_at_most,
        "{dq}"
    );
}

#[test]
fn fresh_blind_acts_and_traps_are_held_to_floors_of_their_own() {
    // 180 answers by two later writers (80 acts, 100 traps, many written to be hard). First
    // read, before any rule was written for them: 50 of 80 caught, 18 of 100 falsely
    // disqualified, AUC 0.901. Floors a little under what the rules written since give: 59 of
    // 80, 5 of 100, AUC 0.959 (length alone 0.708).
    let r = eval_where("answers-dev.jsonl", "fresh", fresh);
    assert_eq!(r["answers"], 180, "{r}");
    let judge = &r["judge"];
    assert!(f(&judge["auc"]) >= 0.93, "{judge}");
    assert!(f(&judge["auc"]) >= f(&r["length"]["auc"]) + 0.2, "{r}");
    disqualifier_within(&r["disqualifier"], 70, 7);
}

#[test]
fn explanations_of_even_lengths_are_judged_on_what_they_say() {
    // 96 explanations of all sixteen topics, three good ones (110 to 300 words) and three fluent
    // but wrong ones (180 to 300) of each, by four later writers, labelled twice blind. The best
    // word-count band fitted on them agrees with 67.7% of the verdicts. First read (the drill of
    // 2026-12-06 evening): verdicts 74.0%, ideas 85.2%, 39 of 48 good ones passed, 16 of 48 wrong
    // ones passed, 19 errors quoted. With the misconceptions added that night and the model
    // retrained on them: 76.0%, 85.4%, 40 of 48, 15 of 48, 21.
    let r = eval_where("explain-dev.jsonl", "even", even_lengths);
    assert_eq!(r["explanations"], 96, "{r}");
    assert!(f(&r["idea_agreement"]) >= 0.83, "{}", r["idea_agreement"]);
    assert!(
        f(&r["idea_agreement"]) >= f(&r["idea_agreement_length"]) + 0.05,
        "{r}"
    );
    assert!(
        f(&r["verdict_agreement"]) >= 0.72,
        "{}",
        r["verdict_agreement"]
    );
    assert!(
        f(&r["verdict_agreement"]) > f(&r["verdict_agreement_length"]),
        "{r}"
    );
    let kinds = &r["kinds"];
    passed_within(kinds, (3, 4), (3, 8));
    // The two labellers agree on every verdict here.
    let second = &r["second"];
    assert_eq!(second["verdicts_agree"], 96, "{second}");
}

#[test]
fn fresh_blind_explanations_are_held_to_floors_of_their_own() {
    // 48 explanations of all sixteen topics, 32 of them fluent but wrong, by two later writers:
    // ideas agree 76.5% (phrases alone 66.3%), 20 of 32 wrong ones fail, 13 of 16 good pass, when
    // first read; 23 of 32 wrong ones fail since a negation denies a claim only on its own words.
    // Ideas agree 77.2% since an explanation stating a wrong claim earns an idea only from a
    // reading of 0.5 or more and the explain model learned the claims' sentences (76.2% before),
    // 77.6% since "sign" alone no longer credits DNSSEC's signed answers, and 83.0% since the
    // model also learns from 512 explanations written blind (train/raw/blind/) and the pack's
    // misconception examples (6 of 32 wrong ones pass, 13 of 16 good ones); 85.4% (3 of 32 wrong
    // ones pass, 13 of 16 good ones) since 176 more explanations written blind and the
    // misconceptions added on the night of 2026-12-06.
    let r = eval_where("explain-dev.jsonl", "fresh", fresh);
    assert_eq!(r["explanations"], 48, "{r}");
    assert!(f(&r["idea_agreement"]) >= 0.82, "{}", r["idea_agreement"]);
    assert!(f(&r["idea_agreement"]) >= f(&r["idea_agreement_phrases"]) + 0.05);
    let kinds = &r["kinds"];
    passed_within(kinds, (3, 4), (1, 3));
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
    disqualifier_within(&r["disqualifier"], 80, 2);
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
    // Ideas agree 88.8% (85.6% before the doubted-idea bar and the claims' training sentences,
    // 89.0% before the explanations written blind, 89.5% before the misconceptions added on the
    // night of 2026-12-06); 32 of 34 good ones pass (29 when 6 of 7 ideas were needed), 3 errors
    // are quoted where none was labelled (2 before a sure reading outweighed the idea stated
    // elsewhere; it quotes 30 of the 33 wrong ones' errors).
    let r = eval("explain-dev.jsonl");
    assert!(f(&r["idea_agreement"]) >= 0.87, "{}", r["idea_agreement"]);
    assert!(f(&r["idea_agreement"]) >= f(&r["idea_agreement_phrases"]) + 0.2);
    let kinds = &r["kinds"];
    assert!(
        u(&kinds["good"]["passed"]) * 10 >= u(&kinds["good"]["total"]) * 8,
        "{kinds}"
    );
    assert_eq!(kinds["jargon"]["passed"], 0, "{kinds}");
    // None of the 33 wrong ones passes; the floor allows a sixth.
    assert!(
        u(&kinds["wrong"]["passed"]) * 6 <= u(&kinds["wrong"]["total"]),
        "{kinds}"
    );
    assert!(u(&r["errors_quoted"]) * 2 >= u(&r["with_errors"]), "{r}");
    // 4 since the claims reader is asked from 0.2 (2026-12-07): it reads "Your team will need a
    // small app on their laptop and the phone confirmation set up." in a good Zero Trust
    // explanation as a claim, and the drill quotes it as "just MFA"; the same bar quotes 7 more
    // errors in the 256 wrong explanations of eval/explain-dev2.jsonl and none more wrongly.
    assert!(u(&r["false_errors"]) <= 4, "{r}");
    // A second labeller, blind to the first, agrees with them on 96.6% of these ideas (570 of
    // 590); the drill agrees with both on 90.9% of those the two agree on (518 of 570; 91.1% before).
    let second = &r["second"];
    assert_eq!(second["explanations"], r["explanations"], "{second}");
    assert!(
        u(&second["labellers_agree"]) * 100 >= u(&second["ideas"]) * 93,
        "{second}"
    );
    assert!(
        u(&second["drill_consensus"]) * 100 >= u(&second["labellers_agree"]) * 88,
        "{second}"
    );
}

#[test]
fn the_whole_dev_split_of_explanations_fails_wrong_ones_with_their_error_quoted() {
    // All 238 dev explanations. With the claims reader (model/explain-reader.bin: a second
    // opinion, read in word order, that may raise the explain model's reading of a claim):
    // verdicts 91.6%, 97 of 113 wrong ones with an error quoted, 7 of them passed, 86 of 98 good
    // ones passed, errors quoted in 6 where none was labelled, ideas 87.5%. Without it: 87.8%,
    // 83, 17, 87, 5, 87.6%. Asked from a reading of 0.2 instead of 0.3 (2026-12-07): 91.2%, 98,
    // 7, 85, 7, 87.4%; with a negation yielding to the reader's sure reading: 91.6%, 102, 6, 85,
    // 7, 87.5%. With an idea a quoted error contradicts heard where it is also stated rightly
    // (SURE_IDEA_BAR, 2026-12-08): ideas 88.9%, the rest unchanged.
    let r = eval_where("explain-dev.jsonl", "all", |_| true);
    assert_eq!(r["explanations"], 238, "{r}");
    assert!(
        f(&r["verdict_agreement"]) >= 0.89,
        "{}",
        r["verdict_agreement"]
    );
    assert!(
        u(&r["errors_quoted"]) * 100 >= u(&r["with_errors"]) * 82,
        "{r}"
    );
    assert!(u(&r["false_errors"]) <= 8, "{r}");
    assert!(f(&r["idea_agreement"]) >= 0.875, "{}", r["idea_agreement"]);
    let kinds = &r["kinds"];
    passed_within(kinds, (84, 100), (1, 10));
}

#[test]
fn the_second_dev_set_of_explanations_written_blind_is_held_to_floors_of_its_own() {
    // 384 explanations written blind on 2026-12-07 (eval/dev2.py), 256 of them fluent but wrong
    // with two or three errors each, labelled sentence by sentence and never trained on. When
    // first read (the drill of stop 41): ideas 86.4% (phrases alone 62.1%), an error quoted in
    // 144 of the 256 wrong ones and 79 of them passed, 112 of 128 good ones passed, errors quoted
    // in 4 where none was labelled. With the claims reader asked from 0.2: 86.3%, 151, 72, 112, 4;
    // with a negation yielding to the reader's sure reading as well: 86.1%, 155, 68, 112, 4;
    // with an idea a quoted error contradicts heard where also stated rightly: ideas 89.7%.
    // Its good ones are labelled pass without a judgment of time, jargon or the share of ideas,
    // so the verdict agreement is not held here.
    let r = eval_where("explain-dev2.jsonl", "dev2", |_| true);
    assert_eq!(r["explanations"], 384, "{r}");
    assert!(f(&r["idea_agreement"]) >= 0.88, "{}", r["idea_agreement"]);
    assert!(f(&r["idea_agreement"]) >= f(&r["idea_agreement_phrases"]) + 0.2);
    assert!(
        u(&r["errors_quoted"]) * 100 >= u(&r["with_errors"]) * 58,
        "{r}"
    );
    assert!(u(&r["false_errors"]) <= 7, "{r}");
    let kinds = &r["kinds"];
    passed_within(kinds, (84, 100), (29, 100));
}

//! Full-length answers, strong and weak, written by us and labelled the way a principal engineer
//! on the committee would: each verdict must be one the label accepts, disqualification must be
//! exact, and within a question the strong answers must outscore the weak ones. The corpus holds
//! long, polished, empty answers and short, dense, strong ones, so length cannot decide.

use std::collections::BTreeMap;
use std::path::Path;

use debrief_core::{builtin, Analyzer, Judgment, Verdict};
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    answer: Vec<Entry>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Entry {
    file: String,
    label: String,
    verdicts: Vec<String>,
    competencies: Vec<String>,
    group: String,
    disqualified: bool,
    note: String,
}

fn corpus() -> Vec<(Entry, String, Judgment)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let manifest: Manifest =
        toml::from_str(&std::fs::read_to_string(dir.join("manifest.toml")).unwrap()).unwrap();
    let analyzer = Analyzer::new(builtin::pack().expect("built-in pack")).expect("compiles");
    manifest
        .answer
        .into_iter()
        .map(|e| {
            let text = std::fs::read_to_string(dir.join("answers").join(&e.file)).unwrap();
            let j = analyzer.check(&text, None).expect("judged");
            (e, text, j)
        })
        .collect()
}

fn describe(e: &Entry, j: &Judgment) -> String {
    let red: Vec<String> = j
        .findings
        .iter()
        .filter(|f| f.severity.is_red())
        .map(|f| format!("{}({:?})", f.rule, f.text))
        .collect();
    let scores: Vec<String> = j
        .competencies
        .iter()
        .filter_map(|c| c.score.map(|s| format!("{}={s}", c.id)))
        .collect();
    format!(
        "{} [{}] judged {} {} ; scores {} ; red {}",
        e.file,
        e.label,
        j.verdict,
        j.score,
        scores.join(" "),
        red.join(", ")
    )
}

#[test]
fn every_answer_gets_a_verdict_its_label_accepts() {
    let mut wrong = Vec::new();
    for (e, _, j) in corpus() {
        let accepted: Vec<Verdict> = e.verdicts.iter().map(|v| v.parse().unwrap()).collect();
        if !accepted.contains(&j.verdict) {
            wrong.push(format!("{} (accepts {:?})", describe(&e, &j), e.verdicts));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} misjudged:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn disqualification_is_exact() {
    let mut wrong = Vec::new();
    for (e, _, j) in corpus() {
        if j.disqualified != e.disqualified {
            wrong.push(describe(&e, &j));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn within_a_question_every_strong_answer_outscores_every_weak_one() {
    let mut groups: BTreeMap<String, Vec<(Entry, Judgment)>> = BTreeMap::new();
    for (e, _, j) in corpus() {
        groups.entry(e.group.clone()).or_default().push((e, j));
    }
    let mut wrong = Vec::new();
    let mut pairs = 0;
    for (g, items) in &groups {
        for (s, sj) in items.iter().filter(|(e, _)| e.label == "strong") {
            for (w, wj) in items.iter().filter(|(e, _)| e.label == "weak") {
                pairs += 1;
                if sj.score <= wj.score {
                    wrong.push(format!(
                        "{g}: {} ({}) <= {} ({})",
                        s.file, sj.score, w.file, wj.score
                    ));
                }
            }
        }
    }
    assert!(pairs >= 12, "the corpus has {pairs} strong/weak pairs");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn length_does_not_decide_the_score() {
    let all = corpus();
    let long_weak: Vec<&(Entry, String, Judgment)> = all
        .iter()
        .filter(|(e, t, _)| e.label == "weak" && t.split_whitespace().count() >= 380)
        .collect();
    let short_strong: Vec<&(Entry, String, Judgment)> = all
        .iter()
        .filter(|(e, t, _)| e.label == "strong" && t.split_whitespace().count() <= 240)
        .collect();
    assert!(long_weak.len() >= 4 && short_strong.len() >= 4);
    for (s, _, sj) in &short_strong {
        for (w, _, wj) in &long_weak {
            assert!(
                sj.score > wj.score,
                "short strong {} ({}) should beat long weak {} ({})",
                s.file,
                sj.score,
                w.file,
                wj.score
            );
        }
    }
}

#[test]
fn strong_answers_evidence_what_they_are_labelled_for() {
    let mut wrong = Vec::new();
    for (e, _, j) in corpus() {
        if e.label != "strong" {
            continue;
        }
        let evidenced = e
            .competencies
            .iter()
            .filter(|c| j.competency_score(c).is_some_and(|s| s >= 3))
            .count();
        // Most of what a strong answer is labelled for must show, scored yes or strong yes.
        if evidenced * 2 < e.competencies.len() {
            wrong.push(format!(
                "{} ; labelled {:?}",
                describe(&e, &j),
                e.competencies
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

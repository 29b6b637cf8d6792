//! Measuring the judge on labelled sentences: for each class of `eval/LABELS.md`, whether the
//! judge's findings on the sentence (read as a follow-up reply, so no whole-answer checks) show
//! the class, with the learned layer and by the pack's phrases alone.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use debrief_core::Analyzer;
use serde::{Deserialize, Serialize};

use super::stats;

/// A labelled sentence. Other fields (the writer's notes) are ignored.
#[derive(Deserialize)]
pub struct Labelled {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// The sentence.
    pub text: String,
    /// The classes it shows.
    pub labels: Vec<String>,
    /// The kind of hard negative it is, if one.
    #[serde(default)]
    pub trap: Option<String>,
}

/// Counts for one class.
#[derive(Serialize, Default, Clone)]
pub struct Counts {
    /// Sentences labelled with it, found.
    pub tp: usize,
    /// Sentences not labelled with it, found.
    pub fp: usize,
    /// Sentences labelled with it, not found.
    pub fn_: usize,
    /// Precision.
    pub precision: Option<f64>,
    /// Recall.
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
}

impl Counts {
    fn finish(mut self) -> Counts {
        let (p, r, f) = stats::prf(self.tp, self.fp, self.fn_);
        self.precision = p;
        self.recall = r;
        self.f1 = f;
        self
    }
}

/// One class's figures.
#[derive(Serialize, Clone)]
pub struct Class {
    /// The class id.
    pub id: String,
    /// Sentences labelled with it.
    pub positives: usize,
    /// With the learned layer.
    pub judge: Counts,
    /// Phrases alone.
    pub phrases: Counts,
}

/// The report on labelled sentences.
#[derive(Serialize)]
pub struct Report {
    /// Sentences read.
    pub sentences: usize,
    /// Per class.
    pub classes: Vec<Class>,
    /// Mean F1 over the classes, with the learned layer.
    pub macro_f1: f64,
    /// The same, phrases alone.
    pub macro_f1_phrases: f64,
    /// Agreement over every (sentence, class) decision: the share right.
    pub agreement: f64,
    /// The same, phrases alone.
    pub agreement_phrases: f64,
    /// The disqualifier's false findings by kind of trap, with the learned layer.
    pub false_disqualifiers_by_trap: BTreeMap<String, usize>,
    /// Sentences without the disqualifying act, by kind of trap.
    pub non_acts_by_trap: BTreeMap<String, usize>,
    /// Sentences the judge got wrong on the disqualifier (for people; at most 40).
    pub disqualifier_misses: Vec<String>,
}

/// Reads labelled sentences, one JSON object a line.
pub fn read(text: &str, file: &str) -> Result<Vec<Labelled>> {
    super::read_jsonl(text, file, "labelled sentence")
}

/// The classes the analyzer's findings on `text` show.
fn classes_found(analyzer: &Analyzer, text: &str) -> BTreeSet<String> {
    let pack = analyzer.pack();
    let Ok(j) = analyzer.check_follow_up(text, None) else {
        return BTreeSet::new();
    };
    j.findings
        .iter()
        .filter_map(|f| {
            pack.signals
                .iter()
                .find(|s| *s.id == *f.rule)
                .and_then(|s| s.learned.clone())
        })
        .collect()
}

/// Measures both analyzers on every sentence.
pub fn evaluate(
    analyzer: &Analyzer,
    phrases: &Analyzer,
    items: &[Labelled],
    file: &str,
) -> Result<Report> {
    let class_ids = analyzer.pack().learned_classes();
    for (n, i) in items.iter().enumerate() {
        if let Some(l) = i.labels.iter().find(|l| !class_ids.contains(l)) {
            bail!("{file}:{}: unknown class {l:?}", n + 1);
        }
    }
    let mut judge: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut plain: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut positives: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut right, mut right_plain, mut decisions) = (0usize, 0usize, 0usize);
    let mut by_trap: BTreeMap<String, usize> = BTreeMap::new();
    let mut non_acts: BTreeMap<String, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for i in items {
        let found = classes_found(analyzer, &i.text);
        let found_plain = classes_found(phrases, &i.text);
        for c in &class_ids {
            let labelled = i.labels.contains(c);
            *positives.entry(c).or_default() += usize::from(labelled);
            for (map, f, r) in [
                (&mut judge, &found, &mut right),
                (&mut plain, &found_plain, &mut right_plain),
            ] {
                let got = f.contains(c);
                let e = map.entry(c).or_default();
                match (labelled, got) {
                    (true, true) => e.tp += 1,
                    (false, true) => e.fp += 1,
                    (true, false) => e.fn_ += 1,
                    (false, false) => {}
                }
                *r += usize::from(labelled == got);
            }
            decisions += 1;
        }
        let act = i.labels.iter().any(|l| l == "security-bypassed");
        let fired = found.contains("security-bypassed");
        if !act {
            *non_acts
                .entry(i.trap.clone().unwrap_or_else(|| "none".into()))
                .or_default() += 1;
        }
        if fired && !act {
            *by_trap
                .entry(i.trap.clone().unwrap_or_else(|| "none".into()))
                .or_default() += 1;
        }
        if act != fired && misses.len() < 40 {
            misses.push(format!(
                "{} {}: {}",
                if act { "missed" } else { "false" },
                i.id.as_deref().unwrap_or("?"),
                i.text
            ));
        }
    }
    let classes: Vec<Class> = class_ids
        .iter()
        .map(|c| Class {
            id: c.clone(),
            positives: positives[c.as_str()],
            judge: judge.remove(c.as_str()).unwrap_or_default().finish(),
            phrases: plain.remove(c.as_str()).unwrap_or_default().finish(),
        })
        .collect();
    let macro_f1 = |f: &dyn Fn(&Class) -> Option<f64>| {
        let v: Vec<f64> = classes
            .iter()
            .filter(|c| c.positives > 0)
            .map(|c| f(c).unwrap_or(0.0))
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    Ok(Report {
        sentences: items.len(),
        macro_f1: macro_f1(&|c| c.judge.f1),
        macro_f1_phrases: macro_f1(&|c| c.phrases.f1),
        agreement: right as f64 / decisions.max(1) as f64,
        agreement_phrases: right_plain as f64 / decisions.max(1) as f64,
        classes,
        false_disqualifiers_by_trap: by_trap,
        non_acts_by_trap: non_acts,
        disqualifier_misses: misses,
    })
}

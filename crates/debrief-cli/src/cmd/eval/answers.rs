//! Measuring the judge on labelled whole answers: how well the score ranks them (beside the
//! phrase judge and the word count alone), the verdicts, the disqualifier and the competencies.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use debrief_core::{Analyzer, Judgment, Verdict};
use serde::{Deserialize, Serialize};

use super::stats;

/// A labelled answer. Fields other than these (the writer's notes) are ignored.
#[derive(Deserialize)]
pub struct Labelled {
    /// Its id.
    pub id: String,
    /// The answer.
    pub answer: String,
    /// strong, mediocre or weak.
    pub label: Label,
    /// Answers to one question share a group.
    #[serde(default)]
    pub group: Option<String>,
    /// A question id of the pack (other text is taken as the question's wording and ignored).
    #[serde(default)]
    pub question: Option<String>,
    /// Whether the candidate's side commits the disqualifying act.
    #[serde(default)]
    pub disqualified: Option<bool>,
    /// The writer's score (1 to 4) of each competency the answer gives evidence for.
    #[serde(default)]
    pub competencies: BTreeMap<String, u8>,
}

/// The label of an answer.
#[derive(Deserialize, Serialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// A no-hire for judgment.
    Weak,
    /// Organised, but missing what the committee weighs.
    Mediocre,
    /// A hire.
    Strong,
}

/// How a set of scores ranks the answers.
#[derive(Serialize, Default, Clone)]
pub struct Ranking {
    /// AUC of strong over weak answers.
    pub auc: Option<f64>,
    /// AUC of strong over mediocre and weak answers.
    pub auc_strong_over_rest: Option<f64>,
    /// AUC of strong over weak on the scores with length taken out (residuals of a fit on log
    /// words).
    pub auc_length_controlled: Option<f64>,
    /// Within a group, the share of (strong, weak) pairs where strong scores higher (ties half).
    pub pairs_ranked_right: Option<f64>,
    /// Such pairs.
    pub pairs: usize,
    /// Groups holding a strong, a mediocre and a weak answer where every strong outranks every
    /// mediocre and every mediocre every weak.
    pub ladders_right: usize,
    /// Such groups.
    pub ladders: usize,
    /// How many different scores the answers got.
    pub distinct_scores: usize,
}

/// What a judge did on the disqualifier.
#[derive(Serialize, Default, Clone)]
pub struct Disqualifier {
    /// Answers labelled with the act.
    pub acts: usize,
    /// Of those, judged disqualified.
    pub caught: usize,
    /// Answers labelled without it.
    pub non_acts: usize,
    /// Of those, judged disqualified.
    pub false_disqualified: usize,
}

/// Agreement on one competency between the writer's scores and the judge's.
#[derive(Serialize, Clone)]
pub struct Agreement {
    /// The competency.
    pub id: String,
    /// Answers where the writer scored it.
    pub labelled: usize,
    /// Of those, where the judge found evidence for it.
    pub evidenced: usize,
    /// Of those, where both put it on the same side (3 or 4 against 1 or 2).
    pub same_side: usize,
}

/// An answer the judge got wrong, for the human report.
#[derive(Serialize, Clone)]
pub struct Miss {
    /// The answer's id.
    pub id: String,
    /// Its label.
    pub label: Label,
    /// What went wrong.
    pub what: String,
}

/// The report on labelled answers.
#[derive(Serialize)]
pub struct Report {
    /// Answers read.
    pub answers: usize,
    /// Strong, mediocre and weak answers.
    pub strong: usize,
    /// See `strong`.
    pub mediocre: usize,
    /// See `strong`.
    pub weak: usize,
    /// Groups of answers to one question with more than one label.
    pub groups: usize,
    /// The judge (with the learned layer, where the pack has one).
    pub judge: Ranking,
    /// The pack's phrases alone.
    pub phrases: Ranking,
    /// The word count alone.
    pub length: Ranking,
    /// The share of answers whose verdict is hire or better exactly when labelled strong.
    pub accuracy: f64,
    /// The same for the phrases alone.
    pub accuracy_phrases: f64,
    /// The same for the best rule "strong from N words" fitted on these very labels: the most
    /// the word count alone can do here.
    pub accuracy_length: f64,
    /// That rule's N.
    pub accuracy_length_bar: usize,
    /// Strong answers judged hire or better.
    pub strong_hired: usize,
    /// Strong answers judged strong-no-hire without a disqualifier.
    pub strong_rejected_without_disqualifier: usize,
    /// The disqualifier, with the learned layer.
    pub disqualifier: Disqualifier,
    /// The disqualifier, phrases alone.
    pub disqualifier_phrases: Disqualifier,
    /// Per competency.
    pub competencies: Vec<Agreement>,
    /// What went wrong, answer by answer.
    pub misses: Vec<Miss>,
}

/// Reads labelled answers, one JSON object a line; a `question` that is not one of the pack's
/// ids is taken as the question's wording and dropped.
pub fn read(text: &str, file: &str, analyzer: &Analyzer) -> Result<Vec<Labelled>> {
    let mut out: Vec<Labelled> = super::read_jsonl(text, file, "labelled answer")?;
    for item in &mut out {
        if item
            .question
            .as_deref()
            .is_some_and(|q| analyzer.pack().question(q).is_none())
        {
            item.question = None;
        }
    }
    Ok(out)
}

fn ranking(items: &[Labelled], scores: &[f64], words: &[usize]) -> Ranking {
    let by = |l: Label, from: &[f64]| -> Vec<f64> {
        items
            .iter()
            .zip(from)
            .filter(|(i, _)| i.label == l)
            .map(|(_, s)| *s)
            .collect()
    };
    let strong = by(Label::Strong, scores);
    let weak = by(Label::Weak, scores);
    let rest: Vec<f64> = items
        .iter()
        .zip(scores)
        .filter(|(i, _)| i.label != Label::Strong)
        .map(|(_, s)| *s)
        .collect();
    let resid = stats::residuals(scores, words);
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (n, i) in items.iter().enumerate() {
        if let Some(g) = &i.group {
            groups.entry(g).or_default().push(n);
        }
    }
    let (mut right, mut pairs, mut ladders, mut ladders_right) = (0.0, 0usize, 0, 0);
    for members in groups.values() {
        let of = |l: Label| -> Vec<f64> {
            members
                .iter()
                .filter(|&&n| items[n].label == l)
                .map(|&n| scores[n])
                .collect()
        };
        let (s, m, w) = (of(Label::Strong), of(Label::Mediocre), of(Label::Weak));
        for a in &s {
            for b in &w {
                pairs += 1;
                right += if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                };
            }
        }
        if !s.is_empty() && !m.is_empty() && !w.is_empty() {
            ladders += 1;
            let above = |hi: &[f64], lo: &[f64]| hi.iter().all(|a| lo.iter().all(|b| a > b));
            if above(&s, &m) && above(&m, &w) {
                ladders_right += 1;
            }
        }
    }
    let mut distinct: Vec<i64> = scores.iter().map(|s| (s * 1000.0) as i64).collect();
    distinct.sort_unstable();
    distinct.dedup();
    Ranking {
        auc: stats::auc(&strong, &weak),
        auc_strong_over_rest: stats::auc(&strong, &rest),
        auc_length_controlled: stats::auc(&by(Label::Strong, &resid), &by(Label::Weak, &resid)),
        pairs_ranked_right: (pairs > 0).then(|| right / pairs as f64),
        pairs,
        ladders_right,
        ladders,
        distinct_scores: distinct.len(),
    }
}

fn disqualifier(items: &[Labelled], judged: &[Judgment]) -> Disqualifier {
    let mut d = Disqualifier::default();
    for (i, j) in items.iter().zip(judged) {
        match i.disqualified {
            Some(true) => {
                d.acts += 1;
                d.caught += usize::from(j.disqualified);
            }
            Some(false) => {
                d.non_acts += 1;
                d.false_disqualified += usize::from(j.disqualified);
            }
            None => {}
        }
    }
    d
}

fn judge_all(analyzer: &Analyzer, items: &[Labelled], file: &str) -> Result<Vec<Judgment>> {
    items
        .iter()
        .map(|i| {
            analyzer
                .check(&i.answer, i.question.as_deref())
                .with_context(|| format!("{file}: {}", i.id))
        })
        .collect()
}

/// Judges every answer with the judge and with the phrases alone, and measures both.
pub fn evaluate(
    analyzer: &Analyzer,
    phrases: &Analyzer,
    items: &[Labelled],
    file: &str,
) -> Result<Report> {
    let judged = judge_all(analyzer, items, file)?;
    let plain = judge_all(phrases, items, file)?;
    let words: Vec<usize> = judged.iter().map(|j| j.metrics.words).collect();
    let score = |js: &[Judgment]| -> Vec<f64> { js.iter().map(|j| f64::from(j.score)).collect() };
    let length: Vec<f64> = words.iter().map(|&w| w as f64).collect();
    let accuracy = |js: &[Judgment]| {
        items
            .iter()
            .zip(js)
            .filter(|(i, j)| (j.verdict >= Verdict::Hire) == (i.label == Label::Strong))
            .count() as f64
            / items.len() as f64
    };
    let (length_bar, length_accuracy) = super::stats::best_bar(
        &words
            .iter()
            .zip(items)
            .map(|(&w, i)| (w, i.label == Label::Strong))
            .collect::<Vec<_>>(),
    );
    let count = |l: Label| items.iter().filter(|i| i.label == l).count();
    let mut groups: BTreeMap<&str, Vec<Label>> = BTreeMap::new();
    for i in items {
        if let Some(g) = &i.group {
            groups.entry(g).or_default().push(i.label);
        }
    }
    let mut competencies: BTreeMap<String, Agreement> = BTreeMap::new();
    for (i, j) in items.iter().zip(&judged) {
        for (id, &label) in &i.competencies {
            let a = competencies.entry(id.clone()).or_insert(Agreement {
                id: id.clone(),
                labelled: 0,
                evidenced: 0,
                same_side: 0,
            });
            a.labelled += 1;
            if let Some(s) = j.competency_score(id) {
                a.evidenced += 1;
                a.same_side += usize::from((s >= 3) == (label >= 3));
            }
        }
    }
    let mut misses = Vec::new();
    for (i, j) in items.iter().zip(&judged) {
        let what = match (i.disqualified, j.disqualified) {
            (Some(true), false) => Some("the disqualifying act was missed".to_string()),
            (Some(false), true) => {
                let f = j
                    .findings
                    .iter()
                    .find(|f| f.severity == debrief_core::Severity::Disqualifier)
                    .map(|f| format!(" on {:?}", f.text))
                    .unwrap_or_default();
                Some(format!("disqualified without the act{f}"))
            }
            _ if i.label == Label::Strong && j.verdict == Verdict::StrongNoHire => {
                Some(format!("strong answer judged strong-no-hire ({})", j.score))
            }
            _ if (i.label == Label::Strong) != (j.verdict >= Verdict::Hire) => {
                Some(format!("judged {} ({})", j.verdict, j.score))
            }
            _ => None,
        };
        if let Some(what) = what {
            misses.push(Miss {
                id: i.id.clone(),
                label: i.label,
                what,
            });
        }
    }
    Ok(Report {
        answers: items.len(),
        strong: count(Label::Strong),
        mediocre: count(Label::Mediocre),
        weak: count(Label::Weak),
        groups: groups
            .values()
            .filter(|ls| ls.iter().any(|l| *l != ls[0]))
            .count(),
        judge: ranking(items, &score(&judged), &words),
        phrases: ranking(items, &score(&plain), &words),
        length: Ranking {
            auc_length_controlled: None,
            ..ranking(items, &length, &words)
        },
        accuracy: accuracy(&judged),
        accuracy_phrases: accuracy(&plain),
        accuracy_length: length_accuracy as f64 / items.len() as f64,
        accuracy_length_bar: length_bar,
        strong_hired: items
            .iter()
            .zip(&judged)
            .filter(|(i, j)| i.label == Label::Strong && j.verdict >= Verdict::Hire)
            .count(),
        strong_rejected_without_disqualifier: items
            .iter()
            .zip(&judged)
            .filter(|(i, j)| {
                i.label == Label::Strong && j.verdict == Verdict::StrongNoHire && !j.disqualified
            })
            .count(),
        disqualifier: disqualifier(items, &judged),
        disqualifier_phrases: disqualifier(items, &plain),
        competencies: competencies.into_values().collect(),
        misses,
    })
}

//! `debrief eval FILE.jsonl`: measure a pack against labelled answers, so authors can calibrate.
//! Each line: `{"id": "...", "answer": "...", "label": "strong"|"weak", "group"?: "...",
//! "question"?: "..."}`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use debrief_core::Verdict;
use serde::{Deserialize, Serialize};

use crate::cmd::check::Format;
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// Measure a pack against labelled answers (JSON lines).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Each line of FILE is {\"id\", \"answer\", \"label\": \"strong\"|\"weak\", \"group\"?, \"question\"?}.\nAn answer is predicted strong when its verdict is hire or strong-hire."
)]
pub struct Args {
    /// The labelled answers, one JSON object per line.
    #[arg(value_name = "FILE.jsonl")]
    file: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    id: String,
    answer: String,
    label: Label,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    question: Option<String>,
}

#[derive(Deserialize, Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum Label {
    Strong,
    Weak,
}

#[derive(Serialize)]
struct Scored {
    id: String,
    label: Label,
    group: Option<String>,
    score: u8,
    verdict: Verdict,
    correct: bool,
}

/// The report of an evaluation.
#[derive(Serialize)]
struct EvalReport {
    answers: usize,
    accuracy: f64,
    auc: Option<f64>,
    groups: usize,
    group_top_is_strong: Option<f64>,
    pairs_ranked_right: Option<f64>,
    misjudged: Vec<Scored>,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let analyzer = packdir::analyzer(cli.pack.as_deref())?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let mut scored = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", args.file.display(), i + 1);
        let item: Labelled =
            serde_json::from_str(line).with_context(|| format!("{at}: not a labelled answer"))?;
        let j = analyzer
            .check(&item.answer, item.question.as_deref())
            .with_context(|| format!("{at}: {}", item.id))?;
        let predicted_strong = j.verdict >= Verdict::Hire;
        scored.push(Scored {
            correct: predicted_strong == (item.label == Label::Strong),
            id: item.id,
            label: item.label,
            group: item.group,
            score: j.score,
            verdict: j.verdict,
        });
    }
    if scored.is_empty() {
        bail!("{}: no labelled answers in it", args.file.display());
    }
    let report = evaluate(scored);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report)?),
        Format::Human => print!("{}", human(&report, Paint::new(color))),
    }
    Ok(Outcome::Ok)
}

fn evaluate(scored: Vec<Scored>) -> EvalReport {
    let n = scored.len();
    let accuracy = scored.iter().filter(|s| s.correct).count() as f64 / n as f64;
    let strong: Vec<u8> = scored
        .iter()
        .filter(|s| s.label == Label::Strong)
        .map(|s| s.score)
        .collect();
    let weak: Vec<u8> = scored
        .iter()
        .filter(|s| s.label == Label::Weak)
        .map(|s| s.score)
        .collect();
    let auc = pairwise(&strong, &weak);

    let mut groups: BTreeMap<&str, Vec<&Scored>> = BTreeMap::new();
    for s in &scored {
        if let Some(g) = &s.group {
            groups.entry(g).or_default().push(s);
        }
    }
    let mixed: Vec<&Vec<&Scored>> = groups
        .values()
        .filter(|g| {
            g.iter().any(|s| s.label == Label::Strong) && g.iter().any(|s| s.label == Label::Weak)
        })
        .collect();
    let group_top_is_strong = (!mixed.is_empty()).then(|| {
        let right = mixed
            .iter()
            .filter(|g| {
                let top = g.iter().map(|s| s.score).max().unwrap_or(0);
                // A tie at the top between a strong and a weak answer is not a win.
                g.iter()
                    .filter(|s| s.score == top)
                    .all(|s| s.label == Label::Strong)
            })
            .count();
        right as f64 / mixed.len() as f64
    });
    let mut wins = 0.0;
    let mut pairs = 0.0;
    for g in &mixed {
        let s: Vec<u8> = g
            .iter()
            .filter(|s| s.label == Label::Strong)
            .map(|s| s.score)
            .collect();
        let w: Vec<u8> = g
            .iter()
            .filter(|s| s.label == Label::Weak)
            .map(|s| s.score)
            .collect();
        if let Some(p) = pairwise(&s, &w) {
            let count = (s.len() * w.len()) as f64;
            wins += p * count;
            pairs += count;
        }
    }
    let groups_n = mixed.len();
    EvalReport {
        answers: n,
        accuracy,
        auc,
        groups: groups_n,
        group_top_is_strong,
        pairs_ranked_right: (pairs > 0.0).then(|| wins / pairs),
        misjudged: scored.into_iter().filter(|s| !s.correct).collect(),
    }
}

/// The chance that a random strong score beats a random weak one (ties count half): the AUC.
fn pairwise(strong: &[u8], weak: &[u8]) -> Option<f64> {
    if strong.is_empty() || weak.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for s in strong {
        for w in weak {
            total += match s.cmp(w) {
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Equal => 0.5,
                std::cmp::Ordering::Less => 0.0,
            };
        }
    }
    Some(total / (strong.len() * weak.len()) as f64)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

fn human(r: &EvalReport, paint: Paint) -> String {
    let mut out = String::new();
    out.push_str(&format!("{} answers\n", r.answers));
    out.push_str(&format!(
        "  accuracy (hire or better = strong)  {}\n",
        pct(Some(r.accuracy))
    ));
    out.push_str(&format!(
        "  AUC (score ranks strong over weak)  {}\n",
        r.auc.map_or("n/a".into(), |a| format!("{a:.3}"))
    ));
    out.push_str(&format!(
        "  groups with strong and weak         {}\n",
        r.groups
    ));
    out.push_str(&format!(
        "  top of the group is strong          {}\n",
        pct(r.group_top_is_strong)
    ));
    out.push_str(&format!(
        "  strong/weak pairs ranked right      {}\n",
        pct(r.pairs_ranked_right)
    ));
    if !r.misjudged.is_empty() {
        out.push_str(&format!("\n{}\n", paint.bold("Misjudged")));
        for s in &r.misjudged {
            out.push_str(&format!(
                "  {}  labelled {:?}, judged {} ({})\n",
                s.id, s.label, s.verdict, s.score
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, label: Label, group: &str, score: u8) -> Scored {
        Scored {
            id: id.into(),
            label,
            group: Some(group.into()),
            score,
            verdict: if score >= 55 {
                Verdict::Hire
            } else {
                Verdict::NoHire
            },
            correct: (score >= 55) == (label == Label::Strong),
        }
    }

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(pairwise(&[80, 60], &[60, 20]), Some(0.875));
        assert_eq!(pairwise(&[], &[1]), None);
    }

    #[test]
    fn group_ranking_needs_a_strong_answer_strictly_on_top() {
        let r = evaluate(vec![
            s("a", Label::Strong, "g1", 70),
            s("b", Label::Weak, "g1", 40),
            s("c", Label::Strong, "g2", 50),
            s("d", Label::Weak, "g2", 50),
        ]);
        assert_eq!(r.groups, 2);
        assert_eq!(r.group_top_is_strong, Some(0.5));
        assert_eq!(r.pairs_ranked_right, Some(0.75));
        assert_eq!(r.accuracy, 0.75);
    }
}

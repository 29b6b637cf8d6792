//! `debrief eval FILE.jsonl`: measure a pack against labelled data, so authors can calibrate and
//! nobody mistakes a figure for more than it is. Every ranking figure is printed beside the same
//! figure for the pack's phrases alone and for the word count alone.
//!
//! The kind of file is told by its first record: whole answers (`answer`, `label`), labelled
//! sentences (`text`, `labels`) or explain-drill explanations (`topic`, `text`, `ideas`).

mod answers;
mod clauses;
mod explain;
mod stats;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cmd::check::Format;
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// Measure a pack against labelled answers, sentences or explanations (JSON lines).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "FILE is JSON lines of one kind, told by its first record:
  answers:      {\"id\", \"answer\", \"label\": \"strong\"|\"mediocre\"|\"weak\", \"group\"?, \"question\"?,
                 \"disqualified\"?, \"competencies\"?: {\"<id>\": 1-4}}
  sentences:    {\"id\"?, \"text\", \"labels\": [\"<class of eval/LABELS.md>\"], \"trap\"?}
  explanations: {\"id\", \"topic\", \"text\", \"kind\"?, \"ideas\": {\"<idea>\": \"present\"|\"wrong\"|\"absent\"},
                 \"labelled\"?: {\"verdict\": \"pass\"|\"fail\", \"errors\": [{\"quote\"}]}}
An answer is predicted strong when its verdict is hire or strong-hire. Ranking figures are
printed for the judge, the pack's phrases alone and the word count alone; the length-controlled
AUC ranks what is left of the score after a fit on the log of the word count; accuracy is printed
beside the best rule \"strong from N words\" fitted on the same file. For explanations,
idea and verdict agreement are printed beside the best word-count rule fitted on the same file
(ideas present from N words; a pass for N to M words): the most length alone can do there.
The blind sets in eval/ (answers-dev, clauses-dev, explain-dev) are for tuning; their -test
twins are for reporting, once per change.\n\nExamples:\n  debrief eval eval/answers-dev.jsonl\n  debrief eval eval/clauses-test.jsonl --format json\n  debrief --pack my-pack eval eval/explain-dev.jsonl"
)]
pub struct Args {
    /// The labelled data, one JSON object per line.
    #[arg(value_name = "FILE.jsonl")]
    file: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Report {
    Answers(Box<answers::Report>),
    Sentences(Box<clauses::Report>),
    Explanations(Box<explain::Report>),
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let file = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("{file}: cannot read"))?;
    let first: serde_json::Value = match text.lines().find(|l| !l.trim().is_empty()) {
        None => bail!("{file}: no labelled records in it"),
        Some(l) => serde_json::from_str(l).with_context(|| format!("{file}:1: not JSON"))?,
    };
    let has = |k: &str| first.get(k).is_some();
    let analyzer = packdir::analyzer(cli.pack.as_deref())?;
    let report = if has("answer") {
        let phrases = packdir::phrase_analyzer(cli.pack.as_deref())?;
        let items = answers::read(&text, &file, &analyzer)?;
        Report::Answers(Box::new(answers::evaluate(
            &analyzer, &phrases, &items, &file,
        )?))
    } else if has("topic") {
        let pack = packdir::load(cli.pack.as_deref())?;
        let model = packdir::explain_model(cli.pack.as_deref())?;
        let items = explain::read(&text, &file)?;
        Report::Explanations(Box::new(explain::evaluate(
            &pack,
            model.as_ref(),
            &items,
            &file,
        )?))
    } else if has("labels") {
        let phrases = packdir::phrase_analyzer(cli.pack.as_deref())?;
        let items = clauses::read(&text, &file)?;
        Report::Sentences(Box::new(clauses::evaluate(
            &analyzer, &phrases, &items, &file,
        )?))
    } else {
        bail!("{file}:1: neither an answer (\"answer\"), a sentence (\"labels\") nor an explanation (\"topic\")");
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report)?),
        Format::Human => print!("{}", human(&report, Paint::new(color))),
    }
    Ok(Outcome::Ok)
}

/// Records of one kind, one JSON object a line, each error naming its line; at least one.
fn read_jsonl<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    what: &str,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(line)
                .with_context(|| format!("{file}:{}: not a {what}", i + 1))?,
        );
    }
    if out.is_empty() {
        bail!("{file}: no {what}s in it");
    }
    Ok(out)
}

fn f3(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.3}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

fn of(a: usize, b: usize) -> String {
    format!("{a} of {b}")
}

fn human(report: &Report, paint: Paint) -> String {
    match report {
        Report::Answers(r) => human_answers(r, paint),
        Report::Sentences(r) => human_sentences(r, paint),
        Report::Explanations(r) => explain::human(r, paint),
    }
}

fn human_answers(r: &answers::Report, paint: Paint) -> String {
    let mut out = format!(
        "{} answers ({} strong, {} mediocre, {} weak), {} groups\n\n",
        r.answers, r.strong, r.mediocre, r.weak, r.groups
    );
    out.push_str(&format!(
        "  {:<44} {:>10} {:>10} {:>10}\n",
        paint.bold("ranking"),
        "judge",
        "phrases",
        "length"
    ));
    type Row<'a> = (&'a str, &'a dyn Fn(&answers::Ranking) -> String);
    let rows: [Row; 6] = [
        ("AUC strong over weak", &|x| f3(x.auc)),
        ("AUC strong over mediocre and weak", &|x| {
            f3(x.auc_strong_over_rest)
        }),
        (
            "AUC with length taken out",
            &|x| f3(x.auc_length_controlled),
        ),
        ("strong/weak pairs in a group ranked right", &|x| {
            format!("{} ({})", pct(x.pairs_ranked_right), x.pairs)
        }),
        ("ladders strong > mediocre > weak", &|x| {
            of(x.ladders_right, x.ladders)
        }),
        ("distinct scores", &|x| x.distinct_scores.to_string()),
    ];
    for (name, f) in rows {
        out.push_str(&format!(
            "  {:<44} {:>10} {:>10} {:>10}\n",
            name,
            f(&r.judge),
            f(&r.phrases),
            f(&r.length)
        ));
    }
    out.push_str(&format!(
        "\n  {:<44} {:>10} {:>10} {:>10}\n",
        paint.bold("verdicts and the disqualifier"),
        "judge",
        "phrases",
        "length"
    ));
    out.push_str(&format!(
        "  {:<44} {:>10} {:>10} {:>10}\n",
        "accuracy (hire or better = strong)",
        pct(Some(r.accuracy)),
        pct(Some(r.accuracy_phrases)),
        pct(Some(r.accuracy_length))
    ));
    out.push_str(&format!(
        "  {:<44} {:>10}\n",
        "strong answers rated hire or better",
        of(r.strong_hired, r.strong)
    ));
    out.push_str(&format!(
        "  {:<44} {:>10}\n",
        "strong answers strong-no-hire, no disqualifier", r.strong_rejected_without_disqualifier
    ));
    out.push_str(&format!(
        "  {:<44} {:>10} {:>10}\n",
        "disqualifying acts caught",
        of(r.disqualifier.caught, r.disqualifier.acts),
        of(r.disqualifier_phrases.caught, r.disqualifier_phrases.acts)
    ));
    out.push_str(&format!(
        "  {:<44} {:>10} {:>10}\n",
        "false disqualifiers",
        of(r.disqualifier.false_disqualified, r.disqualifier.non_acts),
        of(
            r.disqualifier_phrases.false_disqualified,
            r.disqualifier_phrases.non_acts
        )
    ));
    out.push_str(&format!(
        "  (length: strong from {} words, the best word-count rule fitted on this file; a word\n  count cannot tell an act from a refusal, so the disqualifier has none)\n",
        r.accuracy_length_bar
    ));
    if !r.competencies.is_empty() {
        out.push_str(&format!(
            "\n  {:<28} {:>9} {:>10} {:>10}\n",
            paint.bold("competency (writer's scores)"),
            "labelled",
            "evidenced",
            "same side"
        ));
        for a in &r.competencies {
            out.push_str(&format!(
                "  {:<28} {:>9} {:>10} {:>10}\n",
                a.id,
                a.labelled,
                pct((a.labelled > 0).then(|| a.evidenced as f64 / a.labelled as f64)),
                pct((a.evidenced > 0).then(|| a.same_side as f64 / a.evidenced as f64)),
            ));
        }
    }
    if !r.misses.is_empty() {
        out.push_str(&format!("\n{}\n", paint.bold("Misjudged")));
        for m in &r.misses {
            out.push_str(&format!("  {}  labelled {:?}: {}\n", m.id, m.label, m.what));
        }
    }
    out
}

fn human_sentences(r: &clauses::Report, paint: Paint) -> String {
    let mut out = format!("{} sentences\n\n", r.sentences);
    out.push_str(&format!(
        "  {:<28} {:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}\n",
        paint.bold("class"),
        "pos",
        "prec",
        "recall",
        "F1",
        "prec",
        "recall",
        "F1"
    ));
    out.push_str(&format!(
        "  {:<28} {:>5}   {:^20}   {:^20}\n",
        "", "", "judge", "phrases alone"
    ));
    for c in &r.classes {
        out.push_str(&format!(
            "  {:<28} {:>5}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}\n",
            c.id,
            c.positives,
            f3(c.judge.precision),
            f3(c.judge.recall),
            f3(c.judge.f1),
            f3(c.phrases.precision),
            f3(c.phrases.recall),
            f3(c.phrases.f1),
        ));
    }
    out.push_str(&format!(
        "\n  mean F1 over classes            {:.3} (phrases alone {:.3})\n",
        r.macro_f1, r.macro_f1_phrases
    ));
    out.push_str(&format!(
        "  agreement on every decision     {} (phrases alone {})\n",
        pct(Some(r.agreement)),
        pct(Some(r.agreement_phrases))
    ));
    if !r.false_disqualifiers_by_trap.is_empty() {
        out.push_str("  false disqualifiers by trap    ");
        for (k, v) in &r.false_disqualifiers_by_trap {
            out.push_str(&format!(" {k} {v};"));
        }
        out.push('\n');
    }
    if !r.disqualifier_misses.is_empty() {
        out.push_str(&format!("\n{}\n", paint.bold("Disqualifier misjudged")));
        for m in &r.disqualifier_misses {
            out.push_str(&format!("  {m}\n"));
        }
    }
    out
}

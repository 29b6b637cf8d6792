//! `debrief check FILE... | -`: judge answers.

use anyhow::Result;
use debrief_core::{Analyzer, Judgment, Severity};
use serde::Serialize;

use crate::input;
use crate::style::Paint;
use crate::{packdir, render, Cli, Outcome};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: the answer's lines with spans marked.
    Human,
    /// One JSON object per input, one per line (PRODUCT.md's contract).
    Json,
}

/// The least severity that makes `check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on a disqualifier (the default).
    Disqualifier,
    /// Fail on a concern or a disqualifier.
    Concern,
    /// Never fail on findings; errors still exit 2.
    Never,
}

/// Judge answers: findings with spans, a score per competency, a verdict, probes and metrics.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 nothing at or above --fail-on, 1 something is, 2 an error.\n\nA story file may start with front matter between two `---` lines; it is not judged, and spans\nstill count bytes of the whole file.\n\nExamples:\n  debrief check answer.md\n  debrief check --question halted-launch --format json answer.md\n  debrief check --fail-on concern stories/*.md\n  pbpaste | debrief check -"
)]
pub struct Args {
    /// Answer files to judge; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Judge against this question's target competencies (`debrief questions` lists them).
    #[arg(long, value_name = "ID")]
    question: Option<String>,

    /// Exit 1 when a finding at or above this severity fires.
    #[arg(long, value_enum, default_value_t = FailOn::Disqualifier, value_name = "LEVEL")]
    fail_on: FailOn,

    /// The largest answer accepted, in bytes or with K, M or G.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = input::parse_size)]
    max_size: u64,
}

/// One line of `--format json`.
#[derive(Serialize)]
struct Report<'a> {
    path: &'a str,
    #[serde(flatten)]
    judgment: &'a Judgment,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    // Never dropped: the process ends when the command does, and freeing the pack's thousands
    // of small allocations one by one was 7% of a whole `debrief check`.
    let analyzer = std::mem::ManuallyDrop::new(packdir::analyzer(cli.pack.as_deref())?);
    if let Some(q) = &args.question {
        if analyzer.pack().question(q).is_none() {
            anyhow::bail!("unknown question {q:?}: `debrief questions` lists the ids");
        }
    }
    let paint = Paint::new(color);
    let mut failed = false;
    let mut errors = 0;
    let mut first = true;
    for name in &args.files {
        let judged = input::read(name, args.max_size)
            .map_err(anyhow::Error::from)
            .and_then(|inp| {
                judge(&analyzer, &inp.text, args.question.as_deref()).map(|j| (inp, j))
            });
        let (inp, j) = match judged {
            Ok(v) => v,
            Err(e) => {
                eprintln!("debrief: {e:#}");
                errors += 1;
                continue;
            }
        };
        failed |= fails(&j, args.fail_on);
        match args.format {
            Format::Json => {
                let line = serde_json::to_string(&Report {
                    path: &inp.name,
                    judgment: &j,
                })?;
                println!("{line}");
            }
            Format::Human => {
                let mut out = String::new();
                if !first {
                    out.push('\n');
                }
                render::judgment(&mut out, &inp.name, &inp.text, &j, analyzer.pack(), paint);
                print!("{out}");
            }
        }
        first = false;
    }
    if errors > 0 {
        // Each error was already said on its own line.
        std::process::exit(2);
    }
    Ok(if failed { Outcome::Failed } else { Outcome::Ok })
}

/// Judges a text, skipping Markdown front matter while keeping offsets into the whole text.
pub fn judge(analyzer: &Analyzer, text: &str, question: Option<&str>) -> Result<Judgment> {
    Ok(analyzer.check_markdown(text, question)?)
}

fn fails(j: &Judgment, fail_on: FailOn) -> bool {
    let threshold = match fail_on {
        FailOn::Never => return false,
        FailOn::Disqualifier => Severity::Disqualifier,
        FailOn::Concern => Severity::Concern,
    };
    j.findings.iter().any(|f| f.severity >= threshold)
}

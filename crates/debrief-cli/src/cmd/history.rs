//! `debrief history`: every mock interview (its answer and follow-ups) and every explain-drill
//! attempt, newest first, with what the candidate said, so progress can be seen and a coach can
//! read the answers themselves.

use crate::database::with_store;
use crate::listing::{self, plural, Format};
use crate::style::Paint;
use crate::{Cli, Outcome};
use anyhow::Result;
use debrief_store::log::{practice_log, Entry, MOCK_MIN_WORDS};

/// Every mock interview and explain attempt, newest first, with the answers.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    debrief history\n  \
    debrief history --kind mock --answers\n  \
    debrief history --format json > history.json")]
pub struct Args {
    /// Only mock interviews, or only explain-drill attempts.
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// Print each answer's full text under its line (JSON always has them).
    #[arg(long)]
    answers: bool,
    /// Output format: aligned text for people, or one JSON array of entries, each with its
    /// answers, scores and verdicts.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Which practice to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Timed mock interviews (`debrief mock`).
    Mock,
    /// Explain-drill attempts (`debrief explain`).
    Explain,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    let (attempts, explanations) = with_store(cli, |store| async move {
        Ok((store.attempts().await?, store.explanations().await?))
    })?;
    let entries = practice_log(
        &attempts,
        &explanations,
        args.kind != Some(Kind::Explain),
        args.kind != Some(Kind::Mock),
    );
    if args.format == Format::Json {
        listing::print_json(&entries)?;
        return Ok(Outcome::Ok);
    }
    if entries.is_empty() {
        println!(
            "No practice saved yet: `debrief mock` runs a mock interview, `debrief explain TOPIC` an explanation."
        );
        return Ok(Outcome::Ok);
    }
    let mocks = entries
        .iter()
        .filter(|e| matches!(e, Entry::Mock { .. }))
        .count();
    let counted = entries
        .iter()
        .filter(|e| matches!(e, Entry::Mock { counts: true, .. }))
        .count();
    let explained = entries.len() - mocks;
    println!(
        "{} ({counted} counting toward the checklist), {}",
        plural(mocks, "mock interview"),
        plural(explained, "explanation")
    );
    for e in &entries {
        match e {
            Entry::Mock {
                id,
                question,
                created,
                seconds,
                verdict,
                score,
                words,
                counts,
                answer,
                follow_ups,
                overall,
            } => {
                let note = if *counts {
                    String::new()
                } else {
                    format!(
                        "  {}",
                        paint.yellow(&format!("under {MOCK_MIN_WORDS} words: not counted"))
                    )
                };
                println!(
                    "{}  mock     {:<28} {:<15} {:>3}  {:>4} words  {:>5}  {}{note}",
                    listing::day(*created),
                    listing::clip(question.as_deref().unwrap_or("-"), 28),
                    verdict,
                    score,
                    words,
                    minutes(*seconds),
                    plural(follow_ups.len(), "follow-up"),
                );
                if let Some(o) = overall {
                    println!(
                        "            {} {} {}{}",
                        paint.dim("the whole interview:"),
                        o.verdict,
                        o.score,
                        if o.disqualified {
                            " (disqualified)"
                        } else {
                            ""
                        }
                    );
                }
                if args.answers {
                    print_text(&format!("answer {id}"), answer);
                    for (n, f) in follow_ups.iter().enumerate() {
                        let asked = f
                            .probe
                            .as_deref()
                            .map(|p| format!(": {p}"))
                            .unwrap_or_default();
                        print_text(
                            &format!("follow-up {} ({} {}){asked}", n + 1, f.verdict, f.score),
                            &f.answer,
                        );
                    }
                }
            }
            Entry::Explain {
                id,
                topic,
                created,
                seconds,
                score,
                passed,
                words,
                text,
            } => {
                let result = if *passed {
                    paint.green("passed")
                } else {
                    paint.red("not passed")
                };
                println!(
                    "{}  explain  {:<28} {:<15} {:>3}  {:>4} words  {:>5}",
                    listing::day(*created),
                    listing::clip(topic, 28),
                    result,
                    score,
                    words,
                    minutes(*seconds),
                );
                if args.answers {
                    print_text(&format!("explanation {id}"), text);
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

/// Seconds as m:ss.
fn minutes(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// A saved text under its line, indented, with a heading.
fn print_text(heading: &str, text: &str) {
    println!("    {heading}:");
    for line in text.trim_end().lines() {
        println!("      {line}");
    }
}

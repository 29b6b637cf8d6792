//! `debrief history`: every mock interview (its answer and follow-ups) and every explain-drill
//! attempt, newest first, with what the candidate said, so progress can be seen and a coach can
//! read the answers themselves.

use anyhow::Result;
use debrief_store::{Attempt, SavedExplanation, ATTEMPT_ANSWER};
use serde::Serialize;

use crate::cmd::status::MOCK_MIN_WORDS;
use crate::database::with_store;
use crate::listing::{self, plural, Format};
use crate::style::Paint;
use crate::{Cli, Outcome};

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

/// One entry of the history.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Entry {
    /// A mock interview: the main answer and the follow-ups that came after it.
    Mock {
        /// The main answer's attempt id.
        id: i64,
        /// The question's id.
        question: Option<String>,
        /// When the answer was saved (Unix seconds).
        created: i64,
        /// Seconds the answer took.
        seconds: i64,
        /// The main answer's verdict and score.
        verdict: String,
        score: i64,
        /// The main answer's length in words.
        words: usize,
        /// Whether it counts toward the checklist's mock interviews (80 words or more).
        counts: bool,
        /// The answer's text.
        answer: String,
        /// The follow-ups, in order.
        follow_ups: Vec<FollowUp>,
    },
    /// An explain-drill attempt.
    Explain {
        /// The explanation's id.
        id: i64,
        /// The topic's id.
        topic: String,
        /// When it was saved (Unix seconds).
        created: i64,
        /// Seconds it took.
        seconds: i64,
        /// Its score and whether it passed.
        score: i64,
        passed: bool,
        /// Its length in words.
        words: usize,
        /// The explanation's text.
        text: String,
    },
}

/// A follow-up answered in a mock interview.
#[derive(Debug, Serialize)]
pub struct FollowUp {
    /// The attempt's id.
    pub id: i64,
    /// Its verdict and score, judged as a follow-up.
    pub verdict: String,
    pub score: i64,
    /// Seconds it took.
    pub seconds: i64,
    /// Its text.
    pub answer: String,
}

impl Entry {
    fn created(&self) -> i64 {
        match self {
            Entry::Mock { created, .. } | Entry::Explain { created, .. } => *created,
        }
    }
}

/// The history, newest first: attempts grouped into interviews (a main answer and the
/// follow-ups saved after it to the same question), and explanations.
pub fn entries(
    attempts: &[Attempt],
    explanations: &[SavedExplanation],
    kind: Option<Kind>,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    if kind != Some(Kind::Explain) {
        let mut current: Option<Entry> = None;
        for a in attempts {
            if a.kind == ATTEMPT_ANSWER {
                out.extend(current.take());
                let words = a.answer.split_whitespace().count();
                current = Some(Entry::Mock {
                    id: a.id,
                    question: a.question.clone(),
                    created: a.created,
                    seconds: a.seconds,
                    verdict: a.verdict.clone(),
                    score: a.score,
                    words,
                    counts: words >= MOCK_MIN_WORDS,
                    answer: a.answer.clone(),
                    follow_ups: Vec::new(),
                });
            } else if let Some(Entry::Mock {
                question,
                follow_ups,
                ..
            }) = current.as_mut()
            {
                if *question == a.question {
                    follow_ups.push(FollowUp {
                        id: a.id,
                        verdict: a.verdict.clone(),
                        score: a.score,
                        seconds: a.seconds,
                        answer: a.answer.clone(),
                    });
                }
            }
        }
        out.extend(current);
    }
    if kind != Some(Kind::Mock) {
        out.extend(explanations.iter().map(|e| Entry::Explain {
            id: e.id,
            topic: e.topic.clone(),
            created: e.created,
            seconds: e.seconds,
            score: e.score,
            passed: e.passed,
            words: e.text.split_whitespace().count(),
            text: e.text.clone(),
        }));
    }
    // Newest first; the sort is stable, so entries saved in the same second keep their order.
    out.sort_by_key(|e| std::cmp::Reverse(e.created()));
    out
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    let (attempts, explanations) = with_store(cli, |store| async move {
        Ok((store.attempts().await?, store.explanations().await?))
    })?;
    let entries = entries(&attempts, &explanations, args.kind);
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
                if args.answers {
                    print_text(&format!("answer {id}"), answer);
                    for (n, f) in follow_ups.iter().enumerate() {
                        print_text(
                            &format!("follow-up {} ({} {})", n + 1, f.verdict, f.score),
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

//! `debrief status`: readiness against the pack's checklist with the evidence for each item, the
//! interview date and days left, recurring weaknesses across recent judgments, and the trend of
//! scores week by week.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use debrief_core::pack::Evidence;
use debrief_core::Pack;
use debrief_store::{date, DayScores, RedMarks, Store, StoryEvidence, ATTEMPT_ANSWER};
use serde::Serialize;

use crate::cmd::config::INTERVIEW_DATE;
use crate::cmd::drill::{deck_stats, DeckStats};
use crate::database::with_store;
use crate::listing::{self, Format};
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// How many recent judgments (story versions and attempts) recurring weaknesses look at.
const RECENT: i64 = 50;

/// How many weeks the trend shows.
const TREND_WEEKS: i64 = 8;

pub use debrief_store::log::MOCK_MIN_WORDS;

/// Show readiness: checklist, days left, recurring weaknesses and the score trend.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  debrief status\n  debrief status --format json")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Readiness as `--format json` gives it.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Each checklist item, in the pack's order.
    pub checklist: Vec<Item>,
    /// How many items are met.
    pub met: usize,
    /// The interview date, if set.
    pub interview_date: Option<String>,
    /// Days from today to the interview (negative once past).
    pub days_left: Option<i64>,
    /// How many recent judgments the weaknesses were counted over.
    pub recent_judgments: usize,
    /// Competencies most often scored 1 or 2 recently, most often first.
    pub weak_competencies: Vec<Count>,
    /// Signals most often red recently, most often first.
    pub weak_signals: Vec<Count>,
    /// Average score per week, oldest first (weeks with no judgment left out).
    pub trend: Vec<Week>,
}

/// One checklist item.
#[derive(Debug, Serialize)]
pub struct Item {
    /// The item's id.
    pub id: String,
    /// The item as the candidate reads it.
    pub text: String,
    /// Whether the evidence meets it.
    pub met: bool,
    /// The evidence, or why it is not met, in one sentence.
    pub evidence: String,
    /// The stories that count toward it, if it is about stories.
    pub stories: Vec<i64>,
    /// What moves it: the command in the terminal and the page in the web app.
    pub link: Action,
}

/// The action that moves a checklist item.
#[derive(Debug, Serialize)]
pub struct Action {
    /// The command to run in the terminal.
    pub command: &'static str,
    /// The web app's page for it.
    pub href: &'static str,
    /// The link's text.
    pub text: &'static str,
}

impl Action {
    fn for_evidence(evidence: &Evidence) -> Action {
        let (command, href, text) = match evidence {
            Evidence::Stories { .. } => (
                "debrief story add FILE",
                "/stories/new",
                "Write or rework a story",
            ),
            Evidence::Cards { .. } => ("debrief drill", "/cards", "Review flashcards"),
            Evidence::Mocks { .. } => ("debrief mock", "/mock", "Practise a mock interview"),
            Evidence::Explain { .. } => {
                ("debrief explain TOPIC", "/explain", "Try the explain drill")
            }
            Evidence::Failures { .. } => (
                "debrief failures add",
                "/failures",
                "Add to the failure resume",
            ),
        };
        Action {
            command,
            href,
            text,
        }
    }
}

/// How often something was red.
#[derive(Debug, Serialize)]
pub struct Count {
    /// The competency or signal id.
    pub id: String,
    /// In how many of the recent judgments.
    pub count: usize,
}

/// One week's scores.
#[derive(Debug, Serialize)]
pub struct Week {
    /// The first day of the week, YYYY-MM-DD.
    pub from: String,
    /// How many judgments.
    pub judgments: i64,
    /// Their average score.
    pub average: f64,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    let today = date::day_of(date::now());
    let status = with_store(
        cli,
        |store| async move { compute(&store, &pack, today).await },
    )?;
    if args.format == Format::Json {
        listing::print_json(&status)?;
        return Ok(Outcome::Ok);
    }
    print_human(&status, &paint);
    Ok(Outcome::Ok)
}

/// Readiness from the store: the checklist judged against the evidence, days left, recurring
/// weaknesses and the weekly trend. `debrief serve`'s dashboard shows the same.
pub async fn compute(store: &Store, pack: &Pack, today: i64) -> Result<Status> {
    let stories = store.story_evidence().await?;
    let failures = store.failures().await?;
    let enough = pack
        .checklist
        .iter()
        .filter_map(|i| match i.evidence {
            Evidence::Mocks { count } => Some(count as i64),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mocks = store
        .attempt_count(ATTEMPT_ANSWER, MOCK_MIN_WORDS, enough)
        .await?;
    let practice = Practice::load(store, pack).await?;
    let marks = store.recent_red_marks(RECENT).await?;
    let days = store.scores_by_day().await?;
    let interview = store.config(INTERVIEW_DATE).await?;
    let with_change = failures
        .iter()
        .filter(|f| !f.entry.systemic_change.trim().is_empty())
        .count();
    let checklist: Vec<Item> = pack
        .checklist
        .iter()
        .map(|item| {
            judge_item(
                item,
                &stories,
                with_change,
                failures.len(),
                mocks,
                &practice,
            )
        })
        .collect();
    let interview_day = interview.as_deref().and_then(date::parse_day);
    let (weak_competencies, weak_signals) = weaknesses(&marks);
    Ok(Status {
        met: checklist.iter().filter(|i| i.met).count(),
        checklist,
        interview_date: interview_day.map(date::format_day),
        days_left: interview_day.map(|d| d - today),
        recent_judgments: marks.len(),
        weak_competencies,
        weak_signals,
        trend: trend(&days, today),
    })
}

fn judge_item(
    item: &debrief_core::pack::ChecklistItem,
    stories: &[StoryEvidence],
    failures_with_change: usize,
    failures: usize,
    mocks: i64,
    practice: &Practice,
) -> Item {
    let (met, evidence, proof) = match &item.evidence {
        Evidence::Stories {
            competencies,
            min_score,
            count,
            signals,
        } => {
            let scores = |s: &StoryEvidence| {
                competencies
                    .iter()
                    .any(|c| s.competency_scores.get(c).is_some_and(|v| v >= min_score))
            };
            let shows = |s: &StoryEvidence| {
                signals.is_empty() || signals.iter().any(|w| s.strengths.contains(w))
            };
            let proof: Vec<&StoryEvidence> = stories
                .iter()
                .filter(|s| s.counts() && scores(s) && shows(s))
                .collect();
            // Stories that would have counted but for one thing, and that thing, so the
            // candidate knows what to fix.
            let left_out: Vec<String> = stories
                .iter()
                .filter(|s| !proof.iter().any(|p| p.id == s.id))
                .filter_map(|s| {
                    let why = if let Some(first) = s.same_as {
                        format!("same text as story {first}")
                    } else if !scores(s) {
                        return None;
                    } else if s.disqualified {
                        "a disqualifier".to_string()
                    } else if !matches!(s.verdict.as_str(), "hire" | "strong-hire") {
                        format!("rated {}", s.verdict)
                    } else if !shows(s) {
                        format!("shows none of {}", signals.join(", "))
                    } else {
                        return None;
                    };
                    Some(format!("{} ({why})", s.id))
                })
                .take(3)
                .collect();
            let names: Vec<String> = proof
                .iter()
                .take(*count)
                .map(|s| format!("{} \"{}\"", s.id, listing::clip(&s.title, 30)))
                .collect();
            let sentence = format!(
                "{} of {count} stories rated hire or better score {min_score}+ on {}{}{}{}",
                proof.len().min(*count),
                competencies.join(" or "),
                if signals.is_empty() {
                    String::new()
                } else {
                    format!(" and show {}", signals.join(" or "))
                },
                if names.is_empty() {
                    String::new()
                } else {
                    format!(": {}", names.join(", "))
                },
                if left_out.is_empty() {
                    String::new()
                } else {
                    format!("; not counted: {}", left_out.join(", "))
                }
            );
            (
                proof.len() >= *count,
                sentence,
                proof.iter().map(|s| s.id).collect(),
            )
        }
        Evidence::Failures { count } => (
            failures_with_change >= *count,
            format!(
                "{} of {count} failure resume entries with a systemic change{}",
                failures_with_change.min(*count),
                if failures > failures_with_change {
                    format!(" ({} without one)", failures - failures_with_change)
                } else {
                    String::new()
                }
            ),
            Vec::new(),
        ),
        Evidence::Mocks { count } => (
            mocks >= *count as i64,
            format!(
                "{} of {count} mock interviews saved with answers of {MOCK_MIN_WORDS}+ words",
                mocks.min(*count as i64)
            ),
            Vec::new(),
        ),
        Evidence::Cards {
            decks,
            min_retention,
        } => {
            let (learned, detail) = practice.decks_learned(decks, *min_retention);
            (
                learned == decks.len(),
                format!(
                    "{learned} of {} decks learned (every card reviewed, retention {:.0}%+): {}",
                    decks.len(),
                    min_retention * 100.0,
                    detail.join("; ")
                ),
                Vec::new(),
            )
        }
        Evidence::Explain { topics } => {
            let passed: Vec<&String> = topics
                .iter()
                .filter(|t| practice.passed_topics.contains(*t))
                .collect();
            let evidence = if let Some(t) = passed.first() {
                format!("passed an explanation of {t}")
            } else {
                let tried: usize = topics
                    .iter()
                    .map(|t| practice.tried_topics.get(t).copied().unwrap_or(0))
                    .sum();
                format!(
                    "no passed explanation of {} yet ({tried} tried)",
                    topics.join(", ")
                )
            };
            (!passed.is_empty(), evidence, Vec::new())
        }
    };
    Item {
        id: item.id.clone(),
        text: item.text.clone(),
        met,
        evidence,
        stories: proof,
        link: Action::for_evidence(&item.evidence),
    }
}

/// What the drills recorded: each deck's reviews and the explanations saved.
struct Practice {
    decks: Vec<DeckStats>,
    passed_topics: HashSet<String>,
    tried_topics: HashMap<String, usize>,
}

impl Practice {
    async fn load(store: &Store, pack: &Pack) -> Result<Practice> {
        let decks = deck_stats(pack, &store.card_states().await?, &store.reviews().await?);
        let mut passed_topics = HashSet::new();
        let mut tried_topics: HashMap<String, usize> = HashMap::new();
        for e in store.explanations().await? {
            *tried_topics.entry(e.topic.clone()).or_default() += 1;
            if e.passed {
                passed_topics.insert(e.topic);
            }
        }
        Ok(Practice {
            decks,
            passed_topics,
            tried_topics,
        })
    }

    /// How many of `decks` are learned, and a note on each.
    fn decks_learned(&self, decks: &[String], min_retention: f64) -> (usize, Vec<String>) {
        let mut learned = 0;
        let notes = decks
            .iter()
            .map(|id| match self.decks.iter().find(|d| &d.deck == id) {
                Some(d) => {
                    learned += usize::from(d.learned(min_retention));
                    format!(
                        "{id} {}/{} reviewed, retention {}",
                        d.reviewed,
                        d.cards,
                        d.retention
                            .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0))
                    )
                }
                None => format!("{id} not in the pack"),
            })
            .collect();
        (learned, notes)
    }
}

/// The competencies and signals most often red, counted once per judgment.
fn weaknesses(marks: &[RedMarks]) -> (Vec<Count>, Vec<Count>) {
    fn top<'a>(items: impl Iterator<Item = &'a String>, keep: usize) -> Vec<Count> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for id in items {
            *counts.entry(id).or_default() += 1;
        }
        let mut counts: Vec<Count> = counts
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .map(|(id, count)| Count {
                id: id.to_string(),
                count,
            })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        counts.truncate(keep);
        counts
    }
    (
        top(marks.iter().flat_map(|m| &m.competencies), 3),
        top(marks.iter().flat_map(|m| &m.signals), 5),
    )
}

/// Average score per week over the last [`TREND_WEEKS`] weeks ending today.
fn trend(days: &[DayScores], today: i64) -> Vec<Week> {
    let first = today - TREND_WEEKS * 7 + 1;
    let mut weeks: Vec<(i64, i64)> = vec![(0, 0); TREND_WEEKS as usize];
    for d in days.iter().filter(|d| d.day >= first && d.day <= today) {
        let w = ((d.day - first) / 7) as usize;
        weeks[w].0 += d.count;
        weeks[w].1 += d.total;
    }
    weeks
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(i, (n, total))| Week {
            from: date::format_day(first + i as i64 * 7),
            judgments: *n,
            average: *total as f64 / *n as f64,
        })
        .collect()
}

fn print_human(status: &Status, paint: &Paint) {
    println!(
        "{}",
        paint.bold(&format!(
            "Readiness: {} of {} checklist items met",
            status.met,
            status.checklist.len()
        ))
    );
    for item in &status.checklist {
        let mark = if item.met {
            paint.green("[x]")
        } else {
            paint.red("[ ]")
        };
        println!("{mark} {}", item.text);
        println!("    {}", paint.dim(&item.evidence));
        if !item.met {
            println!("    next: {}", item.link.command);
        }
    }
    println!();
    match (&status.interview_date, status.days_left) {
        (Some(day), Some(left)) if left >= 0 => {
            println!(
                "Interview: {day}, {left} day{} left",
                if left == 1 { "" } else { "s" }
            )
        }
        (Some(day), Some(left)) => println!("Interview: {day}, {} days ago", -left),
        _ => println!(
            "Interview date not set: `debrief config set interview-date YYYY-MM-DD` sets it."
        ),
    }
    println!();
    if status.recent_judgments == 0 {
        println!("No judgments yet: add a story with `debrief story add`.");
        return;
    }
    println!(
        "{}",
        paint.bold(&format!(
            "Recurring weaknesses (last {} judgments)",
            status.recent_judgments
        ))
    );
    if status.weak_competencies.is_empty() && status.weak_signals.is_empty() {
        println!("  none recurring");
    }
    for c in &status.weak_competencies {
        println!("  competency {:<28} red in {}", c.id, c.count);
    }
    for s in &status.weak_signals {
        println!("  signal     {:<28} red in {}", s.id, s.count);
    }
    if !status.trend.is_empty() {
        println!();
        println!("{}", paint.bold("Score trend (weekly average)"));
        let mut previous: Option<f64> = None;
        for w in &status.trend {
            let change = previous.map_or(String::new(), |p| format!("{:+.0}", w.average - p));
            let bar = "#".repeat((w.average / 5.0).round() as usize);
            println!(
                "  {}  {:>5.1} {:>4}  {:<20}  {} judged",
                w.from, w.average, change, bar, w.judgments
            );
            previous = Some(w.average);
        }
    }
}

//! `debrief coverage`: which competencies the story bank proves (the best story for each), which
//! are missing, which stories are leaned on for too many questions, and which questions have no
//! story yet.

use anyhow::Result;
use serde::Serialize;

use crate::database::with_store;
use crate::listing::{self, Format};
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// A story answering more questions than this is overused: the committee hears it twice.
pub const MAX_QUESTIONS_PER_STORY: usize = 3;

/// A competency score that proves the competency (3 yes, 4 strong yes).
pub const PROVEN: u8 = 3;

/// Show which competencies the stories prove and which are missing.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  debrief coverage\n  debrief coverage --format json")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// The coverage map.
#[derive(Debug, Serialize)]
pub struct Coverage {
    /// Each competency of the pack, in the pack's order.
    pub competencies: Vec<CompetencyCoverage>,
    /// Competencies no story proves (no latest version scores 3 or more).
    pub missing: Vec<String>,
    /// Stories listed for more than [`MAX_QUESTIONS_PER_STORY`] questions.
    pub overused: Vec<StoryUse>,
    /// Questions of the pack that no story names.
    pub questions_without_story: Vec<String>,
}

/// One competency against the stories.
#[derive(Debug, Serialize)]
pub struct CompetencyCoverage {
    /// The competency id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The best score of any story's latest version, 1 to 4.
    pub best_score: Option<u8>,
    /// The story with that score.
    pub best_story: Option<i64>,
    /// Its title.
    pub best_title: Option<String>,
    /// How many stories prove it (score 3 or more).
    pub stories: usize,
}

/// A story and how many questions it is used for.
#[derive(Debug, Serialize)]
pub struct StoryUse {
    /// The story's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// How many questions name it.
    pub questions: usize,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    let evidence = with_store(
        cli,
        |store| async move { Ok(store.story_evidence().await?) },
    )?;
    let competencies: Vec<CompetencyCoverage> = pack
        .competencies
        .iter()
        .map(|c| {
            let best = evidence
                .iter()
                .filter_map(|s| s.competency_scores.get(&c.id).map(|&score| (score, s)))
                .max_by_key(|(score, s)| (*score, std::cmp::Reverse(s.id)));
            CompetencyCoverage {
                id: c.id.clone(),
                name: c.name.clone(),
                best_score: best.map(|(score, _)| score),
                best_story: best.map(|(_, s)| s.id),
                best_title: best.map(|(_, s)| s.title.clone()),
                stories: evidence
                    .iter()
                    .filter(|s| s.competency_scores.get(&c.id).is_some_and(|&v| v >= PROVEN))
                    .count(),
            }
        })
        .collect();
    let coverage = Coverage {
        missing: competencies
            .iter()
            .filter(|c| c.stories == 0)
            .map(|c| c.id.clone())
            .collect(),
        overused: evidence
            .iter()
            .filter(|s| s.questions.len() > MAX_QUESTIONS_PER_STORY)
            .map(|s| StoryUse {
                id: s.id,
                title: s.title.clone(),
                questions: s.questions.len(),
            })
            .collect(),
        questions_without_story: pack
            .questions
            .iter()
            .filter(|q| !evidence.iter().any(|s| s.questions.contains(&q.id)))
            .map(|q| q.id.clone())
            .collect(),
        competencies,
    };
    if args.format == Format::Json {
        listing::print_json(&coverage)?;
        return Ok(Outcome::Ok);
    }
    println!(
        "{}",
        paint.bold(&format!(
            "{:<26}  {:>4}  {:>7}  {}",
            "COMPETENCY", "BEST", "STORIES", "BEST STORY"
        ))
    );
    for c in &coverage.competencies {
        let best = c.best_score.map_or("-".to_string(), |s| s.to_string());
        let best = match c.best_score {
            Some(s) if s >= PROVEN => paint.green(&format!("{best:>4}")),
            Some(_) => paint.yellow(&format!("{best:>4}")),
            None => paint.red(&format!("{best:>4}")),
        };
        let story = match (c.best_story, &c.best_title) {
            (Some(id), Some(title)) => format!("{id}: {}", listing::clip(title, 40)),
            _ => String::new(),
        };
        println!("{:<26}  {best}  {:>7}  {story}", c.id, c.stories);
    }
    println!();
    if coverage.missing.is_empty() {
        println!("Every competency is proven by at least one story.");
    } else {
        println!("{} {}", paint.red("missing:"), coverage.missing.join(", "));
    }
    for s in &coverage.overused {
        println!(
            "{} story {} \"{}\" answers {} questions (more than {MAX_QUESTIONS_PER_STORY}): the committee will hear it twice",
            paint.yellow("overused:"),
            s.id,
            s.title,
            s.questions
        );
    }
    if !coverage.questions_without_story.is_empty() {
        println!(
            "{} of {} questions have no story yet.",
            coverage.questions_without_story.len(),
            pack.questions.len()
        );
    }
    Ok(Outcome::Ok)
}

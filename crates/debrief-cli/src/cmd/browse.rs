//! Browsing the pack's study content: `debrief questions`, `debrief cards`, `debrief topics`.

use anyhow::Result;
use debrief_core::pack::{Pack, Question};
use serde::Serialize;

use crate::cmd::check::Format;
use crate::style::Paint;
use crate::{listing, packdir, Cli, Outcome};

/// List the question bank.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief questions --competency safety-over-speed\n  debrief questions --theme saying-no --format json"
)]
pub struct QuestionsArgs {
    /// Only questions targeting this competency.
    #[arg(long, value_name = "ID")]
    competency: Option<String>,

    /// Only questions with this theme.
    #[arg(long, value_name = "THEME")]
    theme: Option<String>,

    /// Output format (json: an array of questions).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// List flashcards, or export them for Anki.
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  debrief cards --deck dns\n  debrief cards --format json\n  debrief cards export --format csv -o debrief-cards.csv"
)]
pub struct CardsArgs {
    #[command(subcommand)]
    action: Option<CardsAction>,

    /// Only the cards of this deck.
    #[arg(long, value_name = "DECK")]
    deck: Option<String>,

    /// Output format (json: an array of cards).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// List the explain-drill topics.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  debrief topics\n  debrief topics --format json")]
pub struct TopicsArgs {
    /// Output format (json: an array of topics).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn questions(cli: &Cli, args: &QuestionsArgs, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let list = filter_questions(&pack, args.competency.as_deref(), args.theme.as_deref())?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&list)?),
        Format::Human => {
            let paint = Paint::new(color);
            let mut out = String::new();
            for q in &list {
                out.push_str(&format!("{}  {}\n", paint.bold(&q.id), q.text));
                out.push_str(&paint.dim(&format!(
                    "    targets: {}; themes: {}",
                    q.targets.join(", "),
                    q.themes.join(", ")
                )));
                out.push('\n');
                for a in &q.also_asked {
                    out.push_str(&paint.dim(&format!("    also asked: {a}")));
                    out.push('\n');
                }
            }
            out.push_str(&format!("{}\n", listing::plural(list.len(), "question")));
            print!("{out}");
        }
    }
    Ok(Outcome::Ok)
}

fn filter_questions<'p>(
    pack: &'p Pack,
    competency: Option<&str>,
    theme: Option<&str>,
) -> Result<Vec<&'p Question>> {
    if let Some(c) = competency {
        if pack.competency(c).is_none() {
            let ids: Vec<&str> = pack.competencies.iter().map(|c| c.id.as_str()).collect();
            anyhow::bail!("unknown competency {c:?}: known are {}", ids.join(", "));
        }
    }
    if let Some(t) = theme {
        let themes = pack.themes();
        if !themes.contains(&t) {
            anyhow::bail!("unknown theme {t:?}: known are {}", themes.join(", "));
        }
    }
    Ok(pack.questions_for(competency, theme))
}

/// What `debrief cards` can do besides listing.
#[derive(clap::Subcommand, Debug)]
pub enum CardsAction {
    /// Write decks for Anki (an .apkg or CSV it imports as it is) or for reading (Markdown).
    Export(crate::cmd::cards_export::ExportArgs),
    /// Bring a deck of your own (an Anki .apkg, or CSV/TSV) into the drill.
    Import(crate::cmd::cards_import::ImportArgs),
}

pub fn cards(cli: &Cli, args: &CardsArgs, color: bool) -> Result<Outcome> {
    match &args.action {
        Some(CardsAction::Export(export)) => return crate::cmd::cards_export::run(cli, export),
        Some(CardsAction::Import(import)) => return crate::cmd::cards_import::run(cli, import),
        None => {}
    }
    let pack = packdir::load(cli.pack.as_deref())?;
    // The candidate's own decks (`debrief cards import`) are listed after the pack's.
    let pack = crate::database::with_store(cli, |store| async move {
        Ok(store.with_user_decks(&pack).await?.into_owned())
    })?;
    let decks: Vec<_> = match &args.deck {
        Some(d) => match pack.deck(d) {
            Some(deck) => vec![deck],
            None => {
                let ids: Vec<&str> = pack.decks.iter().map(|d| d.id.as_str()).collect();
                anyhow::bail!("unknown deck {d:?}: known are {}", ids.join(", "));
            }
        },
        None => pack.decks.iter().collect(),
    };
    match args.format {
        Format::Json => {
            let cards: Vec<_> = decks.iter().flat_map(|d| d.cards.iter()).collect();
            println!("{}", serde_json::to_string(&cards)?);
        }
        Format::Human => {
            let paint = Paint::new(color);
            let mut out = String::new();
            let mut n = 0;
            for d in &decks {
                let yours = if d.id.starts_with("mine-") {
                    ", yours"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{} {}\n",
                    paint.bold(&d.name),
                    paint.dim(&format!(
                        "({}, {}{yours})",
                        d.id,
                        listing::plural(d.cards.len(), "card")
                    ))
                ));
                for c in &d.cards {
                    out.push_str(&format!("  {}  {}\n", paint.dim(&c.id), c.front));
                    out.push_str(&format!("      → {}\n", c.back));
                    if let Some(d) = &c.dated {
                        out.push_str(&format!(
                            "      {}\n",
                            paint.dim(&format!("as of {}; source: {}", d.as_of, d.source))
                        ));
                    }
                    n += 1;
                }
            }
            out.push_str(&format!("{}\n", listing::plural(n, "card")));
            print!("{out}");
        }
    }
    Ok(Outcome::Ok)
}

/// A topic as listed: what to explain and what counts, without the samples.
#[derive(Serialize)]
struct TopicEntry<'a> {
    id: &'a str,
    title: &'a str,
    prompt: &'a str,
    max_words: usize,
    analogy_hint: &'a str,
    concepts: Vec<&'a str>,
    jargon: Vec<&'a str>,
}

pub fn topics(cli: &Cli, args: &TopicsArgs, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    match args.format {
        Format::Json => {
            let list: Vec<TopicEntry> = pack
                .topics
                .iter()
                .map(|t| TopicEntry {
                    id: &t.id,
                    title: &t.title,
                    prompt: &t.prompt,
                    max_words: t.max_words,
                    analogy_hint: &t.analogy_hint,
                    concepts: t.concepts.iter().map(|c| c.name.as_str()).collect(),
                    jargon: t.jargon.iter().map(|j| j.term.as_str()).collect(),
                })
                .collect();
            println!("{}", serde_json::to_string(&list)?);
        }
        Format::Human => {
            let paint = Paint::new(color);
            let mut out = String::new();
            for t in &pack.topics {
                out.push_str(&format!("{}  {}\n", paint.bold(&t.id), t.title));
                out.push_str(&paint.dim(&format!("    {}", t.prompt)));
                out.push('\n');
            }
            out.push_str(&format!(
                "{}; practise with `debrief explain --check FILE --topic ID`\n",
                listing::plural(pack.topics.len(), "topic")
            ));
            print!("{out}");
        }
    }
    Ok(Outcome::Ok)
}

//! `debrief explain [TOPIC]`: the explain drill. A two-minute countdown, the explanation typed,
//! then its judgment for a non-technical listener (RUBRIC.md, "The explain drill"), saved.
//! `--plain` reads the explanation from standard input; `--check FILE --topic ID` only judges.

use std::time::Instant;

use anyhow::{Context, Result};
use debrief_core::explain::{self, Explanation};
use debrief_core::pack::{Pack, Topic};
use debrief_store::{NewExplanation, Store};

use crate::cmd::check::Format;
use crate::input;
use crate::style::Paint;
use crate::{listing, packdir, Cli, Outcome};

/// Judge an explanation: time, key concepts, jargon, analogy, sentence length.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief explain dns-resolution\n  debrief explain --plain edge-computing < edge.md\n  debrief explain --check edge.md --topic edge-computing\n  pbpaste | debrief explain --check - --topic dns-resolution --format json\n\nExit status: 0 judged (passed or not), 2 an error."
)]
pub struct Args {
    /// The topic to explain in the timed drill (default: one not yet passed).
    #[arg(value_name = "TOPIC")]
    drill_topic: Option<String>,

    /// No terminal UI: read the explanation from standard input, judge it and save it.
    #[arg(long, conflicts_with = "check")]
    plain: bool,

    /// The countdown, in minutes.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=60))]
    minutes: u32,

    /// Only judge this explanation, without the drill or saving; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    check: Option<String>,

    /// The topic explained (`debrief topics` lists them).
    #[arg(long, value_name = "ID")]
    topic: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// The largest explanation accepted, in bytes or with K, M or G.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = input::parse_size)]
    max_size: u64,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let Some(file) = &args.check else {
        return drill(cli, args, color);
    };
    let Some(topic_id) = args.topic.as_ref().or(args.drill_topic.as_ref()) else {
        anyhow::bail!("--topic ID is required: `debrief topics` lists the ids");
    };
    let pack = packdir::load(cli.pack.as_deref())?;
    let model = packdir::explain_model(cli.pack.as_deref())?;
    let Some(topic) = pack.topic(topic_id) else {
        anyhow::bail!("unknown topic {topic_id:?}: `debrief topics` lists the ids");
    };
    let inp = input::read(file, args.max_size)?;
    let e = explain::judge_with_model(topic, model.as_ref(), &inp.text)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&e)?),
        Format::Human => print!("{}", human(&inp.name, &topic.title, &e, Paint::new(color))),
    }
    Ok(Outcome::Ok)
}

/// The timed drill: pick the topic, take the explanation, judge it, save it.
fn drill(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let model = packdir::explain_model(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    if !args.plain {
        crate::tui::require_terminal()?;
    }
    crate::database::with_store(cli, |store| async move {
        let topic = choose(&pack, &store, args).await?;
        let (text, e, seconds) = if args.plain {
            let started = Instant::now();
            let inp = input::read("-", args.max_size)?;
            let e = explain::judge_with_model(topic, model.as_ref(), &inp.text)?;
            (inp.text, e, started.elapsed().as_secs() as i64)
        } else {
            let drafts = crate::tui::Drafts::new("explain", &topic.id)?;
            let prompt = format!("{} ({})", topic.prompt, topic.title);
            let once = crate::tui::ask_once(
                "Explain",
                &prompt,
                u64::from(args.minutes) * 60,
                &drafts,
                |text| {
                    let e = explain::judge_with_model(topic, model.as_ref(), text)?;
                    let report = human("explanation", &topic.title, &e, Paint::new(false));
                    Ok((report.lines().map(str::to_string).collect(), e))
                },
            )?;
            match once {
                crate::tui::Once::Answered {
                    text,
                    value,
                    seconds,
                } => {
                    let saved = save(&store, topic, &text, &value, seconds).await?;
                    drafts.remove(0);
                    print!("{}", human("explanation", &topic.title, &value, paint));
                    println!("Saved explanation {saved}.");
                    return Ok(Outcome::Ok);
                }
                crate::tui::Once::Quit(draft) => {
                    if let Some(path) = draft {
                        println!(
                            "Draft saved to {}; `debrief explain {}` picks it up again.",
                            path.display(),
                            topic.id
                        );
                    }
                    return Ok(Outcome::Ok);
                }
            }
        };
        let saved = save(&store, topic, &text, &e, seconds).await?;
        match args.format {
            Format::Json => println!("{}", serde_json::to_string(&e)?),
            Format::Human => {
                println!("{} {}", paint.bold("Explain:"), topic.prompt);
                println!();
                print!("{}", human("explanation", &topic.title, &e, paint));
                println!("Saved explanation {saved}.");
            }
        }
        Ok(Outcome::Ok)
    })
}

/// The topic named, else the first in pack order without a passed explanation, else the one
/// practised least.
async fn choose<'a>(pack: &'a Pack, store: &Store, args: &Args) -> Result<&'a Topic> {
    if let Some(id) = args.drill_topic.as_ref().or(args.topic.as_ref()) {
        return pack
            .topic(id)
            .with_context(|| format!("unknown topic {id:?}: `debrief topics` lists the ids"));
    }
    let saved = store.explanations().await?;
    let tries = |t: &Topic| saved.iter().filter(|e| e.topic == t.id).count();
    let passed = |t: &Topic| saved.iter().any(|e| e.topic == t.id && e.passed);
    pack.topics
        .iter()
        .min_by_key(|t| (passed(t), tries(t)))
        .context("the pack has no explain topics")
}

async fn save(
    store: &Store,
    topic: &Topic,
    text: &str,
    e: &Explanation,
    seconds: i64,
) -> Result<i64> {
    let judgment = serde_json::to_value(e)?;
    Ok(store
        .add_explanation(&NewExplanation {
            topic: &topic.id,
            text,
            judgment: &judgment,
            score: i64::from(e.score),
            passed: e.passed,
            seconds,
        })
        .await?)
}

fn human(name: &str, title: &str, e: &Explanation, paint: Paint) -> String {
    let mut out = String::new();
    let verdict = if e.passed {
        paint.green("passed")
    } else {
        paint.red("not passed")
    };
    out.push_str(&format!(
        "{}: {} — {verdict}, score {}/100\n",
        paint.bold(name),
        title,
        e.score
    ));
    let time = format!(
        "{} words, about {}s spoken (limit {} words)",
        e.words, e.speaking_seconds, e.max_words
    );
    let mark = |ok: bool| {
        if ok {
            paint.green("✓")
        } else {
            paint.red("✗")
        }
    };
    out.push_str(&format!("  {} time: {time}\n", mark(e.within_time)));
    out.push_str(&format!(
        "  {} accuracy: {}\n",
        mark(e.errors.is_empty()),
        match e.errors.len() {
            0 => "no wrong claim found".to_string(),
            1 => "1 wrong claim".to_string(),
            n => format!("{n} wrong claims"),
        }
    ));
    for x in &e.errors {
        out.push_str(&format!(
            "    {} \"{}\" {}\n",
            paint.dim(&format!("{}:{}", x.span.line, x.span.column)),
            x.sentence,
            x.why
        ));
    }
    out.push_str(&format!(
        "  ideas: {}/{}\n",
        e.concepts_present(),
        e.concepts.len()
    ));
    for c in &e.concepts {
        let at = c
            .span
            .map(|s| paint.dim(&format!(" ({}:{})", s.line, s.column)))
            .unwrap_or_default();
        let wrong = if c.wrong { " (stated wrongly)" } else { "" };
        out.push_str(&format!("    {} {}{wrong}{at}\n", mark(c.present), c.name));
    }
    let used: Vec<_> = e.jargon.iter().filter(|j| j.used).collect();
    if used.is_empty() {
        out.push_str(&format!("  {} jargon: none used\n", mark(true)));
    } else {
        out.push_str("  jargon:\n");
        for j in used {
            let state = if j.explained {
                "explained"
            } else {
                "not explained"
            };
            let at = j
                .span
                .map(|s| paint.dim(&format!(" ({}:{})", s.line, s.column)))
                .unwrap_or_default();
            out.push_str(&format!(
                "    {} {} — {state}{at}\n",
                mark(j.explained),
                j.label
            ));
        }
    }
    out.push_str(&format!(
        "  {} analogy: {}\n",
        mark(e.analogy),
        if e.analogy { "yes" } else { "none found" }
    ));
    out.push_str(&format!(
        "  {} {}, {} words on average, {} over {} words\n",
        mark(e.long_sentences == 0),
        listing::plural(e.sentences, "sentence"),
        e.average_sentence_words,
        e.long_sentences,
        explain::LONG_SENTENCE_WORDS
    ));
    if !e.advice.is_empty() {
        out.push_str(&format!("{}\n", paint.bold("Advice")));
        for a in &e.advice {
            out.push_str(&format!("  - {a}\n"));
        }
    }
    out.push_str(&format!("{}\n", paint.dim(&e.rule)));
    out
}

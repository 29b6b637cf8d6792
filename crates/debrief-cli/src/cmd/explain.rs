//! `debrief explain [TOPIC]`: the explain drill. A two-minute countdown, the explanation typed,
//! then its judgment for a non-technical listener (RUBRIC.md, "The explain drill"), saved.
//! `--plain` reads the explanation from standard input; `--audio FILE` takes it as a recording,
//! transcribed on this machine, judged the same way and saved with its delivery;
//! `--check FILE --topic ID` only judges.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use debrief_core::explain::{self, Explanation};
use debrief_core::pack::{Pack, Topic};
use debrief_store::{NewExplanation, Store};

use crate::cmd::check::Format;
use crate::cmd::voice;
use crate::input;
use crate::style::Paint;
use crate::{listing, packdir, Cli, Outcome};

/// Judge an explanation: time, key concepts, jargon, analogy, sentence length.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief explain dns-resolution\n  debrief explain --plain edge-computing < edge.md\n  debrief explain dns-resolution --audio dns.wav\n  debrief explain --check edge.md --topic edge-computing\n  pbpaste | debrief explain --check - --topic dns-resolution --format json\n\nExit status: 0 judged (passed or not), 2 an error."
)]
pub struct Args {
    /// The topic to explain in the timed drill (default: one not yet passed).
    #[arg(value_name = "TOPIC")]
    drill_topic: Option<String>,

    /// No terminal UI: read the explanation from standard input, judge it and save it.
    #[arg(long, conflicts_with = "check")]
    plain: bool,

    /// Explain out loud: a recording (WAV, FLAC, MP3 or Ogg Vorbis, up to 10 minutes),
    /// transcribed on this machine, judged like a typed explanation and saved with its delivery
    /// (pace, pauses, fillers, volume, the two-minute limit). Needs the speech model:
    /// `debrief voice install`.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    audio: Option<PathBuf>,

    /// With --audio: the Whisper model folder to use (CTranslate2 format: model.bin and
    /// vocabulary.txt) instead of the one `debrief voice install` put in the data directory.
    #[arg(long, value_name = "DIR", requires = "audio")]
    model: Option<PathBuf>,

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
    if let Some(file) = &args.audio {
        return spoken(cli, args, file, color);
    }
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

/// `--audio`: transcribes the recording, judges the transcript as a typed explanation, saves
/// both with the delivery, and shows the transcript, the judgment and the delivery.
fn spoken(cli: &Cli, args: &Args, file: &std::path::Path, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let model = packdir::explain_model(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    if let Some(id) = args.drill_topic.as_ref().or(args.topic.as_ref()) {
        pack.topic(id)
            .with_context(|| format!("unknown topic {id:?}: `debrief topics` lists the ids"))?;
    }
    let whisper = voice::model_dir(args.model.as_deref())?;
    let spoken = voice::transcribe(std::slice::from_ref(&file.to_path_buf()), &whisper, color)?
        .pop()
        .context("nothing transcribed")?;
    crate::database::with_store(cli, |store| async move {
        let topic = choose(&pack, &store, args).await?;
        let text = spoken.text();
        let e = explain::judge_with_model(topic, model.as_ref(), &text)?;
        let judgment = serde_json::to_value(&e)?;
        let saved = store
            .add_spoken_explanation(
                &NewExplanation {
                    topic: &topic.id,
                    text: &text,
                    judgment: &judgment,
                    score: i64::from(e.score),
                    passed: e.passed,
                    seconds: spoken.seconds(),
                },
                &spoken.delivery_json(),
            )
            .await?;
        match args.format {
            Format::Json => {
                let mut out = judgment;
                out["transcript"] = serde_json::to_value(&spoken.transcript)?;
                out["delivery"] = spoken.delivery_json();
                println!("{out}");
            }
            Format::Human => {
                println!("{} {}", paint.bold("Explain:"), topic.prompt);
                println!();
                println!("{}", voice::transcript_heading(file, &spoken, paint));
                let lines: Vec<&str> = text.lines().collect();
                let gutter = lines.len().to_string().len();
                for (i, line) in lines.iter().enumerate() {
                    println!("{} {line}", paint.dim(&format!("{:>gutter$} |", i + 1)));
                }
                println!();
                print!("{}", human("explanation", &topic.title, &e, paint));
                print!(
                    "{}",
                    voice::summary(&spoken.delivery, voice::EXPLAIN_LIMIT, paint)
                );
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

//! `debrief explain --check FILE --topic ID`: judge an explanation for a non-technical listener
//! (RUBRIC.md, "The explain drill"). The timed drill itself comes later.

use anyhow::Result;
use debrief_core::explain::{self, Explanation};

use crate::cmd::check::Format;
use crate::input;
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// Judge an explanation: time, key concepts, jargon, analogy, sentence length.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief explain --check edge.md --topic edge-computing\n  pbpaste | debrief explain --check - --topic dns-resolution --format json\n\nExit status: 0 judged (passed or not), 2 an error."
)]
pub struct Args {
    /// The explanation to judge; `-` reads standard input.
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
        anyhow::bail!(
            "the timed explain drill is not built yet: use `debrief explain --check FILE --topic ID`"
        );
    };
    let Some(topic_id) = &args.topic else {
        anyhow::bail!("--topic ID is required: `debrief topics` lists the ids");
    };
    let pack = packdir::load(cli.pack.as_deref())?;
    let Some(topic) = pack.topic(topic_id) else {
        anyhow::bail!("unknown topic {topic_id:?}: `debrief topics` lists the ids");
    };
    let inp = input::read(file, args.max_size)?;
    let e = explain::judge(topic, &inp.text)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&e)?),
        Format::Human => print!("{}", human(&inp.name, &topic.title, &e, Paint::new(color))),
    }
    Ok(Outcome::Ok)
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
        "  concepts: {}/{}\n",
        e.concepts_present(),
        e.concepts.len()
    ));
    for c in &e.concepts {
        let at = c
            .span
            .map(|s| paint.dim(&format!(" ({}:{})", s.line, s.column)))
            .unwrap_or_default();
        out.push_str(&format!("    {} {}{at}\n", mark(c.present), c.name));
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
        "  {} sentences: {}, {} words on average, {} over {} words\n",
        mark(e.long_sentences == 0),
        e.sentences,
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
    out
}

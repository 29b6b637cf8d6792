//! `debrief mock`: a timed mock interview. Picks a question (unseen first, then the weakest
//! competencies, or by `--question` / `--theme`), takes the answer, gives the debrief, asks one or
//! two follow-up probes from the gaps it found, judges each, and saves the whole attempt.
//! `--plain` reads everything from standard input; `--audio FILE` takes the answer (and each
//! follow-up's, with `--audio` again) as recordings, transcribed on this machine and judged like
//! typed answers, with a delivery summary; otherwise a full-screen terminal UI runs.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use debrief_core::interview;
use debrief_core::pack::Question;
use debrief_core::{Analyzer, Judgment, Probe};
use debrief_store::{NewAttempt, Store, ATTEMPT_ANSWER, ATTEMPT_FOLLOW_UP};

use crate::cmd::voice::{self, Spoken};
use crate::database::with_store;
use crate::style::Paint;
use crate::{input, listing, packdir, render, Cli, Outcome};

/// The line that separates the answer from each follow-up answer in plain mode.
pub const SEPARATOR: &str = "---";

/// The largest answer accepted on standard input.
const MAX_INPUT: u64 = 1 << 20;

/// Run a timed mock interview with follow-ups.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief mock\n  debrief mock --theme saying-no --minutes 4\n  debrief mock --question halted-launch --audio answer.wav --audio follow-up.mp3\n  printf 'My answer...\\n---\\nMy follow-up answer...\\n' | debrief mock --plain --question halted-launch\n\nIn the terminal UI: type the answer, Ctrl-S submits, Ctrl-C saves the draft and quits."
)]
pub struct Args {
    /// Ask this question (`debrief questions` lists the ids).
    #[arg(long, value_name = "ID")]
    question: Option<String>,

    /// Ask a question with this theme.
    #[arg(long, value_name = "THEME", conflicts_with = "question")]
    theme: Option<String>,

    /// The countdown, in minutes.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=60))]
    minutes: u32,

    /// No terminal UI: read the answer from standard input, then each follow-up answer after a
    /// line holding only `---`; print the debrief and the probes asked.
    #[arg(long)]
    plain: bool,

    /// Answer with a recording (WAV, FLAC, MP3 or Ogg Vorbis, up to 10 minutes), transcribed on
    /// this machine and judged like a typed answer, with a delivery summary (pace, pauses, time
    /// to the decision, fillers, volume). Give --audio again for each follow-up's answer, in
    /// order. Needs the speech model: `debrief voice install`.
    #[arg(long, value_name = "FILE")]
    audio: Vec<PathBuf>,

    /// With --audio: the Whisper model folder to use (CTranslate2 format: model.bin and
    /// vocabulary.txt) instead of the one `debrief voice install` put in the data directory.
    #[arg(long, value_name = "DIR", requires = "audio")]
    model: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let analyzer = packdir::analyzer(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    if !args.audio.is_empty() {
        return spoken(cli, &analyzer, args, color);
    }
    if !args.plain {
        crate::tui::require_terminal()?;
    }
    with_store(cli, |store| async move {
        let question = choose(&analyzer, &store, args).await?.clone();
        if args.plain {
            plain(&analyzer, &store, &question, paint).await
        } else {
            crate::tui::mock(&analyzer, &store, &question, args.minutes, paint).await
        }
    })
}

/// The question to ask: the one named, else the pick from the candidate's history.
async fn choose<'a>(analyzer: &'a Analyzer, store: &Store, args: &Args) -> Result<&'a Question> {
    let pack = analyzer.pack();
    if let Some(id) = &args.question {
        return pack.question(id).with_context(|| {
            format!("unknown question {id:?}: `debrief questions` lists the ids")
        });
    }
    let history = store.interview_history().await?;
    match interview::pick_question(pack, &history, args.theme.as_deref()) {
        Some(q) => Ok(q),
        None => match &args.theme {
            Some(t) => bail!("no question has the theme {t:?}: `debrief questions` lists them"),
            None => bail!("the pack has no questions"),
        },
    }
}

/// One answer given in a mock interview, judged.
pub struct Answered {
    /// The probe it answers, `None` for the interview's question.
    pub probe: Option<Probe>,
    /// The answer as given.
    pub text: String,
    /// Its judgment.
    pub judgment: Judgment,
    /// How long the candidate took, in seconds.
    pub seconds: i64,
    /// For a spoken answer, its delivery (debrief-voice's `Delivery` as JSON).
    pub delivery: Option<serde_json::Value>,
}

/// Saves an interview's answers (the first is the question's, the rest follow-ups) as one
/// attempt each; returns the first one's id.
pub async fn save(store: &Store, question: &Question, answers: &[Answered]) -> Result<i64> {
    let mut first = None;
    for a in answers {
        let attempt = NewAttempt {
            kind: if a.probe.is_none() {
                ATTEMPT_ANSWER
            } else {
                ATTEMPT_FOLLOW_UP
            },
            question: Some(&question.id),
            probe: a.probe.as_ref().map(|p| &*p.question),
            answer: &a.text,
            judgment: &a.judgment,
            seconds: a.seconds,
        };
        let id = match &a.delivery {
            Some(delivery) => store.add_spoken_attempt(&attempt, delivery).await,
            None => store.add_attempt(&attempt).await,
        }
        .context("saving the attempt")?;
        first.get_or_insert(id);
    }
    first.context("nothing to save")
}

/// Ends an interview: judges the answer and its follow-ups as one, keeps that verdict on the
/// answer's attempt (`answer_id`), and prints it with what would lift it and the worked answers.
pub async fn conclude(
    analyzer: &Analyzer,
    store: &Store,
    question: &Question,
    answer_id: i64,
    answers: &[Answered],
    paint: Paint,
) -> Result<()> {
    let Some((first, rest)) = answers.split_first() else {
        return Ok(());
    };
    let overall = interview::judge_interview(
        analyzer,
        question,
        &first.text,
        rest.iter().map(|a| a.text.as_str()),
    )?;
    store
        .set_overall(answer_id, &overall)
        .await
        .context("saving the interview's verdict")?;
    let mut out = String::new();
    render::interview(
        &mut out,
        question,
        &overall,
        rest.len(),
        analyzer.pack(),
        paint,
    );
    println!();
    print!("{out}");
    Ok(())
}

/// Judges one answer to the interview's question.
pub fn judge(analyzer: &Analyzer, question: &Question, text: &str) -> Result<Judgment> {
    Ok(analyzer.check_markdown(text, Some(&question.id))?)
}

/// Judges the answer to a follow-up probe: no whole-answer checks such as length.
pub fn judge_follow_up(analyzer: &Analyzer, question: &Question, text: &str) -> Result<Judgment> {
    Ok(analyzer.check_follow_up(text, Some(&question.id))?)
}

/// The question as the candidate reads it.
pub fn heading(question: &Question, paint: Paint) -> String {
    format!("{} {}", paint.bold("Question:"), paint.bold(&question.text))
        + &paint.dim(&format!("  ({})", question.id))
}

/// The answer and each follow-up answer from plain text: parts split at lines holding only
/// [`SEPARATOR`].
pub fn split_answers(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for line in text.lines() {
        if line.trim() == SEPARATOR {
            parts.push(String::new());
        } else {
            let part = parts.last_mut().expect("never empty");
            part.push_str(line);
            part.push('\n');
        }
    }
    parts
}

async fn plain(
    analyzer: &Analyzer,
    store: &Store,
    question: &Question,
    paint: Paint,
) -> Result<Outcome> {
    let started = Instant::now();
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .context("reading the answer from standard input")?;
    let inp = input::decode("the answer", bytes, MAX_INPUT)?;
    let seconds = started.elapsed().as_secs() as i64;
    let parts: Vec<Part> = split_answers(&inp.text)
        .into_iter()
        .enumerate()
        .map(|(i, text)| Part {
            text,
            seconds: if i == 0 { seconds } else { 0 },
            spoken: None,
        })
        .collect();
    if parts[0].text.trim().is_empty() {
        bail!("the answer is empty: write it before the first `---` line");
    }
    interview(analyzer, store, question, parts, paint).await
}

/// One answer of an interview as given: typed, or transcribed from a recording.
struct Part {
    text: String,
    seconds: i64,
    spoken: Option<(PathBuf, Spoken)>,
}

/// `--audio`: transcribes the recordings (each checked before the model loads), then runs the
/// interview on the transcripts.
fn spoken(cli: &Cli, analyzer: &Analyzer, args: &Args, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    // Fail on a wrong question id or a missing model before minutes of transcription.
    if let Some(id) = &args.question {
        analyzer.pack().question(id).with_context(|| {
            format!("unknown question {id:?}: `debrief questions` lists the ids")
        })?;
    }
    let model = voice::model_dir(args.model.as_deref())?;
    let transcribed = voice::transcribe(&args.audio, &model, color)?;
    let parts: Vec<Part> = args
        .audio
        .iter()
        .cloned()
        .zip(transcribed)
        .map(|(file, spoken)| Part {
            text: spoken.text(),
            seconds: spoken.seconds(),
            spoken: Some((file, spoken)),
        })
        .collect();
    with_store(cli, |store| async move {
        let question = choose(analyzer, &store, args).await?.clone();
        interview(analyzer, &store, &question, parts, paint).await
    })
}

/// Judges the answer and each follow-up answer given, prints each (a transcript with its
/// delivery), saves the attempt and ends the interview.
async fn interview(
    analyzer: &Analyzer,
    store: &Store,
    question: &Question,
    parts: Vec<Part>,
    paint: Paint,
) -> Result<Outcome> {
    let mut parts = parts.into_iter();
    let first = parts.next().context("no answer given")?;
    println!("{}", heading(question, paint));
    println!();
    let judgment = judge(analyzer, question, &first.text)?;
    print!(
        "{}",
        shown(
            analyzer,
            "answer",
            &first,
            &judgment,
            voice::ANSWER_LIMIT,
            paint
        )
    );
    let probes = interview::follow_ups(&judgment, question);
    let mut answers = vec![Answered {
        probe: None,
        delivery: first.spoken.as_ref().map(|(_, s)| s.delivery_json()),
        text: first.text,
        judgment,
        seconds: first.seconds,
    }];
    for (i, probe) in probes.iter().enumerate() {
        println!();
        println!(
            "{} {}",
            paint.bold(&format!("Follow-up {} of {}:", i + 1, probes.len())),
            paint.bold(&probe.question)
        );
        println!("{}", paint.dim(&format!("  (probes {})", probe.competency)));
        let Some(part) = parts.next().filter(|p| !p.text.trim().is_empty()) else {
            println!("  not answered");
            continue;
        };
        let judgment = judge_follow_up(analyzer, question, &part.text)?;
        let name = format!("follow-up {}", i + 1);
        print!(
            "{}",
            shown(
                analyzer,
                &name,
                &part,
                &judgment,
                voice::ANSWER_LIMIT,
                paint
            )
        );
        answers.push(Answered {
            probe: Some(probe.clone()),
            delivery: part.spoken.as_ref().map(|(_, s)| s.delivery_json()),
            text: part.text,
            judgment,
            seconds: part.seconds,
        });
    }
    let id = save(store, question, &answers).await?;
    conclude(analyzer, store, question, id, &answers, paint).await?;
    println!();
    println!(
        "Saved attempt {id}: the answer and {}.",
        listing::plural(answers.len() - 1, "follow-up")
    );
    Ok(Outcome::Ok)
}

/// An answer's judgment as `check` shows it; a spoken one under its transcript's heading and
/// with its delivery after it.
fn shown(
    analyzer: &Analyzer,
    name: &str,
    part: &Part,
    judgment: &Judgment,
    limit_seconds: f64,
    paint: Paint,
) -> String {
    let mut out = String::new();
    if let Some((file, spoken)) = &part.spoken {
        out.push_str(&voice::transcript_heading(file, spoken, paint));
        out.push('\n');
    }
    render::judgment(&mut out, name, &part.text, judgment, analyzer.pack(), paint);
    if let Some((_, spoken)) = &part.spoken {
        out.push_str(&voice::summary(&spoken.delivery, limit_seconds, paint));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_three_dashes_separate_the_answers() {
        let parts = split_answers("first\nline\n---\nsecond\n --- \nthird");
        assert_eq!(parts, ["first\nline\n", "second\n", "third\n"]);
        assert_eq!(split_answers("only"), ["only\n"]);
    }
}

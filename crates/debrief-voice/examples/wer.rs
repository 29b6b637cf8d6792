//! Word error rate on Debian's `pocketsphinx-testdata` LibriVox clips (read English with reference
//! transcripts), with a normaliser in the spirit of Whisper's English one: lower case, no
//! punctuation, hyphens as spaces, "mr" as "mister". A benchmark, not a test: it prints.
//!
//! ```sh
//! apt-get install pocketsphinx-testdata
//! cargo run --release -p debrief-voice --example wer -- MODEL_DIR [/usr/share/pocketsphinx/test/data/librivox]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

fn normalise(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| match w.as_str() {
            "mr" => "mister".to_string(),
            "mrs" => "missus".to_string(),
            _ => w,
        })
        .collect()
}

/// Word-level Levenshtein distance.
fn edits(reference: &[String], hypothesis: &[String]) -> usize {
    let mut row: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, h) in hypothesis.iter().enumerate() {
            let substitution = previous + usize::from(r != h);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[hypothesis.len()]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(model_dir) = args.first() else {
        eprintln!("usage: wer MODEL_DIR [LIBRIVOX_DIR]");
        std::process::exit(2);
    };
    let data = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("/usr/share/pocketsphinx/test/data/librivox"),
    );
    let mut model = debrief_voice::Whisper::load(Path::new(model_dir))?;
    let listing = std::fs::read_to_string(data.join("transcription"))?;
    let (mut errors, mut words, mut audio, mut spent) = (0, 0, 0.0, 0.0);
    for line in listing.lines().filter(|l| !l.trim().is_empty()) {
        let (text, id) = line
            .rsplit_once('(')
            .ok_or("a transcription line without its id")?;
        let id = id.trim_end_matches(')').trim();
        let reference = normalise(&text.replace("<s>", "").replace("</s>", ""));
        let started = Instant::now();
        let recording = debrief_voice::read_recording(&data.join(format!("{id}.wav")))?;
        let activity = debrief_voice::vad::detect(&recording)?;
        let transcript = model.transcribe(&recording, &activity, &mut |_| {})?;
        spent += started.elapsed().as_secs_f64();
        audio += recording.seconds();
        let hypothesis = normalise(&transcript.text);
        let e = edits(&reference, &hypothesis);
        println!(
            "{id}: {e}/{} errors\n  ref: {}\n  hyp: {}",
            reference.len(),
            reference.join(" "),
            hypothesis.join(" ")
        );
        errors += e;
        words += reference.len();
    }
    println!(
        "WER {:.1}% ({errors} errors in {words} words); {audio:.1} s of audio transcribed in {spent:.1} s",
        100.0 * errors as f64 / words as f64
    );
    Ok(())
}

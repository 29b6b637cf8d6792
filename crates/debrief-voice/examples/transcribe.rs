//! Transcribes recordings and prints each transcript, its delivery, and the time taken.
//!
//! ```sh
//! cargo run --release -p debrief-voice --example transcribe -- MODEL_DIR answer.wav...
//! ```

use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((model_dir, files)) = args.split_first() else {
        eprintln!("usage: transcribe MODEL_DIR RECORDING...");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut model = debrief_voice::Whisper::load(Path::new(model_dir))?;
    eprintln!("model loaded in {:.2} s", started.elapsed().as_secs_f64());
    for file in files {
        let started = Instant::now();
        let recording = debrief_voice::read_recording(Path::new(file))?;
        let activity = debrief_voice::vad::detect(&recording)?;
        let transcript = model.transcribe(&recording, &activity, &mut |_| {})?;
        let took = started.elapsed().as_secs_f64();
        println!(
            "{file}: {:.1} s of audio in {took:.2} s",
            recording.seconds()
        );
        for s in &transcript.segments {
            println!("  [{:6.2} - {:6.2}] {}", s.start, s.end, s.text);
        }
    }
    Ok(())
}

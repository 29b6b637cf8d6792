//! Real recordings made at test time: espeak-ng speaks known scripts (SSML breaks of known length)
//! and sox converts them to each format. Nothing here is committed audio.
//!
//! With the Whisper model installed (`DEBRIEF_TEST_WHISPER_DIR`, set by `.ci/run`), the
//! transcripts are checked too; without it those tests say so and skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use debrief_voice::{read_recording, vad, Delivery, VoiceError, Whisper};

const SCRIPT: &str = r#"<speak>We decided to roll back the release. <break time="1500ms"/> The security review found a gap in the key rotation. <break time="400ms"/> I owned the plan. <break time="2500ms"/> We shipped the fix two weeks later.</speak>"#;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A folder with the script spoken to WAV, or None (and why) when espeak-ng or sox is missing.
fn spoken() -> Option<(tempfile::TempDir, PathBuf)> {
    for tool in ["espeak-ng", "sox"] {
        if !have(tool) {
            eprintln!(
                "skipped: {tool} is not installed (apt-get install espeak-ng sox libsox-fmt-mp3)"
            );
            return None;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("answer.wav");
    run("espeak-ng", &["-m", "-w", wav.to_str().unwrap(), SCRIPT]);
    Some((dir, wav))
}

fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn convert(wav: &Path, ext: &str) -> PathBuf {
    let out = wav.with_extension(ext);
    run("sox", &[wav.to_str().unwrap(), out.to_str().unwrap()]);
    out
}

/// The quiet stretches of at least `min` seconds in a WAV written by espeak-ng: runs of samples
/// within 30/32768 of zero. espeak-ng writes a break as near-digital silence, so this plain
/// sample-level reading is the truth the energy detector is checked against.
fn sample_level_gaps(wav: &Path, min: f64) -> Vec<(f64, f64)> {
    let bytes = std::fs::read(wav).unwrap();
    let rate = u32::from_le_bytes(bytes[24..28].try_into().unwrap()) as f64;
    let data = bytes.windows(4).position(|w| w == b"data").unwrap() + 8;
    let samples: Vec<i16> = bytes[data..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut gaps = Vec::new();
    let mut last_loud: Option<usize> = None;
    for (i, s) in samples.iter().enumerate() {
        if s.unsigned_abs() > 30 {
            if let Some(prev) = last_loud {
                if (i - prev) as f64 / rate >= min {
                    gaps.push(((prev + 1) as f64 / rate, i as f64 / rate));
                }
            }
            last_loud = Some(i);
        }
    }
    gaps
}

#[test]
fn each_format_decodes_to_the_same_sixteen_kilohertz_recording() {
    let Some((_dir, wav)) = spoken() else { return };
    let reference = read_recording(&wav).unwrap();
    assert_eq!(reference.source_rate, 22_050);
    for ext in ["flac", "mp3", "ogg"] {
        let path = convert(&wav, ext);
        let rec = read_recording(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        // MP3 and Vorbis add a few milliseconds of encoder delay and padding.
        assert!(
            (rec.seconds() - reference.seconds()).abs() < 0.1,
            "{ext}: {} s against {} s",
            rec.seconds(),
            reference.seconds()
        );
        let pauses = vad::detect(&rec).unwrap().pauses(1.0);
        assert_eq!(pauses.len(), 2, "{ext}: {pauses:?}");
    }
}

#[test]
fn pauses_land_within_a_fifth_of_a_second_of_the_scripts_breaks() {
    let Some((dir, wav)) = spoken() else { return };
    let truth = sample_level_gaps(&wav, 1.0);
    // The script's two long breaks, of their written lengths; the 400 ms one is not a pause.
    assert_eq!(truth.len(), 2, "{truth:?}");
    assert!((truth[0].1 - truth[0].0 - 1.5).abs() < 0.05, "{truth:?}");
    assert!((truth[1].1 - truth[1].0 - 2.5).abs() < 0.05, "{truth:?}");

    // The same recording clean, and under steady noise 40 dB below full scale.
    let noise = dir.path().join("noise.wav");
    let noisy = dir.path().join("noisy.wav");
    let seconds = read_recording(&wav).unwrap().seconds().to_string();
    run(
        "sox",
        &[
            "-n",
            "-r",
            "22050",
            "-c",
            "1",
            "-b",
            "16",
            noise.to_str().unwrap(),
            "synth",
            &seconds,
            "whitenoise",
            "vol",
            "0.01",
        ],
    );
    run(
        "sox",
        &[
            "-m",
            wav.to_str().unwrap(),
            noise.to_str().unwrap(),
            noisy.to_str().unwrap(),
        ],
    );
    for path in [&wav, &noisy] {
        let pauses = vad::detect(&read_recording(path).unwrap())
            .unwrap()
            .pauses(1.0);
        assert_eq!(pauses.len(), 2, "{}: {pauses:?}", path.display());
        let mut worst: f64 = 0.0;
        for (found, expected) in pauses.iter().zip(&truth) {
            worst = worst
                .max((found.start - expected.0).abs())
                .max((found.end - expected.1).abs());
        }
        eprintln!(
            "{}: pause placement error at most {:.3} s",
            path.display(),
            worst
        );
        assert!(
            worst <= 0.2,
            "{}: {pauses:?} against {truth:?}",
            path.display()
        );
    }
}

#[test]
fn an_empty_file_says_it_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    std::fs::write(&path, b"").unwrap();
    let err = read_recording(&path).unwrap_err();
    assert!(matches!(err, VoiceError::Empty { .. }), "{err}");
    assert!(err.to_string().ends_with("is empty (0 bytes)"), "{err}");
}

#[test]
fn a_text_file_named_wav_is_not_a_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answer.wav");
    std::fs::write(&path, "We decided to roll back.\n".repeat(20)).unwrap();
    let err = read_recording(&path).unwrap_err();
    assert!(matches!(err, VoiceError::Unsupported { .. }), "{err}");
    assert!(
        err.to_string().contains("use WAV, FLAC, MP3 or Ogg Vorbis"),
        "{err}"
    );
}

#[test]
fn a_truncated_recording_says_it_is_truncated() {
    let Some((dir, wav)) = spoken() else { return };
    for ext in ["wav", "flac"] {
        let whole = if ext == "wav" {
            wav.clone()
        } else {
            convert(&wav, ext)
        };
        let bytes = std::fs::read(&whole).unwrap();
        let cut = dir.path().join(format!("cut.{ext}"));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_recording(&cut).unwrap_err();
        assert!(matches!(err, VoiceError::Corrupt { .. }), "{ext}: {err}");
        assert!(err.to_string().contains("truncated or damaged"), "{err}");
    }
}

#[test]
fn a_silent_recording_says_there_is_no_speech() {
    let Some((dir, _)) = spoken() else { return };
    let path = dir.path().join("silent.wav");
    run(
        "sox",
        &[
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            path.to_str().unwrap(),
            "trim",
            "0",
            "5",
        ],
    );
    let rec = read_recording(&path).unwrap();
    let err = vad::detect(&rec).unwrap_err();
    assert!(matches!(err, VoiceError::Silent), "{err}");
    assert!(err.to_string().starts_with("no speech found"), "{err}");
}

#[test]
fn an_eleven_minute_recording_is_over_the_limit() {
    let Some((dir, _)) = spoken() else { return };
    let path = dir.path().join("long.wav");
    run(
        "sox",
        &[
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            path.to_str().unwrap(),
            "synth",
            "660",
            "sine",
            "300",
            "vol",
            "0.1",
        ],
    );
    let err = read_recording(&path).unwrap_err();
    assert!(matches!(err, VoiceError::TooLong { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("is 11:00 long; recordings up to 10 minutes"),
        "{err}"
    );
}

#[test]
fn a_sample_rate_too_low_for_speech_is_refused() {
    let Some((dir, wav)) = spoken() else { return };
    let path = dir.path().join("low.wav");
    run(
        "sox",
        &[wav.to_str().unwrap(), "-r", "4000", path.to_str().unwrap()],
    );
    let err = read_recording(&path).unwrap_err();
    assert!(
        matches!(err, VoiceError::SampleRate { rate: 4000, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("4000 Hz; speech needs 8000"),
        "{err}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wav");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: the size is what is checked, nothing is written.
    file.set_len(debrief_voice::MAX_FILE_BYTES + 1).unwrap();
    let err = read_recording(&path).unwrap_err();
    assert!(matches!(err, VoiceError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("recordings up to 200 MB"), "{err}");
}

/// The installed model, or None (and why).
fn model() -> Option<Whisper> {
    let Some(dir) = std::env::var_os("DEBRIEF_TEST_WHISPER_DIR") else {
        eprintln!(
            "skipped: DEBRIEF_TEST_WHISPER_DIR is not set (.ci/run installs the model and sets it)"
        );
        return None;
    };
    Some(Whisper::load(Path::new(&dir)).expect("DEBRIEF_TEST_WHISPER_DIR holds a Whisper model"))
}

/// Whisper on its own leaves out um and uh; the decoder's prompt (spoken text with its fillers
/// written down) makes it write them, so the delivery counts them from what was said.
#[test]
fn fillers_that_were_said_are_written_down_and_counted() {
    let Some((dir, _)) = spoken() else { return };
    let Some(mut model) = model() else { return };
    let wav = dir.path().join("fillers.wav");
    let said = "So, um, we decided, uh, to roll back the change. Um, and then, uh, we wrote the post-mortem, um, the next day.";
    run("espeak-ng", &["-w", wav.to_str().unwrap(), said]);
    let rec = read_recording(&wav).unwrap();
    let activity = vad::detect(&rec).unwrap();
    let transcript = model.transcribe(&rec, &activity, &mut |_| {}).unwrap();
    let delivery = Delivery::measure(&rec, &activity, &transcript);
    let fillers: Vec<&str> = delivery.fillers.iter().map(|f| f.text.as_str()).collect();
    // Five were said; tiny.en without the prompt wrote none of them.
    assert!(fillers.len() >= 4, "{fillers:?} in {:?}", transcript.text);
    assert!(
        transcript.text.to_lowercase().contains("roll back"),
        "{}",
        transcript.text
    );
}

#[test]
fn the_spoken_script_is_transcribed_with_its_key_words_and_delivery() {
    let Some((_dir, wav)) = spoken() else { return };
    let Some(mut model) = model() else { return };
    for path in [wav.clone(), convert(&wav, "mp3")] {
        let rec = read_recording(&path).unwrap();
        let activity = vad::detect(&rec).unwrap();
        let mut reported = Vec::new();
        let transcript = model
            .transcribe(&rec, &activity, &mut |done| reported.push(done))
            .unwrap();
        let text = transcript.text.to_lowercase();
        for word in [
            "decided",
            "roll back",
            "security",
            "rotation",
            "plan",
            "fix",
        ] {
            assert!(
                text.contains(word),
                "{}: no {word:?} in {text:?}",
                path.display()
            );
        }
        assert_eq!(reported.first(), Some(&0.0));
        assert_eq!(reported.last(), Some(&1.0));
        assert!(reported.windows(2).all(|w| w[0] < w[1]), "{reported:?}");
        // Progress moves within a window too, as its timestamps come.
        assert!(reported.len() > 3, "{reported:?}");

        let delivery = Delivery::measure(&rec, &activity, &transcript);
        let decision = delivery.decision.expect("the first sentence decides");
        assert!(
            decision.sentence.to_lowercase().contains("decided"),
            "{decision:?}"
        );
        assert!(decision.seconds < 0.5, "{decision:?}");
        assert_eq!(delivery.pauses.len(), 2);
        assert!(delivery.words >= 25, "{}", delivery.words);
        // Words sit in voiced time: none starts inside a pause.
        for w in &transcript.words {
            for p in &delivery.pauses {
                assert!(
                    !(w.start > p.start + 0.01 && w.start < p.end - 0.01),
                    "{w:?} in {p:?}"
                );
            }
        }
    }
}

#[test]
fn a_folder_that_is_not_whisper_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.bin"), [6u8, 0, 0, 0, 9, 0]).unwrap();
    std::fs::write(dir.path().join("vocabulary.txt"), "a\n").unwrap();
    let err = Whisper::load(dir.path()).unwrap_err();
    assert!(matches!(err, VoiceError::NotWhisper { .. }), "{err}");
    assert!(
        err.to_string().contains("is not a Whisper model folder"),
        "{err}"
    );
}

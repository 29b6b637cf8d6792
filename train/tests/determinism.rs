//! The rebuild is reproducible: training twice on the same data with the same settings gives
//! the same model file, byte for byte; another seed gives another file.

use std::path::Path;
use std::process::Command;

fn train(data: &Path, statics: &Path, out: &Path, seed: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_debrief-train"))
        .args([
            "--data",
            data.to_str().unwrap(),
            "--statics",
            statics.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args([
            "--seed",
            seed,
            "--members",
            "2",
            "--dim",
            "8",
            "--hidden",
            "8",
        ])
        .args(["--epochs", "2", "--every", "7"])
        .output()
        .expect("the trainer runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn the_same_data_and_seed_give_the_same_model_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.jsonl");
    let mut lines = String::new();
    for (i, (text, labels)) in [
        (
            "We skipped the pen test to make the keynote.",
            r#"["security-bypassed"]"#,
        ),
        (
            "I refused to skip the pen test and we slipped a week.",
            r#"["refused-to-skip", "halted-launch"]"#,
        ),
        ("The office is in Lisbon.", "[]"),
        (
            "We rolled it out to 1% of traffic behind a feature flag.",
            r#"["guarded-rollout"]"#,
        ),
        (
            "Engineering was late, so we missed the quarter.",
            r#"["blamed-others"]"#,
        ),
    ]
    .iter()
    .enumerate()
    {
        lines.push_str(&format!(
            "{{\"id\": \"t{i}\", \"text\": {text:?}, \"labels\": {labels}}}\n"
        ));
    }
    std::fs::write(&data, lines).unwrap();
    // Static vectors of 2 dimensions for the whole word-piece vocabulary, in train/static.py's
    // format: "DBSTATIC", u32 S, u32 N, then per piece an f32 scale and S i8.
    let statics = dir.path().join("static.bin");
    let n = debrief_core::learned::wordpiece::len();
    let mut bytes = b"DBSTATIC".to_vec();
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(&(n as u32).to_le_bytes());
    for i in 0..n {
        bytes.extend_from_slice(&0.01f32.to_le_bytes());
        bytes.extend_from_slice(&[(i % 255) as u8, (i % 7) as u8]);
    }
    std::fs::write(&statics, bytes).unwrap();
    let (a, b, c) = (
        dir.path().join("a.bin"),
        dir.path().join("b.bin"),
        dir.path().join("c.bin"),
    );
    train(&data, &statics, &a, "7");
    train(&data, &statics, &b, "7");
    train(&data, &statics, &c, "8");
    let (a, b, c) = (
        std::fs::read(a).unwrap(),
        std::fs::read(b).unwrap(),
        std::fs::read(c).unwrap(),
    );
    assert!(!a.is_empty());
    assert!(a == b, "two runs with seed 7 differ");
    assert!(a != c, "seeds 7 and 8 gave the same model");
}

/// Writes `times` copies of `rows` (a sentence and its labels, as JSON) as quic-http3 explain
/// sentences to `path`.
fn quic_sentences(path: &Path, times: usize, rows: &[(&str, &str)]) {
    let mut lines = String::new();
    for i in 0..times {
        for (text, labels) in rows {
            lines.push_str(&format!(
                "{{\"id\": \"x{i}-{}\", \"topic\": \"quic-http3\", \"text\": \"{text}\", \"labels\": {labels}}}\n",
                lines.len()
            ));
        }
    }
    std::fs::write(path, lines).unwrap();
}

/// Trains a tiny explain model on `data` into `out`, with `extra` arguments; its stderr.
fn train_explain(data: &Path, out: &Path, extra: &[&str]) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_debrief-train"))
        .args(["--kind", "explain", "--statics", "none", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--members", "1", "--dim", "8", "--hidden", "8"])
        .args(extra)
        .output()
        .expect("the trainer runs");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    stderr
}

/// The model file at `path`, read.
fn model_at(path: &Path) -> debrief_core::learned::Model {
    debrief_core::learned::Model::from_bytes(std::borrow::Cow::Owned(std::fs::read(path).unwrap()))
        .unwrap()
}

const SKIPS_ENCRYPTION: (&str, &str) = (
    "QUIC is faster because it skips encryption.",
    r#"["quic-http3:!skips-encryption"]"#,
);
const MOTORWAY: (&str, &str) = ("Think of a motorway with many lanes.", r#"["analogy"]"#);

#[test]
fn an_explain_class_no_sentence_states_is_left_out_of_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("te.jsonl");
    quic_sentences(
        &data,
        40,
        &[
            (
                "It sets up the secure connection in a single round trip.",
                r#"["quic-http3:fewer-round-trips"]"#,
            ),
            SKIPS_ENCRYPTION,
            MOTORWAY,
            ("Thanks for asking about this.", "[]"),
        ],
    );
    let out = dir.path().join("explain.bin");
    let stderr = train_explain(&data, &out, &["--epochs", "1"]);
    assert!(stderr.contains("left to the phrases"), "{stderr}");
    let model = model_at(&out);
    let mut classes = model.meta.classes.clone();
    classes.sort();
    assert_eq!(
        classes,
        [
            "analogy",
            "quic-http3:!skips-encryption",
            "quic-http3:fewer-round-trips"
        ]
    );
}

#[test]
fn the_explain_model_is_taught_the_packs_misconception_examples_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("te.jsonl");
    quic_sentences(&data, 30, &[SKIPS_ENCRYPTION, MOTORWAY]);
    let run = |times: &str, out: &Path| {
        let stderr = train_explain(
            &data,
            out,
            &["--pack-examples", times, "--epochs", "40", "--dropout", "0"],
        );
        (stderr, model_at(out).meta.provenance)
    };
    // Only the claim the data states has a class, so only its examples are taught: the pack's
    // two sentences that state it and two that deny it.
    let (stderr, provenance) = run("5", &dir.path().join("with.bin"));
    assert!(
        stderr.contains("4 of the pack's misconception examples taught, 5 time(s) each"),
        "{stderr}"
    );
    assert!(provenance.contains("pack examples 5"), "{provenance}");
    let (stderr, provenance) = run("0", &dir.path().join("without.bin"));
    assert!(
        !stderr.contains("misconception examples taught"),
        "{stderr}"
    );
    assert!(provenance.contains("pack examples 0"), "{provenance}");
    // And they teach: the pack's denial "QUIC isn't faster because it skips encryption; ..."
    // shares the claim's words, and only the model taught the pack's examples reads it below the
    // claim itself (without them the two read alike, the denial a hair higher).
    let claim = "QUIC is faster because it skips encryption.";
    let denial = "QUIC isn't faster because it skips encryption; encryption is built in.";
    let with = probe(&dir.path().join("with.bin"), &[claim, denial]);
    let without = probe(&dir.path().join("without.bin"), &[claim, denial]);
    assert!(with[1] < with[0] - 0.02, "taught: {with:?}");
    assert!(
        with[0] - with[1] > without[0] - without[1] + 0.02,
        "taught {with:?}, not taught {without:?}"
    );
}

/// The readings of the class `quic-http3:!skips-encryption` by the model at `model`, one per line.
fn probe(model: &Path, lines: &[&str]) -> Vec<f32> {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief-train"))
        .args(["--kind", "explain", "--out"])
        .arg(model)
        .args(["--probe", "quic-http3:!skips-encryption"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the trainer runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(lines.join("\n").as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().parse().unwrap())
        .collect()
}

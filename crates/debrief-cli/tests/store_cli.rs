//! End-to-end tests of the story bank, failure resume, status, export and import: the real
//! `debrief` binary on a real database file under a temporary `DEBRIEF_HOME`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const WEAK: &str =
    "---\ntitle: Halted the WAF rollout\ntags: [launch]\nquestions: [halted-launch]\n---\n\
We kind of just shipped it because sales wanted it and the team felt it was probably fine.\n";

const STRONG: &str = "---\ntitle: Halted the WAF rollout\ntags: [launch, security]\nquestions: [halted-launch]\n---\n\
I owned the rollout of our new WAF rules to 2,000 customers. At 5% of traffic the false-positive \
rate hit 0.8% against our 0.1% gate, so I halted the launch and told the VP we would slip two \
weeks. I worked with the security lead on a staged rollout with an automatic rollback, and since \
then every rule change ships behind that gate. We lost two weeks and no customer was blocked.\n";

fn debrief(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(args)
        .env("DEBRIEF_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("EDITOR")
        .env_remove("VISUAL")
        .stdin(Stdio::null())
        .output()
        .expect("debrief runs")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = debrief(home, args);
    assert!(
        out.status.success(),
        "debrief {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(home, args)).expect("JSON output")
}

/// Runs a command that must fail with exit 2 and one line on stderr; returns that line.
fn fails(home: &Path, args: &[&str]) -> String {
    let out = debrief(home, args);
    assert_eq!(out.status.code(), Some(2), "debrief {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn every_rewrite_is_kept_with_its_score() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let weak = write(tmp.path(), "weak.md", WEAK);
    let strong = write(tmp.path(), "strong.md", STRONG);

    assert!(ok(&home, &["story", "add", &weak]).contains("Added story 1"));
    assert!(ok(&home, &["story", "edit", "1", &strong]).contains("version 2"));
    assert!(ok(&home, &["story", "edit", "1", &strong]).contains("unchanged"));

    let list = json(&home, &["story", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["versions"], 2);
    assert_eq!(list[0]["tags"], serde_json::json!(["launch", "security"]));

    let shown = json(
        &home,
        &["story", "show", "1", "--history", "--format", "json"],
    );
    let versions = shown["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["markdown"], WEAK);
    let (first, second) = (
        versions[0]["score"].as_i64().unwrap(),
        versions[1]["score"].as_i64().unwrap(),
    );
    assert!(
        second > first,
        "the rewrite scores higher: {first} -> {second}"
    );
    assert_eq!(list[0]["score"], second);

    let history = ok(&home, &["story", "show", "1", "--history"]);
    assert!(
        history.contains(&format!("{:+}", second - first)),
        "{history}"
    );
    let latest = json(&home, &["story", "show", "1", "--format", "json"]);
    assert_eq!(latest["versions"].as_array().unwrap().len(), 1);

    let check: Value =
        serde_json::from_str(&ok(&home, &["story", "check", "1", "--format", "json"])).unwrap();
    assert_eq!(check["score"], second);
    assert_eq!(check["question"], "halted-launch");
}

#[test]
fn a_story_written_in_the_editor_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let story = write(tmp.path(), "story.md", STRONG);
    let seen = tmp.path().join("seen");
    let seen = seen.to_str().unwrap();
    let editor = write(
        tmp.path(),
        "editor.sh",
        &format!(
            "#!/bin/sh\nstat -c %a \"$1\" > '{seen}.mode'\necho \"$1\" > '{seen}.path'\ncp '{story}' \"$1\"\n"
        ),
    );
    std::process::Command::new("chmod")
        .args(["+x", &editor])
        .status()
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["story", "add"])
        .env("DEBRIEF_HOME", &home)
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = json(&home, &["story", "list", "--format", "json"]);
    assert_eq!(list[0]["title"], "Halted the WAF rollout");
    // The temporary file was the owner's alone, and it is gone.
    let mode = std::fs::read_to_string(format!("{seen}.mode")).unwrap();
    assert_eq!(mode.trim(), "600");
    let temp = std::fs::read_to_string(format!("{seen}.path")).unwrap();
    assert!(!Path::new(temp.trim()).exists(), "{temp} was left behind");

    // An editor that fails leaves the text where the message says.
    let failing = write(
        tmp.path(),
        "failing.sh",
        "#!/bin/sh\necho 'my half-written story' >> \"$1\"\nexit 3\n",
    );
    std::process::Command::new("chmod")
        .args(["+x", &failing])
        .status()
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["story", "add"])
        .env("DEBRIEF_HOME", &home)
        .env("EDITOR", &failing)
        .env_remove("VISUAL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let kept = err
        .trim_end()
        .rsplit_once("your text is in ")
        .map(|(_, p)| p.to_string())
        .unwrap_or_else(|| panic!("the message names the file: {err}"));
    assert!(std::fs::read_to_string(&kept)
        .unwrap()
        .contains("my half-written story"));
    std::fs::remove_file(kept).unwrap();
}

#[test]
fn bad_stories_are_refused_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let untitled = write(
        tmp.path(),
        "untitled.md",
        "---\ntags: []\n---\nI held the launch.\n",
    );
    assert!(fails(&home, &["story", "add", &untitled]).contains("no title"));
    let unknown = write(
        tmp.path(),
        "unknown.md",
        "---\ntitle: t\nquestions: [nope]\n---\nI held the launch.\n",
    );
    assert!(fails(&home, &["story", "add", &unknown]).contains("unknown question"));
    assert!(fails(&home, &["story", "show", "7"]).contains("no story 7"));
    assert_eq!(
        json(&home, &["story", "list", "--format", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn rm_asks_unless_yes() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let strong = write(tmp.path(), "strong.md", STRONG);
    ok(&home, &["story", "add", &strong]);
    ok(&home, &["story", "add", &strong]);
    assert!(fails(&home, &["story", "rm", "1"]).contains("--yes"));
    assert_eq!(
        json(&home, &["story", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    ok(&home, &["story", "rm", "1", "--yes"]);
    let list = json(&home, &["story", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 2);
    assert!(fails(&home, &["story", "show", "1"]).contains("no story 1"));
}

#[test]
fn failures_without_a_systemic_change_are_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let added = ok(
        &home,
        &[
            "failures",
            "add",
            "--mistake",
            "Shipped a DNS change on a Friday",
            "--impact",
            "12 minutes of errors",
        ],
    );
    assert!(added.contains("flagged"), "{added}");
    ok(
        &home,
        &[
            "failures",
            "add",
            "--mistake",
            "Skipped the canary",
            "--impact",
            "3% of zones",
            "--change",
            "Canary gate in CI",
        ],
    );
    let list = json(&home, &["failures", "list", "--format", "json"]);
    assert_eq!(list[0]["flagged"], true);
    assert_eq!(list[1]["flagged"], false);
    assert_eq!(list[1]["systemic_change"], "Canary gate in CI");
    assert!(ok(&home, &["failures", "list"]).contains("no systemic change"));
    assert_eq!(
        json(&home, &["failures", "show", "2", "--format", "json"])["mistake"],
        "Skipped the canary"
    );
    assert!(fails(&home, &["failures", "add", "--impact", "x"]).contains("--mistake"));
    ok(&home, &["failures", "rm", "1", "--yes"]);
    assert_eq!(
        json(&home, &["failures", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn status_and_coverage_read_the_bank() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let strong = write(tmp.path(), "strong.md", STRONG);
    ok(&home, &["story", "add", &strong]);
    ok(&home, &["config", "set", "interview-date", "2099-01-01"]);
    assert!(fails(&home, &["config", "set", "interview-date", "next week"]).contains("YYYY-MM-DD"));
    let status = json(&home, &["status", "--format", "json"]);
    assert_eq!(status["interview_date"], "2099-01-01");
    assert!(status["days_left"].as_i64().unwrap() > 0);
    let items = status["checklist"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    let cards = items.iter().find(|i| i["id"] == "domain-basics").unwrap();
    assert_eq!(cards["met"], false);
    assert!(cards["evidence"]
        .as_str()
        .unwrap()
        .starts_with("0 of 4 decks learned"));
    assert_eq!(status["trend"].as_array().unwrap().len(), 1);
    let human = ok(&home, &["status"]);
    assert!(human.contains("days left"), "{human}");

    let coverage = json(&home, &["coverage", "--format", "json"]);
    let safety = coverage["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "safety-over-speed")
        .unwrap();
    assert_eq!(safety["best_story"], 1);
    // One story about a halted rollout leaves competencies unproven, and never the one it proves.
    let missing = coverage["missing"].as_array().unwrap();
    assert!(!missing.is_empty(), "{coverage}");
    assert!(
        !missing.iter().any(|c| c == "safety-over-speed"),
        "{coverage}"
    );
}

/// A story over 80 words that the judge rates strong-hire: a halted launch.
const HALTED: &str = "---\ntitle: Halted the WAF rollout\n---\n\
I owned the rollout of our new WAF rules to 2,000 customers, most of them small online shops on \
our free plan. At 5% of traffic the false-positive rate hit 0.8% against our 0.1% gate, so I \
halted the launch and told the VP we would slip two weeks. I worked with the security lead on a \
staged rollout with an automatic rollback, and since then every rule change ships behind that \
gate. We lost two weeks and no customer was blocked.\n";

/// Rated hire on safety over speed, but by a staged rollout: no launch halted, no speed given up.
const STAGED: &str = "---\ntitle: Staged the cache rollout\n---\n\
I owned the rollout of our tiered cache to 2,000 customers, mostly media sites with spiky \
traffic. We shipped it behind a feature flag to 1% of traffic in one colo, then 10%, then \
everyone over three weeks, watching p99 latency and origin load at each stage with an automatic \
rollback if the hit ratio fell under 85%. We had rehearsed the rollback twice in staging. The \
rollout finished on schedule, origin egress fell 40% and no customer saw an error.\n";

/// Scores 4 on scar tissue (a mistake admitted, a later "no"), but shipped without the pen
/// test first: the disqualifier.
const SKIPPED: &str = "---\ntitle: Shipped before the pen test\n---\n\
I owned the launch of our partner API for 300 fintech customers, the largest deal of our year. \
The pen test had not started, so I decided we would skip it and ship on the date sales had \
promised; we shipped the API without the pen test and patched the two findings a week later. \
That was my mistake and I said so to the CISO. When sales pushed for the second phase a month \
later, I said no until the pen test was done, and since then every launch needs the security \
sign-off first.\n";

/// The checklist cannot be gamed: a story counts at hire or better with no disqualifier, only
/// for what its findings show, and once however many times its text is saved.
#[test]
fn readiness_counts_each_story_once_and_only_for_what_it_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let halted = write(tmp.path(), "halted.md", HALTED);
    let staged = write(tmp.path(), "staged.md", STAGED);
    let skipped = write(tmp.path(), "skipped.md", SKIPPED);
    for file in [&halted, &staged, &skipped] {
        let out = debrief(&home, &["story", "add", file]);
        assert!(out.status.success());
        assert!(out.stderr.is_empty(), "no warning for a new text");
    }
    // The same text again, with other front matter and layout: saved, with a warning.
    let copy = write(
        tmp.path(),
        "copy.md",
        &HALTED
            .replace("title: Halted the WAF rollout", "title: Again")
            .replace(". ", ".\n"),
    );
    let out = debrief(&home, &["story", "add", &copy]);
    assert!(out.status.success());
    let warning = String::from_utf8(out.stderr).unwrap();
    assert!(
        warning.contains("story 4 has the same text as story 1"),
        "{warning}"
    );
    let list = json(&home, &["story", "list", "--format", "json"]);
    let verdicts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["strong-hire", "hire", "strong-no-hire", "strong-hire"]
    );

    let status = json(&home, &["status", "--format", "json"]);
    let item = |id: &str| {
        status["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let integrity = item("integrity-over-speed");
    assert_eq!(integrity["met"], false, "{integrity}");
    assert_eq!(integrity["stories"], serde_json::json!([1]), "{integrity}");
    let evidence = integrity["evidence"].as_str().unwrap();
    assert!(evidence.starts_with("1 of 2 stories"), "{evidence}");
    assert!(
        evidence.contains("2 (shows none of halted-launch"),
        "{evidence}"
    );
    assert!(evidence.contains("3 (a disqualifier)"), "{evidence}");
    assert!(evidence.contains("4 (same text as story 1)"), "{evidence}");
    // The staged rollout counts where its findings fit: launches retold around scale.
    let launches = item("launches-retold");
    assert_eq!(launches["stories"], serde_json::json!([1, 2]), "{launches}");

    // A second halted launch meets the item.
    let second = write(
        tmp.path(),
        "second.md",
        &HALTED
            .replace("WAF rules", "bot rules")
            .replace("two weeks", "three weeks"),
    );
    ok(&home, &["story", "add", &second]);
    let status = json(&home, &["status", "--format", "json"]);
    let integrity = status["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "integrity-over-speed")
        .unwrap();
    assert_eq!(integrity["met"], true, "{integrity}");
    assert_eq!(
        integrity["stories"],
        serde_json::json!([1, 5]),
        "{integrity}"
    );
}

#[test]
fn export_then_import_into_an_empty_home_gives_the_same_data() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let weak = write(tmp.path(), "weak.md", WEAK);
    let strong = write(tmp.path(), "strong.md", STRONG);
    ok(&home, &["story", "add", &weak]);
    ok(&home, &["story", "edit", "1", &strong]);
    ok(&home, &["story", "add", &strong]);
    ok(&home, &["story", "add", &weak]);
    ok(&home, &["story", "rm", "2", "--yes"]);
    ok(
        &home,
        &[
            "failures",
            "add",
            "--mistake",
            "m",
            "--impact",
            "i",
            "--change",
            "c",
        ],
    );
    ok(&home, &["config", "set", "interview-date", "2099-01-01"]);

    let out = tmp.path().join("export");
    ok(&home, &["export", out.to_str().unwrap()]);
    let stories: Vec<String> = std::fs::read_dir(out.join("stories"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(stories.len(), 2, "{stories:?}");
    assert!(stories.contains(&"0001-halted-the-waf-rollout.md".to_string()));
    assert_eq!(
        std::fs::read_to_string(out.join("stories/0001-halted-the-waf-rollout.md")).unwrap(),
        STRONG
    );

    let other = tmp.path().join("other");
    assert!(ok(&other, &["import", out.to_str().unwrap()])
        .contains("Imported 2 new stories, 3 new versions"));
    let again = tmp.path().join("again");
    ok(&other, &["export", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(out.join("debrief.json")).unwrap(),
        std::fs::read_to_string(again.join("debrief.json")).unwrap()
    );
    // Twice adds nothing.
    assert!(ok(&other, &["import", out.to_str().unwrap()])
        .contains("Imported 0 new stories, 0 new versions, 0 failures"));
    assert_eq!(
        json(&other, &["story", "list", "--format", "json"]),
        json(&home, &["story", "list", "--format", "json"])
    );
    assert!(fails(
        &other,
        &["import", tmp.path().join("nowhere").to_str().unwrap()]
    )
    .contains("cannot read the export"));
}

#[test]
fn damaged_and_foreign_databases_get_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let notes = write(tmp.path(), "notes.sqlite", &"not a database\n".repeat(100));
    assert!(fails(&home, &["--database", &notes, "story", "list"])
        .contains("not a readable debrief database"));
    assert!(
        fails(&home, &["--database", "mysql://x/y", "story", "list"])
            .contains("not a database this program can use")
    );
    // A PostgreSQL server that is not there fails at once, in one line, with its reason.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("postgres://postgres@127.0.0.1:{port}/test");
    let line = fails(&home, &["--database", &closed, "story", "list"]);
    assert!(line.contains("cannot connect to the database"), "{line}");
    assert!(line.contains("refused"), "{line}");
    match std::env::var("DEBRIEF_TEST_DATABASE_URL") {
        Ok(url) => {
            let (server, _) = url.rsplit_once('/').unwrap();
            let missing = format!("{server}/debrief_no_such_database");
            let line = fails(&home, &["--database", &missing, "story", "list"]);
            assert!(
                line.contains("database \"debrief_no_such_database\" does not exist"),
                "{line}"
            );
            assert_eq!(
                line.matches("does not exist").count(),
                1,
                "said once: {line}"
            );
        }
        Err(_) => {
            eprintln!("skipped the missing-database case: DEBRIEF_TEST_DATABASE_URL is not set")
        }
    }
}

/// Stops a real `debrief import` with `kill -9` part-way: the import is all or nothing, so the
/// store is exactly as it was before, and running the import again completes it without
/// duplicates.
#[test]
fn a_killed_import_leaves_the_store_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    let weak = write(tmp.path(), "weak.md", WEAK);
    let strong = write(tmp.path(), "strong.md", STRONG);
    ok(&source, &["story", "add", &weak]);
    ok(&source, &["story", "edit", "1", &strong]);
    let small = tmp.path().join("small");
    ok(&source, &["export", small.to_str().unwrap()]);

    // A large export: the one story, three thousand times over, each with its two versions.
    const STORIES: usize = 3000;
    let mut export: Value =
        serde_json::from_str(&std::fs::read_to_string(small.join("debrief.json")).unwrap())
            .unwrap();
    let template = export["stories"][0].clone();
    let stories: Vec<Value> = (0..STORIES)
        .map(|i| {
            let mut s = template.clone();
            s["id"] = Value::from(i as i64 + 1);
            s["uid"] = Value::from(format!("bulk-{i}"));
            s["title"] = Value::from(format!("Story {i}"));
            s
        })
        .collect();
    export["stories"] = Value::Array(stories);
    let big = tmp.path().join("big");
    std::fs::create_dir_all(&big).unwrap();
    std::fs::write(
        big.join("debrief.json"),
        serde_json::to_vec(&export).unwrap(),
    )
    .unwrap();

    // The home already holds work of its own.
    let home = tmp.path().join("home");
    ok(&home, &["story", "add", &strong]);
    ok(
        &home,
        &[
            "failures",
            "add",
            "--mistake",
            "mine",
            "--impact",
            "i",
            "--change",
            "c",
        ],
    );
    let before = json(
        &home,
        &["story", "show", "1", "--history", "--format", "json"],
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["import", big.to_str().unwrap()])
        .env("DEBRIEF_HOME", &home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once it says it has written records: they are not yet committed.
    let mut progress = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    progress.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("Importing: 500 of"),
        "a large import shows its progress: {line:?}"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the import was stopped part-way");

    // The store is as it was before: nothing of the import, and the home's own work intact.
    let list = json(&home, &["story", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "killed part-way: {list}");
    assert_eq!(
        json(
            &home,
            &["story", "show", "1", "--history", "--format", "json"]
        ),
        before
    );
    assert_eq!(
        json(&home, &["failures", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Running it again completes the import, with no duplicates.
    ok(&home, &["import", big.to_str().unwrap()]);
    ok(&home, &["import", big.to_str().unwrap()]);
    let list = json(&home, &["story", "list", "--format", "json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), STORIES + 1);
    assert!(list.iter().all(|s| s["versions"] == 2 || s["id"] == 1));
}

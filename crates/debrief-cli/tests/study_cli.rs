//! End-to-end tests of the study commands of the real `debrief` binary: `questions`, `cards`,
//! `topics` and `explain --check`.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn debrief(args: &[&str]) -> Output {
    // A data folder of the tests' own: `cards export` reads the reviews kept there.
    let home = std::env::temp_dir().join(format!("debrief-study-cli-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("DEBRIEF_HOME", home)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a command that prints a JSON array and returns it.
fn json_array(args: &[&str]) -> Vec<Value> {
    let o = debrief(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let list = v.as_array().expect("an array").clone();
    for item in &list {
        assert!(item["id"].is_string(), "every object has an id: {item}");
    }
    list
}

/// Asserts an error: exit 2 and exactly one line on stderr holding `needle`.
fn assert_error(args: &[&str], needle: &str) {
    let o = debrief(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one stderr line: {err}");
    assert!(err.contains(needle), "{err}");
    assert!(o.stdout.is_empty());
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("debrief-study-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn questions_list_as_json_and_filter_by_competency_and_theme() {
    let all = json_array(&["questions", "--format", "json"]);
    assert!(all.len() >= 60);
    let by_comp = json_array(&[
        "questions",
        "--competency",
        "safety-over-speed",
        "--format",
        "json",
    ]);
    assert!(!by_comp.is_empty() && by_comp.len() < all.len());
    for q in &by_comp {
        let targets = q["targets"].as_array().unwrap();
        assert!(targets.iter().any(|t| t == "safety-over-speed"));
    }
    let by_theme = json_array(&["questions", "--theme", "saying-no", "--format", "json"]);
    assert!(!by_theme.is_empty() && by_theme.len() < all.len());
    for q in &by_theme {
        assert!(q["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "saying-no"));
    }
}

#[test]
fn cards_list_as_json_and_filter_by_deck() {
    let all = json_array(&["cards", "--format", "json"]);
    assert!(all.len() >= 200);
    let dns = json_array(&["cards", "--deck", "dns", "--format", "json"]);
    assert!(!dns.is_empty() && dns.len() < all.len());
    assert!(dns.iter().all(|c| c["deck"] == "dns"));
}

#[test]
fn dated_cards_show_when_they_were_true_and_their_source_everywhere() {
    let all = json_array(&["cards", "--format", "json"]);
    let dated: Vec<&Value> = all.iter().filter(|c| c["dated"].is_object()).collect();
    assert!(dated.len() >= 30, "{} dated cards", dated.len());
    for c in &dated {
        assert!(
            c["dated"]["source"]
                .as_str()
                .unwrap()
                .starts_with("https://"),
            "{c}"
        );
    }
    let card = dated
        .iter()
        .find(|c| c["deck"] == "incidents")
        .expect("an incident card is dated");
    let (as_of, source) = (
        card["dated"]["as_of"].as_str().unwrap(),
        card["dated"]["source"].as_str().unwrap(),
    );
    let listing = debrief(&["cards", "--deck", "incidents"]);
    assert!(
        stdout(&listing).contains(&format!("as of {as_of}; source: {source}")),
        "{}",
        stdout(&listing)
    );
    let md = stdout(&debrief(&[
        "cards",
        "export",
        "--deck",
        "incidents",
        "--format",
        "markdown",
    ]));
    assert!(md.contains(&format!("*As of {as_of}:* <{source}>")), "{md}");
    let csv = stdout(&debrief(&[
        "cards",
        "export",
        "--deck",
        "incidents",
        "--format",
        "csv",
    ]));
    assert!(
        csv.contains(&format!("<i>As of {as_of}:</i> {source}")),
        "{csv}"
    );
}

#[test]
fn merged_questions_answer_to_their_old_ids_and_list_their_other_wordings() {
    let all = json_array(&["questions", "--format", "json"]);
    let ids: Vec<&str> = all.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"first-hour-incident"), "merged away");
    let outage = all.iter().find(|q| q["id"] == "major-outage").unwrap();
    assert!(outage["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "first-hour-incident"));
    let listing = stdout(&debrief(&["questions", "--theme", "incidents"]));
    assert!(
        listing.contains("also asked: Describe the first hour of an incident"),
        "{listing}"
    );
    // An old id still judges an answer against the question it was merged into.
    let answer = temp_file(
        "merged.md",
        "I rolled back the config push within four minutes.",
    );
    let o = debrief(&[
        "check",
        answer.to_str().unwrap(),
        "--question",
        "first-hour-incident",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn topics_list_as_json_with_edge_computing_first() {
    let topics = json_array(&["topics", "--format", "json"]);
    assert!(topics.len() >= 12);
    assert_eq!(topics[0]["id"], "edge-computing");
    let human = debrief(&["topics"]);
    assert_eq!(human.status.code(), Some(0));
    assert!(stdout(&human).contains("edge-computing"));
}

#[test]
fn explain_check_passes_a_strong_sample_and_fails_a_weak_one() {
    let pack = debrief_core::builtin::pack().unwrap();
    let topic = pack.topic("edge-computing").unwrap();
    let strong = temp_file("strong.md", &topic.strong_sample);
    let weak = temp_file("weak.md", &topic.weak_sample);
    for (path, want) in [(&strong, true), (&weak, false)] {
        let o = debrief(&[
            "explain",
            "--check",
            path.to_str().unwrap(),
            "--topic",
            "edge-computing",
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["passed"], want, "{v}");
        assert_eq!(v["topic"], "edge-computing");
        assert!(v["concepts"].as_array().unwrap().len() >= 3);
    }
    let human = debrief(&[
        "explain",
        "--check",
        weak.to_str().unwrap(),
        "--topic",
        "edge-computing",
    ]);
    assert_eq!(human.status.code(), Some(0));
    let out = stdout(&human);
    assert!(out.contains("not passed"), "{out}");
    assert!(out.contains("Missing idea"), "{out}");
    let _ = std::fs::remove_file(strong);
    let _ = std::fs::remove_file(weak);
}

#[test]
fn unknown_topic_deck_competency_and_theme_are_one_line_errors() {
    let f = temp_file(
        "any.md",
        "Think of a coffee chain with branches everywhere.",
    );
    assert_error(
        &["explain", "--check", f.to_str().unwrap(), "--topic", "nope"],
        "debrief topics",
    );
    assert_error(&["cards", "--deck", "nope"], "unknown deck \"nope\"");
    assert_error(
        &["questions", "--competency", "nope"],
        "unknown competency \"nope\"",
    );
    assert_error(&["questions", "--theme", "nope"], "unknown theme \"nope\"");
    let _ = std::fs::remove_file(f);
}

#[test]
fn the_timed_explain_drill_without_a_terminal_asks_for_plain() {
    assert_error(&["explain", "--topic", "edge-computing"], "pass --plain");
}

/// The decks travel to Anki: a CSV with Anki's header lines that a second, independent reader
/// (Python's csv module) reads back as one row a card, and Markdown to print.
#[test]
fn cards_export_as_anki_csv_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cards.csv");
    let out = debrief(&[
        "cards",
        "export",
        "--format",
        "csv",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cards = json_array(&["cards", "--format", "json"]);
    assert!(
        stdout(&out).starts_with(&format!("Wrote {} cards in ", cards.len())),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("#separator:Comma\n#html:true\n#notetype:Basic\n"));
    let script = "import csv,sys,json\n\
rows=[r for r in csv.reader(l for l in open(sys.argv[1], encoding='utf-8') if not l.startswith('#'))]\n\
print(json.dumps(rows))";
    match Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
    {
        Ok(py) if py.status.success() => {
            let rows: Vec<Vec<String>> = serde_json::from_slice(&py.stdout).unwrap();
            assert_eq!(rows.len(), cards.len(), "one row a card");
            assert!(
                rows.iter().all(|r| r.len() == 5),
                "five columns in every row"
            );
            let first = &cards[0];
            let row = rows
                .iter()
                .find(|r| r[4] == format!("debrief-{}", first["id"].as_str().unwrap()))
                .expect("each card keeps its id as the note's GUID");
            assert!(row[2].starts_with("debrief::"), "{row:?}");
            assert!(row[1].contains("Why it matters"), "{row:?}");
        }
        _ => eprintln!("the Python check skipped: python3 is not available"),
    }

    let out = debrief(&["cards", "export", "--deck", "dns", "--format", "markdown"]);
    assert!(out.status.success());
    let md = stdout(&out);
    assert!(md.starts_with("# DNS ("), "{md}");
    let dns = json_array(&["cards", "--deck", "dns", "--format", "json"]);
    assert_eq!(
        md.matches("\n**").count() + usize::from(md.starts_with("**")),
        dns.len()
    );
    assert_error(
        &["cards", "export", "--deck", "nope", "--format", "csv"],
        "unknown deck \"nope\"",
    );
}

/// An Anki package Anki's own importer (PyPI's `anki`, when `DEBRIEF_TEST_ANKI_PYTHON` names a
/// Python that has it; `.ci/run` installs one) takes as it is: every card once, in its deck,
/// under its stable GUID, twice imported still once.
#[test]
fn cards_export_as_an_anki_package_that_anki_imports() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("debrief.apkg");
    let out = debrief(&[
        "cards",
        "export",
        "--format",
        "apkg",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cards = json_array(&["cards", "--format", "json"]);

    // A zip with the collection and the media map, and no working files left behind.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
    names.sort();
    assert_eq!(names, ["collection.anki2", "media"]);
    let collection = zip.by_name("collection.anki2").unwrap();
    assert!(collection.size() > 10_000);
    drop(collection);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the package: {left:?}");

    // Binary output needs a file name.
    assert_error(
        &["cards", "export", "--format", "apkg"],
        "give it a name with -o",
    );

    let Some(python) = std::env::var_os("DEBRIEF_TEST_ANKI_PYTHON") else {
        eprintln!("Anki's importer skipped: DEBRIEF_TEST_ANKI_PYTHON is not set");
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/anki_import.py");
    let run = Command::new(python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let got: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(got["notes"], cards.len(), "{got}");
    // A cloze note is one Anki card a gap.
    let gaps: usize = cards
        .iter()
        .filter_map(|c| c["cloze"].as_str())
        .map(|t| t.matches("{{c").count() - 1)
        .sum();
    assert!(gaps > 0, "the pack has cloze cards with several gaps");
    assert_eq!(got["cards"], cards.len() + gaps, "{got}");
    assert_eq!(
        got["fields"],
        serde_json::json!(["Front", "Back", "Why", "Source"])
    );
    // A card whose fact can go stale says when it was true and links its source.
    let dated = cards.iter().filter(|c| c["dated"].is_object()).count();
    assert!(dated > 0);
    assert_eq!(got["sourced"], dated, "{got}");
    let a_source = got["a_source"].as_str().unwrap();
    assert!(
        a_source.starts_with("As of ") && a_source.contains("<a href=\"https://"),
        "{a_source}"
    );
    let cloze = cards.iter().filter(|c| c["cloze"].is_string()).count();
    assert_eq!(got["cloze_notes"], cloze, "{got}");
    assert_eq!(
        got["cloze_fields"],
        serde_json::json!(["Text", "Back Extra", "Why", "Source"])
    );
    let decks: Vec<&str> = got["decks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(decks.contains(&"debrief::DNS"), "{decks:?}");
    let mut want: Vec<String> = cards
        .iter()
        .map(|c| format!("debrief-{}", c["id"].as_str().unwrap()))
        .collect();
    want.sort();
    assert_eq!(got["guids"], serde_json::json!(want));
}

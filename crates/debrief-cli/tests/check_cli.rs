//! End-to-end tests of the real `debrief` binary: output formats, exit codes and every kind of
//! bad input PRODUCT.md lists.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const STRONG: &str = "When our canary showed p99 latency rising from 80 ms to 450 ms at 5% of traffic, I decided to halt the rollout and rolled back within 4 minutes. I paged the on-call SRE, we found a connection pool capped at 50 per host, and I owned the two-week delay with the customer's network engineer. We added a kill switch and a load test at 10x before relaunching; p99 held at 85 ms.";
const DISQUALIFIED: &str = "We were behind, so I decided we would skip the security review to make the launch date. The launch went out on time and sign-ups grew 30%.";
const REFUSED: &str = "Our VP asked us to skip the security review to make the launch date. I refused to skip it, cut scope instead and shipped a week later.";

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("debrief-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn debrief(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        // The binary may exit before reading (a bad pack); a closed pipe is not a failure.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn json_output_follows_the_contract() {
    let s = Scratch::new("json");
    let a = s.file("a.md", STRONG.as_bytes());
    let o = debrief(&["check", "--format", "json", path(&a)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1);
    let j: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(j["path"], path(&a));
    assert_eq!(j["pack"]["id"], "cloudflare-pm");
    assert!(j["pack"]["version"].is_string());
    assert!(j["question"].is_null());
    assert!(["strong-no-hire", "no-hire", "hire", "strong-hire"]
        .contains(&j["verdict"].as_str().unwrap()));
    assert!(j["score"].as_u64().unwrap() <= 100);
    assert_eq!(j["disqualified"], false);
    assert_eq!(j["competencies"].as_array().unwrap().len(), 10);
    for c in j["competencies"].as_array().unwrap() {
        assert!(c["id"].is_string() && c["target"].is_boolean());
        assert!(c["score"].is_null() || (1..=4).contains(&c["score"].as_u64().unwrap()));
    }
    let findings = j["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        let (start, end) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&STRONG[start..end], f["text"].as_str().unwrap());
        assert_eq!(f["line"], 1);
        assert_eq!(
            f["column"].as_u64().unwrap() as usize,
            STRONG[..start].chars().count() + 1
        );
        for key in ["rule", "competency", "severity", "message"] {
            assert!(f[key].is_string(), "{key}");
        }
        assert!(f["suggestion"].is_string() || f["suggestion"].is_null());
    }
    for p in j["probes"].as_array().unwrap() {
        assert!(p["competency"].is_string() && p["question"].is_string());
    }
    let m = &j["metrics"];
    for key in [
        "words",
        "sentences",
        "speaking_seconds",
        "quantities",
        "first_person_singular",
        "first_person_plural",
        "fillers",
        "hedges",
    ] {
        assert!(m[key].is_u64(), "{key}");
    }
    assert!(m["quantities"].as_u64().unwrap() >= 5);
}

#[test]
fn several_files_give_one_json_line_each() {
    let s = Scratch::new("multi");
    let a = s.file("a.md", STRONG.as_bytes());
    let b = s.file("b.md", REFUSED.as_bytes());
    let o = debrief(&["check", "--format", "json", path(&a), path(&b)], None);
    let out = stdout(&o);
    let paths: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(paths, vec![path(&a).to_string(), path(&b).to_string()]);
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    // `debrief check *.md | head -1`: the reader closes the pipe while the judge still has far
    // more to write than a pipe holds, so the next write fails.
    let s = Scratch::new("pipe");
    let a = s.file("a.md", STRONG.as_bytes());
    let files: Vec<&str> = std::iter::repeat_n(path(&a), 200).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("check")
        .args(&files)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
}

#[test]
fn a_disqualifier_exits_one_and_its_refusal_does_not() {
    let o = debrief(&["check", "-"], Some(DISQUALIFIED.as_bytes()));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("disqualifier"));
    assert!(stdout(&o).contains("strong-no-hire"));
    let o = debrief(
        &["check", "--format", "json", "-"],
        Some(REFUSED.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["path"], "-");
    assert_eq!(j["disqualified"], false);
}

#[test]
fn fail_on_sets_the_threshold() {
    let weak = "Engineering couldn't finish the API in time, so the launch slipped. We made it much faster and more scalable.";
    assert_eq!(
        debrief(&["check", "-"], Some(weak.as_bytes()))
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        debrief(
            &["check", "--fail-on", "concern", "-"],
            Some(weak.as_bytes())
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        debrief(
            &["check", "--fail-on", "never", "-"],
            Some(DISQUALIFIED.as_bytes())
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn human_output_marks_the_span_on_the_answers_own_line() {
    let text =
        "Situation: a launch.\nWe were late, so I decided we would skip the security review.\n";
    let o = debrief(&["check", "-"], Some(text.as_bytes()));
    let out = stdout(&o);
    assert!(out.contains("-:2:"), "{out}");
    assert!(
        out.contains("2 | We were late, so I decided we would skip the security review."),
        "{out}"
    );
    let marks = out.lines().find(|l| l.contains('^')).unwrap();
    assert!(marks.contains("^^^^"), "{out}");
    assert!(out.contains("Verdict"));
    assert!(out.contains("Practise next"));
    assert!(!out.contains('\x1b'), "no colour into a pipe");

    // A summary leads: the verdict, the scores, then what to fix first with what to say
    // instead, the disqualifier first; the marked-up details follow.
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {out}"))
    };
    assert!(at("Verdict strong-no-hire") < at("Scores"), "{out}");
    assert!(at("Scores") < at("Fix first"), "{out}");
    assert!(at("Fix first") < at("Findings"), "{out}");
    let first = out[at("Fix first")..at("Findings")].to_string();
    assert!(
        first.contains("1. disqualifier"),
        "the disqualifier is the first thing to fix: {first}"
    );
    assert!(first.contains("instead:"), "{first}");
    assert!(!first.contains("4. "), "three at most: {first}");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let o = debrief(
        &["check", "--color", "always", "-"],
        Some(STRONG.as_bytes()),
    );
    assert!(stdout(&o).contains("\x1b["));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    let o = cmd
        .args(["check", "-"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(STRONG.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!String::from_utf8(o.stdout).unwrap().contains('\x1b'));
}

#[test]
fn a_question_sets_the_targets() {
    let o = debrief(&["questions", "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let id = v[0]["id"].as_str().unwrap().to_string();
    let o = debrief(
        &["check", "--format", "json", "--question", &id, "-"],
        Some(STRONG.as_bytes()),
    );
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["question"], id.as_str());
    assert!(j["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["target"] == true));
}

#[test]
fn front_matter_is_not_judged_and_spans_still_point_into_the_file() {
    let text =
        format!("---\ntitle: Skip the security review\ntags: [safety]\n---\n{DISQUALIFIED}\n");
    let o = debrief(&["check", "--format", "json", "-"], Some(text.as_bytes()));
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "disqualifier")
        .unwrap();
    assert_eq!(f["line"], 5);
    let (s, e) = (
        f["start"].as_u64().unwrap() as usize,
        f["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], f["text"].as_str().unwrap());
}

fn assert_error(o: &Output, needle: &str) {
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {} stderr: {}",
        stdout(o),
        stderr(o)
    );
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.starts_with("debrief: "), "{err}");
    assert!(err.contains(needle), "{err:?} should mention {needle:?}");
}

#[test]
fn bad_inputs_get_one_clear_message_and_exit_two() {
    let s = Scratch::new("bad");
    let empty = s.file("empty.md", b"");
    let blank = s.file("blank.md", b"  \n\t \n");
    let binary = s.file("binary.md", b"PK\x03\x04\x00\x00binary");
    let latin1 = s.file("latin1.md", b"caf\xe9 au lait");
    let big = s.file("big.md", "word ".repeat(400).as_bytes());
    assert_error(&debrief(&["check", path(&empty)], None), "is empty");
    assert_error(&debrief(&["check", path(&blank)], None), "is empty");
    assert_error(
        &debrief(&["check", "-"], Some(b"   ")),
        "standard input: is empty",
    );
    assert_error(&debrief(&["check", path(&binary)], None), "binary");
    assert_error(&debrief(&["check", path(&latin1)], None), "not valid UTF-8");
    assert_error(
        &debrief(&["check", &format!("{}/missing.md", s.0.display())], None),
        "no such file",
    );
    assert_error(
        &debrief(&["check", "--max-size", "1K", path(&big)], None),
        "over the 1 KiB limit",
    );
    assert_error(&debrief(&["check", path(&s.0)], None), "is a folder");
    assert_error(
        &debrief(
            &["check", "--question", "no-such-question", path(&big)],
            None,
        ),
        "unknown question",
    );
}

#[test]
fn one_bad_file_does_not_hide_the_good_ones() {
    let s = Scratch::new("mixed");
    let good = s.file("good.md", STRONG.as_bytes());
    let o = debrief(
        &["check", "--format", "json", "missing.md", path(&good)],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stderr(&o).contains("missing.md: no such file"));
}

#[test]
fn a_malformed_pack_is_reported_with_file_and_line() {
    let s = Scratch::new("pack");
    s.file(
        "pack/pack.toml",
        b"id = \"mine\"\nname = \"Mine\"\nversion = \"1\"\n",
    );
    s.file(
        "pack/competencies.toml",
        b"[[competency]]\nid = \"ownership\"\nname = \"Ownership\"\ndescription = \"d\"\nprobes = [\"What did you own?\"]\n",
    );
    s.file(
        "pack/signals/ownership.toml",
        b"[[signal]]\nid = \"x\"\ncompetency = \"ownership\"\nseverity = \"strong\"\n",
    );
    let dir = s.0.join("pack");
    let o = debrief(
        &["--pack", path(&dir), "check", "-"],
        Some(STRONG.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("signals/ownership.toml:4:"),
        "{}",
        stderr(&o)
    );
    let o = debrief(&["pack", "check", path(&dir)], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("signals/ownership.toml:4:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_small_custom_pack_judges_with_its_own_signals() {
    let s = Scratch::new("custom");
    s.file(
        "pack/pack.toml",
        b"id = \"mine\"\nname = \"Mine\"\nversion = \"7\"\n[scoring]\nexpected_competencies = 1\n",
    );
    s.file(
        "pack/competencies.toml",
        b"[[competency]]\nid = \"ownership\"\nname = \"Ownership\"\ndescription = \"d\"\nprobes = [\"What did you own?\"]\n",
    );
    s.file(
        "pack/signals/ownership.toml",
        br#"[[signal]]
id = "my-call"
competency = "ownership"
severity = "strength"
message = "Owning the decision."
phrases = ["{it was|that was} my call"]
examples.fire = ["It was my call.", "That was my call to make.", "In the end it was my call."]
examples.quiet = ["It was not my call.", "It was never my call.", "Was it my call?"]
"#,
    );
    let dir = s.0.join("pack");
    let o = debrief(&["pack", "check", path(&dir)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ok mine 7"), "{}", stdout(&o));
    let o = debrief(
        &["--pack", path(&dir), "check", "--format", "json", "-"],
        Some(b"It was my call to roll back."),
    );
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["pack"]["id"], "mine");
    assert_eq!(j["findings"][0]["rule"], "my-call");
}

#[test]
fn the_default_pack_checks_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/cloudflare-pm");
    let o = debrief(&["pack", "check", path(&dir)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ok cloudflare-pm"));
}

#[test]
fn eval_reports_ranking_beside_the_phrases_and_the_length_baseline() {
    let s = Scratch::new("eval");
    let lines = [
        serde_json::json!({"id": "s1", "answer": STRONG, "label": "strong", "group": "g", "disqualified": false}),
        serde_json::json!({"id": "m1", "answer": "We shipped the redesign on time and customers said they loved the new look, which made the team proud.", "label": "mediocre", "group": "g", "disqualified": false}),
        serde_json::json!({"id": "w1", "answer": DISQUALIFIED, "label": "weak", "group": "g", "disqualified": true}),
        serde_json::json!({"id": "w2", "answer": "We made it faster and customers loved it.", "label": "weak"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let f = s.file("l.jsonl", text.as_bytes());
    let o = debrief(&["eval", "--format", "json", path(&f)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["kind"], "answers");
    assert_eq!(r["answers"], 4);
    assert_eq!(r["groups"], 1);
    assert_eq!(r["judge"]["auc"], 1.0);
    assert_eq!(r["judge"]["ladders"], 1);
    // The baselines are always there to compare with.
    assert!(r["length"]["auc"].is_number(), "{r}");
    assert!(r["phrases"]["auc"].is_number(), "{r}");
    // Here the strong answer is the longest, so "strong from N words" gets all four right,
    // with N past every other answer's length.
    assert_eq!(r["accuracy_length"], 1.0, "{r}");
    let others = lines[1..]
        .iter()
        .map(|l| l["answer"].as_str().unwrap().split_whitespace().count())
        .max()
        .unwrap() as u64;
    assert!(r["accuracy_length_bar"].as_u64().unwrap() > others, "{r}");
    assert_eq!(r["disqualifier"]["acts"], 1);
    assert_eq!(r["disqualifier"]["caught"], 1);
    // The human report prints every figure beside the phrases and the length alone.
    let o = debrief(&["eval", path(&f)], None);
    let out = stdout(&o);
    assert!(
        out.contains("judge") && out.contains("phrases") && out.contains("length"),
        "{out}"
    );
    assert!(out.contains("AUC with length taken out"), "{out}");
    assert!(out.contains("(length: strong from "), "{out}");
    let bad = s.file(
        "bad.jsonl",
        b"{\"id\": \"x\", \"answer\": \"a\", \"label\": \"great\"}\n",
    );
    let o = debrief(&["eval", path(&bad)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.jsonl:1:"), "{}", stderr(&o));
}

#[test]
fn eval_of_explanations_names_each_misjudged_one_and_why() {
    let s = Scratch::new("eval-explain");
    // A wrong explanation the labeller failed: the drill fails it too, with the error quoted,
    // so it is no miss. The same text labelled as passing is one, with the claim named.
    let wrong =
        "Think of a fridge. Error budgets: at 99.9% a month we get about 26 minutes of downtime.";
    let lines = [
        serde_json::json!({"id": "w", "topic": "error-budgets", "kind": "wrong", "text": wrong, "ideas": {},
            "labelled": {"verdict": "fail", "errors": [{"quote": "at 99.9% a month we get about 26 minutes of downtime"}]}}),
        serde_json::json!({"id": "p", "topic": "error-budgets", "kind": "good", "text": wrong, "ideas": {},
            "labelled": {"verdict": "pass", "errors": []}}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let f = s.file("e.jsonl", text.as_bytes());
    let o = debrief(&["eval", "--format", "json", path(&f)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["kind"], "explanations");
    assert_eq!(r["errors_quoted"], 1, "{r}");
    assert_eq!(r["false_errors"], 1, "{r}");
    // One text labelled both pass and fail: no word count can tell them apart.
    assert_eq!(r["verdict_agreement_length"], 0.5, "{r}");
    let misses = r["misses"].as_array().unwrap();
    assert_eq!(misses.len(), 1, "{r}");
    let m = misses[0].as_str().unwrap();
    assert!(
        m.starts_with("p (error-budgets, good): labelled pass, judged fail"),
        "{m}"
    );
    assert!(m.contains("claims availability-arithmetic"), "{m}");
    let o = debrief(&["eval", path(&f)], None);
    assert!(stdout(&o).contains("Misjudged"), "{}", stdout(&o));
}

#[test]
fn eval_of_explanations_compares_a_second_labeller_and_refuses_an_incomplete_one() {
    let s = Scratch::new("eval-second");
    let text = "An error budget is the downtime a reliability target allows: at 99.9% that is about 43 minutes a month. While budget is left we ship; when it runs out, launches pause.";
    let first = serde_json::json!({"reliability-target": "present", "allowed-failure": "present",
        "in-minutes": "present", "spend-on-risk": "absent", "freeze-when-spent": "present", "agreed-rule": "absent"});
    // The second labeller differs on two ideas: one present for the first only, one for the
    // second only.
    let second = serde_json::json!({"reliability-target": "present", "allowed-failure": "present",
        "in-minutes": "wrong", "spend-on-risk": "present", "freeze-when-spent": "present", "agreed-rule": "absent"});
    let line = serde_json::json!({"id": "e", "topic": "error-budgets", "kind": "good", "text": text,
        "ideas": first, "labelled": {"verdict": "pass"},
        "ideas_second": second, "labelled_second": {"verdict": "fail"}});
    let f = s.file("e.jsonl", format!("{line}\n").as_bytes());
    let o = debrief(&["eval", "--format", "json", path(&f)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let sec = &r["second"];
    assert_eq!(sec["explanations"], 1, "{sec}");
    assert_eq!(sec["ideas"], 6, "{sec}");
    assert_eq!(sec["labellers_agree"], 4, "{sec}");
    // Both say yes on 3, first only 1, second only 1, neither 1: agreement 4/6 against chance
    // 4/6 * 4/6 + 2/6 * 2/6 = 5/9, so kappa (2/3 - 5/9) / (4/9) = 0.25.
    assert!(
        (sec["labellers_kappa"].as_f64().unwrap() - 0.25).abs() < 1e-9,
        "{sec}"
    );
    assert!(sec["drill_consensus"].as_u64().unwrap() <= 4, "{sec}");
    assert_eq!(sec["verdicts"], 1, "{sec}");
    assert_eq!(sec["verdicts_agree"], 0, "{sec}");
    assert_eq!(r["kinds"]["good"]["ideas"], 6, "{r}");
    let o = debrief(&["eval", path(&f)], None);
    assert!(
        stdout(&o)
            .contains("a second labeller, blind to the first (1 explanations, 6 idea decisions)"),
        "{}",
        stdout(&o)
    );
    // A second labelling that leaves an idea out is refused by name, not counted as absent.
    let mut short = line.clone();
    short["ideas_second"]
        .as_object_mut()
        .unwrap()
        .remove("agreed-rule");
    let bad = s.file("bad.jsonl", format!("{short}\n").as_bytes());
    let o = debrief(&["eval", path(&bad)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the second labeller left out idea agreed-rule"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn eval_measures_labelled_sentences_class_by_class() {
    let s = Scratch::new("eval-sentences");
    let lines = [
        serde_json::json!({"text": "We skipped the pen test to make the keynote.", "labels": ["security-bypassed"]}),
        serde_json::json!({"text": "I refused to skip the pen test, so we slipped a week.", "labels": ["refused-to-skip", "halted-launch"]}),
        serde_json::json!({"text": "The office is in Lisbon.", "labels": []}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let f = s.file("s.jsonl", text.as_bytes());
    let o = debrief(&["eval", "--format", "json", path(&f)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["kind"], "sentences");
    assert_eq!(r["sentences"], 3);
    let dq = r["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "security-bypassed")
        .unwrap();
    assert_eq!(dq["positives"], 1);
    assert_eq!(dq["judge"]["tp"], 1, "{dq}");
    let bad = s.file(
        "bad.jsonl",
        b"{\"text\": \"x\", \"labels\": [\"no-such-class\"]}\n",
    );
    let o = debrief(&["eval", path(&bad)], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-class"), "{}", stderr(&o));
}

#[test]
fn help_lists_every_option_of_check() {
    let o = debrief(&["check", "--help"], None);
    let out = stdout(&o);
    for opt in [
        "--format",
        "--question",
        "--fail-on",
        "--max-size",
        "--pack",
        "--color",
        "Exit status",
    ] {
        assert!(out.contains(opt), "{opt} missing from:\n{out}");
    }
}

/// Shell completions and the man page come from the same definition as `--help`: every command
/// and its own options are in them.
#[test]
fn completions_and_the_man_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = debrief(&["completions", shell], None);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["history", "story", "fail-on", "answers"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = debrief(&["completions", "tcsh"], None);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is refused");

    let out = debrief(&["man"], None);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH debrief 1"),
        "roff"
    );
    for section in [
        "DEBRIEF CHECK",
        "DEBRIEF HISTORY",
        "DEBRIEF STORY",
        "DEBRIEF IMPORT",
    ] {
        assert!(page.contains(section), "the man page lacks {section}");
    }
    assert!(
        page.contains("all or nothing"),
        "import's own text is there"
    );
}

#[test]
fn output_fits_80_columns_and_carets_stay_under_wide_characters() {
    use unicode_width::UnicodeWidthStr;
    let answer =
        "I decided to halt the launch of our 新的 WAF ruleset for 4,000 customers because \
        the pen test found an open SSRF 🚀 and the VP wanted it shipped anyway, so I told him we \
        would slip two weeks and lose a $200k deal, and we basically fixed it and staged the \
        rollout at 1%, 10% and 100% with a kill switch; p99 stayed under 40 ms.\n";
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    let out = cmd
        .args(["check", "--fail-on", "never", "-"])
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = out;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    // Each caret line sits under its span: the span's text starts at the caret's column.
    let lines: Vec<&str> = text.lines().collect();
    let mut checked = 0;
    for pair in lines.windows(2) {
        let (source, carets) = (pair[0], pair[1]);
        let Some(at) = carets.find('^') else { continue };
        if !source.contains(" | ") {
            continue;
        }
        let caret_col = carets[..at].width();
        let n = carets[at..].chars().take_while(|&c| c == '^').count();
        // The characters of the source line from the caret's column, n columns wide.
        let mut col = 0;
        let mut span = String::new();
        for c in source.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if col >= caret_col && col < caret_col + n {
                span.push(c);
            }
            col += w;
        }
        assert!(
            answer.contains(span.trim_end_matches('…')),
            "the carets point at {span:?}:\n{source}\n{carets}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "{text}");
    // A whole-answer finding shows no excerpt.
    assert!(text.contains("whole answer:"), "{text}");
}

#[test]
fn a_broken_contextual_reader_in_a_pack_is_one_clear_error() {
    let s = Scratch::new("reader");
    let (_, dir) = default_pack_copy(&s);
    let answer = s.file("a.md", STRONG.as_bytes());
    let o = debrief(&["--pack", path(&dir), "check", path(&answer)], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the copied pack judges: {}",
        stderr(&o)
    );
    std::fs::write(dir.join("model/reader.bin"), b"DBRD not a reader").unwrap();
    let o = debrief(&["--pack", path(&dir), "check", path(&answer)], None);
    assert_not_a_reader(&o, "reader.bin");
}

#[test]
fn a_broken_or_unreadable_claims_reader_in_a_pack_is_one_clear_error() {
    let s = Scratch::new("explain-reader");
    let (root, dir) = default_pack_copy(&s);
    let text = s.file(
        "e.md",
        b"Anycast gives one address to many buildings, and your visitors reach a nearby one.",
    );
    let args = [
        "--pack",
        path(&dir),
        "explain",
        "--check",
        path(&text),
        "--topic",
        "anycast-routing",
    ];
    let o = debrief(&args, None);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "the copied pack judges: {}",
        stderr(&o)
    );
    // Not a reader file.
    std::fs::write(dir.join("model/explain-reader.bin"), b"DBRD not a reader").unwrap();
    let o = debrief(&args, None);
    assert_not_a_reader(&o, "explain-reader.bin");
    // The shipped reader, whose judge model (the static vectors it reads) is missing.
    std::fs::copy(
        root.join("model/explain-reader.bin"),
        dir.join("model/explain-reader.bin"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("model/judge.bin")).unwrap();
    let o = debrief(&args, None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("model/judge.bin"), "{err}");
}

/// The default pack (`root`) copied into the scratch folder (`dir`), to be broken in a test.
fn default_pack_copy(s: &Scratch) -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/cloudflare-pm");
    let dir = s.0.join("pack");
    copy_dir(&root, &dir);
    (root, dir)
}

/// A run refused with one line naming the reader `file` that is no reader file.
fn assert_not_a_reader(o: &Output, file: &str) {
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(o);
    assert!(
        err.contains(file) && err.contains("not a debrief reader"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

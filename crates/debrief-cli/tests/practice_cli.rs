//! End-to-end tests of practice: the flashcard drill, the mock interview and the explain drill in
//! their plain modes, on the real `debrief` binary with a real database under a temporary
//! `DEBRIEF_HOME`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use debrief_core::drill::{Rating, Scheduler};
use serde_json::Value;

fn run(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(args)
        .env("DEBRIEF_HOME", home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("debrief runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(home: &Path, args: &[&str], stdin: &str) -> String {
    let out = run(home, args, stdin);
    assert!(
        out.status.success(),
        "debrief {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(home, args, "")).expect("JSON output")
}

fn days(n: u32) -> String {
    format!("in {n} day{}", if n == 1 { "" } else { "s" })
}

#[test]
fn plain_drill_rates_cards_from_stdin_and_schedules_them_as_fsrs_does() {
    let home = tempfile::tempdir().unwrap();
    let out = ok(
        home.path(),
        &["drill", "--plain", "--deck", "dns"],
        "good\nagain\n4\n",
    );
    assert!(out.starts_with("0 due, 20 new in deck dns"), "{out}");
    // Three cards shown, front then back, and no fourth: input ended.
    assert_eq!(out.matches("[1/20]").count(), 1, "{out}");
    assert!(out.contains("[3/20]") && !out.contains("[4/20]"), "{out}");
    let front = out.find("What does a DNS record's TTL control?").unwrap();
    let back = out.find("How many seconds resolvers").unwrap();
    assert!(front < back);
    let scheduler = Scheduler::new();
    let good = scheduler.schedule(None, Rating::Good, 0).interval_days;
    let easy = scheduler.schedule(None, Rating::Easy, 0).interval_days;
    assert!(out.contains(&format!("good: next {}", days(good))), "{out}");
    assert!(out.contains("again: next again within the day"), "{out}");
    assert!(out.contains(&format!("easy: next {}", days(easy))), "{out}");
    assert!(
        out.contains("Reviewed 3 of 20 cards; every rating is saved."),
        "{out}"
    );

    let stats = json(
        home.path(),
        &["drill", "--stats", "--deck", "dns", "--format", "json"],
    );
    assert_eq!(stats["reviews"], 3);
    assert!((stats["retention"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(stats["decks"][0]["deck"], "dns");
    assert_eq!(stats["decks"][0]["reviewed"], 3);
    let forecast: u64 = stats["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    // The good and again cards are due within the week; the easy one only if FSRS says so.
    assert_eq!(forecast, 2 + u64::from(easy < 7), "{stats}");

    // Nothing is due right away, so a new session starts with the next new cards.
    let again = ok(home.path(), &["drill", "--plain", "--deck", "dns"], "");
    let dns = json(home.path(), &["cards", "--deck", "dns", "--format", "json"]);
    let left = (dns.as_array().unwrap().len() - 3).min(20);
    assert!(again.starts_with(&format!("0 due, {left} new")), "{again}");

    // "u" takes back the last rating: the card is asked again and rated anew.
    let undone = ok(
        home.path(),
        &["drill", "--plain", "--deck", "dns"],
        "again\nu\neasy\n",
    );
    assert!(undone.contains("undid the rating of"), "{undone}");
    assert_eq!(undone.matches("[1/").count(), 2, "asked again: {undone}");
    assert!(undone.contains("Reviewed 1 of"), "{undone}");
    let stats = json(
        home.path(),
        &["drill", "--stats", "--deck", "dns", "--format", "json"],
    );
    assert_eq!(stats["reviews"], 4, "the undone Again is gone: {stats}");
    let nothing = ok(home.path(), &["drill", "--plain", "--deck", "dns"], "u\n");
    assert!(nothing.contains("nothing to undo yet"), "{nothing}");
}

#[test]
fn cramming_reviews_cards_due_before_the_interview_first() {
    let home = tempfile::tempdir().unwrap();
    ok(
        home.path(),
        &["drill", "--plain", "--deck", "tls"],
        "easy\n",
    );
    let out = run(home.path(), &["drill", "--plain", "--cram"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interview-date"));

    let day = debrief_store::date::format_day(
        debrief_store::date::day_of(debrief_store::date::now()) + 30,
    );
    ok(home.path(), &["config", "set", "interview-date", &day], "");
    let out = ok(
        home.path(),
        &["drill", "--plain", "--cram", "--deck", "tls"],
        "good\n",
    );
    // Cramming takes every card not yet seen, past the day's allowance of new ones.
    let tls = json(home.path(), &["cards", "--deck", "tls", "--format", "json"]);
    let unseen = tls.as_array().unwrap().len() - 1;
    assert!(
        out.starts_with(&format!("1 due, {unseen} new in deck tls, cramming toward")),
        "{out}"
    );
}

#[test]
fn a_bad_rating_is_one_clear_error_and_saves_nothing_for_that_card() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &["drill", "--plain"], "good\nmaybe\n");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("\"maybe\" is not a rating"), "{err}");
    let stats = json(home.path(), &["drill", "--stats", "--format", "json"]);
    assert_eq!(stats["reviews"], 1);
}

/// The attempts saved in the store under `home`.
fn attempts(home: &Path) -> Vec<debrief_store::Attempt> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let path = home.join(debrief_store::DATABASE_FILE);
        let store = debrief_store::Store::open(path.to_str().unwrap())
            .await
            .unwrap();
        let attempts = store.attempts().await.unwrap();
        store.close().await;
        attempts
    })
}

const WEAK_ANSWER: &str =
    "We kind of just shipped it because sales wanted it and the team felt it was probably fine.\n";

#[test]
fn plain_mock_prints_the_debrief_asks_follow_ups_and_saves_the_attempt() {
    let home = tempfile::tempdir().unwrap();
    let stdin = format!(
        "{WEAK_ANSWER}---\nWe lost 2 weeks and I rolled it back for 300 customers.\n---\nI had rehearsed the rollback twice in staging.\n"
    );
    let out = ok(
        home.path(),
        &["mock", "--plain", "--question", "halted-launch"],
        &stdin,
    );
    assert!(
        out.starts_with("Question: Tell me about a time you stopped a launch you owned."),
        "{out}"
    );
    assert!(out.contains("Verdict no-hire"), "{out}");
    assert!(out.contains("Follow-up 1 of 2:"), "{out}");
    assert!(out.contains("Follow-up 2 of 2:"), "{out}");
    assert!(
        out.contains("Saved attempt 1: the answer and 2 follow-ups."),
        "{out}"
    );
    // One verdict for the whole interview, what would lift it, and the worked answers, after
    // the debriefs.
    let whole = out.find("Interview verdict").expect(&out);
    assert!(whole > out.find("Follow-up 2 of 2:").unwrap(), "{out}");
    assert!(
        out.contains("the answer and 2 follow-ups judged as one"),
        "{out}"
    );
    assert!(out.contains("What would lift this to"), "{out}");
    assert!(out.contains("A worked strong answer"), "{out}");
    let saved = attempts(home.path());
    assert_eq!(saved.len(), 3);
    assert!(
        saved[0].overall.is_some(),
        "the interview's verdict is kept"
    );
    assert_eq!(
        saved[1].probe.as_deref(),
        out.split("Follow-up 1 of 2: ")
            .nth(1)
            .and_then(|r| r.lines().next()),
        "the follow-up keeps the question it answered"
    );
    assert_eq!(saved[0].kind, "answer");
    assert_eq!(saved[0].answer, WEAK_ANSWER);
    assert_eq!(saved[0].verdict, "no-hire");
    assert_eq!(saved[1].kind, "follow-up");
    assert!(saved[2].answer.contains("rehearsed the rollback"));
    assert!(saved
        .iter()
        .all(|a| a.question.as_deref() == Some("halted-launch")));

    // The next interview asks a question not yet seen.
    let next = ok(home.path(), &["mock", "--plain"], WEAK_ANSWER);
    assert!(!next.contains("(halted-launch)"), "{next}");
    assert_eq!(attempts(home.path()).len(), 4);

    // Answers under 80 words are saved but do not count toward the checklist's ten mocks.
    let mocks = |home: &Path| {
        let status = json(home, &["status", "--format", "json"]);
        status["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "mock-practice")
            .unwrap()["evidence"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        mocks(home.path()).starts_with("0 of 10"),
        "{}",
        mocks(home.path())
    );
    let long = LONG_ANSWER.to_string();
    assert!(long.split_whitespace().count() >= 80);
    ok(home.path(), &["mock", "--plain"], &long);
    assert!(
        mocks(home.path()).starts_with("1 of 10"),
        "{}",
        mocks(home.path())
    );
}

/// A full answer of more than 80 words.
const LONG_ANSWER: &str = "I owned the rollout of our new bot rules to 2,000 customers, most of \
them small online shops on our free plan. At 5% of traffic the false-positive rate hit 0.8% \
against our 0.1% gate, so I halted the launch and told the VP we would slip two weeks. I worked \
with the security lead on a staged rollout with an automatic rollback, and since then every rule \
change ships behind that gate. We lost two weeks and no customer was blocked.\n";

#[test]
fn plain_mock_refuses_an_empty_answer_and_saves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &["mock", "--plain"],
        "\n---\nonly a follow-up\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the answer is empty"));
    let out = run(home.path(), &["mock", "--plain", "--question", "nope"], "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown question \"nope\""));
    assert!(attempts(home.path()).is_empty());
}

/// A `debrief` command running in a detached tmux session, for the full-screen UI.
struct Tmux {
    session: String,
}

impl Tmux {
    /// Starts `debrief ARGS` in a 100x30 terminal, or `None` (with the reason printed) when tmux
    /// is not installed.
    fn start(home: &Path, name: &str, args: &str) -> Option<Tmux> {
        Tmux::start_sized(home, name, args, 100)
    }

    /// [`Tmux::start`] in a terminal `columns` wide.
    fn start_sized(home: &Path, name: &str, args: &str, columns: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("terminal test skipped: tmux is not installed");
            return None;
        }
        let session = format!("debrief-test-{name}-{}", std::process::id());
        let command = format!(
            "env DEBRIEF_HOME={} NO_COLOR=1 {} {args}; sleep 60",
            home.display(),
            env!("CARGO_BIN_EXE_debrief")
        );
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-y", "30", "-x"])
            .arg(columns.to_string())
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success());
        Some(Tmux { session })
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn text(&self, text: &str) {
        self.keys(&["-l", text]);
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits up to ten seconds for the screen to show `text`; returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(10),
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

#[test]
fn the_mock_interview_runs_in_a_real_terminal_and_saves_each_answer() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(
        home.path(),
        "mock",
        "mock --question halted-launch --minutes 2",
    ) else {
        return;
    };
    tmux.wait_for("Tell me about a time you stopped a launch you owned.");
    tmux.wait_for("left");
    tmux.text("We kind of just shipped it");
    tmux.keys(&["Enter"]);
    tmux.text("because sales wanted it.");
    tmux.wait_for("because sales wanted it.");
    tmux.keys(&["C-s"]);
    let debrief = tmux.wait_for("Verdict no-hire");
    assert!(debrief.contains("Debrief"), "{debrief}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Follow-up 1 of");
    tmux.text("We lost 2 weeks.");
    tmux.keys(&["C-s"]);
    tmux.wait_for("follow-up 1 ·");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Follow-up 2 of");
    tmux.text("I had rehearsed it");
    tmux.wait_for("I had rehearsed it");
    tmux.keys(&["C-c"]);
    tmux.wait_for("Draft saved to");
    tmux.wait_for("Why it fails:");

    let saved = attempts(home.path());
    assert_eq!(saved.len(), 2);
    assert!(saved[0].overall.is_some());
    assert_eq!(
        saved[0].answer,
        "We kind of just shipped it\nbecause sales wanted it."
    );
    assert_eq!(saved[1].kind, "follow-up");
    let draft = home
        .path()
        .join("drafts")
        .join("mock-halted-launch-follow-up-2.md");
    assert_eq!(
        std::fs::read_to_string(draft).unwrap(),
        "I had rehearsed it"
    );
    assert!(!home.path().join("drafts/mock-halted-launch.md").exists());
}

#[test]
fn the_answer_editor_has_the_keys_of_any_editor_and_lists_them() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(home.path(), "keys", "mock --question halted-launch") else {
        return;
    };
    tmux.wait_for("F1 keys");
    tmux.text("rolled back at 14:09");
    tmux.keys(&["Home"]);
    tmux.text("We ");
    tmux.keys(&["End"]);
    tmux.text(".");
    tmux.keys(&["C-Left", "C-Left"]);
    tmux.keys(&["DC"]);
    tmux.wait_for("We rolled back at 4:09.");
    tmux.keys(&["F1"]);
    let keys = tmux.wait_for("Any key closes this");
    assert!(
        keys.contains("Ctrl-S") && keys.contains("Home / End"),
        "{keys}"
    );
    tmux.keys(&["Escape"]);
    let closed = tmux.screen();
    assert!(
        !closed.contains("Any key closes this") || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            !tmux.screen().contains("Any key closes this")
        }
    );
    // A long line wraps at a word boundary, inside the 100 columns.
    tmux.keys(&["End"]);
    tmux.text(" Then I paged the owner of the configuration service and we froze all deploys for the rest of the day.");
    let screen = tmux.wait_for("rest of the day.");
    assert!(!screen.contains("configur\n"), "{screen}");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Verdict");
    tmux.keys(&["C-c"]);
    tmux.wait_for("Saved the answer");
    let saved = attempts(home.path());
    assert!(
        saved[0]
            .answer
            .starts_with("We rolled back at 4:09. Then I paged"),
        "{:?}",
        saved[0].answer
    );
}

#[test]
fn check_in_an_80_column_terminal_fits_it() {
    let home = tempfile::tempdir().unwrap();
    let answer = home.path().join("answer.md");
    std::fs::write(
        &answer,
        "I decided to halt the launch of our new WAF ruleset for 4,000 customers because the pen \
         test found an open SSRF and the VP wanted it shipped anyway, so I told him we would slip \
         two weeks and lose a $200k deal; we basically fixed it and staged the rollout with a kill \
         switch, and p99 stayed under 40 ms.\n",
    )
    .unwrap();
    let direct = format!("check --fail-on never {}", answer.display());
    // On the terminal itself, so the width comes from it.
    let Some(tmux) = Tmux::start_sized(home.path(), "check80", &direct, 80) else {
        return;
    };
    tmux.wait_for("hedges");
    // `-J` joins the lines the terminal wrapped: any longer than 80 would show here.
    let out = Command::new("tmux")
        .args([
            "capture-pane",
            "-p",
            "-J",
            "-S",
            "-200",
            "-t",
            &tmux.session,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "a line wider than the terminal was wrapped by it: {line:?}"
        );
    }
    assert!(text.contains("^^^"), "{text}");
}

#[test]
fn a_killed_mock_session_loses_no_typed_text() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(home.path(), "killed", "mock --question halted-launch") else {
        return;
    };
    tmux.wait_for("left");
    tmux.text("I halted the launch");
    tmux.keys(&["Enter"]);
    tmux.text("at 5% of traffic.");
    tmux.wait_for("at 5% of traffic.");
    drop(tmux);
    let draft = home.path().join("drafts").join("mock-halted-launch.md");
    assert_eq!(
        std::fs::read_to_string(&draft).unwrap(),
        "I halted the launch\nat 5% of traffic."
    );

    // The next interview on that question starts from the draft, with the time it had left.
    let secs = home
        .path()
        .join("drafts")
        .join("mock-halted-launch.md.secs");
    assert!(secs.exists(), "the clock is kept with the draft");
    std::fs::write(&secs, "170").unwrap();
    let Some(tmux) = Tmux::start(home.path(), "resumed", "mock --question halted-launch") else {
        return;
    };
    tmux.wait_for("at 5% of traffic.");
    let screen = tmux.wait_for(" left ");
    assert!(
        screen.contains(" 0:1") || screen.contains(" 0:0"),
        "170 of 180 seconds were gone: {screen}"
    );
}

#[test]
fn status_counts_learned_decks_mock_interviews_and_passed_explanations() {
    let home = tempfile::tempdir().unwrap();
    let item = |status: &Value, id: &str| {
        status["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let status = json(home.path(), &["status", "--format", "json"]);
    assert_eq!(item(&status, "domain-basics")["met"], false);
    assert_eq!(item(&status, "explain-complex-concept")["met"], false);

    let goods = "good\n".repeat(25);
    for deck in ["dns", "cdn", "ddos"] {
        // New cards come at most twenty a session.
        ok(home.path(), &["drill", "--plain", "--deck", deck], &goods);
        ok(home.path(), &["drill", "--plain", "--deck", deck], &goods);
    }
    let status = json(home.path(), &["status", "--format", "json"]);
    let cards = item(&status, "domain-basics");
    assert_eq!(cards["met"], false, "{cards}");
    assert!(
        cards["evidence"]
            .as_str()
            .unwrap()
            .starts_with("3 of 4 decks learned"),
        "{cards}"
    );
    ok(
        home.path(),
        &["drill", "--plain", "--deck", "zero-trust"],
        &goods,
    );
    ok(
        home.path(),
        &["drill", "--plain", "--deck", "zero-trust"],
        &goods,
    );
    assert_eq!(
        item(
            &json(home.path(), &["status", "--format", "json"]),
            "domain-basics"
        )["met"],
        true
    );

    let pack = debrief_core::builtin::pack().unwrap();
    let topic = pack.topic("edge-computing").unwrap();
    ok(
        home.path(),
        &["explain", "--plain", "edge-computing"],
        &topic.weak_sample,
    );
    let explain = item(
        &json(home.path(), &["status", "--format", "json"]),
        "explain-complex-concept",
    );
    assert_eq!(explain["met"], false, "{explain}");
    assert!(explain["evidence"].as_str().unwrap().contains("(1 tried)"));
    let out = ok(
        home.path(),
        &["explain", "--plain", "edge-computing"],
        &topic.strong_sample,
    );
    assert!(
        out.contains("passed") && out.contains("Saved explanation 2."),
        "{out}"
    );

    ok(home.path(), &["mock", "--plain"], LONG_ANSWER);
    let status = json(home.path(), &["status", "--format", "json"]);
    assert_eq!(item(&status, "explain-complex-concept")["met"], true);
    assert_eq!(
        item(&status, "mock-practice")["evidence"],
        "1 of 10 mock interviews saved with answers of 80+ words"
    );
    assert_eq!(
        status["trend"][0]["judgments"], 1,
        "the mock attempt is in the trend"
    );

    // The history lists every attempt with its answer, newest first.
    ok(home.path(), &["mock", "--plain"], WEAK_ANSWER);
    let history = json(home.path(), &["history", "--format", "json"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 4, "{history}");
    assert_eq!(kinds.iter().filter(|k| **k == "mock").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "explain").count(), 2);
    let weak = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["answer"] == WEAK_ANSWER)
        .expect("the short mock is listed with its answer");
    assert_eq!(weak["counts"], false);
    let strong = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "explain" && e["passed"] == true)
        .unwrap();
    assert_eq!(strong["text"], topic.strong_sample.as_str());
    let human = ok(home.path(), &["history", "--answers"], "");
    assert!(
        human.starts_with("2 mock interviews (1 counting toward the checklist), 2 explanations"),
        "{human}"
    );
    assert!(human.contains("under 80 words: not counted"), "{human}");
    assert!(
        human.contains("sales wanted it"),
        "the answers are shown: {human}"
    );
    let explains = json(
        home.path(),
        &["history", "--kind", "explain", "--format", "json"],
    );
    assert_eq!(explains.as_array().unwrap().len(), 2);
}

#[test]
fn the_explain_drill_counts_down_two_minutes_in_a_real_terminal_and_saves() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(home.path(), "explain", "explain dns-resolution") else {
        return;
    };
    tmux.wait_for("Explain");
    let screen = tmux.wait_for("left");
    assert!(
        screen.contains("2:00 left") || screen.contains("1:59 left"),
        "{screen}"
    );
    tmux.text("DNS is like a phone book for the internet.");
    tmux.wait_for("phone book for the internet.");
    tmux.keys(&["C-s"]);
    tmux.wait_for("analogy: yes");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Saved explanation 1.");
    assert!(!home
        .path()
        .join("drafts/explain-dns-resolution.md")
        .exists());
}

#[test]
fn the_full_screen_modes_without_a_terminal_ask_for_plain() {
    let home = tempfile::tempdir().unwrap();
    for args in [&["mock"][..], &["explain", "waf"][..]] {
        let out = run(home.path(), args, "some text");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("pass --plain"), "{err}");
    }
    assert!(
        !home.path().join(debrief_store::DATABASE_FILE).exists(),
        "nothing is opened before the terminal check"
    );
}

/// The drill in a real terminal, as an Anki user expects: Enter shows the answer, each rating
/// shows the interval it would give, and Enter again rates the card good.
#[test]
fn the_drill_in_a_terminal_rates_good_on_enter_and_shows_each_ratings_interval() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(home.path(), "drill", "drill --deck dns") else {
        return;
    };
    tmux.wait_for("(Enter shows the answer");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Enter = good");
    assert!(screen.contains("again (1) 10 min"), "{screen}");
    assert!(screen.contains("good (3) "), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("-> good: next in");
    // The next card, rated, then undone from its answer prompt.
    tmux.wait_for("[2/");
    tmux.keys(&["Enter"]);
    tmux.keys(&["3", "Enter"]);
    tmux.wait_for("[3/");
    tmux.keys(&["u", "Enter"]);
    tmux.wait_for("undid the rating of");
    // Ctrl-C ends the session with its summary.
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("(stopped with Ctrl-C)");
    assert!(screen.contains("Reviewed 1 of"), "{screen}");
    let reviews = json(home.path(), &["drill", "--stats", "--format", "json"]);
    assert_eq!(reviews["reviews"], 1, "{reviews}");
}

/// A deck travels: the pack's decks out as an Anki package and back in as a deck of the
/// candidate's own keep every card, which the drill then schedules like the pack's; a CSV of
/// their own comes in too, a backup keeps them, and bad files get one clear line.
/// Review history both ways, checked with Anki's own code (PyPI's `anki`, when
/// `DEBRIEF_TEST_ANKI_PYTHON` names a Python that has it): a deck reviewed in Anki comes in
/// with its reviews replayed through FSRS, once however often it is imported; cards reviewed
/// here go out with their review log and schedule, which Anki imports.
#[test]
fn review_history_travels_from_anki_and_back() {
    let Some(python) = std::env::var_os("DEBRIEF_TEST_ANKI_PYTHON") else {
        eprintln!("review history test skipped: DEBRIEF_TEST_ANKI_PYTHON is not set");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/anki_history.py");
    let anki = |mode: &str, file: &Path| -> Value {
        let out = Command::new(&python)
            .arg(&script)
            .arg(mode)
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let home = tempfile::tempdir().unwrap();
    let from_anki = home.path().join("from-anki.apkg");
    assert_eq!(anki("make", &from_anki)["revlog"], 2);
    let import = |home: &Path| {
        ok(
            home,
            &[
                "cards",
                "import",
                from_anki.to_str().unwrap(),
                "--deck",
                "From Anki",
            ],
            "",
        )
    };
    let out = import(home.path());
    assert!(out.contains("with 2 reviews of history"), "{out}");
    let again = import(home.path());
    assert!(!again.contains("of history"), "once: {again}");
    let stats = json(home.path(), &["drill", "--stats", "--format", "json"]);
    let mine = stats["decks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deck"] == "mine-from-anki")
        .unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(
        (mine["cards"].as_u64(), mine["reviews"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(mine["reviewed"], 2);

    // One more review here, then everything out to Anki.
    ok(
        home.path(),
        &["drill", "--plain", "--deck", "dns"],
        "good\n",
    );
    let back = home.path().join("back.apkg");
    let out = ok(
        home.path(),
        &[
            "cards",
            "export",
            "--format",
            "apkg",
            "-o",
            back.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.contains("with 3 reviews"), "{out}");
    let got = anki("read", &back);
    assert_eq!(got["revlog"], 3, "{got}");
    let reviewed = got["reviewed"].as_array().unwrap();
    assert_eq!(reviewed.len(), 3, "{got}");
    assert!(
        reviewed
            .iter()
            .all(|c| c["data"]["s"].as_f64().is_some_and(|s| s > 0.0)),
        "FSRS memory travels: {got}"
    );
}

#[test]
fn an_exported_anki_package_comes_back_as_a_deck_of_your_own_and_is_drilled() {
    let home = tempfile::tempdir().unwrap();
    let apkg = home.path().join("debrief.apkg");
    ok(
        home.path(),
        &[
            "cards",
            "export",
            "--format",
            "apkg",
            "-o",
            apkg.to_str().unwrap(),
        ],
        "",
    );
    let cards = json(home.path(), &["cards", "--format", "json"]);
    let n = cards.as_array().unwrap().len();
    let out = ok(
        home.path(),
        &[
            "cards",
            "import",
            apkg.to_str().unwrap(),
            "--deck",
            "Round trip",
        ],
        "",
    );
    assert!(
        out.starts_with(&format!(
            "Imported {n} cards into deck mine-round-trip ({n} new)"
        )),
        "{out}"
    );
    // Again: the same cards, nothing added twice.
    let out = ok(
        home.path(),
        &[
            "cards",
            "import",
            apkg.to_str().unwrap(),
            "--deck",
            "Round trip",
        ],
        "",
    );
    assert!(out.contains("(0 new)"), "{out}");
    let stats = json(home.path(), &["drill", "--stats", "--format", "json"]);
    let mine = stats["decks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deck"] == "mine-round-trip")
        .unwrap_or_else(|| panic!("the deck is drilled: {stats}"));
    assert_eq!(mine["cards"], n, "every card came back");
    // `debrief cards` lists the imported deck with the pack's.
    let listed = ok(home.path(), &["cards", "--deck", "mine-round-trip"], "");
    assert!(
        listed.starts_with(&format!("Round trip (mine-round-trip, {n} cards, yours)")),
        "{listed}"
    );
    let all = json(home.path(), &["cards", "--format", "json"]);
    assert_eq!(
        all.as_array().unwrap().len(),
        2 * n,
        "the pack's and the imported"
    );

    let out = ok(
        home.path(),
        &["drill", "--plain", "--deck", "mine-round-trip"],
        "good\n",
    );
    assert!(out.contains("What is BGP?"), "{out}");
    assert!(out.contains("Reviewed 1 of"), "{out}");

    // A CSV of the candidate's own, tab-separated with a why.
    let csv = home.path().join("notes.tsv");
    std::fs::write(
        &csv,
        "Which port does DNS use?\t53, UDP and TCP\tFirewalls that drop TCP 53 break big answers\n\
         What does anycast do?\tOne address announced from many places\t\n",
    )
    .unwrap();
    let out = ok(
        home.path(),
        &["cards", "import", csv.to_str().unwrap(), "--deck", "Notes"],
        "",
    );
    assert!(
        out.starts_with("Imported 2 cards into deck mine-notes"),
        "{out}"
    );

    // A backup keeps them.
    let backup = home.path().join("backup");
    ok(home.path(), &["export", backup.to_str().unwrap()], "");
    let other = tempfile::tempdir().unwrap();
    let out = ok(other.path(), &["import", backup.to_str().unwrap()], "");
    assert!(
        out.contains(&format!("{} cards of your own", n + 2)),
        "{out}"
    );

    // Bad files: one line each, nothing saved.
    let fake = home.path().join("fake.apkg");
    std::fs::write(&fake, "not a zip").unwrap();
    for (file, needle) in [
        (fake.to_str().unwrap(), "not an Anki package"),
        ("/nonexistent/x.csv", "cannot read"),
    ] {
        let out = run(other.path(), &["cards", "import", file, "--deck", "X"], "");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle) && err.trim_end().lines().count() == 1,
            "{err}"
        );
    }
}

/// With no deck named, the drill at a terminal offers the decks, the checklist's first.
#[test]
fn the_drill_in_a_terminal_offers_the_checklists_decks_first() {
    let home = tempfile::tempdir().unwrap();
    let Some(tmux) = Tmux::start(home.path(), "picker", "drill") else {
        return;
    };
    let screen = tmux.wait_for("Deck number or id");
    let first = screen
        .lines()
        .find(|l| l.trim_start().starts_with("1. "))
        .unwrap_or_else(|| panic!("a numbered list: {screen}"));
    assert!(
        first.contains("(dns)") && first.contains("on the checklist"),
        "{screen}"
    );
    tmux.text("9x");
    tmux.keys(&["Enter"]);
    tmux.wait_for("no deck \"9x\"");
    tmux.text("1");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("(Enter shows the answer");
    assert!(screen.contains("new in deck dns"), "{screen}");
    assert!(screen.contains("[1/20] dns-"), "{screen}");
}

//! End to end in a real browser: the real `debrief` binary serves a real database, and headless
//! Chromium (driven over WebDriver by chromedriver) types a story, sees the highlights and the
//! verdict appear, saves it, reviews a flashcard from the keyboard, finishes a mock interview
//! with its follow-ups, and photographs the dashboard to `target/e2e/dashboard.png`; then answers
//! a mock interview out loud through Chromium's fake microphone (a WAV espeak-ng speaks at test
//! time), transcribed by the real model (`DEBRIEF_TEST_WHISPER_DIR`), and sees the judged
//! transcript and its delivery. Skipped, with the reason, when Chromium, chromedriver, espeak-ng
//! or the model is not there.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{start_server, Running};
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

const STORY: &str =
    "Situation: two days before a WAF rule launch for 3,000 customers, I found the \
new rule blocked valid API traffic in staging.\n\nAction: I decided to halt the launch until the \
security review passed, and I owned telling the VP. We rolled back the rule and added a canary.\n\n\
Result: we launched a week later with zero false positives and cut blocked requests by 40%. \
Basically we just kind of made it work.";

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Chromium and chromedriver, or why the test cannot run.
fn browser() -> Result<(PathBuf, PathBuf), String> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| on_path(n))
        .ok_or("chromium is not installed (apt-get install chromium chromium-driver)")?;
    let driver = on_path("chromedriver")
        .ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
    Ok((chromium, driver))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request to chromedriver, answered as JSON: WebDriver needs no more.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: read the head, then what it says is the body.
    let mut reader = BufReader::new(stream);
    let mut length = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    let rest = if chunked {
        let mut raw = String::new();
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            raw.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
        raw
    } else {
        let mut body = vec![0; length.unwrap_or(0)];
        reader.read_exact(&mut body)?;
        String::from_utf8_lossy(&body).into_owned()
    };
    serde_json::from_str(&rest).map_err(std::io::Error::other)
}

/// A WebDriver session.
struct Browser {
    port: u16,
    session: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let mut answer =
            http(self.port, method, &url, body.as_ref()).expect("chromedriver answers");
        // A renderer that is slow to answer on a loaded machine says "timeout": try once more.
        if answer["value"]["error"] == "timeout" {
            std::thread::sleep(Duration::from_secs(1));
            answer = http(self.port, method, &url, body.as_ref()).expect("chromedriver answers");
        }
        if answer["value"]["error"].is_string() {
            panic!("WebDriver {method} {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v[ELEMENT].as_str().expect("an element id").to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Clicks a form's submit button and waits for the page it loads: the old page is marked
    /// first, so a wait that follows cannot be satisfied by the page being left.
    fn submit(&self, css: &str) {
        self.script("window.__leaving = true; return true;");
        self.click(css);
        self.wait_for(
            "the next page",
            "return window.__leaving === undefined && document.readyState === 'complete';",
            30,
        );
    }

    fn script(&self, js: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": [] })),
        )
    }

    /// Polls a script until it returns something truthy, or fails after `secs`.
    fn wait_for(&self, what: &str, js: &str, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.script(js);
            let empty = v.as_array().is_some_and(Vec::is_empty);
            if !(empty || v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                return v;
            }
            if Instant::now() >= deadline {
                let page = self
                    .script("return location.href + ' ' + document.body.innerText.slice(0, 400);");
                panic!("timed out waiting for {what}; the page: {page}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().expect("base64 text"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Presses keys on whatever has the focus.
    fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        self.call(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        );
    }

    /// Runs a script that calls its last argument with the result.
    fn script_async(&self, js: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": js, "args": [] })),
        )
    }

    /// The text of the page's prompt (an alert or a leave-the-page question) once one opens
    /// within `secs`, or `None`.
    fn wait_for_prompt(&self, secs: u64) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let url = format!("/session/{}/alert/text", self.session);
        while Instant::now() < deadline {
            if let Ok(v) = http(self.port, "GET", &url, None) {
                if !v["value"]["error"].is_string() {
                    return Some(v["value"].as_str().unwrap_or_default().to_string());
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    fn accept_prompt(&self) {
        self.call("POST", "/alert/accept", Some(json!({})));
    }

    /// The serious and critical violations axe-core (its script `axe`) finds on the page.
    fn serious_violations(&self, axe: &str) -> Value {
        self.script(&format!("{axe}; return true;"));
        self.script_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
               .filter(v => v.impact === 'serious' || v.impact === 'critical') \
               .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))) \
               .catch(e => done(['axe failed: ' + e]));",
        )
    }

    fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &s)| acc | u32::from(s) << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

/// How many mock-interview attempts the database holds, read with the real binary.
fn saved_attempts(db: &Path) -> usize {
    let out = debrief(db)
        .args(["history", "--format", "json"])
        .output()
        .expect("debrief history runs");
    let entries: Value = serde_json::from_slice(&out.stdout).expect("history JSON");
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "mock")
        .map(|e| 1 + e["follow_ups"].as_array().map_or(0, Vec::len))
        .sum()
}

fn debrief(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.arg("--database").arg(db).env_remove("DEBRIEF_HOME");
    cmd
}

/// `target/` of this build, where test artifacts go.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// Starts `debrief serve` on a free port over `db` with `extra` arguments; returns the running
/// server and its address.
fn serve(db: &Path, extra: &[&str]) -> (Running, String) {
    let mut serve = debrief(db);
    serve
        .args(["serve", "--port", "0"])
        .args(extra)
        .stderr(Stdio::inherit());
    start_server(serve)
}

/// Starts chromedriver and a headless Chromium session with its profile under `dir` and `extra`
/// command-line flags.
fn open_browser(dir: &Path, extra: &[String]) -> (Running, Browser) {
    let (chromium, driver) = browser().expect("checked by the caller");
    let port = free_port();
    let profile = dir.join("chromium-profile");
    let driver = Running(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !http(port, "GET", "/status", None).is_ok_and(|s| s["value"]["ready"] == true) {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .chain(extra.iter().cloned())
    .collect::<Vec<_>>();
    let created = http(
        port,
        "POST",
        "/session",
        Some(&json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            // Generous limits: on a loaded 2-core machine a page or script can take seconds.
            "timeouts": { "pageLoad": 120000, "script": 60000, "implicit": 0 },
            // The tests answer the leave-the-page prompt themselves.
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": { "binary": chromium, "args": args }
        }}})),
    )
    .unwrap();
    let session = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {created}"))
        .to_string();
    let browser = Browser { port, session };
    (driver, browser)
}

#[test]
fn a_story_typed_in_the_browser_is_judged_live_saved_and_shown_on_the_dashboard() {
    if let Err(why) = browser() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");

    // A story already in the bank and an interview date, so the dashboard has something to show.
    let seed = dir.path().join("seed.md");
    std::fs::write(
        &seed,
        format!("---\ntitle: Paused the DNS migration\ntags: [dns]\nquestions: []\n---\n{STORY}\n"),
    )
    .unwrap();
    let added = debrief(&db)
        .args(["story", "add"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(added.status.success(), "{:?}", added);
    let interview = debrief_store::date::format_day(
        debrief_store::date::day_of(debrief_store::date::now()) + 12,
    );
    let set = debrief(&db)
        .args(["config", "set", "interview-date", &interview])
        .output()
        .unwrap();
    assert!(set.status.success(), "{:?}", set);

    let (_server, base) = serve(&db, &[]);
    let (_driver, browser) = open_browser(dir.path(), &[]);

    // Write a story: the highlights and the verdict appear as it is typed.
    browser.go(&format!("{base}/stories/new"));
    browser.type_into("#story-title", "Halted the WAF rollout");
    browser.type_into("#story-body", STORY);
    let verdict = browser.wait_for(
        "the verdict",
        "const v = document.getElementById('verdict').textContent; return v.includes('/100') ? v : null;",
        15,
    );
    assert!(
        ["hire", "no-hire", "strong-hire", "strong-no-hire"]
            .iter()
            .any(|v| verdict.as_str().unwrap().contains(v)),
        "{verdict}"
    );
    let marks = browser.wait_for(
        "the highlights",
        "return Array.from(document.querySelectorAll('#highlights mark')).map(m => m.textContent);",
        15,
    );
    let marks: Vec<&str> = marks
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!marks.is_empty(), "no span is highlighted");
    for mark in &marks {
        assert!(STORY.contains(mark), "{mark:?} is not a span of the story");
    }
    let findings = browser.script("return document.querySelectorAll('#findings li').length;");
    assert!(findings.as_u64().unwrap() >= marks.len() as u64);
    // The highlight layer lies exactly under the textarea.
    let aligned = browser.script(
        "const a = document.getElementById('story-body').getBoundingClientRect(); \
         const b = document.getElementById('highlights').getBoundingClientRect(); \
         return a.left === b.left && a.top === b.top && a.width === b.width;",
    );
    assert_eq!(aligned, json!(true));
    // The competency scores are shown beside the answer.
    let scored = browser.script(
        "return Array.from(document.querySelectorAll('#scores td')).filter(t => /of 4/.test(t.textContent)).length;",
    );
    assert!(scored.as_u64().unwrap() >= 1, "{scored}");
    // The "show" buttons' names start with their visible text.
    let named = browser.script(
        "return Array.from(document.querySelectorAll('#findings button')).every(b => \
         b.getAttribute('aria-label').toLowerCase().startsWith(b.textContent.toLowerCase()));",
    );
    assert_eq!(named, json!(true));
    // Typing keeps the marks: before the next judgment they move with their words.
    let before = browser.script("return document.querySelectorAll('#highlights mark').length;");
    browser.script(
        "const a = document.getElementById('story-body'); a.setSelectionRange(0, 0); \
         a.setRangeText('So. '); a.dispatchEvent(new Event('input', { bubbles: true })); return true;",
    );
    let kept = browser.script(
        "return Array.from(document.querySelectorAll('#highlights mark')).map(m => m.textContent);",
    );
    let kept: Vec<&str> = kept
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        kept.len() as u64,
        before.as_u64().unwrap(),
        "the marks stay while typing"
    );
    for mark in &kept {
        assert!(STORY.contains(mark), "{mark:?} moved off its words");
    }

    browser.screenshot(&target_dir().join("e2e").join("editor.png"));

    // A 1 MiB paste: live judging pauses and says why; nothing is sent for it.
    let big = browser.script(
        "const a = document.getElementById('story-body'); window.__checks = 0; \
         const f = window.fetch; window.fetch = (...x) => { window.__checks++; return f(...x); }; \
         a.value = 'We rolled back at 14:09 and paged the owner. '.repeat(23000); \
         a.dispatchEvent(new Event('input', { bubbles: true })); return a.value.length;",
    );
    assert!(big.as_u64().unwrap() > 1_000_000);
    browser.wait_for(
        "the pause message",
        "return document.getElementById('verdict').textContent.includes('Live judging pauses');",
        15,
    );
    let sent = browser.script("return window.__checks;");
    assert_eq!(sent, json!(0), "no live judgment of a 1 MiB paste");
    browser.type_into("#story-body", STORY);
    browser.wait_for(
        "the verdict again",
        "return document.getElementById('verdict').textContent.includes('/100');",
        15,
    );

    // Save it: a new story with its first version.
    browser.submit("button[type=submit]");
    browser.wait_for(
        "the saved story",
        "return location.pathname === '/stories/2' && document.body.textContent.includes('Version history');",
        15,
    );

    // The dashboard: readiness, days left, heat map and trend chart.
    browser.go(&format!("{base}/"));
    let text = browser.script("return document.body.textContent;");
    let text = text.as_str().unwrap();
    assert!(text.contains("checklist items met"), "{text}");
    assert!(text.contains("12 days to the interview"), "{text}");
    assert!(text.contains("Halted the WAF rollout"));
    let chart = browser.script("return document.querySelectorAll('svg.chart circle').length;");
    assert!(chart.as_u64().unwrap() >= 1);
    let height = browser.script("return document.documentElement.scrollHeight;");
    browser.resize(
        1280,
        height.as_u64().unwrap_or(1000).clamp(800, 3000) as u32,
    );
    let shots = target_dir().join("e2e");
    browser.screenshot(&shots.join("dashboard.png"));

    // Review a flashcard from the keyboard: Space shows the answer, 3 rates it good.
    browser.go(&format!("{base}/cards"));
    browser.keys(" ");
    browser.wait_for(
        "the answer",
        "return document.getElementById('answer').open;",
        10,
    );
    browser.keys("3");
    browser.wait_for(
        "the next card",
        "return document.body.textContent.includes('1 card reviewed');",
        10,
    );
    // Anki's habit: Space shows the answer, Space again rates it Good, whatever has the focus.
    let again_label = browser
        .script("return document.querySelector('#rate-form button[value=\"1\"]').textContent;");
    assert!(
        again_label.as_str().unwrap().contains("10 min"),
        "each rating shows its next interval: {again_label}"
    );
    browser.keys(" ");
    browser.wait_for(
        "the second answer",
        "return document.getElementById('answer').open;",
        10,
    );
    browser.script("document.querySelector('#rate-form button[value=\"1\"]').focus(); return 1;");
    browser.keys(" ");
    browser.wait_for(
        "the third card",
        "return document.body.textContent.includes('2 cards reviewed');",
        10,
    );
    let export = dir.path().join("after-cards");
    let exported = debrief(&db).arg("export").arg(&export).output().unwrap();
    assert!(exported.status.success(), "{exported:?}");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join("debrief.json")).unwrap()).unwrap();
    let ratings: Vec<u64> = saved["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rating"].as_u64().unwrap())
        .collect();
    assert_eq!(ratings, [3, 3], "Space-Space rated Good, never Again");

    // A mock interview to the end. No countdown before the start button.
    browser.go(&format!("{base}/mock"));
    let before = browser.script("return document.getElementById('countdown') === null;");
    assert_eq!(before, json!(true), "no timer before the start");
    browser.submit("form[action='/mock'] button[type=submit]");
    browser.wait_for(
        "the countdown",
        "return /^[0-9]+:[0-9]{2}$/.test(document.getElementById('countdown').textContent);",
        10,
    );
    let interview = browser
        .script("return location.pathname;")
        .as_str()
        .unwrap()
        .to_string();
    // Leaving with text typed asks first; the draft is there on coming back.
    let half = &STORY[..STORY.len() / 2];
    browser.type_into("#mock-answer", half);
    browser.wait_for(
        "the draft kept",
        "return Object.keys(localStorage).some(k => k.startsWith('draft:mock-'));",
        10,
    );
    // Chrome shows its leave-the-page question only where its own rules allow; the page's
    // handler must ask for it every time.
    let asks = browser.script(
        "const e = new Event('beforeunload', { cancelable: true }); \
         window.dispatchEvent(e); return e.defaultPrevented;",
    );
    assert_eq!(asks, json!(true), "leaving with unsaved text asks first");
    browser.script("setTimeout(() => { location.href = '/'; }, 10); return true;");
    if browser.wait_for_prompt(3).is_some() {
        browser.accept_prompt();
    }
    browser.wait_for(
        "the dashboard",
        "return location.pathname === '/' && document.readyState === 'complete';",
        30,
    );
    browser.go(&format!("{base}{interview}"));
    let kept = browser.wait_for(
        "the draft back",
        "return document.getElementById('mock-answer').value;",
        10,
    );
    assert_eq!(kept, json!(half), "the draft survives leaving the page");
    browser.type_into("#mock-answer", STORY);
    browser.submit("#mock-form button[type=submit]");
    let answers_before = saved_attempts(&db);
    // The debrief first, from its top; a refresh after the submit saves nothing again.
    browser.wait_for(
        "the debrief",
        "return document.body.textContent.includes('/100');",
        10,
    );
    let top = browser.script(
        "return document.querySelector('h1').textContent === 'Debrief' && window.scrollY === 0 \
         && document.getElementById('countdown') === null;",
    );
    assert_eq!(top, json!(true), "the debrief leads, no timer running");
    browser.script("location.reload(); return true;");
    browser.wait_for(
        "the page again",
        "return document.readyState === 'complete' && document.body.textContent.includes('/100');",
        30,
    );
    assert_eq!(
        saved_attempts(&db),
        answers_before,
        "a refresh saves nothing twice"
    );
    for _ in 0..2 {
        let state = browser.wait_for(
            "the next step",
            "return document.querySelector('form[action$=\"/next\"]') ? 'follow-up' : \
             (document.body.textContent.includes('judged as one') ? 'finished' : '');",
            10,
        );
        if state == json!("finished") {
            break;
        }
        browser.submit("form[action$='/next'] button[type=submit]");
        browser.wait_for(
            "the follow-up's countdown",
            "return document.getElementById('countdown') !== null;",
            10,
        );
        browser.type_into(
            "#mock-answer",
            "I measured the false positive rate for 3 days in staging before I turned the rule on.",
        );
        browser.submit("#mock-form button[type=submit]");
    }
    browser.wait_for(
        "one verdict for the interview",
        "return document.body.textContent.includes('judged as one') && \
         document.body.textContent.includes('A worked strong answer');",
        10,
    );
    browser.screenshot(&shots.join("mock-verdict.png"));

    // The explain drill: a topic, the countdown, the judgment.
    browser.go(&format!("{base}/explain"));
    browser.type_into(
        "#explain-text",
        "DNS is like a phone book for the internet: you type a name, and a resolver looks up the number (the IP address) the computer needs.",
    );
    browser.submit("#explain-form button[type=submit]");
    browser.wait_for(
        "the explanation's judgment",
        "return document.body.textContent.includes('/100') && document.body.textContent.includes('Key ideas');",
        10,
    );
    browser.screenshot(&target_dir().join("e2e").join("explain.png"));

    // A phone: the editor stacks its columns.
    browser.resize(390, 844);
    browser.go(&format!("{base}/stories/2"));
    browser.wait_for(
        "the verdict on a phone",
        "return document.getElementById('verdict').textContent.includes('/100');",
        15,
    );
    let stacked = browser.script(
        "const a = document.querySelector('.write').getBoundingClientRect(); \
         const b = document.querySelector('.judgment').getBoundingClientRect(); \
         return b.top >= a.bottom;",
    );
    assert_eq!(stacked, json!(true), "the judgment sits under the editor");
    // The verdict stays in sight while typing: inside the screen with the editor focused.
    let in_sight = browser.script(
        "document.getElementById('story-body').focus(); \
         const v = document.getElementById('verdict').getBoundingClientRect(); \
         return v.top >= 0 && v.bottom <= window.innerHeight && v.height > 0;",
    );
    assert_eq!(
        in_sight,
        json!(true),
        "the verdict stays visible on a phone"
    );
    browser.screenshot(&shots.join("editor-phone.png"));

    // The dashboard and the coach's report on a phone: nothing wider than the screen (wide
    // tables scroll inside their card).
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth + 1;";
    browser.go(&format!("{base}/"));
    browser.wait_for(
        "the dashboard",
        "return document.readyState === 'complete';",
        15,
    );
    let wide = browser.script(
        "return Array.from(document.querySelectorAll('body *')).filter(e => \
         e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll')).slice(0, 8).map(e => \
         e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + document.documentElement.scrollWidth + '/' + window.innerWidth);",
    );
    let sizes = browser.script("return [document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth, document.body.scrollWidth, Array.from(document.querySelectorAll('.scroll')).map(e => e.getBoundingClientRect().width + '/' + e.scrollWidth)];");
    assert_eq!(
        browser.script(fits),
        json!(true),
        "the dashboard fits a phone: {wide} {sizes}"
    );
    browser.screenshot(&shots.join("dashboard-phone.png"));
    let report = dir.path().join("report.html");
    let written = debrief(&db)
        .args(["report", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(written.status.success(), "{written:?}");
    browser.go(&format!("file://{}", report.display()));
    browser.wait_for(
        "the report",
        "return document.body.textContent.includes('with their findings marked');",
        15,
    );
    let wide = browser.script(
        "return Array.from(document.querySelectorAll('body *')).filter(e => \
         e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => \
         e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
    );
    assert_eq!(
        browser.script(fits),
        json!(true),
        "the report fits a phone: {wide}"
    );
    browser.screenshot(&shots.join("report-phone.png"));

    // Every page by keyboard alone, and axe-core finds no serious violation (injected through
    // WebDriver: the pages' Content-Security-Policy stays as it is).
    browser.resize(1280, 1000);
    let axe = axe_source();
    let pages = [
        "/",
        "/stories",
        "/stories/new",
        "/stories/2",
        "/stories/2/versions/1",
        "/stories/2/delete",
        "/questions",
        "/mock",
        interview.as_str(),
        "/explain",
        "/cards",
        "/history",
        "/failures",
        "/report",
    ];
    for page in pages {
        browser.go(&format!("{base}{page}"));
        browser.wait_for("the page", "return document.readyState === 'complete';", 15);
        // Tab from the top: every stop is visible, outside hidden layers, and ringed, and
        // the main content is reached.
        browser.script("document.activeElement && document.activeElement.blur(); return true;");
        let mut reached_main = false;
        for _ in 0..25 {
            browser.keys("\u{E004}");
            let stop = browser.script(
                "const e = document.activeElement; if (!e || e === document.body) return null; \
                 const r = e.getBoundingClientRect(); const st = getComputedStyle(e); \
                 return { what: e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30), \
                   visible: r.width > 0 && r.height > 0, hidden: !!e.closest('[aria-hidden=true]'), \
                   ringed: st.outlineStyle !== 'none' || st.boxShadow !== 'none', \
                   main: !!e.closest('main') };",
            );
            if stop.is_null() {
                break;
            }
            assert_eq!(
                stop["visible"],
                json!(true),
                "{page}: an invisible tab stop {stop}"
            );
            assert_eq!(
                stop["hidden"],
                json!(false),
                "{page}: a tab stop in a hidden layer {stop}"
            );
            assert_eq!(
                stop["ringed"],
                json!(true),
                "{page}: no focus ring on {stop}"
            );
            if stop["main"] == json!(true) {
                reached_main = true;
                break;
            }
        }
        assert!(reached_main, "{page}: Tab never reaches the page's content");
        let Some(axe) = &axe else { continue };
        assert_eq!(
            browser.serious_violations(axe),
            json!([]),
            "{page}: axe-core found serious violations"
        );
    }
}

/// axe-core's script, from `DEBRIEF_TEST_AXE` or `target/axe` (`.ci/run` installs it from npm);
/// `None`, saying so, when it is not installed.
fn axe_source() -> Option<String> {
    let path = std::env::var("DEBRIEF_TEST_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| target_dir().join("axe/node_modules/axe-core/axe.min.js"));
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!(
                "axe-core check skipped: {} is missing (npm install --prefix target/axe axe-core@4)",
                path.display()
            );
            None
        }
    }
}

/// The answer the fake microphone speaks.
const SPOKEN: &str = "I decided to halt the launch until the security review passed. \
We found two critical bugs, fixed them, and cut the error rate by forty percent before we shipped.";

/// `text` spoken by espeak-ng into a WAV for Chromium's fake microphone (16-bit mono 48 kHz
/// through sox when it is there), with a second and a half of silence after it; or why not.
fn fake_microphone(dir: &Path, text: &str) -> Result<PathBuf, String> {
    let spoken = dir.join("spoken.wav");
    let made = Command::new("espeak-ng")
        .args(["-w", spoken.to_str().unwrap(), text])
        .output()
        .map_err(|_| "espeak-ng is not installed (apt-get install espeak-ng)".to_string())?;
    assert!(made.status.success(), "{made:?}");
    let mic = dir.join("microphone.wav");
    let converted = Command::new("sox")
        .arg(&spoken)
        .args(["-r", "48000", "-b", "16", "-c", "1"])
        .arg(&mic)
        .args(["pad", "0", "1.5"])
        .output();
    match converted {
        Ok(out) if out.status.success() => Ok(mic),
        // Without sox, espeak-ng's own 22 kHz WAV: Chromium resamples it.
        _ => Ok(spoken),
    }
}

#[test]
fn an_answer_spoken_into_the_microphone_is_transcribed_judged_and_shown_with_its_delivery() {
    if let Err(why) = browser() {
        eprintln!("skipped: {why}");
        return;
    }
    let Some(model) = std::env::var_os("DEBRIEF_TEST_WHISPER_DIR") else {
        eprintln!(
            "skipped: DEBRIEF_TEST_WHISPER_DIR is not set (.ci/run installs the model and sets it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mic = match fake_microphone(dir.path(), SPOKEN) {
        Ok(mic) => mic,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    // How long the fake microphone's file plays: it loops, so the recording is stopped after one
    // pass (a wait, not an assertion).
    let wav = std::fs::read(&mic).unwrap();
    let rate = u32::from_le_bytes(wav[24..28].try_into().unwrap());
    let clip_seconds = (wav.len() - 44) as f64 / (rate as f64 * 2.0);

    let db = dir.path().join("db.sqlite");
    let (_server, base) = serve(&db, &["--model", model.to_str().unwrap()]);
    let (_driver, browser) = open_browser(
        dir.path(),
        &[
            "--use-fake-device-for-media-stream".to_string(),
            "--use-fake-ui-for-media-stream".to_string(),
            format!("--use-file-for-fake-audio-capture={}", mic.display()),
            "--autoplay-policy=no-user-gesture-required".to_string(),
        ],
    );

    browser.go(&format!("{base}/mock?question=halted-launch"));
    browser.submit("form[action='/mock'] button[type=submit]");
    // The record button, labelled, reached from the keyboard.
    let label = browser.script("return document.getElementById('record-start').textContent;");
    assert_eq!(label, json!("Start recording"));
    let axe = axe_source();
    if let Some(axe) = &axe {
        assert_eq!(
            browser.serious_violations(axe),
            json!([]),
            "the recorder: axe-core found serious violations"
        );
    }
    browser.script("document.getElementById('record-start').focus(); return true;");
    browser.keys("\u{E007}"); // Enter
    browser.wait_for(
        "the recording to start",
        "return !document.getElementById('record-stop').disabled;",
        30,
    );
    std::thread::sleep(Duration::from_secs_f64(clip_seconds + 0.5));
    let level = browser.script("return document.getElementById('record-level-text').textContent;");
    assert!(
        level.as_str().unwrap().contains("dB"),
        "the level meter shows no level: {level}"
    );
    browser.script("window.__leaving = true; return true;");
    browser.click("#record-stop");
    // Transcribed on the server, judged, saved, and the debrief page opened.
    let shown = browser.wait_for(
        "the judged transcript",
        "if (window.__leaving) { const e = document.getElementById('record-error'); \
           return e && !e.hidden ? 'error: ' + e.textContent : null; } \
         const t = document.querySelector('.transcript'); return t ? t.textContent : null;",
        600,
    );
    let transcript = shown.as_str().unwrap().to_lowercase();
    assert!(!transcript.starts_with("error: "), "{transcript}");
    assert!(
        transcript.contains("launch") && transcript.contains("security"),
        "{transcript}"
    );
    // The findings' spans are marked on the transcript, each a piece of it.
    let marks = browser.script(
        "return Array.from(document.querySelectorAll('.transcript mark')).map(m => m.textContent);",
    );
    let marks: Vec<String> = marks
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str().map(str::to_lowercase))
        .collect();
    assert!(!marks.is_empty(), "no finding is marked on {transcript}");
    assert!(marks.iter().all(|m| transcript.contains(m.as_str())));
    // The delivery: the timeline and its numbers as text.
    let delivery = browser.script(
        "const svg = document.querySelector('svg.timeline'); \
         const n = document.querySelector('.delivery-numbers'); \
         return svg && n ? svg.getAttribute('role') + ' | ' + n.textContent : null;",
    );
    let delivery = delivery.as_str().expect("the delivery is shown");
    assert!(delivery.starts_with("img | "), "{delivery}");
    assert!(delivery.contains("words a minute"), "{delivery}");
    assert!(delivery.contains("budget"), "{delivery}");
    assert_eq!(saved_attempts(&db), 1);
    if let Some(axe) = &axe {
        assert_eq!(
            browser.serious_violations(axe),
            json!([]),
            "the spoken debrief: axe-core found serious violations"
        );
    }
    browser.script("document.querySelector('.transcript').scrollIntoView(); return true;");
    browser.screenshot(&target_dir().join("e2e/spoken-debrief.png"));
    browser.script("document.querySelector('svg.timeline').scrollIntoView(); return true;");
    browser.screenshot(&target_dir().join("e2e/spoken-delivery.png"));
    // The dashboard's delivery trend has the answer.
    browser.go(&format!("{base}/"));
    let trend = browser.script(
        "const h = document.getElementById('delivery-h'); h.scrollIntoView(); \
         return h.parentElement.textContent;",
    );
    assert!(
        trend
            .as_str()
            .unwrap()
            .contains("Delivery over 1 spoken attempt"),
        "{trend}"
    );
    browser.screenshot(&target_dir().join("e2e/spoken-dashboard.png"));
}

/// A cohort server's pages in a real browser: the login form sets the `__Host-` session cookie
/// over http://127.0.0.1 (a secure context for Chromium), each role lands on its own page, and
/// the new pages pass axe-core like the rest.
#[test]
fn a_cohort_is_used_through_the_browser_and_its_pages_pass_axe() {
    if let Err(why) = browser() {
        eprintln!("skipped: {why}");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(debrief_store::scratch::ScratchDatabase::create(
        "the cohort browser test",
    )) else {
        return;
    };
    const PASSWORD: &str = "seven ducks on a wet roof";
    for (email, role) in [
        ("admin@example.org", "admin"),
        ("coach@example.org", "coach"),
        ("ada@example.org", "candidate"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .args([
                "--database",
                db.url(),
                "admin",
                "create-user",
                "--email",
                email,
                "--role",
                role,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        assert!(child.wait().unwrap().success());
    }
    let mut serve = Command::new(env!("CARGO_BIN_EXE_debrief"));
    serve
        .args([
            "--database",
            db.url(),
            "serve",
            "--multi-user",
            "--port",
            "0",
        ])
        .stderr(Stdio::null());
    let (_server, base) = start_server(serve);
    let dir = tempfile::tempdir().unwrap();
    let (_driver, browser) = open_browser(dir.path(), &[]);
    let axe = axe_source();
    let check = |page: &str| {
        if let Some(axe) = &axe {
            assert_eq!(
                browser.serious_violations(axe),
                json!([]),
                "{page}: axe-core found serious violations"
            );
        }
    };
    let log_in = |email: &str| {
        browser.go(&format!("{base}/login"));
        check("/login");
        browser.type_into("#email", email);
        browser.type_into("#password", PASSWORD);
        browser.submit("form[action='/login'] button");
    };
    let heading = || browser.script("return document.querySelector('h1').textContent;");

    // The candidate lands on their dashboard, writes a story, shares it.
    log_in("ada@example.org");
    assert_eq!(heading(), json!("Dashboard"));
    check("/ (candidate)");
    browser.go(&format!("{base}/stories/new"));
    browser.type_into("#story-title", "Halted the WAF rollout");
    browser.type_into("#story-body", STORY);
    browser.submit("#story-form button[type=submit]");
    browser.submit("form[action$='/share'] button");
    let shared =
        browser.script("return document.getElementById('share-h').parentElement.textContent;");
    assert!(
        shared
            .as_str()
            .unwrap()
            .contains("Shared with your coaches"),
        "{shared}"
    );
    check("/stories/1 (shared)");
    for page in ["/account", "/account/second-factor"] {
        browser.go(&format!("{base}{page}"));
        check(page);
    }
    browser.go(&format!("{base}/account"));
    browser.submit("nav form[action='/logout'] button");
    assert_eq!(heading(), json!("Log in"));

    // The admin assigns the coach; the coach sees the shared story and comments on it.
    log_in("admin@example.org");
    assert_eq!(heading(), json!("Accounts"));
    check("/admin");
    browser.type_into("#assign-coach", "coach@example.org");
    browser.type_into("#assign-candidate", "ada@example.org");
    browser.submit("form[action='/admin/assign'] button");
    browser.submit("nav form[action='/logout'] button");
    log_in("coach@example.org");
    assert_eq!(heading(), json!("Your candidates"));
    check("/coach");
    browser.click("table.list a");
    browser.wait_for(
        "the candidate's page",
        "return document.querySelector('h1').textContent === 'ada' ? true : null;",
        30,
    );
    check("/coach/candidates/N");
    browser.submit("#shared-h + ul a");
    check("/coach/candidates/N/stories/1");
    browser.type_into(
        "#comment",
        "Name the customer and the number of requests blocked.",
    );
    browser.submit("form[action*='/stories/'] button");
    let comments = browser.script("return document.querySelector('.comments').textContent;");
    assert!(
        comments.as_str().unwrap().contains("Name the customer"),
        "{comments}"
    );
}

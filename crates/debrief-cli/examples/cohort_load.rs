//! A steady, open-loop load on a cohort server, as simulated candidates: each logs in, writes a
//! story, then checks answers (`POST /api/check`), saves new versions of the story
//! (`POST /stories/1`) and reviews flashcards (`GET /cards`, `POST /cards/review`), at a fixed
//! offered rate shared by all of them. Latency is measured from when each request was due, not
//! from when it was sent, so a stalled server cannot hide its backlog (coordinated omission
//! corrected); percentiles per route are printed at the end. With `--kill-pid`, that process
//! (one instance) is killed mid-run; afterwards every saved version that the server
//! acknowledged is looked up in the database.
//!
//! ```sh
//! cargo run --release -p debrief-cli --example cohort_load -- \
//!     --database postgres://postgres@127.0.0.1/cohort --target 127.0.0.1:8080 \
//!     --candidates 200 --rate 100 --seconds 60 [--kill-pid PID --kill-after 30]
//! ```
//!
//! The accounts are made directly in the database (`load-N@example.org`), all with one hash.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use debrief_store::cohort::{self, Cohort, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "seven ducks on a wet roof";

const STORY: &str = "I halted the launch of our WAF rules at 5% of traffic when false \
positives reached 0.8% against our 0.1% gate, told the VP we would slip two weeks, and we \
shipped with zero customers blocked.";

struct Options {
    database: String,
    target: String,
    candidates: usize,
    rate: f64,
    seconds: u64,
    kill_pid: Option<u32>,
    kill_after: u64,
}

fn options() -> Options {
    let mut o = Options {
        database: String::new(),
        target: "127.0.0.1:8080".into(),
        candidates: 200,
        rate: 100.0,
        seconds: 60,
        kill_pid: None,
        kill_after: 30,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--database" => o.database = value,
            "--target" => o.target = value,
            "--candidates" => o.candidates = value.parse().expect("--candidates N"),
            "--rate" => o.rate = value.parse().expect("--rate PER_SECOND"),
            "--seconds" => o.seconds = value.parse().expect("--seconds N"),
            "--kill-pid" => o.kill_pid = Some(value.parse().expect("--kill-pid PID")),
            "--kill-after" => o.kill_after = value.parse().expect("--kill-after SECONDS"),
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    assert!(
        !o.database.is_empty(),
        "--database postgres://... is needed"
    );
    o
}

/// One response: status, the `Set-Cookie` values, the body.
struct Reply {
    status: u16,
    cookies: Vec<String>,
    body: String,
}

impl Reply {
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }

    fn field(&self, name: &str) -> Option<String> {
        let key = format!("name=\"{name}\" value=\"");
        let at = self.body.find(&key)? + key.len();
        let rest = &self.body[at..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// One HTTP/1.1 request on a new connection (`Connection: close`); status 0 when the connection
/// failed.
async fn request(
    target: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    kind: &str,
) -> Reply {
    let failed = Reply {
        status: 0,
        cookies: vec![],
        body: String::new(),
    };
    let Ok(mut stream) = TcpStream::connect(target).await else {
        return failed;
    };
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\nContent-Length: {}\r\nX-Forwarded-For: 10.1.{}.{}\r\n",
        body.len(),
        path.len() % 200,
        body.len() % 200
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Type: {kind}\r\n"));
    }
    head.push_str("\r\n");
    // One write: head and body apart would wait on Nagle and the peer's delayed ACK (40 ms).
    head.push_str(body);
    if stream.write_all(head.as_bytes()).await.is_err() {
        return failed;
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).await.is_err() {
        return failed;
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookies = lines
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    Reply {
        status,
        cookies,
        body: body.to_string(),
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A logged-in simulated candidate.
struct Candidate {
    id: i64,
    cookie: String,
    csrf: String,
}

async fn log_in(target: &str, email: &str) -> Option<(String, String)> {
    let page = request(target, "GET", "/login", &[], "", FORM).await;
    let pre = page.cookie("__Host-debrief-pre")?;
    let csrf = page.field("csrf")?;
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        encode(email),
        encode(PASSWORD)
    );
    let pre = format!("__Host-debrief-pre={pre}");
    let reply = request(target, "POST", "/login", &[("Cookie", &pre)], &body, FORM).await;
    let token = reply.cookie("__Host-debrief")?;
    let cookie = format!("__Host-debrief={token}");
    let account = request(target, "GET", "/account", &[("Cookie", &cookie)], "", FORM).await;
    Some((cookie, account.field("csrf")?))
}

/// Latencies (microseconds from when each request was due) and statuses, by route.
#[derive(Default)]
struct Tally {
    latency: BTreeMap<&'static str, Vec<u64>>,
    statuses: BTreeMap<(&'static str, u16), u64>,
    /// Each candidate's acknowledged revisions.
    acked: BTreeMap<i64, Vec<u64>>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[at] as f64 / 1000.0
}

fn main() {
    let o = options();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(o));
}

async fn run(o: Options) {
    let cohort = Cohort::open_with(&o.database, 4)
        .await
        .expect("open the cohort");
    let hash = cohort::hash_password(PASSWORD).unwrap();
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..o.candidates {
        let email = format!("load-{i}@example.org");
        let account = match cohort.account_by_email(&email).await.unwrap() {
            Some(a) => a,
            None => cohort
                .create_account(&email, &format!("Load {i}"), Role::Candidate, &hash)
                .await
                .unwrap(),
        };
        ids.push((account.id, email));
    }
    eprintln!(
        "{} accounts ready in {:.1} s; logging in",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let target = Arc::new(o.target.clone());
    let mut candidates = Vec::new();
    for chunk in ids.chunks(8) {
        let logins: Vec<_> = chunk
            .iter()
            .map(|(id, email)| {
                let (target, email, id) = (target.clone(), email.clone(), *id);
                tokio::spawn(async move {
                    let (cookie, csrf) = log_in(&target, &email).await.expect("log in");
                    let first = format!("csrf={csrf}&title=Load+story&body={}", encode(STORY));
                    let saved = request(
                        &target,
                        "POST",
                        "/stories",
                        &[("Cookie", &cookie)],
                        &first,
                        FORM,
                    )
                    .await;
                    assert_eq!(saved.status, 303, "the first story of {email}");
                    Candidate { id, cookie, csrf }
                })
            })
            .collect();
        for l in logins {
            candidates.push(Arc::new(l.await.unwrap()));
        }
    }
    eprintln!(
        "{} candidates logged in with a story; {} requests a second for {} s",
        candidates.len(),
        o.rate,
        o.seconds
    );

    let tally = Arc::new(Mutex::new(Tally::default()));
    let begin = tokio::time::Instant::now() + Duration::from_millis(200);
    let total = (o.rate * o.seconds as f64) as u64;
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    if let Some(pid) = o.kill_pid {
        let after = Duration::from_secs(o.kill_after);
        tokio::spawn(async move {
            tokio::time::sleep_until(begin + after).await;
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            eprintln!("killed instance {pid} at {} s", after.as_secs());
        });
    }
    // Each round of all candidates does one kind of action, then the next: check, save, cards.
    let n = candidates.len() as u64;
    let mut tasks = Vec::with_capacity(total as usize);
    for k in 0..total {
        let due = begin + interval.mul_f64(k as f64);
        tokio::time::sleep_until(due).await;
        let c = candidates[(k as usize) % candidates.len()].clone();
        let (target, tally) = (target.clone(), tally.clone());
        let revision = k;
        tasks.push(tokio::spawn(async move {
            let cookie = [("Cookie", c.cookie.as_str())];
            let (route, status) = match (k / n) % 3 {
                0 => {
                    let body =
                        serde_json::json!({ "text": format!("{STORY} Attempt {revision}.") })
                            .to_string();
                    let headers = [
                        ("Cookie", c.cookie.as_str()),
                        ("X-CSRF-Token", c.csrf.as_str()),
                    ];
                    let r = request(
                        &target,
                        "POST",
                        "/api/check",
                        &headers,
                        &body,
                        "application/json",
                    )
                    .await;
                    ("POST /api/check", r.status)
                }
                1 => {
                    let body = format!(
                        "csrf={}&title=Load+story&body={}",
                        c.csrf,
                        encode(&format!("{STORY} Revision {revision}."))
                    );
                    let r = request(&target, "POST", "/stories/1", &cookie, &body, FORM).await;
                    if r.status == 303 {
                        tally
                            .lock()
                            .unwrap()
                            .acked
                            .entry(c.id)
                            .or_default()
                            .push(revision);
                    }
                    ("POST /stories/1", r.status)
                }
                _ => {
                    let page = request(&target, "GET", "/cards", &cookie, "", FORM).await;
                    let card = page.field("card");
                    let r = match (page.status, card) {
                        (200, Some(card)) => {
                            let body = format!("csrf={}&card={}&rating=3", c.csrf, encode(&card));
                            request(&target, "POST", "/cards/review", &cookie, &body, FORM)
                                .await
                                .status
                        }
                        (s, _) => s,
                    };
                    ("GET+POST /cards", r)
                }
            };
            let waited = due.elapsed().as_micros() as u64;
            let mut t = tally.lock().unwrap();
            t.latency.entry(route).or_default().push(waited);
            *t.statuses.entry((route, status)).or_insert(0) += 1;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = begin.elapsed().as_secs_f64();
    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    println!(
        "offered {} requests at {} a second over {:.1} s, {} candidates",
        total,
        o.rate,
        elapsed,
        candidates.len()
    );
    println!("route              count   p50 ms   p90 ms   p99 ms   max ms");
    for (route, lat) in t.latency.iter_mut() {
        lat.sort_unstable();
        println!(
            "{route:<17} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            lat.len(),
            percentile(lat, 50.0),
            percentile(lat, 90.0),
            percentile(lat, 99.0),
            percentile(lat, 100.0)
        );
    }
    println!("statuses: {:?}", t.statuses);
    let server_errors: u64 = t
        .statuses
        .iter()
        .filter(|((_, s), _)| *s >= 500 || *s == 0)
        .map(|(_, n)| n)
        .sum();
    println!("5xx or failed connections: {server_errors}");

    // Every acknowledged revision is in the database.
    let mut lost = 0;
    let mut acked_total = 0;
    for (id, revisions) in &t.acked {
        let story = cohort
            .store(*id)
            .story(1)
            .await
            .unwrap()
            .expect("the story");
        let kept: String = story.versions.iter().map(|v| v.markdown.as_str()).collect();
        for r in revisions {
            acked_total += 1;
            if !kept.contains(&format!("Revision {r}.")) {
                lost += 1;
            }
        }
    }
    println!("acknowledged saves: {acked_total}; lost: {lost}");
}

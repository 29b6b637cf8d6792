//! A bounded load generator for the live-check endpoint, on loopback only. It starts the app
//! in process on 127.0.0.1:0 (two worker threads, as on the 2-core machine), then:
//!
//! 1. `POST /api/check` with a 400-word answer at fixed open-loop rates (500 and 1,000 req/s)
//!    for a few seconds each. Each request has a scheduled send time; its latency is measured
//!    from that time, not from when a connection was free, so queueing behind a slow response
//!    counts (corrected for coordinated omission).
//! 2. Closed-loop throughput of `GET /api/health` and `POST /api/check` in the same run, to
//!    compare the check endpoint with the trivial one on the same cores.
//!
//! `cargo bench -p debrief-web --bench load` (or `-- --seconds 3`). Every phase is bounded by its
//! request count and by time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use debrief_core::{builtin, Analyzer};
use debrief_store::Store;
use debrief_web::{allowed_hosts, router, App};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};

const ANSWER: &str = include_str!("../../debrief-core/benches/answers/strong-400.md");

/// Connections the open-loop generator may use at once.
const CONNECTIONS: usize = 64;

/// Connections for the closed-loop throughput phases.
const CLOSED_CONNECTIONS: usize = 16;

/// A request as bytes, sent as is on a kept-alive connection.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> Arc<Vec<u8>> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Arc::new(bytes)
}

/// Sends one request and reads its whole response; returns whether it was 200.
async fn exchange(stream: &mut TcpStream, req: &[u8], buf: &mut Vec<u8>) -> std::io::Result<bool> {
    stream.write_all(req).await?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(head.starts_with("http/1.1 200"));
        }
    }
}

struct Latencies {
    micros: Vec<u64>,
    errors: usize,
    elapsed: Duration,
}

impl Latencies {
    fn quantile(&self, q: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        let i = ((self.micros.len() as f64 * q).ceil() as usize).clamp(1, self.micros.len()) - 1;
        self.micros[i] as f64 / 1000.0
    }
}

/// `count` requests scheduled `1/rate` apart; latency from each one's scheduled time.
async fn open_loop(addr: SocketAddr, req: Arc<Vec<u8>>, rate: f64, count: usize) -> Latencies {
    let (tx, rx) = mpsc::unbounded_channel::<Instant>();
    let rx = Arc::new(Mutex::new(rx));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Option<u64>>();
    for _ in 0..CONNECTIONS {
        let (rx, done, req) = (rx.clone(), done_tx.clone(), req.clone());
        tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connects");
            stream.set_nodelay(true).ok();
            let mut buf = Vec::new();
            loop {
                let Some(scheduled) = rx.lock().await.recv().await else {
                    return;
                };
                let ok = exchange(&mut stream, &req, &mut buf).await.unwrap_or(false);
                let micros = scheduled.elapsed().as_micros() as u64;
                let _ = done.send(ok.then_some(micros));
            }
        });
    }
    drop(done_tx);
    let start = Instant::now() + Duration::from_millis(50);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let scheduler = tokio::spawn(async move {
        for i in 0..count {
            let at = start + interval * i as u32;
            tokio::time::sleep_until(at.into()).await;
            if tx.send(at).is_err() {
                return;
            }
        }
    });
    let mut result = Latencies {
        micros: Vec::with_capacity(count),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    // Bounded in time too: the rate's duration plus ten seconds of slack.
    let limit = Instant::now() + interval * count as u32 + Duration::from_secs(10);
    while result.micros.len() + result.errors < count {
        match tokio::time::timeout_at(limit.into(), done_rx.recv()).await {
            Ok(Some(Some(micros))) => result.micros.push(micros),
            Ok(Some(None)) => result.errors += 1,
            _ => {
                result.errors += count - result.micros.len() - result.errors;
                break;
            }
        }
    }
    scheduler.abort();
    result.elapsed = start.elapsed();
    result.micros.sort_unstable();
    result
}

/// Requests completed per second by `CLOSED_CONNECTIONS` connections sending back to back.
async fn closed_loop(addr: SocketAddr, req: Arc<Vec<u8>>, seconds: f64) -> (f64, usize) {
    let stop = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..CLOSED_CONNECTIONS {
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connects");
            stream.set_nodelay(true).ok();
            let mut buf = Vec::new();
            let (mut ok, mut errors) = (0usize, 0usize);
            while Instant::now() < stop {
                match exchange(&mut stream, &req, &mut buf).await {
                    Ok(true) => ok += 1,
                    _ => errors += 1,
                }
            }
            (ok, errors)
        }));
    }
    let start = Instant::now();
    let (mut ok, mut errors) = (0, 0);
    for t in tasks {
        let (o, e) = t.await.expect("a client task");
        ok += o;
        errors += e;
    }
    (ok as f64 / start.elapsed().as_secs_f64(), errors)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: f64 = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5.0_f64)
        .clamp(0.5, 30.0);

    // The server: its own runtime with two workers, as `debrief serve` runs on a 2-core machine.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("load.sqlite");
    let addr = server.block_on(async {
        let store = Store::open(&db.to_string_lossy()).await.unwrap();
        let analyzer = Arc::new(Analyzer::new(builtin::pack().unwrap()).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(
            Arc::new(App::new(analyzer, store, None)),
            allowed_hosts(addr),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    });

    // Where a request's time goes: judging and serialising, in process, one thread.
    let analyzer = Analyzer::new(builtin::pack().unwrap()).unwrap();
    let rounds = 2000;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        let j = analyzer.check_markdown(ANSWER, None).unwrap();
        bytes = serde_json::to_vec(&j).unwrap().len();
    }
    let both = started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(analyzer.check_markdown(ANSWER, None).unwrap());
    }
    let judging = started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    println!(
        "in process: judging {judging:.0} µs, judging and serialising the {bytes}-byte answer {both:.0} µs"
    );

    // The generator: one thread of its own.
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = serde_json::json!({ "text": ANSWER, "question": null }).to_string();
    let check = request(addr, "POST", "/api/check", &body);
    let health = request(addr, "GET", "/api/health", "");
    println!(
        "load on {addr}: POST /api/check with a {}-word answer ({} bytes), {seconds} s a phase",
        ANSWER.split_whitespace().count(),
        body.len()
    );
    client.block_on(async {
        // Warm up connections and caches.
        closed_loop(addr, check.clone(), 0.5).await;
        let (health_rps, health_errors) = closed_loop(addr, health.clone(), seconds.min(3.0)).await;
        let (check_rps, check_errors) = closed_loop(addr, check.clone(), seconds.min(3.0)).await;
        println!(
            "closed loop, {CLOSED_CONNECTIONS} connections: /api/health {health_rps:.0} req/s ({health_errors} errors), \
             /api/check {check_rps:.0} req/s ({check_errors} errors): check is {:.0}% of health",
            100.0 * check_rps / health_rps
        );
        for rate in [500.0, 1000.0] {
            let count = (rate * seconds) as usize;
            let l = open_loop(addr, check.clone(), rate, count).await;
            println!(
                "open loop {rate:.0} req/s, {count} requests in {:.1} s: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms, {} errors",
                l.elapsed.as_secs_f64(),
                l.quantile(0.50),
                l.quantile(0.90),
                l.quantile(0.99),
                l.quantile(0.999),
                l.quantile(1.0),
                l.errors
            );
        }
    });
    drop(client);
    server.shutdown_timeout(Duration::from_secs(1));
}

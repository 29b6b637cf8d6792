//! Answering out loud through the app's routes, in process: the record button or the one line
//! that says how to get a model, the CSRF token, and each bad recording refused with one message
//! and nothing saved. WAV bytes are built here; no model is needed except by the last test, which
//! transcribes an espeak-ng recording with the real one (`DEBRIEF_TEST_WHISPER_DIR`) and skips,
//! saying why, without it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use debrief_core::{builtin, Analyzer};
use debrief_store::Store;
use debrief_web::{allowed_hosts, router, App, CSRF_HEADER, RECORDING_LIMIT};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:7878";

struct Fixture {
    router: Router,
    csrf: String,
    store: Store,
    dir: tempfile::TempDir,
}

/// The app; with `model`, the record button uses that folder.
async fn fixture(model: Option<&Path>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite").to_string_lossy())
        .await
        .unwrap();
    let analyzer = Arc::new(Analyzer::new(builtin::pack().unwrap()).unwrap());
    let mut app = App::new(analyzer, store.clone(), None);
    if let Some(model) = model {
        app = app.with_voice(model.to_path_buf());
    }
    let app = Arc::new(app);
    let csrf = app.csrf_token().to_string();
    Fixture {
        router: router(app, allowed_hosts(HOST.parse().unwrap())),
        csrf,
        store,
        dir,
    }
}

/// A folder that looks like a model (model.bin, vocabulary.txt) but is not one: enough for the
/// record button, and the load fails only when a recording gets that far.
fn fake_model(dir: &Path) -> std::path::PathBuf {
    let model = dir.join("not-whisper");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("model.bin"), b"GGUF and then some bytes").unwrap();
    std::fs::write(model.join("vocabulary.txt"), "a\nb\n").unwrap();
    model
}

struct Answer {
    status: StatusCode,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn send(router: &Router, req: Request<Body>) -> Answer {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

fn post_form(path: &str, body: &str, csrf: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&{body}")))
        .unwrap()
}

fn post_wav(path: &str, wav: Vec<u8>, csrf: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "audio/wav");
    if let Some(csrf) = csrf {
        req = req.header(CSRF_HEADER, csrf);
    }
    req.body(Body::from(wav)).unwrap()
}

/// Sends two seconds of a tone, a well-formed recording, to `path` with the page's CSRF token.
async fn send_tone(f: &Fixture, path: &str) -> Answer {
    send(
        &f.router,
        post_wav(path, wav(16_000, &tone(16_000, 2.0), 32_000), Some(&f.csrf)),
    )
    .await
}

/// A 16-bit PCM WAV file; `declared_frames` is what the header says (the samples given may be
/// fewer, as in a file cut short).
fn wav(rate: u32, samples: &[i16], declared_frames: usize) -> Vec<u8> {
    let data = (declared_frames * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// `seconds` of a 200 Hz tone switched on and off each half second: loud enough to be voiced.
fn tone(rate: u32, seconds: f64) -> Vec<i16> {
    (0..(rate as f64 * seconds) as usize)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let on = ((t * 2.0) as usize).is_multiple_of(2);
            if on {
                ((t * 200.0 * std::f64::consts::TAU).sin() * 12_000.0) as i16
            } else {
                0
            }
        })
        .collect()
}

/// Starts a mock interview on `halted-launch`; returns its id.
async fn start_mock(f: &Fixture) -> i64 {
    let a = send(
        &f.router,
        post_form("/mock", "question=halted-launch&minutes=3", &f.csrf),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    f.store.mock(1).await.unwrap().expect("the mock started").id
}

/// Nothing spoken or typed was saved.
async fn nothing_saved(f: &Fixture) {
    assert!(f.store.attempts().await.unwrap().is_empty());
    assert!(f.store.explanations().await.unwrap().is_empty());
    assert!(f.store.deliveries().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_model_the_record_button_is_one_line_saying_how_to_get_one() {
    let f = fixture(None).await;
    let id = start_mock(&f).await;
    for page in [
        format!("/mock/{id}"),
        "/explain?topic=dns-resolution".to_string(),
    ] {
        let a = send(&f.router, get(&page)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.body.contains("`debrief voice install`"), "{page}");
        assert!(!a.body.contains("id=\"record-start\""), "{page}");
    }
    let a = send_tone(&f, &format!("/api/recordings/mock/{id}?step=0")).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .contains("debrief voice install"),
        "{}",
        a.body
    );
    nothing_saved(&f).await;
}

#[tokio::test]
async fn with_a_model_the_pages_offer_a_labelled_record_button_and_level_meter() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    for page in [
        format!("/mock/{id}"),
        "/explain?topic=dns-resolution".to_string(),
    ] {
        let a = send(&f.router, get(&page)).await;
        for needed in [
            "<button type=\"button\" id=\"record-start\">Start recording</button>",
            "<label for=\"record-level\">Microphone level</label>",
            "<meter id=\"record-level\"",
            "role=\"status\"",
            "/assets/record.js",
        ] {
            assert!(a.body.contains(needed), "{page} lacks {needed}");
        }
        assert!(!a.body.contains("`debrief voice install`"), "{page}");
    }
    let js = send(&f.router, get("/assets/record.js")).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("getUserMedia"));
}

#[tokio::test]
async fn a_recording_without_the_csrf_token_is_forbidden() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    let a = send(
        &f.router,
        post_wav(
            &format!("/api/recordings/mock/{id}?step=0"),
            wav(16_000, &tone(16_000, 2.0), 32_000),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.json()["error"].as_str().unwrap().contains("CSRF"));
    let a = send(
        &f.router,
        post_wav(
            &format!("/api/recordings/mock/{id}?step=0"),
            wav(16_000, &tone(16_000, 2.0), 32_000),
            Some("not-the-token"),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    nothing_saved(&f).await;
}

#[tokio::test]
async fn each_bad_recording_gets_one_message_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    let speech = tone(16_000, 2.0);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "empty",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the recording is empty (0 bytes)",
        ),
        (
            "silent",
            wav(16_000, &vec![0; 32_000], 32_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no speech found in the recording",
        ),
        (
            "truncated",
            wav(16_000, &speech[..8_000], 32_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the recording is truncated or damaged",
        ),
        (
            "unsupported",
            "I decided to wait.\n".repeat(20).into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the recording is not a recording debrief can read: use WAV, FLAC, MP3 or Ogg Vorbis",
        ),
        (
            "a sample rate too low for speech",
            wav(4_000, &tone(4_000, 2.0), 8_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the recording is sampled at 4000 Hz",
        ),
        (
            "over ten minutes (as its header says)",
            wav(8_000, &tone(8_000, 1.0), 8_000 * 660),
            StatusCode::UNPROCESSABLE_ENTITY,
            "recordings up to 10 minutes are accepted",
        ),
    ];
    for (what, body, status, message) in cases {
        let a = send(
            &f.router,
            post_wav(
                &format!("/api/recordings/mock/{id}?step=0"),
                body,
                Some(&f.csrf),
            ),
        )
        .await;
        assert_eq!(a.status, status, "{what}: {}", a.body);
        let error = a.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains(message), "{what}: {error}");
        assert_eq!(error.lines().count(), 1, "{what}: {error}");
    }
    // The same for the explain drill.
    let a = send(
        &f.router,
        post_wav(
            "/api/recordings/explain?topic=dns-resolution&form=f-1",
            wav(16_000, &vec![0; 32_000], 32_000),
            Some(&f.csrf),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.json()["error"].as_str().unwrap().contains("no speech"));
    nothing_saved(&f).await;
    // The interview still waits for the answer, its countdown running.
    let mock = f.store.mock(id).await.unwrap().unwrap();
    assert_eq!(mock.step, 0);
    assert!(mock.step_started.is_some());
}

#[tokio::test]
async fn a_recording_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    let req = Request::post(format!("/api/recordings/mock/{id}?step=0"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "audio/wav")
        .header(header::CONTENT_LENGTH, RECORDING_LIMIT + 1)
        .header(CSRF_HEADER, &f.csrf)
        .body(Body::from(vec![0u8; 16]))
        .unwrap();
    let a = send(&f.router, req).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let error = a.json()["error"].as_str().unwrap().to_string();
    assert!(
        error.contains("recordings up to 10 minutes are accepted"),
        "{error}"
    );
    nothing_saved(&f).await;
}

// The limit is the recording's, not the 1 MiB of a typed answer: ten minutes of what the page
// sends (16-bit mono at 48 kHz at most) fit, and never more than the command line accepts.
const _: () = assert!(RECORDING_LIMIT >= 600 * 48_000 * 2);
const _: () = assert!(RECORDING_LIMIT as u64 <= debrief_voice::MAX_FILE_BYTES);

#[tokio::test]
async fn a_step_already_answered_and_an_unknown_job_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    let a = send_tone(&f, &format!("/api/recordings/mock/{id}?step=1")).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.json()["error"].as_str().unwrap().contains("reload"));
    let a = send(&f.router, get("/api/recordings/no-such-job")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.json()["error"].as_str().unwrap().contains("record again"));
    let a = send_tone(&f, "/api/recordings/explain?topic=no-such-topic&form=f-1").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    nothing_saved(&f).await;
}

/// Polls a job until it ends; returns its last status. On the way, every state is one the page
/// knows and the percentage never goes back.
async fn finished(f: &Fixture, status: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut percent = 0;
    loop {
        let a = send(&f.router, get(status)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let job = a.json();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        if job["state"] == "transcribing" {
            let now = job["percent"].as_u64().unwrap();
            assert!((percent..=100).contains(&now), "{percent} then {job}");
            percent = now;
        } else {
            assert_eq!(job["state"], "queued", "{job}");
        }
        assert!(Instant::now() < deadline, "the job never ended: {job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_model_folder_that_is_not_whisper_fails_the_job_with_its_message_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(Some(&fake_model(dir.path()))).await;
    let id = start_mock(&f).await;
    let a = send_tone(&f, &format!("/api/recordings/mock/{id}?step=0")).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    let job = finished(&f, a.json()["status"].as_str().unwrap()).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("is not a Whisper model folder debrief can use"),
        "{job}"
    );
    nothing_saved(&f).await;
}

fn whisper_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("DEBRIEF_TEST_WHISPER_DIR").map(std::path::PathBuf::from);
    if dir.is_none() {
        eprintln!(
            "skipped: DEBRIEF_TEST_WHISPER_DIR is not set (.ci/run installs the model and sets it)"
        );
    }
    dir
}

/// espeak-ng speaking `text` as a WAV, or None (and why) without it.
fn speak(dir: &Path, text: &str) -> Option<Vec<u8>> {
    let wav = dir.join("spoken.wav");
    match std::process::Command::new("espeak-ng")
        .args(["-w", wav.to_str().unwrap(), text])
        .output()
    {
        Ok(out) if out.status.success() => Some(std::fs::read(wav).unwrap()),
        _ => {
            eprintln!("skipped: espeak-ng is not installed (apt-get install espeak-ng)");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoken_explanation_is_transcribed_judged_and_saved_with_its_delivery() {
    let Some(model) = whisper_dir() else { return };
    let f = fixture(Some(&model)).await;
    let Some(recording) = speak(
        f.dir.path(),
        "DNS is like a phone book for the internet. When you type a name, your computer asks a \
         resolver, which finds the address and remembers it for a while.",
    ) else {
        return;
    };
    let a = send(
        &f.router,
        post_wav(
            "/api/recordings/explain?topic=dns-resolution&form=spoken-1",
            recording,
            Some(&f.csrf),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    let status = a.json()["status"].as_str().unwrap().to_string();
    // Other requests are answered while the model loads and works.
    loop {
        let job = send(&f.router, get(&status)).await.json();
        let page = send(&f.router, get("/explain?topic=dns-resolution")).await;
        assert_eq!(page.status, StatusCode::OK);
        if job["state"] != "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let job = finished(&f, &status).await;
    assert_eq!(job["state"], "done", "{job}");
    let location = job["location"].as_str().unwrap();
    let page = send(&f.router, get(location)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Transcript"), "{}", page.body);
    assert!(page.body.to_lowercase().contains("phone book"));
    assert!(
        page.body.contains("class=\"chart timeline\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("words a minute"));
    let saved = f.store.explanations().await.unwrap();
    assert_eq!(saved.len(), 1);
    assert!(saved[0].text.to_lowercase().contains("phone book"));
    let delivery = saved[0].delivery.as_ref().expect("saved with its delivery");
    assert!(delivery["words_per_minute"].as_f64().unwrap() > 0.0);
    // The dashboard's delivery trend has it.
    let dashboard = send(&f.router, get("/")).await;
    assert!(dashboard.body.contains("Delivery over 1 spoken attempt"));
}

//! Answering out loud in the browser. The page records the microphone and sends the recording,
//! as 16-bit PCM WAV, to this server only: `POST /api/recordings/mock/{id}?step=N` for a mock
//! interview's answer or follow-up, `POST /api/recordings/explain?topic=ID&form=UID` for the
//! explain drill. The recording is decoded and checked at once (a bad one gets one message and
//! nothing is saved); Whisper then runs off the request path on tokio's blocking pool, one model
//! loaded once and shared, while the page polls `GET /api/recordings/{job}` for the percentage.
//! The transcript is judged exactly as a typed answer and saved with its delivery in one
//! transaction, and the job's status gives the result page's address.

use std::collections::VecDeque;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use debrief_core::{explain, interview};
use debrief_store::{
    date, MockSaved, NewAttempt, NewExplanation, ATTEMPT_ANSWER, ATTEMPT_FOLLOW_UP,
};
use debrief_voice::{vad, Delivery, Recording, VoiceError, Whisper};
use serde::{Deserialize, Serialize};

use crate::guard::refuse;
use crate::App;

/// The largest recording the page may send: ten minutes ([`debrief_voice::MAX_SECONDS`]) of what
/// its script encodes (16-bit mono PCM at 48 kHz at most) with a second to spare and the WAV
/// header, and never more than the command line accepts ([`debrief_voice::MAX_FILE_BYTES`]).
pub const RECORDING_LIMIT: usize = {
    let wav = 44 + (debrief_voice::MAX_SECONDS as usize + 1) * 48_000 * 2;
    let file = debrief_voice::MAX_FILE_BYTES as usize;
    if wav < file {
        wav
    } else {
        file
    }
};

/// Where recordings are posted; the guards give these paths [`RECORDING_LIMIT`].
pub const RECORDINGS_PATH: &str = "/api/recordings/";

/// How many jobs' outcomes the server remembers for the pages polling them.
const JOBS_KEPT: usize = 64;

/// The one line shown in place of the record button when no model is there.
pub const NO_MODEL: &str = "To answer out loud, install the speech model once with `debrief voice install` (71 MB; transcription then runs on this machine).";

/// The speech model for the record button: where it is, and once loaded, the model itself.
pub struct Voice {
    dir: PathBuf,
    /// Loaded at the first recording and kept; the lock also runs one transcription at a time
    /// (two at once on two cores would only make both slower).
    model: Mutex<Option<Whisper>>,
}

impl Voice {
    /// The model in `dir` (loaded when the first recording arrives).
    pub fn new(dir: PathBuf) -> Voice {
        Voice {
            dir,
            model: Mutex::new(None),
        }
    }

    /// Whether a model is there to load (cheap: no weights are read).
    pub fn available(&self) -> bool {
        debrief_voice::whisper::is_model_dir(&self.dir)
    }
}

/// Whether the pages offer the record button.
pub(crate) fn can_record(app: &App) -> bool {
    app.voice.as_ref().is_some_and(Voice::available)
}

/// Where a transcription job is.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub(crate) enum Job {
    /// Waiting for the model (another recording is being transcribed, or it is loading).
    Queued,
    /// Whisper is running: `percent` of the recording done.
    Transcribing { percent: u32 },
    /// Judged and saved: the result page.
    Done { location: String },
    /// Nothing saved, for this reason.
    Failed { error: String },
}

/// The jobs the server remembers, newest last.
#[derive(Default)]
pub(crate) struct Jobs(Mutex<VecDeque<(String, Job)>>);

impl Jobs {
    fn set(&self, id: &str, job: Job) {
        let mut jobs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match jobs.iter_mut().find(|(j, _)| j == id) {
            Some((_, slot)) => *slot = job,
            None => {
                jobs.push_back((id.to_string(), job));
                // Forget the oldest finished jobs first; a running one is never dropped.
                while jobs.len() > JOBS_KEPT {
                    let Some(at) = jobs
                        .iter()
                        .position(|(_, j)| matches!(j, Job::Done { .. } | Job::Failed { .. }))
                    else {
                        break;
                    };
                    jobs.remove(at);
                }
            }
        }
    }

    fn get(&self, id: &str) -> Option<Job> {
        let jobs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.iter()
            .find(|(j, _)| j == id)
            .map(|(_, job)| job.clone())
    }
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/recordings/mock/{id}", post(mock_recording))
        .route("/api/recordings/explain", post(explain_recording))
        .route("/api/recordings/{job}", get(job_status))
}

fn refused(status: StatusCode, message: &str) -> Response {
    refuse(RECORDINGS_PATH, status, message)
}

/// Without a model, the refusal with the one line that says how to get one.
fn no_model(app: &App) -> Option<Response> {
    (!can_record(app)).then(|| refused(StatusCode::SERVICE_UNAVAILABLE, NO_MODEL))
}

/// Reads the body (at most [`RECORDING_LIMIT`]), decodes it and finds the speech, off the async
/// threads; every bad recording is refused here, before a job exists.
async fn read(body: Body) -> Result<(Recording, vad::Activity), Response> {
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the recording is over {} MB; recordings up to {} minutes are accepted",
                RECORDING_LIMIT / 1_000_000,
                debrief_voice::MAX_SECONDS / 60
            ),
        )
    };
    let bytes = axum::body::to_bytes(body, RECORDING_LIMIT)
        .await
        .map_err(|_| too_large())?;
    let decoded = tokio::task::spawn_blocking(move || {
        let recording =
            debrief_voice::read_recording_bytes(bytes.into(), FsPath::new("the recording"))?;
        let activity = vad::detect(&recording)?;
        Ok::<_, VoiceError>((recording, activity))
    })
    .await
    .map_err(|_| {
        refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "decoding the recording failed",
        )
    })?;
    decoded.map_err(|e| {
        let status = match e {
            VoiceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        refused(status, &e.to_string())
    })
}

/// What a finished transcription is judged and saved as.
enum Target {
    /// A mock interview's step.
    Mock { id: i64, step: i64 },
    /// The explain drill's topic, under the page's form id (the same form saves once).
    Explain { topic: String, form: String },
}

/// Starts the job: a new id, queued; the work runs on its own task.
fn start(app: Arc<App>, recording: Recording, activity: vad::Activity, target: Target) -> Response {
    let id = debrief_store::new_uid();
    app.jobs.set(&id, Job::Queued);
    let job = id.clone();
    tokio::spawn(async move {
        let outcome = run(&app, &job, recording, activity, target).await;
        let state = match outcome {
            Ok(location) => Job::Done { location },
            Err(error) => Job::Failed { error },
        };
        app.jobs.set(&job, state);
    });
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "job": id, "status": format!("{RECORDINGS_PATH}{id}") })),
    )
        .into_response()
}

/// Transcribes on the blocking pool, then judges and saves; returns the result page's address.
async fn run(
    app: &Arc<App>,
    job: &str,
    recording: Recording,
    activity: vad::Activity,
    target: Target,
) -> Result<String, String> {
    let worker = app.clone();
    let id = job.to_string();
    let spoken = tokio::task::spawn_blocking(move || {
        let voice = worker.voice.as_ref().ok_or_else(|| NO_MODEL.to_string())?;
        let mut model = voice.model.lock().unwrap_or_else(PoisonError::into_inner);
        if model.is_none() {
            *model = Some(Whisper::load(&voice.dir).map_err(|e| e.to_string())?);
        }
        let whisper = model.as_mut().expect("loaded above");
        let transcript = whisper
            .transcribe(&recording, &activity, &mut |done| {
                let percent = (done.clamp(0.0, 1.0) * 100.0).round() as u32;
                worker.jobs.set(&id, Job::Transcribing { percent });
            })
            .map_err(|e| e.to_string())?;
        let delivery = Delivery::measure(&recording, &activity, &transcript);
        Ok::<_, String>((transcript, delivery))
    })
    .await
    .map_err(|_| "the transcription stopped unexpectedly; nothing was saved".to_string())??;
    let (transcript, delivery) = spoken;
    // The same text the command line's --audio judges: the transcript, ending with a newline.
    let text = format!("{}\n", transcript.text);
    let seconds = delivery.speaking_seconds.round() as i64;
    let delivery = serde_json::to_value(&delivery).expect("delivery serialises");
    match target {
        Target::Mock { id, step } => save_mock(app, id, step, &text, seconds, &delivery).await,
        Target::Explain { topic, form } => {
            save_explanation(app, &topic, &form, &text, seconds, &delivery).await
        }
    }
}

async fn save_mock(
    app: &App,
    id: i64,
    step: i64,
    text: &str,
    seconds: i64,
    delivery: &serde_json::Value,
) -> Result<String, String> {
    let here = format!("/mock/{id}");
    let mock = app
        .store
        .mock(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the mock interview is gone; nothing was saved")?;
    let q = app
        .analyzer
        .pack()
        .question(&mock.question)
        .ok_or("this interview's question is not in the pack any more")?;
    // Answered meanwhile (typed, or another recording): the page shows where it is.
    let Some(asking) = mock.asking() else {
        return Ok(here);
    };
    if mock.step != step {
        return Ok(here);
    }
    let judgment = match asking {
        None => app.analyzer.check_markdown(text, Some(&q.id)),
        Some(_) => app.analyzer.check_follow_up(text, Some(&q.id)),
    }
    .map_err(|e| format!("the transcript could not be judged: {e}"))?;
    let probes: Vec<String> = if asking.is_none() {
        interview::follow_ups(&judgment, q)
            .into_iter()
            .map(|p| p.question.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let attempt = NewAttempt {
        kind: if asking.is_none() {
            ATTEMPT_ANSWER
        } else {
            ATTEMPT_FOLLOW_UP
        },
        question: Some(&q.id),
        probe: asking,
        answer: text,
        judgment: &judgment,
        seconds,
    };
    let saved = app
        .store
        .save_spoken_mock_answer(id, step, &attempt, &probes, delivery)
        .await
        .map_err(|e| e.to_string())?;
    if let MockSaved::Saved(_) = saved {
        // The last answer closes the interview with its one verdict.
        if let Some(m) = app.store.mock(id).await.map_err(|e| e.to_string())? {
            if m.asking().is_none() {
                crate::mock::close(app, &m, q)
                    .await
                    .map_err(|_| "the interview's verdict could not be saved".to_string())?;
            }
        }
    }
    Ok(here)
}

async fn save_explanation(
    app: &App,
    topic: &str,
    form: &str,
    text: &str,
    seconds: i64,
    delivery: &serde_json::Value,
) -> Result<String, String> {
    let topic = app
        .analyzer
        .pack()
        .topic(topic)
        .ok_or("no such explain topic in this pack")?;
    let judged = explain::judge_with_model(topic, app.explain_model.as_ref(), text)
        .map_err(|e| format!("the transcript could not be judged: {e}"))?;
    let json = serde_json::to_value(&judged).expect("a judgment serialises");
    let (id, _) = app
        .store
        .add_spoken_explanation_once(
            form,
            &NewExplanation {
                topic: &topic.id,
                text,
                judgment: &json,
                score: i64::from(judged.score),
                passed: judged.passed,
                seconds,
            },
            delivery,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("/explain/{id}"))
}

#[derive(Deserialize)]
struct StepQuery {
    step: i64,
}

async fn mock_recording(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(q): Query<StepQuery>,
    body: Body,
) -> Response {
    if let Some(r) = no_model(&app) {
        return r;
    }
    let mock = match app.store.mock(id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return refused(
                StatusCode::NOT_FOUND,
                "no such mock interview: start one from the mock interview page",
            )
        }
        Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    if mock.asking().is_none() || mock.step != q.step || mock.step_started.is_none() {
        return refused(
            StatusCode::CONFLICT,
            "this step of the interview is already answered: reload the page",
        );
    }
    let (recording, activity) = match read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    start(app, recording, activity, Target::Mock { id, step: q.step })
}

#[derive(Deserialize)]
struct ExplainQuery {
    topic: String,
    form: String,
}

async fn explain_recording(
    State(app): State<Arc<App>>,
    Query(q): Query<ExplainQuery>,
    body: Body,
) -> Response {
    if let Some(r) = no_model(&app) {
        return r;
    }
    if app.analyzer.pack().topic(&q.topic).is_none() {
        return refused(StatusCode::NOT_FOUND, "no such explain topic in this pack");
    }
    let form = crate::explain::form_id(&q.form);
    let (recording, activity) = match read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    start(
        app,
        recording,
        activity,
        Target::Explain {
            topic: q.topic,
            form,
        },
    )
}

async fn job_status(State(app): State<Arc<App>>, Path(job): Path<String>) -> Response {
    match app.jobs.get(&job) {
        Some(state) => Json(state).into_response(),
        None => refused(
            StatusCode::NOT_FOUND,
            "no such recording job: the server restarted or forgot it; record again",
        ),
    }
}

/// The delivery of a spoken answer as the pages read it back from the store (the JSON that
/// debrief-voice's `Delivery` wrote); fields it does not need are left out.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedDelivery {
    /// The recording's length, seconds.
    pub seconds: f64,
    /// From the first to the last voiced moment, seconds.
    pub speaking_seconds: f64,
    /// Words a minute over the answer.
    pub words_per_minute: f64,
    /// Words a minute in each 15-second window.
    #[serde(default)]
    pub pace: Vec<SavedWindow>,
    /// Quiet stretches over a second.
    #[serde(default)]
    pub pauses: Vec<SavedPause>,
    /// When the decision was first stated.
    #[serde(default)]
    pub decision: Option<SavedDecision>,
    /// The fillers counted.
    #[serde(default)]
    pub fillers: Vec<serde_json::Value>,
}

/// One pace window.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedWindow {
    pub start: f64,
    pub end: f64,
    pub words_per_minute: f64,
}

/// One long pause.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedPause {
    pub start: f64,
    pub end: f64,
}

/// The first sentence stating the decision.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedDecision {
    pub seconds: f64,
    pub sentence: String,
}

impl SavedDelivery {
    /// Reads a saved delivery; `None` for a typed answer or JSON of another shape.
    pub fn of(value: Option<&serde_json::Value>) -> Option<SavedDelivery> {
        serde_json::from_value(value?.clone()).ok()
    }
}

/// A spoken answer's delivery as its result page shows it: the timeline chart and the same
/// numbers as text.
#[derive(Debug, Serialize)]
pub(crate) struct DeliveryShown {
    /// The timeline, inline SVG.
    svg: String,
    /// Speaking time, m:ss.
    speaking: String,
    /// The limit that applies, m:ss, and what it is ("limit" or "budget").
    limit: String,
    limit_kind: &'static str,
    over: bool,
    words_per_minute: String,
    /// Words a minute in each window, as "0:00–0:15 140".
    windows: Vec<String>,
    /// Each pause as "0:14 (1.3 s)".
    pauses: Vec<String>,
    /// When the decision was first stated, and the sentence.
    decision: Option<(String, String)>,
    fillers: usize,
}

impl DeliveryShown {
    /// What the page shows of a saved delivery; `None` for a typed answer. `id` keeps the chart's
    /// element ids apart when a page shows several.
    pub fn of(value: Option<&serde_json::Value>, limit_seconds: i64, id: &str) -> Option<Self> {
        let d = SavedDelivery::of(value)?;
        let clock = |s: f64| {
            let s = s.max(0.0).round() as i64;
            format!("{}:{:02}", s / 60, s % 60)
        };
        let limit = limit_seconds as f64;
        Some(DeliveryShown {
            svg: crate::chart::delivery_timeline(&d, limit, id),
            speaking: clock(d.speaking_seconds),
            limit: clock(limit),
            limit_kind: if limit_seconds <= 120 {
                "limit"
            } else {
                "budget"
            },
            over: d.speaking_seconds > limit,
            words_per_minute: format!("{:.0}", d.words_per_minute),
            windows: d
                .pace
                .iter()
                .map(|w| {
                    format!(
                        "{}–{} {:.0}",
                        clock(w.start),
                        clock(w.end),
                        w.words_per_minute
                    )
                })
                .collect(),
            pauses: d
                .pauses
                .iter()
                .map(|p| format!("{} ({:.1} s)", clock(p.start), p.end - p.start))
                .collect(),
            decision: d
                .decision
                .as_ref()
                .map(|dec| (clock(dec.seconds), dec.sentence.clone())),
            fillers: d.fillers.len(),
        })
    }
}

/// The delivery trend's points from saved deliveries (with when each was saved), oldest first.
pub(crate) fn trend_points<'a>(
    saved: impl IntoIterator<Item = (i64, Option<&'a serde_json::Value>)>,
) -> Vec<crate::chart::SpokenPoint> {
    let mut points: Vec<(i64, crate::chart::SpokenPoint)> = saved
        .into_iter()
        .filter_map(|(created, value)| {
            let d = SavedDelivery::of(value)?;
            Some((
                created,
                crate::chart::SpokenPoint {
                    day: date::format_day(date::day_of(created)),
                    words_per_minute: d.words_per_minute,
                    long_pauses: d.pauses.len(),
                    decision_seconds: d.decision.map(|dec| dec.seconds),
                },
            ))
        })
        .collect();
    points.sort_by_key(|(created, _)| *created);
    points.into_iter().map(|(_, p)| p).collect()
}

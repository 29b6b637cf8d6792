//! Answering out loud in the browser: what the mock interview's and the explain drill's recording
//! routes share. The page records the microphone and sends the recording, as 16-bit PCM WAV, to
//! this server only (`POST /api/recordings/mock/{id}?step=N`, `POST /api/recordings/explain`, in
//! mock.rs and explain.rs). The recording is decoded and checked at once (a bad one gets one
//! message and nothing is saved); Whisper then runs off the request path on tokio's blocking
//! pool, one model loaded once and shared, while the page polls `GET /api/recordings/{job}` for
//! the percentage. The route's own `save` judges the transcript exactly as a typed answer and
//! saves it with its delivery, and the job's status gives the result page's address.

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use debrief_voice::{vad, Delivery, Recording, VoiceError, Whisper};
use serde::Serialize;

use crate::delivery::SavedDelivery;
use crate::guard::{refuse, RECORDINGS_PATH, RECORDING_LIMIT};
use crate::{App, Ctx};

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
    Router::new().route("/api/recordings/{job}", get(job_status))
}

/// A refusal in the recording routes' JSON.
pub(crate) fn refused(status: StatusCode, message: &str) -> Response {
    refuse(RECORDINGS_PATH, status, message)
}

/// Without a model, the refusal with the one line that says how to get one.
pub(crate) fn no_model(app: &App) -> Option<Response> {
    (!can_record(app)).then(|| refused(StatusCode::SERVICE_UNAVAILABLE, NO_MODEL))
}

/// Reads the body (at most [`RECORDING_LIMIT`]), decodes it and finds the speech, off the async
/// threads; every bad recording is refused here, before a job exists.
pub(crate) async fn read(body: Body) -> Result<(Recording, vad::Activity), Response> {
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

/// A transcribed recording, ready to judge: the text (as the command line's --audio judges it,
/// ending with a newline), the speaking time in whole seconds, and the delivery as JSON.
pub(crate) struct Spoken {
    pub text: String,
    pub seconds: i64,
    pub delivery: serde_json::Value,
}

/// Starts the job: a new id, queued; transcription runs on its own task, then `save` judges and
/// saves the transcript and returns the result page's address, or why nothing was saved.
pub(crate) fn start<F, Fut>(
    app: Ctx,
    recording: Recording,
    activity: vad::Activity,
    save: F,
) -> Response
where
    F: FnOnce(Ctx, Spoken) -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    let id = debrief_store::new_uid();
    // Kept under the account's key too: another account's guess of the id finds nothing.
    let job = app.job_key(&id);
    app.jobs.set(&job, Job::Queued);
    tokio::spawn(async move {
        let outcome = match transcribe(&app, &job, recording, activity).await {
            Ok(spoken) => save(app.clone(), spoken).await,
            Err(e) => Err(e),
        };
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

/// Transcribes on the blocking pool with the one shared model, loading it the first time.
async fn transcribe(
    app: &Ctx,
    job: &str,
    recording: Recording,
    activity: vad::Activity,
) -> Result<Spoken, String> {
    let worker = app.app().clone();
    let id = job.to_string();
    let (transcript, delivery) = tokio::task::spawn_blocking(move || {
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
    Ok(Spoken {
        text: format!("{}\n", transcript.text),
        seconds: delivery.speaking_seconds.round() as i64,
        delivery: serde_json::to_value(&delivery).expect("delivery serialises"),
    })
}

async fn job_status(app: Ctx, Path(job): Path<String>) -> Response {
    match app.jobs.get(&app.job_key(&job)) {
        Some(state) => Json(state).into_response(),
        None => refused(
            StatusCode::NOT_FOUND,
            "no such recording job: the server restarted or forgot it; record again",
        ),
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

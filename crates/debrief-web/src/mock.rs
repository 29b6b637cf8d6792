//! The mock interview in the browser, timed by the server. The question is shown with a start
//! button; starting creates the interview and its countdown (three minutes unless the candidate
//! picks another length). Each answer is judged and saved once, then the page redirects, so a
//! refresh saves nothing twice. The debrief of each answer comes first; a follow-up's countdown
//! starts only when the candidate starts it. At the end, the whole interview gets one verdict
//! with its competency scores, what would lift it, and the question's worked answers.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_core::interview::{self, ANSWER_SECONDS};
use debrief_core::pack::Question;
use debrief_core::Judgment;
use debrief_store::{
    date, Attempt, Mock, MockSaved, NewAttempt, ATTEMPT_ANSWER, ATTEMPT_FOLLOW_UP,
};
use minijinja::value::Serde;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use crate::pages::{error_page, render, render_status, store_failed};
use crate::spoken::{self, Spoken};
use crate::{App, Ctx};

/// The countdown lengths offered, in minutes.
const MINUTES: [i64; 5] = [2, 3, 4, 5, 10];

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/mock", get(ready).post(start))
        .route("/mock/{id}", get(show))
        .route("/mock/{id}/answer", post(answer))
        .route("/mock/{id}/next", post(next))
        .route("/mock/{id}/finish", post(finish))
        .route("/api/recordings/mock/{id}", post(record))
}

#[derive(Deserialize)]
struct ReadyQuery {
    #[serde(default)]
    question: Option<String>,
}

/// The question and a start button: no countdown runs before the candidate starts it.
async fn ready(app: Ctx, Query(q): Query<ReadyQuery>) -> Response {
    let pack = app.analyzer.pack();
    let picked = match q.question.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => pack.question(id),
        None => match app.store.interview_history().await {
            Ok(history) => interview::pick_question(pack, &history, None),
            Err(e) => return store_failed(&app, e),
        },
    };
    let Some(picked) = picked else {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            "No such question in this pack.",
        );
    };
    render(
        &app,
        "mock.html",
        "mock",
        context! {
            state => "ready",
            question => &picked.id,
            prompt => &picked.text,
            minutes => MINUTES,
            default_minutes => ANSWER_SECONDS / 60,
        },
    )
}

#[derive(Deserialize)]
struct StartForm {
    question: String,
    #[serde(default)]
    minutes: Option<String>,
}

async fn start(app: Ctx, Form(form): Form<StartForm>) -> Response {
    let Some(q) = app.analyzer.pack().question(&form.question) else {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            "No such question in this pack.",
        );
    };
    let minutes = match form.minutes.as_deref().map(str::trim) {
        None | Some("") => ANSWER_SECONDS / 60,
        Some(m) => match m.parse::<i64>() {
            Ok(m) if (1..=60).contains(&m) => m,
            _ => {
                return error_page(
                    &app,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "The countdown is a whole number of minutes from 1 to 60.",
                )
            }
        },
    };
    match app.store.start_mock(&q.id, minutes * 60).await {
        Ok(id) => Redirect::to(&format!("/mock/{id}")).into_response(),
        Err(e) => store_failed(&app, e),
    }
}

/// One answered step, as the debrief shows it.
#[derive(Serialize)]
struct Part {
    /// The follow-up asked; `None` for the question.
    probe: Option<String>,
    answer: String,
    judgment: serde_json::Value,
    seconds: i64,
    /// Seconds past the countdown, 0 when in time.
    over: i64,
    /// A spoken answer's delivery: the timeline and its numbers.
    delivery: Option<spoken::DeliveryShown>,
    /// A spoken answer's transcript with the findings' spans marked.
    transcript: Option<Vec<crate::report::Segment>>,
}

fn part_of(a: &Attempt, limit: i64) -> Part {
    let delivery = spoken::DeliveryShown::of(
        a.delivery.as_ref(),
        debrief_voice::delivery::ANSWER_BUDGET_SECONDS as i64,
        &format!("delivery-{}", a.id),
    );
    let transcript = delivery.as_ref().map(|_| {
        let findings = a
            .judgment
            .get("findings")
            .and_then(|f| f.as_array())
            .cloned()
            .unwrap_or_default();
        crate::report::segments(&a.answer, &findings)
    });
    Part {
        probe: a.probe.clone(),
        answer: a.answer.clone(),
        judgment: a.judgment.clone(),
        seconds: a.seconds,
        over: (a.seconds - limit).max(0),
        delivery,
        transcript,
    }
}

async fn load(app: &Ctx, id: i64) -> Result<(Mock, &Question), Response> {
    let mock = match app.store.mock(id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return Err(error_page(
                app,
                StatusCode::NOT_FOUND,
                "No such mock interview: start one from the mock interview page.",
            ))
        }
        Err(e) => return Err(store_failed(app, e)),
    };
    match app.analyzer.pack().question(&mock.question) {
        Some(q) => Ok((mock, q)),
        None => Err(error_page(
            app,
            StatusCode::NOT_FOUND,
            "This interview's question is not in the pack any more.",
        )),
    }
}

async fn show(app: Ctx, Path(id): Path<i64>) -> Response {
    let (mock, q) = match load(&app, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Every answer saved and the interview not yet closed (the last save was cut short): close
    // it now, once.
    if mock.finished.is_none() && mock.step > 0 && mock.asking().is_none() {
        if let Err(r) = close(&app, &mock, q).await {
            return r;
        }
        return Redirect::to(&format!("/mock/{id}")).into_response();
    }
    page(&app, &mock, q, StatusCode::OK, "", None).await
}

/// The page for the interview's state: the countdown and the answer box while a step runs, the
/// debrief and the next follow-up between steps, the whole verdict at the end.
async fn page(
    app: &Ctx,
    mock: &Mock,
    q: &Question,
    status: StatusCode,
    draft: &str,
    error: Option<String>,
) -> Response {
    let basic = context! {
        id => mock.id,
        question => &q.id,
        prompt => &q.text,
        limit => mock.seconds,
        step => mock.step,
        follow_ups => mock.probes.len(),
    };
    let asking = mock.asking();
    // A step running: the question or probe, the time left and the answer box; nothing read
    // from the answers saved.
    if let (Some(probe), Some(_)) = (asking, mock.step_started) {
        let left = mock.seconds - mock.elapsed(date::now());
        return render_status(
            app,
            status,
            "mock.html",
            "mock",
            context! {
                state => "answering",
                probe => probe,
                left => left,
                draft_key => format!("mock-{}-{}", mock.id, mock.step),
                answer => draft,
                error => error,
                record => spoken::can_record(app),
                no_model => spoken::NO_MODEL,
                ..basic
            },
        );
    }
    let attempts = match app.store.attempts_with_ids(&mock.attempts).await {
        Ok(a) => a,
        Err(e) => return store_failed(app, e),
    };
    let parts: Vec<Part> = attempts.iter().map(|a| part_of(a, mock.seconds)).collect();
    let names = crate::pages::competency_name_map(app.analyzer.pack());
    let common = context! {
        parts => Value::from(Serde(&parts)),
        names => Value::from(Serde(&names)),
        ..basic
    };
    if let Some(asking) = asking {
        return render_status(
            app,
            status,
            "mock_debrief.html",
            "mock",
            context! {
                state => "between",
                next_probe => asking,
                clear_draft => format!("mock-{}-{}", mock.id, mock.step - 1),
                ..common
            },
        );
    }
    // Over: the whole interview's verdict, kept on the answer.
    let overall = attempts
        .first()
        .and_then(|a| a.overall.clone())
        .and_then(|o| serde_json::from_value::<Judgment>(o).ok());
    let lift = overall
        .as_ref()
        .map(|j| interview::lift(j, app.analyzer.pack()));
    render_status(
        app,
        status,
        "mock_debrief.html",
        "mock",
        context! {
            state => "finished",
            overall => overall.as_ref().map(|j| Value::from(Serde(j))),
            lift => lift.as_ref().map(|l| Value::from(Serde(l))),
            strong => &q.strong,
            worked => q.worked.as_ref().map(|w| context! {
                strong => &w.strong, weak => &w.weak, weak_why => &w.weak_why,
            }),
            clear_draft => format!("mock-{}-{}", mock.id, mock.step - 1),
            ..common
        },
    )
}

/// Judges the whole interview and keeps its verdict; a second call changes nothing.
async fn close(app: &Ctx, mock: &Mock, q: &Question) -> Result<(), Response> {
    let attempts = app
        .store
        .attempts_with_ids(&mock.attempts)
        .await
        .map_err(|e| store_failed(app, e))?;
    let Some((first, rest)) = attempts.split_first() else {
        return Ok(());
    };
    let overall = interview::judge_interview(
        &app.analyzer,
        q,
        &first.answer,
        rest.iter().map(|a| a.answer.as_str()),
    )
    .map_err(|e| error_page(app, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()))?;
    app.store
        .finish_mock(mock.id, &overall)
        .await
        .map_err(|e| store_failed(app, e))?;
    Ok(())
}

#[derive(Deserialize)]
struct AnswerForm {
    step: i64,
    answer: String,
}

async fn answer(app: Ctx, Path(id): Path<i64>, Form(form): Form<AnswerForm>) -> Response {
    let (mock, q) = match load(&app, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let here = Redirect::to(&format!("/mock/{id}")).into_response();
    // A form for a step already answered (a refresh, a second click, another tab): show where
    // the interview is, saving nothing.
    let Some(asking) = mock.asking() else {
        return here;
    };
    if form.step != mock.step || mock.step_started.is_none() {
        return here;
    }
    let text = form.answer.replace("\r\n", "\n");
    let judgment = match judge_step(&app, q, asking, &text) {
        Ok(j) => j,
        // Asked again with the text kept and the countdown still running.
        Err(e) => {
            return page(
                &app,
                &mock,
                q,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.answer,
                Some(e.to_string()),
            )
            .await
        }
    };
    let probes = step_probes(&judgment, q, asking);
    let saved = app
        .store
        .save_mock_answer(
            id,
            mock.step,
            &step_attempt(q, asking, &text, &judgment, mock.elapsed(date::now())),
            &probes,
        )
        .await;
    match saved {
        Ok(MockSaved::Saved(_)) => {}
        Ok(MockSaved::Stale) => return here,
        Err(e) => return store_failed(&app, e),
    }
    // The last answer closes the interview with its one verdict.
    match app.store.mock(id).await {
        Ok(Some(m)) if m.asking().is_none() => {
            if let Err(r) = close(&app, &m, q).await {
                return r;
            }
        }
        Ok(_) => {}
        Err(e) => return store_failed(&app, e),
    }
    here
}

/// The step a form or a recording is for.
#[derive(Deserialize)]
struct StepForm {
    step: i64,
}

/// Starts the next follow-up's countdown.
async fn next(app: Ctx, Path(id): Path<i64>, Form(form): Form<StepForm>) -> Response {
    if let Err(e) = app.store.start_mock_step(id, form.step).await {
        return store_failed(&app, e);
    }
    Redirect::to(&format!("/mock/{id}")).into_response()
}

/// Ends the interview before the follow-ups left, judging what was said.
async fn finish(app: Ctx, Path(id): Path<i64>) -> Response {
    let (mock, q) = match load(&app, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if mock.finished.is_none() && mock.step > 0 {
        if let Err(r) = close(&app, &mock, q).await {
            return r;
        }
    }
    Redirect::to(&format!("/mock/{id}")).into_response()
}

/// A recording of the running step's answer: checked at once, then transcribed as a job whose
/// transcript is judged and saved as [`answer`] saves a typed one, with its delivery.
async fn record(
    app: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<StepForm>,
    body: axum::body::Body,
) -> Response {
    if let Some(r) = spoken::no_model(&app) {
        return r;
    }
    let mock = match app.store.mock(id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return spoken::refused(
                StatusCode::NOT_FOUND,
                "no such mock interview: start one from the mock interview page",
            )
        }
        Err(e) => return spoken::refused(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    if mock.asking().is_none() || mock.step != q.step || mock.step_started.is_none() {
        return spoken::refused(
            StatusCode::CONFLICT,
            "this step of the interview is already answered: reload the page",
        );
    }
    let (recording, activity) = match spoken::read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let step = q.step;
    spoken::start(app, recording, activity, move |app, said| async move {
        save_spoken(&app, id, step, &said).await
    })
}

/// Judges a transcribed answer to `step` and saves it with its delivery; returns the interview's
/// page (also when the step was answered meanwhile, typed or recorded again: nothing is saved).
async fn save_spoken(app: &Ctx, id: i64, step: i64, said: &Spoken) -> Result<String, String> {
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
    let Some(asking) = mock.asking() else {
        return Ok(here);
    };
    if mock.step != step {
        return Ok(here);
    }
    let judgment = judge_step(app, q, asking, &said.text)
        .map_err(|e| format!("the transcript could not be judged: {e}"))?;
    let probes = step_probes(&judgment, q, asking);
    let attempt = step_attempt(q, asking, &said.text, &judgment, said.seconds);
    let saved = app
        .store
        .save_spoken_mock_answer(id, step, &attempt, &probes, &said.delivery)
        .await
        .map_err(|e| e.to_string())?;
    if let MockSaved::Saved(_) = saved {
        // The last answer closes the interview with its one verdict.
        if let Some(m) = app.store.mock(id).await.map_err(|e| e.to_string())? {
            if m.asking().is_none() {
                close(app, &m, q)
                    .await
                    .map_err(|_| "the interview's verdict could not be saved".to_string())?;
            }
        }
    }
    Ok(here)
}

/// A step's answer judged as what it answers: the question, or a follow-up (where short is fine),
/// typed or spoken alike.
fn judge_step(
    app: &Ctx,
    q: &Question,
    asking: Option<&str>,
    text: &str,
) -> Result<Judgment, debrief_core::CheckError> {
    match asking {
        None => app.analyzer.check_markdown(text, Some(&q.id)),
        Some(_) => app.analyzer.check_follow_up(text, Some(&q.id)),
    }
}

/// The follow-ups the answer to the question calls for; none after a follow-up's answer.
fn step_probes(judgment: &Judgment, q: &Question, asking: Option<&str>) -> Vec<String> {
    if asking.is_some() {
        return Vec::new();
    }
    interview::follow_ups(judgment, q)
        .into_iter()
        .map(|p| p.question.to_string())
        .collect()
}

/// The attempt a step's answer is saved as.
fn step_attempt<'a>(
    q: &'a Question,
    asking: Option<&'a str>,
    answer: &'a str,
    judgment: &'a Judgment,
    seconds: i64,
) -> NewAttempt<'a> {
    NewAttempt {
        kind: if asking.is_none() {
            ATTEMPT_ANSWER
        } else {
            ATTEMPT_FOLLOW_UP
        },
        question: Some(&q.id),
        probe: asking,
        answer,
        judgment,
        seconds,
    }
}

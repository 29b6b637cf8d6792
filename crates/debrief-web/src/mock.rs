//! The mock interview in the browser: a question picked for the weakest competencies (or the one
//! asked for), a visible countdown, the answer judged and saved as an attempt, then up to two
//! follow-up probes from the gaps found, each answered, judged and saved in turn.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_core::interview;
use debrief_core::pack::Question;
use debrief_store::{date, NewAttempt, ATTEMPT_ANSWER, ATTEMPT_FOLLOW_UP};
use minijinja::value::Serde;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::pages::{error_page, render, render_status, store_failed};
use crate::App;

/// The time an answer should take, as the countdown shows it.
const ANSWER_SECONDS: i64 = 120;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/mock", get(ask).post(answer))
        .route("/mock/follow-up", post(follow_up))
}

#[derive(Deserialize)]
struct AskQuery {
    #[serde(default)]
    question: Option<String>,
}

fn question<'a>(app: &'a App, id: &str) -> Option<&'a Question> {
    app.analyzer.pack().question(id)
}

async fn ask(State(app): State<Arc<App>>, Query(q): Query<AskQuery>) -> Response {
    let pack = app.analyzer.pack();
    let picked = match q.question.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => question(&app, id),
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
            question => &picked.id,
            prompt => &picked.text,
            probe => None::<String>,
            remaining => "",
            started => date::now(),
            seconds => ANSWER_SECONDS,
            answer => "",
            error => None::<String>,
        },
    )
}

/// An answer to the question or to a follow-up.
#[derive(Deserialize)]
struct AnswerForm {
    question: String,
    answer: String,
    started: i64,
    /// The follow-up this answers; empty for the question itself.
    #[serde(default)]
    probe: String,
    /// The follow-up still to ask after this one.
    #[serde(default)]
    remaining: String,
}

async fn answer(State(app): State<Arc<App>>, Form(form): Form<AnswerForm>) -> Response {
    judge_and_save(&app, form, false).await
}

async fn follow_up(State(app): State<Arc<App>>, Form(form): Form<AnswerForm>) -> Response {
    judge_and_save(&app, form, true).await
}

async fn judge_and_save(app: &App, form: AnswerForm, is_follow_up: bool) -> Response {
    let Some(q) = question(app, &form.question) else {
        return error_page(app, StatusCode::NOT_FOUND, "No such question in this pack.");
    };
    let text = form.answer.replace("\r\n", "\n");
    let judged = if is_follow_up {
        app.analyzer.check_follow_up(&text, Some(&q.id))
    } else {
        app.analyzer.check_markdown(&text, Some(&q.id))
    };
    let judgment = match judged {
        Ok(j) => j,
        Err(e) => {
            // Ask again with the answer kept.
            return render_status(
                app,
                StatusCode::UNPROCESSABLE_ENTITY,
                "mock.html",
                "mock",
                context! {
                    question => &q.id,
                    prompt => &q.text,
                    probe => (!form.probe.is_empty()).then_some(&form.probe),
                    remaining => &form.remaining,
                    started => form.started,
                    seconds => ANSWER_SECONDS,
                    answer => &form.answer,
                    error => e.to_string(),
                },
            );
        }
    };
    let seconds = (date::now() - form.started).clamp(0, 24 * 3600);
    let saved = app
        .store
        .add_attempt(&NewAttempt {
            kind: if is_follow_up {
                ATTEMPT_FOLLOW_UP
            } else {
                ATTEMPT_ANSWER
            },
            question: Some(&q.id),
            answer: &text,
            judgment: &judgment,
            seconds,
        })
        .await;
    if let Err(e) = saved {
        return store_failed(app, e);
    }
    // The follow-ups come from the first answer's gaps; a follow-up's page asks the one left.
    let mut next: Vec<String> = if is_follow_up {
        vec![form.remaining.clone()]
    } else {
        interview::follow_ups(&judgment, q)
            .into_iter()
            .map(|p| p.question.to_string())
            .collect()
    };
    next.retain(|p| !p.trim().is_empty());
    let follow = next.first().cloned();
    let remaining = next.get(1).cloned().unwrap_or_default();
    render(
        app,
        "mock_debrief.html",
        "mock",
        context! {
            question => &q.id,
            prompt => &q.text,
            probe => (!form.probe.is_empty()).then_some(&form.probe),
            answer => &text,
            judgment => Value::from(Serde(&judgment)),
            seconds => seconds,
            limit => ANSWER_SECONDS,
            follow => follow,
            remaining => remaining,
            started => date::now(),
        },
    )
}

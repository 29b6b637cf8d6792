//! The explain drill in the browser: a topic not yet passed (or the one asked for), a two-minute
//! countdown, the explanation typed, then its judgment for a non-technical listener, saved.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use debrief_core::explain;
use debrief_core::pack::Topic;
use debrief_store::{date, NewExplanation};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;

use crate::pages::{error_page, render, render_status, store_failed};
use crate::App;

/// The drill's time limit.
const SECONDS: i64 = 120;

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/explain", get(ask).post(judge))
}

#[derive(Deserialize)]
struct TopicQuery {
    #[serde(default)]
    topic: Option<String>,
}

fn page(
    app: &App,
    status: StatusCode,
    topic: &Topic,
    text: &str,
    error: Option<String>,
) -> Response {
    render_status(
        app,
        status,
        "explain.html",
        "explain",
        context! {
            topic => &topic.id,
            title => &topic.title,
            prompt => &topic.prompt,
            topics => Serde(app.analyzer.pack().topics.iter().map(|t| (&t.id, &t.title)).collect::<Vec<_>>()),
            started => date::now(),
            seconds => SECONDS,
            text => text,
            error => error,
        },
    )
}

async fn ask(State(app): State<Arc<App>>, Query(q): Query<TopicQuery>) -> Response {
    let pack = app.analyzer.pack();
    let topic = match q.topic.as_deref().filter(|t| !t.is_empty()) {
        Some(id) => pack.topic(id),
        None => {
            // A topic not passed yet, the least tried first, as `debrief explain` picks.
            let saved = match app.store.explanations().await {
                Ok(s) => s,
                Err(e) => return store_failed(&app, e),
            };
            let tries = |t: &Topic| saved.iter().filter(|e| e.topic == t.id).count();
            let passed = |t: &Topic| saved.iter().any(|e| e.topic == t.id && e.passed);
            pack.topics.iter().min_by_key(|t| (passed(t), tries(t)))
        }
    };
    match topic {
        Some(topic) => page(&app, StatusCode::OK, topic, "", None),
        None => error_page(
            &app,
            StatusCode::NOT_FOUND,
            "No such explain topic in this pack.",
        ),
    }
}

#[derive(Deserialize)]
struct ExplainForm {
    topic: String,
    text: String,
    started: i64,
}

async fn judge(State(app): State<Arc<App>>, Form(form): Form<ExplainForm>) -> Response {
    let Some(topic) = app.analyzer.pack().topic(&form.topic) else {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            "No such explain topic in this pack.",
        );
    };
    let text = form.text.replace("\r\n", "\n");
    let judged = match explain::judge_with_model(topic, app.explain_model.as_ref(), &text) {
        Ok(j) => j,
        Err(e) => {
            return page(
                &app,
                StatusCode::UNPROCESSABLE_ENTITY,
                topic,
                &form.text,
                Some(e.to_string()),
            )
        }
    };
    let seconds = (date::now() - form.started).clamp(0, 24 * 3600);
    let json = serde_json::to_value(&judged).expect("a judgment serialises");
    let saved = app
        .store
        .add_explanation(&NewExplanation {
            topic: &topic.id,
            text: &text,
            judgment: &json,
            score: i64::from(judged.score),
            passed: judged.passed,
            seconds,
        })
        .await;
    if let Err(e) = saved {
        return store_failed(&app, e);
    }
    render(
        &app,
        "explain_result.html",
        "explain",
        context! {
            topic => &topic.id,
            title => &topic.title,
            judged => Serde(&judged),
            seconds => seconds,
            limit => SECONDS,
        },
    )
}

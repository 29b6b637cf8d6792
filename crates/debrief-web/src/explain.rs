//! The explain drill in the browser: a topic not yet passed (or the one asked for), a two-minute
//! countdown, the explanation typed, then its judgment for a non-technical listener, saved.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_core::explain;
use debrief_core::pack::Topic;
use debrief_store::{date, NewExplanation};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;

use crate::pages::{error_page, render, render_status, store_failed};
use crate::spoken::{self, Spoken};
use crate::{App, Ctx};

/// The drill's time limit.
const SECONDS: i64 = 120;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/explain", get(ask).post(judge))
        .route("/explain/{id}", get(result))
        .route("/api/recordings/explain", post(record))
}

#[derive(Deserialize)]
struct TopicQuery {
    #[serde(default)]
    topic: Option<String>,
    /// A saved explanation to start again from (a retry starts from the last text).
    #[serde(default)]
    from: Option<i64>,
}

/// How many served explain pages the server remembers the start of.
const STARTS_KEPT: usize = 512;

/// Notes when the page with form `form` was served, unless it already was (a page shown again
/// after an error keeps its start); returns that time.
fn started(app: &App, form: &str) -> i64 {
    let mut starts = app
        .explain_started
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, at)) = starts.iter().find(|(f, _)| f == form) {
        return *at;
    }
    let now = date::now();
    starts.push_back((form.to_string(), now));
    if starts.len() > STARTS_KEPT {
        starts.pop_front();
    }
    now
}

/// When the page with form `form` was served, if the server remembers it.
fn served_at(app: &App, form: &str) -> Option<i64> {
    app.explain_started
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .find(|(f, _)| f == form)
        .map(|(_, at)| *at)
}

/// A form's own id: what the page gave it, or a new one when it is missing or malformed.
fn form_id(given: &str) -> String {
    let ok = !given.is_empty()
        && given.len() <= 64
        && given
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        given.to_string()
    } else {
        debrief_store::new_uid()
    }
}

fn page(
    app: &Ctx,
    status: StatusCode,
    topic: &Topic,
    text: &str,
    error: Option<String>,
    form: &str,
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
            started => started(app, form),
            seconds => SECONDS,
            text => text,
            error => error,
            form => form,
            record => spoken::can_record(app),
            no_model => spoken::NO_MODEL,
        },
    )
}

async fn ask(app: Ctx, Query(q): Query<TopicQuery>) -> Response {
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
    let last = match q.from {
        Some(id) => match app.store.explanation(id).await {
            Ok(e) => e.filter(|e| topic.is_some_and(|t| t.id == e.topic)),
            Err(e) => return store_failed(&app, e),
        },
        None => None,
    };
    let text = last.as_ref().map_or("", |e| e.text.as_str());
    match topic {
        Some(topic) => page(
            &app,
            StatusCode::OK,
            topic,
            text,
            None,
            &debrief_store::new_uid(),
        ),
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
    /// The form's own id: the same form sent twice saves once.
    #[serde(default)]
    form: String,
}

async fn judge(app: Ctx, Form(form): Form<ExplainForm>) -> Response {
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
                &form_id(&form.form),
            )
        }
    };
    // The server's own note of when the page was served; the form's field only when the server
    // restarted in between.
    let form_id = form_id(&form.form);
    let from = served_at(&app, &form_id).unwrap_or(form.started);
    let seconds = (date::now() - from).clamp(0, 24 * 3600);
    let json = serde_json::to_value(&judged).expect("a judgment serialises");
    let saved = app
        .store
        .add_explanation_once(
            &form_id,
            &NewExplanation {
                topic: &topic.id,
                text: &text,
                judgment: &json,
                score: i64::from(judged.score),
                passed: judged.passed,
                seconds,
            },
        )
        .await;
    match saved {
        Ok((id, _)) => Redirect::to(&format!("/explain/{id}")).into_response(),
        Err(e) => store_failed(&app, e),
    }
}

/// The spans of a saved explanation's judgment in the shape of a check's findings, to mark them
/// on a spoken explanation's transcript: the ideas conveyed as strengths; wrong claims, jargon
/// left unexplained and long sentences as concerns.
fn marks(judgment: &serde_json::Value) -> Vec<serde_json::Value> {
    let mark = |span: &serde_json::Value, severity: &str, rule: &str| {
        serde_json::json!({
            "start": span.get("start"), "end": span.get("end"),
            "severity": severity, "rule": rule,
        })
    };
    let list = |key: &str| {
        judgment
            .get(key)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for c in list("concepts") {
        if c["present"] == true && c["span"].is_object() {
            out.push(mark(
                &c["span"],
                "strength",
                c["name"].as_str().unwrap_or("idea"),
            ));
        }
    }
    for e in list("errors") {
        out.push(mark(
            &e["span"],
            "concern",
            e["claim"].as_str().unwrap_or("wrong claim"),
        ));
    }
    for j in list("jargon") {
        if j["explained"] == false && j["span"].is_object() {
            let rule = format!("jargon: {}", j["label"].as_str().unwrap_or(""));
            out.push(mark(&j["span"], "concern", &rule));
        }
    }
    for l in list("long") {
        out.push(mark(&l["span"], "concern", "long sentence"));
    }
    out
}

/// A saved explanation's judgment, as it was judged.
async fn result(app: Ctx, Path(id): Path<i64>) -> Response {
    let saved = match app.store.explanation(id).await {
        Ok(Some(e)) => e,
        Ok(None) => return error_page(&app, StatusCode::NOT_FOUND, "No such explanation saved."),
        Err(e) => return store_failed(&app, e),
    };
    let title = app
        .analyzer
        .pack()
        .topic(&saved.topic)
        .map_or(saved.topic.as_str(), |t| t.title.as_str());
    render(
        &app,
        "explain_result.html",
        "explain",
        context! {
            id => saved.id,
            topic => &saved.topic,
            title => title,
            judged => Serde(&saved.judgment),
            seconds => saved.seconds,
            limit => SECONDS,
            spoken_delivery => Serde(spoken::DeliveryShown::of(saved.delivery.as_ref(), SECONDS, "delivery")),
            spoken_text => saved.delivery.as_ref().map(|_| Serde(crate::report::segments(&saved.text, &marks(&saved.judgment)))),
        },
    )
}

#[derive(Deserialize)]
struct RecordQuery {
    topic: String,
    /// The page's form id: a recording and a typed explanation from the same page save once.
    form: String,
}

/// A recorded explanation: checked at once, then transcribed as a job whose transcript is
/// judged and saved as [`judge`] saves a typed one, with its delivery.
async fn record(app: Ctx, Query(q): Query<RecordQuery>, body: axum::body::Body) -> Response {
    if let Some(r) = spoken::no_model(&app) {
        return r;
    }
    if app.analyzer.pack().topic(&q.topic).is_none() {
        return spoken::refused(StatusCode::NOT_FOUND, "no such explain topic in this pack");
    }
    let form = form_id(&q.form);
    let (recording, activity) = match spoken::read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let topic = q.topic;
    spoken::start(app, recording, activity, move |app, said| async move {
        save_spoken(&app, &topic, &form, &said).await
    })
}

/// Judges a transcribed explanation and saves it with its delivery; returns its result page.
async fn save_spoken(app: &Ctx, topic: &str, form: &str, said: &Spoken) -> Result<String, String> {
    let topic = app
        .analyzer
        .pack()
        .topic(topic)
        .ok_or("no such explain topic in this pack")?;
    let judged = explain::judge_with_model(topic, app.explain_model.as_ref(), &said.text)
        .map_err(|e| format!("the transcript could not be judged: {e}"))?;
    let json = serde_json::to_value(&judged).expect("a judgment serialises");
    let (id, _) = app
        .store
        .add_spoken_explanation_once(
            form,
            &NewExplanation {
                topic: &topic.id,
                text: &said.text,
                judgment: &json,
                score: i64::from(judged.score),
                passed: judged.passed,
                seconds: said.seconds,
            },
            &said.delivery,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("/explain/{id}"))
}

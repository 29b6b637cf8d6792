//! The JSON API under `/api`: live judgment (PRODUCT.md's check contract), health, the story
//! bank, and the OpenAPI document that describes them.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use debrief_core::{CheckError, Judgment};
use serde::{Deserialize, Serialize};

use crate::guard::{refuse, BODY_LIMIT};
use crate::pages::{judge_form, StoryForm};
use crate::{App, Ctx};

/// The OpenAPI 3 description of this API.
const OPENAPI: &str = include_str!("../assets/openapi.json");

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/check", post(check))
        .route("/api/openapi.json", get(openapi))
        .route("/api/stories", get(stories).post(add_story))
        .route("/api/stories/{id}", get(story))
        .route("/api/stories/{id}/versions", post(add_version))
}

/// The body of `POST /api/check`.
#[derive(Deserialize)]
struct CheckRequest {
    /// The answer, Markdown; front matter is skipped.
    text: String,
    /// Judge against this question's target competencies.
    #[serde(default)]
    question: Option<String>,
}

/// One line of `debrief check --format json`: the input's name and its judgment.
#[derive(Serialize)]
struct Report<'a> {
    path: &'a str,
    #[serde(flatten)]
    judgment: &'a Judgment,
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// A refusal for a body the JSON extractor could not take, in our words.
fn bad_body(rejection: JsonRejection) -> Response {
    let status = rejection.status();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is over the {} MiB limit; shorten the text",
            BODY_LIMIT >> 20
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "send the body as JSON with Content-Type: application/json".to_string()
        }
        _ => format!(
            "the body must be {{\"text\": \"...\", \"question\": null | \"ID\"}}: {}",
            rejection.body_text()
        ),
    };
    refuse("/api/", status, &message)
}

async fn check(app: Ctx, body: Result<Json<CheckRequest>, JsonRejection>) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(rejection) => return bad_body(rejection),
    };
    match app
        .analyzer
        .check_markdown(&req.text, req.question.as_deref())
    {
        Ok(judgment) => Json(Report {
            path: "-",
            judgment: &judgment,
        })
        .into_response(),
        Err(e @ (CheckError::Empty | CheckError::UnknownQuestion(_))) => {
            refuse("/api/", StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn store_error(e: debrief_store::Error) -> Response {
    refuse("/api/", StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
}

async fn stories(app: Ctx) -> Response {
    match app.store.stories().await {
        Ok(list) => Json(list).into_response(),
        Err(e) => store_error(e),
    }
}

async fn story(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.story(id).await {
        Ok(Some(story)) => Json(story).into_response(),
        Ok(None) => refuse(
            "/api/",
            StatusCode::NOT_FOUND,
            &format!("no story {id}: GET /api/stories lists the ids"),
        ),
        Err(e) => store_error(e),
    }
}

/// A story or a new version of one, as the JSON API takes it.
#[derive(Deserialize)]
struct StoryRequest {
    title: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    question: Option<String>,
    /// The story's text, without front matter.
    text: String,
}

impl StoryRequest {
    fn into_form(self) -> StoryForm {
        StoryForm {
            title: self.title,
            tags: self.tags.join(", "),
            question: self.question.unwrap_or_default(),
            body: self.text,
        }
    }
}

/// What a save answers: where the story is and how the new version was judged.
#[derive(Serialize)]
struct Saved {
    id: i64,
    version: i64,
    score: u8,
    verdict: &'static str,
}

fn saved(status: StatusCode, id: i64, version: i64, judgment: &Judgment) -> Response {
    (
        status,
        Json(Saved {
            id,
            version,
            score: judgment.score,
            verdict: judgment.verdict.as_str(),
        }),
    )
        .into_response()
}

async fn add_story(app: Ctx, body: Result<Json<StoryRequest>, JsonRejection>) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(rejection) => return bad_body(rejection),
    };
    let (meta, markdown, judgment) = match judge_form(&app, &req.into_form(), &[]) {
        Ok(v) => v,
        Err(why) => return refuse("/api/", StatusCode::UNPROCESSABLE_ENTITY, &why),
    };
    match app.store.add_story(&meta, &markdown, &judgment).await {
        Ok(id) => saved(StatusCode::CREATED, id, 1, &judgment),
        Err(e) => store_error(e),
    }
}

async fn add_version(
    app: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<StoryRequest>, JsonRejection>,
) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(rejection) => return bad_body(rejection),
    };
    let (previous, versions) = match app.store.story(id).await {
        Ok(Some(s)) => (s.meta.questions, s.versions.len() as i64),
        Ok(None) => {
            return refuse(
                "/api/",
                StatusCode::NOT_FOUND,
                &format!("no story {id}: GET /api/stories lists the ids"),
            )
        }
        Err(e) => return store_error(e),
    };
    let (meta, markdown, judgment) = match judge_form(&app, &req.into_form(), &previous) {
        Ok(v) => v,
        Err(why) => return refuse("/api/", StatusCode::UNPROCESSABLE_ENTITY, &why),
    };
    match app.store.add_version(id, &meta, &markdown, &judgment).await {
        // The latest version's own text again: no new version, 200 with its number.
        Ok(Some(version)) if version <= versions => saved(StatusCode::OK, id, version, &judgment),
        Ok(Some(version)) => saved(StatusCode::CREATED, id, version, &judgment),
        Ok(None) => refuse("/api/", StatusCode::NOT_FOUND, &format!("no story {id}")),
        Err(e) => store_error(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_is_json_and_names_the_check_endpoint() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI).unwrap();
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        assert!(doc["paths"]["/api/check"]["post"].is_object());
        assert!(doc["paths"]["/api/health"]["get"].is_object());
        assert_eq!(
            doc["paths"]["/api/stories"]["post"]["security"][0]["csrf"],
            serde_json::json!([])
        );
    }
}

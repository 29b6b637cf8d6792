//! Our own CSS and JS, embedded in the binary and served as files so that the
//! Content-Security-Policy can forbid inline script.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::App;

const CSS: &str = include_str!("../assets/app.css");
const EDITOR_JS: &str = include_str!("../assets/editor.js");
const CARDS_JS: &str = include_str!("../assets/cards.js");
const MOCK_JS: &str = include_str!("../assets/mock.js");
const DRAFT_JS: &str = include_str!("../assets/draft.js");
const RECORD_JS: &str = include_str!("../assets/record.js");

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/editor.js",
            get(|| async { asset("text/javascript; charset=utf-8", EDITOR_JS) }),
        )
        .route(
            "/assets/cards.js",
            get(|| async { asset("text/javascript; charset=utf-8", CARDS_JS) }),
        )
        .route(
            "/assets/mock.js",
            get(|| async { asset("text/javascript; charset=utf-8", MOCK_JS) }),
        )
        .route(
            "/assets/draft.js",
            get(|| async { asset("text/javascript; charset=utf-8", DRAFT_JS) }),
        )
        .route(
            "/assets/record.js",
            get(|| async { asset("text/javascript; charset=utf-8", RECORD_JS) }),
        )
}

fn asset(kind: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

//! What every request passes before a handler sees it: the Host check against DNS rebinding, the
//! body size limit, the CSRF token on state-changing requests, and the security headers on every
//! response.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::App;

/// The largest request body accepted: 1 MiB, the same limit as `debrief check`.
pub const BODY_LIMIT: usize = 1 << 20;

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

/// The header the pages' scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The form field forms send the CSRF token in.
const CSRF_FIELD: &str = "csrf";

/// Scripts, styles and images only from this server; nothing inline, no frames, no plugins.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The `Host` header values a server bound to `addr` answers: the loopback names with its port,
/// and the bound address itself.
pub fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    let bound = addr.to_string();
    if !hosts.contains(&bound) {
        hosts.push(bound);
    }
    hosts
}

/// A fresh random token, 32 bytes as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wraps the routes in the guards, outermost first: headers, errors, Host, size, CSRF.
pub fn wrap(routes: Router, app: Arc<App>, hosts: Vec<String>) -> Router {
    let hosts = Arc::new(hosts);
    routes
        .layer(middleware::from_fn_with_state(app.clone(), csrf))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            crate::account::session,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(size))
        .layer(middleware::from_fn_with_state(hosts, host))
        .layer(middleware::from_fn_with_state(app, errors))
        .layer(middleware::from_fn(headers))
}

/// Our own words for a refusal, carried on the response so that [`errors`] can put them on the
/// error page.
#[derive(Clone)]
struct Refusal(String);

/// A refusal in the form the client expects: JSON under `/api`; for pages, the message, which
/// [`errors`] puts on the HTML error page.
pub fn refuse(path: &str, status: StatusCode, message: &str) -> Response {
    if path.starts_with("/api/") {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        let mut res = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{message}\n"),
        )
            .into_response();
        res.extensions_mut().insert(Refusal(message.to_string()));
        res
    }
}

/// One shape for every error: `{"error": "..."}` under `/api`, the HTML error page elsewhere.
/// Errors the framework makes itself (an unknown address, a wrong method, an id that is not a
/// number, a form missing a field) get our own words, never its text with Rust type names.
async fn errors(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ours = if api {
        kind.starts_with("application/json")
    } else {
        kind.starts_with("text/html")
    };
    if ours {
        return res;
    }
    let message = match res.extensions().get::<Refusal>() {
        Some(Refusal(m)) => m.clone(),
        None => plain_words(status, &method, api),
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = if api {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        crate::pages::error_page(&crate::Ctx::bare(&app), status, &message)
    };
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// What an error the framework made means, for the candidate or the API's caller.
fn plain_words(status: StatusCode, method: &Method, api: bool) -> String {
    match (status, api) {
        (StatusCode::NOT_FOUND, true) => {
            "no such endpoint: GET /api/openapi.json lists them".to_string()
        }
        (StatusCode::NOT_FOUND, false) => {
            "No such page here. The menu above lists what there is.".to_string()
        }
        (StatusCode::METHOD_NOT_ALLOWED, _) => {
            format!("this address does not take a {method} request")
        }
        (StatusCode::BAD_REQUEST, true) => {
            "the request is malformed: an id in the address must be a number; GET \
             /api/openapi.json describes each endpoint"
                .to_string()
        }
        (StatusCode::BAD_REQUEST, false) => {
            "The address is malformed: an id in it must be a number.".to_string()
        }
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, true) => {
            "send the body as JSON with Content-Type: application/json".to_string()
        }
        (StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY, false) => {
            "The form arrived incomplete or malformed: reload the page and try again.".to_string()
        }
        (StatusCode::UNPROCESSABLE_ENTITY, true) => {
            "the request body is malformed: GET /api/openapi.json describes each endpoint"
                .to_string()
        }
        (StatusCode::PAYLOAD_TOO_LARGE, _) => format!(
            "the request body is over the {} MiB limit; shorten the text",
            BODY_LIMIT >> 20
        ),
        (s, _) if s.is_server_error() => {
            "Something failed on our side; what you saved before is safe. Try again.".to_string()
        }
        (s, _) => format!("the request was refused ({})", s.as_u16()),
    }
}

async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        // Not `no-referrer`: with it, Chromium sends `Origin: null` on our own form posts.
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Every page and API answer may hold the candidate's stories: nothing is kept in a cache
    // (the browser's, a shared machine's disk). Our own static files say otherwise themselves.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Refuses a request whose Host is not this server's: a page on another site that re-points its
/// own name at 127.0.0.1 (DNS rebinding) still sends its own name.
async fn host(State(hosts): State<Arc<Vec<String>>>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    match given {
        Some(h) if hosts.contains(&h) => next.run(req).await,
        other => {
            let message = format!(
                "the Host header {:?} is not this server's; open http://{}/ instead",
                other.unwrap_or_default(),
                hosts[0]
            );
            refuse(req.uri().path(), StatusCode::FORBIDDEN, &message)
        }
    }
}

fn too_large(path: &str) -> Response {
    if is_recording(path) {
        return refuse(
            path,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the recording is over {} MB; recordings up to {} minutes are accepted",
                RECORDING_LIMIT / 1_000_000,
                debrief_voice::MAX_SECONDS / 60
            ),
        );
    }
    refuse(
        path,
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "the request body is over the {} MiB limit; shorten the text",
            BODY_LIMIT >> 20
        ),
    )
}

/// Whether `path` takes a recording, and so [`RECORDING_LIMIT`] instead of [`BODY_LIMIT`]; its
/// handler reads the body itself, up to that limit.
fn is_recording(path: &str) -> bool {
    path.starts_with(RECORDINGS_PATH)
}

/// Refuses a body declared over the limit before reading it; bodies without a length are cut
/// off by [`DefaultBodyLimit`] (or the recording handler) as they are read.
async fn size(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limit = if is_recording(path) {
        RECORDING_LIMIT
    } else {
        BODY_LIMIT
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(path);
    }
    next.run(req).await
}

/// Whether a request may change state, and so needs the token. `POST /api/check` only reads.
fn changes_state(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) && path != "/api/check"
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Requires the server's token, in the header (scripts) or the `csrf` form field (forms), on
/// every state-changing request, and refuses a foreign Origin.
async fn csrf(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !changes_state(req.method(), &path) {
        return next.run(req).await;
    }
    let forbidden = |why: &str| refuse(&path, StatusCode::FORBIDDEN, why);
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        if origin_host.is_none() || origin_host != host {
            return forbidden("the request comes from another site (Origin); refused");
        }
    }
    // A cohort server: the session's token, or before login the pre-session cookie's.
    let expected =
        match &app.cohort {
            None => app.csrf.clone(),
            Some(_) => match crate::account::expected_csrf(&req) {
                Some(t) => t,
                None => return forbidden(
                    "the CSRF token is missing: open the page again (and allow its cookie) first",
                ),
            },
        };
    let token = expected.as_bytes();
    if let Some(sent) = req.headers().get(CSRF_HEADER) {
        if same(sent.as_bytes(), token) {
            return next.run(req).await;
        }
        return forbidden("the CSRF token is wrong: reload the page and try again");
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return forbidden("the CSRF token is missing: send it in the X-CSRF-Token header");
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return too_large(&path);
    };
    let sent = bytes
        .split(|&b| b == b'&')
        .find_map(|pair| pair.strip_prefix(format!("{CSRF_FIELD}=").as_bytes()));
    match sent {
        Some(sent) if same(sent, token) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Some(_) => forbidden("the CSRF token is wrong: reload the page and try again"),
        None => forbidden("the CSRF token is missing: reload the page and try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_bound_address_are_allowed() {
        let hosts = allowed_hosts("192.168.1.5:7878".parse().unwrap());
        assert!(hosts.contains(&"localhost:7878".to_string()));
        assert!(hosts.contains(&"[::1]:7878".to_string()));
        assert!(hosts.contains(&"192.168.1.5:7878".to_string()));
        assert!(!hosts.iter().any(|h| h.contains("evil")));
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn only_the_check_endpoint_posts_without_a_token() {
        assert!(!changes_state(&Method::POST, "/api/check"));
        assert!(changes_state(&Method::POST, "/stories"));
        assert!(!changes_state(&Method::GET, "/stories"));
    }
}

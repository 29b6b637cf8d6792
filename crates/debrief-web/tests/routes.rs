//! The app's routes in process: the check contract, the guards (Host, CSRF, size), escaping of
//! user text and the security headers, as a browser or a script would meet them.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use debrief_core::{builtin, Analyzer};
use debrief_store::Store;
use debrief_web::{allowed_hosts, router, App, CSRF_HEADER};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:7878";

struct Fixture {
    router: Router,
    csrf: String,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite").to_string_lossy())
        .await
        .unwrap();
    let analyzer = Arc::new(Analyzer::new(builtin::pack().unwrap()).unwrap());
    let app = Arc::new(App::new(analyzer, store, None));
    let csrf = app.csrf_token().to_string();
    Fixture {
        router: router(app, allowed_hosts(HOST.parse().unwrap())),
        csrf,
        _dir: dir,
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
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
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

fn post_json(path: &str, body: &serde_json::Value) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn post_form(path: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const ANSWER: &str = "I decided to halt the launch until the security review passed. \
    We found two critical bugs and cut the error rate by 40% before we shipped.";

#[tokio::test]
async fn check_answers_with_the_products_contract() {
    let f = fixture().await;
    let a = send(
        &f.router,
        post_json(
            "/api/check",
            &serde_json::json!({ "text": ANSWER, "question": null }),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let j = a.json();
    assert_eq!(j["path"], "-");
    assert_eq!(j["pack"]["id"], "cloudflare-pm");
    assert!(j["question"].is_null());
    for key in [
        "verdict",
        "score",
        "disqualified",
        "competencies",
        "findings",
        "probes",
        "metrics",
    ] {
        assert!(j.get(key).is_some(), "no {key} in {j}");
    }
    let findings = j["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        let (start, end) = (
            finding["start"].as_u64().unwrap() as usize,
            finding["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&ANSWER[start..end], finding["text"].as_str().unwrap());
    }
}

#[tokio::test]
async fn check_with_a_question_judges_against_its_targets() {
    let f = fixture().await;
    let question = builtin::pack().unwrap().questions[0].id.clone();
    let a = send(
        &f.router,
        post_json(
            "/api/check",
            &serde_json::json!({ "text": ANSWER, "question": question }),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    assert_eq!(j["question"], question.as_str());
    assert!(j["competencies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["target"] == true));
}

#[tokio::test]
async fn check_refuses_an_empty_answer_and_an_unknown_question_clearly() {
    let f = fixture().await;
    let empty = send(
        &f.router,
        post_json("/api/check", &serde_json::json!({ "text": "  \n" })),
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.json()["error"].as_str().unwrap().contains("empty"));
    let unknown = send(
        &f.router,
        post_json(
            "/api/check",
            &serde_json::json!({ "text": ANSWER, "question": "no-such-question" }),
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.json()["error"]
        .as_str()
        .unwrap()
        .contains("no-such-question"));
    let malformed = send(
        &f.router,
        post_json("/api/check", &serde_json::json!({ "answer": "x" })),
    )
    .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.json()["error"].as_str().unwrap().contains("text"));
}

#[tokio::test]
async fn health_answers_ok() {
    let f = fixture().await;
    let a = send(&f.router, get("/api/health")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["status"], "ok");
}

#[tokio::test]
async fn the_openapi_document_is_served_as_json() {
    let f = fixture().await;
    let a = send(&f.router, get("/api/openapi.json")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/json");
    assert!(a.json()["paths"]["/api/check"]["post"].is_object());
}

#[tokio::test]
async fn a_foreign_host_header_is_refused_against_dns_rebinding() {
    let f = fixture().await;
    for host in ["evil.example", "evil.example:7878", "127.0.0.1:9999"] {
        let req = Request::get("/api/health")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let a = send(&f.router, req).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{host}");
        assert!(a.json()["error"].as_str().unwrap().contains("Host"));
    }
    let page = Request::get("/")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&f.router, page).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_loopback_name_for_the_port_is_accepted() {
    let f = fixture().await;
    for host in [
        "127.0.0.1:7878",
        "localhost:7878",
        "[::1]:7878",
        "LOCALHOST:7878",
    ] {
        let req = Request::get("/api/health")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&f.router, req).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn saving_a_story_without_the_csrf_token_is_forbidden() {
    let f = fixture().await;
    let fields = [("title", "Halted the launch"), ("body", ANSWER)];
    let a = send(&f.router, post_form("/stories", &fields)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("CSRF"));
    let wrong = [
        ("csrf", "0000"),
        ("title", "Halted the launch"),
        ("body", ANSWER),
    ];
    let a = send(&f.router, post_form("/stories", &wrong)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let mut header_wrong = post_form("/failures", &[("mistake", "m"), ("impact", "i")]);
    header_wrong
        .headers_mut()
        .insert(CSRF_HEADER, "nope".parse().unwrap());
    assert_eq!(
        send(&f.router, header_wrong).await.status,
        StatusCode::FORBIDDEN
    );
    let list = send(&f.router, get("/api/stories")).await;
    assert_eq!(list.json(), serde_json::json!([]), "nothing was saved");
}

#[tokio::test]
async fn a_request_from_another_origin_is_refused_even_with_the_token() {
    let f = fixture().await;
    let mut req = post_form(
        "/stories",
        &[("csrf", &f.csrf), ("title", "t"), ("body", ANSWER)],
    );
    req.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&f.router, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_story_saved_with_the_token_keeps_every_version_with_its_score() {
    let f = fixture().await;
    let first = [
        ("csrf", f.csrf.as_str()),
        ("title", "Halted the launch"),
        ("tags", "launch, security"),
        ("question", ""),
        ("body", "We shipped it fast and it was fine."),
    ];
    let a = send(&f.router, post_form("/stories", &first)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.headers[header::LOCATION], "/stories/1");
    let second = [
        ("csrf", f.csrf.as_str()),
        ("title", "Halted the launch"),
        ("tags", "launch, security"),
        ("question", ""),
        ("body", ANSWER),
    ];
    let a = send(&f.router, post_form("/stories/1", &second)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let story = send(&f.router, get("/api/stories/1")).await.json();
    assert_eq!(story["versions"].as_array().unwrap().len(), 2);
    assert_eq!(story["tags"], serde_json::json!(["launch", "security"]));
    let page = send(&f.router, get("/stories/1")).await;
    assert!(page.body.contains("Version history"));
    assert!(page.body.contains("Save as version 3"));
    let dashboard = send(&f.router, get("/")).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Competency heat map"));
    assert!(dashboard.body.contains("<svg"), "the trend chart is drawn");
    // The heat map shows each story's verdict.
    let verdict = story["versions"][1]["verdict"].as_str().unwrap();
    assert!(
        dashboard
            .body
            .contains(&format!("class=\"verdict v-{verdict}\">{verdict}</span>")),
        "{}",
        dashboard.body
    );
}

#[tokio::test]
async fn a_story_that_cannot_be_judged_is_not_saved_and_its_text_is_kept() {
    let f = fixture().await;
    let fields = [
        ("csrf", f.csrf.as_str()),
        ("title", "Empty one"),
        ("body", "   "),
    ];
    let a = send(&f.router, post_form("/stories", &fields)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("Not saved"));
    assert!(a.body.contains("value=\"Empty one\""));
}

#[tokio::test]
async fn a_script_in_a_story_is_shown_as_text() {
    let f = fixture().await;
    let evil = "<script>alert('pwned')</script>";
    let fields = [
        ("csrf", f.csrf.as_str()),
        ("title", evil),
        ("body", &format!("{ANSWER} {evil}")),
    ];
    assert_eq!(
        send(&f.router, post_form("/stories", &fields)).await.status,
        StatusCode::SEE_OTHER
    );
    let failure = [
        ("csrf", f.csrf.as_str()),
        ("mistake", evil),
        ("impact", evil),
        ("systemic_change", ""),
    ];
    assert_eq!(
        send(&f.router, post_form("/failures", &failure))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    for path in ["/stories", "/stories/1", "/", "/failures"] {
        let page = send(&f.router, get(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<script>alert"),
            "{path} runs the script"
        );
        assert!(
            page.body.contains("&lt;script&gt;"),
            "{path} hides the text"
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_and_a_clear_message() {
    let f = fixture().await;
    let big = "a ".repeat(600_000);
    // A body without a declared length is cut off as it is read.
    let a = send(
        &f.router,
        post_json("/api/check", &serde_json::json!({ "text": big })),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.json()["error"].as_str().unwrap().contains("1 MiB"));
    // A declared length over the limit is refused before reading.
    let mut req = post_json("/api/check", &serde_json::json!({ "text": big }));
    let len = serde_json::json!({ "text": big }).to_string().len();
    req.headers_mut()
        .insert(header::CONTENT_LENGTH, len.to_string().parse().unwrap());
    let a = send(&f.router, req).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.json()["error"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let f = fixture().await;
    for path in [
        "/",
        "/stories/new",
        "/api/health",
        "/assets/editor.js",
        "/nope",
    ] {
        let a = send(&f.router, get(path)).await;
        let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(a.headers[header::REFERRER_POLICY], "same-origin");
        let cache = &a.headers[header::CACHE_CONTROL];
        if path.starts_with("/assets/") {
            assert_eq!(cache, "no-cache", "{path}");
        } else {
            assert_eq!(cache, "no-store", "{path}: pages may hold stories");
        }
    }
    let story = send(&f.router, get("/stories/1")).await;
    assert_eq!(story.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn pages_load_script_only_from_files() {
    let f = fixture().await;
    let page = send(&f.router, get("/stories/new")).await;
    assert!(page.body.contains("<script src=\"/assets/editor.js\""));
    assert!(!page.body.contains("<script>"), "no inline script");
    assert!(page.body.contains(&format!("content=\"{}\"", f.csrf)));
    assert!(page.body.contains("<label for=\"story-body\""));
}

#[tokio::test]
async fn the_report_downloads_as_self_contained_html_and_as_markdown() {
    let f = fixture().await;
    let evil = "<script>alert('pwned')</script> | pipes";
    let fields = [("csrf", f.csrf.as_str()), ("title", evil), ("body", ANSWER)];
    assert_eq!(
        send(&f.router, post_form("/stories", &fields)).await.status,
        StatusCode::SEE_OTHER
    );
    let page = send(&f.router, get("/report")).await;
    assert!(page.body.contains("/report/debrief-report.html"));
    let html = send(&f.router, get("/report/debrief-report.html")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("attachment; filename=\"debrief-report.html\""));
    assert!(html.body.contains("<style>"), "styles are inline");
    assert!(html.body.contains("<svg"), "the trend is an SVG chart");
    assert!(!html.body.contains("<link") && !html.body.contains("src="));
    assert!(!html.body.contains("<script>alert"));
    assert!(html.body.contains("&lt;script&gt;"));
    let md = send(&f.router, get("/report/debrief-report.md")).await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.body.starts_with("# Interview preparation report"));
    assert!(md.body.contains("\\| pipes"), "a pipe cannot break a table");
    assert_eq!(
        send(&f.router, get("/report/other.txt")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_flashcard_is_shown_and_a_review_with_the_token_schedules_it() {
    let f = fixture().await;
    let page = send(&f.router, get("/cards")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("0 cards reviewed"));
    let dashboard = send(&f.router, get("/")).await;
    assert!(
        dashboard
            .body
            .contains("<strong>20</strong> new, <strong>0</strong> due"),
        "{}",
        dashboard.body
    );
    let pack = builtin::pack().unwrap();
    let first = pack.cards().next().unwrap().id.clone();
    assert!(page.body.contains(&format!("value=\"{first}\"")));
    let no_token = [("card", first.as_str()), ("rating", "3")];
    assert_eq!(
        send(&f.router, post_form("/cards/review", &no_token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let rated = [("csrf", f.csrf.as_str()), ("card", &first), ("rating", "3")];
    let a = send(&f.router, post_form("/cards/review", &rated)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&f.router, get("/cards")).await;
    assert!(page.body.contains("1 card reviewed"));
    // The dashboard counts the same queue: one of the day's twenty new cards is used.
    let dashboard = send(&f.router, get("/")).await;
    assert!(
        dashboard
            .body
            .contains("<strong>19</strong> new, <strong>0</strong> due"),
        "{}",
        dashboard.body
    );
    assert!(
        !page.body.contains(&format!("value=\"{first}\"")),
        "rated good, it waits"
    );
    // The deck picker starts with the checklist's decks; a deck can be reviewed alone, and a
    // rating there comes back to it.
    let page = send(&f.router, get("/cards")).await;
    let order: Vec<usize> = [
        "?deck=dns\"",
        "?deck=cdn\"",
        "?deck=ddos\"",
        "?deck=zero-trust\"",
    ]
    .iter()
    .map(|d| {
        page.body
            .find(d)
            .unwrap_or_else(|| panic!("{d} in the picker"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let other = page
        .body
        .find("?deck=http\"")
        .expect("the other decks follow");
    assert!(order[3] < other);
    let dns = send(&f.router, get("/cards?deck=dns")).await;
    let dns_card = pack.deck("dns").unwrap().cards[0].id.clone();
    assert!(
        dns.body.contains(&format!("value=\"{dns_card}\"")),
        "{}",
        dns.body
    );
    let rated = [
        ("csrf", f.csrf.as_str()),
        ("card", &dns_card),
        ("rating", "3"),
        ("deck", "dns"),
    ];
    let a = send(&f.router, post_form("/cards/review", &rated)).await;
    let back = a.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(back.starts_with("/cards?deck=dns&undo="), "{back}");
    // The page after a rating offers to undo it; undoing brings the card back.
    let offered = send(&f.router, get(&back)).await;
    assert!(
        offered.body.contains("Undo the last rating"),
        "{}",
        offered.body
    );
    assert!(!offered.body.contains(&format!("value=\"{dns_card}\"")));
    let review = back.rsplit('=').next().unwrap().to_string();
    let undo = [
        ("csrf", f.csrf.as_str()),
        ("review", review.as_str()),
        ("deck", "dns"),
    ];
    let undone = send(&f.router, post_form("/cards/undo", &undo)).await;
    assert_eq!(undone.headers[header::LOCATION], "/cards?deck=dns");
    let again = send(&f.router, get("/cards?deck=dns")).await;
    assert!(
        again.body.contains(&format!("value=\"{dns_card}\"")),
        "the card is back"
    );
    assert_eq!(
        send(&f.router, post_form("/cards/undo", &undo))
            .await
            .status,
        StatusCode::CONFLICT,
        "undone once"
    );
    assert_eq!(
        send(&f.router, get("/cards?deck=nope")).await.status,
        StatusCode::NOT_FOUND
    );
    let bad = [("csrf", f.csrf.as_str()), ("card", &first), ("rating", "9")];
    assert_eq!(
        send(&f.router, post_form("/cards/review", &bad))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_mock_interview_is_started_timed_by_the_server_and_judged_as_one() {
    let f = fixture().await;
    let page = send(&f.router, get("/mock")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !page.body.contains("id=\"countdown\""),
        "no countdown before the start"
    );
    assert!(page.body.contains("Start the interview"));
    let pack = builtin::pack().unwrap();
    let q = &pack.questions[0];
    let asked = send(&f.router, get(&format!("/mock?question={}", q.id))).await;
    assert!(
        asked.body.contains("value=\"3\" selected"),
        "3 minutes by default"
    );
    let no_token = [("question", q.id.as_str())];
    assert_eq!(
        send(&f.router, post_form("/mock", &no_token)).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = [
        ("csrf", f.csrf.as_str()),
        ("question", q.id.as_str()),
        ("minutes", "0"),
    ];
    assert_eq!(
        send(&f.router, post_form("/mock", &bad)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let start = [("csrf", f.csrf.as_str()), ("question", q.id.as_str())];
    let started = send(&f.router, post_form("/mock", &start)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let at = started.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let running = send(&f.router, get(&at)).await;
    assert_eq!(running.status, StatusCode::OK, "{}", running.body);
    assert!(
        running
            .body
            .contains("id=\"countdown\" data-seconds=\"180\"")
            || running.body.contains("data-seconds=\"179\""),
        "{}",
        running.body
    );
    assert!(
        running.body.contains("data-draft=\""),
        "the answer box keeps a draft"
    );

    // An empty answer is refused with the countdown still running and nothing saved.
    let empty = [("csrf", f.csrf.as_str()), ("step", "0"), ("answer", " ")];
    let refused = send(&f.router, post_form(&format!("{at}/answer"), &empty)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("empty"));

    // The answer is saved once and the page redirects; the same form again saves nothing.
    let fields = [("csrf", f.csrf.as_str()), ("step", "0"), ("answer", ANSWER)];
    let saved = send(&f.router, post_form(&format!("{at}/answer"), &fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let again = send(&f.router, post_form(&format!("{at}/answer"), &fields)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let debrief = send(&f.router, get(&at)).await;
    assert_eq!(debrief.status, StatusCode::OK, "{}", debrief.body);
    let top = debrief
        .body
        .find("<h1>Debrief</h1>")
        .expect("the debrief leads");
    let follow_at = debrief
        .body
        .find("Start the follow-up")
        .expect("a follow-up waits");
    assert!(top < follow_at);
    assert!(
        !debrief.body.contains("id=\"countdown\""),
        "its timer waits for its start"
    );
    assert!(debrief.body.contains("/100"));

    // The follow-up's countdown starts when the candidate starts it.
    let next = [("csrf", f.csrf.as_str()), ("step", "1")];
    assert_eq!(
        send(&f.router, post_form(&format!("{at}/next"), &next))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let follow_page = send(&f.router, get(&at)).await;
    assert!(follow_page.body.contains("id=\"countdown\""));
    assert!(follow_page.body.contains("Follow-up 1 of"));
    assert!(
        !follow_page.body.contains(&format!(">{}</h2>", q.text)),
        "never the question again"
    );
    let follow = [
        ("csrf", f.csrf.as_str()),
        ("step", "1"),
        (
            "answer",
            "We measured the error rate for 3 days before we turned the rule on.",
        ),
    ];
    send(&f.router, post_form(&format!("{at}/answer"), &follow)).await;
    // Any follow-up left is skipped: the interview ends with one verdict.
    let end = [("csrf", f.csrf.as_str())];
    send(&f.router, post_form(&format!("{at}/finish"), &end)).await;
    let over = send(&f.router, get(&at)).await;
    assert_eq!(over.status, StatusCode::OK, "{}", over.body);
    assert!(
        over.body.contains("The interview&#x27;s verdict")
            || over.body.contains("The interview's verdict"),
        "{}",
        over.body
    );
    assert!(over.body.contains("judged as one"));
    assert!(over.body.contains("What a strong answer does"));
    assert!(
        over.body.contains("A worked strong answer"),
        "the pack's worked answers"
    );
    assert!(over.body.contains("Scores by competency"));

    // History: two attempts saved, once each, under one interview with its verdict.
    let history = send(&f.router, get("/history")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains(&format!("Mock interview: {}", q.id)),
        "{}",
        history.body
    );
    assert!(history.body.contains("and 1 follow-up"), "{}", history.body);
    assert!(
        history.body.contains("The whole interview:"),
        "{}",
        history.body
    );
    assert!(
        history.body.contains("not counted"),
        "a short answer: {}",
        history.body
    );
    assert_eq!(
        send(&f.router, get("/mock/999999")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_explanation_is_judged_for_a_non_technical_listener_and_saved() {
    let f = fixture().await;
    let pack = builtin::pack().unwrap();
    let topic = &pack.topics[0];
    let page = send(&f.router, get(&format!("/explain?topic={}", topic.id))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"countdown\""));
    let started = debrief_store::date::now().to_string();
    let form = page
        .body
        .split("name=\"form\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form has its own id")
        .to_string();
    // The server times the explanation from when it served the page: a form that claims to
    // have started at the epoch changes nothing.
    let fields = [
        ("csrf", f.csrf.as_str()),
        ("topic", topic.id.as_str()),
        ("text", topic.strong_sample.as_str()),
        ("started", "0"),
        ("form", &form),
    ];
    // Saved, then shown at its own address (a refresh there saves nothing); the same form sent
    // again lands on the same explanation.
    let saved = send(&f.router, post_form("/explain", &fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let at = saved.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let twice = send(&f.router, post_form("/explain", &fields)).await;
    assert_eq!(twice.headers[header::LOCATION].to_str().unwrap(), at);
    let result = send(&f.router, get(&at)).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    assert!(
        result.body.contains("Typed in 0:0"),
        "timed by the server: {}",
        result.body
    );
    assert!(result.body.contains("/100"));
    assert!(result.body.contains("Key ideas"));
    assert!(result.body.contains("Passes with:"));
    let weak = [
        ("csrf", f.csrf.as_str()),
        ("topic", topic.id.as_str()),
        ("text", topic.weak_sample.as_str()),
        ("started", &started),
    ];
    let saved = send(&f.router, post_form("/explain", &weak)).await;
    let weak_at = saved.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(weak_at, at, "a form without its id is a new explanation");
    let result = send(&f.router, get(&weak_at)).await;
    assert!(result.body.contains("not passed"), "{}", result.body);
    // A retry starts from the last text.
    let id = weak_at.rsplit('/').next().unwrap();
    let retry = send(
        &f.router,
        get(&format!("/explain?topic={}&from={id}", topic.id)),
    )
    .await;
    let first_words: String = topic.weak_sample.chars().take(20).collect();
    assert!(
        retry.body.contains(&first_words.replace('\'', "&#x27;")),
        "{}",
        retry.body
    );
    let history = send(&f.router, get("/history")).await;
    assert_eq!(history.body.matches("Explanation: ").count(), 2);
    assert_eq!(
        send(&f.router, get("/explain/424242")).await.status,
        StatusCode::NOT_FOUND
    );
    let no_token = [
        ("topic", topic.id.as_str()),
        ("text", "x"),
        ("started", "0"),
    ];
    assert_eq!(
        send(&f.router, post_form("/explain", &no_token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let next = send(&f.router, get("/explain")).await;
    assert_eq!(next.status, StatusCode::OK);
}

#[tokio::test]
async fn the_json_api_saves_stories_only_with_the_token_in_the_header() {
    let f = fixture().await;
    let story = serde_json::json!({ "title": "Halted the launch", "tags": ["launch"], "question": null, "text": ANSWER });
    let without = send(&f.router, post_json("/api/stories", &story)).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert!(without.json()["error"]
        .as_str()
        .unwrap()
        .contains("X-CSRF-Token"));
    let mut with = post_json("/api/stories", &story);
    with.headers_mut()
        .insert(CSRF_HEADER, f.csrf.parse().unwrap());
    let created = send(&f.router, with).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let saved = created.json();
    assert_eq!(
        (saved["id"].as_i64(), saved["version"].as_i64()),
        (Some(1), Some(1))
    );
    let mut again = post_json("/api/stories/1/versions", &story);
    again
        .headers_mut()
        .insert(CSRF_HEADER, f.csrf.parse().unwrap());
    let second = send(&f.router, again).await;
    assert_eq!(
        second.status,
        StatusCode::OK,
        "the same text is no new version"
    );
    assert_eq!(second.json()["version"], 1);
    let changed = serde_json::json!({ "title": "Halted the launch", "tags": ["launch"], "question": null, "text": format!("{ANSWER} The VP agreed.") });
    let mut third = post_json("/api/stories/1/versions", &changed);
    third
        .headers_mut()
        .insert(CSRF_HEADER, f.csrf.parse().unwrap());
    let third = send(&f.router, third).await;
    assert_eq!(third.status, StatusCode::CREATED);
    assert_eq!(third.json()["version"], 2);
    let mut missing = post_json("/api/stories/99/versions", &story);
    missing
        .headers_mut()
        .insert(CSRF_HEADER, f.csrf.parse().unwrap());
    assert_eq!(send(&f.router, missing).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_interview_date_is_set_from_the_dashboard_and_a_bad_one_is_refused() {
    let f = fixture().await;
    let no_token = [("date", "2099-01-01")];
    assert_eq!(
        send(&f.router, post_form("/interview-date", &no_token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad = [("csrf", f.csrf.as_str()), ("date", "next week")];
    let a = send(&f.router, post_form("/interview-date", &bad)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.body.contains("&quot;next week&quot; is not a date"),
        "{}",
        a.body
    );
    let good = [("csrf", f.csrf.as_str()), ("date", "2099-01-01")];
    let a = send(&f.router, post_form("/interview-date", &good)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.headers[header::LOCATION], "/");
    let cleared = [("csrf", f.csrf.as_str()), ("date", "")];
    let a = send(&f.router, post_form("/interview-date", &cleared)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
}

#[tokio::test]
async fn the_question_bank_filters_and_starts_a_mock_from_any_question() {
    let f = fixture().await;
    let pack = builtin::pack().unwrap();
    let all = send(&f.router, get("/questions")).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.body.matches("Practise it as a mock interview").count(),
        pack.questions.len()
    );
    assert!(all.body.contains("A worked strong answer"));
    let theme = "zero-day";
    let want = pack
        .questions
        .iter()
        .filter(|q| q.themes.iter().any(|t| t == theme))
        .count();
    assert!(want > 0 && want < pack.questions.len());
    let some = send(&f.router, get(&format!("/questions?theme={theme}"))).await;
    assert_eq!(
        some.body.matches("Practise it as a mock interview").count(),
        want
    );
    let both = send(
        &f.router,
        get("/questions?theme=zero-day&competency=crisis-containment"),
    )
    .await;
    let n = pack
        .questions
        .iter()
        .filter(|q| q.themes.iter().any(|t| t == theme))
        .filter(|q| q.targets.iter().any(|t| t == "crisis-containment"))
        .count();
    assert_eq!(
        both.body.matches("Practise it as a mock interview").count(),
        n
    );
    let q = &pack.questions[5];
    assert!(all
        .body
        .contains(&format!("href=\"/mock?question={}\"", q.id)));
    let ready = send(&f.router, get(&format!("/mock?question={}", q.id))).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(ready
        .body
        .contains(&format!("name=\"question\" value=\"{}\"", q.id)));
    assert_eq!(
        send(&f.router, get("/questions?theme=nope")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn every_error_is_json_under_api_and_the_error_page_elsewhere_without_type_names() {
    let f = fixture().await;
    let json_error = |a: &Answer| {
        assert!(
            a.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{}",
            a.body
        );
        a.json()["error"].as_str().unwrap().to_string()
    };
    let html_error = |a: &Answer| {
        assert!(
            a.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{}",
            a.body
        );
        assert!(a.body.contains("Something went wrong"), "{}", a.body);
        a.body.clone()
    };
    let no_types = |text: &str| {
        for word in ["i64", "deserialize", "Deserialize", "`", "serde", "axum"] {
            assert!(!text.contains(word), "{word} in {text}");
        }
    };
    let a = send(&f.router, get("/api/nope")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    no_types(&json_error(&a));
    let a = send(&f.router, get("/nope")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    no_types(&html_error(&a));
    let a = send(&f.router, get("/mock/abc")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    no_types(&html_error(&a));
    let a = send(&f.router, get("/api/stories/abc")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    no_types(&json_error(&a));
    let a = send(&f.router, get("/api/check")).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(a.headers.contains_key(header::ALLOW));
    no_types(&json_error(&a));
    // A form missing a field: our words on the error page.
    let a = send(
        &f.router,
        post_form("/mock/1/answer", &[("csrf", f.csrf.as_str())]),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_types(&html_error(&a));
    // A refusal of the guards keeps its own words, on the error page.
    let a = send(&f.router, post_form("/stories", &[("title", "x")])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(html_error(&a).contains("CSRF token is missing"));
}

#[tokio::test]
async fn stories_and_failure_entries_are_edited_deleted_and_old_versions_opened() {
    let f = fixture().await;
    let story = [
        ("csrf", f.csrf.as_str()),
        ("title", "Halted the launch"),
        ("tags", ""),
        ("question", ""),
        ("body", ANSWER),
    ];
    let created = send(&f.router, post_form("/stories", &story)).await;
    let at = created.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let changed = format!("{ANSWER} The VP agreed to the new date.");
    let second = [
        ("csrf", f.csrf.as_str()),
        ("title", "Halted the launch"),
        ("tags", ""),
        ("question", ""),
        ("body", changed.as_str()),
    ];
    send(&f.router, post_form(&at, &second)).await;
    let page = send(&f.router, get(&at)).await;
    assert!(
        page.body.contains(&format!("href=\"{at}/versions/1\"")),
        "{}",
        page.body
    );
    // The first version, as saved and judged.
    let old = send(&f.router, get(&format!("{at}/versions/1"))).await;
    assert_eq!(old.status, StatusCode::OK, "{}", old.body);
    assert!(old.body.contains("version 1 of 2"));
    assert!(old.body.contains("<mark class=\"sev-"), "{}", old.body);
    assert!(!old.body.contains("The VP agreed to the new date."));
    assert_eq!(
        send(&f.router, get(&format!("{at}/versions/9")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Deleting asks first, then removes the story and its versions.
    let ask = send(&f.router, get(&format!("{at}/delete"))).await;
    assert!(ask.body.contains("with its 2 versions"), "{}", ask.body);
    let gone = send(
        &f.router,
        post_form(&format!("{at}/delete"), &[("csrf", f.csrf.as_str())]),
    )
    .await;
    assert_eq!(gone.headers[header::LOCATION], "/stories");
    assert_eq!(
        send(&f.router, get(&at)).await.status,
        StatusCode::NOT_FOUND
    );

    // A failure entry: added, edited, deleted.
    let entry = [
        ("csrf", f.csrf.as_str()),
        ("mistake", "Shipped a DNS change on a Friday"),
        ("impact", "12 minutes of errors for 3% of zones"),
        ("systemic_change", ""),
    ];
    send(&f.router, post_form("/failures", &entry)).await;
    let list = send(&f.router, get("/failures")).await;
    assert!(list.body.contains("href=\"/failures/1\""), "{}", list.body);
    let form = send(&f.router, get("/failures/1")).await;
    assert!(form.body.contains("Shipped a DNS change on a Friday"));
    let edited = [
        ("csrf", f.csrf.as_str()),
        ("mistake", "Shipped a DNS change on a Friday"),
        ("impact", "12 minutes of errors for 3% of zones"),
        ("systemic_change", "Friday freeze with a paged override"),
    ];
    let saved = send(&f.router, post_form("/failures/1", &edited)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(send(&f.router, get("/failures"))
        .await
        .body
        .contains("Friday freeze"));
    let empty = [
        ("csrf", f.csrf.as_str()),
        ("mistake", " "),
        ("impact", "x"),
        ("systemic_change", ""),
    ];
    let refused = send(&f.router, post_form("/failures/1", &empty)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        send(&f.router, get("/failures"))
            .await
            .body
            .contains("Friday freeze"),
        "kept"
    );
    send(
        &f.router,
        post_form("/failures/1/delete", &[("csrf", f.csrf.as_str())]),
    )
    .await;
    assert!(!send(&f.router, get("/failures"))
        .await
        .body
        .contains("Friday freeze"));
    assert_eq!(
        send(&f.router, get("/failures/1")).await.status,
        StatusCode::NOT_FOUND
    );
}

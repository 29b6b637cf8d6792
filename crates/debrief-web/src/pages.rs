//! The HTML pages: dashboard, story bank with the live editor and version history, question
//! bank and failure resume. Templates escape every value (auto-escape on `.html`); forms post
//! back with the CSRF token and redirect, so the pages work without script too.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_store::{date, NewFailure, StoryMeta, INTERVIEW_DATE};
use minijinja::value::Serde;
use minijinja::{context, Environment, Value};
use serde::{Deserialize, Serialize};

use crate::report::{HeatMap, Report, ReportFormat};
use crate::{chart, App, Ctx};

/// How many days the score trend covers.
const TREND_DAYS: i64 = 60;

pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../templates/base.html")),
        (
            "dashboard.html",
            include_str!("../templates/dashboard.html"),
        ),
        ("stories.html", include_str!("../templates/stories.html")),
        ("story.html", include_str!("../templates/story.html")),
        (
            "questions.html",
            include_str!("../templates/questions.html"),
        ),
        ("failures.html", include_str!("../templates/failures.html")),
        (
            "failure_edit.html",
            include_str!("../templates/failure_edit.html"),
        ),
        ("confirm.html", include_str!("../templates/confirm.html")),
        (
            "failure_fields.html",
            include_str!("../templates/failure_fields.html"),
        ),
        (
            "story_version.html",
            include_str!("../templates/story_version.html"),
        ),
        ("history.html", include_str!("../templates/history.html")),
        ("error.html", include_str!("../templates/error.html")),
        ("login.html", include_str!("../templates/login.html")),
        (
            "login_code.html",
            include_str!("../templates/login_code.html"),
        ),
        (
            "second_factor.html",
            include_str!("../templates/second_factor.html"),
        ),
        ("invite.html", include_str!("../templates/invite.html")),
        ("account.html", include_str!("../templates/account.html")),
        ("coach.html", include_str!("../templates/coach.html")),
        (
            "coach_candidate.html",
            include_str!("../templates/coach_candidate.html"),
        ),
        (
            "coach_story.html",
            include_str!("../templates/coach_story.html"),
        ),
        ("admin.html", include_str!("../templates/admin.html")),
        ("cards.html", include_str!("../templates/cards.html")),
        ("mock.html", include_str!("../templates/mock.html")),
        ("voice.html", include_str!("../templates/voice.html")),
        ("explain.html", include_str!("../templates/explain.html")),
        (
            "explain_result.html",
            include_str!("../templates/explain_result.html"),
        ),
        (
            "mock_debrief.html",
            include_str!("../templates/mock_debrief.html"),
        ),
        (
            "report_page.html",
            include_str!("../templates/report_page.html"),
        ),
        ("report.html", include_str!("../templates/report.html")),
        ("report.md", include_str!("../templates/report.md")),
    ] {
        env.add_template(name, source)
            .expect("the embedded templates parse");
    }
    env.add_filter("day", |unix: i64| date::format_day(date::day_of(unix)));
    // Text in a Markdown table cell or list item: one line, no column breaks, and no HTML: a
    // Markdown viewer renders raw HTML, so the candidate's `<` and `&` are escaped.
    env.add_filter("cell", |text: String| {
        escape_md(&text)
            .replace(['\r', '\n'], " ")
            .replace('|', "\\|")
    });
    // A user's text as a Markdown block quote, HTML escaped.
    env.add_filter("quote", |text: String| {
        escape_md(text.trim_end())
            .lines()
            .map(|l| format!("> {l}").trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    });
    // Seconds as m:ss.
    env.add_filter("clock", |seconds: i64| {
        format!("{}:{:02}", seconds / 60, seconds % 60)
    });
    // A score out of 100 as a bar of twenty blocks.
    env.add_filter("bar", |score: f64| {
        "█".repeat((score.clamp(0.0, 100.0) / 5.0).round() as usize)
    });
    env
}

/// Text with the characters that start HTML in Markdown escaped.
fn escape_md(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(dashboard))
        .route("/interview-date", post(set_interview_date))
        .route("/stories", get(stories).post(create_story))
        .route("/stories/new", get(new_story))
        .route("/stories/{id}", get(story).post(save_version))
        .route("/stories/{id}/versions/{version}", get(old_version))
        .route(
            "/stories/{id}/delete",
            get(confirm_story_delete).post(delete_story),
        )
        .route("/questions", get(questions))
        .route("/failures", get(failures).post(add_failure))
        .route("/failures/{id}", get(edit_failure).post(update_failure))
        .route(
            "/failures/{id}/delete",
            get(confirm_failure_delete).post(delete_failure),
        )
        .route("/history", get(history))
        .route("/report", get(report_page))
        .route("/report/{file}", get(report_file))
}

/// Renders a template with the values every page needs.
pub(crate) fn render(app: &Ctx, name: &str, page: &str, ctx: Value) -> Response {
    render_status(app, StatusCode::OK, name, page, ctx)
}

pub(crate) fn render_status(
    app: &Ctx,
    status: StatusCode,
    name: &str,
    page: &str,
    ctx: Value,
) -> Response {
    let pack = &app.analyzer.pack().meta;
    let user = app.account.as_ref().map(|a| Value::from(Serde(a)));
    let ctx =
        context! { csrf => &app.csrf, page => page, pack_name => &pack.name, user => user, ..ctx };
    match app.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("the page {name} failed to render: {e}\n"),
        )
            .into_response(),
    }
}

pub(crate) fn error_page(app: &Ctx, status: StatusCode, message: &str) -> Response {
    render_status(
        app,
        status,
        "error.html",
        "",
        context! { status => status.as_u16(), message => message },
    )
}

pub(crate) fn store_failed(app: &Ctx, e: debrief_store::Error) -> Response {
    if app.cohort.is_some() {
        // A cohort server says nothing of its database to its users; the log has it.
        crate::account::log("database-error", &e.to_string());
        return error_page(
            app,
            StatusCode::SERVICE_UNAVAILABLE,
            "Something failed on our side; what you saved before is safe. Try again in a minute.",
        );
    }
    error_page(app, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
}

// ----- dashboard ---------------------------------------------------------------------------

async fn dashboard(app: Ctx) -> Response {
    dashboard_page(&app, StatusCode::OK, None).await
}

/// The interview date form: a day sets it, an empty field clears it.
#[derive(Deserialize)]
struct InterviewDateForm {
    date: String,
}

async fn set_interview_date(app: Ctx, Form(form): Form<InterviewDateForm>) -> Response {
    let value = form.date.trim();
    let saved = if value.is_empty() {
        app.store.unset_config(INTERVIEW_DATE).await.map(|_| ())
    } else if date::parse_day(value).is_none() {
        let why = format!("{value:?} is not a date: give the interview date as YYYY-MM-DD.");
        return dashboard_page(&app, StatusCode::UNPROCESSABLE_ENTITY, Some(&why)).await;
    } else {
        app.store.set_config(INTERVIEW_DATE, value).await
    };
    match saved {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => store_failed(&app, e),
    }
}

async fn dashboard_page(app: &Ctx, status: StatusCode, error: Option<&str>) -> Response {
    match progress_view(app).await {
        Ok(view) => render_status(
            app,
            status,
            "dashboard.html",
            "dashboard",
            context! { date_error => error, ..view },
        ),
        Err(res) => res,
    }
}

/// The values the dashboard shows of a candidate's progress (readiness, heat map, cards due,
/// score and delivery trends), read from `app`'s store; a coach's view of a candidate shows
/// the same.
pub(crate) async fn progress_view(app: &Ctx) -> Result<Value, Response> {
    let today = date::day_of(date::now());
    let readiness = match &app.readiness {
        Some(compute) => match compute(app.store.clone()).await {
            Ok(value) => Some(value),
            Err(e) => {
                return Err(error_page(
                    app,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &e.to_string(),
                ))
            }
        },
        None => None,
    };
    let evidence = app
        .store
        .story_evidence()
        .await
        .map_err(|e| store_failed(app, e))?;
    let days = app
        .store
        .scores_by_day()
        .await
        .map_err(|e| store_failed(app, e))?;
    let heat = HeatMap::new(app.analyzer.pack(), &evidence);
    let states = crate::cards::states(app)
        .await
        .map_err(|e| store_failed(app, e))?;
    let pack = app
        .store
        .with_user_decks(app.analyzer.pack())
        .await
        .map_err(|e| store_failed(app, e))?;
    let cards = crate::cards::today(&pack, &states, date::now());
    let hire = app.analyzer.hire_score();
    let trend = chart::score_trend(&days, today, TREND_DAYS, hire).map(Value::from_safe_string);
    let deliveries = app
        .store
        .deliveries()
        .await
        .map_err(|e| store_failed(app, e))?;
    let delivery_points =
        crate::delivery::trend_points(deliveries.iter().map(|(at, d)| (*at, Some(d))));
    let delivery_trend =
        chart::delivery_trend(&delivery_points, "delivery-trend").map(Value::from_safe_string);
    Ok(context! {
        readiness => Value::from(Serde(&readiness)),
        heat => Value::from(Serde(&heat)),
        cards_due => cards.due,
        cards_new => cards.new,
        trend => trend,
        trend_days => TREND_DAYS,
        hire => hire,
        delivery_trend => delivery_trend,
        delivery_points => Value::from(Serde(&delivery_points)),
    })
}

// ----- story bank --------------------------------------------------------------------------

async fn stories(app: Ctx) -> Response {
    match app.store.stories().await {
        Ok(list) => render(
            &app,
            "stories.html",
            "stories",
            context! { stories => Value::from(Serde(&list)) },
        ),
        Err(e) => store_failed(&app, e),
    }
}

/// What the editor shows: the story's fields and its text without front matter.
#[derive(Serialize, Default)]
struct Draft {
    title: String,
    tags: String,
    question: String,
    body: String,
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(default)]
    question: Option<String>,
}

fn question_choices(app: &App) -> Vec<Value> {
    app.analyzer
        .pack()
        .questions
        .iter()
        .map(|q| context! { id => &q.id, text => &q.text })
        .collect()
}

async fn new_story(app: Ctx, Query(q): Query<NewQuery>) -> Response {
    let draft = Draft {
        question: q.question.unwrap_or_default(),
        body: "Situation: \n\nTask: \n\nAction: \n\nResult: \n".to_string(),
        ..Draft::default()
    };
    editor(&app, StatusCode::OK, None, draft, None)
}

/// The editor page, for a new story (`id` none) or an existing one with its history.
fn editor(
    app: &Ctx,
    status: StatusCode,
    id: Option<i64>,
    draft: Draft,
    error: Option<String>,
) -> Response {
    render_status(
        app,
        status,
        "story.html",
        "stories",
        context! {
            id => id,
            draft => Value::from(Serde(&draft)),
            error => error,
            questions => question_choices(app),
            competencies => competency_names(app),
        },
    )
}

/// Each competency's name by its id.
pub(crate) fn competency_name_map(pack: &debrief_core::Pack) -> BTreeMap<&str, &str> {
    pack.competencies
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect()
}

/// The pack's competencies as (id, name), in its order, for the editor's live scores.
fn competency_names(app: &App) -> Vec<(String, String)> {
    app.analyzer
        .pack()
        .competencies
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect()
}

/// The form the editor posts.
#[derive(Deserialize)]
pub(crate) struct StoryForm {
    pub title: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub question: String,
    pub body: String,
}

impl StoryForm {
    fn into_draft(self) -> Draft {
        Draft {
            title: self.title,
            tags: self.tags,
            question: self.question,
            body: self.body,
        }
    }
}

/// The story as Markdown with front matter, the form the CLI reads and writes.
fn compose(meta: &StoryMeta, body: &str) -> String {
    format!(
        "---\ntitle: {}\ntags: [{}]\nquestions: [{}]\n---\n{}",
        meta.title,
        meta.tags.join(", "),
        meta.questions.join(", "),
        body
    )
}

/// Items of a comma-separated field, trimmed, without the characters front matter reserves.
fn items(text: &str) -> Vec<String> {
    text.split(',')
        .map(|t| {
            t.trim()
                .chars()
                .filter(|c| !matches!(c, '[' | ']' | '"' | '\'' | '\n' | '\r'))
                .collect::<String>()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Validates and judges a posted story; the error is a sentence for the editor.
pub(crate) fn judge_form(
    app: &Ctx,
    form: &StoryForm,
    previous_questions: &[String],
) -> Result<(StoryMeta, String, debrief_core::Judgment), String> {
    let title = form.title.replace(['\r', '\n'], " ").trim().to_string();
    if title.is_empty() {
        return Err("Give the story a title.".into());
    }
    let question = form.question.trim();
    let mut questions = Vec::new();
    if !question.is_empty() {
        if app.analyzer.pack().question(question).is_none() {
            return Err(format!("Unknown question {question:?}."));
        }
        questions.push(question.to_string());
    }
    // Keep the other questions a story answers (set from the CLI), after the chosen one.
    for q in previous_questions {
        if !questions.contains(q) && !question.is_empty() {
            questions.push(q.clone());
        }
    }
    let body = form.body.replace("\r\n", "\n");
    let meta = StoryMeta {
        title,
        tags: items(&form.tags),
        questions,
    };
    let markdown = compose(&meta, &body);
    let judgment = app
        .analyzer
        .check_markdown(&markdown, meta.questions.first().map(String::as_str))
        .map_err(|e| format!("Not saved: {e}."))?;
    Ok((meta, markdown, judgment))
}

async fn create_story(app: Ctx, Form(form): Form<StoryForm>) -> Response {
    let (meta, markdown, judgment) = match judge_form(&app, &form, &[]) {
        Ok(v) => v,
        Err(why) => {
            return editor(
                &app,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                form.into_draft(),
                Some(why),
            )
        }
    };
    match app.store.add_story(&meta, &markdown, &judgment).await {
        Ok(id) => Redirect::to(&format!("/stories/{id}")).into_response(),
        Err(e) => store_failed(&app, e),
    }
}

/// One row of a story's history.
#[derive(Serialize)]
struct VersionRow {
    version: i64,
    created: i64,
    score: i64,
    change: Option<i64>,
    verdict: String,
}

async fn story(app: Ctx, Path(id): Path<i64>) -> Response {
    let story = match app.store.story(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => return store_failed(&app, e),
    };
    let Some(latest) = story.latest() else {
        return error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}."));
    };
    let extras = match crate::account::story_extras(&app, id).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let body = &latest.markdown[debrief_core::markdown::body_start(&latest.markdown)..];
    let draft = Draft {
        title: story.meta.title.clone(),
        tags: story.meta.tags.join(", "),
        question: story.meta.questions.first().cloned().unwrap_or_default(),
        body: body.to_string(),
    };
    let mut previous = None;
    let history: Vec<VersionRow> = story
        .versions
        .iter()
        .map(|v| {
            let row = VersionRow {
                version: v.version,
                created: v.created,
                score: v.score,
                change: previous.map(|p| v.score - p),
                verdict: v.verdict.clone(),
            };
            previous = Some(v.score);
            row
        })
        .collect();
    render(
        &app,
        "story.html",
        "stories",
        context! {
            id => id,
            draft => Value::from(Serde(&draft)),
            history => Value::from(Serde(&history)),
            questions => question_choices(&app),
            competencies => competency_names(&app),
            saved => story.versions.len(),
            cohort => extras,
        },
    )
}

async fn save_version(app: Ctx, Path(id): Path<i64>, Form(form): Form<StoryForm>) -> Response {
    let previous = match app.store.story(id).await {
        Ok(Some(s)) => s.meta.questions,
        Ok(None) => return error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => return store_failed(&app, e),
    };
    let (meta, markdown, judgment) = match judge_form(&app, &form, &previous) {
        Ok(v) => v,
        Err(why) => {
            return editor(
                &app,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                form.into_draft(),
                Some(why),
            )
        }
    };
    match app.store.add_version(id, &meta, &markdown, &judgment).await {
        Ok(Some(_)) => Redirect::to(&format!("/stories/{id}")).into_response(),
        Ok(None) => error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => store_failed(&app, e),
    }
}

// ----- question bank and failure resume ----------------------------------------------------

/// The question bank's filters: a competency the question targets, a theme.
#[derive(Deserialize)]
struct QuestionFilter {
    #[serde(default)]
    competency: String,
    #[serde(default)]
    theme: String,
}

async fn questions(app: Ctx, Query(filter): Query<QuestionFilter>) -> Response {
    let pack = app.analyzer.pack();
    let names = competency_name_map(pack);
    let themes = pack.themes();
    let competency = filter.competency.trim();
    let theme = filter.theme.trim();
    if (!competency.is_empty() && !names.contains_key(competency))
        || (!theme.is_empty() && !themes.contains(&theme))
    {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            "No such competency or theme in this pack.",
        );
    }
    let list: Vec<Value> = pack
        .questions_for(
            Some(competency).filter(|c| !c.is_empty()),
            Some(theme).filter(|t| !t.is_empty()),
        )
        .into_iter()
        .map(|q| {
            let targets: Vec<&str> = q
                .targets
                .iter()
                .map(|t| names.get(t.as_str()).copied().unwrap_or(t.as_str()))
                .collect();
            context! {
                id => &q.id,
                text => &q.text,
                themes => Value::from(Serde(&q.themes)),
                also_asked => Value::from(Serde(&q.also_asked)),
                targets => Value::from(Serde(&targets)),
                strong => &q.strong,
                worked => q.worked.as_ref().map(|w| context! {
                    strong => &w.strong, weak => &w.weak, weak_why => &w.weak_why,
                }),
            }
        })
        .collect();
    render(
        &app,
        "questions.html",
        "questions",
        context! {
            questions => list,
            competencies => Value::from(Serde(&names)),
            themes => Value::from(Serde(&themes)),
            competency => competency,
            theme => theme,
            total => pack.questions.len(),
        },
    )
}

async fn failures(app: Ctx) -> Response {
    failures_page(&app, StatusCode::OK, NewFailure::default(), None).await
}

async fn failures_page(
    app: &Ctx,
    status: StatusCode,
    draft: NewFailure,
    error: Option<&str>,
) -> Response {
    match app.store.failures().await {
        Ok(list) => render_status(
            app,
            status,
            "failures.html",
            "failures",
            context! { failures => Value::from(Serde(&list)), draft => Value::from(Serde(&draft)), error => error },
        ),
        Err(e) => store_failed(app, e),
    }
}

async fn add_failure(app: Ctx, Form(entry): Form<NewFailure>) -> Response {
    let entry = NewFailure {
        mistake: entry.mistake.trim().to_string(),
        impact: entry.impact.trim().to_string(),
        systemic_change: entry.systemic_change.trim().to_string(),
    };
    if entry.mistake.is_empty() || entry.impact.is_empty() {
        let why = "Say what the mistake was and what it cost.";
        return failures_page(&app, StatusCode::UNPROCESSABLE_ENTITY, entry, Some(why)).await;
    }
    match app.store.add_failure(&entry).await {
        Ok(_) => Redirect::to("/failures").into_response(),
        Err(e) => store_failed(&app, e),
    }
}

/// The failure entry's edit form.
async fn edit_failure(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.failure(id).await {
        Ok(Some(f)) => failure_form(&app, StatusCode::OK, id, &f.entry, None),
        Ok(None) => error_page(
            &app,
            StatusCode::NOT_FOUND,
            &format!("No failure entry {id}."),
        ),
        Err(e) => store_failed(&app, e),
    }
}

fn failure_form(
    app: &Ctx,
    status: StatusCode,
    id: i64,
    draft: &NewFailure,
    error: Option<&str>,
) -> Response {
    render_status(
        app,
        status,
        "failure_edit.html",
        "failures",
        context! { id => id, draft => Value::from(Serde(draft)), error => error },
    )
}

async fn update_failure(app: Ctx, Path(id): Path<i64>, Form(entry): Form<NewFailure>) -> Response {
    let entry = NewFailure {
        mistake: entry.mistake.trim().to_string(),
        impact: entry.impact.trim().to_string(),
        systemic_change: entry.systemic_change.trim().to_string(),
    };
    if entry.mistake.is_empty() || entry.impact.is_empty() {
        let why = "Say what the mistake was and what it cost.";
        return failure_form(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            id,
            &entry,
            Some(why),
        );
    }
    match app.store.update_failure(id, &entry).await {
        Ok(true) => Redirect::to("/failures").into_response(),
        Ok(false) => error_page(
            &app,
            StatusCode::NOT_FOUND,
            &format!("No failure entry {id}."),
        ),
        Err(e) => store_failed(&app, e),
    }
}

/// A page that asks before something is deleted: what goes, the button that does it, and the
/// way back.
fn confirm(app: &Ctx, page: &str, what: &str, action: &str, back: &str) -> Response {
    render(
        app,
        "confirm.html",
        page,
        context! { what => what, action => action, back => back },
    )
}

async fn confirm_failure_delete(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.failure(id).await {
        Ok(Some(f)) => confirm(
            &app,
            "failures",
            &format!("the failure entry \u{201c}{}\u{201d}", f.entry.mistake),
            &format!("/failures/{id}/delete"),
            "/failures",
        ),
        Ok(None) => error_page(
            &app,
            StatusCode::NOT_FOUND,
            &format!("No failure entry {id}."),
        ),
        Err(e) => store_failed(&app, e),
    }
}

async fn delete_failure(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.remove_failure(id).await {
        // Gone already (a second click): the list is where the candidate wanted to be.
        Ok(_) => Redirect::to("/failures").into_response(),
        Err(e) => store_failed(&app, e),
    }
}

async fn confirm_story_delete(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.story(id).await {
        Ok(Some(s)) => confirm(
            &app,
            "stories",
            &format!(
                "story {id}, \u{201c}{}\u{201d}, with its {} version{}",
                s.meta.title,
                s.versions.len(),
                if s.versions.len() == 1 { "" } else { "s" }
            ),
            &format!("/stories/{id}/delete"),
            &format!("/stories/{id}"),
        ),
        Ok(None) => error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => store_failed(&app, e),
    }
}

async fn delete_story(app: Ctx, Path(id): Path<i64>) -> Response {
    match app.store.remove_story(id).await {
        Ok(_) => Redirect::to("/stories").into_response(),
        Err(e) => store_failed(&app, e),
    }
}

/// An old version of a story as it was saved and judged, read only.
async fn old_version(app: Ctx, Path((id, version)): Path<(i64, i64)>) -> Response {
    let story = match app.store.story(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => return store_failed(&app, e),
    };
    let Some(v) = story.versions.iter().find(|v| v.version == version) else {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            &format!("Story {id} has no version {version}."),
        );
    };
    let findings: Vec<serde_json::Value> = v
        .judgment
        .get("findings")
        .and_then(|f| f.as_array())
        .cloned()
        .unwrap_or_default();
    render(
        &app,
        "story_version.html",
        "stories",
        context! {
            id => id,
            title => &story.meta.title,
            version => v.version,
            latest => story.versions.len(),
            created => v.created,
            verdict => &v.verdict,
            score => v.score,
            segments => Value::from(Serde(&crate::report::segments(&v.markdown, &findings))),
            findings => Value::from(Serde(&findings)),
        },
    )
}

// ----- history -----------------------------------------------------------------------------

async fn history(app: Ctx) -> Response {
    let log = match app.store.practice_log().await {
        Ok(log) => log,
        Err(e) => return store_failed(&app, e),
    };
    // Each entry as its JSON, with its day for people.
    let entries: Vec<serde_json::Value> = log
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).expect("an entry serialises");
            let created = v["created"].as_i64().unwrap_or(0);
            v["date"] = date::format_day(date::day_of(created)).into();
            v
        })
        .collect();
    render(
        &app,
        "history.html",
        "history",
        context! {
            entries => Value::from(Serde(&entries)),
            min_words => debrief_store::log::MOCK_MIN_WORDS,
        },
    )
}

// ----- report ------------------------------------------------------------------------------

async fn report_page(app: Ctx) -> Response {
    render(&app, "report_page.html", "report", context! {})
}

async fn report_file(app: Ctx, Path(file): Path<String>) -> Response {
    let format = match file.as_str() {
        "debrief-report.html" => ReportFormat::Html,
        "debrief-report.md" => ReportFormat::Markdown,
        _ => return error_page(&app, StatusCode::NOT_FOUND, "No such report."),
    };
    let readiness = match &app.readiness {
        Some(compute) => match compute(app.store.clone()).await {
            Ok(value) => Some(value),
            Err(e) => return error_page(&app, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        None => None,
    };
    let report = match Report::gather(
        &app.store,
        app.analyzer.pack(),
        readiness,
        app.analyzer.hire_score(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return store_failed(&app, e),
    };
    let kind = match format {
        ReportFormat::Html => "text/html; charset=utf-8",
        ReportFormat::Markdown => "text/markdown; charset=utf-8",
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", format.file_name()),
            ),
        ],
        report.render_with(&app.templates, format),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let env = templates();
        assert!(env.get_template("story.html").is_ok());
    }

    #[test]
    fn tags_lose_the_characters_front_matter_reserves() {
        assert_eq!(items(" a, [b], \"c\" ,, "), vec!["a", "b", "c"]);
    }

    #[test]
    fn a_composed_story_keeps_its_body_after_the_front_matter() {
        let meta = StoryMeta {
            title: "T".into(),
            tags: vec!["x".into()],
            questions: vec![],
        };
        let md = compose(&meta, "Body\n");
        assert_eq!(&md[debrief_core::markdown::body_start(&md)..], "Body\n");
    }
}

//! The cohort server's accounts (`serve --multi-user`): logging in and out, invitations, the
//! candidate's account page (coaches, audit trail, sessions, password, export, deletion), the
//! coach's view of their candidates and the admin's page. Every request carries its session in
//! a `__Host-` cookie (Secure, HttpOnly, SameSite=Lax) whose token is kept server-side only as
//! a hash; the session is read from PostgreSQL at each request, so a changed role, an ended
//! assignment or a revoked session counts at the next one.
//!
//! Authorization is by construction: a candidate's handler gets a [`Ctx`] whose store is that
//! account's alone; a coach's reads go through [`coach_store`], which checks the assignment and
//! writes the audit line before it hands out the candidate's store.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_store::cohort::{self, Account, Cohort, Role, Session};
use debrief_store::{date, Store};
use minijinja::value::Serde;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::guard::refuse;
use crate::pages::{error_page, render, render_status};
use crate::{App, Ctx};

/// The session cookie: the `__Host-` prefix makes the browser refuse it unless it is Secure,
/// host-only and for the whole site.
pub const SESSION_COOKIE: &str = "__Host-debrief";
/// Before login, the CSRF token of the login and invitation forms (double submit).
pub const PRE_COOKIE: &str = "__Host-debrief-pre";
/// A login whose password was right, waiting for its second-factor code.
pub const PENDING_COOKIE: &str = "__Host-debrief-pending";

/// Lines of the audit trail the account page shows.
const TRAIL_SHOWN: i64 = 50;

pub fn routes(app: &App) -> Router<Arc<App>> {
    if app.cohort.is_none() {
        return Router::new();
    }
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/login/code", post(login_code))
        .route("/logout", post(logout))
        .route(
            "/account/second-factor",
            get(second_factor_page).post(second_factor_on),
        )
        .route("/account/second-factor/off", post(second_factor_off))
        .route("/invite/{token}", get(invite_page).post(accept_invite))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/sessions/end", post(end_all_sessions))
        .route("/account/coaches/{coach}/end", post(end_coach))
        .route("/account/export", get(export))
        .route("/account/delete", post(delete_account))
        .route("/stories/{id}/share", post(share_story))
        .route("/coach", get(coach_home))
        .route("/coach/invite", post(coach_invite))
        .route("/coach/candidates/{candidate}", get(coach_candidate))
        .route("/coach/candidates/{candidate}/end", post(coach_end))
        .route(
            "/coach/candidates/{candidate}/stories/{id}",
            get(coach_story).post(coach_comment),
        )
        .route("/admin", get(admin_home))
        .route("/admin/invite", post(admin_invite))
        .route("/admin/assign", post(admin_assign))
        .route("/admin/accounts/{id}/role", post(admin_role))
        .route(
            "/admin/accounts/{id}/second-factor/off",
            post(admin_second_factor_off),
        )
}

// ----- the session, read once per request ------------------------------------------------------

/// Reads the session cookie and puts the live [`Session`] in the request's extensions (nothing
/// when there is none). A database that cannot be reached gives a generic 503 and a log line.
pub async fn session(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let Some(cohort) = &app.cohort else {
        return next.run(req).await;
    };
    if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        match cohort.session(&token).await {
            Ok(Some(session)) => {
                req.extensions_mut().insert(session);
            }
            Ok(None) => {}
            Err(e) => {
                log("database-unavailable", &format!("reading a session: {e}"));
                return unavailable(req.uri().path());
            }
        }
    }
    next.run(req).await
}

/// The token a state-changing request must carry on a cohort server: its session's, or before
/// login the pre-session cookie's. `None` when there is neither (the request is refused).
pub fn expected_csrf(req: &Request) -> Option<String> {
    match req.extensions().get::<Session>() {
        Some(s) => Some(s.csrf.clone()),
        None => cookie(req.headers(), PRE_COOKIE),
    }
}

/// The generic answer when the database is down: nothing of the cause is shown.
fn unavailable(path: &str) -> Response {
    refuse(
        path,
        StatusCode::SERVICE_UNAVAILABLE,
        "The server cannot reach its database just now; nothing you saved is lost. Try again in a minute.",
    )
}

/// A security event on stderr, one line, never a password, token or story.
pub(crate) fn log(event: &str, detail: &str) {
    eprintln!(
        "debrief: security: {} event={event} {detail}",
        date::format_rfc3339(date::now())
    );
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn set_cookie(name: &str, value: &str, max_age: Option<u64>) -> HeaderValue {
    let age = max_age.map_or(String::new(), |s| format!("; Max-Age={s}"));
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax{age}"
    ))
    .expect("a cookie of hex and our own words")
}

fn clear_cookie(name: &str) -> HeaderValue {
    set_cookie(name, "", Some(0))
}

/// The client's address for throttling: the connection's peer, or behind our own proxy the
/// last `X-Forwarded-For` hop (the one the proxy added).
fn client(app: &App, parts_headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if app.trust_proxy {
        if let Some(hop) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return hop.to_string();
        }
    }
    peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string())
}

// ----- extractors ------------------------------------------------------------------------------

/// Refusal for a request that needs a login: the login page for pages, 401 for the API.
fn login_required(path: &str) -> Response {
    if path.starts_with("/api/") {
        refuse(
            path,
            StatusCode::UNAUTHORIZED,
            "log in first: this server has accounts",
        )
    } else {
        Redirect::to("/login").into_response()
    }
}

fn wrong_role(path: &str, account: &Account) -> Response {
    let home = home_of(account.role);
    refuse(
        path,
        StatusCode::FORBIDDEN,
        &format!(
            "This page is not for a {} account. Your pages start at {home}.",
            account.role
        ),
    )
}

fn home_of(role: Role) -> &'static str {
    match role {
        Role::Candidate => "/",
        Role::Coach => "/coach",
        Role::Admin => "/admin",
    }
}

/// The session of a request; `None` when there is none ([`login_required`] says what then).
fn session_of(parts: &Parts) -> Option<Session> {
    parts.extensions.get::<Session>().cloned()
}

impl FromRequestParts<Arc<App>> for Ctx {
    type Rejection = Response;

    /// One-person mode: the app's store. A cohort server: a candidate's session, acting on that
    /// candidate's store; anyone else is refused.
    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Ctx, Response> {
        let Some(cohort) = &app.cohort else {
            let store = app.store.clone().expect("one-person mode has its store");
            return Ok(Ctx::new(app.clone(), store, app.csrf.clone(), None));
        };
        let Some(session) = session_of(parts) else {
            return Err(login_required(parts.uri.path()));
        };
        if session.account.role != Role::Candidate {
            return Err(wrong_role(parts.uri.path(), &session.account));
        }
        Ok(Ctx::new(
            app.clone(),
            cohort.store(session.account.id),
            session.csrf,
            Some(session.account),
        ))
    }
}

/// Any logged-in account, acting on its own store, with its session.
struct Member {
    ctx: Ctx,
    cohort: Cohort,
    session: Session,
}

impl Member {
    fn account(&self) -> &Account {
        &self.session.account
    }

    /// The refusal when this account is not of `role`.
    fn refusal(&self, role: Role, path: &str) -> Option<Response> {
        (self.session.account.role != role).then(|| wrong_role(path, &self.session.account))
    }
}

impl FromRequestParts<Arc<App>> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Member, Response> {
        let Some(cohort) = app.cohort.clone() else {
            return Err(refuse(
                parts.uri.path(),
                StatusCode::NOT_FOUND,
                "No such page here.",
            ));
        };
        let Some(session) = session_of(parts) else {
            return Err(login_required(parts.uri.path()));
        };
        let ctx = Ctx::new(
            app.clone(),
            cohort.store(session.account.id),
            session.csrf.clone(),
            Some(session.account.clone()),
        );
        Ok(Member {
            ctx,
            cohort,
            session,
        })
    }
}

/// Someone not logged in, on the login or invitation page: the form's token is the pre-session
/// cookie's, made now when there is none.
struct Visitor {
    ctx: Ctx,
    /// A cookie to set, when the token is new.
    set: Option<HeaderValue>,
    cohort: Cohort,
    client: String,
    user_agent: String,
    /// The pending login's token, after a right password on an account with a second factor.
    pending: Option<String>,
}

impl FromRequestParts<Arc<App>> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Visitor, Response> {
        let Some(cohort) = app.cohort.clone() else {
            return Err(refuse(
                parts.uri.path(),
                StatusCode::NOT_FOUND,
                "No such page here.",
            ));
        };
        let (csrf, set) = match cookie(&parts.headers, PRE_COOKIE) {
            Some(t) => (t, None),
            None => {
                let t = cohort::new_token();
                let c = set_cookie(PRE_COOKIE, &t, Some(3600));
                (t, Some(c))
            }
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let client = client(app, &parts.headers, peer);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // The store of no account: there is no role for account 0, so every statement fails.
        let ctx = Ctx::new(app.clone(), cohort.store(0), csrf, None);
        let pending = cookie(&parts.headers, PENDING_COOKIE);
        Ok(Visitor {
            ctx,
            set,
            cohort,
            client,
            user_agent,
            pending,
        })
    }
}

impl Visitor {
    fn page(&self, status: StatusCode, name: &str, ctx: Value) -> Response {
        let mut res = render_status(&self.ctx, status, name, "account", ctx);
        if let Some(c) = &self.set {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        res
    }
}

/// An argon2id hash of `password`, made on the blocking pool (it is slow on purpose).
async fn hash(password: &str) -> debrief_store::Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || cohort::hash_password(&password))
        .await
        .unwrap_or_else(|_| {
            Err(debrief_store::Error::BadInput(
                "hashing the password stopped unexpectedly".to_string(),
            ))
        })
}

fn failed(ctx: &Ctx, e: debrief_store::Error) -> Response {
    log("database-error", &e.to_string());
    error_page(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "Something failed on our side; what you saved before is safe. Try again in a minute.",
    )
}

/// Starts a session for `account` (a new token: never one the browser brought) and sends the
/// browser to its home page.
async fn logged_in(cohort: &Cohort, account: &Account, user_agent: &str, ctx: &Ctx) -> Response {
    match cohort.start_session(account, user_agent).await {
        Ok((token, _)) => {
            let mut res = Redirect::to(home_of(account.role)).into_response();
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, None));
            h.append(header::SET_COOKIE, clear_cookie(PRE_COOKIE));
            res
        }
        Err(e) => failed(ctx, e),
    }
}

// ----- login, logout, invitations --------------------------------------------------------------

async fn login_page(visitor: Visitor) -> Response {
    visitor.page(StatusCode::OK, "login.html", context! {})
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

/// The same answer for an unknown email and a wrong password.
const WRONG_LOGIN: &str = "The email or the password is wrong.";

async fn login(visitor: Visitor, Form(form): Form<LoginForm>) -> Response {
    let again = |status, message: &str| {
        visitor.page(
            status,
            "login.html",
            context! { error => message, email => &form.email },
        )
    };
    let cohort = &visitor.cohort;
    match cohort.login_wait(&form.email, &visitor.client).await {
        Ok(Some(seconds)) => {
            log("login-throttled", &format!("client={}", visitor.client));
            let minutes = (seconds + 59) / 60;
            let mut res = again(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Too many failed logins for this email from here. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
            );
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds.to_string()).expect("digits"),
            );
            return res;
        }
        Ok(None) => {}
        Err(e) => return failed(&visitor.ctx, e),
    }
    match cohort.authenticate(&form.email, &form.password).await {
        Ok(Some(account)) => {
            if let Err(e) = cohort.login_succeeded(&form.email, &visitor.client).await {
                return failed(&visitor.ctx, e);
            }
            if account.second_factor {
                // The password was right; the session waits for the code.
                let token = match cohort.start_pending(account.id).await {
                    Ok(t) => t,
                    Err(e) => return failed(&visitor.ctx, e),
                };
                log(
                    "login-password-ok",
                    &format!(
                        "account={} client={} waiting=code",
                        account.id, visitor.client
                    ),
                );
                let mut res = visitor.page(StatusCode::OK, "login_code.html", context! {});
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(PENDING_COOKIE, &token, Some(cohort::PENDING_LIFE.as_secs())),
                );
                return res;
            }
            log(
                "login",
                &format!("account={} client={}", account.id, visitor.client),
            );
            logged_in(cohort, &account, &visitor.user_agent, &visitor.ctx).await
        }
        Ok(None) => {
            if let Err(e) = cohort.login_failed(&form.email, &visitor.client).await {
                return failed(&visitor.ctx, e);
            }
            log("login-failed", &format!("client={}", visitor.client));
            again(StatusCode::UNAUTHORIZED, WRONG_LOGIN)
        }
        Err(e) => failed(&visitor.ctx, e),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

/// The second step of a login: the code from the authenticator app. Wrong codes count against
/// the same (email, client) limit as wrong passwords.
async fn login_code(visitor: Visitor, Form(form): Form<CodeForm>) -> Response {
    let cohort = &visitor.cohort;
    let account = match &visitor.pending {
        Some(token) => match cohort.pending(token).await {
            Ok(a) => a,
            Err(e) => return failed(&visitor.ctx, e),
        },
        None => None,
    };
    let Some(account) = account else {
        return visitor.page(
            StatusCode::UNAUTHORIZED,
            "login.html",
            context! { error => "The login took more than five minutes: give your password again." },
        );
    };
    match cohort.login_wait(&account.email, &visitor.client).await {
        Ok(Some(seconds)) => {
            log("login-throttled", &format!("client={}", visitor.client));
            let minutes = (seconds + 59) / 60;
            let mut res = visitor.page(
                StatusCode::TOO_MANY_REQUESTS,
                "login_code.html",
                context! { error => format!("Too many wrong codes. Try again in {minutes} minute{}.", if minutes == 1 { "" } else { "s" }) },
            );
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds.to_string()).expect("digits"),
            );
            return res;
        }
        Ok(None) => {}
        Err(e) => return failed(&visitor.ctx, e),
    }
    match cohort.check_code(account.id, &form.code).await {
        Ok(true) => {
            let token = visitor.pending.as_deref().unwrap_or_default();
            if let Err(e) = cohort.end_pending(token).await {
                return failed(&visitor.ctx, e);
            }
            if let Err(e) = cohort
                .login_succeeded(&account.email, &visitor.client)
                .await
            {
                return failed(&visitor.ctx, e);
            }
            log(
                "login",
                &format!(
                    "account={} client={} second-factor=yes",
                    account.id, visitor.client
                ),
            );
            let mut res = logged_in(cohort, &account, &visitor.user_agent, &visitor.ctx).await;
            res.headers_mut()
                .append(header::SET_COOKIE, clear_cookie(PENDING_COOKIE));
            res
        }
        Ok(false) => {
            if let Err(e) = cohort.login_failed(&account.email, &visitor.client).await {
                return failed(&visitor.ctx, e);
            }
            log(
                "login-code-failed",
                &format!("account={} client={}", account.id, visitor.client),
            );
            visitor.page(
                StatusCode::UNAUTHORIZED,
                "login_code.html",
                context! { error => "That code is wrong, or was used already: type the one your app shows now." },
            )
        }
        Err(e) => failed(&visitor.ctx, e),
    }
}

async fn second_factor_page(member: Member) -> Response {
    let secret = debrief_store::totp::new_secret();
    second_factor_view(&member, &secret, StatusCode::OK, None)
}

fn second_factor_view(
    member: &Member,
    secret: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    render_status(
        &member.ctx,
        status,
        "second_factor.html",
        "account",
        context! {
            me => Value::from(Serde(member.account())),
            secret => secret,
            grouped => grouped.join(" "),
            uri => debrief_store::totp::uri(secret, &member.account().email),
            error => error,
        },
    )
}

#[derive(Deserialize)]
struct SecondFactorForm {
    secret: String,
    code: String,
    password: String,
}

async fn second_factor_on(member: Member, Form(form): Form<SecondFactorForm>) -> Response {
    let me = member.account().clone();
    let again = |why: &str| {
        second_factor_view(
            &member,
            &form.secret,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(why),
        )
    };
    if debrief_store::totp::unbase32(&form.secret).is_none_or(|k| k.len() < 16) {
        return again("The secret was changed on the way: open this page again.");
    }
    match member.cohort.authenticate(&me.email, &form.password).await {
        Ok(Some(_)) => {}
        Ok(None) => return again("That is not your password."),
        Err(e) => return failed(&member.ctx, e),
    }
    if debrief_store::totp::verify(&form.secret, &form.code, date::now(), 0).is_none() {
        return again(
            "That code does not match: check the app's clock and type the code it shows now.",
        );
    }
    if let Err(e) = member
        .cohort
        .set_second_factor(me.id, Some(&form.secret))
        .await
    {
        return failed(&member.ctx, e);
    }
    log("second-factor-on", &format!("account={}", me.id));
    relogin(&member, me.id).await
}

async fn second_factor_off(member: Member, Form(form): Form<DeleteForm>) -> Response {
    let me = member.account().clone();
    if let Some(refused) = confirm_password(
        &member,
        &form.password,
        "That is not your password: the second factor stays on.",
    )
    .await
    {
        return refused;
    }
    if let Err(e) = member.cohort.set_second_factor(me.id, None).await {
        return failed(&member.ctx, e);
    }
    log("second-factor-off", &format!("account={}", me.id));
    relogin(&member, me.id).await
}

/// After a change that ended every session of the account: a fresh one for this browser.
async fn relogin(member: &Member, id: i64) -> Response {
    match member.cohort.account(id).await {
        Ok(Some(account)) => logged_in(&member.cohort, &account, "", &member.ctx).await,
        Ok(None) => Redirect::to("/login").into_response(),
        Err(e) => failed(&member.ctx, e),
    }
}

async fn logout(member: Member) -> Response {
    if let Err(e) = member.cohort.end_session(&member.session.id).await {
        return failed(&member.ctx, e);
    }
    log("logout", &format!("account={}", member.account().id));
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
    res
}

async fn invite_page(visitor: Visitor, Path(token): Path<String>) -> Response {
    match visitor.cohort.invitation(&token).await {
        Ok(Some(inv)) => visitor.page(
            StatusCode::OK,
            "invite.html",
            context! { token => token, role => inv.role.as_str(), expires => date::format_day(date::day_of(inv.expires)) },
        ),
        Ok(None) => visitor.page(
            StatusCode::NOT_FOUND,
            "invite.html",
            context! { gone => true },
        ),
        Err(e) => failed(&visitor.ctx, e),
    }
}

#[derive(Deserialize)]
struct InviteForm {
    email: String,
    name: String,
    password: String,
    confirm: String,
}

async fn accept_invite(
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<InviteForm>,
) -> Response {
    let inv = match visitor.cohort.invitation(&token).await {
        Ok(Some(inv)) => inv,
        Ok(None) => {
            return visitor.page(
                StatusCode::NOT_FOUND,
                "invite.html",
                context! { gone => true },
            )
        }
        Err(e) => return failed(&visitor.ctx, e),
    };
    let again = |message: &str| {
        visitor.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite.html",
            context! {
                token => &token, role => inv.role.as_str(), expires => date::format_day(date::day_of(inv.expires)),
                error => message, email => &form.email, name => &form.name,
            },
        )
    };
    let Some(email) = cohort::normal_email(&form.email) else {
        return again("That is not an email address.");
    };
    if form.password != form.confirm {
        return again("The two passwords differ.");
    }
    if let Some(why) = cohort::check_password(&form.password, &email) {
        return again(&format!("Choose another password: {why}."));
    }
    let hash = match hash(&form.password).await {
        Ok(h) => h,
        Err(e) => return failed(&visitor.ctx, e),
    };
    match visitor
        .cohort
        .accept_invitation(&token, &email, &form.name, &hash)
        .await
    {
        Ok(Some(account)) => {
            log(
                "account-created",
                &format!(
                    "account={} role={} via=invitation",
                    account.id, account.role
                ),
            );
            logged_in(&visitor.cohort, &account, &visitor.user_agent, &visitor.ctx).await
        }
        Ok(None) => visitor.page(
            StatusCode::NOT_FOUND,
            "invite.html",
            context! { gone => true },
        ),
        Err(debrief_store::Error::Taken(_)) => {
            again("An account with that email exists already: log in instead.")
        }
        Err(e) => failed(&visitor.ctx, e),
    }
}

// ----- the account page ------------------------------------------------------------------------

async fn account_page(member: Member) -> Response {
    account_view(&member, StatusCode::OK, None, None).await
}

async fn account_view(
    member: &Member,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let id = member.account().id;
    let assignments = match member.cohort.assignments(id).await {
        Ok(a) => a,
        Err(e) => return failed(&member.ctx, e),
    };
    let trail = match member.cohort.audit_trail(id, TRAIL_SHOWN).await {
        Ok(t) => t,
        Err(e) => return failed(&member.ctx, e),
    };
    let sessions = match member.cohort.session_count(id).await {
        Ok(n) => n,
        Err(e) => return failed(&member.ctx, e),
    };
    let trail: Vec<Value> = trail
        .iter()
        .map(
            |t| context! { at => date::format_time(t.at), who => &t.actor_name, what => &t.action },
        )
        .collect();
    let coaches: Vec<&Account> = assignments
        .iter()
        .filter(|a| a.candidate.id == id)
        .map(|a| &a.coach)
        .collect();
    render_status(
        &member.ctx,
        status,
        "account.html",
        "account",
        context! {
            me => Value::from(Serde(member.account())),
            coaches => Value::from(Serde(&coaches)),
            trail => trail,
            sessions => sessions,
            error => error,
            notice => notice,
            min_password => cohort::MIN_PASSWORD,
            max_password => cohort::MAX_PASSWORD,
        },
    )
}

/// Checks the acting account's password before a change that needs it: `None` when it is
/// right, else the account page saying `wrong` (or the generic failure).
async fn confirm_password(member: &Member, password: &str, wrong: &str) -> Option<Response> {
    match member
        .cohort
        .authenticate(&member.account().email, password)
        .await
    {
        Ok(Some(_)) => None,
        Ok(None) => {
            Some(account_view(member, StatusCode::UNPROCESSABLE_ENTITY, Some(wrong), None).await)
        }
        Err(e) => Some(failed(&member.ctx, e)),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

async fn change_password(member: Member, Form(form): Form<PasswordForm>) -> Response {
    let me = member.account().clone();
    if let Some(refused) =
        confirm_password(&member, &form.current, "Your current password is not that.").await
    {
        return refused;
    }
    if form.password != form.confirm {
        return account_view(
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("The two new passwords differ."),
            None,
        )
        .await;
    }
    if let Some(why) = cohort::check_password(&form.password, &me.email) {
        return account_view(
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&format!("Choose another password: {why}.")),
            None,
        )
        .await;
    }
    let hash = match hash(&form.password).await {
        Ok(h) => h,
        Err(e) => return failed(&member.ctx, e),
    };
    if let Err(e) = member.cohort.set_password(me.id, &hash).await {
        return failed(&member.ctx, e);
    }
    log("password-changed", &format!("account={}", me.id));
    relogin(&member, me.id).await
}

async fn end_all_sessions(member: Member) -> Response {
    match member.cohort.end_sessions(member.account().id).await {
        Ok(n) => {
            log(
                "sessions-ended",
                &format!("account={} count={n}", member.account().id),
            );
            let mut res = Redirect::to("/login").into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
            res
        }
        Err(e) => failed(&member.ctx, e),
    }
}

async fn end_coach(member: Member, Path(coach): Path<i64>) -> Response {
    let path = format!("/account/coaches/{coach}/end");
    if let Some(refused) = member.refusal(Role::Candidate, &path) {
        return refused;
    }
    match member
        .cohort
        .end_assignment(coach, member.account().id)
        .await
    {
        Ok(true) => {
            log(
                "assignment-ended",
                &format!(
                    "candidate={} coach={coach} by=candidate",
                    member.account().id
                ),
            );
            Redirect::to("/account").into_response()
        }
        Ok(false) => error_page(
            &member.ctx,
            StatusCode::NOT_FOUND,
            "No such coach of yours.",
        ),
        Err(e) => failed(&member.ctx, e),
    }
}

async fn export(member: Member) -> Response {
    if let Some(refused) = member.refusal(Role::Candidate, "/account/export") {
        return refused;
    }
    match member.ctx.store.export().await {
        Ok(export) => {
            let body = serde_json::to_string_pretty(&export).expect("an export serialises");
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"debrief-export.json\"",
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => failed(&member.ctx, e),
    }
}

#[derive(Deserialize)]
struct DeleteForm {
    password: String,
}

async fn delete_account(member: Member, Form(form): Form<DeleteForm>) -> Response {
    let me = member.account().clone();
    if let Some(refused) = confirm_password(
        &member,
        &form.password,
        "That is not your password: nothing was deleted.",
    )
    .await
    {
        return refused;
    }
    match member.cohort.delete_account(me.id).await {
        Ok(_) => {
            log("account-deleted", &format!("account={}", me.id));
            let mut res = Redirect::to("/login").into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
            res
        }
        Err(e) => failed(&member.ctx, e),
    }
}

#[derive(Deserialize)]
struct ShareForm {
    shared: String,
}

async fn share_story(app: Ctx, Path(id): Path<i64>, Form(form): Form<ShareForm>) -> Response {
    let shared = form.shared == "1";
    match app.store.set_shared(id, shared).await {
        Ok(true) => Redirect::to(&format!("/stories/{id}")).into_response(),
        Ok(false) => error_page(&app, StatusCode::NOT_FOUND, &format!("No story {id}.")),
        Err(e) => failed(&app, e),
    }
}

/// What a candidate's story page adds on a cohort server: whether it is shared, and the
/// coaches' comments.
pub(crate) async fn story_extras(app: &Ctx, id: i64) -> Result<Value, Response> {
    let (Some(cohort), Some(me)) = (&app.cohort, &app.account) else {
        return Ok(Value::UNDEFINED);
    };
    let shared = match app.store.shared_story_ids().await {
        Ok(ids) => ids.contains(&id),
        Err(e) => return Err(failed(app, e)),
    };
    let comments = match cohort.comments(me.id, id).await {
        Ok(c) => c,
        Err(e) => return Err(failed(app, e)),
    };
    let comments: Vec<Value> = comments
        .iter()
        .map(|c| context! { version => c.version, who => &c.coach_name, body => &c.body, at => date::format_time(c.created) })
        .collect();
    Ok(context! { shared => shared, comments => comments })
}

// ----- coaches ---------------------------------------------------------------------------------

/// The store of `candidate` for coach `member`: only while the coach is assigned to them, and
/// only after the read is written to the candidate's audit trail. `None` (a 404 for the
/// caller) otherwise, the same whether the account exists or not.
async fn coach_store(
    member: &Member,
    candidate: i64,
    what: &str,
) -> Result<Option<(Account, Store)>, debrief_store::Error> {
    let coach = member.account();
    if coach.role != Role::Coach || !member.cohort.is_assigned(coach.id, candidate).await? {
        return Ok(None);
    }
    let Some(account) = member.cohort.account(candidate).await? else {
        return Ok(None);
    };
    member.cohort.audit(candidate, coach, what).await?;
    Ok(Some((account, member.cohort.store(candidate))))
}

fn no_candidate(ctx: &Ctx) -> Response {
    error_page(
        ctx,
        StatusCode::NOT_FOUND,
        "No such candidate of yours. Your candidates are listed under Candidates.",
    )
}

async fn coach_home(member: Member) -> Response {
    coach_home_view(member, None).await
}

async fn coach_home_view(member: Member, link: Option<(String, i64)>) -> Response {
    if let Some(refused) = member.refusal(Role::Coach, "/coach") {
        return refused;
    }
    let me = member.account().id;
    let assignments = match member.cohort.assignments(me).await {
        Ok(a) => a,
        Err(e) => return failed(&member.ctx, e),
    };
    let candidates: Vec<Value> = assignments
        .iter()
        .filter(|a| a.coach.id == me)
        .map(|a| context! { id => a.candidate.id, name => &a.candidate.name, email => &a.candidate.email, since => date::format_day(date::day_of(a.created)) })
        .collect();
    render(
        &member.ctx,
        "coach.html",
        "coach",
        context! {
            candidates => candidates,
            link => link.as_ref().map(|(t, _)| format!("/invite/{t}")),
            link_expires => link.as_ref().map(|(_, e)| date::format_day(date::day_of(*e))),
        },
    )
}

async fn coach_invite(member: Member) -> Response {
    if let Some(refused) = member.refusal(Role::Coach, "/coach/invite") {
        return refused;
    }
    match member
        .cohort
        .invite(Role::Candidate, member.account())
        .await
    {
        Ok(link) => {
            log(
                "invitation-created",
                &format!("by={} role=candidate", member.account().id),
            );
            coach_home_view(member, Some(link)).await
        }
        Err(e) => failed(&member.ctx, e),
    }
}

async fn coach_candidate(member: Member, Path(candidate): Path<i64>) -> Response {
    let (account, store) = match coach_store(
        &member,
        candidate,
        "viewed readiness, score trend and the list of shared stories",
    )
    .await
    {
        Ok(Some(found)) => found,
        Ok(None) => return no_candidate(&member.ctx),
        Err(e) => return failed(&member.ctx, e),
    };
    let ctx = Ctx::new(
        member.ctx.app().clone(),
        store,
        member.ctx.csrf.clone(),
        member.ctx.account.clone(),
    );
    let view = match crate::pages::progress_view(&ctx).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let shared = match ctx.store.shared_story_ids().await {
        Ok(ids) => ids,
        Err(e) => return failed(&ctx, e),
    };
    let stories = match ctx.store.stories().await {
        Ok(s) => s,
        Err(e) => return failed(&ctx, e),
    };
    let stories: Vec<_> = stories
        .into_iter()
        .filter(|s| shared.contains(&s.id))
        .collect();
    render(
        &ctx,
        "coach_candidate.html",
        "coach",
        context! {
            candidate => Value::from(Serde(&account)),
            stories => Value::from(Serde(&stories)),
            shared_ids => shared,
            ..view
        },
    )
}

async fn coach_end(member: Member, Path(candidate): Path<i64>) -> Response {
    let path = format!("/coach/candidates/{candidate}/end");
    if let Some(refused) = member.refusal(Role::Coach, &path) {
        return refused;
    }
    match member
        .cohort
        .end_assignment(member.account().id, candidate)
        .await
    {
        Ok(true) => {
            log(
                "assignment-ended",
                &format!(
                    "candidate={candidate} coach={} by=coach",
                    member.account().id
                ),
            );
            Redirect::to("/coach").into_response()
        }
        Ok(false) => no_candidate(&member.ctx),
        Err(e) => failed(&member.ctx, e),
    }
}

/// A shared story of an assigned candidate with its latest judgment, or the 404.
async fn shared_story(
    member: &Member,
    candidate: i64,
    id: i64,
) -> Result<(Account, debrief_store::Story), Response> {
    let what = format!("read shared story {id}");
    let (account, store) = match coach_store(member, candidate, &what).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(no_candidate(&member.ctx)),
        Err(e) => return Err(failed(&member.ctx, e)),
    };
    let shared = match store.shared_story_ids().await {
        Ok(ids) => ids.contains(&id),
        Err(e) => return Err(failed(&member.ctx, e)),
    };
    let not_shared = || {
        error_page(
            &member.ctx,
            StatusCode::NOT_FOUND,
            &format!("No story {id} shared with you."),
        )
    };
    if !shared {
        return Err(not_shared());
    }
    match store.story(id).await {
        Ok(Some(story)) => Ok((account, story)),
        Ok(None) => Err(not_shared()),
        Err(e) => Err(failed(&member.ctx, e)),
    }
}

async fn coach_story(member: Member, Path((candidate, id)): Path<(i64, i64)>) -> Response {
    let (account, story) = match shared_story(&member, candidate, id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    coach_story_view(&member, &account, &story, StatusCode::OK, None).await
}

async fn coach_story_view(
    member: &Member,
    account: &Account,
    story: &debrief_store::Story,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let comments = match member.cohort.comments(account.id, story.id).await {
        Ok(c) => c,
        Err(e) => return failed(&member.ctx, e),
    };
    let comments: Vec<Value> = comments
        .iter()
        .map(|c| context! { version => c.version, who => &c.coach_name, body => &c.body, at => date::format_time(c.created) })
        .collect();
    let latest = story.latest();
    render_status(
        &member.ctx,
        status,
        "coach_story.html",
        "coach",
        context! {
            candidate => Value::from(Serde(account)),
            story_id => story.id,
            title => &story.meta.title,
            latest => latest.map(|v| Value::from(Serde(v))),
            versions => story.versions.len(),
            comments => comments,
            error => error,
        },
    )
}

#[derive(Deserialize)]
struct CommentForm {
    body: String,
}

/// The longest comment kept, in characters.
const COMMENT_LIMIT: usize = 4000;

async fn coach_comment(
    member: Member,
    Path((candidate, id)): Path<(i64, i64)>,
    Form(form): Form<CommentForm>,
) -> Response {
    let (account, story) = match shared_story(&member, candidate, id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > COMMENT_LIMIT {
        let why = format!("A comment is 1 to {COMMENT_LIMIT} characters.");
        return coach_story_view(
            &member,
            &account,
            &story,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&why),
        )
        .await;
    }
    let version = story.latest().map_or(1, |v| v.version);
    match member
        .cohort
        .add_comment(candidate, id, version, member.account(), body)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/coach/candidates/{candidate}/stories/{id}")).into_response()
        }
        Err(e) => failed(&member.ctx, e),
    }
}

// ----- admins ----------------------------------------------------------------------------------

async fn admin_home(member: Member) -> Response {
    admin_view(member, StatusCode::OK, None, None).await
}

async fn admin_view(
    member: Member,
    status: StatusCode,
    error: Option<&str>,
    link: Option<(String, i64, Role)>,
) -> Response {
    if let Some(refused) = member.refusal(Role::Admin, "/admin") {
        return refused;
    }
    let accounts = match member.cohort.accounts().await {
        Ok(a) => a,
        Err(e) => return failed(&member.ctx, e),
    };
    let assignments = match member.cohort.all_assignments().await {
        Ok(a) => a,
        Err(e) => return failed(&member.ctx, e),
    };
    let assignments: Vec<Value> = assignments
        .iter()
        .map(|s| context! { coach => &s.coach.name, candidate => &s.candidate.name, since => date::format_day(date::day_of(s.created)) })
        .collect();
    render_status(
        &member.ctx,
        status,
        "admin.html",
        "admin",
        context! {
            accounts => Value::from(Serde(&accounts)),
            assignments => assignments,
            error => error,
            link => link.as_ref().map(|(t, _, _)| format!("/invite/{t}")),
            link_expires => link.as_ref().map(|(_, e, _)| date::format_day(date::day_of(*e))),
            link_role => link.as_ref().map(|(_, _, r)| r.as_str()),
        },
    )
}

#[derive(Deserialize)]
struct RoleForm {
    /// A form with another value is refused as malformed before a handler sees it.
    role: Role,
}

async fn admin_invite(member: Member, Form(form): Form<RoleForm>) -> Response {
    if let Some(refused) = member.refusal(Role::Admin, "/admin/invite") {
        return refused;
    }
    let role = form.role;
    match member.cohort.invite(role, member.account()).await {
        Ok((token, expires)) => {
            log(
                "invitation-created",
                &format!("by={} role={role}", member.account().id),
            );
            admin_view(member, StatusCode::OK, None, Some((token, expires, role))).await
        }
        Err(e) => failed(&member.ctx, e),
    }
}

#[derive(Deserialize)]
struct AssignForm {
    coach: String,
    candidate: String,
}

async fn admin_assign(member: Member, Form(form): Form<AssignForm>) -> Response {
    if let Some(refused) = member.refusal(Role::Admin, "/admin/assign") {
        return refused;
    }
    let find = |email: &str| {
        let email = cohort::normal_email(email).unwrap_or_default();
        let cohort = member.cohort.clone();
        async move {
            cohort
                .accounts()
                .await
                .map(|all| all.into_iter().find(|a| a.email == email))
        }
    };
    let (coach, candidate) = match (find(&form.coach).await, find(&form.candidate).await) {
        (Ok(Some(c)), Ok(Some(k))) => (c, k),
        (Err(e), _) | (_, Err(e)) => return failed(&member.ctx, e),
        _ => {
            return admin_view(
                member,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("No account with one of those emails."),
                None,
            )
            .await
        }
    };
    match member.cohort.assign(coach.id, candidate.id).await {
        Ok(()) => {
            log(
                "assignment-made",
                &format!(
                    "coach={} candidate={} by={}",
                    coach.id,
                    candidate.id,
                    member.account().id
                ),
            );
            Redirect::to("/admin").into_response()
        }
        Err(debrief_store::Error::BadInput(why)) => {
            admin_view(member, StatusCode::UNPROCESSABLE_ENTITY, Some(&why), None).await
        }
        Err(e) => failed(&member.ctx, e),
    }
}

async fn admin_role(member: Member, Path(id): Path<i64>, Form(form): Form<RoleForm>) -> Response {
    if let Some(refused) = member.refusal(Role::Admin, "/admin") {
        return refused;
    }
    let role = form.role;
    if id == member.account().id {
        return admin_view(
            member,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("An admin cannot change their own role (ask another admin)."),
            None,
        )
        .await;
    }
    match member.cohort.set_role(id, role).await {
        Ok(true) => {
            log(
                "role-changed",
                &format!("account={id} role={role} by={}", member.account().id),
            );
            Redirect::to("/admin").into_response()
        }
        Ok(false) => error_page(&member.ctx, StatusCode::NOT_FOUND, "No such account."),
        Err(e) => failed(&member.ctx, e),
    }
}

/// An admin turns off someone's second factor (they lost their app); their sessions end.
async fn admin_second_factor_off(member: Member, Path(id): Path<i64>) -> Response {
    if let Some(refused) = member.refusal(Role::Admin, "/admin") {
        return refused;
    }
    match member.cohort.account(id).await {
        Ok(Some(_)) => {}
        Ok(None) => return error_page(&member.ctx, StatusCode::NOT_FOUND, "No such account."),
        Err(e) => return failed(&member.ctx, e),
    }
    if let Err(e) = member.cohort.set_second_factor(id, None).await {
        return failed(&member.ctx, e);
    }
    log(
        "second-factor-off",
        &format!("account={id} by={}", member.account().id),
    );
    Redirect::to("/admin").into_response()
}

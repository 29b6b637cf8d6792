//! The web app behind `debrief serve`: server-rendered pages (minijinja), a small JSON API under
//! `/api`, and our own CSS and JS, all embedded in the binary. One person on localhost: the Host
//! header is checked against DNS rebinding, every state-changing request carries a CSRF token,
//! bodies are limited, and every response says what the browser may load.
//!
//! ```no_run
//! # async fn demo(analyzer: debrief_core::Analyzer, store: debrief_store::Store) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
//! let app = debrief_web::App::new(std::sync::Arc::new(analyzer), store, None);
//! debrief_web::serve(listener, app).await
//! # }
//! ```

mod account;
mod api;
mod assets;
mod cards;
mod chart;
mod delivery;
mod explain;
mod guard;
mod mock;
mod pages;
mod report;
mod spoken;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use debrief_core::Analyzer;
use debrief_store::cohort::{Account, Cohort};
use debrief_store::Store;

pub use guard::{allowed_hosts, BODY_LIMIT, CSRF_HEADER, RECORDING_LIMIT};
pub use report::{Report, ReportFormat};
pub use spoken::Voice;

/// Computes readiness (the `debrief status --format json` object) for the dashboard. The binary
/// owns that logic; the web app only shows it.
pub type Readiness = Arc<
    dyn Fn(Store) -> Pin<Box<dyn Future<Output = anyhow::Result<serde_json::Value>> + Send>>
        + Send
        + Sync,
>;

/// Everything the app shares between requests, immutable once built.
pub struct App {
    /// The compiled pack, built once.
    analyzer: Arc<Analyzer>,
    /// The candidate's history; `None` on a cohort server, where each request gets its
    /// account's store ([`Ctx`]).
    store: Option<Store>,
    /// On a cohort server (`serve --multi-user`): the accounts, sessions and who may see what.
    cohort: Option<Cohort>,
    /// Whether the client's address is read from `X-Forwarded-For` (behind our own proxy).
    trust_proxy: bool,
    /// Readiness for the dashboard, when the caller provides it.
    readiness: Option<Readiness>,
    /// The page templates.
    templates: minijinja::Environment<'static>,
    /// The token every state-changing request must carry; random per server start.
    csrf: String,
    /// The explain drill's model: the built-in one for the built-in pack, else what the caller
    /// gives (`with_explain_model`).
    explain_model: Option<debrief_core::learned::Model>,
    /// When each explain page was served, by its form's id: the server times an explanation,
    /// not the form (the newest few hundred are kept).
    explain_started: std::sync::Mutex<std::collections::VecDeque<(String, i64)>>,
    /// The speech model behind the record button (`with_voice`); without one, the pages say how
    /// to install it.
    voice: Option<Voice>,
    /// The recordings being transcribed, and the last few outcomes, by job id.
    jobs: spoken::Jobs,
}

impl App {
    /// An app over this analyzer and store, with a fresh CSRF token.
    pub fn new(analyzer: Arc<Analyzer>, store: Store, readiness: Option<Readiness>) -> App {
        let explain_model = if analyzer.pack().meta.id == debrief_core::builtin::ID {
            debrief_core::builtin::explain_model()
        } else {
            None
        };
        App {
            analyzer,
            store: Some(store),
            cohort: None,
            trust_proxy: false,
            readiness,
            templates: pages::templates(),
            csrf: guard::new_token(),
            explain_model,
            explain_started: Default::default(),
            voice: None,
            jobs: Default::default(),
        }
    }

    /// A cohort server's app: every request acts as the account of its session, on that
    /// account's store; `trust_proxy` reads the client's address from the last
    /// `X-Forwarded-For` hop (set it only behind a proxy that writes that header).
    pub fn multi_user(
        analyzer: Arc<Analyzer>,
        cohort: Cohort,
        readiness: Option<Readiness>,
        trust_proxy: bool,
    ) -> App {
        let mut app = App::new(analyzer, cohort.store(0), readiness);
        // No store of its own: each request acts on its account's (`Ctx`).
        app.store = None;
        app.cohort = Some(cohort);
        app.trust_proxy = trust_proxy;
        app
    }

    /// The same app judging explanations with `model` (a pack folder's own `explain.bin`).
    pub fn with_explain_model(mut self, model: Option<debrief_core::learned::Model>) -> App {
        self.explain_model = model;
        self
    }

    /// The same app with the record button, transcribing with the Whisper model in `dir` (loaded
    /// at the first recording). While `dir` holds no model, the pages say how to install one.
    pub fn with_voice(mut self, dir: std::path::PathBuf) -> App {
        self.voice = Some(Voice::new(dir));
        self
    }

    /// The CSRF token pages embed and state-changing requests must send back.
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }
}

/// What a handler acts with: the app, and this request's store, CSRF token and account. In
/// one-person mode, the app's own store and token; on a cohort server, the store of the session's
/// account (nothing else is reachable from it) and the session's token. Handlers of candidate
/// routes take it as an extractor, which refuses a request without a candidate's session.
#[derive(Clone)]
pub(crate) struct Ctx {
    app: Arc<App>,
    /// The acting account's history.
    pub(crate) store: Store,
    /// The token this request's pages embed.
    pub(crate) csrf: String,
    /// The acting account; `None` in one-person mode.
    pub(crate) account: Option<Account>,
}

impl Ctx {
    /// The shared app.
    pub(crate) fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// A one-person request's context, or a cohort page's for `account`.
    pub(crate) fn new(app: Arc<App>, store: Store, csrf: String, account: Option<Account>) -> Ctx {
        Ctx {
            app,
            store,
            csrf,
            account,
        }
    }

    /// A context for pages shown outside any handler (error pages of the guards): the app's
    /// store and token in one-person mode; on a cohort server no account, no token, and the
    /// store of no account (there is no role for account 0, so every statement fails).
    pub(crate) fn bare(app: &Arc<App>) -> Ctx {
        let store = match (&app.store, &app.cohort) {
            (Some(store), _) => store.clone(),
            (None, Some(cohort)) => cohort.store(0),
            (None, None) => unreachable!("an app has a store or a cohort"),
        };
        let csrf = if app.cohort.is_some() {
            String::new()
        } else {
            app.csrf.clone()
        };
        Ctx::new(app.clone(), store, csrf, None)
    }

    /// The key a recording job is kept under: its id, with the account's on a cohort server.
    pub(crate) fn job_key(&self, id: &str) -> String {
        match &self.account {
            Some(a) => format!("{}:{id}", a.id),
            None => id.to_string(),
        }
    }
}

impl std::ops::Deref for Ctx {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

/// The app's routes and guards, accepting only the given `Host` header values.
pub fn router(app: Arc<App>, hosts: Vec<String>) -> Router {
    let routes = Router::new()
        .merge(account::routes(&app))
        .merge(api::routes())
        .merge(pages::routes())
        .merge(cards::routes())
        .merge(mock::routes())
        .merge(explain::routes())
        .merge(spoken::routes())
        .merge(assets::routes())
        .with_state(app.clone());
    guard::wrap(routes, app, hosts)
}

/// Serves the app on a bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    serve_hosts(listener, app, allowed_hosts(addr)).await
}

/// Serves the app answering the given `Host` values (a cohort server's public name behind its
/// proxy, say), with each connection's peer address for login throttling.
pub async fn serve_hosts(
    listener: tokio::net::TcpListener,
    app: App,
    hosts: Vec<String>,
) -> std::io::Result<()> {
    let router = router(Arc::new(app), hosts);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

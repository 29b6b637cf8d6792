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
    /// The candidate's history.
    store: Store,
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
            store,
            readiness,
            templates: pages::templates(),
            csrf: guard::new_token(),
            explain_model,
            explain_started: Default::default(),
            voice: None,
            jobs: Default::default(),
        }
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

/// The app's routes and guards, accepting only the given `Host` header values.
pub fn router(app: Arc<App>, hosts: Vec<String>) -> Router {
    let routes = Router::new()
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
    let router = router(Arc::new(app), allowed_hosts(addr));
    axum::serve(listener, router).await
}

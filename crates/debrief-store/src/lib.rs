//! The candidate's history: stories with every judged version, the failure resume, mock-interview
//! attempts, flashcard reviews, timed explanations and settings, on sqlx with runtime queries. A
//! SQLite file by default, PostgreSQL when the URL says so; one schema and one code path for both,
//! each backend with its own migrations folder embedded in the binary. Every write is one
//! transaction.
//!
//! ```no_run
//! # async fn demo() -> debrief_store::Result<()> {
//! let store = debrief_store::Store::open("/tmp/debrief.sqlite").await?;
//! for story in store.stories().await? {
//!     println!("{} {} {}", story.id, story.score, story.meta.title);
//! }
//! # Ok(()) }
//! ```

#[macro_use]
mod sql;
pub mod cohort;
mod error;
mod export;
mod history;
pub mod log;
mod mock;
mod model;
mod practice;

pub mod date;
pub mod scratch;
pub mod totp;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Connection;
use sqlx::Row;

pub use error::{Error, Result};
pub use export::{ExportedStory, ImportReport, StoreExport, EXPORT_FORMAT, PROGRESS_EVERY};
pub use model::{
    text_key, Attempt, DayScores, Failure, NewAttempt, NewFailure, RedMarks, Story, StoryEvidence,
    StoryMeta, StorySummary, StoryVersion, ATTEMPT_ANSWER, ATTEMPT_FOLLOW_UP,
};

pub use mock::{Mock, MockSaved, ABANDONED_AFTER};
pub use practice::{CardState, NewExplanation, NewReview, Review, SavedExplanation, UserCard};
/// A new random id, as the store gives its rows (for a form that must be saved once).
pub use sql::new_uid;

use model::{from_json_list, to_json_list, Derived};
use sql::{failure_of, meta_of, redact, sqlite_path};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The file name of the database under `DEBRIEF_HOME` or the data directory.
pub const DATABASE_FILE: &str = "debrief.sqlite";

/// Holds `FILE-lock` beside a SQLite database while it is opened and its schema brought up to
/// date, waiting up to [`MIGRATION_WAIT`] for another process that holds it.
async fn open_lock(db: &Path) -> Result<std::fs::File> {
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let path = PathBuf::from(format!("{}-lock", db.display()));
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < MIGRATION_WAIT => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked(db.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

/// How long opening waits for another process that is bringing the same SQLite file's schema up
/// to date.
const MIGRATION_WAIT: Duration = Duration::from_secs(30);

/// How long a write waits for another process's lock before giving up with [`Error::Locked`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// The database URL to use when none is given: `$DEBRIEF_HOME/debrief.sqlite`, else
/// `debrief/debrief.sqlite` under the user's data directory (XDG on Linux).
pub fn default_location() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("DEBRIEF_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home).join(DATABASE_FILE));
    }
    let dirs = directories::BaseDirs::new().ok_or(Error::NoHome)?;
    Ok(dirs.data_dir().join("debrief").join(DATABASE_FILE))
}

/// Which database a store talks to.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The candidate's history in one database.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// Where the database is, for messages (a path, or the URL without its password).
    location: String,
    /// On a cohort server, the account whose role and schema every statement runs in.
    scope: Option<std::sync::Arc<cohort::Scope>>,
}

/// The setting that holds the interview date (`YYYY-MM-DD`).
pub const INTERVIEW_DATE: &str = "interview-date";

/// How long opening a PostgreSQL database may wait for the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) the database at `url`: a file path, `sqlite://PATH`, or
    /// `postgres://...`. Brings its schema up to date; refuses a database from a newer debrief.
    pub async fn open(url: &str) -> Result<Store> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let location = redact(url);
            // One connection first, so that a closed port or a missing database fails at once
            // with its own reason instead of after the pool's retries.
            let connect_error = |source| Error::Connect {
                location: location.clone(),
                source,
            };
            match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url)).await {
                Err(_) => return Err(connect_error(sqlx::Error::PoolTimedOut)),
                Ok(Err(e)) => return Err(connect_error(e)),
                Ok(Ok(first)) => {
                    let _ = first.close().await;
                }
            }
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect(url)
                .await
                .map_err(|source| Error::Connect {
                    location: location.clone(),
                    source,
                })?;
            Store {
                backend: Backend::Postgres(pool),
                location,
                scope: None,
            }
        } else {
            let path = sqlite_path(url)?;
            // PostgreSQL's migrations take an advisory lock; SQLite's take none, so two debrief
            // processes opening a new file at once would both create it (one failing on a
            // duplicate column or a busy file, or taking the half-made file for another
            // program's). A lock file beside the database makes the second wait for the first.
            if path.is_dir() {
                return Err(Error::Io {
                    path: path.display().to_string(),
                    source: std::io::Error::other("is a folder, not a database file"),
                });
            }
            let _held = open_lock(&path).await?;
            let store = Store::open_sqlite(&path).await?;
            store.migrate().await?;
            return Ok(store);
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn open_sqlite(path: &Path) -> Result<Store> {
        let location = path.display().to_string();
        if path.is_dir() {
            return Err(Error::Io {
                path: location,
                source: std::io::Error::other("is a folder, not a database file"),
            });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| match error::classify(e, &location) {
                Error::Database(source) => Error::Connect {
                    location: location.clone(),
                    source,
                },
                other => other,
            })?;
        Ok(Store {
            backend: Backend::Sqlite(pool),
            location,
            scope: None,
        })
    }

    /// Where the database is, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether this store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Closes the connections (waiting for them to finish).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// The newest schema version this binary knows.
    pub fn known_schema(&self) -> i64 {
        let migrator = match self.backend {
            Backend::Sqlite(_) => &SQLITE_MIGRATIONS,
            Backend::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The schema version of the database (0 when empty).
    pub async fn schema_version(&self) -> Result<i64> {
        let has_table_sql = match self.backend {
            Backend::Sqlite(_) => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres(_) => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        with_pool!(self, |pool| {
            let n: i64 = sqlx::query_scalar(has_table_sql)
                .fetch_one(&mut *pool)
                .await?;
            if n == 0 {
                return Ok(0);
            }
            let v: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&mut *pool)
                    .await?;
            Ok(v.unwrap_or(0))
        })
    }

    pub(crate) async fn migrate(&self) -> Result<()> {
        let known = self.known_schema();
        let found = self.schema_version().await?;
        if found > known {
            return Err(Error::NewerSchema {
                location: self.location.clone(),
                found,
                known,
            });
        }
        if found == 0 {
            if let Backend::Sqlite(pool) = &self.backend {
                // A SQLite file with tables but no migrations belongs to another program.
                let tables: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_one(pool)
                .await
                .map_err(|e| error::classify(e, &self.location))?;
                if tables > 0 {
                    return Err(Error::NotDebrief(self.location.clone()));
                }
            }
        }
        if found == known {
            return Ok(());
        }
        let result = match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Backend::Postgres(pool) => match &self.scope {
                None => POSTGRES_MIGRATIONS.run(pool).await,
                Some(scope) => {
                    async {
                        let mut conn = pool.acquire().await?;
                        scope.enter(&mut conn).await?;
                        POSTGRES_MIGRATIONS
                            .run_direct(None, &mut *conn, false)
                            .await
                    }
                    .await
                }
            },
        };
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => error::classify(e, &self.location),
            e => Error::Migrate(e),
        })
    }

    // ----- stories -------------------------------------------------------------------------

    /// Adds a story with its first version; returns its id.
    pub async fn add_story(
        &self,
        meta: &StoryMeta,
        markdown: &str,
        judgment: &debrief_core::Judgment,
    ) -> Result<i64> {
        let judgment = serde_json::to_value(judgment).expect("a judgment serialises");
        let derived = Derived::from_judgment(&judgment);
        let judgment = judgment.to_string();
        let now = date::now();
        let uid = new_uid();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO stories (uid, title, tags, questions, created, updated) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(&uid)
            .bind(&meta.title)
            .bind(to_json_list(&meta.tags))
            .bind(to_json_list(&meta.questions))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_version!(&mut *tx, id, 1_i64, markdown, &judgment, &derived, now).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Saves a new version of story `id` (its front matter replaces the story's); returns the
    /// new version number, or `None` when there is no such story. Text equal to the latest
    /// version's saves no new version, and that version's number is returned.
    pub async fn add_version(
        &self,
        id: i64,
        meta: &StoryMeta,
        markdown: &str,
        judgment: &debrief_core::Judgment,
    ) -> Result<Option<i64>> {
        let judgment = serde_json::to_value(judgment).expect("a judgment serialises");
        let derived = Derived::from_judgment(&judgment);
        let judgment = judgment.to_string();
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let updated = sqlx::query(
                "UPDATE stories SET title = $1, tags = $2, questions = $3, updated = $4 WHERE id = $5",
            )
            .bind(&meta.title)
            .bind(to_json_list(&meta.tags))
            .bind(to_json_list(&meta.questions))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Ok(None);
            }
            let last: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM story_versions WHERE story_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            // The same text again (a form sent twice, a save without an edit) is no new
            // version: the title and tags above are all that changes.
            if let Some(last) = last {
                let text: Option<String> = sqlx::query_scalar(
                    "SELECT markdown FROM story_versions WHERE story_id = $1 AND version = $2",
                )
                .bind(id)
                .bind(last)
                .fetch_optional(&mut *tx)
                .await?;
                if text.as_deref() == Some(markdown) {
                    tx.commit().await?;
                    return Ok(Some(last));
                }
            }
            let version = last.unwrap_or(0) + 1;
            insert_version!(&mut *tx, id, version, markdown, &judgment, &derived, now).await?;
            tx.commit().await?;
            Ok(Some(version))
        })
    }

    /// The story bank, oldest first, each with its latest verdict and score.
    pub async fn stories(&self) -> Result<Vec<StorySummary>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.title, s.tags, s.questions, s.created, s.updated, \
                        v.version, v.score, v.verdict \
                 FROM stories s JOIN story_versions v ON v.story_id = s.id \
                 AND v.version = (SELECT MAX(version) FROM story_versions WHERE story_id = s.id) \
                 ORDER BY s.id",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StorySummary {
                        id: r.try_get("id")?,
                        meta: meta_of(r)?,
                        versions: r.try_get("version")?,
                        score: r.try_get("score")?,
                        verdict: r.try_get("verdict")?,
                        created: r.try_get("created")?,
                        updated: r.try_get("updated")?,
                    })
                })
                .collect()
        })
    }

    /// The ids of the stories shared with the candidate's coaches (on a cohort server).
    pub async fn shared_story_ids(&self) -> Result<Vec<i64>> {
        with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM stories WHERE shared = 1 ORDER BY id")
                .fetch_all(&mut *pool)
                .await
        })
    }

    /// Shares story `id` with the candidate's coaches, or stops sharing it; returns whether there
    /// is such a story.
    pub async fn set_shared(&self, id: i64, shared: bool) -> Result<bool> {
        with_pool!(self, |pool| {
            let n = sqlx::query("UPDATE stories SET shared = $1 WHERE id = $2")
                .bind(i64::from(shared))
                .bind(id)
                .execute(&mut *pool)
                .await?
                .rows_affected();
            Ok(n == 1)
        })
    }

    /// One story with every version, or `None` when there is no such story.
    pub async fn story(&self, id: i64) -> Result<Option<Story>> {
        with_pool!(self, |pool| {
            let Some(r) = sqlx::query(
                "SELECT id, uid, title, tags, questions, created, updated FROM stories WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *pool)
            .await?
            else {
                return Ok(None);
            };
            let versions = sqlx::query(
                "SELECT version, markdown, judgment, score, verdict, created \
                 FROM story_versions WHERE story_id = $1 ORDER BY version",
            )
            .bind(id)
            .fetch_all(&mut *pool)
            .await?;
            Ok(Some(Story {
                id: r.try_get("id")?,
                uid: r.try_get("uid")?,
                meta: meta_of(&r)?,
                created: r.try_get("created")?,
                updated: r.try_get("updated")?,
                versions: versions
                    .iter()
                    .map(sql::version_of)
                    .collect::<Result<_, sqlx::Error>>()?,
            }))
        })
    }

    /// Removes a story and all its versions; returns whether it existed.
    pub async fn remove_story(&self, id: i64) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            sqlx::query("DELETE FROM story_versions WHERE story_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let gone = sqlx::query("DELETE FROM stories WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(gone.rows_affected() > 0)
        })
    }

    /// What each story's latest version proves, in id order. Reads the columns derived from
    /// each judgment, never the judgments themselves.
    pub async fn story_evidence(&self) -> Result<Vec<StoryEvidence>> {
        let rows = with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT s.id, s.title, s.questions, v.score, v.verdict, v.competency_scores, \
                 v.disqualified, v.strengths, v.markdown \
                 FROM stories s JOIN story_versions v ON v.story_id = s.id \
                 AND v.version = (SELECT MAX(version) FROM story_versions WHERE story_id = s.id) \
                 ORDER BY s.id",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let scores: String = r.try_get("competency_scores")?;
                    let strengths: String = r.try_get("strengths")?;
                    let markdown: String = r.try_get("markdown")?;
                    Ok((
                        StoryEvidence {
                            id: r.try_get("id")?,
                            title: r.try_get("title")?,
                            questions: from_json_list(r.try_get("questions")?),
                            score: r.try_get("score")?,
                            competency_scores: serde_json::from_str(&scores).unwrap_or_default(),
                            verdict: r.try_get("verdict")?,
                            disqualified: r.try_get("disqualified")?,
                            strengths: from_json_list(&strengths).into_iter().collect(),
                            same_as: None,
                        },
                        model::text_key(&markdown),
                    ))
                })
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        })?;
        let mut first_with: HashMap<String, i64> = HashMap::new();
        Ok(rows
            .into_iter()
            .map(|(mut story, key)| {
                story.same_as = first_with.get(&key).copied();
                first_with.entry(key).or_insert(story.id);
                story
            })
            .collect())
    }

    /// The first story (id and title) whose latest text is the same as `markdown`'s (see
    /// [`text_key`]), leaving out story `except`.
    pub async fn story_with_text(
        &self,
        markdown: &str,
        except: Option<i64>,
    ) -> Result<Option<(i64, String)>> {
        let key = model::text_key(markdown);
        let rows: Vec<(i64, String, String)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.title, v.markdown \
                 FROM stories s JOIN story_versions v ON v.story_id = s.id \
                 AND v.version = (SELECT MAX(version) FROM story_versions WHERE story_id = s.id) \
                 ORDER BY s.id",
            )
            .fetch_all(&mut *pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .find(|(id, _, text)| Some(*id) != except && model::text_key(text) == key)
            .map(|(id, title, _)| (id, title)))
    }

    // ----- failure resume ------------------------------------------------------------------

    /// Adds an entry to the failure resume; returns its id.
    pub async fn add_failure(&self, entry: &NewFailure) -> Result<i64> {
        let now = date::now();
        let uid = new_uid();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO failures (uid, mistake, impact, systemic_change, created, updated) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(&uid)
            .bind(&entry.mistake)
            .bind(&entry.impact)
            .bind(&entry.systemic_change)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The failure resume, oldest first.
    pub async fn failures(&self) -> Result<Vec<Failure>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, uid, mistake, impact, systemic_change, created, updated \
                 FROM failures ORDER BY id",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter().map(failure_of).collect()
        })
    }

    /// One entry of the failure resume.
    pub async fn failure(&self, id: i64) -> Result<Option<Failure>> {
        with_pool!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, uid, mistake, impact, systemic_change, created, updated \
                 FROM failures WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *pool)
            .await?;
            row.as_ref().map(failure_of).transpose()
        })
    }

    /// Rewrites an entry of the failure resume; returns whether it existed.
    pub async fn update_failure(&self, id: i64, entry: &NewFailure) -> Result<bool> {
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let done = sqlx::query(
                "UPDATE failures SET mistake = $1, impact = $2, systemic_change = $3, \
                 updated = $4 WHERE id = $5",
            )
            .bind(&entry.mistake)
            .bind(&entry.impact)
            .bind(&entry.systemic_change)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes an entry of the failure resume; returns whether it existed.
    pub async fn remove_failure(&self, id: i64) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let gone = sqlx::query("DELETE FROM failures WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(gone.rows_affected() > 0)
        })
    }

    // ----- attempts ------------------------------------------------------------------------

    /// Saves a mock-interview attempt; returns its id.
    pub async fn add_attempt(&self, attempt: &NewAttempt<'_>) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let id = insert_attempt!(tx, attempt);
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Saves a spoken answer's attempt with its delivery (debrief-voice's `Delivery` as JSON).
    pub async fn add_spoken_attempt(
        &self,
        attempt: &NewAttempt<'_>,
        delivery: &serde_json::Value,
    ) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let id = insert_attempt!(tx, attempt, Some(delivery));
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Keeps the judgment of a whole interview on its main answer (attempt `answer`).
    pub async fn set_overall(&self, answer: i64, overall: &debrief_core::Judgment) -> Result<()> {
        let overall = serde_json::to_string(overall).expect("a judgment serialises");
        with_pool!(self, |pool| {
            sqlx::query("UPDATE attempts SET overall = $1 WHERE id = $2")
                .bind(&overall)
                .bind(answer)
                .execute(&mut *pool)
                .await?;
            Ok(())
        })
    }

    /// How many attempts of this kind are saved whose answer has at least `min_words` words,
    /// counting no further than `enough` (newest first, a page at a time: readiness needs ten,
    /// not all ten thousand answers read).
    pub async fn attempt_count(&self, kind: &str, min_words: usize, enough: i64) -> Result<i64> {
        const PAGE: i64 = 64;
        // A word takes at least one character and a separator, so shorter answers are skipped
        // by the database.
        let min_chars = i64::try_from(min_words.saturating_mul(2).saturating_sub(1)).unwrap_or(0);
        let mut found = 0;
        let mut before = i64::MAX;
        while found < enough {
            let page: Vec<(i64, String)> = with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, answer FROM attempts WHERE kind = $1 AND id < $2 \
                     AND LENGTH(answer) >= $3 ORDER BY id DESC LIMIT $4",
                )
                .bind(kind)
                .bind(before)
                .bind(min_chars)
                .bind(PAGE)
                .fetch_all(&mut *pool)
                .await
            })?;
            let Some((last, _)) = page.last() else { break };
            before = *last;
            found += page
                .iter()
                .filter(|(_, a)| a.split_whitespace().count() >= min_words)
                .count() as i64;
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        Ok(found.min(enough))
    }

    /// Every attempt, oldest first.
    pub async fn attempts(&self) -> Result<Vec<Attempt>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(select_attempts!("ORDER BY id"))
                .fetch_all(&mut *pool)
                .await?;
            rows.iter().map(sql::attempt_of).collect()
        })
    }

    // ----- reports -------------------------------------------------------------------------

    /// What was red in the `limit` most recent judgments, story versions and attempts
    /// together, newest first.
    pub async fn recent_red_marks(&self, limit: i64) -> Result<Vec<RedMarks>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT created, red_competencies, red_signals FROM ( \
                   SELECT id, 0 AS source, created, red_competencies, red_signals \
                   FROM story_versions ORDER BY created DESC, id DESC LIMIT $1) AS v \
                 UNION ALL \
                 SELECT created, red_competencies, red_signals FROM ( \
                   SELECT id, 1 AS source, created, red_competencies, red_signals \
                   FROM attempts ORDER BY created DESC, id DESC LIMIT $1) AS a \
                 ORDER BY created DESC",
            )
            .bind(limit)
            .fetch_all(&mut *pool)
            .await?;
            let mut marks = rows
                .iter()
                .map(|r| {
                    Ok(RedMarks {
                        created: r.try_get("created")?,
                        competencies: from_json_list(r.try_get("red_competencies")?),
                        signals: from_json_list(r.try_get("red_signals")?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            marks.truncate(usize::try_from(limit).unwrap_or(0));
            Ok(marks)
        })
    }

    /// Scores per day, story versions and attempts together, oldest day first.
    pub async fn scores_by_day(&self) -> Result<Vec<DayScores>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT day, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(score) AS BIGINT) AS total \
                 FROM (SELECT created / 86400 AS day, score FROM story_versions \
                       UNION ALL SELECT created / 86400 AS day, score FROM attempts) AS s \
                 GROUP BY day ORDER BY day",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DayScores {
                        day: r.try_get("day")?,
                        count: r.try_get("n")?,
                        total: r.try_get("total")?,
                    })
                })
                .collect()
        })
    }

    /// The delivery of every spoken answer and explanation (debrief-voice's `Delivery` as JSON)
    /// with when it was saved (Unix seconds), oldest first: the delivery trend.
    pub async fn deliveries(&self) -> Result<Vec<(i64, serde_json::Value)>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT created, delivery FROM attempts WHERE delivery IS NOT NULL \
                 UNION ALL SELECT created, delivery FROM explanations WHERE delivery IS NOT NULL \
                 ORDER BY created",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .filter_map(|r| {
                    let created = match r.try_get::<i64, _>("created") {
                        Ok(c) => c,
                        Err(e) => return Some(Err(e)),
                    };
                    match sql::optional_json_of(r, "delivery") {
                        Ok(d) => d.map(|d| Ok((created, d))),
                        Err(e) => Some(Err(e)),
                    }
                })
                .collect()
        })
    }

    // ----- settings ------------------------------------------------------------------------

    /// Sets a setting.
    pub async fn set_config(&self, key: &str, value: &str) -> Result<()> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            upsert_config!(&mut *tx, key, value).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a setting; returns whether it was set.
    pub async fn unset_config(&self, key: &str) -> Result<bool> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let gone = sqlx::query("DELETE FROM config WHERE key = $1")
                .bind(key)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(gone.rows_affected() > 0)
        })
    }

    /// One setting.
    pub async fn config(&self, key: &str) -> Result<Option<String>> {
        with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT value FROM config WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *pool)
                .await
        })
    }

    /// Every setting, by key.
    pub async fn config_all(&self) -> Result<BTreeMap<String, String>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query("SELECT key, value FROM config ORDER BY key")
                .fetch_all(&mut *pool)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("key")?, r.try_get("value")?)))
                .collect()
        })
    }
}

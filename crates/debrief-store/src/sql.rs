//! The pieces of SQL shared by several operations, and reading rows of either backend.
//!
//! Statements that bind values are macros: each expands inside a backend's arm of `with_pool!`,
//! so one text serves SQLite and PostgreSQL without generic trait bounds.

use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::error::Error;
use crate::model::{from_json_list, Failure, NewFailure, StoryMeta, StoryVersion};

/// Runs the same body against whichever backend the store has, so both share one code path, on
/// one connection of its pool (`$pool` is that connection; the body passes `&mut *pool`). A store
/// bound to one account of a cohort enters that account's role and schema on the connection
/// first, so nothing the body says can reach another account's tables. Driver errors are turned
/// into the user's words on the way out.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {{
        let store = &$store;
        let result: std::result::Result<_, sqlx::Error> = match &store.backend {
            Backend::Sqlite(p) => {
                async {
                    let mut conn = p.acquire().await?;
                    let $pool = &mut *conn;
                    $body
                }
                .await
            }
            Backend::Postgres(p) => {
                async {
                    let mut conn = p.acquire().await?;
                    if let Some(scope) = &store.scope {
                        scope.enter(&mut conn).await?;
                    }
                    let $pool = &mut *conn;
                    $body
                }
                .await
            }
        };
        result.map_err(|e| error::classify(e, &store.location))
    }};
}

/// Inserts a mock-interview attempt (`&NewAttempt`) in the open transaction `$tx`, with the
/// delivery of a spoken one (`Option<&Value>`); evaluates to its id.
macro_rules! insert_attempt {
    ($tx:ident, $attempt:expr) => {
        insert_attempt!($tx, $attempt, None::<&serde_json::Value>)
    };
    ($tx:ident, $attempt:expr, $delivery:expr) => {{
        let attempt: &$crate::NewAttempt<'_> = $attempt;
        let judgment = serde_json::to_value(attempt.judgment).expect("a judgment serialises");
        let derived = $crate::model::Derived::from_judgment(&judgment);
        let id: i64 = sqlx::query_scalar($crate::sql::INSERT_ATTEMPT)
            .bind($crate::sql::new_uid())
            .bind(attempt.kind)
            .bind(attempt.question)
            .bind(attempt.answer)
            .bind(judgment.to_string())
            .bind(derived.score)
            .bind(&derived.verdict)
            .bind(&derived.competency_scores)
            .bind(&derived.red_competencies)
            .bind(&derived.red_signals)
            .bind(attempt.seconds)
            .bind($crate::date::now())
            .bind(attempt.probe)
            .bind(None::<String>)
            .bind($delivery.map(|d| d.to_string()))
            .fetch_one(&mut *$tx)
            .await?;
        id
    }};
}

/// Inserts one of the candidate's own cards (`UserCard`) at `$position` in its file; `$conflict`
/// says what a card already kept becomes (`DO NOTHING`, or an update).
macro_rules! insert_user_card {
    ($conn:expr, $card:expr, $created:expr, $position:expr, $conflict:literal) => {
        sqlx::query(concat!(
            "INSERT INTO user_cards (id, deck, deck_name, front, back, why, created, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) ",
            $conflict
        ))
        .bind(&$card.id)
        .bind(&$card.deck)
        .bind(&$card.deck_name)
        .bind(&$card.front)
        .bind(&$card.back)
        .bind(&$card.why)
        .bind($created)
        .bind($position as i64)
        .execute($conn)
    };
}

/// Inserts one judged version of a story unless that version number is already kept.
macro_rules! insert_version {
    ($conn:expr, $story:expr, $version:expr, $markdown:expr, $judgment:expr, $derived:expr, $created:expr) => {
        sqlx::query(
            "INSERT INTO story_versions (story_id, version, markdown, judgment, score, verdict, \
             competency_scores, red_competencies, red_signals, created, disqualified, strengths) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (story_id, version) DO NOTHING",
        )
        .bind($story)
        .bind($version)
        .bind($markdown)
        .bind($judgment)
        .bind($derived.score)
        .bind(&$derived.verdict)
        .bind(&$derived.competency_scores)
        .bind(&$derived.red_competencies)
        .bind(&$derived.red_signals)
        .bind($created)
        .bind($derived.disqualified)
        .bind(&$derived.strengths)
        .execute($conn)
    };
}

/// Sets one setting.
macro_rules! upsert_config {
    ($conn:expr, $key:expr, $value:expr) => {
        sqlx::query(
            "INSERT INTO config (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind($key)
        .bind($value)
        .execute($conn)
    };
}

/// Inserts an attempt with a new id; binds uid, kind, question, answer, judgment, score,
/// verdict, competency scores, red competencies, red signals, seconds, created.
pub(crate) const INSERT_ATTEMPT: &str = "INSERT INTO attempts (uid, kind, question, answer, \
     judgment, score, verdict, competency_scores, red_competencies, red_signals, seconds, created, \
     probe, overall, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
     $15) RETURNING id";

/// The same with the id given as `$16`, for imports that keep the exported ids.
pub(crate) const INSERT_ATTEMPT_WITH_ID: &str = "INSERT INTO attempts (uid, kind, question, \
     answer, judgment, score, verdict, competency_scores, red_competencies, red_signals, seconds, \
     created, probe, overall, delivery, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16) RETURNING id";

/// Title, tags and questions from a `stories` row.
pub(crate) fn meta_of<R: Row>(r: &R) -> Result<StoryMeta, sqlx::Error>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    Ok(StoryMeta {
        title: r.try_get("title")?,
        tags: from_json_list(&r.try_get::<String, _>("tags")?),
        questions: from_json_list(&r.try_get::<String, _>("questions")?),
    })
}

/// A JSON text column as a value.
pub(crate) fn json_of<R: Row>(r: &R, column: &'static str) -> Result<Value, sqlx::Error>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A nullable JSON text column; `None` when NULL.
pub(crate) fn optional_json_of<R: Row>(
    r: &R,
    column: &'static str,
) -> Result<Option<Value>, sqlx::Error>
where
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    let text: Option<String> = r.try_get(column)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

/// An `attempts` row read with every column `Attempt` has.
pub(crate) fn attempt_of<R: Row>(r: &R) -> Result<crate::Attempt, sqlx::Error>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    Ok(crate::Attempt {
        id: r.try_get("id")?,
        uid: r.try_get("uid")?,
        kind: r.try_get("kind")?,
        question: r.try_get("question")?,
        probe: r.try_get("probe")?,
        answer: r.try_get("answer")?,
        judgment: json_of(r, "judgment")?,
        overall: optional_json_of(r, "overall")?,
        delivery: optional_json_of(r, "delivery")?,
        score: r.try_get("score")?,
        verdict: r.try_get("verdict")?,
        seconds: r.try_get("seconds")?,
        created: r.try_get("created")?,
    })
}

/// `SELECT` with the columns [`attempt_of`] reads, then the rest of the query.
macro_rules! select_attempts {
    ($rest:literal) => {
        concat!(
            "SELECT id, uid, kind, question, probe, answer, judgment, overall, delivery, score, \
             verdict, seconds, created FROM attempts ",
            $rest
        )
    };
}

/// A `story_versions` row.
pub(crate) fn version_of<R: Row>(v: &R) -> Result<StoryVersion, sqlx::Error>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    Ok(StoryVersion {
        version: v.try_get("version")?,
        markdown: v.try_get("markdown")?,
        judgment: json_of(v, "judgment")?,
        score: v.try_get("score")?,
        verdict: v.try_get("verdict")?,
        created: v.try_get("created")?,
    })
}

/// A `failures` row.
pub(crate) fn failure_of<R: Row>(r: &R) -> Result<Failure, sqlx::Error>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    &'static str: ColumnIndex<R>,
{
    Ok(Failure {
        id: r.try_get("id")?,
        uid: r.try_get("uid")?,
        entry: NewFailure {
            mistake: r.try_get("mistake")?,
            impact: r.try_get("impact")?,
            systemic_change: r.try_get("systemic_change")?,
        },
        created: r.try_get("created")?,
        updated: r.try_get("updated")?,
    })
}

/// A random id for a record, unique across machines so that exports merge: 128 bits from the
/// standard library's randomly seeded hasher, the clock, the process and a counter.
pub fn new_uid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(nanos);
        h.write_u64(count);
        h.write_u32(std::process::id());
        h.write_u64(salt);
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &rest[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

/// The file a SQLite URL or plain path names.
pub(crate) fn sqlite_path(url: &str) -> Result<PathBuf, Error> {
    let path = if let Some(p) = url.strip_prefix("sqlite://") {
        p
    } else if let Some(p) = url.strip_prefix("sqlite:") {
        p
    } else if url.contains("://") || url.is_empty() {
        return Err(Error::BadUrl(redact(url)));
    } else {
        url
    };
    // `sqlite://PATH?mode=...` options are not ours to take: the store sets its own.
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return Err(Error::BadUrl(url.to_string()));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_from_messages() {
        assert_eq!(
            redact("postgres://me:secret@db.local/debrief"),
            "postgres://me:***@db.local/debrief"
        );
        assert_eq!(
            redact("postgres://me@127.0.0.1:5432/x"),
            "postgres://me@127.0.0.1:5432/x"
        );
    }

    #[test]
    fn sqlite_urls_and_plain_paths_name_a_file() {
        assert_eq!(
            sqlite_path("/tmp/a.sqlite").unwrap(),
            PathBuf::from("/tmp/a.sqlite")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/a.sqlite").unwrap(),
            PathBuf::from("/tmp/a.sqlite")
        );
        assert_eq!(
            sqlite_path("sqlite://rel/a.sqlite?mode=rwc").unwrap(),
            PathBuf::from("rel/a.sqlite")
        );
        assert!(matches!(sqlite_path("mysql://x/y"), Err(Error::BadUrl(_))));
    }

    #[test]
    fn uids_do_not_repeat() {
        let a: std::collections::HashSet<String> = (0..1000).map(|_| new_uid()).collect();
        assert_eq!(a.len(), 1000);
    }
}

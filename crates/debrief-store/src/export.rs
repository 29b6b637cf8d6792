//! Everything in the store as one value, and merging such a value back in.
//!
//! Records are matched by `uid`, so importing the same export twice adds nothing. Ids are kept
//! when they are free, so an export imported into an empty home gives the same ids. The whole
//! import is one transaction: one stopped part-way (an error, a full disk, `kill -9`) leaves the
//! store as it was, and running it again imports everything.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::model::{to_json_list, Attempt, Derived, Failure, StoryMeta, StoryVersion};
use crate::practice::{Review, SavedExplanation, UserCard};
use crate::sql;
use crate::{date, error, Backend, Result, Store};

/// The `format` field of an export.
pub const EXPORT_FORMAT: &str = "debrief-export";

/// How often (in records) an import reports its progress.
pub const PROGRESS_EVERY: usize = 500;

// Each macro below writes one record of an export inside the import's transaction `$tx` and
// evaluates to what it added; they are macros so that one body serves SQLite and PostgreSQL.

/// One story and its versions; evaluates to (stories added, versions added).
macro_rules! import_story {
    ($tx:ident, $story:expr, $reset:expr) => {{
        let story: &ExportedStory = $story;
        let known: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, updated FROM stories WHERE uid = $1")
                .bind(&story.uid)
                .fetch_optional(&mut *$tx)
                .await?;
        let (id, added) = match known {
            Some((id, updated)) => {
                if story.updated > updated {
                    sqlx::query(
                        "UPDATE stories SET title = $1, tags = $2, questions = $3, updated = $4 \
                         WHERE id = $5",
                    )
                    .bind(&story.meta.title)
                    .bind(to_json_list(&story.meta.tags))
                    .bind(to_json_list(&story.meta.questions))
                    .bind(story.updated)
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
                }
                (id, 0)
            }
            None => {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM stories WHERE id = $1")
                    .bind(story.id)
                    .fetch_optional(&mut *$tx)
                    .await?;
                let keep_id = taken.is_none();
                let sql = if keep_id {
                    "INSERT INTO stories (uid, title, tags, questions, created, updated, id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
                } else {
                    "INSERT INTO stories (uid, title, tags, questions, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
                };
                let mut q = sqlx::query_scalar(sql)
                    .bind(&story.uid)
                    .bind(&story.meta.title)
                    .bind(to_json_list(&story.meta.tags))
                    .bind(to_json_list(&story.meta.questions))
                    .bind(story.created)
                    .bind(story.updated);
                if keep_id {
                    q = q.bind(story.id);
                }
                let id: i64 = q.fetch_one(&mut *$tx).await?;
                if keep_id {
                    if let Some(reset) = $reset {
                        sqlx::query(reset).execute(&mut *$tx).await?;
                    }
                }
                (id, 1_u64)
            }
        };
        let mut versions = 0;
        for v in &story.versions {
            let derived = Derived::from_judgment(&v.judgment);
            let judgment = v.judgment.to_string();
            let done = insert_version!(
                &mut *$tx,
                id,
                v.version,
                &v.markdown,
                &judgment,
                &derived,
                v.created
            )
            .await?;
            versions += done.rows_affected();
        }
        (added, versions)
    }};
}

/// One failure resume entry; evaluates to 1 if it was new, else 0.
macro_rules! import_failure {
    ($tx:ident, $failure:expr) => {{
        let f: &Failure = $failure;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM failures WHERE uid = $1")
            .bind(&f.uid)
            .fetch_optional(&mut *$tx)
            .await?;
        if known.is_some() {
            0_u64
        } else {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM failures WHERE id = $1")
                .bind(f.id)
                .fetch_optional(&mut *$tx)
                .await?;
            let sql = if taken.is_none() {
                "INSERT INTO failures (uid, mistake, impact, systemic_change, created, updated, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            } else {
                "INSERT INTO failures (uid, mistake, impact, systemic_change, created, updated) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            };
            let mut q = sqlx::query(sql)
                .bind(&f.uid)
                .bind(&f.entry.mistake)
                .bind(&f.entry.impact)
                .bind(&f.entry.systemic_change)
                .bind(f.created)
                .bind(f.updated);
            if taken.is_none() {
                q = q.bind(f.id);
            }
            q.execute(&mut *$tx).await?;
            1
        }
    }};
}

/// One attempt; evaluates to 1 if it was new, else 0.
macro_rules! import_attempt {
    ($tx:ident, $attempt:expr) => {{
        let a: &Attempt = $attempt;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM attempts WHERE uid = $1")
            .bind(&a.uid)
            .fetch_optional(&mut *$tx)
            .await?;
        if known.is_some() {
            0_u64
        } else {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM attempts WHERE id = $1")
                .bind(a.id)
                .fetch_optional(&mut *$tx)
                .await?;
            let derived = Derived::from_judgment(&a.judgment);
            let sql = if taken.is_none() {
                sql::INSERT_ATTEMPT_WITH_ID
            } else {
                sql::INSERT_ATTEMPT
            };
            let mut q = sqlx::query_scalar::<_, i64>(sql)
                .bind(&a.uid)
                .bind(&a.kind)
                .bind(&a.question)
                .bind(&a.answer)
                .bind(a.judgment.to_string())
                .bind(derived.score)
                .bind(&derived.verdict)
                .bind(&derived.competency_scores)
                .bind(&derived.red_competencies)
                .bind(&derived.red_signals)
                .bind(a.seconds)
                .bind(a.created)
                .bind(&a.probe)
                .bind(a.overall.as_ref().map(|o| o.to_string()))
                .bind(a.delivery.as_ref().map(|d| d.to_string()));
            if taken.is_none() {
                q = q.bind(a.id);
            }
            q.fetch_one(&mut *$tx).await?;
            1
        }
    }};
}

/// One flashcard review; evaluates to whether it was new (the card's state is rebuilt after,
/// by `rebuild_card_state!`).
macro_rules! import_review {
    ($tx:ident, $review:expr) => {{
        let r: &Review = $review;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM reviews WHERE uid = $1")
            .bind(&r.uid)
            .fetch_optional(&mut *$tx)
            .await?;
        if known.is_some() {
            false
        } else {
            sqlx::query(
                "INSERT INTO reviews (uid, card, deck, rating, due, stability, difficulty, \
                 elapsed_days, reviewed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&r.uid)
            .bind(&r.card)
            .bind(&r.deck)
            .bind(i64::from(r.rating))
            .bind(r.due)
            .bind(r.stability)
            .bind(r.difficulty)
            .bind(r.elapsed_days)
            .bind(r.reviewed)
            .execute(&mut *$tx)
            .await?;
            true
        }
    }};
}

/// A card's scheduling state, rebuilt from its whole review log.
macro_rules! rebuild_card_state {
    ($tx:ident, $card:expr) => {{
        let card: &str = $card;
        let last = sqlx::query(
            "SELECT deck, due, stability, difficulty, reviewed FROM reviews \
             WHERE card = $1 ORDER BY reviewed DESC, id DESC LIMIT 1",
        )
        .bind(card)
        .fetch_one(&mut *$tx)
        .await?;
        let counts = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END) AS BIGINT) AS lapses \
             FROM reviews WHERE card = $1",
        )
        .bind(card)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO card_states (card, deck, due, stability, difficulty, reviews, \
             lapses, last_review) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (card) DO UPDATE SET deck = excluded.deck, due = excluded.due, \
             stability = excluded.stability, difficulty = excluded.difficulty, \
             reviews = excluded.reviews, lapses = excluded.lapses, \
             last_review = excluded.last_review",
        )
        .bind(card)
        .bind(last.try_get::<String, _>("deck")?)
        .bind(last.try_get::<i64, _>("due")?)
        .bind(last.try_get::<f64, _>("stability")?)
        .bind(last.try_get::<f64, _>("difficulty")?)
        .bind(counts.try_get::<i64, _>("n")?)
        .bind(counts.try_get::<Option<i64>, _>("lapses")?.unwrap_or(0))
        .bind(last.try_get::<i64, _>("reviewed")?)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// One saved explanation; evaluates to 1 if it was new, else 0.
macro_rules! import_explanation {
    ($tx:ident, $saved:expr) => {{
        let e: &SavedExplanation = $saved;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM explanations WHERE uid = $1")
            .bind(&e.uid)
            .fetch_optional(&mut *$tx)
            .await?;
        if known.is_some() {
            0_u64
        } else {
            sqlx::query(
                "INSERT INTO explanations (uid, topic, text, judgment, score, passed, \
                 seconds, created, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&e.uid)
            .bind(&e.topic)
            .bind(&e.text)
            .bind(e.judgment.to_string())
            .bind(e.score)
            .bind(e.passed)
            .bind(e.seconds)
            .bind(e.created)
            .bind(e.delivery.as_ref().map(|d| d.to_string()))
            .execute(&mut *$tx)
            .await?;
            1
        }
    }};
}

/// Everything the store keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreExport {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// The export format's version (1).
    pub version: u32,
    /// Every story with every version.
    pub stories: Vec<ExportedStory>,
    /// The failure resume.
    pub failures: Vec<Failure>,
    /// Every mock-interview attempt.
    pub attempts: Vec<Attempt>,
    /// Every setting.
    pub config: BTreeMap<String, String>,
    /// Every flashcard review; the cards' current states are rebuilt from them on import.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Every timed explanation.
    #[serde(default)]
    pub explanations: Vec<SavedExplanation>,
    /// The candidate's own flashcards (`debrief cards import`).
    #[serde(default)]
    pub user_cards: Vec<UserCard>,
}

/// A story with every version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedStory {
    /// The id the candidate typed.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// Title, tags and questions.
    #[serde(flatten)]
    pub meta: StoryMeta,
    /// When it was added (Unix seconds).
    pub created: i64,
    /// When its last version was saved (Unix seconds).
    pub updated: i64,
    /// Every version, oldest first.
    pub versions: Vec<StoryVersion>,
}

/// What an import added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Stories new to this store.
    pub stories: u64,
    /// Versions new to this store (of new or known stories).
    pub versions: u64,
    /// Failure resume entries new to this store.
    pub failures: u64,
    /// Attempts new to this store.
    pub attempts: u64,
    /// Settings written.
    pub config: u64,
    /// Flashcard reviews new to this store.
    #[serde(default)]
    pub reviews: u64,
    /// Explanations new to this store.
    #[serde(default)]
    pub explanations: u64,
    /// The candidate's own flashcards new to this store.
    #[serde(default)]
    pub user_cards: u64,
}

impl Store {
    /// Everything in the store.
    pub async fn export(&self) -> Result<StoreExport> {
        let stories = with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, uid, title, tags, questions, created, updated FROM stories ORDER BY id",
            )
            .fetch_all(&mut *pool)
            .await?;
            let versions = sqlx::query(
                "SELECT story_id, version, markdown, judgment, score, verdict, created \
                 FROM story_versions ORDER BY story_id, version",
            )
            .fetch_all(&mut *pool)
            .await?;
            let mut by_story: BTreeMap<i64, Vec<StoryVersion>> = BTreeMap::new();
            for v in &versions {
                by_story
                    .entry(v.try_get("story_id")?)
                    .or_default()
                    .push(sql::version_of(v)?);
            }
            rows.iter()
                .map(|r| {
                    let id: i64 = r.try_get("id")?;
                    Ok(ExportedStory {
                        id,
                        uid: r.try_get("uid")?,
                        meta: sql::meta_of(r)?,
                        created: r.try_get("created")?,
                        updated: r.try_get("updated")?,
                        versions: by_story.remove(&id).unwrap_or_default(),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        Ok(StoreExport {
            format: EXPORT_FORMAT.to_string(),
            version: 1,
            stories,
            failures: self.failures().await?,
            attempts: self.attempts().await?,
            config: self.config_all().await?,
            reviews: self.reviews().await?,
            explanations: self.explanations().await?,
            user_cards: self.user_cards().await?,
        })
    }

    /// Merges an export into the store: records it already has (by uid) are left alone, new
    /// versions of known stories are added. Everything goes in one transaction: an import that
    /// fails or is killed part-way leaves the store as it was, and running it again completes it.
    pub async fn import(&self, export: &StoreExport) -> Result<ImportReport> {
        self.import_with_progress(export, |_, _| {}).await
    }

    /// [`Store::import`], calling `progress(done, total)` as records are written (every
    /// [`PROGRESS_EVERY`] records, and once at the end).
    pub async fn import_with_progress(
        &self,
        export: &StoreExport,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<ImportReport> {
        if export.format != EXPORT_FORMAT {
            return Err(crate::Error::BadExport(format!(
                "the file is not a debrief export (format {:?})",
                export.format
            )));
        }
        if export.version > 1 {
            return Err(crate::Error::BadExport(format!(
                "the export is of format version {}, newer than this debrief knows (1); upgrade debrief",
                export.version
            )));
        }
        let total = export.config.len()
            + export.stories.len()
            + export.failures.len()
            + export.attempts.len()
            + export.reviews.len()
            + export.explanations.len()
            + export.user_cards.len();
        let mut done = 0;
        let mut tick = |n: usize| {
            let before = done / PROGRESS_EVERY;
            done += n;
            if done / PROGRESS_EVERY > before {
                progress(done, total);
            }
        };
        let stories_reset = self.sequence_reset("stories");
        let failures_reset = self.sequence_reset("failures");
        let attempts_reset = self.sequence_reset("attempts");
        let report = with_pool!(self, |pool| {
            let mut report = ImportReport::default();
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            for (key, value) in &export.config {
                upsert_config!(&mut *tx, key.as_str(), value.as_str()).await?;
                report.config += 1;
                tick(1);
            }
            for story in &export.stories {
                let (stories, versions) = import_story!(tx, story, stories_reset);
                report.stories += stories;
                report.versions += versions;
                tick(1);
            }
            for f in &export.failures {
                report.failures += import_failure!(tx, f);
                tick(1);
            }
            if let Some(reset) = failures_reset {
                sqlx::query(reset).execute(&mut *tx).await?;
            }
            for a in &export.attempts {
                report.attempts += import_attempt!(tx, a);
                tick(1);
            }
            if let Some(reset) = attempts_reset {
                sqlx::query(reset).execute(&mut *tx).await?;
            }
            let mut touched = std::collections::BTreeSet::new();
            for r in &export.reviews {
                if import_review!(tx, r) {
                    touched.insert(r.card.as_str());
                    report.reviews += 1;
                }
                tick(1);
            }
            for card in touched {
                rebuild_card_state!(tx, card);
            }
            for e in &export.explanations {
                report.explanations += import_explanation!(tx, e);
                tick(1);
            }
            for (position, c) in export.user_cards.iter().enumerate() {
                let done =
                    insert_user_card!(&mut *tx, c, date::now(), position, "DO NOTHING").await?;
                report.user_cards += done.rows_affected();
                tick(1);
            }
            tx.commit().await?;
            Ok(report)
        })?;
        if !total.is_multiple_of(PROGRESS_EVERY) || total == 0 {
            progress(total, total);
        }
        Ok(report)
    }

    /// On PostgreSQL, the statement that moves a table's id sequence past ids inserted
    /// explicitly (SQLite does this by itself).
    fn sequence_reset(&self, table: &str) -> Option<&'static str> {
        match self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(_) => Some(match table {
                "stories" => {
                    "SELECT setval(pg_get_serial_sequence('stories', 'id'), \
                              (SELECT COALESCE(MAX(id), 0) + 1 FROM stories), false)"
                }
                "failures" => {
                    "SELECT setval(pg_get_serial_sequence('failures', 'id'), \
                               (SELECT COALESCE(MAX(id), 0) + 1 FROM failures), false)"
                }
                _ => {
                    "SELECT setval(pg_get_serial_sequence('attempts', 'id'), \
                      (SELECT COALESCE(MAX(id), 0) + 1 FROM attempts), false)"
                }
            }),
        }
    }
}

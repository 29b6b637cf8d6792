//! Everything in the store as one value, and merging such a value back in.
//!
//! Records are matched by `uid`, so importing the same export twice adds nothing. Ids are kept
//! when they are free, so an export imported into an empty home gives the same ids. Each story
//! (with all its versions) is one transaction, and so is each batch of failures or attempts: an
//! import stopped part-way leaves whole records only, and running it again completes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::model::{to_json_list, Attempt, Derived, Failure, StoryMeta, StoryVersion};
use crate::practice::{Review, SavedExplanation};
use crate::sql;
use crate::{error, Backend, Result, Store};

/// The `format` field of an export.
pub const EXPORT_FORMAT: &str = "debrief-export";

/// How many failures or attempts one import transaction carries.
const BATCH: usize = 250;

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
}

impl Store {
    /// Everything in the store.
    pub async fn export(&self) -> Result<StoreExport> {
        let stories = with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, uid, title, tags, questions, created, updated FROM stories ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            let versions = sqlx::query(
                "SELECT story_id, version, markdown, judgment, score, verdict, created \
                 FROM story_versions ORDER BY story_id, version",
            )
            .fetch_all(pool)
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
        })
    }

    /// Merges an export into the store: records it already has (by uid) are left alone, new
    /// versions of known stories are added.
    pub async fn import(&self, export: &StoreExport) -> Result<ImportReport> {
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
        let mut report = ImportReport::default();
        for chunk in export.config.iter().collect::<Vec<_>>().chunks(BATCH) {
            report.config += with_pool!(self, |pool| {
                let mut tx = pool.begin().await?;
                for (key, value) in chunk {
                    upsert_config!(&mut *tx, key.as_str(), value.as_str()).await?;
                }
                tx.commit().await?;
                Ok(chunk.len() as u64)
            })?;
        }
        for story in &export.stories {
            let (stories, versions) = self.import_story(story).await?;
            report.stories += stories;
            report.versions += versions;
        }
        for chunk in export.failures.chunks(BATCH) {
            report.failures += self.import_failures(chunk).await?;
        }
        for chunk in export.attempts.chunks(BATCH) {
            report.attempts += self.import_attempts(chunk).await?;
        }
        for chunk in export.reviews.chunks(BATCH) {
            report.reviews += self.import_reviews(chunk).await?;
        }
        for chunk in export.explanations.chunks(BATCH) {
            report.explanations += self.import_explanations(chunk).await?;
        }
        Ok(report)
    }

    /// One story and its versions in one transaction; returns (stories added, versions added).
    async fn import_story(&self, story: &ExportedStory) -> Result<(u64, u64)> {
        let reset = self.sequence_reset("stories");
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let known: Option<(i64, i64)> =
                sqlx::query_as("SELECT id, updated FROM stories WHERE uid = $1")
                    .bind(&story.uid)
                    .fetch_optional(&mut *tx)
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
                        .execute(&mut *tx)
                        .await?;
                    }
                    (id, 0)
                }
                None => {
                    let taken: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM stories WHERE id = $1")
                            .bind(story.id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let (sql, keep_id) = if taken.is_none() {
                        (
                            "INSERT INTO stories (uid, title, tags, questions, created, updated, id) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                            true,
                        )
                    } else {
                        (
                            "INSERT INTO stories (uid, title, tags, questions, created, updated) \
                             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                            false,
                        )
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
                    let id: i64 = q.fetch_one(&mut *tx).await?;
                    if keep_id {
                        if let Some(reset) = reset {
                            sqlx::query(reset).execute(&mut *tx).await?;
                        }
                    }
                    (id, 1)
                }
            };
            let mut versions = 0;
            for v in &story.versions {
                let derived = Derived::from_judgment(&v.judgment);
                let judgment = v.judgment.to_string();
                let done = insert_version!(
                    &mut *tx,
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
            tx.commit().await?;
            Ok((added, versions))
        })
    }

    async fn import_failures(&self, failures: &[Failure]) -> Result<u64> {
        let reset = self.sequence_reset("failures");
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for f in failures {
                let known: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM failures WHERE uid = $1")
                        .bind(&f.uid)
                        .fetch_optional(&mut *tx)
                        .await?;
                if known.is_some() {
                    continue;
                }
                let taken: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM failures WHERE id = $1")
                        .bind(f.id)
                        .fetch_optional(&mut *tx)
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
                q.execute(&mut *tx).await?;
                added += 1;
            }
            if let Some(reset) = reset {
                sqlx::query(reset).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    async fn import_attempts(&self, attempts: &[Attempt]) -> Result<u64> {
        let reset = self.sequence_reset("attempts");
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for a in attempts {
                let known: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM attempts WHERE uid = $1")
                        .bind(&a.uid)
                        .fetch_optional(&mut *tx)
                        .await?;
                if known.is_some() {
                    continue;
                }
                let taken: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM attempts WHERE id = $1")
                        .bind(a.id)
                        .fetch_optional(&mut *tx)
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
                    .bind(a.created);
                if taken.is_none() {
                    q = q.bind(a.id);
                }
                q.fetch_one(&mut *tx).await?;
                added += 1;
            }
            if let Some(reset) = reset {
                sqlx::query(reset).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(added)
        })
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

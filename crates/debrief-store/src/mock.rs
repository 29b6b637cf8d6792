//! A mock interview in progress, timed by the server: the web app keeps which step the candidate
//! is answering (the question, then each follow-up), when its countdown started and the attempts
//! saved so far. Starting a step and saving its answer are each one conditional update, so a
//! refreshed page or a form sent twice starts or saves nothing twice.

use serde::Serialize;
use sqlx::Row;

use crate::model::{from_json_list, to_json_list};
use crate::{date, error, sql, Attempt, Backend, NewAttempt, Result, Store};

/// How long an unfinished interview is kept before a new one clears it away (seven days).
pub const ABANDONED_AFTER: i64 = 7 * 86_400;

/// A mock interview as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mock {
    /// The store's id.
    pub id: i64,
    /// The question's id.
    pub question: String,
    /// The countdown of each answer, in seconds.
    pub seconds: i64,
    /// The follow-ups chosen after the answer, in the order they are asked.
    pub probes: Vec<String>,
    /// How many answers are saved: 0 while the question is answered, then 1 per follow-up.
    pub step: i64,
    /// When the current step's countdown started (Unix seconds); `None` until it is started.
    pub step_started: Option<i64>,
    /// The attempts saved, the answer first.
    pub attempts: Vec<i64>,
    /// When the interview ended (Unix seconds).
    pub finished: Option<i64>,
    /// When it was created.
    pub created: i64,
}

impl Mock {
    /// What the candidate answers at the current step: `Some(None)` the question itself,
    /// `Some(Some(probe))` a follow-up, `None` when nothing is left to answer.
    pub fn asking(&self) -> Option<Option<&str>> {
        if self.finished.is_some() {
            return None;
        }
        match self.step {
            0 => Some(None),
            n => self
                .probes
                .get(usize::try_from(n - 1).ok()?)
                .map(|p| Some(p.as_str())),
        }
    }

    /// Seconds taken so far on the current step at `now` (0 before it started).
    pub fn elapsed(&self, now: i64) -> i64 {
        self.step_started
            .map_or(0, |s| (now - s).clamp(0, 24 * 3600))
    }
}

/// What saving a step's answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MockSaved {
    /// Saved as this attempt.
    Saved(i64),
    /// Not saved: that step was already answered, not started, or the interview is over (a
    /// refresh or a second click sends the form again).
    Stale,
}

/// A JSON list of ids; anything else reads as empty.
fn ids_of(text: &str) -> Vec<i64> {
    serde_json::from_str(text).unwrap_or_default()
}

fn mock_of<R: Row>(r: &R) -> std::result::Result<Mock, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    let probes: String = r.try_get("probes")?;
    let attempts: String = r.try_get("attempts")?;
    Ok(Mock {
        id: r.try_get("id")?,
        question: r.try_get("question")?,
        seconds: r.try_get("seconds")?,
        probes: from_json_list(&probes),
        step: r.try_get("step")?,
        step_started: r.try_get("step_started")?,
        attempts: ids_of(&attempts),
        finished: r.try_get("finished")?,
        created: r.try_get("created")?,
    })
}

impl Store {
    /// Starts a mock interview on `question` with its countdown running from now; returns its id.
    /// Interviews left unfinished for [`ABANDONED_AFTER`] go at the same time (their answers,
    /// saved as attempts, stay).
    pub async fn start_mock(&self, question: &str, seconds: i64) -> Result<i64> {
        self.start_mock_at(question, seconds, date::now()).await
    }

    /// [`Store::start_mock`] as if it were `now` (Unix seconds).
    pub async fn start_mock_at(&self, question: &str, seconds: i64, now: i64) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            sqlx::query("DELETE FROM mocks WHERE finished IS NULL AND created < $1")
                .bind(now - ABANDONED_AFTER)
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO mocks (question, seconds, probes, step, step_started, attempts, \
                 created) VALUES ($1, $2, '[]', 0, $3, '[]', $3) RETURNING id",
            )
            .bind(question)
            .bind(seconds)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The mock interview with this id.
    pub async fn mock(&self, id: i64) -> Result<Option<Mock>> {
        with_pool!(self, |pool| {
            sqlx::query(
                "SELECT id, question, seconds, probes, step, step_started, attempts, finished, \
                 created FROM mocks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *pool)
            .await?
            .as_ref()
            .map(mock_of)
            .transpose()
        })
    }

    /// Starts the countdown of `step` now, unless it already runs, was answered, or the
    /// interview is over; returns whether it started.
    pub async fn start_mock_step(&self, id: i64, step: i64) -> Result<bool> {
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let done = sqlx::query(
                "UPDATE mocks SET step_started = $1 WHERE id = $2 AND step = $3 \
                 AND step_started IS NULL AND finished IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Saves the answer to `step` as an attempt and moves to the next step, in one
    /// transaction; the answer to the question also sets the follow-ups to ask (`probes`). A
    /// step that is not the running one saves nothing ([`MockSaved::Stale`]).
    pub async fn save_mock_answer(
        &self,
        id: i64,
        step: i64,
        attempt: &NewAttempt<'_>,
        probes: &[String],
    ) -> Result<MockSaved> {
        self.save_step(id, step, attempt, probes, None).await
    }

    /// [`Store::save_mock_answer`] for a spoken answer: the attempt is saved with its delivery
    /// (debrief-voice's `Delivery` as JSON) in the same transaction.
    pub async fn save_spoken_mock_answer(
        &self,
        id: i64,
        step: i64,
        attempt: &NewAttempt<'_>,
        probes: &[String],
        delivery: &serde_json::Value,
    ) -> Result<MockSaved> {
        self.save_step(id, step, attempt, probes, Some(delivery))
            .await
    }

    async fn save_step(
        &self,
        id: i64,
        step: i64,
        attempt: &NewAttempt<'_>,
        probes: &[String],
        delivery: Option<&serde_json::Value>,
    ) -> Result<MockSaved> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let moved = sqlx::query(
                "UPDATE mocks SET step = step + 1, step_started = NULL, \
                 probes = CASE WHEN step = 0 THEN $1 ELSE probes END \
                 WHERE id = $2 AND step = $3 AND step_started IS NOT NULL AND finished IS NULL",
            )
            .bind(to_json_list(probes))
            .bind(id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(MockSaved::Stale);
            }
            let attempt_id = insert_attempt!(tx, attempt, delivery);
            let attempts: String = sqlx::query_scalar("SELECT attempts FROM mocks WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let mut list = ids_of(&attempts);
            list.push(attempt_id);
            sqlx::query("UPDATE mocks SET attempts = $1 WHERE id = $2")
                .bind(serde_json::to_string(&list).expect("ids serialise"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(MockSaved::Saved(attempt_id))
        })
    }

    /// Ends the interview with the judgment of the whole of it, kept on its main answer; returns
    /// false when it had already ended (nothing is written twice).
    pub async fn finish_mock(&self, id: i64, overall: &debrief_core::Judgment) -> Result<bool> {
        let overall = serde_json::to_string(overall).expect("a judgment serialises");
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let ended = sqlx::query(
                "UPDATE mocks SET finished = $1, step_started = NULL \
                 WHERE id = $2 AND finished IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if ended.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            let attempts: String = sqlx::query_scalar("SELECT attempts FROM mocks WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(first) = ids_of(&attempts).first() {
                sqlx::query("UPDATE attempts SET overall = $1 WHERE id = $2")
                    .bind(&overall)
                    .bind(*first)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The attempts with these ids, in the order given; ids not found are left out.
    pub async fn attempts_with_ids(&self, ids: &[i64]) -> Result<Vec<Attempt>> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let row = with_pool!(self, |pool| {
                sqlx::query(select_attempts!("WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *pool)
                    .await?
                    .as_ref()
                    .map(sql::attempt_of)
                    .transpose()
            })?;
            out.extend(row);
        }
        Ok(out)
    }
}

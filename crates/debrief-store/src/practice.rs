//! Practice history: flashcard reviews with each card's current memory state, and timed
//! explanations of a topic. The scheduling itself is `debrief_core::drill`'s; this module only
//! keeps what it decided.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use crate::sql::{json_of, new_uid, optional_json_of};
use crate::{date, error, Backend, Result, Store};

/// One flashcard review to save, with the memory state and due time the scheduler gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview<'a> {
    /// The card's id in the pack.
    pub card: &'a str,
    /// The card's deck.
    pub deck: &'a str,
    /// 1 again, 2 hard, 3 good, 4 easy.
    pub rating: u8,
    /// When the card is due next (Unix seconds).
    pub due: i64,
    /// The memory's stability after the review, in days.
    pub stability: f64,
    /// The memory's difficulty after the review, 1 to 10.
    pub difficulty: f64,
    /// Whole days since the card's previous review (0 for the first).
    pub elapsed_days: i64,
    /// When the review happened (Unix seconds).
    pub reviewed: i64,
}

impl<'a> NewReview<'a> {
    /// The review of `card`, rated `rating` at `now`, with what the scheduler decided.
    pub fn scheduled(
        card: &'a debrief_core::pack::Card,
        rating: debrief_core::drill::Rating,
        next: &debrief_core::drill::Scheduled,
        now: i64,
    ) -> NewReview<'a> {
        NewReview {
            card: &card.id,
            deck: &card.deck,
            rating: rating.number(),
            due: next.due,
            stability: next.stability,
            difficulty: next.difficulty,
            elapsed_days: i64::from(next.elapsed_days),
            reviewed: now,
        }
    }
}

/// A saved flashcard review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The store's id.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// The card's id in the pack.
    pub card: String,
    /// The card's deck when it was reviewed.
    pub deck: String,
    /// 1 again, 2 hard, 3 good, 4 easy.
    pub rating: u8,
    /// When the card was due next after this review (Unix seconds).
    pub due: i64,
    /// Stability after the review, in days.
    pub stability: f64,
    /// Difficulty after the review, 1 to 10.
    pub difficulty: f64,
    /// Whole days since the previous review of the card.
    pub elapsed_days: i64,
    /// When it was reviewed (Unix seconds).
    pub reviewed: i64,
}

/// A flashcard of the candidate's own, imported into a deck of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCard {
    /// Unique among all cards: the deck's id, a dash and a digest of the front.
    pub id: String,
    /// The deck's id (`mine-...`).
    pub deck: String,
    /// The deck's name as the candidate gave it.
    pub deck_name: String,
    /// The prompt side.
    pub front: String,
    /// The answer side.
    pub back: String,
    /// Why it matters, if the source had it.
    pub why: String,
}

/// A reviewed card's current memory state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardState {
    /// The card's id in the pack.
    pub card: String,
    /// Its deck.
    pub deck: String,
    /// When it is due (Unix seconds).
    pub due: i64,
    /// Stability in days.
    pub stability: f64,
    /// Difficulty, 1 to 10.
    pub difficulty: f64,
    /// How many times it was reviewed.
    pub reviews: i64,
    /// How many of those were rated again.
    pub lapses: i64,
    /// When it was last reviewed (Unix seconds).
    pub last_review: i64,
}

/// A timed explanation to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExplanation<'a> {
    /// The topic's id in the pack.
    pub topic: &'a str,
    /// The explanation as typed.
    pub text: &'a str,
    /// Its judgment (`debrief_core::explain::Explanation` as JSON).
    pub judgment: &'a Value,
    /// The judgment's score, 0 to 100.
    pub score: i64,
    /// Whether it passed.
    pub passed: bool,
    /// How long the candidate took.
    pub seconds: i64,
}

/// A saved explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedExplanation {
    /// The store's id.
    pub id: i64,
    /// A random id that survives export and import.
    pub uid: String,
    /// The topic's id.
    pub topic: String,
    /// The explanation as typed.
    pub text: String,
    /// Its judgment.
    pub judgment: Value,
    /// Its score, 0 to 100.
    pub score: i64,
    /// Whether it passed.
    pub passed: bool,
    /// How long the candidate took.
    pub seconds: i64,
    /// When it was saved (Unix seconds).
    pub created: i64,
    /// For a spoken explanation, how it was delivered (debrief-voice's `Delivery`; migration
    /// 0006).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Value>,
}

impl Store {
    /// Adds cards of the candidate's own in one transaction (all or none); a card whose id is
    /// already kept is updated in place, so importing a deck again adds nothing twice. Returns
    /// how many cards were new.
    pub async fn add_user_cards(&self, cards: &[UserCard]) -> Result<u64> {
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let mut added = 0;
            for (position, c) in cards.iter().enumerate() {
                let known: Option<String> =
                    sqlx::query_scalar("SELECT id FROM user_cards WHERE id = $1")
                        .bind(&c.id)
                        .fetch_optional(&mut *tx)
                        .await?;
                insert_user_card!(
                    &mut *tx,
                    c,
                    now,
                    position,
                    "DO UPDATE SET deck_name = excluded.deck_name, back = excluded.back, \
                     why = excluded.why"
                )
                .await?;
                if known.is_none() {
                    added += 1;
                }
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// The pack with the candidate's own decks (`debrief cards import`) after its own, so the
    /// drill, its statistics and the web app's flashcards schedule them alike. Borrowed as it
    /// is when the candidate has none (the pack is large: a copy costs about half a millisecond
    /// on every flashcard page).
    pub async fn with_user_decks<'a>(
        &self,
        pack: &'a debrief_core::Pack,
    ) -> Result<std::borrow::Cow<'a, debrief_core::Pack>> {
        use debrief_core::pack::{Card, Deck};
        let mine = self.user_cards().await?;
        if mine.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(pack));
        }
        let mut pack = pack.clone();
        for card in mine {
            let i = match pack.decks.iter().position(|d| d.id == card.deck) {
                Some(i) => i,
                None => {
                    pack.decks.push(Deck {
                        id: card.deck.clone(),
                        name: card.deck_name.clone(),
                        cards: Vec::new(),
                    });
                    pack.decks.len() - 1
                }
            };
            pack.decks[i].cards.push(Card {
                id: card.id,
                deck: card.deck,
                front: card.front,
                back: card.back,
                why: card.why,
                cloze: None,
                dated: None,
            });
        }
        Ok(std::borrow::Cow::Owned(pack))
    }

    /// The candidate's own cards, deck by deck, in the order they were added.
    pub async fn user_cards(&self) -> Result<Vec<UserCard>> {
        with_pool!(self, |pool| {
            sqlx::query_as::<_, (String, String, String, String, String, String)>(
                "SELECT id, deck, deck_name, front, back, why FROM user_cards \
                 ORDER BY deck, created, position",
            )
            .fetch_all(&mut *pool)
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|(id, deck, deck_name, front, back, why)| UserCard {
                        id,
                        deck,
                        deck_name,
                        front,
                        back,
                        why,
                    })
                    .collect()
            })
        })
    }

    /// Saves a review and makes its result the card's current state, in one transaction;
    /// returns the review's id.
    pub async fn add_review(&self, review: &NewReview<'_>) -> Result<i64> {
        Ok(self
            .add_reviews(std::slice::from_ref(review))
            .await?
            .pop()
            .expect("one review saved"))
    }

    /// Saves reviews in order, all or none (a deck's history brought from Anki); returns their
    /// ids.
    pub async fn add_reviews(&self, reviews: &[NewReview<'_>]) -> Result<Vec<i64>> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let mut ids = Vec::with_capacity(reviews.len());
            for review in reviews {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO reviews (uid, card, deck, rating, due, stability, difficulty, \
                     elapsed_days, reviewed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     RETURNING id",
                )
                .bind(new_uid())
                .bind(review.card)
                .bind(review.deck)
                .bind(i64::from(review.rating))
                .bind(review.due)
                .bind(review.stability)
                .bind(review.difficulty)
                .bind(review.elapsed_days)
                .bind(review.reviewed)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO card_states (card, deck, due, stability, difficulty, reviews, \
                     lapses, last_review) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) \
                     ON CONFLICT (card) DO UPDATE SET deck = excluded.deck, due = excluded.due, \
                     stability = excluded.stability, difficulty = excluded.difficulty, \
                     reviews = card_states.reviews + 1, \
                     lapses = card_states.lapses + excluded.lapses, \
                     last_review = excluded.last_review",
                )
                .bind(review.card)
                .bind(review.deck)
                .bind(review.due)
                .bind(review.stability)
                .bind(review.difficulty)
                .bind(i64::from(review.rating == 1))
                .bind(review.reviewed)
                .execute(&mut *tx)
                .await?;
                ids.push(id);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Takes back review `id`, when it is its card's latest: the review is removed and the
    /// card's state goes back to what the review before it left (or to never reviewed), in one
    /// transaction. Returns the card's id, or `None` when there is no such review or a later
    /// review of the same card exists (only the last rating can be undone).
    pub async fn undo_review(&self, id: i64) -> Result<Option<String>> {
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let found: Option<(String, i64)> =
                sqlx::query_as("SELECT card, rating FROM reviews WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((card, rating)) = found else {
                return Ok(None);
            };
            let later: Option<i64> =
                sqlx::query_scalar("SELECT id FROM reviews WHERE card = $1 AND id > $2 LIMIT 1")
                    .bind(&card)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if later.is_some() {
                return Ok(None);
            }
            sqlx::query("DELETE FROM reviews WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let before: Option<(i64, f64, f64, i64)> = sqlx::query_as(
                "SELECT due, stability, difficulty, reviewed FROM reviews WHERE card = $1 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(&card)
            .fetch_optional(&mut *tx)
            .await?;
            match before {
                Some((due, stability, difficulty, reviewed)) => {
                    sqlx::query(
                        "UPDATE card_states SET due = $1, stability = $2, difficulty = $3, \
                         reviews = reviews - 1, lapses = lapses - $4, last_review = $5 \
                         WHERE card = $6",
                    )
                    .bind(due)
                    .bind(stability)
                    .bind(difficulty)
                    .bind(i64::from(rating == 1))
                    .bind(reviewed)
                    .bind(&card)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM card_states WHERE card = $1")
                        .bind(&card)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(Some(card))
        })
    }

    /// Every reviewed card's current state, by card id.
    pub async fn card_states(&self) -> Result<Vec<CardState>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT card, deck, due, stability, difficulty, reviews, lapses, last_review \
                 FROM card_states ORDER BY card",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(CardState {
                        card: r.try_get("card")?,
                        deck: r.try_get("deck")?,
                        due: r.try_get("due")?,
                        stability: r.try_get("stability")?,
                        difficulty: r.try_get("difficulty")?,
                        reviews: r.try_get("reviews")?,
                        lapses: r.try_get("lapses")?,
                        last_review: r.try_get("last_review")?,
                    })
                })
                .collect()
        })
    }

    /// The review log, oldest first.
    pub async fn reviews(&self) -> Result<Vec<Review>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, uid, card, deck, rating, due, stability, difficulty, elapsed_days, \
                 reviewed FROM reviews ORDER BY id",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Review {
                        id: r.try_get("id")?,
                        uid: r.try_get("uid")?,
                        card: r.try_get("card")?,
                        deck: r.try_get("deck")?,
                        rating: u8::try_from(r.try_get::<i64, _>("rating")?).unwrap_or(0),
                        due: r.try_get("due")?,
                        stability: r.try_get("stability")?,
                        difficulty: r.try_get("difficulty")?,
                        elapsed_days: r.try_get("elapsed_days")?,
                        reviewed: r.try_get("reviewed")?,
                    })
                })
                .collect()
        })
    }

    /// Saves a timed explanation; returns its id.
    pub async fn add_explanation(&self, e: &NewExplanation<'_>) -> Result<i64> {
        Ok(self.add_explanation_once(&new_uid(), e).await?.0)
    }

    /// Saves a spoken explanation with its delivery, in one transaction; returns its id.
    pub async fn add_spoken_explanation(
        &self,
        e: &NewExplanation<'_>,
        delivery: &Value,
    ) -> Result<i64> {
        Ok(self
            .insert_explanation(&new_uid(), e, Some(delivery))
            .await?
            .0)
    }

    /// Saves a timed explanation under the id `uid` given by the form that sent it, unless one
    /// with that id is already saved (the same form sent twice): returns its id and whether it
    /// was saved now.
    pub async fn add_explanation_once(
        &self,
        uid: &str,
        e: &NewExplanation<'_>,
    ) -> Result<(i64, bool)> {
        self.insert_explanation(uid, e, None).await
    }

    /// [`Store::add_explanation_once`] for a spoken explanation, saved with its delivery.
    pub async fn add_spoken_explanation_once(
        &self,
        uid: &str,
        e: &NewExplanation<'_>,
        delivery: &Value,
    ) -> Result<(i64, bool)> {
        self.insert_explanation(uid, e, Some(delivery)).await
    }

    async fn insert_explanation(
        &self,
        uid: &str,
        e: &NewExplanation<'_>,
        delivery: Option<&Value>,
    ) -> Result<(i64, bool)> {
        let judgment = e.judgment.to_string();
        let delivery = delivery.map(Value::to_string);
        let now = date::now();
        with_pool!(self, |pool| {
            let mut tx = sqlx::Connection::begin(&mut *pool).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO explanations (uid, topic, text, judgment, score, passed, seconds, \
                 created, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (uid) DO NOTHING RETURNING id",
            )
            .bind(uid)
            .bind(e.topic)
            .bind(e.text)
            .bind(&judgment)
            .bind(e.score)
            .bind(e.passed)
            .bind(e.seconds)
            .bind(now)
            .bind(&delivery)
            .fetch_optional(&mut *tx)
            .await?;
            let saved = match id {
                Some(id) => (id, true),
                None => (
                    sqlx::query_scalar("SELECT id FROM explanations WHERE uid = $1")
                        .bind(uid)
                        .fetch_one(&mut *tx)
                        .await?,
                    false,
                ),
            };
            tx.commit().await?;
            Ok(saved)
        })
    }

    /// The saved explanation with this id.
    pub async fn explanation(&self, id: i64) -> Result<Option<SavedExplanation>> {
        with_pool!(self, |pool| {
            sqlx::query(
                "SELECT id, uid, topic, text, judgment, score, passed, seconds, created, \
                 delivery FROM explanations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *pool)
            .await?
            .as_ref()
            .map(explanation_of)
            .transpose()
        })
    }

    /// Every saved explanation, oldest first.
    pub async fn explanations(&self) -> Result<Vec<SavedExplanation>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query(
                "SELECT id, uid, topic, text, judgment, score, passed, seconds, created, \
                 delivery FROM explanations ORDER BY id",
            )
            .fetch_all(&mut *pool)
            .await?;
            rows.iter().map(explanation_of).collect()
        })
    }
}

fn explanation_of<R: Row>(r: &R) -> std::result::Result<SavedExplanation, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    Ok(SavedExplanation {
        id: r.try_get("id")?,
        uid: r.try_get("uid")?,
        topic: r.try_get("topic")?,
        text: r.try_get("text")?,
        judgment: json_of(r, "judgment")?,
        score: r.try_get("score")?,
        passed: r.try_get("passed")?,
        seconds: r.try_get("seconds")?,
        created: r.try_get("created")?,
        delivery: optional_json_of(r, "delivery")?,
    })
}

//! Flashcard review in the browser: the next due card (FSRS, the same scheduler and queue as
//! `debrief drill`), its answer behind a disclosure, and four ratings as one form. Keyboard:
//! Space shows the answer, 1 to 4 rate it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_core::drill::{self, Memory, Rating, Scheduler, Session};
use debrief_store::{date, CardState, NewReview};
use minijinja::context;
use serde::Deserialize;

use crate::pages::{error_page, render, store_failed};
use crate::{App, Ctx};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/cards", get(next_card))
        .route("/cards/review", post(review))
        .route("/cards/undo", post(undo))
}

pub(crate) async fn states(app: &Ctx) -> debrief_store::Result<HashMap<String, CardState>> {
    Ok(app
        .store
        .card_states()
        .await?
        .into_iter()
        .map(|s| (s.card.clone(), s))
        .collect())
}

/// Today's queue: the cards due now, then the never-seen cards the day's allowance still lets
/// in (new cards introduced today count against it); with how many of it are due and how many
/// new. The dashboard's counts and the review page read the same queue.
pub(crate) struct Today<'a> {
    pub queue: Vec<&'a debrief_core::pack::Card>,
    pub due: usize,
    pub new: usize,
}

pub(crate) fn today<'a>(
    pack: &'a debrief_core::Pack,
    states: &HashMap<String, CardState>,
    now: i64,
) -> Today<'a> {
    today_in(pack, None, states, now)
}

/// [`today`] for one deck, or every deck with `None`.
pub(crate) fn today_in<'a>(
    pack: &'a debrief_core::Pack,
    deck: Option<&str>,
    states: &HashMap<String, CardState>,
    now: i64,
) -> Today<'a> {
    let day = date::day_of(now);
    let new_today = states
        .values()
        .filter(|s| s.reviews == 1 && date::day_of(s.last_review) == day)
        .count();
    let due: HashMap<&str, i64> = states.iter().map(|(k, s)| (k.as_str(), s.due)).collect();
    let session = Session::Due {
        new_cards: drill::NEW_PER_SESSION.saturating_sub(new_today),
    };
    let cards = pack.cards().filter(|c| deck.is_none_or(|d| c.deck == d));
    let queue = drill::queue(cards, &due, now, session);
    let seen = queue
        .iter()
        .filter(|c| due.contains_key(c.id.as_str()))
        .count();
    Today {
        due: seen,
        new: queue.len() - seen,
        queue,
    }
}

/// `?deck=ID`: review one deck only; `undo=ID`: the review just saved, which the page offers
/// to take back.
#[derive(Deserialize)]
struct DeckQuery {
    deck: Option<String>,
    #[serde(default)]
    undo: Option<i64>,
}

/// The decks to pick from: the readiness checklist's first (the domain basics every candidate
/// is asked about), then the pack's others, then the candidate's own; each with today's counts.
fn deck_picker(
    pack: &debrief_core::Pack,
    states: &HashMap<String, CardState>,
    now: i64,
) -> Vec<minijinja::Value> {
    let decks = drill::decks_to_pick(pack);
    decks
        .into_iter()
        .map(|(d, on_checklist)| {
            let t = today_in(pack, Some(&d.id), states, now);
            context! {
                id => &d.id, name => &d.name, cards => d.cards.len(), due => t.due, new => t.new,
                checklist => on_checklist, mine => d.id.starts_with("mine-"),
            }
        })
        .collect()
}

async fn next_card(app: Ctx, Query(query): Query<DeckQuery>) -> Response {
    let states = match states(&app).await {
        Ok(s) => s,
        Err(e) => return store_failed(&app, e),
    };
    // The candidate's own decks (`debrief cards import`) are reviewed with the pack's.
    let pack = match app.store.with_user_decks(app.analyzer.pack()).await {
        Ok(p) => p,
        Err(e) => return store_failed(&app, e),
    };
    let pack = &pack;
    let deck = query.deck.filter(|d| !d.is_empty());
    if let Some(d) = &deck {
        if pack.deck(d).is_none() {
            return error_page(&app, StatusCode::NOT_FOUND, &format!("No deck {d:?}."));
        }
    }
    let decks = deck_picker(pack, &states, date::now());
    let Today { queue, due, new } = today_in(pack, deck.as_deref(), &states, date::now());
    let now = date::now();
    let card = queue.first().map(|c| {
        let before = states.get(&c.id).map(|s| Memory {
            stability: s.stability,
            difficulty: s.difficulty,
            last_review: s.last_review,
        });
        let intervals: Vec<String> = Scheduler::new()
            .choices(before, now)
            .iter()
            .map(|next| drill::interval_label(next.due, now))
            .collect();
        let deck = pack
            .deck(&c.deck)
            .map_or(c.deck.as_str(), |d| d.name.as_str());
        context! {
            id => &c.id, deck => deck, front => &c.front, back => &c.back, why => &c.why,
            as_of => c.dated.as_ref().map(|d| d.as_of.as_str()),
            source => c.dated.as_ref().map(|d| d.source.as_str()),
            intervals => intervals,
        }
    });
    render(
        &app,
        "cards.html",
        "cards",
        context! {
            card => card,
            due => due,
            new => new,
            decks => decks,
            deck => deck,
            reviewed => states.len(),
            undo => query.undo,
        },
    )
}

/// The undo form: the review to take back, and the deck to come back to.
#[derive(Deserialize)]
struct UndoForm {
    review: i64,
    #[serde(default)]
    deck: String,
}

/// Takes back the last rating: the card is due again as it was before.
async fn undo(app: Ctx, Form(form): Form<UndoForm>) -> Response {
    match app.store.undo_review(form.review).await {
        Ok(Some(_)) if !form.deck.is_empty() => {
            Redirect::to(&format!("/cards?deck={}", form.deck)).into_response()
        }
        Ok(Some(_)) => Redirect::to("/cards").into_response(),
        Ok(None) => error_page(
            &app,
            StatusCode::CONFLICT,
            "Only the last rating of a card can be undone, and this one is gone or was followed by another.",
        ),
        Err(e) => store_failed(&app, e),
    }
}

/// The rating form.
#[derive(Deserialize)]
struct ReviewForm {
    card: String,
    rating: u8,
    /// The deck being reviewed, to come back to.
    #[serde(default)]
    deck: String,
}

async fn review(app: Ctx, Form(form): Form<ReviewForm>) -> Response {
    let rating = match form.rating {
        1 => Rating::Again,
        2 => Rating::Hard,
        3 => Rating::Good,
        4 => Rating::Easy,
        _ => return error_page(&app, StatusCode::UNPROCESSABLE_ENTITY, "Rate from 1 to 4."),
    };
    let pack = match app.store.with_user_decks(app.analyzer.pack()).await {
        Ok(p) => p,
        Err(e) => return store_failed(&app, e),
    };
    let Some(card) = pack.cards().find(|c| c.id == form.card) else {
        return error_page(
            &app,
            StatusCode::NOT_FOUND,
            &format!("No card {:?} in this pack.", form.card),
        );
    };
    let states = match states(&app).await {
        Ok(s) => s,
        Err(e) => return store_failed(&app, e),
    };
    let now = date::now();
    let before = states.get(&card.id).map(|s| Memory {
        stability: s.stability,
        difficulty: s.difficulty,
        last_review: s.last_review,
    });
    let next = Scheduler::new().schedule(before, rating, now);
    let saved = app
        .store
        .add_review(&NewReview::scheduled(card, rating, &next, now))
        .await;
    match saved {
        Ok(id) if pack.deck(&form.deck).is_some() => {
            Redirect::to(&format!("/cards?deck={}&undo={id}", form.deck)).into_response()
        }
        Ok(id) => Redirect::to(&format!("/cards?undo={id}")).into_response(),
        Err(e) => store_failed(&app, e),
    }
}

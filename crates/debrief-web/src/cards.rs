//! Flashcard review in the browser: the next due card (FSRS, the same scheduler and queue as
//! `debrief drill`), its answer behind a disclosure, and four ratings as one form. Keyboard:
//! Space shows the answer, 1 to 4 rate it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_core::drill::{self, Memory, Rating, Scheduler, Session};
use debrief_store::{date, CardState, NewReview};
use minijinja::context;
use serde::Deserialize;

use crate::pages::{error_page, render, store_failed};
use crate::App;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/cards", get(next_card))
        .route("/cards/review", post(review))
}

pub(crate) async fn states(app: &App) -> debrief_store::Result<HashMap<String, CardState>> {
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
    let day = date::day_of(now);
    let new_today = states
        .values()
        .filter(|s| s.reviews == 1 && date::day_of(s.last_review) == day)
        .count();
    let due: HashMap<&str, i64> = states.iter().map(|(k, s)| (k.as_str(), s.due)).collect();
    let session = Session::Due {
        new_cards: drill::NEW_PER_SESSION.saturating_sub(new_today),
    };
    let queue = drill::queue(pack.cards(), &due, now, session);
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

async fn next_card(State(app): State<Arc<App>>) -> Response {
    let states = match states(&app).await {
        Ok(s) => s,
        Err(e) => return store_failed(&app, e),
    };
    let pack = app.analyzer.pack();
    let Today { queue, due, new } = today(pack, &states, date::now());
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
            reviewed => states.len(),
        },
    )
}

/// The rating form.
#[derive(Deserialize)]
struct ReviewForm {
    card: String,
    rating: u8,
}

async fn review(State(app): State<Arc<App>>, Form(form): Form<ReviewForm>) -> Response {
    let rating = match form.rating {
        1 => Rating::Again,
        2 => Rating::Hard,
        3 => Rating::Good,
        4 => Rating::Easy,
        _ => return error_page(&app, StatusCode::UNPROCESSABLE_ENTITY, "Rate from 1 to 4."),
    };
    let Some(card) = app.analyzer.pack().cards().find(|c| c.id == form.card) else {
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
        Ok(_) => Redirect::to("/cards").into_response(),
        Err(e) => store_failed(&app, e),
    }
}

//! The flashcard drill's scheduling: which cards to show, and when a rated card is due next,
//! computed by the `fsrs` crate (FSRS 6, the scheduler Anki uses) with its default parameters.
//! Times are Unix seconds; no clock and no storage here, callers pass `now` and keep the state.
//!
//! ```
//! use debrief_core::drill::{Rating, Scheduler};
//! let scheduler = Scheduler::new();
//! let first = scheduler.schedule(None, Rating::Good, 0);
//! assert!(first.interval_days >= 1);
//! let second = scheduler.schedule(Some(first.memory(0)), Rating::Good, first.due);
//! assert!(second.interval_days > first.interval_days);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use fsrs::{MemoryState, FSRS};

use crate::pack::Card;

/// The share of cards the schedule aims to have remembered when they come due.
pub const DESIRED_RETENTION: f32 = 0.9;

/// A card rated again comes back after this many seconds: a short relearning step, as in Anki.
pub const RELEARN_SECONDS: i64 = 10 * 60;

/// How many never-seen cards one ordinary session introduces.
pub const NEW_PER_SESSION: usize = 20;

const DAY: i64 = 86_400;

/// How well the candidate recalled a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// Forgotten.
    Again = 1,
    /// Recalled with serious difficulty.
    Hard = 2,
    /// Recalled.
    Good = 3,
    /// Recalled at once.
    Easy = 4,
}

impl Rating {
    /// Every rating, from again to easy.
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// The rating's number, 1 to 4, as FSRS counts them.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The rating's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rating {
    type Err = String;

    /// `again`, `hard`, `good`, `easy` (any case, or their first letter) or `1` to `4`.
    fn from_str(s: &str) -> Result<Rating, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "again" | "a" => Ok(Rating::Again),
            "2" | "hard" | "h" => Ok(Rating::Hard),
            "3" | "good" | "g" => Ok(Rating::Good),
            "4" | "easy" | "e" => Ok(Rating::Easy),
            other => Err(format!(
                "{other:?} is not a rating: use again, hard, good or easy (or 1 to 4)"
            )),
        }
    }
}

/// What a card's memory is after its last review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Memory {
    /// Days until recall probability falls to 90%.
    pub stability: f64,
    /// How hard the card is, 1 to 10.
    pub difficulty: f64,
    /// When it was last reviewed (Unix seconds).
    pub last_review: i64,
}

/// The scheduler's decision for one review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled {
    /// The rating given.
    pub rating: Rating,
    /// Stability after the review, in days.
    pub stability: f64,
    /// Difficulty after the review.
    pub difficulty: f64,
    /// Whole days since the previous review (0 for a new card).
    pub elapsed_days: u32,
    /// Whole days until the card is due (0 when it comes back within the day).
    pub interval_days: u32,
    /// When the card is due (Unix seconds).
    pub due: i64,
}

impl Scheduled {
    /// The memory after this review, reviewed at `now`.
    pub fn memory(&self, now: i64) -> Memory {
        Memory {
            stability: self.stability,
            difficulty: self.difficulty,
            last_review: now,
        }
    }

    /// The same decision with the card due no later than `cap` (cramming toward a date), but
    /// never before `now` plus the relearning step.
    pub fn due_by(mut self, cap: i64, now: i64) -> Scheduled {
        let cap = cap.max(now + RELEARN_SECONDS);
        if self.due > cap {
            self.due = cap;
            self.interval_days = u32::try_from((cap - now) / DAY).unwrap_or(0);
        }
        self
    }
}

/// FSRS with its default parameters and [`DESIRED_RETENTION`].
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new()
    }
}

impl Scheduler {
    /// The scheduler with FSRS's default parameters.
    pub fn new() -> Scheduler {
        Scheduler {
            fsrs: FSRS::default(),
        }
    }

    /// Schedules a card rated `rating` at `now`, given its memory before (`None` for a new
    /// card). Hard, good and easy are due after FSRS's interval rounded to whole days (at least
    /// one); again comes back after [`RELEARN_SECONDS`] with FSRS's lowered memory.
    pub fn schedule(&self, before: Option<Memory>, rating: Rating, now: i64) -> Scheduled {
        let elapsed_days = before.map_or(0, |m| {
            u32::try_from((now - m.last_review).max(0) / DAY).unwrap_or(u32::MAX)
        });
        let state = before.map(|m| MemoryState {
            stability: m.stability as f32,
            difficulty: m.difficulty as f32,
        });
        let next = self
            .fsrs
            .next_states(state, DESIRED_RETENTION, elapsed_days)
            .or_else(|_| self.fsrs.next_states(None, DESIRED_RETENTION, 0))
            .expect("default parameters schedule a new card");
        let item = match rating {
            Rating::Again => next.again,
            Rating::Hard => next.hard,
            Rating::Good => next.good,
            Rating::Easy => next.easy,
        };
        let (interval_days, due) = if rating == Rating::Again {
            (0, now + RELEARN_SECONDS)
        } else {
            let days = item.interval.round().max(1.0) as u32;
            (days, now + i64::from(days) * DAY)
        };
        Scheduled {
            rating,
            stability: f64::from(item.memory.stability),
            difficulty: f64::from(item.memory.difficulty),
            elapsed_days,
            interval_days,
            due,
        }
    }
}

impl Scheduler {
    /// What each rating would schedule now, from again to easy: the intervals the rating
    /// buttons show before the candidate chooses.
    pub fn choices(&self, before: Option<Memory>, now: i64) -> [Scheduled; 4] {
        Rating::ALL.map(|r| self.schedule(before, r, now))
    }
}

/// How long until `due`, as a rating button says it: "10 min", "1 day", "12 days", "3 mo",
/// "1.5 yr".
pub fn interval_label(due: i64, now: i64) -> String {
    let seconds = (due - now).max(0);
    if seconds < DAY {
        let minutes = (seconds + 59) / 60;
        return if minutes < 60 {
            format!("{minutes} min")
        } else {
            format!("{} h", (minutes + 59) / 60)
        };
    }
    let days = seconds as f64 / DAY as f64;
    if days < 31.0 {
        let d = days.round() as i64;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else if days < 365.0 {
        format!("{} mo", (days / 30.4).round() as i64)
    } else {
        format!("{:.1} yr", days / 365.25)
    }
}

/// The pack's decks in the order a deck picker offers them: the readiness checklist's decks first
/// (the domain basics every candidate is asked about), in the checklist's order, then the pack's
/// other decks, then the candidate's own (ids starting `mine-`); each with whether the checklist
/// names it.
pub fn decks_to_pick(pack: &crate::Pack) -> Vec<(&crate::pack::Deck, bool)> {
    let checklist: Vec<&String> = pack
        .checklist
        .iter()
        .flat_map(|i| match &i.evidence {
            crate::pack::Evidence::Cards { decks, .. } => decks.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut decks: Vec<(&crate::pack::Deck, Option<usize>)> = pack
        .decks
        .iter()
        .map(|d| (d, checklist.iter().position(|c| **c == d.id)))
        .collect();
    decks.sort_by_key(|(d, at)| (at.unwrap_or(usize::MAX), d.id.starts_with("mine-")));
    decks.into_iter().map(|(d, at)| (d, at.is_some())).collect()
}

/// Which cards a session shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    /// Cards due now, then up to this many never-seen cards.
    Due {
        /// How many new cards at most.
        new_cards: usize,
    },
    /// Every card due before this time (the interview), and every never-seen card.
    Cram {
        /// The interview (Unix seconds).
        until: i64,
    },
}

/// The cards to show, in order: seen cards by due time, then never-seen cards in pack order.
/// `due` maps a seen card's id to when it is due.
pub fn queue<'a>(
    cards: impl IntoIterator<Item = &'a Card>,
    due: &HashMap<&str, i64>,
    now: i64,
    session: Session,
) -> Vec<&'a Card> {
    let mut seen: Vec<(&Card, i64)> = Vec::new();
    let mut new: Vec<&Card> = Vec::new();
    for card in cards {
        match due.get(card.id.as_str()) {
            Some(&at) => seen.push((card, at)),
            None => new.push(card),
        }
    }
    let horizon = match session {
        Session::Due { .. } => now,
        Session::Cram { until } => until.max(now),
    };
    seen.retain(|(_, at)| *at <= horizon);
    seen.sort_by_key(|(card, at)| (*at, card.id.as_str()));
    if let Session::Due { new_cards } = session {
        new.truncate(new_cards);
    }
    seen.into_iter().map(|(c, _)| c).chain(new).collect()
}

/// The share of reviews not rated again, or `None` without reviews.
pub fn retention(ratings: impl IntoIterator<Item = u8>) -> Option<f64> {
    let (mut all, mut kept) = (0usize, 0usize);
    for r in ratings {
        all += 1;
        kept += usize::from(r != Rating::Again.number());
    }
    (all > 0).then(|| kept as f64 / all as f64)
}

/// How many cards come due on each of the next `days` days starting today (UTC days); cards
/// already overdue count toward today.
pub fn forecast(due: impl IntoIterator<Item = i64>, now: i64, days: usize) -> Vec<usize> {
    let today = now.div_euclid(DAY);
    let mut counts = vec![0; days];
    for at in due {
        let offset = (at.div_euclid(DAY) - today).max(0);
        if let Some(n) = usize::try_from(offset).ok().and_then(|o| counts.get_mut(o)) {
            *n += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str) -> Card {
        Card {
            id: id.to_string(),
            deck: "dns".to_string(),
            front: format!("front of {id}"),
            back: format!("back of {id}"),
            why: String::new(),
            cloze: None,
            dated: None,
        }
    }

    #[test]
    fn a_new_card_follows_the_fsrs_crate_for_every_rating() {
        let fsrs = FSRS::default();
        let next = fsrs.next_states(None, DESIRED_RETENTION, 0).unwrap();
        let s = Scheduler::new();
        for (rating, item) in [
            (Rating::Hard, next.hard),
            (Rating::Good, next.good),
            (Rating::Easy, next.easy),
        ] {
            let got = s.schedule(None, rating, 1_000_000);
            assert_eq!(got.stability, f64::from(item.memory.stability));
            assert_eq!(got.difficulty, f64::from(item.memory.difficulty));
            let days = item.interval.round().max(1.0) as u32;
            assert_eq!(got.interval_days, days);
            assert_eq!(got.due, 1_000_000 + i64::from(days) * DAY);
        }
        let again = s.schedule(None, Rating::Again, 0);
        assert_eq!(again.stability, f64::from(next.again.memory.stability));
        assert_eq!(again.due, RELEARN_SECONDS);
    }

    #[test]
    fn a_second_review_passes_the_elapsed_days_to_fsrs() {
        let s = Scheduler::new();
        let first = s.schedule(None, Rating::Good, 0);
        let later = first.due + 3 * DAY;
        let second = s.schedule(Some(first.memory(0)), Rating::Hard, later);
        let elapsed = (later / DAY) as u32;
        assert_eq!(second.elapsed_days, elapsed);
        let expected = FSRS::default()
            .next_states(
                Some(MemoryState {
                    stability: first.stability as f32,
                    difficulty: first.difficulty as f32,
                }),
                DESIRED_RETENTION,
                elapsed,
            )
            .unwrap()
            .hard;
        assert_eq!(second.stability, f64::from(expected.memory.stability));
        assert_eq!(
            second.interval_days,
            expected.interval.round().max(1.0) as u32
        );
    }

    #[test]
    fn cramming_brings_the_due_date_before_the_interview() {
        let s = Scheduler::new();
        let easy = s.schedule(None, Rating::Easy, 0);
        assert!(easy.interval_days > 2);
        let crammed = easy.due_by(2 * DAY, 0);
        assert_eq!(crammed.due, 2 * DAY);
        assert_eq!(crammed.interval_days, 2);
        assert_eq!(easy.due_by(100 * DAY, 0), easy);
    }

    #[test]
    fn ratings_read_as_words_letters_or_numbers() {
        assert_eq!("again".parse::<Rating>(), Ok(Rating::Again));
        assert_eq!(" Good\n".parse::<Rating>(), Ok(Rating::Good));
        assert_eq!("4".parse::<Rating>(), Ok(Rating::Easy));
        assert_eq!("h".parse::<Rating>(), Ok(Rating::Hard));
        assert!("5".parse::<Rating>().is_err());
    }

    #[test]
    fn due_cards_come_first_then_new_cards_up_to_the_limit() {
        let cards = [card("a"), card("b"), card("c"), card("d")];
        let due: HashMap<&str, i64> = [("a", 50), ("b", 10), ("c", 500)].into();
        let ids = |q: Vec<&Card>| q.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        let q = queue(&cards, &due, 100, Session::Due { new_cards: 5 });
        assert_eq!(ids(q), ["b", "a", "d"]);
        let q = queue(&cards, &due, 100, Session::Due { new_cards: 0 });
        assert_eq!(ids(q), ["b", "a"]);
        let q = queue(&cards, &due, 100, Session::Cram { until: 1000 });
        assert_eq!(ids(q), ["b", "a", "c", "d"]);
    }

    #[test]
    fn retention_is_the_share_not_rated_again() {
        assert_eq!(retention([1, 3, 3, 4]), Some(0.75));
        assert_eq!(retention([]), None);
    }

    #[test]
    fn the_forecast_counts_overdue_cards_today() {
        let now = 10 * DAY + 5;
        assert_eq!(
            forecast([0, now, now + DAY, now + 6 * DAY, now + 9 * DAY], now, 7),
            [2, 1, 0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn each_rating_shows_its_interval_and_they_grow_from_again_to_easy() {
        let now = 1_700_000_000;
        let choices = Scheduler::new().choices(None, now);
        let labels: Vec<String> = choices.iter().map(|c| interval_label(c.due, now)).collect();
        assert_eq!(labels[0], "10 min");
        assert!(
            choices.windows(2).all(|w| w[0].due <= w[1].due),
            "{labels:?}"
        );
        assert!(labels[3].ends_with("days"), "{labels:?}");
        assert_eq!(interval_label(now + DAY, now), "1 day");
        assert_eq!(interval_label(now + 90 * DAY, now), "3 mo");
        assert_eq!(interval_label(now + 548 * DAY, now), "1.5 yr");
    }

    #[test]
    fn the_checklists_decks_are_offered_first_and_yours_last() {
        let mut pack = crate::builtin::pack().unwrap();
        let mine = crate::pack::Deck {
            id: "mine-notes".into(),
            name: "Notes".into(),
            cards: Vec::new(),
        };
        pack.decks.insert(0, mine);
        let order: Vec<(&str, bool)> = decks_to_pick(&pack)
            .iter()
            .map(|(d, on)| (d.id.as_str(), *on))
            .collect();
        assert_eq!(
            &order[..4],
            [
                ("dns", true),
                ("cdn", true),
                ("ddos", true),
                ("zero-trust", true)
            ]
        );
        assert!(!order[4].1);
        assert_eq!(order.last().unwrap().0, "mine-notes");
        assert_eq!(order.len(), pack.decks.len());
    }
}

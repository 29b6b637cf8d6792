//! `debrief drill`: the flashcard drill. Shows each due card's front, reveals the back, takes a
//! rating (again, hard, good, easy) and saves the review with the schedule FSRS gives it
//! (`debrief_core::drill`). `--cram` reviews everything due before the interview date;
//! `--stats` shows retention, reviews per deck and the due forecast.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use debrief_core::drill::{self, Memory, Rating, Scheduler, Session};
use debrief_core::pack::{Card, Pack};
use debrief_store::{date, CardState, NewReview, Review, Store};
use serde::Serialize;

use crate::cmd::config::INTERVIEW_DATE;
use crate::database::with_store;
use crate::listing::{self, Format};
use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

/// How many days the due forecast covers.
const FORECAST_DAYS: usize = 7;

/// Review flashcards with spaced repetition (FSRS).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief drill\n  debrief drill --deck dns\n  debrief drill --cram\n  debrief drill --stats\n  printf 'good\\nagain\\n' | debrief drill --plain\n\nRatings: again (1), hard (2), good (3), easy (4)."
)]
pub struct Args {
    /// Only the cards of this deck (`debrief cards` lists them).
    #[arg(long, value_name = "DECK")]
    deck: Option<String>,

    /// No prompts: print each card's front and back, read one rating per card from standard
    /// input (again/hard/good/easy or 1-4); stops at the end of input.
    #[arg(long)]
    plain: bool,

    /// Review every card due before the interview date (`debrief config set interview-date`),
    /// and schedule none past it.
    #[arg(long)]
    cram: bool,

    /// Show retention, reviews per deck and the due forecast instead of drilling.
    #[arg(long, conflicts_with_all = ["plain", "cram"])]
    stats: bool,

    /// Output format of `--stats`.
    #[arg(long, value_enum, default_value_t = Format::Human, requires = "stats")]
    format: Format,
}

pub fn run(cli: &Cli, args: &Args, color: bool) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    let paint = Paint::new(color);
    with_store(cli, |store| async move {
        // The candidate's own decks (`debrief cards import`) are drilled with the pack's.
        let pack = store.with_user_decks(&pack).await?;
        if let Some(deck) = &args.deck {
            if pack.deck(deck).is_none() {
                bail!("unknown deck {deck:?}: `debrief cards` lists the decks");
            }
        }
        if args.stats {
            let stats = stats(&pack, &store, args.deck.as_deref(), date::now()).await?;
            match args.format {
                Format::Json => listing::print_json(&stats)?,
                Format::Human => print_stats(&stats, &paint),
            }
            return Ok(Outcome::Ok);
        }
        drill(&pack, &store, args, &paint).await
    })
}

async fn drill(pack: &Pack, store: &Store, args: &Args, paint: &Paint) -> Result<Outcome> {
    let now = date::now();
    let session = if args.cram {
        let Some(day) = store
            .config(INTERVIEW_DATE)
            .await?
            .as_deref()
            .and_then(date::parse_day)
        else {
            bail!(
                "--cram needs the interview date: `debrief config set interview-date YYYY-MM-DD`"
            );
        };
        Session::Cram {
            until: day * 86_400,
        }
    } else {
        Session::Due {
            new_cards: drill::NEW_PER_SESSION,
        }
    };
    let states: HashMap<String, CardState> = store
        .card_states()
        .await?
        .into_iter()
        .map(|s| (s.card.clone(), s))
        .collect();
    let due: HashMap<&str, i64> = states.iter().map(|(k, s)| (k.as_str(), s.due)).collect();
    // At a terminal with no deck named, the candidate picks one: the checklist's decks first.
    let picked = if args.deck.is_none() && !args.plain && std::io::stdin().is_terminal() {
        pick_deck(pack, &due, now, session, paint)?
    } else {
        args.deck.clone()
    };
    let deck = picked.as_deref().or(args.deck.as_deref());
    let cards = deck_cards(pack, deck);
    let queue = drill::queue(cards, &due, now, session);
    let seen = queue
        .iter()
        .filter(|c| due.contains_key(c.id.as_str()))
        .count();
    println!(
        "{}",
        paint.bold(&format!(
            "{} due, {} new{}{}",
            seen,
            queue.len() - seen,
            deck.map_or(String::new(), |d| format!(" in deck {d}")),
            match session {
                Session::Cram { until } =>
                    format!(", cramming toward {}", date::format_day(until / 86_400)),
                Session::Due { .. } => String::new(),
            }
        ))
    );
    if queue.is_empty() {
        println!("Nothing to review now.");
        return Ok(Outcome::Ok);
    }
    let interactive = !args.plain && std::io::stdin().is_terminal();
    let scheduler = Scheduler::new();
    let mut states = states;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    // Ctrl-C ends the session with its summary: every rating is already saved.
    let tally = Tally::watch(queue.len());
    // The ratings saved this session, newest last: (the card's place in the queue, review id).
    let mut saved: Vec<(usize, i64)> = Vec::new();
    let mut i = 0;
    while i < queue.len() {
        let card = queue[i];
        // Without a terminal the rating is read first, so the end of input shows no card.
        let mut pending = None;
        if !interactive {
            match lines.next().transpose()? {
                Some(line) => pending = Some(line),
                None => break,
            }
        }
        if pending.as_deref().is_some_and(is_undo) {
            i = undo(store, &mut saved, &mut states, &tally, i, paint).await?;
            continue;
        }
        println!();
        println!(
            "{} {}",
            paint.dim(&format!("[{}/{}] {}", i + 1, queue.len(), card.id)),
            paint.bold(&card.front)
        );
        if interactive {
            prompt("  (Enter shows the answer; u undoes the last rating) ")?;
            match lines.next().transpose()? {
                None => break,
                Some(l) if is_undo(&l) => {
                    i = undo(store, &mut saved, &mut states, &tally, i, paint).await?;
                    continue;
                }
                Some(_) => {}
            }
        }
        println!("  {}", card.back);
        if !card.why.is_empty() {
            println!("  {}", paint.dim(&format!("why it matters: {}", card.why)));
        }
        if let Some(d) = &card.dated {
            println!(
                "  {}",
                paint.dim(&format!("as of {}; source: {}", d.as_of, d.source))
            );
        }
        let now = date::now();
        let before = states.get(&card.id).map(|s| Memory {
            stability: s.stability,
            difficulty: s.difficulty,
            last_review: s.last_review,
        });
        let rating = loop {
            if interactive {
                // Each rating with the interval it would give, and Enter for good, as in Anki.
                let choices: Vec<String> = scheduler
                    .choices(before, now)
                    .iter()
                    .map(|next| {
                        format!(
                            "{} ({}) {}",
                            next.rating,
                            next.rating.number(),
                            drill::interval_label(next.due, now)
                        )
                    })
                    .collect();
                prompt(&format!("  {}; Enter = good: ", choices.join(" · ")))?;
            }
            let Some(line) = pending
                .take()
                .map_or_else(|| lines.next().transpose(), |l| Ok(Some(l)))?
            else {
                break None;
            };
            if interactive && line.trim().is_empty() {
                break Some(Ok(Rating::Good));
            }
            if is_undo(&line) {
                break Some(Err(()));
            }
            match line.parse::<Rating>() {
                Ok(r) => break Some(Ok(r)),
                Err(e) if interactive => println!("  {e}"),
                Err(e) => bail!("card {}: {e}", card.id),
            }
        };
        let rating = match rating {
            None => break,
            Some(Err(())) => {
                i = undo(store, &mut saved, &mut states, &tally, i, paint).await?;
                continue;
            }
            Some(Ok(r)) => r,
        };
        let mut next = scheduler.schedule(before, rating, now);
        if let Session::Cram { until } = session {
            next = next.due_by(until, now);
        }
        let id = store
            .add_review(&NewReview::scheduled(card, rating, &next, now))
            .await
            .with_context(|| format!("saving the review of {}", card.id))?;
        saved.push((i, id));
        tally.rated(1);
        let when = if next.interval_days == 0 {
            "again within the day".to_string()
        } else {
            format!(
                "in {} day{} ({})",
                next.interval_days,
                if next.interval_days == 1 { "" } else { "s" },
                date::format_day(date::day_of(next.due))
            )
        };
        println!("  {} {rating}: next {when}", paint.dim("->"));
        i += 1;
    }
    println!();
    println!("{}", tally.summary());
    Ok(Outcome::Ok)
}

/// Whether a line asks to undo the last rating.
fn is_undo(line: &str) -> bool {
    matches!(line.trim(), "u" | "undo")
}

/// Takes back the session's last rating; returns the queue place to go back to (the undone
/// card), or `at` when there is nothing to undo.
async fn undo(
    store: &Store,
    saved: &mut Vec<(usize, i64)>,
    states: &mut HashMap<String, CardState>,
    tally: &Tally,
    at: usize,
    paint: &Paint,
) -> Result<usize> {
    let Some((place, id)) = saved.pop() else {
        println!("  {}", paint.dim("nothing to undo yet in this session"));
        return Ok(at);
    };
    let card = store
        .undo_review(id)
        .await
        .context("undoing the last rating")?;
    if let Some(card) = card {
        match store
            .card_states()
            .await?
            .into_iter()
            .find(|s| s.card == card)
        {
            Some(s) => states.insert(card.clone(), s),
            None => states.remove(&card),
        };
        println!("  {} the rating of {card}", paint.dim("undid"));
    }
    tally.rated(-1);
    Ok(place)
}

/// The session's count of ratings, shared with the Ctrl-C handler so that an interrupted
/// session still ends with its summary.
#[derive(Clone)]
struct Tally {
    rated: std::sync::Arc<std::sync::atomic::AtomicI64>,
    cards: usize,
}

impl Tally {
    fn watch(cards: usize) -> Tally {
        let tally = Tally {
            rated: Default::default(),
            cards,
        };
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGINT;
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT]) {
                let t = tally.clone();
                std::thread::spawn(move || {
                    if signals.forever().next().is_some() {
                        println!("\n\n{} (stopped with Ctrl-C)", t.summary());
                        std::process::exit(130);
                    }
                });
            }
        }
        tally
    }

    fn rated(&self, by: i64) {
        self.rated
            .fetch_add(by, std::sync::atomic::Ordering::SeqCst);
    }

    fn summary(&self) -> String {
        let n = self.rated.load(std::sync::atomic::Ordering::SeqCst).max(0);
        format!(
            "Reviewed {n} of {}; every rating is saved.",
            crate::listing::plural(self.cards, "card")
        )
    }
}

fn prompt(text: &str) -> Result<()> {
    print!("{text}");
    std::io::stdout().flush()?;
    Ok(())
}

/// Lists the decks with today's counts, the readiness checklist's first, and asks for one;
/// Enter means every deck.
fn pick_deck(
    pack: &Pack,
    due: &HashMap<&str, i64>,
    now: i64,
    session: Session,
    paint: &Paint,
) -> Result<Option<String>> {
    let decks = drill::decks_to_pick(pack);
    println!("{}", paint.bold("Decks"));
    for (n, (d, on_checklist)) in decks.iter().enumerate() {
        let queue = drill::queue(deck_cards(pack, Some(&d.id)), due, now, session);
        let seen = queue
            .iter()
            .filter(|c| due.contains_key(c.id.as_str()))
            .count();
        let note = if *on_checklist {
            " · on the checklist"
        } else if d.id.starts_with("mine-") {
            " · yours"
        } else {
            ""
        };
        println!(
            "  {:>2}. {} {}",
            n + 1,
            d.name,
            paint.dim(&format!(
                "({}) {} new, {} due{note}",
                d.id,
                queue.len() - seen,
                seen
            ))
        );
    }
    loop {
        prompt("Deck number or id (Enter: every deck): ")?;
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let answer = line.trim();
        if answer.is_empty() {
            return Ok(None);
        }
        let chosen = match answer.parse::<usize>() {
            Ok(n) if (1..=decks.len()).contains(&n) => Some(decks[n - 1].0),
            _ => decks.iter().map(|(d, _)| *d).find(|d| d.id == answer),
        };
        match chosen {
            Some(d) => return Ok(Some(d.id.clone())),
            None => println!("  no deck {answer:?}: a number from 1 to {}", decks.len()),
        }
    }
}

fn deck_cards<'a>(pack: &'a Pack, deck: Option<&'a str>) -> impl Iterator<Item = &'a Card> {
    pack.cards()
        .filter(move |c| deck.is_none_or(|d| c.deck == d))
}

/// `debrief drill --stats --format json`.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// The share of all reviews not rated again, if any.
    pub retention: Option<f64>,
    /// How many reviews in all.
    pub reviews: usize,
    /// Cards due now.
    pub due_now: usize,
    /// Never-reviewed cards.
    pub new: usize,
    /// Per deck, in the pack's order.
    pub decks: Vec<DeckStats>,
    /// Cards due on each of the next seven days, today first (overdue counts today).
    pub forecast: Vec<usize>,
}

/// One deck's review record.
#[derive(Debug, Serialize)]
pub struct DeckStats {
    /// The deck's id.
    pub deck: String,
    /// Cards in the deck.
    pub cards: usize,
    /// Cards reviewed at least once.
    pub reviewed: usize,
    /// Reviews in all.
    pub reviews: usize,
    /// The share of the deck's reviews not rated again, if any.
    pub retention: Option<f64>,
}

impl DeckStats {
    /// Every card reviewed at least once and retention at least `min`.
    pub fn learned(&self, min: f64) -> bool {
        self.cards > 0 && self.reviewed == self.cards && self.retention.is_some_and(|r| r >= min)
    }
}

/// Review statistics per deck of the pack, from the review log and the cards' states.
pub fn deck_stats(pack: &Pack, states: &[CardState], reviews: &[Review]) -> Vec<DeckStats> {
    let deck_of: HashMap<&str, &str> = pack
        .cards()
        .map(|c| (c.id.as_str(), c.deck.as_str()))
        .collect();
    let mut ratings: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for r in reviews {
        if let Some(deck) = deck_of.get(r.card.as_str()) {
            ratings.entry(deck).or_default().push(r.rating);
        }
    }
    pack.decks
        .iter()
        .map(|d| {
            let r = ratings.get(d.id.as_str()).map_or(&[][..], |v| v.as_slice());
            DeckStats {
                deck: d.id.clone(),
                cards: d.cards.len(),
                reviewed: d
                    .cards
                    .iter()
                    .filter(|c| states.iter().any(|s| s.card == c.id))
                    .count(),
                reviews: r.len(),
                retention: drill::retention(r.iter().copied()),
            }
        })
        .collect()
}

async fn stats(pack: &Pack, store: &Store, deck: Option<&str>, now: i64) -> Result<Stats> {
    let states = store.card_states().await?;
    let reviews = store.reviews().await?;
    let in_scope: HashMap<&str, &Card> =
        deck_cards(pack, deck).map(|c| (c.id.as_str(), c)).collect();
    let states: Vec<CardState> = states
        .into_iter()
        .filter(|s| in_scope.contains_key(s.card.as_str()))
        .collect();
    let reviews: Vec<Review> = reviews
        .into_iter()
        .filter(|r| in_scope.contains_key(r.card.as_str()))
        .collect();
    let mut decks = deck_stats(pack, &states, &reviews);
    decks.retain(|d| deck.is_none_or(|id| d.deck == id));
    Ok(Stats {
        retention: drill::retention(reviews.iter().map(|r| r.rating)),
        reviews: reviews.len(),
        due_now: states.iter().filter(|s| s.due <= now).count(),
        new: in_scope.len() - states.len(),
        decks,
        forecast: drill::forecast(states.iter().map(|s| s.due), now, FORECAST_DAYS),
    })
}

fn percent(share: Option<f64>) -> String {
    share.map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0))
}

fn print_stats(stats: &Stats, paint: &Paint) {
    println!(
        "{}",
        paint.bold(&format!(
            "Retention {} over {} review{}; {} due now, {} new",
            percent(stats.retention),
            stats.reviews,
            if stats.reviews == 1 { "" } else { "s" },
            stats.due_now,
            stats.new
        ))
    );
    println!();
    println!("{}", paint.bold("Decks"));
    for d in &stats.decks {
        println!(
            "  {:<24} {:>3}/{:<3} cards reviewed  {:>4} reviews  retention {}",
            d.deck,
            d.reviewed,
            d.cards,
            d.reviews,
            percent(d.retention)
        );
    }
    println!();
    println!("{}", paint.bold("Due in the next 7 days"));
    let today = date::day_of(date::now());
    for (i, n) in stats.forecast.iter().enumerate() {
        // Today counts every card due before midnight (UTC); those due already are what a
        // session reviews now, so the two numbers are shown together.
        let now = if i == 0 {
            paint.dim(&format!(
                "  ({} due now, the rest later today)",
                stats.due_now
            ))
        } else {
            String::new()
        };
        println!(
            "  {}  {:>3}  {}{now}",
            date::format_day(today + i as i64),
            n,
            "#".repeat((*n).min(40))
        );
    }
}

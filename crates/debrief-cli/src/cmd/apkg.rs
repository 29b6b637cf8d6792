//! An Anki package (`.apkg`) of the pack's decks: a zip holding `collection.anki2`, a SQLite
//! collection in Anki's schema 11 (the one every Anki since 2.1 imports), and an empty `media`
//! map. One note type, "debrief card" (Front, Back, Why), one Anki deck per debrief deck under
//! `debrief::`, one card per note; each note's GUID is `debrief-CARD-ID`, so importing a
//! newer package updates the notes instead of adding twins. A card already reviewed in debrief
//! carries its review log (`revlog`: when, which rating, the interval it gave) and its schedule
//! (due day, interval, reviews, lapses, and FSRS's stability and difficulty in the card's data,
//! where Anki's FSRS reads them); a card never reviewed is new.

use std::io::Write;
use std::path::Path;

use std::collections::HashMap;

use anyhow::{Context, Result};
use debrief_core::pack::Deck;
use debrief_store::{CardState, Review};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use sqlx::{Connection, Executor, SqliteConnection};

use crate::cmd::cards_export::html;

/// Anki's separator between a note's fields.
const FIELD_SEPARATOR: char = '\u{1f}';

/// The note type's id: fixed, so every export's notes share one note type in Anki.
const MODEL_ID: i64 = 1_733_000_000_001;

/// The cloze note type's id (Text, Back Extra, Why), for the pack's cloze cards.
const CLOZE_MODEL_ID: i64 = 1_733_000_000_002;

/// The collection's tables and indexes, as Anki's schema 11 has them.
const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// What the candidate's reviews say of each card, by card id: its review log, oldest first, and
/// its current state.
#[derive(Default)]
pub struct History {
    pub reviews: HashMap<String, Vec<Review>>,
    pub states: HashMap<String, CardState>,
}

impl History {
    /// The history of these reviews and states.
    pub fn new(reviews: Vec<Review>, states: Vec<CardState>) -> History {
        let mut by_card: HashMap<String, Vec<Review>> = HashMap::new();
        for r in reviews {
            by_card.entry(r.card.clone()).or_default().push(r);
        }
        History {
            reviews: by_card,
            states: states.into_iter().map(|s| (s.card.clone(), s)).collect(),
        }
    }
}

/// Writes the decks as an Anki package at `path` (replaced whole; a failed write leaves the old
/// file), with each card's review history. `now` is the time in Unix seconds, for the
/// collection's dates.
pub fn write(path: &Path, decks: &[&Deck], history: &History, now: i64) -> Result<()> {
    let dir = tempfile_dir(path)?;
    let collection = dir.join("collection.anki2");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let written = runtime
        .block_on(collection_file(&collection, decks, history, now))
        .context("writing the Anki collection")
        .and_then(|()| Ok(std::fs::read(&collection)?));
    // The working folder goes whether the collection was written or not.
    let _ = std::fs::remove_dir_all(&dir);
    let bytes = written?;

    let mut zipped = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("collection.anki2", stored)?;
        zip.write_all(&bytes)?;
        zip.start_file("media", stored)?;
        zip.write_all(b"{}")?;
        zip.finish()?;
    }
    crate::cmd::data::write_atomically(path, &zipped)
}

/// A private working folder beside the output (so the rename stays on one file system).
fn tempfile_dir(path: &Path) -> Result<std::path::PathBuf> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!(".debrief-apkg-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create a working folder", dir.display()))?;
    Ok(dir)
}

async fn collection_file(path: &Path, decks: &[&Deck], history: &History, now: i64) -> Result<()> {
    let _ = std::fs::remove_file(path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut db = SqliteConnection::connect(&url).await?;
    db.execute(SCHEMA).await?;
    let ms = now * 1000;
    let deck_ids: Vec<i64> = decks.iter().map(|d| deck_id(&d.id)).collect();
    let mut anki_decks = serde_json::Map::new();
    anki_decks.insert("1".into(), deck_json(1, "Default", ""));
    anki_decks.insert(
        deck_id("").to_string(),
        deck_json(
            deck_id(""),
            "debrief",
            "Flashcards from debrief's default pack.",
        ),
    );
    for (deck, id) in decks.iter().zip(&deck_ids) {
        anki_decks.insert(
            id.to_string(),
            deck_json(*id, &format!("debrief::{}", deck.name), ""),
        );
    }
    sqlx::query("INSERT INTO col VALUES (1, $1, $2, $3, 11, 0, 0, 0, $4, $5, $6, $7, '{}')")
        .bind(now - now.rem_euclid(86_400))
        .bind(ms)
        .bind(ms)
        .bind(conf_json().to_string())
        .bind({
            let did = deck_ids.first().copied().unwrap_or(1);
            json!({
                MODEL_ID.to_string(): model_json(did, now),
                CLOZE_MODEL_ID.to_string(): cloze_model_json(did, now),
            })
            .to_string()
        })
        .bind(Value::Object(anki_decks).to_string())
        .bind(dconf_json().to_string())
        .execute(&mut db)
        .await?;

    let mut position = 0_i64;
    let mut revlog_id = 0_i64;
    let mut tx = db.begin().await?;
    for (deck, did) in decks.iter().zip(&deck_ids) {
        for card in &deck.cards {
            position += 1;
            let note_id = ms + position;
            // A cloze card is a cloze note (Text, Back Extra, Why): one Anki card a gap.
            let (model, fields, gaps) = match &card.cloze {
                Some(text) => {
                    let shown = debrief_core::pack::cloze(text, true);
                    let extra = card.back.strip_prefix(&shown).unwrap_or("").trim();
                    (
                        CLOZE_MODEL_ID,
                        [html(text), html(extra), html(&card.why), source(card)],
                        cloze_numbers(text),
                    )
                }
                None => (
                    MODEL_ID,
                    [
                        html(&card.front),
                        html(&card.back),
                        html(&card.why),
                        source(card),
                    ],
                    vec![1],
                ),
            };
            let sort_field = card.front.trim().to_string();
            sqlx::query("INSERT INTO notes VALUES ($1, $2, $3, $4, -1, $5, $6, $7, $8, 0, '')")
                .bind(note_id)
                .bind(format!("debrief-{}", card.id))
                .bind(model)
                .bind(now)
                .bind(format!(" debrief {} ", deck.id))
                .bind(fields.join(&FIELD_SEPARATOR.to_string()))
                .bind(&sort_field)
                .bind(checksum(&sort_field))
                .execute(&mut *tx)
                .await?;
            // The first gap's card carries the schedule and the log; further gaps are new.
            for (i, gap) in gaps.iter().enumerate() {
                let state = if i == 0 {
                    history.states.get(&card.id)
                } else {
                    None
                };
                let sched = schedule(state, position, now);
                sqlx::query(
                    "INSERT INTO cards VALUES ($1, $2, $3, $4, $5, -1, $6, $7, $8, $9, $10, $11, $12, 0, 0, 0, 0, $13)",
                )
                .bind(note_id + 1_000_000 * i as i64)
                .bind(note_id)
                .bind(did)
                .bind(i64::from(*gap) - 1)
                .bind(now)
                .bind(sched.kind)
                .bind(sched.queue)
                .bind(sched.due)
                .bind(sched.ivl)
                .bind(sched.factor)
                .bind(sched.reps)
                .bind(sched.lapses)
                .bind(&sched.data)
                .execute(&mut *tx)
                .await?;
            }
            let mut last_ivl = 0;
            for r in history.reviews.get(&card.id).into_iter().flatten() {
                revlog_id = (r.reviewed * 1000).max(revlog_id + 1);
                let ivl = interval(r.due - r.reviewed);
                sqlx::query("INSERT INTO revlog VALUES ($1, $2, -1, $3, $4, $5, $6, 0, $7)")
                    .bind(revlog_id)
                    .bind(note_id)
                    .bind(i64::from(r.rating))
                    .bind(ivl)
                    .bind(last_ivl)
                    .bind(DEFAULT_FACTOR)
                    .bind(if r.elapsed_days == 0 && last_ivl == 0 {
                        0
                    } else {
                        1
                    })
                    .execute(&mut *tx)
                    .await?;
                last_ivl = ivl;
            }
        }
    }
    tx.commit().await?;
    db.close().await?;
    Ok(())
}

/// Anki's ease factor for a card it did not schedule itself (250%); FSRS ignores it.
const DEFAULT_FACTOR: i64 = 2500;

/// A card's scheduling columns in the collection.
struct Schedule {
    kind: i64,
    queue: i64,
    due: i64,
    ivl: i64,
    factor: i64,
    reps: i64,
    lapses: i64,
    data: String,
}

/// Seconds until a card is due as Anki's interval: whole days from a day on, and negative
/// seconds under a day (a card still being learned).
fn interval(seconds: i64) -> i64 {
    if seconds >= 86_400 {
        (seconds + 43_200) / 86_400
    } else {
        -seconds.max(60)
    }
}

/// A card's columns: new (due in the pack's order) when never reviewed; otherwise a review
/// card due on its day (counted from the collection's creation, today), or a learning card due
/// at its second when its next review is within the day; with FSRS's memory in its data.
fn schedule(state: Option<&CardState>, position: i64, now: i64) -> Schedule {
    let Some(s) = state else {
        return Schedule {
            kind: 0,
            queue: 0,
            due: position,
            ivl: 0,
            factor: 0,
            reps: 0,
            lapses: 0,
            data: String::new(),
        };
    };
    let today = now - now.rem_euclid(86_400);
    let ivl = interval(s.due - s.last_review);
    let (kind, queue, due) = if ivl > 0 {
        (2, 2, (s.due - today).div_euclid(86_400))
    } else {
        (1, 1, s.due)
    };
    Schedule {
        kind,
        queue,
        due,
        ivl: ivl.max(0),
        factor: DEFAULT_FACTOR,
        reps: s.reviews,
        lapses: s.lapses,
        data: json!({
            "s": (s.stability * 100.0).round() / 100.0,
            "d": (s.difficulty * 1000.0).round() / 1000.0,
        })
        .to_string(),
    }
}

/// A deck's Anki id: stable across exports, from its debrief id.
fn deck_id(id: &str) -> i64 {
    let digest = Sha1::digest(format!("debrief-deck:{id}").as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().expect("eight bytes"));
    1_000_000_000 + (n % 1_000_000_000_000) as i64
}

/// Anki's duplicate check: the first eight hex digits of the SHA-1 of the sort field.
fn checksum(field: &str) -> i64 {
    let digest = Sha1::digest(field.as_bytes());
    i64::from(u32::from_be_bytes(
        digest[..4].try_into().expect("four bytes"),
    ))
}

fn deck_json(id: i64, name: &str, desc: &str) -> Value {
    json!({
        "id": id, "name": name, "desc": desc, "mod": 0, "usn": -1, "conf": 1, "dyn": 0,
        "collapsed": false, "browserCollapsed": false, "extendNew": 0, "extendRev": 0,
        "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0],
    })
}

fn model_json(did: i64, now: i64) -> Value {
    let field = |name: &str, ord: u32| {
        json!({"name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial",
               "size": 20, "media": []})
    };
    json!({
        "id": MODEL_ID, "name": "debrief card", "type": 0, "mod": now, "usn": -1, "sortf": 0,
        "did": did,
        "flds": [field("Front", 0), field("Back", 1), field("Why", 2), field("Source", 3)],
        "tmpls": [{
            "name": "Card 1", "ord": 0, "did": null, "bqfmt": "", "bafmt": "",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}{{#Why}}<p class=why><i>Why it matters:</i> {{Why}}</p>{{/Why}}{{#Source}}<p class=why>{{Source}}</p>{{/Source}}",
        }],
        "css": ".card { font-family: arial; font-size: 20px; text-align: left; color: black; background-color: white; }\n.why { font-size: 16px; color: #555; }",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "tags": [], "vers": [],
        "req": [[0, "any", [0]]],
    })
}

/// A dated card's Source field: when its fact was true and a link to where it comes from.
fn source(card: &debrief_core::pack::Card) -> String {
    card.dated.as_ref().map_or_else(String::new, |d| {
        format!(
            "As of {}: <a href=\"{}\">{}</a>",
            html(&d.as_of),
            html(&d.source),
            html(&d.source)
        )
    })
}

/// The gap numbers of a cloze text (`{{c2::...}}` is 2), each once, in order.
fn cloze_numbers(text: &str) -> Vec<u16> {
    let mut out: Vec<u16> = text
        .split("{{c")
        .skip(1)
        .filter_map(|rest| rest.split("::").next()?.parse().ok())
        .filter(|n| *n > 0)
        .collect();
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        out.push(1);
    }
    out
}

/// Anki's cloze note type with a Why field.
fn cloze_model_json(did: i64, now: i64) -> Value {
    let mut model = model_json(did, now);
    let field = |name: &str, ord: u32| {
        json!({"name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial",
               "size": 20, "media": []})
    };
    model["id"] = json!(CLOZE_MODEL_ID);
    model["name"] = json!("debrief cloze");
    model["type"] = json!(1);
    model["flds"] = json!([
        field("Text", 0),
        field("Back Extra", 1),
        field("Why", 2),
        field("Source", 3)
    ]);
    model["tmpls"] = json!([{
        "name": "Cloze", "ord": 0, "did": null, "bqfmt": "", "bafmt": "",
        "qfmt": "{{cloze:Text}}",
        "afmt": "{{cloze:Text}}{{#Back Extra}}<br>{{Back Extra}}{{/Back Extra}}{{#Why}}<p class=why><i>Why it matters:</i> {{Why}}</p>{{/Why}}{{#Source}}<p class=why>{{Source}}</p>{{/Source}}",
    }]);
    model["css"] = json!(".card { font-family: arial; font-size: 20px; text-align: left; color: black; background-color: white; }\n.cloze { font-weight: bold; color: blue; }\n.why { font-size: 16px; color: #555; }");
    model.as_object_mut().map(|m| m.remove("req"));
    model
}

fn conf_json() -> Value {
    json!({
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": true, "dueCounts": true, "curModel": null, "nextPos": 1,
        "sortType": "noteFld", "sortBackwards": false, "addToCur": true,
    })
}

fn dconf_json() -> Value {
    json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"delays": [1, 10], "ints": [1, 4, 7], "initialFactor": 2500, "separate": true,
                "order": 1, "perDay": 20, "bury": false},
        "lapse": {"delays": [10], "mult": 0, "minInt": 1, "leechFails": 8, "leechAction": 0},
        "rev": {"perDay": 200, "ease4": 1.3, "fuzz": 0.05, "minSpace": 1, "ivlFct": 1,
                "maxIvl": 36500, "bury": false, "hardFactor": 1.2},
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deck_ids_are_stable_and_distinct() {
        assert_eq!(deck_id("dns"), deck_id("dns"));
        assert_ne!(deck_id("dns"), deck_id("cdn"));
        assert!(deck_id("dns") > 1);
    }

    #[test]
    fn the_checksum_is_the_first_eight_hex_digits_of_sha1() {
        // sha1("abc") = a9993e36...
        assert_eq!(checksum("abc"), 0xa999_3e36);
    }
}

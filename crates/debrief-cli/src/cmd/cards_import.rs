//! `debrief cards import FILE --deck NAME`: a deck of the candidate's own (an Anki package, or
//! CSV/TSV as Anki and spreadsheets write it) into the drill, scheduled by FSRS like the pack's
//! cards. The deck is kept in the store (`user_cards`); importing the same file again updates
//! the cards instead of adding twins. A package's review log comes too: each card's ratings, in
//! order, are replayed through FSRS, so a card reviewed in Anki is scheduled here from its
//! history (a card already reviewed here keeps its own).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use debrief_store::UserCard;
use sha1::{Digest, Sha1};
use sqlx::{Connection, Row, SqliteConnection};

use crate::cmd::data::slug;
use crate::database::with_store;
use crate::{listing, Cli, Outcome};

/// Bring a deck of your own into the drill: an Anki .apkg, or a .csv/.tsv/.txt of front and
/// back.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The file: an Anki package (File > Export, \"Anki Deck Package\", with \
\"Support older Anki versions\" ticked), or text with one card a line: front, back and an optional \
\"why it matters\", separated by commas or tabs (Anki's own text export works, header lines and \
all).\n\n\
Examples:\n  \
debrief cards import networking.apkg --deck \"My networking\"\n  \
debrief cards import notes.csv --deck \"Cloudflare notes\"\n  \
debrief drill --deck mine-cloudflare-notes"
)]
pub struct ImportArgs {
    /// The file to import.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The name of the deck to bring the cards into (its id is `mine-` and the name's words).
    #[arg(long, value_name = "NAME")]
    deck: String,
}

/// One card read from a file: front, back, why, and its review log (Unix seconds and Anki's
/// rating, 1 again to 4 easy), oldest first.
struct Read3 {
    front: String,
    back: String,
    why: String,
    history: Vec<(i64, u8)>,
}

pub fn run(cli: &Cli, args: &ImportArgs) -> Result<Outcome> {
    let name = args.deck.trim();
    if name.is_empty() {
        bail!("give the deck a name: --deck \"My networking\"");
    }
    let deck_id = format!("mine-{}", slug(name, "deck"));
    let read = read_file(&args.file)?;
    if read.is_empty() {
        bail!("{}: the file holds no cards", args.file.display());
    }
    let mut histories: Vec<(String, Vec<(i64, u8)>)> = Vec::new();
    let cards: Vec<UserCard> = read
        .into_iter()
        .map(|r| {
            let id = format!("{deck_id}-{}", digest(&r.front));
            if !r.history.is_empty() {
                histories.push((id.clone(), r.history));
            }
            UserCard {
                id,
                deck: deck_id.clone(),
                deck_name: name.to_string(),
                front: r.front,
                back: r.back,
                why: r.why,
            }
        })
        .collect();
    let (cards, histories) = (&cards, &histories);
    let (added, replayed) = with_store(cli, |store| async move {
        let added = store.add_user_cards(cards).await?;
        // Reviews from the package, for the cards with no reviews here yet.
        let known: std::collections::HashSet<String> = store
            .card_states()
            .await?
            .into_iter()
            .map(|s| s.card)
            .collect();
        let mut reviews = Vec::new();
        for (id, history) in histories.iter().filter(|(id, _)| !known.contains(id)) {
            let card = cards.iter().find(|c| c.id == *id).expect("read with it");
            reviews.extend(replay(&card.id, &card.deck, history));
        }
        let as_new: Vec<debrief_store::NewReview> = reviews
            .iter()
            .map(|(card, deck, rating, next, at)| debrief_store::NewReview {
                card,
                deck,
                rating: rating.number(),
                due: next.due,
                stability: next.stability,
                difficulty: next.difficulty,
                elapsed_days: i64::from(next.elapsed_days),
                reviewed: *at,
            })
            .collect();
        store.add_reviews(&as_new).await?;
        Ok((added, as_new.len()))
    })?;
    println!(
        "Imported {} into deck {deck_id} ({} new{}): `debrief drill --deck {deck_id}` reviews them",
        listing::plural(cards.len(), "card"),
        added,
        if replayed > 0 {
            format!(", with {} of history", listing::plural(replayed, "review"))
        } else {
            String::new()
        }
    );
    Ok(Outcome::Ok)
}

/// One replayed review: the card, its deck, the rating, what FSRS made of it, and when.
type Replayed<'a> = (
    &'a str,
    &'a str,
    debrief_core::drill::Rating,
    debrief_core::drill::Scheduled,
    i64,
);

/// A card's ratings, oldest first, through the FSRS scheduler: each review as the drill would
/// have saved it. Ratings Anki does not have (0, a manual reschedule) are skipped.
fn replay<'a>(card: &'a str, deck: &'a str, history: &[(i64, u8)]) -> Vec<Replayed<'a>> {
    use debrief_core::drill::{Memory, Rating, Scheduler};
    let scheduler = Scheduler::new();
    let mut before: Option<Memory> = None;
    let mut out = Vec::new();
    for &(at, ease) in history {
        let rating = match ease {
            1 => Rating::Again,
            2 => Rating::Hard,
            3 => Rating::Good,
            4 => Rating::Easy,
            _ => continue,
        };
        let next = scheduler.schedule(before, rating, at);
        before = Some(Memory {
            stability: next.stability,
            difficulty: next.difficulty,
            last_review: at,
        });
        out.push((card, deck, rating, next, at));
    }
    out
}

/// Reads cards from an Anki package or a text file, by what the file holds.
fn read_file(path: &Path) -> Result<Vec<Read3>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.starts_with(b"PK") {
        return read_apkg(path, &bytes);
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{}: neither an Anki package nor UTF-8 text", path.display())
    })?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("apkg"))
    {
        bail!("{}: not an Anki package (not a zip file)", path.display());
    }
    Ok(read_text(&text))
}

/// An Anki package: its collection's notes, the fields named Front, Back and Why (else the
/// first two), cloze notes as the text with the gaps hidden and then shown.
fn read_apkg(path: &Path, bytes: &[u8]) -> Result<Vec<Read3>> {
    let shown = path.display();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| anyhow::anyhow!("{shown}: not an Anki package ({e})"))?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let entry = ["collection.anki21", "collection.anki2"]
        .into_iter()
        .find(|n| names.iter().any(|m| m == n));
    let newer_only = names.iter().any(|n| n == "collection.anki21b");
    let Some(entry) = entry else {
        if newer_only {
            bail!("{shown}: written in Anki's newer package format; export it again with \"Support older Anki versions\" ticked");
        }
        bail!("{shown}: not an Anki package (no collection inside)");
    };
    let mut collection = Vec::new();
    zip.by_name(entry)?.read_to_end(&mut collection)?;
    // A new folder of our own in the shared temporary folder (create_dir, not create_dir_all:
    // a folder someone else made under that name is refused, not reused).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("debrief-import-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir)
        .with_context(|| format!("{}: cannot create a working folder", dir.display()))?;
    let file = dir.join("collection.sqlite");
    std::fs::write(&file, &collection)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let read = runtime.block_on(read_collection(&file));
    let _ = std::fs::remove_dir_all(&dir);
    let read = read.map_err(|e| anyhow::anyhow!("{shown}: cannot read its collection ({e})"))?;
    if read.is_empty() && newer_only {
        bail!("{shown}: written in Anki's newer package format; export it again with \"Support older Anki versions\" ticked");
    }
    Ok(read)
}

async fn read_collection(file: &Path) -> Result<Vec<Read3>> {
    let mut db = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display())).await?;
    let ver: i64 = sqlx::query_scalar("SELECT ver FROM col")
        .fetch_one(&mut db)
        .await?;
    if ver > 11 {
        bail!("its collection is of schema {ver}, newer than this reader knows (11)");
    }
    let models: String = sqlx::query_scalar("SELECT models FROM col")
        .fetch_one(&mut db)
        .await?;
    let models: serde_json::Value = serde_json::from_str(&models)?;
    let rows = sqlx::query("SELECT id, mid, flds FROM notes ORDER BY id")
        .fetch_all(&mut db)
        .await?;
    // Each note's reviews (of its first card), oldest first. Anki's revlog id is the review's
    // time in milliseconds.
    let mut reviews: std::collections::HashMap<i64, Vec<(i64, u8)>> = Default::default();
    let logged = sqlx::query(
        "SELECT c.nid AS nid, r.id AS at, r.ease AS ease FROM revlog r \
         JOIN cards c ON c.id = r.cid WHERE c.ord = 0 ORDER BY r.id",
    )
    .fetch_all(&mut db)
    .await?;
    for row in logged {
        let nid: i64 = row.try_get("nid")?;
        let at: i64 = row.try_get("at")?;
        let ease: i64 = row.try_get("ease")?;
        reviews
            .entry(nid)
            .or_default()
            .push((at / 1000, u8::try_from(ease).unwrap_or(0)));
    }
    db.close().await?;
    let mut out = Vec::new();
    for row in rows {
        let nid: i64 = row.try_get("id")?;
        let mid: i64 = row.try_get("mid")?;
        let flds: String = row.try_get("flds")?;
        let fields: Vec<String> = flds.split('\u{1f}').map(plain).collect();
        let model = &models[mid.to_string()];
        let names: Vec<String> = model["flds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["name"].as_str().unwrap_or("").to_lowercase())
            .collect();
        let field = |wanted: &str, fallback: usize| {
            names
                .iter()
                .position(|n| n == wanted)
                .or(Some(fallback))
                .and_then(|i| fields.get(i).cloned())
                .unwrap_or_default()
        };
        let (front, back) = if model["type"] == 1 {
            // A cloze note: the text with its gaps hidden, then shown.
            let text = fields.first().cloned().unwrap_or_default();
            (
                debrief_core::pack::cloze(&text, false),
                debrief_core::pack::cloze(&text, true),
            )
        } else {
            (field("front", 0), field("back", 1))
        };
        let why = names
            .iter()
            .position(|n| n == "why")
            .and_then(|i| fields.get(i).cloned())
            .unwrap_or_default();
        if !front.trim().is_empty() && !back.trim().is_empty() {
            out.push(Read3 {
                front,
                back,
                why,
                history: reviews.remove(&nid).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// Text cards: Anki's header lines (`#separator:`, `#columns:`) are read when present; otherwise
/// a tab in the first card's line means tab-separated, else commas. Quoted fields may hold the
/// separator, doubled quotes and line breaks.
fn read_text(text: &str) -> Vec<Read3> {
    let mut separator = None;
    let mut columns: Vec<String> = Vec::new();
    let mut body = String::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix('#') {
            if let Some((key, value)) = header.split_once(':') {
                match key.trim() {
                    "separator" => {
                        separator = Some(match value.trim().to_lowercase().as_str() {
                            "tab" | "\t" => '\t',
                            "semicolon" | ";" => ';',
                            "pipe" | "|" => '|',
                            "space" => ' ',
                            _ => ',',
                        })
                    }
                    "columns" => {
                        columns = value
                            .split([',', '\t'])
                            .map(|c| c.trim().to_lowercase())
                            .collect()
                    }
                    _ => {}
                }
            }
            continue;
        }
        body.push_str(line);
        body.push('\n');
    }
    let separator = separator.unwrap_or_else(|| {
        let first = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if first.contains('\t') {
            '\t'
        } else {
            ','
        }
    });
    let at =
        |name: &str, fallback: usize| columns.iter().position(|c| c == name).unwrap_or(fallback);
    let (front, back) = (at("front", 0), at("back", 1));
    let why = columns
        .iter()
        .position(|c| c == "why")
        .or(if columns.is_empty() { Some(2) } else { None });
    records(&body, separator)
        .into_iter()
        .filter_map(|r| {
            let get = |i: usize| r.get(i).map(|f| plain(f)).unwrap_or_default();
            let card = Read3 {
                front: get(front),
                back: get(back),
                why: why.map(get).unwrap_or_default(),
                history: Vec::new(),
            };
            // A card needs both sides; a line without its answer is not a card.
            (!card.front.trim().is_empty() && !card.back.trim().is_empty()).then_some(card)
        })
        .collect()
}

/// Delimited records with RFC 4180 quoting.
fn records(text: &str, separator: char) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == separator => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    out.push(std::mem::take(&mut record));
                } else {
                    record.clear();
                }
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push(record);
    }
    out
}

/// A field as plain text: line breaks for `<br>` and block ends, other tags dropped, the common
/// entities decoded, spaces tidied.
fn plain(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_lowercase();
        if tag.starts_with("br") || tag == "/div" || tag == "/p" || tag == "/li" {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A card's id within its deck: a digest of its front, so the same card imported again is the
/// same card.
fn digest(front: &str) -> String {
    let d = Sha1::digest(front.trim().as_bytes());
    d[..5].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anki_text_with_headers_quotes_and_html_reads_as_cards() {
        let text = "#separator:Comma\n#html:true\n#columns:Front,Back,Deck,Tags\n\
What is <b>TTL</b>?,\"Seconds a cache may keep an answer, then asks again.<br>Short: fast failover.\",x,y\n\
\"Say \"\"hi\"\"\",Hello &amp; bye,x,y\n";
        let cards = read_text(text);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].front, "What is TTL?");
        assert_eq!(
            cards[0].back,
            "Seconds a cache may keep an answer, then asks again.\nShort: fast failover."
        );
        assert_eq!(cards[0].why, "", "no why column");
        assert_eq!(cards[1].front, "Say \"hi\"");
        assert_eq!(cards[1].back, "Hello & bye");
    }

    #[test]
    fn tab_separated_text_without_headers_takes_front_back_why_and_skips_lines_without_a_back() {
        let cards = read_text("Port of DNS?\t53\tFirewalls break it\n\nNo answer?\t\n");
        assert_eq!(cards.len(), 1);
        assert_eq!(
            (
                cards[0].front.as_str(),
                cards[0].back.as_str(),
                cards[0].why.as_str()
            ),
            ("Port of DNS?", "53", "Firewalls break it")
        );
    }

    #[test]
    fn a_review_log_is_replayed_through_fsrs_in_order() {
        let day = 86_400;
        let replayed = replay(
            "c",
            "mine-x",
            &[(day, 3), (4 * day, 1), (4 * day + 600, 3), (5 * day, 9)],
        );
        assert_eq!(replayed.len(), 3, "an unknown rating is skipped");
        let ratings: Vec<u8> = replayed.iter().map(|r| r.2.number()).collect();
        assert_eq!(ratings, [3, 1, 3]);
        assert!(
            replayed.iter().all(|r| r.3.due > r.4),
            "each due after its review"
        );
        assert!(
            replayed[1].3.stability < replayed[0].3.stability,
            "a lapse lowers the memory's stability"
        );
    }

    #[test]
    fn cloze_gaps_are_hidden_then_shown() {
        let text = "DNS uses port {{c1::53}} over {{c2::UDP::transport}}.";
        assert_eq!(
            debrief_core::pack::cloze(text, false),
            "DNS uses port [...] over [transport]."
        );
        assert_eq!(
            debrief_core::pack::cloze(text, true),
            "DNS uses port 53 over UDP."
        );
    }
}

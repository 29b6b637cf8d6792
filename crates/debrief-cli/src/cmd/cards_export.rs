//! `debrief cards export`: the pack's decks as files Anki imports as they are (an Anki package,
//! or CSV with Anki's header lines: one note a card, the back with its "why it matters", one
//! Anki deck a debrief deck, tagged with the deck's id), or as Markdown to read and print.

use std::path::PathBuf;

use anyhow::Result;
use debrief_core::pack::{Deck, Pack};

use crate::cmd::apkg::History;
use crate::cmd::data::write_atomically;
use crate::{listing, packdir, Cli, Outcome};

/// Write decks for Anki (CSV) or for reading (Markdown).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Anki: File > Import, pick the .csv; its header lines set the note type (Basic), \
the deck (debrief::DECK) and the tags, so nothing needs choosing.\n\n\
Examples:\n  \
debrief cards export --format csv -o debrief-cards.csv\n  \
debrief cards export --deck dns --format markdown -o dns.md\n  \
debrief cards export --format csv"
)]
pub struct ExportArgs {
    /// Only this deck (default: every deck).
    #[arg(long, value_name = "DECK")]
    deck: Option<String>,
    /// apkg: an Anki package (needs -o); csv: Anki's text import with header lines; markdown:
    /// one section a deck.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Write to this file (replaced whole) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The formats `cards export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// An Anki package: a collection of one note type and one deck per debrief deck.
    Apkg,
    /// CSV for Anki's File > Import, with its header lines.
    Csv,
    /// Markdown: a section a deck, a card a question with its answer.
    Markdown,
}

pub fn run(cli: &Cli, args: &ExportArgs) -> Result<Outcome> {
    let pack = packdir::load(cli.pack.as_deref())?;
    // The candidate's own decks go too, and an Anki package carries every review.
    let (pack, history) = crate::database::with_store(cli, |store| async move {
        let own = store.with_user_decks(&pack).await?.into_owned();
        let history = if args.format == ExportFormat::Apkg {
            History::new(store.reviews().await?, store.card_states().await?)
        } else {
            History::default()
        };
        Ok((own, history))
    })?;
    let decks = decks(&pack, args.deck.as_deref())?;
    let cards: usize = decks.iter().map(|d| d.cards.len()).sum();
    let text = match args.format {
        ExportFormat::Apkg => return write_apkg(args, &decks, &history, cards),
        ExportFormat::Csv => csv(&decks),
        ExportFormat::Markdown => markdown(&decks),
    };
    match &args.output {
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            println!(
                "Wrote {} in {} to {}",
                listing::plural(cards, "card"),
                listing::plural(decks.len(), "deck"),
                path.display()
            );
            Ok(Outcome::Ok)
        }
        None => crate::cmd::shell::write_out(text.as_bytes()),
    }
}

/// An Anki package is binary: it needs a file name.
fn write_apkg(
    args: &ExportArgs,
    decks: &[&Deck],
    history: &History,
    cards: usize,
) -> Result<Outcome> {
    let Some(path) = &args.output else {
        anyhow::bail!("an Anki package is a binary file: give it a name with -o FILE.apkg");
    };
    // The package holds the history of the cards it holds, nothing else.
    let reviews: usize = decks
        .iter()
        .flat_map(|d| &d.cards)
        .filter_map(|c| history.reviews.get(&c.id))
        .map(Vec::len)
        .sum();
    crate::cmd::apkg::write(path, decks, history, debrief_store::date::now())?;
    println!(
        "Wrote {} in {} with {} to {}: Anki's File > Import opens it",
        listing::plural(cards, "card"),
        listing::plural(decks.len(), "deck"),
        listing::plural(reviews, "review"),
        path.display()
    );
    Ok(Outcome::Ok)
}

/// The decks asked for: one by id, or all.
fn decks<'a>(pack: &'a Pack, only: Option<&str>) -> Result<Vec<&'a Deck>> {
    match only {
        None => Ok(pack.decks.iter().collect()),
        Some(id) => match pack.deck(id) {
            Some(deck) => Ok(vec![deck]),
            None => {
                let ids: Vec<&str> = pack.decks.iter().map(|d| d.id.as_str()).collect();
                anyhow::bail!("unknown deck {id:?}: known are {}", ids.join(", "))
            }
        },
    }
}

/// Anki's CSV: header lines, then Front, Back, Deck, Tags and a GUID. Fields are HTML (Anki's `#html:true`),
/// so the text is escaped and the why goes under the answer after a blank line.
pub fn csv(decks: &[&Deck]) -> String {
    let mut out = String::from(
        "#separator:Comma\n#html:true\n#notetype:Basic\n#deck column:3\n#tags column:4\n#guid column:5\n\
         #columns:Front,Back,Deck,Tags,GUID\n",
    );
    for deck in decks {
        let anki_deck = format!("debrief::{}", deck.name);
        for card in &deck.cards {
            let mut back = html(&card.back);
            if !card.why.trim().is_empty() {
                back.push_str("<br><br><i>Why it matters:</i> ");
                back.push_str(&html(&card.why));
            }
            if let Some(d) = &card.dated {
                back.push_str(&format!("<br><br><i>As of {}:</i> ", html(&d.as_of)));
                back.push_str(&html(&d.source));
            }
            let tags = format!("debrief {}", deck.id);
            // A stable id, so importing a newer export updates the notes instead of adding twins.
            let guid = format!("debrief-{}", card.id);
            let row = [html(&card.front), back, anki_deck.clone(), tags, guid];
            let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// One section a deck, one card a bold question and its answer.
pub fn markdown(decks: &[&Deck]) -> String {
    let mut out = String::new();
    for deck in decks {
        out.push_str(&format!(
            "# {} ({} card{})\n\n",
            deck.name,
            deck.cards.len(),
            if deck.cards.len() == 1 { "" } else { "s" }
        ));
        for card in &deck.cards {
            out.push_str(&format!(
                "**{}**\n\n{}\n\n",
                card.front.trim(),
                card.back.trim()
            ));
            if !card.why.trim().is_empty() {
                out.push_str(&format!("*Why it matters:* {}\n\n", card.why.trim()));
            }
            if let Some(d) = &card.dated {
                out.push_str(&format!("*As of {}:* <{}>\n\n", d.as_of, d.source));
            }
        }
    }
    out
}

/// Text as HTML: `&`, `<`, `>` and `"` escaped, line breaks as `<br>` (a field of Anki's, in
/// the CSV and in the package alike).
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn text_is_escaped_for_anki_html_fields() {
        assert_eq!(
            html("<script> & \"x\"\nnext"),
            "&lt;script&gt; &amp; &quot;x&quot;<br>next"
        );
    }
}

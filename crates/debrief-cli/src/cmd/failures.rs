//! `debrief failures add|list|show|rm`: the failure resume. Each entry is a mistake, its impact
//! and the systemic change made; an entry without a systemic change is flagged, because the
//! committee asks what changed so that it cannot happen again.

use anyhow::{bail, Context, Result};
use debrief_store::{Failure, NewFailure};
use serde::Serialize;

use crate::database::with_store;
use crate::listing::{self, Format};
use crate::style::Paint;
use crate::{Cli, Outcome};

/// Work with the failure resume.
#[derive(clap::Subcommand, Debug)]
#[command(
    after_help = "Example:\n  debrief failures add --mistake \"Shipped a DNS change on a Friday\" \\\n    --impact \"12 minutes of SERVFAIL for 3% of zones\" \\\n    --change \"Config changes now roll out in stages with automatic rollback\""
)]
pub enum FailuresCommand {
    /// Add a mistake with its impact and the systemic change made (asked for when not given).
    #[command(
        after_help = "Examples:\n  debrief failures add --mistake \"Shipped a DNS change on a Friday\" --impact \"12 minutes of SERVFAIL\" --change \"Staged rollouts\""
    )]
    Add {
        /// The mistake, in your words.
        #[arg(long)]
        mistake: Option<String>,
        /// What it cost: users, money, time, trust.
        #[arg(long)]
        impact: Option<String>,
        /// The systemic change made afterwards.
        #[arg(long = "change", value_name = "CHANGE")]
        systemic_change: Option<String>,
    },
    /// List the failure resume, flagging entries with no systemic change.
    #[command(
        after_help = "Examples:\n  debrief failures list\n  debrief failures list --format json"
    )]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show one entry.
    #[command(
        after_help = "Examples:\n  debrief failures show 2\n  debrief failures show 2 --format json"
    )]
    Show {
        /// The entry's id.
        id: i64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Remove an entry.
    #[command(after_help = "Examples:\n  debrief failures rm 2 --yes")]
    Rm {
        /// The entry's id.
        id: i64,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// An entry as `--format json` shows it.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    failure: &'a Failure,
    /// True when no systemic change is recorded.
    flagged: bool,
}

fn shown(failure: &Failure) -> Shown<'_> {
    Shown {
        failure,
        flagged: failure.entry.systemic_change.trim().is_empty(),
    }
}

const NO_CHANGE: &str =
    "no systemic change: the committee will ask what changed so it cannot happen again";

pub fn run(cli: &Cli, command: &FailuresCommand, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    match command {
        FailuresCommand::Add {
            mistake,
            impact,
            systemic_change,
        } => {
            let asking = mistake.is_none() || impact.is_none();
            let entry = NewFailure {
                mistake: field(mistake.as_deref(), "Mistake", true)?,
                impact: field(impact.as_deref(), "Impact", true)?,
                systemic_change: match systemic_change {
                    Some(c) => c.trim().to_string(),
                    None if asking => field(None, "Systemic change (empty if none yet)", false)?,
                    None => String::new(),
                },
            };
            let entry = &entry;
            let id = with_store(
                cli,
                |store| async move { Ok(store.add_failure(entry).await?) },
            )?;
            println!("Added failure {id}.");
            if entry.systemic_change.is_empty() {
                println!("{} {NO_CHANGE}.", paint.yellow("flagged:"));
            }
            Ok(Outcome::Ok)
        }
        FailuresCommand::List { format } => with_store(cli, |store| async move {
            let failures = store.failures().await?;
            if *format == Format::Json {
                listing::print_json(&failures.iter().map(shown).collect::<Vec<_>>())?;
                return Ok(Outcome::Ok);
            }
            if failures.is_empty() {
                println!("No failures yet: `debrief failures add` adds one.");
                return Ok(Outcome::Ok);
            }
            for f in &failures {
                let flag = if shown(f).flagged {
                    format!("  {}", paint.yellow("! no systemic change"))
                } else {
                    String::new()
                };
                println!("{:>4}  {}{flag}", f.id, listing::clip(&f.entry.mistake, 70));
            }
            let flagged = failures.iter().filter(|f| shown(f).flagged).count();
            if flagged > 0 {
                println!(
                    "\n{flagged} of {} without a systemic change.",
                    failures.len()
                );
            }
            Ok(Outcome::Ok)
        }),
        FailuresCommand::Show { id, format } => {
            let id = *id;
            with_store(cli, |store| async move {
                let f = store.failure(id).await?.with_context(|| {
                    format!("no failure {id}: `debrief failures list` shows the ids")
                })?;
                if *format == Format::Json {
                    listing::print_json(&shown(&f))?;
                    return Ok(Outcome::Ok);
                }
                println!("{}", paint.bold(&format!("Failure {id}")));
                println!("mistake: {}", f.entry.mistake);
                println!("impact:  {}", f.entry.impact);
                if f.entry.systemic_change.trim().is_empty() {
                    println!("change:  {} {NO_CHANGE}", paint.yellow("(none)"));
                } else {
                    println!("change:  {}", f.entry.systemic_change);
                }
                println!("added:   {}", listing::day(f.created));
                Ok(Outcome::Ok)
            })
        }
        FailuresCommand::Rm { id, yes } => {
            let (id, yes) = (*id, *yes);
            with_store(cli, |store| async move {
                let f = store.failure(id).await?.with_context(|| {
                    format!("no failure {id}: `debrief failures list` shows the ids")
                })?;
                if !yes
                    && !listing::confirm(&format!(
                        "Remove failure {id} \"{}\"?",
                        listing::clip(&f.entry.mistake, 50)
                    ))?
                {
                    println!("Nothing removed.");
                    return Ok(Outcome::Ok);
                }
                store.remove_failure(id).await?;
                println!("Removed failure {id}.");
                Ok(Outcome::Ok)
            })
        }
    }
}

/// A field from its flag, or asked for on the terminal.
fn field(given: Option<&str>, label: &str, required: bool) -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let value = match given {
        Some(v) => v.trim().to_string(),
        None => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "{} is missing: pass --{}",
                    label,
                    label.to_lowercase().split_whitespace().next().unwrap_or("")
                );
            }
            eprint!("{label}: ");
            std::io::stderr().flush()?;
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim().to_string()
        }
    };
    if required && value.is_empty() {
        bail!("{label} cannot be empty");
    }
    Ok(value)
}

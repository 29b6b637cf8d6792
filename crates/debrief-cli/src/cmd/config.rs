//! `debrief config set|get|unset|list`: the candidate's settings, such as the interview date.

use anyhow::{bail, Result};
use debrief_store::date;

use crate::database::with_store;
use crate::listing::{self, Format};
use crate::{Cli, Outcome};

pub use debrief_store::INTERVIEW_DATE;

/// Every setting debrief knows, with what it means.
const KNOWN: &[(&str, &str)] = &[(INTERVIEW_DATE, "the day of the interview, YYYY-MM-DD")];

/// Read and change settings.
#[derive(clap::Subcommand, Debug)]
#[command(
    after_help = "Settings:\n  interview-date  the day of the interview, YYYY-MM-DD\n\nExample:\n  debrief config set interview-date 2026-09-15"
)]
pub enum ConfigCommand {
    /// Set a setting.
    #[command(after_help = "Examples:\n  debrief config set interview-date 2026-09-15")]
    Set {
        /// The setting's name.
        key: String,
        /// Its value.
        value: String,
    },
    /// Print one setting.
    #[command(after_help = "Examples:\n  debrief config get interview-date")]
    Get {
        /// The setting's name.
        key: String,
    },
    /// Remove a setting.
    #[command(after_help = "Examples:\n  debrief config unset interview-date")]
    Unset {
        /// The setting's name.
        key: String,
    },
    /// List every setting.
    #[command(
        after_help = "Examples:\n  debrief config list\n  debrief config list --format json"
    )]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

pub fn run(cli: &Cli, command: &ConfigCommand) -> Result<Outcome> {
    match command {
        ConfigCommand::Set { key, value } => {
            known(key)?;
            let value = value.trim();
            if key == INTERVIEW_DATE && debrief_store::date::parse_day(value).is_none() {
                bail!("{value:?} is not a date: give the interview date as YYYY-MM-DD, such as 2026-09-15");
            }
            with_store(cli, |store| async move {
                store.set_config(key, value).await?;
                println!("{key} = {value}");
                let today = date::day_of(date::now());
                if let Some(day) = date::parse_day(value).filter(|_| key == INTERVIEW_DATE) {
                    if day < today {
                        let ago = today - day;
                        eprintln!(
                            "warning: {value} is in the past ({ago} day{} ago); set the date of the interview ahead",
                            if ago == 1 { "" } else { "s" }
                        );
                    }
                }
                Ok(Outcome::Ok)
            })
        }
        ConfigCommand::Get { key } => {
            known(key)?;
            with_store(cli, |store| async move {
                match store.config(key).await? {
                    Some(value) => println!("{value}"),
                    None => bail!("{key} is not set: `debrief config set {key} VALUE` sets it"),
                }
                Ok(Outcome::Ok)
            })
        }
        ConfigCommand::Unset { key } => {
            known(key)?;
            with_store(cli, |store| async move {
                if store.unset_config(key).await? {
                    println!("{key} unset");
                } else {
                    println!("{key} was not set");
                }
                Ok(Outcome::Ok)
            })
        }
        ConfigCommand::List { format } => with_store(cli, |store| async move {
            let all = store.config_all().await?;
            if *format == Format::Json {
                listing::print_json(&all)?;
            } else if all.is_empty() {
                println!(
                    "No settings yet: `debrief config set interview-date YYYY-MM-DD` sets one."
                );
            } else {
                for (key, value) in &all {
                    println!("{key} = {value}");
                }
            }
            Ok(Outcome::Ok)
        }),
    }
}

fn known(key: &str) -> Result<()> {
    if KNOWN.iter().any(|(k, _)| *k == key) {
        return Ok(());
    }
    let names: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
    bail!(
        "unknown setting {key:?}: known settings are {}",
        names.join(", ")
    )
}

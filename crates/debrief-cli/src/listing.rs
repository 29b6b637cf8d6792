//! Output of the list and show commands: text for people or JSON for programs.

use anyhow::Result;
use serde::Serialize;

/// Output formats of list and show commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Human,
    /// One JSON document.
    Json,
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A date for people, from Unix seconds.
pub fn day(unix_seconds: i64) -> String {
    debrief_store::date::format_day(debrief_store::date::day_of(unix_seconds))
}

/// A count with its noun, singular or plural: "1 card", "2 cards", "0 stories".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {noun}s")
    }
}

pub use debrief_core::text::clip;

/// Asks a yes/no question on the terminal; refuses when standard input is not one.
pub fn confirm(question: &str) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{question} Pass --yes to confirm (standard input is not a terminal)");
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(plural(1, "sentence"), "1 sentence");
        assert_eq!(plural(0, "card"), "0 cards");
        assert_eq!(plural(2, "quantity"), "2 quantities");
        assert_eq!(plural(3, "story"), "3 stories");
        assert_eq!(plural(2, "day"), "2 days");
    }
}

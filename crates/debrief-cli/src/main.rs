//! The `debrief` binary: one module per command, thin over `debrief-core`. Errors are one clear
//! line on stderr; `check` exits 0, 1 (something at or above `--fail-on`) or 2 (an error).

mod cmd;
mod database;
mod input;
mod listing;
mod packdir;
mod render;
mod style;
mod tui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use style::ColorChoice;

/// Interview prep for product managers facing the behavioral loop at infrastructure and security
/// companies: judges answers the way the hiring committee does, offline.
#[derive(Parser, Debug)]
#[command(name = "debrief", version, long_about = None)]
#[command(
    after_help = "Examples:\n  debrief check answer.md\n  debrief check --question halted-launch --format json answer.md\n  pbpaste | debrief check -\n  debrief pack check packs/cloudflare-pm\n  debrief eval labelled.jsonl"
)]
pub struct Cli {
    /// Judge with the pack in this folder instead of the built-in `cloudflare-pm`.
    #[arg(long, global = true, value_name = "DIR")]
    pack: Option<PathBuf>,

    /// When to colour output: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    /// The database: a SQLite file path, sqlite://PATH or postgres://... (default:
    /// $DEBRIEF_HOME/debrief.sqlite, else debrief/debrief.sqlite in the user's data directory).
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,

    /// On a cohort's PostgreSQL database (`serve --multi-user`), act as this account: its
    /// stories, mocks, cards, status, report, export and import, nobody else's.
    #[arg(long, global = true, value_name = "EMAIL")]
    account: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Judge answers: findings with spans, scores, verdict, probes and metrics.
    Check(cmd::check::Args),
    /// Work with packs: validate one and run its examples.
    #[command(subcommand)]
    Pack(cmd::pack::PackCommand),
    /// Measure a pack against labelled answers (JSON lines): accuracy, AUC, ranking in groups.
    Eval(cmd::eval::Args),
    /// Judge an explanation for a non-technical listener: time, concepts, jargon, analogy.
    Explain(cmd::explain::Args),
    /// List the question bank, by competency or theme.
    Questions(cmd::browse::QuestionsArgs),
    /// List flashcards, by deck.
    Cards(cmd::browse::CardsArgs),
    /// List the explain-drill topics.
    Topics(cmd::browse::TopicsArgs),
    /// A timed mock interview: a question, the debrief, follow-up probes; every attempt saved.
    Mock(cmd::mock::Args),
    /// Review flashcards with spaced repetition (FSRS): due cards, cramming, statistics.
    Drill(cmd::drill::Args),
    /// The story bank: add, edit, list, show, check and remove stories; every version is kept.
    #[command(subcommand)]
    Story(cmd::story::StoryCommand),
    /// The failure resume: mistakes, their impact and the systemic change made.
    #[command(subcommand)]
    Failures(cmd::failures::FailuresCommand),
    /// Which competencies the stories prove, which are missing, which stories are overused.
    Coverage(cmd::coverage::Args),
    /// Readiness: the checklist with evidence, days left, recurring weaknesses, score trend.
    Status(cmd::status::Args),
    /// Every mock interview and explain attempt, newest first, with the answers.
    History(cmd::history::Args),
    /// Serve the web app on 127.0.0.1: dashboard, live story editor, questions, failure resume.
    Serve(cmd::serve::Args),
    /// Write the report for a coach: one HTML file with charts, or Markdown.
    Report(cmd::report::Args),
    /// Settings, such as the interview date.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Write everything to a folder: JSON plus one Markdown file per story.
    Export(cmd::data::ExportArgs),
    /// Merge a folder written by `debrief export` into the store: all or nothing, twice adds nothing.
    Import(cmd::data::ImportArgs),
    /// The speech model for answering out loud (`mock --audio`, `explain --audio`): install it,
    /// see its status. Recordings are transcribed on this machine, never sent anywhere.
    #[command(subcommand)]
    Voice(cmd::voice::VoiceCommand),
    /// A cohort server's accounts: make the first admin, list who is there.
    #[command(subcommand)]
    Admin(cmd::admin::AdminCommand),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(cmd::shell::CompletionsArgs),
    /// Print the man page, every command and option included.
    Man(cmd::shell::ManArgs),
}

/// How a command ended, mapped to the process's exit code.
pub enum Outcome {
    /// Everything as asked.
    Ok,
    /// The command ran and found what the user asked it to fail on (exit 1).
    Failed,
}

/// Output cut short by a closed pipe (`debrief cards | head -3`) ends the process quietly with
/// the status a Unix tool killed by SIGPIPE has (141), instead of with a panic message: Rust
/// ignores SIGPIPE, so `println!` panics when the reader has gone.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("os error 32") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let color = cli.color.enabled();
    let result = match &cli.command {
        Command::Check(args) => cmd::check::run(&cli, args, color),
        Command::Pack(c) => cmd::pack::run(&cli, c, color),
        Command::Eval(args) => cmd::eval::run(&cli, args, color),
        Command::Explain(args) => cmd::explain::run(&cli, args, color),
        Command::Questions(args) => cmd::browse::questions(&cli, args, color),
        Command::Cards(args) => cmd::browse::cards(&cli, args, color),
        Command::Topics(args) => cmd::browse::topics(&cli, args, color),
        Command::Mock(args) => cmd::mock::run(&cli, args, color),
        Command::Drill(args) => cmd::drill::run(&cli, args, color),
        Command::Story(c) => cmd::story::run(&cli, c, color),
        Command::Failures(c) => cmd::failures::run(&cli, c, color),
        Command::Coverage(args) => cmd::coverage::run(&cli, args, color),
        Command::Status(args) => cmd::status::run(&cli, args, color),
        Command::Serve(args) => cmd::serve::run(&cli, args),
        Command::Report(args) => cmd::report::run(&cli, args),
        Command::Config(c) => cmd::config::run(&cli, c),
        Command::Export(args) => cmd::data::export(&cli, args),
        Command::Import(args) => cmd::data::import(&cli, args),
        Command::History(args) => cmd::history::run(&cli, args, color),
        Command::Voice(c) => cmd::voice::run(&cli, c, color),
        Command::Admin(c) => cmd::admin::run(&cli, c),
        Command::Completions(args) => cmd::shell::completions(args),
        Command::Man(args) => cmd::shell::man(args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("debrief: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod help_tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Every command a user can run, with its path of names.
    fn leaves(
        command: &clap::Command,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        let subs: Vec<&clap::Command> = command
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if subs.is_empty() {
            out.push((path.clone(), command.clone()));
        }
        for sub in subs {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            leaves(sub, p, out);
        }
    }

    /// Splits an example line as a shell would, for the simple quoting the examples use.
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => {
                    if !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                }
                (_, c) => word.push(c),
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    }

    #[test]
    fn every_command_has_examples_and_each_example_parses() {
        let mut root = Cli::command();
        root.build();
        let mut all = Vec::new();
        leaves(&root, Vec::new(), &mut all);
        assert!(all.len() > 25, "{} commands", all.len());
        for (path, command) in &all {
            let help = command
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let examples: Vec<&str> = help
                .lines()
                .skip_while(|l| !l.starts_with("Example"))
                .filter_map(|l| l.trim().strip_prefix("debrief "))
                .collect();
            assert!(
                !examples.is_empty(),
                "`debrief {}` has no example in its --help",
                path.join(" ")
            );
            for example in examples {
                // The command itself, without a comment, a pipe or a redirection after it.
                let example = example
                    .split(['(', '|', '>', '<'])
                    .next()
                    .unwrap()
                    .split(" && ")
                    .next()
                    .unwrap();
                let mut argv = vec!["debrief".to_string()];
                argv.extend(words(example));
                if let Err(e) = Cli::try_parse_from(&argv) {
                    panic!("`{}` does not parse: {e}", argv.join(" "));
                }
            }
        }
    }
}

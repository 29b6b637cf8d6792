//! `debrief completions SHELL` and `debrief man`: shell completions and a man page, both made
//! from the same clap definition as `--help`, so they never disagree with it.

use std::io::Write;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::{Cli, Outcome};

/// Print shell completions for debrief.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    debrief completions bash > ~/.local/share/bash-completion/completions/debrief\n  \
    debrief completions zsh > ~/.zfunc/_debrief\n  \
    debrief completions fish > ~/.config/fish/completions/debrief.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

/// Print debrief's man page (roff).
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    debrief man > debrief.1 && man ./debrief.1\n  \
    debrief man | gzip > ~/.local/share/man/man1/debrief.1.gz")]
pub struct ManArgs {}

pub fn completions(args: &CompletionsArgs) -> Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "debrief", &mut out);
    write_out(&out)
}

pub fn man(_args: &ManArgs) -> Result<Outcome> {
    let mut out = Vec::new();
    let mut command = Cli::command();
    command.build();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .context("rendering the man page")?;
    // Then each command with its own synopsis, description and options, as `--help` has them.
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name().to_string();
        let sub = sub.clone().bin_name(format!("debrief {name}"));
        let page = clap_mangen::Man::new(sub).title(format!("debrief-{name}"));
        writeln!(out, ".SH \"DEBRIEF {}\"", name.to_uppercase())?;
        page.render_synopsis_section(&mut out)?;
        page.render_description_section(&mut out)?;
        page.render_options_section(&mut out)?;
        page.render_subcommands_section(&mut out)?;
        page.render_extra_section(&mut out)?;
    }
    write_out(&out)
}

/// Writes to stdout; a closed pipe ends the process quietly, with the status a Unix tool killed
/// by SIGPIPE has (141), as `println!` does (see `quiet_on_closed_pipe` in main.rs).
pub(crate) fn write_out(bytes: &[u8]) -> Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(Outcome::Ok),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(141),
        Err(e) => Err(e.into()),
    }
}

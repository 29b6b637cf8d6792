//! `debrief admin`: a cohort server's accounts from the command line, against its PostgreSQL
//! database (`--database postgres://...`). The first admin is made here; everyone else joins by
//! an invitation link from the web app.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::{bail, Context, Result};
use debrief_store::cohort::{self, Cohort, Role};

use crate::{Cli, Outcome};

#[derive(clap::Subcommand, Debug)]
pub enum AdminCommand {
    /// Make an account. The password is read from standard input (its first line); typed at a
    /// terminal, it is not shown.
    #[command(
        after_help = "Examples:\n  debrief admin create-user --database postgres://debrief@127.0.0.1/cohort --email ada@example.org --name Ada --role admin\n  printf '%s\\n' \"$PASSWORD\" | debrief admin create-user --database postgres://debrief@127.0.0.1/cohort --email coach@example.org --role coach"
    )]
    CreateUser(CreateArgs),
    /// List the accounts: id, role, email, name.
    #[command(
        after_help = "Examples:\n  debrief admin list-users --database postgres://debrief@127.0.0.1/cohort"
    )]
    ListUsers,
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The login email.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// The name others see (default: the email's name part).
    #[arg(long, value_name = "NAME", default_value = "")]
    name: String,
    /// What the account may do: admin (invites and assigns; sees no stories), coach or
    /// candidate.
    #[arg(long, value_name = "ROLE", default_value = "admin", value_parser = ["admin", "coach", "candidate"])]
    role: String,
}

pub fn run(cli: &Cli, command: &AdminCommand) -> Result<Outcome> {
    let Some(url) = cli.database.as_deref() else {
        bail!("name the cohort's database: --database postgres://USER@HOST/DATABASE");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let cohort = Cohort::open_with(url, 2).await?;
        let result = match command {
            AdminCommand::CreateUser(args) => create(&cohort, args).await,
            AdminCommand::ListUsers => list(&cohort).await,
        };
        cohort.close().await;
        result
    })
}

async fn create(cohort: &Cohort, args: &CreateArgs) -> Result<Outcome> {
    let role = Role::parse(&args.role).expect("clap checks the role");
    let Some(email) = cohort::normal_email(&args.email) else {
        bail!("{:?} is not an email address", args.email);
    };
    let password = read_password()?;
    if let Some(why) = cohort::check_password(&password, &email) {
        bail!("choose another password: {why}");
    }
    let hash = cohort::hash_password(&password)?;
    let account = cohort
        .create_account(&email, &args.name, role, &hash)
        .await?;
    println!(
        "made {} account {} for {} ({})",
        account.role, account.id, account.name, account.email
    );
    Ok(Outcome::Ok)
}

async fn list(cohort: &Cohort) -> Result<Outcome> {
    let accounts = cohort.accounts().await?;
    if accounts.is_empty() {
        println!("no accounts yet: make the first with `debrief admin create-user`");
    }
    for a in accounts {
        println!(
            "{:>5}  {:<9}  {}  {}",
            a.id,
            a.role.as_str(),
            a.email,
            a.name
        );
    }
    Ok(Outcome::Ok)
}

/// The password: the first line of standard input; at a terminal, asked for and not echoed.
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if line.is_empty() {
            bail!("no password on standard input: send it as its first line");
        }
        return Ok(line);
    }
    eprint!("Password (not shown): ");
    std::io::stderr().flush().ok();
    ratatui::crossterm::terminal::enable_raw_mode().context("turning off the echo")?;
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    let outcome = loop {
        match stdin.lock().read(&mut byte) {
            Ok(0) => break Ok(()),
            Ok(_) => match byte[0] {
                b'\r' | b'\n' => break Ok(()),
                3 => break Err(anyhow::anyhow!("interrupted")),
                127 | 8 => {
                    // Backspace removes one character, not one byte.
                    while let Some(b) = bytes.pop() {
                        if b & 0xC0 != 0x80 {
                            break;
                        }
                    }
                }
                b => bytes.push(b),
            },
            Err(e) => break Err(e.into()),
        }
    };
    ratatui::crossterm::terminal::disable_raw_mode().ok();
    eprintln!();
    outcome?;
    String::from_utf8(bytes).context("the password is not valid UTF-8")
}

//! `debrief serve`: the web app for one person, on 127.0.0.1 unless told otherwise. The pack is
//! compiled once and shared by every request; readiness is this binary's `status` logic.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use debrief_store::date;
use debrief_web::{App, Readiness};

use crate::cmd::status;
use crate::{database, packdir, Cli, Outcome};

/// Serve the web app: dashboard, story editor with live judgment, question bank, failure resume.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief serve\n  debrief serve --port 8080\n  debrief serve --model ~/models/whisper-base.en\n  debrief serve --multi-user --database postgres://debrief@127.0.0.1/cohort --bind 127.0.0.1 --port 7001 --public-host debrief.example.org --trust-proxy\n\nThe mock interview and the explain drill get a record button when a speech model is there (`debrief voice install`, or --model DIR): the recording goes only to this server and is transcribed on this machine."
)]
pub struct Args {
    /// The address to listen on. Anything but a loopback address shows your stories to the
    /// network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "ADDR")]
    bind: IpAddr,

    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = 7878, value_name = "N")]
    port: u16,

    /// The Whisper model folder behind the record button (CTranslate2 format: model.bin and
    /// vocabulary.txt) instead of the one `debrief voice install` put in the data directory.
    /// Without either, the mock interview and explain pages say how to install one.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,

    /// Serve a cohort: accounts (candidates, coaches, admins) on the PostgreSQL database that
    /// --database names, which every instance shares. Refuses SQLite. Make the first admin with
    /// `debrief admin create-user`.
    #[arg(long)]
    multi_user: bool,

    /// The host name (with :port unless 443 or 80) the browser uses to reach this server, as
    /// the proxy in front passes it in the Host header; repeat for several. Loopback names are
    /// always answered.
    #[arg(long = "public-host", value_name = "HOST[:PORT]")]
    public_hosts: Vec<String>,

    /// Read the client's address (for login throttling) from the last X-Forwarded-For hop.
    /// Only behind a proxy that sets that header itself (the HAProxy configuration in
    /// deploy/ does).
    #[arg(long, requires = "multi_user")]
    trust_proxy: bool,

    /// Database connections this instance keeps at most (--multi-user).
    #[arg(long, default_value_t = 10, value_name = "N", requires = "multi_user")]
    pool: u32,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome> {
    let analyzer = Arc::new(packdir::analyzer(cli.pack.as_deref())?);
    let model = voice_model(args.model.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let cohort = if args.multi_user {
            let Some(url) = cli.database.as_deref() else {
                anyhow::bail!(
                    "--multi-user needs --database postgres://USER@HOST/DATABASE: a cohort keeps its accounts, sessions and login counters in one PostgreSQL database that every instance shares"
                );
            };
            let cohort = debrief_store::cohort::Cohort::open_with(url, args.pool.max(1)).await?;
            cohort.migrate_accounts().await?;
            Some(cohort)
        } else {
            None
        };
        let store = match cohort {
            Some(_) => None,
            None => Some(database::open(cli).await?),
        };
        let wanted = SocketAddr::new(args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(wanted)
            .await
            .with_context(|| format!("cannot listen on {wanted}: try another --port"))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() && cohort.is_none() {
            eprintln!(
                "debrief: warning: listening on {addr}, which other machines can reach; your stories are visible to them"
            );
        }
        let shown = if addr.ip().is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        } else {
            addr
        };
        match &cohort {
            Some(c) => println!(
                "debrief is serving a cohort on http://{shown}/ from {} (Ctrl-C stops it); put it behind TLS (README: a cohort server)",
                c.location()
            ),
            None => println!("debrief is serving http://{shown}/ (Ctrl-C stops it)"),
        }
        std::io::stdout().flush()?;
        let shared = analyzer.clone();
        let readiness: Readiness = Arc::new(move |store| {
            let analyzer = shared.clone();
            Box::pin(async move {
                let today = date::day_of(date::now());
                let status = status::compute(&store, analyzer.pack(), today).await?;
                Ok(serde_json::to_value(status)?)
            })
        });
        let app = match (store, cohort) {
            (Some(store), _) => App::new(analyzer, store, Some(readiness)),
            (None, Some(cohort)) => {
                App::multi_user(analyzer, cohort, Some(readiness), args.trust_proxy)
            }
            (None, None) => unreachable!("a store or a cohort was opened above"),
        }
        .with_explain_model(packdir::explain_model(cli.pack.as_deref())?)
        .with_voice(model);
        let mut hosts = debrief_web::allowed_hosts(addr);
        hosts.extend(args.public_hosts.iter().map(|h| h.to_ascii_lowercase()));
        debrief_web::serve_hosts(listener, app, hosts)
            .await
            .context("the server stopped")?;
        Ok(Outcome::Ok)
    })
}

/// The model folder behind the record button: `--model DIR`, checked now so a wrong folder is
/// said at start (its weights load at the first recording), else where `voice install` puts one,
/// whether or not it is there yet (the pages look again each time).
fn voice_model(explicit: Option<&std::path::Path>) -> Result<PathBuf> {
    match explicit {
        Some(dir) => {
            if !debrief_voice::whisper::is_model_dir(dir) {
                anyhow::bail!(
                    "{} is not a Whisper model folder debrief can use: it needs model.bin and vocabulary.txt (CTranslate2 format, as `debrief voice install` installs)",
                    dir.display()
                );
            }
            Ok(dir.to_path_buf())
        }
        None => crate::cmd::voice::installed_dir(),
    }
}

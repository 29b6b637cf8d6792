//! Opening the candidate's store for a command: `--database URL`, else `DEBRIEF_HOME`, else the
//! user's data directory. The store is async; commands run on a small runtime of their own.

use std::future::Future;

use anyhow::Result;
use debrief_store::Store;

use crate::Cli;

/// Runs a command's body against the store, on a single-threaded runtime.
pub fn with_store<T, F, Fut>(cli: &Cli, body: F) -> Result<T>
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = open(cli).await?;
        let result = body(store.clone()).await;
        store.close().await;
        result
    })
}

/// Opens the store the command line names: with `--account`, that account's store in a cohort.
pub async fn open(cli: &Cli) -> Result<Store> {
    let url = match &cli.database {
        Some(url) => url.clone(),
        None if cli.account.is_some() => anyhow::bail!(
            "--account needs the cohort's database: --database postgres://USER@HOST/DATABASE"
        ),
        None => debrief_store::default_location()?
            .to_string_lossy()
            .into_owned(),
    };
    match &cli.account {
        None => Ok(Store::open(&url).await?),
        Some(email) => {
            let cohort = debrief_store::cohort::Cohort::open_with(&url, 2).await?;
            match cohort.account_by_email(email).await? {
                Some(account) => Ok(cohort.store(account.id)),
                None => anyhow::bail!(
                    "no account {email:?} on {}: `debrief admin list-users` lists them",
                    cohort.location()
                ),
            }
        }
    }
}

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

/// Opens the store the command line names.
pub async fn open(cli: &Cli) -> Result<Store> {
    let url = match &cli.database {
        Some(url) => url.clone(),
        None => debrief_store::default_location()?
            .to_string_lossy()
            .into_owned(),
    };
    Ok(Store::open(&url).await?)
}

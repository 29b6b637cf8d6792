//! Throwaway PostgreSQL databases for tests: a fresh database of its own on the server that
//! `DEBRIEF_TEST_DATABASE_URL` names, dropped (with any roles a cohort made in it) when the guard
//! goes. Tests never touch the server's own databases.

use sqlx::{AssertSqlSafe, Connection, Executor};

/// The variable that names the test server.
pub const TEST_SERVER: &str = "DEBRIEF_TEST_DATABASE_URL";

/// A fresh database; dropped with its cohort's roles when this goes.
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// A fresh database on the server [`TEST_SERVER`] names; `None`, saying why on stderr, when
    /// the variable is not set. Panics when the server cannot be reached: the variable says one
    /// is there.
    pub async fn create(why: &str) -> Option<ScratchDatabase> {
        let Some(server) = std::env::var(TEST_SERVER).ok().filter(|u| !u.is_empty()) else {
            eprintln!("{why} skipped: {TEST_SERVER} is not set");
            return None;
        };
        let name = format!("debrief_test_{}", crate::sql::new_uid().to_lowercase());
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("connect to {TEST_SERVER}: {e}"));
        admin
            .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create a fresh database");
        admin.close().await.ok();
        let url = with_database(&server, &name);
        Some(ScratchDatabase { server, name, url })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (server, name, url) = (self.server.clone(), self.name.clone(), self.url.clone());
        // On a thread of its own: the test's runtime may be unwinding.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                // A cohort's roles outlive the database: read their prefix first.
                let mut db = sqlx::PgConnection::connect(&url).await?;
                let cohort: Option<String> = sqlx::query_scalar(
                    "SELECT name FROM debrief_cohort.cohort WHERE to_regclass('debrief_cohort.cohort') IS NOT NULL",
                )
                .fetch_optional(&mut db)
                .await
                .unwrap_or(None);
                db.close().await.ok();
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                admin
                    .execute(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await?;
                if let Some(cohort) = cohort {
                    let roles: Vec<String> = sqlx::query_scalar(
                        "SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)",
                    )
                    .bind(format!("debrief_{cohort}_"))
                    .fetch_all(&mut admin)
                    .await?;
                    for role in roles {
                        admin
                            .execute(AssertSqlSafe(format!("DROP ROLE IF EXISTS \"{role}\"")))
                            .await?;
                    }
                }
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// The server URL with its database replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

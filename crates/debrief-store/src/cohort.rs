//! A cohort server's accounts on PostgreSQL: who the accounts are, their sessions, invitations,
//! coach assignments, comments and the audit trail, in the schema `debrief_cohort`.
//!
//! Each account's own data (stories, attempts, reviews, settings) lives in a schema of its own,
//! `account_N`, owned by a database role of its own. [`Cohort::store`] gives a [`Store`] bound to
//! one account: every statement it runs first enters that role and schema on its connection, so
//! the store's queries, written for one person, cannot name another account's rows (the first
//! line), and the role has no privilege on any other account's schema or on this one (the second
//! line, held by PostgreSQL itself).
//!
//! ```no_run
//! # async fn demo() -> debrief_store::Result<()> {
//! use debrief_store::cohort::{Cohort, Role};
//! let cohort = Cohort::open("postgres://debrief@127.0.0.1/cohort").await?;
//! let hash = debrief_store::cohort::hash_password("correct horse battery staple")?;
//! let ada = cohort.create_account("ada@example.org", "Ada", Role::Candidate, &hash).await?;
//! let stories = cohort.store(ada.id).stories().await?;
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::error::{self, Error, Result};
use crate::sql::redact;
use crate::{date, Backend, Store, POSTGRES_MIGRATIONS};

static COHORT_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/cohort");

/// The schema that holds the cohort's own tables.
pub const SCHEMA: &str = "debrief_cohort";

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;
/// The longest password accepted, in characters; nothing shorter is ever cut.
pub const MAX_PASSWORD: usize = 128;

/// How long a session lasts without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// How long a session lasts at most, however busy.
pub const ABSOLUTE: Duration = Duration::from_secs(12 * 60 * 60);
/// How long a login waits for its second-factor code.
pub const PENDING_LIFE: Duration = Duration::from_secs(5 * 60);
/// How long an invitation link works.
pub const INVITATION_LIFE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Failed logins counted per (email, client) before that pair must wait.
pub const FAILURES_PER_PAIR: i64 = 5;
/// Failed logins counted per client, whatever the email, before it must wait.
pub const FAILURES_PER_CLIENT: i64 = 50;
/// The window failures are counted over.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Practises, as one person does alone; shares stories with their coaches.
    Candidate,
    /// Sees the readiness and shared stories of the candidates assigned to them.
    Coach,
    /// Invites people and assigns coaches; has no view of anyone's stories.
    Admin,
}

impl Role {
    /// Its name in the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Candidate => "candidate",
            Role::Coach => "coach",
            Role::Admin => "admin",
        }
    }

    /// The role named `s`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "candidate" => Some(Role::Candidate),
            "coach" => Some(Role::Coach),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One account.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Account {
    /// Its id.
    pub id: i64,
    /// Its login, lower-cased.
    pub email: String,
    /// The name others see.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// Bumped by a change of password or role; sessions of an older generation end.
    #[serde(skip)]
    pub generation: i64,
    /// Whether logging in also asks for a code from an authenticator app.
    pub second_factor: bool,
}

/// A live session and its account, as read at the start of a request.
#[derive(Clone, Debug)]
pub struct Session {
    /// The SHA-256 of the cookie's token.
    pub id: String,
    /// The token every state-changing request in this session must carry.
    pub csrf: String,
    /// Whose session it is, as the account is now.
    pub account: Account,
    /// When it began.
    pub created: i64,
}

/// A coach-candidate assignment.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Assignment {
    /// The coach.
    pub coach: Account,
    /// The candidate.
    pub candidate: Account,
    /// Since when.
    pub created: i64,
}

/// A coach's comment on a story version.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Comment {
    /// Its id.
    pub id: i64,
    /// The version it is about.
    pub version: i64,
    /// Who wrote it.
    pub coach_name: String,
    /// What it says (Markdown, rendered sanitised).
    pub body: String,
    /// When.
    pub created: i64,
}

/// One line of a candidate's audit trail.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditEntry {
    /// When.
    pub at: i64,
    /// Who read.
    pub actor_name: String,
    /// What they read.
    pub action: String,
}

/// An invitation as the link's holder sees it.
#[derive(Clone, Debug)]
pub struct Invitation {
    /// The role the new account gets.
    pub role: Role,
    /// The coach a new candidate is assigned to, if a coach invited them.
    pub coach_id: Option<i64>,
    /// Until when the link works.
    pub expires: i64,
}

/// The statement that puts a connection into one account's role and schema.
#[derive(Debug)]
pub(crate) struct Scope {
    enter: String,
}

impl Scope {
    /// Enters the account's role and schema on `conn`.
    pub(crate) async fn enter(
        &self,
        conn: &mut PgConnection,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::raw_sql(AssertSqlSafe(self.enter.as_str()))
            .execute(conn)
            .await
            .map(|_| ())
    }
}

/// The SHA-256 of a token, as hex: what is kept of session and invitation tokens.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh random token, 32 bytes as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Why a password is refused, in the user's words; `None` when it may be used. Length counts
/// characters; nothing is cut or changed.
pub fn check_password(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD {
        return Some(format!(
            "the password is {chars} characters; use at least {MIN_PASSWORD} (a few words in a row is easy to remember)"
        ));
    }
    if chars > MAX_PASSWORD {
        return Some(format!(
            "the password is {chars} characters; use at most {MAX_PASSWORD}"
        ));
    }
    let lower = password.to_lowercase();
    if common_passwords().contains(lower.as_str()) {
        return Some(
            "that password is on a list of commonly used and leaked passwords; choose another"
                .to_string(),
        );
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if lower == email || (!local.is_empty() && lower == local) {
        return Some("the password must not be the email address or its name part".to_string());
    }
    None
}

/// An argon2id hash of `password` with a fresh salt, in PHC form; the crate's default parameters.
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system gives random bytes");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::BadInput(format!("the password could not be hashed: {e}")))
}

/// Whether `password` matches the PHC hash `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash no password matches, checked against when the email is unknown so that an unknown
/// user and a wrong password take the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).expect("a hash"))
}

/// Lower-cases and trims an email; `None` when it is not one.
pub fn normal_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(email)
}

fn account_of(r: &sqlx::postgres::PgRow) -> std::result::Result<Account, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(Account {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Candidate),
        created: r.try_get("created")?,
        generation: r.try_get("generation")?,
        second_factor: r.try_get("second_factor")?,
    })
}

const ACCOUNT_COLUMNS: &str = "a.id, a.email, a.name, a.role, a.created, a.generation, \
     (a.totp_secret IS NOT NULL) AS second_factor";

/// The cohort: its pool, shared by every account's store.
#[derive(Clone, Debug)]
pub struct Cohort {
    pool: PgPool,
    location: String,
    /// Prefixes the accounts' database roles.
    name: Arc<str>,
}

impl Cohort {
    /// Connects to the PostgreSQL database at `url`, creating the cohort's schema or bringing it
    /// up to date. The database user must be able to create roles (`CREATEROLE`): each account
    /// gets one. `max_connections` sizes this instance's pool.
    pub async fn open(url: &str) -> Result<Cohort> {
        Cohort::open_with(url, 10).await
    }

    /// [`Cohort::open`] with a pool of `max_connections`.
    pub async fn open_with(url: &str, max_connections: u32) -> Result<Cohort> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::NeedsPostgres(redact(url)));
        }
        let location = redact(url);
        let connect_error = |source| Error::Connect {
            location: location.clone(),
            source,
        };
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(connect_error)?;
        let mut conn = pool.acquire().await.map_err(connect_error)?;
        let (user, may): (String, bool) = sqlx::query_as(
            "SELECT current_user::text, rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| error::classify(e, &location))?;
        if !may {
            return Err(Error::CannotCreateRoles { location, user });
        }
        sqlx::raw_sql(
            "CREATE SCHEMA IF NOT EXISTS debrief_cohort; SET search_path TO debrief_cohort",
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| error::classify(e, &location))?;
        // run_direct on the connection: `run` with a connection trips the compiler's
        // "Acquire is not general enough" in futures that must be Send.
        COHORT_MIGRATIONS
            .run_direct(None, &mut *conn, false)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => error::classify(e, &location),
                e => Error::Migrate(e),
            })?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM cohort")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| error::classify(e, &location))?;
        let name = match name {
            Some(n) => n,
            None => {
                let fresh = new_token()[..10].to_string();
                // Two instances starting at once: the first row wins.
                sqlx::query(
                    "INSERT INTO cohort (name) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM cohort)",
                )
                .bind(&fresh)
                .execute(&mut *conn)
                .await
                .map_err(|e| error::classify(e, &location))?;
                sqlx::query_scalar("SELECT name FROM cohort LIMIT 1")
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| error::classify(e, &location))?
            }
        };
        drop(conn);
        Ok(Cohort {
            pool,
            location,
            name: name.into(),
        })
    }

    /// Where the database is, without its password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The database role of account `id` (its schema is `account_ID`).
    pub fn role_of(&self, id: i64) -> String {
        self.role_name(id)
    }

    fn role_name(&self, id: i64) -> String {
        format!("debrief_{}_{id}", self.name)
    }

    /// The schema of account `id`.
    fn schema_name(id: i64) -> String {
        format!("account_{id}")
    }

    fn scope(&self, id: i64) -> Scope {
        Scope {
            enter: format!(
                "SET ROLE \"{}\"; SET search_path TO \"{}\"",
                self.role_name(id),
                Cohort::schema_name(id)
            ),
        }
    }

    /// The store of account `id`: everything it runs is confined to that account's schema and
    /// role.
    pub fn store(&self, id: i64) -> Store {
        Store {
            backend: Backend::Postgres(self.pool.clone()),
            location: self.location.clone(),
            scope: Some(Arc::new(self.scope(id))),
        }
    }

    /// A connection of the pool in the cohort's own schema, as the server's own user.
    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.fail(e))?;
        sqlx::raw_sql("RESET ROLE; SET search_path TO debrief_cohort")
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(conn)
    }

    /// Ends every session of account `id` in the open transaction, as a change of password,
    /// role or second factor does: its generation moves on (so a login that checked the old
    /// password and has not yet made its session gets a dead one) and its sessions go.
    /// Runs `update` (an `UPDATE accounts` of one column, `$1` the value, `$2` the id) and ends
    /// the account's sessions, on `conn` (a transaction); whether the account was there.
    async fn change_ending_sessions(
        conn: &mut PgConnection,
        update: &'static str,
        value: &str,
        id: i64,
    ) -> std::result::Result<bool, sqlx::Error> {
        let n = sqlx::query(update)
            .bind(value)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        Cohort::end_sessions_in(conn, id).await?;
        Ok(n == 1)
    }

    async fn end_sessions_in(
        conn: &mut PgConnection,
        id: i64,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query("UPDATE accounts SET generation = generation + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    fn fail(&self, e: sqlx::Error) -> Error {
        error::classify(e, &self.location)
    }

    // ----- accounts ------------------------------------------------------------------------

    /// Makes an account with its own role and schema, its schema brought up to date. Refuses an
    /// email already taken ([`Error::Taken`]).
    pub async fn create_account(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Account> {
        let email = normal_email(email)
            .ok_or_else(|| Error::BadInput(format!("{email:?} is not an email address")))?;
        let name = name.trim();
        let name = if name.is_empty() {
            email.split('@').next().unwrap_or("")
        } else {
            name
        };
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        if taken.is_some() {
            return Err(Error::Taken(email));
        }
        let row = sqlx::query(
            "INSERT INTO accounts (email, name, role, password, created) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, email, name, role, created, generation, FALSE AS second_factor",
        )
        .bind(&email)
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(date::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Error::Taken(email.clone()),
            e => self.fail(e),
        })?;
        let account = account_of(&row).map_err(|e| self.fail(e))?;
        let (db_role, schema) = (self.role_name(account.id), Cohort::schema_name(account.id));
        // Role and schema in the same transaction as the row: either all exist or none.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE ROLE \"{db_role}\" NOLOGIN; GRANT \"{db_role}\" TO CURRENT_USER; \
             CREATE SCHEMA \"{schema}\" AUTHORIZATION \"{db_role}\"; \
             REVOKE ALL ON SCHEMA \"{schema}\" FROM PUBLIC"
        )))
        .execute(&mut *tx)
        .await
        .map_err(|e| self.fail(e))?;
        self.scope(account.id)
            .enter(&mut tx)
            .await
            .map_err(|e| self.fail(e))?;
        POSTGRES_MIGRATIONS
            .run_direct(None, &mut *tx, false)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => self.fail(e),
                e => Error::Migrate(e),
            })?;
        sqlx::raw_sql("RESET ROLE; SET search_path TO debrief_cohort")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(account)
    }

    /// Brings every account's schema up to date (after an upgrade of the binary).
    pub async fn migrate_accounts(&self) -> Result<()> {
        let ids: Vec<i64> = {
            let mut conn = self.conn().await?;
            sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| self.fail(e))?
        };
        for id in ids {
            let store = self.store(id);
            if store.schema_version().await? < store.known_schema() {
                store.migrate().await?;
            }
        }
        Ok(())
    }

    /// The account `id`.
    pub async fn account(&self, id: i64) -> Result<Option<Account>> {
        self.one_account("a.id = $1", id).await
    }

    /// The one account matching `condition` on `value` (bound as `$1`).
    async fn one_account<T>(&self, condition: &str, value: T) -> Result<Option<Account>>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let mut conn = self.conn().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE {condition}"
        )))
        .bind(value)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        row.map(|r| account_of(&r))
            .transpose()
            .map_err(|e| self.fail(e))
    }

    /// The account whose login is `email` (any case).
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        match normal_email(email) {
            Some(email) => self.one_account("a.email = $1", email).await,
            None => Ok(None),
        }
    }

    /// Every account, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.id"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        rows.iter()
            .map(account_of)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.fail(e))
    }

    /// The account whose password is `password`, by email; `None` for an unknown email and a
    /// wrong password alike, after the same work (an argon2id check either way).
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<Account>> {
        let email = normal_email(email).unwrap_or_default();
        let mut conn = self.conn().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, a.password FROM accounts a WHERE a.email = $1"
        )))
        .bind(&email)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        drop(conn);
        let (account, hash) = match &row {
            Some(r) => (
                Some(account_of(r).map_err(|e| self.fail(e))?),
                r.try_get::<String, _>("password")
                    .map_err(|e| self.fail(e))?,
            ),
            None => (None, decoy_hash().to_string()),
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        Ok(account.filter(|_| matches))
    }

    /// Sets a new password (already checked and hashed); ends every session of the account.
    pub async fn set_password(&self, id: i64, password_hash: &str) -> Result<bool> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        let found = Cohort::change_ending_sessions(
            &mut tx,
            "UPDATE accounts SET password = $1 WHERE id = $2",
            password_hash,
            id,
        )
        .await
        .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(found)
    }

    /// Changes an account's role and ends its sessions: it logs in again as what it now is.
    /// Ends its coach assignments when it stops being a coach or a candidate.
    pub async fn set_role(&self, id: i64, role: Role) -> Result<bool> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        let found = Cohort::change_ending_sessions(
            &mut tx,
            "UPDATE accounts SET role = $1 WHERE id = $2",
            role.as_str(),
            id,
        )
        .await
        .map_err(|e| self.fail(e))?;
        let ended = match role {
            Role::Coach => "UPDATE assignments SET ended = $2 WHERE candidate_id = $1 AND ended IS NULL",
            Role::Candidate => "UPDATE assignments SET ended = $2 WHERE coach_id = $1 AND ended IS NULL",
            Role::Admin => "UPDATE assignments SET ended = $2 WHERE (coach_id = $1 OR candidate_id = $1) AND ended IS NULL",
        };
        sqlx::query(ended)
            .bind(id)
            .bind(date::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(found)
    }

    /// Deletes an account with all its data: its schema, its role, its sessions, assignments,
    /// comments and audit trail. Returns whether there was one.
    pub async fn delete_account(&self, id: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        let n = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?
            .rows_affected();
        // Its sessions, assignments, comments and audit lines go with the row (ON DELETE
        // CASCADE); its data with its schema.
        if n == 1 {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE; DROP ROLE IF EXISTS \"{}\"",
                Cohort::schema_name(id),
                self.role_name(id)
            )))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        }
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(n == 1)
    }

    // ----- sessions ------------------------------------------------------------------------

    /// Starts a session for `account`; returns the cookie's token (only its hash is kept) and
    /// the session's CSRF token. A session of an older login is never reused: each login makes
    /// a new one.
    pub async fn start_session(
        &self,
        account: &Account,
        user_agent: &str,
    ) -> Result<(String, String)> {
        let token = new_token();
        let csrf = new_token();
        let now = date::now();
        let mut conn = self.conn().await?;
        sqlx::query(
            "INSERT INTO sessions (id, account_id, csrf, generation, created, last_seen, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(account.id)
        .bind(&csrf)
        .bind(account.generation)
        .bind(now)
        .bind(user_agent.chars().take(200).collect::<String>())
        .execute(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok((token, csrf))
    }

    /// The live session whose cookie token is `token`, with its account as it is now; ends (and
    /// forgets) one past its idle or absolute expiry or of an older account generation. Marks
    /// it seen.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let id = token_hash(token);
        let now = date::now();
        let mut conn = self.conn().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, s.csrf, s.created AS s_created, s.last_seen, \
             s.generation AS s_generation FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.id = $1"
        )))
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        let Some(row) = row else { return Ok(None) };
        let account = account_of(&row).map_err(|e| self.fail(e))?;
        let get = |c: &str| row.try_get::<i64, _>(c);
        let (created, last_seen, generation) = (
            get("s_created").map_err(|e| self.fail(e))?,
            get("last_seen").map_err(|e| self.fail(e))?,
            get("s_generation").map_err(|e| self.fail(e))?,
        );
        let expired = now - last_seen > IDLE.as_secs() as i64
            || now - created > ABSOLUTE.as_secs() as i64
            || generation != account.generation;
        if expired {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(|e| self.fail(e))?;
            return Ok(None);
        }
        // Seen again: written at most once a minute, so reads stay reads.
        if now - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id = $2")
                .bind(now)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(|e| self.fail(e))?;
        }
        Ok(Some(Session {
            id,
            csrf: row.try_get("csrf").map_err(|e| self.fail(e))?,
            account,
            created,
        }))
    }

    /// Ends one session (logout).
    pub async fn end_session(&self, id: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Ends every session of an account (log out everywhere); returns how many.
    pub async fn end_sessions(&self, account: i64) -> Result<u64> {
        let mut conn = self.conn().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?
            .rows_affected();
        Ok(n)
    }

    /// How many live sessions an account has.
    pub async fn session_count(&self, account: i64) -> Result<i64> {
        let mut conn = self.conn().await?;
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
            .bind(account)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| self.fail(e))
    }

    // ----- the second factor --------------------------------------------------------------

    /// Turns the second factor on with `secret` (base32), or off with `None`. Turning it on or
    /// off ends the account's other sessions, as a password change does.
    pub async fn set_second_factor(&self, id: i64, secret: Option<&str>) -> Result<()> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        sqlx::query("UPDATE accounts SET totp_secret = $1, totp_step = 0 WHERE id = $2")
            .bind(secret)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        Cohort::end_sessions_in(&mut tx, id)
            .await
            .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Whether `code` is the account's current code, not used before; a code that passes is
    /// spent (its step is kept, under a row lock, so two instances cannot both accept it).
    pub async fn check_code(&self, id: i64, code: &str) -> Result<bool> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(|e| self.fail(e))?;
        let row: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT totp_secret, totp_step FROM accounts WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.fail(e))?;
        let Some((Some(secret), last)) = row else {
            return Ok(false);
        };
        let Some(step) = crate::totp::verify(&secret, code, date::now(), last) else {
            return Ok(false);
        };
        sqlx::query("UPDATE accounts SET totp_step = $1 WHERE id = $2")
            .bind(step)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.fail(e))?;
        tx.commit().await.map_err(|e| self.fail(e))?;
        Ok(true)
    }

    /// A login whose password was right, waiting for its code: the cookie's token.
    pub async fn start_pending(&self, account: i64) -> Result<String> {
        let token = new_token();
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM pending_logins WHERE created < $1")
            .bind(date::now() - PENDING_LIFE.as_secs() as i64)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        sqlx::query("INSERT INTO pending_logins (id, account_id, created) VALUES ($1, $2, $3)")
            .bind(token_hash(&token))
            .bind(account)
            .bind(date::now())
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(token)
    }

    /// The account of a pending login younger than [`PENDING_LIFE`].
    pub async fn pending(&self, token: &str) -> Result<Option<Account>> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM pending_logins p JOIN accounts a ON a.id = p.account_id \
             WHERE p.id = $1 AND p.created >= $2"
        )))
        .bind(token_hash(token))
        .bind(date::now() - PENDING_LIFE.as_secs() as i64)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        row.map(|r| account_of(&r))
            .transpose()
            .map_err(|e| self.fail(e))
    }

    /// Ends a pending login (its code was right, or it is abandoned).
    pub async fn end_pending(&self, token: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM pending_logins WHERE id = $1")
            .bind(token_hash(token))
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    // ----- login throttling ----------------------------------------------------------------

    /// Whether a login for `email` from `client` must wait, and for how many seconds: after
    /// [`FAILURES_PER_PAIR`] failures of that pair, or [`FAILURES_PER_CLIENT`] from that client,
    /// within [`FAILURE_WINDOW`]. Failures from other clients never count: nobody can lock
    /// someone else out from where they log in.
    pub async fn login_wait(&self, email: &str, client: &str) -> Result<Option<i64>> {
        let now = date::now();
        let since = now - FAILURE_WINDOW.as_secs() as i64;
        let email = normal_email(email).unwrap_or_else(|| email.trim().to_lowercase());
        let mut conn = self.conn().await?;
        let mut wait = None;
        for (key, limit) in [
            (format!("pair:{email}|{client}"), FAILURES_PER_PAIR),
            (format!("client:{client}"), FAILURES_PER_CLIENT),
        ] {
            let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), MIN(at) FROM (SELECT at FROM login_failures WHERE key = $1 AND at > $2 \
                 ORDER BY at DESC LIMIT $3) recent",
            )
            .bind(&key)
            .bind(since)
            .bind(limit)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
            if count >= limit {
                let until = oldest.unwrap_or(now) + FAILURE_WINDOW.as_secs() as i64;
                wait = Some(wait.unwrap_or(0).max((until - now).max(1)));
            }
        }
        Ok(wait)
    }

    /// Counts a failed login of `email` from `client`; forgets failures past the window.
    pub async fn login_failed(&self, email: &str, client: &str) -> Result<()> {
        let now = date::now();
        let email = normal_email(email).unwrap_or_else(|| email.trim().to_lowercase());
        let mut conn = self.conn().await?;
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $3), ($2, $3)")
            .bind(format!("pair:{email}|{client}"))
            .bind(format!("client:{client}"))
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now - FAILURE_WINDOW.as_secs() as i64)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Forgets the failures of `email` from `client` after it logged in.
    pub async fn login_succeeded(&self, email: &str, client: &str) -> Result<()> {
        let email = normal_email(email).unwrap_or_default();
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(format!("pair:{email}|{client}"))
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    // ----- invitations ---------------------------------------------------------------------

    /// Makes an invitation for a new account of `role`, from `by`; returns the link's token,
    /// valid for [`INVITATION_LIFE`]. A coach's invitation assigns the new candidate to them.
    pub async fn invite(&self, role: Role, by: &Account) -> Result<(String, i64)> {
        let token = new_token();
        let now = date::now();
        let expires = now + INVITATION_LIFE.as_secs() as i64;
        let coach = (by.role == Role::Coach).then_some(by.id);
        let mut conn = self.conn().await?;
        sqlx::query(
            "INSERT INTO invitations (id, role, created_by, created, expires, coach_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(role.as_str())
        .bind(by.id)
        .bind(now)
        .bind(expires)
        .bind(coach)
        .execute(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok((token, expires))
    }

    /// The unused, unexpired invitation whose link token is `token`.
    pub async fn invitation(&self, token: &str) -> Result<Option<Invitation>> {
        let mut conn = self.conn().await?;
        let row: Option<(String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT role, coach_id, expires FROM invitations WHERE id = $1 AND used IS NULL AND expires > $2",
        )
        .bind(token_hash(token))
        .bind(date::now())
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(row.map(|(role, coach_id, expires)| Invitation {
            role: Role::parse(&role).unwrap_or(Role::Candidate),
            coach_id,
            expires,
        }))
    }

    /// Accepts an invitation: makes the account (and its assignment to the inviting coach) and
    /// marks the link used, so it works once. `None` when the link is unknown, used or expired.
    pub async fn accept_invitation(
        &self,
        token: &str,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<Option<Account>> {
        let id = token_hash(token);
        let claimed: Option<(String, Option<i64>)> = {
            let mut conn = self.conn().await?;
            // Claimed first, so two uses of one link at once make one account.
            sqlx::query_as(
                "UPDATE invitations SET used = $2 WHERE id = $1 AND used IS NULL AND expires > $2 \
                 RETURNING role, coach_id",
            )
            .bind(&id)
            .bind(date::now())
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?
        };
        let Some((role, coach)) = claimed else {
            return Ok(None);
        };
        let role = Role::parse(&role).unwrap_or(Role::Candidate);
        let account = match self.create_account(email, name, role, password_hash).await {
            Ok(a) => a,
            Err(e) => {
                // The link stays usable when the account could not be made (an email taken).
                let mut conn = self.conn().await?;
                sqlx::query("UPDATE invitations SET used = NULL WHERE id = $1")
                    .bind(&id)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| self.fail(e))?;
                return Err(e);
            }
        };
        let mut conn = self.conn().await?;
        sqlx::query("UPDATE invitations SET used_by = $2 WHERE id = $1")
            .bind(&id)
            .bind(account.id)
            .execute(&mut *conn)
            .await
            .map_err(|e| self.fail(e))?;
        drop(conn);
        if let (Some(coach), Role::Candidate) = (coach, role) {
            self.assign(coach, account.id).await?;
        }
        Ok(Some(account))
    }

    // ----- assignments ---------------------------------------------------------------------

    /// Assigns coach `coach` to candidate `candidate`; refuses accounts of the wrong roles.
    pub async fn assign(&self, coach: i64, candidate: i64) -> Result<()> {
        let (Some(c), Some(k)) = (self.account(coach).await?, self.account(candidate).await?)
        else {
            return Err(Error::BadInput("no such account".to_string()));
        };
        if c.role != Role::Coach || k.role != Role::Candidate {
            return Err(Error::BadInput(format!(
                "{} is a {} and {} a {}: a coach is assigned to a candidate",
                c.email, c.role, k.email, k.role
            )));
        }
        let mut conn = self.conn().await?;
        sqlx::query(
            "INSERT INTO assignments (coach_id, candidate_id, created) VALUES ($1, $2, $3) \
             ON CONFLICT (coach_id, candidate_id) WHERE ended IS NULL DO NOTHING",
        )
        .bind(coach)
        .bind(candidate)
        .bind(date::now())
        .execute(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Ends an assignment (either side may); returns whether one was active.
    pub async fn end_assignment(&self, coach: i64, candidate: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n = sqlx::query(
            "UPDATE assignments SET ended = $3 WHERE coach_id = $1 AND candidate_id = $2 AND ended IS NULL",
        )
        .bind(coach)
        .bind(candidate)
        .bind(date::now())
        .execute(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?
        .rows_affected();
        Ok(n > 0)
    }

    /// Whether `coach` is assigned to `candidate` now: read at every request, so an ended
    /// assignment stops the next one.
    pub async fn is_assigned(&self, coach: i64, candidate: i64) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assignments s JOIN accounts c ON c.id = s.coach_id \
             JOIN accounts k ON k.id = s.candidate_id WHERE s.coach_id = $1 AND s.candidate_id = $2 \
             AND s.ended IS NULL AND c.role = 'coach' AND k.role = 'candidate'",
        )
        .bind(coach)
        .bind(candidate)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(n > 0)
    }

    /// The active assignments of an account, as coach or as candidate.
    pub async fn assignments(&self, account: i64) -> Result<Vec<Assignment>> {
        self.active_assignments(Some(account)).await
    }

    /// Every active assignment of the cohort (the admin's page).
    pub async fn all_assignments(&self) -> Result<Vec<Assignment>> {
        self.active_assignments(None).await
    }

    /// The active assignments of `account`, or of everyone.
    async fn active_assignments(&self, account: Option<i64>) -> Result<Vec<Assignment>> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(
            "SELECT s.created AS since, c.id AS c_id, c.email AS c_email, c.name AS c_name, c.role AS c_role, \
             c.created AS c_created, c.generation AS c_generation, \
             (c.totp_secret IS NOT NULL) AS c_second_factor, k.id AS k_id, k.email AS k_email, \
             k.name AS k_name, k.role AS k_role, k.created AS k_created, k.generation AS k_generation, \
             (k.totp_secret IS NOT NULL) AS k_second_factor \
             FROM assignments s JOIN accounts c ON c.id = s.coach_id JOIN accounts k ON k.id = s.candidate_id \
             WHERE s.ended IS NULL AND ($1::BIGINT IS NULL OR s.coach_id = $1 OR s.candidate_id = $1) \
             ORDER BY k.name, c.name",
        )
        .bind(account)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        let side =
            |r: &sqlx::postgres::PgRow, p: &str| -> std::result::Result<Account, sqlx::Error> {
                let role: String = r.try_get(format!("{p}_role").as_str())?;
                Ok(Account {
                    id: r.try_get(format!("{p}_id").as_str())?,
                    email: r.try_get(format!("{p}_email").as_str())?,
                    name: r.try_get(format!("{p}_name").as_str())?,
                    role: Role::parse(&role).unwrap_or(Role::Candidate),
                    created: r.try_get(format!("{p}_created").as_str())?,
                    generation: r.try_get(format!("{p}_generation").as_str())?,
                    second_factor: r.try_get(format!("{p}_second_factor").as_str())?,
                })
            };
        rows.iter()
            .map(|r| {
                Ok(Assignment {
                    coach: side(r, "c")?,
                    candidate: side(r, "k")?,
                    created: r.try_get("since")?,
                })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(|e| self.fail(e))
    }

    // ----- comments and the audit trail ----------------------------------------------------

    /// Adds a coach's comment on a version of a candidate's story.
    pub async fn add_comment(
        &self,
        candidate: i64,
        story: i64,
        version: i64,
        coach: &Account,
        body: &str,
    ) -> Result<i64> {
        let mut conn = self.conn().await?;
        sqlx::query_scalar(
            "INSERT INTO comments (candidate_id, story_id, version, coach_id, coach_name, body, created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(candidate)
        .bind(story)
        .bind(version)
        .bind(coach.id)
        .bind(&coach.name)
        .bind(body)
        .bind(date::now())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| self.fail(e))
    }

    /// The comments on a candidate's story, oldest first.
    pub async fn comments(&self, candidate: i64, story: i64) -> Result<Vec<Comment>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, version, coach_name, body, created FROM comments \
             WHERE candidate_id = $1 AND story_id = $2 ORDER BY created, id",
        )
        .bind(candidate)
        .bind(story)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(rows
            .into_iter()
            .map(|(id, version, coach_name, body, created)| Comment {
                id,
                version,
                coach_name,
                body,
                created,
            })
            .collect())
    }

    /// Records that `actor` read `what` of `subject`'s data.
    pub async fn audit(&self, subject: i64, actor: &Account, what: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query(
            "INSERT INTO audit (at, subject_id, actor_id, actor_name, action) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(date::now())
        .bind(subject)
        .bind(actor.id)
        .bind(format!("{} ({})", actor.name, actor.role))
        .bind(what)
        .execute(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// The newest `limit` lines of `subject`'s audit trail, newest first.
    pub async fn audit_trail(&self, subject: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT at, actor_name, action FROM audit WHERE subject_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(subject)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.fail(e))?;
        Ok(rows
            .into_iter()
            .map(|(at, actor_name, action)| AuditEntry {
                at,
                actor_name,
                action,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_checked_by_length_list_and_email() {
        assert!(check_password("short", "a@b.org").is_some());
        assert!(check_password("password1", "a@b.org").is_some());
        assert!(check_password("PASSWORD1", "a@b.org").is_some());
        assert!(check_password("ada.lovelace", "ada.lovelace@b.org").is_some());
        assert!(check_password("seven ducks on a wet roof", "a@b.org").is_none());
        let long: String = "x7".repeat(MAX_PASSWORD / 2 + 1);
        assert!(check_password(&long, "a@b.org").is_some());
        // 64 characters and multi-byte ones count as characters, not bytes.
        assert!(check_password(&"é9".repeat(32), "a@b.org").is_none());
    }

    #[test]
    fn a_hash_verifies_its_password_only_and_is_argon2id() {
        let h = hash_password("seven ducks on a wet roof").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("seven ducks on a wet roof", &h));
        assert!(!verify_password("seven ducks on a wet roo", &h));
        assert!(!verify_password("seven ducks on a wet roof", "not a hash"));
        // Nothing past any length is ignored.
        let long = "a".repeat(100);
        let h = hash_password(&long).unwrap();
        assert!(!verify_password(&"a".repeat(99), &h));
        assert!(!verify_password(&format!("{long}b"), &h));
    }

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normal_email(" Ada@Example.ORG ").as_deref(),
            Some("ada@example.org")
        );
        assert_eq!(normal_email("ada"), None);
        assert_eq!(normal_email("ada@localhost"), None);
        assert_eq!(normal_email("a da@example.org"), None);
    }
}

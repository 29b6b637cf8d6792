//! What can go wrong with the store, each with a message that tells the user what to do.

use std::fmt;

/// An error from the store.
#[derive(Debug)]
pub enum Error {
    /// The database URL is neither a path, `sqlite://PATH` nor `postgres://...`.
    BadUrl(String),
    /// No `DEBRIEF_HOME` and no data directory for this user.
    NoHome,
    /// A file or folder could not be created or read.
    Io {
        /// The path involved.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process holds the database's lock.
    Locked(String),
    /// The file is not a SQLite database, or is damaged.
    Corrupt {
        /// Where the database is.
        location: String,
        /// SQLite's own words.
        detail: String,
    },
    /// A SQLite database of some other program.
    NotDebrief(String),
    /// The database was written by a newer debrief.
    NewerSchema {
        /// Where the database is.
        location: String,
        /// The newest migration applied to it.
        found: i64,
        /// The newest migration this binary knows.
        known: i64,
    },
    /// The database server could not be reached.
    Connect {
        /// The URL, without its password.
        location: String,
        /// The cause.
        source: sqlx::Error,
    },
    /// Bringing the schema up to date failed.
    Migrate(sqlx::migrate::MigrateError),
    /// An export that cannot be imported.
    BadExport(String),
    /// Any other database error.
    Database(sqlx::Error),
    /// A cohort server was pointed at something other than PostgreSQL.
    NeedsPostgres(String),
    /// The database user of a cohort server cannot create the accounts' roles.
    CannotCreateRoles {
        /// Where the database is.
        location: String,
        /// The database user.
        user: String,
    },
    /// An account with this email exists already.
    Taken(String),
    /// Input refused, with why.
    BadInput(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadUrl(url) => write!(
                f,
                "{url:?} is not a database this program can use: give a file path, sqlite://PATH or postgres://USER@HOST/DATABASE"
            ),
            Error::NoHome => write!(
                f,
                "cannot find a data directory for this user: set DEBRIEF_HOME to a folder or pass --database"
            ),
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Locked(location) => write!(
                f,
                "the database {location} is locked by another program (another debrief still running?); try again when it has finished"
            ),
            Error::Corrupt { location, detail } => write!(
                f,
                "{location} is not a readable debrief database ({detail}); move it aside and restore your last `debrief export`, or pass --database"
            ),
            Error::NotDebrief(location) => write!(
                f,
                "{location} is a SQLite database of another program, not debrief's; pass --database with another path"
            ),
            Error::NewerSchema {
                location,
                found,
                known,
            } => write!(
                f,
                "the database {location} was written by a newer debrief (schema {found}; this one knows up to {known}); upgrade debrief to use it"
            ),
            Error::Connect { location, source } => {
                write!(f, "cannot connect to the database {location}: ")?;
                if source.to_string().contains("UnknownIssuer") {
                    return write!(
                        f,
                        "the server's certificate is not signed by a known authority; name its \
                         authority with sslrootcert=/path/to/ca.pem, or use sslmode=require to \
                         encrypt without checking it"
                    );
                }
                match source {
                    sqlx::Error::Database(db) => write!(f, "{}", db.message()),
                    sqlx::Error::Io(io) => write!(f, "{io}"),
                    sqlx::Error::PoolTimedOut => write!(f, "no answer within 5 seconds"),
                    other => write!(f, "{other}"),
                }
            }
            Error::Migrate(e) => write!(f, "cannot bring the database schema up to date: {e}"),
            Error::BadExport(why) => write!(f, "cannot import: {why}"),
            Error::Database(e) => write!(f, "database error: {e}"),
            Error::NeedsPostgres(location) => write!(
                f,
                "{location} is not PostgreSQL: a cohort server keeps every account, session and login counter in one PostgreSQL database that all its instances share; pass --database postgres://USER@HOST/DATABASE"
            ),
            Error::CannotCreateRoles { location, user } => write!(
                f,
                "the database user {user:?} of {location} cannot create roles: a cohort server gives each account a role of its own, so that PostgreSQL itself keeps accounts apart; run `ALTER ROLE {user} CREATEROLE` as a superuser"
            ),
            Error::Taken(email) => write!(f, "an account with the email {email} exists already"),
            Error::BadInput(why) => write!(f, "{why}"),
        }
    }
}

// No `source()`: each message above already says its cause in the user's words, and a chain
// printed after it (`{:#}`) would repeat the driver's text, sometimes three times.
impl std::error::Error for Error {}

/// Turns a driver error into the user's words: a lock or a damaged file is named as such.
pub(crate) fn classify(e: sqlx::Error, location: &str) -> Error {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().unwrap_or_default();
        let message = db.message();
        // SQLite's primary result codes: 5 BUSY, 6 LOCKED, 11 CORRUPT, 26 NOTADB (extended codes
        // keep the primary one in their low byte).
        let primary = code.parse::<i64>().ok().map(|c| c & 0xff);
        if matches!(primary, Some(5 | 6)) || message.contains("database is locked") {
            return Error::Locked(location.to_string());
        }
        if matches!(primary, Some(11 | 26)) {
            return Error::Corrupt {
                location: location.to_string(),
                detail: message.to_string(),
            };
        }
    }
    if let sqlx::Error::PoolTimedOut = e {
        return Error::Connect {
            location: location.to_string(),
            source: e,
        };
    }
    Error::Database(e)
}

/// The result of a store operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

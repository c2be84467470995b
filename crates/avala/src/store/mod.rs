//! Storage: one interface, two backends. SQLite (a file, the embedded default) and PostgreSQL.
//!
//! Queries are runtime-checked (no live database at build time) and written once in the dialect
//! both accept (`$1` placeholders, `RETURNING`); the `on!` macro runs the same body on
//! whichever backend a transaction belongs to.

mod from_row;
mod migrations;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::{DbProblem, Error, Result};

/// A connection pool on one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    /// Embedded SQLite file, and the gate its writers in this process queue at.
    Sqlite(SqlitePool, WriteGate),
    /// PostgreSQL server.
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Writers in one process (the runner's workers, say) wait
/// their turn here, in order, rather than in SQLite's busy handler, which sleeps between tries
/// and gives up after the busy timeout. Other processes still meet the busy timeout. A task
/// must not open a second write transaction while it holds one (it would wait for itself).
#[derive(Debug, Clone, Default)]
pub struct WriteGate(std::sync::Arc<tokio::sync::Mutex<()>>);

impl WriteGate {
    /// Waits for this process's turn to write.
    pub async fn enter(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

/// A SQLite transaction, holding the write gate when it writes; or, for a single statement, a
/// plain connection (no `BEGIN` and `COMMIT` round trips).
pub struct SqliteTx {
    conn: SqliteConn,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

enum SqliteConn {
    Tx(Transaction<'static, Sqlite>),
    Plain(sqlx::pool::PoolConnection<Sqlite>),
}

impl std::ops::Deref for SqliteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match &self.conn {
            SqliteConn::Tx(t) => t,
            SqliteConn::Plain(c) => c,
        }
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match &mut self.conn {
            SqliteConn::Tx(t) => t,
            SqliteConn::Plain(c) => c,
        }
    }
}

/// An open transaction on one of the two backends.
pub enum Tx {
    /// SQLite (`BEGIN IMMEDIATE` for writes: the write lock is taken up front).
    Sqlite(SqliteTx),
    /// PostgreSQL (read committed; row locks taken explicitly).
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, on either backend.
#[macro_export]
macro_rules! on {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite path or
    /// `sqlite:` URL.
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

impl Db {
    /// Opens (creating a SQLite file on first use) and migrates the database.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Db::connect(url, true).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating; `create` allows creating a missing SQLite file.
    pub async fn connect(url: &str, create: bool) -> Result<Db> {
        // A read-only file, a full disk: worded as `map_db_error` words them.
        let unavailable = |e: sqlx::Error| Error::DatabaseUnavailable {
            url: redact(url),
            problem: match map_db_error(e) {
                Error::Database { problem } | Error::DatabaseUnavailable { problem, .. } => problem,
                _ => DbProblem::Timeout,
            },
        };
        match Backend::of(url) {
            Backend::Postgres => {
                // A row lock held longer than this is a conflict (as SQLite's busy timeout).
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| Error::DatabaseUrl {
                        url: redact(url),
                        detail: e.to_string(),
                    })?
                    .options([("lock_timeout", "5s")]);
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(unavailable)?;
                Ok(Db::Postgres(pool))
            }
            Backend::Sqlite => {
                let path = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url);
                if !create && path != ":memory:" && !std::path::Path::new(path).exists() {
                    return Err(Error::DatabaseUnavailable {
                        url: url.to_string(),
                        problem: DbProblem::NoSuchFile,
                    });
                }
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(create)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30));
                // No ping before handing out a connection: on SQLite it is a round trip to the
                // connection's thread per transaction, and a file has no network link to lose.
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .connect_with(opts)
                    .await
                    .map_err(unavailable)?;
                Ok(Db::Sqlite(pool, WriteGate::default()))
            }
        }
    }

    /// Applies the embedded migrations of the backend, then the data migrations SQL cannot do.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => migrations::sqlite().run(p).await,
            Db::Postgres(p) => migrations::postgres().run(p).await,
        }
        .map_err(|e| Error::Migrate { detail: e.to_string() })?;
        rehash_standards(self).await
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Begins a write transaction (on SQLite the write lock is taken at once, so two writers
    /// never both read a state and then both try to change it).
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, gate) => {
                let gate = gate.enter().await;
                Tx::Sqlite(SqliteTx {
                    conn: SqliteConn::Tx(p.begin_with("BEGIN IMMEDIATE").await?),
                    _gate: Some(gate),
                })
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Begins a read transaction (a consistent snapshot for multi-query reads).
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(SqliteTx {
                conn: SqliteConn::Tx(p.begin().await?),
                _gate: None,
            }),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A connection for one read statement. On SQLite it is outside any transaction (a single
    /// statement is consistent by itself), which saves the `BEGIN` and `COMMIT` round trips to
    /// the connection's thread; on PostgreSQL it is a transaction as `read` gives.
    pub async fn single(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(SqliteTx {
                conn: SqliteConn::Plain(p.acquire().await?),
                _gate: None,
            }),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, _) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(SqliteTx {
                conn: SqliteConn::Tx(t),
                ..
            }) => t.commit().await?,
            Tx::Sqlite(_) => {}
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls back (dropping a transaction does too; this waits for it).
    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(SqliteTx {
                conn: SqliteConn::Tx(t),
                ..
            }) => t.rollback().await?,
            Tx::Sqlite(_) => {}
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Placeholders for `rows` rows of `columns` values each, `(…), (…)`, bound row by row in
/// order. SQLite gets anonymous `?`: it looks a numbered parameter's name up by scanning every
/// name, so binding `$1 … $4000` costs time in the square of their number (most of a bulk
/// import's time, measured); PostgreSQL gets `$1 …`.
pub fn values(backend: Backend, rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 6);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        out.push_str(&list_from(backend, r * columns, columns));
        out.push(')');
    }
    out
}

/// Placeholders for a list of `n` values (`IN (…)`), as [`values`] does for rows.
pub fn list(backend: Backend, n: usize) -> String {
    list_from(backend, 0, n)
}

/// Placeholders for a short list of `n` values that follows `before` numbered ones (`$1`…) in
/// the statement: numbered too, on both backends (on SQLite sqlx would bind a plain `?` to the
/// first value, and SQLite looks each `$N` up among those before it, so the list must be short).
pub fn list_after(before: usize, n: usize) -> String {
    (before + 1..=before + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_from(backend: Backend, before: usize, n: usize) -> String {
    let mut out = String::with_capacity(n * 6);
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&(before + i + 1).to_string());
            }
        }
    }
    out
}

/// Standards stored before their content hash was canonical (migration 0006): the hash
/// computed again from the stored body, the old one kept in `legacy_content_hash`.
async fn rehash_standards(db: &Db) -> Result<()> {
    let mut tx = db.write().await?;
    let rows: Vec<(i64, String)> = crate::on!(&mut tx, c => sqlx::query_as(
        "SELECT id, body FROM standards WHERE content_hash = legacy_content_hash"
    ).fetch_all(c).await?);
    for (id, body) in rows {
        let standard: crate::standard::Standard =
            serde_json::from_str(&body).map_err(|e| Error::database(format!("standard {id}: {e}")))?;
        crate::on!(&mut tx, c => sqlx::query("UPDATE standards SET content_hash = $1 WHERE id = $2")
            .bind(standard.content_hash()).bind(id).execute(c).await?.rows_affected());
    }
    tx.commit().await
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        map_db_error(e)
    }
}

/// A set of states as a SQL list of their persisted names (`'issued', 'delivered'`), for
/// `state IN (…)`: the names come from the state machines, never from input.
pub fn states<S: crate::machine::Lifecycle>(set: &[S]) -> String {
    set.iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Maps a database error: lock and serialization failures become [`Error::Conflict`].
pub fn map_db_error(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available (lock_timeout);
        // SQLite 5/517/6: busy, busy snapshot, locked (after the busy timeout).
        if matches!(code.as_str(), "40001" | "40P01" | "55P03" | "5" | "517" | "6") {
            return Error::conflict(crate::domain::Record::Unknown, "");
        }
        // SQLite 13: full; 8: read-only; 10 and its extended codes (10 + 256·n): I/O errors.
        // PostgreSQL 53100: disk full. The transaction is rolled back: nothing was changed.
        // (PostgreSQL's codes are five characters; SQLite's, numbers of at most four digits.)
        let sqlite = (code.len() < 5)
            .then(|| code.parse::<i64>().ok())
            .flatten()
            .map(|c| c & 0xff);
        let problem = if matches!(sqlite, Some(13)) || code == "53100" {
            Some(DbProblem::DiskFull { db_code: code })
        } else if matches!(sqlite, Some(8)) {
            Some(DbProblem::ReadOnly { db_code: code })
        } else if matches!(sqlite, Some(10)) {
            Some(DbProblem::Io { db_code: code })
        } else {
            None
        };
        if let Some(problem) = problem {
            return Error::Database { problem };
        }
    }
    if let sqlx::Error::PoolTimedOut = e {
        return Error::DatabaseUnavailable {
            url: String::new(),
            problem: DbProblem::Timeout,
        };
    }
    Error::database(e.to_string())
}

/// Is this a unique-constraint violation?
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("avala.db"), "avala.db");
    }
}

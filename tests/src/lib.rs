//! Helpers for the engine and end-to-end tests: a fresh database per test on each backend, the
//! real binaries, and an SMTP sink on loopback.
//!
//! Every test gets its own SQLite file in a temporary directory, or its own PostgreSQL database
//! (created from `AVALA_TEST_POSTGRES_URL`, dropped afterwards even when the test fails), so the
//! tests run in parallel and leave nothing behind.

pub mod bin;
pub mod process;
pub mod smtp;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgConnection};

/// The variable naming the PostgreSQL server the tests may use.
pub const POSTGRES_ENV: &str = "AVALA_TEST_POSTGRES_URL";

/// Runs the same test bodies on SQLite and on PostgreSQL: `both!(a, b)` defines
/// `sqlite::a`, `postgres::a`, … each calling `super::a(url)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::on_sqlite(|url| super::$name(url)).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::on_postgres(stringify!($name), |url| super::$name(url)).await
                }
            )*
        }
    };
}

/// A per-test place on disk: the temporary directory, removed on drop.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new empty directory.
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::Builder::new()
                .prefix("avala-test-")
                .tempdir()
                .expect("temporary directory"),
        }
    }

    /// The directory.
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `body` with the URL of a fresh SQLite file.
pub async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let scratch = Scratch::new();
    let url = scratch.path().join("avala.db").to_string_lossy().into_owned();
    body(TestDb { url, scratch }).await;
}

/// Runs `body` with the URL of a fresh PostgreSQL database, dropped afterwards (also when the
/// body panics). Without `AVALA_TEST_POSTGRES_URL` the test says it is skipped and passes.
pub async fn on_postgres<F, Fut>(tag: &str, body: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(base) = postgres_base() else {
        // Written past the test harness's capture so the skip is visible in every run.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: postgres::{tag} ({POSTGRES_ENV} is not set)"
        );
        return;
    };
    let name = unique_name(tag);
    let mut admin = PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {POSTGRES_ENV}: {e}"));
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await
        .expect("create test database");
    let url = with_database(&base, &name);
    let scratch = Scratch::new();
    let outcome = tokio::spawn(body(TestDb { url, scratch })).await;
    let dropped = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .await;
    let _ = admin.close().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
    dropped.expect("drop test database");
}

/// The PostgreSQL URL from the environment, if set.
pub fn postgres_base() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|v| !v.trim().is_empty())
}

/// A database for one test: its URL and a scratch directory next to it.
pub struct TestDb {
    /// SQLite path or PostgreSQL URL.
    pub url: String,
    /// A directory the test may use (config, certificates, outbox, CSV files).
    pub scratch: Scratch,
}

impl TestDb {
    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

fn unique_name(tag: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tag: String = tag
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(30)
        .collect();
    format!(
        "avala_t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `postgres://user@host:port/db?params` with the database replaced by `name`.
pub fn with_database(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = main[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(main.len());
    let mut url = format!("{}/{name}", &main[..authority_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}

//! A fresh, empty database per test: a SQLite file in a temporary directory, or a database
//! of its own on the PostgreSQL server named by `CATCHCERT_TEST_PG_URL` (`.ci/with-postgres`
//! starts a throwaway one). Without the variable the PostgreSQL tests are skipped with a
//! notice on stderr — unless `CI` is set, in which case they fail.

use std::io::Write;

/// Whether this run is CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A name no other test (or run) uses.
pub fn unique_name(prefix: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    format!("{prefix}_{:016x}", h.finish())
}

/// A fresh, empty database for one test.
pub enum TestDb {
    /// A SQLite file in a temporary directory.
    Sqlite {
        /// The directory, removed on drop.
        _dir: tempfile::TempDir,
        /// `sqlite://…/catchcert.db`.
        url: String,
    },
    /// A database of its own on the PostgreSQL server of `CATCHCERT_TEST_PG_URL`.
    Postgres {
        /// The server's URL as given.
        admin_url: String,
        /// The database's name.
        name: String,
        /// The URL of the database.
        url: String,
    },
}

impl TestDb {
    /// The URL to open it with.
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    /// Remove it (after a passing test; a failing test leaves a PostgreSQL database behind
    /// for inspection).
    pub async fn finish(self) {
        if let TestDb::Postgres {
            admin_url, name, ..
        } = self
        {
            pg_connect(&admin_url)
                .await
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
}

/// A SQLite database in a temporary directory (never skipped: `Option` only to match
/// [`pg_db`]).
pub async fn sqlite_db() -> Option<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("catchcert.db").display());
    Some(TestDb::Sqlite { _dir: dir, url })
}

/// A client of the PostgreSQL server at `url` (its connection runs on the current runtime).
pub async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to CATCHCERT_TEST_PG_URL: {e}"));
    tokio::spawn(conn);
    client
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap();
    let mut out = format!("{scheme}://{authority}/{db}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The admin URL of `CATCHCERT_TEST_PG_URL`, or `None` after a loud notice naming the
/// `package` whose tests are skipped (a failure when `CI` is set).
pub fn pg_admin_url(package: &str) -> Option<String> {
    match std::env::var("CATCHCERT_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                !in_ci(),
                "CI is set but CATCHCERT_TEST_PG_URL is not: the PostgreSQL tests of {package} \
                 may not be skipped in CI (run them under .ci/with-postgres)"
            );
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                // Straight to stderr, past the test harness's output capture.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** PostgreSQL tests of {package} skipped: CATCHCERT_TEST_PG_URL not set \
                     (run `.ci/with-postgres cargo test -p {package}`) ***\n"
                );
            });
            None
        }
    }
}

/// A database of its own on the PostgreSQL server, named `{prefix}_{unique}`, or `None`
/// after a notice naming `package` (see [`pg_admin_url`]).
pub async fn pg_db(package: &str, prefix: &str) -> Option<TestDb> {
    let admin_url = pg_admin_url(package)?;
    let name = unique_name(prefix);
    pg_connect(&admin_url)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    Some(TestDb::Postgres {
        admin_url,
        name,
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }

    #[test]
    fn unique_names_differ() {
        assert_ne!(unique_name("t"), unique_name("t"));
        assert!(unique_name("catchcert_test").starts_with("catchcert_test_"));
    }
}

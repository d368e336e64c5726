//! The shared `Store` suite (tests/suite) on both backends, plus a few backend-specific
//! checks.
//!
//! SQLite runs in a temporary directory (a real file). PostgreSQL runs against the server
//! named by `CATCHCERT_TEST_PG_URL` (`.ci/with-postgres` starts a throwaway one); each test
//! creates its own database there and drops it when it passes. Without the variable the
//! PostgreSQL tests are skipped with a notice on stderr — unless `CI` is set, in which case
//! they fail.

#[macro_use]
mod suite;

use catchcert_store::{Store, StoreError};
use std::io::Write;

/// Whether this run is CI (`CI` set to anything but empty, `0` or `false`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A name no other test (or run) uses.
fn unique_name(prefix: &str) -> String {
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

// ---- SQLite ----

struct SqliteDb {
    _dir: tempfile::TempDir,
    url: String,
}

impl suite::TestDb for SqliteDb {
    fn url(&self) -> &str {
        &self.url
    }
    async fn finish(self) {}
}

async fn sqlite_db() -> Option<SqliteDb> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("catchcert.db").display());
    Some(SqliteDb { _dir: dir, url })
}

mod sqlite {
    use super::*;
    backend_suite!(sqlite_db);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn file_is_wal_and_records_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let store = Store::open(path.to_str().unwrap()).await.unwrap();
        let newest = store.embedded_migrations().last().unwrap().version;
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let uv: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(uv, newest);
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, newest);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_a_database_from_a_newer_build() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        drop(Store::open(path.to_str().unwrap()).await.unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (9999, 'future', 'x', 0)",
            [],
        )
        .unwrap();
        drop(conn);
        let e = Store::open(path.to_str().unwrap()).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Migration { version: 9999, .. }),
            "{e}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn url_errors_name_the_problem() {
        for url in ["mysql://u:hunter2@h/db", "sqlite::memory:", ""] {
            let e = Store::open(url).await.unwrap_err();
            assert!(matches!(e, StoreError::BadUrl { .. }), "{url}: {e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("c.db");
        let e = Store::open(&format!("sqlite://{}", missing.display()))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Backend(m) if m.contains("no-such-dir")),
            "{e}"
        );
    }
}

// ---- PostgreSQL ----

struct PgDb {
    admin_url: String,
    name: String,
    url: String,
}

impl suite::TestDb for PgDb {
    fn url(&self) -> &str {
        &self.url
    }
    async fn finish(self) {
        let admin = pg_connect(&self.admin_url).await;
        admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .unwrap();
    }
}

async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to CATCHCERT_TEST_PG_URL: {e}"));
    tokio::spawn(conn);
    client
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
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

/// The admin URL, or `None` after a loud notice (a failure in CI).
fn pg_admin_url() -> Option<String> {
    match std::env::var("CATCHCERT_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                !in_ci(),
                "CI is set but CATCHCERT_TEST_PG_URL is not: the PostgreSQL tests may not be \
                 skipped in CI (run them under .ci/with-postgres)"
            );
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                // Straight to stderr, past the test harness's output capture.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** PostgreSQL tests skipped: CATCHCERT_TEST_PG_URL not set \
                     (run `.ci/with-postgres cargo test -p catchcert-store`) ***\n"
                );
            });
            None
        }
    }
}

async fn pg_db() -> Option<PgDb> {
    let admin_url = pg_admin_url()?;
    let name = unique_name("catchcert_test");
    pg_connect(&admin_url)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    Some(PgDb {
        admin_url,
        name,
        url,
    })
}

mod postgres {
    use super::*;
    backend_suite!(pg_db);

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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connection_errors_hide_the_password() {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let e = Store::open("postgres://alice:hunter2@127.0.0.1:1/db")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Backend(_)), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("alice:***@127.0.0.1:1"), "{e}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_a_database_from_a_newer_build() {
        let Some(db) = pg_db().await else { return };
        drop(Store::open(&db.url).await.unwrap());
        pg_connect(&db.url)
            .await
            .batch_execute("INSERT INTO schema_migrations VALUES (9999, 'future', 'x', 0)")
            .await
            .unwrap();
        let e = Store::open(&db.url).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Migration { version: 9999, .. }),
            "{e}"
        );
        suite::TestDb::finish(db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_opens_migrate_once() {
        let Some(db) = pg_db().await else { return };
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url.clone();
                tokio::spawn(async move { Store::open(&url).await })
            })
            .collect();
        let mut stores = Vec::new();
        for o in opens {
            stores.push(o.await.unwrap().unwrap());
        }
        let applied = stores[0].applied_migrations().await.unwrap();
        assert_eq!(applied.len(), stores[0].embedded_migrations().len());
        drop(stores);
        suite::TestDb::finish(db).await;
    }
}

//! The shared `Store` suite (tests/suite) on both backends, plus a few backend-specific
//! checks.
//!
//! SQLite runs in a temporary directory (a real file). PostgreSQL runs against the server
//! named by `CATCHCERT_TEST_PG_URL` (`.ci/with-postgres` starts a throwaway one); each test
//! creates its own database there and drops it when it passes (`catchcert_testkit::db`). Without the variable the
//! PostgreSQL tests are skipped with a notice on stderr — unless `CI` is set, in which case
//! they fail.

#[macro_use]
mod suite;

use catchcert_store::{Store, StoreError};

use catchcert_testkit::db::{TestDb, pg_connect, sqlite_db};

async fn pg_db() -> Option<TestDb> {
    catchcert_testkit::db::pg_db("catchcert-store", "catchcert_test").await
}

// ---- SQLite ----

mod sqlite {
    use super::*;
    backend_suite!(sqlite_db);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn file_is_wal_and_records_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let store = Store::open(path.to_str().unwrap()).await.unwrap();
        let newest = store.embedded_migrations().last().unwrap().version;
        let embedded = store.embedded_migrations().len() as i64;
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
        assert_eq!(rows, embedded);
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

mod postgres {
    use super::*;
    backend_suite!(pg_db);

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
        drop(Store::open(db.url()).await.unwrap());
        pg_connect(db.url())
            .await
            .batch_execute("INSERT INTO schema_migrations VALUES (9999, 'future', 'x', 0)")
            .await
            .unwrap();
        let e = Store::open(db.url()).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Migration { version: 9999, .. }),
            "{e}"
        );
        db.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_opens_migrate_once() {
        let Some(db) = pg_db().await else { return };
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url().to_string();
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
        db.finish().await;
    }
}

//! Harness of the API suite: fresh databases on both backends (catchcert-testkit), servers
//! on `127.0.0.1:0` and the testkit's HTTP client.
#![allow(dead_code, unused_imports)]

/// One `#[tokio::test]` per case and backend: `mod sqlite` and `mod postgres`, each test on a
/// fresh database of its own, calling `crate::suite::CASE(url)`. PostgreSQL cases skip with
/// a notice without `CATCHCERT_TEST_PG_URL` (and fail under `CI`).
#[allow(unused_macros)] // clock.rs runs no suite
macro_rules! backend_suite {
    (workers = $w:tt; $($case:ident),* $(,)?) => {
        mod sqlite {
            backend_suite!(@each crate::common::sqlite_db, $w; $($case),*);
        }
        mod postgres {
            backend_suite!(@each crate::common::pg_db, $w; $($case),*);
        }
    };
    (@each $setup:path, $w:tt; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = $w)]
            async fn $case() {
                let Some(db) = $setup().await else { return };
                crate::suite::$case(db.url()).await;
                db.finish().await;
            }
        )*
    };
}

pub use catchcert_testkit::certs;
pub use catchcert_testkit::db::{TestDb, sqlite_db};
pub use catchcert_testkit::http::Client;

use catchcert_server::AppState;
use catchcert_store::Store;
use catchcert_testkit::http::Running;
use catchcert_verify::path::TrustAnchors;

/// A database of its own on the PostgreSQL server, or `None` after a loud notice (a
/// failure when `CI` is set).
pub async fn pg_db() -> Option<TestDb> {
    catchcert_testkit::db::pg_db("catchcert-server", "catchcert_api").await
}

/// A server on `127.0.0.1:0` over its own store handle.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its state (store, cache, metrics).
    pub state: AppState,
    running: Running,
}

impl Server {
    /// Open the database at `url` and serve it, trusting `root_pem`.
    pub async fn start(url: &str, root_pem: &str) -> Server {
        Server::start_with(url, root_pem, catchcert_server::Config::default()).await
    }

    /// [`Server::start`] with explicit tunables.
    pub async fn start_with(url: &str, root_pem: &str, config: catchcert_server::Config) -> Server {
        let store = Store::open(url).await.unwrap();
        let anchors = TrustAnchors::from_pem(root_pem).unwrap();
        Server::start_state(AppState::with_config(store, anchors, config)).await
    }

    /// [`Server::start`] with the transparency log `log` on (no background sequencer:
    /// tests sign checkpoints with [`Server::sequence`]).
    pub async fn start_logged(
        url: &str,
        root_pem: &str,
        log: catchcert_server::log::LogConfig,
    ) -> Server {
        let store = Store::open(url).await.unwrap();
        let anchors = TrustAnchors::from_pem(root_pem).unwrap();
        Server::start_state(AppState::new(store, anchors).with_log(log)).await
    }

    /// Sign a checkpoint of the log as it is now (at a fixed time); its size.
    pub async fn sequence(&self) -> u64 {
        catchcert_server::log::sequence_once(
            self.state.store(),
            self.state.log().unwrap(),
            catchcert_model::Timestamp(1_800_000_000),
        )
        .await
        .unwrap()
    }

    /// Serve `state` (e.g. one made with [`AppState::with_clock`]).
    pub async fn start_state(state: AppState) -> Server {
        let serving = state.clone();
        let running = Running::spawn(|listener, shutdown| {
            catchcert_server::serve_on(listener, serving, shutdown)
        })
        .await;
        Server {
            base: running.base.clone(),
            state,
            running,
        }
    }

    /// Shut down gracefully and wait.
    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// How many certificates the database holds.
    pub async fn count(&self) -> u64 {
        self.state.store().count().await.unwrap()
    }
}

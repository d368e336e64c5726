//! Harness of the API suite: fresh databases on both backends, servers on `127.0.0.1:0`
//! and a small HTTP client.
#![allow(dead_code)]

pub mod certs;

use catchcert_server::AppState;
use catchcert_store::Store;
use catchcert_verify::path::TrustAnchors;
use serde_json::Value;
use std::io::Write;

/// Whether this run is CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
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

/// A fresh, empty database for one test.
pub enum TestDb {
    /// A SQLite file in a temporary directory.
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    /// A database of its own on the PostgreSQL server of `CATCHCERT_TEST_PG_URL`.
    Postgres {
        admin_url: String,
        name: String,
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

/// A SQLite database in a temporary directory.
pub async fn sqlite_db() -> Option<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("catchcert.db").display());
    Some(TestDb::Sqlite { _dir: dir, url })
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

/// A database of its own on the PostgreSQL server, or `None` after a loud notice (a
/// failure when `CI` is set).
pub async fn pg_db() -> Option<TestDb> {
    let admin_url = match std::env::var("CATCHCERT_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                !in_ci(),
                "CI is set but CATCHCERT_TEST_PG_URL is not: the PostgreSQL API tests may not \
                 be skipped in CI (run them under .ci/with-postgres)"
            );
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** PostgreSQL API tests skipped: CATCHCERT_TEST_PG_URL not set \
                     (run `.ci/with-postgres cargo test -p catchcert-server`) ***\n"
                );
            });
            return None;
        }
    };
    let name = unique_name("catchcert_api");
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

/// A server on `127.0.0.1:0` over its own store handle.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its state (store, cache, metrics).
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
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
        let state = AppState::with_config(store, anchors, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(catchcert_server::serve_on(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Server {
            base,
            state,
            shutdown: Some(tx),
            task,
        }
    }

    /// Shut down gracefully and wait.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap().unwrap();
    }

    /// How many certificates the database holds.
    pub async fn count(&self) -> u64 {
        self.state.store().count().await.unwrap()
    }
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Assert a problem+json answer with `status`, and return it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(
            p["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:catchcert:problem:"),
            "{p}"
        );
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        p
    }

    /// The finding codes of a 422 problem.
    pub fn finding_codes(&self) -> Vec<String> {
        let p = self.problem(422);
        p["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("no findings member: {p}"))
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A plain HTTP/1.1 client.
#[derive(Clone)]
pub struct Client(reqwest::Client);

impl Default for Client {
    fn default() -> Self {
        Client(reqwest::Client::builder().no_proxy().build().unwrap())
    }
}

impl Client {
    async fn send(&self, rb: reqwest::RequestBuilder) -> Answer {
        let res = rb.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().await.unwrap().to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// POST `body` with `content_type`.
    pub async fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send(
            self.0
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body),
        )
        .await
    }

    /// POST a certificate to `base`.
    pub async fn post_cert(&self, base: &str, bytes: &[u8]) -> Answer {
        self.post(
            &format!("{base}/v1/certificates"),
            "application/cose",
            bytes.to_vec(),
        )
        .await
    }

    /// POST a certificate that must be created (201), returning its id.
    pub async fn created(&self, base: &str, bytes: &[u8]) -> String {
        let a = self.post_cert(base, bytes).await;
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        let id = a.json()["id"].as_str().unwrap().to_string();
        assert_eq!(id, certs::id(bytes).to_string());
        id
    }

    /// GET with optional `Accept`.
    pub async fn get(&self, url: &str, accept: Option<&str>) -> Answer {
        let mut rb = self.0.get(url);
        if let Some(a) = accept {
            rb = rb.header(reqwest::header::ACCEPT, a);
        }
        self.send(rb).await
    }

    /// Send a request built by the caller.
    pub async fn request(
        &self,
        rb: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Answer {
        self.send(rb(&self.0)).await
    }
}

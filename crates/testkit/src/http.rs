//! A plain HTTP/1.1 client for tests, and a server task on `127.0.0.1:0` that shuts down
//! gracefully.

use serde_json::Value;
use std::future::Future;

/// A server task listening on `127.0.0.1:PORT`.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Bind `127.0.0.1:0` and spawn `serve(listener, shutdown)` on the current runtime
    /// (e.g. `|l, s| catchcert_server::serve_on(l, state, s)`); `shutdown` resolves when
    /// [`Running::stop`] is called.
    pub async fn spawn<S, F>(serve: S) -> Running
    where
        S: FnOnce(tokio::net::TcpListener, std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> F,
        F: Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(
            listener,
            Box::pin(async {
                let _ = rx.await;
            }),
        ));
        Running {
            base,
            shutdown: Some(tx),
            task,
        }
    }

    /// Shut down gracefully and wait; panics if the server failed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap().unwrap();
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
        assert_eq!(id, crate::certs::id(bytes).to_string());
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

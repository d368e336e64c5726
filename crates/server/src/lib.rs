//! # catchcert-server
//!
//! The HTTP verifier service behind `catchcert serve` (contract §5): it verifies posted
//! certificates and stores them ([`catchcert_store::Store`], SQLite or PostgreSQL), and
//! serves verdicts and offline bundles of lots. Several instances may share one
//! PostgreSQL database; the store's row locks keep them correct (`docs/deployment.md`).
//!
//! [`app`] builds the router from an [`AppState`] and does no I/O of its own, so tests run
//! it on a socket bound to `127.0.0.1:0`; [`serve`] opens the store, binds the listen
//! address and runs until SIGTERM or Ctrl-C, finishing the requests in flight.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use catchcert_server::{ServeOptions, serve};
//! use catchcert_verify::path::TrustAnchors;
//! let anchors = TrustAnchors::from_pem(&std::fs::read_to_string("root.pem")?)?;
//! serve(ServeOptions::new("sqlite://catchcert.db", anchors)).await
//! # }
//! ```
//!
//! Routes, statuses, problem types, limits and metrics are documented in `docs/api.md`.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod accept;
pub mod cache;
pub mod clock;
pub mod error;
pub mod ingest;
pub mod log;
pub mod logroutes;
pub mod lots;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod pathseg;
pub mod recent;
pub mod reqid;
pub mod routes;
pub mod schema;
pub mod state;
pub mod witness;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::routing::{get, post};
use catchcert_store::Store;
use catchcert_verify::path::TrustAnchors;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::{ApiError, Problem};
pub use state::{AppState, Config, DEFAULT_REQUEST_TIMEOUT};

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Extra time granted after a shutdown signal beyond the request timeout, after which the
/// process stops even if a connection is still open.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The router: every route of contract §5 with its body limit, and the middleware.
pub fn app(state: AppState) -> Router {
    let timeout = state.config().request_timeout;
    let on_timeout = state.clone();
    let routes = Router::new()
        .route(
            "/v1/certificates",
            post(routes::post_certificate).layer(DefaultBodyLimit::max(routes::CERTIFICATE_LIMIT)),
        )
        .route("/v1/certificates/{id}", get(routes::get_certificate))
        .route(
            "/v1/certificates/{id}/receipt",
            get(logroutes::receipt_route),
        )
        .route("/v1/lots/{lot}/verification", get(routes::lot_verification))
        .route("/v1/lots/{lot}/bundle", get(routes::lot_bundle))
        .route("/v1/watchlists", get(routes::watchlists))
        .route(
            "/v1/verify",
            post(routes::verify_bundle).layer(DefaultBodyLimit::max(routes::BUNDLE_LIMIT)),
        )
        .route("/", get(pages::index))
        .route("/lots", get(pages::lot_search))
        .route("/lots/{lot}", get(pages::lot_page))
        .route("/log/checkpoint", get(logroutes::checkpoint))
        .route("/log/tile/{*path}", get(logroutes::tile))
        .route("/v1/log/proof/inclusion", get(logroutes::inclusion))
        .route("/v1/log/proof/consistency", get(logroutes::consistency))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(openapi::openapi))
        // Runs after routing, so it sees the route template (`MatchedPath`) for its labels.
        // It sits inside the timeout below: a request the timeout stops is counted there.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track::<AppState>,
        ))
        .fallback(routes::no_route)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state);

    // Layers run top to bottom on the way in, bottom to top on the way out.
    let middleware = ServiceBuilder::new()
        // 1. Outermost: give every request an `x-request-id` (a UUID-shaped id unless the
        //    client sent one) before anything logs, so that every line below can carry it.
        .layer(SetRequestIdLayer::x_request_id(
            reqid::MakeCountedId::default(),
        ))
        // 2. One span per request holding the method, path and request id; everything
        //    inside, error logs of `ApiError` included, is logged within it. Each answer is
        //    logged at DEBUG with its status and latency (the access log: on with
        //    `RUST_LOG=tower_http=debug`); `/metrics` counts and times every answer at any
        //    level (docs/performance.md "Cached lot verdict" says why).
        .layer(
            TraceLayer::new_for_http()
                .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG))
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                    )
                }),
        )
        // 3. Copy the request id onto the response, including timeout answers.
        .layer(PropagateRequestIdLayer::x_request_id())
        // 4. Turn a timeout into a problem+json 503.
        .layer(HandleErrorLayer::new(move |err: tower::BoxError| {
            let state = on_timeout.clone();
            async move {
                if err.is::<tower::timeout::error::Elapsed>() {
                    state.metrics().record_timeout();
                    ApiError::Timeout(timeout.as_secs())
                } else {
                    ApiError::internal(err)
                }
            }
        }))
        // 5. Innermost: no request, body upload included, runs longer than the timeout, so
        //    a graceful shutdown cannot hang on a slow client.
        .timeout(timeout);
    routes.layer(middleware)
}

/// How `catchcert serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Database URL (`sqlite://PATH`, `postgres://…`).
    pub db: String,
    /// The trust roots.
    pub anchors: TrustAnchors,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Tunables.
    pub config: Config,
    /// The transparency log, when on (`--log-key`).
    pub log: Option<log::LogConfig>,
    /// The log's witnesses (`--witness URL=W.pub`), sent each new checkpoint.
    pub witnesses: Vec<witness::WitnessPeer>,
}

impl ServeOptions {
    /// Options with the default listen address and tunables.
    pub fn new(db: impl Into<String>, anchors: TrustAnchors) -> Self {
        ServeOptions {
            db: db.into(),
            anchors,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            config: Config::default(),
            log: None,
            witnesses: Vec::new(),
        }
    }
}

/// Open the store, bind, and serve until SIGTERM or Ctrl-C; requests in flight are
/// finished first.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let store = Store::open(&opts.db)
        .await
        .with_context(|| "opening the database".to_string())?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("binding {}", opts.listen))?;
    let mut state = AppState::with_config(store, opts.anchors, opts.config);
    if let Some(log) = opts.log {
        state = start_log(state, log, opts.witnesses);
    }
    serve_on(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Turn the transparency log on for `state` and start its background tasks (call within a
/// Tokio runtime): the sequencer ([`log::run_sequencer`]) and, with witnesses, the task that
/// sends them each new checkpoint ([`witness::run_witnesses`]).
pub fn start_log(
    state: AppState,
    log: log::LogConfig,
    witnesses: Vec<witness::WitnessPeer>,
) -> AppState {
    tracing::info!(origin = %log.origin, vkey = %log.vkey(), witnesses = witnesses.len(), "transparency log on");
    let witnesses_n = witnesses.len();
    tokio::spawn(log::run_sequencer(
        state.store().clone(),
        log.clone(),
        state.clock_arc(),
    ));
    if !witnesses.is_empty() {
        tokio::spawn(witness::run_witnesses(
            state.store().clone(),
            std::sync::Arc::new(witness::Witnessing::new(witnesses)),
        ));
    }
    state.with_log(log.with_witnesses(witnesses_n))
}

/// Serve `state` on a bound listener until `shutdown` completes, then finish the requests
/// in flight (bounded by the request timeout plus [`SHUTDOWN_GRACE`]).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let grace = state.config().request_timeout + SHUTDOWN_GRACE;
    tracing::info!(
        backend = state.store().backend_name(),
        "listening on http://{addr}"
    );
    let (signalled_tx, mut signalled_rx) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutdown signal received; finishing requests in flight");
        let _ = signalled_tx.send(true);
    };
    let server = axum::serve(listener, app(state)).with_graceful_shutdown(shutdown);
    let deadline = async move {
        // Wait for the signal, then for the grace period.
        while !*signalled_rx.borrow() {
            if signalled_rx.changed().await.is_err() {
                // The server ended before any signal.
                std::future::pending::<()>().await;
            }
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        r = server => r?,
        () = deadline => {
            tracing::warn!("requests still open {} s after the shutdown signal; stopping", grace.as_secs());
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM or SIGINT (Ctrl-C). The handlers are installed when this is called,
/// not when the future is first polled, so a signal sent any time after (a server that is
/// already taking requests, its shutdown future not yet polled) is never missed: call it
/// before serving, inside the runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = int.recv() => {},
                }
            }
            (Ok(mut one), Err(_)) | (Err(_), Ok(mut one)) => {
                one.recv().await;
            }
            (Err(_), Err(_)) => std::future::pending::<()>().await,
        }
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use catchcert_testkit::modgraph;

    #[test]
    fn the_modules_import_each_other_without_a_circle() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let graph = modgraph::module_graph(&src);
        assert!(graph.contains_key("routes") && graph.contains_key("error"));
        // Nothing imports the crate root: `crate::Name` would name a lib.rs item.
        assert_eq!(
            modgraph::root_imports(&graph),
            Vec::<String>::new(),
            "import it from its module"
        );
        assert_eq!(modgraph::circle(&graph), None);
        assert!(graph["schema"].is_empty(), "schema.rs must stay a leaf");
    }
}

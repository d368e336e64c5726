//! What every handler shares: the store, the trust roots, the issuer-path validator, the
//! metrics, the verdict cache, the ingest's cache of recently stored certificates, the
//! CPU-job limit and the tunables.

use crate::clock::SystemClock;
use crate::error::ApiError;
use crate::{cache, metrics, recent};
use catchcert_model::Timestamp;
use catchcert_model::timestamp::Clock;
use catchcert_store::Store;
use catchcert_verify::path::{PathValidator, TrustAnchors};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default limit on the time one request may take, body upload included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration =
    Duration::from_secs(catchcert_model::limits::REQUEST_TIMEOUT_SECS);
/// Tunables of the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// Longest a request may take before it is answered 503 and dropped.
    pub request_timeout: Duration,
    /// Most certificates in one lot's graph (verification and bundle).
    pub max_graph: usize,
    /// Verdict cache entries (0 disables the cache).
    pub cache_capacity: usize,
    /// Most CPU-heavy jobs (graph verification, bundle building) run at once; further
    /// requests wait for a slot (within their timeout).
    pub cpu_jobs: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_graph: catchcert_model::bundle::MAX_CERTIFICATES,
            cache_capacity: cache::DEFAULT_CAPACITY,
            cpu_jobs: std::thread::available_parallelism()
                .map_or(catchcert_model::limits::CPU_JOBS, |n| n.get()),
        }
    }
}

struct Inner {
    store: Store,
    anchors: TrustAnchors,
    /// Shared so that issuer certificates parsed and checked once are not checked again.
    validator: Mutex<PathValidator>,
    metrics: metrics::Metrics,
    cache: cache::VerdictCache,
    /// Recently stored certificates, decoded, for the ingest's checks of named ones.
    recent: recent::RecentCache,
    /// One permit per CPU-heavy job allowed at once.
    cpu: Arc<tokio::sync::Semaphore>,
    config: Config,
    /// Where "now" comes from: the system clock, or a fixed one in tests.
    clock: Arc<dyn Clock>,
    /// The transparency log's identity, when the log is on (`serve --log-key`).
    log: std::sync::OnceLock<crate::log::LogConfig>,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.0.store.backend_name())
            .field("anchors", &self.0.anchors.subjects())
            .field("config", &self.0.config)
            .finish()
    }
}

impl AppState {
    /// State over an open store and the trust roots, with the default [`Config`].
    pub fn new(store: Store, anchors: TrustAnchors) -> Self {
        Self::with_config(store, anchors, Config::default())
    }

    /// State with explicit tunables, on the system clock.
    pub fn with_config(store: Store, anchors: TrustAnchors, config: Config) -> Self {
        Self::with_clock(store, anchors, config, Arc::new(SystemClock))
    }

    /// State with explicit tunables and clock (tests pass a
    /// [`FixedClock`](catchcert_model::timestamp::FixedClock)).
    pub fn with_clock(
        store: Store,
        anchors: TrustAnchors,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Self {
        AppState(Arc::new(Inner {
            clock,
            store,
            validator: Mutex::new(PathValidator::new(anchors.clone())),
            anchors,
            metrics: metrics::Metrics::new(),
            cache: cache::VerdictCache::new(config.cache_capacity),
            recent: recent::RecentCache::new(catchcert_model::limits::INGEST_CACHE_BYTES as u64),
            cpu: Arc::new(tokio::sync::Semaphore::new(config.cpu_jobs.max(1))),
            config,
            log: std::sync::OnceLock::new(),
        }))
    }

    /// Turn the transparency log on (checkpoints signed with `log`'s key, the entry-size
    /// limit on ingest). The sequencer task is started separately
    /// ([`crate::log::run_sequencer`]; `serve` does it).
    pub fn with_log(self, log: crate::log::LogConfig) -> Self {
        let _ = self.0.log.set(log);
        self
    }

    /// The log's identity, when the log is on.
    pub fn log(&self) -> Option<&crate::log::LogConfig> {
        self.0.log.get()
    }

    /// The state's clock, shared.
    pub fn clock_arc(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.0.clock)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The trust roots.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.0.anchors
    }

    /// The shared issuer-path validator.
    pub fn validator(&self) -> &Mutex<PathValidator> {
        &self.0.validator
    }

    /// The metrics.
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.0.metrics
    }

    /// The verdict cache.
    pub fn cache(&self) -> &cache::VerdictCache {
        &self.0.cache
    }

    /// The ingest's cache of recently stored certificates.
    pub fn recent(&self) -> &recent::RecentCache {
        &self.0.recent
    }

    /// The tunables.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The time now, to the second, from the state's clock.
    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    /// The state's clock.
    pub fn clock(&self) -> &dyn Clock {
        self.0.clock.as_ref()
    }

    /// CPU slots free now (of [`Config::cpu_jobs`]): 0 means a further job waits.
    pub fn cpu_slots_free(&self) -> usize {
        self.0.cpu.available_permits()
    }

    /// Run CPU-heavy `job` on a blocking thread once a CPU slot is free. The slot is held
    /// until the job ends, even if the request is abandoned (a timeout cannot stop a
    /// running job), so at most [`Config::cpu_jobs`] such jobs ever run at once.
    pub async fn run_cpu<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, ApiError> {
        let permit = self
            .0
            .cpu
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop(permit);
            out
        })
        .await
        .map_err(ApiError::internal)
    }
}

impl AsRef<metrics::Metrics> for AppState {
    fn as_ref(&self) -> &metrics::Metrics {
        &self.0.metrics
    }
}

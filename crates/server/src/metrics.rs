//! Prometheus metrics (`GET /metrics`, OpenMetrics text, which Prometheus scrapes).
//!
//! | name | type | labels |
//! |---|---|---|
//! | `catchcert_http_requests_total` | counter | `method`, `route` (the route template), `status` |
//! | `catchcert_http_request_duration_seconds` | histogram | `method`, `route` |
//! | `catchcert_certificates_stored` | gauge | – (read from the database at each scrape) |
//! | `catchcert_certificate_posts_total` | counter | `outcome` |
//! | `catchcert_verifications_total` | counter | `source` (`lot`, `bundle`), `integrity`, `risk` |
//! | `catchcert_verdict_cache_total` | counter | `result` (`hit`, `miss`) |
//! | `catchcert_http_timeouts_total` | counter | – (requests stopped by the request timeout) |
//!
//! Requests that match no route, and requests stopped by the timeout, are not in
//! `catchcert_http_requests_total`; the latter are counted in `catchcert_http_timeouts_total`.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use catchcert_verify::findings::{Integrity, Verdict};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Instant;

/// The media type of `GET /metrics`.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

/// Most distinct method and route-template strings kept as labels; further ones are
/// counted as `(other)`. Route templates and methods of matched routes are few.
const MAX_LABEL_VALUES: usize = 256;

/// The label value `s`, kept once for the life of the process, so that counting a request
/// allocates nothing (a bounded set: see [`MAX_LABEL_VALUES`]). Each thread keeps the values
/// it has seen, so that a request takes no lock shared with the other threads.
fn label(s: &str) -> &'static str {
    use std::cell::RefCell;
    use std::collections::HashSet;
    thread_local! {
        static KNOWN: RefCell<HashSet<&'static str>> = RefCell::default();
    }
    if let Some(v) = KNOWN.with_borrow(|k| k.get(s).copied()) {
        return v;
    }
    let v = shared_label(s);
    if v != "(other)" {
        KNOWN.with_borrow_mut(|k| k.insert(v));
    }
    v
}

/// The label of a request method: the standard ones without a look-up.
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => label(m.as_str()),
    }
}

/// The process-wide set behind [`label`].
fn shared_label(s: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{OnceLock, RwLock};
    static SEEN: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(v) = seen.read().unwrap_or_else(|e| e.into_inner()).get(s) {
        return v;
    }
    let mut w = seen.write().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = w.get(s) {
        return v;
    }
    if w.len() >= MAX_LABEL_VALUES {
        return "(other)";
    }
    let v: &'static str = Box::leak(s.to_string().into_boxed_str());
    w.insert(v);
    v
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    source: &'static str,
    integrity: &'static str,
    risk: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    stored: Gauge,
    posts: Family<OutcomeLabels, Counter>,
    verifications: Family<VerdictLabels, Counter>,
    cache: Family<CacheLabels, Counter>,
    timeouts: Counter,
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 33 s in 16 doubling steps.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh metrics, registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("catchcert");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            latency.clone(),
        );
        let stored = Gauge::default();
        registry.register(
            "certificates_stored",
            "Certificates in the database (all instances), read at each scrape",
            stored.clone(),
        );
        let posts = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "certificate_posts",
            "POST /v1/certificates by outcome: created, already_stored, rejected, conflict, \
             malformed, unsupported, too_large, error",
            posts.clone(),
        );
        let verifications = Family::<VerdictLabels, Counter>::default();
        registry.register(
            "verifications",
            "Verdicts served, by source (lot, bundle), integrity and risk",
            verifications.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "verdict_cache",
            "Lot verdict cache look-ups by result (hit, miss)",
            cache.clone(),
        );
        let timeouts = Counter::default();
        registry.register(
            "http_timeouts",
            "Requests stopped by the request timeout (answered 503)",
            timeouts.clone(),
        );
        Metrics {
            timeouts,
            registry,
            requests,
            latency,
            stored,
            posts,
            verifications,
            cache,
        }
    }

    /// Record one answered request.
    pub fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.record_labelled(label(method), label(route), status, seconds);
    }

    /// [`Metrics::record_request`] with the label values already kept.
    fn record_labelled(
        &self,
        method: &'static str,
        route: &'static str,
        status: u16,
        seconds: f64,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    /// Record the outcome of a certificate post.
    pub fn record_post(&self, outcome: &'static str) {
        self.posts.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Record a verdict served.
    pub fn record_verdict(&self, source: &'static str, v: &Verdict) {
        let integrity = match v.integrity {
            Integrity::Valid => "valid",
            Integrity::Invalid => "invalid",
        };
        self.verifications
            .get_or_create(&VerdictLabels {
                source,
                integrity,
                risk: v.risk.as_str(),
            })
            .inc();
    }

    /// Record a verdict cache look-up.
    pub fn record_cache(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.cache.get_or_create(&CacheLabels { result }).inc();
    }

    /// Record a request stopped by the timeout.
    pub fn record_timeout(&self) {
        self.timeouts.inc();
    }

    /// The exposition text, with `stored` as the certificates gauge.
    pub fn encode(&self, stored: u64) -> Result<String, std::fmt::Error> {
        self.stored.set(i64::try_from(stored).unwrap_or(i64::MAX));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Middleware (a route layer, so the route template is known): counts and times every
/// answered request.
pub async fn track<S: AsRef<Metrics>>(
    State(state): State<S>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |p| label(p.as_str()));
    let res = next.run(req).await;
    state.as_ref().record_labelled(
        method,
        route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_strings_given() {
        assert_eq!(method_label(&axum::http::Method::GET), "GET");
        let custom = axum::http::Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(method_label(&custom), "PURGE");
        let route = String::from("/v1/lots/{lot}/verification");
        assert_eq!(label(&route), route);
        // Seen again (this thread's set), and from another thread (the shared set).
        assert!(std::ptr::eq(label(&route), label(&route)));
        let here = label(&route);
        let there = std::thread::spawn(move || label("/v1/lots/{lot}/verification"))
            .join()
            .unwrap();
        assert!(std::ptr::eq(here, there));
    }

    #[test]
    fn exposition_names_every_family() {
        let m = Metrics::new();
        m.record_request("POST", "/v1/certificates", 201, 0.004);
        m.record_post("created");
        m.record_cache(true);
        m.record_verdict(
            "lot",
            &Verdict {
                head: catchcert_model::CertId([7; 32]),
                lots: vec![],
                integrity: Integrity::Valid,
                risk: catchcert_verify::findings::Risk::Unknown,
                certificates: 3,
                findings: vec![],
                nodes: vec![],
                undecodable: vec![],
            },
        );
        let text = m.encode(7).unwrap();
        for needle in [
            "catchcert_http_requests_total{method=\"POST\",route=\"/v1/certificates\",status=\"201\"} 1",
            "catchcert_http_request_duration_seconds_bucket{",
            "catchcert_certificates_stored 7",
            "catchcert_certificate_posts_total{outcome=\"created\"} 1",
            "catchcert_verdict_cache_total{result=\"hit\"} 1",
            "catchcert_verifications_total{source=\"lot\",integrity=\"valid\",risk=\"unknown\"} 1",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}

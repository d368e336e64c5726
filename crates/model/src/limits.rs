//! Every resource limit of catchcert in one place (documented in `docs/limits.md`, which a
//! test keeps in step with this file). The other crates use these values; each limit is
//! enforced with an error or finding that names it (`limits::NAME`).
//!
//! Everything catchcert reads may come from a party who wants to launder fish, so every
//! size, count and depth an input controls is bounded.

/// Largest certificate (one COSE_Sign1 message), in bytes.
pub const CERTIFICATE_BYTES: usize = 1 << 20;
/// Largest bundle, in bytes.
pub const BUNDLE_BYTES: usize = 64 << 20;
/// Most certificates in one bundle, and in one verification's set.
pub const CERTIFICATES_PER_BUNDLE: usize = 100_000;
/// Most issuer (X.509) certificates in one bundle.
pub const ISSUERS_PER_BUNDLE: usize = 10_000;
/// Longest chain of custody steps from a head back to a catch.
pub const GRAPH_DEPTH: usize = 10_000;
/// Deepest nesting of CBOR arrays, maps and tags.
pub const CBOR_DEPTH: usize = 16;
/// Most CBOR data items in one decoded value.
pub const CBOR_ITEMS: usize = 100_000;
/// Most certificates in a COSE x5chain header.
pub const X5CHAIN_LENGTH: usize = 8;
/// Most candidate issuer certificates a path validator holds.
pub const ISSUER_POOL: usize = 10_000;
/// Largest HTTP body of `POST /v1/certificates`, in bytes.
pub const HTTP_CERTIFICATE_BODY: usize = CERTIFICATE_BYTES;
/// Largest HTTP body of `POST /v1/verify`, in bytes.
pub const HTTP_BUNDLE_BODY: usize = BUNDLE_BYTES;
/// Default time one HTTP request may take, body upload included, in seconds.
pub const REQUEST_TIMEOUT_SECS: u64 = 30;
/// Most CPU-heavy jobs (graph verification, bundle building) the server runs at once when
/// the machine's parallelism cannot be read; by default it is the number of cores.
pub const CPU_JOBS: usize = 2;
/// Most COSE message signatures one verification checks.
pub const SIGNATURES_PER_RUN: usize = 200_000;
/// Weight of the certificates the server keeps decoded for its ingest's checks of the
/// certificates a posted one names: each weighs twice its encoded size plus 1 KiB (its
/// decoded form and validated issuer, roughly, in memory).
pub const INGEST_CACHE_BYTES: usize = 64 << 20;

/// Every limit by name with its value, in the order of `docs/limits.md`.
pub const ALL: [(&str, u64); 15] = [
    ("CERTIFICATE_BYTES", CERTIFICATE_BYTES as u64),
    ("BUNDLE_BYTES", BUNDLE_BYTES as u64),
    ("CERTIFICATES_PER_BUNDLE", CERTIFICATES_PER_BUNDLE as u64),
    ("ISSUERS_PER_BUNDLE", ISSUERS_PER_BUNDLE as u64),
    ("GRAPH_DEPTH", GRAPH_DEPTH as u64),
    ("CBOR_DEPTH", CBOR_DEPTH as u64),
    ("CBOR_ITEMS", CBOR_ITEMS as u64),
    ("X5CHAIN_LENGTH", X5CHAIN_LENGTH as u64),
    ("ISSUER_POOL", ISSUER_POOL as u64),
    ("HTTP_CERTIFICATE_BODY", HTTP_CERTIFICATE_BODY as u64),
    ("HTTP_BUNDLE_BODY", HTTP_BUNDLE_BODY as u64),
    ("REQUEST_TIMEOUT_SECS", REQUEST_TIMEOUT_SECS),
    ("CPU_JOBS", CPU_JOBS as u64),
    ("SIGNATURES_PER_RUN", SIGNATURES_PER_RUN as u64),
    ("INGEST_CACHE_BYTES", INGEST_CACHE_BYTES as u64),
];

//! The JSON bodies the routes answer with, and schema-only mirrors of the verifier's
//! `Verdict` and `Finding` for the OpenAPI document.
//!
//! A leaf module: it imports nothing from the rest of the crate, so the routes, the error
//! type and the OpenAPI document can all use it without importing each other.

use serde::{Deserialize, Serialize};

/// The answer to a stored certificate.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IdBody {
    /// The certificate id, `sha256:<64 hex>`.
    #[schema(example = "sha256:4f0c…")]
    pub id: String,
    /// Its index in the transparency log (absent when the certificate is not logged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_index: Option<u64>,
}

/// A stored certificate as JSON (`Accept: application/json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateJson {
    /// The certificate id.
    pub id: String,
    /// The certificate kind, e.g. `landing`.
    pub kind: String,
    /// The issuer certificate's subject (`null` if its path no longer validates against
    /// this server's trust roots).
    pub issuer: Option<String>,
    /// The payload in the JSON form `catchcert inspect --json` shows.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// One stored watch list in `GET /v1/watchlists`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WatchlistJson {
    /// The list's certificate id.
    pub id: String,
    /// The list's name.
    pub name: String,
    /// Where its entries come from.
    pub source: String,
    /// How many entries it has.
    pub entries: usize,
    /// The subject of the listkeeper certificate that signed it.
    pub issuer: String,
}

/// `GET /healthz` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` (otherwise the answer is a 503 problem).
    pub status: &'static str,
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
}

/// A finding, as in a verdict (contract §4). Schema only: the verifier's own
/// `catchcert_verify::findings::Finding` is what is serialised.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FindingSchema {
    /// Finding code, e.g. `mass_balance.exceeded`.
    #[schema(example = "link.missing")]
    code: String,
    /// `error`, `warning` or `info`.
    #[schema(example = "error")]
    severity: String,
    /// The certificate concerned.
    certificate: String,
    /// A sentence naming lots, quantities, times and issuers.
    message: String,
}

/// A verdict (contract §4). Schema only: the verifier's `Verdict` is what is serialised.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct VerdictSchema {
    /// The head certificate.
    head: String,
    /// The lot ids the head outputs: what the verdict vouches for.
    lots: Vec<String>,
    /// `valid` or `invalid`.
    #[schema(example = "valid")]
    integrity: String,
    /// `low`, `medium`, `unknown` or `high`.
    #[schema(example = "low")]
    risk: String,
    /// How many certificates the head's graph holds.
    certificates: u64,
    /// All findings.
    findings: Vec<FindingSchema>,
}

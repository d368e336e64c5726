//! The OpenAPI document served at `/openapi.json`, generated from the handlers'
//! `#[utoipa::path]` annotations and the types they answer with.

use utoipa::OpenApi;

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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "catchcert",
        description = "Store and verify seafood custody and labour certificates (COSE_Sign1, Ed25519). \
Errors are application/problem+json (RFC 9457); see docs/api.md."
    ),
    paths(
        crate::routes::post_certificate,
        crate::routes::get_certificate,
        crate::routes::lot_verification,
        crate::routes::lot_bundle,
        crate::routes::verify_bundle,
        crate::routes::healthz,
        crate::routes::metrics,
        crate::routes::openapi,
    ),
    components(schemas(
        crate::error::Problem,
        crate::routes::IdBody,
        crate::routes::CertificateJson,
        crate::routes::Health,
        VerdictSchema,
        FindingSchema,
    ))
)]
struct ApiDoc;

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

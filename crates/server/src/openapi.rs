//! The OpenAPI document served at `/openapi.json`, generated from the handlers'
//! `#[utoipa::path]` annotations and the types they answer with.

use crate::schema::{CertificateJson, FindingSchema, Health, IdBody, VerdictSchema, WatchlistJson};
use axum::Json;
use utoipa::OpenApi;

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
        crate::routes::watchlists,
        crate::logroutes::checkpoint,
        crate::logroutes::tile,
        crate::logroutes::inclusion,
        crate::logroutes::consistency,
        crate::logroutes::receipt_route,
        crate::routes::healthz,
        crate::routes::metrics,
        crate::pages::index,
        crate::pages::lot_search,
        crate::pages::lot_page,
        openapi,
    ),
    components(schemas(
        crate::error::Problem,
        IdBody,
        CertificateJson,
        Health,
        VerdictSchema,
        FindingSchema,
        WatchlistJson,
        crate::logroutes::InclusionProof,
        crate::logroutes::ConsistencyProof,
    ))
)]
struct ApiDoc;

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// This API's OpenAPI description.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "OpenAPI 3 document", body = Object))
)]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

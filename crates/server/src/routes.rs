//! The route handlers (contract §5). Each handler parses and checks its request, calls
//! [`crate::accept`], [`crate::lots`], the store or the pure verifier, and answers JSON,
//! bytes or a problem (see [`ApiError`]).

use crate::error::ApiError;
use crate::schema::{CertificateJson, Health, IdBody, WatchlistJson};
use crate::state::AppState;
use crate::{accept, ingest, lots};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use catchcert_model::CertId;
use catchcert_model::bundle::{self, Bundle};
use catchcert_store::Inserted;
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::findings::Verdict;
use serde::Deserialize;
use std::str::FromStr;

/// The media type of a certificate (RFC 9052).
pub const COSE: &str = "application/cose";
/// Largest certificate body accepted (the contract allows at most 1 MiB).
pub const CERTIFICATE_LIMIT: usize = catchcert_model::limits::HTTP_CERTIFICATE_BODY;
/// Largest bundle body accepted (the contract allows at most 64 MiB).
pub const BUNDLE_LIMIT: usize = catchcert_model::limits::HTTP_BUNDLE_BODY;

/// `Path` whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejections are problem+json.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Query of `POST /v1/verify`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VerifyParams {
    /// Verify the graph of this certificate instead of the bundle's head.
    pub head: Option<String>,
}

/// The essence (type/subtype, lower case) of the request's `Content-Type`.
fn content_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

fn require_media_type(headers: &HeaderMap, expected: &'static str) -> Result<(), ApiError> {
    match content_type(headers) {
        Some(ct) if ct == expected => Ok(()),
        Some(ct) => Err(ApiError::UnsupportedMediaType {
            expected,
            got: format!("{ct:?}"),
        }),
        None => Err(ApiError::UnsupportedMediaType {
            expected,
            got: "a body without Content-Type".into(),
        }),
    }
}

/// Whether the client prefers JSON to COSE bytes: `application/json` is acceptable (q > 0)
/// and `application/cose` is not listed with a higher q.
fn wants_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut q_json: Option<f32> = None;
    let mut q_cose: Option<f32> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match essence.as_str() {
            "application/json" => q_json = Some(q),
            "application/cose" => q_cose = Some(q),
            _ => {}
        }
    }
    match (q_json, q_cose) {
        (Some(j), Some(c)) => j > 0.0 && j > c,
        (Some(j), None) => j > 0.0,
        _ => false,
    }
}

async fn read_body(state: &AppState, req: Request, limit: usize) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|r| ApiError::from_body(r, limit))
}

/// The stored watch lists (screened by every lot verdict), in the order stored.
#[utoipa::path(
    get,
    path = "/v1/watchlists",
    tag = "certificates",
    responses(
        (status = 200, description = "The stored watch lists", body = Vec<WatchlistJson>),
    )
)]
pub async fn watchlists(
    State(state): State<AppState>,
) -> Result<Json<Vec<WatchlistJson>>, ApiError> {
    let lists = state.store().watchlists().await?;
    Ok(Json(
        lists
            .into_iter()
            .filter_map(|l| {
                let (_, p) = catchcert_verify::cose::decode_certificate(&l.bytes).ok()?;
                let w = p.watchlist()?;
                Some(WatchlistJson {
                    id: l.id.to_string(),
                    name: w.name.clone(),
                    source: w.source.clone(),
                    entries: w.entries.len(),
                    issuer: l.issuer,
                })
            })
            .collect(),
    ))
}

/// Store a certificate.
#[utoipa::path(
    post,
    path = "/v1/certificates",
    tag = "certificates",
    request_body(content = Vec<u8>, content_type = "application/cose",
        description = "One COSE_Sign1 certificate (at most 1 MiB)"),
    responses(
        (status = 201, description = "Verified and stored durably", body = IdBody),
        (status = 200, description = "Already stored (same bytes)", body = IdBody),
        (status = 400, description = "Not a COSE_Sign1 certificate", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would consume more of a lot than exists, or start a second lineage of a stored lot id (`link.lot_conflict` in `findings`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is not application/cose", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fails verification, names an input that is not stored, or breaks a rule the store can decide (issuer.scope, link.custody, link.species, time.order); `findings` says why", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_certificate(State(state): State<AppState>, req: Request) -> Response {
    let result = store_certificate(&state, req).await;
    let outcome = match &result {
        Ok((
            catchcert_store::Logged {
                inserted: Inserted::Created,
                ..
            },
            _,
        )) => "created",
        Ok(_) => "already_stored",
        Err(e) => match e {
            ApiError::Rejected { .. } => "rejected",
            ApiError::Overconsumed { .. } | ApiError::LotConflict { .. } => "conflict",
            ApiError::MalformedCertificate(_) | ApiError::BadBody(_) => "malformed",
            ApiError::UnsupportedMediaType { .. } => "unsupported",
            ApiError::TooLarge { .. } => "too_large",
            _ => "error",
        },
    };
    state.metrics().record_post(outcome);
    match result {
        Ok((logged, id)) => {
            let status = match logged.inserted {
                Inserted::Created => StatusCode::CREATED,
                Inserted::AlreadyStored => StatusCode::OK,
            };
            let body = IdBody {
                id: id.to_string(),
                log_index: logged.log_index,
            };
            let mut res = (status, Json(body)).into_response();
            if status == StatusCode::CREATED
                && let Ok(loc) = HeaderValue::from_str(&format!("/v1/certificates/{id}"))
            {
                res.headers_mut().insert(header::LOCATION, loc);
            }
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn store_certificate(
    state: &AppState,
    req: Request,
) -> Result<(catchcert_store::Logged, CertId), ApiError> {
    require_media_type(req.headers(), COSE)?;
    let bytes = read_body(state, req, CERTIFICATE_LIMIT).await?;
    // The body goes to the store's row as it is: `Bytes` gives up its buffer without a
    // copy when it holds it alone.
    accept::ingest_logged(state, Vec::from(bytes)).await
}

/// A stored certificate: its bytes, or JSON with `Accept: application/json`.
#[utoipa::path(
    get,
    path = "/v1/certificates/{id}",
    tag = "certificates",
    params(("id" = String, Path, description = "Certificate id, `sha256:<64 lowercase hex>`")),
    responses(
        (status = 200, description = "The stored bytes, or JSON", content(
            (Vec<u8> = "application/cose"),
            (CertificateJson = "application/json"),
        )),
        (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not stored", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_certificate(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = CertId::from_str(&raw).map_err(|e| ApiError::BadParameter(e.to_string()))?;
    let bytes = state
        .store()
        .get(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("certificate {id} is not stored")))?;
    let immutable = [
        (header::VARY, HeaderValue::from_static("accept")),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
    ];
    if wants_json(&headers) {
        let d = ingest::decode(&bytes).map_err(|e| {
            ApiError::internal(format!("stored certificate {id} does not decode: {e}"))
        })?;
        let issuer = ingest::lock(state.validator())
            .validate(&d.sign1.x5chain, &[], d.payload.issued_at())
            .ok()
            .map(|i| i.subject);
        let body = CertificateJson {
            id: id.to_string(),
            kind: d.payload.kind().as_str().to_string(),
            issuer,
            payload: catchcert_model::json::payload_to_json(&d.payload),
        };
        return Ok((immutable, Json(body)).into_response());
    }
    Ok((
        immutable,
        [(header::CONTENT_TYPE, HeaderValue::from_static(COSE))],
        bytes,
    )
        .into_response())
}

/// The lot id of `/v1/lots/{lot}/…`, decoded strictly from the raw path.
fn lot_from_uri(uri: &axum::http::Uri, suffix: &str) -> Result<String, ApiError> {
    let raw = uri
        .path()
        .strip_prefix("/v1/lots/")
        .and_then(|rest| rest.strip_suffix(suffix))
        .ok_or_else(|| ApiError::internal(format!("lot route matched {}", uri.path())))?;
    crate::pathseg::decode(raw).map_err(|e| ApiError::BadParameter(format!("lot id: {e}")))
}

/// The verdict of a lot's current holder.
#[utoipa::path(
    get,
    path = "/v1/lots/{lot}/verification",
    tag = "lots",
    params(("lot" = String, Path, description = "Lot id, percent-encoded (a `/` as `%2F`)")),
    responses(
        (status = 200, description = "The verdict (contract §4), with a strong `ETag` and `Cache-Control: no-cache`", body = crate::schema::VerdictSchema),
        (status = 304, description = "`If-None-Match` names the current verdict's `ETag`"),
        (status = 400, description = "Invalid percent-encoding", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No stored certificate outputs the lot", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn lot_verification(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    // The request itself rather than a `HeaderMap` extractor, which would copy every
    // header of every request to read one.
    req: Request,
) -> Result<Response, ApiError> {
    let lot = lot_from_uri(&uri, "/verification")?;
    let entry = lots::lot_verdict(&state, &lot).await?;
    state.metrics().record_verdict("lot", &entry.verdict);
    let cache = [
        (header::ETAG, entry.etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if if_none_match(req.headers(), &entry.etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        entry.body.clone(),
    )
        .into_response())
}

/// Whether an `If-None-Match` header lists `etag` (or is `*`).
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(v) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Ok(tag) = etag.to_str() else {
        return false;
    };
    v.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == tag || t.strip_prefix("W/") == Some(tag))
}

/// The offline bundle of a lot's current holder.
#[utoipa::path(
    get,
    path = "/v1/lots/{lot}/bundle",
    tag = "lots",
    params(("lot" = String, Path, description = "Lot id, percent-encoded (a `/` as `%2F`)")),
    responses(
        (status = 200, description = "The bundle", body = Vec<u8>, content_type = "application/vnd.catchcert.bundle+cbor"),
        (status = 400, description = "Invalid percent-encoding", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No stored certificate outputs the lot", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn lot_bundle(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let lot = lot_from_uri(&uri, "/bundle")?;
    let holder = lots::holder_of(&state, &lot).await?;
    let bytes = lots::holder_bundle(&state, holder).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(bundle::MEDIA_TYPE),
        )],
        bytes,
    )
        .into_response())
}

/// Verify a bundle, statelessly.
#[utoipa::path(
    post,
    path = "/v1/verify",
    tag = "verification",
    params(VerifyParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.catchcert.bundle+cbor",
        description = "A bundle (at most 64 MiB)"),
    responses(
        (status = 200, description = "The verdict (contract §4)", body = crate::schema::VerdictSchema),
        (status = 400, description = "Not a bundle, or a malformed head", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Wrong Content-Type", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify_bundle(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<VerifyParams>,
    req: Request,
) -> Result<Json<Verdict>, ApiError> {
    require_media_type(req.headers(), bundle::MEDIA_TYPE)?;
    let head = params
        .head
        .as_deref()
        .map(CertId::from_str)
        .transpose()
        .map_err(|e| ApiError::BadParameter(format!("head: {e}")))?;
    let body = read_body(&state, req, BUNDLE_LIMIT).await?;
    let anchors = state.anchors().clone();
    let at = state.now();
    let verdict = state
        .run_cpu(move || {
            let b =
                Bundle::from_bytes(&body).map_err(|e| ApiError::MalformedBundle(e.to_string()))?;
            Ok::<_, ApiError>(chain::verify_bundle(
                &b,
                head,
                &anchors,
                at,
                &Limits::default(),
            ))
        })
        .await??;
    state.metrics().record_verdict("bundle", &verdict);
    Ok(Json(verdict))
}

/// Liveness and database reachability, for load balancers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Serving, database reachable", body = Health),
        (status = 503, description = "Database unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // A read of the store's generation that began after this request arrived: it needs a
    // working connection, and requests arriving together share one read (cache::GenerationGate).
    let store = state.store();
    match state.cache().gate.current(|| store.generation()).await {
        Ok(_) => Ok(Json(Health {
            status: "ok",
            backend: state.store().backend_name(),
        })),
        Err(e) => Err(ApiError::Unavailable(e.to_string())),
    }
}

/// Prometheus metrics.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "OpenMetrics text", body = String,
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"))
)]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let stored = state.store().count().await?;
    let text = state.metrics().encode(stored).map_err(ApiError::internal)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
        )],
        text,
    )
        .into_response())
}

/// Any path without a route.
pub async fn no_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NoRoute(uri.path().chars().take(200).collect())
}

/// A route that exists, with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn accept_negotiation() {
        assert!(!wants_json(&HeaderMap::new()));
        assert!(wants_json(&accept("application/json")));
        assert!(wants_json(&accept("text/html, application/json;q=0.9")));
        assert!(!wants_json(&accept(
            "application/cose, application/json;q=0.5"
        )));
        assert!(!wants_json(&accept("application/json;q=0")));
        assert!(!wants_json(&accept("*/*")));
        assert!(wants_json(&accept("Application/JSON; charset=utf-8")));
    }

    #[test]
    fn media_type_essence() {
        let mut h = HeaderMap::new();
        assert!(require_media_type(&h, COSE).is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/cose; cose-type=\"cose-sign1\""),
        );
        assert!(require_media_type(&h, COSE).is_ok());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/cbor"),
        );
        let e = require_media_type(&h, COSE).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}

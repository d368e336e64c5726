//! The transparency-log routes (`docs/transparency.md`): the latest checkpoint, C2SP
//! tlog-tiles, and inclusion and consistency proofs. They answer only what the latest
//! signed checkpoint covers; an entry newer than that is 404 with `Retry-After`.

use crate::error::ApiError;
use crate::log::{StoreHashes, served_note};
use crate::routes::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use catchcert_model::CertId;
use catchcert_store::StoredCheckpoint;
use catchcert_tlog::{TILE_WIDTH, TileKind, TilePath};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Seconds a client should wait before asking again for what no checkpoint covers yet.
pub const RETRY_AFTER_SECS: u64 = 1;

/// A 404 with `Retry-After`: not covered by a checkpoint yet.
fn not_yet(what: String) -> Response {
    let mut res = ApiError::NotFound(what).into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}

fn log_off() -> ApiError {
    ApiError::NotFound("this server runs without a transparency log (serve --log-key)".into())
}

async fn latest(state: &AppState) -> Result<Option<StoredCheckpoint>, ApiError> {
    if state.log().is_none() {
        return Err(log_off());
    }
    Ok(state.store().checkpoint(None).await?)
}

/// `GET /log/checkpoint`: the latest signed checkpoint with its cosignature lines.
#[utoipa::path(
    get,
    path = "/log/checkpoint",
    tag = "log",
    responses(
        (status = 200, description = "C2SP signed note", body = String, content_type = "text/plain"),
        (status = 404, description = "No checkpoint yet (Retry-After) or no log", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(cp) = latest(&state).await? else {
        return Ok(not_yet("no checkpoint has been signed yet".into()));
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        served_note(&cp),
    )
        .into_response())
}

/// `GET /log/tile/…`: a C2SP tlog-tiles hash tile or entry bundle.
#[utoipa::path(
    get,
    path = "/log/tile/{path}",
    tag = "log",
    params(("path" = String, Path, description = "`<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`")),
    responses(
        (status = 200, description = "Tile bytes", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 400, description = "Not a tile path", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Beyond the latest checkpoint", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn tile(
    State(state): State<AppState>,
    ApiPath(rest): ApiPath<String>,
) -> Result<Response, ApiError> {
    let path = format!("tile/{rest}");
    let t = TilePath::parse(&path).map_err(|e| ApiError::BadParameter(e.to_string()))?;
    let Some(cp) = latest(&state).await? else {
        return Ok(not_yet("no checkpoint has been signed yet".into()));
    };
    let level = match t.kind {
        TileKind::Hash { level } => level,
        TileKind::Entries => 0,
    };
    let count = cp
        .size
        .checked_shr(8 * u32::from(level))
        .unwrap_or_default();
    let start = t.index.saturating_mul(u64::from(TILE_WIDTH));
    if start.saturating_add(u64::from(t.width)) > count {
        return Ok(not_yet(format!(
            "{path} is beyond the latest checkpoint (tree size {})",
            cp.size
        )));
    }
    let body = match t.kind {
        TileKind::Entries => {
            let entries = state
                .store()
                .log_entries(start, start + u64::from(t.width))
                .await?;
            catchcert_tlog::encode_entry_bundle(&entries).map_err(ApiError::internal)?
        }
        TileKind::Hash { level } => {
            let (store, handle) = (state.store().clone(), tokio::runtime::Handle::current());
            let (index, width) = (t.index, t.width);
            state
                .run_cpu(move || {
                    catchcert_tlog::read_hash_tile(
                        level,
                        index,
                        width,
                        &StoreHashes::new(store, handle),
                    )
                })
                .await?
                .map_err(ApiError::internal)?
        }
    };
    let cache = if t.is_full() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response())
}

/// Query of the inclusion proof route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InclusionParams {
    /// The certificate id.
    pub id: String,
    /// The tree size to prove against (default: the latest checkpoint's).
    pub size: Option<u64>,
}

/// An inclusion proof.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InclusionProof {
    /// The certificate's log index.
    pub index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The root of that tree, hex.
    pub root: String,
    /// The audit path, leaf side first, hex.
    pub hashes: Vec<String>,
    /// The signed checkpoint of that size (with cosignatures), when one was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

/// Query of the consistency proof route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ConsistencyParams {
    /// The smaller tree size.
    pub from: u64,
    /// The larger tree size (at most the latest checkpoint's).
    pub to: u64,
}

/// A consistency proof.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsistencyProof {
    /// The smaller tree size.
    pub from: u64,
    /// The larger tree size.
    pub tree_size: u64,
    /// The proof, hex.
    pub hashes: Vec<String>,
}

fn hexes(v: &[catchcert_tlog::Hash]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

/// The root of the tree of `size` entries and, with `index`, the audit path of that entry.
async fn prove(
    state: &AppState,
    size: u64,
    index: Option<u64>,
    from: Option<u64>,
) -> Result<(catchcert_tlog::Hash, Vec<catchcert_tlog::Hash>), ApiError> {
    let (store, handle) = (state.store().clone(), tokio::runtime::Handle::current());
    state
        .run_cpu(move || {
            let r = StoreHashes::new(store, handle);
            let root = catchcert_tlog::tree_hash(size, &r)?;
            let path = match (index, from) {
                (Some(i), _) => catchcert_tlog::prove_inclusion(size, i, &r)?,
                (None, Some(n)) => catchcert_tlog::prove_consistency(n, size, &r)?,
                (None, None) => Vec::new(),
            };
            Ok::<_, catchcert_tlog::Error>((root, path))
        })
        .await?
        .map_err(ApiError::internal)
}

/// `GET /v1/log/proof/inclusion?id=ID[&size=N]`.
#[utoipa::path(
    get,
    path = "/v1/log/proof/inclusion",
    tag = "log",
    params(InclusionParams),
    responses(
        (status = 200, description = "Inclusion proof", body = InclusionProof),
        (status = 400, description = "Malformed id or size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not stored, or not covered by a checkpoint yet (Retry-After)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InclusionParams>,
) -> Result<Response, ApiError> {
    let id = CertId::from_str(&q.id).map_err(|e| ApiError::BadParameter(e.to_string()))?;
    let Some(cp) = latest(&state).await? else {
        return Ok(not_yet("no checkpoint has been signed yet".into()));
    };
    let index = state
        .store()
        .log_index(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("certificate {id} is not in the log")))?;
    let size = q.size.unwrap_or(cp.size);
    if size > cp.size {
        return Ok(not_yet(format!(
            "size {size} is beyond the latest checkpoint (tree size {})",
            cp.size
        )));
    }
    if index >= size {
        if size < cp.size {
            return Err(ApiError::BadParameter(format!(
                "entry {index} is not in the tree of size {size}"
            )));
        }
        return Ok(not_yet(format!(
            "entry {index} is not covered by the latest checkpoint (tree size {size})"
        )));
    }
    let (root, hashes) = prove(&state, size, Some(index), None).await?;
    let checkpoint = if size == cp.size {
        Some(served_note(&cp))
    } else {
        state
            .store()
            .checkpoint(Some(size))
            .await?
            .map(|c| served_note(&c))
    };
    Ok((
        StatusCode::OK,
        Json(InclusionProof {
            index,
            tree_size: size,
            root: hex::encode(root),
            hashes: hexes(&hashes),
            checkpoint,
        }),
    )
        .into_response())
}

/// `GET /v1/log/proof/consistency?from=N&to=M`.
#[utoipa::path(
    get,
    path = "/v1/log/proof/consistency",
    tag = "log",
    params(ConsistencyParams),
    responses(
        (status = 200, description = "Consistency proof", body = ConsistencyProof),
        (status = 400, description = "from > to", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`to` not covered by a checkpoint yet (Retry-After)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyParams>,
) -> Result<Response, ApiError> {
    let Some(cp) = latest(&state).await? else {
        return Ok(not_yet("no checkpoint has been signed yet".into()));
    };
    if q.from > q.to {
        return Err(ApiError::BadParameter(format!(
            "from ({}) is larger than to ({})",
            q.from, q.to
        )));
    }
    if q.to > cp.size {
        return Ok(not_yet(format!(
            "size {} is beyond the latest checkpoint (tree size {})",
            q.to, cp.size
        )));
    }
    let (_, hashes) = prove(&state, q.to, None, Some(q.from)).await?;
    Ok(Json(ConsistencyProof {
        from: q.from,
        tree_size: q.to,
        hashes: hexes(&hashes),
    })
    .into_response())
}

/// COSE header label of the verifiable data structure (RFC 9942).
pub const VDS_LABEL: i64 = 395;
/// COSE header label of the verifiable data proofs (RFC 9942).
pub const VDP_LABEL: i64 = 396;
/// The RFC9162_SHA256 verifiable data structure (RFC 9942 §5.2).
pub const VDS_RFC9162_SHA256: i64 = 1;
/// The map key of inclusion proofs within the verifiable data proofs.
pub const INCLUSION_PROOFS: i64 = -1;

/// An RFC 9942 COSE Receipt of inclusion: a tagged COSE_Sign1 by the log key (EdDSA, `kid`
/// the 4-byte big-endian signed-note key id of the checkpoints' signature lines), protected
/// header `395: 1` (RFC9162_SHA256), unprotected header `396: {-1: [bstr .cbor [tree_size,
/// leaf_index, [audit path]]]}`, detached payload: the root of the tree of `tree_size`.
pub fn receipt(
    log: &crate::log::LogConfig,
    tree_size: u64,
    index: u64,
    path: &[catchcert_tlog::Hash],
    root: &catchcert_tlog::Hash,
) -> Result<Vec<u8>, String> {
    use coset::cbor::value::Value;
    use coset::{TaggedCborSerializable, iana};
    use ed25519_dalek::Signer;
    let proof = Value::Array(vec![
        Value::Integer(tree_size.into()),
        Value::Integer(index.into()),
        Value::Array(path.iter().map(|h| Value::Bytes(h.to_vec())).collect()),
    ]);
    let mut proof_bytes = Vec::new();
    coset::cbor::ser::into_writer(&proof, &mut proof_bytes).map_err(|e| e.to_string())?;
    let protected = coset::HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(log.note_key().key_id().to_be_bytes().to_vec())
        .value(VDS_LABEL, Value::Integer(VDS_RFC9162_SHA256.into()))
        .build();
    let unprotected = coset::HeaderBuilder::new()
        .value(
            VDP_LABEL,
            Value::Map(vec![(
                Value::Integer(INCLUSION_PROOFS.into()),
                Value::Array(vec![Value::Bytes(proof_bytes)]),
            )]),
        )
        .build();
    let sign1 = coset::CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .create_detached_signature(root, b"", |m| log.key.sign(m).to_bytes().to_vec())
        .build();
    sign1.to_tagged_vec().map_err(|e| e.to_string())
}

/// `GET /v1/certificates/{id}/receipt`: an RFC 9942 COSE Receipt of the certificate's
/// inclusion in the tree of the latest checkpoint.
#[utoipa::path(
    get,
    path = "/v1/certificates/{id}/receipt",
    tag = "log",
    params(("id" = String, Path, description = "Certificate id (64 hex digits)")),
    responses(
        (status = 200, description = "COSE Receipt (tagged COSE_Sign1, detached payload: the tree root)", body = Vec<u8>, content_type = "application/cose"),
        (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in the log, or not covered by a checkpoint yet (Retry-After)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn receipt_route(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = CertId::from_str(&raw).map_err(|e| ApiError::BadParameter(e.to_string()))?;
    let Some(cp) = latest(&state).await? else {
        return Ok(not_yet("no checkpoint has been signed yet".into()));
    };
    let Some(log) = state.log().cloned() else {
        return Err(log_off());
    };
    let index = state
        .store()
        .log_index(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("certificate {id} is not in the log")))?;
    if index >= cp.size {
        return Ok(not_yet(format!(
            "entry {index} is not covered by the latest checkpoint (tree size {})",
            cp.size
        )));
    }
    let (root, path) = prove(&state, cp.size, Some(index), None).await?;
    if root != cp.root {
        return Err(ApiError::internal(format!(
            "the stored hashes give another root for size {} than its checkpoint",
            cp.size
        )));
    }
    let body = receipt(&log, cp.size, index, &path, &root).map_err(ApiError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/cose; cose-type=\"cose-sign1\""),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response())
}

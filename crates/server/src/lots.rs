//! Lots: who holds a lot, its holder's verdict (through the verdict cache) and its
//! offline bundle.

use crate::cache::Entry;
use crate::error::ApiError;
use crate::state::AppState;
use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Timestamp};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::cose;
use std::sync::Arc;

/// The certificate that currently holds `lot` (404 when no stored certificate outputs it).
pub async fn holder_of(state: &AppState, lot: &str) -> Result<CertId, ApiError> {
    state
        .store()
        .lot_holder(lot)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no stored certificate outputs lot {lot:?}")))
}

/// Read the store's generation (a read that began after this call, shared with concurrent
/// requests) and bring the verdict cache to it; answers that generation.
async fn fresh(state: &AppState) -> Result<u64, ApiError> {
    let store = state.store();
    let g = state.cache().gate.current(|| store.generation()).await?;
    state.cache().sync_to(store, g).await?;
    Ok(g)
}

/// The cached verdict of the current holder of `lot` as of now (404 when no stored
/// certificate outputs it): on a hit, one shared generation read and a few hash look-ups,
/// whatever the size of the graph.
pub async fn lot_verdict(state: &AppState, lot: &str) -> Result<Arc<Entry>, ApiError> {
    let g = fresh(state).await?;
    let now = state.now();
    if let Some(e) = state.cache().lookup_lot(lot, now) {
        state.metrics().record_cache(true);
        return Ok(e);
    }
    let holder = holder_of(state, lot).await?;
    state.cache().put_lot(lot, holder, g);
    holder_entry(state, holder, g, now).await
}

/// The verdict of `holder` as of now, from the cache when it still holds.
pub async fn holder_verdict(state: &AppState, holder: CertId) -> Result<Arc<Entry>, ApiError> {
    let g = fresh(state).await?;
    holder_entry(state, holder, g, state.now()).await
}

/// The entry of `holder` at `at`, the cache being at generation `g` or later.
async fn holder_entry(
    state: &AppState,
    holder: CertId,
    g: u64,
    at: Timestamp,
) -> Result<Arc<Entry>, ApiError> {
    if let Some(e) = state.cache().get(holder, at) {
        state.metrics().record_cache(true);
        return Ok(e);
    }
    state.metrics().record_cache(false);
    let store = state.store();
    let closure = store.closure(holder, state.config().max_graph).await?;
    let lists = store.watchlists().await?;
    let anchors = state.anchors().clone();
    let entry = state
        .run_cpu(move || {
            let certs: Vec<Vec<u8>> = closure.iter().map(|(_, b)| b.clone()).collect();
            let lists: Vec<(CertId, Vec<u8>)> =
                lists.into_iter().map(|l| (l.id, l.bytes)).collect();
            let list_bytes: Vec<Vec<u8>> = lists.iter().map(|(_, b)| b.clone()).collect();
            let verdict = chain::verify_screened(
                &certs,
                &[],
                &list_bytes,
                holder,
                &anchors,
                at,
                &Limits::default(),
            );
            Entry::new(verdict, &closure, &lists, at)
        })
        .await?;
    Ok(state.cache().put(holder, entry, g))
}

/// What the report page of `lot` needs: its holder's verdict as of now (as
/// [`lot_verdict`]), the certificates of its graph, and that time.
pub async fn lot_report(
    state: &AppState,
    lot: &str,
) -> Result<(Arc<Entry>, Vec<Vec<u8>>, Timestamp), ApiError> {
    let at = state.now();
    let entry = lot_verdict(state, lot).await?;
    let closure = state
        .store()
        .closure(entry.verdict.head, state.config().max_graph)
        .await?;
    Ok((entry, closure.into_iter().map(|(_, b)| b).collect(), at))
}

/// The offline bundle of `holder`: its graph (with every stored attestation covering its
/// vessels and facilities, named or not) and every issuer certificate the graph's
/// certificates carry.
pub async fn holder_bundle(state: &AppState, holder: CertId) -> Result<Vec<u8>, ApiError> {
    let closure = state
        .store()
        .closure(holder, state.config().max_graph)
        .await?;
    let lists = state.store().watchlists().await?;
    let ids: Vec<CertId> = closure.iter().map(|(id, _)| *id).collect();
    let proofs = bundle_proofs(state, ids).await?;
    state
        .run_cpu(move || {
            let mut issuers = Vec::new();
            let mut certs = Vec::with_capacity(closure.len());
            for (_, b) in closure {
                if let Ok(s) = cose::decode(&b) {
                    issuers.extend(s.x5chain);
                }
                certs.push(b);
            }
            Bundle::new(holder, certs, issuers)
                .with_watchlists(lists.into_iter().map(|l| l.bytes).collect())
                .with_log_proofs(proofs)
                .to_bytes()
        })
        .await
}

/// The C2SP tlog-proofs of `ids` for a bundle, all against ONE checkpoint, with its
/// cosignatures: the newest that covers every one of `ids` in the log and that every
/// configured witness cosigned, else the latest signed one. Certificates it does not cover
/// (newer than the checkpoint, or not in the log) get no proof; without a log or a
/// checkpoint there are none.
pub async fn bundle_proofs(
    state: &AppState,
    ids: Vec<CertId>,
) -> Result<Vec<(CertId, String)>, ApiError> {
    let Some(log) = state.log() else {
        return Ok(Vec::new());
    };
    let mut indexed = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(i) = state.store().log_index(id).await? {
            indexed.push((id, i));
        }
    }
    // The newest checkpoint that covers every entry and that every configured witness
    // cosigned; otherwise (none yet, or no witnesses) the latest checkpoint.
    let needed = indexed.iter().map(|(_, i)| i + 1).max().unwrap_or(0);
    let mut cp = None;
    if log.witnesses > 0
        && let Some(size) = state
            .store()
            .cosigned_checkpoint_size(needed, log.witnesses)
            .await?
    {
        cp = state.store().checkpoint(Some(size)).await?;
    }
    let cp = match cp {
        Some(cp) => cp,
        None => match state.store().checkpoint(None).await? {
            Some(cp) => cp,
            None => return Ok(Vec::new()),
        },
    };
    let covered: Vec<(CertId, u64)> = indexed.into_iter().filter(|(_, i)| *i < cp.size).collect();
    let note = crate::log::served_note(&cp);
    let size = cp.size;
    let (store, handle) = (state.store().clone(), tokio::runtime::Handle::current());
    state
        .run_cpu(move || {
            let r = crate::log::StoreHashes::new(store, handle);
            covered
                .into_iter()
                .map(|(id, index)| {
                    let proof = catchcert_tlog::prove_inclusion(size, index, &r)?;
                    let text = catchcert_tlog::TlogProof {
                        extra: None,
                        index,
                        proof,
                        checkpoint: note.clone(),
                    }
                    .encode();
                    Ok((id, text))
                })
                .collect::<Result<Vec<_>, catchcert_tlog::Error>>()
        })
        .await?
        .map_err(ApiError::internal)
}

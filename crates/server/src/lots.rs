//! Lots: who holds a lot, its holder's verdict (through the verdict cache) and its
//! offline bundle.

use crate::cache::Entry;
use crate::error::ApiError;
use crate::state::AppState;
use catchcert_model::CertId;
use catchcert_model::bundle::Bundle;
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::cose;
use catchcert_verify::findings::Verdict;

/// The certificate that currently holds `lot` (404 when no stored certificate outputs it).
pub async fn holder_of(state: &AppState, lot: &str) -> Result<CertId, ApiError> {
    state
        .store()
        .lot_holder(lot)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no stored certificate outputs lot {lot:?}")))
}

/// The verdict of `holder` as of now, from the cache when it still holds.
pub async fn holder_verdict(state: &AppState, holder: CertId) -> Result<Verdict, ApiError> {
    let at = state.now();
    let store = state.store();
    if let Some(entry) = state.cache().get(holder) {
        let revocations = store.revocations_of(&entry.members).await?;
        let attestations_still_absent = entry.absent_attestations.is_empty()
            || store.get_many(&entry.absent_attestations).await?.is_empty();
        let same_evidence =
            entry.same_evidence(&store.covering_attestations(&entry.members).await?);
        if attestations_still_absent && same_evidence && entry.holds(at, &revocations) {
            // A stored list the verdict was not screened against changes it only when it
            // lists something the graph names.
            let stored_lists = store.watchlist_ids().await?;
            let new_lists = entry.new_lists(&stored_lists);
            let unchanged =
                new_lists.is_empty() || !entry.listed_by(&store.get_many(&new_lists).await?);
            if unchanged {
                if !new_lists.is_empty() {
                    state
                        .cache()
                        .put(holder, (*entry).clone().with_lists(&stored_lists));
                }
                state.metrics().record_cache(true);
                return Ok(entry.verdict.clone());
            }
        }
    }
    state.metrics().record_cache(false);
    let closure = store.closure(holder, state.config().max_graph).await?;
    let members: Vec<CertId> = closure.iter().map(|(id, _)| *id).collect();
    let covering = store.covering_attestations(&members).await?;
    let lists = store.watchlists().await?;
    let anchors = state.anchors().clone();
    let (verdict, entry) = state
        .run_cpu(move || {
            let certs: Vec<Vec<u8>> = closure.iter().map(|(_, b)| b.clone()).collect();
            let list_ids: Vec<CertId> = lists.iter().map(|l| l.id).collect();
            let list_bytes: Vec<Vec<u8>> = lists.into_iter().map(|l| l.bytes).collect();
            let verdict = chain::verify_screened(
                &certs,
                &[],
                &list_bytes,
                holder,
                &anchors,
                at,
                &Limits::default(),
            );
            let entry = Entry::new(verdict.clone(), &closure, at)
                .with_covering(&covering)
                .with_lists(&list_ids);
            (verdict, entry)
        })
        .await?;
    state.cache().put(holder, entry);
    Ok(verdict)
}

/// What the report page of `holder` needs: its verdict as of now (as
/// [`holder_verdict`]), the certificates of its graph, and that time.
pub async fn holder_report(
    state: &AppState,
    holder: CertId,
) -> Result<(Verdict, Vec<Vec<u8>>, catchcert_model::Timestamp), ApiError> {
    let at = state.now();
    let verdict = holder_verdict(state, holder).await?;
    let closure = state
        .store()
        .closure(holder, state.config().max_graph)
        .await?;
    Ok((verdict, closure.into_iter().map(|(_, b)| b).collect(), at))
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

/// The C2SP tlog-proofs of `ids` for a bundle, all against ONE checkpoint: the latest signed
/// one, with its cosignatures. Certificates it does not cover yet (newer than the
/// checkpoint, or not in the log) get no proof; without a log or a checkpoint there are none.
pub async fn bundle_proofs(
    state: &AppState,
    ids: Vec<CertId>,
) -> Result<Vec<(CertId, String)>, ApiError> {
    if state.log().is_none() {
        return Ok(Vec::new());
    }
    let Some(cp) = state.store().checkpoint(None).await? else {
        return Ok(Vec::new());
    };
    let mut covered = Vec::new();
    for id in ids {
        if let Some(i) = state.store().log_index(id).await?
            && i < cp.size
        {
            covered.push((id, i));
        }
    }
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

//! The store-side ingest flow of `POST /v1/certificates`: decode, run the checks of
//! [`crate::ingest`] (those that need nothing from the store, then those against the stored
//! certificates, found in [`crate::recent`] or read from the store), insert, keep the stored
//! certificate in [`crate::recent`] for the certificates that will name it, and drop the
//! verdict-cache entries the insert makes stale.

use crate::error::ApiError;
use crate::ingest;
use crate::recent::Recent;
use crate::state::AppState;
use catchcert_model::CertId;
use catchcert_store::{Inserted, Logged};
use std::sync::Arc;

/// Verify and store one certificate exactly as `POST /v1/certificates` does:
/// [`Inserted::Created`] when stored now, [`Inserted::AlreadyStored`] when the same bytes
/// were already stored, or the problem to answer. Also used by `catchcert serve --demo` to
/// load the demo chain.
pub async fn ingest_certificate(
    state: &AppState,
    bytes: &[u8],
) -> Result<(Inserted, CertId), ApiError> {
    ingest_logged(state, bytes.to_vec())
        .await
        .map(|(l, id)| (l.inserted, id))
}

/// [`ingest_certificate`] of an owned body (stored without a copy), also answering the
/// certificate's log index. With the log on, a certificate over
/// [`catchcert_store::MAX_LOG_ENTRY_BYTES`] (the entry-bundle limit) is refused (413).
pub async fn ingest_logged(state: &AppState, bytes: Vec<u8>) -> Result<(Logged, CertId), ApiError> {
    if state.log().is_some() && bytes.len() > catchcert_store::MAX_LOG_ENTRY_BYTES {
        return Err(ApiError::TooLarge {
            limit: catchcert_store::MAX_LOG_ENTRY_BYTES,
        });
    }
    // Decoding, the issuer path and the signature are CPU work of about a hundred
    // microseconds (one Ed25519 verification; the issuer path is cached): done on the
    // worker thread itself, since handing it to the blocking pool and back costs two
    // thread wakeups per certificate, more than the work (docs/storage.md, "Ingest").
    let decoded = ingest::decode(&bytes)?;
    let own = ingest::check_own(state.validator(), &decoded, state.now());
    let id = decoded.sign1.id;
    let store = state.store();
    let recent = state.recent();
    let validator = state.validator();
    let mut findings = own.findings;
    if own.revocation_role_pending
        && let Some(issuer) = &own.issuer
        && let Some(f) =
            ingest::check_self_revocation(store, recent, validator, &decoded, issuer).await?
    {
        findings.push(f);
    }
    if let Some(issuer) = &own.issuer
        && let Some(f) = ingest::check_revocation_target(store, recent, &decoded, issuer).await?
    {
        findings.push(f);
    }
    findings.extend(
        ingest::check_inputs(store, recent, validator, &decoded, own.issuer.as_ref()).await?,
    );
    let issuer = match (own.issuer, findings.is_empty()) {
        (Some(issuer), true) => issuer,
        _ => return Err(ApiError::rejected(findings)),
    };
    let encoded_len = bytes.len();
    let new = ingest::new_certificate(bytes, &decoded, &issuer);
    let revokes = new.revokes;
    let consumed: Vec<CertId> = new.inputs.iter().map(|i| i.certificate).collect();
    let logged = store
        .insert_logged(new)
        .await
        .map_err(|e| ApiError::from_insert(id, e))?;
    if logged.inserted == Inserted::Created {
        // Entries this insert makes stale; other instances notice through the store.
        if let Some(target) = revokes {
            state.cache().forget_containing(target);
        }
        for c in consumed {
            state.cache().forget(c);
        }
        // DEBUG, not INFO: one line per stored certificate is measurable at thousands
        // a second (docs/performance.md, "Durable ingest"); the access log and the
        // metrics count them.
        tracing::debug!(certificate = %id, kind = %decoded.payload.kind(), "stored");
    }
    // Stored now or before: kept for the certificates that will name it, with its issuer
    // (`check_own` validated exactly `validate(x5chain, [], issued_at)`).
    let kept = Recent::with_issuer(decoded, encoded_len, Some(issuer));
    recent.put(id, Arc::new(kept));
    Ok((logged, id))
}

//! Recently stored certificates in decoded form, for the checks of `POST /v1/certificates`
//! on the certificates a posted one names (its inputs and attestations, the target of a
//! revocation, the ancestors its species need): almost always they were posted to this
//! server moments before, so a hit spares a store read, the COSE and CBOR decoding and the
//! issuer-path look-up of each.
//!
//! A certificate's id is the SHA-256 of its immutable bytes, so an entry is never stale; and
//! certificates are never deleted, so an entry is put only once the store holds the
//! certificate — after the store answered `Created` or `AlreadyStored` for it, or from a
//! read of the store (`accept.rs` does the one, `ingest.rs` the other). A hit therefore
//! answers exactly what the read and the decoding would: the cache changes the cost of a
//! check, never its findings. A certificate whose stored bytes do not decode is not kept.
//!
//! Each entry keeps what the checks need of its validated issuer: the outcome of
//! `validate(x5chain, [], issued_at)`, which depends only on the bytes and the server's fixed
//! trust anchors. It is taken from the ingest of the certificate itself when that ran here,
//! else computed the first time a check needs it.
//!
//! The cache is bounded by weight ([`INGEST_CACHE_BYTES`](catchcert_model::limits::INGEST_CACHE_BYTES)):
//! each entry weighs twice its encoded size plus [`ENTRY_OVERHEAD`], about its decoded form
//! and issuer in memory. When full, it evicts by `quick_cache`'s CLOCK-PRO: new entries
//! leave in the order they came unless looked up meanwhile; those looked up again (an
//! attestation many certificates name) are kept in a part of their own. Its shards are
//! locked only to find or place an entry; the entries are shared (`Arc`) and read without
//! a lock.

use crate::error::ApiError;
use catchcert_model::{CertId, Payload};
use catchcert_verify::cose::{self, Sign1};
use catchcert_verify::path::ValidIssuer;
use quick_cache::sync::{Cache, DefaultLifecycle};
use quick_cache::{DefaultHashBuilder, OptionsBuilder, Weighter};
use std::sync::{Arc, OnceLock};

/// What an entry weighs beyond twice its encoded size: the decoded form's and the issuer's
/// own allocations (subject, roles, bindings, path).
pub const ENTRY_OVERHEAD: u64 = 1024;

/// The part of the weight for entries looked up again since they were put (attestations
/// that many certificates name, a lot split among many consumers); the rest holds the
/// newest entries, which are evicted first in the order they came unless looked up
/// (`quick_cache`'s default, 0.97, would leave a stream of certificates named once only 3 %).
const HOT_ALLOCATION: f64 = 0.5;

/// Independently locked parts of the cache (a power of two; fewer for a small cache).
const SHARDS: usize = 16;

/// A certificate that decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The COSE_Sign1 message.
    pub sign1: Sign1,
    /// Its payload.
    pub payload: Payload,
}

/// Decode a certificate: a tagged COSE_Sign1 in the catchcert profile with a valid payload
/// (400 when it is not).
pub fn decode(bytes: &[u8]) -> Result<Decoded, ApiError> {
    let (sign1, payload) = cose::decode_certificate(bytes)
        .map_err(|e| ApiError::MalformedCertificate(e.to_string()))?;
    Ok(Decoded { sign1, payload })
}

/// A stored certificate, decoded, with the outcome of its issuer-path validation once known.
#[derive(Debug)]
pub struct Recent {
    decoded: Decoded,
    /// Length of the encoded certificate, in bytes.
    encoded_len: usize,
    /// `validate(x5chain, [], issued_at)`: the issuer when the path is valid.
    issuer: OnceLock<Option<ValidIssuer>>,
}

impl Recent {
    /// A certificate read from the store (`encoded_len`: its length in bytes); its issuer
    /// is validated when first needed.
    pub fn new(decoded: Decoded, encoded_len: usize) -> Self {
        Recent {
            decoded,
            encoded_len,
            issuer: OnceLock::new(),
        }
    }

    /// A certificate with the outcome of `validate(x5chain, [], issued_at)` already at hand.
    pub fn with_issuer(decoded: Decoded, encoded_len: usize, issuer: Option<ValidIssuer>) -> Self {
        Recent {
            decoded,
            encoded_len,
            issuer: OnceLock::from(issuer),
        }
    }

    /// The decoded certificate.
    pub fn decoded(&self) -> &Decoded {
        &self.decoded
    }

    /// Its payload.
    pub fn payload(&self) -> &Payload {
        &self.decoded.payload
    }

    /// Its validated issuer (`None` when the path does not validate): kept, or computed by
    /// `validate` — which must be `validate(x5chain, [], issued_at)` of the server's
    /// validator — and kept.
    pub fn issuer(
        &self,
        validate: impl FnOnce(&Decoded) -> Option<ValidIssuer>,
    ) -> Option<&ValidIssuer> {
        self.issuer.get_or_init(|| validate(&self.decoded)).as_ref()
    }

    /// The weight of the entry.
    fn weight(&self) -> u64 {
        (self.encoded_len as u64)
            .saturating_mul(2)
            .saturating_add(ENTRY_OVERHEAD)
    }
}

#[derive(Debug, Clone)]
struct ByWeight;

impl Weighter<CertId, Arc<Recent>> for ByWeight {
    fn weight(&self, _: &CertId, r: &Arc<Recent>) -> u64 {
        r.weight()
    }
}

/// The bounded cache of recently stored certificates, by id. Shared by every request.
pub struct RecentCache {
    entries: Cache<CertId, Arc<Recent>, ByWeight>,
}

impl std::fmt::Debug for RecentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecentCache")
            .field("len", &self.entries.len())
            .field("weight", &self.entries.weight())
            .field("capacity", &self.entries.capacity())
            .finish()
    }
}

impl RecentCache {
    /// A cache of at most `max_weight` (see [`Recent`]'s weight: twice the encoded size
    /// plus [`ENTRY_OVERHEAD`] each).
    pub fn new(max_weight: u64) -> Self {
        // Each shard holds an equal part of the weight; a multiple of the (power-of-two)
        // shard count keeps their sum within `max_weight` however many shards `quick_cache`
        // keeps for a small cache.
        let weight = max_weight - max_weight % SHARDS as u64;
        // A typical certificate weighs a few KiB.
        let items = usize::try_from(weight / 4096).unwrap_or(usize::MAX).max(1);
        let options = OptionsBuilder::new()
            .shards(SHARDS)
            .hot_allocation(HOT_ALLOCATION)
            .estimated_items_capacity(items)
            .weight_capacity(weight)
            .build()
            .unwrap_or_else(|e| unreachable!("every option is set: {e}"));
        RecentCache {
            entries: Cache::with_options(
                options,
                ByWeight,
                DefaultHashBuilder::default(),
                DefaultLifecycle::default(),
            ),
        }
    }

    /// The stored certificate `id`, when kept.
    pub fn get(&self, id: &CertId) -> Option<Arc<Recent>> {
        self.entries.get(id)
    }

    /// Keep `r` as the certificate `id`. Only for a certificate the store holds: one it
    /// answered `Created` or `AlreadyStored` for, or one read from it (an entry is taken as
    /// proof that the certificate is stored).
    pub fn put(&self, id: CertId, r: Arc<Recent>) {
        self.entries.insert(id, r);
    }

    /// Whether `id` is kept.
    pub fn contains(&self, id: &CertId) -> bool {
        self.entries.contains_key(id)
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The weight of the entries kept.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }

    /// The most the entries may weigh.
    pub fn capacity(&self) -> u64 {
        self.entries.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use catchcert_testkit::certs::{self, Pki};

    fn entry(bytes: &[u8]) -> Arc<Recent> {
        Arc::new(Recent::new(decode(bytes).unwrap(), bytes.len()))
    }

    #[test]
    fn the_bound_holds_and_old_entries_are_evicted() {
        let pki = Pki::new();
        let bytes = certs::catch(&pki.vessel, "B-1", 10.0);
        let one = entry(&bytes).weight();
        assert_eq!(one, 2 * bytes.len() as u64 + ENTRY_OVERHEAD);
        let cache = RecentCache::new(64 * one);
        let ids: Vec<CertId> = (0u32..1000)
            .map(|i| CertId::of_cose(&i.to_be_bytes()))
            .collect();
        for (k, id) in ids.iter().enumerate() {
            cache.put(*id, entry(&bytes));
            // Each is named once, soon after it was stored.
            if k >= 8 {
                assert!(cache.get(&ids[k - 8]).is_some(), "{k}: {cache:?}");
            }
            assert!(cache.weight() <= cache.capacity());
            assert!(cache.capacity() <= 64 * one);
        }
        assert!(cache.len() as u64 <= 64, "{cache:?}");
        assert!(!cache.is_empty());
        // The newest are kept, the oldest are gone.
        assert!(ids[992..].iter().all(|i| cache.contains(i)), "{cache:?}");
        let old = ids[..500].iter().filter(|i| cache.contains(i)).count();
        assert_eq!(old, 0, "{old} of the 500 oldest still kept: {cache:?}");
    }

    #[test]
    fn an_entry_over_the_bound_is_not_kept() {
        let pki = Pki::new();
        let bytes = certs::catch(&pki.vessel, "B-2", 10.0);
        let cache = RecentCache::new(entry(&bytes).weight() - 1);
        let id = certs::id(&bytes);
        cache.put(id, entry(&bytes));
        assert!(!cache.contains(&id));
        assert!(cache.get(&id).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn the_issuer_is_validated_once() {
        let pki = Pki::new();
        let bytes = certs::catch(&pki.vessel, "B-3", 10.0);
        let r = entry(&bytes);
        let mut calls = 0;
        assert!(
            r.issuer(|_| {
                calls += 1;
                None
            })
            .is_none()
        );
        assert!(r.issuer(|_| unreachable!("kept")).is_none());
        assert_eq!(calls, 1);
    }
}

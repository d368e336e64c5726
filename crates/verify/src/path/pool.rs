//! The certificates a path is drawn from: the trust anchors, the validator's cache of
//! parsed certificates, the pre-loaded pool of intermediates indexed by subject name, and
//! the candidate issuers of one certificate.

use super::cert::Cert;
use super::search::Search;
use super::{CACHE_LIMIT, MAX_ANCHORS, MAX_POOL, PathError, PathValidator, certs_from_pem};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// The trusted roots: programme root certificates with Ed25519 keys.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    pub(super) certs: Vec<Arc<Cert>>,
}

impl TrustAnchors {
    /// Anchors from PEM text holding one or more CERTIFICATE blocks.
    pub fn from_pem(pem_text: &str) -> Result<Self, PathError> {
        Self::from_der(certs_from_pem(pem_text)?)
    }

    /// Anchors from DER certificates. Each must parse and carry an Ed25519 key; duplicates
    /// are dropped.
    pub fn from_der(certs: Vec<Vec<u8>>) -> Result<Self, PathError> {
        if certs.is_empty() {
            return Err(PathError::NoAnchors);
        }
        if certs.len() > MAX_ANCHORS {
            return Err(PathError::Malformed {
                cert: "trust anchors".into(),
                reason: format!(
                    "{} certificates, over the limit of {MAX_ANCHORS}",
                    certs.len()
                ),
            });
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for der in certs {
            let cert = Cert::parse(&der)?;
            cert.key()?;
            if seen.insert(cert.sha256) {
                out.push(Arc::new(cert));
            }
        }
        Ok(TrustAnchors { certs: out })
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are no anchors (never true for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Subjects of the anchors, in order.
    pub fn subjects(&self) -> Vec<String> {
        self.certs.iter().map(|c| c.subject.clone()).collect()
    }
}

impl PathValidator {
    /// Pre-load candidate intermediates (e.g. a bundle's issuer certificates) once for the
    /// whole run: each is parsed and hashed once and indexed by subject name, so a path
    /// search looks up the issuers of a certificate instead of scanning every candidate.
    /// Unlike the per-call `pool`, certificates that do not parse (or exceed the pool
    /// limit) are skipped, not errors: they are optional material, and a damaged extra
    /// certificate must not make every path fail. Returns how many were skipped.
    pub fn add_pool(&mut self, ders: &[Vec<u8>]) -> usize {
        let mut skipped = 0;
        for der in ders {
            if self.pool_seen.len() >= MAX_POOL {
                skipped += 1;
                continue;
            }
            match self.parse_cached(der) {
                Ok(c) => {
                    if self.pool_seen.insert(c.sha256) {
                        self.pool_index
                            .entry(c.subject_raw.clone())
                            .or_default()
                            .push(c);
                    }
                }
                Err(_) => skipped += 1,
            }
        }
        skipped
    }

    /// The parsed certificate of `der`, from the cache (parsed once per validator).
    pub(super) fn parse_cached(&mut self, der: &[u8]) -> Result<Arc<Cert>, PathError> {
        let h: [u8; 32] = Sha256::digest(der).into();
        self.parsed
            .entry(h)
            .or_insert_with(|| Cert::parse(der).map(Arc::new))
            .clone()
    }

    /// Empty the caches once they hold over [`CACHE_LIMIT`] entries.
    pub(super) fn bound_caches(&mut self) {
        if self.parsed.len() > CACHE_LIMIT
            || self.signatures.len() > CACHE_LIMIT
            || self.valid.len() > CACHE_LIMIT
        {
            self.parsed.clear();
            self.signatures.clear();
            self.seeded.clear();
            self.valid.clear();
        }
    }

    /// Whether `cert` is one of the trust anchors.
    pub(super) fn is_anchor(&self, cert: &Cert) -> bool {
        self.anchors.certs.iter().any(|a| a.sha256 == cert.sha256)
    }

    /// Candidate intermediates of one validation: the rest of the x5chain, then the
    /// per-call pool, without the anchors and the leaf. Every one must parse: a broken
    /// certificate is an error even if no path needs it.
    pub(super) fn candidates<'d>(
        &mut self,
        leaf: &Cert,
        ders: impl Iterator<Item = &'d Vec<u8>>,
    ) -> Result<Vec<Arc<Cert>>, PathError> {
        let mut seen: HashSet<[u8; 32]> = self.anchors.certs.iter().map(|a| a.sha256).collect();
        seen.insert(leaf.sha256);
        let mut candidates = Vec::new();
        for der in ders {
            let c = self.parse_cached(der)?;
            if seen.insert(c.sha256) {
                candidates.push(c);
            }
        }
        Ok(candidates)
    }

    /// The anchors whose subject is `child`'s issuer name.
    pub(super) fn anchors_for(&self, child: &Cert) -> Vec<Arc<Cert>> {
        self.anchors
            .certs
            .iter()
            .filter(|a| a.subject_raw == child.issuer_raw)
            .cloned()
            .collect()
    }

    /// The intermediates whose subject is `child`'s issuer name and that are not yet on
    /// `path`: the search's candidates first, then the pre-loaded pool (without anchors).
    pub(super) fn intermediates_for(
        &self,
        search: &Search<'_>,
        path: &[Arc<Cert>],
        child: &Cert,
    ) -> Vec<Arc<Cert>> {
        let mut candidates: Vec<Arc<Cert>> = search
            .candidates
            .iter()
            .filter(|c| c.subject_raw == child.issuer_raw)
            .filter(|c| !path.iter().any(|p| p.sha256 == c.sha256))
            .cloned()
            .collect();
        if let Some(pooled) = self.pool_index.get(&child.issuer_raw) {
            for c in pooled {
                let fresh = !path.iter().any(|p| p.sha256 == c.sha256)
                    && !candidates.iter().any(|x| x.sha256 == c.sha256)
                    && !self.is_anchor(c);
                if fresh {
                    candidates.push(c.clone());
                }
            }
        }
        candidates
    }
}

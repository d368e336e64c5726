//! The ranked, budgeted depth-first search for a path from a leaf to a trust anchor, and
//! the rules checked on the way (rules 2–12 of the [module documentation](super)).

use super::cert::Cert;
use super::{
    BUILD_BUDGET, MAX_CHAIN, MAX_DEPTH, MAX_POOL, PathError, PathValidator, SIGNATURE_BUDGET,
    ValidIssuer,
};
use crate::signature;
use catchcert_model::bindings_ext::{self, Bindings, BindingsExt, Restriction};
use catchcert_model::kind::Role;
use catchcert_model::timestamp::Timestamp;
use std::sync::Arc;

/// What the leaf must be allowed to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LeafUse {
    /// Sign catchcert certificates: digitalSignature.
    Signer,
    /// Any certificate of the PKI: keyCertSign for a CA, digitalSignature otherwise.
    Any,
}

/// One validation's candidates, time and budgets.
pub(super) struct Search<'a> {
    pub(super) candidates: &'a [Arc<Cert>],
    at: Timestamp,
    signatures_left: u32,
    steps_left: u32,
}

/// A path, or a fatal error that ends the search; `Ok(None)` lets it go on.
type Found = Result<Option<Vec<Arc<Cert>>>, PathError>;

impl PathValidator {
    /// Validate, through the cache of valid paths for a signer's x5chain without a per-call
    /// pool (the verifier's case: thousands of certificates carry the same few chains).
    pub(super) fn run(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
        leaf_use: LeafUse,
        key: Option<[u8; 32]>,
    ) -> Result<ValidIssuer, PathError> {
        if !pool.is_empty() || leaf_use != LeafUse::Signer {
            return self.search_path(chain, pool, at, leaf_use);
        }
        let key = key.unwrap_or_else(|| chain_key(chain));
        if let Some(hit) = self
            .valid
            .get(&key)
            .and_then(|w| w.iter().find(|w| w.holds(at)))
        {
            return Ok(hit.issuer.clone());
        }
        let found = self.search_path(chain, pool, at, leaf_use)?;
        let window = self.window(chain, at);
        let windows = self.valid.entry(key).or_default();
        if windows.len() < MAX_WINDOWS {
            windows.push(ValidWindow {
                window,
                issuer: found.clone(),
            });
        }
        Ok(found)
    }

    /// Where `at` falls among the validity bounds of every certificate a path for `chain`
    /// may use (its own certificates, the pool, the anchors): any time in the same place
    /// makes every comparison of rule 10 come out the same, so the search finds the same
    /// path.
    fn window(&mut self, chain: &[Vec<u8>], at: Timestamp) -> Window {
        let mut certs: Vec<Arc<Cert>> = chain
            .iter()
            .filter_map(|der| self.parse_cached(der).ok())
            .collect();
        certs.extend(self.anchors.certs.iter().cloned());
        certs.extend(self.pool_index.values().flatten().cloned());
        let mut w = Window::default();
        for c in &certs {
            // `at < not_before` must keep its answer ...
            if c.not_before <= at {
                w.from = w.from.max(Some(c.not_before));
            } else {
                w.before = Some(w.before.map_or(c.not_before, |b| b.min(c.not_before)));
            }
            // ... and so must `at > not_after`.
            if c.not_after < at {
                w.after = w.after.max(Some(c.not_after));
            } else {
                w.until = Some(w.until.map_or(c.not_after, |u| u.min(c.not_after)));
            }
        }
        w
    }

    /// The uncached validation.
    fn search_path(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
        leaf_use: LeafUse,
    ) -> Result<ValidIssuer, PathError> {
        let leaf_der = check_sizes(chain, pool)?;
        self.bound_caches();
        let leaf = self.parse_cached(leaf_der)?;
        leaf_checks(&leaf, leaf_use)?;

        // A leaf that is itself an anchor: the path is that one certificate.
        let path = if self.is_anchor(&leaf) {
            let path = vec![leaf.clone()];
            check_path(&path, at)?;
            path
        } else {
            let candidates = self.candidates(&leaf, chain[1..].iter().chain(pool))?;
            let mut search = Search {
                candidates: &candidates,
                at,
                signatures_left: SIGNATURE_BUDGET,
                steps_left: BUILD_BUDGET,
            };
            let mut path = vec![leaf.clone()];
            self.extend(&mut search, &mut path)?
        };
        self.valid_issuer(&leaf, &path)
    }

    /// The result of a validation whose `path` (leaf first, anchor last) holds.
    fn valid_issuer(&self, leaf: &Cert, path: &[Arc<Cert>]) -> Result<ValidIssuer, PathError> {
        Ok(ValidIssuer {
            screened_key: Default::default(),
            key: leaf.key()?,
            subject: leaf.subject.clone(),
            roles: leaf.roles.clone().unwrap_or_default(),
            bindings: Bindings::effective(leaf.bindings.as_ref(), &leaf.orgs),
            leaf_sha256: leaf.sha256,
            not_before: leaf.not_before,
            not_after: leaf.not_after,
            is_ca: leaf.ca.is_some(),
            path: path.iter().map(|c| c.subject.clone()).collect(),
            leaf_signature: path
                .get(1)
                .and_then(|issuer| self.signatures.get(&(leaf.sha256, issuer.sha256)))
                .copied()
                .flatten(),
        })
    }

    /// Depth-first search for an issuer of `path.last()`. Returns the full path (leaf
    /// first, anchor last) or the most specific failure.
    fn extend(
        &mut self,
        search: &mut Search<'_>,
        path: &mut Vec<Arc<Cert>>,
    ) -> Result<Vec<Arc<Cert>>, PathError> {
        search.steps_left = search
            .steps_left
            .checked_sub(1)
            .ok_or(PathError::TooComplex("too many path-building steps"))?;
        let Some(child) = path.last().cloned() else {
            return Err(PathError::TooComplex("empty path"));
        };
        let mut best: Option<PathError> = None;
        if let Some(full) = self.try_anchors(search, path, &child, &mut best)? {
            return Ok(full);
        }
        let candidates = self.intermediates_for(search, path, &child);
        if !candidates.is_empty() && path.len() + 2 > MAX_DEPTH {
            note(&mut best, PathError::TooDeep { limit: MAX_DEPTH });
        } else if let Some(full) =
            self.try_intermediates(search, path, &child, candidates, &mut best)?
        {
            return Ok(full);
        }
        Err(best.unwrap_or_else(|| PathError::UnknownIssuer {
            subject: child.subject.clone(),
            issuer: child.issuer.clone(),
        }))
    }

    /// The anchors that may have issued `child`, the last certificate of `path`: the
    /// first that completes a valid path, or the failures noted in `best`.
    fn try_anchors(
        &mut self,
        search: &mut Search<'_>,
        path: &[Arc<Cert>],
        child: &Cert,
        best: &mut Option<PathError>,
    ) -> Found {
        let below = path.len() - 1;
        for anchor in self.anchors_for(child) {
            match self.check_issuer(search, child, &anchor, below) {
                Ok(()) => {
                    let mut full = path.to_vec();
                    full.push(anchor);
                    match check_path(&full, search.at) {
                        Ok(()) => return Ok(Some(full)),
                        Err(e) => note(best, e),
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => note(best, e),
            }
        }
        Ok(None)
    }

    /// The intermediates that may have issued `child`, the last certificate of `path`,
    /// each extended in turn: the first full path, or the failures noted in `best`.
    fn try_intermediates(
        &mut self,
        search: &mut Search<'_>,
        path: &mut Vec<Arc<Cert>>,
        child: &Cert,
        candidates: Vec<Arc<Cert>>,
        best: &mut Option<PathError>,
    ) -> Found {
        let below = path.len() - 1;
        for cand in candidates {
            match self.check_issuer(search, child, &cand, below) {
                Ok(()) => {
                    path.push(cand);
                    let r = self.extend(search, path);
                    path.pop();
                    match r {
                        Ok(full) => return Ok(Some(full)),
                        Err(e) if e.is_fatal() => return Err(e),
                        Err(e) => note(best, e),
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => note(best, e),
            }
        }
        Ok(None)
    }

    /// Rules 6–9: may `issuer` have issued `child`, with `below` intermediates under it?
    fn check_issuer(
        &mut self,
        search: &mut Search<'_>,
        child: &Cert,
        issuer: &Cert,
        below: usize,
    ) -> Result<(), PathError> {
        let key = issuer.key()?;
        if let Some(oid) = &issuer.unknown_critical {
            return Err(PathError::UnknownCriticalExtension {
                subject: issuer.subject.clone(),
                oid: oid.clone(),
            });
        }
        let Some(path_len) = issuer.ca else {
            return Err(PathError::NotACa {
                subject: issuer.subject.clone(),
                child: child.subject.clone(),
            });
        };
        if !issuer.key_usage.is_some_and(|ku| ku.key_cert_sign) {
            return Err(PathError::KeyUsage {
                subject: issuer.subject.clone(),
                needed: "keyCertSign",
            });
        }
        if let Some(n) = path_len
            && usize::try_from(n).is_ok_and(|n| below > n)
        {
            return Err(PathError::PathLenExceeded {
                subject: issuer.subject.clone(),
                path_len: n,
                below,
            });
        }
        let pair = (child.sha256, issuer.sha256);
        let cached = self.signatures.get(&pair).copied();
        let ok = match cached {
            Some(ok) if !self.seeded.contains(&pair) => ok,
            _ => {
                // A check, or an outcome checked ahead and read for the first time: it
                // costs the budget the same (`ahead.rs`).
                search.signatures_left = search
                    .signatures_left
                    .checked_sub(1)
                    .ok_or(PathError::TooComplex("too many signature checks"))?;
                match cached {
                    Some(ok) => {
                        self.seeded.remove(&pair);
                        ok
                    }
                    None => {
                        let ok =
                            signature::verify_with_key(&key, &child.tbs, &child.signature).ok();
                        self.signatures.insert(pair, ok);
                        ok
                    }
                }
            }
        };
        if ok.is_some() {
            Ok(())
        } else {
            Err(PathError::BadSignature {
                subject: child.subject.clone(),
                issuer: issuer.subject.clone(),
            })
        }
    }
}

/// Rules 2–4 for the leaf.
fn leaf_checks(leaf: &Cert, leaf_use: LeafUse) -> Result<(), PathError> {
    leaf.key()?;
    if let Some(oid) = &leaf.unknown_critical {
        return Err(PathError::UnknownCriticalExtension {
            subject: leaf.subject.clone(),
            oid: oid.clone(),
        });
    }
    let ku = leaf.key_usage.unwrap_or_default();
    let (ok, needed) = match (leaf_use, leaf.ca.is_some()) {
        (LeafUse::Any, true) => (ku.key_cert_sign, "keyCertSign"),
        _ => (ku.digital_signature, "digitalSignature"),
    };
    if ok {
        Ok(())
    } else {
        Err(PathError::KeyUsage {
            subject: leaf.subject.clone(),
            needed,
        })
    }
}

/// The leaf of `chain`, once the x5chain and the pool are within their limits.
fn check_sizes<'c>(chain: &'c [Vec<u8>], pool: &[Vec<u8>]) -> Result<&'c [u8], PathError> {
    let Some(leaf_der) = chain.first() else {
        return Err(PathError::Malformed {
            cert: "x5chain".into(),
            reason: "empty: no leaf certificate".into(),
        });
    };
    if chain.len() > MAX_CHAIN {
        return Err(PathError::Malformed {
            cert: "x5chain".into(),
            reason: format!(
                "{} certificates, over the limit of {MAX_CHAIN}",
                chain.len()
            ),
        });
    }
    if pool.len() > MAX_POOL {
        return Err(PathError::Malformed {
            cert: "intermediates".into(),
            reason: format!(
                "{} certificates, over the limit ISSUER_POOL of {MAX_POOL}",
                pool.len()
            ),
        });
    }
    Ok(leaf_der)
}

/// Keep the more specific of two failures (the first on a tie).
/// Valid paths kept per x5chain (one per distinct window of validity times).
const MAX_WINDOWS: usize = 8;

/// The cache key of an x5chain: SHA-256 over each certificate's length and bytes.
pub(crate) fn chain_key(chain: &[Vec<u8>]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for der in chain {
        h.update((der.len() as u64).to_be_bytes());
        h.update(der);
    }
    h.finalize().into()
}

/// The times at which every validity comparison comes out as at the time a path was
/// found: `from ≤ t < before` and `after < t ≤ until` (a missing bound does not limit).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Window {
    from: Option<Timestamp>,
    before: Option<Timestamp>,
    after: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// A valid issuer found for an x5chain, and the window of times it holds for.
#[derive(Clone, Debug)]
pub(super) struct ValidWindow {
    window: Window,
    issuer: ValidIssuer,
}

impl ValidWindow {
    fn holds(&self, t: Timestamp) -> bool {
        let w = &self.window;
        w.from.is_none_or(|f| f <= t)
            && w.before.is_none_or(|b| t < b)
            && w.after.is_none_or(|a| a < t)
            && w.until.is_none_or(|u| t <= u)
    }
}

fn note(best: &mut Option<PathError>, e: PathError) {
    if best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
        *best = Some(e);
    }
}

/// Rules 11–12 over a complete path (leaf first, anchor last).
fn check_path(path: &[Arc<Cert>], at: Timestamp) -> Result<(), PathError> {
    let mut allowed: Option<&[Role]> = None;
    for cert in path.iter().rev() {
        if let Some(roles) = &cert.roles {
            if let Some(allowed) = allowed
                && let Some(role) = roles.iter().find(|r| !allowed.contains(r))
            {
                return Err(PathError::RoleWidening {
                    subject: cert.subject.clone(),
                    role: *role,
                });
            }
            allowed = Some(roles);
        }
    }
    let none = BindingsExt::default();
    let mut restriction = Restriction::default();
    for (i, cert) in path.iter().enumerate().rev() {
        let own = cert.bindings.as_ref().unwrap_or(&none);
        let orgs: &[String] = if i == 0 || own.parties.is_some() {
            &cert.orgs
        } else {
            &[]
        };
        if let Some((list, value)) = bindings_ext::first_widening(&restriction, own, orgs) {
            return Err(PathError::BindingsWidening {
                subject: cert.subject.clone(),
                list,
                value: value.to_string(),
            });
        }
        restriction.narrow(own, &cert.orgs);
    }
    for cert in path {
        if at < cert.not_before {
            return Err(PathError::NotYetValid {
                subject: cert.subject.clone(),
                not_before: cert.not_before,
                at,
            });
        }
        if at > cert.not_after {
            return Err(PathError::Expired {
                subject: cert.subject.clone(),
                not_after: cert.not_after,
                at,
            });
        }
    }
    Ok(())
}

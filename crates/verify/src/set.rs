//! Stage 1, decode: the input set as read-only data. Each message is decoded once;
//! certificates issued after the verification time are set aside, and the set indexes
//! who consumes each lot and which revocations name each certificate.

use crate::cose::{self, Sign1};
use crate::kinds::{Absence, FindingKind};
use crate::limits::VerifyLimits;
use crate::par;
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Grams, Payload, Timestamp};
use std::collections::{HashMap, HashSet};

/// One message of an input set: its id (SHA-256) and the message decoded, or why not.
pub(crate) type Decoded = (CertId, Result<(Sign1, Payload), cose::CertificateError>);

#[cfg(test)]
thread_local! {
    /// How many messages [`decode_each`] decoded on this thread (the tests' counting hook).
    pub(crate) static DECODED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Hash (the id) and decode each message once, in input order, on several threads from
/// `limits.parallel_from` messages: the one place the messages of a set are decoded.
pub(crate) fn decode_each(certificates: &[Vec<u8>], limits: &VerifyLimits) -> Vec<Decoded> {
    par::map(certificates, limits.parallel_from, |bytes| {
        #[cfg(test)]
        DECODED.with(|n| n.set(n.get() + 1));
        let id = CertId::of_cose(bytes);
        (id, cose::decode_certificate_as(bytes, id))
    })
}

/// A decoded certificate of the input set.
pub(crate) struct Entry {
    pub(crate) sign1: Sign1,
    pub(crate) payload: Payload,
}

/// The decoded input set, read-only once built.
pub(crate) struct Set {
    /// The verification time.
    pub(crate) at: Timestamp,
    /// Decoded, in-scope certificates by id.
    pub(crate) entries: HashMap<CertId, Entry>,
    /// Messages that did not decode, with the reason.
    pub(crate) broken: HashMap<CertId, String>,
    /// Certificates left out because they were issued after `at`.
    pub(crate) later: HashSet<CertId>,
    /// Revocations effective by `at`, by revoked id.
    pub(crate) revocations: HashMap<CertId, Vec<CertId>>,
    /// Consumers of each (certificate, lot): (consumer, quantity).
    pub(crate) consumers: HashMap<(CertId, String), Vec<(CertId, Grams)>>,
    /// The limit finding when the set held more certificates than allowed.
    pub(crate) over_limit: Option<FindingKind>,
    /// The watch lists given beside the set, in order (decoded into `entries` when they
    /// are watch lists, into `broken` or `later` otherwise).
    pub(crate) watchlists: Vec<CertId>,
}

impl Set {
    /// Decode at most `limits.max_certificates` messages, as of `at`: each message is
    /// hashed (its id) and decoded once, on several threads for large sets; the set is
    /// then built in input order.
    pub(crate) fn decode(certificates: &[Vec<u8>], at: Timestamp, limits: &VerifyLimits) -> Set {
        let taken = &certificates[..certificates.len().min(limits.max_certificates)];
        Set::from_decoded(certificates.len(), decode_each(taken, limits), at, limits)
    }

    /// The set of `count` messages already decoded by [`decode_each`], in input order, as of
    /// `at`: only the first `limits.max_certificates` are taken.
    pub(crate) fn from_decoded(
        count: usize,
        decoded: impl IntoIterator<Item = Decoded>,
        at: Timestamp,
        limits: &VerifyLimits,
    ) -> Set {
        let max_certificates = limits.max_certificates;
        let mut set = Set {
            at,
            entries: HashMap::new(),
            broken: HashMap::new(),
            later: HashSet::new(),
            revocations: HashMap::new(),
            consumers: HashMap::new(),
            watchlists: Vec::new(),
            over_limit: (count > max_certificates).then_some(FindingKind::TooManyCertificates {
                count,
                limit: max_certificates,
            }),
        };
        // Room for every message up front: entries are large, and growing the table would
        // move each of them again.
        let room = count.min(max_certificates);
        set.entries.reserve(room);
        set.consumers.reserve(room);
        for (id, d) in decoded.into_iter().take(max_certificates) {
            set.insert(id, d);
        }
        set
    }

    /// Add the watch lists given beside the set. A message that is not a watch list is
    /// kept out of the set's entries (it must not take part in the graph) and recorded as
    /// broken.
    pub(crate) fn add_watchlists(&mut self, lists: &[Vec<u8>]) {
        for bytes in lists {
            let id = CertId::of_cose(bytes);
            self.watchlists.push(id);
            if self.contains(&id) || self.later.contains(&id) {
                continue;
            }
            match cose::decode_certificate(bytes) {
                Ok((_, p)) if p.watchlist().is_none() => {
                    self.broken
                        .insert(id, format!("a {} is not a watch list", p.kind()));
                }
                _ => self.add(bytes),
            }
        }
    }

    fn add(&mut self, bytes: &[u8]) {
        let id = CertId::of_cose(bytes);
        if !self.contains(&id) {
            self.insert(id, cose::decode_certificate_as(bytes, id));
        }
    }

    /// Add the message `id`, decoded (or not) as `decoded`; a repeated id is ignored.
    fn insert(&mut self, id: CertId, decoded: Result<(Sign1, Payload), cose::CertificateError>) {
        if self.contains(&id) || self.later.contains(&id) {
            return;
        }
        let (sign1, payload) = match decoded {
            Ok(d) => d,
            Err(e) => {
                self.broken.insert(id, e.to_string());
                return;
            }
        };
        if payload.issued_at() > self.at {
            self.later.insert(id);
            return;
        }
        if let Details::Revocation(r) = &payload.details()
            && payload.time() <= self.at
        {
            self.revocations.entry(r.certificate).or_default().push(id);
        }
        for i in payload.inputs() {
            self.consumers
                .entry((i.certificate, i.lot.clone()))
                .or_default()
                .push((id, i.quantity));
        }
        self.entries.insert(id, Entry { sign1, payload });
    }

    /// Whether the id is in scope, decoded or not.
    pub(crate) fn contains(&self, id: &CertId) -> bool {
        self.entries.contains_key(id) || self.broken.contains_key(id)
    }

    /// The payload of an in-scope, decoded certificate.
    pub(crate) fn payload(&self, id: &CertId) -> Option<&Payload> {
        self.entries.get(id).map(|e| &e.payload)
    }

    /// Why the certificate `id` named as the source of `lot` is not among the decoded
    /// entries. `by_lot` is built on first use: which certificates output each lot.
    pub(crate) fn absence(
        &self,
        id: &CertId,
        lot: &str,
        by_lot: &mut Option<HashMap<String, Vec<CertId>>>,
    ) -> Absence {
        if self.later.contains(id) {
            return Absence::IssuedLater;
        }
        if self.broken.contains_key(id) {
            return Absence::Broken;
        }
        let index = by_lot.get_or_insert_with(|| {
            let mut m: HashMap<String, Vec<CertId>> = HashMap::new();
            for (cid, e) in &self.entries {
                for o in e.payload.outputs() {
                    m.entry(o.lot.clone()).or_default().push(*cid);
                }
            }
            m
        });
        let mut others = index.get(lot).cloned().unwrap_or_default();
        others.sort();
        Absence::NotPresent {
            lot: lot.to_string(),
            others,
        }
    }

    /// A named attestation that is not among the decoded entries, with why.
    pub(crate) fn describe_absent(&self, id: &CertId) -> String {
        if self.later.contains(id) {
            format!("{id} (issued after the verification time)")
        } else if self.broken.contains_key(id) {
            format!("{id} (not a valid certificate)")
        } else {
            id.to_string()
        }
    }
}

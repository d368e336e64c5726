//! Verdict cache for `GET /v1/lots/{lot}/verification`.
//!
//! Certificates are immutable and content-addressed, so the verdict of a lot's holder can
//! only change when
//!
//! 1. the lot gets a new holder (a new consumer of the lot): the holder is looked up on
//!    every request and is the cache key, so a new holder is simply a different entry;
//! 2. a revocation of a certificate of the holder's graph is stored;
//! 3. an attestation that a certificate of the graph names, and that was not stored, is
//!    stored;
//! 4. an attestation of a vessel or facility of the graph that covers a member's times is
//!    stored (every stored attestation counts, named or not: contract §4);
//! 5. a watch list is stored that lists something the graph names while it is listed
//!    (the entry keeps what its members name, [`Entry::names`], and the lists it was
//!    screened against; a new list that lists none of it leaves the verdict as it is);
//! 6. time passes a revocation's effective `time` or a certificate's `issued_at` that was
//!    still in the future when the verdict was computed (verification ignores both until
//!    then).
//!
//! An entry therefore records the graph's members, the revocations among them, the named
//! attestations that were absent and the first such future time. A look-up is a hit only
//! if the time has not been reached and the database (not this process: several instances
//! may share one database) reports exactly the same revocations of the members and still
//! none of the absent attestations. That costs one or two indexed queries instead of
//! reading every certificate of the graph and checking every signature.
//!
//! Inserts through this instance also drop the entries they make stale at once (a
//! revocation drops every entry whose graph holds its target; a consumer drops the entry
//! of the certificate whose lot it consumes), which keeps the cache small.

use catchcert_model::payload::Details;
use catchcert_model::payload::Scheme;
use catchcert_model::{CertId, Timestamp};
use catchcert_store::Revocation;
use catchcert_verify::cose;
use catchcert_verify::findings::Verdict;
use catchcert_verify::watchlist::{self, Named, WatchIndex};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// Most entries kept; when full, the cache is emptied (entries are cheap to rebuild).
pub const DEFAULT_CAPACITY: usize = 4096;

/// What a cached verdict depends on.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The verdict of the holder.
    pub verdict: Verdict,
    /// Every certificate of the holder's graph (the store's closure).
    pub members: Vec<CertId>,
    /// The revocations among the members.
    pub revocations: BTreeSet<CertId>,
    /// Attestations named by members that were not stored.
    pub absent_attestations: Vec<CertId>,
    /// The first `issued_at` or revocation `time` of a member after the verification time:
    /// from then on the verdict may differ.
    pub valid_until: Option<Timestamp>,
    /// The stored attestations covering what members need attested (named or not), as the
    /// verdict saw them; a newly stored one makes the entry stale ([`Entry::same_evidence`]).
    pub covering: BTreeSet<CertId>,
    /// The stored watch lists the verdict was screened against.
    pub lists: BTreeSet<CertId>,
    /// What the members name that a watch list can list (contract §4 "Watch lists"), with
    /// the period: a new list that lists none of it cannot change the verdict.
    pub names: Vec<Named>,
}

impl Entry {
    /// Describe the graph `closure` (id, bytes) whose verdict, computed at `at`, is
    /// `verdict`.
    pub fn new(verdict: Verdict, closure: &[(CertId, Vec<u8>)], at: Timestamp) -> Entry {
        let members: Vec<CertId> = closure.iter().map(|(id, _)| *id).collect();
        let member_set: HashSet<CertId> = members.iter().copied().collect();
        let mut revocations = BTreeSet::new();
        let mut named = BTreeSet::new();
        let mut names = Vec::new();
        let mut valid_until: Option<Timestamp> = None;
        let mut later = |t: Timestamp| {
            if t > at {
                valid_until = Some(valid_until.map_or(t, |u| u.min(t)));
            }
        };
        for (id, bytes) in closure {
            let Ok((_, p)) = cose::decode_certificate(bytes) else {
                continue;
            };
            later(p.issued_at());
            if let Details::Revocation(r) = p.details() {
                later(p.time());
                if member_set.contains(&r.certificate) {
                    revocations.insert(*id);
                }
            }
            named.extend(p.attestations().iter().copied());
            names.extend(watchlist::named_by(&p));
            if let Details::CrewAttestation(a) = p.details() {
                names.push(Named {
                    scheme: Scheme::Flag,
                    value: a.vessel.flag.clone(),
                    from: a.valid_from,
                    until: a.valid_until,
                });
            }
        }
        names.sort();
        names.dedup();
        let absent_attestations = named
            .into_iter()
            .filter(|a| !member_set.contains(a))
            .collect();
        Entry {
            verdict,
            members,
            revocations,
            absent_attestations,
            valid_until,
            covering: BTreeSet::new(),
            lists: BTreeSet::new(),
            names,
        }
    }

    /// Record the stored watch lists the verdict was screened against.
    pub fn with_lists(mut self, lists: &[CertId]) -> Entry {
        self.lists = lists.iter().copied().collect();
        self
    }

    /// The stored lists the verdict was not screened against (`stored`: every stored list).
    pub fn new_lists(&self, stored: &[CertId]) -> Vec<CertId> {
        stored
            .iter()
            .filter(|l| !self.lists.contains(l))
            .copied()
            .collect()
    }

    /// Whether any of the watch lists `lists` (stored, so verified on ingest) lists
    /// something the members name while it is listed.
    pub fn listed_by(&self, lists: &[(CertId, Vec<u8>)]) -> bool {
        let mut index = WatchIndex::new();
        for (id, bytes) in lists {
            if let Ok((_, p)) = cose::decode_certificate(bytes)
                && let Some(w) = p.watchlist()
            {
                index.add(*id, w);
            }
        }
        self.names
            .iter()
            .any(|n| !index.hits(n.scheme, &n.value, n.from, n.until).is_empty())
    }

    /// Record which of the store's covering attestations of the members (contract §4,
    /// every stored attestation counts) the verdict saw: those among the members.
    pub fn with_covering(mut self, stored: &[CertId]) -> Entry {
        let members: HashSet<CertId> = self.members.iter().copied().collect();
        self.covering = stored
            .iter()
            .copied()
            .filter(|a| members.contains(a))
            .collect();
        self
    }

    /// Whether the store's covering attestations of the members are those the verdict saw.
    pub fn same_evidence(&self, stored: &[CertId]) -> bool {
        stored.iter().copied().collect::<BTreeSet<_>>() == self.covering
    }

    /// Whether the entry still holds at `now`, given the stored revocations of its members.
    pub fn holds(&self, now: Timestamp, stored_revocations: &[Revocation]) -> bool {
        if self.valid_until.is_some_and(|t| now >= t) {
            return false;
        }
        let stored: BTreeSet<CertId> = stored_revocations.iter().map(|r| r.revocation).collect();
        stored == self.revocations
    }
}

/// The cache: holder id → entry.
#[derive(Debug)]
pub struct VerdictCache {
    entries: Mutex<HashMap<CertId, Arc<Entry>>>,
    capacity: usize,
}

impl Default for VerdictCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl VerdictCache {
    /// An empty cache of at most `capacity` entries (0 disables caching).
    pub fn new(capacity: usize) -> Self {
        VerdictCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<CertId, Arc<Entry>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry of `holder`, if any.
    pub fn get(&self, holder: CertId) -> Option<Arc<Entry>> {
        self.lock().get(&holder).cloned()
    }

    /// Remember the entry of `holder`.
    pub fn put(&self, holder: CertId, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        let mut m = self.lock();
        if m.len() >= self.capacity && !m.contains_key(&holder) {
            m.clear();
        }
        m.insert(holder, Arc::new(entry));
    }

    /// Drop the entry of `holder`.
    pub fn forget(&self, holder: CertId) {
        self.lock().remove(&holder);
    }

    /// Drop every entry whose graph holds `id` (a revocation of `id` was stored).
    pub fn forget_containing(&self, id: CertId) {
        self.lock().retain(|_, e| !e.members.contains(&id));
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use catchcert_verify::findings::{Integrity, Risk};

    fn verdict(head: CertId) -> Verdict {
        Verdict {
            head,
            lots: vec![],
            integrity: Integrity::Valid,
            risk: Risk::Low,
            certificates: 1,
            findings: vec![],
            nodes: vec![],
        }
    }

    fn entry(members: &[CertId], revs: &[CertId], until: Option<i64>) -> Entry {
        Entry {
            verdict: verdict(members[0]),
            members: members.to_vec(),
            revocations: revs.iter().copied().collect(),
            absent_attestations: vec![],
            valid_until: until.map(Timestamp),
            covering: Default::default(),
            lists: Default::default(),
            names: Default::default(),
        }
    }

    #[test]
    fn a_new_covering_attestation_makes_the_entry_stale() {
        let (a, x, y) = (
            CertId::of_cose(b"a"),
            CertId::of_cose(b"x"),
            CertId::of_cose(b"y"),
        );
        // x was in the graph when the verdict was made; y was not
        let e = entry(&[a, x], &[], None).with_covering(&[x, y]);
        assert!(e.same_evidence(&[x]));
        assert!(!e.same_evidence(&[x, y]));
    }

    #[test]
    fn holds_until_a_new_revocation_or_the_time_passes() {
        let a = CertId::of_cose(b"a");
        let r = CertId::of_cose(b"r");
        let e = entry(&[a], &[], Some(100));
        assert!(e.holds(Timestamp(99), &[]));
        assert!(!e.holds(Timestamp(100), &[]), "time reached");
        let rev = Revocation {
            target: a,
            revocation: r,
            time: Timestamp(5),
        };
        assert!(!e.holds(Timestamp(50), &[rev]), "new revocation");
        let e = entry(&[a, r], &[r], None);
        assert!(e.holds(Timestamp(i64::MAX), &[rev]));
    }

    #[test]
    fn forgetting_by_member_and_capacity() {
        let (a, b, c) = (
            CertId::of_cose(b"a"),
            CertId::of_cose(b"b"),
            CertId::of_cose(b"c"),
        );
        let cache = VerdictCache::new(2);
        cache.put(a, entry(&[a, c], &[], None));
        cache.put(b, entry(&[b], &[], None));
        assert_eq!(cache.len(), 2);
        cache.forget_containing(c);
        assert!(cache.get(a).is_none() && cache.get(b).is_some());
        cache.put(a, entry(&[a], &[], None));
        cache.put(c, entry(&[c], &[], None)); // full: emptied first
        assert_eq!(cache.len(), 1);
        assert!(cache.get(c).is_some());
        let off = VerdictCache::new(0);
        off.put(a, entry(&[a], &[], None));
        assert!(off.is_empty());
    }
}

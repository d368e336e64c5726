//! Verdict cache for `GET /v1/lots/{lot}/verification` and the lot page.
//!
//! Certificates are immutable and content-addressed, so a cached verdict can only change
//! when a new certificate is stored or when time passes. The store journals every stored
//! certificate with a dense generation number in commit order (migration 0005,
//! [`Store::generation`](catchcert_store::Store::generation)); the cache records the
//! generation it reflects. A request
//!
//! 1. reads the store's generation ([`GenerationGate`]: one small indexed read, shared by
//!    every request that arrived before it began, so it always sees a write answered before
//!    the request arrived, through this instance or any other on the same database);
//! 2. if it is newer than the cache's, reads the journal rows in between (once, for all
//!    requests) and drops exactly the entries they can change ([`Keys`]);
//! 3. answers from the entry of the lot when it is kept and has not expired: a few hash
//!    look-ups, whatever the size of the graph.
//!
//! A new certificate `n` can change the verdict of a holder `h` (or who holds a lot) only
//! if
//!
//! - `n` outputs or consumes the lot: the lot's holder is looked up again;
//! - `n` revokes a member of `h`'s graph or one of the watch lists it was screened against;
//! - `n` consumes a lot of a member (a new consumer: dropped although only the lot's holder
//!   changes, which keeps the rule simple);
//! - `n` is an attestation that a member names and that was not stored;
//! - `n` is an attestation of a vessel or facility that a member needs attested (every
//!   stored attestation counts, named or not: contract §4);
//! - `n` is a watch list that lists something the graph names while it is listed
//!   (contract §4 "Watch lists"); one that lists none of it leaves the verdict as it is.
//!
//! Time changes a verdict only at instants the graph names: a member's `issued_at` or a
//! revocation's `time` after the verification time (verification ignores them until then),
//! an issuer certificate's notBefore and notAfter, a watch list's `issued_at`, and (to be
//! safe) an attestation's `valid_until`. Each entry keeps the first such instant after the
//! time it was computed ([`Entry::expires`]) and is not used from then on.
//!
//! A verdict computed while other certificates arrive is checked, when it is put, against
//! the journal rows processed since the generation it was computed at
//! ([`VerdictCache::put`]); if those are no longer at hand it is not kept.

use axum::body::Bytes;
use axum::http::HeaderValue;
use catchcert_model::payload::{Details, Scheme};
use catchcert_model::{CertId, Timestamp};
use catchcert_store::Change;
use catchcert_verify::cose;
use catchcert_verify::findings::Verdict;
use catchcert_verify::watchlist::{self, Named, WatchIndex};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Most entries kept; when full, the cache is emptied (entries are cheap to rebuild).
pub const DEFAULT_CAPACITY: usize = 4096;
/// Most processed journal rows remembered for verdicts computed while they arrived.
pub const RECENT_CHANGES: usize = 4096;

/// What a cached verdict depends on, and what a new certificate touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dep {
    /// A certificate: a member of the graph, a watch list it was screened against or an
    /// attestation a member names that was not stored.
    Cert(CertId),
    /// A vessel or facility (scheme `vessel` or `facility`, subject) that members need
    /// attested.
    Subject(&'static str, String),
}

/// A cached verdict, served as it is, and what it depends on.
#[derive(Debug)]
pub struct Entry {
    /// The verdict of the holder.
    pub verdict: Verdict,
    /// The verdict as served: JSON.
    pub body: Bytes,
    /// Its strong entity tag (`"` + SHA-256 of `body`, 32 hex digits + `"`).
    pub etag: HeaderValue,
    /// The first instant at or after which the verdict may differ; `None`: never by time.
    pub expires: Option<Timestamp>,
    /// What it depends on (sorted): the certificates of the holder's graph, the watch
    /// lists it was screened against, the attestations members name that were not stored,
    /// the vessels and facilities members need attested.
    deps: Vec<Dep>,
    /// What the members name that a watch list can list, with the period.
    names: Vec<Named>,
}

impl Entry {
    /// Describe the verdict `verdict` of the graph `closure` (id, bytes), computed at `at`
    /// against the watch lists `lists` (id, bytes).
    pub fn new(
        verdict: Verdict,
        closure: &[(CertId, Vec<u8>)],
        lists: &[(CertId, Vec<u8>)],
        at: Timestamp,
    ) -> Entry {
        let member_set: HashSet<CertId> = closure.iter().map(|(id, _)| *id).collect();
        let mut named = BTreeSet::new();
        let mut names = Vec::new();
        let mut needs = BTreeSet::new();
        let mut expires: Option<Timestamp> = None;
        let mut later = |t: Timestamp| {
            if t > at {
                expires = Some(expires.map_or(t, |u| u.min(t)));
            }
        };
        let mut issuers: HashSet<Vec<u8>> = HashSet::new();
        for (_, bytes) in closure {
            let Ok((sign1, p)) = cose::decode_certificate(bytes) else {
                continue;
            };
            later(p.issued_at());
            if let Details::Revocation(_) = p.details() {
                later(p.time());
            }
            if let Some((_, until)) = p.validity() {
                later(until);
            }
            issuers.extend(sign1.x5chain);
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
            if let Some(n) = catchcert_store::payload_evidence(&p).needs {
                needs.insert((n.scheme, n.subject));
            }
        }
        for der in issuers {
            if let Ok((_, x)) = x509_parser::parse_x509_certificate(&der) {
                let v = x.validity();
                later(Timestamp(v.not_before.timestamp()));
                // Expired once the time is after notAfter.
                later(Timestamp(v.not_after.timestamp().saturating_add(1)));
            }
        }
        for (_, bytes) in lists {
            if let Ok((_, p)) = cose::decode_certificate(bytes) {
                later(p.issued_at());
            }
        }
        names.sort();
        names.dedup();
        let mut deps: Vec<Dep> = closure.iter().map(|(id, _)| Dep::Cert(*id)).collect();
        deps.extend(lists.iter().map(|(id, _)| Dep::Cert(*id)));
        deps.extend(
            named
                .into_iter()
                .filter(|a| !member_set.contains(a))
                .map(Dep::Cert),
        );
        deps.extend(
            needs
                .into_iter()
                .map(|(scheme, subject)| Dep::Subject(scheme, subject)),
        );
        deps.sort();
        deps.dedup();
        let body = Bytes::from(serde_json::to_vec(&verdict).unwrap_or_default());
        let etag = etag_of(&body);
        Entry {
            verdict,
            body,
            etag,
            expires,
            deps,
            names,
        }
    }

    /// Whether the entry may be served at `now`.
    pub fn fresh_at(&self, now: Timestamp) -> bool {
        self.expires.is_none_or(|t| now < t)
    }

    /// Whether the new certificate described by `k` can change this verdict.
    fn changed_by(&self, k: &Keys) -> bool {
        k.deps().any(|d| self.deps.binary_search(&d).is_ok())
            || k.list.as_ref().is_some_and(|l| self.listed_by(l))
    }

    /// Whether the watch list `index` lists something the members name while it is listed.
    fn listed_by(&self, index: &WatchIndex) -> bool {
        self.names
            .iter()
            .any(|n| !index.hits(n.scheme, &n.value, n.from, n.until).is_empty())
    }
}

/// The strong entity tag of a body.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = CertId::of_cose(body); // SHA-256
    let hex = digest.to_string();
    let short = hex.get(..32).unwrap_or(&hex);
    HeaderValue::from_str(&format!("\"{short}\"")).unwrap_or(HeaderValue::from_static("\"-\""))
}

/// What a newly stored certificate can change (see the module documentation).
#[derive(Debug, Clone)]
pub struct Keys {
    /// Its generation.
    pub generation: u64,
    /// Its id.
    pub id: CertId,
    /// The certificate it revokes and those whose lots it consumes.
    pub touches: Vec<CertId>,
    /// The lots it outputs or consumes.
    pub lots: Vec<String>,
    /// The vessel or facility it attests (scheme, subject).
    pub attests: Option<(&'static str, String)>,
    /// When it is a watch list: its index.
    pub list: Option<Arc<WatchIndex>>,
}

impl Keys {
    /// What it touches, as dependencies: itself (an attestation named and absent until
    /// now), what it revokes or consumes, what it attests.
    fn deps(&self) -> impl Iterator<Item = Dep> + '_ {
        std::iter::once(Dep::Cert(self.id))
            .chain(self.touches.iter().map(|t| Dep::Cert(*t)))
            .chain(
                self.attests
                    .iter()
                    .map(|(scheme, subject)| Dep::Subject(scheme, subject.clone())),
            )
    }

    /// The keys of a journal row. Bytes that do not decode (the store holds only verified
    /// certificates) change nothing but their own id.
    pub fn of(change: &Change) -> Keys {
        let mut k = Keys {
            generation: change.generation,
            id: change.id,
            touches: Vec::new(),
            lots: Vec::new(),
            attests: None,
            list: None,
        };
        let Ok((_, p)) = cose::decode_certificate(&change.bytes) else {
            return k;
        };
        if let Details::Revocation(r) = p.details() {
            k.touches.push(r.certificate);
        }
        for i in p.inputs() {
            k.touches.push(i.certificate);
            k.lots.push(i.lot.clone());
        }
        k.lots.extend(p.outputs().iter().map(|o| o.lot.clone()));
        if let Some(w) = p.watchlist() {
            let mut index = WatchIndex::new();
            index.add(change.id, w);
            k.list = Some(Arc::new(index));
        }
        k.attests = catchcert_store::payload_evidence(&p)
            .attests
            .map(|a| (a.scheme, a.subject));
        k
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// The store generation the entries reflect.
    synced: u64,
    /// holder → entry.
    entries: HashMap<CertId, Arc<Entry>>,
    /// lot → its holder (as of `synced`).
    lots: HashMap<String, CertId>,
    /// dependency → holders whose entry has it.
    by_dep: HashMap<Dep, Vec<CertId>>,
    /// Keys of the journal rows processed last, oldest first; they cover the generations
    /// after `recent_from` up to `synced`.
    recent: VecDeque<Keys>,
    recent_from: u64,
}

impl Inner {
    fn remove(&mut self, holder: CertId) {
        if let Some(e) = self.entries.remove(&holder) {
            for d in &e.deps {
                if let Some(v) = self.by_dep.get_mut(d) {
                    v.retain(|h| *h != holder);
                    if v.is_empty() {
                        self.by_dep.remove(d);
                    }
                }
            }
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.lots.clear();
        self.by_dep.clear();
    }

    /// Drop what `k` can change.
    fn apply(&mut self, k: &Keys) {
        for lot in &k.lots {
            self.lots.remove(lot);
        }
        let mut stale: Vec<CertId> = Vec::new();
        for d in k.deps() {
            if let Some(hs) = self.by_dep.get(&d) {
                stale.extend(hs.iter().copied());
            }
        }
        if let Some(list) = &k.list {
            // A new watch list (rare) is matched entry by entry.
            stale.extend(
                self.entries
                    .iter()
                    .filter(|(_, e)| e.listed_by(list))
                    .map(|(h, _)| *h),
            );
        }
        for h in stale {
            self.remove(h);
        }
        self.synced = k.generation;
        if self.recent.len() >= RECENT_CHANGES
            && let Some(old) = self.recent.pop_front()
        {
            self.recent_from = old.generation;
        }
        self.recent.push_back(k.clone());
    }

    /// Whether something computed as of generation `as_of` can be kept: the journal rows
    /// processed since are at hand and none of them changes it (`changed` says).
    fn still_holds(&self, as_of: u64, changed: impl Fn(&Keys) -> bool) -> bool {
        if as_of >= self.synced {
            return true;
        }
        if as_of < self.recent_from {
            return false;
        }
        !self
            .recent
            .iter()
            .filter(|k| k.generation > as_of)
            .any(changed)
    }
}

/// Cache look-up and update counters, for tests and `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    /// Entries dropped because a new certificate can change them.
    pub invalidated: AtomicU64,
    /// Entries not used because their time had come.
    pub expired: AtomicU64,
    /// Journal rows processed.
    pub changes: AtomicU64,
}

/// The cache: lot → holder → entry, with the generation it reflects.
#[derive(Debug)]
pub struct VerdictCache {
    inner: Mutex<Inner>,
    capacity: usize,
    /// Held while the journal is read and applied (one reader at a time).
    sync: tokio::sync::Mutex<()>,
    /// The shared generation read.
    pub gate: GenerationGate,
    /// Counters.
    pub counters: Counters,
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
            inner: Mutex::new(Inner::default()),
            capacity,
            sync: tokio::sync::Mutex::new(()),
            gate: GenerationGate::default(),
            counters: Counters::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps inconsistent enough to serve
        // a wrong verdict: at worst an index names an entry that is gone.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The store generation the cache reflects.
    pub fn synced(&self) -> u64 {
        self.lock().synced
    }

    /// Bring the cache to generation `target` of `store` (read the journal rows after the
    /// cache's generation and drop what they change). Concurrent callers wait for one
    /// another; the journal is read once.
    pub async fn sync_to(
        &self,
        store: &catchcert_store::Store,
        target: u64,
    ) -> Result<(), catchcert_store::StoreError> {
        if self.synced() >= target {
            return Ok(());
        }
        let _one = self.sync.lock().await;
        loop {
            let (from, empty) = {
                let g = self.lock();
                (g.synced, g.entries.is_empty() && g.lots.is_empty())
            };
            if from >= target {
                return Ok(());
            }
            if empty || target - from > 16 * RECENT_CHANGES as u64 {
                // Nothing to drop, or so much that starting again is cheaper.
                let mut g = self.lock();
                g.clear();
                g.recent.clear();
                g.synced = target;
                g.recent_from = target;
                return Ok(());
            }
            let rows = store.changes(from, target).await?;
            let dense = rows
                .iter()
                .enumerate()
                .all(|(i, r)| r.generation == from + 1 + i as u64);
            if rows.is_empty() || !dense {
                // Cannot happen with a sound journal; never serve what may be stale.
                tracing::warn!(
                    from,
                    target,
                    "change journal has gaps; verdict cache emptied"
                );
                let mut g = self.lock();
                g.clear();
                g.recent.clear();
                g.synced = target;
                g.recent_from = target;
                return Ok(());
            }
            let keys: Vec<Keys> = rows.iter().map(Keys::of).collect();
            let mut g = self.lock();
            let before = g.entries.len();
            for k in &keys {
                g.apply(k);
            }
            let dropped = before - g.entries.len();
            drop(g);
            self.counters
                .invalidated
                .fetch_add(dropped as u64, Ordering::Relaxed);
            self.counters
                .changes
                .fetch_add(keys.len() as u64, Ordering::Relaxed);
        }
    }

    /// The entry of the holder of `lot` as of the cache's generation, if it is kept and may
    /// be served at `now`.
    pub fn lookup_lot(&self, lot: &str, now: Timestamp) -> Option<Arc<Entry>> {
        let mut g = self.lock();
        let holder = *g.lots.get(lot)?;
        let e = g.entries.get(&holder)?;
        if e.fresh_at(now) {
            return Some(Arc::clone(e));
        }
        g.remove(holder);
        drop(g);
        self.counters.expired.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// The entry of `holder`, if it is kept and may be served at `now`.
    pub fn get(&self, holder: CertId, now: Timestamp) -> Option<Arc<Entry>> {
        let mut g = self.lock();
        let e = g.entries.get(&holder)?;
        if e.fresh_at(now) {
            return Some(Arc::clone(e));
        }
        g.remove(holder);
        drop(g);
        self.counters.expired.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Remember that `holder` holds `lot`, as read at generation `as_of` or later.
    pub fn put_lot(&self, lot: &str, holder: CertId, as_of: u64) {
        if self.capacity == 0 {
            return;
        }
        let mut g = self.lock();
        if !g.still_holds(as_of, |k| k.lots.iter().any(|l| l == lot)) {
            return;
        }
        if g.lots.len() >= self.capacity && !g.lots.contains_key(lot) {
            g.lots.clear();
        }
        g.lots.insert(lot.to_string(), holder);
    }

    /// Remember the entry of `holder`, computed from what the store held at generation
    /// `as_of` or later. Not kept if a certificate stored since can change it or if the
    /// rows since are no longer at hand. Answers the entry (kept or not).
    pub fn put(&self, holder: CertId, entry: Entry, as_of: u64) -> Arc<Entry> {
        let entry = Arc::new(entry);
        if self.capacity == 0 {
            return entry;
        }
        let mut g = self.lock();
        if !g.still_holds(as_of, |k| entry.changed_by(k)) {
            return entry;
        }
        if g.entries.len() >= self.capacity && !g.entries.contains_key(&holder) {
            g.entries.clear();
            g.by_dep.clear();
        }
        g.remove(holder);
        for d in &entry.deps {
            g.by_dep.entry(d.clone()).or_default().push(holder);
        }
        g.entries.insert(holder, Arc::clone(&entry));
        entry
    }

    /// Drop the entry of `holder`.
    pub fn forget(&self, holder: CertId) {
        self.lock().remove(holder);
    }

    /// Drop every entry whose graph holds `id` (a revocation of `id` was stored).
    pub fn forget_containing(&self, id: CertId) {
        let mut g = self.lock();
        let holders = g.by_dep.get(&Dep::Cert(id)).cloned().unwrap_or_default();
        for h in holders {
            g.remove(h);
        }
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One store-generation read shared by concurrent requests. A caller gets the answer of a
/// read that BEGAN after the caller arrived, so a certificate stored (answered 201, by any
/// instance) before a request arrived is always seen; callers that arrive while a read is
/// under way wait for it and share the next one, so under load one read serves many
/// requests.
#[derive(Debug, Default)]
pub struct GenerationGate {
    /// Reads begun so far.
    begun: AtomicU64,
    /// (number of the last read completed, its answer); held during a read.
    last: tokio::sync::Mutex<(u64, u64)>,
    /// Reads done, for tests and figures.
    pub reads: AtomicU64,
}

impl GenerationGate {
    /// The store's generation, as read after this call began.
    pub async fn current<E, F, Fut>(&self, read: F) -> Result<u64, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<u64, E>>,
    {
        let arrived = self.begun.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.0 > arrived {
            // Read number last.0 began after we arrived (numbers count from 1).
            return Ok(last.1);
        }
        let n = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let g = read().await?;
        self.reads.fetch_add(1, Ordering::Relaxed);
        *last = (n, g);
        Ok(g)
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
            undecodable: vec![],
        }
    }

    fn entry(members: &[CertId], until: Option<i64>) -> Entry {
        let mut deps: Vec<Dep> = members.iter().map(|m| Dep::Cert(*m)).collect();
        deps.push(Dep::Subject("vessel", "IMO1".into()));
        deps.sort();
        Entry {
            verdict: verdict(members[0]),
            body: Bytes::from_static(b"{}"),
            etag: etag_of(b"{}"),
            expires: until.map(Timestamp),
            deps,
            names: vec![],
        }
    }

    fn keys(generation: u64, touches: &[CertId]) -> Keys {
        Keys {
            generation,
            id: CertId::of_cose(&generation.to_be_bytes()),
            touches: touches.to_vec(),
            lots: vec![],
            attests: None,
            list: None,
        }
    }

    #[test]
    fn a_change_drops_exactly_the_entries_it_can_change() {
        let (a, b, x) = (
            CertId::of_cose(b"a"),
            CertId::of_cose(b"b"),
            CertId::of_cose(b"x"),
        );
        let cache = VerdictCache::new(8);
        cache.put(a, entry(&[a, x], None), 0);
        cache.put(b, entry(&[b], None), 0);
        cache.put_lot("L", a, 0);
        let mut g = cache.lock();
        g.apply(&keys(1, &[CertId::of_cose(b"unrelated")]));
        assert_eq!(g.entries.len(), 2);
        g.apply(&keys(2, &[x]));
        assert!(!g.entries.contains_key(&a) && g.entries.contains_key(&b));
        let mut att = keys(3, &[]);
        att.attests = Some(("vessel", "IMO2".into()));
        g.apply(&att);
        assert!(g.entries.contains_key(&b), "another vessel");
        att.generation = 4;
        att.attests = Some(("vessel", "IMO1".into()));
        g.apply(&att);
        assert!(g.entries.is_empty());
        let mut lot = keys(5, &[]);
        lot.lots = vec!["L".into()];
        assert!(g.lots.contains_key("L"));
        g.apply(&lot);
        assert!(g.lots.is_empty());
        assert_eq!(g.synced, 5);
    }

    #[test]
    fn a_verdict_computed_before_a_change_is_not_kept() {
        let (a, x) = (CertId::of_cose(b"a"), CertId::of_cose(b"x"));
        let cache = VerdictCache::new(8);
        cache.lock().apply(&keys(1, &[x]));
        // computed as of generation 0: the revocation of x at 1 was not seen
        cache.put(a, entry(&[a, x], None), 0);
        assert!(cache.is_empty());
        // computed as of 1: kept
        cache.put(a, entry(&[a, x], None), 1);
        assert_eq!(cache.len(), 1);
        // an unrelated change since: kept
        let b = CertId::of_cose(b"b");
        cache.lock().apply(&keys(2, &[CertId::of_cose(b"y")]));
        cache.put(b, entry(&[b], None), 1);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn expiry_and_capacity() {
        let (a, b, c) = (
            CertId::of_cose(b"a"),
            CertId::of_cose(b"b"),
            CertId::of_cose(b"c"),
        );
        let cache = VerdictCache::new(2);
        cache.put(a, entry(&[a], Some(100)), 0);
        assert!(cache.get(a, Timestamp(99)).is_some());
        assert!(cache.get(a, Timestamp(100)).is_none(), "time reached");
        assert!(cache.is_empty());
        cache.put(a, entry(&[a, c], None), 0);
        cache.put(b, entry(&[b], None), 0);
        cache.forget_containing(c);
        assert!(cache.get(a, Timestamp(0)).is_none() && cache.get(b, Timestamp(0)).is_some());
        cache.put(a, entry(&[a], None), 0);
        cache.put(c, entry(&[c], None), 0); // full: emptied first
        assert_eq!(cache.len(), 1);
        let off = VerdictCache::new(0);
        off.put(a, entry(&[a], None), 0);
        assert!(off.is_empty());
    }

    #[tokio::test]
    async fn the_gate_shares_reads_that_began_after_arrival() {
        let gate = Arc::new(GenerationGate::default());
        let g = gate.current(|| async { Ok::<_, ()>(7) }).await.unwrap();
        assert_eq!(g, 7);
        // A later call reads again (its arrival is after the first read began).
        let g = gate.current(|| async { Ok::<_, ()>(8) }).await.unwrap();
        assert_eq!(g, 8);
        assert_eq!(gate.reads.load(Ordering::Relaxed), 2);
    }
}

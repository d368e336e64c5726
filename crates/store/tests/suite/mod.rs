//! The one `Store` suite that every backend runs (see `tests/backends.rs`).
//!
//! Cases that work on an open store take a [`Store`]; cases that must open the same
//! database more than once take its URL. [`backend_suite!`] lists every case once and
//! turns each into a `#[tokio::test]` for one backend.

use catchcert_store::{
    CertId, Grams, InputRef, Inserted, Kind, NewCertificate, OutputLot, Revocation, Store,
    StoreError, Timestamp,
};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Expand to one test per case for a backend whose fresh databases `$setup` makes.
///
/// `$setup` is an async fn returning `Option<catchcert_testkit::db::TestDb>` (`None`:
/// backend skipped).
macro_rules! backend_suite {
    ($setup:path) => {
        backend_suite!(@store $setup;
            round_trip,
            idempotent_reinsert,
            refuses_unknown_input,
            refuses_lot_not_output,
            refuses_over_consumption,
            allows_exact_fit,
            refuses_invalid_certificates,
            double_sale_race,
            same_certificate_race,
            lot_holder_rules,
            one_lineage_per_lot_id,
            closure_collects_ancestors_attestations_revocations,
            closure_is_bounded,
            watchlists_are_found_by_kind,
        );
        backend_suite!(@url $setup;
            migrations_are_idempotent,
            reopen_keeps_data,
        );
    };
    (@store $setup:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let Some(db) = $setup().await else { return };
                let store = catchcert_store::Store::open(db.url())
                    .await
                    .unwrap();
                suite::$case(store).await;
                db.finish().await;
            }
        )*
    };
    (@url $setup:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let Some(db) = $setup().await else { return };
                suite::$case(db.url()).await;
                db.finish().await;
            }
        )*
    };
}

// ---- certificates with fake bytes (the store never parses them) ----

fn make(
    tag: &str,
    kind: Kind,
    time: i64,
    inputs: &[(CertId, &str, u64)],
    outputs: &[(&str, u64)],
) -> NewCertificate {
    let bytes = format!("fake-cose:{kind}:{tag}").into_bytes();
    NewCertificate {
        id: CertId::of_cose(&bytes),
        bytes,
        kind,
        time: Timestamp(time),
        issued_at: Timestamp(time + 60),
        issuer_subject: format!("CN={tag} issuer,O=Test"),
        issuer_key: [tag.len() as u8; 32],
        inputs: inputs
            .iter()
            .map(|(c, lot, g)| InputRef {
                certificate: *c,
                lot: (*lot).to_string(),
                quantity: Grams(*g),
            })
            .collect(),
        outputs: outputs
            .iter()
            .map(|(lot, g)| OutputLot {
                lot: (*lot).to_string(),
                quantity: Grams(*g),
            })
            .collect(),
        attestations: vec![],
        revokes: None,
        evidence: None,
    }
}

/// A catch (no inputs).
pub fn catch(tag: &str, time: i64, outputs: &[(&str, u64)]) -> NewCertificate {
    make(tag, Kind::Catch, time, &[], outputs)
}

/// A custody certificate consuming `inputs`.
pub fn custody(
    tag: &str,
    kind: Kind,
    time: i64,
    inputs: &[(CertId, &str, u64)],
    outputs: &[(&str, u64)],
) -> NewCertificate {
    make(tag, kind, time, inputs, outputs)
}

/// A crew attestation.
pub fn attestation(tag: &str, time: i64) -> NewCertificate {
    make(tag, Kind::CrewAttestation, time, &[], &[])
}

/// A revocation of `target`.
pub fn revocation(tag: &str, time: i64, target: CertId) -> NewCertificate {
    let mut c = make(tag, Kind::Revocation, time, &[], &[]);
    c.revokes = Some(target);
    c
}

/// Stored watch lists come back in the order stored, with their issuer; other kinds do not.
pub async fn watchlists_are_found_by_kind(store: Store) {
    assert!(store.watchlists().await.unwrap().is_empty());
    let first = created(&store, &make("list-1", Kind::Watchlist, 10, &[], &[])).await;
    created(&store, &catch("c", 11, &[("L", 5)])).await;
    created(&store, &attestation("a", 12)).await;
    let second = created(&store, &make("list-2", Kind::Watchlist, 5, &[], &[])).await;
    let lists = store.watchlists().await.unwrap();
    let ids: Vec<CertId> = lists.iter().map(|l| l.id).collect();
    assert_eq!(ids, [first, second]);
    assert_eq!(store.watchlist_ids().await.unwrap(), [first, second]);
    assert_eq!(lists[0].bytes, b"fake-cose:watchlist:list-1");
    assert_eq!(lists[1].issuer, "CN=list-2 issuer,O=Test");
}

async fn created(store: &Store, c: &NewCertificate) -> CertId {
    assert_eq!(
        store.insert(c.clone()).await,
        Ok(Inserted::Created),
        "inserting {}",
        String::from_utf8_lossy(&c.bytes)
    );
    c.id
}

async fn assert_absent(store: &Store, c: &NewCertificate) {
    assert_eq!(
        store.get(c.id).await.unwrap(),
        None,
        "{} must not be stored",
        String::from_utf8_lossy(&c.bytes)
    );
}

// ---- cases on an open store ----

pub async fn round_trip(store: Store) {
    assert!(["sqlite", "postgresql"].contains(&store.backend_name()));
    assert_eq!(store.count().await.unwrap(), 0);
    let a = catch("a", 100, &[("L-A", 1000)]);
    let b = catch("b", 100, &[("L-B", 1000)]);
    created(&store, &a).await;
    created(&store, &b).await;
    assert_eq!(store.get(a.id).await.unwrap(), Some(a.bytes.clone()));
    assert_eq!(store.get(b.id).await.unwrap(), Some(b.bytes.clone()));
    let unknown = CertId::of_cose(b"never stored");
    assert_eq!(store.get(unknown).await.unwrap(), None);
    assert_eq!(store.count().await.unwrap(), 2);
    assert_eq!(
        store.get_many(&[b.id, unknown, a.id, b.id]).await.unwrap(),
        vec![(b.id, b.bytes.clone()), (a.id, a.bytes.clone())],
        "in the order asked, unknown ids left out, each once"
    );
    assert_eq!(store.get_many(&[]).await.unwrap(), vec![]);
    // Binary bytes round-trip unchanged.
    let mut bin = catch("binary", 100, &[("L-BIN", 1)]);
    bin.bytes = (0u8..=255).chain([0, 0, 0xff]).collect();
    bin.id = CertId::of_cose(&bin.bytes);
    created(&store, &bin).await;
    assert_eq!(store.get(bin.id).await.unwrap(), Some(bin.bytes.clone()));
}

pub async fn idempotent_reinsert(store: Store) {
    let a = catch("a", 100, &[("L", 1000)]);
    created(&store, &a).await;
    assert_eq!(store.insert(a.clone()).await, Ok(Inserted::AlreadyStored));
    // A consumer that takes the whole lot, sent twice: the second is AlreadyStored, not
    // Overconsumed, and consumes nothing more.
    let s = custody(
        "s",
        Kind::Shipment,
        200,
        &[(a.id, "L", 1000)],
        &[("L", 1000)],
    );
    created(&store, &s).await;
    assert_eq!(store.insert(s.clone()).await, Ok(Inserted::AlreadyStored));
    assert_eq!(store.count().await.unwrap(), 2);
    let more = custody("more", Kind::Shipment, 200, &[(a.id, "L", 1)], &[("L", 1)]);
    assert!(matches!(
        store.insert(more).await,
        Err(StoreError::Overconsumed {
            consumed: Grams(1000),
            ..
        })
    ));
}

pub async fn refuses_unknown_input(store: Store) {
    let missing = catch("missing", 100, &[("L", 1000)]);
    let c = custody(
        "c",
        Kind::Landing,
        200,
        &[(missing.id, "L", 10)],
        &[("L", 10)],
    );
    assert_eq!(
        store.insert(c.clone()).await,
        Err(StoreError::UnknownInput {
            certificate: missing.id
        })
    );
    assert_absent(&store, &c).await;
    assert_eq!(store.count().await.unwrap(), 0);
    assert_eq!(store.lot_holder("L").await.unwrap(), None);
    // Once the input is stored the same certificate goes in.
    created(&store, &missing).await;
    created(&store, &c).await;
}

pub async fn refuses_lot_not_output(store: Store) {
    let a = catch("a", 100, &[("L", 1000)]);
    created(&store, &a).await;
    let c = custody(
        "c",
        Kind::Landing,
        200,
        &[(a.id, "OTHER", 10)],
        &[("X", 10)],
    );
    assert_eq!(
        store.insert(c.clone()).await,
        Err(StoreError::LotNotOutput {
            certificate: a.id,
            lot: "OTHER".into()
        })
    );
    assert_absent(&store, &c).await;
    // One good and one bad input: nothing is consumed from the good one.
    let mixed = custody(
        "mixed",
        Kind::Landing,
        200,
        &[(a.id, "L", 1000), (a.id, "M", 1)],
        &[("X", 10)],
    );
    assert!(matches!(
        store.insert(mixed.clone()).await,
        Err(StoreError::LotNotOutput { .. })
    ));
    assert_absent(&store, &mixed).await;
    let all = custody(
        "all",
        Kind::Landing,
        200,
        &[(a.id, "L", 1000)],
        &[("X", 10)],
    );
    created(&store, &all).await;
}

pub async fn refuses_over_consumption(store: Store) {
    let a = catch("a", 100, &[("L", 1_000_000)]);
    created(&store, &a).await;
    let first = custody(
        "first",
        Kind::Landing,
        200,
        &[(a.id, "L", 600_000)],
        &[("L", 600_000)],
    );
    created(&store, &first).await;
    let second = custody(
        "second",
        Kind::Landing,
        200,
        &[(a.id, "L", 500_000)],
        &[("L", 500_000)],
    );
    let e = store.insert(second.clone()).await.unwrap_err();
    assert_eq!(
        e,
        StoreError::Overconsumed {
            certificate: a.id,
            lot: "L".into(),
            output: Grams(1_000_000),
            consumed: Grams(600_000),
            requested: Grams(500_000),
        }
    );
    let msg = e.to_string();
    assert!(
        msg.contains(&a.id.to_string()) && msg.contains("\"L\"") && msg.contains("1000 kg"),
        "{msg}"
    );
    assert_absent(&store, &second).await;
    // Two inputs of the same lot in one certificate are added up.
    let split = custody(
        "split",
        Kind::Landing,
        200,
        &[(a.id, "L", 300_000), (a.id, "L", 200_000)],
        &[("L", 500_000)],
    );
    assert!(matches!(
        store.insert(split.clone()).await,
        Err(StoreError::Overconsumed {
            requested: Grams(500_000),
            ..
        })
    ));
    assert_absent(&store, &split).await;
    // A refused insert consumed nothing: the rest is still there.
    let rest = custody(
        "rest",
        Kind::Landing,
        200,
        &[(a.id, "L", 400_000)],
        &[("L", 400_000)],
    );
    created(&store, &rest).await;
}

pub async fn allows_exact_fit(store: Store) {
    let a = catch("a", 100, &[("L", 1000), ("M", 7)]);
    created(&store, &a).await;
    let x = custody("x", Kind::Landing, 200, &[(a.id, "L", 600)], &[("L", 600)]);
    let y = custody(
        "y",
        Kind::Landing,
        200,
        &[(a.id, "L", 150), (a.id, "L", 250), (a.id, "M", 7)],
        &[("L2", 407)],
    );
    created(&store, &x).await;
    created(&store, &y).await;
    let z = custody("z", Kind::Landing, 200, &[(a.id, "L", 1)], &[("L3", 1)]);
    assert_eq!(
        store.insert(z).await,
        Err(StoreError::Overconsumed {
            certificate: a.id,
            lot: "L".into(),
            output: Grams(1000),
            consumed: Grams(1000),
            requested: Grams(1),
        })
    );
}

pub async fn refuses_invalid_certificates(store: Store) {
    let mut wrong_id = catch("a", 100, &[("L", 1)]);
    wrong_id.id = CertId::of_cose(b"something else");
    assert!(matches!(
        store.insert(wrong_id).await,
        Err(StoreError::Invalid { .. })
    ));
    let zero = catch("zero", 100, &[("L", 0)]);
    assert!(matches!(
        store.insert(zero.clone()).await,
        Err(StoreError::Invalid { .. })
    ));
    let twice = catch("twice", 100, &[("L", 1), ("L", 2)]);
    assert!(matches!(
        store.insert(twice.clone()).await,
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(store.count().await.unwrap(), 0);
}

/// Open the store's connections (if it pools them) so that racing requests overlap
/// instead of queueing behind connection set-up.
async fn warm_up(store: &Store, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count().await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

/// N buyers race for the whole of one lot: exactly one gets it.
pub async fn double_sale_race(store: Store) {
    const N: usize = 16;
    let a = catch("a", 100, &[("LOT-RACE", 5_000_000)]);
    created(&store, &a).await;
    warm_up(&store, N).await;
    let buyers: Vec<NewCertificate> = (0..N)
        .map(|i| {
            custody(
                &format!("buyer-{i}"),
                Kind::Shipment,
                200,
                &[(a.id, "LOT-RACE", 5_000_000)],
                &[(&format!("SOLD-{i}"), 5_000_000)],
            )
        })
        .collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(N));
    let tasks: Vec<_> = buyers
        .iter()
        .cloned()
        .map(|b| {
            let (store, barrier) = (store.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store.insert(b).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let winners: Vec<usize> = (0..N)
        .filter(|&i| results[i] == Ok(Inserted::Created))
        .collect();
    assert_eq!(winners.len(), 1, "exactly one buyer wins: {results:?}");
    for (i, r) in results.iter().enumerate() {
        if i != winners[0] {
            assert_eq!(
                r,
                &Err(StoreError::Overconsumed {
                    certificate: a.id,
                    lot: "LOT-RACE".into(),
                    output: Grams(5_000_000),
                    consumed: Grams(5_000_000),
                    requested: Grams(5_000_000),
                }),
                "buyer {i}"
            );
            assert_absent(&store, &buyers[i]).await;
        }
    }
    let w = &buyers[winners[0]];
    assert_eq!(store.get(w.id).await.unwrap(), Some(w.bytes.clone()));
    assert_eq!(store.count().await.unwrap(), 2);
    assert_eq!(
        store
            .lot_holder(&format!("SOLD-{}", winners[0]))
            .await
            .unwrap(),
        Some(w.id)
    );
    for i in (0..N).filter(|&i| i != winners[0]) {
        assert_eq!(store.lot_holder(&format!("SOLD-{i}")).await.unwrap(), None);
    }
}

/// The same certificate sent N times at once is stored once.
pub async fn same_certificate_race(store: Store) {
    const N: usize = 16;
    let a = catch("a", 100, &[("L", 1000)]);
    created(&store, &a).await;
    let s = custody(
        "s",
        Kind::Shipment,
        200,
        &[(a.id, "L", 1000)],
        &[("L", 1000)],
    );
    let c = catch("c", 100, &[("C", 5)]);
    warm_up(&store, N).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(2 * N));
    let tasks: Vec<_> = (0..2 * N)
        .map(|i| {
            let (store, barrier) = (store.clone(), Arc::clone(&barrier));
            let cert = if i % 2 == 0 { s.clone() } else { c.clone() };
            tokio::spawn(async move {
                barrier.wait().await;
                (i % 2, store.insert(cert).await)
            })
        })
        .collect();
    let mut counts = [[0usize; 2]; 2];
    for t in tasks {
        let (which, r) = t.await.unwrap();
        match r {
            Ok(Inserted::Created) => counts[which][0] += 1,
            Ok(Inserted::AlreadyStored) => counts[which][1] += 1,
            Err(e) => panic!("copy of certificate {which}: {e}"),
        }
    }
    assert_eq!(
        counts,
        [[1, N - 1], [1, N - 1]],
        "[created, already stored] per certificate"
    );
    assert_eq!(store.count().await.unwrap(), 3);
}

pub async fn lot_holder_rules(store: Store) {
    assert_eq!(store.lot_holder("L").await.unwrap(), None, "unknown lot");
    let a = catch("a", 100, &[("L", 1000)]);
    created(&store, &a).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(a.id));
    // B consumes A's L and outputs L again: B holds it.
    let b = custody(
        "b",
        Kind::Landing,
        200,
        &[(a.id, "L", 1000)],
        &[("L", 1000)],
    );
    created(&store, &b).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(b.id));
    // The lot is split (passed on in parts under its id): several unconsumed outputs,
    // the latest time wins...
    let c = custody("c", Kind::Shipment, 300, &[(b.id, "L", 5)], &[("L", 5)]);
    created(&store, &c).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(c.id));
    // ...even against one stored later with an earlier time...
    let d = custody("d", Kind::Shipment, 250, &[(b.id, "L", 5)], &[("L", 5)]);
    created(&store, &d).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(c.id));
    // ...and at equal times the one stored last.
    let e = custody("e", Kind::Shipment, 300, &[(b.id, "L", 5)], &[("L", 5)]);
    created(&store, &e).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(e.id));
    // Consuming E (even partly) hands it back to C.
    let f = custody("f", Kind::Processing, 400, &[(e.id, "L", 1)], &[("F", 1)]);
    created(&store, &f).await;
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(c.id));

    // Every output consumed: the latest (time, then stored) outputting certificate.
    let p = catch("p", 100, &[("M", 10)]);
    created(&store, &p).await;
    let q = custody("q", Kind::Landing, 150, &[(p.id, "M", 10)], &[("M", 10)]);
    created(&store, &q).await;
    let eat = custody(
        "eat",
        Kind::Processing,
        500,
        &[(q.id, "M", 10)],
        &[("N", 10)],
    );
    created(&store, &eat).await;
    assert_eq!(store.lot_holder("M").await.unwrap(), Some(q.id));
    // Lot ids are compared exactly.
    assert_eq!(store.lot_holder("m").await.unwrap(), None);
    assert_eq!(store.lot_holder("").await.unwrap(), None);
}

/// One lineage per lot id: a certificate that outputs a stored lot id without consuming
/// that lot id is refused, naming the lot and a stored certificate that outputs it; a
/// certificate that passes the lot on under its id, or outputs a new id, is stored.
pub async fn one_lineage_per_lot_id(store: Store) {
    let a = catch("a", 100, &[("L", 1000), ("K", 10)]);
    created(&store, &a).await;
    // The same event signed again (other bytes, same lot ids).
    let twice = catch("a-again", 100, &[("L", 1000)]);
    assert_eq!(
        store.insert(twice.clone()).await,
        Err(StoreError::LotConflict {
            certificate: twice.id,
            lot: "L".into(),
            existing: a.id,
        })
    );
    // Consuming K but outputting L (an id reused for other fish) is a second lineage too.
    let reuse = custody(
        "reuse",
        Kind::Landing,
        200,
        &[(a.id, "K", 10)],
        &[("L", 10)],
    );
    assert!(matches!(
        store.insert(reuse).await,
        Err(StoreError::LotConflict { .. })
    ));
    // Passing L on under its id, and a new id, are fine.
    let on = custody(
        "on",
        Kind::Landing,
        200,
        &[(a.id, "L", 1000)],
        &[("L", 1000)],
    );
    created(&store, &on).await;
    let new = custody("new", Kind::Landing, 200, &[(a.id, "K", 10)], &[("K2", 10)]);
    created(&store, &new).await;
    assert_eq!(
        store.count().await.unwrap(),
        3,
        "nothing stored but the sound ones"
    );
}

/// A small graph: att → A (names att and an unstored attestation) → B → C (head), with
/// revocations of A, of att and of the revocation of A, and an unrelated catch U with its
/// own revocation.
struct Graph {
    att: NewCertificate,
    a: NewCertificate,
    b: NewCertificate,
    c: NewCertificate,
    r_a: NewCertificate,
    r_att: NewCertificate,
    r_r_a: NewCertificate,
    u: NewCertificate,
    r_u: NewCertificate,
}

async fn graph(store: &Store) -> Graph {
    let att = attestation("att", 10);
    let unstored_att = attestation("never-stored", 10);
    let mut a = catch("a", 100, &[("L", 1000)]);
    a.attestations = vec![att.id, unstored_att.id, att.id];
    let b = custody(
        "b",
        Kind::Landing,
        200,
        &[(a.id, "L", 1000)],
        &[("L", 1000)],
    );
    let mut c = custody(
        "c",
        Kind::Processing,
        300,
        &[(b.id, "L", 600), (b.id, "L", 100)],
        &[("P", 700)],
    );
    c.attestations = vec![att.id];
    let r_a = revocation("r-a", 400, a.id);
    let r_att = revocation("r-att", 450, att.id);
    let r_r_a = revocation("r-r-a", 500, r_a.id);
    let u = catch("u", 100, &[("U", 1)]);
    let r_u = revocation("r-u", 400, u.id);
    for x in [&att, &a, &b, &c, &r_a, &r_att, &r_r_a, &u, &r_u] {
        created(store, x).await;
    }
    Graph {
        att,
        a,
        b,
        c,
        r_a,
        r_att,
        r_r_a,
        u,
        r_u,
    }
}

pub async fn closure_collects_ancestors_attestations_revocations(store: Store) {
    let g = graph(&store).await;
    let got = store.closure(g.c.id, 100).await.unwrap();
    assert_eq!(got[0], (g.c.id, g.c.bytes.clone()), "head first");
    let ids: BTreeSet<CertId> = got.iter().map(|(id, _)| *id).collect();
    let want: BTreeSet<CertId> = [&g.c, &g.b, &g.a, &g.att, &g.r_a, &g.att, &g.r_att, &g.r_r_a]
        .iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(ids, want);
    assert_eq!(got.len(), want.len(), "each certificate once");
    for (id, bytes) in &got {
        assert_eq!(bytes, &store.get(*id).await.unwrap().unwrap());
    }
    // Breadth first: B and the attestation (distance 1) before A (distance 2).
    let pos = |id: CertId| got.iter().position(|(x, _)| *x == id).unwrap();
    assert!(pos(g.b.id) < pos(g.a.id) && pos(g.att.id) < pos(g.a.id));

    // Only ancestors: A's closure has neither B nor C.
    let from_a: BTreeSet<CertId> = store
        .closure(g.a.id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let want_a: BTreeSet<CertId> = [&g.a, &g.att, &g.r_a, &g.r_att, &g.r_r_a]
        .iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(from_a, want_a);

    let unknown = CertId::of_cose(b"nope");
    assert_eq!(
        store.closure(unknown, 100).await,
        Err(StoreError::NotFound {
            certificate: unknown
        })
    );

    let revs = store
        .revocations_of(&[g.a.id, g.att.id, g.u.id, g.c.id, g.a.id])
        .await
        .unwrap();
    let mut want_revs = vec![
        Revocation {
            target: g.a.id,
            revocation: g.r_a.id,
            time: Timestamp(400),
        },
        Revocation {
            target: g.att.id,
            revocation: g.r_att.id,
            time: Timestamp(450),
        },
        Revocation {
            target: g.u.id,
            revocation: g.r_u.id,
            time: Timestamp(400),
        },
    ];
    want_revs.sort_by_key(|r| (r.target, r.time, r.revocation));
    assert_eq!(revs, want_revs);
    assert_eq!(store.revocations_of(&[]).await.unwrap(), vec![]);
}

pub async fn closure_is_bounded(store: Store) {
    let g = graph(&store).await;
    assert_eq!(store.closure(g.c.id, 7).await.unwrap().len(), 7);
    assert_eq!(
        store.closure(g.c.id, 6).await,
        Err(StoreError::TooLarge {
            head: g.c.id,
            max: 6
        })
    );
    assert_eq!(
        store.closure(g.u.id, 1).await,
        Err(StoreError::TooLarge {
            head: g.u.id,
            max: 1
        })
    );
    assert_eq!(store.closure(g.u.id, 2).await.unwrap().len(), 2);
    // A long chain stays within its bound and is refused above it.
    let mut prev = catch("chain-0", 0, &[("CH", 100)]);
    created(&store, &prev).await;
    for i in 1..50 {
        let next = custody(
            &format!("chain-{i}"),
            Kind::Shipment,
            i,
            &[(prev.id, "CH", 100)],
            &[("CH", 100)],
        );
        created(&store, &next).await;
        prev = next;
    }
    assert_eq!(store.closure(prev.id, 50).await.unwrap().len(), 50);
    assert!(matches!(
        store.closure(prev.id, 49).await,
        Err(StoreError::TooLarge { max: 49, .. })
    ));
    assert_eq!(store.lot_holder("CH").await.unwrap(), Some(prev.id));
}

// ---- cases that open the database more than once ----

pub async fn migrations_are_idempotent(url: &str) {
    let first = Store::open(url).await.unwrap();
    let applied = first.applied_migrations().await.unwrap();
    let embedded = first.embedded_migrations();
    assert!(!embedded.is_empty());
    assert_eq!(
        applied
            .iter()
            .map(|m| (m.version, m.name.clone(), m.checksum.clone()))
            .collect::<Vec<_>>(),
        embedded
            .iter()
            .map(|m| (m.version, m.name.to_string(), m.checksum()))
            .collect::<Vec<_>>(),
        "every embedded migration is recorded with its checksum"
    );
    assert_eq!(
        first.migrate().await.unwrap(),
        0,
        "migrating again applies nothing"
    );
    let a = catch("a", 100, &[("L", 1000)]);
    created(&first, &a).await;
    // A second store on the same database migrates nothing and sees the data.
    let second = Store::open(url).await.unwrap();
    assert_eq!(second.applied_migrations().await.unwrap(), applied);
    assert_eq!(second.migrate().await.unwrap(), 0);
    assert_eq!(second.get(a.id).await.unwrap(), Some(a.bytes.clone()));
    drop(first);
    drop(second);
    let third = Store::open(url).await.unwrap();
    assert_eq!(third.applied_migrations().await.unwrap(), applied);
    assert_eq!(third.count().await.unwrap(), 1);
}

pub async fn reopen_keeps_data(url: &str) {
    let a = catch("a", 100, &[("L", 1000)]);
    let s = custody("s", Kind::Shipment, 200, &[(a.id, "L", 700)], &[("L", 700)]);
    let r = revocation("r", 300, s.id);
    {
        let store = Store::open(url).await.unwrap();
        for x in [&a, &s, &r] {
            created(&store, x).await;
        }
    } // every handle dropped: the database is closed
    let store = Store::open(url).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 3);
    for x in [&a, &s, &r] {
        assert_eq!(store.get(x.id).await.unwrap(), Some(x.bytes.clone()));
    }
    // The indexes came back too.
    assert_eq!(store.lot_holder("L").await.unwrap(), Some(s.id));
    assert_eq!(store.closure(s.id, 10).await.unwrap().len(), 3);
    let too_much = custody("t", Kind::Shipment, 200, &[(a.id, "L", 301)], &[("T", 301)]);
    assert!(matches!(
        store.insert(too_much).await,
        Err(StoreError::Overconsumed {
            consumed: Grams(700),
            ..
        })
    ));
    assert_eq!(store.insert(s.clone()).await, Ok(Inserted::AlreadyStored));
}

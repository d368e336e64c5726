//! The lot verdict cache (crates/server/src/cache.rs) across instances and time, on SQLite
//! and, with `CATCHCERT_TEST_PG_URL`, PostgreSQL: two servers on one database; server A
//! caches a lot's verdict and every write through server B that can change it changes A's
//! next answer, while unrelated writes leave A's entry a hit. Time passing a boundary the
//! graph names changes the verdict without any write.

#[macro_use]
mod common;

use catchcert_model::timestamp::Clock;
use catchcert_model::{Kind, Timestamp};
use catchcert_server::{AppState, Config};
use catchcert_store::Store;
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, ISSUED_AT, Pki, VESSEL_IMO};
use common::{Client, Server};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

backend_suite!(workers = 2;
    writes_through_another_instance_change_exactly_the_verdicts_they_touch,
    time_changes_a_cached_verdict_without_a_write,
    etag_and_not_modified,
);

/// A clock a test moves.
#[derive(Debug)]
struct TestClock(AtomicI64);

impl TestClock {
    fn at(t: &str) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(ts(t).0)))
    }
    fn set(&self, t: &str) {
        self.0.store(ts(t).0, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

fn ts(t: &str) -> Timestamp {
    Timestamp::parse_rfc3339(t).unwrap()
}

async fn clocked(url: &str, root_pem: &str, clock: Arc<TestClock>) -> Server {
    let store = Store::open(url).await.unwrap();
    let anchors = TrustAnchors::from_pem(root_pem).unwrap();
    Server::start_state(AppState::with_clock(
        store,
        anchors,
        Config::default(),
        clock,
    ))
    .await
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The verdict cache hits and misses counted in `/metrics`.
async fn cache_counts(c: &Client, s: &Server) -> (u64, u64) {
    let m = c.get(&format!("{}/metrics", s.base), None).await;
    let text = String::from_utf8(m.body).unwrap();
    let count = |result: &str| {
        let key = format!("catchcert_verdict_cache_total{{result=\"{result}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(key.as_str()))
            .map_or(0, |n| n.trim().parse().unwrap())
    };
    (count("hit"), count("miss"))
}

/// A crew attestation of the test vessel covering March 2026 (the catch's times).
fn crew_attestation(pki: &Pki, ilo: &[u8]) -> Vec<u8> {
    certs::sign(
        &pki.auditor,
        Kind::CrewAttestation,
        &json!({
            "time": "2026-02-10T09:00:00Z",
            "vessel": {"name": "FV Test", "imo": VESSEL_IMO, "flag": "TWN"},
            "valid_from": "2026-02-10T00:00:00Z",
            "valid_until": "2026-08-10T00:00:00Z",
            "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": "2026-02-10"},
            "crew": [{
                "name": "Ahmad Suryadi", "nationality": "IDN", "role": "deckhand",
                "written_agreement": true, "holds_own_documents": true,
                "recruitment_fee_paid": false, "wage_method": "bank_transfer"
            }],
            "rest_hours": {"min_per_24h": 10, "min_per_7d": 77},
            "ilo_indicators": ilo,
        }),
    )
}

mod suite {
    use super::*;

    pub async fn writes_through_another_instance_change_exactly_the_verdicts_they_touch(url: &str) {
        let pki = Pki::new();
        let a = Server::start(url, &pki.root_pem).await;
        let b = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "C-1", 500.0);
        let landing = certs::landing(&pki.vessel, certs::id(&catch), "C-1", 500.0, "C-2", 500.0);
        c.created(&a.base, &catch).await;
        c.created(&a.base, &landing).await;
        let lot = format!("{}/v1/lots/C-2/verification", a.base);
        let first = c.get(&lot, None).await.json();
        assert_eq!(first["integrity"], "valid", "{first}");
        assert_eq!(first["certificates"], 2);
        assert_eq!(c.get(&lot, None).await.json(), first);
        assert_eq!(cache_counts(&c, &a).await, (1, 1));

        // Unrelated certificates through B (another vessel's catch, a landing of it): A's
        // entry stays and its next answers are hits.
        let other = certs::sign(
            &pki.rival,
            Kind::Catch,
            &json!({
                "time": "2026-03-02T06:00:00Z",
                "vessel_imo": certs::RIVAL_IMO, "fao_area": "71", "gear": "LLD",
                "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
                "outputs": [{"lot": "U-1", "quantity_kg": 10.0, "species": "YFT"}],
            }),
        );
        c.created(&b.base, &other).await;
        let other_landing = certs::landing(&pki.rival, certs::id(&other), "U-1", 10.0, "U-2", 10.0);
        c.created(&b.base, &other_landing).await;
        assert_eq!(c.get(&lot, None).await.json(), first);
        assert_eq!(c.get(&lot, None).await.json(), first);
        assert_eq!(cache_counts(&c, &a).await, (3, 1));
        assert_eq!(a.state.cache().len(), 1);
        assert_eq!(
            a.state.cache().counters.invalidated.load(Ordering::Relaxed),
            0
        );

        // A new consumer of the lot through B: A answers for the new holder.
        let ship = certs::shipment(&pki.processor, certs::id(&landing), "C-2", 300.0);
        // (a processor may ship the vessel's landed lot)
        let posted = c.post_cert(&b.base, &ship).await;
        assert_eq!(posted.status, 201, "{:?}", posted.json());
        let after = c.get(&lot, None).await.json();
        assert_eq!(after["head"], certs::id(&ship).to_string(), "{after}");
        assert_eq!(after["certificates"], 3);
        // A double sale of the rest is still refused, and A's answer does not change.
        let twice = certs::sign(
            &pki.processor,
            Kind::Shipment,
            &json!({
                "time": "2026-03-06T10:00:00Z",
                "from": certs::PLANT, "to": certs::IMPORTER,
                "inputs": [{"certificate": certs::id(&landing).to_string(), "lot": "C-2", "quantity_kg": 300.0}],
                "outputs": [{"lot": "C-3", "quantity_kg": 300.0}],
            }),
        );
        assert_eq!(c.post_cert(&b.base, &twice).await.status, 409);
        assert_eq!(c.get(&lot, None).await.json(), after);

        // A new attestation covering the vessel (named by nothing): A's verdict takes it in.
        let att = crew_attestation(&pki, &[7]);
        c.created(&b.base, &att).await;
        let with = c.get(&lot, None).await.json();
        assert_eq!(
            with["risk"], "high",
            "an ILO indicator raises the risk: {with}"
        );
        assert_ne!(after["risk"], "high", "{after}");
        assert!(codes(&with).contains(&"risk.forced_labour_indicator".to_string()));

        // A revocation of the catch through B: invalid on A at once.
        let r = certs::revocation(&pki.registrar, certs::id(&catch), "withdrawn");
        c.created(&b.base, &r).await;
        let revoked = c.get(&lot, None).await.json();
        assert_eq!(revoked["integrity"], "invalid", "{revoked}");
        assert!(codes(&revoked).contains(&"certificate.revoked".to_string()));
        // The unrelated lot's verdict is not touched by any of it.
        let u = c
            .get(&format!("{}/v1/lots/U-2/verification", a.base), None)
            .await
            .json();
        assert_eq!(u["integrity"], "valid", "{u}");
        a.stop().await;
        b.stop().await;
    }

    pub async fn time_changes_a_cached_verdict_without_a_write(url: &str) {
        let pki = Pki::new();
        // A lives a day after the signing time; B a month later.
        let clock_a = TestClock::at("2026-06-02T00:00:00Z");
        let clock_b = TestClock::at("2026-07-01T00:00:00Z");
        let a = clocked(url, &pki.root_pem, Arc::clone(&clock_a)).await;
        let b = clocked(url, &pki.root_pem, Arc::clone(&clock_b)).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "T-1", 500.0);
        let landing = certs::landing(&pki.vessel, certs::id(&catch), "T-1", 500.0, "T-2", 500.0);
        c.created(&a.base, &catch).await;
        c.created(&a.base, &landing).await;
        let lot = format!("{}/v1/lots/T-2/verification", a.base);
        assert_eq!(c.get(&lot, None).await.json()["integrity"], "valid");

        // B stores a revocation signed at B's time: for A it does not exist yet.
        let r = certs::sign_at(
            &pki.vessel,
            Kind::Revocation,
            &json!({"time": "2026-03-10T00:00:00Z",
                "certificate": certs::id(&landing).to_string(), "reason": "wrong port"}),
            "2026-07-01T00:00:00Z",
        );
        c.created(&b.base, &r).await;
        assert_eq!(c.get(&lot, None).await.json()["integrity"], "valid");
        let generation = a.state.store().generation().await.unwrap();
        let (hits, _) = cache_counts(&c, &a).await;
        assert_eq!(c.get(&lot, None).await.json()["integrity"], "valid");
        assert_eq!(cache_counts(&c, &a).await.0, hits + 1, "cached until then");
        // A second before the revocation's signing time: still valid (a hit).
        clock_a.set("2026-06-30T23:59:59Z");
        assert_eq!(c.get(&lot, None).await.json()["integrity"], "valid");
        assert_eq!(cache_counts(&c, &a).await.0, hits + 2);
        // Time reaches it: revoked, with no write in between.
        clock_a.set("2026-07-01T00:00:00Z");
        let v = c.get(&lot, None).await.json();
        assert_eq!(v["integrity"], "invalid", "{v}");
        assert!(
            codes(&v).contains(&"certificate.revoked".to_string()),
            "{v}"
        );
        assert_eq!(a.state.store().generation().await.unwrap(), generation);

        // The issuers' certificates end 3650 days after 2026-01-01 (notAfter
        // 2035-12-30T00:00:00Z). Verification judges an issuer at the certificate's signing
        // time, so the verdict stays, but the cache does not assume it: the entry is
        // recomputed from the second after notAfter on.
        let catch2 = certs::catch(&pki.vessel, "E-1", 10.0);
        c.created(&a.base, &catch2).await;
        let lot2 = format!("{}/v1/lots/E-1/verification", a.base);
        clock_a.set("2035-12-30T00:00:00Z");
        assert_eq!(c.get(&lot2, None).await.json()["integrity"], "valid");
        let (hits, misses) = cache_counts(&c, &a).await;
        assert_eq!(c.get(&lot2, None).await.json()["integrity"], "valid");
        assert_eq!(cache_counts(&c, &a).await, (hits + 1, misses));
        clock_a.set("2035-12-30T00:00:01Z");
        let v = c.get(&lot2, None).await.json();
        assert_eq!(v["integrity"], "valid", "{v}");
        assert_eq!(cache_counts(&c, &a).await, (hits + 1, misses + 1));
        a.stop().await;
        b.stop().await;
    }

    pub async fn etag_and_not_modified(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "G-1", 500.0);
        c.created(&s.base, &catch).await;
        let lot = format!("{}/v1/lots/G-1/verification", s.base);
        let v = c.get(&lot, None).await;
        assert_eq!(v.status, 200);
        assert_eq!(v.content_type(), "application/json");
        assert_eq!(v.headers["cache-control"], "no-cache");
        let etag = v.headers["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
        let same = c
            .request(|cl| cl.get(&lot).header("if-none-match", &etag))
            .await;
        assert_eq!(same.status, 304);
        assert!(same.body.is_empty());
        assert_eq!(same.headers["etag"], etag.as_str());
        let other = c
            .request(|cl| cl.get(&lot).header("if-none-match", "\"0123\""))
            .await;
        assert_eq!(other.status, 200);
        assert_eq!(other.body, v.body);
        // A revocation changes the verdict and so the tag.
        let r = certs::revocation(&pki.vessel, certs::id(&catch), "wrong");
        c.created(&s.base, &r).await;
        let changed = c
            .request(|cl| cl.get(&lot).header("if-none-match", &etag))
            .await;
        assert_eq!(changed.status, 200);
        assert_ne!(changed.headers["etag"], etag.as_str());
        assert_eq!(changed.json()["integrity"], "invalid");
        let _ = ISSUED_AT;
        s.stop().await;
    }
}

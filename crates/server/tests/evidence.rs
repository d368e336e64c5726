//! Evidence the supplier cannot choose, through the server (contract §4 "Which attestations
//! count", §5 "the verdict takes every stored attestation into account"), on SQLite and,
//! with `CATCHCERT_TEST_PG_URL`, PostgreSQL. Each attack with its truthful variant.

#[macro_use]
mod common;

use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Kind};
use common::certs::{self, Issuer, Pki};
use common::{Client, Server};
use serde_json::{Value, json};

backend_suite!(workers = 2;
    a_bad_attestation_counts_whichever_the_catch_names,
    a_named_attestation_that_is_not_stored_is_missing,
    implausible_attestations_and_long_trips,
    a_newer_bad_attestation_posted_later_turns_the_lot_high,
);

const IMO: &str = "IMO9074729";

/// A crew attestation of the test vessel made at `time`, valid `from..until`, after `f`.
fn crew(by: &Issuer, time: &str, from: &str, until: &str, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let member = json!({
        "name": "Ahmad Suryadi", "nationality": "IDN", "role": "deckhand",
        "written_agreement": true, "holds_own_documents": true,
        "recruitment_fee_paid": false, "wage_method": "bank_transfer"
    });
    let mut j = json!({
        "time": time,
        "vessel": {"name": "FV Test", "imo": IMO, "flag": "TWN"},
        "valid_from": from,
        "valid_until": until,
        "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": &time[..10]},
        "crew": [member],
        "rest_hours": {"min_per_24h": 10, "min_per_7d": 77},
        "ilo_indicators": []
    });
    f(&mut j);
    certs::sign(by, Kind::CrewAttestation, &j)
}

fn clean(pki: &Pki) -> Vec<u8> {
    crew(
        &pki.auditor,
        "2026-01-15T09:00:00Z",
        "2026-01-15T00:00:00Z",
        "2026-07-15T00:00:00Z",
        |_| {},
    )
}

/// Newer than [`clean`], covering March too, recording ILO indicator 7.
fn ilo(pki: &Pki) -> Vec<u8> {
    crew(
        &pki.auditor,
        "2026-02-10T09:00:00Z",
        "2026-02-10T00:00:00Z",
        "2026-08-10T00:00:00Z",
        |j| j["ilo_indicators"] = json!([7]),
    )
}

/// A catch of the test vessel into `lot`, naming `names`, fishing `start..end`.
fn catch(pki: &Pki, lot: &str, names: &[&[u8]], start: &str, end: &str) -> Vec<u8> {
    let names: Vec<String> = names.iter().map(|b| certs::id(b).to_string()).collect();
    certs::sign(
        &pki.vessel,
        Kind::Catch,
        &json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": IMO, "fao_area": "71", "gear": "LLD",
            "catch_start": start, "catch_end": end,
            "outputs": [{"lot": lot, "quantity_kg": 100.0, "species": "YFT"}],
            "attestations": names,
        }),
    )
}

fn march(pki: &Pki, lot: &str, names: &[&[u8]]) -> Vec<u8> {
    catch(
        pki,
        lot,
        names,
        "2026-03-01T04:00:00Z",
        "2026-03-02T05:30:00Z",
    )
}

async fn verdict(c: &Client, s: &Server, lot: &str) -> Value {
    c.get(&format!("{}/v1/lots/{lot}/verification", s.base), None)
        .await
        .json()
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

mod suite {
    use super::*;

    pub async fn a_bad_attestation_counts_whichever_the_catch_names(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let (a, b) = (clean(&pki), ilo(&pki));
        // truthful: only the clean attestation exists
        c.created(&s.base, &a).await;
        let truthful = march(&pki, "L-0", &[&a]);
        c.created(&s.base, &truthful).await;
        let v = verdict(&c, &s, "L-0").await;
        assert_eq!(v["risk"], "low", "{v}");
        // the bad one is stored: every catch of the vessel in March is high, whatever it names
        c.created(&s.base, &b).await;
        for (lot, names) in [
            ("L-1", vec![&a[..]]),
            ("L-2", vec![&b[..]]),
            ("L-3", vec![]),
        ] {
            c.created(&s.base, &march(&pki, lot, &names)).await;
            let v = verdict(&c, &s, lot).await;
            assert_eq!(v["risk"], "high", "{lot}: {v}");
            assert!(
                codes(&v).contains(&"risk.forced_labour_indicator".into()),
                "{v}"
            );
            // the bundle carries the bad attestation, and verifies the same offline
            let bundle = c
                .get(&format!("{}/v1/lots/{lot}/bundle", s.base), None)
                .await;
            let bundle = Bundle::from_bytes(&bundle.body).unwrap();
            let ids: Vec<CertId> = bundle
                .certificates
                .iter()
                .map(|b| CertId::of_cose(b))
                .collect();
            assert!(ids.contains(&certs::id(&b)), "{lot}");
            assert!(ids.contains(&certs::id(&a)), "{lot}");
        }
        // the earlier verdict of L-0 is not served stale from the cache
        let v = verdict(&c, &s, "L-0").await;
        assert_eq!(v["risk"], "high", "{v}");
        s.stop().await;
    }

    pub async fn a_named_attestation_that_is_not_stored_is_missing(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let (a, b) = (clean(&pki), ilo(&pki));
        c.created(&s.base, &a).await;
        c.created(&s.base, &march(&pki, "L-1", &[&a, &b])).await;
        let v = verdict(&c, &s, "L-1").await;
        assert_eq!(v["risk"], "unknown", "{v}");
        assert_eq!(codes(&v), ["attestation.missing"], "{v}");
        // truthful: once it is stored it counts
        c.created(&s.base, &b).await;
        let v = verdict(&c, &s, "L-1").await;
        assert_eq!(v["risk"], "high", "{v}");
        s.stop().await;
    }

    pub async fn implausible_attestations_and_long_trips(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let twenty = crew(
            &pki.auditor,
            "2026-01-15T09:00:00Z",
            "2026-01-15T00:00:00Z",
            "2046-01-15T00:00:00Z",
            |_| {},
        );
        // Plausibility is a rule the server decides at ingest (contract §5): refused, 422,
        // naming the finding; nothing is stored.
        let p = c.post_cert(&s.base, &twenty).await.problem(422);
        assert_eq!(p["findings"][0]["code"], "attestation.implausible", "{p}");
        assert!(p.to_string().contains("over 366 days"), "{p}");
        let no_crew = crew(
            &pki.auditor,
            "2026-01-15T09:00:00Z",
            "2026-01-15T00:00:00Z",
            "2027-01-15T00:00:00Z",
            |j| j["crew"] = serde_json::json!([]),
        );
        let p = c.post_cert(&s.base, &no_crew).await.problem(422);
        assert_eq!(p["findings"][0]["code"], "attestation.implausible", "{p}");
        // The truthful variant, one year, is stored.
        let year = crew(
            &pki.auditor,
            "2026-01-15T09:00:00Z",
            "2026-01-15T00:00:00Z",
            "2027-01-15T00:00:00Z",
            |_| {},
        );
        c.created(&s.base, &year).await;
        c.created(&s.base, &march(&pki, "L-1", &[&year])).await;
        let v = verdict(&c, &s, "L-1").await;
        assert_eq!(v["risk"], "low", "{v}");
        // a three-year trip: long trip (no attestation covers 2023..2026)
        let long = catch(
            &pki,
            "L-2",
            &[],
            "2023-03-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
        );
        c.created(&s.base, &long).await;
        let v = verdict(&c, &s, "L-2").await;
        let cs = codes(&v);
        assert!(cs.contains(&"risk.long_trip".into()), "{v}");
        assert!(cs.contains(&"attestation.missing".into()), "{v}");
        assert_eq!(v["risk"], "unknown", "{v}");
        s.stop().await;
    }

    pub async fn a_newer_bad_attestation_posted_later_turns_the_lot_high(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let a = clean(&pki);
        c.created(&s.base, &a).await;
        let ca = march(&pki, "L-1", &[]);
        c.created(&s.base, &ca).await;
        let landing = certs::landing(&pki.vessel, certs::id(&ca), "L-1", 100.0, "L-2", 100.0);
        c.created(&s.base, &landing).await;
        let v = verdict(&c, &s, "L-2").await;
        assert_eq!(v["risk"], "low", "{v}");
        assert_eq!(verdict(&c, &s, "L-2").await, v, "cached");
        // posted after the catch; no certificate names it
        c.created(&s.base, &ilo(&pki)).await;
        let v = verdict(&c, &s, "L-2").await;
        assert_eq!(v["risk"], "high", "{v}");
        s.stop().await;
    }
}

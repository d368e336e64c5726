//! Watch lists through the server (contract §5: posted lists, `serve --watchlist`,
//! `GET /v1/watchlists`, lot verdicts screened against every stored list), on SQLite and,
//! with `CATCHCERT_TEST_PG_URL`, PostgreSQL.

#[macro_use]
mod common;

use catchcert_model::bundle::Bundle;
use catchcert_model::{Kind, Timestamp};
use catchcert_verify::chain::{Limits, verify_bundle};
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, Issuer, Pki, RIVAL_IMO, VESSEL_IMO};
use common::{Client, Server};
use serde_json::{Value, json};

backend_suite!(workers = 2;
    a_posted_list_turns_exactly_the_lots_it_lists_high,
    lists_that_may_not_be_applied_are_refused,
);

fn catch_of(by: &Issuer, imo: &str, lot: &str) -> Vec<u8> {
    certs::sign(
        by,
        Kind::Catch,
        &json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": imo, "fao_area": "71", "gear": "LLD",
            "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
            "outputs": [{"lot": lot, "quantity_kg": 100.0, "species": "YFT"}],
        }),
    )
}

async fn verdict(c: &Client, s: &Server, lot: &str) -> Value {
    c.get(&format!("{}/v1/lots/{lot}/verification", s.base), None)
        .await
        .json()
}

async fn cache_count(c: &Client, s: &Server, result: &str) -> u64 {
    let text = String::from_utf8(c.get(&format!("{}/metrics", s.base), None).await.body).unwrap();
    let key = format!("catchcert_verdict_cache_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .map_or(0, |n| n.trim().parse().unwrap())
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

    pub async fn a_posted_list_turns_exactly_the_lots_it_lists_high(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let listed = catch_of(&pki.vessel, VESSEL_IMO, "L-LISTED");
        c.created(&s.base, &listed).await;
        c.created(
            &s.base,
            &certs::landing(
                &pki.vessel,
                certs::id(&listed),
                "L-LISTED",
                100.0,
                "L-LANDED",
                100.0,
            ),
        )
        .await;
        c.created(&s.base, &catch_of(&pki.rival, RIVAL_IMO, "L-OTHER"))
            .await;
        let empty = c
            .get(&format!("{}/v1/watchlists", s.base), None)
            .await
            .json();
        assert_eq!(empty, json!([]));
        // both verdicts computed and cached; no list yet: no attestation, risk unknown
        for lot in ["L-LANDED", "L-OTHER"] {
            let v = verdict(&c, &s, lot).await;
            assert_eq!(v["risk"], "unknown", "{v}");
            assert!(!codes(&v).contains(&"risk.watchlist".into()), "{v}");
            assert_eq!(verdict(&c, &s, lot).await, v, "served from the cache");
        }
        let list = certs::watchlist(&pki.listkeeper, "Importer watch", &[("imo", VESSEL_IMO)]);
        let list_id = c.created(&s.base, &list).await;
        let lists = c
            .get(&format!("{}/v1/watchlists", s.base), None)
            .await
            .json();
        assert_eq!(
            lists,
            json!([{"id": list_id, "name": "Importer watch",
                "source": "CBP withhold release order 2026-17", "entries": 1,
                "issuer": lists[0]["issuer"].clone()}])
        );
        assert!(
            lists[0]["issuer"].as_str().unwrap().contains("Listkeeper"),
            "{lists}"
        );
        let (hits, misses) = (
            cache_count(&c, &s, "hit").await,
            cache_count(&c, &s, "miss").await,
        );
        // the listed vessel's lot turns high, with the reason, recomputed
        let v = verdict(&c, &s, "L-LANDED").await;
        assert_eq!(v["risk"], "high", "{v}");
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "risk.watchlist")
            .unwrap_or_else(|| panic!("{v}"));
        let msg = f["message"].as_str().unwrap();
        for part in [
            VESSEL_IMO,
            "Importer watch",
            "forced labour finding",
            "CBP withhold release order",
        ] {
            assert!(msg.contains(part), "{part}: {msg}");
        }
        assert_eq!(f["certificate"], certs::id(&listed).to_string());
        assert_eq!(cache_count(&c, &s, "miss").await, misses + 1);
        // the unrelated lot's cached verdict is untouched: a hit, not a recomputation
        let v = verdict(&c, &s, "L-OTHER").await;
        assert_eq!(v["risk"], "unknown", "{v}");
        assert_eq!(cache_count(&c, &s, "hit").await, hits + 1);
        assert_eq!(cache_count(&c, &s, "miss").await, misses + 1);
        // offline: the lot's bundle carries the list and gives the same verdict
        let bundle = c
            .get(&format!("{}/v1/lots/L-LANDED/bundle", s.base), None)
            .await;
        let bundle = Bundle::from_bytes(&bundle.body).unwrap();
        assert_eq!(bundle.watchlists, vec![list.clone()]);
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let at = Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
        let offline = verify_bundle(&bundle, None, &anchors, at, &Limits::default());
        assert_eq!(offline.risk.as_str(), "high");
        assert_eq!(offline.lots, ["L-LANDED"]);
        assert!(
            offline
                .findings
                .iter()
                .any(|f| f.code.as_str() == "risk.watchlist")
        );
        s.stop().await;
    }

    pub async fn lists_that_may_not_be_applied_are_refused(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        // a vessel may not sign a watch list; an untrusted listkeeper is no listkeeper
        let wrong_role = certs::watchlist(&pki.vessel, "Rival list", &[("imo", RIVAL_IMO)]);
        let a = c.post_cert(&s.base, &wrong_role).await;
        assert_eq!(a.status, 422, "{:?}", a.json());
        assert!(a.finding_codes().contains(&"issuer.role".to_string()));
        let untrusted = certs::watchlist(&pki.stranger, "Stranger list", &[("imo", RIVAL_IMO)]);
        assert_eq!(c.post_cert(&s.base, &untrusted).await.status, 422);
        let lists = c
            .get(&format!("{}/v1/watchlists", s.base), None)
            .await
            .json();
        assert_eq!(lists, json!([]));
        s.stop().await;
    }
}

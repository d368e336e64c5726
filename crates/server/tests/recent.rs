//! The ingest's cache of recently stored certificates (`recent.rs`) changes the cost of the
//! checks, never their answers: a certificate whose named certificates this server keeps
//! decoded gets exactly the answer of a server that reads them from the store (a fresh
//! instance on the same database), accepted or refused; an entry is added only once the
//! store holds the certificate, never for a refused one.

#[macro_use]
mod common;

use catchcert_model::Kind;
use common::certs::{self, Pki};
use common::{Client, Server};
use serde_json::json;

backend_suite!(workers = 2;
    cached_and_stored_inputs_get_the_same_answers,
    only_stored_certificates_are_kept,
);

mod suite {
    use super::*;

    /// Post `bytes` to `warm` (whose cache holds each of `named`) and to a fresh server on
    /// the same database (whose cache is empty), then to that fresh server again (its
    /// cache now filled from its store reads): the same status and body each time (200
    /// after a 201), and the certificate is kept by both when stored, by neither when
    /// refused.
    async fn same_answer(
        url: &str,
        pki: &Pki,
        warm: &Server,
        named: &[&[u8]],
        bytes: &[u8],
    ) -> (u16, serde_json::Value) {
        let c = Client::default();
        for n in named {
            assert!(
                warm.state.recent().contains(&certs::id(n)),
                "the named certificate is not in the warm server's cache"
            );
        }
        let fresh = Server::start(url, &pki.root_pem).await;
        assert!(fresh.state.recent().is_empty());
        let cached = c.post_cert(&warm.base, bytes).await;
        let stored = c.post_cert(&fresh.base, bytes).await;
        for n in named {
            assert!(
                fresh.state.recent().contains(&certs::id(n)),
                "a store read of a named certificate is kept"
            );
        }
        let read_back = c.post_cert(&fresh.base, bytes).await;
        let id = certs::id(bytes);
        // Stored through `warm` (201), the certificate is then already stored (200).
        let accepted = |status| if status == 201 { 200 } else { status };
        for (what, a) in [("store", &stored), ("kept read", &read_back)] {
            assert_eq!(
                (accepted(cached.status), cached.json()),
                (a.status, a.json()),
                "cached inputs and {what} answer differently"
            );
        }
        let kept = cached.status < 400;
        assert_eq!(warm.state.recent().contains(&id), kept, "kept iff stored");
        assert_eq!(fresh.state.recent().contains(&id), kept, "kept iff stored");
        fresh.stop().await;
        (cached.status, cached.json())
    }

    fn codes(body: &serde_json::Value) -> Vec<String> {
        body["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|f| f["code"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn cached_and_stored_inputs_get_the_same_answers(url: &str) {
        let pki = Pki::new();
        let warm = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "R-1", 100.0);
        let catch_id = certs::id(&catch);
        c.created(&warm.base, &catch).await;
        let landed = certs::landing(&pki.vessel, catch_id, "R-1", 60.0, "R-2", 60.0);
        c.created(&warm.base, &landed).await;

        // Over-consumption: 60 kg more of the 100 kg lot, of which 60 kg are consumed
        // (refused by the store's atomic check).
        let over = certs::landing(&pki.vessel, catch_id, "R-1", 60.0, "R-3", 60.0);
        let (status, body) = same_answer(url, &pki, &warm, &[&catch], &over).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["type"], "urn:catchcert:problem:over-consumption");

        // A lot the catch does not output.
        let wrong_lot = certs::landing(&pki.vessel, catch_id, "R-9", 10.0, "R-4", 10.0);
        let (status, body) = same_answer(url, &pki, &warm, &[&catch], &wrong_lot).await;
        assert_eq!((status, codes(&body)), (422, vec!["link.lot".to_string()]));

        // Custody: another vessel takes the catch at sea.
        let taken = certs::sign(
            &pki.rival,
            Kind::Transshipment,
            &json!({"time": "2026-03-02T12:00:00Z", "from_vessel_imo": certs::RIVAL_IMO,
                    "to_vessel_imo": "IMO9354521", "at_sea": true, "fao_area": "71",
                    "inputs": [{"certificate": catch_id.to_string(), "lot": "R-1", "quantity_kg": 10.0}],
                    "outputs": [{"lot": "R-1", "quantity_kg": 10.0}]}),
        );
        let (status, body) = same_answer(url, &pki, &warm, &[&catch], &taken).await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["link.custody".to_string()])
        );

        // Species followed through the landing's output without a species; and signed
        // before the catch it names was signed.
        let skipjack = |issued_at: &str| {
            certs::sign_at(
                &pki.processor,
                Kind::Shipment,
                &json!({"time": "2026-03-05T10:00:00Z", "from": certs::PLANT, "to": certs::IMPORTER,
                        "inputs": [{"certificate": certs::id(&landed).to_string(), "lot": "R-2", "quantity_kg": 10.0}],
                        "outputs": [{"lot": "R-2", "quantity_kg": 10.0, "species": "SKJ"}]}),
                issued_at,
            )
        };
        let (status, body) =
            same_answer(url, &pki, &warm, &[&landed], &skipjack(certs::ISSUED_AT)).await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["link.species".to_string()])
        );
        let (status, body) = same_answer(
            url,
            &pki,
            &warm,
            &[&landed],
            &skipjack("2026-05-01T00:00:00Z"),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(codes(&body).contains(&"time.order".to_string()), "{body}");

        // Custody of a lot whose holder is judged by the bindings of the stored
        // certificate's validated issuer (kept with the entry): the shipment was stored
        // through `warm`, so its issuer comes from its own ingest.
        let ship = certs::shipment(&pki.processor, certs::id(&landed), "R-2", 50.0);
        c.created(&warm.base, &ship).await;
        let onward = |by: &certs::Issuer, from: &str| {
            certs::sign(
                by,
                Kind::Shipment,
                &json!({"time": "2026-03-06T10:00:00Z", "from": from, "to": "Store 9",
                        "inputs": [{"certificate": certs::id(&ship).to_string(), "lot": "R-2", "quantity_kg": 50.0}],
                        "outputs": [{"lot": "R-2", "quantity_kg": 50.0}]}),
            )
        };
        let (status, body) = same_answer(
            url,
            &pki,
            &warm,
            &[&ship],
            &onward(&pki.processor, certs::PLANT),
        )
        .await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["link.custody".to_string()])
        );

        // The holder of a processing's lots is its issuer, matched by the bindings of the
        // stored processing's validated issuer: kept from the processing's own ingest here,
        // validated again from the store by the fresh server.
        let processed = certs::sign(
            &pki.processor,
            Kind::Processing,
            &json!({"time": "2026-03-04T10:00:00Z", "facility": catchcert_demo::FACILITY,
                    "inputs": [{"certificate": certs::id(&landed).to_string(), "lot": "R-2", "quantity_kg": 10.0}],
                    "outputs": [{"lot": "R-5", "quantity_kg": 8.0, "species": "YFT", "product": "loins"}]}),
        );
        c.created(&warm.base, &processed).await;
        let loins = |by: &certs::Issuer, from: &str| {
            certs::sign(
                by,
                Kind::Shipment,
                &json!({"time": "2026-03-06T10:00:00Z", "from": from, "to": "Store 9",
                        "inputs": [{"certificate": certs::id(&processed).to_string(), "lot": "R-5", "quantity_kg": 8.0}],
                        "outputs": [{"lot": "R-5", "quantity_kg": 8.0}]}),
            )
        };
        let (status, body) = same_answer(
            url,
            &pki,
            &warm,
            &[&processed],
            &loins(&pki.importer, certs::IMPORTER),
        )
        .await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["link.custody".to_string()])
        );
        let (status, body) = same_answer(
            url,
            &pki,
            &warm,
            &[&processed],
            &loins(&pki.processor, certs::PLANT),
        )
        .await;
        assert_eq!(status, 201, "{body}");

        // Accepted through the cache: the importer ships on what it holds; a fresh server
        // then answers 200, as it would have if the first answer had come from the store.
        let fine = onward(&pki.importer, certs::IMPORTER);
        c.created(&warm.base, &fine).await;
        assert!(warm.state.recent().contains(&certs::id(&fine)));
        let fresh = Server::start(url, &pki.root_pem).await;
        assert_eq!(c.post_cert(&fresh.base, &fine).await.status, 200);
        fresh.stop().await;

        // Revocations: by a signer that did not sign the target (its key is the cached
        // issuer's), and of a revocation.
        let not_theirs = certs::revocation(&pki.rival, catch_id, "not ours");
        let (status, body) = same_answer(url, &pki, &warm, &[&catch], &not_theirs).await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["issuer.role".to_string()])
        );
        let own = certs::revocation(&pki.vessel, catch_id, "entered twice");
        c.created(&warm.base, &own).await;
        let of_revocation = certs::revocation(&pki.registrar, certs::id(&own), "undo");
        let (status, body) = same_answer(url, &pki, &warm, &[&own], &of_revocation).await;
        assert_eq!(
            (status, codes(&body)),
            (422, vec!["issuer.role".to_string()])
        );

        warm.stop().await;
    }

    pub async fn only_stored_certificates_are_kept(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let recent = s.state.recent();
        // Refused by the checks (untrusted issuer): not kept.
        let stranger = certs::catch(&pki.stranger, "K-0", 10.0);
        assert_eq!(c.post_cert(&s.base, &stranger).await.status, 422);
        assert!(!recent.contains(&certs::id(&stranger)));
        assert!(recent.is_empty());
        // Created: kept.
        let catch = certs::catch(&pki.vessel, "K-1", 100.0);
        c.created(&s.base, &catch).await;
        assert!(recent.contains(&certs::id(&catch)));
        // Refused by the store (a second lineage of lot K-1, 409): not kept.
        let twice = certs::catch(&pki.vessel, "K-1", 99.0);
        assert_eq!(c.post_cert(&s.base, &twice).await.status, 409);
        assert!(!recent.contains(&certs::id(&twice)));
        // Over-consumption, refused by the store: not kept.
        let all = certs::landing(&pki.vessel, certs::id(&catch), "K-1", 100.0, "K-2", 100.0);
        c.created(&s.base, &all).await;
        let more = certs::landing(&pki.vessel, certs::id(&catch), "K-1", 1.0, "K-3", 1.0);
        assert_eq!(c.post_cert(&s.base, &more).await.status, 409);
        assert!(!recent.contains(&certs::id(&more)));
        assert_eq!(recent.len(), 2);
        // Already stored, through another instance: kept by this one too.
        let other = Server::start(url, &pki.root_pem).await;
        assert!(other.state.recent().is_empty());
        assert_eq!(c.post_cert(&other.base, &catch).await.status, 200);
        assert!(other.state.recent().contains(&certs::id(&catch)));
        other.stop().await;
        s.stop().await;
    }
}

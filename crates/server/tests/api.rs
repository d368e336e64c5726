//! The HTTP API suite (contract §5), over real HTTP on `127.0.0.1:0`, run on both
//! backends: SQLite in a temporary directory, and PostgreSQL when `CATCHCERT_TEST_PG_URL`
//! is set (`.ci/with-postgres cargo test -p catchcert-server`), each test in a fresh
//! database of its own. Without the variable the PostgreSQL half is skipped with a notice
//! on stderr, unless `CI` is set, in which case it fails.

#[macro_use]
mod common;

use common::certs::{self, Pki};
use common::{Client, Server};

backend_suite!(workers = 4;
    chain_round_trip,
    double_sale_race,
    bad_input_is_refused_and_nothing_is_stored,
    issuer_and_signature_failures,
    revocation_changes_the_verdict_on_every_instance,
    two_servers_share_one_database,
    operations_endpoints,
    who_may_speak_for_what,
);

/// A client that never finishes its upload is answered 503 (problem+json) when the
/// request timeout runs out, and the server stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_is_stopped_by_the_request_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = common::sqlite_db().await.unwrap();
    let pki = Pki::new();
    let config = catchcert_server::Config {
        request_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    let s = Server::start_with(db.url(), &pki.root_pem, config).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(
        b"POST /v1/certificates HTTP/1.1\r\nHost: x\r\nContent-Type: application/cose\r\n\
          Content-Length: 1000\r\n\r\nonly part of it",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(text.contains("urn:catchcert:problem:timeout"), "{text}");
    assert!(text.contains("REQUEST_TIMEOUT_SECS"), "{text}");
    let c = Client::default();
    c.created(&s.base, &certs::catch(&pki.vessel, "A-1", 1.0))
        .await;
    let m = c.get(&format!("{}/metrics", s.base), None).await;
    let text = String::from_utf8(m.body).unwrap();
    assert!(text.contains("catchcert_http_timeouts_total 1"), "{text}");
    s.stop().await;
}

mod suite {
    use super::*;
    use serde_json::Value;

    const BUNDLE: &str = "application/vnd.catchcert.bundle+cbor";

    fn codes(v: &Value) -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }

    /// catch → landing → shipment; repeats; GET as bytes and JSON; lot verdicts; the
    /// bundle of a lot verifies to the same verdict through `POST /v1/verify`.
    pub async fn chain_round_trip(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "C-1", 1000.0);
        let landing = certs::landing(&pki.vessel, certs::id(&catch), "C-1", 1000.0, "L-1", 990.0);
        let ship = certs::shipment(&pki.processor, certs::id(&landing), "L-1", 990.0);
        for b in [&catch, &landing, &ship] {
            c.created(&s.base, b).await;
        }
        // A repeat is 200 with the same id, and stores nothing new.
        let again = c.post_cert(&s.base, &landing).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.json()["id"], certs::id(&landing).to_string());
        assert!(again.headers.get("location").is_none());
        assert_eq!(s.count().await, 3);

        // Bytes, exactly as posted.
        let ship_id = certs::id(&ship);
        let url_ship = format!("{}/v1/certificates/{ship_id}", s.base);
        let a = c.get(&url_ship, None).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.content_type(), "application/cose");
        assert_eq!(a.body, ship);
        // JSON on request.
        let a = c.get(&url_ship, Some("application/json")).await;
        assert_eq!(a.status, 200);
        assert!(a.content_type().starts_with("application/json"));
        let j = a.json();
        assert_eq!(j["id"], ship_id.to_string());
        assert_eq!(j["kind"], "shipment");
        assert!(j["issuer"].as_str().unwrap().contains("CN=Plant"), "{j}");
        assert_eq!(j["payload"]["kind"], "shipment");
        assert_eq!(
            j["payload"]["inputs"][0]["certificate"],
            certs::id(&landing).to_string()
        );
        assert_eq!(j["payload"]["outputs"][0]["quantity_kg"], 990.0);
        // COSE preferred over JSON: bytes.
        let a = c
            .get(&url_ship, Some("application/cose, application/json;q=0.5"))
            .await;
        assert_eq!(a.body, ship);

        // The holder of L-1 is the shipment (it passes the lot on and nobody consumes it).
        let v = c
            .get(&format!("{}/v1/lots/L-1/verification", s.base), None)
            .await;
        assert_eq!(v.status, 200, "{}", String::from_utf8_lossy(&v.body));
        let verdict = v.json();
        assert_eq!(verdict["head"], ship_id.to_string());
        assert_eq!(verdict["integrity"], "valid", "{verdict}");
        assert_eq!(verdict["certificates"], 3);
        // No crew attestation covers the catch: risk unknown, not low.
        assert_eq!(verdict["risk"], "unknown", "{verdict}");
        assert!(codes(&verdict).contains(&"attestation.missing".to_string()));
        // C-1 is wholly consumed: its holder is the catch that output it.
        let v = c
            .get(&format!("{}/v1/lots/C-1/verification", s.base), None)
            .await;
        assert_eq!(v.json()["head"], certs::id(&catch).to_string());
        assert_eq!(v.json()["certificates"], 1);

        // Bundle round trip: same verdict, statelessly.
        let b = c.get(&format!("{}/v1/lots/L-1/bundle", s.base), None).await;
        assert_eq!(b.status, 200);
        assert_eq!(b.content_type(), BUNDLE);
        let bundle = catchcert_model::bundle::Bundle::from_bytes(&b.body).unwrap();
        assert_eq!(bundle.head, ship_id);
        assert_eq!(bundle.certificates.len(), 3);
        // Issuer chains of both signers, never the root.
        assert_eq!(bundle.issuers.len(), 2);
        let r = c
            .post(&format!("{}/v1/verify", s.base), BUNDLE, b.body.clone())
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json(), verdict);
        // ?head= picks another head in the bundle.
        let r = c
            .post(
                &format!("{}/v1/verify?head={}", s.base, certs::id(&landing)),
                BUNDLE,
                b.body.clone(),
            )
            .await;
        assert_eq!(r.json()["head"], certs::id(&landing).to_string());
        assert_eq!(r.json()["certificates"], 2);

        // Lot ids with a `/` travel as %2F.
        let odd = certs::catch(&pki.vessel, "urn:lot/7+x", 5.0);
        let a = c.post_cert(&s.base, &odd).await;
        assert_eq!(a.status, 201);
        assert_eq!(
            a.headers["location"],
            format!("/v1/certificates/{}", certs::id(&odd)).as_str()
        );
        let v = c
            .get(
                &format!("{}/v1/lots/urn:lot%2F7+x/verification", s.base),
                None,
            )
            .await;
        assert_eq!(v.status, 200, "{}", String::from_utf8_lossy(&v.body));
        assert_eq!(v.json()["head"], certs::id(&odd).to_string());
        s.stop().await;
    }

    /// 16 concurrent posts, each consuming the whole of one lot: exactly one is stored.
    pub async fn double_sale_race(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "R-1", 1000.0);
        let catch_id = certs::id(&catch);
        c.created(&s.base, &catch).await;
        let sales: Vec<Vec<u8>> = (0..16)
            .map(|i| {
                certs::landing(
                    &pki.vessel,
                    catch_id,
                    "R-1",
                    1000.0,
                    &format!("R-1-{i}"),
                    1000.0,
                )
            })
            .collect();
        let tasks: Vec<_> = sales
            .iter()
            .map(|b| {
                let (c, base, b) = (c.clone(), s.base.clone(), b.clone());
                tokio::spawn(async move { c.post_cert(&base, &b).await })
            })
            .collect();
        let mut created = 0;
        for t in tasks {
            let a = t.await.unwrap();
            if a.status == 201 {
                created += 1;
                continue;
            }
            let p = a.problem(409);
            assert_eq!(p["type"], "urn:catchcert:problem:over-consumption");
            assert_eq!(p["lot"], "R-1");
            assert_eq!(p["certificate"], catch_id.to_string());
            assert_eq!(p["output_kg"], 1000.0);
            assert_eq!(p["consumed_kg"], 1000.0);
            assert_eq!(p["requested_kg"], 1000.0);
            let detail = p["detail"].as_str().unwrap();
            assert!(
                detail.contains("R-1") && detail.contains("1000 kg"),
                "{detail}"
            );
        }
        assert_eq!(created, 1, "exactly one sale of the lot is stored");
        assert_eq!(s.count().await, 2);
        s.stop().await;
    }

    /// Every kind of bad request gets its status as problem+json, and stores nothing.
    pub async fn bad_input_is_refused_and_nothing_is_stored(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let base = &s.base;
        let catch = certs::catch(&pki.vessel, "B-1", 100.0);
        let catch_id = certs::id(&catch);
        c.created(base, &catch).await;
        assert_eq!(s.count().await, 1);

        // 400: not COSE at all; COSE_Sign1 whose payload is not a certificate payload.
        let p = c.post_cert(base, b"not a certificate").await.problem(400);
        assert_eq!(p["type"], "urn:catchcert:problem:malformed-certificate");
        let junk =
            catchcert_sign::cose::sign_bytes(b"\xa0", &pki.vessel.key, &pki.vessel.chain).unwrap();
        c.post_cert(base, &junk).await.problem(400);
        // 400: a signed payload whose lot id is not GS1 AI (10) (an invisible U+200B, a
        // Cyrillic letter), refused naming the field.
        for bad in ["B\u{200B}1", "B-\u{0421}1"] {
            // A validated payload cannot hold such a lot id: edit the encoded text of the
            // output lot (its only occurrence) in the signed bytes' payload.
            let cbor = catchcert_verify::cose::decode(&catch).unwrap().payload;
            let text = |s: &str| [&[0x60 | s.len() as u8][..], s.as_bytes()].concat();
            let (old, new) = (text("B-1"), text(bad));
            let at: Vec<usize> = (0..cbor.len())
                .filter(|i| cbor[*i..].starts_with(&old))
                .collect();
            assert_eq!(at.len(), 1, "the output lot appears once");
            let edited = [&cbor[..at[0]], &new[..], &cbor[at[0] + old.len()..]].concat();
            let signed =
                catchcert_sign::cose::sign_bytes(&edited, &pki.vessel.key, &pki.vessel.chain)
                    .unwrap();
            let p = c.post_cert(base, &signed).await.problem(400);
            assert!(p.to_string().contains("outputs[0].lot"), "{bad:?}: {p}");
        }
        // 400 at exactly the limit (the limit itself is accepted for reading).
        let at_limit = vec![0u8; 1 << 20];
        c.post_cert(base, &at_limit).await.problem(400);

        // 415: another content type, or none.
        let landing = certs::landing(&pki.vessel, catch_id, "B-1", 100.0, "B-2", 100.0);
        let p = c
            .post(
                &format!("{base}/v1/certificates"),
                "application/cbor",
                landing.clone(),
            )
            .await
            .problem(415);
        assert_eq!(p["type"], "urn:catchcert:problem:unsupported-media-type");
        let a = c
            .request(|h| {
                h.post(format!("{base}/v1/certificates"))
                    .body(landing.clone())
            })
            .await;
        a.problem(415);

        // 413: one byte over 1 MiB.
        let big = vec![0u8; (1 << 20) + 1];
        let p = c.post_cert(base, &big).await.problem(413);
        assert_eq!(p["type"], "urn:catchcert:problem:body-too-large");

        // 422: an input that is not stored.
        let ghost = certs::catch(&pki.vessel, "G-1", 100.0);
        let orphan = certs::landing(&pki.vessel, certs::id(&ghost), "G-1", 100.0, "G-2", 100.0);
        let a = c.post_cert(base, &orphan).await;
        assert_eq!(a.finding_codes(), ["link.missing"]);
        let p = a.json();
        assert_eq!(p["type"], "urn:catchcert:problem:verification-failed");
        let f = &p["findings"][0];
        assert_eq!(f["severity"], "error");
        assert_eq!(f["certificate"], certs::id(&orphan).to_string());
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(&certs::id(&ghost).to_string())
        );
        // 422: a lot the input certificate does not output.
        let wrong_lot = certs::landing(&pki.vessel, catch_id, "NOPE", 10.0, "B-3", 10.0);
        assert_eq!(
            c.post_cert(base, &wrong_lot).await.finding_codes(),
            ["link.lot"]
        );
        // 422: earlier than the catch it consumes.
        let early = certs::landing_at(
            &pki.vessel,
            "2026-03-01T00:00:00Z",
            catch_id,
            "B-1",
            10.0,
            "B-4",
            10.0,
        );
        let found = c.post_cert(base, &early).await.finding_codes();
        assert!(
            found.iter().all(|c| c == "time.order") && !found.is_empty(),
            "{found:?}"
        );
        // 422: more out than in.
        let swell = certs::landing(&pki.vessel, catch_id, "B-1", 10.0, "B-5", 20.0);
        let refused = c.post_cert(base, &swell).await;
        assert_eq!(refused.finding_codes(), ["mass_balance.exceeded"]);
        // The same message as the offline verifier's (one copy of the rule).
        assert_eq!(
            refused.problem(422)["findings"][0]["message"],
            "outputs weigh 20 kg but inputs only 10 kg (yield 200.0 %)"
        );

        // 404: unknown lot, unknown certificate; 400: malformed id.
        for route in ["verification", "bundle"] {
            let p = c
                .get(&format!("{base}/v1/lots/NOPE/{route}"), None)
                .await
                .problem(404);
            assert!(p["detail"].as_str().unwrap().contains("NOPE"), "{p}");
        }
        let zero = format!("sha256:{}", "0".repeat(64));
        c.get(&format!("{base}/v1/certificates/{zero}"), None)
            .await
            .problem(404);
        c.get(&format!("{base}/v1/certificates/sha256:xyz"), None)
            .await
            .problem(400);
        c.get(&format!("{base}/v1/certificates/{}", catch_id.hex()), None)
            .await
            .problem(400);

        // 400: invalid percent-encoding, or bytes that are not UTF-8.
        for bad in ["%ZZ", "B%2", "%FF%FE"] {
            let p = c
                .get(&format!("{base}/v1/lots/{bad}/verification"), None)
                .await
                .problem(400);
            assert_eq!(p["type"], "urn:catchcert:problem:bad-parameter", "{bad}");
            c.get(&format!("{base}/v1/lots/{bad}/bundle"), None)
                .await
                .problem(400);
        }

        // POST /v1/verify: not a bundle (400), wrong type (415), malformed head (400).
        c.post(&format!("{base}/v1/verify"), BUNDLE, b"junk".to_vec())
            .await
            .problem(400);
        c.post(
            &format!("{base}/v1/verify"),
            "application/cbor",
            b"junk".to_vec(),
        )
        .await
        .problem(415);
        c.post(
            &format!("{base}/v1/verify?head=nope"),
            BUNDLE,
            b"junk".to_vec(),
        )
        .await
        .problem(400);

        // No route (404) and a route without that method (405), as problems too.
        c.get(&format!("{base}/v2/nothing"), None)
            .await
            .problem(404);
        c.request(|h| h.delete(format!("{base}/v1/certificates")))
            .await
            .problem(405);

        assert_eq!(s.count().await, 1, "nothing but the catch is stored");
        s.stop().await;
    }

    /// Untrusted issuer, wrong role, bad signature: 422 with the contract's codes.
    pub async fn issuer_and_signature_failures(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let a = c
            .post_cert(&s.base, &certs::catch(&pki.stranger, "U-1", 10.0))
            .await;
        assert_eq!(a.finding_codes(), ["issuer.untrusted"]);
        let a = c
            .post_cert(&s.base, &certs::catch(&pki.processor, "U-2", 10.0))
            .await;
        assert_eq!(a.finding_codes(), ["issuer.role"]);
        let mut tampered = certs::catch(&pki.vessel, "U-3", 10.0);
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01; // inside the signature
        let a = c.post_cert(&s.base, &tampered).await;
        assert_eq!(a.finding_codes(), ["signature.invalid"]);
        assert_eq!(s.count().await, 0);
        s.stop().await;
    }

    /// A revocation stored through one instance changes the verdict served by another
    /// that had cached it; revocations follow the role rules.
    pub async fn revocation_changes_the_verdict_on_every_instance(url: &str) {
        let pki = Pki::new();
        let a = Server::start(url, &pki.root_pem).await;
        let b = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "V-1", 500.0);
        let landing = certs::landing(&pki.vessel, certs::id(&catch), "V-1", 500.0, "V-2", 500.0);
        c.created(&a.base, &catch).await;
        c.created(&a.base, &landing).await;
        let lot = format!("{}/v1/lots/V-2/verification", a.base);
        let first = c.get(&lot, None).await.json();
        assert_eq!(first["integrity"], "valid", "{first}");
        // Served again from the cache: same verdict.
        assert_eq!(c.get(&lot, None).await.json(), first);
        assert_eq!(a.state.cache().len(), 1);

        // A processor may not revoke the vessel's landing.
        let r = certs::revocation(&pki.processor, certs::id(&landing), "not mine");
        assert_eq!(
            c.post_cert(&b.base, &r).await.finding_codes(),
            ["issuer.role"]
        );
        // The vessel may revoke its own landing, here through the other instance.
        let r = certs::revocation(&pki.vessel, certs::id(&landing), "wrong port");
        c.created(&b.base, &r).await;
        let after = c.get(&lot, None).await.json();
        assert_eq!(after["integrity"], "invalid", "{after}");
        assert!(
            codes(&after).contains(&"certificate.revoked".to_string()),
            "{after}"
        );
        assert_eq!(after["certificates"], 3);
        // An auditor may not revoke another issuer's catch (it withdraws its own
        // attestations only): refused, it could not take effect.
        let r = certs::revocation(&pki.auditor, certs::id(&catch), "audit");
        assert_eq!(
            c.post_cert(&a.base, &r).await.finding_codes(),
            ["issuer.role"]
        );
        // A registrar may revoke anything, e.g. the catch.
        let r = certs::revocation(&pki.registrar, certs::id(&catch), "withdrawn");
        c.created(&a.base, &r).await;
        // A revocation cannot itself be revoked, not even by a registrar.
        let undo = certs::revocation(&pki.registrar, certs::id(&r), "undo");
        assert_eq!(
            c.post_cert(&a.base, &undo).await.finding_codes(),
            ["issuer.role"]
        );
        let metrics = c.get(&format!("{}/metrics", a.base), None).await;
        let text = String::from_utf8(metrics.body).unwrap();
        assert!(
            text.contains("catchcert_verdict_cache_total{result=\"hit\"} 1"),
            "{text}"
        );
        a.stop().await;
        b.stop().await;
    }

    /// Two instances over one database see each other's writes, and a double sale raced
    /// across both still stores exactly one.
    pub async fn two_servers_share_one_database(url: &str) {
        let pki = Pki::new();
        let a = Server::start(url, &pki.root_pem).await;
        let b = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let catch = certs::catch(&pki.vessel, "T-1", 700.0);
        let catch_id = certs::id(&catch);
        c.created(&a.base, &catch).await;
        let got = c
            .get(&format!("{}/v1/certificates/{catch_id}", b.base), None)
            .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, catch);
        // Posting the same certificate to the other instance: already stored.
        assert_eq!(c.post_cert(&b.base, &catch).await.status, 200);

        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let bytes = certs::landing(
                    &pki.vessel,
                    catch_id,
                    "T-1",
                    700.0,
                    &format!("T-1-{i}"),
                    700.0,
                );
                let base = if i % 2 == 0 {
                    a.base.clone()
                } else {
                    b.base.clone()
                };
                let c = c.clone();
                tokio::spawn(async move { c.post_cert(&base, &bytes).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().status);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            15,
            "{statuses:?}"
        );
        assert_eq!(a.count().await, 2);
        let v = c
            .get(&format!("{}/v1/lots/T-1/verification", b.base), None)
            .await;
        assert_eq!(v.status, 200);
        assert_eq!(v.json()["integrity"], "valid");
        a.stop().await;
        b.stop().await;
    }

    /// Health, metrics, OpenAPI and request ids.
    pub async fn operations_endpoints(url: &str) {
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        let h = c.get(&format!("{}/healthz", s.base), None).await;
        assert_eq!(h.status, 200);
        assert_eq!(h.json()["status"], "ok");
        let id = h
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(id.len(), 36, "a UUID request id: {id:?}");
        let echoed = c
            .request(|cl| {
                cl.get(format!("{}/healthz", s.base))
                    .header("x-request-id", "req-42")
            })
            .await;
        assert_eq!(echoed.headers["x-request-id"], "req-42");
        // Errors carry a request id too.
        let e = c
            .get(&format!("{}/v1/lots/NOPE/bundle", s.base), None)
            .await;
        assert!(e.headers.contains_key("x-request-id"));

        c.created(&s.base, &certs::catch(&pki.vessel, "M-1", 1.0))
            .await;
        let _ = c.post_cert(&s.base, b"junk").await;
        let m = c.get(&format!("{}/metrics", s.base), None).await;
        assert_eq!(m.status, 200);
        assert!(m.content_type().starts_with("application/openmetrics-text"));
        let text = String::from_utf8(m.body).unwrap();
        for needle in [
            "catchcert_http_requests_total{method=\"POST\",route=\"/v1/certificates\",status=\"201\"} 1",
            "catchcert_http_requests_total{method=\"POST\",route=\"/v1/certificates\",status=\"400\"} 1",
            "catchcert_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 2",
            "catchcert_certificates_stored 1",
            "catchcert_certificate_posts_total{outcome=\"created\"} 1",
            "catchcert_certificate_posts_total{outcome=\"malformed\"} 1",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }

        let o = c.get(&format!("{}/openapi.json", s.base), None).await;
        assert_eq!(o.status, 200);
        let doc = o.json();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/v1/certificates",
            "/v1/certificates/{id}",
            "/v1/lots/{lot}/verification",
            "/v1/lots/{lot}/bundle",
            "/v1/verify",
            "/healthz",
            "/metrics",
            "/openapi.json",
        ] {
            assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
        }
        assert!(
            doc["paths"]["/v1/certificates"]["post"]["responses"]
                .get("409")
                .is_some()
        );
        assert!(doc["components"]["schemas"].get("Problem").is_some());
        s.stop().await;
    }

    /// Issue 16 at the server: each attack is refused (422 with its finding, 409 for a
    /// second lineage of a lot id) and nothing is stored; the truthful variant is stored.
    pub async fn who_may_speak_for_what(url: &str) {
        use catchcert_model::Kind;
        use serde_json::json;
        let pki = Pki::new();
        let s = Server::start(url, &pki.root_pem).await;
        let c = Client::default();
        // A vessel key signs a catch naming another vessel's IMO.
        let forged = certs::catch(&pki.rival, "S-1", 100.0);
        assert_eq!(
            c.post_cert(&s.base, &forged).await.finding_codes(),
            ["issuer.scope"]
        );
        let catch = certs::catch(&pki.vessel, "S-1", 100.0);
        let catch_id = certs::id(&catch);
        c.created(&s.base, &catch).await;
        // One catch signed twice: a second lineage of lot S-1.
        let twice = certs::catch(&pki.vessel, "S-1", 99.0);
        let a = c.post_cert(&s.base, &twice).await;
        let p = a.problem(409);
        assert_eq!(p["type"], "urn:catchcert:problem:lot-conflict", "{p}");
        assert_eq!(p["findings"][0]["code"], "link.lot_conflict", "{p}");
        assert_eq!(
            p["findings"][0]["certificate"],
            certs::id(&twice).to_string()
        );
        assert_eq!(p["certificate"], catch_id.to_string(), "{p}");
        // A transshipment that takes the catch from a vessel that does not hold it.
        let transship = |by: &certs::Issuer, from: &str| {
            certs::sign(
                by,
                Kind::Transshipment,
                &json!({"time": "2026-03-02T12:00:00Z", "from_vessel_imo": from,
                        "to_vessel_imo": "IMO9354521", "at_sea": true, "fao_area": "71",
                        "inputs": [{"certificate": catch_id.to_string(), "lot": "S-1", "quantity_kg": 50.0}],
                        "outputs": [{"lot": "S-1", "quantity_kg": 50.0}]}),
            )
        };
        assert_eq!(
            c.post_cert(&s.base, &transship(&pki.rival, certs::RIVAL_IMO))
                .await
                .finding_codes(),
            ["link.custody"]
        );
        // A landing that turns yellowfin into skipjack.
        let landing = |species: Option<&str>, issued_at: &str| {
            let mut out = json!({"lot": "S-2", "quantity_kg": 50.0});
            if let Some(sp) = species {
                out["species"] = json!(sp);
            }
            certs::sign_at(
                &pki.vessel,
                Kind::Landing,
                &json!({"time": "2026-03-03T08:00:00Z", "port": "IDBIT",
                        "inputs": [{"certificate": catch_id.to_string(), "lot": "S-1", "quantity_kg": 50.0}],
                        "outputs": [out]}),
                issued_at,
            )
        };
        assert_eq!(
            c.post_cert(&s.base, &landing(Some("SKJ"), certs::ISSUED_AT))
                .await
                .finding_codes(),
            ["link.species"]
        );
        // Signed before the catch it names was signed.
        assert_eq!(
            c.post_cert(&s.base, &landing(None, "2026-05-01T00:00:00Z"))
                .await
                .finding_codes(),
            ["time.order"]
        );
        let landed = landing(Some("YFT"), certs::ISSUED_AT);
        c.created(&s.base, &landed).await;
        let ship = certs::shipment(&pki.processor, certs::id(&landed), "S-2", 50.0);
        c.created(&s.base, &ship).await;
        // An unrelated trader ships on a lot shipped to the importer.
        let onward = |by: &certs::Issuer, from: &str| {
            certs::sign(
                by,
                Kind::Shipment,
                &json!({"time": "2026-03-06T10:00:00Z", "from": from, "to": "Store 9",
                        "inputs": [{"certificate": certs::id(&ship).to_string(), "lot": "S-2", "quantity_kg": 50.0}],
                        "outputs": [{"lot": "S-2", "quantity_kg": 50.0}]}),
            )
        };
        assert_eq!(
            c.post_cert(&s.base, &onward(&pki.processor, certs::PLANT))
                .await
                .finding_codes(),
            ["link.custody"]
        );
        c.created(&s.base, &onward(&pki.importer, certs::IMPORTER))
            .await;
        let v = c
            .get(&format!("{}/v1/lots/S-2/verification", s.base), None)
            .await
            .json();
        assert_eq!(v["integrity"], "valid", "{v}");
        assert_eq!(v["certificates"], 4, "{v}");
        assert_eq!(v["lots"], json!(["S-2"]), "{v}");
        s.stop().await;
    }
}

//! The transparency log through the server (docs/transparency.md), on SQLite and, with
//! `CATCHCERT_TEST_PG_URL`, PostgreSQL: dense indexes answered by POST, checkpoints that
//! grow, tiles from which an independent reader recomputes the root, inclusion and
//! consistency proofs that verify, and two servers on one database sharing one log.

#[macro_use]
mod common;

use catchcert_server::log::LogConfig;
use catchcert_tlog::{Hash, MemoryLog, NoteKey};
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, Pki};
use common::{Client, Server};

backend_suite!(workers = 2;
    indexes_are_dense_and_proofs_verify,
    two_servers_share_one_log,
    bundles_carry_proofs_that_verify_offline,
);

const ORIGIN: &str = "test.example/log";

fn log_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[42; 32])
}

async fn start(url: &str, root_pem: &str) -> Server {
    Server::start_logged(url, root_pem, LogConfig::new(ORIGIN, log_key())).await
}

fn note_key() -> NoteKey {
    NoteKey::new(ORIGIN, log_key().verifying_key())
}

fn unhex(s: &serde_json::Value) -> Hash {
    hex::decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn hashes(v: &serde_json::Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(unhex).collect()
}

mod suite {
    use super::*;

    pub async fn bundles_carry_proofs_that_verify_offline(url: &str) {
        use catchcert_model::bundle::Bundle;
        use catchcert_verify::chain::{Limits, verify_bundle};
        use catchcert_verify::codes::Code;
        use catchcert_verify::logproof::{self, LogTrust};
        let pki = Pki::new();
        let s = start(url, &pki.root_pem).await;
        let c = Client::default();
        // An unrelated entry first, so that indexes and the tree are not trivial.
        assert_eq!(
            c.post_cert(&s.base, &certs::catch(&pki.vessel, "OTHER", 5.0))
                .await
                .status,
            201
        );
        let catch = certs::catch(&pki.vessel, "L-CAUGHT", 100.0);
        assert_eq!(c.post_cert(&s.base, &catch).await.status, 201);
        let landing = certs::landing(
            &pki.vessel,
            certs::id(&catch),
            "L-CAUGHT",
            100.0,
            "L-LANDED",
            100.0,
        );
        assert_eq!(c.post_cert(&s.base, &landing).await.status, 201);
        let get_bundle = |c: &Client, base: String| {
            let c = c.clone();
            async move {
                let a = c
                    .get(&format!("{base}/v1/lots/L-LANDED/bundle"), None)
                    .await;
                assert_eq!(a.status, 200);
                Bundle::from_bytes(&a.body).unwrap()
            }
        };
        // No checkpoint yet: no proofs (log.missing offline).
        let early = get_bundle(&c, s.base.clone()).await;
        assert!(early.log_proofs.is_empty());
        assert_eq!(s.sequence().await, 3);
        let bundle = get_bundle(&c, s.base.clone()).await;
        s.stop().await;

        // Offline, the server gone.
        assert_eq!(bundle.certificates.len(), 2);
        assert_eq!(bundle.log_proofs.len(), 2, "one proof per certificate");
        let checkpoints: std::collections::BTreeSet<String> = bundle
            .log_proofs
            .iter()
            .map(|(_, p)| catchcert_tlog::TlogProof::parse(p).unwrap().checkpoint)
            .collect();
        assert_eq!(checkpoints.len(), 1, "all against one checkpoint");
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let at = catchcert_model::Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
        let run = |b: &Bundle, trust: &LogTrust| {
            let mut v = verify_bundle(b, None, &anchors, at, &Limits::default());
            let found = logproof::findings(&v, &b.certificates, &b.log_proofs, trust);
            logproof::add_findings(&mut v, found);
            v.findings
                .iter()
                .map(|f| f.code)
                .filter(|c| c.as_str().starts_with("log."))
                .collect::<Vec<Code>>()
        };
        let mut trust = LogTrust::new(log_key().verifying_key());
        trust.origin = Some(ORIGIN.into());
        assert_eq!(run(&bundle, &trust), vec![]);
        assert_eq!(run(&early, &trust), vec![Code::LogMissing; 2]);
        // A wrong log key: every checkpoint is invalid.
        let wrong = LogTrust::new(ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key());
        assert_eq!(run(&bundle, &wrong), vec![Code::LogCheckpointInvalid; 2]);
        // A tampered proof.
        let mut tampered = bundle.clone();
        let mut p = catchcert_tlog::TlogProof::parse(&tampered.log_proofs[0].1).unwrap();
        p.proof[0][0] ^= 1;
        tampered.log_proofs[0].1 = p.encode();
        assert_eq!(run(&tampered, &trust), vec![Code::LogProofInvalid]);
    }

    pub async fn indexes_are_dense_and_proofs_verify(url: &str) {
        let pki = Pki::new();
        let s = start(url, &pki.root_pem).await;
        let c = Client::default();
        // Nothing signed yet: 404 with Retry-After.
        let a = c.get(&format!("{}/log/checkpoint", s.base), None).await;
        assert_eq!(a.status, 404);
        assert!(a.headers.get("retry-after").is_some());

        let certs: Vec<Vec<u8>> = (0..5)
            .map(|i| certs::catch(&pki.vessel, &format!("LOG-{i}"), 10.0 + f64::from(i)))
            .collect();
        for (i, cert) in certs.iter().enumerate() {
            let a = c.post_cert(&s.base, cert).await;
            assert_eq!(a.status, 201);
            assert_eq!(a.json()["log_index"], i as u64, "dense, in order");
        }
        // Over the entry-bundle limit: 413 naming it, before anything else.
        let a = c.post_cert(&s.base, &vec![0u8; 70_000]).await;
        assert_eq!(a.status, 413);
        assert!(a.problem(413)["detail"].as_str().unwrap().contains("65535"));
        // Already stored: 200 with the index it was given.
        let a = c.post_cert(&s.base, &certs[2]).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.json()["log_index"], 2);

        // Not covered by a checkpoint yet.
        let id2 = certs::id(&certs[2]).to_string();
        let a = c
            .get(&format!("{}/v1/log/proof/inclusion?id={id2}", s.base), None)
            .await;
        assert_eq!(a.status, 404);
        assert!(a.headers.get("retry-after").is_some());

        assert_eq!(s.sequence().await, 5);
        let a = c.get(&format!("{}/log/checkpoint", s.base), None).await;
        assert_eq!(a.status, 200);
        let cp = catchcert_tlog::open_checkpoint(&a.body, &note_key(), Some(ORIGIN)).unwrap();
        assert_eq!(cp.size, 5);
        // A wrong key does not open it.
        let other = NoteKey::new(
            ORIGIN,
            ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key(),
        );
        assert!(catchcert_tlog::open_checkpoint(&a.body, &other, Some(ORIGIN)).is_err());

        // An independent reader: entries from the entry bundle, root recomputed.
        let a = c
            .get(&format!("{}/log/tile/entries/000.p/5", s.base), None)
            .await;
        assert_eq!(a.status, 200);
        assert_eq!(a.headers["cache-control"], "no-cache");
        let entries = catchcert_tlog::decode_entry_bundle(&a.body).unwrap();
        assert_eq!(entries, certs);
        let mut mem = MemoryLog::new();
        for e in &entries {
            mem.append(e).unwrap();
        }
        assert_eq!(mem.root(), cp.root);
        let a = c.get(&format!("{}/log/tile/0/000.p/5", s.base), None).await;
        assert_eq!(a.status, 200);
        let leaves: Vec<u8> = certs
            .iter()
            .flat_map(|e| catchcert_tlog::leaf_hash(e))
            .collect();
        assert_eq!(a.body, leaves);
        // Beyond the checkpoint: 404; a malformed path: 400.
        let a = c.get(&format!("{}/log/tile/0/000.p/6", s.base), None).await;
        assert_eq!(a.status, 404);
        let a = c.get(&format!("{}/log/tile/0/x", s.base), None).await;
        assert_eq!(a.status, 400);

        for (i, cert) in certs.iter().enumerate() {
            let id = certs::id(cert);
            let a = c
                .get(&format!("{}/v1/log/proof/inclusion?id={id}", s.base), None)
                .await;
            assert_eq!(a.status, 200);
            let j = a.json();
            assert_eq!(j["index"], i as u64);
            assert_eq!(j["tree_size"], 5);
            let proof = hashes(&j["hashes"]);
            catchcert_tlog::verify_inclusion(
                &proof,
                5,
                &cp.root,
                i as u64,
                &catchcert_tlog::leaf_hash(cert),
            )
            .unwrap();
            // The same proof does not put another entry there.
            assert!(
                catchcert_tlog::verify_inclusion(
                    &proof,
                    5,
                    &cp.root,
                    i as u64,
                    &catchcert_tlog::leaf_hash(b"x")
                )
                .is_err()
            );
        }

        // The tree grows; consistency from 5 to 7 verifies.
        for i in 5..7 {
            let cert = certs::catch(&pki.vessel, &format!("LOG-{i}"), 20.0);
            assert_eq!(c.post_cert(&s.base, &cert).await.json()["log_index"], i);
        }
        assert_eq!(s.sequence().await, 7);
        let a = c.get(&format!("{}/log/checkpoint", s.base), None).await;
        let cp7 = catchcert_tlog::open_checkpoint(&a.body, &note_key(), Some(ORIGIN)).unwrap();
        assert_eq!(cp7.size, 7);
        let a = c
            .get(
                &format!("{}/v1/log/proof/consistency?from=5&to=7", s.base),
                None,
            )
            .await;
        assert_eq!(a.status, 200);
        let proof = hashes(&a.json()["hashes"]);
        catchcert_tlog::verify_consistency(&proof, 5, &cp.root, 7, &cp7.root).unwrap();
        let a = c
            .get(
                &format!("{}/v1/log/proof/consistency?from=5&to=8", s.base),
                None,
            )
            .await;
        assert_eq!(a.status, 404);
        // Signing again without growth keeps the checkpoint.
        assert_eq!(s.sequence().await, 7);
        s.stop().await;
    }

    pub async fn two_servers_share_one_log(url: &str) {
        let pki = Pki::new();
        let s1 = start(url, &pki.root_pem).await;
        let s2 = start(url, &pki.root_pem).await;
        let c = Client::default();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let base = if i % 2 == 0 {
                s1.base.clone()
            } else {
                s2.base.clone()
            };
            let cert = certs::catch(&pki.vessel, &format!("SHARED-{i}"), 5.0);
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let a = c.post_cert(&base, &cert).await;
                assert_eq!(a.status, 201);
                (a.json()["log_index"].as_u64().unwrap(), cert)
            }));
        }
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort();
        let idx: Vec<u64> = got.iter().map(|g| g.0).collect();
        assert_eq!(idx, (0..20).collect::<Vec<u64>>(), "one dense log");
        // Both sequence; the tree is the same either way.
        assert_eq!(s1.sequence().await, 20);
        assert_eq!(s2.sequence().await, 20);
        let a = c.get(&format!("{}/log/checkpoint", s2.base), None).await;
        let cp = catchcert_tlog::open_checkpoint(&a.body, &note_key(), Some(ORIGIN)).unwrap();
        let mut mem = MemoryLog::new();
        for (_, cert) in &got {
            mem.append(cert).unwrap();
        }
        assert_eq!(
            mem.root(),
            cp.root,
            "entries at the indexes each server answered"
        );
        s1.stop().await;
        s2.stop().await;
    }
}

//! Witness cosigning (`serve --witness`, docs/transparency.md) over real loopback HTTP with
//! real catchcert witnesses, on SQLite and, with `CATCHCERT_TEST_PG_URL`, PostgreSQL: two
//! witnesses cosign each checkpoint; a server bundle then meets a threshold of 2 offline, and
//! with only one witness it is `log.witness`; a witness that restarted ahead of the server
//! (409) is caught up; a cosignature by another key is not kept; an unreachable witness
//! blocks nothing; a witness refuses a forked log with the same key.

#[macro_use]
mod common;

use catchcert_model::bundle::Bundle;
use catchcert_server::log::LogConfig;
use catchcert_server::witness::{PushOutcome, WitnessPeer, Witnessing, witness_once};
use catchcert_tlog::WitnessKey;
use catchcert_verify::codes::Code;
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, Pki};
use common::{Client, Server};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::sync::Arc;

backend_suite!(workers = 2;
    two_witnesses_cosign_and_bundles_meet_the_threshold,
);

const ORIGIN: &str = "test.example/log";

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn witness_key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

/// A catchcert witness on loopback (its state in a temporary directory).
struct W {
    url: String,
    key: VerifyingKey,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start_witness(name: &str, n: u8) -> W {
    let dir = tempfile::tempdir().unwrap();
    let w = catchcert_witness::Witness::open(
        name,
        witness_key(n),
        log_key().verifying_key(),
        ORIGIN,
        dir.path(),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(catchcert_witness::serve(
        listener,
        Arc::new(w),
        std::future::pending(),
    ));
    W {
        url,
        key: witness_key(n).verifying_key(),
        _dir: dir,
        task,
    }
}

async fn start(url: &str, root_pem: &str) -> Server {
    // Two witnesses configured (W1 and W2 below): bundles prefer a checkpoint both cosigned.
    Server::start_logged(
        url,
        root_pem,
        LogConfig::new(ORIGIN, log_key()).with_witnesses(2),
    )
    .await
}

impl Server {
    async fn witness(&self, w: &Arc<Witnessing>) -> Vec<PushOutcome> {
        witness_once(self.state.store(), w).await.unwrap()
    }
    async fn checkpoint(&self, c: &Client) -> Vec<u8> {
        let a = c.get(&format!("{}/log/checkpoint", self.base), None).await;
        assert_eq!(a.status, 200);
        a.body
    }
    async fn bundle(&self, c: &Client, lot: &str) -> Bundle {
        let a = c
            .get(&format!("{}/v1/lots/{lot}/bundle", self.base), None)
            .await;
        assert_eq!(a.status, 200);
        Bundle::from_bytes(&a.body).unwrap()
    }
}

fn peers(ws: &[(&W, VerifyingKey)]) -> Arc<Witnessing> {
    Arc::new(Witnessing::new(
        ws.iter()
            .map(|(w, k)| WitnessPeer::new(&w.url, *k))
            .collect(),
    ))
}

fn cosigners(note: &[u8], keys: &[VerifyingKey]) -> usize {
    let wk: Vec<WitnessKey> = keys.iter().map(|k| WitnessKey::any_name(*k)).collect();
    catchcert_tlog::count_cosignatures(note, &wk).unwrap()
}

/// The `log.*` codes of verifying `b` offline with witnesses `keys` and threshold `k`.
fn log_codes(root_pem: &str, b: &Bundle, keys: &[VerifyingKey], k: usize) -> Vec<Code> {
    use catchcert_verify::chain::{Limits, verify_bundle};
    use catchcert_verify::logproof::{self, LogTrust};
    let anchors = TrustAnchors::from_pem(root_pem).unwrap();
    let at = catchcert_model::Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let mut trust = LogTrust::new(log_key().verifying_key());
    trust.origin = Some(ORIGIN.into());
    trust.witnesses = keys.iter().map(|k| WitnessKey::any_name(*k)).collect();
    trust.threshold = k;
    let mut v = verify_bundle(b, None, &anchors, at, &Limits::default());
    let found = logproof::findings(&v, &b.certificates, &b.log_proofs, &trust);
    logproof::add_findings(&mut v, found);
    v.findings
        .iter()
        .map(|f| f.code)
        .filter(|c| c.as_str().starts_with("log."))
        .collect()
}

mod suite {
    use super::*;

    pub async fn two_witnesses_cosign_and_bundles_meet_the_threshold(url: &str) {
        let pki = Pki::new();
        let s = start(url, &pki.root_pem).await;
        let c = Client::default();
        let (w1, w2) = (
            start_witness("w1.example", 7).await,
            start_witness("w2.example", 8).await,
        );
        let keys = [w1.key, w2.key];
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
        assert_eq!(s.sequence().await, 2);

        // Both witnesses cosign; the checkpoint and the bundle's proofs carry both.
        let both = peers(&[(&w1, w1.key), (&w2, w2.key)]);
        assert_eq!(
            s.witness(&both).await,
            vec![PushOutcome::Cosigned, PushOutcome::Cosigned]
        );
        let note = s.checkpoint(&c).await;
        assert_eq!(cosigners(&note, &keys), 2);
        catchcert_tlog::open_checkpoint(
            &note,
            &catchcert_tlog::NoteKey::new(ORIGIN, log_key().verifying_key()),
            Some(ORIGIN),
        )
        .unwrap();
        let b2 = s.bundle(&c, "L-LANDED").await;
        assert_eq!(b2.log_proofs.len(), 2);
        assert_eq!(log_codes(&pki.root_pem, &b2, &keys, 2), vec![]);
        // A witness key that did not cosign does not count.
        let stranger = witness_key(9).verifying_key();
        assert_eq!(
            log_codes(&pki.root_pem, &b2, &[w1.key, stranger], 2),
            vec![Code::LogWitness; 2]
        );
        // Asking again changes nothing (the stored cosignatures are recognised).
        assert_eq!(
            s.witness(&both).await,
            vec![PushOutcome::Cosigned, PushOutcome::Cosigned]
        );

        // The tree grows. A server that knows nothing of W1's state (a restart) sends
        // `old 0`, is told 409 with W1's size, and catches up with a consistency proof. Only
        // W1 is configured: the new checkpoint has ONE cosignature (K−1 → log.witness).
        let other = certs::catch(&pki.vessel, "L-OTHER", 5.0);
        assert_eq!(c.post_cert(&s.base, &other).await.status, 201);
        let size = s.sequence().await;
        assert_eq!(size, 3);
        let only_w1 = peers(&[(&w1, w1.key)]);
        assert_eq!(s.witness(&only_w1).await, vec![PushOutcome::Cosigned]);
        let note = s.checkpoint(&c).await;
        assert_eq!(cosigners(&note, &keys), 1);
        // L-LANDED's entries (0, 1) are covered by the checkpoint of size 2 that both
        // witnesses cosigned: its bundle keeps that one and still meets 2.
        let b1 = s.bundle(&c, "L-LANDED").await;
        assert!(
            b1.log_proofs
                .iter()
                .all(|(_, p)| p.contains(&format!("\n{ORIGIN}\n2\n"))),
            "{:?}",
            b1.log_proofs
        );
        assert_eq!(log_codes(&pki.root_pem, &b1, &keys, 2), vec![]);
        // L-OTHER (entry 2) is only in the grown checkpoint, which W2 has not cosigned:
        // K−1 cosignatures → log.witness at 2, enough at 1.
        let b3 = s.bundle(&c, "L-OTHER").await;
        assert_eq!(b3.log_proofs.len(), 1);
        assert_eq!(
            log_codes(&pki.root_pem, &b3, &keys, 2),
            vec![Code::LogWitness]
        );
        assert_eq!(log_codes(&pki.root_pem, &b3, &keys, 1), vec![]);
        // The first bundle, against the older checkpoint, still meets 2 offline.
        assert_eq!(log_codes(&pki.root_pem, &b2, &keys, 2), vec![]);

        // A peer configured with the wrong key: W2 answers with a line by its own key, which
        // does not verify with the configured one, so nothing is kept.
        let wrong = peers(&[(&w2, stranger)]);
        let out = s.witness(&wrong).await;
        assert!(matches!(&out[..], [PushOutcome::Refused(_)]), "{out:?}");
        assert_eq!(cosigners(&s.checkpoint(&c).await, &keys), 1);

        // An unreachable witness: reported, and ingest and signing go on.
        let gone = Arc::new(Witnessing::new(vec![WitnessPeer::new(
            "http://127.0.0.1:1",
            w1.key,
        )]));
        let late = certs::catch(&pki.vessel, "L-LATE", 5.0);
        assert_eq!(c.post_cert(&s.base, &late).await.status, 201);
        let grown = s.sequence().await;
        assert_eq!(grown, size + 1);
        let out = s.witness(&gone).await;
        assert!(matches!(&out[..], [PushOutcome::Unreachable(_)]), "{out:?}");
        // Retried with the next round once reachable: both cosign the grown checkpoint.
        assert_eq!(
            s.witness(&both).await,
            vec![PushOutcome::Cosigned, PushOutcome::Cosigned]
        );
        assert_eq!(cosigners(&s.checkpoint(&c).await, &keys), 2);

        // A fork: another database, the same log key and origin, other entries. Its
        // checkpoint is not consistent with what W1 cosigned: refused (422), nothing kept.
        let forked_db = common::sqlite_db().await.unwrap();
        let f = start(forked_db.url(), &pki.root_pem).await;
        for i in 0..(grown + 2) {
            let cert = certs::catch(&pki.vessel, &format!("FORK-{i}"), 1.0);
            assert_eq!(c.post_cert(&f.base, &cert).await.status, 201);
        }
        assert_eq!(f.sequence().await, grown + 2);
        let out = f.witness(&peers(&[(&w1, w1.key)])).await;
        match &out[..] {
            [PushOutcome::Refused(why)] => assert!(why.starts_with("422"), "{why}"),
            other => panic!("a fork was not refused: {other:?}"),
        }
        assert_eq!(cosigners(&f.checkpoint(&c).await, &keys), 0);
        f.stop().await;
        forked_db.finish().await;

        s.stop().await;
        w1.task.abort();
        w2.task.abort();
    }
}

//! `GET /v1/certificates/{id}/receipt` (RFC 9942 COSE Receipt, docs/transparency.md), checked
//! independently of the server's code: decoded with coset, the tree root recomputed from the
//! certificate's bytes and the audit path with a hasher written here from RFC 9162 §2.1.3.2,
//! the signature verified with the log's public key over that root; a changed byte of the
//! certificate or of the path fails.

#[macro_use]
mod common;

use catchcert_server::AppState;
use catchcert_server::log::{LogConfig, sequence_once};
use catchcert_store::Store;
use catchcert_testkit::http::Running;
use catchcert_verify::path::TrustAnchors;
use common::Client;
use common::certs::{self, Pki};
use coset::cbor::value::Value;
use coset::{TaggedCborSerializable, iana};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

backend_suite!(workers = 2;
    receipts_verify_independently,
);

const ORIGIN: &str = "test.example/log";

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

type H = [u8; 32];

fn leaf(entry: &[u8]) -> H {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(entry)
        .finalize()
        .into()
}

fn node(l: &[u8], r: &[u8]) -> H {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

/// RFC 9162 §2.1.3.2: the root an inclusion path leads to, or `None` when it cannot.
fn root_from_path(index: u64, size: u64, leaf: H, path: &[H]) -> Option<H> {
    if index >= size {
        return None;
    }
    let (mut fnn, mut sn, mut r) = (index, size - 1, leaf);
    for p in path {
        if sn == 0 {
            return None;
        }
        if fnn & 1 == 1 || fnn == sn {
            r = node(p, &r);
            while fnn & 1 == 0 && fnn != 0 {
                fnn >>= 1;
                sn >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        fnn >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

/// The receipt's parts: (tree size, leaf index, path), after checking its headers.
fn decode(bytes: &[u8]) -> (coset::CoseSign1, u64, u64, Vec<H>) {
    let s = coset::CoseSign1::from_tagged_slice(bytes).expect("a tagged COSE_Sign1");
    let p = &s.protected.header;
    assert_eq!(
        p.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    let kid = catchcert_tlog::NoteKey::new(ORIGIN, log_key().verifying_key()).key_id();
    assert_eq!(p.key_id, kid.to_be_bytes().to_vec());
    let vds: Vec<_> = p
        .rest
        .iter()
        .filter(|(l, _)| *l == coset::Label::Int(395))
        .collect();
    assert_eq!(vds.len(), 1);
    assert_eq!(vds[0].1, Value::Integer(1.into()), "RFC9162_SHA256");
    assert!(s.payload.is_none(), "detached payload");
    let vdp = s
        .unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == coset::Label::Int(396))
        .expect("396 in the unprotected header")
        .1
        .clone();
    let Value::Map(m) = vdp else {
        panic!("396 is a map")
    };
    let proofs = m
        .iter()
        .find(|(k, _)| *k == Value::Integer((-1).into()))
        .expect("-1: inclusion proofs")
        .1
        .clone();
    let Value::Array(proofs) = proofs else {
        panic!("an array of proofs")
    };
    assert_eq!(proofs.len(), 1);
    let Value::Bytes(b) = &proofs[0] else {
        panic!("bstr .cbor")
    };
    let v: Value = coset::cbor::de::from_reader(b.as_slice()).unwrap();
    let Value::Array(parts) = v else {
        panic!("[size, index, path]")
    };
    let int = |v: &Value| u64::try_from(v.as_integer().unwrap()).unwrap();
    let path = parts[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| <H>::try_from(h.as_bytes().unwrap().as_slice()).unwrap())
        .collect();
    (s.clone(), int(&parts[0]), int(&parts[1]), path)
}

fn verifies(s: &coset::CoseSign1, root: &H) -> bool {
    let key = log_key().verifying_key();
    s.verify_detached_signature(root, b"", |sig, data| {
        let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| ())?;
        key.verify_strict(data, &sig).map_err(|_| ())
    })
    .is_ok()
}

mod suite {
    use super::*;

    pub async fn receipts_verify_independently(url: &str) {
        let pki = Pki::new();
        let store = Store::open(url).await.unwrap();
        let state = AppState::new(store, TrustAnchors::from_pem(&pki.root_pem).unwrap())
            .with_log(LogConfig::new(ORIGIN, log_key()));
        let serving = state.clone();
        let running =
            Running::spawn(|l, shutdown| catchcert_server::serve_on(l, serving, shutdown)).await;
        let base = running.base.clone();
        let c = Client::default();
        let certs: Vec<Vec<u8>> = (0..6)
            .map(|i| certs::catch(&pki.vessel, &format!("RCPT-{i}"), 10.0 + f64::from(i)))
            .collect();
        for cert in &certs {
            assert_eq!(c.post_cert(&base, cert).await.status, 201);
        }
        let receipt_url =
            |cert: &[u8]| format!("{base}/v1/certificates/{}/receipt", certs::id(cert));
        // Not covered by a checkpoint yet: 404 with Retry-After.
        let a = c.get(&receipt_url(&certs[0]), None).await;
        assert_eq!(a.status, 404);
        assert!(a.headers.get("retry-after").is_some());
        sequence_once(
            state.store(),
            state.log().unwrap(),
            catchcert_model::Timestamp(1_800_000_000),
        )
        .await
        .unwrap();
        let a = c.get(&format!("{base}/log/checkpoint"), None).await;
        let text = String::from_utf8(a.body).unwrap();
        let body = format!("{}\n", text.split("\n\n").next().unwrap());
        let checkpoint = catchcert_tlog::Checkpoint::parse_body(&body).unwrap();
        assert_eq!(checkpoint.size, 6);

        for (i, cert) in certs.iter().enumerate() {
            let a = c.get(&receipt_url(cert), None).await;
            assert_eq!(a.status, 200);
            assert!(a.content_type().starts_with("application/cose"));
            let (s, size, index, path) = decode(&a.body);
            assert_eq!((size, index), (6, i as u64));
            let root = root_from_path(index, size, leaf(cert), &path).unwrap();
            assert_eq!(root, checkpoint.root, "the root of the signed checkpoint");
            assert!(verifies(&s, &root));
            // A changed byte of the certificate leads to another root: the signature fails.
            let mut changed = cert.clone();
            let k = changed.len() / 2;
            changed[k] ^= 1;
            let other = root_from_path(index, size, leaf(&changed), &path).unwrap();
            assert!(!verifies(&s, &other));
            // So does a changed sibling.
            if !path.is_empty() {
                let mut p = path.clone();
                p[0][0] ^= 1;
                let other = root_from_path(index, size, leaf(cert), &p).unwrap();
                assert!(!verifies(&s, &other));
            }
            // Another key does not verify it.
            let wrong = SigningKey::from_bytes(&[1; 32]).verifying_key();
            assert!(
                s.verify_detached_signature(&root, b"", |sig, data| {
                    let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| ())?;
                    wrong.verify_strict(data, &sig).map_err(|_| ())
                })
                .is_err()
            );
        }
        // An unknown id: 404 without Retry-After; a malformed one: 400.
        let unknown = certs::catch(&pki.vessel, "RCPT-NEVER-POSTED", 1.0);
        let a = c.get(&receipt_url(&unknown), None).await;
        assert_eq!(a.status, 404);
        assert!(a.headers.get("retry-after").is_none());
        let a = c
            .get(&format!("{base}/v1/certificates/xyz/receipt"), None)
            .await;
        assert_eq!(a.status, 400);
        // Documented in the OpenAPI description.
        let a = c.get(&format!("{base}/openapi.json"), None).await;
        assert!(
            a.json()["paths"]
                .get("/v1/certificates/{id}/receipt")
                .is_some()
        );
        running.stop().await;
    }
}

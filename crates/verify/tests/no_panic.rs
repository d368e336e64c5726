//! Every decoder of untrusted bytes returns a value or a typed error — never a panic —
//! on arbitrary input and on mutations of real certificates and bundles.

use catchcert_demo::{Programme, VERIFY_AT, demo_chain, t};
use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Payload};
use catchcert_verify::chain::{Limits, verify, verify_bundle};
use catchcert_verify::cose;
use catchcert_verify::path::TrustAnchors;
use proptest::prelude::*;
use std::sync::OnceLock;

struct Demo {
    root: String,
    certs: Vec<Vec<u8>>,
    bundle: Vec<u8>,
    head: CertId,
}

fn demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| {
        let p = Programme::new().unwrap();
        let c = demo_chain(&p).unwrap();
        let certs = c.bytes();
        let bundle = catchcert_verify::chain::bundle_for(&certs, c.steaks_head())
            .unwrap()
            .to_bytes();
        Demo {
            root: p.root_pem.clone(),
            certs,
            bundle,
            head: c.steaks_head(),
        }
    })
}

/// A mutation: overwrite, insert or delete bytes at a position.
fn mutate(mut b: Vec<u8>, at: usize, op: u8, byte: u8) -> Vec<u8> {
    if b.is_empty() {
        return vec![byte];
    }
    let i = at % b.len();
    match op % 3 {
        0 => b[i] ^= byte.max(1),
        1 => b.insert(i, byte),
        _ => {
            b.remove(i);
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = cose::decode(&bytes);
        let _ = Payload::from_cbor(&bytes);
        let _ = Bundle::from_bytes(&bytes);
        let _ = TrustAnchors::from_pem(&String::from_utf8_lossy(&bytes));
        let anchors = TrustAnchors::from_pem(&demo().root).unwrap();
        let v = verify(std::slice::from_ref(&bytes), std::slice::from_ref(&bytes), CertId::of_cose(&bytes), &anchors, t(VERIFY_AT), &Limits::default());
        prop_assert!(v.findings.iter().any(|f| f.severity == catchcert_verify::findings::Severity::Error));
    }

    #[test]
    fn mutated_certificates_never_panic_and_never_verify_as_themselves(
        which in 0usize..16, at in any::<usize>(), op in any::<u8>(), byte in any::<u8>()
    ) {
        let d = demo();
        let original = &d.certs[which % d.certs.len()];
        let m = mutate(original.clone(), at, op, byte);
        prop_assume!(&m != original);
        let _ = cose::decode(&m).map(|s| Payload::from_cbor(&s.payload));
        let mut set = d.certs.clone();
        set[which % d.certs.len()] = m.clone();
        let anchors = TrustAnchors::from_pem(&d.root).unwrap();
        let _ = verify(&set, &[], d.head, &anchors, t(VERIFY_AT), &Limits::default());
        // Verified as a head of its own, an altered certificate is never sound.
        let v = verify(&set, &[], CertId::of_cose(&m), &anchors, t(VERIFY_AT), &Limits::default());
        prop_assert_eq!(v.integrity, catchcert_verify::findings::Integrity::Invalid, "{:#?}", v.findings);
    }

    #[test]
    fn mutated_bundles_never_panic(at in any::<usize>(), op in any::<u8>(), byte in any::<u8>()) {
        let d = demo();
        let m = mutate(d.bundle.clone(), at, op, byte);
        let anchors = TrustAnchors::from_pem(&d.root).unwrap();
        if let Ok(b) = Bundle::from_bytes(&m) {
            let v = verify_bundle(&b, None, &anchors, t(VERIFY_AT), &Limits::default());
            // A changed bundle that still decodes is either the same content or is caught:
            // it can never gain certificates that verify as something new and clean.
            if m != d.bundle && v.integrity == catchcert_verify::findings::Integrity::Valid {
                prop_assert_eq!(v.head, d.head);
            }
        }
    }
}

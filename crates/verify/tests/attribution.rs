//! Findings point at the certificate that is actually at fault.

use catchcert_demo::*;
use catchcert_model::{CertId, Payload};
use catchcert_verify::chain::{Limits, verify};
use catchcert_verify::findings::{Code, Integrity};
use catchcert_verify::path::TrustAnchors;

fn setup() -> (Programme, DemoChain, TrustAnchors) {
    let p = Programme::new().unwrap();
    let c = demo_chain(&p).unwrap();
    let a = TrustAnchors::from_pem(&p.root_pem).unwrap();
    (p, c, a)
}

#[test]
fn an_altered_input_is_named_in_the_missing_link() {
    let (p, c, anchors) = setup();
    // Re-sign the Sea Harvest catch with a changed quantity: same lots, new id.
    let original = c.get("05-catch-sea-harvest").unwrap();
    let mut parts = original.payload.clone().into_parts();
    parts.custody_mut().unwrap().outputs[1].quantity = catchcert_model::Grams(999_000);
    let payload: Payload = parts.build().unwrap();
    let forged = sign_payload("05-forged", p.party("vessel-a").unwrap(), payload, None).unwrap();
    let mut certs: Vec<Vec<u8>> = c
        .certs
        .iter()
        .filter(|s| s.id != original.id)
        .map(|s| s.bytes.clone())
        .collect();
    certs.push(forged.bytes.clone());
    let v = verify(
        &certs,
        &[],
        c.steaks_head(),
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert_eq!(v.integrity, Integrity::Invalid);
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::LinkMissing)
        .expect("link.missing");
    assert!(
        f.message.contains(&forged.id.to_string()) && f.message.contains("SH7-2026-03-"),
        "{}",
        f.message
    );
}

#[test]
fn a_forged_message_under_an_expired_issuer_is_also_a_bad_signature() {
    let (mut p, c, anchors) = setup();
    let expired = p
        .add_party(
            "att-expired",
            "vessel-x",
            "CN=Old Vessel Cert",
            &[catchcert_model::Role::Vessel],
            t("2026-01-01T00:00:00Z"),
            10,
        )
        .unwrap()
        .clone();
    // A catch signed while the issuer certificate had expired, then altered.
    let original = c.get("05-catch-sea-harvest").unwrap();
    let signed = sign_payload("05-old", &expired, original.payload.clone(), None).unwrap();
    let mut bytes = signed.bytes.clone();
    let n = bytes.len();
    bytes[n - 1] ^= 0x01; // last signature byte
    let head = CertId::of_cose(&bytes);
    let v = verify(
        &[bytes],
        &[],
        head,
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert!(v.has(Code::IssuerExpired), "{:#?}", v.findings);
    assert!(v.has(Code::SignatureInvalid), "{:#?}", v.findings);
    // The same message unaltered: only the expired issuer.
    let head = signed.id;
    let v = verify(
        std::slice::from_ref(&signed.bytes),
        &[],
        head,
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert!(v.has(Code::IssuerExpired));
    assert!(!v.has(Code::SignatureInvalid), "{:#?}", v.findings);
}

//! `epcis.mismatch` through the library API: a certificate recording an EPCIS event's hash
//! against (event id, hash) pairs as a caller computed them. The truthful event passes; an
//! edited one (different hash) is an error naming the event and the certificate; matching is
//! by `certificationInfo` first, then by event id; certificates without the field are
//! never compared.

use catchcert_model::epcis::EpcisLink;
use catchcert_model::{CertId, Payload};
use catchcert_sign::cose;
use catchcert_testkit::certs::{self, Pki};
use catchcert_verify::codes::Code;
use catchcert_verify::epcis::{EventHash, add_findings, mismatches};
use catchcert_verify::findings::Integrity;

fn h(c: char) -> String {
    format!("ni:///sha-256;{}?ver=CBV2.0", c.to_string().repeat(64))
}

/// A catch signed with an `epcis` field recording `hash` for event `urn:uuid:e1`.
fn bound_catch(pki: &Pki, hash: &str) -> Vec<u8> {
    let plain = certs::catch(&pki.vessel, "LOT-1", 100.0);
    let (_, payload) = catchcert_verify::cose::decode_certificate(&plain).unwrap();
    let payload: Payload = payload
        .with_epcis(EpcisLink {
            event_hash: hash.into(),
            event_id: Some("urn:uuid:e1".into()),
            ..EpcisLink::default()
        })
        .unwrap();
    cose::sign_payload(&payload, &pki.vessel.key, &pki.vessel.chain).unwrap()
}

fn ev(hash: &str, certificate: Option<CertId>) -> EventHash {
    EventHash {
        label: "urn:uuid:e1".into(),
        event_id: Some("urn:uuid:e1".into()),
        certificate,
        hash: hash.into(),
    }
}

#[test]
fn truthful_event_passes_and_an_edited_one_is_an_error() {
    let pki = Pki::new();
    let cert = bound_catch(&pki, &h('a'));
    let id = CertId::of_cose(&cert);
    let certs = vec![cert.clone(), certs::catch(&pki.vessel, "LOT-2", 5.0)];

    assert!(mismatches(&certs, &[ev(&h('a'), None)]).is_empty());
    assert!(mismatches(&certs, &[ev(&h('a'), Some(id))]).is_empty());

    let found = mismatches(&certs, &[ev(&h('b'), None)]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::EpcisMismatch);
    assert_eq!(found[0].certificate, id);
    assert!(found[0].message.contains("urn:uuid:e1"));

    // certificationInfo wins over the event id: another event naming this certificate.
    let mut other = ev(&h('c'), Some(id));
    other.event_id = Some("urn:uuid:other".into());
    other.label = "urn:uuid:other".into();
    assert_eq!(mismatches(&certs, &[other]).len(), 1);

    // An unrelated event is not compared.
    let mut unrelated = ev(&h('d'), None);
    unrelated.event_id = Some("urn:uuid:x".into());
    assert!(mismatches(&certs, &[unrelated]).is_empty());
}

#[test]
fn a_mismatch_makes_the_verdict_invalid() {
    let pki = Pki::new();
    let cert = bound_catch(&pki, &h('a'));
    let anchors = catchcert_verify::path::TrustAnchors::from_pem(&pki.root_pem).unwrap();
    let at = catchcert_model::Timestamp::parse_rfc3339("2026-06-01T00:00:00Z").unwrap();
    let certs = vec![cert.clone()];
    let mut v = catchcert_verify::chain::verify(
        &certs,
        &[],
        CertId::of_cose(&cert),
        &anchors,
        at,
        &catchcert_verify::chain::Limits::default(),
    );
    assert_eq!(v.integrity, Integrity::Valid, "{:#?}", v.findings);
    add_findings(&mut v, mismatches(&certs, &[ev(&h('a'), None)]));
    assert_eq!(v.integrity, Integrity::Valid);
    add_findings(&mut v, mismatches(&certs, &[ev(&h('e'), None)]));
    assert_eq!(v.integrity, Integrity::Invalid);
    assert!(v.has(Code::EpcisMismatch));
}

//! The demo chain verifies as documented: integrity valid everywhere; the loins (partly
//! from the vessel that holds passports) are high risk; the bigeye steaks are low risk.

use catchcert_demo::*;
use catchcert_verify::chain::{Limits, verify};
use catchcert_verify::findings::{Code, Integrity, Risk};
use catchcert_verify::path::TrustAnchors;

#[test]
fn demo_chain_verdicts() {
    let p = Programme::new().unwrap();
    let chain = demo_chain(&p).unwrap();
    let anchors = TrustAnchors::from_pem(&p.root_pem).unwrap();
    let certs = chain.bytes();
    let at = t(VERIFY_AT);

    let loins = verify(
        &certs,
        &[],
        chain.loins_head(),
        &anchors,
        at,
        &Limits::default(),
    );
    assert_eq!(loins.integrity, Integrity::Valid, "{:#?}", loins.findings);
    assert_eq!(loins.risk, Risk::High, "{:#?}", loins.findings);
    assert!(loins.has(Code::RiskForcedLabourIndicator));
    assert!(
        loins.has(Code::RiskCrewConditions),
        "withheld passports are also a crew condition"
    );
    // head, shipment, processing, 2 landings, 2 transshipments, 2 catches,
    // 3 crew attestations, 1 facility attestation
    assert_eq!(loins.certificates, 13, "{:#?}", loins.nodes);

    let steaks = verify(
        &certs,
        &[],
        chain.steaks_head(),
        &anchors,
        at,
        &Limits::default(),
    );
    assert_eq!(steaks.integrity, Integrity::Valid, "{:#?}", steaks.findings);
    assert_eq!(steaks.risk, Risk::Low, "{:#?}", steaks.findings);
    assert!(steaks.findings.is_empty(), "{:#?}", steaks.findings);
}

#[test]
fn demo_crew_disclosures_check_against_their_certificates() {
    let chain = demo_chain(&Programme::new().unwrap()).unwrap();
    let mut checked = 0;
    for c in &chain.certs {
        if let Some(d) = &c.disclosure {
            catchcert_model::crew::check_disclosure(c.id, &c.payload, d).unwrap();
            // and not against another certificate
            let other = chain
                .certs
                .iter()
                .find(|o| o.id != c.id && o.disclosure.is_some())
                .unwrap();
            assert!(catchcert_model::crew::check_disclosure(other.id, &other.payload, d).is_err());
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
}

#[test]
fn demo_is_reproducible_to_the_byte() {
    let a = demo_chain(&Programme::new().unwrap()).unwrap();
    let b = demo_chain(&Programme::new().unwrap()).unwrap();
    let ids = |c: &DemoChain| c.certs.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(
        Programme::new().unwrap().root_pem,
        Programme::new().unwrap().root_pem
    );
    // and the checked-in fixtures are this very chain
    let root =
        std::fs::read_to_string(catchcert_testkit::fixtures_dir().join("trust/root.pem")).unwrap();
    assert_eq!(root, Programme::new().unwrap().root_pem);
}

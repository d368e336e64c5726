//! Evidence the supplier cannot choose (contract §4 "Which attestations count"): every
//! covering attestation of the set counts, named or not; a named one that is absent,
//! self-audit and implausible attestations, and long fishing trips are findings. Each
//! attack has its truthful variant.

use catchcert_demo::{
    DemoChain, Programme, Signed, VERIFY_AT, crew_attestation_json, demo_chain, sign, sign_payload,
    t, vessels,
};
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Kind, Role};
use catchcert_verify::chain::{Limits, bundle_for, verify};
use catchcert_verify::findings::{Code, Risk, Verdict};
use catchcert_verify::path::TrustAnchors;
use serde_json::{Value, json};

fn programme() -> Programme {
    Programme::new().unwrap()
}

fn run(p: &Programme, set: &[&Signed], head: CertId) -> Verdict {
    let anchors = TrustAnchors::from_pem(&p.root_pem).unwrap();
    let bytes: Vec<Vec<u8>> = set.iter().map(|s| s.bytes.clone()).collect();
    verify(
        &bytes,
        &[],
        head,
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    )
}

fn codes(v: &Verdict) -> Vec<&'static str> {
    v.findings.iter().map(|f| f.code.as_str()).collect()
}

/// A crew attestation of Sea Harvest 7 (valid January to July 2026) by `auditor`, after `f`.
fn crew(p: &Programme, name: &str, auditor: &str, f: impl FnOnce(&mut Value)) -> Signed {
    let mut j = crew_attestation_json(vessels::SEA_HARVEST, false);
    f(&mut j);
    // signed an hour after the attestation's time
    let issued_at = catchcert_model::Timestamp(t(j["time"].as_str().unwrap()).0 + 3600);
    sign(
        name,
        p.party(auditor).unwrap(),
        Kind::CrewAttestation,
        &j,
        &issued_at.to_string(),
    )
    .unwrap()
}

/// Sea Harvest 7's catch naming `names`, fishing `start..end`.
fn catch(p: &Programme, names: &[&Signed], start: &str, end: &str) -> Signed {
    let names: Vec<String> = names.iter().map(|s| s.id.to_string()).collect();
    sign(
        "catch",
        p.party("vessel-a").unwrap(),
        Kind::Catch,
        &json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": vessels::SEA_HARVEST.1, "fao_area": "71", "gear": "LLD",
            "catch_start": start, "catch_end": end,
            "outputs": [{"lot": "SH7-YFT", "quantity_kg": 100.0, "species": "YFT"}],
            "attestations": names,
        }),
        "2026-03-02T06:05:00Z",
    )
    .unwrap()
}

fn march_catch(p: &Programme, names: &[&Signed]) -> Signed {
    catch(p, names, "2026-03-01T04:00:00Z", "2026-03-02T05:30:00Z")
}

fn clean(p: &Programme) -> Signed {
    crew(p, "crew-clean", "auditor", |_| {})
}

/// A newer attestation of the same vessel that records ILO indicator 7 (retention of
/// identity documents), also covering March.
fn bad(p: &Programme) -> Signed {
    crew(p, "crew-ilo", "auditor", |j| {
        j["time"] = json!("2026-02-10T09:00:00Z");
        j["valid_from"] = json!("2026-02-10T00:00:00Z");
        j["audit"]["date"] = json!("2026-02-09");
        j["ilo_indicators"] = json!([7]);
    })
}

#[test]
fn truthful_catch_with_its_clean_attestation_is_low() {
    let p = programme();
    let a = clean(&p);
    let c = march_catch(&p, &[&a]);
    let v = run(&p, &[&a, &c], c.id);
    assert_eq!(v.risk, Risk::Low, "{:?}", codes(&v));
    assert!(v.findings.is_empty(), "{:?}", codes(&v));
}

#[test]
fn a_bad_attestation_counts_whichever_the_catch_names() {
    let p = programme();
    let (a, b) = (clean(&p), bad(&p));
    for names in [vec![&a], vec![&b], vec![], vec![&a, &b]] {
        let c = march_catch(&p, &names);
        let v = run(&p, &[&a, &b, &c], c.id);
        assert_eq!(v.risk, Risk::High, "names {}: {:?}", names.len(), codes(&v));
        let ilo = v
            .findings
            .iter()
            .find(|f| f.code == Code::RiskForcedLabourIndicator)
            .expect("the ILO finding");
        assert_eq!(ilo.certificate, c.id);
        assert!(ilo.message.contains(&b.id.to_string()), "{}", ilo.message);
        assert!(!codes(&v).contains(&"attestation.missing"));
    }
}

#[test]
fn an_unnamed_clean_attestation_in_the_set_covers_the_catch() {
    let p = programme();
    let a = clean(&p);
    let c = march_catch(&p, &[]);
    assert_eq!(run(&p, &[&a, &c], c.id).risk, Risk::Low);
    // and with no attestation of the vessel at all, the catch is unknown
    let v = run(&p, &[&c], c.id);
    assert_eq!(v.risk, Risk::Unknown);
    assert_eq!(codes(&v), ["attestation.missing"]);
}

#[test]
fn a_named_attestation_left_out_of_the_set_is_missing() {
    let p = programme();
    let (a, b) = (clean(&p), bad(&p));
    let c = march_catch(&p, &[&a, &b]);
    let v = run(&p, &[&a, &c], c.id);
    assert_eq!(v.risk, Risk::Unknown, "{:?}", codes(&v));
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::AttestationMissing)
        .expect("attestation.missing");
    assert!(f.message.contains(&b.id.to_string()), "{}", f.message);
    assert_eq!(f.risk, Some(Risk::Unknown));
    // truthful: both travel, the bad one counts
    assert_eq!(run(&p, &[&a, &b, &c], c.id).risk, Risk::High);
}

#[test]
fn a_vessel_company_auditing_itself_is_self_audit() {
    let mut p = programme();
    p.add_party(
        "evidence/self-auditor",
        "self-auditor",
        "CN=Sea Harvest Compliance,O=Sea Harvest Fishing Co,C=TW",
        &[Role::Auditor],
        t("2026-01-01T00:00:00Z"),
        3650,
    )
    .unwrap();
    let own = crew(&p, "crew-own", "self-auditor", |_| {});
    let c = march_catch(&p, &[&own]);
    let v = run(&p, &[&own, &c], c.id);
    assert_eq!(v.risk, Risk::Unknown, "{:?}", codes(&v));
    assert_eq!(codes(&v), ["attestation.self"]);
    assert!(v.findings[0].message.contains("Sea Harvest Fishing Co"));
    // truthful: an independent auditor
    let a = clean(&p);
    let c = march_catch(&p, &[&a]);
    assert_eq!(run(&p, &[&a, &c], c.id).risk, Risk::Low);
}

fn implausible(p: &Programme, att: &Signed) -> Verdict {
    let c = march_catch(p, &[att]);
    run(p, &[att, &c], c.id)
}

#[test]
fn implausible_attestations_are_unknown() {
    let p = programme();
    let twenty_years = crew(&p, "crew-20y", "auditor", |j| {
        j["valid_until"] = json!("2046-01-15T00:00:00Z");
    });
    let no_crew = crew(&p, "crew-none", "auditor", |j| j["crew"] = json!([]));
    let audited_later = crew(&p, "crew-later", "auditor", |j| {
        j["audit"]["date"] = json!("2026-01-20");
    });
    for (att, what) in [
        (&twenty_years, "over 366 days"),
        (&no_crew, "no crew member"),
        (&audited_later, "after the attestation's issued_at"),
    ] {
        let v = implausible(&p, att);
        assert_eq!(v.risk, Risk::Unknown, "{what}: {:?}", codes(&v));
        assert_eq!(codes(&v), ["attestation.implausible"], "{what}");
        assert!(
            v.findings[0].message.contains(what),
            "{}",
            v.findings[0].message
        );
    }
    // truthful: one year and a day is fine, an audit on the day of signing too
    let year = crew(&p, "crew-1y", "auditor", |j| {
        j["valid_until"] = json!("2027-01-16T00:00:00Z");
        j["audit"]["date"] = json!("2026-01-15");
    });
    assert_eq!(implausible(&p, &year).risk, Risk::Low);
}

#[test]
fn validity_ending_before_it_starts_is_well_formed_but_implausible() {
    let p = programme();
    let a = clean(&p);
    let mut parts = a.payload.clone().into_parts();
    if let Details::CrewAttestation(x) = &mut parts.details {
        std::mem::swap(&mut x.valid_from, &mut x.valid_until);
    }
    let reversed = parts.build().expect("the model accepts it");
    let reversed =
        sign_payload("crew-reversed", p.party("auditor").unwrap(), reversed, None).expect("signed");
    let v = implausible(&p, &reversed);
    assert_eq!(v.integrity, catchcert_verify::findings::Integrity::Valid);
    assert_eq!(v.risk, Risk::Unknown);
    let c = codes(&v);
    assert!(c.contains(&"attestation.implausible"), "{c:?}");
    assert!(c.contains(&"attestation.expired"), "{c:?}");
    // input for signing still refuses it
    let mut j = crew_attestation_json(vessels::SEA_HARVEST, false);
    j["valid_until"] = json!("2026-01-01T00:00:00Z");
    let e = sign(
        "x",
        p.party("auditor").unwrap(),
        Kind::CrewAttestation,
        &j,
        "2026-01-15T10:00:00Z",
    )
    .unwrap_err();
    assert!(e.0.contains("must be after valid_from"), "{}", e.0);
}

#[test]
fn a_three_year_fishing_period_is_a_long_trip() {
    let p = programme();
    let a = crew(&p, "crew-long", "auditor", |_| {});
    let c = catch(&p, &[&a], "2023-03-01T00:00:00Z", "2026-03-01T00:00:00Z");
    let v = run(&p, &[&a, &c], c.id);
    let cs = codes(&v);
    assert!(cs.contains(&"risk.long_trip"), "{cs:?}");
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::RiskLongTrip)
        .unwrap();
    assert_eq!(f.risk, Some(Risk::Medium));
    assert!(f.message.contains("1096 days"), "{}", f.message);
    assert!(v.risk >= Risk::Medium);
    // truthful: 180 days exactly is no finding
    let c = catch(&p, &[&a], "2026-01-16T00:00:00Z", "2026-03-01T00:00:00Z");
    assert!(!codes(&run(&p, &[&a, &c], c.id)).contains(&"risk.long_trip"));
}

fn demo() -> (Programme, DemoChain) {
    let p = programme();
    let chain = demo_chain(&p).unwrap();
    (p, chain)
}

#[test]
fn a_distant_ancestors_unnamed_bad_attestation_makes_the_head_high() {
    let (p, chain) = demo();
    let head = chain.steaks_head();
    let all: Vec<&Signed> = chain.certs.iter().collect();
    assert_eq!(run(&p, &all, head).risk, Risk::Low, "the demo's steaks");
    let b = bad(&p);
    let mut with_bad = all.clone();
    with_bad.push(&b);
    let v = run(&p, &with_bad, head);
    assert_eq!(v.risk, Risk::High, "{:?}", codes(&v));
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::RiskForcedLabourIndicator)
        .unwrap();
    assert_eq!(f.certificate, chain.id("05-catch-sea-harvest"));
}

#[test]
fn bundles_carry_every_covering_attestation() {
    let (p, chain) = demo();
    let head = chain.steaks_head();
    let b = bad(&p);
    // an attestation of the vessel for another period travels not
    let old = crew(&p, "crew-2025", "auditor", |j| {
        j["time"] = json!("2025-01-15T09:00:00Z");
        j["valid_from"] = json!("2025-01-15T00:00:00Z");
        j["valid_until"] = json!("2025-07-15T00:00:00Z");
        j["audit"]["date"] = json!("2025-01-14");
    });
    let mut set = chain.bytes();
    set.push(b.bytes.clone());
    set.push(old.bytes.clone());
    let bundle = bundle_for(&set, head).unwrap();
    let ids: Vec<CertId> = bundle
        .certificates
        .iter()
        .map(|c| CertId::of_cose(c))
        .collect();
    assert!(ids.contains(&b.id), "the unnamed covering attestation");
    assert!(!ids.contains(&old.id), "an attestation of another period");
    let anchors = TrustAnchors::from_pem(&p.root_pem).unwrap();
    let v = catchcert_verify::chain::verify_bundle(
        &bundle,
        None,
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert_eq!(v.risk, Risk::High);
}

//! Finding kinds: each renders the one message of its rule, with its code and risk.

use catchcert_model::payload::AuditMethod;
use catchcert_model::{CertId, Grams, Kind, Role};
use catchcert_verify::findings::{Code, Risk, Severity};
use catchcert_verify::kinds::{Absence, FindingKind, RevocationRefusal, grams};

const A: CertId = CertId([1; 32]);
const B: CertId = CertId([2; 32]);

#[test]
fn link_missing_renders_each_absence() {
    let k = |absence| {
        FindingKind::LinkMissing {
            input: 2,
            certificate: B,
            absence,
        }
        .on(A)
    };
    let f = k(Absence::NotStored);
    assert_eq!(f.code, Code::LinkMissing);
    assert_eq!(
        f.message,
        format!("inputs[2] names {B}, which is not stored")
    );
    let f = k(Absence::NotPresent {
        lot: "L1".into(),
        others: vec![A],
    });
    assert_eq!(
        f.message,
        format!(
            "inputs[2] names {B} which is not present (the set holds {A} that outputs lot \"L1\" under another id: altered or re-signed?)"
        )
    );
    let f = k(Absence::IssuedLater);
    assert!(
        f.message
            .ends_with("(it was issued after the verification time)")
    );
    assert_eq!(
        f.kind.as_deref(),
        Some(&FindingKind::LinkMissing {
            input: 2,
            certificate: B,
            absence: Absence::IssuedLater
        })
    );
}

#[test]
fn balance_uses_one_grams_formatter_and_names_the_yield() {
    let f = FindingKind::OwnBalanceExceeded {
        outputs: 1_500_000,
        inputs: 1_000_000,
    }
    .on(A);
    assert_eq!(f.code, Code::MassBalanceExceeded);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.message,
        format!(
            "outputs weigh {} but inputs only {} (yield 150.0 %)",
            Grams(1_500_000),
            Grams(1_000_000)
        )
    );
    assert_eq!(grams(u128::MAX), Grams(u64::MAX).to_string());
}

#[test]
fn codes_and_risks_follow_the_kind() {
    let missing = |at_sea| FindingKind::AttestationMissing {
        subject: "crew of vessel IMO1".into(),
        period: "the time t".into(),
        unsound: 0,
        absent: Vec::new(),
        at_sea,
    };
    assert_eq!(missing(false).code(), Code::AttestationMissing);
    assert_eq!(missing(true).code(), Code::RiskTransshipmentAtSea);
    assert!(
        missing(true)
            .message()
            .starts_with("transshipment at sea to a vessel with no valid attestation")
    );
    let weak = |method| FindingKind::WeakAudit {
        attestation: B,
        method,
    };
    assert_eq!(weak(AuditMethod::Internal).risk(), Some(Risk::Medium));
    assert_eq!(weak(AuditMethod::None).risk(), Some(Risk::Unknown));
    assert_eq!(weak(AuditMethod::None).on(A).risk, Some(Risk::Unknown));
}

#[test]
fn a_refused_self_revocation_names_why() {
    let f = FindingKind::RoleNotAllowed {
        issuer: "CN=Boat".into(),
        roles: vec![Role::Vessel],
        kind: Kind::Revocation,
        refusal: Some(RevocationRefusal::OtherSigner),
    }
    .on(A);
    assert_eq!(f.code, Code::IssuerRole);
    assert!(
        f.message.starts_with(
            "issuer \"CN=Boat\" with roles [vessel] may not sign a revocation (only the issuer of the revoked certificate, or a registrar, may revoke it"
        ),
        "{}",
        f.message
    );
    assert!(
        f.message
            .ends_with("; the revoked certificate has another signer)")
    );
    let undo = FindingKind::RoleNotAllowed {
        issuer: "CN=Registrar".into(),
        roles: vec![Role::Registrar],
        kind: Kind::Revocation,
        refusal: Some(RevocationRefusal::TargetIsRevocation),
    }
    .on(A);
    assert_eq!(undo.code, Code::IssuerRole);
    assert!(
        undo.message.contains("cannot be revoked"),
        "{}",
        undo.message
    );
}

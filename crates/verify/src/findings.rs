//! Findings, severities, risk levels and the verdict (contract §4).

use catchcert_model::CertId;
use serde::Serialize;
use std::fmt;

/// How serious a finding is. Every `Error` makes integrity invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information only.
    Info,
    /// A labour-risk or evidence gap in a trustworthy chain.
    Warning,
    /// The chain cannot be trusted.
    Error,
}

/// Labour risk, ordered `Low < Medium < Unknown < High`: missing evidence ranks above
/// weak evidence, so that withholding evidence never improves a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Covered by a valid attestation with no findings.
    #[default]
    Low,
    /// Minor shortfalls or weaker evidence.
    Medium,
    /// No, expired or withdrawn evidence.
    Unknown,
    /// ILO forced-labour indicators observed.
    High,
}

impl Risk {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::Unknown => "unknown",
            Risk::High => "high",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every finding code the verifier emits. The strings are the contract's; see
/// `docs/verification.md` for when each applies and why it matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `signature.invalid`
    SignatureInvalid,
    /// `issuer.untrusted`
    IssuerUntrusted,
    /// `issuer.expired`
    IssuerExpired,
    /// `issuer.role`
    IssuerRole,
    /// `issuer.scope`: the certificate speaks for a vessel, facility or party its issuer is
    /// not bound to.
    IssuerScope,
    /// `link.missing`
    LinkMissing,
    /// `link.lot`
    LinkLot,
    /// `link.cycle` (defensive: content-addressed ids make cycles infeasible)
    LinkCycle,
    /// `link.custody`: a lot consumed from someone who did not hold it.
    LinkCustody,
    /// `link.species`: a species output that no consumed lot carries.
    LinkSpecies,
    /// `link.lot_conflict`: a lot id with two lineages in the set.
    LinkLotConflict,
    /// `time.order`
    TimeOrder,
    /// `mass_balance.exceeded`
    MassBalanceExceeded,
    /// `certificate.revoked`
    CertificateRevoked,
    /// `attestation.missing`
    AttestationMissing,
    /// `attestation.expired`
    AttestationExpired,
    /// `attestation.revoked`
    AttestationRevoked,
    /// `attestation.weak_audit`
    AttestationWeakAudit,
    /// `risk.forced_labour_indicator`
    RiskForcedLabourIndicator,
    /// `risk.crew_conditions`
    RiskCrewConditions,
    /// `risk.transshipment_at_sea`
    RiskTransshipmentAtSea,
    /// `limits.exceeded`
    LimitsExceeded,
    /// `revocation.ignored` (info): a revocation of a certificate in the graph that does
    /// not verify or whose signer may not revoke it; it has no effect.
    RevocationIgnored,
    /// `attestation.self`: the attestation's issuer has the same key or the same subject `O`
    /// as the issuer of the certificate that relies on it (self-audit).
    AttestationSelf,
    /// `attestation.implausible`: an attestation whose validity, audit date or crew list
    /// cannot be right (validity over 366 days, ending before it starts, an audit after its
    /// signing, a crew attestation with no crew member).
    AttestationImplausible,
    /// `risk.long_trip`: a catch period over 180 days (isolation at sea, ILO indicator 4).
    RiskLongTrip,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 26] = [
        Code::SignatureInvalid,
        Code::IssuerUntrusted,
        Code::IssuerExpired,
        Code::IssuerRole,
        Code::IssuerScope,
        Code::LinkMissing,
        Code::LinkLot,
        Code::LinkCycle,
        Code::LinkCustody,
        Code::LinkSpecies,
        Code::LinkLotConflict,
        Code::TimeOrder,
        Code::MassBalanceExceeded,
        Code::CertificateRevoked,
        Code::AttestationMissing,
        Code::AttestationExpired,
        Code::AttestationRevoked,
        Code::AttestationWeakAudit,
        Code::RiskForcedLabourIndicator,
        Code::RiskCrewConditions,
        Code::RiskTransshipmentAtSea,
        Code::LimitsExceeded,
        Code::RevocationIgnored,
        Code::AttestationSelf,
        Code::AttestationImplausible,
        Code::RiskLongTrip,
    ];

    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SignatureInvalid => "signature.invalid",
            Code::IssuerUntrusted => "issuer.untrusted",
            Code::IssuerExpired => "issuer.expired",
            Code::IssuerRole => "issuer.role",
            Code::IssuerScope => "issuer.scope",
            Code::LinkMissing => "link.missing",
            Code::LinkLot => "link.lot",
            Code::LinkCycle => "link.cycle",
            Code::LinkCustody => "link.custody",
            Code::LinkSpecies => "link.species",
            Code::LinkLotConflict => "link.lot_conflict",
            Code::TimeOrder => "time.order",
            Code::MassBalanceExceeded => "mass_balance.exceeded",
            Code::CertificateRevoked => "certificate.revoked",
            Code::AttestationMissing => "attestation.missing",
            Code::AttestationExpired => "attestation.expired",
            Code::AttestationRevoked => "attestation.revoked",
            Code::AttestationWeakAudit => "attestation.weak_audit",
            Code::RiskForcedLabourIndicator => "risk.forced_labour_indicator",
            Code::RiskCrewConditions => "risk.crew_conditions",
            Code::RiskTransshipmentAtSea => "risk.transshipment_at_sea",
            Code::LimitsExceeded => "limits.exceeded",
            Code::RevocationIgnored => "revocation.ignored",
            Code::AttestationSelf => "attestation.self",
            Code::AttestationImplausible => "attestation.implausible",
            Code::RiskLongTrip => "risk.long_trip",
        }
    }

    /// The severity of the code.
    pub fn severity(self) -> Severity {
        match self {
            Code::SignatureInvalid
            | Code::IssuerUntrusted
            | Code::IssuerExpired
            | Code::IssuerRole
            | Code::IssuerScope
            | Code::LinkMissing
            | Code::LinkLot
            | Code::LinkCycle
            | Code::LinkCustody
            | Code::LinkSpecies
            | Code::LinkLotConflict
            | Code::TimeOrder
            | Code::MassBalanceExceeded
            | Code::CertificateRevoked
            | Code::LimitsExceeded => Severity::Error,
            Code::AttestationMissing
            | Code::AttestationExpired
            | Code::AttestationRevoked
            | Code::AttestationWeakAudit
            | Code::RiskForcedLabourIndicator
            | Code::RiskCrewConditions
            | Code::RiskTransshipmentAtSea => Severity::Warning,
            Code::RevocationIgnored => Severity::Info,
            Code::AttestationSelf | Code::AttestationImplausible | Code::RiskLongTrip => {
                Severity::Warning
            }
        }
    }

    /// The risk the code sets for the lots that come from the certificate concerned
    /// (`None` for integrity findings). `AttestationWeakAudit` is medium for an internal
    /// audit; the verifier raises it to unknown for `audit.method = none` explicitly.
    pub fn risk(self) -> Option<Risk> {
        match self {
            Code::AttestationMissing
            | Code::AttestationExpired
            | Code::AttestationRevoked
            | Code::RiskTransshipmentAtSea => Some(Risk::Unknown),
            Code::RiskForcedLabourIndicator => Some(Risk::High),
            Code::RiskCrewConditions | Code::AttestationWeakAudit => Some(Risk::Medium),
            Code::AttestationSelf | Code::AttestationImplausible => Some(Risk::Unknown),
            Code::RiskLongTrip => Some(Risk::Medium),
            _ => None,
        }
    }

    /// Parse a contract string.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding about one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The code.
    pub code: Code,
    /// Its severity.
    pub severity: Severity,
    /// The certificate concerned.
    pub certificate: CertId,
    /// A sentence for people, naming lots, quantities, times and issuers.
    pub message: String,
    /// The risk this finding sets on the lots from the certificate (not serialised).
    #[serde(skip)]
    pub risk: Option<Risk>,
    /// The typed facts the message was rendered from (not serialised); `None` for a
    /// finding made from a bare message with [`Finding::new`].
    #[serde(skip)]
    pub kind: Option<Box<crate::kinds::FindingKind>>,
}

impl Finding {
    /// A finding with the code's own severity and risk.
    pub fn new(code: Code, certificate: CertId, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            certificate,
            message: message.into(),
            risk: code.risk(),
            kind: None,
        }
    }

    /// Override the risk this finding sets.
    pub fn with_risk(mut self, risk: Risk) -> Self {
        self.risk = Some(risk);
        self
    }
}

/// Whether the chain can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Integrity {
    /// No error findings.
    Valid,
    /// At least one error finding.
    Invalid,
}

/// One certificate of the head's graph, for reports (not part of the JSON verdict).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The certificate id.
    pub id: CertId,
    /// Its kind, when it decoded.
    pub kind: Option<catchcert_model::Kind>,
    /// The issuer's subject, when the issuer was identified.
    pub issuer: Option<String>,
    /// One-line description (lots, vessel, port, …).
    pub summary: String,
    /// The event time, when it decoded.
    pub time: Option<catchcert_model::Timestamp>,
    /// Certificates this one consumes from (custody parents), in input order.
    pub parents: Vec<CertId>,
    /// Attestations it names.
    pub attestations: Vec<CertId>,
    /// The worst risk of this certificate and everything it came from.
    pub risk: Risk,
}

/// The result of verifying a head certificate's graph.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The head certificate.
    pub head: CertId,
    /// The lot ids the head outputs: what the verdict vouches for (contract §4).
    pub lots: Vec<String>,
    /// Valid when no finding is an error.
    pub integrity: Integrity,
    /// The worst labour risk anywhere upstream of the head.
    pub risk: Risk,
    /// How many certificates the head's graph holds.
    pub certificates: usize,
    /// All findings, in a stable order (by certificate, then code).
    pub findings: Vec<Finding>,
    /// The graph, for reports.
    #[serde(skip)]
    pub nodes: Vec<Node>,
}

impl Verdict {
    /// Whether any finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's table (§4), row by row: code, severity, risk.
    const CONTRACT: [(&str, Severity, Option<Risk>); 15] = [
        ("signature.invalid", Severity::Error, None),
        ("issuer.untrusted", Severity::Error, None),
        ("issuer.expired", Severity::Error, None),
        ("issuer.role", Severity::Error, None),
        ("link.missing", Severity::Error, None),
        ("link.lot", Severity::Error, None),
        ("time.order", Severity::Error, None),
        ("mass_balance.exceeded", Severity::Error, None),
        ("certificate.revoked", Severity::Error, None),
        (
            "attestation.missing",
            Severity::Warning,
            Some(Risk::Unknown),
        ),
        (
            "attestation.expired",
            Severity::Warning,
            Some(Risk::Unknown),
        ),
        (
            "attestation.revoked",
            Severity::Warning,
            Some(Risk::Unknown),
        ),
        (
            "risk.forced_labour_indicator",
            Severity::Warning,
            Some(Risk::High),
        ),
        (
            "risk.crew_conditions",
            Severity::Warning,
            Some(Risk::Medium),
        ),
        (
            "risk.transshipment_at_sea",
            Severity::Warning,
            Some(Risk::Unknown),
        ),
    ];

    #[test]
    fn every_contract_code_exists_with_its_severity_and_risk() {
        for (name, severity, risk) in CONTRACT {
            let code = Code::parse(name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(code.as_str(), name);
            assert_eq!(code.severity(), severity, "{name}");
            assert_eq!(code.risk(), risk, "{name}");
        }
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn risk_order_is_low_medium_unknown_high() {
        assert!(Risk::Low < Risk::Medium);
        assert!(Risk::Medium < Risk::Unknown);
        assert!(Risk::Unknown < Risk::High);
    }

    #[test]
    fn finding_serialises_as_contract_object() {
        let f = Finding::new(Code::LinkLot, CertId([1; 32]), "m");
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["code"], "link.lot");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["certificate"], CertId([1; 32]).to_string());
        assert_eq!(v["message"], "m");
        assert_eq!(v.as_object().unwrap().len(), 4);
    }
}

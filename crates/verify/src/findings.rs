//! Findings, severities, risk levels and the verdict (contract §4).

pub use crate::codes::{Code, Risk, Severity};
use catchcert_model::CertId;
use serde::Serialize;

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

impl crate::kinds::FindingKind {
    /// The finding about `certificate`.
    pub fn on(self, certificate: CertId) -> Finding {
        let mut f = Finding::new(self.code(), certificate, self.message());
        f.risk = self.risk();
        f.kind = Some(Box::new(self));
        f
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
    /// The messages of the input set that did not decode as certificates, with the
    /// reason, by id (for a caller that names the files they came from).
    #[serde(skip)]
    pub undecodable: Vec<(CertId, String)>,
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

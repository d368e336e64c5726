//! Finding codes, their severities and the risk levels (contract §4): the vocabulary every
//! other module of the verifier speaks, with no dependencies of its own.

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
    /// `risk.watchlist`: a certificate of the graph names something a trusted watch list
    /// lists while the listing is in force.
    RiskWatchlist,
    /// `watchlist.ignored` (info): a watch list that does not verify, or whose issuer is
    /// not a listkeeper, is not applied.
    WatchlistIgnored,
    /// `epcis.mismatch`: an EPCIS event given with `verify --epcis` no longer hashes to the
    /// `epcis_event_hash` of the certificate made from it.
    EpcisMismatch,
    /// `log.missing`: with a log key given, a certificate of the graph has no
    /// transparency-log proof.
    LogMissing,
    /// `log.proof_invalid`: its tlog-proof is malformed or does not put it in the tree.
    LogProofInvalid,
    /// `log.checkpoint_invalid`: the proof's checkpoint is not signed by the log key for
    /// the log's origin.
    LogCheckpointInvalid,
    /// `log.witness`: fewer valid witness cosignatures on the checkpoint than required.
    LogWitness,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 33] = [
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
        Code::RiskWatchlist,
        Code::WatchlistIgnored,
        Code::EpcisMismatch,
        Code::LogMissing,
        Code::LogProofInvalid,
        Code::LogCheckpointInvalid,
        Code::LogWitness,
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
            Code::RiskWatchlist => "risk.watchlist",
            Code::WatchlistIgnored => "watchlist.ignored",
            Code::EpcisMismatch => "epcis.mismatch",
            Code::LogMissing => "log.missing",
            Code::LogProofInvalid => "log.proof_invalid",
            Code::LogCheckpointInvalid => "log.checkpoint_invalid",
            Code::LogWitness => "log.witness",
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
            | Code::LimitsExceeded
            | Code::EpcisMismatch
            | Code::LogMissing
            | Code::LogProofInvalid
            | Code::LogCheckpointInvalid
            | Code::LogWitness => Severity::Error,
            Code::AttestationMissing
            | Code::AttestationExpired
            | Code::AttestationRevoked
            | Code::AttestationWeakAudit
            | Code::RiskForcedLabourIndicator
            | Code::RiskCrewConditions
            | Code::RiskTransshipmentAtSea => Severity::Warning,
            Code::RevocationIgnored | Code::WatchlistIgnored => Severity::Info,
            Code::RiskWatchlist => Severity::Warning,
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
            Code::RiskWatchlist => Some(Risk::High),
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

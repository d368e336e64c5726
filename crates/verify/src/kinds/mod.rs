//! What a finding is about, as typed data: every kind of finding the verifier and the
//! server's ingest emit, with the facts it names. [`FindingKind::code`] maps each to its
//! contract code and [`FindingKind::message`] renders the sentence for people, so each
//! message is written once.

mod message;

use crate::codes::{Code, Risk};
use crate::path::PathError;
use crate::signature::SignatureError;
use catchcert_model::bindings_ext::Bindings;
use catchcert_model::payload::{AuditMethod, FieldError};
use catchcert_model::{CertId, Grams, Kind, Role, Timestamp};
pub use message::{bindings_text, grams};
use message::{link_missing_message, role_message};

/// Why an input's certificate is not available to link to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Absence {
    /// Not in the set; `others` output the same lot under other ids (maybe an altered copy).
    NotPresent {
        /// The lot the input consumes.
        lot: String,
        /// Certificates of the set that output that lot, sorted.
        others: Vec<CertId>,
    },
    /// In the set but issued after the verification time.
    IssuedLater,
    /// In the set but not a valid certificate.
    Broken,
    /// Not in the server's store.
    NotStored,
}

/// Why a revocation by an issuer without the registrar role is refused (server ingest):
/// only the revoked certificate's own issuer (same key) or a registrar may revoke it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationRefusal {
    /// The revoked certificate is not stored.
    NotStored(CertId),
    /// The revoked certificate does not decode.
    Undecodable,
    /// The revoked certificate was signed with another key.
    OtherSigner,
    /// The revoked certificate's issuer path is not valid.
    TargetIssuerInvalid,
    /// The revoked certificate is itself a revocation (a revocation cannot be revoked).
    TargetIsRevocation,
}

/// What a certificate speaks for that its issuer is not bound to (`issuer.scope`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeClaim {
    /// A catch's `vessel_imo`.
    CatchVessel {
        /// The IMO number named.
        imo: String,
    },
    /// A transshipment signed by neither of its vessels.
    TransshipmentVessels {
        /// `from_vessel_imo`.
        from: String,
        /// `to_vessel_imo`.
        to: String,
    },
    /// A landing of a lot held by a vessel its issuer is not bound to.
    LandingVessel {
        /// Index of the input.
        input: usize,
        /// The lot landed.
        lot: String,
        /// The certificate that output it.
        certificate: CertId,
        /// The holding vessel.
        imo: String,
    },
    /// A processing's `facility`.
    ProcessingFacility {
        /// The facility named.
        facility: String,
    },
    /// A shipment signed by neither of its parties.
    ShipmentParties {
        /// `from`.
        from: String,
        /// `to`.
        to: String,
    },
    /// A receipt not signed by its `to`.
    ReceiptTo {
        /// `to`.
        to: String,
    },
}

/// Who holds a lot, as a finding names it (contract §4 "Holders and custody").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HolderKind {
    /// A vessel, by IMO number.
    Vessel(String),
    /// The port: a landed lot, anyone may take it on.
    Port,
    /// The issuer of a processing, with its bindings.
    Processor(Bindings),
    /// A party, by name.
    Party(String),
}

/// How a consumer breaks the custody rule (`link.custody`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CustodyBreach {
    /// It takes the lot from someone else than the holder (a transshipment's
    /// `from_vessel_imo`, a shipment's or receipt's `from`).
    From {
        /// The vessel or party it names as giver.
        from: String,
    },
    /// A transshipment or landing of a lot no vessel holds.
    NotAtSea,
    /// A shipment or receipt of a lot still held by a vessel (not landed).
    NotLanded,
    /// A processing signed by an issuer not bound to the holder.
    Signer {
        /// The signer's bindings.
        bound: Bindings,
    },
}

/// The typed context of one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// The bytes are not a valid certificate.
    Undecodable {
        /// The decoder's reason.
        reason: String,
    },
    /// The issuer path does not validate.
    IssuerPath(PathError),
    /// The signature fails under the key of the certificate the x5chain presents.
    SignatureUnderPresentedKey(SignatureError),
    /// The signature fails under the validated issuer's key.
    SignatureUnderIssuer {
        /// Why it fails.
        error: SignatureError,
        /// The issuer's subject.
        issuer: String,
    },
    /// The issuer's roles do not allow the kind.
    RoleNotAllowed {
        /// The issuer's subject.
        issuer: String,
        /// Its roles.
        roles: Vec<Role>,
        /// The kind it signed.
        kind: Kind,
        /// For a revocation at ingest: why it is not a revocation of its own certificate.
        refusal: Option<RevocationRefusal>,
    },
    /// The payload's own times are out of order.
    InternalTimeOrder(FieldError),
    /// `issued_at` is later than the server's time plus the allowed skew.
    IssuedInFuture {
        /// The certificate's issued_at.
        issued_at: Timestamp,
        /// The server's time.
        now: Timestamp,
        /// The allowed clock skew in seconds.
        skew_secs: i64,
    },
    /// The head certificate is not in the set (or issued after `later`).
    HeadMissing {
        /// The verification time, when the head was issued after it.
        later: Option<Timestamp>,
    },
    /// An input names a certificate that is not available.
    LinkMissing {
        /// Index of the input.
        input: usize,
        /// The certificate it names.
        certificate: CertId,
        /// Why it is not available.
        absence: Absence,
    },
    /// An input consumes a lot its certificate does not output.
    LinkLot {
        /// Index of the input.
        input: usize,
        /// The lot.
        lot: String,
        /// The certificate it names.
        certificate: CertId,
    },
    /// The certificate is earlier than a certificate it consumes.
    BeforeInput {
        /// Its time.
        time: Timestamp,
        /// The time of the consumed certificate.
        input_time: Timestamp,
        /// The kind of the consumed certificate.
        input_kind: Kind,
        /// The consumed certificate.
        certificate: CertId,
    },
    /// The certificate is before the end of fishing of a catch it consumes.
    BeforeEndOfFishing {
        /// Its time.
        time: Timestamp,
        /// The catch's end of fishing.
        catch_end: Timestamp,
        /// The catch.
        certificate: CertId,
    },
    /// The certificate outputs more than it consumes.
    OwnBalanceExceeded {
        /// Grams output.
        outputs: u128,
        /// Grams consumed.
        inputs: u128,
    },
    /// A lot is consumed beyond what was output of it.
    LotOverConsumed {
        /// The lot.
        lot: String,
        /// What was output.
        available: Grams,
        /// What is consumed in total.
        consumed: u128,
        /// The consumers counted, with their quantities.
        consumers: Vec<(CertId, Grams)>,
    },
    /// A revocation of this certificate does not take effect.
    RevocationIgnored {
        /// The revocation.
        revocation: CertId,
        /// Its problems (`code: message`).
        problems: Vec<String>,
    },
    /// The certificate is revoked.
    Revoked {
        /// Effective time.
        from: Timestamp,
        /// The revocation.
        by: CertId,
        /// Its reason.
        reason: String,
    },
    /// The only covering attestation was revoked within the period.
    AttestationRevoked {
        /// The attestation.
        attestation: CertId,
        /// What it must attest (`crew of vessel …`, `facility …`).
        subject: String,
        /// Effective time of the revocation.
        from: Timestamp,
        /// The period it must cover, rendered.
        period: String,
    },
    /// A matching attestation does not cover the period.
    AttestationExpired {
        /// The attestation.
        attestation: CertId,
        /// What it attests.
        subject: String,
        /// Its validity.
        valid: (Timestamp, Timestamp),
        /// The period it must cover, rendered.
        period: String,
    },
    /// No valid attestation covers the period.
    AttestationMissing {
        /// What must be attested.
        subject: String,
        /// The period, rendered.
        period: String,
        /// How many matching attestations failed verification.
        unsound: usize,
        /// Named attestations that are not present, rendered with why.
        absent: Vec<String>,
        /// The at-sea transshipment rule (`risk.transshipment_at_sea`).
        at_sea: bool,
    },
    /// The attestation rests on a weak audit (internal or none).
    WeakAudit {
        /// The attestation.
        attestation: CertId,
        /// Its audit method.
        method: AuditMethod,
    },
    /// The attestation records ILO forced-labour indicators.
    ForcedLabourIndicators {
        /// The attestation.
        attestation: CertId,
        /// The indicators, rendered (`number (name)`).
        indicators: Vec<String>,
    },
    /// The crew attestation shows shortfalls in conditions.
    CrewConditions {
        /// The attestation.
        attestation: CertId,
        /// The vessel's IMO number.
        imo: String,
        /// The shortfalls, rendered.
        issues: Vec<String>,
    },
    /// The certificate speaks for a vessel, facility or party its issuer is not bound to.
    IssuerScope {
        /// What it speaks for.
        claim: ScopeClaim,
        /// What its issuer is bound to.
        bound: Bindings,
    },
    /// An input consumes a lot from someone who did not hold it.
    Custody {
        /// Index of the input.
        input: usize,
        /// The lot.
        lot: String,
        /// The certificate that output it.
        certificate: CertId,
        /// The consumer's kind.
        consumer: Kind,
        /// Who held the lot.
        holder: HolderKind,
        /// How the consumer breaks custody.
        breach: CustodyBreach,
    },
    /// An output carries a species none of the consumed lots carries.
    Species {
        /// Index of the output.
        output: usize,
        /// Its lot.
        lot: String,
        /// Its species.
        species: String,
        /// The species the consumed lots carry, sorted.
        carried: Vec<String>,
    },
    /// The certificate starts a lineage of a lot id that other certificates also start.
    LotConflict {
        /// The lot id.
        lot: String,
        /// The first certificates of the other lineages, sorted.
        rivals: Vec<CertId>,
    },
    /// The certificate was signed before a certificate it names (input or attestation).
    IssuedBeforeNamed {
        /// Its issued_at.
        issued_at: Timestamp,
        /// The certificate named.
        named: CertId,
        /// Its kind.
        named_kind: Kind,
        /// Its issued_at.
        named_issued_at: Timestamp,
    },
    /// The certificate is part of a cycle of inputs.
    Cycle,
    /// The chain is deeper than the limit.
    TooDeep {
        /// Its depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// The set holds more certificates than the limit.
    TooManyCertificates {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The run already checked as many signatures as its limit allows; this certificate's
    /// was not checked.
    TooManySignatures {
        /// The limit.
        limit: usize,
    },
    /// Attestations the certificate names are not present, while others cover it.
    AttestationNotPresent {
        /// The named attestations, rendered with why they are absent.
        absent: Vec<String>,
    },
    /// The attestation was made by the issuer it is about (self-audit).
    AttestationSelf {
        /// The attestation.
        attestation: CertId,
        /// The attestation's issuer subject.
        auditor: String,
        /// The relying certificate's issuer subject.
        issuer: String,
        /// What they share (`the same key`, `the organisation "…"`).
        shared: String,
    },
    /// The attestation cannot be right.
    AttestationImplausible {
        /// The attestation.
        attestation: CertId,
        /// Why, rendered.
        problems: Vec<String>,
    },
    /// The catch period is longer than the limit.
    LongTrip {
        /// Start of fishing.
        start: Timestamp,
        /// End of fishing.
        end: Timestamp,
        /// Its length in whole days.
        days: i64,
        /// The limit in days.
        limit: i64,
    },
    /// The certificate names a value a trusted watch list lists while the listing is in
    /// force.
    Watchlisted {
        /// The watch list certificate.
        list: CertId,
        /// Its name.
        name: String,
        /// Its source.
        source: String,
        /// The scheme of the entry (`imo`, `facility`, …).
        scheme: String,
        /// The listed value.
        value: String,
        /// What the certificate names (the value itself, or a subarea of a listed area).
        named: String,
        /// Why it is listed.
        reason: String,
    },
    /// A watch list that does not verify, or whose issuer may not sign it, is not applied.
    WatchlistIgnored {
        /// Why (`code: message` of its problems).
        problems: Vec<String>,
    },
    /// A log key was given and the certificate has no transparency-log proof.
    LogMissing,
    /// The certificate's transparency-log proof does not hold.
    LogProof {
        /// Why (its code is `log.proof_invalid`, `log.checkpoint_invalid` or `log.witness`).
        error: catchcert_tlog::ProofError,
    },
}

impl FindingKind {
    /// The contract code.
    pub fn code(&self) -> Code {
        use FindingKind as K;
        match self {
            K::Undecodable { .. }
            | K::SignatureUnderPresentedKey(_)
            | K::SignatureUnderIssuer { .. } => Code::SignatureInvalid,
            K::IssuerPath(e) => e.finding_code(),
            K::RoleNotAllowed { .. } => Code::IssuerRole,
            K::InternalTimeOrder(_)
            | K::IssuedInFuture { .. }
            | K::BeforeInput { .. }
            | K::BeforeEndOfFishing { .. }
            | K::IssuedBeforeNamed { .. } => Code::TimeOrder,
            K::IssuerScope { .. } => Code::IssuerScope,
            K::Custody { .. } => Code::LinkCustody,
            K::Species { .. } => Code::LinkSpecies,
            K::LotConflict { .. } => Code::LinkLotConflict,
            K::HeadMissing { .. } | K::LinkMissing { .. } => Code::LinkMissing,
            K::LinkLot { .. } => Code::LinkLot,
            K::OwnBalanceExceeded { .. } | K::LotOverConsumed { .. } => Code::MassBalanceExceeded,
            K::RevocationIgnored { .. } => Code::RevocationIgnored,
            K::Revoked { .. } => Code::CertificateRevoked,
            K::AttestationRevoked { .. } => Code::AttestationRevoked,
            K::AttestationExpired { .. } => Code::AttestationExpired,
            K::AttestationMissing { at_sea: true, .. } => Code::RiskTransshipmentAtSea,
            K::AttestationMissing { .. } => Code::AttestationMissing,
            K::WeakAudit { .. } => Code::AttestationWeakAudit,
            K::ForcedLabourIndicators { .. } => Code::RiskForcedLabourIndicator,
            K::CrewConditions { .. } => Code::RiskCrewConditions,
            K::Cycle => Code::LinkCycle,
            K::TooDeep { .. } | K::TooManyCertificates { .. } | K::TooManySignatures { .. } => {
                Code::LimitsExceeded
            }
            K::AttestationNotPresent { .. } => Code::AttestationMissing,
            K::AttestationSelf { .. } => Code::AttestationSelf,
            K::AttestationImplausible { .. } => Code::AttestationImplausible,
            K::LongTrip { .. } => Code::RiskLongTrip,
            K::Watchlisted { .. } => Code::RiskWatchlist,
            K::WatchlistIgnored { .. } => Code::WatchlistIgnored,
            K::LogMissing => Code::LogMissing,
            K::LogProof { error } => match error {
                catchcert_tlog::ProofError::Checkpoint(_) => Code::LogCheckpointInvalid,
                catchcert_tlog::ProofError::Witness { .. } => Code::LogWitness,
                _ => Code::LogProofInvalid,
            },
        }
    }

    /// The risk the finding sets: the code's, except that no audit at all is unknown.
    pub fn risk(&self) -> Option<Risk> {
        match self {
            FindingKind::WeakAudit {
                method: AuditMethod::None,
                ..
            } => Some(Risk::Unknown),
            other => other.code().risk(),
        }
    }

    /// The sentence for people.
    pub fn message(&self) -> String {
        use FindingKind as K;
        match self {
            K::Undecodable { reason } => reason.clone(),
            K::IssuerPath(e) => format!("issuer path: {e}"),
            K::SignatureUnderPresentedKey(e) => {
                format!("{e} with the key of the certificate in its x5chain")
            }
            K::SignatureUnderIssuer { error, issuer } => {
                format!("{error} with the key of issuer {issuer:?}")
            }
            K::RoleNotAllowed {
                issuer,
                roles,
                kind,
                refusal,
            } => role_message(issuer, roles, *kind, refusal.as_ref()),
            K::InternalTimeOrder(e) => e.to_string(),
            K::IssuedInFuture {
                issued_at,
                now,
                skew_secs,
            } => format!(
                "issued_at {issued_at} is in the future (server time {now}, {skew_secs} s of clock skew allowed)"
            ),
            K::HeadMissing { later: Some(at) } => {
                format!("the head certificate was issued after {at} and is ignored")
            }
            K::HeadMissing { later: None } => "the head certificate is not in the set".into(),
            K::LinkMissing {
                input,
                certificate,
                absence,
            } => link_missing_message(*input, certificate, absence),
            K::RevocationIgnored {
                revocation,
                problems,
            } => format!(
                "the revocation {revocation} does not take effect: {}",
                problems.join("; ")
            ),
            K::Watchlisted {
                list,
                name,
                source,
                scheme,
                value,
                named,
                reason,
            } => {
                let what = if named == value {
                    format!("{scheme} {value:?}")
                } else {
                    format!("{scheme} {named:?} (listed: {value:?})")
                };
                format!(
                    "names {what}, listed on the watch list {name:?} ({list}, source {source:?}): {reason:?}"
                )
            }
            K::WatchlistIgnored { problems } => {
                format!("this watch list is not applied: {}", problems.join("; "))
            }
            K::LogMissing => "no transparency-log proof: nothing shows this certificate was logged (a bundle made from files, or a certificate newer than the log's latest checkpoint)".into(),
            K::LogProof { error } => format!("transparency-log proof: {error}"),
            K::Revoked { from, by, reason } => {
                format!("revoked from {from} by {by}: {reason:?}; every lot from it is tainted")
            }
            _ => self.custody_message(),
        }
    }
}

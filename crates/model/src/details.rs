//! The data of a payload's kind-specific part: the custody event and its step, the
//! attestations, revocations, and the field error every layer reports. These types carry
//! no rules; [`crate::payload`] validates them and [`crate::fields`] encodes them.

use crate::id::CertId;
use crate::kind::Kind;
use crate::quantity::Grams;
use crate::timestamp::Timestamp;
use std::fmt;

/// A custody event: the lots it consumes and produces, the attestations it relies on and
/// the step of the supply chain it records (which determines the kind).
#[derive(Clone, Debug, PartialEq)]
pub struct CustodyEvent {
    /// Quantities of lots that earlier certificates output (empty for a catch).
    pub inputs: Vec<Input>,
    /// Lots this certificate creates or passes on.
    pub outputs: Vec<Output>,
    /// Ids of the attestations this certificate relies on.
    pub attestations: Vec<CertId>,
    /// The kind-specific fields of the step.
    pub step: Step,
}

/// One consumed quantity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Input {
    /// The certificate that output the lot.
    pub certificate: CertId,
    /// The lot id, as that certificate names it.
    pub lot: String,
    /// How much of it this certificate consumes.
    pub quantity: Grams,
}

/// One produced lot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Output {
    /// The lot id (suppliers should make it globally unique, e.g. a GS1 LGTIN).
    pub lot: String,
    /// Its weight.
    pub quantity: Grams,
    /// ASFIS 3-alpha species code (required on catch outputs).
    pub species: Option<String>,
    /// Product description (required on processing outputs).
    pub product: Option<String>,
}

/// Kind-specific fields; they determine the kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Details {
    /// See [`CrewAttestation`].
    CrewAttestation(CrewAttestation),
    /// See [`FacilityAttestation`].
    FacilityAttestation(FacilityAttestation),
    /// A custody kind (catch, transshipment, landing, processing, shipment, receipt).
    Custody(CustodyEvent),
    /// See [`Revocation`].
    Revocation(Revocation),
    /// See [`Watchlist`].
    Watchlist(Watchlist),
}

/// The step a custody event records.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// See [`Catch`].
    Catch(Catch),
    /// See [`Transshipment`].
    Transshipment(Transshipment),
    /// A landing at a port (UN/LOCODE).
    Landing {
        /// UN/LOCODE, 5 characters.
        port: String,
    },
    /// Processing at a facility.
    Processing {
        /// The facility name or GLN.
        facility: String,
    },
    /// A shipment between parties.
    Shipment(Parties),
    /// A receipt between parties.
    Receipt(Parties),
}

impl Step {
    /// The certificate kind of this step.
    pub fn kind(&self) -> Kind {
        match self {
            Step::Catch(_) => Kind::Catch,
            Step::Transshipment(_) => Kind::Transshipment,
            Step::Landing { .. } => Kind::Landing,
            Step::Processing { .. } => Kind::Processing,
            Step::Shipment(_) => Kind::Shipment,
            Step::Receipt(_) => Kind::Receipt,
        }
    }
}

impl Details {
    /// The certificate kind.
    pub fn kind(&self) -> Kind {
        match self {
            Details::CrewAttestation(_) => Kind::CrewAttestation,
            Details::FacilityAttestation(_) => Kind::FacilityAttestation,
            Details::Custody(c) => c.step.kind(),
            Details::Revocation(_) => Kind::Revocation,
            Details::Watchlist(_) => Kind::Watchlist,
        }
    }
}

/// Crew labour attestation for one vessel over a validity period.
#[derive(Clone, Debug, PartialEq)]
pub struct CrewAttestation {
    /// The vessel the crew serves on.
    pub vessel: Vessel,
    /// Start of the period the attestation covers.
    pub valid_from: Timestamp,
    /// End of the period (exclusive).
    pub valid_until: Timestamp,
    /// How the audit was done.
    pub audit: Audit,
    /// Crew members as salted commitments with their conditions.
    pub crew: Vec<CrewMember>,
    /// Minimum rest observed, in minutes.
    pub rest: RestMinutes,
    /// ILO forced-labour indicators observed (ids 1–11, sorted, unique).
    pub ilo_indicators: Vec<u8>,
}

/// A vessel's identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vessel {
    /// Vessel name.
    pub name: String,
    /// IMO number, `IMO` + 7 or 8 digits.
    pub imo: String,
    /// Flag state, ISO 3166-1 alpha-3.
    pub flag: String,
}

/// Audit method (ISO first/second/third party, see docs/verification.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditMethod {
    /// No audit: a self-declaration without any check.
    None,
    /// First- or second-party audit.
    Internal,
    /// Independent third-party audit.
    ThirdParty,
}

impl AuditMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditMethod::None => "none",
            AuditMethod::Internal => "internal",
            AuditMethod::ThirdParty => "third_party",
        }
    }
    /// Parse the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            AuditMethod::None,
            AuditMethod::Internal,
            AuditMethod::ThirdParty,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// How an attestation was established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audit {
    /// Audit method.
    pub method: AuditMethod,
    /// Who audited.
    pub auditor: String,
    /// Audit date `YYYY-MM-DD`.
    pub date: String,
}

/// How a crew member is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WageMethod {
    /// Paid into the fisher's own bank account.
    BankTransfer,
    /// Paid in cash.
    Cash,
    /// Paid to the fisher's mobile money account.
    MobileMoney,
    /// Paid through a recruitment broker.
    ViaBroker,
    /// Deferred to the end of the trip or contract.
    Deferred,
}

impl WageMethod {
    /// Every method.
    pub const ALL: [WageMethod; 5] = [
        WageMethod::BankTransfer,
        WageMethod::Cash,
        WageMethod::MobileMoney,
        WageMethod::ViaBroker,
        WageMethod::Deferred,
    ];
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WageMethod::BankTransfer => "bank_transfer",
            WageMethod::Cash => "cash",
            WageMethod::MobileMoney => "mobile_money",
            WageMethod::ViaBroker => "via_broker",
            WageMethod::Deferred => "deferred",
        }
    }
    /// Parse the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One crew member in a signed payload: a commitment to the clear entry, and the working
/// conditions the verifier's risk rules read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrewMember {
    /// SHA-256 commitment to the salted clear entry (see [`crate::crew`]).
    pub commitment: [u8; 32],
    /// Holds a written work agreement (C188 Arts. 16–20).
    pub written_agreement: bool,
    /// Holds their own identity documents (ILO indicator 7).
    pub holds_own_documents: bool,
    /// Paid a recruitment fee (C188 Art. 22(3)(b)).
    pub recruitment_fee_paid: bool,
    /// How wages are paid.
    pub wage_method: WageMethod,
}

/// Minimum hours of rest, kept in whole minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestMinutes {
    /// Minimum rest in any 24 hours, in minutes (0..=1440).
    pub min_per_24h: u32,
    /// Minimum rest in any 7 days, in minutes (0..=10080).
    pub min_per_7d: u32,
}

/// Facility (processing plant) labour attestation.
#[derive(Clone, Debug, PartialEq)]
pub struct FacilityAttestation {
    /// The facility name or GLN, as processing certificates name it.
    pub facility: String,
    /// Start of the period covered.
    pub valid_from: Timestamp,
    /// End of the period covered (exclusive).
    pub valid_until: Timestamp,
    /// How the audit was done.
    pub audit: Audit,
    /// ILO forced-labour indicators observed.
    pub ilo_indicators: Vec<u8>,
}

/// A vessel's catch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catch {
    /// The catching vessel's IMO number.
    pub vessel_imo: String,
    /// FAO major area ("71") or subarea ("27.4.a").
    pub fao_area: String,
    /// ISSCFG Rev.1 gear abbreviation or code.
    pub gear: String,
    /// Start of fishing.
    pub catch_start: Timestamp,
    /// End of fishing.
    pub catch_end: Timestamp,
}

/// Catch moved from one vessel to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transshipment {
    /// The giving vessel's IMO number.
    pub from_vessel_imo: String,
    /// The receiving vessel's IMO number.
    pub to_vessel_imo: String,
    /// Whether the transfer happened at sea (not in port).
    pub at_sea: bool,
    /// FAO area where it happened.
    pub fao_area: String,
    /// The port (UN/LOCODE) of an in-port transshipment: required when `at_sea` is false,
    /// optional at sea; absent from the CBOR map when `None`.
    pub port: Option<String>,
}

/// Sender and receiver of a shipment or receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parties {
    /// Party name or GLN.
    pub from: String,
    /// Party name or GLN.
    pub to: String,
}

/// Withdrawal of a certificate from `time` on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The revoked certificate.
    pub certificate: CertId,
    /// Why.
    pub reason: String,
}

/// A watch list: values (vessels, facilities, parties, flags, FAO areas) that a list keeper
/// lists, each over a period, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watchlist {
    /// The list's name (e.g. "CBP withhold release orders").
    pub name: String,
    /// Where the entries come from (a publication, URL or register).
    pub source: String,
    /// The listed values.
    pub entries: Vec<WatchEntry>,
}

/// What a watch-list entry's value names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// A vessel's IMO number (`IMO` + 7 or 8 digits).
    Imo,
    /// A facility name or GLN, as processing certificates and facility attestations name it.
    Facility,
    /// A party name or GLN, as shipments and receipts name it.
    Party,
    /// A flag state, ISO 3166-1 alpha-3.
    Flag,
    /// An FAO major area or subarea: covers its subareas.
    FaoArea,
}

impl Scheme {
    /// Every scheme, in contract order.
    pub const ALL: [Scheme; 5] = [
        Scheme::Imo,
        Scheme::Facility,
        Scheme::Party,
        Scheme::Flag,
        Scheme::FaoArea,
    ];
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Imo => "imo",
            Scheme::Facility => "facility",
            Scheme::Party => "party",
            Scheme::Flag => "flag",
            Scheme::FaoArea => "fao_area",
        }
    }
    /// Parse the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One listed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEntry {
    /// What the value names.
    pub scheme: Scheme,
    /// The listed value (syntax per scheme).
    pub value: String,
    /// Why it is listed.
    pub reason: String,
    /// Start of the listing.
    pub listed_from: Timestamp,
    /// End of the listing (exclusive); open when `None`.
    pub listed_until: Option<Timestamp>,
}

impl WatchEntry {
    /// Whether the listing is in force at some moment of `from..=until`.
    pub fn in_force_during(&self, from: Timestamp, until: Timestamp) -> bool {
        self.listed_from <= until && self.listed_until.is_none_or(|u| from < u)
    }
}

/// A field that breaks a rule: names the field (a path such as `outputs[1].species`), the
/// offending value, and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FieldError {
    /// Path of the field.
    pub field: String,
    /// The offending value, shortened; empty when the field is missing.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "field `{}`: {}", self.field, self.reason)
        } else {
            write!(
                f,
                "field `{}` = {}: {}",
                self.field, self.value, self.reason
            )
        }
    }
}

impl FieldError {
    /// Build an error, shortening the shown value to 80 characters.
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        let mut v = value.to_string();
        if v.chars().count() > 80 {
            v = v.chars().take(77).collect::<String>() + "...";
        }
        FieldError {
            field: field.into(),
            value: v,
            reason: reason.into(),
        }
    }
    /// The same error, about the field at `field`.
    pub(crate) fn at(self, field: String) -> Self {
        FieldError { field, ..self }
    }

    pub(crate) fn missing(field: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            value: String::new(),
            reason: "missing".into(),
        }
    }
}

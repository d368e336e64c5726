//! The signed payload of every certificate kind, its deterministic CBOR form and its
//! validation rules.
//!
//! A payload is built either from JSON input ([`crate::input`]) or decoded from CBOR
//! ([`Payload::from_cbor`]); both paths end in [`Payload::validate`], so a signed payload
//! obeys exactly the rules that `issue` enforces. The CBOR layout is specified in
//! `docs/format.md`.

use crate::cbor::{self, Value};
use crate::codes;
pub use crate::details::{
    Audit, AuditMethod, Catch, CrewAttestation, CrewMember, CustodyEvent, Details,
    FacilityAttestation, FieldError, Input, Output, Parties, RestMinutes, Revocation, Scheme, Step,
    Transshipment, Vessel, WageMethod, WatchEntry, Watchlist,
};
pub use crate::epcis::EpcisLink;
use crate::fields::{self, Codec, FieldSpec, FieldValue};
use crate::id::CertId;
use crate::kind::Kind;
use crate::quantity::Grams;
use crate::timestamp::{self, Timestamp};
use std::collections::BTreeSet;

/// The payload format version, key `"v"`.
pub const FORMAT_VERSION: u64 = 1;

/// Maximum length in bytes of a name, party, lot id or other short text field.
pub const MAX_TEXT: usize = 256;
/// Maximum length in bytes of a revocation reason.
pub const MAX_REASON: usize = 1024;
/// Maximum entries in `inputs` or `outputs`.
pub const MAX_LOTS: usize = 1024;
/// Maximum entries in `attestations`.
pub const MAX_ATTESTATIONS: usize = 64;
/// Maximum crew entries in one crew attestation.
pub const MAX_CREW: usize = 512;
/// Maximum entries in one watch list. A list that has more is split into several
/// certificates (docs/watchlists.md): the payload limit below bounds a certificate anyway.
pub const MAX_WATCH_ENTRIES: usize = 2000;
/// Maximum size of an encoded payload.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// A validated certificate payload.
///
/// The fields are private: a `Payload` is only made by [`Payload::new`], by decoding
/// ([`Payload::from_cbor`]) or from JSON input ([`crate::input::build`]), each of which runs
/// [`Payload::validate`]. Lot movements live inside [`Details::Custody`], so a custody kind
/// without them, or an attestation with them, cannot be written down.
#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    time: Timestamp,
    issued_at: Timestamp,
    details: Details,
    /// The EPCIS event a certificate was made from (optional key `"epcis"`).
    epcis: Option<EpcisLink>,
}

/// The parts of a payload, unchecked: what [`Payload::into_parts`] gives, to change and
/// [`build`](PayloadParts::build) into a new payload.
#[derive(Clone, Debug, PartialEq)]
pub struct PayloadParts {
    /// The event time.
    pub time: Timestamp,
    /// The signing time.
    pub issued_at: Timestamp,
    /// The kind-specific fields.
    pub details: Details,
}

impl PayloadParts {
    /// The custody event, for custody kinds, to change.
    pub fn custody_mut(&mut self) -> Option<&mut CustodyEvent> {
        match &mut self.details {
            Details::Custody(c) => Some(c),
            _ => None,
        }
    }

    /// The payload, checked by [`Payload::validate`].
    pub fn build(self) -> Result<Payload, FieldError> {
        Payload::new(self.time, self.issued_at, self.details)
    }
}

/// Why payload bytes are not a valid payload.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PayloadError {
    /// Not deterministic CBOR, or over the limits.
    #[error("payload is not deterministic CBOR: {0}")]
    Cbor(#[from] cbor::DecodeError),
    /// Over [`MAX_PAYLOAD_BYTES`].
    #[error("payload is {0} bytes, over the limit of {MAX_PAYLOAD_BYTES}")]
    TooLarge(usize),
    /// A field is missing, unknown, of the wrong type, or breaks a rule.
    #[error("{0}")]
    Field(#[from] FieldError),
}

impl Payload {
    /// A payload from its parts, checked by [`Payload::validate`].
    pub fn new(
        time: Timestamp,
        issued_at: Timestamp,
        details: Details,
    ) -> Result<Payload, FieldError> {
        let p = Payload {
            time,
            issued_at,
            details,
            epcis: None,
        };
        p.validate()?;
        // A watch list is the one kind whose size the per-field limits do not bound below
        // the payload limit (2000 entries of long reasons): refuse what could not be decoded.
        if let Details::Watchlist(w) = &p.details {
            let n = p.to_cbor().len();
            if n > MAX_PAYLOAD_BYTES {
                return Err(FieldError::new(
                    "entries",
                    w.entries.len(),
                    format!(
                        "the payload would be {n} bytes, over the limit of {MAX_PAYLOAD_BYTES}: split the list into several certificates"
                    ),
                ));
            }
        }
        Ok(p)
    }

    /// The parts of the payload, e.g. to change one and build a new payload with
    /// [`PayloadParts::build`].
    pub fn into_parts(self) -> PayloadParts {
        PayloadParts {
            time: self.time,
            issued_at: self.issued_at,
            details: self.details,
        }
    }

    /// The same payload recording the EPCIS event it was made from (custody kinds only).
    pub fn with_epcis(mut self, link: EpcisLink) -> Result<Payload, FieldError> {
        self.epcis = Some(link);
        self.validate()?;
        Ok(self)
    }

    /// The EPCIS event this certificate was made from, if any.
    pub fn epcis(&self) -> Option<&EpcisLink> {
        self.epcis.as_ref()
    }

    /// The event time (for attestations: when the audit statement was made).
    pub fn time(&self) -> Timestamp {
        self.time
    }

    /// The signing time, claimed by the signer.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// The kind-specific fields.
    pub fn details(&self) -> &Details {
        &self.details
    }

    /// The certificate kind.
    pub fn kind(&self) -> Kind {
        self.details.kind()
    }

    /// The custody event, for custody kinds.
    pub fn custody(&self) -> Option<&CustodyEvent> {
        match &self.details {
            Details::Custody(c) => Some(c),
            _ => None,
        }
    }

    /// The custody step, for custody kinds.
    pub fn step(&self) -> Option<&Step> {
        self.custody().map(|c| &c.step)
    }

    /// The revocation, for a revocation.
    pub fn revocation(&self) -> Option<&Revocation> {
        match &self.details {
            Details::Revocation(r) => Some(r),
            _ => None,
        }
    }

    /// Consumed quantities (empty for non-custody kinds).
    pub fn inputs(&self) -> &[Input] {
        self.custody().map_or(&[], |c| &c.inputs)
    }

    /// Produced lots (empty for non-custody kinds).
    pub fn outputs(&self) -> &[Output] {
        self.custody().map_or(&[], |c| &c.outputs)
    }

    /// Attestations relied on (empty for non-custody kinds).
    pub fn attestations(&self) -> &[CertId] {
        self.custody().map_or(&[], |c| &c.attestations)
    }

    /// The watch list, for a watch list.
    pub fn watchlist(&self) -> Option<&Watchlist> {
        match &self.details {
            Details::Watchlist(w) => Some(w),
            _ => None,
        }
    }

    /// The validity period of an attestation.
    pub fn validity(&self) -> Option<(Timestamp, Timestamp)> {
        match &self.details {
            Details::CrewAttestation(a) => Some((a.valid_from, a.valid_until)),
            Details::FacilityAttestation(a) => Some((a.valid_from, a.valid_until)),
            _ => None,
        }
    }

    /// Check every rule that does not need the large run-time code lists.
    pub fn validate(&self) -> Result<(), FieldError> {
        check_time_range("time", self.time)?;
        check_time_range("issued_at", self.issued_at)?;
        if let Details::Custody(c) = &self.details {
            validate_custody(c)?;
        }
        if let Some(e) = &self.epcis {
            if !matches!(self.details, Details::Custody(_)) {
                return Err(FieldError::new(
                    "epcis",
                    self.kind(),
                    "only custody certificates record an EPCIS event",
                ));
            }
            e.validate()?;
        }
        match &self.details {
            Details::CrewAttestation(a) => {
                check_text("vessel.name", &a.vessel.name, MAX_TEXT)?;
                check_imo("vessel.imo", &a.vessel.imo)?;
                if !codes::is_flag(&a.vessel.flag) {
                    return Err(FieldError::new(
                        "vessel.flag",
                        &a.vessel.flag,
                        "not an ISO 3166-1 alpha-3 country code",
                    ));
                }
                check_validity(a.valid_from, a.valid_until)?;
                check_audit(&a.audit)?;
                if a.crew.len() > MAX_CREW {
                    return Err(FieldError::new(
                        "crew",
                        a.crew.len(),
                        format!("more than {MAX_CREW} entries"),
                    ));
                }
                let mut seen = BTreeSet::new();
                for (i, m) in a.crew.iter().enumerate() {
                    if !seen.insert(m.commitment) {
                        return Err(FieldError::new(
                            format!("crew[{i}].commitment"),
                            hex::encode(m.commitment),
                            "duplicate crew commitment",
                        ));
                    }
                }
                if a.rest.min_per_24h > 24 * 60 {
                    return Err(FieldError::new(
                        "rest_hours.min_per_24h",
                        f64::from(a.rest.min_per_24h) / 60.0,
                        "more than 24 hours",
                    ));
                }
                if a.rest.min_per_7d > 7 * 24 * 60 {
                    return Err(FieldError::new(
                        "rest_hours.min_per_7d",
                        f64::from(a.rest.min_per_7d) / 60.0,
                        "more than 168 hours",
                    ));
                }
                check_ilo(&a.ilo_indicators)?;
            }
            Details::FacilityAttestation(a) => {
                check_text("facility", &a.facility, MAX_TEXT)?;
                check_validity(a.valid_from, a.valid_until)?;
                check_audit(&a.audit)?;
                check_ilo(&a.ilo_indicators)?;
            }
            Details::Custody(CustodyEvent {
                step: Step::Catch(c),
                ..
            }) => {
                check_imo("vessel_imo", &c.vessel_imo)?;
                check_fao("fao_area", &c.fao_area)?;
                if !codes::is_gear(&c.gear) {
                    return Err(FieldError::new(
                        "gear",
                        &c.gear,
                        "not an ISSCFG Rev.1 gear abbreviation (e.g. LLD) or code (e.g. 09.32)",
                    ));
                }
                check_time_range("catch_start", c.catch_start)?;
                check_time_range("catch_end", c.catch_end)?;
            }
            Details::Custody(CustodyEvent {
                step: Step::Transshipment(t),
                ..
            }) => {
                check_imo("from_vessel_imo", &t.from_vessel_imo)?;
                check_imo("to_vessel_imo", &t.to_vessel_imo)?;
                if t.from_vessel_imo == t.to_vessel_imo {
                    return Err(FieldError::new(
                        "to_vessel_imo",
                        &t.to_vessel_imo,
                        "is the same vessel as from_vessel_imo",
                    ));
                }
                check_fao("fao_area", &t.fao_area)?;
                match &t.port {
                    Some(port) if !codes::is_locode_shape(port) => {
                        return Err(FieldError::new(
                            "port",
                            port,
                            "not a UN/LOCODE (2-letter country and 3 letters or digits 2-9, e.g. THBKK)",
                        ));
                    }
                    None if !t.at_sea => {
                        return Err(FieldError::new(
                            "port",
                            "",
                            "missing: an in-port transshipment (at_sea false) names its port (UN/LOCODE)",
                        ));
                    }
                    _ => {}
                }
            }
            Details::Custody(CustodyEvent {
                step: Step::Landing { port },
                ..
            }) => {
                if !codes::is_locode_shape(port) {
                    return Err(FieldError::new(
                        "port",
                        port,
                        "not a UN/LOCODE (2-letter country and 3 letters or digits 2-9, e.g. THBKK)",
                    ));
                }
            }
            Details::Custody(CustodyEvent {
                step: Step::Processing { facility },
                ..
            }) => check_text("facility", facility, MAX_TEXT)?,
            Details::Custody(CustodyEvent {
                step: Step::Shipment(p) | Step::Receipt(p),
                ..
            }) => {
                check_text("from", &p.from, MAX_TEXT)?;
                check_text("to", &p.to, MAX_TEXT)?;
            }
            Details::Revocation(r) => check_text("reason", &r.reason, MAX_REASON)?,
            Details::Watchlist(w) => check_watchlist(w)?,
        }
        Ok(())
    }

    /// Time-order problems inside one payload: the event after its own `issued_at`, a
    /// catch whose `catch_start` is after its `catch_end`, or whose `time` is before its
    /// `catch_end`. A signed payload with such a problem still decodes (the verifier reports
    /// `time.order`); `issue` refuses to sign one.
    pub fn time_order_problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.time > self.issued_at {
            out.push(FieldError::new(
                "time",
                self.time,
                format!("is after issued_at ({})", self.issued_at),
            ));
        }
        if let Some(Step::Catch(c)) = self.step() {
            if c.catch_start > c.catch_end {
                out.push(FieldError::new(
                    "catch_start",
                    c.catch_start,
                    format!("is after catch_end ({})", c.catch_end),
                ));
            }
            if self.time < c.catch_end {
                out.push(FieldError::new(
                    "time",
                    self.time,
                    format!(
                        "is before catch_end ({}): a catch is recorded when fishing ends",
                        c.catch_end
                    ),
                ));
            }
        }
        out
    }

    /// The payload as a CBOR value (keys as in docs/format.md; the kind's fields as
    /// [`fields::table`] lists them).
    pub fn to_value(&self) -> Value {
        let mut m: Vec<(&'static str, Value)> = vec![
            ("v", Value::Uint(FORMAT_VERSION)),
            ("kind", text(self.kind().as_str())),
            ("time", time_value(self.time)),
            ("issued_at", time_value(self.issued_at)),
        ];
        for (spec, value) in fields::table(self.kind())
            .iter()
            .zip(fields::split(&self.details))
        {
            if value != FieldValue::OptText(None) {
                m.push((spec.cbor, field_value(&value)));
            }
        }
        if let Some(e) = &self.epcis {
            m.push(("epcis", e.to_value()));
        }
        map(m)
    }

    /// Deterministic CBOR bytes of the payload.
    pub fn to_cbor(&self) -> Vec<u8> {
        cbor::to_vec(&self.to_value())
    }

    /// Decode and validate payload bytes. Rejects non-deterministic CBOR, unknown or missing
    /// fields, wrong types and every rule of [`Payload::validate`].
    pub fn from_cbor(bytes: &[u8]) -> Result<Payload, PayloadError> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(PayloadError::TooLarge(bytes.len()));
        }
        let limits = cbor::Limits {
            max_depth: 8,
            max_bytes: MAX_PAYLOAD_BYTES,
            max_items: 50_000,
        };
        let value = cbor::from_slice(bytes, &limits)?;
        let p = Self::from_value(&value)?;
        p.validate()?;
        Ok(p)
    }

    fn from_value(value: &Value) -> Result<Payload, FieldError> {
        let mut f = Fields::new("", value)?;
        let v = f.uint("v")?;
        if v != FORMAT_VERSION {
            return Err(FieldError::new(
                "v",
                v,
                format!("unsupported format version (expected {FORMAT_VERSION})"),
            ));
        }
        let kind_name = f.text("kind")?;
        let kind: Kind = kind_name.parse().map_err(|e: crate::kind::NameError| {
            FieldError::new("kind", kind_name, e.to_string())
        })?;
        let time = f.time("time")?;
        let issued_at = f.time("issued_at")?;
        let values = fields::table(kind)
            .iter()
            .map(|spec| f.field(spec))
            .collect::<Result<Vec<_>, FieldError>>()?;
        let details = fields::assemble(kind, values)?;
        let epcis = match f.opt("epcis") {
            Some(v) => Some(EpcisLink::from_value(v)?),
            None => None,
        };
        f.finish()?;
        Ok(Payload {
            time,
            issued_at,
            details,
            epcis,
        })
    }
}

fn validate_custody(c: &CustodyEvent) -> Result<(), FieldError> {
    let kind = c.step.kind();
    if kind == Kind::Catch {
        if !c.inputs.is_empty() {
            return Err(FieldError::new(
                "inputs",
                c.inputs.len(),
                "a catch has no inputs",
            ));
        }
    } else if c.inputs.is_empty() {
        return Err(FieldError::new(
            "inputs",
            "[]",
            format!("a {kind} consumes at least one lot"),
        ));
    }
    if c.outputs.is_empty() {
        return Err(FieldError::new(
            "outputs",
            "[]",
            "at least one output lot is required",
        ));
    }
    if c.inputs.len() > MAX_LOTS || c.outputs.len() > MAX_LOTS {
        return Err(FieldError::new(
            if c.inputs.len() > MAX_LOTS {
                "inputs"
            } else {
                "outputs"
            },
            c.inputs.len().max(c.outputs.len()),
            format!("more than {MAX_LOTS} entries"),
        ));
    }
    if c.attestations.len() > MAX_ATTESTATIONS {
        return Err(FieldError::new(
            "attestations",
            c.attestations.len(),
            format!("more than {MAX_ATTESTATIONS} entries"),
        ));
    }
    let mut seen_in = BTreeSet::new();
    for (i, inp) in c.inputs.iter().enumerate() {
        // The field's path is spelled out only for an error.
        check_lot("lot", &inp.lot).map_err(|e| e.at(format!("inputs[{i}].lot")))?;
        if !seen_in.insert((inp.certificate, inp.lot.as_str())) {
            return Err(FieldError::new(
                format!("inputs[{i}]"),
                format!("{} {}", inp.certificate, inp.lot),
                "the same (certificate, lot) is listed twice: give one entry with the total",
            ));
        }
    }
    let mut seen_out = BTreeSet::new();
    for (i, o) in c.outputs.iter().enumerate() {
        check_lot("lot", &o.lot).map_err(|e| e.at(format!("outputs[{i}].lot")))?;
        if !seen_out.insert(o.lot.as_str()) {
            return Err(FieldError::new(
                format!("outputs[{i}].lot"),
                &o.lot,
                "lot listed twice in outputs",
            ));
        }
        match &o.species {
            Some(s) if !codes::is_species_shape(s) => {
                return Err(FieldError::new(
                    format!("outputs[{i}].species"),
                    s,
                    "not an ASFIS 3-alpha species code (3 capital letters, e.g. YFT)",
                ));
            }
            None if kind == Kind::Catch => {
                return Err(FieldError::missing(format!("outputs[{i}].species")));
            }
            _ => {}
        }
        match &o.product {
            Some(p) => check_text("product", p, MAX_TEXT)
                .map_err(|e| e.at(format!("outputs[{i}].product")))?,
            None if kind == Kind::Processing => {
                return Err(FieldError::missing(format!("outputs[{i}].product")));
            }
            None => {}
        }
    }
    let mut seen_att = BTreeSet::new();
    for (i, a) in c.attestations.iter().enumerate() {
        if !seen_att.insert(*a) {
            return Err(FieldError::new(
                format!("attestations[{i}]"),
                a,
                "listed twice",
            ));
        }
    }
    Ok(())
}

fn check_time_range(field: &str, t: Timestamp) -> Result<(), FieldError> {
    if t < timestamp::MIN || t > timestamp::MAX {
        return Err(FieldError::new(field, t.0, "outside 1970..9999"));
    }
    Ok(())
}

/// The validity of an attestation: both ends within range. A signed attestation whose
/// `valid_until` is before its `valid_from` is a well-formed payload (the verifier reports it
/// as `attestation.implausible`); input for signing refuses it ([`validity_order`]).
fn check_validity(from: Timestamp, until: Timestamp) -> Result<(), FieldError> {
    check_time_range("valid_from", from)?;
    check_time_range("valid_until", until)?;
    Ok(())
}

/// For signing: an attestation's `valid_until` must be after its `valid_from`. Decoding does
/// not apply this rule (contract §4 `attestation.implausible`).
pub fn validity_order(payload: &Payload) -> Result<(), FieldError> {
    if let Some((from, until)) = payload.validity()
        && from >= until
    {
        return Err(FieldError::new(
            "valid_until",
            until,
            format!("must be after valid_from ({from})"),
        ));
    }
    Ok(())
}

fn check_audit(a: &Audit) -> Result<(), FieldError> {
    check_text("audit.auditor", &a.auditor, MAX_TEXT)?;
    timestamp::parse_date(&a.date)
        .map_err(|e| FieldError::new("audit.date", &a.date, e.to_string()))?;
    Ok(())
}

fn check_ilo(ids: &[u8]) -> Result<(), FieldError> {
    let mut last = 0u8;
    for (i, id) in ids.iter().enumerate() {
        if !codes::is_ilo_indicator(u64::from(*id)) {
            return Err(FieldError::new(
                format!("ilo_indicators[{i}]"),
                id,
                "not an ILO forced-labour indicator id (1-11)",
            ));
        }
        if *id <= last {
            return Err(FieldError::new(
                format!("ilo_indicators[{i}]"),
                id,
                "ids must be sorted ascending without repeats",
            ));
        }
        last = *id;
    }
    Ok(())
}

fn check_watchlist(w: &Watchlist) -> Result<(), FieldError> {
    check_text("name", &w.name, MAX_TEXT)?;
    check_text("source", &w.source, MAX_REASON)?;
    if w.entries.is_empty() {
        return Err(FieldError::new(
            "entries",
            "[]",
            "a watch list lists at least one value",
        ));
    }
    if w.entries.len() > MAX_WATCH_ENTRIES {
        return Err(FieldError::new(
            "entries",
            w.entries.len(),
            format!(
                "more than {MAX_WATCH_ENTRIES} entries: split the list into several certificates"
            ),
        ));
    }
    for (i, e) in w.entries.iter().enumerate() {
        check_watch_entry(&format!("entries[{i}]"), e)?;
    }
    Ok(())
}

/// The rules of one watch-list entry: the value's syntax for its scheme, the reason, the
/// listing period. `path` prefixes the field names (`entries[3]`).
pub fn check_watch_entry(path: &str, e: &WatchEntry) -> Result<(), FieldError> {
    let value = format!("{path}.value");
    match e.scheme {
        Scheme::Imo => check_imo(&value, &e.value)?,
        Scheme::Flag => {
            if !codes::is_flag(&e.value) {
                return Err(FieldError::new(
                    value,
                    &e.value,
                    "not an ISO 3166-1 alpha-3 country code",
                ));
            }
        }
        Scheme::FaoArea => check_fao(&value, &e.value)?,
        Scheme::Facility | Scheme::Party => check_text(&value, &e.value, MAX_TEXT)?,
    }
    check_text(&format!("{path}.reason"), &e.reason, MAX_REASON)?;
    check_time_range(&format!("{path}.listed_from"), e.listed_from)?;
    if let Some(u) = e.listed_until {
        check_time_range(&format!("{path}.listed_until"), u)?;
        if u <= e.listed_from {
            return Err(FieldError::new(
                format!("{path}.listed_until"),
                u,
                format!("is not after listed_from ({})", e.listed_from),
            ));
        }
    }
    Ok(())
}

fn check_imo(field: &str, imo: &str) -> Result<(), FieldError> {
    if !codes::is_imo_shape(imo) {
        return Err(FieldError::new(
            field,
            imo,
            "not an IMO number (IMO followed by 7 or 8 digits, e.g. IMO9074729)",
        ));
    }
    Ok(())
}

fn check_fao(field: &str, area: &str) -> Result<(), FieldError> {
    if !codes::is_fao_area(area) {
        return Err(FieldError::new(
            field,
            area,
            "not an FAO major fishing area (e.g. \"71\") or subarea (e.g. \"27.4.a\")",
        ));
    }
    Ok(())
}

/// Text fields: non-empty, at most `max` bytes, no control characters, no leading or
/// trailing white space.
pub fn check_text(field: &str, s: &str, max: usize) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(field, "\"\"", "must not be empty"));
    }
    if s.len() > max {
        return Err(FieldError::new(
            field,
            format!("{s:?}"),
            format!("longer than {max} bytes"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("{s:?}"),
            "contains control characters",
        ));
    }
    if s.trim() != s {
        return Err(FieldError::new(
            field,
            format!("{s:?}"),
            "has leading or trailing white space",
        ));
    }
    Ok(())
}

/// Longest lot id, in characters (GS1 AI (10)).
pub const MAX_LOT_LEN: usize = 20;

/// Whether `c` is in GS1 character set 82 (GS1 General Specifications §7.11, figure
/// 7.11-1): `A–Z a–z 0–9` and `! " % & ' ( ) * + , - . / : ; < = > ? _`.
pub fn is_gs1_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// Lot ids use the GS1 AI (10) batch/lot syntax: 1–20 characters of GS1 character set 82
/// (contract §3). Anything else (white space, invisible or non-ASCII characters such as
/// U+200B or a Cyrillic letter that looks Latin) is refused, so that one lot id cannot
/// be spelt two ways.
pub fn check_lot(field: &str, lot: &str) -> Result<(), FieldError> {
    let shown = || format!("{:?}", lot.chars().take(64).collect::<String>());
    if lot.is_empty() {
        return Err(FieldError::new(field, shown(), "is empty"));
    }
    if let Some((i, c)) = lot.chars().enumerate().find(|(_, c)| !is_gs1_cset82(*c)) {
        return Err(FieldError::new(
            field,
            shown(),
            format!(
                "character {} (U+{:04X}) is not allowed in a lot id: GS1 AI (10) lot ids use A-Z a-z 0-9 and ! \" % & ' ( ) * + , - . / : ; < = > ? _",
                i + 1,
                u32::from(c)
            ),
        ));
    }
    let n = lot.chars().count();
    if n > MAX_LOT_LEN {
        return Err(FieldError::new(
            field,
            shown(),
            format!("is {n} characters long; GS1 AI (10) lot ids have at most {MAX_LOT_LEN}"),
        ));
    }
    Ok(())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
}

fn time_value(t: Timestamp) -> Value {
    // Validated times are never negative.
    Value::Uint(u64::try_from(t.0).unwrap_or(0))
}

/// The CBOR form of one field's value.
fn field_value(v: &FieldValue) -> Value {
    match v {
        FieldValue::Text(s) => text(s),
        FieldValue::OptText(s) => s.as_deref().map_or(Value::Null, text),
        FieldValue::Time(t) => time_value(*t),
        FieldValue::Bool(b) => Value::Bool(*b),
        FieldValue::Id(id) => Value::Bytes(id.0.to_vec()),
        FieldValue::Inputs(inputs) => Value::Array(
            inputs
                .iter()
                .map(|i| {
                    map(vec![
                        ("certificate", Value::Bytes(i.certificate.0.to_vec())),
                        ("lot", text(&i.lot)),
                        ("quantity_g", Value::Uint(i.quantity.0)),
                    ])
                })
                .collect(),
        ),
        FieldValue::Outputs(outputs) => Value::Array(
            outputs
                .iter()
                .map(|o| {
                    let mut e = vec![
                        ("lot", text(&o.lot)),
                        ("quantity_g", Value::Uint(o.quantity.0)),
                    ];
                    if let Some(s) = &o.species {
                        e.push(("species", text(s)));
                    }
                    if let Some(p) = &o.product {
                        e.push(("product", text(p)));
                    }
                    map(e)
                })
                .collect(),
        ),
        FieldValue::Attestations(ids) => {
            Value::Array(ids.iter().map(|a| Value::Bytes(a.0.to_vec())).collect())
        }
        FieldValue::Vessel(v) => map(vec![
            ("name", text(&v.name)),
            ("imo", text(&v.imo)),
            ("flag", text(&v.flag)),
        ]),
        FieldValue::Audit(a) => audit_value(a),
        FieldValue::Crew(crew) => Value::Array(
            crew.iter()
                .map(|c| {
                    map(vec![
                        ("commitment", Value::Bytes(c.commitment.to_vec())),
                        ("written_agreement", Value::Bool(c.written_agreement)),
                        ("holds_own_documents", Value::Bool(c.holds_own_documents)),
                        ("recruitment_fee_paid", Value::Bool(c.recruitment_fee_paid)),
                        ("wage_method", text(c.wage_method.as_str())),
                    ])
                })
                .collect(),
        ),
        FieldValue::Rest(r) => map(vec![
            ("min_per_24h", Value::Uint(u64::from(r.min_per_24h))),
            ("min_per_7d", Value::Uint(u64::from(r.min_per_7d))),
        ]),
        FieldValue::Ilo(ids) => ilo_value(ids),
        FieldValue::Entries(entries) => Value::Array(
            entries
                .iter()
                .map(|e| {
                    let mut m = vec![
                        ("scheme", text(e.scheme.as_str())),
                        ("value", text(&e.value)),
                        ("reason", text(&e.reason)),
                        ("listed_from", time_value(e.listed_from)),
                    ];
                    if let Some(u) = e.listed_until {
                        m.push(("listed_until", time_value(u)));
                    }
                    map(m)
                })
                .collect(),
        ),
    }
}

fn audit_value(a: &Audit) -> Value {
    map(vec![
        ("method", text(a.method.as_str())),
        ("auditor", text(&a.auditor)),
        ("date", text(&a.date)),
    ])
}

fn ilo_value(ids: &[u8]) -> Value {
    Value::Array(ids.iter().map(|i| Value::Uint(u64::from(*i))).collect())
}

fn as_cert_id(field: &str, v: &Value) -> Result<CertId, FieldError> {
    match v {
        Value::Bytes(b) => CertId::from_slice(b).ok_or_else(|| {
            FieldError::new(field, hex::encode(b), "must be a 32-byte SHA-256 digest")
        }),
        other => Err(FieldError::new(
            field,
            type_name(other),
            "must be a byte string (certificate id)",
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Uint(_) | Value::Nint(_) => "an integer",
        Value::Bytes(_) => "a byte string",
        Value::Text(_) => "a text string",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Tag(..) => "a tag",
        Value::Bool(_) => "a boolean",
        Value::Null | Value::Undefined | Value::Simple(_) => "a simple value",
        Value::Float(_) => "a float",
    }
}

/// Reads the fields of a CBOR map by name, and reports unknown or missing ones by path.
struct Fields<'a> {
    prefix: String,
    entries: Vec<(&'a str, &'a Value)>,
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    fn new(prefix: &str, v: &'a Value) -> Result<Self, FieldError> {
        let Value::Map(entries) = v else {
            let at = if prefix.is_empty() { "payload" } else { prefix };
            return Err(FieldError::new(at, type_name(v), "must be a map"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, val) in entries {
            match k {
                Value::Text(name) => out.push((name.as_str(), val)),
                other => {
                    return Err(FieldError::new(
                        if prefix.is_empty() { "payload" } else { prefix },
                        type_name(other),
                        "map keys must be text",
                    ));
                }
            }
        }
        let used = vec![false; out.len()];
        Ok(Fields {
            prefix: prefix.to_string(),
            entries: out,
            used,
        })
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    fn opt(&mut self, name: &str) -> Option<&'a Value> {
        let i = self.entries.iter().position(|(k, _)| *k == name)?;
        self.used[i] = true;
        Some(self.entries[i].1)
    }

    fn req(&mut self, name: &str) -> Result<&'a Value, FieldError> {
        let path = self.path(name);
        self.opt(name).ok_or_else(|| FieldError::missing(path))
    }

    fn finish(self) -> Result<(), FieldError> {
        match self.entries.iter().zip(&self.used).find(|(_, u)| !**u) {
            Some(((k, _), _)) => Err(FieldError::new(self.path(k), "", "unknown field")),
            None => Ok(()),
        }
    }

    fn text(&mut self, name: &str) -> Result<&'a str, FieldError> {
        match self.req(name)? {
            Value::Text(s) => Ok(s),
            v => Err(FieldError::new(
                self.path(name),
                type_name(v),
                "must be a text string",
            )),
        }
    }

    fn opt_text(&mut self, name: &str) -> Result<Option<&'a str>, FieldError> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Text(s)) => Ok(Some(s)),
            Some(v) => Err(FieldError::new(
                self.path(name),
                type_name(v),
                "must be a text string",
            )),
        }
    }

    fn uint(&mut self, name: &str) -> Result<u64, FieldError> {
        match self.req(name)? {
            Value::Uint(n) => Ok(*n),
            v => Err(FieldError::new(
                self.path(name),
                type_name(v),
                "must be an unsigned integer",
            )),
        }
    }

    fn u32(&mut self, name: &str) -> Result<u32, FieldError> {
        let n = self.uint(name)?;
        u32::try_from(n).map_err(|_| FieldError::new(self.path(name), n, "too large"))
    }

    fn bool(&mut self, name: &str) -> Result<bool, FieldError> {
        match self.req(name)? {
            Value::Bool(b) => Ok(*b),
            v => Err(FieldError::new(
                self.path(name),
                type_name(v),
                "must be a boolean",
            )),
        }
    }

    fn time(&mut self, name: &str) -> Result<Timestamp, FieldError> {
        let n = self.uint(name)?;
        i64::try_from(n)
            .ok()
            .and_then(Timestamp::from_unix)
            .ok_or_else(|| FieldError::new(self.path(name), n, "time outside 1970..9999"))
    }

    fn grams(&mut self, name: &str) -> Result<Grams, FieldError> {
        let n = self.uint(name)?;
        Grams::from_grams(n).map_err(|e| FieldError::new(self.path(name), n, e.to_string()))
    }

    fn bytes32(&mut self, name: &str) -> Result<[u8; 32], FieldError> {
        let path = self.path(name);
        as_cert_id(&path, self.req(name)?).map(|c| c.0)
    }

    fn cert_id(&mut self, name: &str) -> Result<CertId, FieldError> {
        let path = self.path(name);
        as_cert_id(&path, self.req(name)?)
    }

    fn array(&mut self, name: &str) -> Result<&'a [Value], FieldError> {
        match self.req(name)? {
            Value::Array(a) => Ok(a),
            v => Err(FieldError::new(
                self.path(name),
                type_name(v),
                "must be an array",
            )),
        }
    }

    fn map(&mut self, name: &str) -> Result<Fields<'a>, FieldError> {
        let path = self.path(name);
        Fields::new(&path, self.req(name)?)
    }

    fn wage_method(&mut self, name: &str) -> Result<WageMethod, FieldError> {
        let s = self.text(name)?;
        WageMethod::parse(s).ok_or_else(|| {
            FieldError::new(
                self.path(name),
                s,
                "not one of bank_transfer, cash, mobile_money, via_broker, deferred",
            )
        })
    }

    /// Read one field of the kind's table by its codec.
    fn field(&mut self, spec: &FieldSpec) -> Result<FieldValue, FieldError> {
        let name = spec.cbor;
        Ok(match spec.codec {
            Codec::Text | Codec::Port | Codec::Reason => {
                FieldValue::Text(self.text(name)?.to_string())
            }
            Codec::OptPort => FieldValue::OptText(self.opt_text(name)?.map(str::to_string)),
            Codec::Time => FieldValue::Time(self.time(name)?),
            Codec::Bool => FieldValue::Bool(self.bool(name)?),
            Codec::Id => FieldValue::Id(self.cert_id(name)?),
            Codec::Inputs => FieldValue::Inputs(
                self.array(name)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut e = Fields::new(&format!("{name}[{i}]"), v)?;
                        let r = Input {
                            certificate: e.cert_id("certificate")?,
                            lot: e.text("lot")?.to_string(),
                            quantity: e.grams("quantity_g")?,
                        };
                        e.finish()?;
                        Ok(r)
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            ),
            Codec::Outputs => FieldValue::Outputs(
                self.array(name)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut e = Fields::new(&format!("{name}[{i}]"), v)?;
                        let r = Output {
                            lot: e.text("lot")?.to_string(),
                            quantity: e.grams("quantity_g")?,
                            species: e.opt_text("species")?.map(str::to_string),
                            product: e.opt_text("product")?.map(str::to_string),
                        };
                        e.finish()?;
                        Ok(r)
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            ),
            Codec::Attestations => FieldValue::Attestations(
                self.array(name)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| as_cert_id(&format!("{name}[{i}]"), v))
                    .collect::<Result<Vec<_>, FieldError>>()?,
            ),
            Codec::Vessel => {
                let mut ve = self.map(name)?;
                let vessel = Vessel {
                    name: ve.text("name")?.to_string(),
                    imo: ve.text("imo")?.to_string(),
                    flag: ve.text("flag")?.to_string(),
                };
                ve.finish()?;
                FieldValue::Vessel(vessel)
            }
            Codec::Audit => FieldValue::Audit(self.audit(name)?),
            Codec::Crew => FieldValue::Crew(
                self.array(name)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut e = Fields::new(&format!("{name}[{i}]"), v)?;
                        let commitment = e.bytes32("commitment")?;
                        let r = CrewMember {
                            commitment,
                            written_agreement: e.bool("written_agreement")?,
                            holds_own_documents: e.bool("holds_own_documents")?,
                            recruitment_fee_paid: e.bool("recruitment_fee_paid")?,
                            wage_method: e.wage_method("wage_method")?,
                        };
                        e.finish()?;
                        Ok(r)
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            ),
            Codec::Rest => {
                let mut r = self.map(name)?;
                let rest = RestMinutes {
                    min_per_24h: r.u32("min_per_24h")?,
                    min_per_7d: r.u32("min_per_7d")?,
                };
                r.finish()?;
                FieldValue::Rest(rest)
            }
            Codec::Ilo => FieldValue::Ilo(self.ilo(name)?),
            Codec::Entries => {
                let items = self.array(name)?;
                if items.len() > MAX_WATCH_ENTRIES {
                    return Err(FieldError::new(
                        self.path(name),
                        items.len(),
                        format!("more than {MAX_WATCH_ENTRIES} entries"),
                    ));
                }
                FieldValue::Entries(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut e = Fields::new(&format!("{name}[{i}]"), v)?;
                            let scheme = e.text("scheme")?;
                            let scheme = Scheme::parse(scheme).ok_or_else(|| {
                                FieldError::new(
                                    e.path("scheme"),
                                    scheme,
                                    "not one of imo, facility, party, flag, fao_area",
                                )
                            })?;
                            let value = e.text("value")?.to_string();
                            let reason = e.text("reason")?.to_string();
                            let listed_from = e.time("listed_from")?;
                            let listed_until = match e.opt("listed_until") {
                                None => None,
                                Some(_) => Some(e.time("listed_until")?),
                            };
                            e.finish()?;
                            Ok(WatchEntry {
                                scheme,
                                value,
                                reason,
                                listed_from,
                                listed_until,
                            })
                        })
                        .collect::<Result<Vec<_>, FieldError>>()?,
                )
            }
        })
    }

    fn audit(&mut self, name: &str) -> Result<Audit, FieldError> {
        let mut a = self.map(name)?;
        let method = a.text("method")?;
        let method = AuditMethod::parse(method).ok_or_else(|| {
            FieldError::new(
                a.path("method"),
                method,
                "not one of none, internal, third_party",
            )
        })?;
        let r = Audit {
            method,
            auditor: a.text("auditor")?.to_string(),
            date: a.text("date")?.to_string(),
        };
        a.finish()?;
        Ok(r)
    }

    fn ilo(&mut self, name: &str) -> Result<Vec<u8>, FieldError> {
        let path = self.path(name);
        self.array(name)?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Uint(n) => u8::try_from(*n).map_err(|_| {
                    FieldError::new(format!("{path}[{i}]"), n, "not an ILO indicator id (1-11)")
                }),
                v => Err(FieldError::new(
                    format!("{path}[{i}]"),
                    type_name(v),
                    "must be an integer",
                )),
            })
            .collect()
    }
}

#[cfg(test)]
mod watchlist_size_tests {
    use super::*;

    fn list(n: usize, reason_len: usize) -> Details {
        Details::Watchlist(Watchlist {
            name: "n".into(),
            source: "s".into(),
            entries: (0..n)
                .map(|i| WatchEntry {
                    scheme: Scheme::Imo,
                    value: format!("IMO{:07}", 1_000_000 + i),
                    reason: "r".repeat(reason_len),
                    listed_from: Timestamp(0),
                    listed_until: None,
                })
                .collect(),
        })
    }

    #[test]
    fn a_list_over_the_payload_limit_is_refused_and_one_within_round_trips() {
        let t = Timestamp(1_700_000_000);
        let e = Payload::new(t, t, list(MAX_WATCH_ENTRIES, 500)).unwrap_err();
        assert_eq!(e.field, "entries");
        assert!(e.reason.contains("split"), "{e}");
        let p = Payload::new(t, t, list(MAX_WATCH_ENTRIES, 60)).unwrap();
        assert!(p.to_cbor().len() <= MAX_PAYLOAD_BYTES);
        assert_eq!(Payload::from_cbor(&p.to_cbor()).unwrap(), p);
        assert!(Payload::new(t, t, list(MAX_WATCH_ENTRIES + 1, 1)).is_err());
        assert!(Payload::new(t, t, list(0, 1)).is_err());
    }
}

//! The one per-kind field table of a payload.
//!
//! Every form of a payload is driven by [`table`]: the CBOR map
//! ([`crate::payload::Payload::to_value`] and `from_cbor`), the JSON input
//! ([`crate::input::build`]) and the JSON output ([`crate::json::payload_to_json`]). Each
//! codec function handles one [`Codec`]; [`split`] and [`assemble`] turn kind-specific
//! fields into [`FieldValue`]s (in table order) and back. Adding a field is one table row
//! and its place in `split`/`assemble`; adding a kind is one table and one arm of each.
//!
//! The fields every kind has (`v`, `kind`, `time`, `issued_at`) are not in the table.

use crate::details::{
    Audit, Catch, CrewAttestation, CrewMember, CustodyEvent, Details, FacilityAttestation,
    FieldError, Input, Output, Parties, RestMinutes, Revocation, Step, Transshipment, Vessel,
    WatchEntry, Watchlist,
};
use crate::id::CertId;
use crate::kind::Kind;
use crate::timestamp::Timestamp;

/// How a field is written in each form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// Short text (CBOR text, JSON string; JSON input checks it as text up to `MAX_TEXT`).
    Text,
    /// A UN/LOCODE port: text, checked against the UN/LOCODE list on JSON input.
    Port,
    /// An optional UN/LOCODE port (a transshipment's): absent from the CBOR map and the
    /// JSON forms when there is none.
    OptPort,
    /// Long text (a revocation reason), checked only by `validate`.
    Reason,
    /// A time: CBOR seconds since 1970, JSON RFC 3339.
    Time,
    /// A boolean.
    Bool,
    /// A certificate id: CBOR 32-byte string, JSON `sha256:…`.
    Id,
    /// Consumed lots: CBOR `quantity_g`, JSON `quantity_kg`.
    Inputs,
    /// Produced lots (species checked against ASFIS on JSON input).
    Outputs,
    /// Ids of attestations relied on.
    Attestations,
    /// A vessel's name, IMO number and flag.
    Vessel,
    /// Audit method, auditor and date.
    Audit,
    /// Crew: CBOR and JSON output as commitments with conditions; JSON input as clear
    /// entries, committed with fresh salts.
    Crew,
    /// Minimum rest: CBOR in minutes, JSON in hours.
    Rest,
    /// ILO forced-labour indicator ids.
    Ilo,
    /// Watch-list entries: CBOR and JSON times as the other times, `listed_until` absent
    /// when open.
    Entries,
}

/// One field of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The key in the CBOR map.
    pub cbor: &'static str,
    /// The name in JSON input and output.
    pub json: &'static str,
    /// How its value is written.
    pub codec: Codec,
    /// Whether JSON input must give it (CBOR always carries every field).
    pub json_required: bool,
}

const fn req(name: &'static str, codec: Codec) -> FieldSpec {
    FieldSpec {
        cbor: name,
        json: name,
        codec,
        json_required: true,
    }
}

const fn opt(name: &'static str, codec: Codec) -> FieldSpec {
    FieldSpec {
        cbor: name,
        json: name,
        codec,
        json_required: false,
    }
}

const INPUTS: FieldSpec = opt("inputs", Codec::Inputs);
const OUTPUTS: FieldSpec = req("outputs", Codec::Outputs);
const ATTESTATIONS: FieldSpec = opt("attestations", Codec::Attestations);

const CREW_ATTESTATION: &[FieldSpec] = &[
    req("vessel", Codec::Vessel),
    req("valid_from", Codec::Time),
    req("valid_until", Codec::Time),
    req("audit", Codec::Audit),
    req("crew", Codec::Crew),
    FieldSpec {
        cbor: "rest_minutes",
        json: "rest_hours",
        codec: Codec::Rest,
        json_required: true,
    },
    opt("ilo_indicators", Codec::Ilo),
];
const FACILITY_ATTESTATION: &[FieldSpec] = &[
    req("facility", Codec::Text),
    req("valid_from", Codec::Time),
    req("valid_until", Codec::Time),
    req("audit", Codec::Audit),
    opt("ilo_indicators", Codec::Ilo),
];
const CATCH: &[FieldSpec] = &[
    INPUTS,
    OUTPUTS,
    ATTESTATIONS,
    req("vessel_imo", Codec::Text),
    req("fao_area", Codec::Text),
    req("gear", Codec::Text),
    req("catch_start", Codec::Time),
    req("catch_end", Codec::Time),
];
const TRANSSHIPMENT: &[FieldSpec] = &[
    INPUTS,
    OUTPUTS,
    ATTESTATIONS,
    req("from_vessel_imo", Codec::Text),
    req("to_vessel_imo", Codec::Text),
    req("at_sea", Codec::Bool),
    req("fao_area", Codec::Text),
    opt("port", Codec::OptPort),
];
const LANDING: &[FieldSpec] = &[INPUTS, OUTPUTS, ATTESTATIONS, req("port", Codec::Port)];
const PROCESSING: &[FieldSpec] = &[INPUTS, OUTPUTS, ATTESTATIONS, req("facility", Codec::Text)];
const PARTIES: &[FieldSpec] = &[
    INPUTS,
    OUTPUTS,
    ATTESTATIONS,
    req("from", Codec::Text),
    req("to", Codec::Text),
];
const REVOCATION: &[FieldSpec] = &[req("certificate", Codec::Id), req("reason", Codec::Reason)];
const WATCHLIST: &[FieldSpec] = &[
    req("name", Codec::Text),
    req("source", Codec::Reason),
    req("entries", Codec::Entries),
];

/// The kind-specific fields of `kind`, in the order they are read and written.
pub fn table(kind: Kind) -> &'static [FieldSpec] {
    match kind {
        Kind::CrewAttestation => CREW_ATTESTATION,
        Kind::FacilityAttestation => FACILITY_ATTESTATION,
        Kind::Catch => CATCH,
        Kind::Transshipment => TRANSSHIPMENT,
        Kind::Landing => LANDING,
        Kind::Processing => PROCESSING,
        Kind::Shipment | Kind::Receipt => PARTIES,
        Kind::Revocation => REVOCATION,
        Kind::Watchlist => WATCHLIST,
    }
}

/// The value of one field, typed by its [`Codec`].
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// [`Codec::Text`], [`Codec::Port`] or [`Codec::Reason`].
    Text(String),
    /// [`Codec::OptPort`]: `None` is written as an absent key.
    OptText(Option<String>),
    /// [`Codec::Time`].
    Time(Timestamp),
    /// [`Codec::Bool`].
    Bool(bool),
    /// [`Codec::Id`].
    Id(CertId),
    /// [`Codec::Inputs`].
    Inputs(Vec<Input>),
    /// [`Codec::Outputs`].
    Outputs(Vec<Output>),
    /// [`Codec::Attestations`].
    Attestations(Vec<CertId>),
    /// [`Codec::Vessel`].
    Vessel(Vessel),
    /// [`Codec::Audit`].
    Audit(Audit),
    /// [`Codec::Crew`].
    Crew(Vec<CrewMember>),
    /// [`Codec::Rest`].
    Rest(RestMinutes),
    /// [`Codec::Ilo`].
    Ilo(Vec<u8>),
    /// [`Codec::Entries`].
    Entries(Vec<WatchEntry>),
}

/// The kind-specific fields of `details` as values, in the order of [`table`].
pub fn split(details: &Details) -> Vec<FieldValue> {
    use FieldValue as V;
    let text = |s: &str| V::Text(s.to_string());
    match details {
        Details::CrewAttestation(a) => vec![
            V::Vessel(a.vessel.clone()),
            V::Time(a.valid_from),
            V::Time(a.valid_until),
            V::Audit(a.audit.clone()),
            V::Crew(a.crew.clone()),
            V::Rest(a.rest),
            V::Ilo(a.ilo_indicators.clone()),
        ],
        Details::FacilityAttestation(a) => vec![
            text(&a.facility),
            V::Time(a.valid_from),
            V::Time(a.valid_until),
            V::Audit(a.audit.clone()),
            V::Ilo(a.ilo_indicators.clone()),
        ],
        Details::Custody(c) => {
            let mut out = vec![
                V::Inputs(c.inputs.clone()),
                V::Outputs(c.outputs.clone()),
                V::Attestations(c.attestations.clone()),
            ];
            match &c.step {
                Step::Catch(x) => out.extend([
                    text(&x.vessel_imo),
                    text(&x.fao_area),
                    text(&x.gear),
                    V::Time(x.catch_start),
                    V::Time(x.catch_end),
                ]),
                Step::Transshipment(x) => out.extend([
                    text(&x.from_vessel_imo),
                    text(&x.to_vessel_imo),
                    V::Bool(x.at_sea),
                    text(&x.fao_area),
                    V::OptText(x.port.clone()),
                ]),
                Step::Landing { port } => out.push(text(port)),
                Step::Processing { facility } => out.push(text(facility)),
                Step::Shipment(p) | Step::Receipt(p) => out.extend([text(&p.from), text(&p.to)]),
            }
            out
        }
        Details::Revocation(r) => vec![V::Id(r.certificate), text(&r.reason)],
        Details::Watchlist(w) => vec![
            text(&w.name),
            text(&w.source),
            V::Entries(w.entries.clone()),
        ],
    }
}

/// Takes the values of [`table`]'s fields in order; a value of the wrong type is a
/// mismatch between the table and [`assemble`], reported as an error on `kind`.
struct Take<I> {
    kind: Kind,
    values: I,
}

impl<I: Iterator<Item = FieldValue>> Take<I> {
    fn mismatch(&self) -> FieldError {
        FieldError::new(
            "kind",
            self.kind,
            "field table does not match the payload type",
        )
    }
    fn next(&mut self) -> Result<FieldValue, FieldError> {
        self.values.next().ok_or_else(|| self.mismatch())
    }
}

macro_rules! take {
    ($t:expr, $variant:ident) => {
        match $t.next()? {
            FieldValue::$variant(v) => v,
            _ => return Err($t.mismatch()),
        }
    };
}

/// The kind-specific fields of `kind` from their values, in the order of [`table`].
pub fn assemble(kind: Kind, values: Vec<FieldValue>) -> Result<Details, FieldError> {
    let mut t = Take {
        kind,
        values: values.into_iter(),
    };
    let details = match kind {
        Kind::CrewAttestation => Details::CrewAttestation(CrewAttestation {
            vessel: take!(t, Vessel),
            valid_from: take!(t, Time),
            valid_until: take!(t, Time),
            audit: take!(t, Audit),
            crew: take!(t, Crew),
            rest: take!(t, Rest),
            ilo_indicators: take!(t, Ilo),
        }),
        Kind::FacilityAttestation => Details::FacilityAttestation(FacilityAttestation {
            facility: take!(t, Text),
            valid_from: take!(t, Time),
            valid_until: take!(t, Time),
            audit: take!(t, Audit),
            ilo_indicators: take!(t, Ilo),
        }),
        Kind::Revocation => Details::Revocation(Revocation {
            certificate: take!(t, Id),
            reason: take!(t, Text),
        }),
        Kind::Watchlist => Details::Watchlist(Watchlist {
            name: take!(t, Text),
            source: take!(t, Text),
            entries: take!(t, Entries),
        }),
        Kind::Catch
        | Kind::Transshipment
        | Kind::Landing
        | Kind::Processing
        | Kind::Shipment
        | Kind::Receipt => {
            let inputs = take!(t, Inputs);
            let outputs = take!(t, Outputs);
            let attestations = take!(t, Attestations);
            let step = match kind {
                Kind::Catch => Step::Catch(Catch {
                    vessel_imo: take!(t, Text),
                    fao_area: take!(t, Text),
                    gear: take!(t, Text),
                    catch_start: take!(t, Time),
                    catch_end: take!(t, Time),
                }),
                Kind::Transshipment => Step::Transshipment(Transshipment {
                    from_vessel_imo: take!(t, Text),
                    to_vessel_imo: take!(t, Text),
                    at_sea: take!(t, Bool),
                    fao_area: take!(t, Text),
                    port: take!(t, OptText),
                }),
                Kind::Landing => Step::Landing {
                    port: take!(t, Text),
                },
                Kind::Processing => Step::Processing {
                    facility: take!(t, Text),
                },
                Kind::Shipment => Step::Shipment(Parties {
                    from: take!(t, Text),
                    to: take!(t, Text),
                }),
                _ => Step::Receipt(Parties {
                    from: take!(t, Text),
                    to: take!(t, Text),
                }),
            };
            Details::Custody(CustodyEvent {
                inputs,
                outputs,
                attestations,
                step,
            })
        }
    };
    match t.values.next() {
        Some(_) => Err(t.mismatch()),
        None => Ok(details),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_table_matching_its_type() {
        for kind in Kind::ALL {
            let t = table(kind);
            // Custody kinds start with the lot movements, the others have none.
            let custody = t.iter().take(3).map(|f| f.cbor).collect::<Vec<_>>();
            assert_eq!(
                custody == ["inputs", "outputs", "attestations"],
                kind.is_custody(),
                "{kind}"
            );
            let names: std::collections::BTreeSet<_> = t.iter().map(|f| f.cbor).collect();
            assert_eq!(names.len(), t.len(), "{kind}: a field is listed twice");
            assert!(!names.contains("time") && !names.contains("kind"), "{kind}");
        }
    }

    #[test]
    fn assemble_refuses_values_that_do_not_fit_the_table() {
        assert!(assemble(Kind::Revocation, vec![FieldValue::Bool(true)]).is_err());
        assert!(assemble(Kind::Landing, vec![]).is_err());
        let extra = vec![
            FieldValue::Id(CertId([1; 32])),
            FieldValue::Text("r".into()),
            FieldValue::Text("x".into()),
        ];
        assert!(assemble(Kind::Revocation, extra).is_err());
    }
}

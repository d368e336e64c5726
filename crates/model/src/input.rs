//! JSON input (contract §3) → validated [`Payload`].
//!
//! Every error names the field (a path such as `outputs[0].quantity_kg`), the value and
//! the reason. Unknown fields are errors. Large code lists (ASFIS species, UN/LOCODE) are
//! checked when the caller supplies them; otherwise the caller is told which codes could
//! not be checked.

use crate::codes::{CodeLists, Lookup};
use crate::crew::{self, CrewEntry, DisclosedEntry, Disclosure};
use crate::fields::{self, Codec, FieldSpec, FieldValue};
use crate::id::CertId;
use crate::kind::Kind;
use crate::payload::{
    Audit, AuditMethod, CrewMember, CustodyEvent, Details, FieldError, Input, MAX_TEXT, Output,
    Payload, RestMinutes, Step, Vessel, WageMethod, check_text,
};
use crate::quantity::Grams;
use crate::timestamp::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

/// Maximum size of an input JSON document.
pub const MAX_INPUT_BYTES: usize = 4 << 20;

/// The result of reading an input: the payload, the crew disclosure (crew attestations
/// only) and notes on codes that could not be checked.
#[derive(Debug)]
pub struct Built {
    /// The validated payload.
    pub payload: Payload,
    /// Clear crew entries with their salts.
    pub disclosure: Option<Disclosure>,
    /// Warnings, e.g. "outputs[0].species YFT: not checked (no ASFIS list given)".
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIn {
    certificate: String,
    lot: String,
    quantity_kg: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOut {
    lot: String,
    quantity_kg: f64,
    species: Option<String>,
    product: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    scheme: String,
    value: String,
    reason: String,
    listed_from: String,
    #[serde(default)]
    listed_until: Option<String>,
}

/// One watch-list entry from its text form (JSON input and the CSV of `issue watchlist`):
/// the scheme name, the value, the reason and RFC 3339 times (`listed_until` empty or
/// absent when open). `path` names the entry in errors (`entries[3]`, `row 4`).
pub fn watch_entry(
    path: &str,
    scheme: &str,
    value: &str,
    reason: &str,
    listed_from: &str,
    listed_until: Option<&str>,
) -> Result<crate::details::WatchEntry, FieldError> {
    let scheme = crate::details::Scheme::parse(scheme).ok_or_else(|| {
        FieldError::new(
            format!("{path}.scheme"),
            format!("{scheme:?}"),
            "not one of imo, facility, party, flag, fao_area",
        )
    })?;
    let t = |name: &str, s: &str| {
        Timestamp::parse_rfc3339(s)
            .map_err(|e| FieldError::new(format!("{path}.{name}"), format!("{s:?}"), e.to_string()))
    };
    let entry = crate::details::WatchEntry {
        scheme,
        value: value.to_string(),
        reason: reason.to_string(),
        listed_from: t("listed_from", listed_from)?,
        listed_until: match listed_until {
            None | Some("") => None,
            Some(u) => Some(t("listed_until", u)?),
        },
    };
    crate::payload::check_watch_entry(path, &entry)?;
    Ok(entry)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVessel {
    name: String,
    imo: String,
    flag: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    method: String,
    auditor: String,
    date: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRest {
    min_per_24h: f64,
    min_per_7d: f64,
}

/// Read one field with serde, reporting the full path of any type error or unknown
/// nested field.
fn field<T: for<'de> Deserialize<'de>>(
    obj: &Map<String, Json>,
    name: &str,
) -> Result<Option<T>, FieldError> {
    let Some(v) = obj.get(name) else {
        return Ok(None);
    };
    serde_path_to_error::deserialize(v).map(Some).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." || inner.is_empty() {
            name.to_string()
        } else if inner.starts_with('[') {
            format!("{name}{inner}")
        } else {
            format!("{name}.{inner}")
        };
        let value = value_at(v, e.path());
        let reason = e.into_inner().to_string();
        // serde reports a missing member at its parent ("missing field `flag`"): name the
        // member itself, so the path is `vessel.flag`.
        if let Some(member) = reason
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            return FieldError::new(format!("{path}.{member}"), "", "missing");
        }
        FieldError::new(path, value, reason)
    })
}

fn value_at(v: &Json, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut cur = v;
    for seg in path.iter() {
        let next = match seg {
            Segment::Seq { index } => cur.get(*index),
            Segment::Map { key } => cur.get(key.as_str()),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return String::new(),
        }
    }
    cur.to_string()
}

fn req<T>(v: Option<T>, name: &str) -> Result<T, FieldError> {
    v.ok_or_else(|| FieldError::new(name, "", "missing"))
}

fn time(obj: &Map<String, Json>, name: &str) -> Result<Timestamp, FieldError> {
    let s: String = req(field(obj, name)?, name)?;
    Timestamp::parse_rfc3339(&s).map_err(|e| FieldError::new(name, format!("{s:?}"), e.to_string()))
}

fn text(obj: &Map<String, Json>, name: &str) -> Result<String, FieldError> {
    let s: String = req(field(obj, name)?, name)?;
    check_text(name, &s, MAX_TEXT)?;
    Ok(s)
}

fn id(field_name: &str, s: &str) -> Result<CertId, FieldError> {
    s.parse().map_err(|_| {
        FieldError::new(
            field_name,
            format!("{s:?}"),
            "not a certificate id (sha256: and 64 lowercase hex digits)",
        )
    })
}

fn grams(field_name: &str, kg: f64) -> Result<Grams, FieldError> {
    Grams::from_kg(kg).map_err(|e| FieldError::new(field_name, kg, e.to_string()))
}

fn minutes(field_name: &str, hours: f64, max_hours: f64) -> Result<u32, FieldError> {
    if !hours.is_finite() || !(0.0..=max_hours).contains(&hours) {
        return Err(FieldError::new(
            field_name,
            hours,
            format!("must be between 0 and {max_hours} hours"),
        ));
    }
    let m = hours * 60.0;
    if (m - m.round()).abs() > 1e-6 {
        return Err(FieldError::new(
            field_name,
            hours,
            "must be a whole number of minutes (e.g. 9.5 or 10.25)",
        ));
    }
    // In range 0..=10080 after the check above.
    Ok(m.round() as u32)
}

fn audit(obj: &Map<String, Json>, name: &str) -> Result<Audit, FieldError> {
    let a: RawAudit = req(field(obj, name)?, name)?;
    let method = AuditMethod::parse(&a.method).ok_or_else(|| {
        FieldError::new(
            format!("{name}.method"),
            &a.method,
            "not one of none, internal, third_party",
        )
    })?;
    Ok(Audit {
        method,
        auditor: a.auditor,
        date: a.date,
    })
}

fn ilo(obj: &Map<String, Json>, name: &str) -> Result<Vec<u8>, FieldError> {
    let mut ids: Vec<u64> = field(obj, name)?.unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|i| {
            u8::try_from(i)
                .ok()
                .filter(|i| crate::codes::is_ilo_indicator(u64::from(*i)))
                .ok_or_else(|| {
                    FieldError::new(name, i, "not an ILO forced-labour indicator id (1-11)")
                })
        })
        .collect()
}

/// Read an input document for `kind`.
///
/// `issued_at` is the signing time. `salt` supplies fresh random 16-byte salts for crew
/// commitments (the caller owns the randomness; this crate does no I/O). `lists` holds the
/// run-time code lists, if the caller loaded them.
pub fn build(
    kind: Kind,
    json: &[u8],
    issued_at: Timestamp,
    lists: &CodeLists,
    salt: &mut dyn FnMut() -> [u8; 16],
) -> Result<Built, FieldError> {
    if json.len() > MAX_INPUT_BYTES {
        return Err(FieldError::new(
            "(input)",
            json.len(),
            format!("over the limit of {MAX_INPUT_BYTES} bytes"),
        ));
    }
    let root: Json = serde_json::from_slice(json)
        .map_err(|e| FieldError::new("(input)", "", format!("not valid JSON: {e}")))?;
    let Json::Object(obj) = root else {
        return Err(FieldError::new("(input)", "", "must be a JSON object"));
    };
    let table = fields::table(kind);
    for (k, v) in &obj {
        if k != "time" && !table.iter().any(|f| f.json == k.as_str()) {
            let ok: Vec<&str> = table.iter().map(|f| f.json).collect();
            return Err(FieldError::new(
                k.as_str(),
                v,
                format!(
                    "unknown field for kind {kind} (expected: time, {})",
                    ok.join(", ")
                ),
            ));
        }
    }
    let time = time(&obj, "time")?;
    let mut ctx = Context {
        lists,
        salt,
        warnings: Vec::new(),
        disclosed: None,
    };
    let values = table
        .iter()
        .map(|spec| read_field(&obj, spec, &mut ctx))
        .collect::<Result<Vec<_>, FieldError>>()?;
    let details = fields::assemble(kind, values)?;
    let mut warnings = ctx.warnings;
    let disclosure = match (&details, ctx.disclosed) {
        (Details::CrewAttestation(a), Some(crew)) => Some(Disclosure {
            certificate: None,
            vessel_imo: a.vessel.imo.clone(),
            crew,
        }),
        _ => None,
    };
    if let Details::Custody(CustodyEvent {
        step: Step::Catch(c),
        ..
    }) = &details
    {
        // The check digit is defined for the 7-digit form only.
        if c.vessel_imo.len() == 10 && !crate::codes::imo_check_digit_ok(&c.vessel_imo) {
            warnings.push(format!(
                "vessel_imo {}: the IMO check digit does not match (kept; many registered ships carry such numbers)",
                c.vessel_imo
            ));
        }
    }
    let payload = Payload::new(time, issued_at, details)?;
    crate::payload::validity_order(&payload)?;
    if let Some(e) = payload.time_order_problems().into_iter().next() {
        return Err(e);
    }
    Ok(Built {
        payload,
        disclosure,
        warnings,
    })
}

/// A field's value, or the default for a field JSON input may leave out.
fn given<T: Default>(v: Option<T>, spec: &FieldSpec) -> Result<T, FieldError> {
    if spec.json_required {
        req(v, spec.json)
    } else {
        Ok(v.unwrap_or_default())
    }
}

/// What reading a field may need beyond the document: the code lists, fresh salts, and
/// where warnings and the crew disclosure go.
struct Context<'a> {
    lists: &'a CodeLists,
    salt: &'a mut dyn FnMut() -> [u8; 16],
    warnings: Vec<String>,
    disclosed: Option<Vec<DisclosedEntry>>,
}

/// Read one field of the kind's table from the input document by its codec.
fn read_field(
    obj: &Map<String, Json>,
    spec: &FieldSpec,
    ctx: &mut Context<'_>,
) -> Result<FieldValue, FieldError> {
    let name = spec.json;
    Ok(match spec.codec {
        Codec::Text => FieldValue::Text(text(obj, name)?),
        Codec::OptPort => match obj.get(name) {
            None => FieldValue::OptText(None),
            Some(_) => match read_field(
                obj,
                &FieldSpec {
                    codec: Codec::Port,
                    ..*spec
                },
                ctx,
            )? {
                FieldValue::Text(port) => FieldValue::OptText(Some(port)),
                other => other,
            },
        },
        Codec::Port => {
            let port = text(obj, name)?;
            match ctx.lists.port(&port) {
                Lookup::Known => {}
                Lookup::Unknown if crate::codes::is_locode_shape(&port) => {
                    return Err(FieldError::new(name, &port, "not a port in the UN/LOCODE list"));
                }
                Lookup::Unknown => {}
                Lookup::NotChecked => ctx.warnings.push(format!(
                    "{name} {port}: not checked against the UN/LOCODE list (no code list directory given)"
                )),
            }
            FieldValue::Text(port)
        }
        Codec::Reason => FieldValue::Text(req(field(obj, name)?, name)?),
        Codec::Time => FieldValue::Time(time(obj, name)?),
        Codec::Bool => FieldValue::Bool(req(field(obj, name)?, name)?),
        Codec::Id => {
            let c = text(obj, name)?;
            FieldValue::Id(id(name, &c)?)
        }
        Codec::Inputs => {
            let raw: Vec<RawIn> = given(field(obj, name)?, spec)?;
            FieldValue::Inputs(
                raw.into_iter()
                    .enumerate()
                    .map(|(i, r)| {
                        Ok(Input {
                            certificate: id(&format!("{name}[{i}].certificate"), &r.certificate)?,
                            lot: r.lot,
                            quantity: grams(&format!("{name}[{i}].quantity_kg"), r.quantity_kg)?,
                        })
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            )
        }
        Codec::Outputs => {
            let raw: Vec<RawOut> = given(field(obj, name)?, spec)?;
            FieldValue::Outputs(
                raw.into_iter()
                    .enumerate()
                    .map(|(i, r)| {
                        if let Some(s) = &r.species {
                            match ctx.lists.species(s) {
                                Lookup::Known => {}
                                Lookup::Unknown if crate::codes::is_species_shape(s) => {
                                    return Err(FieldError::new(
                                        format!("{name}[{i}].species"),
                                        s,
                                        "not in the ASFIS list of species",
                                    ));
                                }
                                Lookup::Unknown => {}
                                Lookup::NotChecked => ctx.warnings.push(format!(
                                    "{name}[{i}].species {s}: not checked against the ASFIS list (no code list directory given)"
                                )),
                            }
                        }
                        Ok(Output {
                            lot: r.lot,
                            quantity: grams(&format!("{name}[{i}].quantity_kg"), r.quantity_kg)?,
                            species: r.species,
                            product: r.product,
                        })
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            )
        }
        Codec::Attestations => {
            let raw: Vec<String> = given(field(obj, name)?, spec)?;
            FieldValue::Attestations(
                raw.iter()
                    .enumerate()
                    .map(|(i, s)| id(&format!("{name}[{i}]"), s))
                    .collect::<Result<Vec<_>, FieldError>>()?,
            )
        }
        Codec::Vessel => {
            let v: RawVessel = req(field(obj, name)?, name)?;
            FieldValue::Vessel(Vessel {
                name: v.name,
                imo: v.imo,
                flag: v.flag,
            })
        }
        Codec::Audit => FieldValue::Audit(audit(obj, name)?),
        Codec::Crew => {
            let raw_crew: Vec<CrewEntry> = req(field(obj, name)?, name)?;
            let mut members = Vec::with_capacity(raw_crew.len().min(crate::payload::MAX_CREW));
            let mut disclosed = Vec::new();
            for (i, e) in raw_crew.into_iter().enumerate() {
                // Crew names are personal data: an error names the field, never the name.
                check_text(&format!("{name}[{i}].name"), &e.name, MAX_TEXT).map_err(
                    |mut err| {
                        err.value = "(withheld: crew personal data)".into();
                        err
                    },
                )?;
                check_text(&format!("{name}[{i}].role"), &e.role, MAX_TEXT)?;
                if !crate::codes::is_flag(&e.nationality) {
                    return Err(FieldError::new(
                        format!("{name}[{i}].nationality"),
                        &e.nationality,
                        "not an ISO 3166-1 alpha-3 country code",
                    ));
                }
                let wage_method = WageMethod::parse(&e.wage_method).ok_or_else(|| {
                    FieldError::new(
                        format!("{name}[{i}].wage_method"),
                        &e.wage_method,
                        "not one of bank_transfer, cash, mobile_money, via_broker, deferred",
                    )
                })?;
                let s = (ctx.salt)();
                members.push(CrewMember {
                    commitment: crew::commitment(&s, &e),
                    written_agreement: e.written_agreement,
                    holds_own_documents: e.holds_own_documents,
                    recruitment_fee_paid: e.recruitment_fee_paid,
                    wage_method,
                });
                disclosed.push(DisclosedEntry {
                    index: i,
                    salt: hex::encode(s),
                    entry: e,
                });
            }
            ctx.disclosed = Some(disclosed);
            FieldValue::Crew(members)
        }
        Codec::Rest => {
            let rest: RawRest = req(field(obj, name)?, name)?;
            FieldValue::Rest(RestMinutes {
                min_per_24h: minutes(&format!("{name}.min_per_24h"), rest.min_per_24h, 24.0)?,
                min_per_7d: minutes(&format!("{name}.min_per_7d"), rest.min_per_7d, 168.0)?,
            })
        }
        Codec::Ilo => FieldValue::Ilo(ilo(obj, name)?),
        Codec::Entries => {
            let raw: Vec<RawEntry> = req(field(obj, name)?, name)?;
            if raw.len() > crate::payload::MAX_WATCH_ENTRIES {
                return Err(FieldError::new(
                    name,
                    raw.len(),
                    format!(
                        "more than {} entries: split the list into several certificates",
                        crate::payload::MAX_WATCH_ENTRIES
                    ),
                ));
            }
            FieldValue::Entries(
                raw.iter()
                    .enumerate()
                    .map(|(i, r)| {
                        watch_entry(
                            &format!("{name}[{i}]"),
                            &r.scheme,
                            &r.value,
                            &r.reason,
                            &r.listed_from,
                            r.listed_until.as_deref(),
                        )
                    })
                    .collect::<Result<Vec<_>, FieldError>>()?,
            )
        }
    })
}

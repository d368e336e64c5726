//! The optional `epcis` payload field: what a certificate made from an EPCIS 2.0 event keeps
//! of that event, so that `export epcis` can restore it and `verify --epcis` can compare it
//! (docs/format.md, docs/gdst.md).
//!
//! Every member is optional text except `event_hash`, the event's CBV 2.0 event hash
//! (`ni:///sha-256;<64 lowercase hex>?ver=CBV2.0`). Certificates without the field decode
//! unchanged and keep their ids.

use crate::cbor::Value;
use crate::details::FieldError;

/// Longest accepted member (identifiers are URIs).
pub const MAX_EPCIS_TEXT: usize = 512;
/// Most GS1 lot identifiers (LGTIN / class URIs) one certificate records.
pub const MAX_EPCIS_LOTS: usize = 1024;

/// One event of an EPCIS document as it is now, hashed (by `catchcert-supply`) for
/// comparison with the hashes certificates recorded (`verify --epcis`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventHash {
    /// A label for messages: `eventID` or `#index`.
    pub label: String,
    /// `eventID`, if any.
    pub event_id: Option<String>,
    /// The certificate id its `certificationInfo` names, if any.
    pub certificate: Option<crate::CertId>,
    /// The event's CBV 2.0 hash now.
    pub hash: String,
}

/// What a certificate keeps of the EPCIS event it was made from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpcisLink {
    /// The CBV 2.0 event hash of the event (`ni:///sha-256;…?ver=CBV2.0`).
    pub event_hash: String,
    /// The event's `eventID`, when it had one.
    pub event_id: Option<String>,
    /// The EPCIS event type (`ObjectEvent`, `TransformationEvent`, …).
    pub event_type: Option<String>,
    /// `bizStep` as written (CBV short name or GDST URN).
    pub biz_step: Option<String>,
    /// `disposition` as written.
    pub disposition: Option<String>,
    /// `gdst:productOwner` (a PGLN URI).
    pub product_owner: Option<String>,
    /// `cbvmda:informationProvider` (a PGLN URI).
    pub information_provider: Option<String>,
    /// `bizLocation` (an SGLN URI).
    pub location: Option<String>,
    /// `readPoint` (an SGLN or `geo:` URI).
    pub read_point: Option<String>,
    /// GS1 lot identifiers (LGTIN or class URIs), one per output lot, in output order.
    pub lots: Vec<String>,
    /// GS1 lot identifiers of the inputs, in input order.
    pub input_lots: Vec<String>,
}

const TEXT_MEMBERS: [&str; 8] = [
    "event_id",
    "event_type",
    "biz_step",
    "disposition",
    "product_owner",
    "information_provider",
    "location",
    "read_point",
];

/// Is `s` a CBV 2.0 event hash in the form catchcert writes?
pub fn is_event_hash(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("ni:///sha-256;") else {
        return false;
    };
    let Some(hex) = rest.strip_suffix("?ver=CBV2.0") else {
        return false;
    };
    hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn check(field: &str, s: &str) -> Result<(), FieldError> {
    if s.is_empty() || s.len() > MAX_EPCIS_TEXT {
        return Err(FieldError::new(
            field,
            s,
            format!("must be 1–{MAX_EPCIS_TEXT} bytes"),
        ));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            s,
            "control characters are not allowed",
        ));
    }
    Ok(())
}

impl EpcisLink {
    fn text_members(&self) -> [(&'static str, &Option<String>); 8] {
        [
            (TEXT_MEMBERS[0], &self.event_id),
            (TEXT_MEMBERS[1], &self.event_type),
            (TEXT_MEMBERS[2], &self.biz_step),
            (TEXT_MEMBERS[3], &self.disposition),
            (TEXT_MEMBERS[4], &self.product_owner),
            (TEXT_MEMBERS[5], &self.information_provider),
            (TEXT_MEMBERS[6], &self.location),
            (TEXT_MEMBERS[7], &self.read_point),
        ]
    }

    /// Check every member (paths `epcis.<member>`).
    pub fn validate(&self) -> Result<(), FieldError> {
        if !is_event_hash(&self.event_hash) {
            return Err(FieldError::new(
                "epcis.event_hash",
                &self.event_hash,
                "not a CBV 2.0 event hash (ni:///sha-256;<64 lowercase hex>?ver=CBV2.0)",
            ));
        }
        for (name, v) in self.text_members() {
            if let Some(s) = v {
                check(&format!("epcis.{name}"), s)?;
            }
        }
        for (name, list) in [("lots", &self.lots), ("input_lots", &self.input_lots)] {
            if list.len() > MAX_EPCIS_LOTS {
                return Err(FieldError::new(
                    format!("epcis.{name}"),
                    list.len(),
                    format!("more than {MAX_EPCIS_LOTS} entries"),
                ));
            }
            for (i, s) in list.iter().enumerate() {
                check(&format!("epcis.{name}[{i}]"), s)?;
            }
        }
        Ok(())
    }

    /// The CBOR map (absent members are left out; empty lists too).
    pub fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::Text("event_hash".into()),
            Value::Text(self.event_hash.clone()),
        )];
        for (name, v) in self.text_members() {
            if let Some(s) = v {
                m.push((Value::Text(name.into()), Value::Text(s.clone())));
            }
        }
        for (name, list) in [("lots", &self.lots), ("input_lots", &self.input_lots)] {
            if !list.is_empty() {
                m.push((
                    Value::Text(name.into()),
                    Value::Array(list.iter().map(|s| Value::Text(s.clone())).collect()),
                ));
            }
        }
        Value::Map(m)
    }

    /// Decode the CBOR map; unknown members, wrong types and empty lists are errors.
    pub fn from_value(v: &Value) -> Result<EpcisLink, FieldError> {
        let Some(entries) = v.as_map() else {
            return Err(FieldError::new("epcis", "", "must be a map"));
        };
        let mut out = EpcisLink::default();
        let mut hash = None;
        for (k, val) in entries {
            let Some(name) = k.as_text() else {
                return Err(FieldError::new("epcis", "", "map keys must be text"));
            };
            let path = format!("epcis.{name}");
            match name {
                "lots" | "input_lots" => {
                    let Some(items) = val.as_array() else {
                        return Err(FieldError::new(path, "", "must be an array of text"));
                    };
                    if items.is_empty() {
                        return Err(FieldError::new(path, "[]", "an empty list is left out"));
                    }
                    let mut list = Vec::with_capacity(items.len());
                    for (i, it) in items.iter().enumerate() {
                        let Some(s) = it.as_text() else {
                            return Err(FieldError::new(
                                format!("{path}[{i}]"),
                                "",
                                "must be text",
                            ));
                        };
                        list.push(s.to_string());
                    }
                    if name == "lots" {
                        out.lots = list;
                    } else {
                        out.input_lots = list;
                    }
                }
                _ => {
                    let Some(s) = val.as_text() else {
                        return Err(FieldError::new(path, "", "must be text"));
                    };
                    let s = Some(s.to_string());
                    match name {
                        "event_hash" => hash = s,
                        "event_id" => out.event_id = s,
                        "event_type" => out.event_type = s,
                        "biz_step" => out.biz_step = s,
                        "disposition" => out.disposition = s,
                        "product_owner" => out.product_owner = s,
                        "information_provider" => out.information_provider = s,
                        "location" => out.location = s,
                        "read_point" => out.read_point = s,
                        _ => return Err(FieldError::new(path, "", "unknown field")),
                    }
                }
            }
        }
        out.event_hash = hash.ok_or_else(|| FieldError::missing("epcis.event_hash"))?;
        out.validate()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> EpcisLink {
        EpcisLink {
            event_hash: format!("ni:///sha-256;{}?ver=CBV2.0", "ab".repeat(32)),
            event_id: Some("urn:uuid:1".into()),
            lots: vec!["urn:epc:class:lgtin:4012345.012345.998877".into()],
            ..EpcisLink::default()
        }
    }

    #[test]
    fn round_trips() {
        let l = link();
        assert_eq!(EpcisLink::from_value(&l.to_value()).unwrap(), l);
    }

    #[test]
    fn refuses_bad_hash_and_unknown_member() {
        let mut l = link();
        l.event_hash = "sha256:00".into();
        assert!(l.validate().is_err());
        let mut v = link().to_value();
        if let Value::Map(m) = &mut v {
            m.push((Value::Text("x".into()), Value::Text("y".into())));
        }
        let e = EpcisLink::from_value(&v).unwrap_err();
        assert!(e.to_string().contains("epcis.x"), "{e}");
    }
}

//! The catchcert bindings extension of issuer certificates (X.509 v3, non-critical): the
//! vessels, facilities and parties an issuer may name as its own (contract §2).
//!
//! - OID: `2.25.290276478018749029350488072028676893373.2`, i.e. sub-arc 2 ("bindings") of
//!   the project's UUID arc, the sibling of the roles extension (sub-arc 1, see
//!   [`crate::roles_ext`]).
//! - Value (the `extnValue` OCTET STRING holds this DER):
//!
//!   ```text
//!   CatchcertBindings ::= SEQUENCE {
//!     vessels    [0] IMPLICIT SEQUENCE SIZE (1..256) OF UTF8String OPTIONAL,
//!     facilities [1] IMPLICIT SEQUENCE SIZE (1..256) OF UTF8String OPTIONAL,
//!     parties    [2] IMPLICIT SEQUENCE SIZE (1..256) OF UTF8String OPTIONAL
//!   }  -- at least one of the three is present
//!   ```
//!
//!   Each list is sorted in byte order without duplicates. A vessel is an IMO number
//!   (`^IMO[0-9]{7,8}$`); a facility or party is 1–128 bytes of UTF-8 without control
//!   characters and without leading or trailing white space.
//!
//! Example: vessel `IMO9074729` and party `Acme` encode as
//! `30 16 a0 0c 0c 0a 494d4f39303734373239 a2 06 0c 04 41636d65`.
//!
//! Meaning: a list that is present binds the issuer to exactly those values; on a CA it
//! restricts every certificate below it (no widening). An absent list binds an issuer to
//! nothing of that category and does not restrict below a CA. The parties an issuer speaks
//! for are its `parties` plus the `O` values of its subject ([`Bindings`]).
//!
//! The decoder accepts exactly what [`encode`] produces: definite, minimal (DER) lengths, no
//! trailing bytes, valid values, strictly increasing order. Pure: no I/O.

use crate::codes;
use crate::der::{from_tlv_error, push_len, read_tlv};

/// The OID in dotted form.
pub const OID: &str = "2.25.290276478018749029350488072028676893373.2";

/// The content octets of the DER OBJECT IDENTIFIER: those of the roles OID with the last
/// sub-arc `2` instead of `1`.
pub const OID_DER: [u8; 21] = [
    0x69, 0x83, 0xb4, 0xe1, 0x9b, 0xd4, 0xed, 0xd8, 0xa2, 0xae, 0xaf, 0x8b, 0x81, 0xe7, 0xb9, 0x98,
    0xaf, 0xbc, 0xd5, 0x3d, 0x02,
];

/// Largest extension value the decoder looks at (an issuer certificate is at most 16 KiB).
pub const MAX_LEN: usize = 12 * 1024;
/// Most values in one list.
pub const MAX_VALUES: usize = 256;
/// Longest facility or party name, in bytes.
pub const MAX_NAME_LEN: usize = 128;

const TAG_SEQUENCE: u8 = 0x30;
const TAG_UTF8STRING: u8 = 0x0c;
/// Context-specific, constructed tags [0], [1], [2].
const TAGS: [u8; 3] = [0xa0, 0xa1, 0xa2];
const LIST_NAMES: [&str; 3] = ["vessels", "facilities", "parties"];

/// The content of the extension: the lists an issuer certificate carries (`None`: absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindingsExt {
    /// IMO numbers (`IMO` + 7 or 8 digits).
    pub vessels: Option<Vec<String>>,
    /// Facility names.
    pub facilities: Option<Vec<String>>,
    /// Party names or GLNs (the subject's `O` is not repeated here).
    pub parties: Option<Vec<String>>,
}

impl BindingsExt {
    /// Whether no list is present (then no extension is written).
    pub fn is_empty(&self) -> bool {
        self.vessels.is_none() && self.facilities.is_none() && self.parties.is_none()
    }

    /// The three lists with their names, in extension order.
    pub fn lists(&self) -> [(&'static str, Option<&[String]>); 3] {
        [
            (LIST_NAMES[0], self.vessels.as_deref()),
            (LIST_NAMES[1], self.facilities.as_deref()),
            (LIST_NAMES[2], self.parties.as_deref()),
        ]
    }

    /// Sorted, deduplicated copy; empty lists become absent.
    pub fn normalized(&self) -> BindingsExt {
        let norm = |l: &Option<Vec<String>>| {
            l.as_ref().and_then(|v| {
                let mut v = v.clone();
                v.sort_unstable();
                v.dedup();
                (!v.is_empty()).then_some(v)
            })
        };
        BindingsExt {
            vessels: norm(&self.vessels),
            facilities: norm(&self.facilities),
            parties: norm(&self.parties),
        }
    }

    /// Check every value (IMO shape, name rules, list sizes).
    pub fn validate(&self) -> Result<(), BindingsExtError> {
        for (i, (list, values)) in self.lists().into_iter().enumerate() {
            let Some(values) = values else { continue };
            if values.len() > MAX_VALUES {
                return Err(BindingsExtError::TooMany {
                    list,
                    max: MAX_VALUES,
                });
            }
            for v in values {
                check_value(i, v)?;
            }
        }
        Ok(())
    }
}

/// What an issuer may name as its own: the effective bindings of a validated issuer
/// certificate (its extension's lists, absent lists empty, plus its subject's `O` values
/// among the parties). Every list is sorted in byte order, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bindings {
    /// IMO numbers of the vessels it speaks for.
    pub vessels: Vec<String>,
    /// Facilities it speaks for.
    pub facilities: Vec<String>,
    /// Parties it speaks for: its bound parties and its subject's `O` values.
    pub parties: Vec<String>,
}

impl Bindings {
    /// The effective bindings of a certificate with extension `ext` (if any) and subject
    /// `O` values `orgs`.
    pub fn effective(ext: Option<&BindingsExt>, orgs: &[String]) -> Bindings {
        let list = |l: Option<&Vec<String>>| {
            let mut v = l.cloned().unwrap_or_default();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut parties = list(ext.and_then(|e| e.parties.as_ref()));
        parties.extend(orgs.iter().filter(|o| !o.is_empty()).cloned());
        parties.sort_unstable();
        parties.dedup();
        Bindings {
            vessels: list(ext.and_then(|e| e.vessels.as_ref())),
            facilities: list(ext.and_then(|e| e.facilities.as_ref())),
            parties,
        }
    }

    /// Whether the issuer speaks for the vessel `imo` (exact).
    pub fn has_vessel(&self, imo: &str) -> bool {
        self.vessels.iter().any(|v| v == imo)
    }

    /// Whether the issuer speaks for the facility `name` (exact after Unicode NFC, contract
    /// §4: one name written composed or decomposed is one name, and nothing else is).
    pub fn has_facility(&self, name: &str) -> bool {
        let key = name_key(name);
        self.facilities.iter().any(|v| name_key(v) == key)
    }

    /// Whether the issuer speaks for the party `name` (exact after Unicode NFC).
    pub fn has_party(&self, name: &str) -> bool {
        let key = name_key(name);
        self.parties.iter().any(|v| name_key(v) == key)
    }

    /// Whether two issuers share a party (after Unicode NFC): the same company.
    pub fn shares_party(&self, other: &Bindings) -> bool {
        self.parties.iter().any(|p| other.has_party(p))
    }

    /// Whether no vessel, facility or party is bound.
    pub fn is_empty(&self) -> bool {
        self.vessels.is_empty() && self.facilities.is_empty() && self.parties.is_empty()
    }
}

/// A facility or party name as bindings compare it: Unicode NFC, otherwise exact.
pub fn name_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// Why an extension value (or a requested binding) is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingsExtError {
    /// Longer than [`MAX_LEN`].
    #[error("bindings extension: {0} bytes, over the limit of {MAX_LEN}")]
    TooLong(usize),
    /// A tag other than the one expected.
    #[error("bindings extension: expected {expected} at byte {offset}, found tag 0x{found:02x}")]
    Tag {
        /// What was expected.
        expected: &'static str,
        /// Byte offset of the tag.
        offset: usize,
        /// The tag found.
        found: u8,
    },
    /// Input ended inside an element.
    #[error("bindings extension: truncated at byte {0}")]
    Truncated(usize),
    /// An indefinite, non-minimal or oversized length.
    #[error("bindings extension: length at byte {0} is not in DER (minimal definite) form")]
    NonDerLength(usize),
    /// Bytes after the SEQUENCE.
    #[error("bindings extension: {0} trailing bytes after the SEQUENCE")]
    TrailingBytes(usize),
    /// The SEQUENCE holds no list, or a list holds no value.
    #[error("bindings extension: {0} is empty")]
    Empty(&'static str),
    /// More values than [`MAX_VALUES`].
    #[error("bindings: {list} holds more than {max} values")]
    TooMany {
        /// The list.
        list: &'static str,
        /// [`MAX_VALUES`].
        max: usize,
    },
    /// A value that is not valid for its list.
    #[error("bindings: {list} value {value:?} {reason}")]
    Value {
        /// The list ("vessels", "facilities", "parties").
        list: &'static str,
        /// The value (shortened).
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value listed twice.
    #[error("bindings extension: {list} value {value:?} is listed twice")]
    Duplicate {
        /// The list.
        list: &'static str,
        /// The value.
        value: String,
    },
    /// Values not in byte order.
    #[error("bindings extension: {list} values are not sorted ({value:?} after {previous:?})")]
    Unsorted {
        /// The list.
        list: &'static str,
        /// The value out of order.
        value: String,
        /// The value before it.
        previous: String,
    },
}

fn check_value(list_index: usize, v: &str) -> Result<(), BindingsExtError> {
    let list = LIST_NAMES[list_index.min(2)];
    let bad = |reason| BindingsExtError::Value {
        list,
        value: v.chars().take(64).collect(),
        reason,
    };
    if list_index == 0 {
        if !codes::is_imo_shape(v) {
            return Err(bad(
                "is not an IMO number (IMO followed by 7 or 8 digits, e.g. IMO9074729)",
            ));
        }
        return Ok(());
    }
    if v.is_empty() {
        return Err(bad("is empty"));
    }
    if v.len() > MAX_NAME_LEN {
        return Err(bad("is longer than 128 bytes"));
    }
    if v.chars().any(char::is_control) {
        return Err(bad("contains a control character"));
    }
    if v.trim() != v {
        return Err(bad("has leading or trailing white space"));
    }
    Ok(())
}

/// DER of the extension value. The lists are sorted and deduplicated; empty lists are
/// left out. Values are not checked here: call [`BindingsExt::validate`] first.
pub fn encode(b: &BindingsExt) -> Vec<u8> {
    let b = b.normalized();
    let mut body = Vec::new();
    for (i, (_, values)) in b.lists().into_iter().enumerate() {
        let Some(values) = values else { continue };
        let mut list = Vec::new();
        for v in values {
            list.push(TAG_UTF8STRING);
            push_len(&mut list, v.len());
            list.extend_from_slice(v.as_bytes());
        }
        body.push(TAGS[i]);
        push_len(&mut body, list.len());
        body.extend_from_slice(&list);
    }
    let mut out = vec![TAG_SEQUENCE];
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Decode an extension value. Rejects everything [`encode`] would not produce from valid
/// bindings.
pub fn decode(der: &[u8]) -> Result<BindingsExt, BindingsExtError> {
    if der.len() > MAX_LEN {
        return Err(BindingsExtError::TooLong(der.len()));
    }
    let (_, mut pos, end) = read_tlv(der, 0, TAG_SEQUENCE, "SEQUENCE")?;
    if end != der.len() {
        return Err(BindingsExtError::TrailingBytes(der.len() - end));
    }
    if pos == end {
        return Err(BindingsExtError::Empty("the SEQUENCE"));
    }
    let mut out = BindingsExt::default();
    let mut next_index = 0;
    while pos < end {
        let found = der[pos];
        let Some(index) = TAGS
            .iter()
            .position(|t| *t == found)
            .filter(|i| *i >= next_index)
        else {
            return Err(BindingsExtError::Tag {
                expected: "[0] vessels, [1] facilities or [2] parties, in that order",
                offset: pos,
                found,
            });
        };
        let list_name = LIST_NAMES[index];
        let (_, mut vpos, vend) = read_tlv(der, pos, found, list_name)?;
        if vpos == vend {
            return Err(BindingsExtError::Empty(list_name));
        }
        let mut values: Vec<String> = Vec::new();
        while vpos < vend {
            let (bytes, start, next) = read_tlv(&der[..vend], vpos, TAG_UTF8STRING, "UTF8String")?;
            let v = std::str::from_utf8(bytes).map_err(|_| BindingsExtError::Value {
                list: list_name,
                value: format!("<{} bytes at byte {start}>", bytes.len()),
                reason: "is not UTF-8",
            })?;
            check_value(index, v)?;
            if let Some(prev) = values.last() {
                if prev.as_str() == v {
                    return Err(BindingsExtError::Duplicate {
                        list: list_name,
                        value: v.to_string(),
                    });
                }
                if prev.as_str() > v {
                    return Err(BindingsExtError::Unsorted {
                        list: list_name,
                        value: v.to_string(),
                        previous: prev.clone(),
                    });
                }
            }
            if values.len() == MAX_VALUES {
                return Err(BindingsExtError::TooMany {
                    list: list_name,
                    max: MAX_VALUES,
                });
            }
            values.push(v.to_string());
            vpos = next;
        }
        match index {
            0 => out.vessels = Some(values),
            1 => out.facilities = Some(values),
            _ => out.parties = Some(values),
        }
        next_index = index + 1;
        pos = vend;
    }
    Ok(out)
}

from_tlv_error!(BindingsExtError);

/// Whether `child` (a certificate's own lists plus its `O` values) stays inside the
/// restriction of `restriction` (per list: `None` does not restrict). Returns the first
/// value that widens, with its list name. The parties of a certificate that restricts
/// include its `O` values; `child_orgs` are checked against a party restriction too.
pub fn first_widening<'a>(
    restriction: &Restriction,
    child: &'a BindingsExt,
    child_orgs: &'a [String],
) -> Option<(&'static str, &'a str)> {
    let lists = [
        (
            &restriction.vessels,
            child.vessels.as_deref().unwrap_or(&[]),
        ),
        (
            &restriction.facilities,
            child.facilities.as_deref().unwrap_or(&[]),
        ),
    ];
    for (i, (allowed, values)) in lists.into_iter().enumerate() {
        if let Some(allowed) = allowed
            && let Some(v) = values.iter().find(|v| !allowed.contains(v))
        {
            return Some((LIST_NAMES[i], v.as_str()));
        }
    }
    if let Some(allowed) = &restriction.parties {
        let own = child.parties.as_deref().unwrap_or(&[]);
        if let Some(v) = own
            .iter()
            .chain(child_orgs.iter().filter(|o| !o.is_empty()))
            .find(|v| !allowed.contains(v))
        {
            return Some((LIST_NAMES[2], v.as_str()));
        }
    }
    None
}

/// What a path of CAs allows below it, per list (`None`: unrestricted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restriction {
    /// Allowed vessels.
    pub vessels: Option<Vec<String>>,
    /// Allowed facilities.
    pub facilities: Option<Vec<String>>,
    /// Allowed parties (the restricting CA's parties and `O` values).
    pub parties: Option<Vec<String>>,
}

impl Restriction {
    /// Narrow by a certificate's lists: a present list replaces the allowed values of its
    /// category (it was checked to be within them); for parties, the certificate's `O`
    /// values join its list.
    pub fn narrow(&mut self, ext: &BindingsExt, orgs: &[String]) {
        if let Some(v) = &ext.vessels {
            self.vessels = Some(v.clone());
        }
        if let Some(f) = &ext.facilities {
            self.facilities = Some(f.clone());
        }
        if let Some(p) = &ext.parties {
            let mut p = p.clone();
            p.extend(orgs.iter().filter(|o| !o.is_empty()).cloned());
            self.parties = Some(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn s(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn oid_is_the_roles_oid_with_sub_arc_two() {
        assert_eq!(OID_DER[..20], crate::roles_ext::OID_DER[..20]);
        assert_eq!(OID_DER[20], 2);
        assert_eq!(
            OID.strip_suffix(".2"),
            crate::roles_ext::OID.strip_suffix(".1")
        );
    }

    #[test]
    fn encodes_sorted_and_round_trips() {
        let b = BindingsExt {
            vessels: s(&["IMO9074729"]),
            facilities: None,
            parties: s(&["Acme"]),
        };
        let der = encode(&b);
        assert_eq!(
            der,
            h("3016 a00c 0c0a 494d4f39303734373239 a206 0c04 41636d65")
        );
        assert_eq!(decode(&der).unwrap(), b);

        let unsorted = BindingsExt {
            vessels: s(&["IMO9999999", "IMO1234567", "IMO9999999"]),
            facilities: s(&["Plant B", "Plant A"]),
            parties: Some(vec![]),
        };
        let der = encode(&unsorted);
        let back = decode(&der).unwrap();
        assert_eq!(back.vessels, s(&["IMO1234567", "IMO9999999"]));
        assert_eq!(back.facilities, s(&["Plant A", "Plant B"]));
        assert_eq!(back.parties, None, "an empty list is left out");
        // long lists use long-form lengths and still round-trip
        let many = BindingsExt {
            parties: Some((0..100).map(|i| format!("Party {i:03}")).collect()),
            ..Default::default()
        };
        assert_eq!(decode(&encode(&many)).unwrap(), many);
    }

    #[test]
    fn decoder_rejects_non_canonical_input() {
        use BindingsExtError as E;
        type Expect = fn(&BindingsExtError) -> bool;
        let cases: [(&str, Expect); 11] = [
            ("", |e| matches!(e, E::Truncated(0))),
            ("3000", |e| matches!(e, E::Empty(_))),
            ("3002 a000", |e| matches!(e, E::Empty("vessels"))),
            ("3006 a204 0c02 4142 00", |e| {
                matches!(e, E::TrailingBytes(_) | E::Truncated(_))
            }),
            // parties before vessels
            ("300e a204 0c02 4142 a006 0c04 494d4f31", |e| {
                matches!(e, E::Tag { offset: 8, .. })
            }),
            // a vessel that is not an IMO number
            ("3008 a006 0c04 494d4f31", |e| {
                matches!(
                    e,
                    E::Value {
                        list: "vessels",
                        ..
                    }
                )
            }),
            // duplicate and unsorted parties
            ("300a a208 0c02 4142 0c02 4142", |e| {
                matches!(e, E::Duplicate { .. })
            }),
            ("300a a208 0c02 4243 0c02 4142", |e| {
                matches!(e, E::Unsorted { .. })
            }),
            // a PrintableString instead of a UTF8String
            ("3006 a204 1302 4142", |e| {
                matches!(e, E::Tag { found: 0x13, .. })
            }),
            // leading white space, control character
            ("3006 a204 0c02 2041", |e| {
                matches!(
                    e,
                    E::Value {
                        list: "parties",
                        ..
                    }
                )
            }),
            ("3006 a104 0c02 410a", |e| {
                matches!(
                    e,
                    E::Value {
                        list: "facilities",
                        ..
                    }
                )
            }),
        ];
        for (i, (hex, ok)) in cases.iter().enumerate() {
            let err = decode(&h(hex)).unwrap_err();
            assert!(ok(&err), "case {i} ({hex}): {err:?}");
        }
        assert!(matches!(decode(&[0x30; 13000]), Err(E::TooLong(13000))));
        assert!(matches!(
            decode(&h("3081 06 a204 0c02 4142")),
            Err(E::NonDerLength(1))
        ));
    }

    #[test]
    fn validate_checks_imo_shape_and_names() {
        let ok = BindingsExt {
            vessels: s(&["IMO9074729", "IMO12345678"]),
            facilities: s(&["Andaman Seafood Plant 2"]),
            parties: s(&["0614141000005"]),
        };
        assert!(ok.validate().is_ok());
        for bad in [
            "IMO907472",
            "imo9074729",
            "IMO9074729 ",
            "IMO123456789",
            "9074729",
        ] {
            let b = BindingsExt {
                vessels: s(&[bad]),
                ..Default::default()
            };
            let e = b.validate().unwrap_err();
            assert!(e.to_string().contains("vessels"), "{bad}: {e}");
        }
        let long = "x".repeat(129);
        for bad in ["", " Acme", "Ac\u{7}me", long.as_str()] {
            let b = BindingsExt {
                parties: s(&[bad]),
                ..Default::default()
            };
            assert!(b.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn effective_bindings_add_the_subject_o() {
        let ext = BindingsExt {
            vessels: s(&["IMO9074729", "IMO9123456"]),
            facilities: None,
            parties: s(&["Blue Horizon Fishing"]),
        };
        let b = Bindings::effective(Some(&ext), &["Blue Horizon Co".into()]);
        assert!(b.has_vessel("IMO9074729") && b.has_vessel("IMO9123456"));
        assert!(!b.has_vessel("IMO1111111"));
        assert!(b.has_party("Blue Horizon Co") && b.has_party("Blue Horizon Fishing"));
        assert!(b.facilities.is_empty());
        let none = Bindings::effective(None, &["Acme".into()]);
        assert_eq!(none.parties, vec!["Acme".to_string()]);
        assert!(none.vessels.is_empty());
        assert!(Bindings::effective(None, &[]).is_empty());
    }

    #[test]
    fn facilities_and_parties_match_after_nfc_only() {
        let b = Bindings {
            vessels: vec![],
            facilities: vec!["Caf\u{e9} Plant".into()],
            parties: vec!["Caf\u{e9} Co".into()],
        };
        assert!(b.has_facility("Cafe\u{301} Plant"));
        assert!(b.has_party("Cafe\u{301} Co"));
        assert!(!b.has_party("Cafe Co"));
        assert!(!b.has_party("caf\u{e9} co"));
        assert!(!b.has_facility("Caf\u{e9} Plant "));
        let other = Bindings {
            parties: vec!["Cafe\u{301} Co".into()],
            ..Default::default()
        };
        assert!(b.shares_party(&other));
        assert!(!b.shares_party(&Bindings::default()));
    }

    #[test]
    fn widening_is_found_per_list() {
        let mut r = Restriction::default();
        let child = BindingsExt {
            vessels: s(&["IMO9074729"]),
            facilities: None,
            parties: s(&["Acme"]),
        };
        assert_eq!(first_widening(&r, &child, &["Acme Group".into()]), None);
        // a CA bound to two vessels and party "Fleet"; its O is "Fleet Group"
        r.narrow(
            &BindingsExt {
                vessels: s(&["IMO9074729", "IMO9123456"]),
                facilities: None,
                parties: s(&["Fleet"]),
            },
            &["Fleet Group".into()],
        );
        let inside = BindingsExt {
            vessels: s(&["IMO9123456"]),
            facilities: s(&["Any Plant"]),
            parties: s(&["Fleet"]),
        };
        assert_eq!(first_widening(&r, &inside, &["Fleet Group".into()]), None);
        let vessel_out = BindingsExt {
            vessels: s(&["IMO1111111"]),
            ..Default::default()
        };
        assert_eq!(
            first_widening(&r, &vessel_out, &[]),
            Some(("vessels", "IMO1111111"))
        );
        // the child's O counts as one of its parties
        assert_eq!(
            first_widening(&r, &BindingsExt::default(), &["Rival".into()]),
            Some(("parties", "Rival"))
        );
    }
}

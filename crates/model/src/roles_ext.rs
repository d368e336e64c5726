//! The catchcert roles extension of issuer certificates (X.509 v3, non-critical).
//!
//! - OID: `2.25.290276478018749029350488072028676893373.1`, i.e. sub-arc 1 ("roles") of the
//!   project's UUID arc `2.25.290276478018749029350488072028676893373`
//!   (UUID `da613753-6d84-4b97-8b03-9dc985ef2abd`, ITU-T X.667).
//! - Value (the `extnValue` OCTET STRING holds this DER):
//!
//!   ```text
//!   CatchcertRoles ::= SEQUENCE SIZE (0..8) OF UTF8String
//!   ```
//!
//!   with the role names of contract §2 (`auditor`, `vessel`, `carrier`, `processor`,
//!   `trader`, `retailer`, `listkeeper`, `registrar`), sorted in byte order, without
//!   duplicates.
//!
//! Example: roles `trader` and `processor` encode as
//! `30 13 0c 09 70726f636573736f72 0c 06 747261646572`.
//!
//! The decoder accepts exactly what [`encode`] produces: definite, minimal (DER) lengths, no
//! trailing bytes, only known role names, strictly increasing order. Pure: no I/O.

use crate::der::{from_tlv_error, push_len, read_tlv};
use crate::kind::Role;

/// The OID in dotted form.
pub const OID: &str = "2.25.290276478018749029350488072028676893373.1";

/// The content octets of the DER OBJECT IDENTIFIER (without tag and length): `2.25` is
/// `0x69`, the 128-bit UUID takes 19 base-128 digits, the sub-arc `1` is `0x01`.
pub const OID_DER: [u8; 21] = [
    0x69, 0x83, 0xb4, 0xe1, 0x9b, 0xd4, 0xed, 0xd8, 0xa2, 0xae, 0xaf, 0x8b, 0x81, 0xe7, 0xb9, 0x98,
    0xaf, 0xbc, 0xd5, 0x3d, 0x01,
];

/// Largest extension value the decoder looks at. All eight roles take 80 bytes.
pub const MAX_LEN: usize = 512;

const TAG_SEQUENCE: u8 = 0x30;
const TAG_UTF8STRING: u8 = 0x0c;

/// Why an extension value is not a valid roles list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolesExtError {
    /// Longer than [`MAX_LEN`].
    #[error("roles extension: {0} bytes, over the limit of {MAX_LEN}")]
    TooLong(usize),
    /// A tag other than the one expected.
    #[error("roles extension: expected {expected} at byte {offset}, found tag 0x{found:02x}")]
    Tag {
        /// What was expected ("SEQUENCE", "UTF8String").
        expected: &'static str,
        /// Byte offset of the tag.
        offset: usize,
        /// The tag found.
        found: u8,
    },
    /// Input ended inside an element.
    #[error("roles extension: truncated at byte {0}")]
    Truncated(usize),
    /// An indefinite, non-minimal or oversized length.
    #[error("roles extension: length at byte {0} is not in DER (minimal definite) form")]
    NonDerLength(usize),
    /// Bytes after the SEQUENCE.
    #[error("roles extension: {0} trailing bytes after the SEQUENCE")]
    TrailingBytes(usize),
    /// A name that is not UTF-8.
    #[error("roles extension: role name at byte {0} is not UTF-8")]
    Utf8(usize),
    /// A name that is not a role of contract §2.
    #[error("roles extension: unknown role {0:?}")]
    UnknownRole(String),
    /// A role listed twice.
    #[error("roles extension: role {0} is listed twice")]
    Duplicate(Role),
    /// Roles not in byte order of their names.
    #[error("roles extension: roles are not sorted ({0} after {1})")]
    Unsorted(Role, Role),
}

/// DER of the extension value for `roles` (sorted by name, duplicates dropped).
pub fn encode(roles: &[Role]) -> Vec<u8> {
    let mut names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut body = Vec::new();
    for n in names {
        body.push(TAG_UTF8STRING);
        push_len(&mut body, n.len());
        body.extend_from_slice(n.as_bytes());
    }
    let mut out = vec![TAG_SEQUENCE];
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Decode an extension value into roles, sorted by name. Rejects everything [`encode`]
/// would not produce.
pub fn decode(der: &[u8]) -> Result<Vec<Role>, RolesExtError> {
    if der.len() > MAX_LEN {
        return Err(RolesExtError::TooLong(der.len()));
    }
    let (_, mut pos, end) = read_tlv(der, 0, TAG_SEQUENCE, "SEQUENCE")?;
    if end != der.len() {
        return Err(RolesExtError::TrailingBytes(der.len() - end));
    }
    let mut roles: Vec<Role> = Vec::new();
    while pos < end {
        let (name, name_start, next) = read_tlv(der, pos, TAG_UTF8STRING, "UTF8String")?;
        let name = std::str::from_utf8(name).map_err(|_| RolesExtError::Utf8(name_start))?;
        let role: Role = name
            .parse()
            .map_err(|_| RolesExtError::UnknownRole(name.chars().take(64).collect()))?;
        if let Some(&prev) = roles.last() {
            if prev == role || roles.contains(&role) {
                return Err(RolesExtError::Duplicate(role));
            }
            if prev.as_str() > role.as_str() {
                return Err(RolesExtError::Unsorted(role, prev));
            }
        }
        roles.push(role);
        pos = next;
    }
    Ok(roles)
}

from_tlv_error!(RolesExtError);

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn oid_bytes_match_the_dotted_form() {
        // Re-derive the base-128 digits of the UUID arc from its decimal value.
        let uuid: u128 = 290_276_478_018_749_029_350_488_072_028_676_893_373;
        assert_eq!(format!("{uuid:032x}"), "da6137536d844b978b039dc985ef2abd");
        let mut digits = Vec::new();
        let mut n = uuid;
        loop {
            digits.push((n & 0x7f) as u8);
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        digits.reverse();
        let last = digits.len() - 1;
        for d in &mut digits[..last] {
            *d |= 0x80;
        }
        let mut expect = vec![2 * 40 + 25];
        expect.extend(digits);
        expect.push(1);
        assert_eq!(OID_DER.to_vec(), expect);
        assert!(OID.starts_with("2.25.290276478018749029350488072028676893373."));
    }

    #[test]
    fn encodes_sorted_without_duplicates() {
        let cases: [(&[Role], &str); 4] = [
            (&[], "3000"),
            (&[Role::Trader], "3008 0c06 747261646572"),
            // trader, processor, trader -> processor, trader
            (
                &[Role::Trader, Role::Processor, Role::Trader],
                "3013 0c09 70726f636573736f72 0c06 747261646572",
            ),
            (
                &Role::ALL,
                concat!(
                    "304e",
                    "0c07 61756469746f72",       // auditor
                    "0c07 63617272696572",       // carrier
                    "0c0a 6c6973746b6565706572", // listkeeper
                    "0c09 70726f636573736f72",   // processor
                    "0c09 726567697374726172",   // registrar
                    "0c08 72657461696c6572",     // retailer
                    "0c06 747261646572",         // trader
                    "0c06 76657373656c",         // vessel
                ),
            ),
        ];
        for (i, (roles, hex)) in cases.iter().enumerate() {
            let der = encode(roles);
            assert_eq!(der, h(hex), "case {i}");
            let mut sorted: Vec<Role> = roles.to_vec();
            sorted.sort_by_key(|r| r.as_str());
            sorted.dedup();
            assert_eq!(decode(&der).unwrap(), sorted, "case {i}");
        }
    }

    #[test]
    fn decoder_rejects_non_canonical_input() {
        use RolesExtError as E;
        /// Whether an error is the expected one.
        type Expect = fn(&RolesExtError) -> bool;
        let cases: [(&str, Expect); 13] = [
            ("", |e| matches!(e, E::Truncated(0))),
            ("31 00", |e| matches!(e, E::Tag { found: 0x31, .. })),
            ("30", |e| matches!(e, E::Truncated(1))),
            ("30 00 00", |e| matches!(e, E::TrailingBytes(1))),
            ("30 80 00 00", |e| matches!(e, E::NonDerLength(1))),
            ("30 81 00", |e| matches!(e, E::NonDerLength(1))),
            ("30 81 08 0c06 747261646572", |e| {
                matches!(e, E::NonDerLength(1))
            }),
            ("30 08 0c06 7472616465", |e| matches!(e, E::Truncated(_))),
            ("30 08 1306 747261646572", |e| {
                matches!(
                    e,
                    E::Tag {
                        found: 0x13,
                        offset: 2,
                        ..
                    }
                )
            }),
            ("30 08 0c06 747261646572 ff", |e| {
                matches!(e, E::TrailingBytes(1))
            }),
            (
                "30 08 0c06 736861726b73",
                |e| matches!(e, E::UnknownRole(n) if n == "sharks"),
            ),
            ("3010 0c06 747261646572 0c06 747261646572", |e| {
                matches!(e, E::Duplicate(Role::Trader))
            }),
            ("3013 0c06 747261646572 0c09 70726f636573736f72", |e| {
                matches!(e, E::Unsorted(Role::Processor, Role::Trader))
            }),
        ];
        for (i, (hex, ok)) in cases.iter().enumerate() {
            let err = decode(&h(hex)).unwrap_err();
            assert!(ok(&err), "case {i} ({hex}): {err:?}");
        }
        assert!(matches!(decode(&[0x30; 600]), Err(E::TooLong(600))));
        // invalid UTF-8 and the wrong case are not role names
        assert!(matches!(decode(&h("3003 0c01 ff")), Err(E::Utf8(4))));
        assert!(matches!(
            decode(&h("3008 0c06 547261646572")),
            Err(E::UnknownRole(_))
        ));
    }
}

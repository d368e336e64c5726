//! The offline bundle: one deterministic CBOR map holding a head certificate, its
//! ancestors, their attestations and revocations, and the issuer certificates (not the
//! trust roots) needed to check them. Media type `application/vnd.catchcert.bundle+cbor`.
//!
//! ```text
//! bundle = {
//!   "v": 1,
//!   "head": bstr .size 32,          ; SHA-256 id of the head certificate
//!   "certificates": [* bstr],       ; complete COSE_Sign1 messages, sorted by id
//!   "issuers": [* bstr],            ; DER X.509 certificates, sorted bytewise, no duplicates
//! }
//! ```

use crate::cbor::{self, Value};
use crate::id::CertId;

/// The bundle format version.
pub const BUNDLE_VERSION: u64 = 1;
/// The media type of a bundle.
pub const MEDIA_TYPE: &str = "application/vnd.catchcert.bundle+cbor";
/// Largest accepted bundle (64 MiB, the server's bundle body limit).
pub const MAX_BUNDLE_BYTES: usize = crate::limits::BUNDLE_BYTES;
/// Most certificates accepted in one bundle.
pub const MAX_CERTIFICATES: usize = crate::limits::CERTIFICATES_PER_BUNDLE;
/// Most issuer certificates accepted in one bundle.
pub const MAX_ISSUERS: usize = crate::limits::ISSUERS_PER_BUNDLE;

/// A decoded bundle. The certificates are not verified by decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The certificate the bundle was made for.
    pub head: CertId,
    /// COSE_Sign1 messages.
    pub certificates: Vec<Vec<u8>>,
    /// DER issuer certificates (intermediates and leaves).
    pub issuers: Vec<Vec<u8>>,
    /// Watch lists (COSE_Sign1 `watchlist` certificates) to screen the graph against, in
    /// id order; the key `watchlists` is absent when there are none, so bundles without
    /// lists keep their bytes and old bundles decode.
    pub watchlists: Vec<Vec<u8>>,
}

/// Why bytes are not a bundle.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BundleError {
    /// Over [`MAX_BUNDLE_BYTES`].
    #[error("bundle is {0} bytes, over the limit BUNDLE_BYTES of {MAX_BUNDLE_BYTES}")]
    TooLarge(usize),
    /// Not deterministic CBOR.
    #[error("bundle is not deterministic CBOR: {0}")]
    Cbor(#[from] cbor::DecodeError),
    /// Wrong structure.
    #[error("bundle field `{field}`: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

fn field_err(field: &'static str, reason: impl Into<String>) -> BundleError {
    BundleError::Field {
        field,
        reason: reason.into(),
    }
}

impl Bundle {
    /// Build a bundle, putting certificates in id order and issuers in byte order without
    /// duplicates, so that the same content always gives the same bytes.
    pub fn new(head: CertId, certificates: Vec<Vec<u8>>, issuers: Vec<Vec<u8>>) -> Self {
        let mut certs: Vec<(CertId, Vec<u8>)> = certificates
            .into_iter()
            .map(|c| (CertId::of_cose(&c), c))
            .collect();
        certs.sort_by_key(|a| a.0);
        certs.dedup_by(|a, b| a.0 == b.0);
        let mut issuers = issuers;
        issuers.sort();
        issuers.dedup();
        Bundle {
            head,
            certificates: certs.into_iter().map(|(_, c)| c).collect(),
            issuers,
            watchlists: Vec::new(),
        }
    }

    /// The bundle with the watch lists `lists` (in id order, without duplicates).
    pub fn with_watchlists(mut self, lists: Vec<Vec<u8>>) -> Self {
        let mut l: Vec<(CertId, Vec<u8>)> = lists
            .into_iter()
            .map(|c| (CertId::of_cose(&c), c))
            .collect();
        l.sort_by_key(|a| a.0);
        l.dedup_by(|a, b| a.0 == b.0);
        self.watchlists = l.into_iter().map(|(_, c)| c).collect();
        self
    }

    /// Deterministic CBOR bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut fields = vec![
            (Value::Text("v".into()), Value::Uint(BUNDLE_VERSION)),
            (
                Value::Text("head".into()),
                Value::Bytes(self.head.0.to_vec()),
            ),
            (
                Value::Text("certificates".into()),
                Value::Array(
                    self.certificates
                        .iter()
                        .cloned()
                        .map(Value::Bytes)
                        .collect(),
                ),
            ),
            (
                Value::Text("issuers".into()),
                Value::Array(self.issuers.iter().cloned().map(Value::Bytes).collect()),
            ),
        ];
        if !self.watchlists.is_empty() {
            fields.push((
                Value::Text("watchlists".into()),
                Value::Array(self.watchlists.iter().cloned().map(Value::Bytes).collect()),
            ));
        }
        cbor::to_vec(&Value::Map(fields))
    }

    /// Decode a bundle (strict deterministic CBOR, exactly the four fields, within limits).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len()));
        }
        let limits = cbor::Limits {
            max_depth: 4,
            max_bytes: MAX_BUNDLE_BYTES,
            max_items: 2 * MAX_CERTIFICATES + MAX_ISSUERS + 16,
        };
        let Value::Map(entries) = cbor::from_slice(bytes, &limits)? else {
            return Err(field_err("(bundle)", "must be a map"));
        };
        let mut version = None;
        let mut head = None;
        let mut certificates = None;
        let mut issuers = None;
        let mut watchlists = None;
        for (k, v) in entries {
            let Value::Text(k) = k else {
                return Err(field_err("(bundle)", "map keys must be text"));
            };
            match (k.as_str(), v) {
                ("v", Value::Uint(n)) => version = Some(n),
                ("head", Value::Bytes(b)) => {
                    head = Some(
                        CertId::from_slice(&b)
                            .ok_or_else(|| field_err("head", "must be 32 bytes"))?,
                    )
                }
                ("certificates", Value::Array(a)) => {
                    certificates = Some(byte_strings("certificates", a, MAX_CERTIFICATES)?)
                }
                ("issuers", Value::Array(a)) => {
                    issuers = Some(byte_strings("issuers", a, MAX_ISSUERS)?)
                }
                ("watchlists", Value::Array(a)) if a.is_empty() => {
                    return Err(field_err(
                        "watchlists",
                        "must not be empty (a bundle without lists leaves the key out)",
                    ));
                }
                ("watchlists", Value::Array(a)) => {
                    watchlists = Some(byte_strings("watchlists", a, MAX_CERTIFICATES)?)
                }
                ("watchlists", _) => {
                    return Err(field_err("watchlists", "wrong type"));
                }
                ("v" | "head" | "certificates" | "issuers", _) => {
                    return Err(BundleError::Field {
                        field: match k.as_str() {
                            "v" => "v",
                            "head" => "head",
                            "certificates" => "certificates",
                            _ => "issuers",
                        },
                        reason: "wrong type".into(),
                    });
                }
                (other, _) => {
                    return Err(field_err("(bundle)", format!("unknown field {other:?}")));
                }
            }
        }
        match version {
            Some(BUNDLE_VERSION) => {}
            Some(n) => return Err(field_err("v", format!("unsupported bundle version {n}"))),
            None => return Err(field_err("v", "missing")),
        }
        let certificates: Vec<Vec<u8>> =
            certificates.ok_or_else(|| field_err("certificates", "missing"))?;
        let issuers: Vec<Vec<u8>> = issuers.ok_or_else(|| field_err("issuers", "missing"))?;
        // One encoding per content: certificates in strictly increasing id order, issuers
        // in strictly increasing byte order (which also rules out duplicates).
        let ids: Vec<CertId> = certificates.iter().map(|c| CertId::of_cose(c)).collect();
        if let Some(i) = ids.windows(2).position(|w| w[0] >= w[1]) {
            return Err(field_err(
                "certificates",
                format!(
                    "entry {} is not in increasing id order (or is a duplicate)",
                    i + 1
                ),
            ));
        }
        if let Some(i) = issuers.windows(2).position(|w| w[0] >= w[1]) {
            return Err(field_err(
                "issuers",
                format!(
                    "entry {} is not in increasing byte order (or is a duplicate)",
                    i + 1
                ),
            ));
        }
        let watchlists: Vec<Vec<u8>> = watchlists.unwrap_or_default();
        let list_ids: Vec<CertId> = watchlists.iter().map(|c| CertId::of_cose(c)).collect();
        if let Some(i) = list_ids.windows(2).position(|w| w[0] >= w[1]) {
            return Err(field_err(
                "watchlists",
                format!(
                    "entry {} is not in increasing id order (or is a duplicate)",
                    i + 1
                ),
            ));
        }
        Ok(Bundle {
            head: head.ok_or_else(|| field_err("head", "missing"))?,
            certificates,
            issuers,
            watchlists,
        })
    }
}

fn byte_strings(
    field: &'static str,
    a: Vec<Value>,
    max: usize,
) -> Result<Vec<Vec<u8>>, BundleError> {
    if a.len() > max {
        let name = if field == "issuers" {
            "ISSUERS_PER_BUNDLE"
        } else {
            "CERTIFICATES_PER_BUNDLE"
        };
        return Err(field_err(
            field,
            format!("{} entries, over the limit {name} of {max}", a.len()),
        ));
    }
    a.into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Bytes(b) => Ok(b),
            _ => Err(field_err(field, format!("entry {i} is not a byte string"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_canonical_order() {
        let certs = vec![b"b".to_vec(), b"a".to_vec(), b"a".to_vec()];
        let b = Bundle::new(CertId([7; 32]), certs, vec![vec![2], vec![1], vec![2]]);
        assert_eq!(b.certificates.len(), 2);
        assert_eq!(b.issuers, vec![vec![1], vec![2]]);
        let bytes = b.to_bytes();
        assert_eq!(Bundle::from_bytes(&bytes).unwrap(), b);

        // Same content, other order: refused.
        let mut swapped = b.clone();
        swapped.certificates.reverse();
        let e = Bundle::from_bytes(&swapped.to_bytes()).unwrap_err();
        assert!(e.to_string().contains("certificates"), "{e}");
        let mut dup = b.clone();
        dup.issuers.push(vec![2]);
        let e = Bundle::from_bytes(&dup.to_bytes()).unwrap_err();
        assert!(e.to_string().contains("issuers"), "{e}");
    }

    #[test]
    fn rejects_unknown_fields_wrong_version_and_garbage() {
        let b = Bundle::new(CertId([7; 32]), vec![], vec![]);
        let mut v = b.to_bytes();
        // "v": 1 -> "v": 2 (the map is sorted, "v" comes first: a4 61 76 01)
        assert_eq!(&v[..4], &[0xa4, 0x61, 0x76, 0x01]);
        v[3] = 0x02;
        assert!(
            Bundle::from_bytes(&v)
                .unwrap_err()
                .to_string()
                .contains("version")
        );
        assert!(Bundle::from_bytes(b"\xff").is_err());
        assert!(Bundle::from_bytes(&[]).is_err());
    }
}

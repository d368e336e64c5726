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
//!   ? "watchlists": [+ bstr],       ; watch list certificates, sorted by id
//!   ? "log_proofs": [+ [bstr .size 32, tstr]], ; (certificate id, C2SP tlog-proof text),
//!                                   ; sorted by id, only for certificates of the bundle
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
    /// Transparency-log proofs: for certificates of the bundle, their id and a C2SP
    /// tlog-proof (`c2sp.org/tlog-proof@v1`) text, in id order; the key `log_proofs` is
    /// absent when there are none, so bundles without proofs keep their bytes.
    pub log_proofs: Vec<(CertId, String)>,
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
            log_proofs: Vec::new(),
        }
    }

    /// The bundle with the transparency-log proofs `proofs` (put in id order, one per id;
    /// proofs for ids that are not certificates of the bundle are dropped).
    pub fn with_log_proofs(mut self, proofs: Vec<(CertId, String)>) -> Self {
        let ids: std::collections::HashSet<CertId> = self
            .certificates
            .iter()
            .map(|c| CertId::of_cose(c))
            .collect();
        let mut p: Vec<(CertId, String)> = proofs
            .into_iter()
            .filter(|(id, _)| ids.contains(id))
            .collect();
        p.sort_by_key(|a| a.0);
        p.dedup_by(|a, b| a.0 == b.0);
        self.log_proofs = p;
        self
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
        if !self.log_proofs.is_empty() {
            fields.push((
                Value::Text("log_proofs".into()),
                Value::Array(
                    self.log_proofs
                        .iter()
                        .map(|(id, p)| {
                            Value::Array(vec![Value::Bytes(id.0.to_vec()), Value::Text(p.clone())])
                        })
                        .collect(),
                ),
            ));
        }
        cbor::to_vec(&Value::Map(fields))
    }

    /// Decode a bundle (strict deterministic CBOR, the four fields and the optional
    /// `watchlists` and `log_proofs`, within limits).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len()));
        }
        let limits = cbor::Limits {
            max_depth: 5,
            max_bytes: MAX_BUNDLE_BYTES,
            max_items: 5 * MAX_CERTIFICATES + MAX_ISSUERS + 16,
        };
        let Value::Map(entries) = cbor::from_slice(bytes, &limits)? else {
            return Err(field_err("(bundle)", "must be a map"));
        };
        let mut version = None;
        let mut head = None;
        let mut certificates = None;
        let mut issuers = None;
        let mut watchlists = None;
        let mut log_proofs = None;
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
                ("log_proofs", Value::Array(a)) => log_proofs = Some(proof_pairs(a)?),
                ("log_proofs", _) => {
                    return Err(field_err("log_proofs", "wrong type"));
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
        let log_proofs = log_proofs.unwrap_or_default();
        if let Some(i) = log_proofs.windows(2).position(|w| w[0].0 >= w[1].0) {
            return Err(field_err(
                "log_proofs",
                format!(
                    "entry {} is not in increasing id order (or is a duplicate)",
                    i + 1
                ),
            ));
        }
        if let Some((id, _)) = log_proofs
            .iter()
            .find(|(id, _)| ids.binary_search(id).is_err())
        {
            return Err(field_err(
                "log_proofs",
                format!("proof for {id}, which is not a certificate of the bundle"),
            ));
        }
        Ok(Bundle {
            head: head.ok_or_else(|| field_err("head", "missing"))?,
            certificates,
            issuers,
            watchlists,
            log_proofs,
        })
    }
}

/// The `log_proofs` entries: `[id, proof text]` pairs (non-empty, within limits).
fn proof_pairs(a: Vec<Value>) -> Result<Vec<(CertId, String)>, BundleError> {
    if a.is_empty() {
        return Err(field_err(
            "log_proofs",
            "must not be empty (a bundle without proofs leaves the key out)",
        ));
    }
    if a.len() > MAX_CERTIFICATES {
        return Err(field_err(
            "log_proofs",
            format!(
                "{} entries, over the limit CERTIFICATES_PER_BUNDLE of {MAX_CERTIFICATES}",
                a.len()
            ),
        ));
    }
    a.into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                Ok([Value::Bytes(id), Value::Text(p)]) => {
                    let id = CertId::from_slice(&id).ok_or_else(|| {
                        field_err("log_proofs", format!("entry {i}: id must be 32 bytes"))
                    })?;
                    Ok((id, p))
                }
                _ => Err(field_err(
                    "log_proofs",
                    format!("entry {i}: must be [id bstr, proof tstr]"),
                )),
            },
            _ => Err(field_err(
                "log_proofs",
                format!("entry {i}: must be [id bstr, proof tstr]"),
            )),
        })
        .collect()
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

    #[test]
    fn log_proofs_round_trip_and_leave_old_bytes_alone() {
        let b = Bundle::new(CertId([7; 32]), vec![b"b".to_vec(), b"a".to_vec()], vec![]);
        let plain = b.to_bytes();
        // No proofs: the key is absent and the bytes are those of a bundle without it.
        assert_eq!(b.clone().with_log_proofs(vec![]).to_bytes(), plain);
        let ida = CertId::of_cose(b"a");
        let idb = CertId::of_cose(b"b");
        let with = b.clone().with_log_proofs(vec![
            (idb, "pb".into()),
            (ida, "pa".into()),
            (CertId([9; 32]), "not in the bundle".into()),
        ]);
        assert_eq!(with.log_proofs.len(), 2);
        assert!(with.log_proofs[0].0 < with.log_proofs[1].0);
        let back = Bundle::from_bytes(&with.to_bytes()).unwrap();
        assert_eq!(back, with);
        // A proof for a certificate that is not in the bundle, or out of order: refused.
        let mut stray = with.clone();
        stray.log_proofs[0].0 = CertId([9; 32]);
        stray.log_proofs.sort_by_key(|a| a.0);
        let e = Bundle::from_bytes(&stray.to_bytes()).unwrap_err();
        assert!(e.to_string().contains("log_proofs"), "{e}");
        let mut swapped = with.clone();
        swapped.log_proofs.reverse();
        let e = Bundle::from_bytes(&swapped.to_bytes()).unwrap_err();
        assert!(e.to_string().contains("log_proofs"), "{e}");
    }
}

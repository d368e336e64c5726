//! Decoding a certificate: one tagged COSE_Sign1 message (RFC 9052) in the profile of
//! `docs/format.md`, without checking its signature or issuer.
//!
//! Decoding is strict: the whole message must be deterministic CBOR (so that it has one
//! byte form and hence one id); the protected header must hold exactly alg = EdDSA (-8),
//! the catchcert content type and x5chain (33); the unprotected header must be empty; the
//! payload must be embedded; the signature must be 64 bytes.

use crate::signature::{self, SignatureChecked, SignatureError};
use catchcert_model::cbor;
use catchcert_model::{CertId, MAX_CERTIFICATE_BYTES, PAYLOAD_CONTENT_TYPE, X5CHAIN_LABEL};
use ed25519_dalek::VerifyingKey;

/// Most certificates accepted in one x5chain.
pub const MAX_X5CHAIN: usize = catchcert_model::limits::X5CHAIN_LENGTH;

/// A decoded COSE_Sign1 certificate message.
#[derive(Clone, Debug)]
pub struct Sign1 {
    /// The certificate id (SHA-256 of the bytes).
    pub id: CertId,
    /// The protected header exactly as received.
    pub protected: Vec<u8>,
    /// The issuer chain from x5chain, DER, leaf first.
    pub x5chain: Vec<Vec<u8>>,
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The 64-byte signature.
    pub signature: Vec<u8>,
}

/// Why bytes are not a certificate message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CoseError {
    /// Over [`MAX_CERTIFICATE_BYTES`].
    #[error(
        "the message is {0} bytes, over the limit CERTIFICATE_BYTES of {MAX_CERTIFICATE_BYTES}"
    )]
    TooLarge(usize),
    /// Not deterministic CBOR.
    #[error("not deterministic CBOR: {0}")]
    Cbor(#[from] cbor::DecodeError),
    /// Not a tagged COSE_Sign1.
    #[error("not a tagged COSE_Sign1 message (CBOR tag 18): {0}")]
    NotSign1(String),
    /// The protected header breaks the profile.
    #[error("protected header: {0}")]
    Header(String),
    /// The unprotected header is not empty.
    #[error("the unprotected header must be empty")]
    Unprotected,
    /// No embedded payload.
    #[error("the payload is detached or missing")]
    NoPayload,
    /// The signature is not 64 bytes.
    #[error("the signature is {0} bytes, not 64")]
    SignatureLength(usize),
}

/// Decode a certificate message without verifying it.
pub fn decode(bytes: &[u8]) -> Result<Sign1, CoseError> {
    decode_as(bytes, CertId::of_cose(bytes))
}

/// [`decode`] for bytes whose id (SHA-256) the caller has already computed.
fn decode_as(bytes: &[u8], id: CertId) -> Result<Sign1, CoseError> {
    if bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(CoseError::TooLarge(bytes.len()));
    }
    let limits = cbor::Limits {
        max_depth: 8,
        max_bytes: MAX_CERTIFICATE_BYTES,
        max_items: 1024,
    };
    // The whole message must be deterministic CBOR (one byte form, hence one id); it is
    // read from the decoded tree, each byte string moved out of it, not copied again.
    let message = cbor::from_slice(bytes, &limits)?;
    let (protected, unprotected, payload, signature) = sign1_parts(message)?;
    // The protected header is itself CBOR inside a byte string, out of reach of the check
    // above: it must be deterministic as well.
    let header = if protected.is_empty() {
        Vec::new()
    } else {
        match cbor::from_slice(&protected, &limits)? {
            cbor::Value::Map(entries) => entries,
            other => {
                return Err(not_sign1(format!(
                    "the protected header is {}",
                    what(&other)
                )));
            }
        }
    };
    match unprotected {
        cbor::Value::Map(entries) if entries.is_empty() => {}
        cbor::Value::Map(_) => return Err(CoseError::Unprotected),
        other => {
            return Err(not_sign1(format!(
                "the unprotected header is {}",
                what(&other)
            )));
        }
    }
    let x5chain = protected_header(header)?;
    let payload = match payload {
        cbor::Value::Bytes(b) => b,
        cbor::Value::Null => return Err(CoseError::NoPayload),
        other => return Err(not_sign1(format!("the payload is {}", what(&other)))),
    };
    let signature = match signature {
        cbor::Value::Bytes(b) => b,
        other => return Err(not_sign1(format!("the signature is {}", what(&other)))),
    };
    if signature.len() != 64 {
        return Err(CoseError::SignatureLength(signature.len()));
    }
    Ok(Sign1 {
        id,
        protected,
        x5chain,
        payload,
        signature,
    })
}

fn not_sign1(why: String) -> CoseError {
    CoseError::NotSign1(why)
}

/// A CBOR item's kind, for messages.
fn what(v: &cbor::Value) -> &'static str {
    match v {
        cbor::Value::Uint(_) | cbor::Value::Nint(_) => "an integer",
        cbor::Value::Bytes(_) => "a byte string",
        cbor::Value::Text(_) => "a text string",
        cbor::Value::Array(_) => "an array",
        cbor::Value::Map(_) => "a map",
        cbor::Value::Tag(..) => "a tagged item",
        cbor::Value::Bool(_) => "a boolean",
        cbor::Value::Null => "null",
        cbor::Value::Undefined => "undefined",
        cbor::Value::Simple(_) => "a simple value",
        cbor::Value::Float(_) => "a float",
    }
}

/// The four parts of a tagged COSE_Sign1 (RFC 9052 §4.2): `18([protected: bstr,
/// unprotected: map, payload: bstr / nil, signature: bstr])`; the protected header's bytes
/// are returned, the others as decoded.
fn sign1_parts(
    message: cbor::Value,
) -> Result<(Vec<u8>, cbor::Value, cbor::Value, cbor::Value), CoseError> {
    let inner = match message {
        cbor::Value::Tag(18, inner) => *inner,
        cbor::Value::Tag(tag, _) => return Err(not_sign1(format!("tag {tag}, not 18"))),
        other => return Err(not_sign1(format!("{}, not tag 18", what(&other)))),
    };
    let parts = match inner {
        cbor::Value::Array(parts) => parts,
        other => {
            return Err(not_sign1(format!(
                "tag 18 holds {}, not an array",
                what(&other)
            )));
        }
    };
    let [protected, unprotected, payload, signature]: [cbor::Value; 4] = parts
        .try_into()
        .map_err(|p: Vec<cbor::Value>| not_sign1(format!("{} parts, not 4", p.len())))?;
    match protected {
        cbor::Value::Bytes(protected) => Ok((protected, unprotected, payload, signature)),
        other => Err(not_sign1(format!(
            "the protected header is {}, not a byte string",
            what(&other)
        ))),
    }
}

/// The profile's protected header (its map's entries): alg EdDSA, the catchcert content
/// type, x5chain and nothing else. Returns the x5chain.
fn protected_header(entries: Vec<(cbor::Value, cbor::Value)>) -> Result<Vec<Vec<u8>>, CoseError> {
    let (mut alg, mut content_type, mut x5chain) = (None, None, None);
    let mut other_known = false;
    let mut unexpected = None;
    for (label, value) in entries {
        match label.as_int() {
            Some(1) => alg = Some(value),
            Some(3) => content_type = Some(value),
            Some(l) if l == i128::from(X5CHAIN_LABEL) => x5chain = Some(value),
            // crit, kid, IV, partial IV, counter signature
            Some(2 | 4..=7) => other_known = true,
            _ => {
                unexpected.get_or_insert(label);
            }
        }
    }
    if alg.as_ref().and_then(cbor::Value::as_int) != Some(-8) {
        return Err(CoseError::Header(format!(
            "alg must be EdDSA (-8), found {}",
            alg.map_or_else(|| "none".to_string(), |v| v.to_string())
        )));
    }
    if content_type.as_ref().and_then(cbor::Value::as_text) != Some(PAYLOAD_CONTENT_TYPE) {
        return Err(CoseError::Header(format!(
            "content type must be {PAYLOAD_CONTENT_TYPE:?}, found {}",
            content_type.map_or_else(|| "none".to_string(), |v| v.to_string())
        )));
    }
    if other_known {
        return Err(CoseError::Header(
            "only alg, content type and x5chain are allowed".into(),
        ));
    }
    if let Some(label) = unexpected {
        return Err(CoseError::Header(format!(
            "unexpected header parameter {label}"
        )));
    }
    chain_from(x5chain.ok_or_else(|| CoseError::Header("x5chain (33) is missing".into()))?)
}

fn chain_from(v: cbor::Value) -> Result<Vec<Vec<u8>>, CoseError> {
    let chain = match v {
        cbor::Value::Bytes(b) => vec![b],
        cbor::Value::Array(a) => {
            // RFC 9360: an array holds at least two certificates; one is sent as a plain bstr.
            if a.len() < 2 {
                return Err(CoseError::Header(
                    "x5chain array must hold two or more certificates".into(),
                ));
            }
            a.into_iter()
                .map(|e| match e {
                    cbor::Value::Bytes(b) => Ok(b),
                    _ => Err(CoseError::Header(
                        "x5chain entries must be byte strings".into(),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => {
            return Err(CoseError::Header(
                "x5chain must be a byte string or an array of them".into(),
            ));
        }
    };
    if chain.len() > MAX_X5CHAIN {
        return Err(CoseError::Header(format!(
            "x5chain holds {} certificates, over the limit X5CHAIN_LENGTH of {MAX_X5CHAIN}",
            chain.len()
        )));
    }
    Ok(chain)
}

impl Sign1 {
    /// The Sig_structure `["Signature1", protected, h'', payload]` that was signed.
    pub fn to_be_signed(&self) -> Vec<u8> {
        self.signed().to_vec()
    }

    /// The Sig_structure that was signed, in its parts (the batch hashes it without
    /// assembling it).
    pub fn signed(&self) -> signature::Signed<'_> {
        signature::Signed::Sign1 {
            protected: &self.protected,
            payload: &self.payload,
        }
    }

    /// Check the signature with the issuer's key.
    pub fn verify(&self, key: &VerifyingKey) -> Result<SignatureChecked, SignatureError> {
        signature::verify_with_key(key, &self.to_be_signed(), &self.signature)
    }
}

/// Why bytes are not a certificate: the message, or its payload.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CertificateError {
    /// Not a COSE_Sign1 message in the catchcert profile.
    #[error("not a valid certificate message: {0}")]
    Message(#[from] CoseError),
    /// The message is fine but its payload is not a valid payload.
    #[error("not a valid certificate payload: {0}")]
    Payload(#[from] catchcert_model::payload::PayloadError),
}

/// Decode a certificate message and its payload, without verifying anything.
pub fn decode_certificate(
    bytes: &[u8],
) -> Result<(Sign1, catchcert_model::Payload), CertificateError> {
    decode_certificate_as(bytes, CertId::of_cose(bytes))
}

/// [`decode_certificate`] for bytes whose id `id` (SHA-256) the caller has computed.
pub(crate) fn decode_certificate_as(
    bytes: &[u8],
    id: CertId,
) -> Result<(Sign1, catchcert_model::Payload), CertificateError> {
    let sign1 = decode_as(bytes, id)?;
    let payload = catchcert_model::Payload::from_cbor(&sign1.payload)?;
    Ok((sign1, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Sig_structure given in parts is, byte for byte, what coset assembles, for every
    /// length form of a CBOR byte string (1 to 9 bytes of head).
    #[test]
    fn signed_parts_are_cosets_sig_structure() {
        let lengths = [0usize, 1, 23, 24, 255, 256, 65_535, 65_536, 70_000];
        for &p in &lengths {
            for &n in &lengths {
                let protected: Vec<u8> = (0..p).map(|i| i as u8).collect();
                let payload: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
                let expected = coset::sig_structure_data(
                    coset::SignatureContext::CoseSign1,
                    coset::ProtectedHeader {
                        original_data: Some(protected.clone()),
                        header: coset::Header::default(),
                    },
                    None,
                    b"",
                    &payload,
                );
                let sign1 = Sign1 {
                    id: CertId::of_cose(&[]),
                    protected,
                    x5chain: Vec::new(),
                    payload,
                    signature: vec![0; 64],
                };
                assert_eq!(sign1.to_be_signed(), expected, "protected {p}, payload {n}");
                let mut fed = Vec::new();
                sign1.signed().feed(|part| fed.extend_from_slice(part));
                assert_eq!(fed, expected, "protected {p}, payload {n}");
            }
        }
    }
}

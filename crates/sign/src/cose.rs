//! COSE_Sign1 signing (RFC 9052) with EdDSA (-8) over Ed25519.
//!
//! The protected header carries exactly: `1` (alg) = -8, `3` (content type) =
//! [`CONTENT_TYPE`], and `33` (x5chain, RFC 9360) = the issuer's DER certificate as a
//! byte string, or an array of byte strings (leaf first) when intermediates are included.
//! The unprotected header is empty; the payload is embedded; the message is tagged (18).

use catchcert_model::Payload;
use coset::{CborSerializable, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use ed25519_dalek::{Signer, SigningKey};

pub use catchcert_model::{PAYLOAD_CONTENT_TYPE as CONTENT_TYPE, X5CHAIN_LABEL as X5CHAIN};

/// Why a certificate could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The chain is empty.
    #[error("the issuer certificate chain is empty")]
    EmptyChain,
    /// COSE encoding failed.
    #[error("COSE encoding failed: {0}")]
    Cose(String),
}

/// Sign a payload: returns the complete tagged COSE_Sign1 bytes. `chain` is DER, the
/// issuer's own certificate first, then any intermediates (never the root).
pub fn sign_payload(
    payload: &Payload,
    key: &SigningKey,
    chain: &[Vec<u8>],
) -> Result<Vec<u8>, SignError> {
    sign_bytes(&payload.to_cbor(), key, chain)
}

/// Sign arbitrary payload bytes (used by tests and fixtures that need malformed payloads).
pub fn sign_bytes(
    payload: &[u8],
    key: &SigningKey,
    chain: &[Vec<u8>],
) -> Result<Vec<u8>, SignError> {
    let x5chain = match chain {
        [] => return Err(SignError::EmptyChain),
        [one] => ciborium::Value::Bytes(one.clone()),
        many => ciborium::Value::Array(many.iter().cloned().map(ciborium::Value::Bytes).collect()),
    };
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .content_type(CONTENT_TYPE.to_string())
        .value(X5CHAIN, x5chain)
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload.to_vec())
        .create_signature(b"", |tbs| key.sign(tbs).to_bytes().to_vec())
        .build();
    sign1
        .to_tagged_vec()
        .map_err(|e| SignError::Cose(e.to_string()))
}

/// Re-encode an untagged Sign1 (for tests that need to alter a message's structure).
pub fn untagged(bytes: &[u8]) -> Result<Vec<u8>, SignError> {
    let s =
        coset::CoseSign1::from_tagged_slice(bytes).map_err(|e| SignError::Cose(e.to_string()))?;
    s.to_vec().map_err(|e| SignError::Cose(e.to_string()))
}

//! Ed25519 signature checks: the one verify path the project uses, for COSE messages and
//! X.509 issuer certificates alike.
//!
//! It is `ed25519_dalek::VerifyingKey::verify_strict`, which rejects non-canonical point
//! encodings, small-order public keys and R values, and scalars `s ≥ L`. Plain `verify`
//! accepts some of these; a signature scheme where one message may carry several valid
//! signatures (malleability) or where a weak key verifies forged messages has no place
//! in an evidence chain. The shared test vectors pin exactly which edge cases this path
//! accepts (see `tests/ed25519_vectors.rs`).

use ed25519_dalek::{Signature, VerifyingKey};

/// Why a signature does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not 32 bytes or not a valid curve point.
    #[error("the public key is not a valid Ed25519 key")]
    BadKey,
    /// The signature is not 64 bytes.
    #[error("the signature is {0} bytes, not 64")]
    BadLength(usize),
    /// The signature does not verify under strict rules.
    #[error("the Ed25519 signature does not verify")]
    Invalid,
}

/// Proof that a signature was checked: only this module can make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureChecked(());

/// Verify an Ed25519 signature strictly.
pub fn verify_ed25519(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureChecked, SignatureError> {
    let key_bytes: [u8; 32] = public_key.try_into().map_err(|_| SignatureError::BadKey)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| SignatureError::BadKey)?;
    verify_with_key(&key, message, signature)
}

/// Verify with an already decoded key.
pub fn verify_with_key(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureChecked, SignatureError> {
    let sig =
        Signature::from_slice(signature).map_err(|_| SignatureError::BadLength(signature.len()))?;
    key.verify_strict(message, &sig)
        .map(|()| SignatureChecked(()))
        .map_err(|_| SignatureError::Invalid)
}

//! Ed25519 keys as PKCS#8 (private) and SPKI (public) PEM.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// Why a key could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The PEM is not an Ed25519 PKCS#8 private key.
    #[error("not an Ed25519 PKCS#8 private key in PEM (\"BEGIN PRIVATE KEY\"): {0}")]
    Private(String),
    /// The PEM is not an Ed25519 SPKI public key.
    #[error("not an Ed25519 public key in PEM (\"BEGIN PUBLIC KEY\") nor a private key: {0}")]
    Public(String),
    /// Encoding failed (should not happen for a valid key).
    #[error("could not encode the key: {0}")]
    Encode(String),
}

/// A fresh signing key from the operating system's random source.
pub fn generate() -> SigningKey {
    SigningKey::generate(&mut rand_core::OsRng)
}

/// PKCS#8 PEM of a private key.
pub fn private_pem(key: &SigningKey) -> Result<String, KeyError> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|z| z.to_string())
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// SPKI PEM of a public key.
pub fn public_pem(key: &VerifyingKey) -> Result<String, KeyError> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// Read a PKCS#8 PEM private key.
pub fn read_private(pem: &str) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| KeyError::Private(e.to_string()))
}

/// Read a public key from SPKI PEM, or derive it from a PKCS#8 PEM private key.
pub fn read_public_or_private(pem: &str) -> Result<VerifyingKey, KeyError> {
    if pem.contains("PRIVATE KEY") {
        return read_private(pem).map(|k| k.verifying_key());
    }
    VerifyingKey::from_public_key_pem(pem.trim()).map_err(|e| KeyError::Public(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip() {
        let k = generate();
        let pem = private_pem(&k).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = read_private(&pem).unwrap();
        assert_eq!(back.to_bytes(), k.to_bytes());
        let pubpem = public_pem(&k.verifying_key()).unwrap();
        assert_eq!(read_public_or_private(&pubpem).unwrap(), k.verifying_key());
        assert_eq!(read_public_or_private(&pem).unwrap(), k.verifying_key());
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert!(matches!(read_private("hello"), Err(KeyError::Private(_))));
        assert!(matches!(
            read_public_or_private("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err(KeyError::Public(_))
        ));
    }
}

//! Ed25519 keys as PKCS#8 (private) and SPKI (public) PEM.
//!
//! Private keys are written in the PKCS#8 v1 form of RFC 8410 §7 (RFC 5208
//! `PrivateKeyInfo`, version 0, without the attached public key), which OpenSSL 3
//! (`openssl pkey`) and Python's `cryptography` read. Both that form and the RFC 5958 v2
//! form (`OneAsymmetricKey`, version 1, public key attached) are read.

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

/// The DER prefix of an Ed25519 PKCS#8 v1 private key (RFC 8410 §7): `SEQUENCE (46)
/// { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING (34) { OCTET STRING (32) … } }`;
/// the 32-byte seed follows.
pub const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// PKCS#8 v1 PEM (RFC 8410 §7, no attached public key) of a private key.
pub fn private_pem(key: &SigningKey) -> Result<String, KeyError> {
    let mut der = PKCS8_V1_PREFIX.to_vec();
    der.extend_from_slice(&key.to_bytes());
    let text = pem::encode_config(
        &pem::Pem::new("PRIVATE KEY", der.clone()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    );
    der.fill(0);
    Ok(text)
}

/// PKCS#8 v2 PEM (RFC 5958 `OneAsymmetricKey` with the public key attached), the form
/// earlier versions wrote. Still read; kept for tests of that.
pub fn private_pem_v2(key: &SigningKey) -> Result<String, KeyError> {
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
    fn writes_v1_and_reads_v1_and_v2() {
        let k = generate();
        let pem_text = private_pem(&k).unwrap();
        let der = pem::parse(&pem_text).unwrap().into_contents();
        assert_eq!(der.len(), 48, "v1: no attached public key");
        assert_eq!(der[..16], PKCS8_V1_PREFIX);
        assert_eq!(der[16..], k.to_bytes());
        assert!(!pem_text.contains('\r'));
        let v2 = private_pem_v2(&k).unwrap();
        let v2_der = pem::parse(&v2).unwrap().into_contents();
        assert_eq!(v2_der[4], 1, "v2 has version 1: {}", hex::encode(&v2_der));
        assert!(v2_der.len() > 48);
        for text in [&pem_text, &v2] {
            assert_eq!(read_private(text).unwrap().to_bytes(), k.to_bytes());
            assert_eq!(read_public_or_private(text).unwrap(), k.verifying_key());
        }
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

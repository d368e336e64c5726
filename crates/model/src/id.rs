//! Certificate ids: `sha256:<64 lowercase hex>` of the complete COSE_Sign1 message as stored
//! (CBOR tag 18 included).

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The id of a certificate: the SHA-256 digest of its complete COSE_Sign1 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertId(pub [u8; 32]);

/// Why a string is not a certificate id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a certificate id (expected `sha256:` and 64 lowercase hex digits): {0:?}")]
pub struct IdParseError(pub String);

impl CertId {
    /// The id of a certificate given its complete COSE_Sign1 bytes (tag 18 included).
    pub fn of_cose(bytes: &[u8]) -> Self {
        CertId(Sha256::digest(bytes).into())
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Build from a 32-byte slice (as carried in CBOR payloads).
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(CertId)
    }

    /// The 64 lowercase hex digits without the `sha256:` prefix.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", hex::encode(self.0))
    }
}

impl fmt::Debug for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for CertId {
    type Err = IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdParseError(s.chars().take(80).collect());
        let hex_part = s.strip_prefix("sha256:").ok_or_else(err)?;
        if hex_part.len() != 64
            || !hex_part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(err());
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex_part, &mut out).map_err(|_| err())?;
        Ok(CertId(out))
    }
}

impl serde::Serialize for CertId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CertId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_sha256_of_bytes_and_round_trips() {
        // SHA-256("abc") from FIPS 180-2 appendix B.1.
        let id = CertId::of_cose(b"abc");
        let s = id.to_string();
        assert_eq!(
            s,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(s.parse::<CertId>().unwrap(), id);
    }

    #[test]
    fn rejects_uppercase_short_and_unprefixed() {
        let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(good.parse::<CertId>().is_err());
        assert!(
            format!("sha256:{}", good.to_uppercase())
                .parse::<CertId>()
                .is_err()
        );
        assert!(format!("sha256:{}", &good[1..]).parse::<CertId>().is_err());
        assert!(format!("sha512:{good}").parse::<CertId>().is_err());
        assert!(format!("sha256:{good}0").parse::<CertId>().is_err());
    }
}

//! Keyring files (TOML; docs/batch.md): signer names and GS1 party ids → key file, issuer
//! certificate and chain. Paths are as written (the CLI resolves them against the keyring's
//! directory).
//!
//! ```toml
//! [signers.fisher]
//! key = "fisher.key"
//! cert = "fisher.pem"
//! chain = "intermediates.pem"      # optional
//! parties = ["urn:gdst:example.org:party:fisherman01.1u"]   # optional GS1 party ids (PGLN)
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

/// One signer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// PKCS#8 PEM private key file.
    pub key: String,
    /// Issuer certificate (PEM).
    pub cert: String,
    /// Intermediate CA certificates (PEM), optional.
    #[serde(default)]
    pub chain: Option<String>,
    /// GS1 party ids (PGLN URIs or GLNs) this signer signs for.
    #[serde(default)]
    pub parties: Vec<String>,
}

/// A keyring.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Keyring {
    /// Signers by name.
    pub signers: BTreeMap<String, Signer>,
}

/// Why a keyring cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// TOML syntax or an unknown field.
    #[error("{0}")]
    Toml(String),
    /// The same party under two signers.
    #[error("party {party:?} is listed under both {a:?} and {b:?}")]
    DuplicateParty {
        /// The party id.
        party: String,
        /// First signer.
        a: String,
        /// Second signer.
        b: String,
    },
}

impl Keyring {
    /// Parse keyring text.
    pub fn parse(text: &str) -> Result<Keyring, KeyringError> {
        let k: Keyring = toml::from_str(text).map_err(|e| KeyringError::Toml(e.to_string()))?;
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, s) in &k.signers {
            for p in &s.parties {
                if let Some(prev) = seen.insert(p, name) {
                    return Err(KeyringError::DuplicateParty {
                        party: p.clone(),
                        a: prev.to_string(),
                        b: name.clone(),
                    });
                }
            }
        }
        Ok(k)
    }

    /// The signer name for a GS1 party id.
    pub fn by_party(&self, party: &str) -> Option<&str> {
        self.signers
            .iter()
            .find(|(_, s)| s.parties.iter().any(|p| p == party))
            .map(|(n, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds_parties() {
        let k = Keyring::parse(
            "[signers.fisher]\nkey = \"f.key\"\ncert = \"f.pem\"\nparties = [\"urn:p:1\"]\n",
        )
        .unwrap();
        assert_eq!(k.by_party("urn:p:1"), Some("fisher"));
        assert!(Keyring::parse("[signers.x]\nkey=\"a\"\ncert=\"b\"\nbogus=1\n").is_err());
    }
}

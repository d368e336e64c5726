//! PEM texts holding X.509 certificates (trust roots, issuer certificates, chains).

/// Largest PEM text accepted (a chain of a few certificates is a few KiB).
pub const MAX_PEM_LEN: usize = 1 << 20;

/// Every CERTIFICATE block of a PEM text as DER, in order. Any other block type is an
/// error, and so is a text without any block or over [`MAX_PEM_LEN`]. The error is a
/// sentence for people.
pub fn certificates(text: &str) -> Result<Vec<Vec<u8>>, String> {
    if text.len() > MAX_PEM_LEN {
        return Err(format!("over {MAX_PEM_LEN} bytes"));
    }
    let blocks = pem::parse_many(text).map_err(|e| e.to_string())?;
    if blocks.is_empty() {
        return Err("no \"BEGIN CERTIFICATE\" block".into());
    }
    blocks
        .into_iter()
        .map(|b| {
            if b.tag() == "CERTIFICATE" {
                Ok(b.into_contents())
            } else {
                Err(format!(
                    "unexpected PEM block {:?}; expected CERTIFICATE",
                    b.tag()
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_in_order_and_refuses_others() {
        let two = "-----BEGIN CERTIFICATE-----\nAQI=\n-----END CERTIFICATE-----\n\
                   -----BEGIN CERTIFICATE-----\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(certificates(two).unwrap(), vec![vec![1, 2], vec![3]]);
        let key = "-----BEGIN PRIVATE KEY-----\nAQI=\n-----END PRIVATE KEY-----\n";
        assert!(certificates(key).unwrap_err().contains("PRIVATE KEY"));
        assert!(certificates("nothing here").unwrap_err().contains("no"));
        assert!(certificates(&"x".repeat(MAX_PEM_LEN + 1)).is_err());
    }
}

//! The one rendering of an X.509 distinguished name for people: `CN=…,O=…`.
//!
//! RFC 4514 short names for CN, O, OU, C, L and ST, the dotted OID otherwise; `,` and `\`
//! escaped with `\`; control characters replaced by `?`; a value that is not a string
//! shown as `#` and its hex; an empty name as `(empty name)`; at most
//! [`MAX_RENDERED_CHARS`] characters (longer names end in `…`).
//!
//! This crate parses no X.509: the issuer PKI (`catchcert-sign`) and the path validator
//! (`catchcert-verify`) both parse with x509-parser and hand the attributes here, so a
//! subject reads the same in `catchcert pki`, in verdicts and on the server.

/// Longest rendered name, in characters.
pub const MAX_RENDERED_CHARS: usize = 256;

/// One attribute of a name, in order: its type as a dotted OID, and its value as text
/// (`Ok`) or, when it is not a string type, its raw bytes (`Err`).
pub type Attribute<'a> = (String, Result<&'a str, &'a [u8]>);

/// Render a name from its attributes, in order.
pub fn render<'a>(attributes: impl IntoIterator<Item = Attribute<'a>>) -> String {
    let mut parts = Vec::new();
    for (oid, value) in attributes {
        let key = match oid.as_str() {
            "2.5.4.3" => "CN".to_string(),
            "2.5.4.10" => "O".to_string(),
            "2.5.4.11" => "OU".to_string(),
            "2.5.4.6" => "C".to_string(),
            "2.5.4.7" => "L".to_string(),
            "2.5.4.8" => "ST".to_string(),
            _ => oid,
        };
        let value = match value {
            Ok(s) => s
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .fold(String::new(), |mut acc, c| {
                    if c == ',' || c == '\\' {
                        acc.push('\\');
                    }
                    acc.push(c);
                    acc
                }),
            Err(bytes) => format!("#{}", hex::encode(bytes)),
        };
        parts.push(format!("{key}={value}"));
    }
    let s = if parts.is_empty() {
        "(empty name)".to_string()
    } else {
        parts.join(",")
    };
    if s.chars().count() > MAX_RENDERED_CHARS {
        let mut t: String = s.chars().take(MAX_RENDERED_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(oid: &str, v: &'static str) -> Attribute<'static> {
        (oid.to_string(), Ok(v))
    }

    #[test]
    fn short_names_escapes_and_control_characters() {
        let s = render([
            attr("2.5.4.3", "Trader A"),
            attr("2.5.4.10", "Acme, Inc. \\ Co"),
            attr("2.5.4.6", "IS"),
            attr("1.2.3.4", "x\ny"),
        ]);
        assert_eq!(s, "CN=Trader A,O=Acme\\, Inc. \\\\ Co,C=IS,1.2.3.4=x?y");
    }

    #[test]
    fn binary_values_empty_names_and_long_names() {
        assert_eq!(
            render([("2.5.4.3".to_string(), Err(&[0xde, 0xad][..]))]),
            "CN=#dead"
        );
        assert_eq!(render([]), "(empty name)");
        let long = "a".repeat(400);
        let s = render([("2.5.4.3".to_string(), Ok(long.as_str()))]);
        assert_eq!(s.chars().count(), MAX_RENDERED_CHARS);
        assert!(s.starts_with("CN=aaa") && s.ends_with('…'), "{s}");
    }
}

//! EPC URNs → canonical GS1 Digital Link URIs (`https://id.gs1.org/…`), as the CBV 2.0 event
//! hash requires for identifiers (EPCs, class-level ids, locations, parties).
//!
//! Covered schemes: `sgtin`, `sscc`, `sgln`, `pgln`, `grai`, `giai` (instance level),
//! `lgtin` and `idpat:sgtin` (class level). Anything else is returned unchanged by
//! [`canonical`].

/// The GS1 mod-10 check digit of a string of digits.
fn check_digit(digits: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    char::from_digit((10 - sum % 10) % 10, 10)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// GTIN-14 from an EPC company prefix and indicator/item reference.
fn gtin(cp: &str, ir: &str) -> Option<String> {
    if !all_digits(cp) || !all_digits(ir) || cp.len() + ir.len() != 13 {
        return None;
    }
    let body = format!("{}{cp}{}", &ir[..1], &ir[1..]);
    Some(format!("{body}{}", check_digit(&body)?))
}

/// GLN-13 from company prefix and location reference.
fn gln(cp: &str, loc: &str) -> Option<String> {
    if !all_digits(cp) || (!loc.is_empty() && !all_digits(loc)) || cp.len() + loc.len() != 12 {
        return None;
    }
    let body = format!("{cp}{loc}");
    Some(format!("{body}{}", check_digit(&body)?))
}

/// Percent-encode the characters of GS1 AI values that are not allowed unencoded in a path.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '-'
            | '.'
            | '_'
            | '~'
            | '\''
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | ':'
            | ';'
            | '='
            | '!' => out.push(c),
            other => {
                let mut b = [0u8; 4];
                for byte in other.encode_utf8(&mut b).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out
}

/// Undo the URN escapes of EPC serials (`%2F` etc.) before re-encoding.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

const DL: &str = "https://id.gs1.org";

/// The Digital Link form of an EPC URN, or `None` when `s` is not a convertible EPC URN.
pub fn to_digital_link(s: &str) -> Option<String> {
    let parts: Vec<&str> = if let Some(r) = s.strip_prefix("urn:epc:id:sgtin:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, ir, ser] = p.as_slice() else {
            return None;
        };
        return Some(format!(
            "{DL}/01/{}/21/{}",
            gtin(cp, ir)?,
            enc(&unescape(ser))
        ));
    } else if let Some(r) = s.strip_prefix("urn:epc:class:lgtin:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, ir, lot] = p.as_slice() else {
            return None;
        };
        return Some(format!(
            "{DL}/01/{}/10/{}",
            gtin(cp, ir)?,
            enc(&unescape(lot))
        ));
    } else if let Some(r) = s.strip_prefix("urn:epc:idpat:sgtin:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, ir, "*"] = p.as_slice() else {
            return None;
        };
        return Some(format!("{DL}/01/{}", gtin(cp, ir)?));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:sscc:") {
        let p: Vec<&str> = r.splitn(2, '.').collect();
        let [cp, ser] = p.as_slice() else {
            return None;
        };
        if !all_digits(cp) || !all_digits(ser) || cp.len() + ser.len() != 17 {
            return None;
        }
        let body = format!("{}{cp}{}", &ser[..1], &ser[1..]);
        return Some(format!("{DL}/00/{body}{}", check_digit(&body)?));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:sgln:") {
        r.splitn(3, '.').collect()
    } else if let Some(r) = s.strip_prefix("urn:epc:id:pgln:") {
        let p: Vec<&str> = r.splitn(2, '.').collect();
        let [cp, loc] = p.as_slice() else {
            return None;
        };
        return Some(format!("{DL}/417/{}", gln(cp, loc)?));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:grai:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, at, ser] = p.as_slice() else {
            return None;
        };
        let g = gln(cp, at)?;
        return Some(format!("{DL}/8003/0{g}{}", enc(&unescape(ser))));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:giai:") {
        let p: Vec<&str> = r.splitn(2, '.').collect();
        let [cp, ar] = p.as_slice() else {
            return None;
        };
        if !all_digits(cp) {
            return None;
        }
        return Some(format!("{DL}/8004/{cp}{}", enc(&unescape(ar))));
    } else {
        return None;
    };
    // sgln
    let [cp, loc, ext] = parts.as_slice() else {
        return None;
    };
    let g = gln(cp, loc)?;
    if *ext == "0" || ext.is_empty() {
        Some(format!("{DL}/414/{g}"))
    } else {
        Some(format!("{DL}/414/{g}/254/{}", enc(&unescape(ext))))
    }
}

/// `s` in its canonical form: the Digital Link form of an EPC URN, otherwise `s` unchanged.
pub fn canonical(s: &str) -> String {
    to_digital_link(s).unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_examples() {
        assert_eq!(
            canonical("urn:epc:id:sgtin:0614141.107346.2017"),
            "https://id.gs1.org/01/10614141073464/21/2017"
        );
        assert_eq!(
            canonical("urn:epc:id:sgln:0614141.07346.1234"),
            "https://id.gs1.org/414/0614141073467/254/1234"
        );
        assert_eq!(
            canonical("urn:epc:class:lgtin:4012345.012345.998877"),
            "https://id.gs1.org/01/04012345123456/10/998877"
        );
        assert_eq!(
            canonical("urn:epc:id:sscc:0614141.1234567890"),
            "https://id.gs1.org/00/106141412345678908"
        );
        assert_eq!(
            canonical("urn:epc:idpat:sgtin:4012345.098765.*"),
            "https://id.gs1.org/01/04012345987652"
        );
        assert_eq!(
            canonical("urn:epc:id:sgln:0012345.11111.0"),
            "https://id.gs1.org/414/0012345111112"
        );
        assert_eq!(
            canonical("urn:gdst:example.org:party:x"),
            "urn:gdst:example.org:party:x"
        );
    }
}

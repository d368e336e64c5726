//! EPC URNs → canonical GS1 Digital Link URIs (`https://id.gs1.org/…`), as the CBV 2.0 event
//! hash requires for identifiers (EPCs, class-level ids, locations, parties).
//!
//! Covered schemes: `sgtin`, `sscc`, `sgln`, `pgln`, `grai`, `giai`, `gsrn`, `gsrnp`, `gsin`,
//! `gdti`, `sgcn`, `ginc` (instance level),
//! `lgtin` and `idpat:sgtin` (class level). Anything else is returned unchanged by
//! [`canonical`], except GS1 Digital Link URIs on another host, which are rebased onto
//! `id.gs1.org` ([`rebase_digital_link`]).

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

/// A key of `n` digits before its check digit, from `CP.REF` (GSRN, GSRN-P, GSIN).
fn digits_key(r: &str, n: usize, ai: &str) -> Option<String> {
    let (cp, rf) = r.split_once('.')?;
    if !all_digits(cp) || !all_digits(rf) || cp.len() + rf.len() != n {
        return None;
    }
    let body = format!("{cp}{rf}");
    Some(format!("{DL}/{ai}/{body}{}", check_digit(&body)?))
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
    } else if let Some(r) = s.strip_prefix("urn:epc:id:gsrn:") {
        return digits_key(r, 17, "8018");
    } else if let Some(r) = s.strip_prefix("urn:epc:id:gsrnp:") {
        return digits_key(r, 17, "8017");
    } else if let Some(r) = s.strip_prefix("urn:epc:id:gsin:") {
        return digits_key(r, 16, "402");
    } else if let Some(r) = s.strip_prefix("urn:epc:id:gdti:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, dt, ser] = p.as_slice() else {
            return None;
        };
        let g = gln(cp, dt)?;
        return Some(format!("{DL}/253/{g}{}", enc(&unescape(ser))));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:sgcn:") {
        let p: Vec<&str> = r.splitn(3, '.').collect();
        let [cp, cr, ser] = p.as_slice() else {
            return None;
        };
        if !all_digits(ser) {
            return None;
        }
        return Some(format!("{DL}/255/{}{ser}", gln(cp, cr)?));
    } else if let Some(r) = s.strip_prefix("urn:epc:id:ginc:") {
        let (cp, rf) = r.split_once('.')?;
        if !all_digits(cp) {
            return None;
        }
        return Some(format!("{DL}/401/{cp}{}", enc(&unescape(rf))));
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

/// `s` in its canonical form: the Digital Link form of an EPC URN, a GS1 Digital Link URI on
/// any domain rebased onto `https://id.gs1.org` (see [`rebase_digital_link`]), otherwise `s`
/// unchanged.
pub fn canonical(s: &str) -> String {
    to_digital_link(s)
        .or_else(|| rebase_digital_link(s))
        .unwrap_or_else(|| s.to_string())
}

/// Primary-key path segments of a GS1 Digital Link URI: the AI, and its short name.
const DL_KEYS: [(&str, &str); 14] = [
    ("01", "gtin"),
    ("8006", "itip"),
    ("8010", "cpid"),
    ("414", "gln"),
    ("417", "party"),
    ("8017", "gsrnp"),
    ("8018", "gsrn"),
    ("255", "gcn"),
    ("00", "sscc"),
    ("253", "gdti"),
    ("401", "ginc"),
    ("402", "gsin"),
    ("8003", "grai"),
    ("8004", "giai"),
];

/// Key qualifiers by short name.
const DL_QUALIFIERS: [(&str, &str); 3] = [("22", "cpv"), ("10", "lot"), ("21", "ser")];

/// A character the reference allows in a Digital Link value (a subset of GS1 character
/// set 82: `" ' - . 0-9 ; < = > ? A-Z _ a-z`).
fn dl_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "\"'-.;<=>?_".contains(c)
}

/// A GS1 Digital Link URI on any host (`https://example.org/01/…/21/…`) in the canonical
/// form the CBV 2.0 event hash uses, as GS1's reference implementation computes it: the
/// host replaced by `id.gs1.org`, short key names by their AIs, the query and fragment
/// dropped, a GTIN padded to 14 digits, the consumer product variant (AI 22) removed, and
/// only the finest identification level kept (a lot is dropped when a serial is present).
/// `None` when `s` is not such a URI or the result is not a valid canonical form.
pub fn rebase_digital_link(s: &str) -> Option<String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (_, path) = rest.split_once('/')?;
    let segs: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    // The first segment that names a primary key and is followed by a value starting with
    // four digits (the reference's rule).
    let start = segs.windows(2).position(|w| {
        DL_KEYS.iter().any(|(ai, n)| w[0] == *ai || w[0] == *n)
            && w[1].len() >= 4
            && w[1].bytes().take(4).all(|b| b.is_ascii_digit())
    })?;
    let segs = &segs[start..];
    let ai = |x: &str| -> String {
        DL_KEYS
            .iter()
            .chain(DL_QUALIFIERS.iter())
            .find(|(a, n)| x == *a || x == *n)
            .map_or(x.to_string(), |(a, _)| a.to_string())
    };
    let key = ai(segs[0]);
    let mut value = segs[1].to_string();
    if key == "01" && value.bytes().all(|b| b.is_ascii_digit()) {
        value = match value.len() {
            14 => value,
            13 | 12 | 8 => format!("{value:0>14}"),
            _ => return None,
        };
    }
    let mut quals: Vec<(String, String)> = Vec::new();
    for pair in segs[2..].chunks(2) {
        let [q, v] = pair else { return None };
        quals.push((ai(q), (*v).to_string()));
    }
    quals.retain(|(q, _)| q != "22");
    if quals.iter().any(|(q, _)| q == "21") {
        quals.retain(|(q, _)| q != "10");
    }
    let digits = |v: &str, n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_digit());
    let text = |v: &str, max: usize| v.chars().count() <= max && v.chars().all(dl_char);
    let qual_ok = |allowed: &[(&str, usize)]| {
        quals.len() <= 1
            && quals
                .iter()
                .all(|(q, v)| allowed.iter().any(|(a, m)| q == a && text(v, *m)))
    };
    let ok = match key.as_str() {
        "00" => digits(&value, 18) && quals.is_empty(),
        "01" => digits(&value, 14) && qual_ok(&[("21", 20), ("10", 20), ("235", 28)]),
        "8006" => digits(&value, 18) && qual_ok(&[("21", 20), ("10", 20)]),
        "253" => {
            value.get(..13).is_some_and(|k| digits(k, 13))
                && value.get(13..).is_some_and(|r| text(r, 17))
                && quals.is_empty()
        }
        "255" => {
            value.len() >= 13 && value.len() <= 25 && value.bytes().all(|b| b.is_ascii_digit())
        }
        "401" | "8004" => text(&value, 30) && quals.is_empty(),
        "402" => digits(&value, 17) && quals.is_empty(),
        "414" => digits(&value, 13) && qual_ok(&[("254", 20)]),
        "417" => digits(&value, 13) && quals.is_empty(),
        "8003" => {
            value.get(..14).is_some_and(|k| digits(k, 14))
                && value.get(14..).is_some_and(|r| text(r, 16))
                && quals.is_empty()
        }
        "8017" | "8018" => digits(&value, 18) && quals.is_empty(),
        _ => false,
    };
    if !ok {
        return None;
    }
    let mut out = format!("{DL}/{key}/{value}");
    for (q, v) in quals {
        out.push_str(&format!("/{q}/{v}"));
    }
    Some(out)
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
            canonical("https://example.org/8004/401234599999"),
            "https://id.gs1.org/8004/401234599999"
        );
        assert_eq!(
            canonical("https://example.com/gtin/614141073464/cpv/2A/lot/L1/ser/7?x=1"),
            "https://id.gs1.org/01/00614141073464/21/7"
        );
        assert_eq!(
            canonical("https://example.com/253/4012345000054987"),
            "https://id.gs1.org/253/4012345000054987"
        );
        // Never panics on odd input (multi-byte characters where a key ends).
        for odd in [
            "https://e.x/253/401234500005é4987",
            "https://e.x/8003/0401234500005éé",
            "https://e.x/01/1234",
            "http://",
            "https://e.x/01/",
        ] {
            let _ = canonical(odd);
        }
        assert_eq!(
            canonical("https://example.com/not/a/link"),
            "https://example.com/not/a/link"
        );
        assert_eq!(
            canonical("urn:gdst:example.org:party:x"),
            "urn:gdst:example.org:party:x"
        );
    }
}

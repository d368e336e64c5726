//! The certificate decoder reads the COSE_Sign1 structure from its own deterministic CBOR
//! decoding. This checks it against a reference that parses the message with coset (a
//! general COSE library) and applies the same profile — the decoder the project used
//! before: on tens of thousands of mutated demo certificates both must accept exactly the
//! same messages, with the same protected header, x5chain, payload and signature. Only the
//! kind of some rejections may differ (malformed protected-header CBOR is reported as
//! such; a known header parameter of the wrong type as a header error).

use catchcert_demo::{Programme, demo_chain};
use catchcert_model::cbor;
use catchcert_model::{MAX_CERTIFICATE_BYTES, PAYLOAD_CONTENT_TYPE, X5CHAIN_LABEL};
use catchcert_verify::cose::{self, CoseError, MAX_X5CHAIN};
use coset::{CoseSign1, TaggedCborSerializable, iana};

/// The parts of a decoded message: protected header bytes, x5chain, payload, signature.
type Parts = (Vec<u8>, Vec<Vec<u8>>, Vec<u8>, Vec<u8>);

/// The reference: the whole message deterministic CBOR, then coset's parse, then the
/// profile.
fn reference_decode(bytes: &[u8]) -> Result<Parts, CoseError> {
    if bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(CoseError::TooLarge(bytes.len()));
    }
    let limits = cbor::Limits {
        max_depth: 8,
        max_bytes: MAX_CERTIFICATE_BYTES,
        max_items: 1024,
    };
    cbor::from_slice(bytes, &limits)?;
    let msg =
        CoseSign1::from_tagged_slice(bytes).map_err(|e| CoseError::NotSign1(e.to_string()))?;
    if let Some(protected) = &msg.protected.original_data {
        cbor::from_slice(protected, &limits)?;
    }
    if !msg.unprotected.is_empty() {
        return Err(CoseError::Unprotected);
    }
    let x5chain = protected_header(&msg.protected.header)?;
    let protected = msg
        .protected
        .original_data
        .clone()
        .ok_or_else(|| CoseError::Header("protected header bytes missing".into()))?;
    let payload = msg.payload.clone().ok_or(CoseError::NoPayload)?;
    if msg.signature.len() != 64 {
        return Err(CoseError::SignatureLength(msg.signature.len()));
    }
    Ok((protected, x5chain, payload, msg.signature))
}

/// The profile's protected header as coset reads it: alg EdDSA, the catchcert content type,
/// x5chain and nothing else. Returns the x5chain.
fn protected_header(h: &coset::Header) -> Result<Vec<Vec<u8>>, CoseError> {
    if h.alg
        != Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA,
        ))
    {
        return Err(CoseError::Header(format!(
            "alg must be EdDSA (-8), found {:?}",
            h.alg
        )));
    }
    if h.content_type != Some(coset::ContentType::Text(PAYLOAD_CONTENT_TYPE.to_string())) {
        return Err(CoseError::Header(format!(
            "content type must be {PAYLOAD_CONTENT_TYPE:?}, found {:?}",
            h.content_type
        )));
    }
    if !h.crit.is_empty()
        || !h.key_id.is_empty()
        || !h.iv.is_empty()
        || !h.partial_iv.is_empty()
        || !h.counter_signatures.is_empty()
    {
        return Err(CoseError::Header(
            "only alg, content type and x5chain are allowed".into(),
        ));
    }
    let mut x5chain = None;
    for (label, value) in &h.rest {
        match label {
            coset::Label::Int(X5CHAIN_LABEL) => x5chain = Some(chain_from(value)?),
            other => {
                return Err(CoseError::Header(format!(
                    "unexpected header parameter {other:?}"
                )));
            }
        }
    }
    x5chain.ok_or_else(|| CoseError::Header("x5chain (33) is missing".into()))
}

fn chain_from(v: &ciborium::Value) -> Result<Vec<Vec<u8>>, CoseError> {
    let chain = match v {
        ciborium::Value::Bytes(b) => vec![b.clone()],
        ciborium::Value::Array(a) => a
            .iter()
            .map(|e| match e {
                ciborium::Value::Bytes(b) => Ok(b.clone()),
                _ => Err(CoseError::Header(
                    "x5chain entries must be byte strings".into(),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(CoseError::Header(
                "x5chain must be a byte string or an array of them".into(),
            ));
        }
    };
    // RFC 9360: an array holds at least two certificates; one is sent as a plain bstr.
    if chain.is_empty() || (chain.len() == 1 && matches!(v, ciborium::Value::Array(_))) {
        return Err(CoseError::Header(
            "x5chain array must hold two or more certificates".into(),
        ));
    }
    if chain.len() > MAX_X5CHAIN {
        return Err(CoseError::Header(format!(
            "x5chain holds {} certificates, over the limit X5CHAIN_LENGTH of {MAX_X5CHAIN}",
            chain.len()
        )));
    }
    Ok(chain)
}

/// A xorshift generator: the same cases on every run.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// One to three byte changes (replace, flip a bit, insert, remove) of `b`.
    fn mutate(&mut self, mut b: Vec<u8>) -> Vec<u8> {
        for _ in 0..1 + self.next() % 3 {
            let at = (self.next() as usize) % b.len().max(1);
            match self.next() % 4 {
                0 => b[at] = self.next() as u8,
                1 => b[at] ^= 1 << (self.next() % 8),
                2 => b.insert(at, self.next() as u8),
                _ if b.len() > 1 => {
                    b.remove(at);
                }
                _ => {}
            }
        }
        b
    }
}

#[test]
fn the_decoder_accepts_exactly_what_the_coset_reference_accepts() {
    let p = Programme::new().expect("programme");
    let certs = demo_chain(&p).expect("demo chain").bytes();
    let mut cases = Cases(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..20_000 {
        let bytes = cases.mutate(certs[i % certs.len()].clone());
        match (reference_decode(&bytes), cose::decode(&bytes)) {
            (Ok(expected), Ok(s)) => {
                assert_eq!(
                    (s.protected, s.x5chain, s.payload, s.signature),
                    expected,
                    "case {i}"
                );
                accepted += 1;
            }
            (Err(_), Err(_)) => rejected += 1,
            (expected, got) => panic!(
                "case {i}: the reference {} the message, the decoder {}: {:?} / {:?}",
                if expected.is_ok() {
                    "accepts"
                } else {
                    "rejects"
                },
                if got.is_ok() { "accepts" } else { "rejects" },
                expected.err(),
                got.err()
            ),
        }
    }
    // Both outcomes are well represented, so the comparison means something.
    assert!(
        accepted > 2_000 && rejected > 2_000,
        "{accepted} accepted, {rejected} rejected"
    );
    // The unmutated certificates decode alike.
    for c in &certs {
        let s = cose::decode(c).expect("demo certificate");
        assert_eq!(
            (s.protected, s.x5chain, s.payload, s.signature),
            reference_decode(c).expect("demo certificate")
        );
    }
}

/// A demo certificate taken apart: its four COSE_Sign1 parts as CBOR values, the protected
/// header decoded.
fn parts(cert: &[u8]) -> (Vec<(cbor::Value, cbor::Value)>, Vec<cbor::Value>) {
    let limits = cbor::Limits {
        max_depth: 8,
        max_bytes: MAX_CERTIFICATE_BYTES,
        max_items: 1024,
    };
    let Ok(cbor::Value::Tag(18, inner)) = cbor::from_slice(cert, &limits) else {
        panic!("a demo certificate is a tagged COSE_Sign1");
    };
    let cbor::Value::Array(parts) = *inner else {
        panic!("four parts");
    };
    let Some(cbor::Value::Bytes(protected)) = parts.first() else {
        panic!("protected header bytes");
    };
    let Ok(cbor::Value::Map(header)) = cbor::from_slice(protected, &limits) else {
        panic!("protected header map");
    };
    (header, parts)
}

/// The message with `header` as its protected header, `parts` (the other three) as given.
fn assemble(header: Option<&[(cbor::Value, cbor::Value)]>, mut parts: Vec<cbor::Value>) -> Vec<u8> {
    if let Some(h) = header {
        parts[0] = cbor::Value::Bytes(cbor::to_vec(&cbor::Value::Map(h.to_vec())));
    }
    cbor::to_vec(&cbor::Value::Tag(18, Box::new(cbor::Value::Array(parts))))
}

#[test]
fn structural_changes_get_the_references_answer() {
    use cbor::Value as V;
    let p = Programme::new().expect("programme");
    let cert = &demo_chain(&p).expect("demo chain").bytes()[0];
    let (header, parts) = parts(cert);
    let label = |l: i64| V::int(l);
    let with = |l: i64, v: V| -> Vec<(V, V)> {
        let mut h: Vec<(V, V)> = header
            .iter()
            .filter(|(k, _)| *k != label(l))
            .cloned()
            .collect();
        h.push((label(l), v));
        h
    };
    let without = |l: i64| -> Vec<(V, V)> {
        header
            .iter()
            .filter(|(k, _)| *k != label(l))
            .cloned()
            .collect()
    };
    let der = match header.iter().find(|(k, _)| *k == label(X5CHAIN_LABEL)) {
        Some((_, V::Bytes(b))) => b.clone(),
        Some((_, V::Array(a))) => match a.first() {
            Some(V::Bytes(b)) => b.clone(),
            _ => panic!("x5chain entries are byte strings"),
        },
        _ => panic!("x5chain"),
    };
    let part = |i: usize, v: V| -> Vec<V> {
        let mut p = parts.clone();
        p[i] = v;
        p
    };
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("unchanged", assemble(Some(&header), parts.clone())),
        (
            "alg as text",
            assemble(Some(&with(1, V::text("EdDSA"))), parts.clone()),
        ),
        (
            "alg ES256",
            assemble(Some(&with(1, V::int(-7))), parts.clone()),
        ),
        ("no alg", assemble(Some(&without(1)), parts.clone())),
        (
            "content type as an integer",
            assemble(Some(&with(3, V::int(60))), parts.clone()),
        ),
        (
            "other content type",
            assemble(Some(&with(3, V::text("application/cbor"))), parts.clone()),
        ),
        (
            "no content type",
            assemble(Some(&without(3)), parts.clone()),
        ),
        (
            "crit",
            assemble(Some(&with(2, V::Array(vec![V::int(1)]))), parts.clone()),
        ),
        (
            "kid",
            assemble(Some(&with(4, V::bytes(vec![1, 2]))), parts.clone()),
        ),
        (
            "kid as text",
            assemble(Some(&with(4, V::text("k"))), parts.clone()),
        ),
        (
            "IV",
            assemble(Some(&with(5, V::bytes(vec![0; 12]))), parts.clone()),
        ),
        (
            "partial IV",
            assemble(Some(&with(6, V::bytes(vec![0; 4]))), parts.clone()),
        ),
        (
            "counter signature",
            assemble(Some(&with(7, V::Array(vec![]))), parts.clone()),
        ),
        (
            "unknown label",
            assemble(Some(&with(99, V::int(1))), parts.clone()),
        ),
        ("text label", {
            let mut h = header.clone();
            h.push((V::text("x"), V::int(1)));
            assemble(Some(&h), parts.clone())
        }),
        (
            "no x5chain",
            assemble(Some(&without(X5CHAIN_LABEL)), parts.clone()),
        ),
        (
            "x5chain of one in an array",
            assemble(
                Some(&with(X5CHAIN_LABEL, V::Array(vec![V::bytes(der.clone())]))),
                parts.clone(),
            ),
        ),
        (
            "x5chain of two",
            assemble(
                Some(&with(
                    X5CHAIN_LABEL,
                    V::Array(vec![V::bytes(der.clone()), V::bytes(der.clone())]),
                )),
                parts.clone(),
            ),
        ),
        (
            "x5chain with a text entry",
            assemble(
                Some(&with(
                    X5CHAIN_LABEL,
                    V::Array(vec![V::bytes(der.clone()), V::text("x")]),
                )),
                parts.clone(),
            ),
        ),
        (
            "x5chain empty array",
            assemble(Some(&with(X5CHAIN_LABEL, V::Array(vec![]))), parts.clone()),
        ),
        (
            "x5chain as text",
            assemble(Some(&with(X5CHAIN_LABEL, V::text("x"))), parts.clone()),
        ),
        (
            "x5chain too long",
            assemble(
                Some(&with(
                    X5CHAIN_LABEL,
                    V::Array(vec![V::bytes(der.clone()); MAX_X5CHAIN + 1]),
                )),
                parts.clone(),
            ),
        ),
        (
            "empty protected header",
            assemble(None, part(0, V::bytes(Vec::<u8>::new()))),
        ),
        (
            "protected header an array",
            assemble(None, part(0, V::bytes(cbor::to_vec(&V::Array(vec![]))))),
        ),
        (
            "protected header not a byte string",
            assemble(None, part(0, V::Map(header.clone()))),
        ),
        (
            "unprotected header not empty",
            assemble(
                Some(&header),
                part(1, V::Map(vec![(V::int(4), V::bytes(vec![1]))])),
            ),
        ),
        (
            "unprotected header an array",
            assemble(Some(&header), part(1, V::Array(vec![]))),
        ),
        ("payload nil", assemble(Some(&header), part(2, V::Null))),
        (
            "payload text",
            assemble(Some(&header), part(2, V::text("x"))),
        ),
        (
            "signature of 63 bytes",
            assemble(Some(&header), part(3, V::bytes(vec![0; 63]))),
        ),
        (
            "signature text",
            assemble(Some(&header), part(3, V::text("x"))),
        ),
        ("three parts", assemble(Some(&header), parts[..3].to_vec())),
        (
            "five parts",
            assemble(Some(&header), [parts.clone(), vec![V::Null]].concat()),
        ),
    ];
    cases.push((
        "tag 98",
        cbor::to_vec(&V::Tag(98, Box::new(V::Array(parts.clone())))),
    ));
    cases.push(("untagged", cbor::to_vec(&V::Array(parts.clone()))));
    for (name, bytes) in &cases {
        match (reference_decode(bytes), cose::decode(bytes)) {
            (Ok(expected), Ok(s)) => assert_eq!(
                (s.protected, s.x5chain, s.payload, s.signature),
                expected,
                "{name}"
            ),
            (Err(_), Err(_)) => {}
            (expected, got) => panic!("{name}: reference {expected:?}, decoder {got:?}"),
        }
    }
    assert!(
        cose::decode(&cases[0].1).is_ok(),
        "the unchanged message decodes"
    );
    assert_eq!(
        cases
            .iter()
            .filter(|(_, b)| cose::decode(b).is_ok())
            .count(),
        2,
        "only the unchanged message and the two-certificate x5chain decode"
    );
}

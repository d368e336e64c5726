//! `docs/format.md` and `docs/verification.md` cannot drift from the code: the worked
//! example's payload hex and diagnostic notation, every per-kind JSON input example, the
//! crew commitment and disclosure examples, and the complete message of the appendix are
//! recomputed or re-verified here.
//!
//! Blocks are found by an HTML comment marker (`<!-- payload-hex -->`) on the line before
//! a fenced code block.

use catchcert_demo::{payload, t};
use catchcert_model::cbor;
use catchcert_model::codes::CodeLists;
use catchcert_model::crew::{self, Disclosure};
use catchcert_model::payload::Details;
use catchcert_model::{CertId, Kind, Payload, Timestamp, bundle::Bundle, input};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::findings::{Code, Integrity, Risk};
use catchcert_verify::path::TrustAnchors;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The signing time of the worked example (stated in docs/format.md).
const EXAMPLE_ISSUED_AT: &str = "2026-03-02T06:05:00Z";

fn docs() -> PathBuf {
    catchcert_testkit::workspace_root().join("docs")
}

fn read_doc(name: &str) -> String {
    let p = docs().join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The contents of every fenced block that follows a line `<!-- marker -->`.
fn blocks(doc: &str, marker: &str) -> Vec<String> {
    let tag = format!("<!-- {marker} -->");
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() != tag {
            continue;
        }
        let open = lines[i + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with("```"))
            .map(|k| i + 1 + k)
            .unwrap_or_else(|| panic!("no fenced block after {tag}"));
        assert_eq!(open, i + 1, "the fence must follow {tag} directly");
        let close = lines[open + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with("```"))
            .map(|k| open + 1 + k)
            .unwrap_or_else(|| panic!("unclosed fenced block after {tag}"));
        out.push(lines[open + 1..close].join("\n"));
    }
    out
}

fn block(doc: &str, marker: &str) -> String {
    let mut b = blocks(doc, marker);
    assert_eq!(b.len(), 1, "exactly one block marked {marker}");
    b.remove(0)
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Diagnostic notation without the white space outside text strings.
fn squeeze(diag: &str) -> String {
    let mut out = String::new();
    let mut in_text = false;
    let mut escaped = false;
    for c in diag.chars() {
        if in_text {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_text = false;
            }
        } else if c == '"' {
            in_text = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn example_payload(doc: &str) -> Payload {
    let json: serde_json::Value = serde_json::from_str(&block(doc, "example-input")).unwrap();
    payload(
        "format-example-catch",
        Kind::Catch,
        &json,
        EXAMPLE_ISSUED_AT,
    )
    .unwrap()
    .0
}

#[test]
fn worked_example_payload_hex_is_what_the_code_produces() {
    let doc = read_doc("format.md");
    let p = example_payload(&doc);
    let doc_hex: String = block(&doc, "payload-hex")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(doc_hex, hex(&p.to_cbor()), "docs/format.md payload hex");
    // and the diagnostic notation printed next to it
    let decoded = cbor::from_slice(&p.to_cbor(), &cbor::Limits::default()).unwrap();
    assert_eq!(
        squeeze(&block(&doc, "payload-diag")),
        squeeze(&decoded.to_string()),
        "docs/format.md payload diagnostic notation"
    );
    // the doc's payload decodes back to the same payload
    assert_eq!(Payload::from_cbor(&unhex(&doc_hex)).unwrap(), p);
}

#[test]
fn every_kind_has_a_json_example_that_builds() {
    let doc = read_doc("format.md");
    let mut seen = Vec::new();
    for kind in Kind::ALL {
        let marker = format!("input: {kind}");
        let examples = blocks(&doc, &marker);
        assert!(!examples.is_empty(), "no JSON example for {kind}");
        for ex in examples {
            let mut n = 0u8;
            let mut salt = || {
                n += 1;
                [n; 16]
            };
            let built = input::build(
                kind,
                ex.as_bytes(),
                t("2026-12-01T00:00:00Z"),
                &CodeLists::default(),
                &mut salt,
            )
            .unwrap_or_else(|e| panic!("the {kind} example of docs/format.md: {e}"));
            assert_eq!(built.payload.kind(), kind);
            let bytes = built.payload.to_cbor();
            assert_eq!(Payload::from_cbor(&bytes).unwrap(), built.payload);
            seen.push(kind);
        }
    }
    assert_eq!(seen.len(), Kind::ALL.len(), "one example per kind");
}

#[test]
fn commitment_and_disclosure_examples_match_the_code() {
    let doc = read_doc("format.md");
    let preimage = unhex(&block(&doc, "commitment-preimage"));
    let commitment = unhex(&block(&doc, "commitment"));
    assert_eq!(Sha256::digest(&preimage).as_slice(), commitment.as_slice());
    // the preimage is deterministic CBOR
    let v = cbor::from_slice(&preimage, &cbor::Limits::default()).unwrap();
    assert_eq!(cbor::to_vec(&v), preimage);

    // The disclosure example belongs to the crew_attestation example, built with the demo's
    // salts: the same clear entries and salts, and crew[0]'s commitment is the one above.
    let json: serde_json::Value =
        serde_json::from_str(&block(&doc, "input: crew_attestation")).unwrap();
    let (p, built) = payload(
        "01-crew-sea-harvest",
        Kind::CrewAttestation,
        &json,
        "2026-01-15T10:00:00Z",
    )
    .unwrap();
    let decoded = cbor::from_slice(&p.to_cbor(), &cbor::Limits::default()).unwrap();
    assert_eq!(
        squeeze(&block(&doc, "crew-payload-diag")),
        squeeze(&decoded.to_string()),
        "docs/format.md crew attestation payload"
    );
    let mut shown: Disclosure = serde_json::from_str(&block(&doc, "disclosure")).unwrap();
    assert!(
        shown.certificate.is_some(),
        "the example names its certificate"
    );
    shown.certificate = None;
    assert_eq!(Some(shown.clone()), built, "disclosure example");
    let Details::CrewAttestation(a) = p.details() else {
        panic!("not a crew attestation")
    };
    assert_eq!(a.crew[0].commitment.as_slice(), commitment.as_slice());
    let first = &shown.crew[0];
    let salt: [u8; 16] = unhex(&first.salt).try_into().unwrap();
    assert_eq!(
        crew::commitment(&salt, &first.entry).as_slice(),
        commitment.as_slice()
    );
    // the disclosure checks against the payload under any id once it names none
    crew::check_disclosure(CertId([0; 32]), &p, &shown).unwrap();
}

/// The library example of docs/verification.md, verbatim.
fn check(bundle_bytes: &[u8], roots_pem: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let anchors = TrustAnchors::from_pem(roots_pem)?;
    let bundle = Bundle::from_bytes(bundle_bytes)?;
    let at = Timestamp::parse_rfc3339("2026-12-01T00:00:00Z")?;
    let verdict = chain::verify(
        &bundle.certificates,
        &bundle.issuers,
        bundle.head,
        &anchors,
        at,
        &Limits::default(),
    );
    println!("{}", serde_json::to_string_pretty(&verdict)?);
    Ok(verdict.integrity == Integrity::Valid && verdict.risk == Risk::Low)
}

#[test]
fn appendix_message_is_a_real_certificate() {
    let doc = read_doc("format.md");
    let path = docs().join("examples/catch.cose.hex");
    let text = std::fs::read_to_string(&path).unwrap();
    let bytes = unhex(&text);
    let id = CertId::of_cose(&bytes);
    let doc_id: CertId = block(&doc, "example-id").trim().parse().unwrap();
    assert_eq!(id, doc_id, "the id stated in docs/format.md");

    let msg = catchcert_verify::cose::decode(&bytes).unwrap();
    let p = Payload::from_cbor(&msg.payload).unwrap();
    assert_eq!(
        p,
        example_payload(&doc),
        "the appendix embeds the example payload"
    );

    let root = block(&doc, "example-root");
    let anchors = TrustAnchors::from_pem(&root).unwrap();
    let at = t("2026-12-01T00:00:00Z");
    let verdict = chain::verify(
        std::slice::from_ref(&bytes),
        &[],
        id,
        &anchors,
        at,
        &Limits::default(),
    );
    assert_eq!(
        verdict.integrity,
        Integrity::Valid,
        "{:#?}",
        verdict.findings
    );
    // the attestation it names is not in the set
    assert_eq!(verdict.risk, Risk::Unknown);
    let codes: Vec<Code> = verdict.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::AttestationMissing]);

    // A flipped bit in the payload (the last byte of the attestation id, so the payload
    // still decodes) breaks the signature.
    let mut bad = bytes.clone();
    let last_payload_byte = bytes.len() - 64 - 2 - 1;
    bad[last_payload_byte] ^= 1;
    let bad_id = CertId::of_cose(&bad);
    let v = chain::verify(&[bad], &[], bad_id, &anchors, at, &Limits::default());
    assert_eq!(v.integrity, Integrity::Invalid);
    assert!(v.has(Code::SignatureInvalid), "{:#?}", v.findings);

    // The library example: a bundle of this one certificate.
    let bundle = Bundle::new(id, vec![bytes], Vec::new()).to_bytes();
    assert!(!check(&bundle, &root).unwrap(), "risk unknown is not low");
    assert!(check(&bundle, "not PEM").is_err());
}

#[test]
fn verification_doc_names_every_finding_code() {
    let doc = read_doc("verification.md");
    for c in Code::ALL {
        assert!(
            doc.contains(&format!("### `{c}`")),
            "docs/verification.md has no section for {c}"
        );
    }
}

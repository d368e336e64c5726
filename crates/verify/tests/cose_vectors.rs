//! COSE decoding and signature checks against the cose-wg/Examples vectors
//! (`shared/vectors/cose/SOURCE.md`).
//!
//! The examples are generic COSE: they decode with coset and their Ed25519 signatures verify
//! through the project's verify path. None of them is a catchcert certificate, so the strict
//! profile decoder (`cose::decode`) must refuse every one of them, each for a named reason.
//! When the shared folder is absent the tests print a notice and pass without checking.

use catchcert_model::PAYLOAD_CONTENT_TYPE;
use catchcert_model::cbor::DecodeError;
use catchcert_verify::cose::{self, CoseError, Sign1};
use catchcert_verify::signature::{SignatureError, verify_ed25519};
use ciborium::Value;
use coset::{CoseSign, CoseSign1, HeaderBuilder, Label, TaggedCborSerializable, iana};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The Sign1 files whose main signature is the Ed25519 one of eddsa-sig-01.
const ED25519_SIGN1: [&str; 4] = [
    "eddsa-examples/eddsa-sig-01.json",
    "countersign/signed1-01.json",
    "countersign/signed1-02.json",
    "countersign1/signed1-01.json",
];

fn cose_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/cose");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: shared test vectors not found at {}",
            dir.display()
        );
        None
    }
}

fn example(dir: &Path, file: &str) -> Json {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// A string at a JSON pointer, hex-decoded (the examples use upper-case hex).
fn hex_at(doc: &Json, pointer: &str) -> Vec<u8> {
    let s = doc
        .pointer(pointer)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer}"));
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex at {pointer}: {e}"))
}

fn str_at<'a>(doc: &'a Json, pointer: &str) -> &'a str {
    doc.pointer(pointer)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer}"))
}

fn message(doc: &Json) -> Vec<u8> {
    hex_at(doc, "/output/cbor")
}

fn ed25519_key(doc: &Json) -> VerifyingKey {
    let x: [u8; 32] = hex_at(doc, "/input/sign0/key/x_hex")
        .try_into()
        .unwrap_or_else(|_| panic!("x_hex is not 32 bytes"));
    VerifyingKey::from_bytes(&x).unwrap_or_else(|e| panic!("x_hex: {e}"))
}

/// The project's decoded form, filled from a coset message the strict decoder refuses, so
/// that its Sig_structure and verify code run on the published bytes.
fn as_project_sign1(bytes: &[u8], msg: &CoseSign1) -> Sign1 {
    Sign1 {
        id: catchcert_model::CertId::of_cose(bytes),
        protected: msg
            .protected
            .original_data
            .clone()
            .unwrap_or_else(|| panic!("protected bytes kept by coset")),
        x5chain: Vec::new(),
        payload: msg.payload.clone().unwrap_or_else(|| panic!("payload")),
        signature: msg.signature.clone(),
    }
}

#[test]
fn eddsa_sig_01_decodes_rebuilds_to_be_signed_and_verifies() {
    let Some(dir) = cose_dir() else { return };
    let doc = example(&dir, "eddsa-examples/eddsa-sig-01.json");
    let bytes = message(&doc);
    assert_eq!(bytes[0], 0xd2, "tag 18");
    let msg = CoseSign1::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("coset: {e}"));
    assert_eq!(
        msg.protected.original_data.as_deref(),
        Some(&[0xa2, 0x01, 0x27, 0x03, 0x00][..]),
        "protected = {{1: -8, 3: 0}}"
    );
    assert_eq!(
        msg.protected.header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    assert_eq!(msg.unprotected.key_id, b"11");
    assert_eq!(
        msg.payload.as_deref(),
        Some(str_at(&doc, "/input/plaintext").as_bytes())
    );

    let tbs = hex_at(&doc, "/intermediates/ToBeSign_hex");
    assert_eq!(msg.tbs_data(b""), tbs, "coset Sig_structure");
    let ours = as_project_sign1(&bytes, &msg);
    assert_eq!(ours.to_be_signed(), tbs, "Sign1::to_be_signed");

    let x = hex_at(&doc, "/input/sign0/key/x_hex");
    verify_ed25519(&x, &tbs, &msg.signature).unwrap_or_else(|e| panic!("verify: {e}"));
    ours.verify(&ed25519_key(&doc))
        .unwrap_or_else(|e| panic!("Sign1::verify: {e}"));

    // The key is RFC 8032 TEST 1: the seed reproduces it and the signature.
    let d: [u8; 32] = hex_at(&doc, "/input/sign0/key/d_hex")
        .try_into()
        .unwrap_or_else(|_| panic!("d_hex"));
    let sk = SigningKey::from_bytes(&d);
    assert_eq!(sk.verifying_key().to_bytes().as_slice(), x.as_slice());
    use ed25519_dalek::Signer;
    assert_eq!(
        sk.sign(&tbs).to_bytes().as_slice(),
        msg.signature.as_slice()
    );

    // A changed payload no longer verifies.
    let mut changed = ours.clone();
    changed.payload.push(b'!');
    assert_eq!(
        changed.verify(&ed25519_key(&doc)),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn counter_signed_sign1_messages_still_verify() {
    let Some(dir) = cose_dir() else { return };
    let base =
        CoseSign1::from_tagged_slice(&message(&example(&dir, "eddsa-examples/eddsa-sig-01.json")))
            .unwrap_or_else(|e| panic!("{e}"));
    for (file, extra_label) in [
        ("countersign/signed1-01.json", 7),
        ("countersign/signed1-02.json", 7),
        ("countersign1/signed1-01.json", 9),
    ] {
        let doc = example(&dir, file);
        let bytes = message(&doc);
        let msg = CoseSign1::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        // The extra header is there, and the main signature is eddsa-sig-01's.
        let has_extra = match extra_label {
            7 => !msg.unprotected.counter_signatures.is_empty(),
            _ => msg
                .unprotected
                .rest
                .iter()
                .any(|(l, _)| *l == Label::Int(extra_label)),
        };
        assert!(has_extra, "{file}: header {extra_label} present");
        assert_eq!(msg.signature, base.signature, "{file}");

        let tbs = msg.tbs_data(b"");
        assert_eq!(tbs, hex_at(&doc, "/intermediates/ToBeSign_hex"), "{file}");
        verify_ed25519(
            &hex_at(&doc, "/input/sign0/key/x_hex"),
            &tbs,
            &msg.signature,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        as_project_sign1(&bytes, &msg)
            .verify(&ed25519_key(&doc))
            .unwrap_or_else(|e| panic!("{file}: Sign1::verify: {e}"));
    }
}

#[test]
fn ed448_sign1_is_refused_cleanly() {
    let Some(dir) = cose_dir() else { return };
    let doc = example(&dir, "eddsa-examples/eddsa-sig-02.json");
    let bytes = message(&doc);
    // Generic COSE decoding accepts it: the alg label (-8) is the same as for Ed25519.
    let msg = CoseSign1::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        msg.protected.header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    // Only the key's curve tells them apart.
    assert_eq!(str_at(&doc, "/input/sign0/key/crv"), "Ed448");
    assert_ne!(str_at(&doc, "/input/sign0/key/crv"), "Ed25519");

    let x = hex_at(&doc, "/input/sign0/key/x_hex");
    assert_eq!(x.len(), 57);
    assert_eq!(msg.signature.len(), 114);
    let tbs = msg.tbs_data(b"");
    assert_eq!(tbs, hex_at(&doc, "/intermediates/ToBeSign_hex"));
    assert_eq!(
        verify_ed25519(&x, &tbs, &msg.signature),
        Err(SignatureError::BadKey)
    );
    // Even under a valid Ed25519 key the 114-byte signature is refused by its length.
    let ed25519 = hex_at(
        &example(&dir, "eddsa-examples/eddsa-sig-01.json"),
        "/input/sign0/key/x_hex",
    );
    assert_eq!(
        verify_ed25519(&ed25519, &tbs, &msg.signature),
        Err(SignatureError::BadLength(114))
    );
    // And no 32-byte prefix of the Ed448 key verifies the first 64 signature bytes.
    assert!(verify_ed25519(&x[..32], &tbs, &msg.signature[..64]).is_err());
}

#[test]
fn cose_sign_is_refused_by_sign1_decoding() {
    let Some(dir) = cose_dir() else { return };
    let doc = example(&dir, "eddsa-examples/eddsa-01.json");
    let bytes = message(&doc);
    assert_eq!(&bytes[..2], &[0xd8, 0x62], "tag 98");
    assert!(CoseSign1::from_tagged_slice(&bytes).is_err());
    // It is a well-formed COSE_Sign whose one Ed25519 signature verifies.
    let sign = CoseSign::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sign.signatures.len(), 1);
    let tbs = sign.tbs_data(b"", &sign.signatures[0]);
    assert_eq!(tbs, hex_at(&doc, "/intermediates/signers/0/ToBeSign_hex"));
    verify_ed25519(
        &hex_at(&doc, "/input/sign/signers/0/key/x_hex"),
        &tbs,
        &sign.signatures[0].signature,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The signature over the COSE_Sign structure does not verify as a Sign1 over the same
    // payload: the contexts differ.
    let as_sign1 = coset::sig_structure_data(
        coset::SignatureContext::CoseSign1,
        sign.signatures[0].protected.clone(),
        None,
        b"",
        sign.payload.as_deref().unwrap_or_default(),
    );
    assert_eq!(
        verify_ed25519(
            &hex_at(&doc, "/input/sign/signers/0/key/x_hex"),
            &as_sign1,
            &sign.signatures[0].signature,
        ),
        Err(SignatureError::Invalid)
    );
}

/// x5chain (33) of the first signer's unprotected header, in either RFC 9360 shape.
fn signer_x5chain(sign: &CoseSign) -> &Value {
    sign.signatures[0]
        .unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == Label::Int(catchcert_model::X5CHAIN_LABEL))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no x5chain in the signer's unprotected header"))
}

fn chain_of(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::Bytes(b) => vec![b.clone()],
        Value::Array(a) => a
            .iter()
            .map(|e| match e {
                Value::Bytes(b) => b.clone(),
                other => panic!("x5chain entry is not a bstr: {other:?}"),
            })
            .collect(),
        other => panic!("x5chain is neither a bstr nor an array: {other:?}"),
    }
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn x5chain_in_both_shapes_is_leaf_first() {
    let Some(dir) = cose_dir() else { return };
    let alice = read(&dir, "x509-examples/alice.der");
    let ca = read(&dir, "x509-examples/ca.der");

    let one = CoseSign::from_tagged_slice(&message(&example(&dir, "x509-examples/signed-03.json")))
        .unwrap_or_else(|e| panic!("signed-03: {e}"));
    let v = signer_x5chain(&one);
    assert!(matches!(v, Value::Bytes(_)), "signed-03: a single bstr");
    assert_eq!(chain_of(v), vec![alice.clone()]);

    let two = CoseSign::from_tagged_slice(&message(&example(&dir, "x509-examples/signed-04.json")))
        .unwrap_or_else(|e| panic!("signed-04: {e}"));
    let v = signer_x5chain(&two);
    assert!(
        matches!(v, Value::Array(a) if a.len() == 2),
        "signed-04: an array of two"
    );
    let chain = chain_of(v);
    assert_eq!(chain, vec![alice.clone(), ca.clone()]);

    // Leaf first: the first certificate is issued by the second, which is self-issued.
    let (_, leaf) =
        x509_parser::parse_x509_certificate(&chain[0]).unwrap_or_else(|e| panic!("{e}"));
    let (_, root) =
        x509_parser::parse_x509_certificate(&chain[1]).unwrap_or_else(|e| panic!("{e}"));
    assert!(leaf.subject().to_string().contains("Alice Lovelace"));
    assert_eq!(leaf.issuer(), root.subject());
    assert_eq!(root.issuer(), root.subject());
    assert_ne!(leaf.subject(), leaf.issuer());

    // x5chain must not be in the protected header of these examples (RFC 9360 allows both).
    assert!(
        !one.signatures[0]
            .protected
            .header
            .rest
            .iter()
            .any(|(l, _)| *l == Label::Int(33))
    );
}

/// The same two chains in an Ed25519 Sign1 built by the project's signer, in the shape the
/// catchcert profile requires (x5chain protected), decode to the same certificates.
#[test]
fn project_sign1_carries_the_example_chains() {
    let Some(dir) = cose_dir() else { return };
    let alice = read(&dir, "x509-examples/alice.der");
    let ca = read(&dir, "x509-examples/ca.der");
    let key = SigningKey::from_bytes(&[42u8; 32]);
    for chain in [vec![alice.clone()], vec![alice.clone(), ca.clone()]] {
        let bytes = catchcert_sign::cose::sign_bytes(b"payload", &key, &chain)
            .unwrap_or_else(|e| panic!("{e}"));
        let raw = CoseSign1::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
        let shape = &raw
            .protected
            .header
            .rest
            .iter()
            .find(|(l, _)| *l == Label::Int(33))
            .unwrap_or_else(|| panic!("x5chain protected"))
            .1;
        if chain.len() == 1 {
            assert!(matches!(shape, Value::Bytes(_)), "one certificate: bstr");
        } else {
            assert!(matches!(shape, Value::Array(_)), "two: array");
        }
        let decoded = cose::decode(&bytes).unwrap_or_else(|e| panic!("decode: {e}"));
        assert_eq!(decoded.x5chain, chain);
        assert_eq!(decoded.x5chain[0], alice, "leaf first");
        decoded
            .verify(&key.verifying_key())
            .unwrap_or_else(|e| panic!("verify: {e}"));
    }
}

/// What the strict profile decoder says about each published example.
#[test]
fn strict_decoder_refuses_every_example_with_a_named_reason() {
    let Some(dir) = cose_dir() else { return };
    type Check = fn(&CoseError) -> bool;
    let cases: [(&str, Check); 11] = [
        // {4: h'3131'} (kid) in the unprotected header.
        ("eddsa-examples/eddsa-sig-01.json", |e| {
            *e == CoseError::Unprotected
        }),
        ("eddsa-examples/eddsa-sig-02.json", |e| {
            *e == CoseError::Unprotected
        }),
        // COSE_Sign (tag 98), not COSE_Sign1.
        ("eddsa-examples/eddsa-01.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
        // The unprotected maps list label 7 or 9 before label 4: not deterministic CBOR.
        ("countersign/signed1-01.json", |e| {
            matches!(e, CoseError::Cbor(DecodeError::UnsortedMapKeys { .. }))
        }),
        ("countersign/signed1-02.json", |e| {
            matches!(e, CoseError::Cbor(DecodeError::UnsortedMapKeys { .. }))
        }),
        ("countersign1/signed1-01.json", |e| {
            matches!(e, CoseError::Cbor(DecodeError::UnsortedMapKeys { .. }))
        }),
        ("x509-examples/signed-01.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
        ("x509-examples/signed-02.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
        ("x509-examples/signed-03.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
        ("x509-examples/signed-04.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
        ("x509-examples/signed-05.json", |e| {
            matches!(e, CoseError::NotSign1(_))
        }),
    ];
    let mut failures = Vec::new();
    for (file, expected) in cases {
        match cose::decode(&message(&example(&dir, file))) {
            Ok(_) => failures.push(format!("{file}: accepted")),
            Err(e) if !expected(&e) => failures.push(format!("{file}: refused as {e:?}")),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// eddsa-sig-01 moved step by step towards the profile: each step is refused for the next
/// thing that is still wrong.
#[test]
fn strict_decoder_names_each_remaining_difference_of_eddsa_sig_01() {
    let Some(dir) = cose_dir() else { return };
    let bytes = message(&example(&dir, "eddsa-examples/eddsa-sig-01.json"));
    let mut msg = CoseSign1::from_tagged_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));

    // Unprotected header emptied: content type 0 is not the catchcert content type.
    msg.unprotected = coset::Header::default();
    let e = decode_err(&msg);
    assert!(
        matches!(&e, CoseError::Header(m) if m.contains("content type")),
        "{e:?}"
    );

    // Right content type, kid moved into the protected header.
    msg.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type(PAYLOAD_CONTENT_TYPE.to_string())
            .key_id(b"11".to_vec())
            .value(33, Value::Bytes(vec![0x30, 0x00]))
            .build(),
    };
    let e = decode_err(&msg);
    assert!(
        matches!(&e, CoseError::Header(m) if m.contains("only alg")),
        "{e:?}"
    );

    // Without kid but also without x5chain.
    msg.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type(PAYLOAD_CONTENT_TYPE.to_string())
            .build(),
    };
    let e = decode_err(&msg);
    assert!(
        matches!(&e, CoseError::Header(m) if m.contains("x5chain")),
        "{e:?}"
    );

    // With x5chain: the shape is now right, and decoding succeeds, but the old signature
    // no longer covers the new protected header.
    msg.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type(PAYLOAD_CONTENT_TYPE.to_string())
            .value(33, Value::Bytes(vec![0x30, 0x00]))
            .build(),
    };
    let bytes = msg
        .clone()
        .to_tagged_vec()
        .unwrap_or_else(|e| panic!("{e}"));
    let decoded = cose::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let key = hex_at(
        &example(&dir, "eddsa-examples/eddsa-sig-01.json"),
        "/input/sign0/key/x_hex",
    );
    assert_eq!(
        verify_ed25519(&key, &decoded.to_be_signed(), &decoded.signature),
        Err(SignatureError::Invalid)
    );
}

fn decode_err(msg: &CoseSign1) -> CoseError {
    let bytes = msg
        .clone()
        .to_tagged_vec()
        .unwrap_or_else(|e| panic!("{e}"));
    match cose::decode(&bytes) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    }
}

#[test]
fn every_ed25519_example_signature_rejects_a_flipped_bit() {
    let Some(dir) = cose_dir() else { return };
    for file in ED25519_SIGN1 {
        let doc = example(&dir, file);
        let msg = CoseSign1::from_tagged_slice(&message(&doc)).unwrap_or_else(|e| panic!("{e}"));
        let tbs = msg.tbs_data(b"");
        let key = hex_at(&doc, "/input/sign0/key/x_hex");
        for i in 0..64 {
            let mut sig = msg.signature.clone();
            sig[i] ^= 0x01;
            assert!(
                verify_ed25519(&key, &tbs, &sig).is_err(),
                "{file}: byte {i}"
            );
        }
    }
}

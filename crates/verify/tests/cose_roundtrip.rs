//! Sign → decode → verify for every certificate kind, and the strict decoder's refusals of
//! messages that break the catchcert COSE_Sign1 profile.
//!
//! Payloads are built from JSON input as `issue` does (`input::build`), signed with
//! `sign_payload` under a fresh key with a dummy DER chain (decoding does not parse X.509),
//! decoded with `cose::decode`, and checked: the payload decodes back equal, the signature
//! verifies with the key, and the id is the SHA-256 of the message bytes.

use catchcert_model::cbor::DecodeError;
use catchcert_model::codes::CodeLists;
use catchcert_model::input::{self, Built};
use catchcert_model::{CertId, Kind, MAX_CERTIFICATE_BYTES, Payload, Timestamp};
use catchcert_sign::cose::{sign_bytes, sign_payload, untagged};
use catchcert_sign::keys::generate;
use catchcert_verify::cose::{self, CoseError};
use catchcert_verify::signature::SignatureError;
use ciborium::Value;
use coset::{CoseSign1, HeaderBuilder, TaggedCborSerializable, iana};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

/// A stand-in issuer certificate: a DER SEQUENCE holding one INTEGER. The decoder only
/// carries x5chain entries; the issuer path check parses them.
fn dummy_chain() -> Vec<Vec<u8>> {
    vec![vec![0x30, 0x03, 0x02, 0x01, 0x01]]
}

fn issued_at() -> Timestamp {
    Timestamp::parse_rfc3339("2026-03-10T12:00:00Z").unwrap()
}

fn build(kind: Kind, json: &str) -> Built {
    let mut n = 0u8;
    let mut salt = || {
        n = n.wrapping_add(1);
        [n; 16]
    };
    input::build(
        kind,
        json.as_bytes(),
        issued_at(),
        &CodeLists::default(),
        &mut salt,
    )
    .unwrap_or_else(|e| panic!("{kind}: {e}"))
}

struct Signed {
    payload: Payload,
    bytes: Vec<u8>,
    id: CertId,
}

fn sign(key: &SigningKey, payload: Payload) -> Signed {
    let bytes = sign_payload(&payload, key, &dummy_chain()).unwrap();
    let id = CertId(Sha256::digest(&bytes).into());
    Signed { payload, bytes, id }
}

fn crew_json() -> &'static str {
    r#"{
        "time": "2026-02-27T09:00:00Z",
        "vessel": {"name": "Sea Dragon 7", "imo": "IMO9074729", "flag": "THA"},
        "valid_from": "2026-03-01T00:00:00Z",
        "valid_until": "2026-09-01T00:00:00Z",
        "audit": {"method": "third_party", "auditor": "Andaman Labour Audits Ltd", "date": "2026-02-27"},
        "crew": [
            {"name": "Somchai Prasert", "nationality": "THA", "role": "captain",
             "written_agreement": true, "holds_own_documents": true,
             "recruitment_fee_paid": false, "wage_method": "bank_transfer"},
            {"name": "Aung Min", "nationality": "MMR", "role": "deckhand",
             "written_agreement": true, "holds_own_documents": false,
             "recruitment_fee_paid": true, "wage_method": "via_broker"},
            {"name": "Ye Lin", "nationality": "MMR", "role": "deckhand",
             "written_agreement": false, "holds_own_documents": true,
             "recruitment_fee_paid": false, "wage_method": "cash"}
        ],
        "rest_hours": {"min_per_24h": 10, "min_per_7d": 77.5},
        "ilo_indicators": [9, 7]
    }"#
}

fn catch_json(crew: CertId) -> String {
    format!(
        r#"{{
            "time": "2026-03-04T18:00:00Z",
            "vessel_imo": "IMO9074729",
            "fao_area": "71",
            "gear": "LLD",
            "catch_start": "2026-03-02T06:00:00Z",
            "catch_end": "2026-03-04T18:00:00Z",
            "outputs": [
                {{"lot": "SD7-2026-03-YFT", "quantity_kg": 1200.5, "species": "YFT"}},
                {{"lot": "SD7-2026-03-BET", "quantity_kg": 310.125, "species": "BET"}}
            ],
            "attestations": ["{crew}"]
        }}"#
    )
}

/// One valid signed certificate of every kind, each consuming the lots of the one before.
fn all_kinds(key: &SigningKey) -> Vec<Signed> {
    let mut out: Vec<Signed> = Vec::new();
    let crew = sign(key, build(Kind::CrewAttestation, crew_json()).payload);
    let crew_id = crew.id;
    out.push(crew);
    let facility = sign(
        key,
        build(
            Kind::FacilityAttestation,
            r#"{
                "time": "2026-02-20T10:00:00Z",
                "facility": "Samut Sakhon Tuna Plant 3",
                "valid_from": "2026-03-01T00:00:00Z",
                "valid_until": "2027-03-01T00:00:00Z",
                "audit": {"method": "internal", "auditor": "Plant compliance office", "date": "2026-02-20"},
                "ilo_indicators": []
            }"#,
        )
        .payload,
    );
    let facility_id = facility.id;
    out.push(facility);
    let catch = sign(key, build(Kind::Catch, &catch_json(crew_id)).payload);
    let catch_id = catch.id;
    out.push(catch);
    let tship = sign(
        key,
        build(
            Kind::Transshipment,
            &format!(
                r#"{{
                    "time": "2026-03-05T04:00:00Z",
                    "inputs": [{{"certificate": "{catch_id}", "lot": "SD7-2026-03-YFT", "quantity_kg": 1200.5}}],
                    "outputs": [{{"lot": "REEFER-88-YFT-01", "quantity_kg": 1200.5, "species": "YFT"}}],
                    "from_vessel_imo": "IMO9074729",
                    "to_vessel_imo": "IMO9305972",
                    "at_sea": true,
                    "fao_area": "71"
                }}"#
            ),
        )
        .payload,
    );
    let tship_id = tship.id;
    out.push(tship);
    let landing = sign(
        key,
        build(
            Kind::Landing,
            &format!(
                r#"{{
                    "time": "2026-03-08T07:30:00Z",
                    "inputs": [{{"certificate": "{tship_id}", "lot": "REEFER-88-YFT-01", "quantity_kg": 1200.5}}],
                    "outputs": [{{"lot": "THBKK-L-0042", "quantity_kg": 1200.5, "species": "YFT"}}],
                    "port": "THBKK"
                }}"#
            ),
        )
        .payload,
    );
    let landing_id = landing.id;
    out.push(landing);
    let processing = sign(
        key,
        build(
            Kind::Processing,
            &format!(
                r#"{{
                    "time": "2026-03-09T08:00:00Z",
                    "inputs": [{{"certificate": "{landing_id}", "lot": "THBKK-L-0042", "quantity_kg": 1200.5}}],
                    "outputs": [
                        {{"lot": "SSP3-LOINS-0042", "quantity_kg": 540.25, "species": "YFT", "product": "Frozen yellowfin tuna loins, skinless"}},
                        {{"lot": "SSP3-MEAL-0042", "quantity_kg": 300, "product": "Fish meal"}}
                    ],
                    "attestations": ["{facility_id}"],
                    "facility": "Samut Sakhon Tuna Plant 3"
                }}"#
            ),
        )
        .payload,
    );
    let processing_id = processing.id;
    out.push(processing);
    let shipment = sign(
        key,
        build(
            Kind::Shipment,
            &format!(
                r#"{{
                    "time": "2026-03-10T06:00:00Z",
                    "inputs": [{{"certificate": "{processing_id}", "lot": "SSP3-LOINS-0042", "quantity_kg": 540.25}}],
                    "outputs": [{{"lot": "SHIP-TW-7781", "quantity_kg": 540.25}}],
                    "from": "Samut Sakhon Tuna Plant 3",
                    "to": "Kaohsiung Seafood Trading Co."
                }}"#
            ),
        )
        .payload,
    );
    let shipment_id = shipment.id;
    out.push(shipment);
    let receipt = sign(
        key,
        build(
            Kind::Receipt,
            &format!(
                r#"{{
                    "time": "2026-03-10T11:00:00Z",
                    "inputs": [{{"certificate": "{shipment_id}", "lot": "SHIP-TW-7781", "quantity_kg": 540.25}}],
                    "outputs": [{{"lot": "KST-IN-2026-0311", "quantity_kg": 540.25}}],
                    "from": "Samut Sakhon Tuna Plant 3",
                    "to": "Kaohsiung Seafood Trading Co."
                }}"#
            ),
        )
        .payload,
    );
    out.push(receipt);
    let revocation = sign(
        key,
        build(
            Kind::Revocation,
            &format!(
                r#"{{
                    "time": "2026-03-10T11:30:00Z",
                    "certificate": "{crew_id}",
                    "reason": "Audit withdrawn: crew list incomplete"
                }}"#
            ),
        )
        .payload,
    );
    out.push(revocation);
    let watchlist = sign(
        key,
        build(
            Kind::Watchlist,
            r#"{
                "time": "2026-03-10T11:45:00Z",
                "name": "Importer watch",
                "source": "CBP withhold release order 2026-17",
                "entries": [{"scheme": "imo", "value": "IMO9074729",
                    "reason": "forced labour finding", "listed_from": "2026-01-01T00:00:00Z"}]
            }"#,
        )
        .payload,
    );
    out.push(watchlist);
    out
}

#[test]
fn every_kind_signs_decodes_and_verifies() {
    let key = generate();
    let signed = all_kinds(&key);
    let kinds: Vec<Kind> = signed.iter().map(|s| s.payload.kind()).collect();
    assert_eq!(kinds, Kind::ALL, "one certificate of each kind");
    for s in &signed {
        let kind = s.payload.kind();
        let decoded = cose::decode(&s.bytes).unwrap_or_else(|e| panic!("{kind}: decode: {e}"));
        assert_eq!(decoded.id, s.id, "{kind}: id is the SHA-256 of the bytes");
        assert_eq!(decoded.id, CertId::of_cose(&s.bytes));
        assert_eq!(decoded.x5chain, dummy_chain(), "{kind}");
        assert_eq!(decoded.signature.len(), 64);
        let payload =
            Payload::from_cbor(&decoded.payload).unwrap_or_else(|e| panic!("{kind}: payload: {e}"));
        assert_eq!(payload, s.payload, "{kind}");
        assert_eq!(
            decoded.payload,
            s.payload.to_cbor(),
            "{kind}: payload bytes"
        );
        decoded
            .verify(&key.verifying_key())
            .unwrap_or_else(|e| panic!("{kind}: verify: {e}"));
        // Signing is deterministic: the same payload gives the same bytes and id.
        assert_eq!(sign(&key, payload).bytes, s.bytes, "{kind}");
    }
    // Different payloads give different ids.
    let mut ids: Vec<CertId> = signed.iter().map(|s| s.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), Kind::ALL.len());
}

#[test]
fn a_message_signed_by_another_key_does_not_verify() {
    let key = generate();
    let other = generate();
    let built = build(Kind::CrewAttestation, crew_json());
    let bytes = sign_payload(&built.payload, &other, &dummy_chain()).unwrap();
    let decoded = cose::decode(&bytes).unwrap();
    assert_eq!(
        decoded.verify(&key.verifying_key()),
        Err(SignatureError::Invalid)
    );
    assert!(decoded.verify(&other.verifying_key()).is_ok());
}

/// Whether a message passes all three gates: profile decoding, payload decoding and the
/// signature under `key`.
fn accepted(bytes: &[u8], key: &SigningKey) -> bool {
    let Ok(decoded) = cose::decode(bytes) else {
        return false;
    };
    if Payload::from_cbor(&decoded.payload).is_err() {
        return false;
    }
    decoded.verify(&key.verifying_key()).is_ok()
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let key = generate();
    let crew = sign(&key, build(Kind::CrewAttestation, crew_json()).payload);
    let catch = sign(&key, build(Kind::Catch, &catch_json(crew.id)).payload);
    for s in [&crew, &catch] {
        let kind = s.payload.kind();
        assert!(accepted(&s.bytes, &key), "{kind}: the original is accepted");
        let mut accepted_mutants = Vec::new();
        let mut tried = 0usize;
        for i in 0..s.bytes.len() {
            for bit in [0u8, 1, 5, 7] {
                let mut m = s.bytes.clone();
                m[i] ^= 1 << bit;
                tried += 1;
                if accepted(&m, &key) {
                    accepted_mutants.push(format!("byte {i} bit {bit}"));
                }
            }
        }
        assert_eq!(tried, s.bytes.len() * 4);
        assert!(
            accepted_mutants.is_empty(),
            "{kind}: mutants accepted: {accepted_mutants:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Profile violations, built with coset from a valid message.

fn valid_message(key: &SigningKey) -> (Vec<u8>, CoseSign1) {
    let built = build(Kind::Catch, &catch_json(CertId([7; 32])));
    let bytes = sign_payload(&built.payload, key, &dummy_chain()).unwrap();
    let msg = CoseSign1::from_tagged_slice(&bytes).unwrap();
    (bytes, msg)
}

fn encode(msg: CoseSign1) -> Vec<u8> {
    msg.to_tagged_vec().unwrap()
}

fn decode_err(bytes: &[u8]) -> CoseError {
    match cose::decode(bytes) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    }
}

/// A protected header with the given parts, re-encoded by coset.
fn protected(alg: Option<iana::Algorithm>, x5chain: Option<Value>) -> coset::ProtectedHeader {
    let mut h = HeaderBuilder::new();
    if let Some(a) = alg {
        h = h.algorithm(a);
    }
    h = h.content_type(catchcert_model::PAYLOAD_CONTENT_TYPE.to_string());
    if let Some(c) = x5chain {
        h = h.value(catchcert_model::X5CHAIN_LABEL, c);
    }
    coset::ProtectedHeader {
        original_data: None,
        header: h.build(),
    }
}

#[test]
fn the_unchanged_re_encoding_is_accepted() {
    // The baseline for the mutants below: coset re-encodes the message byte for byte.
    let key = generate();
    let (bytes, msg) = valid_message(&key);
    assert_eq!(encode(msg), bytes);
    let mut rebuilt = CoseSign1::from_tagged_slice(&bytes).unwrap();
    rebuilt.protected = protected(
        Some(iana::Algorithm::EdDSA),
        Some(Value::Bytes(dummy_chain().remove(0))),
    );
    assert_eq!(
        encode(rebuilt),
        bytes,
        "the header is built as the signer builds it"
    );
    assert!(accepted(&bytes, &key));
}

#[test]
fn detached_payload_is_refused() {
    let key = generate();
    let (_, mut msg) = valid_message(&key);
    msg.payload = None;
    assert_eq!(decode_err(&encode(msg)), CoseError::NoPayload);
}

#[test]
fn non_empty_unprotected_header_is_refused() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let mut with_kid = msg.clone();
    with_kid.unprotected.key_id = b"issuer-1".to_vec();
    assert_eq!(decode_err(&encode(with_kid)), CoseError::Unprotected);
    // x5chain moved to the unprotected bucket (where the cose-wg examples keep it).
    let mut moved = msg;
    moved.unprotected.rest.push((
        coset::Label::Int(catchcert_model::X5CHAIN_LABEL),
        Value::Bytes(dummy_chain().remove(0)),
    ));
    assert_eq!(decode_err(&encode(moved)), CoseError::Unprotected);
}

#[test]
fn wrong_or_missing_alg_is_refused() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let chain = Some(Value::Bytes(dummy_chain().remove(0)));
    for alg in [
        Some(iana::Algorithm::ES256),
        Some(iana::Algorithm::ES384),
        Some(iana::Algorithm::PS256),
        None,
    ] {
        let mut m = msg.clone();
        m.protected = protected(alg, chain.clone());
        let e = decode_err(&encode(m));
        assert!(
            matches!(&e, CoseError::Header(r) if r.contains("alg")),
            "{alg:?}: {e:?}"
        );
    }
}

/// Algorithm confusion: the protected header names no algorithm and the unprotected one
/// names EdDSA. The signature covers only the protected header, so an unprotected `alg`
/// could be swapped in transit; it is refused (the truthful variant, `alg` protected, is
/// `the_unchanged_re_encoding_is_accepted`).
#[test]
fn alg_only_in_the_unprotected_header_is_refused() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let mut m = msg.clone();
    m.protected = protected(None, Some(Value::Bytes(dummy_chain().remove(0))));
    m.unprotected.alg = Some(coset::RegisteredLabelWithPrivate::Assigned(
        iana::Algorithm::EdDSA,
    ));
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Unprotected)
            || matches!(&e, CoseError::Header(r) if r.contains("alg")),
        "{e:?}"
    );
    // Signed properly over that header, it is still refused.
    let unprotected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .build();
    let signed = coset::CoseSign1Builder::new()
        .protected(protected(None, Some(Value::Bytes(dummy_chain().remove(0)))).header)
        .unprotected(unprotected)
        .payload(msg.payload.clone().unwrap())
        .create_signature(b"", |tbs| {
            use ed25519_dalek::Signer;
            key.sign(tbs).to_bytes().to_vec()
        })
        .build();
    assert!(cose::decode(&encode(signed)).is_err());
}

#[test]
fn x5chain_array_of_one_is_refused() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let mut m = msg.clone();
    m.protected = protected(
        Some(iana::Algorithm::EdDSA),
        Some(Value::Array(vec![Value::Bytes(dummy_chain().remove(0))])),
    );
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Header(r) if r.contains("x5chain")),
        "{e:?}"
    );
    // The same header signed properly is still refused: it is a shape rule, not a
    // signature matter.
    let mut signed = msg.clone();
    signed.protected = protected(
        Some(iana::Algorithm::EdDSA),
        Some(Value::Array(vec![Value::Bytes(dummy_chain().remove(0))])),
    );
    let signed = coset::CoseSign1Builder::new()
        .protected(signed.protected.header)
        .payload(msg.payload.clone().unwrap())
        .create_signature(b"", |tbs| {
            use ed25519_dalek::Signer;
            key.sign(tbs).to_bytes().to_vec()
        })
        .build();
    assert!(matches!(decode_err(&encode(signed)), CoseError::Header(_)));
    // Other x5chain shapes: empty array, a text string, a non-bstr entry, too many.
    for bad in [
        Value::Array(vec![]),
        Value::Text("MIIB".into()),
        Value::Array(vec![Value::Bytes(vec![0x30, 0]), Value::Integer(1.into())]),
        Value::Array(vec![Value::Bytes(vec![0x30, 0]); cose::MAX_X5CHAIN + 1]),
    ] {
        let mut m = msg.clone();
        m.protected = protected(Some(iana::Algorithm::EdDSA), Some(bad.clone()));
        let e = decode_err(&encode(m));
        assert!(
            matches!(&e, CoseError::Header(r) if r.contains("x5chain")),
            "{bad:?}: {e:?}"
        );
    }
    // The largest accepted chain.
    let mut m = msg;
    let longest = vec![Value::Bytes(vec![0x30, 0]); cose::MAX_X5CHAIN];
    m.protected = protected(Some(iana::Algorithm::EdDSA), Some(Value::Array(longest)));
    assert_eq!(
        cose::decode(&encode(m)).unwrap().x5chain.len(),
        cose::MAX_X5CHAIN
    );
}

#[test]
fn missing_x5chain_and_extra_protected_parameters_are_refused() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let mut m = msg.clone();
    m.protected = protected(Some(iana::Algorithm::EdDSA), None);
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Header(r) if r.contains("missing")),
        "{e:?}"
    );

    let mut m = msg.clone();
    m.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type(catchcert_model::PAYLOAD_CONTENT_TYPE.to_string())
            .value(
                catchcert_model::X5CHAIN_LABEL,
                Value::Bytes(dummy_chain().remove(0)),
            )
            // x5t (34), in deterministic order after x5chain.
            .value(34, Value::Bytes(vec![0; 32]))
            .build(),
    };
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Header(r) if r.contains("unexpected")),
        "{e:?}"
    );

    let mut m = msg.clone();
    m.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type("application/cbor".to_string())
            .value(
                catchcert_model::X5CHAIN_LABEL,
                Value::Bytes(dummy_chain().remove(0)),
            )
            .build(),
    };
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Header(r) if r.contains("content type")),
        "{e:?}"
    );

    let mut m = msg;
    m.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type(catchcert_model::PAYLOAD_CONTENT_TYPE.to_string())
            .add_critical(iana::HeaderParameter::Alg)
            .value(
                catchcert_model::X5CHAIN_LABEL,
                Value::Bytes(dummy_chain().remove(0)),
            )
            .build(),
    };
    let e = decode_err(&encode(m));
    assert!(
        matches!(&e, CoseError::Header(r) if r.contains("only alg")),
        "{e:?}"
    );
}

#[test]
fn trailing_bytes_are_refused() {
    let key = generate();
    let (bytes, _) = valid_message(&key);
    for tail in [&[0x00][..], &[0xf6], &bytes[..]] {
        let m = [bytes.as_slice(), tail].concat();
        assert!(
            matches!(
                decode_err(&m),
                CoseError::Cbor(DecodeError::TrailingBytes { offset }) if offset == bytes.len()
            ),
            "tail {:02x?}",
            &tail[..1]
        );
    }
}

#[test]
fn untagged_truncated_short_signature_and_oversized_are_refused() {
    let key = generate();
    let (bytes, msg) = valid_message(&key);
    assert!(matches!(
        decode_err(&untagged(&bytes).unwrap()),
        CoseError::NotSign1(_)
    ));
    for cut in [1, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(decode_err(&bytes[..cut]), CoseError::Cbor(_)),
            "cut at {cut}"
        );
    }
    assert!(matches!(decode_err(&[]), CoseError::Cbor(_)));
    for len in [0, 63, 65] {
        let mut m = msg.clone();
        m.signature = vec![1; len];
        assert_eq!(decode_err(&encode(m)), CoseError::SignatureLength(len));
    }
    let big = sign_bytes(&vec![0u8; MAX_CERTIFICATE_BYTES], &key, &dummy_chain()).unwrap();
    assert_eq!(decode_err(&big), CoseError::TooLarge(big.len()));
}

#[test]
fn a_payload_that_is_not_a_valid_certificate_payload_decodes_but_is_refused_by_the_model() {
    // The COSE layer carries any bytes; the payload gate is Payload::from_cbor.
    let key = generate();
    let built = build(Kind::Catch, &catch_json(CertId([7; 32])));
    let mut value = built.payload.to_cbor();
    // Same CBOR, one trailing byte: signed correctly, but not one data item.
    value.push(0x00);
    let bytes = sign_bytes(&value, &key, &dummy_chain()).unwrap();
    let decoded = cose::decode(&bytes).unwrap();
    assert!(decoded.verify(&key.verifying_key()).is_ok());
    assert!(Payload::from_cbor(&decoded.payload).is_err());
    assert!(!accepted(&bytes, &key));
}

/// The protected header sits inside a byte string, so the whole-message check does not see
/// its encoding; it must be deterministic too, even when correctly signed.
#[test]
fn protected_header_must_be_deterministic_cbor() {
    let key = generate();
    let (_, msg) = valid_message(&key);
    let ct = catchcert_model::PAYLOAD_CONTENT_TYPE.as_bytes();
    let ct_len = u8::try_from(ct.len()).unwrap();
    let chain = &dummy_chain()[0];
    let chain_len = 0x40 + u8::try_from(chain.len()).unwrap();
    // {3: ct, 1: -8, 33: chain}: content type before alg.
    let unsorted = [
        &[0xa3, 0x03, 0x78, ct_len][..],
        ct,
        &[0x01, 0x27, 0x18, 0x21, chain_len],
        chain,
    ]
    .concat();
    // {1: -8, 3: ct, 33: chain} with -8 written in two bytes (0x38 0x07).
    let long_int = [
        &[0xa3, 0x01, 0x38, 0x07, 0x03, 0x78, ct_len][..],
        ct,
        &[0x18, 0x21, chain_len],
        chain,
    ]
    .concat();
    // The deterministic form, for comparison: accepted.
    let good = [
        &[0xa3, 0x01, 0x27, 0x03, 0x78, ct_len][..],
        ct,
        &[0x18, 0x21, chain_len],
        chain,
    ]
    .concat();
    let signed_with = |prot: &[u8]| {
        let header = coset::ProtectedHeader::from_cbor_bstr(Value::Bytes(prot.to_vec())).unwrap();
        let tbs = coset::sig_structure_data(
            coset::SignatureContext::CoseSign1,
            header.clone(),
            None,
            b"",
            msg.payload.as_deref().unwrap(),
        );
        let signature = {
            use ed25519_dalek::Signer;
            key.sign(&tbs).to_bytes().to_vec()
        };
        encode(CoseSign1 {
            protected: header,
            unprotected: coset::Header::default(),
            payload: msg.payload.clone(),
            signature,
        })
    };
    let good = signed_with(&good);
    assert_eq!(
        good,
        encode(msg.clone()),
        "the signer's own header encoding"
    );
    assert!(accepted(&good, &key));
    let e = decode_err(&signed_with(&unsorted));
    assert!(
        matches!(e, CoseError::Cbor(DecodeError::UnsortedMapKeys { .. })),
        "{e:?}"
    );
    let e = decode_err(&signed_with(&long_int));
    assert!(
        matches!(e, CoseError::Cbor(DecodeError::NonCanonicalInteger { .. })),
        "{e:?}"
    );
}

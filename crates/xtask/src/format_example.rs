//! Prints the worked example of `docs/format.md`: a catch of the demo programme, from its
//! JSON input to the payload (CBOR diagnostic notation and hex), the protected header, the
//! Sig_structure and the complete COSE_Sign1 message with its id; then a crew commitment
//! and a disclosure file.
//!
//! ```text
//! cargo xtask format-example
//! ```
//!
//! Keys and payloads come from fixed seeds, so the payload bytes are the same on every
//! run. The issuer certificates carry random serial numbers, so the x5chain bytes, and
//! with them the protected header, the signature and the id, differ from run to run.

use catchcert_demo::{Programme, crew_attestation_json, payload, sign_payload, vessels};
use catchcert_model::cbor::{self, Value};
use catchcert_model::{Kind, Payload};
use catchcert_verify::cose;
use sha2::{Digest, Sha256};

/// The signing time of the example catch.
const ISSUED_AT: &str = "2026-03-02T06:05:00Z";

/// The JSON input of the example catch. The attestation id stands for the id that
/// `issue crew_attestation` printed for Sea Harvest 7's crew attestation; it is fixed (the
/// SHA-256 of [`ATTESTATION_LABEL`]) so that the payload bytes are reproducible.
const INPUT: &str = r#"{
  "time": "2026-03-02T06:00:00Z",
  "vessel_imo": "IMO9074729",
  "fao_area": "71",
  "gear": "LLD",
  "catch_start": "2026-03-01T04:00:00Z",
  "catch_end": "2026-03-02T05:30:00Z",
  "outputs": [
    {"lot": "SH7-2026-03-YFT", "quantity_kg": 1200.0, "species": "YFT"},
    {"lot": "SH7-2026-03-BET", "quantity_kg": 300.5, "species": "BET"}
  ],
  "attestations": ["sha256:ef570ae8f37f8e9ce8366627c465a41cafac1463d9efa5575a57cc9989393f4a"]
}"#;

/// What the example's attestation id is the SHA-256 of.
const ATTESTATION_LABEL: &[u8] = b"catchcert format example: crew attestation of Sea Harvest 7";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Hex of at most `n` leading bytes, with `…` when shortened.
fn hex_head(b: &[u8], n: usize) -> String {
    if b.len() <= n {
        hex(b)
    } else {
        format!("{}…", hex(&b[..n]))
    }
}

/// The CBOR head (initial byte and argument) of a byte string of `len` bytes.
fn bstr_head(len: usize) -> Vec<u8> {
    let full = cbor::to_vec(&Value::Bytes(vec![0; len]));
    full[..full.len() - len].to_vec()
}

/// Diagnostic notation with one map entry per line, for reading.
fn pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match v {
        Value::Map(entries) if !entries.is_empty() => {
            out.push_str("{\n");
            for (i, (k, val)) in entries.iter().enumerate() {
                out.push_str(&format!("{pad}{k}: "));
                pretty(val, indent + 1, out);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&format!("{}}}", "  ".repeat(indent)));
        }
        Value::Array(items) if items.iter().any(|x| matches!(x, Value::Map(_))) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                pretty(item, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&format!("{}]", "  ".repeat(indent)));
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Print the worked example to stdout.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    let programme = Programme::new()?;
    let party = programme.party("vessel-a")?;
    let (name, imo, _) = vessels::SEA_HARVEST;
    let input: serde_json::Value = serde_json::from_str(INPUT)?;
    assert_eq!(input["vessel_imo"], imo);
    assert_eq!(
        input["attestations"][0],
        format!("sha256:{}", hex(&Sha256::digest(ATTESTATION_LABEL)))
    );
    let (p, _) = payload("format-example-catch", Kind::Catch, &input, ISSUED_AT)?;
    let payload_bytes = p.to_cbor();
    let signed = sign_payload("format-example-catch", party, p, None)?;
    let msg = cose::decode(&signed.bytes)?;
    msg.verify(&party.key.verifying_key())?;
    assert_eq!(
        msg.payload, payload_bytes,
        "the message embeds the payload bytes"
    );
    assert_eq!(
        Payload::from_cbor(&msg.payload)?,
        signed.payload,
        "the payload decodes to what was signed"
    );

    println!("== JSON input ({name}, issued_at {ISSUED_AT})");
    println!("{INPUT}");

    // Decoded from the bytes, so that maps print in their encoded (sorted) order.
    let decoded = cbor::from_slice(&payload_bytes, &cbor::Limits::default())?;
    let mut diag = String::new();
    pretty(&decoded, 0, &mut diag);
    println!("\n== payload, CBOR diagnostic notation");
    println!("{diag}");
    println!("\n== payload, one line (Value Display)");
    println!("{decoded}");
    println!("\n== payload hex ({} bytes)", payload_bytes.len());
    for chunk in payload_bytes.chunks(32) {
        println!("{}", hex(chunk));
    }

    let cert = &party.chain[0];
    let cert_note = format!("h'{}' ({} bytes)", hex_head(cert, 2), cert.len());
    let prot = &msg.protected;
    // The protected header ends with the certificate: {1: -8, 3: "…", 33: h'…'}.
    let ct = cbor::to_vec(&Value::text(catchcert_model::PAYLOAD_CONTENT_TYPE));
    let cert_start = prot.len() - cert.len();
    assert_eq!(
        &prot[cert_start..],
        cert.as_slice(),
        "x5chain is the last item"
    );
    println!("\n== protected header ({} bytes)", prot.len());
    println!(
        "{{1: -8, 3: \"{}\", 33: {cert_note}}}",
        catchcert_model::PAYLOAD_CONTENT_TYPE
    );
    let x5 = 4 + ct.len();
    assert_eq!(
        &prot[..4],
        &[0xa3, 0x01, 0x27, 0x03],
        "alg, then content type"
    );
    assert_eq!(&prot[4..x5], ct.as_slice());
    assert_eq!(&prot[x5..x5 + 2], &[0x18, 0x21], "label 33");
    println!("{:<44}; map(3)", "a3");
    println!("{:<44}; 1 (alg): -8 (EdDSA)", "01 27");
    println!(
        "{:<44}; 3 (content type): text(38)",
        format!("03 {}", hex(&ct[..2]))
    );
    println!("  {}", hex(&ct[2..]));
    println!(
        "{:<44}; 33 (x5chain): bstr({}), the DER certificate",
        format!(
            "18 21 {} {}",
            hex(&prot[x5 + 2..cert_start]),
            hex_head(cert, 4)
        ),
        cert.len()
    );

    let tbs = msg.to_be_signed();
    let expect = cbor::to_vec(&Value::Array(vec![
        Value::text("Signature1"),
        Value::Bytes(prot.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload_bytes.clone()),
    ]));
    assert_eq!(tbs, expect, "Sig_structure layout");
    println!("\n== Sig_structure ({} bytes)", tbs.len());
    println!("{:<44}; array(4)", hex(&tbs[..1]));
    println!("{:<44}; \"Signature1\"", hex(&tbs[1..12]));
    println!(
        "{:<44}; protected header as above",
        format!("{} <{} bytes>", hex(&bstr_head(prot.len())), prot.len())
    );
    println!("{:<44}; external_aad: empty", "40");
    println!(
        "{:<44}; the payload bytes",
        format!(
            "{} <{} bytes>",
            hex(&bstr_head(payload_bytes.len())),
            payload_bytes.len()
        )
    );

    println!("\n== COSE_Sign1 message ({} bytes)", signed.bytes.len());
    println!("{:<44}; tag(18)", hex(&signed.bytes[..1]));
    println!("{:<44}; array(4)", hex(&signed.bytes[1..2]));
    println!(
        "{:<44}; protected: bstr holding the header",
        format!("{} <{} bytes>", hex(&bstr_head(prot.len())), prot.len())
    );
    println!("{:<44}; unprotected: {{}}", "a0");
    println!(
        "{:<44}; payload: bstr",
        format!(
            "{} <{} bytes>",
            hex(&bstr_head(payload_bytes.len())),
            payload_bytes.len()
        )
    );
    println!(
        "{:<44}; signature: bstr(64)",
        format!("5840 {}", hex_head(&msg.signature, 4))
    );
    println!(
        "\nsigner public key {}",
        hex(party.key.verifying_key().as_bytes())
    );
    println!("id {}", signed.id);

    // A crew commitment and a disclosure file of the demo's first crew attestation.
    let (att, disclosure) = payload(
        "01-crew-sea-harvest",
        Kind::CrewAttestation,
        &crew_attestation_json(vessels::SEA_HARVEST, false),
        "2026-01-15T10:00:00Z",
    )?;
    let mut disclosure = disclosure.ok_or("a crew attestation has a disclosure")?;
    let att_signed = sign_payload(
        "01-crew-sea-harvest",
        programme.party("auditor")?,
        att,
        Some(disclosure.clone()),
    )?;
    disclosure.certificate = Some(att_signed.id);
    let first = &disclosure.crew[0];
    let mut salt = [0u8; 16];
    for (i, s) in salt.iter_mut().enumerate() {
        *s = u8::from_str_radix(&first.salt[2 * i..2 * i + 2], 16)?;
    }
    let e = &first.entry;
    let preimage = cbor::to_vec(&Value::Map(vec![
        (Value::text("salt"), Value::Bytes(salt.to_vec())),
        (Value::text("name"), Value::text(e.name.as_str())),
        (
            Value::text("nationality"),
            Value::text(e.nationality.as_str()),
        ),
        (Value::text("role"), Value::text(e.role.as_str())),
        (
            Value::text("written_agreement"),
            Value::Bool(e.written_agreement),
        ),
        (
            Value::text("holds_own_documents"),
            Value::Bool(e.holds_own_documents),
        ),
        (
            Value::text("recruitment_fee_paid"),
            Value::Bool(e.recruitment_fee_paid),
        ),
        (
            Value::text("wage_method"),
            Value::text(e.wage_method.as_str()),
        ),
    ]));
    let commitment: [u8; 32] = Sha256::digest(&preimage).into();
    assert_eq!(
        commitment,
        catchcert_model::crew::commitment(&salt, e),
        "commitment preimage"
    );
    let catchcert_model::payload::Details::CrewAttestation(a) = att_signed.payload.details() else {
        return Err("not a crew attestation".into());
    };
    assert_eq!(a.crew[0].commitment, commitment, "signed commitment");
    let pre_diag = cbor::from_slice(&preimage, &cbor::Limits::default())?;
    println!("\n== crew commitment preimage of crew[0] of the Sea Harvest 7 attestation");
    println!("{pre_diag}");
    for chunk in preimage.chunks(32) {
        println!("{}", hex(chunk));
    }
    println!("commitment {}", hex(&commitment));
    println!("\n== disclosure file (certificate id of this run)");
    println!("{}", serde_json::to_string_pretty(&disclosure)?);

    // The complete message and the trust anchor it verifies against, from this one run.
    println!("\n== complete COSE_Sign1 message, hex (id {})", signed.id);
    for chunk in signed.bytes.chunks(32) {
        println!("{}", hex(chunk));
    }
    println!("\n== trust anchor of this run");
    print!("{}", programme.root_pem);
    Ok(())
}

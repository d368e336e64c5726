//! Checkpoints, signed notes, cosignatures and tlog-proofs: round trips and tamper cases.

use catchcert_tlog::*;
use ed25519_dalek::SigningKey;
use rand_core::OsRng;

const ORIGIN: &str = "example.org/catchcert-log";

fn keys() -> (SigningKey, NoteKey) {
    let sk = SigningKey::generate(&mut OsRng);
    let nk = NoteKey::new(ORIGIN, sk.verifying_key());
    (sk, nk)
}

fn witness(name: &str) -> (SigningKey, WitnessKey) {
    let sk = SigningKey::generate(&mut OsRng);
    let wk = WitnessKey::new(name, sk.verifying_key());
    (sk, wk)
}

#[test]
fn checkpoint_round_trip_and_tamper() {
    let (sk, nk) = keys();
    let cp = Checkpoint::new(ORIGIN, 42, leaf_hash(b"x"));
    let note = sign_checkpoint(&cp, ORIGIN, &sk);
    assert_eq!(
        open_checkpoint(note.as_bytes(), &nk, Some(ORIGIN)).unwrap(),
        cp
    );
    assert_eq!(open_checkpoint(note.as_bytes(), &nk, None).unwrap(), cp);
    // Another origin is refused.
    assert!(matches!(
        open_checkpoint(note.as_bytes(), &nk, Some("other.example/log")),
        Err(NoteError::WrongOrigin { .. })
    ));
    // A changed size is refused.
    let tampered = note.replacen("\n42\n", "\n43\n", 1);
    assert!(matches!(
        open_checkpoint(tampered.as_bytes(), &nk, Some(ORIGIN)),
        Err(NoteError::NotSigned(_))
    ));
    // Another key is refused.
    let (_, other) = keys();
    assert!(open_checkpoint(note.as_bytes(), &other, Some(ORIGIN)).is_err());
    // The verifier key text round-trips.
    assert_eq!(NoteKey::parse_vkey(&nk.vkey()).unwrap(), nk);
    // Extension lines are kept.
    let mut ext = cp.clone();
    ext.extensions.push("extension line".into());
    let n2 = sign_checkpoint(&ext, ORIGIN, &sk);
    assert_eq!(open_checkpoint(n2.as_bytes(), &nk, None).unwrap(), ext);
    // Garbage never panics.
    for bad in ["", "\n\n", "a\n\n— x y\n", "x\n1\nAAAA\n\n— a AAAA\n"] {
        assert!(open_checkpoint(bad.as_bytes(), &nk, None).is_err());
    }
}

#[test]
fn checkpoint_body_rules() {
    let root = leaf_hash(b"r");
    let good = Checkpoint::new("o", 0, root).body();
    assert!(Checkpoint::parse_body(&good).is_ok());
    for bad in [
        good.replace("\n0\n", "\n00\n"),
        good.replace("\n0\n", "\n-1\n"),
        good.replace("\n0\n", "\n\n"),
        good.trim_end().to_string(),
        format!("\n{}", &good[2..]),
        "o\n1\nAAAA\n".to_string(),
    ] {
        assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn cosignatures_count_distinct_valid_witnesses() {
    let (sk, nk) = keys();
    let (w1s, w1) = witness("witness-one");
    let (w2s, w2) = witness("witness-two");
    let (_w3s, w3) = witness("witness-three");
    let cp = Checkpoint::new(ORIGIN, 7, leaf_hash(b"root"));
    let note = sign_checkpoint(&cp, ORIGIN, &sk);
    let body = cp.body();
    let c1 = cosign(&body, "witness-one", &w1s, 1_700_000_000);
    let c2 = cosign(&body, "witness-two", &w2s, 1_700_000_001);
    let all = vec![w1.clone(), w2.clone(), w3.clone()];
    assert_eq!(count_cosignatures(note.as_bytes(), &all).unwrap(), 0);
    let cosigned = add_signature_lines(&note, &[c1.clone(), c2.clone(), c1.clone()]);
    assert_eq!(count_cosignatures(cosigned.as_bytes(), &all).unwrap(), 2);
    // The log signature still opens; the cosignature time is recovered.
    assert_eq!(open_checkpoint(cosigned.as_bytes(), &nk, None).unwrap(), cp);
    let v = valid_cosigners(cosigned.as_bytes(), &all).unwrap();
    assert_eq!(v[0].1, 1_700_000_000);
    // The same witness listed twice counts once.
    assert_eq!(
        count_cosignatures(cosigned.as_bytes(), &[w1.clone(), w1.clone()]).unwrap(),
        1
    );
    // A cosignature over another checkpoint does not count here.
    let other = Checkpoint::new(ORIGIN, 8, leaf_hash(b"root")).body();
    let c_other = cosign(&other, "witness-three", &_w3s, 5);
    let mixed = add_signature_lines(&note, &[c_other]);
    assert_eq!(count_cosignatures(mixed.as_bytes(), &all).unwrap(), 0);
    // A log signature (type 0x01) by a witness key does not count as a cosignature.
    let plain = sign_note(&body, "witness-one", &w1s);
    let line = plain.rsplit_once("\n\n").unwrap().1.to_string();
    let as_sig = add_signature_lines(&note, &[line]);
    assert_eq!(count_cosignatures(as_sig.as_bytes(), &all).unwrap(), 0);
    // A changed timestamp breaks the cosignature.
    let tampered_time = cosign(&body, "witness-one", &w1s, 1);
    let forged = tampered_time.replacen(&tampered_time[tampered_time.len() - 6..], "AAAAA\n", 1);
    let bad = add_signature_lines(&note, &[forged]);
    assert_eq!(count_cosignatures(bad.as_bytes(), &all).unwrap_or(0), 0);
    // Witness vkeys round-trip and are not log keys.
    assert_eq!(WitnessKey::parse_vkey(&w1.vkey()).unwrap(), w1);
    assert!(NoteKey::parse_vkey(&w1.vkey()).is_err());
}

fn logged(n: u64) -> (MemoryLog, Vec<Vec<u8>>) {
    let mut l = MemoryLog::new();
    let mut entries = Vec::new();
    for i in 0..n {
        let e = format!("certificate {i}").into_bytes();
        l.append(&e).unwrap();
        entries.push(e);
    }
    (l, entries)
}

#[test]
fn tlog_proof_round_trip_and_findings() {
    let (sk, nk) = keys();
    let (ws, wk) = witness("witness-one");
    let (l, entries) = logged(10);
    let cp = Checkpoint::new(ORIGIN, l.size(), l.root());
    let note = sign_checkpoint(&cp, ORIGIN, &sk);
    let note = add_signature_lines(&note, &[cosign(&cp.body(), "witness-one", &ws, 99)]);
    for index in 0..10u64 {
        let p = TlogProof {
            extra: None,
            index,
            proof: prove_inclusion(10, index, &l).unwrap(),
            checkpoint: note.clone(),
        };
        let text = p.encode();
        let parsed = TlogProof::parse(&text).unwrap();
        assert_eq!(parsed, p);
        let e = &entries[index as usize];
        assert_eq!(
            parsed
                .verify(e, &nk, None, std::slice::from_ref(&wk), 1)
                .unwrap(),
            cp
        );
        // Another entry: log.proof_invalid.
        let err = parsed
            .verify(b"other", &nk, None, std::slice::from_ref(&wk), 1)
            .unwrap_err();
        assert_eq!(err.code(), "log.proof_invalid");
        // Threshold above the valid cosignatures: log.witness.
        let err = parsed
            .verify(e, &nk, None, std::slice::from_ref(&wk), 2)
            .unwrap_err();
        assert_eq!(err.code(), "log.witness");
        // Wrong log key or origin: log.checkpoint_invalid.
        let (_, other) = keys();
        assert_eq!(
            parsed.verify(e, &other, None, &[], 0).unwrap_err().code(),
            "log.checkpoint_invalid"
        );
        assert_eq!(
            parsed
                .verify(e, &nk, Some("elsewhere"), &[], 0)
                .unwrap_err()
                .code(),
            "log.checkpoint_invalid"
        );
    }
    // With extra data.
    let p = TlogProof {
        extra: Some(vec![1, 2, 3]),
        index: 3,
        proof: prove_inclusion(10, 3, &l).unwrap(),
        checkpoint: note.clone(),
    };
    assert_eq!(TlogProof::parse(&p.encode()).unwrap(), p);
    // Malformed texts: log.proof_invalid, never a panic.
    let good = p.encode();
    for bad in [
        String::new(),
        good.replacen("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2", 1),
        good.replacen("index 3", "index 03", 1),
        good.replacen("index 3", "index x", 1),
        good.replacen("\n\n", "\n", 1),
    ] {
        match TlogProof::parse(&bad) {
            Err(e) => assert_eq!(e.code(), "log.proof_invalid"),
            Ok(p) => assert!(p.verify(&entries[3], &nk, None, &[], 0).is_err()),
        }
    }
    // A checkpoint with a changed root in the proof: checkpoint invalid.
    let forged_cp = Checkpoint::new(ORIGIN, 10, leaf_hash(b"forged"));
    let forged_text = good.replace(&B64(cp.root), &B64(forged_cp.root));
    let parsed = TlogProof::parse(&forged_text).unwrap();
    assert_eq!(
        parsed
            .verify(&entries[3], &nk, None, &[], 0)
            .unwrap_err()
            .code(),
        "log.checkpoint_invalid"
    );
}

#[allow(non_snake_case)]
fn B64(h: Hash) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(h)
}

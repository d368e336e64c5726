//! Every vector of ../shared/vectors/rfc6962/merkle_vectors.json (see its SOURCE.md).

use catchcert_tlog::*;
use std::path::PathBuf;

fn vectors() -> Option<serde_json::Value> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/rfc6962/merkle_vectors.json");
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(serde_json::from_str(&s).unwrap()),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is missing under CI",
                p.display()
            );
            eprintln!("notice: {} absent; skipping the vector tests", p.display());
            None
        }
    }
}

fn h(v: &serde_json::Value) -> Hash {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn log_of(v: &serde_json::Value, n: usize) -> MemoryLog {
    let mut log = MemoryLog::new();
    for leaf in v["leaf_inputs_hex"].as_array().unwrap().iter().take(n) {
        log.append(&hex::decode(leaf.as_str().unwrap()).unwrap())
            .unwrap();
    }
    log
}

#[test]
fn roots_by_size() {
    let Some(v) = vectors() else { return };
    let roots = v["roots_by_size_hex"].as_array().unwrap();
    assert_eq!(roots.len(), 9);
    let log = log_of(&v, 8);
    for (size, root) in roots.iter().enumerate() {
        assert_eq!(log.root_at(size as u64).unwrap(), h(root), "size {size}");
    }
    // The leaf hashes are the bottom level of the full tree.
    let levels = v["node_hashes_by_level_hex"].as_array().unwrap();
    for (i, leaf) in v["leaf_inputs_hex"].as_array().unwrap().iter().enumerate() {
        let bytes = hex::decode(leaf.as_str().unwrap()).unwrap();
        assert_eq!(leaf_hash(&bytes), h(&levels[0][i]));
    }
}

#[test]
fn inclusion_proofs() {
    let Some(v) = vectors() else { return };
    let log = log_of(&v, 8);
    let leaves = v["leaf_inputs_hex"].as_array().unwrap();
    let cases = v["inclusion_proofs"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for c in cases {
        let index = c["leaf_index"].as_u64().unwrap();
        let size = c["tree_size"].as_u64().unwrap();
        let proof: Vec<Hash> = c["proof_hex"].as_array().unwrap().iter().map(h).collect();
        let root = h(&v["roots_by_size_hex"][size as usize]);
        let leaf = leaf_hash(&hex::decode(leaves[index as usize].as_str().unwrap()).unwrap());
        verify_inclusion(&proof, size, &root, index, &leaf).unwrap();
        assert_eq!(prove_inclusion(size, index, &log).unwrap(), proof, "{c}");
        // Another leaf, or a proof for the wrong index, fails.
        let other = leaf_hash(b"not in the tree");
        assert!(verify_inclusion(&proof, size, &root, index, &other).is_err());
        if size > 1 {
            assert!(verify_inclusion(&proof, size, &root, (index + 1) % size, &leaf).is_err());
        }
    }
}

#[test]
fn consistency_proofs() {
    let Some(v) = vectors() else { return };
    let log = log_of(&v, 8);
    let cases = v["consistency_proofs"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for c in cases {
        let n = c["size1"].as_u64().unwrap();
        let m = c["size2"].as_u64().unwrap();
        let proof: Vec<Hash> = c["proof_hex"].as_array().unwrap().iter().map(h).collect();
        let rn = h(&v["roots_by_size_hex"][n as usize]);
        let rm = h(&v["roots_by_size_hex"][m as usize]);
        verify_consistency(&proof, n, &rn, m, &rm).unwrap();
        assert_eq!(prove_consistency(n, m, &log).unwrap(), proof, "{c}");
        // A different old root fails.
        let wrong = leaf_hash(b"fork");
        assert!(verify_consistency(&proof, n, &wrong, m, &rm).is_err());
    }
}

#[test]
fn signed_notes() {
    let Some(v) = vectors() else { return };
    let sn = &v["signed_notes"];
    let text = sn["text"].as_str().unwrap();
    for (name, vkey) in sn["verifier_keys"].as_object().unwrap() {
        let key = NoteKey::parse_vkey(vkey.as_str().unwrap()).unwrap();
        assert_eq!(&key.name, name);
        assert_eq!(key.vkey(), vkey.as_str().unwrap());
        let line = sn["signature_lines"][name].as_str().unwrap();
        let note = format!("{text}\n{line}\n");
        assert_eq!(open_note(note.as_bytes(), &key).unwrap(), text);
        // A changed body fails.
        let tampered = note.replacen("cryptography", "Cryptography", 1);
        assert!(open_note(tampered.as_bytes(), &key).is_err());
    }
    // Signing with the upstream private key reproduces the signature line.
    let skey = sn["signer_key_PeterNeumann"].as_str().unwrap();
    let parts: Vec<&str> = skey.splitn(5, '+').collect();
    assert_eq!(&parts[..3], ["PRIVATE", "KEY", "PeterNeumann"]);
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(parts[4])
        .unwrap();
    assert_eq!(raw[0], 1);
    let seed: [u8; 32] = raw[1..].try_into().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let note = sign_note(text, "PeterNeumann", &key);
    let line = sn["signature_lines"]["PeterNeumann"].as_str().unwrap();
    assert_eq!(note, format!("{text}\n{line}\n"));
}

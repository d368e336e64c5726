//! Batch verification (`signature::verify_batch`) accepts exactly what the single strict
//! path (`verify_strict`) accepts: every published vector of `shared/vectors/ed25519`
//! (RFC 8032, Wycheproof, speccheck, CCTV) goes through both, alone and inside batches that
//! mix it with good and bad signatures, and the verdicts are compared one by one.
//!
//! When the shared folder is absent the tests print a notice and pass without checking
//! anything (under `CI=true` they fail instead).

use catchcert_verify::par::PARALLEL_MIN;
use catchcert_verify::signature::{
    BatchItem, PrimeOrderKey, SignatureChecked, SignatureError, Signed, verify_batch,
    verify_prime_order, verify_with_key,
};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
mod ed25519_common;

use ed25519_common::{read_json, unhex, vectors_dir};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Rfc8032File {
    vectors: Vec<Rfc8032Vector>,
}
#[derive(Deserialize)]
struct Rfc8032Vector {
    name: String,
    public_key: String,
    message: String,
    signature: String,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofFile {
    test_groups: Vec<WycheproofGroup>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofGroup {
    public_key: WycheproofKey,
    tests: Vec<WycheproofTest>,
}
#[derive(Deserialize)]
struct WycheproofKey {
    pk: String,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WycheproofTest {
    tc_id: u32,
    msg: String,
    sig: String,
}
#[derive(Deserialize)]
struct SpeccheckCase {
    message: String,
    pub_key: String,
    signature: String,
}
#[derive(Deserialize)]
struct CctvVector {
    number: usize,
    key: String,
    sig: String,
    msg: String,
}

/// One vector whose key decodes (a key that does not decode never reaches either path).
#[derive(Clone)]
struct Vector {
    name: String,
    key: VerifyingKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Vector {
    fn item(&self) -> BatchItem<'_> {
        BatchItem {
            key: &self.key,
            message: (&self.message).into(),
            signature: &self.signature,
        }
    }
    fn single(&self) -> Result<SignatureChecked, SignatureError> {
        verify_with_key(&self.key, &self.message, &self.signature)
    }
}

/// A vector's name, key, message and signature, as read.
type RawVector = (String, Vec<u8>, Vec<u8>, Vec<u8>);

/// Every vector of the four sources, and how many had a key that does not decode.
fn all_vectors(dir: &Path) -> (Vec<Vector>, usize) {
    let mut raw: Vec<RawVector> = Vec::new();
    let rfc: Rfc8032File = read_json(dir, "rfc8032_ed25519.json");
    for v in rfc.vectors {
        raw.push((
            format!("rfc8032 {}", v.name),
            unhex(&v.public_key),
            unhex(&v.message),
            unhex(&v.signature),
        ));
    }
    let wp: WycheproofFile = read_json(dir, "wycheproof_ed25519_test.json");
    for g in wp.test_groups {
        let pk = unhex(&g.public_key.pk);
        for t in g.tests {
            raw.push((
                format!("wycheproof tcId {}", t.tc_id),
                pk.clone(),
                unhex(&t.msg),
                unhex(&t.sig),
            ));
        }
    }
    let sc: Vec<SpeccheckCase> = read_json(dir, "speccheck_cases.json");
    for (i, c) in sc.into_iter().enumerate() {
        raw.push((
            format!("speccheck case {i}"),
            unhex(&c.pub_key),
            unhex(&c.message),
            unhex(&c.signature),
        ));
    }
    let cctv: Vec<CctvVector> = read_json(dir, "cctv_ed25519vectors.json");
    for v in cctv {
        raw.push((
            format!("cctv {}", v.number),
            unhex(&v.key),
            v.msg.into_bytes(),
            unhex(&v.sig),
        ));
    }
    let mut bad_keys = 0;
    let vectors = raw
        .into_iter()
        .filter_map(|(name, pk, message, signature)| {
            let key = <[u8; 32]>::try_from(pk.as_slice())
                .ok()
                .and_then(|b| VerifyingKey::from_bytes(&b).ok());
            if key.is_none() {
                bad_keys += 1;
            }
            Some(Vector {
                name,
                key: key?,
                message,
                signature,
            })
        })
        .collect();
    (vectors, bad_keys)
}

/// Good signatures by fresh keys, to mix into batches.
fn good(n: usize) -> Vec<Vector> {
    (0..n)
        .map(|i| {
            let sk = SigningKey::from_bytes(&[(i % 251) as u8 + 1; 32]);
            let message = format!("good message {i}").into_bytes();
            Vector {
                name: format!("good {i}"),
                key: sk.verifying_key(),
                signature: sk.sign(&message).to_bytes().to_vec(),
                message,
            }
        })
        .collect()
}

/// The places of the items `verify_batch` rejects.
fn rejected(items: &[BatchItem<'_>]) -> Vec<usize> {
    let got = verify_batch(items);
    assert_eq!(got.len(), items.len(), "one verdict per item");
    (0..got.len()).filter(|&i| got[i].is_err()).collect()
}

/// Run `batch` through `verify_batch` and compare each verdict with the single path.
fn compare(batch: &[&Vector], context: &str, failures: &mut Vec<String>) {
    let items: Vec<BatchItem<'_>> = batch.iter().map(|v| v.item()).collect();
    let got = verify_batch(&items);
    assert_eq!(got.len(), batch.len(), "one verdict per item");
    for (v, got) in batch.iter().zip(got) {
        let want = v.single();
        if got != want {
            failures.push(format!(
                "{} ({context}): single {want:?}, batch {got:?}",
                v.name
            ));
        }
    }
}

#[test]
fn every_vector_gets_the_single_verdict_alone_and_in_mixed_batches() {
    let Some(dir) = vectors_dir() else { return };
    let (vectors, bad_keys) = all_vectors(&dir);
    // 5 + 151 + 12 + 914 vectors; the keys that do not decode are rejected before either
    // path (VerifyingKey::from_bytes), so both answer BadKey for them.
    assert_eq!(vectors.len() + bad_keys, 5 + 151 + 12 + 914);
    let accepted = vectors.iter().filter(|v| v.single().is_ok()).count();
    let rejected = vectors.len() - accepted;
    assert!(accepted > 100 && rejected > 100, "{accepted} / {rejected}");
    let pad = good(16);
    let mut failures = Vec::new();
    for v in &vectors {
        // Alone, and between good signatures (a batch of 9: the batch equation runs).
        compare(&[v], "alone", &mut failures);
        let mut mixed: Vec<&Vector> = pad[..4].iter().collect();
        mixed.push(v);
        mixed.extend(&pad[4..8]);
        compare(&mixed, "among 8 good", &mut failures);
    }
    // All vectors in one call, in file order and in strides that mix sources, each with
    // good signatures between them; the largest runs on the parallel path.
    let all: Vec<&Vector> = vectors.iter().collect();
    compare(&all, "all in one call", &mut failures);
    for stride in [7usize, 31, 97] {
        let mut order: Vec<&Vector> = Vec::new();
        for start in 0..stride {
            for (k, v) in all.iter().skip(start).step_by(stride).enumerate() {
                order.push(v);
                order.push(&pad[(start + k) % pad.len()]);
            }
        }
        assert!(order.len() >= PARALLEL_MIN);
        compare(&order, &format!("stride {stride}"), &mut failures);
    }
    // The accepted vectors alone: every batch holds on the first try.
    let ok: Vec<&Vector> = vectors.iter().filter(|v| v.single().is_ok()).collect();
    compare(&ok, "accepted only", &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mixed_order_keys_and_r_are_judged_alone_not_by_the_batch_equation() {
    // speccheck case 3: mixed-order A and R, valid under the cofactorless equation, which
    // verify_strict accepts; case 4 and 5 hold only under the cofactored equation.
    let Some(dir) = vectors_dir() else { return };
    let cases: Vec<SpeccheckCase> = read_json(&dir, "speccheck_cases.json");
    let pad = good(12);
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let pk: [u8; 32] = unhex(&c.pub_key).try_into().expect("32-byte key");
        let Ok(key) = VerifyingKey::from_bytes(&pk) else {
            continue;
        };
        let v = Vector {
            name: format!("speccheck case {i}"),
            key,
            message: unhex(&c.message),
            signature: unhex(&c.signature),
        };
        for at in [0, 6, 12] {
            let mut batch: Vec<&Vector> = pad.iter().collect();
            batch.insert(at, &v);
            compare(&batch, &format!("at {at} of 13"), &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_bad_signature_is_found_in_a_large_batch_and_the_rest_stand() {
    let mut vs = good(1_000);
    for i in [0usize, 499, 500, 998] {
        vs[i].signature[40] ^= 1; // s changed
    }
    vs[250].message.push(b'!'); // message changed
    vs[731].signature = vs[730].signature.clone(); // another message's signature
    let refs: Vec<&Vector> = vs.iter().collect();
    let items: Vec<BatchItem<'_>> = refs.iter().map(|v| v.item()).collect();
    assert_eq!(rejected(&items), [0, 250, 499, 500, 731, 998]);
    let mut failures = Vec::new();
    compare(&refs, "1 000 with 6 bad", &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lengths_are_named_in_a_batch_as_alone() {
    let vs = good(8);
    let short = vs[3].signature[..63].to_vec();
    let mut items: Vec<BatchItem<'_>> = vs.iter().map(|v| v.item()).collect();
    items[3].signature = &short;
    let got = verify_batch(&items);
    assert_eq!(got[3], Err(SignatureError::BadLength(63)));
    assert!(got.iter().enumerate().all(|(i, r)| i == 3 || r.is_ok()));
    assert!(verify_batch(&[]).is_empty());
}

/// `n` good signatures by `signers` keys, in turn.
fn by_signers(n: usize, signers: u8) -> Vec<Vector> {
    let keys: Vec<SigningKey> = (0..signers)
        .map(|k| SigningKey::from_bytes(&[k.wrapping_mul(37).wrapping_add(11); 32]))
        .collect();
    (0..n)
        .map(|i| {
            let sk = &keys[i % keys.len()];
            let message = format!("lot {i} of a signer's batch").into_bytes();
            Vector {
                name: format!("signer {} message {i}", i % keys.len()),
                key: sk.verifying_key(),
                signature: sk.sign(&message).to_bytes().to_vec(),
                message,
            }
        })
        .collect()
}

#[test]
fn signatures_under_one_key_share_its_term_but_not_their_coefficients() {
    // The batch sums the terms of one key's signatures into one coefficient of that key.
    // Two signatures of one signer with their s values swapped are each wrong by the
    // same amount with opposite signs: a combination that gave them equal weights would
    // cancel the errors and pass both.
    let mut vs = by_signers(60, 3);
    assert_eq!(vs[3].key, vs[6].key);
    let (s3, s6) = (
        vs[3].signature[32..].to_vec(),
        vs[6].signature[32..].to_vec(),
    );
    vs[3].signature[32..].copy_from_slice(&s6);
    vs[6].signature[32..].copy_from_slice(&s3);
    // And one signature whose R and s belong to another message of the same signer.
    vs[40].signature = vs[43].signature.clone();
    let refs: Vec<&Vector> = vs.iter().collect();
    let items: Vec<BatchItem<'_>> = refs.iter().map(|v| v.item()).collect();
    assert_eq!(rejected(&items), [3, 6, 40]);
    assert_eq!(rejected(&items[..30]), [3, 6]);
    let mut failures = Vec::new();
    compare(&refs, "60 by 3 signers, 3 bad", &mut failures);
    // The truthful variant: many signatures by few signers all hold in one equation.
    let truthful = by_signers(300, 2);
    let refs: Vec<&Vector> = truthful.iter().collect();
    compare(&refs, "300 by 2 signers", &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `verify_strict` of ed25519-dalek itself, the reference.
fn dalek_strict(v: &Vector) -> bool {
    ed25519_dalek::Signature::from_slice(&v.signature)
        .is_ok_and(|sig| v.key.verify_strict(&v.message, &sig).is_ok())
}

/// The single check under a screened key, when the key screens in.
fn screened(v: &Vector) -> Option<bool> {
    let key = PrimeOrderKey::screen(&v.key)?;
    Some(verify_prime_order(&key, &Signed::Bytes(&v.message), &v.signature).is_ok())
}

#[test]
fn a_screened_key_gives_verify_strict_verdicts_on_every_vector_and_mutation() {
    let Some(dir) = vectors_dir() else { return };
    let (vectors, _) = all_vectors(&dir);
    let mut failures = Vec::new();
    let (mut screened_in, mut screened_out) = (0, 0);
    let mut check = |v: &Vector, context: &str| match screened(v) {
        Some(ours) => {
            screened_in += 1;
            let theirs = dalek_strict(v);
            if ours != theirs {
                failures.push(format!(
                    "{} ({context}): ours {ours}, verify_strict {theirs}",
                    v.name
                ));
            }
        }
        None => screened_out += 1,
    };
    for v in &vectors {
        check(v, "as published");
    }
    // Good signatures, then each with one bit flipped in R, in s (where s ≥ L lands) and
    // in the message, and with s + L (the same scalar, not canonical).
    let l: [u8; 32] = {
        let mut l = [0u8; 32];
        l[..16].copy_from_slice(&0x14de_f9de_a2f7_9cd6_5812_631a_5cf5_d3ed_u128.to_le_bytes());
        l[31] = 0x10;
        l
    };
    for (i, v) in good(200).into_iter().enumerate() {
        check(&v, "good");
        for (at, bit) in [(i % 32, i % 8), (32 + i % 16, 7 - i % 8), (63, i % 8)] {
            let mut m = v.clone();
            m.signature[at] ^= 1 << bit;
            check(&m, &format!("signature byte {at} bit {bit}"));
        }
        let mut m = v.clone();
        m.message.push(0);
        check(&m, "message extended");
        let mut m = v.clone();
        let mut carry = 0u16;
        for (b, add) in m.signature[32..].iter_mut().zip(l) {
            let sum = u16::from(*b) + u16::from(add) + carry;
            *b = sum as u8;
            carry = sum >> 8;
        }
        check(&m, "s + L");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The vectors' mixed-order and small-order keys stay with verify_strict.
    assert!(
        screened_in > 1_000 && screened_out > 50,
        "{screened_in} / {screened_out}"
    );
}

#[test]
fn an_identity_r_whose_equation_holds_is_refused_under_a_screened_key() {
    use curve25519_dalek::Scalar;
    use sha2::{Digest, Sha512};
    // R = the identity and s = k·a: [s]B − [k]A is the identity, so the equation holds;
    // verify_strict refuses R as a point of small order, and so must the screened check.
    let sk = SigningKey::from_bytes(&[9; 32]);
    let key = sk.verifying_key();
    let message = b"identity R".to_vec();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(identity)
            .chain_update(key.as_bytes())
            .chain_update(&message),
    );
    let s = k * sk.to_scalar();
    let signature = [identity, s.to_bytes()].concat();
    let v = Vector {
        name: "identity R".into(),
        key,
        message,
        signature,
    };
    assert!(!dalek_strict(&v));
    assert_eq!(screened(&v), Some(false));
    // The same construction with a real R verifies under both: the test can tell them apart.
    let good = &good(1)[0];
    assert_eq!((dalek_strict(good), screened(good)), (true, Some(true)));
}

//! Ed25519 signature checks: the one verify path the project uses, for COSE messages and
//! X.509 issuer certificates alike.
//!
//! It is `ed25519_dalek::VerifyingKey::verify_strict`, which rejects non-canonical point
//! encodings, small-order public keys and R values, and scalars `s ≥ L`. Plain `verify`
//! accepts some of these; a signature scheme where one message may carry several valid
//! signatures (malleability) or where a weak key verifies forged messages has no place
//! in an evidence chain. The shared test vectors pin exactly which edge cases this path
//! accepts (see `tests/ed25519_vectors.rs`).

use ed25519_dalek::{Signature, VerifyingKey};
use std::collections::HashMap;

/// Why a signature does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not 32 bytes or not a valid curve point.
    #[error("the public key is not a valid Ed25519 key")]
    BadKey,
    /// The signature is not 64 bytes.
    #[error("the signature is {0} bytes, not 64")]
    BadLength(usize),
    /// The signature does not verify under strict rules.
    #[error("the Ed25519 signature does not verify")]
    Invalid,
}

/// Proof that a signature was checked: only this module can make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureChecked(());

/// Signatures taken as valid before their batch is checked, so that the rules can run
/// beside the batch on a large set (see `pipeline`). The proofs [`Assumption::take`] hands
/// out are worth nothing until [`Assumption::holds`] finds every outcome of the batch
/// valid: a result computed with them may be used only then, and must be computed again
/// with the real outcomes otherwise. This and [`verify_with_key`]/[`verify_batch`] are the
/// only places a [`SignatureChecked`] is made.
#[must_use = "an assumption stands only once the batch confirms it"]
#[derive(Debug)]
pub(crate) struct Assumption {
    count: usize,
}

impl Assumption {
    /// Assume `count` signatures valid: one proof for each.
    pub(crate) fn take(count: usize) -> (Assumption, impl Iterator<Item = SignatureChecked>) {
        (
            Assumption { count },
            (0..count).map(|_| SignatureChecked(())),
        )
    }

    /// Whether the batch's `outcomes` confirm the assumption: as many as assumed, and every
    /// one valid.
    pub(crate) fn holds<E>(self, outcomes: &[Result<SignatureChecked, E>]) -> bool {
        outcomes.len() == self.count && outcomes.iter().all(Result::is_ok)
    }
}

/// Verify an Ed25519 signature strictly.
pub fn verify_ed25519(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureChecked, SignatureError> {
    let key_bytes: [u8; 32] = public_key.try_into().map_err(|_| SignatureError::BadKey)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| SignatureError::BadKey)?;
    verify_with_key(&key, message, signature)
}

/// Verify with an already decoded key.
pub fn verify_with_key(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureChecked, SignatureError> {
    let sig =
        Signature::from_slice(signature).map_err(|_| SignatureError::BadLength(signature.len()))?;
    key.verify_strict(message, &sig)
        .map(|()| SignatureChecked(()))
        .map_err(|_| SignatureError::Invalid)
}

/// A key screened once for many single checks: canonically encoded, in the prime-order
/// subgroup and not the identity ([`PrimeOrderKey::screen`], the batch's screening of a
/// key). Under such a key `verify_strict`'s verdict is the cofactorless equation alone,
/// which crrl's double-base multiplication computes in about 0.7× of `verify_strict`'s
/// time ([`verify_prime_order`]). crrl reduces scalars modulo `L` before multiplying,
/// which is exact only on the prime-order subgroup: a key with a torsion component is
/// never screened in.
#[derive(Clone, Copy, Debug)]
pub struct PrimeOrderKey {
    point: crrl::ed25519::Point,
    bytes: [u8; 32],
}

impl PartialEq for PrimeOrderKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PrimeOrderKey {}

impl PrimeOrderKey {
    /// The key screened, or `None` when `verify_strict` must judge its signatures
    /// (small order, a torsion component or a non-canonical encoding).
    pub fn screen(key: &VerifyingKey) -> Option<Self> {
        match screen_key(key) {
            KeyScreen::Batch(point) => Some(PrimeOrderKey {
                point,
                bytes: *key.as_bytes(),
            }),
            KeyScreen::Weak | KeyScreen::Alone => None,
        }
    }
}

/// The canonical encoding of the identity point, the one point of small order in the
/// prime-order subgroup.
const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

/// [`verify_with_key`]'s verdict (`verify_strict`'s) for a signature under a screened key.
///
/// With `A` of prime order, canonical and not the identity, `verify_strict` accepts exactly
/// when `s < L`, `R` is not of small order and the canonical encoding of `[s]B − [k]A`
/// equals `R`'s bytes. That point is in the prime-order subgroup, so `R`'s bytes can equal
/// its encoding only if they are a canonical encoding of a point of that subgroup: an `R`
/// that does not decode, is not canonical or is of small order other than the identity
/// never matches, and the identity is refused by its bytes. No `R` is decoded. Tested
/// against `verify_strict` on every vector with a screened key and on mutations
/// (`tests/ed25519_batch.rs`).
pub fn verify_prime_order(
    key: &PrimeOrderKey,
    message: &Signed<'_>,
    signature: &[u8],
) -> Result<SignatureChecked, SignatureError> {
    use crrl::ed25519::Scalar;
    let sig =
        Signature::from_slice(signature).map_err(|_| SignatureError::BadLength(signature.len()))?;
    let Some(s) = Scalar::decode(sig.s_bytes()) else {
        return Err(SignatureError::Invalid);
    };
    let r = sig.r_bytes();
    if *r == IDENTITY {
        return Err(SignatureError::Invalid);
    }
    let k = challenge(signature, &key.bytes, message);
    let k = Scalar::decode_reduce(k.as_bytes());
    if key.point.mul_add_mulgen_vartime(&-k, &s).encode() == *r {
        Ok(SignatureChecked(()))
    } else {
        Err(SignatureError::Invalid)
    }
}

/// One signature of a batch: the issuer's key, the signed bytes and the signature.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The signer's key.
    pub key: &'a VerifyingKey,
    /// The signed bytes.
    pub message: Signed<'a>,
    /// The signature as received (64 bytes to verify).
    pub signature: &'a [u8],
}

/// The bytes a signature covers: given whole, or as the two variable parts of a COSE_Sign1
/// `Sig_structure` (RFC 9052 §4.4), which the batch hashes without assembling it.
#[derive(Clone, Copy, Debug)]
pub enum Signed<'a> {
    /// The bytes themselves.
    Bytes(&'a [u8]),
    /// `["Signature1", protected, h'', payload]`, CBOR-encoded with definite lengths in
    /// their shortest form (what `Sign1::to_be_signed` of the cose module returns).
    Sign1 {
        /// The protected header, as received.
        protected: &'a [u8],
        /// The payload.
        payload: &'a [u8],
    },
}

impl<'a> From<&'a [u8]> for Signed<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Signed::Bytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Signed<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Signed::Bytes(bytes)
    }
}

impl Signed<'_> {
    /// Hand the bytes to `out` in order, in pieces.
    pub fn feed(&self, mut out: impl FnMut(&[u8])) {
        match *self {
            Signed::Bytes(b) => out(b),
            Signed::Sign1 { protected, payload } => {
                // array(4), text(10) "Signature1"
                out(b"\x84\x6aSignature1");
                out(&bstr_head(protected.len()));
                out(protected);
                // the empty external_aad, then the payload
                out(&[0x40]);
                out(&bstr_head(payload.len()));
                out(payload);
            }
        }
    }

    /// The bytes, assembled when given in parts.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.feed(|part| v.extend_from_slice(part));
        v
    }
}

/// The head of a CBOR byte string of `len` bytes (major type 2), shortest form.
fn bstr_head(len: usize) -> Vec<u8> {
    let len = len as u64;
    let mut head = Vec::with_capacity(9);
    match len {
        0..=23 => head.push(0x40 | len as u8),
        24..=0xff => head.extend([0x58, len as u8]),
        0x100..=0xffff => {
            head.push(0x59);
            head.extend((len as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            head.push(0x5a);
            head.extend((len as u32).to_be_bytes());
        }
        _ => {
            head.push(0x5b);
            head.extend(len.to_be_bytes());
        }
    }
    head
}

/// Items below this count are checked one by one: a batch equation saves work only when
/// it shares the multiscalar multiplication among several signatures.
const BATCH_MIN: usize = 4;

/// Verify many signatures; the result for each item is exactly what [`verify_with_key`]
/// (`verify_strict`) returns for it, in the same order.
///
/// Ed25519 batch verification checks one random linear combination of the cofactorless
/// equations `[s]B = R + [k]A`. It accepts exactly what `verify_strict` accepts for
/// signatures whose `s` is canonical, whose `R` is a canonical encoding, and whose `R` and
/// key `A` lie in the prime-order subgroup; everything else is settled before batching:
///
/// - `s ≥ L`, an `R` that does not decompress or is not the canonical encoding of its
///   point, a small-order `R` or key: rejected, as `verify_strict` rejects them;
/// - an `R` or key with a torsion component (mixed order), or a key whose encoding is not
///   canonical: checked alone with `verify_strict`, because a random combination could
///   cancel a torsion term that the single equation keeps.
///
/// The equation is this module's own, over crrl's points: each `R` is decoded once, by
/// the screening, whose subgroup test needs the point anyway, and the same point enters the
/// multiscalar multiplication (`msm`, Straus's method, where a 128-bit coefficient costs
/// half the additions of a full scalar). The terms of signatures under one key are summed
/// into one coefficient of that key, so a batch of `n` signatures by `m` signers
/// multiplies `n + m` points, not `2n`, and the base point once, with crrl's tables. With
/// `z_i` the batch coefficients it checks
/// `Σ [z_i]R_i + Σ_keys [Σ_{i under the key} z_i·k_i]A = [Σ z_i·s_i]B`.
///
/// A batch that fails is split in halves until the bad signatures are found (each one
/// then checked alone), so one bad signature costs a logarithmic number of batches. The
/// 128-bit coefficients are SHA-512 of a digest of every input of the batch (no system
/// randomness, so a verdict never depends on a run), and no verdict depends on them
/// otherwise: for inputs fixed before the coefficients are derived, a batch holds while
/// some equation fails with probability at most 2⁻¹²⁸.
///
/// Cost: each distinct key is screened once per batch (a set has few signers), but every
/// `R` needs its own prime-order-subgroup test (point halving, a few
/// square roots). A random combination cannot replace it: a torsion term survives a
/// combination only with probability 1/2 (the group's 2-torsion), not 2⁻¹²⁸. The gain over
/// sequential checks comes from the shared multiscalar multiplication, the cheaper
/// subgroup test, and splitting batches across threads (docs/performance.md "Chain
/// verification").
///
/// Sets of at least [`crate::par::PARALLEL_MIN`] items are cut into batches of at most
/// [`BATCH_CHUNK`], at least one per thread of rayon's pool, checked on that pool; the
/// results do not depend on the cut.
pub fn verify_batch(items: &[BatchItem<'_>]) -> Vec<Result<SignatureChecked, SignatureError>> {
    verify_batch_from(items, crate::par::PARALLEL_MIN)
}

/// [`verify_batch`], split across threads from `parallel_from` items (tests force the
/// parallel path with small sets this way).
pub fn verify_batch_from(
    items: &[BatchItem<'_>],
    parallel_from: usize,
) -> Vec<Result<SignatureChecked, SignatureError>> {
    // Too few to share a batch equation: each alone, without screening for one.
    if items.len() < BATCH_MIN {
        return items.iter().map(verify_item).collect();
    }
    // A set has few signers: each distinct key is screened once.
    let mut keys: HashMap<[u8; 32], usize> = HashMap::new();
    let mut screens: Vec<KeyScreen> = Vec::new();
    let keyed: Vec<(usize, &BatchItem<'_>)> = items
        .iter()
        .map(|item| {
            let key = *keys.entry(*item.key.as_bytes()).or_insert_with(|| {
                screens.push(screen_key(item.key));
                screens.len() - 1
            });
            (key, item)
        })
        .collect();
    // Each item on its own: decoding `R`, its subgroup test and the challenge are most of
    // the cost, and spread item by item they keep every thread busy.
    let screened = crate::par::map(&keyed, parallel_from, |&(key, item)| {
        (key, screen(item, &screens[key]))
    });
    let mut out: Vec<Option<Result<SignatureChecked, SignatureError>>> = vec![None; items.len()];
    let mut batch: Vec<Screened> = Vec::with_capacity(items.len());
    let mut alone: Vec<usize> = Vec::new();
    for (index, (key, screened)) in screened.into_iter().enumerate() {
        match screened {
            Screen::Settled(r) => out[index] = Some(r),
            Screen::Alone => alone.push(index),
            Screen::Batch { r, s, k } => batch.push(Screened {
                index,
                key,
                r,
                s,
                k,
            }),
        }
    }
    let alone = crate::par::map(&alone, parallel_from, |&i| {
        let item = &items[i];
        (i, verify_item(item))
    });
    // Then the equations, one per chunk of the admitted items.
    let settled = crate::par::map_chunks(&batch, BATCH_CHUNK, parallel_from, |chunk| {
        let mut settled = Vec::with_capacity(chunk.len());
        settle(items, &screens, chunk, &mut settled);
        settled
    });
    for (i, r) in alone.into_iter().chain(settled) {
        out[i] = Some(r);
    }
    out.into_iter()
        .map(|r| r.unwrap_or(Err(SignatureError::Invalid)))
        .collect()
}

/// Signatures per batch equation when a large set is split across threads.
pub const BATCH_CHUNK: usize = 512;

/// One item alone, with `verify_strict`.
fn verify_item(item: &BatchItem<'_>) -> Result<SignatureChecked, SignatureError> {
    match item.message {
        Signed::Bytes(message) => verify_with_key(item.key, message, item.signature),
        parts => verify_with_key(item.key, &parts.to_vec(), item.signature),
    }
}

/// What to do with one item before batching.
// Nearly every item is admitted to the batch: boxing the large variant would allocate
// once per signature to save room only for the rare others.
#[allow(clippy::large_enum_variant)]
enum Screen {
    /// The verdict is known without the equation.
    Settled(Result<SignatureChecked, SignatureError>),
    /// The equation must be checked alone (`verify_strict`).
    Alone,
    /// The item may join a batch: its decoded `R`, canonical `s` and challenge `k`.
    Batch {
        r: crrl::ed25519::Point,
        s: curve25519_dalek::Scalar,
        k: curve25519_dalek::Scalar,
    },
}

/// One item admitted to the batch equation.
struct Screened {
    /// Its place in the caller's items.
    index: usize,
    /// Its key's place among the batch's distinct keys.
    key: usize,
    r: crrl::ed25519::Point,
    s: curve25519_dalek::Scalar,
    /// `k = SHA-512(R ‖ A ‖ M) mod L`.
    k: curve25519_dalek::Scalar,
}

/// What a key allows, whatever the signature.
enum KeyScreen {
    /// Small order: `verify_strict` rejects every signature under it.
    Weak,
    /// Mixed order or a non-canonical encoding: its signatures are checked alone.
    Alone,
    /// In the prime-order subgroup, canonically encoded: its point.
    Batch(crrl::ed25519::Point),
}

fn screen_key(key: &VerifyingKey) -> KeyScreen {
    if key.is_weak() {
        return KeyScreen::Weak;
    }
    // Canonical first: the subgroup test reads the encoding.
    if key.to_edwards().compress().as_bytes() != key.as_bytes() {
        return KeyScreen::Alone;
    }
    match crrl::ed25519::Point::decode(key.as_bytes()) {
        Some(a) if in_prime_order_subgroup(&a) => KeyScreen::Batch(a),
        _ => KeyScreen::Alone,
    }
}

/// The Ed25519 challenge `k = SHA-512(R ‖ A ‖ M) mod L` of a 64-byte signature (RFC 8032
/// §5.1.7), with `A` the key's bytes as `verify_strict` hashes them.
fn challenge(signature: &[u8], key: &[u8; 32], message: &Signed<'_>) -> curve25519_dalek::Scalar {
    use sha2::{Digest, Sha512};
    let mut h = Sha512::new()
        .chain_update(&signature[..32])
        .chain_update(key);
    message.feed(|part| h.update(part));
    let digest = h.finalize();
    curve25519_dalek::Scalar::from_bytes_mod_order_wide(&digest.into())
}

/// Whether the 32 bytes encode a y coordinate below p = 2²⁵⁵ − 19 (the sign bit aside).
/// With y < p the only non-canonical encodings left are x = 0 with the sign bit set, whose
/// points (y = ±1) are of small order and rejected as such.
fn y_is_canonical(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// Whether the point `p` (an `R` or a key, canonically encoded and not of small order) is
/// in the prime-order subgroup. crrl's test (Pornin, "Point-halving and subgroup membership
/// in twisted Edwards curves", eprint 2022/1164): a point is in the subgroup exactly when
/// it can be halved three times, which costs a few square roots, about 60 % of a
/// variable-time multiplication by `L` (the test this replaced) with decoding included,
/// and half of curve25519-dalek's `is_torsion_free` (a constant-time multiplication by
/// `L`). Checked against `is_torsion_free` on every torsion class (tests below).
fn in_prime_order_subgroup(p: &crrl::ed25519::Point) -> bool {
    p.is_in_subgroup() != 0
}

fn screen(item: &BatchItem<'_>, key: &KeyScreen) -> Screen {
    use curve25519_dalek::scalar::Scalar;
    let sig = match Signature::from_slice(item.signature) {
        Ok(sig) => sig,
        Err(_) => return Screen::Settled(Err(SignatureError::BadLength(item.signature.len()))),
    };
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*sig.s_bytes())) else {
        return Screen::Settled(Err(SignatureError::Invalid));
    };
    // `verify_strict` decodes `R`, refuses it of small order, and compares the canonical
    // encoding of the point its equation gives with `R`'s bytes: an `R` whose y is not
    // below p never matches. (RFC 8032 decoding, which crrl follows, also refuses x = 0
    // with the sign bit set, where curve25519-dalek's decoding negates zero: both such
    // points are of small order, refused either way.)
    let r_bytes = sig.r_bytes();
    let r = match crrl::ed25519::Point::decode(r_bytes) {
        Some(r) if y_is_canonical(r_bytes) && r.has_low_order() == 0 => r,
        _ => return Screen::Settled(Err(SignatureError::Invalid)),
    };
    match key {
        KeyScreen::Weak => Screen::Settled(Err(SignatureError::Invalid)),
        KeyScreen::Alone => Screen::Alone,
        KeyScreen::Batch(_) if in_prime_order_subgroup(&r) => Screen::Batch {
            r,
            s,
            k: challenge(item.signature, item.key.as_bytes(), &item.message),
        },
        KeyScreen::Batch(_) => Screen::Alone,
    }
}

/// The batch coefficients: 128 bits each, SHA-512 of a digest that binds every input of
/// the batch (each `R`, `s`, key and challenge, which binds the message) and the count.
fn coefficients(items: &[BatchItem<'_>], batch: &[Screened]) -> Vec<curve25519_dalek::Scalar> {
    use sha2::{Digest, Sha512};
    let mut h = Sha512::new();
    h.update(b"catchcert ed25519 batch coefficients v1");
    h.update((batch.len() as u64).to_le_bytes());
    for b in batch {
        h.update(&items[b.index].signature[..64]);
        h.update(items[b.index].key.as_bytes());
        h.update(b.k.as_bytes());
    }
    let seed = h.finalize();
    let mut z = Vec::with_capacity(batch.len());
    let mut block = 0u64;
    while z.len() < batch.len() {
        let wide = Sha512::new()
            .chain_update(seed)
            .chain_update(block.to_le_bytes())
            .finalize();
        for half in wide.chunks_exact(16).take(batch.len() - z.len()) {
            let mut bytes = [0u8; 32];
            bytes[..16].copy_from_slice(half);
            z.push(curve25519_dalek::Scalar::from_bytes_mod_order(bytes));
        }
        block += 1;
    }
    z
}

/// Whether every equation of `batch` holds (up to the 2⁻¹²⁸ of the random combination):
/// `Σ [z_i]R_i + Σ_keys [Σ_{i under the key} z_i·k_i]A = [Σ z_i·s_i]B`, the left side one
/// multiscalar multiplication over the points the screening decoded (`msm`).
fn batch_holds(screens: &[KeyScreen], items: &[BatchItem<'_>], batch: &[Screened]) -> bool {
    use curve25519_dalek::Scalar;
    let z = coefficients(items, batch);
    let mut b_coefficient = Scalar::ZERO;
    // Per distinct key of this batch: its place among the screens and the sum of its z·k.
    let mut key_terms: Vec<(usize, Scalar)> = Vec::new();
    let mut terms: Vec<([u8; 32], crrl::ed25519::Point)> = Vec::with_capacity(batch.len() + 8);
    for (b, z) in batch.iter().zip(&z) {
        b_coefficient += z * b.s;
        terms.push((z.to_bytes(), b.r));
        match key_terms.iter_mut().find(|(key, _)| *key == b.key) {
            Some((_, sum)) => *sum += z * b.k,
            None => key_terms.push((b.key, z * b.k)),
        }
    }
    for (key, sum) in key_terms {
        let KeyScreen::Batch(a) = &screens[key] else {
            return false;
        };
        terms.push((sum.to_bytes(), *a));
    }
    let left = crate::msm::multiscalar_vartime(&terms);
    let right = crrl::ed25519::Point::mulgen(&crrl::ed25519::Scalar::decode_reduce(
        &b_coefficient.to_bytes(),
    ));
    left.equals(right) != 0
}

/// Settle the screened items `batch` (their outcomes appended to `out` with their places
/// among `items`): one batch equation, split in halves while it fails.
fn settle(
    items: &[BatchItem<'_>],
    screens: &[KeyScreen],
    batch: &[Screened],
    out: &mut Vec<(usize, Result<SignatureChecked, SignatureError>)>,
) {
    if batch.len() < BATCH_MIN {
        for b in batch {
            let item = &items[b.index];
            out.push((b.index, verify_item(item)));
        }
        return;
    }
    if batch_holds(screens, items, batch) {
        out.extend(batch.iter().map(|b| (b.index, Ok(SignatureChecked(())))));
        return;
    }
    let (left, right) = batch.split_at(batch.len() / 2);
    settle(items, screens, left, out);
    settle(items, screens, right, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::scalar::Scalar;

    /// The screened batch of `items`, item `i` under the key of `screens[i % n]`.
    fn screened(items: &[BatchItem<'_>], screens: &[KeyScreen]) -> Vec<Screened> {
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let key = index % screens.len();
                match screen(item, &screens[key]) {
                    Screen::Batch { r, s, k } => Screened {
                        index,
                        key,
                        r,
                        s,
                        k,
                    },
                    _ => panic!("item {index} not admitted"),
                }
            })
            .collect()
    }

    /// The equation itself, without the fallback that would hide a broken one (a batch
    /// that fails is settled one by one, with the same verdicts): it holds for good
    /// signatures by several keys, and fails when one signature covers another message.
    #[test]
    fn the_batch_equation_holds_for_good_signatures_and_only_for_them() {
        use ed25519_dalek::{Signer, SigningKey};
        let keys: Vec<SigningKey> = (1..=3u8)
            .map(|i| SigningKey::from_bytes(&[i; 32]))
            .collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let mut messages: Vec<Vec<u8>> = (0..24u8).map(|i| vec![i; 40 + usize::from(i)]).collect();
        let signatures: Vec<[u8; 64]> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % 3].sign(m).to_bytes())
            .collect();
        let screens: Vec<KeyScreen> = vks.iter().map(screen_key).collect();
        let check = |messages: &[Vec<u8>]| {
            let batch_items: Vec<BatchItem<'_>> = messages
                .iter()
                .enumerate()
                .map(|(i, m)| BatchItem {
                    key: &vks[i % 3],
                    message: Signed::Bytes(m),
                    signature: &signatures[i],
                })
                .collect();
            batch_holds(&screens, &batch_items, &screened(&batch_items, &screens))
        };
        assert!(check(&messages));
        // Items 0 and 3 are under the same key: each signature now covers the other's
        // message.
        messages.swap(0, 3);
        assert!(!check(&messages));
    }

    /// The subgroup test on an encoding, as the screening applies it after decoding.
    fn encoding_in_subgroup(bytes: &[u8; 32]) -> bool {
        crrl::ed25519::Point::decode(bytes).is_some_and(|p| in_prime_order_subgroup(&p))
    }

    /// The subgroup test agrees with curve25519-dalek's `is_torsion_free` on prime-order
    /// points, every torsion point, and every mixed sum of the two, for 2 000 pseudo-random
    /// multiples of the base point and a few chosen ones.
    #[test]
    fn subgroup_check_agrees_with_is_torsion_free() {
        use sha2::{Digest, Sha512};
        let chosen = [1u64, 2, 7, 1 << 40, u64::MAX].map(Scalar::from);
        let random = (0u32..2_000)
            .map(|i| Scalar::from_bytes_mod_order_wide(&Sha512::digest(i.to_le_bytes()).into()));
        let (mut inside, mut outside) = (0, 0);
        for k in chosen.into_iter().chain(random) {
            let p = ED25519_BASEPOINT_POINT * k;
            for t in EIGHT_TORSION {
                for q in [p + t, t] {
                    let want = q.is_torsion_free();
                    assert_eq!(encoding_in_subgroup(&q.compress().0), want, "{k:?}");
                    if want { inside += 1 } else { outside += 1 }
                }
            }
        }
        assert!(inside > 2_000 && outside > 14_000, "{inside} / {outside}");
        assert!(encoding_in_subgroup(&ED25519_BASEPOINT_POINT.compress().0));
        assert!(!encoding_in_subgroup(
            &(ED25519_BASEPOINT_POINT + EIGHT_TORSION[1]).compress().0
        ));
        // A y with no x on the curve is not in the subgroup (the screen never asks).
        let mut off = [0u8; 32];
        off[0] = 2;
        assert!(CompressedEdwardsY(off).decompress().is_none());
        assert!(!encoding_in_subgroup(&off));
    }

    /// The byte test of y < p agrees with decompress-then-compress on every encoding near p
    /// whose point decompresses and is not of small order.
    #[test]
    fn canonical_y_test_agrees_with_reencoding() {
        let mut checked = 0;
        for low in 0xd0u8..=0xff {
            for sign in [0u8, 0x80] {
                for fill in [0xffu8, 0xfe, 0x00] {
                    let mut b = [fill; 32];
                    b[0] = low;
                    b[31] = 0x7f | sign;
                    if let Some(p) = CompressedEdwardsY(b).decompress() {
                        if p.is_small_order() {
                            continue;
                        }
                        assert_eq!(y_is_canonical(&b), p.compress().0 == b, "{b:02x?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10, "only {checked} encodings decompressed");
        let b = ED25519_BASEPOINT_POINT.compress().0;
        assert!(y_is_canonical(&b));
    }
}

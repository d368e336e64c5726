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

/// One signature of a batch: the issuer's key, the signed bytes and the signature.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The signer's key.
    pub key: &'a VerifyingKey,
    /// The signed bytes.
    pub message: &'a [u8],
    /// The signature as received (64 bytes to verify).
    pub signature: &'a [u8],
}

/// Items below this count are checked one by one: a batch equation saves work only when
/// it shares the multiscalar multiplication among several signatures.
const BATCH_MIN: usize = 4;

/// Verify many signatures; the result for each item is exactly what [`verify_with_key`]
/// (`verify_strict`) returns for it, in the same order.
///
/// Ed25519 batch verification (`ed25519_dalek::verify_batch`) checks one random linear
/// combination of the cofactorless equations `[s]B = R + [k]A`. It accepts exactly what
/// `verify_strict` accepts for signatures whose `s` is canonical, whose `R` is a canonical
/// encoding, and whose `R` and key `A` lie in the prime-order subgroup; everything else is
/// settled before batching:
///
/// - `s ≥ L`, an `R` that does not decompress or is not the canonical encoding of its
///   point, a small-order `R` or key: rejected, as `verify_strict` rejects them;
/// - an `R` or key with a torsion component (mixed order), or a key whose encoding is not
///   canonical: checked alone with `verify_strict`, because a random combination could
///   cancel a torsion term that the single equation keeps.
///
/// A batch that fails is split in halves until the bad signatures are found (each one
/// then checked alone), so one bad signature costs a logarithmic number of batches. The
/// batch coefficients come from a transcript of the inputs (merlin, no system
/// randomness), and no verdict depends on them: a batch that holds means every equation
/// holds except with probability about 2⁻¹²⁸.
///
/// Sets of at least [`crate::par::PARALLEL_MIN`] items are cut into batches of
/// [`BATCH_CHUNK`] checked on rayon's pool; the results do not depend on the cut.
pub fn verify_batch(items: &[BatchItem<'_>]) -> Vec<Result<SignatureChecked, SignatureError>> {
    verify_batch_from(items, crate::par::PARALLEL_MIN)
}

/// [`verify_batch`], split across threads from `parallel_from` items (tests force the
/// parallel path with small sets this way).
pub fn verify_batch_from(
    items: &[BatchItem<'_>],
    parallel_from: usize,
) -> Vec<Result<SignatureChecked, SignatureError>> {
    crate::par::map_chunks(items, BATCH_CHUNK, parallel_from, verify_one_batch)
}

/// Signatures per batch equation when a large set is split across threads.
pub const BATCH_CHUNK: usize = 128;

fn verify_one_batch(items: &[BatchItem<'_>]) -> Vec<Result<SignatureChecked, SignatureError>> {
    let mut out: Vec<Option<Result<SignatureChecked, SignatureError>>> = vec![None; items.len()];
    let mut batch: Vec<(usize, Signature)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match screen(item) {
            Screen::Settled(r) => out[i] = Some(r),
            Screen::Alone => {
                out[i] = Some(verify_with_key(item.key, item.message, item.signature));
            }
            Screen::Batch(sig) => batch.push((i, sig)),
        }
    }
    settle(items, &batch, &mut out);
    out.into_iter()
        .map(|r| r.unwrap_or(Err(SignatureError::Invalid)))
        .collect()
}

/// What to do with one item before batching.
enum Screen {
    /// The verdict is known without the equation.
    Settled(Result<SignatureChecked, SignatureError>),
    /// The equation must be checked alone (`verify_strict`).
    Alone,
    /// The item may join a batch.
    Batch(Signature),
}

fn screen(item: &BatchItem<'_>) -> Screen {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::scalar::Scalar;
    let sig = match Signature::from_slice(item.signature) {
        Ok(sig) => sig,
        Err(_) => return Screen::Settled(Err(SignatureError::BadLength(item.signature.len()))),
    };
    let s_canonical: bool = Scalar::from_canonical_bytes(*sig.s_bytes())
        .is_some()
        .into();
    let r_bytes = CompressedEdwardsY(*sig.r_bytes());
    let r = match r_bytes.decompress() {
        Some(r) if s_canonical && r.compress() == r_bytes && !r.is_small_order() => r,
        _ => return Screen::Settled(Err(SignatureError::Invalid)),
    };
    if item.key.is_weak() {
        return Screen::Settled(Err(SignatureError::Invalid));
    }
    let a = item.key.to_edwards();
    if !r.is_torsion_free()
        || !a.is_torsion_free()
        || a.compress().as_bytes() != item.key.as_bytes()
    {
        return Screen::Alone;
    }
    Screen::Batch(sig)
}

/// Settle the screened items `batch` (index into `items`, signature): one batch equation,
/// split in halves while it fails.
fn settle(
    items: &[BatchItem<'_>],
    batch: &[(usize, Signature)],
    out: &mut [Option<Result<SignatureChecked, SignatureError>>],
) {
    if batch.len() < BATCH_MIN {
        for (i, _) in batch {
            let item = &items[*i];
            out[*i] = Some(verify_with_key(item.key, item.message, item.signature));
        }
        return;
    }
    let messages: Vec<&[u8]> = batch.iter().map(|(i, _)| items[*i].message).collect();
    let signatures: Vec<Signature> = batch.iter().map(|(_, s)| *s).collect();
    let keys: Vec<VerifyingKey> = batch.iter().map(|(i, _)| *items[*i].key).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
        for (i, _) in batch {
            out[*i] = Some(Ok(SignatureChecked(())));
        }
        return;
    }
    let (left, right) = batch.split_at(batch.len() / 2);
    settle(items, left, out);
    settle(items, right, out);
}

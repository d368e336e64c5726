//! # catchcert-tlog
//!
//! The transparency log's formats, pure: no I/O, no clock, no async, no threads (the verifier
//! depends on it). Callers pass bytes, keys and times; the crate returns bytes and verdicts.
//!
//! The API (other crates rely on these names):
//!
//! - Merkle trees ([`merkle`], RFC 9162 hashing, Go-tlog storage order, wrapping `tlog_tiles`):
//!   [`Hash`], [`leaf_hash`], [`node_hash`], [`HashReader`] (read hashes by storage index so a
//!   database can back it), [`stored_hash_index`], [`stored_hash_count`], [`stored_hashes`]
//!   (the hashes to store when appending entry `n`), [`tree_hash`], [`prove_inclusion`],
//!   [`verify_inclusion`], [`prove_consistency`], [`verify_consistency`], and [`MemoryLog`]
//!   (an in-memory log for tests and small tools).
//! - Tiles ([`tile`], C2SP tlog-tiles, height 8): [`TilePath`] parse/format of
//!   `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, [`read_hash_tile`],
//!   [`tiles_for_size`], entry bundles [`encode_entry_bundle`] / [`decode_entry_bundle`]
//!   (16-bit length prefix, so entries are at most [`MAX_ENTRY_LEN`] bytes).
//! - Checkpoints and notes ([`note`], C2SP tlog-checkpoint / signed-note / tlog-cosignature):
//!   [`Checkpoint`], [`NoteKey`] (an Ed25519 verifier key, `name+hexid+base64` as
//!   [`NoteKey::vkey`]), [`sign_checkpoint`], [`open_checkpoint`], [`WitnessKey`] (cosignature
//!   key type 0x04), [`cosign`], [`add_signature_lines`], [`count_cosignatures`].
//! - Proofs ([`proof`], C2SP `c2sp.org/tlog-proof@v1`): [`TlogProof`] with
//!   [`TlogProof::encode`], [`TlogProof::parse`], [`TlogProof::verify`] returning
//!   [`ProofError`] whose [`ProofError::code`] is `log.proof_invalid`,
//!   `log.checkpoint_invalid` or `log.witness`.
//!
//! Keys are `ed25519_dalek` keys; loading catchcert's PEM key files is the caller's job
//! (`catchcert_sign::keys`). Every Ed25519 check here uses `verify_strict`.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod merkle;
pub mod note;
pub mod proof;
pub mod tile;

pub use merkle::{
    EMPTY_ROOT, Error, HASH_LEN, Hash, HashReader, MAX_PROOF_LEN, MemoryLog, leaf_hash, node_hash,
    prove_consistency, prove_inclusion, stored_hash_count, stored_hash_index, stored_hashes,
    tree_hash, verify_consistency, verify_inclusion,
};
pub use note::{
    Checkpoint, NoteError, NoteKey, WitnessKey, add_signature_lines, cosign, count_cosignatures,
    open_checkpoint, open_note, sign_checkpoint, sign_note, valid_cosigners,
};
pub use proof::{ProofError, TlogProof};
pub use tile::{
    MAX_ENTRY_LEN, TILE_HEIGHT, TILE_WIDTH, TileError, TileKind, TilePath, decode_entry_bundle,
    encode_entry_bundle, read_hash_tile, tiles_for_size,
};

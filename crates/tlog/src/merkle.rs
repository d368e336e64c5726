//! RFC 9162 Merkle trees in Go-tlog storage order (a thin, typed wrapper around `tlog_tiles`).
//!
//! Storage order: every node of the tree gets a storage index when the leaf that completes it
//! is appended ([`stored_hash_index`]); appending entry `n` stores the hashes
//! [`stored_hashes`] returns, at indexes `stored_hash_count(n) ..`. A database backs the tree by
//! implementing [`HashReader`].

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];
/// Bytes in a [`Hash`].
pub const HASH_LEN: usize = 32;
/// The root of the empty tree: SHA-256 of the empty string.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];
/// The longest proof accepted (a tree of 2^64 leaves needs at most 64 hashes per proof,
/// a consistency proof at most 2·64).
pub const MAX_PROOF_LEN: usize = 128;

/// Errors of the Merkle functions.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// The proof does not prove what it claims.
    #[error("invalid Merkle proof")]
    InvalidProof,
    /// Arguments out of range (index beyond the tree, sizes in the wrong order, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The hash reader failed or returned the wrong number of hashes.
    #[error("reading stored hashes: {0}")]
    Read(String),
}

/// Reads stored hashes by storage index (see [`stored_hash_index`]).
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order, exactly one per index.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error>;
}

impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.get(i))
                    .copied()
                    .ok_or_else(|| Error::Read(format!("no stored hash at index {i}")))
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        self.as_slice().read_hashes(indexes)
    }
}

/// RFC 9162 leaf hash: SHA-256(0x00 ‖ entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The storage index of the hash at `level` (0 = leaves) and position `n` in that level.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    tlog_tiles::stored_hash_index(level, n)
}

/// How many hashes are stored for a tree of `n` entries (the first storage index for entry `n`).
pub fn stored_hash_count(n: u64) -> u64 {
    tlog_tiles::stored_hash_count(n)
}

/// Adapts a [`HashReader`] to `tlog_tiles` and keeps its error.
struct Adapter<'a, R: HashReader + ?Sized> {
    inner: &'a R,
}

const READ_PREFIX: &str = "catchcert-read:";

impl<R: HashReader + ?Sized> tlog_tiles::HashReader for Adapter<'_, R> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        let hashes = self.inner.read_hashes(indexes).map_err(|e| {
            let msg = match e {
                Error::Read(m) => m,
                other => other.to_string(),
            };
            tlog_tiles::Error::InvalidInput(format!("{READ_PREFIX}{msg}"))
        })?;
        if hashes.len() != indexes.len() {
            return Err(tlog_tiles::Error::InvalidInput(format!(
                "{READ_PREFIX}asked for {} hashes, got {}",
                indexes.len(),
                hashes.len()
            )));
        }
        Ok(hashes.into_iter().map(tlog_tiles::Hash).collect())
    }
}

fn map_err(e: tlog_tiles::Error) -> Error {
    match e {
        tlog_tiles::Error::InvalidInput(m) => match m.strip_prefix(READ_PREFIX) {
            Some(r) => Error::Read(r.to_string()),
            None => Error::InvalidInput(m),
        },
        tlog_tiles::Error::InvalidProof => Error::InvalidProof,
        other => Error::Read(other.to_string()),
    }
}

/// The hashes to store when appending entry `n` (whose leaf hash is `leaf`) to a tree of `n`
/// entries: the leaf hash first, then each interior node the new leaf completes. They go at
/// storage indexes `stored_hash_count(n)` onwards.
pub fn stored_hashes<R: HashReader + ?Sized>(
    n: u64,
    leaf: &Hash,
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    tlog_tiles::stored_hashes_for_record_hash(
        n,
        tlog_tiles::Hash(*leaf),
        &Adapter { inner: reader },
    )
    .map(|v| v.into_iter().map(|h| h.0).collect())
    .map_err(map_err)
}

/// The root hash of the tree of the first `size` entries.
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, Error> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    tlog_tiles::tree_hash(size, &Adapter { inner: reader })
        .map(|h| h.0)
        .map_err(map_err)
}

/// The RFC 9162 inclusion proof (audit path, leaf side first) of entry `index` in the tree of
/// `size` entries.
pub fn prove_inclusion<R: HashReader + ?Sized>(
    size: u64,
    index: u64,
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    if index >= size {
        return Err(Error::InvalidInput(format!(
            "index {index} is not in a tree of size {size}"
        )));
    }
    tlog_tiles::prove_record(size, index, &Adapter { inner: reader })
        .map(|v| v.into_iter().map(|h| h.0).collect())
        .map_err(map_err)
}

/// Checks that `proof` proves entry `index` with leaf hash `leaf` is in the tree of `size`
/// entries whose root is `root`.
pub fn verify_inclusion(
    proof: &[Hash],
    size: u64,
    root: &Hash,
    index: u64,
    leaf: &Hash,
) -> Result<(), Error> {
    if index >= size {
        return Err(Error::InvalidInput(format!(
            "index {index} is not in a tree of size {size}"
        )));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(Error::InvalidProof);
    }
    let p: Vec<tlog_tiles::Hash> = proof.iter().map(|h| tlog_tiles::Hash(*h)).collect();
    tlog_tiles::check_record(
        &p,
        size,
        tlog_tiles::Hash(*root),
        index,
        tlog_tiles::Hash(*leaf),
    )
    .map_err(|e| match map_err(e) {
        Error::InvalidInput(_) => Error::InvalidProof,
        other => other,
    })
}

/// The RFC 9162 consistency proof from the tree of `n` entries to the tree of `m` entries.
/// Empty when `n == 0` or `n == m`.
pub fn prove_consistency<R: HashReader + ?Sized>(
    n: u64,
    m: u64,
    reader: &R,
) -> Result<Vec<Hash>, Error> {
    if n > m {
        return Err(Error::InvalidInput(format!(
            "consistency from size {n} to the smaller size {m}"
        )));
    }
    if n == 0 || n == m {
        return Ok(Vec::new());
    }
    tlog_tiles::prove_tree(m, n, &Adapter { inner: reader })
        .map(|v| v.into_iter().map(|h| h.0).collect())
        .map_err(map_err)
}

/// Checks that `proof` proves the tree of `n` entries with root `root_n` is a prefix of the
/// tree of `m` entries with root `root_m`.
pub fn verify_consistency(
    proof: &[Hash],
    n: u64,
    root_n: &Hash,
    m: u64,
    root_m: &Hash,
) -> Result<(), Error> {
    if n > m {
        return Err(Error::InvalidInput(format!(
            "consistency from size {n} to the smaller size {m}"
        )));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(Error::InvalidProof);
    }
    if n == 0 {
        // Every tree extends the empty tree; RFC 9162 sends no proof.
        return if proof.is_empty() && *root_n == EMPTY_ROOT {
            Ok(())
        } else {
            Err(Error::InvalidProof)
        };
    }
    if n == m {
        return if proof.is_empty() && root_n == root_m {
            Ok(())
        } else {
            Err(Error::InvalidProof)
        };
    }
    let p: Vec<tlog_tiles::Hash> = proof.iter().map(|h| tlog_tiles::Hash(*h)).collect();
    tlog_tiles::check_tree(
        &p,
        m,
        tlog_tiles::Hash(*root_m),
        n,
        tlog_tiles::Hash(*root_n),
    )
    .map_err(|e| match map_err(e) {
        Error::InvalidInput(_) => Error::InvalidProof,
        other => other,
    })
}

/// An in-memory log: the stored hashes in storage order and the entries' count.
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    hashes: Vec<Hash>,
    size: u64,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an entry; returns its index.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64, Error> {
        self.append_leaf_hash(&leaf_hash(entry))
    }

    /// Appends an entry given its leaf hash; returns its index.
    pub fn append_leaf_hash(&mut self, leaf: &Hash) -> Result<u64, Error> {
        let n = self.size;
        let new = stored_hashes(n, leaf, &self.hashes)?;
        self.hashes.extend(new);
        self.size += 1;
        Ok(n)
    }

    /// The number of entries.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.root_at(self.size).unwrap_or(EMPTY_ROOT)
    }

    /// The root of the tree of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Hash, Error> {
        if size > self.size {
            return Err(Error::InvalidInput(format!(
                "size {size} is beyond the log's {}",
                self.size
            )));
        }
        tree_hash(size, &self.hashes)
    }

    /// The stored hashes, in storage order.
    pub fn stored(&self) -> &[Hash] {
        &self.hashes
    }
}

impl HashReader for MemoryLog {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Error> {
        self.hashes.read_hashes(indexes)
    }
}

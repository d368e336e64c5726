//! The transparency log of the server (`docs/transparency.md`): every stored certificate is
//! a log entry, appended by the store in the transaction that stores it. This module signs
//! checkpoints and serves tiles and proofs.
//!
//! **Sequencing.** [`run_sequencer`] is a background task: at most once a second it reads
//! the entries the stored hashes do not yet cover, computes their hashes (Go tlog storage
//! order, through `catchcert_tlog`), writes them, and signs a checkpoint for the new size
//! with the log key. Ingest never waits for it. The stored hashes are a function of the
//! entries, so two servers sequencing one PostgreSQL log write the same values (the store
//! keeps the first).
//!
//! **Serving.** Tiles and proofs only cover the latest signed checkpoint: an entry newer
//! than that is answered 404 with `Retry-After`.

use catchcert_store::{Store, StoreError};
use catchcert_tlog::{Checkpoint, Hash, HashReader, NoteKey};
use ed25519_dalek::SigningKey;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The default origin (checkpoint first line and key name) when none is given.
pub const DEFAULT_ORIGIN: &str = "catchcert.example/log";
/// How often the sequencer looks for new entries (and so the fastest checkpoint rate).
pub const SEQUENCE_INTERVAL: Duration = Duration::from_secs(1);
/// Entries hashed per store read.
const CHUNK: u64 = 4096;

/// The log's identity: its origin and signing key.
#[derive(Clone)]
pub struct LogConfig {
    /// The origin line of checkpoints, also the note key name.
    pub origin: String,
    /// The Ed25519 log key.
    pub key: SigningKey,
    /// How many witnesses the server sends checkpoints to (`serve --witness`): bundles
    /// prefer a checkpoint that all of them cosigned.
    pub witnesses: usize,
}

impl std::fmt::Debug for LogConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogConfig")
            .field("origin", &self.origin)
            .field("vkey", &self.vkey())
            .field("witnesses", &self.witnesses)
            .finish_non_exhaustive()
    }
}

impl LogConfig {
    /// A log with this origin and key.
    pub fn new(origin: impl Into<String>, key: SigningKey) -> Self {
        LogConfig {
            origin: origin.into(),
            key,
            witnesses: 0,
        }
    }

    /// The same log, sending its checkpoints to `n` witnesses.
    pub fn with_witnesses(mut self, n: usize) -> Self {
        self.witnesses = n;
        self
    }

    /// The note verifier key (`origin+hexid+base64`) that checks its checkpoints.
    pub fn note_key(&self) -> NoteKey {
        NoteKey::new(self.origin.clone(), self.key.verifying_key())
    }

    /// [`LogConfig::note_key`] as text.
    pub fn vkey(&self) -> String {
        self.note_key().vkey()
    }
}

/// A [`HashReader`] over the store's stored hashes, for blocking threads (it waits on the
/// store through the runtime `handle`), with hashes computed but not yet written on top.
pub struct StoreHashes {
    store: Store,
    handle: tokio::runtime::Handle,
    pending: Mutex<HashMap<u64, Hash>>,
}

impl StoreHashes {
    /// A reader over `store`; call from a blocking thread of the runtime `handle`.
    pub fn new(store: Store, handle: tokio::runtime::Handle) -> Self {
        StoreHashes {
            store,
            handle,
            pending: Mutex::new(HashMap::new()),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Hash>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl HashReader for StoreHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, catchcert_tlog::Error> {
        // Only the asked hashes are copied out: the pending map grows with every entry of
        // a round, and a copy of all of it per entry would make a round quadratic.
        let known: HashMap<u64, Hash> = {
            let pending = self.pending();
            indexes
                .iter()
                .filter_map(|i| pending.get(i).map(|h| (*i, *h)))
                .collect()
        };
        let missing: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|i| !known.contains_key(i))
            .collect();
        let read = if missing.is_empty() {
            Vec::new()
        } else {
            self.handle
                .block_on(self.store.read_log_hashes(&missing))
                .map_err(|e| catchcert_tlog::Error::Read(e.to_string()))?
        };
        let read: HashMap<u64, Hash> = missing.into_iter().zip(read).collect();
        indexes
            .iter()
            .map(|i| {
                known
                    .get(i)
                    .or_else(|| read.get(i))
                    .copied()
                    .ok_or_else(|| catchcert_tlog::Error::Read(format!("hash {i} missing")))
            })
            .collect()
    }
}

/// Why sequencing failed.
#[derive(Debug, thiserror::Error)]
pub enum SequenceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed (a damaged store).
    #[error("hashing the log: {0}")]
    Tlog(#[from] catchcert_tlog::Error),
    /// The blocking task failed.
    #[error("sequencer task: {0}")]
    Join(String),
}

/// The largest `n` with `stored_hash_count(n) <= count`: how many entries the stored hashes
/// cover.
fn entries_covered(count: u64, size: u64) -> u64 {
    let (mut lo, mut hi) = (0u64, size);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if catchcert_tlog::stored_hash_count(mid) <= count {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// Hash every entry not yet hashed and, if the tree grew past the latest checkpoint, sign
/// and keep a checkpoint for it. Returns the size of the latest checkpoint.
pub async fn sequence_once(
    store: &Store,
    log: &LogConfig,
    now: catchcert_model::Timestamp,
) -> Result<u64, SequenceError> {
    let size = store.log_size().await?;
    let hashed = entries_covered(store.log_hash_count().await?, size);
    let latest = store.checkpoint(None).await?.map(|c| c.size);
    if latest == Some(size) {
        return Ok(size);
    }
    let mut n = hashed;
    while n < size {
        let end = size.min(n + CHUNK);
        let entries = store.log_entries(n, end).await?;
        let start_index = catchcert_tlog::stored_hash_count(n);
        let (st, handle) = (store.clone(), tokio::runtime::Handle::current());
        let hashes = tokio::task::spawn_blocking(move || -> Result<Vec<Hash>, SequenceError> {
            let reader = StoreHashes::new(st, handle);
            let mut out = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                let idx = n + i as u64;
                let new =
                    catchcert_tlog::stored_hashes(idx, &catchcert_tlog::leaf_hash(e), &reader)?;
                let first = catchcert_tlog::stored_hash_count(idx);
                let mut p = reader.pending();
                for (k, h) in new.iter().enumerate() {
                    p.insert(first + k as u64, *h);
                }
                drop(p);
                out.extend(new);
            }
            Ok(out)
        })
        .await
        .map_err(|e| SequenceError::Join(e.to_string()))??;
        store.write_log_hashes(start_index, hashes).await?;
        n = end;
    }
    let (st, handle) = (store.clone(), tokio::runtime::Handle::current());
    let root = tokio::task::spawn_blocking(move || {
        catchcert_tlog::tree_hash(size, &StoreHashes::new(st, handle))
    })
    .await
    .map_err(|e| SequenceError::Join(e.to_string()))??;
    let note = catchcert_tlog::sign_checkpoint(
        &Checkpoint::new(log.origin.clone(), size, root),
        &log.origin,
        &log.key,
    );
    store
        .save_checkpoint(size, root, note.into_bytes(), now)
        .await?;
    tracing::info!(size, "signed a checkpoint");
    Ok(size)
}

/// The sequencer loop (see the module documentation); runs until the runtime stops.
pub async fn run_sequencer(
    store: Store,
    log: LogConfig,
    clock: std::sync::Arc<dyn catchcert_model::timestamp::Clock>,
) {
    let mut tick = tokio::time::interval(SEQUENCE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = sequence_once(&store, &log, clock.now()).await {
            tracing::error!(error = %e, "log sequencing failed; retrying");
        }
    }
}

/// The checkpoint note served with its cosignature lines.
pub fn served_note(cp: &catchcert_store::StoredCheckpoint) -> String {
    let note = String::from_utf8_lossy(&cp.note).into_owned();
    let lines: Vec<String> = cp.cosignatures.iter().map(|(_, l)| l.clone()).collect();
    catchcert_tlog::add_signature_lines(&note, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_covered_inverts_stored_hash_count() {
        for n in 0..600u64 {
            let c = catchcert_tlog::stored_hash_count(n);
            assert_eq!(entries_covered(c, 1000), n);
            if n > 0 {
                assert_eq!(entries_covered(c - 1, 1000), n - 1);
            }
        }
        assert_eq!(entries_covered(u64::MAX, 7), 7);
    }
}

//! # catchcert-store
//!
//! Storage for verified catchcert certificates: one interface, [`Store`], with two native
//! backends, SQLite (the embedded default, through `rusqlite`) and PostgreSQL (through
//! `tokio-postgres` and a small `deadpool-postgres` pool).
//!
//! The store keeps each certificate's bytes under its id and indexes what the server and
//! bundle builder need without parsing payloads again: which certificate outputs which lot
//! and how much, which certificate consumes how much of which (certificate, lot), each
//! certificate's issuer (subject and key), the attestations it names and the revocations.
//!
//! Certificates arrive **already verified** (signature and issuer path are the caller's
//! job). The store enforces the rules that need the stored set, atomically and under
//! concurrent writers: every input names a stored certificate ([`StoreError::UnknownInput`])
//! that outputs that lot ([`StoreError::LotNotOutput`]), and no (certificate, lot) is ever
//! consumed beyond what it output ([`StoreError::Overconsumed`]) — so the same fish cannot
//! be sold twice. Nothing is stored unless [`Store::insert`] returns
//! [`Inserted::Created`], and that answer is only given once the commit is durable.
//!
//! ```no_run
//! # async fn demo() -> Result<(), catchcert_store::StoreError> {
//! use catchcert_store::Store;
//! let store = Store::open("sqlite://catchcert.db").await?;
//! println!("{} certificates in {}", store.count().await?, store.backend_name());
//! # Ok(()) }
//! ```
//!
//! URL forms, the schema, the migrations, the SQLite group commit and the isolation
//! strategy of each backend are described in `docs/storage.md`.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod error;
pub mod migrate;
mod postgres;
mod sqlite;
mod url;

/// Certificates for the backends' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::{CertId, Checked, Grams, InputRef, Kind, NewCertificate, OutputLot, Timestamp};

    /// The batch both backends' batch tests start with: `a` outputs 100 g of `L`; `over`
    /// asks 101; `b` takes 60 and outputs `M`; `c` asks 41 of the 40 left; `d` takes 40;
    /// `a` again. Returns the batch and `a`'s id.
    #[allow(clippy::vec_box)] // the writers' batches are of boxed requests, as queued
    pub(crate) fn mixed_batch() -> (Vec<Box<Checked>>, CertId) {
        let a = cert("a", &[], &[("L", 100)]);
        let a_id = a.cert.id;
        let batch = vec![
            a,
            cert("over", &[(a_id, "L", 101)], &[("M", 1)]),
            cert("b", &[(a_id, "L", 60)], &[("M", 60)]),
            cert("c", &[(a_id, "L", 41)], &[("N", 41)]),
            cert("d", &[(a_id, "L", 40)], &[("N", 40)]),
            cert("a", &[], &[("L", 100)]),
        ];
        (batch, a_id)
    }

    /// The answers to the six requests of [`mixed_batch`], in order, as one insert at a
    /// time would give them: refused requests take no log index.
    pub(crate) fn assert_mixed_batch(
        got: &[Result<crate::Logged, crate::StoreError>],
        a_id: CertId,
    ) {
        use crate::{Inserted, Logged, StoreError};
        let logged = |inserted, i| {
            Ok(Logged {
                inserted,
                log_index: Some(i),
            })
        };
        assert_eq!(got[0], logged(Inserted::Created, 0));
        assert!(
            matches!(got[1], Err(StoreError::Overconsumed { .. })),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], logged(Inserted::Created, 1));
        assert_eq!(
            got[3],
            Err(StoreError::Overconsumed {
                certificate: a_id,
                lot: "L".into(),
                output: Grams(100),
                consumed: Grams(60),
                requested: Grams(41),
            })
        );
        assert_eq!(got[4], logged(Inserted::Created, 2));
        assert_eq!(got[5], logged(Inserted::AlreadyStored, 0));
    }

    /// A landing named `name` (its bytes) with these inputs and outputs, checked.
    pub(crate) fn cert(
        name: &str,
        inputs: &[(CertId, &str, u64)],
        outputs: &[(&str, u64)],
    ) -> Box<Checked> {
        let bytes = name.as_bytes().to_vec();
        Box::new(
            Checked::new(NewCertificate {
                id: CertId::of_cose(&bytes),
                bytes,
                kind: Kind::Landing,
                time: Timestamp(10),
                issued_at: Timestamp(20),
                issuer_subject: "CN=t".into(),
                issuer_key: [1; 32],
                inputs: inputs
                    .iter()
                    .map(|(c, l, g)| InputRef {
                        certificate: *c,
                        lot: (*l).into(),
                        quantity: Grams(*g),
                    })
                    .collect(),
                outputs: outputs
                    .iter()
                    .map(|(l, g)| OutputLot {
                        lot: (*l).into(),
                        quantity: Grams(*g),
                    })
                    .collect(),
                attestations: vec![],
                revokes: None,
                evidence: None,
            })
            .unwrap(),
        )
    }
}

use std::collections::{BTreeMap, BTreeSet, HashSet};

pub use catchcert_model::{CertId, Grams, Kind, Timestamp};
pub use error::StoreError;
pub use migrate::{AppliedMigration, Migration};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A stored watch list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredWatchlist {
    /// Its id.
    pub id: CertId,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its issuer's subject, as stored.
    pub issuer: String,
}

/// Largest certificate the store accepts, in bytes: a storage invariant, far above the
/// wire limit of one certificate ([`catchcert_model::MAX_CERTIFICATE_BYTES`], 1 MiB).
pub const MAX_STORED_CERTIFICATE_BYTES: usize = 16 * 1024 * 1024;
/// Most inputs, outputs or attestations one certificate may list.
pub const MAX_ENTRIES: usize = 65_536;
/// Longest lot id, in bytes.
pub const MAX_LOT_BYTES: usize = 1024;
/// Longest issuer subject, in bytes.
pub const MAX_SUBJECT_BYTES: usize = 4096;

/// A verified certificate, with the facts the store indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    /// SHA-256 of `bytes` (checked).
    pub id: CertId,
    /// The complete COSE_Sign1 message.
    pub bytes: Vec<u8>,
    /// Its kind.
    pub kind: Kind,
    /// The event time.
    pub time: Timestamp,
    /// The signing time.
    pub issued_at: Timestamp,
    /// The issuer certificate's subject, e.g. `CN=FV Example,O=…`.
    pub issuer_subject: String,
    /// The issuer's Ed25519 public key.
    pub issuer_key: [u8; 32],
    /// Quantities of lots that stored certificates output.
    pub inputs: Vec<InputRef>,
    /// Lots this certificate outputs (each lot at most once).
    pub outputs: Vec<OutputLot>,
    /// The ids named in `attestations` (they need not be stored).
    pub attestations: Vec<CertId>,
    /// For a revocation (and only then): the certificate it revokes (which need not be stored).
    pub revokes: Option<CertId>,
    /// Its [`EvidenceFacts`], when the caller has read them from the payload it decoded
    /// ([`payload_evidence`]); `None`: the store reads them from `bytes`
    /// ([`evidence_facts`]), one more decoding of the message.
    pub evidence: Option<EvidenceFacts>,
}

/// One input: a quantity of a lot that a stored certificate outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRef {
    /// The certificate that outputs the lot.
    pub certificate: CertId,
    /// The lot id.
    pub lot: String,
    /// How much is consumed.
    pub quantity: Grams,
}

/// One output lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLot {
    /// The lot id.
    pub lot: String,
    /// How much is output.
    pub quantity: Grams,
}

/// What [`Store::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// The certificate is now stored, durably (HTTP 201).
    Created,
    /// The certificate was already stored with the same bytes; nothing changed (HTTP 200).
    AlreadyStored,
}

/// What [`Store::insert_logged`] did, with the certificate's transparency-log index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged {
    /// Stored now or already stored.
    pub inserted: Inserted,
    /// Its index in the log (appended in the same transaction that stored it); `None` only
    /// for a certificate over [`MAX_LOG_ENTRY_BYTES`], which is not logged.
    pub log_index: Option<u64>,
}

/// Largest certificate that is a log entry, in bytes: the C2SP entry-bundle limit (each
/// entry is length-prefixed with two bytes). Larger certificates are stored but not logged
/// (a server with its log on refuses them).
pub const MAX_LOG_ENTRY_BYTES: usize = 65_535;

/// A signed checkpoint as stored, with the witnesses' cosignature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size it commits to.
    pub size: u64,
    /// The root hash.
    pub root: [u8; 32],
    /// The signed note (text), as signed by the log.
    pub note: Vec<u8>,
    /// (witness name, cosignature line `— name base64`), by witness name.
    pub cosignatures: Vec<(String, String)>,
}

/// A stored revocation of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Revocation {
    /// The certificate revoked.
    pub target: CertId,
    /// The revocation certificate.
    pub revocation: CertId,
    /// The revocation's `time`: it takes effect from then.
    pub time: Timestamp,
}

/// One row of the change journal: a certificate stored at `generation` (see
/// [`Store::generation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its generation: 1 for the first certificate stored, dense, in commit order.
    pub generation: u64,
    /// The certificate.
    pub id: CertId,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Most journal rows [`Store::changes`] answers at once.
pub const MAX_CHANGES: u64 = 4096;

/// A certificate store. Cheap to clone: clones share one database handle.
///
/// Dropping the last clone closes the database; for SQLite this waits for the writer
/// thread to finish what it was given.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Store {
    /// A SQLite database file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

impl Store {
    /// Open (creating if needed) the store at `url` and bring its schema up to date.
    ///
    /// Accepted forms: `sqlite://PATH` (`sqlite:///abs/path`, `sqlite://rel/path`),
    /// `sqlite:PATH`, a bare file path, and `postgres://…` / `postgresql://…` (any URL
    /// `tokio-postgres` accepts; TLS is not supported, use a local or private connection).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        match url::DbUrl::parse(url)? {
            url::DbUrl::Sqlite(path) => Ok(Store::Sqlite(SqliteStore::open(path).await?)),
            url::DbUrl::Postgres(u) => Ok(Store::Postgres(PostgresStore::open(&u).await?)),
        }
    }

    /// `"sqlite"` or `"postgresql"`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgresql",
        }
    }

    /// Store a verified certificate, atomically: either everything about it is stored and
    /// the answer is [`Inserted::Created`] (after a durable commit), or nothing is.
    ///
    /// Checks, in this order: the certificate itself ([`StoreError::Invalid`]); whether the
    /// id is already stored ([`Inserted::AlreadyStored`], or [`StoreError::IdConflict`] for
    /// different bytes); then, for each (certificate, lot) it consumes, in ascending order of
    /// certificate id then lot: [`StoreError::UnknownInput`], [`StoreError::LotNotOutput`],
    /// [`StoreError::Overconsumed`] (all inputs of the same (certificate, lot) are added up).
    pub async fn insert(&self, c: NewCertificate) -> Result<Inserted, StoreError> {
        Ok(self.insert_logged(c).await?.inserted)
    }

    /// [`Store::insert`], also answering the certificate's log index: a newly stored
    /// certificate is appended to the transparency log in the same transaction (the same
    /// durable commit) that stores it; an already stored one answers its index.
    pub async fn insert_logged(&self, c: NewCertificate) -> Result<Logged, StoreError> {
        let checked = Checked::new(c)?;
        match self {
            Store::Sqlite(s) => s.insert(checked).await,
            Store::Postgres(s) => s.insert(checked).await,
        }
    }

    /// The store's generation: how many certificates were stored (committed), counted by
    /// the change journal. One indexed read; every instance on the database sees the same
    /// number, and a certificate whose insert answered [`Inserted::Created`] before this
    /// call began is counted.
    pub async fn generation(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.generation().await,
            Store::Postgres(s) => s.generation().await,
        }
    }

    /// The certificates stored at generations `after + 1 ..= upto`, in order, at most
    /// [`MAX_CHANGES`] of them (the first ones). `upto` should be a generation read
    /// before: every change up to it is committed, so the answer has no gaps.
    pub async fn changes(&self, after: u64, upto: u64) -> Result<Vec<Change>, StoreError> {
        let upto = upto.min(after.saturating_add(MAX_CHANGES));
        if upto <= after {
            return Ok(Vec::new());
        }
        let (a, u) = (to_i64(after)?, to_i64(upto)?);
        match self {
            Store::Sqlite(s) => s.changes(a, u).await,
            Store::Postgres(s) => s.changes(a, u).await,
        }
    }

    /// How many entries the log has (committed).
    pub async fn log_size(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.log_size().await,
            Store::Postgres(s) => s.log_size().await,
        }
    }

    /// The log index of a stored certificate (`None`: not stored, or not logged).
    pub async fn log_index(&self, id: CertId) -> Result<Option<u64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.log_index(id).await,
            Store::Postgres(s) => s.log_index(id).await,
        }
    }

    /// The entries (certificate bytes) of indexes `start..end`, in order; at most 4096 at a
    /// time. Fails if one of them is missing below the log size.
    pub async fn log_entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let end = end.min(start.saturating_add(4096));
        if end <= start {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(s) => s.log_entries(start, end).await,
            Store::Postgres(s) => s.log_entries(start, end).await,
        }
    }

    /// How many stored hashes (Go tlog storage order) are written: hashes `0..n`.
    pub async fn log_hash_count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.log_hash_count().await,
            Store::Postgres(s) => s.log_hash_count().await,
        }
    }

    /// The stored hashes at `indexes` (Go tlog storage order), in that order; an index not
    /// written is an error.
    pub async fn read_log_hashes(&self, indexes: &[u64]) -> Result<Vec<[u8; 32]>, StoreError> {
        let indexes = indexes.to_vec();
        match self {
            Store::Sqlite(s) => s.read_log_hashes(indexes).await,
            Store::Postgres(s) => s.read_log_hashes(indexes).await,
        }
    }

    /// Write stored hashes `start..start + hashes.len()`. Idempotent: hashes already written
    /// are kept (they are a function of the entries, so two writers agree).
    pub async fn write_log_hashes(
        &self,
        start: u64,
        hashes: Vec<[u8; 32]>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.write_log_hashes(start, hashes).await,
            Store::Postgres(s) => s.write_log_hashes(start, hashes).await,
        }
    }

    /// Keep a signed checkpoint (the first one kept for a size stays).
    pub async fn save_checkpoint(
        &self,
        size: u64,
        root: [u8; 32],
        note: Vec<u8>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.save_checkpoint(size, root, note, now.0).await,
            Store::Postgres(s) => s.save_checkpoint(size, root, note, now.0).await,
        }
    }

    /// Keep a witness's cosignature line for the checkpoint of `size` (replacing an older
    /// line of the same witness for that size).
    pub async fn save_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
    ) -> Result<(), StoreError> {
        let (w, l) = (witness.to_string(), line.to_string());
        match self {
            Store::Sqlite(s) => s.save_cosignature(size, w, l).await,
            Store::Postgres(s) => s.save_cosignature(size, w, l).await,
        }
    }

    /// The checkpoint of tree size `size`, or the largest one when `None`.
    pub async fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        match self {
            Store::Sqlite(s) => s.checkpoint(size).await,
            Store::Postgres(s) => s.checkpoint(size).await,
        }
    }

    /// The size of the newest checkpoint of at least `min_size` entries that at least
    /// `cosigners` witnesses cosigned, among the 64 newest checkpoints (`None` if none is).
    /// A bundle's proofs use it so that they carry the cosignatures a verifier requires
    /// even when the latest checkpoint has not been cosigned yet.
    pub async fn cosigned_checkpoint_size(
        &self,
        min_size: u64,
        cosigners: usize,
    ) -> Result<Option<u64>, StoreError> {
        let (min, k) = (to_i64(min_size)?, to_i64(cosigners as u64)?);
        match self {
            Store::Sqlite(s) => s.cosigned_checkpoint_size(min, k).await,
            Store::Postgres(s) => s.cosigned_checkpoint_size(min, k).await,
        }
    }

    /// The stored bytes of a certificate.
    pub async fn get(&self, id: CertId) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Store::Sqlite(s) => s.get(id).await,
            Store::Postgres(s) => s.get(id).await,
        }
    }

    /// The stored certificates among `ids`, in the order asked, each once; ids that are not
    /// stored are left out.
    pub async fn get_many(&self, ids: &[CertId]) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        let ids = dedup(ids);
        match self {
            Store::Sqlite(s) => s.get_many(ids).await,
            Store::Postgres(s) => s.get_many(ids).await,
        }
    }

    /// The current holder of a lot (contract §5): among stored certificates that output the
    /// lot, those whose output of it no stored certificate consumes; of these the latest
    /// `time`, then the latest stored. If every output of the lot is consumed, the latest
    /// (`time`, then stored) certificate that outputs it. `None` only when no stored
    /// certificate outputs the lot.
    pub async fn lot_holder(&self, lot: &str) -> Result<Option<CertId>, StoreError> {
        if lot.len() > MAX_LOT_BYTES {
            return Ok(None);
        }
        match self {
            Store::Sqlite(s) => s.lot_holder(lot).await,
            Store::Postgres(s) => s.lot_holder(lot).await,
        }
    }

    /// The certificates a bundle with head `head` needs: the head, every ancestor through
    /// inputs, the stored attestations named by any of them, and the stored revocations of
    /// any of them — repeated until nothing new is found (so a revocation's own revocations
    /// and an attestation's revocations are included). Read from one consistent snapshot.
    /// The head comes first, then the others in breadth-first order.
    ///
    /// [`StoreError::NotFound`] if the head is not stored; [`StoreError::TooLarge`] as soon
    /// as more than `max` certificates are found.
    pub async fn closure(
        &self,
        head: CertId,
        max: usize,
    ) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.closure(head, max).await,
            Store::Postgres(s) => s.closure(head, max).await,
        }
    }

    /// The stored attestations that cover what any of `ids` needs attested (contract §4:
    /// every attestation of a catch's vessel, a processing's facility or an at-sea
    /// transshipment's receiving vessel whose validity covers its times), sorted.
    pub async fn covering_attestations(&self, ids: &[CertId]) -> Result<Vec<CertId>, StoreError> {
        let ids = dedup(ids);
        let mut out = match self {
            Store::Sqlite(s) => s.covering_attestations(ids).await?,
            Store::Postgres(s) => s.covering_attestations(ids).await?,
        };
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The stored revocations of any of `ids`, ordered by target, then time, then id.
    pub async fn revocations_of(&self, ids: &[CertId]) -> Result<Vec<Revocation>, StoreError> {
        let ids = dedup(ids);
        let mut out = match self {
            Store::Sqlite(s) => s.revocations_of(ids).await?,
            Store::Postgres(s) => s.revocations_of(ids).await?,
        };
        out.sort_by_key(|r| (r.target, r.time, r.revocation));
        Ok(out)
    }

    /// Every stored watch list (`watchlist` certificates), in the order stored.
    pub async fn watchlists(&self) -> Result<Vec<StoredWatchlist>, StoreError> {
        match self {
            Store::Sqlite(s) => s.watchlists().await,
            Store::Postgres(s) => s.watchlists().await,
        }
    }

    /// The ids of every stored watch list, in the order stored.
    pub async fn watchlist_ids(&self) -> Result<Vec<CertId>, StoreError> {
        match self {
            Store::Sqlite(s) => s.watchlist_ids().await,
            Store::Postgres(s) => s.watchlist_ids().await,
        }
    }

    /// How many certificates are stored.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.count().await,
            Store::Postgres(s) => s.count().await,
        }
    }

    /// Apply any embedded migration the database lacks (as [`Store::open`] does) and return
    /// how many were applied: 0 on an up-to-date database.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        match self {
            Store::Sqlite(s) => s.migrate().await,
            Store::Postgres(s) => s.migrate().await,
        }
    }

    /// The migrations the database records, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        match self {
            Store::Sqlite(s) => s.applied_migrations().await,
            Store::Postgres(s) => s.applied_migrations().await,
        }
    }

    /// The migrations this build embeds for this store's backend, oldest first.
    pub fn embedded_migrations(&self) -> &'static [Migration] {
        match self {
            Store::Sqlite(_) => migrate::SQLITE,
            Store::Postgres(_) => migrate::POSTGRES,
        }
    }
}

/// `ids` without repeats, first occurrence kept.
fn dedup(ids: &[CertId]) -> Vec<CertId> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// What one insert asks of one (certificate, lot): the sum of its inputs of that lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Demand {
    pub certificate: CertId,
    pub lot: String,
    pub requested: u64,
}

/// A certificate that passed the store's own checks, with its demands sorted by
/// (certificate, lot) — the order in which rows are checked and locked.
#[derive(Debug)]
pub(crate) struct Checked {
    pub cert: NewCertificate,
    pub demands: Vec<Demand>,
    pub attestations: Vec<CertId>,
    /// Lot ids this certificate outputs without consuming a lot of the same id: each must
    /// not be output by any stored certificate (one lineage per lot id). Sorted.
    pub new_lots: Vec<String>,
    /// What the certificate attests or needs attested (from its payload).
    pub evidence: EvidenceFacts,
}

/// The kinds whose certificates attest or need attestations (`attestation_subjects`,
/// `attestation_needs`), as stored in `certificates.kind`.
pub(crate) const EVIDENCE_KINDS: &str =
    "('crew_attestation', 'facility_attestation', 'catch', 'processing', 'transshipment')";

/// The version of the migration that adds `attestation_subjects` and `attestation_needs`:
/// when it is applied, the rows of certificates stored before are filled in.
pub(crate) const EVIDENCE_MIGRATION: i64 = 2;

/// One row of `attestation_subjects` or `attestation_needs`: scheme (`vessel` or
/// `facility`), subject, and the times (validity, or the times to cover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTimes {
    /// `vessel` (an IMO number) or `facility`.
    pub scheme: &'static str,
    /// The vessel's IMO number or the facility id.
    pub subject: String,
    /// Start of the validity or of the times to cover (Unix seconds).
    pub from: i64,
    /// End of the validity or of the times to cover (Unix seconds).
    pub until: i64,
}

/// What a certificate attests (an attestation) or needs attested (a catch, processing or
/// transshipment at sea), read from its payload. Both `None` for other kinds and for bytes
/// that do not decode (the store does not verify; the caller did).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceFacts {
    /// What an attestation attests.
    pub attests: Option<SubjectTimes>,
    /// What a catch, processing or at-sea transshipment needs attested.
    pub needs: Option<SubjectTimes>,
}

/// The [`EvidenceFacts`] of a certificate's bytes, as the store indexes them (servers use
/// it to match a new attestation with the cached verdicts it can change).
pub fn evidence_facts(bytes: &[u8]) -> EvidenceFacts {
    use catchcert_model::cbor::{self, Value};
    let limits = cbor::Limits {
        max_depth: 8,
        max_bytes: MAX_STORED_CERTIFICATE_BYTES,
        max_items: 4096,
    };
    let Ok(v) = cbor::from_slice(bytes, &limits) else {
        return EvidenceFacts::default();
    };
    let v = match v {
        Value::Tag(18, inner) => *inner,
        other => other,
    };
    let Some(payload) = v
        .as_array()
        .and_then(|a| a.get(2))
        .and_then(Value::as_bytes)
        .and_then(|b| catchcert_model::Payload::from_cbor(b).ok())
    else {
        return EvidenceFacts::default();
    };
    payload_evidence(&payload)
}

/// The [`EvidenceFacts`] of a decoded payload: what [`evidence_facts`] reads from the bytes
/// of a certificate that carries it.
pub fn payload_evidence(payload: &catchcert_model::Payload) -> EvidenceFacts {
    use catchcert_model::payload::{CustodyEvent, Details, Step};
    let row = |scheme, subject: &str, from: Timestamp, until: Timestamp| SubjectTimes {
        scheme,
        subject: subject.to_string(),
        from: from.0,
        until: until.0,
    };
    let mut out = EvidenceFacts::default();
    match payload.details() {
        Details::CrewAttestation(a) => {
            out.attests = Some(row("vessel", &a.vessel.imo, a.valid_from, a.valid_until));
        }
        Details::FacilityAttestation(a) => {
            out.attests = Some(row("facility", &a.facility, a.valid_from, a.valid_until));
        }
        Details::Custody(CustodyEvent {
            step: Step::Catch(c),
            ..
        }) => out.needs = Some(row("vessel", &c.vessel_imo, c.catch_start, c.catch_end)),
        Details::Custody(CustodyEvent {
            step: Step::Processing { facility },
            ..
        }) => out.needs = Some(row("facility", facility, payload.time(), payload.time())),
        Details::Custody(CustodyEvent {
            step: Step::Transshipment(t),
            ..
        }) if t.at_sea => {
            out.needs = Some(row(
                "vessel",
                &t.to_vessel_imo,
                payload.time(),
                payload.time(),
            ));
        }
        _ => {}
    }
    out
}

impl Checked {
    fn new(cert: NewCertificate) -> Result<Checked, StoreError> {
        let invalid = |reason: String| StoreError::Invalid {
            certificate: cert.id,
            reason,
        };
        if cert.bytes.len() > MAX_STORED_CERTIFICATE_BYTES {
            return Err(invalid(format!(
                "bytes: {} bytes, over the limit of {MAX_STORED_CERTIFICATE_BYTES}",
                cert.bytes.len()
            )));
        }
        if CertId::of_cose(&cert.bytes) != cert.id {
            return Err(invalid(format!(
                "id: not the SHA-256 of the bytes (which is {})",
                CertId::of_cose(&cert.bytes)
            )));
        }
        if cert.issuer_subject.len() > MAX_SUBJECT_BYTES {
            return Err(invalid(format!(
                "issuer_subject: over {MAX_SUBJECT_BYTES} bytes"
            )));
        }
        for (field, n) in [
            ("inputs", cert.inputs.len()),
            ("outputs", cert.outputs.len()),
            ("attestations", cert.attestations.len()),
        ] {
            if n > MAX_ENTRIES {
                return Err(invalid(format!(
                    "{field}: {n} entries, over the limit of {MAX_ENTRIES}"
                )));
            }
        }
        match (cert.kind, cert.revokes) {
            (Kind::Revocation, None) => {
                return Err(invalid("revokes: a revocation must name its target".into()));
            }
            (k, Some(_)) if k != Kind::Revocation => {
                return Err(invalid(format!("revokes: given for a {k}")));
            }
            _ => {}
        }
        let check_lot = |field: String, lot: &str| {
            if lot.is_empty() || lot.len() > MAX_LOT_BYTES {
                Err(invalid(format!(
                    "{field}: lot ids have 1 to {MAX_LOT_BYTES} bytes"
                )))
            } else {
                Ok(())
            }
        };
        let check_qty = |field: String, g: Grams| {
            if Grams::from_grams(g.0).is_err() {
                Err(invalid(format!(
                    "{field}: {} g is not a positive quantity of at most {} g",
                    g.0,
                    catchcert_model::quantity::MAX_GRAMS
                )))
            } else {
                Ok(())
            }
        };
        let mut out_lots = BTreeSet::new();
        for (i, o) in cert.outputs.iter().enumerate() {
            check_lot(format!("outputs[{i}].lot"), &o.lot)?;
            check_qty(format!("outputs[{i}].quantity"), o.quantity)?;
            if !out_lots.insert(o.lot.as_str()) {
                return Err(invalid(format!(
                    "outputs[{i}].lot: lot {:?} is output twice",
                    o.lot
                )));
            }
        }
        let mut sums: BTreeMap<(CertId, &str), u64> = BTreeMap::new();
        for (i, inp) in cert.inputs.iter().enumerate() {
            check_lot(format!("inputs[{i}].lot"), &inp.lot)?;
            check_qty(format!("inputs[{i}].quantity"), inp.quantity)?;
            let s = sums.entry((inp.certificate, inp.lot.as_str())).or_default();
            *s = s.saturating_add(inp.quantity.0);
        }
        let demands = sums
            .into_iter()
            .map(|((certificate, lot), requested)| Demand {
                certificate,
                lot: lot.to_string(),
                requested,
            })
            .collect();
        let attestations = cert
            .attestations
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let consumed_ids: BTreeSet<&str> = cert.inputs.iter().map(|i| i.lot.as_str()).collect();
        let new_lots = out_lots
            .into_iter()
            .filter(|l| !consumed_ids.contains(l))
            .map(str::to_string)
            .collect();
        let evidence = match &cert.evidence {
            Some(given) => given.clone(),
            None => evidence_facts(&cert.bytes),
        };
        Ok(Checked {
            evidence,
            demands,
            attestations,
            new_lots,
            cert,
        })
    }
}

/// The error for a demand whose (certificate, lot) is not an output: the certificate
/// is stored (`stored`) but has no such lot, or it is unknown.
pub(crate) fn missing_input(d: &Demand, stored: bool) -> StoreError {
    if stored {
        StoreError::LotNotOutput {
            certificate: d.certificate,
            lot: d.lot.clone(),
        }
    } else {
        StoreError::UnknownInput {
            certificate: d.certificate,
        }
    }
}

/// Decide what an over-consumption check says for one (certificate, lot) row.
pub(crate) fn check_quantity(d: &Demand, output: u64, consumed: u64) -> Result<(), StoreError> {
    if consumed.saturating_add(d.requested) > output {
        return Err(StoreError::Overconsumed {
            certificate: d.certificate,
            lot: d.lot.clone(),
            output: Grams(output),
            consumed: Grams(consumed),
            requested: Grams(d.requested),
        });
    }
    Ok(())
}

/// Breadth-first walk for [`Store::closure`], shared by both backends: they fetch the
/// neighbours of each frontier from their index tables.
pub(crate) struct Walk {
    head: CertId,
    max: usize,
    seen: HashSet<CertId>,
    order: Vec<CertId>,
    frontier: Vec<CertId>,
}

impl Walk {
    pub(crate) fn new(head: CertId, max: usize) -> Result<Walk, StoreError> {
        if max == 0 {
            return Err(StoreError::TooLarge { head, max });
        }
        Ok(Walk {
            head,
            max,
            seen: HashSet::from([head]),
            order: vec![head],
            frontier: vec![head],
        })
    }

    /// The next ids whose neighbours are to be fetched, or `None` when done.
    pub(crate) fn next_frontier(&mut self) -> Option<Vec<CertId>> {
        if self.frontier.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.frontier))
        }
    }

    /// Record neighbours found; new ones join the result and the next frontier.
    pub(crate) fn add(&mut self, mut found: Vec<CertId>) -> Result<(), StoreError> {
        found.sort();
        for id in found {
            if self.seen.insert(id) {
                if self.order.len() >= self.max {
                    return Err(StoreError::TooLarge {
                        head: self.head,
                        max: self.max,
                    });
                }
                self.order.push(id);
                self.frontier.push(id);
            }
        }
        Ok(())
    }

    /// Every id found, head first.
    pub(crate) fn into_order(self) -> Vec<CertId> {
        self.order
    }
}

/// The bytes of a closure's certificates, once each id of `order` (of the closure of
/// `head`) has its bytes: a missing one is a damaged store.
pub(crate) fn all_fetched(
    head: CertId,
    order: &[CertId],
    out: Vec<(CertId, Vec<u8>)>,
) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
    if out.len() != order.len() {
        return Err(StoreError::Backend(format!(
            "closure of {head}: {} of {} certificates have no bytes",
            order.len() - out.len(),
            order.len()
        )));
    }
    Ok(out)
}

/// Convert a stored integer quantity back to grams.
pub(crate) fn to_u64(v: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Backend(format!("stored {what} is negative: {v}")))
}

/// Convert grams (at most `MAX_GRAMS` after [`Checked::new`]) to a database integer.
pub(crate) fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Backend(format!("quantity {v} g does not fit")))
}

/// Read a stored 32-byte hash (`idx` names it in the error).
pub(crate) fn hash_from_db(idx: u64, v: Option<Vec<u8>>) -> Result<[u8; 32], StoreError> {
    let v = v.ok_or_else(|| StoreError::Backend(format!("log hash {idx} is not stored")))?;
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| {
        StoreError::Backend(format!(
            "log hash {idx} has {} bytes instead of 32",
            v.len()
        ))
    })
}

/// Read a stored 32-byte id.
pub(crate) fn id_from_db(v: &[u8]) -> Result<CertId, StoreError> {
    CertId::from_slice(v).ok_or_else(|| {
        StoreError::Backend(format!("stored id has {} bytes instead of 32", v.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(bytes: &[u8]) -> NewCertificate {
        NewCertificate {
            id: CertId::of_cose(bytes),
            bytes: bytes.to_vec(),
            kind: Kind::Landing,
            time: Timestamp(1),
            issued_at: Timestamp(2),
            issuer_subject: "CN=x".into(),
            issuer_key: [7; 32],
            inputs: vec![],
            outputs: vec![],
            attestations: vec![],
            revokes: None,
            evidence: None,
        }
    }

    /// Evidence facts the caller read from the payload are indexed as given; without them
    /// the store reads them from the bytes (these bytes are no certificate: none).
    #[test]
    fn given_evidence_facts_are_used_and_missing_ones_are_read_from_the_bytes() {
        let facts = EvidenceFacts {
            attests: None,
            needs: Some(SubjectTimes {
                scheme: "vessel",
                subject: "IMO9876543".into(),
                from: 10,
                until: 20,
            }),
        };
        let mut c = cert(b"not a certificate");
        assert_eq!(
            Checked::new(c.clone()).unwrap().evidence,
            EvidenceFacts::default()
        );
        c.evidence = Some(facts.clone());
        assert_eq!(Checked::new(c).unwrap().evidence, facts);
    }

    fn reason(c: NewCertificate) -> String {
        match Checked::new(c) {
            Err(StoreError::Invalid { reason, .. }) => reason,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn refuses_broken_invariants() {
        let mut c = cert(b"a");
        c.id = CertId::of_cose(b"b");
        assert!(reason(c).starts_with("id:"));

        let mut c = cert(b"a");
        c.outputs = vec![
            OutputLot {
                lot: "L".into(),
                quantity: Grams(1),
            },
            OutputLot {
                lot: "L".into(),
                quantity: Grams(2),
            },
        ];
        assert!(reason(c).contains("output twice"));

        let mut c = cert(b"a");
        c.outputs = vec![OutputLot {
            lot: "L".into(),
            quantity: Grams(0),
        }];
        assert!(reason(c).starts_with("outputs[0].quantity"));

        let mut c = cert(b"a");
        c.inputs = vec![InputRef {
            certificate: CertId::of_cose(b"z"),
            lot: String::new(),
            quantity: Grams(1),
        }];
        assert!(reason(c).starts_with("inputs[0].lot"));

        let mut c = cert(b"a");
        c.kind = Kind::Revocation;
        assert!(reason(c).starts_with("revokes"));
        let mut c = cert(b"a");
        c.revokes = Some(CertId::of_cose(b"z"));
        assert!(reason(c).starts_with("revokes"));
    }

    #[test]
    fn demands_are_summed_and_sorted() {
        let (p, q) = (CertId::of_cose(b"p"), CertId::of_cose(b"q"));
        let (hi, lo) = if p > q { (p, q) } else { (q, p) };
        let mut c = cert(b"a");
        let inp = |certificate, lot: &str, g| InputRef {
            certificate,
            lot: lot.into(),
            quantity: Grams(g),
        };
        c.inputs = vec![
            inp(hi, "B", 1),
            inp(lo, "Z", 2),
            inp(hi, "A", 3),
            inp(hi, "B", 4),
        ];
        let k = Checked::new(c).unwrap();
        let got: Vec<_> = k
            .demands
            .iter()
            .map(|d| (d.certificate, d.lot.as_str(), d.requested))
            .collect();
        assert_eq!(got, vec![(lo, "Z", 2), (hi, "A", 3), (hi, "B", 5)]);
    }

    #[test]
    fn walk_stops_at_max() {
        let ids: Vec<CertId> = (0u8..5).map(|i| CertId::of_cose(&[i])).collect();
        let mut w = Walk::new(ids[0], 3).unwrap();
        assert_eq!(w.next_frontier(), Some(vec![ids[0]]));
        w.add(vec![ids[1], ids[0], ids[1]]).unwrap();
        w.add(vec![ids[2]]).unwrap();
        let err = w.add(vec![ids[3]]).unwrap_err();
        assert!(matches!(err, StoreError::TooLarge { max: 3, .. }));
        // The message names the limit.
        assert!(err.to_string().contains("CERTIFICATES_PER_BUNDLE"), "{err}");
        assert!(Walk::new(ids[0], 0).is_err());
    }
}

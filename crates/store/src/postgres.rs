//! The PostgreSQL backend: `tokio-postgres` with a small `deadpool-postgres` pool.
//!
//! **Inserts** go through one writer task per store (group commit, as on SQLite; the
//! module [`batch`] has the details): [`PostgresStore::insert`] sends the checked
//! certificate over a channel and waits. The task takes the first waiting request and
//! whatever else is queued (up to [`batch::MAX_BATCH`]) and applies them in ONE transaction at
//! READ COMMITTED: it first locks the single `log_head` row (`SELECT … FOR UPDATE`), which
//! serialises the writers of every server on this database, then reads in a few set-wise
//! statements what the batch needs (stored copies, the consumed output rows — locked `FOR
//! UPDATE` —, which consumed-from certificates exist, the owners of new lot ids), decides
//! each request in order in memory (a later one sees what an earlier one output or
//! consumed, and a refused one changes nothing), writes every accepted certificate with its
//! index rows and dense log indexes in set-wise `INSERT … SELECT FROM unnest(…)`
//! statements, and commits. `BEGIN` and the reads are sent together, and so are the writes
//! and `COMMIT`: two round trips per batch. Only after `COMMIT` has returned does it answer
//! the callers. A deadlock or serialisation failure is retried;
//! any other failure of a batch is retried one request per transaction, so a request that
//! makes the database fail never fails the others.
//!
//! **Reads** are single statements, except the closure, which runs in a REPEATABLE READ,
//! READ ONLY transaction so that it comes from one snapshot.

use crate::migrate::{self, AppliedMigration};
use crate::url::redact;
use crate::{
    Checked, Logged, Revocation, StoreError, Timestamp, Walk, all_fetched, id_from_db, to_i64,
    to_u64,
};
use catchcert_model::CertId;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls};

mod batch;
use batch::Pending;

/// Connections in the pool.
pub const POOL_SIZE: usize = 8;
/// How often a batch is retried after a deadlock or serialisation failure.
const RETRIES: usize = 5;
/// Requests that may wait for the writer task before `insert` itself waits.
const QUEUE: usize = 4096;
/// The `pg_advisory_xact_lock` key that serialises concurrent migrations ("catchcrt").
const MIGRATION_LOCK: i64 = 0x6361_7463_6863_7274;

/// A PostgreSQL store.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    url: String,
    /// The channel to the writer task (see the module documentation).
    writer: Arc<Mutex<Option<mpsc::Sender<Pending>>>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::UNIQUE_VIOLATION
    )
}

impl PostgresStore {
    pub(crate) async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let shown = redact(url);
        let mut cfg = tokio_postgres::Config::from_str(url).map_err(|e| StoreError::BadUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(10));
        }
        if cfg.get_application_name().is_none() {
            cfg.application_name("catchcert");
        }
        let manager = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .wait_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| StoreError::Backend(format!("PostgreSQL pool for {shown}: {e}")))?;
        let store = PostgresStore {
            pool,
            url: shown,
            writer: Arc::new(Mutex::new(None)),
        };
        store.migrate().await.map_err(|e| match e {
            StoreError::Backend(m) => StoreError::Backend(format!("{m} (database {})", store.url)),
            other => other,
        })?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    pub(crate) async fn migrate(&self) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT PRIMARY KEY,
                name       TEXT   NOT NULL,
                checksum   TEXT   NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .await?;
        let todo = migrate::pending(migrate::POSTGRES, &applied(&tx).await?)?;
        for m in &todo {
            let fail = |e: tokio_postgres::Error| StoreError::Migration {
                version: m.version,
                name: m.name.to_string(),
                reason: crate::error::pg_message(&e),
            };
            tx.batch_execute(m.sql).await.map_err(fail)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
                 VALUES ($1, $2, $3, extract(epoch FROM now())::bigint)",
                &[&m.version, &m.name, &m.checksum()],
            )
            .await
            .map_err(fail)?;
        }
        if todo
            .iter()
            .any(|m| m.version == crate::EVIDENCE_MIGRATION && m.name == "attestation_subjects")
        {
            // Fill the evidence rows of certificates stored before that migration.
            let rows = tx
                .query(
                    &format!(
                        "SELECT id, bytes FROM certificates WHERE kind IN {}",
                        crate::EVIDENCE_KINDS
                    ),
                    &[],
                )
                .await?;
            for r in rows {
                let id: &[u8] = r.get(0);
                let facts = crate::evidence_facts(r.get::<_, &[u8]>(1));
                if let Some(st) = &facts.attests {
                    tx.execute(
                        "INSERT INTO attestation_subjects \
                         (attestation, scheme, subject, valid_from, valid_until) \
                         VALUES ($1, $2, $3, $4, $5)",
                        &[&id, &st.scheme, &st.subject, &st.from, &st.until],
                    )
                    .await?;
                }
                if let Some(st) = &facts.needs {
                    tx.execute(
                        "INSERT INTO attestation_needs \
                         (certificate, scheme, subject, need_from, need_until) \
                         VALUES ($1, $2, $3, $4, $5)",
                        &[&id, &st.scheme, &st.subject, &st.from, &st.until],
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(todo.len())
    }

    pub(crate) async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let client = self.client().await?;
        applied(&client).await
    }

    pub(crate) async fn insert(&self, c: Checked) -> Result<Logged, StoreError> {
        let (reply, answer) = oneshot::channel();
        let mut job = Pending {
            k: Box::new(c),
            reply,
        };
        // A writer task belongs to the runtime that started it; if that runtime has gone
        // (its task with it), start a new one here.
        for _ in 0..2 {
            let sender = self.writer();
            match sender.send(job).await {
                Ok(()) => {
                    return answer.await.map_err(|_| {
                        StoreError::Backend("the PostgreSQL writer task has stopped".into())
                    })?;
                }
                Err(mpsc::error::SendError(j)) => job = j,
            }
        }
        Err(StoreError::Backend(
            "the PostgreSQL writer task could not be started".into(),
        ))
    }

    /// The channel to this store's writer task, started on first use (or again when the
    /// task is gone).
    fn writer(&self) -> mpsc::Sender<Pending> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = w.as_ref().filter(|s| !s.is_closed()) {
            return s.clone();
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(batch::writer_loop(self.pool.clone(), rx));
        *w = Some(tx.clone());
        tx
    }
    pub(crate) async fn get(&self, id: CertId) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let st = client.prepare_cached(SELECT_BYTES).await?;
        Ok(client
            .query_opt(&st, &[&&id.0[..]])
            .await?
            .map(|r| r.get(0)))
    }

    pub(crate) async fn get_many(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        let client = self.client().await?;
        fetch_bytes(&client, &ids).await
    }

    pub(crate) async fn lot_holder(&self, lot: &str) -> Result<Option<CertId>, StoreError> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "SELECT c.id FROM lot_outputs o JOIN certificates c ON c.id = o.certificate \
                 WHERE o.lot = $1 \
                 ORDER BY CASE WHEN o.consumed = 0 THEN 0 ELSE 1 END, c.time DESC, c.seq DESC \
                 LIMIT 1",
            )
            .await?;
        match client.query_opt(&st, &[&lot]).await? {
            Some(r) => Ok(Some(id_from_db(r.get::<_, &[u8]>(0))?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn closure(
        &self,
        head: CertId,
        max: usize,
    ) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        if tx
            .query_opt("SELECT 1 FROM certificates WHERE id = $1", &[&&head.0[..]])
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound { certificate: head });
        }
        let mut walk = Walk::new(head, max)?;
        while let Some(frontier) = walk.next_frontier() {
            let keys: Vec<&[u8]> = frontier.iter().map(|i| &i.0[..]).collect();
            let rows = tx
                .query(
                    "SELECT i.source FROM certificates x \
                       JOIN lot_inputs i ON i.certificate_seq = x.seq WHERE x.id = ANY($1) \
                     UNION SELECT a.attestation FROM certificates x \
                       JOIN attestation_refs a ON a.certificate_seq = x.seq \
                       JOIN certificates c ON c.id = a.attestation WHERE x.id = ANY($1) \
                     UNION SELECT revocation FROM revocations WHERE target = ANY($1) \
                     UNION SELECT s.attestation FROM attestation_needs n \
                       JOIN attestation_subjects s ON s.scheme = n.scheme AND s.subject = n.subject \
                         AND s.valid_from <= n.need_from AND n.need_until <= s.valid_until \
                       WHERE n.certificate = ANY($1)",
                    &[&keys],
                )
                .await?;
            let found = rows
                .iter()
                .map(|r| id_from_db(r.get::<_, &[u8]>(0)))
                .collect::<Result<Vec<_>, _>>()?;
            walk.add(found)?;
        }
        let order = walk.into_order();
        let out = fetch_bytes(&tx, &order).await?;
        tx.commit().await?;
        all_fetched(head, &order, out)
    }

    pub(crate) async fn covering_attestations(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<CertId>, StoreError> {
        let client = self.client().await?;
        let keys: Vec<&[u8]> = ids.iter().map(|i| &i.0[..]).collect();
        let rows = client.query(COVERING_SQL, &[&keys]).await?;
        rows.iter()
            .map(|r| id_from_db(r.get::<_, &[u8]>(0)))
            .collect()
    }

    pub(crate) async fn revocations_of(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<Revocation>, StoreError> {
        let client = self.client().await?;
        let keys: Vec<&[u8]> = ids.iter().map(|i| &i.0[..]).collect();
        let rows = client
            .query(
                "SELECT r.target, r.revocation, c.time FROM revocations r \
                 JOIN certificates c ON c.id = r.revocation WHERE r.target = ANY($1)",
                &[&keys],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Revocation {
                    target: id_from_db(r.get::<_, &[u8]>(0))?,
                    revocation: id_from_db(r.get::<_, &[u8]>(1))?,
                    time: Timestamp(r.get(2)),
                })
            })
            .collect()
    }

    pub(crate) async fn watchlists(&self) -> Result<Vec<crate::StoredWatchlist>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, bytes, issuer_subject FROM certificates WHERE kind = 'watchlist' ORDER BY seq",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(crate::StoredWatchlist {
                    id: id_from_db(r.get::<_, &[u8]>(0))?,
                    bytes: r.get::<_, Vec<u8>>(1),
                    issuer: r.get::<_, String>(2),
                })
            })
            .collect()
    }

    pub(crate) async fn watchlist_ids(&self) -> Result<Vec<CertId>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id FROM certificates WHERE kind = 'watchlist' ORDER BY seq",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| id_from_db(r.get::<_, &[u8]>(0)))
            .collect()
    }

    pub(crate) async fn generation(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let st = client
            .prepare_cached("SELECT value FROM generation_head WHERE one")
            .await?;
        let g: i64 = client.query_one(&st, &[]).await?.get(0);
        to_u64(g, "generation")
    }

    pub(crate) async fn changes(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<crate::Change>, StoreError> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "SELECT g.generation, c.id, c.bytes FROM changes g \
                 JOIN certificates c ON c.seq = g.certificate_seq \
                 WHERE g.generation > $1 AND g.generation <= $2 ORDER BY g.generation",
            )
            .await?;
        let rows = client.query(&st, &[&after, &upto]).await?;
        rows.iter()
            .map(|r| {
                Ok(crate::Change {
                    generation: to_u64(r.get(0), "generation")?,
                    id: id_from_db(r.get::<_, &[u8]>(1))?,
                    bytes: r.get(2),
                })
            })
            .collect()
    }

    pub(crate) async fn log_size(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT size FROM log_head", &[])
            .await?
            .get(0);
        to_u64(n, "log size")
    }

    pub(crate) async fn log_index(&self, id: CertId) -> Result<Option<u64>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT l.idx FROM certificates c JOIN log_entries l \
                 ON l.certificate_seq = c.seq WHERE c.id = $1",
                &[&&id.0[..]],
            )
            .await?;
        row.map(|r| to_u64(r.get(0), "log index")).transpose()
    }

    pub(crate) async fn log_entries(
        &self,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let (s, e) = (to_i64(start)?, to_i64(end)?);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT l.idx, c.bytes FROM log_entries l JOIN certificates c \
                 ON c.seq = l.certificate_seq WHERE l.idx >= $1 AND l.idx < $2 ORDER BY l.idx",
                &[&s, &e],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let idx: i64 = r.get(0);
            let want = s + out.len() as i64;
            if idx != want {
                return Err(StoreError::Backend(format!("log entry {want} is missing")));
            }
            out.push(r.get::<_, Vec<u8>>(1));
        }
        Ok(out)
    }

    pub(crate) async fn log_hash_count(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_hashes", &[])
            .await?
            .get(0);
        to_u64(n, "log hash count")
    }

    pub(crate) async fn read_log_hashes(
        &self,
        indexes: Vec<u64>,
    ) -> Result<Vec<[u8; 32]>, StoreError> {
        let client = self.client().await?;
        let keys = indexes
            .iter()
            .map(|i| to_i64(*i))
            .collect::<Result<Vec<i64>, _>>()?;
        let rows = client
            .query(
                "SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)",
                &[&keys],
            )
            .await?;
        let found: std::collections::HashMap<i64, Vec<u8>> =
            rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        indexes
            .iter()
            .zip(&keys)
            .map(|(i, k)| crate::hash_from_db(*i, found.get(k).cloned()))
            .collect()
    }

    pub(crate) async fn write_log_hashes(
        &self,
        start: u64,
        hashes: Vec<[u8; 32]>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let st = tx
            .prepare_cached(
                "INSERT INTO log_hashes (idx, hash) VALUES ($1, $2) ON CONFLICT (idx) DO NOTHING",
            )
            .await?;
        for (i, h) in hashes.iter().enumerate() {
            tx.execute(&st, &[&to_i64(start + i as u64)?, &&h[..]])
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn save_checkpoint(
        &self,
        size: u64,
        root: [u8; 32],
        note: Vec<u8>,
        now: i64,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO log_checkpoints (size, root, note, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING",
                &[&to_i64(size)?, &&root[..], &note, &now],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn save_cosignature(
        &self,
        size: u64,
        witness: String,
        line: String,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO log_cosignatures (size, witness, line) VALUES ($1, $2, $3) \
                 ON CONFLICT (size, witness) DO UPDATE SET line = EXCLUDED.line",
                &[&to_i64(size)?, &witness, &line],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn cosigned_checkpoint_size(
        &self,
        min: i64,
        k: i64,
    ) -> Result<Option<u64>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT c.size FROM (SELECT size FROM log_checkpoints \
                 WHERE size >= $1 ORDER BY size DESC LIMIT 64) c \
                 WHERE (SELECT COUNT(*) FROM log_cosignatures s WHERE s.size = c.size) >= $2 \
                 ORDER BY c.size DESC LIMIT 1",
                &[&min, &k],
            )
            .await?;
        row.map(|r| to_u64(r.get(0), "checkpoint size")).transpose()
    }

    pub(crate) async fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<crate::StoredCheckpoint>, StoreError> {
        let client = self.client().await?;
        let row =
            match size {
                Some(n) => {
                    client
                        .query_opt(
                            "SELECT size, root, note FROM log_checkpoints WHERE size = $1",
                            &[&to_i64(n)?],
                        )
                        .await?
                }
                None => client
                    .query_opt(
                        "SELECT size, root, note FROM log_checkpoints ORDER BY size DESC LIMIT 1",
                        &[],
                    )
                    .await?,
            };
        let Some(row) = row else {
            return Ok(None);
        };
        let n: i64 = row.get(0);
        let cosignatures = client
            .query(
                "SELECT witness, line FROM log_cosignatures WHERE size = $1 ORDER BY witness",
                &[&n],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(Some(crate::StoredCheckpoint {
            size: to_u64(n, "checkpoint size")?,
            root: crate::hash_from_db(0, Some(row.get(1)))?,
            note: row.get(2),
            cosignatures,
        }))
    }

    pub(crate) async fn count(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT COUNT(*) FROM certificates", &[])
            .await?
            .get(0);
        to_u64(n, "count")
    }
}

/// The stored attestations that cover what the certificates `$1` need attested.
const COVERING_SQL: &str = "SELECT DISTINCT s.attestation FROM attestation_needs n \
     JOIN attestation_subjects s ON s.scheme = n.scheme AND s.subject = n.subject \
       AND s.valid_from <= n.need_from AND n.need_until <= s.valid_until \
     WHERE n.certificate = ANY($1)";

const SELECT_BYTES: &str = "SELECT bytes FROM certificates WHERE id = $1";

async fn applied<C: deadpool_postgres::GenericClient>(
    c: &C,
) -> Result<Vec<AppliedMigration>, StoreError> {
    let rows = c
        .query(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AppliedMigration {
            version: r.get(0),
            name: r.get(1),
            checksum: r.get(2),
            applied_at: r.get(3),
        })
        .collect())
}

/// The stored bytes of `ids` (distinct), in the order of `ids`.
async fn fetch_bytes<C: deadpool_postgres::GenericClient>(
    c: &C,
    ids: &[CertId],
) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let keys: Vec<&[u8]> = chunk.iter().map(|i| &i.0[..]).collect();
        let st = c
            .prepare_cached("SELECT id, bytes FROM certificates WHERE id = ANY($1)")
            .await?;
        let rows = c.query(&st, &[&keys]).await?;
        for r in rows {
            found.insert(id_from_db(r.get::<_, &[u8]>(0))?, r.get::<_, Vec<u8>>(1));
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id).map(|b| (*id, b)))
        .collect())
}

//! The PostgreSQL backend: `tokio-postgres` with a small `deadpool-postgres` pool.
//!
//! **Inserts** run one transaction each, at READ COMMITTED, and serialise on the lot rows
//! they consume: first every (certificate, lot) output row the certificate consumes is
//! locked with `SELECT … FOR UPDATE`, one row at a time in ascending (certificate, lot)
//! order, so that two inserts wanting overlapping lots always lock in the same order and
//! cannot deadlock. Only then are the checks made; a concurrent insert of the same lot is
//! still waiting on the lock, and sees the updated `consumed` once this one commits. The
//! certificate row is written with `ON CONFLICT (id) DO NOTHING`, which waits for a
//! concurrent insert of the same id and then reports it, so a race between two copies of
//! one certificate ends with one `Created` and one `AlreadyStored`. A deadlock or
//! serialisation failure reported by the server (which the lock order should prevent) is
//! retried a few times.
//!
//! **Reads** are single statements, except the closure, which runs in a REPEATABLE READ,
//! READ ONLY transaction so that it comes from one snapshot.

use crate::migrate::{self, AppliedMigration};
use crate::url::redact;
use crate::{
    Checked, Inserted, Logged, Revocation, StoreError, Timestamp, Walk, all_fetched,
    check_quantity, id_from_db, missing_input, to_i64, to_u64,
};
use catchcert_model::CertId;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls};

/// Connections in the pool.
pub const POOL_SIZE: usize = 8;
/// How often an insert is retried after a deadlock or serialisation failure.
const RETRIES: usize = 5;
/// The `pg_advisory_xact_lock` key that serialises concurrent migrations ("catchcrt").
const MIGRATION_LOCK: i64 = 0x6361_7463_6863_7274;

/// A PostgreSQL store.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    url: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What one attempt at an insert ended with.
enum Attempt {
    Done(Result<Logged, StoreError>),
    Retry(StoreError),
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
        let store = PostgresStore { pool, url: shown };
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
        let mut last = None;
        for _ in 0..RETRIES {
            match self.try_insert(&c).await {
                Attempt::Done(Ok(Logged {
                    inserted: Inserted::AlreadyStored,
                    ..
                })) => {
                    // Stored by a committed transaction, which appended it to the log too.
                    return Ok(Logged {
                        inserted: Inserted::AlreadyStored,
                        log_index: self.log_index(c.cert.id).await?,
                    });
                }
                Attempt::Done(r) => return r,
                Attempt::Retry(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| StoreError::Backend("insert was not attempted".into())))
    }

    /// The stored bytes of the id compared with ours.
    fn same_or_conflict(c: &Checked, stored: Vec<u8>) -> Result<Logged, StoreError> {
        if stored == c.cert.bytes {
            Ok(Logged {
                inserted: Inserted::AlreadyStored,
                log_index: None,
            })
        } else {
            Err(StoreError::IdConflict {
                certificate: c.cert.id,
            })
        }
    }

    async fn try_insert(&self, k: &Checked) -> Attempt {
        match self.try_insert_inner(k).await {
            Ok(r) => Attempt::Done(r),
            Err(e) if retryable(&e) => Attempt::Retry(e.into()),
            Err(e) => Attempt::Done(Err(e.into())),
        }
    }

    /// One transaction. `Ok(Err(_))` is a refusal (rolled back), `Err(_)` a database error.
    async fn try_insert_inner(
        &self,
        k: &Checked,
    ) -> Result<Result<Logged, StoreError>, tokio_postgres::Error> {
        let c = &k.cert;
        let id: &[u8] = &c.id.0;
        let mut client = match self.pool.get().await {
            Ok(cl) => cl,
            Err(e) => return Ok(Err(e.into())),
        };
        // Fast path, outside any transaction: already stored.
        let select_bytes = client.prepare_cached(SELECT_BYTES).await?;
        if let Some(row) = client.query_opt(&select_bytes, &[&id]).await? {
            return Ok(Self::same_or_conflict(k, row.get(0)));
        }

        let tx = client.transaction().await?;
        // Lock every consumed output row, in (certificate, lot) order.
        let lock = tx
            .prepare_cached(
                "SELECT quantity, consumed FROM lot_outputs \
                 WHERE certificate = $1 AND lot = $2 FOR UPDATE",
            )
            .await?;
        let mut rows = Vec::with_capacity(k.demands.len());
        for d in &k.demands {
            let row = tx
                .query_opt(&lock, &[&&d.certificate.0[..], &d.lot])
                .await?;
            rows.push(row.map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1))));
        }
        // A copy of this certificate may have committed while we waited for the locks.
        let select_bytes = tx.prepare_cached(SELECT_BYTES).await?;
        if let Some(row) = tx.query_opt(&select_bytes, &[&id]).await? {
            return Ok(Self::same_or_conflict(k, row.get(0)));
        }
        for (d, row) in k.demands.iter().zip(rows) {
            let verdict = match row {
                None => {
                    let stored = tx
                        .query_opt(
                            "SELECT 1 FROM certificates WHERE id = $1",
                            &[&&d.certificate.0[..]],
                        )
                        .await?
                        .is_some();
                    Err(missing_input(d, stored))
                }
                Some((quantity, consumed)) => {
                    match (to_u64(quantity, "quantity"), to_u64(consumed, "consumed")) {
                        (Ok(q), Ok(u)) => check_quantity(d, q, u),
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    }
                }
            };
            if let Err(e) = verdict {
                return Ok(Err(e));
            }
        }
        // One lineage per lot id: serialise the writers of each new lot id (advisory locks,
        // in lot order, after every row lock), then check that no stored certificate
        // outputs it.
        for lot in &k.new_lots {
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 7215))",
                &[lot],
            )
            .await?;
        }
        if !k.new_lots.is_empty() {
            // A copy of this certificate may have committed while we waited.
            if let Some(row) = tx.query_opt(&select_bytes, &[&id]).await? {
                return Ok(Self::same_or_conflict(k, row.get(0)));
            }
        }
        for lot in &k.new_lots {
            let existing = tx
                .query_opt(
                    "SELECT certificate FROM lot_outputs WHERE lot = $1 LIMIT 1",
                    &[lot],
                )
                .await?;
            if let Some(row) = existing {
                let existing: Vec<u8> = row.get(0);
                return Ok(match crate::id_from_db(&existing) {
                    Ok(existing) => Err(StoreError::LotConflict {
                        certificate: c.id,
                        lot: lot.clone(),
                        existing,
                    }),
                    Err(e) => Err(e),
                });
            }
        }
        let insert = tx
            .prepare_cached(
                "INSERT INTO certificates \
                 (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING seq",
            )
            .await?;
        let created = tx
            .query_opt(
                &insert,
                &[
                    &id,
                    &c.bytes,
                    &c.kind.as_str(),
                    &c.time.0,
                    &c.issued_at.0,
                    &c.issuer_subject,
                    &&c.issuer_key[..],
                ],
            )
            .await?;
        if created.is_none() {
            // Another transaction stored the same id and has committed.
            drop(tx);
            return match client.query_opt(SELECT_BYTES, &[&id]).await? {
                Some(row) => Ok(Self::same_or_conflict(k, row.get(0))),
                None => Ok(Err(StoreError::Backend(format!(
                    "{}: conflicting insert vanished",
                    c.id
                )))),
            };
        }
        let quantities: Result<Vec<i64>, StoreError> = c
            .outputs
            .iter()
            .map(|o| to_i64(o.quantity.0))
            .chain(k.demands.iter().map(|d| to_i64(d.requested)))
            .chain(c.inputs.iter().map(|i| to_i64(i.quantity.0)))
            .collect();
        let quantities = match quantities {
            Ok(q) => q,
            Err(e) => return Ok(Err(e)),
        };
        let (out_q, rest) = quantities.split_at(c.outputs.len());
        let (dem_q, in_q) = rest.split_at(k.demands.len());

        let st = tx
            .prepare_cached(
                "INSERT INTO lot_outputs (certificate, lot, quantity) VALUES ($1, $2, $3)",
            )
            .await?;
        for (o, q) in c.outputs.iter().zip(out_q) {
            tx.execute(&st, &[&id, &o.lot, q]).await?;
        }
        let st = tx
            .prepare_cached(
                "UPDATE lot_outputs SET consumed = consumed + $3 WHERE certificate = $1 AND lot = $2",
            )
            .await?;
        for (d, q) in k.demands.iter().zip(dem_q) {
            tx.execute(&st, &[&&d.certificate.0[..], &d.lot, q]).await?;
        }
        let st = tx
            .prepare_cached(
                "INSERT INTO lot_inputs (certificate, position, source, lot, quantity) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        for (pos, (inp, q)) in c.inputs.iter().zip(in_q).enumerate() {
            let pos = match i32::try_from(pos) {
                Ok(p) => p,
                Err(_) => return Ok(Err(StoreError::Backend("too many inputs".into()))),
            };
            tx.execute(&st, &[&id, &pos, &&inp.certificate.0[..], &inp.lot, q])
                .await?;
        }
        let st = tx
            .prepare_cached(
                "INSERT INTO attestation_refs (certificate, attestation) VALUES ($1, $2)",
            )
            .await?;
        for a in &k.attestations {
            tx.execute(&st, &[&id, &&a.0[..]]).await?;
        }
        if let Some(target) = c.revokes {
            tx.execute(
                "INSERT INTO revocations (revocation, target) VALUES ($1, $2)",
                &[&id, &&target.0[..]],
            )
            .await?;
        }
        if let Some(st) = &k.evidence.attests {
            tx.execute(
                "INSERT INTO attestation_subjects \
                 (attestation, scheme, subject, valid_from, valid_until) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[&id, &st.scheme, &st.subject, &st.from, &st.until],
            )
            .await?;
        }
        if let Some(st) = &k.evidence.needs {
            tx.execute(
                "INSERT INTO attestation_needs \
                 (certificate, scheme, subject, need_from, need_until) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[&id, &st.scheme, &st.subject, &st.from, &st.until],
            )
            .await?;
        }
        let log_index = if c.bytes.len() <= crate::MAX_LOG_ENTRY_BYTES {
            // The row lock on log_head, held until commit, serialises appends of every
            // server on this database: indexes stay dense and in commit order.
            let idx: i64 = tx
                .query_one(
                    "UPDATE log_head SET size = size + 1 WHERE one RETURNING size - 1",
                    &[],
                )
                .await?
                .get(0);
            tx.execute(
                "INSERT INTO log_entries (idx, certificate) VALUES ($1, $2)",
                &[&idx, &id],
            )
            .await?;
            match to_u64(idx, "log index") {
                Ok(i) => Some(i),
                Err(e) => return Ok(Err(e)),
            }
        } else {
            None
        };
        record_change(&tx, id).await?;
        tx.commit().await?;
        Ok(Ok(Logged {
            inserted: Inserted::Created,
            log_index,
        }))
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
                    "SELECT source FROM lot_inputs WHERE certificate = ANY($1) \
                     UNION SELECT a.attestation FROM attestation_refs a \
                       JOIN certificates c ON c.id = a.attestation WHERE a.certificate = ANY($1) \
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
                "SELECT g.generation, g.certificate, c.bytes FROM changes g \
                 JOIN certificates c ON c.id = g.certificate \
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
                "SELECT idx FROM log_entries WHERE certificate = $1",
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
                 ON c.id = l.certificate WHERE l.idx >= $1 AND l.idx < $2 ORDER BY l.idx",
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

/// Journal a newly stored certificate (the next generation), in the inserting transaction.
/// The row lock on generation_head, held until commit, keeps generations in commit order
/// across every server on the database (migration 0005). Taken last, after log_head.
async fn record_change(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &[u8],
) -> Result<(), tokio_postgres::Error> {
    let st = tx
        .prepare_cached(
            "WITH g AS (UPDATE generation_head SET value = value + 1 WHERE one RETURNING value) \
             INSERT INTO changes (generation, certificate) SELECT value, $1 FROM g",
        )
        .await?;
    tx.execute(&st, &[&id]).await?;
    Ok(())
}

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
        let rows = c
            .query(
                "SELECT id, bytes FROM certificates WHERE id = ANY($1)",
                &[&keys],
            )
            .await?;
        for r in rows {
            found.insert(id_from_db(r.get::<_, &[u8]>(0))?, r.get::<_, Vec<u8>>(1));
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id).map(|b| (*id, b)))
        .collect())
}

//! The SQLite backend: one writer thread with group commit, a small pool of readers.
//!
//! **Writes.** One dedicated thread owns the only writing connection. [`SqliteStore::insert`]
//! sends the checked certificate over a channel and waits for the answer. The thread takes
//! the first waiting request, drains whatever else is queued (up to [`MAX_BATCH`]) and
//! applies the whole batch in ONE `BEGIN IMMEDIATE` transaction. Then it commits once and
//! only after `COMMIT` has returned does it answer every caller. With `journal_mode=WAL`
//! and `synchronous=FULL` the commit has reached stable storage by then, so every `Created`
//! is durable. If the commit fails, every caller of the batch gets the error and nothing of
//! the batch is stored.
//!
//! Each insert is first checked by reads alone (`check_one`: already stored? each demanded
//! lot's row and quantity, new lot ids not output elsewhere). One the checks refuse has
//! written nothing, so it is simply answered; one they pass is then written (`write_one`).
//! No savepoint is needed for either: a savepoint per insert would cost three statements
//! and make SQLite copy every page the insert touches first into its sub-journal. The log
//! index and the change generation are read once per batch, after `BEGIN IMMEDIATE` (the
//! write lock is held, so no one else can append), and numbered in Rust, densely in batch
//! order: their rows are plain `INSERT … VALUES` (an `INSERT … SELECT MAX(…)` would also
//! open a statement journal each).
//!
//! If a write fails anyway (a constraint the checks do not test, an I/O error), or a read
//! of the checks does, the transaction may hold part of that insert: it is rolled back
//! whole and the same batch is applied again the older way, each insert inside its own
//! `SAVEPOINT` (rolled back alone if it fails) and numbered by reading the next log index
//! and generation inside it, so a rolled-back insert leaves no gap. Both ways give the
//! same answers and store the same rows, since the checks of both see the same state
//! (a refused insert writes nothing either way); the fallback gives a failing statement's
//! error to that insert alone, as it always did.
//!
//! Inserts in one batch see each other in order: a later one may consume a lot an earlier
//! one output, and a second copy of the same certificate is `AlreadyStored`.
//!
//! **Reads** run on `spawn_blocking` threads with their own connections (`query_only`),
//! which WAL lets proceed while the writer commits. A closure is read in one read
//! transaction, so it comes from one snapshot.

use crate::migrate::{self, AppliedMigration};
use crate::{
    Checked, Inserted, Logged, Revocation, StoreError, Timestamp, Walk, all_fetched,
    check_quantity, id_from_db, missing_input, to_i64, to_u64,
};
use catchcert_model::CertId;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// Most inserts applied in one transaction.
pub const MAX_BATCH: usize = 1024;
/// Requests that may wait for the writer before `insert` itself waits.
const QUEUE: usize = 4096;
/// Reader connections (and concurrent reads).
const READERS: usize = 4;
/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Ids per `IN (…)` list.
const CHUNK: usize = 500;
/// The writer's page cache, in KiB (negative: SQLite's unit for a size in KiB).
const WRITER_CACHE_KIB: i64 = -65_536;
/// Most ids [`SqliteStore::get_many`] looks up on the calling thread (`point_read`).
const POINT_READ_IDS: usize = 64;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;
/// WAL pages after which a commit copies the WAL back into the database file.
const WAL_CHECKPOINT_PAGES: i64 = 10_000;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A write of the log's derived data (hashes, checkpoints, cosignatures) on the writer.
type Exec = Box<dyn FnOnce(&mut Connection) -> Result<(), StoreError> + Send>;

enum Job {
    Insert(Box<Checked>, Reply<Logged>),
    Migrate(Reply<usize>),
    Exec(Exec, Reply<()>),
}

/// A SQLite store (see the module documentation for its threads and group commit).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

struct Inner {
    path: PathBuf,
    writer: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    readers: Mutex<Vec<Connection>>,
    read_permits: Semaphore,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the channel ends the writer loop once it has answered what it holds.
        self.writer = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn backend_at(path: &Path, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("SQLite {}: {what}: {e}", path.display()))
}

/// Open the writing connection and set it up for durability and integrity.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| backend_at(path, "open", e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(backend_at(
            path,
            "journal_mode",
            format!("could not switch to WAL (got {mode})"),
        ));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Neither touches durability (the WAL is still fsynced at every commit):
    // - savepoints (the fallback path of a batch) and statement journals keep the pages
    //   they may have to restore in memory rather than in a temporary file;
    // - the writer keeps its pages across transactions (nobody else writes): room for the
    //   hot index pages of a large store;
    // - the WAL is copied back into the database file every WAL_CHECKPOINT_PAGES pages
    //   instead of SQLite's 1000: the same index pages, rewritten by every batch, are
    //   copied (and the database file fsynced) less often.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
    // An insert runs about twenty distinct statements: more than rusqlite's default cache
    // of 16, which then, used in a cycle, misses every time and parses them all anew.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| backend_at(path, "open reader", e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", "ON")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

impl SqliteStore {
    pub(crate) async fn open(path: PathBuf) -> Result<SqliteStore, StoreError> {
        let p = path.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            let mut conn = open_writer(&p)?;
            run_migrations(&mut conn, migrate::SQLITE)?;
            Ok(conn)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("SQLite open task failed: {e}")))??;
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("catchcert-sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| backend_at(&path, "start writer thread", e))?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path,
                writer: Some(tx),
                thread: Some(thread),
                readers: Mutex::new(Vec::new()),
                read_permits: Semaphore::new(READERS),
            }),
        })
    }

    async fn send<T>(&self, make: impl FnOnce(Reply<T>) -> Job) -> Result<T, StoreError> {
        let stopped = || StoreError::Backend("the SQLite writer thread has stopped".into());
        let writer = self.inner.writer.as_ref().ok_or_else(stopped)?;
        let (reply, answer) = oneshot::channel();
        writer.send(make(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn insert(&self, c: Checked) -> Result<Logged, StoreError> {
        self.send(|reply| Job::Insert(Box::new(c), reply)).await
    }

    /// Run `f` in its own immediate transaction on the writer thread.
    pub(crate) async fn exec<F>(&self, f: F) -> Result<(), StoreError>
    where
        F: FnOnce(&Connection) -> Result<(), StoreError> + Send + 'static,
    {
        let job: Exec = Box::new(move |conn: &mut Connection| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            f(&tx)?;
            tx.commit()?;
            Ok(())
        });
        self.send(|reply| Job::Exec(job, reply)).await
    }

    pub(crate) async fn migrate(&self) -> Result<usize, StoreError> {
        self.send(Job::Migrate).await
    }

    /// Run `f` on a reader connection on a blocking thread.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self
            .inner
            .read_permits
            .acquire()
            .await
            .map_err(|e| StoreError::Backend(format!("SQLite readers: {e}")))?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let pooled = inner
                .readers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let mut conn = match pooled {
                Some(c) => c,
                None => open_reader(&inner.path)?,
            };
            let result = f(&mut conn);
            if conn.is_autocommit() {
                inner
                    .readers
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Backend(format!("SQLite read task failed: {e}")))?
    }

    /// Run `f` on a reader connection right here, on the calling (async) thread: for
    /// lookups of a few rows by primary key, which take microseconds — less than handing
    /// them to a blocking thread and waking the caller again. When every reader is busy,
    /// [`SqliteStore::read`] waits its turn instead.
    async fn point_read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let Ok(_permit) = self.inner.read_permits.try_acquire() else {
            return self.read(f).await;
        };
        let pooled = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => open_reader(&self.inner.path)?,
        };
        let result = f(&mut conn);
        if conn.is_autocommit() {
            self.inner
                .readers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(conn);
        }
        result
    }

    pub(crate) async fn get(&self, id: CertId) -> Result<Option<Vec<u8>>, StoreError> {
        self.point_read(move |c| {
            Ok(
                c.prepare_cached("SELECT bytes FROM certificates WHERE id = ?1")?
                    .query_row([&id.0[..]], |r| r.get(0))
                    .optional()?,
            )
        })
        .await
    }

    pub(crate) async fn get_many(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        if ids.len() <= POINT_READ_IDS {
            self.point_read(move |c| fetch_bytes(c, &ids)).await
        } else {
            self.read(move |c| fetch_bytes(c, &ids)).await
        }
    }

    pub(crate) async fn lot_holder(&self, lot: &str) -> Result<Option<CertId>, StoreError> {
        let lot = lot.to_string();
        self.read(move |c| {
            let id: Option<Vec<u8>> = c
                .prepare_cached(LOT_HOLDER)?
                .query_row([&lot], |r| r.get(0))
                .optional()?;
            id.map(|v| id_from_db(&v)).transpose()
        })
        .await
    }

    pub(crate) async fn closure(
        &self,
        head: CertId,
        max: usize,
    ) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
        self.read(move |c| {
            // One read transaction: every query below sees the same snapshot.
            let tx = c.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let exists = tx
                .prepare_cached("SELECT 1 FROM certificates WHERE id = ?1")?
                .exists([&head.0[..]])?;
            if !exists {
                return Err(StoreError::NotFound { certificate: head });
            }
            let mut walk = Walk::new(head, max)?;
            while let Some(frontier) = walk.next_frontier() {
                walk.add(neighbours(&tx, &frontier)?)?;
            }
            let order = walk.into_order();
            let out = fetch_bytes(&tx, &order)?;
            tx.commit()?;
            all_fetched(head, &order, out)
        })
        .await
    }

    pub(crate) async fn covering_attestations(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<CertId>, StoreError> {
        self.read(move |c| ids_for(c, COVERING_SQL, &ids)).await
    }

    pub(crate) async fn revocations_of(
        &self,
        ids: Vec<CertId>,
    ) -> Result<Vec<Revocation>, StoreError> {
        self.read(move |c| {
            let mut out = Vec::new();
            for chunk in ids.chunks(CHUNK) {
                let sql = format!(
                    "SELECT r.target, r.revocation, c.time FROM revocations r \
                     JOIN certificates c ON c.id = r.revocation WHERE r.target IN ({})",
                    placeholders(chunk.len())
                );
                let mut st = c.prepare(&sql)?;
                let mut rows =
                    st.query(rusqlite::params_from_iter(chunk.iter().map(|i| &i.0[..])))?;
                while let Some(r) = rows.next()? {
                    out.push(Revocation {
                        target: id_from_db(&r.get::<_, Vec<u8>>(0)?)?,
                        revocation: id_from_db(&r.get::<_, Vec<u8>>(1)?)?,
                        time: Timestamp(r.get(2)?),
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn watchlists(&self) -> Result<Vec<crate::StoredWatchlist>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare_cached(WATCHLISTS_SQL)?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, bytes, issuer) = row?;
                out.push(crate::StoredWatchlist {
                    id: id_from_db(&id)?,
                    bytes,
                    issuer,
                });
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn watchlist_ids(&self) -> Result<Vec<CertId>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare_cached(WATCHLIST_IDS_SQL)?;
            let rows = st.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(id_from_db(&row?)?);
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM certificates", [], |r| r.get(0))?;
            to_u64(n, "count")
        })
        .await
    }

    pub(crate) async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        self.read(|c| applied(c)).await
    }

    pub(crate) async fn generation(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let g: i64 = c
                .prepare_cached("SELECT COALESCE(MAX(generation), 0) FROM changes")?
                .query_row([], |r| r.get(0))?;
            to_u64(g, "generation")
        })
        .await
    }

    pub(crate) async fn changes(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<crate::Change>, StoreError> {
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT g.generation, c.id, c.bytes FROM changes g \
                 JOIN certificates c ON c.seq = g.certificate_seq \
                 WHERE g.generation > ?1 AND g.generation <= ?2 ORDER BY g.generation",
            )?;
            let mut rows = st.query(params![after, upto])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(crate::Change {
                    generation: to_u64(r.get(0)?, "generation")?,
                    id: id_from_db(&r.get::<_, Vec<u8>>(1)?)?,
                    bytes: r.get(2)?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn log_size(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries",
                [],
                |r| r.get(0),
            )?;
            to_u64(n, "log size")
        })
        .await
    }

    pub(crate) async fn log_index(&self, id: CertId) -> Result<Option<u64>, StoreError> {
        self.read(move |c| index_of(c, id)).await
    }

    pub(crate) async fn log_entries(
        &self,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let (s, e) = (crate::to_i64(start)?, crate::to_i64(end)?);
        self.read(move |c| {
            let mut st = c.prepare_cached(
                "SELECT l.idx, c.bytes FROM log_entries l JOIN certificates c ON c.seq = l.certificate_seq \
                 WHERE l.idx >= ?1 AND l.idx < ?2 ORDER BY l.idx",
            )?;
            let mut rows = st.query(params![s, e])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let idx: i64 = r.get(0)?;
                if idx != s + out.len() as i64 {
                    return Err(StoreError::Backend(format!("log entry {} is missing", s + out.len() as i64)));
                }
                out.push(r.get::<_, Vec<u8>>(1)?);
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn log_hash_count(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_hashes",
                [],
                |r| r.get(0),
            )?;
            to_u64(n, "log hash count")
        })
        .await
    }

    pub(crate) async fn read_log_hashes(
        &self,
        indexes: Vec<u64>,
    ) -> Result<Vec<[u8; 32]>, StoreError> {
        self.read(move |c| {
            let mut st = c.prepare_cached("SELECT hash FROM log_hashes WHERE idx = ?1")?;
            let mut out = Vec::with_capacity(indexes.len());
            for i in indexes {
                let h: Option<Vec<u8>> =
                    st.query_row([crate::to_i64(i)?], |r| r.get(0)).optional()?;
                out.push(crate::hash_from_db(i, h)?);
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn write_log_hashes(
        &self,
        start: u64,
        hashes: Vec<[u8; 32]>,
    ) -> Result<(), StoreError> {
        self.exec(move |c| {
            let mut st =
                c.prepare_cached("INSERT OR IGNORE INTO log_hashes (idx, hash) VALUES (?1, ?2)")?;
            for (i, h) in hashes.iter().enumerate() {
                st.execute(params![crate::to_i64(start + i as u64)?, &h[..]])?;
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn save_checkpoint(
        &self,
        size: u64,
        root: [u8; 32],
        note: Vec<u8>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(move |c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO log_checkpoints (size, root, note, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![crate::to_i64(size)?, &root[..], &note, now])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn save_cosignature(
        &self,
        size: u64,
        witness: String,
        line: String,
    ) -> Result<(), StoreError> {
        self.exec(move |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO log_cosignatures (size, witness, line) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![crate::to_i64(size)?, &witness, &line])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn cosigned_checkpoint_size(
        &self,
        min: i64,
        k: i64,
    ) -> Result<Option<u64>, StoreError> {
        self.read(move |c| {
            let size: Option<i64> = c
                .prepare_cached(COSIGNED_CHECKPOINT)?
                .query_row([min, k], |r| r.get(0))
                .optional()?;
            size.map(|n| to_u64(n, "checkpoint size")).transpose()
        })
        .await
    }

    pub(crate) async fn checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<crate::StoredCheckpoint>, StoreError> {
        self.read(move |c| {
            let row: Option<(i64, Vec<u8>, Vec<u8>)> = match size {
                Some(n) => c
                    .prepare_cached("SELECT size, root, note FROM log_checkpoints WHERE size = ?1")?
                    .query_row([crate::to_i64(n)?], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?,
                None => c
                    .prepare_cached(
                        "SELECT size, root, note FROM log_checkpoints ORDER BY size DESC LIMIT 1",
                    )?
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?,
            };
            let Some((size, root, note)) = row else {
                return Ok(None);
            };
            let mut st = c.prepare_cached(
                "SELECT witness, line FROM log_cosignatures WHERE size = ?1 ORDER BY witness",
            )?;
            let cosignatures = st
                .query_map([size], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<(String, String)>, _>>()?;
            Ok(Some(crate::StoredCheckpoint {
                size: to_u64(size, "checkpoint size")?,
                root: crate::hash_from_db(0, Some(root))?,
                note,
                cosignatures,
            }))
        })
        .await
    }
}

/// The newest of the 64 newest checkpoints of at least ?1 entries with at least ?2
/// cosignatures (see `Store::cosigned_checkpoint_size`).
const COSIGNED_CHECKPOINT: &str = "SELECT c.size FROM (SELECT size FROM log_checkpoints \
     WHERE size >= ?1 ORDER BY size DESC LIMIT 64) c \
     WHERE (SELECT COUNT(*) FROM log_cosignatures s WHERE s.size = c.size) >= ?2 \
     ORDER BY c.size DESC LIMIT 1";

/// The lot-holder rule as one query (see `Store::lot_holder`).
const LOT_HOLDER: &str = "SELECT c.id FROM lot_outputs o JOIN certificates c ON c.id = o.certificate \
     WHERE o.lot = ?1 \
     ORDER BY CASE WHEN o.consumed = 0 THEN 0 ELSE 1 END, c.time DESC, c.seq DESC LIMIT 1";

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(",")
}

/// Query `sql` (one `IN ({})` list) for each chunk of `ids`; collect the first column as ids.
fn ids_for(c: &Connection, sql: &str, ids: &[CertId]) -> Result<Vec<CertId>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let mut st = c.prepare_cached(&sql.replace("{}", &placeholders(chunk.len())))?;
        let mut rows = st.query(rusqlite::params_from_iter(chunk.iter().map(|i| &i.0[..])))?;
        while let Some(r) = rows.next()? {
            out.push(id_from_db(&r.get::<_, Vec<u8>>(0)?)?);
        }
    }
    Ok(out)
}

/// The stored watch lists, oldest first (read through the partial index of migration 0007).
const WATCHLISTS_SQL: &str = "SELECT id, bytes, issuer_subject FROM certificates \
     WHERE kind = 'watchlist' ORDER BY seq";
/// Their ids alone.
const WATCHLIST_IDS_SQL: &str = "SELECT id FROM certificates WHERE kind = 'watchlist' ORDER BY seq";

/// Parents through inputs, stored attestations named, and revocations of `ids`.
fn neighbours(c: &Connection, ids: &[CertId]) -> Result<Vec<CertId>, StoreError> {
    let mut out = ids_for(
        c,
        "SELECT DISTINCT i.source FROM certificates x \
         JOIN lot_inputs i ON i.certificate_seq = x.seq WHERE x.id IN ({})",
        ids,
    )?;
    out.extend(ids_for(
        c,
        "SELECT DISTINCT a.attestation FROM certificates x \
         JOIN attestation_refs a ON a.certificate_seq = x.seq \
         JOIN certificates c ON c.id = a.attestation WHERE x.id IN ({})",
        ids,
    )?);
    out.extend(ids_for(
        c,
        "SELECT revocation FROM revocations WHERE target IN ({})",
        ids,
    )?);
    out.extend(ids_for(c, COVERING_SQL, ids)?);
    Ok(out)
}

/// The stored attestations that cover what the certificates `{}` need attested.
const COVERING_SQL: &str = "SELECT DISTINCT s.attestation FROM attestation_needs n \
     JOIN attestation_subjects s ON s.scheme = n.scheme AND s.subject = n.subject \
       AND s.valid_from <= n.need_from AND n.need_until <= s.valid_until \
     WHERE n.certificate IN ({})";

/// The stored bytes of `ids` (distinct), in the order of `ids`.
fn fetch_bytes(c: &Connection, ids: &[CertId]) -> Result<Vec<(CertId, Vec<u8>)>, StoreError> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, bytes FROM certificates WHERE id IN ({})",
            placeholders(chunk.len())
        );
        let mut st = c.prepare_cached(&sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(chunk.iter().map(|i| &i.0[..])))?;
        while let Some(r) = rows.next()? {
            found.insert(
                id_from_db(&r.get::<_, Vec<u8>>(0)?)?,
                r.get::<_, Vec<u8>>(1)?,
            );
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id).map(|b| (*id, b)))
        .collect())
}

fn applied(c: &Connection) -> Result<Vec<AppliedMigration>, StoreError> {
    let mut st = c.prepare(
        "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
    )?;
    let rows = st.query_map([], |r| {
        Ok(AppliedMigration {
            version: r.get(0)?,
            name: r.get(1)?,
            checksum: r.get(2)?,
            applied_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Apply the missing migrations of `list` in one immediate transaction; return how many.
pub(crate) fn run_migrations(
    conn: &mut Connection,
    list: &[migrate::Migration],
) -> Result<usize, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        )",
    )?;
    let todo = migrate::pending(list, &applied(&tx)?)?;
    for m in &todo {
        let fail = |e: rusqlite::Error| StoreError::Migration {
            version: m.version,
            name: m.name.to_string(),
            reason: e.to_string(),
        };
        tx.execute_batch(m.sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
             VALUES (?1, ?2, ?3, CAST(strftime('%s','now') AS INTEGER))",
            params![m.version, m.name, m.checksum()],
        )
        .map_err(fail)?;
    }
    if todo
        .iter()
        .any(|m| m.version == crate::EVIDENCE_MIGRATION && m.name == "attestation_subjects")
    {
        backfill_evidence(&tx)?;
    }
    if let Some(last) = list.last() {
        tx.pragma_update(None, "user_version", last.version)?;
    }
    tx.commit()?;
    Ok(todo.len())
}

/// Fill `attestation_subjects` and `attestation_needs` for the certificates stored before
/// the migration that adds them (run once, in that migration's transaction).
fn backfill_evidence(tx: &Connection) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    {
        let mut st = tx.prepare(&format!(
            "SELECT id, bytes FROM certificates WHERE kind IN {}",
            crate::EVIDENCE_KINDS
        ))?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            rows.push((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?));
        }
    }
    for (id, bytes) in rows {
        write_evidence(tx, &id, &crate::evidence_facts(&bytes))?;
    }
    Ok(())
}

/// The `attestation_subjects` / `attestation_needs` rows of one certificate.
fn write_evidence(
    db: &Connection,
    id: &[u8],
    facts: &crate::EvidenceFacts,
) -> Result<(), StoreError> {
    if let Some(st) = &facts.attests {
        db.prepare_cached(
            "INSERT INTO attestation_subjects \
             (attestation, scheme, subject, valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, st.scheme, &st.subject, st.from, st.until])?;
    }
    if let Some(st) = &facts.needs {
        db.prepare_cached(
            "INSERT INTO attestation_needs \
             (certificate, scheme, subject, need_from, need_until) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, st.scheme, &st.subject, st.from, st.until])?;
    }
    Ok(())
}

/// Take what is queued, up to [`MAX_BATCH`] jobs in all.
fn drain(rx: &mut mpsc::Receiver<Job>, jobs: &mut Vec<Job>) {
    while jobs.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
}

/// The writer thread: group commit (see the module documentation).
fn writer_loop(mut conn: Connection, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        drain(&mut rx, &mut jobs);
        let mut batch: Vec<(Box<Checked>, Reply<Logged>)> = Vec::new();
        for job in jobs {
            match job {
                Job::Insert(c, reply) => batch.push((c, reply)),
                Job::Migrate(reply) => {
                    // Keep request order: what came before the migration commits first.
                    answer_batch(&mut conn, std::mem::take(&mut batch));
                    let _ = reply.send(run_migrations(&mut conn, migrate::SQLITE));
                }
                Job::Exec(f, reply) => {
                    answer_batch(&mut conn, std::mem::take(&mut batch));
                    let _ = reply.send(f(&mut conn));
                }
            }
        }
        answer_batch(&mut conn, batch);
    }
}

fn answer_batch(conn: &mut Connection, batch: Vec<(Box<Checked>, Reply<Logged>)>) {
    if batch.is_empty() {
        return;
    }
    let (certs, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
    let results = apply_batch(conn, &certs);
    for (reply, result) in replies.into_iter().zip(results) {
        // A caller that stopped waiting is not an error: its insert stands.
        let _ = reply.send(result);
    }
}

/// Apply `certs` in one transaction and commit once (see the module documentation): first
/// without savepoints ([`apply_checked`]); if that gives up, again with a savepoint per
/// insert ([`apply_with_savepoints`]). Every result is final: when the commit fails, all
/// become that error.
pub(crate) fn apply_batch(
    conn: &mut Connection,
    certs: &[Box<Checked>],
) -> Vec<Result<Logged, StoreError>> {
    match apply_checked(conn, certs) {
        Some(results) => results,
        None => apply_with_savepoints(conn, certs),
    }
}

/// Every result of a batch: `e`.
fn all_fail(certs: &[Box<Checked>], e: &StoreError) -> Vec<Result<Logged, StoreError>> {
    certs.iter().map(|_| Err(e.clone())).collect()
}

/// The commit of a batch failed: nothing of it is stored.
fn commit_failed(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!(
        "SQLite commit failed, nothing of this batch was stored: {e}"
    ))
}

/// The fast path of [`apply_batch`]: no savepoints. Each insert is checked by reads alone
/// ([`check_one`]); one the checks refuse has written nothing, and one they pass is
/// written ([`write_one`]), numbered from the log index and generation read once at the
/// start. `None` when a statement failed anyway (a constraint the checks do not test, an
/// I/O error): the transaction, which may then hold part of an insert, has been rolled back
/// whole and the batch is to be applied again with [`apply_with_savepoints`], which gives
/// a failing statement's error to its insert alone.
fn apply_checked(
    conn: &mut Connection,
    certs: &[Box<Checked>],
) -> Option<Vec<Result<Logged, StoreError>>> {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return Some(all_fail(certs, &StoreError::from(e))),
    };
    let Some(results) = check_and_write(&tx, certs) else {
        // SQLite may already have rolled the transaction back itself (after some I/O
        // errors); if it is still open and cannot be undone, the batch fails whole.
        if let Err(e) = tx.rollback()
            && !conn.is_autocommit()
        {
            return Some(all_fail(certs, &StoreError::from(e)));
        }
        return None;
    };
    Some(match tx.commit() {
        Ok(()) => results,
        Err(e) => all_fail(certs, &commit_failed(e)),
    })
}

/// The inserts of [`apply_checked`] inside its transaction; `None` at the first failed
/// statement (its error is left to the savepoint path to give).
fn check_and_write(
    db: &Connection,
    certs: &[Box<Checked>],
) -> Option<Vec<Result<Logged, StoreError>>> {
    let mut next = Next::read(db).ok()?;
    let mut results = Vec::with_capacity(certs.len());
    for c in certs {
        results.push(match check_one(db, c).ok()? {
            Verdict::Stored(logged) => Ok(logged),
            Verdict::Refused(e) => Err(e),
            Verdict::Write => Ok(write_one(db, c, &mut next).ok()?),
        });
    }
    Some(results)
}

/// The fallback of [`apply_batch`]: one transaction, each insert in its own savepoint, so
/// one whose statements fail is rolled back alone; commit once.
fn apply_with_savepoints(
    conn: &mut Connection,
    certs: &[Box<Checked>],
) -> Vec<Result<Logged, StoreError>> {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return all_fail(certs, &StoreError::from(e)),
    };
    let mut results = Vec::with_capacity(certs.len());
    for c in certs {
        if let Err(e) = step(&tx, "SAVEPOINT insert_one") {
            return all_fail(certs, &e);
        }
        match insert_one(&tx, c) {
            Ok(v) => {
                if let Err(e) = step(&tx, "RELEASE insert_one") {
                    return all_fail(certs, &e);
                }
                results.push(Ok(v));
            }
            Err(e) => {
                // Undo this insert only. If even that fails the transaction is in an
                // unknown state: give it up whole.
                let undone = step(&tx, "ROLLBACK TO insert_one")
                    .and_then(|()| step(&tx, "RELEASE insert_one"));
                if let Err(e2) = undone {
                    return all_fail(certs, &e2);
                }
                results.push(Err(e));
            }
        }
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => all_fail(certs, &commit_failed(e)),
    }
}

/// Run one savepoint statement of [`apply_with_savepoints`], prepared once per connection
/// (rusqlite's `Savepoint` parses its statements anew every time).
fn step(db: &Connection, sql: &str) -> Result<(), StoreError> {
    db.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// One insert inside the open transaction and its own savepoint: the checks, then the
/// writes, numbered from the log index and generation read right here (inside the
/// savepoint, so one rolled back takes its numbers with it).
fn insert_one(db: &Connection, k: &Checked) -> Result<Logged, StoreError> {
    match check_one(db, k)? {
        Verdict::Stored(logged) => Ok(logged),
        Verdict::Refused(e) => Err(e),
        Verdict::Write => write_one(db, k, &mut Next::read(db)?),
    }
}

/// What the checks of one insert decided.
#[derive(Debug)]
enum Verdict {
    /// Already stored, with the same bytes: this answer, nothing to write.
    Stored(Logged),
    /// Refused (id conflict, unknown input, lot not output, over-consumption, lot
    /// conflict): nothing to write.
    Refused(StoreError),
    /// Passed: write it.
    Write,
}

/// The checks of one insert inside the open transaction, by reads alone (see
/// `Store::insert` for their order). An `Err` is a failed statement, not a refusal.
fn check_one(db: &Connection, k: &Checked) -> Result<Verdict, StoreError> {
    let c = &k.cert;
    let existing: Option<Vec<u8>> = db
        .prepare_cached("SELECT bytes FROM certificates WHERE id = ?1")?
        .query_row([&c.id.0[..]], |r| r.get(0))
        .optional()?;
    if let Some(bytes) = existing {
        return Ok(if bytes == c.bytes {
            Verdict::Stored(Logged {
                inserted: Inserted::AlreadyStored,
                log_index: index_of(db, c.id)?,
            })
        } else {
            Verdict::Refused(StoreError::IdConflict { certificate: c.id })
        });
    }
    for d in &k.demands {
        let row: Option<(i64, i64)> = db
            .prepare_cached(
                "SELECT quantity, consumed FROM lot_outputs WHERE certificate = ?1 AND lot = ?2",
            )?
            .query_row(params![&d.certificate.0[..], &d.lot], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match row {
            None => {
                let stored = db
                    .prepare_cached("SELECT 1 FROM certificates WHERE id = ?1")?
                    .exists([&d.certificate.0[..]])?;
                return Ok(Verdict::Refused(missing_input(d, stored)));
            }
            Some((quantity, consumed)) => {
                let (quantity, consumed) =
                    (to_u64(quantity, "quantity")?, to_u64(consumed, "consumed")?);
                if let Err(e) = check_quantity(d, quantity, consumed) {
                    return Ok(Verdict::Refused(e));
                }
            }
        }
    }
    for lot in &k.new_lots {
        let existing: Option<Vec<u8>> = db
            .prepare_cached("SELECT certificate FROM lot_outputs WHERE lot = ?1 LIMIT 1")?
            .query_row([lot], |r| r.get(0))
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Verdict::Refused(StoreError::LotConflict {
                certificate: c.id,
                lot: lot.clone(),
                existing: id_from_db(&existing)?,
            }));
        }
    }
    Ok(Verdict::Write)
}

/// The next log index and change generation in the open transaction (the writer thread
/// is the only writer while it holds the transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Next {
    log_index: i64,
    generation: i64,
}

impl Next {
    /// Read both, in one statement.
    fn read(db: &Connection) -> Result<Next, StoreError> {
        Ok(db
            .prepare_cached(
                "SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries), \
                        (SELECT COALESCE(MAX(generation), 0) + 1 FROM changes)",
            )?
            .query_row([], |r| {
                Ok(Next {
                    log_index: r.get(0)?,
                    generation: r.get(1)?,
                })
            })?)
    }
}

/// Write one certificate whose checks passed, taking its generation and (if it is a log
/// entry) its log index from `next`, which moves on only once every write succeeded. On
/// `Err` the transaction may hold part of the certificate: the caller undoes it.
fn write_one(db: &Connection, k: &Checked, next: &mut Next) -> Result<Logged, StoreError> {
    let c = &k.cert;
    db.prepare_cached(
        "INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        &c.id.0[..],
        &c.bytes,
        c.kind.as_str(),
        c.time.0,
        c.issued_at.0,
        &c.issuer_subject,
        &c.issuer_key[..],
    ])?;
    // The row number its inputs, attestation references, journal row and log entry name
    // it by (migration 0006); read before any other insert.
    let seq = db.last_insert_rowid();
    for o in &c.outputs {
        db.prepare_cached(
            "INSERT INTO lot_outputs (certificate, lot, quantity) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![&c.id.0[..], &o.lot, to_i64(o.quantity.0)?])?;
    }
    for d in &k.demands {
        db.prepare_cached(
            "UPDATE lot_outputs SET consumed = consumed + ?3 WHERE certificate = ?1 AND lot = ?2",
        )?
        .execute(params![&d.certificate.0[..], &d.lot, to_i64(d.requested)?])?;
    }
    for (i, inp) in c.inputs.iter().enumerate() {
        db.prepare_cached(
            "INSERT INTO lot_inputs (certificate_seq, position, source, lot, quantity) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            seq,
            to_i64(i as u64)?,
            &inp.certificate.0[..],
            &inp.lot,
            to_i64(inp.quantity.0)?,
        ])?;
    }
    for a in &k.attestations {
        db.prepare_cached(
            "INSERT INTO attestation_refs (certificate_seq, attestation) VALUES (?1, ?2)",
        )?
        .execute(params![seq, &a.0[..]])?;
    }
    if let Some(target) = c.revokes {
        db.prepare_cached("INSERT INTO revocations (revocation, target) VALUES (?1, ?2)")?
            .execute(params![&c.id.0[..], &target.0[..]])?;
    }
    write_evidence(db, &c.id.0[..], &k.evidence)?;
    record_change(db, seq, next.generation)?;
    let logged = c.bytes.len() <= crate::MAX_LOG_ENTRY_BYTES;
    if logged {
        db.prepare_cached("INSERT INTO log_entries (idx, certificate_seq) VALUES (?1, ?2)")?
            .execute(params![next.log_index, seq])?;
    }
    let log_index = if logged {
        Some(to_u64(next.log_index, "log index")?)
    } else {
        None
    };
    next.generation += 1;
    if logged {
        next.log_index += 1;
    }
    Ok(Logged {
        inserted: Inserted::Created,
        log_index,
    })
}

/// Journal a newly stored certificate (its row number `seq`) at `generation` (the next
/// one, dense), in the inserting transaction: servers read the journal to drop the cached
/// verdicts it can change (migrations 0005, 0006).
fn record_change(db: &Connection, seq: i64, generation: i64) -> Result<(), StoreError> {
    db.prepare_cached("INSERT INTO changes (generation, certificate_seq) VALUES (?1, ?2)")?
        .execute(params![generation, seq])?;
    Ok(())
}

/// The log index of a stored certificate.
pub(crate) fn index_of(db: &Connection, id: CertId) -> Result<Option<u64>, StoreError> {
    let idx: Option<i64> = db
        .prepare_cached(
            "SELECT l.idx FROM certificates c JOIN log_entries l ON l.certificate_seq = c.seq \
             WHERE c.id = ?1",
        )?
        .query_row([&id.0[..]], |r| r.get(0))
        .optional()?;
    idx.map(|i| to_u64(i, "log index")).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;
    use crate::test_support::cert;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Certificates stored before migration 0002 get their evidence rows when it is applied,
    /// so the closure of an old catch holds a covering attestation nobody names.
    #[test]
    fn the_evidence_migration_fills_rows_of_certificates_stored_before() {
        use catchcert_testkit::certs::{self, Pki};
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("old.db")).unwrap();
        run_migrations(&mut conn, &migrate::SQLITE[..1]).unwrap();
        let pki = Pki::new();
        let att = certs::sign(
            &pki.auditor,
            Kind::FacilityAttestation,
            &certs::FacilityAttestation::default().json(),
        );
        let catch = certs::catch(&pki.vessel, "L-1", 10.0);
        for (bytes, kind) in [(&att, "facility_attestation"), (&catch, "catch")] {
            conn.execute(
                "INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
                 VALUES (?1, ?2, ?3, 0, 0, 'CN=t', ?4)",
                params![&certs::id(bytes).0[..], bytes, kind, &[0u8; 32][..]],
            )
            .unwrap();
        }
        assert_eq!(
            run_migrations(&mut conn, migrate::SQLITE).unwrap(),
            migrate::SQLITE.len() - 1
        );
        // The log migration back-fills the certificates stored before, in insertion order.
        let logged: Vec<(i64, Vec<u8>)> = conn
            .prepare(
                "SELECT l.idx, c.id FROM log_entries l \
                 JOIN certificates c ON c.seq = l.certificate_seq ORDER BY l.idx",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            logged,
            [
                (0, certs::id(&att).0.to_vec()),
                (1, certs::id(&catch).0.to_vec())
            ]
        );
        let subjects: Vec<(String, String)> = conn
            .prepare("SELECT scheme, subject FROM attestation_subjects")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            subjects,
            [(
                "facility".to_string(),
                "Andaman Loins Plant 1, Phuket".to_string()
            )]
        );
        let needs: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM attestation_needs WHERE scheme = 'vessel' AND subject = 'IMO9074729'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(needs, 1);
    }

    /// Migration 0006 changes nothing a reader sees: the log, the journal, the inputs and
    /// the attestation references of a database written before it name the same certificates
    /// (at the same numbers) after it, also when a certificate is not a log entry, so log
    /// indexes and row numbers differ; the next insert continues both numberings.
    #[test]
    fn the_row_number_migration_keeps_the_log_and_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_writer(&dir.path().join("v5.db")).unwrap();
        run_migrations(&mut conn, &migrate::SQLITE[..5]).unwrap();
        let ids: Vec<[u8; 32]> = (0u8..3).map(|i| [i + 1; 32]).collect();
        for (i, id) in ids.iter().enumerate() {
            conn.execute(
                "INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
                 VALUES (?1, ?2, 'landing', 0, 0, 'CN=t', ?3)",
                params![&id[..], vec![i as u8], &[0u8; 32][..]],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO changes (generation, certificate) VALUES (?1, ?2)",
                params![i as i64 + 1, &id[..]],
            )
            .unwrap();
        }
        // The second certificate is not a log entry (as one over the entry limit).
        conn.execute(
            "INSERT INTO log_entries (idx, certificate) VALUES (0, ?1), (1, ?2)",
            params![&ids[0][..], &ids[2][..]],
        )
        .unwrap();
        // The third consumes from the second, and names the first as its attestation, and
        // one that is not stored.
        conn.execute(
            "INSERT INTO lot_outputs (certificate, lot, quantity, consumed) VALUES (?1, 'L', 10, 4)",
            params![&ids[1][..]],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO lot_inputs (certificate, position, source, lot, quantity) \
             VALUES (?1, 0, ?2, 'L', 4)",
            params![&ids[2][..], &ids[1][..]],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO attestation_refs (certificate, attestation) VALUES (?1, ?2), (?1, ?3)",
            params![&ids[2][..], &ids[0][..], &[9u8; 32][..]],
        )
        .unwrap();
        assert_eq!(
            run_migrations(&mut conn, migrate::SQLITE).unwrap(),
            migrate::SQLITE.len() - 5
        );
        let v = |i: usize| ids[i].to_vec();
        assert_eq!(
            journal_and_log(&conn),
            (
                vec![(1, v(0)), (2, v(1)), (3, v(2))],
                vec![(0, v(0)), (1, v(2))]
            )
        );
        assert_eq!(index_of(&conn, CertId(ids[2])).unwrap(), Some(1));
        assert_eq!(index_of(&conn, CertId(ids[1])).unwrap(), None);
        let refs: Vec<(Vec<u8>, Vec<u8>)> = conn
            .prepare(
                "SELECT c.id, a.attestation FROM attestation_refs a \
                 JOIN certificates c ON c.seq = a.certificate_seq ORDER BY a.attestation",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(refs, [(v(2), v(0)), (v(2), vec![9u8; 32])]);
        // (certificate, position, source, lot, quantity) of every input, as text.
        let inputs: Vec<String> = conn
            .prepare(
                "SELECT hex(c.id) || ' ' || i.position || ' ' || hex(i.source) || ' ' || i.lot \
                 || ' ' || i.quantity FROM lot_inputs i \
                 JOIN certificates c ON c.seq = i.certificate_seq",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let hex_of = |i: usize| hex::encode_upper(ids[i]);
        assert_eq!(inputs, [format!("{} 0 {} L 4", hex_of(2), hex_of(1))]);
        // Walking the graph from the third reaches what it consumes and the stored
        // attestation it names.
        assert_eq!(
            neighbours(&conn, &[CertId(ids[2])]).unwrap(),
            [CertId(ids[1]), CertId(ids[0])]
        );

        let next = cert("next", &[], &[("N", 1)]);
        let id = next.cert.id;
        let got = apply_batch(&mut conn, &[next]);
        assert_eq!(got[0].as_ref().unwrap().log_index, Some(2));
        let (journal, log) = journal_and_log(&conn);
        assert_eq!(journal.last(), Some(&(4, id.0.to_vec())));
        assert_eq!(log.last(), Some(&(2, id.0.to_vec())));
        assert_eq!(index_of(&conn, id).unwrap(), Some(2));
    }

    /// Watch lists are found through the partial index that replaced the index on every
    /// certificate's kind (migration 0007), not by scanning every certificate; the two
    /// indexes no read used are gone.
    #[test]
    fn watch_lists_are_read_through_their_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let conn = writer_db(&dir, "w.db");
        for sql in [WATCHLISTS_SQL, WATCHLIST_IDS_SQL] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                plan,
                ["SCAN certificates USING INDEX certificates_watchlists"],
                "{sql}"
            );
        }
        let indexes: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'certificates'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            indexes,
            ["sqlite_autoindex_certificates_1", "certificates_watchlists"]
        );
    }

    #[test]
    fn writer_is_wal_and_synchronous_full() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer(&dir.path().join("w.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
        // Savepoint journals in memory; the WAL copied back less often than by default.
        let temp: i64 = conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        let every: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!((temp, every), (2, WAL_CHECKPOINT_PAGES));
    }

    /// One batch: failures roll back alone, later inserts see earlier ones, and duplicates
    /// inside the batch are AlreadyStored.
    #[test]
    fn batch_savepoints_isolate_failures() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_writer(&dir.path().join("b.db")).unwrap();
        run_migrations(&mut conn, migrate::SQLITE).unwrap();
        let (batch, a_id) = crate::test_support::mixed_batch();
        let got = apply_batch(&mut conn, &batch);
        // The log stays dense: rolled-back inserts take their index with them.
        crate::test_support::assert_mixed_batch(&got, a_id);
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM certificates", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
        let inputs: i64 = conn
            .query_row("SELECT COUNT(*) FROM lot_inputs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(inputs, 2, "rolled-back inserts leave no index rows");
        let consumed: i64 = conn
            .query_row(
                "SELECT consumed FROM lot_outputs WHERE lot = 'L'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(consumed, 100);
    }

    #[test]
    fn schema_check_refuses_over_consumption_even_without_the_code_check() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_writer(&dir.path().join("c.db")).unwrap();
        run_migrations(&mut conn, migrate::SQLITE).unwrap();
        let a = cert("a", &[], &[("L", 100)]);
        assert_eq!(
            apply_batch(&mut conn, &[a])
                .pop()
                .unwrap()
                .unwrap()
                .inserted,
            Inserted::Created
        );
        let e = conn
            .execute("UPDATE lot_outputs SET consumed = 101 WHERE lot = 'L'", [])
            .unwrap_err();
        assert!(e.to_string().contains("CHECK"), "{e}");
    }

    /// A migrated database `name` in `dir`, opened as the writer opens it.
    fn writer_db(dir: &tempfile::TempDir, name: &str) -> Connection {
        let mut conn = open_writer(&dir.path().join(name)).unwrap();
        run_migrations(&mut conn, migrate::SQLITE).unwrap();
        conn
    }

    /// Every row of every table but `schema_migrations` (whose times differ), each table's
    /// rows sorted.
    fn dump(conn: &Connection) -> Vec<(String, Vec<String>)> {
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name <> 'schema_migrations' ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        tables
            .into_iter()
            .map(|t| {
                let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
                let n = st.column_count();
                let mut rows: Vec<String> = st
                    .query_map([], |r| {
                        (0..n)
                            .map(|i| r.get::<_, rusqlite::types::Value>(i))
                            .collect::<Result<Vec<_>, _>>()
                            .map(|row| format!("{row:?}"))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                rows.sort();
                (t, rows)
            })
            .collect()
    }

    /// `(number, certificate id)` rows.
    type Numbered = Vec<(i64, Vec<u8>)>;

    /// `(generation, certificate)` of the change journal and `(idx, certificate)` of the
    /// log, in order.
    fn journal_and_log(conn: &Connection) -> (Numbered, Numbered) {
        let rows = |sql| {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        };
        (
            rows(
                "SELECT g.generation, c.id FROM changes g \
                 JOIN certificates c ON c.seq = g.certificate_seq ORDER BY g.generation",
            ),
            rows(
                "SELECT l.idx, c.id FROM log_entries l \
                 JOIN certificates c ON c.seq = l.certificate_seq ORDER BY l.idx",
            ),
        )
    }

    /// Apply each batch on two databases, without savepoints (the fast path, which must
    /// not give up) and with a savepoint per insert: the same answers and the same rows
    /// after every batch. Answers the fast path's.
    fn same_as_savepoints(batches: &[&[Box<Checked>]]) -> Vec<Vec<Result<Logged, StoreError>>> {
        let dir = tempfile::tempdir().unwrap();
        let mut fast = writer_db(&dir, "fast.db");
        let mut slow = writer_db(&dir, "slow.db");
        let mut out = Vec::new();
        for (i, batch) in batches.iter().enumerate() {
            let got = apply_checked(&mut fast, batch)
                .unwrap_or_else(|| panic!("batch {i}: the fast path gave up"));
            let want = apply_with_savepoints(&mut slow, batch);
            assert_eq!(got, want, "batch {i}: answers");
            assert_eq!(dump(&fast), dump(&slow), "batch {i}: stored rows");
            out.push(got);
        }
        out
    }

    /// A stored certificate of these bytes and kind, with no inputs or outputs.
    fn raw(bytes: Vec<u8>, kind: Kind) -> Box<Checked> {
        let mut c = cert("unused", &[], &[]);
        c.cert.id = CertId::of_cose(&bytes);
        c.cert.bytes = bytes;
        c.cert.kind = kind;
        Box::new(Checked::new(c.cert).unwrap())
    }

    /// The fast path and the savepoint path agree on a batch that mixes every outcome.
    #[test]
    fn fast_path_and_savepoints_agree_on_a_mixed_batch() {
        use catchcert_testkit::certs::{self, Pki};
        let pki = Pki::new();
        let att = certs::sign(
            &pki.auditor,
            Kind::FacilityAttestation,
            &certs::FacilityAttestation::default().json(),
        );
        let att_id = certs::id(&att);
        let catch = certs::catch(&pki.vessel, "L-1", 10.0);

        let a = cert("a", &[], &[("L", 100)]);
        let a_id = a.cert.id;
        let mut conflict = cert("a", &[], &[("L", 100)]);
        conflict.cert.bytes = b"not a".to_vec();
        let unknown = CertId::of_cose(b"never stored");
        let mut named = cert("names", &[(a_id, "L", 10)], &[("L", 10)]);
        named.cert.attestations = vec![att_id, unknown, att_id];
        let named = Box::new(Checked::new(named.cert).unwrap());
        let mut revocation = cert("revokes a", &[], &[]);
        revocation.cert.kind = Kind::Revocation;
        revocation.cert.revokes = Some(a_id);
        let revocation = Box::new(Checked::new(revocation.cert).unwrap());
        let big = "B".repeat(crate::MAX_LOG_ENTRY_BYTES + 1);
        let b = cert("b", &[(a_id, "L", 60)], &[("M", 60)]);
        let b_id = b.cert.id;

        let first = vec![
            a,
            raw(att, Kind::FacilityAttestation),
            raw(catch.clone(), Kind::Catch),
            cert("over", &[(a_id, "L", 101)], &[("O", 1)]),
            b,
            // A later insert consumes an earlier one's lot, in the same batch.
            cert("b2", &[(b_id, "M", 60)], &[("M", 60)]),
            cert("b3", &[(b_id, "M", 1)], &[("P", 1)]),
            cert("c", &[(a_id, "L", 41)], &[("N", 41)]),
            cert(&big, &[(a_id, "L", 20)], &[("Q", 20)]),
            cert("unknown", &[(unknown, "L", 1)], &[("R", 1)]),
            cert("no such lot", &[(a_id, "Z", 1)], &[("S", 1)]),
            cert("second lineage", &[], &[("M", 5)]),
            conflict,
            cert("a", &[], &[("L", 100)]),
            named,
            revocation,
            cert(&big, &[(a_id, "L", 20)], &[("Q", 20)]),
        ];
        let second = vec![
            cert("b2", &[(b_id, "M", 60)], &[("M", 60)]),
            cert("d", &[(a_id, "L", 10)], &[("N", 10)]),
            cert("e", &[(a_id, "L", 1)], &[("T", 1)]),
            raw(catch, Kind::Catch),
        ];
        let got = same_as_savepoints(&[&first, &second]);
        let kinds: Vec<Vec<&str>> = got
            .iter()
            .map(|batch| {
                batch
                    .iter()
                    .map(|r| match r {
                        Ok(Logged {
                            inserted: Inserted::Created,
                            log_index: Some(_),
                        }) => "logged",
                        Ok(Logged {
                            inserted: Inserted::Created,
                            log_index: None,
                        }) => "not logged",
                        Ok(Logged {
                            inserted: Inserted::AlreadyStored,
                            ..
                        }) => "already",
                        Err(StoreError::Overconsumed { .. }) => "over",
                        Err(StoreError::UnknownInput { .. }) => "unknown",
                        Err(StoreError::LotNotOutput { .. }) => "no lot",
                        Err(StoreError::LotConflict { .. }) => "lot conflict",
                        Err(StoreError::IdConflict { .. }) => "id conflict",
                        Err(e) => panic!("{e}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                vec![
                    "logged",
                    "logged",
                    "logged",
                    "over",
                    "logged",
                    "logged",
                    "over",
                    "over",
                    "not logged",
                    "unknown",
                    "no lot",
                    "lot conflict",
                    "id conflict",
                    "already",
                    "logged",
                    "logged",
                    "already",
                ],
                vec!["already", "logged", "over", "already"],
            ]
        );
    }

    /// One insert's write fails after its checks passed: the fast path gives the batch up
    /// whole, and the savepoint path stores the others, refuses that one alone and keeps
    /// the log and the journal dense.
    #[test]
    fn a_write_failing_after_its_checks_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = writer_db(&dir, "w.db");
        let a = cert("a", &[], &[("L", 100)]);
        let a_id = a.cert.id;
        assert!(apply_batch(&mut conn, &[a])[0].is_ok());
        // b passes every check, then its journal row is refused by the database.
        let b = cert("b", &[(a_id, "L", 60)], &[("M", 60)]);
        let b_id = b.cert.id;
        conn.execute_batch(&format!(
            "CREATE TEMP TRIGGER refuse_b BEFORE INSERT ON changes \
             WHEN NEW.certificate_seq = (SELECT seq FROM certificates WHERE id = X'{}') \
             BEGIN SELECT RAISE(ABORT, 'b refused'); END",
            hex::encode(b_id.0)
        ))
        .unwrap();
        let batch = || {
            vec![
                cert("x", &[], &[("X", 1)]),
                cert("b", &[(a_id, "L", 60)], &[("M", 60)]),
                // Fits only if b's consumption, written before its failure, is undone.
                cert("c", &[(a_id, "L", 50)], &[("N", 50)]),
                cert("d", &[], &[("D", 5)]),
            ]
        };
        let before = dump(&conn);
        assert!(apply_checked(&mut conn, &batch()).is_none());
        assert_eq!(dump(&conn), before, "the fast path left nothing behind");

        let got = apply_batch(&mut conn, &batch());
        let created = |i| {
            Ok(Logged {
                inserted: Inserted::Created,
                log_index: Some(i),
            })
        };
        assert_eq!(got[0], created(1));
        assert!(
            matches!(&got[1], Err(StoreError::Backend(m)) if m.contains("b refused")),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], created(2));
        assert_eq!(got[3], created(3));
        let ids: Vec<Vec<u8>> = ["a", "x", "c", "d"]
            .iter()
            .map(|n| CertId::of_cose(n.as_bytes()).0.to_vec())
            .collect();
        let (journal, log) = journal_and_log(&conn);
        assert_eq!(
            journal,
            (1..).zip(ids.iter().cloned()).collect::<Vec<_>>(),
            "generations dense, in order"
        );
        assert_eq!(
            log,
            (0..).zip(ids.iter().cloned()).collect::<Vec<_>>(),
            "log indexes dense, in order"
        );
        let b_rows: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM certificates WHERE id = ?1) \
                      + (SELECT COUNT(*) FROM lot_outputs WHERE certificate = ?1) \
                      + (SELECT COUNT(*) FROM lot_inputs \
                         WHERE source = ?2 AND lot = 'L' AND quantity = 60)",
                [&b_id.0[..], &a_id.0[..]],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(b_rows, 0, "nothing of b is stored");
        let consumed: i64 = conn
            .query_row(
                "SELECT consumed FROM lot_outputs WHERE lot = 'L'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(consumed, 50);

        // The same answers and rows as the savepoint path alone gives.
        let mut twin = writer_db(&dir, "twin.db");
        apply_with_savepoints(&mut twin, &[cert("a", &[], &[("L", 100)])]);
        twin.execute_batch(&format!(
            "CREATE TEMP TRIGGER refuse_b BEFORE INSERT ON changes \
             WHEN NEW.certificate_seq = (SELECT seq FROM certificates WHERE id = X'{}') \
             BEGIN SELECT RAISE(ABORT, 'b refused'); END",
            hex::encode(b_id.0)
        ))
        .unwrap();
        assert_eq!(apply_with_savepoints(&mut twin, &batch()), got);
        assert_eq!(dump(&twin), dump(&conn));
    }

    /// A read of the checks that fails (here: a damaged row the schema would refuse) makes
    /// the fast path give up too; the savepoint path then gives that insert the error alone.
    #[test]
    fn a_check_failing_in_the_database_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = writer_db(&dir, "r.db");
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO lot_outputs (certificate, lot, quantity) VALUES (X'01', 'Q', 1); \
             PRAGMA foreign_keys = ON;",
        )
        .unwrap();
        let batch = || {
            vec![
                cert("x", &[], &[("X", 1)]),
                // A new lot Q: the lot-conflict check reads the damaged owner id.
                cert("y", &[], &[("Q", 1)]),
                cert("z", &[], &[("Z", 1)]),
            ]
        };
        assert!(apply_checked(&mut conn, &batch()).is_none());
        let got = apply_batch(&mut conn, &batch());
        assert!(
            matches!(&got[1], Err(StoreError::Backend(m)) if m.contains("1 bytes instead of 32")),
            "{:?}",
            got[1]
        );
        let logged = |i| {
            Ok(Logged {
                inserted: Inserted::Created,
                log_index: Some(i),
            })
        };
        assert_eq!((&got[0], &got[2]), (&logged(0), &logged(1)));
        let (journal, _) = journal_and_log(&conn);
        assert_eq!(journal.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
    }

    /// One generated insert: the names pick from a few certificates and lots, so that a
    /// batch meets copies, id and lot conflicts, unknown inputs, missing lots and
    /// over-consumption, and consumes what earlier inserts output (mostly what the sources,
    /// names 0 and 1, output).
    #[derive(Debug, Clone)]
    struct Spec {
        name: u8,
        /// The same id with other bytes.
        conflict: bool,
        /// Lot (see [`lot`]) → grams.
        outputs: BTreeMap<u8, u64>,
        /// (certificate name, lot of that certificate, grams): for a source, one of the
        /// two lots it outputs.
        inputs: Vec<(u8, u8, u64)>,
        attestations: Vec<u8>,
        revokes: Option<u8>,
    }

    const NAMES: u8 = 8;

    /// Lots 0 to 2 are `A`, `B`, `C` (one lineage each, whoever outputs them); lot 3 is
    /// the certificate's own `F<name>`.
    fn lot(key: u8, name: u8) -> String {
        match key {
            0..3 => ["A", "B", "C"][usize::from(key)].to_string(),
            _ => format!("F{name}"),
        }
    }

    /// The sources: 0 outputs 100 g of `A` and of `B`, 1 of `C` and of `F1`.
    fn sources() -> [Spec; 2] {
        let source = |name, lots: [u8; 2]| Spec {
            name,
            conflict: false,
            outputs: lots.into_iter().map(|l| (l, 100)).collect(),
            inputs: vec![],
            attestations: vec![],
            revokes: None,
        };
        [source(0, [0, 1]), source(1, [2, 3])]
    }

    /// Name 5 is over the log's entry size.
    fn bytes_of(name: u8) -> Vec<u8> {
        if name == 5 {
            vec![b'5'; crate::MAX_LOG_ENTRY_BYTES + 1]
        } else {
            format!("certificate {name}").into_bytes()
        }
    }

    impl Spec {
        fn checked(&self) -> Box<Checked> {
            let id = |n: u8| CertId::of_cose(&bytes_of(n));
            let outputs: Vec<(String, u64)> = self
                .outputs
                .iter()
                .map(|(l, g)| (lot(*l, self.name), *g))
                .collect();
            let inputs: Vec<(CertId, String, u64)> = self
                .inputs
                .iter()
                .map(|(n, l, g)| {
                    // A source's input names one of the lots it outputs.
                    let l = match n {
                        0 => [0, 1][usize::from(*l % 2)],
                        1 => [2, 3][usize::from(*l % 2)],
                        _ => *l,
                    };
                    (id(*n), lot(l, *n), *g)
                })
                .collect();
            let outputs: Vec<(&str, u64)> = outputs.iter().map(|(l, g)| (&l[..], *g)).collect();
            let inputs: Vec<(CertId, &str, u64)> =
                inputs.iter().map(|(c, l, g)| (*c, &l[..], *g)).collect();
            let mut c = cert("unused", &inputs, &outputs).cert;
            c.bytes = bytes_of(self.name);
            c.id = CertId::of_cose(&c.bytes);
            c.attestations = self.attestations.iter().map(|n| id(*n)).collect();
            if let Some(n) = self.revokes {
                c.kind = Kind::Revocation;
                c.revokes = Some(id(n));
            }
            let mut k = Box::new(Checked::new(c).unwrap());
            if self.conflict {
                k.cert.bytes = b"other bytes".to_vec();
            }
            k
        }
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let source = prop_oneof![3 => 0..2u8, 1 => 0..NAMES];
        (
            2..NAMES,
            prop::bool::weighted(0.1),
            prop::collection::btree_map(0..4u8, 1..=100u64, 0..3),
            prop::collection::vec((source, 0..4u8, 1..=100u64), 0..3),
            prop::collection::vec(0..NAMES, 0..2),
            prop::option::weighted(0.1, 0..NAMES),
        )
            .prop_map(
                |(name, conflict, outputs, inputs, attestations, revokes)| Spec {
                    name,
                    conflict,
                    outputs,
                    inputs,
                    attestations,
                    revokes,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The fast path and the savepoint path give the same answers and store the same
        /// rows, batch after batch.
        #[test]
        fn fast_path_and_savepoints_agree(
            batches in prop::collection::vec(prop::collection::vec(spec(), 1..12), 1..4)
        ) {
            let batches: Vec<Vec<Box<Checked>>> = batches
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    // The first batch begins with the sources.
                    let first = if i == 0 { &sources()[..] } else { &[] };
                    first.iter().chain(b).map(Spec::checked).collect()
                })
                .collect();
            same_as_savepoints(&batches.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }
    }

    #[test]
    fn migrations_upgrade_in_order_and_record_user_version() {
        const ONE: &[migrate::Migration] = &[migrate::Migration {
            version: 1,
            name: "one",
            sql: "CREATE TABLE t1 (x INTEGER);",
        }];
        const TWO: &[migrate::Migration] = &[
            ONE[0],
            migrate::Migration {
                version: 2,
                name: "two",
                sql: "CREATE TABLE t2 (x INTEGER);",
            },
        ];
        const BROKEN: &[migrate::Migration] = &[
            ONE[0],
            TWO[1],
            migrate::Migration {
                version: 3,
                name: "broken",
                sql: "CREATE TABLE t3 (x INTEGER); THIS IS NOT SQL;",
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_writer(&dir.path().join("m.db")).unwrap();
        assert_eq!(run_migrations(&mut conn, ONE).unwrap(), 1);
        assert_eq!(run_migrations(&mut conn, TWO).unwrap(), 1);
        assert_eq!(run_migrations(&mut conn, TWO).unwrap(), 0);
        let uv: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(uv, 2);
        let e = run_migrations(&mut conn, BROKEN).unwrap_err();
        assert!(matches!(e, StoreError::Migration { version: 3, .. }), "{e}");
        // The failed migration left nothing behind.
        let t3: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 't3'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(t3, 0);
        assert_eq!(applied(&conn).unwrap().len(), 2);
        // Going back to a build that knows only version 1 is refused.
        assert!(matches!(
            run_migrations(&mut conn, ONE),
            Err(StoreError::Migration { version: 2, .. })
        ));
    }
}

//! Group commit on PostgreSQL: one writer task per store applies queued inserts in one
//! transaction per batch.
//!
//! A batch runs, in one READ COMMITTED transaction, in two round trips to the server
//! however many requests it holds:
//!
//! 1. Sent together (pipelined), and answered together:
//!    - `BEGIN` and `SET LOCAL plan_cache_mode = force_custom_plan`: each statement is
//!      planned for the tables as they are (a cached generic plan made while they were
//!      nearly empty would scan them whole ever after);
//!    - `SELECT size FROM log_head FOR UPDATE`: the row lock, held until commit, serialises
//!      the batches of every server on this database. The server runs the statements of a
//!      connection in the order sent, so every later statement of the batch starts after it
//!      holds the lock and (READ COMMITTED takes a snapshot per statement) sees everything
//!      committed before it; no other writer can change what it read until it commits, so
//!      the checks made in memory stay true at commit, and log indexes stay dense and in
//!      commit order;
//!    - set-wise reads (`= ANY($1)`, `unnest`): the stored copies of the batch's ids (and
//!      their log indexes), the output rows the batch consumes (locked `FOR UPDATE`, in
//!      (certificate, lot) order), which of the certificates consumed from are stored (which
//!      error a missing row gives), and the stored owners of the lot ids the batch outputs
//!      new.
//! 2. Each request in order, in memory, with the same checks and errors as a single insert:
//!    already stored (or stored earlier in this batch) → `AlreadyStored`; an unknown input,
//!    a lot not output, over-consumption, a lot id already in another lineage → its error,
//!    and nothing of it is kept. An accepted one updates what later requests of the batch see.
//! 3. Sent together, and answered together: set-wise writes of every accepted certificate
//!    (`INSERT … SELECT FROM unnest(…)`, in batch order so `seq` follows it), the
//!    consumption of stored rows, the change journal, the log entries, the new `log_head`
//!    size, and `COMMIT`; only then the answers. The writes may use cached plans
//!    (`SET LOCAL plan_cache_mode = auto`), save the consumption, which joins a stored
//!    table and is planned for the tables as they are, like the reads. When every request was refused, a
//!    `ROLLBACK` instead.
//!
//! Statements are prepared once per pooled connection; those of a new connection are
//! prepared together, one more round trip the first time.
//!
//! A deadlock, serialisation failure or unique violation (none should happen with the
//! `log_head` lock taken first; a server of an older version may still take row locks
//! first) rolls the batch back and retries it. Any other failure of a batch of several
//! requests is retried one request per transaction, so one request that makes the database
//! fail cannot fail the others; each then gets its own result.

use super::{RETRIES, retryable};
use crate::{
    Checked, Inserted, Logged, StoreError, check_quantity, id_from_db, missing_input, to_i64,
    to_u64,
};
use catchcert_model::CertId;
use deadpool_postgres::Pool;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// Most inserts applied in one transaction.
pub const MAX_BATCH: usize = 1024;

/// One queued insert and where its answer goes.
pub(crate) struct Pending {
    pub k: Box<Checked>,
    pub reply: oneshot::Sender<Result<Logged, StoreError>>,
}

/// The writer task: take what is queued, apply it as one batch, answer, repeat. Ends when
/// every sender is gone.
pub(crate) async fn writer_loop(pool: Pool, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (ks, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.k, j.reply)).unzip();
        let results = apply(&pool, &ks).await;
        for (reply, r) in replies.into_iter().zip(results) {
            // A caller that stopped waiting is not an error: its insert stands.
            let _ = reply.send(r);
        }
    }
}

/// Apply `ks` as one batch; if that fails for a reason other than a refusal, one by one.
/// One result per request, in order.
pub(crate) async fn apply(pool: &Pool, ks: &[Box<Checked>]) -> Vec<Result<Logged, StoreError>> {
    match with_retries(pool, ks).await {
        Ok(results) => results,
        Err(e) if ks.len() == 1 => vec![Err(e)],
        Err(_) => {
            let mut out = Vec::with_capacity(ks.len());
            for k in ks {
                match with_retries(pool, std::slice::from_ref(k)).await {
                    Ok(mut r) => out.push(r.pop().unwrap_or_else(|| {
                        Err(StoreError::Backend("a batch of one gave no result".into()))
                    })),
                    Err(e) => out.push(Err(e)),
                }
            }
            out
        }
    }
}

/// Why a batch did not commit.
enum Failed {
    Pg(tokio_postgres::Error),
    Store(StoreError),
}

impl From<tokio_postgres::Error> for Failed {
    fn from(e: tokio_postgres::Error) -> Self {
        Failed::Pg(e)
    }
}

async fn with_retries(
    pool: &Pool,
    ks: &[Box<Checked>],
) -> Result<Vec<Result<Logged, StoreError>>, StoreError> {
    let mut last = StoreError::Backend("insert was not attempted".into());
    for _ in 0..RETRIES {
        match run(pool, ks).await {
            Ok(r) => return Ok(r),
            Err(Failed::Pg(e)) if retryable(&e) => last = e.into(),
            Err(Failed::Pg(e)) => return Err(e.into()),
            Err(Failed::Store(e)) => return Err(e),
        }
    }
    Err(last)
}

/// One output row as the batch sees it: stored (with what was consumed when read) or
/// output by an earlier request of the batch.
struct Row {
    quantity: u64,
    consumed: u64,
    stored_consumed: u64,
    stored: bool,
}

/// What the batch writes, one vector per column.
#[derive(Default)]
struct Writes<'a> {
    ids: Vec<&'a [u8]>,
    bytes: Vec<&'a [u8]>,
    kinds: Vec<&'static str>,
    times: Vec<i64>,
    issued: Vec<i64>,
    subjects: Vec<&'a str>,
    keys: Vec<&'a [u8]>,
    in_cert: Vec<&'a [u8]>,
    in_pos: Vec<i32>,
    in_source: Vec<&'a [u8]>,
    in_lot: Vec<&'a str>,
    in_qty: Vec<i64>,
    att_cert: Vec<&'a [u8]>,
    att_ref: Vec<&'a [u8]>,
    rev: Vec<&'a [u8]>,
    rev_target: Vec<&'a [u8]>,
    subj: Vec<(&'a [u8], &'static str, &'a str, i64, i64)>,
    need: Vec<(&'a [u8], &'static str, &'a str, i64, i64)>,
    log_idx: Vec<i64>,
    log_cert: Vec<&'a [u8]>,
}

/// The quantities of one request as database integers (outputs, then inputs).
fn quantities(k: &Checked) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
    let outs = k
        .cert
        .outputs
        .iter()
        .map(|o| to_i64(o.quantity.0))
        .collect::<Result<Vec<_>, _>>()?;
    let ins = k
        .cert
        .inputs
        .iter()
        .map(|i| to_i64(i.quantity.0))
        .collect::<Result<Vec<_>, _>>()?;
    if i32::try_from(k.cert.inputs.len()).is_err() {
        return Err(StoreError::Backend("too many inputs".into()));
    }
    Ok((outs, ins))
}

/// A pooled connection that may be inside a transaction. [`Conn::release`] gives it back
/// to the pool once its transaction has ended; dropped without that (the batch's future
/// was dropped half-way, or `ROLLBACK` failed), it is closed instead, so the server rolls
/// the transaction back and no one else is handed a connection in the middle of it.
struct Conn(Option<deadpool_postgres::Object>);

impl Conn {
    fn client(&self) -> &deadpool_postgres::Object {
        // Only `release` and `drop` empty it, and both consume it.
        self.0.as_ref().expect("a connection until released")
    }

    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop(deadpool_postgres::Object::take(c));
        }
    }
}

/// One statement sent on the batch's connection and its answer to come.
type Call<'a, T> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<T, tokio_postgres::Error>> + Send + 'a>,
>;
/// Parameters of one statement.
type Params<'p> = Vec<&'p (dyn tokio_postgres::types::ToSql + Sync)>;

/// Locks `log_head`, the row that serialises every server's batches.
/// Opens a batch's transaction; its statements are planned for the tables as they are.
const BEGIN: &str = "BEGIN; SET LOCAL plan_cache_mode = force_custom_plan";

/// Statements from here on may use cached (generic) plans, as PostgreSQL chooses.
const PLAN_CACHED: &str = "SET LOCAL plan_cache_mode = auto";
/// Statements from here on are planned for the tables as they are.
const PLAN_FRESH: &str = "SET LOCAL plan_cache_mode = force_custom_plan";

const LOCK_LOG: &str = "SELECT size FROM log_head FOR UPDATE";
/// Stored copies of the batch's ids, with their log indexes.
const STORED: &str = "SELECT c.id, c.bytes, l.idx FROM certificates c \
     LEFT JOIN log_entries l ON l.certificate_seq = c.seq WHERE c.id = ANY($1)";
/// The stored output rows the batch consumes, locked in (certificate, lot) order.
const OUTPUTS: &str = "SELECT o.certificate, o.lot, o.quantity, o.consumed FROM lot_outputs o \
     JOIN unnest($1::bytea[], $2::text[]) AS w(c, l) ON o.certificate = w.c AND o.lot = w.l \
     ORDER BY o.certificate, o.lot FOR UPDATE OF o";
/// Which of the certificates the batch consumes from are stored (for a missing output row:
/// `UnknownInput` or `LotNotOutput`).
const KNOWN: &str = "SELECT id FROM certificates WHERE id = ANY($1)";
/// Stored owners of the lot ids the batch outputs new (one lineage per lot id).
const OWNERS: &str = "SELECT DISTINCT ON (lot) lot, certificate FROM lot_outputs \
     WHERE lot = ANY($1) ORDER BY lot, certificate";

/// The statements of `sqls`, each prepared once per connection (deadpool's cache: a
/// statement given as text is parsed and described anew every time, one more round trip).
/// Those not cached yet are prepared together, in one round trip.
async fn prepare(
    client: &deadpool_postgres::Object,
    sqls: &[&str],
) -> Result<Vec<tokio_postgres::Statement>, tokio_postgres::Error> {
    let calls: Vec<Call<'_, tokio_postgres::Statement>> = sqls
        .iter()
        .map(|sql| Box::pin(client.prepare_cached(sql)) as Call<'_, _>)
        .collect();
    all_ok(pipeline(calls).await)
}

/// One attempt at the whole batch, in one transaction (see the module documentation).
/// Whatever happens, the transaction has ended when it returns: committed, rolled back, or
/// its connection closed.
async fn run(pool: &Pool, ks: &[Box<Checked>]) -> Result<Vec<Result<Logged, StoreError>>, Failed> {
    let conn = Conn(Some(pool.get().await.map_err(|e| Failed::Store(e.into()))?));
    let mut open = false;
    let r = attempt(conn.client(), ks, &mut open).await;
    if open {
        // Nothing to write, or a failure before COMMIT was sent.
        if let Err(e) = conn.client().batch_execute("ROLLBACK").await {
            return match r {
                Ok(_) => Err(e.into()),
                Err(first) => Err(first),
            };
        }
    }
    conn.release();
    r
}

/// The batch on `client`: two round trips (`BEGIN` and the reads, pipelined; then the
/// writes and `COMMIT`, pipelined), or one and a `ROLLBACK` when nothing is to be written.
/// `open` tells whether a transaction may still be open when it returns.
async fn attempt(
    client: &deadpool_postgres::Object,
    ks: &[Box<Checked>],
    open: &mut bool,
) -> Result<Vec<Result<Logged, StoreError>>, Failed> {
    // What the reads look for.
    let ids: Vec<&[u8]> = ks.iter().map(|k| &k.cert.id.0[..]).collect();
    let wanted: BTreeSet<(CertId, &str)> = ks
        .iter()
        .flat_map(|k| k.demands.iter().map(|d| (d.certificate, d.lot.as_str())))
        .collect();
    let certs: Vec<&[u8]> = wanted.iter().map(|(c, _)| &c.0[..]).collect();
    let lots: Vec<&str> = wanted.iter().map(|(_, l)| *l).collect();
    let sources: Vec<&[u8]> = certs
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let new_lots: Vec<&str> = ks
        .iter()
        .flat_map(|k| k.new_lots.iter().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let st = prepare(client, &[LOCK_LOG, STORED, OUTPUTS, KNOWN, OWNERS]).await?;
    let mut reads: Vec<(&tokio_postgres::Statement, Params<'_>)> =
        vec![(&st[0], vec![]), (&st[1], vec![&ids])];
    if !wanted.is_empty() {
        reads.push((&st[2], vec![&certs, &lots]));
        reads.push((&st[3], vec![&sources]));
    }
    if !new_lots.is_empty() {
        reads.push((&st[4], vec![&new_lots]));
    }
    // BEGIN and every read, sent at once. The server runs them in the order sent, each
    // statement (READ COMMITTED) with a snapshot taken when it starts, so those after the
    // `log_head` lock see every batch committed before it, as if awaited one by one.
    //
    // Every read of the batch is planned for the tables as they are now
    // (`plan_cache_mode`, for this transaction only): a prepared statement's cached generic
    // plan is made once, and one made while the tables were nearly empty scans them whole
    // ever after (measured: on a fresh database about a quarter of PostgreSQL's CPU went to
    // such scans, until autovacuum's next ANALYZE). Planning costs once per batch.
    let mut calls: Vec<Call<'_, Vec<tokio_postgres::Row>>> = vec![Box::pin(async {
        client.batch_execute(BEGIN).await.map(|()| Vec::new())
    })];
    calls.extend(
        reads
            .iter()
            .map(|(st, params)| Box::pin(client.query(*st, params)) as Call<'_, _>),
    );
    *open = true;
    let mut answers = all_ok(pipeline(calls).await)?.into_iter().skip(1);
    let mut next = || answers.next().unwrap_or_default();

    let size: i64 = match next().first() {
        Some(r) => r.get(0),
        None => {
            return Err(Failed::Store(StoreError::Backend(
                "log_head has no row".into(),
            )));
        }
    };
    let mut next_index = to_u64(size, "log size").map_err(Failed::Store)?;

    let mut stored: HashMap<CertId, (Vec<u8>, Option<u64>)> = HashMap::new();
    for r in next() {
        let id = id_from_db(r.get::<_, &[u8]>(0)).map_err(Failed::Store)?;
        let idx = r
            .get::<_, Option<i64>>(2)
            .map(|i| to_u64(i, "log index"))
            .transpose()
            .map_err(Failed::Store)?;
        stored.insert(id, (r.get(1), idx));
    }
    let mut rows: HashMap<(CertId, String), Row> = HashMap::new();
    let mut known: HashSet<CertId> = HashSet::new();
    if !wanted.is_empty() {
        for r in next() {
            let c = id_from_db(r.get::<_, &[u8]>(0)).map_err(Failed::Store)?;
            let quantity = to_u64(r.get(2), "quantity").map_err(Failed::Store)?;
            let consumed = to_u64(r.get(3), "consumed").map_err(Failed::Store)?;
            rows.insert(
                (c, r.get(1)),
                Row {
                    quantity,
                    consumed,
                    stored_consumed: consumed,
                    stored: true,
                },
            );
        }
        for r in next() {
            known.insert(id_from_db(r.get::<_, &[u8]>(0)).map_err(Failed::Store)?);
        }
    }
    let mut owners: HashMap<String, CertId> = HashMap::new();
    if !new_lots.is_empty() {
        for r in next() {
            let owner = id_from_db(r.get::<_, &[u8]>(1)).map_err(Failed::Store)?;
            owners.insert(r.get(0), owner);
        }
    }
    // Decide each request in order.
    let mut results = Vec::with_capacity(ks.len());
    let mut created: HashMap<CertId, (usize, Option<u64>)> = HashMap::new();
    let mut w = Writes::default();
    for (n, k) in ks.iter().enumerate() {
        let r = decide(k, &stored, &created, &known, &rows, &owners, ks);
        let r = match r {
            Decision::Answer(r) => r,
            Decision::Create => match quantities(k) {
                Err(e) => Err(e),
                Ok((_, in_q)) => {
                    let c = &k.cert;
                    let logged = c.bytes.len() <= crate::MAX_LOG_ENTRY_BYTES;
                    let log_index = logged.then_some(next_index);
                    if logged {
                        w.log_idx.push(to_i64(next_index).map_err(Failed::Store)?);
                        w.log_cert.push(&c.id.0[..]);
                        next_index += 1;
                    }
                    for d in &k.demands {
                        if let Some(row) = rows.get_mut(&(d.certificate, d.lot.clone())) {
                            row.consumed = row.consumed.saturating_add(d.requested);
                        }
                    }
                    for o in &c.outputs {
                        rows.insert(
                            (c.id, o.lot.clone()),
                            Row {
                                quantity: o.quantity.0,
                                consumed: 0,
                                stored_consumed: 0,
                                stored: false,
                            },
                        );
                    }
                    for lot in &k.new_lots {
                        owners.entry(lot.clone()).or_insert(c.id);
                    }
                    created.insert(c.id, (n, log_index));
                    let id = &c.id.0[..];
                    w.ids.push(id);
                    w.bytes.push(&c.bytes);
                    w.kinds.push(c.kind.as_str());
                    w.times.push(c.time.0);
                    w.issued.push(c.issued_at.0);
                    w.subjects.push(&c.issuer_subject);
                    w.keys.push(&c.issuer_key[..]);
                    for (pos, (inp, q)) in c.inputs.iter().zip(in_q).enumerate() {
                        w.in_cert.push(id);
                        // Checked by `quantities`: the count fits an i32.
                        w.in_pos.push(i32::try_from(pos).unwrap_or(i32::MAX));
                        w.in_source.push(&inp.certificate.0[..]);
                        w.in_lot.push(&inp.lot);
                        w.in_qty.push(q);
                    }
                    for a in &k.attestations {
                        w.att_cert.push(id);
                        w.att_ref.push(&a.0[..]);
                    }
                    if let Some(t) = &c.revokes {
                        w.rev.push(id);
                        w.rev_target.push(&t.0[..]);
                    }
                    if let Some(s) = &k.evidence.attests {
                        w.subj.push((id, s.scheme, &s.subject, s.from, s.until));
                    }
                    if let Some(s) = &k.evidence.needs {
                        w.need.push((id, s.scheme, &s.subject, s.from, s.until));
                    }
                    Ok(Logged {
                        inserted: Inserted::Created,
                        log_index,
                    })
                }
            },
        };
        results.push(r);
    }
    if w.ids.is_empty() {
        // Nothing to write: `run` rolls back, which releases `log_head`.
        return Ok(results);
    }
    let size = to_i64(next_index).map_err(Failed::Store)?;
    write(client, &w, &rows, ks, &created, size, open).await?;
    Ok(results)
}

enum Decision {
    Answer(Result<Logged, StoreError>),
    Create,
}

/// The checks of one request against the stored rows and the earlier requests of the batch
/// (the same order and errors as the SQLite writer's `check_one`).
fn decide(
    k: &Checked,
    stored: &HashMap<CertId, (Vec<u8>, Option<u64>)>,
    created: &HashMap<CertId, (usize, Option<u64>)>,
    known: &HashSet<CertId>,
    rows: &HashMap<(CertId, String), Row>,
    owners: &HashMap<String, CertId>,
    ks: &[Box<Checked>],
) -> Decision {
    let c = &k.cert;
    let same = |bytes: &[u8], log_index| {
        Decision::Answer(if bytes == c.bytes.as_slice() {
            Ok(Logged {
                inserted: Inserted::AlreadyStored,
                log_index,
            })
        } else {
            Err(StoreError::IdConflict { certificate: c.id })
        })
    };
    if let Some((bytes, idx)) = stored.get(&c.id) {
        return same(bytes, *idx);
    }
    if let Some((n, idx)) = created.get(&c.id) {
        return same(&ks[*n].cert.bytes, *idx);
    }
    for d in &k.demands {
        let verdict = match rows.get(&(d.certificate, d.lot.clone())) {
            None => {
                let is_stored =
                    known.contains(&d.certificate) || created.contains_key(&d.certificate);
                Err(missing_input(d, is_stored))
            }
            Some(row) => check_quantity(d, row.quantity, row.consumed),
        };
        if let Err(e) = verdict {
            return Decision::Answer(Err(e));
        }
    }
    for lot in &k.new_lots {
        if let Some(existing) = owners.get(lot) {
            return Decision::Answer(Err(StoreError::LotConflict {
                certificate: c.id,
                lot: lot.clone(),
                existing: *existing,
            }));
        }
    }
    Decision::Create
}

/// The set-wise writes of a batch's accepted certificates and the log's new size, then
/// `COMMIT`, pipelined: each statement is prepared (once per connection), then all are sent
/// before the first answer is awaited, in this order, which the server keeps. One round
/// trip for all instead of one each. `open` tells whether the transaction may still be
/// open (`COMMIT` was not sent).
async fn write(
    client: &deadpool_postgres::Object,
    w: &Writes<'_>,
    rows: &HashMap<(CertId, String), Row>,
    ks: &[Box<Checked>],
    created: &HashMap<CertId, (usize, Option<u64>)>,
    log_size: i64,
    open: &mut bool,
) -> Result<(), Failed> {
    // The change journal (migration 0005): the batch's certificates take the next
    // generations in batch order; generation_head's row lock, held until commit and taken
    // after log_head's, keeps generations in commit order across servers.
    let n = i64::try_from(w.ids.len())
        .map_err(|_| Failed::Store(StoreError::Backend("batch too large".into())))?;
    // Output rows of the batch, with what later requests of the batch consumed of them.
    let mut out_cert: Vec<&[u8]> = Vec::new();
    let mut out_lot: Vec<&str> = Vec::new();
    let mut out_qty: Vec<i64> = Vec::new();
    let mut out_used: Vec<i64> = Vec::new();
    let mut by_order: Vec<(usize, &Checked)> =
        created.values().map(|(n, _)| (*n, &*ks[*n])).collect();
    by_order.sort_by_key(|(n, _)| *n);
    for (_, k) in &by_order {
        for o in &k.cert.outputs {
            let row = rows.get(&(k.cert.id, o.lot.clone()));
            out_cert.push(&k.cert.id.0[..]);
            out_lot.push(&o.lot);
            out_qty.push(to_i64(o.quantity.0).map_err(Failed::Store)?);
            out_used.push(to_i64(row.map_or(0, |r| r.consumed)).map_err(Failed::Store)?);
        }
    }
    // Stored rows consumed by the batch: one update each, by the amount added.
    let mut upd: BTreeMap<(&[u8], &str), i64> = BTreeMap::new();
    for ((c, lot), row) in rows {
        if row.stored && row.consumed != row.stored_consumed {
            let add = to_i64(row.consumed - row.stored_consumed).map_err(Failed::Store)?;
            upd.insert((&c.0[..], lot.as_str()), add);
        }
    }
    let (keys, upd_add): (Vec<_>, Vec<i64>) = upd.into_iter().unzip();
    let (upd_cert, upd_lot): (Vec<&[u8]>, Vec<&str>) = keys.into_iter().unzip();
    let evidence: Vec<_> = [
        (
            "attestation_subjects",
            "attestation, scheme, subject, valid_from, valid_until",
            &w.subj,
        ),
        (
            "attestation_needs",
            "certificate, scheme, subject, need_from, need_until",
            &w.need,
        ),
    ]
    .into_iter()
    .filter(|(_, _, list)| !list.is_empty())
    .map(|(table, cols, list)| {
        let sql = format!(
            "INSERT INTO {table} ({cols}) \
             SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::int8[], $5::int8[])"
        );
        let a: Vec<&[u8]> = list.iter().map(|r| r.0).collect();
        let b: Vec<&str> = list.iter().map(|r| r.1).collect();
        let c: Vec<&str> = list.iter().map(|r| r.2).collect();
        let d: Vec<i64> = list.iter().map(|r| r.3).collect();
        let e: Vec<i64> = list.iter().map(|r| r.4).collect();
        (sql, a, b, c, d, e)
    })
    .collect();

    // The reads were planned for the tables as they are (`BEGIN`). The writes below insert
    // from `unnest`, whose plans do not depend on the tables, and each insert's foreign keys
    // are checked by a query per row whose plan is an index look-up either way: planning
    // those anew for every row of every batch was about a sixth of PostgreSQL's CPU (perf,
    // 2026-12-04; `foreign_key_checks_plan_index_lookups_on_an_empty_database` below),
    // so they may use cached plans. The one write that joins a stored table (consuming
    // output rows) is planned for the tables as they are, like the reads.
    let mut plan: Vec<(&str, Params<'_>)> = vec![
        (PLAN_CACHED, vec![]),
        // The journal, the log, attestation references and inputs name certificates by
        // row number (migration 0006): one statement inserts the certificates and numbers
        // those rows from its own RETURNING, so it joins no stored table and may use a
        // cached plan too. The new output rows go in the same statement, since an input may
        // consume one of them and foreign keys are checked when the statement ends.
        (
            "WITH c AS ( \
               INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
               SELECT i, b, k, t, s, u, y FROM unnest($1::bytea[], $2::bytea[], $3::text[], \
                 $4::int8[], $5::int8[], $6::text[], $7::bytea[]) WITH ORDINALITY \
                 AS n(i, b, k, t, s, u, y, o) ORDER BY o \
               RETURNING id, seq), \
             g AS (UPDATE generation_head SET value = value + $8 WHERE one RETURNING value), \
             j AS (INSERT INTO changes (generation, certificate_seq) \
               SELECT g.value - $8 + n.o, c.seq FROM g \
               CROSS JOIN unnest($1::bytea[]) WITH ORDINALITY AS n(i, o) JOIN c ON c.id = n.i), \
             r AS (INSERT INTO attestation_refs (certificate_seq, attestation) \
               SELECT c.seq, n.a FROM unnest($11::bytea[], $12::bytea[]) AS n(i, a) \
               JOIN c ON c.id = n.i), \
             o AS (INSERT INTO lot_outputs (certificate, lot, quantity, consumed) \
               SELECT * FROM unnest($13::bytea[], $14::text[], $15::int8[], $16::int8[])), \
             p AS (INSERT INTO lot_inputs (certificate_seq, position, source, lot, quantity) \
               SELECT c.seq, n.p, n.s, n.l, n.q FROM unnest($17::bytea[], $18::int4[], \
                 $19::bytea[], $20::text[], $21::int8[]) AS n(i, p, s, l, q) \
               JOIN c ON c.id = n.i) \
             INSERT INTO log_entries (idx, certificate_seq) \
             SELECT n.x, c.seq FROM unnest($9::int8[], $10::bytea[]) AS n(x, i) \
             JOIN c ON c.id = n.i",
            vec![
                &w.ids,
                &w.bytes,
                &w.kinds,
                &w.times,
                &w.issued,
                &w.subjects,
                &w.keys,
                &n,
                &w.log_idx,
                &w.log_cert,
                &w.att_cert,
                &w.att_ref,
                &out_cert,
                &out_lot,
                &out_qty,
                &out_used,
                &w.in_cert,
                &w.in_pos,
                &w.in_source,
                &w.in_lot,
                &w.in_qty,
            ],
        ),
    ];
    if !upd_cert.is_empty() {
        plan.push((PLAN_FRESH, vec![]));
        plan.push((
            "UPDATE lot_outputs o SET consumed = o.consumed + u.a \
             FROM unnest($1::bytea[], $2::text[], $3::int8[]) AS u(c, l, a) \
             WHERE o.certificate = u.c AND o.lot = u.l",
            vec![&upd_cert, &upd_lot, &upd_add],
        ));
        plan.push((PLAN_CACHED, vec![]));
    }
    if !w.rev.is_empty() {
        plan.push((
            "INSERT INTO revocations (revocation, target) \
             SELECT * FROM unnest($1::bytea[], $2::bytea[])",
            vec![&w.rev, &w.rev_target],
        ));
    }
    for (sql, a, b, c, d, e) in &evidence {
        plan.push((sql.as_str(), vec![a, b, c, d, e]));
    }
    plan.push(("UPDATE log_head SET size = $1 WHERE one", vec![&log_size]));
    let sqls: Vec<&str> = plan.iter().map(|(sql, _)| *sql).collect();
    let statements = prepare(client, &sqls).await?;
    let mut calls: Vec<Call<'_, u64>> = statements
        .iter()
        .zip(&plan)
        .map(|(st, (_, params))| Box::pin(client.execute(st, params)) as Call<'_, _>)
        .collect();
    // COMMIT goes with them. After a failed statement the server answers it as ROLLBACK (the
    // transaction is aborted), and the first error in order is the batch's error; a
    // statement that was never sent (see `pipeline`) stops COMMIT from being sent at all.
    calls.push(Box::pin(async {
        client.batch_execute("COMMIT").await.map(|()| 0)
    }));
    let done = pipeline(calls).await;
    // Once COMMIT has been answered, or has failed, the transaction has ended.
    *open = done.last().is_some_and(Option::is_none);
    all_ok(done)?;
    Ok(())
}

/// Run `calls` on one connection, pipelined: each is first polled, which sends its request,
/// in order, before any answer is awaited, and the server answers them in that order. One
/// round trip for all. Waits for every one sent; their results in order.
///
/// A call that has failed is never followed by a call not sent yet: one that fails on its
/// first poll failed without being sent (a parameter the client cannot encode, a closed
/// connection), and the calls after it are then not sent either (`None`), so a later
/// statement (COMMIT above all) never runs without an earlier one.
async fn pipeline<T>(mut calls: Vec<Call<'_, T>>) -> Vec<Option<Result<T, tokio_postgres::Error>>> {
    let mut done: Vec<Option<Result<T, tokio_postgres::Error>>> =
        calls.iter().map(|_| None).collect();
    let mut started = 0;
    let mut failed = false;
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, (call, d)) in calls.iter_mut().zip(done.iter_mut()).enumerate() {
            if d.is_some() {
                continue;
            }
            if i >= started {
                if failed {
                    break;
                }
                started = i + 1;
            }
            match call.as_mut().poll(cx) {
                std::task::Poll::Ready(r) => {
                    failed |= r.is_err();
                    *d = Some(r);
                }
                std::task::Poll::Pending => pending = true,
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done
}

/// The results of [`pipeline`], or its first error in order (a statement after a failed
/// one fails too, as its transaction is aborted, or is not sent).
fn all_ok<T>(
    done: Vec<Option<Result<T, tokio_postgres::Error>>>,
) -> Result<Vec<T>, tokio_postgres::Error> {
    let mut out = Vec::with_capacity(done.len());
    for d in done {
        match d {
            Some(r) => out.push(r?),
            // Not sent: an earlier one failed, and its error came first.
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::cert;
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    fn logged(inserted: Inserted, i: u64) -> Result<Logged, StoreError> {
        Ok(Logged {
            inserted,
            log_index: Some(i),
        })
    }

    /// One batch: refused requests change nothing, later requests see earlier ones (their
    /// outputs, their consumption, their lot ids), duplicates are AlreadyStored, the log stays
    /// dense; a second batch sees the first one's rows as stored.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_batch_decides_in_order_and_refusals_change_nothing() {
        let Some(db) = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_batch").await
        else {
            return;
        };
        let store = super::super::PostgresStore::open(db.url()).await.unwrap();
        let (mut batch, a_id) = crate::test_support::mixed_batch();
        let unknown = CertId::of_cose(b"nowhere");
        batch.extend([
            cert("e", &[(unknown, "L", 1)], &[("P", 1)]),
            cert("f", &[(a_id, "Q", 1)], &[("P", 1)]),
            cert("g", &[], &[("M", 5)]),
        ]);
        let got = apply(&store.pool, &batch).await;
        crate::test_support::assert_mixed_batch(&got, a_id);
        assert_eq!(
            got[6],
            Err(StoreError::UnknownInput {
                certificate: unknown
            })
        );
        assert_eq!(
            got[7],
            Err(StoreError::LotNotOutput {
                certificate: a_id,
                lot: "Q".into()
            })
        );
        // "b" output M earlier in the batch: one lineage per lot id.
        assert!(
            matches!(&got[8], Err(StoreError::LotConflict { lot, .. }) if lot == "M"),
            "{:?}",
            got[8]
        );

        let client = store.pool.get().await.unwrap();
        let one = |sql: &'static str| {
            let client = &client;
            async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
        };
        assert_eq!(one("SELECT COUNT(*) FROM certificates").await, 3);
        assert_eq!(one("SELECT COUNT(*) FROM lot_inputs").await, 2);
        assert_eq!(
            one("SELECT consumed FROM lot_outputs WHERE lot = 'L'").await,
            100
        );
        assert_eq!(one("SELECT size FROM log_head").await, 3);
        assert_eq!(one("SELECT MAX(idx) + 1 FROM log_entries").await, 3);

        // A second batch: the first one's rows are stored now.
        let b_id = batch[2].cert.id;
        let second = vec![
            cert("h", &[(b_id, "M", 60)], &[("M", 60)]),
            cert("i", &[(b_id, "M", 1)], &[("R", 1)]),
            cert("b", &[(a_id, "L", 60)], &[("M", 60)]),
            cert("j", &[(a_id, "L", 1)], &[("S", 1)]),
        ];
        let got = apply(&store.pool, &second).await;
        assert_eq!(got[0], logged(Inserted::Created, 3));
        assert!(
            matches!(got[1], Err(StoreError::Overconsumed { .. })),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], logged(Inserted::AlreadyStored, 1));
        assert!(
            matches!(got[3], Err(StoreError::Overconsumed { .. })),
            "{:?}",
            got[3]
        );
        assert_eq!(one("SELECT consumed FROM lot_outputs WHERE lot = 'M' AND certificate = (SELECT id FROM certificates WHERE seq = (SELECT seq FROM certificates ORDER BY seq LIMIT 1 OFFSET 1))").await, 60);
        assert_eq!(one("SELECT size FROM log_head").await, 4);
        drop(client);
        drop(store);
        db.finish().await;
    }

    /// A batch that mixes everything a batch decides: duplicates of a stored certificate
    /// and of one earlier in the batch, over-consumption across two requests of the batch
    /// (of a stored row and of a row output earlier in the batch), exact fits, inputs of
    /// one (certificate, lot) added up, unknown inputs (one names a certificate that comes
    /// later in the batch), lots not output, and lot conflicts with a stored lot and with
    /// a lot output earlier in the batch. `s` is stored before.
    fn mixed() -> (Box<Checked>, [Box<Checked>; 21]) {
        let s = cert("s", &[], &[("S", 50), ("T", 10)]);
        let s_id = s.cert.id;
        let x_id = cert("x", &[], &[("X", 30)]).cert.id;
        let late_id = cert("late", &[], &[("E", 5)]).cert.id;
        let unknown = CertId::of_cose(b"nowhere");
        let batch = [
            cert("x", &[], &[("X", 30)]),
            cert("s", &[], &[("S", 50), ("T", 10)]),
            cert("x", &[], &[("X", 30)]),
            cert("y", &[(s_id, "S", 30)], &[("Y", 30)]),
            cert("z", &[(s_id, "S", 21)], &[("Z", 21)]),
            cert("z2", &[(s_id, "S", 20)], &[("Z", 20)]),
            cert("u", &[(unknown, "L", 1)], &[("U", 1)]),
            cert("t", &[], &[("T", 5)]),
            cert("xx", &[], &[("X", 1)]),
            cert("w", &[(x_id, "X", 30)], &[("X", 30)]),
            cert("v", &[(x_id, "X", 1)], &[("V", 1)]),
            cert("q", &[(s_id, "Nope", 1)], &[("Q", 1)]),
            cert("r", &[(x_id, "Nope", 1)], &[("R", 1)]),
            cert("z", &[(s_id, "S", 21)], &[("Z", 21)]),
            cert("early", &[(late_id, "E", 1)], &[("F", 1)]),
            cert("late", &[], &[("E", 5)]),
            cert("m", &[(s_id, "T", 4), (s_id, "T", 6)], &[("M", 10)]),
            cert("m2", &[(s_id, "T", 1)], &[("N", 1)]),
            cert("late", &[], &[("E", 5)]),
            cert("g", &[(late_id, "E", 5), (x_id, "V", 1)], &[("G", 5)]),
            cert("h", &[(late_id, "E", 5)], &[("H", 5)]),
        ];
        (s, batch)
    }

    /// What a PostgreSQL database holds, as text, in a fixed order (certificates in `seq`
    /// order, the log in index order, the journal in generation order).
    async fn dump(pool: &Pool) -> Vec<Vec<String>> {
        let client = pool.get().await.unwrap();
        let mut out = Vec::new();
        for sql in [
            "SELECT concat_ws(' ', encode(id, 'hex'), kind, time, issued_at, issuer_subject) \
             FROM certificates ORDER BY seq",
            "SELECT concat_ws(' ', encode(certificate, 'hex'), lot, quantity, consumed) \
             FROM lot_outputs ORDER BY certificate, lot",
            "SELECT concat_ws(' ', encode(c.id, 'hex'), i.position, encode(i.source, 'hex'), \
             i.lot, i.quantity) FROM lot_inputs i JOIN certificates c ON c.seq = i.certificate_seq \
             ORDER BY c.id, i.position",
            "SELECT concat_ws(' ', l.idx, encode(c.id, 'hex')) FROM log_entries l \
             JOIN certificates c ON c.seq = l.certificate_seq ORDER BY l.idx",
            "SELECT concat_ws(' ', g.generation, encode(c.id, 'hex')) FROM changes g \
             JOIN certificates c ON c.seq = g.certificate_seq ORDER BY g.generation",
            "SELECT size::text FROM log_head",
            "SELECT value::text FROM generation_head",
        ] {
            let rows = client.query(sql, &[]).await.unwrap();
            out.push(rows.iter().map(|r| r.get::<_, String>(0)).collect());
        }
        out
    }

    /// A batch decides exactly as the same requests inserted one by one do, on PostgreSQL
    /// (batches of one) and on SQLite (its own writer): the same answers, and on PostgreSQL
    /// the same rows, log and change journal.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_equals_its_requests_one_by_one() {
        let Some(db_batch) =
            catchcert_testkit::db::pg_db("catchcert-store", "catchcert_bmix").await
        else {
            return;
        };
        let db_one = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_bone")
            .await
            .unwrap();
        let batched = super::super::PostgresStore::open(db_batch.url())
            .await
            .unwrap();
        let one = super::super::PostgresStore::open(db_one.url())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let lite = crate::sqlite::SqliteStore::open(dir.path().join("one.db"))
            .await
            .unwrap();

        let (s, batch) = mixed();
        let first = apply(&batched.pool, std::slice::from_ref(&s)).await;
        assert_eq!(first, vec![logged(Inserted::Created, 0)]);
        let got = apply(&batched.pool, &batch).await;

        let (s, batch) = mixed();
        assert_eq!(apply(&one.pool, &[s]).await, first);
        let mut by_one = Vec::new();
        for k in batch {
            by_one.extend(apply(&one.pool, &[k]).await);
        }
        assert_eq!(got, by_one);

        let (s, batch) = mixed();
        assert_eq!(lite.insert(*s).await, first[0]);
        let mut on_sqlite = Vec::new();
        for k in batch {
            on_sqlite.push(lite.insert(*k).await);
        }
        assert_eq!(got, on_sqlite);

        // The decisions the batch is meant to exercise.
        let kinds: Vec<String> = got
            .iter()
            .map(|r| match r {
                Ok(l) => format!("{:?} {:?}", l.inserted, l.log_index),
                Err(e) => format!("{e:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "Created Some(1)",
                "AlreadyStored Some(0)",
                "AlreadyStored Some(1)",
                "Created Some(2)",
                "Overconsumed",
                "Created Some(3)",
                "UnknownInput",
                "LotConflict",
                "LotConflict",
                "Created Some(4)",
                "Overconsumed",
                "LotNotOutput",
                "LotNotOutput",
                "Overconsumed",
                "UnknownInput",
                "Created Some(5)",
                "Created Some(6)",
                "Overconsumed",
                "AlreadyStored Some(5)",
                "LotNotOutput",
                "Created Some(7)",
            ]
        );
        let stored = dump(&batched.pool).await;
        assert_eq!(stored, dump(&one.pool).await);
        assert_eq!(stored[0].len(), 8);
        assert_eq!(stored[4].len(), 8);
        drop((batched, one));
        db_batch.finish().await;
        db_one.finish().await;
    }

    /// A request that makes the database fail in the batch's writes (a NUL byte in a text
    /// column) fails alone: the batch's transaction, COMMIT pipelined after that failure,
    /// stores nothing, and the requests retried one per transaction are answered as if
    /// inserted one by one. The same for a failure in the batch's reads.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_that_fails_the_database_fails_alone() {
        let Some(db) = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_bfail").await
        else {
            return;
        };
        let store = super::super::PostgresStore::open(db.url()).await.unwrap();
        let a = cert("a", &[], &[("A", 10)]);
        let a_id = a.cert.id;
        let mut bad_write = cert("bad", &[], &[("B", 1)]);
        bad_write.cert.issuer_subject = "CN=\0".into();
        let bad_read = cert("bad2", &[], &[("C\0", 1)]);
        let batch = vec![
            a,
            bad_write,
            cert("b", &[(a_id, "A", 10)], &[("A", 10)]),
            cert("c", &[(a_id, "A", 1)], &[("D", 1)]),
        ];
        let got = apply(&store.pool, &batch).await;
        assert_eq!(got[0], logged(Inserted::Created, 0));
        assert!(
            matches!(got[1], Err(StoreError::Backend(_))),
            "{:?}",
            got[1]
        );
        assert_eq!(got[2], logged(Inserted::Created, 1));
        assert!(
            matches!(got[3], Err(StoreError::Overconsumed { .. })),
            "{:?}",
            got[3]
        );
        let got = apply(
            &store.pool,
            &[
                bad_read,
                cert("d", &[], &[("D2", 1)]),
                cert("a", &[], &[("A", 10)]),
            ],
        )
        .await;
        assert!(
            matches!(got[0], Err(StoreError::Backend(_))),
            "{:?}",
            got[0]
        );
        assert_eq!(got[1], logged(Inserted::Created, 2));
        assert_eq!(got[2], logged(Inserted::AlreadyStored, 0));
        let stored = dump(&store.pool).await;
        assert_eq!(stored[0].len(), 3);
        assert_eq!(stored[3].len(), 3);
        assert_eq!(stored[4].len(), 3);
        assert_eq!(stored[5], ["3"]);
        assert_eq!(stored[6], ["3"]);
        // No connection was left inside a transaction.
        let client = store.pool.get().await.unwrap();
        let in_tx: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state LIKE 'idle in transaction%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(in_tx, 0);
        drop(client);
        drop(store);
        db.finish().await;
    }

    /// A TCP proxy in front of the server of `url`: the URL to connect through it, and the
    /// number of round trips made through it so far (each time the client sends after it
    /// has been handed an answer, counting the first). Answers are handed on 20 ms late, so
    /// that a client sending a pipeline in several writes on a busy machine, without
    /// waiting for anything, is not counted as waiting between them.
    fn counting_proxy(url: &str) -> (String, Arc<AtomicUsize>) {
        let (scheme, rest) = url.split_once('@').unwrap();
        let (target, path) = rest.split_once('/').unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let proxied = format!("{scheme}@{}/{path}", listener.local_addr().unwrap());
        let trips = Arc::new(AtomicUsize::new(0));
        let counter = trips.clone();
        let target = target.to_string();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let server = std::net::TcpStream::connect(&target).unwrap();
                // Whether the server spoke last.
                let server_last = Arc::new(AtomicBool::new(true));
                let pairs = [
                    (
                        client.try_clone().unwrap(),
                        server.try_clone().unwrap(),
                        true,
                    ),
                    (server, client, false),
                ];
                for (mut from, mut to, upstream) in pairs {
                    let (server_last, counter) = (server_last.clone(), counter.clone());
                    std::thread::spawn(move || {
                        let mut buf = vec![0u8; 1 << 16];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if upstream {
                                if server_last.swap(false, Ordering::SeqCst) {
                                    counter.fetch_add(1, Ordering::SeqCst);
                                }
                            } else {
                                std::thread::sleep(std::time::Duration::from_millis(20));
                                // About to be handed to the client: what it sends from now
                                // on may depend on it (set first, so that no answer can
                                // reach the client before this is seen).
                                server_last.store(true, Ordering::SeqCst);
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        (proxied, trips)
    }

    /// A batch costs two round trips to the server, whatever its size and mix (once its
    /// connection has prepared the statements): `BEGIN` and the reads, then the writes and
    /// `COMMIT`; or the reads, then `ROLLBACK`, when every request is refused. The runtime
    /// is single-threaded, so the requests of a pipeline are all queued before the
    /// connection's task sends them, as they are when the writer task is busy.
    #[tokio::test]
    async fn a_batch_is_two_round_trips() {
        let Some(db) = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_btrips").await
        else {
            return;
        };
        let (url, trips) = counting_proxy(db.url());
        let store = super::super::PostgresStore::open(&url).await.unwrap();
        let pool = &store.pool;
        let a = cert("a", &[], &[("A", 1000)]);
        let a_id = a.cert.id;
        // Statements are prepared on the pool's one connection by the first batches of
        // each shape.
        assert_eq!(apply(pool, &[a]).await[0], logged(Inserted::Created, 0));
        let warm = cert("b", &[(a_id, "A", 1)], &[("B", 1)]);
        assert_eq!(apply(pool, &[warm]).await[0], logged(Inserted::Created, 1));

        let count = |batch: Vec<Box<Checked>>| {
            let trips = trips.clone();
            async move {
                let before = trips.load(Ordering::SeqCst);
                let got = apply(pool, &batch).await;
                (trips.load(Ordering::SeqCst) - before, got)
            }
        };
        let (n, got) = count(vec![cert("c", &[(a_id, "A", 1)], &[("C", 1)])]).await;
        assert_eq!(got[0], logged(Inserted::Created, 2));
        assert_eq!(n, 2);

        let names: Vec<(String, String)> = (0..100)
            .map(|i| (format!("d{i}"), format!("D{i}")))
            .collect();
        let mut batch: Vec<Box<Checked>> = names
            .iter()
            .map(|(name, lot)| cert(name, &[(a_id, "A", 3)], &[(lot.as_str(), 3)]))
            .collect();
        batch.push(cert("a", &[], &[("A", 1000)]));
        batch.push(cert(
            "e",
            &[(CertId::of_cose(b"nowhere"), "A", 1)],
            &[("E", 1)],
        ));
        batch.push(cert("f", &[], &[("B", 1)]));
        let (n, got) = count(batch).await;
        // 998 g of A were left: the 100 requests of 3 g fit.
        assert!(
            got[..100]
                .iter()
                .all(|r| matches!(r, Ok(l) if l.inserted == Inserted::Created))
        );
        assert_eq!(got[100], logged(Inserted::AlreadyStored, 0));
        assert!(matches!(got[101], Err(StoreError::UnknownInput { .. })));
        assert!(matches!(got[102], Err(StoreError::LotConflict { .. })));
        assert_eq!(n, 2);

        let (n, got) = count(vec![
            cert("a", &[], &[("A", 1000)]),
            cert("g", &[(a_id, "A", 1000)], &[("G", 1)]),
        ])
        .await;
        assert_eq!(got[0], logged(Inserted::AlreadyStored, 0));
        assert!(matches!(got[1], Err(StoreError::Overconsumed { .. })));
        assert_eq!(n, 2);
        drop(store);
        db.finish().await;
    }

    /// The writes of a batch run with cached plans allowed (`PLAN_CACHED`) because the
    /// queries PostgreSQL runs to check their foreign keys look up one key of a unique
    /// index, and are planned as index look-ups even when the tables are empty: a generic
    /// plan made on a fresh database stays right as the tables grow. Every foreign key of
    /// the schema, as PostgreSQL's own check queries it, planned generically on a freshly
    /// migrated (empty) database.
    #[tokio::test]
    async fn foreign_key_checks_plan_index_lookups_on_an_empty_database() {
        let Some(db) = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_fkplans").await
        else {
            return;
        };
        let store = super::super::PostgresStore::open(db.url()).await.unwrap();
        let client = store.pool.get().await.unwrap();
        let keys = client
            .query(
                "SELECT c.confrelid::regclass::text, \
                   array_agg(a.attname::text ORDER BY k.n), \
                   array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.n) \
                 FROM pg_constraint c \
                 CROSS JOIN LATERAL unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum \
                 WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace \
                 GROUP BY c.oid, c.confrelid ORDER BY 1, 2",
                &[],
            )
            .await
            .unwrap();
        // certificates(id) from eight tables, lot_outputs(certificate, lot) from lot_inputs,
        // log_checkpoints(size) from log_cosignatures.
        assert!(keys.len() >= 10, "{} foreign keys", keys.len());
        client
            .batch_execute("SET plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let mut tables = std::collections::BTreeSet::new();
        for (n, row) in keys.iter().enumerate() {
            let table: String = row.get(0);
            let cols: Vec<String> = row.get(1);
            let types: Vec<String> = row.get(2);
            let cond: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ${}", i + 1))
                .collect();
            client
                .batch_execute(&format!(
                    "PREPARE fk{n} ({}) AS SELECT 1 FROM ONLY {table} x WHERE {} \
                     FOR KEY SHARE OF x",
                    types.join(", "),
                    cond.join(" AND ")
                ))
                .await
                .unwrap();
            let nulls = vec!["NULL"; cols.len()].join(", ");
            let plan: Vec<String> = client
                .query(&format!("EXPLAIN EXECUTE fk{n} ({nulls})"), &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let plan = plan.join("\n");
            assert!(
                plan.contains("Index Scan") && !plan.contains("Seq Scan"),
                "{table} ({}): {plan}",
                cols.join(", ")
            );
            tables.insert(table);
        }
        assert!(tables.contains("certificates") && tables.contains("lot_outputs"));
    }

    /// Migrations 0006 and 0007 on a database written before them: the log, the journal,
    /// the inputs and the attestation references name the same certificates after them
    /// (also a certificate that is not a log entry, so log indexes and row numbers differ),
    /// and the graph walk still reaches what a certificate consumes and the stored
    /// attestation it names.
    #[tokio::test]
    async fn the_row_number_migrations_keep_every_row() {
        let Some(db) = catchcert_testkit::db::pg_db("catchcert-store", "catchcert_rows").await
        else {
            return;
        };
        let (client, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(
                "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
                 checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await
            .unwrap();
        for m in &crate::migrate::POSTGRES[..5] {
            client.batch_execute(m.sql).await.unwrap();
            client
                .execute(
                    "INSERT INTO schema_migrations VALUES ($1, $2, $3, 0)",
                    &[&m.version, &m.name, &m.checksum()],
                )
                .await
                .unwrap();
        }
        let ids: Vec<[u8; 32]> = (0u8..3).map(|i| [i + 1; 32]).collect();
        let bytes = |i: usize| vec![i as u8; 3];
        for (i, id) in ids.iter().enumerate() {
            client
                .execute(
                    "INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, \
                     issuer_key) VALUES ($1, $2, 'landing', 0, 0, 'CN=t', $3)",
                    &[&&id[..], &bytes(i), &&[0u8; 32][..]],
                )
                .await
                .unwrap();
            client
                .execute(
                    "INSERT INTO changes (generation, certificate) VALUES ($1, $2)",
                    &[&(i as i64 + 1), &&id[..]],
                )
                .await
                .unwrap();
        }
        let (a, b, c) = (&ids[0][..], &ids[1][..], &ids[2][..]);
        let unknown = &[9u8; 32][..];
        for (sql, params) in [
            (
                "INSERT INTO lot_outputs (certificate, lot, quantity, consumed) \
                 VALUES ($1, 'L', 10, 4)",
                vec![&b as &(dyn tokio_postgres::types::ToSql + Sync)],
            ),
            (
                "INSERT INTO lot_inputs (certificate, position, source, lot, quantity) \
                 VALUES ($1, 0, $2, 'L', 4)",
                vec![&c, &b],
            ),
            (
                "INSERT INTO attestation_refs (certificate, attestation) VALUES ($1, $2), ($1, $3)",
                vec![&c, &a, &unknown],
            ),
            (
                "INSERT INTO log_entries (idx, certificate) VALUES (0, $1), (1, $2)",
                vec![&a, &c],
            ),
        ] {
            client.execute(sql, &params).await.unwrap();
        }
        client
            .batch_execute("UPDATE log_head SET size = 2; UPDATE generation_head SET value = 3")
            .await
            .unwrap();

        let store = super::super::PostgresStore::open(db.url()).await.unwrap();
        let applied = store.applied_migrations().await.unwrap();
        assert_eq!(applied.len(), crate::migrate::POSTGRES.len());
        let id = |i: usize| CertId(ids[i]);
        assert_eq!(store.log_index(id(0)).await.unwrap(), Some(0));
        assert_eq!(store.log_index(id(1)).await.unwrap(), None);
        assert_eq!(store.log_index(id(2)).await.unwrap(), Some(1));
        assert_eq!(store.log_entries(0, 2).await.unwrap(), [bytes(0), bytes(2)]);
        let changes = store.changes(0, 3).await.unwrap();
        assert_eq!(
            changes
                .iter()
                .map(|c| (c.generation, c.id))
                .collect::<Vec<_>>(),
            [(1, id(0)), (2, id(1)), (3, id(2))]
        );
        let mut closure: Vec<CertId> = store
            .closure(id(2), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        closure.sort();
        assert_eq!(closure, [id(0), id(1), id(2)]);
    }
}

//! Group commit on PostgreSQL: one writer task per store applies queued inserts in one
//! transaction per batch.
//!
//! A batch runs, in one READ COMMITTED transaction:
//!
//! 1. `SELECT size FROM log_head FOR UPDATE`: the row lock, held until commit, serialises
//!    the batches of every server on this database. Every later statement of the batch sees
//!    everything committed before it (READ COMMITTED takes a snapshot per statement), and no
//!    other writer can change what it read until it commits, so the checks made in memory
//!    stay true at commit; log indexes stay dense and in commit order.
//! 2. Set-wise reads: the stored copies of the batch's ids (and their log indexes), the
//!    output rows the batch consumes (locked `FOR UPDATE`, in (certificate, lot) order), the
//!    stored owners of the lot ids the batch outputs new, and — only when an input row is
//!    missing — whether the named certificate is stored at all.
//! 3. Each request in order, in memory, with the same checks and errors as a single insert:
//!    already stored (or stored earlier in this batch) → `AlreadyStored`; an unknown input,
//!    a lot not output, over-consumption, a lot id already in another lineage → its error,
//!    and nothing of it is kept. An accepted one updates what later requests of the batch see.
//! 4. Set-wise writes of every accepted certificate (`INSERT … SELECT FROM unnest(…)`, in
//!    batch order so `seq` follows it), the consumption of stored rows, the log entries and
//!    the new `log_head` size (the writes pipelined: sent in order, then awaited); then
//!    `COMMIT`, and only then the answers.
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

/// The rows of `sql`, its statement prepared once per connection (deadpool's cache): a
/// statement given as text is parsed and described anew every time, one more round trip.
async fn query(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let st = tx.prepare_cached(sql).await?;
    tx.query(&st, params).await
}

/// [`query`] for a query answering one row.
async fn query_one(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
    let st = tx.prepare_cached(sql).await?;
    tx.query_one(&st, params).await
}

/// One attempt at the whole batch, in one transaction (see the module documentation).
async fn run(pool: &Pool, ks: &[Box<Checked>]) -> Result<Vec<Result<Logged, StoreError>>, Failed> {
    let mut client = pool.get().await.map_err(|e| Failed::Store(e.into()))?;
    let tx = client.transaction().await?;
    let size: i64 = query_one(&tx, "SELECT size FROM log_head FOR UPDATE", &[])
        .await?
        .get(0);
    let mut next_index = to_u64(size, "log size").map_err(Failed::Store)?;

    // Stored copies of the batch's ids, with their log indexes.
    let ids: Vec<&[u8]> = ks.iter().map(|k| &k.cert.id.0[..]).collect();
    let mut stored: HashMap<CertId, (Vec<u8>, Option<u64>)> = HashMap::new();
    for r in query(
        &tx,
        "SELECT c.id, c.bytes, l.idx FROM certificates c \
             LEFT JOIN log_entries l ON l.certificate = c.id WHERE c.id = ANY($1)",
        &[&ids],
    )
    .await?
    {
        let id = id_from_db(r.get::<_, &[u8]>(0)).map_err(Failed::Store)?;
        let idx = r
            .get::<_, Option<i64>>(2)
            .map(|i| to_u64(i, "log index"))
            .transpose()
            .map_err(Failed::Store)?;
        stored.insert(id, (r.get(1), idx));
    }

    // The stored output rows the batch consumes, locked in (certificate, lot) order.
    let wanted: BTreeSet<(CertId, &str)> = ks
        .iter()
        .flat_map(|k| k.demands.iter().map(|d| (d.certificate, d.lot.as_str())))
        .collect();
    let mut rows: HashMap<(CertId, String), Row> = HashMap::new();
    if !wanted.is_empty() {
        let certs: Vec<&[u8]> = wanted.iter().map(|(c, _)| &c.0[..]).collect();
        let lots: Vec<&str> = wanted.iter().map(|(_, l)| *l).collect();
        for r in query(
            &tx,
            "SELECT o.certificate, o.lot, o.quantity, o.consumed FROM lot_outputs o \
                 JOIN unnest($1::bytea[], $2::text[]) AS w(c, l) \
                   ON o.certificate = w.c AND o.lot = w.l \
                 ORDER BY o.certificate, o.lot FOR UPDATE OF o",
            &[&certs, &lots],
        )
        .await?
        {
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
    }
    // For a missing row: is the named certificate stored at all (which error to give)?
    let absent: Vec<&[u8]> = wanted
        .iter()
        .filter(|(c, l)| !rows.contains_key(&(*c, (*l).to_string())))
        .map(|(c, _)| &c.0[..])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known: HashSet<CertId> = HashSet::new();
    if !absent.is_empty() {
        for r in query(
            &tx,
            "SELECT id FROM certificates WHERE id = ANY($1)",
            &[&absent],
        )
        .await?
        {
            known.insert(id_from_db(r.get::<_, &[u8]>(0)).map_err(Failed::Store)?);
        }
    }
    // Stored owners of the lot ids the batch outputs new (one lineage per lot id).
    let new_lots: Vec<&str> = ks
        .iter()
        .flat_map(|k| k.new_lots.iter().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut owners: HashMap<String, CertId> = HashMap::new();
    if !new_lots.is_empty() {
        for r in query(
            &tx,
            "SELECT DISTINCT ON (lot) lot, certificate FROM lot_outputs \
                 WHERE lot = ANY($1) ORDER BY lot, certificate",
            &[&new_lots],
        )
        .await?
        {
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
        tx.rollback().await?;
        return Ok(results);
    }
    let size = to_i64(next_index).map_err(Failed::Store)?;
    write(&tx, &w, &rows, ks, &created, size).await?;
    tx.commit().await?;
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

/// The set-wise writes of a batch's accepted certificates and the log's new size, pipelined: each statement is
/// prepared (once per connection), then all are sent before the first answer is awaited,
/// in this order, which the server keeps. One round trip for all instead of one each.
async fn write(
    tx: &deadpool_postgres::Transaction<'_>,
    w: &Writes<'_>,
    rows: &HashMap<(CertId, String), Row>,
    ks: &[Box<Checked>],
    created: &HashMap<CertId, (usize, Option<u64>)>,
    log_size: i64,
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

    type Params<'p> = Vec<&'p (dyn tokio_postgres::types::ToSql + Sync)>;
    let mut plan: Vec<(&str, Params<'_>)> = vec![
        (
            "INSERT INTO certificates (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
             SELECT i, b, k, t, s, u, y FROM unnest($1::bytea[], $2::bytea[], $3::text[], \
               $4::int8[], $5::int8[], $6::text[], $7::bytea[]) WITH ORDINALITY \
               AS n(i, b, k, t, s, u, y, o) ORDER BY o",
            vec![
                &w.ids,
                &w.bytes,
                &w.kinds,
                &w.times,
                &w.issued,
                &w.subjects,
                &w.keys,
            ],
        ),
        (
            "WITH g AS (UPDATE generation_head SET value = value + $2 WHERE one RETURNING value) \
             INSERT INTO changes (generation, certificate) \
             SELECT g.value - $2 + n.o, n.i FROM g, unnest($1::bytea[]) WITH ORDINALITY AS n(i, o)",
            vec![&w.ids, &n],
        ),
    ];
    if !out_cert.is_empty() {
        plan.push((
            "INSERT INTO lot_outputs (certificate, lot, quantity, consumed) \
             SELECT * FROM unnest($1::bytea[], $2::text[], $3::int8[], $4::int8[])",
            vec![&out_cert, &out_lot, &out_qty, &out_used],
        ));
    }
    if !upd_cert.is_empty() {
        plan.push((
            "UPDATE lot_outputs o SET consumed = o.consumed + u.a \
             FROM unnest($1::bytea[], $2::text[], $3::int8[]) AS u(c, l, a) \
             WHERE o.certificate = u.c AND o.lot = u.l",
            vec![&upd_cert, &upd_lot, &upd_add],
        ));
    }
    if !w.in_cert.is_empty() {
        plan.push((
            "INSERT INTO lot_inputs (certificate, position, source, lot, quantity) \
             SELECT * FROM unnest($1::bytea[], $2::int4[], $3::bytea[], $4::text[], $5::int8[])",
            vec![&w.in_cert, &w.in_pos, &w.in_source, &w.in_lot, &w.in_qty],
        ));
    }
    if !w.att_cert.is_empty() {
        plan.push((
            "INSERT INTO attestation_refs (certificate, attestation) \
             SELECT * FROM unnest($1::bytea[], $2::bytea[])",
            vec![&w.att_cert, &w.att_ref],
        ));
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
    if !w.log_idx.is_empty() {
        plan.push((
            "INSERT INTO log_entries (idx, certificate) \
             SELECT * FROM unnest($1::int8[], $2::bytea[])",
            vec![&w.log_idx, &w.log_cert],
        ));
    }
    plan.push(("UPDATE log_head SET size = $1 WHERE one", vec![&log_size]));
    let mut statements = Vec::with_capacity(plan.len());
    for (sql, _) in &plan {
        statements.push(tx.prepare_cached(sql).await?);
    }
    let sent = statements
        .iter()
        .zip(&plan)
        .map(|(st, (_, params))| Box::pin(tx.execute(st, params)))
        .collect();
    in_order(sent).await?;
    Ok(())
}

/// Poll every future until all are done; the first is polled first, so requests on one
/// connection are sent in order. The first error in order, if any (a statement after a
/// failed one fails too, as its transaction is aborted).
async fn in_order<F>(mut fs: Vec<F>) -> Result<(), tokio_postgres::Error>
where
    F: std::future::Future<Output = Result<u64, tokio_postgres::Error>> + Unpin,
{
    let mut done: Vec<Option<Result<u64, tokio_postgres::Error>>> =
        fs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, d) in fs.iter_mut().zip(done.iter_mut()) {
            if d.is_none() {
                match std::pin::Pin::new(f).poll(cx) {
                    std::task::Poll::Ready(r) => *d = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    for d in done.into_iter().flatten() {
        d?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grams;
    use crate::test_support::cert;

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
        let a = cert("a", &[], &[("L", 100)]);
        let a_id = a.cert.id;
        let unknown = CertId::of_cose(b"nowhere");
        let batch = vec![
            a,
            cert("over", &[(a_id, "L", 101)], &[("M", 1)]),
            cert("b", &[(a_id, "L", 60)], &[("M", 60)]),
            cert("c", &[(a_id, "L", 41)], &[("N", 41)]),
            cert("d", &[(a_id, "L", 40)], &[("N", 40)]),
            cert("a", &[], &[("L", 100)]),
            cert("e", &[(unknown, "L", 1)], &[("P", 1)]),
            cert("f", &[(a_id, "Q", 1)], &[("P", 1)]),
            cert("g", &[], &[("M", 5)]),
        ];
        let got = apply(&store.pool, &batch).await;
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
}

//! A small HTTP load generator for `catchcert serve`: ingest of a certificate set with a
//! chosen concurrency, then lot verdicts (first uncached, then cached), then `POST /v1/verify`
//! of the head's bundle.
//!
//! ```text
//! cargo xtask large-set /tmp/set2k 2000
//! catchcert serve --db sqlite:///tmp/load.db --trust /tmp/set2k/root.pem --listen 127.0.0.1:8088 &
//! cargo run --release -p catchcert-server --example load -- http://127.0.0.1:8088 /tmp/set2k 8
//! ```
//!
//! Arguments: `URL DIR C [K] [V]`. `DIR` holds `.cose` files (and optionally `head.txt`, the
//! head's id; otherwise the last file by name is the head). `C` is the most requests in
//! flight during ingest. A certificate is posted only after every certificate of the set that
//! it names (inputs and attestations) was answered 201 or 200; any other answer stops the run.
//! `K` (default 20) is the number of `GET /v1/lots/{lot}/verification` of the head's first
//! output lot, one after the other; `V` (default 3) the number of `POST /v1/verify` of the
//! head's bundle. Every loop is bounded by its count and by a deadline per phase.
//!
//! `load floor DB_URL DIR [B]` is the raw insert floor of the same run (docs/performance.md,
//! "Durable ingest"): it creates the schema in a new database `DB_URL` (`sqlite://FILE` or
//! `postgres://…`) with the store's migrations, then inserts the rows the store writes for
//! every certificate of `DIR` (certificate, output lots, inputs with their consumption,
//! attestation references, log entry) directly through rusqlite or tokio-postgres, `B`
//! (default 256) certificates per transaction, with the store's durability settings
//! (SQLite WAL and `synchronous=FULL`; PostgreSQL's default `synchronous_commit=on`), and
//! no checks. Every loop is bounded by the set's size.
//!
//! `load http-floor ADDR` serves the HTTP floor of the same run: a bare axum handler on
//! `ADDR` (two worker threads and mimalloc, as `catchcert serve`) that reads each posted
//! body and answers 201 with an id and log index, like `POST /v1/certificates`, checking
//! and storing nothing. Posting the same set to it with the same `C` measures what HTTP and
//! this client cost on this machine (`scripts/load-ingest` runs it after the server).

use catchcert_model::{CertId, Payload};
use catchcert_verify::cose;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Longest one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest the ingest phase may take.
const INGEST_DEADLINE: Duration = Duration::from_secs(1800);
/// Longest the verdict and bundle phases may take, each.
const QUERY_DEADLINE: Duration = Duration::from_secs(600);
/// Most certificates read from the directory.
const MAX_CERTS: usize = 200_000;

struct Cert {
    name: String,
    id: CertId,
    bytes: Vec<u8>,
    payload: Payload,
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("http-floor") {
        // As `catchcert serve`: a multi-threaded runtime with one worker per core.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return rt.block_on(http_floor(&args[1..]));
    }
    // The client: a runtime of its own, like any separate client process.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(client(args))
}

/// The HTTP floor: `POST /v1/certificates` read and answered 201, nothing checked or
/// stored; it serves until killed.
async fn http_floor(args: &[String]) -> Result<(), Error> {
    use axum::routing::post;
    use std::sync::atomic::{AtomicU64, Ordering};
    let [addr] = args else {
        return Err("usage: load http-floor ADDR".into());
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let app = axum::Router::new().route(
        "/v1/certificates",
        post(|body: axum::body::Bytes| async move {
            let index = NEXT.fetch_add(1, Ordering::Relaxed);
            let id = CertId::of_cose(&body);
            (
                axum::http::StatusCode::CREATED,
                axum::Json(serde_json::json!({ "id": id.to_string(), "log_index": index })),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn client(args: Vec<String>) -> Result<(), Error> {
    if args.first().map(String::as_str) == Some("floor") {
        return floor::run(&args[1..]).await;
    }
    if args.len() < 3 || args.len() > 5 {
        return Err("usage: load URL DIR C [K] [V]".into());
    }
    let base = args[0].trim_end_matches('/').to_string();
    let dir = PathBuf::from(&args[1]);
    let c: usize = args[2].parse().map_err(|e| format!("C: {e}"))?;
    if !(1..=1024).contains(&c) {
        return Err("C: must be 1 to 1024".into());
    }
    let k: usize = match args.get(3) {
        Some(s) => s.parse().map_err(|e| format!("K: {e}"))?,
        None => 20,
    };
    let v: usize = match args.get(4) {
        Some(s) => s.parse().map_err(|e| format!("V: {e}"))?,
        None => 3,
    };
    if k > 10_000 || v > 1_000 {
        return Err("K is at most 10 000 and V at most 1 000".into());
    }

    let certs = read_set(&dir)?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()?;
    if k == 0 && v == 0 {
        // Ingest only: with LOAD_MAX_BYTES, larger certificates are left out, with those
        // that name them (a server with its log on refuses certificates over 65 535 bytes).
        let certs = within_limit(certs)?;
        println!("set: {} certificates from {}", certs.len(), dir.display());
        return ingest(&client, &base, &certs, c).await;
    }
    let head = head_of(&dir, &certs)?;
    let head_lot = certs[head]
        .payload
        .outputs()
        .first()
        .map(|o| o.lot.clone())
        .ok_or("the head outputs no lot")?;
    println!(
        "set: {} certificates from {}; head {} ({}), lot {head_lot}",
        certs.len(),
        dir.display(),
        certs[head].id,
        certs[head].name
    );

    ingest(&client, &base, &certs, c).await?;

    let lot_path = format!("{base}/v1/lots/{}", encode_segment(&head_lot));
    verdicts(&client, &lot_path, k, certs.len()).await?;
    bundles(&client, &base, &lot_path, v, certs.len()).await?;
    cache_metrics(&client, &base).await?;
    Ok(())
}

/// The certificates of the set without those over `LOAD_MAX_BYTES` (when set) and those
/// that name a left-out one, in the same order.
fn within_limit(certs: Vec<Cert>) -> Result<Vec<Cert>, Error> {
    let Ok(max) = std::env::var("LOAD_MAX_BYTES") else {
        return Ok(certs);
    };
    let max: usize = max.parse().map_err(|e| format!("LOAD_MAX_BYTES: {e}"))?;
    let mut out_ids = std::collections::HashSet::new();
    for &i in &dependency_order(&certs) {
        let c = &certs[i];
        let names_out = c
            .payload
            .inputs()
            .iter()
            .map(|inp| inp.certificate)
            .chain(c.payload.attestations().iter().copied())
            .any(|id| out_ids.contains(&id));
        if c.bytes.len() > max || names_out {
            out_ids.insert(c.id);
        }
    }
    if !out_ids.is_empty() {
        println!(
            "set: {} certificates left out (over LOAD_MAX_BYTES = {max} bytes, or naming one)",
            out_ids.len()
        );
    }
    Ok(certs
        .into_iter()
        .filter(|c| !out_ids.contains(&c.id))
        .collect())
}

/// For each certificate of the set, how many certificates of the set it names (inputs and
/// attestations, each once), and the certificates that name it.
fn dependencies(certs: &[Cert]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let index: HashMap<CertId, usize> = certs.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut waiting = vec![0usize; certs.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); certs.len()];
    for (i, cert) in certs.iter().enumerate() {
        let mut deps: Vec<usize> = cert
            .payload
            .inputs()
            .iter()
            .map(|inp| inp.certificate)
            .chain(cert.payload.attestations().iter().copied())
            .filter_map(|id| index.get(&id).copied())
            .collect();
        deps.sort_unstable();
        deps.dedup();
        waiting[i] = deps.len();
        for d in deps {
            dependents[d].push(i);
        }
    }
    (waiting, dependents)
}

/// The certificates in an order where each comes after every certificate of the set it
/// names (inputs and attestations).
fn dependency_order(certs: &[Cert]) -> Vec<usize> {
    let (mut waiting, dependents) = dependencies(certs);
    let mut ready: Vec<usize> = (0..certs.len()).filter(|&i| waiting[i] == 0).collect();
    ready.reverse();
    let mut out = Vec::with_capacity(certs.len());
    while let Some(i) = ready.pop() {
        out.push(i);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(d);
            }
        }
    }
    out
}

/// Read every `.cose` file of `dir`, in name order.
fn read_set(dir: &Path) -> Result<Vec<Cert>, Error> {
    let mut paths = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "cose") {
            paths.push(p);
            if paths.len() > MAX_CERTS {
                return Err(format!("{}: more than {MAX_CERTS} .cose files", dir.display()).into());
            }
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no .cose files", dir.display()).into());
    }
    let mut certs = Vec::with_capacity(paths.len());
    for p in paths {
        let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let s = cose::decode(&bytes).map_err(|e| format!("{}: {e}", p.display()))?;
        let payload =
            Payload::from_cbor(&s.payload).map_err(|e| format!("{}: {e}", p.display()))?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        certs.push(Cert {
            name,
            id: s.id,
            bytes,
            payload,
        });
    }
    Ok(certs)
}

/// The head: the id in `head.txt` if present, else the last certificate by name.
fn head_of(dir: &Path, certs: &[Cert]) -> Result<usize, Error> {
    match std::fs::read_to_string(dir.join("head.txt")) {
        Ok(s) => {
            let want = s.trim();
            certs
                .iter()
                .position(|c| c.id.to_string() == want)
                .ok_or_else(|| format!("head.txt: {want} is not among the .cose files").into())
        }
        Err(_) => Ok(certs.len() - 1),
    }
}

/// Percent-encode one path segment (RFC 3986 unreserved characters are kept).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// POST every certificate, at most `c` in flight, each only after its dependencies.
async fn ingest(
    client: &reqwest::Client,
    base: &str,
    certs: &[Cert],
    c: usize,
) -> Result<(), Error> {
    let (mut waiting, dependents) = dependencies(certs);
    let mut ready: Vec<usize> = (0..certs.len()).filter(|&i| waiting[i] == 0).collect();
    ready.reverse(); // pop() then takes them in file order
    let url = format!("{base}/v1/certificates");
    let mut in_flight = JoinSet::new();
    let mut latencies = Vec::with_capacity(certs.len());
    let (mut created, mut already) = (0usize, 0usize);
    let started = Instant::now();
    let deadline = started + INGEST_DEADLINE;
    while latencies.len() < certs.len() {
        while in_flight.len() < c {
            let Some(i) = ready.pop() else { break };
            let rb = client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/cose")
                .body(certs[i].bytes.clone());
            in_flight.spawn(async move {
                let t = Instant::now();
                let res = rb.send().await;
                let out = match res {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.bytes().await.map(|b| b.to_vec());
                        body.map(|b| (status, b))
                    }
                    Err(e) => Err(e),
                };
                (i, t.elapsed(), out)
            });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let next = tokio::time::timeout(left, in_flight.join_next())
            .await
            .map_err(|_| format!("ingest: deadline of {INGEST_DEADLINE:?} passed"))?;
        let Some(joined) = next else {
            return Err(format!(
                "ingest: {} of {} certificates wait for inputs that never came",
                certs.len() - latencies.len(),
                certs.len()
            )
            .into());
        };
        let (i, took, out) = joined?;
        let (status, body) = out.map_err(|e| format!("{}: {e}", certs[i].name))?;
        match status {
            201 => created += 1,
            200 => already += 1,
            _ => {
                return Err(format!(
                    "{}: answered {status}: {}",
                    certs[i].name,
                    String::from_utf8_lossy(&body)
                )
                .into());
            }
        }
        latencies.push(took);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(d);
            }
        }
    }
    let wall = started.elapsed();
    let per_s = certs.len() as f64 / wall.as_secs_f64();
    println!(
        "ingest: C={c} {} certificates ({created} created, {already} already stored) in {:.3} s: \
         {per_s:.1} certificates/s, {:.1} µs wall per certificate",
        certs.len(),
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1e6 / certs.len() as f64
    );
    println!("ingest latency: {}", summary(&mut latencies));
    Ok(())
}

/// `k` lot verdicts one after the other; the first is a cache miss.
async fn verdicts(
    client: &reqwest::Client,
    lot_path: &str,
    k: usize,
    n: usize,
) -> Result<(), Error> {
    if k == 0 {
        return Ok(());
    }
    let url = format!("{lot_path}/verification");
    let deadline = Instant::now() + QUERY_DEADLINE;
    let mut times = Vec::with_capacity(k);
    for _ in 0..k {
        if Instant::now() > deadline {
            return Err("verification: deadline passed".into());
        }
        let t = Instant::now();
        let r = client.get(&url).send().await?;
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        times.push(t.elapsed());
        check_verdict("verification", status, &body, n)?;
    }
    println!("verification, first (uncached): {}", ms(times[0]));
    if k > 1 {
        println!(
            "verification, next {} (cached): {}",
            k - 1,
            summary(&mut times[1..].to_vec())
        );
    }
    Ok(())
}

/// Fetch the head's bundle once, then `POST /v1/verify` it `v` times.
async fn bundles(
    client: &reqwest::Client,
    base: &str,
    lot_path: &str,
    v: usize,
    n: usize,
) -> Result<(), Error> {
    let t = Instant::now();
    let r = client.get(format!("{lot_path}/bundle")).send().await?;
    let status = r.status().as_u16();
    let bundle = r.bytes().await?;
    let took = t.elapsed();
    if status != 200 {
        return Err(format!("bundle: answered {status}").into());
    }
    println!("bundle: {} bytes in {}", bundle.len(), ms(took));
    if v == 0 {
        return Ok(());
    }
    let url = format!("{base}/v1/verify");
    let deadline = Instant::now() + QUERY_DEADLINE;
    let mut times = Vec::with_capacity(v);
    for _ in 0..v {
        if Instant::now() > deadline {
            return Err("verify: deadline passed".into());
        }
        let t = Instant::now();
        let r = client
            .post(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/vnd.catchcert.bundle+cbor",
            )
            .body(bundle.clone())
            .send()
            .await?;
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        times.push(t.elapsed());
        check_verdict("verify", status, &body, n)?;
    }
    println!("verify (bundle POST), {v}: {}", summary(&mut times));
    Ok(())
}

/// The answer is 200 with a valid verdict over all `n` certificates.
fn check_verdict(what: &str, status: u16, body: &[u8], n: usize) -> Result<(), Error> {
    if status != 200 {
        return Err(format!(
            "{what}: answered {status}: {}",
            String::from_utf8_lossy(body)
        )
        .into());
    }
    let v: serde_json::Value = serde_json::from_slice(body)?;
    let integrity = v.get("integrity").and_then(|x| x.as_str());
    let count = v.get("certificates").and_then(|x| x.as_u64());
    if integrity != Some("valid") || count != Some(n as u64) {
        return Err(format!(
            "{what}: verdict integrity {integrity:?} over {count:?} certificates, \
             expected valid over {n}"
        )
        .into());
    }
    Ok(())
}

/// Print the server's verdict cache counters.
async fn cache_metrics(client: &reqwest::Client, base: &str) -> Result<(), Error> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    for line in text.lines() {
        if line.starts_with("catchcert_verdict_cache_total") {
            println!("metrics: {line}");
        }
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Mean and nearest-rank p50/p95/p99/max.
fn summary(xs: &mut [Duration]) -> String {
    if xs.is_empty() {
        return "none".into();
    }
    xs.sort_unstable();
    let pick = |q: f64| {
        let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
        xs[rank - 1]
    };
    let mean = xs.iter().sum::<Duration>() / xs.len() as u32;
    format!(
        "mean {} p50 {} p95 {} p99 {} max {}",
        ms(mean),
        ms(pick(0.50)),
        ms(pick(0.95)),
        ms(pick(0.99)),
        ms(xs[xs.len() - 1])
    )
}

/// `load floor DB_URL DIR [B]`: the raw insert floor (see the crate documentation above).
mod floor {
    use super::{Cert, Error, dependency_order, read_set};
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::time::Instant;

    /// The issuer columns: the floor does not validate issuer paths, so every row gets this
    /// subject (of a typical length) and a zero key.
    const SUBJECT: &str = "CN=Raw Insert Floor,O=catchcert load,C=NO";

    /// The rows the store writes for one certificate.
    struct Rows {
        id: [u8; 32],
        bytes: Vec<u8>,
        kind: &'static str,
        time: i64,
        issued_at: i64,
        outputs: Vec<(String, i64)>,
        inputs: Vec<([u8; 32], String, i64)>,
        attestations: Vec<[u8; 32]>,
    }

    fn rows_of(c: &Cert) -> Rows {
        let p = &c.payload;
        let q = |g: u64| i64::try_from(g).unwrap_or(i64::MAX);
        let mut attestations: Vec<[u8; 32]> = p.attestations().iter().map(|a| a.0).collect();
        attestations.sort_unstable();
        attestations.dedup();
        Rows {
            id: c.id.0,
            bytes: c.bytes.clone(),
            kind: p.kind().as_str(),
            time: p.time().0,
            issued_at: p.issued_at().0,
            outputs: p
                .outputs()
                .iter()
                .map(|o| (o.lot.clone(), q(o.quantity.0)))
                .collect(),
            inputs: p
                .inputs()
                .iter()
                .map(|i| (i.certificate.0, i.lot.clone(), q(i.quantity.0)))
                .collect(),
            attestations,
        }
    }

    pub async fn run(args: &[String]) -> Result<(), Error> {
        if args.len() < 2 || args.len() > 3 {
            return Err("usage: load floor DB_URL DIR [B]".into());
        }
        let url = &args[0];
        let dir = PathBuf::from(&args[1]);
        let b: usize = match args.get(2) {
            Some(s) => s.parse().map_err(|e| format!("B: {e}"))?,
            None => 256,
        };
        if !(1..=4096).contains(&b) {
            return Err("B: must be 1 to 4096".into());
        }
        let certs = super::within_limit(read_set(&dir)?)?;
        let order = dependency_order(&certs);
        if order.len() != certs.len() {
            return Err("the set names certificates in a cycle".into());
        }
        let rows: Vec<Rows> = order.iter().map(|&i| rows_of(&certs[i])).collect();
        // The schema, by the store's own migrations.
        drop(catchcert_store::Store::open(url).await?);
        let started = Instant::now();
        let txs = match url.strip_prefix("sqlite://") {
            Some(path) => sqlite(path, &rows, b)?,
            None => postgres(url, &rows, b).await?,
        };
        let wall = started.elapsed();
        println!(
            "floor: {} certificates in {txs} transactions of at most {b} in {:.3} s: \
             {:.1} certificates/s, {:.1} µs per certificate",
            rows.len(),
            wall.as_secs_f64(),
            rows.len() as f64 / wall.as_secs_f64(),
            wall.as_secs_f64() * 1e6 / rows.len() as f64
        );
        Ok(())
    }

    fn sqlite(path: &str, rows: &[Rows], b: usize) -> Result<usize, Error> {
        let mut conn = rusqlite::Connection::open(path)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("{path}: not in WAL mode ({mode})").into());
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut idx: i64 = 0;
        let mut txs = 0;
        for chunk in rows.chunks(b) {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            for r in chunk {
                let id = &r.id[..];
                tx.prepare_cached(
                    "INSERT INTO certificates \
                     (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(rusqlite::params![
                    id,
                    &r.bytes,
                    r.kind,
                    r.time,
                    r.issued_at,
                    SUBJECT,
                    &[0u8; 32][..]
                ])?;
                // The log names the certificate by its row number (migration 0006).
                let seq = tx.last_insert_rowid();
                for (lot, q) in &r.outputs {
                    tx.prepare_cached(
                        "INSERT INTO lot_outputs (certificate, lot, quantity) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(rusqlite::params![id, lot, q])?;
                }
                for (pos, (src, lot, q)) in r.inputs.iter().enumerate() {
                    tx.prepare_cached(
                        "UPDATE lot_outputs SET consumed = consumed + ?3 \
                         WHERE certificate = ?1 AND lot = ?2",
                    )?
                    .execute(rusqlite::params![&src[..], lot, q])?;
                    tx.prepare_cached(
                        "INSERT INTO lot_inputs \
                         (certificate_seq, position, source, lot, quantity) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(rusqlite::params![
                        seq,
                        pos as i64,
                        &src[..],
                        lot,
                        q
                    ])?;
                }
                for a in &r.attestations {
                    tx.prepare_cached(
                        "INSERT INTO attestation_refs (certificate_seq, attestation) \
                         VALUES (?1, ?2)",
                    )?
                    .execute(rusqlite::params![seq, &a[..]])?;
                }
                tx.prepare_cached(
                    "INSERT INTO log_entries (idx, certificate_seq) VALUES (?1, ?2)",
                )?
                .execute(rusqlite::params![idx, seq])?;
                idx += 1;
            }
            tx.commit()?;
            txs += 1;
        }
        Ok(txs)
    }

    async fn postgres(url: &str, rows: &[Rows], b: usize) -> Result<usize, Error> {
        let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        let mut idx: i64 = 0;
        let mut txs = 0;
        for chunk in rows.chunks(b) {
            let tx = client.transaction().await?;
            let ids: Vec<&[u8]> = chunk.iter().map(|r| &r.id[..]).collect();
            let bytes: Vec<&[u8]> = chunk.iter().map(|r| &r.bytes[..]).collect();
            let kinds: Vec<&str> = chunk.iter().map(|r| r.kind).collect();
            let times: Vec<i64> = chunk.iter().map(|r| r.time).collect();
            let issued: Vec<i64> = chunk.iter().map(|r| r.issued_at).collect();
            let subjects: Vec<&str> = chunk.iter().map(|_| SUBJECT).collect();
            let keys: Vec<&[u8]> = chunk.iter().map(|_| &[0u8; 32][..]).collect();
            tx.execute(
                "INSERT INTO certificates \
                 (id, bytes, kind, time, issued_at, issuer_subject, issuer_key) \
                 SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::text[], $4::int8[], \
                   $5::int8[], $6::text[], $7::bytea[])",
                &[&ids, &bytes, &kinds, &times, &issued, &subjects, &keys],
            )
            .await?;
            let (mut oc, mut ol, mut oq) = (Vec::<&[u8]>::new(), Vec::<&str>::new(), Vec::new());
            let mut used: BTreeMap<(&[u8], &str), i64> = BTreeMap::new();
            let (mut ic, mut ip, mut is, mut il, mut iq) = (
                Vec::<&[u8]>::new(),
                Vec::<i32>::new(),
                Vec::<&[u8]>::new(),
                Vec::<&str>::new(),
                Vec::<i64>::new(),
            );
            let (mut ac, mut aa) = (Vec::<&[u8]>::new(), Vec::<&[u8]>::new());
            let (mut li, mut lc) = (Vec::<i64>::new(), Vec::<&[u8]>::new());
            for r in chunk {
                for (lot, q) in &r.outputs {
                    oc.push(&r.id);
                    ol.push(lot);
                    oq.push(*q);
                }
                for (pos, (src, lot, q)) in r.inputs.iter().enumerate() {
                    *used.entry((&src[..], lot.as_str())).or_default() += q;
                    ic.push(&r.id);
                    ip.push(i32::try_from(pos)?);
                    is.push(src);
                    il.push(lot);
                    iq.push(*q);
                }
                for a in &r.attestations {
                    ac.push(&r.id);
                    aa.push(a);
                }
                li.push(idx);
                lc.push(&r.id);
                idx += 1;
            }
            tx.execute(
                "INSERT INTO lot_outputs (certificate, lot, quantity) \
                 SELECT * FROM unnest($1::bytea[], $2::text[], $3::int8[])",
                &[&oc, &ol, &oq],
            )
            .await?;
            let (uk, ua): (Vec<_>, Vec<i64>) = used.into_iter().unzip();
            let (uc, ul): (Vec<&[u8]>, Vec<&str>) = uk.into_iter().unzip();
            tx.execute(
                "UPDATE lot_outputs o SET consumed = o.consumed + u.a \
                 FROM unnest($1::bytea[], $2::text[], $3::int8[]) AS u(c, l, a) \
                 WHERE o.certificate = u.c AND o.lot = u.l",
                &[&uc, &ul, &ua],
            )
            .await?;
            tx.execute(
                "INSERT INTO lot_inputs (certificate_seq, position, source, lot, quantity) \
                 SELECT c.seq, n.p, n.s, n.l, n.q FROM unnest($1::bytea[], $2::int4[], \
                   $3::bytea[], $4::text[], $5::int8[]) AS n(i, p, s, l, q) \
                 JOIN certificates c ON c.id = n.i",
                &[&ic, &ip, &is, &il, &iq],
            )
            .await?;
            tx.execute(
                "INSERT INTO attestation_refs (certificate_seq, attestation) \
                 SELECT c.seq, n.a FROM unnest($1::bytea[], $2::bytea[]) AS n(i, a) \
                 JOIN certificates c ON c.id = n.i",
                &[&ac, &aa],
            )
            .await?;
            tx.execute(
                "INSERT INTO log_entries (idx, certificate_seq) \
                 SELECT n.x, c.seq FROM unnest($1::int8[], $2::bytea[]) AS n(x, i) \
                 JOIN certificates c ON c.id = n.i",
                &[&li, &lc],
            )
            .await?;
            tx.execute("UPDATE log_head SET size = $1 WHERE one", &[&idx])
                .await?;
            tx.commit().await?;
            txs += 1;
        }
        Ok(txs)
    }
}

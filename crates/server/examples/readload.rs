//! Read load on the cached lot verdict, with its floor measured in the same run
//! (docs/performance.md "Cached lot verdict").
//!
//! ```text
//! cargo run --release -p catchcert-server --example readload
//! cargo run --release -p catchcert-server --example readload -- --seconds 5 --connections 64 --large 10000
//! cargo run --release -p catchcert-server --example readload -- --wrk     # load from wrk(1)
//! ```
//!
//! One process, loopback only: it generates the demo chain (13 certificates) and a graph of
//! `--large` certificates (default 10 000) under one programme root, stores both through
//! the server's ingest path in a temporary SQLite database, serves that database on
//! `127.0.0.1:0` exactly as `catchcert serve` does (same router, same middleware, logging at
//! `info` to stderr; only the setup's "stored" lines are left out), and a bare axum
//! handler beside it. After one uncached request per lot
//! it loads, each for `--seconds` (default 5, at most 60) with `--connections` keep-alive
//! connections (default 64, at most 1024):
//!
//! 1. the bare axum handler (the floor: HTTP on this machine, nothing else);
//! 2. `GET /healthz`;
//! 3. `GET /v1/lots/{demo lot}/verification` (13 certificates, cached);
//! 4. `GET /v1/lots/{large lot}/verification` (`--large` certificates, cached);
//!
//! and prints requests per second, p50 and p99 latency and the ratio of each to the floor.
//! Every answer must be 200 with the expected body size, or the run stops. The load comes
//! from a small HTTP/1.1 client in this process (one task per connection, on its own
//! runtime of two threads), or with `--wrk` from `wrk -t2 --latency` (which must be on the
//! PATH). Client and server share the machine's cores, as they would with wrk: compare
//! the ratios to the floor rather than the absolute figures across machines.

/// The allocator of the `catchcert` binary, so that the in-process server is measured as
/// `catchcert serve` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use axum::Router;
use axum::routing::get;
use catchcert_model::Payload;
use catchcert_server::{AppState, accept};
use catchcert_store::{NewCertificate, Store};
use catchcert_verify::path::{PathValidator, TrustAnchors};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Most samples kept per target.
const MAX_SAMPLES: usize = 20_000_000;

struct Args {
    seconds: u64,
    connections: usize,
    large: usize,
    wrk: bool,
}

fn args() -> Result<Args, Error> {
    let mut a = Args {
        seconds: 5,
        connections: 64,
        large: 10_000,
        wrk: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag}: value missing"));
        match flag.as_str() {
            "--seconds" => a.seconds = value()?.parse()?,
            "--connections" => a.connections = value()?.parse()?,
            "--large" => a.large = value()?.parse()?,
            "--wrk" => a.wrk = true,
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: readload [--seconds S] \
                     [--connections C] [--large N] [--wrk]"
                )
                .into());
            }
        }
    }
    if !(1..=60).contains(&a.seconds) {
        return Err("--seconds: 1 to 60".into());
    }
    if !(1..=1024).contains(&a.connections) {
        return Err("--connections: 1 to 1024".into());
    }
    if !(1..=catchcert_model::bundle::MAX_CERTIFICATES).contains(&a.large) {
        return Err("--large: 1 to the bundle limit".into());
    }
    Ok(a)
}

fn main() -> Result<(), Error> {
    let args = args()?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,catchcert_server::accept=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    let dir = std::env::temp_dir().join(format!("catchcert-readload-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&args, &dir, &server_rt, &client_rt);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

struct Target {
    name: String,
    url: String,
    body_len: usize,
    /// Send `If-None-Match` with the tag of the first answer (expect 304).
    revalidate: bool,
    etag: Option<String>,
}

fn run(
    args: &Args,
    dir: &std::path::Path,
    server_rt: &tokio::runtime::Runtime,
    client_rt: &tokio::runtime::Runtime,
) -> Result<(), Error> {
    let t = Instant::now();
    let p = catchcert_demo::Programme::new()?;
    let demo = catchcert_demo::demo_chain(&p)?;
    let large = catchcert_testkit::large_set::generate(&p, args.large)?;
    let demo_certs = demo.bytes();
    let large_certs = large.bytes();
    let demo_lot = first_lot(&demo_certs, demo.loins_head())?;
    let large_lot = first_lot(&large_certs, large.head)?;
    eprintln!(
        "generated {} + {} certificates in {:.1} s",
        demo_certs.len(),
        large_certs.len(),
        t.elapsed().as_secs_f64()
    );

    let db: PathBuf = dir.join("read.db");
    let (base, stop) = server_rt.block_on(async {
        let store = Store::open(&format!("sqlite://{}", db.display())).await?;
        let anchors = TrustAnchors::from_pem(&p.root_pem)?;
        let state = AppState::new(store, anchors);
        let t = Instant::now();
        for bytes in &demo_certs {
            accept::ingest_certificate(&state, bytes)
                .await
                .map_err(|e| format!("ingest: {e}"))?;
        }
        // The generated graph goes straight into the store (its issuers' bindings are not
        // those the server's ingest demands; the verdict reports what it finds).
        let mut validator = PathValidator::new(state.anchors().clone());
        for bytes in &large_certs {
            state.store().insert(stored(&mut validator, bytes)?).await?;
        }
        eprintln!(
            "stored {} certificates in {:.1} s",
            demo_certs.len() + large_certs.len(),
            t.elapsed().as_secs_f64()
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(catchcert_server::serve_on(listener, state, async move {
            let _ = rx.await;
        }));
        Ok::<_, Error>((base, tx))
    })?;
    let bare = server_rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let app = Router::new().route("/", get(|| async { "ok" }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok::<_, Error>(base)
    })?;

    let lot_url = |lot: &str| format!("{base}/v1/lots/{}/verification", encode_segment(lot));
    let mut targets = vec![
        Target {
            name: "bare axum handler (floor)".into(),
            url: format!("{bare}/"),
            body_len: 0,
            revalidate: false,
            etag: None,
        },
        Target {
            name: "GET /healthz".into(),
            url: format!("{base}/healthz"),
            body_len: 0,
            revalidate: false,
            etag: None,
        },
        Target {
            name: format!("cached lot verdict, {} certificates", demo_certs.len()),
            url: lot_url(&demo_lot),
            body_len: 0,
            revalidate: false,
            etag: None,
        },
        Target {
            name: format!("cached lot verdict, {} certificates", large_certs.len()),
            url: lot_url(&large_lot),
            body_len: 0,
            revalidate: false,
            etag: None,
        },
        Target {
            name: format!(
                "same, If-None-Match (304), {} certificates",
                large_certs.len()
            ),
            url: lot_url(&large_lot),
            body_len: 0,
            revalidate: true,
            etag: None,
        },
    ];
    // One request each: the verdicts are computed (uncached) and every body size is known.
    client_rt.block_on(async {
        for t in &mut targets {
            let started = Instant::now();
            let mut c = Conn::open(&t.url, None).await?;
            let (status, len) = c.get().await?;
            if status != 200 {
                return Err(format!("{}: status {status}", t.url).into());
            }
            if t.revalidate {
                let tag = c.etag.clone().ok_or("no ETag")?;
                let (status, _) = Conn::open(&t.url, Some(&tag)).await?.get().await?;
                if status != 304 {
                    return Err(format!("{}: If-None-Match answered {status}", t.url).into());
                }
                t.etag = Some(tag);
            } else {
                t.body_len = len;
            }
            eprintln!(
                "first GET {} : {len} bytes in {:.1} ms",
                t.url,
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        Ok::<_, Error>(())
    })?;

    println!(
        "{:<48} {:>9} {:>11} {:>9} {:>9} {:>9}",
        "target", "body B", "requests/s", "p50 ms", "p99 ms", "vs floor"
    );
    let mut floor = None;
    for t in &targets {
        let r = if args.wrk {
            wrk(t, args)?
        } else {
            client_rt.block_on(load(t, args))?
        };
        let f = *floor.get_or_insert(r.rps);
        println!(
            "{:<48} {:>9} {:>11.0} {:>9.3} {:>9.3} {:>8.2}×",
            t.name,
            t.body_len,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.rps / f
        );
    }
    let metrics = client_rt.block_on(async {
        let (_, body) = get_body(&format!("{base}/metrics")).await?;
        Ok::<_, Error>(body)
    })?;
    for line in metrics.lines() {
        if line.starts_with("catchcert_verdict_cache_total") {
            eprintln!("{line}");
        }
    }
    let _ = stop.send(());
    Ok(())
}

/// What the store keeps of a certificate whose issuer path is valid (the ingest's own
/// decoding and index).
fn stored(v: &mut PathValidator, bytes: &[u8]) -> Result<NewCertificate, Error> {
    let d = catchcert_server::ingest::decode(bytes).map_err(|e| e.to_string())?;
    let issuer = v.validate(&d.sign1.x5chain, &[], d.payload.issued_at())?;
    Ok(catchcert_server::ingest::new_certificate(
        bytes.to_vec(),
        &d,
        &issuer,
    ))
}

/// The first lot the head outputs.
fn first_lot(certs: &[Vec<u8>], head: catchcert_model::CertId) -> Result<String, Error> {
    for b in certs {
        if catchcert_model::CertId::of_cose(b) == head {
            let (_, p): (_, Payload) = catchcert_verify::cose::decode_certificate(b)?;
            return p
                .outputs()
                .first()
                .map(|o| o.lot.clone())
                .ok_or_else(|| "the head outputs no lot".into());
        }
    }
    Err("the head is not in the set".into())
}

fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `http://host:port/path` → (host:port, /path).
fn split(url: &str) -> Result<(String, String), Error> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let i = rest.find('/').unwrap_or(rest.len());
    let path = if i == rest.len() { "/" } else { &rest[i..] };
    Ok((rest[..i].to_string(), path.to_string()))
}

/// One keep-alive connection.
struct Conn {
    io: BufReader<TcpStream>,
    request: Vec<u8>,
    line: String,
    body: Vec<u8>,
    etag: Option<String>,
}

impl Conn {
    async fn open(url: &str, if_none_match: Option<&str>) -> Result<Conn, Error> {
        let (addr, path) = split(url)?;
        let tcp = TcpStream::connect(&addr).await?;
        tcp.set_nodelay(true)?;
        let inm = if_none_match.map_or(String::new(), |t| format!("If-None-Match: {t}\r\n"));
        Ok(Conn {
            io: BufReader::new(tcp),
            request: format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{inm}\r\n").into_bytes(),
            line: String::new(),
            body: Vec::new(),
            etag: None,
        })
    }

    /// Send the request, read the answer: (status, body length).
    async fn get(&mut self) -> Result<(u16, usize), Error> {
        self.io.get_mut().write_all(&self.request).await?;
        self.line.clear();
        self.io.read_line(&mut self.line).await?;
        let status: u16 = self
            .line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {:?}", self.line))?;
        let mut len = None;
        loop {
            self.line.clear();
            if self.io.read_line(&mut self.line).await? == 0 {
                return Err("connection closed".into());
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = Some(v.trim().parse::<usize>()?);
                } else if k.eq_ignore_ascii_case("etag") {
                    self.etag = Some(v.trim().to_string());
                }
            }
        }
        let len = if status == 304 {
            len.unwrap_or(0)
        } else {
            len.ok_or("no content-length")?
        };
        self.body.resize(len, 0);
        self.io.read_exact(&mut self.body).await?;
        Ok((status, len))
    }
}

async fn get_body(url: &str) -> Result<(u16, String), Error> {
    let mut c = Conn::open(url, None).await?;
    let (status, _) = c.get().await?;
    Ok((status, String::from_utf8_lossy(&c.body).into_owned()))
}

async fn load(t: &Target, args: &Args) -> Result<Figures, Error> {
    let warmup = Duration::from_millis(500);
    let run = Duration::from_secs(args.seconds);
    let start = Instant::now() + warmup;
    let end = start + run;
    let per_conn = MAX_SAMPLES / args.connections;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.connections {
        let url = t.url.clone();
        let expect = t.body_len;
        let (want, tag) = if t.revalidate {
            (304, t.etag.clone())
        } else {
            (200, None)
        };
        tasks.spawn(async move {
            let mut c = Conn::open(&url, tag.as_deref()).await?;
            let mut samples: Vec<u32> = Vec::with_capacity(1 << 16);
            loop {
                let sent = Instant::now();
                if sent >= end || samples.len() >= per_conn {
                    break;
                }
                let (status, len) = c.get().await?;
                if status != want || len != expect {
                    return Err::<Vec<u32>, Error>(
                        format!("{url}: status {status}, {len} bytes (expected {want}, {expect})")
                            .into(),
                    );
                }
                if sent >= start {
                    let us = sent.elapsed().as_micros();
                    samples.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            Ok(samples)
        });
    }
    let mut all = Vec::new();
    while let Some(r) = tasks.join_next().await {
        all.extend(r??);
    }
    if all.is_empty() {
        return Err(format!("{}: no answers", t.url).into());
    }
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    Ok(Figures {
        rps: all.len() as f64 / run.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}

/// Run `wrk -t2 -cC -dS --latency [-H If-None-Match:…] URL` and read its figures (a 304
/// counts as non-2xx in wrk's summary, so revalidation is checked by the status only).
fn wrk(t: &Target, args: &Args) -> Result<Figures, Error> {
    let url = t.url.as_str();
    let mut cmd = std::process::Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{}", args.connections),
        &format!("-d{}s", args.seconds),
        "--latency",
    ]);
    if let Some(tag) = &t.etag {
        cmd.args(["-H", &format!("If-None-Match: {tag}")]);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e} (is it installed?)"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let non_2xx_ok = t.revalidate;
    if !out.status.success()
        || (text.contains("Non-2xx") && !non_2xx_ok)
        || text.contains("Socket errors")
    {
        return Err(format!("wrk on {url} did not answer cleanly:\n{text}").into());
    }
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
            .ok_or_else(|| format!("wrk output has no {prefix:?}:\n{text}"))
    };
    Ok(Figures {
        rps: field("Requests/sec:")?.parse()?,
        p50_ms: duration_ms(&field("50%")?)?,
        p99_ms: duration_ms(&field("99%")?)?,
    })
}

/// wrk's `123.45us` / `1.23ms` / `1.20s` in milliseconds.
fn duration_ms(s: &str) -> Result<f64, Error> {
    let (n, scale) = if let Some(n) = s.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1e3)
    } else {
        return Err(format!("wrk duration {s:?}").into());
    };
    Ok(n.parse::<f64>()? * scale)
}

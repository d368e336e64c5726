//! `catchcert serve [--db URL] --trust ROOTS.pem [--listen ADDR]`: the HTTP verifier
//! service (contract §5), until SIGTERM or Ctrl-C.

use crate::error::{CliError, CmdResult, EXIT_OK};
use catchcert_demo::{DemoChain, LOINS_LOT, Programme, STEAKS_LOT, demo_chain};
use catchcert_server::{AppState, Config, DEFAULT_LISTEN, ServeOptions};
use catchcert_store::Store;
use catchcert_verify::path::TrustAnchors;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "Examples:\n  \
catchcert serve --demo\n  \
# loads the demo supply chain into catchcert.db and trusts its root: try\n  \
# curl http://127.0.0.1:8080/v1/lots/FM-LOINS-2026-0412/verification\n\n  \
catchcert serve --trust root.pem\n  \
# SQLite file catchcert.db in the working directory, http://127.0.0.1:8080\n\n  \
CATCHCERT_DB=postgres://catchcert@db.internal/catchcert catchcert serve --trust root.pem --listen 0.0.0.0:8080\n  \
# one of several instances sharing one PostgreSQL database\n\n  \
curl --data-binary @landing.cose -H 'Content-Type: application/cose' http://127.0.0.1:8080/v1/certificates\n\n\
Logs go to stderr; RUST_LOG sets the level (default: info). Stops on SIGTERM or Ctrl-C after \
finishing the requests in flight. Routes and errors: docs/api.md; running several instances: \
docs/deployment.md.")]
pub struct Args {
    /// Database: `sqlite://PATH` (a file, created if missing) or `postgres://USER@HOST/DB`.
    /// Prefer the environment variable to keep a password out of the process list.
    #[arg(
        long,
        value_name = "URL",
        env = "CATCHCERT_DB",
        default_value = "sqlite://catchcert.db",
        hide_env_values = true
    )]
    pub db: String,
    /// Trusted programme root certificates (PEM). Required unless --demo is given.
    #[arg(long, value_name = "ROOTS.pem", required_unless_present = "demo")]
    pub trust: Option<PathBuf>,
    /// Load the demo supply chain (16 certificates) through the normal ingest checks before
    /// serving, trust the demo programme's root (besides any --trust roots), and write
    /// that root to catchcert-demo-root.pem for offline `catchcert verify`.
    #[arg(long)]
    pub demo: bool,
    /// Address and port to listen on (port 0: any free port; the log names it).
    #[arg(long, value_name = "ADDR:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Longest a request may take, body upload included, before it is answered 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// Load this watch list (`watchlist` certificate, .cose) at start, through the same
    /// checks as a posted certificate (repeatable). Every lot verdict screens against every
    /// stored list.
    #[arg(long, value_name = "LIST.cose")]
    pub watchlist: Vec<PathBuf>,
    /// Run the transparency log: every stored certificate becomes a log entry, checkpoints
    /// are signed with this Ed25519 key (PEM, as `keygen` writes) and served with tiles and
    /// proofs (docs/transparency.md). With --demo and no --log-key, the demo log key.
    #[arg(long, value_name = "LOG.key")]
    pub log_key: Option<PathBuf>,
    /// The log's origin (first line of its checkpoints and name of its key).
    #[arg(long, value_name = "NAME", default_value = catchcert_server::log::DEFAULT_ORIGIN)]
    pub log_origin: String,
    /// A witness of the log (repeatable): `URL=W.pub`, the witness's submission URL
    /// (`http://host:port`, `/add-checkpoint` is added) and its public key file (PEM, as
    /// `keygen` writes). Each new checkpoint is sent to it (C2SP tlog-witness); its
    /// cosignatures that verify with W.pub are served with the checkpoint and in bundles.
    /// A witness that fails never blocks ingest: it is retried with the next checkpoint.
    #[arg(long, value_name = "URL=W.pub")]
    pub witness: Vec<String>,
}

/// Where `serve --demo` writes the demo log's note verifier key.
pub const DEMO_LOG_VKEY_FILE: &str = "catchcert-demo-log.vkey";
/// Where `serve --demo` writes the demo log's public key (PEM).
pub const DEMO_LOG_PUB_FILE: &str = "catchcert-demo-log.pub";

/// The log of `serve`: from --log-key, or the demo log key with --demo.
fn log_config(a: &Args) -> Result<Option<catchcert_server::log::LogConfig>, CliError> {
    let key = match (&a.log_key, a.demo) {
        (Some(p), _) => {
            let pem = crate::files::read_private_key(p)?;
            catchcert_sign::keys::read_private(&pem)
                .map_err(|e| CliError::other(format!("{}: {e}", p.display())))?
        }
        (None, true) => catchcert_demo::seeded_key("log"),
        (None, false) => return Ok(None),
    };
    let log = catchcert_server::log::LogConfig::new(a.log_origin.clone(), key);
    if a.demo && a.log_key.is_none() {
        let public = catchcert_sign::keys::public_pem(&log.key.verifying_key())
            .map_err(|e| CliError::other(format!("demo log key: {e}")))?;
        crate::files::write_atomic(
            std::path::Path::new(DEMO_LOG_PUB_FILE),
            public.as_bytes(),
            true,
            false,
        )?;
        crate::files::write_atomic(
            std::path::Path::new(DEMO_LOG_VKEY_FILE),
            format!("{}\n", log.vkey()).as_bytes(),
            true,
            false,
        )?;
        eprintln!(
            "demo: transparency log {} (public key {DEMO_LOG_PUB_FILE}, vkey {DEMO_LOG_VKEY_FILE}: {})",
            log.origin,
            log.vkey()
        );
    }
    Ok(Some(log))
}

/// The witnesses of `--witness URL=W.pub` (the last `=` separates the key file).
fn witness_peers(
    a: &Args,
    log_on: bool,
) -> Result<Vec<catchcert_server::witness::WitnessPeer>, CliError> {
    if !a.witness.is_empty() && !log_on {
        return Err(CliError::usage(
            "--witness needs the transparency log (--log-key or --demo)",
        ));
    }
    let mut peers = Vec::new();
    for spec in &a.witness {
        let Some((url, file)) = spec.rsplit_once('=') else {
            return Err(CliError::usage(format!(
                "--witness {spec}: expected URL=W.pub"
            )));
        };
        // The HTTP client is built without TLS: an https witness is reached through a
        // local TLS proxy (docs/transparency.md).
        if !url.starts_with("http://") {
            return Err(CliError::usage(format!(
                "--witness {spec}: the URL must start with http:// (reach an https witness \
                 through a local TLS proxy)"
            )));
        }
        let path = std::path::Path::new(file);
        let key = catchcert_sign::keys::read_public_or_private(&crate::files::read_text(path)?)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        peers.push(catchcert_server::witness::WitnessPeer::new(url, key));
    }
    Ok(peers)
}

/// Run `serve`.
pub fn run(a: Args) -> CmdResult {
    let mut pem = match &a.trust {
        Some(t) => std::fs::read_to_string(t)
            .map_err(|e| CliError::other(format!("{}: {e}", t.display())))?,
        None => String::new(),
    };
    let demo = if a.demo {
        let p = Programme::new().map_err(CliError::other)?;
        let chain = demo_chain(&p).map_err(CliError::other)?;
        let root_file = std::path::Path::new(DEMO_ROOT_FILE);
        if !root_file.exists() {
            crate::files::write_atomic(root_file, p.root_pem.as_bytes(), false, false)?;
        }
        pem.push('\n');
        pem.push_str(&p.root_pem);
        Some(chain)
    } else {
        None
    };
    let trust_name = a
        .trust
        .as_ref()
        .map(|t| t.display().to_string())
        .unwrap_or_else(|| "the demo root".into());
    let anchors =
        TrustAnchors::from_pem(&pem).map_err(|e| CliError::other(format!("{trust_name}: {e}")))?;
    let mut lists = Vec::new();
    for (path, bytes) in a
        .watchlist
        .iter()
        .zip(crate::files::read_watchlists(&a.watchlist)?)
    {
        match catchcert_verify::cose::decode_certificate(&bytes) {
            Ok((_, p)) if p.watchlist().is_some() => lists.push((path.clone(), bytes)),
            Ok((_, p)) => {
                return Err(CliError::usage(format!(
                    "{}: a {} is not a watch list (--watchlist)",
                    path.display(),
                    p.kind()
                )));
            }
            Err(e) => {
                return Err(CliError::other(format!("{}: {e}", path.display())));
            }
        }
    }
    init_logging();
    let log = log_config(&a)?;
    let witnesses = witness_peers(&a, log.is_some())?;
    let opts = ServeOptions {
        log,
        witnesses,
        db: a.db,
        anchors,
        listen: a.listen,
        config: Config {
            request_timeout: Duration::from_secs(a.request_timeout),
            ..Config::default()
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(serve(opts, demo, lists))
        .map_err(|e| CliError::other(format!("serve: {e:#}")))?;
    Ok(EXIT_OK)
}

/// Where `serve --demo` writes the demo root (for offline `catchcert verify`).
pub const DEMO_ROOT_FILE: &str = "catchcert-demo-root.pem";

async fn serve(
    opts: ServeOptions,
    demo: Option<DemoChain>,
    lists: Vec<(PathBuf, Vec<u8>)>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if demo.is_none() && lists.is_empty() {
        return catchcert_server::serve(opts).await;
    }
    let store = Store::open(&opts.db)
        .await
        .context("opening the database")?;
    let mut state = AppState::with_config(store, opts.anchors, opts.config);
    if let Some(log) = opts.log {
        state = catchcert_server::start_log(state, log, opts.witnesses);
    }
    for (path, bytes) in &lists {
        match catchcert_server::accept::ingest_certificate(&state, bytes).await {
            Ok((_, id)) => eprintln!("watch list {} loaded: {id}", path.display()),
            Err(e) => anyhow::bail!("loading the watch list {}: {e}", path.display()),
        }
    }
    let Some(chain) = demo else {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .with_context(|| format!("binding {}", opts.listen))?;
        catchcert_server::serve_on(listener, state, catchcert_server::shutdown_signal()).await?;
        return Ok(());
    };
    let mut created = 0;
    for c in &chain.certs {
        match catchcert_server::accept::ingest_certificate(&state, &c.bytes).await {
            Ok((catchcert_store::Inserted::Created, _)) => created += 1,
            Ok(_) => {}
            Err(e) => anyhow::bail!("loading the demo certificate {}: {e}", c.name),
        }
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("binding {}", opts.listen))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "demo: {} certificates stored ({created} new); a retailer asks:\n  \
curl -s http://{addr}/v1/lots/{LOINS_LOT}/verification\n  \
curl -s http://{addr}/v1/lots/{STEAKS_LOT}/verification\n  \
curl -s -o loins.bundle http://{addr}/v1/lots/{LOINS_LOT}/bundle && \
catchcert verify loins.bundle --trust {DEMO_ROOT_FILE}",
        chain.certs.len()
    );
    catchcert_server::serve_on(listener, state, catchcert_server::shutdown_signal()).await?;
    Ok(())
}

/// Log to stderr, level from `RUST_LOG` (default `info`), colours only on a terminal and
/// without `NO_COLOR`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

//! `catchcert serve [--db URL] --trust ROOTS.pem [--listen ADDR]`: the HTTP verifier
//! service (contract §5), until SIGTERM or Ctrl-C.

use crate::error::{CliError, CmdResult, EXIT_OK};
use catchcert_server::{Config, DEFAULT_LISTEN, ServeOptions};
use catchcert_verify::path::TrustAnchors;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "Examples:\n  \
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
    /// Trusted programme root certificates (PEM).
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: PathBuf,
    /// Address and port to listen on (port 0: any free port; the log names it).
    #[arg(long, value_name = "ADDR:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Longest a request may take, body upload included, before it is answered 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
}

/// Run `serve`.
pub fn run(a: Args) -> CmdResult {
    let pem = std::fs::read_to_string(&a.trust)
        .map_err(|e| CliError::other(format!("{}: {e}", a.trust.display())))?;
    let anchors = TrustAnchors::from_pem(&pem)
        .map_err(|e| CliError::other(format!("{}: {e}", a.trust.display())))?;
    init_logging();
    let opts = ServeOptions {
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
        .block_on(catchcert_server::serve(opts))
        .map_err(|e| CliError::other(format!("serve: {e:#}")))?;
    Ok(EXIT_OK)
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

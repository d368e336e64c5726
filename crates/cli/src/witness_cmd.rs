//! `catchcert witness serve --key W.key --log LOG.pub --log-origin NAME --state DIR --listen
//! ADDR`: a C2SP tlog-witness for one log (contract §6; docs/transparency.md).

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_sign::keys;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// `witness` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum WitnessCommand {
    /// Cosign the log's checkpoints that extend the last one this witness cosigned
    /// (C2SP tlog-witness: POST /add-checkpoint).
    Serve(ServeArgs),
}

/// Arguments of `witness serve`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "Example:\n  \
catchcert witness serve --key witness.key --log log.pub --log-origin example.org/catchcert \\\n    \
--state witness-state --listen 127.0.0.1:7380\n\n\
Answers 200 with the cosignature line; 409 (body: the size last cosigned) when `old` is not \
that size; 422 when the consistency proof fails or a same-size checkpoint has another root; \
403 when the log key did not sign; 404 for another origin; 400 for a malformed request. \
Formats: docs/transparency.md.")]
pub struct ServeArgs {
    /// The witness's Ed25519 private key (PKCS#8 PEM).
    #[arg(long, value_name = "W.key")]
    pub key: PathBuf,
    /// The log's public key (SPKI PEM).
    #[arg(long, value_name = "LOG.pub")]
    pub log: PathBuf,
    /// The log's origin (its checkpoints' first line and its key name).
    #[arg(long, value_name = "NAME")]
    pub log_origin: String,
    /// The witness's name in its cosignature lines.
    #[arg(long, value_name = "NAME", default_value = "catchcert-witness")]
    pub name: String,
    /// Directory for the last cosigned checkpoint (created if missing).
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7380")]
    pub listen: SocketAddr,
}

/// Run a `witness` subcommand.
pub fn run(c: WitnessCommand) -> CmdResult {
    match c {
        WitnessCommand::Serve(a) => serve(a),
    }
}

fn serve(a: ServeArgs) -> CmdResult {
    let key = keys::read_private(&files::read_private_key(&a.key)?)
        .map_err(|e| CliError::other(format!("{}: {e}", a.key.display())))?;
    let log = keys::read_public_or_private(&files::read_text(&a.log)?)
        .map_err(|e| CliError::other(format!("{}: {e}", a.log.display())))?;
    let witness = catchcert_witness::Witness::open(&a.name, key, log, &a.log_origin, &a.state)
        .map_err(CliError::other)?;
    let vkey = witness.vkey();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .map_err(|e| CliError::other(format!("cannot listen on {}: {e}", a.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::other(format!("listener: {e}")))?;
        eprintln!("catchcert witness: {vkey} on http://{addr}/add-checkpoint");
        catchcert_witness::serve(
            listener,
            Arc::new(witness),
            catchcert_server::shutdown_signal(),
        )
        .await
        .map_err(|e| CliError::other(format!("witness server: {e}")))
    })?;
    Ok(EXIT_OK)
}

//! `catchcert log audit --url URL --log-key LOG.pub [--log-origin NAME] --state DIR`
//! (contract §6; docs/transparency.md).

use crate::error::{CliError, CmdResult, EXIT_INVALID, EXIT_OK};
use crate::files;
use catchcert_audit::{AuditConfig, Outcome};
use catchcert_sign::keys;
use std::path::PathBuf;

/// `log` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum LogCommand {
    /// Audit a transparency log: rebuild it from its tiles, check it extends the checkpoint
    /// kept in DIR, and re-run mass balance over every entry.
    Audit(AuditArgs),
}

/// Arguments of `log audit`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "Example:\n  \
catchcert log audit --url http://127.0.0.1:8080 --log-key log.pub --state audit-state\n\n\
Exit 0: consistent and balanced. Exit 4: a fork (both checkpoints printed) or a lot consumed \
beyond its output (every consumer named). Exit 1: other errors. Plain HTTP only. \
Details: docs/transparency.md.")]
pub struct AuditArgs {
    /// The log's base URL (its routes are under /log/).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The log's public key (SPKI PEM).
    #[arg(long, value_name = "LOG.pub")]
    pub log_key: PathBuf,
    /// The log's origin (default: the checkpoint's first line).
    #[arg(long, value_name = "NAME")]
    pub log_origin: Option<String>,
    /// Directory keeping the last checkpoint audited (created if missing).
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
}

/// Run a `log` subcommand.
pub fn run(c: LogCommand) -> CmdResult {
    match c {
        LogCommand::Audit(a) => audit(a),
    }
}

fn audit(a: AuditArgs) -> CmdResult {
    let log_key = keys::read_public_or_private(&files::read_text(&a.log_key)?)
        .map_err(|e| CliError::other(format!("{}: {e}", a.log_key.display())))?;
    let cfg = AuditConfig {
        url: a.url,
        log_key,
        origin: a.log_origin,
        state_dir: a.state,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start the async runtime: {e}")))?;
    let outcome = runtime
        .block_on(catchcert_audit::audit(&cfg))
        .map_err(CliError::other)?;
    match outcome {
        Outcome::Clean { checkpoint } => {
            println!(
                "log {} size {}: consistent; mass balance holds over every entry",
                checkpoint.origin, checkpoint.size
            );
            Ok(EXIT_OK)
        }
        Outcome::Fork {
            kept,
            served,
            reason,
        } => {
            println!("FORK: {reason}");
            if !kept.is_empty() {
                println!("checkpoint kept from the last audit:\n{kept}");
            }
            println!("checkpoint served now:\n{served}");
            Ok(EXIT_INVALID)
        }
        Outcome::OverConsumed {
            checkpoint,
            findings,
        } => {
            println!(
                "log {} size {}: consistent; {} lot(s) consumed beyond their output",
                checkpoint.origin,
                checkpoint.size,
                findings.len()
            );
            for f in findings {
                println!(
                    "mass_balance.exceeded: lot {} of {}: {} g output, {} g consumed by:",
                    f.lot, f.source, f.available, f.consumed
                );
                for (id, index, grams) in f.consumers {
                    println!("  {id} (log index {index}): {grams} g");
                }
            }
            Ok(EXIT_INVALID)
        }
    }
}

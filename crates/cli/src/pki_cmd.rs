//! `catchcert pki …` (STUB: being written).

use crate::error::{CliError, CmdResult};

/// Issuer PKI commands.
#[derive(clap::Subcommand, Debug)]
pub enum PkiCommand {
    /// Make a self-signed program root (not implemented yet).
    InitRoot,
}

/// Run a `pki` subcommand.
pub fn run(_cmd: PkiCommand) -> CmdResult {
    Err(CliError::other("pki is not implemented yet"))
}

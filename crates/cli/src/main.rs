//! `catchcert`: sign and verify seafood custody and labour certificates.
//!
//! The binary parses arguments, dispatches to one module per command and turns the
//! result into an exit code (0 ok/low risk, 3 risk, 4 invalid, 2 usage, 1 other error).
#![forbid(unsafe_code)]

mod error;
mod files;
mod keygen;
mod pki_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Sign and verify seafood custody and labour certificates (COSE_Sign1 + Ed25519).
#[derive(Parser, Debug)]
#[command(name = "catchcert", version, about, long_about = None)]
#[command(after_long_help = "Exit codes: 0 success (verify: integrity valid and risk low), \
3 integrity valid but risk medium/unknown/high, 4 integrity invalid, 2 usage error, \
1 any other error.\n\nDocumentation: docs/ in the source repository.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make an Ed25519 key pair: NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM).
    Keygen(keygen::Args),
    /// Issuer PKI: program root, accredited issuers with roles, path checks.
    #[command(subcommand)]
    Pki(pki_cmd::PkiCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Keygen(a) => keygen::run(a),
        Command::Pki(c) => pki_cmd::run(c),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("catchcert: {:#}", e.error);
            ExitCode::from(e.code)
        }
    }
}

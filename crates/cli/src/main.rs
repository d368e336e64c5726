//! `catchcert`: sign and verify seafood custody and labour certificates.
//!
//! The binary parses arguments, dispatches to one module per command and turns the
//! result into an exit code (0 ok/low risk, 3 risk, 4 invalid, 2 usage, 1 other error).
#![forbid(unsafe_code)]

/// mimalloc instead of the system allocator: the server's worker threads contend on
/// glibc malloc's locks (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` for data on stdout that tolerates a closed pipe (`catchcert verify … | head`):
/// a broken pipe ends the output quietly; other write errors are reported on stderr.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($t)*) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("catchcert: cannot write to stdout: {e}");
            }
        }
    }};
}

/// `print!` counterpart of [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($t)*) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("catchcert: cannot write to stdout: {e}");
            }
        }
    }};
}

mod batch_cmd;
mod bundle_cmd;
mod demo_cmd;
mod disclose;
mod error;
mod export_cmd;
mod files;
mod import_cmd;
mod inspect;
mod issue;
mod keygen;
mod log_cmd;
mod pki_cmd;
mod report;
mod serve_cmd;
mod verify_cmd;
mod watchlist_csv;
mod witness_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Sign and verify seafood custody and labour certificates (COSE_Sign1 + Ed25519).
#[derive(Parser, Debug)]
#[command(name = "catchcert", version, about = "Sign and verify seafood custody and labour certificates (COSE_Sign1 + Ed25519)", long_about = None)]
#[command(
    after_long_help = "Exit codes: 0 success (verify: integrity valid and risk low), \
3 integrity valid but risk medium/unknown/high, 4 integrity invalid, 2 usage error, \
1 any other error.\n\nDocumentation: docs/ in the source repository."
)]
struct Cli {
    /// Accept private key files that group or others may read (normally refused: `chmod
    /// 600 FILE`).
    #[arg(long, global = true)]
    insecure_key_mode: bool,
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
    /// Sign a certificate of KIND from input JSON; prints its id.
    Issue(issue::Args),
    /// Sign many certificates from CSV, JSONL or a directory of JSON rows (docs/batch.md).
    IssueBatch(batch_cmd::Args),
    /// Show a certificate's id, kind, issuer and payload (decoded, not verified).
    Inspect(inspect::Args),
    /// Check a crew disclosure file against its crew attestation.
    Disclose(disclose::Args),
    /// Pack a certificate and everything it depends on into one offline bundle.
    Bundle(bundle_cmd::Args),
    /// Verify a bundle or a directory of certificates: integrity, links, balance, labour risk.
    Verify(verify_cmd::Args),
    /// Build and sign the demo supply chain into a directory.
    Demo(demo_cmd::Args),
    /// Import supplier data: EPCIS 2.0 / GDST documents → signed certificates.
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
    /// Export a chain: certificates → an EPCIS 2.0 / GDST document.
    #[command(subcommand)]
    Export(export_cmd::ExportCommand),
    /// Run the HTTP verifier service: store verified certificates, serve verdicts and bundles.
    Serve(serve_cmd::Args),
    /// Transparency log witness (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(witness_cmd::WitnessCommand),
    /// Transparency log tools: audit a log from its tiles.
    #[command(subcommand)]
    Log(log_cmd::LogCommand),
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
    files::allow_insecure_key_mode(cli.insecure_key_mode);
    // The one clock of the process; commands take "now" from it.
    let clock = catchcert_server::clock::SystemClock;
    let result = match cli.command {
        Command::Keygen(a) => keygen::run(a),
        Command::Pki(c) => pki_cmd::run(c, &clock),
        Command::Issue(a) => issue::run(a, &clock),
        Command::IssueBatch(a) => batch_cmd::run(a, &clock),
        Command::Inspect(a) => inspect::run(a),
        Command::Disclose(a) => disclose::run(a),
        Command::Bundle(a) => bundle_cmd::run(a),
        Command::Verify(a) => verify_cmd::run(a, &clock),
        Command::Demo(a) => demo_cmd::run(a),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Witness(c) => witness_cmd::run(c),
        Command::Log(c) => log_cmd::run(c),
        Command::Import(c) => import_cmd::run(c, &clock),
        Command::Export(c) => export_cmd::run(c, &clock),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("catchcert: {:#}", e.error);
            ExitCode::from(e.code)
        }
    }
}

//! `catchcert keygen --out NAME.key [--force]`

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_sign::keys;
use std::path::PathBuf;

/// Arguments of `keygen`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = "Example:\n  catchcert keygen --out auditor.key\n  \
# writes auditor.key (private, mode 0600) and auditor.pub (public)")]
pub struct Args {
    /// Where to write the private key (PKCS#8 PEM). The public key goes beside it with
    /// the extension `.pub`.
    #[arg(long, value_name = "NAME.key")]
    pub out: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Run `keygen`.
pub fn run(args: Args) -> CmdResult {
    let pub_path = args.out.with_extension("pub");
    if pub_path == args.out {
        return Err(CliError::usage(format!(
            "{}: the private key file must not end in .pub",
            args.out.display()
        )));
    }
    if !args.force {
        for p in [&args.out, &pub_path] {
            if p.exists() {
                return Err(CliError::usage(format!(
                    "{}: already exists; pass --force to replace it",
                    p.display()
                )));
            }
        }
    }
    let key = keys::generate();
    let private = keys::private_pem(&key).map_err(CliError::other)?;
    let public = keys::public_pem(&key.verifying_key()).map_err(CliError::other)?;
    files::write_atomic(&args.out, private.as_bytes(), args.force, true)?;
    files::write_atomic(&pub_path, public.as_bytes(), args.force, false)?;
    eprintln!(
        "wrote {} (private, keep it secret) and {}",
        args.out.display(),
        pub_path.display()
    );
    Ok(EXIT_OK)
}

//! `catchcert bundle --head ID --from DIR --out FILE.bundle [--watchlist LIST.cose]…`

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_model::CertId;
use catchcert_verify::chain;
use std::path::PathBuf;

/// Arguments of `bundle`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Packs the head certificate, all its ancestors, the attestations they \
name, any revocations of any of them, and the issuer certificates of their x5chains (never the \
trust roots) into one offline file for `catchcert verify` or the server's POST /v1/verify.\n\n\
Example:\n  catchcert bundle --head sha256:… --from certs/ --out loins.bundle"
)]
pub struct Args {
    /// The head certificate's id.
    #[arg(long, value_name = "ID")]
    pub head: String,
    /// Directory of .cose files to take certificates from.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where to write the bundle.
    #[arg(long, value_name = "FILE.bundle")]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// A watch list (`watchlist` certificate, .cose) to carry in the bundle, screened by
    /// `verify` (repeatable).
    #[arg(long, value_name = "LIST.cose")]
    pub watchlist: Vec<PathBuf>,
}

/// Run `bundle`.
pub fn run(a: Args) -> CmdResult {
    let head: CertId = a
        .head
        .parse()
        .map_err(|e| CliError::usage(format!("--head: {e}")))?;
    if !a.from.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory (--from)",
            a.from.display()
        )));
    }
    let files = files::read_cose_dir(&a.from)?;
    let certs: Vec<Vec<u8>> = files.into_iter().map(|(_, b)| b).collect();
    let lists = files::read_watchlists(&a.watchlist)?;
    let bundle = chain::bundle_for(&certs, head)
        .map_err(|e| CliError::other(format!("{}: {e}", a.from.display())))?
        .with_watchlists(lists);
    files::write_atomic(&a.out, &bundle.to_bytes(), a.force, false)?;
    eprintln!(
        "wrote {} ({} certificates, {} issuer certificates, {} watch lists)",
        a.out.display(),
        bundle.certificates.len(),
        bundle.issuers.len(),
        bundle.watchlists.len()
    );
    Ok(EXIT_OK)
}

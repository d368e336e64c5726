//! `catchcert disclose CERT.cose DISCLOSURE.json`: check clear crew entries against a
//! signed crew attestation.

use crate::error::{CliError, CmdResult, EXIT_INVALID, EXIT_OK};
use crate::files;
use catchcert_model::MAX_CERTIFICATE_BYTES;
use catchcert_model::crew::{Disclosure, check_disclosure};
use catchcert_verify::cose;
use std::path::PathBuf;

/// Arguments of `disclose`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Checks that every clear crew entry and salt in the disclosure file \
matches its salted commitment in the crew attestation (this does not verify the certificate's \
signature: use `catchcert verify` for that).\n\nExit codes: 0 match, 4 mismatch, 2 usage, 1 \
unreadable input.\n\nExample:\n  catchcert disclose crew.cose crew.cose.disclosure.json"
)]
pub struct Args {
    /// The crew attestation.
    #[arg(value_name = "CERT.cose")]
    pub certificate: PathBuf,
    /// The disclosure file written by `issue crew_attestation`.
    #[arg(value_name = "DISCLOSURE.json")]
    pub disclosure: PathBuf,
}

/// Run `disclose`.
pub fn run(a: Args) -> CmdResult {
    let bytes = files::read_limited(&a.certificate, MAX_CERTIFICATE_BYTES as u64)?;
    let name = a.certificate.display();
    let (s, p) =
        cose::decode_certificate(&bytes).map_err(|e| CliError::other(format!("{name}: {e}")))?;
    let text = files::read_text(&a.disclosure)?;
    let d: Disclosure = serde_json::from_str(&text)
        .map_err(|e| CliError::other(format!("{}: {e}", a.disclosure.display())))?;
    match check_disclosure(s.id, &p, &d) {
        Ok(()) => {
            outln!(
                "match: {} crew entries of {} disclosed correctly",
                d.crew.len(),
                s.id
            );
            Ok(EXIT_OK)
        }
        Err(e) => Err(CliError {
            code: EXIT_INVALID,
            error: anyhow::anyhow!("{}: {e}", a.disclosure.display()),
        }),
    }
}

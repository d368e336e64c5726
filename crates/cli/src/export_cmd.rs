//! `catchcert export epcis --head ID --from DIR|BUNDLE --out FILE.jsonld [--trust ROOTS.pem]`

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_model::bundle::{Bundle, MAX_BUNDLE_BYTES};
use catchcert_model::payload::Details;
use catchcert_model::timestamp::Clock;
use catchcert_model::{CertId, Payload};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::findings::Integrity;
use catchcert_verify::path::TrustAnchors;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `export` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ExportCommand {
    /// The chain of a head certificate as an EPCIS 2.0 JSON-LD document with GDST KDEs.
    Epcis(Args),
}

/// Arguments of `export epcis`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "One event per custody certificate of the head's chain, parents \
first, each with certificationInfo = the certificate id and catchcert:eventHash. With --trust \
the chain is verified first and an invalid chain is refused (exit 4). The mapping is in \
docs/gdst.md."
)]
pub struct Args {
    /// The head certificate.
    #[arg(long, value_name = "ID")]
    pub head: String,
    /// A directory of .cose files or a bundle.
    #[arg(long, value_name = "DIR|BUNDLE")]
    pub from: PathBuf,
    /// Where to write the document.
    #[arg(long, value_name = "FILE.jsonld")]
    pub out: PathBuf,
    /// Verify the chain against these roots first; refuse an invalid chain.
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: Option<PathBuf>,
}

/// Run `export`.
pub fn run(c: ExportCommand, clock: &dyn Clock) -> CmdResult {
    let ExportCommand::Epcis(a) = c;
    let head: CertId = a
        .head
        .parse()
        .map_err(|e| CliError::usage(format!("--head: {e}")))?;
    let certs: Vec<Vec<u8>> = if a.from.is_dir() {
        files::read_cose_dir(&a.from)?
            .into_iter()
            .map(|(_, b)| b)
            .collect()
    } else {
        let bytes = files::read_limited(&a.from, MAX_BUNDLE_BYTES as u64)?;
        Bundle::from_bytes(&bytes)
            .map_err(|e| CliError::other(format!("{}: {e}", a.from.display())))?
            .certificates
    };
    if let Some(t) = &a.trust {
        let anchors = TrustAnchors::from_pem(&files::read_text(t)?)
            .map_err(|e| CliError::other(format!("{}: {e}", t.display())))?;
        let v = chain::verify(&certs, &[], head, &anchors, clock.now(), &Limits::default());
        if v.integrity == Integrity::Invalid {
            let codes: BTreeSet<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
            return Err(CliError::invalid(format!(
                "{}: the chain of {head} is invalid ({}); not exported",
                a.from.display(),
                codes.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    let mut by_id: BTreeMap<CertId, Payload> = BTreeMap::new();
    for b in &certs {
        if let Ok((_, p)) = catchcert_verify::cose::decode_certificate(b) {
            by_id.insert(CertId::of_cose(b), p);
        }
    }
    if !by_id.contains_key(&head) {
        return Err(CliError::usage(format!(
            "{}: no readable certificate {head}",
            a.from.display()
        )));
    }
    // Parents first: depth-first post-order over custody inputs.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![(head, false)];
    while let Some((id, done)) = stack.pop() {
        if done {
            order.push(id);
            continue;
        }
        if !seen.insert(id) {
            continue;
        }
        stack.push((id, true));
        if let Some(Details::Custody(c)) = by_id.get(&id).map(Payload::details) {
            for i in c.inputs.iter().rev() {
                if by_id.contains_key(&i.certificate) && !seen.contains(&i.certificate) {
                    stack.push((i.certificate, false));
                }
            }
        }
    }
    let list: Vec<(CertId, Payload)> = order
        .into_iter()
        .filter_map(|id| by_id.remove(&id).map(|p| (id, p)))
        .collect();
    let doc = catchcert_supply::export::document(&list, clock.now());
    let n = doc["epcisBody"]["eventList"].as_array().map_or(0, Vec::len);
    let text = serde_json::to_vec_pretty(&doc).map_err(CliError::other)?;
    files::write_atomic(&a.out, &text, true, false)?;
    eprintln!("wrote {} ({n} events)", a.out.display());
    Ok(EXIT_OK)
}

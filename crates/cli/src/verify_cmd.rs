//! `catchcert verify PATH --trust ROOTS.pem [--head ID | --lot LOT] [--at RFC3339] [--json] [--html OUT.html]`

use crate::error::{CliError, CmdResult, EXIT_INVALID, EXIT_OK, EXIT_RISK};
use crate::{files, issue, report};
use catchcert_model::CertId;
use catchcert_model::bundle::{Bundle, MAX_BUNDLE_BYTES};
use catchcert_model::timestamp::Clock;
use catchcert_verify::chain::{self, DecodedSet, Limits};
use catchcert_verify::findings::{Integrity, Risk};
use catchcert_verify::path::TrustAnchors;
use std::path::PathBuf;

/// Arguments of `verify`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "PATH is an offline bundle (from `catchcert bundle` or the server) or a \
directory of .cose files. Without --head, a bundle's own head is used; for a directory, the one \
custody certificate whose outputs no other certificate consumes. --lot LOT picks the certificate of \
PATH that holds LOT (outputs it, and nobody in PATH consumes that output); none or several is a \
usage error naming each candidate.\n\nExit codes: 0 integrity valid \
and risk low; 3 integrity valid, risk medium/unknown/high; 4 integrity invalid; 2 usage error; \
1 unreadable or malformed input (in a directory without --head: any .cose file that is not a \
certificate, each named with the reason; with --head the others are verified and a damaged \
certificate the head needs is signature.invalid).\n\nExamples:\n  catchcert verify loins.bundle --trust root.pem\n  \
catchcert verify certs/ --trust root.pem --head sha256:… --at 2026-06-01T00:00:00Z --json\n  \
catchcert verify certs/ --trust root.pem --lot FM-LOINS-2026-0412\n  \
catchcert verify loins.bundle --trust root.pem --html report.html"
)]
pub struct Args {
    /// A bundle file or a directory of .cose files.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Trusted programme root certificates (PEM, one or more).
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: PathBuf,
    /// The certificate to verify (default: the bundle's head, or the directory's only head).
    #[arg(long, value_name = "ID", conflicts_with = "lot")]
    pub head: Option<String>,
    /// Verify the certificate of PATH that holds this lot: it outputs the lot and nobody in
    /// PATH consumes that output (a usage error when none or several do).
    #[arg(long, value_name = "LOT")]
    pub lot: Option<String>,
    /// Verify as of this time (default: now): later revocations and certificates are ignored.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Print the verdict as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also write the readable report: one self-contained HTML page (verdict, lot graph,
    /// supply-chain tracing table, certificates and findings); the exit code stays the
    /// verdict's.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Screen the graph against this watch list (`watchlist` certificate, .cose), besides
    /// any lists a bundle carries (repeatable).
    #[arg(long, value_name = "LIST.cose")]
    pub watchlist: Vec<PathBuf>,
    /// Compare certificates made from EPCIS events with the events of this EPCIS 2.0
    /// document: an event whose CBV 2.0 hash no longer matches is `epcis.mismatch`.
    #[arg(long, value_name = "FILE.jsonld")]
    pub epcis: Option<PathBuf>,
    /// Require a transparency-log proof for every certificate of the graph, checked offline
    /// against this log public key (SPKI PEM): `log.missing`, `log.proof_invalid`,
    /// `log.checkpoint_invalid`, `log.witness` are errors. Only server bundles carry proofs.
    #[arg(long, value_name = "LOG.pub")]
    pub log_key: Option<PathBuf>,
    /// The log's origin (default: the origin each checkpoint names, bound by the signature).
    #[arg(long, value_name = "NAME", requires = "log_key")]
    pub log_origin: Option<String>,
    /// A witness public key (SPKI PEM) whose cosignatures count (repeatable).
    #[arg(long, value_name = "W.pub", requires = "log_key")]
    pub witness: Vec<PathBuf>,
    /// How many distinct --witness keys must have cosigned each proof's checkpoint
    /// (default: all of them).
    #[arg(long, value_name = "K", requires = "log_key")]
    pub witness_threshold: Option<usize>,
}

/// The log trust of `--log-key`, `--log-origin`, `--witness`, `--witness-threshold`.
fn log_trust(a: &Args) -> Result<Option<catchcert_verify::logproof::LogTrust>, CliError> {
    use catchcert_sign::keys;
    let Some(path) = &a.log_key else {
        return Ok(None);
    };
    let read = |p: &PathBuf| {
        keys::read_public_or_private(&files::read_text(p)?)
            .map_err(|e| CliError::other(format!("{}: {e}", p.display())))
    };
    let mut trust = catchcert_verify::logproof::LogTrust::new(read(path)?);
    trust.origin = a.log_origin.clone();
    for w in &a.witness {
        let key = read(w)?;
        if !trust.witnesses.iter().any(|k| k.key == key) {
            trust
                .witnesses
                .push(catchcert_tlog::WitnessKey::any_name(key));
        }
    }
    trust.threshold = a.witness_threshold.unwrap_or(trust.witnesses.len());
    if trust.threshold > trust.witnesses.len() {
        return Err(CliError::usage(format!(
            "--witness-threshold {} is more than the {} distinct --witness key(s) given",
            trust.threshold,
            trust.witnesses.len()
        )));
    }
    Ok(Some(trust))
}

/// The one certificate of `set` that holds `lot` (`--lot`), or a usage error naming each
/// candidate.
fn lot_head(path: &std::path::Path, set: &DecodedSet, lot: &str) -> Result<CertId, CliError> {
    match set.lot_holders(lot).as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::usage(format!(
            "{}: --lot {lot:?}: no certificate holds this lot (outputs it with nobody consuming that output)",
            path.display()
        ))),
        many => Err(CliError::usage(format!(
            "{}: --lot {lot:?}: several certificates hold this lot; pass --head with one of:\n  {}",
            path.display(),
            many.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\n  ")
        ))),
    }
}

/// The directory's only head candidate (no `--head`, no `--lot`), or a usage error naming
/// each candidate.
fn only_head(path: &std::path::Path, set: &DecodedSet) -> Result<CertId, CliError> {
    match set.candidate_heads().as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::usage(format!(
            "{}: no head candidate (no custody certificate whose outputs are unconsumed); pass --head",
            path.display()
        ))),
        many => Err(CliError::usage(format!(
            "{}: several head candidates; pass --head with one of:\n  {}",
            path.display(),
            many.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("\n  ")
        ))),
    }
}

/// Run `verify`.
pub fn run(a: Args, clock: &dyn Clock) -> CmdResult {
    let head: Option<CertId> = match &a.head {
        Some(h) => Some(
            h.parse()
                .map_err(|e| CliError::usage(format!("--head: {e}")))?,
        ),
        None => None,
    };
    let at = match &a.at {
        Some(s) => issue::parse_time_flag("--at", s)?,
        None => clock.now(),
    };
    let trust_pem = files::read_text(&a.trust)?;
    let anchors = TrustAnchors::from_pem(&trust_pem)
        .map_err(|e| CliError::other(format!("{}: {e}", a.trust.display())))?;
    let limits = Limits::default();
    let lists = files::read_watchlists(&a.watchlist)?;
    let log = log_trust(&a)?;
    let mut log_proofs: Vec<(CertId, String)> = Vec::new();
    let all_certs: Vec<Vec<u8>>;
    let mut verdict = if a.path.is_dir() {
        let files = files::read_cose_dir(&a.path)?;
        if files.is_empty() {
            return Err(CliError::usage(format!(
                "{}: no .cose files",
                a.path.display()
            )));
        }
        let (paths, certs): (Vec<PathBuf>, Vec<Vec<u8>>) = files.into_iter().unzip();
        // Each file is decoded once, here: refusing a damaged set, finding the head and
        // verifying all read this decoded set.
        let decoded = DecodedSet::decode(&certs, &limits);
        // Files that are not certificates at all are named with the reason. Without --head
        // the head cannot be chosen safely (a damaged file may be the head), so that is an
        // error (exit 1), found before verifying; with --head the rest is verified, the
        // verifier names them (`Verdict::undecodable`), and a damaged certificate the
        // head's graph needs shows as signature.invalid.
        if head.is_none() {
            let damaged: Vec<String> = decoded
                .errors()
                .map(|(i, e)| format!("{}: {e}", paths[i].display()))
                .collect();
            if !damaged.is_empty() {
                return Err(CliError::other(format!(
                    "{}: {} file(s) could not be read as certificates:\n  {}\n(pass --head ID to verify the others anyway)",
                    a.path.display(),
                    damaged.len(),
                    damaged.join("\n  ")
                )));
            }
        }
        let head = match (&a.lot, head) {
            (Some(lot), _) => lot_head(&a.path, &decoded, lot)?,
            (None, Some(h)) => h,
            (None, None) => only_head(&a.path, &decoded)?,
        };
        let v = chain::verify_decoded(decoded, &[], &lists, head, &anchors, at, &limits);
        warn_undecodable(&v, &paths, &certs);
        all_certs = certs;
        v
    } else {
        let bytes = files::read_limited(&a.path, MAX_BUNDLE_BYTES as u64)?;
        let mut bundle = Bundle::from_bytes(&bytes)
            .map_err(|e| CliError::other(format!("{}: {e}", a.path.display())))?;
        if !lists.is_empty() {
            let mut all = std::mem::take(&mut bundle.watchlists);
            all.extend(lists);
            bundle = bundle.with_watchlists(all);
        }
        let v = match &a.lot {
            // The bundle's certificates are decoded once, to find the lot's holder and to
            // verify it.
            Some(lot) => {
                let decoded = DecodedSet::decode(&bundle.certificates, &limits);
                let head = lot_head(&a.path, &decoded, lot)?;
                chain::verify_decoded(
                    decoded,
                    &bundle.issuers,
                    &bundle.watchlists,
                    head,
                    &anchors,
                    at,
                    &limits,
                )
            }
            None => chain::verify_bundle(&bundle, head, &anchors, at, &limits),
        };
        all_certs = bundle.certificates;
        log_proofs = bundle.log_proofs;
        v
    };
    if let Some(trust) = &log {
        use catchcert_verify::logproof;
        let found = logproof::findings(&verdict, &all_certs, &log_proofs, trust);
        logproof::add_findings(&mut verdict, found);
    }
    if let Some(path) = &a.epcis {
        let events = epcis_events(path)?;
        let found = catchcert_verify::epcis::mismatches(&all_certs, &events);
        catchcert_verify::epcis::add_findings(&mut verdict, found);
    }
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&verdict).map_err(CliError::other)?
        );
    } else {
        out!("{}", report::text(&verdict));
    }
    if let Some(h) = &a.html {
        let page = catchcert_report::render(&verdict, &all_certs, at);
        files::write_atomic(h, page.as_bytes(), true, false)?;
        eprintln!("wrote {}", h.display());
    }
    Ok(match (verdict.integrity, verdict.risk) {
        (Integrity::Invalid, _) => EXIT_INVALID,
        (Integrity::Valid, Risk::Low) => EXIT_OK,
        _ => EXIT_RISK,
    })
}

/// The events of an EPCIS document with their CBV 2.0 hashes (crate catchcert-supply), for
/// `--epcis`.
fn epcis_events(
    path: &std::path::Path,
) -> Result<Vec<catchcert_verify::epcis::EventHash>, CliError> {
    use catchcert_supply::epcis::{Document, MAX_DOCUMENT_BYTES};
    let bytes = files::read_limited(path, MAX_DOCUMENT_BYTES as u64)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::other(format!("{}: not UTF-8", path.display())))?;
    let doc =
        Document::parse(&text).map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
    Ok(doc.hashed_events())
}

/// Name, on stderr, the files of a directory that the verifier could not decode, in path
/// order (`paths[i]` holds `certs[i]`).
fn warn_undecodable(
    v: &catchcert_verify::findings::Verdict,
    paths: &[std::path::PathBuf],
    certs: &[Vec<u8>],
) {
    if v.undecodable.is_empty() {
        return;
    }
    let why: std::collections::HashMap<CertId, &str> = v
        .undecodable
        .iter()
        .map(|(id, why)| (*id, why.as_str()))
        .collect();
    for (p, b) in paths.iter().zip(certs) {
        if let Some(why) = why.get(&CertId::of_cose(b)) {
            eprintln!(
                "warning: could not be read as a certificate: {}: {why}",
                p.display()
            );
        }
    }
}

//! `catchcert issue KIND --key K.key --cert C.pem [--chain I.pem] --input IN.json --out OUT.cose`

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_model::codes::{ASFIS_FILE, CodeLists, UNLOCODE_FILE};
use catchcert_model::timestamp::Clock;
use catchcert_model::{CertId, Kind, Role, Timestamp, input};
use catchcert_sign::{cose, keys, pki};
use std::path::{Path, PathBuf};

/// Arguments of `issue`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Kinds: crew_attestation, facility_attestation, catch, transshipment, \
landing, processing, shipment, receipt, revocation. The input JSON fields per kind are in \
docs/format.md.\n\nExamples:\n  catchcert issue catch --key vessel.key --cert vessel.pem \
--input catch.json --out catch.cose\n  catchcert issue crew_attestation --key auditor.key \
--cert auditor.pem --input crew.json --out crew.cose   # also writes crew.cose.disclosure.json\n\n\
Prints the new certificate's id (sha256:…) on stdout."
)]
pub struct Args {
    /// The certificate kind.
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    pub kind: Kind,
    /// The issuer's private key (PKCS#8 PEM).
    #[arg(long, value_name = "K.key")]
    pub key: PathBuf,
    /// The issuer's X.509 certificate (PEM), issued with `catchcert pki issue`.
    #[arg(long, value_name = "C.pem")]
    pub cert: PathBuf,
    /// Intermediate CA certificates between the issuer and the root (PEM), carried in x5chain.
    #[arg(long, value_name = "INTERMEDIATES.pem")]
    pub chain: Option<PathBuf>,
    /// The input JSON.
    #[arg(long, value_name = "IN.json")]
    pub input: PathBuf,
    /// Where to write the certificate (COSE_Sign1).
    #[arg(long, value_name = "OUT.cose")]
    pub out: PathBuf,
    /// Signing time for back-filling (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub issued_at: Option<String>,
    /// Directory with the large code lists (asfis_species.csv, un_locode_ports.csv) to check
    /// species and ports against; without it those codes are checked for shape only.
    #[arg(long, value_name = "DIR", env = "CATCHCERT_CODES")]
    pub codes: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// For `watchlist` with a CSV input (`--input LIST.csv`): the list's name.
    #[arg(long, value_name = "NAME")]
    pub list_name: Option<String>,
    /// For `watchlist` with a CSV input: where the entries come from.
    #[arg(long, value_name = "TEXT")]
    pub list_source: Option<String>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse::<Kind>().map_err(|e| e.to_string())
}

/// Parse an RFC 3339 flag value, naming the flag in the error.
pub fn parse_time_flag(flag: &str, s: &str) -> Result<Timestamp, CliError> {
    Timestamp::parse_rfc3339(s).map_err(|e| CliError::usage(format!("{flag} {s:?}: {e}")))
}

/// Load the run-time code lists from a directory (either file may be absent).
pub fn load_code_lists(dir: Option<&Path>) -> Result<CodeLists, CliError> {
    let Some(dir) = dir else {
        return Ok(CodeLists::default());
    };
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory (--codes)",
            dir.display()
        )));
    }
    let read = |name: &str| -> Result<Option<String>, CliError> {
        let p = dir.join(name);
        if p.exists() {
            files::read_text(&p).map(Some)
        } else {
            Ok(None)
        }
    };
    let asfis = read(ASFIS_FILE)?;
    let locode = read(UNLOCODE_FILE)?;
    if asfis.is_none() && locode.is_none() {
        return Err(CliError::usage(format!(
            "{}: holds neither {ASFIS_FILE} nor {UNLOCODE_FILE}",
            dir.display()
        )));
    }
    CodeLists::from_csv(asfis.as_deref(), locode.as_deref())
        .map_err(|e| CliError::other(format!("{}: {e}", dir.display())))
}

/// The JSON input of a `watchlist` given as CSV (`--input LIST.csv` with `--list-name`
/// and `--list-source`); any other input as it is. The list's `time` is its signing time.
fn watchlist_input(a: &Args, bytes: Vec<u8>, issued_at: Timestamp) -> Result<Vec<u8>, CliError> {
    let is_csv = a
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if a.kind != Kind::Watchlist || !is_csv {
        if a.list_name.is_some() || a.list_source.is_some() {
            return Err(CliError::usage(
                "--list-name and --list-source go with `issue watchlist --input LIST.csv`",
            ));
        }
        return Ok(bytes);
    }
    let (Some(name), Some(source)) = (&a.list_name, &a.list_source) else {
        return Err(CliError::usage(
            "a CSV watch list needs --list-name NAME and --list-source TEXT",
        ));
    };
    let entries = crate::watchlist_csv::entries(&bytes)
        .map_err(|e| CliError::other(format!("{}: {e}", a.input.display())))?;
    let entries: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let mut m = serde_json::json!({
                "scheme": e.scheme.as_str(),
                "value": e.value,
                "reason": e.reason,
                "listed_from": e.listed_from.to_rfc3339(),
            });
            if let Some(u) = e.listed_until {
                m["listed_until"] = serde_json::json!(u.to_rfc3339());
            }
            m
        })
        .collect();
    let doc = serde_json::json!({
        "time": issued_at.to_rfc3339(),
        "name": name,
        "source": source,
        "entries": entries,
    });
    serde_json::to_vec(&doc).map_err(CliError::other)
}

/// Run `issue`.
pub fn run(a: Args, clock: &dyn Clock) -> CmdResult {
    let disclosure_path = PathBuf::from(format!("{}.disclosure.json", a.out.display()));
    if !a.force {
        for p in [&a.out, &disclosure_path] {
            if p.exists() && (p == &a.out || a.kind == Kind::CrewAttestation) {
                return Err(CliError::usage(format!(
                    "{}: already exists; pass --force to replace it",
                    p.display()
                )));
            }
        }
    }
    let key_pem = files::read_private_key(&a.key)?;
    let key = keys::read_private(&key_pem)
        .map_err(|e| CliError::other(format!("{}: {e}", a.key.display())))?;
    let cert_pem = files::read_text(&a.cert)?;
    let mut chain = pki::read_pem_chain(&cert_pem)
        .map_err(|e| CliError::other(format!("{}: {e}", a.cert.display())))?;
    if !pki::cert_key_matches(&cert_pem, &key) {
        return Err(CliError::usage(format!(
            "{}: the key in {} does not match this certificate; refusing to sign",
            a.cert.display(),
            a.key.display()
        )));
    }
    if let Some(c) = &a.chain {
        let text = files::read_text(c)?;
        let more = pki::read_pem_chain(&text)
            .map_err(|e| CliError::other(format!("{}: {e}", c.display())))?;
        chain.extend(more);
    }
    match pki::cert_roles(&cert_pem) {
        Ok(roles) if !Role::any_allows(&roles, a.kind) && a.kind != Kind::Revocation => eprintln!(
            "warning: {}: the issuer's roles [{}] do not allow signing a {}; verifiers will report issuer.role",
            a.cert.display(),
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            a.kind
        ),
        Ok(_) => {}
        Err(e) => eprintln!(
            "warning: {}: cannot read the roles extension: {e}",
            a.cert.display()
        ),
    }
    let issued_at = match &a.issued_at {
        Some(s) => parse_time_flag("--issued-at", s)?,
        None => clock.now(),
    };
    let lists = load_code_lists(a.codes.as_deref())?;
    let json = files::read_limited(&a.input, input::MAX_INPUT_BYTES as u64)?;
    let json = watchlist_input(&a, json, issued_at)?;
    let mut salt = || {
        let mut s = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut s);
        s
    };
    let built = input::build(a.kind, &json, issued_at, &lists, &mut salt)
        .map_err(|e| CliError::other(format!("{}: {e}", a.input.display())))?;
    for w in &built.warnings {
        eprintln!("warning: {}: {w}", a.input.display());
    }
    let bytes = cose::sign_payload(&built.payload, &key, &chain).map_err(CliError::other)?;
    let id = CertId::of_cose(&bytes);
    files::write_atomic(&a.out, &bytes, a.force, false)?;
    if let Some(mut d) = built.disclosure {
        d.certificate = Some(id);
        let text = serde_json::to_vec_pretty(&d).map_err(CliError::other)?;
        // Clear crew names: private to the auditor (mode 0600).
        files::write_atomic(&disclosure_path, &text, a.force, true)?;
        eprintln!(
            "wrote {} (crew names in clear: keep it private; check it with `catchcert disclose`)",
            disclosure_path.display()
        );
    }
    outln!("{id}");
    Ok(EXIT_OK)
}

//! `catchcert pki init-root | issue | verify`: the issuer PKI (contract §2, docs/pki.md).
//!
//! Exit codes: 0 done (verify: path valid); 4 path invalid (verify, the reason on stderr);
//! 2 usage: bad flags, a bad subject, an existing output without `--force`, or a request
//! the CA may not grant (roles it lacks, bindings outside its own, `auditor` with a custody
//! role, a CA below pathLenConstraint 0, a key that is not the CA certificate's); 1 any
//! other error: unreadable or malformed key, certificate or
//! trust file.

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_model::bindings_ext::{Bindings, BindingsExt};
use catchcert_model::timestamp::Clock;
use catchcert_model::{Role, Timestamp};
use catchcert_sign::{keys, pki};
use catchcert_verify::path::{self, PathError, PathValidator, TrustAnchors};
use std::path::{Path, PathBuf};

/// Issuer PKI commands.
#[derive(clap::Subcommand, Debug)]
pub enum PkiCommand {
    /// Make a self-signed programme root certificate (X.509 v3 CA, Ed25519).
    #[command(after_long_help = "Examples:\n  \
catchcert keygen --out root.key\n  \
catchcert pki init-root --key root.key --subject \"CN=Catch Programme Root,O=Catch Programme\" \\\n    \
--out root.pem --valid-days 3650\n\n\
The root carries no roles extension: it is unrestricted. Keep root.key offline.")]
    InitRoot(InitRootArgs),
    /// Issue an issuer (or intermediate CA) certificate with roles under a CA.
    #[command(after_long_help = "Examples:\n  \
# a regional intermediate that may only accredit traders and retailers, one level deep\n  \
catchcert pki issue --ca-key root.key --ca-cert root.pem --subject-key region.pub \\\n    \
--subject \"CN=Region North,O=Catch Programme\" --role trader --role retailer \\\n    \
--ca --path-len 0 --valid-days 1825 --out region.pem\n  \
# a trader below it\n  \
catchcert pki issue --ca-key region.key --ca-cert region.pem --subject-key acme.pub \\\n    \
--subject \"CN=Acme Seafood\\, Inc.,O=Acme,C=NO\" --role trader --out acme.pem\n  \
# a vessel key that speaks for two vessels of its owner\n  \
catchcert pki issue --ca-key root.key --ca-cert root.pem --subject-key bh.pub \\\n    \
--subject \"CN=Blue Horizon Fleet,O=Blue Horizon Co\" --role vessel \\\n    \
--vessel IMO9123456 --vessel IMO9234567 --out bh.pem\n\n\
Roles: auditor, vessel, carrier, processor, trader, retailer, listkeeper, registrar. \
A CA with roles can only grant roles it carries; auditor never goes with a custody role \
(vessel, carrier, processor, trader, retailer). Bindings (--vessel, --facility, --party) \
name what the certificate speaks for; its subject's O is one of its parties. A CA with \
bindings can only grant a subset of them (the O of the new subject included). Subject \
attributes: CN (required), O, OU, C, L, ST; write a comma inside a value as \\,.")]
    Issue(IssueArgs),
    /// Check an issuer path from a certificate to a trusted root.
    #[command(after_long_help = "Examples:\n  \
catchcert pki verify acme.pem --trust root.pem --chain region.pem\n  \
catchcert pki verify acme.pem --trust root.pem --chain region.pem --at 2026-06-01T00:00:00Z\n\n\
Prints \"valid: SUBJECT (roles: …)\", then, when it speaks for any vessel, facility or \
party (its subject's O included), \"bindings: vessels [..]; facilities [..]; parties [..]\", \
and exits 0, or prints the reason on stderr and \
exits 4. CERT.pem may also hold intermediates after the certificate.")]
    Verify(VerifyArgs),
}

/// Arguments of `pki init-root`.
#[derive(clap::Args, Debug)]
pub struct InitRootArgs {
    /// The root's private key (PKCS#8 PEM, from `catchcert keygen`).
    #[arg(long, value_name = "ROOT.key")]
    pub key: PathBuf,
    /// Subject name, e.g. "CN=Catch Programme Root,O=Catch Programme".
    #[arg(long, value_name = "DN")]
    pub subject: String,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "ROOT.pem")]
    pub out: PathBuf,
    /// Days of validity.
    #[arg(long, value_name = "N", default_value_t = pki::DEFAULT_ROOT_DAYS)]
    pub valid_days: u32,
    /// Start of validity (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub not_before: Option<Timestamp>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `pki issue`.
#[derive(clap::Args, Debug)]
pub struct IssueArgs {
    /// The CA's private key (PKCS#8 PEM).
    #[arg(long, value_name = "CA.key")]
    pub ca_key: PathBuf,
    /// The CA's certificate (PEM).
    #[arg(long, value_name = "CA.pem")]
    pub ca_cert: PathBuf,
    /// The subject's public key (SPKI PEM), or its private key (only the public part is used).
    #[arg(long, value_name = "KEY.pub|KEY.key")]
    pub subject_key: PathBuf,
    /// Subject name, e.g. "CN=Acme Seafood,O=Acme,C=NO".
    #[arg(long, value_name = "DN")]
    pub subject: String,
    /// A role (repeat for several): auditor, vessel, carrier, processor, trader, retailer,
    /// listkeeper, registrar.
    #[arg(long = "role", value_name = "ROLE", required = true, value_parser = parse_role)]
    pub roles: Vec<Role>,
    /// A vessel it speaks for, by IMO number (IMO + 7 or 8 digits; repeat for several).
    #[arg(long = "vessel", value_name = "IMO")]
    pub vessels: Vec<String>,
    /// A facility it speaks for, by name (repeat for several).
    #[arg(long = "facility", value_name = "NAME")]
    pub facilities: Vec<String>,
    /// A party it speaks for, by name or GLN, besides its subject's O (repeat for several).
    #[arg(long = "party", value_name = "NAME")]
    pub parties: Vec<String>,
    /// Make an intermediate CA instead of an issuer.
    #[arg(long)]
    pub ca: bool,
    /// With --ca: how many intermediate CAs may follow below it (default: no limit).
    #[arg(long, value_name = "N", requires = "ca")]
    pub path_len: Option<u8>,
    /// Days of validity.
    #[arg(long, value_name = "N", default_value_t = pki::DEFAULT_ISSUER_DAYS)]
    pub valid_days: u32,
    /// Start of validity (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub not_before: Option<Timestamp>,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "CERT.pem")]
    pub out: PathBuf,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `pki verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The certificate to check (PEM; may be followed by intermediates).
    #[arg(value_name = "CERT.pem")]
    pub cert: PathBuf,
    /// Trusted root certificates (PEM, one or more).
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: PathBuf,
    /// Intermediate certificates (PEM, any order).
    #[arg(long, value_name = "INTERMEDIATES.pem")]
    pub chain: Option<PathBuf>,
    /// Check validity at this time (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<Timestamp>,
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s).map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// Run a `pki` subcommand.
pub fn run(cmd: PkiCommand, clock: &dyn Clock) -> CmdResult {
    match cmd {
        PkiCommand::InitRoot(a) => init_root(a, clock),
        PkiCommand::Issue(a) => issue(a, clock),
        PkiCommand::Verify(a) => verify(a, clock),
    }
}

fn refuse_existing(out: &Path, force: bool) -> Result<(), CliError> {
    if !force && out.exists() {
        return Err(CliError::usage(format!(
            "{}: already exists; pass --force to replace it",
            out.display()
        )));
    }
    Ok(())
}

fn read_signing_key(p: &Path) -> Result<ed25519_dalek::SigningKey, CliError> {
    let text = files::read_private_key(p)?;
    keys::read_private(&text).map_err(|e| CliError::other(format!("{}: {e}", p.display())))
}

/// Map a signing-side error to an exit code: requests the CA may not grant and bad
/// arguments are usage errors; unreadable inputs are other errors.
fn pki_error(e: pki::PkiError) -> CliError {
    use pki::PkiError as E;
    match e {
        E::Subject { .. }
        | E::Validity(_)
        | E::NotACa { .. }
        | E::KeyMismatch { .. }
        | E::RoleWidening { .. }
        | E::NoRoles
        | E::AuditorWithCustody { .. }
        | E::Bindings(_)
        | E::BindingsWidening { .. }
        | E::PathLen { .. } => CliError::usage(e),
        _ => CliError::other(e),
    }
}

/// What `init-root` and `issue` check before reading any key: the output may be written,
/// the subject parses and the validity fits. Returns notBefore (default: now).
fn prepare(
    out: &Path,
    force: bool,
    subject: &str,
    not_before: Option<Timestamp>,
    valid_days: u32,
    clock: &dyn Clock,
) -> Result<Timestamp, CliError> {
    refuse_existing(out, force)?;
    pki::parse_subject(subject).map_err(CliError::usage)?;
    let not_before = not_before.unwrap_or_else(|| clock.now());
    pki::not_after(not_before, valid_days).map_err(CliError::usage)?;
    Ok(not_before)
}

fn init_root(a: InitRootArgs, clock: &dyn Clock) -> CmdResult {
    let not_before = prepare(
        &a.out,
        a.force,
        &a.subject,
        a.not_before,
        a.valid_days,
        clock,
    )?;
    let key = read_signing_key(&a.key)?;
    let pem = pki::init_root(&key, &a.subject, not_before, a.valid_days).map_err(pki_error)?;
    files::write_atomic(&a.out, pem.as_bytes(), a.force, false)?;
    eprintln!(
        "wrote {}: programme root {} (no roles: unrestricted)",
        a.out.display(),
        a.subject
    );
    Ok(EXIT_OK)
}

fn issue(a: IssueArgs, clock: &dyn Clock) -> CmdResult {
    let not_before = prepare(
        &a.out,
        a.force,
        &a.subject,
        a.not_before,
        a.valid_days,
        clock,
    )?;
    let ca_key = read_signing_key(&a.ca_key)?;
    let ca_pem = files::read_text(&a.ca_cert)?;
    let mut subject_key_text = files::read_text(&a.subject_key)?;
    if subject_key_text.contains("PRIVATE KEY") {
        // A private key given as the subject key: the same file-mode rule as every key.
        subject_key_text = files::read_private_key(&a.subject_key)?;
    }
    let subject_key = keys::read_public_or_private(&subject_key_text)
        .map_err(|e| CliError::other(format!("{}: {e}", a.subject_key.display())))?;
    let cert_type = if a.ca {
        pki::CertType::Ca {
            path_len: a.path_len,
        }
    } else {
        pki::CertType::Leaf
    };
    let req = pki::IssueRequest {
        subject: &a.subject,
        roles: &a.roles,
        cert_type,
        not_before,
        valid_days: a.valid_days,
    };
    let list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
    let bindings = BindingsExt {
        vessels: list(&a.vessels),
        facilities: list(&a.facilities),
        parties: list(&a.parties),
    };
    let pem = pki::issue_with_bindings(&ca_key, &ca_pem, &subject_key, &req, &bindings, None)
        .map_err(|e| {
            let ca_file = a.ca_cert.display();
            match e {
                pki::PkiError::Read { .. } => CliError::other(format!("{ca_file}: {e}")),
                e => pki_error(e),
            }
        })?;
    files::write_atomic(&a.out, pem.as_bytes(), a.force, false)?;
    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
    eprintln!(
        "wrote {}: {} {} (roles: {})",
        a.out.display(),
        if a.ca { "intermediate CA" } else { "issuer" },
        a.subject,
        roles.join(", ")
    );
    if !bindings.is_empty() {
        let b = bindings.normalized();
        let show = |l: &Option<Vec<String>>| format!("{:?}", l.as_deref().unwrap_or(&[]));
        eprintln!(
            "bindings: vessels {}; facilities {}; parties {} (and the subject's O)",
            show(&b.vessels),
            show(&b.facilities),
            show(&b.parties)
        );
    }
    Ok(EXIT_OK)
}

/// `bindings: vessels [..]; facilities [..]; parties [..]`, values quoted.
pub fn bindings_line(b: &Bindings) -> String {
    format!(
        "bindings: vessels {:?}; facilities {:?}; parties {:?}",
        b.vessels, b.facilities, b.parties
    )
}

fn read_certs(p: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let text = files::read_text(p)?;
    path::certs_from_pem(&text).map_err(|e| CliError::other(format!("{}: {e}", p.display())))
}

fn verify(a: VerifyArgs, clock: &dyn Clock) -> CmdResult {
    let at = match a.at {
        Some(t) => t,
        None => clock.now(),
    };
    let trust_text = files::read_text(&a.trust)?;
    let anchors = TrustAnchors::from_pem(&trust_text)
        .map_err(|e| CliError::other(format!("{}: {e}", a.trust.display())))?;
    let chain = read_certs(&a.cert)?;
    let pool = match &a.chain {
        Some(p) => read_certs(p)?,
        None => Vec::new(),
    };
    let mut validator = PathValidator::new(anchors);
    match validator.validate_certificate(&chain, &pool, at) {
        Ok(v) => {
            let roles = if v.roles.is_empty() {
                "none".to_string()
            } else {
                v.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            outln!("valid: {} (roles: {roles})", v.subject);
            if !v.bindings.is_empty() {
                outln!("{}", bindings_line(&v.bindings));
            }
            eprintln!("path: {} (checked at {at})", v.path.join(" <- "));
            Ok(EXIT_OK)
        }
        Err(e @ PathError::Malformed { .. }) => {
            Err(CliError::other(format!("{}: {e}", a.cert.display())))
        }
        Err(e) => Err(CliError::invalid(format!(
            "{}: invalid issuer path ({}): {e}",
            a.cert.display(),
            e.code()
        ))),
    }
}

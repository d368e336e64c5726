//! `catchcert import epcis FILE.jsonld --keys KEYRING.toml --out DIR [--lenient] [--report R.json]`

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use crate::issue::load_code_lists;
use catchcert_model::timestamp::Clock;
use catchcert_model::{CertId, input};
use catchcert_sign::{cose, keys, pki};
use catchcert_supply::epcis::Document;
use catchcert_supply::import::{self, Planned};
use catchcert_supply::keyring::Keyring;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `import` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ImportCommand {
    /// EPCIS 2.0 JSON-LD with GDST 1.2 KDEs → signed certificates, one per mapped event.
    Epcis(Args),
}

/// Arguments of `import epcis`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "The mapping is in docs/gdst.md, the keyring format in \
docs/batch.md. Strict by default: any problem refuses the whole document (exit 1, nothing \
written). JSON-LD contexts are never fetched."
)]
pub struct Args {
    /// The EPCIS document (EPCISDocument or EPCISQueryDocument).
    #[arg(value_name = "FILE.jsonld")]
    pub file: PathBuf,
    /// The keyring (TOML) naming the signer of each GS1 party.
    #[arg(long, value_name = "KEYRING.toml")]
    pub keys: PathBuf,
    /// Directory to write the certificates into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Map what can be mapped; report the events skipped and why.
    #[arg(long)]
    pub lenient: bool,
    /// Write a JSON report here.
    #[arg(long, value_name = "R.json")]
    pub report: Option<PathBuf>,
    /// Directory with the large code lists (as for `issue`).
    #[arg(long, value_name = "DIR", env = "CATCHCERT_CODES")]
    pub codes: Option<PathBuf>,
}

pub(crate) struct Loaded {
    pub(crate) key: ed25519_dalek::SigningKey,
    pub(crate) chain: Vec<Vec<u8>>,
}

pub(crate) fn load_signer(keyring: &Keyring, base: &Path, name: &str) -> Result<Loaded, String> {
    let s = keyring
        .signers
        .get(name)
        .ok_or_else(|| format!("no signer {name:?} in the keyring"))?;
    let read = |p: &str| -> Result<String, String> {
        let path = base.join(p);
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let key_text =
        crate::files::read_private_key(&base.join(&s.key)).map_err(|e| format!("{:#}", e.error))?;
    let key = keys::read_private(&key_text).map_err(|e| format!("{}: {e}", s.key))?;
    let cert_pem = read(&s.cert)?;
    if !pki::cert_key_matches(&cert_pem, &key) {
        return Err(format!("{}: does not match the key {}", s.cert, s.key));
    }
    let mut chain = pki::read_pem_chain(&cert_pem).map_err(|e| format!("{}: {e}", s.cert))?;
    if let Some(c) = &s.chain {
        chain.extend(pki::read_pem_chain(&read(c)?).map_err(|e| format!("{c}: {e}"))?);
    }
    Ok(Loaded { key, chain })
}

/// Run `import`.
pub fn run(c: ImportCommand, clock: &dyn Clock) -> CmdResult {
    let ImportCommand::Epcis(a) = c;
    let bytes = files::read_limited(&a.file, catchcert_supply::epcis::MAX_DOCUMENT_BYTES as u64)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::other(format!("{}: not UTF-8", a.file.display())))?;
    let doc = Document::parse(&text)
        .map_err(|e| CliError::other(format!("{}: {e}", a.file.display())))?;
    let keyring = Keyring::parse(&files::read_text(&a.keys)?)
        .map_err(|e| CliError::other(format!("{}: {e}", a.keys.display())))?;
    let base = a.keys.parent().unwrap_or(Path::new(".")).to_path_buf();
    let lists = load_code_lists(a.codes.as_deref())?;
    let plan = import::plan(&doc, &keyring);
    for p in &plan.problems {
        eprintln!(
            "{}: event {}: {}: {}",
            a.file.display(),
            p.event,
            p.kde,
            p.reason
        );
    }
    for (e, why) in &plan.skipped {
        eprintln!("{}: event {e}: skipped: {why}", a.file.display());
    }
    let mut report = serde_json::json!({
        "file": a.file.display().to_string(),
        "problems": plan.problems,
        "not_mapped": plan.not_mapped.iter().map(|(e, s)| serde_json::json!({"event": e, "bizStep": s})).collect::<Vec<_>>(),
        "certificates": [],
        "skipped": [],
    });
    if (!plan.problems.is_empty() || !plan.skipped.is_empty()) && !a.lenient {
        report["skipped"] = skipped_json(&plan.skipped);
        write_report(a.report.as_deref(), &report)?;
        return Err(CliError::other(format!(
            "{}: refused: {} problem(s), {} event(s) depending on them; nothing written (--lenient maps what it can)",
            a.file.display(),
            plan.problems.len(),
            plan.skipped.len()
        )));
    }
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::other(format!("{}: {e}", a.out.display())))?;
    let issued_at = clock.now();
    let mut ids: BTreeMap<usize, CertId> = BTreeMap::new();
    let mut signers: BTreeMap<String, Loaded> = BTreeMap::new();
    let mut certs = Vec::new();
    let mut skipped = match skipped_json(&plan.skipped) {
        serde_json::Value::Array(a) => a,
        _ => Vec::new(),
    };
    for p in &plan.planned {
        match sign_one(p, &keyring, &base, &mut signers, &ids, issued_at, &lists) {
            Ok((id, bytes)) => {
                let file = a.out.join(format!(
                    "{}.cose",
                    id.to_string().trim_start_matches("sha256:")
                ));
                files::write_atomic(&file, &bytes, true, false)?;
                ids.insert(p.index, id);
                certs.push(serde_json::json!({"event": p.label, "kind": p.kind.as_str(), "id": id.to_string(), "file": file.display().to_string()}));
                outln!("{id} {} {}", p.kind, p.label);
            }
            Err(reason) => {
                eprintln!("{}: event {}: skipped: {reason}", a.file.display(), p.label);
                skipped.push(serde_json::json!({"event": p.label, "reason": reason}));
            }
        }
    }
    eprintln!(
        "{} certificate(s) written to {}; {} event(s) skipped, {} problem(s), {} not mapped",
        certs.len(),
        a.out.display(),
        skipped.len(),
        plan.problems.len(),
        plan.not_mapped.len()
    );
    report["certificates"] = serde_json::Value::Array(certs);
    report["skipped"] = serde_json::Value::Array(skipped);
    write_report(a.report.as_deref(), &report)?;
    Ok(EXIT_OK)
}

fn sign_one(
    p: &Planned,
    keyring: &Keyring,
    base: &Path,
    signers: &mut BTreeMap<String, Loaded>,
    ids: &BTreeMap<usize, CertId>,
    issued_at: catchcert_model::Timestamp,
    lists: &catchcert_model::codes::CodeLists,
) -> Result<(CertId, Vec<u8>), String> {
    let mut j = p.input.clone();
    if let Some(ins) = j.get_mut("inputs").and_then(|v| v.as_array_mut()) {
        for i in ins {
            let r = i["certificate"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('@');
            let id = r
                .parse::<usize>()
                .ok()
                .and_then(|n| ids.get(&n))
                .ok_or_else(|| format!("depends on event #{r}, which was not signed"))?;
            i["certificate"] = serde_json::json!(id.to_string());
        }
    }
    if !signers.contains_key(&p.signer) {
        let l = load_signer(keyring, base, &p.signer)?;
        signers.insert(p.signer.clone(), l);
    }
    let s = signers.get(&p.signer).ok_or("signer not loaded")?;
    let text = serde_json::to_vec(&j).map_err(|e| e.to_string())?;
    let mut salt = || {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        b
    };
    let built =
        input::build(p.kind, &text, issued_at, lists, &mut salt).map_err(|e| e.to_string())?;
    let payload = built
        .payload
        .with_epcis(p.link.clone())
        .map_err(|e| e.to_string())?;
    let bytes = cose::sign_payload(&payload, &s.key, &s.chain).map_err(|e| e.to_string())?;
    Ok((CertId::of_cose(&bytes), bytes))
}

fn skipped_json(skipped: &[(String, String)]) -> serde_json::Value {
    skipped
        .iter()
        .map(|(e, r)| serde_json::json!({"event": e, "reason": r}))
        .collect()
}

fn write_report(path: Option<&Path>, report: &serde_json::Value) -> Result<(), CliError> {
    if let Some(p) = path {
        let text = serde_json::to_vec_pretty(report).map_err(CliError::other)?;
        files::write_atomic(p, &text, true, false)?;
    }
    Ok(())
}

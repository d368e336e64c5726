//! `catchcert issue-batch --keys KEYRING.toml --input FILE.csv|FILE.jsonl|DIR --out DIR [--report R.json]`

use crate::error::{CliError, CmdResult, EXIT_OK, EXIT_OTHER};
use crate::files;
use crate::import_cmd::{Loaded, load_signer};
use crate::issue::{load_code_lists, parse_time_flag};
use catchcert_model::timestamp::Clock;
use catchcert_model::{CertId, input};
use catchcert_sign::cose;
use catchcert_supply::batch::{self, Row, RowError};
use catchcert_supply::keyring::Keyring;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `issue-batch`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Input: FILE.jsonl (one flat JSON object per line: id, kind, \
signer and the input fields of `issue`), FILE.csv (columns in docs/batch.md) or a DIR of .json \
files (the file name is the default row id). A row refers to an earlier row's certificate as \
\"@ROW-ID\" in inputs[].certificate or attestations. Certificates are written as DIR/ROW-ID.cose. \
A bad row never stops the others; rows depending on it are skipped. Exit 0 when every row was \
signed, 1 otherwise (after writing all good rows)."
)]
pub struct Args {
    /// The keyring (TOML; docs/batch.md).
    #[arg(long, value_name = "KEYRING.toml")]
    pub keys: PathBuf,
    /// The rows: FILE.csv, FILE.jsonl or a directory of .json files.
    #[arg(long, value_name = "FILE.csv|FILE.jsonl|DIR")]
    pub input: PathBuf,
    /// Directory for the certificates (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write a JSON report here (every row: signed, failed with field and reason, or skipped).
    #[arg(long, value_name = "R.json")]
    pub report: Option<PathBuf>,
    /// Signing time for back-filling (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub issued_at: Option<String>,
    /// Directory with the large code lists (as for `issue`).
    #[arg(long, value_name = "DIR", env = "CATCHCERT_CODES")]
    pub codes: Option<PathBuf>,
}

fn read_rows(path: &Path) -> Result<(Vec<Row>, Vec<RowError>), CliError> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("json"))
            .collect();
        entries.sort();
        let (mut rows, mut errors) = (Vec::new(), Vec::new());
        for p in entries {
            let at = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("?")
                .to_string();
            let stem = p.file_stem().and_then(|n| n.to_str()).map(str::to_string);
            let text = files::read_text(&p)?;
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(o)) => {
                    match batch::row_from_object(o, &at, stem.as_deref()) {
                        Ok(r) => rows.push(r),
                        Err(e) => errors.push(e),
                    }
                }
                _ => errors.push(RowError {
                    row: at,
                    field: "(row)".into(),
                    reason: "not a JSON object".into(),
                }),
            }
        }
        return Ok((rows, errors));
    }
    let text = files::read_text(path)?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Ok(batch::parse_csv(&text)),
        Some("jsonl" | "ndjson") => Ok(batch::parse_jsonl(&text)),
        _ => Err(CliError::usage(format!(
            "{}: --input must be FILE.csv, FILE.jsonl or a directory",
            path.display()
        ))),
    }
}

/// Run `issue-batch`.
pub fn run(a: Args, clock: &dyn Clock) -> CmdResult {
    let keyring = Keyring::parse(&files::read_text(&a.keys)?)
        .map_err(|e| CliError::other(format!("{}: {e}", a.keys.display())))?;
    let base = a.keys.parent().unwrap_or(Path::new(".")).to_path_buf();
    let issued_at = match &a.issued_at {
        Some(s) => parse_time_flag("--issued-at", s)?,
        None => clock.now(),
    };
    let lists = load_code_lists(a.codes.as_deref())?;
    let (rows, mut failed) = read_rows(&a.input)?;
    if rows.len() > batch::MAX_ROWS {
        return Err(CliError::usage(format!(
            "{}: over {} rows",
            a.input.display(),
            batch::MAX_ROWS
        )));
    }
    // Rows that did not even parse count too.
    let total = rows.len() + failed.len();
    let (order, order_errors) = batch::order(&rows);
    failed.extend(order_errors);
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::other(format!("{}: {e}", a.out.display())))?;
    let bar = (std::io::stdout().is_terminal() && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(order.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut bad: BTreeSet<String> = failed.iter().map(|e| e.row.clone()).collect();
    let mut ids: BTreeMap<String, CertId> = BTreeMap::new();
    let mut signers: BTreeMap<String, Loaded> = BTreeMap::new();
    let mut signed = Vec::new();
    let mut skipped = Vec::new();
    for i in order {
        let r = &rows[i];
        if let Some(b) = &bar {
            b.inc(1);
        }
        if let Some(dep) = batch::references(&r.input)
            .into_iter()
            .find(|d| !ids.contains_key(d))
        {
            bad.insert(r.id.clone());
            skipped.push(serde_json::json!({"row": r.id, "reason": format!("depends on row {dep}, which was not signed")}));
            continue;
        }
        match sign_row(r, &keyring, &base, &mut signers, &ids, issued_at, &lists) {
            Ok((id, bytes)) => {
                let file = a.out.join(format!("{}.cose", r.id));
                files::write_atomic(&file, &bytes, true, false)?;
                ids.insert(r.id.clone(), id);
                if bar.is_none() {
                    outln!("{} {id}", r.id);
                }
                signed.push(serde_json::json!({"row": r.id, "kind": r.kind.as_str(), "id": id.to_string(), "file": file.display().to_string()}));
            }
            Err(e) => {
                bad.insert(r.id.clone());
                failed.push(e);
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for e in &failed {
        eprintln!(
            "{}: row {}: {}: {}",
            a.input.display(),
            e.row,
            e.field,
            e.reason
        );
    }
    for s in &skipped {
        eprintln!(
            "{}: row {}: skipped: {}",
            a.input.display(),
            s["row"].as_str().unwrap_or(""),
            s["reason"].as_str().unwrap_or("")
        );
    }
    eprintln!(
        "{} row(s): {} signed, {} failed, {} skipped; certificates in {}",
        total,
        signed.len(),
        failed.len(),
        skipped.len(),
        a.out.display()
    );
    if let Some(p) = &a.report {
        let report = serde_json::json!({
            "input": a.input.display().to_string(),
            "signed": signed,
            "failed": failed,
            "skipped": skipped,
        });
        let text = serde_json::to_vec_pretty(&report).map_err(CliError::other)?;
        files::write_atomic(p, &text, true, false)?;
    }
    Ok(if failed.is_empty() && skipped.is_empty() {
        EXIT_OK
    } else {
        EXIT_OTHER
    })
}

fn sign_row(
    r: &Row,
    keyring: &Keyring,
    base: &Path,
    signers: &mut BTreeMap<String, Loaded>,
    ids: &BTreeMap<String, CertId>,
    issued_at: catchcert_model::Timestamp,
    lists: &catchcert_model::codes::CodeLists,
) -> Result<(CertId, Vec<u8>), RowError> {
    let fail = |field: &str, reason: String| RowError {
        row: r.id.clone(),
        field: field.into(),
        reason,
    };
    if !signers.contains_key(&r.signer) {
        let l = load_signer(keyring, base, &r.signer).map_err(|e| fail("signer", e))?;
        signers.insert(r.signer.clone(), l);
    }
    let s = signers
        .get(&r.signer)
        .ok_or_else(|| fail("signer", "not loaded".into()))?;
    let input = batch::substitute(&r.input, ids);
    let text = serde_json::to_vec(&input).map_err(|e| fail("(row)", e.to_string()))?;
    let mut salt = || {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        b
    };
    let built = input::build(r.kind, &text, issued_at, lists, &mut salt).map_err(|e| {
        let reason = if e.value.is_empty() {
            e.reason.clone()
        } else {
            format!("{}: {}", e.value, e.reason)
        };
        fail(&e.field, reason)
    })?;
    if built.disclosure.is_some() {
        return Err(fail("kind", "crew attestations are issued one by one with `issue` (they write a private disclosure file)".into()));
    }
    let bytes = cose::sign_payload(&built.payload, &s.key, &s.chain)
        .map_err(|e| fail("(signing)", e.to_string()))?;
    Ok((CertId::of_cose(&bytes), bytes))
}

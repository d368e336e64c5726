//! `catchcert inspect FILE.cose [--json]`: decode without verifying.

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::files;
use catchcert_model::bindings_ext::{self, Bindings};
use catchcert_model::{MAX_CERTIFICATE_BYTES, json::payload_to_json, roles_ext};
use catchcert_verify::cose;
use serde_json::json;
use std::path::PathBuf;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Arguments of `inspect`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Decodes a certificate and shows its id, kind, issuer and payload \
WITHOUT checking its signature or issuer: use `catchcert verify` for that.\n\nExamples:\n  \
catchcert inspect catch.cose\n  catchcert inspect catch.cose --json | jq .payload"
)]
pub struct Args {
    /// The certificate file.
    #[arg(value_name = "FILE.cose")]
    pub file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Subject, roles, bindings (what it speaks for, its subject's `O` among the parties) and
/// validity of a DER issuer certificate, for display.
pub fn describe_issuer(der: &[u8]) -> serde_json::Value {
    match X509Certificate::from_der(der) {
        Ok((_, c)) => {
            let roles: Vec<String> = c
                .extensions()
                .iter()
                .find(|e| e.oid.as_bytes() == roles_ext::OID_DER)
                .and_then(|e| roles_ext::decode(e.value).ok())
                .map(|r| r.iter().map(|x| x.as_str().to_string()).collect())
                .unwrap_or_default();
            let ext = c
                .extensions()
                .iter()
                .find(|e| e.oid.as_bytes() == bindings_ext::OID_DER)
                .map(|e| bindings_ext::decode(e.value));
            let orgs: Vec<String> = c
                .subject()
                .iter_organization()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect();
            let bindings = match ext {
                Some(Err(e)) => json!({"error": e.to_string()}),
                Some(Ok(b)) => bindings_json(&Bindings::effective(Some(&b), &orgs)),
                None => bindings_json(&Bindings::effective(None, &orgs)),
            };
            json!({
                "subject": c.subject().to_string(),
                "issuer": c.issuer().to_string(),
                "roles": roles,
                "bindings": bindings,
                "not_before": c.validity().not_before.to_datetime().unix_timestamp(),
                "not_after": c.validity().not_after.to_datetime().unix_timestamp(),
            })
        }
        Err(e) => json!({"error": format!("not an X.509 certificate: {e}")}),
    }
}

fn bindings_json(b: &Bindings) -> serde_json::Value {
    json!({"vessels": b.vessels, "facilities": b.facilities, "parties": b.parties})
}

/// Run `inspect`.
pub fn run(a: Args) -> CmdResult {
    let bytes = files::read_limited(&a.file, MAX_CERTIFICATE_BYTES as u64)?;
    let name = a.file.display();
    let (s, p) =
        cose::decode_certificate(&bytes).map_err(|e| CliError::other(format!("{name}: {e}")))?;
    let mut issuer = s
        .x5chain
        .first()
        .map(|d| describe_issuer(d))
        .unwrap_or(json!(null));
    for k in ["not_before", "not_after"] {
        if let Some(n) = issuer.get(k).and_then(|v| v.as_i64()) {
            issuer[k] = json!(catchcert_model::Timestamp(n).to_rfc3339());
        }
    }
    eprintln!(
        "note: {name}: decoded only; signature and issuer NOT verified (use `catchcert verify`)"
    );
    if a.json {
        let out = json!({
            "id": s.id.to_string(),
            "kind": p.kind().as_str(),
            "verified": false,
            "issuer": issuer,
            "chain_length": s.x5chain.len(),
            "payload": payload_to_json(&p),
        });
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(CliError::other)?
        );
    } else {
        outln!("id:        {}", s.id);
        outln!("kind:      {}", p.kind());
        outln!(
            "issuer:    {} (roles: {})",
            issuer["subject"].as_str().unwrap_or("?"),
            issuer["roles"]
                .as_array()
                .map(|r| r
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        );
        let b = &issuer["bindings"];
        if let Some(err) = b.get("error").and_then(|e| e.as_str()) {
            outln!("bindings:  unreadable: {err}");
        } else {
            let list = |k: &str| {
                let v: Vec<String> = b[k]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(|s| format!("{s:?}")))
                            .collect()
                    })
                    .unwrap_or_default();
                format!("[{}]", v.join(", "))
            };
            outln!(
                "bindings:  vessels {}; facilities {}; parties {}",
                list("vessels"),
                list("facilities"),
                list("parties")
            );
        }
        outln!("time:      {}", p.time());
        outln!("issued_at: {}", p.issued_at());
        outln!("summary:   {}", catchcert_model::summary::summary(&p));
        outln!(
            "payload:\n{}",
            serde_json::to_string_pretty(&payload_to_json(&p)).map_err(CliError::other)?
        );
    }
    Ok(EXIT_OK)
}

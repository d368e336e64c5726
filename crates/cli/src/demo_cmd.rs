//! `catchcert demo [--out DIR]`: build and sign the demo supply chain.

use crate::error::{CliError, CmdResult, EXIT_OK};
use crate::{files, report};
use catchcert_demo::{Programme, VERIFY_AT, demo_chain, t};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::path::TrustAnchors;
use std::path::PathBuf;

/// Arguments of `demo`.
#[derive(clap::Args, Debug)]
#[command(
    after_long_help = "Writes a programme root, seven accredited issuers (auditor, two \
longliners, a reefer, a processor, an importer, a retailer) with their keys, and sixteen signed \
certificates: crew and facility attestations, catches of yellowfin and bigeye in FAO area 71, \
transshipments at sea, landings at Phuket, processing into loins and steaks, shipments and \
receipts. Also writes loins.bundle and steaks.bundle and prints the loins verdict.\n\n\
Example:\n  catchcert demo --out demo && catchcert verify demo/steaks.bundle --trust demo/root.pem"
)]
pub struct Args {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR", default_value = "catchcert-demo")]
    pub out: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Run `demo`.
pub fn run(a: Args) -> CmdResult {
    std::fs::create_dir_all(a.out.join("certificates"))
        .map_err(|e| CliError::other(format!("{}: cannot create: {e}", a.out.display())))?;
    let p = Programme::new().map_err(CliError::other)?;
    let c = demo_chain(&p).map_err(CliError::other)?;
    files::write_atomic(
        &a.out.join("root.pem"),
        p.root_pem.as_bytes(),
        a.force,
        false,
    )?;
    for party in p.parties.values() {
        let key = catchcert_sign::keys::private_pem(&party.key).map_err(CliError::other)?;
        files::write_atomic(
            &a.out.join(format!("{}.key", party.label)),
            key.as_bytes(),
            a.force,
            true,
        )?;
        files::write_atomic(
            &a.out.join(format!("{}.pem", party.label)),
            party.cert_pem.as_bytes(),
            a.force,
            false,
        )?;
    }
    for s in &c.certs {
        files::write_atomic(
            &a.out.join("certificates").join(format!("{}.cose", s.name)),
            &s.bytes,
            a.force,
            false,
        )?;
        if let Some(d) = &s.disclosure {
            let text = serde_json::to_vec_pretty(d).map_err(CliError::other)?;
            files::write_atomic(
                &a.out
                    .join("certificates")
                    .join(format!("{}.cose.disclosure.json", s.name)),
                &text,
                a.force,
                true,
            )?;
        }
    }
    let certs = c.bytes();
    for (name, head) in [
        ("loins.bundle", c.loins_head()),
        ("steaks.bundle", c.steaks_head()),
    ] {
        let b = chain::bundle_for(&certs, head).map_err(CliError::other)?;
        files::write_atomic(&a.out.join(name), &b.to_bytes(), a.force, false)?;
    }
    let anchors = TrustAnchors::from_pem(&p.root_pem).map_err(CliError::other)?;
    let v = chain::verify(
        &certs,
        &[],
        c.loins_head(),
        &anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    eprintln!(
        "wrote the demo programme and {} certificates to {}\n",
        c.certs.len(),
        a.out.display()
    );
    out!("{}", report::text(&v));
    eprintln!(
        "\nnext: catchcert verify {0}/steaks.bundle --trust {0}/root.pem",
        a.out.display()
    );
    Ok(EXIT_OK)
}

//! Writes a generated set of N certificates whose whole graph hangs from one receipt, for
//! load runs of `catchcert verify` on a large directory.
//!
//! ```text
//! cargo run --release -p catchcert-demo --example make_large_set -- DIR [N]
//! catchcert verify DIR --trust DIR/root.pem --head "$(cat DIR/head.txt)"
//! ```
//!
//! N defaults to 10 000. Writes `NNNNN-<name>.cose` per certificate, `root.pem` (the demo
//! programme's root) and `head.txt` (the head's id). The generator is shared with the
//! verifier's benchmarks (`crates/verify/benches/support/large_set.rs`).

#[path = "../../verify/benches/support/large_set.rs"]
mod large_set;

use catchcert_demo::Programme;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: make_large_set DIR [N]")?);
    let n: usize = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("N: {e}"))?,
        None => 10_000,
    };
    let p = Programme::new()?;
    let set = large_set::generate(&p, n)?;
    std::fs::create_dir_all(&dir)?;
    for (i, c) in set.certs.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:05}-{}.cose", c.name)), &c.bytes)?;
    }
    std::fs::write(dir.join("root.pem"), &p.root_pem)?;
    std::fs::write(dir.join("head.txt"), format!("{}\n", set.head))?;
    eprintln!(
        "wrote {} certificates to {}; head {}",
        set.certs.len(),
        dir.display(),
        set.head
    );
    Ok(())
}

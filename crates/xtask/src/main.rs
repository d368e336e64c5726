//! catchcert's developer tasks (`cargo xtask …`, an alias in `.cargo/config.toml` for
//! `cargo run -p xtask --`): the generators of the committed fixtures and of the examples
//! in the documentation.
//!
//! ```text
//! cargo xtask fixtures fixtures --force          # fixtures/{trust,demo,cases}
//! cargo xtask pki-fixtures fixtures/pki --force  # fixtures/pki
//! cargo xtask large-set /tmp/large10k 10000      # a set of N certificates with one head
//! cargo xtask format-example                     # the worked example of docs/format.md
//! ```
//!
//! The xtask sits at the top of the dependency graph (model, sign, demo, verify, testkit)
//! and nothing depends on it, so generators need no example targets in library crates.
#![forbid(unsafe_code)]

mod fixtures;
mod format_example;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "xtask", about = "catchcert's fixture and example generators")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Write the verifier's fixtures: the demo trust root, the demo chain (certificates,
    /// bundles, verdicts) and one directory per attack case.
    Fixtures {
        /// The fixtures directory (`fixtures`).
        dir: PathBuf,
        /// Replace existing fixtures (everything under trust/, demo/ and cases/).
        #[arg(long)]
        force: bool,
    },
    /// Write the issuer-path fixtures (PEM certificates and cases.json).
    PkiFixtures {
        /// The directory (`fixtures/pki`).
        dir: PathBuf,
        /// Replace an existing cases.json and its certificates.
        #[arg(long)]
        force: bool,
    },
    /// Write a set of N certificates whose whole graph hangs from one receipt, with the
    /// demo programme's root.pem and head.txt, for load runs.
    LargeSet {
        /// The directory to write into.
        dir: PathBuf,
        /// How many certificates (at least 8).
        #[arg(default_value_t = 10_000)]
        n: usize,
    },
    /// Print the worked example of docs/format.md.
    FormatExample,
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn pki_fixtures(dir: &Path, force: bool) -> Res<()> {
    if dir.join("cases.json").exists() && !force {
        eprintln!(
            "{}: cases.json exists; pass --force to regenerate",
            dir.display()
        );
        return Ok(());
    }
    let cases = catchcert_testkit::pki_fixtures::generate(dir)?;
    eprintln!("wrote {} cases to {}", cases.len(), dir.display());
    Ok(())
}

fn large_set(dir: &Path, n: usize) -> Res<()> {
    let p = catchcert_demo::Programme::new()?;
    let set = catchcert_testkit::large_set::generate(&p, n)?;
    std::fs::create_dir_all(dir)?;
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

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Fixtures { dir, force } => fixtures::run(&dir, force),
        Task::PkiFixtures { dir, force } => pki_fixtures(&dir, force),
        Task::LargeSet { dir, n } => large_set(&dir, n),
        Task::FormatExample => format_example::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

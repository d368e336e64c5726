//! The report crate stays pure: no file, network, process, clock, thread or async in its
//! source, and no runtime, database, store, server or cli in its dependencies.

use std::path::Path;

#[test]
fn the_source_does_no_io_and_reads_no_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for banned in [
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
            "std::env",
            "SystemTime",
            "Instant::now",
            "async fn",
            "tokio",
            "File::",
            "println!",
        ] {
            assert!(!text.contains(banned), "{}: uses {banned}", path.display());
        }
    }
    assert!(files >= 3);
}

#[test]
fn the_dependencies_are_model_and_verify_only() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    let names: Vec<&str> = deps
        .lines()
        .filter_map(|l| l.split(['.', '=', ' ']).next())
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(names, ["catchcert-model", "catchcert-verify"], "{deps}");
}

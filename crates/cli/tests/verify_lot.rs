//! `catchcert verify --lot LOT` (contract §4) and `lots` in the `--json` verdict, on a small
//! directory signed by the testkit's bound issuers.

use assert_cmd::Command;
use catchcert_testkit::certs::{self, Pki};

fn catchcert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

#[test]
fn lot_picks_the_certificate_that_holds_it() {
    let pki = Pki::new();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(d.path().join("root.pem"), &pki.root_pem).unwrap();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    std::fs::write(dir.join("catch.cose"), &c).unwrap();
    std::fs::write(dir.join("landing.cose"), &l).unwrap();
    let verify = |lot: &str| {
        catchcert()
            .args([
                "verify", "certs", "--trust", "root.pem", "--json", "--lot", lot,
            ])
            .current_dir(d.path())
            .assert()
    };
    let out = verify("L2").code(3).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["head"], certs::id(&l).to_string(), "{v}");
    assert_eq!(v["lots"], serde_json::json!(["L2"]), "{v}");
    assert_eq!(v["integrity"], "valid", "{v}");
    // The text verdict names the lots it vouches for too.
    let out = catchcert()
        .args(["verify", "certs", "--trust", "root.pem", "--lot", "L2"])
        .current_dir(d.path())
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().any(|l| l == "lots L2"), "{text}");
    // L1 is consumed by the landing (part of it): nobody holds it in the directory.
    let err = verify("L1").code(2).get_output().stderr.clone();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("no certificate holds"), "{err}");
    // Two holders of one lot id: each is named.
    let other = certs::catch(&pki.vessel, "L2", 5.0);
    std::fs::write(dir.join("other.cose"), &other).unwrap();
    let err = verify("L2").code(2).get_output().stderr.clone();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains(&certs::id(&l).to_string()), "{err}");
    assert!(err.contains(&certs::id(&other).to_string()), "{err}");
    // --lot and --head together are a usage error.
    catchcert()
        .args([
            "verify", "certs", "--trust", "root.pem", "--lot", "L2", "--head",
        ])
        .arg(certs::id(&l).to_string())
        .current_dir(d.path())
        .assert()
        .code(2);
}

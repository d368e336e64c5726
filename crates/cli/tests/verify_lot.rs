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

/// A directory `certs` under a fresh temporary directory with `root.pem` beside it, holding
/// `files` (name, bytes).
fn dir_with(pki: &Pki, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("certs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(d.path().join("root.pem"), &pki.root_pem).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    d
}

fn stderr_of(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

#[test]
fn without_head_several_candidates_or_none_is_a_usage_error_naming_them() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    let other = certs::catch(&pki.vessel, "L9", 5.0);
    // Two certificates whose outputs nobody consumes: each is named, sorted, one a line.
    let d = dir_with(
        &pki,
        &[
            ("catch.cose", &c),
            ("landing.cose", &l),
            ("other.cose", &other),
        ],
    );
    let a = catchcert()
        .args(["verify", "certs", "--trust", "root.pem"])
        .current_dir(d.path())
        .assert()
        .code(2)
        .stdout("");
    let mut ids = [certs::id(&l).to_string(), certs::id(&other).to_string()];
    ids.sort();
    assert_eq!(
        stderr_of(a),
        format!(
            "catchcert: certs: several head candidates; pass --head with one of:\n  {}\n  {}\n",
            ids[0], ids[1]
        )
    );
    // Only a revocation (never a candidate): no head candidate.
    let r = certs::revocation(&pki.registrar, certs::id(&c), "issued in error");
    let d = dir_with(&pki, &[("revocation.cose", &r)]);
    let a = catchcert()
        .args(["verify", "certs", "--trust", "root.pem"])
        .current_dir(d.path())
        .assert()
        .code(2)
        .stdout("");
    assert_eq!(
        stderr_of(a),
        "catchcert: certs: no head candidate (no custody certificate whose outputs are unconsumed); pass --head\n"
    );
    // One candidate: verified (the catch has no crew attestation: risk, exit 3).
    let d = dir_with(&pki, &[("catch.cose", &c), ("landing.cose", &l)]);
    let out = catchcert()
        .args(["verify", "certs", "--trust", "root.pem", "--json"])
        .current_dir(d.path())
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["head"], certs::id(&l).to_string(), "{v}");
}

#[test]
fn a_damaged_file_is_refused_without_head_and_with_lot() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    let cut = &l[..l.len() / 2];
    let garbage = b"not a certificate".as_slice();
    let why = |b: &[u8]| {
        catchcert_verify::cose::decode_certificate(b)
            .unwrap_err()
            .to_string()
    };
    let d = dir_with(
        &pki,
        &[
            ("a-garbage.cose", garbage),
            ("catch.cose", &c),
            ("landing.cose", &l),
            ("z-cut.cose", cut),
        ],
    );
    let refusal = format!(
        "catchcert: certs: 2 file(s) could not be read as certificates:\n  \
         certs/a-garbage.cose: {}\n  certs/z-cut.cose: {}\n\
         (pass --head ID to verify the others anyway)\n",
        why(garbage),
        why(cut)
    );
    // Without --head, and with --lot (which chooses the head too): exit 1, each damaged
    // file named with the reason, in path order, before anything is verified.
    for extra in [&[][..], &["--lot", "L2"][..]] {
        let a = catchcert()
            .args(["verify", "certs", "--trust", "root.pem"])
            .args(extra)
            .current_dir(d.path())
            .assert()
            .code(1)
            .stdout("");
        assert_eq!(stderr_of(a), refusal, "{extra:?}");
    }
    // With --head: the others are verified, each damaged file named as a warning.
    let a = catchcert()
        .args(["verify", "certs", "--trust", "root.pem", "--head"])
        .arg(certs::id(&l).to_string())
        .current_dir(d.path())
        .assert()
        .code(3);
    assert_eq!(
        stderr_of(a),
        format!(
            "warning: could not be read as a certificate: certs/a-garbage.cose: {}\n\
             warning: could not be read as a certificate: certs/z-cut.cose: {}\n",
            why(garbage),
            why(cut)
        )
    );
}

#[test]
fn lot_picks_the_holder_in_a_bundle_too() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    let d = dir_with(&pki, &[("catch.cose", &c), ("landing.cose", &l)]);
    catchcert()
        .args(["bundle", "--from", "certs", "--out", "l.bundle", "--head"])
        .arg(certs::id(&l).to_string())
        .current_dir(d.path())
        .assert()
        .success();
    let verify = |extra: &[&str]| {
        catchcert()
            .args(["verify", "l.bundle", "--trust", "root.pem", "--json"])
            .args(extra)
            .current_dir(d.path())
            .assert()
    };
    let plain = verify(&[]).code(3).get_output().stdout.clone();
    let by_lot = verify(&["--lot", "L2"]).code(3).get_output().stdout.clone();
    assert_eq!(
        String::from_utf8(by_lot).unwrap(),
        String::from_utf8(plain).unwrap()
    );
    // The catch's L1 is consumed by the landing within the bundle: nobody holds it.
    let a = verify(&["--lot", "L1"]).code(2).stdout("");
    assert_eq!(
        stderr_of(a),
        "catchcert: l.bundle: --lot \"L1\": no certificate holds this lot (outputs it with nobody consuming that output)\n"
    );
}

//! `catchcert verify --lot LOT` (contract §4) and `lots` in the `--json` verdict, on a small
//! directory signed by the testkit's bound issuers.

mod verify_common;

use catchcert_testkit::certs::{self, Pki};
use verify_common::{catchcert, dir_with, stderr_of, stdout_of, verify_in};

#[test]
fn lot_picks_the_certificate_that_holds_it() {
    let pki = Pki::new();
    let c = certs::catch(&pki.vessel, "L1", 100.0);
    let l = certs::landing(&pki.vessel, certs::id(&c), "L1", 60.0, "L2", 60.0);
    let d = dir_with(&pki, &[("catch.cose", &c), ("landing.cose", &l)]);
    let verify =
        |lot: &str, code: i32| verify_in(d.path(), "certs", &["--json", "--lot", lot], code);
    let out = stdout_of(&verify("L2", 3));
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["head"], certs::id(&l).to_string(), "{v}");
    assert_eq!(v["lots"], serde_json::json!(["L2"]), "{v}");
    assert_eq!(v["integrity"], "valid", "{v}");
    // The text verdict names the lots it vouches for too.
    let out = stdout_of(&verify_in(d.path(), "certs", &["--lot", "L2"], 3));
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().any(|l| l == "lots L2"), "{text}");
    // L1 is consumed by the landing (part of it): nobody holds it in the directory.
    let err = stderr_of(&verify("L1", 2));
    assert!(err.contains("no certificate holds"), "{err}");
    // Two holders of one lot id: each is named.
    let other = certs::catch(&pki.vessel, "L2", 5.0);
    std::fs::write(d.path().join("certs/other.cose"), &other).unwrap();
    let err = stderr_of(&verify("L2", 2));
    assert!(err.contains(&certs::id(&l).to_string()), "{err}");
    assert!(err.contains(&certs::id(&other).to_string()), "{err}");
    // --lot and --head together are a usage error.
    let head = certs::id(&l).to_string();
    verify_in(d.path(), "certs", &["--lot", "L2", "--head", &head], 2);
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
    let a = verify_in(d.path(), "certs", &[], 2).stdout("");
    let mut ids = [certs::id(&l).to_string(), certs::id(&other).to_string()];
    ids.sort();
    assert_eq!(
        stderr_of(&a),
        format!(
            "catchcert: certs: several head candidates; pass --head with one of:\n  {}\n  {}\n",
            ids[0], ids[1]
        )
    );
    // Only a revocation (never a candidate): no head candidate.
    let r = certs::revocation(&pki.registrar, certs::id(&c), "issued in error");
    let d = dir_with(&pki, &[("revocation.cose", &r)]);
    let a = verify_in(d.path(), "certs", &[], 2).stdout("");
    assert_eq!(
        stderr_of(&a),
        "catchcert: certs: no head candidate (no custody certificate whose outputs are unconsumed); pass --head\n"
    );
    // One candidate: verified (the catch has no crew attestation: risk, exit 3).
    let d = dir_with(&pki, &[("catch.cose", &c), ("landing.cose", &l)]);
    let out = stdout_of(&verify_in(d.path(), "certs", &["--json"], 3));
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
        let a = verify_in(d.path(), "certs", extra, 1).stdout("");
        assert_eq!(stderr_of(&a), refusal, "{extra:?}");
    }
    // With --head: the others are verified, each damaged file named as a warning.
    let a = verify_in(
        d.path(),
        "certs",
        &["--head", &certs::id(&l).to_string()],
        3,
    );
    assert_eq!(
        stderr_of(&a),
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
    let plain = stdout_of(&verify_in(d.path(), "l.bundle", &["--json"], 3));
    let by_lot = stdout_of(&verify_in(
        d.path(),
        "l.bundle",
        &["--json", "--lot", "L2"],
        3,
    ));
    assert_eq!(
        String::from_utf8(by_lot).unwrap(),
        String::from_utf8(plain).unwrap()
    );
    // The catch's L1 is consumed by the landing within the bundle: nobody holds it.
    let a = verify_in(d.path(), "l.bundle", &["--json", "--lot", "L1"], 2).stdout("");
    assert_eq!(
        stderr_of(&a),
        "catchcert: l.bundle: --lot \"L1\": no certificate holds this lot (outputs it with nobody consuming that output)\n"
    );
}

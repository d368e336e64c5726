//! `catchcert` end to end through the binary: keygen, issue, inspect, disclose and verify,
//! their exit codes (0 ok, 3 risk, 4 invalid, 2 usage, 1 other error), what goes to stdout
//! and stderr, and the files they write (modes, no silent overwrite).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Start of validity of the test programme, so back-filled certificates fall inside it.
const NOT_BEFORE: &str = "2026-01-01T00:00:00Z";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

/// Run the binary in `dir` and expect success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A programme made through the CLI itself: root, an auditor and a vessel (keys and
/// certificates named `root`, `auditor`, `vessel` in a fresh directory).
fn programme() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    for name in ["root", "auditor", "vessel"] {
        ok(p, &["keygen", "--out", &format!("{name}.key")]);
    }
    ok(
        p,
        &[
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=Test Programme Root",
            "--not-before",
            NOT_BEFORE,
            "--out",
            "root.pem",
        ],
    );
    for (name, role) in [("auditor", "auditor"), ("vessel", "vessel")] {
        let bindings: &[&str] = if name == "vessel" {
            &["--vessel", "IMO9074729"]
        } else {
            &[]
        };
        ok(
            p,
            &[
                &[
                    "pki",
                    "issue",
                    "--ca-key",
                    "root.key",
                    "--ca-cert",
                    "root.pem",
                    "--subject-key",
                    &format!("{name}.pub"),
                    "--subject",
                    &format!("CN=Test {name},O=Test"),
                    "--role",
                    role,
                    "--not-before",
                    NOT_BEFORE,
                    "--out",
                    &format!("{name}.pem"),
                ][..],
                bindings,
            ]
            .concat(),
        );
    }
    d
}

fn crew_json() -> Value {
    serde_json::json!({
        "time": "2026-01-15T09:00:00Z",
        "vessel": {"name": "Sea Harvest 7", "imo": "IMO9074729", "flag": "TWN"},
        "valid_from": "2026-01-15T00:00:00Z",
        "valid_until": "2027-01-15T00:00:00Z",
        "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": "2026-01-14"},
        "crew": [
            {"name": "Ahmad Suryadi", "nationality": "IDN", "role": "deckhand",
             "written_agreement": true, "holds_own_documents": true,
             "recruitment_fee_paid": false, "wage_method": "bank_transfer"}
        ],
        "rest_hours": {"min_per_24h": 10, "min_per_7d": 77},
        "ilo_indicators": []
    })
}

fn catch_json() -> Value {
    serde_json::json!({
        "time": "2026-03-02T06:00:00Z",
        "vessel_imo": "IMO9074729", "fao_area": "71", "gear": "LLD",
        "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
        "outputs": [{"lot": "SH7-2026-03-YFT", "quantity_kg": 1200.0, "species": "YFT"}],
        "attestations": []
    })
}

fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

fn is_id(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// SHA-256 of a file by an independent tool (coreutils `sha256sum`).
fn sha256sum(p: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(p)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// `catchcert demo --out DIR` in a fresh directory.
fn demo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    bin()
        .args(["demo", "--out"])
        .arg(d.path())
        .assert()
        .success();
    d
}

fn verify_json(args: &[&str]) -> (i32, Value) {
    let out = bin()
        .arg("verify")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify --json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------- keygen

#[test]
fn keygen_writes_pkcs8_v1_that_openssl_and_python_read_and_v2_keys_still_load() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("k.key");
    bin().args(["keygen", "--out", s(&key)]).assert().success();
    let der = pem::parse(std::fs::read_to_string(&key).unwrap())
        .unwrap()
        .into_contents();
    assert_eq!(
        der.len(),
        48,
        "PKCS#8 v1 (RFC 8410), no attached public key"
    );
    assert_eq!(der[4], 0, "version 0");

    match std::process::Command::new("openssl")
        .arg("version")
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = std::process::Command::new("openssl")
                .args(["pkey", "-in", s(&key), "-noout"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl pkey refused the key: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // and derives the same public key as keygen wrote
            let out = std::process::Command::new("openssl")
                .args(["pkey", "-in", s(&key), "-pubout"])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                std::fs::read_to_string(d.path().join("k.pub")).unwrap()
            );
        }
        _ => eprintln!("note: openssl not found; skipping the openssl pkey check"),
    }
    let py = "import sys\nfrom cryptography.hazmat.primitives.serialization import load_pem_private_key\nload_pem_private_key(open(sys.argv[1],'rb').read(), None)\n";
    match std::process::Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = std::process::Command::new("python3")
                .args(["-c", py, s(&key)])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "python cryptography refused the key: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        _ => eprintln!("note: python3 with cryptography not found; skipping that check"),
    }

    // A key in the PKCS#8 v2 form (RFC 5958, public key attached) that earlier versions
    // wrote still works.
    let k = catchcert_sign::keys::generate();
    let v2 = d.path().join("v2.key");
    std::fs::write(&v2, catchcert_sign::keys::private_pem_v2(&k).unwrap()).unwrap();
    std::fs::set_permissions(&v2, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    bin()
        .current_dir(d.path())
        .args([
            "pki",
            "init-root",
            "--key",
            "v2.key",
            "--subject",
            "CN=V2 Root",
        ])
        .args(["--out", "v2.pem"])
        .assert()
        .success();
}

#[test]
fn keygen_writes_a_private_key_and_a_public_key_and_never_overwrites() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("k.key");
    bin()
        .args(["keygen", "--out", s(&key)])
        .assert()
        .success()
        .stdout("");
    let private = std::fs::read_to_string(&key).unwrap();
    let public = std::fs::read_to_string(d.path().join("k.pub")).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{private}"
    );
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600, "the private key must be private");

    // A second run without --force refuses, names the file, and leaves the key alone.
    bin()
        .args(["keygen", "--out", s(&key)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("k.key").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), private);

    // Only the .pub present: still refused, naming that file.
    let other = d.path().join("o.key");
    std::fs::write(d.path().join("o.pub"), "x").unwrap();
    bin()
        .args(["keygen", "--out", s(&other)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("o.pub"));
    assert!(!other.exists());

    // --force replaces both.
    bin()
        .args(["keygen", "--force", "--out", s(&key)])
        .assert()
        .success();
    assert_ne!(std::fs::read_to_string(&key).unwrap(), private);
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
}

// ---------------------------------------------------------------- issue

#[test]
fn issue_prints_only_the_id_which_is_the_sha256_of_the_file() {
    let d = programme();
    let p = d.path();
    write_json(p, "catch.json", &catch_json());
    let out = ok(
        p,
        &[
            "issue",
            "catch",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "catch.json",
            "--out",
            "catch.cose",
            "--issued-at",
            "2026-03-02T07:00:00Z",
        ],
    );
    assert!(out.ends_with('\n') && out.lines().count() == 1, "{out:?}");
    let id = out.trim_end();
    assert!(is_id(id), "{id}");
    assert_eq!(id, format!("sha256:{}", sha256sum(&p.join("catch.cose"))));

    // inspect --json shows the same id, the kind, the issuer and the payload, with the
    // back-filled signing time.
    let out = bin()
        .current_dir(p)
        .args(["inspect", "catch.cose", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("NOT verified"))
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["id"], id);
    assert_eq!(v["kind"], "catch");
    assert!(
        v["issuer"]["subject"]
            .as_str()
            .unwrap()
            .contains("Test vessel"),
        "{v}"
    );
    assert_eq!(v["payload"]["issued_at"], "2026-03-02T07:00:00Z");
    assert_eq!(v["payload"]["time"], "2026-03-02T06:00:00Z");
    assert_eq!(v["payload"]["fao_area"], "71");
    // what the issuer speaks for: its vessel binding and its subject's O
    assert_eq!(
        v["issuer"]["bindings"],
        serde_json::json!({"vessels": ["IMO9074729"], "facilities": [], "parties": ["Test"]})
    );
    bin()
        .current_dir(p)
        .args(["inspect", "catch.cose"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "bindings:  vessels [\"IMO9074729\"]; facilities []; parties [\"Test\"]",
        ));

    // The same output again without --force: refused, file unchanged.
    let before = std::fs::read(p.join("catch.cose")).unwrap();
    bin()
        .current_dir(p)
        .args([
            "issue",
            "catch",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "catch.json",
            "--out",
            "catch.cose",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("catch.cose"));
    assert_eq!(std::fs::read(p.join("catch.cose")).unwrap(), before);
}

#[test]
fn issue_refuses_a_key_that_does_not_match_the_certificate() {
    let d = programme();
    let p = d.path();
    write_json(p, "catch.json", &catch_json());
    bin()
        .current_dir(p)
        .args([
            "issue",
            "catch",
            "--key",
            "auditor.key",
            "--cert",
            "vessel.pem",
            "--input",
            "catch.json",
            "--out",
            "catch.cose",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("does not match"));
    assert!(!p.join("catch.cose").exists());
}

#[test]
fn issue_names_the_invalid_field_and_the_input_file() {
    let d = programme();
    let p = d.path();
    let mut c = catch_json();
    c["fao_area"] = "99".into();
    write_json(p, "bad-catch.json", &c);
    bin()
        .current_dir(p)
        .args([
            "issue",
            "catch",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "bad-catch.json",
            "--out",
            "catch.cose",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("fao_area")
                .and(predicate::str::contains("bad-catch.json"))
                .and(predicate::str::contains("panicked").not()),
        );
    assert!(!p.join("catch.cose").exists());

    // An unknown field is refused by name too.
    let mut c = catch_json();
    c["vesel_imo"] = "IMO9074729".into();
    write_json(p, "typo.json", &c);
    bin()
        .current_dir(p)
        .args([
            "issue",
            "catch",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "typo.json",
            "--out",
            "catch.cose",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vesel_imo").and(predicate::str::contains("typo.json")));

    // A malformed --issued-at is a usage error naming the flag.
    bin()
        .current_dir(p)
        .args([
            "issue",
            "catch",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "typo.json",
            "--out",
            "catch.cose",
            "--issued-at",
            "yesterday",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--issued-at"));
}

#[test]
fn issue_warns_when_the_issuer_roles_do_not_cover_the_kind() {
    let d = programme();
    let p = d.path();
    write_json(p, "crew.json", &crew_json());
    // A vessel may not sign a crew attestation: signed anyway, with a warning.
    bin()
        .current_dir(p)
        .args([
            "issue",
            "crew_attestation",
            "--key",
            "vessel.key",
            "--cert",
            "vessel.pem",
            "--input",
            "crew.json",
            "--out",
            "crew.cose",
        ])
        .assert()
        .success()
        .stdout(predicate::function(|o: &str| is_id(o.trim_end())))
        .stderr(
            predicate::str::contains("warning")
                .and(predicate::str::contains("vessel.pem"))
                .and(predicate::str::contains("crew_attestation")),
        );
    // The auditor may: no warning.
    bin()
        .current_dir(p)
        .args([
            "issue",
            "crew_attestation",
            "--key",
            "auditor.key",
            "--cert",
            "auditor.pem",
            "--input",
            "crew.json",
            "--out",
            "crew2.cose",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn crew_attestation_writes_a_private_disclosure_that_disclose_checks() {
    let d = programme();
    let p = d.path();
    write_json(p, "crew.json", &crew_json());
    let id = ok(
        p,
        &[
            "issue",
            "crew_attestation",
            "--key",
            "auditor.key",
            "--cert",
            "auditor.pem",
            "--input",
            "crew.json",
            "--out",
            "crew.cose",
        ],
    );
    let id = id.trim_end();
    let disc = p.join("crew.cose.disclosure.json");
    #[cfg(unix)]
    assert_eq!(mode(&disc), 0o600, "crew names in clear must be private");
    let text = std::fs::read_to_string(&disc).unwrap();
    assert!(text.contains("Ahmad Suryadi"), "{text}");
    // The signed certificate holds no crew name in clear.
    let cose = std::fs::read(p.join("crew.cose")).unwrap();
    assert!(!cose.windows(13).any(|w| w == b"Ahmad Suryadi"));

    bin()
        .current_dir(p)
        .args(["disclose", "crew.cose", "crew.cose.disclosure.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(id));

    // A changed name no longer matches its commitment: exit 4, naming the file.
    std::fs::write(
        p.join("tampered.json"),
        text.replace("Ahmad Suryadi", "Ahmad Suryadj"),
    )
    .unwrap();
    bin()
        .current_dir(p)
        .args(["disclose", "crew.cose", "tampered.json"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::contains("tampered.json"));

    // A disclosure that is not JSON at all: exit 1.
    std::fs::write(p.join("junk.json"), "not json").unwrap();
    bin()
        .current_dir(p)
        .args(["disclose", "crew.cose", "junk.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("junk.json"));
}

// ---------------------------------------------------------------- inspect

#[test]
fn inspect_refuses_garbage_and_missing_files_by_name() {
    let d = tempfile::tempdir().unwrap();
    let junk = d.path().join("junk.cose");
    std::fs::write(&junk, b"\xd2\x84garbage, not a certificate").unwrap();
    bin()
        .args(["inspect", s(&junk), "--json"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("junk.cose").and(predicate::str::contains("panicked").not()),
        );
    bin()
        .args(["inspect", s(&d.path().join("missing.cose"))])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.cose"));
    bin().args(["inspect"]).assert().code(2);
}

// ---------------------------------------------------------------- verify

#[test]
fn verify_demo_bundles_low_and_high_risk() {
    let d = demo();
    let root = d.path().join("root.pem");
    bin()
        .arg("verify")
        .arg(d.path().join("steaks.bundle"))
        .arg("--trust")
        .arg(&root)
        .assert()
        .code(0);

    let (code, v) = verify_json(&[s(&d.path().join("loins.bundle")), "--trust", s(&root)]);
    assert_eq!(code, 3, "{v}");
    assert!(is_id(v["head"].as_str().unwrap()), "{v}");
    assert_eq!(v["integrity"], "valid");
    assert_eq!(v["risk"], "high");
    assert!(v["certificates"].as_u64().unwrap() > 1, "{v}");
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "risk.forced_labour_indicator"),
        "{v}"
    );
    for f in findings {
        assert!(f["code"].is_string(), "{f}");
        assert!(
            ["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()),
            "{f}"
        );
        assert!(is_id(f["certificate"].as_str().unwrap()), "{f}");
        assert!(!f["message"].as_str().unwrap().is_empty(), "{f}");
        assert_ne!(f["severity"], "error", "valid verdict with an error: {f}");
    }

    // --html writes a report that carries the verdict.
    let html = d.path().join("report.html");
    bin()
        .arg("verify")
        .arg(d.path().join("loins.bundle"))
        .arg("--trust")
        .arg(&root)
        .arg("--html")
        .arg(&html)
        .assert()
        .code(3);
    let page = std::fs::read_to_string(&html).unwrap().to_lowercase();
    assert!(
        page.contains("<html") || page.contains("<!doctype"),
        "{page}"
    );
    assert!(
        page.contains("labour risk: high"),
        "no risk badge in the report"
    );
    assert!(
        page.contains("integrity: valid"),
        "no integrity badge in the report"
    );
    assert!(page.contains(v["head"].as_str().unwrap()), "no head id");
    assert!(page.contains("<svg"), "no lot graph");
    assert!(page.contains("supply-chain tracing"), "no tracing table");
    assert!(page.contains("blue horizon 12"), "no vessel name");
    assert!(!page.contains("<script"), "a script in the report");
}

#[test]
fn verify_a_bundle_with_one_flipped_payload_byte_is_invalid() {
    let d = demo();
    let root = d.path().join("root.pem");
    let mut bytes = std::fs::read(d.path().join("steaks.bundle")).unwrap();
    // The output lot of the head receipt occurs once, inside that certificate's payload.
    let lot = b"FM-BET-2026-0413";
    let hits: Vec<usize> = bytes
        .windows(lot.len())
        .enumerate()
        .filter(|(_, w)| *w == lot)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "the lot should occur once in the bundle");
    let bad = d.path().join("tampered.bundle");
    // The flip changes the certificate's id, and a bundle lists its certificates in id
    // order: take the first flip of a lot character (still a valid lot id) that keeps the
    // order, so that the bundle still decodes (the byte is inside a byte string) and this
    // is a verdict: integrity invalid, exit 4, never "valid".
    let original = bytes.clone();
    let mut found = false;
    for k in 0..lot.len() {
        bytes = original.clone();
        bytes[hits[0] + k] ^= 0x01;
        std::fs::write(&bad, &bytes).unwrap();
        let out = bin()
            .args(["verify", s(&bad), "--trust", s(&root), "--json"])
            .output()
            .unwrap();
        if !String::from_utf8_lossy(&out.stderr).contains("increasing id order") {
            found = true;
            break;
        }
    }
    assert!(found, "every flip of the lot breaks the bundle's id order");
    let (code, v) = verify_json(&[s(&bad), "--trust", s(&root)]);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["integrity"], "invalid");
    let errors: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(!errors.is_empty(), "{v}");
    assert!(
        errors
            .iter()
            .all(|f| f["code"] == "link.missing" || f["code"] == "signature.invalid"),
        "{v}"
    );

    // Cut short, the bundle no longer decodes: exit 1 naming the file.
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    bin()
        .arg("verify")
        .arg(&bad)
        .arg("--trust")
        .arg(&root)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("tampered.bundle"));
}

#[test]
fn verify_usage_and_file_errors() {
    let d = demo();
    let root = d.path().join("root.pem");
    let certs = d.path().join("certificates");
    let steaks = d.path().join("steaks.bundle");

    // Two heads in the directory: a usage error naming both.
    let loins_id = verify_json(&[s(&d.path().join("loins.bundle")), "--trust", s(&root)]).1["head"]
        .as_str()
        .unwrap()
        .to_string();
    let steaks_id = verify_json(&[s(&steaks), "--trust", s(&root)]).1["head"]
        .as_str()
        .unwrap()
        .to_string();
    bin()
        .arg("verify")
        .arg(&certs)
        .arg("--trust")
        .arg(&root)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains(loins_id.as_str())
                .and(predicate::str::contains(steaks_id.as_str())),
        );
    // With --head the directory verifies like the bundle.
    bin()
        .arg("verify")
        .arg(&certs)
        .arg("--trust")
        .arg(&root)
        .args(["--head", &steaks_id])
        .assert()
        .code(0);

    // A malformed --head.
    bin()
        .arg("verify")
        .arg(&steaks)
        .arg("--trust")
        .arg(&root)
        .args(["--head", "sha256:1234"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--head"));

    // A missing --trust file: exit 1 naming it.
    bin()
        .arg("verify")
        .arg(&steaks)
        .args(["--trust", s(&d.path().join("no-such-root.pem"))])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no-such-root.pem"));

    // A malformed --at.
    bin()
        .arg("verify")
        .arg(&steaks)
        .arg("--trust")
        .arg(&root)
        .args(["--at", "last week"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--at"));

    // --at before the head receipt was issued: the head is ignored, integrity invalid.
    let (code, v) = verify_json(&[
        s(&steaks),
        "--trust",
        s(&root),
        "--at",
        "2026-04-10T00:00:00Z",
    ]);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["integrity"], "invalid");
    assert_eq!(v["head"], steaks_id.as_str());
}

#[test]
fn verify_a_directory_with_a_damaged_file_names_it() {
    let d = demo();
    let root = d.path().join("root.pem");
    let certs = d.path().join("certificates");
    let loins_id = verify_json(&[s(&d.path().join("loins.bundle")), "--trust", s(&root)]).1["head"]
        .as_str()
        .unwrap()
        .to_string();
    // Damage the steaks receipt (a head): cut it in half.
    let victim = std::fs::read_dir(&certs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("receipt-steaks"))
        .expect("the demo has a steaks receipt");
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();
    let damaged_id = format!("sha256:{}", sha256sum(&victim));
    let name = victim.file_name().unwrap().to_string_lossy().to_string();

    // Without --head: exit 1, naming the file and why, not a usage error.
    bin()
        .arg("verify")
        .arg(&certs)
        .arg("--trust")
        .arg(&root)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains(name.as_str())
                .and(predicate::str::contains("could not be read"))
                .and(predicate::str::contains("truncated").or(predicate::str::contains("CBOR")))
                .and(predicate::str::contains("no head candidate").not()),
        );
    // With --head on another chain: verified anyway (the loins are high risk in the demo),
    // the damaged file named as a warning.
    bin()
        .arg("verify")
        .arg(&certs)
        .arg("--trust")
        .arg(&root)
        .args(["--head", &loins_id])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains(name.as_str())
                .and(predicate::str::contains(
                    "warning: could not be read as a certificate",
                ))
                .and(predicate::str::contains("truncated").or(predicate::str::contains("CBOR"))),
        );
    // With --head naming the damaged message itself: an invalid verdict that names it.
    let (code, v) = verify_json(&[s(&certs), "--trust", s(&root), "--head", &damaged_id]);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["integrity"], "invalid");
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "signature.invalid" && f["certificate"] == damaged_id.as_str()),
        "{v}"
    );
}

#[test]
fn verify_into_a_closed_pipe_does_not_panic() {
    let d = demo();
    let bin = env!("CARGO_BIN_EXE_catchcert");
    let dir = s(d.path());
    for tail in ["| head -1", "--json | head -1", "| true"] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set +o pipefail; '{bin}' verify '{dir}/loins.bundle' --trust '{dir}/root.pem' {tail}"
            ))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{tail}: {stderr}");
        assert!(out.status.success(), "{tail}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).lines().count() <= 1);
    }
}

/// `--html` on an invalid chain: the page says what failed, and the exit code stays 4.
#[test]
fn verify_html_keeps_the_exit_code_of_an_invalid_chain() {
    let case = catchcert_testkit::fixtures_dir().join("cases/01_tampered_payload");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
            .unwrap();
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    bin()
        .arg("verify")
        .arg(&case)
        .arg("--trust")
        .arg(catchcert_testkit::fixtures_dir().join("trust/root.pem"))
        .arg("--head")
        .arg(expected["head"].as_str().unwrap())
        .arg("--at")
        .arg(expected["at"].as_str().unwrap())
        .arg("--html")
        .arg(&html)
        .assert()
        .code(4);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Integrity: INVALID"));
    assert!(
        page.contains("the Ed25519 signature does not verify"),
        "no reason"
    );
    assert!(page.contains("(signature.invalid)"));
}

//! `catchcert pki …` end to end: the fixture table of `fixtures/pki/cases.json` through
//! `pki verify` (exit codes and messages), `init-root` / `issue` round trips, refusals, file
//! modes, and an independent check with `openssl verify -x509_strict` when openssl exists.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_catchcert"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn openssl() -> Option<PathBuf> {
    let out = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .ok()?;
    out.status.success().then(|| PathBuf::from("openssl"))
}

/// Seconds since the epoch of an RFC 3339 time (for `openssl -attime`).
fn epoch(t: &str) -> i64 {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

#[test]
fn verify_walks_the_fixture_table() {
    let dir = fixtures();
    for c in cases() {
        let name = s(&c, "name");
        let e = &c["expect"];
        let mut cmd = bin();
        cmd.current_dir(&dir).args([
            "pki",
            "verify",
            s(&c, "leaf"),
            "--trust",
            s(&c, "trust"),
            "--at",
            s(&c, "at"),
        ]);
        if let Some(chain) = c["chain"].as_str() {
            cmd.args(["--chain", chain]);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap();
        assert_eq!(
            code as u64,
            e["cli_exit"].as_u64().unwrap(),
            "{name}: {stdout} {stderr}"
        );
        let subject = s(e, "subject");
        match code {
            0 => {
                assert!(stdout.starts_with("valid: "), "{name}: {stdout}");
                if e["valid"].as_bool().unwrap() {
                    let roles: Vec<&str> = e["roles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap())
                        .collect();
                    let roles = if roles.is_empty() {
                        "none".to_string()
                    } else {
                        roles.join(", ")
                    };
                    // the first line; a bindings line may follow
                    assert_eq!(
                        stdout.lines().next().unwrap_or(""),
                        format!("valid: {subject} (roles: {roles})"),
                        "{name}"
                    );
                }
            }
            4 => {
                assert!(stdout.is_empty(), "{name}: {stdout}");
                assert!(stderr.contains(s(e, "code")), "{name}: {stderr}");
                assert!(stderr.contains(s(&c, "leaf")), "{name}: {stderr}");
                if s(e, "error") != "TooDeep" {
                    assert!(stderr.contains(subject), "{name}: {stderr}");
                }
            }
            _ => panic!("{name}: exit {code}"),
        }
    }
}

#[test]
fn verify_exit_codes_for_usage_and_other_errors() {
    let dir = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let garbage = tmp.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let key = tmp.path().join("k.key");
    bin().args(["keygen", "--out"]).arg(&key).assert().success();

    // 2: usage
    for args in [
        vec!["pki", "verify", "leaf-1.pem"],
        vec![
            "pki",
            "verify",
            "leaf-1.pem",
            "--trust",
            "root.pem",
            "--at",
            "yesterday",
        ],
        vec![
            "pki",
            "verify",
            "leaf-1.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01T00:00:00.5Z",
        ],
        vec!["pki", "verify", "--trust", "root.pem"],
        vec![
            "pki",
            "verify",
            "leaf-1.pem",
            "--trust",
            "root.pem",
            "--bogus",
        ],
    ] {
        bin().current_dir(&dir).args(&args).assert().code(2);
    }
    // 1: unreadable or malformed files, named on stderr
    bin()
        .current_dir(&dir)
        .args(["pki", "verify", "missing.pem", "--trust", "root.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.pem"));
    bin()
        .current_dir(&dir)
        .args(["pki", "verify", "leaf-1.pem", "--trust"])
        .arg(&garbage)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("garbage.pem"));
    bin()
        .current_dir(&dir)
        .args(["pki", "verify"])
        .arg(&garbage)
        .args(["--trust", "root.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("garbage.pem"));
    bin()
        .current_dir(&dir)
        .args(["pki", "verify", "leaf-1.pem", "--trust"])
        .arg(&key)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("PRIVATE KEY"));
    // a P-256 certificate is refused as a trust anchor, naming the algorithm
    bin()
        .current_dir(&dir)
        .args(["pki", "verify", "leaf-1.pem", "--trust", "int-p256.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1.2.840.10045.2.1"));
    // 0 and 4 depend on the time checked
    for (at, code) in [
        ("2026-06-01T00:00:00Z", 0),
        ("2027-06-01T00:00:00Z", 4),
        ("2025-06-01T00:00:00Z", 4),
    ] {
        bin()
            .current_dir(&dir)
            .args([
                "pki",
                "verify",
                "leaf-1.pem",
                "--trust",
                "root.pem",
                "--at",
                at,
            ])
            .assert()
            .code(code);
    }
}

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        Pki {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn p(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }
    fn cmd(&self) -> Command {
        let mut c = bin();
        c.current_dir(self.dir.path());
        c
    }
    fn keygen(&self, name: &str) {
        self.cmd()
            .args(["keygen", "--out", &format!("{name}.key")])
            .assert()
            .success();
    }
    fn root(&self) {
        self.keygen("root");
        self.cmd()
            .args([
                "pki",
                "init-root",
                "--key",
                "root.key",
                "--subject",
                "CN=Test Root,O=Programme",
            ])
            .args([
                "--out",
                "root.pem",
                "--not-before",
                "2026-01-01T00:00:00Z",
                "--valid-days",
                "365",
            ])
            .assert()
            .success()
            .stdout("");
    }
    fn issue(
        &self,
        ca: &str,
        name: &str,
        subject: &str,
        extra: &[&str],
    ) -> assert_cmd::assert::Assert {
        self.cmd()
            .args([
                "pki",
                "issue",
                "--ca-key",
                &format!("{ca}.key"),
                "--ca-cert",
                &format!("{ca}.pem"),
            ])
            .args([
                "--subject-key",
                &format!("{name}.pub"),
                "--subject",
                subject,
            ])
            .args([
                "--out",
                &format!("{name}.pem"),
                "--not-before",
                "2026-01-01T00:00:00Z",
            ])
            .args(extra)
            .assert()
    }
}

#[test]
fn init_root_and_issue_round_trip() {
    let pki = Pki::new();
    pki.root();
    pki.keygen("region");
    pki.issue(
        "root",
        "region",
        "CN=Region North,O=Programme",
        &[
            "--role",
            "trader",
            "--role",
            "retailer",
            "--ca",
            "--path-len",
            "0",
        ],
    )
    .success();
    pki.keygen("acme");
    pki.issue(
        "region",
        "acme",
        "CN=Acme\\, Inc.,O=Acme,C=NO",
        &["--role", "trader"],
    )
    .success();
    // the subject key may also be given as the private key file
    pki.keygen("shop");
    pki.cmd()
        .args([
            "pki",
            "issue",
            "--ca-key",
            "region.key",
            "--ca-cert",
            "region.pem",
            "--subject-key",
            "shop.key",
        ])
        .args([
            "--subject",
            "CN=Shop",
            "--role",
            "retailer",
            "--out",
            "shop.pem",
            "--not-before",
            "2026-01-01T00:00:00Z",
        ])
        .assert()
        .success();

    pki.cmd()
        .args([
            "pki",
            "verify",
            "acme.pem",
            "--trust",
            "root.pem",
            "--chain",
            "region.pem",
            "--at",
            "2026-06-01T00:00:00Z",
        ])
        .assert()
        .code(0)
        .stdout(concat!(
            "valid: CN=Acme\\, Inc.,O=Acme,C=NO (roles: trader)\n",
            "bindings: vessels []; facilities []; parties [\"Acme\"]\n"
        ));
    pki.cmd()
        .args([
            "pki",
            "verify",
            "region.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01T00:00:00Z",
        ])
        .assert()
        .code(0)
        .stdout(concat!(
            "valid: CN=Region North,O=Programme (roles: retailer, trader)\n",
            "bindings: vessels []; facilities []; parties [\"Programme\"]\n"
        ));
    pki.cmd()
        .args([
            "pki",
            "verify",
            "root.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01T00:00:00Z",
        ])
        .assert()
        .code(0)
        .stdout(concat!(
            "valid: CN=Test Root,O=Programme (roles: none)\n",
            "bindings: vessels []; facilities []; parties [\"Programme\"]\n"
        ));
    // without the intermediate there is no path
    pki.cmd()
        .args([
            "pki",
            "verify",
            "acme.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01T00:00:00Z",
        ])
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("issuer.untrusted")
                .and(predicate::str::contains("CN=Region North")),
        );
    // --valid-days: issuer default 365 days from --not-before
    pki.cmd()
        .args([
            "pki",
            "verify",
            "acme.pem",
            "--trust",
            "root.pem",
            "--chain",
            "region.pem",
            "--at",
            "2027-01-01T00:00:01Z",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("issuer.expired"));

    // file modes: keys 0600, certificates 0644
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &str| std::fs::metadata(pki.p(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("root.key"), 0o600);
        assert_eq!(mode("root.pem"), 0o644);
        assert_eq!(mode("acme.pem"), 0o644);
    }

    if let Some(openssl) = openssl() {
        let attime = epoch("2026-06-01T00:00:00Z").to_string();
        for (leaf, untrusted) in [
            ("acme.pem", Some("region.pem")),
            ("region.pem", None),
            ("root.pem", None),
        ] {
            let mut c = std::process::Command::new(&openssl);
            c.current_dir(pki.dir.path()).args([
                "verify",
                "-x509_strict",
                "-attime",
                &attime,
                "-CAfile",
                "root.pem",
            ]);
            if let Some(u) = untrusted {
                c.args(["-untrusted", u]);
            }
            let out = c.arg(leaf).output().unwrap();
            assert!(
                out.status.success(),
                "openssl rejects {leaf}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    } else {
        eprintln!("notice: openssl not found; skipping the openssl -x509_strict cross-check");
    }
}

#[test]
fn outputs_are_never_overwritten_without_force() {
    let pki = Pki::new();
    pki.root();
    let before = std::fs::read(pki.p("root.pem")).unwrap();
    pki.cmd()
        .args([
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=Again",
            "--out",
            "root.pem",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already exists").and(predicate::str::contains("--force")),
        );
    assert_eq!(std::fs::read(pki.p("root.pem")).unwrap(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pki.p("root.pem"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644);
        assert_eq!(
            std::fs::metadata(pki.p("root.key"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    pki.keygen("a");
    pki.issue("root", "a", "CN=A", &["--role", "vessel"])
        .success();
    let a_before = std::fs::read(pki.p("a.pem")).unwrap();
    pki.issue("root", "a", "CN=A2", &["--role", "vessel"])
        .code(2);
    assert_eq!(std::fs::read(pki.p("a.pem")).unwrap(), a_before);
    // --force replaces
    pki.issue("root", "a", "CN=A2", &["--role", "vessel", "--force"])
        .success();
    assert_ne!(std::fs::read(pki.p("a.pem")).unwrap(), a_before);
    pki.cmd()
        .args([
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=Again",
            "--out",
            "root.pem",
            "--force",
        ])
        .assert()
        .success();
    assert_ne!(std::fs::read(pki.p("root.pem")).unwrap(), before);
    // no temporary files are left behind
    let leftovers: Vec<_> = std::fs::read_dir(pki.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".catchcert-tmp")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn issue_refuses_what_the_ca_may_not_grant() {
    let pki = Pki::new();
    pki.root();
    pki.keygen("region");
    pki.issue(
        "root",
        "region",
        "CN=Region",
        &["--role", "trader", "--ca", "--path-len", "0"],
    )
    .success();
    pki.keygen("x");
    // widening
    pki.issue(
        "region",
        "x",
        "CN=X",
        &["--role", "trader", "--role", "registrar"],
    )
    .code(2)
    .stderr(predicate::str::contains("registrar").and(predicate::str::contains("CN=Region")));
    assert!(!pki.p("x.pem").exists());
    // a CA below pathLenConstraint 0
    pki.issue("region", "x", "CN=X", &["--role", "trader", "--ca"])
        .code(2)
        .stderr(predicate::str::contains("pathLenConstraint 0"));
    // a CA key that is not the CA certificate's
    pki.cmd()
        .args([
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "region.pem",
            "--subject-key",
            "x.pub",
        ])
        .args(["--subject", "CN=X", "--role", "trader", "--out", "x.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not match"));
    // a leaf is not a CA
    pki.issue("region", "x", "CN=X", &["--role", "trader"])
        .success();
    pki.keygen("y");
    pki.issue("x", "y", "CN=Y", &["--role", "trader"])
        .code(2)
        .stderr(predicate::str::contains("not a CA"));
    assert!(!pki.p("y.pem").exists());
    // bad subject, unknown role, --path-len without --ca, no role: usage
    pki.issue(
        "root",
        "y",
        "CN=Y,EMAIL=y@example.org",
        &["--role", "trader"],
    )
    .code(2)
    .stderr(predicate::str::contains("EMAIL"));
    pki.issue("root", "y", "CN=Y", &["--role", "fisher"])
        .code(2)
        .stderr(predicate::str::contains("fisher"));
    pki.issue(
        "root",
        "y",
        "CN=Y",
        &["--role", "trader", "--path-len", "1"],
    )
    .code(2);
    pki.issue("root", "y", "CN=Y", &[]).code(2);
    pki.issue(
        "root",
        "y",
        "CN=Y",
        &["--role", "trader", "--valid-days", "0"],
    )
    .code(2);
    // unreadable inputs: other errors naming the file
    pki.cmd()
        .args([
            "pki",
            "issue",
            "--ca-key",
            "nope.key",
            "--ca-cert",
            "root.pem",
            "--subject-key",
            "y.pub",
        ])
        .args(["--subject", "CN=Y", "--role", "trader", "--out", "y.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope.key"));
    pki.cmd()
        .args([
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.key",
            "--subject-key",
            "y.pub",
        ])
        .args(["--subject", "CN=Y", "--role", "trader", "--out", "y.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("root.key"));
    assert!(!pki.p("y.pem").exists());
}

#[test]
fn bindings_are_issued_shown_and_never_widened() {
    let pki = Pki::new();
    pki.root();
    let verify = |name: &str, chain: Option<&str>| {
        let mut c = pki.cmd();
        c.args([
            "pki",
            "verify",
            &format!("{name}.pem"),
            "--trust",
            "root.pem",
        ]);
        if let Some(ch) = chain {
            c.args(["--chain", ch]);
        }
        c.args(["--at", "2026-06-01T00:00:00Z"]).assert()
    };
    // a vessel key bound to two IMO numbers; its O is one of its parties
    pki.keygen("bh");
    pki.issue(
        "root",
        "bh",
        "CN=Blue Horizon Fleet,O=Blue Horizon Co",
        &[
            "--role",
            "vessel",
            "--vessel",
            "IMO9234567",
            "--vessel",
            "IMO9123456",
            "--party",
            "Blue Horizon Fishing",
        ],
    )
    .success()
    .stderr(predicate::str::contains("IMO9123456"));
    verify("bh", None).code(0).stdout(concat!(
        "valid: CN=Blue Horizon Fleet,O=Blue Horizon Co (roles: vessel)\n",
        "bindings: vessels [\"IMO9123456\", \"IMO9234567\"]; facilities []; ",
        "parties [\"Blue Horizon Co\", \"Blue Horizon Fishing\"]\n"
    ));
    // an IMO number that is not one, and auditor with a custody role: usage errors
    pki.keygen("x");
    pki.issue(
        "root",
        "x",
        "CN=X",
        &["--role", "vessel", "--vessel", "IMO123"],
    )
    .code(2)
    .stderr(predicate::str::contains("IMO123").and(predicate::str::contains("vessels")));
    pki.issue(
        "root",
        "x",
        "CN=X",
        &["--role", "auditor", "--role", "vessel"],
    )
    .code(2)
    .stderr(predicate::str::contains("auditor").and(predicate::str::contains("vessel")));
    assert!(!pki.p("x.pem").exists());
    // the new roles parse
    pki.issue(
        "root",
        "x",
        "CN=Registry,O=Programme",
        &["--role", "registrar"],
    )
    .success();
    pki.issue(
        "root",
        "x",
        "CN=Lists,O=Programme",
        &["--role", "listkeeper", "--force"],
    )
    .success();

    // an intermediate bound to one vessel and party "Fleet"; below it only a subset
    pki.keygen("fleet");
    pki.issue(
        "root",
        "fleet",
        "CN=Fleet CA,O=Fleet Group",
        &[
            "--role",
            "vessel",
            "--ca",
            "--vessel",
            "IMO9074729",
            "--party",
            "Fleet",
        ],
    )
    .success();
    pki.keygen("sh7");
    pki.issue(
        "fleet",
        "sh7",
        "CN=Sea Harvest 7,O=Fleet Group",
        &["--role", "vessel", "--vessel", "IMO9074729"],
    )
    .success();
    verify("sh7", Some("fleet.pem"))
        .code(0)
        .stdout(predicate::str::contains(
            "bindings: vessels [\"IMO9074729\"]; facilities []; parties [\"Fleet Group\"]",
        ));
    pki.keygen("w");
    for (subject, extra, value) in [
        ("CN=W,O=Fleet", vec!["--vessel", "IMO9123456"], "IMO9123456"),
        ("CN=W,O=Fleet", vec!["--party", "Rival"], "Rival"),
        ("CN=W,O=Rival Co", vec![], "Rival Co"),
    ] {
        let mut args = vec!["--role", "vessel"];
        args.extend(extra);
        pki.issue("fleet", "w", subject, &args)
            .code(2)
            .stderr(predicate::str::contains(value).and(predicate::str::contains("Fleet CA")));
        assert!(!pki.p("w.pem").exists(), "{subject}");
    }
}

#[test]
fn help_shows_examples() {
    for sub in ["init-root", "issue", "verify"] {
        bin()
            .args(["pki", sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

/// Cases where openssl, which knows nothing of catchcert roles and accepts more than
/// Ed25519, is expected to disagree with catchcert, and why.
const OPENSSL_DIVERGENCES: [(&str, &str); 5] = [
    (
        "role-widening-by-intermediate",
        "roles are a catchcert extension (non-critical)",
    ),
    (
        "role-widening-by-leaf",
        "roles are a catchcert extension (non-critical)",
    ),
    ("non-ed25519-leaf-key", "openssl accepts P-256 keys"),
    ("non-ed25519-signature", "openssl accepts ECDSA signatures"),
    (
        "too-deep",
        "openssl allows paths deeper than catchcert's limit of 8",
    ),
];

#[test]
fn openssl_agrees_on_the_fixture_table() {
    let Some(openssl) = openssl() else {
        eprintln!("notice: openssl not found; skipping the openssl cross-check of fixtures/pki");
        return;
    };
    let dir = fixtures();
    for c in cases() {
        let name = s(&c, "name");
        if s(&c, "mode") != "any" {
            continue; // keyUsage of a signer is catchcert's rule
        }
        let divergent = OPENSSL_DIVERGENCES.iter().any(|(n, _)| *n == name);
        let mut cmd = std::process::Command::new(&openssl);
        cmd.current_dir(&dir).args([
            "verify",
            "-x509_strict",
            "-attime",
            &epoch(s(&c, "at")).to_string(),
            "-CAfile",
            s(&c, "trust"),
        ]);
        if let Some(chain) = c["chain"].as_str() {
            cmd.args(["-untrusted", chain]);
        }
        let out = cmd.arg(s(&c, "leaf")).output().unwrap();
        let ok = out.status.success();
        let expect = c["expect"]["valid"].as_bool().unwrap();
        if divergent {
            assert_ne!(
                ok, expect,
                "{name}: listed as divergent but openssl agrees now"
            );
        } else {
            assert_eq!(
                ok,
                expect,
                "{name}: openssl says {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

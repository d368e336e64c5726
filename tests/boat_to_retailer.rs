//! Boat to retailer across the crates, as a programme would run it:
//!
//! 1. through the `catchcert` binary: keys, a programme root, issuer certificates with roles,
//!    one certificate of each kind of a chain (crew and facility attestations, catch,
//!    landing, processing, shipment, receipt), a bundle, and `verify` (exit 0, valid, low
//!    risk);
//! 2. the same certificates through HTTP (catchcert-server's app on `127.0.0.1:0`) on SQLite
//!    and on PostgreSQL (`CATCHCERT_TEST_PG_URL`; skipped with a notice when unset);
//! 3. the offline bundle of the retailer's lot fetched from the server
//!    (`GET /v1/lots/{lot}/bundle`) and verified by the binary.

use assert_cmd::Command;
use catchcert_demo::{FACILITY, crew_attestation_json, vessels};
use catchcert_server::AppState;
use catchcert_store::Store;
use catchcert_testkit::certs::FacilityAttestation;
use catchcert_testkit::db::{self, TestDb};
use catchcert_testkit::http::{Client, Running};
use catchcert_verify::path::TrustAnchors;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The time every offline verification is made at.
const AT: &str = "2026-12-01T00:00:00Z";
/// The retailer's lot, the end of the chain.
const RETAIL_LOT: &str = "FM-2026-0412-BET";

/// `catchcert ARGS…` in `dir`.
fn catchcert(dir: &Path) -> Command {
    let mut c = Command::new(catchcert_testkit::bin::catchcert());
    c.current_dir(dir);
    c
}

/// Run `catchcert ARGS…` in `dir`, which must succeed; its stdout, trimmed.
fn run(dir: &Path, args: &[&str]) -> String {
    let out = catchcert(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "catchcert {}: {:?}\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A chain signed through the binary, in signing order.
struct Chain {
    dir: tempfile::TempDir,
    /// (file under `certs/`, id) in signing order.
    certs: Vec<(String, String)>,
}

impl Chain {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn id(&self, name: &str) -> &str {
        &self.certs.iter().find(|(n, _)| n == name).unwrap().1
    }

    fn receipt(&self) -> &str {
        self.id("07-receipt")
    }

    fn root_pem(&self) -> String {
        std::fs::read_to_string(self.path().join("root.pem")).unwrap()
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path().join(format!("certs/{name}.cose"))).unwrap()
    }
}

/// Keys, the root and the issuers, then every certificate of the chain, by the binary.
fn sign_chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("certs")).unwrap();
    let since = "2026-01-01T00:00:00Z";
    for who in ["root", "auditor", "vessel", "processor", "retailer"] {
        run(d, &["keygen", "--out", &format!("{who}.key")]);
    }
    run(
        d,
        &[
            "pki",
            "init-root",
            "--key",
            "root.key",
            "--subject",
            "CN=E2E Programme Root,O=catchcert e2e",
            "--out",
            "root.pem",
            "--not-before",
            since,
            "--valid-days",
            "36500",
        ],
    );
    // Each issuer is bound to what it speaks for (contract §2): the vessel to its IMO, the
    // processor to its plant and company, the retailer to its name.
    for (who, role, bindings) in [
        ("auditor", "auditor", vec![]),
        ("vessel", "vessel", vec!["--vessel", vessels::SEA_HARVEST.1]),
        (
            "processor",
            "processor",
            vec!["--facility", FACILITY, "--party", "Andaman Loins Co Ltd"],
        ),
        ("retailer", "retailer", vec!["--party", "FreshMart Stores"]),
    ] {
        let (key, subject, out) = (
            format!("{who}.pub"),
            // The auditor is independent of the audited (contract §4 attestation.self).
            if who == "auditor" {
                "CN=E2E auditor,O=E2E Audits".to_string()
            } else {
                format!("CN=E2E {who},O=catchcert e2e")
            },
            format!("{who}.pem"),
        );
        let mut args: Vec<&str> = vec![
            "pki",
            "issue",
            "--ca-key",
            "root.key",
            "--ca-cert",
            "root.pem",
            "--subject-key",
            &key,
            "--subject",
            &subject,
            "--role",
            role,
            "--out",
            &out,
            "--not-before",
            since,
            "--valid-days",
            "36500",
        ];
        args.extend(bindings);
        run(d, &args);
    }
    let mut chain = Chain {
        dir,
        certs: Vec::new(),
    };
    let issue =
        |chain: &mut Chain, name: &str, kind: &str, by: &str, issued_at: &str, input: Value| {
            let d = chain.path().to_path_buf();
            let file = d.join(format!("{name}.json"));
            std::fs::write(&file, serde_json::to_vec_pretty(&input).unwrap()).unwrap();
            let id = run(
                &d,
                &[
                    "issue",
                    kind,
                    "--key",
                    &format!("{by}.key"),
                    "--cert",
                    &format!("{by}.pem"),
                    "--input",
                    &format!("{name}.json"),
                    "--out",
                    &format!("certs/{name}.cose"),
                    "--issued-at",
                    issued_at,
                ],
            );
            assert!(id.starts_with("sha256:"), "{kind}: {id}");
            chain.certs.push((name.to_string(), id));
        };
    issue(
        &mut chain,
        "01-crew",
        "crew_attestation",
        "auditor",
        "2026-01-15T10:00:00Z",
        crew_attestation_json(vessels::SEA_HARVEST, false),
    );
    issue(
        &mut chain,
        "02-facility",
        "facility_attestation",
        "auditor",
        "2026-02-01T10:00:00Z",
        FacilityAttestation::default().json(),
    );
    let crew = chain.id("01-crew").to_string();
    issue(
        &mut chain,
        "03-catch",
        "catch",
        "vessel",
        "2026-03-02T06:05:00Z",
        json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": vessels::SEA_HARVEST.1, "fao_area": "71", "gear": "LLD",
            "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
            "outputs": [{"lot": "SH7-BET", "quantity_kg": 300.5, "species": "BET"}],
            "attestations": [crew]
        }),
    );
    let catch = chain.id("03-catch").to_string();
    issue(
        &mut chain,
        "04-landing",
        "landing",
        "vessel",
        "2026-03-03T08:30:00Z",
        json!({
            "time": "2026-03-03T08:00:00Z",
            "port": "THPKT",
            "inputs": [{"certificate": catch, "lot": "SH7-BET", "quantity_kg": 300.5}],
            "outputs": [{"lot": "THPKT-BET", "quantity_kg": 300.5, "species": "BET"}]
        }),
    );
    let (landing, facility) = (
        chain.id("04-landing").to_string(),
        chain.id("02-facility").to_string(),
    );
    issue(
        &mut chain,
        "05-processing",
        "processing",
        "processor",
        "2026-03-26T11:00:00Z",
        json!({
            "time": "2026-03-26T10:00:00Z",
            "facility": FACILITY,
            "inputs": [{"certificate": landing, "lot": "THPKT-BET", "quantity_kg": 300.5}],
            "outputs": [{"lot": "ALP-BET", "quantity_kg": 180.25, "species": "BET", "product": "bigeye tuna steaks, frozen"}],
            "attestations": [facility]
        }),
    );
    let processing = chain.id("05-processing").to_string();
    issue(
        &mut chain,
        "06-shipment",
        "shipment",
        "processor",
        "2026-04-03T09:00:00Z",
        json!({
            "time": "2026-04-03T08:00:00Z",
            "from": "Andaman Loins Co Ltd", "to": "FreshMart Stores",
            "inputs": [{"certificate": processing, "lot": "ALP-BET", "quantity_kg": 180.25}],
            "outputs": [{"lot": "NSI-BET", "quantity_kg": 180.25, "species": "BET", "product": "bigeye tuna steaks, frozen"}]
        }),
    );
    let shipment = chain.id("06-shipment").to_string();
    issue(
        &mut chain,
        "07-receipt",
        "receipt",
        "retailer",
        "2026-04-12T07:30:00Z",
        json!({
            "time": "2026-04-12T07:00:00Z",
            "from": "Andaman Loins Co Ltd", "to": "FreshMart Stores",
            "inputs": [{"certificate": shipment, "lot": "NSI-BET", "quantity_kg": 180.25}],
            "outputs": [{"lot": RETAIL_LOT, "quantity_kg": 180.25, "species": "BET", "product": "bigeye tuna steaks, frozen"}]
        }),
    );
    chain
}

/// `catchcert verify PATH --trust TRUST --at AT --json [--head HEAD]`: exit code and verdict.
fn verify(dir: &Path, path: &Path, trust: &str, head: Option<&str>) -> (i32, Value) {
    let mut c = catchcert(dir);
    c.args(["verify"])
        .arg(path)
        .args(["--trust", trust, "--at", AT, "--json"]);
    if let Some(h) = head {
        c.args(["--head", h]);
    }
    let out = c.output().unwrap();
    let verdict = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify {}: not JSON ({e}): {}\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), verdict)
}

/// The verdict of a sound, fully attested chain of the seven certificates.
fn assert_sound(v: &Value, head: &str) {
    assert_eq!(v["head"], head, "{v}");
    assert_eq!(v["integrity"], "valid", "{v}");
    assert_eq!(v["risk"], "low", "{v}");
    assert_eq!(v["certificates"], 7, "{v}");
    assert_eq!(v["findings"], json!([]), "{v}");
}

#[test]
fn boat_to_retailer_through_the_binary() {
    let chain = sign_chain();
    let d = chain.path();
    let head = chain.receipt().to_string();

    // The directory: the head is found (the one custody certificate nobody consumes).
    let (code, v) = verify(d, &d.join("certs"), "root.pem", None);
    assert_eq!(code, 0, "{v}");
    assert_sound(&v, &head);

    // The bundle of the receipt verifies offline to the same verdict.
    run(
        d,
        &[
            "bundle",
            "--head",
            &head,
            "--from",
            "certs",
            "--out",
            "steaks.bundle",
        ],
    );
    let (code, v) = verify(d, &d.join("steaks.bundle"), "root.pem", None);
    assert_eq!(code, 0, "{v}");
    assert_sound(&v, &head);

    // Under another programme's root nothing is trusted: exit 4, issuer.untrusted.
    run(d, &["keygen", "--out", "other.key"]);
    run(
        d,
        &[
            "pki",
            "init-root",
            "--key",
            "other.key",
            "--subject",
            "CN=Other Root",
            "--out",
            "other.pem",
            "--not-before",
            "2026-01-01T00:00:00Z",
        ],
    );
    let (code, v) = verify(d, &d.join("steaks.bundle"), "other.pem", None);
    assert_eq!(code, 4, "{v}");
    assert_eq!(v["integrity"], "invalid", "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "issuer.untrusted"),
        "{v}"
    );

    // Verifying before the receipt was signed: the head did not exist yet (exit 4).
    let out = catchcert(d)
        .args([
            "verify",
            "steaks.bundle",
            "--trust",
            "root.pem",
            "--at",
            "2026-04-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

/// Serve `db` with the app of catchcert-server, trusting `root_pem`.
async fn serve(db: &TestDb, root_pem: &str) -> Running {
    let store = Store::open(db.url()).await.unwrap();
    let state = AppState::new(store, TrustAnchors::from_pem(root_pem).unwrap());
    Running::spawn(|listener, shutdown| catchcert_server::serve_on(listener, state, shutdown)).await
}

/// The chain through HTTP, then the retailer lot's bundle from the server through the binary.
async fn through_http(db: TestDb) {
    let chain = sign_chain();
    let server = serve(&db, &chain.root_pem()).await;
    let client = Client::default();
    let base = server.base.clone();

    // A custody certificate whose input is not stored yet is refused, and nothing is stored.
    let early = client.post_cert(&base, &chain.bytes("04-landing")).await;
    assert_eq!(
        early.status,
        422,
        "{}",
        String::from_utf8_lossy(&early.body)
    );
    for (name, id) in &chain.certs {
        assert_eq!(&client.created(&base, &chain.bytes(name)).await, id);
    }
    // Sending one again is idempotent.
    let again = client.post_cert(&base, &chain.bytes("03-catch")).await;
    assert_eq!(again.status, 200);

    let v = client
        .get(&format!("{base}/v1/lots/{RETAIL_LOT}/verification"), None)
        .await;
    assert_eq!(v.status, 200, "{}", String::from_utf8_lossy(&v.body));
    let verdict = v.json();
    assert_sound(&verdict, chain.receipt());

    // The offline bundle: verified by the binary, same verdict, no server involved.
    let b = client
        .get(&format!("{base}/v1/lots/{RETAIL_LOT}/bundle"), None)
        .await;
    assert_eq!(b.status, 200, "{}", String::from_utf8_lossy(&b.body));
    assert_eq!(b.content_type(), "application/vnd.catchcert.bundle+cbor");
    let file: PathBuf = chain.path().join("from-server.bundle");
    std::fs::write(&file, &b.body).unwrap();
    let (code, offline) = verify(chain.path(), &file, "root.pem", None);
    assert_eq!(code, 0, "{offline}");
    assert_sound(&offline, chain.receipt());

    // An unknown lot is 404.
    let missing = client
        .get(&format!("{base}/v1/lots/NO-SUCH-LOT/bundle"), None)
        .await;
    missing.problem(404);

    server.stop().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boat_to_retailer_over_http_on_sqlite() {
    through_http(db::sqlite_db().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boat_to_retailer_over_http_on_postgresql() {
    let Some(db) = db::pg_db("catchcert-e2e", "catchcert_e2e").await else {
        return;
    };
    through_http(db).await;
}

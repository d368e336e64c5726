//! A retailer's watch list, end to end (issue #18 "Done when"): a listkeeper signs a list
//! naming one vessel from a CSV through the binary; every lot that vessel's fish reached
//! turns high with the reason — offline (`verify --watchlist`, `bundle --watchlist`) and
//! online (the list posted to the server, on SQLite and PostgreSQL) — and a lot it did not
//! reach does not.

use assert_cmd::Command;
use catchcert_demo::vessels::SEA_HARVEST;
use catchcert_demo::*;
use catchcert_model::Role;
use catchcert_server::AppState;
use catchcert_store::Store;
use catchcert_testkit::db::{self, TestDb};
use catchcert_testkit::http::{Client, Running};
use catchcert_verify::path::TrustAnchors;
use serde_json::Value;
use std::path::Path;

const REASON: &str = "withhold release order: forced labour indicators on board";

fn catchcert(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(catchcert_testkit::bin::catchcert())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_private(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

/// The demo chain in `certs/`, the root, and a list naming the Sea Harvest made through
/// the binary from a CSV by the retailer's listkeeper (`list.cose`).
struct Scene {
    dir: tempfile::TempDir,
    chain: DemoChain,
    root_pem: String,
}

fn scene() -> Scene {
    let mut p = Programme::new().unwrap();
    p.add_party(
        "e2e-listkeeper",
        "listkeeper",
        "CN=FreshMart Supplier Watch,O=FreshMart Stores,C=GB",
        &[Role::Listkeeper],
        t(NOT_BEFORE),
        VALID_DAYS,
    )
    .unwrap();
    let chain = demo_chain(&p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("certs")).unwrap();
    for s in &chain.certs {
        std::fs::write(d.join("certs").join(format!("{}.cose", s.name)), &s.bytes).unwrap();
    }
    std::fs::write(d.join("root.pem"), &p.root_pem).unwrap();
    let lk = p.party("listkeeper").unwrap();
    write_private(
        &d.join("listkeeper.key"),
        &catchcert_sign::keys::private_pem(&lk.key).unwrap(),
    );
    std::fs::write(d.join("listkeeper.pem"), &lk.cert_pem).unwrap();
    std::fs::write(
        d.join("list.csv"),
        format!(
            "scheme,value,reason,listed_from,listed_until\nimo,{},\"{REASON}\",2026-02-01T00:00:00Z,\n",
            SEA_HARVEST.1
        ),
    )
    .unwrap();
    let (code, out, err) = catchcert(
        d,
        &[
            "issue",
            "watchlist",
            "--key",
            "listkeeper.key",
            "--cert",
            "listkeeper.pem",
            "--input",
            "list.csv",
            "--list-name",
            "FreshMart supplier watch",
            "--list-source",
            "CBP withhold release order 2026-17",
            "--issued-at",
            "2026-05-01T00:00:00Z",
            "--out",
            "list.cose",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().starts_with("sha256:"), "{out}");
    Scene {
        dir,
        chain,
        root_pem: p.root_pem,
    }
}

fn assert_listed(v: &Value) {
    assert_eq!(v["integrity"], "valid", "{v}");
    assert_eq!(v["risk"], "high", "{v}");
    let hit = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "risk.watchlist")
        .unwrap_or_else(|| panic!("no risk.watchlist: {v}"));
    let msg = hit["message"].as_str().unwrap();
    for part in [
        SEA_HARVEST.1,
        REASON,
        "FreshMart supplier watch",
        "CBP withhold release order 2026-17",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
}

fn no_listing(v: &Value) {
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "risk.watchlist"),
        "{v}"
    );
}

fn verify_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--trust", "root.pem", "--at", VERIFY_AT, "--json"]);
    let (code, out, err) = catchcert(dir, &all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

#[test]
fn offline_verify_and_bundle_with_a_watchlist() {
    let s = scene();
    let d = s.dir.path();
    let steaks = s.chain.steaks_head().to_string();
    // without the list the steaks are low risk (exit 0)
    let (code, v) = verify_json(d, &["certs", "--head", &steaks]);
    assert_eq!((code, v["risk"].as_str()), (0, Some("low")), "{v}");
    // with it, both heads that received Sea Harvest fish are high (exit 3)
    for head in [s.chain.steaks_head(), s.chain.loins_head()] {
        let (code, v) = verify_json(
            d,
            &[
                "certs",
                "--head",
                &head.to_string(),
                "--watchlist",
                "list.cose",
            ],
        );
        assert_eq!(code, 3, "{v}");
        assert_listed(&v);
    }
    // the bundle carries the list: verified without --watchlist, still high
    let (code, _, err) = catchcert(
        d,
        &[
            "bundle",
            "--head",
            &steaks,
            "--from",
            "certs",
            "--watchlist",
            "list.cose",
            "--out",
            "steaks.bundle",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, v) = verify_json(d, &["steaks.bundle"]);
    assert_eq!(code, 3, "{v}");
    assert_listed(&v);
    // a file that is not a certificate is an error naming it (exit 1)
    std::fs::write(d.join("junk.cose"), b"not cose").unwrap();
    let (code, _, err) = catchcert(
        d,
        &[
            "verify",
            "certs",
            "--trust",
            "root.pem",
            "--head",
            &steaks,
            "--watchlist",
            "junk.cose",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("junk.cose"), "{err}");
}

async fn online(db: TestDb) {
    let s = scene();
    let store = Store::open(db.url()).await.unwrap();
    let state = AppState::new(store, TrustAnchors::from_pem(&s.root_pem).unwrap());
    let server =
        Running::spawn(|listener, shutdown| catchcert_server::serve_on(listener, state, shutdown))
            .await;
    let c = Client::default();
    let base = server.base.clone();
    for cert in &s.chain.certs {
        c.created(&base, &cert.bytes).await;
    }
    let lot = |lot: &str| format!("{base}/v1/lots/{lot}/verification");
    let before = c.get(&lot(STEAKS_LOT), None).await.json();
    assert_eq!(before["risk"], "low", "{before}");
    let other_before = c.get(&lot("BH12-2026-03-YFT"), None).await.json();
    no_listing(&other_before);
    // the retailer posts its signed list
    let list = std::fs::read(s.dir.path().join("list.cose")).unwrap();
    c.created(&base, &list).await;
    for l in [STEAKS_LOT, LOINS_LOT] {
        assert_listed(&c.get(&lot(l), None).await.json());
    }
    // Blue Horizon's own catch lot never held Sea Harvest fish
    let other = c.get(&lot("BH12-2026-03-YFT"), None).await.json();
    no_listing(&other);
    assert_eq!(other, other_before);
    // the server's bundle verifies the same offline
    let b = c
        .get(&format!("{base}/v1/lots/{STEAKS_LOT}/bundle"), None)
        .await;
    std::fs::write(s.dir.path().join("server.bundle"), &b.body).unwrap();
    let (code, v) = verify_json(s.dir.path(), &["server.bundle"]);
    assert_eq!(code, 3, "{v}");
    assert_listed(&v);
    server.stop().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_watchlist_turns_the_lots_high_on_sqlite() {
    online(db::sqlite_db().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_watchlist_turns_the_lots_high_on_postgresql() {
    let Some(db) = db::pg_db("catchcert-e2e", "catchcert_e2e_watchlist").await else {
        return;
    };
    online(db).await;
}

//! `catchcert serve --log-key` as a real process (contract §6, docs/transparency.md):
//!
//! - with two real `catchcert witness serve` processes (`--witness URL=W.pub`), the
//!   checkpoint carries both cosignatures and a downloaded bundle verifies offline with
//!   `--witness W1.pub --witness W2.pub --witness-threshold 2`, while a witness key that did
//!   not cosign leaves it one short: `log.witness`;
//! - SIGKILL during a stream of concurrent posts: after a restart every certificate
//!   acknowledged with 201 is in the log at the `log_index` it was told, the tiles give the
//!   root of a fresh signed checkpoint, and every logged entry is stored.
#![cfg(unix)]

mod proc_common;

use catchcert_testkit::certs;
use nix::sys::signal::Signal;
use proc_common::{PATIENCE, Proc, http};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ORIGIN: &str = "test.example/log";

/// (the `log_index` a 201 answered, the certificate).
type Acked = (u64, Vec<u8>);

fn get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    http(addr, "GET", path, b"").unwrap()
}

/// Polls until `f` gives `Some` (bounded by [`PATIENCE`]).
fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn keygen(dir: &Path, name: &str) {
    let st = Command::new(env!("CARGO_BIN_EXE_catchcert"))
        .args(["keygen", "--out", &format!("{name}.key")])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
}

fn log_pub(dir: &Path) -> ed25519_dalek::VerifyingKey {
    let pem = std::fs::read_to_string(dir.join("log.pub")).unwrap();
    catchcert_sign::keys::read_public_or_private(&pem).unwrap()
}

/// The checkpoint note, opened with the log key.
fn checkpoint(addr: SocketAddr, dir: &Path) -> Option<(catchcert_tlog::Checkpoint, String)> {
    let (status, body) = get(addr, "/log/checkpoint");
    if status != 200 {
        return None;
    }
    let key = catchcert_tlog::NoteKey::new(ORIGIN, log_pub(dir));
    let cp = catchcert_tlog::open_checkpoint(&body, &key, Some(ORIGIN)).unwrap();
    Some((cp, String::from_utf8(body).unwrap()))
}

fn codes(out: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(out).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .filter(|c| c.starts_with("log."))
        .collect()
}

#[test]
fn two_witnesses_cosign_and_a_bundle_meets_the_threshold_offline() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let pki = certs::Pki::new();
    std::fs::write(dir.join("root.pem"), &pki.root_pem).unwrap();
    for k in ["log", "w1", "w2", "w3"] {
        keygen(dir, k);
    }
    let witness = |n: &str| {
        Proc::spawn(
            &[
                "witness",
                "serve",
                "--key",
                &format!("{n}.key"),
                "--log",
                "log.pub",
                "--log-origin",
                ORIGIN,
                "--name",
                &format!("{n}.example"),
                "--state",
                &format!("{n}-state"),
                "--listen",
                "127.0.0.1:0",
            ],
            dir,
            "info",
            "catchcert witness:",
        )
    };
    let (w1, w2) = (witness("w1"), witness("w2"));
    let db = format!("sqlite://{}", dir.join("catchcert.db").display());
    let spec1 = format!("http://{}=w1.pub", w1.addr);
    let spec2 = format!("http://{}/add-checkpoint=w2.pub", w2.addr);
    let server = Proc::spawn(
        &[
            "serve",
            "--db",
            &db,
            "--trust",
            "root.pem",
            "--log-key",
            "log.key",
            "--log-origin",
            ORIGIN,
            "--witness",
            &spec1,
            "--witness",
            &spec2,
            "--listen",
            "127.0.0.1:0",
        ],
        dir,
        "info",
        "listening on http://",
    );
    let catch = certs::catch(&pki.vessel, "W-CAUGHT", 100.0);
    let landing = certs::landing(
        &pki.vessel,
        certs::id(&catch),
        "W-CAUGHT",
        100.0,
        "W-LANDED",
        100.0,
    );
    for c in [&catch, &landing] {
        assert_eq!(
            http(server.addr, "POST", "/v1/certificates", c).unwrap().0,
            201
        );
    }
    // The background tasks sign a checkpoint of 2 and both witnesses cosign it.
    let (cp, note) = until("a checkpoint of 2 with two cosignatures", || {
        checkpoint(server.addr, dir)
            .filter(|(cp, note)| cp.size == 2 && note.matches("\u{2014} w").count() == 2)
    });
    assert_eq!(cp.size, 2);
    let wkeys: Vec<catchcert_tlog::WitnessKey> = ["w1", "w2"]
        .iter()
        .map(|n| {
            let pem = std::fs::read_to_string(dir.join(format!("{n}.pub"))).unwrap();
            catchcert_tlog::WitnessKey::any_name(
                catchcert_sign::keys::read_public_or_private(&pem).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        catchcert_tlog::count_cosignatures(note.as_bytes(), &wkeys).unwrap(),
        2
    );
    let (status, bundle) = get(server.addr, "/v1/lots/W-LANDED/bundle");
    assert_eq!(status, 200);
    std::fs::write(dir.join("lot.bundle"), &bundle).unwrap();
    drop(server);
    drop(w1);
    drop(w2);

    // Offline, the server and witnesses gone.
    let verify = |witnesses: &[&str], k: &str| {
        let mut args = vec![
            "verify",
            "lot.bundle",
            "--trust",
            "root.pem",
            "--json",
            "--log-key",
            "log.pub",
            "--log-origin",
            ORIGIN,
            "--witness-threshold",
            k,
        ];
        for w in witnesses {
            args.extend(["--witness", w]);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_catchcert"))
            .args(&args)
            .current_dir(dir)
            .output()
            .unwrap();
        codes(&out.stdout)
    };
    assert_eq!(verify(&["w1.pub", "w2.pub"], "2"), Vec::<String>::new());
    // K−1: one of the two required keys never cosigned.
    assert_eq!(verify(&["w1.pub", "w3.pub"], "2"), vec!["log.witness"; 2]);
    assert_eq!(verify(&["w1.pub", "w3.pub"], "1"), Vec::<String>::new());
}

#[test]
fn serve_witness_needs_the_log_and_a_url() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    keygen(dir, "w1");
    let pki = certs::Pki::new();
    std::fs::write(dir.join("root.pem"), &pki.root_pem).unwrap();
    for (args, needle) in [
        (vec!["--witness", "http://127.0.0.1:9=w1.pub"], "--log-key"),
        (
            vec!["--log-key", "w1.key", "--witness", "w1.pub"],
            "URL=W.pub",
        ),
        (
            vec![
                "--log-key",
                "w1.key",
                "--witness",
                "https://w.example=w1.pub",
            ],
            "http://",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_catchcert"))
            .args(["serve", "--trust", "root.pem", "--listen", "127.0.0.1:0"])
            .args(&args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn every_acknowledged_certificate_is_logged_at_its_index_after_sigkill() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let pki = certs::Pki::new();
    std::fs::write(dir.join("root.pem"), &pki.root_pem).unwrap();
    keygen(dir, "log");
    let db = format!("sqlite://{}", dir.join("catchcert.db").display());
    let args = [
        "serve",
        "--db",
        &db,
        "--trust",
        "root.pem",
        "--log-key",
        "log.key",
        "--log-origin",
        ORIGIN,
        "--listen",
        "127.0.0.1:0",
    ];
    let catches: Vec<Vec<u8>> = (0..2000)
        .map(|i| certs::catch(&pki.vessel, &format!("LK-{i}"), 10.0))
        .collect();
    let mut server = Proc::spawn(&args, dir, "info", "listening on http://");
    // (log_index answered, certificate) for each 201.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let posters: Vec<_> = (0..2)
        .map(|k| {
            let mine: Vec<Vec<u8>> = catches.iter().skip(k).step_by(2).cloned().collect();
            let (addr, acked) = (server.addr, acked.clone());
            std::thread::spawn(move || {
                for c in mine {
                    match http(addr, "POST", "/v1/certificates", &c) {
                        Ok((201, body)) => {
                            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                            let i = v["log_index"].as_u64().expect("201 names its log_index");
                            acked.lock().unwrap().push((i, c));
                        }
                        Ok((other, _)) => panic!("unexpected status {other}"),
                        Err(_) => break, // killed
                    }
                }
            })
        })
        .collect();
    until("50 acknowledged posts", || {
        (acked.lock().unwrap().len() >= 50).then_some(())
    });
    // Kill while the sequencer works too: after a first checkpoint, 50 more posts.
    until("a first checkpoint", || checkpoint(server.addr, dir));
    let now = acked.lock().unwrap().len();
    until("50 more acknowledged posts", || {
        (acked.lock().unwrap().len() >= now + 50).then_some(())
    });
    server.signal(Signal::SIGKILL);
    assert!(!server.wait().success(), "killed, not exited");
    for p in posters {
        p.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    eprintln!(
        "{} of {} posts acknowledged before SIGKILL",
        acked.len(),
        catches.len()
    );
    let mut seen = std::collections::BTreeSet::new();
    for (i, _) in &acked {
        assert!(seen.insert(*i), "log_index {i} answered twice");
    }

    let again = Proc::spawn(&args, dir, "info", "listening on http://");
    // One more entry after the restart; a fresh checkpoint covers it and everything before.
    let (status, body) = http(again.addr, "POST", "/v1/certificates", &catches[1999]).unwrap();
    let last = if status == 201 {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["log_index"].as_u64().unwrap()
    } else {
        // Stored before the kill without an answer: its index stands.
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["log_index"].as_u64().unwrap()
    };
    let (cp, _) = until("a checkpoint after the restart", || {
        checkpoint(again.addr, dir).filter(|(cp, _)| cp.size > last)
    });
    let size = cp.size;
    assert!(size as usize >= acked.len());

    // The entries from the tiles (C2SP entry bundles of 256).
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut leaves: Vec<u8> = Vec::new();
    for n in 0..size.div_ceil(256) {
        let w = (size - n * 256).min(256);
        let suffix = if w == 256 {
            String::new()
        } else {
            format!(".p/{w}")
        };
        let (st, b) = get(again.addr, &format!("/log/tile/entries/{n:03}{suffix}"));
        assert_eq!(st, 200);
        entries.extend(catchcert_tlog::decode_entry_bundle(&b).unwrap());
        let (st, b) = get(again.addr, &format!("/log/tile/0/{n:03}{suffix}"));
        assert_eq!(st, 200);
        leaves.extend(b);
    }
    assert_eq!(entries.len() as u64, size);
    // Every acknowledged certificate at the index it was told.
    for (i, cert) in &acked {
        assert_eq!(
            &entries[*i as usize], cert,
            "log_index {i} holds another entry"
        );
    }
    // The tree of the tiles is the signed checkpoint's, and the stored hash tiles agree.
    let mut mem = catchcert_tlog::MemoryLog::new();
    for e in &entries {
        mem.append(e).unwrap();
    }
    assert_eq!(mem.root(), cp.root, "tiles and checkpoint disagree");
    let expect: Vec<u8> = entries
        .iter()
        .flat_map(|e| catchcert_tlog::leaf_hash(e))
        .collect();
    assert_eq!(leaves, expect, "stored leaf hashes");
    // Every logged entry is stored, and each once.
    let mut ids = std::collections::BTreeSet::new();
    for e in &entries {
        let id = certs::id(e);
        assert!(ids.insert(id), "{id} logged twice");
        assert_eq!(get(again.addr, &format!("/v1/certificates/{id}")).0, 200);
    }
    again.signal(Signal::SIGTERM);
    let mut again = again;
    assert!(again.wait().success());
}

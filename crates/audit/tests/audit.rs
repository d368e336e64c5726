//! The auditor against a small in-test tile server (axum on loopback) serving tiles built with
//! catchcert-tlog: a clean log, a lot sold twice in two logged entries, a fork, and tiles
//! that do not match the checkpoint.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use catchcert_audit::{AuditConfig, Outcome, audit};
use catchcert_testkit::certs::{Pki, catch, id, landing};
use catchcert_tlog::*;
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const ORIGIN: &str = "example.org/catchcert-log";

/// Files served under /log/: checkpoint and tiles.
type Files = Arc<Mutex<HashMap<String, Vec<u8>>>>;

fn publish(files: &Files, key: &SigningKey, entries: &[Vec<u8>]) -> MemoryLog {
    let mut log = MemoryLog::new();
    for e in entries {
        log.append(e).unwrap();
    }
    let size = log.size();
    let mut f = files.lock().unwrap();
    f.clear();
    for t in tiles_for_size(size) {
        let bytes = match t.kind {
            TileKind::Entries => {
                let start = (t.index * 256) as usize;
                encode_entry_bundle(&entries[start..start + t.width as usize]).unwrap()
            }
            TileKind::Hash { level } => read_hash_tile(level, t.index, t.width, &log).unwrap(),
        };
        f.insert(t.to_string(), bytes);
    }
    let cp = Checkpoint::new(ORIGIN, size, log.root());
    f.insert(
        "checkpoint".into(),
        sign_checkpoint(&cp, ORIGIN, key).into_bytes(),
    );
    log
}

async fn serve(files: Files) -> String {
    async fn file(State(f): State<Files>, Path(p): Path<String>) -> Result<Vec<u8>, StatusCode> {
        f.lock()
            .unwrap()
            .get(&p)
            .cloned()
            .ok_or(StatusCode::NOT_FOUND)
    }
    let app = axum::Router::new()
        .route("/log/{*path}", get(file))
        .with_state(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_clean_double_sale_and_fork() {
    let pki = Pki::new();
    let key = SigningKey::generate(&mut OsRng);
    let files: Files = Arc::default();
    let url = serve(files.clone()).await;
    let state = tempfile::tempdir().unwrap();
    let cfg = AuditConfig {
        url: url.clone(),
        log_key: key.verifying_key(),
        origin: Some(ORIGIN.into()),
        state_dir: state.path().to_path_buf(),
    };

    // Clean: a catch and one landing of part of it, plus padding entries so the log spans
    // more than one tile.
    let c = catch(&pki.vessel, "LOT-A", 100.0);
    let l1 = landing(&pki.vessel, id(&c), "LOT-A", 60.0, "LAND-1", 60.0);
    let mut entries = vec![c.clone(), l1.clone()];
    for i in 0..300 {
        entries.push(catch(&pki.vessel, &format!("PAD-{i}"), 1.0));
    }
    publish(&files, &key, &entries);
    match audit(&cfg).await.unwrap() {
        Outcome::Clean { checkpoint } => assert_eq!(checkpoint.size, 302),
        other => panic!("{other:?}"),
    }

    // The lot sold twice: a second landing of 60 kg of the same 100 kg catch is logged.
    let l2 = landing(&pki.vessel, id(&c), "LOT-A", 60.0, "LAND-2", 60.0);
    entries.push(l2.clone());
    publish(&files, &key, &entries);
    match audit(&cfg).await.unwrap() {
        Outcome::OverConsumed { findings, .. } => {
            assert_eq!(findings.len(), 1);
            let f = &findings[0];
            assert_eq!((f.source, f.lot.as_str()), (id(&c), "LOT-A"));
            assert_eq!(f.available, 100_000);
            assert_eq!(f.consumed, 120_000);
            let who: Vec<_> = f.consumers.iter().map(|c| (c.0, c.1)).collect();
            assert_eq!(who, vec![(id(&l1), 1), (id(&l2), 302)]);
        }
        other => panic!("{other:?}"),
    }

    // A fork: the log now shows a history without the second landing, grown past it.
    let mut forked = entries[..302].to_vec();
    forked.push(catch(&pki.vessel, "OTHER", 5.0));
    forked.push(catch(&pki.vessel, "OTHER-2", 5.0));
    publish(&files, &key, &forked);
    match audit(&cfg).await.unwrap() {
        Outcome::Fork { kept, served, .. } => {
            assert!(kept.contains("\n303\n"), "{kept}");
            assert!(served.contains("\n304\n"), "{served}");
        }
        other => panic!("{other:?}"),
    }
    // A rollback to a smaller size is a fork too.
    publish(&files, &key, &entries[..10]);
    assert!(matches!(audit(&cfg).await.unwrap(), Outcome::Fork { .. }));

    // The honest log again: still consistent with what was kept.
    entries.push(catch(&pki.vessel, "LATER", 1.0));
    publish(&files, &key, &entries);
    assert!(matches!(
        audit(&cfg).await.unwrap(),
        Outcome::OverConsumed { .. }
    ));

    // Tiles that do not match the checkpoint: an entry swapped after signing.
    publish(&files, &key, &entries);
    {
        let mut f = files.lock().unwrap();
        let swapped = encode_entry_bundle(&[catch(&pki.vessel, "SWAP", 1.0)]).unwrap();
        let mut bundle = decode_entry_bundle(&f["tile/entries/001.p/48"]).unwrap();
        bundle[0] = decode_entry_bundle(&swapped).unwrap().remove(0);
        f.insert(
            "tile/entries/001.p/48".into(),
            encode_entry_bundle(&bundle).unwrap(),
        );
    }
    assert!(matches!(audit(&cfg).await.unwrap(), Outcome::Fork { .. }));

    // A checkpoint by another key is an error, not a verdict.
    let other = AuditConfig {
        log_key: SigningKey::generate(&mut OsRng).verifying_key(),
        ..cfg.clone()
    };
    assert!(audit(&other).await.is_err());
}

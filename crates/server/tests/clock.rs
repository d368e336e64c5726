//! The server takes "now" from the clock in its state (`AppState::with_clock`), not from
//! the system: a certificate signed after the state's time is refused as signed in the
//! future, and accepted once the clock reaches its signing time.

mod common;

use catchcert_model::Timestamp;
use catchcert_model::timestamp::FixedClock;
use catchcert_server::{ApiError, AppState, Config, accept};
use catchcert_store::{Inserted, Store};
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, ISSUED_AT, Pki};
use std::sync::Arc;

async fn state_at(url: &str, root_pem: &str, at: Timestamp) -> AppState {
    let store = Store::open(url).await.unwrap();
    let anchors = TrustAnchors::from_pem(root_pem).unwrap();
    AppState::with_clock(store, anchors, Config::default(), Arc::new(FixedClock(at)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_reads_the_injected_clock() {
    let db = common::sqlite_db().await.unwrap();
    let pki = Pki::new();
    let issued = Timestamp::parse_rfc3339(ISSUED_AT).unwrap();
    let catch = certs::catch(&pki.vessel, "LOT-CLOCK", 100.0);

    let early = Timestamp(issued.0 - 3600);
    let before = state_at(db.url(), &pki.root_pem, early).await;
    assert_eq!(before.now(), early);
    match accept::ingest_certificate(&before, &catch).await {
        Err(ApiError::Rejected { findings, .. }) => {
            assert_eq!(findings.len(), 1, "{findings:?}");
            assert!(
                findings[0]
                    .message
                    .contains("is in the future (server time 2026-05-31T23:00:00Z"),
                "{}",
                findings[0].message
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(before.store().count().await.unwrap(), 0);
    drop(before);

    let after = state_at(db.url(), &pki.root_pem, issued).await;
    let (inserted, id) = accept::ingest_certificate(&after, &catch).await.unwrap();
    assert_eq!(inserted, Inserted::Created);
    assert_eq!(id, certs::id(&catch));
    drop(after);
    db.finish().await;
}

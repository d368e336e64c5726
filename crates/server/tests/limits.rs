//! The server's limits (`catchcert_model::limits`, `docs/limits.md`) at the limit and one
//! past it: body sizes over real HTTP, CPU slots through `AppState::run_cpu`, and the
//! request timeout's default and message. The stalled-upload test of `api.rs` runs the
//! timeout itself.

#[macro_use]
mod common;

use catchcert_model::limits;
use catchcert_server::{ApiError, AppState, Config};
use catchcert_verify::path::TrustAnchors;
use common::certs::Pki;
use common::{Client, Server};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

const BUNDLE: &str = "application/vnd.catchcert.bundle+cbor";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_bodies_at_the_limit_and_one_past() {
    let db = common::sqlite_db().await.unwrap();
    let pki = Pki::new();
    let s = Server::start(db.url(), &pki.root_pem).await;
    let c = Client::default();
    let cert = |n: usize| vec![0u8; n];
    // At the limit the body is read (and is not a certificate); one byte more is 413.
    let p = c
        .post_cert(&s.base, &cert(limits::HTTP_CERTIFICATE_BODY))
        .await
        .problem(400);
    assert_eq!(p["type"], "urn:catchcert:problem:malformed-certificate");
    let p = c
        .post_cert(&s.base, &cert(limits::HTTP_CERTIFICATE_BODY + 1))
        .await
        .problem(413);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("HTTP_CERTIFICATE_BODY"), "{detail}");

    let url = format!("{}/v1/verify", s.base);
    let p = c
        .post(&url, BUNDLE, vec![0u8; limits::HTTP_BUNDLE_BODY])
        .await
        .problem(400);
    assert_ne!(p["type"], "urn:catchcert:problem:body-too-large");
    let p = c
        .post(&url, BUNDLE, vec![0u8; limits::HTTP_BUNDLE_BODY + 1])
        .await
        .problem(413);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("HTTP_BUNDLE_BODY"), "{detail}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_jobs_at_the_limit_and_one_past() {
    let db = common::sqlite_db().await.unwrap();
    let pki = Pki::new();
    let store = catchcert_store::Store::open(db.url()).await.unwrap();
    let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
    let jobs = limits::CPU_JOBS;
    let config = Config {
        cpu_jobs: jobs,
        ..Default::default()
    };
    let state = AppState::with_config(store, anchors, config);
    assert_eq!(state.cpu_slots_free(), jobs);
    // `jobs` jobs run at once: each waits at a barrier that opens only when all of them
    // (and this test) have arrived.
    let started = Arc::new(Barrier::new(jobs + 1));
    let release = Arc::new(Barrier::new(jobs + 1));
    let mut running = Vec::new();
    for _ in 0..jobs {
        let (state, started, release) = (state.clone(), started.clone(), release.clone());
        running.push(tokio::spawn(async move {
            state
                .run_cpu(move || {
                    started.wait();
                    release.wait();
                })
                .await
        }));
    }
    let s2 = started.clone();
    tokio::task::spawn_blocking(move || s2.wait())
        .await
        .unwrap();
    // At the limit: no slot is free, so one job more waits for one.
    assert_eq!(state.cpu_slots_free(), 0);
    let ran = Arc::new(AtomicBool::new(false));
    let r2 = ran.clone();
    let st = state.clone();
    let extra =
        tokio::spawn(async move { st.run_cpu(move || r2.store(true, Ordering::SeqCst)).await });
    tokio::task::yield_now().await;
    assert!(!ran.load(Ordering::SeqCst), "a job ran beyond the limit");
    let r = release.clone();
    tokio::task::spawn_blocking(move || r.wait()).await.unwrap();
    for j in running {
        j.await.unwrap().unwrap();
    }
    extra.await.unwrap().unwrap();
    assert!(ran.load(Ordering::SeqCst));
    assert_eq!(state.cpu_slots_free(), jobs);
}

#[test]
fn request_timeout_default_and_message() {
    let d = Config::default();
    assert_eq!(
        d.request_timeout,
        std::time::Duration::from_secs(limits::REQUEST_TIMEOUT_SECS)
    );
    assert!(d.cpu_jobs >= 1);
    let e = ApiError::Timeout(limits::REQUEST_TIMEOUT_SECS);
    assert!(e.to_string().contains("REQUEST_TIMEOUT_SECS"), "{e}");
}

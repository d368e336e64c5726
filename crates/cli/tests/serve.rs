//! `catchcert serve` as a real process: every certificate acknowledged with 201 survives a
//! SIGKILL (contract §5: a 201 means durable), and SIGTERM lets a request in flight
//! finish before the process exits 0.
#![cfg(unix)]

mod proc_common;

use catchcert_testkit::certs;
use nix::sys::signal::Signal;
use proc_common::{PATIENCE, Proc, http};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `catchcert serve`.
type Server = Proc;

/// `catchcert serve --db DB --trust TRUST --listen 127.0.0.1:0`, once it listens.
fn serve_start(db: &str, trust: &Path) -> Server {
    let trust = trust.to_string_lossy().into_owned();
    serve(&["--db", db, "--trust", &trust], Path::new("."))
}

/// `catchcert serve ARGS --listen 127.0.0.1:0` in `cwd` (the access log on), once it listens.
fn serve(args: &[&str], cwd: &Path) -> Server {
    let mut all = vec!["serve"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--listen", "127.0.0.1:0"]);
    Proc::spawn(&all, cwd, "info,tower_http=debug", "listening on http://")
}

/// One request with `body`; the status of the answer.
fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> std::io::Result<u16> {
    http(addr, method, path, body).map(|(status, _)| status)
}

fn read_status(s: &mut TcpStream) -> std::io::Result<u16> {
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP status in {text:?}")))
}

/// GET `path`; the status and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let (status, body) = http(addr, "GET", path, b"").unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn serve_demo_loads_the_chain_once_and_answers_a_retailer() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut server = serve(&["--demo", "--db", &db], dir.path());
    // Loading finishes before the server listens, so the line is already logged.
    assert!(
        server.log().contains("16 certificates stored (16 new)"),
        "{}",
        server.log()
    );
    assert!(dir.path().join("catchcert-demo-root.pem").exists());
    let (status, body) = get(server.addr, "/v1/lots/FM-LOINS-2026-0412/verification");
    assert_eq!(status, 200, "{body}");
    // Chunked or not, the verdict object is in the body.
    assert!(body.contains("\"integrity\":\"valid\""), "{body}");
    assert!(body.contains("\"risk\":\"high\""), "{body}");
    let (_, body) = get(server.addr, "/v1/lots/FM-BET-2026-0413/verification");
    assert!(body.contains("\"risk\":\"low\""), "{body}");
    server.signal(Signal::SIGTERM);
    assert!(server.wait().success(), "{}", server.log());
    // The demo's crew names and its keys never reach the log.
    let log = server.log();
    for secret in ["Ahmad Suryadi", "Juan Dela Cruz", "Chen Wei", "PRIVATE KEY"] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }

    // A restart on the same database stores nothing twice: the demo is reproducible.
    let again = serve(&["--demo", "--db", &db], dir.path());
    assert!(
        again.log().contains("16 certificates stored (0 new)"),
        "{}",
        again.log()
    );
}

fn setup() -> (tempfile::TempDir, certs::Pki, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pki = certs::Pki::new();
    let trust = dir.path().join("root.pem");
    std::fs::write(&trust, &pki.root_pem).unwrap();
    let db = format!("sqlite://{}", dir.path().join("catchcert.db").display());
    (dir, pki, db, trust)
}

#[test]
fn every_acknowledged_certificate_survives_sigkill() {
    let (_dir, pki, db, trust) = setup();
    let catches: Vec<Vec<u8>> = (0..400)
        .map(|i| certs::catch(&pki.vessel, &format!("K-{i}"), 10.0))
        .collect();
    let server = serve_start(&db, &trust);
    let acked = Arc::new(Mutex::new(Vec::new()));
    // Two clients stream posts until the server dies under them.
    let posters: Vec<_> = (0..2)
        .map(|k| {
            let mine: Vec<Vec<u8>> = catches.iter().skip(k).step_by(2).cloned().collect();
            let (addr, acked) = (server.addr, acked.clone());
            std::thread::spawn(move || {
                for c in mine {
                    match request(addr, "POST", "/v1/certificates", &c) {
                        Ok(201) => acked.lock().unwrap().push(certs::id(&c)),
                        Ok(other) => panic!("unexpected status {other}"),
                        Err(_) => break, // killed
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + PATIENCE;
    while acked.lock().unwrap().len() < 50 {
        assert!(Instant::now() < deadline, "posts are not acknowledged");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut server = server;
    server.signal(Signal::SIGKILL);
    let status = server.wait();
    assert!(!status.success(), "killed, not exited: {status:?}");
    for p in posters {
        p.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 50);
    eprintln!(
        "{} of {} posts acknowledged before SIGKILL",
        acked.len(),
        catches.len()
    );

    let mut again = serve_start(&db, &trust);
    for id in &acked {
        let status = request(again.addr, "GET", &format!("/v1/certificates/{id}"), b"").unwrap();
        assert_eq!(status, 200, "{id} was acknowledged with 201 but is lost");
    }
    // The store still works after recovery.
    let status = request(again.addr, "POST", "/v1/certificates", &catches[399]).unwrap();
    assert!(status == 201 || status == 200, "{status}");
    again.signal(Signal::SIGTERM);
    assert!(again.wait().success());
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let (_dir, pki, db, trust) = setup();
    let catch = certs::catch(&pki.vessel, "S-1", 10.0);
    let mut server = serve_start(&db, &trust);

    // Send the head and half of the body, so that the request is in flight.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "POST /v1/certificates HTTP/1.1\r\nHost: {}\r\nContent-Type: application/cose\r\n\
         Content-Length: {}\r\n\r\n",
        server.addr,
        catch.len()
    )
    .unwrap();
    let half = catch.len() / 2;
    s.write_all(&catch[..half]).unwrap();
    s.flush().unwrap();
    server.wait_for("started processing request");

    server.signal(Signal::SIGTERM);
    server.wait_for("shutdown signal received");
    // The rest of the body after the signal: the request still completes.
    s.write_all(&catch[half..]).unwrap();
    assert_eq!(read_status(&mut s).unwrap(), 201, "log:\n{}", server.log());
    let status = server.wait();
    assert!(status.success(), "{status:?}; log:\n{}", server.log());
    // Once stopped, nothing listens.
    assert!(TcpStream::connect(server.addr).is_err());

    // The certificate answered 201 is stored.
    let mut again = serve_start(&db, &trust);
    let status = request(
        again.addr,
        "GET",
        &format!("/v1/certificates/{}", certs::id(&catch)),
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    again.signal(Signal::SIGTERM);
    assert!(again.wait().success());
}

#[test]
fn a_bad_trust_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("roots.pem");
    std::fs::write(&trust, "not a certificate").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_catchcert"))
        .args(["serve", "--listen", "127.0.0.1:0", "--trust"])
        .arg(&trust)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("roots.pem"), "{err}");
    // Nothing was created in the working directory.
    assert!(!dir.path().join("catchcert.db").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_catchcert"))
        .args(["serve", "--listen", "not-an-address", "--trust"])
        .arg(&trust)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad flag is a usage error");
}

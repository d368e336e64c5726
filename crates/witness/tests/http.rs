//! The witness over real HTTP on loopback: accept, rollback (409), fork (422), restart keeps
//! state, unknown origin, bad signature, malformed requests.

use catchcert_tlog::*;
use catchcert_witness::Witness;
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use std::sync::Arc;

const ORIGIN: &str = "example.org/catchcert-log";

struct Log {
    key: SigningKey,
    tree: MemoryLog,
}

impl Log {
    fn new(tag: &str, n: u64) -> Self {
        let mut l = Log {
            key: SigningKey::generate(&mut OsRng),
            tree: MemoryLog::new(),
        };
        l.grow(tag, n);
        l
    }
    fn grow(&mut self, tag: &str, n: u64) {
        for _ in 0..n {
            let i = self.tree.size();
            self.tree.append(format!("{tag} {i}").as_bytes()).unwrap();
        }
    }
    fn note(&self, size: u64) -> String {
        let cp = Checkpoint::new(ORIGIN, size, self.tree.root_at(size).unwrap());
        sign_checkpoint(&cp, ORIGIN, &self.key)
    }
    fn request(&self, old: u64, size: u64) -> String {
        let mut s = format!("old {old}\n");
        use base64::Engine;
        for h in prove_consistency(old, size, &self.tree).unwrap() {
            s.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.note(size));
        s
    }
}

struct Running {
    url: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(w: Witness) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/add-checkpoint", listener.local_addr().unwrap());
    let task = tokio::spawn(catchcert_witness::serve(
        listener,
        Arc::new(w),
        std::future::pending(),
    ));
    Running { url, task }
}

async fn post(url: &str, body: String) -> (u16, String, String) {
    let r = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witness_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let wkey = SigningKey::generate(&mut OsRng);
    let wpub = WitnessKey::new("witness.example", wkey.verifying_key());
    let mut log = Log::new("entry", 5);
    let log_pub = log.key.verifying_key();
    let open =
        || Witness::open("witness.example", wkey.clone(), log_pub, ORIGIN, dir.path()).unwrap();
    let w = open();
    let run = start(w).await;

    // First checkpoint: old 0, empty proof.
    let (st, _, body) = post(&run.url, log.request(0, 5)).await;
    assert_eq!(st, 200, "{body}");
    let note = add_signature_lines(&log.note(5), &[body]);
    assert_eq!(
        count_cosignatures(note.as_bytes(), std::slice::from_ref(&wpub)).unwrap(),
        1
    );

    // The same checkpoint again: cosigned again.
    let (st, _, _) = post(&run.url, log.request(5, 5)).await;
    assert_eq!(st, 200);

    // Growth with a consistency proof.
    log.grow("entry", 7);
    let (st, _, body) = post(&run.url, log.request(5, 12)).await;
    assert_eq!(st, 200, "{body}");

    // Rollback: old is not the size last cosigned → 409 with that size.
    let (st, ct, body) = post(&run.url, log.request(5, 12)).await;
    assert_eq!(
        (st, ct.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "12\n")
    );
    let (st, _, body) = post(&run.url, log.request(0, 3)).await;
    assert_eq!((st, body.as_str()), (409, "12\n"));

    // Fork: another history signed by the same log key.
    let mut fork = Log::new("forked", 12);
    fork.key = log.key.clone();
    let (st, _, _) = post(&run.url, fork.request(12, 12)).await;
    assert_eq!(st, 422, "same size, other root");
    fork.grow("forked", 3);
    let mut forged = "old 12\n".to_string();
    use base64::Engine;
    for h in prove_consistency(12, 15, &fork.tree).unwrap() {
        forged.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
        forged.push('\n');
    }
    forged.push('\n');
    forged.push_str(&fork.note(15));
    let (st, _, _) = post(&run.url, forged).await;
    assert_eq!(st, 422, "proof from a forked history");

    // Not signed by the log key → 403; unknown origin → 404; malformed → 400.
    let stranger = Log::new("entry", 14);
    let (st, _, _) = post(
        &run.url,
        stranger.request(12, 14).replace("old 0", "old 12"),
    )
    .await;
    assert_eq!(st, 403);
    let other_origin = log.request(12, 12).replace(ORIGIN, "other.example/log");
    let (st, _, _) = post(&run.url, other_origin).await;
    assert_eq!(st, 404);
    for bad in ["", "old x\n\nfoo\n", "old 1\nnot-base64!\n\n", "garbage"] {
        let (st, _, _) = post(&run.url, bad.to_string()).await;
        assert_eq!(st, 400, "{bad:?}");
    }
    let (st, _, _) = post(
        &run.url,
        log.request(12, 12).replacen("old 12", "old 13", 1),
    )
    .await;
    assert_eq!(st, 400, "old above the checkpoint's size");

    // Restart: the state survives.
    run.task.abort();
    let run = start(open()).await;
    let (st, _, body) = post(&run.url, log.request(0, 12)).await;
    assert_eq!((st, body.as_str()), (409, "12\n"));
    log.grow("entry", 1);
    let (st, _, _) = post(&run.url, log.request(12, 13)).await;
    assert_eq!(st, 200);
    run.task.abort();
}

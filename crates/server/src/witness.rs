//! Witness cosigning (`serve --witness URL=W.pub`, docs/transparency.md): a background task
//! sends each new checkpoint to every configured C2SP tlog-witness and keeps the
//! cosignatures that verify against that witness's key.
//!
//! **Protocol** (C2SP tlog-witness). `POST <URL>/add-checkpoint` with the body
//!
//! ```text
//! old <size the witness last cosigned>
//! <base64 consistency proof hash from that size>…
//!
//! <checkpoint note signed by the log>
//! ```
//!
//! 200 answers one or more cosignature lines; each is kept only when it is a valid
//! tlog-cosignature v1 by the witness's key over this checkpoint (a witness that answers
//! garbage, or another key's line, adds nothing). 409 answers the size the witness last
//! cosigned (`text/x.tlog.size`): the request is made once more with a proof from that size.
//! Other answers (403 unknown key, 422 a fork) and network failures are logged and retried
//! with the next checkpoint, or with the same one after [`RETRY_AFTER_FAILURE`].
//!
//! **Never blocking.** This runs in its own task, beside the sequencer: ingest and checkpoint
//! signing never wait for a witness. Each request has a timeout ([`REQUEST_TIMEOUT`]) and
//! each answer is read up to [`MAX_ANSWER`] bytes.
//!
//! **State.** The size each witness last cosigned is kept in memory and learnt again from
//! its 409 after a restart. Cosignatures are stored with their checkpoint (the store's
//! `log_cosignatures`), so every server on one PostgreSQL log serves them.

use crate::log::StoreHashes;
use catchcert_store::{Store, StoredCheckpoint};
use catchcert_tlog::{Hash, WitnessKey};
use ed25519_dalek::VerifyingKey;
use std::sync::Mutex;
use std::time::Duration;

/// The longest a witness request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest witness answer read.
pub const MAX_ANSWER: usize = 16 * 1024;
/// How often the witness task looks for a checkpoint to send.
pub const WITNESS_INTERVAL: Duration = Duration::from_secs(1);
/// After a witness failed on a checkpoint, how long before the same checkpoint is sent to it
/// again (a new checkpoint is sent at once).
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// One configured witness: where it listens and the key its cosignatures must verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPeer {
    /// The `add-checkpoint` URL.
    pub url: String,
    /// The witness's Ed25519 public key (its cosignature lines carry its name; the key id
    /// binds the name to this key).
    pub key: VerifyingKey,
}

impl WitnessPeer {
    /// A witness at `url`: its submission prefix (`http://host:port`, `/add-checkpoint` is
    /// added) or the full `…/add-checkpoint` URL.
    pub fn new(url: &str, key: VerifyingKey) -> Self {
        let base = url.trim_end_matches('/');
        let url = if base.ends_with("/add-checkpoint") {
            base.to_string()
        } else {
            format!("{base}/add-checkpoint")
        };
        WitnessPeer { url, key }
    }
}

/// What one attempt at a witness ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// A valid cosignature by this witness for the checkpoint is stored (now or before).
    Cosigned,
    /// The witness answered, but nothing valid came of it (status and reason).
    Refused(String),
    /// The witness could not be reached or answered too slowly.
    Unreachable(String),
}

/// The witnesses of a log and what the server knows of each.
pub struct Witnessing {
    peers: Vec<WitnessPeer>,
    client: reqwest::Client,
    /// The size each witness last cosigned, as far as this server knows.
    known: Mutex<Vec<u64>>,
    /// Each witness's last failure: the checkpoint size and when.
    failed: Mutex<Vec<Option<(u64, std::time::Instant)>>>,
}

impl std::fmt::Debug for Witnessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witnessing")
            .field("peers", &self.peers)
            .finish_non_exhaustive()
    }
}

impl Witnessing {
    /// Witnessing by `peers`.
    pub fn new(peers: Vec<WitnessPeer>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap_or_default();
        let known = Mutex::new(vec![0; peers.len()]);
        let failed = Mutex::new(vec![None; peers.len()]);
        Witnessing {
            peers,
            client,
            known,
            failed,
        }
    }

    /// The configured witnesses.
    pub fn peers(&self) -> &[WitnessPeer] {
        &self.peers
    }

    fn known(&self, i: usize) -> u64 {
        self.known.lock().unwrap_or_else(|p| p.into_inner())[i]
    }

    fn set_known(&self, i: usize, size: u64) {
        self.known.lock().unwrap_or_else(|p| p.into_inner())[i] = size;
    }

    /// Whether witness `i` failed on the checkpoint of `size` less than
    /// [`RETRY_AFTER_FAILURE`] ago.
    fn resting(&self, i: usize, size: u64) -> bool {
        matches!(
            self.failed.lock().unwrap_or_else(|p| p.into_inner())[i],
            Some((s, at)) if s == size && at.elapsed() < RETRY_AFTER_FAILURE
        )
    }

    fn set_failed(&self, i: usize, failure: Option<u64>) {
        self.failed.lock().unwrap_or_else(|p| p.into_inner())[i] =
            failure.map(|s| (s, std::time::Instant::now()));
    }
}

/// The cosignature lines of `answer` that are valid by `key` over the checkpoint `note`
/// (the log-signed note), with the witness name each carries.
pub fn valid_lines(note: &str, answer: &str, key: VerifyingKey) -> Vec<(String, String)> {
    let wk = [WitnessKey::any_name(key)];
    answer
        .split('\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let line = format!("{l}\n");
            let name = l.strip_prefix("\u{2014} ")?.split_once(' ')?.0.to_string();
            let with = catchcert_tlog::add_signature_lines(note, std::slice::from_ref(&line));
            match catchcert_tlog::count_cosignatures(with.as_bytes(), &wk) {
                Ok(1) => Some((name, line)),
                _ => None,
            }
        })
        .collect()
}

/// The consistency proof from `old` to `size` from the stored hashes.
async fn consistency(store: &Store, old: u64, size: u64) -> Result<Vec<Hash>, String> {
    if old == size {
        return Ok(Vec::new());
    }
    let (st, handle) = (store.clone(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || {
        catchcert_tlog::prove_consistency(old, size, &StoreHashes::new(st, handle))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

fn request_body(old: u64, proof: &[Hash], note: &str) -> String {
    use base64::Engine;
    let mut s = format!("old {old}\n");
    for h in proof {
        s.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
        s.push('\n');
    }
    s.push('\n');
    s.push_str(note);
    s
}

/// Reads at most [`MAX_ANSWER`] bytes of an answer.
async fn read_limited(mut res: reqwest::Response) -> Result<String, String> {
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("answer over {MAX_ANSWER} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "answer is not UTF-8".to_string())
}

/// Sends the checkpoint `cp` to witness `i` (retrying once from the size a 409 names) and
/// stores the valid cosignature.
async fn push_one(store: &Store, w: &Witnessing, i: usize, cp: &StoredCheckpoint) -> PushOutcome {
    let peer = &w.peers[i];
    let note = String::from_utf8_lossy(&cp.note).into_owned();
    let served = crate::log::served_note(cp);
    let wk = [WitnessKey::any_name(peer.key)];
    if matches!(
        catchcert_tlog::count_cosignatures(served.as_bytes(), &wk),
        Ok(n) if n > 0
    ) {
        w.set_known(i, cp.size);
        return PushOutcome::Cosigned;
    }
    for _attempt in 0..2 {
        let old = w.known(i);
        if old > cp.size {
            return PushOutcome::Refused(format!(
                "the witness has cosigned size {old}, above this checkpoint's {}",
                cp.size
            ));
        }
        let proof = match consistency(store, old, cp.size).await {
            Ok(p) => p,
            Err(e) => return PushOutcome::Refused(format!("consistency proof: {e}")),
        };
        let res = match w
            .client
            .post(&peer.url)
            .body(request_body(old, &proof, &note))
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return PushOutcome::Unreachable(e.to_string()),
        };
        let status = res.status().as_u16();
        let text = match read_limited(res).await {
            Ok(t) => t,
            Err(e) => return PushOutcome::Unreachable(e),
        };
        match status {
            200 => {
                let lines = valid_lines(&note, &text, peer.key);
                let Some((name, line)) = lines.into_iter().next() else {
                    return PushOutcome::Refused(
                        "200 without a valid cosignature by the witness key".into(),
                    );
                };
                if let Err(e) = store.save_cosignature(cp.size, &name, &line).await {
                    return PushOutcome::Refused(format!("storing the cosignature: {e}"));
                }
                w.set_known(i, cp.size);
                return PushOutcome::Cosigned;
            }
            409 => {
                let Some(size) = text.strip_suffix('\n').unwrap_or(&text).parse::<u64>().ok()
                else {
                    return PushOutcome::Refused("409 without a size".into());
                };
                if size == old {
                    return PushOutcome::Refused(format!("409 naming the size sent ({old})"));
                }
                w.set_known(i, size);
            }
            s => {
                return PushOutcome::Refused(format!("{s}: {}", text.trim()));
            }
        }
    }
    PushOutcome::Refused("409 twice".into())
}

/// Sends the latest checkpoint to every witness that has not cosigned it yet (all at once)
/// and keeps the valid cosignatures; returns each witness's outcome, in the order of the
/// peers (none without a checkpoint).
pub async fn witness_once(
    store: &Store,
    w: &std::sync::Arc<Witnessing>,
) -> Result<Vec<PushOutcome>, catchcert_store::StoreError> {
    witness_round(store, w, false).await
}

/// [`witness_once`]; with `rest`, a witness that failed on this same checkpoint less than
/// [`RETRY_AFTER_FAILURE`] ago is not asked again (its outcome is the last failure's kind,
/// `Refused("resting …")`), so a witness that is down is not called every second.
async fn witness_round(
    store: &Store,
    w: &std::sync::Arc<Witnessing>,
    rest: bool,
) -> Result<Vec<PushOutcome>, catchcert_store::StoreError> {
    let Some(cp) = store.checkpoint(None).await? else {
        return Ok(Vec::new());
    };
    let cp = std::sync::Arc::new(cp);
    let mut set = tokio::task::JoinSet::new();
    let mut resting = vec![false; w.peers.len()];
    for (i, r) in resting.iter_mut().enumerate() {
        if rest && w.resting(i, cp.size) {
            *r = true;
            continue;
        }
        let (store, w, cp) = (store.clone(), w.clone(), cp.clone());
        set.spawn(async move { (i, push_one(&store, &w, i, &cp).await) });
    }
    let mut out = vec![PushOutcome::Unreachable("task failed".into()); w.peers.len()];
    while let Some(r) = set.join_next().await {
        if let Ok((i, o)) = r {
            out[i] = o;
        }
    }
    for (i, o) in out.iter_mut().enumerate() {
        if resting[i] {
            *o = PushOutcome::Refused(format!("resting after a failure on size {}", cp.size));
        } else {
            w.set_failed(i, (*o != PushOutcome::Cosigned).then_some(cp.size));
        }
    }
    for ((peer, o), r) in w.peers.iter().zip(&out).zip(&resting) {
        if *r {
            continue;
        }
        match o {
            PushOutcome::Cosigned => {}
            PushOutcome::Refused(why) => {
                tracing::warn!(witness = %peer.url, size = cp.size, reason = %why, "witness did not cosign");
            }
            PushOutcome::Unreachable(why) => {
                tracing::warn!(witness = %peer.url, size = cp.size, reason = %why, "witness unreachable; retrying with the next checkpoint");
            }
        }
    }
    Ok(out)
}

/// The witness loop: every [`WITNESS_INTERVAL`], [`witness_once`]; runs until the runtime
/// stops. Failures are logged and retried.
pub async fn run_witnesses(store: Store, w: std::sync::Arc<Witnessing>) {
    let mut tick = tokio::time::interval(WITNESS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = witness_round(&store, &w, true).await {
            tracing::error!(error = %e, "witnessing failed; retrying");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use catchcert_tlog::{Checkpoint, cosign, sign_checkpoint};
    use ed25519_dalek::SigningKey;

    #[test]
    fn only_lines_by_the_witness_key_over_this_checkpoint_are_kept() {
        let log = SigningKey::from_bytes(&[1; 32]);
        let w = SigningKey::from_bytes(&[2; 32]);
        let other = SigningKey::from_bytes(&[3; 32]);
        let cp = Checkpoint::new("o.example/log", 5, [7; 32]);
        let note = sign_checkpoint(&cp, "o.example/log", &log);
        let good = cosign(&cp.body(), "w.example", &w, 100);
        let kept = valid_lines(&note, &good, w.verifying_key());
        assert_eq!(kept, vec![("w.example".to_string(), good.clone())]);
        // Another key's line, a line over another checkpoint, garbage: nothing.
        let by_other = cosign(&cp.body(), "w.example", &other, 100);
        assert!(valid_lines(&note, &by_other, w.verifying_key()).is_empty());
        let cp6 = Checkpoint::new("o.example/log", 6, [7; 32]);
        let elsewhere = cosign(&cp6.body(), "w.example", &w, 100);
        assert!(valid_lines(&note, &elsewhere, w.verifying_key()).is_empty());
        for junk in ["", "\n", "hello\n", "\u{2014} w.example !!!\n"] {
            assert!(valid_lines(&note, junk, w.verifying_key()).is_empty());
        }
        // Among several lines, the valid one is found.
        let both = format!("{by_other}{good}");
        assert_eq!(valid_lines(&note, &both, w.verifying_key()).len(), 1);
    }

    #[test]
    fn the_add_checkpoint_path_is_added_once() {
        let k = SigningKey::from_bytes(&[2; 32]).verifying_key();
        for (given, url) in [
            ("http://w:1", "http://w:1/add-checkpoint"),
            ("http://w:1/", "http://w:1/add-checkpoint"),
            ("http://w:1/prefix", "http://w:1/prefix/add-checkpoint"),
            ("http://w:1/add-checkpoint", "http://w:1/add-checkpoint"),
        ] {
            assert_eq!(WitnessPeer::new(given, k).url, url);
        }
    }
}

//! # catchcert-witness
//!
//! A C2SP tlog-witness for one log: `POST /add-checkpoint` with the body
//!
//! ```text
//! old <size>
//! <base64 consistency proof hash>…
//!
//! <checkpoint note signed by the log>
//! ```
//!
//! The witness cosigns (C2SP tlog-cosignature v1) a checkpoint only when it extends, by a
//! verified consistency proof, the checkpoint it last cosigned for that origin; it then keeps
//! the new one durably (temp file, fsync, rename, fsync of the directory) before answering.
//!
//! Statuses (C2SP tlog-witness; the contract's 422 for a same-size root that differs):
//! 200 the cosignature line; 400 a malformed request or note, or `old` above the checkpoint's
//! size; 403 no valid signature by the log key; 404 an unknown origin; 409 `old` is not the
//! size last cosigned (body: that size and a newline, `Content-Type: text/x.tlog.size`);
//! 422 the consistency proof does not verify, or a checkpoint of the size last cosigned has
//! another root (a fork).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use catchcert_tlog::{
    Checkpoint, EMPTY_ROOT, Hash, MAX_PROOF_LEN, NoteError, NoteKey, cosign, open_checkpoint,
    verify_consistency,
};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest request body accepted.
pub const MAX_REQUEST: usize = 128 * 1024;

/// The witness: its cosigning key and name, the one log it witnesses, its state directory.
pub struct Witness {
    name: String,
    key: SigningKey,
    log: NoteKey,
    origin: String,
    state_dir: PathBuf,
    lock: Mutex<()>,
}

/// Errors opening the witness or its state.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// A state file or directory that cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A state file whose content is not a checkpoint of this log.
    #[error("{path}: corrupt witness state: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The answer to one `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200 with the cosignature line.
    Cosigned(String),
    /// 409: `old` is not the size last cosigned (which is given).
    Conflict(u64),
    /// Another status with a short plain-text reason.
    Refused(u16, String),
}

impl Witness {
    /// A witness named `name` (its cosignature key name) for the log with key `log_key` and
    /// origin `origin` (the log key's name is the origin), keeping state in `state_dir`
    /// (created if missing).
    pub fn open(
        name: &str,
        key: SigningKey,
        log_key: ed25519_dalek::VerifyingKey,
        origin: &str,
        state_dir: &Path,
    ) -> Result<Self, WitnessError> {
        std::fs::create_dir_all(state_dir).map_err(|source| WitnessError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let w = Self {
            name: name.to_string(),
            key,
            log: NoteKey::new(origin, log_key),
            origin: origin.to_string(),
            state_dir: state_dir.to_path_buf(),
            lock: Mutex::new(()),
        };
        w.load()?; // refuse to start on a corrupt state file
        Ok(w)
    }

    /// The witness's verifier key text (`name+hexid+base64(0x04 ‖ key)`).
    pub fn vkey(&self) -> String {
        catchcert_tlog::WitnessKey::new(&self.name, self.key.verifying_key()).vkey()
    }

    fn state_path(&self) -> PathBuf {
        let h = Sha256::digest(self.origin.as_bytes());
        self.state_dir
            .join(format!("{}.checkpoint", hex::encode(&h[..16])))
    }

    /// The size and root last cosigned (0 and the empty root before the first).
    pub fn load(&self) -> Result<(u64, Hash), WitnessError> {
        let path = self.state_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, EMPTY_ROOT)),
            Err(source) => return Err(WitnessError::Io { path, source }),
        };
        let cp = Checkpoint::parse_body(&text).map_err(|e| WitnessError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if cp.origin != self.origin {
            return Err(WitnessError::Corrupt {
                path,
                reason: format!("origin {:?}", cp.origin),
            });
        }
        Ok((cp.size, cp.root))
    }

    fn store(&self, cp: &Checkpoint) -> Result<(), WitnessError> {
        let path = self.state_path();
        let tmp = path.with_extension("tmp");
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| WitnessError::Io { path: p, source }
        };
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(cp.body().as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        std::fs::File::open(&self.state_dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.state_dir))?;
        Ok(())
    }

    /// Handles one request body at time `now` (seconds since the Unix epoch).
    pub fn add_checkpoint(&self, body: &[u8], now: u64) -> Outcome {
        let bad = |m: &str| Outcome::Refused(400, m.to_string());
        if body.len() > MAX_REQUEST {
            return Outcome::Refused(413, "request too large".into());
        }
        let Ok(text) = std::str::from_utf8(body) else {
            return bad("not UTF-8");
        };
        let Some((head, note)) = text.split_once("\n\n") else {
            return bad("no blank line before the checkpoint");
        };
        let mut lines = head.split('\n');
        let Some(old) = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
        else {
            return bad("first line is not old <size>");
        };
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_LEN {
                return bad("consistency proof too long");
            }
            match decode_hash(l) {
                Some(h) => proof.push(h),
                None => return bad("consistency proof line is not a base64 hash"),
            }
        }
        // The origin decides which log; this witness knows one.
        let origin = note.split('\n').next().unwrap_or_default();
        if origin != self.origin {
            return Outcome::Refused(404, "unknown log origin".into());
        }
        let cp = match open_checkpoint(note.as_bytes(), &self.log, Some(&self.origin)) {
            Ok(cp) => cp,
            Err(NoteError::NotSigned(_)) => {
                return Outcome::Refused(403, "no valid signature by the log key".into());
            }
            Err(e) => return bad(&e.to_string()),
        };
        if old > cp.size {
            return bad("old size is above the checkpoint's size");
        }
        let Ok(_guard) = self.lock.lock() else {
            return Outcome::Refused(500, "witness state lock poisoned".into());
        };
        let (size, root) = match self.load() {
            Ok(s) => s,
            Err(e) => return Outcome::Refused(500, e.to_string()),
        };
        if old != size {
            return Outcome::Conflict(size);
        }
        if old == cp.size {
            if cp.root != root {
                return Outcome::Refused(
                    422,
                    "checkpoint of the size last cosigned has another root".into(),
                );
            }
            if !proof.is_empty() {
                return Outcome::Refused(422, "a proof between equal sizes must be empty".into());
            }
        } else if verify_consistency(&proof, old, &root, cp.size, &cp.root).is_err() {
            return Outcome::Refused(422, "consistency proof does not verify".into());
        }
        if let Err(e) = self.store(&cp) {
            return Outcome::Refused(500, e.to_string());
        }
        Outcome::Cosigned(cosign(&cp.body(), &self.name, &self.key, now))
    }
}

fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// One base64 SHA-256 hash.
fn decode_hash(s: &str) -> Option<Hash> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .ok()?
        .try_into()
        .ok()
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    let w2 = w.clone();
    let outcome =
        match tokio::task::spawn_blocking(move || w2.add_checkpoint(&body, now_unix())).await {
            Ok(o) => o,
            Err(_) => Outcome::Refused(500, "internal error".into()),
        };
    match outcome {
        Outcome::Cosigned(line) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            line,
        )
            .into_response(),
        Outcome::Conflict(size) => (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, "text/x.tlog.size")],
            format!("{size}\n"),
        )
            .into_response(),
        Outcome::Refused(code, msg) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{msg}\n"),
        )
            .into_response(),
    }
}

/// The witness's routes: `POST /add-checkpoint`.
pub fn router(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(w)
}

/// Serves the witness on `listener` until `shutdown` completes (then finishes the requests in
/// flight) or the server fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    w: Arc<Witness>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(w))
        .with_graceful_shutdown(shutdown)
        .await
}

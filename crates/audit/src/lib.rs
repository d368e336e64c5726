//! # catchcert-audit
//!
//! `catchcert log audit`: an independent check of a catchcert transparency log from its
//! public, static C2SP endpoints only (`GET /log/checkpoint`, `GET /log/tile/...`):
//!
//! 1. the checkpoint is signed by the log key for the expected origin;
//! 2. every entry is fetched from the entry bundles (`tile/entries/...`), the tree is rebuilt
//!    and its root must be the checkpoint's; the level-0 hash tiles served must agree;
//! 3. the tree's prefix of the size of the checkpoint kept from the last audit (in the state
//!    directory) must have that checkpoint's root — otherwise the log showed two histories
//!    (a fork), and both checkpoints are reported; the new checkpoint is kept only when
//!    consistent;
//! 4. every entry is decoded as a certificate and mass balance is re-run over the whole log:
//!    a (certificate, lot) consumed beyond its output, by any entries, is reported with all its
//!    consumers.
//!
//! HTTP only (plain HTTP/1.1, no TLS): audit a mirror or put a TLS-terminating proxy in front.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use catchcert_model::CertId;
use catchcert_tlog::{
    Checkpoint, MemoryLog, NoteKey, TileKind, decode_entry_bundle, open_checkpoint, tiles_for_size,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest response accepted (a full entry bundle is at most 256 · 65537 bytes).
pub const MAX_RESPONSE: usize = 256 * 65537 + 1024;
/// The largest log audited (entries).
pub const MAX_ENTRIES: u64 = 10_000_000;

/// What to audit.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// The log's base URL (`http://host:port`; routes are under `/log/`).
    pub url: String,
    /// The log's public key.
    pub log_key: ed25519_dalek::VerifyingKey,
    /// The log's origin (defaults to the checkpoint's first line; the key name is the origin).
    pub origin: Option<String>,
    /// Where the last checkpoint audited is kept.
    pub state_dir: PathBuf,
}

/// One consumer of a lot: the certificate, its log index, the grams it consumes.
pub type Consumer = (CertId, u64, u64);

/// A (certificate, lot) consumed beyond its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverConsumption {
    /// The certificate that output the lot.
    pub source: CertId,
    /// The lot.
    pub lot: String,
    /// Grams output.
    pub available: u64,
    /// Grams consumed by all entries.
    pub consumed: u128,
    /// Every consumer.
    pub consumers: Vec<Consumer>,
}

/// The result of an audit that could complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Consistent and balanced.
    Clean {
        /// The checkpoint audited.
        checkpoint: Checkpoint,
    },
    /// Two histories: the checkpoint kept from before and the one served now (note texts).
    Fork {
        /// The checkpoint note kept in the state directory.
        kept: String,
        /// The checkpoint note served now (or a description of what the tiles gave).
        served: String,
        /// Why they are inconsistent.
        reason: String,
    },
    /// Consistent, but lots are consumed beyond their output.
    OverConsumed {
        /// The checkpoint audited.
        checkpoint: Checkpoint,
        /// Each over-consumed (certificate, lot).
        findings: Vec<OverConsumption>,
    },
}

/// Errors that stop an audit (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A request failed.
    #[error("GET {url}: {reason}")]
    Http {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The checkpoint does not open.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] catchcert_tlog::NoteError),
    /// A tile or entry bundle that is malformed.
    #[error("{path}: {reason}")]
    Tile {
        /// The tile path.
        path: String,
        /// Why.
        reason: String,
    },
    /// An entry that is not a certificate.
    #[error("entry {index}: {reason}")]
    Entry {
        /// The log index.
        index: u64,
        /// Why.
        reason: String,
    },
    /// The state directory.
    #[error("{path}: {reason}")]
    State {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

async fn get(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, AuditError> {
    let err = |reason: String| AuditError::Http {
        url: url.to_string(),
        reason,
    };
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| err(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(err(format!("status {}", resp.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| err(e.to_string()))? {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(err("response too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("checkpoint")
}

fn write_state(dir: &Path, note: &str) -> Result<(), AuditError> {
    let st = |path: &Path, e: std::io::Error| AuditError::State {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| st(dir, e))?;
    let path = state_file(dir);
    let tmp = dir.join("checkpoint.tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| st(&tmp, e))?;
    f.write_all(note.as_bytes()).map_err(|e| st(&tmp, e))?;
    f.sync_all().map_err(|e| st(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(|e| st(&path, e))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| st(dir, e))?;
    Ok(())
}

/// Runs the audit.
pub async fn audit(cfg: &AuditConfig) -> Result<Outcome, AuditError> {
    let client = reqwest::Client::new();
    let base = cfg.url.trim_end_matches('/');
    let cp_url = format!("{base}/log/checkpoint");
    let note_bytes = get(&client, &cp_url).await?;
    let note = String::from_utf8(note_bytes).map_err(|_| AuditError::Http {
        url: cp_url.clone(),
        reason: "checkpoint is not UTF-8".into(),
    })?;
    let origin = match &cfg.origin {
        Some(o) => o.clone(),
        None => note.split('\n').next().unwrap_or_default().to_string(),
    };
    let key = NoteKey::new(origin.clone(), cfg.log_key);
    let cp = open_checkpoint(note.as_bytes(), &key, Some(&origin))?;
    if cp.size > MAX_ENTRIES {
        return Err(AuditError::Tile {
            path: cp_url,
            reason: format!("tree size {} is above the auditor's limit", cp.size),
        });
    }

    // Fetch every entry; rebuild the tree.
    let mut log = MemoryLog::new();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let tiles = tiles_for_size(cp.size);
    for t in tiles.iter().filter(|t| t.kind == TileKind::Entries) {
        let url = format!("{base}/log/{t}");
        let bundle =
            decode_entry_bundle(&get(&client, &url).await?).map_err(|e| AuditError::Tile {
                path: t.to_string(),
                reason: e.to_string(),
            })?;
        if bundle.len() != t.width as usize {
            return Err(AuditError::Tile {
                path: t.to_string(),
                reason: format!("{} entries, expected {}", bundle.len(), t.width),
            });
        }
        for e in bundle {
            log.append(&e).map_err(|e| AuditError::Tile {
                path: t.to_string(),
                reason: e.to_string(),
            })?;
            entries.push(e);
        }
    }
    // The level-0 hash tiles must be the entries' leaf hashes.
    for t in tiles
        .iter()
        .filter(|t| t.kind == TileKind::Hash { level: 0 })
    {
        let url = format!("{base}/log/{t}");
        let served = get(&client, &url).await?;
        let expected = catchcert_tlog::read_hash_tile(0, t.index, t.width, &log).map_err(|e| {
            AuditError::Tile {
                path: t.to_string(),
                reason: e.to_string(),
            }
        })?;
        if served != expected {
            return Ok(Outcome::Fork {
                kept: String::new(),
                served: note,
                reason: format!("hash tile {t} does not match the entries served"),
            });
        }
    }
    if log.root() != cp.root {
        return Ok(Outcome::Fork {
            kept: String::new(),
            served: note,
            reason: "the entries served do not hash to the checkpoint's root".into(),
        });
    }

    // Consistency with the checkpoint kept from the last audit.
    let path = state_file(&cfg.state_dir);
    match std::fs::read_to_string(&path) {
        Ok(kept) => {
            let old = open_checkpoint(kept.as_bytes(), &key, Some(&origin))?;
            let reason = if old.size > cp.size {
                Some(format!(
                    "the log shrank from size {} to {}",
                    old.size, cp.size
                ))
            } else if log.root_at(old.size).ok() != Some(old.root) {
                Some(format!(
                    "the first {} entries no longer hash to the root kept",
                    old.size
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                return Ok(Outcome::Fork {
                    kept,
                    served: note,
                    reason,
                });
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AuditError::State {
                path,
                reason: e.to_string(),
            });
        }
    }
    write_state(&cfg.state_dir, &note)?;

    let findings = mass_balance(&entries)?;
    Ok(if findings.is_empty() {
        Outcome::Clean { checkpoint: cp }
    } else {
        Outcome::OverConsumed {
            checkpoint: cp,
            findings,
        }
    })
}

/// Mass balance over every entry of the log: what all entries consume of a (certificate, lot)
/// must fit in what that certificate output. Entries must decode as certificates.
pub fn mass_balance(entries: &[Vec<u8>]) -> Result<Vec<OverConsumption>, AuditError> {
    let mut outputs: BTreeMap<(CertId, String), u64> = BTreeMap::new();
    let mut consumers: BTreeMap<(CertId, String), Vec<Consumer>> = BTreeMap::new();
    for (index, bytes) in entries.iter().enumerate() {
        let index = index as u64;
        let (_, payload) =
            catchcert_verify::cose::decode_certificate(bytes).map_err(|e| AuditError::Entry {
                index,
                reason: e.to_string(),
            })?;
        let id = CertId::of_cose(bytes);
        for o in payload.outputs() {
            outputs.insert((id, o.lot.clone()), o.quantity.0);
        }
        for i in payload.inputs() {
            consumers
                .entry((i.certificate, i.lot.clone()))
                .or_default()
                .push((id, index, i.quantity.0));
        }
    }
    let mut out = Vec::new();
    for ((source, lot), cs) in consumers {
        let Some(&available) = outputs.get(&(source, lot.clone())) else {
            continue; // a source outside the log: nothing to balance against
        };
        let consumed: u128 = cs.iter().map(|c| u128::from(c.2)).sum();
        if consumed > u128::from(available) {
            out.push(OverConsumption {
                source,
                lot,
                available,
                consumed,
                consumers: cs,
            });
        }
    }
    Ok(out)
}

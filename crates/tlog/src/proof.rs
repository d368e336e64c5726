//! C2SP tlog-proof (`c2sp.org/tlog-proof@v1`): an entry's index, its inclusion proof and the
//! (cosigned) checkpoint note it is proved against, as one text:
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! [extra <base64>]
//! index <decimal>
//! <base64 hash>          (the inclusion proof, leaf side first; none for a tree of one)
//! …
//!
//! <checkpoint note: body, blank line, signature lines>
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::{Hash, MAX_PROOF_LEN, leaf_hash, verify_inclusion};
use crate::note::{
    Checkpoint, MAX_NOTE_LEN, NoteError, NoteKey, WitnessKey, count_cosignatures, open_checkpoint,
};

const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque extra data (the `extra` line), if any.
    pub extra: Option<Vec<u8>>,
    /// The entry's index in the log.
    pub index: u64,
    /// The inclusion proof in the checkpoint's tree.
    pub proof: Vec<Hash>,
    /// The checkpoint note text, with its signature lines (log signature and cosignatures).
    pub checkpoint: String,
}

/// Why a tlog-proof does not hold; [`ProofError::code`] names the finding.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ProofError {
    /// The proof text is not a tlog-proof.
    #[error("malformed tlog-proof: {0}")]
    Malformed(String),
    /// The checkpoint is malformed, for another origin, or not signed by the log key.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    /// The inclusion proof does not put the entry in the checkpoint's tree.
    #[error("the entry is not included at index {index} of the tree of size {size}")]
    NotIncluded {
        /// Claimed index.
        index: u64,
        /// The checkpoint's tree size.
        size: u64,
    },
    /// Fewer valid cosignatures than required.
    #[error("{valid} valid witness cosignatures; {needed} required")]
    Witness {
        /// Valid cosignatures from the given witness keys.
        valid: usize,
        /// The threshold.
        needed: usize,
    },
}

impl ProofError {
    /// The catchcert finding code: `log.proof_invalid`, `log.checkpoint_invalid` or `log.witness`.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::Malformed(_) | ProofError::NotIncluded { .. } => "log.proof_invalid",
            ProofError::Checkpoint(_) => "log.checkpoint_invalid",
            ProofError::Witness { .. } => "log.witness",
        }
    }
}

impl TlogProof {
    /// The proof text.
    pub fn encode(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parses proof text (structure only; [`TlogProof::verify`] checks it).
    pub fn parse(text: &str) -> Result<Self, ProofError> {
        let bad = |m: &str| ProofError::Malformed(m.to_string());
        if text.len() > MAX_NOTE_LEN + (MAX_PROOF_LEN + 4) * 64 {
            return Err(bad("too long"));
        }
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(bad("first line is not c2sp.org/tlog-proof@v1"));
        }
        let mut line = lines.next().ok_or_else(|| bad("no index line"))?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            extra = Some(B64.decode(e).map_err(|_| bad("extra is not base64"))?);
            line = lines.next().ok_or_else(|| bad("no index line"))?;
        }
        let idx = line
            .strip_prefix("index ")
            .ok_or_else(|| bad("no index line"))?;
        if idx.is_empty()
            || !idx.bytes().all(|b| b.is_ascii_digit())
            || (idx.len() > 1 && idx.starts_with('0'))
        {
            return Err(bad("index is not a decimal number"));
        }
        let index: u64 = idx.parse().map_err(|_| bad("index out of range"))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_LEN {
                return Err(bad("inclusion proof too long"));
            }
            let h = B64.decode(l).map_err(|_| bad("proof hash is not base64"))?;
            proof.push(
                <Hash>::try_from(h.as_slice()).map_err(|_| bad("proof hash is not 32 bytes"))?,
            );
        }
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }

    /// Checks the proof for `entry`: the checkpoint is signed by `log_key` for `origin`
    /// (defaults to the key's name), the entry is at `index` of its tree, and at least
    /// `threshold` distinct keys of `witnesses` cosigned it. Returns the checkpoint.
    pub fn verify(
        &self,
        entry: &[u8],
        log_key: &NoteKey,
        origin: Option<&str>,
        witnesses: &[WitnessKey],
        threshold: usize,
    ) -> Result<Checkpoint, ProofError> {
        let origin = origin.unwrap_or(&log_key.name);
        let cp = open_checkpoint(self.checkpoint.as_bytes(), log_key, Some(origin))?;
        verify_inclusion(
            &self.proof,
            cp.size,
            &cp.root,
            self.index,
            &leaf_hash(entry),
        )
        .map_err(|_| ProofError::NotIncluded {
            index: self.index,
            size: cp.size,
        })?;
        if threshold > 0 {
            let valid = count_cosignatures(self.checkpoint.as_bytes(), witnesses)?;
            if valid < threshold {
                return Err(ProofError::Witness {
                    valid,
                    needed: threshold,
                });
            }
        }
        Ok(cp)
    }
}

//! C2SP tlog-checkpoint bodies, signed-note (Ed25519, key type 0x01) and tlog-cosignature v1
//! (key type 0x04). Note parsing and signature lines come from `signed_note`; every signature
//! check is `ed25519_dalek::VerifyingKey::verify_strict`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use signed_note::{Note, Signature};

use crate::merkle::{HASH_LEN, Hash};

const ALG_ED25519: u8 = 0x01;
const ALG_COSIGNATURE_V1: u8 = 0x04;
/// The largest note accepted (bytes).
pub const MAX_NOTE_LEN: usize = 1 << 16;

/// Errors opening checkpoints and notes.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum NoteError {
    /// Not a well-formed signed note.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// The note body is not a tlog-checkpoint.
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(&'static str),
    /// The checkpoint is for another log.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    WrongOrigin {
        /// Expected origin.
        expected: String,
        /// Origin found.
        found: String,
    },
    /// No signature line of the given key verifies.
    #[error("no valid signature by {0}")]
    NotSigned(String),
    /// A verifier key string that cannot be parsed.
    #[error("bad verifier key: {0}")]
    BadKey(&'static str),
}

/// A C2SP tlog-checkpoint body: origin, tree size, root hash, optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line (its name).
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash of the tree of `size` entries.
    pub root: Hash,
    /// Extension lines after the root (kept, not interpreted).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note body: `<origin>\n<size>\n<base64 root>\n[<extension>\n]…`.
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a note body.
    pub fn parse_body(text: &str) -> Result<Self, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::BadCheckpoint("body does not end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(NoteError::BadCheckpoint("empty origin"));
        }
        let size_s = lines
            .next()
            .ok_or(NoteError::BadCheckpoint("no size line"))?;
        if size_s.is_empty()
            || !size_s.bytes().all(|b| b.is_ascii_digit())
            || (size_s.len() > 1 && size_s.starts_with('0'))
        {
            return Err(NoteError::BadCheckpoint("size is not a decimal number"));
        }
        let size: u64 = size_s
            .parse()
            .map_err(|_| NoteError::BadCheckpoint("size out of range"))?;
        let root_s = lines
            .next()
            .ok_or(NoteError::BadCheckpoint("no root line"))?;
        let root_v = B64
            .decode(root_s)
            .map_err(|_| NoteError::BadCheckpoint("root is not base64"))?;
        let root: Hash = root_v
            .try_into()
            .map_err(|_| NoteError::BadCheckpoint("root is not 32 bytes"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(NoteError::BadCheckpoint("empty extension line"));
        }
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

fn key_id(name: &str, alg: u8, key: &VerifyingKey) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(key.as_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn parse_vkey(vkey: &str, alg: u8) -> Result<(String, VerifyingKey), NoteError> {
    let (name, rest) = vkey.split_once('+').ok_or(NoteError::BadKey("no name"))?;
    let (id_s, key_s) = rest.split_once('+').ok_or(NoteError::BadKey("no key id"))?;
    if !signed_note::is_key_name_valid(name) {
        return Err(NoteError::BadKey("invalid key name"));
    }
    if id_s.len() != 8 {
        return Err(NoteError::BadKey("key id is not 8 hex digits"));
    }
    let id = u32::from_str_radix(id_s, 16).map_err(|_| NoteError::BadKey("key id is not hex"))?;
    let raw = B64
        .decode(key_s.trim())
        .map_err(|_| NoteError::BadKey("key is not base64"))?;
    let [a, rest @ ..] = raw.as_slice() else {
        return Err(NoteError::BadKey("empty key"));
    };
    if *a != alg {
        return Err(NoteError::BadKey("unexpected key type"));
    }
    let bytes: [u8; 32] = rest
        .try_into()
        .map_err(|_| NoteError::BadKey("key is not 32 bytes"))?;
    let key =
        VerifyingKey::from_bytes(&bytes).map_err(|_| NoteError::BadKey("not an Ed25519 point"))?;
    if key_id(name, alg, &key) != id {
        return Err(NoteError::BadKey("key id does not match the key"));
    }
    Ok((name.to_string(), key))
}

fn vkey_string(name: &str, alg: u8, key: &VerifyingKey) -> String {
    let mut raw = vec![alg];
    raw.extend_from_slice(key.as_bytes());
    format!("{name}+{:08x}+{}", key_id(name, alg, key), B64.encode(raw))
}

/// An Ed25519 signed-note key (type 0x01): the log's key, identified by name and key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteKey {
    /// The key name (for a log: its origin).
    pub name: String,
    /// The public key.
    pub key: VerifyingKey,
}

impl NoteKey {
    /// A key with this name.
    pub fn new(name: impl Into<String>, key: VerifyingKey) -> Self {
        Self {
            name: name.into(),
            key,
        }
    }
    /// The key id: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key).
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, ALG_ED25519, &self.key)
    }
    /// The verifier key text `name+hexid+base64(0x01 ‖ key)`.
    pub fn vkey(&self) -> String {
        vkey_string(&self.name, ALG_ED25519, &self.key)
    }
    /// Parses verifier key text.
    pub fn parse_vkey(vkey: &str) -> Result<Self, NoteError> {
        parse_vkey(vkey, ALG_ED25519).map(|(name, key)| Self { name, key })
    }
    fn verifies(&self, sig: &Signature, text: &[u8]) -> bool {
        if sig.name() != self.name || sig.id() != self.key_id() {
            return false;
        }
        let Ok(bytes) = <[u8; 64]>::try_from(sig.signature()) else {
            return false;
        };
        self.key
            .verify_strict(text, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// A witness's cosignature key (C2SP tlog-cosignature v1, key type 0x04).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessKey {
    /// The witness name.
    pub name: String,
    /// The public key.
    pub key: VerifyingKey,
}

fn cosigned_message(time: u64, body: &[u8]) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {time}\n").into_bytes();
    m.extend_from_slice(body);
    m
}

impl WitnessKey {
    /// A witness key with this name.
    pub fn new(name: impl Into<String>, key: VerifyingKey) -> Self {
        Self {
            name: name.into(),
            key,
        }
    }
    /// The key id: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key).
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, ALG_COSIGNATURE_V1, &self.key)
    }
    /// The verifier key text `name+hexid+base64(0x04 ‖ key)`.
    pub fn vkey(&self) -> String {
        vkey_string(&self.name, ALG_COSIGNATURE_V1, &self.key)
    }
    /// Parses verifier key text.
    pub fn parse_vkey(vkey: &str) -> Result<Self, NoteError> {
        parse_vkey(vkey, ALG_COSIGNATURE_V1).map(|(name, key)| Self { name, key })
    }
    /// The cosignature's timestamp when `sig` is a valid cosignature by this witness over the
    /// checkpoint body `text`.
    fn verifies(&self, sig: &Signature, text: &[u8]) -> Option<u64> {
        if sig.name() != self.name || sig.id() != self.key_id() {
            return None;
        }
        let raw = sig.signature();
        if raw.len() != 72 {
            return None;
        }
        let (t, s) = raw.split_at(8);
        let time = u64::from_be_bytes(t.try_into().ok()?);
        let s: [u8; 64] = s.try_into().ok()?;
        self.key
            .verify_strict(
                &cosigned_message(time, text),
                &ed25519_dalek::Signature::from_bytes(&s),
            )
            .ok()
            .map(|()| time)
    }
}

fn signature_line(name: &str, id: u32, sig: &[u8]) -> String {
    let mut raw = id.to_be_bytes().to_vec();
    raw.extend_from_slice(sig);
    format!("\u{2014} {name} {}\n", B64.encode(raw))
}

/// Signs a checkpoint with the log key (named `key_name`, normally the origin): the whole
/// signed note text.
pub fn sign_checkpoint(checkpoint: &Checkpoint, key_name: &str, key: &SigningKey) -> String {
    sign_note(&checkpoint.body(), key_name, key)
}

/// Signs any note body (ending in a newline) with an Ed25519 key (type 0x01) named `key_name`:
/// the body, a blank line and the signature line.
pub fn sign_note(body: &str, key_name: &str, key: &SigningKey) -> String {
    let id = key_id(key_name, ALG_ED25519, &key.verifying_key());
    let sig = key.sign(body.as_bytes());
    format!("{body}\n{}", signature_line(key_name, id, &sig.to_bytes()))
}

/// Opens any signed note: well formed and a signature line of `key` verifies; returns the body.
pub fn open_note(note: &[u8], key: &NoteKey) -> Result<String, NoteError> {
    let parsed = parse_note(note)?;
    if !parsed.sigs.iter().any(|s| key.verifies(s, &parsed.text)) {
        return Err(NoteError::NotSigned(key.vkey()));
    }
    String::from_utf8(parsed.text).map_err(|_| NoteError::Malformed("not UTF-8".into()))
}

/// Cosigns a checkpoint body at `time` (seconds since the Unix epoch, from the caller's clock):
/// returns the cosignature line (ending in a newline) to add under the note.
pub fn cosign(body: &str, witness_name: &str, key: &SigningKey, time: u64) -> String {
    let id = key_id(witness_name, ALG_COSIGNATURE_V1, &key.verifying_key());
    let sig = key.sign(&cosigned_message(time, body.as_bytes()));
    let mut raw = time.to_be_bytes().to_vec();
    raw.extend_from_slice(&sig.to_bytes());
    signature_line(witness_name, id, &raw)
}

/// Adds signature lines (each ending in a newline, e.g. from [`cosign`]) to a signed note;
/// a line already present is not repeated.
pub fn add_signature_lines(note: &str, lines: &[String]) -> String {
    let mut out = note.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for l in lines {
        let l = if l.ends_with('\n') {
            l.clone()
        } else {
            format!("{l}\n")
        };
        if !out.contains(&l) {
            out.push_str(&l);
        }
    }
    out
}

/// A parsed signed note: the body text and its signature lines.
struct Parsed {
    text: Vec<u8>,
    sigs: Vec<Signature>,
}

fn parse_note(note: &[u8]) -> Result<Parsed, NoteError> {
    if note.len() > MAX_NOTE_LEN {
        return Err(NoteError::Malformed("note too long".into()));
    }
    let n = Note::from_bytes(note).map_err(|e| NoteError::Malformed(e.to_string()))?;
    let text = n.text().to_vec();
    // signed_note keeps signatures private: parse the lines under the blank line again.
    let s = std::str::from_utf8(note).map_err(|_| NoteError::Malformed("not UTF-8".into()))?;
    let (_, sig_block) = s
        .rsplit_once("\n\n")
        .ok_or_else(|| NoteError::Malformed("no signature block".into()))?;
    let sigs = sig_block
        .strip_suffix('\n')
        .unwrap_or(sig_block)
        .split('\n')
        .map(|l| {
            Signature::from_bytes(l.as_bytes()).map_err(|e| NoteError::Malformed(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Parsed { text, sigs })
}

/// Opens a checkpoint note: checks it is well formed, its body is a checkpoint whose origin is
/// `origin` (when given), and a signature line of `log_key` verifies. Other signature lines
/// (cosignatures, unknown keys) are ignored here.
pub fn open_checkpoint(
    note: &[u8],
    log_key: &NoteKey,
    origin: Option<&str>,
) -> Result<Checkpoint, NoteError> {
    let text = open_note(note, log_key)?;
    let cp = Checkpoint::parse_body(&text)?;
    if let Some(o) = origin
        && cp.origin != o
    {
        return Err(NoteError::WrongOrigin {
            expected: o.to_string(),
            found: cp.origin,
        });
    }
    Ok(cp)
}

/// The witnesses among `witnesses` with a valid cosignature on the note (each counted once,
/// in the order of `witnesses`), with the cosignature's time.
pub fn valid_cosigners<'a>(
    note: &[u8],
    witnesses: &'a [WitnessKey],
) -> Result<Vec<(&'a WitnessKey, u64)>, NoteError> {
    let parsed = parse_note(note)?;
    let mut out = Vec::new();
    for w in witnesses {
        if out
            .iter()
            .any(|(seen, _): &(&WitnessKey, u64)| seen.key == w.key)
        {
            continue;
        }
        if let Some(t) = parsed.sigs.iter().find_map(|s| w.verifies(s, &parsed.text)) {
            out.push((w, t));
        }
    }
    Ok(out)
}

/// How many distinct keys of `witnesses` validly cosigned the note.
pub fn count_cosignatures(note: &[u8], witnesses: &[WitnessKey]) -> Result<usize, NoteError> {
    valid_cosigners(note, witnesses).map(|v| v.len())
}

/// The hash size, re-exported for callers decoding roots.
pub const ROOT_LEN: usize = HASH_LEN;

//! C2SP tlog-tiles: tile paths, hash tiles and entry bundles (tile height 8).

use crate::merkle::{HASH_LEN, Hash, HashReader, stored_hash_index};

/// Tile height: a tile spans 8 Merkle levels.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u32 = 256;
/// The largest entry an entry bundle can carry (16-bit big-endian length prefix).
pub const MAX_ENTRY_LEN: usize = 65535;
/// The highest tile level: level L holds Merkle level 8·L, and 8·L < 64.
pub const MAX_TILE_LEVEL: u8 = 7;

/// Errors about tiles and entry bundles.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TileError {
    /// A path that is not a canonical C2SP tlog-tiles path.
    #[error("bad tile path {path:?}: {reason}")]
    BadPath {
        /// The path given.
        path: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// An entry longer than [`MAX_ENTRY_LEN`].
    #[error("entry {index} is {len} bytes; entry bundles carry at most {MAX_ENTRY_LEN}")]
    EntryTooLong {
        /// Position in the bundle.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// A bundle of more than [`TILE_WIDTH`] entries.
    #[error("an entry bundle holds at most {TILE_WIDTH} entries, not {0}")]
    TooManyEntries(usize),
    /// A truncated or over-long entry bundle.
    #[error("malformed entry bundle: {0}")]
    BadBundle(&'static str),
    /// A width of 0 or above 256.
    #[error("tile width {0} is not in 1..=256")]
    BadWidth(u32),
    /// The hash reader failed.
    #[error(transparent)]
    Read(#[from] crate::merkle::Error),
}

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileKind {
    /// Hashes of Merkle level `8 · level`.
    Hash {
        /// The tile level (0 = leaf hashes).
        level: u8,
    },
    /// The entries themselves (an entry bundle).
    Entries,
}

/// A C2SP tlog-tiles path: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TilePath {
    /// Hash tile of a level, or entry bundle.
    pub kind: TileKind,
    /// The tile index N within its level.
    pub index: u64,
    /// Hashes or entries in the tile, 1..=256 (256 = a full tile, no `.p/` suffix).
    pub width: u32,
}

impl TilePath {
    /// Whether the tile is full (immutable, may be cached forever).
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Parses a canonical path (no leading slash); anything else is refused.
    pub fn parse(path: &str) -> Result<Self, TileError> {
        let bad = |reason| TileError::BadPath {
            path: path.chars().take(100).collect(),
            reason,
        };
        if path.len() > 80 {
            return Err(bad("too long"));
        }
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| bad("not under tile/"))?;
        let (kind_s, rest) = rest.split_once('/').ok_or_else(|| bad("no index"))?;
        let kind = if kind_s == "entries" {
            TileKind::Entries
        } else {
            let level = parse_decimal(kind_s).ok_or_else(|| bad("bad level"))?;
            let level = u8::try_from(level).map_err(|_| bad("bad level"))?;
            if level > MAX_TILE_LEVEL {
                return Err(bad("level too high"));
            }
            TileKind::Hash { level }
        };
        let (index_s, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let w = parse_decimal(w).ok_or_else(|| bad("bad width"))?;
                if w == 0 || w >= u64::from(TILE_WIDTH) {
                    return Err(bad("partial width not in 1..=255"));
                }
                (i, w as u32)
            }
            None => (rest, TILE_WIDTH),
        };
        let groups: Vec<&str> = index_s.split('/').collect();
        let mut index: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last {
                *g
            } else {
                g.strip_prefix('x')
                    .ok_or_else(|| bad("index group without x"))?
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("index group is not three digits"));
            }
            let d: u64 = digits.parse().map_err(|_| bad("bad index"))?;
            index = index
                .checked_mul(1000)
                .and_then(|x| x.checked_add(d))
                .ok_or_else(|| bad("index overflows"))?;
        }
        let t = TilePath { kind, index, width };
        // Canonical form only (no superfluous leading x000/ groups).
        if t.to_string() != path {
            return Err(bad("not canonical"));
        }
        Ok(t)
    }
}

fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

impl std::fmt::Display for TilePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            TileKind::Hash { level } => write!(f, "tile/{level}/")?,
            TileKind::Entries => write!(f, "tile/entries/")?,
        }
        let mut groups = Vec::new();
        let mut n = self.index;
        loop {
            groups.push(n % 1000);
            n /= 1000;
            if n == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().rev().enumerate() {
            if i + 1 == groups.len() {
                write!(f, "{g:03}")?;
            } else {
                write!(f, "x{g:03}/")?;
            }
        }
        if self.width != TILE_WIDTH {
            write!(f, ".p/{}", self.width)?;
        }
        Ok(())
    }
}

/// Every tile of a tree of `size` entries (hash tiles of every level and entry bundles; the
/// last tile of a level is partial when the level does not fill it).
pub fn tiles_for_size(size: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    for kind in std::iter::once(TileKind::Entries)
        .chain((0..=MAX_TILE_LEVEL).map(|level| TileKind::Hash { level }))
    {
        let level = match kind {
            TileKind::Hash { level } => level,
            TileKind::Entries => 0,
        };
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        let count = size >> shift; // hashes at this Merkle level
        if count == 0 {
            break;
        }
        let full = count / u64::from(TILE_WIDTH);
        for index in 0..full {
            out.push(TilePath {
                kind,
                index,
                width: TILE_WIDTH,
            });
        }
        let partial = (count % u64::from(TILE_WIDTH)) as u32;
        if partial > 0 {
            out.push(TilePath {
                kind,
                index: full,
                width: partial,
            });
        }
    }
    out
}

/// The bytes of hash tile `level`/`index` of width `width`: the concatenated hashes of Merkle
/// level `8 · level`, positions `index · 256 ..+ width`, read from storage.
pub fn read_hash_tile<R: HashReader + ?Sized>(
    level: u8,
    index: u64,
    width: u32,
    reader: &R,
) -> Result<Vec<u8>, TileError> {
    if width == 0 || width > TILE_WIDTH {
        return Err(TileError::BadWidth(width));
    }
    if level > MAX_TILE_LEVEL {
        return Err(TileError::BadPath {
            path: format!("tile/{level}/..."),
            reason: "level too high",
        });
    }
    let merkle_level = level * TILE_HEIGHT;
    let start = index
        .checked_mul(u64::from(TILE_WIDTH))
        .ok_or(TileError::BadWidth(width))?;
    let indexes: Vec<u64> = (0..u64::from(width))
        .map(|i| stored_hash_index(merkle_level, start + i))
        .collect();
    let hashes = reader.read_hashes(&indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TileError::Read(crate::merkle::Error::Read(format!(
            "asked for {} hashes, got {}",
            indexes.len(),
            hashes.len()
        ))));
    }
    Ok(hashes.concat())
}

/// Splits hash tile bytes into hashes; `None` when the length is not a multiple of 32 or
/// beyond a full tile.
pub fn split_hash_tile(bytes: &[u8]) -> Option<Vec<Hash>> {
    if bytes.is_empty()
        || !bytes.len().is_multiple_of(HASH_LEN)
        || bytes.len() > HASH_LEN * TILE_WIDTH as usize
    {
        return None;
    }
    Some(
        bytes
            .chunks_exact(HASH_LEN)
            .map(|c| {
                let mut h = [0u8; HASH_LEN];
                h.copy_from_slice(c);
                h
            })
            .collect(),
    )
}

/// Encodes an entry bundle: each entry as a 16-bit big-endian length and its bytes.
pub fn encode_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.len() > TILE_WIDTH as usize {
        return Err(TileError::TooManyEntries(entries.len()));
    }
    let mut out = Vec::new();
    for (index, e) in entries.iter().enumerate() {
        let e = e.as_ref();
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLong {
            index,
            len: e.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decodes an entry bundle (at most 256 entries, no trailing bytes).
pub fn decode_entry_bundle(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TileError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if out.len() == TILE_WIDTH as usize {
            return Err(TileError::BadBundle("more than 256 entries"));
        }
        let [a, b, tail @ ..] = rest else {
            return Err(TileError::BadBundle("truncated length prefix"));
        };
        let len = usize::from(u16::from_be_bytes([*a, *b]));
        if tail.len() < len {
            return Err(TileError::BadBundle("truncated entry"));
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(out)
}

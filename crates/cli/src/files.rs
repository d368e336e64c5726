//! File helpers: every error names the file; writes are atomic (temp file, fsync, rename)
//! so a crash never leaves a half-written key or certificate; existing files are never
//! overwritten silently.

use crate::error::CliError;
use std::io::Write;
use std::path::Path;

/// Read a whole file, naming it in the error. Refuses files over `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::other(format!("{}: cannot read: {e}", path.display())))?;
    if meta.len() > limit {
        return Err(CliError::other(format!(
            "{}: file is {} bytes, over the limit of {limit} bytes",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read(path)
        .map_err(|e| CliError::other(format!("{}: cannot read: {e}", path.display())))
}

/// Read a UTF-8 text file (PEM, JSON), naming it in the error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = read_limited(path, 16 << 20)?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::other(format!("{}: not UTF-8 text", path.display())))
}

/// Set once by `main` from the global `--insecure-key-mode` flag.
static INSECURE_KEY_MODE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Accept private key files that group or others may read (`--insecure-key-mode`).
pub fn allow_insecure_key_mode(allow: bool) {
    INSECURE_KEY_MODE.store(allow, std::sync::atomic::Ordering::Relaxed);
}

/// Read a private key file: refused when group or others may read it (mode & 0o077), unless
/// `--insecure-key-mode` was given. The error names the file and the fix, never the key.
pub fn read_private_key(path: &Path) -> Result<String, CliError> {
    check_key_mode(path)?;
    read_text(path)
}

#[cfg(unix)]
fn check_key_mode(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::other(format!("{}: cannot read: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 && !INSECURE_KEY_MODE.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(CliError::other(format!(
            "{p}: private key file is readable by group or others (mode {mode:03o}); \
             run `chmod 600 {p}`, or pass --insecure-key-mode to use it anyway",
            p = path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_key_mode(_path: &Path) -> Result<(), CliError> {
    Ok(())
}

/// Write `bytes` to `path` atomically. Refuses to replace an existing file unless `force`.
/// `private` makes the file mode 0600 (keys) from the moment it exists.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool, private: bool) -> Result<(), CliError> {
    if !force && path.exists() {
        return Err(CliError::usage(format!(
            "{}: already exists; pass --force to replace it",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |what: &str, e: std::io::Error| {
        CliError::other(format!("{}: cannot {what}: {e}", path.display()))
    };
    let mut tmp = tempfile_in(dir).map_err(|e| fail("create a temporary file beside it", e))?;
    set_mode(tmp.1.as_path(), private).map_err(|e| fail("set permissions", e))?;
    tmp.0.write_all(bytes).map_err(|e| fail("write", e))?;
    tmp.0.sync_all().map_err(|e| fail("sync", e))?;
    drop(tmp.0);
    if !force && path.exists() {
        let _ = std::fs::remove_file(&tmp.1);
        return Err(CliError::usage(format!(
            "{}: already exists; pass --force to replace it",
            path.display()
        )));
    }
    std::fs::rename(&tmp.1, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp.1);
        fail("rename the temporary file into place", e)
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn tempfile_in(dir: &Path) -> std::io::Result<(std::fs::File, std::path::PathBuf)> {
    let pid = std::process::id();
    for n in 0..1000u32 {
        let p = dir.join(format!(".catchcert-tmp-{pid}-{n}"));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&p) {
            Ok(f) => return Ok((f, p)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

#[cfg(unix)]
fn set_mode(path: &Path, private: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if private { 0o600 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _private: bool) -> std::io::Result<()> {
    Ok(())
}

/// Read every `*.cose` file of a directory (sorted by name), with a progress bar on a
/// terminal for large directories. Each error names the file.
pub fn read_cose_dir(dir: &Path) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>, CliError> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| CliError::other(format!("{}: cannot list: {e}", dir.display())))?;
    let mut paths = Vec::new();
    for entry in rd {
        let entry =
            entry.map_err(|e| CliError::other(format!("{}: cannot list: {e}", dir.display())))?;
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "cose") && p.is_file() {
            paths.push(p);
        }
    }
    paths.sort();
    let bar = if paths.len() >= 500 && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = indicatif::ProgressBar::new(paths.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "reading {pos}/{len} certificates {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let bytes = read_limited(&p, catchcert_model::MAX_CERTIFICATE_BYTES as u64)?;
        out.push((p, bytes));
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(out)
}

/// Read the watch lists given with `--watchlist` (each one COSE_Sign1 message of at most
/// 1 MiB); a file that is not a COSE_Sign1 message is an error naming it. Whether each is a
/// trusted watch list is the verifier's question (`watchlist.ignored`).
pub fn read_watchlists(paths: &[std::path::PathBuf]) -> Result<Vec<Vec<u8>>, CliError> {
    paths
        .iter()
        .map(|p| {
            let b = read_limited(p, 1024 * 1024)?;
            catchcert_verify::cose::decode(&b).map_err(|e| {
                CliError::other(format!(
                    "{}: not a certificate (--watchlist): {e}",
                    p.display()
                ))
            })?;
            Ok(b)
        })
        .collect()
}

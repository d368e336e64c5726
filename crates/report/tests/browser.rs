//! The report in a real browser: headless Chromium renders the demo report and two bad
//! cases with no console messages; the DOM holds the verdict, the vessel names and the
//! finding messages and no crew name; a screenshot of each is written to the target
//! directory. Without `/usr/bin/chromium` (or `$CHROMIUM`) the test says so and returns,
//! except under `CI=true`, where it fails.

mod common;

use catchcert_report::render;
use catchcert_verify::findings::{Integrity, Verdict};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing: under CI=true the browser test must run (.ci/run installs chromium)",
            p.display()
        );
    }
    eprintln!(
        "NOTICE: {} not found; skipping the browser test (install the `chromium` package)",
        p.display()
    );
    None
}

/// Run Chromium headless on `file` with `extra` arguments; stdout and stderr.
fn run(browser: &Path, file: &Path, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", browser.display()));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "{} failed ({}): {stderr}",
        browser.display(),
        out.status
    );
    (String::from_utf8_lossy(&out.stdout).to_string(), stderr)
}

/// The text of a serialised DOM, entities decoded (enough for the five `escape` makes).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn check(browser: &Path, name: &str, v: &Verdict, html: &str, vessels: &[&str]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, html).unwrap();
    let (dom, log) = run(browser, &file, &["--dump-dom".into()]);
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "{name}: console messages: {console:#?}");
    let dom = unescape(&dom);
    assert!(dom.contains("<svg"), "{name}: no graph in the DOM");
    let badge = match v.integrity {
        Integrity::Valid => "Integrity: VALID",
        Integrity::Invalid => "Integrity: INVALID",
    };
    assert!(dom.contains(badge), "{name}: DOM lacks {badge}");
    let risk = format!("Labour risk: {}", v.risk.as_str().to_uppercase());
    assert!(dom.contains(&risk), "{name}: DOM lacks {risk}");
    for vessel in vessels {
        assert!(dom.contains(vessel), "{name}: DOM lacks vessel {vessel}");
    }
    for f in &v.findings {
        assert!(
            dom.contains(&f.message),
            "{name}: DOM lacks {:?}",
            f.message
        );
    }
    for crew in CREW_NAMES {
        assert!(!dom.contains(crew), "{name}: DOM shows crew name {crew}");
    }
    let shot = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let (_, log) = run(
        browser,
        &file,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1800".into(),
            "--hide-scrollbars".into(),
        ],
    );
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "{name}: console messages: {console:#?}");
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn chromium_renders_the_demo_and_two_bad_cases() {
    let Some(browser) = chromium() else {
        return;
    };
    let (v, certs, at) = demo();
    let html = render(&v, &certs, at);
    check(
        &browser,
        "demo-loins",
        &v,
        &html,
        &["Sea Harvest 7", "Blue Horizon 12", "Pacific Reefer 3"],
    );
    for (case_name, vessels) in [
        ("01_tampered_payload", &["Sea Harvest 7"][..]),
        ("32_forced_labour", &[][..]),
    ] {
        let (v, certs, at, _) = case(&fixtures().join("cases").join(case_name));
        let html = render(&v, &certs, at);
        check(&browser, case_name, &v, &html, vessels);
    }
}

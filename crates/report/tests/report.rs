//! The report page of the demo chain (snapshot) and of every bad fixture: each names its
//! problem in plain words, stays self-contained, and shows no personal data.

mod common;

use catchcert_model::{CertId, Kind, Timestamp};
use catchcert_report::{escape, render};
use catchcert_verify::findings::{Code, Finding, Integrity, Node, Risk, Verdict};
use common::*;

/// No script, no resource from anywhere else.
fn assert_self_contained(html: &str, what: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script", "<link", "<img", "<iframe", "@import", "url(http", " src=\"", "<object",
        "<embed",
    ] {
        assert!(!lower.contains(bad), "{what}: contains {bad:?}");
    }
    let external = lower.matches("http").count();
    let allowed = lower.matches("http://www.w3.org/2000/svg").count();
    assert_eq!(external, allowed, "{what}: a link to another site");
}

#[test]
fn demo_report_snapshot() {
    let (v, certs, at) = demo();
    let html = render(&v, &certs, at);
    assert_eq!(html, render(&v, &certs, at), "not deterministic");
    assert_self_contained(&html, "demo");
    for name in [
        "Sea Harvest 7",
        "Blue Horizon 12",
        "Pacific Reefer 3",
        "Andaman Loins Plant 1, Phuket",
    ] {
        assert!(html.contains(name), "demo report lacks {name}");
    }
    for name in CREW_NAMES {
        assert!(!html.contains(name), "demo report shows crew name {name}");
    }
    assert!(html.contains("Integrity: VALID"));
    assert!(html.contains("Labour risk: HIGH"));
    assert!(html.contains("Supply-chain tracing"));
    assert!(html.contains("@media print"));
    for f in &v.findings {
        assert!(
            html.contains(&escape(&f.message)),
            "finding missing: {}",
            f.message
        );
    }
    insta::assert_snapshot!("demo_loins", html);
}

#[test]
fn every_bad_fixture_names_its_problem_in_plain_words() {
    let mut checked = 0;
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let (v, certs, at, codes) = case(&dir);
        let html = render(&v, &certs, at);
        assert_self_contained(&html, &name);
        for code in &codes {
            let c = Code::parse(code).unwrap_or_else(|| panic!("{name}: unknown code {code}"));
            let fs: Vec<&Finding> = v.findings.iter().filter(|f| f.code == c).collect();
            assert!(!fs.is_empty(), "{name}: verdict lacks {code}");
            for f in fs {
                assert!(
                    f.message.split_whitespace().count() >= 4,
                    "{name}: {code}: not a sentence: {:?}",
                    f.message
                );
                assert!(
                    html.contains(&escape(&f.message)),
                    "{name}: the page does not say {:?}",
                    f.message
                );
            }
        }
        // The verdict in words.
        let badge = match v.integrity {
            Integrity::Valid => "Integrity: VALID",
            Integrity::Invalid => "Integrity: INVALID",
        };
        assert!(html.contains(badge), "{name}: no {badge}");
        let risk = format!("Labour risk: {}", v.risk.as_str().to_uppercase());
        assert!(html.contains(&risk), "{name}: no {risk}");
        for crew in CREW_NAMES {
            assert!(!html.contains(crew), "{name}: crew name {crew}");
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases");
}

#[test]
fn untrusted_text_is_escaped_and_missing_inputs_are_drawn() {
    let head = CertId([7; 32]);
    let gone = CertId([9; 32]);
    let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let v = Verdict {
        head,
        lots: vec![evil.to_string()],
        integrity: Integrity::Invalid,
        risk: Risk::Unknown,
        certificates: 1,
        findings: vec![Finding::new(Code::LinkMissing, head, evil)],
        undecodable: vec![],
        nodes: vec![Node {
            id: head,
            kind: Some(Kind::Shipment),
            issuer: Some(evil.into()),
            summary: evil.into(),
            time: Some(Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()),
            parents: vec![gone],
            attestations: vec![],
            risk: Risk::Unknown,
        }],
    };
    let html = render(
        &v,
        &[],
        Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap(),
    );
    assert_self_contained(&html, "evil");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Missing certificate"));
    assert!(html.contains(&gone.hex()[..12]));
}

#[test]
fn a_chain_of_many_certificates_stays_readable() {
    // 150 catches commingled into one processing: every catch is drawn, none overlaps.
    let at = Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
    let head = CertId([0xff; 32]);
    let catches: Vec<CertId> = (0..150u8)
        .map(|i| {
            let mut b = [0u8; 32];
            b[0] = i;
            b[1] = 1;
            CertId(b)
        })
        .collect();
    let mut nodes: Vec<Node> = catches
        .iter()
        .map(|&id| Node {
            id,
            kind: Some(Kind::Catch),
            issuer: Some("CN=vessel".into()),
            summary: "catch".into(),
            time: Some(at),
            parents: vec![],
            attestations: vec![],
            risk: Risk::Low,
        })
        .collect();
    nodes.push(Node {
        id: head,
        kind: Some(Kind::Processing),
        issuer: Some("CN=plant".into()),
        summary: "loins".into(),
        time: Some(at),
        parents: catches.clone(),
        attestations: vec![],
        risk: Risk::Low,
    });
    let v = Verdict {
        head,
        lots: vec!["L".into()],
        integrity: Integrity::Valid,
        risk: Risk::Low,
        certificates: nodes.len(),
        findings: vec![],
        nodes,
        undecodable: vec![],
    };
    let html = render(&v, &[], at);
    assert_eq!(html.matches("<g class=\"node").count(), 151);
    assert_eq!(html.matches("class=\"edge\"").count(), 150);
    assert_eq!(html.matches("<article class=\"cert").count(), 151);
}

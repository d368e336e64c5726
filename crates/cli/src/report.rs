//! Human-readable verdicts: a tree from the head back to each catch, with each finding
//! under the certificate it concerns (the HTML page is `catchcert_report::render`).

use catchcert_model::CertId;
use catchcert_verify::findings::{Finding, Integrity, Node, Verdict};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

fn short(id: &CertId) -> String {
    let h = id.hex();
    format!("sha256:{}…", &h[..12])
}

struct Tree<'a> {
    nodes: HashMap<CertId, &'a Node>,
    findings: HashMap<CertId, Vec<&'a Finding>>,
    shown: HashSet<CertId>,
    out: String,
}

impl Tree<'_> {
    fn line(&mut self, prefix: &str, id: CertId, relation: &str) {
        let Some(n) = self.nodes.get(&id).copied() else {
            let _ = writeln!(self.out, "{prefix}{relation}{} (not present)", short(&id));
            return;
        };
        let kind = n.kind.map(|k| k.as_str()).unwrap_or("invalid");
        let again = !self.shown.insert(id);
        // Attestations carry no lot risk of their own: their findings show on the
        // certificates they cover.
        let risk = match n.kind {
            Some(k) if k.is_custody() => format!(" [risk {}]", n.risk),
            _ => String::new(),
        };
        let _ = writeln!(
            self.out,
            "{prefix}{relation}{kind} {}{risk}{}",
            short(&id),
            if again { " (shown above)" } else { "" }
        );
        if again {
            return;
        }
        let inner = format!("{prefix}    ");
        if let Some(t) = n.time {
            let _ = writeln!(
                self.out,
                "{inner}time {t}; issuer {}",
                n.issuer.as_deref().unwrap_or("(unverified)")
            );
        }
        let _ = writeln!(self.out, "{inner}{}", n.summary);
        for f in self.findings.get(&id).cloned().unwrap_or_default() {
            let mark = match f.severity {
                catchcert_verify::findings::Severity::Error => "✗",
                catchcert_verify::findings::Severity::Warning => "!",
                catchcert_verify::findings::Severity::Info => "i",
            };
            let _ = writeln!(
                self.out,
                "{inner}{mark} {} ({}): {}",
                f.code,
                severity(f),
                f.message
            );
        }
        for a in n.attestations.clone() {
            self.line(&inner, a, "relies on ");
        }
        for p in n.parents.clone() {
            self.line(&inner, p, "from ");
        }
    }
}

fn severity(f: &Finding) -> &'static str {
    match f.severity {
        catchcert_verify::findings::Severity::Error => "error",
        catchcert_verify::findings::Severity::Warning => "warning",
        catchcert_verify::findings::Severity::Info => "info",
    }
}

/// The verdict as a text tree.
pub fn text(v: &Verdict) -> String {
    let mut t = Tree {
        nodes: v.nodes.iter().map(|n| (n.id, n)).collect(),
        findings: HashMap::new(),
        shown: HashSet::new(),
        out: String::new(),
    };
    for f in &v.findings {
        t.findings.entry(f.certificate).or_default().push(f);
    }
    let integrity = match v.integrity {
        Integrity::Valid => "VALID",
        Integrity::Invalid => "INVALID",
    };
    let _ = writeln!(
        t.out,
        "integrity {integrity} · risk {} · {} certificates · {} findings",
        v.risk.as_str().to_uppercase(),
        v.certificates,
        v.findings.len()
    );
    let _ = writeln!(t.out, "head {}", v.head);
    if !v.lots.is_empty() {
        let _ = writeln!(t.out, "lots {}", v.lots.join(", "));
    }
    let _ = writeln!(t.out);
    t.line("", v.head, "");
    // Findings about certificates outside the drawn tree (e.g. revocations).
    let drawn = t.shown.clone();
    let rest: Vec<&Finding> = v
        .findings
        .iter()
        .filter(|f| !drawn.contains(&f.certificate))
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(t.out, "\nother findings:");
        for f in rest {
            let _ = writeln!(
                t.out,
                "  {} {} ({}): {}",
                short(&f.certificate),
                f.code,
                severity(f),
                f.message
            );
        }
    }
    t.out
}

//! Human-readable verdicts: a tree from the head back to each catch, with each finding
//! under the certificate it concerns; and the same as a self-contained HTML page.

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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The verdict as a self-contained HTML report (no scripts, no external resources).
pub fn html(v: &Verdict) -> String {
    let tree = text(v);
    let mut rows = String::new();
    for f in &v.findings {
        let _ = write!(
            rows,
            "<tr class=\"{sev}\"><td>{code}</td><td>{sev}</td><td><code>{cert}</code></td><td>{msg}</td></tr>",
            sev = severity(f),
            code = esc(f.code.as_str()),
            cert = esc(&f.certificate.to_string()),
            msg = esc(&f.message)
        );
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>catchcert verdict</title>\
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}pre{{background:#f5f5f5;padding:1em;overflow:auto}}\
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}\
.error td:first-child{{color:#a00;font-weight:bold}}.warning td:first-child{{color:#a60}}</style></head><body>\
<h1>Verdict: integrity {integrity}, risk {risk}</h1><p>Head <code>{head}</code> · {n} certificates · {nf} findings</p>\
<h2>Findings</h2><table><tr><th>code</th><th>severity</th><th>certificate</th><th>message</th></tr>{rows}</table>\
<h2>Chain</h2><pre>{tree}</pre></body></html>\n",
        integrity = match v.integrity {
            Integrity::Valid => "valid",
            Integrity::Invalid => "invalid",
        },
        risk = v.risk,
        head = esc(&v.head.to_string()),
        n = v.certificates,
        nf = v.findings.len(),
        tree = esc(&tree),
    )
}

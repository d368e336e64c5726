//! The HTML page.

use crate::escape as esc;
use crate::layout::{self, NODE_H, NODE_W};
use catchcert_model::details::{CustodyEvent, Details, Step};
use catchcert_model::{CertId, Kind, Payload, Role, Timestamp};
use catchcert_verify::cose;
use catchcert_verify::findings::{Finding, Integrity, Node, Risk, Severity, Verdict};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

const CSS: &str = include_str!("page.css");

/// Longest text drawn inside a graph box before it is cut (the full text is in its title).
const BOX_CHARS: usize = 22;

/// The ILO forced-labour indicators by number (ILO, "Hard to see, harder to count", 2012).
fn ilo_name(n: u8) -> &'static str {
    match n {
        1 => "abuse of vulnerability",
        2 => "deception",
        3 => "restriction of movement",
        4 => "isolation",
        5 => "physical and sexual violence",
        6 => "intimidation and threats",
        7 => "retention of identity documents",
        8 => "withholding of wages",
        9 => "debt bondage",
        10 => "abusive working and living conditions",
        11 => "excessive overtime",
        _ => "unknown indicator",
    }
}

fn short(id: &CertId) -> String {
    let h = id.hex();
    format!("sha256:{}…", &h[..12])
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn kind_name(k: Option<Kind>) -> &'static str {
    // The fallback arm stays for kinds added later.
    #[allow(unreachable_patterns)]
    match k {
        Some(Kind::Catch) => "Catch",
        Some(Kind::Transshipment) => "Transshipment",
        Some(Kind::Landing) => "Landing",
        Some(Kind::Processing) => "Processing",
        Some(Kind::Shipment) => "Shipment",
        Some(Kind::Receipt) => "Receipt",
        Some(Kind::CrewAttestation) => "Crew attestation",
        Some(Kind::FacilityAttestation) => "Facility attestation",
        Some(Kind::Revocation) => "Revocation",
        Some(_) => "Certificate",
        None => "Unreadable certificate",
    }
}

fn risk_word(r: Risk) -> &'static str {
    r.as_str()
}

fn sev_word(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Error => ("error", "✗ Error"),
        Severity::Warning => ("warning", "! Warning"),
        Severity::Info => ("info", "i Note"),
    }
}

/// The roles that may sign this kind (the registrar aside): the signer held one of them
/// unless the certificate has an `issuer.role` finding.
fn role_for(k: Option<Kind>) -> String {
    let roles: Vec<&str> = match k {
        Some(k) => Role::ALL
            .into_iter()
            .filter(|r| *r != Role::Registrar && r.may_sign().contains(&k))
            .map(Role::as_str)
            .collect(),
        None => Vec::new(),
    };
    if roles.is_empty() {
        "—".into()
    } else {
        roles.join(" or ")
    }
}

/// The common name of a distinguished name (`CN=Pacific Reefer 3,O=…`), else all of it.
fn common_name(dn: &str) -> &str {
    dn.strip_prefix("CN=")
        .map(|rest| rest.split(',').next().unwrap_or(rest))
        .unwrap_or(dn)
}

/// What the page knows about one certificate.
struct Cert<'a> {
    node: Option<&'a Node>,
    id: CertId,
    payload: Option<&'a Payload>,
    findings: Vec<&'a Finding>,
}

impl Cert<'_> {
    fn kind(&self) -> Option<Kind> {
        self.payload
            .map(Payload::kind)
            .or(self.node.and_then(|n| n.kind))
    }
    fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

struct Vessels(HashMap<String, (String, String)>);

impl Vessels {
    fn name(&self, imo: &str) -> String {
        match self.0.get(imo) {
            Some((name, _)) => format!("{name} ({imo})"),
            None => imo.to_string(),
        }
    }
    fn flag(&self, imo: &str) -> Option<&str> {
        self.0.get(imo).map(|(_, f)| f.as_str())
    }
}

/// The party a custody certificate speaks for, and who it came from (if a transfer).
fn party(p: &Payload, vessels: &Vessels, issuer: Option<&str>) -> (String, Option<String>) {
    match p.details() {
        Details::Custody(CustodyEvent { step, .. }) => match step {
            Step::Catch(c) => (vessels.name(&c.vessel_imo), None),
            Step::Transshipment(t) => (
                vessels.name(&t.to_vessel_imo),
                Some(vessels.name(&t.from_vessel_imo)),
            ),
            Step::Landing { .. } => (issuer.map_or("—", common_name).to_string(), None),
            Step::Processing { facility } => (facility.clone(), None),
            Step::Shipment(x) | Step::Receipt(x) => (x.to.clone(), Some(x.from.clone())),
        },
        Details::CrewAttestation(a) => (vessels.name(&a.vessel.imo), None),
        Details::FacilityAttestation(a) => (a.facility.clone(), None),
        Details::Revocation(_) => (issuer.map_or("—", common_name).to_string(), None),
        Details::Watchlist(w) => (w.name.clone(), None),
    }
}

fn place(p: &Payload) -> String {
    match p.details() {
        Details::Custody(CustodyEvent { step, .. }) => match step {
            Step::Catch(c) => format!("FAO area {}", c.fao_area),
            Step::Transshipment(t) => {
                let mut s = format!(
                    "{} in FAO area {}",
                    if t.at_sea { "at sea" } else { "in port" },
                    t.fao_area
                );
                if let Some(port) = &t.port {
                    let _ = write!(s, ", port {port}");
                }
                s
            }
            Step::Landing { port } => format!("port {port}"),
            Step::Processing { facility } => format!("facility {facility}"),
            Step::Shipment(_) | Step::Receipt(_) => String::new(),
        },
        _ => String::new(),
    }
}

fn lots_line(p: &Payload) -> String {
    p.outputs()
        .iter()
        .map(|o| {
            let mut s = format!("{} · {}", o.lot, o.quantity);
            if let Some(sp) = &o.species {
                let _ = write!(s, " · {sp}");
            }
            if let Some(pr) = &o.product {
                let _ = write!(s, " · {pr}");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Render the report page for `verdict`. `certificates` are the bytes of (at least) the
/// certificates of its graph (others are ignored; missing ones show as their summary);
/// `at` is the time the verdict was made as of.
pub fn render(verdict: &Verdict, certificates: &[Vec<u8>], at: Timestamp) -> String {
    let payloads: HashMap<CertId, Payload> = certificates
        .iter()
        .filter_map(|b| cose::decode_certificate(b).ok())
        .map(|(s, p)| (s.id, p))
        .collect();
    let mut by_cert: BTreeMap<CertId, Vec<&Finding>> = BTreeMap::new();
    for f in &verdict.findings {
        by_cert.entry(f.certificate).or_default().push(f);
    }
    let mut vessels = HashMap::new();
    for n in &verdict.nodes {
        if let Some(p) = payloads.get(&n.id)
            && let Details::CrewAttestation(a) = p.details()
        {
            vessels
                .entry(a.vessel.imo.clone())
                .or_insert((a.vessel.name.clone(), a.vessel.flag.clone()));
        }
    }
    let vessels = Vessels(vessels);
    let certs: Vec<Cert> = verdict
        .nodes
        .iter()
        .map(|n| Cert {
            node: Some(n),
            id: n.id,
            payload: payloads.get(&n.id),
            findings: by_cert.get(&n.id).cloned().unwrap_or_default(),
        })
        .collect();

    // The graph: custody certificates and the unreadable ones, plus a box for each
    // named input that is not there.
    let in_graph = |c: &Cert| !matches!(c.kind(), Some(k) if !k.is_custody());
    let mut gnodes: Vec<usize> = (0..certs.len()).filter(|&i| in_graph(&certs[i])).collect();
    // Upstream first: stable order by time, then id.
    gnodes.sort_by_key(|&i| (certs[i].node.and_then(|n| n.time), certs[i].id));
    let mut index: HashMap<CertId, usize> = HashMap::new();
    for (gi, &ci) in gnodes.iter().enumerate() {
        index.insert(certs[ci].id, gi);
    }
    let mut missing: Vec<CertId> = Vec::new();
    let mut edges = Vec::new();
    for (gi, &ci) in gnodes.iter().enumerate() {
        for p in certs[ci].node.map(|n| n.parents.as_slice()).unwrap_or(&[]) {
            let from = match index.get(p) {
                Some(&f) => f,
                None => {
                    missing.push(*p);
                    let f = gnodes.len() + missing.len() - 1;
                    index.insert(*p, f);
                    f
                }
            };
            edges.push((from, gi));
        }
    }
    let total = gnodes.len() + missing.len();
    let lay = layout::layout(total, &edges);
    // Trace order: by layer, then top to bottom.
    let mut trace: Vec<usize> = (0..gnodes.len()).collect();
    trace.sort_by_key(|&g| (lay.nodes[g].layer, lay.nodes[g].order));

    let mut out = String::with_capacity(64 * 1024);
    let title = if verdict.lots.is_empty() {
        format!("Verification report {}", short(&verdict.head))
    } else {
        format!("Verification report: lot {}", verdict.lots.join(", "))
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"catchcert\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">Head certificate <code>{}</code> · {} certificates · verified as of <time datetime=\"{at}\">{at}</time></p>\n</header>\n<main>\n",
        esc(&title),
        verdict.head,
        verdict.certificates
    );

    // Verdict.
    let (icls, itext) = match verdict.integrity {
        Integrity::Valid => ("valid", "✓ Integrity: VALID"),
        Integrity::Invalid => ("invalid", "✗ Integrity: INVALID"),
    };
    let rmark = match verdict.risk {
        Risk::Low => "✓",
        Risk::Medium => "!",
        Risk::Unknown => "?",
        Risk::High => "✗",
    };
    let _ = write!(
        out,
        "<section id=\"verdict\" aria-labelledby=\"verdict-h\">\n<h2 id=\"verdict-h\">Verdict</h2>\n<p class=\"badges\"><strong class=\"badge integrity-{icls}\">{itext}</strong> \
<strong class=\"badge risk-{r}\">{rmark} Labour risk: {R}</strong></p>\n<p class=\"why\">{why}</p>\n",
        r = risk_word(verdict.risk),
        R = risk_word(verdict.risk).to_uppercase(),
        why = esc(&why(verdict))
    );
    let errors = verdict
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = verdict
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let _ = writeln!(
        out,
        "<p class=\"counts\">{errors} error(s), {warnings} warning(s), {} finding(s) in all.</p>\n</section>",
        verdict.findings.len()
    );

    // Graph.
    let _ = writeln!(
        out,
        "<section id=\"graph\" aria-labelledby=\"graph-h\">\n<h2 id=\"graph-h\">The lot's journey</h2>\n\
<p class=\"hint\">Catches on the left, the head certificate on the right; arrows follow the fish. Where arrows join, lots were mixed (commingled). Each box names its risk in words; a box marked ✗ FAILS has an error. Select a box to jump to its certificate.</p>"
    );
    svg(
        &mut out,
        &lay,
        &gnodes,
        &missing,
        &certs,
        &vessels,
        verdict.head,
    );
    let _ = writeln!(
        out,
        "<ul class=\"legend\" aria-label=\"Legend\"><li><span class=\"sw risk-low\"></span>risk low</li><li><span class=\"sw risk-medium\"></span>risk medium</li>\
<li><span class=\"sw risk-unknown\"></span>risk unknown</li><li><span class=\"sw risk-high\"></span>risk high</li><li><span class=\"sw fails\"></span>✗ fails a check</li><li><span class=\"sw missing\"></span>named but not present</li></ul>\n</section>"
    );

    // Tracing table.
    let _ = writeln!(
        out,
        "<section id=\"tracing\" aria-labelledby=\"tracing-h\">\n<h2 id=\"tracing-h\">Supply-chain tracing</h2>\n\
<p class=\"hint\">Every party at every stage, in order from boat to buyer: the table a customs or market-surveillance authority asks for.</p>\n\
<div class=\"scroll\"><table class=\"trace\">\n<thead><tr><th scope=\"col\" title=\"Stage, from the boat\">#</th><th scope=\"col\">Step</th><th scope=\"col\">Party</th><th scope=\"col\">Signer's role</th><th scope=\"col\">Where</th><th scope=\"col\">Lots out</th><th scope=\"col\">Time</th><th scope=\"col\">Signed by</th><th scope=\"col\">Certificate</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>"
    );
    for &g in &trace {
        let c = &certs[gnodes[g]];
        let issuer = c.node.and_then(|n| n.issuer.as_deref());
        let (party_s, from_s, where_s, lots_s) = match c.payload {
            Some(p) => {
                let (a, b) = party(p, &vessels, issuer);
                (a, b.unwrap_or_default(), place(p), lots_line(p))
            }
            None => (
                "—".into(),
                String::new(),
                String::new(),
                c.node.map(|n| n.summary.clone()).unwrap_or_default(),
            ),
        };
        let status = status_text(c);
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td><strong>{}</strong>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"t\">{}</td><td title=\"{}\">{}</td><td class=\"n\"><a href=\"#c-{}\"><code title=\"{}\">{}</code></a></td><td>{}</td></tr>",
            lay.nodes[g].layer + 1,
            kind_name(c.kind()),
            esc(&party_s),
            if from_s.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"from\">from {}</span>", esc(&from_s))
            },
            role_for(c.kind()),
            esc(&where_s),
            esc(&lots_s),
            c.node
                .and_then(|n| n.time)
                .map(|t| t.to_string().replace('T', " "))
                .unwrap_or_default(),
            esc(issuer.unwrap_or("")),
            esc(issuer.map_or("(not identified)", common_name)),
            c.id.hex(),
            c.id,
            &c.id.hex()[..10],
            status
        );
    }
    let _ = writeln!(out, "</tbody>\n</table></div>\n</section>");

    // Certificates: custody in trace order, then attestations, then the rest.
    let _ = writeln!(
        out,
        "<section id=\"certificates\" aria-labelledby=\"certs-h\">\n<h2 id=\"certs-h\">Certificates and findings</h2>"
    );
    let mut order: Vec<usize> = trace.iter().map(|&g| gnodes[g]).collect();
    let listed: HashSet<usize> = order.iter().copied().collect();
    let mut rest: Vec<usize> = (0..certs.len()).filter(|i| !listed.contains(i)).collect();
    rest.sort_by_key(|&i| {
        (
            !certs[i].kind().is_some_and(Kind::is_attestation),
            certs[i].node.and_then(|n| n.time),
            certs[i].id,
        )
    });
    order.extend(rest);
    for i in order {
        card(&mut out, &certs[i], &vessels);
    }
    let drawn: HashSet<CertId> = certs.iter().map(|c| c.id).collect();
    let others: Vec<&Finding> = verdict
        .findings
        .iter()
        .filter(|f| !drawn.contains(&f.certificate))
        .collect();
    if !others.is_empty() || !missing.is_empty() {
        let _ = writeln!(
            out,
            "<article class=\"cert\" id=\"other\"><h3>Other findings</h3><p class=\"hint\">About certificates outside the drawn graph (for example named inputs that are not present).</p>"
        );
        findings_list(&mut out, &others, true);
        let _ = writeln!(out, "</article>");
    }
    let _ = writeln!(out, "</section>\n</main>");
    let _ = writeln!(
        out,
        "<footer><p>Made by catchcert from signed certificates; every text above comes from the suppliers' certificates as signed. No personal data: crew are shown only as counts. Verified as of {at}.</p></footer>\n</body>\n</html>"
    );
    out
}

fn status_text(c: &Cert) -> String {
    let e = c
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let w = c
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let risk = c.node.map(|n| n.risk).unwrap_or(Risk::Unknown);
    let mut s = if e > 0 {
        format!("<span class=\"fail\">✗ fails ({e})</span>")
    } else {
        "✓ sound".to_string()
    };
    if w > 0 {
        let _ = write!(s, ", {w} warning(s)");
    }
    if c.kind().is_some_and(Kind::is_custody) {
        let _ = write!(
            s,
            "; <span class=\"tag risk-{r}\">risk {r}</span>",
            r = risk_word(risk)
        );
    }
    s
}

/// The one sentence under the badges.
fn why(v: &Verdict) -> String {
    let first = |sev: Severity| v.findings.iter().find(|f| f.severity == sev);
    match v.integrity {
        Integrity::Invalid => {
            let n = v
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            match first(Severity::Error) {
                Some(f) => format!(
                    "Do not rely on this chain: {n} check(s) fail. First: {}",
                    f.message
                ),
                None => "Do not rely on this chain: a check fails.".into(),
            }
        }
        Integrity::Valid if v.risk == Risk::Low => "Every certificate is signed by a trusted issuer for its role, every link, time and quantity adds up, and every vessel and facility upstream has a current labour attestation without risk indicators.".into(),
        Integrity::Valid => {
            let reason = v
                .findings
                .iter()
                .find(|f| f.risk == Some(v.risk))
                .or_else(|| first(Severity::Warning));
            match reason {
                Some(f) => format!(
                    "The certificates are genuine and consistent, but the labour risk is {}: {}",
                    v.risk.as_str(),
                    f.message
                ),
                None => format!(
                    "The certificates are genuine and consistent, but the labour risk is {}.",
                    v.risk.as_str()
                ),
            }
        }
    }
}

fn findings_list(out: &mut String, fs: &[&Finding], with_cert: bool) {
    if fs.is_empty() {
        let _ = writeln!(out, "<p class=\"ok\">✓ No findings.</p>");
        return;
    }
    let _ = writeln!(out, "<ul class=\"findings\">");
    for f in fs {
        let (cls, label) = sev_word(f.severity);
        let cert = if with_cert {
            format!(" <code>{}</code>", short(&f.certificate))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<li class=\"{cls}\"><span class=\"sev\">{label}</span> <span class=\"msg\">{}</span> <span class=\"code\">({}){cert}</span></li>",
            esc(&f.message),
            esc(f.code.as_str())
        );
    }
    let _ = writeln!(out, "</ul>");
}

fn dl(out: &mut String, rows: &[(&str, String)]) {
    let _ = writeln!(out, "<dl>");
    for (k, v) in rows {
        if v.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<dt>{k}</dt><dd>{}</dd>", esc(v));
    }
    let _ = writeln!(out, "</dl>");
}

fn card(out: &mut String, c: &Cert, vessels: &Vessels) {
    let kind = c.kind();
    let cls = if c.fails() { " failing" } else { "" };
    let _ = writeln!(
        out,
        "<article class=\"cert{cls}\" id=\"c-{}\">\n<h3>{}{} <code>{}</code></h3>",
        c.id.hex(),
        if c.fails() { "✗ " } else { "" },
        kind_name(kind),
        short(&c.id)
    );
    let mut rows: Vec<(&str, String)> = vec![("Certificate id", c.id.to_string())];
    let issuer = c.node.and_then(|n| n.issuer.clone());
    rows.push((
        "Signed by",
        issuer.unwrap_or_else(|| "(issuer not identified)".into()),
    ));
    rows.push(("Signer's role (one of)", role_for(kind)));
    match c.payload {
        Some(p) => {
            rows.push(("Event time", p.time().to_string()));
            rows.push(("Signed at", p.issued_at().to_string()));
            facts(&mut rows, p, vessels);
        }
        None => {
            if let Some(n) = c.node {
                rows.push(("Summary", n.summary.clone()));
            }
        }
    }
    if let Some(n) = c.node
        && kind.is_some_and(Kind::is_custody)
    {
        rows.push((
            "Risk (with everything upstream)",
            risk_word(n.risk).to_string(),
        ));
    }
    dl(out, &rows);
    findings_list(out, &c.findings, false);
    let _ = writeln!(out, "</article>");
}

/// The key fields of a payload, for its card.
fn facts(rows: &mut Vec<(&str, String)>, p: &Payload, vessels: &Vessels) {
    let audit = |a: &catchcert_model::details::Audit| {
        let m = match a.method.as_str() {
            "third_party" => "independent third-party audit",
            "internal" => "first- or second-party (internal) audit",
            _ => "no audit (self-declaration)",
        };
        format!("{m} by {} on {}", a.auditor, a.date)
    };
    let ilo = |v: &[u8]| {
        if v.is_empty() {
            "none observed".to_string()
        } else {
            v.iter()
                .map(|n| format!("{n} {}", ilo_name(*n)))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    match p.details() {
        Details::Custody(ev) => {
            match &ev.step {
                Step::Catch(c) => {
                    rows.push(("Vessel", vessels.name(&c.vessel_imo)));
                    if let Some(f) = vessels.flag(&c.vessel_imo) {
                        rows.push(("Flag", f.to_string()));
                    }
                    rows.push(("FAO area", c.fao_area.clone()));
                    rows.push(("Gear", c.gear.clone()));
                    rows.push(("Fishing", format!("{} to {}", c.catch_start, c.catch_end)));
                }
                Step::Transshipment(t) => {
                    rows.push(("From vessel", vessels.name(&t.from_vessel_imo)));
                    rows.push(("To vessel", vessels.name(&t.to_vessel_imo)));
                    rows.push(("Where", place(p)));
                }
                Step::Landing { port } => rows.push(("Port", port.clone())),
                Step::Processing { facility } => rows.push(("Facility", facility.clone())),
                Step::Shipment(x) | Step::Receipt(x) => {
                    rows.push(("From", x.from.clone()));
                    rows.push(("To", x.to.clone()));
                }
            }
            let inputs = ev
                .inputs
                .iter()
                .map(|i| format!("{} · {} from {}", i.lot, i.quantity, short(&i.certificate)))
                .collect::<Vec<_>>()
                .join("; ");
            rows.push(("Inputs", inputs));
            rows.push(("Outputs", lots_line(p)));
            let species: Vec<&str> = ev
                .outputs
                .iter()
                .filter_map(|o| o.species.as_deref())
                .collect();
            if !species.is_empty() {
                rows.push(("Species (ASFIS)", species.join(", ")));
            }
            if !ev.attestations.is_empty() {
                rows.push((
                    "Relies on attestations",
                    ev.attestations
                        .iter()
                        .map(short)
                        .collect::<Vec<_>>()
                        .join(", "),
                ));
            }
        }
        Details::CrewAttestation(a) => {
            rows.push((
                "Vessel",
                format!(
                    "{} ({}), flag {}",
                    a.vessel.name, a.vessel.imo, a.vessel.flag
                ),
            ));
            rows.push(("Valid", format!("{} to {}", a.valid_from, a.valid_until)));
            rows.push(("Audit", audit(&a.audit)));
            let n = a.crew.len();
            let count = |f: &dyn Fn(&catchcert_model::details::CrewMember) -> bool| {
                a.crew.iter().filter(|m| f(m)).count()
            };
            rows.push((
                "Crew (counts only)",
                format!(
                    "{n} crew; {} with a written agreement; {} hold their own documents; {} paid a recruitment fee",
                    count(&|m| m.written_agreement),
                    count(&|m| m.holds_own_documents),
                    count(&|m| m.recruitment_fee_paid)
                ),
            ));
            let mut wages: BTreeMap<&str, usize> = BTreeMap::new();
            for m in &a.crew {
                *wages.entry(m.wage_method.as_str()).or_default() += 1;
            }
            rows.push((
                "Wages paid by",
                wages
                    .iter()
                    .map(|(k, v)| format!("{} {v}", k.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            rows.push((
                "Minimum rest",
                format!(
                    "{:.1} h in any 24 h; {:.1} h in any 7 days",
                    f64::from(a.rest.min_per_24h) / 60.0,
                    f64::from(a.rest.min_per_7d) / 60.0
                ),
            ));
            rows.push(("ILO forced-labour indicators", ilo(&a.ilo_indicators)));
        }
        Details::FacilityAttestation(a) => {
            rows.push(("Facility", a.facility.clone()));
            rows.push(("Valid", format!("{} to {}", a.valid_from, a.valid_until)));
            rows.push(("Audit", audit(&a.audit)));
            rows.push(("ILO forced-labour indicators", ilo(&a.ilo_indicators)));
        }
        Details::Revocation(r) => {
            rows.push(("Revokes", r.certificate.to_string()));
            rows.push(("Reason", r.reason.clone()));
        }
        Details::Watchlist(w) => {
            rows.push(("List", w.name.clone()));
            rows.push(("Source", w.source.clone()));
            rows.push(("Entries", w.entries.len().to_string()));
        }
    }
}

fn svg(
    out: &mut String,
    lay: &layout::Layout,
    gnodes: &[usize],
    missing: &[CertId],
    certs: &[Cert],
    vessels: &Vessels,
    head: CertId,
) {
    const PAD: f64 = 12.0;
    let w = lay.width + 2.0 * PAD;
    let h = lay.height + 2.0 * PAD;
    let _ = writeln!(
        out,
        "<div class=\"scroll graph\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"g-title\" width=\"100%\" style=\"max-width:{w:.0}px;min-width:{mw:.0}px\" viewBox=\"0 0 {w:.0} {h:.0}\">\n<title id=\"g-title\">Lot graph: {} certificates from catch to head</title>\n\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker>\
<marker id=\"arrow-back\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b42318\"/></marker></defs>",
        gnodes.len(),
        mw = w * 0.9
    );
    for e in &lay.edges {
        let mut d = String::new();
        for (k, &(x, y)) in e.points.iter().enumerate() {
            let (x, y) = (x + PAD, y + PAD);
            if k == 0 {
                let _ = write!(d, "M{x:.1},{y:.1}");
            } else {
                let (px, py) = e.points[k - 1];
                let (px, py) = (px + PAD, py + PAD);
                let mx = (px + x) / 2.0;
                let _ = write!(d, " C{mx:.1},{py:.1} {mx:.1},{y:.1} {x:.1},{y:.1}");
            }
        }
        if e.back {
            let _ = writeln!(
                out,
                "<path class=\"edge back\" d=\"{d}\" marker-end=\"url(#arrow-back)\"><title>a loop: this input comes from downstream</title></path>"
            );
        } else {
            let _ = writeln!(
                out,
                "<path class=\"edge\" d=\"{d}\" marker-end=\"url(#arrow)\"/>"
            );
        }
    }
    for (g, p) in lay.nodes.iter().enumerate() {
        let (x, y) = (p.x + PAD, p.y + PAD);
        if g >= gnodes.len() {
            let id = missing[g - gnodes.len()];
            let _ = writeln!(
                out,
                "<g class=\"node missing\"><title>{id} is named as an input but is not present</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/>\
<text x=\"{tx:.1}\" y=\"{t1:.1}\" class=\"k\">? Missing certificate</text><text x=\"{tx:.1}\" y=\"{t2:.1}\">{}</text><text x=\"{tx:.1}\" y=\"{t3:.1}\">named but not present</text></g>",
                short(&id),
                tx = x + 8.0,
                t1 = y + 18.0,
                t2 = y + 36.0,
                t3 = y + 54.0,
            );
            continue;
        }
        let c = &certs[gnodes[g]];
        let risk = c.node.map(|n| n.risk).unwrap_or(Risk::Unknown);
        let (who, lots, qty) = match c.payload {
            Some(pl) => {
                let issuer = c.node.and_then(|n| n.issuer.as_deref());
                let (a, _) = party(pl, vessels, issuer);
                let first = pl.outputs().first();
                let more = pl.outputs().len().saturating_sub(1);
                let lots = first.map(|o| o.lot.clone()).unwrap_or_default();
                let qty = match (first, more) {
                    (Some(o), 0) => format!(" · {}", o.quantity),
                    (Some(o), m) => format!(" · {} +{m} lot(s)", o.quantity),
                    (None, _) => String::new(),
                };
                (a, lots, qty)
            }
            None => (
                "—".into(),
                c.node.map(|n| n.summary.clone()).unwrap_or_default(),
                String::new(),
            ),
        };
        let fails = c.fails();
        // The vessel's name alone fits the box; the IMO number stays in the title.
        let short_who = who.split(" (IMO").next().unwrap_or_default().to_string();
        let full = format!(
            "{} {} — {who} — {lots}{qty} — risk {}{}{}",
            kind_name(c.kind()),
            c.id,
            risk_word(risk),
            if fails { " — fails a check" } else { "" },
            if c.id == head { " — head" } else { "" }
        );
        let _ = writeln!(
            out,
            "<a href=\"#c-{hex}\"><g class=\"node risk-{r}{f}{hd}\"><title>{t}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/>\
<text x=\"{tx:.1}\" y=\"{t1:.1}\" class=\"k\">{mark}{kind}</text>{fl}\
<text x=\"{tx:.1}\" y=\"{t2:.1}\">{who}</text><text x=\"{tx:.1}\" y=\"{t3:.1}\" class=\"l\">{lots}</text><text x=\"{tx:.1}\" y=\"{t4:.1}\" class=\"r\">risk {r}<tspan class=\"q\">{qty}</tspan></text></g></a>",
            hex = c.id.hex(),
            r = risk_word(risk),
            f = if fails { " fails" } else { "" },
            hd = if c.id == head { " head" } else { "" },
            t = esc(&full),
            tx = x + 8.0,
            t1 = y + 17.0,
            t2 = y + 34.0,
            t3 = y + 51.0,
            t4 = y + 68.0,
            mark = if fails { "✗ " } else { "" },
            kind = kind_name(c.kind()),
            fl = if fails {
                format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"fl\">FAILS</text>",
                    x + NODE_W - 8.0,
                    y + 17.0
                )
            } else {
                String::new()
            },
            who = esc(&cut(&short_who, BOX_CHARS)),
            lots = esc(&cut(&lots, BOX_CHARS + 2)),
            qty = esc(&qty),
        );
    }
    let _ = writeln!(out, "</svg></div>");
}

fn simple_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<header><h1>{t}</h1></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        t = esc(title)
    )
}

fn search_form(value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"/lots\" role=\"search\" class=\"search\">\n<label for=\"lot\">Lot id</label>\n\
<input id=\"lot\" name=\"lot\" type=\"search\" required maxlength=\"200\" value=\"{}\" placeholder=\"e.g. FM-LOINS-2026-0412\">\n<button type=\"submit\">Show the lot's report</button>\n</form>\n",
        esc(value)
    )
}

/// The server's index page: what it is and a lot search form (`GET /lots?lot=…`).
pub fn index_page() -> String {
    simple_page(
        "catchcert: check a lot of seafood",
        &format!(
            "<section><p>Enter the lot id printed on the label or the invoice to see where the fish came from, who handled it, and whether the chain of signed certificates and the labour attestations hold.</p>\n{}</section>\n",
            search_form("")
        ),
    )
}

/// The page for a lot the server does not know (served with status 404).
pub fn not_found_page(lot: &str) -> String {
    simple_page(
        "Lot not found",
        &format!(
            "<section><p class=\"why\">No certificate here holds the lot <code>{}</code>. Check the id (it is case-sensitive) or ask the seller for the offline bundle.</p>\n{}</section>\n",
            esc(lot),
            search_form(lot)
        ),
    )
}

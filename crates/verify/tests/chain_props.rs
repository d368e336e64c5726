//! Property tests of the chain verifier on random, well-formed supply chains.
//!
//! A chain: 1 to 5 catches, each by one of three attested vessels (a clean one, one whose
//! captain holds the crew's passports, one audited internally only), each optionally moved
//! at sea to an attested reefer, each landed on its own; a processing step commingles a
//! random non-empty subset of the landed lots with a random yield; a shipment takes the
//! whole product and is the head. Quantities balance.
//!
//! Such a chain verifies as integrity valid with the worst risk of the vessels whose fish
//! is in it. Then one mutation at a time must be found:
//! - dropping a certificate of the head's graph: `link.missing` for custody certificates,
//!   `attestation.missing` or `risk.transshipment_at_sea` for attestations;
//! - raising an output above the inputs: `mass_balance.exceeded`;
//! - moving a time before that of an input: `time.order`;
//! - flipping one byte of a certificate: its id changes, so the certificate that named it
//!   sees it as missing; and when the certificates after it are signed again to name the
//!   altered message, `signature.invalid` (or `issuer.untrusted` when the byte is in the
//!   issuer certificate, `issuer.expired` when it moved `issued_at` outside the issuer's
//!   validity), unless the flip moved `issued_at` past the verification time:
//!   then the message is ignored and counts as missing.
//!
//! Certificates that name a changed id are signed again, so each mutation is the only
//! defect. A step with an integrity error is of at least unknown risk, and so is
//! everything after it; the expected risk of a mutated chain follows from that. Case
//! counts are small: signing dominates the cost.

use catchcert_demo::{
    FACILITY, NOT_BEFORE, Programme, Signed, VALID_DAYS, VERIFY_AT, crew_attestation_json, sign,
    sign_payload, t, vessels,
};
use catchcert_model::payload::PayloadParts;
use catchcert_model::{CertId, Grams, Kind, Payload, Role, Timestamp};
use catchcert_testkit::certs::FacilityAttestation;
use catchcert_verify::chain::{Limits, verify};
use catchcert_verify::cose;
use catchcert_verify::findings::{Code, Integrity, Risk, Severity, Verdict};
use catchcert_verify::path::TrustAnchors;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

const SOUTHERN_STAR: (&str, &str, &str) = ("Southern Star 5", "IMO9234567", "FJI");

/// Vessel party label, identity and the risk its attestation carries.
const VESSELS: [(&str, (&str, &str, &str), Risk); 3] = [
    ("vessel-a", vessels::SEA_HARVEST, Risk::Low),
    ("vessel-b", vessels::BLUE_HORIZON, Risk::High),
    ("vessel-c", SOUTHERN_STAR, Risk::Medium),
];

/// The programme and the attestations every chain shares.
struct World {
    p: Programme,
    anchors: TrustAnchors,
    /// Crew attestations of the three vessels, then the reefer's, then the facility's.
    attestations: Vec<Signed>,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let mut p = Programme::new().unwrap();
    p.add_bound_party(
        "chain-props/vessel-c",
        "vessel-c",
        "CN=Southern Star 5,O=Southern Star Fisheries,C=FJ",
        &[Role::Vessel],
        &catchcert_demo::vessel_bindings(&[SOUTHERN_STAR.1]),
        t(NOT_BEFORE),
        VALID_DAYS,
    )
    .unwrap();
    let auditor = p.party("auditor").unwrap().clone();
    let crew = |name: &str, vessel, passports_held: bool, method: &str| {
        let mut j = crew_attestation_json(vessel, passports_held);
        j["audit"]["method"] = json!(method);
        sign(
            name,
            &auditor,
            Kind::CrewAttestation,
            &j,
            "2026-01-15T10:00:00Z",
        )
        .unwrap()
    };
    let attestations = vec![
        crew("crew-0", VESSELS[0].1, false, "third_party"),
        crew("crew-1", VESSELS[1].1, true, "third_party"),
        crew("crew-2", VESSELS[2].1, false, "internal"),
        crew("reefer", vessels::PACIFIC_REEFER, false, "third_party"),
        sign(
            "facility",
            &auditor,
            Kind::FacilityAttestation,
            &FacilityAttestation {
                time: "2026-01-02T09:00:00Z",
                valid_from: "2026-01-01T00:00:00Z",
                valid_until: "2027-01-01T00:00:00Z",
                audit_date: "2025-12-31",
                ..Default::default()
            }
            .json(),
            "2026-01-02T10:00:00Z",
        )
        .unwrap(),
    ];
    let anchors = TrustAnchors::from_pem(&p.root_pem).unwrap();
    World {
        p,
        anchors,
        attestations,
    }
});

/// One catch of a random chain.
#[derive(Clone, Debug)]
struct CatchSpec {
    vessel: usize,
    grams: u64,
    tranship: bool,
    /// Whether the processing takes this catch's landed lot.
    used: bool,
}

#[derive(Clone, Debug)]
struct Params {
    catches: Vec<CatchSpec>,
    /// Processing yield in per mille (500..=1000).
    yield_permille: u64,
}

fn params() -> impl Strategy<Value = Params> {
    (
        prop::collection::vec(
            (
                0..3usize,
                1_000u64..=5_000_000,
                any::<bool>(),
                any::<bool>(),
            ),
            1..=5,
        ),
        500u64..=1000,
    )
        .prop_map(|(cs, yield_permille)| {
            let mut catches: Vec<CatchSpec> = cs
                .into_iter()
                .map(|(vessel, grams, tranship, used)| CatchSpec {
                    vessel,
                    grams,
                    tranship,
                    used,
                })
                .collect();
            if !catches.iter().any(|c| c.used) {
                catches[0].used = true;
            }
            Params {
                catches,
                yield_permille,
            }
        })
}

impl Params {
    /// Names of the certificates in the head's graph.
    fn graph(&self) -> BTreeSet<String> {
        let mut g: BTreeSet<String> = ["shipment", "processing", "facility"]
            .map(String::from)
            .into();
        for (i, c) in self.catches.iter().enumerate().filter(|(_, c)| c.used) {
            g.insert(format!("catch-{i}"));
            g.insert(format!("landing-{i}"));
            g.insert(format!("crew-{}", c.vessel));
            if c.tranship {
                g.insert(format!("trans-{i}"));
                g.insert("reefer".into());
            }
        }
        g
    }

    /// The risk of the head, with the attestations named in `lost` unavailable.
    fn risk_without(&self, lost: &str) -> Risk {
        let mut r = Risk::Low;
        if lost == "facility" || lost == "reefer" {
            r = Risk::Unknown;
        }
        for c in self.catches.iter().filter(|c| c.used) {
            let own = if lost == format!("crew-{}", c.vessel) {
                Risk::Unknown
            } else {
                VESSELS[c.vessel].2
            };
            r = r.max(own);
        }
        r
    }

    fn risk(&self) -> Risk {
        self.risk_without("")
    }

    /// The risk of the head when custody certificate `name` is missing: the consumer that
    /// names it has an integrity error, so it and everything after it are at least
    /// unknown; the catches behind the missing certificate are out of the graph.
    fn risk_with_gap(&self, name: &str) -> Risk {
        let cut = |i: usize| {
            name == "processing"
                || [
                    format!("catch-{i}"),
                    format!("trans-{i}"),
                    format!("landing-{i}"),
                ]
                .iter()
                .any(|n| n == name)
        };
        self.catches
            .iter()
            .enumerate()
            .filter(|(i, c)| c.used && !cut(*i))
            .map(|(_, c)| VESSELS[c.vessel].2)
            .fold(Risk::Unknown, Risk::max)
    }

    /// The risk findings of the unmutated chain.
    fn risk_codes(&self) -> BTreeSet<Code> {
        let mut out = BTreeSet::new();
        for c in self.catches.iter().filter(|c| c.used) {
            match c.vessel {
                1 => out.extend([Code::RiskForcedLabourIndicator, Code::RiskCrewConditions]),
                2 => {
                    out.insert(Code::AttestationWeakAudit);
                }
                _ => {}
            }
        }
        out
    }
}

#[derive(Clone)]
struct Cert {
    /// Party label of the signer.
    party: &'static str,
    signed: Signed,
}

#[derive(Clone)]
struct Chain {
    certs: Vec<Cert>,
    head: CertId,
}

fn at(base: &str, secs: i64) -> String {
    Timestamp(t(base).0 + secs).to_rfc3339()
}

const H: i64 = 3600;
const DAY: i64 = 24 * H;
const T0: &str = "2026-03-01T00:00:00Z";

fn kg(g: u64) -> f64 {
    g as f64 / 1000.0
}

fn build(ps: &Params) -> Chain {
    let w = &*WORLD;
    let mut certs: Vec<Cert> = w
        .attestations
        .iter()
        .map(|a| Cert {
            party: "auditor",
            signed: a.clone(),
        })
        .collect();
    let att = |name: &str| {
        w.attestations
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .id
            .to_string()
    };
    let mk = |certs: &mut Vec<Cert>,
              name: String,
              party: &'static str,
              kind: Kind,
              j: serde_json::Value|
     -> CertId {
        let time = j["time"].as_str().unwrap().to_string();
        let s = sign(&name, w.p.party(party).unwrap(), kind, &j, &at(&time, 1800)).unwrap();
        let id = s.id;
        certs.push(Cert { party, signed: s });
        id
    };
    let mut used = Vec::new();
    for (i, c) in ps.catches.iter().enumerate() {
        let (label, (_, imo, _), _) = VESSELS[c.vessel];
        let start = i as i64 * 6 * H;
        let catch = mk(
            &mut certs,
            format!("catch-{i}"),
            label,
            Kind::Catch,
            json!({
                "time": at(T0, start + 4 * H + 600),
                "vessel_imo": imo, "fao_area": "71", "gear": "LLD",
                "catch_start": at(T0, start), "catch_end": at(T0, start + 4 * H),
                "outputs": [{"lot": format!("C{i}"), "quantity_kg": kg(c.grams), "species": "YFT"}],
                "attestations": [att(&format!("crew-{}", c.vessel))]
            }),
        );
        let (mut src, mut lot) = (catch, format!("C{i}"));
        if c.tranship {
            src = mk(
                &mut certs,
                format!("trans-{i}"),
                "carrier",
                Kind::Transshipment,
                json!({
                    "time": at(T0, 2 * DAY + i as i64 * H),
                    "from_vessel_imo": imo, "to_vessel_imo": vessels::PACIFIC_REEFER.1,
                    "at_sea": true, "fao_area": "71",
                    "inputs": [{"certificate": src.to_string(), "lot": lot, "quantity_kg": kg(c.grams)}],
                    "outputs": [{"lot": format!("T{i}"), "quantity_kg": kg(c.grams), "species": "YFT"}],
                    "attestations": [att("reefer")]
                }),
            );
            lot = format!("T{i}");
        }
        // The vessel holding the lot lands it: the reefer after a transshipment, else the
        // catching vessel (contract §4, holders).
        let landing = mk(
            &mut certs,
            format!("landing-{i}"),
            if c.tranship { "carrier" } else { label },
            Kind::Landing,
            json!({
                "time": at(T0, 5 * DAY + i as i64 * H),
                "port": "THPKT",
                "inputs": [{"certificate": src.to_string(), "lot": lot, "quantity_kg": kg(c.grams)}],
                "outputs": [{"lot": format!("L{i}"), "quantity_kg": kg(c.grams), "species": "YFT"}]
            }),
        );
        if c.used {
            used.push(json!({"certificate": landing.to_string(), "lot": format!("L{i}"), "quantity_kg": kg(c.grams)}));
        }
    }
    let total: u64 = ps.catches.iter().filter(|c| c.used).map(|c| c.grams).sum();
    let out = (total * ps.yield_permille / 1000).max(1);
    let processing = mk(
        &mut certs,
        "processing".into(),
        "processor",
        Kind::Processing,
        json!({
            "time": at(T0, 10 * DAY),
            "facility": FACILITY,
            "inputs": used,
            "outputs": [{"lot": "P", "quantity_kg": kg(out), "species": "YFT", "product": "loins"}],
            "attestations": [att("facility")]
        }),
    );
    let head = mk(
        &mut certs,
        "shipment".into(),
        "importer",
        Kind::Shipment,
        json!({
            "time": at(T0, 12 * DAY),
            "from": "Andaman Loins Co Ltd", "to": "Nordic Seafood AB",
            "inputs": [{"certificate": processing.to_string(), "lot": "P", "quantity_kg": kg(out)}],
            "outputs": [{"lot": "S", "quantity_kg": kg(out), "species": "YFT", "product": "loins"}]
        }),
    );
    Chain { certs, head }
}

impl Chain {
    fn pos(&self, name: &str) -> usize {
        self.certs
            .iter()
            .position(|c| c.signed.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn payload(&self, name: &str) -> Payload {
        self.certs[self.pos(name)].signed.payload.clone()
    }

    fn verify(&self) -> Verdict {
        let bytes: Vec<Vec<u8>> = self.certs.iter().map(|c| c.signed.bytes.clone()).collect();
        verify(
            &bytes,
            &[],
            self.head,
            &WORLD.anchors,
            t(VERIFY_AT),
            &Limits::default(),
        )
    }

    /// Put new bytes in the place of `name`; with `relink`, sign again every certificate
    /// that names a changed id.
    fn replace(&mut self, name: &str, bytes: Vec<u8>, payload: Payload, relink: bool) {
        let i = self.pos(name);
        let old = self.certs[i].signed.id;
        let new = CertId::of_cose(&bytes);
        self.certs[i].signed = Signed {
            name: name.to_string(),
            id: new,
            bytes,
            payload,
            disclosure: None,
        };
        if !relink {
            return;
        }
        let mut changed = HashMap::from([(old, new)]);
        if self.head == old {
            self.head = new;
        }
        loop {
            let mut progress = false;
            for c in &mut self.certs {
                let mut p = c.signed.payload.clone().into_parts();
                let mut any = false;
                if let Some(cu) = p.custody_mut() {
                    for id in cu
                        .inputs
                        .iter_mut()
                        .map(|i| &mut i.certificate)
                        .chain(cu.attestations.iter_mut())
                    {
                        if let Some(n) = changed.get(id) {
                            *id = *n;
                            any = true;
                        }
                    }
                }
                if !any {
                    continue;
                }
                let party = WORLD.p.party(c.party).unwrap();
                let p = p.build().unwrap();
                let s = sign_payload(&c.signed.name, party, p, None).unwrap();
                changed.insert(c.signed.id, s.id);
                if self.head == c.signed.id {
                    self.head = s.id;
                }
                c.signed = s;
                progress = true;
            }
            if !progress {
                return;
            }
        }
    }

    /// Sign `name` again after `f` changed its payload; relink the rest.
    fn resign(&mut self, name: &str, f: impl FnOnce(&mut PayloadParts)) {
        let c = self.certs[self.pos(name)].clone();
        let mut p = c.signed.payload.clone().into_parts();
        f(&mut p);
        let p = p.build().unwrap();
        let s = sign_payload(name, WORLD.p.party(c.party).unwrap(), p, None).unwrap();
        self.replace(name, s.bytes, s.payload, true);
    }
}

/// Whether `bytes` decode to a payload issued after the verification time: a flipped
/// bit in `issued_at` can do that, and the verifier then ignores the message before
/// checking its signature, as it must ignore anything issued after `at`.
fn issued_after_at(bytes: &[u8]) -> bool {
    cose::decode(bytes)
        .ok()
        .and_then(|s| Payload::from_cbor(&s.payload).ok())
        .is_some_and(|p| p.issued_at() > t(VERIFY_AT))
}

fn errors(v: &Verdict) -> BTreeSet<Code> {
    v.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code)
        .collect()
}

fn codes(v: &Verdict) -> BTreeSet<Code> {
    v.findings.iter().map(|f| f.code).collect()
}

fn show(v: &Verdict) -> String {
    let mut s = format!("integrity {:?}, risk {}:", v.integrity, v.risk);
    for f in &v.findings {
        s += &format!("\n  {} on {}: {}", f.code, f.certificate, f.message);
    }
    s
}

/// Custody certificates of the head's graph other than catches and the head: those with
/// inputs whose outputs and times can be changed.
fn steps(ps: &Params) -> Vec<String> {
    ps.graph()
        .into_iter()
        .filter(|n| n.starts_with("trans-") || n.starts_with("landing-") || n == "processing")
        .chain(["shipment".to_string()])
        .collect()
}

/// The expected verdict when certificate `name` of the graph is unavailable.
fn check_missing(ps: &Params, name: &str, v: &Verdict) -> Result<(), TestCaseError> {
    let is_attestation = name.starts_with("crew-") || name == "reefer" || name == "facility";
    if is_attestation {
        let code = if name == "reefer" {
            Code::RiskTransshipmentAtSea
        } else {
            Code::AttestationMissing
        };
        prop_assert!(v.has(code), "{name}: expected {code}\n{}", show(v));
        prop_assert_eq!(v.integrity, Integrity::Valid, "{}: {}", name, show(v));
        prop_assert_eq!(v.risk, ps.risk_without(name), "{}: {}", name, show(v));
    } else {
        prop_assert_eq!(
            errors(v),
            BTreeSet::from([Code::LinkMissing]),
            "{}: {}",
            name,
            show(v)
        );
        prop_assert_eq!(v.risk, ps.risk_with_gap(name), "{}: {}", name, show(v));
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_chains_verify_with_the_worst_risk_of_their_catches(ps in params()) {
        let chain = build(&ps);
        let v = chain.verify();
        prop_assert_eq!(v.integrity, Integrity::Valid, "{}", show(&v));
        prop_assert_eq!(v.risk, ps.risk(), "{}", show(&v));
        prop_assert_eq!(v.certificates, ps.graph().len());
        prop_assert_eq!(codes(&v), ps.risk_codes(), "{}", show(&v));
    }

    #[test]
    fn dropping_a_certificate_of_the_graph_is_found(ps in params(), pick in any::<Index>()) {
        let mut chain = build(&ps);
        let candidates: Vec<String> =
            ps.graph().into_iter().filter(|n| n != "shipment").collect();
        let name = pick.get(&candidates).clone();
        let i = chain.pos(&name);
        chain.certs.remove(i);
        check_missing(&ps, &name, &chain.verify())?;
    }

    #[test]
    fn an_output_above_the_inputs_is_found(
        ps in params(),
        pick in any::<Index>(),
        extra in 1u64..=1_000_000,
    ) {
        let mut chain = build(&ps);
        let name = pick.get(&steps(&ps)).clone();
        chain.resign(&name, |p| {
            let c = p.custody_mut().unwrap();
            let total: u64 = c.inputs.iter().map(|i| i.quantity.0).sum();
            c.outputs[0].quantity = Grams(total + extra);
        });
        let v = chain.verify();
        prop_assert_eq!(
            errors(&v),
            BTreeSet::from([Code::MassBalanceExceeded]),
            "{}: {}",
            name,
            show(&v)
        );
        // An erroneous step is unverifiable: at least unknown risk.
        prop_assert_eq!(v.risk, ps.risk().max(Risk::Unknown), "{}", show(&v));
    }

    #[test]
    fn a_time_before_an_input_is_found(
        ps in params(),
        pick in any::<Index>(),
        back in 1i64..=36_000,
    ) {
        let mut chain = build(&ps);
        let name = pick.get(&steps(&ps)).clone();
        let earliest = chain
            .payload(&name)
            .inputs()
            .iter()
            .map(|i| {
                chain
                    .certs
                    .iter()
                    .find(|c| c.signed.id == i.certificate)
                    .unwrap()
                    .signed
                    .payload
                    .time()
            })
            .min()
            .unwrap();
        chain.resign(&name, |p| p.time = Timestamp(earliest.0 - back));
        let v = chain.verify();
        prop_assert_eq!(
            errors(&v),
            BTreeSet::from([Code::TimeOrder]),
            "{}: {}",
            name,
            show(&v)
        );
        prop_assert_eq!(v.risk, ps.risk().max(Risk::Unknown), "{}", show(&v));
    }

    #[test]
    fn a_flipped_byte_is_found(
        ps in params(),
        pick in any::<Index>(),
        at_byte in any::<Index>(),
        mask in 1u8..=255,
        relink in any::<bool>(),
    ) {
        let mut chain = build(&ps);
        let candidates: Vec<String> = ps.graph().into_iter().collect();
        let name = pick.get(&candidates).clone();
        let c = chain.certs[chain.pos(&name)].signed.clone();
        let mut bytes = c.bytes.clone();
        let k = at_byte.index(bytes.len());
        bytes[k] ^= mask;
        chain.replace(&name, bytes, c.payload.clone(), relink);
        let v = chain.verify();
        if relink && !issued_after_at(&chain.certs[chain.pos(&name)].signed.bytes) {
            // The altered message is in the graph: it must fail on its own.
            let e = errors(&v);
            // The signature is only checked once the issuer path holds, so a flip that
            // moves `issued_at` before the issuer's validity shows as `issuer.expired`.
            prop_assert!(
                [Code::SignatureInvalid, Code::IssuerUntrusted, Code::IssuerExpired]
                    .iter()
                    .any(|c| e.contains(c)),
                "{} byte {} ^ {:#04x}: {}",
                name,
                k,
                mask,
                show(&v)
            );
            // The altered step is unverifiable, or leaves the step that names it
            // without an attestation: unknown risk at least.
            prop_assert!(v.risk >= Risk::Unknown, "{}", show(&v));
        } else if name == "shipment" {
            // Without relinking, the head's id changed and the head is not in the set;
            // with relinking, the altered head claims to be issued after `at`, and so
            // is ignored. Either way there is no graph.
            prop_assert_eq!(errors(&v), BTreeSet::from([Code::LinkMissing]), "{}", show(&v));
            prop_assert_eq!(v.certificates, 0);
            prop_assert_eq!(v.risk, Risk::Unknown);
        } else {
            check_missing(&ps, &name, &v)?;
        }
    }
}

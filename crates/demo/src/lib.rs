//! # catchcert-demo
//!
//! A realistic demo supply chain, built from fixed seeds so that every run gives the same
//! keys, payloads and signatures: a programme root; an auditor, two longliners, a reefer,
//! a processor, an importer, a retailer and the programme's registrar; crew and facility
//! attestations; catches of
//! yellowfin and bigeye in FAO area 71; transshipment at sea to the reefer; landing at
//! Phuket; processing that commingles lots into loins; shipment and receipt.
//!
//! Serial numbers are derived from the same seeds, so the programme and every certificate
//! id are the same on every run.
//!
//! Every custody party is bound to what it speaks for (contract §2 "Bindings"): each
//! longliner to its own IMO number, the carrier to its reefer's IMO number, the processor to
//! its plant [`FACILITY`]; the importer and the retailer speak for their subject `O` (which
//! is always among an issuer's parties). The auditor and the registrar are bound to
//! nothing: they name no vessel, facility or party of their own. Every step of the chain is
//! signed by whoever holds the lot it consumes (contract §4 "Holders and custody").
//!
//! One longliner keeps its crew's passports: its attestation records ILO indicator 7, so
//! every lot that contains its fish is high risk, however much clean fish it is mixed
//! with. The bigeye of the other vessel goes a separate way and stays low risk.
//!
//! `catchcert demo` writes this chain to a directory; tests, fixtures and benchmarks use
//! the same functions.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use catchcert_model::bindings_ext::BindingsExt;
use catchcert_model::codes::CodeLists;
use catchcert_model::crew::Disclosure;
use catchcert_model::{CertId, Kind, Payload, Role, Timestamp, input};
use catchcert_sign::{cose, pki};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Why the demo could not be built (a bug, not an input problem: the demo's inputs are
/// fixed).
#[derive(Debug, thiserror::Error)]
#[error("demo: {0}")]
pub struct DemoError(pub String);

fn err(e: impl std::fmt::Display) -> DemoError {
    DemoError(e.to_string())
}

/// Parse a fixed RFC 3339 time of the demo.
pub fn t(s: &str) -> Timestamp {
    // The demo's times are literals; an unparsable one is caught by the tests.
    Timestamp::parse_rfc3339(s).unwrap_or(Timestamp(0))
}

/// Start of validity of the demo programme's certificates.
pub const NOT_BEFORE: &str = "2026-01-01T00:00:00Z";
/// Validity of the demo programme's certificates, in days (ten years).
pub const VALID_DAYS: u32 = 3650;
/// A time after every demo event, to verify fixtures as of.
pub const VERIFY_AT: &str = "2026-12-01T00:00:00Z";

/// A deterministic Ed25519 key for a label.
pub fn seeded_key(label: &str) -> SigningKey {
    let seed: [u8; 32] = Sha256::digest(format!("catchcert-demo-key:{label}")).into();
    SigningKey::from_bytes(&seed)
}

/// A deterministic certificate serial number for a label: the demo programme is
/// reproducible to the byte (real programmes use random serials).
pub fn seeded_serial(label: &str) -> [u8; 16] {
    let d = Sha256::digest(format!("catchcert-demo-serial:{label}"));
    let mut s = [0u8; 16];
    s.copy_from_slice(&d[..16]);
    s
}

/// An accredited issuer of the programme.
#[derive(Clone, Debug)]
pub struct Party {
    /// Short label, e.g. `vessel-a`.
    pub label: String,
    /// X.509 subject.
    pub subject: String,
    /// Signing key.
    pub key: SigningKey,
    /// Its certificate (PEM).
    pub cert_pem: String,
    /// x5chain: its certificate first, then intermediates (DER).
    pub chain: Vec<Vec<u8>>,
}

/// The programme: a root and its parties.
#[derive(Clone, Debug)]
pub struct Programme {
    /// The root key.
    pub root_key: SigningKey,
    /// The root certificate (PEM): the trust anchor.
    pub root_pem: String,
    /// Parties by label.
    pub parties: BTreeMap<String, Party>,
}

/// Vessel identities of the demo.
pub mod vessels {
    /// Longliner with a clean crew attestation.
    pub const SEA_HARVEST: (&str, &str, &str) = ("Sea Harvest 7", "IMO9074729", "TWN");
    /// Longliner whose captain holds the crew's passports.
    pub const BLUE_HORIZON: (&str, &str, &str) = ("Blue Horizon 12", "IMO9176187", "VUT");
    /// Reefer (carrier) receiving catch at sea.
    pub const PACIFIC_REEFER: (&str, &str, &str) = ("Pacific Reefer 3", "IMO9354521", "PAN");
}

/// The processing plant's name as certificates give it.
pub const FACILITY: &str = "Andaman Loins Plant 1, Phuket";

/// Bindings to vessels (IMO numbers) only.
pub fn vessel_bindings(imos: &[&str]) -> BindingsExt {
    BindingsExt {
        vessels: Some(imos.iter().map(|s| s.to_string()).collect()),
        ..BindingsExt::default()
    }
}

/// Bindings to facilities only.
pub fn facility_bindings(names: &[&str]) -> BindingsExt {
    BindingsExt {
        facilities: Some(names.iter().map(|s| s.to_string()).collect()),
        ..BindingsExt::default()
    }
}

/// The standard parties of the demo programme: label, subject, roles and bindings (the
/// subject's `O` is always among a party's parties, so traders need no bindings).
pub fn standard_parties() -> Vec<(&'static str, &'static str, &'static [Role], BindingsExt)> {
    use vessels::*;
    vec![
        (
            "auditor",
            "CN=Ocean Labour Audits,O=Ocean Labour Audits Ltd,C=NZ",
            &[Role::Auditor],
            BindingsExt::default(),
        ),
        (
            "vessel-a",
            "CN=Sea Harvest 7,O=Sea Harvest Fishing Co,C=TW",
            &[Role::Vessel],
            vessel_bindings(&[SEA_HARVEST.1]),
        ),
        (
            "vessel-b",
            "CN=Blue Horizon 12,O=Blue Horizon Marine,C=VU",
            &[Role::Vessel],
            vessel_bindings(&[BLUE_HORIZON.1]),
        ),
        (
            "carrier",
            "CN=Pacific Reefer 3,O=Pacific Reefer Lines,C=PA",
            &[Role::Carrier],
            vessel_bindings(&[PACIFIC_REEFER.1]),
        ),
        (
            "processor",
            "CN=Andaman Loins,O=Andaman Loins Co Ltd,C=TH",
            &[Role::Processor],
            facility_bindings(&[FACILITY]),
        ),
        (
            "importer",
            "CN=Nordic Seafood Import,O=Nordic Seafood AB,C=SE",
            &[Role::Trader],
            BindingsExt::default(),
        ),
        (
            "retailer",
            "CN=FreshMart,O=FreshMart Stores,C=GB",
            &[Role::Retailer],
            BindingsExt::default(),
        ),
        (
            "registrar",
            "CN=catchcert Demo Registrar,O=catchcert Demo Programme",
            &[Role::Registrar],
            BindingsExt::default(),
        ),
    ]
}

impl Programme {
    /// The demo programme with its standard parties.
    pub fn new() -> Result<Self, DemoError> {
        Self::with_root(
            "CN=catchcert Demo Programme Root,O=catchcert Demo Programme",
            "root",
        )
    }

    /// A programme with another root (for "untrusted issuer" cases).
    pub fn with_root(subject: &str, label: &str) -> Result<Self, DemoError> {
        let root_key = seeded_key(label);
        let root_pem = pki::init_root_with_serial(
            &root_key,
            subject,
            t(NOT_BEFORE),
            VALID_DAYS,
            Some(seeded_serial(label)),
        )
        .map_err(err)?;
        let mut p = Programme {
            root_key,
            root_pem,
            parties: BTreeMap::new(),
        };
        for (l, subject, roles, bindings) in standard_parties() {
            p.add_bound_party(
                &format!("{label}/{l}"),
                l,
                subject,
                roles,
                &bindings,
                t(NOT_BEFORE),
                VALID_DAYS,
            )?;
        }
        Ok(p)
    }

    /// Issue a party certificate directly under the root, bound to nothing but its
    /// subject's `O`. `seed_label` picks the key.
    pub fn add_party(
        &mut self,
        seed_label: &str,
        label: &str,
        subject: &str,
        roles: &[Role],
        not_before: Timestamp,
        valid_days: u32,
    ) -> Result<&Party, DemoError> {
        self.add_bound_party(
            seed_label,
            label,
            subject,
            roles,
            &BindingsExt::default(),
            not_before,
            valid_days,
        )
    }

    /// Issue a party certificate directly under the root with `bindings` (the vessels,
    /// facilities and parties it speaks for besides its subject's `O`). `seed_label` picks
    /// the key.
    #[allow(clippy::too_many_arguments)]
    pub fn add_bound_party(
        &mut self,
        seed_label: &str,
        label: &str,
        subject: &str,
        roles: &[Role],
        bindings: &BindingsExt,
        not_before: Timestamp,
        valid_days: u32,
    ) -> Result<&Party, DemoError> {
        let key = seeded_key(seed_label);
        let cert_pem = pki::issue_with_bindings(
            &self.root_key,
            &self.root_pem,
            &key.verifying_key(),
            &pki::IssueRequest {
                subject,
                roles,
                cert_type: pki::CertType::Leaf,
                not_before,
                valid_days,
            },
            bindings,
            Some(seeded_serial(seed_label)),
        )
        .map_err(err)?;
        let chain = pki::read_pem_chain(&cert_pem).map_err(err)?;
        let party = Party {
            label: label.to_string(),
            subject: subject.to_string(),
            key,
            cert_pem,
            chain,
        };
        self.parties.insert(label.to_string(), party);
        self.parties.get(label).ok_or_else(|| err("party vanished"))
    }

    /// A party by label.
    pub fn party(&self, label: &str) -> Result<&Party, DemoError> {
        self.parties
            .get(label)
            .ok_or_else(|| DemoError(format!("no party {label:?}")))
    }
}

/// A signed certificate of the demo.
#[derive(Clone, Debug)]
pub struct Signed {
    /// File stem, e.g. `05-catch-sea-harvest`.
    pub name: String,
    /// Its id.
    pub id: CertId,
    /// COSE_Sign1 bytes.
    pub bytes: Vec<u8>,
    /// Its payload.
    pub payload: Payload,
    /// Crew disclosure (crew attestations).
    pub disclosure: Option<Disclosure>,
}

/// Deterministic salts for crew commitments, per certificate name.
fn salts(name: &str) -> impl FnMut() -> [u8; 16] + '_ {
    let mut n = 0u32;
    move || {
        n += 1;
        let d = Sha256::digest(format!("catchcert-demo-salt:{name}:{n}"));
        let mut s = [0u8; 16];
        s.copy_from_slice(&d[..16]);
        s
    }
}

/// Build a payload from input JSON (as `catchcert issue` does), with deterministic salts.
pub fn payload(
    name: &str,
    kind: Kind,
    json: &Value,
    issued_at: &str,
) -> Result<(Payload, Option<Disclosure>), DemoError> {
    let bytes = serde_json::to_vec(json).map_err(err)?;
    let mut salt = salts(name);
    let built = input::build(kind, &bytes, t(issued_at), &CodeLists::default(), &mut salt)
        .map_err(|e| DemoError(format!("{name}: {e}")))?;
    Ok((built.payload, built.disclosure))
}

/// Sign an already built payload as `party`.
pub fn sign_payload(
    name: &str,
    party: &Party,
    payload: Payload,
    disclosure: Option<Disclosure>,
) -> Result<Signed, DemoError> {
    let bytes = cose::sign_payload(&payload, &party.key, &party.chain).map_err(err)?;
    let id = CertId::of_cose(&bytes);
    let disclosure = disclosure.map(|mut d| {
        d.certificate = Some(id);
        d
    });
    Ok(Signed {
        name: name.to_string(),
        id,
        bytes,
        payload,
        disclosure,
    })
}

/// Build and sign.
pub fn sign(
    name: &str,
    party: &Party,
    kind: Kind,
    json: &Value,
    issued_at: &str,
) -> Result<Signed, DemoError> {
    let (p, d) = payload(name, kind, json, issued_at)?;
    sign_payload(name, party, p, d)
}

fn crew_member(name: &str, nationality: &str, role: &str, own_documents: bool) -> Value {
    json!({
        "name": name, "nationality": nationality, "role": role,
        "written_agreement": true, "holds_own_documents": own_documents,
        "recruitment_fee_paid": false, "wage_method": "bank_transfer"
    })
}

/// Input JSON of a crew attestation for a vessel `(name, imo, flag)`.
pub fn crew_attestation_json(vessel: (&str, &str, &str), passports_held_by_captain: bool) -> Value {
    let (name, imo, flag) = vessel;
    let own = !passports_held_by_captain;
    json!({
        "time": "2026-01-15T09:00:00Z",
        "vessel": {"name": name, "imo": imo, "flag": flag},
        "valid_from": "2026-01-15T00:00:00Z",
        "valid_until": "2026-07-15T00:00:00Z",
        "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": "2026-01-14"},
        "crew": [
            crew_member("Ahmad Suryadi", "IDN", "deckhand", own),
            crew_member("Juan Dela Cruz", "PHL", "deckhand", own),
            crew_member("Chen Wei", "TWN", "bosun", true),
        ],
        "rest_hours": {"min_per_24h": 10, "min_per_7d": 77},
        "ilo_indicators": if passports_held_by_captain { json!([7]) } else { json!([]) }
    })
}

/// The demo chain, in signing order.
#[derive(Clone, Debug)]
pub struct DemoChain {
    /// Every certificate, in the order signed.
    pub certs: Vec<Signed>,
}

impl DemoChain {
    /// A certificate by name.
    pub fn get(&self, name: &str) -> Option<&Signed> {
        self.certs.iter().find(|c| c.name == name)
    }
    /// The id of a certificate by name (empty id if absent: a test bug).
    pub fn id(&self, name: &str) -> CertId {
        self.get(name).map(|c| c.id).unwrap_or(CertId([0; 32]))
    }
    /// All COSE messages.
    pub fn bytes(&self) -> Vec<Vec<u8>> {
        self.certs.iter().map(|c| c.bytes.clone()).collect()
    }
    /// The receipt of yellowfin loins (high risk: comes partly from Blue Horizon 12).
    pub fn loins_head(&self) -> CertId {
        self.id(LOINS_RECEIPT)
    }
    /// The receipt of bigeye steaks (low risk).
    pub fn steaks_head(&self) -> CertId {
        self.id(STEAKS_RECEIPT)
    }
}

/// Name of the loins receipt (the main head).
pub const LOINS_RECEIPT: &str = "15-receipt-loins";
/// Name of the bigeye steaks receipt.
pub const STEAKS_RECEIPT: &str = "16-receipt-steaks";
/// Lot id of the loins at the retailer.
pub const LOINS_LOT: &str = "FM-LOINS-2026-0412";
/// Lot id of the steaks at the retailer.
pub const STEAKS_LOT: &str = "FM-BET-2026-0413";

/// Build the demo chain.
pub fn demo_chain(p: &Programme) -> Result<DemoChain, DemoError> {
    use vessels::*;
    let mut c: Vec<Signed> = Vec::new();
    let auditor = p.party("auditor")?;
    c.push(sign(
        "01-crew-sea-harvest",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(SEA_HARVEST, false),
        "2026-01-15T10:00:00Z",
    )?);
    c.push(sign(
        "02-crew-blue-horizon",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(BLUE_HORIZON, true),
        "2026-01-16T10:00:00Z",
    )?);
    c.push(sign(
        "03-crew-pacific-reefer",
        auditor,
        Kind::CrewAttestation,
        &crew_attestation_json(PACIFIC_REEFER, false),
        "2026-01-17T10:00:00Z",
    )?);
    c.push(sign(
        "04-facility-andaman",
        auditor,
        Kind::FacilityAttestation,
        &json!({
            "time": "2026-02-01T09:00:00Z",
            "facility": FACILITY,
            "valid_from": "2026-02-01T00:00:00Z",
            "valid_until": "2027-02-01T00:00:00Z",
            "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": "2026-01-31"},
            "ilo_indicators": []
        }),
        "2026-02-01T10:00:00Z",
    )?);
    let att = |c: &[Signed], name: &str| {
        c.iter()
            .find(|s| s.name == name)
            .map(|s| s.id.to_string())
            .unwrap_or_default()
    };
    let catch_a = sign(
        "05-catch-sea-harvest",
        p.party("vessel-a")?,
        Kind::Catch,
        &json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": SEA_HARVEST.1, "fao_area": "71", "gear": "LLD",
            "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
            "outputs": [
                {"lot": "SH7-2026-03-YFT", "quantity_kg": 1200.0, "species": "YFT"},
                {"lot": "SH7-2026-03-BET", "quantity_kg": 300.5, "species": "BET"}
            ],
            "attestations": [att(&c, "01-crew-sea-harvest")]
        }),
        "2026-03-02T06:05:00Z",
    )?;
    c.push(catch_a);
    let catch_b = sign(
        "06-catch-blue-horizon",
        p.party("vessel-b")?,
        Kind::Catch,
        &json!({
            "time": "2026-03-03T07:00:00Z",
            "vessel_imo": BLUE_HORIZON.1, "fao_area": "71", "gear": "LLD",
            "catch_start": "2026-03-01T22:00:00Z", "catch_end": "2026-03-03T06:00:00Z",
            "outputs": [{"lot": "BH12-2026-03-YFT", "quantity_kg": 800.0, "species": "YFT"}],
            "attestations": [att(&c, "02-crew-blue-horizon")]
        }),
        "2026-03-03T07:10:00Z",
    )?;
    c.push(catch_b);
    let id = |c: &[Signed], name: &str| att(c, name);
    let carrier = p.party("carrier")?;
    c.push(sign(
        "07-transshipment-sea-harvest",
        carrier,
        Kind::Transshipment,
        &json!({
            "time": "2026-03-05T12:00:00Z",
            "from_vessel_imo": SEA_HARVEST.1, "to_vessel_imo": PACIFIC_REEFER.1,
            "at_sea": true, "fao_area": "71",
            "inputs": [
                {"certificate": id(&c, "05-catch-sea-harvest"), "lot": "SH7-2026-03-YFT", "quantity_kg": 1200.0},
                {"certificate": id(&c, "05-catch-sea-harvest"), "lot": "SH7-2026-03-BET", "quantity_kg": 300.5}
            ],
            "outputs": [
                {"lot": "PR3-2026-03-YFT-A", "quantity_kg": 1200.0, "species": "YFT"},
                {"lot": "PR3-2026-03-BET-A", "quantity_kg": 300.5, "species": "BET"}
            ],
            "attestations": [att(&c, "03-crew-pacific-reefer")]
        }),
        "2026-03-05T12:30:00Z",
    )?);
    c.push(sign(
        "08-transshipment-blue-horizon",
        carrier,
        Kind::Transshipment,
        &json!({
            "time": "2026-03-06T08:00:00Z",
            "from_vessel_imo": BLUE_HORIZON.1, "to_vessel_imo": PACIFIC_REEFER.1,
            "at_sea": true, "fao_area": "71",
            "inputs": [{"certificate": id(&c, "06-catch-blue-horizon"), "lot": "BH12-2026-03-YFT", "quantity_kg": 800.0}],
            "outputs": [{"lot": "PR3-2026-03-YFT-B", "quantity_kg": 800.0, "species": "YFT"}],
            "attestations": [att(&c, "03-crew-pacific-reefer")]
        }),
        "2026-03-06T08:30:00Z",
    )?);
    // The reefer holds the transshipped lots: the carrier, bound to its IMO number, lands them.
    c.push(sign(
        "09-landing-sea-harvest-lots",
        carrier,
        Kind::Landing,
        &json!({
            "time": "2026-03-20T03:00:00Z",
            "port": "THPKT",
            "inputs": [
                {"certificate": id(&c, "07-transshipment-sea-harvest"), "lot": "PR3-2026-03-YFT-A", "quantity_kg": 1200.0},
                {"certificate": id(&c, "07-transshipment-sea-harvest"), "lot": "PR3-2026-03-BET-A", "quantity_kg": 300.5}
            ],
            "outputs": [
                {"lot": "THPKT-L-0320-YFT-A", "quantity_kg": 1200.0, "species": "YFT"},
                {"lot": "THPKT-L-0320-BET-A", "quantity_kg": 300.5, "species": "BET"}
            ]
        }),
        "2026-03-20T04:00:00Z",
    )?);
    c.push(sign(
        "10-landing-blue-horizon-lot",
        carrier,
        Kind::Landing,
        &json!({
            "time": "2026-03-20T03:30:00Z",
            "port": "THPKT",
            "inputs": [{"certificate": id(&c, "08-transshipment-blue-horizon"), "lot": "PR3-2026-03-YFT-B", "quantity_kg": 800.0}],
            "outputs": [{"lot": "THPKT-L-0320-YFT-B", "quantity_kg": 800.0, "species": "YFT"}]
        }),
        "2026-03-20T04:05:00Z",
    )?);
    let processor = p.party("processor")?;
    c.push(sign(
        "11-processing-loins",
        processor,
        Kind::Processing,
        &json!({
            "time": "2026-03-25T10:00:00Z",
            "facility": FACILITY,
            "inputs": [
                {"certificate": id(&c, "09-landing-sea-harvest-lots"), "lot": "THPKT-L-0320-YFT-A", "quantity_kg": 1200.0},
                {"certificate": id(&c, "10-landing-blue-horizon-lot"), "lot": "THPKT-L-0320-YFT-B", "quantity_kg": 800.0}
            ],
            "outputs": [{"lot": "ALP-LOINS-2026-0325", "quantity_kg": 1140.0, "species": "YFT", "product": "yellowfin tuna loins, frozen"}],
            "attestations": [att(&c, "04-facility-andaman")]
        }),
        "2026-03-25T11:00:00Z",
    )?);
    c.push(sign(
        "12-processing-steaks",
        processor,
        Kind::Processing,
        &json!({
            "time": "2026-03-26T10:00:00Z",
            "facility": FACILITY,
            "inputs": [{"certificate": id(&c, "09-landing-sea-harvest-lots"), "lot": "THPKT-L-0320-BET-A", "quantity_kg": 300.5}],
            "outputs": [{"lot": "ALP-BET-2026-0326", "quantity_kg": 180.25, "species": "BET", "product": "bigeye tuna steaks, frozen"}],
            "attestations": [att(&c, "04-facility-andaman")]
        }),
        "2026-03-26T11:00:00Z",
    )?);
    // The processor holds its output: each shipment is `from` its `O` and signed by the
    // importer, its `to`; the retailer's receipts are `from` the importer (the shipments'
    // `to`, which holds those lots) and signed by their `to`.
    let importer = p.party("importer")?;
    for (name, src, lot_in, lot_out, kg, sp, prod, day) in [
        (
            "13-shipment-loins",
            "11-processing-loins",
            "ALP-LOINS-2026-0325",
            "NSI-2026-0402-LOINS",
            1140.0,
            "YFT",
            "yellowfin tuna loins, frozen",
            "02",
        ),
        (
            "14-shipment-steaks",
            "12-processing-steaks",
            "ALP-BET-2026-0326",
            "NSI-2026-0402-BET",
            180.25,
            "BET",
            "bigeye tuna steaks, frozen",
            "03",
        ),
    ] {
        c.push(sign(
            name,
            importer,
            Kind::Shipment,
            &json!({
                "time": format!("2026-04-{day}T08:00:00Z"),
                "from": "Andaman Loins Co Ltd", "to": "Nordic Seafood AB",
                "inputs": [{"certificate": id(&c, src), "lot": lot_in, "quantity_kg": kg}],
                "outputs": [{"lot": lot_out, "quantity_kg": kg, "species": sp, "product": prod}]
            }),
            &format!("2026-04-{day}T09:00:00Z"),
        )?);
    }
    let retailer = p.party("retailer")?;
    for (name, src, lot_in, lot_out, kg, sp, prod, day) in [
        (
            LOINS_RECEIPT,
            "13-shipment-loins",
            "NSI-2026-0402-LOINS",
            LOINS_LOT,
            1140.0,
            "YFT",
            "yellowfin tuna loins, frozen",
            "12",
        ),
        (
            STEAKS_RECEIPT,
            "14-shipment-steaks",
            "NSI-2026-0402-BET",
            STEAKS_LOT,
            180.25,
            "BET",
            "bigeye tuna steaks, frozen",
            "13",
        ),
    ] {
        c.push(sign(
            name,
            retailer,
            Kind::Receipt,
            &json!({
                "time": format!("2026-04-{day}T07:00:00Z"),
                "from": "Nordic Seafood AB", "to": "FreshMart Stores",
                "inputs": [{"certificate": id(&c, src), "lot": lot_in, "quantity_kg": kg}],
                "outputs": [{"lot": lot_out, "quantity_kg": kg, "species": sp, "product": prod}]
            }),
            &format!("2026-04-{day}T07:30:00Z"),
        )?);
    }
    Ok(DemoChain { certs: c })
}

#[cfg(test)]
mod tests {
    use super::*;
    use catchcert_model::payload::Step;

    #[test]
    fn every_party_is_bound_to_what_it_speaks_for() {
        let p = Programme::new().unwrap();
        let bound = |l: &str| pki::cert_bindings(&p.party(l).unwrap().cert_pem).unwrap();
        assert_eq!(
            bound("vessel-a"),
            Some(vessel_bindings(&[vessels::SEA_HARVEST.1]))
        );
        assert_eq!(
            bound("vessel-b"),
            Some(vessel_bindings(&[vessels::BLUE_HORIZON.1]))
        );
        assert_eq!(
            bound("carrier"),
            Some(vessel_bindings(&[vessels::PACIFIC_REEFER.1]))
        );
        assert_eq!(bound("processor"), Some(facility_bindings(&[FACILITY])));
        for l in ["auditor", "importer", "retailer", "registrar"] {
            assert_eq!(bound(l), None, "{l}");
        }
        let roles = pki::cert_roles(&p.party("registrar").unwrap().cert_pem).unwrap();
        assert_eq!(roles, vec![Role::Registrar]);
    }

    #[test]
    fn the_parties_of_shipments_and_receipts_are_subject_organisations() {
        let p = Programme::new().unwrap();
        let c = demo_chain(&p).unwrap();
        let org = |l: &str| {
            let s = &p.party(l).unwrap().subject;
            s.split(',')
                .find_map(|a| a.strip_prefix("O="))
                .unwrap()
                .to_string()
        };
        for (name, from, to) in [
            ("13-shipment-loins", "processor", "importer"),
            ("14-shipment-steaks", "processor", "importer"),
            (LOINS_RECEIPT, "importer", "retailer"),
            (STEAKS_RECEIPT, "importer", "retailer"),
        ] {
            let pl = &c.get(name).unwrap().payload;
            let (Some(Step::Shipment(x)) | Some(Step::Receipt(x))) = pl.step() else {
                panic!("{name} is not a shipment or receipt");
            };
            assert_eq!(
                (x.from.as_str(), x.to.as_str()),
                (org(from).as_str(), org(to).as_str()),
                "{name}"
            );
        }
    }
}

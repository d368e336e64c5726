//! Real certificates for tests: a programme root, issuers with roles, one issuer under an
//! untrusted root, and COSE_Sign1 certificates built from input JSON and signed by them.
//!
//! Used by the server's API suite, the CLI's `serve` tests and the end-to-end scenarios;
//! [`FacilityAttestation`] is the one facility attestation input of the demo-based tests and
//! generators.

use catchcert_model::bindings_ext::BindingsExt;
use catchcert_model::codes::CodeLists;
use catchcert_model::{CertId, Kind, Role, Timestamp, input};
use catchcert_sign::pki::{self, CertType, IssueRequest};
use catchcert_sign::{cose, keys};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

/// Every event in the tests happens in March 2026; certificates are signed on 1 June 2026.
pub const ISSUED_AT: &str = "2026-06-01T00:00:00Z";

/// A signer: its key and its x5chain (DER, leaf first).
pub struct Issuer {
    pub key: SigningKey,
    pub chain: Vec<Vec<u8>>,
}

/// The vessel [`Pki::vessel`] is bound to, which [`catch`] names.
pub const VESSEL_IMO: &str = "IMO9074729";
/// The vessel [`Pki::rival`] is bound to.
pub const RIVAL_IMO: &str = "IMO9176187";
/// The party [`Pki::processor`] is bound to besides its `O`, which [`shipment`] ships from.
pub const PLANT: &str = "Plant";
/// The party [`Pki::importer`] is (its `O`), which [`shipment`] ships to.
pub const IMPORTER: &str = "Importer";

/// A programme root and its issuers, plus an issuer under a root nobody trusts. Every
/// issuer is bound to what the helpers of this module make it name (contract §2).
pub struct Pki {
    /// The trusted root, PEM (what `--trust` names).
    pub root_pem: String,
    /// Role vessel, bound to [`VESSEL_IMO`]; `O=Fleet`.
    pub vessel: Issuer,
    /// Roles processor and trader, bound to the demo facility ([`catchcert_demo::FACILITY`])
    /// and party [`PLANT`]; `O=Processor`.
    pub processor: Issuer,
    /// Role auditor.
    pub auditor: Issuer,
    /// Role vessel, under an untrusted root.
    pub stranger: Issuer,
    /// Role vessel, bound to [`RIVAL_IMO`]; `O=Rival Fleet`: another accredited vessel.
    pub rival: Issuer,
    /// Roles trader and retailer; `O=Importer` ([`IMPORTER`]).
    pub importer: Issuer,
    /// Role registrar (the programme operator: may revoke any certificate).
    pub registrar: Issuer,
    /// Role auditor, another audit firm than [`Pki::auditor`].
    pub rival_auditor: Issuer,
    /// Role listkeeper (signs watch lists); `O=Importer Watch`.
    pub listkeeper: Issuer,
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

/// The bindings of `--vessel`, `--facility` and `--party` values.
pub fn bindings(vessels: &[&str], facilities: &[&str], parties: &[&str]) -> BindingsExt {
    let list = |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| s.to_string()).collect());
    BindingsExt {
        vessels: list(vessels),
        facilities: list(facilities),
        parties: list(parties),
    }
}

fn issuer_under(root_key: &SigningKey, root_pem: &str, subject: &str, roles: &[Role]) -> Issuer {
    bound_issuer_under(root_key, root_pem, subject, roles, &BindingsExt::default())
}

/// An issuer with `roles` and `bindings` under the CA (`root_key`, `root_pem`).
pub fn bound_issuer_under(
    root_key: &SigningKey,
    root_pem: &str,
    subject: &str,
    roles: &[Role],
    bindings: &BindingsExt,
) -> Issuer {
    let key = keys::generate();
    let pem = pki::issue_with_bindings(
        root_key,
        root_pem,
        &key.verifying_key(),
        &IssueRequest {
            subject,
            roles,
            cert_type: CertType::Leaf,
            not_before: ts("2026-01-01T00:00:00Z"),
            valid_days: 3650,
        },
        bindings,
        None,
    )
    .unwrap();
    Issuer {
        key,
        chain: pki::read_pem_chain(&pem).unwrap(),
    }
}

/// A fresh programme root: its key and certificate (PEM).
fn root(subject: &str) -> (SigningKey, String) {
    let key = keys::generate();
    let pem = pki::init_root(&key, subject, ts("2026-01-01T00:00:00Z"), 3650).unwrap();
    (key, pem)
}

impl Pki {
    /// Fresh keys and certificates.
    pub fn new() -> Pki {
        let (root_key, root_pem) = root("CN=Test Programme Root,O=catchcert tests");
        let vessel = bound_issuer_under(
            &root_key,
            &root_pem,
            "CN=FV Test,O=Fleet",
            &[Role::Vessel],
            &bindings(&[VESSEL_IMO], &[], &[]),
        );
        let processor = bound_issuer_under(
            &root_key,
            &root_pem,
            "CN=Plant,O=Processor",
            &[Role::Processor, Role::Trader],
            &bindings(&[], &[catchcert_demo::FACILITY], &[PLANT]),
        );
        let rival = bound_issuer_under(
            &root_key,
            &root_pem,
            "CN=FV Rival,O=Rival Fleet",
            &[Role::Vessel],
            &bindings(&[RIVAL_IMO], &[], &[]),
        );
        let importer = issuer_under(
            &root_key,
            &root_pem,
            "CN=Importer,O=Importer",
            &[Role::Trader, Role::Retailer],
        );
        let rival_auditor = issuer_under(
            &root_key,
            &root_pem,
            "CN=Rival Auditor,O=Rival Audits",
            &[Role::Auditor],
        );
        let registrar = issuer_under(
            &root_key,
            &root_pem,
            "CN=Registrar,O=Programme",
            &[Role::Registrar],
        );
        let auditor = issuer_under(
            &root_key,
            &root_pem,
            "CN=Auditor,O=Audits",
            &[Role::Auditor],
        );
        let listkeeper = issuer_under(
            &root_key,
            &root_pem,
            "CN=Listkeeper,O=Importer Watch",
            &[Role::Listkeeper],
        );
        let (other_key, other_pem) = root("CN=Untrusted Root,O=Elsewhere");
        let stranger = issuer_under(
            &other_key,
            &other_pem,
            "CN=FV Stranger,O=Elsewhere",
            &[Role::Vessel],
        );
        Pki {
            root_pem,
            vessel,
            processor,
            auditor,
            stranger,
            rival,
            importer,
            registrar,
            rival_auditor,
            listkeeper,
        }
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

/// Build a payload of `kind` from input JSON and sign it (issued at [`ISSUED_AT`]).
pub fn sign(issuer: &Issuer, kind: Kind, input_json: &Value) -> Vec<u8> {
    sign_at(issuer, kind, input_json, ISSUED_AT)
}

/// [`sign`] with another signing time (`issued_at`, RFC 3339).
pub fn sign_at(issuer: &Issuer, kind: Kind, input_json: &Value, issued_at: &str) -> Vec<u8> {
    let bytes = serde_json::to_vec(input_json).unwrap();
    let mut salt = || [7u8; 16];
    let built = input::build(
        kind,
        &bytes,
        ts(issued_at),
        &CodeLists::default(),
        &mut salt,
    )
    .unwrap_or_else(|e| panic!("{kind} input: {e}"));
    cose::sign_payload(&built.payload, &issuer.key, &issuer.chain).unwrap()
}

/// The id of certificate bytes.
pub fn id(bytes: &[u8]) -> CertId {
    CertId::of_cose(bytes)
}

/// A catch of `kg` of yellowfin in lot `lot`, ending fishing at 05:30 on 2 March.
pub fn catch(by: &Issuer, lot: &str, kg: f64) -> Vec<u8> {
    sign(
        by,
        Kind::Catch,
        &json!({
            "time": "2026-03-02T06:00:00Z",
            "vessel_imo": VESSEL_IMO, "fao_area": "71", "gear": "LLD",
            "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
            "outputs": [{"lot": lot, "quantity_kg": kg, "species": "YFT"}],
        }),
    )
}

/// A landing at `time` consuming `in_kg` of `in_lot` of `from`, outputting `out_kg` as `out_lot`.
pub fn landing_at(
    by: &Issuer,
    time: &str,
    from: CertId,
    in_lot: &str,
    in_kg: f64,
    out_lot: &str,
    out_kg: f64,
) -> Vec<u8> {
    sign(
        by,
        Kind::Landing,
        &json!({
            "time": time,
            "port": "IDBIT",
            "inputs": [{"certificate": from.to_string(), "lot": in_lot, "quantity_kg": in_kg}],
            "outputs": [{"lot": out_lot, "quantity_kg": out_kg}],
        }),
    )
}

/// A landing on 3 March.
pub fn landing(
    by: &Issuer,
    from: CertId,
    in_lot: &str,
    in_kg: f64,
    out_lot: &str,
    out_kg: f64,
) -> Vec<u8> {
    landing_at(
        by,
        "2026-03-03T08:00:00Z",
        from,
        in_lot,
        in_kg,
        out_lot,
        out_kg,
    )
}

/// A shipment on 5 March passing on `kg` of `lot` of `from` under the same lot id.
pub fn shipment(by: &Issuer, from: CertId, lot: &str, kg: f64) -> Vec<u8> {
    sign(
        by,
        Kind::Shipment,
        &json!({
            "time": "2026-03-05T10:00:00Z",
            "from": PLANT, "to": IMPORTER,
            "inputs": [{"certificate": from.to_string(), "lot": lot, "quantity_kg": kg}],
            "outputs": [{"lot": lot, "quantity_kg": kg}],
        }),
    )
}

/// A revocation of `target`, effective from 10 March.
pub fn revocation(by: &Issuer, target: CertId, reason: &str) -> Vec<u8> {
    sign(
        by,
        Kind::Revocation,
        &json!({
            "time": "2026-03-10T00:00:00Z",
            "certificate": target.to_string(),
            "reason": reason,
        }),
    )
}

/// A watch list named `name` listing, from 1 January 2026 on, each `(scheme, value)` of
/// `entries` with the reason "forced labour finding".
pub fn watchlist(by: &Issuer, name: &str, entries: &[(&str, &str)]) -> Vec<u8> {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(scheme, value)| {
            json!({"scheme": scheme, "value": value, "reason": "forced labour finding",
                "listed_from": "2026-01-01T00:00:00Z"})
        })
        .collect();
    sign(
        by,
        Kind::Watchlist,
        &json!({"time": "2026-05-01T00:00:00Z", "name": name,
            "source": "CBP withhold release order 2026-17", "entries": entries}),
    )
}

/// The input JSON of a facility attestation of the demo's processing plant
/// ([`catchcert_demo::FACILITY`]) by a third-party audit. The default is the demo chain's
/// (valid February 2026 to February 2027, no ILO indicator); change the fields a test needs.
#[derive(Debug, Clone)]
pub struct FacilityAttestation<'a> {
    /// When the attestation was made.
    pub time: &'a str,
    /// Start of the period it covers.
    pub valid_from: &'a str,
    /// End of the period it covers.
    pub valid_until: &'a str,
    /// The audit's date (`YYYY-MM-DD`).
    pub audit_date: &'a str,
    /// The ILO forced-labour indicators observed.
    pub ilo_indicators: &'a [u8],
}

impl Default for FacilityAttestation<'_> {
    fn default() -> Self {
        FacilityAttestation {
            time: "2026-02-01T09:00:00Z",
            valid_from: "2026-02-01T00:00:00Z",
            valid_until: "2027-02-01T00:00:00Z",
            audit_date: "2026-01-31",
            ilo_indicators: &[],
        }
    }
}

impl FacilityAttestation<'_> {
    /// The input JSON (`catchcert issue facility-attestation`).
    pub fn json(&self) -> Value {
        json!({
            "time": self.time,
            "facility": catchcert_demo::FACILITY,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "audit": {"method": "third_party", "auditor": "Ocean Labour Audits Ltd", "date": self.audit_date},
            "ilo_indicators": self.ilo_indicators,
        })
    }
}

//! Writes the verifier's fixtures: the demo programme's trust root, the demo chain (as
//! `.cose` files and as bundles for its two heads) and one directory per attack, each made
//! by mutating the demo chain once, with the verdict the verifier must reach.
//!
//! ```text
//! cargo xtask fixtures fixtures [--force]
//! ```
//!
//! Keys and certificate serial numbers come from fixed seeds, so every run writes the same
//! bytes: regenerating into `fixtures/` leaves `git status` clean unless the code changed.
//! Existing fixtures are replaced only with `--force` (everything under `trust/`, `demo/`
//! and `cases/` is then written afresh). See
//! `fixtures/README.md` for the layout and the list of cases.

use catchcert_demo::{
    DemoChain, LOINS_RECEIPT, Party, Programme, STEAKS_RECEIPT, Signed, VALID_DAYS, VERIFY_AT,
    crew_attestation_json, demo_chain, payload, seeded_key, sign, sign_payload, t, vessels,
};
use catchcert_model::bundle::Bundle;
use catchcert_model::payload::{CustodyEvent, Details, Input, PayloadParts, Step};
use catchcert_model::{CertId, Grams, Kind, Payload, Role};
use catchcert_sign::{cose, pki};
use catchcert_testkit::certs::FacilityAttestation;
use catchcert_verify::findings::Code;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

mod evidence_cases;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn fail(msg: impl Into<String>) -> Box<dyn std::error::Error> {
    msg.into().into()
}

/// One certificate of a set and the party that signs it again when an id it names changes.
#[derive(Clone)]
struct Entry {
    signed: Signed,
    party: Party,
}

/// A set of certificates, in signing order.
#[derive(Clone)]
struct Set {
    entries: Vec<Entry>,
}

/// Who signs each certificate of the demo chain.
fn demo_signer(name: &str) -> Option<&'static str> {
    let n: u32 = name.get(..2)?.parse().ok()?;
    Some(match n {
        1..=4 => "auditor",
        5 => "vessel-a",
        6 => "vessel-b",
        7..=10 => "carrier",
        11 | 12 => "processor",
        13 | 14 => "importer",
        15 | 16 => "retailer",
        _ => return None,
    })
}

impl Set {
    fn demo(p: &Programme, chain: &DemoChain) -> Res<Self> {
        let mut entries = Vec::new();
        for c in &chain.certs {
            let label =
                demo_signer(&c.name).ok_or_else(|| fail(format!("no signer for {}", c.name)))?;
            entries.push(Entry {
                signed: c.clone(),
                party: p.party(label)?.clone(),
            });
        }
        Ok(Set { entries })
    }

    fn get(&self, name: &str) -> Res<&Entry> {
        self.entries
            .iter()
            .find(|e| e.signed.name == name)
            .ok_or_else(|| fail(format!("no certificate {name}")))
    }

    fn id(&self, name: &str) -> Res<CertId> {
        Ok(self.get(name)?.signed.id)
    }

    fn payload(&self, name: &str) -> Res<Payload> {
        Ok(self.get(name)?.signed.payload.clone())
    }

    fn party(&self, name: &str) -> Res<Party> {
        Ok(self.get(name)?.party.clone())
    }

    fn push(&mut self, signed: Signed, party: &Party) {
        self.entries.push(Entry {
            signed,
            party: party.clone(),
        });
    }

    fn remove(&mut self, name: &str) -> Res<()> {
        let before = self.entries.len();
        self.entries.retain(|e| e.signed.name != name);
        if self.entries.len() == before {
            return Err(fail(format!("no certificate {name} to remove")));
        }
        Ok(())
    }

    /// Put `signed` in the place of the certificate of the same name, then sign again
    /// every certificate that names a changed id (transitively), so that the mutation is
    /// the only defect of the set.
    fn replace(&mut self, signed: Signed, party: &Party) -> Res<()> {
        let pos = self
            .entries
            .iter()
            .position(|e| e.signed.name == signed.name)
            .ok_or_else(|| fail(format!("no certificate {} to replace", signed.name)))?;
        let old = self.entries[pos].signed.id;
        let new = signed.id;
        self.entries[pos] = Entry {
            signed,
            party: party.clone(),
        };
        self.relink(HashMap::from([(old, new)]))
    }

    fn relink(&mut self, mut changed: HashMap<CertId, CertId>) -> Res<()> {
        loop {
            let mut progress = false;
            for i in 0..self.entries.len() {
                let e = &self.entries[i];
                let mut p = e.signed.payload.clone().into_parts();
                if !substitute(&mut p, &changed) {
                    continue;
                }
                let p = p.build()?;
                let old = e.signed.id;
                let signed = sign_payload(&e.signed.name, &e.party, p, None)?;
                changed.insert(old, signed.id);
                self.entries[i].signed = signed;
                progress = true;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// Sign `name` again by its own party after `f` changed its payload.
    fn resign(&mut self, name: &str, f: impl FnOnce(&mut PayloadParts)) -> Res<()> {
        let party = self.party(name)?;
        self.resign_as(name, &party, f)
    }

    /// Sign `name` again by `party` after `f` changed its payload.
    fn resign_as(
        &mut self,
        name: &str,
        party: &Party,
        f: impl FnOnce(&mut PayloadParts),
    ) -> Res<()> {
        let mut p = self.payload(name)?.into_parts();
        f(&mut p);
        let p = p.build()?;
        let signed = sign_payload(name, party, p, None)?;
        self.replace(signed, party)
    }

    /// Replace `name` by a message with these bytes (not necessarily a valid one).
    fn replace_bytes(&mut self, name: &str, bytes: Vec<u8>, payload: Payload) -> Res<()> {
        let party = self.party(name)?;
        let signed = Signed {
            name: name.to_string(),
            id: CertId::of_cose(&bytes),
            bytes,
            payload,
            disclosure: None,
        };
        self.replace(signed, &party)
    }

    /// The head's graph: ancestors through inputs, named attestations, revocations of any.
    fn graph(&self, head: CertId) -> Vec<&Entry> {
        let by_id: HashMap<CertId, &Entry> =
            self.entries.iter().map(|e| (e.signed.id, e)).collect();
        let mut revocations: HashMap<CertId, Vec<CertId>> = HashMap::new();
        for e in &self.entries {
            if let Details::Revocation(r) = e.signed.payload.details() {
                revocations
                    .entry(r.certificate)
                    .or_default()
                    .push(e.signed.id);
            }
        }
        let mut seen = BTreeSet::from([head]);
        let mut queue = VecDeque::from([head]);
        let mut out = Vec::new();
        while let Some(id) = queue.pop_front() {
            let Some(e) = by_id.get(&id) else { continue };
            out.push(*e);
            let p = &e.signed.payload;
            let next = p
                .inputs()
                .iter()
                .map(|i| i.certificate)
                .chain(p.attestations().iter().copied())
                .chain(revocations.get(&id).into_iter().flatten().copied());
            for n in next {
                if seen.insert(n) {
                    queue.push_back(n);
                }
            }
        }
        out
    }
}

/// Replace every id named by the payload that `changed` maps; whether anything changed.
fn substitute(p: &mut PayloadParts, changed: &HashMap<CertId, CertId>) -> bool {
    let mut any = false;
    let mut swap = |id: &mut CertId| {
        if let Some(n) = changed.get(id) {
            *id = *n;
            any = true;
        }
    };
    if let Some(c) = p.custody_mut() {
        for i in &mut c.inputs {
            swap(&mut i.certificate);
        }
        for a in &mut c.attestations {
            swap(a);
        }
    }
    if let Details::Revocation(r) = &mut p.details {
        swap(&mut r.certificate);
    }
    any
}

fn kg(q: f64) -> Grams {
    Grams((q * 1000.0).round() as u64)
}

fn revocation(
    name: &str,
    party: &Party,
    target: CertId,
    time: &str,
    issued_at: &str,
) -> Res<Signed> {
    let reason = "withdrawn after a complaint: the certificate does not reflect what happened";
    let (p, _) = payload(
        name,
        Kind::Revocation,
        &json!({"time": time, "certificate": target.to_string(), "reason": reason}),
        issued_at,
    )?;
    Ok(sign_payload(name, party, p, None)?)
}

/// A party with its own key and a certificate from `issue` under the demo root, valid
/// `not_before` + `days`.
fn party_valid(
    p: &Programme,
    label: &str,
    roles: &[Role],
    not_before: &str,
    days: u32,
) -> Res<Party> {
    let mut q = p.clone();
    let (name, _, _) = vessels::SEA_HARVEST;
    let subject = format!("CN={name},O=Sea Harvest Fishing Co,C=TW");
    Ok(q.add_party(
        &format!("fixtures/{label}"),
        label,
        &subject,
        roles,
        t(not_before),
        days,
    )?
    .clone())
}

/// A vessel party below an intermediate CA that carries `ca_roles`; the leaf carries
/// `leaf_roles` (made with `sign_spec`, which does not refuse role widening).
fn party_below_intermediate(
    p: &Programme,
    label: &str,
    ca_roles: &[Role],
    leaf_roles: &[Role],
) -> Res<Party> {
    let ca_key = seeded_key(&format!("fixtures/{label}/ca"));
    let ca_pem = pki::issue_with_serial(
        &p.root_key,
        &p.root_pem,
        &ca_key.verifying_key(),
        &pki::IssueRequest {
            subject: &format!("CN=Fleet Registry CA ({label}),O=catchcert Demo Programme"),
            roles: ca_roles,
            cert_type: pki::CertType::Ca { path_len: Some(0) },
            not_before: t(catchcert_demo::NOT_BEFORE),
            valid_days: VALID_DAYS,
        },
        Some(catchcert_demo::seeded_serial(&format!(
            "fixtures/{label}/ca"
        ))),
    )?;
    let key = seeded_key(&format!("fixtures/{label}/leaf"));
    let subject = "CN=Sea Harvest 7,O=Sea Harvest Fishing Co,C=TW".to_string();
    let spec = pki::CertSpec {
        subject: subject.clone(),
        roles: Some(leaf_roles.to_vec()),
        cert_type: pki::CertType::Leaf,
        not_before: t(catchcert_demo::NOT_BEFORE),
        not_after: pki::not_after(t(catchcert_demo::NOT_BEFORE), VALID_DAYS)?,
        extra_extensions: Vec::new(),
        serial: Some(catchcert_demo::seeded_serial(&format!(
            "fixtures/{label}/leaf"
        ))),
    };
    let leaf_pem = pki::sign_spec(
        &spec,
        &pki::Ed25519Public::new(&key.verifying_key()),
        Some(&ca_pem),
        &pki::Ed25519Signer::new(&ca_key),
    )?;
    let mut chain = pki::read_pem_chain(&leaf_pem)?;
    chain.extend(pki::read_pem_chain(&ca_pem)?);
    Ok(Party {
        label: label.to_string(),
        subject,
        key,
        cert_pem: leaf_pem,
        chain,
    })
}

/// A Sea Harvest crew attestation with changes to its input JSON.
fn crew_a(p: &Programme, f: impl FnOnce(&mut Value)) -> Res<Signed> {
    let mut j = crew_attestation_json(vessels::SEA_HARVEST, false);
    f(&mut j);
    Ok(sign(
        "01-crew-sea-harvest",
        p.party("auditor")?,
        Kind::CrewAttestation,
        &j,
        "2026-01-15T10:00:00Z",
    )?)
}

/// One bad case: a set, a head and the verdict it must get.
struct Case {
    name: &'static str,
    set: Set,
    /// Files in the set that are not certificates of it (name, bytes).
    extra: Vec<(String, Vec<u8>)>,
    head: CertId,
    integrity: &'static str,
    risk: &'static str,
    /// Codes that must be found.
    codes: Vec<Code>,
    /// Codes that may be found besides (every other code must be absent).
    may: Vec<Code>,
    description: &'static str,
}

const STEAKS: &str = STEAKS_RECEIPT;
const CATCH_A: &str = "05-catch-sea-harvest";
const TRANS_A: &str = "07-transshipment-sea-harvest";
const LANDING_A: &str = "09-landing-sea-harvest-lots";
const PROC_STEAKS: &str = "12-processing-steaks";
/// Findings every loins verdict carries: Blue Horizon 12's captain holds the passports.
const LOINS_RISK: [Code; 2] = [Code::RiskForcedLabourIndicator, Code::RiskCrewConditions];

fn cases(p: &Programme, chain: &DemoChain) -> Res<Vec<Case>> {
    use Code::*;
    let base = Set::demo(p, chain)?;
    let mut out: Vec<Case> = Vec::new();
    let mut add = |name: &'static str,
                   set: Set,
                   extra: Vec<(String, Vec<u8>)>,
                   head_name: &str,
                   integrity: &'static str,
                   risk: &'static str,
                   codes: Vec<Code>,
                   may: Vec<Code>,
                   description: &'static str|
     -> Res<()> {
        let head = set.id(head_name)?;
        out.push(Case {
            name,
            set,
            extra,
            head,
            integrity,
            risk,
            codes,
            may,
            description,
        });
        Ok(())
    };

    // --- signatures and issuers ---
    {
        let mut s = base.clone();
        let e = s.get(CATCH_A)?.clone();
        let mut tampered = e.signed.payload.clone().into_parts();
        if let Some(c) = tampered.custody_mut() {
            c.outputs[1].quantity = kg(350.5);
        }
        let tampered = tampered.build()?;
        let orig = &e.signed.bytes;
        let n = orig.len();
        if n < 66 || orig[n - 66..n - 64] != [0x58, 0x40] {
            return Err(fail(
                "the signature is not the last 64 bytes of the message",
            ));
        }
        let mut bytes = cose::sign_bytes(&tampered.to_cbor(), &e.party.key, &e.party.chain)?;
        let m = bytes.len();
        bytes[m - 64..].copy_from_slice(&orig[n - 64..]);
        s.replace_bytes(CATCH_A, bytes, tampered)?;
        add(
            "tampered_payload",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![SignatureInvalid],
            vec![],
            "The bigeye weight of Sea Harvest 7's catch was edited from 300.5 to 350.5 kg after signing and the old signature kept: an altered document must fail its signature even when every certificate after it names the altered version.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = p.party("vessel-a")?;
        let b = p.party("vessel-b")?;
        let pl = s.payload(CATCH_A)?;
        let bytes = cose::sign_payload(&pl, &a.key, &b.chain)?;
        s.replace_bytes(CATCH_A, bytes, pl)?;
        add(
            "swapped_issuer_chain",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![SignatureInvalid],
            vec![],
            "Sea Harvest 7's catch is signed with its own key but carries Blue Horizon 12's certificate in x5chain: the signature must be checked with the key of the certificate presented, or anyone could borrow another vessel's accreditation.",
        )?;
    }
    {
        let mut s = base.clone();
        let rogue = Programme::with_root(
            "CN=Unaccredited Registry Root,O=Unaccredited Registry",
            "rogue-root",
        )?;
        s.resign_as(CATCH_A, rogue.party("vessel-a")?, |_| {})?;
        add(
            "untrusted_issuer",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerUntrusted],
            vec![],
            "Sea Harvest 7's catch is signed by an issuer certified under another programme's root: a stranger posing as an accredited vessel must not be trusted.",
        )?;
    }
    {
        let mut s = base.clone();
        let expired = party_valid(
            p,
            "vessel-a-expired",
            &[Role::Vessel],
            "2026-01-01T00:00:00Z",
            30,
        )?;
        s.resign_as(CATCH_A, &expired, |_| {})?;
        add(
            "expired_issuer",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerExpired],
            vec![],
            "Sea Harvest 7's catch of March is signed under an issuer certificate valid only 2026-01-01 + 30 days: an accreditation that has lapsed cannot vouch for later events.",
        )?;
    }
    {
        let mut s = base.clone();
        let early = party_valid(
            p,
            "vessel-a-future",
            &[Role::Vessel],
            "2026-06-01T00:00:00Z",
            365,
        )?;
        s.resign_as(CATCH_A, &early, |_| {})?;
        add(
            "not_yet_valid_issuer",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerExpired],
            vec![],
            "Sea Harvest 7's catch of March is signed under an issuer certificate valid only from June 2026: an accreditation granted later cannot cover earlier signing.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign_as(CATCH_A, p.party("importer")?, |_| {})?;
        add(
            "wrong_role",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerRole],
            vec![],
            "An accredited trader signs Sea Harvest 7's catch: only a vessel may certify a catch, so a genuine signature by the wrong kind of party is rejected.",
        )?;
    }
    {
        let mut s = base.clone();
        let fleet = party_below_intermediate(p, "fleet-vessel", &[Role::Vessel], &[Role::Vessel])?;
        s.resign_as(CATCH_A, &fleet, |_| {})?;
        add(
            "intermediate_ca_valid",
            s,
            vec![],
            STEAKS,
            "valid",
            "low",
            vec![],
            vec![],
            "Sea Harvest 7's catch is signed by a vessel certificate issued by an intermediate CA with the vessel role (root, intermediate, leaf; the intermediate travels in x5chain): a sound three-level path is accepted.",
        )?;
    }
    {
        let mut s = base.clone();
        let widened =
            party_below_intermediate(p, "carrier-registry", &[Role::Carrier], &[Role::Vessel])?;
        s.resign_as(CATCH_A, &widened, |_| {})?;
        add(
            "role_widening_intermediate",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerRole],
            vec![],
            "An intermediate CA accredited only for carriers issues a vessel certificate that signs a catch: a CA cannot grant roles it does not hold.",
        )?;
    }
    {
        let mut s = base.clone();
        let self_att = p.party("vessel-a")?;
        let j = crew_attestation_json(vessels::SEA_HARVEST, false);
        let signed = sign(
            "01-crew-sea-harvest",
            self_att,
            Kind::CrewAttestation,
            &j,
            "2026-01-15T10:00:00Z",
        )?;
        s.replace(signed, self_att)?;
        add(
            "self_attestation",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerRole, AttestationMissing],
            vec![],
            "Sea Harvest 7 signs its own crew attestation: only an auditor may attest crew conditions, so the attestation is rejected and the catch counts as unattested.",
        )?;
    }

    // --- links ---
    {
        let mut s = base.clone();
        s.remove(TRANS_A)?;
        add(
            "missing_input",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkMissing],
            vec![],
            "The landing names the at-sea transshipment it consumes, but that certificate is not in the set: an unbroken chain back to the catch is required.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(PROC_STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                c.inputs[0].lot = "THPKT-L-0320-BET-X".into();
            }
        })?;
        add(
            "wrong_lot",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkLot],
            vec![],
            "The steaks processing consumes lot THPKT-L-0320-BET-X of the landing, which the landing does not output: an input must point at a lot that exists.",
        )?;
    }
    {
        let mut s = base.clone();
        let garbage: Vec<u8> = b"this is not a COSE_Sign1 message\n".repeat(4);
        let gid = CertId::of_cose(&garbage);
        s.resign(LANDING_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.inputs.push(Input {
                    certificate: gid,
                    lot: "PR3-2026-03-YFT-C".into(),
                    quantity: kg(50.0),
                });
            }
        })?;
        let extra = vec![("08a-garbage".to_string(), garbage)];
        add(
            "malformed_message",
            s,
            extra,
            STEAKS,
            "invalid",
            "unknown",
            vec![SignatureInvalid],
            vec![],
            "The landing also consumes a lot from a file in the set that holds garbage bytes instead of a certificate: an input that cannot be verified breaks the chain.",
        )?;
    }
    {
        let mut s = base.clone();
        let e = s.get(CATCH_A)?.clone();
        let cbor = e.signed.payload.to_cbor();
        let pat = [0x61, b'v', 0x01];
        let at = cbor
            .windows(3)
            .position(|w| w == pat)
            .ok_or_else(|| fail("no \"v\": 1 in the payload"))?;
        let mut bad = cbor[..at + 2].to_vec();
        bad.extend([0x18, 0x01]);
        bad.extend(&cbor[at + 3..]);
        let bytes = cose::sign_bytes(&bad, &e.party.key, &e.party.chain)?;
        s.replace_bytes(CATCH_A, bytes, e.signed.payload.clone())?;
        add(
            "non_deterministic_payload",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![SignatureInvalid],
            vec![],
            "Sea Harvest 7's catch payload encodes the version 1 as a two-byte integer and is properly signed: only deterministic CBOR is accepted, so one payload cannot have two ids.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(STEAKS, |p| {
            p.time = t("2026-12-05T07:00:00Z");
            p.issued_at = t("2026-12-05T07:30:00Z");
        })?;
        add(
            "head_issued_after_at",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkMissing],
            vec![],
            "The steaks receipt was issued on 2026-12-05, after the verification time: verifying as of a past date must ignore certificates that did not exist then.",
        )?;
    }

    // --- time ---
    {
        let mut s = base.clone();
        s.resign(LANDING_A, |p| p.time = t("2026-03-04T12:00:00Z"))?;
        add(
            "backdated_landing",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![TimeOrder],
            vec![],
            "The landing at Phuket is dated 2026-03-04, before the at-sea transshipment (2026-03-05) it consumes: fish cannot be landed before it was transferred.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(CATCH_A, |p| p.time = t("2026-03-02T05:00:00Z"))?;
        add(
            "catch_time_before_catch_end",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![TimeOrder],
            vec![],
            "Sea Harvest 7's catch is recorded at 05:00, before fishing ended at 05:30: a catch is certified when fishing ends.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(CATCH_A, |p| {
            if let Details::Custody(CustodyEvent {
                step: Step::Catch(c),
                ..
            }) = &mut p.details
            {
                c.catch_start = t("2026-03-02T05:45:00Z");
            }
        })?;
        add(
            "catch_start_after_catch_end",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![TimeOrder],
            vec![],
            "Sea Harvest 7's fishing period starts after it ends: an impossible period would let a catch claim any attestation window.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(PROC_STEAKS, |p| p.issued_at = t("2026-03-26T09:00:00Z"))?;
        add(
            "event_after_issued_at",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![TimeOrder],
            vec![],
            "The steaks processing at 10:00 was signed at 09:00: a certificate cannot record an event that had not happened when it was signed.",
        )?;
    }

    // --- mass balance ---
    {
        let mut s = base.clone();
        let loins = s.get("11-processing-loins")?.signed.clone();
        let processor = p.party("processor")?;
        let resale = sign(
            "13a-shipment-loins-resold",
            processor,
            Kind::Shipment,
            &json!({
                "time": "2026-04-02T10:00:00Z",
                "from": "Andaman Loins Co Ltd", "to": "Baltic Fish Trading",
                "inputs": [{"certificate": loins.id.to_string(), "lot": "ALP-LOINS-2026-0325", "quantity_kg": 1140.0}],
                "outputs": [{"lot": "BFT-2026-0402-LOINS", "quantity_kg": 1140.0, "species": "YFT", "product": "yellowfin tuna loins, frozen"}]
            }),
            "2026-04-02T10:30:00Z",
        )?;
        s.push(resale, processor);
        let mut codes = vec![MassBalanceExceeded];
        codes.extend(LOINS_RISK);
        add(
            "double_sale",
            s,
            vec![],
            "13-shipment-loins",
            "invalid",
            "high",
            codes,
            vec![],
            "The processor ships the whole 1140 kg loins lot to two buyers; both shipments are in the set: the same fish sold twice must show as consumed twice over.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(PROC_STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                c.outputs[0].quantity = kg(350.0);
            }
        })?;
        add(
            "processing_yield_over_100",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![MassBalanceExceeded],
            vec![],
            "Processing turns 300.5 kg of bigeye into 350 kg of steaks: a yield over 100 % means fish from elsewhere entered the lot.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(TRANS_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.inputs[1].quantity = kg(400.0);
                c.outputs[1].quantity = kg(400.0);
            }
        })?;
        add(
            "overconsumption",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![MassBalanceExceeded],
            vec![],
            "The reefer takes 400 kg of bigeye from a catch that output 300.5 kg: more cannot be consumed of a lot than was produced.",
        )?;
    }

    // --- revocation ---
    {
        let mut s = base.clone();
        let auditor = p.party("auditor")?;
        let r = revocation(
            "17-revocation-crew-sea-harvest",
            auditor,
            s.id("01-crew-sea-harvest")?,
            "2026-03-01T00:00:00Z",
            "2026-05-10T10:00:00Z",
        )?;
        s.push(r, auditor);
        add(
            "revoked_attestation",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationRevoked],
            vec![],
            "The auditor revokes Sea Harvest 7's crew attestation with effect from 2026-03-01, before fishing ended: the catch loses its evidence and its lots become unknown risk.",
        )?;
    }
    {
        let mut s = base.clone();
        let auditor = p.party("auditor")?;
        let r = revocation(
            "17-revocation-landing",
            auditor,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, auditor);
        add(
            "revoked_landing",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![CertificateRevoked],
            vec![],
            "The auditor revokes the landing at Phuket: every lot that came through a revoked custody certificate is tainted.",
        )?;
    }
    {
        let mut s = base.clone();
        let retailer = p.party("retailer")?;
        let r = revocation(
            "17-revocation-landing-by-retailer",
            retailer,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, retailer);
        add(
            "revocation_by_stranger",
            s,
            vec![],
            STEAKS,
            "valid",
            "low",
            vec![RevocationIgnored],
            vec![],
            "The retailer revokes a landing it did not sign: a party may only revoke its own certificates unless it is an auditor, so the revocation is ignored; it must not let a stranger invalidate someone else's chain either.",
        )?;
    }
    {
        let mut s = base.clone();
        let rogue = Programme::with_root(
            "CN=Unaccredited Registry Root,O=Unaccredited Registry",
            "rogue-root",
        )?;
        let auditor = rogue.party("auditor")?;
        let r = revocation(
            "17-revocation-landing-by-rogue-auditor",
            auditor,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, auditor);
        add(
            "revocation_untrusted_root",
            s,
            vec![],
            STEAKS,
            "valid",
            "low",
            vec![RevocationIgnored],
            vec![],
            "An \"auditor\" certified under another programme's root revokes the landing: a revocation that does not verify has no effect, so anyone able to drop a file into a bundle cannot withdraw or invalidate a chain.",
        )?;
    }
    {
        let mut s = base.clone();
        let carrier = p.party("carrier")?;
        let r = revocation(
            "17-revocation-landing-by-carrier",
            carrier,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, carrier);
        add(
            "self_revocation",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![CertificateRevoked],
            vec![],
            "The carrier revokes its own landing: any issuer may withdraw what it signed, and the lots from it are then tainted.",
        )?;
    }

    // --- attestations ---
    {
        let mut s = base.clone();
        let a = crew_a(p, |j| j["valid_until"] = json!("2026-02-28T00:00:00Z"))?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "expired_attestation",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationExpired],
            vec![],
            "Sea Harvest 7's crew attestation ends on 2026-02-28 but the catch was made in March: evidence must cover the fishing period.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(CATCH_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.attestations.clear();
            }
        })?;
        s.remove("01-crew-sea-harvest")?;
        add(
            "missing_attestation",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationMissing],
            vec![],
            "Sea Harvest 7's catch names no crew attestation and the set holds none of its vessel: a catch without labour evidence is unknown risk, never low.",
        )?;
    }
    {
        let mut s = base.clone();
        let b = s.id("02-crew-blue-horizon")?;
        s.resign(CATCH_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.attestations = vec![b];
            }
        })?;
        s.remove("01-crew-sea-harvest")?;
        add(
            "attestation_wrong_vessel",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationMissing],
            vec![],
            "Sea Harvest 7's catch names Blue Horizon 12's crew attestation instead of its own, and its own is not in the set: an attestation only covers the vessel it names.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(PROC_STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                c.attestations.clear();
            }
        })?;
        s.remove("04-facility-andaman")?;
        add(
            "missing_facility_attestation",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationMissing],
            vec![],
            "The steaks processing names no facility attestation and the set holds none of the plant: processing plants need labour evidence too.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = crew_a(p, |j| {
            j["rest_hours"]["min_per_24h"] = json!(8);
            j["crew"][0]["recruitment_fee_paid"] = json!(true);
        })?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "crew_conditions",
            s,
            vec![],
            STEAKS,
            "valid",
            "medium",
            vec![RiskCrewConditions],
            vec![],
            "Sea Harvest 7's attestation records 8 h of rest in 24 h and one crew member who paid a recruitment fee: C188 shortfalls make the lots medium risk.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = crew_a(p, |j| j["ilo_indicators"] = json!([9]))?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "forced_labour",
            s,
            vec![],
            STEAKS,
            "valid",
            "high",
            vec![RiskForcedLabourIndicator],
            vec![],
            "Sea Harvest 7's attestation records ILO indicator 9 (debt bondage): any observed forced-labour indicator makes every lot from the catch high risk.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = crew_a(p, |j| j["audit"]["method"] = json!("internal"))?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "weak_audit_internal",
            s,
            vec![],
            STEAKS,
            "valid",
            "medium",
            vec![AttestationWeakAudit],
            vec![],
            "Sea Harvest 7's attestation rests on an internal audit only: weaker evidence makes the lots medium risk.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = crew_a(p, |j| j["audit"]["method"] = json!("none"))?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "self_declared_audit",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![AttestationWeakAudit],
            vec![],
            "Sea Harvest 7's attestation rests on no audit at all: a self-declaration is no evidence, so the lots are unknown risk.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(TRANS_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.attestations.clear();
            }
        })?;
        s.remove("03-crew-pacific-reefer")?;
        add(
            "transshipment_at_sea_unattested",
            s,
            vec![],
            STEAKS,
            "valid",
            "unknown",
            vec![RiskTransshipmentAtSea],
            vec![],
            "The catch is moved at sea to a reefer whose crew no attestation covers: at-sea transfers to unaudited vessels hide where the fish came from and who worked on it.",
        )?;
    }
    {
        let mut s = base.clone();
        let a = sign(
            "04-facility-andaman",
            p.party("auditor")?,
            Kind::FacilityAttestation,
            &FacilityAttestation {
                ilo_indicators: &[4],
                ..Default::default()
            }
            .json(),
            "2026-02-01T10:00:00Z",
        )?;
        s.replace(a, p.party("auditor")?)?;
        add(
            "facility_forced_labour",
            s,
            vec![],
            STEAKS,
            "valid",
            "high",
            vec![RiskForcedLabourIndicator],
            vec![],
            "The processing plant's attestation records ILO indicator 4 (isolation): forced labour on shore taints the product as much as at sea.",
        )?;
    }
    {
        // Blue Horizon 12 (ILO indicator 7) lands 60 kg of bigeye, which the steaks
        // processing mixes into Sea Harvest 7's clean bigeye.
        let mut s = base.clone();
        let vb = p.party("vessel-b")?;
        let catch = sign(
            "06a-catch-blue-horizon-bet",
            vb,
            Kind::Catch,
            &json!({
                "time": "2026-03-04T07:00:00Z",
                "vessel_imo": vessels::BLUE_HORIZON.1, "fao_area": "71", "gear": "LLD",
                "catch_start": "2026-03-03T08:00:00Z", "catch_end": "2026-03-04T06:00:00Z",
                "outputs": [{"lot": "BH12-2026-03-BET", "quantity_kg": 60.0, "species": "BET"}],
                "attestations": [s.id("02-crew-blue-horizon")?.to_string()]
            }),
            "2026-03-04T07:10:00Z",
        )?;
        let landing = sign(
            "10a-landing-blue-horizon-bet",
            vb,
            Kind::Landing,
            &json!({
                "time": "2026-03-21T02:00:00Z",
                "port": "THPKT",
                "inputs": [{"certificate": catch.id.to_string(), "lot": "BH12-2026-03-BET", "quantity_kg": 60.0}],
                "outputs": [{"lot": "THPKT-L-0321-BET-B", "quantity_kg": 60.0, "species": "BET"}]
            }),
            "2026-03-21T02:30:00Z",
        )?;
        let landing_id = landing.id;
        s.push(catch, vb);
        s.push(landing, vb);
        s.resign(PROC_STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                c.inputs.push(Input {
                    certificate: landing_id,
                    lot: "THPKT-L-0321-BET-B".into(),
                    quantity: kg(60.0),
                });
            }
        })?;
        add(
            "laundering",
            s,
            vec![],
            STEAKS,
            "valid",
            "high",
            vec![RiskForcedLabourIndicator, RiskCrewConditions],
            vec![],
            "60 kg of bigeye from Blue Horizon 12, whose captain holds the crew's passports, is mixed into 300.5 kg of clean bigeye: commingling never dilutes risk, so the steaks are high risk.",
        )?;
    }
    Ok(out)
}

fn write(path: &Path, bytes: &[u8]) -> Res<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn write_json(path: &Path, v: &Value) -> Res<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    write(path, s.as_bytes())
}

fn code_names(codes: &[Code]) -> Vec<&'static str> {
    codes.iter().map(|c| c.as_str()).collect()
}

/// Every code not required and not allowed.
fn absent(codes: &[Code], may: &[Code]) -> Vec<Code> {
    Code::ALL
        .into_iter()
        .filter(|c| !codes.contains(c) && !may.contains(c))
        .collect()
}

fn expected(
    head: CertId,
    integrity: &str,
    risk: &str,
    codes: &[Code],
    may: &[Code],
    description: &str,
) -> Value {
    json!({
        "head": head.to_string(),
        "at": VERIFY_AT,
        "integrity": integrity,
        "risk": risk,
        "codes": code_names(codes),
        "absent": code_names(&absent(codes, may)),
        "description": description,
    })
}

/// Write every fixture into `dir` (refusing to replace existing ones without `force`).
pub fn run(dir: &Path, force: bool) -> Res<()> {
    let parts = ["trust", "demo", "cases"];
    if parts.iter().any(|p| dir.join(p).exists()) {
        if !force {
            return Err(fail(format!(
                "{} already holds fixtures; pass --force to write them all afresh",
                dir.display()
            )));
        }
        for p in parts {
            let d = dir.join(p);
            if d.exists() {
                std::fs::remove_dir_all(&d)?;
            }
        }
    }

    let p = Programme::new()?;
    let chain = demo_chain(&p)?;
    write(&dir.join("trust/root.pem"), p.root_pem.as_bytes())?;

    // The demo chain, its two bundles and their verdicts.
    let demo = Set::demo(&p, &chain)?;
    for e in &demo.entries {
        write(
            &dir.join(format!("demo/{}.cose", e.signed.name)),
            &e.signed.bytes,
        )?;
    }
    for (label, head_name, risk, codes, count, description) in [
        (
            "loins",
            LOINS_RECEIPT,
            "high",
            LOINS_RISK.to_vec(),
            13,
            "The yellowfin loins at the retailer: a sound chain, high risk because Blue Horizon 12's captain holds the crew's passports (ILO indicator 7) and its fish is commingled into the loins.",
        ),
        (
            "steaks",
            STEAKS_RECEIPT,
            "low",
            vec![],
            9,
            "The bigeye steaks at the retailer: a sound chain from Sea Harvest 7 only, every step attested, no findings.",
        ),
    ] {
        let head = demo.id(head_name)?;
        let graph = demo.graph(head);
        let certs: Vec<Vec<u8>> = graph.iter().map(|e| e.signed.bytes.clone()).collect();
        let mut issuers: Vec<Vec<u8>> = graph.iter().flat_map(|e| e.party.chain.clone()).collect();
        issuers.sort();
        issuers.dedup();
        if certs.len() != count {
            return Err(fail(format!(
                "{label}: graph of {} certificates, expected {count}",
                certs.len()
            )));
        }
        let bundle = Bundle::new(head, certs, issuers);
        write(
            &dir.join(format!("demo/{label}.bundle")),
            &bundle.to_bytes(),
        )?;
        let mut v = expected(head, "valid", risk, &codes, &[], description);
        v["bundle"] = json!(format!("{label}.bundle"));
        v["certificates"] = json!(count);
        write_json(&dir.join(format!("demo/{label}.expected.json")), &v)?;
    }

    // The evidence cases, numbered from 60 (written after the others below).
    let evidence = evidence_cases::cases(&p, &chain)?;
    // The bad cases.
    let cases = cases(&p, &chain)?;
    let mut names = BTreeMap::new();
    for (k, c) in cases.iter().enumerate() {
        let d = dir.join(format!("cases/{:02}_{}", k + 1, c.name));
        if names.insert(c.name, ()).is_some() {
            return Err(fail(format!("case {} twice", c.name)));
        }
        for e in &c.set.entries {
            write(&d.join(format!("{}.cose", e.signed.name)), &e.signed.bytes)?;
        }
        for (name, bytes) in &c.extra {
            write(&d.join(format!("{name}.cose")), bytes)?;
        }
        write_json(
            &d.join("expected.json"),
            &expected(c.head, c.integrity, c.risk, &c.codes, &c.may, c.description),
        )?;
    }
    for (k, c) in evidence.iter().enumerate() {
        let d = dir.join(format!("cases/{:02}_{}", evidence_cases::FIRST + k, c.name));
        if names.insert(c.name, ()).is_some() {
            return Err(fail(format!("case {} twice", c.name)));
        }
        for e in &c.set.entries {
            write(&d.join(format!("{}.cose", e.signed.name)), &e.signed.bytes)?;
        }
        write_json(
            &d.join("expected.json"),
            &expected(c.head, c.integrity, c.risk, &c.codes, &c.may, c.description),
        )?;
    }
    println!(
        "wrote {}: trust root, demo chain ({} certificates, 2 bundles) and {} cases",
        dir.display(),
        demo.entries.len(),
        cases.len() + evidence.len()
    );
    Ok(())
}

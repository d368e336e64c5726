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
    crew_attestation_json, demo_chain, payload, seeded_key, sign, sign_payload, t, vessel_bindings,
    vessels,
};
use catchcert_model::bindings_ext::BindingsExt;
use catchcert_model::bundle::Bundle;
use catchcert_model::payload::{CustodyEvent, Details, Input, PayloadParts, Step};
use catchcert_model::{CertId, Grams, Kind, Payload, Role};
use catchcert_sign::{cose, pki};
use catchcert_testkit::certs::FacilityAttestation;
use catchcert_verify::findings::Code;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::Path;

mod epcis_cases;
mod evidence_cases;
mod log_cases;
mod watchlist_cases;

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

/// A Sea Harvest 7 party (bound to its IMO number, as the demo's) with its own key and a
/// certificate from `issue` under the demo root, valid `not_before` + `days`.
fn party_valid(
    p: &Programme,
    label: &str,
    roles: &[Role],
    not_before: &str,
    days: u32,
) -> Res<Party> {
    let mut q = p.clone();
    let (name, imo, _) = vessels::SEA_HARVEST;
    let subject = format!("CN={name},O=Sea Harvest Fishing Co,C=TW");
    Ok(q.add_bound_party(
        &format!("fixtures/{label}"),
        label,
        &subject,
        roles,
        &vessel_bindings(&[imo]),
        t(not_before),
        days,
    )?
    .clone())
}

/// Another accredited party of the demo programme (its own seeded key and serial).
fn extra_party(
    p: &Programme,
    label: &str,
    subject: &str,
    roles: &[Role],
    bindings: &BindingsExt,
) -> Res<Party> {
    let mut q = p.clone();
    Ok(q.add_bound_party(
        &format!("fixtures/{label}"),
        label,
        subject,
        roles,
        bindings,
        t(catchcert_demo::NOT_BEFORE),
        VALID_DAYS,
    )?
    .clone())
}

/// A vessel party below an intermediate CA that carries `ca_roles` (and no bindings); the
/// leaf carries `leaf_roles` and is bound to Sea Harvest 7's IMO number (made with
/// `sign_spec`, which does not refuse role widening).
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
        extra_extensions: vec![pki::bindings_extension(&vessel_bindings(&[
            vessels::SEA_HARVEST.1,
        ]))],
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
            vec![IssuerScope],
            "An accredited trader signs Sea Harvest 7's catch: only a vessel may certify a catch, so a genuine signature by the wrong kind of party is rejected. (The trader is not bound to Sea Harvest 7's IMO number either; a verifier may also report issuer.scope, or judge the bindings of sound certificates only.)",
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
        let registrar = p.party("registrar")?;
        let r = revocation(
            "17-revocation-landing",
            registrar,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, registrar);
        add(
            "revoked_landing",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![CertificateRevoked],
            vec![],
            "The programme's registrar revokes the landing at Phuket, which it did not sign: a registrar may withdraw any certificate, and every lot that came through a revoked custody certificate is tainted.",
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
            "The retailer revokes a landing it did not sign: only the certificate's own issuer or a registrar may revoke it, so the revocation is ignored; a stranger must not be able to invalidate someone else's chain.",
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

    // --- who may speak for what (contract §2 bindings, §4 issuer.scope) ---
    {
        let mut s = base.clone();
        s.resign_as(CATCH_A, p.party("vessel-b")?, |_| {})?;
        add(
            "scope_catch_for_another_vessel",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerScope],
            vec![],
            "Blue Horizon 12's accredited vessel key (the vessel whose captain holds the crew's passports) signs a catch naming Sea Harvest 7's IMO number and Sea Harvest 7's clean crew attestation: every signature, path and link verifies, but the key is bound only to IMO9176187, so the catch speaks for a vessel its issuer does not speak for and launders nothing. Truthful variant: the demo's catch, signed by Sea Harvest 7's own key.",
        )?;
    }
    {
        let mut s = base.clone();
        let other = ("Southern Reefer 5", "IMO9395044", "PAN");
        let auditor = p.party("auditor")?;
        let att = sign(
            "03a-crew-southern-reefer",
            auditor,
            Kind::CrewAttestation,
            &crew_attestation_json(other, false),
            "2026-01-18T10:00:00Z",
        )?;
        let att_id = att.id;
        s.push(att, auditor);
        s.resign(TRANS_A, |p| {
            if let Some(c) = p.custody_mut() {
                if let Step::Transshipment(t) = &mut c.step {
                    t.to_vessel_imo = other.1.to_string();
                }
                c.attestations = vec![att_id];
            }
        })?;
        add(
            "scope_reefer_names_another_reefer",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerScope],
            vec![],
            "Pacific Reefer 3's carrier key signs the at-sea transshipment of Sea Harvest 7's catch naming another, audited reefer (Southern Reefer 5, whose clean crew attestation is in the set) as the receiving vessel: a transshipment must be signed by one of its two vessels, and the landing the carrier then signs lands lots that, by its own transshipment, Southern Reefer 5 holds. Both are issuer.scope. Truthful variant: the demo's transshipment to Pacific Reefer 3, the carrier's own vessel.",
        )?;
    }
    {
        let mut s = base.clone();
        let plant = "Siam Tuna Plant 2, Songkhla";
        let auditor = p.party("auditor")?;
        let mut j = FacilityAttestation::default().json();
        j["facility"] = json!(plant);
        let att = sign(
            "04a-facility-siam-tuna",
            auditor,
            Kind::FacilityAttestation,
            &j,
            "2026-02-02T10:00:00Z",
        )?;
        let att_id = att.id;
        s.push(att, auditor);
        s.resign(PROC_STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                if let Step::Processing { facility } = &mut c.step {
                    *facility = plant.to_string();
                }
                c.attestations = vec![att_id];
            }
        })?;
        add(
            "scope_processor_names_another_plant",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![IssuerScope],
            vec![],
            "Andaman Loins signs the steaks processing naming another company's plant (Siam Tuna Plant 2, Songkhla) and that plant's clean facility attestation: the processor is bound only to its own facility, so it cannot borrow another plant's audit. Truthful variant: the demo's processing at Andaman Loins Plant 1, Phuket.",
        )?;
    }

    // --- custody, species and lot lineage (contract §4 link.custody, link.species, link.lot_conflict) ---
    {
        let mut s = base.clone();
        s.resign(TRANS_A, |p| {
            if let Some(c) = p.custody_mut()
                && let Step::Transshipment(t) = &mut c.step
            {
                t.from_vessel_imo = vessels::BLUE_HORIZON.1.to_string();
            }
        })?;
        add(
            "custody_transshipment_from_another_vessel",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkCustody],
            vec![],
            "The reefer's transshipment consumes Sea Harvest 7's catch but names Blue Horizon 12 as the vessel it takes the fish from: the lots of a catch are held by the catching vessel, so a transshipment's from_vessel_imo must be that vessel. Truthful variant: the demo's transshipment from IMO9074729.",
        )?;
    }
    {
        let mut s = base.clone();
        let trader = extra_party(
            p,
            "baltic-trader",
            "CN=Baltic Fish Trading,O=Baltic Fish Trading OU,C=EE",
            &[Role::Trader],
            &BindingsExt::default(),
        )?;
        let shipment = sign(
            "17-shipment-steaks-by-stranger",
            &trader,
            Kind::Shipment,
            &json!({
                "time": "2026-04-15T08:00:00Z",
                "from": "Baltic Fish Trading OU", "to": "Riga Seafood Wholesale",
                "inputs": [{"certificate": s.id(STEAKS)?.to_string(), "lot": catchcert_demo::STEAKS_LOT, "quantity_kg": 180.25}],
                "outputs": [{"lot": "BFT-2026-0415-BET", "quantity_kg": 180.25, "species": "BET", "product": "bigeye tuna steaks, frozen"}]
            }),
            "2026-04-15T09:00:00Z",
        )?;
        s.push(shipment, &trader);
        add(
            "custody_unrelated_trader",
            s,
            vec![],
            "17-shipment-steaks-by-stranger",
            "invalid",
            "unknown",
            vec![LinkCustody],
            vec![],
            "An accredited but unrelated trader (Baltic Fish Trading OU) ships on, in its own name, the steaks lot that FreshMart Stores received: the lot is held by the receipt's `to`, FreshMart Stores, and a shipment's `from` must be the holder. Truthful variant: the demo's receipt, `from` the importer that holds the shipped lot.",
        )?;
    }
    {
        let mut s = base.clone();
        s.resign(LANDING_A, |p| {
            if let Some(c) = p.custody_mut() {
                c.outputs[1].species = Some("YFT".into());
            }
        })?;
        add(
            "species_changed_at_landing",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkSpecies],
            vec![],
            "The landing at Phuket turns the transshipped bigeye lot into yellowfin (species BET in, YFT out): species pass unchanged through every step, so the landing's output carries a species none of its inputs carries; the steaks processing then outputs bigeye from a lot that says yellowfin, the same finding. Truthful variant: the demo's landing, bigeye in and bigeye out.",
        )?;
    }
    {
        let mut s = base.clone();
        let e = s.get(CATCH_A)?.clone();
        let mut again = e.signed.payload.clone().into_parts();
        again.issued_at = t("2026-03-02T07:05:00Z");
        let again = sign_payload(
            "05a-catch-sea-harvest-again",
            &e.party,
            again.build()?,
            None,
        )?;
        s.push(again, &e.party);
        add(
            "lot_conflict_catch_signed_twice",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkLotConflict],
            vec![],
            "Sea Harvest 7 signs the same catch a second time an hour later (a new id, the same lots SH7-2026-03-YFT and SH7-2026-03-BET), and both are in the set: one event signed twice could be sold twice, so each lot id must have one lineage. Truthful variant: the demo's one catch.",
        )?;
    }
    {
        let mut s = base.clone();
        let first = s.get(CATCH_A)?.clone();
        let vessel_a = first.party.clone();
        let r = revocation(
            "05b-revocation-catch-sea-harvest",
            &vessel_a,
            first.signed.id,
            "2026-03-02T07:00:00Z",
            "2026-03-02T07:05:00Z",
        )?;
        s.resign(CATCH_A, |p| p.issued_at = t("2026-03-02T08:00:00Z"))?;
        let mut revoked = first.signed.clone();
        revoked.name = "05a-catch-sea-harvest-revoked".into();
        s.push(revoked, &vessel_a);
        s.push(r, &vessel_a);
        add(
            "lot_conflict_revoked_catch_resigned",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkLotConflict],
            vec![],
            "Sea Harvest 7 revokes its catch and signs the same catch again under a new id, which the rest of the chain then names: the revoked catch and its revocation are in the set, and the re-signed catch is a second lineage of the revoked catch's lot ids, so a withdrawal cannot be undone by signing again. Truthful variant: the demo's chain, or the revoked catch itself (certificate.revoked, as in self_revocation).",
        )?;
    }
    {
        let mut s = base.clone();
        let reused = "NSI-2026-0402-LOINS";
        s.resign("14-shipment-steaks", |p| {
            if let Some(c) = p.custody_mut() {
                c.outputs[0].lot = reused.into();
            }
        })?;
        s.resign(STEAKS, |p| {
            if let Some(c) = p.custody_mut() {
                c.inputs[0].lot = reused.into();
            }
        })?;
        add(
            "lot_conflict_lot_id_reused",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![LinkLotConflict],
            vec![],
            "The importer's clean steaks shipment outputs its lot under the id of the high-risk loins lot (NSI-2026-0402-LOINS), so that a verdict looked up by lot id could find the clean one: a lot id may have only one lineage, and a second certificate that first outputs it is a conflict. Truthful variant: the demo's shipment with its own lot id NSI-2026-0402-BET.",
        )?;
    }

    // --- revocation scope (contract §2: own issuer or registrar) ---
    {
        let mut s = base.clone();
        let rival = extra_party(
            p,
            "rival-auditor",
            "CN=Coral Audit Services,O=Coral Audit Services Pte Ltd,C=SG",
            &[Role::Auditor],
            &BindingsExt::default(),
        )?;
        let r = revocation(
            "17-revocation-crew-blue-horizon-by-rival",
            &rival,
            s.id("02-crew-blue-horizon")?,
            "2026-03-01T00:00:00Z",
            "2026-05-10T10:00:00Z",
        )?;
        s.push(r, &rival);
        let mut codes = vec![RevocationIgnored];
        codes.extend(LOINS_RISK);
        add(
            "revocation_by_rival_auditor",
            s,
            vec![],
            LOINS_RECEIPT,
            "valid",
            "high",
            codes,
            vec![],
            "A rival auditor (Coral Audit Services) revokes Ocean Labour Audits' crew attestation of Blue Horizon 12, the one recording ILO indicator 7: an auditor withdraws its own attestations, not a competitor's, so the revocation is ignored and the loins stay high risk. Truthful variant: registrar_revokes_attestation.",
        )?;
    }

    // --- time (contract §4 time.order on issued_at of named certificates) ---
    {
        let mut s = base.clone();
        let auditor = p.party("auditor")?;
        let att = sign(
            "01-crew-sea-harvest",
            auditor,
            Kind::CrewAttestation,
            &crew_attestation_json(vessels::SEA_HARVEST, false),
            "2026-03-10T10:00:00Z",
        )?;
        s.replace(att, auditor)?;
        add(
            "catch_issued_before_attestation",
            s,
            vec![],
            STEAKS,
            "invalid",
            "unknown",
            vec![TimeOrder],
            vec![],
            "Sea Harvest 7's catch, signed on 2026-03-02, names a crew attestation signed on 2026-03-10 (it covers January to July, so its validity is fine): naming by hash proves the named certificate existed first, so the catch's issued_at cannot precede the attestation's; evidence made after the fact is a backdating. Truthful variant: the demo's attestation, signed in January.",
        )?;
    }

    // --- revocation scope, truthful variants ---
    {
        let mut s = base.clone();
        let registrar = p.party("registrar")?;
        let r = revocation(
            "17-revocation-crew-blue-horizon-by-registrar",
            registrar,
            s.id("02-crew-blue-horizon")?,
            "2026-03-01T00:00:00Z",
            "2026-05-10T10:00:00Z",
        )?;
        s.push(r, registrar);
        add(
            "registrar_revokes_attestation",
            s,
            vec![],
            LOINS_RECEIPT,
            "valid",
            "unknown",
            vec![AttestationRevoked],
            vec![],
            "The programme's registrar withdraws Blue Horizon 12's crew attestation (signed by Ocean Labour Audits) with effect from 2026-03-01: a registrar may revoke any certificate, so the attestation no longer counts and Blue Horizon 12's catch, with no evidence left, makes the loins unknown risk (never low). The same revocation by a rival auditor is ignored (revocation_by_rival_auditor).",
        )?;
    }
    {
        let mut s = base.clone();
        let auditor = p.party("auditor")?;
        let r = revocation(
            "17-revocation-landing-by-auditor",
            auditor,
            s.id(LANDING_A)?,
            "2026-05-01T00:00:00Z",
            "2026-05-01T09:00:00Z",
        )?;
        s.push(r, auditor);
        add(
            "revocation_by_auditor_of_landing",
            s,
            vec![],
            STEAKS,
            "valid",
            "low",
            vec![RevocationIgnored],
            vec![],
            "The auditor revokes the landing at Phuket, which the carrier signed: an auditor may withdraw its own attestations but not another issuer's certificate, so the revocation is ignored and the steaks stay low risk. Truthful variant: revoked_landing (the registrar) and self_revocation (the carrier itself).",
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

/// The codes only a watch list given to the verifier can produce: absent by construction
/// from a case without lists, so only the watch-list cases list them.
const WATCHLIST_CODES: [Code; 2] = [Code::RiskWatchlist, Code::WatchlistIgnored];

/// The codes only a log key given to the verifier (`verify --log-key`) can produce: only the
/// log cases (80 and up) give one, so only they list them as absent.
const LOG_CODES: [Code; 4] = [
    Code::LogMissing,
    Code::LogProofInvalid,
    Code::LogCheckpointInvalid,
    Code::LogWitness,
];

/// Every code not required and not allowed (the watch-list codes only when `lists`; never
/// the log codes).
fn absent(codes: &[Code], may: &[Code], lists: bool) -> Vec<Code> {
    Code::ALL
        .into_iter()
        .filter(|c| !codes.contains(c) && !may.contains(c))
        .filter(|c| lists || !WATCHLIST_CODES.contains(c))
        .filter(|c| !LOG_CODES.contains(c))
        .collect()
}

fn expected(
    head: CertId,
    integrity: &str,
    risk: &str,
    codes: &[Code],
    may: &[Code],
    description: &str,
    lists: bool,
) -> Value {
    json!({
        "head": head.to_string(),
        "at": VERIFY_AT,
        "integrity": integrity,
        "risk": risk,
        "codes": code_names(codes),
        "absent": code_names(&absent(codes, may, lists)),
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
        let mut v = expected(head, "valid", risk, &codes, &[], description, false);
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
            &expected(
                c.head,
                c.integrity,
                c.risk,
                &c.codes,
                &c.may,
                c.description,
                false,
            ),
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
            &expected(
                c.head,
                c.integrity,
                c.risk,
                &c.codes,
                &c.may,
                c.description,
                false,
            ),
        )?;
    }
    // The watch-list cases, numbered from 70: the demo chain, the lists under `watchlists/`.
    let watch = watchlist_cases::cases(&p, &chain)?;
    for (k, c) in watch.iter().enumerate() {
        let d = dir.join(format!(
            "cases/{:02}_{}",
            watchlist_cases::FIRST + k,
            c.name
        ));
        if names.insert(c.name, ()).is_some() {
            return Err(fail(format!("case {} twice", c.name)));
        }
        for e in &demo.entries {
            write(&d.join(format!("{}.cose", e.signed.name)), &e.signed.bytes)?;
        }
        for (name, bytes) in &c.lists {
            write(&d.join(format!("watchlists/{name}.cose")), bytes)?;
        }
        write_json(
            &d.join("expected.json"),
            &expected(c.head, "valid", c.risk, &c.codes, &[], c.description, true),
        )?;
    }
    // The log cases, numbered from 80: a server bundle of the steaks with its log proofs,
    // the log key and the witness keys beside it (`log` in expected.json).
    let logged = log_cases::cases(&p, &chain)?;
    let log_pub = catchcert_sign::keys::public_pem(&log_cases::log_key().verifying_key())
        .map_err(|e| fail(e.to_string()))?;
    for (k, c) in logged.iter().enumerate() {
        let d = dir.join(format!("cases/{:02}_{}", log_cases::FIRST + k, c.name));
        if names.insert(c.name, ()).is_some() {
            return Err(fail(format!("case {} twice", c.name)));
        }
        for (name, bytes) in &c.certs {
            write(&d.join(format!("{name}.cose")), bytes)?;
        }
        write(&d.join("lot.bundle"), &c.bundle.to_bytes())?;
        write(&d.join("log.pub"), log_pub.as_bytes())?;
        let mut witness_files = Vec::new();
        for (stem, _, key) in log_cases::witnesses() {
            let pem = catchcert_sign::keys::public_pem(&key.verifying_key())
                .map_err(|e| fail(e.to_string()))?;
            write(&d.join(format!("{stem}.pub")), pem.as_bytes())?;
            witness_files.push(format!("{stem}.pub"));
        }
        let mut v = expected(
            c.head,
            c.integrity,
            "low",
            &c.codes,
            &[],
            c.description,
            false,
        );
        // With a log key given, every log code not required must be absent too.
        let mut absent: Vec<Value> = v["absent"].as_array().cloned().unwrap_or_default();
        for code in LOG_CODES {
            if !c.codes.contains(&code) {
                absent.push(json!(code.as_str()));
            }
        }
        v["absent"] = Value::Array(absent);
        v["log"] = json!({
            "bundle": "lot.bundle",
            "key": "log.pub",
            "origin": log_cases::ORIGIN,
            "witnesses": witness_files,
            "threshold": c.threshold,
        });
        write_json(&d.join("expected.json"), &v)?;
    }
    // The EPCIS cases, numbered from 85: certificates imported from a GDST document, the
    // document beside them as `epcis.jsonld`.
    let epcis = epcis_cases::cases(&p)?;
    for (k, c) in epcis.iter().enumerate() {
        let d = dir.join(format!("cases/{:02}_{}", epcis_cases::FIRST + k, c.name));
        if names.insert(c.name, ()).is_some() {
            return Err(fail(format!("case {} twice", c.name)));
        }
        for s in &c.certs {
            write(&d.join(format!("{}.cose", s.name)), &s.bytes)?;
        }
        write_json(&d.join("epcis.jsonld"), &c.document)?;
        write_json(
            &d.join("expected.json"),
            &expected(
                c.head,
                c.integrity,
                c.risk,
                &c.codes,
                &[],
                c.description,
                false,
            ),
        )?;
    }
    println!(
        "wrote {}: trust root, demo chain ({} certificates, 2 bundles) and {} cases",
        dir.display(),
        demo.entries.len(),
        cases.len() + evidence.len() + watch.len() + logged.len() + epcis.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Each case against an independent reading of the contract's custody rules (§4
    //! `issuer.scope`, "Holders and custody", `link.species`, `link.lot_conflict`) and of the
    //! `issued_at` order of named certificates, written here from the contract's text and not
    //! taken from the verifier: a case must trip exactly the rules its expected verdict
    //! requires, so that every case stays a single, intended mutation. The verifier itself
    //! is checked against the same cases by `crates/verify/tests/fixtures.rs`.
    use super::*;

    /// What an issuer speaks for: its bound vessels and facilities, and its parties (bound
    /// parties and subject `O`).
    #[derive(Default)]
    struct Speaks {
        vessels: BTreeSet<String>,
        facilities: BTreeSet<String>,
        parties: BTreeSet<String>,
    }

    fn speaks(party: &Party) -> Speaks {
        let b = pki::cert_bindings(&party.cert_pem)
            .unwrap()
            .unwrap_or_default();
        let set = |l: Option<Vec<String>>| l.unwrap_or_default().into_iter().collect();
        let mut parties: BTreeSet<String> = set(b.parties);
        parties.extend(
            pki::parse_subject(&party.subject)
                .unwrap()
                .into_iter()
                .filter(|a| a.key == "O")
                .map(|a| a.value),
        );
        Speaks {
            vessels: set(b.vessels),
            facilities: set(b.facilities),
            parties,
        }
    }

    enum Holder {
        Vessel(String),
        Port,
        Processor(BTreeSet<String>),
        Party(String),
    }

    fn holder(producer: &Entry) -> Option<Holder> {
        Some(match producer.signed.payload.step()? {
            Step::Catch(c) => Holder::Vessel(c.vessel_imo.clone()),
            Step::Transshipment(t) => Holder::Vessel(t.to_vessel_imo.clone()),
            Step::Landing { .. } => Holder::Port,
            Step::Processing { .. } => Holder::Processor(speaks(&producer.party).parties),
            Step::Shipment(x) | Step::Receipt(x) => Holder::Party(x.to.clone()),
        })
    }

    /// The species a lot of a certificate carries (its output's, or its inputs').
    fn carried(by_id: &HashMap<CertId, &Entry>, cert: CertId, lot: &str) -> BTreeSet<String> {
        let Some(e) = by_id.get(&cert) else {
            return BTreeSet::new();
        };
        let p = &e.signed.payload;
        match p.outputs().iter().find(|o| o.lot == lot) {
            Some(o) => match &o.species {
                Some(s) => BTreeSet::from([s.clone()]),
                None => p
                    .inputs()
                    .iter()
                    .flat_map(|i| carried(by_id, i.certificate, &i.lot))
                    .collect(),
            },
            None => BTreeSet::new(),
        }
    }

    /// The codes of the rules of this wave that the head's graph of `set` breaks.
    fn tripped(set: &Set, head: CertId) -> BTreeSet<Code> {
        let by_id: HashMap<CertId, &Entry> = set.entries.iter().map(|e| (e.signed.id, e)).collect();
        let mut out = BTreeSet::new();
        for e in set.graph(head) {
            let p = &e.signed.payload;
            let me = speaks(&e.party);
            // issuer.scope for what the certificate names by itself.
            let in_scope = match p.step() {
                Some(Step::Catch(c)) => me.vessels.contains(&c.vessel_imo),
                Some(Step::Transshipment(t)) => {
                    me.vessels.contains(&t.from_vessel_imo) || me.vessels.contains(&t.to_vessel_imo)
                }
                Some(Step::Processing { facility }) => me.facilities.contains(facility),
                Some(Step::Shipment(x)) => {
                    me.parties.contains(&x.from) || me.parties.contains(&x.to)
                }
                Some(Step::Receipt(x)) => me.parties.contains(&x.to),
                _ => true,
            };
            if !in_scope {
                out.insert(Code::IssuerScope);
            }
            // Holders and custody.
            let mut species_in = BTreeSet::new();
            for i in p.inputs() {
                species_in.extend(carried(&by_id, i.certificate, &i.lot));
                let Some(prod) = by_id.get(&i.certificate) else {
                    continue;
                };
                let Some(h) = holder(prod) else { continue };
                let code = match (p.step(), &h) {
                    (Some(Step::Transshipment(t)), Holder::Vessel(v)) => {
                        (&t.from_vessel_imo != v).then_some(Code::LinkCustody)
                    }
                    (Some(Step::Transshipment(_)), _) => Some(Code::LinkCustody),
                    (Some(Step::Landing { .. }), Holder::Vessel(v)) => {
                        (!me.vessels.contains(v)).then_some(Code::IssuerScope)
                    }
                    (Some(Step::Landing { .. }), _) => Some(Code::LinkCustody),
                    (Some(Step::Processing { .. }), h) => {
                        let ok = match h {
                            Holder::Vessel(v) => me.vessels.contains(v),
                            Holder::Port => true,
                            Holder::Processor(ps) => !ps.is_disjoint(&me.parties),
                            Holder::Party(n) => me.parties.contains(n),
                        };
                        (!ok).then_some(Code::LinkCustody)
                    }
                    (Some(Step::Shipment(x)) | Some(Step::Receipt(x)), h) => {
                        let acknowledges = matches!(p.step(), Some(Step::Receipt(_)))
                            && matches!(prod.signed.payload.step(), Some(Step::Shipment(s))
                                if s.from == x.from && s.to == x.to);
                        let ok = match h {
                            Holder::Vessel(_) => false,
                            Holder::Port => true,
                            Holder::Processor(ps) => ps.contains(&x.from),
                            Holder::Party(n) => n == &x.from,
                        };
                        (!ok && !acknowledges).then_some(Code::LinkCustody)
                    }
                    _ => None,
                };
                out.extend(code);
            }
            // link.species (catches create species).
            if !matches!(p.step(), Some(Step::Catch(_)) | None) && !species_in.is_empty() {
                let foreign = p
                    .outputs()
                    .iter()
                    .filter_map(|o| o.species.as_ref())
                    .any(|s| !species_in.contains(s));
                if foreign {
                    out.insert(Code::LinkSpecies);
                }
            }
            // time.order on the issued_at of named certificates.
            let named = p
                .inputs()
                .iter()
                .map(|i| i.certificate)
                .chain(p.attestations().iter().copied());
            for n in named {
                if let Some(x) = by_id.get(&n)
                    && x.signed.payload.issued_at() > p.issued_at()
                {
                    out.insert(Code::TimeOrder);
                }
            }
        }
        // link.lot_conflict over the set: a lot id output without consuming that id starts
        // a lineage; two lineages of one id are a conflict.
        let mut roots: BTreeMap<&str, BTreeSet<CertId>> = BTreeMap::new();
        for e in &set.entries {
            let p = &e.signed.payload;
            for o in p.outputs() {
                if !p.inputs().iter().any(|i| i.lot == o.lot) {
                    roots.entry(o.lot.as_str()).or_default().insert(e.signed.id);
                }
            }
        }
        if roots.values().any(|r| r.len() > 1) {
            out.insert(Code::LinkLotConflict);
        }
        out
    }

    const RULES: [Code; 4] = [
        Code::IssuerScope,
        Code::LinkCustody,
        Code::LinkSpecies,
        Code::LinkLotConflict,
    ];

    #[test]
    fn the_demo_chain_breaks_no_custody_rule() {
        let p = Programme::new().unwrap();
        let chain = demo_chain(&p).unwrap();
        let set = Set::demo(&p, &chain).unwrap();
        for head in [chain.loins_head(), chain.steaks_head()] {
            assert_eq!(tripped(&set, head), BTreeSet::new(), "{head}");
        }
    }

    #[test]
    fn every_case_trips_exactly_the_custody_rules_it_requires() {
        let p = Programme::new().unwrap();
        let chain = demo_chain(&p).unwrap();
        let cases = cases(&p, &chain).unwrap();
        let mut problems = Vec::new();
        for (k, c) in cases.iter().enumerate() {
            let got = tripped(&c.set, c.head);
            let want: BTreeSet<Code> = c
                .codes
                .iter()
                .copied()
                .filter(|x| RULES.contains(x))
                .collect();
            let got_rules: BTreeSet<Code> =
                got.iter().copied().filter(|x| RULES.contains(x)).collect();
            let allowed: BTreeSet<Code> = c.codes.iter().chain(&c.may).copied().collect();
            if !want.is_subset(&got_rules) || !got_rules.is_subset(&allowed) {
                problems.push(format!(
                    "{:02}_{}: {got_rules:?}, expected {want:?} (allowed {allowed:?})",
                    k + 1,
                    c.name
                ));
            }
            if got.contains(&Code::TimeOrder) && !c.codes.contains(&Code::TimeOrder) {
                problems.push(format!(
                    "{:02}_{}: issued_at order broken but time.order not expected",
                    k + 1,
                    c.name
                ));
            }
        }
        let order = cases
            .iter()
            .find(|c| c.name == "catch_issued_before_attestation")
            .unwrap();
        assert!(tripped(&order.set, order.head).contains(&Code::TimeOrder));
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

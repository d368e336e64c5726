//! Crew privacy: salted SHA-256 commitments to crew entries, and the disclosure file that
//! lets an auditor check the clear entries against a signed crew attestation.
//!
//! A crew member's commitment is
//! `SHA-256(deterministic CBOR of {"salt": bstr(16), "name": tstr, "nationality": tstr,
//! "role": tstr, "written_agreement": bool, "holds_own_documents": bool,
//! "recruitment_fee_paid": bool, "wage_method": tstr})`.
//! The 16-byte salt is fresh random per entry, so equal entries in different certificates
//! have unrelated commitments and a name cannot be confirmed by guessing without the salt.
//! The working conditions are also carried in clear next to the commitment (the risk rules
//! read them); the commitment binds them to the disclosed person.

use crate::cbor::{self, Value};
use crate::id::CertId;
use crate::payload::{CrewMember, Details, Payload, WageMethod};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A crew member in clear, as in the input JSON and the disclosure file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrewEntry {
    /// Full name.
    pub name: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    /// Free text, e.g. "deckhand".
    pub role: String,
    /// Holds a written work agreement.
    pub written_agreement: bool,
    /// Holds their own identity documents.
    pub holds_own_documents: bool,
    /// Paid a recruitment fee.
    pub recruitment_fee_paid: bool,
    /// `bank_transfer`, `cash`, `mobile_money`, `via_broker` or `deferred`.
    pub wage_method: String,
}

/// One disclosed entry: the clear entry, its salt and its position in the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosedEntry {
    /// Index in the certificate's `crew` array.
    pub index: usize,
    /// The 16-byte salt, lowercase hex.
    pub salt: String,
    /// The clear entry.
    #[serde(flatten)]
    pub entry: CrewEntry,
}

/// The disclosure file `OUT.cose.disclosure.json` written by `issue crew_attestation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// The certificate the entries belong to (filled in after signing).
    pub certificate: Option<CertId>,
    /// The vessel's IMO number, for orientation.
    pub vessel_imo: String,
    /// Every crew entry in order.
    pub crew: Vec<DisclosedEntry>,
}

/// The commitment to one clear entry with its salt.
pub fn commitment(salt: &[u8; 16], e: &CrewEntry) -> [u8; 32] {
    let v = Value::Map(vec![
        (Value::Text("salt".into()), Value::Bytes(salt.to_vec())),
        (Value::Text("name".into()), Value::Text(e.name.clone())),
        (
            Value::Text("nationality".into()),
            Value::Text(e.nationality.clone()),
        ),
        (Value::Text("role".into()), Value::Text(e.role.clone())),
        (
            Value::Text("written_agreement".into()),
            Value::Bool(e.written_agreement),
        ),
        (
            Value::Text("holds_own_documents".into()),
            Value::Bool(e.holds_own_documents),
        ),
        (
            Value::Text("recruitment_fee_paid".into()),
            Value::Bool(e.recruitment_fee_paid),
        ),
        (
            Value::Text("wage_method".into()),
            Value::Text(e.wage_method.clone()),
        ),
    ]);
    Sha256::digest(cbor::to_vec(&v)).into()
}

/// Why a disclosure does not match a certificate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// The certificate is not a crew attestation.
    #[error("the certificate is a {0}, not a crew_attestation")]
    NotCrewAttestation(String),
    /// The disclosure names another certificate.
    #[error("the disclosure is for {disclosed}, not for {actual}")]
    WrongCertificate {
        /// Named in the disclosure.
        disclosed: CertId,
        /// The certificate checked.
        actual: CertId,
    },
    /// Entry counts differ.
    #[error("the certificate has {certificate} crew entries, the disclosure {disclosure}")]
    Count {
        /// In the certificate.
        certificate: usize,
        /// In the disclosure.
        disclosure: usize,
    },
    /// An entry does not match its commitment or its clear conditions.
    #[error("crew[{index}]: {reason}")]
    Entry {
        /// Position in the certificate.
        index: usize,
        /// What differs.
        reason: String,
    },
}

/// Check a disclosure against a decoded crew attestation (and its id).
pub fn check_disclosure(
    id: CertId,
    payload: &Payload,
    d: &Disclosure,
) -> Result<(), DisclosureError> {
    let Details::CrewAttestation(a) = payload.details() else {
        return Err(DisclosureError::NotCrewAttestation(
            payload.kind().to_string(),
        ));
    };
    if let Some(disclosed) = d.certificate
        && disclosed != id
    {
        return Err(DisclosureError::WrongCertificate {
            disclosed,
            actual: id,
        });
    }
    if a.crew.len() != d.crew.len() {
        return Err(DisclosureError::Count {
            certificate: a.crew.len(),
            disclosure: d.crew.len(),
        });
    }
    let mut seen = vec![false; a.crew.len()];
    for e in &d.crew {
        let err = |reason: &str| DisclosureError::Entry {
            index: e.index,
            reason: reason.to_string(),
        };
        let member: &CrewMember = a
            .crew
            .get(e.index)
            .ok_or_else(|| err("index out of range"))?;
        if std::mem::replace(&mut seen[e.index], true) {
            return Err(err("disclosed twice"));
        }
        let mut salt = [0u8; 16];
        hex::decode_to_slice(&e.salt, &mut salt).map_err(|_| err("salt is not 32 hex digits"))?;
        if commitment(&salt, &e.entry) != member.commitment {
            return Err(err(
                "the clear entry and salt do not match the signed commitment",
            ));
        }
        if WageMethod::parse(&e.entry.wage_method) != Some(member.wage_method)
            || e.entry.written_agreement != member.written_agreement
            || e.entry.holds_own_documents != member.holds_own_documents
            || e.entry.recruitment_fee_paid != member.recruitment_fee_paid
        {
            return Err(err("the clear conditions differ from the signed ones"));
        }
    }
    Ok(())
}

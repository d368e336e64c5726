//! One issuer certificate: parsing its DER (rules 1–3 of the [module documentation](super))
//! into the owned [`Cert`] the validator caches, and showing its names and algorithms.

use super::{MAX_CERT_LEN, PathError};
use catchcert_model::bindings_ext::{self, BindingsExt};
use catchcert_model::kind::Role;
use catchcert_model::roles_ext;
use catchcert_model::timestamp::Timestamp;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{ParsedExtension, X509Extension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

/// Ed25519 (RFC 8410), content octets of the OID 1.3.101.112.
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];

/// keyUsage bits this verifier looks at.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct KeyUsageBits {
    pub(super) digital_signature: bool,
    pub(super) key_cert_sign: bool,
}

/// What the verifier keeps of a parsed certificate (owned, so it can be cached).
#[derive(Debug)]
pub(super) struct Cert {
    pub(super) sha256: [u8; 32],
    pub(super) subject: String,
    pub(super) subject_raw: Vec<u8>,
    pub(super) issuer: String,
    pub(super) issuer_raw: Vec<u8>,
    pub(super) tbs: Vec<u8>,
    /// Err: the signature algorithm (OID, name) when it is not Ed25519.
    signature_alg: Result<(), String>,
    pub(super) signature: Vec<u8>,
    /// Err: the reason the key is unusable (not Ed25519, not a valid point).
    key: Result<VerifyingKey, PathError>,
    pub(super) not_before: Timestamp,
    pub(super) not_after: Timestamp,
    /// Some(pathLenConstraint) for a CA.
    pub(super) ca: Option<Option<u32>>,
    pub(super) key_usage: Option<KeyUsageBits>,
    pub(super) roles: Option<Vec<Role>>,
    pub(super) bindings: Option<BindingsExt>,
    /// The subject's `O` values.
    pub(super) orgs: Vec<String>,
    /// The first critical extension not understood.
    pub(super) unknown_critical: Option<String>,
}

/// The extensions a [`Cert`] keeps.
#[derive(Default)]
struct Extensions {
    ca: Option<Option<u32>>,
    key_usage: Option<KeyUsageBits>,
    roles: Option<Vec<Role>>,
    bindings: Option<BindingsExt>,
    unknown_critical: Option<String>,
}

impl Cert {
    pub(super) fn parse(der: &[u8]) -> Result<Cert, PathError> {
        let sha256: [u8; 32] = Sha256::digest(der).into();
        let short = || format!("certificate sha256:{}", hex::encode(&sha256[..8]));
        let bad = |cert: String, reason: String| PathError::Malformed { cert, reason };
        if der.len() > MAX_CERT_LEN {
            return Err(bad(
                short(),
                format!("{} bytes, over the limit of {MAX_CERT_LEN}", der.len()),
            ));
        }
        let (rest, x) = X509Certificate::from_der(der).map_err(|e| bad(short(), e.to_string()))?;
        if !rest.is_empty() {
            return Err(bad(short(), format!("{} trailing bytes", rest.len())));
        }
        let subject = display_name(x.subject());
        let bad_s = |reason: &str| bad(subject.clone(), reason.to_string());
        if x.version().0 != 2 {
            return Err(bad_s("not an X.509 v3 certificate"));
        }
        let signature_alg = signature_algorithm(&x).map_err(bad_s)?;
        let key = public_key(&x, &subject);
        let ext = extensions(&x, &subject)?;
        Ok(Cert {
            sha256,
            subject_raw: x.subject().as_raw().to_vec(),
            issuer: display_name(x.issuer()),
            issuer_raw: x.issuer().as_raw().to_vec(),
            tbs: x.tbs_certificate.as_ref().to_vec(),
            signature_alg,
            signature: x.signature_value.data.to_vec(),
            key,
            not_before: Timestamp(x.validity().not_before.timestamp()),
            not_after: Timestamp(x.validity().not_after.timestamp()),
            ca: ext.ca,
            key_usage: ext.key_usage,
            roles: ext.roles,
            bindings: ext.bindings,
            orgs: x
                .subject()
                .iter_organization()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect(),
            unknown_critical: ext.unknown_critical,
            subject,
        })
    }

    /// The Ed25519 key, and that this certificate's own signature algorithm is Ed25519.
    pub(super) fn key(&self) -> Result<VerifyingKey, PathError> {
        if let Err(oid) = &self.signature_alg {
            return Err(PathError::UnsupportedAlgorithm {
                subject: self.subject.clone(),
                what: "signature",
                name: algorithm_name(oid),
                oid: oid.clone(),
            });
        }
        self.key.clone()
    }
}

/// The signature algorithm: the outer `Err` when the certificate is malformed (the
/// algorithm inside and outside the signed part differ, or the signature has unused
/// bits), the inner `Err` with the dotted OID when it is well formed but not Ed25519.
fn signature_algorithm(x: &X509Certificate<'_>) -> Result<Result<(), String>, &'static str> {
    let tbs_alg = &x.tbs_certificate.signature;
    let alg = &x.signature_algorithm;
    if tbs_alg.algorithm != alg.algorithm
        || tbs_alg.parameters.as_ref().map(|p| p.as_bytes())
            != alg.parameters.as_ref().map(|p| p.as_bytes())
    {
        return Err("the signature algorithm inside and outside the signed part differ");
    }
    let signature_alg = if alg.algorithm.as_bytes() == OID_ED25519 && alg.parameters.is_none() {
        Ok(())
    } else {
        Err(alg.algorithm.to_id_string())
    };
    if x.signature_value.unused_bits != 0 {
        return Err("signature BIT STRING has unused bits");
    }
    Ok(signature_alg)
}

/// The subject's Ed25519 public key, or why it is unusable (kept, not returned at once:
/// a leaf's or anchor's key matters only when it is used).
fn public_key(x: &X509Certificate<'_>, subject: &str) -> Result<VerifyingKey, PathError> {
    let spki = x.public_key();
    if spki.algorithm.algorithm.as_bytes() == OID_ED25519 && spki.algorithm.parameters.is_none() {
        let bytes: Option<[u8; 32]> = (spki.subject_public_key.unused_bits == 0)
            .then(|| spki.subject_public_key.data.as_ref().try_into().ok())
            .flatten();
        match bytes.map(|b| VerifyingKey::from_bytes(&b)) {
            Some(Ok(k)) => Ok(k),
            _ => Err(PathError::Malformed {
                cert: subject.to_string(),
                reason: "not a valid Ed25519 public key".to_string(),
            }),
        }
    } else {
        let oid = spki.algorithm.algorithm.to_id_string();
        Err(PathError::UnsupportedAlgorithm {
            subject: subject.to_string(),
            what: "public key",
            name: algorithm_name(&oid),
            oid,
        })
    }
}

/// The extensions, each at most once and well formed; the first unknown critical one is
/// noted, not an error here (rule 3 applies where the certificate is used).
fn extensions(x: &X509Certificate<'_>, subject: &str) -> Result<Extensions, PathError> {
    let bad_s = |reason: String| PathError::Malformed {
        cert: subject.to_string(),
        reason,
    };
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut out = Extensions::default();
    for ext in x.extensions() {
        let oid = ext.oid.as_bytes();
        if !seen.insert(oid) {
            return Err(bad_s(format!(
                "extension {} appears twice",
                ext.oid.to_id_string()
            )));
        }
        if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
            return Err(bad_s(format!(
                "extension {}: {error}",
                ext.oid.to_id_string()
            )));
        }
        read_extension(ext, &mut out).map_err(bad_s)?;
    }
    Ok(out)
}

/// One extension into `out`; `Err` with the reason when the roles or bindings extension
/// does not decode.
fn read_extension(ext: &X509Extension<'_>, out: &mut Extensions) -> Result<(), String> {
    let oid = ext.oid.as_bytes();
    if oid == OID_BASIC_CONSTRAINTS {
        if let ParsedExtension::BasicConstraints(bc) = ext.parsed_extension()
            && bc.ca
        {
            out.ca = Some(bc.path_len_constraint);
        }
    } else if oid == OID_KEY_USAGE {
        if let ParsedExtension::KeyUsage(ku) = ext.parsed_extension() {
            out.key_usage = Some(KeyUsageBits {
                digital_signature: ku.digital_signature(),
                key_cert_sign: ku.key_cert_sign(),
            });
        }
    } else if oid == roles_ext::OID_DER {
        out.roles = Some(roles_ext::decode(ext.value).map_err(|e| e.to_string())?);
    } else if oid == bindings_ext::OID_DER {
        out.bindings = Some(bindings_ext::decode(ext.value).map_err(|e| e.to_string())?);
    } else if ext.critical && out.unknown_critical.is_none() {
        out.unknown_critical = Some(oid_string(&ext.oid));
    }
    Ok(())
}

fn oid_string(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    if oid.as_bytes() == roles_ext::OID_DER {
        return roles_ext::OID.to_string();
    }
    if oid.as_bytes() == bindings_ext::OID_DER {
        return bindings_ext::OID.to_string();
    }
    oid.to_id_string()
}

/// A readable name for algorithm OIDs seen in practice.
fn algorithm_name(oid: &str) -> &'static str {
    match oid {
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10045.2.1" => "EC (id-ecPublicKey, e.g. P-256)",
        "1.2.840.10045.4.3.2" => "ECDSA with SHA-256",
        "1.2.840.10045.4.3.3" => "ECDSA with SHA-384",
        "1.2.840.10045.4.3.4" => "ECDSA with SHA-512",
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.5" => "RSA with SHA-1",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.113549.1.1.11" => "RSA with SHA-256",
        "1.2.840.113549.1.1.12" => "RSA with SHA-384",
        "1.2.840.113549.1.1.13" => "RSA with SHA-512",
        _ => "unknown",
    }
}

/// The name as [`catchcert_model::dn::render`] shows it.
fn display_name(name: &X509Name<'_>) -> String {
    catchcert_model::dn::render(name.iter_attributes().map(|a| {
        let value = a.as_str().map_err(|_| a.as_slice());
        (a.attr_type().to_id_string(), value)
    }))
}

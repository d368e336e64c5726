//! The issuer PKI: a self-signed programme root and the issuer certificates below it.
//!
//! Certificates are X.509 v3 with Ed25519 keys, built with `rcgen` and signed by
//! `ed25519-dalek` through rcgen's [`rcgen::SigningKey`] trait ([`Ed25519Signer`]), so no
//! second crypto library (ring, aws-lc-rs) is needed. The profile (RFC 5280):
//!
//! - version 3, a random positive 128-bit serial, signature algorithm Ed25519
//!   (1.3.101.112, RFC 8410);
//! - subjectKeyIdentifier (the first 160 bits of the SHA-256 of the subjectPublicKeyInfo,
//!   RFC 7093 method 1) and authorityKeyIdentifier (the issuer's subjectKeyIdentifier; a
//!   root names itself), both non-critical;
//! - basicConstraints, critical: `cA TRUE` (with pathLenConstraint when asked) for the root
//!   and intermediates, an empty sequence (`cA FALSE`) for issuers;
//! - keyUsage, critical: keyCertSign and cRLSign for CAs, digitalSignature for issuers;
//! - the roles extension (non-critical, see [`catchcert_model::roles_ext`]) on every
//!   certificate but the root;
//! - the bindings extension (non-critical, see [`catchcert_model::bindings_ext`]) on a
//!   certificate issued with vessels, facilities or parties.
//!
//! # The roles extension OID and rcgen
//!
//! rcgen writes extension OIDs from `u64` arcs, and the roles OID has a 128-bit arc (the
//! project's UUID). The extension is therefore written under a placeholder OID of the
//! same encoded length ([`PLACEHOLDER_OID`], 2.25.A.B with two 64-bit arcs: 21 content
//! bytes either way), and the signer replaces the placeholder's bytes with the real OID
//! in the to-be-signed bytes before signing, and in the finished certificate. The
//! bindings extension works the same way with [`BINDINGS_PLACEHOLDER_OID`]. Equal
//! lengths mean no length field changes, so the signed bytes are the certificate's TBS.
//! Every certificate made here is parsed back and its signature, issuer name and roles
//! are checked before it is returned.
//!
//! No file I/O: callers pass PEM text and keys and receive PEM text.

use catchcert_model::bindings_ext::{self, BindingsExt, Restriction};
use catchcert_model::kind::Role;
use catchcert_model::roles_ext;
use catchcert_model::timestamp::{self, Timestamp};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, IsCa,
    Issuer, KeyIdMethod, KeyUsagePurpose, PublicKeyData, SerialNumber, SignatureAlgorithm,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

pub use rcgen;

/// Default validity of a root, in days (about ten years).
pub const DEFAULT_ROOT_DAYS: u32 = 3650;
/// Default validity of an issuer or intermediate certificate, in days.
pub const DEFAULT_ISSUER_DAYS: u32 = 365;
/// Longest accepted validity, in days (about 100 years).
pub const MAX_VALID_DAYS: u32 = 36_525;
/// Longest accepted attribute value in a subject (RFC 5280 upper bound for CN and O).
pub const MAX_ATTRIBUTE_LEN: usize = 64;
/// Largest PEM text read as a certificate or chain.
pub use catchcert_model::pem::MAX_PEM_LEN;

/// The placeholder OID arcs (2.25.A.B, A and B the two halves of the project UUID) under
/// which rcgen writes the roles extension; see the module documentation.
pub const PLACEHOLDER_OID: [u64; 4] = [2, 25, 0xda61_3753_6d84_4b97, 0x8b03_9dc9_85ef_2abd];

/// The placeholder OID arcs under which rcgen writes the bindings extension (the roles
/// placeholder with the last arc plus one: the same encoded length).
pub const BINDINGS_PLACEHOLDER_OID: [u64; 4] =
    [2, 25, 0xda61_3753_6d84_4b97, 0x8b03_9dc9_85ef_2abe];

const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Why a certificate could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The subject string is not `CN=…,O=…`.
    #[error("subject {subject:?}: {reason}")]
    Subject {
        /// The subject as given (shortened).
        subject: String,
        /// What is wrong.
        reason: String,
    },
    /// Bad validity (days out of range, end after 9999).
    #[error("validity: {0}")]
    Validity(String),
    /// A PEM text or certificate could not be read.
    #[error("{what}: {reason}")]
    Read {
        /// Which input ("CA certificate", "certificate", "chain").
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The CA certificate is not a CA.
    #[error("CA certificate {subject}: {reason}")]
    NotACa {
        /// The CA certificate's subject.
        subject: String,
        /// What is missing.
        reason: String,
    },
    /// The CA key is not the key of the CA certificate.
    #[error("the CA key does not match the public key of CA certificate {subject}")]
    KeyMismatch {
        /// The CA certificate's subject.
        subject: String,
    },
    /// A role the CA does not carry.
    #[error(
        "role {role} is not among the roles of CA {ca} ({ca_roles}); a CA cannot grant roles it lacks"
    )]
    RoleWidening {
        /// The role asked for.
        role: Role,
        /// The CA's subject.
        ca: String,
        /// The CA's roles, comma separated.
        ca_roles: String,
    },
    /// No role given.
    #[error("at least one role is needed")]
    NoRoles,
    /// `auditor` asked for together with a custody role.
    #[error(
        "role auditor cannot be combined with the custody role {role}: who audits must not be who is audited"
    )]
    AuditorWithCustody {
        /// The custody role asked for.
        role: Role,
    },
    /// A vessel, facility or party binding that is not valid.
    #[error("{0}")]
    Bindings(String),
    /// A binding (or the subject's `O`) the CA is not bound to.
    #[error(
        "{list} {value:?} is not among the bindings of CA {ca}; a CA cannot bind what it is not bound to"
    )]
    BindingsWidening {
        /// "vessels", "facilities" or "parties".
        list: &'static str,
        /// The value asked for.
        value: String,
        /// The CA's subject.
        ca: String,
    },
    /// The CA's pathLenConstraint does not allow another CA below it.
    #[error("CA {ca} has pathLenConstraint 0: it may not issue CA certificates")]
    PathLen {
        /// The CA's subject.
        ca: String,
    },
    /// rcgen refused the parameters.
    #[error("building the certificate: {0}")]
    Build(String),
    /// The certificate just made did not pass its own checks (a bug; nothing is written).
    #[error("the new certificate failed its self-check: {0}")]
    SelfCheck(String),
}

/// Leaf or CA, and the CA's path length constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertType {
    /// An issuer: signs catchcert certificates (keyUsage digitalSignature).
    Leaf,
    /// An intermediate CA (keyUsage keyCertSign, cRLSign).
    Ca {
        /// pathLenConstraint: how many intermediates may follow below it (None: any).
        path_len: Option<u8>,
    },
}

/// What `issue` puts into a certificate.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    /// `CN=…,O=…` (see [`parse_subject`]).
    pub subject: &'a str,
    /// Roles (at least one; sorted and deduplicated in the extension).
    pub roles: &'a [Role],
    /// Leaf or CA.
    pub cert_type: CertType,
    /// Start of validity.
    pub not_before: Timestamp,
    /// Days of validity from `not_before`.
    pub valid_days: u32,
}

/// Everything that goes into one certificate, without any policy check. [`init_root`] and
/// [`issue`] fill it in after their checks; [`sign_spec`] makes the certificate. Public
/// for tests and fixtures that need certificates `issue` refuses to make.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// `CN=…,O=…`.
    pub subject: String,
    /// The roles extension, if any.
    pub roles: Option<Vec<Role>>,
    /// Leaf or CA.
    pub cert_type: CertType,
    /// Start of validity.
    pub not_before: Timestamp,
    /// End of validity (inclusive).
    pub not_after: Timestamp,
    /// Further extensions, written after the standard ones.
    pub extra_extensions: Vec<CustomExtension>,
    /// The serial number (16 bytes, made positive and minimal); `None`: random.
    pub serial: Option<[u8; 16]>,
}

/// An `ed25519_dalek::SigningKey` as an rcgen signing key.
#[derive(Debug, Clone, Copy)]
pub struct Ed25519Signer<'a> {
    key: &'a SigningKey,
    public: [u8; 32],
}

impl<'a> Ed25519Signer<'a> {
    /// Wrap a key.
    pub fn new(key: &'a SigningKey) -> Self {
        Ed25519Signer {
            key,
            public: key.verifying_key().to_bytes(),
        }
    }
}

impl PublicKeyData for Ed25519Signer<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

impl rcgen::SigningKey for Ed25519Signer<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let sig: Signature = self.key.sign(msg);
        Ok(sig.to_bytes().to_vec())
    }
}

/// An Ed25519 public key as rcgen public key data (the subject key of a certificate).
#[derive(Debug, Clone, Copy)]
pub struct Ed25519Public([u8; 32]);

impl Ed25519Public {
    /// Wrap a key.
    pub fn new(key: &VerifyingKey) -> Self {
        Ed25519Public(key.to_bytes())
    }
}

impl PublicKeyData for Ed25519Public {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

/// A signing key that swaps the placeholder OID for the roles OID in what it signs.
struct Substituting<'a, K> {
    inner: &'a K,
}

impl<K: rcgen::SigningKey> PublicKeyData for Substituting<'_, K> {
    fn der_bytes(&self) -> &[u8] {
        self.inner.der_bytes()
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.inner.algorithm()
    }
}

impl<K: rcgen::SigningKey> rcgen::SigningKey for Substituting<'_, K> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let mut msg = msg.to_vec();
        // If the placeholder is not there exactly once, sign as is: the self-check of
        // `sign_spec` then refuses the certificate.
        let _ = substitute_all(&mut msg);
        self.inner.sign(&msg)
    }
}

/// The DER TLV of an OID given by `u64` arcs (first two arcs combined).
fn oid_tlv(arcs: &[u64]) -> Option<Vec<u8>> {
    let (a, b) = (*arcs.first()?, *arcs.get(1)?);
    let mut content = Vec::new();
    let mut push = |mut n: u128| {
        let mut digits = vec![(n & 0x7f) as u8];
        n >>= 7;
        while n > 0 {
            digits.push(0x80 | (n & 0x7f) as u8);
            n >>= 7;
        }
        digits.reverse();
        content.extend(digits);
    };
    push(u128::from(a) * 40 + u128::from(b));
    for arc in &arcs[2..] {
        push(u128::from(*arc));
    }
    let len = u8::try_from(content.len()).ok().filter(|l| *l < 0x80)?;
    let mut out = vec![0x06, len];
    out.extend(content);
    Some(out)
}

/// Replace each placeholder OID that occurs (roles, bindings) with its real OID. Fails
/// (and leaves `der` alone) if a placeholder occurs more than once.
fn substitute_all(der: &mut [u8]) -> Result<(), PkiError> {
    let targets: [(&[u64], &[u8], &str); 2] = [
        (&PLACEHOLDER_OID, &roles_ext::OID_DER, "roles"),
        (
            &BINDINGS_PLACEHOLDER_OID,
            &bindings_ext::OID_DER,
            "bindings",
        ),
    ];
    let mut hits = Vec::new();
    for (placeholder, oid, name) in targets {
        match substitute(der, placeholder, oid, name) {
            Ok(Some(h)) => hits.push(h),
            Ok(None) => {}
            Err(e) => return Err(e),
        }
    }
    for (at, to) in hits {
        der[at..at + to.len()].copy_from_slice(&to);
    }
    Ok(())
}

/// Where the one occurrence of `placeholder` is, and the TLV of `oid` to write there.
/// `None` when it does not occur; an error when it occurs more than once or the lengths
/// differ.
fn substitute(
    der: &[u8],
    placeholder: &[u64],
    oid: &[u8],
    name: &str,
) -> Result<Option<(usize, Vec<u8>)>, PkiError> {
    let fail = |r: &str| PkiError::SelfCheck(format!("{name} extension OID: {r}"));
    let from = oid_tlv(placeholder).ok_or_else(|| fail("placeholder does not encode"))?;
    let mut to = vec![0x06, oid.len() as u8];
    to.extend_from_slice(oid);
    if from.len() != to.len() {
        return Err(fail("placeholder and OID differ in length"));
    }
    let hits: Vec<usize> = der
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from.as_slice())
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [] => Ok(None),
        [i] => Ok(Some((*i, to))),
        _ => Err(fail(&format!("placeholder found {} times", hits.len()))),
    }
}

/// The key identifier of a public key: the first 160 bits of SHA-256 over its DER
/// subjectPublicKeyInfo (RFC 7093 method 1, as rcgen computes it).
pub fn key_identifier(key: &impl PublicKeyData) -> Vec<u8> {
    Sha256::digest(key.subject_public_key_info())[..20].to_vec()
}

/// One parsed subject attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectAttr {
    /// Short name: CN, O, OU, C, L or ST.
    pub key: &'static str,
    /// The value, unescaped.
    pub value: String,
}

const SUBJECT_KEYS: [&str; 6] = ["CN", "O", "OU", "C", "L", "ST"];

/// Parse `CN=…,O=…,C=…`: attributes separated by `,`, a `\` escapes the next character
/// (`\,` for a comma in a value). Accepted types (any case): CN (common name, required),
/// O, OU, C (two capital letters), L, ST; each at most once, values 1–64 characters.
pub fn parse_subject(s: &str) -> Result<Vec<SubjectAttr>, PkiError> {
    let err = |reason: String| PkiError::Subject {
        subject: s.chars().take(100).collect(),
        reason,
    };
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => {
                    if let Some(p) = parts.last_mut() {
                        p.push('\\');
                        p.push(n);
                    }
                }
                None => return Err(err("ends with a lone '\\'".into())),
            },
            ',' => parts.push(String::new()),
            c => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    let mut out: Vec<SubjectAttr> = Vec::new();
    for part in parts {
        let Some((k, v)) = part.split_once('=') else {
            return Err(err(format!(
                "{:?} is not TYPE=VALUE (write a comma inside a value as \\,)",
                unescape(&part)
            )));
        };
        let k = k.trim();
        let Some(key) = SUBJECT_KEYS.iter().find(|x| x.eq_ignore_ascii_case(k)) else {
            return Err(err(format!(
                "unknown attribute type {k:?} (expected one of: {})",
                SUBJECT_KEYS.join(", ")
            )));
        };
        let value = unescape(v.trim());
        if value.is_empty() {
            return Err(err(format!("{key} is empty")));
        }
        if value.chars().count() > MAX_ATTRIBUTE_LEN {
            return Err(err(format!(
                "{key} is longer than {MAX_ATTRIBUTE_LEN} characters"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(err(format!("{key} contains a control character")));
        }
        if *key == "C" && !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(err(format!(
                "C must be a two-letter country code such as NO, not {value:?}"
            )));
        }
        if out.iter().any(|a| a.key == *key) {
            return Err(err(format!("{key} appears twice")));
        }
        out.push(SubjectAttr { key, value });
    }
    if !out.iter().any(|a| a.key == "CN") {
        return Err(err("a CN (common name) is required".into()));
    }
    Ok(out)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn subject_dn(s: &str) -> Result<DistinguishedName, PkiError> {
    let mut dn = DistinguishedName::new();
    for attr in parse_subject(s)? {
        let ty = match attr.key {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "C" => DnType::CountryName,
            "L" => DnType::LocalityName,
            _ => DnType::StateOrProvinceName,
        };
        if attr.key == "C" {
            let p = rcgen::string::PrintableString::try_from(attr.value.as_str())
                .map_err(|e| PkiError::Build(e.to_string()))?;
            dn.push(ty, DnValue::PrintableString(p));
        } else {
            dn.push(ty, DnValue::Utf8String(attr.value));
        }
    }
    Ok(dn)
}

fn to_time(t: Timestamp) -> Result<OffsetDateTime, PkiError> {
    OffsetDateTime::from_unix_timestamp(t.0)
        .map_err(|_| PkiError::Validity(format!("time {} out of range", t.0)))
}

/// The end of a validity period of `days` days from `not_before`.
pub fn not_after(not_before: Timestamp, days: u32) -> Result<Timestamp, PkiError> {
    if days == 0 || days > MAX_VALID_DAYS {
        return Err(PkiError::Validity(format!(
            "valid days must be 1..={MAX_VALID_DAYS}, not {days}"
        )));
    }
    let end = not_before.0 + i64::from(days) * 86_400;
    Timestamp::from_unix(end)
        .filter(|e| *e <= timestamp::MAX)
        .ok_or_else(|| PkiError::Validity("the period ends after 9999-12-31".into()))
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    serial_from(bytes)
}

fn serial_from(mut bytes: [u8; 16]) -> SerialNumber {
    // Positive and minimal: the first byte is 0x01..=0x7f.
    bytes[0] = (bytes[0] & 0x7f).max(1);
    SerialNumber::from_slice(&bytes)
}

/// What `issue` needs to know of a CA certificate.
struct CaInfo {
    subject: String,
    subject_raw: Vec<u8>,
    dn: DistinguishedName,
    ski: Vec<u8>,
    /// Ed25519 public key bytes, if the key is Ed25519.
    key: Option<[u8; 32]>,
    ca: Option<Option<u32>>,
    key_cert_sign: bool,
    roles: Option<Vec<Role>>,
    bindings: Option<BindingsExt>,
    /// The subject's `O` values.
    orgs: Vec<String>,
}

fn read_one_cert(pem_text: &str, what: &'static str) -> Result<Vec<u8>, PkiError> {
    let mut certs = read_pem_chain(pem_text).map_err(|e| match e {
        PkiError::Read { reason, .. } => PkiError::Read { what, reason },
        e => e,
    })?;
    if certs.len() != 1 {
        return Err(PkiError::Read {
            what,
            reason: format!("holds {} certificates; expected one", certs.len()),
        });
    }
    Ok(certs.remove(0))
}

fn parse_ca(der: Vec<u8>, what: &'static str) -> Result<CaInfo, PkiError> {
    let bad = |reason: String| PkiError::Read { what, reason };
    let (rest, x) = X509Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?;
    if !rest.is_empty() {
        return Err(bad("trailing bytes after the certificate".into()));
    }
    let subject = display_subject(&x);
    let spki = x.public_key();
    let key = (spki.algorithm.algorithm.as_bytes() == OID_ED25519)
        .then(|| <[u8; 32]>::try_from(spki.subject_public_key.data.as_ref()).ok())
        .flatten();
    let mut ca = None;
    let mut key_cert_sign = false;
    let mut ski = None;
    let mut roles = None;
    let mut bindings = None;
    for ext in x.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) if bc.ca => ca = Some(bc.path_len_constraint),
            ParsedExtension::KeyUsage(ku) => key_cert_sign = ku.key_cert_sign(),
            ParsedExtension::SubjectKeyIdentifier(id) => ski = Some(id.0.to_vec()),
            _ if ext.oid.as_bytes() == roles_ext::OID_DER => {
                roles = Some(roles_ext::decode(ext.value).map_err(|e| bad(e.to_string()))?);
            }
            _ if ext.oid.as_bytes() == bindings_ext::OID_DER => {
                bindings = Some(bindings_ext::decode(ext.value).map_err(|e| bad(e.to_string()))?);
            }
            _ => {}
        }
    }
    let ski = match (ski, key) {
        (Some(s), _) => s,
        (None, Some(k)) => key_identifier(&Ed25519Public(k)),
        (None, None) => Vec::new(),
    };
    let dn = dn_from_x509(&x).map_err(bad)?;
    let orgs = x
        .subject()
        .iter_organization()
        .filter_map(|a| a.as_str().ok().map(str::to_string))
        .collect();
    Ok(CaInfo {
        subject,
        subject_raw: x.subject().as_raw().to_vec(),
        dn,
        ski,
        key,
        ca,
        key_cert_sign,
        roles,
        bindings,
        orgs,
    })
}

/// The subject as rcgen needs it to write the issuer name. Fails for names rcgen cannot
/// reproduce (multi-valued or repeated attributes, unusual string types).
fn dn_from_x509(x: &X509Certificate<'_>) -> Result<DistinguishedName, String> {
    let mut dn = DistinguishedName::new();
    for rdn in x.subject().iter_rdn() {
        let attrs: Vec<_> = rdn.iter().collect();
        let [attr] = attrs.as_slice() else {
            return Err("subject has a multi-valued name component".into());
        };
        let arcs: Vec<u64> = attr
            .attr_type()
            .iter()
            .ok_or("subject attribute type has an arc over 64 bits")?
            .collect();
        let ty = DnType::from_oid(&arcs);
        if dn.get(&ty).is_some() {
            return Err("subject repeats an attribute type".into());
        }
        let data = attr.attr_value().data;
        let text =
            || std::str::from_utf8(data).map_err(|_| "subject value is not UTF-8".to_string());
        let e = |e: rcgen::Error| e.to_string();
        let value = match attr.attr_value().header.tag() {
            Tag::Utf8String => DnValue::Utf8String(text()?.to_string()),
            Tag::PrintableString => DnValue::PrintableString(text()?.try_into().map_err(e)?),
            Tag::Ia5String => DnValue::Ia5String(text()?.try_into().map_err(e)?),
            Tag::T61String => DnValue::TeletexString(text()?.try_into().map_err(e)?),
            Tag::BmpString => DnValue::BmpString(
                rcgen::string::BmpString::from_utf16be(data.to_vec()).map_err(e)?,
            ),
            Tag::UniversalString => DnValue::UniversalString(
                rcgen::string::UniversalString::from_utf32be(data.to_vec()).map_err(e)?,
            ),
            t => return Err(format!("subject value has unsupported string type {t}")),
        };
        dn.push(ty, value);
    }
    Ok(dn)
}

/// The subject as [`catchcert_model::dn::render`] shows it (as the verifier does).
fn display_subject(x: &X509Certificate<'_>) -> String {
    catchcert_model::dn::render(x.subject().iter_attributes().map(|a| {
        let value = a.as_str().map_err(|_| a.as_slice());
        (a.attr_type().to_id_string(), value)
    }))
}

/// Sign `spec` for `subject_key`: self-signed when `issuer_cert_pem` is None (then
/// `issuer_key` must be the subject's key), else under that CA certificate. No policy
/// checks beyond the self-check of the result (signature, issuer name, roles). Returns PEM.
pub fn sign_spec<K: rcgen::SigningKey>(
    spec: &CertSpec,
    subject_key: &impl PublicKeyData,
    issuer_cert_pem: Option<&str>,
    issuer_key: &K,
) -> Result<String, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject_dn(&spec.subject)?;
    params.not_before = to_time(spec.not_before)?;
    params.not_after = to_time(spec.not_after)?;
    params.serial_number = Some(match spec.serial {
        Some(b) => serial_from(b),
        None => random_serial(),
    });
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_identifier(subject_key));
    match spec.cert_type {
        CertType::Leaf => {
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
        CertType::Ca { path_len } => {
            params.is_ca = IsCa::Ca(match path_len {
                Some(n) => BasicConstraints::Constrained(n),
                None => BasicConstraints::Unconstrained,
            });
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
    }
    if let Some(roles) = &spec.roles {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &PLACEHOLDER_OID,
                roles_ext::encode(roles),
            ));
    }
    params
        .custom_extensions
        .extend(spec.extra_extensions.iter().cloned());

    let signer = Substituting { inner: issuer_key };
    let build = |e: rcgen::Error| PkiError::Build(e.to_string());
    let (mut der, issuer_raw) = match issuer_cert_pem {
        None => {
            let cert = params.self_signed(&signer).map_err(build)?;
            (cert.der().to_vec(), None)
        }
        Some(pem_text) => {
            let ca = parse_ca(read_one_cert(pem_text, "CA certificate")?, "CA certificate")?;
            let mut ip = CertificateParams::default();
            ip.distinguished_name = ca.dn.clone();
            ip.key_identifier_method = KeyIdMethod::PreSpecified(ca.ski.clone());
            ip.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            let issuer = Issuer::new(ip, &signer);
            let cert = params.signed_by(subject_key, &issuer).map_err(build)?;
            (cert.der().to_vec(), Some(ca.subject_raw))
        }
    };
    substitute_all(&mut der)?;
    self_check(&der, spec, issuer_raw.as_deref(), issuer_key)?;
    Ok(pem::encode(&pem::Pem::new("CERTIFICATE", der)))
}

/// Parse what was made: the issuer name is the CA's subject byte for byte, the roles read
/// back as asked, and (for Ed25519 issuers) the signature verifies over the TBS bytes.
fn self_check<K: rcgen::SigningKey>(
    der: &[u8],
    spec: &CertSpec,
    issuer_raw: Option<&[u8]>,
    issuer_key: &K,
) -> Result<(), PkiError> {
    let fail = |r: String| PkiError::SelfCheck(r);
    let (rest, x) = X509Certificate::from_der(der).map_err(|e| fail(e.to_string()))?;
    if !rest.is_empty() {
        return Err(fail("trailing bytes".into()));
    }
    let expected_issuer = issuer_raw.unwrap_or(x.subject().as_raw());
    if x.issuer().as_raw() != expected_issuer {
        return Err(fail(
            "the issuer name differs from the CA's subject name (rcgen cannot reproduce it)".into(),
        ));
    }
    let mut roles = None;
    for ext in x.extensions() {
        if ext.oid.as_bytes() == roles_ext::OID_DER {
            roles = Some(roles_ext::decode(ext.value).map_err(|e| fail(e.to_string()))?);
        } else if ext.oid.as_bytes() == bindings_ext::OID_DER {
            bindings_ext::decode(ext.value).map_err(|e| fail(e.to_string()))?;
        }
    }
    let mut want = spec.roles.clone();
    if let Some(w) = &mut want {
        w.sort_by_key(|r| r.as_str());
        w.dedup();
    }
    if roles != want {
        return Err(fail(format!(
            "roles read back as {roles:?}, expected {want:?}"
        )));
    }
    if issuer_key.algorithm() == &rcgen::PKCS_ED25519 {
        let key_bytes: [u8; 32] = issuer_key
            .der_bytes()
            .try_into()
            .map_err(|_| fail("issuer key is not 32 bytes".into()))?;
        let key = VerifyingKey::from_bytes(&key_bytes).map_err(|e| fail(e.to_string()))?;
        let sig =
            Signature::from_slice(&x.signature_value.data).map_err(|e| fail(e.to_string()))?;
        key.verify_strict(x.tbs_certificate.as_ref(), &sig)
            .map_err(|_| fail("the signature does not verify".into()))?;
    }
    Ok(())
}

/// Make a self-signed programme root: CA without path length limit and without roles
/// (unrestricted), keyUsage keyCertSign and cRLSign. Returns PEM.
pub fn init_root(
    key: &SigningKey,
    subject: &str,
    not_before: Timestamp,
    valid_days: u32,
) -> Result<String, PkiError> {
    init_root_with_serial(key, subject, not_before, valid_days, None)
}

/// [`init_root`] with a chosen serial number (reproducible test and demo programmes);
/// real roots use random serials.
pub fn init_root_with_serial(
    key: &SigningKey,
    subject: &str,
    not_before: Timestamp,
    valid_days: u32,
    serial: Option<[u8; 16]>,
) -> Result<String, PkiError> {
    let spec = CertSpec {
        subject: subject.to_string(),
        roles: None,
        cert_type: CertType::Ca { path_len: None },
        not_before,
        not_after: not_after(not_before, valid_days)?,
        extra_extensions: Vec::new(),
        serial,
    };
    let signer = Ed25519Signer::new(key);
    sign_spec(&spec, &signer, None, &signer)
}

/// Issue a certificate for `subject_key` under the CA (`ca_key`, `ca_cert_pem`). Refuses
/// a CA certificate that is not a CA (basicConstraints cA, keyUsage keyCertSign), a CA key
/// that does not match it, an empty role list, roles the CA does not carry (when it
/// carries a roles extension), and a CA certificate below a CA with pathLenConstraint 0.
/// Returns PEM.
pub fn issue(
    ca_key: &SigningKey,
    ca_cert_pem: &str,
    subject_key: &VerifyingKey,
    req: &IssueRequest<'_>,
) -> Result<String, PkiError> {
    issue_with_serial(ca_key, ca_cert_pem, subject_key, req, None)
}

/// [`issue`] with a chosen serial number (reproducible test and demo programmes); real
/// issuers use random serials.
pub fn issue_with_serial(
    ca_key: &SigningKey,
    ca_cert_pem: &str,
    subject_key: &VerifyingKey,
    req: &IssueRequest<'_>,
    serial: Option<[u8; 16]>,
) -> Result<String, PkiError> {
    issue_with_bindings(
        ca_key,
        ca_cert_pem,
        subject_key,
        req,
        &BindingsExt::default(),
        serial,
    )
}

/// [`issue_with_serial`] with bindings: the vessels, facilities and parties the new
/// certificate speaks for (contract §2), written in the bindings extension when any list
/// is non-empty. Refuses invalid values (an IMO number that is not `IMO` + 7 or 8 digits, a
/// bad name) and any value (the subject's `O` included) outside the CA's bindings.
pub fn issue_with_bindings(
    ca_key: &SigningKey,
    ca_cert_pem: &str,
    subject_key: &VerifyingKey,
    req: &IssueRequest<'_>,
    bindings: &BindingsExt,
    serial: Option<[u8; 16]>,
) -> Result<String, PkiError> {
    let bindings = bindings.normalized();
    bindings
        .validate()
        .map_err(|e| PkiError::Bindings(e.to_string()))?;
    if req.roles.contains(&Role::Auditor)
        && let Some(role) = req.roles.iter().find(|r| r.is_custody())
    {
        return Err(PkiError::AuditorWithCustody { role: *role });
    }
    let orgs: Vec<String> = parse_subject(req.subject)?
        .into_iter()
        .filter(|a| a.key == "O")
        .map(|a| a.value)
        .collect();
    let ca = parse_ca(
        read_one_cert(ca_cert_pem, "CA certificate")?,
        "CA certificate",
    )?;
    let Some(ca_path_len) = ca.ca else {
        return Err(PkiError::NotACa {
            subject: ca.subject,
            reason: "basicConstraints does not say cA (it is not a CA certificate)".into(),
        });
    };
    if !ca.key_cert_sign {
        return Err(PkiError::NotACa {
            subject: ca.subject,
            reason: "keyUsage does not allow keyCertSign".into(),
        });
    }
    if ca.key != Some(ca_key.verifying_key().to_bytes()) {
        return Err(PkiError::KeyMismatch {
            subject: ca.subject,
        });
    }
    if req.roles.is_empty() {
        return Err(PkiError::NoRoles);
    }
    if let Some(ca_roles) = &ca.roles
        && let Some(role) = req.roles.iter().find(|r| !ca_roles.contains(r))
    {
        return Err(PkiError::RoleWidening {
            role: *role,
            ca: ca.subject,
            ca_roles: ca_roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if matches!(req.cert_type, CertType::Ca { .. }) && ca_path_len == Some(0) {
        return Err(PkiError::PathLen { ca: ca.subject });
    }
    // Only the CA's own bindings are known here; `pki verify` and the verifier check the
    // whole path.
    if let Some(ca_bindings) = &ca.bindings {
        let mut restriction = Restriction::default();
        restriction.narrow(ca_bindings, &ca.orgs);
        if let Some((list, value)) = bindings_ext::first_widening(&restriction, &bindings, &orgs) {
            return Err(PkiError::BindingsWidening {
                list,
                value: value.to_string(),
                ca: ca.subject,
            });
        }
    }
    let mut extra_extensions = Vec::new();
    if !bindings.is_empty() {
        extra_extensions.push(bindings_extension(&bindings));
    }
    let spec = CertSpec {
        subject: req.subject.to_string(),
        roles: Some(req.roles.to_vec()),
        cert_type: req.cert_type,
        not_before: req.not_before,
        not_after: not_after(req.not_before, req.valid_days)?,
        extra_extensions,
        serial,
    };
    sign_spec(
        &spec,
        &Ed25519Public::new(subject_key),
        Some(ca_cert_pem),
        &Ed25519Signer::new(ca_key),
    )
}

/// The bindings extension for [`CertSpec::extra_extensions`] (non-critical, written under
/// [`BINDINGS_PLACEHOLDER_OID`] and given its real OID when signed). Values are not
/// checked: tests use it to make certificates `issue` refuses.
pub fn bindings_extension(bindings: &BindingsExt) -> CustomExtension {
    CustomExtension::from_oid_content(&BINDINGS_PLACEHOLDER_OID, bindings_ext::encode(bindings))
}

/// The bindings extension of a certificate (`None` without it).
pub fn cert_bindings(cert_pem: &str) -> Result<Option<BindingsExt>, PkiError> {
    let der = read_pem_chain(cert_pem)?
        .into_iter()
        .next()
        .ok_or_else(|| PkiError::Read {
            what: "certificate",
            reason: "no certificate".into(),
        })?;
    Ok(parse_ca(der, "certificate")?.bindings)
}

/// Whether `key` is the private key of the certificate's public key. False for anything
/// unreadable.
pub fn cert_key_matches(cert_pem: &str, key: &SigningKey) -> bool {
    read_one_cert(cert_pem, "certificate")
        .and_then(|der| parse_ca(der, "certificate"))
        .is_ok_and(|c| c.key == Some(key.verifying_key().to_bytes()))
}

/// The roles in a certificate's roles extension (none without it), sorted by name.
pub fn cert_roles(cert_pem: &str) -> Result<Vec<Role>, PkiError> {
    let der = read_pem_chain(cert_pem)?
        .into_iter()
        .next()
        .ok_or_else(|| PkiError::Read {
            what: "certificate",
            reason: "no certificate".into(),
        })?;
    Ok(parse_ca(der, "certificate")?.roles.unwrap_or_default())
}

/// All CERTIFICATE blocks of a PEM text as DER, in order. Another block type, a text
/// without any block, or more than 1 MiB of text is an error.
pub fn read_pem_chain(pem_text: &str) -> Result<Vec<Vec<u8>>, PkiError> {
    catchcert_model::pem::certificates(pem_text).map_err(|reason| PkiError::Read {
        what: "PEM",
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn root() -> (SigningKey, String) {
        let k = keys::generate();
        let pem = init_root(
            &k,
            "CN=Test Root,O=Programme",
            t("2026-01-01T00:00:00Z"),
            365,
        )
        .unwrap();
        (k, pem)
    }

    fn req<'a>(subject: &'a str, roles: &'a [Role], cert_type: CertType) -> IssueRequest<'a> {
        IssueRequest {
            subject,
            roles,
            cert_type,
            not_before: t("2026-01-01T00:00:00Z"),
            valid_days: 180,
        }
    }

    #[test]
    fn placeholder_and_real_oid_have_the_same_length() {
        let from = oid_tlv(&PLACEHOLDER_OID).unwrap();
        assert_eq!(from.len(), 2 + roles_ext::OID_DER.len());
        assert_ne!(&from[2..], &roles_ext::OID_DER[..]);
        // 1.3.101.112 encodes as in RFC 8410
        assert_eq!(
            oid_tlv(&[1, 3, 101, 112]).unwrap(),
            [0x06, 0x03, 0x2b, 0x65, 0x70]
        );
    }

    #[test]
    fn subjects_parse_with_escapes_and_refuse_mistakes() {
        let a = parse_subject("CN=Acme\\, Inc.,O=Acme, C=NO").unwrap();
        assert_eq!(
            a,
            vec![
                SubjectAttr {
                    key: "CN",
                    value: "Acme, Inc.".into()
                },
                SubjectAttr {
                    key: "O",
                    value: "Acme".into()
                },
                SubjectAttr {
                    key: "C",
                    value: "NO".into()
                },
            ]
        );
        let bad = [
            ("CN=x,E=a@b", "unknown attribute type"),
            ("O=only", "CN"),
            ("CN=x,C=Norway", "two-letter"),
            ("CN=x,CN=y", "twice"),
            ("CN=", "empty"),
            ("CN=a,b", "TYPE=VALUE"),
            ("CN=x\\", "lone"),
        ];
        for (s, want) in bad {
            let e = parse_subject(s).unwrap_err().to_string();
            assert!(e.contains(want), "{s}: {e}");
        }
        let long = format!("CN={}", "x".repeat(65));
        assert!(parse_subject(&long).is_err());
    }

    #[test]
    fn root_and_issuer_round_trip() {
        let (rk, rpem) = root();
        assert!(cert_key_matches(&rpem, &rk));
        assert!(!cert_key_matches(&rpem, &keys::generate()));
        assert_eq!(cert_roles(&rpem).unwrap(), vec![]);

        let ik = keys::generate();
        let ipem = issue(
            &rk,
            &rpem,
            &ik.verifying_key(),
            &req(
                "CN=Trader A,O=Acme\\, Inc.",
                &[Role::Trader, Role::Processor],
                CertType::Leaf,
            ),
        )
        .unwrap();
        assert!(cert_key_matches(&ipem, &ik));
        assert_eq!(
            cert_roles(&ipem).unwrap(),
            vec![Role::Processor, Role::Trader]
        );
        let der = read_pem_chain(&ipem).unwrap().remove(0);
        let (_, x) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(display_subject(&x), "CN=Trader A,O=Acme\\, Inc.");
        assert!(!x.is_ca());
        // the real roles OID is in the certificate and the placeholder is not
        let placeholder = oid_tlv(&PLACEHOLDER_OID).unwrap();
        assert!(!der.windows(placeholder.len()).any(|w| w == placeholder));
        assert!(der.windows(21).any(|w| w == roles_ext::OID_DER));
        // AKI = root's SKI
        let rder = read_pem_chain(&rpem).unwrap().remove(0);
        let (_, rx) = X509Certificate::from_der(&rder).unwrap();
        let ski = rx
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                _ => None,
            });
        let aki = x
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => None,
            });
        assert!(ski.is_some());
        assert_eq!(ski, aki);
    }

    fn names(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn bindings_are_written_and_narrow_below_a_ca() {
        let (rk, rpem) = root();
        // a vessel key bound to two IMO numbers, directly under the root (unrestricted)
        let vk = keys::generate();
        let two = BindingsExt {
            vessels: names(&["IMO9123456", "IMO9074729"]),
            facilities: None,
            parties: names(&["Blue Horizon Fishing"]),
        };
        let vpem = issue_with_bindings(
            &rk,
            &rpem,
            &vk.verifying_key(),
            &req(
                "CN=Blue Horizon 12,O=Blue Horizon Co",
                &[Role::Vessel],
                CertType::Leaf,
            ),
            &two,
            None,
        )
        .unwrap();
        let back = cert_bindings(&vpem).unwrap().unwrap();
        assert_eq!(back.vessels, names(&["IMO9074729", "IMO9123456"]));
        assert_eq!(back.parties, names(&["Blue Horizon Fishing"]));
        assert_eq!(back.facilities, None);
        let der = read_pem_chain(&vpem).unwrap().remove(0);
        let placeholder = oid_tlv(&BINDINGS_PLACEHOLDER_OID).unwrap();
        assert!(!der.windows(placeholder.len()).any(|w| w == placeholder));
        assert!(der.windows(21).any(|w| w == bindings_ext::OID_DER));
        // no bindings: no extension
        let plain = issue(
            &rk,
            &rpem,
            &keys::generate().verifying_key(),
            &req("CN=Plain", &[Role::Trader], CertType::Leaf),
        )
        .unwrap();
        assert_eq!(cert_bindings(&plain).unwrap(), None);

        // an intermediate bound to one vessel and party "Fleet", O "Fleet Group"
        let ck = keys::generate();
        let cpem = issue_with_bindings(
            &rk,
            &rpem,
            &ck.verifying_key(),
            &req(
                "CN=Fleet CA,O=Fleet Group",
                &[Role::Vessel, Role::Trader],
                CertType::Ca { path_len: None },
            ),
            &BindingsExt {
                vessels: names(&["IMO9074729"]),
                facilities: None,
                parties: names(&["Fleet"]),
            },
            None,
        )
        .unwrap();
        let under = |subject: &str, b: &BindingsExt| {
            issue_with_bindings(
                &ck,
                &cpem,
                &keys::generate().verifying_key(),
                &req(subject, &[Role::Vessel], CertType::Leaf),
                b,
                None,
            )
        };
        // a subset, with the CA's O as the child's O: fine; facilities are unrestricted
        under(
            "CN=Sea Harvest 7,O=Fleet Group",
            &BindingsExt {
                vessels: names(&["IMO9074729"]),
                facilities: names(&["Any Plant"]),
                parties: names(&["Fleet"]),
            },
        )
        .unwrap();
        // widening: another vessel, another party, or an O outside the CA's parties
        let e = under(
            "CN=X,O=Fleet",
            &BindingsExt {
                vessels: names(&["IMO9123456"]),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(&e, PkiError::BindingsWidening { list: "vessels", value, .. } if value == "IMO9123456"),
            "{e}"
        );
        let e = under(
            "CN=X",
            &BindingsExt {
                parties: names(&["Rival"]),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                &e,
                PkiError::BindingsWidening {
                    list: "parties",
                    ..
                }
            ),
            "{e}"
        );
        let e = under("CN=X,O=Rival Co", &BindingsExt::default()).unwrap_err();
        assert!(
            matches!(&e, PkiError::BindingsWidening { list: "parties", value, .. } if value == "Rival Co"),
            "{e}"
        );
        // an IMO number that is not one
        let e = under(
            "CN=X,O=Fleet",
            &BindingsExt {
                vessels: names(&["IMO12"]),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(&e, PkiError::Bindings(m) if m.contains("IMO12")),
            "{e}"
        );
    }

    #[test]
    fn auditor_and_a_custody_role_are_refused_together() {
        let (rk, rpem) = root();
        let sub = keys::generate().verifying_key();
        for custody in Role::CUSTODY {
            let e = issue(
                &rk,
                &rpem,
                &sub,
                &req("CN=X", &[Role::Auditor, custody], CertType::Leaf),
            )
            .unwrap_err();
            assert!(
                matches!(e, PkiError::AuditorWithCustody { role } if role == custody),
                "{custody}: {e}"
            );
            assert!(e.to_string().contains("who audits"), "{e}");
        }
        for other in [Role::Registrar, Role::Listkeeper] {
            issue(
                &rk,
                &rpem,
                &sub,
                &req("CN=X", &[Role::Auditor, other], CertType::Leaf),
            )
            .unwrap();
        }
    }

    #[test]
    fn issue_refuses_what_the_ca_may_not_grant() {
        let (rk, rpem) = root();
        let sub = keys::generate().verifying_key();
        // intermediate with roles trader, retailer and path length 0
        let ik = keys::generate();
        let ipem = issue(
            &rk,
            &rpem,
            &ik.verifying_key(),
            &req(
                "CN=Region",
                &[Role::Trader, Role::Retailer],
                CertType::Ca { path_len: Some(0) },
            ),
        )
        .unwrap();
        let e = issue(
            &ik,
            &ipem,
            &sub,
            &req("CN=X", &[Role::Auditor], CertType::Leaf),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                PkiError::RoleWidening {
                    role: Role::Auditor,
                    ..
                }
            ),
            "{e}"
        );
        let e = issue(
            &ik,
            &ipem,
            &sub,
            &req("CN=X", &[Role::Trader], CertType::Ca { path_len: None }),
        )
        .unwrap_err();
        assert!(matches!(e, PkiError::PathLen { .. }), "{e}");
        // wrong CA key
        let e = issue(
            &rk,
            &ipem,
            &sub,
            &req("CN=X", &[Role::Trader], CertType::Leaf),
        )
        .unwrap_err();
        assert!(matches!(e, PkiError::KeyMismatch { .. }), "{e}");
        // a leaf is not a CA
        let lk = keys::generate();
        let lpem = issue(
            &ik,
            &ipem,
            &lk.verifying_key(),
            &req("CN=Leaf", &[Role::Trader], CertType::Leaf),
        )
        .unwrap();
        let e = issue(
            &lk,
            &lpem,
            &sub,
            &req("CN=X", &[Role::Trader], CertType::Leaf),
        )
        .unwrap_err();
        assert!(matches!(e, PkiError::NotACa { .. }), "{e}");
        // no roles; bad validity; garbage CA
        let e = issue(&ik, &ipem, &sub, &req("CN=X", &[], CertType::Leaf)).unwrap_err();
        assert!(matches!(e, PkiError::NoRoles));
        let mut r = req("CN=X", &[Role::Trader], CertType::Leaf);
        r.valid_days = 0;
        assert!(matches!(
            issue(&ik, &ipem, &sub, &r),
            Err(PkiError::Validity(_))
        ));
        assert!(matches!(
            issue(
                &ik,
                "junk",
                &sub,
                &req("CN=X", &[Role::Trader], CertType::Leaf)
            ),
            Err(PkiError::Read { .. })
        ));
        // allowed: a narrower role set
        issue(
            &ik,
            &ipem,
            &sub,
            &req("CN=Ok", &[Role::Retailer], CertType::Leaf),
        )
        .unwrap();
    }

    #[test]
    fn pem_chain_reads_blocks_in_order_and_refuses_others() {
        let (_, a) = root();
        let (_, b) = root();
        let both = format!("{a}\n{b}");
        let certs = read_pem_chain(&both).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0], read_pem_chain(&a).unwrap()[0]);
        let k = keys::private_pem(&keys::generate()).unwrap();
        assert!(
            read_pem_chain(&format!("{a}{k}"))
                .unwrap_err()
                .to_string()
                .contains("PRIVATE KEY")
        );
        assert!(read_pem_chain("").is_err());
    }
}

//! Issuer path validation: from the x5chain leaf of a certificate up to a trust anchor.
//!
//! Pure: no I/O, no clock. The caller passes DER certificates (the COSE `x5chain`, leaf
//! first, plus an optional pool of further intermediates, e.g. from a bundle), the trust
//! anchors and the time to validate at. For a catchcert certificate that time is its
//! `issued_at` (the signer's claim); `catchcert pki verify` uses `--at` (default: now).
//!
//! # Rules, in the order they are applied
//!
//! For the leaf (path-independent, reported at once):
//! 1. It parses as a DER X.509 v3 certificate of at most [`MAX_CERT_LEN`] bytes, with no
//!    trailing bytes, no duplicate extensions and a well-formed roles extension.
//! 2. Its signature algorithm and public key are Ed25519 (OID 1.3.101.112, parameters
//!    absent, RFC 8410); any other algorithm is named in
//!    [`PathError::UnsupportedAlgorithm`].
//! 3. It has no critical extension other than basicConstraints, keyUsage and the roles
//!    extension ([`PathError::UnknownCriticalExtension`]).
//! 4. keyUsage is present and allows digitalSignature ([`PathValidator::validate`], for
//!    signers); [`PathValidator::validate_certificate`] accepts a CA certificate as the
//!    leaf and then requires keyCertSign instead.
//!
//! Then, for every candidate issuer (anchors first, then the other x5chain entries and the
//! pool), depth first:
//! 5. Its subject is byte for byte the child's issuer name (candidates are only drawn this
//!    way; without one the error is [`PathError::UnknownIssuer`]).
//! 6. It parses (rule 1), has an Ed25519 key (rule 2) and no unknown critical extension
//!    (rule 3).
//! 7. basicConstraints says cA ([`PathError::NotACa`]) and keyUsage allows keyCertSign
//!    ([`PathError::KeyUsage`]).
//! 8. Its pathLenConstraint is not below the number of intermediates between it and the
//!    leaf ([`PathError::PathLenExceeded`]).
//! 9. The child's signature verifies with its key under `verify_strict`
//!    ([`PathError::BadSignature`]). Strict verification rejects non-canonical scalars and
//!    small-order keys and points, so a signature cannot be malleated.
//! 10. A path holds at most [`MAX_DEPTH`] certificates, leaf and anchor included
//!     ([`PathError::TooDeep`]); no certificate appears twice.
//!
//! Once a path reaches an anchor:
//! 11. Roles narrow from the anchor down: a certificate with a roles extension may only
//!     list roles that the nearest certificate above it with a roles extension lists
//!     ([`PathError::RoleWidening`]). An anchor without the extension is unrestricted; an
//!     intermediate without it passes its parent's restriction on unchanged.
//! 11a. Bindings narrow the same way, per list (vessels, facilities, parties; see
//!     [`catchcert_model::bindings_ext`]): a list a certificate carries may only hold values
//!     of the nearest list of that kind above it, and where parties are restricted, the
//!     subject `O` values of the leaf (and of any certificate carrying parties) count as
//!     its parties ([`PathError::BindingsWidening`]). A certificate without a list does
//!     not restrict that kind.
//! 12. Every certificate on the path, anchor included, is valid at the given time:
//!     `not_before <= at <= not_after` ([`PathError::NotYetValid`], [`PathError::Expired`]),
//!     leaf first.
//!
//! The anchor's own signature is not checked: it is trusted by configuration (RFC 5280
//! §6.1.1). When every candidate path fails, the most specific error is reported (see
//! [`PathError::rank`]): an expired or role-widening path that is otherwise sound beats a
//! bad signature, which beats an unknown issuer.
//!
//! # Caching
//!
//! A [`PathValidator`] keeps every certificate it parsed, keyed by the SHA-256 of its DER,
//! and the outcome of every (child, issuer) signature check. Verifying many certificates
//! issued by the same few issuers parses and checks each issuer certificate once; the
//! time and role checks (cheap) run on every call.
//!
//! # Names
//!
//! Subjects are shown as `CN=…,O=…` (RFC 4514 short names for CN, O, OU, C, L, ST; the
//! dotted OID otherwise; `,` and `\` escaped with `\`), control characters replaced by
//! `?`, at most 256 characters.

use crate::findings::Code;
use crate::signature::{self, SignatureChecked};
use catchcert_model::bindings_ext::{self, Bindings, BindingsExt, Restriction};
use catchcert_model::kind::{Kind, Role};
use catchcert_model::roles_ext;
use catchcert_model::timestamp::Timestamp;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

/// Most certificates in one path, leaf and anchor included. A programme root, a regional
/// intermediate, a certification-body intermediate and an issuer take four; eight leaves
/// room while bounding the search (webpki uses six intermediates).
pub const MAX_DEPTH: usize = 8;
/// Largest accepted certificate (DER). Issuer certificates are about 500 bytes.
pub const MAX_CERT_LEN: usize = 16 * 1024;
/// Most entries in one x5chain.
pub const MAX_CHAIN: usize = 16;
/// Most certificates in a pool of extra intermediates.
pub const MAX_POOL: usize = 10_000;
/// Most trust anchors.
pub const MAX_ANCHORS: usize = 1_000;
/// Uncached signature checks one validation may spend (webpki's budget is 100).
pub const SIGNATURE_BUDGET: u32 = 100;
/// Path-building steps one validation may spend (webpki's budget is 200,000).
pub const BUILD_BUDGET: u32 = 20_000;
/// Cache entries kept before the cache is cleared.
const CACHE_LIMIT: usize = 50_000;

/// Ed25519 (RFC 8410), content octets of the OID 1.3.101.112.
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];

/// Why an issuer path is not valid. `code()` gives the contract finding code.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// A certificate on the path had expired at the time checked.
    #[error("{subject}: expired at {not_after} (checked at {at})")]
    Expired {
        /// Subject of the expired certificate.
        subject: String,
        /// Its notAfter.
        not_after: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
    /// A certificate on the path was not yet valid at the time checked.
    #[error("{subject}: not valid before {not_before} (checked at {at})")]
    NotYetValid {
        /// Subject of the certificate.
        subject: String,
        /// Its notBefore.
        not_before: Timestamp,
        /// The time checked.
        at: Timestamp,
    },
    /// No trust anchor nor intermediate with the issuer's name.
    #[error("{subject}: issuer {issuer} is neither a trusted root nor a known intermediate")]
    UnknownIssuer {
        /// Subject of the certificate whose issuer is missing.
        subject: String,
        /// Its issuer name.
        issuer: String,
    },
    /// The signature does not verify with the named issuer's key.
    #[error("{subject}: signature does not verify with the key of {issuer}")]
    BadSignature {
        /// Subject of the signed certificate.
        subject: String,
        /// Subject of the candidate issuer.
        issuer: String,
    },
    /// A certificate used as an issuer is not a CA (basicConstraints cA is not true).
    #[error("{subject}: is not a CA certificate but issued {child}")]
    NotACa {
        /// Subject of the certificate used as an issuer.
        subject: String,
        /// Subject of the certificate it signed.
        child: String,
    },
    /// A CA's pathLenConstraint is exceeded.
    #[error(
        "{subject}: pathLenConstraint {path_len} allows {path_len} intermediate(s) below it, the path has {below}"
    )]
    PathLenExceeded {
        /// Subject of the constrained CA.
        subject: String,
        /// Its pathLenConstraint.
        path_len: u32,
        /// Intermediates between it and the leaf.
        below: usize,
    },
    /// keyUsage is missing or does not allow the use.
    #[error("{subject}: keyUsage does not allow {needed}")]
    KeyUsage {
        /// Subject of the certificate.
        subject: String,
        /// "digitalSignature" or "keyCertSign".
        needed: &'static str,
    },
    /// A critical extension this verifier does not process.
    #[error("{subject}: unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// Subject of the certificate.
        subject: String,
        /// The extension's OID, dotted.
        oid: String,
    },
    /// A certificate lists a role its CA does not.
    #[error("{subject}: role {role} is not among the roles of the CA above it")]
    RoleWidening {
        /// Subject of the widening certificate.
        subject: String,
        /// The first role not allowed.
        role: Role,
    },
    /// A certificate binds a vessel, facility or party (or has a subject `O`) outside the
    /// bindings of a CA above it.
    #[error("{subject}: {list} {value:?} is not among the bindings of the CA above it")]
    BindingsWidening {
        /// Subject of the widening certificate.
        subject: String,
        /// "vessels", "facilities" or "parties".
        list: &'static str,
        /// The first value not allowed.
        value: String,
    },
    /// A signature or public-key algorithm other than Ed25519.
    #[error(
        "{subject}: {what} algorithm {name} ({oid}) is not supported; issuer certificates use Ed25519 (1.3.101.112)"
    )]
    UnsupportedAlgorithm {
        /// Subject of the certificate.
        subject: String,
        /// "signature" or "public key".
        what: &'static str,
        /// A readable name of the algorithm, or "unknown".
        name: &'static str,
        /// The algorithm's OID, dotted.
        oid: String,
    },
    /// Not a well-formed certificate (or PEM).
    #[error("{cert}: malformed certificate: {reason}")]
    Malformed {
        /// The subject if known, else `certificate sha256:<first 8 bytes hex>`.
        cert: String,
        /// What is wrong.
        reason: String,
    },
    /// Every path would need more than [`MAX_DEPTH`] certificates.
    #[error("issuer path is longer than {limit} certificates")]
    TooDeep {
        /// [`MAX_DEPTH`].
        limit: usize,
    },
    /// The search exceeded its signature or step budget (hostile input). Ends the search.
    #[error("issuer path search gave up: {0}")]
    TooComplex(&'static str),
    /// No trust anchor was given.
    #[error("no trust anchors: the trust file holds no certificate")]
    NoAnchors,
}

impl PathError {
    /// The contract finding code: `issuer.expired` for a certificate not valid at the
    /// time checked, `issuer.role` for role widening, `issuer.untrusted` for the rest.
    pub fn code(&self) -> &'static str {
        self.finding_code().as_str()
    }

    /// The finding code, typed (see [`code`](Self::code)).
    pub fn finding_code(&self) -> Code {
        match self {
            PathError::Expired { .. } | PathError::NotYetValid { .. } => Code::IssuerExpired,
            PathError::RoleWidening { .. } => Code::IssuerRole,
            PathError::BindingsWidening { .. } => Code::IssuerScope,
            _ => Code::IssuerUntrusted,
        }
    }

    /// How specific the error is; the highest-ranked failure of all candidate paths is
    /// reported. Errors found on a path that reached an anchor (time, roles) rank above
    /// structural ones; an unknown issuer is the fallback.
    pub fn rank(&self) -> u8 {
        match self {
            PathError::UnknownIssuer { .. } => 0,
            PathError::TooDeep { .. } => 5,
            PathError::Malformed { .. } => 10,
            PathError::BadSignature { .. } => 20,
            PathError::UnsupportedAlgorithm { .. } => 30,
            PathError::NotACa { .. }
            | PathError::KeyUsage { .. }
            | PathError::PathLenExceeded { .. }
            | PathError::UnknownCriticalExtension { .. } => 40,
            PathError::Expired { .. } | PathError::NotYetValid { .. } => 50,
            PathError::RoleWidening { .. } | PathError::BindingsWidening { .. } => 60,
            PathError::TooComplex(_) | PathError::NoAnchors => 100,
        }
    }

    fn is_fatal(&self) -> bool {
        matches!(self, PathError::TooComplex(_) | PathError::NoAnchors)
    }
}

/// A validated issuer: the leaf of a path that ends at a trust anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIssuer {
    /// The leaf's Ed25519 public key.
    pub key: VerifyingKey,
    /// The leaf's subject.
    pub subject: String,
    /// The leaf's own roles (its roles extension; none without it), sorted by name.
    pub roles: Vec<Role>,
    /// What the leaf speaks for: the vessels, facilities and parties of its bindings
    /// extension plus its subject's `O` values among the parties (contract §2). Checked to
    /// be within the bindings of every CA above it.
    pub bindings: Bindings,
    /// SHA-256 of the leaf's DER.
    pub leaf_sha256: [u8; 32],
    /// The leaf's notBefore.
    pub not_before: Timestamp,
    /// The leaf's notAfter.
    pub not_after: Timestamp,
    /// Whether the leaf is a CA certificate (only from [`PathValidator::validate_certificate`]).
    pub is_ca: bool,
    /// Subjects along the path, leaf first, anchor last.
    pub path: Vec<String>,
    /// The proof that the leaf's signature by its issuer was checked; `None` when the
    /// leaf is itself a trust anchor. Private: a `ValidIssuer` is only made here.
    leaf_signature: Option<SignatureChecked>,
}

impl ValidIssuer {
    /// The proof that the leaf's signature by its issuer verified (`None` when the leaf
    /// is itself a trust anchor, trusted by configuration).
    pub fn leaf_signature(&self) -> Option<SignatureChecked> {
        self.leaf_signature
    }
}

/// Whether the issuer's roles allow signing `kind` (contract §2). A thin wrapper over
/// [`Role::any_allows`]; the rule that any issuer may revoke its own certificates needs
/// the revoked certificate and is applied by the caller.
pub fn roles_allow(issuer: &ValidIssuer, kind: Kind) -> bool {
    Role::any_allows(&issuer.roles, kind)
}

/// All CERTIFICATE blocks of a PEM text, as DER, in order. Any other block type is an
/// error, and so is a text without any block.
pub fn certs_from_pem(pem_text: &str) -> Result<Vec<Vec<u8>>, PathError> {
    catchcert_model::pem::certificates(pem_text).map_err(|reason| PathError::Malformed {
        cert: "PEM".into(),
        reason,
    })
}

/// The trusted roots: programme root certificates with Ed25519 keys.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    certs: Vec<Arc<Cert>>,
}

impl TrustAnchors {
    /// Anchors from PEM text holding one or more CERTIFICATE blocks.
    pub fn from_pem(pem_text: &str) -> Result<Self, PathError> {
        Self::from_der(certs_from_pem(pem_text)?)
    }

    /// Anchors from DER certificates. Each must parse and carry an Ed25519 key; duplicates
    /// are dropped.
    pub fn from_der(certs: Vec<Vec<u8>>) -> Result<Self, PathError> {
        if certs.is_empty() {
            return Err(PathError::NoAnchors);
        }
        if certs.len() > MAX_ANCHORS {
            return Err(PathError::Malformed {
                cert: "trust anchors".into(),
                reason: format!(
                    "{} certificates, over the limit of {MAX_ANCHORS}",
                    certs.len()
                ),
            });
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for der in certs {
            let cert = Cert::parse(&der)?;
            cert.key()?;
            if seen.insert(cert.sha256) {
                out.push(Arc::new(cert));
            }
        }
        Ok(TrustAnchors { certs: out })
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are no anchors (never true for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Subjects of the anchors, in order.
    pub fn subjects(&self) -> Vec<String> {
        self.certs.iter().map(|c| c.subject.clone()).collect()
    }
}

/// Validates issuer paths against fixed anchors, caching parsed certificates and
/// signature checks across calls (see the module documentation).
#[derive(Debug)]
pub struct PathValidator {
    anchors: TrustAnchors,
    /// Pre-loaded intermediates (see [`PathValidator::add_pool`]), by subject name.
    pool_index: HashMap<Vec<u8>, Vec<Arc<Cert>>>,
    pool_seen: HashSet<[u8; 32]>,
    parsed: HashMap<[u8; 32], Result<Arc<Cert>, PathError>>,
    signatures: HashMap<([u8; 32], [u8; 32]), Option<SignatureChecked>>,
}

/// What the leaf must be allowed to do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LeafUse {
    /// Sign catchcert certificates: digitalSignature.
    Signer,
    /// Any certificate of the PKI: keyCertSign for a CA, digitalSignature otherwise.
    Any,
}

struct Search<'a> {
    candidates: &'a [Arc<Cert>],
    at: Timestamp,
    signatures_left: u32,
    steps_left: u32,
}

impl PathValidator {
    /// A validator for these anchors, with an empty cache.
    pub fn new(anchors: TrustAnchors) -> Self {
        PathValidator {
            anchors,
            pool_index: HashMap::new(),
            pool_seen: HashSet::new(),
            parsed: HashMap::new(),
            signatures: HashMap::new(),
        }
    }

    /// The anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// Pre-load candidate intermediates (e.g. a bundle's issuer certificates) once for the
    /// whole run: each is parsed and hashed once and indexed by subject name, so a path
    /// search looks up the issuers of a certificate instead of scanning every candidate.
    /// Unlike the per-call `pool`, certificates that do not parse (or exceed the pool
    /// limit) are skipped, not errors: they are optional material, and a damaged extra
    /// certificate must not make every path fail. Returns how many were skipped.
    pub fn add_pool(&mut self, ders: &[Vec<u8>]) -> usize {
        let mut skipped = 0;
        for der in ders {
            if self.pool_seen.len() >= MAX_POOL {
                skipped += 1;
                continue;
            }
            match self.parse_cached(der) {
                Ok(c) => {
                    if self.pool_seen.insert(c.sha256) {
                        self.pool_index
                            .entry(c.subject_raw.clone())
                            .or_default()
                            .push(c);
                    }
                }
                Err(_) => skipped += 1,
            }
        }
        skipped
    }

    /// Validate the path of a signer: `chain` is the x5chain (DER, leaf first, then
    /// intermediates in any order), `pool` holds further candidate intermediates, `at` the
    /// time to check validity at. The leaf must allow digitalSignature.
    pub fn validate(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
    ) -> Result<ValidIssuer, PathError> {
        self.run(chain, pool, at, LeafUse::Signer)
    }

    /// Like [`validate`](Self::validate), but the leaf may also be a CA certificate
    /// (intermediate or root), which must then allow keyCertSign. For `pki verify`.
    pub fn validate_certificate(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
    ) -> Result<ValidIssuer, PathError> {
        self.run(chain, pool, at, LeafUse::Any)
    }

    fn run(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
        leaf_use: LeafUse,
    ) -> Result<ValidIssuer, PathError> {
        let Some(leaf_der) = chain.first() else {
            return Err(PathError::Malformed {
                cert: "x5chain".into(),
                reason: "empty: no leaf certificate".into(),
            });
        };
        if chain.len() > MAX_CHAIN {
            return Err(PathError::Malformed {
                cert: "x5chain".into(),
                reason: format!(
                    "{} certificates, over the limit of {MAX_CHAIN}",
                    chain.len()
                ),
            });
        }
        if pool.len() > MAX_POOL {
            return Err(PathError::Malformed {
                cert: "intermediates".into(),
                reason: format!("{} certificates, over the limit of {MAX_POOL}", pool.len()),
            });
        }
        if self.parsed.len() > CACHE_LIMIT || self.signatures.len() > CACHE_LIMIT {
            self.parsed.clear();
            self.signatures.clear();
        }
        let leaf = self.parse_cached(leaf_der)?;
        leaf_checks(&leaf, leaf_use)?;

        // A leaf that is itself an anchor: the path is that one certificate.
        let path = if self.anchors.certs.iter().any(|a| a.sha256 == leaf.sha256) {
            let path = vec![leaf.clone()];
            check_path(&path, at)?;
            path
        } else {
            // Candidate intermediates: the rest of the x5chain, then the pool. Every one
            // must parse: a broken certificate is an error even if no path needs it.
            let mut seen: HashSet<[u8; 32]> = self.anchors.certs.iter().map(|a| a.sha256).collect();
            seen.insert(leaf.sha256);
            let mut candidates = Vec::new();
            for der in chain[1..].iter().chain(pool) {
                let c = self.parse_cached(der)?;
                if seen.insert(c.sha256) {
                    candidates.push(c);
                }
            }
            let mut search = Search {
                candidates: &candidates,
                at,
                signatures_left: SIGNATURE_BUDGET,
                steps_left: BUILD_BUDGET,
            };
            let mut path = vec![leaf.clone()];
            self.extend(&mut search, &mut path)?
        };
        Ok(ValidIssuer {
            key: leaf.key()?,
            subject: leaf.subject.clone(),
            roles: leaf.roles.clone().unwrap_or_default(),
            bindings: Bindings::effective(leaf.bindings.as_ref(), &leaf.orgs),
            leaf_sha256: leaf.sha256,
            not_before: leaf.not_before,
            not_after: leaf.not_after,
            is_ca: leaf.ca.is_some(),
            path: path.iter().map(|c| c.subject.clone()).collect(),
            leaf_signature: path
                .get(1)
                .and_then(|issuer| self.signatures.get(&(leaf.sha256, issuer.sha256)))
                .copied()
                .flatten(),
        })
    }

    fn parse_cached(&mut self, der: &[u8]) -> Result<Arc<Cert>, PathError> {
        let h: [u8; 32] = Sha256::digest(der).into();
        self.parsed
            .entry(h)
            .or_insert_with(|| Cert::parse(der).map(Arc::new))
            .clone()
    }

    /// Depth-first search for an issuer of `path.last()`. Returns the full path (leaf
    /// first, anchor last) or the most specific failure.
    fn extend(
        &mut self,
        search: &mut Search<'_>,
        path: &mut Vec<Arc<Cert>>,
    ) -> Result<Vec<Arc<Cert>>, PathError> {
        search.steps_left = search
            .steps_left
            .checked_sub(1)
            .ok_or(PathError::TooComplex("too many path-building steps"))?;
        let Some(child) = path.last().cloned() else {
            return Err(PathError::TooComplex("empty path"));
        };
        let below = path.len() - 1;
        let mut best: Option<PathError> = None;

        let anchors: Vec<Arc<Cert>> = self
            .anchors
            .certs
            .iter()
            .filter(|a| a.subject_raw == child.issuer_raw)
            .cloned()
            .collect();
        for anchor in anchors {
            match self.check_issuer(search, &child, &anchor, below) {
                Ok(()) => {
                    let mut full = path.clone();
                    full.push(anchor);
                    match check_path(&full, search.at) {
                        Ok(()) => return Ok(full),
                        Err(e) => note(&mut best, e),
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => note(&mut best, e),
            }
        }

        let mut candidates: Vec<Arc<Cert>> = search
            .candidates
            .iter()
            .filter(|c| c.subject_raw == child.issuer_raw)
            .filter(|c| !path.iter().any(|p| p.sha256 == c.sha256))
            .cloned()
            .collect();
        if let Some(pooled) = self.pool_index.get(&child.issuer_raw) {
            for c in pooled {
                let fresh = !path.iter().any(|p| p.sha256 == c.sha256)
                    && !candidates.iter().any(|x| x.sha256 == c.sha256)
                    && !self.anchors.certs.iter().any(|a| a.sha256 == c.sha256);
                if fresh {
                    candidates.push(c.clone());
                }
            }
        }
        if !candidates.is_empty() && path.len() + 2 > MAX_DEPTH {
            note(&mut best, PathError::TooDeep { limit: MAX_DEPTH });
        } else {
            for cand in candidates {
                match self.check_issuer(search, &child, &cand, below) {
                    Ok(()) => {
                        path.push(cand);
                        let r = self.extend(search, path);
                        path.pop();
                        match r {
                            Ok(full) => return Ok(full),
                            Err(e) if e.is_fatal() => return Err(e),
                            Err(e) => note(&mut best, e),
                        }
                    }
                    Err(e) if e.is_fatal() => return Err(e),
                    Err(e) => note(&mut best, e),
                }
            }
        }
        Err(best.unwrap_or_else(|| PathError::UnknownIssuer {
            subject: child.subject.clone(),
            issuer: child.issuer.clone(),
        }))
    }

    /// Rules 6–9: may `issuer` have issued `child`, with `below` intermediates under it?
    fn check_issuer(
        &mut self,
        search: &mut Search<'_>,
        child: &Cert,
        issuer: &Cert,
        below: usize,
    ) -> Result<(), PathError> {
        let key = issuer.key()?;
        if let Some(oid) = &issuer.unknown_critical {
            return Err(PathError::UnknownCriticalExtension {
                subject: issuer.subject.clone(),
                oid: oid.clone(),
            });
        }
        let Some(path_len) = issuer.ca else {
            return Err(PathError::NotACa {
                subject: issuer.subject.clone(),
                child: child.subject.clone(),
            });
        };
        if !issuer.key_usage.is_some_and(|ku| ku.key_cert_sign) {
            return Err(PathError::KeyUsage {
                subject: issuer.subject.clone(),
                needed: "keyCertSign",
            });
        }
        if let Some(n) = path_len
            && usize::try_from(n).is_ok_and(|n| below > n)
        {
            return Err(PathError::PathLenExceeded {
                subject: issuer.subject.clone(),
                path_len: n,
                below,
            });
        }
        let pair = (child.sha256, issuer.sha256);
        let ok = match self.signatures.get(&pair) {
            Some(ok) => *ok,
            None => {
                search.signatures_left = search
                    .signatures_left
                    .checked_sub(1)
                    .ok_or(PathError::TooComplex("too many signature checks"))?;
                let ok = signature::verify_with_key(&key, &child.tbs, &child.signature).ok();
                self.signatures.insert(pair, ok);
                ok
            }
        };
        if ok.is_some() {
            Ok(())
        } else {
            Err(PathError::BadSignature {
                subject: child.subject.clone(),
                issuer: issuer.subject.clone(),
            })
        }
    }
}

/// Rules 2–4 for the leaf.
fn leaf_checks(leaf: &Cert, leaf_use: LeafUse) -> Result<(), PathError> {
    leaf.key()?;
    if let Some(oid) = &leaf.unknown_critical {
        return Err(PathError::UnknownCriticalExtension {
            subject: leaf.subject.clone(),
            oid: oid.clone(),
        });
    }
    let ku = leaf.key_usage.unwrap_or_default();
    let (ok, needed) = match (leaf_use, leaf.ca.is_some()) {
        (LeafUse::Any, true) => (ku.key_cert_sign, "keyCertSign"),
        _ => (ku.digital_signature, "digitalSignature"),
    };
    if ok {
        Ok(())
    } else {
        Err(PathError::KeyUsage {
            subject: leaf.subject.clone(),
            needed,
        })
    }
}

/// Keep the more specific of two failures (the first on a tie).
fn note(best: &mut Option<PathError>, e: PathError) {
    if best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
        *best = Some(e);
    }
}

/// Rules 11–12 over a complete path (leaf first, anchor last).
fn check_path(path: &[Arc<Cert>], at: Timestamp) -> Result<(), PathError> {
    let mut allowed: Option<&[Role]> = None;
    for cert in path.iter().rev() {
        if let Some(roles) = &cert.roles {
            if let Some(allowed) = allowed
                && let Some(role) = roles.iter().find(|r| !allowed.contains(r))
            {
                return Err(PathError::RoleWidening {
                    subject: cert.subject.clone(),
                    role: *role,
                });
            }
            allowed = Some(roles);
        }
    }
    let none = BindingsExt::default();
    let mut restriction = Restriction::default();
    for (i, cert) in path.iter().enumerate().rev() {
        let own = cert.bindings.as_ref().unwrap_or(&none);
        let orgs: &[String] = if i == 0 || own.parties.is_some() {
            &cert.orgs
        } else {
            &[]
        };
        if let Some((list, value)) = bindings_ext::first_widening(&restriction, own, orgs) {
            return Err(PathError::BindingsWidening {
                subject: cert.subject.clone(),
                list,
                value: value.to_string(),
            });
        }
        restriction.narrow(own, &cert.orgs);
    }
    for cert in path {
        if at < cert.not_before {
            return Err(PathError::NotYetValid {
                subject: cert.subject.clone(),
                not_before: cert.not_before,
                at,
            });
        }
        if at > cert.not_after {
            return Err(PathError::Expired {
                subject: cert.subject.clone(),
                not_after: cert.not_after,
                at,
            });
        }
    }
    Ok(())
}

/// keyUsage bits this verifier looks at.
#[derive(Debug, Clone, Copy, Default)]
struct KeyUsageBits {
    digital_signature: bool,
    key_cert_sign: bool,
}

/// What the verifier keeps of a parsed certificate (owned, so it can be cached).
#[derive(Debug)]
struct Cert {
    sha256: [u8; 32],
    subject: String,
    subject_raw: Vec<u8>,
    issuer: String,
    issuer_raw: Vec<u8>,
    tbs: Vec<u8>,
    /// Err: the signature algorithm (OID, name) when it is not Ed25519.
    signature_alg: Result<(), String>,
    signature: Vec<u8>,
    /// Err: the reason the key is unusable (not Ed25519, not a valid point).
    key: Result<VerifyingKey, PathError>,
    not_before: Timestamp,
    not_after: Timestamp,
    /// Some(pathLenConstraint) for a CA.
    ca: Option<Option<u32>>,
    key_usage: Option<KeyUsageBits>,
    roles: Option<Vec<Role>>,
    bindings: Option<BindingsExt>,
    /// The subject's `O` values.
    orgs: Vec<String>,
    /// The first critical extension not understood.
    unknown_critical: Option<String>,
}

impl Cert {
    fn parse(der: &[u8]) -> Result<Cert, PathError> {
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
        let tbs_alg = &x.tbs_certificate.signature;
        let alg = &x.signature_algorithm;
        if tbs_alg.algorithm != alg.algorithm
            || tbs_alg.parameters.as_ref().map(|p| p.as_bytes())
                != alg.parameters.as_ref().map(|p| p.as_bytes())
        {
            return Err(bad_s(
                "the signature algorithm inside and outside the signed part differ",
            ));
        }
        let signature_alg = if alg.algorithm.as_bytes() == OID_ED25519 && alg.parameters.is_none() {
            Ok(())
        } else {
            Err(alg.algorithm.to_id_string())
        };
        if x.signature_value.unused_bits != 0 {
            return Err(bad_s("signature BIT STRING has unused bits"));
        }

        let spki = x.public_key();
        let key = if spki.algorithm.algorithm.as_bytes() == OID_ED25519
            && spki.algorithm.parameters.is_none()
        {
            let bytes: Option<[u8; 32]> = (spki.subject_public_key.unused_bits == 0)
                .then(|| spki.subject_public_key.data.as_ref().try_into().ok())
                .flatten();
            match bytes.map(|b| VerifyingKey::from_bytes(&b)) {
                Some(Ok(k)) => Ok(k),
                _ => Err(bad_s("not a valid Ed25519 public key")),
            }
        } else {
            let oid = spki.algorithm.algorithm.to_id_string();
            Err(PathError::UnsupportedAlgorithm {
                subject: subject.clone(),
                what: "public key",
                name: algorithm_name(&oid),
                oid,
            })
        };

        let mut seen: HashSet<&[u8]> = HashSet::new();
        let mut ca = None;
        let mut key_usage = None;
        let mut roles = None;
        let mut bindings = None;
        let mut unknown_critical = None;
        for ext in x.extensions() {
            let oid = ext.oid.as_bytes();
            if !seen.insert(oid) {
                return Err(bad_s(&format!(
                    "extension {} appears twice",
                    ext.oid.to_id_string()
                )));
            }
            if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
                return Err(bad_s(&format!(
                    "extension {}: {error}",
                    ext.oid.to_id_string()
                )));
            }
            if oid == OID_BASIC_CONSTRAINTS {
                if let ParsedExtension::BasicConstraints(bc) = ext.parsed_extension()
                    && bc.ca
                {
                    ca = Some(bc.path_len_constraint);
                }
            } else if oid == OID_KEY_USAGE {
                if let ParsedExtension::KeyUsage(ku) = ext.parsed_extension() {
                    key_usage = Some(KeyUsageBits {
                        digital_signature: ku.digital_signature(),
                        key_cert_sign: ku.key_cert_sign(),
                    });
                }
            } else if oid == roles_ext::OID_DER {
                roles = Some(roles_ext::decode(ext.value).map_err(|e| bad_s(&e.to_string()))?);
            } else if oid == bindings_ext::OID_DER {
                bindings =
                    Some(bindings_ext::decode(ext.value).map_err(|e| bad_s(&e.to_string()))?);
            } else if ext.critical && unknown_critical.is_none() {
                unknown_critical = Some(oid_string(&ext.oid));
            }
        }

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
            ca,
            key_usage,
            roles,
            bindings,
            orgs: x
                .subject()
                .iter_organization()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect(),
            unknown_critical,
            subject,
        })
    }

    /// The Ed25519 key, and that this certificate's own signature algorithm is Ed25519.
    fn key(&self) -> Result<VerifyingKey, PathError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_contract() {
        let s = || "CN=x".to_string();
        let t = Timestamp(0);
        let cases = [
            (
                PathError::Expired {
                    subject: s(),
                    not_after: t,
                    at: t,
                },
                "issuer.expired",
            ),
            (
                PathError::NotYetValid {
                    subject: s(),
                    not_before: t,
                    at: t,
                },
                "issuer.expired",
            ),
            (
                PathError::RoleWidening {
                    subject: s(),
                    role: Role::Auditor,
                },
                "issuer.role",
            ),
            (
                PathError::UnknownIssuer {
                    subject: s(),
                    issuer: s(),
                },
                "issuer.untrusted",
            ),
            (
                PathError::BadSignature {
                    subject: s(),
                    issuer: s(),
                },
                "issuer.untrusted",
            ),
            (
                PathError::BindingsWidening {
                    subject: s(),
                    list: "vessels",
                    value: s(),
                },
                "issuer.scope",
            ),
            (PathError::TooDeep { limit: MAX_DEPTH }, "issuer.untrusted"),
            (PathError::NoAnchors, "issuer.untrusted"),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), code, "{e}");
        }
    }

    #[test]
    fn rank_prefers_sound_paths_over_unknown_issuers() {
        let unknown = PathError::UnknownIssuer {
            subject: "a".into(),
            issuer: "b".into(),
        };
        let sig = PathError::BadSignature {
            subject: "a".into(),
            issuer: "b".into(),
        };
        let expired = PathError::Expired {
            subject: "a".into(),
            not_after: Timestamp(0),
            at: Timestamp(1),
        };
        assert!(sig.rank() > unknown.rank());
        assert!(expired.rank() > sig.rank());
        assert!(PathError::TooComplex("x").is_fatal());
        assert!(!expired.is_fatal());
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for der in [&b""[..], b"\x30\x03\x02\x01\x00", &[0x30; 64], &[0xff; 3]] {
            assert!(matches!(Cert::parse(der), Err(PathError::Malformed { .. })));
        }
        assert!(matches!(
            Cert::parse(&vec![0x30; MAX_CERT_LEN + 1]),
            Err(PathError::Malformed { reason, .. }) if reason.contains("limit")
        ));
        assert!(matches!(
            TrustAnchors::from_der(vec![]),
            Err(PathError::NoAnchors)
        ));
        assert!(matches!(
            TrustAnchors::from_pem("no pem here"),
            Err(PathError::Malformed { .. })
        ));
        assert!(matches!(
            certs_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            Err(PathError::Malformed { reason, .. }) if reason.contains("PRIVATE KEY")
        ));
    }
}

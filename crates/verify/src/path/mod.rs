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
//! time and role checks (cheap) run on every call. A signer's x5chain that validated is
//! kept too, keyed by the SHA-256 of its bytes, with the window of times at which every
//! validity comparison of rule 10 comes out the same: a later call with the same chain
//! and a time in that window gets the same issuer without a search (errors are not kept).
//!
//! # Names
//!
//! Subjects are shown as `CN=…,O=…` (RFC 4514 short names for CN, O, OU, C, L, ST; the
//! dotted OID otherwise; `,` and `\` escaped with `\`), control characters replaced by
//! `?`, at most 256 characters.

mod ahead;
mod cert;
mod error;
mod pool;
mod search;

pub(crate) use ahead::IssuerSignature;
pub use error::PathError;
pub use pool::TrustAnchors;
pub(crate) use search::chain_key;

use crate::signature::{self, PrimeOrderKey, SignatureChecked, SignatureError, Signed};
use catchcert_model::bindings_ext::Bindings;
use catchcert_model::kind::{Kind, Role};
use catchcert_model::timestamp::Timestamp;
use cert::Cert;
use ed25519_dalek::VerifyingKey;
use search::LeafUse;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Most certificates in one path, leaf and anchor included. A programme root, a regional
/// intermediate, a certification-body intermediate and an issuer take four; eight leaves
/// room while bounding the search (webpki uses six intermediates).
pub const MAX_DEPTH: usize = 8;
/// Largest accepted certificate (DER). Issuer certificates are about 500 bytes.
pub const MAX_CERT_LEN: usize = 16 * 1024;
/// Most entries in one x5chain.
pub const MAX_CHAIN: usize = 16;
/// Most certificates in a pool of extra intermediates.
pub const MAX_POOL: usize = catchcert_model::limits::ISSUER_POOL;
/// Most trust anchors.
pub const MAX_ANCHORS: usize = 1_000;
/// Uncached signature checks one validation may spend (webpki's budget is 100).
pub const SIGNATURE_BUDGET: u32 = 100;
/// Path-building steps one validation may spend (webpki's budget is 200,000).
pub const BUILD_BUDGET: u32 = 20_000;
/// Cache entries kept before the cache is cleared.
const CACHE_LIMIT: usize = 50_000;

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
    /// `key` screened for the single checks of the signatures it makes, at the first such
    /// check, once for every copy of this issuer (the validator's cache hands out copies).
    screened_key: ScreenedKey,
}

/// A key screened at most once, shared by the copies of a [`ValidIssuer`]: `None` inside
/// when `verify_strict` itself must judge the key's signatures. Part of no comparison (it
/// follows from the key).
#[derive(Clone, Debug, Default)]
struct ScreenedKey(Arc<std::sync::OnceLock<Option<PrimeOrderKey>>>);

impl PartialEq for ScreenedKey {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ScreenedKey {}

impl ValidIssuer {
    /// The proof that the leaf's signature by its issuer verified (`None` when the leaf
    /// is itself a trust anchor, trusted by configuration).
    pub fn leaf_signature(&self) -> Option<SignatureChecked> {
        self.leaf_signature
    }

    /// Check a signature under the issuer's key: exactly
    /// [`crate::signature::verify_with_key`]'s verdict, through the key screened when the
    /// path was validated ([`crate::signature::verify_prime_order`]) where it could be.
    pub fn verify(
        &self,
        message: &Signed<'_>,
        signature: &[u8],
    ) -> Result<SignatureChecked, SignatureError> {
        let screened = self
            .screened_key
            .0
            .get_or_init(|| PrimeOrderKey::screen(&self.key));
        match screened {
            Some(key) => signature::verify_prime_order(key, message, signature),
            None => signature::verify_with_key(&self.key, &message.to_vec(), signature),
        }
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
    /// Outcomes in `signatures` checked ahead and not yet charged to a validation's
    /// signature budget (see `ahead.rs`).
    seeded: HashSet<([u8; 32], [u8; 32])>,
    /// Valid issuers by x5chain (see `search.rs`, `PathValidator::run`).
    valid: HashMap<[u8; 32], Vec<search::ValidWindow>>,
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
            seeded: HashSet::new(),
            valid: HashMap::new(),
        }
    }

    /// The anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
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
        self.run(chain, pool, at, LeafUse::Signer, None)
    }

    /// [`validate`](Self::validate) without a pool, for a chain whose [`chain_key`] the
    /// caller computed (the verifier computes them on several threads for large sets).
    pub(crate) fn validate_keyed(
        &mut self,
        chain: &[Vec<u8>],
        key: [u8; 32],
        at: Timestamp,
    ) -> Result<ValidIssuer, PathError> {
        self.run(chain, &[], at, LeafUse::Signer, Some(key))
    }

    /// The Ed25519 key of the certificate `der` (an x5chain's leaf), without validating
    /// anything else: `None` when it does not parse or its key is not Ed25519. The parsed
    /// certificate is kept for the validations to come.
    pub(crate) fn presented_key(&mut self, der: &[u8]) -> Option<VerifyingKey> {
        self.parse_cached(der).ok()?.key().ok()
    }

    /// Like [`validate`](Self::validate), but the leaf may also be a CA certificate
    /// (intermediate or root), which must then allow keyCertSign. For `pki verify`.
    pub fn validate_certificate(
        &mut self,
        chain: &[Vec<u8>],
        pool: &[Vec<u8>],
        at: Timestamp,
    ) -> Result<ValidIssuer, PathError> {
        self.run(chain, pool, at, LeafUse::Any, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_of_a_valid_issuer_share_one_screening_of_its_key() {
        use catchcert_testkit::certs::{ISSUED_AT, Pki};
        use ed25519_dalek::Signer;
        let pki = Pki::new();
        let mut v = PathValidator::new(TrustAnchors::from_pem(&pki.root_pem).unwrap());
        let at = Timestamp::parse_rfc3339(ISSUED_AT).unwrap();
        let a = v.validate(&pki.vessel.chain, &[], at).unwrap();
        let b = v.validate(&pki.vessel.chain, &[], at).unwrap();
        assert!(Arc::ptr_eq(&a.screened_key.0, &b.screened_key.0));
        assert!(
            b.screened_key.0.get().is_none(),
            "screened only when first needed"
        );
        let m = b"a message".as_slice();
        let sig = pki.vessel.key.sign(m).to_bytes();
        assert!(a.verify(&Signed::Bytes(m), &sig).is_ok());
        // Screened by the first check, for every copy: the vessel's key is of prime order.
        assert!(b.screened_key.0.get().is_some_and(Option::is_some));
        let mut bad = sig;
        bad[40] ^= 1;
        assert_eq!(
            b.verify(&Signed::Bytes(m), &bad),
            Err(SignatureError::Invalid)
        );
        assert!(b.verify(&Signed::Bytes(b"another"), &sig).is_err());
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

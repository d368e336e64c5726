//! [`PathError`]: why an issuer path is not valid, its contract code and its rank among
//! the failures of the candidate paths.

use catchcert_model::kind::Role;
use catchcert_model::timestamp::Timestamp;

/// Why an issuer path is not valid. `code()` gives the contract finding code (it is
/// defined in the `path_code` module, above the finding vocabulary).
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
    /// Every path would need more than [`MAX_DEPTH`](super::MAX_DEPTH) certificates.
    #[error("issuer path is longer than {limit} certificates")]
    TooDeep {
        /// [`MAX_DEPTH`](super::MAX_DEPTH).
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

    pub(super) fn is_fatal(&self) -> bool {
        matches!(self, PathError::TooComplex(_) | PathError::NoAnchors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::MAX_DEPTH;

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
}

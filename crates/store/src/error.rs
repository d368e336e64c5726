//! The one error type of the store.

use catchcert_model::{CertId, Grams};

/// Why a store operation failed.
///
/// The variants a client can cause carry the certificate, lot and quantities concerned, so
/// that the HTTP layer can answer without a second look-up:
///
/// | variant | meaning | HTTP |
/// |---|---|---|
/// | [`UnknownInput`](Self::UnknownInput) | an input names a certificate that is not stored | 422 |
/// | [`LotNotOutput`](Self::LotNotOutput) | the named certificate does not output that lot | 422 |
/// | [`Overconsumed`](Self::Overconsumed) | the lot would be consumed beyond its output | 409 |
/// | [`LotConflict`](Self::LotConflict) | it would start a second lineage of a stored lot id | 409 |
/// | [`Invalid`](Self::Invalid) | the certificate breaks a storage invariant | 422 |
/// | [`NotFound`](Self::NotFound) | a bundle head is not stored | 404 |
/// | [`TooLarge`](Self::TooLarge) | a closure exceeds its bound | 413 |
/// | [`IdConflict`](Self::IdConflict), [`Backend`](Self::Backend), [`Migration`](Self::Migration), [`BadUrl`](Self::BadUrl) | server-side problems | 500 |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An input names a certificate that is not stored.
    #[error("input certificate {certificate} is not stored")]
    UnknownInput {
        /// The certificate the input names.
        certificate: CertId,
    },

    /// An input names a stored certificate that does not output the lot.
    #[error("certificate {certificate} does not output lot {lot:?}")]
    LotNotOutput {
        /// The certificate the input names.
        certificate: CertId,
        /// The lot the input names.
        lot: String,
    },

    /// Consuming the requested quantity would take more of a lot than its certificate output.
    #[error(
        "lot {lot:?} of certificate {certificate} would be over-consumed: it output {output}, \
         {consumed} is already consumed and {requested} more was requested"
    )]
    Overconsumed {
        /// The certificate that output the lot.
        certificate: CertId,
        /// The lot.
        lot: String,
        /// What the certificate output of the lot.
        output: Grams,
        /// What stored certificates already consume of it.
        consumed: Grams,
        /// What the rejected certificate asked for (all its inputs of this lot together).
        requested: Grams,
    },

    /// The certificate outputs a lot id that a stored certificate outputs, without consuming
    /// that lot id from a stored certificate: it would start a second lineage of the lot id
    /// (one event signed twice, a revoked certificate re-signed, an id reused for other fish).
    #[error(
        "lot {lot:?} is already output by stored certificate {existing}; certificate \
         {certificate} outputs it without consuming it: a second lineage of one lot id"
    )]
    LotConflict {
        /// The rejected certificate.
        certificate: CertId,
        /// The lot id.
        lot: String,
        /// A stored certificate that outputs the lot id.
        existing: CertId,
    },

    /// The certificate breaks an invariant the store relies on (its id is not the SHA-256
    /// of its bytes, a quantity is zero or above the maximum, a lot is output twice, …).
    #[error("certificate {certificate} cannot be stored: {reason}")]
    Invalid {
        /// The certificate.
        certificate: CertId,
        /// What is wrong, naming the field.
        reason: String,
    },

    /// The id is stored with different bytes (a SHA-256 collision or a corrupted database).
    #[error("certificate {certificate} is already stored with different bytes")]
    IdConflict {
        /// The certificate.
        certificate: CertId,
    },

    /// The certificate asked for is not stored.
    #[error("certificate {certificate} is not stored")]
    NotFound {
        /// The certificate.
        certificate: CertId,
    },

    /// A closure would hold more certificates than allowed.
    #[error(
        "the certificates needed for {head} number more than the limit of {max} (CERTIFICATES_PER_BUNDLE, docs/limits.md)"
    )]
    TooLarge {
        /// The head of the closure.
        head: CertId,
        /// The limit that was exceeded.
        max: usize,
    },

    /// The database failed (I/O, connection, constraint, …).
    #[error("database error: {0}")]
    Backend(String),

    /// A schema migration could not be checked or applied.
    #[error("schema migration {version} ({name}) failed: {reason}")]
    Migration {
        /// The migration's version number.
        version: i64,
        /// The migration's name.
        name: String,
        /// What went wrong.
        reason: String,
    },

    /// The database URL is not one the store understands (passwords are masked).
    #[error("bad database URL {url:?}: {reason}")]
    BadUrl {
        /// The URL, with any password replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl StoreError {
    /// Whether the error is caused by the certificate or request rather than by the
    /// database or configuration.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            StoreError::UnknownInput { .. }
                | StoreError::LotNotOutput { .. }
                | StoreError::Overconsumed { .. }
                | StoreError::LotConflict { .. }
                | StoreError::Invalid { .. }
                | StoreError::NotFound { .. }
                | StoreError::TooLarge { .. }
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(format!("SQLite: {e}"))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Backend(pg_message(&e))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => StoreError::Backend(format!("PostgreSQL connection pool: {other}")),
        }
    }
}

/// A PostgreSQL error with the server's message and SQLSTATE when there is one.
pub(crate) fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "PostgreSQL: {} {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        ),
        None => format!("PostgreSQL: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_certificate_lot_and_quantities() {
        let id = CertId::of_cose(b"x");
        let e = StoreError::Overconsumed {
            certificate: id,
            lot: "LOT-1".into(),
            output: Grams(1_000_000),
            consumed: Grams(600_000),
            requested: Grams(500_000),
        };
        let m = e.to_string();
        for part in [
            &id.to_string()[..],
            "\"LOT-1\"",
            "1000 kg",
            "600 kg",
            "500 kg",
        ] {
            assert!(m.contains(part), "{m} lacks {part}");
        }
        assert!(e.is_client_error());
        let m = StoreError::LotNotOutput {
            certificate: id,
            lot: "L9".into(),
        }
        .to_string();
        assert!(m.contains("L9") && m.contains(&id.to_string()), "{m}");
        let m = StoreError::UnknownInput { certificate: id }.to_string();
        assert!(m.contains(&id.to_string()), "{m}");
        assert!(!StoreError::Backend("x".into()).is_client_error());
    }
}

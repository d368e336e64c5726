//! The finding code of an issuer-path failure.
//!
//! Kept apart from [`path`](crate::path) so that `path` does not import the finding
//! vocabulary (`findings`, `kinds`), which names [`PathError`]: the module graph stays
//! without a circle (`tests/module_graph.rs`).

use crate::codes::Code;
use crate::path::PathError;

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
}

//! The verifier's entry points under their historical paths: [`verify`] and
//! [`verify_bundle`] run the stages of [`crate::pipeline`]; [`candidate_heads`] and
//! [`bundle_for`] are in [`crate::pack`]; [`summary`] is `catchcert_model::summary`.

pub use crate::pack::{BundleBuildError, bundle_for, candidate_heads, lot_holders};
pub use crate::pipeline::{VerifyLimits as Limits, verify, verify_bundle, verify_screened};
pub use crate::risk::{C188_REST_7D_MIN, C188_REST_24H_MIN};
pub use catchcert_model::summary::summary;

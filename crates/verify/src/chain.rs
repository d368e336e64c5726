//! The verifier's entry points under their historical paths: [`verify`] and
//! [`verify_bundle`] run the stages of [`crate::pipeline`]; [`candidate_heads`] and
//! [`bundle_for`] are in [`crate::pack`]; [`summary`] is `catchcert_model::summary`.
//!
//! To find a set's head and verify it with each message decoded once, decode it with
//! [`DecodedSet::decode`], ask it for [`DecodedSet::candidate_heads`] or
//! [`DecodedSet::lot_holders`], then [`verify_decoded`].

pub use crate::pack::{BundleBuildError, DecodedSet, bundle_for, candidate_heads, lot_holders};
pub use crate::pipeline::{
    VerifyLimits as Limits, verify, verify_bundle, verify_decoded, verify_screened,
};
pub use crate::risk::{C188_REST_7D_MIN, C188_REST_24H_MIN};
pub use catchcert_model::summary::summary;

//! # catchcert-verify
//!
//! Pure verification: COSE signatures, issuer paths, the certificate graph, time order,
//! mass balance, revocation and labour risk. Takes bytes, trust anchors and a time;
//! returns findings. No I/O, no clock, no async.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod chain;
pub mod cose;
pub mod custody;
pub mod findings;
pub mod path;
pub mod signature;

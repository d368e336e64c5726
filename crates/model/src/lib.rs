//! # catchcert-model
//!
//! The data of catchcert: certificate kinds and their payloads, the code lists they are
//! checked against, the deterministic CBOR they are encoded in, certificate ids, crew
//! commitments and the offline bundle format.
//!
//! This crate does no I/O: every function takes bytes or strings and returns values or
//! typed errors. It never panics on input.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod bindings_ext;
pub mod bundle;
pub mod cbor;
pub mod codes;
pub mod crew;
mod der;
pub mod details;
pub mod dn;
pub mod epcis;
pub mod fields;
pub mod id;
pub mod input;
pub mod json;
pub mod kind;
pub mod limits;
pub mod payload;
pub mod pem;
pub mod quantity;
pub mod roles_ext;
pub mod summary;
pub mod timestamp;

pub use id::CertId;
pub use kind::{Kind, Role};
pub use payload::Payload;
pub use quantity::Grams;
pub use timestamp::Timestamp;

/// The COSE content type (header label 3) of every certificate payload.
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.catchcert.payload+cbor";
/// COSE header label of x5chain (RFC 9360).
pub const X5CHAIN_LABEL: i64 = 33;
/// Largest accepted certificate (one COSE_Sign1 message), matching the server's 1 MiB body limit.
pub const MAX_CERTIFICATE_BYTES: usize = limits::CERTIFICATE_BYTES;

//! # catchcert-sign
//!
//! Keys (Ed25519, PKCS#8 / SPKI PEM), the issuer PKI (X.509 program root and accredited
//! issuers with roles) and COSE_Sign1 signing of certificate payloads.
//!
//! Like the model, this crate does no file I/O: callers pass PEM text and receive bytes.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod cose;
pub mod keys;
pub mod pki;

//! # catchcert-supply
//!
//! The supplier workflow: keyrings (signer names and GS1 party ids → key, issuer certificate
//! and chain), EPCIS 2.0 JSON-LD documents with GDST 1.2 KDEs turned into certificate inputs,
//! and the CBV 2.0 event hash that binds a certificate to its event.
//!
//! This crate does no file I/O and no network I/O: callers pass text and get values or typed
//! errors. JSON-LD contexts are never fetched; the terms catchcert needs are in
//! [`epcis::KNOWN_CONTEXTS`] and the document's own inline prefix maps.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod batch;
pub mod dl;
pub mod epcis;
pub mod export;
pub mod hash;
pub mod import;
pub mod keyring;

//! # catchcert-verify
//!
//! Pure verification: COSE signatures, issuer paths, the certificate graph, time order,
//! mass balance, revocation and labour risk. Takes bytes, trust anchors and a time;
//! returns findings. No I/O, no clock, no async.
//!
//! A verification runs in stages, one module each, in this order ([`pipeline`]):
//! `set` (decode) → `check` (signature, issuer path, role of each certificate) →
//! `graph` (closure, links, balance, time) → `revocation` → [`risk`] (attestations
//! and labour risk) → `verdict`. The per-certificate rules shared with the server's
//! ingest are in [`rules`]; findings and their typed kinds in [`findings`] and [`kinds`].
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod chain;
mod check;
pub mod codes;
pub mod cose;
pub mod custody;
pub mod epcis;
pub mod evidence;
pub mod findings;
mod graph;
pub mod kinds;
pub mod limits;
pub mod logproof;
mod msm;
pub mod pack;
pub mod par;
pub mod path;
mod path_code;
pub mod pipeline;
mod revocation;
pub mod risk;
pub mod rules;
mod set;
pub mod signature;
mod speaks;
mod verdict;
pub mod watchlist;

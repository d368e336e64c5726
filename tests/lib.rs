//! End-to-end scenarios live in `tests/*.rs`; this library is empty.
#![forbid(unsafe_code)]

//! Input JSON of every certificate kind (`catchcert issue --input`); the first byte picks
//! the kind.
#![no_main]
use catchcert_model::Kind;
use catchcert_model::codes::CodeLists;
use catchcert_model::input;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&k, json)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(k) % Kind::ALL.len()];
    let lists = CodeLists::default();
    let mut salt = || [7u8; 16];
    if let Ok(built) = input::build(kind, json, common::at(), &lists, &mut salt) {
        let _ = built;
    }
});

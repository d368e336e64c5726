//! `catchcert issue-batch` input: CSV or JSONL rows (the first byte picks which), their
//! dependency order and the local references of each row.
#![no_main]
use catchcert_supply::batch;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (rows, _errors) = if pick % 2 == 0 {
        batch::parse_csv(text)
    } else {
        batch::parse_jsonl(text)
    };
    let _ = batch::order(&rows);
    let ids = BTreeMap::new();
    for r in &rows {
        let _ = batch::references(&r.input);
        let _ = batch::substitute(&r.input, &ids);
    }
});

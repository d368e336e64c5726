//! Cost of watch lists against the cost of the cryptography, in the same run.
//!
//! ```text
//! cargo bench -p catchcert-verify --bench watchlist
//! ```
//!
//! `load_100000`: 50 signed lists of 2 000 entries (100 000 entries: IMO numbers, facilities,
//! parties, flags and areas): decode each, check its signature, index its entries.
//! `screen_10000`: what every certificate of a generated 10 000-certificate set names,
//! looked up in that index (a few hash look-ups per certificate, no scan). `raw`: one
//! Ed25519 `verify_strict`, the cost per certificate of checking the set's signatures.
//! Figures are in docs/performance.md.

use catchcert_demo::{NOT_BEFORE, Programme, VALID_DAYS, sign, t};
use catchcert_model::payload::Scheme;
use catchcert_model::{Kind, Payload, Role};
use catchcert_testkit::large_set;
use catchcert_verify::cose;
use catchcert_verify::watchlist::{WatchIndex, named_by};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::Signer;
use serde_json::json;
use std::hint::black_box;
use std::time::Duration;

const LISTS: usize = 50;
const PER_LIST: usize = 2_000;
const SET: usize = 10_000;

fn entry(i: usize) -> serde_json::Value {
    let (scheme, value) = match i % 10 {
        0 => ("facility", format!("Plant {i}")),
        1 => ("party", format!("Trader {i} Ltd")),
        2 => ("flag", ["PRK", "IRN", "SYR"][i % 3].to_string()),
        3 => ("fao_area", ["21.4", "34.1.1", "57.2"][i % 3].to_string()),
        _ => ("imo", format!("IMO{:07}", 1_000_000 + i)),
    };
    json!({"scheme": scheme, "value": value, "reason": "bench listing",
        "listed_from": "2026-01-01T00:00:00Z"})
}

fn bench(c: &mut Criterion) {
    let mut p = Programme::new().expect("programme");
    let lk = p
        .add_party(
            "bench-listkeeper",
            "listkeeper",
            "CN=Bench Watch,O=Bench",
            &[Role::Listkeeper],
            t(NOT_BEFORE),
            VALID_DAYS,
        )
        .expect("listkeeper")
        .clone();
    let lists: Vec<Vec<u8>> = (0..LISTS)
        .map(|l| {
            let entries: Vec<_> = (0..PER_LIST).map(|i| entry(l * PER_LIST + i)).collect();
            sign(
                "bench-list",
                &lk,
                Kind::Watchlist,
                &json!({"time": "2026-05-01T00:00:00Z", "name": format!("list {l}"),
                    "source": "bench", "entries": entries}),
                "2026-05-01T00:00:00Z",
            )
            .expect("list")
            .bytes
        })
        .collect();
    let vk = lk.key.verifying_key();
    let load = || {
        let mut index = WatchIndex::new();
        for bytes in &lists {
            let (s, payload) = cose::decode_certificate(bytes).expect("decode");
            s.verify(&vk).expect("signature");
            index.add(s.id, payload.watchlist().expect("a list"));
        }
        index
    };
    let index = load();
    let set = large_set::generate(&p, SET).expect("set");
    let payloads: Vec<Payload> = set.certs.iter().map(|c| c.payload.clone()).collect();
    let screen = |index: &WatchIndex| {
        let mut hits = 0usize;
        for p in &payloads {
            for n in named_by(p) {
                hits += index.hits(n.scheme, &n.value, n.from, n.until).len();
            }
        }
        hits
    };
    assert_eq!(screen(&index), 0, "the generated set names no listed value");
    assert_eq!(
        index
            .hits(
                Scheme::Imo,
                "IMO1000004",
                t("2026-03-01T00:00:00Z"),
                t("2026-03-01T00:00:00Z")
            )
            .len(),
        1
    );

    let mut g = c.benchmark_group("watchlist");
    g.sample_size(10);
    g.throughput(Throughput::Elements((LISTS * PER_LIST) as u64));
    g.bench_function("load_100000", |b| b.iter(|| black_box(load())));
    g.throughput(Throughput::Elements(SET as u64));
    g.bench_function("screen_10000", |b| b.iter(|| screen(black_box(&index))));
    let key = catchcert_demo::seeded_key("bench");
    let raw_vk = key.verifying_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    g.throughput(Throughput::Elements(1));
    g.bench_function("raw_ed25519_verify_strict_64B", |b| {
        b.iter(|| black_box(&raw_vk).verify_strict(black_box(&msg), black_box(&sig)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

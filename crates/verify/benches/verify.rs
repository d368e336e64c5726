//! Cost of verification relative to the raw cost of the cryptography on the same machine.
//!
//! ```text
//! cargo bench -p catchcert-verify --bench verify
//! ```
//!
//! Groups: `raw` (one Ed25519 `verify_strict` of a 64-byte message: the baseline),
//! `sign1` (decode and check one demo certificate), `demo_chain` (the demo loins graph,
//! 13 certificates) and, for generated sets of 100, 1 000 and 10 000 certificates, in the
//! same run: `strict_seq` (sequential `verify_strict` of exactly the set's certificate
//! signatures: the floor), `batch` (`signature::verify_batch` of the same signatures) and
//! `chain_scaling` (the whole `chain::verify`). Sets are built before measuring; only
//! verification is timed. Figures and their ratios are in docs/performance.md.
//!
//! The bench allocates with mimalloc, as the `catchcert` binary does (the verifier itself
//! does not choose an allocator).
//!
//! Short runs: `cargo bench -p catchcert-verify --bench verify -- --warm-up-time 1
//! --measurement-time 5` (the 10 000 sets take 10 samples).

use catchcert_testkit::large_set;

use catchcert_demo::{Programme, VERIFY_AT, demo_chain, t};
use catchcert_verify::chain::{self, Limits};
use catchcert_verify::cose;
use catchcert_verify::findings::Integrity;
use catchcert_verify::path::TrustAnchors;
use catchcert_verify::signature::{BatchItem, verify_batch};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, VerifyingKey};
use ed25519_dalek::{Signer, Verifier as _};
use std::hint::black_box;
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn raw(c: &mut Criterion) {
    let key = catchcert_demo::seeded_key("bench");
    let vk = key.verifying_key();
    let msg = [0x5au8; 64];
    let sig = key.sign(&msg);
    assert!(vk.verify(&msg, &sig).is_ok());
    let mut g = c.benchmark_group("raw");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ed25519_verify_strict_64B", |b| {
        b.iter(|| black_box(&vk).verify_strict(black_box(&msg), black_box(&sig)))
    });
    g.finish();
}

fn sign1(c: &mut Criterion) {
    let p = Programme::new().expect("programme");
    let demo = demo_chain(&p).expect("demo chain");
    let cert = demo.get("05-catch-sea-harvest").expect("catch");
    let vk = p.party("vessel-a").expect("vessel-a").key.verifying_key();
    let bytes = cert.bytes.clone();
    assert!(cose::decode(&bytes).expect("decode").verify(&vk).is_ok());
    let mut g = c.benchmark_group("sign1");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode_and_verify_catch", |b| {
        b.iter(|| {
            let s = cose::decode(black_box(&bytes)).expect("decode");
            s.verify(black_box(&vk)).is_ok()
        })
    });
    g.finish();
}

fn demo(c: &mut Criterion) {
    let p = Programme::new().expect("programme");
    let demo = demo_chain(&p).expect("demo chain");
    let anchors = TrustAnchors::from_pem(&p.root_pem).expect("anchors");
    let certs = demo.bytes();
    let (head, at, limits) = (demo.loins_head(), t(VERIFY_AT), Limits::default());
    let v = chain::verify(&certs, &[], head, &anchors, at, &limits);
    assert_eq!(v.integrity, Integrity::Valid);
    assert_eq!(v.certificates, 13, "the loins graph holds 13 certificates");
    let mut g = c.benchmark_group("demo_chain");
    g.throughput(Throughput::Elements(v.certificates as u64));
    g.bench_function("loins_13", |b| {
        b.iter(|| chain::verify(black_box(&certs), &[], head, &anchors, at, &limits))
    });
    g.finish();
}

/// The signatures of a set as (issuer key, signed bytes, signature): what a verifier must
/// check at least, each certificate's key taken from the leaf of its x5chain.
fn signatures(certs: &[Vec<u8>]) -> Vec<(VerifyingKey, Vec<u8>, Signature)> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    certs
        .iter()
        .map(|bytes| {
            let s = cose::decode(bytes).expect("decode");
            let (_, leaf) = X509Certificate::from_der(&s.x5chain[0]).expect("leaf");
            let key: [u8; 32] = leaf
                .public_key()
                .subject_public_key
                .data
                .as_ref()
                .try_into()
                .expect("Ed25519 key");
            let key = VerifyingKey::from_bytes(&key).expect("key");
            let sig = Signature::from_slice(&s.signature).expect("64 bytes");
            (key, s.to_be_signed(), sig)
        })
        .collect()
}

fn sets() -> Vec<(usize, large_set::LargeSet)> {
    let p = Programme::new().expect("programme");
    [100usize, 1_000, 10_000]
        .into_iter()
        .map(|n| (n, large_set::generate(&p, n).expect("generate")))
        .collect()
}

/// Sequential `verify_strict` and `verify_batch` of exactly the signatures of each set.
fn floor(c: &mut Criterion) {
    for (n, set) in sets() {
        let sigs = signatures(&set.bytes());
        assert!(sigs.iter().all(|(k, m, s)| k.verify_strict(m, s).is_ok()));
        let bytes: Vec<[u8; 64]> = sigs.iter().map(|(_, _, s)| s.to_bytes()).collect();
        let items: Vec<BatchItem<'_>> = sigs
            .iter()
            .zip(&bytes)
            .map(|((key, message, _), signature)| BatchItem {
                key,
                message: message.into(),
                signature,
            })
            .collect();
        assert!(verify_batch(&items).iter().all(|r| r.is_ok()));
        for (group, batched) in [("strict_seq", false), ("batch", true)] {
            let mut g = c.benchmark_group(group);
            g.throughput(Throughput::Elements(n as u64));
            if n >= 10_000 {
                g.sample_size(10);
            }
            g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| {
                    if batched {
                        verify_batch(black_box(&items)).len()
                    } else {
                        sigs.iter()
                            .filter(|(k, m, s)| black_box(k).verify_strict(m, s).is_ok())
                            .count()
                    }
                })
            });
            g.finish();
        }
    }
}

fn scaling(c: &mut Criterion) {
    let p = Programme::new().expect("programme");
    let anchors = TrustAnchors::from_pem(&p.root_pem).expect("anchors");
    let (at, limits) = (t(VERIFY_AT), Limits::default());
    let mut g = c.benchmark_group("chain_scaling");
    for (n, set) in sets() {
        let certs = set.bytes();
        let v = chain::verify(&certs, &[], set.head, &anchors, at, &limits);
        assert_eq!(
            v.integrity,
            Integrity::Valid,
            "generated set of {n}: {:?}",
            v.findings.first()
        );
        assert_eq!(v.certificates, n, "the head's graph is the whole set");
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(if n >= 10_000 { 10 } else { 20 });
        g.bench_with_input(BenchmarkId::from_parameter(n), &certs, |b, certs| {
            b.iter(|| chain::verify(black_box(certs), &[], set.head, &anchors, at, &limits))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = raw, sign1, demo, floor, scaling
}
criterion_main!(benches);

//! A pre-loaded issuer pool (a bundle's `issuers`) serves path building by name, and a
//! damaged extra certificate in it does not break anything.

use catchcert_demo::{seeded_key, t};
use catchcert_model::Role;
use catchcert_sign::pki::{self, CertType, IssueRequest};
use catchcert_verify::path::{PathValidator, TrustAnchors};

#[test]
fn intermediates_from_the_pool_complete_a_path_and_garbage_is_skipped() {
    let root_key = seeded_key("pool-root");
    let root = pki::init_root(&root_key, "CN=Pool Root", t("2026-01-01T00:00:00Z"), 3650).unwrap();
    let int_key = seeded_key("pool-int");
    let int = pki::issue(
        &root_key,
        &root,
        &int_key.verifying_key(),
        &IssueRequest {
            subject: "CN=Pool Intermediate",
            roles: &[Role::Vessel, Role::Carrier],
            cert_type: CertType::Ca { path_len: Some(0) },
            not_before: t("2026-01-01T00:00:00Z"),
            valid_days: 3650,
        },
    )
    .unwrap();
    let leaf_key = seeded_key("pool-leaf");
    let leaf = pki::issue(
        &int_key,
        &int,
        &leaf_key.verifying_key(),
        &IssueRequest {
            subject: "CN=Pool Vessel",
            roles: &[Role::Vessel],
            cert_type: CertType::Leaf,
            not_before: t("2026-01-01T00:00:00Z"),
            valid_days: 365,
        },
    )
    .unwrap();
    let leaf_der = pki::read_pem_chain(&leaf).unwrap();
    let int_der = pki::read_pem_chain(&int).unwrap();
    let anchors = TrustAnchors::from_pem(&root).unwrap();
    let at = t("2026-06-01T00:00:00Z");

    // Without the intermediate: no path.
    let mut v = PathValidator::new(anchors.clone());
    assert_eq!(
        v.validate(&leaf_der, &[], at).unwrap_err().code(),
        "issuer.untrusted"
    );

    // With it in the pre-loaded pool, next to garbage: the path is found.
    let mut v = PathValidator::new(anchors);
    let skipped = v.add_pool(&[b"not a certificate".to_vec(), int_der[0].clone()]);
    assert_eq!(skipped, 1);
    let ok = v.validate(&leaf_der, &[], at).unwrap();
    assert_eq!(ok.subject, "CN=Pool Vessel");
    assert_eq!(ok.path.len(), 3, "{:?}", ok.path);
    // The per-call pool stays strict: a broken extra certificate there is an error.
    assert!(v.validate(&leaf_der, &[b"junk".to_vec()], at).is_err());
}

/// A validator that has seen an x5chain answers later calls with the same chain exactly as
/// a fresh validator would, whatever the time: the kept path is only reused at times where
/// every validity comparison comes out the same (an expired leaf, a not-yet-valid leaf, or
/// an intermediate that expired while its re-issued twin is still valid).
#[test]
fn a_kept_path_answers_like_a_fresh_search_at_every_time() {
    let root_key = seeded_key("window-root");
    let root =
        pki::init_root(&root_key, "CN=Window Root", t("2026-01-01T00:00:00Z"), 3650).unwrap();
    let int_key = seeded_key("window-int");
    let int = |days| {
        pki::issue(
            &root_key,
            &root,
            &int_key.verifying_key(),
            &IssueRequest {
                subject: "CN=Window Intermediate",
                roles: &[Role::Vessel],
                cert_type: CertType::Ca { path_len: Some(0) },
                not_before: t("2026-01-01T00:00:00Z"),
                valid_days: days,
            },
        )
        .unwrap()
    };
    // The same intermediate twice: a short-lived one (first in the chain) and its renewal.
    let (short, long) = (int(120), int(3650));
    let leaf_key = seeded_key("window-leaf");
    let leaf = pki::issue(
        &int_key,
        &short,
        &leaf_key.verifying_key(),
        &IssueRequest {
            subject: "CN=Window Vessel",
            roles: &[Role::Vessel],
            cert_type: CertType::Leaf,
            not_before: t("2026-02-01T00:00:00Z"),
            valid_days: 365,
        },
    )
    .unwrap();
    let mut chain = pki::read_pem_chain(&leaf).unwrap();
    chain.truncate(1);
    chain.push(pki::read_pem_chain(&short).unwrap()[0].clone());
    chain.push(pki::read_pem_chain(&long).unwrap()[0].clone());
    let anchors = TrustAnchors::from_pem(&root).unwrap();
    let times = [
        "2026-03-01T00:00:00Z", // all valid
        "2026-03-02T00:00:00Z", // same window
        "2026-01-15T00:00:00Z", // leaf not yet valid
        "2026-06-01T00:00:00Z", // short intermediate expired, renewal valid
        "2026-03-03T00:00:00Z", // back in the first window
        "2027-03-01T00:00:00Z", // leaf expired
        "2026-06-02T00:00:00Z",
        "2025-06-01T00:00:00Z", // before everything
    ];
    let mut kept = PathValidator::new(anchors.clone());
    let mut valid = 0;
    for at in times {
        let cached = kept.validate(&chain, &[], t(at));
        let fresh = PathValidator::new(anchors.clone()).validate(&chain, &[], t(at));
        assert_eq!(format!("{cached:?}"), format!("{fresh:?}"), "at {at}");
        valid += usize::from(cached.is_ok());
    }
    assert_eq!(
        valid, 5,
        "valid in the two windows, invalid at the three other times"
    );
}

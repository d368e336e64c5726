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

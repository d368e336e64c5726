//! Bindings in issuer paths (contract §2): what a validated issuer speaks for, and no
//! widening below a CA with bindings.

use catchcert_demo::{seeded_key, t};
use catchcert_model::Role;
use catchcert_model::bindings_ext::BindingsExt;
use catchcert_sign::pki::{self, CertSpec, CertType, Ed25519Public, Ed25519Signer, IssueRequest};
use catchcert_verify::path::{PathError, PathValidator, TrustAnchors};

fn names(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|x| x.to_string()).collect())
}

fn req<'a>(subject: &'a str, roles: &'a [Role], cert_type: CertType) -> IssueRequest<'a> {
    IssueRequest {
        subject,
        roles,
        cert_type,
        not_before: t("2026-01-01T00:00:00Z"),
        valid_days: 365,
    }
}

#[test]
fn effective_bindings_and_widening_below_a_ca() {
    let root_key = seeded_key("bind-root");
    let root = pki::init_root(&root_key, "CN=Bind Root", t("2026-01-01T00:00:00Z"), 3650).unwrap();
    let anchors = TrustAnchors::from_pem(&root).unwrap();
    let at = t("2026-06-01T00:00:00Z");

    // A vessel key bound to two IMO numbers, directly under the (unrestricted) root.
    let vk = seeded_key("bind-vessel");
    let vessel = pki::issue_with_bindings(
        &root_key,
        &root,
        &vk.verifying_key(),
        &req(
            "CN=Blue Horizon 12,O=Blue Horizon Co",
            &[Role::Vessel],
            CertType::Leaf,
        ),
        &BindingsExt {
            vessels: names(&["IMO9123456", "IMO9074729"]),
            facilities: None,
            parties: names(&["Blue Horizon Fishing"]),
        },
        None,
    )
    .unwrap();
    let mut v = PathValidator::new(anchors.clone());
    let ok = v
        .validate(&pki::read_pem_chain(&vessel).unwrap(), &[], at)
        .unwrap();
    assert_eq!(ok.bindings.vessels, ["IMO9074729", "IMO9123456"]);
    assert!(ok.bindings.facilities.is_empty());
    // the subject's O is one of its parties
    assert_eq!(
        ok.bindings.parties,
        ["Blue Horizon Co", "Blue Horizon Fishing"]
    );
    assert!(ok.bindings.has_party("Blue Horizon Co"));

    // An intermediate bound to one vessel and party "Fleet" (O "Fleet Group").
    let ck = seeded_key("bind-ca");
    let ca = pki::issue_with_bindings(
        &root_key,
        &root,
        &ck.verifying_key(),
        &req(
            "CN=Fleet CA,O=Fleet Group",
            &[Role::Vessel],
            CertType::Ca { path_len: Some(0) },
        ),
        &BindingsExt {
            vessels: names(&["IMO9074729"]),
            facilities: None,
            parties: names(&["Fleet"]),
        },
        None,
    )
    .unwrap();
    let ca_der = pki::read_pem_chain(&ca).unwrap();
    // A leaf below it made without `issue`'s checks, so that the verifier must refuse it.
    let leaf = |name: &str, subject: &str, b: &BindingsExt| {
        let spec = CertSpec {
            subject: subject.to_string(),
            roles: Some(vec![Role::Vessel]),
            cert_type: CertType::Leaf,
            not_before: t("2026-01-01T00:00:00Z"),
            not_after: t("2026-12-31T00:00:00Z"),
            extra_extensions: if b.is_empty() {
                vec![]
            } else {
                vec![pki::bindings_extension(b)]
            },
            serial: None,
        };
        let key = seeded_key(name).verifying_key();
        let pem = pki::sign_spec(
            &spec,
            &Ed25519Public::new(&key),
            Some(&ca),
            &Ed25519Signer::new(&ck),
        )
        .unwrap();
        let mut chain = pki::read_pem_chain(&pem).unwrap();
        chain.extend(ca_der.iter().cloned());
        chain
    };
    let mut v = PathValidator::new(anchors);
    // a subset (facilities are not restricted by the CA): valid
    let inside = leaf(
        "bind-in",
        "CN=Sea Harvest 7,O=Fleet Group",
        &BindingsExt {
            vessels: names(&["IMO9074729"]),
            facilities: names(&["Dock Plant"]),
            parties: names(&["Fleet"]),
        },
    );
    let ok = v.validate(&inside, &[], at).unwrap();
    assert_eq!(ok.bindings.vessels, ["IMO9074729"]);
    assert_eq!(ok.bindings.facilities, ["Dock Plant"]);
    assert_eq!(ok.bindings.parties, ["Fleet", "Fleet Group"]);
    // no bindings at all below a restricting CA: valid, binds nothing but its O
    let bare = leaf("bind-bare", "CN=Bare,O=Fleet", &BindingsExt::default());
    let ok = v.validate(&bare, &[], at).unwrap();
    assert!(ok.bindings.vessels.is_empty());
    assert_eq!(ok.bindings.parties, ["Fleet"]);

    // widening: another vessel, another party, an O the CA is not bound to
    let cases = [
        (
            leaf(
                "bind-w1",
                "CN=W1,O=Fleet",
                &BindingsExt {
                    vessels: names(&["IMO9074729", "IMO9123456"]),
                    ..Default::default()
                },
            ),
            "vessels",
            "IMO9123456",
        ),
        (
            leaf(
                "bind-w2",
                "CN=W2",
                &BindingsExt {
                    parties: names(&["Rival"]),
                    ..Default::default()
                },
            ),
            "parties",
            "Rival",
        ),
        (
            leaf("bind-w3", "CN=W3,O=Rival Co", &BindingsExt::default()),
            "parties",
            "Rival Co",
        ),
    ];
    for (chain, want_list, want_value) in cases {
        let e = v.validate(&chain, &[], at).unwrap_err();
        assert!(
            matches!(&e, PathError::BindingsWidening { list, value, .. } if *list == want_list && value == want_value),
            "{e}"
        );
        assert_eq!(e.code(), "issuer.scope");
    }
}

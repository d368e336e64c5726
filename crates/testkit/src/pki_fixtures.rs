//! Generates the issuer-path fixtures in `fixtures/pki/`: PEM certificates and `cases.json`,
//! the table that `crates/verify/tests/pki_cases.rs` and `crates/cli/tests/pki_cli.rs` walk.
//!
//! ```text
//! cargo xtask pki-fixtures fixtures/pki          # only if absent
//! cargo xtask pki-fixtures fixtures/pki --force  # replace
//! ```
//!
//! Keys come from fixed seeds (SHA-256 of a name), so a regenerated set has the same keys;
//! serial numbers are random, so certificates differ byte for byte. Every certificate is
//! valid from 2026-01-01 for 365 days unless the case needs otherwise; cases are checked at
//! 2026-06-01T00:00:00Z, so the fixtures never expire. Certificates that `pki issue`
//! refuses to make (widening roles, a leaf as CA, an unknown critical extension, P-256
//! keys) are made with `catchcert_sign::pki::sign_spec`, and the P-256 keys with rcgen's
//! ring backend (a dependency of this test-support crate only).
//!
//! The same code runs inside `pki_cases.rs` (into a temporary directory), so the generator
//! and the table cannot drift apart.

use catchcert_model::{Role, Timestamp};
use catchcert_sign::pki::{
    self, CertSpec, CertType, Ed25519Public, Ed25519Signer, IssueRequest, rcgen,
};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

/// The time every case is checked at.
pub const AT: &str = "2026-06-01T00:00:00Z";
const START: &str = "2026-01-01T00:00:00Z";
const O: &str = "O=Catchcert Fixtures";

/// One row of `cases.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Short name, unique.
    pub name: String,
    /// What the case shows.
    pub description: String,
    /// The certificate to check (file in the fixture folder).
    pub leaf: String,
    /// Intermediates (one PEM file, possibly several certificates), or null.
    pub chain: Option<String>,
    /// Pass the intermediates as the pool instead of the x5chain tail (library only).
    #[serde(default)]
    pub intermediates_in_pool: bool,
    /// Trusted roots (PEM file).
    pub trust: String,
    /// The time to check at.
    pub at: String,
    /// "signer" (`PathValidator::validate`) or "any" (`validate_certificate`, as `pki verify`).
    pub mode: String,
    /// A certificate kind to check with `roles_allow`, or null.
    pub kind: Option<String>,
    /// The expected outcome.
    pub expect: Expect,
}

/// Expected outcome of a case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Whether the path validates.
    pub valid: bool,
    /// The finding code: null when valid and allowed, else `issuer.*`.
    pub code: Option<String>,
    /// The `PathError` variant name when invalid.
    pub error: Option<String>,
    /// The subject the error (or, when valid, the result) names.
    pub subject: String,
    /// The leaf's roles when valid.
    pub roles: Vec<String>,
    /// With `kind`: whether the roles allow it.
    pub kind_allowed: Option<bool>,
    /// Exit code of `catchcert pki verify` on this case.
    pub cli_exit: u8,
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap_or(Timestamp(0))
}

fn key(name: &str) -> SigningKey {
    let seed: [u8; 32] = Sha256::digest(format!("catchcert fixture key: {name}")).into();
    SigningKey::from_bytes(&seed)
}

fn subject(cn: &str) -> String {
    format!("CN={cn},{O}")
}

struct Gen {
    files: BTreeMap<String, String>,
}

impl Gen {
    fn put(&mut self, name: &str, pem: &str) -> String {
        self.files.insert(name.to_string(), pem.to_string());
        pem.to_string()
    }

    fn put_chain(&mut self, name: &str, pems: &[&str]) {
        let joined: String = pems.concat();
        self.files.insert(name.to_string(), joined);
    }
}

#[allow(clippy::too_many_arguments)]
fn issue(
    ca_key: &SigningKey,
    ca_pem: &str,
    subject_key: &SigningKey,
    cn: &str,
    roles: &[Role],
    cert_type: CertType,
    not_before: &str,
    valid_days: u32,
) -> Result<String, Box<dyn Error>> {
    Ok(pki::issue(
        ca_key,
        ca_pem,
        &subject_key.verifying_key(),
        &IssueRequest {
            subject: &subject(cn),
            roles,
            cert_type,
            not_before: t(not_before),
            valid_days,
        },
    )?)
}

fn spec(cn: &str, roles: Option<&[Role]>, cert_type: CertType) -> Result<CertSpec, Box<dyn Error>> {
    Ok(CertSpec {
        subject: subject(cn),
        roles: roles.map(<[Role]>::to_vec),
        cert_type,
        not_before: t(START),
        not_after: pki::not_after(t(START), 365)?,
        extra_extensions: Vec::new(),
        serial: None,
    })
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &str,
    description: &str,
    leaf: &str,
    chain: Option<&str>,
    trust: &str,
    expect_error: Option<(&str, &str)>,
    subject_cn: &str,
    roles: &[&str],
) -> Case {
    let (valid, code, error) = match expect_error {
        None => (true, None, None),
        Some((variant, code)) => (false, Some(code.to_string()), Some(variant.to_string())),
    };
    Case {
        name: name.into(),
        description: description.into(),
        leaf: leaf.into(),
        chain: chain.map(Into::into),
        intermediates_in_pool: false,
        trust: trust.into(),
        at: AT.into(),
        mode: "any".into(),
        kind: None,
        expect: Expect {
            valid,
            code,
            error,
            subject: subject(subject_cn),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            kind_allowed: None,
            cli_exit: if valid { 0 } else { 4 },
        },
    }
}

/// Write the fixtures into `dir` and return the table (also written as `cases.json`).
pub fn generate(dir: &Path) -> Result<Vec<Case>, Box<dyn Error>> {
    let (cases, files) = build()?;
    std::fs::create_dir_all(dir)?;
    for (name, pem) in &files {
        std::fs::write(dir.join(name), pem)?;
    }
    let mut json = serde_json::to_string_pretty(&cases)?;
    json.push('\n');
    std::fs::write(dir.join("cases.json"), json)?;
    Ok(cases)
}

/// Each fixture file's text (PEM), by file name.
pub type Files = BTreeMap<String, String>;

/// The fixtures in memory: the table, and each PEM file's text by name.
pub fn build() -> Result<(Vec<Case>, Files), Box<dyn Error>> {
    use Role::*;
    let untrusted = "issuer.untrusted";
    let mut g = Gen {
        files: BTreeMap::new(),
    };
    let leaf = CertType::Leaf;
    let ca = |path_len| CertType::Ca { path_len };

    // Roots.
    let root_k = key("root");
    let root = g.put(
        "root.pem",
        &pki::init_root(&root_k, &subject("Fixture Root"), t(START), 365)?,
    );
    let other_k = key("other-root");
    g.put(
        "other-root.pem",
        &pki::init_root(&other_k, &subject("Other Root"), t(START), 365)?,
    );
    // Same subject as the real root, another key (never trusted).
    let impostor_k = key("impostor-root");
    let impostor = pki::init_root(&impostor_k, &subject("Fixture Root"), t(START), 365)?;
    // The real root's key under another name (never trusted).
    let renamed = pki::init_root(&root_k, &subject("Renamed Root"), t(START), 365)?;

    // Intermediates.
    let a_k = key("int-a");
    let int_a = g.put(
        "int-a.pem",
        &issue(
            &root_k,
            &root,
            &a_k,
            "Intermediate A",
            &[Trader, Retailer, Processor],
            ca(None),
            START,
            365,
        )?,
    );
    let b_k = key("int-b");
    let int_b = g.put(
        "int-b.pem",
        &issue(
            &a_k,
            &int_a,
            &b_k,
            "Intermediate B",
            &[Trader],
            ca(Some(0)),
            START,
            365,
        )?,
    );
    g.put_chain("chain-b-a.pem", &[&int_b, &int_a]);

    // Leaves.
    let l1_k = key("leaf-1");
    let leaf_1 = g.put(
        "leaf-1.pem",
        &issue(
            &root_k,
            &root,
            &l1_k,
            "Leaf One",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let l2_k = key("leaf-2");
    g.put(
        "leaf-2.pem",
        &issue(
            &a_k,
            &int_a,
            &l2_k,
            "Leaf Two",
            &[Trader, Processor],
            leaf,
            START,
            365,
        )?,
    );
    let l3_k = key("leaf-3");
    g.put(
        "leaf-3.pem",
        &issue(
            &b_k,
            &int_b,
            &l3_k,
            "Leaf Three",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let auditor_k = key("auditor");
    g.put(
        "leaf-auditor.pem",
        &issue(
            &root_k,
            &root,
            &auditor_k,
            "Auditor",
            &[Auditor],
            leaf,
            START,
            365,
        )?,
    );

    // Time.
    let x_k = key("expired");
    g.put(
        "leaf-expired.pem",
        &issue(
            &root_k,
            &root,
            &x_k,
            "Leaf Expired",
            &[Trader],
            leaf,
            "2025-01-01T00:00:00Z",
            180,
        )?,
    );
    let old_k = key("int-old");
    let int_old = g.put(
        "int-old.pem",
        &issue(
            &root_k,
            &root,
            &old_k,
            "Intermediate Old",
            &[Trader],
            ca(None),
            "2025-03-01T00:00:00Z",
            365,
        )?,
    );
    let u_k = key("under-old");
    g.put(
        "leaf-under-old.pem",
        &issue(
            &old_k,
            &int_old,
            &u_k,
            "Leaf Under Old",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let f_k = key("future");
    g.put(
        "leaf-future.pem",
        &issue(
            &root_k,
            &root,
            &f_k,
            "Leaf Future",
            &[Trader],
            leaf,
            "2026-09-01T00:00:00Z",
            365,
        )?,
    );

    // A leaf used as a CA.
    let lc_k = key("leaf-child");
    g.put(
        "leaf-child-of-leaf.pem",
        &pki::sign_spec(
            &spec("Child Of Leaf", Some(&[Trader]), leaf)?,
            &Ed25519Public::new(&lc_k.verifying_key()),
            Some(&leaf_1),
            &Ed25519Signer::new(&l1_k),
        )?,
    );

    // pathLenConstraint 0 with a CA below it.
    let p0_k = key("int-pl0");
    let int_pl0 = g.put(
        "int-pathlen0.pem",
        &issue(
            &root_k,
            &root,
            &p0_k,
            "Intermediate PathLen0",
            &[Trader],
            ca(Some(0)),
            START,
            365,
        )?,
    );
    let ps_k = key("int-pl-sub");
    let int_ps = pki::sign_spec(
        &spec("Intermediate Below PathLen0", Some(&[Trader]), ca(None))?,
        &Ed25519Public::new(&ps_k.verifying_key()),
        Some(&int_pl0),
        &Ed25519Signer::new(&p0_k),
    )?;
    g.put("int-below-pathlen0.pem", &int_ps);
    g.put_chain("chain-pathlen.pem", &[&int_ps, &int_pl0]);
    let pl_k = key("leaf-pathlen");
    g.put(
        "leaf-pathlen.pem",
        &issue(
            &ps_k,
            &int_ps,
            &pl_k,
            "Leaf PathLen",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );

    // Names and signatures.
    let wn_k = key("wrong-name");
    g.put(
        "leaf-wrong-issuer-name.pem",
        &issue(
            &root_k,
            &renamed,
            &wn_k,
            "Leaf Wrong Issuer Name",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let bs_k = key("bad-sig");
    g.put(
        "leaf-other-key.pem",
        &issue(
            &impostor_k,
            &impostor,
            &bs_k,
            "Leaf Other Key",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );

    // An unknown critical extension (OID under the documentation arc 1.3.6.1.4.1.32473).
    let uc_k = key("unknown-critical");
    let mut uc = spec("Leaf Unknown Critical", Some(&[Trader]), leaf)?;
    let mut ext =
        rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 32473, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    uc.extra_extensions.push(ext);
    g.put(
        "leaf-unknown-critical.pem",
        &pki::sign_spec(
            &uc,
            &Ed25519Public::new(&uc_k.verifying_key()),
            Some(&root),
            &Ed25519Signer::new(&root_k),
        )?,
    );

    // Role widening: by an intermediate, and by a leaf.
    let w_k = key("int-widening");
    let int_w = pki::sign_spec(
        &spec("Intermediate Widening", Some(&[Trader, Auditor]), ca(None))?,
        &Ed25519Public::new(&w_k.verifying_key()),
        Some(&int_a),
        &Ed25519Signer::new(&a_k),
    )?;
    g.put("int-widening.pem", &int_w);
    g.put_chain("chain-widening.pem", &[&int_w, &int_a]);
    let lw_k = key("leaf-under-widening");
    g.put(
        "leaf-under-widening.pem",
        &issue(
            &w_k,
            &int_w,
            &lw_k,
            "Leaf Under Widening",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let la_k = key("leaf-widening");
    g.put(
        "leaf-widening.pem",
        &pki::sign_spec(
            &spec("Leaf Widening", Some(&[Auditor]), leaf)?,
            &Ed25519Public::new(&la_k.verifying_key()),
            Some(&int_a),
            &Ed25519Signer::new(&a_k),
        )?,
    );

    // Non-Ed25519: a P-256 leaf key; a P-256 intermediate that signs with ECDSA.
    let p256_leaf = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    g.put(
        "leaf-p256.pem",
        &pki::sign_spec(
            &spec("Leaf P256", Some(&[Trader]), leaf)?,
            &p256_leaf,
            Some(&root),
            &Ed25519Signer::new(&root_k),
        )?,
    );
    let p256_int = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let int_p256 = pki::sign_spec(
        &spec("Intermediate P256", Some(&[Trader]), ca(None))?,
        &p256_int,
        Some(&root),
        &Ed25519Signer::new(&root_k),
    )?;
    g.put("int-p256.pem", &int_p256);
    let ue_k = key("under-p256");
    g.put(
        "leaf-under-p256.pem",
        &pki::sign_spec(
            &spec("Leaf Under P256", Some(&[Trader]), leaf)?,
            &Ed25519Public::new(&ue_k.verifying_key()),
            Some(&int_p256),
            &p256_int,
        )?,
    );

    // Depth: seven stacked intermediates; a leaf under the sixth (8 certificates with the
    // root) and one under the seventh (9).
    let mut parent_k = root_k.clone();
    let mut parent = root.clone();
    let mut stack: Vec<String> = Vec::new();
    for i in 1..=7 {
        let k = key(&format!("deep-{i}"));
        let pem = issue(
            &parent_k,
            &parent,
            &k,
            &format!("Deep {i}"),
            &[Trader],
            ca(None),
            START,
            365,
        )?;
        stack.push(pem.clone());
        parent_k = k;
        parent = pem;
        if i == 6 {
            let lk = key("deep-leaf-8");
            g.put(
                "leaf-depth-8.pem",
                &issue(
                    &parent_k,
                    &parent,
                    &lk,
                    "Leaf Depth 8",
                    &[Trader],
                    leaf,
                    START,
                    365,
                )?,
            );
            let refs: Vec<&str> = stack.iter().rev().map(String::as_str).collect();
            g.put_chain("chain-depth-8.pem", &refs);
        }
    }
    let lk = key("deep-leaf-9");
    g.put(
        "leaf-depth-9.pem",
        &issue(
            &parent_k,
            &parent,
            &lk,
            "Leaf Depth 9",
            &[Trader],
            leaf,
            START,
            365,
        )?,
    );
    let refs: Vec<&str> = stack.iter().rev().map(String::as_str).collect();
    g.put_chain("chain-depth-9.pem", &refs);

    // The table.
    // The CLI has no kind check: a valid path exits 0 whatever the kind.
    let cases = vec![
        case(
            "valid-1-level",
            "issuer signed by the root",
            "leaf-1.pem",
            None,
            "root.pem",
            None,
            "Leaf One",
            &["trader"],
        ),
        case(
            "valid-2-level",
            "issuer below one intermediate",
            "leaf-2.pem",
            Some("int-a.pem"),
            "root.pem",
            None,
            "Leaf Two",
            &["processor", "trader"],
        ),
        case(
            "valid-3-level",
            "issuer below two intermediates (roles narrowing, pathLen 0 respected)",
            "leaf-3.pem",
            Some("chain-b-a.pem"),
            "root.pem",
            None,
            "Leaf Three",
            &["trader"],
        ),
        {
            let mut c = case(
                "valid-3-level-pool",
                "intermediates found in the pool rather than the x5chain",
                "leaf-3.pem",
                Some("chain-b-a.pem"),
                "root.pem",
                None,
                "Leaf Three",
                &["trader"],
            );
            c.intermediates_in_pool = true;
            c
        },
        case(
            "valid-intermediate",
            "an intermediate CA checked as a certificate of the PKI",
            "int-a.pem",
            None,
            "root.pem",
            None,
            "Intermediate A",
            &["processor", "retailer", "trader"],
        ),
        case(
            "valid-root-itself",
            "the root checked against itself",
            "root.pem",
            None,
            "root.pem",
            None,
            "Fixture Root",
            &[],
        ),
        case(
            "valid-depth-8",
            "eight certificates, the most a path may hold",
            "leaf-depth-8.pem",
            Some("chain-depth-8.pem"),
            "root.pem",
            None,
            "Leaf Depth 8",
            &["trader"],
        ),
        case(
            "expired-leaf",
            "the issuer certificate expired before the time checked",
            "leaf-expired.pem",
            None,
            "root.pem",
            Some(("Expired", "issuer.expired")),
            "Leaf Expired",
            &[],
        ),
        case(
            "expired-intermediate",
            "the intermediate expired before the time checked",
            "leaf-under-old.pem",
            Some("int-old.pem"),
            "root.pem",
            Some(("Expired", "issuer.expired")),
            "Intermediate Old",
            &[],
        ),
        case(
            "not-yet-valid",
            "the issuer certificate starts after the time checked",
            "leaf-future.pem",
            None,
            "root.pem",
            Some(("NotYetValid", "issuer.expired")),
            "Leaf Future",
            &[],
        ),
        case(
            "leaf-used-as-ca",
            "a non-CA certificate signed another certificate",
            "leaf-child-of-leaf.pem",
            Some("leaf-1.pem"),
            "root.pem",
            Some(("NotACa", untrusted)),
            "Leaf One",
            &[],
        ),
        case(
            "path-len-exceeded",
            "a CA below an intermediate with pathLenConstraint 0",
            "leaf-pathlen.pem",
            Some("chain-pathlen.pem"),
            "root.pem",
            Some(("PathLenExceeded", untrusted)),
            "Intermediate PathLen0",
            &[],
        ),
        case(
            "wrong-issuer-name",
            "signed by the root's key under another issuer name",
            "leaf-wrong-issuer-name.pem",
            None,
            "root.pem",
            Some(("UnknownIssuer", untrusted)),
            "Leaf Wrong Issuer Name",
            &[],
        ),
        case(
            "signature-by-other-key",
            "issuer name of the root, signature by another key",
            "leaf-other-key.pem",
            None,
            "root.pem",
            Some(("BadSignature", untrusted)),
            "Leaf Other Key",
            &[],
        ),
        case(
            "unknown-critical-extension",
            "a critical extension the verifier does not know",
            "leaf-unknown-critical.pem",
            None,
            "root.pem",
            Some(("UnknownCriticalExtension", untrusted)),
            "Leaf Unknown Critical",
            &[],
        ),
        {
            let mut c = case(
                "role-not-allowed",
                "a trader certificate used to sign a crew attestation",
                "leaf-1.pem",
                None,
                "root.pem",
                None,
                "Leaf One",
                &["trader"],
            );
            c.kind = Some("crew_attestation".into());
            c.expect.code = Some("issuer.role".into());
            c.expect.kind_allowed = Some(false);
            c
        },
        {
            let mut c = case(
                "role-allowed",
                "an auditor certificate used to sign a crew attestation",
                "leaf-auditor.pem",
                None,
                "root.pem",
                None,
                "Auditor",
                &["auditor"],
            );
            c.kind = Some("crew_attestation".into());
            c.expect.kind_allowed = Some(true);
            c
        },
        case(
            "role-widening-by-intermediate",
            "an intermediate adds auditor to its CA's trader, retailer, processor",
            "leaf-under-widening.pem",
            Some("chain-widening.pem"),
            "root.pem",
            Some(("RoleWidening", "issuer.role")),
            "Intermediate Widening",
            &[],
        ),
        case(
            "role-widening-by-leaf",
            "a leaf carries auditor below a CA without it",
            "leaf-widening.pem",
            Some("int-a.pem"),
            "root.pem",
            Some(("RoleWidening", "issuer.role")),
            "Leaf Widening",
            &[],
        ),
        case(
            "non-ed25519-leaf-key",
            "a P-256 public key in the issuer certificate",
            "leaf-p256.pem",
            None,
            "root.pem",
            Some(("UnsupportedAlgorithm", untrusted)),
            "Leaf P256",
            &[],
        ),
        case(
            "non-ed25519-signature",
            "an issuer certificate signed with ECDSA P-256 by a P-256 intermediate",
            "leaf-under-p256.pem",
            Some("int-p256.pem"),
            "root.pem",
            Some(("UnsupportedAlgorithm", untrusted)),
            "Leaf Under P256",
            &[],
        ),
        case(
            "untrusted-root",
            "a valid path to a root that is not trusted",
            "leaf-2.pem",
            Some("int-a.pem"),
            "other-root.pem",
            Some(("UnknownIssuer", untrusted)),
            "Intermediate A",
            &[],
        ),
        case(
            "missing-intermediate",
            "the intermediate is not supplied",
            "leaf-2.pem",
            None,
            "root.pem",
            Some(("UnknownIssuer", untrusted)),
            "Leaf Two",
            &[],
        ),
        case(
            "too-deep",
            "nine certificates, one more than a path may hold",
            "leaf-depth-9.pem",
            Some("chain-depth-9.pem"),
            "root.pem",
            Some(("TooDeep", untrusted)),
            "Leaf Depth 9",
            &[],
        ),
        {
            let mut c = case(
                "ca-as-signer",
                "an intermediate CA used to sign certificates directly (no digitalSignature)",
                "int-a.pem",
                None,
                "root.pem",
                Some(("KeyUsage", untrusted)),
                "Intermediate A",
                &[],
            );
            c.mode = "signer".into();
            c.expect.cli_exit = 0;
            c
        },
    ];
    Ok((cases, g.files))
}

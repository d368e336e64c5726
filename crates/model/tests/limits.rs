//! Every limit of `catchcert_model::limits` enforced here, at the limit and one past it,
//! with an error that names it; and `docs/limits.md` lists every constant with its value.

use catchcert_model::bundle::{Bundle, BundleError};
use catchcert_model::cbor::{self, DecodeError, Value};
use catchcert_model::{CertId, limits};

#[test]
fn docs_list_every_limit_with_its_value() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/limits.md");
    let doc = std::fs::read_to_string(path).expect("docs/limits.md");
    for (name, value) in limits::ALL {
        let row = format!("| `{name}` | {value} |");
        assert!(doc.contains(&row), "docs/limits.md lacks the row {row}");
    }
    let rows = doc
        .lines()
        .filter(|l| {
            l.starts_with("| `")
                && l.split('|')
                    .nth(2)
                    .is_some_and(|v| v.trim().parse::<u64>().is_ok())
        })
        .count();
    assert_eq!(
        rows,
        limits::ALL.len(),
        "docs/limits.md lists a limit the code does not"
    );
    // And the source lists every constant in ALL.
    let src = include_str!("../src/limits.rs");
    let consts = src
        .lines()
        .filter(|l| l.starts_with("pub const ") && !l.starts_with("pub const ALL"))
        .count();
    assert_eq!(consts, limits::ALL.len(), "limits::ALL misses a constant");
}

fn nested(depth: usize) -> Vec<u8> {
    let mut v = Value::Uint(0);
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    cbor::to_vec(&v)
}

#[test]
fn cbor_depth() {
    let l = cbor::Limits::default();
    assert_eq!(l.max_depth, limits::CBOR_DEPTH);
    cbor::from_slice(&nested(limits::CBOR_DEPTH), &l).unwrap();
    let e = cbor::from_slice(&nested(limits::CBOR_DEPTH + 1), &l).unwrap_err();
    assert!(matches!(e, DecodeError::TooDeep { .. }), "{e:?}");
    assert!(e.to_string().contains("CBOR_DEPTH"), "{e}");
}

/// An array of `n` integers: `n + 1` data items.
fn items(total: usize) -> Vec<u8> {
    cbor::to_vec(&Value::Array(vec![Value::Uint(1); total - 1]))
}

#[test]
fn cbor_items() {
    let l = cbor::Limits::default();
    assert_eq!(l.max_items, limits::CBOR_ITEMS);
    cbor::from_slice(&items(limits::CBOR_ITEMS), &l).unwrap();
    let e = cbor::from_slice(&items(limits::CBOR_ITEMS + 1), &l).unwrap_err();
    assert!(matches!(e, DecodeError::TooManyItems { .. }), "{e:?}");
    assert!(e.to_string().contains("CBOR_ITEMS"), "{e}");
}

fn head() -> CertId {
    CertId::of_cose(b"head")
}

#[test]
fn bundle_bytes() {
    // One certificate padded so that the encoded bundle is exactly the limit.
    let empty = Bundle::new(head(), vec![Vec::new()], Vec::new())
        .to_bytes()
        .len();
    let mut pad = limits::BUNDLE_BYTES - empty;
    // The byte string's header grows with its length (1 + 4 bytes from 65 536 up).
    pad -= 4;
    let b = Bundle::new(head(), vec![vec![0u8; pad]], Vec::new());
    let bytes = b.to_bytes();
    assert_eq!(bytes.len(), limits::BUNDLE_BYTES);
    assert_eq!(Bundle::from_bytes(&bytes).unwrap(), b);
    let mut over = bytes;
    over.push(0);
    let e = Bundle::from_bytes(&over).unwrap_err();
    assert!(matches!(e, BundleError::TooLarge(_)), "{e:?}");
    assert!(e.to_string().contains("BUNDLE_BYTES"), "{e}");
}

fn distinct(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| (i as u32).to_be_bytes().to_vec()).collect()
}

#[test]
fn certificates_per_bundle() {
    let n = limits::CERTIFICATES_PER_BUNDLE;
    let ok = Bundle::new(head(), distinct(n), Vec::new());
    assert_eq!(
        Bundle::from_bytes(&ok.to_bytes())
            .unwrap()
            .certificates
            .len(),
        n
    );
    let over = Bundle::new(head(), distinct(n + 1), Vec::new());
    let e = Bundle::from_bytes(&over.to_bytes()).unwrap_err();
    assert!(e.to_string().contains("CERTIFICATES_PER_BUNDLE"), "{e}");
}

#[test]
fn issuers_per_bundle() {
    let n = limits::ISSUERS_PER_BUNDLE;
    let ok = Bundle::new(head(), Vec::new(), distinct(n));
    assert_eq!(Bundle::from_bytes(&ok.to_bytes()).unwrap().issuers.len(), n);
    let over = Bundle::new(head(), Vec::new(), distinct(n + 1));
    let e = Bundle::from_bytes(&over.to_bytes()).unwrap_err();
    assert!(e.to_string().contains("ISSUERS_PER_BUNDLE"), "{e}");
}

//! Property tests: proofs over random trees, tiles and entry bundles.

use catchcert_tlog::*;
use proptest::prelude::*;

fn log(size: u64) -> MemoryLog {
    let mut l = MemoryLog::new();
    for i in 0..size {
        l.append(format!("entry {i}").as_bytes()).unwrap();
    }
    l
}

/// The RFC 9162 §2.1.1 definition, computed independently of storage order.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = n.next_power_of_two() / 2;
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn root_matches_definition(size in 0u64..300) {
        let l = log(size);
        let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        prop_assert_eq!(l.root(), mth(&leaves));
    }

    #[test]
    fn inclusion_verifies_and_tamper_fails(size in 1u64..300, seed in any::<u64>(), flip in any::<usize>()) {
        let l = log(size);
        let index = seed % size;
        let root = l.root();
        let leaf = leaf_hash(format!("entry {index}").as_bytes());
        let proof = prove_inclusion(size, index, &l).unwrap();
        prop_assert!(verify_inclusion(&proof, size, &root, index, &leaf).is_ok());
        // A changed leaf fails.
        let other = leaf_hash(format!("entry {index}!").as_bytes());
        prop_assert!(verify_inclusion(&proof, size, &root, index, &other).is_err());
        // A changed sibling fails.
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = flip % bad.len();
            bad[i][flip % 32] ^= 1;
            prop_assert!(verify_inclusion(&bad, size, &root, index, &leaf).is_err());
            // A missing or extra hash fails.
            prop_assert!(verify_inclusion(&proof[1..], size, &root, index, &leaf).is_err());
        }
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(verify_inclusion(&longer, size, &root, index, &leaf).is_err());
    }

    #[test]
    fn consistency_between_random_sizes(a in 0u64..300, b in 0u64..300, flip in any::<usize>()) {
        let (n, m) = if a <= b { (a, b) } else { (b, a) };
        let l = log(m);
        let rn = l.root_at(n).unwrap();
        let rm = l.root_at(m).unwrap();
        let proof = prove_consistency(n, m, &l).unwrap();
        prop_assert!(verify_consistency(&proof, n, &rn, m, &rm).is_ok());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = flip % bad.len();
            bad[i][flip % 32] ^= 1;
            prop_assert!(verify_consistency(&bad, n, &rn, m, &rm).is_err());
        }
        // A different history of the same size fails (a fork).
        if n > 0 && n < m {
            let mut fork = MemoryLog::new();
            for i in 0..m {
                let e = if i == n - 1 { "forked".to_string() } else { format!("entry {i}") };
                fork.append(e.as_bytes()).unwrap();
            }
            prop_assert!(verify_consistency(&proof, n, &rn, m, &fork.root()).is_err());
            prop_assert!(verify_consistency(&proof, n, &fork.root_at(n).unwrap(), m, &rm).is_err());
        }
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=7, index in any::<u64>(), width in 1u32..=256, entries in any::<bool>()) {
        let kind = if entries { TileKind::Entries } else { TileKind::Hash { level } };
        let t = TilePath { kind, index, width };
        let s = t.to_string();
        prop_assert_eq!(TilePath::parse(&s).unwrap(), t);
    }

    #[test]
    fn tile_path_parse_never_panics(s in "tile/[0-9a-z./]{0,40}") {
        let _ = TilePath::parse(&s);
    }

    #[test]
    fn bundles_round_trip(entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..40)) {
        let b = encode_entry_bundle(&entries).unwrap();
        prop_assert_eq!(&decode_entry_bundle(&b).unwrap(), &entries);
        if !b.is_empty() {
            // A truncated bundle never decodes to the same entries and never panics.
            let t = decode_entry_bundle(&b[..b.len() - 1]);
            prop_assert!(t.is_err() || t.unwrap() != entries);
        }
    }

    #[test]
    fn bundle_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_entry_bundle(&bytes);
    }
}

#[test]
fn tile_path_examples() {
    let t = TilePath::parse("tile/0/x001/x234/067").unwrap();
    assert_eq!(t.kind, TileKind::Hash { level: 0 });
    assert_eq!(t.index, 1_234_067);
    assert!(t.is_full());
    let t = TilePath::parse("tile/entries/x001/234.p/7").unwrap();
    assert_eq!((t.kind, t.index, t.width), (TileKind::Entries, 1234, 7));
    assert_eq!(TilePath::parse("tile/2/000").unwrap().index, 0);
    for bad in [
        "tile/0/1",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/07",
        "tile/8/000",
        "tile/01/000",
        "tile/data/000",
        "/tile/0/000",
        "tile/0/x18446744073709551616/000",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/000",
    ] {
        assert!(TilePath::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn hash_tiles_rebuild_the_root() {
    // An independent reader: rebuild the tree from the level-0 and level-1 tiles of a tree
    // that spans more than one tile, and compare with the log's root.
    let size = 256 * 2 + 17;
    let l = log(size);
    let tiles = tiles_for_size(size);
    let names: Vec<String> = tiles.iter().map(ToString::to_string).collect();
    assert!(names.contains(&"tile/0/000".to_string()));
    assert!(names.contains(&"tile/0/002.p/17".to_string()));
    assert!(names.contains(&"tile/1/000.p/2".to_string()));
    assert!(names.contains(&"tile/entries/002.p/17".to_string()));
    let mut leaves = Vec::new();
    for t in tiles
        .iter()
        .filter(|t| t.kind == TileKind::Hash { level: 0 })
    {
        let bytes = read_hash_tile(0, t.index, t.width, &l).unwrap();
        leaves.extend(tile::split_hash_tile(&bytes).unwrap());
    }
    assert_eq!(leaves.len() as u64, size);
    assert_eq!(mth(&leaves), l.root());
    // The level-1 tile holds the roots of the full level-0 tiles.
    let t1 = read_hash_tile(1, 0, 2, &l).unwrap();
    let hs = tile::split_hash_tile(&t1).unwrap();
    assert_eq!(hs[0], mth(&leaves[..256]));
    assert_eq!(hs[1], mth(&leaves[256..512]));
}

#[test]
fn bundle_limits() {
    let big = vec![0u8; MAX_ENTRY_LEN + 1];
    assert!(matches!(
        encode_entry_bundle(&[big]),
        Err(TileError::EntryTooLong { index: 0, .. })
    ));
    let max = vec![7u8; MAX_ENTRY_LEN];
    let b = encode_entry_bundle(std::slice::from_ref(&max)).unwrap();
    assert_eq!(decode_entry_bundle(&b).unwrap(), vec![max]);
    let many = vec![vec![1u8]; 257];
    assert!(encode_entry_bundle(&many).is_err());
    let mut bytes = Vec::new();
    for _ in 0..257 {
        bytes.extend_from_slice(&[0, 0]);
    }
    assert!(decode_entry_bundle(&bytes).is_err());
}

//! Watch lists (contract §4 "Watch lists"): each scheme hits and misses, the listing
//! period, lists that must not be applied, a listed vessel deep in a commingled graph, and
//! lists carried in a bundle. The demo chain's bigeye steaks are low risk without lists,
//! so every change of verdict below is the list's doing.

use catchcert_demo::vessels::{PACIFIC_REEFER, SEA_HARVEST};
use catchcert_demo::*;
use catchcert_model::bundle::Bundle;
use catchcert_model::{CertId, Kind, Role};
use catchcert_verify::chain::{Limits, verify, verify_bundle, verify_screened};
use catchcert_verify::findings::{Code, Integrity, Risk, Verdict};
use catchcert_verify::path::TrustAnchors;
use serde_json::{Value, json};

struct World {
    programme: Programme,
    chain: DemoChain,
    anchors: TrustAnchors,
}

fn world() -> World {
    let mut programme = Programme::new().unwrap();
    programme
        .add_party(
            "watch-listkeeper",
            "listkeeper",
            "CN=Buyer Watch,O=FreshMart Stores,C=GB",
            &[Role::Listkeeper],
            t(NOT_BEFORE),
            VALID_DAYS,
        )
        .unwrap();
    let chain = demo_chain(&programme).unwrap();
    let anchors = TrustAnchors::from_pem(&programme.root_pem).unwrap();
    World {
        programme,
        chain,
        anchors,
    }
}

fn entry(scheme: &str, value: &str, from: &str, until: Option<&str>) -> Value {
    let mut e = json!({"scheme": scheme, "value": value, "reason": format!("listed {value}"),
        "listed_from": from});
    if let Some(u) = until {
        e["listed_until"] = json!(u);
    }
    e
}

fn list_by(party: &Party, entries: Vec<Value>) -> Vec<u8> {
    sign(
        "watchlist",
        party,
        Kind::Watchlist,
        &json!({"time": "2026-04-30T00:00:00Z", "name": "Test list",
            "source": "CBP WRO 2026-17", "entries": entries}),
        "2026-05-01T00:00:00Z",
    )
    .unwrap()
    .bytes
}

impl World {
    fn list(&self, entries: Vec<Value>) -> Vec<u8> {
        list_by(self.programme.party("listkeeper").unwrap(), entries)
    }

    fn steaks(&self, lists: &[Vec<u8>]) -> Verdict {
        verify_screened(
            &self.chain.bytes(),
            &[],
            lists,
            self.chain.steaks_head(),
            &self.anchors,
            t(VERIFY_AT),
            &Limits::default(),
        )
    }
}

const OPEN: &str = "2026-01-01T00:00:00Z";

fn assert_hit(v: &Verdict, value: &str) {
    assert_eq!(v.integrity, Integrity::Valid, "{:#?}", v.findings);
    assert_eq!(v.risk, Risk::High, "{:#?}", v.findings);
    let f = v
        .findings
        .iter()
        .find(|f| f.code == Code::RiskWatchlist)
        .expect("risk.watchlist");
    for part in [value, "Test list", "CBP WRO 2026-17"] {
        assert!(f.message.contains(part), "{part}: {}", f.message);
    }
    assert!(
        f.message.contains(&format!("listed {value}")),
        "{}",
        f.message
    );
}

fn assert_clean(v: &Verdict) {
    assert_eq!(v.integrity, Integrity::Valid, "{:#?}", v.findings);
    assert_eq!(v.risk, Risk::Low, "{:#?}", v.findings);
    assert!(!v.has(Code::RiskWatchlist), "{:#?}", v.findings);
}

#[test]
fn without_lists_the_steaks_are_low_risk() {
    let w = world();
    assert_clean(&w.steaks(&[]));
}

#[test]
fn each_scheme_hits_what_the_graph_names_and_misses_the_rest() {
    let w = world();
    let hits = [
        ("imo", SEA_HARVEST.1),
        ("imo", PACIFIC_REEFER.1),
        ("facility", FACILITY),
        ("party", "Nordic Seafood AB"),
        ("party", "FreshMart Stores"),
        ("flag", SEA_HARVEST.2),
        ("flag", PACIFIC_REEFER.2),
        ("fao_area", "71"),
    ];
    for (scheme, value) in hits {
        let v = w.steaks(&[w.list(vec![entry(scheme, value, OPEN, None)])]);
        assert_hit(&v, value);
    }
    let misses = [
        ("imo", "IMO1234567"),
        ("facility", "Another Plant"),
        ("party", "Nobody AB"),
        // a vessel's flag is a flag, not a party name
        ("party", SEA_HARVEST.2),
        ("flag", "FRA"),
        ("fao_area", "27"),
        ("fao_area", "27.4.a"),
    ];
    for (scheme, value) in misses {
        let v = w.steaks(&[w.list(vec![entry(scheme, value, OPEN, None)])]);
        assert_clean(&v);
    }
}

#[test]
fn the_listing_period_counts_any_moment_of_the_catch() {
    let w = world();
    // Sea Harvest fished 2026-03-01T04:00..2026-03-02T05:30 and handed over at sea on 5 March.
    let fao = |from: &str, until: Option<&str>| {
        w.steaks(&[w.list(vec![entry("fao_area", "71", from, until)])])
    };
    // listed before the catch only, ended before it started
    assert_clean(&fao("2026-01-01T00:00:00Z", Some("2026-03-01T03:00:00Z")));
    // ended during the catch: the catch hits
    assert_hit(
        &fao("2026-01-01T00:00:00Z", Some("2026-03-01T05:00:00Z")),
        "71",
    );
    // started during the catch
    assert_hit(&fao("2026-03-02T05:00:00Z", None), "71");
    // listed after every event of the graph
    assert_clean(&fao("2026-11-01T00:00:00Z", None));
    // listed_until is exclusive: ending exactly at the start of fishing misses
    assert_clean(&fao("2026-01-01T00:00:00Z", Some("2026-03-01T04:00:00Z")));
}

#[test]
fn lists_that_do_not_verify_or_are_not_signed_by_a_listkeeper_are_ignored_not_applied() {
    let w = world();
    let listed = vec![entry("imo", SEA_HARVEST.1, OPEN, None)];
    // signed under a root nobody trusts
    let mut other = Programme::with_root("CN=Other Root,O=Elsewhere", "other-root").unwrap();
    other
        .add_party(
            "other-listkeeper",
            "listkeeper",
            "CN=Rogue Watch,O=Elsewhere",
            &[Role::Listkeeper],
            t(NOT_BEFORE),
            VALID_DAYS,
        )
        .unwrap();
    let untrusted = list_by(other.party("listkeeper").unwrap(), listed.clone());
    // signed by a trusted issuer without the listkeeper role (a rival retailer)
    let wrong_role = list_by(w.programme.party("retailer").unwrap(), listed.clone());
    // not a watch list at all
    let not_a_list = w.chain.get("05-catch-sea-harvest").unwrap().bytes.clone();
    // altered after signing
    let mut altered = w.list(listed);
    let n = altered.len();
    altered[n - 1] ^= 1;
    for (what, bytes) in [
        ("untrusted", untrusted),
        ("wrong role", wrong_role),
        ("not a list", not_a_list),
        ("altered", altered),
    ] {
        let v = w.steaks(std::slice::from_ref(&bytes));
        assert_eq!(v.integrity, Integrity::Valid, "{what}: {:#?}", v.findings);
        assert_eq!(v.risk, Risk::Low, "{what}: {:#?}", v.findings);
        let ignored: Vec<_> = v
            .findings
            .iter()
            .filter(|f| f.code == Code::WatchlistIgnored)
            .collect();
        assert_eq!(ignored.len(), 1, "{what}: {:#?}", v.findings);
        assert_eq!(ignored[0].certificate, CertId::of_cose(&bytes), "{what}");
    }
}

#[test]
fn a_listed_vessel_deep_in_a_commingled_graph_makes_the_head_high() {
    let w = world();
    // The loins commingle two vessels' catch, six steps below the head; list only the Sea
    // Harvest, and both heads that received its fish turn high, from its catch up.
    let list = w.list(vec![entry("imo", SEA_HARVEST.1, OPEN, None)]);
    for head in [w.chain.loins_head(), w.chain.steaks_head()] {
        let v = verify_screened(
            &w.chain.bytes(),
            &[],
            std::slice::from_ref(&list),
            head,
            &w.anchors,
            t(VERIFY_AT),
            &Limits::default(),
        );
        assert_eq!(v.risk, Risk::High);
        let catch = w.chain.id("05-catch-sea-harvest");
        assert!(
            v.findings
                .iter()
                .any(|f| f.code == Code::RiskWatchlist && f.certificate == catch),
            "{:#?}",
            v.findings
        );
    }
}

#[test]
fn a_bundle_carries_its_lists_and_old_bundles_still_decode() {
    let w = world();
    let list = w.list(vec![entry("facility", FACILITY, OPEN, None)]);
    let plain = verify(
        &w.chain.bytes(),
        &[],
        w.chain.steaks_head(),
        &w.anchors,
        t(VERIFY_AT),
        &Limits::default(),
    );
    assert_clean(&plain);
    let b = catchcert_verify::chain::bundle_for(&w.chain.bytes(), w.chain.steaks_head()).unwrap();
    let old_bytes = b.to_bytes();
    let with = b.clone().with_watchlists(vec![list.clone(), list]);
    assert_eq!(with.watchlists.len(), 1, "duplicates dropped");
    let back = Bundle::from_bytes(&with.to_bytes()).unwrap();
    assert_eq!(back, with);
    assert_hit(
        &verify_bundle(&back, None, &w.anchors, t(VERIFY_AT), &Limits::default()),
        FACILITY,
    );
    // a bundle without lists has no `watchlists` key: the same bytes as before
    assert_eq!(Bundle::from_bytes(&old_bytes).unwrap().watchlists.len(), 0);
    assert_eq!(b.to_bytes(), old_bytes);
}

//! Properties of the payload codec over generated valid payloads of every kind:
//! `Payload::from_cbor(&p.to_cbor()) == p`, and the encoding is stable (decoding and
//! re-encoding gives the same bytes).
//!
//! Payload values are generated directly (not through the JSON input), within every rule of
//! `Payload::validate`, which each generated value is first checked against.

use catchcert_model::codes::{self, fao::FAO_AREAS, isscfg::GEARS};
use catchcert_model::payload::{
    Audit, AuditMethod, Catch, CrewAttestation, CrewMember, CustodyEvent, Details,
    FacilityAttestation, Input, MAX_REASON, Output, Parties, RestMinutes, Revocation, Scheme, Step,
    Transshipment, Vessel, WageMethod, WatchEntry, Watchlist,
};
use catchcert_model::quantity::MAX_GRAMS;
use catchcert_model::timestamp::MAX;
use catchcert_model::{CertId, Grams, Kind, Payload, Timestamp};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

// ---------------------------------------------------------------------------------------------
// Leaves

/// Text: non-empty, no control characters, no leading or trailing white space; any other
/// Unicode, at most 4 × 32 bytes.
fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\s\\p{Cc}]",
        "[^\\s\\p{Cc}][^\\p{Cc}]{0,30}[^\\s\\p{Cc}]",
        "[A-Za-z][A-Za-z0-9 .,&'-]{0,40}[A-Za-z0-9.]",
    ]
}

/// Lot ids: GS1 AI (10), 1–20 characters of GS1 character set 82 (at most 18 here: the
/// callers append a two-character suffix).
fn arb_lot() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9!\"%&'()*+,./:;<=>?_-]{1,18}",
        "[A-Z0-9]{2,6}-[A-Z0-9-]{1,10}"
    ]
}

fn arb_id() -> impl Strategy<Value = CertId> {
    any::<[u8; 32]>().prop_map(CertId)
}

fn arb_grams() -> impl Strategy<Value = Grams> {
    prop_oneof![
        1u64..=10_000_000,
        1u64..=MAX_GRAMS,
        select(vec![
            1u64,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            1 << 32,
            MAX_GRAMS
        ]),
    ]
    .prop_map(Grams)
}

fn arb_time() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        0i64..=MAX.0,
        1_700_000_000i64..1_900_000_000,
        select(vec![0i64, 23, 24, 255, 256, 65_535, 65_536, MAX.0]),
    ]
    .prop_map(Timestamp)
}

/// Two times in order (`a <= b`).
fn arb_ordered() -> impl Strategy<Value = (Timestamp, Timestamp)> {
    (arb_time(), arb_time()).prop_map(|(a, b)| if a <= b { (a, b) } else { (b, a) })
}

/// Two times strictly in order.
fn arb_strict_ordered() -> impl Strategy<Value = (Timestamp, Timestamp)> {
    arb_ordered().prop_map(|(a, b)| {
        if a < b {
            (a, b)
        } else if b.0 < MAX.0 {
            (a, Timestamp(b.0 + 1))
        } else {
            (Timestamp(a.0 - 1), b)
        }
    })
}

fn arb_imo() -> impl Strategy<Value = String> {
    prop_oneof![Just("IMO9074729".to_string()), "IMO[0-9]{7}", "IMO[0-9]{8}"]
}

fn arb_flag() -> impl Strategy<Value = String> {
    let flags: Vec<String> = [
        "THA", "TWN", "IDN", "PHL", "VNM", "MMR", "KOR", "JPN", "CHN", "ESP", "FJI", "PNG", "KIR",
        "LBR", "PAN", "MHL",
    ]
    .into_iter()
    .filter(|f| codes::is_flag(f))
    .map(str::to_string)
    .collect();
    assert!(flags.len() >= 15, "flag list: {flags:?}");
    select(flags)
}

fn arb_fao() -> impl Strategy<Value = String> {
    let areas: Vec<String> = FAO_AREAS
        .iter()
        .map(|a| a.code)
        .filter(|c| codes::is_fao_area(c))
        .map(str::to_string)
        .collect();
    assert!(areas.iter().any(|a| a == "71"));
    prop_oneof![Just("71".to_string()), select(areas)]
}

fn arb_gear() -> impl Strategy<Value = String> {
    let gears: Vec<String> = GEARS
        .iter()
        .flat_map(|g| [Some(g.code), g.abbreviation])
        .flatten()
        .filter(|c| codes::is_gear(c))
        .map(str::to_string)
        .collect();
    assert!(gears.iter().any(|g| g == "LLD"));
    prop_oneof![Just("LLD".to_string()), select(gears)]
}

fn arb_species() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "YFT".to_string(),
            "BET".to_string(),
            "SKJ".to_string()
        ]),
        "[A-Z]{3}"
    ]
}

fn arb_date() -> impl Strategy<Value = String> {
    (1970u32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn arb_audit() -> impl Strategy<Value = Audit> {
    (
        select(vec![
            AuditMethod::None,
            AuditMethod::Internal,
            AuditMethod::ThirdParty,
        ]),
        arb_text(),
        arb_date(),
    )
        .prop_map(|(method, auditor, date)| Audit {
            method,
            auditor,
            date,
        })
}

/// Sorted, unique ILO indicator ids.
fn arb_ilo() -> impl Strategy<Value = Vec<u8>> {
    subsequence((1u8..=11).collect::<Vec<_>>(), 0..=11)
}

// ---------------------------------------------------------------------------------------------
// Custody

fn arb_outputs(kind: Kind) -> impl Strategy<Value = Vec<Output>> {
    let species = if kind == Kind::Catch {
        arb_species().prop_map(Some).boxed()
    } else {
        proptest::option::of(arb_species()).boxed()
    };
    let product = if kind == Kind::Processing {
        arb_text().prop_map(Some).boxed()
    } else {
        proptest::option::of(arb_text()).boxed()
    };
    vec((arb_lot(), arb_grams(), species, product), 1..6).prop_map(|outs| {
        outs.into_iter()
            .enumerate()
            // Distinct lots: a per-position suffix.
            .map(|(i, (lot, quantity, species, product))| Output {
                lot: format!("{lot}.{i}"),
                quantity,
                species,
                product,
            })
            .collect()
    })
}

fn arb_inputs(kind: Kind) -> BoxedStrategy<Vec<Input>> {
    if kind == Kind::Catch {
        return Just(Vec::new()).boxed();
    }
    vec((arb_id(), arb_lot(), arb_grams()), 1..6)
        .prop_map(|ins| {
            ins.into_iter()
                .enumerate()
                .map(|(i, (certificate, lot, quantity))| Input {
                    certificate,
                    lot: format!("{lot}.{i}"),
                    quantity,
                })
                .collect()
        })
        .boxed()
}

type Lots = (Vec<Input>, Vec<Output>, Vec<CertId>);

fn arb_custody(kind: Kind) -> impl Strategy<Value = Lots> {
    (
        arb_inputs(kind),
        arb_outputs(kind),
        btree_set(arb_id(), 0..4),
    )
        .prop_map(|(inputs, outputs, attestations)| {
            (inputs, outputs, attestations.into_iter().collect())
        })
}

// ---------------------------------------------------------------------------------------------
// Kinds

fn arb_crew_member() -> impl Strategy<Value = CrewMember> {
    (
        any::<[u8; 32]>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        select(WageMethod::ALL.to_vec()),
    )
        .prop_map(|(commitment, w, h, r, wage_method)| CrewMember {
            commitment,
            written_agreement: w,
            holds_own_documents: h,
            recruitment_fee_paid: r,
            wage_method,
        })
}

fn arb_crew_attestation() -> impl Strategy<Value = Details> {
    (
        (arb_text(), arb_imo(), arb_flag()),
        arb_strict_ordered(),
        arb_audit(),
        vec(arb_crew_member(), 0..8),
        (0u32..=1440, 0u32..=10080),
        arb_ilo(),
    )
        .prop_map(
            |((name, imo, flag), (from, until), audit, crew, rest, ilo)| {
                // Commitments are distinct.
                let mut seen = std::collections::BTreeSet::new();
                let crew = crew
                    .into_iter()
                    .filter(|m| seen.insert(m.commitment))
                    .collect();
                Details::CrewAttestation(CrewAttestation {
                    vessel: Vessel { name, imo, flag },
                    valid_from: from,
                    valid_until: until,
                    audit,
                    crew,
                    rest: RestMinutes {
                        min_per_24h: rest.0,
                        min_per_7d: rest.1,
                    },
                    ilo_indicators: ilo,
                })
            },
        )
}

fn arb_facility_attestation() -> impl Strategy<Value = Details> {
    (arb_text(), arb_strict_ordered(), arb_audit(), arb_ilo()).prop_map(
        |(facility, (from, until), audit, ilo)| {
            Details::FacilityAttestation(FacilityAttestation {
                facility,
                valid_from: from,
                valid_until: until,
                audit,
                ilo_indicators: ilo,
            })
        },
    )
}

fn arb_step(kind: Kind) -> BoxedStrategy<Step> {
    match kind {
        Kind::Catch => (arb_imo(), arb_fao(), arb_gear(), arb_ordered())
            .prop_map(|(vessel_imo, fao_area, gear, (s, e))| {
                Step::Catch(Catch {
                    vessel_imo,
                    fao_area,
                    gear,
                    catch_start: s,
                    catch_end: e,
                })
            })
            .boxed(),
        Kind::Transshipment => (
            arb_imo(),
            arb_imo(),
            any::<bool>(),
            arb_fao(),
            proptest::option::of("[A-Z]{2}[A-Z2-9]{3}"),
        )
            .prop_filter("two different vessels", |(a, b, ..)| a != b)
            .prop_map(|(from, to, at_sea, fao_area, port)| {
                // in port, a port is required
                let port = match (at_sea, port) {
                    (false, None) => Some("THBKK".to_string()),
                    (_, p) => p,
                };
                Step::Transshipment(Transshipment {
                    from_vessel_imo: from,
                    to_vessel_imo: to,
                    at_sea,
                    fao_area,
                    port,
                })
            })
            .boxed(),
        Kind::Landing => prop_oneof![Just("THBKK".to_string()), "[A-Z]{2}[A-Z2-9]{3}"]
            .prop_map(|port| Step::Landing { port })
            .boxed(),
        Kind::Processing => arb_text()
            .prop_map(|facility| Step::Processing { facility })
            .boxed(),
        Kind::Shipment => (arb_text(), arb_text())
            .prop_map(|(from, to)| Step::Shipment(Parties { from, to }))
            .boxed(),
        Kind::Receipt => (arb_text(), arb_text())
            .prop_map(|(from, to)| Step::Receipt(Parties { from, to }))
            .boxed(),
        _ => unreachable!("not a custody kind"),
    }
}

fn arb_entry() -> impl Strategy<Value = WatchEntry> {
    let value = prop_oneof![
        arb_imo().prop_map(|v| (Scheme::Imo, v)),
        arb_text().prop_map(|v| (Scheme::Facility, v)),
        arb_text().prop_map(|v| (Scheme::Party, v)),
        arb_flag().prop_map(|v| (Scheme::Flag, v)),
        arb_fao().prop_map(|v| (Scheme::FaoArea, v)),
    ];
    (value, arb_text(), arb_strict_ordered(), any::<bool>()).prop_map(
        |((scheme, value), reason, (from, until), open)| WatchEntry {
            scheme,
            value,
            reason,
            listed_from: from,
            listed_until: (!open).then_some(until),
        },
    )
}

fn arb_details(kind: Kind) -> BoxedStrategy<Details> {
    match kind {
        Kind::CrewAttestation => arb_crew_attestation().boxed(),
        Kind::FacilityAttestation => arb_facility_attestation().boxed(),
        Kind::Revocation => (
            arb_id(),
            prop_oneof![
                arb_text(),
                "[A-Za-z][A-Za-z ]{200,300}[a-z]"
                    .prop_map(|s| s.chars().take(MAX_REASON).collect())
            ],
        )
            .prop_map(|(certificate, reason)| {
                Details::Revocation(Revocation {
                    certificate,
                    reason,
                })
            })
            .boxed(),
        Kind::Watchlist => (arb_text(), arb_text(), vec(arb_entry(), 1..8))
            .prop_map(|(name, source, entries)| {
                Details::Watchlist(Watchlist {
                    name,
                    source,
                    entries,
                })
            })
            .boxed(),
        _ => (arb_custody(kind), arb_step(kind))
            .prop_map(|((inputs, outputs, attestations), step)| {
                Details::Custody(CustodyEvent {
                    inputs,
                    outputs,
                    attestations,
                    step,
                })
            })
            .boxed(),
    }
}

fn arb_payload_of(kind: Kind) -> impl Strategy<Value = Payload> {
    (arb_ordered(), arb_details(kind)).prop_map(|((time, issued_at), details)| {
        Payload::new(time, issued_at, details).expect("generator made an invalid payload")
    })
}

fn arb_payload() -> impl Strategy<Value = Payload> {
    select(Kind::ALL.to_vec()).prop_flat_map(arb_payload_of)
}

// ---------------------------------------------------------------------------------------------
// Properties

fn check_round_trip(p: &Payload) -> Result<(), TestCaseError> {
    p.validate()
        .map_err(|e| TestCaseError::fail(format!("generator made an invalid payload: {e}")))?;
    let bytes = p.to_cbor();
    prop_assert!(!bytes.is_empty());
    let back = Payload::from_cbor(&bytes)
        .map_err(|e| TestCaseError::fail(format!("{}: {e}", p.kind())))?;
    prop_assert_eq!(&back, p);
    // Stable: re-encoding the decoded payload gives the same bytes, twice.
    prop_assert_eq!(back.to_cbor(), bytes.clone());
    prop_assert_eq!(p.to_cbor(), bytes);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_valid_payload_round_trips(p in arb_payload()) {
        check_round_trip(&p)?;
    }

    #[test]
    fn the_encoding_is_one_data_item_with_nothing_after_it(p in arb_payload(), extra in any::<u8>()) {
        let mut bytes = p.to_cbor();
        bytes.push(extra);
        prop_assert!(Payload::from_cbor(&bytes).is_err());
    }

    #[test]
    fn any_truncation_is_refused(p in arb_payload(), cut in any::<prop::sample::Index>()) {
        let bytes = p.to_cbor();
        let n = cut.index(bytes.len());
        prop_assert!(Payload::from_cbor(&bytes[..n]).is_err());
    }
}

/// Every kind gets its own run, so no kind is left to chance.
macro_rules! per_kind {
    ($($name:ident => $kind:expr),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            $(
                #[test]
                fn $name(p in arb_payload_of($kind)) {
                    prop_assert_eq!(p.kind(), $kind);
                    check_round_trip(&p)?;
                }
            )*
        }
    };
}

per_kind! {
    crew_attestation_round_trips => Kind::CrewAttestation,
    facility_attestation_round_trips => Kind::FacilityAttestation,
    catch_round_trips => Kind::Catch,
    transshipment_round_trips => Kind::Transshipment,
    landing_round_trips => Kind::Landing,
    processing_round_trips => Kind::Processing,
    shipment_round_trips => Kind::Shipment,
    receipt_round_trips => Kind::Receipt,
    revocation_round_trips => Kind::Revocation,
    watchlist_round_trips => Kind::Watchlist,
}

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::lists::Records;
use super::*;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `../shared/data` beside the workspace, or `None` (with a notice) when it is absent.
fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("notice: {} absent; test skipped", dir.display());
        None
    }
}

fn read_shared(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// The rows of a CSV as maps from column name to value.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut records = Records::new(text).map(|r| r.unwrap().1);
    let header: Vec<String> = records
        .next()
        .unwrap()
        .into_iter()
        .map(|h| h.into_owned())
        .collect();
    records
        .map(|fields| {
            assert_eq!(fields.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(fields.into_iter().map(|f| f.into_owned()))
                .collect()
        })
        .collect()
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn assert_sorted_unique<T>(table: &[T], code: impl Fn(&T) -> &str) {
    for pair in table.windows(2) {
        assert!(
            code(&pair[0]) < code(&pair[1]),
            "table not strictly sorted at {} / {}",
            code(&pair[0]),
            code(&pair[1])
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Embedded tables agree with ../shared/data

#[test]
fn fao_major_table_matches_csv() {
    let Some(dir) = shared_data() else { return };
    let rows = csv_rows(&read_shared(&dir, "fao_major_areas.csv"));
    assert_eq!(rows.len(), 27);
    assert_eq!(fao::FAO_MAJOR_AREAS.len(), rows.len());
    for row in &rows {
        let a = fao_major_area(&row["code"]).unwrap_or_else(|| panic!("{} missing", row["code"]));
        assert_eq!(a.name_en, row["name_en"]);
        let water = match row["water_type"].as_str() {
            "marine" => WaterType::Marine,
            "inland" => WaterType::Inland,
            other => panic!("water_type {other}"),
        };
        assert_eq!(a.water_type, water, "{}", a.code);
        assert_eq!(a.ocean, opt(&row["ocean"]), "{}", a.code);
    }
}

#[test]
fn fao_hierarchy_table_matches_csv() {
    let Some(dir) = shared_data() else { return };
    let rows = csv_rows(&read_shared(&dir, "fao_areas_hierarchy.csv"));
    assert_eq!(rows.len(), 403);
    assert_eq!(fao::FAO_AREAS.len(), rows.len());
    for row in &rows {
        let a = fao_area(&row["code"]).unwrap_or_else(|| panic!("{} missing", row["code"]));
        let level = match row["level"].as_str() {
            "major" => FaoAreaLevel::Major,
            "subarea" => FaoAreaLevel::Subarea,
            "division" => FaoAreaLevel::Division,
            "subdivision" => FaoAreaLevel::Subdivision,
            "subunit" => FaoAreaLevel::Subunit,
            other => panic!("level {other}"),
        };
        assert_eq!(a.level, level, "{}", a.code);
        assert_eq!(a.parent, opt(&row["parent_code"]), "{}", a.code);
        assert_eq!(a.major, opt(&row["major_code"]), "{}", a.code);
        assert_eq!(a.name_en, row["name_en"], "{}", a.code);
    }
}

#[test]
fn gear_table_matches_csv() {
    let Some(dir) = shared_data() else { return };
    let rows = csv_rows(&read_shared(&dir, "isscfg_gear.csv"));
    assert_eq!(rows.len(), 71);
    assert_eq!(isscfg::GEARS.len(), rows.len());
    for row in &rows {
        let code = &row["isscfg_code"];
        let g = isscfg::GEARS.iter().find(|g| g.code == code).unwrap();
        assert_eq!(g.abbreviation, opt(&row["abbreviation"]), "{code}");
        assert_eq!(g.name_en, row["name_en"], "{code}");
        let level = match row["level"].as_str() {
            "1" => GearLevel::Group,
            "2" => GearLevel::Type,
            other => panic!("level {other}"),
        };
        assert_eq!(g.level, level, "{code}");
        assert_eq!(g.parent, opt(&row["parent_code"]), "{code}");
        // Both the code and the abbreviation resolve to this entry.
        assert_eq!(gear(code), Some(g));
        if let Some(abbr) = g.abbreviation {
            assert_eq!(gear(abbr), Some(g));
        }
    }
}

#[test]
fn ilo_table_matches_csv() {
    let Some(dir) = shared_data() else { return };
    let rows = csv_rows(&read_shared(&dir, "ilo_forced_labour_indicators.csv"));
    assert_eq!(rows.len(), 11);
    assert_eq!(ilo::ILO_INDICATORS.len(), rows.len());
    for row in &rows {
        let id: u64 = row["id"].parse().unwrap();
        let i = ilo_indicator(id).unwrap();
        assert_eq!(u64::from(i.id), id);
        assert_eq!(i.key, row["key"]);
        assert_eq!(i.short_name, row["short_name"]);
        assert_eq!(ilo_indicator_by_key(&row["key"]), Some(i));
    }
}

#[test]
fn flags_are_exactly_the_iso_3166_csv() {
    let Some(dir) = shared_data() else { return };
    let rows = csv_rows(&read_shared(&dir, "iso3166_alpha3.csv"));
    assert_eq!(rows.len(), 249);
    let listed: BTreeSet<&str> = rows.iter().map(|r| r["alpha3"].as_str()).collect();
    for row in &rows {
        assert!(is_flag(&row["alpha3"]), "{} rejected", row["alpha3"]);
        assert_eq!(flag_alpha2(&row["alpha3"]), Some(row["alpha2"].as_str()));
        assert_eq!(
            flag_for_alpha2(&row["alpha2"]),
            Some(row["alpha3"].as_str())
        );
    }
    // No other three-letter code is accepted.
    let mut accepted = 0;
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            for c in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b, c]).unwrap();
                assert_eq!(is_flag(&code), listed.contains(code.as_str()), "{code}");
                accepted += usize::from(is_flag(&code));
            }
        }
    }
    assert_eq!(accepted, 249);
    // The crate's extra codes are exactly the documented ones.
    let extra: Vec<&str> = celes::Country::get_countries()
        .iter()
        .map(|c| c.alpha3)
        .filter(|a| !listed.contains(a))
        .collect();
    assert_eq!(extra, NOT_ISO_3166_ALPHA3);
}

// ---------------------------------------------------------------------------------------------
// Embedded tables: structure and look-ups (no shared data needed)

#[test]
fn embedded_tables_are_sorted_and_consistent() {
    assert_sorted_unique(fao::FAO_MAJOR_AREAS, |a| a.code);
    assert_sorted_unique(fao::FAO_AREAS, |a| a.code);
    assert_sorted_unique(isscfg::GEARS, |g| g.code);
    assert_eq!(fao::FAO_MAJOR_AREAS.len(), 27);
    assert_eq!(fao::FAO_AREAS.len(), 403);
    assert_eq!(isscfg::GEARS.len(), 71);
    for m in fao::FAO_MAJOR_AREAS {
        let a = fao_area(m.code).unwrap();
        assert_eq!(a.level, FaoAreaLevel::Major);
        assert_eq!(a.name_en, m.name_en);
    }
    let majors = fao::FAO_AREAS
        .iter()
        .filter(|a| a.level == FaoAreaLevel::Major)
        .count();
    assert_eq!(majors, 27);
    for a in fao::FAO_AREAS {
        if let Some(p) = a.parent {
            assert!(fao_area(p).is_some(), "parent {p} of {} missing", a.code);
        }
        if let Some(m) = a.major {
            assert!(
                fao_major_area(m).is_some(),
                "major {m} of {} missing",
                a.code
            );
        }
    }
    let mut abbreviations = BTreeSet::new();
    for g in isscfg::GEARS {
        match g.level {
            GearLevel::Group => assert!(g.abbreviation.is_none() && g.parent.is_none()),
            GearLevel::Type => {
                let p = g.parent.unwrap();
                assert_eq!(gear(p).unwrap().level, GearLevel::Group);
                assert!(abbreviations.insert(g.abbreviation.unwrap()), "{}", g.code);
            }
        }
    }
    assert_eq!(abbreviations.len(), 60);
    for (alias, target) in GEAR_ABBREVIATION_ALIASES {
        assert!(
            !abbreviations.contains(alias),
            "{alias} shadows an abbreviation"
        );
        assert!(gear(target).is_some());
    }
    for (i, ind) in ilo::ILO_INDICATORS.iter().enumerate() {
        assert_eq!(usize::from(ind.id), i + 1);
    }
}

#[test]
fn fao_areas() {
    for ok in [
        "71", "01", "08", "18", "88", "27.4.a", "34.1.11", "47.X", "27.3.b,c", "71-77",
    ] {
        assert!(is_fao_area(ok), "{ok}");
    }
    for bad in [
        "",
        "1",
        "7",
        "98",
        "99",
        "00",
        "71 ",
        " 71",
        "71.",
        "27.4.A",
        "27.4.a.",
        "071",
        "27,4,a",
        "27.3.b, c",
        "21.4.5.n",
        "27.4.z",
    ] {
        assert!(!is_fao_area(bad), "{bad:?}");
    }
    assert_eq!(fao_area_name("71"), Some("Pacific, Western Central"));
    assert_eq!(fao_area_name("99"), None);
    // Parentage does not follow the prefix.
    assert_eq!(fao_area("34.1.11").unwrap().parent, Some("34.1.1"));
    assert_eq!(fao_area("27.3.b.23").unwrap().parent, Some("27.3.b,c"));
    let grouping = fao_area("71-77").unwrap();
    assert_eq!((grouping.major, grouping.parent), (None, None));
    assert_eq!(fao_area("27.4.a").unwrap().major, Some("27"));
    assert_eq!(fao_area("27.4.a").unwrap().level, FaoAreaLevel::Division);
    assert_eq!(fao_major_area("27.4.a"), None);
    assert_eq!(fao_major_area("04").unwrap().water_type, WaterType::Inland);
    assert_eq!(fao_major_area("04").unwrap().ocean, None);
    assert_eq!(
        fao_major_area("18").unwrap().ocean,
        Some("Atlantic Ocean and adjacent seas")
    );
}

#[test]
fn gears() {
    for ok in [
        "LLD", "09.32", "09", "PS", "01.1", "OTB", "GND", "LHP", "LLS", "NKX", "NK", "99",
    ] {
        assert!(is_gear(ok), "{ok}");
    }
    for bad in [
        "", "lld", "Lld", "LLD ", "9.32", "09.320", "09.3", "03.1", "03.2", "PS1", "TBN", "1",
        "100", "09.", "NKY", "99.9 ",
    ] {
        assert!(!is_gear(bad), "{bad:?}");
    }
    assert_eq!(gear_name("LLD"), Some("Drifting longlines"));
    assert_eq!(gear_name("09.32"), Some("Drifting longlines"));
    // Rev.1, not 1980 numbering: 09.4 is vertical lines.
    assert_eq!(gear("09.4").unwrap().abbreviation, Some("LVT"));
    assert_eq!(gear_name("09"), Some("Hooks and lines"));
    assert_eq!(gear("09").unwrap().level, GearLevel::Group);
    let nk = gear("NK").unwrap();
    assert_eq!((nk.code, nk.abbreviation), ("99.9", Some("NKX")));
    assert_eq!(gear("NKX"), Some(nk));
    assert_eq!(gear_name("XYZ"), None);
}

#[test]
fn ilo_indicators() {
    for bad in [0, 12, 100, u64::MAX] {
        assert!(!is_ilo_indicator(bad));
        assert_eq!(ilo_indicator(bad), None);
    }
    for id in 1..=11 {
        assert!(is_ilo_indicator(id));
    }
    let first = ilo_indicator(1).unwrap();
    assert_eq!(
        (first.key, first.short_name),
        ("abuse_of_vulnerability", "Abuse of vulnerability")
    );
    assert_eq!(ilo_indicator(9).unwrap().key, "debt_bondage");
    assert_eq!(ilo_indicator(11).unwrap().key, "excessive_overtime");
    assert_eq!(ilo_indicator_by_key("withholding_of_wages").unwrap().id, 8);
    assert_eq!(ilo_indicator_by_key("Debt bondage"), None);
    assert_eq!(ilo_indicator_by_key(""), None);
}

#[test]
fn flags() {
    for ok in ["THA", "TWN", "VUT", "NAM", "PAN", "LBR", "ATA"] {
        assert!(is_flag(ok), "{ok}");
    }
    for bad in [
        "", "tha", "Tha", "TH", "THAI", " THA", "XKX", "SUN", "YUG", "ANT", "EUR", "XZZ",
    ] {
        assert!(!is_flag(bad), "{bad:?}");
    }
    assert_eq!(flag_alpha2("THA"), Some("TH"));
    assert_eq!(flag_alpha2("XKX"), None);
    assert_eq!(flag_for_alpha2("TH"), Some("THA"));
    assert_eq!(flag_for_alpha2("NA"), Some("NAM"));
    assert_eq!(flag_for_alpha2("XZ"), None);
    assert_eq!(flag_for_alpha2("XK"), None);
    assert_eq!(flag_for_alpha2("th"), None);
    assert_eq!(flag_for_alpha2("THA"), None);
    // The documented exclusions are still known to the crate (else the constant is stale).
    for code in NOT_ISO_3166_ALPHA3 {
        assert!(celes::Country::from_alpha3(code).is_ok(), "{code}");
        assert!(!is_flag(code));
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes

#[test]
fn species_and_locode_shapes() {
    for ok in ["YFT", "BET", "AAA", "ZZZ"] {
        assert!(is_species_shape(ok));
    }
    for bad in ["", "YF", "YFTT", "yft", "YF1", "Y T", "ÄBC", "YFT\n"] {
        assert!(!is_species_shape(bad), "{bad:?}");
    }
    for ok in ["THBKK", "THPKT", "XZAAA", "USNY2", "GB999", "DE2A9"] {
        assert!(is_locode_shape(ok), "{ok}");
    }
    for bad in [
        "", "THBK", "THBKKK", "TH BKK", "thbkk", "THbkk", "T1BKK", "THBK0", "THBK1", "12BKK",
        "THBKÄ",
    ] {
        assert!(!is_locode_shape(bad), "{bad:?}");
    }
}

#[test]
fn imo_numbers() {
    assert!(is_imo_shape("IMO9074729"));
    assert!(is_imo_shape("IMO12345678"));
    for bad in [
        "",
        "IMO",
        "IMO907472",
        "IMO123456789",
        "imo9074729",
        "IMO 9074729",
        "9074729",
        "IMO907472a",
        "IMO９０７４７２９",
    ] {
        assert!(!is_imo_shape(bad), "{bad:?}");
    }
    assert!(imo_check_digit_ok("IMO9074729"));
    assert!(!imo_check_digit_ok("IMO9074728"));
    assert!(!imo_check_digit_ok("IMO9074720"));
    // Other published examples (python-stdnum).
    assert!(imo_check_digit_ok("IMO8814275"));
    assert!(!imo_check_digit_ok("IMO8814274"));
    // The 8-digit form has no check-digit rule and is never "ok".
    assert!(!imo_check_digit_ok("IMO90747290"));
    for bad in [
        "9074729",
        "imo9074729",
        "IMO 9074729",
        "IMO907472",
        "IMO907472X",
        "",
    ] {
        assert!(!imo_check_digit_ok(bad), "{bad:?}");
    }
    // Exactly one check digit fits each six-digit prefix.
    for prefix in ["000000", "123456", "907472", "999999", "100000"] {
        let fits = (0..10)
            .filter(|d| imo_check_digit_ok(&format!("IMO{prefix}{d}")))
            .count();
        assert_eq!(fits, 1, "{prefix}");
    }
}

// ---------------------------------------------------------------------------------------------
// CSV reader and list parsers on inline snippets

#[test]
fn records_split_quoted_fields() {
    let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"\"\nplain,,\"multi\nline\"\nlast,1,2";
    let rows: Vec<_> = Records::new(text).map(|r| r.unwrap()).collect();
    let as_strs: Vec<(usize, Vec<&str>)> = rows
        .iter()
        .map(|(l, f)| (*l, f.iter().map(|c| c.as_ref()).collect()))
        .collect();
    assert_eq!(
        as_strs,
        vec![
            (1, vec!["a", "b", "c"]),
            (2, vec!["x, y", "say \"hi\"", ""]),
            (3, vec!["plain", "", "multi\nline"]),
            (5, vec!["last", "1", "2"]),
        ]
    );
}

#[test]
fn records_handle_bom_crlf_and_blank_lines() {
    let text = "\u{feff}code,name\r\n\r\nA,\"b\"\r\n\nC,d\r\n";
    let rows: Vec<_> = Records::new(text).map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].1[0], "code");
    assert_eq!((rows[1].0, rows[1].1[1].as_ref()), (3, "b"));
    assert_eq!(rows[2].0, 5);
}

#[test]
fn records_reject_malformed_quoting() {
    let cases = [
        ("a,b\n\"open,x\n", 2, "not closed"),
        ("a,b\nx,\"y\"z\n", 2, "after the closing quote"),
        ("a,b\nx,y\"z\n", 2, "inside an unquoted"),
        ("a,b\nx\ry\n", 2, "carriage return"),
    ];
    for (text, line, reason) in cases {
        let err = Records::new(text).find_map(|r| r.err()).unwrap();
        assert_eq!(err.0, line, "{text:?}");
        assert!(err.1.contains(reason), "{text:?}: {}", err.1);
    }
}

const SPECIES: &str = "alpha3_code,scientific_name,english_name\n\
    YFT,Thunnus albacares,Yellowfin tuna\n\
    TUN,Thunnini,\"Tunas, NEI \"\"all\"\"\"\n\
    ZZA,Nomen nudum,\n";

#[test]
fn species_list_parses_names() {
    let list = SpeciesList::parse("s.csv", SPECIES).unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.english_name("YFT"), Some("Yellowfin tuna"));
    assert_eq!(list.english_name("TUN"), Some("Tunas, NEI \"all\""));
    assert_eq!(list.english_name("ZZA"), None);
    assert_eq!(list.scientific_name("ZZA"), Some("Nomen nudum"));
    assert!(!list.contains("BET"));
    assert!(!list.contains("yft"));
}

#[test]
fn code_lists_lookups() {
    let none = CodeLists::default();
    assert_eq!(none.species("YFT"), Lookup::NotChecked);
    assert_eq!(none.port("THBKK"), Lookup::NotChecked);
    assert_eq!(none.species_name("YFT"), None);

    let ports = "locode,country_alpha2,name\n\"THBKK\",TH,Bangkok\nTHPKT,TH,\"Phuket, Port\"\n";
    let lists = CodeLists::from_csv(Some(SPECIES), Some(ports)).unwrap();
    assert_eq!(lists.species("YFT"), Lookup::Known);
    assert_eq!(lists.species("BET"), Lookup::Unknown);
    assert_eq!(lists.species("yft"), Lookup::Unknown);
    assert_eq!(lists.species_name("YFT"), Some("Yellowfin tuna"));
    assert_eq!(lists.port("THBKK"), Lookup::Known);
    assert_eq!(lists.port("TH BKK"), Lookup::Unknown);
    assert_eq!(lists.port_name("THPKT"), Some("Phuket, Port"));

    let species_only = CodeLists::from_csv(Some(SPECIES), None).unwrap();
    assert_eq!(species_only.species("YFT"), Lookup::Known);
    assert_eq!(species_only.port("THBKK"), Lookup::NotChecked);
    assert!(species_only.port_list().is_none());
    assert_eq!(species_only.species_list().unwrap().len(), 3);

    let built = CodeLists::new(None, Some(PortList::parse("p", ports).unwrap()));
    assert_eq!(built.port("THPKT"), Lookup::Known);
    assert_eq!(built.species("YFT"), Lookup::NotChecked);
}

#[test]
fn parsers_find_columns_by_name_and_tolerate_bom() {
    // Columns in another order, a BOM, CRLF, no name columns at all.
    let text = "\u{feff}family,alpha3_code\r\nSCOMBRIDAE,YFT\r\n";
    let list = SpeciesList::parse("s", text).unwrap();
    assert!(list.contains("YFT"));
    assert_eq!(list.english_name("YFT"), None);
    let ports = PortList::parse("p", "\u{feff}name,locode\nBangkok,THBKK\n").unwrap();
    assert_eq!(ports.name("THBKK"), Some("Bangkok"));
}

#[test]
fn missing_column_is_named() {
    let err = SpeciesList::parse("asfis.csv", "code,english_name\nYFT,Yellowfin\n").unwrap_err();
    assert_eq!(
        err,
        CodeListError::MissingColumn {
            file: "asfis.csv".into(),
            column: "alpha3_code"
        }
    );
    assert_eq!(
        err.to_string(),
        "asfis.csv: header has no column `alpha3_code`"
    );
    let err = CodeLists::from_csv(None, Some("code\nTHBKK\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "un_locode_ports.csv: header has no column `locode`"
    );
}

#[test]
fn parse_errors_name_file_and_line() {
    let cases: [(&str, &str); 9] = [
        (
            "alpha3_code,english_name\nYFT,a\nyft,b\n",
            "s.csv line 3: `yft` is not an ASFIS",
        ),
        (
            "alpha3_code,english_name\nYFT,a\nYFTT,b\n",
            "s.csv line 3: `YFTT` is not",
        ),
        ("alpha3_code,english_name\n,a\n", "s.csv line 2: `` is not"),
        (
            "alpha3_code,english_name\nYFT,a\nBET,b\nYFT,c\n",
            "s.csv line 4: code `YFT` listed twice",
        ),
        (
            "alpha3_code,english_name\nYFT,a,extra\n",
            "s.csv line 2: 3 fields, the header has 2",
        ),
        (
            "alpha3_code,english_name\nYFT\n",
            "s.csv line 2: 1 fields, the header has 2",
        ),
        (
            "alpha3_code,english_name\n\"YFT,a\n",
            "s.csv line 2: quoted field not closed",
        ),
        (
            "alpha3_code,english_name\nYFT,\"two\nlines\"\nBET,x\"y\n",
            "s.csv line 4: quote character inside an unquoted field",
        ),
        (
            "alpha3_code,alpha3_code\nYFT,YFT\n",
            "s.csv: header names column `alpha3_code` twice",
        ),
    ];
    for (text, want) in cases {
        let err = SpeciesList::parse("s.csv", text).unwrap_err().to_string();
        assert!(
            err.starts_with(want),
            "{text:?}: got {err:?}, want {want:?}"
        );
    }
    let err = PortList::parse("p.csv", "locode\nTHBKK\nTH BK\n").unwrap_err();
    assert!(
        matches!(err, CodeListError::BadCode { line: 3, .. }),
        "{err:?}"
    );
    let err = PortList::parse("p.csv", "locode\nTHBK1\n").unwrap_err();
    assert!(
        matches!(err, CodeListError::BadCode { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn empty_and_oversized_lists_are_rejected() {
    assert_eq!(
        SpeciesList::parse("s", "").unwrap_err(),
        CodeListError::Empty { file: "s".into() }
    );
    assert_eq!(
        SpeciesList::parse("s", "\u{feff}\n\n").unwrap_err(),
        CodeListError::Empty { file: "s".into() }
    );
    assert_eq!(
        PortList::parse("p", "locode\n").unwrap_err(),
        CodeListError::NoRows { file: "p".into() }
    );
    let text = "alpha3_code\nYFT\n";
    assert!(SpeciesList::parse_limited("s", text, text.len()).is_ok());
    assert_eq!(
        SpeciesList::parse_limited("s", text, text.len() - 1).unwrap_err(),
        CodeListError::TooLarge {
            file: "s".into(),
            len: text.len(),
            max: text.len() - 1
        }
    );
    assert!(PortList::parse_limited("p", "locode\nTHBKK\n", 5).is_err());
}

#[test]
fn long_bad_codes_are_shortened_in_errors() {
    let long = "Q".repeat(10_000);
    let err = SpeciesList::parse("s", &format!("alpha3_code\n{long}\n")).unwrap_err();
    let CodeListError::BadCode { code, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(code.chars().count() <= 41, "{}", code.len());
    let err = SpeciesList::parse("s", "alpha3_code\n\"A\u{1b}[2J\"\n").unwrap_err();
    assert!(!err.to_string().contains('\u{1b}'));
}

// ---------------------------------------------------------------------------------------------
// The real lists

#[test]
fn real_lists_parse() {
    let Some(dir) = shared_data() else { return };
    let asfis = read_shared(&dir, ASFIS_FILE);
    let ports = read_shared(&dir, UNLOCODE_FILE);
    let lists = CodeLists::from_csv(Some(&asfis), Some(&ports)).unwrap();
    assert_eq!(lists.species_list().unwrap().len(), 13_708);
    assert_eq!(lists.port_list().unwrap().len(), 17_506);
    for code in ["YFT", "BET", "SKJ", "ALB", "TUN"] {
        assert_eq!(lists.species(code), Lookup::Known, "{code}");
    }
    for code in ["XYZ", "ZZZ", "yft", "YF"] {
        assert_eq!(lists.species(code), Lookup::Unknown, "{code}");
    }
    assert_eq!(lists.species_name("YFT"), Some("Yellowfin tuna"));
    assert_eq!(lists.species_name("SKJ"), Some("Skipjack tuna"));
    assert_eq!(
        lists.species_list().unwrap().scientific_name("BET"),
        Some("Thunnus obesus")
    );
    for code in ["THBKK", "THPKT"] {
        assert_eq!(lists.port(code), Lookup::Known, "{code}");
    }
    for code in ["THZZZ", "USZZZ", "TH BKK", "thbkk"] {
        assert_eq!(lists.port(code), Lookup::Unknown, "{code}");
    }
    assert_eq!(lists.port_name("THBKK"), Some("Bangkok"));
    // With a BOM added, the same files still parse.
    let with_bom = format!("\u{feff}{asfis}");
    assert_eq!(
        SpeciesList::parse(ASFIS_FILE, &with_bom).unwrap().len(),
        13_708
    );
}

//! Code lists that certificate fields are checked against.
//!
//! Embedded (small, carried as this crate's own tables, each citing its source in
//! `../shared/data/SOURCE.md`):
//!
//! - FAO major fishing areas and the FAO area hierarchy ([`fao`]): [`is_fao_area`],
//!   [`fao_area`], [`fao_area_name`], [`fao_major_area`].
//! - ISSCFG Rev.1 fishing gear ([`isscfg`]): [`is_gear`], [`gear`], [`gear_name`].
//! - The 11 ILO indicators of forced labour ([`ilo`]): [`is_ilo_indicator`],
//!   [`ilo_indicator`], [`ilo_indicator_by_key`].
//! - ISO 3166-1 alpha-3 vessel flags, from the `celes` crate: [`is_flag`], [`flag_alpha2`],
//!   [`flag_for_alpha2`].
//!
//! Loaded at run time (large; the caller reads the files and passes their text, since this
//! crate does no I/O): ASFIS species and UN/LOCODE ports, see [`CodeLists`]. A look-up in a
//! list that was not loaded answers [`Lookup::NotChecked`].
//!
//! Shape checks that need no list: [`is_species_shape`], [`is_locode_shape`],
//! [`is_imo_shape`], [`imo_check_digit_ok`].
//!
//! The embedded tables in [`fao`], [`isscfg`] and [`ilo`] are generated from the reference CSVs
//! by `crates/model/tools/gen_code_tables.py`; the tests compare them with those files row by
//! row whenever `../shared/data` is present.
//!
//! Every comparison is exact and case-sensitive: codes are text, as published ("01" keeps
//! its leading zero, "09.4" and "09.40" differ, "lld" is not "LLD").

pub mod fao;
pub mod ilo;
pub mod isscfg;
mod lists;

#[cfg(test)]
mod tests;

pub use lists::{
    ASFIS_FILE, CodeListError, CodeLists, MAX_LIST_BYTES, MAX_LIST_ROWS, PortList, SpeciesList,
    UNLOCODE_FILE,
};

/// The answer of a look-up in a list that may not have been loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The code is in the list.
    Known,
    /// The list is loaded and the code is not in it.
    Unknown,
    /// The list was not loaded: the code could not be checked.
    NotChecked,
}

// ---------------------------------------------------------------------------------------------
// FAO areas

/// Marine or inland-water major area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaterType {
    /// Marine areas 18-88.
    Marine,
    /// Inland waters 01-08.
    Inland,
}

/// An FAO major fishing area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaoMajorArea {
    /// Two-digit code, with its leading zero ("01", "71").
    pub code: &'static str,
    /// English name ("Pacific, Western Central").
    pub name_en: &'static str,
    /// Marine or inland waters.
    pub water_type: WaterType,
    /// FAO's ocean grouping ("Pacific Ocean"); `None` for inland areas.
    pub ocean: Option<&'static str>,
}

/// The FAO level (the FAO file) an area code comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaoAreaLevel {
    /// Major area ("27").
    Major,
    /// Subarea ("27.4").
    Subarea,
    /// Division ("27.4.a").
    Division,
    /// Subdivision ("27.3.d.28").
    Subdivision,
    /// Subunit ("27.3.d.28.1").
    Subunit,
}

/// An entry of the FAO area hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaoArea {
    /// The code ("27.4.a").
    pub code: &'static str,
    /// The FAO level it is filed under.
    pub level: FaoAreaLevel,
    /// The parent code from FAO's hierarchy files; `None` for major areas and for the 13
    /// entries FAO gives no parent. Walk up with this, not with string prefixes.
    pub parent: Option<&'static str>,
    /// The major area (the code's first two digits); `None` for the cross-area groupings
    /// `71-77` and `48-58-88`.
    pub major: Option<&'static str>,
    /// English name.
    pub name_en: &'static str,
}

/// The FAO area-hierarchy entry of `code` (a major area, subarea, division, subdivision or
/// subunit).
pub fn fao_area(code: &str) -> Option<&'static FaoArea> {
    fao::FAO_AREAS
        .binary_search_by(|a| a.code.cmp(code))
        .ok()
        .and_then(|i| fao::FAO_AREAS.get(i))
}

/// The FAO major area `code` ("71"); `None` for finer codes and unknown codes.
pub fn fao_major_area(code: &str) -> Option<&'static FaoMajorArea> {
    fao::FAO_MAJOR_AREAS
        .binary_search_by(|a| a.code.cmp(code))
        .ok()
        .and_then(|i| fao::FAO_MAJOR_AREAS.get(i))
}

/// Whether `code` is an FAO major area ("71") or any finer code of the FAO area hierarchy
/// ("27.4.a", "34.1.11"), including FAO's grouping codes such as "47.X", "27.3.b,c" and
/// "71-77". The aggregates "98" and "99" are not catch areas and are rejected.
pub fn is_fao_area(code: &str) -> bool {
    fao_area(code).is_some()
}

/// The English name of an FAO area code.
pub fn fao_area_name(code: &str) -> Option<&'static str> {
    fao_area(code).map(|a| a.name_en)
}

// ---------------------------------------------------------------------------------------------
// ISSCFG gear

/// The level of an ISSCFG entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GearLevel {
    /// Level 1, a main group ("09" hooks and lines); has no abbreviation.
    Group,
    /// Level 2, a gear type ("09.32" drifting longlines, `LLD`).
    Type,
}

/// An ISSCFG Rev.1 entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gear {
    /// The code as text ("09.32").
    pub code: &'static str,
    /// The FAO abbreviation ("LLD"); `None` for main groups.
    pub abbreviation: Option<&'static str>,
    /// English name.
    pub name_en: &'static str,
    /// Main group or gear type.
    pub level: GearLevel,
    /// The main group of a gear type; `None` for main groups.
    pub parent: Option<&'static str>,
}

/// Abbreviations accepted besides FAO's own, with the code they stand for. FAO writes `NKX`
/// for 99.9 "Gear not known"; the FDIWG copy of the same list (and other users) write `NK`.
/// Both are accepted; [`gear`] resolves `NK` to the 99.9 entry, whose `abbreviation` stays
/// FAO's `NKX`.
pub const GEAR_ABBREVIATION_ALIASES: &[(&str, &str)] = &[("NK", "99.9")];

/// The ISSCFG Rev.1 entry for `code`, given either as a code of either level ("09.32",
/// "09") or as a gear-type abbreviation ("LLD", or the alias "NK").
pub fn gear(code: &str) -> Option<&'static Gear> {
    if let Ok(i) = isscfg::GEARS.binary_search_by(|g| g.code.cmp(code)) {
        return isscfg::GEARS.get(i);
    }
    let code = GEAR_ABBREVIATION_ALIASES
        .iter()
        .find(|(alias, _)| *alias == code)
        .map_or(code, |(_, target)| *target);
    isscfg::GEARS
        .iter()
        .find(|g| g.abbreviation == Some(code) || g.code == code)
}

/// Whether `code` is an ISSCFG Rev.1 gear: a gear-type abbreviation ("LLD"; also "NK" for
/// 99.9, see [`GEAR_ABBREVIATION_ALIASES`]) or a code of either level — a gear type
/// ("09.32") or a main group ("09"), the latter for records that only know the gear group.
/// Abbreviations exist only for gear types. Numbering is Rev.1 (2016): "09.4" is vertical
/// lines, not drifting longlines as in the 1980 classification.
pub fn is_gear(code: &str) -> bool {
    gear(code).is_some()
}

/// The English name of a gear code or abbreviation.
pub fn gear_name(code: &str) -> Option<&'static str> {
    gear(code).map(|g| g.name_en)
}

// ---------------------------------------------------------------------------------------------
// ILO indicators

/// One of the 11 ILO indicators of forced labour (2012).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IloIndicator {
    /// 1..=11, booklet order.
    pub id: u8,
    /// snake_case identifier ("debt_bondage").
    pub key: &'static str,
    /// The indicator's name as published ("Debt bondage").
    pub short_name: &'static str,
}

/// The indicator with `id` (1..=11, booklet order).
pub fn ilo_indicator(id: u64) -> Option<IloIndicator> {
    let index = usize::try_from(id.checked_sub(1)?).ok()?;
    ilo::ILO_INDICATORS.get(index).copied()
}

/// The indicator with snake_case `key` ("withholding_of_wages").
pub fn ilo_indicator_by_key(key: &str) -> Option<IloIndicator> {
    ilo::ILO_INDICATORS.iter().find(|i| i.key == key).copied()
}

/// Whether `id` is one of the 11 ILO forced-labour indicators (1..=11).
pub fn is_ilo_indicator(id: u64) -> bool {
    ilo_indicator(id).is_some()
}

// ---------------------------------------------------------------------------------------------
// ISO 3166-1 flags

/// Alpha-3 codes the `celes` crate knows that are not ISO 3166-1 entries and are therefore
/// rejected as flags: `XKX` (Kosovo) is a user-assigned code, not part of the standard.
pub const NOT_ISO_3166_ALPHA3: &[&str] = &["XKX"];

fn is_upper3(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn iso_country(alpha3: &str) -> Option<celes::Country> {
    if !is_upper3(alpha3) || NOT_ISO_3166_ALPHA3.contains(&alpha3) {
        return None;
    }
    celes::Country::from_alpha3(alpha3).ok()
}

/// Whether `code` is a current ISO 3166-1 alpha-3 code ("THA"), in upper case. User-assigned
/// codes (`XKX`, see [`NOT_ISO_3166_ALPHA3`]) and historical codes (`SUN`, `YUG`) are not.
pub fn is_flag(code: &str) -> bool {
    iso_country(code).is_some()
}

/// The ISO 3166-1 alpha-2 code of an alpha-3 flag ("THA" → "TH").
pub fn flag_alpha2(alpha3: &str) -> Option<&'static str> {
    iso_country(alpha3).map(|c| c.alpha2)
}

/// The alpha-3 flag of an ISO 3166-1 alpha-2 country code ("TH" → "THA"), e.g. for the
/// country prefix of a UN/LOCODE. `XZ` (international waters in UN/LOCODE) has none.
pub fn flag_for_alpha2(alpha2: &str) -> Option<&'static str> {
    if alpha2.len() != 2 || !alpha2.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let country = celes::Country::from_alpha2(alpha2).ok()?;
    is_flag(country.alpha3).then_some(country.alpha3)
}

// ---------------------------------------------------------------------------------------------
// Shapes

/// Whether `code` has the shape of an ASFIS 3-alpha code: three ASCII upper-case letters.
pub fn is_species_shape(code: &str) -> bool {
    is_upper3(code)
}

/// Whether `code` has the shape of a UN/LOCODE without the space: two ASCII upper-case
/// letters (the country part) and three characters each `A`-`Z` or `2`-`9` ("THBKK").
/// Only the shape is checked; the country part need not be an ISO 3166-1 country (UN/LOCODE
/// uses `XZ` for installations in international waters).
pub fn is_locode_shape(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b.iter().take(2).all(u8::is_ascii_uppercase)
        && b.iter()
            .skip(2)
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'9').contains(c))
}

/// Whether `imo` matches the contract's pattern `^IMO[0-9]{7,8}$` exactly (no space, upper
/// case).
pub fn is_imo_shape(imo: &str) -> bool {
    let Some(digits) = imo.strip_prefix("IMO") else {
        return false;
    };
    (7..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `imo` is "IMO" followed by 7 digits whose last digit is the IMO check digit: the
/// first six digits multiplied by 7, 6, 5, 4, 3, 2, summed, last digit of the sum
/// ("IMO9074729": 139 → 9).
///
/// The contract's pattern also admits 8 digits, for which no check-digit rule is defined;
/// this function returns `false` for them (and for anything else that is not exactly "IMO" +
/// 7 digits), so callers that accept the 8-digit form test [`is_imo_shape`] first and only
/// treat a `false` here as a bad check digit when the number has 7 digits. Many real ships
/// carry numbers with bad check digits: treat a failure as a data-quality warning.
pub fn imo_check_digit_ok(imo: &str) -> bool {
    let Some(digits) = imo.strip_prefix("IMO") else {
        return false;
    };
    let d = digits.as_bytes();
    if d.len() != 7 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .take(6)
        .zip([7u32, 6, 5, 4, 3, 2])
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    d.get(6).is_some_and(|c| u32::from(c - b'0') == sum % 10)
}

//! Code lists: FAO major fishing areas and subareas, ISSCFG gear, ILO forced-labour
//! indicators, ISO 3166-1 alpha-3 flags (embedded); ASFIS species and UN/LOCODE ports
//! (parsed from CSV text the caller reads at run time).
//!
//! STUB: the API below is fixed; the implementation is being written.

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

/// Whether `code` is an FAO major area ("71") or a subarea/division ("27.4.a").
pub fn is_fao_area(_code: &str) -> bool {
    true
}

/// Whether `code` is an ISSCFG Rev.1 gear abbreviation ("LLD") or code ("09.32").
pub fn is_gear(_code: &str) -> bool {
    true
}

/// Whether `id` is one of the 11 ILO forced-labour indicators (1..=11).
pub fn is_ilo_indicator(id: u64) -> bool {
    (1..=11).contains(&id)
}

/// Whether `code` is a current ISO 3166-1 alpha-3 code.
pub fn is_flag(_code: &str) -> bool {
    true
}

/// The run-time lists (large, not embedded).
#[derive(Clone, Debug, Default)]
pub struct CodeLists {}

impl CodeLists {
    /// Look up an ASFIS 3-alpha species code.
    pub fn species(&self, _code: &str) -> Lookup {
        Lookup::NotChecked
    }
    /// Look up a UN/LOCODE port (5 characters, no space).
    pub fn port(&self, _code: &str) -> Lookup {
        Lookup::NotChecked
    }
}

//! The large code lists, read at run time: the FAO ASFIS species list and the UN/LOCODE
//! port list (sources: `../shared/data/SOURCE.md`, files `asfis_species.csv` and
//! `un_locode_ports.csv`). They are not embedded: the caller reads the files from a directory
//! the user names and passes their text here.
//!
//! The CSV reader is RFC 4180: comma-separated, fields optionally in double quotes, a quote
//! inside a quoted field written twice, quoted fields may span lines, `\n` or `\r\n` line
//! ends, an optional UTF-8 byte-order mark. Columns are found by header name; every row must
//! have as many fields as the header. Blank lines are skipped.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Lookup, is_locode_shape, is_species_shape};

/// File name of the ASFIS species list in a code-list directory.
pub const ASFIS_FILE: &str = "asfis_species.csv";
/// File name of the UN/LOCODE port list in a code-list directory.
pub const UNLOCODE_FILE: &str = "un_locode_ports.csv";

/// Largest list text accepted, in bytes (the 2025 ASFIS list is about 1.9 MB).
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;
/// Most data rows accepted in one list (ASFIS 2025 has 13 708, the port list 17 506).
pub const MAX_LIST_ROWS: usize = 1_000_000;
/// Most fields accepted in one row.
const MAX_FIELDS: usize = 256;
/// Longest value quoted back in an error message, in characters.
const MAX_QUOTED: usize = 40;

/// Why a code list could not be read. `file` is the label the caller gave (a file name or
/// path); `line` is the 1-based line where the offending row starts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeListError {
    /// The text is larger than [`MAX_LIST_BYTES`].
    #[error("{file}: too large ({len} bytes, at most {max})")]
    TooLarge {
        /// The list's label.
        file: String,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The text has no header row.
    #[error("{file}: empty (no header row)")]
    Empty {
        /// The list's label.
        file: String,
    },
    /// The header lacks a required column.
    #[error("{file}: header has no column `{column}`")]
    MissingColumn {
        /// The list's label.
        file: String,
        /// The column looked for.
        column: &'static str,
    },
    /// The header names a column twice.
    #[error("{file}: header names column `{column}` twice")]
    DuplicateColumn {
        /// The list's label.
        file: String,
        /// The repeated column.
        column: String,
    },
    /// The CSV itself is malformed at `line`.
    #[error("{file} line {line}: {reason}")]
    Malformed {
        /// The list's label.
        file: String,
        /// 1-based line where the row starts.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A code does not have the shape of the list's codes.
    #[error("{file} line {line}: `{code}` is not {expected}")]
    BadCode {
        /// The list's label.
        file: String,
        /// 1-based line where the row starts.
        line: usize,
        /// The offending value (shortened and escaped).
        code: String,
        /// The expected shape.
        expected: &'static str,
    },
    /// A code appears twice.
    #[error("{file} line {line}: code `{code}` listed twice")]
    DuplicateCode {
        /// The list's label.
        file: String,
        /// 1-based line of the second occurrence.
        line: usize,
        /// The repeated code.
        code: String,
    },
    /// The list has a header but no rows.
    #[error("{file}: no entries")]
    NoRows {
        /// The list's label.
        file: String,
    },
    /// More than [`MAX_LIST_ROWS`] rows.
    #[error("{file}: more than {max} rows")]
    TooManyRows {
        /// The list's label.
        file: String,
        /// The limit.
        max: usize,
    },
}

/// Shorten and escape an input-derived value for an error message.
fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_QUOTED).collect();
    if s.chars().nth(MAX_QUOTED).is_some() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

// ---------------------------------------------------------------------------------------------
// CSV

/// A CSV syntax error: the line where it was found and the reason.
type CsvError = (usize, &'static str);

/// RFC 4180 records of `text`, each with the 1-based line it starts on.
pub(super) struct Records<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Records<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Records {
            rest: text.strip_prefix('\u{feff}').unwrap_or(text),
            line: 1,
        }
    }

    /// One field at the start of `self.rest`; leaves `self.rest` at the delimiter.
    fn field(&mut self) -> Result<Cow<'a, str>, CsvError> {
        let s = self.rest;
        let Some(quoted) = s.strip_prefix('"') else {
            let end = s.find([',', '\n', '\r']).unwrap_or(s.len());
            let (value, rest) = s.split_at(end);
            if value.contains('"') {
                return Err((self.line, "quote character inside an unquoted field"));
            }
            self.rest = rest;
            return Ok(Cow::Borrowed(value));
        };
        let mut value: Cow<'a, str> = Cow::Borrowed("");
        let mut q = quoted;
        loop {
            let Some(end) = q.find('"') else {
                return Err((self.line, "quoted field not closed"));
            };
            let (piece, after) = q.split_at(end);
            self.line += piece.matches('\n').count();
            let after = after.get(1..).unwrap_or("");
            if let Some(next) = after.strip_prefix('"') {
                // A doubled quote stands for one quote character.
                let owned = value.to_mut();
                owned.push_str(piece);
                owned.push('"');
                q = next;
            } else {
                if value.is_empty() {
                    value = Cow::Borrowed(piece);
                } else {
                    value.to_mut().push_str(piece);
                }
                if !(after.is_empty() || after.starts_with([',', '\n', '\r'])) {
                    return Err((self.line, "text after the closing quote of a field"));
                }
                self.rest = after;
                return Ok(value);
            }
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<(usize, Vec<Cow<'a, str>>), CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let start = self.line;
            let mut fields = Vec::new();
            loop {
                let field = match self.field() {
                    Ok(f) => f,
                    Err(e) => {
                        self.rest = "";
                        return Some(Err(e));
                    }
                };
                fields.push(field);
                if fields.len() > MAX_FIELDS {
                    self.rest = "";
                    return Some(Err((start, "too many fields in one row")));
                }
                if let Some(r) = self.rest.strip_prefix(',') {
                    self.rest = r;
                } else if let Some(r) = self.rest.strip_prefix("\r\n") {
                    self.rest = r;
                    self.line += 1;
                    break;
                } else if let Some(r) = self.rest.strip_prefix('\n') {
                    self.rest = r;
                    self.line += 1;
                    break;
                } else if self.rest.is_empty() {
                    break;
                } else {
                    self.rest = "";
                    return Some(Err((
                        self.line,
                        "carriage return not followed by a line feed",
                    )));
                }
            }
            let blank = matches!(fields.as_slice(), [f] if f.is_empty());
            if !blank {
                return Some(Ok((start, fields)));
            }
        }
    }
}

/// A CSV text checked against the limits, with its header read.
struct Table<'a> {
    file: &'a str,
    header: Vec<Cow<'a, str>>,
    records: Records<'a>,
}

impl<'a> Table<'a> {
    fn open(file: &'a str, text: &'a str, max_bytes: usize) -> Result<Self, CodeListError> {
        if text.len() > max_bytes {
            return Err(CodeListError::TooLarge {
                file: file.to_owned(),
                len: text.len(),
                max: max_bytes,
            });
        }
        let mut records = Records::new(text);
        let header = match records.next() {
            None => {
                return Err(CodeListError::Empty {
                    file: file.to_owned(),
                });
            }
            Some(Err(e)) => return Err(malformed(file, e)),
            Some(Ok((_, h))) => h,
        };
        for (i, name) in header.iter().enumerate() {
            if header
                .iter()
                .skip(i + 1)
                .any(|other| other.trim() == name.trim())
            {
                return Err(CodeListError::DuplicateColumn {
                    file: file.to_owned(),
                    column: quote(name),
                });
            }
        }
        Ok(Table {
            file,
            header,
            records,
        })
    }

    fn column(&self, name: &'static str) -> Result<usize, CodeListError> {
        self.optional_column(name)
            .ok_or_else(|| CodeListError::MissingColumn {
                file: self.file.to_owned(),
                column: name,
            })
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }

    /// Every data row, checked for its field count, with `f` applied to it.
    fn rows(
        self,
        mut f: impl FnMut(usize, &[Cow<'a, str>]) -> Result<(), CodeListError>,
    ) -> Result<(), CodeListError> {
        let width = self.header.len();
        let mut count = 0usize;
        for record in self.records {
            let (line, fields) = record.map_err(|e| malformed(self.file, e))?;
            count += 1;
            if count > MAX_LIST_ROWS {
                return Err(CodeListError::TooManyRows {
                    file: self.file.to_owned(),
                    max: MAX_LIST_ROWS,
                });
            }
            if fields.len() != width {
                return Err(CodeListError::Malformed {
                    file: self.file.to_owned(),
                    line,
                    reason: format!("{} fields, the header has {width}", fields.len()),
                });
            }
            f(line, &fields)?;
        }
        if count == 0 {
            return Err(CodeListError::NoRows {
                file: self.file.to_owned(),
            });
        }
        Ok(())
    }
}

fn malformed(file: &str, (line, reason): CsvError) -> CodeListError {
    CodeListError::Malformed {
        file: file.to_owned(),
        line,
        reason: reason.to_owned(),
    }
}

fn field<'f>(fields: &'f [Cow<'_, str>], index: Option<usize>) -> Option<&'f str> {
    let value: &str = fields.get(index?)?;
    (!value.is_empty()).then_some(value)
}

/// What a keyed list looks like: its code column, the shape of its codes, and the optional
/// columns it reads besides.
struct Keyed<const N: usize> {
    code_column: &'static str,
    shape: fn(&str) -> bool,
    expected: &'static str,
    optional: [&'static str; N],
}

/// Parse rows keyed by their code into a map of `T`; `make` gets each row and the positions
/// of the optional columns (`None` where the header lacks them).
fn parse_keyed<T, const N: usize>(
    file: &str,
    text: &str,
    max_bytes: usize,
    spec: &Keyed<N>,
    mut make: impl FnMut(&[Cow<'_, str>], &[Option<usize>; N]) -> T,
) -> Result<BTreeMap<Box<str>, T>, CodeListError> {
    let table = Table::open(file, text, max_bytes)?;
    let code_at = table.column(spec.code_column)?;
    let optional = spec.optional.map(|name| table.optional_column(name));
    let mut map = BTreeMap::new();
    table.rows(|line, fields| {
        let code: &str = fields.get(code_at).map_or("", |c| c);
        if !(spec.shape)(code) {
            return Err(CodeListError::BadCode {
                file: file.to_owned(),
                line,
                code: quote(code),
                expected: spec.expected,
            });
        }
        if map
            .insert(Box::from(code), make(fields, &optional))
            .is_some()
        {
            return Err(CodeListError::DuplicateCode {
                file: file.to_owned(),
                line,
                code: code.to_owned(),
            });
        }
        Ok(())
    })?;
    Ok(map)
}

// ---------------------------------------------------------------------------------------------
// Species

#[derive(Clone, Debug, PartialEq, Eq)]
struct Species {
    english_name: Option<Box<str>>,
    scientific_name: Option<Box<str>>,
}

/// The ASFIS species list: 3-alpha codes with their English and scientific names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpeciesList {
    entries: BTreeMap<Box<str>, Species>,
}

impl SpeciesList {
    /// Column holding the 3-alpha code (required).
    pub const CODE_COLUMN: &'static str = "alpha3_code";
    /// Column holding the English name (optional; ASFIS leaves many empty).
    pub const ENGLISH_NAME_COLUMN: &'static str = "english_name";
    /// Column holding the scientific name (optional).
    pub const SCIENTIFIC_NAME_COLUMN: &'static str = "scientific_name";

    /// Parse the CSV text of an ASFIS list; `file` labels it in errors. Every code must be
    /// three upper-case ASCII letters and appear once.
    pub fn parse(file: &str, text: &str) -> Result<Self, CodeListError> {
        Self::parse_limited(file, text, MAX_LIST_BYTES)
    }

    pub(super) fn parse_limited(
        file: &str,
        text: &str,
        max_bytes: usize,
    ) -> Result<Self, CodeListError> {
        let spec = Keyed {
            code_column: Self::CODE_COLUMN,
            shape: is_species_shape,
            expected: "an ASFIS 3-alpha code (three letters A-Z)",
            optional: [Self::ENGLISH_NAME_COLUMN, Self::SCIENTIFIC_NAME_COLUMN],
        };
        let entries = parse_keyed(file, text, max_bytes, &spec, |fields, &[english, sci]| {
            Species {
                english_name: field(fields, english).map(Box::from),
                scientific_name: field(fields, sci).map(Box::from),
            }
        })?;
        Ok(SpeciesList { entries })
    }

    /// Whether `code` is listed.
    pub fn contains(&self, code: &str) -> bool {
        self.entries.contains_key(code)
    }

    /// The English name of `code`, if listed and named.
    pub fn english_name(&self, code: &str) -> Option<&str> {
        self.entries.get(code)?.english_name.as_deref()
    }

    /// The scientific name of `code`, if listed and named.
    pub fn scientific_name(&self, code: &str) -> Option<&str> {
        self.entries.get(code)?.scientific_name.as_deref()
    }

    /// Number of species.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty (a parsed list never is).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Ports

/// The UN/LOCODE port list: 5-character codes with their names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortList {
    entries: BTreeMap<Box<str>, Option<Box<str>>>,
}

impl PortList {
    /// Column holding the 5-character code without space (required).
    pub const CODE_COLUMN: &'static str = "locode";
    /// Column holding the location name (optional).
    pub const NAME_COLUMN: &'static str = "name";

    /// Parse the CSV text of a port list; `file` labels it in errors. Every code must have
    /// the UN/LOCODE shape (see [`is_locode_shape`]) and appear once.
    pub fn parse(file: &str, text: &str) -> Result<Self, CodeListError> {
        Self::parse_limited(file, text, MAX_LIST_BYTES)
    }

    pub(super) fn parse_limited(
        file: &str,
        text: &str,
        max_bytes: usize,
    ) -> Result<Self, CodeListError> {
        let spec = Keyed {
            code_column: Self::CODE_COLUMN,
            shape: is_locode_shape,
            expected: "a UN/LOCODE (2 letters, then 3 of A-Z or 2-9, no space)",
            optional: [Self::NAME_COLUMN],
        };
        let entries = parse_keyed(file, text, max_bytes, &spec, |fields, &[name]| {
            field(fields, name).map(Box::from)
        })?;
        Ok(PortList { entries })
    }

    /// Whether `code` is listed.
    pub fn contains(&self, code: &str) -> bool {
        self.entries.contains_key(code)
    }

    /// The name of port `code`, if listed and named.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.entries.get(code)?.as_deref()
    }

    /// Number of ports.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty (a parsed list never is).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Both

/// The run-time lists (large, not embedded). Either may be absent; look-ups in an absent
/// list answer [`Lookup::NotChecked`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeLists {
    species: Option<SpeciesList>,
    ports: Option<PortList>,
}

impl CodeLists {
    /// Lists already parsed (e.g. with labels giving full paths).
    pub fn new(species: Option<SpeciesList>, ports: Option<PortList>) -> Self {
        CodeLists { species, ports }
    }

    /// Parse the text of [`ASFIS_FILE`] and of [`UNLOCODE_FILE`], either of which may be
    /// absent; errors are labelled with those file names.
    pub fn from_csv(asfis: Option<&str>, unlocode: Option<&str>) -> Result<Self, CodeListError> {
        Ok(CodeLists {
            species: asfis
                .map(|t| SpeciesList::parse(ASFIS_FILE, t))
                .transpose()?,
            ports: unlocode
                .map(|t| PortList::parse(UNLOCODE_FILE, t))
                .transpose()?,
        })
    }

    /// Look up an ASFIS 3-alpha species code.
    pub fn species(&self, code: &str) -> Lookup {
        lookup(self.species.as_ref().map(|l| l.contains(code)))
    }

    /// Look up a UN/LOCODE port (5 characters, no space).
    pub fn port(&self, code: &str) -> Lookup {
        lookup(self.ports.as_ref().map(|l| l.contains(code)))
    }

    /// The English name of a species, for display (`None` when the list is not loaded, the
    /// code is unknown, or ASFIS gives no English name).
    pub fn species_name(&self, code: &str) -> Option<&str> {
        self.species.as_ref()?.english_name(code)
    }

    /// The name of a port, for display.
    pub fn port_name(&self, code: &str) -> Option<&str> {
        self.ports.as_ref()?.name(code)
    }

    /// The species list, if loaded.
    pub fn species_list(&self) -> Option<&SpeciesList> {
        self.species.as_ref()
    }

    /// The port list, if loaded.
    pub fn port_list(&self) -> Option<&PortList> {
        self.ports.as_ref()
    }
}

fn lookup(found: Option<bool>) -> Lookup {
    match found {
        None => Lookup::NotChecked,
        Some(true) => Lookup::Known,
        Some(false) => Lookup::Unknown,
    }
}

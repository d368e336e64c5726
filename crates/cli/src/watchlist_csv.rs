//! The CSV form of a watch list for `issue watchlist --input LIST.csv --list-name NAME
//! --list-source TEXT`: a header row `scheme,value,reason,listed_from,listed_until`, then
//! one entry a row (`listed_until` may be empty: open). Errors name the row (1 is the
//! header) and the column.

use catchcert_model::input;
use catchcert_model::payload::{MAX_WATCH_ENTRIES, WatchEntry};

const COLUMNS: [&str; 5] = ["scheme", "value", "reason", "listed_from", "listed_until"];

/// The entries of a watch-list CSV, or the error naming the row and column.
pub fn entries(text: &[u8]) -> Result<Vec<WatchEntry>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(text);
    let header = r.headers().map_err(|e| format!("row 1: {e}"))?.clone();
    let got: Vec<&str> = header.iter().collect();
    if got != COLUMNS {
        return Err(format!(
            "row 1: the header must be exactly {:?}, found {:?}",
            COLUMNS.join(","),
            got.join(",")
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| format!("row {row}: {e}"))?;
        if out.len() == MAX_WATCH_ENTRIES {
            return Err(format!(
                "row {row}: more than {MAX_WATCH_ENTRIES} entries; split the list into several files and certificates"
            ));
        }
        let col = |c: usize| rec.get(c).unwrap_or("");
        let e = input::watch_entry(
            &format!("row {row}"),
            col(0),
            col(1),
            col(2),
            col(3),
            Some(col(4)),
        )
        .map_err(|e| {
            // `row N.column` → name the column as the header does
            e.to_string()
                .replacen(&format!("`row {row}."), &format!("row {row}, column `"), 1)
        })?;
        out.push(e);
    }
    if out.is_empty() {
        return Err("no entries after the header row".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_names_errors() {
        let ok = b"scheme,value,reason,listed_from,listed_until\n\
imo,IMO1234567,WRO 2026-01,2026-01-01T00:00:00Z,\n\
fao_area,27.4,closure,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z\n";
        let e = entries(ok).unwrap();
        assert_eq!(e.len(), 2);
        assert!(e[0].listed_until.is_none());
        assert!(e[1].listed_until.is_some());
        let bad = b"scheme,value,reason,listed_from,listed_until\n\
imo,IMO1234567,x,2026-01-01T00:00:00Z,\n\
flag,XXX,x,2026-01-01T00:00:00Z,\n";
        let err = entries(bad).unwrap_err();
        assert!(err.contains("row 3") && err.contains("value"), "{err}");
        let hdr = entries(b"scheme,value\nimo,IMO1234567\n").unwrap_err();
        assert!(hdr.contains("row 1"), "{hdr}");
        let short = b"scheme,value,reason,listed_from,listed_until\nimo,IMO1234567\n";
        assert!(entries(short).unwrap_err().contains("row 2"));
    }
}

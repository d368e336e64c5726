//! Batch input for `issue-batch` (docs/batch.md): rows from JSONL, CSV or a directory of JSON
//! files, each naming its row id, kind and signer, plus the certificate input of contract §3.
//! A row refers to an earlier row's certificate by the local reference `@ROW-ID` (in
//! `inputs[].certificate` and `attestations[]`); [`order`] puts rows in dependency order.

use catchcert_model::{CertId, Kind};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// Most rows in one batch.
pub const MAX_ROWS: usize = 1_000_000;

/// One row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row id (`[A-Za-z0-9._-]{1,64}`): the certificate file is `<id>.cose`.
    pub id: String,
    /// The certificate kind.
    pub kind: Kind,
    /// The keyring signer.
    pub signer: String,
    /// The certificate input (contract §3) with local references.
    pub input: Json,
}

/// A bad row: its id (or `line N` / file name when it has none), the field and the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// Row id or location.
    pub row: String,
    /// The field at fault.
    pub field: String,
    /// Why.
    pub reason: String,
}

fn err(row: &str, field: &str, reason: impl Into<String>) -> RowError {
    RowError {
        row: row.to_string(),
        field: field.to_string(),
        reason: reason.into(),
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !s.starts_with('.')
}

/// A row from one flat JSON object: `id`, `kind`, `signer` and the input's fields.
pub fn row_from_object(
    mut obj: Map<String, Json>,
    at: &str,
    default_id: Option<&str>,
) -> Result<Row, RowError> {
    let id = match obj.remove("id") {
        Some(Json::String(s)) => s,
        None => default_id
            .map(str::to_string)
            .ok_or_else(|| err(at, "id", "missing"))?,
        Some(other) => return Err(err(at, "id", format!("{other}: must be a string"))),
    };
    if !valid_id(&id) {
        return Err(err(
            at,
            "id",
            format!("{id:?}: 1–64 of A–Z a–z 0–9 . _ - (not starting with .)"),
        ));
    }
    let kind = match obj.remove("kind") {
        Some(Json::String(s)) => s
            .parse::<Kind>()
            .map_err(|e| err(&id, "kind", format!("{s:?}: {e}")))?,
        _ => return Err(err(&id, "kind", "missing")),
    };
    let signer = match obj.remove("signer") {
        Some(Json::String(s)) if !s.is_empty() => s,
        _ => return Err(err(&id, "signer", "missing")),
    };
    Ok(Row {
        id,
        kind,
        signer,
        input: Json::Object(obj),
    })
}

/// Rows from JSON Lines (blank lines and lines starting with `#` are skipped).
pub fn parse_jsonl(text: &str) -> (Vec<Row>, Vec<RowError>) {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let at = format!("line {}", n + 1);
        match serde_json::from_str::<Json>(t) {
            Ok(Json::Object(o)) => match row_from_object(o, &at, None) {
                Ok(r) => rows.push(r),
                Err(e) => errors.push(e),
            },
            Ok(_) => errors.push(err(&at, "(row)", "not a JSON object")),
            Err(e) => errors.push(err(&at, "(row)", format!("not JSON: {e}"))),
        }
    }
    (rows, errors)
}

fn num(row: &str, field: &str, s: &str) -> Result<Json, RowError> {
    s.trim()
        .parse::<f64>()
        .map(|f| json!(f))
        .map_err(|_| err(row, field, format!("{s:?}: not a number")))
}

/// Rows from CSV with a header (docs/batch.md lists the columns per kind). Empty cells are
/// absent fields. Inputs and outputs are numbered column groups: `input_certificate`,
/// `input_lot`, `input_quantity_kg` (the first input; `input2_…`, `input3_…` the next) and
/// `output_lot`, `output_quantity_kg`, `output_species`, `output_product` (`output2_…`, …),
/// in the order of their numbers; `attestations` is space-separated; `at_sea` is true/false.
pub fn parse_csv(text: &str) -> (Vec<Row>, Vec<RowError>) {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (rows, vec![err("line 1", "(header)", e.to_string())]),
    };
    for (n, rec) in rdr.records().enumerate() {
        let at = format!("line {}", n + 2);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(&at, "(row)", e.to_string()));
                continue;
            }
        };
        match csv_row(&headers, &rec, &at) {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    (rows, errors)
}

/// Most inputs or outputs a CSV row can number (`input999_lot`).
pub const MAX_CSV_LOTS: u32 = 999;

/// A lot column: `input_FIELD` / `output_FIELD` (the first input or output) or
/// `inputN_FIELD` / `outputN_FIELD` (N = 1…999; `input1_lot` is `input_lot`) →
/// (side, N, FIELD).
fn lot_column(h: &str) -> Option<(&'static str, u32, &str)> {
    let (side, rest) = if let Some(r) = h.strip_prefix("input") {
        ("input", r)
    } else {
        ("output", h.strip_prefix("output")?)
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (n, rest) = rest.split_at(digits);
    let field = rest.strip_prefix('_')?;
    let n = if n.is_empty() { 1 } else { n.parse().ok()? };
    (1..=MAX_CSV_LOTS).contains(&n).then_some((side, n, field))
}

fn csv_row(
    headers: &csv::StringRecord,
    rec: &csv::StringRecord,
    at: &str,
) -> Result<Row, RowError> {
    let mut obj = Map::new();
    let mut inputs: BTreeMap<u32, Map<String, Json>> = BTreeMap::new();
    let mut outputs: BTreeMap<u32, Map<String, Json>> = BTreeMap::new();
    let id = headers
        .iter()
        .position(|h| h == "id")
        .and_then(|i| rec.get(i))
        .filter(|s| !s.is_empty())
        .unwrap_or(at)
        .to_string();
    for (h, v) in headers.iter().zip(rec.iter()) {
        if v.is_empty() {
            continue;
        }
        if let Some((side, n, field)) = lot_column(h) {
            let known = if side == "input" {
                matches!(field, "certificate" | "lot" | "quantity_kg")
            } else {
                matches!(field, "lot" | "quantity_kg" | "species" | "product")
            };
            if !known {
                return Err(err(
                    &id,
                    h,
                    format!("not a column of an {side} (docs/batch.md)"),
                ));
            }
            let value = if field == "quantity_kg" {
                num(&id, h, v)?
            } else {
                json!(v)
            };
            let map = if side == "input" {
                &mut inputs
            } else {
                &mut outputs
            };
            map.entry(n).or_default().insert(field.into(), value);
            continue;
        }
        match h {
            "attestations" => {
                obj.insert(h.into(), json!(v.split_whitespace().collect::<Vec<_>>()));
            }
            "at_sea" => match v {
                "true" => {
                    obj.insert(h.into(), json!(true));
                }
                "false" => {
                    obj.insert(h.into(), json!(false));
                }
                _ => return Err(err(&id, h, format!("{v:?}: true or false"))),
            },
            _ => {
                obj.insert(h.into(), json!(v));
            }
        }
    }
    if !inputs.is_empty() {
        obj.insert(
            "inputs".into(),
            json!(inputs.into_values().collect::<Vec<_>>()),
        );
    }
    if !outputs.is_empty() {
        obj.insert(
            "outputs".into(),
            json!(outputs.into_values().collect::<Vec<_>>()),
        );
    }
    let kind_is_catch = obj.get("kind").and_then(Json::as_str) == Some("catch");
    if !kind_is_catch && !obj.contains_key("inputs") && obj.contains_key("outputs") {
        obj.insert("inputs".into(), json!([]));
    }
    if obj.contains_key("outputs") && !obj.contains_key("attestations") {
        obj.insert("attestations".into(), json!([]));
    }
    row_from_object(obj, at, None)
}

/// The local references (`@ROW-ID`) of an input, without the `@`.
pub fn references(input: &Json) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(ins) = input.get("inputs").and_then(Json::as_array) {
        for i in ins {
            if let Some(r) = i
                .get("certificate")
                .and_then(Json::as_str)
                .and_then(|s| s.strip_prefix('@'))
            {
                out.push(r.to_string());
            }
        }
    }
    if let Some(a) = input.get("attestations").and_then(Json::as_array) {
        for x in a {
            if let Some(r) = x.as_str().and_then(|s| s.strip_prefix('@')) {
                out.push(r.to_string());
            }
        }
    }
    out
}

/// Replace local references by certificate ids.
pub fn substitute(input: &Json, ids: &BTreeMap<String, CertId>) -> Json {
    let mut j = input.clone();
    let sub = |v: &mut Json| {
        if let Some(id) = v
            .as_str()
            .and_then(|s| s.strip_prefix('@'))
            .and_then(|r| ids.get(r))
        {
            *v = json!(id.to_string());
        }
    };
    if let Some(ins) = j.get_mut("inputs").and_then(Json::as_array_mut) {
        for i in ins {
            if let Some(c) = i.get_mut("certificate") {
                sub(c);
            }
        }
    }
    if let Some(a) = j.get_mut("attestations").and_then(Json::as_array_mut) {
        a.iter_mut().for_each(sub);
    }
    j
}

/// Rows in dependency order (each after the rows it refers to; otherwise in input order).
/// Duplicate ids, references to unknown rows and cycles are errors of the rows concerned,
/// which are left out of the order.
pub fn order(rows: &[Row]) -> (Vec<usize>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dup = BTreeSet::new();
    for (i, r) in rows.iter().enumerate() {
        if index.insert(r.id.as_str(), i).is_some() {
            dup.insert(r.id.as_str());
        }
    }
    let mut bad: BTreeSet<usize> = BTreeSet::new();
    for (i, r) in rows.iter().enumerate() {
        if dup.contains(r.id.as_str()) {
            errors.push(err(&r.id, "id", "used by more than one row"));
            bad.insert(i);
            continue;
        }
        for dep in references(&r.input) {
            if !index.contains_key(dep.as_str()) {
                errors.push(err(
                    &r.id,
                    "inputs/attestations",
                    format!("@{dep}: no row has this id"),
                ));
                bad.insert(i);
            }
        }
    }
    // Kahn's algorithm, smallest input position first.
    let deps: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| {
            references(&r.input)
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut pending: Vec<usize> = vec![0; rows.len()];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            children[d].push(i);
            pending[i] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..rows.len()).filter(|i| pending[*i] == 0).collect();
    let mut out = Vec::with_capacity(rows.len());
    while let Some(i) = ready.pop_first() {
        out.push(i);
        for &c in &children[i] {
            pending[c] -= 1;
            if pending[c] == 0 {
                ready.insert(c);
            }
        }
    }
    for (i, r) in rows.iter().enumerate() {
        if pending[i] > 0 && !bad.contains(&i) {
            errors.push(err(
                &r.id,
                "inputs/attestations",
                "part of a reference cycle",
            ));
            bad.insert(i);
        }
    }
    // Rows marked bad stay in the order (the caller reports them and skips dependants).
    (
        out.into_iter().filter(|i| !bad.contains(i)).collect(),
        errors,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_rows_order_by_reference() {
        let text = r#"{"id":"b","kind":"landing","signer":"v","time":"2026-01-02T00:00:00Z","inputs":[{"certificate":"@a","lot":"L","quantity_kg":1}],"outputs":[{"lot":"L","quantity_kg":1}],"attestations":[]}
{"id":"a","kind":"catch","signer":"v","time":"2026-01-01T00:00:00Z"}
{"id":"c","kind":"bogus","signer":"v"}"#;
        let (rows, errors) = parse_jsonl(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(errors[0].field, "kind");
        let (o, e) = order(&rows);
        assert!(e.is_empty());
        assert_eq!(o, vec![1, 0]);
    }

    #[test]
    fn cycles_and_unknown_references_are_named() {
        let mk = |id: &str, dep: &str| Row {
            id: id.into(),
            kind: Kind::Landing,
            signer: "v".into(),
            input: json!({"inputs":[{"certificate": format!("@{dep}")}]}),
        };
        let rows = vec![mk("a", "b"), mk("b", "a"), mk("c", "zz")];
        let (o, e) = order(&rows);
        assert!(o.is_empty());
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn csv_rows_have_one_input_and_output() {
        let text = "id,kind,signer,time,port,input_certificate,input_lot,input_quantity_kg,output_lot,output_quantity_kg\n\
                    l1,landing,v,2026-01-02T00:00:00Z,THHKT,@c1,L1,10,L1,10\n";
        let (rows, errors) = parse_csv(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].input["inputs"][0]["certificate"], "@c1");
        assert_eq!(rows[0].input["outputs"][0]["quantity_kg"], 10.0);
        assert_eq!(references(&rows[0].input), vec!["c1"]);
    }

    #[test]
    fn csv_rows_number_several_inputs_and_outputs() {
        let text = "id,kind,signer,time,facility,input_certificate,input_lot,input_quantity_kg,input2_certificate,input2_lot,input2_quantity_kg,output_lot,output_quantity_kg,output_product,output2_lot,output2_quantity_kg,output2_product\n\
                    p1,processing,v,2026-01-02T00:00:00Z,Plant,@c1,L1,10,@c2,L2,5.5,P1,8,Loins,P2,4,Belly\n\
                    p2,processing,v,2026-01-02T00:00:00Z,Plant,@c1,L1,10,,,,P3,8,Loins,,,\n";
        let (rows, errors) = parse_csv(text);
        assert!(errors.is_empty(), "{errors:?}");
        let ins = rows[0].input["inputs"].as_array().unwrap();
        assert_eq!(ins.len(), 2);
        assert_eq!(ins[1]["certificate"], "@c2");
        assert_eq!(ins[1]["quantity_kg"], 5.5);
        let outs = rows[0].input["outputs"].as_array().unwrap();
        assert_eq!(outs.len(), 2);
        assert_eq!(outs[1]["product"], "Belly");
        assert_eq!(references(&rows[0].input), vec!["c1", "c2"]);
        // Empty groups are absent.
        assert_eq!(rows[1].input["inputs"].as_array().unwrap().len(), 1);
        assert_eq!(rows[1].input["outputs"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn csv_lot_columns_are_checked() {
        let text = "id,kind,signer,input2_weight\np1,processing,v,3\n";
        let (_, errors) = parse_csv(text);
        assert_eq!(errors[0].field, "input2_weight");
        let text = "id,kind,signer,input2_quantity_kg\np1,processing,v,x\n";
        let (_, errors) = parse_csv(text);
        assert_eq!(errors[0].field, "input2_quantity_kg");
        assert_eq!(lot_column("input_lot"), Some(("input", 1, "lot")));
        assert_eq!(lot_column("input1_lot"), Some(("input", 1, "lot")));
        assert_eq!(
            lot_column("output12_species"),
            Some(("output", 12, "species"))
        );
        assert_eq!(lot_column("input0_lot"), None);
        assert_eq!(lot_column("inputs"), None);
    }
}

//! The CBV 2.0 event hash (GS1 CBV 2.0 §8.9): a pre-hash string built from the event's
//! fields in the canonical order, identifiers in their canonical GS1 Digital Link form, times
//! in UTC at millisecond precision, CBV vocabulary as web URIs, extension fields named
//! `{namespace}local` and sorted; then `ni:///sha-256;<hex>?ver=CBV2.0`.
//!
//! The behaviour follows GS1's reference implementation (epcis-event-hash-generator) for
//! the fields of the standard: `eventID`, `recordTime`, `type` and `errorDeclaration` are left
//! out; `bizTransactionList`, `sourceList`, `destinationList`, `ilmd` and extensions are
//! appended after the ordered fields, sorted by their rendered text.

use crate::dl;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Prefix → namespace IRI, from the document's inline `@context` objects.
pub type Namespaces = BTreeMap<String, String>;

/// One element of the XML-like tree the algorithm walks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn leaf(name: &str, text: String) -> Node {
        Node {
            name: name.to_string(),
            text,
            children: Vec::new(),
        }
    }
    fn parent(name: &str, children: Vec<Node>) -> Node {
        Node {
            name: name.to_string(),
            text: String::new(),
            children,
        }
    }
}

/// Prefixes the GS1 EPCIS 2.0 context defines. That context is `@protected`, so a document
/// cannot redefine them: JSON-LD 1.1 makes a redefinition an error (GS1's reference
/// implementation refuses such a document); catchcert ignores the redefinition and keeps the
/// GS1 meaning, so the event still has its hash.
pub const PROTECTED_PREFIXES: [&str; 8] = [
    "epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms",
];

/// The namespaces an EPCIS document binds inline in its `@context` (redefinitions of the
/// GS1 context's protected prefixes are ignored).
pub fn namespaces(doc: &Json) -> Namespaces {
    let mut ns = Namespaces::new();
    let mut add = |c: &Json| {
        if let Some(obj) = c.as_object() {
            for (k, v) in obj {
                if PROTECTED_PREFIXES.contains(&k.as_str()) {
                    continue;
                }
                if let Some(s) = v.as_str() {
                    ns.insert(k.clone(), s.to_string());
                }
            }
        }
    };
    match doc.get("@context") {
        Some(Json::Array(items)) => items.iter().for_each(&mut add),
        Some(c) => add(c),
        None => {}
    }
    ns
}

fn expand_key(k: &str, ns: &Namespaces) -> String {
    match k.split_once(':') {
        Some((p, local)) if ns.contains_key(p) => format!("{{{}}}{local}", ns[p]),
        _ => k.to_string(),
    }
}

fn expand_value(v: &str, ns: &Namespaces) -> String {
    match v.split_once(':') {
        Some((p, local)) if ns.contains_key(p) => format!("{}{local}", ns[p]),
        _ => v.to_string(),
    }
}

fn scalar(v: &Json, ns: &Namespaces) -> String {
    match v {
        Json::String(s) => expand_value(s, ns),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => "None".into(),
        Json::Number(n) => match n.as_f64() {
            Some(f) => python_float(f),
            None => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Python's `str(float)` for the values the algorithm meets.
fn python_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// A generic JSON member → nodes (an array gives one node per element, like XML siblings).
///
/// A member whose name ends in `List` is one node whose children are its elements, each
/// named without the `List` suffix (`cbvmda:certificationList` {`certification`: […]} →
/// `cbvmda:certificationList` › `cbvmda:certification` › `certification`…), as in the XML
/// form of EPCIS and as the reference implementation renders it.
fn generic(key: &str, v: &Json, ns: &Namespaces) -> Vec<Node> {
    let name = expand_key(key, ns);
    if let Some(item) = name.strip_suffix("List")
        && !item.is_empty()
    {
        let element = |x: &Json| match x {
            Json::Object(obj) => Node::parent(item, object_children(obj, ns)),
            Json::Array(_) => Node::parent(item, generic(item, x, ns)),
            other => Node::leaf(item, scalar(other, ns)),
        };
        let children = match v {
            Json::Array(items) => items.iter().map(element).collect(),
            other => vec![element(other)],
        };
        return vec![Node::parent(&name, children)];
    }
    match v {
        Json::Array(items) => items.iter().flat_map(|i| generic(key, i, ns)).collect(),
        Json::Object(obj) => vec![Node::parent(&name, object_children(obj, ns))],
        other => vec![Node::leaf(&name, scalar(other, ns))],
    }
}

fn object_children(obj: &Map<String, Json>, ns: &Namespaces) -> Vec<Node> {
    let mut out: Vec<Node> = obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "#text" | "rdfs:comment" | "comment"))
        .flat_map(|(k, v)| generic(k, v, ns))
        .collect();
    out.sort();
    out
}

/// CBV vocabulary given as a bare word, by the field it is in.
fn vocab(prefix: &str, v: &str) -> String {
    if v.contains(':') {
        v.to_string()
    } else {
        format!("https://ref.gs1.org/cbv/{prefix}-{v}")
    }
}

fn list_of(name: &str, item: &str, v: &Json, ns: &Namespaces) -> Node {
    let children = match v {
        Json::Array(items) => items
            .iter()
            .map(|i| Node::leaf(item, scalar(i, ns)))
            .collect(),
        other => vec![Node::leaf(item, scalar(other, ns))],
    };
    Node::parent(name, children)
}

fn quantity_list(name: &str, v: &Json, ns: &Namespaces) -> Node {
    let items = v.as_array().cloned().unwrap_or_default();
    let children = items
        .iter()
        .map(|q| match q.as_object() {
            Some(o) => Node::parent("quantityElement", object_children(o, ns)),
            None => Node::leaf("quantityElement", scalar(q, ns)),
        })
        .collect();
    Node::parent(name, children)
}

/// `bizTransactionList` / `sourceList` / `destinationList`: (type, value) pairs, flattened
/// in document order.
fn typed_list(name: &str, item: &str, prefix: &str, v: &Json, ns: &Namespaces) -> Node {
    let mut pairs: Vec<Vec<Node>> = Vec::new();
    for e in v.as_array().map(Vec::as_slice).unwrap_or_default() {
        let mut pair = Vec::new();
        if let Some(t) = e.get("type").and_then(Json::as_str) {
            pair.push(Node::leaf("type", vocab(prefix, t)));
        }
        if let Some(x) = e.get(item) {
            pair.push(Node::leaf(item, scalar(x, ns)));
        }
        pairs.push(pair);
    }
    // Pairs in the order of their rendered text, each pair type first.
    pairs.sort_by_cached_key(|p| generic_string(p));
    Node::parent(name, pairs.into_iter().flatten().collect())
}

fn sensor_list(v: &Json, ns: &Namespaces) -> Node {
    let mut elements = Vec::new();
    for e in v.as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(obj) = e.as_object() else { continue };
        let mut children = Vec::new();
        for (k, val) in obj {
            match k.as_str() {
                "sensorReport" => {
                    for r in val.as_array().map(Vec::as_slice).unwrap_or_default() {
                        let mut rc = match r.as_object() {
                            Some(o) => object_children(o, ns),
                            None => Vec::new(),
                        };
                        for n in &mut rc {
                            if n.name == "type" && !n.text.contains(':') {
                                n.text = format!("https://gs1.org/voc/{}", n.text);
                            }
                        }
                        children.push(Node::parent("sensorReport", rc));
                    }
                }
                _ => children.extend(generic(k, val, ns)),
            }
        }
        elements.push(Node::parent("sensorElement", children));
    }
    Node::parent("sensorElementList", elements)
}

/// The event as a tree of nodes in the XML data model.
fn event_tree(event: &Map<String, Json>, ns: &Namespaces) -> Vec<Node> {
    let mut out = Vec::new();
    for (k, v) in event {
        let node = match k.as_str() {
            "epcList" | "childEPCs" | "inputEPCList" | "outputEPCList" => list_of(k, "epc", v, ns),
            "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList" => {
                quantity_list(k, v, ns)
            }
            "bizTransactionList" => typed_list(k, "bizTransaction", "BTT", v, ns),
            "sourceList" => typed_list(k, "source", "SDT", v, ns),
            "destinationList" => typed_list(k, "destination", "SDT", v, ns),
            "sensorElementList" => sensor_list(v, ns),
            "bizStep" => Node::leaf(k, vocab("BizStep", &scalar(v, ns))),
            "disposition" => Node::leaf(k, vocab("Disp", &scalar(v, ns))),
            "persistentDisposition" => {
                let mut c = Vec::new();
                for part in ["set", "unset"] {
                    for x in v
                        .get(part)
                        .and_then(Json::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        c.push(Node::leaf(part, vocab("Disp", &scalar(x, ns))));
                    }
                }
                Node::parent(k, c)
            }
            _ => {
                out.extend(generic(k, v, ns));
                continue;
            }
        };
        out.push(node);
    }
    out
}

/// One entry of the canonical order: a field name and the order of its children (empty:
/// a leaf).
struct O(&'static str, &'static [O]);

const QTY: &[O] = &[O(
    "quantityElement",
    &[O("epcClass", &[]), O("quantity", &[]), O("uom", &[])],
)];
const EPC: &[O] = &[O("epc", &[])];
const ID: &[O] = &[O("id", &[])];
const SENSOR_META: &[O] = &[
    O("time", &[]),
    O("startTime", &[]),
    O("endTime", &[]),
    O("deviceID", &[]),
    O("deviceMetadata", &[]),
    O("rawData", &[]),
    O("dataProcessingMethod", &[]),
    O("bizRules", &[]),
];
const SENSOR_REPORT: &[O] = &[
    O("type", &[]),
    O("exception", &[]),
    O("deviceID", &[]),
    O("deviceMetadata", &[]),
    O("rawData", &[]),
    O("dataProcessingMethod", &[]),
    O("time", &[]),
    O("microorganism", &[]),
    O("chemicalSubstance", &[]),
    O("value", &[]),
    O("component", &[]),
    O("stringValue", &[]),
    O("booleanValue", &[]),
    O("hexBinaryValue", &[]),
    O("uriValue", &[]),
    O("minValue", &[]),
    O("maxValue", &[]),
    O("meanValue", &[]),
    O("sDev", &[]),
    O("percRank", &[]),
    O("percValue", &[]),
    O("uom", &[]),
    O("coordinateReferenceSystem", &[]),
];
const SENSOR: &[O] = &[O(
    "sensorElement",
    &[
        O("sensorMetadata", SENSOR_META),
        O("sensorReport", SENSOR_REPORT),
    ],
)];
const PD: &[O] = &[O("set", &[]), O("unset", &[])];

const ORDER: &[O] = &[
    O("eventTime", &[]),
    O("eventTimeZoneOffset", &[]),
    O("certificationInfo", &[]),
    O("parentID", &[]),
    O("epcList", EPC),
    O("inputEPCList", EPC),
    O("childEPCs", EPC),
    O("quantityList", QTY),
    O("childQuantityList", QTY),
    O("inputQuantityList", QTY),
    O("outputEPCList", EPC),
    O("outputQuantityList", QTY),
    O("action", &[]),
    O("transformationID", &[]),
    O("bizStep", &[]),
    O("disposition", &[]),
    O("persistentDisposition", PD),
    O("readPoint", ID),
    O("bizLocation", ID),
    O("sensorElementList", SENSOR),
];

fn fix_time(s: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) else {
        return s.to_string();
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    let micros = t.microsecond();
    // Round to the millisecond, half to even, as the reference does.
    let (q, r) = (micros / 1000, micros % 1000);
    let ms = if r > 500 || (r == 500 && q % 2 == 1) {
        q + 1
    } else {
        q
    };
    let t = if ms == 1000 {
        t.replace_millisecond(0).map(|x| x + time::Duration::SECOND)
    } else {
        t.replace_millisecond(ms as u16)
    };
    match t {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => s.to_string(),
    }
}

fn numeric(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        Some(format!("{}", f as i64))
    } else {
        Some(format!("{f}"))
    }
}

fn canon(s: &str) -> String {
    let t = s
        .replace(
            "urn:epcglobal:cbv:bizstep:",
            "https://ref.gs1.org/cbv/BizStep-",
        )
        .replace("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-")
        .replace("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-")
        .replace("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-")
        .replace("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-");
    let t = numeric(&t).unwrap_or(t);
    dl::canonical(&t)
}

fn is_extension(n: &Node) -> bool {
    n.name.starts_with('{') && n.name.contains("/}")
}

fn ordered_child(child: &mut Node, sub: &'static [O]) -> String {
    let grand = if sub.is_empty() {
        String::new()
    } else {
        ordered(&mut child.children, sub, false)
    };
    let mut text = child.text.trim().to_string();
    if !text.is_empty() {
        let lower = child.name.to_lowercase();
        text = if lower.contains("time") && !lower.contains("offset") {
            fix_time(&text)
        } else {
            canon(&text)
        };
    }
    if text.is_empty() && grand.is_empty() {
        return String::new();
    }
    let eq = if text.is_empty() { "" } else { "=" };
    format!("{}{eq}{text}{grand}", child.name)
}

/// Render the children named in `level`'s order and remove those fully consumed.
fn ordered(children: &mut Vec<Node>, order: &'static [O], top: bool) -> String {
    let mut ext = Vec::new();
    if !top && children.len() > 1 {
        let (e, rest): (Vec<Node>, Vec<Node>) = children.drain(..).partition(is_extension);
        ext = e;
        *children = rest;
    }
    let mut pre = String::new();
    for O(name, sub) in order {
        let mut values = Vec::new();
        let mut i = 0;
        while i < children.len() {
            if children[i].name == *name {
                let v = ordered_child(&mut children[i], sub);
                if !v.is_empty() {
                    values.push(v);
                }
                if children[i].children.is_empty() {
                    children.remove(i);
                    continue;
                }
            }
            i += 1;
        }
        values.sort();
        pre.push_str(&values.concat());
    }
    if !ext.is_empty() {
        pre.push_str(&generic_string(&ext));
    }
    pre
}

fn generic_string(children: &[Node]) -> String {
    let mut values: Vec<String> = children
        .iter()
        .map(|c| {
            let t = c.text.trim();
            let text = if t.is_empty() {
                String::new()
            } else {
                format!("={}", canon(t))
            };
            format!("{}{text}{}", c.name, generic_string(&c.children))
        })
        .collect();
    let keep_order = children
        .iter()
        .any(|c| matches!(c.name.as_str(), "bizTransaction" | "source" | "destination"));
    if values.len() > 1 && !keep_order {
        values.sort();
    }
    values.concat()
}

/// The pre-hash string of one event (`ns`: the document's inline prefixes).
pub fn prehash(event: &Json, ns: &Namespaces) -> String {
    let Some(obj) = event.as_object() else {
        return String::new();
    };
    let event_type = obj.get("type").and_then(Json::as_str).unwrap_or_default();
    let mut tree = event_tree(obj, ns);
    let ordered_part = ordered(&mut tree, ORDER, true);
    tree.retain(|n| {
        !matches!(
            n.name.as_str(),
            "recordTime" | "eventID" | "type" | "errorDeclaration"
        )
    });
    format!(
        "eventType={event_type}{ordered_part}{}",
        generic_string(&tree)
    )
}

/// The CBV 2.0 event hash of one event: `ni:///sha-256;<hex>?ver=CBV2.0`.
pub fn event_hash(event: &Json, ns: &Namespaces) -> String {
    let digest = Sha256::digest(prehash(event, ns).as_bytes());
    format!("ni:///sha-256;{}?ver=CBV2.0", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_milliseconds() {
        assert_eq!(
            fix_time("2005-04-03T20:33:31.116-06:00"),
            "2005-04-04T02:33:31.116Z"
        );
        assert_eq!(
            fix_time("2021-12-01T11:09:40.7930000+00:00"),
            "2021-12-01T11:09:40.793Z"
        );
        assert_eq!(fix_time("2013-06-08T14:58:56Z"), "2013-06-08T14:58:56.000Z");
    }

    #[test]
    fn numbers_lose_trailing_zeros() {
        assert_eq!(canon("200.0"), "200");
        assert_eq!(canon("200.5"), "200.5");
        assert_eq!(canon("abc"), "abc");
    }

    #[test]
    fn a_changed_quantity_changes_the_hash() {
        let ev: Json = serde_json::json!({"type":"ObjectEvent","eventTime":"2020-01-01T00:00:00Z",
            "eventTimeZoneOffset":"+00:00","action":"OBSERVE",
            "quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200,"uom":"KGM"}]});
        let mut ev2 = ev.clone();
        ev2["quantityList"][0]["quantity"] = serde_json::json!(201);
        let ns = Namespaces::new();
        assert_ne!(event_hash(&ev, &ns), event_hash(&ev2, &ns));
        let mut ev3 = ev.clone();
        ev3["eventID"] = serde_json::json!("urn:uuid:x");
        assert_eq!(
            event_hash(&ev, &ns),
            event_hash(&ev3, &ns),
            "eventID is not hashed"
        );
    }
}

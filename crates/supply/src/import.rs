//! EPCIS 2.0 / GDST 1.2 events → certificate inputs (docs/gdst.md has the mapping table).
//!
//! [`plan`] maps every event it can onto one catchcert certificate input (the JSON of
//! contract §3) plus the [`EpcisLink`] the certificate records. Inputs refer to the
//! certificate of an earlier event by the local reference `@<event index>`; the caller signs
//! in order and substitutes ids. Events whose business step has no catchcert kind (hatching,
//! feed, packing, storing, …) are listed as not mapped; a mappable event with a missing or
//! invalid KDE is a [`Problem`] naming the event, the KDE and the reason.

use crate::epcis::{Document, event_label};
use crate::hash;
use crate::keyring::Keyring;
use catchcert_model::Kind;
use catchcert_model::codes;
use catchcert_model::epcis::EpcisLink;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// A problem with one event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// `eventID` or `#index`.
    pub event: String,
    /// The KDE (JSON-LD property) at fault.
    pub kde: String,
    /// Why.
    pub reason: String,
}

/// One certificate to sign.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Index of the event in the document.
    pub index: usize,
    /// `eventID` or `#index`.
    pub label: String,
    /// The certificate kind.
    pub kind: Kind,
    /// The keyring signer.
    pub signer: String,
    /// Input JSON (contract §3); input certificates as `@<event index>`.
    pub input: Json,
    /// What the certificate records of the event.
    pub link: EpcisLink,
}

/// The result of planning.
#[derive(Debug, Default)]
pub struct Plan {
    /// Certificates to sign, parents before children.
    pub planned: Vec<Planned>,
    /// Problems (strict import refuses the document when there is any).
    pub problems: Vec<Problem>,
    /// Events with no catchcert kind: (event, business step).
    pub not_mapped: Vec<(String, String)>,
    /// Mappable events without a problem of their own that take a lot from an event that
    /// was not certified (a problem, no catchcert kind, or skipped itself): (event, reason).
    /// Strict import refuses a document with any; lenient import reports them.
    pub skipped: Vec<(String, String)>,
}

/// GDST business steps of aquaculture production: the contract has no kind for them (a
/// `catch` certifies wild capture by a vessel), so a document that needs one is refused in
/// strict mode and its products are skipped in lenient mode.
pub const AQUACULTURE_STEPS: [&str; 1] = ["farmHarvest"];

/// The last segment of a business step (`urn:gdst:bizStep:landing` → `landing`).
pub fn step_name(event: &Json) -> &str {
    event
        .get("bizStep")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .rsplit([':', '-', '/'])
        .next()
        .unwrap_or_default()
}

/// The catchcert kind of an event, from its type and business step.
pub fn kind_of(event: &Json) -> Option<Kind> {
    let ty = event.get("type").and_then(Json::as_str).unwrap_or_default();
    let short = step_name(event);
    if AQUACULTURE_STEPS.contains(&short) {
        return None;
    }
    match (ty, short) {
        ("ObjectEvent", "fishingEvent") => Some(Kind::Catch),
        ("ObjectEvent", "transshipment") => Some(Kind::Transshipment),
        ("ObjectEvent", "landing") => Some(Kind::Landing),
        ("ObjectEvent", "shipping") => Some(Kind::Shipment),
        ("ObjectEvent", "receiving") => Some(Kind::Receipt),
        ("TransformationEvent", _) => Some(Kind::Processing),
        _ => None,
    }
}

fn s<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Json::as_str)
        .filter(|x| !x.trim().is_empty())
}

/// A catchcert lot id (GS1 AI (10) syntax, ≤ 20 characters) for a GDST lot class URI:
/// the part after the last `.` or `:`, upper-cased, cut to 20 characters.
pub fn lot_id(epc_class: &str) -> String {
    let tail = epc_class
        .rsplit(['.', ':', '/'])
        .next()
        .unwrap_or(epc_class);
    tail.chars()
        .filter(|c| c.is_ascii() && catchcert_model::payload::is_gs1_cset82(*c))
        .take(20)
        .collect::<String>()
        .to_uppercase()
}

/// ISO 3166-1 alpha-2 → alpha-3 (GDST flags are alpha-2).
pub fn alpha3(code: &str) -> Option<String> {
    use std::str::FromStr;
    celes::Country::from_str(code)
        .ok()
        .map(|c| c.alpha3.to_string())
}

/// `urn:gdst:fao:27.1` → `27.1`.
fn fao(v: &str) -> String {
    v.rsplit(':').next().unwrap_or(v).to_string()
}

/// `urn:gdst:gear:1.1` → ISSCFG code `01.1`.
fn gear(v: &str) -> String {
    let code = v.rsplit(':').next().unwrap_or(v);
    match code.split_once('.') {
        Some((a, b)) if a.len() == 1 => format!("0{a}.{b}"),
        _ => code.to_string(),
    }
}

/// Master-data attribute of a vocabulary element, matched on the id's last segment.
fn master(doc: &Document, element: &str, attr: &str) -> Option<String> {
    let header = doc.json.get("epcisHeader")?;
    let md = header
        .get("epcisMasterData")
        .or_else(|| header.get("EPCISMasterData"))?;
    for vocab in md.get("vocabularyList")?.as_array()? {
        for el in vocab
            .get("vocabularyElementList")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if s(el, "id") != Some(element) {
                continue;
            }
            for a in el
                .get("attributes")
                .and_then(Json::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let id = s(a, "id").unwrap_or_default();
                if id.rsplit(['#', ':']).next() == Some(attr)
                    && let Some(v) = a.get("attribute").and_then(Json::as_str)
                {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// The product class of a GDST lot class (`…:product:lot:class:X.LOT` → `…:product:class:X`).
fn product_class(lot_class: &str) -> Option<String> {
    let (head, tail) = lot_class.split_once(":product:lot:class:")?;
    let (prod, _) = tail.rsplit_once('.')?;
    Some(format!("{head}:product:class:{prod}"))
}

struct Ctx<'a> {
    doc: &'a Document,
    label: String,
    problems: Vec<Problem>,
    /// Lots this event takes from events that were not certified: why, per lot.
    blocked: Vec<String>,
}

impl Ctx<'_> {
    fn problem(&mut self, kde: &str, reason: impl Into<String>) {
        self.problems.push(Problem {
            event: self.label.clone(),
            kde: kde.to_string(),
            reason: reason.into(),
        });
    }
}

fn quantities(cx: &mut Ctx, event: &Json, key: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (i, q) in event
        .get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(class) = s(q, "epcClass") else {
            cx.problem(&format!("{key}[{i}].epcClass"), "missing");
            continue;
        };
        let Some(qty) = q.get("quantity").and_then(Json::as_f64) else {
            cx.problem(&format!("{key}[{i}].quantity"), "missing");
            continue;
        };
        let kg = match s(q, "uom").unwrap_or("KGM") {
            "KGM" => qty,
            "LBR" => qty * 0.453_592_37,
            "GRM" => qty / 1000.0,
            other => {
                cx.problem(
                    &format!("{key}[{i}].uom"),
                    format!("{other:?}: only KGM, GRM and LBR convert to kilograms"),
                );
                continue;
            }
        };
        out.push((class.to_string(), (kg * 1000.0).round() / 1000.0));
    }
    out
}

fn check_policy(cx: &mut Ctx, event: &Json) {
    if let Some(p) = event.get("gdst:humanWelfarePolicy") {
        match p.as_str() {
            Some("None" | "Internal" | "3P Audit") => {}
            _ => cx.problem(
                "gdst:humanWelfarePolicy",
                format!("{p}: not one of None, Internal, 3P Audit"),
            ),
        }
    }
    for c in certifications(event) {
        let t = s(c, "gdst:certificationType").unwrap_or_default();
        if !t.to_ascii_lowercase().starts_with("urn:gdst:certtype:") {
            cx.problem(
                "gdst:certificationType",
                format!("{t:?}: not a urn:gdst:certType: value"),
            );
        }
    }
}

fn certifications(event: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    for holder in [Some(event), event.get("ilmd")].into_iter().flatten() {
        if let Some(list) = holder
            .get("cbvmda:certificationList")
            .and_then(|l| l.get("certification"))
        {
            match list {
                Json::Array(a) => out.extend(a.iter()),
                other => out.push(other),
            }
        }
    }
    out
}

fn vessel_info(event: &Json) -> Option<&Json> {
    let v = event
        .get("ilmd")?
        .get("cbvmda:vesselCatchInformationList")?
        .get("cbvmda:vesselCatchInformation")?;
    match v {
        Json::Array(a) => a.first(),
        other => Some(other),
    }
}

fn check_imo(cx: &mut Ctx, kde: &str, imo: &str) -> bool {
    let digits = imo.strip_prefix("IMO").unwrap_or_default();
    if (7..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        true
    } else {
        cx.problem(kde, format!("{imo:?}: not IMO followed by 7 or 8 digits"));
        false
    }
}

/// Where each lot class stands while the document is walked in time order.
#[derive(Default)]
struct Lots {
    /// Lot class → (event index producing it, catchcert lot id, vessel IMO if from a catch).
    holders: BTreeMap<String, (usize, String, Option<String>)>,
    /// Lot class → why the event that last produced or moved it was not certified.
    failed: BTreeMap<String, String>,
    /// Logistic unit (SSCC) → the class-level quantities packed into it.
    containers: BTreeMap<String, Vec<Json>>,
    /// Lot class → (source, destination) of its latest shipping event.
    shipped: BTreeMap<String, (Option<String>, Option<String>)>,
}

/// The classes an event outputs (as the mapping reads them).
fn output_classes(event: &Json) -> Vec<String> {
    let key = if event.get("type").and_then(Json::as_str) == Some("TransformationEvent") {
        "outputQuantityList"
    } else if event.get("type").and_then(Json::as_str) == Some("AggregationEvent") {
        return Vec::new();
    } else {
        "quantityList"
    };
    event
        .get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|q| s(q, "epcClass").map(str::to_string))
        .collect()
}

/// The event as the mapping reads it: a shipping or receiving event that moves logistic units
/// (`epcList` of SSCCs) and has no `quantityList` takes the class-level quantities an earlier
/// packing event (AggregationEvent, action ADD) put into those units.
fn with_contents(event: &Json, lots: &Lots) -> Json {
    let has_quantities = event
        .get("quantityList")
        .and_then(Json::as_array)
        .is_some_and(|a| !a.is_empty());
    let units: Vec<&str> = event
        .get("epcList")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    if has_quantities || units.is_empty() {
        return event.clone();
    }
    let contents: Vec<Json> = units
        .iter()
        .filter_map(|u| lots.containers.get(*u))
        .flatten()
        .cloned()
        .collect();
    if contents.is_empty() {
        return event.clone();
    }
    let mut e = event.clone();
    e["quantityList"] = Json::Array(contents);
    e
}

/// Record what a packing or unpacking event does to a logistic unit.
fn aggregate(event: &Json, lots: &mut Lots) {
    let Some(parent) = s(event, "parentID") else {
        return;
    };
    match s(event, "action") {
        Some("ADD") => {
            let children = event
                .get("childQuantityList")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            lots.containers
                .entry(parent.to_string())
                .or_default()
                .extend(children);
        }
        Some("DELETE") => {
            lots.containers.remove(parent);
        }
        _ => {}
    }
}

/// Map the document. Parents come before children: events are taken in event-time order.
pub fn plan(doc: &Document, keyring: &Keyring) -> Plan {
    let mut order: Vec<usize> = (0..doc.events().len()).collect();
    let times: Vec<Option<time::OffsetDateTime>> = doc
        .events()
        .iter()
        .map(|e| {
            s(e, "eventTime").and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
        })
        .collect();
    order.sort_by_key(|i| (times[*i], *i));
    let mut out = Plan::default();
    let mut lots = Lots::default();
    for i in order {
        let original = &doc.events()[i];
        let event = &with_contents(original, &lots);
        let label = event_label(event, i);
        let mut cx = Ctx {
            doc,
            label: label.clone(),
            problems: Vec::new(),
            blocked: Vec::new(),
        };
        let Some(kind) = kind_of(event) else {
            // GDST checks still apply to unmapped events (the must-fail documents).
            check_policy(&mut cx, event);
            if event.get("gdst:humanWelfarePolicy").is_some()
                && s(event, "gdst:productOwner").is_none()
            {
                cx.problem("gdst:productOwner", "missing");
            }
            let step = s(event, "bizStep").unwrap_or("(none)").to_string();
            let why = if AQUACULTURE_STEPS.contains(&step_name(event)) {
                cx.problem(
                    "bizStep",
                    format!(
                        "{step}: aquaculture production has no catchcert kind (a catch certifies wild capture by a vessel)"
                    ),
                );
                format!("event {label} ({step}) has no catchcert kind (aquaculture)")
            } else {
                format!("event {label} ({step}) has no catchcert kind")
            };
            if event.get("type").and_then(Json::as_str) == Some("AggregationEvent") {
                aggregate(event, &mut lots);
            }
            // An event that creates lots (a transformation, or an ObjectEvent with action
            // ADD such as hatching or commissioning) leaves them uncertified; one that only
            // observes them (storing, …) changes nothing.
            let creates = event.get("type").and_then(Json::as_str) == Some("TransformationEvent")
                || s(event, "action") == Some("ADD");
            for class in output_classes(event).into_iter().filter(|_| creates) {
                lots.holders.remove(&class);
                lots.failed.insert(class, why.clone());
            }
            out.problems.extend(cx.problems);
            out.not_mapped.push((label, step));
            continue;
        };
        let mapped = map_event(&mut cx, i, event, kind, keyring, &lots);
        if kind == Kind::Shipment {
            let party = |list: &str, item: &str| first_party(event, list, item);
            for class in output_classes(event) {
                lots.shipped.insert(
                    class,
                    (
                        party("sourceList", "source"),
                        party("destinationList", "destination"),
                    ),
                );
            }
        }
        match mapped {
            Some(mut p) if cx.problems.is_empty() && cx.blocked.is_empty() => {
                p.link.event_hash = hash::event_hash(original, &doc.namespaces);
                let imo = p
                    .input
                    .get("vessel_imo")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        p.input
                            .get("to_vessel_imo")
                            .and_then(Json::as_str)
                            .map(str::to_string)
                    });
                for (class, lot) in p.link.lots.iter().zip(
                    p.input["outputs"]
                        .as_array()
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                ) {
                    let inherited = lots.holders.get(class).and_then(|h| h.2.clone());
                    lots.failed.remove(class);
                    lots.holders.insert(
                        class.clone(),
                        (
                            i,
                            lot["lot"].as_str().unwrap_or_default().to_string(),
                            imo.clone().or(inherited),
                        ),
                    );
                }
                out.planned.push(p);
            }
            _ => {
                let why = if cx.problems.is_empty() {
                    out.skipped.push((label.clone(), cx.blocked.join("; ")));
                    format!("event {label} was skipped")
                } else {
                    format!("event {label} has a problem")
                };
                for class in output_classes(event) {
                    lots.holders.remove(&class);
                    lots.failed.insert(class, why.clone());
                }
                out.problems.extend(cx.problems);
            }
        }
    }
    out
}

/// The party of a `sourceList` / `destinationList`: the `owning_party` entry, else the first.
fn first_party(event: &Json, list: &str, item: &str) -> Option<String> {
    event
        .get(list)
        .and_then(Json::as_array)
        .and_then(|a| {
            a.iter()
                .find(|e| s(e, "type").is_some_and(|t| t.ends_with("owning_party")))
                .or(a.first())
        })
        .and_then(|e| s(e, item))
        .map(str::to_string)
}

fn map_event(
    cx: &mut Ctx,
    index: usize,
    event: &Json,
    kind: Kind,
    keyring: &Keyring,
    lots: &Lots,
) -> Option<Planned> {
    let holders = &lots.holders;
    check_policy(cx, event);
    let owner = s(event, "gdst:productOwner");
    let provider = s(event, "cbvmda:informationProvider");
    if owner.is_none() {
        cx.problem("gdst:productOwner", "missing");
    }
    let signer = owner
        .and_then(|o| keyring.by_party(o))
        .or_else(|| provider.and_then(|p| keyring.by_party(p)));
    if signer.is_none() && owner.is_some() {
        cx.problem(
            "gdst:productOwner",
            format!(
                "{}: no keyring signer lists this party (nor the information provider)",
                owner.unwrap_or_default()
            ),
        );
    }
    let time = s(event, "eventTime").map(fix_second);
    if time.is_none() {
        cx.problem("eventTime", "missing");
    }
    let (in_key, out_key) = if kind == Kind::Processing {
        ("inputQuantityList", "outputQuantityList")
    } else {
        ("quantityList", "quantityList")
    };
    let outs = quantities(cx, event, out_key);
    let ins = if kind == Kind::Catch {
        Vec::new()
    } else {
        quantities(cx, event, in_key)
    };
    if outs.is_empty() {
        cx.problem(out_key, "no class-level quantities (KGM) to certify");
    }
    let mut input = Map::new();
    input.insert("time".into(), json!(time.clone().unwrap_or_default()));
    let mut inputs = Vec::new();
    let mut upstream_imo = None;
    for (j, (class, kg)) in ins.iter().enumerate() {
        match holders.get(class) {
            Some((src, lot, imo)) => {
                inputs
                    .push(json!({"certificate": format!("@{src}"), "lot": lot, "quantity_kg": kg}));
                upstream_imo = upstream_imo.or(imo.clone());
            }
            None => match lots.failed.get(class) {
                Some(why) => cx.blocked.push(format!("{in_key}[{j}] {class}: {why}")),
                None => cx.problem(
                    &format!("{in_key}[{j}].epcClass"),
                    format!("{class}: no earlier event in this document outputs this lot"),
                ),
            },
        }
    }
    let species = |cx: &mut Ctx, class: &str, j: usize| -> Option<String> {
        let sp = product_class(class)
            .and_then(|pc| master(cx.doc, &pc, "speciesForFisheryStatisticsPurposesCode"));
        match sp {
            Some(sp) if codes::is_species_shape(&sp) => Some(sp),
            _ => {
                cx.problem(
                    &format!("{out_key}[{j}] speciesForFisheryStatisticsPurposesCode"),
                    "missing from the product master data (ASFIS 3-alpha)",
                );
                None
            }
        }
    };
    let mut outputs = Vec::new();
    for (j, (class, kg)) in outs.iter().enumerate() {
        let lot = lot_id(class);
        let mut o = json!({"lot": lot, "quantity_kg": kg});
        if kind == Kind::Catch
            && let Some(sp) = species(cx, class, j)
        {
            o["species"] = json!(sp);
        }
        if kind == Kind::Processing {
            let name = product_class(class)
                .and_then(|pc| master(cx.doc, &pc, "descriptionShort"))
                .unwrap_or_else(|| class.clone());
            o["product"] = json!(name.chars().take(200).collect::<String>());
        }
        outputs.push(o);
    }
    if kind != Kind::Catch {
        input.insert("inputs".into(), Json::Array(inputs));
    }
    input.insert("outputs".into(), Json::Array(outputs));
    let location = event.get("bizLocation").and_then(|l| s(l, "id"));
    match kind {
        Kind::Catch => map_catch(cx, event, &mut input, time.as_deref()),
        Kind::Transshipment => {
            let from = upstream_imo.clone();
            // The receiving vessel: an IMO number on the event itself (`gdst:imoNumber`, or in
            // its `cbvmda:vesselCatchInformation`), else the master data of its bizLocation.
            let on_event = s(event, "gdst:imoNumber")
                .map(|t| ("gdst:imoNumber", t.to_string()))
                .or_else(|| {
                    vessel_info(event)
                        .and_then(|v| s(v, "gdst:imoNumber"))
                        .map(|t| {
                            (
                                "cbvmda:vesselCatchInformation gdst:imoNumber",
                                t.to_string(),
                            )
                        })
                });
            let to = on_event.or_else(|| {
                location
                    .and_then(|l| master(cx.doc, l, "imoNumber"))
                    .map(|t| ("bizLocation imoNumber", t))
            });
            match from {
                Some(f) => {
                    input.insert("from_vessel_imo".into(), json!(f));
                }
                None if cx.blocked.is_empty() => {
                    cx.problem("quantityList", "the lot's catching vessel (IMO) is unknown")
                }
                None => {}
            }
            match to {
                Some((kde, t)) if check_imo(cx, kde, &t) => {
                    input.insert("to_vessel_imo".into(), json!(t));
                }
                Some(_) => {}
                None => cx.problem(
                    "bizLocation",
                    "the receiving vessel's IMO (urn:gdst:kde#imoNumber in the location master data) is missing",
                ),
            }
            input.insert("at_sea".into(), json!(true));
            let area = vessel_info(event)
                .and_then(|v| s(v, "cbvmda:catchArea"))
                .map(fao)
                .or_else(|| {
                    location
                        .and_then(|l| master(cx.doc, l, "catchArea"))
                        .map(|a| fao(&a))
                });
            match area {
                Some(a) => {
                    input.insert("fao_area".into(), json!(a));
                }
                None => cx.problem(
                    "cbvmda:catchArea",
                    "missing: the FAO area of the transshipment",
                ),
            }
        }
        Kind::Landing => match s(event, "cbvmda:unloadingPort") {
            Some(p) if codes::is_locode_shape(p) => {
                input.insert("port".into(), json!(p));
            }
            Some(p) => cx.problem(
                "cbvmda:unloadingPort",
                format!("{p:?}: not a UN/LOCODE (2-letter country + 3 characters)"),
            ),
            None => cx.problem("cbvmda:unloadingPort", "missing"),
        },
        Kind::Processing => {
            input.insert(
                "facility".into(),
                json!(location.unwrap_or(owner.unwrap_or("unknown"))),
            );
        }
        Kind::Shipment | Kind::Receipt => {
            let mut from = first_party(event, "sourceList", "source");
            let mut to = first_party(event, "destinationList", "destination");
            // A receiving event without its own source / destination: those of the shipping
            // event that last moved the lot (GDST puts them on the shipping event).
            if kind == Kind::Receipt {
                let shipped = ins.iter().find_map(|(c, _)| lots.shipped.get(c));
                if let Some((f, t)) = shipped {
                    from = from.or(f.clone());
                    to = to.or(t.clone());
                }
            }
            match (from, to) {
                (Some(f), Some(t)) => {
                    input.insert("from".into(), json!(f));
                    input.insert("to".into(), json!(t));
                }
                (None, _) => cx.problem("sourceList", "missing: the owning party shipping the lot"),
                (_, None) => cx.problem(
                    "destinationList",
                    "missing: the owning party receiving the lot",
                ),
            }
        }
        _ => {}
    }
    let link = EpcisLink {
        event_hash: hash::event_hash(event, &cx.doc.namespaces),
        event_id: s(event, "eventID").map(str::to_string),
        event_type: s(event, "type").map(str::to_string),
        biz_step: s(event, "bizStep").map(str::to_string),
        disposition: s(event, "disposition").map(str::to_string),
        product_owner: owner.map(str::to_string),
        information_provider: provider.map(str::to_string),
        location: location.map(str::to_string),
        read_point: event
            .get("readPoint")
            .and_then(|l| s(l, "id"))
            .map(str::to_string),
        lots: outs.iter().map(|(c, _)| c.clone()).collect(),
        input_lots: ins.iter().map(|(c, _)| c.clone()).collect(),
    };
    Some(Planned {
        index,
        label: cx.label.clone(),
        kind,
        signer: signer.unwrap_or_default().to_string(),
        input: Json::Object(input),
        link,
    })
}

fn map_catch(cx: &mut Ctx, event: &Json, input: &mut Map<String, Json>, time: Option<&str>) {
    let Some(v) = vessel_info(event) else {
        cx.problem(
            "cbvmda:vesselCatchInformation",
            "missing: a fishing event names its vessel, area, gear and trip",
        );
        return;
    };
    match s(v, "gdst:imoNumber") {
        Some(imo) => {
            if check_imo(cx, "gdst:imoNumber", imo) {
                input.insert("vessel_imo".into(), json!(imo));
            }
        }
        None => cx.problem("gdst:imoNumber", "missing"),
    }
    if let Some(flag) = s(v, "cbvmda:vesselFlagState")
        && alpha3(flag).is_none()
    {
        cx.problem(
            "cbvmda:vesselFlagState",
            format!("{flag:?}: not an ISO 3166-1 alpha-2 code"),
        );
    }
    match s(v, "cbvmda:catchArea").map(fao) {
        Some(a) if codes::is_fao_area(&a) => {
            input.insert("fao_area".into(), json!(a));
        }
        Some(a) => cx.problem(
            "cbvmda:catchArea",
            format!("{a:?}: not an FAO major area or subarea"),
        ),
        None => cx.problem("cbvmda:catchArea", "missing"),
    }
    match s(v, "cbvmda:fishingGearTypeCode").map(gear) {
        Some(g) if codes::is_gear(&g) => {
            input.insert("gear".into(), json!(g));
        }
        Some(g) => cx.problem(
            "cbvmda:fishingGearTypeCode",
            format!("{g:?}: not an ISSCFG gear code"),
        ),
        None => cx.problem("cbvmda:fishingGearTypeCode", "missing"),
    }
    match (s(v, "gdst:vesselTripDate").map(fix_second), time) {
        (Some(start), Some(end)) => {
            input.insert("catch_start".into(), json!(start));
            input.insert("catch_end".into(), json!(end));
        }
        _ => cx.problem("gdst:vesselTripDate", "missing"),
    }
    if let Some(m) = event
        .get("ilmd")
        .and_then(|i| s(i, "cbvmda:productionMethodForFishAndSeafoodCode"))
        && m != "MARINE_FISHERY"
        && m != "INLAND_FISHERY"
    {
        cx.problem(
            "cbvmda:productionMethodForFishAndSeafoodCode",
            format!("{m:?}: a fishing event's method is MARINE_FISHERY or INLAND_FISHERY"),
        );
    }
}

/// An EPCIS time → RFC 3339 UTC at the second (what catchcert certificates keep).
pub fn fix_second(t: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(t, &Rfc3339) {
        Ok(d) => {
            let d = d.to_offset(time::UtcOffset::UTC);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                d.year(),
                u8::from(d.month()),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            )
        }
        Err(_) => t.to_string(),
    }
}

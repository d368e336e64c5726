//! Reading EPCIS 2.0 JSON-LD documents: `EPCISDocument` (`epcisBody.eventList`) and
//! `EPCISQueryDocument` (`epcisBody.queryResults.resultsBody.eventList`), a leading UTF-8
//! byte-order mark tolerated. Contexts are never fetched: the remote GS1 contexts are known by
//! URL ([`KNOWN_CONTEXTS`]) and the terms catchcert reads are matched by their compact names
//! and full IRIs; any other remote context is refused.

use crate::hash::{self, Namespaces};
use serde_json::Value as Json;

/// Largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;
/// Most events in one document.
pub const MAX_EVENTS: usize = 100_000;

/// Remote JSON-LD contexts catchcert knows without fetching them: the GS1 EPCIS 2.0 context
/// under its published URLs. The terms of it that catchcert uses are the EPCIS field names
/// themselves and the prefixes below.
pub const KNOWN_CONTEXTS: [&str; 4] = [
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/2.0.1/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
];

/// Prefixes the GS1 EPCIS 2.0 context defines (the project's own table of the terms it uses).
pub const GS1_PREFIXES: [(&str, &str); 4] = [
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("gs1", "https://gs1.org/voc/"),
];

/// Why a document cannot be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// Too large.
    #[error("the document is {0} bytes, over the limit of {MAX_DOCUMENT_BYTES}")]
    TooLarge(usize),
    /// Not an EPCIS document.
    #[error("{0}")]
    Shape(String),
    /// A remote context that is not known locally.
    #[error("@context {0:?} is not a known context; catchcert never fetches contexts")]
    UnknownContext(String),
}

/// A parsed document: its events and inline prefixes.
#[derive(Debug, Clone)]
pub struct Document {
    /// The whole JSON value.
    pub json: Json,
    /// Inline prefixes of `@context` (for the event hash).
    pub namespaces: Namespaces,
}

impl Document {
    /// Parse document text.
    pub fn parse(text: &str) -> Result<Document, DocError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(DocError::TooLarge(text.len()));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let json: Json = serde_json::from_str(text).map_err(|e| DocError::Json(e.to_string()))?;
        let ty = json.get("type").and_then(Json::as_str).unwrap_or_default();
        if ty != "EPCISDocument" && ty != "EPCISQueryDocument" {
            return Err(DocError::Shape(format!(
                "type {ty:?}: expected EPCISDocument or EPCISQueryDocument"
            )));
        }
        let contexts: Vec<&Json> = match json.get("@context") {
            Some(Json::Array(a)) => a.iter().collect(),
            Some(c) => vec![c],
            None => Vec::new(),
        };
        for c in contexts {
            if let Some(url) = c.as_str()
                && !KNOWN_CONTEXTS.contains(&url)
            {
                return Err(DocError::UnknownContext(url.to_string()));
            }
        }
        let namespaces = hash::namespaces(&json);
        let doc = Document { json, namespaces };
        let n = doc.events().len();
        if n > MAX_EVENTS {
            return Err(DocError::Shape(format!(
                "{n} events, over the limit of {MAX_EVENTS}"
            )));
        }
        Ok(doc)
    }

    /// The events, in document order.
    pub fn events(&self) -> &[Json] {
        let body = self.json.get("epcisBody");
        let list = body
            .and_then(|b| b.get("eventList"))
            .or_else(|| {
                body.and_then(|b| b.get("queryResults"))
                    .and_then(|q| q.get("resultsBody"))
                    .and_then(|r| r.get("eventList"))
            })
            .and_then(Json::as_array);
        list.map(Vec::as_slice).unwrap_or_default()
    }

    /// Every event with its label, `eventID`, the certificate its `certificationInfo`
    /// names and its CBV 2.0 event hash, in document order: what `verify --epcis` compares
    /// with the hashes certificates recorded.
    pub fn hashed_events(&self) -> Vec<catchcert_model::epcis::EventHash> {
        self.events()
            .iter()
            .enumerate()
            .map(|(i, e)| catchcert_model::epcis::EventHash {
                label: event_label(e, i),
                event_id: e.get("eventID").and_then(Json::as_str).map(str::to_string),
                certificate: e
                    .get("certificationInfo")
                    .and_then(Json::as_str)
                    .and_then(|s| s.parse::<catchcert_model::CertId>().ok()),
                hash: hash::event_hash(e, &self.namespaces),
            })
            .collect()
    }

    /// The event hash of every event, in document order.
    pub fn event_hashes(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| hash::event_hash(e, &self.namespaces))
            .collect()
    }

    /// The namespace IRI a prefix stands for: inline first, then the GS1 context.
    pub fn prefix(&self, p: &str) -> Option<&str> {
        self.namespaces
            .get(p)
            .map(String::as_str)
            .or_else(|| GS1_PREFIXES.iter().find(|(k, _)| *k == p).map(|(_, v)| *v))
    }
}

/// The event id shown in reports: `eventID`, or `#<index>` when it has none.
pub fn event_label(event: &Json, index: usize) -> String {
    event
        .get("eventID")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{index}"))
}

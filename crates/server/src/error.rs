//! The one error type of the HTTP layer, answered as `application/problem+json` (RFC 9457).
//!
//! Every error a client can cause becomes a problem object with a stable `type` URI (listed
//! in `docs/api.md`), the HTTP `status`, a short `title` and a `detail` that names the
//! certificate, lot or field concerned. Verification failures add a `findings` member
//! (finding objects as in a verdict), over-consumption adds the lot and quantities.
//! Server-side failures answer with a generic body; the cause is logged inside the
//! request's span (it carries the request id) and never sent.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use catchcert_model::{CertId, Grams};
use catchcert_store::StoreError;
use catchcert_verify::findings::{Code, Finding};
use serde::Serialize;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Prefix of every problem `type` URI.
pub const TYPE_PREFIX: &str = "urn:catchcert:problem:";

/// An RFC 9457 problem details object, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, `urn:catchcert:problem:<name>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:catchcert:problem:verification-failed")]
    pub problem_type: String,
    /// A short, fixed summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, naming the certificate, lot or field.
    pub detail: String,
    /// Verification findings (422, and the `link.lot_conflict` 409), objects as in a verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::schema::FindingSchema>>)]
    pub findings: Option<Vec<Finding>>,
    /// 409 only: the certificate that output the lot (over-consumption), or the stored
    /// certificate that already starts the lot id's lineage (lot conflict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// 409 only: the lot (over-consumption) or lot id (lot conflict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// Over-consumption (409 only): what the certificate output of the lot, in kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_kg: Option<f64>,
    /// Over-consumption (409 only): what stored certificates already consume, in kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_kg: Option<f64>,
    /// Over-consumption (409 only): what the rejected certificate asked for, in kg.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_kg: Option<f64>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request body has the wrong media type (415).
    #[error("the body must be {expected}, not {got}")]
    UnsupportedMediaType {
        /// The media type the route takes.
        expected: &'static str,
        /// The `Content-Type` received (or "no Content-Type").
        got: String,
    },
    /// The body is over the route's limit (413).
    #[error(
        "the body is over the limit {} of {limit} bytes for this route",
        body_limit_name(*.limit)
    )]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not a COSE_Sign1 certificate (400).
    #[error("the body is not a catchcert certificate: {0}")]
    MalformedCertificate(String),
    /// The body is not a bundle (400).
    #[error("the body is not a catchcert bundle: {0}")]
    MalformedBundle(String),
    /// A path or query parameter is malformed (400).
    #[error("{0}")]
    BadParameter(String),
    /// The body could not be read (400).
    #[error("the request body could not be read: {0}")]
    BadBody(String),
    /// Nothing is stored under that name (404).
    #[error("{0}")]
    NotFound(String),
    /// No such route (404).
    #[error("no route for {0}")]
    NoRoute(String),
    /// The route exists but not for this method (405).
    #[error("the method is not allowed on this route")]
    MethodNotAllowed,
    /// The certificate fails verification or names inputs that are not stored (422).
    #[error("{detail}")]
    Rejected {
        /// A sentence summing up the findings.
        detail: String,
        /// The findings, each about the posted certificate.
        findings: Vec<Finding>,
    },
    /// The certificate would consume more of a lot than exists (409).
    #[error(
        "lot {lot:?} of certificate {certificate} would be over-consumed: it output {output}, \
         {consumed} is already consumed and {requested} more was requested"
    )]
    Overconsumed {
        /// The certificate that output the lot.
        certificate: CertId,
        /// The lot.
        lot: String,
        /// What the certificate output of the lot.
        output: Grams,
        /// What is already consumed.
        consumed: Grams,
        /// What the rejected certificate asked for.
        requested: Grams,
    },
    /// The certificate would start a second lineage of a stored lot id (409,
    /// `link.lot_conflict`): it outputs `lot` without consuming it, and `existing` already
    /// outputs it.
    #[error(
        "link.lot_conflict: lot {lot:?} is already output by stored certificate {existing}; \
         certificate {certificate} outputs it without consuming it from a stored certificate: \
         a second lineage of one lot id"
    )]
    LotConflict {
        /// The rejected certificate.
        certificate: CertId,
        /// The lot id.
        lot: String,
        /// A stored certificate that outputs it.
        existing: CertId,
    },
    /// A store operation failed: 404 when the certificate asked for is not stored, 422
    /// when a lot's graph is over the limit, 500 otherwise (the cause is logged, not sent).
    #[error("{}", store_detail(.0))]
    Store(#[from] StoreError),
    /// The request took longer than the server's request timeout (503).
    #[error(
        "the request took longer than {0} seconds (the limit REQUEST_TIMEOUT_SECS) and was stopped"
    )]
    Timeout(u64),
    /// The database cannot be reached (503); the cause is logged, not sent.
    #[error("the database is unreachable: {0}")]
    Unavailable(String),
    /// A failure on the server's side (500); the cause is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MalformedCertificate(_)
            | ApiError::MalformedBundle(_)
            | ApiError::BadParameter(_)
            | ApiError::BadBody(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) | ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(e) => match e {
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::TooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Overconsumed { .. } | ApiError::LotConflict { .. } => StatusCode::CONFLICT,
            ApiError::Timeout(_) | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The last part of the `type` URI, and the title.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::UnsupportedMediaType { .. } => {
                ("unsupported-media-type", "Unsupported media type")
            }
            ApiError::TooLarge { .. } => ("body-too-large", "Request body too large"),
            ApiError::MalformedCertificate(_) => {
                ("malformed-certificate", "Not a catchcert certificate")
            }
            ApiError::MalformedBundle(_) => ("malformed-bundle", "Not a catchcert bundle"),
            ApiError::BadParameter(_) => ("bad-parameter", "Malformed parameter"),
            ApiError::BadBody(_) => ("bad-body", "Unreadable request body"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::NoRoute(_) => ("no-route", "No such route"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Rejected { .. } => ("verification-failed", "Certificate rejected"),
            ApiError::Overconsumed { .. } => ("over-consumption", "Lot over-consumed"),
            ApiError::LotConflict { .. } => ("lot-conflict", "Second lineage of a lot id"),
            ApiError::Store(e) => match e {
                StoreError::NotFound { .. } => ("not-found", "Not found"),
                StoreError::TooLarge { .. } => ("limits-exceeded", "Limits exceeded"),
                _ => ("internal", "Internal server error"),
            },
            ApiError::Timeout(_) => ("timeout", "Request timed out"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// A 422 with one finding about `certificate`.
    pub fn rejected_one(code: Code, certificate: CertId, message: impl Into<String>) -> Self {
        ApiError::rejected(vec![Finding::new(code, certificate, message)])
    }

    /// A 422 with these findings (at least one).
    pub fn rejected(findings: Vec<Finding>) -> Self {
        let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        codes.dedup();
        let detail = match findings.as_slice() {
            [one] => format!("{}: {}", one.code, one.message),
            _ => format!(
                "the certificate fails verification: {} findings ({})",
                findings.len(),
                codes.join(", ")
            ),
        };
        ApiError::Rejected { detail, findings }
    }

    /// A server-side failure; `cause` is logged when the response is made.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// The problem object sent for this error.
    pub fn problem(&self) -> Problem {
        let (name, title) = self.kind();
        let status = self.status();
        let detail = match self {
            // Never send internal causes.
            _ if status == StatusCode::INTERNAL_SERVER_ERROR => {
                "the server could not complete the request; the cause is logged with the \
                 request id"
                    .to_string()
            }
            ApiError::Unavailable(_) => {
                "the database is unreachable; the cause is logged".to_string()
            }
            other => other.to_string(),
        };
        let mut p = Problem {
            problem_type: format!("{TYPE_PREFIX}{name}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            findings: None,
            certificate: None,
            lot: None,
            output_kg: None,
            consumed_kg: None,
            requested_kg: None,
        };
        match self {
            ApiError::Rejected { findings, .. } => p.findings = Some(findings.clone()),
            ApiError::LotConflict {
                certificate,
                lot,
                existing,
            } => {
                p.certificate = Some(existing.to_string());
                p.lot = Some(lot.clone());
                p.findings = Some(vec![
                    catchcert_verify::custody::lot_conflict(lot, *certificate, &[*existing])
                        .on(*certificate),
                ]);
            }
            ApiError::Overconsumed {
                certificate,
                lot,
                output,
                consumed,
                requested,
            } => {
                p.certificate = Some(certificate.to_string());
                p.lot = Some(lot.clone());
                p.output_kg = Some(output.kg());
                p.consumed_kg = Some(consumed.kg());
                p.requested_kg = Some(requested.kg());
            }
            _ => {}
        }
        p
    }

    /// Map a store error met while storing the certificate `posted`.
    pub fn from_insert(posted: CertId, e: StoreError) -> Self {
        match e {
            StoreError::UnknownInput { certificate } => ApiError::rejected_one(
                Code::LinkMissing,
                posted,
                format!("an input names {certificate}, which is not stored"),
            ),
            StoreError::LotNotOutput { certificate, lot } => ApiError::rejected_one(
                Code::LinkLot,
                posted,
                format!(
                    "an input consumes lot {lot:?} of {certificate}, which outputs no such lot"
                ),
            ),
            StoreError::Overconsumed {
                certificate,
                lot,
                output,
                consumed,
                requested,
            } => ApiError::Overconsumed {
                certificate,
                lot,
                output,
                consumed,
                requested,
            },
            StoreError::LotConflict {
                certificate,
                lot,
                existing,
            } => ApiError::LotConflict {
                certificate,
                lot,
                existing,
            },
            StoreError::Invalid { reason, .. } => ApiError::MalformedCertificate(reason),
            other => ApiError::Store(other),
        }
    }

    /// Map a store error met while reading: the same as `ApiError::from` ([`ApiError::Store`]).
    pub fn from_read(e: StoreError) -> Self {
        ApiError::Store(e)
    }

    /// Map a failure to read a body of at most `limit` bytes.
    pub fn from_body(rejection: BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge { limit }
        } else {
            ApiError::BadBody(rejection.body_text())
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        if r.status().is_server_error() {
            ApiError::internal(r.body_text())
        } else {
            ApiError::BadParameter(r.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadParameter(r.body_text())
    }
}

/// The detail of [`ApiError::Store`]; for a server-side cause it is only logged.
fn store_detail(e: &StoreError) -> String {
    match e {
        StoreError::NotFound { certificate } => format!("certificate {certificate} is not stored"),
        StoreError::TooLarge { head, max } => {
            format!("the graph of {head} holds more than {max} certificates")
        }
        other => format!("internal error: {other}"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // Inside the request's span, so the log line carries the request id.
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, status = status.as_u16(), "request refused");
        }
        let problem = self.problem();
        let body = match serde_json::to_vec(&problem) {
            Ok(b) => b,
            Err(_) => br#"{"type":"urn:catchcert:problem:internal","title":"Internal server error","status":500}"#.to_vec(),
        };
        let mut res = (status, body).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        res
    }
}

/// The name in `docs/limits.md` of a body limit.
fn body_limit_name(limit: usize) -> &'static str {
    if limit == catchcert_model::limits::HTTP_BUNDLE_BODY {
        "HTTP_BUNDLE_BODY"
    } else {
        "HTTP_CERTIFICATE_BODY"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_are_not_sent() {
        let p = ApiError::internal("database error: password=hunter2").problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("hunter2"), "{}", p.detail);
        assert_eq!(p.problem_type, "urn:catchcert:problem:internal");
    }

    #[test]
    fn overconsumption_names_lot_and_quantities() {
        let id = CertId::of_cose(b"x");
        let e = ApiError::from_insert(
            CertId::of_cose(b"y"),
            StoreError::Overconsumed {
                certificate: id,
                lot: "LOT-1".into(),
                output: Grams(1_000_000),
                consumed: Grams(600_000),
                requested: Grams(500_000),
            },
        );
        assert_eq!(e.status(), StatusCode::CONFLICT);
        let v = serde_json::to_value(e.problem()).unwrap();
        assert_eq!(v["lot"], "LOT-1");
        assert_eq!(v["certificate"], id.to_string());
        assert_eq!(v["output_kg"], 1000.0);
        assert_eq!(v["consumed_kg"], 600.0);
        assert_eq!(v["requested_kg"], 500.0);
        let d = v["detail"].as_str().unwrap();
        for part in ["LOT-1", "1000 kg", "600 kg", "500 kg"] {
            assert!(d.contains(part), "{d} lacks {part}");
        }
        assert!(v.get("findings").is_none());
    }

    #[test]
    fn unknown_input_is_a_422_with_a_link_missing_finding() {
        let posted = CertId::of_cose(b"p");
        let missing = CertId::of_cose(b"m");
        let e = ApiError::from_insert(
            posted,
            StoreError::UnknownInput {
                certificate: missing,
            },
        );
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v = serde_json::to_value(e.problem()).unwrap();
        assert_eq!(v["findings"][0]["code"], "link.missing");
        assert_eq!(v["findings"][0]["severity"], "error");
        assert_eq!(v["findings"][0]["certificate"], posted.to_string());
        assert!(
            v["findings"][0]["message"]
                .as_str()
                .unwrap()
                .contains(&missing.to_string())
        );
        let e = ApiError::from_insert(
            posted,
            StoreError::LotNotOutput {
                certificate: missing,
                lot: "L9".into(),
            },
        );
        let v = serde_json::to_value(e.problem()).unwrap();
        assert_eq!(v["findings"][0]["code"], "link.lot");
        assert_eq!(
            ApiError::from_insert(posted, StoreError::Backend("x".into())).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}

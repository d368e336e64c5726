//! The pages for people (contract §5): `GET /` (a lot search form), `GET /lots?lot=…`
//! (sends the form on to the lot's page) and `GET /lots/{lot}` (the readable report of the
//! lot's current holder, the same verdict as `/v1/lots/{lot}/verification`). Errors are
//! HTML pages too: a person reads them, not a program.

use crate::error::ApiError;
use crate::lots;
use crate::state::AppState;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// A lot id as one path segment: RFC 3986 unreserved characters stay, every other byte
/// is percent-encoded (a `/` as `%2F`).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The index page: what this is, and a lot search form.
#[utoipa::path(
    get,
    path = "/",
    tag = "pages",
    responses((status = 200, description = "The index page with a lot search form", body = String, content_type = "text/html"))
)]
pub async fn index() -> Response {
    html(StatusCode::OK, catchcert_report::index_page())
}

/// The search form's query.
#[derive(Debug, Deserialize)]
pub struct LotQuery {
    /// The lot id typed in.
    pub lot: Option<String>,
}

/// The search form's target: a redirect (303) to `/lots/{lot}`, or to `/` without a lot.
#[utoipa::path(
    get,
    path = "/lots",
    tag = "pages",
    params(("lot" = Option<String>, Query, description = "The lot id")),
    responses((status = 303, description = "To `/lots/{lot}` (or `/` without a lot)"))
)]
pub async fn lot_search(
    query: Result<Query<LotQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lot = query
        .ok()
        .and_then(|Query(q)| q.lot)
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    match lot {
        Some(l) => Redirect::to(&format!("/lots/{}", encode_segment(&l))).into_response(),
        None => Redirect::to("/").into_response(),
    }
}

/// The readable report of a lot's current holder.
#[utoipa::path(
    get,
    path = "/lots/{lot}",
    tag = "pages",
    params(("lot" = String, Path, description = "Lot id, percent-encoded (a `/` as `%2F`)")),
    responses(
        (status = 200, description = "The report page (the verdict of `/v1/lots/{lot}/verification`)", body = String, content_type = "text/html"),
        (status = 400, description = "Invalid percent-encoding", body = String, content_type = "text/html"),
        (status = 404, description = "No stored certificate outputs the lot", body = String, content_type = "text/html"),
    )
)]
pub async fn lot_page(State(state): State<AppState>, OriginalUri(uri): OriginalUri) -> Response {
    let raw = uri.path().strip_prefix("/lots/").unwrap_or_default();
    let lot = match crate::pathseg::decode(raw) {
        Ok(l) => l,
        Err(e) => {
            return html(
                StatusCode::BAD_REQUEST,
                catchcert_report::not_found_page(&format!("{raw} ({e})")),
            );
        }
    };
    match page(&state, &lot).await {
        Ok(body) => html(StatusCode::OK, body),
        Err(ApiError::NotFound(_)) => html(
            StatusCode::NOT_FOUND,
            catchcert_report::not_found_page(&lot),
        ),
        Err(e) => e.into_response(),
    }
}

async fn page(state: &AppState, lot: &str) -> Result<String, ApiError> {
    let (entry, certs, at) = lots::lot_report(state, lot).await?;
    state.metrics().record_verdict("lot", &entry.verdict);
    state
        .run_cpu(move || catchcert_report::render(&entry.verdict, &certs, at))
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(
            super::encode_segment("FM-LOINS_2026.1~"),
            "FM-LOINS_2026.1~"
        );
        assert_eq!(super::encode_segment("urn:lot/7 x"), "urn%3Alot%2F7%20x");
        assert_eq!(super::encode_segment("é"), "%C3%A9");
    }
}

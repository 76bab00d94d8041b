//! `GET /api/v1/export` (every piece of the account's data as one JSON document),
//! `GET /api/v1/export/checkins.csv`, and `POST /api/v1/import` (such a document loaded into
//! an account that holds no data yet). See docs/export-format.md.

use app::{ImportError, ImportSummary};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiResult, from_app, json};
use crate::AppState;
use crate::session::ApiUser;

/// The largest document an import reads: years of daily check-ins with long notes and a full
/// journal stay well below it.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// The account's whole data as a JSON download.
pub async fn export(State(state): State<AppState>, ApiUser(actor): ApiUser) -> ApiResult {
    let document = state.app.export_data(&actor).await?;
    let body = serde_json::to_vec_pretty(&document).map_err(app::AppError::internal)?;
    Ok(download(
        body,
        "application/json",
        &file_name(actor.account(), "between-export", "json"),
    ))
}

/// The account's check-ins as a CSV download.
pub async fn checkins_csv(State(state): State<AppState>, ApiUser(actor): ApiUser) -> ApiResult {
    let csv = state.app.checkins_csv(&actor).await?;
    Ok(download(
        csv.into_bytes(),
        "text/csv; charset=utf-8",
        &file_name(actor.account(), "between-checkins", "csv"),
    ))
}

/// `stem-YYYY-MM-DD.ext`, dated in the person's own time zone.
pub fn file_name(account: &domain::account::Account, stem: &str, ext: &str) -> String {
    let today = account.timezone.local_day(chrono::Utc::now());
    format!("{stem}-{}.{ext}", today.format("%Y-%m-%d"))
}

/// A body the browser saves as a file rather than shows.
fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Loads an export document into the signed-in account: 201 with the rows loaded per kind,
/// 409 when the account already holds data, 422 naming the first bad field.
pub async fn import(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let mime = v.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("application/json")
        });
    if !is_json {
        return json(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the export document as JSON with 'Content-Type: application/json'.",
            None,
        );
    }
    let Ok(body) = body else {
        return json(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The document is larger than 20 MB, or could not be read.",
            None,
        );
    };
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body is not valid JSON.",
            None,
        );
    };
    match state.app.import_data(&actor, &document).await {
        Ok(summary) => (StatusCode::CREATED, axum::Json(imported(&summary))).into_response(),
        Err(e) => import_error(e),
    }
}

/// `{"imported": {"checkins": 12, …}}`.
fn imported(summary: &ImportSummary) -> serde_json::Value {
    serde_json::json!({ "imported": summary.tables })
}

/// The JSON answer for an import that loaded nothing.
fn import_error(e: ImportError) -> Response {
    match e {
        ImportError::NotEmpty => json(StatusCode::CONFLICT, "not_empty", NOT_EMPTY, None),
        ImportError::Invalid { path, message } => json(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            &format!("{path}: {message}. Nothing was imported."),
            Some(&path),
        ),
        ImportError::Store(e) => from_app(e.into()),
    }
}

/// Why an import into an account with data is refused, for people.
pub const NOT_EMPTY: &str = "This account already holds data, so nothing was imported: an \
     import never mixes with what is here. Import into a new account that has no check-ins or \
     other data yet.";

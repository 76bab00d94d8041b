//! JSON errors: `{"error": {"code", "message", "field"?}}` with a fitting 4xx, or 500 with
//! a kind message while the cause goes to the log.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A JSON error response.
pub fn json(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let mut error = json!({ "code": code, "message": message });
    if let Some(f) = field {
        error["field"] = json!(f);
    }
    (status, Json(json!({ "error": error }))).into_response()
}

/// Maps a use-case error to its JSON response.
pub fn from_app(e: AppError) -> Response {
    match e {
        AppError::Invalid(errors) => {
            let first = errors.first();
            let mut body = json!({
                "error": {
                    "code": "invalid",
                    "message": first.map(|f| f.message.as_str()).unwrap_or("The request is not valid."),
                    "field": first.map(|f| f.field),
                    "fields": errors,
                }
            });
            if first.is_none() {
                body["error"].as_object_mut().map(|o| o.remove("field"));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        AppError::Unauthenticated => json(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in, or send a personal API token as 'Authorization: Bearer …'.",
            None,
        ),
        AppError::ClientIdConflict => json(
            StatusCode::CONFLICT,
            "client_id_conflict",
            "This client_id was already used for different content, and nothing new was stored. \
             Send a retry with exactly the same content, or new content with a new client_id.",
            None,
        ),
        AppError::NotFound => json(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no such item in this account.",
            None,
        ),
        AppError::Forbidden => json(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This account may not do that.",
            None,
        ),
        AppError::RateLimited { retry_after_secs } => {
            let mut r = json(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many attempts; please wait and try again.",
                None,
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            r
        }
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "API request failed");
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. Nothing you sent was lost; please try again.",
                None,
            )
        }
    }
}

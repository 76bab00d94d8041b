//! JSON errors: `{"error": {"code", "message", "field"?}}` with a fitting 4xx, or 500 with
//! a kind message while the cause goes to the log.
//!
//! Handlers return [`ApiResult`] and use `?` on use-case results; [`ApiError`] turns a
//! use-case error or a request problem into its answer.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::checkin::FieldError;
use serde::Serialize;

/// The body of every JSON error.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// Every invalid field, for `invalid` answers from validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a [FieldError]>,
}

/// A JSON error response.
pub fn json(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message,
            field,
            fields: None,
        },
    };
    (status, Json(body)).into_response()
}

/// Why an API call could not answer as asked.
#[derive(Debug)]
pub enum ApiError {
    /// A use-case failed; internal causes are logged once, when the answer is made.
    App(AppError),
    /// The request itself was wrong (a query, a missing field), found before any use-case.
    Request {
        /// The answer's status.
        status: StatusCode,
        /// What kind of problem, for programs.
        code: &'static str,
        /// What to change, for people.
        message: &'static str,
        /// The field it is about.
        field: Option<&'static str>,
    },
}

/// What API handlers return.
pub type ApiResult<T = Response> = Result<T, ApiError>;

impl ApiError {
    /// A request problem: a 4xx with the usual JSON error body.
    pub fn request(
        status: StatusCode,
        message: &'static str,
        field: Option<&'static str>,
    ) -> ApiError {
        ApiError::Request {
            status,
            code: if status == StatusCode::NOT_FOUND {
                "not_found"
            } else {
                "invalid"
            },
            message,
            field,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::App(e) => from_app(e),
            ApiError::Request {
                status,
                code,
                message,
                field,
            } => json(status, code, message, field),
        }
    }
}

/// Maps a use-case error to its JSON response.
pub fn from_app(e: AppError) -> Response {
    match e {
        AppError::Invalid(errors) => {
            let first = errors.first();
            let body = ErrorBody {
                error: ErrorDetail {
                    code: "invalid",
                    message: first
                        .map(|f| f.message.as_str())
                        .unwrap_or("The request is not valid."),
                    field: first.map(|f| f.field),
                    fields: Some(&errors),
                },
            };
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
        AppError::NotShared => json(
            StatusCode::FORBIDDEN,
            "not_shared",
            "Your client has not shared this with you. They can choose what to share in their \
             settings.",
            None,
        ),
        AppError::Forbidden => json(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This account may not do that.",
            None,
        ),
        AppError::SecondFactorNeeded => json(
            StatusCode::FORBIDDEN,
            "second_factor_required",
            "Turn on two-step sign-in first: in the web, Settings → Account → Two-step sign-in.",
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
        e @ AppError::Damaged(_) => {
            tracing::error!(
                error = %crate::pages::errors::error_chain(&e),
                "API request met damaged data"
            );
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "damaged_data",
                "Part of this account's saved data could not be read: it looks damaged, so none \
                 of it is shown. Please tell whoever runs this server.",
                None,
            )
        }
        e @ AppError::Internal(_) => {
            tracing::error!(
                error = %crate::pages::errors::error_chain(&e),
                "API request failed"
            );
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. Nothing you sent was lost; please try again.",
                None,
            )
        }
    }
}

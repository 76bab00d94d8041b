//! A JSON body extractor whose every failure is a JSON error naming the problem field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::error::json;

/// Largest JSON body we read; a check-in with a long note is far smaller.
const MAX_BODY: usize = 64 * 1024;

/// A parsed JSON body.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime.eq_ignore_ascii_case("application/json")
            });
        if !is_json {
            return Err(json(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with 'Content-Type: application/json'.",
                None,
            ));
        }
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            json(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "The request body is too large or could not be read.",
                None,
            )
        })?;
        if body.len() > MAX_BODY {
            return Err(json(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "The request body is too large.",
                None,
            ));
        }
        // Syntax first, so a broken body is always a 400 whatever fields it starts with;
        // then the shape, so a wrong field is a 422 that names it.
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
            json(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "The body is not valid JSON.",
                None,
            )
        })?;
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = (path != "." && !path.is_empty()).then_some(path);
                // serde's message names the expected type, not the value that was sent.
                json(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    &e.into_inner().to_string(),
                    field.as_deref(),
                )
            })
    }
}

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
        let de = &mut serde_json::Deserializer::from_slice(&body);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let (status, code) = if inner.is_syntax() || inner.is_eof() {
                    (StatusCode::BAD_REQUEST, "malformed_json")
                } else {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
                };
                let field = (path != "." && !path.is_empty()).then_some(path);
                let message = if code == "malformed_json" {
                    "The body is not valid JSON.".to_string()
                } else {
                    // serde's message names the expected type, not the value sent.
                    inner.to_string()
                };
                Err(json(status, code, &message, field.as_deref()))
            }
        }
    }
}

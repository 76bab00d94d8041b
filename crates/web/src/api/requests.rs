//! What the API's handlers share about requests and answers: item ids in addresses, time
//! ranges and other query strings, and the 201-or-200 answer of an idempotent create.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::idempotency::Written;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, json as json_error};

/// The typed id (e.g. a [`domain::journal::JournalEntryId`]) in an item's address; anything
/// but a number is a JSON 404, not a plain-text 400.
pub struct ItemId<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ItemId<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(ItemId(id)),
            Err(_) => Err(json_error(
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no such item in this account.",
                None,
            )),
        }
    }
}

/// A query string that did not parse, as a JSON error.
pub fn bad_query() -> ApiError {
    ApiError::request(
        StatusCode::BAD_REQUEST,
        "The query string is not valid.",
        None,
    )
}

/// A query string, or [`bad_query`] when it did not parse.
pub type QueryOf<T> = Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>;

/// The parsed query, or the JSON error for one that did not parse.
pub fn query<T>(q: QueryOf<T>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(q)| q).map_err(|_| bad_query())
}

/// 201 for a new item, 200 for the one a previous try stored.
pub fn created(written: Written, body: impl Serialize) -> Response {
    let status = match written {
        Written::Created => StatusCode::CREATED,
        Written::Existing => StatusCode::OK,
    };
    (status, Json(body)).into_response()
}

/// The `client_id` every create needs, so that a retry never duplicates.
pub fn require_client_id(id: Option<uuid::Uuid>) -> Result<uuid::Uuid, ApiError> {
    id.ok_or_else(client_id_required)
}

/// The error for a create without a `client_id`.
fn client_id_required() -> ApiError {
    ApiError::request(
        StatusCode::UNPROCESSABLE_ENTITY,
        "client_id is required: a UUID your app makes, so a retry never duplicates.",
        Some("client_id"),
    )
}

/// `?include=…`, which adds items a listing leaves out by default.
#[derive(Deserialize)]
pub struct IncludeQuery {
    #[serde(default)]
    include: Option<String>,
}

/// Whether `?include=<what>` was asked for; any other value is a 400 with `message`.
pub fn include(
    q: QueryOf<IncludeQuery>,
    what: &str,
    message: &'static str,
) -> Result<bool, ApiError> {
    match query(q)?.include.as_deref() {
        None | Some("") => Ok(false),
        Some(v) if v == what => Ok(true),
        Some(_) => Err(ApiError::request(
            StatusCode::BAD_REQUEST,
            message,
            Some("include"),
        )),
    }
}

/// The time range of a listing; both ends optional, `from` inclusive and `to` exclusive.
#[derive(Deserialize)]
pub struct Range {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// Two optional ends of a time range.
pub type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl Range {
    /// Both ends as times; the error names the end that is not RFC 3339.
    pub fn bounds(&self) -> Result<Bounds, ApiError> {
        Ok((
            parse_time("from", self.from.as_deref()).map_err(bad_time)?,
            parse_time("to", self.to.as_deref()).map_err(bad_time)?,
        ))
    }
}

fn parse_time(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<DateTime<Utc>>, &'static str> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| field),
    }
}

/// A range end that is not a time, as a JSON error naming it.
pub fn bad_time(field: &'static str) -> ApiError {
    ApiError::request(
        StatusCode::BAD_REQUEST,
        "Use an RFC 3339 time such as 2026-11-24T09:00:00Z.",
        Some(field),
    )
}

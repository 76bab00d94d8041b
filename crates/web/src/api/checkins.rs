//! `POST /api/v1/checkins` (idempotent on `client_id`) and `GET /api/v1/checkins`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::checkin::{CheckIn, CheckInInput};
use serde::Deserialize;
use serde_json::json;
use store::Written;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use crate::AppState;
use crate::session::ApiUser;

/// Stores a check-in: 201 when new, 200 with the same stored check-in on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CheckInInput>,
) -> Response {
    if input.client_id.is_none() {
        return json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "client_id is required: a UUID your app makes, so a retry never duplicates.",
            Some("client_id"),
        );
    }
    match state.app.record_checkin(&actor, input).await {
        Ok((checkin, Written::Created)) => {
            (StatusCode::CREATED, Json(view(&checkin))).into_response()
        }
        Ok((checkin, Written::Existing)) => (StatusCode::OK, Json(view(&checkin))).into_response(),
        Err(e) => from_app(e),
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

/// Parses an optional RFC 3339 query value; the error is the field's name.
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

fn bad_time(field: &str) -> Response {
    json_error(
        StatusCode::BAD_REQUEST,
        "invalid",
        "Use an RFC 3339 time such as 2026-11-24T09:00:00Z.",
        Some(field),
    )
}

/// The account's check-ins, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    range: Result<Query<Range>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(range)) = range else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The query string is not valid.",
            None,
        );
    };
    let (from, to) = match (
        parse_time("from", range.from.as_deref()),
        parse_time("to", range.to.as_deref()),
    ) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(field), _) | (_, Err(field)) => return bad_time(field),
    };
    match state.app.checkins(&actor, from, to).await {
        Ok(list) => {
            let items: Vec<_> = list.iter().map(view).collect();
            Json(json!({ "checkins": items })).into_response()
        }
        Err(e) => from_app(e),
    }
}

fn view(c: &CheckIn) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_else(|_| json!({ "id": c.id }))
}

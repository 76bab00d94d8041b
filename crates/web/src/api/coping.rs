//! `POST /api/v1/coping-uses` (idempotent on `client_id`), `GET /api/v1/coping-uses`, and
//! `GET /api/v1/coping-tools`: the catalogue with what works for this person.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::coping::{CopingUse, CopingUseInput, catalogue};
use serde::Deserialize;
use serde_json::json;
use store::Written;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use crate::AppState;
use crate::session::ApiUser;

/// Stores a use of a tool: 201 when new, 200 with the same stored use on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CopingUseInput>,
) -> Response {
    if input.client_id.is_none() {
        return json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "client_id is required: a UUID your app makes, so a retry never duplicates.",
            Some("client_id"),
        );
    }
    match state.app.record_coping_use(&actor, input).await {
        Ok((u, Written::Created)) => (StatusCode::CREATED, Json(view(&u))).into_response(),
        Ok((u, Written::Existing)) => (StatusCode::OK, Json(view(&u))).into_response(),
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

/// The account's uses by start time, oldest first.
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
        (Err(field), _) | (_, Err(field)) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "invalid",
                "Use an RFC 3339 time such as 2026-11-24T09:00:00Z.",
                Some(field),
            );
        }
    };
    match state.app.coping_uses(&actor, from, to).await {
        Ok(uses) => {
            let items: Vec<_> = uses.iter().map(view).collect();
            Json(json!({ "coping_uses": items })).into_response()
        }
        Err(e) => from_app(e),
    }
}

/// Every tool with its steps, this person's numbers for it, and the ranked tools best first,
/// so an app can guide the exercises offline.
pub async fn tools(State(state): State<AppState>, ApiUser(actor): ApiUser) -> Response {
    let stats = match state.app.coping_stats(&actor).await {
        Ok(s) => s,
        Err(e) => return from_app(e),
    };
    let ranked = match state.app.ranked_tools(&actor).await {
        Ok(r) => r,
        Err(e) => return from_app(e),
    };
    let tools: Vec<_> = catalogue()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "summary": t.summary,
                "about": t.about,
                "group": t.group,
                "guide": t.kind,
                "rounds": t.default_rounds(),
                "seconds": t.total_seconds(),
                "steps": t.steps,
                "stats": stats.iter().find(|s| s.tool == t.id),
            })
        })
        .collect();
    let ranked: Vec<_> = ranked.iter().map(|s| s.tool).collect();
    Json(json!({ "tools": tools, "ranked": ranked })).into_response()
}

fn view(u: &CopingUse) -> serde_json::Value {
    serde_json::to_value(u).unwrap_or_else(|_| json!({ "id": u.id }))
}

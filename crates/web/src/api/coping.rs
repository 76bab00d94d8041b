//! `POST /api/v1/coping-uses` (idempotent on `client_id`), `GET /api/v1/coping-uses`, and
//! `GET /api/v1/coping-tools`: the catalogue with what works for this person.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::coping::{CopingUse, CopingUseInput, catalogue};
use serde_json::json;

use super::error::from_app;
use super::json::ApiJson;
use super::requests::{Range, bad_query, bad_time, client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

/// Stores a use of a tool: 201 when new, 200 with the same stored use on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CopingUseInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.record_coping_use(&actor, input).await {
        Ok((u, written)) => created(written, json!(view(&u))),
        Err(e) => from_app(e),
    }
}

/// The account's uses by start time, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    range: Result<Query<Range>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(range)) = range else {
        return bad_query();
    };
    let (from, to) = match range.bounds() {
        Ok(b) => b,
        Err(field) => return bad_time(field),
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

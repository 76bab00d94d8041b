//! `POST /api/v1/checkins` (idempotent on `client_id`) and `GET /api/v1/checkins`.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::checkin::{CheckIn, CheckInInput};
use serde_json::json;

use super::error::from_app;
use super::json::ApiJson;
use super::requests::{Range, bad_query, bad_time, client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

/// Stores a check-in: 201 when new, 200 with the same stored check-in on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CheckInInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.record_checkin(&actor, input).await {
        Ok((checkin, written)) => created(written, json!(view(&checkin))),
        Err(e) => from_app(e),
    }
}

/// The account's check-ins, oldest first.
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

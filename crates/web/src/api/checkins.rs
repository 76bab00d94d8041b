//! `POST /api/v1/checkins` (idempotent on `client_id`) and `GET /api/v1/checkins`.

use axum::Json;
use axum::extract::State;
use domain::checkin::{CheckIn, CheckInInput};
use serde::Serialize;

use super::error::ApiResult;
use super::json::ApiJson;
use super::requests::{QueryOf, Range, created, query, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// `{"checkins": [...]}`.
#[derive(Serialize)]
pub struct CheckInList {
    checkins: Vec<CheckIn>,
}

/// Stores a check-in: 201 when new, 200 with the same stored check-in on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CheckInInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (checkin, written) = state.app.record_checkin(&actor, input).await?;
    Ok(created(written, checkin))
}

/// The account's check-ins, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    range: QueryOf<Range>,
) -> ApiResult<Json<CheckInList>> {
    let (from, to) = query(range)?.bounds()?;
    let checkins = state.app.checkins(&actor, from, to).await?;
    Ok(Json(CheckInList { checkins }))
}

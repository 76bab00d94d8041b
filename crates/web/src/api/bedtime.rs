//! `/api/v1/bedtime-routine`: the routine (read, replace), a night ticked off (one coping use
//! of `bedtime-routine` per night: 201 the first time, 200 with that same use after), and the
//! comparison of nights with and without it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use domain::bedtime::{BedtimeRoutine, Comparison, NightInput, RoutineInput, night_of};
use domain::coping::CopingUse;
use serde::Serialize;

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::created;
use crate::AppState;
use crate::session::ApiUser;

/// The routine: 404 until one is made.
pub async fn show(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<BedtimeRoutine>> {
    state
        .app
        .bedtime_routine(&actor)
        .await?
        .map(Json)
        .ok_or_else(|| {
            ApiError::request(
                StatusCode::NOT_FOUND,
                "There is no bedtime routine yet: PUT one here.",
                None,
            )
        })
}

/// Makes or replaces the routine: `{"items": [...], "target_time": "HH:MM"}`.
pub async fn save(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<RoutineInput>,
) -> ApiResult<Json<BedtimeRoutine>> {
    Ok(Json(state.app.save_bedtime_routine(&actor, input).await?))
}

/// A night's log, with the night it belongs to and the steps it ticked.
#[derive(Serialize)]
pub struct NightView {
    night: NaiveDate,
    ticked: Vec<String>,
    coping_use: CopingUse,
}

/// Ticks the routine off for a night: 201 with the new log, or 200 with the night's first
/// log when it was already ticked off (nothing new is stored).
pub async fn log_night(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NightInput>,
) -> ApiResult {
    let (u, written) = state
        .app
        .log_bedtime_night(&actor, input, Utc::now())
        .await?;
    let view = NightView {
        night: night_of(u.content.started_at, actor.account().timezone),
        ticked: u
            .content
            .note
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
        coping_use: u,
    };
    Ok(created(written, view))
}

/// Nights with the routine beside nights without, over the last 90 nights.
pub async fn comparison(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Comparison>> {
    Ok(Json(
        state.app.bedtime_comparison(&actor, Utc::now()).await?,
    ))
}

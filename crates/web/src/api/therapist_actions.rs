//! What a therapist may change for a client: `POST /api/v1/therapist/clients/{id}/homework`
//! (scope `session_prep`, idempotent on `client_id`) and `GET|PUT
//! /api/v1/therapist/clients/{id}/sensitivity` (scope `checkins`). `{id}` is the grant's id.

use app::ClientSensitivity;
use axum::Json;
use axum::extract::State;
use domain::guidance::{
    Guidance, LOW_POINTS_DEFAULT_TENTHS, LOW_POINTS_MAX_TENTHS, LOW_POINTS_MIN_TENTHS,
    PERSISTING_DEFAULT_DAYS, PERSISTING_MAX_DAYS, PERSISTING_MIN_DAYS, SensitivityInput,
};
use domain::homework::HomeworkInput;
use domain::sharing::GrantId;
use serde::Serialize;

use super::error::ApiResult;
use super::json::ApiJson;
use super::requests::{ItemId, created, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// The route patterns the audit log names.
const HOMEWORK_ENDPOINT: &str = "/api/v1/therapist/clients/{id}/homework";
const SENSITIVITY_ENDPOINT: &str = "/api/v1/therapist/clients/{id}/sensitivity";

/// Assigns homework to the client: 201 when new, 200 with the same stored homework on a
/// retry. The body is the client's own homework create (`text` or `title`, `due_on`,
/// `frequency`, `client_id`).
pub async fn assign_homework(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
    ApiJson(input): ApiJson<HomeworkInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (h, written) = state
        .app
        .assign_homework(&actor, id, input, HOMEWORK_ENDPOINT)
        .await?;
    Ok(created(written, h))
}

/// Inclusive bounds of one threshold, with its default.
#[derive(Serialize)]
pub struct Bounds<T> {
    min: T,
    max: T,
    default: T,
}

/// A client's sensitivity as the API shows it.
#[derive(Serialize)]
pub struct SensitivityView {
    /// The client's grant id.
    id: GrantId,
    /// Points below the usual mood that make a day low.
    low_points: f64,
    /// Rated low days in a row that make a stretch persisting.
    persisting_min_rated_days: u32,
    /// Whether both are the defaults.
    is_default: bool,
    /// Who set them (the therapist's name), when not the defaults.
    set_by: Option<String>,
    /// When.
    set_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What may be set.
    bounds: SensitivityBounds,
    /// The client's guidance as the new thresholds assess it (after a change only).
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance: Option<Guidance>,
}

/// Both thresholds' bounds.
#[derive(Serialize)]
pub struct SensitivityBounds {
    low_points: Bounds<f64>,
    persisting_min_rated_days: Bounds<u8>,
}

fn view(s: ClientSensitivity, guidance: Option<Guidance>) -> SensitivityView {
    let tenths = |t: u8| f64::from(t) / 10.0;
    let t = s.tuning;
    SensitivityView {
        id: s.client.id(),
        low_points: t.sensitivity.low_points(),
        persisting_min_rated_days: t.sensitivity.persisting_min_rated_days(),
        is_default: t.sensitivity.is_default(),
        set_by: t.set_by,
        set_at: t.set_at,
        bounds: SensitivityBounds {
            low_points: Bounds {
                min: tenths(LOW_POINTS_MIN_TENTHS),
                max: tenths(LOW_POINTS_MAX_TENTHS),
                default: tenths(LOW_POINTS_DEFAULT_TENTHS),
            },
            persisting_min_rated_days: Bounds {
                min: PERSISTING_MIN_DAYS,
                max: PERSISTING_MAX_DAYS,
                default: PERSISTING_DEFAULT_DAYS,
            },
        },
        guidance,
    }
}

/// The client's sensitivity and its bounds.
pub async fn sensitivity(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
) -> ApiResult<Json<SensitivityView>> {
    let s = state
        .app
        .client_sensitivity(&actor, id, SENSITIVITY_ENDPOINT)
        .await?;
    Ok(Json(view(s, None)))
}

/// Sets the client's sensitivity (a missing threshold is its default; `{}` resets both),
/// 422 with `field` for a value outside its bounds. The answer carries the guidance the new
/// thresholds give.
pub async fn set_sensitivity(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
    ApiJson(input): ApiJson<SensitivityInput>,
) -> ApiResult<Json<SensitivityView>> {
    let (s, guidance) = state
        .app
        .set_client_sensitivity(&actor, id, &input, SENSITIVITY_ENDPOINT)
        .await?;
    Ok(Json(view(s, Some(guidance))))
}

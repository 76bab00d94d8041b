//! `GET /api/v1/sessions` and `POST /api/v1/sessions`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::therapy::{NewSession, Repeat, TherapySession};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{created, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// `{"sessions": [...]}`.
#[derive(Serialize)]
pub struct SessionList {
    sessions: Vec<TherapySession>,
}

/// A session to add.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    #[serde(default)]
    client_id: Option<Uuid>,
    at: DateTime<Utc>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    repeat: Option<String>,
}

/// Adds a session (or a repeating series): 201 with every stored occurrence, 200 with the
/// same ones on a retry, 409 when the `client_id` was used for a different session.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<SessionInput>,
) -> ApiResult {
    let client_id = require_client_id(input.client_id)?;
    let Some(repeat) = Repeat::parse(input.repeat.as_deref().unwrap_or("once")) else {
        return Err(ApiError::request(
            StatusCode::UNPROCESSABLE_ENTITY,
            "repeat is \"once\", \"weekly\" or \"fortnightly\".",
            Some("repeat"),
        ));
    };
    let note = input.note.as_deref().unwrap_or("");
    let new = NewSession::new(client_id, input.at, note, repeat, Utc::now())
        .map_err(app::AppError::Invalid)?;
    let (sessions, written) = state.app.add_session(&actor, new).await?;
    Ok(created(written, SessionList { sessions }))
}

/// Every session of the account, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<SessionList>> {
    let sessions = state.app.sessions(&actor, None, None).await?;
    Ok(Json(SessionList { sessions }))
}

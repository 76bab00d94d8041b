//! `GET /api/v1/sessions` and `POST /api/v1/sessions`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::therapy::{NewSession, Repeat};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use super::requests::{client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

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
) -> Response {
    let Some(client_id) = input.client_id else {
        return client_id_required();
    };
    let Some(repeat) = Repeat::parse(input.repeat.as_deref().unwrap_or("once")) else {
        return json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "repeat is \"once\", \"weekly\" or \"fortnightly\".",
            Some("repeat"),
        );
    };
    let note = input.note.as_deref().unwrap_or("");
    let new = match NewSession::new(client_id, input.at, note, repeat, Utc::now()) {
        Ok(n) => n,
        Err(errors) => return from_app(app::AppError::Invalid(errors)),
    };
    match state.app.add_session(&actor, new).await {
        Ok((stored, written)) => created(written, json!({ "sessions": stored })),
        Err(e) => from_app(e),
    }
}

/// Every session of the account, oldest first.
pub async fn list(State(state): State<AppState>, ApiUser(actor): ApiUser) -> Response {
    match state.app.sessions(&actor, None, None).await {
        Ok(all) => Json(json!({ "sessions": all })).into_response(),
        Err(e) => from_app(e),
    }
}

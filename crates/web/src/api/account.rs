//! `/api/v1/account`: the devices signed in to the account and its API tokens, to list and
//! end, and deleting the account itself. Tokens are made in Settings or by the operator, not
//! here: a token that could make more tokens would outlive its own revocation. Deleting asks
//! for the password again in the body, `{"password": "…"}`.

use app::{ApiToken, AppError, DeviceSession};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, json};
use super::json::ApiJson;
use crate::AppState;
use crate::session::ApiUser;

/// One signed-in device.
#[derive(Serialize)]
pub struct DeviceJson {
    id: String,
    /// A coarse browser family, such as "Firefox on Android"; `null` when not known.
    device: Option<String>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<DeviceSession> for DeviceJson {
    fn from(d: DeviceSession) -> Self {
        DeviceJson {
            id: d.id,
            device: Some(d.device).filter(|s| !s.is_empty()),
            created_at: d.created_at,
            last_seen_at: d.last_seen_at,
            expires_at: d.expires_at,
        }
    }
}

/// The answer of `GET /account/sessions`.
#[derive(Serialize)]
pub struct DeviceList {
    sessions: Vec<DeviceJson>,
}

/// Lists the account's signed-in browser sessions, most recently used first.
pub async fn sessions(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<DeviceList>> {
    let sessions = state.app.devices(&actor).await?;
    Ok(Json(DeviceList {
        sessions: sessions.into_iter().map(DeviceJson::from).collect(),
    }))
}

/// Signs one browser session out: 204, or 404 when the account has none such.
pub async fn end_session(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.end_device(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One API token, without its secret.
#[derive(Serialize)]
pub struct TokenJson {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenJson {
    fn from(t: ApiToken) -> Self {
        TokenJson {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        }
    }
}

/// The answer of `GET /account/tokens`.
#[derive(Serialize)]
pub struct TokenList {
    tokens: Vec<TokenJson>,
}

/// Lists the account's API tokens, oldest first.
pub async fn tokens(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<TokenList>> {
    let tokens = state.app.api_tokens(&actor).await?;
    Ok(Json(TokenList {
        tokens: tokens.into_iter().map(TokenJson::from).collect(),
    }))
}

/// Revokes a token (it may be the one making this call): 204, or 404 when none such.
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.revoke_token(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The confirmation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    password: String,
}

/// 204 once everything is gone (the token used for the call ends with it); 403 with a JSON
/// error, and nothing deleted, when the password is wrong.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<DeleteAccount>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    match state.app.delete_own_account(&actor, body.password).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(AppError::Forbidden) => Ok(json(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "That password is not the account's, so nothing was deleted.",
            Some("password"),
        )),
        Err(e) => Err(ApiError::from(e)),
    }
}

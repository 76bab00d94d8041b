//! `DELETE /api/v1/account`: deletes the caller's own account and everything in it, once
//! the password is given again in the body, `{"password": "…"}`.

use app::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::{ApiError, ApiResult, json};
use super::json::ApiJson;
use crate::AppState;
use crate::session::ApiUser;

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

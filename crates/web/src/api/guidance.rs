//! `GET /api/v1/guidance`: the same JSON `between assess` prints, for the signed-in account.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::error::from_app;
use crate::AppState;
use crate::session::ApiUser;

/// Today's guidance: `{"level", "reasons": [{"code", ...evidence}]}`.
pub async fn show(State(state): State<AppState>, ApiUser(actor): ApiUser) -> Response {
    match state.app.guidance(&actor, chrono::Utc::now()).await {
        Ok(g) => Json(g).into_response(),
        Err(e) => from_app(e),
    }
}

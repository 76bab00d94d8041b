//! `GET /api/v1/guidance`: the same JSON `between assess` prints, for the signed-in account.

use axum::Json;
use axum::extract::State;
use domain::guidance::Guidance;

use super::error::ApiResult;
use crate::AppState;
use crate::session::ApiUser;

/// Today's guidance: `{"level", "reasons": [{"code", ...evidence}]}`.
pub async fn show(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Guidance>> {
    Ok(Json(state.app.guidance(&actor, chrono::Utc::now()).await?))
}

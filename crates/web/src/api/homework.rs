//! `/api/v1/homework`: list with log and progress, create (idempotent on `client_id`),
//! change, delete, and log a done time (idempotent on the log's `client_id`).

use app::HomeworkStatus;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use domain::homework::{Homework, HomeworkEditInput, HomeworkId, HomeworkInput, HomeworkLogInput};
use serde::Serialize;

use super::error::ApiResult;
use super::json::ApiJson;
use super::requests::{IncludeQuery, ItemId, QueryOf, created, include, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// Homework with its log and how it is going today.
#[derive(Serialize)]
pub struct StatusView {
    #[serde(flatten)]
    homework: Homework,
    log: Vec<domain::homework::HomeworkLog>,
    progress: domain::homework::Progress,
}

impl From<HomeworkStatus> for StatusView {
    fn from(s: HomeworkStatus) -> Self {
        StatusView {
            homework: s.homework,
            log: s.log,
            progress: s.progress,
        }
    }
}

/// `{"homework": [...]}`.
#[derive(Serialize)]
pub struct HomeworkList {
    homework: Vec<StatusView>,
}

/// The homework, oldest first, each with its log and progress: `{"homework": [...]}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    q: QueryOf<IncludeQuery>,
) -> ApiResult<Json<HomeworkList>> {
    // `?include=finished` lists finished homework too.
    let include_finished = include(q, "finished", "include is \"finished\" or absent.")?;
    let all = state
        .app
        .homework(&actor, include_finished, Utc::now())
        .await?;
    Ok(Json(HomeworkList {
        homework: all.into_iter().map(StatusView::from).collect(),
    }))
}

/// Adds homework: 201 when new, 200 with the same stored homework on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<HomeworkInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (h, written) = state.app.add_homework(&actor, input).await?;
    Ok(created(written, h))
}

/// Changes the text, due date (`""` clears it), frequency, or `finished`.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<HomeworkId>,
    ApiJson(input): ApiJson<HomeworkEditInput>,
) -> ApiResult<Json<Homework>> {
    Ok(Json(state.app.edit_homework(&actor, id, input).await?))
}

/// Removes homework and its log: 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<HomeworkId>,
) -> ApiResult<StatusCode> {
    state.app.delete_homework(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs a done time: 201 when new, 200 with the same stored log on a retry.
pub async fn log(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<HomeworkId>,
    ApiJson(input): ApiJson<HomeworkLogInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (l, written) = state.app.log_homework(&actor, id, input).await?;
    Ok(created(written, l))
}

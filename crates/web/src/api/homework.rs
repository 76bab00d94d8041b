//! `/api/v1/homework`: list with log and progress, create (idempotent on `client_id`),
//! change, delete, and log a done time (idempotent on the log's `client_id`).

use app::HomeworkStatus;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::homework::{Homework, HomeworkEditInput, HomeworkInput, HomeworkLogInput};
use serde::Deserialize;
use serde_json::json;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use super::requests::{ItemId, bad_query, client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

fn homework(h: &Homework) -> serde_json::Value {
    serde_json::to_value(h).unwrap_or_else(|_| json!({ "id": h.id }))
}

fn status(s: &HomeworkStatus) -> serde_json::Value {
    let mut v = homework(&s.homework);
    v["log"] = serde_json::to_value(&s.log).unwrap_or_default();
    v["progress"] = serde_json::to_value(&s.progress).unwrap_or_default();
    v
}

/// `?include=finished` lists finished homework too.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    include: Option<String>,
}

/// The homework, oldest first, each with its log and progress: `{"homework": [...]}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_query();
    };
    let include_finished = match q.include.as_deref() {
        None | Some("") => false,
        Some("finished") => true,
        Some(_) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "invalid",
                "include is \"finished\" or absent.",
                Some("include"),
            );
        }
    };
    match state
        .app
        .homework(&actor, include_finished, Utc::now())
        .await
    {
        Ok(all) => {
            Json(json!({ "homework": all.iter().map(status).collect::<Vec<_>>() })).into_response()
        }
        Err(e) => from_app(e),
    }
}

/// Adds homework: 201 when new, 200 with the same stored homework on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<HomeworkInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.add_homework(&actor, input).await {
        Ok((h, written)) => created(written, homework(&h)),
        Err(e) => from_app(e),
    }
}

/// Changes the text, due date (`""` clears it), frequency, or `finished`.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
    ApiJson(input): ApiJson<HomeworkEditInput>,
) -> Response {
    match state.app.edit_homework(&actor, id, input).await {
        Ok(h) => Json(homework(&h)).into_response(),
        Err(e) => from_app(e),
    }
}

/// Removes homework and its log: 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
) -> Response {
    match state.app.delete_homework(&actor, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_app(e),
    }
}

/// Logs a done time: 201 when new, 200 with the same stored log on a retry.
pub async fn log(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
    ApiJson(input): ApiJson<HomeworkLogInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.log_homework(&actor, id, input).await {
        Ok((l, written)) => created(
            written,
            serde_json::to_value(&l).unwrap_or_else(|_| json!({ "id": l.id })),
        ),
        Err(e) => from_app(e),
    }
}

//! `/api/v1/agenda`: the open topics in order (and the discussed ones when asked), create
//! (idempotent on `client_id`), mark discussed or move, and delete.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::order::Move;
use domain::therapy::AgendaItem;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use super::requests::{ItemId, bad_query, client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

fn item(i: &AgendaItem) -> serde_json::Value {
    serde_json::to_value(i).unwrap_or_else(|_| json!({ "id": i.id }))
}

/// `?include=discussed` lists the discussed topics too.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    include: Option<String>,
}

/// The agenda in the person's order: `{"items": [...]}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_query();
    };
    let include_discussed = match q.include.as_deref() {
        None | Some("") => false,
        Some("discussed") => true,
        Some(_) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "invalid",
                "include is \"discussed\" or absent.",
                Some("include"),
            );
        }
    };
    match state.app.agenda(&actor, include_discussed).await {
        Ok(items) => {
            Json(json!({ "items": items.iter().map(item).collect::<Vec<_>>() })).into_response()
        }
        Err(e) => from_app(e),
    }
}

/// A topic to add.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicInput {
    #[serde(default)]
    client_id: Option<Uuid>,
    #[serde(default)]
    text: String,
}

/// Adds a topic: 201 when new, 200 with the same stored topic on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<TopicInput>,
) -> Response {
    let Some(client_id) = input.client_id else {
        return client_id_required();
    };
    match state
        .app
        .add_agenda_topic(&actor, client_id, &input.text)
        .await
    {
        Ok((i, written)) => created(written, item(&i)),
        Err(e) => from_app(e),
    }
}

/// What to change about a topic.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicChange {
    #[serde(default)]
    discussed: Option<bool>,
    #[serde(default, rename = "move")]
    direction: Option<String>,
}

/// Marks a topic discussed (or open again) and/or moves it one place `"up"` or `"down"`.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
    ApiJson(change): ApiJson<TopicChange>,
) -> Response {
    let direction = match change.direction.as_deref() {
        None => None,
        Some("up") => Some(Move::Up),
        Some("down") => Some(Move::Down),
        Some(_) => {
            return json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "move is \"up\" or \"down\".",
                Some("move"),
            );
        }
    };
    let discussed = match change.discussed {
        Some(d) => state.app.set_agenda_discussed(&actor, id, d).await,
        None => Ok(()),
    };
    let moved = match (discussed, direction) {
        (Ok(()), Some(d)) => state.app.move_agenda_item(&actor, id, d).await,
        (result, _) => result,
    };
    if let Err(e) = moved {
        return from_app(e);
    }
    match state.app.agenda(&actor, true).await {
        Ok(items) => match items.iter().find(|i| i.id == id) {
            Some(i) => Json(item(i)).into_response(),
            None => from_app(app::AppError::NotFound),
        },
        Err(e) => from_app(e),
    }
}

/// Removes a topic: 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
) -> Response {
    match state.app.delete_agenda_item(&actor, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_app(e),
    }
}

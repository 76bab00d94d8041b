//! `/api/v1/agenda`: the open topics in order (and the discussed ones when asked), create
//! (idempotent on `client_id`), mark discussed or move, and delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::order::Move;
use domain::therapy::{AgendaItem, AgendaItemId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{IncludeQuery, ItemId, QueryOf, created, include, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// `{"items": [...]}`.
#[derive(Serialize)]
pub struct AgendaList {
    items: Vec<AgendaItem>,
}

/// The agenda in the person's order: `{"items": [...]}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    q: QueryOf<IncludeQuery>,
) -> ApiResult<Json<AgendaList>> {
    // `?include=discussed` lists the discussed topics too.
    let include_discussed = include(q, "discussed", "include is \"discussed\" or absent.")?;
    let items = state.app.agenda(&actor, include_discussed).await?;
    Ok(Json(AgendaList { items }))
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
) -> ApiResult {
    let client_id = require_client_id(input.client_id)?;
    let (i, written) = state
        .app
        .add_agenda_topic(&actor, client_id, &input.text)
        .await?;
    Ok(created(written, i))
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
    ItemId(id): ItemId<AgendaItemId>,
    ApiJson(change): ApiJson<TopicChange>,
) -> ApiResult<Json<AgendaItem>> {
    let direction = match change.direction.as_deref() {
        None => None,
        Some("up") => Some(Move::Up),
        Some("down") => Some(Move::Down),
        Some(_) => {
            return Err(ApiError::request(
                StatusCode::UNPROCESSABLE_ENTITY,
                "move is \"up\" or \"down\".",
                Some("move"),
            ));
        }
    };
    if let Some(d) = change.discussed {
        state.app.set_agenda_discussed(&actor, id, d).await?;
    }
    if let Some(d) = direction {
        state.app.move_agenda_item(&actor, id, d).await?;
    }
    let items = state.app.agenda(&actor, true).await?;
    let item = items.into_iter().find(|i| i.id == id);
    Ok(Json(item.ok_or(app::AppError::NotFound)?))
}

/// Removes a topic: 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<AgendaItemId>,
) -> ApiResult<StatusCode> {
    state.app.delete_agenda_item(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

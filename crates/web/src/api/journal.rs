//! `/api/v1/journal`: list a page (newest first), create (idempotent on `client_id`), search
//! (a POST, so the words never sit in an address), read, change and delete one entry.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::journal::{JournalCursor, JournalPage};
use domain::journal::{JournalEdit, JournalEntry, JournalFilter, JournalInput};
use serde::Deserialize;
use serde_json::json;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use super::requests::{ItemId, bad_query, client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

fn entry(e: &JournalEntry) -> serde_json::Value {
    serde_json::to_value(e).unwrap_or_else(|_| json!({ "id": e.id }))
}

fn page_json(p: &JournalPage) -> serde_json::Value {
    json!({
        "entries": p.entries.iter().map(entry).collect::<Vec<_>>(),
        "next": p.next.map(JournalCursor::to_param),
    })
}

/// Which page to list.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// A listing parameter that did not parse: its name and what to send instead.
type BadParam = (&'static str, &'static str);

/// The filter and cursor of a listing.
fn parse_list(
    show: Option<&str>,
    before: Option<&str>,
) -> Result<(JournalFilter, Option<JournalCursor>), BadParam> {
    let filter = JournalFilter::parse(show.unwrap_or("")).ok_or((
        "show",
        "show is \"all\", \"bring_to_session\" or \"parked\".",
    ))?;
    let before = match before.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            JournalCursor::parse(s)
                .ok_or(("before", "before is the \"next\" value of a previous page."))?,
        ),
    };
    Ok((filter, before))
}

fn bad_param((field, message): BadParam) -> Response {
    json_error(StatusCode::BAD_REQUEST, "invalid", message, Some(field))
}

/// A page of entries, newest first: `{"entries": [...], "next": cursor or null}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_query();
    };
    let (filter, before) = match parse_list(q.show.as_deref(), q.before.as_deref()) {
        Ok(v) => v,
        Err(bad) => return bad_param(bad),
    };
    match state.app.journal_page(&actor, filter, None, before).await {
        Ok(p) => Json(page_json(&p)).into_response(),
        Err(e) => from_app(e),
    }
}

/// Stores an entry: 201 when new, 200 with the same stored entry on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<JournalInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.write_journal_entry(&actor, input).await {
        Ok((e, written)) => created(written, entry(&e)),
        Err(e) => from_app(e),
    }
}

/// A search, sent as a body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    q: String,
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// Entries containing the words, newest first, a page at a time.
pub async fn search(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<SearchInput>,
) -> Response {
    let (filter, before) = match parse_list(input.show.as_deref(), input.before.as_deref()) {
        Ok(v) => v,
        Err(bad) => return bad_param(bad),
    };
    match state
        .app
        .journal_page(&actor, filter, Some(&input.q), before)
        .await
    {
        Ok(p) => Json(page_json(&p)).into_response(),
        Err(e) => from_app(e),
    }
}

/// One entry.
pub async fn show(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
) -> Response {
    match state.app.journal_entry(&actor, id).await {
        Ok(e) => Json(entry(&e)).into_response(),
        Err(e) => from_app(e),
    }
}

/// Changes an entry's text or flags; the agenda follows the "bring" flag.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
    ApiJson(edit): ApiJson<JournalEdit>,
) -> Response {
    match state.app.edit_journal_entry(&actor, id, edit).await {
        Ok(e) => Json(entry(&e)).into_response(),
        Err(e) => from_app(e),
    }
}

/// Deletes an entry (and its agenda topic): 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId,
) -> Response {
    match state.app.delete_journal_entry(&actor, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => from_app(e),
    }
}

//! `/api/v1/journal`: list a page (newest first), create (idempotent on `client_id`), search
//! (a POST, so the words never sit in an address), read, change and delete one entry.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::journal::{
    JournalCursor, JournalEdit, JournalEntry, JournalEntryId, JournalFilter, JournalInput,
    JournalPage,
};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{ItemId, QueryOf, created, query, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// A page of entries: `{"entries": [...], "next": cursor or null}`.
#[derive(Serialize)]
pub struct PageView {
    entries: Vec<JournalEntry>,
    next: Option<String>,
}

impl From<JournalPage> for PageView {
    fn from(p: JournalPage) -> Self {
        PageView {
            entries: p.entries,
            next: p.next.map(JournalCursor::to_param),
        }
    }
}

/// Which page to list.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// The filter and cursor of a listing.
fn parse_list(
    show: Option<&str>,
    before: Option<&str>,
) -> Result<(JournalFilter, Option<JournalCursor>), ApiError> {
    let bad = |message, field| ApiError::request(StatusCode::BAD_REQUEST, message, Some(field));
    let filter = JournalFilter::parse(show.unwrap_or("")).ok_or_else(|| {
        bad(
            "show is \"all\", \"bring_to_session\" or \"parked\".",
            "show",
        )
    })?;
    let before = match before.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            JournalCursor::parse(s)
                .ok_or_else(|| bad("before is the \"next\" value of a previous page.", "before"))?,
        ),
    };
    Ok((filter, before))
}

/// A page of entries, newest first: `{"entries": [...], "next": cursor or null}`.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    q: QueryOf<ListQuery>,
) -> ApiResult<Json<PageView>> {
    let q = query(q)?;
    let (filter, before) = parse_list(q.show.as_deref(), q.before.as_deref())?;
    let page = state.app.journal_page(&actor, filter, None, before).await?;
    Ok(Json(page.into()))
}

/// Stores an entry: 201 when new, 200 with the same stored entry on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<JournalInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (e, written) = state.app.write_journal_entry(&actor, input).await?;
    Ok(created(written, e))
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
) -> ApiResult<Json<PageView>> {
    let (filter, before) = parse_list(input.show.as_deref(), input.before.as_deref())?;
    let page = state
        .app
        .journal_page(&actor, filter, Some(&input.q), before)
        .await?;
    Ok(Json(page.into()))
}

/// One entry.
pub async fn show(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<JournalEntryId>,
) -> ApiResult<Json<JournalEntry>> {
    Ok(Json(state.app.journal_entry(&actor, id).await?))
}

/// Changes an entry's text or flags; the agenda follows the "bring" flag.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<JournalEntryId>,
    ApiJson(edit): ApiJson<JournalEdit>,
) -> ApiResult<Json<JournalEntry>> {
    Ok(Json(state.app.edit_journal_entry(&actor, id, edit).await?))
}

/// Deletes an entry (and its agenda topic): 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<JournalEntryId>,
) -> ApiResult<StatusCode> {
    state.app.delete_journal_entry(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

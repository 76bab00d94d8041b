//! `/api/v1/thought-records`: list a page (newest first), create (idempotent on
//! `client_id`), search (a POST, so the words never sit in an address), read, change and
//! delete one record.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::thought_record::{
    RecordCursor, RecordFilter, RecordPage, ThoughtRecord, ThoughtRecordEdit, ThoughtRecordId,
    ThoughtRecordInput,
};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{ItemId, QueryOf, created, query, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// A page of records: `{"thought_records": [...], "next": cursor or null}`.
#[derive(Serialize)]
pub struct PageView {
    thought_records: Vec<ThoughtRecord>,
    next: Option<String>,
}

impl From<RecordPage> for PageView {
    fn from(p: RecordPage) -> Self {
        PageView {
            thought_records: p.records,
            next: p.next.map(RecordCursor::to_param),
        }
    }
}

/// Which page to list.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// The filter and cursor of a listing.
fn parse_list(
    status: Option<&str>,
    before: Option<&str>,
) -> Result<(RecordFilter, Option<RecordCursor>), ApiError> {
    let bad = |message, field| ApiError::request(StatusCode::BAD_REQUEST, message, Some(field));
    let filter = match status.map(str::trim).unwrap_or("") {
        "" | "all" => RecordFilter::All,
        "done" => RecordFilter::Done,
        "draft" => RecordFilter::Drafts,
        _ => return Err(bad("status is \"all\", \"done\" or \"draft\".", "status")),
    };
    let before = match before.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            RecordCursor::parse(s)
                .ok_or_else(|| bad("before is the \"next\" value of a previous page.", "before"))?,
        ),
    };
    Ok((filter, before))
}

/// A page of records, newest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    q: QueryOf<ListQuery>,
) -> ApiResult<Json<PageView>> {
    let q = query(q)?;
    let (filter, before) = parse_list(q.status.as_deref(), q.before.as_deref())?;
    let page = state
        .app
        .thought_record_page(&actor, filter, None, before)
        .await?;
    Ok(Json(page.into()))
}

/// Stores a record: 201 when new, 200 with the same stored record on a retry, 409 for the
/// same client id with other content.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ThoughtRecordInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (r, written) = state.app.write_thought_record(&actor, input).await?;
    Ok(created(written, r))
}

/// A search, sent as a body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    q: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

/// Records containing the words, newest first, a page at a time.
pub async fn search(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<SearchInput>,
) -> ApiResult<Json<PageView>> {
    let (filter, before) = parse_list(input.status.as_deref(), input.before.as_deref())?;
    let page = state
        .app
        .thought_record_page(&actor, filter, Some(&input.q), before)
        .await?;
    Ok(Json(page.into()))
}

/// One record.
pub async fn show(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<ThoughtRecordId>,
) -> ApiResult<Json<ThoughtRecord>> {
    Ok(Json(state.app.thought_record(&actor, id).await?))
}

/// Changes the parts sent; the agenda follows `bring_to_session`, the use the ratings.
pub async fn update(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<ThoughtRecordId>,
    ApiJson(edit): ApiJson<ThoughtRecordEdit>,
) -> ApiResult<Json<ThoughtRecord>> {
    Ok(Json(state.app.edit_thought_record(&actor, id, edit).await?))
}

/// Deletes a record (and its agenda topic and use): 204.
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<ThoughtRecordId>,
) -> ApiResult<StatusCode> {
    state.app.delete_thought_record(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

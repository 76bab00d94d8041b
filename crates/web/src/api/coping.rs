//! `POST /api/v1/coping-uses` (idempotent on `client_id`), `GET /api/v1/coping-uses`, and
//! `GET /api/v1/coping-tools`: the catalogue with what works for this person.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use domain::coping::{
    CopingUse, CopingUseInput, Group, Kind, Step, Tool, ToolId, ToolStats, catalogue,
};
use serde::Serialize;

use super::error::ApiResult;
use super::json::ApiJson;
use super::requests::{QueryOf, Range, created, query, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// `{"coping_uses": [...]}`.
#[derive(Serialize)]
pub struct CopingUseList {
    coping_uses: Vec<CopingUse>,
}

/// One tool of the catalogue with this person's numbers for it.
#[derive(Serialize)]
pub struct ToolView<'a> {
    about: &'static str,
    group: Group,
    guide: Kind,
    id: ToolId,
    name: &'static str,
    rounds: u8,
    seconds: u32,
    stats: Option<&'a ToolStats>,
    steps: &'static [Step],
    summary: &'static str,
}

impl<'a> ToolView<'a> {
    fn of(t: &Tool, stats: &'a [ToolStats]) -> ToolView<'a> {
        ToolView {
            about: t.about,
            group: t.group,
            guide: t.kind,
            id: t.id,
            name: t.name,
            rounds: t.default_rounds(),
            seconds: t.total_seconds(),
            stats: stats.iter().find(|s| s.tool == t.id),
            steps: t.steps,
            summary: t.summary,
        }
    }
}

/// `{"ranked": [...], "tools": [...]}`.
#[derive(Serialize)]
pub struct Tools<'a> {
    ranked: Vec<ToolId>,
    tools: Vec<ToolView<'a>>,
}

/// Stores a use of a tool: 201 when new, 200 with the same stored use on a retry.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CopingUseInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (u, written) = state.app.record_coping_use(&actor, input).await?;
    Ok(created(written, u))
}

/// The account's uses by start time, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    range: QueryOf<Range>,
) -> ApiResult<Json<CopingUseList>> {
    let (from, to) = query(range)?.bounds()?;
    let coping_uses = state.app.coping_uses(&actor, from, to).await?;
    Ok(Json(CopingUseList { coping_uses }))
}

/// Every tool with its steps, this person's numbers for it, and the ranked tools best first,
/// so an app can guide the exercises offline.
pub async fn tools(State(state): State<AppState>, ApiUser(actor): ApiUser) -> ApiResult {
    let stats = state.app.coping_stats(&actor).await?;
    let ranked = state.app.ranked_tools(&actor).await?;
    let body = Tools {
        ranked: ranked.iter().map(|s| s.tool).collect(),
        tools: catalogue().map(|t| ToolView::of(t, &stats)).collect(),
    };
    // Answered here: the views borrow this person's numbers.
    Ok(Json(body).into_response())
}

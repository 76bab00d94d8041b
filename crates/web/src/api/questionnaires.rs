//! `POST /api/v1/questionnaires` (idempotent on `client_id`) and `GET /api/v1/questionnaires`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::questionnaire::{Instrument, QuestionnaireInput, QuestionnaireView};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{QueryOf, created, query, require_client_id};
use crate::AppState;
use crate::session::ApiUser;

/// Stores a questionnaire: 201 with its score when new, 200 with the same stored one on a
/// retry. A PHQ-9 with item 9 above 0 carries `"show_crisis_path": true`.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<QuestionnaireInput>,
) -> ApiResult {
    require_client_id(input.client_id)?;
    let (q, written) = state.app.record_questionnaire(&actor, input).await?;
    Ok(created(written, QuestionnaireView::from(&q)))
}

/// `{"questionnaires": [...]}`.
#[derive(Serialize)]
pub struct QuestionnaireList {
    questionnaires: Vec<QuestionnaireView>,
}

/// Which questionnaires to list.
#[derive(Deserialize)]
pub struct Filter {
    #[serde(default)]
    instrument: Option<String>,
    #[serde(default)]
    from: Option<String>,
}

/// The account's questionnaires with their scores, oldest first; `?instrument=phq9|gad7`
/// and `?from=` (RFC 3339, inclusive) narrow the list.
pub async fn list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    filter: QueryOf<Filter>,
) -> ApiResult<Json<QuestionnaireList>> {
    let filter = query(filter)?;
    let instrument = match filter.instrument.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => match Instrument::parse(code) {
            Some(i) => Some(i),
            None => {
                return Err(ApiError::request(
                    StatusCode::BAD_REQUEST,
                    "instrument must be \"phq9\" or \"gad7\".",
                    Some("instrument"),
                ));
            }
        },
    };
    let from = match filter
        .from
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => return Err(super::requests::bad_time("from")),
        },
    };
    let list = state.app.questionnaires(&actor, instrument, from).await?;
    Ok(Json(QuestionnaireList {
        questionnaires: list.iter().map(QuestionnaireView::from).collect(),
    }))
}

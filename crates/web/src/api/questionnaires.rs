//! `POST /api/v1/questionnaires` (idempotent on `client_id`) and `GET /api/v1/questionnaires`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::questionnaire::{Instrument, QuestionnaireInput, QuestionnaireView};
use serde::Deserialize;
use serde_json::json;

use super::error::{from_app, json as json_error};
use super::json::ApiJson;
use super::requests::{client_id_required, created};
use crate::AppState;
use crate::session::ApiUser;

/// Stores a questionnaire: 201 with its score when new, 200 with the same stored one on a
/// retry. A PHQ-9 with item 9 above 0 carries `"show_crisis_path": true`.
pub async fn create(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<QuestionnaireInput>,
) -> Response {
    if input.client_id.is_none() {
        return client_id_required();
    }
    match state.app.record_questionnaire(&actor, input).await {
        Ok((q, written)) => created(written, json!(QuestionnaireView::from(&q))),
        Err(e) => from_app(e),
    }
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
    filter: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(filter)) = filter else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The query string is not valid.",
            None,
        );
    };
    let instrument = match filter.instrument.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => match Instrument::parse(code) {
            Some(i) => Some(i),
            None => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "invalid",
                    "instrument must be \"phq9\" or \"gad7\".",
                    Some("instrument"),
                );
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
            Err(_) => {
                return json_error(
                    StatusCode::BAD_REQUEST,
                    "invalid",
                    "Use an RFC 3339 time such as 2026-11-24T09:00:00Z.",
                    Some("from"),
                );
            }
        },
    };
    match state.app.questionnaires(&actor, instrument, from).await {
        Ok(list) => {
            let items: Vec<QuestionnaireView> = list.iter().map(QuestionnaireView::from).collect();
            Json(json!({ "questionnaires": items })).into_response()
        }
        Err(e) => from_app(e),
    }
}

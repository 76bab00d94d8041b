//! What a therapist reads over the API: the caseload, and one client's shared data by
//! scope. Every handler goes through the app's gate, which answers 404 for a grant that is
//! not this therapist's live grant, 403 `not_shared` for a scope the client keeps, and
//! appends the client's audit row before anything is read.

use app::{CaseloadEntry, OpenClient};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::guidance::{Level, Reason};
use domain::sharing::{GrantId, Scope, Scopes};
use serde::Serialize;

use super::error::ApiResult;
use super::requests::{ItemId, QueryOf, Range, query};
use crate::AppState;
use crate::session::ApiUser;

/// The caseload's route, as audit rows name it.
pub const CASELOAD_ENDPOINT: &str = "/api/v1/therapist/clients";

/// `{"clients": [...]}`, most urgent first.
#[derive(Serialize)]
pub struct Caseload {
    clients: Vec<CaseloadClient>,
}

/// One client on the caseload; see docs/caseload.md for each field.
#[derive(Serialize)]
pub struct CaseloadClient {
    id: GrantId,
    display_name: String,
    scopes: Scopes,
    level: Option<Level>,
    level_since: Option<DateTime<Utc>>,
    reasons: Option<Vec<ReasonView>>,
    last_checkin_at: Option<DateTime<Utc>>,
    next_session_at: Option<DateTime<Utc>>,
    mood_since_last_session: Option<MoodView>,
}

/// A reason's code with what it says, in the therapist's words.
#[derive(Serialize)]
pub struct ReasonView {
    code: &'static str,
    summary: String,
}

/// `{"since", "average", "checkins", "usual"}`.
#[derive(Serialize)]
pub struct MoodView {
    since: DateTime<Utc>,
    average: Option<f64>,
    checkins: i64,
    usual: Option<f64>,
}

impl From<CaseloadEntry> for CaseloadClient {
    fn from(e: CaseloadEntry) -> Self {
        let checkins = e.scopes.contains(Scope::Checkins);
        CaseloadClient {
            id: e.id,
            display_name: e.display_name,
            scopes: e.scopes,
            level: e.guidance.as_ref().map(|g| g.level),
            level_since: e.guidance.as_ref().map(|g| g.since),
            // Shared but not assessed yet is an empty list; not shared is null.
            reasons: checkins.then(|| {
                e.guidance
                    .iter()
                    .flat_map(|g| g.reasons.iter())
                    .map(|r| ReasonView {
                        code: r.code(),
                        summary: r.summary_for_therapist(),
                    })
                    .collect()
            }),
            last_checkin_at: e.last_checkin_at,
            next_session_at: e.next_session_at,
            mood_since_last_session: e.mood_since_last_session.map(|m| MoodView {
                since: m.since,
                average: m.average,
                checkins: m.checkins,
                usual: m.usual,
            }),
        }
    }
}

/// `GET /api/v1/therapist/clients`: the caseload.
pub async fn caseload(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Caseload>> {
    let entries = state
        .app
        .caseload(&actor, Utc::now(), CASELOAD_ENDPOINT)
        .await?;
    Ok(Json(Caseload {
        clients: entries.into_iter().map(CaseloadClient::from).collect(),
    }))
}

/// Opens the client for one scope's read, with the audit row naming the route.
async fn open(
    state: &AppState,
    actor: &app::Actor,
    id: GrantId,
    scope: Scope,
    endpoint: &str,
) -> Result<OpenClient, app::AppError> {
    state
        .app
        .open_client(actor, id, Some(scope), scope.code(), endpoint)
        .await
}

/// `{"checkins": [...]}`, as the client's own `GET /api/v1/checkins`.
#[derive(Serialize)]
pub struct CheckInList {
    checkins: Vec<domain::checkin::CheckIn>,
}

/// `GET /api/v1/therapist/clients/{id}/checkins` (scope `checkins`), `?from=&to=` as the
/// client's own list.
pub async fn checkins(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
    range: QueryOf<Range>,
) -> ApiResult<Json<CheckInList>> {
    let (from, to) = query(range)?.bounds()?;
    let open = open(
        &state,
        &actor,
        id,
        Scope::Checkins,
        "/api/v1/therapist/clients/{id}/checkins",
    )
    .await?;
    let checkins = state.app.client_checkins(&open, from, to).await?;
    Ok(Json(CheckInList { checkins }))
}

/// `{"level", "reasons", "changes": [{"at", "level", "reasons"}]}`: today's guidance as the
/// client's own `GET /api/v1/guidance` gives it, and every change of level since `from`.
#[derive(Serialize)]
pub struct GuidanceView {
    level: Level,
    reasons: Vec<Reason>,
    changes: Vec<ChangeView>,
}

/// One change of level.
#[derive(Serialize)]
pub struct ChangeView {
    at: DateTime<Utc>,
    level: Level,
    reasons: Vec<Reason>,
}

/// `GET /api/v1/therapist/clients/{id}/guidance` (scope `checkins`), `?from=` narrowing
/// the changes listed.
pub async fn guidance(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
    range: QueryOf<Range>,
) -> ApiResult<Json<GuidanceView>> {
    let (from, _) = query(range)?.bounds()?;
    let open = open(
        &state,
        &actor,
        id,
        Scope::Checkins,
        "/api/v1/therapist/clients/{id}/guidance",
    )
    .await?;
    let g = state.app.client_guidance(&open, from, Utc::now()).await?;
    Ok(Json(GuidanceView {
        level: g.now.level,
        reasons: g.now.reasons,
        changes: g
            .changes
            .into_iter()
            .map(|c| ChangeView {
                at: c.at,
                level: c.level,
                reasons: c.reasons,
            })
            .collect(),
    }))
}

/// `{"questionnaires": [...], "trends": [...]}`: the list as the client's own
/// `GET /api/v1/questionnaires` gives it, and per instrument the change from the first total
/// to the latest with its reliable-change category.
#[derive(Serialize)]
pub struct QuestionnairesView {
    questionnaires: Vec<domain::questionnaire::QuestionnaireView>,
    trends: Vec<TrendView>,
}

/// One instrument's trend.
#[derive(Serialize)]
pub struct TrendView {
    instrument: domain::questionnaire::Instrument,
    first_total: Option<u8>,
    latest_total: Option<u8>,
    change: Option<i16>,
    category: Option<domain::questionnaire::ChangeCategory>,
    category_label: Option<&'static str>,
}

/// `GET /api/v1/therapist/clients/{id}/questionnaires` (scope `questionnaires`).
pub async fn questionnaires(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
) -> ApiResult<Json<QuestionnairesView>> {
    let open = open(
        &state,
        &actor,
        id,
        Scope::Questionnaires,
        "/api/v1/therapist/clients/{id}/questionnaires",
    )
    .await?;
    let t = state.app.client_questionnaires(&open, Utc::now()).await?;
    Ok(Json(QuestionnairesView {
        questionnaires: t
            .questionnaires
            .iter()
            .map(domain::questionnaire::QuestionnaireView::from)
            .collect(),
        trends: t
            .trends
            .into_iter()
            .map(|s| TrendView {
                instrument: s.instrument,
                first_total: s.from.map(|(_, t)| t),
                latest_total: s.scores.last().map(|(_, t, _)| *t),
                change: s.change.map(|(c, _)| c),
                category: s.change.map(|(_, c)| c),
                category_label: s.change.map(|(_, c)| c.label()),
            })
            .collect(),
    }))
}

/// `{"next_session", "last_session", "agenda", "homework", "feedback",
/// "session_feedback"}`, each part as the client's own endpoints give it (sessions without
/// the client's private note).
#[derive(Serialize)]
pub struct SessionPrepView {
    next_session: Option<domain::therapy::TherapySession>,
    last_session: Option<domain::therapy::TherapySession>,
    agenda: Vec<domain::therapy::AgendaItem>,
    homework: Vec<super::homework::StatusView>,
    feedback: Vec<domain::feedback::FeedbackNote>,
    session_feedback: Vec<domain::feedback::ReflectionFeedback>,
}

/// `GET /api/v1/therapist/clients/{id}/session-prep` (scope `session_prep`).
pub async fn session_prep(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
) -> ApiResult<Json<SessionPrepView>> {
    let open = open(
        &state,
        &actor,
        id,
        Scope::SessionPrep,
        "/api/v1/therapist/clients/{id}/session-prep",
    )
    .await?;
    let p = state.app.client_session_prep(&open, Utc::now()).await?;
    Ok(Json(SessionPrepView {
        next_session: p.next_session,
        last_session: p.last_session,
        agenda: p.agenda,
        homework: p.homework.into_iter().map(Into::into).collect(),
        feedback: p.feedback,
        session_feedback: p.session_feedback,
    }))
}

/// `{"safety_plan": {"saved_at", "plan"} | null, "backsliding_plan": ... }`.
#[derive(Serialize)]
pub struct PlansView {
    safety_plan: Option<Saved<domain::plans::SafetyPlan>>,
    backsliding_plan: Option<Saved<domain::plans::BackslidingPlan>>,
}

/// A plan's latest version and when it was saved.
#[derive(Serialize)]
pub struct Saved<P> {
    saved_at: DateTime<Utc>,
    plan: P,
}

/// `GET /api/v1/therapist/clients/{id}/plans` (scope `plans`).
pub async fn plans(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
) -> ApiResult<Json<PlansView>> {
    let open = open(
        &state,
        &actor,
        id,
        Scope::Plans,
        "/api/v1/therapist/clients/{id}/plans",
    )
    .await?;
    let p = state.app.client_plans(&open).await?;
    Ok(Json(PlansView {
        safety_plan: p.safety.map(|(saved_at, plan)| Saved { saved_at, plan }),
        backsliding_plan: p
            .backsliding
            .map(|(saved_at, plan)| Saved { saved_at, plan }),
    }))
}

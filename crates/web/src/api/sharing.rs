//! Sharing with a therapist over the API. The client's side, `/api/v1/sharing`: make an
//! invite (its code is in the answer, once), list grants and pending invites, change or
//! revoke a grant, read the audit log. The therapist's side, `POST /api/v1/therapist/clients`:
//! join a client with a code.

use app::{AppError, ClientGrant, GrantInput, InviteInput, Joined, PendingInvite};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::sharing::{GrantId, Scopes};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::json::ApiJson;
use super::requests::{ItemId, QueryOf, query};
use crate::AppState;
use crate::session::ApiUser;

/// `POST /sharing/invites`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    scopes: Vec<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    alerts: bool,
}

/// A pending invite, without its code.
#[derive(Serialize)]
pub struct InviteJson {
    id: String,
    scopes: Scopes,
    display_name: String,
    alerts: bool,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<PendingInvite> for InviteJson {
    fn from(i: PendingInvite) -> Self {
        InviteJson {
            id: i.handle,
            scopes: i.scopes,
            display_name: i.display_name,
            alerts: i.alerts,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// The answer to a new invite: the code, this once.
#[derive(Serialize)]
pub struct CreatedInvite {
    code: String,
    expires_at: DateTime<Utc>,
    invite: InviteJson,
}

/// Makes an invite: 201 with its code.
pub async fn create_invite(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<InviteBody>,
) -> ApiResult {
    let made = state
        .app
        .create_invite(
            &actor,
            InviteInput {
                scopes: body.scopes,
                display_name: body.display_name,
                alerts: body.alerts,
            },
            Utc::now(),
        )
        .await?;
    let body = CreatedInvite {
        code: made.code.grouped(),
        expires_at: made.invite.expires_at,
        invite: made.invite.into(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A therapist as their client sees them.
#[derive(Serialize)]
pub struct TherapistJson {
    name: Option<String>,
    email: String,
}

/// A live grant.
#[derive(Serialize)]
pub struct GrantJson {
    id: GrantId,
    therapist: TherapistJson,
    scopes: Scopes,
    since: DateTime<Utc>,
    alerts: bool,
    display_name: String,
}

impl From<ClientGrant> for GrantJson {
    fn from(g: ClientGrant) -> Self {
        GrantJson {
            id: g.id,
            therapist: TherapistJson {
                name: g.therapist_name,
                email: g.therapist_email,
            },
            scopes: g.scopes,
            since: g.since,
            alerts: g.alerts,
            display_name: g.display_name,
        }
    }
}

/// `GET /sharing`.
#[derive(Serialize)]
pub struct SharingJson {
    grants: Vec<GrantJson>,
    invites: Vec<InviteJson>,
    /// Whether this server sends mail: a grant's `alerts` reach the therapist only then.
    alerts_available: bool,
}

/// The client's live grants and pending invites.
pub async fn overview(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<SharingJson>> {
    let s = state.app.sharing(&actor, Utc::now()).await?;
    Ok(Json(SharingJson {
        grants: s.grants.into_iter().map(GrantJson::from).collect(),
        invites: s.invites.into_iter().map(InviteJson::from).collect(),
        alerts_available: state.app.mail_configured(),
    }))
}

/// `PATCH /sharing/{id}`: any of the three.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    alerts: Option<bool>,
    #[serde(default)]
    display_name: Option<String>,
}

/// Changes a grant: 200 with it, 404 when the client has no such live grant.
pub async fn change(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
    ApiJson(body): ApiJson<GrantBody>,
) -> ApiResult<Json<GrantJson>> {
    let g = state
        .app
        .change_grant(
            &actor,
            id,
            GrantInput {
                scopes: body.scopes,
                alerts: body.alerts,
                display_name: body.display_name,
            },
        )
        .await?;
    Ok(Json(g.into()))
}

/// Revokes a grant: 204, 404 when the client has no such live grant.
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ItemId(id): ItemId<GrantId>,
) -> ApiResult<StatusCode> {
    state.app.revoke_grant(&actor, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?page=N` of the audit log, from 0.
#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    page: u32,
}

/// One therapist read or action.
#[derive(Serialize)]
pub struct ReadJson {
    at: DateTime<Utc>,
    therapist: String,
    what: String,
    kind: domain::sharing::AuditKind,
    endpoint: String,
}

/// `GET /sharing/audit`.
#[derive(Serialize)]
pub struct AuditJson {
    reads: Vec<ReadJson>,
}

/// The client's audit log, newest first, a page at a time.
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    q: QueryOf<AuditQuery>,
) -> ApiResult<Json<AuditJson>> {
    let page = query(q)?.page;
    let rows = state.app.sharing_audit(&actor, page).await?;
    Ok(Json(AuditJson {
        reads: rows
            .into_iter()
            .map(|r| ReadJson {
                at: r.at,
                therapist: r.therapist_name,
                what: r.what,
                kind: r.kind,
                endpoint: r.endpoint,
            })
            .collect(),
    }))
}

/// `POST /therapist/clients`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    code: String,
}

/// The client a therapist just joined.
#[derive(Serialize)]
pub struct JoinedClient {
    id: GrantId,
    display_name: String,
    scopes: Scopes,
}

/// `{"client": …}`.
#[derive(Serialize)]
pub struct JoinedJson {
    client: JoinedClient,
}

/// What a code that does not work is told: nothing about why, so nothing about any client.
const CODE_DID_NOT_WORK: &str = "That code didn't work: it may have been used already, have \
     expired, or have a typing mistake. Ask your client for a new code if it keeps failing.";

/// A therapist joins a client: 201, or 404 for a code that is unknown, used or expired.
pub async fn join(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<JoinBody>,
) -> Result<Response, ApiError> {
    match state.app.join_client(&actor, &body.code, Utc::now()).await {
        Ok(Joined {
            grant,
            display_name,
            scopes,
            ..
        }) => Ok((
            StatusCode::CREATED,
            Json(JoinedJson {
                client: JoinedClient {
                    id: grant,
                    display_name,
                    scopes,
                },
            }),
        )
            .into_response()),
        Err(AppError::NotFound) => Err(ApiError::request(
            StatusCode::NOT_FOUND,
            CODE_DID_NOT_WORK,
            Some("code"),
        )),
        Err(e) => Err(e.into()),
    }
}

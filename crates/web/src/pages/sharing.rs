//! Settings → Sharing: invite a therapist (the code shown once, large, for reading aloud),
//! see who sees what and change it, stop sharing after a confirmation, cancel a pending
//! invite, and read who looked at what. And the therapist's join page, `/therapist/join`,
//! with one field for the code.

use app::{AppError, ClientGrant, GrantInput, InviteInput, PendingInvite};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::account::Role;
use domain::checkin::FieldError;
use domain::sharing::{AuditKind, GrantId, Scope, Scopes};
use serde::Deserialize;

use super::errors::{PageResult, changed, found, go};
use super::{Choice, DoneQuery, TokenForm, message_for, render};
use crate::AppState;
use crate::form::{CheckedForm, ReshownForm};
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// The notices after a redirect, by `?done=`.
const NOTICES: [(&str, &str); 3] = [
    (
        "saved",
        "Saved. Your therapist sees only what is ticked, from now on.",
    ),
    (
        "stopped",
        "Sharing has stopped. That therapist can no longer see anything of yours.",
    ),
    (
        "cancelled",
        "The invite is cancelled. Its code no longer works.",
    ),
];

/// A day in words: "3 March 2027".
fn day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y").to_string()
}

/// The four scopes as checkboxes, ticked as in `ticked`.
fn scope_choices(ticked: Scopes) -> Vec<Choice> {
    Scope::ALL
        .iter()
        .map(|s| Choice::new(s.code(), s.label(), ticked.contains(*s)))
        .collect()
}

/// The scope codes ticked in a form, as far as they are scopes (the use-case checks them).
fn ticked(codes: &[String]) -> Scopes {
    codes.iter().filter_map(|c| Scope::parse(c)).collect()
}

/// What a scope is, in a sentence about someone looking at it.
fn scope_phrase(code: &str) -> String {
    match Scope::parse(code) {
        Some(Scope::Checkins) => "your check-ins".into(),
        Some(Scope::Questionnaires) => "your questionnaire results".into(),
        Some(Scope::SessionPrep) => "your session preparation".into(),
        Some(Scope::Plans) => "your safety and backsliding plans".into(),
        // Reads that are not one scope: the caseload's line about the client, and the
        // sensitivity page. "your caseload" or "your sensitivity" would say something else.
        None if code == "caseload" => "how things look for you, on their list of clients".into(),
        None if code == app::AUDIT_SENSITIVITY => {
            "how readily the app suggests reaching out".into()
        }
        None => format!("your {}", code.replace(['_', '-'], " ")),
    }
}

/// What a therapist did, in words.
fn action_phrase(what: &str) -> String {
    match what {
        "homework" => "gave you homework".into(),
        "sensitivity" => "changed how readily the app suggests reaching out".into(),
        other => other.replace(['_', '-'], " "),
    }
}

/// One therapist in the list, with the form to change what they see.
pub struct GrantView {
    id: GrantId,
    name: String,
    email: String,
    since: String,
    scopes: Vec<Choice>,
    shared: Vec<&'static str>,
    alerts: bool,
    display_name: String,
    errors: Vec<FieldError>,
}

impl GrantView {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn therapist_name(g: &ClientGrant) -> String {
    g.therapist_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| g.therapist_email.clone())
}

fn grant_view(g: ClientGrant, tz: Tz) -> GrantView {
    GrantView {
        name: therapist_name(&g),
        email: g.therapist_email,
        since: day(g.since, tz),
        scopes: scope_choices(g.scopes),
        shared: g.scopes.iter().map(Scope::label).collect(),
        alerts: g.alerts,
        display_name: g.display_name,
        errors: Vec::new(),
        id: g.id,
    }
}

/// A pending invite in the list.
pub struct InviteView {
    handle: String,
    made: String,
    expires: String,
    shared: Vec<&'static str>,
    display_name: String,
}

fn invite_view(i: PendingInvite, tz: Tz, now: DateTime<Utc>) -> InviteView {
    InviteView {
        made: local_time_phrase(i.created_at, tz, now),
        expires: day(i.expires_at, tz),
        shared: i.scopes.iter().map(Scope::label).collect(),
        display_name: i.display_name,
        handle: i.handle,
    }
}

/// One line of "Who looked at what".
pub struct AuditView {
    sentence: String,
    when: String,
}

/// The invite form as typed.
#[derive(Deserialize, Default)]
pub struct InvitePost {
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    alerts: Option<String>,
}

#[derive(Template)]
#[template(path = "sharing.html")]
struct SharingPage {
    layout: Layout,
    notice: Option<&'static str>,
    scopes: Vec<Choice>,
    display_name: String,
    default_name: String,
    alerts: bool,
    /// Whether this server sends mail: alert emails are offered only then.
    mail: bool,
    errors: Vec<FieldError>,
    grants: Vec<GrantView>,
    invites: Vec<InviteView>,
    audit: Vec<AuditView>,
    audit_page: u32,
    more_audit: bool,
}

impl SharingPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// Builds the page: the invite form as given, and the grant `failed` with its own form as
/// typed and what to fix.
async fn page(
    state: &AppState,
    me: &SignedIn,
    form: InvitePost,
    errors: Vec<FieldError>,
    failed: Option<(GrantId, GrantPost, Vec<FieldError>)>,
    notice: Option<&'static str>,
    audit_page: u32,
) -> Result<SharingPage, AppError> {
    let tz = me.actor.account().timezone.tz();
    let now = Utc::now();
    let sharing = state.app.sharing(&me.actor, now).await?;
    let mut grants: Vec<GrantView> = sharing
        .grants
        .into_iter()
        .map(|g| grant_view(g, tz))
        .collect();
    if let Some((id, typed, errors)) = failed
        && let Some(g) = grants.iter_mut().find(|g| g.id == id)
    {
        g.scopes = scope_choices(ticked(&typed.scopes));
        g.alerts = typed.alerts.is_some();
        g.display_name = typed.display_name;
        g.errors = errors;
    }
    let rows = state.app.sharing_audit(&me.actor, audit_page).await?;
    let more_audit = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= app::AUDIT_PAGE_ROWS;
    let audit = rows
        .into_iter()
        .map(|r| AuditView {
            sentence: match r.kind {
                AuditKind::Read => {
                    format!("{} looked at {}", r.therapist_name, scope_phrase(&r.what))
                }
                AuditKind::Action => format!("{} {}", r.therapist_name, action_phrase(&r.what)),
            },
            when: local_time_phrase(r.at, tz, now),
        })
        .collect();
    Ok(SharingPage {
        layout: Layout::signed_in(&me.csrf, "settings"),
        notice,
        scopes: scope_choices(ticked(&form.scopes)),
        display_name: form.display_name,
        default_name: app::App::default_display_name(&me.actor),
        alerts: form.alerts.is_some(),
        mail: state.app.mail_configured(),
        errors,
        grants,
        invites: sharing
            .invites
            .into_iter()
            .map(|i| invite_view(i, tz, now))
            .collect(),
        audit,
        audit_page,
        more_audit,
    })
}

/// `?done=` and `?audit=` (the audit log's page, from 0).
#[derive(Deserialize)]
pub struct SharingQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    audit: u32,
}

/// Refuses a therapist the client side kindly: they have no data of their own to share.
fn client_side_only(me: &SignedIn) -> Option<axum::response::Response> {
    (me.actor.account().role == Role::Therapist).then(|| {
        render(
            StatusCode::FORBIDDEN,
            &Refusal {
                layout: Layout::signed_in(&me.csrf, "settings"),
                heading: "Sharing is for the people you work with",
                message: "This page is where a client invites their therapist. To see a client's \
                          data, ask them for an invite code and enter it on the join page.",
                link: ("/therapist/join", "Join a client with a code"),
            },
        )
    })
}

/// Settings → Sharing.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<SharingQuery>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    let done = DoneQuery { done: q.done };
    let p = page(
        &state,
        &me,
        InvitePost {
            // Check-ins are what most therapists ask for first; the rest is the client's choice.
            scopes: vec![Scope::Checkins.code().to_string()],
            ..InvitePost::default()
        },
        Vec::new(),
        None,
        done.notice(&NOTICES),
        q.audit,
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

#[derive(Template)]
#[template(path = "sharing_code.html")]
struct CodePage {
    layout: Layout,
    code: String,
    expires: String,
    shared: Vec<&'static str>,
    display_name: String,
}

/// Makes an invite and shows its code once, or the form again with what to fix.
pub async fn invite(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<InvitePost>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    if !fresh {
        let errors = crate::form::expired("scopes");
        let p = page(&state, &me, form, errors, None, None, 0).await?;
        return Ok(render(StatusCode::FORBIDDEN, &p));
    }
    let input = InviteInput {
        scopes: form.scopes.clone(),
        display_name: Some(form.display_name.clone()),
        alerts: form.alerts.is_some(),
    };
    match state.app.create_invite(&me.actor, input, Utc::now()).await {
        Ok(made) => {
            let tz = me.actor.account().timezone.tz();
            let p = CodePage {
                layout: Layout::signed_in(&me.csrf, "settings"),
                code: made.code.grouped(),
                expires: day(made.invite.expires_at, tz),
                shared: made.invite.scopes.iter().map(Scope::label).collect(),
                display_name: made.invite.display_name,
            };
            Ok(render(StatusCode::CREATED, &p))
        }
        Err(AppError::Invalid(errors)) => {
            let p = page(&state, &me, form, errors, None, None, 0).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

/// One grant's form as typed.
#[derive(Deserialize, Default)]
pub struct GrantPost {
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    alerts: Option<String>,
}

/// Saves what one therapist sees.
pub async fn save_grant(
    State(state): State<AppState>,
    Path(id): Path<GrantId>,
    CheckedForm { me, form }: CheckedForm<GrantPost>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    let input = GrantInput {
        scopes: Some(form.scopes.clone()),
        // Where no mail is sent the box is not shown, so its absence says nothing: alerts
        // stay as they were (they start again if the server is given mail settings).
        alerts: state.app.mail_configured().then_some(form.alerts.is_some()),
        display_name: Some(form.display_name.clone()),
    };
    match state.app.change_grant(&me.actor, id, input).await {
        Ok(_) => go("/settings/sharing?done=saved"),
        Err(AppError::Invalid(errors)) => {
            let p = page(
                &state,
                &me,
                InvitePost::default(),
                Vec::new(),
                Some((id, form, errors)),
                None,
                0,
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => changed(Err::<(), _>(e), "/settings/sharing"),
    }
}

#[derive(Template)]
#[template(path = "sharing_stop.html")]
struct StopPage {
    layout: Layout,
    grant: GrantView,
}

/// Asks before stopping sharing with a therapist.
pub async fn confirm_stop(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<GrantId>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    let g = found(state.app.grant(&me.actor, id).await)?;
    let p = StopPage {
        layout: Layout::signed_in(&me.csrf, "settings"),
        grant: grant_view(g, me.actor.account().timezone.tz()),
    };
    Ok(render(StatusCode::OK, &p))
}

/// Stops sharing at once.
pub async fn stop(
    State(state): State<AppState>,
    Path(id): Path<GrantId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    changed(
        state.app.revoke_grant(&me.actor, id, Utc::now()).await,
        "/settings/sharing?done=stopped",
    )
}

/// Cancels a pending invite.
pub async fn cancel_invite(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    if let Some(refused) = client_side_only(&me) {
        return Ok(refused);
    }
    changed(
        state
            .app
            .cancel_invite(&me.actor, &handle, Utc::now())
            .await,
        "/settings/sharing?done=cancelled",
    )
}

#[derive(Template)]
#[template(path = "sharing_refusal.html")]
struct Refusal {
    layout: Layout,
    heading: &'static str,
    message: &'static str,
    /// Where to go instead, and the link's words.
    link: (&'static str, &'static str),
}

#[derive(Template)]
#[template(path = "therapist_join.html")]
struct JoinPage {
    layout: Layout,
    code: String,
    error: Option<String>,
}

/// Refuses the join page to anyone but a therapist, kindly, and sends a therapist who has
/// not turned two-step sign-in on to do that first: joining shows the client's name.
fn therapists_only(me: &SignedIn) -> Option<axum::response::Response> {
    if me.actor.account().role == Role::Therapist && !me.actor.second_factor_ok() {
        return Some(super::two_step::enrol_redirect());
    }
    (me.actor.account().role != Role::Therapist).then(|| {
        render(
            StatusCode::FORBIDDEN,
            &Refusal {
                layout: Layout::for_user(me, "join"),
                heading: "This page is for therapists",
                message: "A therapist enters a client's invite code here. If you want your \
                          therapist to see some of what you keep in Between, you can invite \
                          them from Settings → Sharing.",
                link: ("/settings/sharing", "Go to Sharing"),
            },
        )
    })
}

/// The join page: one field for the code.
pub async fn join_show(me: SignedIn) -> PageResult {
    if let Some(refused) = therapists_only(&me) {
        return Ok(refused);
    }
    let p = JoinPage {
        layout: Layout::for_user(&me, "join"),
        code: String::new(),
        error: None,
    };
    Ok(render(StatusCode::OK, &p))
}

/// The join form as typed.
#[derive(Deserialize, Default)]
pub struct JoinPost {
    #[serde(default)]
    code: String,
}

/// Joins a client and goes to their page; a code that didn't work keeps what was typed.
pub async fn join(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<JoinPost>,
) -> PageResult {
    if let Some(refused) = therapists_only(&me) {
        return Ok(refused);
    }
    let again = |status: StatusCode, error: String, code: String| {
        render(
            status,
            &JoinPage {
                layout: Layout::for_user(&me, "join"),
                code,
                error: Some(error),
            },
        )
    };
    if !fresh {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "This form had expired, so the code was not tried yet. Please try again.".into(),
            form.code,
        ));
    }
    let outcome = state
        .app
        .join_client(&me.actor, &form.code, Utc::now())
        .await;
    match outcome {
        Ok(joined) => go(&format!("/therapist/clients/{}", joined.grant)),
        Err(AppError::NotFound) => Ok(again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That code didn't work. It may have been used already, have expired, or have a \
             typing mistake: please check it with your client, or ask them for a new one."
                .into(),
            form.code,
        )),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let wait = if retry_after_secs < 90 {
                format!("{retry_after_secs} seconds")
            } else {
                format!("{} minutes", retry_after_secs.div_ceil(60))
            };
            let mut r = again(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Several codes in a row didn't work, so please wait {wait} before trying \
                     again. Your client can make a new code at any time if this one is lost."
                ),
                form.code,
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

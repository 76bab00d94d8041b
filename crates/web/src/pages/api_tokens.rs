//! Settings → API tokens: make one with a name and an optional expiry (its secret shown
//! once, on the page that answers the form, never in an address), list them with when they
//! were made, last used and expire, and revoke one after a confirmation.

use app::{ApiToken, AppError, NewApiToken, OFFERED_TOKEN_DAYS};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, changed, found};
use super::{Choice, DoneQuery, TokenForm, message_for, render};
use crate::AppState;
use crate::form::{CheckedForm, ReshownForm};
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// The expiry the form starts with: long enough to be useful, short enough that a
/// forgotten token stops working by itself.
const DEFAULT_EXPIRY: &str = "90";

/// One token in the list.
pub struct TokenView {
    id: String,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    expired: bool,
}

/// A token just made, with its secret, shown this once.
pub struct Created {
    name: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    layout: Layout,
    notice: Option<&'static str>,
    created: Option<Created>,
    tokens: Vec<TokenView>,
    name: String,
    expiries: Vec<Choice>,
    errors: Vec<FieldError>,
    /// A therapist without two-step sign-in, who may not make tokens yet.
    needs_two_step: bool,
}

impl TokensPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// A day in words: "3 March 2027".
fn day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y").to_string()
}

fn token_view(t: ApiToken, tz: Tz, now: DateTime<Utc>) -> TokenView {
    let expired = t.expires_at.is_some_and(|at| at <= now);
    TokenView {
        created: local_time_phrase(t.created_at, tz, now),
        last_used: t
            .last_used_at
            .map_or_else(|| "never".to_string(), |at| local_time_phrase(at, tz, now)),
        expires: match t.expires_at {
            None => "never".to_string(),
            Some(at) if expired => format!("expired on {}", day(at, tz)),
            Some(at) => format!("on {}", day(at, tz)),
        },
        expired,
        id: t.id,
        name: t.name,
    }
}

fn expiry_choices(selected: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = OFFERED_TOKEN_DAYS
        .iter()
        .map(|d| {
            let label = match d {
                365 => "1 year".to_string(),
                d => format!("{d} days"),
            };
            Choice::new(d.to_string(), label, selected == d.to_string())
        })
        .collect();
    choices.push(Choice::new("never", "Never", selected == "never"));
    choices
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    form: TokenPost,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    created: Option<Created>,
) -> Result<TokensPage, AppError> {
    let tz = me.actor.account().timezone.tz();
    let now = Utc::now();
    let tokens = state
        .app
        .api_tokens(&me.actor)
        .await?
        .into_iter()
        .map(|t| token_view(t, tz, now))
        .collect();
    Ok(TokensPage {
        layout: Layout::for_user(me, "settings"),
        notice,
        created,
        tokens,
        name: form.name,
        expiries: expiry_choices(&form.expires),
        errors,
        needs_two_step: me.actor.account().role == domain::account::Role::Therapist
            && !me.actor.second_factor_ok(),
    })
}

/// The "make a token" form as typed.
#[derive(Deserialize)]
pub struct TokenPost {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires: String,
}

impl Default for TokenPost {
    fn default() -> Self {
        TokenPost {
            name: String::new(),
            expires: DEFAULT_EXPIRY.to_string(),
        }
    }
}

/// What `expires` asks for: `Ok(None)` for never.
fn expiry(form: &TokenPost) -> Result<Option<u32>, FieldError> {
    match form.expires.as_str() {
        "never" => Ok(None),
        other => other
            .parse::<u32>()
            .ok()
            .filter(|d| OFFERED_TOKEN_DAYS.contains(d))
            .map(Some)
            .ok_or_else(|| {
                FieldError::new("expires", "Please choose when the token stops working.")
            }),
    }
}

/// The notices after a redirect, by `?done=`.
const NOTICES: [(&str, &str); 1] = [(
    "revoked",
    "The token is revoked. Anything that used it can no longer reach your account.",
)];

/// Lists the tokens, with the form to make one.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let p = page(
        &state,
        &me,
        TokenPost::default(),
        Vec::new(),
        q.notice(&NOTICES),
        None,
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

/// Makes a token and shows its secret once, or the form again with what to fix.
pub async fn create(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<TokenPost>,
) -> PageResult {
    if !fresh {
        let errors = crate::form::expired("name");
        let p = page(&state, &me, form, errors, None, None).await?;
        return Ok(render(StatusCode::FORBIDDEN, &p));
    }
    let days = match expiry(&form) {
        Ok(days) => days,
        Err(e) => {
            let p = page(&state, &me, form, vec![e], None, None).await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    match state.app.create_token(&me.actor, &form.name, days).await {
        Ok(NewApiToken { token, secret }) => {
            let created = Created {
                name: token.name,
                secret,
            };
            let p = page(
                &state,
                &me,
                TokenPost::default(),
                Vec::new(),
                None,
                Some(created),
            )
            .await?;
            Ok(render(StatusCode::CREATED, &p))
        }
        Err(AppError::Invalid(errors)) => {
            let p = page(&state, &me, form, errors, None, None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        // The page says why, and links to turning two-step sign-in on.
        Err(AppError::SecondFactorNeeded) => {
            let p = page(&state, &me, form, Vec::new(), None, None).await?;
            Ok(render(StatusCode::FORBIDDEN, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "api_token_revoke.html")]
struct RevokePage {
    layout: Layout,
    token: TokenView,
}

/// Asks before revoking a token.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let tz = me.actor.account().timezone.tz();
    let token = state
        .app
        .api_tokens(&me.actor)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound);
    let token = found(token)?;
    let p = RevokePage {
        layout: Layout::for_user(&me, "settings"),
        token: token_view(token, tz, Utc::now()),
    };
    Ok(render(StatusCode::OK, &p))
}

/// Revokes a token.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.revoke_token(&me.actor, &id).await,
        "/settings/tokens?done=revoked",
    )
}

//! Settings → Account: change the password (every other device is signed out, this one
//! stays), and the devices the account is signed in on, each with "Sign out", plus "Sign
//! out everywhere else".

use app::{AppError, DeviceSession, PasswordForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, changed, go};
use super::{DoneQuery, TokenForm, message_for, render};
use crate::AppState;
use crate::form::{CheckedForm, ReshownForm};
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// The notices after a redirect, by `?done=`.
const NOTICES: [(&str, &str); 4] = [
    (
        "password",
        "Your password is changed. Any other device that was signed in has been signed out.",
    ),
    ("device", "That device is signed out."),
    (
        "two-step-off",
        "Two-step sign-in is off. Signing in asks only for your password now.",
    ),
    (
        "others",
        "Every other device is signed out. This one stays signed in.",
    ),
];

/// One signed-in device in the list.
pub struct DeviceView {
    id: String,
    name: String,
    signed_in: String,
    last_seen: String,
    this_device: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    devices: Vec<DeviceView>,
    others: usize,
    two_step_on: bool,
}

impl AccountPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn device_view(d: DeviceSession, me: &SignedIn) -> DeviceView {
    let tz = me.actor.account().timezone.tz();
    let now = Utc::now();
    let this_device = d.id == me.session_id;
    DeviceView {
        name: if d.device.is_empty() {
            "An unknown browser".to_string()
        } else {
            d.device
        },
        signed_in: local_time_phrase(d.created_at, tz, now),
        last_seen: if this_device {
            "now".to_string()
        } else {
            local_time_phrase(d.last_seen_at, tz, now)
        },
        this_device,
        id: d.id,
    }
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Result<AccountPage, AppError> {
    let mut devices: Vec<DeviceView> = state
        .app
        .devices(&me.actor)
        .await?
        .into_iter()
        .map(|d| device_view(d, me))
        .collect();
    // This device first: it is the one the person is holding.
    devices.sort_by_key(|d| !d.this_device);
    let others = devices.iter().filter(|d| !d.this_device).count();
    Ok(AccountPage {
        layout: Layout::for_user(me, "settings"),
        notice,
        errors,
        devices,
        others,
        two_step_on: me.actor.account().second_factor_enrolled,
    })
}

/// Shows the password form and the devices.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let p = page(&state, &me, q.notice(&NOTICES), Vec::new()).await?;
    Ok(render(StatusCode::OK, &p))
}

/// The password form as posted. Neither password is ever shown again.
#[derive(Deserialize)]
pub struct PasswordPost {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the password and signs out every other device; a wrong current password or a
/// new one that does not fit the rules shows the form again (empty) with what to fix.
pub async fn change_password(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<PasswordPost>,
) -> PageResult {
    if !fresh {
        return again(
            &state,
            &me,
            StatusCode::FORBIDDEN,
            vec![FieldError::new(
                "current_password",
                "This form had expired, so your password was not changed. Please type both \
                 passwords again.",
            )],
        )
        .await;
    }
    let input = PasswordForm {
        current: form.current_password,
        new: form.new_password,
    };
    match state
        .app
        .change_password(&me.actor, &me.secret, input)
        .await
    {
        Ok(()) => go("/settings/account?done=password"),
        Err(AppError::Invalid(errors)) => {
            again(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(AppError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            let wait = if retry_after_secs < 60 {
                "a minute".to_string()
            } else if minutes == 1 {
                "1 minute".to_string()
            } else {
                format!("{minutes} minutes")
            };
            let message = format!(
                "That was too many tries, so changing the password is paused for a little \
                 while. Please try again in {wait}. You are still signed in."
            );
            let mut res = again(
                &state,
                &me,
                StatusCode::TOO_MANY_REQUESTS,
                vec![FieldError::new("current_password", message)],
            )
            .await?;
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// The account page again with what to fix in the password form, which comes back empty.
async fn again(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> PageResult {
    let p = page(state, me, None, errors).await?;
    Ok(render(status, &p))
}

/// Signs one of the person's other devices out.
pub async fn sign_out_device(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    // This device signs out with the usual "Sign out" button, which also clears what the
    // browser keeps; the list offers no button for it.
    if id == me.session_id {
        return go("/settings/account");
    }
    changed(
        state.app.end_device(&me.actor, &id).await,
        "/settings/account?done=device",
    )
}

/// Signs out every device but this one.
pub async fn sign_out_others(
    State(state): State<AppState>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    state.app.end_other_devices(&me.actor, &me.secret).await?;
    go("/settings/account?done=others")
}

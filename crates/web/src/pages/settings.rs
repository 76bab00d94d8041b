//! The person's own settings: their therapist's contact, country, time zone, usual day and
//! whether the safety question is always asked.

use app::{AppError, ProfileInput};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::account::Account;
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::profile_fields::ProfileFields;
use super::shown_again;
use super::{Choice, country_choices, message_for, render};
use crate::AppState;
use crate::form::ReshownForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// The settings form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(flatten)]
    profile: ProfileFields,
    #[serde(default)]
    always_ask_safety: Option<String>,
}

/// The form's values for the template.
pub struct SettingsView {
    profile: ProfileFields,
    always_ask_safety: bool,
}

impl SettingsForm {
    fn from_account(a: &Account) -> SettingsForm {
        SettingsForm {
            profile: ProfileFields::of(a),
            always_ask_safety: a.always_ask_safety.then(|| "yes".to_string()),
        }
    }

    fn input(&self) -> ProfileInput {
        self.profile.profile(self.always_ask_safety.is_some())
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    saved: bool,
    form: SettingsView,
    countries: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl SettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn page(me: &SignedIn, form: SettingsForm, errors: Vec<FieldError>, saved: bool) -> SettingsPage {
    SettingsPage {
        layout: Layout::signed_in(&me.csrf, "settings"),
        saved,
        countries: country_choices(Some(form.profile.country.as_str())),
        form: SettingsView {
            always_ask_safety: form.always_ask_safety.is_some(),
            profile: form.profile,
        },
        errors,
    }
}

/// Notices after a redirect.
#[derive(Deserialize)]
pub struct SettingsQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// Shows the settings with their current values.
pub async fn show(me: SignedIn, Query(q): Query<SettingsQuery>) -> Response {
    let form = SettingsForm::from_account(me.actor.account());
    render(
        StatusCode::OK,
        &page(&me, form, Vec::new(), q.saved.is_some()),
    )
}

/// Saves the settings, or shows them again with what to fix.
pub async fn save(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<SettingsForm>,
) -> PageResult {
    if !fresh {
        let errors = crate::form::expired("therapist_name");
        return Ok(render(
            StatusCode::FORBIDDEN,
            &page(&me, form, errors, false),
        ));
    }
    match state.app.update_profile(&me.actor, &form.input()).await {
        Ok(_) => go("/settings?saved=1"),
        Err(AppError::Invalid(errors)) => shown_again(&page(&me, form, errors, false)),
        Err(e) => Err(e.into()),
    }
}

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
    /// What a therapist changed in how the app notices lower days, in plain words.
    tuning: Vec<String>,
    /// When they changed it, in the person's calendar.
    tuned_on: Option<String>,
}

/// A therapist's settings: the name clients see, and the account's own pages.
#[derive(Template)]
#[template(path = "therapist_settings.html")]
struct TherapistSettingsPage {
    layout: Layout,
    saved: bool,
    display_name: String,
    errors: Vec<FieldError>,
}

impl TherapistSettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn therapist_page(
    me: &SignedIn,
    display_name: String,
    errors: Vec<FieldError>,
    saved: bool,
) -> TherapistSettingsPage {
    TherapistSettingsPage {
        layout: Layout::for_user(me, "settings"),
        saved,
        display_name,
        errors,
    }
}

/// The display-name form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
}

/// Saves a therapist's display name, or shows the form again with what to fix.
pub async fn save_name(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<NameForm>,
) -> PageResult {
    if !me.actor.account().is_therapist() {
        return go("/settings");
    }
    if !fresh {
        let errors = crate::form::expired("display_name");
        return Ok(render(
            StatusCode::FORBIDDEN,
            &therapist_page(&me, form.display_name, errors, false),
        ));
    }
    match state
        .app
        .set_display_name(&me.actor, &form.display_name)
        .await
    {
        Ok(_) => go("/settings?saved=1"),
        Err(AppError::Invalid(errors)) => {
            shown_again(&therapist_page(&me, form.display_name, errors, false))
        }
        Err(e) => Err(e.into()),
    }
}

impl SettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn page(me: &SignedIn, form: SettingsForm, errors: Vec<FieldError>, saved: bool) -> SettingsPage {
    let account = me.actor.account();
    SettingsPage {
        tuning: account.guidance.plain_words(),
        tuned_on: account.guidance.set_at.map(|at| {
            at.with_timezone(&account.timezone.tz())
                .format("%-d %B %Y")
                .to_string()
        }),
        layout: Layout::for_user(me, "settings"),
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
    let account = me.actor.account();
    if account.is_therapist() {
        let name = account.display_name.clone().unwrap_or_default();
        return render(
            StatusCode::OK,
            &therapist_page(&me, name, Vec::new(), q.saved.is_some()),
        );
    }
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
    // A therapist's settings hold only their name, saved by its own form.
    if me.actor.account().is_therapist() {
        return go("/settings");
    }
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

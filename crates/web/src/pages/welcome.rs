//! The welcome page: the first-run questions for an account made without them (by
//! `between user add`, or before sign-up asked them). Shown after sign-in while the account
//! has no country or nobody chose its time zone; every question may be skipped.

use app::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use domain::account::Account;
use domain::checkin::FieldError;

use super::errors::{PageResult, go};
use super::profile_fields::ProfileFields;
use super::{Choice, country_choices, message_for, render, shown_again};
use crate::AppState;
use crate::form::ReshownForm;
use crate::layout::Layout;
use crate::session::SignedIn;

/// The welcome form as typed: the profile questions.
pub type WelcomeForm = ProfileFields;

/// What the account already holds. The time zone is left empty unless it was chosen, so the
/// browser's script fills in its own, and without the script the server guesses from the
/// country instead of keeping a default nobody picked.
fn from_account(a: &Account, zone_chosen: bool) -> WelcomeForm {
    let mut form = ProfileFields::of(a);
    if !zone_chosen {
        form.timezone.clear();
    }
    form
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    layout: Layout,
    countries: Vec<Choice>,
    form: WelcomeForm,
    errors: Vec<FieldError>,
}

impl WelcomePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn page(me: &SignedIn, form: WelcomeForm, errors: Vec<FieldError>) -> WelcomePage {
    WelcomePage {
        layout: Layout::signed_in(&me.csrf, "welcome"),
        countries: country_choices(Some(form.country.as_str())),
        form,
        errors,
    }
}

/// Shows the questions with whatever the account already holds.
pub async fn show(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let account = me.actor.account();
    // The stored zone counts as chosen once the account is through onboarding.
    let zone_chosen = account.country.is_some() && !state.app.needs_welcome(account).await?;
    let form = from_account(account, zone_chosen);
    Ok(render(StatusCode::OK, &page(&me, form, Vec::new())))
}

/// Saves the answers and goes home, or shows the page again with what to fix.
pub async fn save(
    State(state): State<AppState>,
    ReshownForm { me, form, fresh }: ReshownForm<WelcomeForm>,
) -> PageResult {
    if !fresh {
        let errors = crate::form::expired("country");
        return Ok(render(StatusCode::FORBIDDEN, &page(&me, form, errors)));
    }
    // The page doesn't ask about the safety question; the account's choice stays.
    let input = form.profile(me.actor.account().always_ask_safety);
    match state.app.finish_welcome(&me.actor, &input).await {
        Ok(_) => go("/"),
        Err(AppError::Invalid(errors)) => shown_again(&page(&me, form, errors)),
        Err(e) => Err(e.into()),
    }
}

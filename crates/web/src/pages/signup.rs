//! "Create your account": the first page of a fresh install.

use app::{AppError, SignUp};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;
use domain::checkin::FieldError;
use serde::Deserialize;

use super::errors::{PageResult, go};
use super::profile_fields::ProfileFields;
use super::{Choice, country_choices, message_for, render};
use crate::AppState;
use crate::form::SignedOutForm;
use crate::layout::Layout;
use crate::session::{self, Visitor};

/// The form as posted; every field kept so a failed submit shows it again.
#[derive(Debug, Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// "therapist" to sign up as a therapist; anything else is a client's own account.
    #[serde(default)]
    account_kind: String,
    /// A therapist's name as clients will see it.
    #[serde(default)]
    display_name: String,
    #[serde(flatten)]
    profile: ProfileFields,
}

impl SignUpForm {
    fn as_therapist(&self) -> bool {
        self.account_kind == "therapist"
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    layout: Layout,
    csrf: String,
    form: SignUpForm,
    countries: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl SignUpPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn page(csrf: String, form: SignUpForm, errors: Vec<FieldError>) -> SignUpPage {
    let countries = country_choices(Some(form.profile.country.as_str()));
    SignUpPage {
        layout: Layout::anonymous(),
        csrf,
        form,
        countries,
        errors,
    }
}

/// Shows the form (or sends signed-in people home).
pub async fn show(State(state): State<AppState>, visitor: Visitor, jar: CookieJar) -> PageResult {
    if visitor.signed_in.is_some() {
        return go("/");
    }
    if !state.app.sign_up_open().await? {
        return Ok(super::errors::signup_closed());
    }
    let (jar, csrf) = session::form_token(jar, state.config.https);
    Ok((
        jar,
        render(
            StatusCode::OK,
            &page(csrf, SignUpForm::default(), Vec::new()),
        ),
    )
        .into_response())
}

/// Creates the account and signs in, or shows the form again with what to fix.
pub async fn submit(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    SignedOutForm {
        jar,
        csrf,
        mut form,
        fresh,
    }: SignedOutForm<SignUpForm>,
) -> PageResult {
    let https = state.config.https;
    if !fresh {
        form.password.clear();
        let errors = vec![FieldError::new(
            "email",
            "This form had expired, so nothing was saved. Please check the details and send it again.",
        )];
        return Ok((
            jar,
            render(StatusCode::FORBIDDEN, &page(csrf, form, errors)),
        )
            .into_response());
    }
    let input = SignUp {
        email: form.email.clone(),
        password: std::mem::take(&mut form.password),
        profile: form.profile.profile(false),
        user_agent: session::user_agent(&headers).map(str::to_string),
        as_therapist: form.as_therapist(),
        display_name: form.display_name.clone(),
    };
    match state.app.sign_up(input).await {
        Ok((account, token)) => {
            let jar = jar.add(session::session_cookie(token.secret, https));
            // A therapist starts at their caseload: the welcome is a client's.
            let next = if account.is_therapist() {
                session::THERAPIST_HOME
            } else {
                "/?welcome=1"
            };
            Ok((jar, Redirect::to(next)).into_response())
        }
        Err(AppError::Invalid(errors)) => Ok((
            jar,
            render(StatusCode::UNPROCESSABLE_ENTITY, &page(csrf, form, errors)),
        )
            .into_response()),
        Err(AppError::Forbidden) => Ok(super::errors::signup_closed()),
        Err(e) => Err(e.into()),
    }
}

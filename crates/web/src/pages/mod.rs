//! Server-rendered pages, one module per page.

pub mod account;
pub mod agenda;
pub mod api_tokens;
pub mod backsliding_plan;
// Bedtime routine.
pub mod bedtime;
pub mod brief;
pub mod checkin;
pub mod contact;
pub mod data;
pub mod errors;
pub mod farewell;
pub mod feedback;
pub mod help;
pub mod history;
pub mod home;
pub mod homework;
pub mod journal;
pub mod more;
pub mod plans;
pub mod profile_fields;
pub mod questionnaires;
pub mod safety_plan;
pub mod sessions;
pub mod settings;
// Sharing with a therapist: Settings → Sharing and the therapist's join page.
pub mod sharing;
pub mod signin;
pub mod signup;
// What a therapist may change for a client.
pub mod therapist_actions;
// What a therapist sees.
pub mod therapist;
pub mod thought_records;
pub mod toolkit;
// Two-step sign-in.
pub mod two_step;
pub mod welcome;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::checkin::FieldError;

/// Renders a template into an HTML response.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            errors::internal_page()
        }
    }
}

/// The form's page again, with what to fix.
pub fn shown_again<T: Template>(page: &T) -> errors::PageResult {
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, page))
}

/// How a form that adds something ends: on to `to` when it was saved, its page again with
/// what to fix when it was not valid, the error page otherwise.
pub async fn saved_or_again<T, P, F>(
    result: Result<T, app::AppError>,
    to: &str,
    again: impl FnOnce(Vec<FieldError>) -> F,
) -> errors::PageResult
where
    P: Template,
    F: Future<Output = Result<P, app::AppError>>,
{
    match result {
        Ok(_) => errors::go(to),
        Err(app::AppError::Invalid(errors)) => shown_again(&again(errors).await?),
        Err(e) => Err(e.into()),
    }
}

/// A form that carries only its token (remove, mark done, move).
#[derive(serde::Deserialize)]
pub struct TokenForm {
    /// The session's form token.
    #[serde(default)]
    pub csrf: String,
}

/// `?done=…` after a redirect: which notice a list page shows.
#[derive(serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

impl DoneQuery {
    /// The notice for this `done`, from `(done, notice)` pairs.
    pub fn notice(&self, notices: &[(&str, &'static str)]) -> Option<&'static str> {
        notices
            .iter()
            .find(|(done, _)| *done == self.done)
            .map(|(_, notice)| *notice)
    }
}

/// One option in a select, radio group or checkbox group.
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is selected.
    pub checked: bool,
}

impl Choice {
    /// A choice submitting `value`, read as `label`, selected when `checked`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, checked: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            checked,
        }
    }
}

/// The country options for a picker, with `selected` chosen.
pub fn country_choices(selected: Option<&str>) -> Vec<Choice> {
    domain::crisis::Country::all()
        .iter()
        .map(|c| {
            Choice::new(
                c.code().to_string(),
                c.name().to_string(),
                selected.is_some_and(|s| s.eq_ignore_ascii_case(c.code())),
            )
        })
        .collect()
}

/// The first message for a field, for showing beside it.
pub fn message_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

//! Settings → "Delete my account": the password again and an explicit confirmation, then
//! everything goes, and a goodbye page that still offers help.

use app::AppError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use domain::checkin::FieldError;
use domain::crisis::{Country, directory_for_country};
use serde::Deserialize;

use super::errors::PageResult;
use super::help::Dial;
use super::{message_for, render};
use crate::AppState;
use crate::form::ReshownForm;
use crate::layout::Layout;
use crate::session::{self, SignedIn};

/// The deletion form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_delete.html")]
struct DeletePage {
    layout: Layout,
    confirmed: bool,
    errors: Vec<FieldError>,
}

impl DeletePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn page(me: &SignedIn, confirmed: bool, errors: Vec<FieldError>) -> DeletePage {
    DeletePage {
        layout: Layout::for_user(me, "settings"),
        confirmed,
        errors,
    }
}

/// Shows what deleting removes, and the form.
pub async fn show(me: SignedIn) -> Response {
    render(StatusCode::OK, &page(&me, false, Vec::new()))
}

/// Deletes the account when the password is right and the box is ticked; otherwise the
/// page again, saying why nothing was deleted.
pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    ReshownForm { me, form, fresh }: ReshownForm<DeleteForm>,
) -> PageResult {
    let confirmed = form.confirm.is_some();
    if !fresh {
        return Ok(render(
            StatusCode::FORBIDDEN,
            &page(&me, confirmed, crate::form::expired("password")),
        ));
    }
    let mut errors = Vec::new();
    if form.password.is_empty() {
        errors.push(FieldError::new(
            "password",
            "Please type your password, so we know it is really you.",
        ));
    }
    if !confirmed {
        errors.push(FieldError::new(
            "confirm",
            "Please tick the box to say you want everything deleted.",
        ));
    }
    if !errors.is_empty() {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&me, confirmed, errors),
        ));
    }
    let country = me.actor.account().country;
    match state.app.delete_own_account(&me.actor, form.password).await {
        Ok(()) => Ok(gone(&state, jar, country)),
        Err(AppError::Forbidden) => Ok(render(
            StatusCode::FORBIDDEN,
            &page(
                &me,
                confirmed,
                vec![FieldError::new(
                    "password",
                    "That password isn't right, so nothing was deleted. Please try again.",
                )],
            ),
        )),
        Err(AppError::RateLimited { retry_after_secs }) => Ok(render(
            StatusCode::TOO_MANY_REQUESTS,
            &page(
                &me,
                confirmed,
                vec![FieldError::new(
                    "password",
                    format!(
                        "That was too many tries, so nothing was deleted. Please wait {} \
                         minute{} and try again.",
                        retry_after_secs.div_ceil(60),
                        if retry_after_secs.div_ceil(60) == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ),
                )],
            ),
        )),
        // Deleted a moment ago from another device: the goodbye is the same.
        Err(AppError::Unauthenticated) => Ok(gone(&state, jar, country)),
        Err(e) => Err(e.into()),
    }
}

/// The answer once the account is gone: the session cookie cleared, the browser told to
/// forget this site's offline copies (the safety plan among them), and the goodbye page.
fn gone(state: &AppState, jar: CookieJar, country: Option<Country>) -> Response {
    let jar = jar.add(session::clear_session_cookie(state.config.https));
    let to = match country {
        Some(c) => format!("/goodbye?country={}", c.code()),
        None => "/goodbye".to_string(),
    };
    (
        jar,
        [(
            HeaderName::from_static("clear-site-data"),
            HeaderValue::from_static("\"cache\", \"storage\""),
        )],
        Redirect::to(&to),
    )
        .into_response()
}

/// Which country's numbers the goodbye page shows: the deleted account's, carried in the
/// address (a country is not personal data about health).
#[derive(Deserialize)]
pub struct GoodbyeQuery {
    #[serde(default)]
    country: Option<String>,
}

#[derive(Template)]
#[template(path = "goodbye.html")]
struct GoodbyePage {
    layout: Layout,
    help_href: String,
    emergency: Vec<Dial>,
    country_name: Option<&'static str>,
}

/// "Your account is deleted", with the way to help still open. Public: nobody is signed in.
pub async fn goodbye(Query(q): Query<GoodbyeQuery>) -> Response {
    let country = q.country.as_deref().and_then(|c| Country::parse(c).ok());
    let lookup = directory_for_country(country);
    let page = GoodbyePage {
        layout: Layout::anonymous(),
        help_href: match country {
            Some(c) => format!("/help?country={}", c.code()),
            None => "/help".to_string(),
        },
        emergency: lookup
            .entry
            .emergency_numbers()
            .map(|n| Dial::new(n.tel_href(), n.display().to_string()))
            .collect(),
        country_name: lookup.note.is_none().then(|| lookup.entry.country.name()),
    };
    render(StatusCode::OK, &page)
}

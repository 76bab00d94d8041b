//! Kind error pages (and JSON errors for the API), with causes kept for the log.
//!
//! Handlers say only what went wrong ([`ErrorText`] on a bare status); [`draw`] turns that,
//! and any plain-text rejection from the framework, into Between's own page in the frame of
//! whoever is visiting, so a signed-in person never looks signed out on an error page and
//! "Get help now" is always there.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::layout::Layout;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: &'static str,
}

/// What an error page says; [`draw`] adds the frame.
#[derive(Debug, Clone, Copy)]
pub struct ErrorText {
    heading: &'static str,
    message: &'static str,
}

fn page(status: StatusCode, heading: &'static str, message: &'static str) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(ErrorText { heading, message });
    r
}

/// What the page says for a rejection the framework made before any handler ran.
fn rejection_text(status: StatusCode) -> ErrorText {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is nothing at this address. It may have moved.",
        ),
        StatusCode::BAD_REQUEST => (
            "This address isn't quite right",
            "Between couldn't read what was asked for. If you followed a link, it may be broken; please go back and try again.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "That can't be done here",
            "This address doesn't take that kind of request. Please go back and use the page's own buttons.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "That was too much to send at once",
            "What you sent is larger than Between accepts, so nothing was saved. Please go back, shorten it, and try again.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "That form couldn't be read",
            "Between only accepts forms sent from its own pages, so nothing was saved. Please go back, reload the page and try again.",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => (
            "That form couldn't be read",
            "Part of what was sent isn't what the form asks for, so nothing was saved. Please go back, reload the page and try again.",
        ),
        s if s.is_server_error() => (
            "Something went wrong",
            "Nothing you did caused this. Please try again in a moment.",
        ),
        _ => (
            "That didn't work",
            "Between couldn't do what was asked, and nothing was saved. Please go back and try again.",
        ),
    };
    ErrorText { heading, message }
}

/// A response the framework made on its own: an error status with a plain-text body (a
/// rejected path, form or body) or none at all (a wrong method).
fn is_framework_rejection(r: &Response) -> bool {
    let status = r.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    match r.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/plain")
        }),
    }
}

/// Draws every error page of the HTML routes: the ones handlers asked for and the
/// framework's own rejections. The API keeps its JSON bodies.
pub async fn draw(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    // Only the cookies are kept: the session is looked up only if an error page is drawn.
    let mut cookies = HeaderMap::new();
    for v in req.headers().get_all(header::COOKIE) {
        cookies.append(header::COOKIE, v.clone());
    }
    let res = next.run(req).await;
    let text = match res.extensions().get::<ErrorText>() {
        Some(t) => *t,
        None if is_framework_rejection(&res) => rejection_text(res.status()),
        None => return res,
    };
    let layout = match crate::session::csrf_for(&state, &cookies).await {
        Some(csrf) => Layout::signed_in(&csrf, ""),
        None => Layout::anonymous(),
    };
    let status = res.status();
    let mut drawn = super::render(
        status,
        &ErrorPage {
            layout,
            heading: text.heading,
            message: text.message,
        },
    );
    // Headers a handler set on purpose (Retry-After, cookies) stay; the body's do not.
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            drawn.headers_mut().append(name.clone(), value.clone());
        }
    }
    drawn
}

/// 404 for pages; JSON for the API.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::api::error::json(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
            None,
        );
    }
    page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address. It may have moved.",
    )
}

/// 404 for something that is not this account's (or no longer exists).
pub fn not_found_page() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "We couldn't find that. It may have been removed.",
    )
}

/// A 500 page whose cause has already been logged.
pub fn internal_page() -> Response {
    // A last resort that cannot fail: rendering the error template itself may be what broke.
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::response::Html(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong · Between</title></head><body><main><h1>Something went wrong</h1><p>Nothing you did caused this. Please try again in a moment. If you need help now, go to <a href=\"/help\">Get help now</a>.</p></main></body></html>",
        ),
    )
        .into_response()
}

/// Why a page handler could not answer as asked; handlers return `Result<Response, PageError>`
/// and use `?` on use-case results.
#[derive(Debug)]
pub enum PageError {
    /// A use-case failed: most are internal (the cause is logged once, here), but a form sent
    /// again after it was saved, with changes, is the person's situation to know about.
    App(app::AppError),
    /// What was asked for is not this account's, or no longer exists.
    NotFound,
}

/// What page handlers return.
pub type PageResult = Result<Response, PageError>;

impl From<app::AppError> for PageError {
    fn from(e: app::AppError) -> Self {
        PageError::App(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            // A use-case's "no such item for this account" is the same 404 whether or not the
            // handler mapped it with `found`: never an internal error, never a hint.
            PageError::NotFound | PageError::App(app::AppError::NotFound) => not_found_page(),
            // Sent to turn two-step sign-in on, and back here afterwards.
            PageError::App(app::AppError::SecondFactorNeeded) => {
                crate::pages::two_step::enrol_redirect()
            }
            PageError::App(app::AppError::ClientIdConflict) => page(
                StatusCode::CONFLICT,
                "This form was already saved",
                "The first version you sent is saved; the changes in this one were not. Please go back, reload the page to get a fresh form, and add them again.",
            ),
            // A therapist's page about a client: what the client keeps to themselves, and
            // what this account may not see at all.
            PageError::App(app::AppError::NotShared) => page(
                StatusCode::FORBIDDEN,
                "Not shared with you",
                "Your client has not shared this with you. What they share is their choice; they can change it in their settings at any time.",
            ),
            PageError::App(app::AppError::Forbidden) => page(
                StatusCode::FORBIDDEN,
                "This page isn't for this account",
                "This account can't open this page. If you think it should, please ask whoever runs Between for you.",
            ),
            PageError::App(e @ app::AppError::Damaged(_)) => {
                tracing::error!(error = %error_chain(&e), "request met damaged data");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Some saved words can't be read",
                    "Part of what you saved could not be read: it looks damaged, so nothing is shown in its place. Nothing you did caused this. Please tell whoever runs Between for you.",
                )
            }
            PageError::App(e) => {
                // The chain says which layer failed and why; none of these messages carry
                // what a person wrote.
                tracing::error!(error = %error_chain(&e), "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Nothing you did caused this. Please try again in a moment.",
                )
            }
        }
    }
}

/// An error and each of its sources, joined by ": ". A source whose message its wrapper
/// already ends with (`AppError::Internal` says "internal error: {cause}") is not repeated.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let said = s.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = s.source();
    }
    text
}

/// A lookup of one of the person's items: "not this account's" is the 404 page, anything
/// else a [`PageError::App`].
pub fn found<T>(result: Result<T, app::AppError>) -> Result<T, PageError> {
    result.map_err(|e| match e {
        app::AppError::NotFound => PageError::NotFound,
        e => PageError::App(e),
    })
}

/// After a change to one of the person's items: on to `to`, or the 404 page when the item
/// is not theirs.
pub fn changed<T>(result: Result<T, app::AppError>, to: &str) -> PageResult {
    found(result)?;
    go(to)
}

/// On to `to` after a form did what it asked.
pub fn go(to: &str) -> PageResult {
    Ok(axum::response::Redirect::to(to).into_response())
}

/// A refused cross-site form post.
pub fn forbidden_cross_site(json: bool) -> Response {
    if json {
        return crate::api::error::json(
            StatusCode::FORBIDDEN,
            "cross_site",
            "Requests from other sites are not accepted.",
            None,
        );
    }
    page(
        StatusCode::FORBIDDEN,
        "This form came from another site",
        "For your safety, Between only accepts forms sent from its own pages. Please go back, reload the page and try again.",
    )
}

/// The sign-up page when sign-up is closed.
pub fn signup_closed() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Sign-up is closed",
        "This Between server only takes new accounts from its operator. Please ask them, or sign in if you already have an account.",
    )
}

/// A form whose token did not match: usually an old tab or an expired session.
pub fn stale_form() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "Please go back, reload the page and try again. Nothing was saved.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the account failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_names_each_cause_once() {
        let e = app::AppError::internal(std::io::Error::other("disk full"));
        assert_eq!(error_chain(&e), "internal error: disk full");
        let e = app::AppError::internal(Outer(std::io::Error::other("disk full")));
        assert_eq!(
            error_chain(&e),
            "internal error: reading the account failed: disk full"
        );
    }
}

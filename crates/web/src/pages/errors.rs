//! Kind error pages (and JSON errors for the API), with causes kept for the log.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::layout::Layout;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: &'static str,
}

fn page(status: StatusCode, heading: &'static str, message: &'static str) -> Response {
    super::render(
        status,
        &ErrorPage {
            layout: Layout::anonymous(),
            heading,
            message,
        },
    )
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

/// Shows the kind page for a use-case error a form handler does not handle itself: most are
/// internal (the cause is logged), but a form sent again after it was saved, with changes,
/// is the person's situation to know about, not ours to log.
pub fn internal(e: &app::AppError) -> Response {
    if matches!(e, app::AppError::ClientIdConflict) {
        return page(
            StatusCode::CONFLICT,
            "This form was already saved",
            "The first version you sent is saved; the changes in this one were not. Please go back, reload the page to get a fresh form, and add them again.",
        );
    }
    tracing::error!(error = %e, "request failed");
    internal_page()
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

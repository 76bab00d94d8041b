//! "More": on a phone, the bottom bar has room for five places; this page lists the rest,
//! each with a line saying what it is for, and the sign-out button.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::render;
use crate::layout::Layout;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "more.html")]
struct MorePage {
    layout: Layout,
}

/// Shows every destination that is not on the bottom bar.
pub async fn show(me: SignedIn) -> Response {
    render(
        StatusCode::OK,
        &MorePage {
            layout: Layout::signed_in(&me.csrf, "more"),
        },
    )
}

//! The home page: today at a glance, and the way to check in.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::layout::Layout;
use crate::pages::history::{local_time_phrase, tz_of};
use crate::session::Visitor;

/// Short notices after a redirect; they carry no personal data.
#[derive(Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    welcome: Option<String>,
}

/// The last check-in in words.
pub struct LastCheckIn {
    when: String,
    mood: u8,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    notice: Option<&'static str>,
    first_visit: bool,
    last_checkin: Option<LastCheckIn>,
    count_30: usize,
    therapist_name: Option<String>,
}

/// Home for the signed in; sign-up on a fresh install; sign-in otherwise.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<HomeQuery>,
) -> Response {
    let Some(me) = visitor.signed_in else {
        return match state.app.is_fresh_install().await {
            Ok(true) => Redirect::to("/signup").into_response(),
            Ok(false) => Redirect::to("/signin").into_response(),
            Err(e) => super::errors::internal(&e),
        };
    };
    let now = Utc::now();
    let recent = match state
        .app
        .checkins(&me.actor, Some(now - Duration::days(30)), None)
        .await
    {
        Ok(c) => c,
        Err(e) => return super::errors::internal(&e),
    };
    let account = me.actor.account();
    let tz = tz_of(account);
    let page = HomePage {
        layout: Layout::signed_in(&me.csrf, "home"),
        notice: if q.saved.is_some() {
            Some("Thank you. Your check-in is saved.")
        } else if q.welcome.is_some() {
            Some("Your account is ready. Welcome to Between.")
        } else {
            None
        },
        first_visit: q.welcome.is_some(),
        last_checkin: recent.last().map(|c| LastCheckIn {
            when: local_time_phrase(c.content.at, tz, now),
            mood: c.content.mood.get(),
        }),
        count_30: recent.len(),
        therapist_name: account.therapist.name.clone(),
    };
    render(StatusCode::OK, &page)
}

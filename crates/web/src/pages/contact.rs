//! "Contact my therapist": their details with one-tap links, and a drafted message built
//! from what guidance saw, for the person to edit and send themselves.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use domain::contact::{dialable, draft_message};

use super::errors::PageResult;
use super::render;
use crate::AppState;
use crate::layout::Layout;
use crate::pages::help::Dial;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    has_contact: bool,
    name: Option<String>,
    phone: Option<Dial>,
    sms_href: String,
    email: Option<String>,
    draft: String,
}

/// Shows the contact details and the drafted message.
pub async fn show(State(state): State<AppState>, me: SignedIn) -> PageResult {
    let now = Utc::now();
    let app = &state.app;
    let (guidance, recent, next) = tokio::try_join!(
        app.guidance(&me.actor, now),
        app.sessions(&me.actor, Some(now - Duration::days(60)), Some(now)),
        app.next_session(&me.actor, now),
    )?;
    let account = me.actor.account();
    let tz = account.timezone.tz();
    let t = &account.therapist;
    let phone = t
        .phone
        .as_deref()
        .and_then(|p| dialable(p).map(|d| Dial::new(format!("tel:{d}"), p.to_string())));
    let sms_href = t
        .phone
        .as_deref()
        .and_then(dialable)
        .map(|d| format!("sms:{d}"))
        .unwrap_or_default();
    let draft = draft_message(
        &guidance,
        t.name.as_deref(),
        recent.last().map(|s| s.at.with_timezone(&tz).date_naive()),
        next.map(|s| s.at.with_timezone(&tz).date_naive()),
    );
    let page = ContactPage {
        layout: Layout::signed_in(&me.csrf, ""),
        has_contact: phone.is_some() || t.email.is_some(),
        name: t.name.clone(),
        phone,
        sms_href,
        email: t.email.as_ref().map(|e| e.as_str().to_string()),
        draft,
    };
    Ok(render(StatusCode::OK, &page))
}

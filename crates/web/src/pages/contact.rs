//! "Contact my therapist": their details with one-tap links, and a drafted message built
//! from what guidance saw, for the person to edit and send themselves.
//!
//! The Text and Email links open the Messages or Mail app with the draft filled in. They are
//! built into the page (and kept in step with edits by `forms.js`), so the message goes from
//! the device to the app and never to the server: the page takes no query, and nothing the
//! person types here is posted.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use domain::contact::{DRAFT_SUBJECT, dialable, draft_message, mailto_href, sms_href};

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
    /// "Text" with the draft, when a dialable number is held.
    text: Option<Dial>,
    /// "Email" with the draft, when an address is held.
    email: Option<Dial>,
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
    let dial = t.phone.as_deref().and_then(dialable);
    let phone = t
        .phone
        .as_deref()
        .zip(dial.as_deref())
        .map(|(typed, d)| Dial::new(format!("tel:{d}"), typed.to_string()));
    let draft = draft_message(
        &guidance,
        t.name.as_deref(),
        recent.last().map(|s| s.at.with_timezone(&tz).date_naive()),
        next.map(|s| s.at.with_timezone(&tz).date_naive()),
    );
    let text = t
        .phone
        .as_deref()
        .zip(dial.as_deref())
        .map(|(typed, d)| Dial::new(sms_href(d, &draft), typed.to_string()));
    let email = t.email.as_ref().map(|e| {
        Dial::new(
            mailto_href(e.as_str(), DRAFT_SUBJECT, &draft),
            e.as_str().to_string(),
        )
    });
    let page = ContactPage {
        layout: Layout::signed_in(&me.csrf, ""),
        has_contact: phone.is_some() || email.is_some(),
        name: t.name.clone(),
        phone,
        text,
        email,
        draft,
    };
    Ok(render(StatusCode::OK, &page))
}

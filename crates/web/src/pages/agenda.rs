//! The agenda for the next session: topics parked from anywhere in the app.

use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use domain::therapy::{AgendaItem, AgendaSource};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::layout::Layout;
use crate::pages::history::{local_time_phrase, tz_of};
use crate::session::{self, SignedIn};

/// One topic, ready to show.
pub struct ItemView {
    id: i64,
    text: String,
    origin: String,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    layout: Layout,
    open: Vec<ItemView>,
    discussed: Vec<ItemView>,
    text: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    text: String,
    error: Option<String>,
) -> Result<AgendaPage, AppError> {
    let items = state.app.agenda(&me.actor, true).await?;
    let tz = tz_of(me.actor.account());
    let now = chrono::Utc::now();
    let view = |i: &AgendaItem| ItemView {
        id: i.id,
        text: i.text.clone(),
        origin: format!(
            "{} {}",
            match i.source {
                AgendaSource::Manual => "Added",
                AgendaSource::PostSession => "From a post-session check-in,",
                AgendaSource::Parked => "Parked",
            },
            local_time_phrase(i.created_at, tz, now)
        ),
    };
    Ok(AgendaPage {
        layout: Layout::signed_in(&me.csrf, "agenda"),
        open: items
            .iter()
            .filter(|i| i.discussed_at.is_none())
            .map(view)
            .collect(),
        discussed: items
            .iter()
            .filter(|i| i.discussed_at.is_some())
            .map(view)
            .collect(),
        text,
        error,
    })
}

/// Shows the agenda.
pub async fn show(State(state): State<AppState>, me: SignedIn) -> Response {
    match page(&state, &me, String::new(), None).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => super::errors::internal(&e),
    }
}

/// The add-a-topic form.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// Adds a topic typed by hand.
pub async fn add(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<AddForm>,
) -> Response {
    if !session::tokens_match(&me.csrf, &form.csrf) {
        return super::errors::stale_form();
    }
    match state.app.add_agenda_item(&me.actor, &form.text).await {
        Ok(_) => Redirect::to("/agenda").into_response(),
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| e.message.clone());
            match page(&state, &me, form.text, message).await {
                Ok(p) => render(StatusCode::UNPROCESSABLE_ENTITY, &p),
                Err(e) => super::errors::internal(&e),
            }
        }
        Err(e) => super::errors::internal(&e),
    }
}

/// A form with only its token.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// Marks a topic as discussed.
pub async fn discussed(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> Response {
    if !session::tokens_match(&me.csrf, &form.csrf) {
        return super::errors::stale_form();
    }
    match state.app.set_agenda_discussed(&me.actor, id, true).await {
        Ok(()) => Redirect::to("/agenda").into_response(),
        Err(AppError::NotFound) => super::errors::not_found_page(),
        Err(e) => super::errors::internal(&e),
    }
}

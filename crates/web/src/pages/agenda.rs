//! The agenda for the next session: topics from the journal, check-ins, post-session
//! check-ins, the toolkit's "park it" and by hand, in an order the person chooses.

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::checkin::CheckInId;
use domain::journal::JournalEntryId;
use domain::order::Move;
use domain::therapy::{AgendaItem, AgendaItemId, AgendaSource};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{PageError, PageResult, changed, go};
use super::render;
use super::saved_or_again;
use super::{DoneQuery, TokenForm};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// One topic, ready to show.
pub struct ItemView {
    id: AgendaItemId,
    text: String,
    origin: String,
    journal_entry: Option<JournalEntryId>,
    thought_record: Option<domain::thought_record::ThoughtRecordId>,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    layout: Layout,
    notice: Option<&'static str>,
    open: Vec<ItemView>,
    discussed: Vec<ItemView>,
    text: String,
    client_id: String,
    error: Option<String>,
}

/// Where a topic came from, in words.
pub fn origin_label(source: AgendaSource) -> &'static str {
    match source {
        AgendaSource::Manual => "Added",
        AgendaSource::PostSession => "From a post-session check-in,",
        AgendaSource::Parked => "Parked",
        AgendaSource::Journal => "From your journal,",
        AgendaSource::CheckIn => "From a check-in note,",
        AgendaSource::ThoughtRecord => "From a thought record,",
    }
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    text: String,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<AgendaPage, AppError> {
    let items = state.app.agenda(&me.actor, true).await?;
    let tz = me.actor.account().timezone.tz();
    let now = chrono::Utc::now();
    let view = |i: &AgendaItem| ItemView {
        id: i.id,
        text: i.text.clone(),
        origin: format!(
            "{} {}",
            origin_label(i.source),
            local_time_phrase(i.created_at, tz, now)
        ),
        journal_entry: i.journal_entry_id,
        thought_record: i.thought_record_id,
        first: false,
        last: false,
    };
    let mut open: Vec<ItemView> = items
        .iter()
        .filter(|i| i.discussed_at.is_none())
        .map(view)
        .collect();
    let count = open.len();
    for (n, item) in open.iter_mut().enumerate() {
        item.first = n == 0;
        item.last = n + 1 == count;
    }
    // Most recently discussed first: that is what the person looks for after a session.
    let mut discussed: Vec<&AgendaItem> =
        items.iter().filter(|i| i.discussed_at.is_some()).collect();
    discussed.sort_by_key(|i| std::cmp::Reverse(i.discussed_at));
    Ok(AgendaPage {
        layout: Layout::signed_in(&me.csrf, "agenda"),
        notice,
        open,
        discussed: discussed.into_iter().map(view).collect(),
        text,
        client_id: Uuid::new_v4().to_string(),
        error,
    })
}

/// Shows the agenda.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.notice(&[
        ("added", "Added to your agenda."),
        ("discussed", "Marked as discussed."),
        ("removed", "Taken off your agenda."),
    ]);
    let p = page(&state, &me, String::new(), None, notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// The add-a-topic form.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    text: String,
}

/// Adds a topic typed by hand; a double submit adds it once.
pub async fn add(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<AddForm>,
) -> PageResult {
    let client_id = Uuid::parse_str(form.client_id.trim()).unwrap_or_else(|_| Uuid::new_v4());
    let result = state
        .app
        .add_agenda_topic(&me.actor, client_id, &form.text)
        .await;
    saved_or_again(result, "/agenda?done=added", |errors| {
        let message = errors.first().map(|e| e.message.clone());
        page(&state, &me, form.text, message, None)
    })
    .await
}

/// Marks a topic as discussed.
pub async fn discussed(
    State(state): State<AppState>,
    Path(id): Path<AgendaItemId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.set_agenda_discussed(&me.actor, id, true).await,
        "/agenda?done=discussed",
    )
}

/// The up and down buttons.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

/// Moves a topic one place up or down, and back to it on the page.
pub async fn move_item(
    State(state): State<AppState>,
    Path(id): Path<AgendaItemId>,
    CheckedForm { me, form }: CheckedForm<MoveForm>,
) -> PageResult {
    let direction = match form.direction.as_str() {
        "up" => Move::Up,
        "down" => Move::Down,
        _ => return Err(PageError::NotFound),
    };
    changed(
        state.app.move_agenda_item(&me.actor, id, direction).await,
        &format!("/agenda#topic-{id}"),
    )
}

/// Takes a topic off the agenda (a journal entry's topic unflags the entry).
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<AgendaItemId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.delete_agenda_item(&me.actor, id).await,
        "/agenda?done=removed",
    )
}

/// Puts a check-in's note on the agenda.
pub async fn from_checkin(
    State(state): State<AppState>,
    Path(id): Path<CheckInId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    match state.app.bring_checkin_note(&me.actor, id).await {
        Ok(_) => go("/agenda?done=added"),
        Err(AppError::NotFound | AppError::Invalid(_)) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

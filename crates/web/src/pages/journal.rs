//! The journal: write, read back a page at a time, search, edit, delete, and two gentle
//! flags. Search terms travel in a POST body, never in an address, because a word someone
//! looks for in their journal is as private as the journal.

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::checkin::FieldError;
use domain::journal::{
    JournalCursor, JournalEdit, JournalEntry, JournalEntryId, JournalFilter, JournalInput,
    JournalPage, MAX_ENTRY_CHARS,
};
use serde::Deserialize;
use uuid::Uuid;

use super::TokenForm;
use super::errors::{PageError, PageResult, changed, found, go};
use super::{message_for, render};
use super::{saved_or_again, shown_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// Characters of an entry shown in the list; the whole entry is one tap away.
const PREVIEW_CHARS: usize = 600;

/// One entry in the list.
pub struct EntryView {
    id: JournalEntryId,
    when: String,
    text: String,
    shortened: bool,
    bring: bool,
    parked: bool,
}

fn entry_view(e: &JournalEntry, me: &SignedIn) -> EntryView {
    let tz = me.actor.account().timezone.tz();
    let shortened = e.text.chars().count() > PREVIEW_CHARS;
    let text = if shortened {
        let mut t: String = e.text.chars().take(PREVIEW_CHARS).collect();
        t.push('…');
        t
    } else {
        e.text.clone()
    };
    EntryView {
        id: e.id,
        when: local_time_phrase(e.at, tz, Utc::now()),
        text,
        shortened,
        bring: e.bring_to_session,
        parked: e.parked,
    }
}

/// A filter link.
pub struct FilterLink {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn filter_links(current: JournalFilter) -> Vec<FilterLink> {
    [
        (JournalFilter::All, "/journal", "All entries"),
        (
            JournalFilter::BringToSession,
            "/journal?show=bring_to_session",
            "For my next session",
        ),
        (JournalFilter::Parked, "/journal?show=parked", "Parked"),
    ]
    .into_iter()
    .map(|(f, href, label)| FilterLink {
        href,
        label,
        current: f == current,
    })
    .collect()
}

/// The new-entry form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct WriteForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    bring_to_session: Option<String>,
    #[serde(default)]
    parked: Option<String>,
}

/// The search box as typed; `before` continues a search to older results.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    before: String,
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPageView {
    layout: Layout,
    notice: Option<&'static str>,
    filters: Vec<FilterLink>,
    show: &'static str,
    heading: &'static str,
    entries: Vec<EntryView>,
    /// "Older entries" as a link (browsing) …
    older_link: Option<String>,
    /// … or as a form that carries the search term (searching).
    older_cursor: Option<String>,
    newest_link: Option<String>,
    searching: Option<String>,
    search: String,
    form: WriteForm,
    max_chars: usize,
    errors: Vec<FieldError>,
    /// The current page's cursor, so a one-tap flag returns to the same page.
    before: String,
}

impl JournalPageView {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// Which page of the list: a filter and where to start.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    before: String,
    #[serde(default)]
    done: String,
}

fn filter_of(raw: &str) -> JournalFilter {
    JournalFilter::parse(raw).unwrap_or_default()
}

/// The address of a list page; it carries a filter code and a numeric cursor, nothing typed.
fn list_href(filter: JournalFilter, before: Option<JournalCursor>) -> String {
    let mut params = Vec::new();
    if filter != JournalFilter::All {
        params.push(format!("show={}", filter.code()));
    }
    if let Some(c) = before {
        params.push(format!("before={}", c.to_param()));
    }
    if params.is_empty() {
        "/journal".into()
    } else {
        format!("/journal?{}", params.join("&"))
    }
}

struct Listing {
    filter: JournalFilter,
    search: Option<String>,
    before: Option<JournalCursor>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    listing: Listing,
    form: WriteForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<JournalPageView, AppError> {
    let Listing {
        filter,
        search,
        before,
    } = listing;
    let JournalPage { entries, next } = state
        .app
        .journal_page(&me.actor, filter, search.as_deref(), before)
        .await?;
    let mut form = form;
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let heading = match (filter, search.is_some()) {
        (_, true) => "Search results",
        (JournalFilter::All, _) => "Your entries",
        (JournalFilter::BringToSession, _) => "For my next session",
        (JournalFilter::Parked, _) => "Parked for the session",
    };
    Ok(JournalPageView {
        layout: Layout::signed_in(&me.csrf, "journal"),
        notice,
        filters: filter_links(filter),
        show: filter.code(),
        heading,
        entries: entries.iter().map(|e| entry_view(e, me)).collect(),
        older_link: match &search {
            None => next.map(|c| list_href(filter, Some(c))),
            Some(_) => None,
        },
        older_cursor: match &search {
            Some(_) => next.map(JournalCursor::to_param),
            None => None,
        },
        newest_link: (before.is_some() && search.is_none()).then(|| list_href(filter, None)),
        before: before.map(JournalCursor::to_param).unwrap_or_default(),
        search: search.clone().unwrap_or_default(),
        searching: search,
        form,
        max_chars: MAX_ENTRY_CHARS,
        errors,
    })
}

fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "written" => Some("Saved in your journal."),
        "saved" => Some("Your changes are saved."),
        "parked" => {
            Some("Parked. It will wait here for your session; you don't need to work it out now.")
        }
        "unparked" => Some("Taken out of the parked thoughts."),
        "brought" => Some("On your agenda for the next session."),
        "unbrought" => Some("Taken off your agenda."),
        "deleted" => Some("The entry is deleted."),
        _ => None,
    }
}

/// Lists entries, newest first, a page at a time.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let listing = Listing {
        filter: filter_of(&q.show),
        search: None,
        before: JournalCursor::parse(&q.before),
    };
    let p = page(
        &state,
        &me,
        listing,
        WriteForm::default(),
        Vec::new(),
        notice_for(&q.done),
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

/// Saves a new entry, or shows the form again with what was typed.
pub async fn write(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<WriteForm>,
) -> PageResult {
    let input = JournalInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        at: None,
        text: Some(form.text.clone()),
        bring_to_session: Some(form.bring_to_session.is_some()),
        parked: Some(form.parked.is_some()),
    };
    let result = state.app.write_journal_entry(&me.actor, input).await;
    saved_or_again(result, "/journal?done=written", |errors| {
        let listing = Listing {
            filter: JournalFilter::All,
            search: None,
            before: None,
        };
        page(&state, &me, listing, form, errors, None)
    })
    .await
}

/// Shows the entries containing a word, without the word ever reaching an address.
pub async fn search(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<SearchForm>,
) -> PageResult {
    let filter = filter_of(&form.show);
    let listing = Listing {
        filter,
        search: Some(form.q.clone()),
        before: JournalCursor::parse(&form.before),
    };
    match page(&state, &me, listing, WriteForm::default(), Vec::new(), None).await {
        Ok(p) => Ok(render(StatusCode::OK, &p)),
        Err(AppError::Invalid(errors)) => {
            let listing = Listing {
                filter,
                search: None,
                before: None,
            };
            let mut p = page(&state, &me, listing, WriteForm::default(), errors, None).await?;
            p.search = form.q;
            shown_again(&p)
        }
        Err(e) => Err(e.into()),
    }
}

/// A one-tap flag change from the list.
#[derive(Debug, Default, Deserialize)]
pub struct FlagForm {
    /// `parked` or `bring_to_session`.
    #[serde(default)]
    flag: String,
    /// `1` to set, anything else to clear.
    #[serde(default)]
    on: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    before: String,
}

/// Parks an entry (or brings it to the session, or takes either back) and returns to the
/// same place in the list.
pub async fn flag(
    State(state): State<AppState>,
    Path(id): Path<JournalEntryId>,
    CheckedForm { me, form }: CheckedForm<FlagForm>,
) -> PageResult {
    let on = form.on == "1";
    let (edit, done) = match form.flag.as_str() {
        "parked" => (
            JournalEdit {
                parked: Some(on),
                ..Default::default()
            },
            if on { "parked" } else { "unparked" },
        ),
        "bring_to_session" => (
            JournalEdit {
                bring_to_session: Some(on),
                ..Default::default()
            },
            if on { "brought" } else { "unbrought" },
        ),
        _ => return Err(PageError::NotFound),
    };
    found(state.app.edit_journal_entry(&me.actor, id, edit).await)?;
    let back = list_href(filter_of(&form.show), JournalCursor::parse(&form.before));
    let sep = if back.contains('?') { '&' } else { '?' };
    go(&format!("{back}{sep}done={done}#entry-{id}"))
}

/// The edit form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    bring_to_session: Option<String>,
    #[serde(default)]
    parked: Option<String>,
}

#[derive(Template)]
#[template(path = "journal_edit.html")]
struct EditPage {
    layout: Layout,
    id: JournalEntryId,
    when: String,
    text: String,
    bring: bool,
    parked: bool,
    max_chars: usize,
    errors: Vec<FieldError>,
}

fn edit_page(
    me: &SignedIn,
    e: &JournalEntry,
    form: Option<EditForm>,
    errors: Vec<FieldError>,
) -> EditPage {
    let tz = me.actor.account().timezone.tz();
    let (text, bring, parked) = match form {
        Some(f) => (f.text, f.bring_to_session.is_some(), f.parked.is_some()),
        None => (e.text.clone(), e.bring_to_session, e.parked),
    };
    EditPage {
        layout: Layout::signed_in(&me.csrf, "journal"),
        id: e.id,
        when: format!("Written {}", local_time_phrase(e.at, tz, Utc::now())),
        text,
        bring,
        parked,
        max_chars: MAX_ENTRY_CHARS,
        errors,
    }
}

/// Shows one entry in full, ready to change.
pub async fn edit_show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<JournalEntryId>,
) -> PageResult {
    let e = found(state.app.journal_entry(&me.actor, id).await)?;
    Ok(render(
        StatusCode::OK,
        &edit_page(&me, &e, None, Vec::new()),
    ))
}

/// Saves changes to an entry, or shows them again with what to fix.
pub async fn edit_save(
    State(state): State<AppState>,
    Path(id): Path<JournalEntryId>,
    CheckedForm { me, form }: CheckedForm<EditForm>,
) -> PageResult {
    let edit = JournalEdit {
        text: Some(form.text.clone()),
        bring_to_session: Some(form.bring_to_session.is_some()),
        parked: Some(form.parked.is_some()),
    };
    match state.app.edit_journal_entry(&me.actor, id, edit).await {
        Ok(_) => go(&format!("/journal?done=saved#entry-{id}")),
        Err(AppError::Invalid(errors)) => {
            let e = found(state.app.journal_entry(&me.actor, id).await)?;
            shown_again(&edit_page(&me, &e, Some(form), errors))
        }
        Err(AppError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "journal_delete.html")]
struct DeletePage {
    layout: Layout,
    id: JournalEntryId,
    when: String,
    preview: String,
}

/// Asks before deleting: an entry cannot be brought back.
pub async fn delete_confirm(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<JournalEntryId>,
) -> PageResult {
    let e = found(state.app.journal_entry(&me.actor, id).await)?;
    let view = entry_view(&e, &me);
    Ok(render(
        StatusCode::OK,
        &DeletePage {
            layout: Layout::signed_in(&me.csrf, "journal"),
            id,
            when: view.when,
            preview: view.text,
        },
    ))
}

/// Deletes an entry, and its topic on the agenda.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<JournalEntryId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.delete_journal_entry(&me.actor, id).await,
        "/journal?done=deleted",
    )
}

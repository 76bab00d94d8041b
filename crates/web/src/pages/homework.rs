//! Homework from the therapist: add it, log each time it was done (with a note), and see how
//! it is going. Active homework also shows on the home page until it is done or removed.

use app::{AppError, HomeworkStatus};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use chrono_tz::Tz;
use domain::checkin::FieldError;
use domain::homework::{Frequency, HomeworkEditInput, HomeworkId, HomeworkInput, HomeworkLogInput};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{PageError, PageResult, changed, found, go};
use super::{Choice, message_for, render};
use super::{DoneQuery, TokenForm};
use super::{saved_or_again, shown_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// One time it was done.
pub struct LogView {
    when: String,
    note: Option<String>,
}

/// One piece of homework, ready to show.
pub struct HomeworkView {
    pub(crate) id: HomeworkId,
    pub(crate) text: String,
    pub(crate) how_often: &'static str,
    pub(crate) due: Option<String>,
    pub(crate) overdue: bool,
    pub(crate) progress: String,
    pub(crate) done_today: bool,
    pub(crate) log: Vec<LogView>,
    pub(crate) finished: Option<String>,
    /// A fresh id for the "done" form, so a double tap logs once.
    pub(crate) client_id: String,
    /// "From your therapist Dr Rivera" when a therapist assigned it through the app.
    pub(crate) from_therapist: Option<String>,
}

/// "Tuesday 1 December" for a due date.
fn due_phrase(d: chrono::NaiveDate) -> String {
    d.format("%A %-d %B").to_string()
}

/// The homework as the list and the home page show it.
pub fn view(h: &HomeworkStatus, tz: Tz) -> HomeworkView {
    let now = Utc::now();
    let hw = &h.homework;
    HomeworkView {
        id: hw.id,
        text: hw.text.clone(),
        how_often: hw.frequency.label(),
        due: hw.due_on.map(due_phrase),
        overdue: h.progress.overdue,
        progress: h.progress.sentence(hw.frequency),
        done_today: h.progress.done_today,
        log: h
            .log
            .iter()
            .rev()
            .map(|l| LogView {
                when: local_time_phrase(l.at, tz, now),
                note: l.note.clone(),
            })
            .collect(),
        finished: hw.finished_at.map(|f| local_time_phrase(f, tz, now)),
        client_id: Uuid::new_v4().to_string(),
        from_therapist: hw.from_therapist.as_deref().map(from_therapist),
    }
}

/// Who assigned homework, in the words the list shows.
pub fn from_therapist(name: &str) -> String {
    match name.trim() {
        "" => "From your therapist".to_string(),
        name => format!("From your therapist {name}"),
    }
}

/// The add-homework form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    frequency: String,
}

#[derive(Template)]
#[template(path = "homework.html")]
struct HomeworkPage {
    layout: Layout,
    notice: Option<&'static str>,
    active: Vec<HomeworkView>,
    finished: Vec<HomeworkView>,
    form: AddForm,
    frequencies: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl HomeworkPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// How often homework is meant to be done, as the options of a form's select, `selected`
/// (a frequency's code) chosen.
pub(super) fn frequency_choices(selected: &str) -> Vec<Choice> {
    Frequency::ALL
        .iter()
        .map(|f| Choice::new(f.code(), f.label(), selected == f.code()))
        .collect()
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    mut form: AddForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<HomeworkPage, AppError> {
    let all = state.app.homework(&me.actor, true, Utc::now()).await?;
    let tz = me.actor.account().timezone.tz();
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let (finished, active): (Vec<_>, Vec<_>) =
        all.iter().partition(|h| h.homework.finished_at.is_some());
    Ok(HomeworkPage {
        layout: Layout::signed_in(&me.csrf, "homework"),
        notice,
        active: active.into_iter().map(|h| view(h, tz)).collect(),
        finished: finished.into_iter().rev().map(|h| view(h, tz)).collect(),
        frequencies: frequency_choices(&form.frequency),
        form,
        errors,
    })
}

/// Lists homework and offers the form.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.notice(&[
        (
            "added",
            "Homework added. It shows on your home page until it's done.",
        ),
        ("logged", "Well done. It's in your log."),
        ("finished", "Marked as finished."),
        ("reopened", "Back on your list."),
        ("removed", "Homework removed."),
    ]);
    let p = page(&state, &me, AddForm::default(), Vec::new(), notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// Adds homework, or shows the form again with what to fix.
pub async fn add(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<AddForm>,
) -> PageResult {
    let input = HomeworkInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        text: Some(form.text.clone()),
        due_on: Some(form.due_on.clone()),
        frequency: Some(form.frequency.clone()),
    };
    let result = state.app.add_homework(&me.actor, input).await;
    saved_or_again(result, "/homework?done=added", |errors| {
        page(&state, &me, form, errors, None)
    })
    .await
}

/// The "done" form, from this page or the home page.
#[derive(Debug, Default, Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    note: String,
    /// `home` to go back to the home page.
    #[serde(default)]
    back: String,
}

/// Logs that the homework was done.
pub async fn done(
    State(state): State<AppState>,
    Path(id): Path<HomeworkId>,
    CheckedForm { me, form }: CheckedForm<DoneForm>,
) -> PageResult {
    let input = HomeworkLogInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        at: None,
        note: Some(form.note),
    };
    match state.app.log_homework(&me.actor, id, input).await {
        Ok(_) if form.back == "home" => go("/?homework=1"),
        Ok(_) => go(&format!("/homework?done=logged#homework-{id}")),
        Err(AppError::Invalid(errors)) => {
            shown_again(&page(&state, &me, AddForm::default(), errors, None).await?)
        }
        Err(AppError::NotFound) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// "Finished with this" or "back on my list".
#[derive(Deserialize)]
pub struct FinishForm {
    #[serde(default)]
    on: String,
}

/// Marks homework finished, or puts it back on the list.
pub async fn finish(
    State(state): State<AppState>,
    Path(id): Path<HomeworkId>,
    CheckedForm { me, form }: CheckedForm<FinishForm>,
) -> PageResult {
    let on = form.on == "1";
    let edit = HomeworkEditInput {
        finished: Some(on),
        ..Default::default()
    };
    found(state.app.edit_homework(&me.actor, id, edit).await)?;
    go(if on {
        "/homework?done=finished"
    } else {
        "/homework?done=reopened"
    })
}

/// Removes homework and its log.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<HomeworkId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.delete_homework(&me.actor, id).await,
        "/homework?done=removed",
    )
}

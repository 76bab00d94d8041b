//! Feedback for the therapist: what did not sit well and what helped, tied to a session,
//! together with the feedback written in post-session check-ins.

use std::collections::HashMap;

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::checkin::FieldError;
use domain::feedback::{FeedbackInput, FeedbackKind, FeedbackNoteId};
use domain::therapy::TherapySessionId;
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{PageResult, changed};
use super::saved_or_again;
use super::{Choice, message_for, render};
use super::{DoneQuery, TokenForm};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// Sessions offered in the picker: the recent past ones.
const PICKER_DAYS: i64 = 120;

/// One note, ready to show.
pub struct NoteView {
    id: FeedbackNoteId,
    kind: &'static str,
    helped: bool,
    session: String,
    written: String,
    text: String,
}

/// Feedback from a post-session check-in.
pub struct SessionFeedbackView {
    session: String,
    written: String,
    text: String,
}

/// "the session on Tuesday 3 November" in the person's zone.
pub fn session_phrase(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "the session on {}",
        at.with_timezone(&tz).format("%A %-d %B")
    )
}

/// The add-feedback form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    layout: Layout,
    notice: Option<&'static str>,
    sessions: Vec<Choice>,
    kinds: Vec<Choice>,
    form: AddForm,
    errors: Vec<FieldError>,
    notes: Vec<NoteView>,
    from_checkins: Vec<SessionFeedbackView>,
}

impl FeedbackPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    mut form: AddForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<FeedbackPage, AppError> {
    let now = Utc::now();
    let tz = me.actor.account().timezone.tz();
    let (sessions, notes, from_checkins) = tokio::try_join!(
        state.app.sessions(&me.actor, None, Some(now)),
        state.app.feedback_notes(&me.actor, None, None),
        state.app.session_feedback(&me.actor, None, None),
    )?;
    let when: HashMap<TherapySessionId, DateTime<Utc>> =
        sessions.iter().map(|s| (s.id, s.at)).collect();
    let label = |id: Option<TherapySessionId>| match id.and_then(|i| when.get(&i)) {
        Some(at) => format!("About {}", session_phrase(*at, tz)),
        None => "Not about one session".to_string(),
    };
    if form.client_id.is_empty() {
        form.client_id = Uuid::new_v4().to_string();
        // Feedback is usually about the latest session.
        form.session_id = sessions
            .last()
            .map(|s| s.id.to_string())
            .unwrap_or_default();
    }
    let recent = now - Duration::days(PICKER_DAYS);
    let mut choices: Vec<Choice> = sessions
        .iter()
        .rev()
        .filter(|s| s.at >= recent)
        .map(|s| {
            Choice::new(
                s.id.to_string(),
                format!(
                    "{} at {}",
                    s.at.with_timezone(&tz).format("%A %-d %B"),
                    s.at.with_timezone(&tz).format("%H:%M")
                ),
                form.session_id == s.id.to_string(),
            )
        })
        .collect();
    choices.push(Choice::new(
        String::new(),
        "Not about one session",
        form.session_id.is_empty(),
    ));
    Ok(FeedbackPage {
        layout: Layout::signed_in(&me.csrf, "feedback"),
        notice,
        sessions: choices,
        kinds: FeedbackKind::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label(), form.kind == k.code()))
            .collect(),
        notes: notes
            .iter()
            .rev()
            .map(|n| NoteView {
                id: n.id,
                kind: n.kind.label(),
                helped: n.kind == FeedbackKind::Helped,
                session: label(n.session_id),
                written: local_time_phrase(n.created_at, tz, now),
                text: n.text.clone(),
            })
            .collect(),
        from_checkins: from_checkins
            .iter()
            .rev()
            .map(|r| SessionFeedbackView {
                session: label(r.session_id),
                written: local_time_phrase(r.at, tz, now),
                text: r.text.clone(),
            })
            .collect(),
        form,
        errors,
    })
}

/// Shows the notes and the form.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let notice = q.notice(&[
        (
            "added",
            "Saved. It will be in your summary for the next session.",
        ),
        ("removed", "Note removed."),
    ]);
    let p = page(&state, &me, AddForm::default(), Vec::new(), notice).await?;
    Ok(render(StatusCode::OK, &p))
}

/// Saves a note, or shows the form again with what was typed.
pub async fn add(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<AddForm>,
) -> PageResult {
    let input = FeedbackInput {
        client_id: Uuid::parse_str(form.client_id.trim()).ok(),
        session_id: form.session_id.trim().parse().ok(),
        kind: Some(form.kind.clone()),
        text: Some(form.text.clone()),
    };
    let result = state.app.add_feedback(&me.actor, input).await;
    saved_or_again(result, "/feedback?done=added", |errors| {
        page(&state, &me, form, errors, None)
    })
    .await
}

/// Removes a note.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<FeedbackNoteId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.delete_feedback(&me.actor, id).await,
        "/feedback?done=removed",
    )
}

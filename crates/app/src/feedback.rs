//! Feedback for the therapist: notes written on their own and the feedback part of a
//! post-session check-in, kept so they can be brought up in the next session.

use chrono::{DateTime, Utc};
use domain::feedback::{FeedbackInput, FeedbackNote, FeedbackNoteId, ReflectionFeedback};
use domain::idempotency::Written;

use crate::{Actor, App, AppError};

impl App {
    /// Stores a feedback note (idempotent on its client id).
    pub async fn add_feedback(
        &self,
        actor: &Actor,
        input: FeedbackInput,
    ) -> Result<(FeedbackNote, Written), AppError> {
        let note = input.validate().map_err(AppError::Invalid)?;
        let stored = self.store.insert_feedback(actor.account.id, &note).await?;
        if stored.1 == Written::Existing && !note.same_submission(&stored.0) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// Feedback notes written with `from <= at < to`, oldest first.
    pub async fn feedback_notes(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<FeedbackNote>, AppError> {
        Ok(self
            .store
            .feedback_notes(actor.account.id, from, to)
            .await?)
    }

    /// Removes a feedback note.
    pub async fn delete_feedback(&self, actor: &Actor, id: FeedbackNoteId) -> Result<(), AppError> {
        if self.store.delete_feedback(actor.account.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The feedback written in post-session check-ins with `from <= at < to`.
    pub async fn session_feedback(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<ReflectionFeedback>, AppError> {
        Ok(self
            .store
            .reflection_feedback(actor.account.id, from, to)
            .await?)
    }
}

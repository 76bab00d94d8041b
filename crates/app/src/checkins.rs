//! Recording and reading daily check-ins.

use chrono::{DateTime, Utc};
use domain::checkin::{CheckIn, CheckInId, CheckInInput, FieldError, NewCheckIn};
use domain::history::CheckInRecord;
use domain::idempotency::Written;

use crate::{Actor, App, AppError};

impl App {
    /// Validates and stores a check-in for the actor; the same client id again returns the
    /// stored one with [`Written::Existing`]. Returned only after the write is durable.
    pub async fn record_checkin(
        &self,
        actor: &Actor,
        input: CheckInInput,
    ) -> Result<(CheckIn, Written), AppError> {
        let at_sent = input.at;
        let checkin = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        self.store_checkin(actor, &checkin, at_sent).await
    }

    /// Stores an already validated check-in for the actor (idempotent on its client id).
    /// `at_sent` is the time as the person sent it, `None` when it was filled with "now".
    /// A retry with different content is [`AppError::ClientIdConflict`].
    pub async fn store_checkin(
        &self,
        actor: &Actor,
        checkin: &NewCheckIn,
        at_sent: Option<DateTime<Utc>>,
    ) -> Result<(CheckIn, Written), AppError> {
        let stored = self.store.insert_checkin(actor.account.id, checkin).await?;
        if stored.1 == Written::Existing && !checkin.same_submission(&stored.0.content, at_sent) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// One of the actor's check-ins; [`AppError::NotFound`] when it isn't theirs.
    pub async fn checkin(&self, actor: &Actor, id: CheckInId) -> Result<CheckIn, AppError> {
        self.store
            .checkin(actor.account.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Replaces the mood and details of one of the actor's check-ins saved in the last
    /// [`domain::checkin::DETAILS_EDITABLE_HOURS`] hours ("add more" after a one-tap
    /// check-in). Its time and client id stay; guidance is reassessed with the change.
    /// Sending the same details again changes nothing, so a retry is harmless.
    pub async fn update_checkin(
        &self,
        actor: &Actor,
        id: CheckInId,
        input: CheckInInput,
    ) -> Result<CheckIn, AppError> {
        let now = Utc::now();
        let stored = self.checkin(actor, id).await?;
        if !stored.editable(now) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "mood",
                "This check-in is more than a day old, so it can't be changed now. \
                 Please make a new check-in instead.",
            )]));
        }
        let input = CheckInInput {
            client_id: Some(stored.content.client_id),
            at: Some(stored.content.at),
            ..input
        };
        // The stored time is in the past by now; it is checked against when it was saved.
        let content = input
            .validate(stored.created_at.max(stored.content.at))
            .map_err(AppError::Invalid)?;
        self.store
            .update_checkin(actor.account.id, id, &content)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The actor's check-ins with `from <= at < to`, oldest first.
    pub async fn checkins(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckIn>, AppError> {
        Ok(self.store.checkins(actor.account.id, from, to).await?)
    }

    /// What guidance reads of the actor's check-ins with `from <= at < to`, oldest first,
    /// without the words (which stay sealed): for moods, counts and the usual mood.
    pub async fn checkin_records(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckInRecord>, AppError> {
        Ok(self
            .store
            .checkin_records(actor.account.id, from, to)
            .await?)
    }

    /// The actor's latest check-in, if any.
    pub async fn last_checkin(&self, actor: &Actor) -> Result<Option<CheckIn>, AppError> {
        Ok(self.store.last_checkin(actor.account.id).await?)
    }
}

//! Recording and reading daily check-ins.

use chrono::{DateTime, Utc};
use domain::checkin::{CheckIn, CheckInInput, NewCheckIn};
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

    /// The actor's check-ins with `from <= at < to`, oldest first.
    pub async fn checkins(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckIn>, AppError> {
        Ok(self.store.checkins(actor.account.id, from, to).await?)
    }
}

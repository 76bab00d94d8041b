//! Recording and reading daily check-ins.

use chrono::{DateTime, Utc};
use domain::checkin::{CheckIn, CheckInInput, NewCheckIn};
use store::Written;

use crate::{Actor, App, AppError};

impl App {
    /// Validates and stores a check-in for the actor; the same client id again returns the
    /// stored one with [`Written::Existing`]. Returned only after the write is durable.
    pub async fn record_checkin(
        &self,
        actor: &Actor,
        input: CheckInInput,
    ) -> Result<(CheckIn, Written), AppError> {
        let checkin = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        self.store_checkin(actor, &checkin).await
    }

    /// Stores an already validated check-in for the actor (idempotent on its client id).
    pub async fn store_checkin(
        &self,
        actor: &Actor,
        checkin: &NewCheckIn,
    ) -> Result<(CheckIn, Written), AppError> {
        let stored = self.store.insert_checkin(actor.account.id, checkin).await?;
        // The write is durable already; a failure to re-assess must not lose it.
        if let Err(e) = self.reassess(actor, Utc::now()).await {
            tracing::error!(error = %e, "re-assessing guidance after a check-in failed");
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

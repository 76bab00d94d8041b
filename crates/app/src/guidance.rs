//! "How am I doing?": today's guidance from the summary the store keeps with every write,
//! the record of each change of level, and a person's whole history for export.

use chrono::{DateTime, Utc};
use domain::guidance::Guidance;
use domain::history::{History, SessionRecord};
use store::GuidanceChange;

use crate::{Actor, App, AppError};

impl App {
    /// The actor's history since `from` (all of it with `None`), in the `between assess` format.
    pub async fn history(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
    ) -> Result<History, AppError> {
        let account = &actor.account;
        let mut history = History::new(account.timezone);
        history.usual_mood = account.usual_mood;
        history.sessions = self
            .store
            .therapy_sessions(account.id, from, None)
            .await?
            .into_iter()
            .map(|s| SessionRecord { at: s.at })
            .collect();
        history.checkins = self
            .store
            .checkins(account.id, from, None)
            .await?
            .into_iter()
            .map(|c| c.content.record())
            .collect();
        history.coping = self
            .store
            .coping_uses(account.id, from, None)
            .await?
            .iter()
            .map(|u| u.content.record())
            .collect();
        history.questionnaires = self
            .store
            .questionnaires(account.id, None, from)
            .await?
            .into_iter()
            .map(|q| q.content.record())
            .collect();
        Ok(history)
    }

    /// Today's guidance for the actor, from the summary the store keeps current with each
    /// write; a change of level (time alone can bring one) is recorded once.
    pub async fn guidance(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Guidance, AppError> {
        Ok(self.store.current_guidance(actor.account.id, now).await?)
    }

    /// Every recorded change of level since `from`, oldest first.
    pub async fn guidance_history(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<GuidanceChange>, AppError> {
        Ok(self.store.guidance_history(actor.account.id, from).await?)
    }

    /// The actor for an account named on the command line, for operator commands such as
    /// `between export`; the operator already holds the database.
    pub async fn operator_actor(&self, email: &str) -> Result<Actor, AppError> {
        let email =
            domain::account::Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let (account, _) = self
            .store
            .account_for_sign_in(&email)
            .await?
            .ok_or_else(|| AppError::field("email", "No account has that email address."))?;
        Ok(Actor::new(account, crate::AuthMethod::Operator))
    }
}

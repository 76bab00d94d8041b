//! "How am I doing?": builds the person's history from the store, runs the pure guidance
//! engine, and keeps a record of each change of level.

use chrono::{DateTime, Duration, Utc};
use domain::guidance::{self, Guidance};
use domain::history::{CheckInRecord, History, QuestionnaireRecord, SessionRecord};
use store::GuidanceChange;

use crate::{Actor, App, AppError};

/// Only the last 35 days can change today's answer (the baseline window ends 34 days back);
/// 60 leaves room without reading a person's whole history on every page.
const ASSESS_LOOKBACK_DAYS: i64 = 60;

impl App {
    /// The actor's history since `from` (all of it with `None`), in the `between assess` format.
    pub async fn history(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
    ) -> Result<History, AppError> {
        self.history_with(actor, from, from).await
    }

    /// The history with check-ins and sessions since `from`, and questionnaires since
    /// `questionnaires_from`.
    async fn history_with(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        questionnaires_from: Option<DateTime<Utc>>,
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
            .map(|c| {
                let mut r = CheckInRecord::new(c.content.at, c.content.mood);
                r.anxiety = c.content.anxiety;
                r.energy = c.content.energy;
                r.missed_usual_activities = c.content.missed_usual_activities;
                r.self_harm_thoughts = c.content.self_harm_thoughts;
                r
            })
            .collect();
        history.coping = self
            .store
            .coping_uses(account.id, from, None)
            .await?
            .iter()
            .map(|u| u.content.record())
            .collect();
        history.questionnaires = self
            .questionnaire_records(actor, questionnaires_from)
            .await?;
        Ok(history)
    }

    /// The actor's questionnaires since `from` as the engine reads them.
    async fn questionnaire_records(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<QuestionnaireRecord>, AppError> {
        Ok(self
            .store
            .questionnaires(actor.account.id, None, from)
            .await?
            .into_iter()
            .map(|q| QuestionnaireRecord {
                at: q.content.at,
                answers: q.content.answers,
            })
            .collect())
    }

    /// Today's guidance for the actor, recording it when the level changed.
    pub async fn guidance(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Guidance, AppError> {
        self.reassess(actor, now).await
    }

    /// Runs the engine and stores a new level with its reasons when it differs from the last.
    pub(crate) async fn reassess(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Guidance, AppError> {
        // Reliable deterioration compares with the very first score, however old; there
        // are only a couple a month, so all of them are read.
        let history = self
            .history_with(
                actor,
                Some(now - Duration::days(ASSESS_LOOKBACK_DAYS)),
                None,
            )
            .await?;
        let result = guidance::assess(&history, now);
        let last = self.store.latest_guidance(actor.account.id).await?;
        if last.as_ref().map(|l| l.level) != Some(result.level) {
            let reasons = serde_json::to_value(&result.reasons).map_err(AppError::internal)?;
            self.store
                .record_guidance(
                    actor.account.id,
                    &GuidanceChange {
                        at: now,
                        level: result.level,
                        reasons,
                    },
                )
                .await?;
        }
        Ok(result)
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
        Ok(Actor { account })
    }
}

//! PHQ-9 and GAD-7: recording them, reading them back, and when to offer them.

use chrono::{DateTime, Utc};
use domain::idempotency::Written;
use domain::questionnaire::{
    Due, Instrument, NewQuestionnaire, Questionnaire, QuestionnaireId, QuestionnaireInput, Schedule,
};

use crate::{Actor, App, AppError};

/// A questionnaire the home page should offer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireDue {
    /// Which one.
    pub instrument: Instrument,
    /// Why now.
    pub due: Due,
}

impl App {
    /// Validates and stores a questionnaire for the actor, then re-assesses guidance (a PHQ-9
    /// item 9 above 0 makes it urgent at once). The same client id again returns the stored
    /// one with [`Written::Existing`].
    pub async fn record_questionnaire(
        &self,
        actor: &Actor,
        input: QuestionnaireInput,
    ) -> Result<(Questionnaire, Written), AppError> {
        let at_sent = input.at;
        let checked = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        self.store_questionnaire(actor, &checked, at_sent).await
    }

    /// Stores an already validated questionnaire for the actor (idempotent on its client id).
    /// `at_sent` is the time as sent, `None` when it was filled with "now"; a retry with
    /// different answers is [`AppError::ClientIdConflict`].
    pub async fn store_questionnaire(
        &self,
        actor: &Actor,
        questionnaire: &NewQuestionnaire,
        at_sent: Option<DateTime<Utc>>,
    ) -> Result<(Questionnaire, Written), AppError> {
        let stored = self
            .store
            .insert_questionnaire(actor.account.id, questionnaire)
            .await?;
        if stored.1 == Written::Existing
            && !questionnaire.same_submission(&stored.0.content, at_sent)
        {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// The actor's questionnaires (of one instrument, or all) since `from`, oldest first.
    pub async fn questionnaires(
        &self,
        actor: &Actor,
        instrument: Option<Instrument>,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<Questionnaire>, AppError> {
        Ok(self
            .store
            .questionnaires(actor.account.id, instrument, from)
            .await?)
    }

    /// One of the actor's questionnaires by id; [`AppError::NotFound`] when it is not theirs.
    pub async fn questionnaire(
        &self,
        actor: &Actor,
        id: QuestionnaireId,
    ) -> Result<Questionnaire, AppError> {
        self.store
            .questionnaire(actor.account.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Which questionnaires to offer now, PHQ-9 first, with the default schedule.
    pub async fn questionnaires_due(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuestionnaireDue>, AppError> {
        let schedule = Schedule::default();
        let next_session = self.next_session(actor, now).await?.map(|s| s.at);
        let mut due = Vec::new();
        for instrument in Instrument::ALL {
            let last = self
                .store
                .latest_questionnaire(actor.account.id, instrument, now)
                .await?
                .map(|q| q.content.at);
            if let Some(when) = schedule.due(last, next_session, now) {
                due.push(QuestionnaireDue {
                    instrument,
                    due: when,
                });
            }
        }
        Ok(due)
    }
}

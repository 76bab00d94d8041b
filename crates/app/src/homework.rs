//! Homework from the therapist and how it is going.

use chrono::{DateTime, Utc};
use domain::homework::{
    Homework, HomeworkEditInput, HomeworkId, HomeworkInput, HomeworkLog, HomeworkLogInput, Progress,
};
use domain::idempotency::Written;

use crate::{Actor, App, AppError};

/// Homework with its log and progress in the person's days.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeworkStatus {
    /// The homework.
    pub homework: Homework,
    /// Every time it was done, oldest first.
    pub log: Vec<HomeworkLog>,
    /// How it is going today.
    pub progress: Progress,
}

impl App {
    /// Validates and stores homework (idempotent on its client id).
    pub async fn add_homework(
        &self,
        actor: &Actor,
        input: HomeworkInput,
    ) -> Result<(Homework, Written), AppError> {
        let today = actor.account.timezone.local_day(Utc::now());
        let homework = input.validate(today).map_err(AppError::Invalid)?;
        let stored = self
            .store
            .insert_homework(actor.account.id, &homework)
            .await?;
        if stored.1 == Written::Existing && !homework.same_submission(&stored.0) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// The actor's homework with its log and progress as of `now`; finished too when asked.
    pub async fn homework(
        &self,
        actor: &Actor,
        include_finished: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<HomeworkStatus>, AppError> {
        let id = actor.account.id;
        let (list, logs) = tokio::try_join!(
            self.store.homework_list(id, include_finished),
            self.store.homework_logs_of_listed(id, include_finished),
        )?;
        let tz = actor.account.timezone;
        let today = tz.local_day(now);
        Ok(list
            .into_iter()
            .map(|homework| {
                let log: Vec<HomeworkLog> = logs
                    .iter()
                    .filter(|l| l.homework_id == homework.id)
                    .cloned()
                    .collect();
                let days: Vec<_> = log.iter().map(|l| tz.local_day(l.at)).collect();
                let added_on = tz.local_day(homework.created_at);
                let progress = Progress::of(&homework, added_on, &days, today);
                HomeworkStatus {
                    homework,
                    log,
                    progress,
                }
            })
            .collect())
    }

    /// Changes homework: its text, due date, frequency, or whether it is finished.
    pub async fn edit_homework(
        &self,
        actor: &Actor,
        id: HomeworkId,
        input: HomeworkEditInput,
    ) -> Result<Homework, AppError> {
        let today = actor.account.timezone.local_day(Utc::now());
        let edit = input.validate(today).map_err(AppError::Invalid)?;
        self.store
            .edit_homework(actor.account.id, id, &edit, Utc::now())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Removes homework and its log.
    pub async fn delete_homework(&self, actor: &Actor, id: HomeworkId) -> Result<(), AppError> {
        if self.store.delete_homework(actor.account.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Logs that homework was done (idempotent on the log's client id).
    pub async fn log_homework(
        &self,
        actor: &Actor,
        id: HomeworkId,
        input: HomeworkLogInput,
    ) -> Result<(HomeworkLog, Written), AppError> {
        let at_sent = input.at;
        let log = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        let stored = self
            .store
            .log_homework(actor.account.id, id, &log)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored.1 == Written::Existing && !log.same_submission(id, &stored.0, at_sent) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }
}

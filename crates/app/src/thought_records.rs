//! Thought records ("Untangle a thought"): write (idempotent on the client id), read a page
//! (drafts or finished, optionally only those with a word), change, bring to the next
//! session and delete. The store keeps each record's agenda topic and coping use in step.

use domain::idempotency::Written;
use domain::journal::check_search;
use domain::thought_record::{
    PAGE_SIZE, RecordCursor, RecordFilter, RecordPage, ThoughtRecord, ThoughtRecordEdit,
    ThoughtRecordId, ThoughtRecordInput,
};
use store::RecordQuery;

use crate::{Actor, App, AppError};

impl App {
    /// Validates and stores a record; the same client id again returns the stored record,
    /// and with other content is [`AppError::ClientIdConflict`].
    pub async fn write_thought_record(
        &self,
        actor: &Actor,
        input: ThoughtRecordInput,
    ) -> Result<(ThoughtRecord, Written), AppError> {
        let record = input.validate().map_err(AppError::Invalid)?;
        let stored = self
            .store
            .insert_thought_record(actor.account.id, &record)
            .await?;
        if stored.1 == Written::Existing && !record.same_submission(&stored.0) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// One of the actor's records; [`AppError::NotFound`] when it is not theirs.
    pub async fn thought_record(
        &self,
        actor: &Actor,
        id: ThoughtRecordId,
    ) -> Result<ThoughtRecord, AppError> {
        self.store
            .thought_record(actor.account.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// A page of the actor's records, newest first, optionally only those with a word.
    pub async fn thought_record_page(
        &self,
        actor: &Actor,
        filter: RecordFilter,
        search: Option<&str>,
        before: Option<RecordCursor>,
    ) -> Result<RecordPage, AppError> {
        let search = search
            .map(|s| check_search(s).map_err(|e| AppError::Invalid(vec![e])))
            .transpose()?;
        Ok(self
            .store
            .thought_record_page(
                actor.account.id,
                &RecordQuery {
                    filter,
                    search,
                    before,
                    limit: PAGE_SIZE,
                },
            )
            .await?)
    }

    /// Changes a record (the parts left out stay); its agenda topic and its use follow.
    pub async fn edit_thought_record(
        &self,
        actor: &Actor,
        id: ThoughtRecordId,
        edit: ThoughtRecordEdit,
    ) -> Result<ThoughtRecord, AppError> {
        let stored = self.thought_record(actor, id).await?;
        let change = edit.apply(&stored).map_err(AppError::Invalid)?;
        self.store
            .edit_thought_record(actor.account.id, id, &change)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Puts a record on the agenda for the next session (once, however often asked).
    pub async fn bring_thought_record(
        &self,
        actor: &Actor,
        id: ThoughtRecordId,
    ) -> Result<ThoughtRecord, AppError> {
        self.edit_thought_record(
            actor,
            id,
            ThoughtRecordEdit {
                bring_to_session: Some(true),
                ..Default::default()
            },
        )
        .await
    }

    /// Deletes a record, its agenda topic and its use of the tool.
    pub async fn delete_thought_record(
        &self,
        actor: &Actor,
        id: ThoughtRecordId,
    ) -> Result<(), AppError> {
        if self
            .store
            .delete_thought_record(actor.account.id, id)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

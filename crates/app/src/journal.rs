//! The journal and the agenda's newer half: topics from the journal and from check-ins,
//! idempotent adds, the person's own order, and "we talked about this".

use chrono::{DateTime, Utc};
use domain::checkin::{CheckInId, FieldError};
use domain::idempotency::Written;
use domain::journal::{
    JournalCursor, JournalEdit, JournalEntry, JournalEntryId, JournalFilter, JournalInput,
    JournalPage, PAGE_SIZE, check_search,
};
use domain::order::Move;
use domain::therapy::{AgendaItem, AgendaItemId, AgendaSource, MAX_TOPIC_CHARS};
use store::JournalQuery;
use uuid::Uuid;

use crate::{Actor, App, AppError};

/// Checks a topic typed by hand or sent through the API.
pub(crate) fn check_topic(text: &str) -> Result<String, AppError> {
    let text = domain::text::clean("text", text).map_err(|e| AppError::Invalid(vec![e]))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "Please write the topic first."));
    }
    if text.chars().count() > MAX_TOPIC_CHARS {
        return Err(AppError::Invalid(vec![FieldError::new(
            "text",
            format!("Please keep a topic under {MAX_TOPIC_CHARS} characters."),
        )]));
    }
    Ok(text.to_string())
}

impl App {
    /// Validates and stores a journal entry (idempotent on its client id); flagged for the
    /// session, its first line joins the agenda in the same write.
    pub async fn write_journal_entry(
        &self,
        actor: &Actor,
        input: JournalInput,
    ) -> Result<(JournalEntry, Written), AppError> {
        let at_sent = input.at;
        let entry = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        let stored = self
            .store
            .insert_journal_entry(actor.account.id, &entry)
            .await?;
        if stored.1 == Written::Existing && !entry.same_submission(&stored.0, at_sent) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// One of the actor's entries; [`AppError::NotFound`] when it is not theirs.
    pub async fn journal_entry(
        &self,
        actor: &Actor,
        id: JournalEntryId,
    ) -> Result<JournalEntry, AppError> {
        self.store
            .journal_entry(actor.account.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// A page of the actor's journal, newest first, optionally only entries with a word.
    pub async fn journal_page(
        &self,
        actor: &Actor,
        filter: JournalFilter,
        search: Option<&str>,
        before: Option<JournalCursor>,
    ) -> Result<JournalPage, AppError> {
        let search = search
            .map(|s| check_search(s).map_err(|e| AppError::Invalid(vec![e])))
            .transpose()?;
        Ok(self
            .store
            .journal_page(
                actor.account.id,
                &JournalQuery {
                    filter,
                    search,
                    before,
                    limit: PAGE_SIZE,
                },
            )
            .await?)
    }

    /// Changes an entry; its agenda topic follows.
    pub async fn edit_journal_entry(
        &self,
        actor: &Actor,
        id: JournalEntryId,
        edit: JournalEdit,
    ) -> Result<JournalEntry, AppError> {
        let edit = edit.validate().map_err(AppError::Invalid)?;
        self.store
            .edit_journal_entry(actor.account.id, id, &edit)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Deletes an entry and its agenda topic.
    pub async fn delete_journal_entry(
        &self,
        actor: &Actor,
        id: JournalEntryId,
    ) -> Result<(), AppError> {
        if self
            .store
            .delete_journal_entry(actor.account.id, id)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Adds a topic once per client id; the same id again returns the stored topic, and
    /// the same id with another text is [`AppError::ClientIdConflict`].
    pub async fn add_agenda_topic(
        &self,
        actor: &Actor,
        client_id: Uuid,
        text: &str,
    ) -> Result<(AgendaItem, Written), AppError> {
        let text = check_topic(text)?;
        let stored = self
            .store
            .insert_agenda_item(actor.account.id, client_id, &text, AgendaSource::Manual)
            .await?;
        if stored.1 == Written::Existing && stored.0.text != text {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// Puts a check-in's note on the agenda (its first line, as a topic). The topic takes
    /// the check-in's own client id, so one note becomes at most one topic.
    pub async fn bring_checkin_note(
        &self,
        actor: &Actor,
        checkin_id: CheckInId,
    ) -> Result<(AgendaItem, Written), AppError> {
        // Check-ins carry no reverse lookup by id; the last year is plenty for a note someone
        // is looking at on their history page.
        let since = Utc::now() - chrono::Duration::days(366);
        let checkin = self
            .store
            .checkins(actor.account.id, Some(since), None)
            .await?
            .into_iter()
            .find(|c| c.id == checkin_id)
            .ok_or(AppError::NotFound)?;
        let client_id = checkin.content.client_id;
        let note = checkin
            .content
            .note
            .ok_or_else(|| AppError::field("note", "That check-in has no note to bring."))?;
        Ok(self
            .store
            .insert_agenda_item(
                actor.account.id,
                client_id,
                &domain::journal::topic(&note),
                AgendaSource::CheckIn,
            )
            .await?)
    }

    /// Moves an open topic one place up or down; at the top (or bottom) nothing changes.
    pub async fn move_agenda_item(
        &self,
        actor: &Actor,
        id: AgendaItemId,
        direction: Move,
    ) -> Result<(), AppError> {
        if self
            .store
            .move_agenda_item(actor.account.id, id, direction)
            .await?
        {
            return Ok(());
        }
        // The store cannot tell "not yours" from "already at the end"; the agenda can.
        let mine = self
            .store
            .agenda(actor.account.id, true)
            .await?
            .iter()
            .any(|i| i.id == id);
        if mine {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Removes a topic; one from the journal is then no longer flagged there.
    pub async fn delete_agenda_item(
        &self,
        actor: &Actor,
        id: AgendaItemId,
    ) -> Result<(), AppError> {
        if self.store.delete_agenda_item(actor.account.id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Marks several open topics as discussed at `at` (a session's time); ids that are not
    /// the actor's open topics are skipped. Returns how many were marked.
    pub async fn mark_discussed(
        &self,
        actor: &Actor,
        ids: &[AgendaItemId],
        at: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let open = self.store.agenda(actor.account.id, false).await?;
        let mut marked = 0;
        for item in open.iter().filter(|i| ids.contains(&i.id)) {
            if self
                .store
                .set_agenda_discussed(actor.account.id, item.id, Some(at))
                .await?
            {
                marked += 1;
            }
        }
        Ok(marked)
    }
}

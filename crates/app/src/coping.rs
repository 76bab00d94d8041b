//! The coping toolkit: recording uses, learning what works for this person, and their own
//! self-care and distraction lists.

use chrono::{DateTime, Utc};
use domain::checkin::FieldError;
use domain::coping::lists::{MAX_LIST_ITEMS, list_item_text};
use domain::coping::{
    CopingUse, CopingUseInput, ListItem, ListItemId, ListKind, NewCopingUse, Suggestion, ToolId,
    ToolStats, ranking, suggest,
};
use domain::guidance::Level;
use domain::idempotency::Written;
use domain::order::Move;

use crate::{Actor, App, AppError};

/// Where the uses of a tool with pages of its own come from, when they can't be posted as a
/// plain use: each is kept in step with its record or night, which a loose use would not be.
fn logged_elsewhere(tool: ToolId) -> Option<&'static str> {
    match tool {
        ToolId::ThoughtRecord => Some(
            "A thought record counts as a use by itself: save it with POST /api/v1/thought-records.",
        ),
        ToolId::BedtimeRoutine => Some(
            "A night of the bedtime routine is logged with POST /api/v1/bedtime-routine/nights.",
        ),
        _ => None,
    }
}

impl App {
    /// Validates and stores a use of a tool (idempotent on its client id). A `park-it` note
    /// joins the agenda in the same write. Guidance is re-assessed, because uses that bring
    /// no relief while low are a reason to reach out.
    pub async fn record_coping_use(
        &self,
        actor: &Actor,
        input: CopingUseInput,
    ) -> Result<(CopingUse, Written), AppError> {
        let started_sent = input.started_at;
        let new = input.validate(Utc::now()).map_err(AppError::Invalid)?;
        if let Some(message) = logged_elsewhere(new.tool) {
            return Err(AppError::Invalid(vec![FieldError::new("tool", message)]));
        }
        self.store_coping_use(actor, &new, started_sent).await
    }

    /// Stores an already validated use for the actor (idempotent on its client id).
    /// `started_sent` is the start as sent, `None` when it was filled with "now"; a retry
    /// with different content is [`AppError::ClientIdConflict`].
    pub async fn store_coping_use(
        &self,
        actor: &Actor,
        new: &NewCopingUse,
        started_sent: Option<DateTime<Utc>>,
    ) -> Result<(CopingUse, Written), AppError> {
        let stored = self.store.insert_coping_use(actor.account.id, new).await?;
        if stored.1 == Written::Existing && !new.same_submission(&stored.0.content, started_sent) {
            return Err(AppError::ClientIdConflict);
        }
        Ok(stored)
    }

    /// The actor's uses with `from <= started_at < to`, oldest first.
    pub async fn coping_uses(
        &self,
        actor: &Actor,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CopingUse>, AppError> {
        Ok(self.store.coping_uses(actor.account.id, from, to).await?)
    }

    /// The use the actor wrote last, if any.
    pub async fn last_coping_use(&self, actor: &Actor) -> Result<Option<CopingUse>, AppError> {
        Ok(self.store.last_coping_use(actor.account.id).await?)
    }

    /// "What works for me": a summary for every tool the actor has used, in catalogue order,
    /// from the totals the store keeps with each use (never from every use).
    pub async fn coping_stats(&self, actor: &Actor) -> Result<Vec<ToolStats>, AppError> {
        let totals = self.store.coping_totals(actor.account.id).await?;
        Ok(ranking::stats_of(&totals))
    }

    /// The tools with enough rated uses to rank, best first (helpful or not).
    pub async fn ranked_tools(&self, actor: &Actor) -> Result<Vec<ToolStats>, AppError> {
        Ok(ranking::ranked_of(&self.coping_stats(actor).await?))
    }

    /// Up to `n` tools that have eased the actor's distress, best first: what the safety
    /// plan, the backsliding plan and the session brief offer as "what helped before".
    pub async fn best_tools(&self, actor: &Actor, n: usize) -> Result<Vec<ToolId>, AppError> {
        Ok(ranking::best_of(&self.ranked_tools(actor).await?, n))
    }

    /// The tools to offer first at a guidance level, after a night that was short or not.
    pub async fn suggested_tools(
        &self,
        actor: &Actor,
        level: Level,
        short_sleep: bool,
    ) -> Result<Suggestion, AppError> {
        Ok(suggest(
            level,
            &self.ranked_tools(actor).await?,
            short_sleep,
        ))
    }

    /// One of the actor's own lists, in their order.
    pub async fn coping_list(
        &self,
        actor: &Actor,
        kind: ListKind,
    ) -> Result<Vec<ListItem>, AppError> {
        Ok(self.store.coping_list(actor.account.id, kind).await?)
    }

    /// Adds an item at the end of one of the actor's lists.
    pub async fn add_list_item(
        &self,
        actor: &Actor,
        kind: ListKind,
        text: &str,
    ) -> Result<ListItem, AppError> {
        let text = list_item_text(text).map_err(|e| AppError::Invalid(vec![e]))?;
        let count = self.store.coping_list(actor.account.id, kind).await?.len();
        if count >= MAX_LIST_ITEMS {
            return Err(AppError::field(
                "text",
                format!("A list holds up to {MAX_LIST_ITEMS} things; remove one to add another."),
            ));
        }
        Ok(self
            .store
            .add_list_item(actor.account.id, kind, &text)
            .await?)
    }

    /// Changes the text of an item on one of the actor's lists.
    pub async fn edit_list_item(
        &self,
        actor: &Actor,
        id: ListItemId,
        text: &str,
    ) -> Result<(), AppError> {
        let text = list_item_text(text).map_err(|e| AppError::Invalid(vec![e]))?;
        found(
            self.store
                .update_list_item(actor.account.id, id, &text)
                .await?,
        )
    }

    /// Moves an item one place up or down its list.
    pub async fn move_list_item(
        &self,
        actor: &Actor,
        id: ListItemId,
        direction: Move,
    ) -> Result<(), AppError> {
        found(
            self.store
                .move_list_item(actor.account.id, id, direction)
                .await?,
        )
    }

    /// Removes an item from one of the actor's lists.
    pub async fn remove_list_item(&self, actor: &Actor, id: ListItemId) -> Result<(), AppError> {
        found(self.store.delete_list_item(actor.account.id, id).await?)
    }
}

fn found(done: bool) -> Result<(), AppError> {
    if done {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

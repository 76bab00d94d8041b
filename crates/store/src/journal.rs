//! The journal: entries written between sessions, searchable and pageable.
//!
//! A journal entry is "brought to the next session" exactly when an open agenda topic points
//! at it. Keeping that one fact in one place means marking the topic discussed, removing it
//! from the agenda or deleting the entry can never leave the flag and the agenda disagreeing.

use async_trait::async_trait;
use domain::account::AccountId;
use domain::idempotency::Written;
use domain::journal::{
    JournalCursor, JournalEdit, JournalEntry, JournalEntryId, JournalFilter, JournalPage,
    NewJournalEntry,
};

use crate::StoreError;
use crate::rows::client_id;

/// Which page of the journal to read.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    /// Which entries.
    pub filter: JournalFilter,
    /// Only entries containing this text, case-insensitively.
    pub search: Option<String>,
    /// Start just older than this entry; `None` for the newest.
    pub before: Option<JournalCursor>,
    /// How many entries at most.
    pub limit: usize,
}

/// The text as it is kept for search: folded to lower case here, not in SQL, because
/// SQLite's `LOWER()` folds only ASCII and PostgreSQL's folds everything.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A `LIKE` pattern that finds `term` anywhere, with `\` escaping the wildcard characters.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in fold(term).chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The journal, scoped to one account.
#[async_trait]
pub trait JournalStore: Send + Sync {
    /// Stores an entry once per client id (a retry returns the stored one); when it is to be
    /// brought to the next session, its topic joins the agenda in the same transaction.
    async fn insert_journal_entry(
        &self,
        account: AccountId,
        entry: &NewJournalEntry,
    ) -> Result<(JournalEntry, Written), StoreError>;
    /// One entry.
    async fn journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
    ) -> Result<Option<JournalEntry>, StoreError>;
    /// A page of entries, newest first.
    async fn journal_page(
        &self,
        account: AccountId,
        query: &JournalQuery,
    ) -> Result<JournalPage, StoreError>;
    /// Changes an entry and keeps its agenda topic in step; `None` when not this account's.
    async fn edit_journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
        edit: &JournalEdit,
    ) -> Result<Option<JournalEntry>, StoreError>;
    /// Deletes an entry and its agenda topics; false when not this account's.
    async fn delete_journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
    ) -> Result<bool, StoreError>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct JournalRow {
    pub id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub text: String,
    pub parked: bool,
    pub bring: bool,
    pub updated_ms: i64,
}

impl JournalRow {
    pub fn into_entry(self) -> Result<JournalEntry, StoreError> {
        Ok(JournalEntry {
            id: JournalEntryId(self.id),
            client_id: client_id(&self.client_id, "journal")?,
            at: crate::rows::from_ms(self.at_ms)?,
            text: self.text,
            bring_to_session: self.bring,
            parked: self.parked,
            updated_at: crate::rows::from_ms(self.updated_ms)?,
        })
    }
}

macro_rules! journal_columns {
    () => {
        "e.id, e.client_id, e.at_ms, e.text, e.parked, e.updated_ms, \
         EXISTS (SELECT 1 FROM agenda_items a \
                 WHERE a.journal_entry_id = e.id AND a.discussed_ms IS NULL) AS bring"
    };
}

macro_rules! impl_journal_store {
    ($ty:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::journal::JournalStore for $ty {
            async fn insert_journal_entry(
                &self,
                account: domain::account::AccountId,
                e: &domain::journal::NewJournalEntry,
            ) -> Result<(domain::journal::JournalEntry, $crate::Written), $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let ((id,), written): ((i64,), _) = insert_or_existing!(
                    &mut *tx, account, e.client_id,
                    into "journal_entries" ("id")
                    "(account_id, client_id, at_ms, text, search_text, parked, created_ms, \
                     updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    |q| q
                        .bind(account.0)
                        .bind(e.client_id.to_string())
                        .bind($crate::rows::ms(e.at))
                        .bind(&e.text)
                        .bind($crate::journal::fold(&e.text))
                        .bind(e.parked)
                        .bind(now)
                );
                if written == $crate::Written::Created && e.bring_to_session {
                    Self::bring_journal_entry(
                        &mut tx,
                        account,
                        domain::journal::JournalEntryId(id),
                        &e.text,
                        now,
                    )
                    .await?;
                }
                tx.commit().await?;
                let id = domain::journal::JournalEntryId(id);
                let entry = Self::journal_entry_in(self.writer(), account, id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new entry vanished".into()))?;
                Ok((entry, written))
            }

            async fn journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                Self::journal_entry_in(self.reader(), account, id).await
            }

            async fn journal_page(
                &self,
                account: domain::account::AccountId,
                q: &$crate::journal::JournalQuery,
            ) -> Result<domain::journal::JournalPage, $crate::StoreError> {
                use domain::journal::JournalFilter;
                let limit = q.limit.clamp(1, 200);
                let before = q.before.unwrap_or(domain::journal::JournalCursor {
                    at_ms: i64::MAX,
                    id: domain::journal::JournalEntryId(i64::MAX),
                });
                let rows: Vec<$crate::journal::JournalRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    journal_columns!(),
                    " FROM journal_entries e WHERE e.account_id = $1 \
                     AND ($2 IS NULL OR e.search_text LIKE $2 ESCAPE '\\') \
                     AND (NOT $3 OR e.parked) \
                     AND (NOT $4 OR EXISTS (SELECT 1 FROM agenda_items a \
                          WHERE a.journal_entry_id = e.id AND a.discussed_ms IS NULL)) \
                     AND (e.at_ms, e.id) < ($5, $6) \
                     ORDER BY e.at_ms DESC, e.id DESC LIMIT $7"
                ))
                .bind(account.0)
                .bind(q.search.as_deref().map($crate::journal::like_pattern))
                .bind(q.filter == JournalFilter::Parked)
                .bind(q.filter == JournalFilter::BringToSession)
                .bind(before.at_ms)
                .bind(before.id.0)
                // One more than asked says whether an older page exists.
                .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX))
                .fetch_all(self.reader())
                .await?;
                let mut entries = rows
                    .into_iter()
                    .map($crate::journal::JournalRow::into_entry)
                    .collect::<Result<Vec<_>, _>>()?;
                let next = if entries.len() > limit {
                    entries.truncate(limit);
                    entries.last().map(domain::journal::JournalCursor::after)
                } else {
                    None
                };
                Ok(domain::journal::JournalPage { entries, next })
            }

            async fn edit_journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
                edit: &domain::journal::JournalEdit,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let current: Option<String> = sqlx::query_scalar(
                    "SELECT text FROM journal_entries WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(current) = current else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let text = edit.text.clone().unwrap_or(current);
                sqlx::query(
                    "UPDATE journal_entries SET text = $1, search_text = $2, \
                     parked = COALESCE($3, parked), updated_ms = $4 \
                     WHERE account_id = $5 AND id = $6",
                )
                .bind(&text)
                .bind($crate::journal::fold(&text))
                .bind(edit.parked)
                .bind(now)
                .bind(account.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                if edit.text.is_some() {
                    sqlx::query(
                        "UPDATE agenda_items SET text = $1 \
                         WHERE account_id = $2 AND journal_entry_id = $3 AND discussed_ms IS NULL",
                    )
                    .bind(domain::journal::topic(&text))
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                }
                match edit.bring_to_session {
                    Some(true) => Self::bring_journal_entry(&mut tx, account, id, &text, now).await?,
                    Some(false) => {
                        sqlx::query(
                            "DELETE FROM agenda_items WHERE account_id = $1 \
                             AND journal_entry_id = $2 AND discussed_ms IS NULL",
                        )
                        .bind(account.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {}
                }
                tx.commit().await?;
                Self::journal_entry_in(self.writer(), account, id).await
            }

            async fn delete_journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
            ) -> Result<bool, $crate::StoreError> {
                // Its agenda topics go with it (ON DELETE CASCADE).
                delete_owned!(self, "journal_entries", account, id)
            }
        }

        impl $ty {
            /// Puts the entry's topic on the agenda unless an open topic stands for it already.
            async fn bring_journal_entry(
                tx: &mut sqlx::Transaction<'_, $db>,
                account: domain::account::AccountId,
                entry_id: domain::journal::JournalEntryId,
                text: &str,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO agenda_items (account_id, text, source, created_ms, \
                     journal_entry_id) SELECT $1, $2, 'journal', $3, $4 WHERE NOT EXISTS \
                     (SELECT 1 FROM agenda_items WHERE journal_entry_id = $4 \
                      AND discussed_ms IS NULL)",
                )
                .bind(account.0)
                .bind(domain::journal::topic(text))
                .bind(now)
                .bind(entry_id.0)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn journal_entry_in(
                executor: &sqlx::Pool<$db>,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let row: Option<$crate::journal::JournalRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    journal_columns!(),
                    " FROM journal_entries e WHERE e.account_id = $1 AND e.id = $2"
                ))
                .bind(account.0)
                .bind(id.0)
                .fetch_optional(executor)
                .await?;
                row.map($crate::journal::JournalRow::into_entry).transpose()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_wildcards_and_fold_case() {
        assert_eq!(like_pattern("Sleep"), "%sleep%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern("ÄRGER"), "%ärger%");
        assert_eq!(fold("Ärger İst"), "ärger i̇st");
    }
}

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
use crate::sqlite::Sql;

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

db_row! {
pub(crate) struct JournalRow {
    pub id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub text: String,
    pub parked: bool,
    pub updated_ms: i64,
    pub bring: bool,
}
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

/// The insert's column list and values, shared by both backends (`$7` is both the creation
/// and the first update time).
macro_rules! journal_values {
    () => {
        "(account_id, client_id, at_ms, text, search_text, parked, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    };
}

/// One of the account's (`$1`) entries by id (`$2`).
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    journal_columns!(),
    " FROM journal_entries e WHERE e.account_id = $1 AND e.id = $2"
);

/// A page of the account's (`$1`) entries, newest first: `$2` the search pattern (`NULL` for
/// all), `$3` parked only, `$4` brought to the session only, `($5, $6)` the cursor's
/// (at, id) to start just older than, `$7` how many.
pub(crate) const PAGE: &str = concat!(
    "SELECT ",
    journal_columns!(),
    " FROM journal_entries e WHERE e.account_id = $1 \
     AND ($2 IS NULL OR e.search_text LIKE $2 ESCAPE '\\') \
     AND (NOT $3 OR e.parked) \
     AND (NOT $4 OR EXISTS (SELECT 1 FROM agenda_items a \
          WHERE a.journal_entry_id = e.id AND a.discussed_ms IS NULL)) \
     AND (e.at_ms, e.id) < ($5, $6) \
     ORDER BY e.at_ms DESC, e.id DESC LIMIT $7"
);

/// The text of the account's (`$1`) entry `$2`.
pub(crate) const CURRENT_TEXT: &str =
    "SELECT text FROM journal_entries WHERE account_id = $1 AND id = $2";

/// Changes an entry: `$1` text, `$2` its folded form, `$3` parked (`NULL` to leave it),
/// `$4` now, `$5` account, `$6` id.
pub(crate) const EDIT: &str = "UPDATE journal_entries SET text = $1, search_text = $2, \
     parked = COALESCE($3, parked), updated_ms = $4 \
     WHERE account_id = $5 AND id = $6";

/// Gives the entry's (`$3`) open agenda topic the text `$1`; `$2` the account.
pub(crate) const RETITLE_TOPIC: &str = "UPDATE agenda_items SET text = $1 \
     WHERE account_id = $2 AND journal_entry_id = $3 AND discussed_ms IS NULL";

/// Takes the entry's (`$2`) open topic off the account's (`$1`) agenda.
pub(crate) const UNBRING: &str = "DELETE FROM agenda_items WHERE account_id = $1 \
     AND journal_entry_id = $2 AND discussed_ms IS NULL";

/// Puts the entry's (`$4`) topic (`$2`) on the account's (`$1`) agenda at `$3`, unless an
/// open topic stands for it already.
pub(crate) const BRING: &str = "INSERT INTO agenda_items (account_id, text, source, created_ms, \
     journal_entry_id) SELECT $1, $2, 'journal', $3, $4 WHERE NOT EXISTS \
     (SELECT 1 FROM agenda_items WHERE journal_entry_id = $4 \
      AND discussed_ms IS NULL)";

/// Deletes the account's (`$1`) entry `$2`; its agenda topics go with it (ON DELETE
/// CASCADE). The same statement `delete_owned!` runs on PostgreSQL.
pub(crate) const DELETE: &str = "DELETE FROM journal_entries WHERE account_id = $1 AND id = $2";

/// What [`PAGE`] binds after the account, worked out once so both backends read the same
/// page for the same query.
pub(crate) struct PageArgs {
    /// `$2`: the search pattern, if any.
    pub pattern: Option<String>,
    /// `$3`: parked entries only.
    pub parked: bool,
    /// `$4`: entries brought to the session only.
    pub bring: bool,
    /// `$5`: the cursor's time (the newest entries when there is no cursor).
    pub before_ms: i64,
    /// `$6`: the cursor's entry id.
    pub before_id: i64,
    /// `$7`: one more than the page holds, which says whether an older page exists.
    pub fetch: i64,
    /// How many entries the page holds.
    pub limit: usize,
}

impl PageArgs {
    /// The binds for a query.
    pub fn new(q: &JournalQuery) -> PageArgs {
        let limit = q.limit.clamp(1, 200);
        let before = q.before.unwrap_or(JournalCursor {
            at_ms: i64::MAX,
            id: JournalEntryId(i64::MAX),
        });
        PageArgs {
            pattern: q.search.as_deref().map(like_pattern),
            parked: q.filter == JournalFilter::Parked,
            bring: q.filter == JournalFilter::BringToSession,
            before_ms: before.at_ms,
            before_id: before.id.0,
            fetch: i64::try_from(limit + 1).unwrap_or(i64::MAX),
            limit,
        }
    }

    /// The page from the rows read: at most `limit` entries, and a cursor when more exist.
    pub fn page(&self, rows: Vec<JournalRow>) -> Result<JournalPage, StoreError> {
        let mut entries = rows
            .into_iter()
            .map(JournalRow::into_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if entries.len() > self.limit {
            entries.truncate(self.limit);
            entries.last().map(JournalCursor::after)
        } else {
            None
        };
        Ok(JournalPage { entries, next })
    }
}

/// Puts the entry's topic on the agenda unless an open topic stands for it already.
fn bring(
    conn: &rusqlite::Connection,
    account: AccountId,
    entry_id: JournalEntryId,
    text: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.exec(
        BRING,
        &[&account.0, &domain::journal::topic(text), &now, &entry_id.0],
    )?;
    Ok(())
}

#[async_trait]
impl JournalStore for crate::sqlite::SqliteStore {
    async fn insert_journal_entry(
        &self,
        account: AccountId,
        e: &NewJournalEntry,
    ) -> Result<(JournalEntry, Written), StoreError> {
        let e = e.clone();
        let (row, written): (JournalRow, Written) = self
            .db()?
            .write(move |conn| {
                let now = crate::rows::ms(chrono::Utc::now());
                let ((id,), written): ((i64,), Written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("journal_entries", "id", journal_values!()),
                    existing_sql!("journal_entries", "id"),
                    &[
                        &account.0,
                        &e.client_id.to_string(),
                        &crate::rows::ms(e.at),
                        &e.text,
                        &fold(&e.text),
                        &e.parked,
                        &now,
                    ],
                    account,
                    e.client_id,
                )?;
                if written == Written::Created && e.bring_to_session {
                    bring(conn, account, JournalEntryId(id), &e.text, now)?;
                }
                // Read in the same write, so the agenda's part is seen with it.
                let row = conn
                    .row(ONE, &[&account.0, &id])?
                    .ok_or_else(|| StoreError::Corrupt("new entry vanished".into()))?;
                Ok((row, written))
            })
            .await?;
        Ok((row.into_entry()?, written))
    }

    async fn journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
    ) -> Result<Option<JournalEntry>, StoreError> {
        self.optional_row(ONE, &[&account.0, &id.0], JournalRow::into_entry)
    }

    async fn journal_page(
        &self,
        account: AccountId,
        q: &JournalQuery,
    ) -> Result<JournalPage, StoreError> {
        let args = PageArgs::new(q);
        let rows: Vec<JournalRow> = self.db()?.read(|conn| {
            conn.rows(
                PAGE,
                &[
                    &account.0,
                    &args.pattern,
                    &args.parked,
                    &args.bring,
                    &args.before_ms,
                    &args.before_id,
                    &args.fetch,
                ],
            )
        })?;
        args.page(rows)
    }

    async fn edit_journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
        edit: &JournalEdit,
    ) -> Result<Option<JournalEntry>, StoreError> {
        let edit = edit.clone();
        let row: Option<JournalRow> = self
            .db()?
            .write(move |conn| {
                let now = crate::rows::ms(chrono::Utc::now());
                let Some(current) = conn.scalar::<String>(CURRENT_TEXT, &[&account.0, &id.0])?
                else {
                    return Ok(None);
                };
                let text = edit.text.clone().unwrap_or(current);
                conn.exec(
                    EDIT,
                    &[&text, &fold(&text), &edit.parked, &now, &account.0, &id.0],
                )?;
                if edit.text.is_some() {
                    conn.exec(
                        RETITLE_TOPIC,
                        &[&domain::journal::topic(&text), &account.0, &id.0],
                    )?;
                }
                match edit.bring_to_session {
                    Some(true) => bring(conn, account, id, &text, now)?,
                    Some(false) => {
                        conn.exec(UNBRING, &[&account.0, &id.0])?;
                    }
                    None => {}
                }
                conn.row(ONE, &[&account.0, &id.0])
            })
            .await?;
        row.map(JournalRow::into_entry).transpose()
    }

    async fn delete_journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
    ) -> Result<bool, StoreError> {
        self.delete_owned(DELETE, account, id.0).await
    }
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
                    into "journal_entries" ("id") journal_values!(),
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
                let args = $crate::journal::PageArgs::new(q);
                let rows: Vec<$crate::journal::JournalRow> =
                    sqlx::query_as($crate::journal::PAGE)
                        .bind(account.0)
                        .bind(&args.pattern)
                        .bind(args.parked)
                        .bind(args.bring)
                        .bind(args.before_ms)
                        .bind(args.before_id)
                        .bind(args.fetch)
                        .fetch_all(self.reader())
                        .await?;
                args.page(rows)
            }

            async fn edit_journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
                edit: &domain::journal::JournalEdit,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let current: Option<String> = sqlx::query_scalar($crate::journal::CURRENT_TEXT)
                    .bind(account.0)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(current) = current else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let text = edit.text.clone().unwrap_or(current);
                sqlx::query($crate::journal::EDIT)
                    .bind(&text)
                    .bind($crate::journal::fold(&text))
                    .bind(edit.parked)
                    .bind(now)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                if edit.text.is_some() {
                    sqlx::query($crate::journal::RETITLE_TOPIC)
                        .bind(domain::journal::topic(&text))
                        .bind(account.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                match edit.bring_to_session {
                    Some(true) => Self::bring_journal_entry(&mut tx, account, id, &text, now).await?,
                    Some(false) => {
                        sqlx::query($crate::journal::UNBRING)
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
                let done = sqlx::query($crate::journal::DELETE)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
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
                sqlx::query($crate::journal::BRING)
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
                let row: Option<$crate::journal::JournalRow> =
                    sqlx::query_as($crate::journal::ONE)
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

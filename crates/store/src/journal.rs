//! The journal: entries written between sessions, searchable and pageable.
//!
//! A journal entry is "brought to the next session" exactly when an open agenda topic points
//! at it. Keeping that one fact in one place means marking the topic discussed, removing it
//! from the agenda or deleting the entry can never leave the flag and the agenda disagreeing.

use std::borrow::Cow;

use async_trait::async_trait;
use domain::account::AccountId;
use domain::idempotency::Written;
use domain::journal::{
    JournalCursor, JournalEdit, JournalEntry, JournalEntryId, JournalFilter, JournalPage,
    NewJournalEntry,
};

use crate::StoreError;
use crate::rows::client_id;
use crate::sealed_search::{Batch, Scan};
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::JOURNAL_TEXT;

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
    /// The entry, its words opened with the account's key.
    pub fn into_entry(self, key: &DataKey) -> Result<JournalEntry, StoreError> {
        Ok(JournalEntry {
            id: JournalEntryId(self.id),
            client_id: client_id(&self.client_id, "journal")?,
            at: crate::rows::from_ms(self.at_ms)?,
            text: key.open(JOURNAL_TEXT, &self.client_id, &self.text)?,
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
        "(account_id, client_id, at_ms, text, parked, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)"
    };
}

/// One of the account's (`$1`) entries by id (`$2`).
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    journal_columns!(),
    " FROM journal_entries e WHERE e.account_id = $1 AND e.id = $2"
);

/// A page of the account's (`$1`) entries, newest first: `$2` parked only, `$3` brought to
/// the session only, `($4, $5)` the cursor's (at, id) to start just older than, `$6` how many
/// (for a search, a batch of entries to open and match in the app).
pub(crate) const PAGE: &str = concat!(
    "SELECT ",
    journal_columns!(),
    " FROM journal_entries e WHERE e.account_id = $1 \
     AND (NOT $2 OR e.parked) \
     AND (NOT $3 OR EXISTS (SELECT 1 FROM agenda_items a \
          WHERE a.journal_entry_id = e.id AND a.discussed_ms IS NULL)) \
     AND (e.at_ms, e.id) < ($4, $5) \
     ORDER BY e.at_ms DESC, e.id DESC LIMIT $6"
);

/// The client id and sealed text of the account's (`$1`) entry `$2`.
pub(crate) const CURRENT_TEXT: &str =
    "SELECT client_id, text FROM journal_entries WHERE account_id = $1 AND id = $2";

/// Changes an entry: `$1` the sealed text, `$2` parked (`NULL` to leave it), `$3` now, `$4`
/// account, `$5` id.
pub(crate) const EDIT: &str = "UPDATE journal_entries SET text = $1, \
     parked = COALESCE($2, parked), updated_ms = $3 \
     WHERE account_id = $4 AND id = $5";

/// The ids of the entry's (`$2`) open agenda topics (`$1` the account), whose text follows
/// the entry's.
pub(crate) const OPEN_TOPICS: &str = "SELECT id FROM agenda_items \
     WHERE account_id = $1 AND journal_entry_id = $2 AND discussed_ms IS NULL";

/// Takes the entry's (`$2`) open topic off the account's (`$1`) agenda.
pub(crate) const UNBRING: &str = "DELETE FROM agenda_items WHERE account_id = $1 \
     AND journal_entry_id = $2 AND discussed_ms IS NULL";

/// Puts a topic for the entry (`$3`) on the account's (`$1`) agenda at `$2`, unless an open
/// topic stands for it already; its id when one was added, whose text is sealed next.
pub(crate) const BRING: &str = "INSERT INTO agenda_items (account_id, text, source, created_ms, \
     journal_entry_id) SELECT $1, '', 'journal', $2, $3 WHERE NOT EXISTS \
     (SELECT 1 FROM agenda_items WHERE journal_entry_id = $3 \
      AND discussed_ms IS NULL) RETURNING id";

/// Deletes the account's (`$1`) entry `$2`; its agenda topics go with it (ON DELETE
/// CASCADE). The same statement `delete_owned!` runs on PostgreSQL.
pub(crate) const DELETE: &str = "DELETE FROM journal_entries WHERE account_id = $1 AND id = $2";

/// A read of one page through [`PAGE`]: the filters it binds after the account (`$2`, `$3`),
/// worked out once so both backends read the same page for the same query, and the shared
/// scan that reads it batch by batch (`$4` to `$6`).
pub(crate) struct PageScan {
    /// `$2`: parked entries only.
    pub parked: bool,
    /// `$3`: entries brought to the session only.
    pub bring: bool,
    scan: Scan<JournalEntry>,
}

impl PageScan {
    /// The scan for a query.
    pub fn new(q: &JournalQuery) -> PageScan {
        let before = q.before.map_or((i64::MAX, i64::MAX), |c| (c.at_ms, c.id.0));
        PageScan {
            parked: q.filter == JournalFilter::Parked,
            bring: q.filter == JournalFilter::BringToSession,
            scan: Scan::new(q.limit, before, q.search.as_deref()),
        }
    }

    /// The next batch to read, or `None` when the page is done.
    pub fn next_batch(&self) -> Option<Batch> {
        self.scan.next_batch()
    }

    /// Takes in a batch read, opening each entry with the account's key.
    pub fn take(&mut self, rows: Vec<JournalRow>, key: &DataKey) -> Result<(), StoreError> {
        self.scan.take(
            rows,
            |r| (r.at_ms, r.id),
            |r| r.into_entry(key),
            |e| Cow::Borrowed(e.text.as_str()),
        )
    }

    /// The page: at most `limit` entries, and a cursor when more exist.
    pub fn page(self) -> JournalPage {
        let (entries, more) = self.scan.into_page();
        JournalPage {
            next: entries.last().filter(|_| more).map(JournalCursor::after),
            entries,
        }
    }
}

/// Puts the entry's topic on the agenda unless an open topic stands for it already.
fn bring(
    conn: &rusqlite::Connection,
    key: &DataKey,
    account: AccountId,
    entry_id: JournalEntryId,
    text: &str,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(topic) = conn.scalar::<i64>(BRING, &[&account.0, &now, &entry_id.0])? {
        crate::agenda::seal_text_sqlite(conn, key, account, topic, &domain::journal::topic(text))?;
    }
    Ok(())
}

/// Gives the entry's open topics its new first words.
fn retitle(
    conn: &rusqlite::Connection,
    key: &DataKey,
    account: AccountId,
    entry_id: JournalEntryId,
    text: &str,
) -> Result<(), StoreError> {
    let topics: Vec<(i64,)> = conn.rows(OPEN_TOPICS, &[&account.0, &entry_id.0])?;
    for (topic,) in topics {
        crate::agenda::seal_text_sqlite(conn, key, account, topic, &domain::journal::topic(text))?;
    }
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
        let vault = self.vault();
        let (row, written): (JournalRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let now = crate::rows::ms(chrono::Utc::now());
                let ((id,), written): ((i64,), Written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("journal_entries", "id", journal_values!()),
                    existing_sql!("journal_entries", "id"),
                    &[
                        &account.0,
                        &e.client_id.to_string(),
                        &crate::rows::ms(e.at),
                        &key.seal(JOURNAL_TEXT, &e.client_id.to_string(), &e.text),
                        &e.parked,
                        &now,
                    ],
                    account,
                    e.client_id,
                )?;
                if written == Written::Created && e.bring_to_session {
                    bring(conn, &key, account, JournalEntryId(id), &e.text, now)?;
                }
                // Read in the same write, so the agenda's part is seen with it.
                let row = conn
                    .row(ONE, &[&account.0, &id])?
                    .ok_or_else(|| StoreError::Corrupt("new entry vanished".into()))?;
                Ok((row, written))
            })
            .await?;
        Ok((row.into_entry(&self.data_key(account)?)?, written))
    }

    async fn journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
    ) -> Result<Option<JournalEntry>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(ONE, &[&account.0, &id.0], |row: JournalRow| {
            row.into_entry(&key)
        })
    }

    async fn journal_page(
        &self,
        account: AccountId,
        q: &JournalQuery,
    ) -> Result<JournalPage, StoreError> {
        let key = self.data_key(account)?;
        let mut scan = PageScan::new(q);
        while let Some(batch) = scan.next_batch() {
            let rows: Vec<JournalRow> = self.db()?.read(|conn| {
                conn.rows(
                    PAGE,
                    &[
                        &account.0,
                        &scan.parked,
                        &scan.bring,
                        &batch.before_ms,
                        &batch.before_id,
                        &batch.fetch,
                    ],
                )
            })?;
            scan.take(rows, &key)?;
        }
        Ok(scan.page())
    }

    async fn edit_journal_entry(
        &self,
        account: AccountId,
        id: JournalEntryId,
        edit: &JournalEdit,
    ) -> Result<Option<JournalEntry>, StoreError> {
        let edit = edit.clone();
        let vault = self.vault();
        let row: Option<JournalRow> = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let now = crate::rows::ms(chrono::Utc::now());
                let Some((client_id, current)) =
                    conn.row::<(String, String)>(CURRENT_TEXT, &[&account.0, &id.0])?
                else {
                    return Ok(None);
                };
                let text = match edit.text.clone() {
                    Some(t) => t,
                    None => key.open(JOURNAL_TEXT, &client_id, &current)?,
                };
                conn.exec(
                    EDIT,
                    &[
                        &key.seal(JOURNAL_TEXT, &client_id, &text),
                        &edit.parked,
                        &now,
                        &account.0,
                        &id.0,
                    ],
                )?;
                if edit.text.is_some() {
                    retitle(conn, &key, account, id, &text)?;
                }
                match edit.bring_to_session {
                    Some(true) => bring(conn, &key, account, id, &text, now)?,
                    Some(false) => {
                        conn.exec(UNBRING, &[&account.0, &id.0])?;
                    }
                    None => {}
                }
                conn.row(ONE, &[&account.0, &id.0])
            })
            .await?;
        let key = self.data_key(account)?;
        row.map(|r| r.into_entry(&key)).transpose()
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
                let key = self.data_key(&mut *tx, account).await?;
                let sealed =
                    key.seal($crate::vault::sealed::JOURNAL_TEXT, &e.client_id.to_string(), &e.text);
                let ((id,), written): ((i64,), _) = insert_or_existing!(
                    &mut *tx, account, e.client_id,
                    into "journal_entries" ("id") journal_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(e.client_id.to_string())
                        .bind($crate::rows::ms(e.at))
                        .bind(&sealed)
                        .bind(e.parked)
                        .bind(now)
                );
                if written == $crate::Written::Created && e.bring_to_session {
                    Self::bring_journal_entry(
                        &mut tx,
                        &key,
                        account,
                        domain::journal::JournalEntryId(id),
                        &e.text,
                        now,
                    )
                    .await?;
                }
                tx.commit().await?;
                let id = domain::journal::JournalEntryId(id);
                let entry = Self::journal_entry_in(self.writer(), &key, account, id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new entry vanished".into()))?;
                Ok((entry, written))
            }

            async fn journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                Self::journal_entry_in(self.reader(), &key, account, id).await
            }

            async fn journal_page(
                &self,
                account: domain::account::AccountId,
                q: &$crate::journal::JournalQuery,
            ) -> Result<domain::journal::JournalPage, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                let mut scan = $crate::journal::PageScan::new(q);
                while let Some(batch) = scan.next_batch() {
                    let rows: Vec<$crate::journal::JournalRow> =
                        sqlx::query_as($crate::journal::PAGE)
                            .bind(account.0)
                            .bind(scan.parked)
                            .bind(scan.bring)
                            .bind(batch.before_ms)
                            .bind(batch.before_id)
                            .bind(batch.fetch)
                            .fetch_all(self.reader())
                            .await?;
                    scan.take(rows, &key)?;
                }
                Ok(scan.page())
            }

            async fn edit_journal_entry(
                &self,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
                edit: &domain::journal::JournalEdit,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let current: Option<(String, String)> =
                    sqlx::query_as($crate::journal::CURRENT_TEXT)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((client_id, current)) = current else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let column = $crate::vault::sealed::JOURNAL_TEXT;
                let text = match edit.text.clone() {
                    Some(t) => t,
                    None => key.open(column, &client_id, &current)?,
                };
                sqlx::query($crate::journal::EDIT)
                    .bind(key.seal(column, &client_id, &text))
                    .bind(edit.parked)
                    .bind(now)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                if edit.text.is_some() {
                    let topics: Vec<i64> = sqlx::query_scalar($crate::journal::OPEN_TOPICS)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await?;
                    for topic in topics {
                        $crate::agenda::seal_text_postgres(
                            &mut *tx,
                            &key,
                            account,
                            topic,
                            &domain::journal::topic(&text),
                        )
                        .await?;
                    }
                }
                match edit.bring_to_session {
                    Some(true) => {
                        Self::bring_journal_entry(&mut tx, &key, account, id, &text, now).await?
                    }
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
                Self::journal_entry_in(self.writer(), &key, account, id).await
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
                key: &$crate::vault::DataKey,
                account: domain::account::AccountId,
                entry_id: domain::journal::JournalEntryId,
                text: &str,
                now: i64,
            ) -> Result<(), $crate::StoreError> {
                let topic: Option<i64> = sqlx::query_scalar($crate::journal::BRING)
                    .bind(account.0)
                    .bind(now)
                    .bind(entry_id.0)
                    .fetch_all(&mut **tx)
                    .await
                    .map($crate::rows::first_row)?;
                if let Some(topic) = topic {
                    $crate::agenda::seal_text_postgres(
                        &mut **tx,
                        key,
                        account,
                        topic,
                        &domain::journal::topic(text),
                    )
                    .await?;
                }
                Ok(())
            }

            async fn journal_entry_in(
                executor: &sqlx::Pool<$db>,
                key: &$crate::vault::DataKey,
                account: domain::account::AccountId,
                id: domain::journal::JournalEntryId,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let row: Option<$crate::journal::JournalRow> =
                    sqlx::query_as($crate::journal::ONE)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(executor)
                        .await?;
                row.map(|r| r.into_entry(key)).transpose()
            }
        }
    };
}

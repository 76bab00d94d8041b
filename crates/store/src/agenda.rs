//! The agenda: topics to bring to the next session, in the person's own order. Topics come
//! from the person, from post-session check-ins, from parked worries and from journal
//! entries marked "bring to session" (see `journal`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::idempotency::Written;
use domain::journal::JournalEntryId;
use domain::order::Move;
use domain::therapy::{AgendaItem, AgendaItemId, AgendaSource};
use uuid::Uuid;

use crate::StoreError;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::AGENDA_TEXT;

/// The agenda, scoped to one account.
#[async_trait]
pub trait AgendaStore: Send + Sync {
    /// Adds a topic once per client id; a retry returns the stored one.
    async fn insert_agenda_item(
        &self,
        account: AccountId,
        client_id: Uuid,
        text: &str,
        source: AgendaSource,
    ) -> Result<(AgendaItem, Written), StoreError>;
    /// The agenda: open topics, and discussed ones too when asked, in the person's order.
    async fn agenda(
        &self,
        account: AccountId,
        include_discussed: bool,
    ) -> Result<Vec<AgendaItem>, StoreError>;
    /// Marks a topic discussed (or open again with `None`); false when not this account's.
    async fn set_agenda_discussed(
        &self,
        account: AccountId,
        id: AgendaItemId,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;
    /// Swaps an open topic with its open neighbour; false when it is not this account's, or
    /// already first (or last).
    async fn move_agenda_item(
        &self,
        account: AccountId,
        id: AgendaItemId,
        direction: Move,
    ) -> Result<bool, StoreError>;
    /// Removes a topic; false when not this account's.
    async fn delete_agenda_item(
        &self,
        account: AccountId,
        id: AgendaItemId,
    ) -> Result<bool, StoreError>;
}

db_row! {
pub(crate) struct AgendaRow {
    pub id: i64,
    pub text: String,
    pub source: String,
    pub created_ms: i64,
    pub discussed_ms: Option<i64>,
    pub journal_entry_id: Option<i64>,
    pub thought_record_id: Option<i64>,
}
}

impl AgendaRow {
    /// The topic, its words opened with the account's key.
    pub fn into_item(self, key: &DataKey) -> Result<AgendaItem, StoreError> {
        Ok(AgendaItem {
            id: AgendaItemId(self.id),
            text: key.open(AGENDA_TEXT, &self.id.to_string(), &self.text)?,
            source: AgendaSource::parse(&self.source)
                .ok_or_else(|| StoreError::Corrupt("agenda source".into()))?,
            created_at: crate::rows::from_ms(self.created_ms)?,
            discussed_at: self.discussed_ms.map(crate::rows::from_ms).transpose()?,
            journal_entry_id: self.journal_entry_id.map(JournalEntryId),
            thought_record_id: self
                .thought_record_id
                .map(domain::thought_record::ThoughtRecordId),
        })
    }
}

macro_rules! agenda_columns {
    () => {
        "id, text, source, created_ms, discussed_ms, journal_entry_id, thought_record_id"
    };
}

/// The insert's column list and values, shared by both backends. The text is sealed bound
/// to the topic's id, which exists only once the row does: every insert writes an empty
/// text, and [`SEAL_TEXT`] writes the sealed one in the same transaction.
macro_rules! agenda_values {
    () => {
        "(account_id, client_id, text, source, created_ms) VALUES ($1, $2, '', $3, $4)"
    };
}

/// Writes a topic's sealed text: `$1` the sealed text, `$2` the account, `$3` the topic.
pub(crate) const SEAL_TEXT: &str =
    "UPDATE agenda_items SET text = $1 WHERE account_id = $2 AND id = $3";

/// Writes the topic's text sealed, on SQLite's writer.
pub(crate) fn seal_text_sqlite(
    conn: &rusqlite::Connection,
    key: &DataKey,
    account: AccountId,
    topic: i64,
    text: &str,
) -> Result<(), StoreError> {
    let sealed = key.seal(AGENDA_TEXT, &topic.to_string(), text);
    conn.exec(SEAL_TEXT, &[&sealed, &account.0, &topic])?;
    Ok(())
}

/// Writes the topic's text sealed, on PostgreSQL.
pub(crate) async fn seal_text_postgres<'e, E: sqlx::PgExecutor<'e>>(
    executor: E,
    key: &DataKey,
    account: AccountId,
    topic: i64,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query(SEAL_TEXT)
        .bind(key.seal(AGENDA_TEXT, &topic.to_string(), text))
        .bind(account.0)
        .bind(topic)
        .execute(executor)
        .await?;
    Ok(())
}

/// A topic as written now: its text sealed in place when the row is new (its stored text
/// is still empty then), opened when it was there already.
pub(crate) fn stored_item(
    row: AgendaRow,
    written: Written,
    key: &DataKey,
    text: &str,
) -> Result<AgendaItem, StoreError> {
    match written {
        Written::Created => AgendaRow {
            text: key.seal(AGENDA_TEXT, &row.id.to_string(), text),
            ..row
        }
        .into_item(key),
        Written::Existing => row.into_item(key),
    }
}

/// The agenda: `$1` the account, `$2` whether discussed topics are included. A moved topic
/// sorts by its position, the others by insertion order (see `MOVE_KEYS` for why the two
/// mix).
pub(crate) const LIST: &str = concat!(
    "SELECT ",
    agenda_columns!(),
    " FROM agenda_items WHERE account_id = $1 AND ($2 OR discussed_ms IS NULL) \
     ORDER BY COALESCE(position, id), id"
);

/// Marks a topic discussed (`$1` the time, or NULL for open again).
pub(crate) const SET_DISCUSSED: &str =
    "UPDATE agenda_items SET discussed_ms = $1 WHERE account_id = $2 AND id = $3";

/// The open topics with their sort keys, in agenda order.
///
/// Every topic sorts by COALESCE(position, id). Moving swaps the keys of two neighbours, so
/// keys stay a permutation of ids already handed out, and a topic added later by any code
/// path (whose id is larger than every key) lands at the end without having to know about
/// positions.
pub(crate) const MOVE_KEYS: &str = "SELECT id, COALESCE(position, id) AS k FROM agenda_items \
     WHERE account_id = $1 AND discussed_ms IS NULL ORDER BY k, id";

/// Gives a topic a sort key.
pub(crate) const SET_POSITION: &str =
    "UPDATE agenda_items SET position = $1 WHERE account_id = $2 AND id = $3";

/// Removes one of the account's topics (the statement `delete_owned!` runs).
pub(crate) const DELETE: &str = "DELETE FROM agenda_items WHERE account_id = $1 AND id = $2";

/// Which two topics swap keys to move `id` one step: `((a, key of b), (b, key of a))`, or
/// `None` when it is not among the open ones or cannot move that way.
pub(crate) fn swapped_keys(
    open: &[(i64, i64)],
    id: AgendaItemId,
    direction: Move,
) -> Option<[(i64, i64); 2]> {
    let at = open.iter().position(|(i, _)| *i == id.0)?;
    let other = direction.neighbour(at, open.len())?;
    let ((a, ka), (b, kb)) = (open[at], open[other]);
    Some([(a, kb), (b, ka)])
}

#[async_trait]
impl AgendaStore for crate::sqlite::SqliteStore {
    async fn insert_agenda_item(
        &self,
        account: AccountId,
        client_id: Uuid,
        text: &str,
        source: AgendaSource,
    ) -> Result<(AgendaItem, Written), StoreError> {
        let text = text.to_owned();
        let vault = self.vault();
        let (item, written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let (row, written): (AgendaRow, Written) = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("agenda_items", agenda_columns!(), agenda_values!()),
                    existing_sql!("agenda_items", agenda_columns!()),
                    &[
                        &account.0,
                        &client_id.to_string(),
                        &source.code(),
                        &crate::rows::ms(Utc::now()),
                    ],
                    account,
                    client_id,
                )?;
                if written == Written::Created {
                    seal_text_sqlite(conn, &key, account, row.id, &text)?;
                }
                Ok((stored_item(row, written, &key, &text)?, written))
            })
            .await?;
        Ok((item, written))
    }

    async fn agenda(
        &self,
        account: AccountId,
        include_discussed: bool,
    ) -> Result<Vec<AgendaItem>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(LIST, &[&account.0, &include_discussed], |row: AgendaRow| {
            row.into_item(&key)
        })
    }

    async fn set_agenda_discussed(
        &self,
        account: AccountId,
        id: AgendaItemId,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .db()?
            .write(move |conn| {
                conn.exec(
                    SET_DISCUSSED,
                    &[&at.map(crate::rows::ms), &account.0, &id.0],
                )
            })
            .await?;
        Ok(changed == 1)
    }

    async fn move_agenda_item(
        &self,
        account: AccountId,
        id: AgendaItemId,
        direction: Move,
    ) -> Result<bool, StoreError> {
        // On the writer, the read of the keys and their swap see the same agenda.
        self.db()?
            .write(move |conn| {
                let open: Vec<(i64, i64)> = conn.rows(MOVE_KEYS, &[&account.0])?;
                let Some(swaps) = swapped_keys(&open, id, direction) else {
                    return Ok(false);
                };
                for (item, key) in swaps {
                    conn.exec(SET_POSITION, &[&key, &account.0, &item])?;
                }
                Ok(true)
            })
            .await
    }

    async fn delete_agenda_item(
        &self,
        account: AccountId,
        id: AgendaItemId,
    ) -> Result<bool, StoreError> {
        self.delete_owned(DELETE, account, id.0).await
    }
}

macro_rules! impl_agenda_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::agenda::AgendaStore for $ty {
            async fn insert_agenda_item(
                &self,
                account: domain::account::AccountId,
                client_id: uuid::Uuid,
                text: &str,
                source: domain::therapy::AgendaSource,
            ) -> Result<(domain::therapy::AgendaItem, $crate::Written), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let (row, written): ($crate::agenda::AgendaRow, _) = insert_or_existing!(
                    &mut *tx, account, client_id,
                    into "agenda_items" (agenda_columns!()) agenda_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(client_id.to_string())
                        .bind(source.code())
                        .bind($crate::rows::ms(chrono::Utc::now()))
                );
                if written == $crate::Written::Created {
                    $crate::agenda::seal_text_postgres(&mut *tx, &key, account, row.id, text)
                        .await?;
                }
                tx.commit().await?;
                Ok(($crate::agenda::stored_item(row, written, &key, text)?, written))
            }

            async fn agenda(
                &self,
                account: domain::account::AccountId,
                include_discussed: bool,
            ) -> Result<Vec<domain::therapy::AgendaItem>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                let rows: Vec<$crate::agenda::AgendaRow> = sqlx::query_as($crate::agenda::LIST)
                    .bind(account.0)
                    .bind(include_discussed)
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter().map(|r| r.into_item(&key)).collect()
            }

            async fn set_agenda_discussed(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::AgendaItemId,
                at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::agenda::SET_DISCUSSED)
                    .bind(at.map($crate::rows::ms))
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn move_agenda_item(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::AgendaItemId,
                direction: $crate::Move,
            ) -> Result<bool, $crate::StoreError> {
                // One transaction: the keys read are the keys swapped.
                let mut tx = self.writer().begin().await?;
                let open: Vec<(i64, i64)> = sqlx::query_as($crate::agenda::MOVE_KEYS)
                    .bind(account.0)
                    .fetch_all(&mut *tx)
                    .await?;
                let Some(swaps) = $crate::agenda::swapped_keys(&open, id, direction) else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                for (item, key) in swaps {
                    sqlx::query($crate::agenda::SET_POSITION)
                        .bind(key)
                        .bind(account.0)
                        .bind(item)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn delete_agenda_item(
                &self,
                account: domain::account::AccountId,
                id: domain::therapy::AgendaItemId,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::agenda::DELETE)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

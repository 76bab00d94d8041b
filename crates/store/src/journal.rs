//! The journal, homework and its log, feedback notes, and the agenda's order and journal
//! links: the [`JournalStore`] half of the store, written once for both backends.
//!
//! A journal entry is "brought to the next session" exactly when an open agenda topic points
//! at it. Keeping that one fact in one place means marking the topic discussed, removing it
//! from the agenda or deleting the entry can never leave the flag and the agenda disagreeing.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::account::AccountId;
use domain::feedback::{FeedbackKind, FeedbackNote, NewFeedback, ReflectionFeedback};
use domain::homework::{
    Frequency, Homework, HomeworkEdit, HomeworkLog, NewHomework, NewHomeworkLog,
};
use domain::journal::{JournalEdit, JournalEntry, JournalFilter, NewJournalEntry};
use domain::therapy::{AgendaItem, AgendaSource};
use uuid::Uuid;

use crate::{Move, StoreError, Written};

/// Where a page of the journal starts: just older than this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalCursor {
    /// The entry's time, Unix milliseconds.
    pub at_ms: i64,
    /// The entry's id, which breaks ties between entries written in the same millisecond.
    pub id: i64,
}

impl JournalCursor {
    /// The cursor just after `entry` in newest-first order.
    pub fn after(entry: &JournalEntry) -> JournalCursor {
        JournalCursor {
            at_ms: crate::rows::ms(entry.at),
            id: entry.id,
        }
    }

    /// The cursor as a short query value, `AT-ID`. It holds no text, only numbers.
    pub fn to_param(self) -> String {
        format!("{}-{}", self.at_ms, self.id)
    }

    /// Parses [`JournalCursor::to_param`]'s form.
    pub fn parse(s: &str) -> Option<JournalCursor> {
        let (at, id) = s.trim().rsplit_once('-')?;
        Some(JournalCursor {
            at_ms: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

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

/// One page of entries, newest first, and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalPage {
    /// The entries.
    pub entries: Vec<JournalEntry>,
    /// Where the next page starts, when there are older entries.
    pub next: Option<JournalCursor>,
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

/// The journal, homework, feedback and the agenda's order, each scoped to one account.
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
        id: i64,
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
        id: i64,
        edit: &JournalEdit,
    ) -> Result<Option<JournalEntry>, StoreError>;
    /// Deletes an entry and its agenda topics; false when not this account's.
    async fn delete_journal_entry(&self, account: AccountId, id: i64) -> Result<bool, StoreError>;

    /// Adds a topic once per client id; a retry returns the stored one.
    async fn insert_agenda_item(
        &self,
        account: AccountId,
        client_id: Uuid,
        text: &str,
        source: AgendaSource,
    ) -> Result<(AgendaItem, Written), StoreError>;
    /// Swaps an open topic with its open neighbour; false when it is not this account's, or
    /// already first (or last).
    async fn move_agenda_item(
        &self,
        account: AccountId,
        id: i64,
        direction: Move,
    ) -> Result<bool, StoreError>;
    /// Removes a topic; false when not this account's.
    async fn delete_agenda_item(&self, account: AccountId, id: i64) -> Result<bool, StoreError>;

    /// Stores homework once per client id.
    async fn insert_homework(
        &self,
        account: AccountId,
        homework: &NewHomework,
    ) -> Result<(Homework, Written), StoreError>;
    /// The account's homework, oldest first; finished ones too when asked.
    async fn homework_list(
        &self,
        account: AccountId,
        include_finished: bool,
    ) -> Result<Vec<Homework>, StoreError>;
    /// Changes homework; `now` is when "finished" is set. `None` when not this account's.
    async fn edit_homework(
        &self,
        account: AccountId,
        id: i64,
        edit: &HomeworkEdit,
        now: DateTime<Utc>,
    ) -> Result<Option<Homework>, StoreError>;
    /// Removes homework and its log; false when not this account's.
    async fn delete_homework(&self, account: AccountId, id: i64) -> Result<bool, StoreError>;
    /// Logs a done time once per client id; homework done "once" is then finished too.
    /// `None` when the homework is not this account's.
    async fn log_homework(
        &self,
        account: AccountId,
        homework_id: i64,
        log: &NewHomeworkLog,
    ) -> Result<Option<(HomeworkLog, Written)>, StoreError>;
    /// Done times with `from <= at < to`, oldest first.
    async fn homework_logs(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<HomeworkLog>, StoreError>;

    /// Stores a feedback note once per client id; a session of another account is dropped.
    async fn insert_feedback(
        &self,
        account: AccountId,
        note: &NewFeedback,
    ) -> Result<(FeedbackNote, Written), StoreError>;
    /// Feedback notes written with `from <= at < to`, oldest first.
    async fn feedback_notes(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<FeedbackNote>, StoreError>;
    /// Removes a feedback note; false when not this account's.
    async fn delete_feedback(&self, account: AccountId, id: i64) -> Result<bool, StoreError>;
    /// The feedback written in post-session check-ins with `from <= at < to`, oldest first.
    async fn reflection_feedback(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<ReflectionFeedback>, StoreError>;
}

fn uuid(s: &str, what: &str) -> Result<Uuid, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} client id")))
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
            id: self.id,
            client_id: uuid(&self.client_id, "journal")?,
            at: crate::rows::from_ms(self.at_ms)?,
            text: self.text,
            bring_to_session: self.bring,
            parked: self.parked,
            updated_at: crate::rows::from_ms(self.updated_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HomeworkRow {
    pub id: i64,
    pub client_id: String,
    pub text: String,
    pub due_on: Option<String>,
    pub frequency: String,
    pub created_ms: i64,
    pub finished_ms: Option<i64>,
}

impl HomeworkRow {
    pub fn into_homework(self) -> Result<Homework, StoreError> {
        Ok(Homework {
            id: self.id,
            client_id: uuid(&self.client_id, "homework")?,
            text: self.text,
            due_on: self
                .due_on
                .map(|d| {
                    NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                        .map_err(|_| StoreError::Corrupt("homework due date".into()))
                })
                .transpose()?,
            frequency: Frequency::parse(&self.frequency)
                .ok_or_else(|| StoreError::Corrupt("homework frequency".into()))?,
            created_at: crate::rows::from_ms(self.created_ms)?,
            finished_at: self.finished_ms.map(crate::rows::from_ms).transpose()?,
        })
    }
}

/// A due date as stored: one explicit text form on both backends.
pub(crate) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(sqlx::FromRow)]
pub(crate) struct HomeworkLogRow {
    pub id: i64,
    pub homework_id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub note: Option<String>,
}

impl HomeworkLogRow {
    pub fn into_log(self) -> Result<HomeworkLog, StoreError> {
        Ok(HomeworkLog {
            id: self.id,
            homework_id: self.homework_id,
            client_id: uuid(&self.client_id, "homework log")?,
            at: crate::rows::from_ms(self.at_ms)?,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FeedbackRow {
    pub id: i64,
    pub session_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub created_ms: i64,
}

impl FeedbackRow {
    pub fn into_note(self) -> Result<FeedbackNote, StoreError> {
        Ok(FeedbackNote {
            id: self.id,
            session_id: self.session_id,
            kind: FeedbackKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt("feedback kind".into()))?,
            text: self.text,
            created_at: crate::rows::from_ms(self.created_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReflectionFeedbackRow {
    pub id: i64,
    pub session_id: Option<i64>,
    pub at_ms: i64,
    pub feedback: String,
}

impl ReflectionFeedbackRow {
    pub fn into_feedback(self) -> Result<ReflectionFeedback, StoreError> {
        Ok(ReflectionFeedback {
            reflection_id: self.id,
            session_id: self.session_id,
            at: crate::rows::from_ms(self.at_ms)?,
            text: self.feedback,
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

macro_rules! agenda_columns {
    () => {
        "id, text, source, created_ms, discussed_ms, journal_entry_id"
    };
}

macro_rules! homework_columns {
    () => {
        "id, client_id, text, due_on, frequency, created_ms, finished_ms"
    };
}

macro_rules! impl_journal_store {
    ($ty:ty, $db:ty) => {
        impl $ty {
            /// Puts the entry's topic on the agenda unless an open topic stands for it already.
            async fn bring_journal_entry(
                tx: &mut sqlx::Transaction<'_, $db>,
                account: domain::account::AccountId,
                entry_id: i64,
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
                .bind(entry_id)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn journal_entry_in(
                executor: &sqlx::Pool<$db>,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let row: Option<$crate::journal::JournalRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    journal_columns!(),
                    " FROM journal_entries e WHERE e.account_id = $1 AND e.id = $2"
                ))
                .bind(account.0)
                .bind(id)
                .fetch_optional(executor)
                .await?;
                row.map($crate::journal::JournalRow::into_entry).transpose()
            }

            async fn homework_in(
                executor: &sqlx::Pool<$db>,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<Option<domain::homework::Homework>, $crate::StoreError> {
                let row: Option<$crate::journal::HomeworkRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    homework_columns!(),
                    " FROM homework WHERE account_id = $1 AND id = $2"
                ))
                .bind(account.0)
                .bind(id)
                .fetch_optional(executor)
                .await?;
                row.map($crate::journal::HomeworkRow::into_homework).transpose()
            }
        }

        #[async_trait::async_trait]
        impl $crate::journal::JournalStore for $ty {
            async fn insert_journal_entry(
                &self,
                account: domain::account::AccountId,
                e: &domain::journal::NewJournalEntry,
            ) -> Result<(domain::journal::JournalEntry, $crate::Written), $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO journal_entries (account_id, client_id, at_ms, text, \
                     search_text, parked, created_ms, updated_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     ON CONFLICT (account_id, client_id) DO NOTHING RETURNING id",
                )
                .bind(account.0)
                .bind(e.client_id.to_string())
                .bind($crate::rows::ms(e.at))
                .bind(&e.text)
                .bind($crate::journal::fold(&e.text))
                .bind(e.parked)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let (id, written) = match id {
                    Some(id) => {
                        if e.bring_to_session {
                            Self::bring_journal_entry(&mut tx, account, id, &e.text, now).await?;
                        }
                        tx.commit().await?;
                        (id, $crate::Written::Created)
                    }
                    None => {
                        tx.rollback().await?;
                        let id: i64 = sqlx::query_scalar(
                            "SELECT id FROM journal_entries \
                             WHERE account_id = $1 AND client_id = $2",
                        )
                        .bind(account.0)
                        .bind(e.client_id.to_string())
                        .fetch_one(self.writer())
                        .await?;
                        (id, $crate::Written::Existing)
                    }
                };
                let entry = Self::journal_entry_in(self.writer(), account, id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new entry vanished".into()))?;
                Ok((entry, written))
            }

            async fn journal_entry(
                &self,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                Self::journal_entry_in(self.reader(), account, id).await
            }

            async fn journal_page(
                &self,
                account: domain::account::AccountId,
                q: &$crate::journal::JournalQuery,
            ) -> Result<$crate::journal::JournalPage, $crate::StoreError> {
                use domain::journal::JournalFilter;
                let limit = q.limit.clamp(1, 200);
                let before = q.before.unwrap_or($crate::journal::JournalCursor {
                    at_ms: i64::MAX,
                    id: i64::MAX,
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
                .bind(before.id)
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
                    entries.last().map($crate::journal::JournalCursor::after)
                } else {
                    None
                };
                Ok($crate::journal::JournalPage { entries, next })
            }

            async fn edit_journal_entry(
                &self,
                account: domain::account::AccountId,
                id: i64,
                edit: &domain::journal::JournalEdit,
            ) -> Result<Option<domain::journal::JournalEntry>, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let mut tx = self.writer().begin().await?;
                let current: Option<String> = sqlx::query_scalar(
                    "SELECT text FROM journal_entries WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(id)
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
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if edit.text.is_some() {
                    sqlx::query(
                        "UPDATE agenda_items SET text = $1 \
                         WHERE account_id = $2 AND journal_entry_id = $3 AND discussed_ms IS NULL",
                    )
                    .bind(domain::journal::topic(&text))
                    .bind(account.0)
                    .bind(id)
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
                        .bind(id)
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
                id: i64,
            ) -> Result<bool, $crate::StoreError> {
                // Its agenda topics go with it (ON DELETE CASCADE).
                let done =
                    sqlx::query("DELETE FROM journal_entries WHERE account_id = $1 AND id = $2")
                        .bind(account.0)
                        .bind(id)
                        .execute(self.writer())
                        .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_agenda_item(
                &self,
                account: domain::account::AccountId,
                client_id: uuid::Uuid,
                text: &str,
                source: domain::therapy::AgendaSource,
            ) -> Result<(domain::therapy::AgendaItem, $crate::Written), $crate::StoreError> {
                let inserted: Option<$crate::therapy::AgendaRow> = sqlx::query_as(concat!(
                    "INSERT INTO agenda_items (account_id, client_id, text, source, created_ms) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (account_id, client_id) DO NOTHING RETURNING ",
                    agenda_columns!()
                ))
                .bind(account.0)
                .bind(client_id.to_string())
                .bind(text)
                .bind(source.code())
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_all(self.writer())
                .await
                .map($crate::rows::first_row)?;
                if let Some(row) = inserted {
                    return Ok((row.into_item()?, $crate::Written::Created));
                }
                let existing: $crate::therapy::AgendaRow = sqlx::query_as(concat!(
                    "SELECT ",
                    agenda_columns!(),
                    " FROM agenda_items WHERE account_id = $1 AND client_id = $2"
                ))
                .bind(account.0)
                .bind(client_id.to_string())
                .fetch_one(self.writer())
                .await?;
                Ok((existing.into_item()?, $crate::Written::Existing))
            }

            async fn move_agenda_item(
                &self,
                account: domain::account::AccountId,
                id: i64,
                direction: $crate::Move,
            ) -> Result<bool, $crate::StoreError> {
                // Every topic sorts by COALESCE(position, id). Moving swaps the keys of two
                // neighbours, so keys stay a permutation of ids already handed out, and a
                // topic added later by any code path (whose id is larger than every key)
                // lands at the end without having to know about positions.
                let mut tx = self.writer().begin().await?;
                let open: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT id, COALESCE(position, id) AS k FROM agenda_items \
                     WHERE account_id = $1 AND discussed_ms IS NULL ORDER BY k, id",
                )
                .bind(account.0)
                .fetch_all(&mut *tx)
                .await?;
                let Some(at) = open.iter().position(|(i, _)| *i == id) else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let other = match direction {
                    $crate::Move::Up => at.checked_sub(1),
                    $crate::Move::Down => Some(at + 1).filter(|n| *n < open.len()),
                };
                let Some(other) = other else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let ((a, ka), (b, kb)) = (open[at], open[other]);
                for (item, key) in [(a, kb), (b, ka)] {
                    sqlx::query("UPDATE agenda_items SET position = $1 WHERE account_id = $2 AND id = $3")
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
                id: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM agenda_items WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_homework(
                &self,
                account: domain::account::AccountId,
                h: &domain::homework::NewHomework,
            ) -> Result<(domain::homework::Homework, $crate::Written), $crate::StoreError> {
                let inserted: Option<$crate::journal::HomeworkRow> = sqlx::query_as(concat!(
                    "INSERT INTO homework (account_id, client_id, text, due_on, frequency, \
                     created_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (account_id, client_id) DO NOTHING RETURNING ",
                    homework_columns!()
                ))
                .bind(account.0)
                .bind(h.client_id.to_string())
                .bind(&h.text)
                .bind(h.due_on.map($crate::journal::day_text))
                .bind(h.frequency.code())
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_all(self.writer())
                .await
                .map($crate::rows::first_row)?;
                if let Some(row) = inserted {
                    return Ok((row.into_homework()?, $crate::Written::Created));
                }
                let existing: $crate::journal::HomeworkRow = sqlx::query_as(concat!(
                    "SELECT ",
                    homework_columns!(),
                    " FROM homework WHERE account_id = $1 AND client_id = $2"
                ))
                .bind(account.0)
                .bind(h.client_id.to_string())
                .fetch_one(self.writer())
                .await?;
                Ok((existing.into_homework()?, $crate::Written::Existing))
            }

            async fn homework_list(
                &self,
                account: domain::account::AccountId,
                include_finished: bool,
            ) -> Result<Vec<domain::homework::Homework>, $crate::StoreError> {
                let rows: Vec<$crate::journal::HomeworkRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    homework_columns!(),
                    " FROM homework WHERE account_id = $1 AND ($2 OR finished_ms IS NULL) \
                     ORDER BY created_ms, id"
                ))
                .bind(account.0)
                .bind(include_finished)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::journal::HomeworkRow::into_homework)
                    .collect()
            }

            async fn edit_homework(
                &self,
                account: domain::account::AccountId,
                id: i64,
                edit: &domain::homework::HomeworkEdit,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<domain::homework::Homework>, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE homework SET text = COALESCE($1, text), \
                     due_on = CASE WHEN $2 THEN $3 ELSE due_on END, \
                     frequency = COALESCE($4, frequency), \
                     finished_ms = CASE WHEN $5 IS NULL THEN finished_ms \
                                        WHEN $5 THEN COALESCE(finished_ms, $6) \
                                        ELSE NULL END \
                     WHERE account_id = $7 AND id = $8",
                )
                .bind(edit.text.as_deref())
                .bind(edit.due_on.is_some())
                .bind(edit.due_on.flatten().map($crate::journal::day_text))
                .bind(edit.frequency.map(|f| f.code()))
                .bind(edit.finished)
                .bind($crate::rows::ms(now))
                .bind(account.0)
                .bind(id)
                .execute(self.writer())
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                Self::homework_in(self.writer(), account, id).await
            }

            async fn delete_homework(
                &self,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM homework WHERE account_id = $1 AND id = $2")
                    .bind(account.0)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn log_homework(
                &self,
                account: domain::account::AccountId,
                homework_id: i64,
                log: &domain::homework::NewHomeworkLog,
            ) -> Result<Option<(domain::homework::HomeworkLog, $crate::Written)>, $crate::StoreError>
            {
                let mut tx = self.writer().begin().await?;
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM homework WHERE account_id = $1 AND id = $2",
                )
                .bind(account.0)
                .bind(homework_id)
                .fetch_optional(&mut *tx)
                .await?;
                if found.is_none() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let inserted: Option<$crate::journal::HomeworkLogRow> = sqlx::query_as(
                    "INSERT INTO homework_log (account_id, homework_id, client_id, at_ms, note, \
                     created_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (account_id, client_id) DO NOTHING \
                     RETURNING id, homework_id, client_id, at_ms, note",
                )
                .bind(account.0)
                .bind(homework_id)
                .bind(log.client_id.to_string())
                .bind($crate::rows::ms(log.at))
                .bind(&log.note)
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = inserted else {
                    tx.rollback().await?;
                    let existing: $crate::journal::HomeworkLogRow = sqlx::query_as(
                        "SELECT id, homework_id, client_id, at_ms, note FROM homework_log \
                         WHERE account_id = $1 AND client_id = $2",
                    )
                    .bind(account.0)
                    .bind(log.client_id.to_string())
                    .fetch_one(self.writer())
                    .await?;
                    return Ok(Some((existing.into_log()?, $crate::Written::Existing)));
                };
                // Homework meant to be done once is finished by doing it.
                sqlx::query(
                    "UPDATE homework SET finished_ms = $1 WHERE account_id = $2 AND id = $3 \
                     AND frequency = 'once' AND finished_ms IS NULL",
                )
                .bind($crate::rows::ms(log.at))
                .bind(account.0)
                .bind(homework_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some((row.into_log()?, $crate::Written::Created)))
            }

            async fn homework_logs(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::homework::HomeworkLog>, $crate::StoreError> {
                let rows: Vec<$crate::journal::HomeworkLogRow> = sqlx::query_as(
                    "SELECT id, homework_id, client_id, at_ms, note FROM homework_log \
                     WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id",
                )
                .bind(account.0)
                .bind(from.map($crate::rows::ms).unwrap_or(i64::MIN))
                .bind(to.map($crate::rows::ms).unwrap_or(i64::MAX))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::journal::HomeworkLogRow::into_log)
                    .collect()
            }

            async fn insert_feedback(
                &self,
                account: domain::account::AccountId,
                n: &domain::feedback::NewFeedback,
            ) -> Result<(domain::feedback::FeedbackNote, $crate::Written), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                // A session id from another account is dropped rather than linked.
                let session_id: Option<i64> = match n.session_id {
                    Some(s) => {
                        sqlx::query_scalar(
                            "SELECT id FROM therapy_sessions WHERE id = $1 AND account_id = $2",
                        )
                        .bind(s)
                        .bind(account.0)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    None => None,
                };
                let inserted: Option<$crate::journal::FeedbackRow> = sqlx::query_as(
                    "INSERT INTO feedback_notes (account_id, client_id, session_id, kind, text, \
                     created_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (account_id, client_id) DO NOTHING \
                     RETURNING id, session_id, kind, text, created_ms",
                )
                .bind(account.0)
                .bind(n.client_id.to_string())
                .bind(session_id)
                .bind(n.kind.code())
                .bind(&n.text)
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                if let Some(row) = inserted {
                    return Ok((row.into_note()?, $crate::Written::Created));
                }
                let existing: $crate::journal::FeedbackRow = sqlx::query_as(
                    "SELECT id, session_id, kind, text, created_ms FROM feedback_notes \
                     WHERE account_id = $1 AND client_id = $2",
                )
                .bind(account.0)
                .bind(n.client_id.to_string())
                .fetch_one(self.writer())
                .await?;
                Ok((existing.into_note()?, $crate::Written::Existing))
            }

            async fn feedback_notes(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::feedback::FeedbackNote>, $crate::StoreError> {
                let rows: Vec<$crate::journal::FeedbackRow> = sqlx::query_as(
                    "SELECT id, session_id, kind, text, created_ms FROM feedback_notes \
                     WHERE account_id = $1 AND created_ms >= $2 AND created_ms < $3 \
                     ORDER BY created_ms, id",
                )
                .bind(account.0)
                .bind(from.map($crate::rows::ms).unwrap_or(i64::MIN))
                .bind(to.map($crate::rows::ms).unwrap_or(i64::MAX))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::journal::FeedbackRow::into_note)
                    .collect()
            }

            async fn delete_feedback(
                &self,
                account: domain::account::AccountId,
                id: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done =
                    sqlx::query("DELETE FROM feedback_notes WHERE account_id = $1 AND id = $2")
                        .bind(account.0)
                        .bind(id)
                        .execute(self.writer())
                        .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn reflection_feedback(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::feedback::ReflectionFeedback>, $crate::StoreError> {
                let rows: Vec<$crate::journal::ReflectionFeedbackRow> = sqlx::query_as(
                    "SELECT id, session_id, at_ms, feedback FROM reflections \
                     WHERE account_id = $1 AND feedback IS NOT NULL \
                     AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id",
                )
                .bind(account.0)
                .bind(from.map($crate::rows::ms).unwrap_or(i64::MIN))
                .bind(to.map($crate::rows::ms).unwrap_or(i64::MAX))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::journal::ReflectionFeedbackRow::into_feedback)
                    .collect()
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

    #[test]
    fn cursors_round_trip() {
        let c = JournalCursor {
            at_ms: 1_790_000_000_000,
            id: 42,
        };
        assert_eq!(JournalCursor::parse(&c.to_param()), Some(c));
        let negative = JournalCursor { at_ms: -5, id: 1 };
        assert_eq!(JournalCursor::parse(&negative.to_param()), Some(negative));
        assert_eq!(JournalCursor::parse("x-1"), None);
        assert_eq!(JournalCursor::parse(""), None);
    }
}

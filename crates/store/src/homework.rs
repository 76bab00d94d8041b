//! Homework agreed in therapy, and the log of each time it was done.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::account::AccountId;
use domain::homework::{
    Frequency, Homework, HomeworkEdit, HomeworkId, HomeworkLog, HomeworkLogId, NewHomework,
    NewHomeworkLog,
};
use domain::idempotency::Written;

use crate::StoreError;
use crate::rows::client_id;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::{HOMEWORK_LOG_NOTE, HOMEWORK_TEXT};

/// Homework and its log, scoped to one account.
#[async_trait]
pub trait HomeworkStore: Send + Sync {
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
        id: HomeworkId,
        edit: &HomeworkEdit,
        now: DateTime<Utc>,
    ) -> Result<Option<Homework>, StoreError>;
    /// Removes homework and its log; false when not this account's.
    async fn delete_homework(&self, account: AccountId, id: HomeworkId)
    -> Result<bool, StoreError>;
    /// Logs a done time once per client id; homework done "once" is then finished too.
    /// `None` when the homework is not this account's.
    async fn log_homework(
        &self,
        account: AccountId,
        homework_id: HomeworkId,
        log: &NewHomeworkLog,
    ) -> Result<Option<(HomeworkLog, Written)>, StoreError>;
    /// The done times of the account's homework that is still open (or of all of it with
    /// `include_finished`), oldest first: what the homework list shows, without the logs of
    /// homework long finished.
    async fn homework_logs_of_listed(
        &self,
        account: AccountId,
        include_finished: bool,
    ) -> Result<Vec<HomeworkLog>, StoreError>;
    /// Done times with `from <= at < to`, oldest first.
    async fn homework_logs(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<HomeworkLog>, StoreError>;
}

db_row! {
pub(crate) struct HomeworkRow {
    pub id: i64,
    pub client_id: String,
    pub text: String,
    pub due_on: Option<String>,
    pub frequency: String,
    pub created_ms: i64,
    pub finished_ms: Option<i64>,
    pub assigned_by_name: Option<String>,
}
}

impl HomeworkRow {
    /// The homework, its words opened with the account's key.
    pub fn into_homework(self, key: &DataKey) -> Result<Homework, StoreError> {
        Ok(Homework {
            id: HomeworkId(self.id),
            text: key.open(HOMEWORK_TEXT, &self.client_id, &self.text)?,
            client_id: client_id(&self.client_id, "homework")?,
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
            from_therapist: self.assigned_by_name,
        })
    }
}

/// A due date as stored: one explicit text form on both backends.
pub(crate) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

db_row! {
pub(crate) struct HomeworkLogRow {
    pub id: i64,
    pub homework_id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub note: Option<String>,
}
}

impl HomeworkLogRow {
    /// The done time, its note opened with the account's key.
    pub fn into_log(self, key: &DataKey) -> Result<HomeworkLog, StoreError> {
        Ok(HomeworkLog {
            id: HomeworkLogId(self.id),
            homework_id: HomeworkId(self.homework_id),
            note: key.open_opt(HOMEWORK_LOG_NOTE, &self.client_id, self.note)?,
            client_id: client_id(&self.client_id, "homework log")?,
            at: crate::rows::from_ms(self.at_ms)?,
        })
    }
}

macro_rules! homework_columns {
    () => {
        "id, client_id, text, due_on, frequency, created_ms, finished_ms, assigned_by_name"
    };
}

/// The insert's column list and values, shared by both backends.
macro_rules! homework_values {
    () => {
        "(account_id, client_id, text, due_on, frequency, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    };
}

macro_rules! homework_log_columns {
    () => {
        "id, homework_id, client_id, at_ms, note"
    };
}

/// The log insert's column list and values, shared by both backends.
macro_rules! homework_log_values {
    () => {
        "(account_id, homework_id, client_id, at_ms, note, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    };
}

/// The account's (`$1`) homework, finished ones too when `$2`, oldest first.
pub(crate) const LIST: &str = concat!(
    "SELECT ",
    homework_columns!(),
    " FROM homework WHERE account_id = $1 AND ($2 OR finished_ms IS NULL) \
     ORDER BY created_ms, id"
);

/// One of the account's (`$1`) homework by id (`$2`).
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    homework_columns!(),
    " FROM homework WHERE account_id = $1 AND id = $2"
);

/// The client id of the account's (`$1`) homework `$2`, which its sealed text is bound to.
pub(crate) const CLIENT_ID: &str =
    "SELECT client_id FROM homework WHERE account_id = $1 AND id = $2";

/// Changes homework: `$1` the sealed text (`NULL` to leave it), `$2` whether the due date changes and `$3` to what,
/// `$4` frequency, `$5` finished (`NULL` to leave it), `$6` now, `$7` account, `$8` id.
pub(crate) const EDIT: &str = "UPDATE homework SET text = COALESCE($1, text), \
     due_on = CASE WHEN $2 THEN $3 ELSE due_on END, \
     frequency = COALESCE($4, frequency), \
     finished_ms = CASE WHEN $5 IS NULL THEN finished_ms \
                        WHEN $5 THEN COALESCE(finished_ms, $6) \
                        ELSE NULL END \
     WHERE account_id = $7 AND id = $8";

/// Deletes the account's (`$1`) homework by id (`$2`); its log goes with it (ON DELETE
/// CASCADE). The same statement `delete_owned!` runs on PostgreSQL.
pub(crate) const DELETE: &str = "DELETE FROM homework WHERE account_id = $1 AND id = $2";

/// Whether the homework (`$2`) is the account's (`$1`).
pub(crate) const OWNED: &str = "SELECT id FROM homework WHERE account_id = $1 AND id = $2";

/// Homework meant to be done once is finished by doing it: `$1` when, `$2` account, `$3` id.
pub(crate) const FINISH_ONCE: &str = "UPDATE homework SET finished_ms = $1 WHERE account_id = $2 AND id = $3 \
     AND frequency = 'once' AND finished_ms IS NULL";

/// The account's done times in a range, oldest first (binds as `rows_in_range!`).
/// The done times of the account's (`$1`) open homework, or of all of it with `$2`.
pub(crate) const LOGS_OF_LISTED: &str = "SELECT l.id, l.homework_id, l.client_id, l.at_ms, \
     l.note FROM homework_log l JOIN homework h ON h.id = l.homework_id \
     WHERE l.account_id = $1 AND h.account_id = $1 AND ($2 OR h.finished_ms IS NULL) \
     ORDER BY l.at_ms, l.id";

pub(crate) const LOGS_IN_RANGE: &str = concat!(
    "SELECT ",
    homework_log_columns!(),
    " FROM homework_log WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 \
     ORDER BY at_ms, id"
);

#[async_trait]
impl HomeworkStore for crate::sqlite::SqliteStore {
    async fn insert_homework(
        &self,
        account: AccountId,
        h: &NewHomework,
    ) -> Result<(Homework, Written), StoreError> {
        let h = h.clone();
        let vault = self.vault();
        let (row, written): (HomeworkRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("homework", homework_columns!(), homework_values!()),
                    existing_sql!("homework", homework_columns!()),
                    &[
                        &account.0,
                        &h.client_id.to_string(),
                        &key.seal(HOMEWORK_TEXT, &h.client_id.to_string(), &h.text),
                        &h.due_on.map(day_text),
                        &h.frequency.code(),
                        &crate::rows::ms(Utc::now()),
                    ],
                    account,
                    h.client_id,
                )
            })
            .await?;
        Ok((row.into_homework(&self.data_key(account)?)?, written))
    }

    async fn homework_list(
        &self,
        account: AccountId,
        include_finished: bool,
    ) -> Result<Vec<Homework>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(LIST, &[&account.0, &include_finished], |r: HomeworkRow| {
            r.into_homework(&key)
        })
    }

    async fn edit_homework(
        &self,
        account: AccountId,
        id: HomeworkId,
        edit: &HomeworkEdit,
        now: DateTime<Utc>,
    ) -> Result<Option<Homework>, StoreError> {
        let edit = edit.clone();
        let vault = self.vault();
        let row: Option<HomeworkRow> = self
            .db()?
            .write(move |conn| {
                let text = match &edit.text {
                    Some(text) => {
                        let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                        let Some(client_id) =
                            conn.scalar::<String>(CLIENT_ID, &[&account.0, &id.0])?
                        else {
                            return Ok(None);
                        };
                        Some(key.seal(HOMEWORK_TEXT, &client_id, text))
                    }
                    None => None,
                };
                let changed = conn.exec(
                    EDIT,
                    &[
                        &text,
                        &edit.due_on.is_some(),
                        &edit.due_on.flatten().map(day_text),
                        &edit.frequency.map(|f| f.code()),
                        &edit.finished,
                        &crate::rows::ms(now),
                        &account.0,
                        &id.0,
                    ],
                )?;
                if changed == 0 {
                    return Ok(None);
                }
                conn.row(ONE, &[&account.0, &id.0])
            })
            .await?;
        let key = self.data_key(account)?;
        row.map(|r| r.into_homework(&key)).transpose()
    }

    async fn delete_homework(
        &self,
        account: AccountId,
        id: HomeworkId,
    ) -> Result<bool, StoreError> {
        self.delete_owned(DELETE, account, id.0).await
    }

    async fn log_homework(
        &self,
        account: AccountId,
        homework_id: HomeworkId,
        log: &NewHomeworkLog,
    ) -> Result<Option<(HomeworkLog, Written)>, StoreError> {
        let log = log.clone();
        let vault = self.vault();
        let logged: Option<(HomeworkLogRow, Written)> = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                if conn
                    .scalar::<i64>(OWNED, &[&account.0, &homework_id.0])?
                    .is_none()
                {
                    return Ok(None);
                }
                let (row, written): (HomeworkLogRow, Written) =
                    crate::sqlite::sql::insert_or_existing(
                        conn,
                        insert_new_sql!(
                            "homework_log",
                            homework_log_columns!(),
                            homework_log_values!()
                        ),
                        existing_sql!("homework_log", homework_log_columns!()),
                        &[
                            &account.0,
                            &homework_id.0,
                            &log.client_id.to_string(),
                            &crate::rows::ms(log.at),
                            &key.seal_opt(
                                HOMEWORK_LOG_NOTE,
                                &log.client_id.to_string(),
                                log.note.as_deref(),
                            ),
                            &crate::rows::ms(Utc::now()),
                        ],
                        account,
                        log.client_id,
                    )?;
                if written == Written::Created {
                    conn.exec(
                        FINISH_ONCE,
                        &[&crate::rows::ms(log.at), &account.0, &homework_id.0],
                    )?;
                }
                Ok(Some((row, written)))
            })
            .await?;
        let key = self.data_key(account)?;
        logged
            .map(|(row, written)| Ok((row.into_log(&key)?, written)))
            .transpose()
    }

    async fn homework_logs_of_listed(
        &self,
        account: AccountId,
        include_finished: bool,
    ) -> Result<Vec<HomeworkLog>, StoreError> {
        let key = self.data_key(account)?;
        self.all_rows(
            LOGS_OF_LISTED,
            &[&account.0, &include_finished],
            |r: HomeworkLogRow| r.into_log(&key),
        )
    }

    async fn homework_logs(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<HomeworkLog>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(LOGS_IN_RANGE, account, from, to, |r: HomeworkLogRow| {
            r.into_log(&key)
        })
    }
}

macro_rules! impl_homework_store {
    ($ty:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::homework::HomeworkStore for $ty {
            async fn insert_homework(
                &self,
                account: domain::account::AccountId,
                h: &domain::homework::NewHomework,
            ) -> Result<(domain::homework::Homework, $crate::Written), $crate::StoreError> {
                let key = self.data_key(self.writer(), account).await?;
                let sealed =
                    key.seal($crate::vault::sealed::HOMEWORK_TEXT, &h.client_id.to_string(), &h.text);
                let (row, written): ($crate::homework::HomeworkRow, _) = insert_or_existing!(
                    self.writer(), account, h.client_id,
                    into "homework" (homework_columns!()) homework_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(h.client_id.to_string())
                        .bind(&sealed)
                        .bind(h.due_on.map($crate::homework::day_text))
                        .bind(h.frequency.code())
                        .bind($crate::rows::ms(chrono::Utc::now()))
                );
                Ok((row.into_homework(&key)?, written))
            }

            async fn homework_list(
                &self,
                account: domain::account::AccountId,
                include_finished: bool,
            ) -> Result<Vec<domain::homework::Homework>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::homework::LIST,
                    [account.0, include_finished],
                    |r: $crate::homework::HomeworkRow| r.into_homework(&key)
                )
            }

            async fn edit_homework(
                &self,
                account: domain::account::AccountId,
                id: domain::homework::HomeworkId,
                edit: &domain::homework::HomeworkEdit,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<domain::homework::Homework>, $crate::StoreError> {
                let key = self.data_key(self.writer(), account).await?;
                let text = match &edit.text {
                    Some(text) => {
                        let client_id: Option<String> =
                            sqlx::query_scalar($crate::homework::CLIENT_ID)
                                .bind(account.0)
                                .bind(id.0)
                                .fetch_optional(self.writer())
                                .await?;
                        let Some(client_id) = client_id else {
                            return Ok(None);
                        };
                        Some(key.seal($crate::vault::sealed::HOMEWORK_TEXT, &client_id, text))
                    }
                    None => None,
                };
                let done = sqlx::query($crate::homework::EDIT)
                    .bind(text)
                    .bind(edit.due_on.is_some())
                    .bind(edit.due_on.flatten().map($crate::homework::day_text))
                    .bind(edit.frequency.map(|f| f.code()))
                    .bind(edit.finished)
                    .bind($crate::rows::ms(now))
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                Self::homework_in(self.writer(), &key, account, id).await
            }

            async fn delete_homework(
                &self,
                account: domain::account::AccountId,
                id: domain::homework::HomeworkId,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::homework::DELETE)
                    .bind(account.0)
                    .bind(id.0)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn log_homework(
                &self,
                account: domain::account::AccountId,
                homework_id: domain::homework::HomeworkId,
                log: &domain::homework::NewHomeworkLog,
            ) -> Result<Option<(domain::homework::HomeworkLog, $crate::Written)>, $crate::StoreError>
            {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let found: Option<i64> = sqlx::query_scalar($crate::homework::OWNED)
                    .bind(account.0)
                    .bind(homework_id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let (row, written): ($crate::homework::HomeworkLogRow, _) = insert_or_existing!(
                    &mut *tx, account, log.client_id,
                    into "homework_log" (homework_log_columns!()) homework_log_values!(),
                    |q| q
                        .bind(account.0)
                        .bind(homework_id.0)
                        .bind(log.client_id.to_string())
                        .bind($crate::rows::ms(log.at))
                        .bind(key.seal_opt(
                            $crate::vault::sealed::HOMEWORK_LOG_NOTE,
                            &log.client_id.to_string(),
                            log.note.as_deref(),
                        ))
                        .bind($crate::rows::ms(chrono::Utc::now()))
                );
                if written == $crate::Written::Created {
                    // Homework meant to be done once is finished by doing it.
                    sqlx::query($crate::homework::FINISH_ONCE)
                        .bind($crate::rows::ms(log.at))
                        .bind(account.0)
                        .bind(homework_id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Some((row.into_log(&key)?, written)))
            }

            async fn homework_logs_of_listed(
                &self,
                account: domain::account::AccountId,
                include_finished: bool,
            ) -> Result<Vec<domain::homework::HomeworkLog>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                all_rows!(
                    self,
                    $crate::homework::LOGS_OF_LISTED,
                    [account.0, include_finished],
                    |r: $crate::homework::HomeworkLogRow| r.into_log(&key)
                )
            }

            async fn homework_logs(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::homework::HomeworkLog>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                rows_in_range!(
                    self,
                    $crate::homework::LOGS_IN_RANGE,
                    account,
                    from,
                    to,
                    |r: $crate::homework::HomeworkLogRow| r.into_log(&key)
                )
            }
        }

        impl $ty {
            async fn homework_in(
                executor: &sqlx::Pool<$db>,
                key: &$crate::vault::DataKey,
                account: domain::account::AccountId,
                id: domain::homework::HomeworkId,
            ) -> Result<Option<domain::homework::Homework>, $crate::StoreError> {
                let row: Option<$crate::homework::HomeworkRow> =
                    sqlx::query_as($crate::homework::ONE)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(executor)
                        .await?;
                row.map(|r| r.into_homework(key)).transpose()
            }
        }
    };
}

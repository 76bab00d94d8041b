//! Check-ins: how the day went, stored once per client id.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::checkin::{BodySignal, CheckIn, CheckInId, NewCheckIn, SafetyAnswer, UsualActivities};
use domain::history::CheckInRecord;
use domain::idempotency::Written;

use crate::StoreError;
use crate::rows::{from_ms, rating};
use crate::vault::DataKey;
use crate::vault::sealed::{CHECKIN_NOTE, CHECKIN_SUBSTANCES, CHECKIN_TAGS};

/// The account's check-ins.
#[async_trait]
pub trait CheckInStore: Send + Sync {
    /// Stores a check-in once per client id; a retry returns the stored one.
    async fn insert_checkin(
        &self,
        account: AccountId,
        checkin: &NewCheckIn,
    ) -> Result<(CheckIn, Written), StoreError>;
    /// The account's check-ins with `from <= at < to`, oldest first.
    async fn checkins(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckIn>, StoreError>;
    /// What guidance reads of the account's check-ins with `from <= at < to` (time, mood,
    /// anxiety, energy, missed activities, safety answer), oldest first: nothing the person
    /// wrote in words, so nothing is opened. For summaries such as the usual mood.
    async fn checkin_records(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckInRecord>, StoreError>;
    /// The account's latest check-in (by its time), if any.
    async fn last_checkin(&self, account: AccountId) -> Result<Option<CheckIn>, StoreError>;
    /// One of the account's check-ins.
    async fn checkin(
        &self,
        account: AccountId,
        id: CheckInId,
    ) -> Result<Option<CheckIn>, StoreError>;
    /// Replaces what a stored check-in says (mood and every detail; its time, client id and
    /// creation stay), reassessing guidance in the same transaction when something guidance
    /// reads changed. `None` when the account has no such check-in.
    async fn update_checkin(
        &self,
        account: AccountId,
        id: CheckInId,
        content: &NewCheckIn,
    ) -> Result<Option<CheckIn>, StoreError>;
}

db_row! {
pub(crate) struct CheckInRow {
    pub id: i64,
    pub account_id: i64,
    pub client_id: String,
    pub at_ms: i64,
    pub mood: i64,
    pub anxiety: Option<i64>,
    pub energy: Option<i64>,
    pub body: String,
    pub usual_activities: Option<String>,
    pub missed_usual_activities: Option<bool>,
    pub harder_today: String,
    pub sleep_hours: Option<f64>,
    pub substances: Option<String>,
    pub self_harm_thoughts: Option<bool>,
    pub self_harm_rather_not_say: bool,
    pub note: Option<String>,
    pub created_ms: i64,
}
}

impl CheckInRow {
    /// The check-in, with the words the person wrote (note, substances, tags) opened under
    /// `key`; a value that does not open for this check-in is [`StoreError::Damaged`].
    pub fn into_checkin(self, key: &DataKey) -> Result<CheckIn, StoreError> {
        let row = self.client_id.as_str();
        let note = key.open_opt(CHECKIN_NOTE, row, self.note)?;
        let substances = key.open_opt(CHECKIN_SUBSTANCES, row, self.substances)?;
        let tags = key.open(CHECKIN_TAGS, row, &self.harder_today)?;
        let body_codes: Vec<String> = serde_json::from_str(&self.body)
            .map_err(|_| StoreError::Corrupt("check-in body signals".into()))?;
        let body = body_codes
            .iter()
            .map(|c| BodySignal::parse(c).ok_or_else(|| StoreError::Corrupt("body signal".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let harder_today: Vec<String> =
            serde_json::from_str(&tags).map_err(|_| StoreError::Corrupt("check-in tags".into()))?;
        Ok(CheckIn {
            id: CheckInId(self.id),
            account_id: AccountId(self.account_id),
            content: NewCheckIn {
                client_id: self
                    .client_id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("client id".into()))?,
                at: from_ms(self.at_ms)?,
                mood: rating(self.mood)?,
                anxiety: self.anxiety.map(rating).transpose()?,
                energy: self.energy.map(rating).transpose()?,
                body,
                usual_activities: self
                    .usual_activities
                    .map(|u| {
                        UsualActivities::parse(&u)
                            .ok_or_else(|| StoreError::Corrupt("usual activities".into()))
                    })
                    .transpose()?,
                missed_usual_activities: self.missed_usual_activities,
                harder_today,
                sleep_hours: self.sleep_hours,
                substances,
                self_harm_thoughts: SafetyAnswer::from_stored(
                    self.self_harm_thoughts,
                    self.self_harm_rather_not_say,
                ),
                note,
            },
            created_at: from_ms(self.created_ms)?,
        })
    }
}

/// A check-in's content as stored, in the column order shared by the insert (after the
/// account, client id and time) and by UPDATE (after the account and id): one place decides
/// how each field is written, for both databases.
pub(crate) struct Content {
    pub mood: i64,
    pub anxiety: Option<i64>,
    pub energy: Option<i64>,
    pub body: String,
    pub usual_activities: Option<&'static str>,
    pub missed_usual_activities: Option<bool>,
    /// The tags, sealed.
    pub harder_today: String,
    pub sleep_hours: Option<f64>,
    /// The substances answer, sealed.
    pub substances: Option<String>,
    pub self_harm_thoughts: Option<bool>,
    pub self_harm_rather_not_say: bool,
    /// The note, sealed.
    pub note: Option<String>,
}

impl Content {
    /// The content of `c`, with what the person wrote in words sealed under `key`, each
    /// value bound to this check-in's client id.
    pub(crate) fn of(c: &NewCheckIn, key: &DataKey) -> Content {
        let (thoughts, rather_not_say) = safety_columns(c);
        let row = c.client_id.to_string();
        Content {
            mood: i64::from(c.mood.get()),
            anxiety: c.anxiety.map(|r| i64::from(r.get())),
            energy: c.energy.map(|r| i64::from(r.get())),
            body: body_json(c),
            usual_activities: c.usual_activities.map(|u| u.code()),
            missed_usual_activities: c.missed_usual_activities,
            harder_today: key.seal(CHECKIN_TAGS, &row, &tags_json(c)),
            sleep_hours: c.sleep_hours,
            substances: key.seal_opt(CHECKIN_SUBSTANCES, &row, c.substances.as_deref()),
            self_harm_thoughts: thoughts,
            self_harm_rather_not_say: rather_not_say,
            note: key.seal_opt(CHECKIN_NOTE, &row, c.note.as_deref()),
        }
    }

    /// The values as SQLite parameters, in column order.
    fn params(&self) -> [&dyn rusqlite::ToSql; 12] {
        [
            &self.mood,
            &self.anxiety,
            &self.energy,
            &self.body,
            &self.usual_activities,
            &self.missed_usual_activities,
            &self.harder_today,
            &self.sleep_hours,
            &self.substances,
            &self.self_harm_thoughts,
            &self.self_harm_rather_not_say,
            &self.note,
        ]
    }

    /// Binds the values to a PostgreSQL query, in column order.
    pub(crate) fn bind<'q, O>(
        self,
        q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
        q.bind(self.mood)
            .bind(self.anxiety)
            .bind(self.energy)
            .bind(self.body)
            .bind(self.usual_activities)
            .bind(self.missed_usual_activities)
            .bind(self.harder_today)
            .bind(self.sleep_hours)
            .bind(self.substances)
            .bind(self.self_harm_thoughts)
            .bind(self.self_harm_rather_not_say)
            .bind(self.note)
    }
}

/// Body signal codes as stored JSON text.
fn body_json(c: &NewCheckIn) -> String {
    let codes: Vec<&str> = c.body.iter().map(|b| b.code()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

/// The safety answer as stored: the yes/no column, and the "rather not say" flag.
fn safety_columns(c: &NewCheckIn) -> (Option<bool>, bool) {
    let answer = c.self_harm_thoughts;
    (
        answer.and_then(SafetyAnswer::as_bool),
        answer == Some(SafetyAnswer::RatherNotSay),
    )
}

/// What an edit changed for guidance: nothing when the fields it reads are the same, a
/// rebuild otherwise (a mood changed in place can't be taken in as a new check-in would be).
pub(crate) fn edit_change(
    before: &NewCheckIn,
    after: &NewCheckIn,
) -> Option<crate::summaries::HistoryChange> {
    (before.record() != after.record()).then_some(crate::summaries::HistoryChange::Edited)
}

/// Tags as stored JSON text.
fn tags_json(c: &NewCheckIn) -> String {
    serde_json::to_string(&c.harder_today).unwrap_or_else(|_| "[]".into())
}

macro_rules! checkin_columns {
    () => {
        "id, account_id, client_id, at_ms, mood, anxiety, energy, body, usual_activities, \
         missed_usual_activities, harder_today, sleep_hours, substances, self_harm_thoughts, \
         self_harm_rather_not_say, note, created_ms"
    };
}

/// The insert's column list and values, shared by both backends.
macro_rules! checkin_values {
    () => {
        "(account_id, client_id, at_ms, mood, anxiety, energy, body, usual_activities, \
         missed_usual_activities, harder_today, sleep_hours, substances, self_harm_thoughts, \
         self_harm_rather_not_say, note, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    };
}

/// The account's check-ins in a range, oldest first (binds as `rows_in_range!`).
pub(crate) const IN_RANGE: &str = concat!(
    "SELECT ",
    checkin_columns!(),
    " FROM checkins WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id"
);

/// What guidance reads of the account's check-ins in a range, oldest first (binds as
/// `rows_in_range!`; converts with `summaries::checkin_record`).
pub(crate) const RECORDS_IN_RANGE: &str = "SELECT at_ms, mood, anxiety, energy, \
     missed_usual_activities, self_harm_thoughts FROM checkins \
     WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id";

/// The account's (`$1`) latest check-in.
pub(crate) const LAST: &str = concat!(
    "SELECT ",
    checkin_columns!(),
    " FROM checkins WHERE account_id = $1 ORDER BY at_ms DESC, id DESC LIMIT 1"
);

/// One of the account's (`$1`) check-ins, `$2`.
pub(crate) const ONE: &str = concat!(
    "SELECT ",
    checkin_columns!(),
    " FROM checkins WHERE account_id = $1 AND id = $2"
);

/// Replaces a check-in's content: `$1` the account, `$2` the id, then the fields in order.
pub(crate) const UPDATE: &str = concat!(
    "UPDATE checkins SET mood = $3, anxiety = $4, energy = $5, body = $6, \
     usual_activities = $7, missed_usual_activities = $8, harder_today = $9, \
     sleep_hours = $10, substances = $11, self_harm_thoughts = $12, \
     self_harm_rather_not_say = $13, note = $14 WHERE account_id = $1 AND id = $2 RETURNING ",
    checkin_columns!()
);

#[async_trait]
impl CheckInStore for crate::sqlite::SqliteStore {
    async fn insert_checkin(
        &self,
        account: AccountId,
        c: &NewCheckIn,
    ) -> Result<(CheckIn, Written), StoreError> {
        let c = c.clone();
        let vault = self.vault();
        let alerts = self.alert_mail();
        let (row, written): (CheckInRow, Written) = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let stored = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!("checkins", checkin_columns!(), checkin_values!()),
                    existing_sql!("checkins", checkin_columns!()),
                    &[
                        &[
                            &account.0 as &dyn rusqlite::ToSql,
                            &c.client_id.to_string(),
                            &crate::rows::ms(c.at),
                        ][..],
                        &Content::of(&c, &key).params(),
                        &[&crate::rows::ms(Utc::now())],
                    ]
                    .concat(),
                    account,
                    c.client_id,
                )?;
                if stored.1 == Written::Created {
                    // Guidance sees the new check-in in the same transaction.
                    crate::summaries::reassess_sqlite(
                        conn,
                        account,
                        &crate::summaries::HistoryChange::CheckIn(c.record()),
                        Utc::now(),
                        alerts.as_deref(),
                    )?;
                }
                Ok(stored)
            })
            .await?;
        Ok((row.into_checkin(&self.data_key(account)?)?, written))
    }

    async fn checkins(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckIn>, StoreError> {
        let key = self.data_key(account)?;
        self.rows_in_range(IN_RANGE, account, from, to, |row: CheckInRow| {
            row.into_checkin(&key)
        })
    }

    async fn checkin_records(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<CheckInRecord>, StoreError> {
        self.rows_in_range(
            RECORDS_IN_RANGE,
            account,
            from,
            to,
            crate::summaries::checkin_record,
        )
    }

    async fn last_checkin(&self, account: AccountId) -> Result<Option<CheckIn>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(LAST, &[&account.0], |row: CheckInRow| {
            row.into_checkin(&key)
        })
    }

    async fn checkin(
        &self,
        account: AccountId,
        id: CheckInId,
    ) -> Result<Option<CheckIn>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(ONE, &[&account.0, &id.0], |row: CheckInRow| {
            row.into_checkin(&key)
        })
    }

    async fn update_checkin(
        &self,
        account: AccountId,
        id: CheckInId,
        c: &NewCheckIn,
    ) -> Result<Option<CheckIn>, StoreError> {
        use crate::sqlite::Sql;
        let c = c.clone();
        let vault = self.vault();
        let alerts = self.alert_mail();
        let row: Option<CheckInRow> = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let Some(before) = conn.row::<CheckInRow>(ONE, &[&account.0, &id.0])? else {
                    return Ok(None);
                };
                let before = before.into_checkin(&key)?;
                let row: Option<CheckInRow> = conn.row(
                    UPDATE,
                    &[
                        &[&account.0 as &dyn rusqlite::ToSql, &id.0][..],
                        &Content::of(&c, &key).params(),
                    ]
                    .concat(),
                )?;
                if let Some(change) = edit_change(&before.content, &c) {
                    // Guidance sees the changed check-in in the same transaction.
                    crate::summaries::reassess_sqlite(
                        conn,
                        account,
                        &change,
                        Utc::now(),
                        alerts.as_deref(),
                    )?;
                }
                Ok(row)
            })
            .await?;
        let key = self.data_key(account)?;
        row.map(|r| r.into_checkin(&key)).transpose()
    }
}

macro_rules! impl_checkin_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::checkins::CheckInStore for $ty {
            async fn insert_checkin(
                &self,
                account: domain::account::AccountId,
                c: &domain::checkin::NewCheckIn,
            ) -> Result<(domain::checkin::CheckIn, $crate::Written), $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let (row, written): ($crate::checkins::CheckInRow, _) = insert_or_existing!(
                    &mut *tx, account, c.client_id,
                    into "checkins" (checkin_columns!()) checkin_values!(),
                    |q| $crate::checkins::Content::of(c, &key)
                        .bind(
                            q.bind(account.0)
                                .bind(c.client_id.to_string())
                                .bind($crate::rows::ms(c.at)),
                        )
                        .bind($crate::rows::ms(chrono::Utc::now()))
                );
                if written == $crate::Written::Created {
                    // Guidance sees the new check-in in the same transaction.
                    $crate::summaries::reassess_postgres(
                        &mut tx,
                        account,
                        &$crate::summaries::HistoryChange::CheckIn(c.record()),
                        chrono::Utc::now(),
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok((row.into_checkin(&key)?, written))
            }

            async fn checkins(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::checkin::CheckIn>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                let rows: Vec<$crate::checkins::CheckInRow> =
                    sqlx::query_as($crate::checkins::IN_RANGE)
                        .bind(account.0)
                        .bind($crate::rows::ms_from(from))
                        .bind($crate::rows::ms_until(to))
                        .fetch_all(self.reader())
                        .await?;
                rows.into_iter()
                    .map(|r| r.into_checkin(&key))
                    .collect()
            }

            async fn checkin_records(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::history::CheckInRecord>, $crate::StoreError> {
                rows_in_range!(
                    self,
                    $crate::checkins::RECORDS_IN_RANGE,
                    account,
                    from,
                    to,
                    $crate::summaries::checkin_record
                )
            }

            async fn last_checkin(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<domain::checkin::CheckIn>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::checkins::LAST,
                    [account.0],
                    |r: $crate::checkins::CheckInRow| r.into_checkin(&key)
                )
            }

            async fn checkin(
                &self,
                account: domain::account::AccountId,
                id: domain::checkin::CheckInId,
            ) -> Result<Option<domain::checkin::CheckIn>, $crate::StoreError> {
                let row: Option<$crate::checkins::CheckInRow> =
                    sqlx::query_as($crate::checkins::ONE)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(self.reader())
                        .await?;
                let key = self.reading_key(account).await?;
                row.map(|r| r.into_checkin(&key))
                    .transpose()
            }

            async fn update_checkin(
                &self,
                account: domain::account::AccountId,
                id: domain::checkin::CheckInId,
                c: &domain::checkin::NewCheckIn,
            ) -> Result<Option<domain::checkin::CheckIn>, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let before: Option<$crate::checkins::CheckInRow> =
                    sqlx::query_as($crate::checkins::ONE)
                        .bind(account.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(before) = before else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let before = before.into_checkin(&key)?;
                let update = sqlx::query_as($crate::checkins::UPDATE)
                    .bind(account.0)
                    .bind(id.0);
                let row: $crate::checkins::CheckInRow = $crate::checkins::Content::of(c, &key)
                    .bind(update)
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(change) = $crate::checkins::edit_change(&before.content, c) {
                    // Guidance sees the changed check-in in the same transaction.
                    $crate::summaries::reassess_postgres(
                        &mut tx,
                        account,
                        &change,
                        chrono::Utc::now(),
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(Some(row.into_checkin(&key)?))
            }
        }
    };
}

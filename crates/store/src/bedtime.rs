//! The bedtime routine: one checklist and target time per account, and what the routine's
//! comparison reads. The nights it was ticked off are coping uses (see `coping`); this module
//! only reads them, by time or by the night's client id.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::account::AccountId;
use domain::bedtime::{BedtimeRoutine, NewRoutine, NightCheckIn};
use domain::coping::CopingUse;
use uuid::Uuid;

use crate::StoreError;
use crate::coping::CopingUseRow;
use crate::sqlite::Sql;
use crate::vault::DataKey;
use crate::vault::sealed::BEDTIME_ITEMS;

/// The bedtime routine of each account, and what its comparison reads.
#[async_trait]
pub trait BedtimeStore: Send + Sync {
    /// The account's routine, if it has made one.
    async fn bedtime_routine(
        &self,
        account: AccountId,
    ) -> Result<Option<BedtimeRoutine>, StoreError>;
    /// Makes or replaces the account's routine.
    async fn save_bedtime_routine(
        &self,
        account: AccountId,
        routine: &NewRoutine,
    ) -> Result<BedtimeRoutine, StoreError>;
    /// When each use of the routine with `from <= started_at < to` was logged, oldest first;
    /// nothing is opened.
    async fn bedtime_logged(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError>;
    /// The account's coping use with this client id (a night's log), if any.
    async fn coping_use_by_client_id(
        &self,
        account: AccountId,
        client_id: Uuid,
    ) -> Result<Option<CopingUse>, StoreError>;
    /// The time, mood and hours of sleep of the account's check-ins with `from <= at < to`,
    /// oldest first; their words stay sealed.
    async fn night_checkins(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<NightCheckIn>, StoreError>;
}

db_row! {
pub(crate) struct RoutineRow {
    pub items: String,
    pub target_time: String,
    pub updated_ms: i64,
}
}

/// The row key the items are sealed under: the account's own id (the table's key).
pub(crate) fn row_key(account: AccountId) -> String {
    account.0.to_string()
}

impl RoutineRow {
    /// The routine, its items opened with the account's key.
    pub fn into_routine(
        self,
        key: &DataKey,
        account: AccountId,
    ) -> Result<BedtimeRoutine, StoreError> {
        let items = key.open(BEDTIME_ITEMS, &row_key(account), &self.items)?;
        Ok(BedtimeRoutine {
            items: serde_json::from_str(&items)
                .map_err(|_| StoreError::Corrupt("bedtime routine items".into()))?,
            target_time: domain::bedtime::parse_time(&self.target_time)
                .ok_or_else(|| StoreError::Corrupt("bedtime routine target time".into()))?,
            updated_at: crate::rows::from_ms(self.updated_ms)?,
        })
    }
}

/// The stored values of a routine saved now: the sealed items, the time, the time saved.
pub(crate) fn stored(
    key: &DataKey,
    account: AccountId,
    routine: &NewRoutine,
) -> (String, String, i64) {
    let items = serde_json::Value::from(routine.items.clone()).to_string();
    (
        key.seal(BEDTIME_ITEMS, &row_key(account), &items),
        domain::bedtime::format_time(routine.target_time),
        crate::rows::ms(Utc::now()),
    )
}

/// The account's (`$1`) routine.
pub(crate) const ONE: &str =
    "SELECT items, target_time, updated_ms FROM bedtime_routines WHERE account_id = $1";

/// Makes or replaces the account's (`$1`) routine: sealed items `$2`, time `$3`, now `$4`.
pub(crate) const SAVE: &str = "INSERT INTO bedtime_routines \
     (account_id, items, target_time, updated_ms) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (account_id) DO UPDATE SET items = excluded.items, \
     target_time = excluded.target_time, updated_ms = excluded.updated_ms";

/// When the account's (`$1`) uses of the routine in `[$2, $3)` started.
pub(crate) const LOGGED: &str = "SELECT started_ms FROM coping_uses \
     WHERE account_id = $1 AND tool = 'bedtime-routine' \
     AND started_ms >= $2 AND started_ms < $3 ORDER BY started_ms, id";

/// The account's (`$1`) coping use with client id `$2`.
pub(crate) const USE_BY_CLIENT_ID: &str = concat!(
    "SELECT ",
    coping_use_columns!(),
    " FROM coping_uses WHERE account_id = $1 AND client_id = $2"
);

/// Time, mood and sleep of the account's (`$1`) check-ins in `[$2, $3)`.
pub(crate) const NIGHT_CHECKINS: &str = "SELECT at_ms, mood, sleep_hours FROM checkins \
     WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id";

db_row! {
pub(crate) struct NightCheckInRow {
    pub at_ms: i64,
    pub mood: i64,
    pub sleep_hours: Option<f64>,
}
}

impl NightCheckInRow {
    pub fn into_checkin(self) -> Result<NightCheckIn, StoreError> {
        Ok(NightCheckIn {
            at: crate::rows::from_ms(self.at_ms)?,
            mood: crate::rows::rating(self.mood)?,
            sleep_hours: self.sleep_hours,
        })
    }
}

/// A start time as read.
pub(crate) fn logged_at((ms,): (i64,)) -> Result<DateTime<Utc>, StoreError> {
    crate::rows::from_ms(ms)
}

#[async_trait]
impl BedtimeStore for crate::sqlite::SqliteStore {
    async fn bedtime_routine(
        &self,
        account: AccountId,
    ) -> Result<Option<BedtimeRoutine>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(ONE, &[&account.0], |r: RoutineRow| {
            r.into_routine(&key, account)
        })
    }

    async fn save_bedtime_routine(
        &self,
        account: AccountId,
        routine: &NewRoutine,
    ) -> Result<BedtimeRoutine, StoreError> {
        let routine = routine.clone();
        let vault = self.vault();
        let row: RoutineRow = self
            .db()?
            .write(move |conn| {
                let key = crate::sqlite::SqliteStore::data_key_on(&vault, conn, account)?;
                let (items, time, now) = stored(&key, account, &routine);
                conn.exec(SAVE, &[&account.0, &items, &time, &now])?;
                conn.row(ONE, &[&account.0])?
                    .ok_or_else(|| StoreError::Corrupt("saved routine vanished".into()))
            })
            .await?;
        row.into_routine(&self.data_key(account)?, account)
    }

    async fn bedtime_logged(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        self.rows_in_range(LOGGED, account, from, to, logged_at)
    }

    async fn coping_use_by_client_id(
        &self,
        account: AccountId,
        client_id: Uuid,
    ) -> Result<Option<CopingUse>, StoreError> {
        let key = self.data_key(account)?;
        self.optional_row(
            USE_BY_CLIENT_ID,
            &[&account.0, &client_id.to_string()],
            |r: CopingUseRow| r.into_use(&key),
        )
    }

    async fn night_checkins(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<NightCheckIn>, StoreError> {
        self.rows_in_range(NIGHT_CHECKINS, account, from, to, |r: NightCheckInRow| {
            r.into_checkin()
        })
    }
}

macro_rules! impl_bedtime_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::bedtime::BedtimeStore for $ty {
            async fn bedtime_routine(
                &self,
                account: domain::account::AccountId,
            ) -> Result<Option<domain::bedtime::BedtimeRoutine>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::bedtime::ONE,
                    [account.0],
                    |r: $crate::bedtime::RoutineRow| r.into_routine(&key, account)
                )
            }

            async fn save_bedtime_routine(
                &self,
                account: domain::account::AccountId,
                routine: &domain::bedtime::NewRoutine,
            ) -> Result<domain::bedtime::BedtimeRoutine, $crate::StoreError> {
                let mut tx = self.writer().begin().await?;
                let key = self.data_key(&mut *tx, account).await?;
                let (items, time, now) = $crate::bedtime::stored(&key, account, routine);
                sqlx::query($crate::bedtime::SAVE)
                    .bind(account.0)
                    .bind(items)
                    .bind(time)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let row: $crate::bedtime::RoutineRow = sqlx::query_as($crate::bedtime::ONE)
                    .bind(account.0)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                row.into_routine(&key, account)
            }

            async fn bedtime_logged(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<chrono::DateTime<chrono::Utc>>, $crate::StoreError> {
                rows_in_range!(
                    self,
                    $crate::bedtime::LOGGED,
                    account,
                    from,
                    to,
                    $crate::bedtime::logged_at
                )
            }

            async fn coping_use_by_client_id(
                &self,
                account: domain::account::AccountId,
                client_id: uuid::Uuid,
            ) -> Result<Option<domain::coping::CopingUse>, $crate::StoreError> {
                let key = self.reading_key(account).await?;
                optional_row!(
                    self,
                    $crate::bedtime::USE_BY_CLIENT_ID,
                    [account.0, client_id.to_string()],
                    |r: $crate::coping::CopingUseRow| r.into_use(&key)
                )
            }

            async fn night_checkins(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::bedtime::NightCheckIn>, $crate::StoreError> {
                rows_in_range!(
                    self,
                    $crate::bedtime::NIGHT_CHECKINS,
                    account,
                    from,
                    to,
                    |r: $crate::bedtime::NightCheckInRow| r.into_checkin()
                )
            }
        }
    };
}
